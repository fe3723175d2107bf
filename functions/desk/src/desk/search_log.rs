//! Help-center searches written by group commit under `baton serve`: each search still waits
//! until its event is stored, but the searches that arrive while one transaction is being written
//! are written together in the next (up to [`MAX_BATCH`]), so a busy help center costs the store
//! one transaction per batch instead of one per search. Under load that was most of a search's
//! time on the store and the WAL checkpoints behind it (`scripts/load`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::model::Event;
use crate::store::{Commit, Store};

/// Most events one transaction writes (DynamoDB's transaction limit, so any store takes it).
const MAX_BATCH: usize = 100;
/// Searches waiting for their transaction before a search writes its own.
const QUEUE: usize = 1024;

/// An event to store and who waits for it (told the store's error as text: every waiter of a
/// failed batch gets it).
type Pending = (Event, oneshot::Sender<std::result::Result<(), String>>);

/// The handle searches write through; cheap to clone.
#[derive(Debug, Clone)]
pub struct SearchLog {
    pending: mpsc::Sender<Pending>,
    /// Set once the writer runs: until then (a CLI command never spawns it) searches write alone.
    running: Arc<AtomicBool>,
}

impl SearchLog {
    /// The log and the task that writes what it is handed (events wait in the queue until the
    /// caller spawns it).
    pub fn new(
        store: Arc<dyn Store>,
    ) -> (
        SearchLog,
        impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let (pending, mut inbox) = mpsc::channel::<Pending>(QUEUE);
        let running = Arc::new(AtomicBool::new(false));
        let started = Arc::clone(&running);
        let task = async move {
            started.store(true, Ordering::Release);
            let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
            while let Some(first) = inbox.recv().await {
                batch.push(first);
                while batch.len() < MAX_BATCH {
                    match inbox.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (events, waiting): (Vec<Event>, Vec<_>) = batch.drain(..).unzip();
                let commit = Commit {
                    events,
                    ..Commit::default()
                };
                let result = store
                    .commit(&commit)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string());
                for waiter in waiting {
                    let _ = waiter.send(result.clone());
                }
            }
        };
        (SearchLog { pending, running }, task)
    }

    /// Stores `event` with the searches around it. `Err(event)` back, unwritten, when the writer
    /// is behind or not running: the caller writes it alone.
    pub async fn write(&self, event: Event) -> std::result::Result<Result<()>, Event> {
        if !self.running.load(Ordering::Acquire) {
            return Err(event);
        }
        let (done, wait) = oneshot::channel();
        if let Err(error) = self.pending.try_send((event, done)) {
            let (event, _) = match error {
                mpsc::error::TrySendError::Full(p) | mpsc::error::TrySendError::Closed(p) => p,
            };
            return Err(event);
        }
        Ok(match wait.await {
            Ok(result) => result.map_err(Error::Unavailable),
            Err(_) => Err(Error::Unavailable("the search log stopped".into())),
        })
    }
}
