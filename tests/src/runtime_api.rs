//! A Lambda Runtime API on loopback, so tests run a function binary exactly as Lambda does:
//! the binary long-polls `GET /2018-06-01/runtime/invocation/next`, handles the event, and posts
//! `…/invocation/{id}/response` or `…/invocation/{id}/error` (or `…/init/error` if it cannot start).

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::{Mutex, mpsc, oneshot};

/// What the function answered for one invocation.
#[derive(Debug)]
pub enum Outcome {
    /// `POST …/response` body.
    Response(Value),
    /// `POST …/error` body.
    Error(Value),
}

#[derive(Default)]
struct Shared {
    waiting: HashMap<String, oneshot::Sender<Outcome>>,
    init_error: Option<Value>,
}

#[derive(Clone)]
struct Emulator {
    events: Arc<Mutex<mpsc::Receiver<(String, Value)>>>,
    shared: Arc<Mutex<Shared>>,
}

/// A function process attached to its own Runtime API.
pub struct Function {
    child: Child,
    events: mpsc::Sender<(String, Value)>,
    shared: Arc<Mutex<Shared>>,
    next_id: u64,
}

impl Function {
    /// Starts the Runtime API on a free port and the binary against it, with `env`.
    pub async fn start<K: AsRef<OsStr>, V: AsRef<OsStr>>(
        binary: &Path,
        env: &[(K, V)],
    ) -> Function {
        let (events, receiver) = mpsc::channel(16);
        let shared = Arc::new(Mutex::new(Shared::default()));
        let emulator = Emulator {
            events: Arc::new(Mutex::new(receiver)),
            shared: shared.clone(),
        };
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(emulator);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("runtime api") });
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env(
                "AWS_LAMBDA_FUNCTION_NAME",
                binary
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("function"),
            )
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_REGION", "ap-northeast-2")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start function binary");
        Function {
            child,
            events,
            shared,
            next_id: 0,
        }
    }

    /// Invokes the function with `event` and waits (up to 20 s) for its answer.
    pub async fn invoke(&mut self, event: Value) -> Outcome {
        self.next_id += 1;
        let id = format!("req-{}", self.next_id);
        let (tx, rx) = oneshot::channel();
        self.shared.lock().await.waiting.insert(id.clone(), tx);
        self.events.send((id, event)).await.expect("queue event");
        match tokio::time::timeout(Duration::from_secs(20), rx).await {
            Ok(Ok(outcome)) => outcome,
            _ => {
                let init = self.shared.lock().await.init_error.clone();
                panic!(
                    "the function did not answer within 20 s (init error: {init:?}); stderr: {}",
                    self.stderr()
                )
            }
        }
    }

    /// Peak resident memory of the function process so far, in KiB (Linux `VmHWM`).
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// Waits (up to 20 s) for the process to exit, as a function whose cold start fails does;
    /// what it wrote to stderr, or `None` if it is still running.
    pub async fn exit_output(&mut self) -> Option<String> {
        for _ in 0..200 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Some(self.stderr());
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        None
    }

    /// What the function reported if it failed to start.
    pub async fn init_error(&self) -> Option<Value> {
        self.shared.lock().await.init_error.clone()
    }

    fn stderr(&mut self) -> String {
        let _ = self.child.kill();
        let mut out = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            use std::io::Read;
            let _ = stderr.read_to_string(&mut out);
        }
        out
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn next(State(emulator): State<Emulator>) -> Response {
    let Some((id, event)) = emulator.events.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let mut headers = HeaderMap::new();
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
        + 30_000;
    let set = |headers: &mut HeaderMap, name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).expect("header value"));
    };
    set(&mut headers, "lambda-runtime-aws-request-id", id);
    set(
        &mut headers,
        "lambda-runtime-deadline-ms",
        deadline.to_string(),
    );
    set(
        &mut headers,
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:ap-northeast-2:000000000000:function:test".into(),
    );
    set(
        &mut headers,
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0".into(),
    );
    (headers, axum::Json(event)).into_response()
}

async fn finish(emulator: &Emulator, id: &str, outcome: Outcome) -> StatusCode {
    match emulator.shared.lock().await.waiting.remove(id) {
        Some(tx) => {
            let _ = tx.send(outcome);
            StatusCode::ACCEPTED
        }
        None => StatusCode::NOT_FOUND,
    }
}

