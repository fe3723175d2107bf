//! Mail through the desk: a mail opens or continues a conversation, the bot answers a first mail
//! only when it is sure, anything else reaches the queue with the full context, and what people
//! (or the bot) answer leaves as a mail in the same thread, through a stored job that is tried
//! again until it is sent.
//!
//! The order of threading: Baton's reply-to address (`support+<token>@`), then `In-Reply-To` and
//! `References` against every Message-ID of the conversation, then the subject's `[#token]`. A mail
//! that names a conversation joins it only when its sender is that conversation's customer; and
//! a mail the receiving side judged spam, a virus or spoofed never joins one.

use kb::Lang;
use serde::Serialize;

use super::customers::{hash, secret};
use super::turns::Medium;
use super::{Context, Desk, MAX_MESSAGE_BYTES, Planned, Posted};
use crate::error::{Error, Result};
use crate::events;
use crate::mail::{self, Refused, Relay, ThreadKey};
use crate::model::{
    Author, Automatic, BotTurn, Conversation, ConversationState, Customer, Decision, Delivery,
    DeliveryState, Event, EventKind, MAIL_CHANNEL, MailId, MailPart, MailThread, Message,
    OutgoingMail, Reason, Split, SplitWhy, Verdict, new_id, now,
};
use crate::store::{Commit, Committed, MailWrite};

/// How the desk takes and sends mail.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// Who Baton's mail is from: the support address and its name.
    pub sender: mail::Sender,
    /// The key of the thread tokens.
    pub key: ThreadKey,
    /// How much of a mail is read.
    pub limits: mail::Limits,
    /// Most mails the bot sends one address in an hour (a loop with another machine stops there).
    pub auto_replies_per_hour: usize,
    /// The help center's address, for the links in the bot's answers.
    pub site_url: String,
}

/// A mail as it arrived, with what the receiving side knows beside the message.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// The raw message.
    pub raw: Vec<u8>,
    /// The envelope's recipients (`RCPT TO`; SES's receipt), which a BCC'd token address is in.
    pub recipients: Vec<String>,
    /// What the receiving side judged, if it checked.
    pub verdict: Option<Verdict>,
    /// Where the raw message is kept, if it is.
    pub raw_key: Option<String>,
}

/// What became of a mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Received {
    /// Stored as a message of a conversation.
    Stored {
        /// The conversation.
        conversation_id: String,
        /// The message.
        message_id: String,
        /// Whether the mail started the conversation.
        new: bool,
        /// Whether the bot answered it by mail.
        answered: bool,
        /// The case, when people have the conversation.
        #[serde(skip_serializing_if = "Option::is_none")]
        case_id: Option<String>,
    },
    /// The same mail was stored before (a second delivery): nothing was done.
    Duplicate {
        /// Its conversation.
        conversation_id: String,
    },
    /// A bounce of a mail Baton sent: that mail is marked failed.
    Bounce {
        /// The conversation.
        conversation_id: String,
        /// The message whose mail bounced.
        message_id: String,
    },
    /// Not stored, and why (a mail from the support address itself).
    Ignored {
        /// Why.
        reason: String,
    },
}

/// Tries of an outgoing mail before it is given up (about six hours with the backoff).
const SEND_TRIES: u32 = 12;
/// How long a sender holds a mail it is sending before another may try it.
const SEND_LEASE_MS: i64 = 5 * 60_000;
/// Most Message-IDs of a mail's `References` looked up.
const MAX_LOOKUPS: usize = 20;
/// Longest whole text kept beside a message, in bytes.
const MAX_ORIGINAL_BYTES: usize = 64 * 1024;
/// Longest subject kept, in characters.
const MAX_SUBJECT_CHARS: usize = 200;

impl Desk {
    /// This desk, taking and sending mail.
    pub fn with_mail(mut self, settings: MailSettings) -> Desk {
        self.mail = Some(std::sync::Arc::new(settings));
        self
    }

