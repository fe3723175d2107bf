//! Baton's end-to-end tests, one binary: `cargo test -p baton-e2e`: the knowledge base on real
//! docs (`guides`) and the desk over HTTP on both stores (`desk`).

mod desk;
mod guides;
