//! E-mail as a channel (issue 23): a mail opens or continues a conversation, and an operator's
//! reply leaves as a mail in the same thread. One implementation for both paths, `baton serve`'s
//! SMTP listener and the AWS `mail` function.
//!
//! - `parse.rs`: a raw message read once into what the desk needs ([`Inbound`]): addresses,
//!   threading headers, the subject, the body as text, attachments, and whether the mail was sent
//!   by a machine (so it is never answered automatically);
//! - `charset.rs`: the Korean charsets the MIME parser leaves undecoded (ISO-2022-KR);
//! - `quote.rs`: the new text of a reply, without the quoted history and the signature;
//! - `auth.rs`: who sent it, as the receiving server's `Authentication-Results` says.
//!
//! - `thread.rs`: the thread tokens in Baton's reply-to address and subject;
//! - `compose.rs`: the mail Baton sends, as bytes;
//! - `relay.rs`: where it leaves (an SMTP relay); `ses.rs`: SES in AWS, both ways.
//!
//! What the desk does with a mail (threading, loops, the bot, the queue) is
//! `crate::desk::mail`. `smtp.rs` is `baton serve`'s SMTP listener.

pub mod auth;
mod charset;
mod compose;
mod parse;
mod quote;
mod relay;
#[cfg(feature = "aws")]
pub mod ses;
pub mod smtp;
mod thread;

pub use charset::decode_iso_2022_kr;
pub use compose::{Sender, compose};
pub use parse::{Address, Attachment, Inbound, Limits, parse};
pub use quote::{Reply, new_text};
pub use relay::{Refused, Relay, SmtpRelay};
pub use thread::{ThreadKey, bare_subject, is_support};
