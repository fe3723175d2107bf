//! The hand-off: the conversation's one case with everything an operator needs (created, or
//! reopened, and escalated when the message was urgent), the customer's own request for a person,
//! and the one decision about alerting the team.

use super::{Desk, HISTORY_CASES, Planned, shorten};
use crate::alerts;
use crate::error::Result;
use crate::events;
use crate::model::{
    Author, BotTurn, Case, CaseStatus, CaseSummary, Conversation, ConversationState, Escalation,
    Event, EventKind, Message, Priority, now,
};
use crate::store::{CaseWrite, Commit};

impl Desk {
    /// A verified customer's earlier cases (newest first, at most [`HISTORY_CASES`]), `case_id`
    /// left out; none for anyone unverified.
    pub(super) async fn history(
        &self,
        customer: &crate::model::Customer,
        case_id: &str,
    ) -> Result<Vec<CaseSummary>> {
        let Some(key) = customer.history_key() else {
            return Ok(Vec::new());
        };
        Ok(self
            .store
            .customer_cases(key, HISTORY_CASES + 1)
            .await?
            .iter()
            // Only this verified customer's own cases, whatever an index holds.
            .filter(|c| c.id != case_id && c.customer.verified && c.customer.id == key)
            .take(HISTORY_CASES)
            .map(Case::summarize)
            .collect())
    }
    /// Adds a hand-off to `commit`: the conversation's one case (created, or reopened if resolved,
    /// and escalated when `trigger`, the message that led to it, is urgent), the conversation
    /// moved to people, the event. Reads only the case and,
    /// for a verified customer, their earlier cases; everything else comes from the caller.
    pub(super) async fn hand_off(
        &self,
        conversation: &mut Conversation,
        asked: &[&Message],
        turn: &BotTurn,
        trigger: Option<&Message>,
        commit: &mut Commit,
    ) -> Result<(Case, Option<Case>)> {
        let case_id = Case::id_for(&conversation.id);
        let existing = self.store.case(&case_id).await?;
        let (case, alert) = match existing {
            Some(existing) => {
                let mut case = existing.clone();
                reopen(&mut case);
                if let Some(trigger) = trigger
                    && let Some(kind) = urgent_kind(turn)
                {
                    escalate(&mut case, kind, trigger, trigger.created_at);
                }
                let alert = alert_if_due(Some(&existing), &mut case);
                if case != existing {
                    if case.status != existing.status {
                        commit
                            .events
                            .push(Event::about(EventKind::Reopen, &case, []));
                    }
                    case.updated_at = now();
                    commit.case = Some(CaseWrite::Update(case.clone()));
                    case.version += 1;
                }
                (case, alert)
            }
            None => {
                let history = self.history(&conversation.customer, &case_id).await?;
                let at = now();
                let mut case = Case {
                    id: case_id,
                    conversation_id: conversation.id.clone(),
                    customer: conversation.customer.clone(),
                    status: CaseStatus::Open,
                    priority: turn.priority,
                    category: turn.category,
                    area: turn.area.clone(),
                    reason: turn.handoff_reason(),
                    escalation: None,
                    summary: summary(asked),
                    assignee: None,
                    channel: conversation.channel.clone(),
                    organisation: conversation.organisation.clone(),
                    locale: conversation.locale,
                    metadata: conversation.metadata.clone(),
                    history,
                    resolution: None,
                    reopened: 0,
                    reminded: 0,
                    alerts: 0,
                    remind_from: None,
                    rating: None,
                    created_at: at,
                    updated_at: at,
                    version: 0,
                };
                let question = handoff_question(asked, trigger, &case.reason);
                commit.events.push(Event::about(
                    EventKind::Handoff,
                    &case,
                    [
                        (events::REASON, case.reason.to_string()),
                        (events::PRIORITY, case.priority.to_string()),
                        (
                            events::URGENCY,
                            case.urgent_kind()
                                .map(|k| k.to_string())
                                .unwrap_or_default(),
                        ),
                        (events::QUESTION, events::words(question)),
                        (events::CUSTOMER, events::customer_key(&case.customer)),
                    ],
                ));
                let alert = alert_if_due(None, &mut case);
                commit.case = Some(CaseWrite::Create(case.clone()));
                (case, alert)
            }
        };
        conversation.state = ConversationState::Human;
        conversation.case_id = Some(case.id.clone());
        Ok((case, alert))
    }

