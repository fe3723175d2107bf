//! Measuring the bot on labelled conversations (`eval/*.jsonl`), written blind: each customer
//! turn says what should happen (answer from these guides, hand off, a person, urgent …). One
//! harness serves `baton eval` (per-class rates), `baton calibrate` (fitting the confidence model
//! on the turns' signals) and the floors in `tests/bot_eval.rs`.

use std::collections::BTreeMap;
use std::path::Path;

use kb::confidence::{Calibration, Model, Signals};
use kb::{KnowledgeBase, Lang};
use serde::Deserialize;

use crate::bot::{Policy, respond};
use crate::model::{Author, Category, Decision, Feedback, Message, Reason, UrgentKind};
use crate::{Error, Result};

/// A labelled conversation.
#[derive(Debug, Clone, Deserialize)]
pub struct Conversation {
    /// Its id (`kk-ko-012`).
    pub id: String,
    /// `ko` or `en`.
    pub lang: String,
    /// `dev` (tuned on) or `test` (only reported).
    pub split: String,
    /// The customer's turns, in order.
    pub turns: Vec<Turn>,
}

/// One customer turn and what should happen.
#[derive(Debug, Clone, Deserialize)]
pub struct Turn {
    /// The customer's words.
    pub text: String,
    /// How the writer meant it (`question`, `followup`, `urgent:payment_failed` …).
    pub intent: String,
    /// What the bot should do.
    pub expect: Expect,
}

/// What the bot should do with a turn.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Answer from one of these guides (best first), ideally at this section.
    Answer {
        /// Guide ids that answer it.
        guides: Vec<String>,
        /// The answering section's anchor, when one section answers.
        #[serde(default)]
        anchor: Option<String>,
    },
    /// No guide answers it: hand off.
    Handoff,
    /// The customer asks for a person.
    Human,
    /// Urgent, of this kind.
    Urgent(String),
    /// "That solved it".
    Solved,
    /// "That didn't help".
    NotHelpful,
    /// A feature request.
    FeatureRequest,
}

/// Reads labelled conversations (JSON lines).
pub fn load(path: &Path) -> Result<Vec<Conversation>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line)
                .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), n + 1)))
        })
        .collect()
}

/// What happened to one turn.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The conversation and the turn's position in it.
    pub conversation: String,
    /// Which turn (0-based).
    pub turn: usize,
    /// `ko` or `en`.
    pub lang: String,
    /// The turn's label.
    pub expect: Expect,
    /// How the writer meant it (`question`, `followup`, `not_urgent_lookalike` …).
    pub intent: String,
    /// Whether the writer meant it as a follow-up.
    pub follow_up: bool,
    /// Whether people had the conversation by then (an earlier turn was handed off): the bot
    /// is silent, and only an urgent message still counts (it escalates the case).
    pub with_people: bool,
    /// What the bot did.
    pub decision: Decision,
    /// Its reasons.
    pub reasons: Vec<Reason>,
    /// The probability it gave its best guide.
    pub probability: f32,
    /// The search's signals, when it searched.
    pub signals: Option<Signals>,
    /// Guides it showed, best first.
    pub shown: Vec<String>,
    /// Its best guide.
    pub top: Option<String>,
    /// The guides the search found, best first.
    pub hits: Vec<String>,
    /// The verdict it read.
    pub verdict: Option<Feedback>,
    /// The category it gave.
    pub category: Category,
}

impl Outcome {
    /// Turn `n` of a conversation with its label, before the bot acted: silent, nothing shown.
    fn of_turn(conversation: &Conversation, n: usize, turn: &Turn) -> Outcome {
        Outcome {
            conversation: conversation.id.clone(),
            turn: n,
            lang: conversation.lang.clone(),
            expect: turn.expect.clone(),
            intent: turn.intent.clone(),
            follow_up: turn.intent == "followup",
            with_people: false,
            decision: Decision::Silent,
            reasons: Vec::new(),
            probability: 0.0,
            signals: None,
            shown: Vec::new(),
            top: None,
            hits: Vec::new(),
            verdict: None,
            category: Category::HowTo,
        }
    }

    /// Whether the best guide is one that answers (false for a turn no guide answers).
    pub fn top_is_right(&self) -> bool {
        match &self.expect {
            Expect::Answer { guides, .. } => self.top.as_ref().is_some_and(|t| guides.contains(t)),
            _ => false,
        }
    }

    /// Whether the turn is a question the bot should answer or hand off on its merits.
    pub fn is_question(&self) -> bool {
        !self.with_people && matches!(self.expect, Expect::Answer { .. } | Expect::Handoff)
    }

    fn urgent_kind(&self) -> Option<UrgentKind> {
        self.reasons.iter().find_map(|r| match r {
            Reason::Urgent { kind } => Some(*kind),
            _ => None,
        })
    }
}

