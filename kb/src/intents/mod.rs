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
//!
//! With the sentence model, an intent is also said by meaning: a definition's `examples` are
//! phrasings of it, fitted with the near-misses into one classifier (`head.rs`); a message it
//! scores for an intent clearly above "none", near one of that intent's examples, says it,
//! unless a `unless` pattern vetoes it (`meaning.rs`). Words and meaning each say an intent on
//! their own; the vetoes hold for both.
//!
//! - `pattern.rs`: the word patterns;
//! - `head.rs`: the examples fitted into one linear classifier;
//! - `meaning.rs`: the rule that lets it decide;
//! - `measure.rs`: a labelled table read with a set of intents.

mod head;
mod meaning;
mod measure;
mod pattern;

pub use meaning::{Meaning, MeaningRule};
pub use measure::{Case, Report, cases, measure};

use meaning::{Reading, Vectors};
use pattern::{DEFAULT_WINDOW, Pattern, Words};

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, IoContext, Result};

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
    #[serde(default, rename = "match")]
    patterns: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
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
    /// How intents are read by meaning.
    #[serde(default)]
    meaning: MeaningSection,
}

/// `[meaning]`: when the examples decide, and the sentences that sound like an intent
/// and are not one (`what happens if a payment fails`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeaningSection {
    #[serde(default)]
    threshold: Option<f32>,
    #[serde(default)]
    margin: Option<f32>,
    #[serde(default)]
    over_guides: Option<f32>,
    #[serde(default)]
    words_veto: Option<f32>,
    #[serde(default)]
    near_misses: Vec<String>,
    /// Patterns that veto a reading by meaning alone (words still say an intent on their own).
    #[serde(default)]
    unless: Vec<String>,
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
    /// Phrasings of it, for the sentence model.
    pub examples: Vec<String>,
    window: usize,
    patterns: Vec<Pattern>,
    unless: Vec<Pattern>,
}

/// A set of definitions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Intents {
    intents: Vec<Intent>,
    near_misses: Vec<String>,
    /// Vetoes of a reading by meaning alone.
    meaning_unless: Vec<Pattern>,
    threshold: Option<f32>,
    margin: Option<f32>,
    over_guides: Option<f32>,
    words_veto: Option<f32>,
    /// Vetoes of a kind, kept so a team's hold for the shared intents too.
    vetoes: Vec<(IntentKind, Pattern)>,
    vectors: Option<Vectors>,
}

impl Intent {
    /// Whether `text` says this.
    pub fn matches(&self, text: &str) -> bool {
        let words = Words::of(text);
        self.matches_words(&words)
    }

    fn matches_words(&self, words: &Words) -> bool {
        self.patterns.iter().any(|p| p.matches(words, self.window)) && !self.vetoed(words)
    }

    fn vetoed(&self, words: &Words) -> bool {
        self.unless.iter().any(|p| p.matches(words, self.window))
    }
}

