//! Every setting in the README's table changes what Baton does, and a test shows it: the registry
//! below names, for each of `desk::config::VARS`, the test that runs Baton with the setting and
//! without it (or with another value) and sees the difference. A new setting without a test fails
//! `every_setting_is_proved_by_a_test`; that is how `BATON_MASK_EMAIL`, parsed and documented but
//! never used, would have been caught. The tests that no other file holds are here.

use std::path::Path;
use std::sync::Arc;

use baton_e2e::{Backend, MINJI, TestApp, repo_root, spawn_app_with};
use desk::app::{App, Parts};
use desk::config::{self as c, Config, Deployment};
use serde_json::{Value, json};

/// Setting → the test that proves it, as `file:function` under the repository root.
const PROOFS: &[(&str, &str)] = &[
    (
        c::GUIDES,
        "tests/e2e/settings.rs:guides_index_and_db_are_where_baton_serve_reads_and_writes",
    ),
    (
        c::INDEX,
        "tests/e2e/settings.rs:guides_index_and_db_are_where_baton_serve_reads_and_writes",
    ),
    (
        c::DB,
        "tests/e2e/settings.rs:guides_index_and_db_are_where_baton_serve_reads_and_writes",
    ),
    (
        c::MODEL,
        "tests/e2e/settings.rs:the_sentence_model_is_baton_model_and_baton_meaning_turns_it_off",
    ),
    (
        c::MEANING,
        "tests/e2e/settings.rs:the_sentence_model_is_baton_model_and_baton_meaning_turns_it_off",
    ),
    (
        c::DB_MAX_MB,
        "tests/e2e/desk/mod.rs:health_fails_when_the_database_is_full",
    ),
    (
        c::ADDR,
        "functions/baton/tests/cli.rs:baton_serve_listens_where_it_is_told",
    ),
    (
        c::TABLE,
        "tests/e2e/settings.rs:lambda_opens_its_table_and_may_create_it",
    ),
    (
        c::CREATE_TABLE,
        "tests/e2e/settings.rs:lambda_opens_its_table_and_may_create_it",
    ),
    (
        c::OPERATOR_AUTH,
        "tests/e2e/settings.rs:operator_auth_chooses_tokens_or_the_gateways_jwt",
    ),
    (
        c::OPERATOR_TOKENS,
        "tests/e2e/settings.rs:operator_auth_chooses_tokens_or_the_gateways_jwt",
    ),
    (
        c::OPERATORS,
        "functions/operator/tests/runtime.rs:the_queue_through_the_function",
    ),
    (
        c::OPERATOR,
        "functions/baton/tests/cli.rs:the_terminal_commands_act_as_baton_operator",
    ),
    (
        c::OPERATOR_URL,
        "tests/e2e/desk/mod.rs:baton_serve_alerts_the_team_once_per_urgent_case",
    ),
    (
        c::ALERT_WEBHOOK_URL,
        "tests/e2e/desk/mod.rs:baton_serve_alerts_the_team_once_per_urgent_case",
    ),
    (
        c::ALERT_FORMAT,
        "tests/e2e/desk/mod.rs:alerts_escalations_once_and_keeps_customer_text_inert",
    ),
    (
        c::URGENT_REMIND_MINUTES,
        "tests/e2e/settings.rs:the_scheduler_reminds_and_reports_as_configured",
    ),
    (
        c::WEEKLY_REPORT_HOUR,
        "tests/e2e/settings.rs:the_scheduler_reminds_and_reports_as_configured",
    ),
    (
        c::ALERT_WINDOW_SECONDS,
        "tests/e2e/desk/mod.rs:a_flood_of_urgent_cases_is_a_burst_and_a_summary_and_every_case_is_queued",
    ),
    (
        c::IDENTITY_SECRETS,
        "tests/e2e/settings.rs:identity_keys_issuer_and_audience_decide_who_is_verified",
    ),
    (
        c::IDENTITY_ES256_KEY,
        "tests/e2e/settings.rs:identity_keys_issuer_and_audience_decide_who_is_verified",
    ),
    (
        c::IDENTITY_ISSUER,
        "tests/e2e/settings.rs:identity_keys_issuer_and_audience_decide_who_is_verified",
    ),
    (
        c::IDENTITY_AUDIENCE,
        "tests/e2e/settings.rs:identity_keys_issuer_and_audience_decide_who_is_verified",
    ),
    (
        c::MASK_EMAIL,
        "tests/e2e/desk/probe.rs:e_mail_addresses_are_masked_in_stored_text_and_the_contact_stays_for_operators",
    ),
    (
        c::RATE_CONVERSATIONS,
        "tests/e2e/desk/mod.rs:conversations_and_messages_are_rate_limited_per_client",
    ),
    (
        c::RATE_MESSAGES,
        "tests/e2e/desk/probe.rs:uploads_count_against_the_message_limit",
    ),
    (
        c::RATE_SEARCHES,
        "tests/e2e/desk/edge.rs:as_you_type_searches_have_their_own_limit",
    ),
    (
        c::TRUST_FORWARDED_FOR,
        "tests/e2e/settings.rs:behind_a_trusted_proxy_each_forwarded_client_is_limited_apart",
    ),
    (
        c::MAX_CONNECTIONS,
        "tests/e2e/desk/mod.rs:idle_connections_are_closed_and_bounded",
    ),
    (
        c::MAX_CONNECTIONS_PER_CLIENT,
        "tests/e2e/desk/edge.rs:one_address_cannot_hold_every_connection",
    ),
    (
        c::SITE,
        "tests/e2e/settings.rs:the_site_its_theme_url_and_embedding_sites",
    ),
    (
        c::THEME,
        "tests/e2e/settings.rs:the_site_its_theme_url_and_embedding_sites",
    ),
    (
        c::SITE_URL,
        "tests/e2e/settings.rs:the_site_its_theme_url_and_embedding_sites",
    ),
    (
        c::WIDGET_SITES,
        "tests/e2e/settings.rs:the_site_its_theme_url_and_embedding_sites",
    ),
    (
        c::HOURS,
        "tests/e2e/desk/mod.rs:outside_business_hours_the_customer_learns_when_people_answer_and_urgent_still_alerts",
    ),
    (
        c::HOLIDAYS,
        "tests/e2e/settings.rs:timezone_and_holidays_move_the_teams_days",
    ),
    (
        c::TIMEZONE,
        "tests/e2e/settings.rs:timezone_and_holidays_move_the_teams_days",
    ),
    (
        c::EVENT_DAYS,
        "tests/e2e/settings.rs:events_older_than_event_days_are_forgotten",
    ),
    (
        c::ATTACHMENTS,
        "tests/e2e/settings.rs:attachments_are_kept_where_and_as_much_as_configured",
    ),
    (
        c::ATTACHMENTS_MAX_MB,
        "tests/e2e/settings.rs:attachments_are_kept_where_and_as_much_as_configured",
    ),
    (
        c::ATTACHMENTS_BUCKET,
        "functions/conversations/tests/runtime.rs:uploads_go_to_the_configured_bucket",
    ),
    (
        c::MAIL_FROM,
        "tests/e2e/mail.rs:a_mail_in_a_reply_out_through_a_relay_that_refuses_at_first_and_the_answer_back",
    ),
    (
        c::MAIL_KEY,
        "tests/e2e/mail.rs:a_mail_in_a_reply_out_through_a_relay_that_refuses_at_first_and_the_answer_back",
    ),
    (
        c::SMTP_RELAY,
        "tests/e2e/mail.rs:a_mail_in_a_reply_out_through_a_relay_that_refuses_at_first_and_the_answer_back",
    ),
    (
        c::MAIL_AUTO_REPLIES,
        "tests/e2e/mail.rs:the_bot_answers_an_address_at_most_as_often_as_configured",
    ),
    (
        c::MAIL_AUTHSERV_ID,
        "tests/e2e/mail.rs:a_sender_is_proved_by_the_mta_named_and_a_mapped_address_joins_its_customer",
    ),
    (
        c::MAIL_BUCKET,
        "functions/mail/tests/runtime.rs:a_mail_ses_stored_is_a_case_and_the_reply_leaves_through_ses_threaded_by_its_id",
    ),
    (
        c::SMTP_ADDR,
        "functions/baton/tests/cli.rs:baton_serve_takes_mail_where_it_is_told_and_mail_in_takes_a_pipe",
    ),
    (
        c::HEADER_TIMEOUT_SECONDS,
        "tests/e2e/desk/mod.rs:idle_connections_are_closed_and_bounded",
    ),
];

