//! The one safe path walker: opening a path below a directory handle so that nothing in the tree —
//! a symlink, a magic link, a `..` — can lead outside it.
//!
//! Trees liftoff writes into or mounts onto are image content, so any component may be a symlink
//! planted to point elsewhere. [`open_beneath`] asks the kernel to enforce containment with
//! `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`. Kernels before 5.6 have
//! no openat2 (ENOSYS); there the same guarantee comes from a walk one component at a time with
//! `O_NOFOLLOW`, each step checked not to be a symlink, and the errors are the ones openat2 gives
//! (ELOOP for a symlink, EXDEV for `..` or an absolute path), so callers handle one set.
//! [`walk_dirs`] is the component walk with creation of missing directories and an error that names
//! the offending component.

use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;
use std::ffi::{CStr, CString, OsStr};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicBool, Ordering};

/// What every lookup below a root refuses to follow.
pub const RESOLVE: ResolveFlags = ResolveFlags::BENEATH
    .union(ResolveFlags::NO_SYMLINKS)
    .union(ResolveFlags::NO_MAGICLINKS);

/// Flags for opening an intermediate directory of a walk.
pub const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// Cleared after the first ENOSYS, so an old kernel does not pay for a failing syscall per lookup.
static HAVE_OPENAT2: AtomicBool = AtomicBool::new(true);

/// Opens `rel` below `dir` with `flags` (and `mode` when creating), following no symlink and never
/// leaving `dir`. `rel` is relative; `.` components and repeated slashes are ignored. A `..` that
/// would leave `dir`, or a leading `/`, fails with EXDEV; the fallback refuses every `..` (callers
/// pass checked components without any).
pub fn open_beneath(
    dir: impl AsFd,
    rel: impl AsRef<OsStr>,
    flags: OFlags,
    mode: Mode,
) -> Result<OwnedFd, Errno> {
    let rel = rel.as_ref();
    if HAVE_OPENAT2.load(Ordering::Relaxed) {
        match rfs::openat2(dir.as_fd(), rel, flags, mode, RESOLVE) {
            Err(Errno::NOSYS) => HAVE_OPENAT2.store(false, Ordering::Relaxed),
            r => return r,
        }
    }
    open_by_components(dir.as_fd(), rel.as_bytes(), flags, mode)
}

/// The ENOSYS fallback of [`open_beneath`].
fn open_by_components(
    dir: BorrowedFd<'_>,
    rel: &[u8],
    flags: OFlags,
    mode: Mode,
) -> Result<OwnedFd, Errno> {
    if rel.first() == Some(&b'/') {
        return Err(Errno::XDEV);
    }
    let comps: Vec<&[u8]> = rel
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .collect();
    if comps.iter().any(|c| *c == b"..") {
        return Err(Errno::XDEV);
    }
    let Some((last, parents)) = comps.split_last() else {
        return rfs::openat(dir, c".", flags, mode);
    };
    let mut cur: Option<OwnedFd> = None;
    for c in parents {
        let at = cur.as_ref().map_or(dir, |f| f.as_fd());
        // O_PATH: passing through a directory needs search permission only, as with openat2 (a
        // 0711 directory must not fail here where openat2 would succeed).
        let next = rfs::openat(
            at,
            OsStr::from_bytes(c),
            DIR_FLAGS | OFlags::PATH,
            Mode::empty(),
        )
        .map_err(|e| symlink_as_loop(at, c, e))?;
        cur = Some(next);
    }
    let at = cur.as_ref().map_or(dir, |f| f.as_fd());
    let name = OsStr::from_bytes(last);
    if flags.contains(OFlags::NOFOLLOW) {
        // The caller asked not to follow a final symlink: openat2 then treats it exactly as openat
        // does (O_PATH opens the link itself, anything else fails), and RESOLVE_NO_SYMLINKS does
        // not come into it.
        return rfs::openat(at, name, flags, mode);
    }
    let fd = rfs::openat(at, name, flags | OFlags::NOFOLLOW, mode)
        .map_err(|e| symlink_as_loop(at, last, e))?;
    // With O_PATH, O_NOFOLLOW opens a symlink itself instead of failing; openat2 would refuse it.
    if FileType::from_raw_mode(rfs::fstat(&fd)?.st_mode) == FileType::Symlink {
        return Err(Errno::LOOP);
    }
    Ok(fd)
}

