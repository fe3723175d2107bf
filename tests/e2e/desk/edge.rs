//! What a hostile tester found at the edges of `baton serve` (issue 21) that no store is part of:
//! redirects, guessing operator tokens, connections from one address, as-you-type floods. Each
//! test fails on the desk as it was.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use baton_e2e::{Backend, MINJI};
use desk::config as c;

/// `GET //ko` answered `307 location: //ko/`, which a browser reads as the host `ko`.
#[tokio::test]
async fn doubled_slashes_never_redirect_to_another_host() {
    let app = baton_e2e::spawn_app(Backend::Sqlite).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for path in [
        "//ko",
        "//console",
        "//en",
        "//widget",
        "//i18n",
        "///ko",
        "//ko/",
    ] {
        let response = client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .expect("get");
        if let Some(location) = response.headers().get("location") {
            let location = location.to_str().expect("ascii");
            assert!(
                location.starts_with('/')
                    && !location.starts_with("//")
                    && !location.starts_with("/\\"),
                "{path} → {location}"
            );
        }
    }
    let response = client
        .get(format!("{}//ko", app.url))
        .send()
        .await
        .expect("get");
    assert_eq!(response.headers()["location"], "/ko/");
}

/// A 100,000-character query is past what the `http` crate parses at all, and hyper answered a
/// bare 414 with an empty body. Now it gets the API's JSON, as a 9,000-character one does.
#[tokio::test]
async fn a_request_line_too_long_to_parse_still_gets_json() {
    let app = baton_e2e::spawn_app(Backend::Sqlite).await;
    let addr: SocketAddr = app.url.trim_start_matches("http://").parse().expect("addr");
    let response = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let request = format!(
            "GET /api/search?q={} HTTP/1.1\r\nhost: localhost\r\n\r\n",
            "a".repeat(100_000)
        );
        s.write_all(request.as_bytes()).expect("write");
        let mut response = String::new();
        let _ = s.read_to_string(&mut response);
        response
    })
    .await
    .expect("request");
    let (head, body) = response.split_once("\r\n\r\n").expect("a response");
    assert!(head.starts_with("HTTP/1.1 414"), "{head}");
    assert!(
        head.contains("application/json") && head.contains("nosniff"),
        "{head}"
    );
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(body["error"]["code"], "uri_too_long");
}

/// 500 wrong operator tokens in a row met no slow-down. Now the eleventh in a minute closes the
/// operator routes to that address for a minute, right token or not.
#[tokio::test]
async fn guessing_operator_tokens_is_slowed_down() {
    let app = baton_e2e::spawn_app(Backend::Sqlite).await;
    let (status, _) = app.operator_get(MINJI, "/queue").await;
    assert_eq!(status, 200);
    for n in 0..desk::http::guard::AUTH_FAILURES_PER_MINUTE {
        let (status, _) = app.operator_get(&format!("guess-{n:016}"), "/queue").await;
        assert_eq!(status, 401, "guess {n}");
    }
    let response = app
        .client
        .get(format!("{}/api/operator/queue", app.url))
        .bearer_auth("one-guess-too-many-0000")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let (status, body) = app.operator_get(MINJI, "/queue").await;
    assert_eq!(status, 429, "the right token waits too: {body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    // Customers are not slowed by it.
    let chat = app.start("c1", "ko").await;
    let (status, _) = app.send(&chat, "환불은 어떻게 하나요?", None).await;
    assert_eq!(status, 201);
}

fn connect_from(local: &str, to: SocketAddr) -> TcpStream {
    let socket = std::net::TcpStream::connect_timeout(&to, Duration::from_secs(2));
    match local {
        "127.0.0.1" => socket.expect("connect"),
        _ => {
            // Another loopback address: a different client, as far as the server can tell.
            let s = socket2_like_connect(local, to);
            s.expect("connect from another loopback address")
        }
    }
}

/// A TCP connection from `local` (an address of 127.0.0.0/8) to `to`, through the standard
/// library: bind a listener-less socket by connecting from a bound std socket is not available,
/// so this uses tokio's `TcpSocket`, which can bind before connecting.
fn socket2_like_connect(local: &str, to: SocketAddr) -> std::io::Result<TcpStream> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(local.parse().expect("ip"), 0))?;
        let stream = socket.connect(to).await?.into_std()?;
        // tokio leaves it non-blocking; the test reads it as a plain blocking socket.
        stream.set_nonblocking(false)?;
        Ok(stream)
    })
}

