//! Baton's end-to-end tests, one binary: `cargo test -p baton-e2e`: the knowledge base on real
//! docs (`guides`), the desk over HTTP on both stores (`desk`), the inquiry board with its mail (`board`), a business customer's space (`organisation`), the SAM template against the
//! code it deploys (`infra`), the static help center (`site`), and attachments in S3 through
//! presigned URLs (`attachments_s3`, on s3rver), mail over real SMTP sessions (`mail`), and every setting shown to change what Baton does
//! (`settings`).

mod attachments_s3;
mod board;
mod bot;
mod desk;
mod docs;
mod features;
mod guides;
mod infra;
mod mail;
mod organisation;
mod settings;
mod site;
