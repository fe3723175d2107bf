//! A mail in: its thread (or a new conversation, and why), its new text and attachments, and
//! what follows it (the bot's turn on a first mail, the case, quarantine, a bounce's mark).

use kb::Lang;

use super::{Incoming, MailSettings, Received, address_key};
use crate::desk::customers::{hash, secret};
use crate::desk::turns::Medium;
use crate::desk::{Context, Desk, MAX_MESSAGE_BYTES, Planned, Posted};
use crate::error::{Error, Result};
use crate::events;
use crate::mail;
use crate::model::{
    Author, Automatic, BotTurn, Conversation, ConversationState, Customer, Delivery, DeliveryState,
    EventKind, MAIL_CHANNEL, MAX_NOT_KEPT_LISTED, MailContact, MailId, MailPart, MailThread,
    Message, NotKept, NotKeptWhy, Reason, Split, SplitWhy, Verdict, new_id, now,
};
use crate::store::{Commit, Committed};

/// Most Message-IDs of a mail's `References` looked up.
const MAX_LOOKUPS: usize = 20;
/// Longest whole text kept beside a message, in bytes.
const MAX_ORIGINAL_BYTES: usize = 64 * 1024;
/// Longest subject kept, in characters.
const MAX_SUBJECT_CHARS: usize = 200;

