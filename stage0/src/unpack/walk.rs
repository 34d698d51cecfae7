//! Handle-based filesystem primitives shared by extraction and flattening.
//!
//! Everything here works relative to directory file descriptors and single, already checked name
//! components. No function takes a path that an image could influence and hands it to a path-based
//! syscall: a tree is reached from its root handle through `liftoff_common::walk` (openat2 with
//! `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS`, or its component-walk fallback),
//! or, when that fails, one component at a time with `O_NOFOLLOW | O_DIRECTORY` so the error names the
//! component; a symlink planted by a layer is never followed. What is tar-specific (path splitting,
//! whiteouts, metadata and xattrs of extracted nodes) stays here.

use liftoff_common::walk;
use rustix::fs::{
    self as rfs, AtFlags, FileType, Gid, Mode, OFlags, Stat, Timespec, Timestamps, Uid, XattrFlags,
};
use rustix::io::Errno;
use std::ffi::{CStr, CString, OsStr};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Deepest nesting accepted in a layer. Real images stay far below it (PATH_MAX is 4096 bytes); the
/// bound keeps recursive removal and flattening, which hold two handles per level, away from the
/// default 1024-descriptor limit and from deep recursion.
pub(crate) const MAX_DEPTH: usize = 256;

/// A relative path inside a layer, split into components that are each a single, non-empty name
/// other than `.` and `..`, without NUL bytes. The empty list is the layer root.
pub(crate) type Comps = Vec<CString>;

/// Why a path from a tar header cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathProblem {
    Empty,
    Absolute,
    DotDot,
    Nul,
    TooDeep,
}

impl PathProblem {
    pub(crate) fn describe(self) -> String {
        match self {
            PathProblem::Empty => "the path is empty".into(),
            PathProblem::Absolute => "absolute paths (starting with '/') are not allowed".into(),
            PathProblem::DotDot => "'..' path components are not allowed".into(),
            PathProblem::Nul => "the path contains a NUL byte".into(),
            PathProblem::TooDeep => format!("the path is nested more than {MAX_DEPTH} levels deep"),
        }
    }
}

/// Splits a tar path into checked components. A leading `./`, `.` components and repeated or
/// trailing slashes are normal in layer tarballs and simply dropped; `..` is refused rather than
/// resolved lexically, because no legitimate layer needs it and resolving it invites mistakes.
pub(crate) fn split_path(raw: &[u8]) -> Result<Comps, PathProblem> {
    if raw.is_empty() {
        return Err(PathProblem::Empty);
    }
    if raw[0] == b'/' {
        return Err(PathProblem::Absolute);
    }
    let mut comps = Vec::new();
    for c in raw.split(|&b| b == b'/') {
        match c {
            b"" | b"." => continue,
            b".." => return Err(PathProblem::DotDot),
            _ => {}
        }
        let c = CString::new(c).map_err(|_| PathProblem::Nul)?;
        comps.push(c);
        if comps.len() > MAX_DEPTH {
            return Err(PathProblem::TooDeep);
        }
    }
    Ok(comps)
}

/// `a/b/c` for messages; `.` for the root.
pub(crate) fn display(comps: &[CString]) -> String {
    if comps.is_empty() {
        return ".".into();
    }
    let parts: Vec<_> = comps
        .iter()
        .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned())
        .collect();
    parts.join("/")
}

pub(crate) use liftoff_common::walk::WalkError;
use liftoff_common::walk::DIR_FLAGS;

/// The root of a tree we write into, held by handle.
pub(crate) struct Root {
    fd: OwnedFd,
}

impl Root {
    /// Opens `path` (given by our caller, not by an image) as the root of a tree.
    pub(crate) fn open(path: &Path) -> io::Result<Root> {
        Ok(Root {
            fd: open_dir_path(path)?,
        })
    }

    /// A tree whose root the caller has already opened (and checked).
    pub(crate) fn from_fd(fd: OwnedFd) -> Root {
        Root { fd }
    }