#[test]
fn every_setting_is_proved_by_a_test() {
    for var in c::VARS {
        let proofs: Vec<&str> = PROOFS
            .iter()
            .filter(|(name, _)| *name == var.name)
            .map(|(_, proof)| *proof)
            .collect();
        assert!(
            !proofs.is_empty(),
            "{} has no test that shows it changes behaviour: add one and name it in PROOFS",
            var.name
        );
        for proof in proofs {
            let (file, function) = proof.split_once(':').expect("file:function");
            let text = std::fs::read_to_string(repo_root().join(file))
                .unwrap_or_else(|e| panic!("{proof}: {e}"));
            let at = text
                .find(&format!("fn {function}("))
                .unwrap_or_else(|| panic!("{proof}: no such test"));
            // The test's own text names the setting (its constant or its variable).
            let body = &text[at..];
            let end = body[1..].find("\n#[").map_or(body.len(), |e| e + 1);
            let constant = var.name.trim_start_matches("BATON_");
            assert!(
                body[..end].contains(constant),
                "{proof} does not set {}",
                var.name
            );
        }
    }
    for (name, _) in PROOFS {
        assert!(
            c::VARS.iter().any(|v| v.name == *name),
            "{name} is proved but is no setting"
        );
    }
}

/// A local desk built by `App::build` from `pairs` (and where its files go in `dir`).
async fn local_app(dir: &Path, pairs: &[(&str, String)]) -> App {
    let mut all: Vec<(&str, String)> = vec![
        // Words only unless a test says otherwise: no test fetches the sentence model.
        (c::MEANING, "0".to_string()),
        (c::DB, dir.join("baton.db").display().to_string()),
        (c::INDEX, dir.join("index").display().to_string()),
        (c::SITE, dir.join("site").display().to_string()),
        (
            c::ATTACHMENTS,
            dir.join("attachments").display().to_string(),
        ),
        (
            c::GUIDES,
            repo_root()
                .join("kb/tests/fixtures/good")
                .display()
                .to_string(),
        ),
    ];
    all.retain(|(k, _)| !pairs.iter().any(|(p, _)| p == k));
    all.extend(pairs.iter().cloned());
    let config = Config::from_pairs(Deployment::Local, all.iter().map(|(k, v)| (*k, v.as_str())))
        .expect("config");
    App::build(config).await.expect("the desk builds")
}

