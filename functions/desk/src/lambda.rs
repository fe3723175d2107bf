//! What every Lambda function builds once per cold start, from its environment: the variables are
//! those of [`crate::config`] (read and checked there), with Lambda's defaults. The DynamoDB client
//! reads region and credentials as every AWS SDK does (and `AWS_ENDPOINT_URL_DYNAMODB` for
//! DynamoDB Local in tests).

use std::sync::Arc;

use kb::KnowledgeBase;

use crate::config::{Config, Deployment};
use crate::http::AppState;
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

/// The function's configuration, checked: a missing or wrong variable fails the cold start with
/// a message that names it.
pub fn config() -> Result<Config, String> {
    Config::from_env(Deployment::Lambda).map_err(|e| e.to_string())
}

/// The DynamoDB store on the configured table.
pub async fn store(config: &Config) -> Result<DynamoStore, String> {
    let table = config
        .table
        .as_deref()
        .ok_or_else(|| format!("{} is not set", crate::config::TABLE))?;
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

/// The handlers' state: the index opened read-only, the DynamoDB store, attachments in the S3
/// bucket when one is configured, and the rest from the configuration ([`crate::http::state`]).
pub async fn state(config: &Config) -> Result<AppState, String> {
    let kb = KnowledgeBase::open(&config.index).map_err(|e| e.to_string())?;
    tracing::info!(index = %config.index.display(), guides = kb.guides().len(), "cold start");
    let store = store(config).await?;
    let mut state =
        crate::http::state(config, Arc::new(kb), Arc::new(store)).map_err(|e| e.to_string())?;
    if let Some(bucket) = &config.attachments_bucket {
        state.desk = state.desk.with_blobs(Arc::new(
            crate::attachments::s3::S3Blobs::from_env(bucket).await,
        ));
    }
    Ok(state)
}
