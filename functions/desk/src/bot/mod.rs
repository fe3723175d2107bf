//! The support bot: deterministic, grounded in the guides, no external model.
//!
//! For each customer message the bot searches the knowledge base and decides, in this order:
//! 1. **hand off** when the customer asks for a person, when money, access or availability is at
//!    stake (urgent), when they say the last answer did not help, or when they ask the same thing
//!    again;
//! 2. **clarify** when the best guides come from different areas with close scores;
//! 3. **answer** when the best guide covers enough of the question (its coverage is the bot's
//!    confidence);
//! 4. otherwise **hand off** for low confidence.
//!
//! What the customer's words say they want (urgent, a person, "didn't help", "solved", a feature
//! request) comes from the team's intents file, compiled into the index ([`kb::intents`]); the
//! thresholds are in [`Policy`]; every decision carries its reasons, so a team can read why the bot
//! did what it did.
//!
//! `reading.rs` is what one message says (read once), `excerpt.rs` the part of a guide an answer
//! quotes; this file decides.

use std::collections::BTreeSet;

use kb::analysis::Analyzer;
use kb::{KnowledgeBase, Lang, SearchRequest};

mod excerpt;
mod reading;

pub use excerpt::excerpt;
use excerpt::excerpt_of;
use reading::category_of;
pub use reading::{Reading, categorize, check_intents, feedback, urgency, wants_human};

use crate::model::{
    Attempt, Author, BotTurn, Category, Decision, Evidence, Link, Message, Priority, Reason,
};

/// The bot's thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Answer when the probability that the best guide is right is at least this: the share of
    /// answers a team accepts being right (measured by `baton eval`).
    pub answer_at: f32,
    /// Offer the best two or three guides when the probability is at least this (and below
    /// `answer_at`); hand off below it.
    pub clarify_at: f32,
    /// Clarify when the runner-up from another area scores at least this share of the best.
    pub clarify_within: f32,
    /// Two questions are the same when their term sets overlap this much (Jaccard).
    pub repeat_at: f32,
    /// Longest answer excerpt, in characters.
    pub answer_chars: usize,
    /// A question handed off for low confidence is out of scope when its closest guide section
    /// stands less than this above the mean of every guide by meaning (cosines): nothing in the
    /// guides is about it, which tells the team it needs a person or a new guide rather than a
    /// better one. Measured on the dev splits (`baton eval --turns`): at 0.025, 13 of 64
    /// low-confidence hand-offs of out-of-scope questions are named so, and 4 of 46 of questions
    /// a guide answers.
    pub far_below: f32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            answer_at: 0.8,
            clarify_at: 0.35,
            clarify_within: 0.85,
            repeat_at: 0.6,
            answer_chars: 480,
            far_below: 0.025,
        }
    }
}

/// What the bot says, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The message text.
    pub text: String,
    /// Guides to show.
    pub links: Vec<Link>,
    /// Replies the customer can tap.
    pub quick_replies: Vec<String>,
    /// The decision and its reasons.
    pub turn: BotTurn,
    /// The customer's verdict on the bot's previous answer, when this message gives one.
    pub verdict: Option<crate::model::Feedback>,
}

