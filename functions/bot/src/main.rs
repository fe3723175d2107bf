//! The `bot` Lambda function: the customer conversation API: conversations, messages, hand-off.
//!
//! Builds its context once per cold start (`desk::lambda`), then hands the same router that
//! `baton serve` mounts to the Lambda runtime.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    desk::lambda::init_tracing();
    let state = desk::lambda::state_from_env().await?;
    lambda_http::run(desk::http::finish(
        desk::http::conversations::routes(),
        state,
    ))
    .await
}