    /// The mail settings, when mail is set up.
    pub fn mail_settings(&self) -> Option<&MailSettings> {
        self.mail.as_deref()
    }

    fn mail_or_refuse(&self) -> Result<&MailSettings> {
        self.mail_settings().ok_or_else(|| {
            Error::Unavailable("mail is not set up (BATON_MAIL_FROM is not set)".into())
        })
    }

    /// Takes a mail: stores it in its conversation (a new one, or the thread it belongs to), and
    /// answers or hands off as the rules above say. A mail delivered twice is stored once.
    pub async fn receive_mail(&self, incoming: &Incoming) -> Result<Received> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.receive_once(incoming).await {
                Err(Error::Stale) if attempts < super::RETRIES => continue,
                Err(Error::Stale) => {
                    break Err(Error::Conflict(
                        "the conversation is changing too fast; deliver the mail again".into(),
                    ));
                }
                other => break other,
            }
        }
    }

    async fn receive_once(&self, incoming: &Incoming) -> Result<Received> {
        let settings = self.mail_or_refuse()?;
        let inbound = mail::parse(&incoming.raw, &settings.limits)?;
        let from = inbound
            .from
            .clone()
            .ok_or_else(|| Error::Invalid("the mail has no sender (From)".into()))?;
        if mail::is_support(&from.address, &settings.sender.address) {
            return Ok(Received::Ignored {
                reason: "sent from the support address itself (a loop)".into(),
            });
        }
        let own_id = inbound.message_id.clone().unwrap_or_else(|| {
            // No Message-ID: the bytes stand for it, so a second delivery is still the same mail.
            format!(
                "{}@no-message-id.invalid",
                blake3::hash(&incoming.raw).to_hex()
            )
        });
        let own_hash = MailId::hash(&own_id);
        if let Some(conversation_id) = self.store.mail_thread(&own_hash).await? {
            return Ok(Received::Duplicate { conversation_id });
        }
        let bad = incoming.verdict.filter(|v| *v != Verdict::Pass);
        if bad.is_none()
            && inbound.automatic.is_some_and(Automatic::is_bounce)
            && let Some(received) = self.bounce(&inbound, &own_id).await?
        {
            return Ok(received);
        }

        let subject = self.subject(&inbound.subject);
        let named = self
            .named_thread(&inbound, &incoming.recipients, settings)
            .await?;
        let (joined, split) = match named {
            Some(named) if bad.is_some() => (
                None,
                Some(Split {
                    from: named.id,
                    why: SplitWhy::Quarantined,
                }),
            ),
            Some(named) => {
                let thread = named
                    .mail
                    .as_ref()
                    .map(|t| (t.address.clone(), t.subject.clone()));
                match thread {
                    Some((address, _)) if address != from.address => (
                        None,
                        Some(Split {
                            from: named.id,
                            why: SplitWhy::NotParticipant,
                        }),
                    ),
                    Some((_, old))
                        if named.state == ConversationState::Resolved
                            && inbound.automatic.is_none()
                            && !subject.is_empty()
                            && subject != old =>
                    {
                        (
                            None,
                            Some(Split {
                                from: named.id,
                                why: SplitWhy::NewSubject,
                            }),
                        )
                    }
                    _ => (Some(named), None),
                }
            }
            None => (None, None),
        };

        let reply = mail::new_text(&inbound.text);
        let whole = self.mask(inbound.text.trim());
        let new_text = self.mask(reply.new.trim());
        let (mut text, cut) = cut_at(&new_text, MAX_MESSAGE_BYTES);
        if text.trim().is_empty() {
            text = subject.clone();
        }
        let original = if reply.trimmed || cut {
            cut_at(&whole, MAX_ORIGINAL_BYTES).0
        } else {
            String::new()
        };
        let locale = Lang::detect(&pii::without_masks(&format!("{subject}\n{text}")));
        let is_new = joined.is_none();
        let mut conversation = match joined {
            Some(conversation) => conversation,
            None => self.mail_conversation(&from, &subject, locale).await?,
        };
        let mut attachments = Vec::new();
        let mut dropped = inbound.attachments_dropped;
        for attachment in &inbound.attachments {
            // The same cleaning and limits as a widget screenshot: images only, metadata removed.
            if self.blobs.is_none() || !attachment.content_type.starts_with("image/") {
                dropped += 1;
                continue;
            }
            match self
                .keep(&conversation.id, new_id("att"), &attachment.bytes)
                .await
            {
                Ok(kept) => attachments.push(kept),
                Err(Error::Invalid(_)) => dropped += 1,
                Err(error) => return Err(error),
            }
        }
        if text.trim().is_empty() && attachments.is_empty() {
            text = "(no text)".into();
        }
        let message = Message {
            id: new_id("msg"),
            conversation_id: conversation.id.clone(),
            author: Author::Customer,
            text,
            links: Vec::new(),
            quick_replies: Vec::new(),
            attachments,
            bot: None,
            key_hash: Some(Message::key_hash(
                &conversation.id,
                &format!("mail:{own_hash}"),
            )),
            mail: Some(MailPart {
                subject: subject.clone(),
                original,
                from_html: inbound.from_html,
                automatic: inbound.automatic,
                verdict: incoming.verdict,
                attachments_dropped: dropped,
                raw: incoming.raw_key.clone(),
                delivery: None,
                id_hash: Some(own_hash.clone()),
                split,
            }),
            created_at: now(),
        };
        if let Some(thread) = conversation.mail.as_mut() {
            thread.remember(&own_id);
        }
        let messages = if is_new {
            Vec::new()
        } else {
            self.store.messages(&conversation.id).await?
        };
        let context = Context {
            conversation,
            messages,
        };
        let quiet = bad.is_some() || inbound.automatic.is_some();
        let mut planned = match (quiet, context.conversation.state) {
            // Spam, a virus, a spoofed sender, or a machine's mail that belongs to no thread:
            // kept for people to look at, never answered.
            (true, _) if is_new => self.quarantine(&context, message).await?,
            // A machine's mail in a thread (an out-of-office reply): kept beside it; the case is
            // neither reopened nor answered.
            (true, _) => quietly(&context, message),
            (false, ConversationState::Bot) => {
                let may_answer = self.may_auto_reply(&from.address, settings).await?;
                self.bot_turn(&context, message, Medium::Mail { may_answer })
                    .await?
            }
            (false, ConversationState::Human | ConversationState::Resolved) => {
                self.to_people(&context, message).await?
            }
        };
        let answered = self.mail_bot_answer(&mut planned, settings)?;
        let conversation_id = context.conversation.id.clone();
        planned
            .commit
            .mail_ids
            .push(MailId::new(&own_id, &conversation_id));
        match self.apply(planned).await {
            Ok((Committed::Done, posted)) => Ok(Received::Stored {
                conversation_id,
                message_id: posted.message.id,
                new: is_new,
                answered,
                case_id: posted.case.map(|c| c.id),
            }),
            Ok((Committed::Duplicate(_), _)) => Ok(Received::Duplicate { conversation_id }),
            // Another delivery of the same mail won: it is stored.
            Err(Error::Stale) if self.store.mail_thread(&own_hash).await?.is_some() => {
                Ok(Received::Duplicate { conversation_id })
            }
            Err(error) => Err(error),
        }
    }

    /// The conversation a mail names, if any (see the module documentation for the order).
    async fn named_thread(
        &self,
        inbound: &mail::Inbound,
        envelope: &[String],
        settings: &MailSettings,
    ) -> Result<Option<Conversation>> {
        let support = &settings.sender.address;
        let by_address = envelope
            .iter()
            .map(String::as_str)
            .chain(inbound.recipients.iter().map(|a| a.address.as_str()))
            .find_map(|address| settings.key.from_address(support, address));
        let mut id = by_address;
        if id.is_none() {
            for reference in inbound.replying_to.iter().take(MAX_LOOKUPS) {
                if let Some(found) = self.store.mail_thread(&MailId::hash(reference)).await? {
                    id = Some(found);
                    break;
                }
            }
        }
        let id = id.or_else(|| settings.key.from_subject(&inbound.subject));
        match id {
            Some(id) => Ok(self
                .store
                .conversation(&id)
                .await?
                .filter(|c| c.mail.is_some())),
            None => Ok(None),
        }
    }

    /// A new conversation for a mail from `from`: an unverified contact (the From address is not
    /// proof of anyone), the address kept to reply to.
    async fn mail_conversation(
        &self,
        from: &mail::Address,
        subject: &str,
        locale: Lang,
    ) -> Result<Conversation> {
        let at = now();
        let conversation = Conversation {
            id: new_id("cv"),
            customer: Customer {
                id: new_id("anon"),
                verified: false,
                claimed_id: None,
                contact: self.contact("mail sender", Some(from.address.clone()))?,
                name: self
                    .field(
                        "mail sender's name",
                        from.name.as_ref().map(|n| n.replace('\u{FFFD}', "")),
                    )
                    .unwrap_or(None),
            },
            channel: MAIL_CHANNEL.into(),
            locale,
            metadata: Default::default(),
            // Nobody holds a secret for a mail conversation: it is read by mail, not the widget.
            secret_hash: hash(&secret()?),
            device_secret_hashes: Vec::new(),
            state: ConversationState::Bot,
            case_id: None,
            mail: Some(MailThread {
                address: from.address.clone(),
                subject: subject.to_string(),
                references: Vec::new(),
            }),
            created_at: at,
            updated_at: at,
            version: 0,
        };
        self.store.insert_conversation(&conversation).await?;
        Ok(conversation)
    }

    /// A subject as kept: without `Re:` and Baton's tag, masked, bounded.
    fn subject(&self, subject: &str) -> String {
        // A character no charset could decode is dropped, never shown as mojibake.
        let bare = mail::bare_subject(subject).replace('\u{FFFD}', "");
        self.mask(&bare).chars().take(MAX_SUBJECT_CHARS).collect()
    }

    /// A mail nobody answers automatically, opened as a case with the reason `quarantined`.
    async fn quarantine(&self, context: &Context, message: Message) -> Result<Planned<Posted>> {
        let mut conversation = context.conversation.clone();
        let mut turn = BotTurn::human_requested(message.text.clone());
        turn.reasons = vec![Reason::Quarantined];
        let mut commit = Commit::default();
        let (case, alert) = self
            .hand_off(&mut conversation, &[&message], &turn, None, &mut commit)
            .await?;
        conversation.updated_at = now();
        Ok(Planned::unanswered(
            commit,
            Some(conversation),
            message,
            Some(case),
            alert,
        ))
    }

    /// Whether the bot may answer `address` by mail now: fewer than the limit of its automatic
    /// replies to that address in the last hour.
    async fn may_auto_reply(&self, address: &str, settings: &MailSettings) -> Result<bool> {
        let to = now();
        let key = address_key(address);
        let sent = self
            .store
            .events(to - 3_600_000, to + 1)
            .await?
            .iter()
            .filter(|e| {
                e.kind == EventKind::AutoReply
                    && e.data.get(events::CUSTOMER).map(String::as_str) == Some(key.as_str())
            })
            .count();
        Ok(sent < settings.auto_replies_per_hour)
    }

    /// When the bot's turn answered, its answer leaves as a mail: the outgoing mail, its
    /// Message-ID and the automatic-reply event join the commit. Whether it did.
    fn mail_bot_answer(
        &self,
        planned: &mut Planned<Posted>,
        settings: &MailSettings,
    ) -> Result<bool> {
        let Some(reply) = planned.result.reply.as_mut() else {
            return Ok(false);
        };
        if reply.bot.as_ref().map(|t| t.decision) != Some(Decision::Answer) {
            return Ok(false);
        }
        let Some(conversation) = planned.commit.conversation.as_mut() else {
            return Ok(false);
        };
        let body = bot_mail_text(reply, conversation.locale, &settings.site_url);
        let Some(outgoing) = outgoing_mail(conversation, reply, body, true, settings) else {
            return Ok(false);
        };
        if let Some(stored) = planned
            .commit
            .messages
            .iter_mut()
            .find(|m| m.id == reply.id)
        {
            *stored = reply.clone();
        }
        let address = outgoing.to.clone();
        planned
            .commit
            .mail_ids
            .push(MailId::new(&outgoing.mail_id, &conversation.id));
        planned.commit.outgoing = Some(MailWrite::Create(outgoing));
        planned.commit.events.push(Event::new(
            EventKind::AutoReply,
            &conversation.id,
            None,
            None,
            [(events::CUSTOMER, address_key(&address))],
        ));
        Ok(true)
    }

    /// A bounce of a mail Baton sent: that message is marked failed with what the bounce said.
    /// `None` when it names no mail of Baton's (it is then kept like any machine's mail).
    async fn bounce(&self, inbound: &mail::Inbound, own_id: &str) -> Result<Option<Received>> {
        for id in inbound
            .bounced
            .iter()
            .chain(&inbound.replying_to)
            .take(MAX_LOOKUPS)
        {
            let hash = MailId::hash(id);
            let Some(conversation_id) = self.store.mail_thread(&hash).await? else {
                continue;
            };
            let messages = self.store.messages(&conversation_id).await?;
            let Some(mut message) = messages.into_iter().find(|m| {
                m.author != Author::Customer
                    && m.mail.as_ref().and_then(|p| p.id_hash.as_deref()) == Some(hash.as_str())
            }) else {
                continue;
            };
            let why = bounce_reason(&inbound.text);
            if let Some(part) = message.mail.as_mut() {
                part.delivery = Some(Delivery {
                    state: DeliveryState::Failed,
                    error: Some(why),
                });
            }
            let message_id = message.id.clone();
            let commit = Commit {
                replaced: vec![message],
                mail_ids: vec![MailId::new(own_id, &conversation_id)],
                ..Commit::default()
            };
            self.store.commit(&commit).await?;
            return Ok(Some(Received::Bounce {
                conversation_id,
                message_id,
            }));
        }
        Ok(None)
    }

    /// The mail an operator's reply leaves as, on a conversation by mail: added to `commit` with
    /// the conversation (its thread now names the new mail). Without mail set up, the message
    /// says it could not be sent.
    pub(super) fn operator_mail(
        &self,
        conversation: &mut Conversation,
        message: &mut Message,
        commit: &mut Commit,
    ) {
        if conversation.mail.is_none() {
            return;
        }
        let Some(settings) = self.mail_settings() else {
            message.mail = Some(MailPart {
                delivery: Some(Delivery {
                    state: DeliveryState::Failed,
                    error: Some("mail is not set up (BATON_MAIL_FROM)".into()),
                }),
                ..MailPart::default()
            });
            return;
        };
        let body = message.text.clone();
        if let Some(outgoing) = outgoing_mail(conversation, message, body, false, settings) {
            commit
                .mail_ids
                .push(MailId::new(&outgoing.mail_id, &conversation.id));
            commit.outgoing = Some(MailWrite::Create(outgoing));
            conversation.updated_at = now();
            commit.conversation = Some(conversation.clone());
        }
    }

    /// Sends the outgoing mail that is due through `relay`; how many were handed over. A mail
    /// the relay refuses for now is tried again later (backoff up to an hour, twelve tries); one
    /// it refuses for good, or that runs out of tries, is marked failed on its message.
    pub async fn send_due_mail(&self, relay: &dyn Relay) -> Result<usize> {
        let settings = self.mail_or_refuse()?;
        let mut sent = 0;
        for due in self.store.due_mail(now(), 20).await? {
            // Taken first (a lease), so two senders never send the same mail.
            let mut taken = due.clone();
            taken.next_at = now() + SEND_LEASE_MS;
            let lease = Commit {
                outgoing: Some(MailWrite::Update(taken.clone())),
                ..Commit::default()
            };
            match self.store.commit(&lease).await {
                Ok(_) => taken.version += 1,
                Err(Error::Stale) => continue,
                Err(error) => return Err(error),
            }
            let reply_to = settings
                .key
                .reply_address(&settings.sender.address, &taken.conversation_id);
            let outcome = match mail::compose(&taken, &settings.sender, &reply_to) {
                Ok(raw) => relay.send(&settings.sender.address, &taken.to, &raw).await,
                Err(error) => Err(Refused::Permanent(error.to_string())),
            };
            let mut next = taken.clone();
            next.attempts += 1;
            let mut provider_id = None;
            match outcome {
                Ok(id) => {
                    next.state = DeliveryState::Sent;
                    next.error = None;
                    provider_id = id;
                    sent += 1;
                }
                Err(Refused::Transient(error)) if next.attempts < SEND_TRIES => {
                    next.next_at = now() + backoff(next.attempts);
                    next.error = Some(error);
                }
                Err(Refused::Transient(error) | Refused::Permanent(error)) => {
                    next.state = DeliveryState::Failed;
                    next.error = Some(error);
                }
            }
            let mut commit = Commit {
                outgoing: Some(MailWrite::Update(next.clone())),
                ..Commit::default()
            };
            if let Some(id) = &provider_id {
                commit.mail_ids.push(MailId::new(id, &next.conversation_id));
            }
            if let Some(mut message) = self
                .store
                .messages(&next.conversation_id)
                .await?
                .into_iter()
                .find(|m| m.id == next.message_id)
                && let Some(part) = message.mail.as_mut()
            {
                part.delivery = Some(Delivery {
                    state: next.state,
                    error: next.error.clone(),
                });
                commit.replaced.push(message);
            }
            match self.store.commit(&commit).await {
                Ok(_) | Err(Error::Stale) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(sent)
    }
}

/// The SMTP listener hands its mail here: stored is `250`, never storable `550`, anything else
/// `451` (the sending MTA keeps the mail and tries again).
#[async_trait::async_trait]
impl mail::smtp::Deliver for Desk {
    async fn deliver(
        &self,
        raw: Vec<u8>,
        recipients: Vec<String>,
    ) -> std::result::Result<(), mail::smtp::NotTaken> {
        let incoming = Incoming {
            raw,
            recipients,
            verdict: None,
            raw_key: None,
        };
        match self.receive_mail(&incoming).await {
            Ok(received) => {
                tracing::info!(?received, "mail taken");
                Ok(())
            }
            Err(Error::Invalid(why)) => Err(mail::smtp::NotTaken::Refused(why)),
            Err(error) => {
                tracing::warn!(%error, "mail not stored now");
                Err(mail::smtp::NotTaken::Later(
                    "the desk cannot store mail now; try again later".into(),
                ))
            }
        }
    }
}

/// A machine's mail stored in its thread and nothing else.
fn quietly(context: &Context, message: Message) -> Planned<Posted> {
    let mut conversation = context.conversation.clone();
    conversation.updated_at = now();
    Planned::unanswered(Commit::default(), Some(conversation), message, None, None)
}

/// The outgoing mail of `message` in `conversation`'s thread (`None` if it has none): its
/// Message-ID is remembered in the thread and its delivery starts pending on the message.
fn outgoing_mail(
    conversation: &mut Conversation,
    message: &mut Message,
    text: String,
    automatic: bool,
    settings: &MailSettings,
) -> Option<OutgoingMail> {
    let conversation_id = conversation.id.clone();
    let to_name = conversation.customer.name.clone();
    let thread = conversation.mail.as_mut()?;
    let domain = settings
        .sender
        .address
        .rsplit_once('@')
        .map_or("baton.invalid", |(_, d)| d);
    let mail_id = format!("{}@{domain}", new_id("m").to_ascii_lowercase());
    let topic = if thread.subject.is_empty() {
        "문의 (inquiry)".to_string()
    } else {
        thread.subject.clone()
    };
    let subject = format!("Re: {topic} [#{}]", settings.key.token(&conversation_id));
    let at = now();
    let outgoing = OutgoingMail {
        id: new_id("out"),
        conversation_id,
        message_id: message.id.clone(),
        to: thread.address.clone(),
        to_name,
        subject: subject.clone(),
        text,
        in_reply_to: thread.references.last().cloned(),
        references: thread.references.clone(),
        automatic,
        mail_id: mail_id.clone(),
        state: DeliveryState::Pending,
        attempts: 0,
        next_at: at,
        error: None,
        created_at: at,
        version: 0,
    };
    thread.remember(&mail_id);
    message.mail = Some(MailPart {
        subject,
        delivery: Some(Delivery {
            state: DeliveryState::Pending,
            error: None,
        }),
        id_hash: Some(MailId::hash(&mail_id)),
        ..MailPart::default()
    });
    Some(outgoing)
}

/// The bot's answer as a mail: its text, the guides' addresses, and how to reach a person.
fn bot_mail_text(reply: &Message, locale: Lang, site_url: &str) -> String {
    let mut body = reply.text.trim().to_string();
    if !reply.links.is_empty() {
        body.push_str("\n\n");
        for link in &reply.links {
            let anchor = if link.anchor.is_empty() {
                String::new()
            } else {
                format!("#{}", link.anchor.replace(char::is_whitespace, "-"))
            };
            body.push_str(&format!(
                "- {}: {}/{}.html{anchor}\n",
                link.title,
                site_url.trim_end_matches('/'),
                link.guide
            ));
        }
    }
    body.push_str(match locale {
        Lang::Ko => {
            "\n\n--\n이 답변은 도움말을 바탕으로 자동으로 보내 드렸어요. 상담원과 이야기하시려면 이 메일에 \"상담원\"이라고 답장해 주세요."
        }
        _ => {
            "\n\n--\nThis answer was sent automatically from our guides. To reach a person, reply to this mail with \"agent\"."
        }
    });
    body
}

/// What a bounce says went wrong: its first lines that read like a reason, shortened.
fn bounce_reason(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| {
            let lower = l.to_ascii_lowercase();
            [
                "550",
                "551",
                "552",
                "553",
                "554",
                "5.",
                "4.",
                "unknown",
                "not exist",
                "rejected",
                "failed",
                "undeliver",
                "없는",
                "실패",
            ]
            .iter()
            .any(|w| lower.contains(w))
        })
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("the mail bounced");
    format!("bounced: {}", line.chars().take(200).collect::<String>())
}

/// What events keep of an address: a hash, as for customers.
fn address_key(address: &str) -> String {
    let hash = blake3::derive_key("baton events mail address v1", address.as_bytes());
    hash[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The wait before try `attempts + 1`: a minute, doubling, at most an hour.
fn backoff(attempts: u32) -> i64 {
    60_000 * (1i64 << attempts.saturating_sub(1).min(6)).min(60)
}

/// `text` cut to at most `bytes` (at a character boundary), and whether it was cut.
fn cut_at(text: &str, bytes: usize) -> (String, bool) {
    if text.len() <= bytes {
        return (text.to_string(), false);
    }
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text[..end].to_string(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(|a| backoff(a) / 60_000).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn text_is_cut_at_a_character_boundary() {
        assert_eq!(cut_at("가나다", 4), ("가".to_string(), true));
        assert_eq!(cut_at("abc", 10), ("abc".to_string(), false));
    }

    #[test]
    fn a_bounce_says_why() {
        let why =
            bounce_reason("This is the mail system.\n\n<x@example.com>: 550 5.1.1 User unknown");
        assert!(why.contains("550 5.1.1 User unknown"), "{why}");
        assert_eq!(bounce_reason(""), "bounced: the mail bounced");
    }
}