    /// The customer asked for a person directly (a button in the widget): hand off with that
    /// reason. Idempotent: an open case is returned as it is.
    pub async fn request_human(&self, id: &str, secret: &str) -> Result<Case> {
        retrying!("the conversation", {
            let mut conversation = self.conversation(id, secret).await?;
            if let Some(case_id) = &conversation.case_id
                && let Some(case) = self.store.case(case_id).await?
                && case.status != CaseStatus::Resolved
            {
                return Ok(case);
            }
            let messages = self.store.messages(id).await?;
            let last = messages.iter().rev().find_map(|m| m.bot.clone());
            let query = messages
                .iter()
                .rev()
                .find(|m| m.author == Author::Customer)
                .map(|m| m.text.clone())
                .unwrap_or_default();
            // What the bot last knew about the question still holds for the person who takes it.
            let turn = match last {
                Some(last) => {
                    let urgent = urgent_kind(&last);
                    BotTurn {
                        confidence: last.confidence,
                        priority: last.priority,
                        category: last.category,
                        area: last.area,
                        reasons: match urgent {
                            Some(kind) => vec![
                                crate::model::Reason::HumanRequested,
                                crate::model::Reason::Urgent { kind },
                            ],
                            None => vec![crate::model::Reason::HumanRequested],
                        },
                        ..BotTurn::human_requested(query)
                    }
                }
                None => BotTurn::human_requested(query),
            };
            let asked: Vec<&Message> = messages.iter().collect();
            let mut commit = Commit::default();
            let (case, alert) = self
                .hand_off(&mut conversation, &asked, &turn, None, &mut commit)
                .await?;
            conversation.updated_at = now();
            commit.conversation = Some(conversation);
            let (_, case) = self
                .apply(Planned {
                    commit,
                    result: case,
                    alert,
                })
                .await?;
            Ok(case)
        })
    }
}

/// Reopens a resolved case: back in the queue, unassigned, and normal again (it was urgent for
/// what was resolved; only a new urgent message makes it urgent again, so a "thank you" after the
/// resolution does not page the team). A resend of the message that reopened it is a duplicate
/// and never gets here. Returns whether it changed.
pub(super) fn reopen(case: &mut Case) -> bool {
    if case.status != CaseStatus::Resolved {
        return false;
    }
    case.status = CaseStatus::Open;
    case.assignee = None;
    case.reopened += 1;
    case.rating = None;
    case.priority = Priority::Normal;
    case.escalation = None;
    case.wait_again(now());
    true
}

/// Raises a normal case to urgent because of `message`. Returns whether it changed (an urgent
/// case stays as it is).
pub(super) fn escalate(
    case: &mut Case,
    kind: crate::model::UrgentKind,
    message: &Message,
    at: i64,
) -> bool {
    if case.priority == Priority::Urgent {
        return false;
    }
    case.priority = Priority::Urgent;
    case.escalation = Some(Escalation {
        kind,
        message_id: message.id.clone(),
        text: shorten(&message.text, 300),
        at,
    });
    case.wait_again(at);
    true
}

pub(super) fn urgent_kind(turn: &BotTurn) -> Option<crate::model::UrgentKind> {
    turn.reasons.iter().find_map(|r| match r {
        crate::model::Reason::Urgent { kind } => Some(*kind),
        _ => None,
    })
}

/// What the customer asked, in their words: their messages joined, shortened.
pub(super) fn summary(messages: &[&Message]) -> String {
    let asked: Vec<&str> = messages
        .iter()
        .filter(|m| m.author == Author::Customer)
        .map(|m| m.text.as_str())
        .collect();
    shorten(&asked.join(" / "), 300)
}

/// The customer's words a hand-off records as its question: the message that led to it, except
/// when that message only asked for a person (then the question before it), or, from the
/// widget's button, the customer's last message; never the bot's words.
pub(super) fn handoff_question<'a>(
    asked: &[&'a Message],
    trigger: Option<&'a Message>,
    reason: &crate::model::Reason,
) -> &'a str {
    let mut customer = asked
        .iter()
        .copied()
        .filter(|m| m.author == Author::Customer);
    let before_trigger = |trigger: &Message| {
        asked
            .iter()
            .copied()
            .rfind(|m| m.author == Author::Customer && m.id != trigger.id)
    };
    let message = match trigger {
        Some(t) if matches!(reason, crate::model::Reason::HumanRequested) => {
            before_trigger(t).unwrap_or(t)
        }
        Some(t) => t,
        None => match customer.next_back() {
            Some(m) => m,
            None => return "",
        },
    };
    message.text.as_str()
}

/// The desk's one decision about alerting the team of a case it is about to write over `before`
/// (`None`: a new case): when [`alerts::due`], the case carries it (its `alerts` count rises) and is
/// returned for `baton serve`'s alerter; the AWS alerts function reads the count from the stream.
pub(super) fn alert_if_due(before: Option<&Case>, case: &mut Case) -> Option<Case> {
    if !alerts::due(before, case) {
        return None;
    }
    case.alerts += 1;
    Some(case.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reopening_puts_a_case_back_in_the_queue_as_normal() {
        let mut case: Case = serde_json::from_value(serde_json::json!({
            "id": "case_x", "conversation_id": "cv_x",
            "customer": {"id": "anon_x"}, "status": "resolved", "priority": "urgent",
            "category": "how_to", "reason": {"code": "urgent", "kind": "service_down"}, "summary": "",
            "channel": "web", "locale": "ko", "assignee": "minji",
            "created_at": 0, "updated_at": 0, "version": 1
        }))
        .expect("case");
        assert!(reopen(&mut case));
        assert_eq!(
            (
                case.status,
                case.priority,
                case.assignee.as_deref(),
                case.reopened
            ),
            (CaseStatus::Open, Priority::Normal, None, 1)
        );
        assert_eq!(case.urgent_kind(), None);
        assert!(!reopen(&mut case), "an open case stays as it is");
    }
}
