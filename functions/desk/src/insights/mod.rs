//! The weekly report a head of CX opens on Monday: inquiries by category and product area with
//! their change and trend, an honest bot ledger, searches that found nothing, how long people
//! took, urgent cases, satisfaction. One implementation for `baton insights`, the `insights`
//! function and the console; [`markdown`] and [`csv`] write it, JSON is its serde form
//! (`docs/insights.md`).
//!
//! Every figure about conversations is about the conversations **opened** in the period (their
//! first customer message), followed for as long as the events read go: a case handed off on
//! Sunday and resolved on Tuesday counts its resolution time in Sunday's week.

pub mod csv;
pub mod drafts;
#[cfg(feature = "test-suite")]
pub mod fixture;
pub mod health;
pub mod html;
pub mod markdown;
pub mod period;
pub mod requests;
pub mod svg;
mod threads;
pub mod topics;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use kb::KnowledgeBase;

use serde::Serialize;

pub use health::GuideHealth;
pub use period::{DAY, Period, WEEK};
pub use threads::{Outcome, Thread};
pub use topics::Topic;

use crate::error::Result;
use crate::events as key;
use crate::hours::{Availability, Hours};
use crate::model::{Category, EventKind, Millis};
use crate::store::Store;

/// The version of the JSON form; bumped only when a field changes meaning or goes away.
pub const SCHEMA: u32 = 1;
/// Weeks of the trend (this one and the three before).
pub const TREND_WEEKS: usize = 4;
/// A conversation "came back" when the same customer opens another about the same category and
/// area within this long.
pub const CAME_BACK_WITHIN: Millis = 7 * DAY;
/// Most organisations the report counts by.
pub const TOP_ORGANISATIONS: usize = 10;
/// Most zero-result searches listed.
const TOP_SEARCHES: usize = 10;
/// Most guides to write and feature requests listed.
pub const TOP_TOPICS: usize = 20;

/// What a report needs besides the events.
#[derive(Debug, Clone)]
pub struct Options {
    /// The team's hours (`None`: always open), to split times within and outside them.
    pub hours: Option<Hours>,
    /// The report's "now": nothing after it is read, and unclaimed urgent cases have waited
    /// until it.
    pub now: Millis,
    /// The guides as they are now (`None`: questions are grouped by their words alone, and
    /// guide health has no titles, closest guides or never-cited list).
    pub kb: Option<Arc<KnowledgeBase>>,
    /// The sentence model (`None`: questions are grouped without meaning).
    pub encoder: Option<Arc<encoder::Encoder>>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: u32,
    /// The period covered.
    pub period: Period,
    /// When it was computed (ms).
    pub generated_at: Millis,
    /// Conversations opened, with the previous period's.
    pub inquiries: Change,
    /// Inquiries by category, by area, and by both, ranked.
    pub volume: Volume,
    /// How the bot did.
    pub ledger: Ledger,
    /// Searches in the help center and through the API.
    pub searches: Searches,
    /// What the inquiry board's suggestions spared the team.
    pub deflection: Deflection,
    /// How long people took.
    pub times: Times,
    /// Every urgent case opened in the period, longest wait first.
    pub urgent: Vec<UrgentCase>,
    /// Ratings of the period's conversations.
    pub satisfaction: Satisfaction,
    /// What customers asked that the desk could not answer, grouped, most customers first: the
    /// guides to write (or the product to fix).
    pub guides_to_write: Vec<Topic>,
    /// How the guides did.
    pub guide_health: GuideHealth,
    /// Conversations filed as feature requests, their words grouped.
    pub feature_requests: Vec<Topic>,
    /// One row per conversation (the CSV form; not in the JSON).
    #[serde(skip)]
    pub conversations: Vec<Thread>,
}

/// A count and the previous period's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Change {
    /// This period.
    pub count: usize,
    /// The period before.
    pub previous: usize,
    /// `count - previous`.
    pub change: i64,
}

impl Change {
    fn new(count: usize, previous: usize) -> Change {
        Change {
            count,
            previous,
            change: count as i64 - previous as i64,
        }
    }
}

