//! The `operator` binary as Lambda runs it behind API Gateway's JWT authorizer, which has already
//! verified the token: the operator is the token's `sub` (or its e-mail when verified), mapped to a
//! name by the allow-list; anyone else is refused, and without an allow-list the function does not
//! start.

use baton_e2e::runtime_api::{Function, deployed_env, http_event, http_response, start_with_table};
use desk::config::{OPERATOR_AUTH, OPERATORS};

/// A JWT whose payload is `{"sub":"abc","email":"minji@example.com"}` (the gateway checked the
/// signature, so the function does not).
const JWT: &str = "Bearer e30.eyJzdWIiOiJhYmMiLCJlbWFpbCI6Im1pbmppQGV4YW1wbGUuY29tIn0.sig";
/// `{"sub":"someone-else","email":"minji@example.com","email_verified":false}`: a user of the pool
/// who is not on the list and whose e-mail is not verified.
const OUTSIDER: &str = "Bearer e30.eyJzdWIiOiJzb21lb25lLWVsc2UiLCJlbWFpbCI6Im1pbmppQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOmZhbHNlfQ.sig";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_through_the_function() {
    let (mut function, _index) = start_with_table(
        std::path::Path::new(env!("CARGO_BIN_EXE_operator")),
        &[(OPERATOR_AUTH, "gateway-jwt"), (OPERATORS, "minji=abc")],
    )
    .await;
    let get = |auth: &'static str| {
        http_event(
            "GET",
            "/api/operator/queue",
            "",
            &[("authorization", auth)],
            None,
        )
    };
    let (status, body) = http_response(function.invoke(get(JWT)).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cases"], serde_json::json!([]));
    let (status, body) = http_response(function.invoke(get(OUTSIDER)).await);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
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
                "/api/operator/cases/case_01JAAAAAAAAAAAAAAAAAAAAAAA/claim",
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_allow_list_the_function_does_not_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = deployed_env(dir.path(), &[(OPERATOR_AUTH, "gateway-jwt")]).await;
    let mut function =
        Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_operator")), &env).await;
    let stderr = function.exit_output().await.expect("the cold start fails");
    assert!(stderr.contains("BATON_OPERATORS is not set"), "{stderr}");
}
