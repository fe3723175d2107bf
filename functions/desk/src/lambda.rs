//! What every Lambda function builds once per cold start, from its environment.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `BATON_INDEX_DIR` | the index, shipped as a Lambda layer (read-only) | `/opt/kb-index` |
//! | `BATON_TABLE` | the DynamoDB table | required |
//! | `BATON_CREATE_TABLE` | `1`: create the table if missing (local runs on DynamoDB Local only) | unset |
//! | `BATON_OPERATOR_AUTH` | `gateway-jwt` (behind API Gateway's JWT authorizer) or `tokens:name:token,…` | `gateway-jwt` |
//!
//! The DynamoDB client reads region and credentials as every AWS SDK does (and
//! `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local in tests).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use kb::KnowledgeBase;

use crate::Desk;
use crate::http::{AppState, OperatorAuth};
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

/// The DynamoDB store on `BATON_TABLE`.
pub async fn store_from_env() -> Result<DynamoStore, String> {
    let table = std::env::var("BATON_TABLE").map_err(|_| "BATON_TABLE is not set".to_string())?;
    let store = DynamoStore::from_env(&table).await;
    if std::env::var("BATON_CREATE_TABLE").is_ok_and(|v| v == "1") {
        // For `cargo lambda watch` on DynamoDB Local; an existing table is fine.
        if let Err(error) = store.create_table().await {
            tracing::info!(%error, table, "table not created");
        }
    }
    Ok(store)
}

/// The handlers' state, from the environment: the index opened read-only, the DynamoDB store, and
/// how operators are recognized.
pub async fn state_from_env() -> Result<AppState, String> {
    let index = std::env::var("BATON_INDEX_DIR")
        .map_or_else(|_| PathBuf::from("/opt/kb-index"), PathBuf::from);
    let kb = KnowledgeBase::open(&index).map_err(|e| e.to_string())?;
    let store = store_from_env().await?;
    let operators = match std::env::var("BATON_OPERATOR_AUTH").as_deref() {
        Err(_) | Ok("gateway-jwt") => OperatorAuth::GatewayJwt,
        Ok(spec) => match spec.strip_prefix("tokens:") {
            Some(pairs) => {
                let mut tokens = HashMap::new();
                for pair in pairs.split(',').filter(|p| !p.is_empty()) {
                    let (name, token) = pair
                        .split_once(':')
                        .ok_or("BATON_OPERATOR_AUTH tokens are name:token")?;
                    tokens.insert(token.to_string(), name.to_string());
                }
                OperatorAuth::Tokens(tokens)
            }
            None => {
                return Err(format!(
                    "BATON_OPERATOR_AUTH must be gateway-jwt or tokens:…, not {spec:?}"
                ));
            }
        },
    };
    tracing::info!(index = %index.display(), guides = kb.guides().len(), "cold start");
    Ok(AppState {
        desk: Desk::new(Arc::new(kb), Arc::new(store)),
        operators: Arc::new(operators),
    })
}