#[tokio::test]
async fn guides_index_and_db_are_where_baton_serve_reads_and_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = local_app(dir.path(), &[]).await;
    let fixture_guides = fixture.desk.kb().guides().len();
    assert!(
        dir.path().join("index/meta.json").exists(),
        "BATON_INDEX holds the index"
    );
    assert!(
        dir.path().join("baton.db").exists(),
        "BATON_DB holds the store"
    );
    let other = tempfile::tempdir().expect("tempdir");
    let baton = local_app(
        other.path(),
        &[
            (
                c::GUIDES,
                repo_root().join("kb/guides").display().to_string(),
            ),
            (
                c::INDEX,
                other.path().join("elsewhere").display().to_string(),
            ),
            (c::DB, other.path().join("other.db").display().to_string()),
        ],
    )
    .await;
    assert!(
        baton.desk.kb().guides().len() > fixture_guides,
        "BATON_GUIDES decides what the index holds"
    );
    assert!(other.path().join("elsewhere/meta.json").exists());
    assert!(other.path().join("other.db").exists());
    assert!(!other.path().join("baton.db").exists());
}

#[tokio::test]
async fn the_sentence_model_is_baton_model_and_baton_meaning_turns_it_off() {
    let Ok(model) = std::env::var("E5_MODEL") else {
        eprintln!("skipped: E5_MODEL is set by scripts/test");
        return;
    };
    let guides = repo_root().join("kb/guides").display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    // BATON_MODEL names the file; the index is built with its vectors (from the committed cache,
    // read beside the guides, never written there) and the desk reads meaning.
    let with = local_app(
        dir.path(),
        &[
            (c::GUIDES, guides.clone()),
            (c::MODEL, model.clone()),
            (c::MEANING, "1".into()),
        ],
    )
    .await;
    let encoder = with.desk.encoder().expect("the desk reads meaning");
    let dense = with
        .desk
        .kb()
        .dense()
        .expect("the index has section vectors");
    assert_eq!(dense.fingerprint(), encoder.fingerprint());
    assert!(dir.path().join("index.embeddings").exists() || dense.dimensions() == 384);
    // BATON_MEANING=0: no model, words only, the same index.
    let off = local_app(
        dir.path(),
        &[
            (c::GUIDES, guides.clone()),
            (c::MODEL, model),
            (c::MEANING, "0".into()),
        ],
    )
    .await;
    assert!(off.desk.encoder().is_none());
    // A BATON_MODEL that is not there: said once, words only, never a crash.
    let other = tempfile::tempdir().expect("tempdir");
    let missing = local_app(
        other.path(),
        &[
            (c::GUIDES, guides),
            (c::MODEL, "/nonexistent/e5-small-q4.bin".into()),
            (c::MEANING, "1".into()),
        ],
    )
    .await;
    assert!(missing.desk.encoder().is_none());
    assert!(missing.desk.kb().dense().is_none());
}

