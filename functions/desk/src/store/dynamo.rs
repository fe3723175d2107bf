//! The production store: one DynamoDB table (design in `infra/dynamodb.md`).
//!
//! | item | `pk` | `sk` | also |
//! |---|---|---|---|
//! | conversation | `CONV#{id}` | `META` | `version` |
//! | message | `CONV#{id}` | `MSG#{message id}` | |
//! | idempotency key | `CONV#{id}` | `KEY#{key hash}` | `message_id` |
//! | case | `CASE#{id}` | `META` | `version`, `priority` (`urgent` or `normal`, for the alerts stream filter); `gsi1pk = QUEUE`, `gsi1sk = {priority}#{created}#{id}` ([`Case::queue_key`]) while open or claimed (sparse: resolved cases leave the queue index); `gsi2pk = CUST#{customer}`, `gsi2sk = {created}#{id}` for verified customers only |
//! | note | `CASE#{id}` | `NOTE#{note id}` | |
//! | presence | `CONV#{id}` | `PRESENCE#{operator}` | `expires_at` (TTL, an hour) |
//! | event | `EV#{yyyy-mm-dd}` | `{at}#{id}` | `expires_at` (TTL, `BATON_EVENT_DAYS`, 400 by default) |
//! | health probe | `HEALTH` | `PROBE` | `expires_at` (a day) |
//!
//! Every item keeps the whole record as JSON in `data`. A [`Commit`] is one `TransactWriteItems`
//! (one `PutItem` when it is a single item): versioned puts carry `version = :expected`, case
//! creation and the idempotency key `attribute_not_exists(pk)`, a replaced message
//! `attribute_exists(pk)`; the cancellation reasons say which condition failed.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConsumedCapacity, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put, ReturnConsumedCapacity,
    ScalarAttributeType, TransactWriteItem,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{CaseWrite, Commit, Committed, Store};
use crate::error::{Error, Result};
use crate::model::{Case, CaseStatus, Conversation, Event, Message, Millis, Note};
use crate::presence::{KEEP_MS, Presence};

const QUEUE_INDEX: &str = "queue";
const CUSTOMER_INDEX: &str = "customer";
/// Most items one `TransactWriteItems` takes.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// The DynamoDB store.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    usage: Arc<Counters>,
    /// How long events are kept for insights before DynamoDB's TTL removes them.
    event_ttl_seconds: i64,
}

/// What the store has asked of DynamoDB since it was made: requests and the capacity units
/// DynamoDB reported for them (every request asks for `ReturnConsumedCapacity::Total`, which
/// costs nothing). What `baton bench` reports per operator-hour.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// Requests sent (each page of a query counts).
    pub requests: u64,
    /// Read capacity units consumed.
    pub read_units: f64,
    /// Write capacity units consumed.
    pub write_units: f64,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    /// Thousandths of a unit.
    read_milli: AtomicU64,
    write_milli: AtomicU64,
}

impl Counters {
    /// One request and the units DynamoDB says it consumed (reads or writes, by the operation).
    fn record<'a>(&self, write: bool, consumed: impl IntoIterator<Item = &'a ConsumedCapacity>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let units: f64 = consumed
            .into_iter()
            .filter_map(ConsumedCapacity::capacity_units)
            .sum();
        let counter = if write {
            &self.write_milli
        } else {
            &self.read_milli
        };
        counter.fetch_add((units * 1000.0).round() as u64, Ordering::Relaxed);
    }
}

type Item = HashMap<String, AttributeValue>;

impl DynamoStore {
    /// A store on `table` with a client configured from the environment (region, credentials,
    /// `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local).
    pub async fn from_env(table: &str) -> DynamoStore {
        let config = aws_config::load_from_env().await;
        DynamoStore::new(Client::new(&config), table)
    }

    /// Events written from now on expire after `days` (`BATON_EVENT_DAYS`).
    pub fn keeping_events(mut self, days: u32) -> DynamoStore {
        self.event_ttl_seconds = i64::from(days.max(1)) * 86_400;
        self
    }

    /// A store on `table` with a given client.
    pub fn new(client: Client, table: &str) -> DynamoStore {
        DynamoStore {
            client,
            table: table.to_string(),
            usage: Arc::default(),
            event_ttl_seconds: i64::from(crate::events::DEFAULT_KEEP_DAYS) * 86_400,
        }
    }

