//! Business customers in the store contract: an organisation is created once and updated by
//! version; its conversations are found by the organisation they were made with, newest first.

use std::sync::Arc;

use super::{conversation, verified_conversation};
use crate::error::Error;
use crate::model::{Organisation, now};
use crate::store::{Commit, Committed, OrganisationWrite, Store};

/// An organisation is created once, updated by version, listed most recently changed first; its
/// members' conversations are listed newest first, and nobody else's.
pub async fn organisations_and_their_conversations(store: Arc<dyn Store>) {
    let at = now();
    let acme = Organisation {
        id: "acme".into(),
        name: "에이크미".into(),
        plan: Some("enterprise".into()),
        domains: vec!["acme.example".into()],
        operators: vec!["minji".into()],
        invited: vec!["guest@acme.example".into()],
        by: "minji".into(),
        created_at: at,
        updated_at: at,
        version: 0,
    };
    let create = Commit {
        organisation: Some(OrganisationWrite::Create(acme.clone())),
        ..Commit::default()
    };
    assert_eq!(
        store.commit(&create).await.expect("create"),
        Committed::Done
    );
    assert!(matches!(store.commit(&create).await, Err(Error::Stale)));
    let mut renamed = acme.clone();
    renamed.name = "ACME 코리아".into();
    renamed.updated_at = at + 1;
    let update = Commit {
        organisation: Some(OrganisationWrite::Update(renamed.clone())),
        ..Commit::default()
    };
    store.commit(&update).await.expect("update");
    assert!(
        matches!(store.commit(&update).await, Err(Error::Stale)),
        "an update from a stale version"
    );
    let stored = store
        .organisation("acme")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!((stored.name.as_str(), stored.version), ("ACME 코리아", 1));
    assert_eq!(store.organisations(10).await.expect("list").len(), 1);
    assert_eq!(store.organisation("nobody").await.expect("read"), None);

    let mut first = verified_conversation("acme-kim");
    first.organisation = Some("acme".into());
    store.insert_conversation(&first).await.expect("insert");
    store
        .insert_conversation(&conversation("outsider"))
        .await
        .expect("insert");
    let mut second = verified_conversation("acme-lee");
    second.organisation = Some("acme".into());
    store.insert_conversation(&second).await.expect("insert");
    let ids: Vec<String> = store
        .organisation_conversations("acme", 10)
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, [second.id.clone(), first.id.clone()]);
    assert_eq!(
        store
            .organisation_conversations("acme", 1)
            .await
            .expect("list")
            .len(),
        1
    );
    assert!(
        store
            .organisation_conversations("other", 10)
            .await
            .expect("list")
            .is_empty()
    );
}