/// A Lambda configuration over the index built from the fixture guides, with `pairs`.
fn lambda_config(index: &Path, pairs: &[(&str, &str)]) -> Config {
    let index = index.display().to_string();
    let mut all: Vec<(&str, &str)> = vec![(c::INDEX, index.as_str())];
    all.extend_from_slice(pairs);
    Config::from_pairs(Deployment::Lambda, all).expect("config")
}

fn fixture_index(dir: &Path) -> std::path::PathBuf {
    let corpus = kb::Corpus::load(&repo_root().join("kb/tests/fixtures/good")).expect("guides");
    let index = dir.join("index");
    kb::build(&corpus, &index, &|_| {}).expect("index");
    index
}

#[tokio::test]
async fn lambda_opens_its_table_and_may_create_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = fixture_index(dir.path());
    let table = desk::model::new_id("settings")
        .replace('_', "-")
        .to_lowercase();
    // Without BATON_CREATE_TABLE a missing table stays missing: the store cannot write.
    let missing = App::build(lambda_config(
        &index,
        &[(c::TABLE, &table), (c::OPERATORS, "minji=sub-1")],
    ))
    .await
    .expect("builds");
    assert!(missing.desk.store().ping().await.is_err());
    let created = App::build(lambda_config(
        &index,
        &[
            (c::TABLE, &table),
            (c::CREATE_TABLE, "1"),
            (c::OPERATORS, "minji=sub-1"),
        ],
    ))
    .await
    .expect("builds");
    created
        .desk
        .store()
        .ping()
        .await
        .expect("the table exists now");
    // BATON_TABLE names it: the same name in another app is the same table.
    let again = App::build(lambda_config(
        &index,
        &[(c::TABLE, &table), (c::OPERATORS, "minji=sub-1")],
    ))
    .await
    .expect("builds");
    again.desk.store().ping().await.expect("the same table");
}