/// Runs every conversation of `split` (all when `None`) through the bot, turn by turn, as the
/// desk would while the bot has the conversation.
/// With `encoder`, each message is embedded as the desk would embed it.
pub fn run(
    kb: &KnowledgeBase,
    policy: &Policy,
    conversations: &[Conversation],
    split: Option<&str>,
    encoder: Option<&encoder::Encoder>,
) -> Result<Vec<Outcome>> {
    let mut out = Vec::new();
    for conversation in conversations
        .iter()
        .filter(|c| split.is_none_or(|s| s == c.split))
    {
        let lang = Lang::parse(&conversation.lang).unwrap_or(Lang::Ko);
        let mut history: Vec<Message> = Vec::new();
        let mut with_people = false;
        for (n, turn) in conversation.turns.iter().enumerate() {
            let text = pii::mask(&turn.text, pii::Options::default());
            if with_people {
                let urgent = crate::bot::urgency(
                    kb.intents(),
                    &text,
                    encoder.map(|e| kb.meaning_of(e.query(&text))).as_ref(),
                );
                out.push(Outcome {
                    with_people,
                    reasons: urgent
                        .map(|kind| Reason::Urgent { kind })
                        .into_iter()
                        .collect(),
                    ..Outcome::of_turn(conversation, n, turn)
                });
                continue;
            }
            let reply = respond(kb, policy, &text, lang, &history, encoder)?;
            with_people = reply.turn.decision == Decision::Handoff;
            out.push(Outcome {
                decision: reply.turn.decision,
                reasons: reply.turn.reasons.clone(),
                probability: reply.turn.confidence,
                signals: reply.turn.evidence.as_ref().map(|e| e.signals),
                shown: reply.links.iter().map(|l| l.guide.clone()).collect(),
                top: reply.turn.hits.first().map(|h| h.guide.clone()),
                hits: reply.turn.hits.iter().map(|h| h.guide.clone()).collect(),
                verdict: reply.verdict,
                category: reply.turn.category,
                ..Outcome::of_turn(conversation, n, turn)
            });
            let message = |author: Author, text: String, bot| Message {
                id: format!("msg_{n}_{author:?}"),
                conversation_id: conversation.id.clone(),
                author,
                text,
                links: Vec::new(),
                quick_replies: Vec::new(),
                attachments: Vec::new(),
                bot,
                key_hash: None,
                mail: None,
                member: None,
                created_at: n as i64,
            };
            history.push(message(Author::Customer, text, None));
            history.push(message(Author::Bot, reply.text, Some(reply.turn)));
        }
    }
    Ok(out)
}

/// The same turns decided by the rule the calibrated model replaced: answer when the best guide
/// covers at least `coverage_at` of the question's words, else hand off (turns decided by an
/// intent are kept as they were). For before/after tables.
pub fn coverage_rule(outcomes: &[Outcome], coverage_at: f32) -> Vec<Outcome> {
    outcomes
        .iter()
        .map(|o| {
            let mut o = o.clone();
            let by_search = o.reasons.iter().all(|r| {
                matches!(
                    r,
                    Reason::Confident
                        | Reason::Unsure
                        | Reason::LowConfidence
                        | Reason::OutOfScope
                        | Reason::Ambiguous { .. }
                        | Reason::FollowUp { .. }
                )
            });
            if let (true, Some(signals)) = (by_search, o.signals) {
                o.decision = if signals.coverage >= coverage_at {
                    Decision::Answer
                } else {
                    Decision::Handoff
                };
                o.probability = signals.coverage;
            }
            o
        })
        .collect()
}

/// The (signals, right) pairs of the question turns, for fitting the confidence model.
pub fn samples(outcomes: &[Outcome]) -> Vec<(Signals, bool)> {
    outcomes
        .iter()
        .filter(|o| o.is_question())
        .filter_map(|o| o.signals.map(|s| (s, o.top_is_right())))
        .collect()
}

/// Fits the confidence model on `outcomes`' question turns.
/// With `meaning`, the model reads the sentence model's signals too.
pub fn fit(outcomes: &[Outcome], fit_on: &str, meaning: bool) -> Model {
    let samples = samples(outcomes);
    let right = samples.iter().filter(|(_, r)| *r).count();
    Model::fit(
        &samples,
        &format!(
            "{fit_on}: {} turns, {right} with the right guide on top",
            samples.len()
        ),
        meaning,
    )
}

/// Rates of one group of turns: a count per outcome class.
#[derive(Debug, Clone, Default)]
pub struct Rates {
    /// Class → count.
    pub counts: BTreeMap<&'static str, usize>,
    /// Turns in the group.
    pub total: usize,
}

impl Rates {
    fn add(&mut self, class: &'static str) {
        *self.counts.entry(class).or_default() += 1;
    }