/// O_NOFOLLOW | O_DIRECTORY on a symlink fails with ELOOP or ENOTDIR depending on the flags; openat2
/// says ELOOP for every symlink, and so does the fallback.
fn symlink_as_loop(dir: BorrowedFd<'_>, name: &[u8], e: Errno) -> Errno {
    if e != Errno::NOTDIR {
        return e;
    }
    match rfs::statat(dir, OsStr::from_bytes(name), AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Symlink => Errno::LOOP,
        _ => e,
    }
}

/// How a [`walk_dirs`] failed; indexes name the offending component.
#[derive(Debug)]
pub enum WalkError {
    /// Component `i` is a symlink.
    Symlink(usize),
    /// Component `i` exists but is not a directory.
    NotDir(usize),
    /// Component `i` does not exist (only when not creating).
    Missing(usize),
    Io(io::Error),
}

impl std::fmt::Display for WalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WalkError::Symlink(i) => write!(f, "path component {} is a symbolic link", i + 1),
            WalkError::NotDir(i) => write!(f, "path component {} is not a directory", i + 1),
            WalkError::Missing(i) => write!(f, "path component {} does not exist", i + 1),
            WalkError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Opens the directory `comps` below `root`: one [`open_beneath`] lookup, and when that fails the
/// component walk of [`walk_dirs`], which makes missing directories (with `create`) and says which
/// component was wrong. The empty list is `root` itself.
pub fn open_dir(
    root: BorrowedFd<'_>,
    comps: &[CString],
    create: Option<&FixNewDir>,
) -> Result<OwnedFd, WalkError> {
    if comps.is_empty() {
        return rfs::openat(root, c".", DIR_FLAGS, Mode::empty())
            .map_err(|e| WalkError::Io(e.into()));
    }
    let mut joined = Vec::new();
    for (i, c) in comps.iter().enumerate() {
        if i > 0 {
            joined.push(b'/');
        }
        joined.extend_from_slice(c.as_bytes());
    }
    if let Ok(fd) = open_beneath(root, OsStr::from_bytes(&joined), DIR_FLAGS, Mode::empty()) {
        return Ok(fd);
    }
    walk_dirs(root, comps, create)
}

/// The names in `dir`, without `.` and `..`, sorted, read to the end before anything is changed.
pub fn list_dir(dir: BorrowedFd<'_>) -> io::Result<Vec<CString>> {
    let mut d = rfs::Dir::read_from(dir)?;
    let mut names = Vec::new();
    while let Some(ent) = d.read() {
        let ent = ent?;
        let n = ent.file_name();
        if n == c"." || n == c".." {
            continue;
        }
        names.push(n.to_owned());
    }
    names.sort();
    Ok(names)
}

/// Called on each directory [`walk_dirs`] creates, with its handle.
pub type FixNewDir = dyn Fn(&OwnedFd) -> io::Result<()>;

/// Opens the directory `comps` below `root` one component at a time, each a single name that is
/// never `..`, opened with `O_NOFOLLOW`, so the walk cannot leave the tree or pass through a
/// symlink. With `create`, a missing component is made (mode 0755) and handed to `create` once
/// opened (to fix its owner or mode). Slower than [`open_beneath`], but it creates what is missing
/// and says precisely what was wrong.
pub fn walk_dirs(
    root: BorrowedFd<'_>,
    comps: &[CString],
    create: Option<&FixNewDir>,
) -> Result<OwnedFd, WalkError> {
    let mut cur =
        rfs::openat(root, c".", DIR_FLAGS, Mode::empty()).map_err(|e| WalkError::Io(e.into()))?;
    for (i, c) in comps.iter().enumerate() {
        let next = match rfs::openat(&cur, c.as_c_str(), DIR_FLAGS, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) if create.is_some() => {
                match rfs::mkdirat(&cur, c.as_c_str(), Mode::from_raw_mode(0o755)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(WalkError::Io(e.into())),
                }
                let fd = rfs::openat(&cur, c.as_c_str(), DIR_FLAGS, Mode::empty())
                    .map_err(|e| classify(&cur, c, i, e))?;
                if let Some(fix) = create {
                    fix(&fd).map_err(WalkError::Io)?;
                }
                fd
            }
            Err(e) => return Err(classify(&cur, c, i, e)),
        };
        cur = next;
    }
    Ok(cur)
}