#[tokio::test]
async fn operator_auth_chooses_tokens_or_the_gateways_jwt() {
    use tower::ServiceExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let index = fixture_index(dir.path());
    let store =
        Arc::new(desk::store::sqlite::SqliteStore::open(&dir.path().join("t.db")).expect("store"));
    let queue = |app: &App, token: &str| {
        let router = desk::http::app(app.state.clone());
        let request = axum::http::Request::get("/api/operator/queue")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .expect("request");
        async move {
            router
                .oneshot(request)
                .await
                .expect("response")
                .status()
                .as_u16()
        }
    };
    let parts = || Parts {
        kb: None,
        store: Some(store.clone() as Arc<dyn desk::Store>),
        blobs: None,
        encoder: None,
    };
    let token = "lambda-operator-token-0123";
    let tokens = format!("minji:{token}");
    let with_tokens = App::build_with(
        lambda_config(
            &index,
            &[
                (c::TABLE, "unused"),
                (c::OPERATOR_AUTH, "tokens"),
                (c::OPERATOR_TOKENS, &tokens),
            ],
        ),
        parts(),
    )
    .await
    .expect("builds");
    assert_eq!(queue(&with_tokens, token).await, 200);
    assert_eq!(queue(&with_tokens, "another-token-0123456").await, 401);
    // The default in Lambda: only claims API Gateway verified count, never a bearer token.
    let with_jwt = App::build_with(
        lambda_config(
            &index,
            &[(c::TABLE, "unused"), (c::OPERATORS, "minji=sub-1")],
        ),
        parts(),
    )
    .await
    .expect("builds");
    assert_eq!(queue(&with_jwt, token).await, 401);
}

#[tokio::test]
async fn the_scheduler_reminds_and_reports_as_configured() {
    use baton_e2e::runtime_api::WebhookReceiver;
    let hook = WebhookReceiver::start().await;
    let ticks = |app: &TestApp, at: i64| {
        let (desk, webhook, schedule) = (
            app.desk.clone(),
            app.settings.webhook.clone(),
            app.settings.schedule,
        );
        async move { desk.tick(&webhook, schedule, at).await }
    };
    let now = desk::model::now();
    for (minutes, reminded) in [("5", true), ("0", false)] {
        let app = spawn_app_with(
            Backend::Sqlite,
            &[
                (c::ALERT_WEBHOOK_URL, hook.url.as_str()),
                (c::URGENT_REMIND_MINUTES, minutes),
            ],
        )
        .await;
        let chat = app.start("c1", "ko").await;
        let (status, _) = app
            .send(
                &chat,
                "결제가 안 돼요 카드 결제 실패 오류가 계속 나요",
                None,
            )
            .await;
        assert_eq!(status, 201);
        let tick = ticks(&app, now + 6 * 60_000).await;
        assert_eq!(
            !tick.reminded.is_empty(),
            reminded,
            "BATON_URGENT_REMIND_MINUTES={minutes}"
        );
    }
    // Monday 2026-12-07 10:00 in Seoul: after 09:00 the week's summary is due, not before, and
    // never with `off`.
    let monday = |h: u8| {
        time::Date::from_calendar_date(2026, time::Month::December, 7)
            .expect("date")
            .with_hms(h, 0, 0)
            .expect("time")
            .assume_offset(time::UtcOffset::from_hms(9, 0, 0).expect("offset"))
            .unix_timestamp()
            * 1000
    };
    for (hour, due_at_10) in [("9", true), ("11", false), ("off", false)] {
        let app = spawn_app_with(
            Backend::Sqlite,
            &[
                (c::ALERT_WEBHOOK_URL, hook.url.as_str()),
                (c::WEEKLY_REPORT_HOUR, hour),
            ],
        )
        .await;
        let tick = ticks(&app, monday(10)).await;
        assert_eq!(
            tick.weekly.is_some(),
            due_at_10,
            "BATON_WEEKLY_REPORT_HOUR={hour}"
        );
    }
}

