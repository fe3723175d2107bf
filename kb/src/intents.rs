//! What a customer's message says they want, beyond a question: urgent situations, a person,
//! "that didn't help", "solved", a feature request. Defined per team in a file next to the guides
//! (`intents.toml`, named by `kb.toml`), checked by `kb check` and compiled into the index, because
//! a fintech team's urgent situations are not a game studio's.
//!
//! A definition is a list of patterns over words as customers type them: each pattern is groups of
//! alternatives (`결제|payment + 실패|안 돼|fail|declin`) that must all occur within a window of
//! words, **in any order**, so `결제가 카드로는 계속 안 돼요` and `카드 결제 안됨` are one pattern.
//! Hangul alternatives match inside words and across spacing (`결제가안돼요`), so particles,
//! endings and missing spaces do not matter; Latin alternatives match word prefixes (`declin`
//! matches `declined`) after apostrophes are dropped (`can't` is `cant`). `unless` patterns veto
//! the intent (`해킹 + 아니`: "not hacked"; `what happens if`): the near-misses.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::analysis::is_hangul;
use crate::error::{Error, IoContext, Result};

/// Shortest Latin alternative matched as a prefix (`declin` → `declined`); shorter ones match
/// whole words only.
const MIN_PREFIX: usize = 4;
/// Words a pattern's groups may span, unless an intent sets its own.
const DEFAULT_WINDOW: usize = 8;

/// What an intent is for, which decides what the bot does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentKind {
    /// Money, access or availability at stake: hand off as urgent and alert the team.
    Urgent,
    /// The customer wants a person.
    Human,
    /// The customer says the last answer did not help.
    NotHelpful,
    /// The customer says it is solved.
    Solved,
    /// The customer asks for something the product does not do.
    FeatureRequest,
}

/// One definition, as the file writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Definition {
    name: String,
    kind: IntentKind,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    window: Option<usize>,
    #[serde(rename = "match")]
    patterns: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, rename = "intent")]
    intents: Vec<Definition>,
    /// Vetoes for every intent of a kind (`안 급해요`, `not urgent` for all urgent ones).
    #[serde(default)]
    veto: Vec<Veto>,
}

/// `[[veto]] kind = "urgent" unless = [...]`: patterns that veto every intent of `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Veto {
    kind: IntentKind,
    unless: Vec<String>,
}

/// A recognized intent.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    /// Its name (`payment_failed`, `human`).
    pub name: String,
    /// What it is for.
    pub kind: IntentKind,
    /// Words for an alert (`결제 실패 / payment failed`).
    pub label: Option<String>,
    /// The inquiry category it implies (`billing_payment`).
    pub category: Option<String>,
    window: usize,
    patterns: Vec<Pattern>,
    unless: Vec<Pattern>,
}

/// Groups of alternatives that must all occur within the window, in any order.
#[derive(Debug, Clone, PartialEq)]
struct Pattern {
    groups: Vec<Vec<Alternative>>,
}

/// One alternative: Hangul matched inside the spaceless text, or Latin words matched by prefix.
#[derive(Debug, Clone, PartialEq)]
enum Alternative {
    Hangul(String),
    Latin(Vec<String>),
}

/// A set of definitions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Intents {
    intents: Vec<Intent>,
}

/// A message as the matcher reads it: its words, and its Hangul without spaces with the word
/// each character belongs to.
struct Words {
    latin: Vec<(usize, String)>,
    hangul: String,
    hangul_word: Vec<usize>,
}

