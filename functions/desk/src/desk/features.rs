//! Feature requests that come back answered: the team's list of what customers asked for
//! (grouped as the weekly report groups them), the status the team sets (검토 중, planned,
//! 출시됨, 하지 않음), and, when it ships or is declined, the team's word to everyone who asked,
//! once each, in the conversation they asked in: on the board and by mail for an inquiry or a
//! mail, in the chat for a chat (they read it when they next open the widget).
//!
//! A customer is told once however many times they asked: asks are keyed by who asked (the
//! verified customer, the guest's or the mail's address, else the conversation), and each
//! customer's message and the request's "told" mark are one commit, versioned, so two people
//! pressing "shipped" at once tell nobody twice.

use std::collections::{BTreeMap, BTreeSet};

use kb::Lang;
use serde::{Deserialize, Serialize};

use super::Desk;
use crate::error::{Error, Result};
use crate::events;
use crate::insights::{self, DAY};
use crate::model::{
    Ask, Author, Conversation, Event, EventKind, FeatureRequest, FeatureStatus, MAIL_CHANNEL,
    MailContact, Message, Millis, new_id, now,
};
use crate::store::{Commit, FeatureWrite};

/// How far back the list looks for asks not yet triaged.
pub const UNTRIAGED_DAYS: i64 = 90;
/// An ask this recent counts toward a request's urgency.
pub const RECENT_DAYS: i64 = 28;
/// Most feature requests listed.
const MAX_REQUESTS: usize = 200;
/// Most conversations added to a request in one call.
const MAX_ADDED: usize = 50;
/// Longest title, in characters.
const MAX_TITLE_CHARS: usize = 120;
/// Longest reason or announcement, in bytes.
const MAX_TEXT_BYTES: usize = 2000;

/// A feature request as the team's list shows it: stored (triaged) or suggested (asks grouped,
/// not yet triaged).
#[derive(Debug, Clone, Serialize)]
pub struct FeatureView {
    /// `fr_…`; absent for a suggested group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What is asked for.
    pub title: String,
    /// Where it stands; absent for a suggested group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<FeatureStatus>,
    /// Why (declined), for the team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the customers are told, per language.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub announcement: BTreeMap<Lang, String>,
    /// The product area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Distinct customers who asked: reach.
    pub customers: usize,
    /// Of them, asked in the last [`RECENT_DAYS`] days: urgency.
    pub recent: usize,
    /// Of them, verified customers (the site's signed accounts).
    pub verified: usize,
    /// When it was first asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Millis>,
    /// Customers told of the decision so far.
    pub told: usize,
    /// The asks, oldest first.
    pub asks: Vec<Ask>,
}

/// The team's list.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureList {
    /// Triaged requests, most recently changed first.
    pub requests: Vec<FeatureView>,
    /// Asks of the last [`UNTRIAGED_DAYS`] days in no request yet, grouped, most customers first.
    pub untriaged: Vec<FeatureView>,
}

/// What the team sets on a request (a new one without `id`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Triage {
    /// The request to change; absent: a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// What is asked for (a new request needs one).
    #[serde(default)]
    pub title: Option<String>,
    /// Where it stands (a new request: 검토 중 unless given).
    #[serde(default)]
    pub status: Option<FeatureStatus>,
    /// Why (required to decline).
    #[serde(default)]
    pub reason: Option<String>,
    /// What the customers are told when it ships or is declined, per language (required then).
    #[serde(default)]
    pub announcement: Option<BTreeMap<Lang, String>>,
    /// The product area.
    #[serde(default)]
    pub area: Option<String>,
    /// Conversations whose asks join it.
    #[serde(default)]
    pub add: Vec<String>,
}

/// A request as the team left it, and how many customers were told just now.
#[derive(Debug, Clone, Serialize)]
pub struct Triaged {
    /// The request.
    pub request: FeatureView,
    /// Customers told by this change.
    pub told_now: usize,
}

