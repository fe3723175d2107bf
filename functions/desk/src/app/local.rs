//! `baton serve` and the CLI on one machine: the SQLite file, the index rebuilt from the guides
//! when it is missing or stale, attachments in a directory, the help center rendered from the same
//! guides, and the background tasks that AWS runs as streams, schedules and lifecycles.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kb::{Corpus, KnowledgeBase, Manifest};

use super::{App, Parts};
use crate::attachments::{Blobs, DirBlobs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::sqlite::{Options, SqliteStore};

/// What a deployment opened: the index, the store, the attachments, and the guides when they were
/// read.
pub(super) type Opened = (
    Arc<KnowledgeBase>,
    Arc<dyn Store>,
    Option<Arc<dyn Blobs>>,
    Option<Corpus>,
);

/// Opens the configured SQLite file, index and attachment directory, except what `parts` holds.
pub(super) fn open(
    config: &Config,
    parts: Parts,
    encoder: Option<&encoder::Encoder>,
) -> Result<Opened> {
    let (kb, corpus) = match parts.kb {
        Some(kb) => (kb, None),
        None => {
            let corpus = read_guides(config)?;
            (Arc::new(index(config, &corpus, encoder)?), Some(corpus))
        }
    };
    let store: Arc<dyn Store> = match parts.store {
        Some(store) => store,
        None => Arc::new(sqlite(config)?),
    };
    let blobs = parts.blobs.or_else(|| {
        config.attachments.as_ref().map(|dir| {
            let max = config.attachments_max_mb.map(|mb| mb * 1024 * 1024);
            Arc::new(DirBlobs::new(dir).with_max_bytes(max)) as Arc<dyn Blobs>
        })
    });
    Ok((kb, store, blobs, corpus))
}

/// The SQLite store at `BATON_DB`, bounded by `BATON_DB_MAX_MB`.
pub fn sqlite(config: &Config) -> Result<SqliteStore> {
    SqliteStore::open_with(
        &config.db,
        Options {
            max_mb: config.db_max_mb,
            ..Options::default()
        },
    )
}

/// The guides at `BATON_GUIDES`.
pub fn read_guides(config: &Config) -> Result<Corpus> {
    Corpus::load(&config.guides).map_err(|e| {
        Error::Config(format!(
            "reading the guides in {}: {e}",
            config.guides.display()
        ))
    })
}

/// The index of `corpus` at `BATON_INDEX`, rebuilt first when it is missing or older than the
/// guides, or (with `encoder`) has no section vectors from that model. Sections are embedded
/// through the guides' cache ([`kb::dense::default_cache`]), so a rebuild embeds only what changed.
pub fn index(
    config: &Config,
    corpus: &Corpus,
    encoder: Option<&encoder::Encoder>,
) -> Result<KnowledgeBase> {
    let failed =
        |e: kb::Error| Error::Config(format!("the index at {}: {e}", config.index.display()));
    // A current index is opened once and kept, unless it lacks this model's vectors (or, with a
    // model, cannot be read): then it is rebuilt.
    if !Manifest::is_stale(&config.index, corpus) {
        match KnowledgeBase::open(&config.index) {
            Ok(kb) if encoder.is_none_or(|e| kb.has_vectors_of(e)) => return Ok(kb),
            Err(e) if encoder.is_none() => return Err(failed(e)),
            _ => {}
        }
    }

    tracing::info!(
        guides = %config.guides.display(),
        index = %config.index.display(),
        "building the index"
    );
    let embedder = encoder.map(|encoder| kb::dense::Embedder {
        encoder,
        // What the team committed beside its guides is read; what this desk embeds is kept
        // beside its index, never written into the guides.
        cache: Some(embed_cache(config)),
        seed: Some(config.guides.join("embeddings.cache")),
        progress: &|done, total| {
            if done == total || done % 64 < 16 {
                tracing::info!(done, total, "embedding sections");
            }
        },
    });
    let report =
        kb::build_with(corpus, &config.index, &|_| {}, embedder.as_ref()).map_err(failed)?;
    if let Some(problem) = report
        .embedded
        .as_ref()
        .and_then(|e| e.cache_problem.as_ref())
    {
        tracing::warn!(%problem, "the embedding cache was not saved");
    }
    tracing::info!(
        guides = report.manifest.guides,
        sections = report.manifest.sections,
        "index built"
    );
    KnowledgeBase::open(&config.index).map_err(failed)
}

/// Where a desk keeps the sections it embedded: beside its index (`data/kb-index.embeddings`).
fn embed_cache(config: &Config) -> std::path::PathBuf {
    let mut name = config.index.file_name().unwrap_or_default().to_os_string();
    name.push(".embeddings");
    config.index.with_file_name(name)
}

/// Renders the help center (with the widget and console) into `BATON_SITE` from the guides the
/// index was built from (read again only when the index came from elsewhere).
pub(super) fn render_site(
    config: &Config,
    corpus: &mut Option<Corpus>,
    local: SocketAddr,
) -> Result<kb::site::Report> {
    let corpus = match corpus {
        Some(corpus) => corpus,
        None => corpus.insert(read_guides(config)?),
    };
    let options = kb::site::Options {
        theme: config.theme.clone(),
        url: Some(
            config
                .site_url
                .clone()
                .unwrap_or_else(|| format!("http://{local}")),
        ),
    };
    kb::site::write(corpus, &config.site, &options).map_err(|e| {
        Error::Config(format!(
            "rendering the help center into {}: {e}",
            config.site.display()
        ))
    })
}

/// The key of mail thread tokens under `baton serve` without `BATON_MAIL_KEY`: kept in
/// `mail.key` beside the database (made once, readable by its owner only), so threads hold
/// across restarts.
pub fn mail_key(config: &Config) -> Result<Vec<u8>> {
    let dir = config
        .db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let path = dir.join("mail.key");
    let unavailable = |e: std::io::Error| Error::Unavailable(format!("{}: {e}", path.display()));
    match std::fs::read(&path) {
        Ok(key) if key.len() >= 32 => return Ok(key),
        Ok(_) => {
            return Err(Error::Config(format!(
                "{} is shorter than 32 bytes; delete it or set {}",
                path.display(),
                crate::config::MAIL_KEY
            )));
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(unavailable(e)),
        Err(_) => {}
    }
    std::fs::create_dir_all(dir).map_err(unavailable)?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Unavailable(format!("random: {e}")))?;
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    let mut file = options.open(&path).map_err(unavailable)?;
    file.write_all(key.as_bytes()).map_err(unavailable)?;
    Ok(key.into_bytes())
}

/// How often due mail is sent (replies wait at most this long for the relay).
const MAIL_EVERY: Duration = Duration::from_secs(2);

/// How often the scheduler runs (reminders, Monday's summary).
const TICK: Duration = Duration::from_secs(60);
/// How often old events are deleted.
const RETENTION: Duration = Duration::from_secs(24 * 3600);

/// Spawns `baton serve`'s background tasks on the current runtime.
pub(super) fn start_background(app: &mut App) {
    if let Some(task) = app.alerts.take() {
        tokio::spawn(task);
    }
    if let Some(task) = app.searches.take() {
        tokio::spawn(task);
    }
    // Retention: events older than BATON_EVENT_DAYS, at start and daily after.
    let store = Arc::clone(app.desk.store());
    let days = app.config.event_days;
    tokio::spawn(async move {
        let mut daily = tokio::time::interval(RETENTION);
        loop {
            daily.tick().await;
            let before = crate::model::now() - i64::from(days) * crate::insights::DAY;
            match store.forget_events(before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, days, "old events deleted"),
                Err(error) => tracing::warn!(%error, "old events not deleted"),
            }
        }
    });
    // Uploads begun and never completed hold disk: forgotten after a while (S3's lifecycle does
    // this in AWS).
    if let Some(blobs) = app.desk.blobs_store() {
        tokio::spawn(async move {
            let mut minutely = tokio::time::interval(TICK);
            loop {
                minutely.tick().await;
                match blobs
                    .forget_incoming(crate::attachments::INCOMING_TTL)
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(uploads = n, "abandoned uploads forgotten"),
                    Err(error) => tracing::warn!(%error, "abandoned uploads not forgotten"),
                }
            }
        });
    }
    // Mail: what is due leaves through the relay; what the relay refuses for now waits its turn.
    if let Some(relay) = app.settings.relay.clone()
        && app.desk.mail_settings().is_some()
    {
        let desk = app.desk.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(MAIL_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                every.tick().await;
                if let Err(error) = desk.send_due_mail(relay.as_ref()).await {
                    tracing::warn!(%error, "mail not sent");
                }
            }
        });
    }
    // The scheduler: reminders of unclaimed urgent cases and Monday's summary, with a webhook to
    // send them to.
    let webhook = app.settings.webhook.clone();
    if webhook.is_configured() {
        let desk = app.desk.clone();
        let schedule = app.settings.schedule;
        tokio::spawn(async move {
            let mut minutely = tokio::time::interval(TICK);
            minutely.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                minutely.tick().await;
                desk.tick(&webhook, schedule, crate::model::now()).await;
            }
        });
    }
}
