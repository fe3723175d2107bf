//! The `insights` Lambda function: on its weekly EventBridge schedule, computes the report of the
//! week that has just ended in the team's time zone (`desk::insights`) and logs it as one JSON
//! line. An event whose `detail` names a `week` (`{"week": "2026-W49"}`) reports that week
//! instead, for a backfill run by hand.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use desk::insights::{Options, Period};
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    desk::lambda::init_tracing();
    let config = &desk::lambda::config()?;
    let store = &desk::lambda::store(config).await?;
    let kb = &desk::lambda::guides(config);
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<EventBridgeEvent>| async move {
            let now = desk::model::now();
            let period = match event.payload.detail.get("week").and_then(|w| w.as_str()) {
                Some(week) => Period::week(week, config.timezone)?,
                None => Period::last_week(now, config.timezone),
            };
            let options = Options {
                hours: config.hours.clone(),
                now,
                kb: kb.clone(),
            };
            let report = desk::insights::report(store, &period, &options).await?;
            tracing::info!(report = %serde_json::to_string(&report)?, "weekly report");
            Ok::<_, lambda_runtime::Error>(report)
        },
    ))
    .await
}
