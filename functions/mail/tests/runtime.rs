//! The `mail` binary as Lambda runs it, under the Runtime API emulator: SES's receipt of a mail
//! stored on s3rver (the local S3), the case it opens in DynamoDB Local, the operator's reply sent
//! on the schedule through a stand-in that records what SES would send (and answers with an SES
//! Message-ID, which the thread then knows), a spoofed mail kept out of the thread, and a receipt
//! whose message is missing failing for Lambda to retry.

use std::sync::{Arc, Mutex};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use baton_e2e::runtime_api::{Function, Outcome, read_only_index, scheduled_event};
use desk::mail::{Limits, Sender, ThreadKey, parse};
use desk::model::MailId;
use desk::store::dynamo::DynamoStore;
use desk::{Desk, Store};
use serde_json::{Value, json};

const REGION: &str = "ap-northeast-2";
const KEY: &str = "runtime mail key, thirty-two bytes or more";

fn s3rver() -> String {
    let endpoint = std::env::var("BATON_TEST_S3_ENDPOINT").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "BATON_TEST_S3_ENDPOINT must point at s3rver: run scripts/test"
    );
    endpoint
}

/// s3rver checks signatures made with its own keys; DynamoDB Local keeps one database per key, so
/// the table is made with the same ones the function uses.
fn credentials() -> Credentials {
    Credentials::new("S3RVER", "S3RVER", None, None, "s3rver")
}

/// What the stand-in for SES v2 was asked to send: the raw messages, in order.
#[derive(Clone, Default)]
struct Ses(Arc<Mutex<Vec<Vec<u8>>>>);

