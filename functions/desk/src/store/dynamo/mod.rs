//! The production store: one DynamoDB table (design in `infra/dynamodb.md`).
//!
//! | item | `pk` | `sk` | also |
//! |---|---|---|---|
//! | conversation | `CONV#{id}` | `META` | `version`; `gsi2pk = OWNER#{owner}`, `gsi2sk = {created}#{id}` when the board knows its owner ([`crate::model::Conversation::owner_key`]) |
//! | message | `CONV#{id}` | `MSG#{message id}` | |
//! | idempotency key | `CONV#{id}` | `KEY#{key hash}` | `message_id` |
//! | case | `CASE#{id}` | `META` | `version`, `priority` (`urgent` or `normal`, for the alerts stream filter); `gsi1pk = QUEUE`, `gsi1sk = {priority}#{created}#{id}` ([`Case::queue_key`]) while open or claimed (sparse: resolved cases leave the queue index); `gsi2pk = CUST#{customer}`, `gsi2sk = {created}#{id}` for verified customers only |
//! | note | `CASE#{id}` | `NOTE#{note id}` | |
//! | presence | `CONV#{id}` | `PRESENCE#{operator}` | `expires_at` (TTL, an hour) |
//! | event | `EV#{yyyy-mm-dd}` | `{at}#{id}` | `expires_at` (TTL, `BATON_EVENT_DAYS`, 400 by default) |
//! | Message-ID | `MAILID#{hash}` | `META` | the conversation id in `data`; created with `attribute_not_exists(pk)` ([`crate::model::MailId`]) |
//! | mail contact | `CONTACT#{key}` | `META` | an address's mapping to a customer ([`crate::model::MailContact::key`]), replaced by each commit that carries it |
//! | outgoing mail | `OUT#{id}` | `META` | `version`; `gsi1pk = MAILDUE`, `gsi1sk = {next_at}#{id}` while pending (sparse, beside the queue on the same index) |
//! | guest access | `ACCESS#{key}` | `META` | `version`, `expires_at` (TTL, a day after it expires): a sign-in link or a session ([`crate::model::Access`]) |
//! | feature request | `FEATURE#{id}` | `META` | `version`; `gsi1pk = FEATURES`, `gsi1sk = {updated}#{id}` (listed beside the queue on the same index) |
//! | health probe | `HEALTH` | `PROBE` | `expires_at` (a day) |
//!
//! Every item keeps the whole record as JSON in `data`. A [`Commit`] is one `TransactWriteItems`
//! (one `PutItem` when it is a single item): versioned puts carry `version = :expected`, case
//! creation and the idempotency key `attribute_not_exists(pk)`, a replaced message
//! `attribute_exists(pk)`; the cancellation reasons say which condition failed.
//!
//! One file per concern: `items.rs` (the item layout: keys, records as items), `reads.rs` (gets
//! and queries, paged), `commit.rs` (a commit as conditional writes, and what a failed condition
//! means), `store.rs` (the `Store` contract over them).

mod commit;
mod items;
mod reads;
mod store;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConsumedCapacity, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, ScalarAttributeType,
};

use super::{CaseWrite, Commit, Committed, MailWrite, Store};
use crate::error::{Error, Result};

pub use items::{case_key, event_key, is_case_key};

use commit::unavailable;

pub(super) const QUEUE_INDEX: &str = "queue";
pub(super) const CUSTOMER_INDEX: &str = "customer";
/// Most items one `TransactWriteItems` takes.
pub(super) const MAX_TRANSACTION_ITEMS: usize = 100;

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
    pub(super) fn record<'a>(
        &self,
        write: bool,
        consumed: impl IntoIterator<Item = &'a ConsumedCapacity>,
    ) {
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

pub(super) type Item = HashMap<String, AttributeValue>;

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
}
