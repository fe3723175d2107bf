//! E-mail as a channel (issue 23): a mail opens or continues a conversation, and an operator's
//! reply leaves as a mail in the same thread. One implementation for both paths, `baton serve`'s
//! SMTP listener and the AWS `mail` function.
//!
//! - `parse.rs`: a raw message read once into what the desk needs ([`Inbound`]): addresses,
//!   threading headers, the subject, the body as text, attachments, and whether the mail was sent
//!   by a machine (so it is never answered automatically);
//! - `charset.rs`: the Korean charsets the MIME parser leaves undecoded (ISO-2022-KR);
//! - `quote.rs`: the new text of a reply, without the quoted history and the signature.
//!
//! Still to come in this module: threading, loops and rate limits, the outbound message.

mod charset;
mod parse;
mod quote;

pub use charset::decode_iso_2022_kr;
pub use parse::{Address, Attachment, Automatic, Inbound, Limits, parse};
pub use quote::{Reply, new_text};
