//! Attachments as files under a directory (`baton serve`, `BATON_ATTACHMENTS`).
//!
//! Kept images are `{conversation}/{attachment}.{ext}`; an upload's bytes wait under
//! `incoming/{conversation}/{attachment}` from the moment it is begun (an empty file holds the
//! place) until it is completed or forgotten. What a client can make the directory hold without
//! finishing anything is bounded: [`MAX_PENDING`] unfinished uploads in all and
//! [`MAX_PENDING_PER_CONVERSATION`] in one conversation, [`MAX_INCOMING_BYTES`] of their bytes,
//! and none older than [`INCOMING_TTL`] (forgotten by `baton serve`'s background task, and
//! before every new upload). The kept images are bounded by `BATON_ATTACHMENTS_MAX_MB`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use super::Blobs;
use crate::error::{Error, Result};

/// Most uploads begun and not yet completed, in all.
pub const MAX_PENDING: usize = 64;
/// Most uploads begun and not yet completed in one conversation.
pub const MAX_PENDING_PER_CONVERSATION: usize = 3;
/// Most bytes of unfinished uploads, in all.
pub const MAX_INCOMING_BYTES: u64 = 64 * 1024 * 1024;
/// How long an upload may wait to be completed.
pub const INCOMING_TTL: Duration = Duration::from_secs(15 * 60);

/// Attachments as files under a directory.
#[derive(Debug, Clone)]
pub struct DirBlobs {
    root: PathBuf,
    /// Most bytes of kept images (`None`: unbounded).
    max_bytes: Option<u64>,
    /// Bytes of kept images, counted at the first write and kept up to date after.
    kept: Arc<AtomicU64>,
    counted: Arc<std::sync::OnceLock<()>>,
}

impl DirBlobs {
    /// A store under `root` (created on first write), without a bound on kept images.
    pub fn new(root: impl Into<PathBuf>) -> DirBlobs {
        DirBlobs {
            root: root.into(),
            max_bytes: None,
            kept: Arc::default(),
            counted: Arc::default(),
        }
    }

    /// This store, keeping at most `max_bytes` of images (past it, new ones are refused as the
    /// store being full, and nothing else changes).
    pub fn with_max_bytes(mut self, max_bytes: Option<u64>) -> DirBlobs {
        self.max_bytes = max_bytes;
        self
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        // Keys are built from checked ids; this refuses anything else all the same.
        let parts = key.split('/').count();
        let safe = (parts == 2 || (parts == 3 && key.starts_with("incoming/")))
            && key
                .split('/')
                .all(|part| !part.is_empty() && !part.starts_with('.'))
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/'));
        if !safe {
            return Err(Error::Invalid("malformed attachment key".into()));
        }
        Ok(self.root.join(key))
    }

    fn incoming(&self) -> PathBuf {
        self.root.join("incoming")
    }
}

/// Runs file work on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Unavailable(format!("attachment task: {e}")))?
}

fn unavailable(path: &Path, error: std::io::Error) -> Error {
    Error::Unavailable(format!("attachments at {}: {error}", path.display()))
}

fn full(what: &str) -> Error {
    Error::Unavailable(format!(
        "the attachment store is full ({what}); try again later"
    ))
}

/// Writes `bytes` beside `path` and renames it there, so a reader never sees half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(path).to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|e| unavailable(&dir, e))?;
    let mut file = tempfile::NamedTempFile::new_in(&dir).map_err(|e| unavailable(&dir, e))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| unavailable(path, e))?;
    file.as_file()
        .sync_all()
        .map_err(|e| unavailable(path, e))?;
    file.persist(path).map_err(|e| unavailable(path, e.error))?;
    Ok(())
}

/// Every unfinished upload: `(conversation, path, bytes, begun)`.
fn pending(incoming: &Path) -> Result<Vec<(String, PathBuf, u64, SystemTime)>> {
    let mut out = Vec::new();
    let conversations = match std::fs::read_dir(incoming) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(unavailable(incoming, e)),
    };
    for conversation in conversations.flatten() {
        let name = conversation.file_name().to_string_lossy().into_owned();
        let Ok(files) = std::fs::read_dir(conversation.path()) else {
            continue;
        };
        for file in files.flatten() {
            let Ok(meta) = file.metadata() else { continue };
            if !meta.is_file() || file.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let begun = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            out.push((name.clone(), file.path(), meta.len(), begun));
        }
    }
    Ok(out)
}