    /// The share of the group in `class`.
    pub fn rate(&self, class: &str) -> f32 {
        self.counts.get(class).copied().unwrap_or(0) as f32 / self.total.max(1) as f32
    }
}

/// What `baton eval` reports.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// (group, lang) → rates. Groups: `answerable` (a guide answers), `out_of_scope`,
    /// `follow_up` (answerable follow-ups, also counted in `answerable`), `human`, `urgent`,
    /// `lookalike` (ordinary questions that sound urgent), `solved`, `not_helpful`,
    /// `feature_request`, and `search` (where the answering guide ranked: first, in the top 3, or
    /// not there).
    pub groups: BTreeMap<(&'static str, String), Rates>,
    /// How well the probabilities of question turns match what happened.
    pub calibration: Option<Calibration>,
}

fn recognized(yes: bool) -> &'static str {
    if yes { "recognized" } else { "missed" }
}

/// Classes every turn of `outcomes` and measures the calibration of its question turns.
pub fn report(outcomes: &[Outcome]) -> Report {
    let mut report = Report::default();
    for o in outcomes {
        let mut count = |group: &'static str, class: &'static str| {
            let rates = report.groups.entry((group, o.lang.clone())).or_default();
            rates.total += 1;
            rates.add(class);
        };
        let urgent = o.urgent_kind();
        if o.with_people && !matches!(o.expect, Expect::Urgent(_)) {
            count("with_people", "not_the_bots");
            continue;
        }
        match &o.expect {
            Expect::Answer { guides, .. } => {
                let class = match o.decision {
                    Decision::Answer if o.top_is_right() => "answered_right",
                    Decision::Answer => "answered_wrong",
                    Decision::Clarify if o.shown.iter().any(|g| guides.contains(g)) => {
                        "offered_right"
                    }
                    Decision::Clarify => "offered_wrong",
                    _ => "handed_off",
                };
                count("answerable", class);
                let in_top3 = o.hits.iter().take(3).any(|g| guides.contains(g));
                count(
                    "search",
                    if o.top_is_right() {
                        "top1"
                    } else if in_top3 {
                        "top3"
                    } else {
                        "missed"
                    },
                );
                if o.follow_up {
                    count("follow_up", class);
                }
            }
            Expect::Handoff => count(
                "out_of_scope",
                match o.decision {
                    Decision::Answer => "answered_wrong",
                    Decision::Clarify => "offered",
                    _ => "handed_off",
                },
            ),
            Expect::Human => count(
                "human",
                recognized(o.reasons.contains(&Reason::HumanRequested)),
            ),
            Expect::Urgent(kind) => count(
                "urgent",
                match urgent {
                    Some(k) if k.to_string() == *kind => "recognized",
                    Some(_) => "wrong_kind",
                    None => "missed",
                },
            ),
            Expect::Solved => count("solved", recognized(o.verdict == Some(Feedback::Helpful))),
            Expect::NotHelpful => count(
                "not_helpful",
                recognized(o.verdict == Some(Feedback::NotHelpful)),
            ),
            Expect::FeatureRequest => count(
                "feature_request",
                recognized(o.category == Category::FeatureRequest),
            ),
        }
        // Ordinary questions that sound urgent: an alert for one is a false alarm.
        if o.intent == "not_urgent_lookalike" {
            count(
                "lookalike",
                if urgent.is_some() {
                    "false_alarm"
                } else {
                    "left_alone"
                },
            );
        }
    }
    let predictions: Vec<(f32, bool)> = outcomes
        .iter()
        .filter(|o| o.is_question() && o.signals.is_some())
        .map(|o| (o.probability, o.top_is_right()))
        .collect();
    if !predictions.is_empty() {
        report.calibration = Some(Calibration::of(&predictions));
    }
    report
}

impl Report {
    /// A table: one row per group and language, one column per class.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for ((group, lang), rates) in &self.groups {
            let classes: Vec<String> = rates
                .counts
                .iter()
                .map(|(class, n)| {
                    format!("{class} {n} ({:.2})", *n as f32 / rates.total.max(1) as f32)
                })
                .collect();
            out.push_str(&format!(
                "{group:<16} {lang}  n={:<4} {}\n",
                rates.total,
                classes.join("  ")
            ));
        }
        if let Some(c) = &self.calibration {
            out.push_str(&format!(
                "calibration: ECE {:.3}, log-loss {:.3}\n",
                c.ece, c.log_loss
            ));
        }
        out
    }

    /// The share of `group` in `lang` that fell in `class` (0 when there is no such group).
    pub fn rate(&self, group: &str, lang: &str, class: &str) -> f32 {
        self.groups
            .iter()
            .find(|((g, l), _)| *g == group && l == lang)
            .map_or(0.0, |(_, r)| r.rate(class))
    }
}
