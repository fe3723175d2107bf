//! The inquiry board's part of the records: whose a conversation is (the board lists a person's
//! inquiries by it), what a customer reads an inquiry's status as, and the access a guest is given
//! by a mailed sign-in link.

use serde::{Deserialize, Serialize};

use super::{Conversation, MailContact, Message, Millis};
use crate::model::{Author, CaseStatus};

/// The channel of a conversation left on the inquiry board.
pub const BOARD_CHANNEL: &str = "board";

/// Whose a conversation is, as the board finds a person's inquiries: a verified customer (the
/// site signed who they are), or, for a guest's inquiry, the e-mail address they gave (proved only
/// by a sign-in link mailed to it). A conversation of anyone else belongs to no one here: an
/// unverified chat is read only with its own secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// A verified customer, by the site's id.
    Customer(String),
    /// A guest, by the address they gave (lowercased).
    Address(String),
}

impl Owner {
    /// What the store indexes conversations by: `customer:<id>` or `address:<hash>` (the address
    /// itself is never a key). The two prefixes keep a customer id from ever reading as an address.
    pub fn key(&self) -> String {
        match self {
            Owner::Customer(id) => format!("customer:{id}"),
            Owner::Address(address) => format!("address:{}", MailContact::key(address)),
        }
    }
}

impl Conversation {
    /// Whose this conversation is on the board ([`Owner`]), if anyone's.
    pub fn owner(&self) -> Option<Owner> {
        if self.customer.verified {
            return Some(Owner::Customer(self.customer.id.clone()));
        }
        if self.channel == BOARD_CHANNEL {
            return self
                .mail
                .as_ref()
                .map(|thread| Owner::Address(thread.address.clone()));
        }
        None
    }

    /// A guest's inquiry: the address it names is not proved, so its own secret (returned to
    /// whoever sent the form) opens nothing but its screenshots' uploads for a few minutes; the
    /// inquiry is read with a session a link mailed to the address opened.
    pub fn is_guest_inquiry(&self) -> bool {
        self.channel == BOARD_CHANNEL && !self.customer.verified
    }

    /// [`Conversation::owner`]'s key, as the stores index it.
    pub fn owner_key(&self) -> Option<String> {
        self.owner().map(|o| o.key())
    }
}

wire_enum! {
    /// An inquiry's status in the words a customer reads on the board.
    pub enum BoardStatus {
        /// 접수됨: waiting for the team.
        Received = "received",
        /// 답변 완료: the team answered last (or closed it).
        Answered = "answered",
        /// 다시 문의: the customer wrote again after an answer.
        AskedAgain = "asked_again",
    }
}

impl BoardStatus {
    /// The status of a conversation whose messages are `messages` (in order) and whose case is
    /// `case_status`: answered once a person wrote after the customer's last message, or the case
    /// was resolved; asked again when the customer wrote after a person's answer.
    pub fn of(messages: &[Message], case_status: Option<CaseStatus>) -> BoardStatus {
        let last_person = messages
            .iter()
            .rposition(|m| matches!(m.author, Author::Operator { .. }));
        let last_customer = messages.iter().rposition(|m| m.author == Author::Customer);
        match (last_person, last_customer) {
            (Some(person), Some(customer)) if customer > person => BoardStatus::AskedAgain,
            (Some(_), _) => BoardStatus::Answered,
            (None, _) if case_status == Some(CaseStatus::Resolved) => BoardStatus::Answered,
            (None, _) => BoardStatus::Received,
        }
    }
}

wire_enum! {
    /// What an [`Access`] record is.
    pub enum AccessKind {
        /// The sign-in link last mailed to an address (one per address: a new one replaces it).
        Link = "link",
        /// A session a used link opened.
        Session = "session",
    }
}

/// Access to a guest's inquiries: the sign-in link mailed to their address (single use,
/// short-lived, bound to it), and the session a used link opens. Only hashes of the secrets are
/// kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// `link:<address hash>` or `session:<secret hash>`.
    pub key: String,
    /// Link or session.
    pub kind: AccessKind,
    /// Whose inquiries it opens ([`Owner::key`]).
    pub owner: String,
    /// The address it was mailed to (lowercased).
    pub address: String,
    /// The hash of the secret that opens it (a link's current token, or the session's).
    pub secret_hash: String,
    /// When it stops opening anything.
    pub expires_at: Millis,
    /// When a link was used (it opens nothing after).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<Millis>,
    /// When links were mailed to the address lately (at most a few an hour go out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<Millis>,
    /// Created.
    pub created_at: Millis,
    /// Bumped by every write.
    pub version: u64,
}

impl Access {
    /// The key of the link mailed to `address`.
    pub fn link_key(address: &str) -> String {
        format!("link:{}", MailContact::key(address))
    }

    /// The key of the session whose secret hashes to `secret_hash`.
    pub fn session_key(secret_hash: &str) -> String {
        format!("session:{secret_hash}")
    }

    /// Whether it opens anything at `at`.
    pub fn is_live(&self, at: Millis) -> bool {
        at < self.expires_at && self.used_at.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Customer;

    fn message(author: Author) -> Message {
        Message::new("cv_x", author, "t".into(), 0)
    }

    #[test]
    fn status_follows_who_wrote_last() {
        let operator = || {
            message(Author::Operator {
                name: "minji".into(),
            })
        };
        let customer = || message(Author::Customer);
        let bot = || message(Author::Bot);
        assert_eq!(
            BoardStatus::of(&[customer(), bot()], Some(CaseStatus::Open)),
            BoardStatus::Received
        );
        assert_eq!(
            BoardStatus::of(&[customer(), bot(), operator()], Some(CaseStatus::Claimed)),
            BoardStatus::Answered
        );
        assert_eq!(
            BoardStatus::of(
                &[customer(), operator(), customer()],
                Some(CaseStatus::Open)
            ),
            BoardStatus::AskedAgain
        );
        assert_eq!(
            BoardStatus::of(&[customer()], Some(CaseStatus::Resolved)),
            BoardStatus::Answered
        );
    }

    #[test]
    fn owners_never_mix_customers_and_addresses() {
        let address = Owner::Address("Minji@Example.com".to_lowercase());
        let customer = Owner::Customer(address.key());
        assert_ne!(address.key(), customer.key());
        assert!(address.key().starts_with("address:"));
        assert!(!address.key().contains('@'));
        let anonymous = Customer {
            id: "anon_x".into(),
            verified: false,
            claimed_id: None,
            contact: None,
            name: None,
        };
        assert_eq!(
            Owner::Customer("u1".into()).key(),
            "customer:u1",
            "{anonymous:?}"
        );
    }
}
