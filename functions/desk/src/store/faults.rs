//! A store that fails on purpose: it wraps a real store and makes its Nth write fail, either before
//! the write reaches the store (nothing written) or after (written, but the caller is told it
//! failed, as when a response is lost or the process dies right after the commit). The desk's
//! fault tests run a whole conversation once per N on both backends. Built only with the
//! `test-suite` feature.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use super::{Commit, Committed, Store};
use crate::error::{Error, Result};
use crate::model::{
    Access, Case, Conversation, Event, FeatureRequest, MailContact, Message, Millis, Note,
    Organisation, OutgoingMail,
};
use crate::presence::Presence;

/// When the chosen write fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The write is refused; nothing is written.
    Before,
    /// The write happens, then the caller gets an error.
    After,
}

/// A store whose `fail_at`-th write (1-based, counting conversation inserts and commits) fails.
pub struct FaultyStore {
    inner: Arc<dyn Store>,
    fail_at: usize,
    fault: Fault,
    writes: AtomicUsize,
}

impl FaultyStore {
    /// Wraps `inner`; `fail_at` 0 never fails (to count the writes of a run).
    pub fn new(inner: Arc<dyn Store>, fail_at: usize, fault: Fault) -> FaultyStore {
        FaultyStore {
            inner,
            fail_at,
            fault,
            writes: AtomicUsize::new(0),
        }
    }

    /// Writes attempted so far.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    /// Counts a write; `Some(fault)` when this one must fail.
    fn next(&self) -> Option<Fault> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        (n == self.fail_at).then_some(self.fault)
    }
}

fn injected() -> Error {
    Error::Unavailable("injected fault".into())
}

#[async_trait]
impl Store for FaultyStore {
    async fn ping(&self) -> Result<()> {
        self.inner.ping().await
    }

    async fn insert_conversation(&self, conversation: &Conversation) -> Result<()> {
        match self.next() {
            Some(Fault::Before) => Err(injected()),
            Some(Fault::After) => {
                self.inner.insert_conversation(conversation).await?;
                Err(injected())
            }
            None => self.inner.insert_conversation(conversation).await,
        }
    }

    async fn conversation(&self, id: &str) -> Result<Option<Conversation>> {
        self.inner.conversation(id).await
    }

    async fn messages(&self, conversation_id: &str) -> Result<Vec<Message>> {
        self.inner.messages(conversation_id).await
    }

    async fn commit(&self, commit: &Commit) -> Result<Committed> {
        match self.next() {
            Some(Fault::Before) => Err(injected()),
            Some(Fault::After) => {
                self.inner.commit(commit).await?;
                Err(injected())
            }
            None => self.inner.commit(commit).await,
        }
    }

    async fn case(&self, id: &str) -> Result<Option<Case>> {
        self.inner.case(id).await
    }

    async fn queue(&self, limit: usize, after: Option<&str>) -> Result<Vec<Case>> {
        self.inner.queue(limit, after).await
    }

    async fn customer_cases(&self, customer_id: &str, limit: usize) -> Result<Vec<Case>> {
        self.inner.customer_cases(customer_id, limit).await
    }

    async fn notes(&self, case_id: &str) -> Result<Vec<Note>> {
        self.inner.notes(case_id).await
    }

    async fn owner_conversations(&self, owner: &str, limit: usize) -> Result<Vec<Conversation>> {
        self.inner.owner_conversations(owner, limit).await
    }

    async fn access(&self, key: &str) -> Result<Option<Access>> {
        self.inner.access(key).await
    }

    async fn feature_request(&self, id: &str) -> Result<Option<FeatureRequest>> {
        self.inner.feature_request(id).await
    }

    async fn feature_requests(&self, limit: usize) -> Result<Vec<FeatureRequest>> {
        self.inner.feature_requests(limit).await
    }

    async fn organisation(&self, id: &str) -> Result<Option<Organisation>> {
        self.inner.organisation(id).await
    }

    async fn organisations(&self, limit: usize) -> Result<Vec<Organisation>> {
        self.inner.organisations(limit).await
    }

    async fn organisation_conversations(
        &self,
        id: &str,
        limit: usize,
    ) -> Result<Vec<Conversation>> {
        self.inner.organisation_conversations(id, limit).await
    }

    async fn events(&self, from: Millis, to: Millis) -> Result<Vec<Event>> {
        self.inner.events(from, to).await
    }

    async fn mail_thread(&self, hash: &str) -> Result<Option<String>> {
        self.inner.mail_thread(hash).await
    }

    async fn mail_contact(&self, key: &str) -> Result<Option<MailContact>> {
        self.inner.mail_contact(key).await
    }

    async fn outgoing_mail(&self, id: &str) -> Result<Option<OutgoingMail>> {
        self.inner.outgoing_mail(id).await
    }

    async fn due_mail(&self, now: Millis, limit: usize) -> Result<Vec<OutgoingMail>> {
        self.inner.due_mail(now, limit).await
    }

    async fn touch(&self, presence: &Presence) -> Result<()> {
        match self.next() {
            Some(Fault::Before) => Err(injected()),
            Some(Fault::After) => {
                self.inner.touch(presence).await?;
                Err(injected())
            }
            None => self.inner.touch(presence).await,
        }
    }

    async fn presence(&self, conversation_id: &str) -> Result<Vec<Presence>> {
        self.inner.presence(conversation_id).await
    }
}