impl Desk {
    /// The team's list of feature requests: the triaged ones, and the asks of the last
    /// [`UNTRIAGED_DAYS`] days not in any, grouped as the weekly report groups them.
    pub async fn feature_requests(&self) -> Result<FeatureList> {
        let stored = self.store.feature_requests(MAX_REQUESTS).await?;
        let known: BTreeSet<&str> = stored
            .iter()
            .flat_map(|r| r.asks.iter().map(|a| a.conversation_id.as_str()))
            .collect();
        let at = now();
        let asked =
            insights::requests::asked(self.store.as_ref(), at - UNTRIAGED_DAYS * DAY, at + 1)
                .await?;
        let mut asks: Vec<(Ask, bool)> = Vec::new();
        for thread in asked.iter().filter(|t| !known.contains(t.id.as_str())) {
            let Some(conversation) = self.store.conversation(&thread.id).await? else {
                continue;
            };
            let words = if thread.question.trim().is_empty() {
                self.first_words(&conversation.id).await?
            } else {
                super::shorten(&thread.question, 120)
            };
            asks.push((
                ask(&conversation, words, thread.opened.unwrap_or(at)),
                thread.verified,
            ));
        }
        let groups = self.group_asks(&asks).await?;
        let mut untriaged: Vec<FeatureView> = groups
            .into_iter()
            .map(|members| {
                let asks: Vec<&(Ask, bool)> = members.iter().map(|&i| &asks[i]).collect();
                suggested(&asks, at)
            })
            .collect();
        untriaged.sort_by(|a, b| {
            b.customers
                .cmp(&a.customers)
                .then(b.recent.cmp(&a.recent))
                .then_with(|| a.title.cmp(&b.title))
        });
        Ok(FeatureList {
            requests: stored.iter().map(|r| view(r, at)).collect(),
            untriaged,
        })
    }

    /// Groups asks by their words (and meaning, with the sentence model), as the weekly report
    /// groups feature requests.
    async fn group_asks(&self, asks: &[(Ask, bool)]) -> Result<Vec<Vec<usize>>> {
        let texts: Vec<String> = asks.iter().map(|(a, _)| a.words.clone()).collect();
        let kb = std::sync::Arc::clone(&self.kb);
        let encoder = self.encoder.clone();
        tokio::task::spawn_blocking(move || {
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let grouping = match encoder {
                Some(_) => insights::topics::Grouping::MEANING,
                None => insights::topics::Grouping::WORDS,
            };
            insights::topics::clusters(Some(&kb), encoder.as_deref(), &texts, grouping)
        })
        .await
        .map_err(|e| Error::Unavailable(format!("grouping task: {e}")))
    }

    /// The start of a conversation's first customer message.
    async fn first_words(&self, conversation_id: &str) -> Result<String> {
        Ok(self
            .store
            .messages(conversation_id)
            .await?
            .iter()
            .find(|m| m.author == Author::Customer)
            .map(|m| super::shorten(m.text.lines().next().unwrap_or(""), 120))
            .unwrap_or_default())
    }

