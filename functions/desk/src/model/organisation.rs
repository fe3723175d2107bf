//! Business customers: an organisation (a customer company) whose people the site signs as its
//! members, the team's record of it, and its standing line (핫라인): one shared space of threads
//! where its members and the team talk.

use serde::{Deserialize, Serialize};

use super::{Conversation, Millis};

/// The channel of a thread on an organisation's standing line.
pub const LINE_CHANNEL: &str = "line";

wire_enum! {
    /// What a member may do in their organisation's space.
    pub enum OrgRole {
        /// Reads and writes the standing line; their own inquiries are theirs.
        Member = "member",
        /// A member who also reads every conversation of the organisation's people.
        Admin = "admin",
    }
}

/// Who a verified customer is in their company, as the site signed it (`org`, `org_role`): a
/// member leaves when the site stops signing it, and the history stays with the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The site's id for the organisation.
    pub organisation: String,
    /// Member or admin.
    pub role: OrgRole,
}

/// The team's record of a business customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// The site's id for it (what its members' tokens name as `org`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its plan or contract (`enterprise`, `50 seats` …), for operators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Mail domains the team verified as the organisation's: a proved mail from one of them is
    /// the organisation's conversation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// The team's operators assigned to it: who answers its standing line first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operators: Vec<String>,
    /// Addresses invited as members (lowercased), for people the site does not sign: they
    /// reach the space with a session a link mailed to that address opened (the inquiry board's
    /// sign-in), as members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invited: Vec<String>,
    /// Who last changed it.
    pub by: String,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
    /// Bumped by every write.
    pub version: u64,
}

impl Conversation {
    /// A thread of an organisation's standing line.
    pub fn is_line(&self) -> bool {
        self.channel == LINE_CHANNEL && self.organisation.is_some()
    }
}
