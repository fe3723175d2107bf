//! The `mail` Lambda function. SES stores each mail to the support address in the mail bucket and
//! invokes it with the receipt: the message is read from the bucket and handed to the desk with
//! SES's spam, virus, SPF, DKIM and DMARC verdicts (`desk::mail::ses`, `desk::desk::mail`). Every
//! minute its schedule invokes it to send the mail that is due (replies, the bot's answers)
//! through SES. Built once per cold start; an error makes Lambda try the event again.

use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    desk::app::lambda::init_tracing();
    let function = &desk::app::lambda::MailFunction::from_env().await?;
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<serde_json::Value>| async move {
            Ok::<_, lambda_runtime::Error>(function.handle(event.payload).await?)
        },
    ))
    .await
}
