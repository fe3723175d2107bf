//! The `conversations` binary as Lambda runs it, with DynamoDB Local behind it: a customer conversation
//! through API Gateway v2 events.

use baton_e2e::runtime_api::{http_event, http_response, start_conversation, start_with_table};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_through_the_function() {
    let (mut function, _index) = start_with_table(
        std::path::Path::new(env!("CARGO_BIN_EXE_conversations")),
        &[],
    )
    .await;

    let (id, secret) = start_conversation(&mut function, r#"{"locale":"ko"}"#).await;
    let headers = [
        ("content-type", "application/json"),
        ("authorization", secret.as_str()),
    ];
    let path = format!("/api/conversations/{id}/messages");
    let body = r#"{"text":"비밀번호 변경이 안 돼요","idempotency_key":"k1"}"#;
    let (status, sent) = http_response(
        function
            .invoke(http_event("POST", &path, "", &headers, Some(body)))
            .await,
    );
    assert_eq!(status, 201, "{sent}");
    assert_eq!(
        sent["reply"]["links"][0]["guide"], "ko/account/password-reset",
        "{sent}"
    );
    let (status, again) = http_response(
        function
            .invoke(http_event("POST", &path, "", &headers, Some(body)))
            .await,
    );
    assert_eq!((status, again["duplicate"].as_bool()), (200, Some(true)));
    let (status, _) = http_response(
        function
            .invoke(http_event(
                "GET",
                &format!("/api/conversations/{id}"),
                "",
                &[],
                None,
            ))
            .await,
    );
    assert_eq!(status, 401);
}

/// `BATON_ATTACHMENTS_BUCKET`: the widget uploads straight to that bucket, by a URL the function
/// presigns (no image passes through the function's payload).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_go_to_the_configured_bucket() {
    let bucket = "baton-settings-uploads";
    let (mut function, _index) = start_with_table(
        std::path::Path::new(env!("CARGO_BIN_EXE_conversations")),
        &[
            (desk::config::ATTACHMENTS_BUCKET, bucket),
            ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9"),
        ],
    )
    .await;
    let (id, secret) = start_conversation(&mut function, "{}").await;
    let headers = [
        ("content-type", "application/json"),
        ("authorization", secret.as_str()),
    ];
    let (status, upload) = http_response(
        function
            .invoke(http_event(
                "POST",
                &format!("/api/conversations/{id}/uploads"),
                "",
                &headers,
                Some("{}"),
            ))
            .await,
    );
    assert_eq!(status, 201, "{upload}");
    let url = upload["url"].as_str().expect("a presigned URL");
    assert!(
        url.contains(bucket) && url.contains("X-Amz-Signature="),
        "{url}"
    );
}
