//! The conversations filed as feature requests in a window, from the events (the same fold the
//! weekly report reads), for the team's list of feature requests to triage.

use super::DAY;
use super::threads::{Thread, Threads};
use crate::error::Result;
use crate::model::{Category, Millis};
use crate::store::Store;

/// The conversations opened in `[from, to)` whose category is a feature request, oldest first.
pub async fn asked(store: &dyn Store, from: Millis, to: Millis) -> Result<Vec<Thread>> {
    let mut threads = Threads::default();
    let mut at = from;
    while at < to {
        let end = (at + DAY).min(to);
        for event in store.events(at, end).await? {
            threads.add(&event);
        }
        at = end;
    }
    let mut asked: Vec<Thread> = threads
        .opened()
        .into_iter()
        .filter(|t| t.category == Some(Category::FeatureRequest) && t.opened.is_some())
        .collect();
    asked.sort_by_key(|t| t.opened);
    Ok(asked)
}
