//! Guide health: which guides and sections the bot cites, how often people had to take over
//! after it cited one, how readers and customers voted, which guides nobody is shown, and which
//! guides did worse after their last edit.

use std::collections::BTreeMap;

use kb::KnowledgeBase;
use serde::Serialize;
use time::UtcOffset;

use super::{Period, Thread};
use crate::events as key;
use crate::model::{Event, EventKind, Feedback};

/// Conversations on each side of an edit before a rise is flagged: fewer say nothing.
pub const MIN_CONVERSATIONS: usize = 3;
/// Sections listed at most.
const TOP_SECTIONS: usize = 20;

/// How the guides did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GuideHealth {
    /// Guides cited or voted on in the period, most cited first.
    pub guides: Vec<GuideRow>,
    /// Sections cited, most cited first (at most 20).
    pub sections: Vec<SectionRow>,
    /// Guides of the knowledge base the bot did not cite once in the period.
    pub never_cited: Vec<String>,
    /// Guides whose conversations were handed off more often after their `updated` date.
    pub rose_after_update: Vec<Rise>,
}

/// One guide.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GuideRow {
    /// Guide id.
    pub guide: String,
    /// Its title (empty when the guide is gone).
    pub title: String,
    /// Conversations opened in the period the bot showed it in (before any hand-off).
    pub cited: usize,
    /// Of those, handed off after.
    pub handed_off_after: usize,
    /// "Helpful" verdicts on answers citing it first, and "yes" votes under it.
    pub helpful: usize,
    /// "Not helpful" verdicts and "no" votes.
    pub not_helpful: usize,
    /// `not_helpful / (helpful + not_helpful)` (`None`: no votes).
    pub not_helpful_rate: Option<f64>,
}

/// One section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionRow {
    /// `guide#anchor` (no anchor: the introduction).
    pub section: String,
    /// Its heading (empty for the introduction or a section gone).
    pub heading: String,
    /// Conversations opened in the period the bot showed it in.
    pub cited: usize,
    /// Of those, handed off after.
    pub handed_off_after: usize,
}

/// A guide that did worse after an edit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rise {
    /// Guide id.
    pub guide: String,
    /// Its `updated` date.
    pub updated: String,
    /// Conversations that cited it before that date.
    pub before: Rate,
    /// And from that date on.
    pub after: Rate,
}

/// Hand-offs among conversations that cited a guide.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// Conversations.
    pub conversations: usize,
    /// Of them, handed off.
    pub handed_off: usize,
    /// `handed_off / conversations`.
    pub rate: f64,
}

impl Rate {
    fn of<'a>(threads: impl Iterator<Item = &'a Thread>) -> Rate {
        let (mut conversations, mut handed_off) = (0, 0);
        for t in threads {
            conversations += 1;
            handed_off += usize::from(t.handed_off.is_some());
        }
        Rate {
            conversations,
            handed_off,
            rate: if conversations == 0 {
                0.0
            } else {
                handed_off as f64 / conversations as f64
            },
        }
    }
}

/// Counts from the period's events, added one at a time.
#[derive(Debug, Default)]
pub struct Tally {
    guides: BTreeMap<String, GuideRow>,
    sections: BTreeMap<String, SectionRow>,
}

