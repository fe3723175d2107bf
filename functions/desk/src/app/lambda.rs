//! What every Lambda function builds once per cold start, from its environment: the variables are
//! those of [`crate::config`], with Lambda's defaults. The DynamoDB and S3 clients read region and
//! credentials as every AWS SDK does (and `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_S3` for
//! DynamoDB Local and s3rver in tests).
//!
//! The HTTP functions build the whole [`App`] and hand their area of [`crate::http`] to the
//! runtime ([`http`]); the event functions (alerts, reminders, insights) read their
//! [`Settings`] and open only the store and the index they need.

use std::sync::Arc;

use kb::KnowledgeBase;

use super::local::Opened;
use super::{App, Parts, Settings};
use crate::config::{Config, Deployment};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::dynamo::DynamoStore;

/// Logs as JSON lines, which CloudWatch Logs Insights reads field by field.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_current_span(false)
        .without_time() // CloudWatch stamps every line.
        .init();
}

/// The function's configuration and what it means, checked: a missing or wrong variable fails
/// the cold start with a message that names it.
pub fn settings() -> std::result::Result<(Config, Settings), String> {
    let config = Config::from_env(Deployment::Lambda).map_err(|e| e.to_string())?;
    let settings = Settings::from_config(&config).map_err(|e| e.to_string())?;
    Ok((config, settings))
}

/// The whole desk, for an HTTP function.
pub async fn app() -> std::result::Result<App, String> {
    let config = Config::from_env(Deployment::Lambda).map_err(|e| e.to_string())?;
    App::build(config).await.map_err(|e| e.to_string())
}

/// An HTTP function: its area's routes with every layer, on the Lambda runtime.
pub async fn http(routes: crate::http::Routes) -> std::result::Result<(), lambda_http::Error> {
    init_tracing();
    let app = app().await?;
    lambda_http::run(crate::http::finish(routes, app.state)).await
}

/// The DynamoDB store on the configured table.
pub async fn store(config: &Config) -> Result<DynamoStore> {
    let table = config
        .table
        .as_deref()
        .ok_or_else(|| Error::Config(format!("{} is not set", crate::config::TABLE)))?;
    let store = DynamoStore::from_env(table)
        .await
        .keeping_events(config.event_days);
    if config.create_table {
        // For `cargo lambda watch` on DynamoDB Local; an existing table is fine.
        if let Err(error) = store.create_table().await {
            tracing::info!(%error, table, "table not created");
        }
    }
    Ok(store)
}

/// The guides, for a function that can work without them (the report groups questions by their
/// words alone then): `None`, logged, when the index layer is missing or unreadable.
pub fn guides(config: &Config) -> Option<Arc<KnowledgeBase>> {
    match KnowledgeBase::open(&config.index) {
        Ok(kb) => Some(Arc::new(kb)),
        Err(error) => {
            tracing::warn!(%error, index = %config.index.display(), "no guides");
            None
        }
    }
}

/// The index layer, the table and the bucket, except what `parts` holds.
pub(super) async fn open(config: &Config, parts: Parts) -> Result<Opened> {
    let kb = match parts.kb {
        Some(kb) => kb,
        None => {
            let kb = KnowledgeBase::open(&config.index).map_err(|e| {
                Error::Config(format!("the index at {}: {e}", config.index.display()))
            })?;
            tracing::info!(index = %config.index.display(), guides = kb.guides().len(), "cold start");
            Arc::new(kb)
        }
    };
    let store: Arc<dyn Store> = match parts.store {
        Some(store) => store,
        None => Arc::new(store(config).await?),
    };
    let blobs = match (parts.blobs, &config.attachments_bucket) {
        (Some(blobs), _) => Some(blobs),
        (None, Some(bucket)) => Some(Arc::new(
            crate::attachments::s3::S3Blobs::from_env(bucket).await,
        ) as Arc<dyn crate::attachments::Blobs>),
        (None, None) => None,
    };
    Ok((kb, store, blobs, None))
}
