//! One startup for every way Baton runs: `baton serve`, the CLI's queue commands, each Lambda
//! function and the end-to-end tests' `spawn_app` all build their desk here, so a setting read in
//! one is read in all, and whatever must be loaded once per process (the index today; the sentence
//! model next) is loaded in one place.
//!
//! - [`Settings`] turns the plain [`Config`] into the desk's objects (webhook, hours, identity
//!   keys, masking, schedule).
//! - [`App::build`] opens what the deployment keeps its data in — under `baton serve` the SQLite
//!   file and the index (rebuilt from the guides when stale), in Lambda the DynamoDB table, the
//!   index layer and the S3 bucket — unless [`Parts`] hands one in (the tests' stores), and builds
//!   the [`Desk`] and the HTTP state from them.
//! - [`App::serve`] is `baton serve`: the help center rendered from the same guides, the
//!   background tasks (alerts, reminders and Monday's summary, event retention, abandoned
//!   uploads), and the HTTP server with its limits. The Lambda functions hand [`App::router`]'s
//!   area to the runtime instead ([`lambda`]).
//!
//! The arrows run one way: `config` (plain data) ← model, store, analysis ← the desk's rules ←
//! the channels (`http`, `lambda`) ← this module ← the binaries.

pub mod local;
pub mod meaning;
mod settings;

#[cfg(feature = "aws")]
pub mod lambda;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use kb::{Corpus, KnowledgeBase};

pub use settings::Settings;

use crate::attachments::Blobs;
use crate::config::{Config, Deployment};
use crate::desk::Desk;
use crate::error::Result;
use crate::http::AppState;
use crate::store::Store;

/// What a caller hands in instead of what the configuration would open (tests: a fresh table, a
/// store that is down, an index built once per test binary).
#[derive(Default, Clone)]
pub struct Parts {
    /// The knowledge base.
    pub kb: Option<Arc<KnowledgeBase>>,
    /// The store.
    pub store: Option<Arc<dyn Store>>,
    /// Where attachments are kept.
    pub blobs: Option<Arc<dyn Blobs>>,
    /// The sentence model. With `kb` handed in and no model, the desk reads words only (a test
    /// that does not need meaning does not load 70 MB).
    pub encoder: Option<Arc<encoder::Encoder>>,
}

/// A built desk: everything a process serves from, built once.
pub struct App {
    /// The configuration it was built from.
    pub config: Config,
    /// What the settings mean.
    pub settings: Settings,
    /// The desk (customers' and operators' actions).
    pub desk: Desk,
    /// What every HTTP handler shares.
    pub state: AppState,
    /// The guides the index was built from, when this process read them (`baton serve`: the help
    /// center is rendered from the same read).
    corpus: Option<Corpus>,
    /// The task that sends the desk's alerts, until [`App::start_background`] spawns it.
    alerts: Option<BoxTask>,
    /// The task that writes help-center searches together, until [`App::start_background`]
    /// spawns it.
    searches: Option<BoxTask>,
}

/// A background task not yet spawned.
type BoxTask = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

impl App {
    /// The desk a configuration describes, with everything it keeps opened.
    pub async fn build(config: Config) -> Result<App> {
        App::build_with(config, Parts::default()).await
    }

    /// [`App::build`], with `parts` in place of what the configuration would open.
    pub async fn build_with(config: Config, parts: Parts) -> Result<App> {
        let settings = Settings::from_config(&config)?;
        let encoder = match (&parts.kb, &parts.encoder) {
            (_, Some(encoder)) => Some(Arc::clone(encoder)),
            (Some(_), None) => None,
            (None, None) => meaning::load(&config),
        };
        let (kb, store, blobs, corpus) = match config.deployment {
            Deployment::Local => local::open(&config, parts, encoder.as_deref())?,
            Deployment::Lambda => open_lambda(&config, parts).await?,
        };
        crate::bot::check_intents(kb.intents()).map_err(crate::Error::Config)?;
        let mut desk = Desk::new(kb, store)
            .with_identity(settings.identity.clone())
            .with_pii(settings.pii)
            .with_timezone(config.timezone);
        if let Some(hours) = &settings.hours {
            desk = desk.with_hours(hours.clone());
        }
        if let Some(blobs) = blobs {
            desk = desk.with_blobs(blobs);
        }
        if let Some(encoder) = encoder {
            desk = desk.with_encoder(encoder);
            if desk.encoder().is_none() {
                tracing::warn!(
                    "the index has no section vectors from this sentence model: reading words only (rebuild it with kb build)"
                );
            }
        }
        // Board forms are signed from the mail key wherever there is one, so every instance
        // (and every restart) agrees; without it, a key per process.
        if let Some(key) = &config.mail_key {
            desk = desk.with_board_key(crate::desk::BoardKey::derive(key.as_bytes()));
        }
        if let Some(sender) = settings.mail.clone() {
            let key = match (&config.mail_key, config.deployment) {
                (Some(key), _) => key.clone().into_bytes(),
                (None, Deployment::Local) => local::mail_key(&config)?,
                (None, Deployment::Lambda) => {
                    return Err(crate::Error::Config(format!(
                        "{} is required with {} in Lambda",
                        crate::config::MAIL_KEY,
                        crate::config::MAIL_FROM
                    )));
                }
            };
            desk = desk.with_board_key(crate::desk::BoardKey::derive(&key));
            desk = desk.with_mail(crate::desk::MailSettings {
                sender,
                key: crate::mail::ThreadKey::derive(&key),
                limits: crate::mail::Limits::default(),
                auto_replies_per_hour: config.mail_auto_replies,
                authserv_id: config.mail_authserv_id.clone(),
                site_url: config
                    .site_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{}", config.addr)),
            });
        }
        // Under `baton serve` the desk alerts the team as it writes an urgent case; in AWS the
        // alerts function does it from the table's stream.
        let mut alerts: Option<BoxTask> = None;
        if config.deployment == Deployment::Local && settings.webhook.is_configured() {
            let (alerter, task) =
                crate::alerts::Alerter::new(settings.webhook.clone(), config.alert_window);
            desk = desk.with_alerts(alerter);
            alerts = Some(Box::pin(task));
        }
        // Under `baton serve` searches arriving together are written in one transaction; a
        // Lambda function serves one request at a time, so it writes each alone.
        let mut searches: Option<BoxTask> = None;
        if config.deployment == Deployment::Local {
            let (log, task) = crate::desk::SearchLog::new(Arc::clone(desk.store()));
            desk = desk.with_search_log(log);
            searches = Some(Box::pin(task));
        }
        let state = crate::http::state(&config, desk.clone());
        Ok(App {
            config,
            settings,
            desk,
            state,
            corpus,
            alerts,
            searches,
        })
    }

