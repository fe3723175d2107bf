//! The desk crate's integration tests, one binary (each test binary links the whole desk and the
//! AWS SDK, so one link instead of six): the desk's flows over SQLite (`flows`), failing stores
//! (`faults`), the intents' quality on their labelled splits (`intents`), the store conformance
//! suite on SQLite and on DynamoDB Local (`store_sqlite`, `store_dynamo`), and the grouping of
//! unanswered questions (`topics`).

mod faults;
mod flows;
mod intents;
mod mail;
mod search_log;
mod store_dynamo;
mod store_sqlite;
mod topics;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use kb::KnowledgeBase;

/// Baton's own guides, indexed once for every test of this binary.
fn knowledge_base() -> Arc<KnowledgeBase> {
    static KB: OnceLock<Arc<KnowledgeBase>> = OnceLock::new();
    KB.get_or_init(|| {
        let guides = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/guides");
        Arc::new(KnowledgeBase::from_guides(&guides).expect("index kb/guides"))
    })
    .clone()
}
