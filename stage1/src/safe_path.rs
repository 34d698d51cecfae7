//! Opening mount targets inside an app's root without following anything the image put there.
//!
//! The app root is image content: `/proc` or `/etc/hosts` may be symlinks pointing anywhere, and a
//! mount onto a path string would follow them. Every target is therefore opened component by component
//! below the root fd with the shared walker (`liftoff_common::walk::open_beneath`: openat2 with
//! `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS`, or its component walk on kernels
//! without openat2), created if missing, and mounted through its `/proc/self/fd/N` handle (as runc
//! does), so a symlinked mount point is an error naming the path rather than a mount somewhere else.

use liftoff_common::walk::open_beneath as openat_beneath;
use rustix::fs::{self, Mode, OFlags};
use rustix::io::Errno;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("{path}: {what}")]
pub struct SafePathError {
    pub path: PathBuf,
    pub what: String,
}

fn err(path: &Path, what: impl Into<String>) -> SafePathError {
    SafePathError {
        path: path.to_path_buf(),
        what: what.into(),
    }
}

/// What to create when the last component is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
}

/// Who gets what [`open_beneath`] creates: None for the creator (host root), or a remapped pod's
/// root (host uid, gid), so that mount points liftoff makes in an app's root are the pod's own.
pub type Owner = Option<(u32, u32)>;

/// Opens (creating if missing) `rel` below `root` as an O_PATH fd; intermediate dirs are created,
/// and given to `owner`. `rel` is relative to the root (a leading `/` is ignored). A symlink
/// anywhere on the way is an error.
pub fn open_beneath(
    root: impl AsFd,
    rel: &Path,
    kind: Kind,
    owner: Owner,
) -> Result<OwnedFd, SafePathError> {
    let comps: Vec<&std::ffi::OsStr> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(Ok(s)),
            Component::RootDir | Component::CurDir => None,
            _ => Some(Err(())),
        })
        .collect::<Result<_, _>>()
        .map_err(|_| err(rel, "mount target must not contain '..'"))?;
    let mut cur: OwnedFd = openat_beneath(
        root.as_fd(),
        ".",
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| err(rel, format!("open root: {e}")))?;
    for (i, c) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        let want_dir = !last || kind == Kind::Dir;
        let flags = if want_dir {
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC
        } else {
            OFlags::PATH | OFlags::CLOEXEC
        };
        match openat_beneath(&cur, *c, flags, Mode::empty()) {
            Ok(fd) => {
                if !want_dir {
                    let st = fs::fstat(&fd).map_err(|e| err(rel, format!("stat: {e}")))?;
                    if fs::FileType::from_raw_mode(st.st_mode) == fs::FileType::Directory {
                        return Err(err(rel, "is a directory in the image, expected a file"));
                    }
                }
                cur = fd;
            }
            Err(Errno::NOENT) => {
                if want_dir {
                    match fs::mkdirat(&cur, *c, Mode::from_raw_mode(0o755)) {
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(err(rel, format!("create directory: {e}"))),
                    }
                } else {
                    let f = openat_beneath(
                        &cur,
                        *c,
                        OFlags::CREATE | OFlags::WRONLY | OFlags::CLOEXEC | OFlags::EXCL,
                        Mode::from_raw_mode(0o644),
                    );
                    match f {
                        Ok(_) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(err(rel, format!("create file: {e}"))),
                    }
                }
                if let Some((uid, gid)) = owner {
                    // Just made below our fd, before the app runs: nothing can swap it meanwhile.
                    fs::chownat(
                        &cur,
                        *c,
                        Some(fs::Uid::from_raw(uid)),
                        Some(fs::Gid::from_raw(gid)),
                        fs::AtFlags::SYMLINK_NOFOLLOW,
                    )
                    .map_err(|e| err(rel, format!("give it to the pod's root: {e}")))?;
                }
                cur = openat_beneath(&cur, *c, flags, Mode::empty())
                    .map_err(|e| err(rel, format!("open after create: {e}")))?;
            }
            Err(Errno::LOOP) | Err(Errno::XDEV) => {
                return Err(err(
                    rel,
                    "is a symlink in the image; liftoff does not mount over symlinks",
                ))
            }
            Err(Errno::NOTDIR) => {
                return Err(err(rel, "a component is not a directory in the image"))
            }
            Err(e) => return Err(err(rel, format!("open: {e}"))),
        }
    }
    Ok(cur)
}

/// The `/proc/self/fd/N` path of an fd, for mount(2) targets and sources.
pub fn fd_path(fd: &impl AsFd) -> PathBuf {
    use std::os::fd::AsRawFd;
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_fd().as_raw_fd()))
}

/// Whether `rel` exists below `root` (without following symlinks); used for masked paths, which are
/// only masked when the kernel provides them.
pub fn exists_beneath(root: impl AsFd, rel: &Path) -> Option<fs::FileType> {
    let rel = rel.strip_prefix("/").unwrap_or(rel);
    let fd = openat_beneath(
        root.as_fd(),
        rel,
        OFlags::PATH | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::empty(),
    )
    .ok()?;
    let st = fs::fstat(&fd).ok()?;
    Some(fs::FileType::from_raw_mode(st.st_mode))
}

/// Opens an existing `rel` below `root` (O_PATH, no symlinks, nothing created).
pub fn open_existing(root: impl AsFd, rel: &Path) -> Result<OwnedFd, SafePathError> {
    let r = rel.strip_prefix("/").unwrap_or(rel);
    openat_beneath(
        root.as_fd(),
        r,
        OFlags::PATH | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::empty(),
    )
    .map_err(|e| err(rel, format!("open: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> PathBuf {
        let p = std::env::temp_dir().join(format!(
            "liftoff-safe-path-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    #[test]
    fn creates_dirs_and_files() {
        let t = tmp();
        let root = std::fs::File::open(&t).unwrap();
        open_beneath(&root, Path::new("/dev/pts"), Kind::Dir, None).unwrap();
        open_beneath(&root, Path::new("etc/hosts"), Kind::File, None).unwrap();
        assert!(t.join("dev/pts").is_dir());
        assert!(t.join("etc/hosts").is_file());
        std::fs::remove_dir_all(&t).unwrap();
    }

    #[test]
    fn symlinks_are_refused() {
        let t = tmp();
        std::os::unix::fs::symlink("/etc", t.join("proc")).unwrap();
        std::fs::create_dir(t.join("etc")).unwrap();
        std::os::unix::fs::symlink("../../../../etc/passwd", t.join("etc/hosts")).unwrap();
        let root = std::fs::File::open(&t).unwrap();
        let e = open_beneath(&root, Path::new("proc"), Kind::Dir, None).unwrap_err();
        assert!(e.to_string().contains("symlink"), "{e}");
        let e = open_beneath(&root, Path::new("etc/hosts"), Kind::File, None).unwrap_err();
        assert!(e.to_string().contains("symlink"), "{e}");
        assert!(open_beneath(&root, Path::new("../x"), Kind::Dir, None).is_err());
        std::fs::remove_dir_all(&t).unwrap();
    }
}