/// Inquiry volume.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Volume {
    /// The trend's periods, oldest first; the last is this one.
    pub weeks: Vec<String>,
    /// By category, most first (ties by name).
    pub by_category: Vec<Row>,
    /// By product area (`none`: no guide matched), most first.
    pub by_area: Vec<Row>,
    /// By category and area, most first.
    pub by_category_area: Vec<Row>,
    /// By channel (`web`, `mail`, …), most first.
    pub by_channel: Vec<Row>,
    /// By organisation (business customers), the [`TOP_ORGANISATIONS`] biggest.
    pub by_organisation: Vec<Row>,
}

/// One ranked row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Category code, area, or `category / area`.
    pub key: String,
    /// This period, the previous one, the change.
    #[serde(flatten)]
    pub count: Change,
    /// Counts per period of [`Volume::weeks`].
    pub trend: Vec<usize>,
}

/// The bot's ledger: every inquiry in exactly one of the first four counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ledger {
    /// Conversations opened.
    pub inquiries: usize,
    /// The customer said it was solved.
    pub confirmed: usize,
    /// The bot answered and the customer went silent (not counted as solved).
    pub silent: usize,
    /// The customer said the answer did not help, and left.
    pub not_helpful: usize,
    /// Handed to people.
    pub handed_off: usize,
    /// Hand-offs by reason code, most first.
    pub handed_off_by_reason: Vec<Row>,
    /// Conversations the same customer followed with another about the same category and area
    /// within 7 days (overlaps the counts above).
    pub came_back: usize,
    /// Of those, ones the customer had confirmed solved.
    pub came_back_after_confirmed: usize,
    /// `confirmed / inquiries`: only what customers confirmed counts as self-service.
    pub self_service_rate: f64,
}

/// Searches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Searches {
    /// Searches recorded.
    pub count: usize,
    /// Of those, with no result.
    pub zero_results: usize,
    /// Of those, with results but none the bot would have offered (probability below its
    /// `clarify_at`).
    pub weak_results: usize,
    /// The zero-result searches asked most (by the same words), most first.
    pub top_zero_results: Vec<Asked>,
}

/// The inquiry board's suggestions: forms where the reader opened a guide the board suggested
/// while they wrote, and of those, how many sent no inquiry (the guides answered them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Deflection {
    /// Forms of the period in which a suggested guide was opened.
    pub opened: usize,
    /// Of those, forms from which no inquiry was sent (as far as the events read go: a week
    /// past the period).
    pub deflected: usize,
}

/// Words customers used, and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asked {
    /// The words (masked).
    pub words: String,
    /// How many times.
    pub count: usize,
}

/// Durations after the hand-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Times {
    /// Whether business hours are set (otherwise every hand-off is "within").
    pub hours_set: bool,
    /// Hand-off to the first claim or reply.
    pub to_claim: Split,
    /// Hand-off to the first operator reply.
    pub to_first_reply: Split,
    /// Hand-off to the resolution.
    pub to_resolve: Split,
}

/// A duration within and outside business hours (by when the hand-off happened).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    /// All of them.
    pub all: Stat,
    /// Handed off while the team was on shift.
    pub within_hours: Stat,
    /// Handed off while nobody was.
    pub outside_hours: Stat,
}

/// Median and 90th percentile (nearest rank), in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stat {
    /// How many durations.
    pub count: usize,
    /// Median (`None` when there are none).
    pub median_ms: Option<Millis>,
    /// 90th percentile.
    pub p90_ms: Option<Millis>,
}

/// One urgent case and its wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrgentCase {
    /// The conversation.
    pub conversation_id: String,
    /// The situation (`payment_failed` …).
    pub urgency: String,
    /// When it became urgent.
    pub since: Millis,
    /// Until someone claimed it, or until the report if nobody has.
    pub waited_ms: Millis,
    /// Whether someone has.
    pub claimed: bool,
}