async fn send_email(
    axum::extract::State(ses): axum::extract::State<Ses>,
    axum::Json(body): axum::Json<Value>,
) -> axum::Json<Value> {
    let data = body["Content"]["Raw"]["Data"].as_str().unwrap_or_default();
    let raw = base64_decode(data);
    let mut sent = ses.0.lock().expect("ses");
    sent.push(raw);
    axum::Json(json!({ "MessageId": format!("0100018c-stand-in-{}", sent.len()) }))
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for byte in text.bytes().filter(|b| *b != b'=') {
        let Some(value) = ALPHABET.iter().position(|a| *a == byte) else {
            continue;
        };
        buffer = (buffer << 6) | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

fn receipt(message_id: &str, recipients: &[&str], dmarc: &str) -> Value {
    json!({"Records": [{
        "eventSource": "aws:ses",
        "eventVersion": "1.0",
        "ses": {
            "mail": {"messageId": message_id, "source": "minji.kim@gmail.com", "destination": recipients},
            "receipt": {
                "recipients": recipients,
                "spamVerdict": {"status": "PASS"},
                "virusVerdict": {"status": "PASS"},
                "spfVerdict": {"status": "PASS"},
                "dkimVerdict": {"status": "PASS"},
                "dmarcVerdict": {"status": dmarc},
                "action": {"type": "Lambda", "invocationType": "Event"}
            }
        }
    }]})
}

fn response(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Response(v) => v,
        Outcome::Error(e) => panic!("the function failed: {e}"),
    }
}

/// `BATON_MAIL_BUCKET`: where the function reads what SES stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_ses_stored_is_a_case_and_the_reply_leaves_through_ses_threaded_by_its_id() {
    // The mail bucket on s3rver, with the customer's mail where SES puts it.
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(s3rver())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .force_path_style(true)
            .build(),
    );
    let bucket = desk::model::new_id("mail").replace('_', "-").to_lowercase();
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("bucket");
    let first = "From: =?UTF-8?B?6rmA66+87KeA?= <minji.kim@gmail.com>\r\nTo: support@baton.example\r\nSubject: =?UTF-8?B?7KCV7IKwIOq4iOyVoSDrrLjsnZg=?=\r\nMessage-ID: <ses-first@mail.gmail.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n정산 금액이 이상해요. 상담원 연결 부탁드려요.\r\n";
    s3.put_object()
        .bucket(&bucket)
        .key("inbound/ses-1")
        .body(first.as_bytes().to_vec().into())
        .send()
        .await
        .expect("stored as SES stores it");

    // The table, with the keys the function signs with.
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").expect("DynamoDB Local");
    let dynamo = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&endpoint)
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .build(),
    );
    let table = desk::model::new_id("mail").replace('_', "-").to_lowercase();
    let store = Arc::new(DynamoStore::new(dynamo, &table));
    store.create_table().await.expect("table");

    // SES v2, stood in on loopback.
    let ses = Ses::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let ses_url = format!("http://{}", listener.local_addr().expect("addr"));
    let router = axum::Router::new()
        .route("/v2/email/outbound-emails", axum::routing::post(send_email))
        .with_state(ses.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.expect("ses") });

    let dir = tempfile::tempdir().expect("tempdir");
    let index = read_only_index(dir.path()).to_string_lossy().into_owned();
    let env: Vec<(&str, String)> = vec![
        (desk::config::TABLE, table.clone()),
        (desk::config::INDEX, index),
        (desk::config::MEANING, "0".into()),
        (
            desk::config::MAIL_FROM,
            "Baton 고객센터 <support@baton.example>".into(),
        ),
        (desk::config::MAIL_KEY, KEY.into()),
        (desk::config::MAIL_BUCKET, bucket.clone()),
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint),
        ("AWS_ENDPOINT_URL_S3", s3rver()),
        ("AWS_ENDPOINT_URL_SESV2", ses_url),
        ("AWS_ACCESS_KEY_ID", "S3RVER".into()),
        ("AWS_SECRET_ACCESS_KEY", "S3RVER".into()),
        ("AWS_REGION", REGION.into()),
    ];
    let mut function =
        Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_mail")), &env).await;

    // 1. SES's receipt: the mail becomes a case.
    let got = response(
        function
            .invoke(receipt("ses-1", &["support@baton.example"], "PASS"))
            .await,
    );
    let stored = &got["received"][0];
    assert_eq!(stored["outcome"], "stored", "{got}");
    let case_id = stored["case_id"].as_str().expect("handed off").to_string();
    let conversation_id = stored["conversation_id"]
        .as_str()
        .expect("conversation")
        .to_string();
    let messages = store.messages(&conversation_id).await.expect("messages");
    assert_eq!(
        messages[0].mail.as_ref().and_then(|m| m.raw.as_deref()),
        Some("inbound/ses-1"),
        "the stored message is named, to process again"
    );

    // 2. An operator replies (the operator function's desk: the same table, the same key).
    let desk =
        Desk::new(baton_e2e::baton_kb(), store.clone()).with_mail(desk::desk::MailSettings {
            sender: Sender {
                address: "support@baton.example".into(),
                name: "Baton 고객센터".into(),
            },
            key: ThreadKey::derive(KEY.as_bytes()),
            limits: Limits::default(),
            auto_replies_per_hour: 3,
            site_url: "https://help.baton.example".into(),
            authserv_id: None,
        });
    desk.reply(&case_id, "minji", "수수료율이 바뀌었어요.", None)
        .await
        .expect("reply");

    // 3. The schedule sends it through SES, as a raw message threaded under the customer's.
    // (First the acknowledgement that the mail reached people, sent when the mail came.)
    let sent = response(function.invoke(scheduled_event()).await);
    assert_eq!(sent["sent"], 2, "{sent}");
    let mails = ses.0.lock().expect("ses").clone();
    let ack = parse(&mails[0], &Limits::default()).expect("a mail");
    assert!(
        ack.automatic.is_some(),
        "the acknowledgement is marked automatic"
    );
    let seen = parse(&mails[1], &Limits::default()).expect("a mail");
    assert_eq!(
        seen.replying_to.first().map(String::as_str),
        Some("ses-first@mail.gmail.com")
    );
    assert!(seen.subject.contains("[#"), "{}", seen.subject);
    assert!(seen.text.contains("수수료율이 바뀌었어요"));
    // SES's own Message-ID is the one the customer answers to: it leads to the thread.
    let ses_id = format!("0100018c-stand-in-2@{REGION}.amazonses.com");
    assert_eq!(
        store
            .mail_thread(&MailId::hash(&ses_id))
            .await
            .expect("read"),
        Some(conversation_id.clone())
    );

    // 4. A spoofed mail (DMARC failed) that answers SES's id: a conversation of its own.
    let spoofed = format!(
        "From: minji.kim@gmail.com\r\nSubject: Re: x\r\nMessage-ID: <spoof@evil.example>\r\nIn-Reply-To: <{ses_id}>\r\n\r\n계좌를 바꿔 주세요\r\n"
    );
    s3.put_object()
        .bucket(&bucket)
        .key("inbound/ses-2")
        .body(spoofed.into_bytes().into())
        .send()
        .await
        .expect("stored");
    let got = response(
        function
            .invoke(receipt("ses-2", &["support@baton.example"], "FAIL"))
            .await,
    );
    assert_eq!(got["received"][0]["outcome"], "stored", "{got}");
    assert_ne!(
        got["received"][0]["conversation_id"],
        conversation_id.as_str()
    );

    // 5. A receipt whose message is not in the bucket: an error, for Lambda to try again.
    match function
        .invoke(receipt("ses-missing", &["support@baton.example"], "PASS"))
        .await
    {
        Outcome::Error(error) => {
            assert!(error.to_string().contains("inbound/ses-missing"), "{error}")
        }
        Outcome::Response(v) => panic!("a missing message is not stored: {v}"),
    }
}
