//! Paths liftoff trusts: the state root, the admin and vendor trust stores, `policy.toml`, the
//! config file, the network config dir and certs.d. Whoever can change one of them can make liftoff
//! run code as root or trust a key, so each must belong to the people allowed to change it, all the
//! way up, as OpenSSH's StrictModes demands: every directory from `/` down to the path, and the path
//! itself, is owned by root (or by the user running liftoff) and is not group- or world-writable.
//! A parent that is world-writable with the sticky bit (`/tmp`) is accepted, as the kernel keeps
//! others from replacing what we own in it; the path itself never is.
//!
//! The checks are made on handles, not on path strings: the path is resolved once (symlinks an
//! admin set up, such as `/var/run`, are fine), then walked from `/` one component at a time with
//! `O_NOFOLLOW`, each step `fstat`ed. What is checked is what is then used: callers get the handle.

use rustix::fs::{self as rfs, Mode, OFlags};
use rustix::io::Errno;
use std::ffi::OsStr;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OwnedError {
    #[error("refusing to use {what} {path}: {problem} ({shown} is owned by uid {uid}, mode {mode:04o}); {fix}")]
    Unsafe {
        what: &'static str,
        path: PathBuf,
        /// The component at fault (the path itself or one of its parents).
        shown: PathBuf,
        problem: &'static str,
        uid: u32,
        mode: u32,
        fix: String,
    },
    #[error("{what} {path}: {op}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
}

/// What kind of object the path must be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
}

/// Whether `uid` may own something liftoff trusts: root, or the user liftoff runs as.
fn allowed_owner(uid: u32) -> bool {
    uid == 0 || uid == rustix::process::geteuid().as_raw()
}

/// Checks one opened component. `last` is the path itself (no sticky-bit exception).
fn check(
    fd: &OwnedFd,
    what: &'static str,
    path: &Path,
    shown: &Path,
    last: bool,
) -> Result<rfs::Stat, OwnedError> {
    let st = rfs::fstat(fd).map_err(|e| OwnedError::Io {
        what,
        path: path.to_path_buf(),
        op: "fstat",
        source: e.into(),
    })?;
    let mode = st.st_mode & 0o7777;
    let is_dir = rfs::FileType::from_raw_mode(st.st_mode) == rfs::FileType::Directory;
    let unsafe_ = |problem, fix: String| OwnedError::Unsafe {
        what,
        path: path.to_path_buf(),
        shown: shown.to_path_buf(),
        problem,
        uid: st.st_uid,
        mode,
        fix,
    };
    if !allowed_owner(st.st_uid) {
        return Err(unsafe_(
            "another user owns it and could change what liftoff trusts",
            if is_dir {
                format!(
                    "remove it and let liftoff create it, or `chown root: {}`",
                    shown.display()
                )
            } else {
                format!("`chown root: {}`", shown.display())
            },
        ));
    }
    let sticky_parent = !last && is_dir && mode & 0o1000 != 0;
    if mode & 0o022 != 0 && !sticky_parent {
        return Err(unsafe_(
            "it is writable by group or others",
            format!("`chmod go-w {}`", shown.display()),
        ));
    }
    Ok(st)
}

/// The path made absolute with the symlinks of its existing part resolved, and the names below
/// that part that do not exist yet. A symlink on the way is followed only when it, and the
/// directory holding it, belong to root (or the caller) and that directory is not writable by
/// others (sticky excepted): otherwise whoever may change the link could point liftoff anywhere
/// after the check. The resolved path is then walked by handle and checked again (`walk`).
fn resolve(path: &Path, what: &'static str) -> Result<(PathBuf, Vec<PathBuf>), OwnedError> {
    use std::os::unix::fs::MetadataExt;
    let err = |op, source| OwnedError::Io {
        what,
        path: path.to_path_buf(),
        op,
        source,
    };
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| err("find the current directory", e))?
            .join(path)
    };
    let names = |p: &Path| -> Vec<std::ffi::OsString> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .collect()
    };
    let mut pending: std::collections::VecDeque<std::ffi::OsString> = names(&abs).into();
    let mut real = PathBuf::from("/");
    let mut hops = 0;
    while let Some(n) = pending.pop_front() {
        if n == ".." {
            real.pop();
            continue;
        }
        let cand = real.join(&n);
        let md = match std::fs::symlink_metadata(&cand) {
            Ok(md) => md,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut missing = vec![PathBuf::from(&n)];
                missing.extend(pending.into_iter().map(PathBuf::from));
                if missing.iter().any(|m| m.as_os_str() == "..") {
                    return Err(err("resolve ('..' below a path that does not exist)", e));
                }
                return Ok((real, missing));
            }
            Err(e) => return Err(err("resolve", e)),
        };
        if !md.file_type().is_symlink() {
            real.push(&n);
            continue;
        }
        hops += 1;
        if hops > 40 {
            return Err(err(
                "resolve",
                std::io::Error::other("too many levels of symbolic links"),
            ));
        }
        let dir = std::fs::symlink_metadata(&real).map_err(|e| err("resolve", e))?;
        let unsafe_ = |shown: &Path, uid: u32, mode: u32, problem| OwnedError::Unsafe {
            what,
            path: path.to_path_buf(),
            shown: shown.to_path_buf(),
            problem,
            uid,
            mode,
            fix: format!(
                "give the real path instead of one through {}",
                cand.display()
            ),
        };
        if !allowed_owner(md.uid()) {
            return Err(unsafe_(
                &cand,
                md.uid(),
                md.mode() & 0o7777,
                "the symbolic link on the way belongs to another user",
            ));
        }
        let dmode = dir.mode() & 0o7777;
        if !allowed_owner(dir.uid()) || (dmode & 0o022 != 0 && dmode & 0o1000 == 0) {
            return Err(unsafe_(
                &real,
                dir.uid(),
                dmode,
                "the directory holding a symbolic link on the way may be changed by others",
            ));
        }
        let target = std::fs::read_link(&cand).map_err(|e| err("read symbolic link", e))?;
        if target.is_absolute() {
            real = PathBuf::from("/");
        }
        for t in names(&target).into_iter().rev() {
            pending.push_front(t);
        }
    }
    Ok((real, Vec::new()))
}