/// Ratings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Satisfaction {
    /// How many.
    pub count: usize,
    /// Their mean (`None` when there are none).
    pub average: Option<f64>,
    /// How many gave 1, 2, 3, 4, 5.
    pub distribution: [usize; 5],
}

/// The report for `period`, from the store's events.
pub async fn report(store: &dyn Store, period: &Period, options: &Options) -> Result<Report> {
    let length = period.to - period.from;
    let first = period.from - (TREND_WEEKS as Millis - 1) * length;
    // Conversations of the period are followed a week past its end, as far as events exist.
    let last = (period.to + CAME_BACK_WITHIN)
        .min(options.now + 1)
        .max(period.to);
    let mut threads = threads::Threads::default();
    let mut searches: Vec<(bool, String)> = Vec::new();
    let mut weak_searches = 0usize;
    let mut unanswered: Vec<topics::Question> = Vec::new();
    let mut tally = health::Tally::default();
    // Board forms with a suggestion opened in the period, and forms an inquiry was sent from.
    let mut suggested: std::collections::BTreeSet<String> = Default::default();
    let mut sent: std::collections::BTreeSet<String> = Default::default();
    // A day at a time, so a busy year never sits in memory at once; the next day is read while
    // this one is counted (the store reads on its own thread, or over the network).
    let mut days = Vec::new();
    let mut at = first;
    while at < last {
        let end = (at + DAY).min(last);
        days.push((at, end));
        at = end;
    }
    let mut pending = match days.first() {
        Some(&(from, to)) => store.events(from, to).await?,
        None => Vec::new(),
    };
    for i in 0..days.len() {
        let current = std::mem::take(&mut pending);
        let fetch = async {
            match days.get(i + 1) {
                Some(&(from, to)) => store.events(from, to).await,
                None => Ok(Vec::new()),
            }
        };
        let count = async {
            for event in &current {
                if period.contains(event.at) {
                    tally.add(event);
                    if let Some(question) = unanswered_search(event) {
                        unanswered.push(question);
                    }
                    if event.kind == EventKind::SuggestionOpened
                        && let Some(form) = event.data.get(key::FORM)
                    {
                        suggested.insert(form.clone());
                    }
                    if event.kind == EventKind::Search {
                        weak_searches += usize::from(
                            event.data.get(key::HITS).map(String::as_str) != Some("0")
                                && is_weak(event),
                        );
                        let zero = event.data.get(key::HITS).map(String::as_str) == Some("0");
                        searches.push((
                            zero,
                            event.data.get(key::QUERY).cloned().unwrap_or_default(),
                        ));
                    }
                }
                if event.kind == EventKind::Open
                    && let Some(form) = event.data.get(key::FORM)
                {
                    sent.insert(form.clone());
                }
                threads.add(event);
            }
        };
        let (fetched, ()) = tokio::join!(fetch, count);
        pending = fetched?;
    }
    let threads = threads.opened();
    let mut windows: Vec<Period> =
        std::iter::successors(Some(period.clone()), |p| Some(p.before()))
            .take(TREND_WEEKS)
            .collect();
    windows.reverse();
    // The period's conversations, by index: read here by reference, and after the move below.
    let opened: Vec<usize> = threads
        .iter()
        .enumerate()
        .filter(|(_, t)| t.opened.is_some_and(|at| period.contains(at)))
        .map(|(i, _)| i)
        .collect();
    let this: Vec<&Thread> = opened.iter().map(|&i| &threads[i]).collect();
    let previous = &windows[TREND_WEEKS - 2];
    let previous_count = threads
        .iter()
        .filter(|t| t.opened.is_some_and(|at| previous.contains(at)))
        .count();
    let mut requests: Vec<topics::Question> = Vec::new();
    for t in &this {
        unanswered.extend(unanswered_in(t));
        if t.category == Some(Category::FeatureRequest) {
            requests.push(question(t, &t.question, topics::Source::FeatureRequest));
        }
    }
    // Everything that reads the conversations by reference first; then they move to the
    // blocking pool (grouping searches the guides and compares every pair of wordings).
    let inquiries = Change::new(this.len(), previous_count);
    let volume = volume(&threads, &windows);
    let ledger = ledger(&this, &threads);
    let times = times(&this, options.hours.as_ref());
    let urgent = urgent(&this, options.now);
    let satisfaction = satisfaction(&this);
    let kb = options.kb.clone();
    let encoder = options.encoder.clone();
    let p = period.clone();
    let (guides_to_write, feature_requests, guide_health, conversations) =
        tokio::task::spawn_blocking(move || {
            let kb = kb.as_deref();
            let encoder = encoder.as_deref();
            let mut write = topics::group(kb, encoder, &unanswered);
            write.truncate(TOP_TOPICS);
            let mut requests = topics::group(kb, encoder, &requests);
            requests.truncate(TOP_TOPICS);
            let this: Vec<&Thread> = opened.iter().map(|&i| &threads[i]).collect();
            let health = tally.finish(&this, &threads, kb, &p, p.offset);
            let conversations = this.into_iter().cloned().collect();
            (write, requests, health, conversations)
        })
        .await
        .map_err(|e| crate::error::Error::Unavailable(format!("insights task: {e}")))?;
    Ok(Report {
        schema: SCHEMA,
        period: period.clone(),
        generated_at: options.now,
        inquiries,
        volume,
        ledger,
        searches: Searches {
            weak_results: weak_searches,
            ..search_summary(searches)
        },
        deflection: Deflection {
            opened: suggested.len(),
            deflected: suggested.difference(&sent).count(),
        },
        times,
        urgent,
        satisfaction,
        guides_to_write,
        guide_health,
        feature_requests,
        conversations,
    })
}

