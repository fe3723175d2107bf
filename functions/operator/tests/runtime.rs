//! The `operator` binary as Lambda runs it behind API Gateway's JWT authorizer, which has already
//! verified the token: the operator is the token's `email` claim.

use baton_e2e::runtime_api::{http_event, http_response, start_with_table};

/// A JWT whose payload is `{"sub":"abc","email":"minji@example.com"}` (the gateway checked the
/// signature, so the function does not).
const JWT: &str = "Bearer e30.eyJzdWIiOiJhYmMiLCJlbWFpbCI6Im1pbmppQGV4YW1wbGUuY29tIn0.sig";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_through_the_function() {
    let (mut function, _index) = start_with_table(
        std::path::Path::new(env!("CARGO_BIN_EXE_operator")),
        &[("BATON_OPERATOR_AUTH", "gateway-jwt")],
    )
    .await;

    let (status, body) = http_response(
        function
            .invoke(http_event(
                "GET",
                "/api/operator/queue",
                "",
                &[("authorization", JWT)],
                None,
            ))
            .await,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cases"], serde_json::json!([]));
    let (status, _) = http_response(
        function
            .invoke(http_event("GET", "/api/operator/queue", "", &[], None))
            .await,
    );
    assert_eq!(status, 401);
    let (status, body) = http_response(
        function
            .invoke(http_event(
                "POST",
                "/api/operator/cases/case_nope/claim",
                "",
                &[("authorization", JWT)],
                None,
            ))
            .await,
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}
