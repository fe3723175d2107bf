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

/// The `mail` function: SES's receipts of the support address's mail (the message read from the
/// mail bucket, handed to the desk with SES's verdicts), and, on its schedule, the mail that is
/// due, sent through SES.
pub struct MailFunction {
    app: App,
    s3: aws_sdk_s3::Client,
    bucket: String,
    relay: crate::mail::ses::SesRelay,
}

impl MailFunction {
    /// Built once per cold start from the environment; mail must be set up
    /// (`BATON_MAIL_FROM`, `BATON_MAIL_KEY`, `BATON_MAIL_BUCKET`).
    pub async fn from_env() -> std::result::Result<MailFunction, String> {
        let app = app().await?;
        if app.desk.mail_settings().is_none() {
            return Err(format!("{} is not set", crate::config::MAIL_FROM));
        }
        let bucket = app
            .config
            .mail_bucket
            .clone()
            .ok_or_else(|| format!("{} is not set", crate::config::MAIL_BUCKET))?;
        let sdk = aws_config::load_from_env().await;
        // A custom endpoint (s3rver, MinIO) is addressed path-style; S3 itself never is.
        let path_style = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(path_style)
                .build(),
        );
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
        let relay = crate::mail::ses::SesRelay::new(aws_sdk_sesv2::Client::new(&sdk), &region);
        Ok(MailFunction {
            app,
            s3,
            bucket,
            relay,
        })
    }

    /// One event: SES's receipt (each mail stored, refused, or an error for Lambda to retry:
    /// the message stays in the bucket), or the schedule (what is due is sent).
    pub async fn handle(&self, event: serde_json::Value) -> Result<serde_json::Value> {
        let receipts = crate::mail::ses::receipts(&event);
        if receipts.is_empty() {
            let sent = self.app.desk.send_due_mail(&self.relay).await?;
            return Ok(serde_json::json!({ "sent": sent }));
        }
        let mut received = Vec::new();
        for receipt in receipts {
            let object = self
                .s3
                .get_object()
                .bucket(&self.bucket)
                .key(&receipt.key)
                .send()
                .await
                .map_err(|e| {
                    Error::Unavailable(format!(
                        "{}: {}",
                        receipt.key,
                        aws_sdk_s3::error::DisplayErrorContext(&e)
                    ))
                })?;
            let raw = object
                .body
                .collect()
                .await
                .map_err(|e| Error::Unavailable(format!("{}: {e}", receipt.key)))?
                .into_bytes()
                .to_vec();
            let incoming = crate::desk::Incoming {
                raw,
                recipients: receipt.recipients,
                verdict: Some(receipt.verdict),
                raw_key: Some(receipt.key.clone()),
            };
            match self.app.desk.receive_mail(&incoming).await {
                Ok(outcome) => received.push(serde_json::json!(outcome)),
                // Never storable: said, not retried (the message stays in the bucket a while).
                Err(Error::Invalid(why)) => {
                    tracing::warn!(key = %receipt.key, %why, "mail refused");
                    received.push(serde_json::json!({"outcome": "refused", "key": receipt.key, "reason": why}));
                }
                Err(error) => return Err(error),
            }
        }
        Ok(serde_json::json!({ "received": received }))
    }
}
