//! Reading a labelled table of messages (`{"text", "lang", "intent", "split"}` lines) with a set
//! of intents: how often each intent is read right, and each message read wrong.

use std::path::Path;

use serde::Deserialize;

use super::{IntentKind, Intents, Meaning};
use crate::error::{Error, IoContext, Result};

/// One labelled message of a variant table.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// The message.
    pub text: String,
    /// `ko` or `en`.
    pub lang: String,
    /// The intent's name, or `none` for a near-miss.
    pub intent: String,
    /// `dev` or `test`.
    #[serde(default)]
    pub split: String,
}

/// How a set of definitions reads a variant table.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// (intent, lang) → (read right, total); intent `none` counts near-misses left alone.
    pub rows: std::collections::BTreeMap<(String, String), (usize, usize)>,
    /// Every message read wrong, as a line.
    pub misses: Vec<String>,
}

impl Report {
    /// The share read right for `intent` in `lang` (`None`: no such cases).
    pub fn rate(&self, intent: &str, lang: &str) -> Option<f32> {
        self.rows
            .get(&(intent.to_string(), lang.to_string()))
            .map(|(right, total)| *right as f32 / (*total).max(1) as f32)
    }

    /// A table: one row per intent and language.
    pub fn table(&self) -> String {
        let mut out = String::from("intent                lang   right  total   rate\n");
        for ((intent, lang), (right, total)) in &self.rows {
            out.push_str(&format!(
                "{intent:<21} {lang:<5} {right:>6} {total:>6}  {:>5.3}\n",
                *right as f32 / (*total).max(1) as f32
            ));
        }
        out
    }
}

/// The labelled messages of `path` (JSON lines), only those of `split` if one is given.
pub fn cases(path: &Path, split: Option<&str>) -> Result<Vec<Case>> {
    let text = std::fs::read_to_string(path).at(path)?;
    let mut cases = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let case: Case = serde_json::from_str(line).map_err(|e| Error::QuerySet {
            path: path.to_path_buf(),
            line: n + 1,
            message: e.to_string(),
        })?;
        if split.is_none_or(|s| s == case.split) {
            cases.push(case);
        }
    }
    Ok(cases)
}

/// Reads `cases` with `intents`, by words, and by meaning too when `meanings` holds each case's
/// embedding: a message of an intent is read right when that intent is among those detected
/// (and, for an urgent kind, is the first urgent one); a near-miss when nothing is detected.
/// A message that is itself one of the examples is read without it (leave one out), so the
/// split the examples came from is measured as if it were new.
pub fn measure(intents: &Intents, cases: &[Case], meanings: Option<&[Meaning]>) -> Report {
    let examples = intents.example_texts();
    let mut report = Report::default();
    for (n, case) in cases.iter().enumerate() {
        let meaning = meanings.and_then(|m| m.get(n));
        let detected =
            intents.detect_skipping(&case.text, meaning, |e| examples[e] == case.text.as_str());
        let right = if case.intent == "none" {
            detected.is_empty()
        } else {
            let first_urgent = detected.iter().find(|i| i.kind == IntentKind::Urgent);
            match intents.get(&case.intent) {
                Some(i) if i.kind == IntentKind::Urgent => {
                    first_urgent.is_some_and(|u| u.name == case.intent)
                }
                Some(_) => detected.iter().any(|d| d.name == case.intent),
                None => false,
            }
        };
        let row = report
            .rows
            .entry((case.intent.clone(), case.lang.clone()))
            .or_default();
        row.1 += 1;
        if right {
            row.0 += 1;
        } else {
            let names: Vec<&str> = detected.iter().map(|d| d.name.as_str()).collect();
            report.misses.push(format!(
                "{:<20} {} got [{}]  {}",
                case.intent,
                case.lang,
                names.join(","),
                case.text
            ));
        }
    }
    report
}
