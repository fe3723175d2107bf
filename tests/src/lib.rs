//! Shared helpers of Baton's end-to-end tests: where the repository and the shared corpora are,
//! [`spawn_app`], the whole desk on a free port over a fresh store, and [`runtime_api`], a Lambda
//! Runtime API for running the function binaries as Lambda does.

pub mod runtime_api;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use desk::store::sqlite::SqliteStore;
use kb::KnowledgeBase;
use serde_json::{Value, json};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A corpus under `../shared/corpora/` beside the repository. Panics with instructions when it is
/// missing: these tests must fail, never skip, where the corpus should be (CI has it).
pub fn shared_corpus(name: &str) -> PathBuf {
    let path = repo_root().join("../shared/corpora").join(name);
    assert!(
        path.is_dir(),
        "{} is missing: the shared corpora must sit beside the repository (../shared/)",
        path.display()
    );
    path
}

/// Baton's own guides, indexed once per test binary.
pub fn baton_kb() -> Arc<KnowledgeBase> {
    static KB: OnceLock<Arc<KnowledgeBase>> = OnceLock::new();
    KB.get_or_init(|| {
        Arc::new(
            KnowledgeBase::from_guides(&repo_root().join("kb/guides")).expect("index kb/guides"),
        )
    })
    .clone()
}

/// The sentence model `scripts/test` fetched (`E5_MODEL`), loaded once per test binary; `None`
/// when the variable is unset (a bare `cargo test`), and the tests that need it say so and pass.
pub fn encoder() -> Option<Arc<encoder::Encoder>> {
    static ENCODER: OnceLock<Option<Arc<encoder::Encoder>>> = OnceLock::new();
    ENCODER
        .get_or_init(|| {
            let path = std::env::var("E5_MODEL").ok()?;
            Some(Arc::new(
                encoder::Encoder::open(path.as_ref()).expect("E5_MODEL opens"),
            ))
        })
        .clone()
}

/// Baton's own guides indexed with their section vectors, once per test binary: read from the
/// committed cache (`kb/guides/embeddings.cache`), so nothing is written into the checkout and,
/// while the cache is current, nothing is embedded.
pub fn baton_kb_with_meaning() -> Option<(Arc<KnowledgeBase>, Arc<encoder::Encoder>)> {
    static KB: OnceLock<Option<Arc<KnowledgeBase>>> = OnceLock::new();
    let encoder = encoder()?;
    let kb = KB
        .get_or_init(|| {
            let guides = repo_root().join("kb/guides");
            let embedder = kb::dense::Embedder::reading(&encoder, guides.join("embeddings.cache"));
            Some(Arc::new(
                KnowledgeBase::from_guides_with(&guides, Some(&embedder)).expect("index kb/guides"),
            ))
        })
        .clone()?;
    Some((kb, encoder))
}

/// Operator tokens the test app accepts.
pub const MINJI: &str = "token-minji-0123456789";
/// Operator tokens the test app accepts.
pub const JUNHO: &str = "token-junho-0123456789";
/// The identity secret the test app shares with its "host site".
pub const SITE_SECRET: &str = "e2e-site-identity-secret-0123456789abcdef";

/// A token the host site signs for `customer`, valid for ten minutes.
pub fn identity_token(customer: &str) -> String {
    let exp = desk::model::now() / 1000 + 600;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": customer, "aud": "baton", "exp": exp, "name": "김민지"}),
        &jsonwebtoken::EncodingKey::from_secret(SITE_SECRET.as_bytes()).expect("key"),
    )
    .expect("sign")
}

/// An identity token as the site signs one, with `extra` claims (`org`, `org_role` …) over the
/// usual ones.
pub fn identity_token_with(customer: &str, extra: serde_json::Value) -> String {
    let exp = desk::model::now() / 1000 + 600;
    let mut claims = json!({"sub": customer, "aud": "baton", "exp": exp, "name": customer});
    if let (Some(claims), Some(extra)) = (claims.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            claims.insert(k.clone(), v.clone());
        }
    }
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SITE_SECRET.as_bytes()).expect("key"),
    )
    .expect("sign")
}

