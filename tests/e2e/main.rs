//! Baton's end-to-end tests, one binary: `cargo test -p baton-e2e`: the knowledge base on real
//! docs (`guides`), the desk over HTTP on both stores (`desk`), the SAM template against the
//! code it deploys (`infra`), and the static help center (`site`).

mod bot;
mod desk;
mod docs;
mod guides;
mod infra;
mod site;
