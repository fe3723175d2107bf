//! The board's part of the store contract: an owner's conversations are found newest first and
//! follow the conversation's writes; a guest's access is created once and updated by version.

use std::sync::Arc;

use super::{conversation, verified_conversation};
use crate::error::Error;
use crate::model::{Access, AccessKind, BOARD_CHANNEL, Customer, MailThread, Owner, new_id, now};
use crate::store::{AccessWrite, Commit, Committed, Store};

fn guest_inquiry(address: &str) -> crate::model::Conversation {
    let mut c = conversation(&new_id("anon"));
    c.channel = BOARD_CHANNEL.into();
    c.mail = Some(MailThread {
        address: address.into(),
        subject: "정산 문의".into(),
        references: Vec::new(),
        replying_to: None,
    });
    c
}

/// A verified customer's conversations and a guest's board inquiries are found by their owner,
/// newest first and up to the limit; nobody else's are, and an unverified chat belongs to no one.
pub async fn owners_find_their_conversations_newest_first(store: Arc<dyn Store>) {
    let guest = "minji@example.com";
    let first = guest_inquiry(guest);
    store.insert_conversation(&first).await.expect("insert");
    let other = guest_inquiry("jisoo@example.com");
    store.insert_conversation(&other).await.expect("insert");
    let chat = conversation("anon_chat");
    store.insert_conversation(&chat).await.expect("insert");
    let second = guest_inquiry(guest);
    store.insert_conversation(&second).await.expect("insert");
    let verified = verified_conversation("u-77");
    store.insert_conversation(&verified).await.expect("insert");

    let owner = Owner::Address(guest.into()).key();
    let ids = |list: Vec<crate::model::Conversation>| -> Vec<String> {
        list.into_iter().map(|c| c.id).collect()
    };
    let found = ids(store.owner_conversations(&owner, 10).await.expect("read"));
    assert_eq!(found, [second.id.clone(), first.id.clone()]);
    let one = ids(store.owner_conversations(&owner, 1).await.expect("read"));
    assert_eq!(one, std::slice::from_ref(&second.id));
    let customer = Owner::Customer("u-77".into()).key();
    assert_eq!(
        ids(store
            .owner_conversations(&customer, 10)
            .await
            .expect("read")),
        std::slice::from_ref(&verified.id)
    );
    assert!(
        store
            .owner_conversations(&Owner::Customer("anon_chat".into()).key(), 10)
            .await
            .expect("read")
            .is_empty(),
        "an unverified chat belongs to no one"
    );

    // The owner follows the conversation's writes: a customer the team verified later owns it.
    let mut joined = chat.clone();
    joined.customer = Customer {
        id: "u-77".into(),
        verified: true,
        claimed_id: None,
        contact: None,
        name: None,
    };
    let commit = Commit {
        conversation: Some(joined),
        ..Commit::default()
    };
    assert_eq!(
        store.commit(&commit).await.expect("commit"),
        Committed::Done
    );
    assert_eq!(
        ids(store
            .owner_conversations(&customer, 10)
            .await
            .expect("read")),
        [verified.id, chat.id]
    );
}

fn link(address: &str) -> Access {
    let at = now();
    Access {
        key: Access::link_key(address),
        kind: AccessKind::Link,
        owner: Owner::Address(address.into()).key(),
        address: address.into(),
        secret_hash: "token-hash-1".into(),
        expires_at: at + 15 * 60_000,
        used_at: None,
        sent: vec![at],
        created_at: at,
        version: 0,
    }
}