/// The bot's words, per language.
struct Words {
    solved: &'static str,
    not_helpful: &'static str,
    human: &'static str,
    did_it_help: &'static str,
    which_one: &'static str,
    handoff: &'static str,
    handoff_urgent: &'static str,
    meanwhile: &'static str,
    glad: &'static str,
}

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Ko => &Words {
            solved: "해결됐어요",
            not_helpful: "도움이 안 됐어요",
            human: "상담원 연결",
            did_it_help: "이 안내로 해결되셨나요?",
            which_one: "어떤 내용을 찾으시나요? 가장 가까운 안내를 골라 주세요.",
            handoff: "상담원에게 연결해 드릴게요. 지금까지 나눈 대화가 함께 전달되니 다시 설명하지 않으셔도 돼요.",
            handoff_urgent: "긴급 문의로 접수했어요. 팀 전체에 바로 알렸고, 지금까지 나눈 대화가 함께 전달되니 다시 설명하지 않으셔도 돼요.",
            meanwhile: "기다리시는 동안 이 안내가 도움이 될 수 있어요.",
            glad: "해결되어 다행이에요. 더 궁금한 점이 있으면 언제든 물어봐 주세요.",
        },
        Lang::En => &Words {
            solved: "That solved it",
            not_helpful: "That didn't help",
            human: "Talk to a person",
            did_it_help: "Did this solve it?",
            which_one: "Which of these are you looking for?",
            handoff: "I'm connecting you with a person. They'll see this whole conversation, so you won't need to repeat yourself.",
            handoff_urgent: "I've marked this as urgent and alerted the whole team. They'll see this whole conversation, so you won't need to repeat yourself.",
            meanwhile: "While you wait, this guide may help.",
            glad: "Glad that's sorted. Ask any time if anything else comes up.",
        },
    }
}

