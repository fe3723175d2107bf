//! Cold start of each Lambda function binary, as Lambda runs it: 20 fresh processes per function
//! against a Runtime API on loopback; reports exec → first response (p50, p95) and peak RSS.
//! With `E5_MODEL`, also the conversations function with the sentence model: exec → a
//! conversation started → the bot's first answer.
//!
//! `scripts/cold-start` builds the release binaries, starts DynamoDB Local and runs this.

use std::path::PathBuf;
use std::time::Instant;

use baton_e2e::runtime_api::{
    Function, deployed_env, deployed_env_with_meaning, http_event, http_response, scheduled_event,
    start_conversation, stream_event, with_jwt_claims,
};

const RUNS: usize = 20;
const JWT: &str = "Bearer e30.eyJzdWIiOiJhYmMiLCJlbWFpbCI6Im1pbmppQGV4YW1wbGUuY29tIn0.sig";

#[tokio::main]
async fn main() {
    let bin_dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/release".into()),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let env = deployed_env(
        dir.path(),
        &[
            (desk::config::OPERATOR_AUTH, "gateway-jwt"),
            (desk::config::OPERATORS, "minji=abc"),
            ("RUST_LOG", "warn"),
        ],
    )
    .await;
    let json = [("content-type", "application/json")];
    let cases = [
        (
            "search",
            http_event("GET", "/api/search", "q=%ED%99%98%EB%B6%88", &[], None),
        ),
        (
            "conversations",
            http_event(
                "POST",
                "/api/conversations",
                "",
                &json,
                Some(r#"{"locale":"ko"}"#),
            ),
        ),
        (
            "operator",
            with_jwt_claims(
                http_event(
                    "GET",
                    "/api/operator/queue",
                    "",
                    &[("authorization", JWT)],
                    None,
                ),
                &[("sub", "abc")],
            ),
        ),
        // An empty batch: the cost of starting, not of a webhook on the other side.
        ("alerts", stream_event(Vec::new())),
        ("insights", scheduled_event()),
    ];
    println!(
        "{:<9} {:>5} {:>9} {:>9} {:>11} {:>10}",
        "function", "runs", "p50 ms", "p95 ms", "peak RSS MB", "binary MB"
    );
    for (name, event) in cases {
        let binary = bin_dir.join(name);
        let size = std::fs::metadata(&binary)
            .unwrap_or_else(|e| panic!("{}: {e} (build it first)", binary.display()))
            .len();
        let mut times = Vec::with_capacity(RUNS);
        let mut peak = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let mut function = Function::start(&binary, &env).await;
            let outcome = function.invoke(event.clone()).await;
            times.push(started.elapsed());
            assert!(
                matches!(outcome, baton_e2e::runtime_api::Outcome::Response(_)),
                "{name}: {outcome:?}"
            );
            peak = peak.max(function.peak_rss_kib().unwrap_or(0));
        }
        let p50 = kb::eval::percentile(&mut times, 50.0) as f64 / 1000.0;
        let p95 = kb::eval::percentile(&mut times, 95.0) as f64 / 1000.0;
        println!(
            "{name:<9} {RUNS:>5} {p50:>9.1} {p95:>9.1} {:>11.1} {:>10.1}",
            peak as f64 / 1024.0,
            size as f64 / 1e6
        );
    }
    first_bot_answer(&bin_dir).await;
}

/// The conversations function with the sentence model: from exec to the bot's first answer (a
/// conversation started, then a question), 20 times.
async fn first_bot_answer(bin_dir: &std::path::Path) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(env) = deployed_env_with_meaning(dir.path(), &[("RUST_LOG", "warn")]).await else {
        println!(
            "conversations with the sentence model: skipped (E5_MODEL is set by scripts/model env)"
        );
        return;
    };
    let binary = bin_dir.join("conversations");
    let (mut times, mut peak) = (Vec::with_capacity(RUNS), 0);
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut function = Function::start(&binary, &env).await;
        let (id, bearer) = start_conversation(&mut function, r#"{"locale":"ko"}"#).await;
        let question = r#"{"text":"비밀번호를 잊어버렸어요 어떻게 바꾸나요"}"#;
        let (_, answered) = http_response(
            function
                .invoke(http_event(
                    "POST",
                    &format!("/api/conversations/{id}/messages"),
                    "",
                    &[
                        ("content-type", "application/json"),
                        ("authorization", &bearer),
                    ],
                    Some(question),
                ))
                .await,
        );
        times.push(started.elapsed());
        assert!(answered["reply"]["text"].is_string(), "{answered}");
        peak = peak.max(function.peak_rss_kib().unwrap_or(0));
    }
    let p50 = kb::eval::percentile(&mut times, 50.0) as f64 / 1000.0;
    let p95 = kb::eval::percentile(&mut times, 95.0) as f64 / 1000.0;
    println!(
        "conversations with the sentence model, exec → first bot answer: {RUNS} runs, p50 {p50:.1} ms, p95 {p95:.1} ms, peak RSS {:.1} MB",
        peak as f64 / 1024.0
    );
}