impl Tally {
    /// Counts one event of the period (votes; citations come from the conversations).
    pub fn add(&mut self, event: &Event) {
        let get = |k: &str| event.data.get(k).map(String::as_str).unwrap_or_default();
        match event.kind {
            EventKind::Feedback if !get(key::GUIDE).is_empty() => {
                let row = self.guide(get(key::GUIDE));
                match get(key::VERDICT) {
                    v if v == Feedback::Helpful.code() => row.helpful += 1,
                    v if v == Feedback::NotHelpful.code() => row.not_helpful += 1,
                    _ => {}
                }
            }
            EventKind::ArticleFeedback if !get(key::GUIDE).is_empty() => {
                let row = self.guide(get(key::GUIDE));
                match get(key::HELPFUL) {
                    "true" => row.helpful += 1,
                    "false" => row.not_helpful += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn guide(&mut self, id: &str) -> &mut GuideRow {
        self.guides
            .entry(id.to_string())
            .or_insert_with(|| GuideRow {
                guide: id.to_string(),
                ..GuideRow::default()
            })
    }

    fn section(&mut self, id: &str) -> &mut SectionRow {
        self.sections
            .entry(id.to_string())
            .or_insert_with(|| SectionRow {
                section: id.to_string(),
                heading: String::new(),
                cited: 0,
                handed_off_after: 0,
            })
    }

    /// The health of the guides, from the tally, the period's conversations (`this`), every
    /// conversation read (`all`, for before and after an edit) and the guides as they are now.
    pub fn finish(
        mut self,
        this: &[&Thread],
        all: &[Thread],
        kb: Option<&KnowledgeBase>,
        period: &Period,
        offset: UtcOffset,
    ) -> GuideHealth {
        // Both counts per conversation opened in the period, so they compare.
        for thread in this {
            let handed_off = usize::from(thread.handed_off.is_some());
            for guide in &thread.cited {
                let row = self.guide(guide);
                row.cited += 1;
                row.handed_off_after += handed_off;
            }
            for section in &thread.sections {
                let row = self.section(section);
                row.cited += 1;
                row.handed_off_after += handed_off;
            }
        }
        let mut guides: Vec<GuideRow> = self.guides.into_values().collect();
        for row in &mut guides {
            row.title = kb
                .and_then(|kb| kb.guide(&row.guide))
                .map(|g| g.guide.title.clone())
                .unwrap_or_default();
            let votes = row.helpful + row.not_helpful;
            row.not_helpful_rate = (votes > 0).then(|| row.not_helpful as f64 / votes as f64);
        }
        guides.sort_by(|a, b| b.cited.cmp(&a.cited).then_with(|| a.guide.cmp(&b.guide)));
        let mut sections: Vec<SectionRow> = self.sections.into_values().collect();
        for row in &mut sections {
            let (guide, anchor) = row.section.split_once('#').unwrap_or((&row.section, ""));
            row.heading = kb
                .and_then(|kb| kb.guide(guide))
                .and_then(|g| g.sections.iter().find(|s| s.anchor == anchor))
                .map(|s| s.heading.clone())
                .unwrap_or_default();
        }
        sections.sort_by(|a, b| {
            b.cited
                .cmp(&a.cited)
                .then_with(|| a.section.cmp(&b.section))
        });
        sections.truncate(TOP_SECTIONS);
        let never_cited = kb.map_or_else(Vec::new, |kb| {
            kb.guides()
                .iter()
                .map(|g| g.guide.id.clone())
                .filter(|id| !guides.iter().any(|r| &r.guide == id && r.cited > 0))
                .collect()
        });
        GuideHealth {
            rose_after_update: kb.map_or_else(Vec::new, |kb| rises(kb, all, period, offset)),
            guides,
            sections,
            never_cited,
        }
    }
}

/// Guides edited within the conversations read whose hand-off rate rose after the edit.
fn rises(kb: &KnowledgeBase, all: &[Thread], period: &Period, offset: UtcOffset) -> Vec<Rise> {
    let first = all
        .iter()
        .filter_map(|t| t.opened)
        .min()
        .unwrap_or(period.from);
    let mut rises = Vec::new();
    for entry in kb.guides() {
        let Some(updated) = entry.guide.updated.as_deref() else {
            continue;
        };
        let Ok(at) = super::period::day_start(updated.get(..10).unwrap_or(updated), offset) else {
            continue;
        };
        if at <= first || at >= period.to {
            continue;
        }
        let citing = || {
            all.iter()
                .filter(|t| t.cited.contains(&entry.guide.id))
                .filter(|t| t.opened.is_some_and(|o| o < period.to))
        };
        let before = Rate::of(citing().filter(|t| t.opened.is_some_and(|o| o < at)));
        let after = Rate::of(citing().filter(|t| t.opened.is_some_and(|o| o >= at)));
        if before.conversations >= MIN_CONVERSATIONS
            && after.conversations >= MIN_CONVERSATIONS
            && after.rate > before.rate
        {
            rises.push(Rise {
                guide: entry.guide.id.clone(),
                updated: updated.to_string(),
                before,
                after,
            });
        }
    }
    rises
}
