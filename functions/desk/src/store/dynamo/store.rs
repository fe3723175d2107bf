//! The [`Store`] contract over DynamoDB.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnConsumedCapacity, TransactWriteItem};

use super::{Commit, Committed, Store};
use crate::error::{Error, Result};
use crate::model::{
    Access, Case, Conversation, Event, FeatureRequest, MailContact, Message, Millis, Note,
    Organisation, OutgoingMail,
};
use crate::presence::{KEEP_MS, Presence};

use super::commit::*;
use super::items::*;
use super::*;

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
        // Its listing under its organisation first: without the conversation it lists nothing
        // (the reader finds no record and skips it), and a retry writes it again.
        if let Some(item) = self.organisation_conversation_item(conversation)? {
            self.put(item).await?;
        }
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

    async fn mail_thread(&self, hash: &str) -> Result<Option<String>> {
        let (pk, sk) = mail_id_key(hash);
        self.get(pk, sk).await
    }

    async fn mail_contact(&self, key: &str) -> Result<Option<MailContact>> {
        let (pk, sk) = contact_key(key);
        self.get(pk, sk).await
    }

    async fn outgoing_mail(&self, id: &str) -> Result<Option<OutgoingMail>> {
        let (pk, sk) = outgoing_key(id);
        self.get(pk, sk).await
    }

    async fn due_mail(&self, now: Millis, limit: usize) -> Result<Vec<OutgoingMail>> {
        // `#` sorts before `~`: every key of a mail due at `now` or earlier is below the bound.
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(QUEUE_INDEX)
            .key_condition_expression("gsi1pk = :pk AND gsi1sk <= :due")
            .expression_attribute_values(":pk", AttributeValue::S(MAIL_DUE.into()))
            .expression_attribute_values(":due", AttributeValue::S(format!("{:013}~", now.max(0))))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        self.collect(query, limit).await
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

    async fn owner_conversations(&self, owner: &str, limit: usize) -> Result<Vec<Conversation>> {
        self.query_index(
            CUSTOMER_INDEX,
            "gsi2pk",
            owner_partition(owner),
            false,
            limit,
            None,
        )
        .await
    }

    async fn organisation(&self, id: &str) -> Result<Option<Organisation>> {
        let (pk, sk) = organisation_key(id);
        self.get(pk, sk).await
    }

    async fn organisations(&self, limit: usize) -> Result<Vec<Organisation>> {
        self.query_index(
            QUEUE_INDEX,
            "gsi1pk",
            ORGANISATIONS.to_string(),
            false,
            limit,
            None,
        )
        .await
    }

    async fn organisation_conversations(
        &self,
        id: &str,
        limit: usize,
    ) -> Result<Vec<Conversation>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", AttributeValue::S(organisation_key(id).0))
            .expression_attribute_values(":prefix", AttributeValue::S("CONV#".into()))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        let ids: Vec<String> = self.collect(query, limit).await?;
        let mut conversations = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(conversation) = self.conversation(&id).await? {
                conversations.push(conversation);
            }
        }
        Ok(conversations)
    }

    async fn feature_request(&self, id: &str) -> Result<Option<FeatureRequest>> {
        let (pk, sk) = feature_key(id);
        self.get(pk, sk).await
    }

    async fn feature_requests(&self, limit: usize) -> Result<Vec<FeatureRequest>> {
        self.query_index(
            QUEUE_INDEX,
            "gsi1pk",
            FEATURES.to_string(),
            false,
            limit,
            None,
        )
        .await
    }

    async fn access(&self, key: &str) -> Result<Option<Access>> {
        let (pk, sk) = access_key(key);
        self.get(pk, sk).await
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
        self.put(item).await
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
