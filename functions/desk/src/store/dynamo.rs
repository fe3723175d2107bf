//! The production store: one DynamoDB table (design in `infra/dynamodb.md`).
//!
//! | item | `pk` | `sk` | also |
//! |---|---|---|---|
//! | conversation | `CONV#{id}` | `META` | `version` |
//! | message | `CONV#{id}` | `MSG#{message id}` | |
//! | idempotency key | `CONV#{id}` | `KEY#{key}` | `message_id` |
//! | case | `CASE#{id}` | `META` | `version`, `priority` (`urgent` or `normal`, for the alerts stream filter); `gsi1pk = QUEUE`, `gsi1sk = {priority}#{created}#{id}` while open or claimed (sparse: resolved cases leave the queue index); `gsi2pk = CUST#{customer}`, `gsi2sk = {created}#{id}` |
//! | note | `CASE#{id}` | `NOTE#{note id}` | |
//! | event | `EV#{yyyy-mm-dd}` | `{at}#{id}` | `expires_at` (TTL, 400 days) |
//!
//! Every item keeps the whole record as JSON in `data`. Versioned updates are `PutItem` with
//! `version = :expected`; case creation and events use `attribute_not_exists(pk)`; a message and
//! its idempotency key are written in one transaction that fails if the key exists.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, Put, ScalarAttributeType, TransactWriteItem,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Appended, Store};
use crate::error::{Error, Result};
use crate::model::{Case, CaseStatus, Conversation, Event, Message, Millis, Note, Priority};

/// How long events are kept for insights before DynamoDB's TTL removes them.
const EVENT_TTL_SECONDS: i64 = 400 * 24 * 3600;
const QUEUE_INDEX: &str = "queue";
const CUSTOMER_INDEX: &str = "customer";

/// The DynamoDB store.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

type Item = std::collections::HashMap<String, AttributeValue>;

impl DynamoStore {
    /// A store on `table` with a client configured from the environment (region, credentials,
    /// `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local).
    pub async fn from_env(table: &str) -> DynamoStore {
        let config = aws_config::load_from_env().await;
        DynamoStore {
            client: Client::new(&config),
            table: table.to_string(),
        }
    }

    /// A store on `table` with a given client.
    pub fn new(client: Client, table: &str) -> DynamoStore {
        DynamoStore {
            client,
            table: table.to_string(),
        }
    }

