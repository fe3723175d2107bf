//! Gets and queries: one item, a partition's items by prefix, an index page by page.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use serde::de::DeserializeOwned;

use crate::error::Result;

use super::commit::*;
use super::items::*;
use super::*;

impl DynamoStore {
    pub(super) async fn get<T: DeserializeOwned>(&self, pk: String, sk: &str) -> Result<Option<T>> {
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
    pub(super) async fn query_prefix<T: DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
    ) -> Result<Vec<T>> {
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
    pub(super) async fn query_index<T: DeserializeOwned>(
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

    /// Up to `limit` records of a query, across pages (the SDK's paginator follows the keys).
    pub(super) async fn collect<T: DeserializeOwned>(
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
}