/// A running desk.
pub struct TestApp {
    /// Base URL, `http://127.0.0.1:port`.
    pub url: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The SQLite file behind it, when SQLite is the store.
    pub db: Option<PathBuf>,
    /// The DynamoDB table behind it, when DynamoDB is the store.
    pub table: Option<String>,
    /// The desk the server runs, for what a scheduler does (reminders, Monday's summary) with a
    /// clock the test controls.
    pub desk: desk::Desk,
    /// What its settings mean (the scheduler's webhook and schedule, hours …).
    pub settings: desk::app::Settings,
    /// Its web root (`BATON_SITE`), rendered.
    pub site: PathBuf,
    /// Where its SMTP listener takes mail, when the settings set up mail (`BATON_MAIL_FROM`).
    pub smtp: Option<SocketAddr>,
    _dir: tempfile::TempDir,
}

/// Which store the app runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh table on the DynamoDB Local that `scripts/test` started.
    Dynamo,
    /// DynamoDB at an address where nothing listens: the store is down.
    DynamoDown,
}

/// Starts the desk (all routers) on a free loopback port over a fresh store, rate limits off.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// [`spawn_app`] with settings of `desk::config` over the test defaults (two operator tokens, the
/// site's identity secret, rate limits off, no Monday summary from the scheduler's own clock),
/// built and served by the same startup as `baton serve` (`desk::app`): the help center rendered,
/// the background tasks running.
pub async fn spawn_app_with(backend: Backend, settings: &[(&str, &str)]) -> TestApp {
    use desk::config as c;
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens = format!("minji:{MINJI},junho:{JUNHO}");
    let attachments = dir.path().join("attachments").display().to_string();
    let site = dir.path().join("site").display().to_string();
    let guides = repo_root().join("kb/guides").display().to_string();
    let mut pairs: Vec<(&str, &str)> = vec![
        (c::OPERATOR_TOKENS, tokens.as_str()),
        (c::ATTACHMENTS, attachments.as_str()),
        (c::SITE, site.as_str()),
        (c::GUIDES, guides.as_str()),
        (c::WEEKLY_REPORT_HOUR, "off"),
        (c::IDENTITY_SECRETS, SITE_SECRET),
        (c::RATE_CONVERSATIONS, "0"),
        (c::RATE_MESSAGES, "0"),
        (c::RATE_SEARCHES, "0"),
    ];
    pairs.extend_from_slice(settings);
    let config = c::Config::from_pairs(c::Deployment::Local, pairs).expect("test configuration");
    let (store, db, table): (Arc<dyn desk::Store>, Option<PathBuf>, Option<String>) = match backend
    {
        Backend::Sqlite => {
            let db = dir.path().join("desk.db");
            // A short busy timeout makes "the store is locked" show as unavailable within a test.
            let store = SqliteStore::open_with(
                &db,
                desk::store::sqlite::Options {
                    busy_timeout: std::time::Duration::from_millis(200),
                    max_mb: config.db_max_mb,
                },
            )
            .expect("open store");
            (Arc::new(store), Some(db), None)
        }
        Backend::Dynamo => {
            let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_default();
            assert!(
                endpoint.starts_with("http://127.0.0.1:"),
                "AWS_ENDPOINT_URL_DYNAMODB must point at DynamoDB Local (got {endpoint:?}): run scripts/test, or eval \"$(scripts/dynamodb-local start)\""
            );
            let table = desk::model::new_id("e2e").replace('_', "-").to_lowercase();
            let store = desk::store::dynamo::DynamoStore::from_env(&table).await;
            store
                .create_table()
                .await
                .expect("create table on DynamoDB Local");
            (Arc::new(store), None, Some(table))
        }
        Backend::DynamoDown => {
            let closed = std::net::TcpListener::bind("127.0.0.1:0")
                .expect("bind")
                .local_addr()
                .expect("addr");
            let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .endpoint_url(format!("http://{closed}"))
                .region(aws_config::Region::new("ap-northeast-2"))
                .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                    "batonlocal",
                    "batonlocal",
                    None,
                    None,
                    "test",
                ))
                .load()
                .await;
            (
                Arc::new(desk::store::dynamo::DynamoStore::new(
                    aws_sdk_dynamodb::Client::new(&config),
                    "down",
                )),
                None,
                None,
            )
        }
    };
    let app = desk::app::App::build_with(
        config,
        desk::app::Parts {
            kb: Some(baton_kb()),
            store: Some(store),
            blobs: None,
            encoder: None,
        },
    )
    .await
    .expect("the desk builds");
    let mut app = app;
    let settings = app.settings.clone();
    let site = app.config.site.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    // As `baton serve` does, in its order: the pages first, then the tasks, then requests.
    app.render_site(addr).expect("the help center renders");
    let desk = app.desk.clone();
    app.start_background();
    // With mail set up, its SMTP listener too, on a free port of its own.
    let smtp = match app.desk.mail_settings() {
        Some(_) => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind smtp");
            let smtp = listener.local_addr().expect("smtp addr");
            tokio::spawn(
                app.mail_listener(listener, std::future::pending())
                    .expect("mail is set up"),
            );
            Some(smtp)
        }
        None => None,
    };
    tokio::spawn(async move {
        app.serve_http(listener, std::future::pending())
            .await
            .expect("serve");
    });
    TestApp {
        url: format!("http://{addr}"),
        client: reqwest::Client::new(),
        db,
        table,
        desk,
        settings,
        site,
        smtp,
        _dir: dir,
    }
}