/// The bytes of every kept image under `root` (what `BATON_ATTACHMENTS_MAX_MB` bounds).
fn kept_bytes(root: &Path) -> u64 {
    walk_files(root)
        .filter(|(path, _)| !path.starts_with(root.join("incoming")))
        .map(|(_, len)| len)
        .sum()
}

fn walk_files(root: &Path) -> impl Iterator<Item = (PathBuf, u64)> {
    let mut stack = vec![root.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files.push((entry.path(), meta.len()));
            }
        }
    }
    files.into_iter()
}

fn forget_older(incoming: &Path, age: Duration) -> Result<usize> {
    let now = SystemTime::now();
    let mut forgotten = 0;
    for (_, path, _, begun) in pending(incoming)? {
        if now.duration_since(begun).is_ok_and(|waited| waited > age) {
            match std::fs::remove_file(&path) {
                Ok(()) => forgotten += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(unavailable(&path, e)),
            }
        }
    }
    Ok(forgotten)
}

#[async_trait]
impl Blobs for DirBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.path(key)?;
        let root = self.root.clone();
        let (max, kept, counted) = (
            self.max_bytes,
            Arc::clone(&self.kept),
            Arc::clone(&self.counted),
        );
        blocking(move || {
            if let Some(max) = max {
                counted.get_or_init(|| kept.store(kept_bytes(&root), Ordering::SeqCst));
                let len = bytes.len() as u64;
                if kept.load(Ordering::SeqCst) + len > max {
                    return Err(full("BATON_ATTACHMENTS_MAX_MB"));
                }
                kept.fetch_add(len, Ordering::SeqCst);
            }
            write_whole(&path, &bytes)
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(key)?;
        blocking(move || match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(&path, e)),
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<()> {
        let path = self.path(key)?;
        let kept = Arc::clone(&self.kept);
        let counted = self.max_bytes.is_some() && !key.starts_with("incoming/");
        blocking(move || {
            let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    if counted {
                        let _ = kept.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |k| {
                            Some(k.saturating_sub(len))
                        });
                    }
                    Ok(())
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(unavailable(&path, e)),
            }
        })
        .await
    }

    async fn reserve(&self, key: &str) -> Result<()> {
        let path = self.path(key)?;
        let incoming = self.incoming();
        blocking(move || {
            forget_older(&incoming, INCOMING_TTL)?;
            let pending = pending(&incoming)?;
            let conversation = path
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if pending.iter().filter(|(c, ..)| *c == conversation).count()
                >= MAX_PENDING_PER_CONVERSATION
            {
                return Err(Error::Conflict(format!(
                    "this conversation has {MAX_PENDING_PER_CONVERSATION} uploads waiting; finish one first"
                )));
            }
            if pending.len() >= MAX_PENDING {
                return Err(full("unfinished uploads"));
            }
            write_whole(&path, &[])
        })
        .await
    }

    async fn put_incoming(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.path(key)?;
        let incoming = self.incoming();
        blocking(move || {
            let pending = pending(&incoming)?;
            let Some(held) = pending.iter().find(|(_, p, ..)| *p == path) else {
                return Err(Error::NotFound {
                    what: "upload",
                    id: path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                });
            };
            let others: u64 = pending.iter().map(|(_, _, len, _)| len).sum::<u64>() - held.2;
            if others + bytes.len() as u64 > MAX_INCOMING_BYTES {
                return Err(full("bytes of unfinished uploads"));
            }
            write_whole(&path, &bytes)
        })
        .await
    }

    async fn forget_incoming(&self, age: Duration) -> Result<usize> {
        let incoming = self.incoming();
        blocking(move || forget_older(&incoming, age)).await
    }
}