    /// Creates or changes a request: its title, status, reason, announcement, area, and the
    /// conversations whose asks join it. When it is shipped or declined, everyone who asked and
    /// was not told yet is told now, once each.
    pub async fn triage(&self, operator: &str, triage: Triage) -> Result<Triaged> {
        let operator = super::operators::operator_name(operator)?.to_string();
        let title = triage
            .title
            .as_deref()
            .map(|t| self.one_line("the title", t, MAX_TITLE_CHARS))
            .transpose()?;
        let reason = self.feature_text("reason", triage.reason.as_deref())?;
        let announcement = match &triage.announcement {
            Some(texts) => {
                let mut kept = BTreeMap::new();
                for (lang, text) in texts {
                    if let Some(text) = self.feature_text("announcement", Some(text))? {
                        kept.insert(*lang, text);
                    }
                }
                Some(kept)
            }
            None => None,
        };
        if triage.add.len() > MAX_ADDED {
            return Err(Error::Invalid(format!(
                "at most {MAX_ADDED} conversations join a request at once"
            )));
        }
        let mut added = Vec::new();
        for id in &triage.add {
            if !crate::model::is_id("cv", id) {
                return Err(Error::Invalid("malformed conversation id".into()));
            }
            let conversation =
                self.store
                    .conversation(id)
                    .await?
                    .ok_or_else(|| Error::NotFound {
                        what: "conversation",
                        id: id.clone(),
                    })?;
            let words = self.first_words(id).await?;
            added.push(ask(&conversation, words, conversation.created_at));
        }
        let request = retrying!("the feature request", {
            let at = now();
            let (mut request, create) = match &triage.id {
                Some(id) => (
                    self.store
                        .feature_request(id)
                        .await?
                        .ok_or_else(|| Error::NotFound {
                            what: "feature request",
                            id: id.clone(),
                        })?,
                    false,
                ),
                None => (
                    FeatureRequest {
                        id: new_id("fr"),
                        title: title.clone().ok_or_else(|| {
                            Error::Invalid("a new feature request needs a title".into())
                        })?,
                        status: FeatureStatus::Reviewing,
                        reason: None,
                        announcement: BTreeMap::new(),
                        area: None,
                        asks: Vec::new(),
                        by: operator.clone(),
                        created_at: at,
                        updated_at: at,
                        version: 0,
                    },
                    true,
                ),
            };
            if let Some(title) = &title {
                request.title.clone_from(title);
            }
            if let Some(status) = triage.status {
                request.status = status;
            }
            if reason.is_some() {
                request.reason.clone_from(&reason);
            }
            if let Some(announcement) = &announcement {
                request.announcement.clone_from(announcement);
            }
            if triage.area.is_some() {
                request.area = self.field("area", triage.area.clone())?;
            }
            for ask in &added {
                if !request
                    .asks
                    .iter()
                    .any(|a| a.conversation_id == ask.conversation_id)
                {
                    request.asks.push(ask.clone());
                }
            }
            request.asks.sort_by_key(|a| a.asked_at);
            if request.status == FeatureStatus::Declined && request.reason.is_none() {
                return Err(Error::Invalid("a declined request needs a reason".into()));
            }
            if request.status.tells() && request.announcement.is_empty() {
                return Err(Error::Invalid(
                    "say what the customers who asked are told (announcement)".into(),
                ));
            }
            request.by.clone_from(&operator);
            request.updated_at = at;
            let write = if create {
                FeatureWrite::Create(request.clone())
            } else {
                FeatureWrite::Update(request.clone())
            };
            self.store
                .commit(&Commit {
                    feature: Some(write),
                    ..Commit::default()
                })
                .await?;
            if !create {
                request.version += 1;
            }
            Ok(request)
        })?;
        let told_now = if request.status.tells() {
            self.tell(&request.id, &operator).await?
        } else {
            0
        };
        let request = self
            .store
            .feature_request(&request.id)
            .await?
            .unwrap_or(request);
        Ok(Triaged {
            request: view(&request, now()),
            told_now,
        })
    }

    /// Tells every customer of a shipped or declined request who was not told yet, once each;
    /// how many were told.
    async fn tell(&self, id: &str, operator: &str) -> Result<usize> {
        let Some(request) = self.store.feature_request(id).await? else {
            return Ok(0);
        };
        let customers: BTreeSet<String> = request
            .asks
            .iter()
            .filter(|a| a.told_at.is_none())
            .map(|a| a.customer.clone())
            .collect();
        let mut told = 0;
        for customer in customers {
            if self.tell_one(id, &customer, operator).await? {
                told += 1;
            }
        }
        Ok(told)
    }

    /// Tells one customer in the latest conversation they asked in, and marks all their asks
    /// told, in one commit; false if someone told them first.
    async fn tell_one(&self, id: &str, customer: &str, operator: &str) -> Result<bool> {
        retrying!("the feature request", {
            let Some(mut request) = self.store.feature_request(id).await? else {
                return Ok(false);
            };
            if !request.status.tells() {
                return Ok(false);
            }
            // Their latest ask whose conversation is still there (a gone one is skipped).
            let mut pending: Vec<&Ask> = request
                .asks
                .iter()
                .filter(|a| a.customer == customer && a.told_at.is_none())
                .collect();
            if pending.is_empty() {
                return Ok(false);
            }
            pending.sort_by_key(|a| std::cmp::Reverse(a.asked_at));
            let mut found = None;
            for ask in pending {
                if let Some(conversation) = self.store.conversation(&ask.conversation_id).await? {
                    found = Some(conversation);
                    break;
                }
            }
            let Some(mut conversation) = found else {
                return Ok(false);
            };
            let Some(text) = request.announcement_in(conversation.locale) else {
                return Ok(false);
            };
            let at = now();
            let mut message = Message::new(
                &conversation.id,
                Author::Operator {
                    name: operator.to_string(),
                },
                text.to_string(),
                at,
            );
            let mut commit = Commit::default();
            // A board inquiry or a mail is answered by mail too; a chat in the chat. The mail's
            // subject is Baton's own, never the thread's (a customer's words, which may not be
            // theirs to send: an address on a guest's form is not proved).
            self.operator_mail(&mut conversation, &mut message, &mut commit);
            if let Some(crate::store::MailWrite::Create(mail)) = commit.outgoing.as_mut()
                && let Some(settings) = self.mail_settings()
            {
                let news = match conversation.locale {
                    Lang::Ko => "요청하신 기능 소식",
                    _ => "News about a feature you asked for",
                };
                mail.subject = format!("{news} [#{}]", settings.key.token(&conversation.id));
            }
            if commit.conversation.is_none() {
                conversation.updated_at = at;
                commit.conversation = Some(conversation.clone());
            }
            for ask in request.asks.iter_mut().filter(|a| a.customer == customer) {
                ask.told_at.get_or_insert(at);
            }
            request.updated_at = at;
            commit.messages = vec![message];
            commit.events.push(Event::new(
                EventKind::FeatureTold,
                &conversation.id,
                Some(crate::model::Category::FeatureRequest),
                request.area.clone(),
                [
                    (events::OPERATOR, operator.to_string()),
                    (events::STATUS, request.status.to_string()),
                ],
            ));
            commit.feature = Some(FeatureWrite::Update(request));
            self.store.commit(&commit).await?;
            Ok(true)
        })
    }

