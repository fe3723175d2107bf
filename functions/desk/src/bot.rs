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

use std::collections::BTreeSet;
use std::sync::LazyLock;

use kb::analysis::Analyzer;
use kb::intents::{Intent, IntentKind, Intents};
use kb::{KnowledgeBase, Lang, SearchRequest};
use regex::Regex;

use crate::model::{
    Attempt, Author, BotTurn, Category, Decision, Evidence, Link, Message, Priority, Reason,
    UrgentKind,
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
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            answer_at: 0.8,
            clarify_at: 0.35,
            clarify_within: 0.85,
            repeat_at: 0.6,
            answer_chars: 480,
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

/// A customer message read once: everything the bot's decisions read of it (the intents it says,
/// its analysed terms, whether it reads as a follow-up), so no decision analyses it again.
#[derive(Debug, Clone)]
pub struct Reading<'k> {
    /// The intents it says, in the team's order.
    said: Vec<&'k Intent>,
    /// Its analysed terms.
    terms: BTreeSet<String>,
    /// How many of them are content words (not function words).
    content: usize,
    /// Whether it starts with a continuation word (`그럼`, `and`).
    continues: bool,
}

impl<'k> Reading<'k> {
    /// Reads `text` (masked already) once.
    pub fn of(intents: &'k Intents, text: &str) -> Reading<'k> {
        let analysed = Analyzer::Text.terms(text);
        let content = analysed
            .iter()
            .filter(|t| !kb::function_words::is_function_word(t))
            .count();
        let terms: BTreeSet<String> = analysed.into_iter().collect();
        Reading {
            said: intents.detect(text),
            terms,
            content,
            continues: kb::function_words::continues(text),
        }
    }

    fn first(&self, kind: IntentKind) -> Option<&'k Intent> {
        self.said.iter().copied().find(|i| i.kind == kind)
    }

    /// The urgent kind it says, if it is urgent: the first urgent intent.
    pub fn urgency(&self) -> Option<UrgentKind> {
        self.said
            .iter()
            .filter(|i| i.kind == IntentKind::Urgent)
            .find_map(|i| i.name.parse().ok())
    }

    /// Whether it asks for a person.
    pub fn wants_human(&self) -> bool {
        self.first(IntentKind::Human).is_some()
    }

    /// Its verdict on the last answer, if it gives one.
    pub fn feedback(&self) -> Option<crate::model::Feedback> {
        if self.first(IntentKind::NotHelpful).is_some() {
            Some(crate::model::Feedback::NotHelpful)
        } else if self.first(IntentKind::Solved).is_some() {
            Some(crate::model::Feedback::Helpful)
        } else {
            None
        }
    }

    /// Whether it asks for something the product does not do.
    pub fn asks_for_a_feature(&self) -> bool {
        self.first(IntentKind::FeatureRequest).is_some()
    }
}

/// Words that suggest something is broken, for telling a bug report from a how-to question.
static ERROR_SIGNAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b[A-Z]{3}-\d{4}\b|오류|에러|안\s*(돼|되|됩)|실패|버그|먹통|멈춰|error|fail|broken|crash|bug|not\s+working",
    )
    .expect("the error signal is a valid regular expression")
});

/// Refuses an intents file whose urgent intents Baton cannot alert on: each urgent intent must be
/// named for an [`UrgentKind`], so alerts, reports and the queue read it the same way.
pub fn check_intents(intents: &Intents) -> std::result::Result<(), String> {
    for intent in intents
        .all()
        .iter()
        .filter(|i| i.kind == IntentKind::Urgent)
    {
        if intent.name.parse::<UrgentKind>().is_err() {
            let known: Vec<String> = UrgentKind::ALL.iter().map(ToString::to_string).collect();
            return Err(format!(
                "urgent intent \"{}\" is not a kind Baton alerts on ({})",
                intent.name,
                known.join(", ")
            ));
        }
    }
    Ok(())
}

/// The urgent kind of a message, if it is urgent: the first urgent intent it says.
pub fn urgency(intents: &Intents, text: &str) -> Option<UrgentKind> {
    Reading::of(intents, text).urgency()
}

/// True when the customer asks for a person.
pub fn wants_human(intents: &Intents, text: &str) -> bool {
    Reading::of(intents, text).wants_human()
}

/// The customer's verdict on the last answer, read from their words or a quick reply.
pub fn feedback(intents: &Intents, text: &str) -> Option<crate::model::Feedback> {
    Reading::of(intents, text).feedback()
}