    /// Creates the table with its indexes (for local runs and tests; in AWS the SAM template
    /// creates it, with TTL, streams, point-in-time recovery and encryption).
    pub async fn create_table(&self) -> Result<()> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(Error::corrupt)
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(Error::corrupt)
        };
        let index = |name: &str, pk: &str, sk: &str| -> Result<GlobalSecondaryIndex> {
            GlobalSecondaryIndex::builder()
                .index_name(name)
                .key_schema(key(pk, KeyType::Hash)?)
                .key_schema(key(sk, KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(Error::corrupt)
        };
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute("pk")?)
            .attribute_definitions(attribute("sk")?)
            .attribute_definitions(attribute("gsi1pk")?)
            .attribute_definitions(attribute("gsi1sk")?)
            .attribute_definitions(attribute("gsi2pk")?)
            .attribute_definitions(attribute("gsi2sk")?)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?)
            .global_secondary_indexes(index(QUEUE_INDEX, "gsi1pk", "gsi1sk")?)
            .global_secondary_indexes(index(CUSTOMER_INDEX, "gsi2pk", "gsi2sk")?)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    fn item(&self, pk: String, sk: &str, data: String) -> Item {
        Item::from([
            ("pk".to_string(), AttributeValue::S(pk)),
            ("sk".to_string(), AttributeValue::S(sk.to_string())),
            ("data".to_string(), AttributeValue::S(data)),
        ])
    }

    async fn get<T: DeserializeOwned>(&self, pk: String, sk: &str) -> Result<Option<T>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(sk.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        output.item.as_ref().map(data).transpose()
    }

    /// Every item of a partition whose sort key starts with `prefix`, in order.
    async fn query_prefix<T: DeserializeOwned>(&self, pk: String, prefix: &str) -> Result<Vec<T>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_string()))
            .consistent_read(true);
        collect(query, usize::MAX).await
    }

    /// The first `limit` items of an index partition, ascending or descending.
    async fn query_index<T: DeserializeOwned>(
        &self,
        index: &str,
        pk_name: &str,
        pk: String,
        forward: bool,
        limit: usize,
    ) -> Result<Vec<T>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", pk_name)
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .scan_index_forward(forward)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        collect(query, limit).await
    }

    fn case_item(&self, case: &Case) -> Result<Item> {
        let (pk, sk) = case_key(&case.id);
        let mut item = self.item(pk, sk, json(case)?);
        item.insert(
            "version".into(),
            AttributeValue::N(case.version.to_string()),
        );
        // Top-level so that the alerts stream filter can match urgent cases.
        item.insert(
            "priority".into(),
            AttributeValue::S(
                match case.priority {
                    Priority::Urgent => "urgent",
                    Priority::Normal => "normal",
                }
                .into(),
            ),
        );
        item.insert(
            "gsi2pk".into(),
            AttributeValue::S(format!("CUST#{}", case.customer.id)),
        );
        item.insert(
            "gsi2sk".into(),
            AttributeValue::S(format!("{:013}#{}", case.created_at, case.id)),
        );
        if case.status != CaseStatus::Resolved {
            let rank = match case.priority {
                Priority::Urgent => 0,
                Priority::Normal => 1,
            };
            item.insert("gsi1pk".into(), AttributeValue::S("QUEUE".into()));
            item.insert(
                "gsi1sk".into(),
                AttributeValue::S(format!("{rank}#{:013}#{}", case.created_at, case.id)),
            );
        }
        Ok(item)
    }

    fn conversation_item(&self, conversation: &Conversation) -> Result<Item> {
        let mut item = self.item(
            format!("CONV#{}", conversation.id),
            "META",
            json(conversation)?,
        );
        item.insert(
            "version".into(),
            AttributeValue::N(conversation.version.to_string()),
        );
        Ok(item)
    }

    /// A put that only succeeds if the stored version is `expected`.
    async fn put_versioned(&self, item: Item, expected: u64) -> Result<()> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", AttributeValue::N(expected.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(Error::Stale),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// A put that only succeeds if the item does not exist; `Ok(false)` if it does.
    async fn put_new(&self, item: Item) -> Result<bool> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }
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

fn json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(Error::corrupt)
}

fn data<T: DeserializeOwned>(item: &Item) -> Result<T> {
    match item.get("data") {
        Some(AttributeValue::S(text)) => serde_json::from_str(text).map_err(Error::corrupt),
        _ => Err(Error::Corrupt("item without data".into())),
    }
}

/// Up to `limit` records of a query, across pages (the SDK's paginator follows the keys).
async fn collect<T: DeserializeOwned>(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    limit: usize,
) -> Result<Vec<T>> {
    let mut items = query.into_paginator().items().send();
    let mut out = Vec::new();
    while out.len() < limit {
        match items.next().await {
            Some(item) => out.push(data(&item.map_err(unavailable)?)?),
            None => break,
        }
    }
    Ok(out)
}

fn condition_failed<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error
        .as_service_error()
        .and_then(ProvideErrorMetadata::code)
        == Some("ConditionalCheckFailedException")
}

fn unavailable<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
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

