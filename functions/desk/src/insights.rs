//! The weekly report: inquiries of the last seven days counted by category and product area, for
//! the product team. In AWS the `insights` function runs it on an EventBridge schedule.
//!
//! Counted from the desk's events (one inquiry is one conversation): its category and area are
//! those of its hand-off if it had one, else of the bot's last answer.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::Result;
use crate::model::{Category, EventKind, Millis};
use crate::store::Store;

/// A week, in milliseconds.
pub const WEEK: Millis = 7 * 24 * 3600 * 1000;

/// The report for `[from, to)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Start (inclusive).
    pub from: Millis,
    /// End (exclusive).
    pub to: Millis,
    /// Conversations with at least one question.
    pub inquiries: usize,
    /// Of those, handed to a person.
    pub handed_off: usize,
    /// Inquiries per category, most first.
    pub by_category: Vec<Count>,
    /// Inquiries per product area, most first (`none` when no guide matched).
    pub by_area: Vec<Count>,
}

/// One row of a ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The category or area.
    pub key: String,
    /// How many inquiries.
    pub count: usize,
}

#[derive(Default)]
struct Inquiry {
    category: Option<Category>,
    area: Option<String>,
    handed_off: bool,
}

/// The report of the week that ends at `to`.
pub async fn weekly(store: &dyn Store, to: Millis) -> Result<Report> {
    let from = to - WEEK;
    let mut inquiries: HashMap<String, Inquiry> = HashMap::new();
    for event in store.events(from, to).await? {
        let inquiry = match event.kind {
            EventKind::BotTurn | EventKind::Handoff => {
                inquiries.entry(event.conversation_id).or_default()
            }
            _ => continue,
        };
        if inquiry.handed_off {
            continue; // the hand-off's classification stands
        }
        inquiry.handed_off = event.kind == EventKind::Handoff;
        if event.category.is_some() {
            inquiry.category = event.category;
        }
        if event.area.is_some() {
            inquiry.area = event.area;
        }
    }
    let mut by_category = BTreeMap::new();
    let mut by_area = BTreeMap::new();
    for inquiry in inquiries.values() {
        let category = inquiry.category.map_or("none", Category::code);
        *by_category.entry(category.to_string()).or_insert(0) += 1;
        let area = inquiry.area.clone().unwrap_or_else(|| "none".into());
        *by_area.entry(area).or_insert(0) += 1;
    }
    Ok(Report {
        from,
        to,
        inquiries: inquiries.len(),
        handed_off: inquiries.values().filter(|i| i.handed_off).count(),
        by_category: ranking(by_category),
        by_area: ranking(by_area),
    })
}

/// Most first; ties by name so the report is stable.
fn ranking(counts: BTreeMap<String, usize>) -> Vec<Count> {
    let mut rows: Vec<Count> = counts
        .into_iter()
        .map(|(key, count)| Count { key, count })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    rows
}
