//! The `search` Lambda function: the help center's search (GET /api/search): reads the index, and records each search as an event (it may write nothing else).
//!
//! Builds its context once per cold start (`desk::app::lambda`: the same startup as `baton serve`), then hands the same router that
//! `baton serve` mounts to the Lambda runtime.

/// mimalloc, as `baton serve` uses: a search allocates many small strings and vectors (see
/// `functions/baton/src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    desk::app::lambda::http(desk::http::search::routes()).await
}