impl Words {
    fn of(text: &str) -> Words {
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, '\'' | '’' | '`'))
            .collect();
        let mut latin = Vec::new();
        let mut hangul = String::new();
        let mut hangul_word = Vec::new();
        for (position, word) in crate::analysis::word_runs(&cleaned).into_iter().enumerate() {
            // Numbers belong to both: `2번` is one Hangul term, `502` one Latin word.
            let number = word.chars().all(|c| c.is_ascii_digit());
            if number || word.starts_with(is_hangul) {
                for c in word.chars() {
                    hangul.push(c);
                    hangul_word.push(position);
                }
            }
            if !word.starts_with(is_hangul) {
                latin.push((position, word));
            }
        }
        Words {
            latin,
            hangul,
            hangul_word,
        }
    }

    /// The word positions where `alternative` occurs.
    fn positions(&self, alternative: &Alternative) -> Vec<usize> {
        match alternative {
            Alternative::Hangul(term) => {
                let length = term.chars().count();
                self.hangul
                    .match_indices(term.as_str())
                    .filter_map(|(byte, _)| {
                        let start = self.hangul[..byte].chars().count();
                        let word = self.hangul_word[start];
                        // Across a space only from a word's start: `결제 안` is not `제안`.
                        let one_word = self.hangul_word[start + length - 1] == word;
                        let at_start = start == 0 || self.hangul_word[start - 1] != word;
                        (one_word || at_start).then_some(word)
                    })
                    .collect()
            }
            Alternative::Latin(words) => (0..self.latin.len())
                .filter(|&i| {
                    let first = self.latin[i].0;
                    words.iter().enumerate().all(|(k, w)| {
                        self.latin.get(i + k).is_some_and(|(p, word)| {
                            // Short words match whole (`ty` is not `type`), longer ones by prefix.
                            *p == first + k
                                && if w.len() >= MIN_PREFIX {
                                    word.starts_with(w.as_str())
                                } else {
                                    word == w
                                }
                        })
                    })
                })
                .map(|i| self.latin[i].0)
                .collect(),
        }
    }
}

impl Pattern {
    fn parse(text: &str) -> std::result::Result<Pattern, String> {
        let mut groups = Vec::new();
        for group in text.split('+') {
            let mut alternatives = Vec::new();
            for alternative in group.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                let folded = crate::analysis::word_runs(
                    &alternative
                        .chars()
                        .filter(|c| !matches!(c, '\'' | '’'))
                        .collect::<String>(),
                );
                if folded.is_empty() {
                    return Err(format!("\"{alternative}\" has no letters or digits"));
                }
                let hangul = folded.iter().any(|w| w.starts_with(is_hangul));
                let latin = folded
                    .iter()
                    .any(|w| !w.starts_with(is_hangul) && !w.chars().all(|c| c.is_ascii_digit()));
                alternatives.push(match (hangul, latin) {
                    (true, false) => Alternative::Hangul(folded.concat()),
                    (false, _) => Alternative::Latin(folded),
                    (true, true) => {
                        return Err(format!("\"{alternative}\" mixes Hangul and Latin letters"));
                    }
                });
            }
            if alternatives.is_empty() {
                return Err(format!("\"{text}\" has an empty group"));
            }
            groups.push(alternatives);
        }
        Ok(Pattern { groups })
    }

    /// Whether every group occurs, all within `window` words of each other.
    fn matches(&self, words: &Words, window: usize) -> bool {
        let positions: Vec<Vec<usize>> = self
            .groups
            .iter()
            .map(|group| {
                let mut all: Vec<usize> = group.iter().flat_map(|a| words.positions(a)).collect();
                all.sort_unstable();
                all.dedup();
                all
            })
            .collect();
        if positions.iter().any(Vec::is_empty) {
            return false;
        }
        // Some choice of one position per group spans at most `window`: try each position as the
        // leftmost and take, per group, the nearest position at or after it.
        positions.iter().flatten().any(|&start| {
            positions
                .iter()
                .all(|group| group.iter().any(|&p| p >= start && p - start <= window))
        })
    }
}

impl Intent {
    /// Whether `text` says this.
    pub fn matches(&self, text: &str) -> bool {
        let words = Words::of(text);
        self.matches_words(&words)
    }

    fn matches_words(&self, words: &Words) -> bool {
        self.patterns.iter().any(|p| p.matches(words, self.window))
            && !self.unless.iter().any(|p| p.matches(words, self.window))
    }
}