    fn feature_text(&self, name: &str, text: Option<&str>) -> Result<Option<String>> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if text.len() > MAX_TEXT_BYTES {
            return Err(Error::Invalid(format!(
                "the {name} is longer than {MAX_TEXT_BYTES} bytes"
            )));
        }
        Ok(Some(self.mask(text)))
    }
}

/// Who asked in `conversation`, so one customer is told once: the verified customer or the
/// board guest's address ([`Conversation::owner_key`]), a mail's address, else the conversation.
fn asker(conversation: &Conversation) -> String {
    if let Some(owner) = conversation.owner_key() {
        return owner;
    }
    match &conversation.mail {
        Some(thread) if conversation.channel == MAIL_CHANNEL => {
            format!("address:{}", MailContact::key(&thread.address))
        }
        _ => format!("conversation:{}", conversation.id),
    }
}

fn ask(conversation: &Conversation, words: String, asked_at: Millis) -> Ask {
    Ask {
        conversation_id: conversation.id.clone(),
        customer: asker(conversation),
        channel: conversation.channel.clone(),
        locale: conversation.locale,
        words,
        asked_at,
        told_at: None,
    }
}

fn view(request: &FeatureRequest, at: Millis) -> FeatureView {
    let verified = request
        .asks
        .iter()
        .filter(|a| a.customer.starts_with("customer:"))
        .map(|a| a.customer.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let told = request
        .asks
        .iter()
        .filter(|a| a.told_at.is_some())
        .map(|a| a.customer.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    FeatureView {
        id: Some(request.id.clone()),
        title: request.title.clone(),
        status: Some(request.status),
        reason: request.reason.clone(),
        announcement: request.announcement.clone(),
        area: request.area.clone(),
        customers: request.reach(),
        recent: recent(request.asks.iter(), at),
        verified,
        since: request.since(),
        told,
        asks: request.asks.clone(),
    }
}

/// Distinct customers among `asks` who asked in the last [`RECENT_DAYS`] days.
fn recent<'a>(asks: impl Iterator<Item = &'a Ask>, at: Millis) -> usize {
    asks.filter(|a| a.asked_at > at - RECENT_DAYS * DAY)
        .map(|a| a.customer.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

fn suggested(asks: &[&(Ask, bool)], at: Millis) -> FeatureView {
    let mut by_words: BTreeMap<&str, usize> = BTreeMap::new();
    for (ask, _) in asks {
        *by_words.entry(ask.words.as_str()).or_default() += 1;
    }
    // The wording asked most, its first line (a board inquiry's title) as the name.
    let title = by_words
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(w, _)| super::shorten(w.lines().next().unwrap_or(""), MAX_TITLE_CHARS))
        .unwrap_or_default();
    let customers: BTreeSet<&str> = asks.iter().map(|(a, _)| a.customer.as_str()).collect();
    let verified: BTreeSet<&str> = asks
        .iter()
        .filter(|(_, v)| *v)
        .map(|(a, _)| a.customer.as_str())
        .collect();
    FeatureView {
        id: None,
        title,
        status: None,
        reason: None,
        announcement: BTreeMap::new(),
        area: None,
        customers: customers.len(),
        recent: recent(asks.iter().map(|(a, _)| a), at),
        verified: verified.len(),
        since: asks.iter().map(|(a, _)| a.asked_at).min(),
        told: 0,
        asks: asks.iter().map(|(a, _)| a.clone()).collect(),
    }
}
