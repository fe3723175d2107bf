//! A mail out: the outgoing mail of the bot's answer or an operator's reply, stored in the same
//! commit as its message, and the sender that works through what is due (a lease, the relay, the
//! delivery recorded on the message, backoff while the relay refuses for now).

use kb::Lang;

use super::{MailSettings, address_key};
use crate::desk::{Desk, Planned, Posted};
use crate::error::{Error, Result};
use crate::events;
use crate::mail::{self, Refused, Relay};
use crate::model::{
    Conversation, Decision, Delivery, DeliveryState, Event, EventKind, MailId, MailPart,
    MailPurpose, Message, OutgoingMail, new_id, now,
};
use crate::store::{Commit, MailWrite};

/// Tries of an outgoing mail before it is given up (about six hours with the backoff).
const SEND_TRIES: u32 = 12;
/// How long a sender holds a mail it is sending before another may try it.
const SEND_LEASE_MS: i64 = 5 * 60_000;

impl Desk {
    /// When the bot's turn answered, its answer leaves as a mail: the outgoing mail, its
    /// Message-ID and the automatic-reply event join the commit. Whether it answered.
    ///
    /// A first mail the bot hands to people is acknowledged when `acknowledge` (a sender within
    /// the automatic-reply limit): the customer learns it reached people (and that the whole team
    /// was alerted, when urgent), and the bot's message in the transcript is that mail.
    pub(super) fn mail_bot_answer(
        &self,
        planned: &mut Planned<Posted>,
        settings: &MailSettings,
        acknowledge: bool,
    ) -> Result<bool> {
        let Some(reply) = planned.result.reply.as_mut() else {
            return Ok(false);
        };
        let decision = reply.bot.as_ref().map(|t| t.decision);
        let Some(conversation) = planned.commit.conversation.as_mut() else {
            return Ok(false);
        };
        let body = match decision {
            Some(Decision::Answer) => bot_mail_text(reply, conversation.locale, &settings.site_url),
            Some(Decision::Handoff) if acknowledge => {
                let urgent = planned
                    .result
                    .case
                    .as_ref()
                    .is_some_and(|c| c.priority == crate::model::Priority::Urgent);
                let part = planned.result.message.mail.as_ref();
                let refused: Vec<String> = part
                    .iter()
                    .flat_map(|m| &m.not_kept)
                    .filter(|n| n.why == crate::model::NotKeptWhy::NotAnImage)
                    .map(|n| file_name(&n.name))
                    .collect();
                // The names go back only to a proved sender: to a forged address, a file name
                // is the attacker's text in a mail from the support address. Others get a count.
                let proved = part.is_some_and(|p| p.verdict == Some(crate::model::Verdict::Proved));
                reply.text = acknowledgement(conversation.locale, urgent, &refused, proved);
                reply.links.clear();
                reply.quick_replies.clear();
                reply.text.clone()
            }
            _ => return Ok(false),
        };
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
        // An acknowledgement is not an answer: the mail still waits for people.
        Ok(decision == Some(Decision::Answer))
    }

    /// The mail an operator's reply leaves as, on a conversation by mail: added to `commit` with
    /// the conversation (its thread now names the new mail). Without mail set up, the message
    /// says it could not be sent.
    pub(in crate::desk) fn operator_mail(
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
        let mut body = message.text.clone();
        if conversation.channel == crate::model::BOARD_CHANNEL {
            body.push_str(&board_footer(conversation.locale, &settings.site_url));
        }
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
            // A sign-in link has no thread: a reply to it reaches the support address itself.
            let reply_to = match taken.purpose {
                MailPurpose::Message => settings
                    .key
                    .reply_address(&settings.sender.address, &taken.conversation_id),
                MailPurpose::SignIn => settings.sender.address.clone(),
            };
            let outcome = match mail::compose(&taken, &settings.sender, &reply_to) {
                Ok(raw) => relay.send(&settings.sender.address, &taken.to, &raw).await,
                Err(error) => Err(Refused::Permanent(error.to_string())),
            };
            let mut next = taken.clone();
            next.attempts += 1;
            // A sign-in link is worth sending only while it opens something; once it leaves (or
            // fails), its text, which holds the link, is not kept.
            if taken.purpose == MailPurpose::SignIn {
                next.text = "(a sign-in link: not kept)".into();
            }
            let mut provider_id = None;
            match outcome {
                Ok(id) => {
                    next.state = DeliveryState::Sent;
                    next.error = None;
                    provider_id = id;
                    sent += 1;
                }
                Err(Refused::Transient(error))
                    if next.attempts < SEND_TRIES && !expired_link(&taken) =>
                {
                    next.text = taken.text.clone();
                    next.next_at = now() + backoff(next.attempts);
                    next.error = Some(self.mask(&error));
                }
                Err(Refused::Transient(error) | Refused::Permanent(error)) => {
                    next.state = DeliveryState::Failed;
                    next.error = Some(self.mask(&error));
                }
            }
            // The outcome first, in a commit of its own: once the relay took a mail, nothing
            // after (a read, the message's update) can leave it pending to be sent again.
            let outcome = Commit {
                outgoing: Some(MailWrite::Update(next.clone())),
                ..Commit::default()
            };
            match self.store.commit(&outcome).await {
                Ok(_) => {}
                // Another sender took it after the lease ran out: its outcome stands.
                Err(Error::Stale) => continue,
                Err(error) => return Err(error),
            }
            if taken.purpose == MailPurpose::SignIn {
                continue;
            }
            // Then, best effort, what operators see: the delivery on the message, and the
            // relay's own Message-ID (SES's), which the customer's client will answer to.
            if let Err(error) = self.record_delivery(&next, provider_id.as_deref()).await {
                tracing::warn!(%error, mail = %next.id, "delivery not recorded on its message");
            }
        }
        Ok(sent)
    }
}