/// Opens `real` (absolute, symlink-free) from `/`, one component at a time without following
/// symlinks, checking each directory on the way and the target itself.
/// `target` says whether `real` is the path itself (no sticky-bit exception for it) or only the
/// existing part above a path still to be created.
fn walk(
    real: &Path,
    what: &'static str,
    path: &Path,
    kind: Kind,
    target: bool,
) -> Result<OwnedFd, OwnedError> {
    let dir_flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let io = |op, e: Errno| OwnedError::Io {
        what,
        path: path.to_path_buf(),
        op,
        source: e.into(),
    };
    let mut cur = rfs::open("/", dir_flags, Mode::empty()).map_err(|e| io("open /", e))?;
    let names: Vec<&OsStr> = real
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect();
    let mut shown = PathBuf::from("/");
    check(&cur, what, path, &shown, target && names.is_empty())?;
    for (i, n) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        shown.push(n);
        let flags = match (last, kind) {
            (true, Kind::File) => OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            (true, Kind::Dir) => {
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
            }
            _ => dir_flags,
        };
        let next = rfs::openat(&cur, *n, flags, Mode::empty()).map_err(|e| match e {
            // Resolved a moment ago: someone swapped a component for a symlink since.
            Errno::LOOP | Errno::NOTDIR => io("open (a component changed while checking it)", e),
            e => io("open", e),
        })?;
        let st = check(&next, what, path, &shown, last && target)?;
        if last
            && kind == Kind::File
            && rfs::FileType::from_raw_mode(st.st_mode) != rfs::FileType::RegularFile
        {
            return Err(io("open (not a regular file)", Errno::INVAL));
        }
        cur = next;
    }
    Ok(cur)
}

/// Opens `path` after checking it and every directory above it; Ok(None) when it does not exist.
/// A directory comes back opened for reading (for `openat` beneath it), a file for reading.
pub fn open(path: &Path, what: &'static str, kind: Kind) -> Result<Option<OwnedFd>, OwnedError> {
    let (real, missing) = resolve(path, what)?;
    if !missing.is_empty() {
        // The existing part must be sound too, or a missing path could be created by someone else.
        walk(&real, what, path, Kind::Dir, false)?;
        return Ok(None);
    }
    walk(&real, what, path, kind, true).map(Some)
}

/// Opens the directory `path`, creating what is missing: parents 0755, the directory itself with
/// `mode`, each by `mkdirat` with its final mode (no window in which it is more open), owned by
/// whoever runs liftoff. An existing directory must pass the same checks as [`open`].
pub fn ensure_dir(path: &Path, what: &'static str, mode: u32) -> Result<OwnedFd, OwnedError> {
    let (real, missing) = resolve(path, what)?;
    let mut fd = walk(&real, what, path, Kind::Dir, missing.is_empty())?;
    let mut shown = real;
    for (i, name) in missing.iter().enumerate() {
        let m = if i + 1 == missing.len() { mode } else { 0o755 };
        shown.push(name);
        let io = |op, e: Errno| OwnedError::Io {
            what,
            path: path.to_path_buf(),
            op,
            source: e.into(),
        };
        // The umask can only take bits away, never add them.
        match rfs::mkdirat(&fd, name.as_os_str(), Mode::from_raw_mode(m)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(io("create", e)),
        }
        let next = rfs::openat(
            &fd,
            name.as_os_str(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| io("open", e))?;
        check(&next, what, path, &shown, i + 1 == missing.len())?;
        fd = next;
    }
    // An existing path was opened O_PATH on the way; hand out a readable handle.
    if missing.is_empty() {
        fd = rfs::openat(
            &fd,
            c".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| OwnedError::Io {
            what,
            path: path.to_path_buf(),
            op: "open",
            source: e.into(),
        })?;
    }
    Ok(fd)
}

