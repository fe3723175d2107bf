//! A customer coming back: a verified customer resumes their open conversation on another device,
//! and a customer rates how a resolved case went.

use super::customers::{hash, secret};
use super::{Desk, Started, shorten};
use crate::error::{Error, Result};
use crate::events;
use crate::model::{CaseStatus, Event, EventKind, Rating, now};
use crate::store::{CaseWrite, Commit};

/// Most devices one conversation is open on besides the first (the oldest is dropped).
const MAX_DEVICES: usize = 5;
/// Longest rating comment kept, in characters.
const MAX_COMMENT_CHARS: usize = 1000;

impl Desk {
    /// The open conversation of the customer a signed `identity_token` names, on a new device:
    /// the conversation of their latest case that is not resolved, with a new secret for this
    /// device (the first device's secret keeps working). `NotFound` when they have none: the
    /// widget then starts a conversation with the first message, as for anyone.
    pub async fn resume(&self, identity_token: &str) -> Result<Started> {
        let identity = self.identity.verify(identity_token)?;
        let none = || Error::NotFound {
            what: "open conversation",
            id: "for this customer".into(),
        };
        retrying!("the conversation", {
            let case = self
                .store
                .customer_cases(&identity.id, 1)
                .await?
                .into_iter()
                .next()
                .filter(|c| c.status != CaseStatus::Resolved)
                .ok_or_else(none)?;
            let mut conversation = self
                .store
                .conversation(&case.conversation_id)
                .await?
                // A conversation held by mail goes on by mail: what the widget typed into it
                // would be mailed to its address, which may not be this customer's.
                // A standing line's thread is its organisation's: never resumed into a device.
                .filter(|c| {
                    c.customer.verified
                        && c.customer.id == identity.id
                        && c.mail.is_none()
                        && !c.is_line()
                })
                .ok_or_else(none)?;
            let secret = secret()?;
            conversation.device_secret_hashes.push(hash(&secret));
            let excess = conversation
                .device_secret_hashes
                .len()
                .saturating_sub(MAX_DEVICES);
            conversation.device_secret_hashes.drain(..excess);
            conversation.updated_at = now();
            self.store
                .commit(&Commit {
                    conversation: Some(conversation.clone()),
                    ..Commit::default()
                })
                .await?;
            conversation.version += 1;
            Ok(Started {
                conversation,
                secret,
            })
        })
    }

    /// The customer's rating of their resolved case: 1–5 with an optional comment (masked),
    /// once per resolution (a reopened case can be rated again when it is resolved again).
    pub async fn rate(
        &self,
        id: &str,
        secret: &str,
        score: u8,
        comment: Option<&str>,
    ) -> Result<Rating> {
        if !(1..=5).contains(&score) {
            return Err(Error::Invalid("score is 1 to 5".into()));
        }
        let comment = comment
            .map(|c| self.mask(c.trim()))
            .filter(|c| !c.is_empty())
            .map(|c| shorten(&c, MAX_COMMENT_CHARS));
        retrying!("the case", {
            let conversation = self.conversation(id, secret).await?;
            let mut case = match &conversation.case_id {
                Some(case_id) => self.store.case(case_id).await?,
                None => None,
            }
            .filter(|c| c.status == CaseStatus::Resolved)
            .ok_or_else(|| Error::Conflict("only a resolved conversation can be rated".into()))?;
            if case.rating.is_some() {
                return Err(Error::Conflict("this resolution is rated already".into()));
            }
            let rating = Rating {
                score,
                comment: comment.clone(),
                at: now(),
            };
            case.rating = Some(rating.clone());
            case.updated_at = rating.at;
            let mut data = vec![(events::SCORE, score.to_string())];
            if let Some(resolution) = &case.resolution {
                data.push((events::OPERATOR, resolution.by.clone()));
            }
            let mut event = Event::about(EventKind::Rating, &case, []);
            event
                .data
                .extend(data.into_iter().map(|(k, v)| (k.to_string(), v)));
            self.store
                .commit(&Commit {
                    case: Some(CaseWrite::Update(case)),
                    events: vec![event],
                    ..Commit::default()
                })
                .await?;
            Ok(rating)
        })
    }
}
