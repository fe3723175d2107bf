//! The item layout (see the table in `mod.rs`): keys, and records as items with their JSON.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::model::{
    Access, Case, CaseStatus, Conversation, DeliveryState, Event, FeatureRequest, MailContact,
    MailId, Message, Millis, Organisation, OutgoingMail,
};

use super::*;

impl DynamoStore {
    pub(super) fn item(&self, pk: String, sk: &str, data: String) -> Item {
        Item::from([
            ("pk".to_string(), AttributeValue::S(pk)),
            ("sk".to_string(), AttributeValue::S(sk.to_string())),
            ("data".to_string(), AttributeValue::S(data)),
        ])
    }

    pub(super) fn case_item(&self, case: &Case) -> Result<Item> {
        let (pk, sk) = case_key(&case.id);
        let mut item = self.item(pk, sk, json(case)?);
        item.insert(
            "version".into(),
            AttributeValue::N(case.version.to_string()),
        );
        // Top-level so that the alerts stream filter can match urgent cases.
        item.insert(
            "priority".into(),
            AttributeValue::S(case.priority.code().into()),
        );
        if let Some(customer) = case.customer.history_key() {
            item.insert(
                "gsi2pk".into(),
                AttributeValue::S(format!("CUST#{customer}")),
            );
            item.insert(
                "gsi2sk".into(),
                AttributeValue::S(format!("{:013}#{}", case.created_at, case.id)),
            );
        }
        if case.status != CaseStatus::Resolved {
            item.insert("gsi1pk".into(), AttributeValue::S("QUEUE".into()));
            item.insert("gsi1sk".into(), AttributeValue::S(case.queue_key()));
        }
        Ok(item)
    }

    pub(super) fn conversation_item(&self, conversation: &Conversation) -> Result<Item> {
        let mut item = self.item(
            format!("CONV#{}", conversation.id),
            "META",
            json(conversation)?,
        );
        item.insert(
            "version".into(),
            AttributeValue::N(conversation.version.to_string()),
        );
        // The board finds an owner's conversations on the customer index, beside (never mixed
        // with) the `CUST#` partitions of verified customers' cases.
        if let Some(owner) = conversation.owner_key() {
            item.insert("gsi2pk".into(), AttributeValue::S(owner_partition(&owner)));
            item.insert(
                "gsi2sk".into(),
                AttributeValue::S(format!(
                    "{:013}#{}",
                    conversation.created_at, conversation.id
                )),
            );
        }
        Ok(item)
    }

    pub(super) fn message_item(&self, message: &Message) -> Result<Item> {
        Ok(self.item(
            format!("CONV#{}", message.conversation_id),
            &format!("MSG#{}", message.id),
            json(message)?,
        ))
    }
}

impl DynamoStore {
    pub(super) fn mail_id_item(&self, id: &MailId) -> Result<Item> {
        let (pk, sk) = mail_id_key(&id.hash);
        Ok(self.item(pk, sk, json(&id.conversation_id)?))
    }

    pub(super) fn contact_item(&self, contact: &MailContact) -> Result<Item> {
        let (pk, sk) = contact_key(&MailContact::key(&contact.address));
        Ok(self.item(pk, sk, json(contact)?))
    }

    pub(super) fn access_item(&self, access: &Access) -> Result<Item> {
        let (pk, sk) = access_key(&access.key);
        let mut item = self.item(pk, sk, json(access)?);
        item.insert(
            "version".into(),
            AttributeValue::N(access.version.to_string()),
        );
        // DynamoDB's TTL forgets it a day after it expires.
        item.insert(
            "expires_at".into(),
            AttributeValue::N((access.expires_at / 1000 + 86_400).to_string()),
        );
        Ok(item)
    }

    pub(super) fn organisation_item(&self, organisation: &Organisation) -> Result<Item> {
        let (pk, sk) = organisation_key(&organisation.id);
        let mut item = self.item(pk, sk, json(organisation)?);
        item.insert(
            "version".into(),
            AttributeValue::N(organisation.version.to_string()),
        );
        item.insert("gsi1pk".into(), AttributeValue::S(ORGANISATIONS.into()));
        item.insert(
            "gsi1sk".into(),
            AttributeValue::S(format!(
                "{:013}#{}",
                organisation.updated_at.max(0),
                organisation.id
            )),
        );
        Ok(item)
    }

    /// The item that lists a conversation under its organisation (`ORG#{org}`,
    /// `CONV#{created}#{id}`), if it has one: written beside the conversation, idempotently.
    pub(super) fn organisation_conversation_item(
        &self,
        conversation: &Conversation,
    ) -> Result<Option<Item>> {
        let Some(organisation) = &conversation.organisation else {
            return Ok(None);
        };
        Ok(Some(self.item(
            organisation_key(organisation).0,
            &format!(
                "CONV#{:013}#{}",
                conversation.created_at.max(0),
                conversation.id
            ),
            json(&conversation.id)?,
        )))
    }

