//! The `operator` Lambda function: the operator queue API, behind API Gateway's JWT authorizer.
//!
//! Builds its context once per cold start (`desk::app::lambda`: the same startup as `baton serve`), then hands the same router that
//! `baton serve` mounts to the Lambda runtime. Refuses to start without an operator allow-list.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    desk::app::lambda::init_tracing();
    let app = desk::app::lambda::app().await?;
    app.config.require_operators()?;
    lambda_http::run(desk::http::finish(
        desk::http::operator::routes(),
        app.state,
    ))
    .await
}