/// The bot's reply to `text` (already PII-masked) in a conversation whose earlier messages are
/// `history`, oldest first. With `encoder` (the sentence model; `None` when the desk runs
/// without it, and the bot reads words alone) the searched text is embedded once, and a short
/// follow-up is read with the previous question's meaning as well as its words.
pub fn respond(
    kb: &KnowledgeBase,
    policy: &Policy,
    text: &str,
    lang: Lang,
    history: &[Message],
    encoder: Option<&encoder::Encoder>,
) -> kb::Result<Reply> {
    let w = words(lang);
    // What the message means, embedded once: read for intents, and searched with when the
    // message itself is what is searched.
    let own_meaning = encoder.map(|e| kb.meaning_of(e.query(text)));
    let reading = Reading::of(kb.intents(), text, own_meaning.as_ref());
    let last_bot = history
        .iter()
        .rev()
        .find(|m| m.author == Author::Bot)
        .and_then(|m| m.bot.as_ref());
    let answered_before =
        last_bot.is_some_and(|t| matches!(t.decision, Decision::Answer | Decision::Clarify));
    let verdict = if answered_before {
        reading.feedback()
    } else {
        None
    };

    // "That solved it": thank and stop.
    if verdict == Some(crate::model::Feedback::Helpful) {
        let turn = BotTurn {
            query: text.to_string(),
            decision: Decision::Acknowledge,
            confidence: 1.0,
            evidence: None,
            reasons: Vec::new(),
            priority: Priority::Normal,
            category: last_bot.map_or(Category::HowTo, |t| t.category),
            area: last_bot.and_then(|t| t.area.clone()),
            hits: Vec::new(),
            cited: Vec::new(),
            feedback: None,
            terms: reading.terms.iter().cloned().collect(),
        };
        return Ok(Reply {
            text: w.glad.to_string(),
            links: Vec::new(),
            quick_replies: Vec::new(),
            turn,
            verdict,
        });
    }

    // A "didn't help" is about the previous question: keep its search, don't search the complaint.
    let searched = match (verdict, last_bot) {
        (Some(_), Some(previous)) => previous.query.clone(),
        _ => text.to_string(),
    };
    let topic = match verdict {
        None => follow_up_topic(&reading, last_bot),
        Some(_) => None,
    };
    // What the question means: the searched text's embedding, and for a follow-up the mean of it
    // and the earlier question's ("그럼 체크카드는요?" means little alone).
    let meaning: Option<Vec<f32>> = encoder.map(|e| {
        let mut v = match &own_meaning {
            Some(own) if searched == text => own.vector.clone(),
            _ => e.query(&searched),
        };
        if let Some(topic) = &topic {
            for (a, b) in v.iter_mut().zip(e.query(topic)) {
                *a += b;
            }
            encoder::normalize(&mut v);
        }
        v
    });
    let results = kb.search(&SearchRequest {
        query: &searched,
        lang: Some(lang),
        area: None,
        limit: 5,
        snippets: false,
        context: topic.as_deref(),
        meaning: meaning.as_deref(),
    })?;
    let hits: Vec<Attempt> = results
        .hits
        .iter()
        .map(|h| Attempt {
            guide: h.guide.id.clone(),
            title: h.guide.title.clone(),
            area: h.guide.area.clone(),
            anchor: h
                .sections
                .first()
                .map(|s| s.anchor.clone())
                .unwrap_or_default(),
            score: h.score,
            coverage: h.coverage,
        })
        .collect();
    let top = hits.first();
    let model = results
        .signals
        .as_ref()
        .map_or(kb.confidence(), |s| kb.confidence_for(s));
    let confidence = results
        .signals
        .as_ref()
        .map_or(0.0, |s| model.probability(s));
    let evidence = results.signals.map(|signals| Evidence {
        drivers: model
            .contributions(&signals)
            .into_iter()
            .take(3)
            .map(|(name, pull)| (name.to_string(), pull))
            .collect(),
        signals,
    });
    let area = top.and_then(|h| h.area.clone());
    let urgent = reading.urgency();
    let category = category_of(&reading, text, area.as_deref(), urgent);

    let mut reasons = Vec::new();
    if reading.wants_human() {
        reasons.push(Reason::HumanRequested);
    }
    if let Some(kind) = urgent {
        reasons.push(Reason::Urgent { kind });
    }
    if verdict == Some(crate::model::Feedback::NotHelpful) {
        reasons.push(Reason::NotHelpful);
    }
    if reasons.is_empty() && is_repeat(&reading.terms, history, policy.repeat_at) {
        reasons.push(Reason::Repeated);
    }
    let runner_up = hits
        .iter()
        .skip(1)
        .take(2)
        .filter(|h| {
            h.area != area && h.score >= policy.clarify_within * top.map_or(0.0, |t| t.score)
        })
        .collect::<Vec<_>>();
    let decision = if !reasons.is_empty() {
        Decision::Handoff
    } else if confidence < policy.clarify_at {
        let far = evidence
            .as_ref()
            .and_then(|e| e.signals.meaning)
            .is_some_and(|m| m.best - m.typical < policy.far_below);
        reasons.push(if far {
            Reason::OutOfScope
        } else {
            Reason::LowConfidence
        });
        Decision::Handoff
    } else if confidence < policy.answer_at && runner_up.is_empty() {
        reasons.push(Reason::Unsure);
        Decision::Clarify
    } else if !runner_up.is_empty() {
        let mut areas: Vec<String> = std::iter::once(top)
            .chain(runner_up.iter().map(|h| Some(*h)))
            .flatten()
            .filter_map(|h| h.area.clone())
            .collect();
        areas.dedup();
        reasons.push(Reason::Ambiguous { areas });
        Decision::Clarify
    } else {
        reasons.push(Reason::Confident);
        Decision::Answer
    };
    if let Some(topic) = topic {
        reasons.push(Reason::FollowUp { topic });
    }
    let priority = if urgent.is_some() {
        Priority::Urgent
    } else {
        Priority::Normal
    };

    let link = |h: &Attempt| Link {
        guide: h.guide.clone(),
        anchor: h.anchor.clone(),
        title: h.title.clone(),
    };
    let (text_out, links, quick_replies) = match decision {
        Decision::Answer => {
            let best = top.expect("an answer has a best guide");
            // An answer searched this message's own words: its terms are read already.
            // The section the search found, read by where it is, not looked up again.
            let section = match results.hits.first().and_then(|h| h.sections.first()) {
                Some(section) => kb.text(section.at)?,
                None => Default::default(),
            };
            let excerpt = excerpt_of(&section, &reading.terms, policy.answer_chars);
            let mut links = vec![link(best)];
            links.extend(
                hits.iter()
                    .skip(1)
                    .filter(|h| h.coverage >= COVERS)
                    .take(2)
                    .map(link),
            );
            let text = format!("{}\n\n{excerpt}\n\n{}", best.title, w.did_it_help);
            (
                text,
                links,
                vec![
                    w.solved.to_string(),
                    w.not_helpful.to_string(),
                    w.human.to_string(),
                ],
            )
        }
        Decision::Clarify => {
            let links: Vec<Link> = hits.iter().take(3).map(link).collect();
            let mut replies: Vec<String> = links.iter().map(|l| l.title.clone()).collect();
            replies.push(w.human.to_string());
            (w.which_one.to_string(), links, replies)
        }
        _ => {
            let mut text = if urgent.is_some() {
                w.handoff_urgent
            } else {
                w.handoff
            }
            .to_string();
            // A guide that covers the question well may help while they wait: the guide itself, not
            // its best section, which for a hand-off is often "still not working? contact us".
            let helpful: Vec<Link> = top
                .filter(|_| confidence >= policy.clarify_at)
                .map(|h| Link {
                    anchor: String::new(),
                    ..link(h)
                })
                .into_iter()
                .collect();
            if !helpful.is_empty() {
                text.push_str("\n\n");
                text.push_str(w.meanwhile);
            }
            (text, helpful, Vec::new())
        }
    };
    let cited = links.iter().map(|l| l.guide.clone()).collect();
    Ok(Reply {
        text: text_out,
        links,
        quick_replies,
        turn: BotTurn {
            query: searched,
            decision,
            confidence,
            evidence,
            reasons,
            priority,
            category,
            area,
            hits,
            cited,
            feedback: None,
            terms: reading.terms.into_iter().collect(),
        },
        verdict,
    })
}

