//! Attachments in S3 as the Lambda deployment keeps them, on s3rver (an S3-compatible server that
//! checks request signatures and serves presigned URLs, though it does not check a presigned
//! URL's signature against its key as S3 does; `scripts/s3-local`): the widget's upload goes to a
//! presigned URL, the desk checks and cleans it, and readers are sent to another presigned URL.

use std::sync::Arc;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use desk::attachments::Blobs;
use desk::attachments::s3::S3Blobs;
use desk::desk::Stored;
use tower::ServiceExt;

fn endpoint() -> String {
    let endpoint = std::env::var("BATON_TEST_S3_ENDPOINT").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "BATON_TEST_S3_ENDPOINT must point at s3rver (got {endpoint:?}): run scripts/test, or eval \"$(scripts/s3-local start)\""
    );
    endpoint
}

async fn bucket() -> S3Blobs {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("S3RVER", "S3RVER", None, None, "s3rver"))
        .force_path_style(true)
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let name = desk::model::new_id("att").replace('_', "-").to_lowercase();
    client
        .create_bucket()
        .bucket(&name)
        .send()
        .await
        .expect("create the bucket on s3rver");
    S3Blobs::new(client, &name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screenshot_goes_to_s3_by_a_presigned_url_and_is_read_back_by_another() {
    let blobs = Arc::new(bucket().await);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = desk::store::sqlite::SqliteStore::open(&dir.path().join("desk.db")).expect("db");
    let config = desk::config::Config::from_pairs(
        desk::config::Deployment::Local,
        [
            (
                desk::config::OPERATOR_TOKENS,
                "minji:token-minji-0123456789",
            ),
            (desk::config::RATE_MESSAGES, "0"),
        ],
    )
    .expect("config");
    let app = desk::app::App::build_with(
        config,
        desk::app::Parts {
            kb: Some(baton_e2e::baton_kb()),
            store: Some(Arc::new(store)),
            blobs: Some(blobs.clone()),
            encoder: None,
        },
    )
    .await
    .expect("the desk builds");
    let desk = app.desk.clone();
    let app = desk::http::app(app.state);

    let started = desk.start(Default::default()).await.expect("start");
    let (id, secret) = (started.conversation.id, started.secret);
    let upload = desk.begin_upload(&id, &secret).await.expect("begin");
    let url = upload.url.clone().expect("a presigned URL");
    assert!(url.contains("X-Amz-Signature="), "{url}");

    let png =
        std::fs::read(baton_e2e::repo_root().join("tests/fixtures/screenshot-with-metadata.png"))
            .expect("fixture");
    let client = reqwest::Client::new();
    // What the widget does: PUT the file to the URL, no Authorization header.
    let put = client
        .put(&url)
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .expect("put");
    assert!(put.status().is_success(), "{}", put.status());
    let posted = desk
        .complete_upload(&id, &secret, &upload.id)
        .await
        .expect("complete");
    assert_eq!(posted.message.attachments[0].id, upload.id);
    let again = desk
        .complete_upload(&id, &secret, &upload.id)
        .await
        .expect("complete again");
    assert!(again.duplicate);
    assert_eq!(again.message.id, posted.message.id);
    let incoming = desk::attachments::Attachment::incoming_key(&id, &upload.id).expect("key");
    assert_eq!(
        blobs.get(&incoming).await.expect("get"),
        None,
        "the raw upload is gone"
    );

    let Stored::At(attachment, link) = desk
        .attachment(&id, &secret, &upload.id)
        .await
        .expect("read")
    else {
        panic!("S3 attachments are read through a link");
    };
    let image = client.get(&link).send().await.expect("get");
    assert_eq!(image.headers()["content-type"], "image/png");
    let bytes = image.bytes().await.expect("bytes");
    assert_eq!(bytes.len() as u64, attachment.size);
    assert!(!bytes.windows(3).any(|w| w == b"GPS"), "metadata stripped");

    // Over HTTP the API answers with a redirect to that kind of link.
    let request =
        axum::http::Request::get(format!("/api/conversations/{id}/attachments/{}", upload.id))
            .header("authorization", format!("Bearer {secret}"))
            .body(axum::body::Body::empty())
            .expect("request");
    let response = app.oneshot(request).await.expect("response");
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .expect("location")
            .contains("X-Amz-Signature=")
    );
}
