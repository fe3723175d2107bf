//! The `conversations` Lambda function: the customer conversation API: start a conversation,
//! messages (each answered by the bot), reading it, asking for a person; the inquiry board; a
//! business customer's space.
//!
//! Builds its context once per cold start (`desk::app::lambda`: the same startup as `baton serve`), then hands the same router that
//! `baton serve` mounts to the Lambda runtime.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    desk::app::lambda::http(
        desk::http::conversations::routes()
            .merge(desk::http::board::routes())
            .merge(desk::http::organisation::routes()),
    )
    .await
}
