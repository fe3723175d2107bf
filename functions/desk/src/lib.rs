//! Baton's desk: the support bot, hand-off with the full context, and the operator queue.
//!
//! One concept per module: [`model`] (conversations, messages, bot turns, cases, and every wire
//! name), [`config`] (every setting, read once), [`pii`] (sanitizing and masking before anything is
//! stored), [`presence`] (who is viewing or typing in a case right now), [`identity`] (customers the host site signed), [`hours`] (when people answer), [`bot`] (the decision for each customer
//! message), [`eval`] (measuring it on labelled conversations), [`desk`] (what customers and operators can do, with the rules), [`store`] (the storage
//! contract and its SQLite and DynamoDB backends), [`http`] (the API's routers and the server),
//! [`alerts`] (urgent cases to the team's chat), [`attachments`] (screenshots, cleaned and kept), [`events`] (what each recorded event carries), [`insights`] (the weekly report), [`lambda`] (what
//! each Lambda function builds at cold start).

pub mod alerts;
pub mod attachments;
pub mod bot;
pub mod config;
pub mod desk;
pub mod error;
pub mod eval;
pub mod events;
pub mod hours;
pub mod http;
pub mod identity;
pub mod insights;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod model;
pub mod pii;
pub mod presence;
pub mod store;

pub use desk::Desk;
pub use error::{Error, Result};
pub use store::Store;
