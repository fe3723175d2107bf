//! Business customers (핫라인): an organisation's people, as the site signs them (`org`,
//! `org_role` in the identity token), and its standing line: one shared space where they and the
//! team talk, each topic a thread that enters the queue with its own status, claim and urgency.
//!
//! - **Who belongs** is the site's word, read from each request's signed token: a member who
//!   leaves is no longer signed, so they lose the space at once, and every thread stays with the
//!   organisation. A token that does not verify opens nothing; an `org` a browser asserts in a
//!   body is never read.
//! - **What each sees.** Every member reads and writes the standing line's threads (each message
//!   says who wrote it). An admin also reads every conversation of the organisation's people
//!   (Zendesk's shared organisation). Anyone else: 404, as for an unknown id.
//! - **The team** records the organisation (name, plan, verified mail domains, the operators
//!   assigned to it) and sees it on every case of it.

use serde::{Deserialize, Serialize};

use super::customers::{hash, secret};
use super::turns::Medium;
use super::{Context, Desk, MAX_MESSAGES, Posted, validate};
use crate::error::{Error, Result};
use crate::model::{
    Author, BoardStatus, CaseStatus, Conversation, ConversationState, Customer, LINE_CHANNEL,
    Membership, Message, Millis, OrgRole, Organisation, Reason, new_id, now,
};
use crate::store::{Commit, OrganisationWrite};

/// Most threads and conversations a space lists.
const MAX_LISTED: usize = 50;
/// Longest organisation name, plan or title, in characters.
const MAX_NAME_CHARS: usize = 120;
/// Most verified domains and assigned operators.
const MAX_ENTRIES: usize = 20;
/// Mail services anyone has an address at: never an organisation's verified domain.
const PUBLIC_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "naver.com",
    "daum.net",
    "hanmail.net",
    "kakao.com",
    "nate.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "yahoo.co.kr",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
];
/// Most addresses invited to one organisation.
const MAX_INVITED: usize = 500;

/// A member of an organisation: signed by the site (its token's `org`), or invited by address
/// and signed in by a link mailed to it.
#[derive(Debug, Clone)]
pub struct Member {
    /// Who, as the desk keeps a customer (verified when the site signed them).
    pub customer: Customer,
    /// Their organisation and role.
    pub membership: Membership,
}

impl Member {
    /// How their messages are signed on the line: their name, else the name part of their
    /// address (an invited person's; a whole address would be masked as personal data), else
    /// their id.
    fn display(&self) -> String {
        self.customer
            .name
            .clone()
            .or_else(|| {
                self.customer
                    .contact
                    .as_deref()
                    .and_then(|c| c.split_once('@'))
                    .map(|(local, _)| local.to_string())
            })
            .unwrap_or_else(|| self.customer.id.clone())
    }
}

/// What the team knows of an organisation, as its people see it.
#[derive(Debug, Clone, Serialize)]
pub struct OrgCard {
    /// The site's id.
    pub id: String,
    /// Its name (its id until the team records it).
    pub name: String,
    /// Its plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
}

/// A thread or conversation in a list.
#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    /// `cv_…`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// `line`, `board`, `web`, `mail` …
    pub channel: String,
    /// What it reads as: received, answered, asked again.
    pub status: BoardStatus,
    /// Who opened it (their name, else their id).
    pub by: String,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
}

/// An organisation's space, as one of its people sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Space {
    /// The organisation.
    pub organisation: OrgCard,
    /// The reader's role.
    pub role: OrgRole,
    /// The standing line's threads, newest first.
    pub threads: Vec<Topic>,
    /// For an admin, every other conversation of the organisation's people, newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conversations: Vec<Topic>,
}

/// A thread with its messages.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadView {
    /// The thread.
    pub thread: Topic,
    /// Its messages, in order.
    pub messages: Vec<Message>,
}

/// What the team records of an organisation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    /// The site's id for it (what its members' tokens name as `org`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its plan.
    #[serde(default)]
    pub plan: Option<String>,
    /// Verified mail domains.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Operators assigned to it.
    #[serde(default)]
    pub operators: Vec<String>,
    /// Addresses invited as members (people the site does not sign).
    #[serde(default)]
    pub invited: Vec<String>,
}

/// An organisation as the team sees it: the record, its open threads and recent conversations.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationView {
    /// The record (absent: conversations name it, the team has not recorded it yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
    /// Its conversations with an open or claimed case.
    pub open: usize,
    /// Its conversations, newest first.
    pub conversations: Vec<Topic>,
}

