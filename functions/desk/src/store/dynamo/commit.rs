//! A commit as DynamoDB writes: each item with its condition, one `TransactWriteItems` (or one
//! `PutItem`), and what a failed condition means for the caller (a stale version, a duplicate key,
//! a case that exists).

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};

use super::{CaseWrite, Commit, Committed, MailWrite};
use crate::error::{Error, Result};
use crate::model::Message;

use super::items::*;
use super::*;

/// The condition one item of a commit carries.
#[derive(Debug, Clone, Copy)]
pub(super) enum Condition {
    None,
    /// The item must not exist.
    Absent,
    /// The item must exist.
    Present,
    /// The stored `version` must be this.
    Version(u64),
}

/// What an item of a commit is for, which says what its failed condition means.
pub(super) enum Role {
    /// The idempotency key: the message was sent before.
    Key {
        conversation_id: String,
        hash: String,
    },
    /// A version or creation check: someone else wrote first.
    Versioned,
    /// A message that must exist.
    Replaced(String),
    /// No condition.
    Plain,
}

/// One item of a commit.
pub(super) struct Write {
    pub(super) item: Item,
    pub(super) condition: Condition,
    pub(super) role: Role,
}

impl Write {
    pub(super) fn new(item: Item, condition: Condition, role: Role) -> Write {
        Write {
            item,
            condition,
            role,
        }
    }

    pub(super) fn expression(&self) -> Option<String> {
        match self.condition {
            Condition::None => None,
            Condition::Absent => Some("attribute_not_exists(pk)".into()),
            Condition::Present => Some("attribute_exists(pk)".into()),
            Condition::Version(_) => Some("version = :expected".into()),
        }
    }

    pub(super) fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        match self.condition {
            Condition::Version(v) => Some(HashMap::from([(
                ":expected".to_string(),
                AttributeValue::N(v.to_string()),
            )])),
            _ => None,
        }
    }
}

impl DynamoStore {
    /// A commit's items, each with the condition it carries and what a failed condition means.
    pub(super) fn writes(&self, commit: &Commit) -> Result<Vec<Write>> {
        let mut writes = Vec::new();
        if let Some(keyed) = commit.keyed()? {
            let hash = keyed.key_hash.clone().unwrap_or_default();
            let mut item = self.item(
                format!("CONV#{}", keyed.conversation_id),
                &format!("KEY#{hash}"),
                json(&keyed.id)?,
            );
            item.insert("message_id".into(), AttributeValue::S(keyed.id.clone()));
            writes.push(Write::new(
                item,
                Condition::Absent,
                Role::Key {
                    conversation_id: keyed.conversation_id.clone(),
                    hash,
                },
            ));
        }
        if let Some(conversation) = &commit.conversation {
            let mut next = conversation.clone();
            next.version += 1;
            writes.push(Write::new(
                self.conversation_item(&next)?,
                Condition::Version(conversation.version),
                Role::Versioned,
            ));
            if let Some(item) = self.organisation_conversation_item(&next)? {
                writes.push(Write::new(item, Condition::None, Role::Plain));
            }
        }
        match &commit.case {
            Some(CaseWrite::Create(case)) => writes.push(Write::new(
                self.case_item(case)?,
                Condition::Absent,
                Role::Versioned,
            )),
            Some(CaseWrite::Update(case)) => {
                let mut next = case.clone();
                next.version += 1;
                writes.push(Write::new(
                    self.case_item(&next)?,
                    Condition::Version(case.version),
                    Role::Versioned,
                ));
            }
            None => {}
        }
        for message in &commit.messages {
            writes.push(Write::new(
                self.message_item(message)?,
                Condition::None,
                Role::Plain,
            ));
        }
        for message in &commit.replaced {
            writes.push(Write::new(
                self.message_item(message)?,
                Condition::Present,
                Role::Replaced(message.id.clone()),
            ));
        }
        for note in &commit.notes {
            let item = self.item(
                format!("CASE#{}", note.case_id),
                &format!("NOTE#{}", note.id),
                json(note)?,
            );
            writes.push(Write::new(item, Condition::None, Role::Plain));
        }
        for event in &commit.events {
            let (pk, sk) = event_key(event);
            let mut item = self.item(pk, &sk, json(event)?);
            item.insert(
                "expires_at".into(),
                AttributeValue::N((event.at / 1000 + self.event_ttl_seconds).to_string()),
            );
            writes.push(Write::new(item, Condition::None, Role::Plain));
        }
        for id in &commit.mail_ids {
            writes.push(Write::new(
                self.mail_id_item(id)?,
                Condition::Absent,
                Role::Versioned,
            ));
        }
        if let Some(contact) = &commit.contact {
            writes.push(Write::new(
                self.contact_item(contact)?,
                Condition::None,
                Role::Plain,
            ));
        }
        match &commit.outgoing {
            Some(MailWrite::Create(mail)) => writes.push(Write::new(
                self.outgoing_item(mail)?,
                Condition::Absent,
                Role::Versioned,
            )),
            Some(MailWrite::Update(mail)) => {
                let mut next = mail.clone();
                next.version += 1;
                writes.push(Write::new(
                    self.outgoing_item(&next)?,
                    Condition::Version(mail.version),
                    Role::Versioned,
                ));
            }
            None => {}
        }
        for write in &commit.access {
            let item = |access: &crate::model::Access, version| {
                self.access_item(&crate::model::Access {
                    version,
                    ..access.clone()
                })
            };
            writes.push(versioned(
                write,
                |a: &crate::model::Access| a.version,
                item,
            )?);
        }
        if let Some(write) = &commit.organisation {
            let item = |organisation: &crate::model::Organisation, version| {
                self.organisation_item(&crate::model::Organisation {
                    version,
                    ..organisation.clone()
                })
            };
            writes.push(versioned(
                write,
                |o: &crate::model::Organisation| o.version,
                item,
            )?);
        }
        if let Some(write) = &commit.feature {
            let item = |feature: &crate::model::FeatureRequest, version| {
                self.feature_item(&crate::model::FeatureRequest {
                    version,
                    ..feature.clone()
                })
            };
            writes.push(versioned(
                write,
                |f: &crate::model::FeatureRequest| f.version,
                item,
            )?);
        }
        if writes.len() > MAX_TRANSACTION_ITEMS {
            return Err(Error::Invalid(format!(
                "a commit of {} items is over DynamoDB's {MAX_TRANSACTION_ITEMS}",
                writes.len()
            )));
        }
        Ok(writes)
    }

