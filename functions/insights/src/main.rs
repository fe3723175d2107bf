//! The `insights` Lambda function: on its weekly EventBridge schedule, counts the week's inquiries
//! by category and product area (`desk::insights`) and logs the report as one JSON line.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    desk::lambda::init_tracing();
    let store = &desk::lambda::store(&desk::lambda::config()?).await?;
    lambda_runtime::run(service_fn(|_: LambdaEvent<EventBridgeEvent>| async move {
        let report = desk::insights::weekly(store, desk::model::now()).await?;
        tracing::info!(report = %serde_json::to_string(&report)?, "weekly report");
        Ok::<_, lambda_runtime::Error>(report)
    }))
    .await
}