/// A link is created once; using it is a versioned update that opens a session in the same
/// commit, so of two uses at once exactly one opens a session.
pub async fn access_is_created_once_and_used_once(store: Arc<dyn Store>) {
    let address = "minji@example.com";
    let created = link(address);
    let commit = Commit {
        access: vec![AccessWrite::Create(created.clone())],
        ..Commit::default()
    };
    assert_eq!(
        store.commit(&commit).await.expect("commit"),
        Committed::Done
    );
    assert!(matches!(store.commit(&commit).await, Err(Error::Stale)));
    let stored = store
        .access(&Access::link_key("minji@example.com"))
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored, created);

    let session = |n: u32| Access {
        key: Access::session_key(&format!("session-hash-{n}")),
        kind: AccessKind::Session,
        secret_hash: format!("session-hash-{n}"),
        used_at: None,
        sent: Vec::new(),
        ..stored.clone()
    };
    let mut used = stored.clone();
    used.used_at = Some(now());
    let uses: Vec<Commit> = (0..2)
        .map(|n| Commit {
            access: vec![
                AccessWrite::Update(used.clone()),
                AccessWrite::Create(session(n)),
            ],
            ..Commit::default()
        })
        .collect();
    let (a, b) = tokio::join!(store.commit(&uses[0]), store.commit(&uses[1]));
    let wins = [&a, &b].iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{a:?} {b:?}");
    assert!(matches!(if a.is_ok() { b } else { a }, Err(Error::Stale)));
    let mut opened = 0;
    for n in 0..2 {
        let key = Access::session_key(&format!("session-hash-{n}"));
        if store.access(&key).await.expect("read").is_some() {
            opened += 1;
        }
    }
    assert_eq!(opened, 1, "the losing use wrote nothing");
    let after = store
        .access(&Access::link_key(address))
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(after.version, 1);
    assert!(!after.is_live(now()));
    assert_eq!(
        store.access("session:unknown").await.expect("read"),
        None,
        "unknown keys are none"
    );
}

/// A feature request is created once, updated by version (of two updates from one version,
/// one wins), and listed most recently changed first.
pub async fn feature_requests_are_versioned_and_listed_newest_first(store: Arc<dyn Store>) {
    use crate::model::{Ask, FeatureRequest, FeatureStatus};
    use crate::store::FeatureWrite;
    let at = now();
    let request = |id: &str, updated_at: i64| FeatureRequest {
        id: id.into(),
        title: "다크 모드".into(),
        status: FeatureStatus::Reviewing,
        reason: None,
        announcement: Default::default(),
        area: Some("store".into()),
        asks: vec![Ask {
            conversation_id: new_id("cv"),
            customer: "c1".into(),
            channel: "web".into(),
            locale: kb::Lang::Ko,
            words: "다크 모드 있나요".into(),
            asked_at: at,
            told_at: None,
        }],
        by: "minji".into(),
        created_at: at,
        updated_at,
        version: 0,
    };
    let (older, newer) = (request(&new_id("fr"), at - 10), request(&new_id("fr"), at));
    for r in [&older, &newer] {
        let commit = Commit {
            feature: Some(FeatureWrite::Create(r.clone())),
            ..Commit::default()
        };
        assert_eq!(
            store.commit(&commit).await.expect("create"),
            Committed::Done
        );
        assert!(matches!(store.commit(&commit).await, Err(Error::Stale)));
    }
    let listed: Vec<String> = store
        .feature_requests(10)
        .await
        .expect("list")
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(listed, [newer.id.clone(), older.id.clone()]);
    let update = |status| {
        let mut next = older.clone();
        next.status = status;
        next.updated_at = at + 10;
        Commit {
            feature: Some(FeatureWrite::Update(next)),
            ..Commit::default()
        }
    };
    let (shipped, declined) = (
        update(FeatureStatus::Shipped),
        update(FeatureStatus::Declined),
    );
    let (a, b) = tokio::join!(store.commit(&shipped), store.commit(&declined));
    assert_eq!(u8::from(a.is_ok()) + u8::from(b.is_ok()), 1, "{a:?} {b:?}");
    let stored = store
        .feature_request(&older.id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.version, 1);
    assert_eq!(
        store.feature_requests(10).await.expect("list")[0].id,
        older.id,
        "the one changed last comes first"
    );
    assert_eq!(
        store.feature_request("fr_unknown").await.expect("read"),
        None
    );
}