    pub(super) fn feature_item(&self, feature: &FeatureRequest) -> Result<Item> {
        let (pk, sk) = feature_key(&feature.id);
        let mut item = self.item(pk, sk, json(feature)?);
        item.insert(
            "version".into(),
            AttributeValue::N(feature.version.to_string()),
        );
        // Listed on the queue index's FEATURES partition, most recently changed first.
        item.insert("gsi1pk".into(), AttributeValue::S(FEATURES.into()));
        item.insert(
            "gsi1sk".into(),
            AttributeValue::S(format!("{:013}#{}", feature.updated_at.max(0), feature.id)),
        );
        Ok(item)
    }

    pub(super) fn outgoing_item(&self, mail: &OutgoingMail) -> Result<Item> {
        let (pk, sk) = outgoing_key(&mail.id);
        let mut item = self.item(pk, sk, json(mail)?);
        item.insert(
            "version".into(),
            AttributeValue::N(mail.version.to_string()),
        );
        // Pending mail is on the due index, by when it is due; sent or given up, it leaves it.
        if mail.state == DeliveryState::Pending {
            item.insert("gsi1pk".into(), AttributeValue::S(MAIL_DUE.into()));
            item.insert(
                "gsi1sk".into(),
                AttributeValue::S(format!("{:013}#{}", mail.next_at.max(0), mail.id)),
            );
        }
        Ok(item)
    }
}

/// The partition of the due index that holds pending outgoing mail (beside the queue's).
pub(super) const MAIL_DUE: &str = "MAILDUE";

/// The key (`pk`, `sk`) of a Message-ID's item.
pub(super) fn mail_id_key(hash: &str) -> (String, &'static str) {
    (format!("MAILID#{hash}"), "META")
}

/// The key (`pk`, `sk`) of an address's mapping to a customer, by [`MailContact::key`].
pub(super) fn contact_key(key: &str) -> (String, &'static str) {
    (format!("CONTACT#{key}"), "META")
}

/// The customer index's partition of an owner's conversations ([`Conversation::owner_key`]).
pub(super) fn owner_partition(owner: &str) -> String {
    format!("OWNER#{owner}")
}

/// The partition of the queue index that lists organisations.
pub(super) const ORGANISATIONS: &str = "ORGS";

/// The key (`pk`, `sk`) of an organisation's item; its conversations are listed in the same
/// partition under `CONV#`.
pub(super) fn organisation_key(id: &str) -> (String, &'static str) {
    (format!("ORG#{id}"), "META")
}

/// The partition of the queue index that lists feature requests.
pub(super) const FEATURES: &str = "FEATURES";

/// The key (`pk`, `sk`) of a feature request's item.
pub(super) fn feature_key(id: &str) -> (String, &'static str) {
    (format!("FEATURE#{id}"), "META")
}

/// The key (`pk`, `sk`) of a guest's access record, by [`Access::key`].
pub(super) fn access_key(key: &str) -> (String, &'static str) {
    (format!("ACCESS#{key}"), "META")
}

/// The key (`pk`, `sk`) of an outgoing mail's item.
pub(super) fn outgoing_key(id: &str) -> (String, &'static str) {
    (format!("OUT#{id}"), "META")
}

/// The key (`pk`, `sk`) of a case's item.
pub fn case_key(case_id: &str) -> (String, &'static str) {
    (format!("CASE#{case_id}"), "META")
}

/// Whether a key is a case's item (not one of its notes, nor another record).
pub fn is_case_key(pk: &str, sk: &str) -> bool {
    pk.starts_with("CASE#") && sk == "META"
}

/// The key (`pk`, `sk`) of an event's item: partitioned by day, sorted by time.
pub fn event_key(event: &Event) -> (String, String) {
    (
        format!("EV#{}", day(event.at)),
        format!("{:013}#{}", event.at, event.id),
    )
}

pub(super) fn json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(Error::corrupt)
}

pub(super) fn data<T: DeserializeOwned>(item: &Item) -> Result<T> {
    match item.get("data") {
        Some(AttributeValue::S(text)) => serde_json::from_str(text).map_err(Error::corrupt),
        _ => Err(Error::Corrupt("item without data".into())),
    }
}

/// `yyyy-mm-dd` (UTC) of a time in milliseconds: the day partition of events.
pub(super) fn day(at: Millis) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(at.div_euclid(1000))
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN);
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}
