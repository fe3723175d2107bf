//! The team maps a mail address to a verified customer: from then on a mail from that address
//! whose sender is proved starts its conversation as them, with their earlier cases. The From
//! address alone never does (issue 23: "the history of a verified customer is joined only when
//! the team maps that address to them").

use serde::Serialize;

use crate::desk::Desk;
use crate::desk::operators::operator_name;
use crate::error::{Error, Result};
use crate::events;
use crate::model::{Author, Case, Customer, Event, EventKind, MailContact, Verdict, now};
use crate::store::{CaseWrite, Commit};

/// Longest customer id, in bytes (the identity token's `sub` has the same bound).
const MAX_CUSTOMER_ID_BYTES: usize = 128;

/// What linking a mail case's address did.
#[derive(Debug, Clone, Serialize)]
pub struct Linked {
    /// The case, as it is now.
    pub case: Case,
    /// The address's mapping, as stored.
    pub contact: MailContact,
    /// Whether the case became the customer's now (its opening mail's sender was proved). When
    /// not, the mapping applies from the next proved mail.
    pub joined: bool,
}

impl Desk {
    /// Maps the address of mail case `id` to the verified customer `customer_id` (`None` takes
    /// the mapping back), on record with `operator`. When the mail that opened the case proved
    /// its sender and the case is nobody's verified case yet, it becomes the customer's now:
    /// the conversation and the case carry them, with their earlier cases.
    pub async fn link_contact(
        &self,
        id: &str,
        operator: &str,
        customer_id: Option<&str>,
    ) -> Result<Linked> {
        let operator = operator_name(operator)?;
        let customer_id = customer_id.map(checked_customer_id).transpose()?;
        retrying!(format!("case {id}"), {
            let mut case = self.existing_case(id).await?;
            let mut conversation = self.case_conversation(&case).await?;
            let address = conversation
                .mail
                .as_ref()
                .map(|t| t.address.clone())
                .ok_or_else(|| {
                    Error::Invalid(format!("case {id} did not come by mail: it has no address"))
                })?;
            let contact = MailContact {
                address,
                customer_id: customer_id.clone(),
                by: operator.to_string(),
                at: now(),
            };
            let proved = self
                .store
                .messages(&conversation.id)
                .await?
                .iter()
                .find(|m| m.author == Author::Customer)
                .and_then(|m| m.mail.as_ref())
                .is_some_and(|part| part.verdict == Some(Verdict::Proved));
            let mut commit = Commit {
                contact: Some(contact.clone()),
                events: vec![Event::about(
                    EventKind::MailContact,
                    &case,
                    [(events::OPERATOR, operator.to_string())],
                )],
                ..Commit::default()
            };
            // Already another customer's: two operators linked at once, or a mapping changed
            // since. The case stays whose it is; say so rather than map the address elsewhere.
            if let Some(customer_id) = &customer_id
                && conversation.customer.verified
                && &conversation.customer.id != customer_id
            {
                return Err(Error::Conflict(format!(
                    "case {id} is verified customer {}'s; take that up before mapping its address to {customer_id}",
                    conversation.customer.id
                )));
            }
            let joined = match &customer_id {
                Some(customer_id) if proved && !conversation.customer.verified => {
                    let customer = Customer {
                        id: customer_id.clone(),
                        verified: true,
                        claimed_id: None,
                        contact: conversation.customer.contact.clone(),
                        name: conversation.customer.name.clone(),
                    };
                    case.history = self.history(&customer, &case.id).await?;
                    case.customer = customer.clone();
                    case.updated_at = now();
                    conversation.customer = customer;
                    conversation.updated_at = case.updated_at;
                    commit.case = Some(CaseWrite::Update(case.clone()));
                    commit.conversation = Some(conversation);
                    true
                }
                _ => false,
            };
            self.store.commit(&commit).await?;
            if joined {
                case.version += 1;
            }
            Ok(Linked {
                case,
                contact,
                joined,
            })
        })
    }
}

/// A customer id as the team's systems write it: an internal id, not personal data.
fn checked_customer_id(id: &str) -> Result<String> {
    let id = id.trim();
    if id.is_empty() || id.len() > MAX_CUSTOMER_ID_BYTES {
        return Err(Error::Invalid(format!(
            "customer_id is 1–{MAX_CUSTOMER_ID_BYTES} bytes"
        )));
    }
    // The same rule as an identity token's sub: the id is the history key, stored as it is.
    if pii::mask(id, pii::Options { email: true }) != id {
        return Err(Error::Invalid(
            "customer_id has personal data or invisible characters; use your internal id".into(),
        ));
    }
    Ok(id.to_string())
}