/// Coverage of the question a second guide needs to be linked beside an answer.
const COVERS: f32 = 0.6;

/// Most content words a message may have and still be read as a follow-up without a
/// continuation word (`그럼`, `and`): `체크카드는요?`, `on Android?`.
const FOLLOW_UP_WORDS: usize = 2;

/// The earlier question a short follow-up continues: the question of the bot's last answer or
/// offer, when this message is a short one or starts with a continuation word.
fn follow_up_topic(reading: &Reading, last_bot: Option<&BotTurn>) -> Option<String> {
    let previous =
        last_bot.filter(|t| matches!(t.decision, Decision::Answer | Decision::Clarify))?;
    let content = reading.content;
    let short = content <= FOLLOW_UP_WORDS;
    (content > 0 && (short || reading.continues) && content <= 2 * FOLLOW_UP_WORDS)
        .then(|| previous.query.clone())
}

/// True when an earlier customer message asked the same thing (and the bot answered it). An
/// earlier message's terms are those its bot turn kept ([`BotTurn::terms`]); only a message
/// answered by a version of Baton that kept none is analysed again.
fn is_repeat(terms: &BTreeSet<String>, history: &[Message], at: f32) -> bool {
    if terms.is_empty() {
        return false;
    }
    history.iter().enumerate().any(|(i, m)| {
        if m.author != Author::Customer {
            return false;
        }
        let answered = history[i + 1..].iter().any(|n| {
            n.bot
                .as_ref()
                .is_some_and(|t| matches!(t.decision, Decision::Answer | Decision::Clarify))
        });
        if !answered {
            return false;
        }
        let kept = history[i + 1..]
            .iter()
            .find(|n| n.id == m.reply_id())
            .and_then(|n| n.bot.as_ref())
            .filter(|t| !t.terms.is_empty());
        let earlier: BTreeSet<String> = match kept {
            Some(turn) => turn.terms.iter().cloned().collect(),
            None => Analyzer::Text.terms(&m.text).into_iter().collect(),
        };
        let shared = terms.intersection(&earlier).count() as f32;
        let union = terms.union(&earlier).count() as f32;
        answered && union > 0.0 && shared / union >= at
    })
}

#[cfg(test)]
mod tests;