impl Desk {
    /// The member a credential (the site's identity token) signs; `Forbidden` for a customer
    /// the site signs into no organisation.
    pub async fn member(&self, credential: &str) -> Result<Member> {
        let outside = || Error::Forbidden("your account is not signed into an organisation".into());
        // Someone the site does not sign, invited by address: the board's session of that
        // address (a mailed link proved it) makes them a member.
        if credential.starts_with(super::board::SESSION_PREFIX) {
            let crate::model::Owner::Address(address) = self.board_owner(credential).await? else {
                return Err(outside());
            };
            let organisation = self
                .store
                .organisations(200)
                .await?
                .into_iter()
                .find(|o| o.invited.contains(&address))
                .ok_or_else(outside)?;
            return Ok(Member {
                customer: Customer {
                    id: format!("invited:{}", crate::model::MailContact::key(&address)),
                    verified: false,
                    claimed_id: None,
                    contact: self.contact("invited address", Some(address))?,
                    name: None,
                },
                membership: Membership {
                    organisation: organisation.id,
                    role: OrgRole::Member,
                },
            });
        }
        let identity = self.identity.verify(credential)?;
        let membership = identity.membership.clone().ok_or_else(outside)?;
        Ok(Member {
            customer: Customer {
                id: identity.id.clone(),
                verified: true,
                claimed_id: None,
                contact: self.contact("identity contact", identity.contact.clone())?,
                name: self.field("identity name", identity.name.clone())?,
            },
            membership,
        })
    }

    /// An admin invites an address to their organisation (or, with `remove`, takes it back).
    pub async fn invite(&self, member: &Member, email: &str, remove: bool) -> Result<Organisation> {
        if member.membership.role != OrgRole::Admin {
            return Err(Error::Forbidden("only an admin invites people".into()));
        }
        let address = super::board::address(email)?;
        let id = member.membership.organisation.clone();
        retrying!("the organisation", {
            let mut organisation =
                self.store
                    .organisation(&id)
                    .await?
                    .ok_or_else(|| Error::NotFound {
                        what: "organisation",
                        id: id.clone(),
                    })?;
            organisation.invited.retain(|a| *a != address);
            if !remove {
                if organisation.invited.len() >= MAX_INVITED {
                    return Err(Error::Invalid(format!(
                        "at most {MAX_INVITED} invited addresses"
                    )));
                }
                organisation.invited.push(address.clone());
            }
            organisation.by = format!("member:{}", member.customer.id);
            organisation.updated_at = now();
            self.store
                .commit(&Commit {
                    organisation: Some(OrganisationWrite::Update(organisation.clone())),
                    ..Commit::default()
                })
                .await?;
            organisation.version += 1;
            Ok(organisation)
        })
    }

    /// A member's view of their organisation's space.
    pub async fn space(&self, member: &Member) -> Result<Space> {
        let id = &member.membership.organisation;
        let card = match self.store.organisation(id).await? {
            Some(o) => OrgCard {
                id: o.id,
                name: o.name,
                plan: o.plan,
            },
            None => OrgCard {
                id: id.clone(),
                name: id.clone(),
                plan: None,
            },
        };
        let mut threads = Vec::new();
        let mut conversations = Vec::new();
        let admin = member.membership.role == OrgRole::Admin;
        for conversation in self
            .store
            .organisation_conversations(id, 2 * MAX_LISTED)
            .await?
        {
            if conversation.organisation.as_deref() != Some(id.as_str()) {
                continue;
            }
            let line = conversation.is_line();
            if !line && !admin {
                continue;
            }
            let Some(topic) = self.topic(&conversation).await? else {
                continue;
            };
            if line && threads.len() < MAX_LISTED {
                threads.push(topic);
            } else if !line && conversations.len() < MAX_LISTED {
                conversations.push(topic);
            }
        }
        Ok(Space {
            organisation: card,
            role: member.membership.role,
            threads,
            conversations,
        })
    }

    /// A conversation in a list, `None` when it holds nothing yet.
    async fn topic(&self, conversation: &Conversation) -> Result<Option<Topic>> {
        let messages = self.store.messages(&conversation.id).await?;
        let Some(first) = messages.iter().find(|m| m.author == Author::Customer) else {
            return Ok(None);
        };
        Ok(Some(Topic {
            id: conversation.id.clone(),
            title: super::board::title_of(conversation, &messages),
            channel: conversation.channel.clone(),
            status: self.status_of(conversation, &messages).await?,
            by: first.member.clone().unwrap_or_else(|| {
                conversation
                    .customer
                    .name
                    .clone()
                    .unwrap_or_else(|| conversation.customer.id.clone())
            }),
            created_at: conversation.created_at,
            updated_at: conversation.updated_at,
        }))
    }

