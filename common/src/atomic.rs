//! Replacing a file atomically: a reader sees the old contents or the new, never half of either,
//! and after a crash the file is one of the two.
//!
//! The new bytes go to a temporary file in the destination's own directory (rename(2) is only atomic
//! within one filesystem), are fsynced, renamed over the destination, and then the directory is
//! fsynced so the rename itself survives a power cut.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A failed step of an atomic write: the file it concerned and what was being done.
#[derive(Debug, thiserror::Error)]
#[error("{}: {op}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub op: &'static str,
    #[source]
    pub source: io::Error,
}

fn step(path: &Path, op: &'static str) -> impl FnOnce(io::Error) -> WriteError {
    let path = path.to_path_buf();
    move |source| WriteError { path, op, source }
}

/// Distinguishes temp files of concurrent writers in one process (the pid does across processes).
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The temp name next to `dest`: hidden, and unique to this process and call, so concurrent writers
/// never share one (the last rename wins, as with any replace).
fn temp_path(dest: &Path) -> PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = format!(
        ".{}.tmp-{}-{n}",
        name.as_deref().unwrap_or("file"),
        std::process::id()
    );
    dest.with_file_name(tmp)
}

/// Whether a file name is one of this module's temp files (what a writer killed between create and
/// rename leaves next to its destination), for the cleanups that hold the lock those writers take.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Writes `bytes` to `dest` atomically with mode 0644 (before the umask).
pub fn write(dest: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_mode(dest, bytes, 0o644)
}

/// Writes `bytes` to `dest` atomically, creating it with `mode` (before the umask).
pub fn write_mode(dest: &Path, bytes: &[u8], mode: u32) -> Result<(), WriteError> {
    write_with(dest, bytes, mode, true)
}

/// Replaces `dest` atomically without the fsyncs: for pod-dir files whose meaning ends with the
/// boot (exit records, /etc files), where durability across a power cut buys nothing and the
/// fsyncs would sit on every pod start. Readers still see old or new, never half.
pub fn replace(dest: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_with(dest, bytes, 0o644, false)
}

/// Creates `dest` with `bytes` and `mode`, atomically and never over an existing file (or a
/// symlink planted at its path): the bytes are written and fsynced under a temp name, then
/// hard-linked to `dest`, which fails if anything is there. A crash leaves `dest` absent or whole,
/// never half-written, which `O_EXCL` on `dest` itself could not promise. For secrets (`mode`
/// 0600) the bytes are never readable by others, not even briefly. An existing `dest` is reported
/// as an `AlreadyExists` error with op "create".
pub fn write_new(dest: &Path, bytes: &[u8], mode: u32) -> Result<(), WriteError> {
    create_new(dest, bytes, mode, true)
}

/// [`write_new`] without the fsyncs: a claim (an address lease, say) that must be whole and never
/// taken twice, but whose meaning ends with the boot, so durability buys nothing on a hot path.
pub fn claim(dest: &Path, bytes: &[u8], mode: u32) -> Result<(), WriteError> {
    create_new(dest, bytes, mode, false)
}

fn create_new(dest: &Path, bytes: &[u8], mode: u32, durable: bool) -> Result<(), WriteError> {
    let tmp = temp_path(dest);
    let result = (|| {
        let mut f = create_temp(&tmp, mode)?;
        f.write_all(bytes).map_err(step(&tmp, "write"))?;
        if durable {
            f.sync_all().map_err(step(&tmp, "fsync"))?;
        }
        drop(f);
        std::fs::hard_link(&tmp, dest).map_err(step(dest, "create"))
    })();
    if result
        .as_ref()
        .is_err_and(|e| e.path != tmp || e.op != "create")
    {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    let _ = std::fs::remove_file(&tmp);
    if durable {
        sync_parent(dest)?;
    }
    Ok(())
}

/// Creates the temp file `tmp` (never an existing one) with `mode`.
fn create_temp(tmp: &Path, mode: u32) -> Result<File, WriteError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(tmp)
        .map_err(step(tmp, "create"))
}

