//! What operators do: page the queue, read a case whole, claim, release, reply, note and resolve.

use super::{CaseView, Desk, MAX_MESSAGE_BYTES, MAX_QUEUE_PAGE, QueuePage, validate};
use crate::error::{Error, Result};
use crate::events;
use crate::model::{
    Author, Case, CaseStatus, Category, Conversation, ConversationState, Event, EventKind,
    MAIL_CHANNEL, MailContact, Message, Millis, Note, Resolution, new_id, now,
};
use crate::presence::{self, Activity, Presence};
use crate::store::{CaseWrite, Commit, Committed};

impl Desk {
    /// One page of open and claimed cases, urgent first, then oldest. `cursor` is the `next` of
    /// the previous page.
    pub async fn queue(&self, limit: usize, cursor: Option<&str>) -> Result<QueuePage> {
        self.queue_of(limit, cursor, None).await
    }

    /// [`Desk::queue`], only the cases of `organisation` when it is given (a page may then hold
    /// fewer than `limit`: the cursor still walks the whole queue).
    pub async fn queue_of(
        &self,
        limit: usize,
        cursor: Option<&str>,
        organisation: Option<&str>,
    ) -> Result<QueuePage> {
        let limit = limit.clamp(1, MAX_QUEUE_PAGE);
        if let Some(cursor) = cursor
            && !is_queue_key(cursor)
        {
            return Err(Error::Invalid("cursor is not a queue cursor".into()));
        }
        let mut cases = self.store.queue(limit, cursor).await?;
        let next = (cases.len() == limit)
            .then(|| cases.last().map(Case::queue_key))
            .flatten();
        if let Some(organisation) = organisation {
            cases.retain(|c| c.organisation.as_deref() == Some(organisation));
        }
        Ok(QueuePage { cases, next })
    }

    /// A case with its conversation, transcript, bot attempts and notes.
    pub async fn case(&self, id: &str) -> Result<CaseView> {
        let case = self.existing_case(id).await?;
        let conversation = self.case_conversation(&case).await?;
        let transcript = self.store.messages(&case.conversation_id).await?;
        let attempts = transcript.iter().filter_map(|m| m.bot.clone()).collect();
        let notes = self.store.notes(id).await?;
        let presence = presence::current(&self.store.presence(&case.conversation_id).await?, now());
        let contact = match &conversation.mail {
            Some(thread) => self
                .store
                .mail_contact(&MailContact::key(&thread.address))
                .await?
                .filter(|c| c.customer_id.is_some()),
            None => None,
        };
        let organisation = match &case.organisation {
            Some(id) => Some(match self.store.organisation(id).await? {
                Some(recorded) => crate::desk::OrgOnCase::Recorded(recorded),
                None => crate::desk::OrgOnCase::Unrecorded { id: id.clone() },
            }),
            None => None,
        };
        Ok(CaseView {
            case,
            conversation: (&conversation).into(),
            transcript,
            attempts,
            notes,
            presence,
            contact,
            organisation,
        })
    }

    /// Records that `operator` is viewing a case or typing a reply in it, and answers who is in
    /// it now (them included), so the console's heartbeat needs no second read.
    pub async fn touch(
        &self,
        id: &str,
        operator: &str,
        activity: Activity,
    ) -> Result<Vec<Presence>> {
        let operator = operator_name(operator)?;
        let case = self.existing_case(id).await?;
        let at = now();
        self.store
            .touch(&Presence {
                conversation_id: case.conversation_id.clone(),
                operator: operator.to_string(),
                activity,
                at,
            })
            .await?;
        Ok(presence::current(
            &self.store.presence(&case.conversation_id).await?,
            at,
        ))
    }

    pub(super) async fn existing_case(&self, id: &str) -> Result<Case> {
        let not_found = || Error::NotFound {
            what: "case",
            id: id.to_string(),
        };
        if !crate::model::is_id("case", id) {
            return Err(Error::Invalid("malformed case id".into()));
        }
        self.store.case(id).await?.ok_or_else(not_found)
    }

    /// A versioned change of a case by an operator, with the event it makes; unchanged cases are
    /// not written. `change` decides on the current record each time.
    async fn change_case(
        &self,
        id: &str,
        event: impl Fn(&Case) -> Option<Event> + Send,
        mut change: impl FnMut(&mut Case) -> Result<()> + Send,
    ) -> Result<Case> {
        retrying!(format!("case {id}"), {
            let existing = self.existing_case(id).await?;
            let mut case = existing.clone();
            change(&mut case)?;
            if case == existing {
                return Ok(case);
            }
            case.updated_at = now();
            let commit = Commit {
                events: event(&case).into_iter().collect(),
                case: Some(CaseWrite::Update(case.clone())),
                ..Commit::default()
            };
            self.store.commit(&commit).await?;
            case.version += 1;
            Ok(case)
        })
    }

