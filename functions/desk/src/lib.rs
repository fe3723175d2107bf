//! Baton's desk: the support bot, hand-off with the full context, and the operator queue.
//!
//! One concept per module, in the order the arrows run (each uses only those above it):
//!
//! - [`error`], [`config`] (every setting, read once, as plain data), [`model`] (conversations,
//!   messages, bot turns, cases, events and every wire name), [`events`] (what each recorded event
//!   carries). Masking personal data before anything is stored is the `pii` crate's.
//! - [`store`] (the storage contract, its SQLite and DynamoDB backends), [`presence`] (who is in a
//!   case right now), [`hours`] (when people answer), [`identity`] (customers the host site
//!   signed), [`attachments`] (screenshots, cleaned and kept), [`bot`] (the decision for each
//!   customer message), [`eval`] (measuring it on labelled conversations).
//! - [`insights`] (the weekly report), [`alerts`] (urgent cases, reminders and Monday's summary to
//!   the team's chat), [`desk`] (what customers and operators can do, with the rules).
//! - [`http`] (the API's routers and the server): the channel customers and operators use.
//! - [`app`]: the one startup of `baton serve`, the CLI, every Lambda function and the tests.

pub mod alerts;
pub mod app;
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
pub mod mail;
pub mod model;
pub mod presence;
pub mod store;

pub use desk::Desk;
pub use error::{Error, Result};
pub use store::Store;
