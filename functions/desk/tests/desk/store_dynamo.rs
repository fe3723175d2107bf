//! The store conformance suite on DynamoDB Local, each test on a new table.
//!
//! `scripts/test` starts DynamoDB Local and sets `AWS_ENDPOINT_URL_DYNAMODB`; without it these
//! tests fail (they never skip): run them through `scripts/test`, or start it yourself with
//! `eval "$(scripts/dynamodb-local start)"`.

use std::sync::Arc;

use desk::store::conformance::Fixture;
use desk::store::dynamo::DynamoStore;

/// A store on a new, empty table of DynamoDB Local.
pub async fn fresh() -> Fixture {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "AWS_ENDPOINT_URL_DYNAMODB must point at DynamoDB Local on loopback (got {endpoint:?}): run scripts/test, \
         or eval \"$(scripts/dynamodb-local start)\" first"
    );
    let table = format!("baton-test-{}", ulid_like());
    let store = DynamoStore::from_env(&table).await;
    store
        .create_table()
        .await
        .expect("create table on DynamoDB Local");
    Fixture {
        store: Arc::new(store),
        guard: Box::new(()),
    }
}

fn ulid_like() -> String {
    desk::model::new_id("t").replace('_', "-").to_lowercase()
}

desk::store_conformance_tests!(fresh());