    /// Every route: the API and, under `baton serve`, the web root at every other path.
    pub fn router(&self) -> Router {
        match self.config.deployment {
            Deployment::Local => crate::http::app_with_pages(
                self.state.clone(),
                self.config.site.clone(),
                self.config.widget_sites.clone(),
            ),
            Deployment::Lambda => crate::http::app(self.state.clone()),
        }
    }

    /// `baton serve` on `listener` until `shutdown`: renders the help center (its links name the
    /// address listened on unless `BATON_SITE_URL` says where it is published), starts the
    /// background tasks, and serves every route with the server's limits.
    pub async fn serve(
        mut self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> Result<()> {
        let local: SocketAddr = listener
            .local_addr()
            .map_err(|e| crate::Error::Unavailable(format!("listener: {e}")))?;
        self.render_site(local)?;
        self.start_background();
        self.serve_http(listener, shutdown).await
    }

    /// Serves every route on `listener` with the server's limits (header timeout, connections)
    /// until `shutdown`, then drains open requests.
    pub async fn serve_http(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> Result<()> {
        crate::http::serve::serve(
            listener,
            self.router(),
            crate::http::serve::ServeOptions::from_config(&self.config),
            shutdown,
        )
        .await
        .map_err(|e| crate::Error::Unavailable(format!("server: {e}")))
    }

    /// The task that takes the support address's mail over SMTP on `listener`
    /// (`BATON_SMTP_ADDR`) until `shutdown`, for the caller to spawn; an error without mail set up.
    pub fn mail_listener(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<impl std::future::Future<Output = ()> + Send + 'static> {
        let Some(support) = self.desk.mail_settings().map(|m| m.sender.address.clone()) else {
            return Err(crate::Error::Config(format!(
                "{} needs {}",
                crate::config::SMTP_ADDR,
                crate::config::MAIL_FROM
            )));
        };
        let desk = Arc::new(self.desk.clone());
        Ok(async move {
            let options = crate::mail::smtp::Options::new(&support);
            if let Err(error) = crate::mail::smtp::serve(listener, options, desk, shutdown).await {
                tracing::error!(%error, "the SMTP listener stopped");
            }
        })
    }

    /// Renders the help center, widget and console into `BATON_SITE` (`baton serve`). Without
    /// `BATON_SITE_URL`, the pages and the links Baton mails (answers, sign-in links) name the
    /// address listened on, known only now (`--addr 127.0.0.1:0`).
    pub fn render_site(&mut self, local: SocketAddr) -> Result<kb::site::Report> {
        if self.config.site_url.is_none()
            && let Some(mail) = self.desk.mail_settings()
        {
            let mut mail = mail.clone();
            mail.site_url = format!("http://{local}");
            self.desk = self.desk.clone().with_mail(mail);
            self.state = crate::http::state(&self.config, self.desk.clone());
        }
        local::render_site(&self.config, &mut self.corpus, local)
    }

    /// The tasks `baton serve` runs beside requests: alerts as cases become urgent (a flood becomes
    /// one summary), reminders and Monday's summary, event retention, and forgetting uploads that
    /// were begun and never completed. In AWS the stream, the schedules and the bucket's lifecycle
    /// do these.
    pub fn start_background(&mut self) {
        local::start_background(self);
    }
}

/// Lambda: the DynamoDB table, the index layer, the S3 bucket.
#[cfg(feature = "aws")]
async fn open_lambda(config: &Config, parts: Parts) -> Result<local::Opened> {
    lambda::open(config, parts).await
}

/// A build without the AWS parts cannot run in Lambda.
#[cfg(not(feature = "aws"))]
async fn open_lambda(_config: &Config, parts: Parts) -> Result<local::Opened> {
    match parts {
        Parts {
            kb: Some(kb),
            store: Some(store),
            blobs,
            ..
        } => Ok((kb, store, blobs, None)),
        _ => Err(crate::Error::Config(
            "this build has no AWS support (the `aws` feature)".into(),
        )),
    }
}
