//! The `search` binary as Lambda runs it: a Runtime API on loopback, API Gateway v2 events, the
//! index in a read-only directory, no DynamoDB behind it.

use baton_e2e::runtime_api::{Function, http_event, http_response, read_only_index};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_from_a_read_only_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = read_only_index(dir.path());
    let before: Vec<_> = std::fs::read_dir(&index)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    let env = [
        (desk::config::INDEX, index.to_str().expect("utf-8")),
        (desk::config::TABLE, "unused-by-search"),
    ];
    let mut function =
        Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_search")), &env).await;

    let q = "q=%ED%99%98%EB%B6%88%20%EA%B8%B0%EA%B0%84&limit=3";
    let (status, body) = http_response(
        function
            .invoke(http_event("GET", "/api/search", q, &[], None))
            .await,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["hits"][0]["id"], "ko/payments/refund", "{body}");

    // The same warm process answers the next invocation; a bad request is the API's 400.
    let (status, body) = http_response(
        function
            .invoke(http_event("GET", "/api/search", "", &[], None))
            .await,
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid"))
    );
    let (status, _) = http_response(
        function
            .invoke(http_event("GET", "/api/nowhere", "", &[], None))
            .await,
    );
    assert_eq!(status, 404);
    assert!(function.init_error().await.is_none());

    let after: Vec<_> = std::fs::read_dir(&index)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(before, after, "the function wrote to its index directory");
}
