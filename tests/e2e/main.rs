//! Baton's end-to-end tests, one binary: `cargo test -p baton-e2e`.

mod guides;
