//! The `operator` binary as Lambda runs it behind API Gateway's JWT authorizer, which has already
//! verified the token and passes its claims in the request context: the operator is the `sub` (or
//! the e-mail when verified), mapped to a name by the allow-list; anyone else is refused, a forged
//! header without verified claims counts for nothing, and without an allow-list the function does
//! not start.

use baton_e2e::runtime_api::{
    Function, deployed_env, http_event, http_response, start_with_table, with_jwt_claims,
};
use desk::config::{OPERATOR_AUTH, OPERATORS};

/// What the authorizer verified for minji, and for a user of the pool who is not on the list.
const MINJI: &[(&str, &str)] = &[
    ("sub", "abc"),
    ("email", "minji@example.com"),
    ("email_verified", "true"),
];
const OUTSIDER: &[(&str, &str)] = &[
    ("sub", "someone-else"),
    ("email", "minji@example.com"),
    ("email_verified", "false"),
];
/// A header whose payload says `{"sub":"abc"}`: what an attacker can write without the gateway.
const FORGED: &str = "Bearer e30.eyJzdWIiOiJhYmMifQ.sig";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_through_the_function() {
    let (mut function, _index) = start_with_table(
        std::path::Path::new(env!("CARGO_BIN_EXE_operator")),
        &[(OPERATOR_AUTH, "gateway-jwt"), (OPERATORS, "minji=abc")],
    )
    .await;
    let auth = [("authorization", FORGED)];
    let get = |claims: &[(&str, &str)]| {
        with_jwt_claims(
            http_event("GET", "/api/operator/queue", "", &auth, None),
            claims,
        )
    };
    let (status, body) = http_response(function.invoke(get(MINJI)).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cases"], serde_json::json!([]));
    let (status, body) = http_response(function.invoke(get(OUTSIDER)).await);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    // The forged header alone, with nothing the gateway verified, counts for nothing.
    let forged = http_event("GET", "/api/operator/queue", "", &auth, None);
    let (status, _) = http_response(function.invoke(forged).await);
    assert_eq!(status, 401);
    let claim = http_event(
        "POST",
        "/api/operator/cases/case_01JAAAAAAAAAAAAAAAAAAAAAAA/claim",
        "",
        &auth,
        None,
    );
    let (status, body) = http_response(function.invoke(with_jwt_claims(claim, MINJI)).await);
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
