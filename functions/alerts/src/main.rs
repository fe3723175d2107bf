//! The `alerts` Lambda function: each new urgent case on the table's stream becomes one message to
//! the team's chat webhook (`BATON_ALERT_WEBHOOK_URL`), so the whole team knows at once.
//!
//! Reports partial batch failures: a record whose alert could not be sent is retried, the ones
//! before it are not.

use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::DynamoDbEventResponse;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    desk::app::lambda::init_tracing();
    let (_, settings) = desk::app::lambda::settings()?;
    let webhook = &settings.webhook;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Event>| async move {
        Ok::<DynamoDbEventResponse, lambda_runtime::Error>(
            desk::alerts::on_stream(event.payload, webhook).await,
        )
    }))
    .await
}