    /// Requests and capacity units used so far (all clones of this store together).
    pub fn usage(&self) -> Usage {
        let units = |c: &AtomicU64| c.load(Ordering::Relaxed) as f64 / 1000.0;
        Usage {
            requests: self.usage.requests.load(Ordering::Relaxed),
            read_units: units(&self.usage.read_milli),
            write_units: units(&self.usage.write_milli),
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
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(unavailable)?;
        self.usage.record(false, output.consumed_capacity());
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
        self.collect(query, usize::MAX).await
    }

    /// The first `limit` items of an index partition, ascending or descending.
    async fn query_index<T: DeserializeOwned>(
        &self,
        index: &str,
        pk_name: &str,
        pk: String,
        forward: bool,
        limit: usize,
        start: Option<HashMap<String, AttributeValue>>,
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
            .set_exclusive_start_key(start)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        self.collect(query, limit).await
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

    fn message_item(&self, message: &Message) -> Result<Item> {
        Ok(self.item(
            format!("CONV#{}", message.conversation_id),
            &format!("MSG#{}", message.id),
            json(message)?,
        ))
    }

    /// A commit's items, each with the condition it carries and what a failed condition means.
    fn writes(&self, commit: &Commit) -> Result<Vec<Write>> {
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
        if writes.len() > MAX_TRANSACTION_ITEMS {
            return Err(Error::Invalid(format!(
                "a commit of {} items is over DynamoDB's {MAX_TRANSACTION_ITEMS}",
                writes.len()
            )));
        }
        Ok(writes)
    }

    /// What the failed condition of an item with `role` means for its commit.
    async fn failed(&self, role: &Role) -> Result<Committed> {
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

    /// Up to `limit` records of a query, across pages (the SDK's paginator follows the keys).
    async fn collect<T: DeserializeOwned>(
        &self,
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        limit: usize,
    ) -> Result<Vec<T>> {
        let mut pages = query
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while out.len() < limit {
            let Some(page) = pages.next().await else {
                break;
            };
            let page = page.map_err(unavailable)?;
            self.usage.record(false, page.consumed_capacity());
            for item in page.items() {
                if out.len() == limit {
                    break;
                }
                out.push(data(item)?);
            }
        }
        Ok(out)
    }

    /// A put that only succeeds if the item does not exist; `Ok(false)` if it does.
    async fn put_new(&self, item: Item) -> Result<bool> {
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

/// The condition one item of a commit carries.
#[derive(Debug, Clone, Copy)]
enum Condition {
    None,
    /// The item must not exist.
    Absent,
    /// The item must exist.
    Present,
    /// The stored `version` must be this.
    Version(u64),
}

/// What an item of a commit is for, which says what its failed condition means.
enum Role {
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
struct Write {
    item: Item,
    condition: Condition,
    role: Role,
}

impl Write {
    fn new(item: Item, condition: Condition, role: Role) -> Write {
        Write {
            item,
            condition,
            role,
        }
    }

    fn expression(&self) -> Option<String> {
        match self.condition {
            Condition::None => None,
            Condition::Absent => Some("attribute_not_exists(pk)".into()),
            Condition::Present => Some("attribute_exists(pk)".into()),
            Condition::Version(_) => Some("version = :expected".into()),
        }
    }

    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        match self.condition {
            Condition::Version(v) => Some(HashMap::from([(
                ":expected".to_string(),
                AttributeValue::N(v.to_string()),
            )])),
            _ => None,
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
        // A real write: a table that answers reads but refuses writes (throttled, no permission,
        // a region outage) is not healthy.
        let mut item = self.item("HEALTH".into(), "PROBE", format!("{}", crate::model::now()));
        item.insert(
            "expires_at".into(),
            AttributeValue::N((crate::model::now() / 1000 + 86_400).to_string()),
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

    async fn messages(&self, conversation_id: &str) -> Result<Vec<Message>> {
        self.query_prefix(format!("CONV#{conversation_id}"), "MSG#")
            .await
    }

    async fn commit(&self, commit: &Commit) -> Result<Committed> {
        let mut writes = self.writes(commit)?;
        if writes.is_empty() {
            return Ok(Committed::Done);
        }
        if writes.len() == 1 {
            // One item needs no transaction (which costs twice the write units).
            let write = writes.remove(0);
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(write.item.clone()))
                .set_condition_expression(write.expression())
                .set_expression_attribute_values(write.values())
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await;
            return match result {
                Ok(output) => {
                    self.usage.record(true, output.consumed_capacity());
                    Ok(Committed::Done)
                }
                Err(e) if condition_failed(&e) => self.failed(&write.role).await,
                Err(e) => Err(unavailable(e)),
            };
        }
        let mut request = self.client.transact_write_items();
        for write in &writes {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(write.item.clone()))
                .set_condition_expression(write.expression())
                .set_expression_attribute_values(write.values())
                .build()
                .map_err(Error::corrupt)?;
            request = request.transact_items(TransactWriteItem::builder().put(put).build());
        }
        match request
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
        {
            Ok(output) => {
                self.usage.record(true, output.consumed_capacity());
                Ok(Committed::Done)
            }
            Err(error) => {
                let reasons: Vec<Option<String>> = match error.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                        cancelled
                            .cancellation_reasons()
                            .iter()
                            .map(|r| r.code().map(str::to_string))
                            .collect()
                    }
                    _ => return Err(unavailable(error)),
                };
                // The first item whose condition failed says what happened; a conflict with a
                // concurrent transaction on the same items is a lost race like a stale version.
                for (write, code) in writes.iter().zip(&reasons) {
                    match code.as_deref() {
                        Some("ConditionalCheckFailed") => return self.failed(&write.role).await,
                        Some("TransactionConflict") => return Err(Error::Stale),
                        _ => {}
                    }
                }
                Err(Error::Unavailable(format!(
                    "transaction cancelled: {}",
                    reasons
                        .iter()
                        .map(|r| r.as_deref().unwrap_or("None"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
    }

    async fn case(&self, id: &str) -> Result<Option<Case>> {
        let (pk, sk) = case_key(id);
        self.get(pk, sk).await
    }

    async fn queue(&self, limit: usize, after: Option<&str>) -> Result<Vec<Case>> {
        let start = after.map(|key| {
            let case_id = key.rsplit('#').next().unwrap_or_default();
            let (pk, sk) = case_key(case_id);
            HashMap::from([
                ("gsi1pk".to_string(), AttributeValue::S("QUEUE".into())),
                ("gsi1sk".to_string(), AttributeValue::S(key.to_string())),
                ("pk".to_string(), AttributeValue::S(pk)),
                ("sk".to_string(), AttributeValue::S(sk.into())),
            ])
        });
        self.query_index(QUEUE_INDEX, "gsi1pk", "QUEUE".into(), true, limit, start)
            .await
    }

    async fn customer_cases(&self, customer_id: &str, limit: usize) -> Result<Vec<Case>> {
        self.query_index(
            CUSTOMER_INDEX,
            "gsi2pk",
            format!("CUST#{customer_id}"),
            false,
            limit,
            None,
        )
        .await
    }

    async fn notes(&self, case_id: &str) -> Result<Vec<Note>> {
        self.query_prefix(format!("CASE#{case_id}"), "NOTE#").await
    }

    async fn events(&self, from: Millis, to: Millis) -> Result<Vec<Event>> {
        // One query per day partition: bound the window to the days events can exist (TTL
        // removes them after `BATON_EVENT_DAYS`, 400 by default; none are written in the future).
        let now = crate::model::now();
        let from = from.max(now - (self.event_ttl_seconds + 2 * 86_400) * 1000);
        let to = to.min(now + 86_400_000);
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
            out.extend(self.collect::<Event>(query, usize::MAX).await?);
            at += 86_400_000;
        }
        Ok(out)
    }

    async fn touch(&self, presence: &Presence) -> Result<()> {
        let mut item = self.item(
            format!("CONV#{}", presence.conversation_id),
            &format!("PRESENCE#{}", presence.operator),
            json(presence)?,
        );
        item.insert(
            "expires_at".into(),
            AttributeValue::N(((presence.at + KEEP_MS) / 1000).to_string()),
        );
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

    async fn presence(&self, conversation_id: &str) -> Result<Vec<Presence>> {
        self.query_prefix(format!("CONV#{conversation_id}"), "PRESENCE#")
            .await
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