fn write_with(dest: &Path, bytes: &[u8], mode: u32, durable: bool) -> Result<(), WriteError> {
    fill_with(dest, mode, durable, |f, tmp| {
        f.write_all(bytes).map_err(step(tmp, "write"))
    })
}

/// Writes `dest` atomically and durably (mode `mode` before the umask) with whatever `fill` writes
/// into the open temp file: for contents too large to hold in memory (a layer blob streamed from
/// another file, a tar built on the fly). `fill` also gets the temp file's path, for its messages.
/// When `fill` fails (its error may be the caller's own, e.g. a digest that does not match what
/// was copied), the temp file is removed and `dest` is untouched.
pub fn write_from<E: From<WriteError>>(
    dest: &Path,
    mode: u32,
    fill: impl FnOnce(&mut File, &Path) -> Result<(), E>,
) -> Result<(), E> {
    fill_with(dest, mode, true, fill)
}

fn fill_with<E: From<WriteError>>(
    dest: &Path,
    mode: u32,
    durable: bool,
    fill: impl FnOnce(&mut File, &Path) -> Result<(), E>,
) -> Result<(), E> {
    let tmp = temp_path(dest);
    // Only a temp file this call created is removed (a failed create may have met another's).
    let mut f = create_temp(&tmp, mode)?;
    let result = fill_then_rename(&mut f, &tmp, dest, durable, fill);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn fill_then_rename<E: From<WriteError>>(
    f: &mut File,
    tmp: &Path,
    dest: &Path,
    durable: bool,
    fill: impl FnOnce(&mut File, &Path) -> Result<(), E>,
) -> Result<(), E> {
    fill(f, tmp)?;
    if durable {
        f.sync_all().map_err(step(tmp, "fsync"))?;
    }
    std::fs::rename(tmp, dest).map_err(step(dest, "rename"))?;
    if durable {
        sync_parent(dest)?;
    }
    Ok(())
}

/// fsyncs the directory holding `path`, so a rename or create in it is durable.
pub fn sync_parent(path: &Path) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let d = File::open(dir).map_err(step(dir, "open directory"))?;
    d.sync_all().map_err(step(dir, "fsync directory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp_file() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("x.json");
        write(&p, b"one").unwrap();
        write(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        replace(&p, b"three").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        let names: Vec<_> = std::fs::read_dir(t.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        assert!(is_temp_name(
            temp_path(&p).file_name().unwrap().to_str().unwrap()
        ));
        assert!(!is_temp_name("x.json"));
    }

    #[test]
    fn write_new_never_replaces() {
        use std::os::unix::fs::PermissionsExt as _;
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("k.key");
        write_new(&p, b"secret", 0o600).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"secret");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let e = write_new(&p, b"other", 0o600).unwrap_err();
        assert_eq!(e.source.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&p).unwrap(), b"secret");
        // A dangling symlink is not followed.
        let link = t.path().join("link");
        std::os::unix::fs::symlink(t.path().join("target"), &link).unwrap();
        assert!(write_new(&link, b"x", 0o600).is_err());
        assert!(!t.path().join("target").exists());
        // No temp file is left either way.
        let names: Vec<_> = std::fs::read_dir(t.path()).unwrap().collect();
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn a_failed_fill_leaves_neither_temp_file_nor_destination() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("big");
        let e = write_from(&p, 0o644, |f, _| {
            f.write_all(b"half").unwrap();
            Err(WriteError {
                path: p.clone(),
                op: "check",
                source: io::Error::other("digest mismatch"),
            })
        })
        .unwrap_err();
        assert_eq!(e.op, "check");
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
        write_from(&p, 0o644, |f, tmp| {
            f.write_all(b"whole").map_err(step(tmp, "write"))
        })
        .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"whole");
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_write_names_the_file() {
        let e = write(Path::new("/nonexistent-dir-liftoff/x"), b"x").unwrap_err();
        assert_eq!(e.op, "create");
        assert!(e.to_string().contains("/nonexistent-dir-liftoff/"), "{e}");
    }
}