/// A key pair made for this test only (openssl ecparam -name prime256v1).
const EC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgr4uvdJ8jkI89VFfP\n8jOs1qIu4lKQVG2rskKpQhAG4QmhRANCAASUr0CmnPD2y60HjXe5oUASMALw2poz\n5QZEhrLzjO793mYUE8dywmv3e/vr7K0+KBYES36qSDKfJNtA0LKmvoZb\n-----END PRIVATE KEY-----";
const EC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAElK9Appzw9sutB413uaFAEjAC8Nqa\nM+UGRIay84zu/d5mFBPHcsJr93v76+ytPigWBEt+qkgynyTbQNCypr6GWw==\n-----END PUBLIC KEY-----";

#[tokio::test]
async fn identity_keys_issuer_and_audience_decide_who_is_verified() {
    let exp = desk::model::now() / 1000 + 600;
    let hs256 = |claims: Value, secret: &str| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).expect("key"),
        )
        .expect("sign")
    };
    let es256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256),
        &json!({"sub": "shop-7", "aud": "baton", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).expect("key"),
    )
    .expect("sign");
    let verified = |app: TestApp, token: String| async move {
        let (status, body) = app.start_with(json!({"identity_token": token})).await;
        let verified = match body["conversation"]["id"].as_str() {
            Some(id) => app
                .desk
                .store()
                .conversation(id)
                .await
                .expect("read")
                .map(|c| c.customer.verified),
            None => None,
        };
        (status, verified)
    };
    let secret = "settings-identity-secret-0123456789abcdef";
    let token = hs256(json!({"sub": "shop-1", "aud": "baton", "exp": exp}), secret);
    let other_secret = spawn_app_with(
        Backend::Sqlite,
        &[(
            c::IDENTITY_SECRETS,
            "another-secret-of-enough-length-0123456789",
        )],
    )
    .await;
    assert_eq!(verified(other_secret, token.clone()).await.0, 401);
    let ours = spawn_app_with(Backend::Sqlite, &[(c::IDENTITY_SECRETS, secret)]).await;
    assert_eq!(verified(ours, token).await, (201, Some(true)));

    let pem = EC_PUBLIC.replace('\n', "\\n");
    let without_key = spawn_app_with(Backend::Sqlite, &[]).await;
    assert_eq!(verified(without_key, es256.clone()).await.0, 401);
    let with_key = spawn_app_with(Backend::Sqlite, &[(c::IDENTITY_ES256_KEY, pem.as_str())]).await;
    assert_eq!(verified(with_key, es256).await, (201, Some(true)));

    let issued = hs256(
        json!({"sub": "shop-2", "aud": "baton", "exp": exp, "iss": "https://shop.example"}),
        secret,
    );
    let wrong_issuer = spawn_app_with(
        Backend::Sqlite,
        &[
            (c::IDENTITY_SECRETS, secret),
            (c::IDENTITY_ISSUER, "https://other.example"),
        ],
    )
    .await;
    assert_eq!(verified(wrong_issuer, issued.clone()).await.0, 401);
    let right_issuer = spawn_app_with(
        Backend::Sqlite,
        &[
            (c::IDENTITY_SECRETS, secret),
            (c::IDENTITY_ISSUER, "https://shop.example"),
        ],
    )
    .await;
    assert_eq!(verified(right_issuer, issued).await, (201, Some(true)));

    let for_chat = hs256(
        json!({"sub": "shop-3", "aud": "shop-chat", "exp": exp}),
        secret,
    );
    let default_audience = spawn_app_with(Backend::Sqlite, &[(c::IDENTITY_SECRETS, secret)]).await;
    assert_eq!(verified(default_audience, for_chat.clone()).await.0, 401);
    let audience = spawn_app_with(
        Backend::Sqlite,
        &[
            (c::IDENTITY_SECRETS, secret),
            (c::IDENTITY_AUDIENCE, "shop-chat"),
        ],
    )
    .await;
    assert_eq!(verified(audience, for_chat).await, (201, Some(true)));
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_limited_apart() {
    for (trust, second) in [("1", 201), ("0", 429)] {
        let app = spawn_app_with(
            Backend::Sqlite,
            &[
                (c::RATE_CONVERSATIONS, "1"),
                (c::TRUST_FORWARDED_FOR, trust),
            ],
        )
        .await;
        let start = |client: &str| {
            app.client
                .post(format!("{}/api/conversations", app.url))
                .header("x-forwarded-for", client)
                .json(&json!({}))
                .send()
        };
        assert_eq!(start("203.0.113.1").await.expect("start").status(), 201);
        assert_eq!(
            start("203.0.113.2").await.expect("start").status(),
            second,
            "BATON_TRUST_FORWARDED_FOR={trust}"
        );
    }
}

