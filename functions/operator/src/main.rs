//! The `operator` Lambda function: the operator queue API, behind API Gateway's JWT authorizer.
//!
//! Builds its context once per cold start (`desk::lambda`), then hands the same router that
//! `baton serve` mounts to the Lambda runtime. Refuses to start without an operator allow-list.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    desk::lambda::init_tracing();
    let config = desk::lambda::config()?;
    config.require_operators()?;
    let state = desk::lambda::state(&config).await?;
    lambda_http::run(desk::http::finish(desk::http::operator::routes(), state)).await
}