/// 1,100 sockets trickling headers made a real request wait 8.9 s. Now one client address holds
/// at most `BATON_MAX_CONNECTIONS_PER_CLIENT` connections; the rest are closed at once, and other
/// clients still get in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_hold_every_connection() {
    let app = baton_e2e::spawn_app_with(
        Backend::Sqlite,
        &[
            (c::MAX_CONNECTIONS, "24"),
            (c::MAX_CONNECTIONS_PER_CLIENT, "8"),
        ],
    )
    .await;
    let addr: SocketAddr = app.url.trim_start_matches("http://").parse().expect("addr");
    let held = tokio::task::spawn_blocking(move || {
        let mut open = Vec::new();
        let mut closed = 0;
        for _ in 0..40 {
            let mut s = connect_from("127.0.0.2", addr);
            // A trickle: a request line that never ends.
            let _ = s.write_all(b"GET /api/search?q=");
            s.set_read_timeout(Some(Duration::from_millis(300)))
                .expect("timeout");
            let mut byte = [0u8; 1];
            match s.read(&mut byte) {
                Ok(0) => closed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => closed += 1,
                _ => open.push(s),
            }
        }
        (open, closed)
    })
    .await
    .expect("sockets");
    let (open, closed) = held;
    assert_eq!(open.len(), 8, "one address holds its share");
    assert_eq!(closed, 32, "the rest are closed at once");
    // Someone else is served while those eight are held.
    let response = app
        .client
        .get(format!(
            "{}/api/search?q=%ED%99%98%EB%B6%88&typing=true",
            app.url
        ))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("another client is served");
    assert_eq!(response.status(), 200);
    drop(open);
}

/// As-you-type searches were unlimited: 16 clients flooding them slowed everyone's chat. Now they
/// have their own per-address limit (`BATON_RATE_SEARCHES`), and recorded searches count with the
/// messages as before.
#[tokio::test]
async fn as_you_type_searches_have_their_own_limit() {
    let app = baton_e2e::spawn_app_with(
        Backend::Sqlite,
        &[(c::RATE_SEARCHES, "5"), (c::RATE_MESSAGES, "100")],
    )
    .await;
    let search = |typing: bool| {
        app.client
            .get(format!("{}/api/search", app.url))
            .query(&[
                ("q", "환불"),
                ("typing", if typing { "true" } else { "false" }),
            ])
            .send()
    };
    for _ in 0..5 {
        assert_eq!(search(true).await.expect("search").status(), 200);
    }
    let refused = search(true).await.expect("search");
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        search(false).await.expect("search").status(),
        200,
        "a recorded search counts with the messages, not the typing limit"
    );
}

/// What operators type into the console's guide search is not a customer's question: the console
/// searches as-you-type (not recorded), and the report counts customers' searches only.
#[tokio::test]
async fn an_operators_guide_search_never_reaches_guides_to_write() {
    let app = baton_e2e::spawn_app(Backend::Sqlite).await;
    // The console's search, as `web/console/console.js` sends it.
    let console = app
        .client
        .get(format!("{}/api/search", app.url))
        .query(&[
            ("q", "zzqoperatorword"),
            ("lang", "ko"),
            ("limit", "5"),
            ("typing", "true"),
        ])
        .send()
        .await
        .expect("search");
    assert_eq!(console.status(), 200);
    // A customer's settled search that found nothing, reported by the help center.
    let help = app
        .client
        .get(format!("{}/api/search", app.url))
        .query(&[("q", "zzqcustomerword"), ("lang", "ko"), ("typing", "true")])
        .send()
        .await
        .expect("search");
    assert_eq!(help.status(), 200);
    let settled = app
        .client
        .post(format!("{}/api/feedback/search", app.url))
        .json(&serde_json::json!({"q": "zzqcustomerword", "lang": "ko"}))
        .send()
        .await
        .expect("settled");
    assert_eq!(settled.status(), 204);
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(9, 0, 0).expect("offset"))
        .date();
    let (status, report) = app
        .operator_get(MINJI, &format!("/insights?from={today}&to={today}"))
        .await;
    assert_eq!(status, 200, "{report}");
    let guides = report["guides_to_write"].to_string();
    assert!(guides.contains("zzqcustomerword"), "{guides}");
    assert!(!guides.contains("zzqoperatorword"), "{guides}");
}

/// A client that connects and sends nothing is closed after the header timeout, as one that
/// stops halfway through its headers is: the look at the first request line must not wait longer.
#[tokio::test]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    use tokio::io::AsyncReadExt;
    let app = baton_e2e::spawn_app_with(Backend::Sqlite, &[(c::HEADER_TIMEOUT_SECONDS, "1")]).await;
    let addr = app.url.trim_start_matches("http://").to_string();
    let mut silent = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let mut buffer = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buffer))
        .await
        .expect("closed within the header timeout");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}
