//! The `search` Lambda function: the help center's search (GET /api/search): reads the index, and records each search as an event (it may write nothing else).
//!
//! Builds its context once per cold start (`desk::lambda`), then hands the same router that
//! `baton serve` mounts to the Lambda runtime.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    desk::lambda::init_tracing();
    let state = desk::lambda::state(&desk::lambda::config()?).await?;
    lambda_http::run(desk::http::finish(desk::http::search::routes(), state)).await
}
