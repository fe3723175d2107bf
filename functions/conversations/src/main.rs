//! The `conversations` Lambda function: the customer conversation API: start a conversation,
//! messages (each answered by the bot), reading it, asking for a person.
//!
//! Builds its context once per cold start (`desk::lambda`), then hands the same router that
//! `baton serve` mounts to the Lambda runtime.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    desk::lambda::init_tracing();
    let state = desk::lambda::state(&desk::lambda::config()?).await?;
    lambda_http::run(desk::http::finish(
        desk::http::conversations::routes(),
        state,
    ))
    .await
}
