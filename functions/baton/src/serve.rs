//! `baton serve`: the whole desk in one process, built by the same startup as every Lambda
//! function and the tests (`desk::app`), and what it prints about itself.

use anyhow::Context;
use desk::app::App;
use desk::config::{self, Config};

/// Builds the desk, renders the help center, starts the background tasks and serves until
/// Ctrl-C.
pub async fn serve(mut config: Config) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let generated = if config.operator_tokens.is_empty() {
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random: {e}"))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        config.operator_tokens.push(config::OperatorToken {
            name: "operator".into(),
            token: token.clone(),
        });
        Some(token)
    } else {
        None
    };
    config.require_operators()?;
    let mut app = App::build(config).await?;
    let config = app.config.clone();
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    let local = listener.local_addr()?;
    let site = app.render_site(local)?;
    banner(&app, local, site.pages, generated.as_deref());
    app.start_background();
    app.serve_http(listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

fn banner(app: &App, local: std::net::SocketAddr, pages: usize, generated: Option<&str>) {
    let config = &app.config;
    println!("Baton is running at http://{local}");
    println!(
        "  help center:   http://{local}/   ({pages} pages in {})",
        config.site.display()
    );
    println!("  console:       http://{local}/console/");
    println!(
        "  search:        curl 'http://{local}/api/search?q=%EB%B9%84%EB%B0%80%EB%B2%88%ED%98%B8'"
    );
    println!("  conversation:  curl -X POST http://{local}/api/conversations");
    println!(
        "  queue:         curl -H 'Authorization: Bearer <token>' http://{local}/api/operator/queue"
    );
    match generated {
        Some(token) => println!(
            "  operator token (this run): {token}   (set {}=name:token,… to keep your own)",
            config::OPERATOR_TOKENS
        ),
        None => println!("  operator tokens: from {}", config::OPERATOR_TOKENS),
    }
    if app.settings.webhook.is_configured() {
        println!(
            "  alerts: each urgent case is posted to {}{}{}",
            config::ALERT_WEBHOOK_URL,
            config.urgent_remind.map_or(String::new(), |d| format!(
                ", again after {} min while nobody claims it",
                d.as_secs() / 60
            )),
            config.weekly_report_hour.map_or(String::new(), |h| format!(
                "; the week's summary every Monday at {h:02}:00"
            ))
        );
    } else {
        println!(
            "  alerts: off (set {} to a chat webhook to alert the team)",
            config::ALERT_WEBHOOK_URL
        );
    }
    if !app.settings.identity.is_configured() {
        println!(
            "  customers: all unverified (set {} to verify the ones your site signs)",
            config::IDENTITY_SECRETS
        );
    }
    println!(
        "  data: {} and {}",
        config.db.display(),
        config.index.display()
    );
}
