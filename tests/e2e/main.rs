//! Baton's end-to-end tests, one binary: `cargo test -p baton-e2e`: the knowledge base on real
//! docs (`guides`), the desk over HTTP on both stores (`desk`), and the SAM template against the
//! code it deploys (`infra`).

mod bot;
mod desk;
mod docs;
mod guides;
mod infra;
