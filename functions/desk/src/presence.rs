//! Who is in a case right now: the operators viewing it or typing a reply, shown to the whole team
//! (cases are open to everyone, and two people should not answer one customer at once) and, when
//! an operator types, to the customer as "typing…".
//!
//! Presence is a heartbeat, not a session. The console touches it while a case is open (every
//! [`HEARTBEAT_MS`]) and while the operator types (at most every [`TYPING_HEARTBEAT_MS`]); a
//! record older than its window has simply ended, so a closed tab or a lost network needs no
//! "left" message. A store keeps one record per conversation and operator, replaced on every touch,
//! and forgets it after [`KEEP_MS`] (DynamoDB's TTL; SQLite deletes old rows as it writes).

use serde::{Deserialize, Serialize};

use crate::model::{Millis, wire_enum};

/// How often the console says an operator is still viewing an open case.
pub const HEARTBEAT_MS: Millis = 10_000;
/// How long a "viewing" touch lasts: two missed heartbeats and the operator has left.
pub const VIEWING_MS: Millis = 2 * HEARTBEAT_MS + 2_000;
/// How often, at most, the console says an operator is typing while keys are pressed.
pub const TYPING_HEARTBEAT_MS: Millis = 2_500;
/// How long a "typing" touch lasts after the last key.
pub const TYPING_MS: Millis = 6_000;
/// How long a store keeps a record at all.
pub const KEEP_MS: Millis = 3_600_000;

wire_enum! {
    /// What an operator is doing in a case.
    pub enum Activity {
        /// The case is open on their screen.
        Viewing = "viewing",
        /// They are writing a reply or a note.
        Typing = "typing",
    }
}

/// One operator's last touch of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The case's conversation (presence lives beside the transcript).
    pub conversation_id: String,
    /// The operator.
    pub operator: String,
    /// What they were doing.
    pub activity: Activity,
    /// When they touched it.
    pub at: Millis,
}

impl Presence {
    /// What the operator is doing at `now`, if the touch has not ended: typing lapses into
    /// viewing, then into nothing.
    pub fn current(&self, now: Millis) -> Option<Activity> {
        let age = now - self.at;
        match self.activity {
            Activity::Typing if age <= TYPING_MS => Some(Activity::Typing),
            _ if age <= VIEWING_MS => Some(Activity::Viewing),
            _ => None,
        }
    }
}

/// The operators in a case at `now`, typing first, then by name, with what each is doing.
pub fn current(records: &[Presence], now: Millis) -> Vec<Presence> {
    let mut present: Vec<Presence> = records
        .iter()
        .filter_map(|p| {
            p.current(now).map(|activity| Presence {
                activity,
                ..p.clone()
            })
        })
        .collect();
    present.sort_by(|a, b| {
        (b.activity == Activity::Typing, &a.operator)
            .cmp(&(a.activity == Activity::Typing, &b.operator))
    });
    present
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(operator: &str, activity: Activity, at: Millis) -> Presence {
        Presence {
            conversation_id: "cv_1".into(),
            operator: operator.into(),
            activity,
            at,
        }
    }

    #[test]
    fn typing_lapses_into_viewing_then_ends() {
        let p = touch("minji", Activity::Typing, 1_000);
        assert_eq!(p.current(1_000 + TYPING_MS), Some(Activity::Typing));
        assert_eq!(p.current(1_001 + TYPING_MS), Some(Activity::Viewing));
        assert_eq!(p.current(1_001 + VIEWING_MS), None);
        assert_eq!(
            touch("junho", Activity::Viewing, 0).current(VIEWING_MS),
            Some(Activity::Viewing)
        );
    }

    #[test]
    fn typists_come_first_then_names() {
        let now = 100_000;
        let list = current(
            &[
                touch("seoyeon", Activity::Viewing, now),
                touch("junho", Activity::Typing, now),
                touch("ara", Activity::Viewing, now),
                touch("gone", Activity::Viewing, 0),
            ],
            now,
        );
        let names: Vec<&str> = list.iter().map(|p| p.operator.as_str()).collect();
        assert_eq!(names, ["junho", "ara", "seoyeon"]);
    }
}