/// The kind of inquiry, from the words and the best guide's area.
pub fn categorize(
    intents: &Intents,
    text: &str,
    area: Option<&str>,
    urgent: Option<UrgentKind>,
) -> Category {
    category_of(&Reading::of(intents, text), text, area, urgent)
}

/// [`categorize`] of a message read already.
fn category_of(
    reading: &Reading,
    text: &str,
    area: Option<&str>,
    urgent: Option<UrgentKind>,
) -> Category {
    if reading.asks_for_a_feature() {
        return Category::FeatureRequest;
    }
    if let Some(kind) = urgent {
        return kind.category();
    }
    match area {
        Some("payments" | "billing" | "transfers") => Category::BillingPayment,
        Some("account" | "security") => Category::AccountAccess,
        _ if ERROR_SIGNAL.is_match(text) => Category::BugError,
        _ => Category::HowTo,
    }
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
/// `history`, oldest first.
pub fn respond(
    kb: &KnowledgeBase,
    policy: &Policy,
    text: &str,
    lang: Lang,
    history: &[Message],
) -> kb::Result<Reply> {
    let w = words(lang);
    let reading = Reading::of(kb.intents(), text);
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
    let results = kb.search(&SearchRequest {
        query: &searched,
        lang: Some(lang),
        area: None,
        limit: 5,
        snippets: false,
        context: topic.as_deref(),
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
    let model = kb.confidence();
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
        reasons.push(Reason::LowConfidence);
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
            let excerpt = excerpt_of(
                &kb.section(&best.guide, &best.anchor)?.unwrap_or_default(),
                &reading.terms,
                policy.answer_chars,
            );
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

/// The part of a section that answers `query`: the whole section when short, else the lines from
/// the first one that mentions the query, cut at a line end near `max_chars`.
pub fn excerpt(section: &str, query: &str, max_chars: usize) -> String {
    let terms: BTreeSet<String> = Analyzer::Text.terms(query).into_iter().collect();
    excerpt_of(section, &terms, max_chars)
}

/// [`excerpt`] for a query whose terms are read already.
fn excerpt_of(section: &str, terms: &BTreeSet<String>, max_chars: usize) -> String {
    let lines: Vec<&str> = section.lines().filter(|l| !l.trim().is_empty()).collect();
    if section.chars().count() <= max_chars {
        return lines.join("\n");
    }
    let start = lines
        .iter()
        .position(|l| Analyzer::Text.terms(l).iter().any(|t| terms.contains(t)))
        .unwrap_or(0);
    let mut out = String::new();
    for line in &lines[start..] {
        let len = out.chars().count();
        if len > 0 && len + line.chars().count() > max_chars {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        if line.chars().count() > max_chars {
            out.extend(line.chars().take(max_chars));
            out.push('…');
            break;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One analysis per message: an earlier question is compared through the terms its bot turn
    /// kept, not analysed again (the text below would not read as the same question).
    #[test]
    fn earlier_questions_are_compared_through_the_terms_their_turn_kept() {
        let question = Message {
            id: "msg_01JAAAAAAAAAAAAAAAAAAAAAA1".into(),
            conversation_id: "cv_01JAAAAAAAAAAAAAAAAAAAAAAA".into(),
            author: Author::Customer,
            text: "전혀 다른 말".into(),
            links: Vec::new(),
            quick_replies: Vec::new(),
            attachments: Vec::new(),
            bot: None,
            key_hash: None,
            created_at: 0,
        };
        let mut turn = BotTurn::human_requested("환불 계좌".into());
        turn.decision = Decision::Answer;
        turn.terms = vec!["환불".into(), "계좌".into()];
        let reply = Message {
            id: question.reply_id(),
            author: Author::Bot,
            bot: Some(turn),
            ..question.clone()
        };
        let history = [question, reply];
        let terms: BTreeSet<String> = ["환불".to_string(), "계좌".to_string()].into();
        assert!(is_repeat(&terms, &history, 0.6), "the kept terms are read");
        let mut legacy = history.clone();
        if let Some(t) = legacy[1].bot.as_mut() {
            t.terms.clear();
        }
        assert!(
            !is_repeat(&terms, &legacy, 0.6),
            "a turn stored before keeps no terms: its message is analysed"
        );
    }

    /// Baton's own intents, as `kb/guides/kb.toml` names them.
    fn intents() -> Intents {
        Intents::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/intents.toml"),
        )
        .expect("kb/intents.toml")
    }

    #[test]
    fn urgent_intents_must_name_a_kind_baton_alerts_on() {
        check_intents(&intents()).expect("Baton's intents");
        let game = Intents::with_shared(
            "[[intent]]\nname = \"account_banned\"\nkind = \"urgent\"\nmatch = [\"banned\"]",
        )
        .expect("parses");
        let refused = check_intents(&game).expect_err("an unknown urgent kind");
        assert!(
            refused.contains("\"account_banned\" is not a kind"),
            "{refused}"
        );
    }

    #[test]
    fn detects_people_requests_in_both_languages() {
        let set = intents();
        for text in [
            "상담원 연결",
            "사람이랑 얘기하고 싶어요",
            "상담사 연결해 주세요",
            "talk to a human",
            "Can I speak with someone?",
            "agent please",
        ] {
            assert!(wants_human(&set, text), "{text}");
        }
        for text in ["비밀번호 변경", "user agent string", "how do I add staff"] {
            assert!(!wants_human(&set, text), "{text}");
        }
    }

    #[test]
    fn detects_urgency() {
        let set = intents();
        use UrgentKind::*;
        let cases = [
            ("송금했는데 안 들어왔어요", Some(MoneyNotReceived)),
            ("정산금이 아직 안 들어왔어요", Some(MoneyNotReceived)),
            ("I sent money but it never arrived", Some(MoneyNotReceived)),
            ("결제 오류가 계속 나요", Some(PaymentFailed)),
            ("payment failed at checkout", Some(PaymentFailed)),
            ("두 번 결제됐어요", Some(ChargedTwice)),
            ("I was charged twice", Some(ChargedTwice)),
            ("사이트 접속이 안 돼요", Some(ServiceDown)),
            ("접속이 안 돼요", Some(ServiceDown)),
            ("my store is down", Some(ServiceDown)),
            ("계정이 해킹당한 것 같아요", Some(AccountCompromised)),
            ("결제가 카드로는 계속 두 번씩 빠져요", Some(ChargedTwice)),
            ("접속이 전혀 안 돼요", Some(ServiceDown)),
            ("someone else changed my password", Some(AccountCompromised)),
            ("does two-step verification stop hackers?", None),
            ("두 번째 결제 방법 등록", None),
            ("how do I set up two payment methods", None),
            ("환불은 어떻게 하나요", None),
            ("결제 수단 추가하는 법", None),
        ];
        for (text, kind) in cases {
            assert_eq!(urgency(&set, text), kind, "{text}");
        }
    }

    #[test]
    fn categories() {
        let set = intents();
        assert_eq!(
            categorize(&set, "다크 모드 기능 추가해 주세요", Some("store"), None),
            Category::FeatureRequest
        );
        assert_eq!(
            categorize(
                &set,
                "두 번 결제됐어요",
                None,
                Some(UrgentKind::ChargedTwice)
            ),
            Category::BillingPayment
        );
        assert_eq!(
            categorize(&set, "환불 방법", Some("payments"), None),
            Category::BillingPayment
        );
        assert_eq!(
            categorize(&set, "비밀번호 변경", Some("account"), None),
            Category::AccountAccess
        );
        assert_eq!(
            categorize(&set, "STO-5003 오류", Some("store"), None),
            Category::BugError
        );
        assert_eq!(
            categorize(&set, "상품 등록하는 법", Some("store"), None),
            Category::HowTo
        );
    }

    #[test]
    fn feedback_words() {
        use crate::model::Feedback::*;
        let set = intents();
        assert_eq!(feedback(&set, "해결됐어요"), Some(Helpful));
        assert_eq!(feedback(&set, "That solved it"), Some(Helpful));
        assert_eq!(feedback(&set, "도움이 안 됐어요"), Some(NotHelpful));
        assert_eq!(feedback(&set, "그래도 안 돼요"), Some(NotHelpful));
        assert_eq!(feedback(&set, "That didn't help"), Some(NotHelpful));
        assert_eq!(feedback(&set, "환불은 언제 되나요"), None);
    }

    #[test]
    fn excerpts_start_at_the_answer() {
        let section = format!(
            "{}\n비밀번호는 설정에서 바꿉니다.\n다음 줄.",
            "관련 없는 긴 문장입니다. ".repeat(40)
        );
        let e = excerpt(&section, "비밀번호 변경", 60);
        assert!(e.starts_with("비밀번호는 설정에서 바꿉니다."), "{e}");
        assert_eq!(
            excerpt("짧은 안내.\n\n둘째 줄.", "x", 100),
            "짧은 안내.\n둘째 줄."
        );
    }
}