/// `yyyy-mm-dd` (UTC) of a time in milliseconds: the day partition of events.
fn day(at: Millis) -> String {
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

#[async_trait]
impl Store for DynamoStore {
    async fn ping(&self) -> Result<()> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn insert_conversation(&self, conversation: &Conversation) -> Result<()> {
        if self.put_new(self.conversation_item(conversation)?).await? {
            Ok(())
        } else {
            Err(Error::Conflict(format!(
                "conversation {} exists",
                conversation.id
            )))
        }
    }

    async fn conversation(&self, id: &str) -> Result<Option<Conversation>> {
        self.get(format!("CONV#{id}"), "META").await
    }

    async fn update_conversation(&self, conversation: &Conversation) -> Result<Conversation> {
        let mut next = conversation.clone();
        next.version += 1;
        self.put_versioned(self.conversation_item(&next)?, conversation.version)
            .await?;
        Ok(next)
    }

    async fn append_message(&self, message: &Message) -> Result<Appended> {
        let pk = format!("CONV#{}", message.conversation_id);
        let item = self.item(pk.clone(), &format!("MSG#{}", message.id), json(message)?);
        let Some(key) = &message.idempotency_key else {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await
                .map_err(unavailable)?;
            return Ok(Appended {
                message: message.clone(),
                duplicate: false,
            });
        };
        let mut key_item = self.item(pk.clone(), &format!("KEY#{key}"), json(&message.id)?);
        key_item.insert("message_id".into(), AttributeValue::S(message.id.clone()));
        let put = |item: Item, condition: Option<&str>| -> Result<TransactWriteItem> {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .set_condition_expression(condition.map(str::to_string))
                .build()
                .map_err(Error::corrupt)?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let result = self
            .client
            .transact_write_items()
            .transact_items(put(key_item, Some("attribute_not_exists(pk)"))?)
            .transact_items(put(item, None)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Appended {
                message: message.clone(),
                duplicate: false,
            }),
            Err(e)
                if e.as_service_error().and_then(ProvideErrorMetadata::code)
                    == Some("TransactionCanceledException") =>
            {
                let first_id: Option<String> = self.get(pk.clone(), &format!("KEY#{key}")).await?;
                let first_id = first_id.ok_or_else(|| {
                    Error::Unavailable("message write was cancelled; try again".into())
                })?;
                let first: Option<Message> = self.get(pk, &format!("MSG#{first_id}")).await?;
                let first = first.ok_or_else(|| {
                    Error::Corrupt(format!("idempotency key {key} without its message"))
                })?;
                Ok(Appended {
                    message: first,
                    duplicate: true,
                })
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn replace_message(&self, message: &Message) -> Result<()> {
        let item = self.item(
            format!("CONV#{}", message.conversation_id),
            &format!("MSG#{}", message.id),
            json(message)?,
        );
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(Error::NotFound {
                what: "message",
                id: message.id.clone(),
            }),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn messages(&self, conversation_id: &str) -> Result<Vec<Message>> {
        self.query_prefix(format!("CONV#{conversation_id}"), "MSG#")
            .await
    }

    async fn insert_case(&self, case: &Case) -> Result<Option<Case>> {
        if self.put_new(self.case_item(case)?).await? {
            Ok(None)
        } else {
            self.case(&case.id).await
        }
    }

    async fn case(&self, id: &str) -> Result<Option<Case>> {
        let (pk, sk) = case_key(id);
        self.get(pk, sk).await
    }

    async fn update_case(&self, case: &Case) -> Result<Case> {
        let mut next = case.clone();
        next.version += 1;
        self.put_versioned(self.case_item(&next)?, case.version)
            .await?;
        Ok(next)
    }

    async fn queue(&self, limit: usize) -> Result<Vec<Case>> {
        self.query_index(QUEUE_INDEX, "gsi1pk", "QUEUE".into(), true, limit)
            .await
    }

    async fn customer_cases(&self, customer_id: &str, limit: usize) -> Result<Vec<Case>> {
        self.query_index(
            CUSTOMER_INDEX,
            "gsi2pk",
            format!("CUST#{customer_id}"),
            false,
            limit,
        )
        .await
    }

    async fn insert_note(&self, note: &Note) -> Result<()> {
        let item = self.item(
            format!("CASE#{}", note.case_id),
            &format!("NOTE#{}", note.id),
            json(note)?,
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn notes(&self, case_id: &str) -> Result<Vec<Note>> {
        self.query_prefix(format!("CASE#{case_id}"), "NOTE#").await
    }

    async fn insert_event(&self, event: &Event) -> Result<()> {
        let (pk, sk) = event_key(event);
        let mut item = self.item(pk, &sk, json(event)?);
        item.insert(
            "expires_at".into(),
            AttributeValue::N((event.at / 1000 + EVENT_TTL_SECONDS).to_string()),
        );
        // A retried write of the same event keeps the first.
        self.put_new(item).await?;
        Ok(())
    }

    async fn events(&self, from: Millis, to: Millis) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        let mut at = from.div_euclid(86_400_000) * 86_400_000;
        while at < to {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", AttributeValue::S(format!("EV#{}", day(at))))
                .expression_attribute_values(":from", AttributeValue::S(format!("{from:013}#")))
                // `~` sorts after every id character, so this includes all events of `to - 1`.
                .expression_attribute_values(":to", AttributeValue::S(format!("{:013}#~", to - 1)));
            out.extend(collect::<Event>(query, usize::MAX).await?);
            at += 86_400_000;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::day;

    #[test]
    fn days_of_event_partitions() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(1_700_000_000_000), "2023-11-14");
        assert_eq!(day(1_795_339_452_520), "2026-11-22");
        assert_eq!(day(951_782_400_000), "2000-02-29");
    }
}