    /// Opens the directory `comps` below the root without following any symlink, creating missing
    /// components (0755, owned by 0:0) when `create` is set.
    pub(crate) fn open_dir(&self, comps: &[CString], create: bool) -> Result<OwnedFd, WalkError> {
        let fix: &walk::FixNewDir = &fix_new_dir;
        walk::open_dir(self.fd.as_fd(), comps, create.then_some(fix))
    }
}

/// Directories we create implicitly get a fixed 0755 (independent of the umask) and 0:0 owner
/// (independent of a setgid parent).
fn fix_new_dir(fd: &OwnedFd) -> io::Result<()> {
    rfs::fchmod(fd, Mode::from_raw_mode(0o755))?;
    let st = rfs::fstat(fd)?;
    if st.st_uid != 0 || st.st_gid != 0 {
        rfs::fchown(fd, Some(Uid::ROOT), Some(Gid::ROOT))?;
    }
    Ok(())
}

/// Opens a directory named by our caller (a store path, or the directory a user asked to extract
/// into). These paths are not from an image, so an ordinary path lookup is right for them; only
/// what lies below them is walked by handle.
pub(crate) fn open_dir_path(path: &Path) -> io::Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    Ok(rfs::open(path, flags, Mode::empty())?)
}

/// Creates the regular file `name` in `dir` for writing: never an existing file, never through a
/// symlink, mode 0600 until its metadata is applied.
pub(crate) fn create_file(dir: BorrowedFd<'_>, name: &CStr) -> Result<OwnedFd, Errno> {
    rustix::fs::openat(
        dir,
        name,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )
}

/// Opens child directory `name` of `dir` without following a symlink.
pub(crate) fn open_child_dir(dir: BorrowedFd<'_>, name: &CStr) -> io::Result<OwnedFd> {
    Ok(rfs::openat(dir, name, DIR_FLAGS, Mode::empty())?)
}

/// `lstat` of `name` in `dir`; `None` when it does not exist.
pub(crate) fn lstat_at(dir: BorrowedFd<'_>, name: &CStr) -> io::Result<Option<Stat>> {
    match rfs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Ok(Some(st)),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn file_type(st: &Stat) -> FileType {
    FileType::from_raw_mode(st.st_mode)
}

/// A 0/0 character device: the overlayfs whiteout.
pub(crate) fn is_whiteout(st: &Stat) -> bool {
    file_type(st) == FileType::CharacterDevice && rdev(st) == 0
}

// Stat field widths differ between architectures, so these casts are only sometimes no-ops.
#[allow(clippy::unnecessary_cast)]
pub(crate) fn rdev(st: &Stat) -> u64 {
    st.st_rdev as u64
}

#[allow(clippy::unnecessary_cast)]
pub(crate) fn inode_key(st: &Stat) -> (u64, u64) {
    (st.st_dev as u64, st.st_ino as u64)
}

#[allow(clippy::unnecessary_cast)]
pub(crate) fn nlink(st: &Stat) -> u64 {
    st.st_nlink as u64
}

#[allow(clippy::unnecessary_cast)]
pub(crate) fn mtime(st: &Stat) -> Timespec {
    Timespec {
        tv_sec: st.st_mtime as i64,
        tv_nsec: st.st_mtime_nsec as i64,
    }
}

/// What kind of directory entry [`remove_any`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Removed {
    Nothing,
    NonDir,
    Dir,
}

/// Removes `name` from `dir`, recursively when it is a directory, never following symlinks.
pub(crate) fn remove_any(dir: BorrowedFd<'_>, name: &CStr) -> io::Result<Removed> {
    remove_at_depth(dir, name, 0)
}

fn remove_at_depth(dir: BorrowedFd<'_>, name: &CStr, depth: usize) -> io::Result<Removed> {
    let Some(st) = lstat_at(dir, name)? else {
        return Ok(Removed::Nothing);
    };
    if file_type(&st) == FileType::Directory {
        let sub = open_child_dir(dir, name)?;
        clear_at_depth(sub.as_fd(), depth + 1)?;
        rfs::unlinkat(dir, name, AtFlags::REMOVEDIR)?;
        Ok(Removed::Dir)
    } else {
        rfs::unlinkat(dir, name, AtFlags::empty())?;
        Ok(Removed::NonDir)
    }
}