async fn response(
    State(emulator): State<Emulator>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> StatusCode {
    finish(
        &emulator,
        &id,
        Outcome::Response(serde_json::from_slice(&body).unwrap_or(Value::Null)),
    )
    .await
}

async fn error(
    State(emulator): State<Emulator>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> StatusCode {
    finish(
        &emulator,
        &id,
        Outcome::Error(serde_json::from_slice(&body).unwrap_or(Value::Null)),
    )
    .await
}

async fn init_error(State(emulator): State<Emulator>, body: Bytes) -> StatusCode {
    emulator.shared.lock().await.init_error =
        Some(serde_json::from_slice(&body).unwrap_or(Value::Null));
    StatusCode::ACCEPTED
}

/// An API Gateway HTTP API (payload 2.0) event.
pub fn http_event(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Value {
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    serde_json::json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "baton",
            "domainName": "baton.execute-api.ap-northeast-2.amazonaws.com",
            "domainPrefix": "baton",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
            "requestId": "test",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:09:00:00 +0000",
            "timeEpoch": 1795338000000i64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

/// `event` as API Gateway passes it on after its JWT authorizer verified a token with `claims`
/// (HTTP API payload 2.0: every claim a string).
pub fn with_jwt_claims(mut event: Value, claims: &[(&str, &str)]) -> Value {
    let claims: serde_json::Map<String, Value> = claims
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    event["requestContext"]["authorizer"] =
        serde_json::json!({"jwt": {"claims": claims, "scopes": null}});
    event
}

/// Builds Baton's guides into `dir/index` and makes the directory read-only, as a Lambda layer is.
pub fn read_only_index(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let index = dir.join("index");
    let corpus = kb::Corpus::load(&crate::repo_root().join("kb/guides")).expect("load guides");
    kb::build(&corpus, &index, &|_| {}).expect("build index");
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    index
}

/// A new DynamoDB Local table for a function test (DynamoDB Local must be running, as under
/// `scripts/test`), and the environment that points a function at it.
pub async fn dynamodb_table() -> (String, Vec<(String, String)>) {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "AWS_ENDPOINT_URL_DYNAMODB must point at DynamoDB Local: run scripts/test"
    );
    let table = desk::model::new_id("fn").replace('_', "-").to_lowercase();
    desk::store::dynamo::DynamoStore::from_env(&table)
        .await
        .create_table()
        .await
        .expect("create table");
    let env = vec![
        (desk::config::TABLE.to_string(), table.clone()),
        ("AWS_ENDPOINT_URL_DYNAMODB".to_string(), endpoint),
        ("AWS_ACCESS_KEY_ID".to_string(), "batonlocal".to_string()),
        (
            "AWS_SECRET_ACCESS_KEY".to_string(),
            "batonlocal".to_string(),
        ),
    ];
    (table, env)
}

/// The status and JSON body of an API Gateway v2 response.
pub fn http_response(outcome: Outcome) -> (u64, Value) {
    match outcome {
        Outcome::Response(v) => {
            let status = v["statusCode"].as_u64().unwrap_or(0);
            let body = v["body"].as_str().map_or(Value::Null, |b| {
                serde_json::from_str(b).unwrap_or(Value::String(b.to_string()))
            });
            (status, body)
        }
        Outcome::Error(e) => panic!("the function reported an error: {e}"),
    }
}

/// Starts a conversation through the conversations function with `body`: its id and the
/// `Authorization` header value for its messages.
pub async fn start_conversation(function: &mut Function, body: &str) -> (String, String) {
    let json = [("content-type", "application/json")];
    let (status, started) = http_response(
        function
            .invoke(http_event(
                "POST",
                "/api/conversations",
                "",
                &json,
                Some(body),
            ))
            .await,
    );
    assert_eq!(status, 201, "{started}");
    (
        started["conversation"]["id"]
            .as_str()
            .expect("id")
            .to_string(),
        format!("Bearer {}", started["secret"].as_str().expect("secret")),
    )
}

/// The environment of a function as deployed: a read-only index (in `dir`) and a new DynamoDB
/// Local table, plus `extra`.
pub async fn deployed_env(dir: &Path, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let index = read_only_index(dir);
    let (_, mut env) = dynamodb_table().await;
    env.push((
        desk::config::INDEX.into(),
        index.to_string_lossy().into_owned(),
    ));
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// [`deployed_env`] as the conversations function runs with the sentence model: the index built
/// with section vectors (from the committed cache) and `BATON_MODEL` naming the model, as the
/// model layer does at `/opt/model`. `None` without `E5_MODEL`.
pub async fn deployed_env_with_meaning(
    dir: &Path,
    extra: &[(&str, &str)],
) -> Option<Vec<(String, String)>> {
    use std::os::unix::fs::PermissionsExt;
    let model = std::env::var("E5_MODEL").ok()?;
    let encoder = encoder::Encoder::open(model.as_ref()).expect("E5_MODEL opens");
    let guides = crate::repo_root().join("kb/guides");
    let index = dir.join("index");
    let corpus = kb::Corpus::load(&guides).expect("load guides");
    let embedder = kb::dense::Embedder::reading(&encoder, guides.join("embeddings.cache"));
    kb::build_with(&corpus, &index, &|_| {}, Some(&embedder)).expect("build index");
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let (_, mut env) = dynamodb_table().await;
    env.push((
        desk::config::INDEX.into(),
        index.to_string_lossy().into_owned(),
    ));
    env.push((desk::config::MODEL.into(), model));
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Some(env)
}

/// Starts a function binary with [`deployed_env`]. The directory holding the index lives as long
/// as the returned guard.
pub async fn start_with_table(
    binary: &Path,
    extra: &[(&str, &str)],
) -> (Function, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = deployed_env(dir.path(), extra).await;
    (Function::start(binary, &env).await, dir)
}

/// A DynamoDB stream event (as Lambda's event source mapping delivers it) of `records`.
pub fn stream_event(records: Vec<Value>) -> Value {
    serde_json::json!({ "Records": records })
}

/// One stream record: `event_name` (`INSERT`, `MODIFY`) of a table item read back from DynamoDB
/// Local, so the record carries exactly what the store writes.
pub fn stream_record(
    event_name: &str,
    sequence_number: &str,
    item: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
) -> Value {
    stream_change(event_name, sequence_number, None, item)
}

/// One stream record with the item's image before the write (`MODIFY`) and after, as a stream of
/// view type `NEW_AND_OLD_IMAGES` delivers it.
pub fn stream_change(
    event_name: &str,
    sequence_number: &str,
    old: Option<&HashMap<String, aws_sdk_dynamodb::types::AttributeValue>>,
    new: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
) -> Value {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    let image = |item: &HashMap<String, A>| -> serde_json::Map<String, Value> {
        item.iter()
            .map(|(name, value)| {
                let value = match value {
                    A::S(s) => serde_json::json!({ "S": s }),
                    A::N(n) => serde_json::json!({ "N": n }),
                    other => panic!("attribute {name} of an unexpected type: {other:?}"),
                };
                (name.clone(), value)
            })
            .collect()
    };
    let new_image = image(new);
    let keys: serde_json::Map<String, Value> = new_image
        .iter()
        .filter(|(name, _)| *name == "pk" || *name == "sk")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut change = serde_json::json!({
        "ApproximateCreationDateTime": 1795338000,
        "Keys": keys,
        "NewImage": new_image,
        "SequenceNumber": sequence_number,
        "SizeBytes": 512,
        "StreamViewType": "NEW_AND_OLD_IMAGES"
    });
    if let Some(old) = old {
        change["OldImage"] = Value::Object(image(old));
    }
    serde_json::json!({
        "eventID": format!("ev-{sequence_number}"),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "ap-northeast-2",
        "dynamodb": change,
        "eventSourceARN": "arn:aws:dynamodb:ap-northeast-2:000000000000:table/baton/stream/2026-11-22T00:00:00.000"
    })
}

/// The event an EventBridge schedule sends.
pub fn scheduled_event() -> Value {
    serde_json::json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": "2026-11-23T00:00:00Z",
        "region": "ap-northeast-2",
        "resources": ["arn:aws:events:ap-northeast-2:000000000000:rule/baton-weekly"],
        "detail": {}
    })
}

/// A chat webhook on loopback that records what it is sent. It answers 500 to a body that
/// contains any of the strings it was told to [`fail_on`](WebhookReceiver::fail_on).
pub struct WebhookReceiver {
    /// `http://127.0.0.1:port/hook`.
    pub url: String,
    hook: Hook,
}

#[derive(Clone, Default)]
struct Hook {
    received: Arc<Mutex<Vec<Value>>>,
    fail_on: Arc<Mutex<Vec<String>>>,
}

async fn hook(State(hook): State<Hook>, body: String) -> StatusCode {
    if hook
        .fail_on
        .lock()
        .await
        .iter()
        .any(|f| body.contains(f.as_str()))
    {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    hook.received.lock().await.push(value);
    StatusCode::OK
}

impl WebhookReceiver {
    /// Starts one on a free port.
    pub async fn start() -> WebhookReceiver {
        let state = Hook::default();
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("webhook") });
        WebhookReceiver { url, hook: state }
    }

    /// Makes bodies containing `marker` fail from now on.
    pub async fn fail_on(&self, marker: &str) {
        self.hook.fail_on.lock().await.push(marker.to_string());
    }

    /// Accepts everything again.
    pub async fn recover(&self) {
        self.hook.fail_on.lock().await.clear();
    }

    /// What it has accepted so far, in order.
    pub async fn received(&self) -> Vec<Value> {
        self.hook.received.lock().await.clone()
    }
}

/// A table item exactly as the store wrote it (DynamoDB Local), by its key
/// (`desk::store::dynamo::case_key`, `event_key`).
pub async fn raw_item(
    table: &str,
    (pk, sk): (impl Into<String>, impl Into<String>),
) -> HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    let client = aws_sdk_dynamodb::Client::new(&aws_config::load_from_env().await);
    client
        .get_item()
        .table_name(table)
        .key("pk", A::S(pk.into()))
        .key("sk", A::S(sk.into()))
        .send()
        .await
        .expect("get item")
        .item
        .expect("item exists")
}
