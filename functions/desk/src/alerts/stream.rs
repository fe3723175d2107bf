//! The `alerts` function's half: the cases due an alert in a batch of the table's stream records.

use aws_lambda_events::dynamodb::{Event as StreamEvent, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use serde_dynamo::AttributeValue;

use super::{Webhook, burst};
use crate::model::Case;
use crate::store::dynamo::is_case_key;

/// Handles a batch of the table's stream records in order: the cases due an alert, the first
/// [`BURST`] one by one and the rest as one summary. At the first message that cannot be sent it
/// stops and reports the first record of that message, so Lambda retries from there and the
/// records before it are not alerted twice.
pub async fn on_stream(event: StreamEvent, webhook: &Webhook) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    let due: Vec<(String, Case)> = event
        .records
        .iter()
        .filter_map(|record| {
            let (before, after) = changed_case(record)?;
            // Decided by the desk when it wrote the case (`Case::alerts`), not here again.
            let decided = after.alerts > before.as_ref().map_or(0, |b| b.alerts);
            decided.then(|| {
                (
                    record.change.sequence_number.clone().unwrap_or_default(),
                    after,
                )
            })
        })
        .collect();
    let (alone, rest) = burst(due.iter().map(|(_, c)| c.clone()).collect(), 0);
    let fail = |response: &mut DynamoDbEventResponse, sequence: &str| {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = Some(sequence.to_string());
        response.batch_item_failures.push(failure);
    };
    for (i, case) in alone.iter().enumerate() {
        if let Err(error) = webhook.send(&webhook.alert(case)).await {
            tracing::error!(case = %case.id, %error, "alert not sent; the record will be retried");
            fail(&mut response, &due[i].0);
            return response;
        }
        tracing::info!(case = %case.id, "alert sent");
    }
    if !rest.is_empty() {
        if let Err(error) = webhook.send(&webhook.summary(&rest)).await {
            tracing::error!(%error, cases = rest.len(), "summary not sent; the records will be retried");
            fail(&mut response, &due[alone.len()].0);
            return response;
        }
        tracing::info!(cases = rest.len(), "summary sent");
    }
    response
}

/// The case a stream record wrote, with the one it replaced (see the item layout in
/// [`crate::store::dynamo`]).
fn changed_case(record: &EventRecord) -> Option<(Option<Case>, Case)> {
    if record.event_name != "INSERT" && record.event_name != "MODIFY" {
        return None;
    }
    let read = |image: &std::collections::HashMap<String, AttributeValue>| -> Option<Case> {
        let text = |name: &str| match image.get(name) {
            Some(AttributeValue::S(value)) => Some(value.as_str()),
            _ => None,
        };
        if !is_case_key(text("pk")?, text("sk")?) {
            return None;
        }
        match serde_json::from_str(text("data")?) {
            Ok(case) => Some(case),
            Err(error) => {
                // A record that cannot be read will not read better on retry.
                tracing::error!(%error, "stream record with an unreadable case; skipped");
                None
            }
        }
    };
    let after = read(record.change.new_image.inner())?;
    let before = if record.event_name == "MODIFY" {
        read(record.change.old_image.inner())
    } else {
        None
    };
    Some((before, after))
}