/// Removes everything inside `dir`.
pub(crate) fn clear_dir(dir: BorrowedFd<'_>) -> io::Result<()> {
    clear_at_depth(dir, 0)
}

fn clear_at_depth(dir: BorrowedFd<'_>, depth: usize) -> io::Result<()> {
    // Trees we remove are ones we built (bounded by MAX_DEPTH) or a caller's directory; the margin
    // only exists so that a pathological tree errors out instead of exhausting the stack.
    if depth > MAX_DEPTH + 16 {
        return Err(io::Error::other(
            "directory tree is nested too deeply to remove",
        ));
    }
    for name in list_dir(dir)? {
        remove_at_depth(dir, &name, depth)?;
    }
    Ok(())
}

pub(crate) use liftoff_common::walk::list_dir;

/// Ownership, permissions, timestamps and xattrs to give a node.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub uid: u32,
    pub gid: u32,
    /// Permission bits including setuid, setgid and sticky (0o7777).
    pub mode: u32,
    pub mtime: Timespec,
    pub xattrs: Vec<(CString, Vec<u8>)>,
}

/// A node to read or change metadata of: by its own handle (regular files, directories), or by
/// parent handle and name for nodes we must not open (symlinks, devices, fifos).
#[derive(Clone, Copy)]
pub(crate) enum Node<'a> {
    Fd(BorrowedFd<'a>),
    At {
        dir: BorrowedFd<'a>,
        name: &'a CStr,
        symlink: bool,
    },
}

/// A failed filesystem operation, with a word for what was being done.
#[derive(Debug)]
pub(crate) struct OpError {
    pub op: &'static str,
    pub source: io::Error,
}

fn op(op: &'static str) -> impl FnOnce(Errno) -> OpError {
    move |e| OpError {
        op,
        source: e.into(),
    }
}

/// Applies `meta` in the order that keeps it: owner first (chown clears setuid/setgid and file
/// capabilities), then mode, then xattrs (so `security.capability` survives), then times last
/// (every other change would bump them).
pub(crate) fn apply_meta(node: Node<'_>, meta: &Meta) -> Result<(), OpError> {
    let uid = Some(Uid::from_raw(meta.uid));
    let gid = Some(Gid::from_raw(meta.gid));
    let mode = Mode::from_raw_mode(meta.mode & 0o7777);
    let times = Timestamps {
        last_access: meta.mtime,
        last_modification: meta.mtime,
    };
    match node {
        Node::Fd(fd) => {
            rfs::fchown(fd, uid, gid).map_err(op("chown"))?;
            rfs::fchmod(fd, mode).map_err(op("chmod"))?;
        }
        Node::At { dir, name, symlink } => {
            rfs::chownat(dir, name, uid, gid, AtFlags::SYMLINK_NOFOLLOW).map_err(op("chown"))?;
            // Symlink permissions mean nothing on Linux and cannot be changed. For fifos and devices
            // fchmodat follows a final symlink, but `name` was just created by us with mknodat in a
            // directory nobody else writes to, so it is the node itself.
            if !symlink {
                rfs::chmodat(dir, name, mode, AtFlags::empty()).map_err(op("chmod"))?;
            }
        }
    }
    for (k, v) in &meta.xattrs {
        match set_xattr(node, k, v) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => {
                liftoff_stage2::warning!(
                    "the state root's filesystem does not support the extended attribute {}; skipped",
                    k.to_string_lossy()
                );
            }
            Err(source) => {
                return Err(OpError {
                    op: "set extended attribute",
                    source,
                })
            }
        }
    }
    match node {
        Node::Fd(fd) => rfs::futimens(fd, &times).map_err(op("set times"))?,
        Node::At { dir, name, .. } => {
            rfs::utimensat(dir, name, &times, AtFlags::SYMLINK_NOFOLLOW).map_err(op("set times"))?
        }
    }
    Ok(())
}

/// There is no handle-based xattr call for nodes we cannot open (a symlink, or a device we must not
/// open), so these go through `/proc/self/fd/<dir>/<name>` with the `l*xattr` calls: the directory
/// part is the magic link to a handle we hold, and the single checked name is not followed.
fn proc_path(dir: BorrowedFd<'_>, name: &CStr) -> PathBuf {
    use std::os::fd::AsRawFd;
    let mut p = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd()));
    p.push(OsStr::from_bytes(name.to_bytes()));
    p
}

