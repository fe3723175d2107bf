//! The desk's domain: conversations, messages, bot turns, cases, notes, and the events insights count.
//!
//! Every record carries a `version` that the store bumps on each write and checks on update:
//! that one rule makes claims atomic and hand-offs idempotent on SQLite and DynamoDB alike.
//!
//! Every word that crosses a module or the wire (states, decisions, kinds, codes) is a type here
//! with one spelling, declared once by [`wire_enum!`]: serde, the stores' columns, the CLI and the
//! reports all read that spelling from [`code`](Category::code).
//!
//! One file per record: [`ids`](new_id) (ids and time), `board.rs` (whose an inquiry is, its
//! status, a guest's access), `conversation.rs` (customers,
//! conversations, messages), `turn.rs` (what the bot decided and why), `case.rs` (cases and
//! notes), `event.rs` (what insights count), `feature.rs` (feature requests
//! as the team triages them), `mail.rs` (threads, mail parts, outgoing mail), `organisation.rs` (business
//! customers and their standing line).

/// An enum whose values have one wire name each: serde, `code()`, `parse()` and `Display` all use
/// it, so no module spells a state or a kind by hand.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The value of a wire name.
            pub fn parse(code: &str) -> Option<$name> {
                match code { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(code: &str) -> Result<$name, String> {
                $name::parse(code).ok_or_else(|| {
                    let codes: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                    format!("unknown {} \"{code}\" (one of {})", stringify!($name).to_lowercase(), codes.join(", "))
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                code.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use wire_enum;

mod board;
mod case;
mod conversation;
mod event;
mod feature;
mod ids;
mod mail;
mod organisation;
mod turn;

pub use board::*;
pub use case::*;
pub use conversation::*;
pub use event::*;
pub use feature::*;
pub use ids::*;
pub use mail::*;
pub use organisation::*;
pub use turn::*;