impl Desk {
    /// Takes a mail: stores it in its conversation (a new one, or the thread it belongs to), and
    /// answers or hands off as the rules above say. A mail delivered twice is stored once.
    pub async fn receive_mail(&self, incoming: &Incoming) -> Result<Received> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.receive_once(incoming).await {
                Err(Error::Stale) if attempts < crate::desk::RETRIES => continue,
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
        let bytes_id = || {
            // The bytes stand for the mail: a second delivery is still the same mail.
            format!(
                "{}@no-message-id.invalid",
                blake3::hash(&incoming.raw).to_hex()
            )
        };
        let mut own_id = inbound.message_id.clone().unwrap_or_else(bytes_id);
        let mut own_hash = MailId::hash(&own_id);
        let body = body_hash(&incoming.raw);
        if let Some(conversation_id) = self.store.mail_thread(&own_hash).await? {
            if self.holds(&conversation_id, &own_hash, &body).await? {
                return Ok(Received::Duplicate { conversation_id });
            }
            // Another mail took this Message-ID first (a reused or planted id, whatever its
            // From says): this one is kept under its bytes, never dropped as a duplicate.
            own_id = bytes_id();
            own_hash = MailId::hash(&own_id);
            if let Some(conversation_id) = self.store.mail_thread(&own_hash).await? {
                return Ok(Received::Duplicate { conversation_id });
            }
        }
        let from_domain = from.address.rsplit_once('@').map_or("", |(_, d)| d);
        // Beside the message (SES), else the trusted MTA's header; with an MTA named but no
        // header of its own on the mail, nothing proved the sender.
        let verdict = incoming.verdict.or_else(|| {
            let server = settings.authserv_id.as_deref()?;
            Some(
                mail::auth::verdict(&inbound.authentication, server, from_domain)
                    .unwrap_or(Verdict::Unverified),
            )
        });
        // Two From headers or addresses: the check may have judged the other one.
        let verdict = match verdict {
            Some(Verdict::Proved) if !inbound.single_from => Some(Verdict::Unverified),
            other => other,
        };
        let bad = verdict.filter(|v| v.is_bad());
        let authenticated = verdict == Some(Verdict::Proved);
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
                    // Nobody speaks in a verified customer's (or an organisation's)
                    // conversation unproved.
                    Some(_)
                        if (named.customer.verified || named.organisation.is_some())
                            && !authenticated =>
                    {
                        (
                            None,
                            Some(Split {
                                from: named.id,
                                why: SplitWhy::Unverified,
                            }),
                        )
                    }
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
            None => {
                self.mail_conversation(&from, &subject, locale, authenticated)
                    .await?
            }
        };
        let mut attachments = Vec::new();
        let mut dropped = inbound.attachments_dropped;
        let mut not_kept: Vec<NotKept> = inbound
            .over_limit
            .iter()
            .map(|a| self.not_kept(a, NotKeptWhy::OverLimit))
            .collect();
        for attachment in &inbound.attachments {
            // The same cleaning and limits as a widget screenshot: images only, metadata removed.
            let why = if !attachment.content_type.starts_with("image/") {
                Some(NotKeptWhy::NotAnImage)
            } else if self.blobs.is_none() {
                Some(NotKeptWhy::NoStore)
            } else {
                match self
                    .keep(&conversation.id, new_id("att"), &attachment.bytes)
                    .await
                {
                    Ok(kept) => {
                        attachments.push(kept);
                        None
                    }
                    Err(Error::Invalid(_)) => Some(NotKeptWhy::Unreadable),
                    Err(error) => return Err(error),
                }
            };
            if let Some(why) = why {
                dropped += 1;
                not_kept.push(self.not_kept(attachment, why));
            }
        }
        not_kept.truncate(MAX_NOT_KEPT_LISTED);
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
                verdict,
                attachments_dropped: dropped,
                not_kept,
                raw: incoming.raw_key.clone(),
                delivery: None,
                id_hash: Some(own_hash.clone()),
                body_hash: Some(body),
                split,
            }),
            member: None,
            created_at: now(),
        };
        if let Some(thread) = conversation.mail.as_mut() {
            thread.remember(&own_id);
            if inbound.automatic.is_none() {
                thread.replying_to = Some(own_id.clone());
            }
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
        // An automatic mail (the bot's sure answer, or word that the mail reached people) may go
        // to this sender now: not to machines, and within the hourly limit.
        let may_answer = !quiet
            && context.conversation.state == ConversationState::Bot
            && self.may_auto_reply(&from.address, settings).await?;
        let mut planned = match (quiet, context.conversation.state) {
            // Spam, a virus, a spoofed sender, or a machine's mail that belongs to no thread:
            // kept for people to look at, never answered.
            (true, _) if is_new => self.quarantine(&context, message).await?,
            // A machine's mail in a thread (an out-of-office reply): kept beside it; the case is
            // neither reopened nor answered.
            (true, _) => quietly(&context, message),
            (false, ConversationState::Bot) => {
                self.bot_turn(&context, message, Medium::Mail { may_answer })
                    .await?
            }
            (false, ConversationState::Human | ConversationState::Resolved) => {
                self.to_people(&context, message).await?
            }
        };
        let answered = self.mail_bot_answer(&mut planned, settings, may_answer && is_new)?;
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
            // Another mail with this Message-ID was stored meanwhile: the next try reads it
            // (the same mail is a duplicate; another one is kept under its bytes).
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

    /// A new conversation for a mail from `from`, the address kept to reply to. Its customer is
    /// an unverified contact (the From address is not proof of anyone), unless the sender is
    /// `authenticated` and the team mapped the address to a verified customer.
    async fn mail_conversation(
        &self,
        from: &mail::Address,
        subject: &str,
        locale: Lang,
        authenticated: bool,
    ) -> Result<Conversation> {
        let at = now();
        let mapped = match authenticated {
            true => self
                .store
                .mail_contact(&MailContact::key(&from.address))
                .await?
                .and_then(|c| c.customer_id),
            false => None,
        };
        // A proved mail from a domain the team verified as an organisation's is that
        // organisation's conversation.
        let organisation = match authenticated {
            true => self.organisation_of_domain(&from.address).await?,
            false => None,
        };
        let conversation = Conversation {
            id: new_id("cv"),
            customer: Customer {
                verified: mapped.is_some(),
                id: mapped.unwrap_or_else(|| new_id("anon")),
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
                replying_to: None,
            }),
            organisation,
            created_at: at,
            updated_at: at,
            version: 0,
        };
        self.store.insert_conversation(&conversation).await?;
        Ok(conversation)
    }

    /// The organisation whose verified mail domains hold `address`'s domain, if any.
    async fn organisation_of_domain(&self, address: &str) -> Result<Option<String>> {
        let Some((_, domain)) = address.rsplit_once('@') else {
            return Ok(None);
        };
        let domain = domain.to_ascii_lowercase();
        Ok(self
            .store
            .organisations(200)
            .await?
            .into_iter()
            .find(|o| o.domains.contains(&domain))
            .map(|o| o.id))
    }

    /// What the operator is told of an attachment not kept: its name masked (a file name can be
    /// a resident number), no mojibake.
    fn not_kept(&self, attachment: &mail::Attachment, why: NotKeptWhy) -> NotKept {
        NotKept {
            name: self.mask(&attachment.name.replace('\u{FFFD}', "")),
            content_type: attachment.content_type.chars().take(100).collect(),
            bytes: attachment.size as u64,
            why,
        }
    }

    /// A subject as kept: without `Re:` and Baton's tag, masked, bounded.
    fn subject(&self, subject: &str) -> String {
        // A character no charset could decode is dropped, never shown as mojibake.
        // Cut first (a subject of a million tags costs nothing), then bared.
        let head: String = subject.chars().take(4 * MAX_SUBJECT_CHARS).collect();
        let bare = mail::bare_subject(&head).replace('\u{FFFD}', "");
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

    /// A bounce of a mail Baton sent: that message is marked failed with what the bounce said.
    /// `None` when it names no mail of Baton's (it is then kept like any machine's mail).
    async fn bounce(&self, inbound: &mail::Inbound, own_id: &str) -> Result<Option<Received>> {
        // Only the ids the report returned: a person's reply from postmaster@ is not a bounce.
        for id in inbound.bounced.iter().take(MAX_LOOKUPS) {
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
            // Masked: a bounce quotes the address it could not reach.
            let why = self.mask(&bounce_reason(&inbound.text));
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
}

impl Desk {
    /// Whether conversation `conversation_id` holds the mail with Message-ID hash `id_hash` and
    /// this body (one stored before bodies were hashed counts as held).
    async fn holds(&self, conversation_id: &str, id_hash: &str, body: &str) -> Result<bool> {
        let messages = self.store.messages(conversation_id).await?;
        Ok(messages.iter().any(|m| {
            m.mail.as_ref().is_some_and(|p| {
                p.id_hash.as_deref() == Some(id_hash)
                    && p.body_hash.as_deref().is_none_or(|h| h == body)
            })
        }))
    }
}

/// A hash of a raw mail's body (after its header block): what a second delivery shares.
fn body_hash(raw: &[u8]) -> String {
    let start = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2))
        .unwrap_or(raw.len());
    blake3::hash(&raw[start..]).to_hex()[..32].to_string()
}

/// A machine's mail stored in its thread and nothing else.
fn quietly(context: &Context, message: Message) -> Planned<Posted> {
    let mut conversation = context.conversation.clone();
    conversation.updated_at = now();
    Planned::unanswered(Commit::default(), Some(conversation), message, None, None)
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

/// `text` cut to at most `bytes` (at a character boundary), and whether it was cut.
fn cut_at(text: &str, bytes: usize) -> (String, bool) {
    let end = text.floor_char_boundary(bytes);
    (text[..end].to_string(), end < text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

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
