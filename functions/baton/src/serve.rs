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
    let smtp = match config.smtp_addr {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening for mail on {addr}"))?,
        ),
        None => None,
    };
    let smtp_local = smtp.as_ref().map(|l| l.local_addr()).transpose()?;
    banner(&app, local, site.pages, generated.as_deref(), smtp_local);
    app.start_background();
    if let Some(listener) = smtp {
        tokio::spawn(app.mail_listener(listener, std::future::pending())?);
    }
    app.serve_http(listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

fn banner(
    app: &App,
    local: std::net::SocketAddr,
    pages: usize,
    generated: Option<&str>,
    smtp: Option<std::net::SocketAddr>,
) {
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
    match (app.desk.mail_settings(), smtp) {
        (Some(mail), Some(smtp)) => println!(
            "  mail:          {} takes mail on smtp://{smtp}{}",
            mail.sender.address,
            if app.settings.relay.is_some() {
                ", replies leave through BATON_SMTP_RELAY"
            } else {
                "; replies wait until BATON_SMTP_RELAY is set"
            }
        ),
        (Some(mail), None) => println!(
            "  mail:          {}: set {} to take mail over SMTP, or pipe it to `baton mail-in`",
            mail.sender.address,
            config::SMTP_ADDR
        ),
        (None, _) => println!(
            "  mail:          off (set {} to take mail)",
            config::MAIL_FROM
        ),
    }
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
