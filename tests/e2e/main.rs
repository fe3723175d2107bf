//! Baton's end-to-end tests, one binary: `cargo test -p baton-e2e`: the knowledge base on real
//! docs (`guides`) and the desk over HTTP (`desk_http`).

mod desk_http;
mod guides;