    /// Claims a case for `operator`. Claiming a case one already holds is fine; a case someone
    /// else holds is a conflict naming the holder.
    pub async fn claim(&self, id: &str, operator: &str) -> Result<Case> {
        let operator = operator_name(operator)?;
        self.change_case(
            id,
            |case| {
                Some(Event::about(
                    EventKind::Claim,
                    case,
                    [(events::OPERATOR, operator.to_string())],
                ))
            },
            |case| claim(case, operator),
        )
        .await
    }

    /// Gives a claimed case back to the queue. Only its holder can.
    pub async fn release(&self, id: &str, operator: &str) -> Result<Case> {
        let operator = operator_name(operator)?;
        self.change_case(
            id,
            |case| {
                Some(Event::about(
                    EventKind::Release,
                    case,
                    [(events::OPERATOR, operator.to_string())],
                ))
            },
            |case| match (case.status, case.assignee.as_deref()) {
                (CaseStatus::Claimed, Some(holder)) if holder == operator => {
                    case.status = CaseStatus::Open;
                    case.assignee = None;
                    case.wait_again(now());
                    Ok(())
                }
                (CaseStatus::Claimed, Some(holder)) => Err(Error::Conflict(format!(
                    "case {} is held by {holder}",
                    case.id
                ))),
                _ => Err(Error::Conflict(format!("case {} is not claimed", case.id))),
            },
        )
        .await
    }

    /// An operator's reply: it appears in the customer's conversation. Replying to an open case
    /// claims it; a case someone else holds is a conflict. The message and the claim are one
    /// commit; a retry with the same idempotency key returns the first reply.
    pub async fn reply(
        &self,
        id: &str,
        operator: &str,
        text: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Message> {
        let operator = operator_name(operator)?;
        let text = validate(&self.mask(text))?;
        retrying!(format!("case {id}"), {
            let existing = self.existing_case(id).await?;
            let key_hash = idempotency_key.map(|key| {
                Message::key_hash(&existing.conversation_id, &format!("operator:{key}"))
            });
            let mut case = existing.clone();
            claim(&mut case, operator)?;
            let mut message = Message {
                id: new_id("msg"),
                conversation_id: case.conversation_id.clone(),
                author: Author::Operator {
                    name: operator.to_string(),
                },
                text: text.clone(),
                links: Vec::new(),
                quick_replies: Vec::new(),
                attachments: Vec::new(),
                bot: None,
                key_hash,
                mail: None,
                member: None,
                created_at: now(),
            };
            let mut commit = Commit {
                events: vec![Event::about(
                    EventKind::Reply,
                    &case,
                    [(events::OPERATOR, operator.to_string())],
                )],
                ..Commit::default()
            };
            // On a conversation by mail (or a board inquiry, answered by mail too), the reply
            // leaves as a mail in the thread.
            if case.channel == MAIL_CHANNEL || case.channel == crate::model::BOARD_CHANNEL {
                let mut conversation = self.case_conversation(&case).await?;
                self.operator_mail(&mut conversation, &mut message, &mut commit);
            }
            commit.messages = vec![message.clone()];
            if case != existing {
                case.updated_at = now();
                commit.case = Some(CaseWrite::Update(case));
            }
            match self.store.commit(&commit).await? {
                Committed::Done => Ok(message),
                Committed::Duplicate(first) => Ok(*first),
            }
        })
    }

    /// An internal note on a case, for the team only.
    pub async fn note(&self, id: &str, operator: &str, text: &str) -> Result<Note> {
        let operator = operator_name(operator)?;
        let text = validate(&self.mask(text))?;
        self.existing_case(id).await?;
        let note = Note {
            id: new_id("note"),
            case_id: id.to_string(),
            author: operator.to_string(),
            text,
            created_at: now(),
        };
        self.store
            .commit(&Commit {
                notes: vec![note.clone()],
                ..Commit::default()
            })
            .await?;
        Ok(note)
    }

    /// Resolves a case with a note and the confirmed category. Anyone may resolve an open case;
    /// a case someone else holds is a conflict. The case, the conversation and the event are one
    /// commit.
    pub async fn resolve(
        &self,
        id: &str,
        operator: &str,
        note: &str,
        category: Option<Category>,
        follow_up: Option<&str>,
    ) -> Result<Case> {
        let operator = operator_name(operator)?;
        let note = self.mask(note.trim());
        let follow_up = follow_up
            .map(|f| self.mask(f.trim()))
            .filter(|f| !f.is_empty());
        if note.len() > MAX_MESSAGE_BYTES
            || follow_up
                .as_ref()
                .is_some_and(|f| f.len() > MAX_MESSAGE_BYTES)
        {
            return Err(Error::Invalid(format!(
                "note and follow_up are at most {MAX_MESSAGE_BYTES} bytes"
            )));
        }
        retrying!(format!("case {id}"), {
            let mut case = self.existing_case(id).await?;
            match (case.status, case.assignee.as_deref()) {
                // The same resolution again (a retry): done already.
                (CaseStatus::Resolved, Some(holder)) if holder == operator => return Ok(case),
                (CaseStatus::Resolved, _) => {
                    return Err(Error::Conflict(format!("case {id} is already resolved")));
                }
                (CaseStatus::Claimed, Some(holder)) if holder != operator => {
                    return Err(Error::Conflict(format!("case {id} is held by {holder}")));
                }
                _ => {}
            }
            let at = now();
            case.status = CaseStatus::Resolved;
            case.assignee = Some(operator.to_string());
            case.category = category.unwrap_or(case.category);
            case.resolution = Some(Resolution {
                by: operator.to_string(),
                note: note.clone(),
                category: case.category,
                follow_up: follow_up.clone(),
                at,
            });
            let event = Event::about(
                EventKind::Resolve,
                &case,
                [
                    (events::OPERATOR, operator.to_string()),
                    (events::FOLLOW_UP, follow_up.clone().unwrap_or_default()),
                ],
            );
            self.commit_with_conversation(&mut case, ConversationState::Resolved, at, event)
                .await?;
            Ok(case)
        })
    }
}

impl Desk {
    /// Reopens a resolved case for `operator` (a follow-up the team owes the customer): back
    /// with them, claimed, and the conversation with people again. An open or claimed case is a
    /// conflict.
    pub async fn reopen(&self, id: &str, operator: &str) -> Result<Case> {
        let operator = operator_name(operator)?;
        retrying!(format!("case {id}"), {
            let mut case = self.existing_case(id).await?;
            if !super::handoff::reopen(&mut case) {
                return Err(Error::Conflict(format!("case {id} is not resolved")));
            }
            claim(&mut case, operator)?;
            let event = Event::about(
                EventKind::Reopen,
                &case,
                [(events::OPERATOR, operator.to_string())],
            );
            self.commit_with_conversation(&mut case, ConversationState::Human, now(), event)
                .await?;
            Ok(case)
        })
    }