fn classify(dir: &OwnedFd, name: &CStr, i: usize, e: Errno) -> WalkError {
    match e {
        Errno::NOENT => WalkError::Missing(i),
        Errno::LOOP | Errno::NOTDIR => match rfs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Symlink => {
                WalkError::Symlink(i)
            }
            Ok(_) => WalkError::NotDir(i),
            Err(e) => WalkError::Io(e.into()),
        },
        e => WalkError::Io(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempfile::TempDir, OwnedFd) {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("a/b")).unwrap();
        std::fs::write(t.path().join("a/b/f"), b"x").unwrap();
        std::os::unix::fs::symlink("/etc", t.path().join("a/link")).unwrap();
        std::os::unix::fs::symlink("b/f", t.path().join("a/flink")).unwrap();
        let root = rfs::open(t.path(), DIR_FLAGS, Mode::empty()).unwrap();
        (t, root)
    }

    /// Both the openat2 path and the ENOSYS fallback give the same answers.
    #[test]
    fn openat2_and_fallback_agree() {
        let (_t, root) = tree();
        let path = OFlags::PATH | OFlags::CLOEXEC;
        let cases: [(&str, OFlags, Result<(), Errno>); 10] = [
            ("a/b/f", OFlags::RDONLY, Ok(())),
            ("./a//b", DIR_FLAGS, Ok(())),
            ("a/link", DIR_FLAGS, Err(Errno::NOTDIR)),
            ("a/link/passwd", OFlags::RDONLY, Err(Errno::LOOP)),
            ("a/flink", path, Err(Errno::LOOP)),
            ("a/link", path | OFlags::DIRECTORY, Err(Errno::LOOP)),
            ("a/flink", OFlags::RDONLY, Err(Errno::LOOP)),
            ("a/../..", DIR_FLAGS, Err(Errno::XDEV)),
            ("/etc", DIR_FLAGS, Err(Errno::XDEV)),
            ("a/nope", OFlags::RDONLY, Err(Errno::NOENT)),
        ];
        for (rel, flags, want) in cases {
            let got = open_beneath(&root, rel, flags, Mode::empty()).map(|_| ());
            let fallback = open_by_components(root.as_fd(), rel.as_bytes(), flags, Mode::empty());
            let fallback = fallback.map(|_| ());
            assert_eq!(got, want, "openat2 {rel}");
            assert_eq!(fallback, want, "fallback {rel}");
        }
    }

    #[test]
    fn walk_creates_and_names_the_component() {
        let (t, root) = tree();
        let comps =
            |s: &str| -> Vec<CString> { s.split('/').map(|c| CString::new(c).unwrap()).collect() };
        let fix = |_: &OwnedFd| Ok(());
        walk_dirs(root.as_fd(), &comps("a/new/deeper"), Some(&fix)).unwrap();
        assert!(t.path().join("a/new/deeper").is_dir());
        let e = walk_dirs(root.as_fd(), &comps("a/link/x"), Some(&fix)).unwrap_err();
        assert!(matches!(e, WalkError::Symlink(1)), "{e}");
        let e = walk_dirs(root.as_fd(), &comps("a/b/f/x"), None).unwrap_err();
        assert!(matches!(e, WalkError::NotDir(2)), "{e}");
        let e = walk_dirs(root.as_fd(), &comps("a/missing"), None).unwrap_err();
        assert!(matches!(e, WalkError::Missing(1)), "{e}");
    }
}
