//! The `insights` Lambda function: on its weekly EventBridge schedule (Monday morning in the
//! team's time zone), computes the report of the week that has just ended (`desk::insights`),
//! logs it as one JSON line and, when `BATON_ALERT_WEBHOOK_URL` is set, posts its summary to the
//! team's chat once (a retry of the same week finds it sent). An event whose `detail` names a
//! `week` (`{"week": "2026-W49"}`) reports that week instead, for a backfill run by hand; it posts
//! only with `"send": true`.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use desk::alerts::weekly::{Delivery, deliver};
use desk::insights::{Options, Period};
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    desk::app::lambda::init_tracing();
    let (config, settings) = &desk::app::lambda::settings()?;
    let store = &desk::app::lambda::store(config).await?;
    let kb = &desk::app::lambda::guides(config);
    // The model layer, when the function has it: questions grouped by meaning as well as words.
    let encoder = &desk::app::meaning::load(config);
    let webhook = &settings.webhook;
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<EventBridgeEvent>| async move {
            let now = desk::model::now();
            let detail = &event.payload.detail;
            let named = detail.get("week").and_then(|w| w.as_str());
            let period = match named {
                Some(week) => Period::week(week, config.timezone)?,
                None => Period::last_week(now, config.timezone),
            };
            let options = Options {
                hours: settings.hours.clone(),
                now,
                kb: kb.clone(),
                encoder: encoder.clone(),
            };
            let report = desk::insights::report(store, &period, &options).await?;
            tracing::info!(report = %serde_json::to_string(&report)?, "weekly report");
            let send =
                named.is_none() || detail.get("send").and_then(|s| s.as_bool()) == Some(true);
            if send && webhook.is_configured() {
                // A failure fails the invocation, so EventBridge retries it (the marker keeps a
                // retry after a success from posting twice).
                match deliver(store, webhook, &report, false).await? {
                    Delivery::Sent => tracing::info!(week = %report.period.label, "summary sent"),
                    Delivery::AlreadySent => {
                        tracing::info!(week = %report.period.label, "summary sent before")
                    }
                }
            }
            Ok::<_, lambda_runtime::Error>(report)
        },
    ))
    .await
}
