//! Shared helpers of Baton's end-to-end tests: where the repository and the shared corpora are.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A corpus under `../shared/corpora/` beside the repository. Panics with instructions when it is
/// missing: these tests must fail, never skip, where the corpus should be (CI has it).
pub fn shared_corpus(name: &str) -> PathBuf {
    let path = repo_root().join("../shared/corpora").join(name);
    assert!(
        path.is_dir(),
        "{} is missing: the shared corpora must sit beside the repository (../shared/)",
        path.display()
    );
    path
}
