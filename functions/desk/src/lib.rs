//! Baton's desk: the support bot, hand-off with the full context, and the operator queue.
//!
//! One concept per module: [`model`] (conversations, messages, bot turns, cases), [`pii`] (masking
//! before anything is stored), [`bot`] (the decision for each customer message), [`desk`] (what customers and
//! operators can do, with the rules), [`store`] (the
//! storage contract, its SQLite and DynamoDB backends and their shared conformance suite),
//! [`http`] (the API's routers), [`alerts`] (urgent cases to the team's chat), [`insights`] (the
//! weekly report), [`lambda`] (what each Lambda function builds at cold start).

pub mod alerts;
pub mod bot;
pub mod desk;
pub mod error;
pub mod http;
pub mod insights;
pub mod lambda;
pub mod model;
pub mod pii;
pub mod store;

pub use desk::Desk;
pub use error::{Error, Result};
pub use store::Store;