fn question(t: &Thread, words: &str, source: topics::Source) -> topics::Question {
    topics::Question {
        words: words.to_string(),
        asker: if t.customer.is_empty() {
            t.id.clone()
        } else {
            t.customer.clone()
        },
        source,
        area: t.area.clone(),
    }
}

/// A conversation's questions the bot could not answer: the hand-off's words when it was not
/// confident, and the answer the customer said did not help.
fn unanswered_in(t: &Thread) -> Vec<topics::Question> {
    let mut out = Vec::new();
    // Far from every guide is a guide to write too, when it is about the product.
    if t.handed_off.is_some() && matches!(t.reason.as_str(), "low_confidence" | "out_of_scope") {
        out.push(question(t, &t.question, topics::Source::LowConfidence));
    }
    if t.not_helpful && !t.not_helpful_question.is_empty() {
        out.push(question(
            t,
            &t.not_helpful_question,
            topics::Source::NotHelpful,
        ));
    }
    out
}

/// Whether a search that found guides found none the bot would have offered.
fn is_weak(event: &crate::model::Event) -> bool {
    event
        .data
        .get(key::PROBABILITY)
        .and_then(|p| p.parse::<f32>().ok())
        .is_some_and(|p| p < crate::bot::Policy::default().clarify_at)
}

/// A search that found nothing, or nothing the bot would offer, or the search a reader came from
/// before voting "no".
fn unanswered_search(event: &crate::model::Event) -> Option<topics::Question> {
    let get = |k: &str| event.data.get(k).map(String::as_str).unwrap_or_default();
    let (words, source) = match event.kind {
        // Operators' searches (the console's guide search) are not questions of customers; a
        // search recorded before sources were is a customer's.
        EventKind::Search
            if !get(key::SOURCE).is_empty() && !key::is_customer_source(get(key::SOURCE)) =>
        {
            return None;
        }
        EventKind::Search if get(key::HITS) == "0" => {
            (get(key::QUERY), topics::Source::ZeroResults)
        }
        EventKind::Search if is_weak(event) => (get(key::QUERY), topics::Source::WeakResults),
        EventKind::ArticleFeedback if get(key::HELPFUL) == "false" => {
            (get(key::SEARCH), topics::Source::ArticleNo)
        }
        _ => return None,
    };
    (!words.trim().is_empty()).then(|| topics::Question {
        words: words.to_string(),
        // Nobody is named: the same words on the same day count as one asker, so one reader
        // (or a flood) searching again does not rank a question higher.
        asker: format!(
            "anon:{}:{}",
            event.at.div_euclid(DAY),
            words
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        ),
        source,
        area: event.area.clone(),
    })
}

