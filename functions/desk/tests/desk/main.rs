//! The desk crate's integration tests, one binary (each test binary links the whole desk and the
//! AWS SDK, so one link instead of six): the desk's flows over SQLite (`flows`), failing stores
//! (`faults`), the intents' quality on their labelled splits (`intents`), the store conformance
//! suite on SQLite and on DynamoDB Local (`store_sqlite`, `store_dynamo`), and the grouping of
//! unanswered questions (`topics`).

mod faults;
mod flows;
mod intents;
mod search_log;
mod store_dynamo;
mod store_sqlite;
mod topics;