impl Desk {
    /// The delivery of `mail` on its message, and the relay's Message-ID as one of the thread's.
    async fn record_delivery(&self, mail: &OutgoingMail, provider_id: Option<&str>) -> Result<()> {
        let mut commit = Commit::default();
        if let Some(id) = provider_id {
            commit.mail_ids.push(MailId::new(id, &mail.conversation_id));
        }
        if let Some(mut message) = self
            .store
            .messages(&mail.conversation_id)
            .await?
            .into_iter()
            .find(|m| m.id == mail.message_id)
            && let Some(part) = message.mail.as_mut()
        {
            part.delivery = Some(Delivery {
                state: mail.state,
                error: mail.error.clone(),
            });
            // A bounce names the id the recipient saw: the relay's, when it gave its own.
            if let Some(id) = provider_id {
                part.id_hash = Some(MailId::hash(id));
            }
            commit.replaced.push(message);
        }
        self.store.commit(&commit).await.map(|_| ())
    }
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
        in_reply_to: thread
            .replying_to
            .clone()
            .or_else(|| thread.references.last().cloned()),
        references: thread.references.clone(),
        automatic,
        purpose: MailPurpose::Message,
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

/// The mail that tells a customer their mail reached people, and which of their files were not
/// taken (only images are).
fn acknowledgement(locale: Lang, urgent: bool, refused: &[String], named: bool) -> String {
    let (received, files, footer) = match (locale, urgent) {
        (Lang::Ko, true) => (
            "문의를 긴급 건으로 접수했어요. 팀 전체에 바로 알렸고, 담당자가 확인하는 대로 이 메일로 답장드릴게요. 더 알려 주실 내용은 이 메일에 답장으로 보내 주세요.",
            "보내 주신 파일 중 이미지가 아닌 파일은 보안을 위해 받지 않았어요: ",
            "자동으로 보내 드린 접수 안내예요.",
        ),
        (Lang::Ko, false) => (
            "문의를 잘 받았어요. 담당자가 확인하고 이 메일로 답장드릴게요. 더 알려 주실 내용은 이 메일에 답장으로 보내 주세요.",
            "보내 주신 파일 중 이미지가 아닌 파일은 보안을 위해 받지 않았어요: ",
            "자동으로 보내 드린 접수 안내예요.",
        ),
        (_, true) => (
            "We received your message as urgent and have alerted the whole team; a person will answer by reply to this mail. Anything to add, just reply.",
            "For your security we only take images, so these files were not received: ",
            "An automatic confirmation.",
        ),
        (_, false) => (
            "We received your message; a person will answer by reply to this mail. Anything to add, just reply.",
            "For your security we only take images, so these files were not received: ",
            "An automatic confirmation.",
        ),
    };
    let mut text = received.to_string();
    if !refused.is_empty() {
        let shown = if named { 5 } else { 0 };
        let names: Vec<&str> = refused.iter().take(shown).map(String::as_str).collect();
        let more = refused.len().saturating_sub(names.len());
        text.push_str("\n\n");
        text.push_str(files);
        text.push_str(&names.join(", "));
        match (names.is_empty(), locale) {
            (true, Lang::Ko) => text.push_str(&format!("{more}개")),
            (true, _) => text.push_str(&format!("{more} file(s)")),
            (false, _) if more > 0 => text.push_str(&format!(" (+{more})")),
            _ => {}
        }
        text.push_str(match locale {
            Lang::Ko => ". 담당자가 필요하면 다른 방법을 안내드릴게요.",
            _ => ". If we need them, a person will tell you another way to send them.",
        });
    }
    format!("{text}\n\n--\n{footer}")
}

/// A file name as a mail may repeat it: one line of printable text, at most 60 characters.
fn file_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    line.chars().take(60).collect()
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

/// A sign-in link mail whose link no longer opens anything: not tried again.
fn expired_link(mail: &OutgoingMail) -> bool {
    mail.purpose == MailPurpose::SignIn && now() - mail.created_at > crate::desk::board::LINK_MS
}

/// What a person's answer to a board inquiry adds: where the inquiry and its history are.
fn board_footer(locale: Lang, site_url: &str) -> String {
    let url = format!(
        "{}/{}/inquiries.html",
        site_url.trim_end_matches('/'),
        locale.code()
    );
    match locale {
        Lang::Ko => format!(
            "\n\n--\n문의 게시판에서도 이 답변과 지난 문의를 볼 수 있어요: {url}\n이 메일에 답장하시면 같은 문의로 이어져요."
        ),
        _ => format!(
            "\n\n--\nThis answer and your earlier inquiries are also on the board: {url}\nReplying to this mail continues the same inquiry."
        ),
    }
}

/// The wait before try `attempts + 1`: a minute, doubling, at most an hour.
fn backoff(attempts: u32) -> i64 {
    60_000 * (1i64 << attempts.saturating_sub(1).min(6)).min(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(|a| backoff(a) / 60_000).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