fn category_code(category: Option<Category>) -> &'static str {
    category.map_or("none", Category::code)
}

fn volume(threads: &[Thread], windows: &[Period]) -> Volume {
    type Key = fn(&Thread) -> String;
    let keys: [Key; 5] = [
        |t| category_code(t.category).to_string(),
        |t| t.area.clone().unwrap_or_else(|| "none".into()),
        |t| {
            format!(
                "{} / {}",
                category_code(t.category),
                t.area.as_deref().unwrap_or("none")
            )
        },
        |t| {
            if t.channel.is_empty() {
                "web".to_string()
            } else {
                t.channel.clone()
            }
        },
        |t| t.organisation.clone(),
    ];
    let [
        by_category,
        by_area,
        by_category_area,
        by_channel,
        mut by_organisation,
    ] = keys.map(|key| {
        let mut trend: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for thread in threads {
            let Some(opened) = thread.opened else {
                continue;
            };
            if let Some(w) = windows.iter().position(|w| w.contains(opened)) {
                trend
                    .entry(key(thread))
                    .or_insert_with(|| vec![0; windows.len()])[w] += 1;
            }
        }
        let last = windows.len() - 1;
        ranked(
            trend
                .into_iter()
                // A row appears when it has inquiries this period or the one before.
                .filter(|(_, counts)| counts[last] + counts[last - 1] > 0)
                .map(|(key, counts)| Row {
                    key,
                    count: Change::new(counts[last], counts[last - 1]),
                    trend: counts,
                })
                .collect(),
        )
    });
    // Business customers: those with an organisation, the biggest ones.
    by_organisation.retain(|r| !r.key.is_empty());
    by_organisation.truncate(TOP_ORGANISATIONS);
    Volume {
        weeks: windows.iter().map(|w| w.label.clone()).collect(),
        by_category,
        by_area,
        by_category_area,
        by_channel,
        by_organisation,
    }
}

/// Most first; ties by key so the report is stable.
fn ranked(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by(|a, b| {
        b.count
            .count
            .cmp(&a.count.count)
            .then_with(|| a.key.cmp(&b.key))
    });
    rows
}

fn ledger(this: &[&Thread], all: &[Thread]) -> Ledger {
    let count = |outcome: Outcome| this.iter().filter(|t| t.outcome() == outcome).count();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for thread in this.iter().filter(|t| t.handed_off.is_some()) {
        *reasons.entry(thread.reason.clone()).or_default() += 1;
    }
    // The same customer's conversations, to find the ones followed by another about the same thing.
    let mut by_customer: HashMap<&str, Vec<&Thread>> = HashMap::new();
    for thread in all.iter().filter(|t| !t.customer.is_empty()) {
        by_customer
            .entry(&thread.customer)
            .or_default()
            .push(thread);
    }
    let came_back = |t: &Thread| -> bool {
        let (Some(opened), Some(others)) = (t.opened, by_customer.get(t.customer.as_str())) else {
            return false;
        };
        others.iter().any(|o| {
            o.id != t.id
                && o.category == t.category
                && o.area == t.area
                && o.opened
                    .is_some_and(|at| at > opened && at <= opened + CAME_BACK_WITHIN)
        })
    };
    let inquiries = this.len();
    let confirmed = count(Outcome::Confirmed);
    Ledger {
        inquiries,
        confirmed,
        silent: count(Outcome::Silent),
        not_helpful: count(Outcome::NotHelpful),
        handed_off: count(Outcome::HandedOff),
        handed_off_by_reason: ranked(
            reasons
                .into_iter()
                .map(|(key, n)| Row {
                    key,
                    count: Change::new(n, 0),
                    trend: Vec::new(),
                })
                .collect(),
        ),
        came_back: this.iter().filter(|t| came_back(t)).count(),
        came_back_after_confirmed: this
            .iter()
            .filter(|t| t.outcome() == Outcome::Confirmed && came_back(t))
            .count(),
        self_service_rate: if inquiries == 0 {
            0.0
        } else {
            confirmed as f64 / inquiries as f64
        },
    }
}