    pub(super) async fn case_conversation(&self, case: &Case) -> Result<Conversation> {
        self.store
            .conversation(&case.conversation_id)
            .await?
            .ok_or_else(|| Error::Corrupt(format!("case {} has no conversation", case.id)))
    }

    /// Writes `case`, changed at `at`, with its conversation moved to `state` and `event`, as
    /// one commit (so a concurrent change to either is a retry, not a lost update).
    async fn commit_with_conversation(
        &self,
        case: &mut Case,
        state: ConversationState,
        at: Millis,
        event: Event,
    ) -> Result<()> {
        let mut conversation = self.case_conversation(case).await?;
        case.updated_at = at;
        conversation.state = state;
        conversation.updated_at = at;
        let commit = Commit {
            events: vec![event],
            case: Some(CaseWrite::Update(case.clone())),
            conversation: Some(conversation),
            ..Commit::default()
        };
        self.store.commit(&commit).await?;
        case.version += 1;
        Ok(())
    }
}

/// Takes a case for `operator`, unless it is resolved or someone else holds it.
fn claim(case: &mut Case, operator: &str) -> Result<()> {
    match (case.status, case.assignee.as_deref()) {
        (CaseStatus::Resolved, _) => Err(Error::Conflict(format!("case {} is resolved", case.id))),
        (CaseStatus::Claimed, Some(holder)) if holder != operator => Err(Error::Conflict(format!(
            "case {} is held by {holder}",
            case.id
        ))),
        _ => {
            case.status = CaseStatus::Claimed;
            case.assignee = Some(operator.to_string());
            Ok(())
        }
    }
}

/// Whether `text` is a queue cursor ([`Case::queue_key`]).
fn is_queue_key(text: &str) -> bool {
    let mut parts = text.splitn(3, '#');
    matches!(parts.next(), Some("0" | "1"))
        && parts
            .next()
            .is_some_and(|t| t.len() == 13 && t.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|id| crate::model::is_id("case", id))
}

pub(super) fn operator_name(operator: &str) -> Result<&str> {
    let operator = operator.trim();
    if operator.is_empty() || operator.len() > 100 {
        return Err(Error::Invalid("operator name must be 1–100 bytes".into()));
    }
    Ok(operator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_cursors_are_checked() {
        let id = new_id("case");
        assert!(is_queue_key(&format!(
            "0#{:013}#{id}",
            1_795_000_000_000i64
        )));
        assert!(!is_queue_key("0#123#case_x"));
        assert!(!is_queue_key(&format!("2#{:013}#{id}", 1)));
        assert!(!is_queue_key("' OR 1=1 --"));
    }
}