impl Intents {
    /// The intents every team shares (the urgent situations every online business has, a person,
    /// "that didn't help", "solved", a feature request): all a docs set whose `kb.toml` names no
    /// intents file has, and what a team's file adds to or redefines.
    pub const SHARED: &'static str = include_str!("../../shared-intents.toml");

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
            if definition.patterns.is_empty() && definition.examples.is_empty() {
                return Err(format!(
                    "intent \"{name}\" has neither match patterns nor examples"
                ));
            }
            if let Some(blank) = definition.examples.iter().find(|e| e.trim().is_empty()) {
                return Err(format!("intent \"{name}\": example \"{blank}\" is blank"));
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
                examples: definition.examples,
                window: definition.window.unwrap_or(DEFAULT_WINDOW).clamp(1, 40),
                patterns: parse(&definition.patterns)?,
                unless: parse(&definition.unless)?,
                name,
            });
        }
        let mut vetoes = Vec::new();
        for veto in &file.veto {
            for text in &veto.unless {
                let pattern = Pattern::parse(text).map_err(|e| format!("veto: {e}"))?;
                vetoes.push((veto.kind, pattern));
            }
        }
        for value in [
            file.meaning.threshold,
            file.meaning.margin,
            file.meaning.over_guides,
            file.meaning.words_veto,
        ]
        .into_iter()
        .flatten()
        {
            if !(value.is_finite() && (-1.0..=1.0).contains(&value)) {
                return Err(format!("[meaning]: {value} is not between -1 and 1"));
            }
        }
        if let Some(blank) = file
            .meaning
            .near_misses
            .iter()
            .find(|e| e.trim().is_empty())
        {
            return Err(format!("[meaning]: near-miss \"{blank}\" is blank"));
        }
        let meaning_unless = file
            .meaning
            .unless
            .iter()
            .map(|t| Pattern::parse(t).map_err(|e| format!("[meaning]: {e}")))
            .collect::<std::result::Result<_, _>>()?;
        let mut set = Intents {
            intents,
            meaning_unless,
            near_misses: file.meaning.near_misses,
            threshold: file.meaning.threshold,
            margin: file.meaning.margin,
            over_guides: file.meaning.over_guides,
            words_veto: file.meaning.words_veto,
            vetoes,
            vectors: None,
        };
        set.apply_vetoes();
        Ok(set)
    }

    /// Adds each veto of a kind to every intent of that kind.
    fn apply_vetoes(&mut self) {
        for (kind, pattern) in &self.vetoes {
            for intent in self.intents.iter_mut().filter(|i| i.kind == *kind) {
                if !intent.unless.contains(pattern) {
                    intent.unless.push(pattern.clone());
                }
            }
        }
    }

    /// A team's intents file over the shared ones: the shared intents first (each replaced by the
    /// team's intent of the same name), then the team's own; the near-misses of both; the team's
    /// meaning rule if it sets one; and the team's vetoes of a kind over the shared intents too.
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
        let mut set = Intents {
            intents,
            near_misses: [shared.near_misses, team.near_misses].concat(),
            meaning_unless: [shared.meaning_unless, team.meaning_unless].concat(),
            threshold: team.threshold.or(shared.threshold),
            margin: team.margin.or(shared.margin),
            over_guides: team.over_guides.or(shared.over_guides),
            words_veto: team.words_veto.or(shared.words_veto),
            vetoes: [shared.vetoes, team.vetoes].concat(),
            vectors: None,
        };
        set.apply_vetoes();
        Ok(set)
    }

    /// Reads a team's intents file, over the shared ones ([`Intents::with_shared`]).
    pub fn load(path: &Path) -> Result<Intents> {
        let text = std::fs::read_to_string(path).at(path)?;
        Intents::with_shared(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Every intent `text` says, in the file's order: by its words, and with `meaning` by the
    /// examples too.
    pub fn detect(&self, text: &str, meaning: Option<&Meaning>) -> Vec<&Intent> {
        self.detect_skipping(text, meaning, |_| false)
    }

    /// [`Intents::detect`] with the examples `skip` names left out.
    pub(crate) fn detect_skipping(
        &self,
        text: &str,
        meaning: Option<&Meaning>,
        skip: impl Fn(usize) -> bool,
    ) -> Vec<&Intent> {
        let words = Words::of(text);
        let mut said: Vec<usize> = (0..self.intents.len())
            .filter(|&n| self.intents[n].matches_words(&words))
            .collect();
        // Meaning fills in what words leave silent: the examples' intent, unless the
        // words already said an intent of its kind (they are the more specific reading).
        let rule = self.rule();
        // A follow-up ("그럼 …", "and …") means little without the turn before it.
        let reading = meaning
            .filter(|_| words.count() >= rule.min_words && !crate::function_words::continues(text))
            .and_then(|m| Some((self.read_skipping(&m.vector, skip)?, m.guides)));
        // The examples say "none of them" clearly (a lookalike in an intent's words: "결제가 두
        // 번 되면 어떻게 되나요"): the words' readings go too, but a person asked for is never
        // held back.
        if let Some((r, _)) = reading
            && r.margin <= -rule.words_veto
        {
            said.retain(|&n| self.intents[n].kind == IntentKind::Human);
        }
        let by_meaning = reading
            .filter(|(n, guides)| n.decides(rule, *guides))
            .map(|(n, _)| n.intent)
            .filter(|&i| {
                let intent = &self.intents[i];
                !said.iter().any(|&n| self.intents[n].kind == intent.kind)
                    && !intent.vetoed(&words)
                    && !self
                        .meaning_unless
                        .iter()
                        .any(|p| p.matches(&words, DEFAULT_WINDOW))
            });
        if let Some(i) = by_meaning {
            said.push(i);
            said.sort_unstable();
        }
        said.into_iter().map(|n| &self.intents[n]).collect()
    }

    /// The rule that lets the examples decide.
    pub fn rule(&self) -> MeaningRule {
        let default = MeaningRule::default();
        MeaningRule {
            threshold: self.threshold.unwrap_or(default.threshold),
            margin: self.margin.unwrap_or(default.margin),
            over_guides: self.over_guides.unwrap_or(default.over_guides),
            words_veto: self.words_veto.unwrap_or(default.words_veto),
            min_words: default.min_words,
        }
    }

    /// This set without its `match` patterns (vetoes kept): what meaning alone reads, for fitting
    /// the rule on a split the patterns were written from.
    pub fn without_words(mut self) -> Intents {
        for intent in &mut self.intents {
            intent.patterns.clear();
        }
        self
    }

    /// This set deciding by `rule` (a sweep over thresholds).
    pub fn with_rule(mut self, rule: MeaningRule) -> Intents {
        self.threshold = Some(rule.threshold);
        self.margin = Some(rule.margin);
        self.over_guides = Some(rule.over_guides);
        self.words_veto = Some(rule.words_veto);
        self
    }

    fn read_skipping(&self, meaning: &[f32], skip: impl Fn(usize) -> bool) -> Option<Reading> {
        self.vectors.as_ref()?.read(meaning, skip)
    }

    /// Every example phrasing, intent by intent, then the near-misses: what the sentence model
    /// embeds (as queries) for this set, in the order [`Intents::with_vectors`] takes them.
    pub fn example_texts(&self) -> Vec<&str> {
        self.intents
            .iter()
            .flat_map(|i| i.examples.iter())
            .chain(&self.near_misses)
            .map(String::as_str)
            .collect()
    }

    /// What each of [`Intents::example_texts`] is: an intent's index, or `None` for a near-miss.
    fn example_owners(&self) -> Vec<Option<usize>> {
        self.intents
            .iter()
            .enumerate()
            .flat_map(|(n, i)| std::iter::repeat_n(Some(n), i.examples.len()))
            .chain(std::iter::repeat_n(None, self.near_misses.len()))
            .collect()
    }

    /// This set with its examples' vectors (one per [`Intents::example_texts`], from the model
    /// with `fingerprint`), so it reads meaning; `Err` when the count or width is off.
    pub fn with_vectors(
        mut self,
        fingerprint: &str,
        dim: usize,
        vectors: Vec<f32>,
    ) -> std::result::Result<Intents, String> {
        let owners = self.example_owners();
        if dim == 0 || vectors.len() != owners.len() * dim {
            return Err(format!(
                "{} example vectors of width {dim} for {} examples",
                vectors.len() / dim.max(1),
                owners.len()
            ));
        }
        self.vectors = Some(Vectors::new(
            fingerprint,
            dim,
            vectors,
            owners,
            self.intents.len(),
        ));
        Ok(self)
    }

    /// This set with its examples embedded by `encoder` now (a measurement outside an index).
    pub fn embedded_by(self, encoder: &encoder::Encoder) -> Intents {
        let vectors: Vec<f32> = crate::dense::queries(encoder, &self.example_texts())
            .into_iter()
            .flatten()
            .collect();
        self.with_vectors(encoder.fingerprint(), encoder.dimensions(), vectors)
            .expect("one vector per example")
    }

    /// The fingerprint of the model its example vectors came from, if it has them.
    pub fn fingerprint(&self) -> Option<&str> {
        self.vectors.as_ref().map(|v| v.fingerprint.as_str())
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

    /// Two intents by example and a near-miss, with vectors along three axes.
    fn by_example() -> Intents {
        intents(
            r#"
            [[intent]]
            name = "charged_twice"
            kind = "urgent"
            examples = ["paid once, charged two times"]
            unless = ["what if"]
            [[intent]]
            name = "human"
            kind = "human"
            examples = ["let me talk with somebody"]
            [meaning]
            threshold = 0.8
            margin = 0.05
            over_guides = 0.03
            near_misses = ["how do refunds of double payments work"]
            "#,
        )
        .with_vectors(
            "model",
            3,
            vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        )
        .expect("one vector per example")
    }

    fn meaning(x: f32, y: f32, z: f32, guides: f32) -> Meaning {
        let mut vector = vec![x, y, z];
        encoder::normalize(&mut vector);
        Meaning { vector, guides }
    }

    fn names<'a>(said: &[&'a Intent]) -> Vec<&'a str> {
        said.iter().map(|i| i.name.as_str()).collect()
    }

    #[test]
    fn the_nearest_example_says_its_intent_when_the_rule_lets_it() {
        let set = by_example();
        assert_eq!(set.example_texts().len(), 3);
        let text = "my card shows the same amount three times";
        let near = meaning(1.0, 0.1, 0.0, 0.5);
        assert_eq!(names(&set.detect(text, Some(&near))), ["charged_twice"]);
        // Words alone know nothing of it.
        assert!(set.detect(text, None).is_empty());
        // Too far from every example, nearer a near-miss, or nearer a guide: nothing.
        for far in [
            meaning(1.0, 1.0, 1.0, 0.5),
            meaning(1.0, 0.0, 0.9, 0.5),
            meaning(1.0, 0.1, 0.0, 0.99),
        ] {
            assert!(set.detect(text, Some(&far)).is_empty(), "{far:?}");
        }
        // The intent's vetoes hold for meaning too; a word or two, or a follow-up, is read by
        // words alone.
        assert!(
            set.detect("what if it charged two times", Some(&near))
                .is_empty()
        );
        assert!(set.detect("charged thrice", Some(&near)).is_empty());
        assert!(set.detect("and the card one?", Some(&near)).is_empty());
    }

    #[test]
    fn the_examples_veto_the_words_of_a_lookalike_but_never_a_request_for_a_person() {
        let set = intents(
            r#"
            [[intent]]
            name = "charged_twice"
            kind = "urgent"
            examples = ["paid once, charged two times"]
            match = ["charged + twice"]
            [[intent]]
            name = "human"
            kind = "human"
            examples = ["let me talk with somebody"]
            match = ["person"]
            [meaning]
            near_misses = ["how do refunds of double payments work"]
            "#,
        )
        .with_vectors(
            "model",
            3,
            vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        )
        .expect("one vector per example");
        let lookalike = meaning(0.0, 0.05, 1.0, 0.5);
        let said = meaning(1.0, 0.05, 0.0, 0.5);
        let text = "could i get charged twice by tapping again";
        assert!(set.detect(text, Some(&lookalike)).is_empty());
        assert_eq!(names(&set.detect(text, Some(&said))), ["charged_twice"]);
        // Without the model, words decide.
        assert_eq!(names(&set.detect(text, None)), ["charged_twice"]);
        assert_eq!(
            names(&set.detect("can a person look at my refund", Some(&lookalike))),
            ["human"]
        );
    }

    #[test]
    fn vectors_must_match_the_examples() {
        let set = intents("[[intent]]\nname = \"x\"\nkind = \"human\"\nexamples = [\"a b c\"]");
        assert!(set.clone().with_vectors("m", 3, vec![0.0; 6]).is_err());
        assert!(set.with_vectors("m", 0, Vec::new()).is_err());
    }

    #[test]
    fn a_teams_file_keeps_the_shared_examples_and_adds_its_near_misses() {
        let shared = Intents::with_shared("").expect("shared");
        let team = Intents::with_shared(
            "[meaning]\nthreshold = 0.9\nnear_misses = [\"a sentence of ours\"]",
        )
        .expect("team");
        assert_eq!(team.example_texts().len(), shared.example_texts().len() + 1);
        assert_eq!(team.rule().threshold, 0.9);
        assert_eq!(team.rule().margin, shared.rule().margin);
        assert!(
            shared
                .all()
                .iter()
                .filter(|i| i.kind == IntentKind::Urgent)
                .all(|i| i.examples.len() >= 40),
            "the shared urgent intents carry their examples"
        );
        let error = Intents::with_shared("[meaning]\nthreshold = 3.0").expect_err("not a cosine");
        assert!(error.contains("between -1 and 1"), "{error}");
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
                "neither match patterns nor examples",
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
