//! The `reminders` Lambda function: every minute (EventBridge schedule), an urgent case nobody
//! has claimed alerts the team again after `BATON_URGENT_REMIND_MINUTES`, then after doubling
//! waits (`desk::desk::reminders`). Its response lists the reminders delivered; a webhook that
//! fails is retried by the next run, so the function itself does not fail for it.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    desk::app::lambda::init_tracing();
    let (config, settings) = &desk::app::lambda::settings()?;
    let store = &desk::app::lambda::store(config).await?;
    let webhook = &settings.webhook;
    let first = config.urgent_remind;
    lambda_runtime::run(service_fn(|_: LambdaEvent<EventBridgeEvent>| async move {
        let Some(first) = first else {
            return Ok::<_, lambda_runtime::Error>(serde_json::json!({"reminded": []}));
        };
        let sent =
            desk::desk::reminders::remind(store, webhook, first, desk::model::now()).await?;
        let reminded: Vec<serde_json::Value> = sent
            .iter()
            .map(|r| {
                serde_json::json!({"case_id": r.case_id, "number": r.number, "waited_ms": r.waited_ms})
            })
            .collect();
        Ok(serde_json::json!({ "reminded": reminded }))
    }))
    .await
}