#[tokio::test]
async fn the_site_its_theme_url_and_embedding_sites() {
    let plain = spawn_app_with(Backend::Sqlite, &[]).await;
    assert!(
        plain.site.join("index.html").exists(),
        "BATON_SITE holds the help center"
    );
    let themed = spawn_app_with(
        Backend::Sqlite,
        &[
            (
                c::THEME,
                repo_root()
                    .join("web/theme-example")
                    .to_str()
                    .expect("utf-8"),
            ),
            (c::SITE_URL, "https://help.acmepay.example"),
            (c::WIDGET_SITES, "https://shop.acmepay.example"),
        ],
    )
    .await;
    let get = |app: &TestApp, path: &str| {
        let request = app.client.get(format!("{}{path}", app.url));
        async move { request.send().await.expect("get") }
    };
    let home = |app: &TestApp| {
        let f = get(app, "/ko/");
        async move { f.await.text().await.expect("text") }
    };
    assert!(
        home(&themed).await.contains("에이크미페이"),
        "BATON_THEME names the help center"
    );
    assert!(!home(&plain).await.contains("에이크미페이"));
    let sitemap = get(&themed, "/sitemap.xml")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        sitemap.contains("https://help.acmepay.example/"),
        "BATON_SITE_URL: {sitemap}"
    );
    let plain_sitemap = get(&plain, "/sitemap.xml")
        .await
        .text()
        .await
        .expect("text");
    assert!(plain_sitemap.contains(&plain.url), "{plain_sitemap}");
    let csp = |response: reqwest::Response| {
        response.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_string()
    };
    let frame = csp(get(&themed, "/widget/frame.html").await);
    assert!(
        frame.ends_with("frame-ancestors 'self' https://shop.acmepay.example"),
        "{frame}"
    );
    let plain_frame = csp(get(&plain, "/widget/frame.html").await);
    assert!(
        plain_frame.ends_with("frame-ancestors 'self'"),
        "{plain_frame}"
    );
}

#[tokio::test]
async fn timezone_and_holidays_move_the_teams_days() {
    let seoul = spawn_app_with(Backend::Sqlite, &[]).await;
    let new_york = spawn_app_with(Backend::Sqlite, &[(c::TIMEZONE, "-05:00")]).await;
    let week = |app: TestApp| async move {
        let (status, report) = app.operator_get(MINJI, "/insights?week=2026-W49").await;
        assert_eq!(status, 200, "{report}");
        (
            report["period"]["timezone"].as_str().map(String::from),
            report["period"]["from"].as_i64(),
        )
    };
    let (zone, from) = week(seoul).await;
    let (other_zone, other_from) = week(new_york).await;
    assert_eq!(zone.as_deref(), Some("+09:00"));
    assert_eq!(other_zone.as_deref(), Some("-05:00"));
    assert_eq!(
        other_from.zip(from).map(|(a, b)| a - b),
        Some(14 * 3600 * 1000),
        "the week starts at Monday midnight where the team is"
    );
    // A holiday moves when people answer next: Monday 2026-12-07 listed, Tuesday is the next day.
    let hours = "mon-fri 09:00-18:00";
    let holiday = spawn_app_with(
        Backend::Sqlite,
        &[(c::HOURS, hours), (c::HOLIDAYS, "2026-12-07")],
    )
    .await;
    let workday = spawn_app_with(Backend::Sqlite, &[(c::HOURS, hours)]).await;
    let sunday_night = time::Date::from_calendar_date(2026, time::Month::December, 6)
        .expect("date")
        .with_hms(23, 0, 0)
        .expect("time")
        .assume_offset(time::UtcOffset::from_hms(9, 0, 0).expect("offset"))
        .unix_timestamp()
        * 1000;
    let next = |app: &TestApp| match app.settings.hours.as_ref().expect("hours").at(sunday_night) {
        desk::hours::Availability::Closed { next_open } => next_open,
        desk::hours::Availability::Open => None,
    };
    assert_eq!(
        next(&holiday).zip(next(&workday)).map(|(a, b)| a - b),
        Some(24 * 3600 * 1000)
    );
}