    /// A conversation of the member's organisation they may read: a thread of its line, or, for
    /// an admin, any of its conversations. Anyone else's reads as not found.
    async fn readable(&self, member: &Member, id: &str) -> Result<Conversation> {
        let not_found = || Error::NotFound {
            what: "conversation",
            id: id.to_string(),
        };
        if !crate::model::is_id("cv", id) {
            return Err(Error::Invalid("malformed conversation id".into()));
        }
        let conversation = self.store.conversation(id).await?.ok_or_else(not_found)?;
        let ours =
            conversation.organisation.as_deref() == Some(member.membership.organisation.as_str());
        let may = ours && (conversation.is_line() || member.membership.role == OrgRole::Admin);
        if may {
            Ok(conversation)
        } else {
            Err(not_found())
        }
    }

    /// A thread (or, for an admin, a conversation) of the member's organisation, with its
    /// messages.
    pub async fn thread(&self, member: &Member, id: &str) -> Result<ThreadView> {
        let conversation = self.readable(member, id).await?;
        let topic = self
            .topic(&conversation)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: "conversation",
                id: id.to_string(),
            })?;
        Ok(ThreadView {
            thread: topic,
            messages: self.store.messages(id).await?,
        })
    }

    /// A new thread on the member's organisation's standing line: handed to people at once,
    /// read by the bot only for urgency (an urgent one alerts the team).
    pub async fn open_thread(&self, member: &Member, title: &str, text: &str) -> Result<Topic> {
        let title = self.one_line("the title", title, MAX_NAME_CHARS)?;
        let text = validate(&self.mask(text))?;
        let at = now();
        let conversation = Conversation {
            id: new_id("cv"),
            customer: member.customer.clone(),
            channel: LINE_CHANNEL.into(),
            locale: kb::Lang::detect(&pii::without_masks(&text)),
            metadata: Default::default(),
            // Nobody reads a thread by a secret: its organisation's people read it by their
            // signed tokens.
            secret_hash: hash(&secret()?),
            device_secret_hashes: Vec::new(),
            state: ConversationState::Bot,
            case_id: None,
            mail: None,
            organisation: Some(member.membership.organisation.clone()),
            created_at: at,
            updated_at: at,
            version: 0,
        };
        self.store.insert_conversation(&conversation).await?;
        let mut message = Message::new(
            &conversation.id,
            Author::Customer,
            format!("{title}\n\n{text}"),
            at,
        );
        message.member = Some(self.mask(&member.display()));
        let context = Context {
            conversation,
            messages: Vec::new(),
        };
        let medium = Medium::Board {
            category: None,
            area: None,
            reason: Reason::Line,
        };
        let mut planned = self.bot_turn(&context, message, medium).await?;
        if let Some(reply) = planned.result.reply.as_mut() {
            reply.text = line_receipt(context.conversation.locale);
            reply.links.clear();
            reply.quick_replies.clear();
            if let Some(stored) = planned
                .commit
                .messages
                .iter_mut()
                .find(|m| m.id == reply.id)
            {
                *stored = reply.clone();
            }
        }
        let conversation = planned
            .commit
            .conversation
            .clone()
            .ok_or_else(|| Error::Corrupt("a line turn without its conversation".into()))?;
        self.apply(planned).await?;
        self.topic(&conversation)
            .await?
            .ok_or_else(|| Error::Corrupt("a thread without its message".into()))
    }

    /// A member writes in a thread of their line: signed with their name, to the thread's case
    /// (which it reopens when resolved, and escalates when urgent). A resend with the same key is
    /// the same message.
    pub async fn write_in_thread(
        &self,
        member: &Member,
        id: &str,
        text: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Posted> {
        let text = validate(&self.mask(text))?;
        let key_hash = idempotency_key.map(|key| Message::key_hash(id, key));
        retrying!("the thread", {
            let conversation = self.readable(member, id).await?;
            if !conversation.is_line() {
                return Err(Error::Forbidden(
                    "only the standing line's threads are written here".into(),
                ));
            }
            let messages = self.store.messages(id).await?;
            if let Some(hash) = &key_hash
                && let Some(first) = messages.iter().find(|m| m.key_hash.as_ref() == Some(hash))
            {
                let first = first.clone();
                return self.replay(&conversation, &messages, first).await;
            }
            if messages.len() >= MAX_MESSAGES {
                return Err(Error::Conflict(format!(
                    "this thread has {MAX_MESSAGES} messages; open a new one"
                )));
            }
            let mut message = Message::new(id, Author::Customer, text.clone(), now());
            message.key_hash.clone_from(&key_hash);
            message.member = Some(self.mask(&member.display()));
            let context = Context {
                conversation,
                messages,
            };
            let planned = self.to_people(&context, message).await?;
            let (_, posted) = self.apply(planned).await?;
            Ok(posted)
        })
    }

    /// The team records an organisation (or changes its record).
    pub async fn save_organisation(
        &self,
        operator: &str,
        input: OrganisationInput,
    ) -> Result<Organisation> {
        let operator = super::operators::operator_name(operator)?.to_string();
        let id = input.id.trim().to_string();
        if id.is_empty() || id.len() > 128 || pii::mask(&id, pii::Options { email: true }) != id {
            return Err(Error::Invalid(
                "an organisation id is the site's internal id (1–128 bytes)".into(),
            ));
        }
        let name = self.one_line("the name", &input.name, MAX_NAME_CHARS)?;
        let plan = self.field("plan", input.plan.clone())?;
        if input.domains.len() > MAX_ENTRIES || input.operators.len() > MAX_ENTRIES {
            return Err(Error::Invalid(format!(
                "at most {MAX_ENTRIES} domains and {MAX_ENTRIES} operators"
            )));
        }
        let mut domains = Vec::new();
        for domain in &input.domains {
            let domain = domain.trim().trim_start_matches('@').to_ascii_lowercase();
            if domain.len() > 253
                || !domain.contains('.')
                || !domain
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            {
                return Err(Error::Invalid(format!("{domain:?} is not a mail domain")));
            }
            // A domain anyone can have an address at proves nobody belongs to the company.
            if PUBLIC_MAIL_DOMAINS.contains(&domain.as_str()) {
                return Err(Error::Invalid(format!(
                    "{domain} is a public mail service: anyone has an address there"
                )));
            }
            domains.push(domain);
        }
        // A domain is one organisation's: a proved mail from it goes to that one only.
        for other in self.store.organisations(200).await? {
            if other.id != id
                && let Some(taken) = other.domains.iter().find(|d| domains.contains(d))
            {
                return Err(Error::Conflict(format!(
                    "{taken} is already the domain of organisation {}",
                    other.id
                )));
            }
        }
        let mut operators = Vec::new();
        for name in &input.operators {
            operators.push(super::operators::operator_name(name)?.to_string());
        }
        if input.invited.len() > MAX_INVITED {
            return Err(Error::Invalid(format!(
                "at most {MAX_INVITED} invited addresses"
            )));
        }
        let invited = input
            .invited
            .iter()
            .map(|a| super::board::address(a))
            .collect::<Result<Vec<_>>>()?;
        retrying!("the organisation", {
            let at = now();
            let existing = self.store.organisation(&id).await?;
            let record = Organisation {
                id: id.clone(),
                name: name.clone(),
                plan: plan.clone(),
                domains: domains.clone(),
                operators: operators.clone(),
                invited: invited.clone(),
                by: operator.clone(),
                created_at: existing.as_ref().map_or(at, |o| o.created_at),
                updated_at: at,
                version: existing.as_ref().map_or(0, |o| o.version),
            };
            let write = match existing {
                Some(_) => OrganisationWrite::Update(record.clone()),
                None => OrganisationWrite::Create(record.clone()),
            };
            self.store
                .commit(&Commit {
                    organisation: Some(write),
                    ..Commit::default()
                })
                .await?;
            Ok(record)
        })
    }

    /// The organisations the team recorded, most recently changed first.
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        self.store.organisations(200).await
    }

    /// An organisation as the team sees it: its record, its open cases, its conversations.
    pub async fn organisation_view(&self, id: &str) -> Result<OrganisationView> {
        let organisation = self.store.organisation(id).await?;
        let mut conversations = Vec::new();
        let mut open = 0;
        for conversation in self
            .store
            .organisation_conversations(id, MAX_LISTED)
            .await?
        {
            if let Some(case_id) = &conversation.case_id
                && let Some(case) = self.store.case(case_id).await?
                && case.status != CaseStatus::Resolved
            {
                open += 1;
            }
            if let Some(topic) = self.topic(&conversation).await? {
                conversations.push(topic);
            }
        }
        if organisation.is_none() && conversations.is_empty() {
            return Err(Error::NotFound {
                what: "organisation",
                id: id.to_string(),
            });
        }
        Ok(OrganisationView {
            organisation,
            open,
            conversations,
        })
    }
}

/// What the line says once a thread is in.
fn line_receipt(locale: kb::Lang) -> String {
    match locale {
        kb::Lang::Ko => "새 스레드를 팀에 전달했어요. 담당자가 이 스레드에서 답변드릴게요.".into(),
        _ => "Your thread reached the team; a person will answer here.".into(),
    }
}