impl Intents {
    /// The intents every team shares (a person, "that didn't help", "solved", a feature request),
    /// for a docs set whose `kb.toml` names no intents file: urgent situations are each team's own.
    pub const SHARED: &'static str = include_str!("../shared-intents.toml");

    /// Parses an intents file; the message names the intent and the pattern at fault.
    pub fn parse(text: &str) -> std::result::Result<Intents, String> {
        let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let mut names = BTreeSet::new();
        let mut intents = Vec::new();
        for definition in file.intents {
            let name = definition.name.trim().to_string();
            if name.is_empty()
                || name.len() > 40
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(format!(
                    "intent name \"{name}\" must be 1–40 of a-z, 0-9, _"
                ));
            }
            if !names.insert(name.clone()) {
                return Err(format!("intent \"{name}\" is defined twice"));
            }
            if definition.patterns.is_empty() {
                return Err(format!("intent \"{name}\" has no match patterns"));
            }
            let parse = |texts: &[String]| -> std::result::Result<Vec<Pattern>, String> {
                texts
                    .iter()
                    .map(|t| Pattern::parse(t).map_err(|e| format!("intent \"{name}\": {e}")))
                    .collect()
            };
            intents.push(Intent {
                kind: definition.kind,
                label: definition.label,
                category: definition.category,
                window: definition.window.unwrap_or(DEFAULT_WINDOW).clamp(1, 40),
                patterns: parse(&definition.patterns)?,
                unless: parse(&definition.unless)?,
                name,
            });
        }
        for veto in &file.veto {
            let patterns: Vec<Pattern> = veto
                .unless
                .iter()
                .map(|t| Pattern::parse(t).map_err(|e| format!("veto: {e}")))
                .collect::<std::result::Result<_, _>>()?;
            for intent in intents.iter_mut().filter(|i| i.kind == veto.kind) {
                intent.unless.extend(patterns.iter().cloned());
            }
        }
        Ok(Intents { intents })
    }

    /// A team's intents file over the shared ones: the shared intents first (each replaced by the
    /// team's intent of the same name), then the team's own.
    pub fn with_shared(text: &str) -> std::result::Result<Intents, String> {
        let team = Intents::parse(text)?;
        let shared = Intents::parse(Intents::SHARED).expect("the shared intents parse");
        let mut intents: Vec<Intent> = shared
            .intents
            .into_iter()
            .map(|s| team.get(&s.name).cloned().unwrap_or(s))
            .collect();
        for own in team.intents {
            if !intents.iter().any(|i| i.name == own.name) {
                intents.push(own);
            }
        }
        Ok(Intents { intents })
    }

    /// Reads a team's intents file, over the shared ones ([`Intents::with_shared`]).
    pub fn load(path: &Path) -> Result<Intents> {
        let text = std::fs::read_to_string(path).at(path)?;
        Intents::with_shared(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Every intent `text` says, in the file's order.
    pub fn detect(&self, text: &str) -> Vec<&Intent> {
        let words = Words::of(text);
        self.intents
            .iter()
            .filter(|i| i.matches_words(&words))
            .collect()
    }

    /// The first intent of `kind` that `text` says.
    pub fn first(&self, text: &str, kind: IntentKind) -> Option<&Intent> {
        let words = Words::of(text);
        self.intents
            .iter()
            .filter(|i| i.kind == kind)
            .find(|i| i.matches_words(&words))
    }

    /// An intent by name.
    pub fn get(&self, name: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.name == name)
    }

    /// Every intent.
    pub fn all(&self) -> &[Intent] {
        &self.intents
    }
}

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