fn search_summary(searches: Vec<(bool, String)>) -> Searches {
    let mut zero: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (_, words) in searches.iter().filter(|(zero, _)| *zero) {
        let folded = words.trim().to_lowercase();
        zero.entry(folded)
            .or_insert_with(|| (0, words.trim().to_string()))
            .0 += 1;
    }
    let mut top: Vec<Asked> = zero
        .into_values()
        .map(|(count, words)| Asked { words, count })
        .collect();
    top.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.words.cmp(&b.words)));
    top.truncate(TOP_SEARCHES);
    Searches {
        count: searches.len(),
        zero_results: searches.iter().filter(|(zero, _)| *zero).count(),
        weak_results: 0,
        top_zero_results: top,
    }
}

/// Median and p90 by nearest rank: the smallest value at least that share of values reach.
pub fn stat(mut values: Vec<Millis>) -> Stat {
    values.sort_unstable();
    let rank = |p: f64| {
        let n = values.len();
        (n > 0).then(|| values[((p * n as f64).ceil() as usize).clamp(1, n) - 1])
    };
    Stat {
        count: values.len(),
        median_ms: rank(0.5),
        p90_ms: rank(0.9),
    }
}

fn times(this: &[&Thread], hours: Option<&Hours>) -> Times {
    let within = |t: &Thread| match (hours, t.handed_off) {
        (Some(hours), Some(at)) => hours.at(at) == Availability::Open,
        _ => true,
    };
    let split = |end: fn(&Thread) -> Option<Millis>| {
        let durations = |keep: &dyn Fn(&Thread) -> bool| {
            stat(
                this.iter()
                    .filter(|t| keep(t))
                    .filter_map(|t| Some(end(t)? - t.handed_off?))
                    .filter(|d| *d >= 0)
                    .collect(),
            )
        };
        Split {
            all: durations(&|_| true),
            within_hours: durations(&|t| within(t)),
            outside_hours: durations(&|t| !within(t)),
        }
    };
    Times {
        hours_set: hours.is_some(),
        to_claim: split(|t| t.claimed.as_ref().map(|(at, _)| *at)),
        to_first_reply: split(|t| t.first_reply),
        to_resolve: split(|t| t.resolved),
    }
}

fn urgent(this: &[&Thread], now: Millis) -> Vec<UrgentCase> {
    let mut cases: Vec<UrgentCase> = this
        .iter()
        .filter_map(|t| {
            let since = t.urgent_since?;
            let claimed = t.claimed_urgent.or(t.claimed.as_ref().map(|(at, _)| *at));
            Some(UrgentCase {
                conversation_id: t.id.clone(),
                urgency: t.urgency.clone(),
                since,
                // Held already when it became urgent: nobody waited.
                waited_ms: claimed.map_or(now - since, |at| (at - since).max(0)),
                claimed: claimed.is_some(),
            })
        })
        .collect();
    cases.sort_by(|a, b| {
        b.waited_ms
            .cmp(&a.waited_ms)
            .then_with(|| a.conversation_id.cmp(&b.conversation_id))
    });
    cases
}

fn satisfaction(this: &[&Thread]) -> Satisfaction {
    let mut distribution = [0usize; 5];
    let scores: Vec<u8> = this
        .iter()
        .filter_map(|t| t.rating)
        .filter(|s| (1..=5).contains(s))
        .collect();
    for score in &scores {
        distribution[usize::from(*score) - 1] += 1;
    }
    Satisfaction {
        count: scores.len(),
        average: (!scores.is_empty())
            .then(|| scores.iter().map(|s| f64::from(*s)).sum::<f64>() / scores.len() as f64),
        distribution,
    }
}
