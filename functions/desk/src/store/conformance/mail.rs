//! The mail part of the store contract: Message-IDs lead to their thread and are written once;
//! outgoing mail is versioned and read back when it is due.

use std::sync::Arc;

use super::{conversation, message};
use crate::error::Error;
use crate::model::{DeliveryState, MailContact, MailId, OutgoingMail, new_id, now};
use crate::store::{Commit, Committed, MailWrite, Store};

fn outgoing(conversation_id: &str, next_at: i64) -> OutgoingMail {
    OutgoingMail {
        id: new_id("out"),
        conversation_id: conversation_id.to_string(),
        message_id: new_id("msg"),
        to: "minji@example.com".into(),
        to_name: None,
        subject: "Re: 결제 문의 [#abc]".into(),
        text: "안녕하세요".into(),
        in_reply_to: Some("m1@example.com".into()),
        references: vec!["m1@example.com".into()],
        automatic: false,
        purpose: crate::model::MailPurpose::Message,
        mail_id: format!("{}@baton.example", new_id("m")),
        state: DeliveryState::Pending,
        attempts: 0,
        next_at,
        error: None,
        created_at: now(),
        version: 0,
    }
}

/// A Message-ID leads to the conversation it was written with; writing it again makes the whole
/// commit stale, so a mail delivered twice is stored once.
pub async fn mail_ids_lead_to_their_thread_once(store: Arc<dyn Store>) {
    let c = conversation("mail-customer");
    store.insert_conversation(&c).await.expect("insert");
    let id = MailId::new("<CAB1@mail.gmail.com>", &c.id);
    let first = Commit {
        messages: vec![message(&c, "처음 메일", None)],
        mail_ids: vec![id.clone()],
        ..Commit::default()
    };
    assert_eq!(store.commit(&first).await.expect("commit"), Committed::Done);
    assert_eq!(
        store
            .mail_thread(&MailId::hash("CAB1@MAIL.GMAIL.COM"))
            .await
            .expect("read"),
        Some(c.id.clone())
    );
    let again = Commit {
        messages: vec![message(&c, "같은 메일이 또", None)],
        mail_ids: vec![id],
        ..Commit::default()
    };
    assert!(matches!(store.commit(&again).await, Err(Error::Stale)));
    let texts: Vec<String> = store
        .messages(&c.id)
        .await
        .expect("messages")
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(
        texts,
        ["처음 메일"],
        "nothing of the stale commit was written"
    );
    assert_eq!(
        store
            .mail_thread(&MailId::hash("nobody@x"))
            .await
            .expect("read"),
        None
    );
}

/// An address's mapping is found by its key whatever the address's case, replaced by the next
/// commit that carries it, and a mapping taken back stays on record with who took it back.
pub async fn a_mail_contact_is_replaced_and_taken_back_on_record(store: Arc<dyn Store>) {
    let address = format!("{}@corp.example", new_id("acct")).to_ascii_lowercase();
    let key = MailContact::key(&address.to_ascii_uppercase());
    assert_eq!(store.mail_contact(&key).await.expect("read"), None);
    let mut contact = MailContact {
        address: address.clone(),
        customer_id: Some("cust-corp-1".into()),
        by: "minji".into(),
        at: now(),
    };
    let c = conversation("mapping");
    store.insert_conversation(&c).await.expect("insert");
    let commit = Commit {
        messages: vec![message(&c, "주소를 고객에 연결", None)],
        contact: Some(contact.clone()),
        ..Commit::default()
    };
    assert_eq!(
        store.commit(&commit).await.expect("commit"),
        Committed::Done
    );
    assert_eq!(
        store.mail_contact(&key).await.expect("read"),
        Some(contact.clone())
    );
    contact.customer_id = None;
    contact.by = "jisu".into();
    let taken_back = Commit {
        contact: Some(contact.clone()),
        ..Commit::default()
    };
    assert_eq!(
        store.commit(&taken_back).await.expect("commit"),
        Committed::Done
    );
    assert_eq!(store.mail_contact(&key).await.expect("read"), Some(contact));
}

/// Outgoing mail is created once, updated by version (one of two concurrent updates wins), and
/// due while pending and its time has come, soonest first.
pub async fn outgoing_mail_is_versioned_and_due_in_order(store: Arc<dyn Store>) {
    let t = now();
    let later = outgoing("cv_a", t + 60_000);
    let due = outgoing("cv_b", t - 1_000);
    let earlier = outgoing("cv_c", t - 5_000);
    for mail in [&later, &due, &earlier] {
        let commit = Commit {
            outgoing: Some(MailWrite::Create(mail.clone())),
            ..Commit::default()
        };
        assert_eq!(
            store.commit(&commit).await.expect("create"),
            Committed::Done
        );
    }
    let twice = Commit {
        outgoing: Some(MailWrite::Create(due.clone())),
        ..Commit::default()
    };
    assert!(matches!(store.commit(&twice).await, Err(Error::Stale)));
    let ids = |mails: Vec<OutgoingMail>| mails.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.due_mail(t, 10).await.expect("due")),
        [earlier.id.clone(), due.id.clone()]
    );
    assert_eq!(
        ids(store.due_mail(t, 1).await.expect("due")),
        std::slice::from_ref(&earlier.id)
    );

    // Two senders take the same mail: one update wins.
    let mut sent = earlier.clone();
    sent.state = DeliveryState::Sent;
    sent.attempts = 1;
    let mut retried = earlier.clone();
    retried.attempts = 1;
    retried.next_at = t + 30_000;
    let (first, second) = (
        Commit {
            outgoing: Some(MailWrite::Update(sent)),
            ..Commit::default()
        },
        Commit {
            outgoing: Some(MailWrite::Update(retried)),
            ..Commit::default()
        },
    );
    let (a, b) = tokio::join!(store.commit(&first), store.commit(&second));
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let stored = store
        .outgoing_mail(&earlier.id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.version, 1);
    assert_eq!(stored.attempts, 1);
    // Sent or moved later, it is no longer due now.
    assert_eq!(
        ids(store.due_mail(t, 10).await.expect("due")),
        std::slice::from_ref(&due.id)
    );
    assert_eq!(
        store.outgoing_mail("out_missing").await.expect("read"),
        None
    );
}