#[tokio::test]
async fn events_older_than_event_days_are_forgotten() {
    for (days, kept) in [("1", false), ("400", true)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store =
            desk::store::sqlite::SqliteStore::open(&dir.path().join("t.db")).expect("store");
        let mut old = desk::model::Event::new(
            desk::model::EventKind::Open,
            "cv_x",
            None,
            None,
            [("channel", "web".to_string())],
        );
        old.at = desk::model::now() - 3 * 24 * 3600 * 1000;
        desk::Store::commit(
            &store,
            &desk::store::Commit {
                events: vec![old],
                ..Default::default()
            },
        )
        .await
        .expect("commit");
        let store: Arc<dyn desk::Store> = Arc::new(store);
        let config = Config::from_pairs(
            Deployment::Local,
            [
                (c::EVENT_DAYS, days),
                (c::SITE, dir.path().join("site").to_str().expect("utf-8")),
            ],
        )
        .expect("config");
        let mut app = App::build_with(
            config,
            Parts {
                kb: Some(baton_e2e::baton_kb()),
                store: Some(store.clone()),
                blobs: None,
                encoder: None,
            },
        )
        .await
        .expect("builds");
        app.start_background();
        let mut left = 1;
        for _ in 0..50 {
            left = store.events(0, i64::MAX).await.expect("events").len();
            if left == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(left == 1, kept, "BATON_EVENT_DAYS={days}");
    }
}

#[tokio::test]
async fn attachments_are_kept_where_and_as_much_as_configured() {
    let png = std::fs::read(repo_root().join("tests/fixtures/screenshot-with-metadata.png"))
        .expect("fixture");
    let dir = tempfile::tempdir().expect("tempdir");
    let kept = dir.path().join("kept");
    for (max, status) in [(None, 201), (Some("0"), 503)] {
        let kept = kept.display().to_string();
        let mut settings = vec![(c::ATTACHMENTS, kept.as_str())];
        if let Some(max) = max {
            settings.push((c::ATTACHMENTS_MAX_MB, max));
        }
        let app = spawn_app_with(Backend::Sqlite, &settings).await;
        let chat = app.start("c1", "ko").await;
        let response = app
            .client
            .post(format!(
                "{}/api/conversations/{}/attachments",
                app.url, chat.id
            ))
            .bearer_auth(&chat.secret)
            .header("content-type", "image/png")
            .header("idempotency-key", "k1")
            .body(png.clone())
            .send()
            .await
            .expect("attach");
        assert_eq!(
            response.status().as_u16(),
            status,
            "BATON_ATTACHMENTS_MAX_MB={max:?}"
        );
        if status == 201 {
            let body: Value = response.json().await.expect("json");
            let id = body["message"]["attachments"][0]["id"]
                .as_str()
                .expect("id");
            assert!(
                kept.parse::<std::path::PathBuf>()
                    .expect("path")
                    .join(&chat.id)
                    .join(format!("{id}.png"))
                    .exists(),
                "BATON_ATTACHMENTS holds the image"
            );
        }
    }
}