/// A customer's conversation in a test.
pub struct Chat {
    /// Conversation id.
    pub id: String,
    /// Its secret.
    pub secret: String,
}

impl TestApp {
    /// Everything the store holds, as bytes: the SQLite file and its WAL, or every DynamoDB Local
    /// item of the table (all attributes). What a leak scan reads.
    pub async fn raw_store(&self) -> Vec<u8> {
        if let Some(db) = &self.db {
            let mut bytes = std::fs::read(db).expect("db");
            bytes.extend(std::fs::read(db.with_extension("db-wal")).unwrap_or_default());
            return bytes;
        }
        let table = self.table.as_ref().expect("a store to read");
        let client = aws_sdk_dynamodb::Client::new(&aws_config::load_from_env().await);
        let mut items = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let mut out = Vec::new();
        while let Some(item) = items.next().await {
            out.extend(format!("{:?}\n", item.expect("scan")).into_bytes());
        }
        out
    }

    /// Starts a conversation with a raw JSON body; returns status and body.
    pub async fn start_with(&self, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/api/conversations", self.url))
            .json(&body)
            .send()
            .await
            .expect("start");
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    /// Starts a conversation for `customer` in `locale`.
    pub async fn start(&self, customer: &str, locale: &str) -> Chat {
        let body = json!({"customer": {"id": customer, "contact": "010-1234-5678"}, "channel": "web", "locale": locale, "metadata": {"page": "/dashboard"}});
        let response = self
            .client
            .post(format!("{}/api/conversations", self.url))
            .json(&body)
            .send()
            .await
            .expect("start");
        assert_eq!(response.status(), 201);
        let v: Value = response.json().await.expect("json");
        Chat {
            id: v["conversation"]["id"].as_str().expect("id").into(),
            secret: v["secret"].as_str().expect("secret").into(),
        }
    }

    /// Sends a customer message; returns status and body.
    pub async fn send(&self, chat: &Chat, text: &str, key: Option<&str>) -> (u16, Value) {
        let mut body = json!({"text": text});
        if let Some(key) = key {
            body["idempotency_key"] = json!(key);
        }
        let response = self
            .client
            .post(format!(
                "{}/api/conversations/{}/messages",
                self.url, chat.id
            ))
            .bearer_auth(&chat.secret)
            .json(&body)
            .send()
            .await
            .expect("send");
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    /// Reads a conversation as its customer.
    pub async fn read(&self, chat: &Chat) -> Value {
        let response = self
            .client
            .get(format!("{}/api/conversations/{}", self.url, chat.id))
            .bearer_auth(&chat.secret)
            .send()
            .await
            .expect("read");
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    /// An operator GET; returns status and body.
    pub async fn operator_get(&self, token: &str, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}/api/operator{path}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .expect("get");
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    /// An operator POST; returns status and body.
    pub async fn operator_post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/api/operator{path}", self.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("post");
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    /// The customer asks for a person; the id of their conversation's case in the queue.
    pub async fn ask_for_a_person(&self, chat: &Chat) -> String {
        self.send(chat, "상담원 연결", None).await;
        self.queue()
            .await
            .iter()
            .find(|c| c["conversation_id"] == chat.id.as_str())
            .and_then(|c| c["id"].as_str())
            .expect("the conversation's case is in the queue")
            .to_string()
    }

    /// The queue's case ids, in order.
    pub async fn queue(&self) -> Vec<Value> {
        let (status, body) = self.operator_get(MINJI, "/queue").await;
        assert_eq!(status, 200, "{body}");
        body["cases"].as_array().cloned().unwrap_or_default()
    }
}