pub(crate) fn set_xattr(node: Node<'_>, key: &CStr, value: &[u8]) -> io::Result<()> {
    match node {
        Node::Fd(fd) => rfs::fsetxattr(fd, key, value, XattrFlags::empty())?,
        Node::At { dir, name, .. } => {
            rfs::lsetxattr(proc_path(dir, name), key, value, XattrFlags::empty())?
        }
    }
    Ok(())
}

fn remove_xattr(node: Node<'_>, key: &CStr) -> io::Result<()> {
    match node {
        Node::Fd(fd) => rfs::fremovexattr(fd, key)?,
        Node::At { dir, name, .. } => rfs::lremovexattr(proc_path(dir, name), key)?,
    }
    Ok(())
}

/// Names of all xattrs of `node` (empty when the filesystem has none).
pub(crate) fn list_xattrs(node: Node<'_>) -> io::Result<Vec<CString>> {
    // rustix treats a zero-length buffer as "no data", not as the kernel's size query, so the size
    // comes from the dedicated query calls.
    let query = || -> rustix::io::Result<usize> {
        match node {
            Node::Fd(fd) => rfs::flistxattr_query(fd),
            Node::At { dir, name, .. } => rfs::llistxattr_query(proc_path(dir, name)),
        }
    };
    // The list can grow between the size query and the read; retry on ERANGE.
    for _ in 0..8 {
        let size = match query() {
            Ok(n) => n,
            Err(Errno::OPNOTSUPP) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        if size == 0 {
            return Ok(Vec::new());
        }
        let mut buf = vec![0u8; size];
        let got = match node {
            Node::Fd(fd) => rfs::flistxattr(fd, &mut buf[..]),
            Node::At { dir, name, .. } => rfs::llistxattr(proc_path(dir, name), &mut buf[..]),
        };
        match got {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf
                    .split(|&b| b == 0)
                    .filter(|s| !s.is_empty())
                    .filter_map(|s| CString::new(s).ok())
                    .collect());
            }
            Err(Errno::RANGE) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::other("extended attribute list keeps changing"))
}

/// The value of xattr `key` of `node`; `None` when it is absent.
pub(crate) fn get_xattr(node: Node<'_>, key: &CStr) -> io::Result<Option<Vec<u8>>> {
    let query = || -> rustix::io::Result<usize> {
        match node {
            Node::Fd(fd) => rfs::fgetxattr_query(fd, key),
            Node::At { dir, name, .. } => rfs::lgetxattr_query(proc_path(dir, name), key),
        }
    };
    let get = |buf: &mut [u8]| -> rustix::io::Result<usize> {
        match node {
            Node::Fd(fd) => rfs::fgetxattr(fd, key, buf),
            Node::At { dir, name, .. } => rfs::lgetxattr(proc_path(dir, name), key, buf),
        }
    };
    for _ in 0..8 {
        let size = match query() {
            Ok(0) => return Ok(Some(Vec::new())),
            Ok(n) => n,
            Err(Errno::NODATA) | Err(Errno::OPNOTSUPP) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut buf = vec![0u8; size];
        match get(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(Some(buf));
            }
            Err(Errno::RANGE) => continue,
            Err(Errno::NODATA) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::other("extended attribute keeps changing size"))
}

/// Removes every xattr of `node` except those `keep` selects.
pub(crate) fn clear_xattrs(node: Node<'_>, keep: impl Fn(&CStr) -> bool) -> io::Result<()> {
    for k in list_xattrs(node)? {
        if keep(&k) {
            continue;
        }
        match remove_xattr(node, &k) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::ENODATA) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Xattr names that let a layer steer overlayfs (redirects, metacopy, opaque markers), in the
/// privileged and in the `userxattr` namespace.
pub(crate) fn is_overlay_xattr(name: &[u8]) -> bool {
    name.starts_with(b"trusted.overlay.") || name.starts_with(b"user.overlay.")
}

pub(crate) const OPAQUE_XATTR: &CStr = c"trusted.overlay.opaque";