/// Reads `cases` (JSON lines) with `intents`: a message of an intent is read right when that
/// intent is among those detected (and, for an urgent kind, is the first urgent one); a near-miss
/// when nothing is detected.
pub fn measure(intents: &Intents, cases: &Path, split: Option<&str>) -> Result<Report> {
    let text = std::fs::read_to_string(cases).at(cases)?;
    let mut report = Report::default();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let case: Case = serde_json::from_str(line).map_err(|e| Error::QuerySet {
            path: cases.to_path_buf(),
            line: n + 1,
            message: e.to_string(),
        })?;
        if split.is_some_and(|s| s != case.split) {
            continue;
        }
        let detected = intents.detect(&case.text);
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
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intents(text: &str) -> Intents {
        Intents::parse(text).expect("intents")
    }

    #[test]
    fn patterns_ignore_order_spacing_endings_and_inserted_words() {
        let set = intents(
            r#"
            [[intent]]
            name = "payment_failed"
            kind = "urgent"
            window = 5
            match = ["결제 | payment + 안 돼 | 안되 | 실패 | fail | declin"]
            unless = ["만약", "what happens if"]
            "#,
        );
        for text in [
            "결제가 안 돼요",
            "결제가안돼요",
            "카드로는 결제가 계속 안 되네요",
            "실패했어요 결제",
            "payments are being declined",
            "my payment failed",
        ] {
            assert!(set.first(text, IntentKind::Urgent).is_some(), "{text}");
        }
        for text in [
            "결제 방법 추가하려면",
            "만약 결제가 실패하면 어떻게 되나요",
            "what happens if a payment fails",
            "결제 수단을 바꾸고 싶은데 이것저것 찾아보다가 결국 설정 화면에서 실패",
        ] {
            assert!(set.first(text, IntentKind::Urgent).is_none(), "{text}");
        }
    }

    #[test]
    fn latin_phrases_match_word_by_word_and_apostrophes_go() {
        let set = intents(
            r#"
            [[intent]]
            name = "human"
            kind = "human"
            match = ["talk to + person | human | someone", "can't reach + anyone"]
            "#,
        );
        assert!(
            set.first("can I talk to a real person", IntentKind::Human)
                .is_some()
        );
        assert!(
            set.first("I cant reach anyone", IntentKind::Human)
                .is_some()
        );
        assert!(set.first("how to talk", IntentKind::Human).is_none());
    }

    #[test]
    fn a_veto_of_a_kind_holds_for_every_intent_of_it() {
        let set = intents(
            r#"
            [[intent]]
            name = "payment_failed"
            kind = "urgent"
            match = ["결제 | payment + 안 돼 | fail"]
            [[intent]]
            name = "service_down"
            kind = "urgent"
            match = ["site + down"]
            [[veto]]
            kind = "urgent"
            unless = ["안 급 | 급하진 않", "not urgent | no rush"]
            "#,
        );
        assert!(set.first("결제가 안 돼요", IntentKind::Urgent).is_some());
        for text in [
            "결제가 안 돼요 근데 안 급해요",
            "결제 안 됨, 급하진 않아요",
            "payment failed once, not urgent",
            "site was down for a minute, no rush",
        ] {
            assert!(set.first(text, IntentKind::Urgent).is_none(), "{text}");
        }
    }

    #[test]
    fn bad_files_are_refused_with_the_intent_named() {
        for (text, says) in [
            (
                "[[intent]]\nname = \"X\"\nkind = \"urgent\"\nmatch = [\"a\"]",
                "must be 1–40",
            ),
            (
                "[[intent]]\nname = \"x\"\nkind = \"urgent\"\nmatch = []",
                "no match patterns",
            ),
            (
                "[[intent]]\nname = \"x\"\nkind = \"urgent\"\nmatch = [\"결제abc\"]",
                "mixes Hangul",
            ),
            (
                "[[intent]]\nname = \"x\"\nkind = \"urgent\"\nmatch = [\"a + \"]",
                "empty group",
            ),
            (
                "[[intent]]\nname = \"x\"\nkind = \"weird\"\nmatch = [\"a\"]",
                "unknown variant",
            ),
            (
                "[[intent]]\nname = \"x\"\nkind = \"human\"\nmatch = [\"a\"]\n[[intent]]\nname = \"x\"\nkind = \"human\"\nmatch = [\"b\"]",
                "twice",
            ),
        ] {
            let error = Intents::parse(text).expect_err(text);
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