/// Reads a whole file from an opened handle, at most `max` bytes (more is an error naming `path`).
pub fn read_all(fd: OwnedFd, path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::from(fd)
        .take(max + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "{} is larger than {max} bytes",
            path.display()
        )));
    }
    Ok(out)
}

/// The bytes of `name` in the trusted directory `dir` (a handle from [`open`]), opened without
/// following a symlink and checked like everything else liftoff trusts; Ok(None) when missing.
pub fn read_in(
    dir: &impl AsFd,
    dir_path: &Path,
    name: &str,
    what: &'static str,
    max: u64,
) -> Result<Option<Vec<u8>>, OwnedError> {
    let path = dir_path.join(name);
    let io = |op, e: std::io::Error| OwnedError::Io {
        what,
        path: path.clone(),
        op,
        source: e,
    };
    let fd = match rfs::openat(
        dir,
        OsStr::from_bytes(name.as_bytes()),
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(None),
        Err(e) => return Err(io("open (without following symlinks)", e.into())),
    };
    let st = check(&fd, what, &path, &path, true)?;
    if rfs::FileType::from_raw_mode(st.st_mode) != rfs::FileType::RegularFile {
        return Err(io("read", std::io::Error::other("not a regular file")));
    }
    read_all(fd, &path, max)
        .map(Some)
        .map_err(|e| io("read", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writable_paths_are_refused_and_sticky_parents_accepted() {
        let t = tempfile::tempdir().unwrap();
        let ok = t.path().join("ok");
        std::fs::create_dir(&ok).unwrap();
        std::fs::set_permissions(&ok, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(open(&ok, "test dir", Kind::Dir).unwrap().is_some());
        assert!(open(&ok.join("missing"), "test dir", Kind::Dir)
            .unwrap()
            .is_none());
        std::fs::set_permissions(&ok, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = open(&ok, "test dir", Kind::Dir).unwrap_err().to_string();
        assert!(
            e.contains("writable by group or others") && e.contains("chmod go-w"),
            "{e}"
        );
        // Sticky and world-writable: fine as a parent, never as the path itself.
        std::fs::set_permissions(&ok, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let inner = ok.join("inner");
        let fd = ensure_dir(&inner, "test dir", 0o700).unwrap();
        let st = rfs::fstat(&fd).unwrap();
        assert_eq!(st.st_mode & 0o7777, 0o700);
        assert!(open(&ok, "test dir", Kind::Dir).is_err());
        assert!(open(&inner, "test dir", Kind::Dir).unwrap().is_some());
    }

    #[test]
    fn symlinks_on_the_way_must_be_as_sound_as_directories() {
        let t = tempfile::tempdir().unwrap();
        let real = t.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, t.path().join("ok-link")).unwrap();
        assert!(open(&t.path().join("ok-link"), "test dir", Kind::Dir)
            .unwrap()
            .is_some());
        // A link in a directory others may write: whoever can swap it decides where it points.
        let open_dir = t.path().join("open");
        std::fs::create_dir(&open_dir).unwrap();
        std::os::unix::fs::symlink(&real, open_dir.join("link")).unwrap();
        std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = open(&open_dir.join("link"), "test dir", Kind::Dir)
            .unwrap_err()
            .to_string();
        assert!(e.contains("symbolic link"), "{e}");
        // A link another user owns, in a sticky dir.
        std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
        std::os::unix::fs::lchown(open_dir.join("link"), Some(4242), None).unwrap();
        let e = open(&open_dir.join("link"), "test dir", Kind::Dir)
            .unwrap_err()
            .to_string();
        assert!(e.contains("belongs to another user"), "{e}");
    }

    #[test]
    fn files_are_read_through_checked_handles() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("f"), b"hello").unwrap();
        std::fs::set_permissions(t.path().join("f"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        std::os::unix::fs::symlink("f", t.path().join("link")).unwrap();
        let dir = open(t.path(), "test dir", Kind::Dir).unwrap().unwrap();
        assert_eq!(
            read_in(&dir, t.path(), "f", "test file", 100)
                .unwrap()
                .unwrap(),
            b"hello"
        );
        assert!(read_in(&dir, t.path(), "none", "test file", 100)
            .unwrap()
            .is_none());
        assert!(read_in(&dir, t.path(), "link", "test file", 100).is_err());
        assert!(read_in(&dir, t.path(), "f", "test file", 2).is_err());
        std::fs::set_permissions(t.path().join("f"), std::fs::Permissions::from_mode(0o666))
            .unwrap();
        assert!(read_in(&dir, t.path(), "f", "test file", 100).is_err());
    }
}