    /// What the failed condition of an item with `role` means for its commit.
    pub(super) async fn failed(&self, role: &Role) -> Result<Committed> {
        match role {
            Role::Key {
                conversation_id,
                hash,
            } => {
                let pk = format!("CONV#{conversation_id}");
                let first_id: Option<String> = self.get(pk.clone(), &format!("KEY#{hash}")).await?;
                // Gone between the failed write and this read only if that writer's transaction
                // was rolled back: the caller tries again.
                let first_id = first_id.ok_or(Error::Stale)?;
                let first: Option<Message> = self.get(pk, &format!("MSG#{first_id}")).await?;
                first
                    .map(|m| Committed::Duplicate(Box::new(m)))
                    .ok_or_else(|| {
                        Error::Corrupt(format!("idempotency key {hash} without its message"))
                    })
            }
            Role::Versioned | Role::Plain => Err(Error::Stale),
            Role::Replaced(id) => Err(Error::NotFound {
                what: "message",
                id: id.clone(),
            }),
        }
    }

    /// A put without a condition (an item written again the same way).
    pub(super) async fn put(&self, item: Item) -> Result<()> {
        let output = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(unavailable)?;
        self.usage.record(true, output.consumed_capacity());
        Ok(())
    }

    /// A put that only succeeds if the item does not exist; `Ok(false)` if it does.
    pub(super) async fn put_new(&self, item: Item) -> Result<bool> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match result {
            Ok(output) => {
                self.usage.record(true, output.consumed_capacity());
                Ok(true)
            }
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }
}

pub(super) fn condition_failed<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error
        .as_service_error()
        .and_then(ProvideErrorMetadata::code)
        == Some("ConditionalCheckFailedException")
}

pub(super) fn unavailable<
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
>(
    error: SdkError<E, R>,
) -> Error {
    let detail = match error.as_service_error() {
        Some(service) => format!(
            "{}: {}",
            service.code().unwrap_or("error"),
            service.message().unwrap_or("")
        ),
        None => aws_sdk_dynamodb::error::DisplayErrorContext(&error).to_string(),
    };
    Error::Unavailable(detail)
}

/// The item of a record created once (`attribute_not_exists`) or updated by version: `item`
/// makes it at the version it is written with.
fn versioned<T>(
    write: &crate::store::Write<T>,
    version: impl Fn(&T) -> u64,
    item: impl Fn(&T, u64) -> Result<Item>,
) -> Result<Write> {
    Ok(match write {
        crate::store::Write::Create(record) => Write::new(
            item(record, version(record))?,
            Condition::Absent,
            Role::Versioned,
        ),
        crate::store::Write::Update(record) => Write::new(
            item(record, version(record) + 1)?,
            Condition::Version(version(record)),
            Role::Versioned,
        ),
    })
}
