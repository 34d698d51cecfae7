//! Extraction of one layer tar stream into an empty directory, in overlayfs form.
//!
//! Every entry is checked before anything is written for it: its path is split into components
//! (no `..`, not absolute), its parent is reached by handle from the layer root without following
//! symlinks, and its type must be one we allow (device nodes and fifos are left out and counted
//! unless allowed, see `Extractor::skip`). Directory permissions and times are recorded and
//! applied after the last entry, because children bump a directory's mtime and a read-only directory
//! would block later entries.

use super::tar_guard::{GuardError, TarGuard, MAX_META_BYTES};
use super::walk::{
    self, apply_meta, display, is_overlay_xattr, lstat_at, remove_any, split_path, Comps, Meta,
    Node, PathProblem, Removed, Root, WalkError, OPAQUE_XATTR,
};
use super::{Skipped, UnpackError, UnpackLimits, UnpackStats};
use rustix::fs::{self as rfs, AtFlags, FileType, Gid, Mode, Timespec, Uid};
use std::collections::{HashMap, HashSet};
use std::ffi::CString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::rc::Rc;

pub(super) fn unpack<R: Read>(
    tar: R,
    dest: &Path,
    limits: &UnpackLimits,
) -> Result<UnpackStats, UnpackError> {
    let root = Root::open(dest).map_err(|source| UnpackError::Io {
        entry: ".".into(),
        op: "open layer directory",
        source,
    })?;
    let mut archive = tar::Archive::new(TarGuard::new(tar, limits.max_bytes, limits.max_entries));
    let mut ex = Extractor {
        root: &root,
        limits,
        cache: None,
        dirs: Vec::new(),
        dir_index: HashMap::new(),
        members: 0,
        buf: vec![0; 128 * 1024],
        skipped: Skipped::default(),
        skipped_paths: HashSet::new(),
    };
    let walked = ex.run(&mut archive);
    let guard = archive.into_inner();
    if let Some(f) = guard.failure() {
        return Err(guard_error(f));
    }
    walked?;
    ex.finish()?;
    Ok(UnpackStats {
        entries: ex.members,
        bytes: guard.consumed(),
        skipped: std::mem::take(&mut ex.skipped),
    })
}

fn guard_error(f: &GuardError) -> UnpackError {
    match f {
        GuardError::TooManyBytes { limit } => UnpackError::TooManyBytes { limit: *limit },
        GuardError::TooManyEntries { limit } => UnpackError::TooManyEntries { limit: *limit },
        GuardError::MetaTooLarge {
            entry,
            typeflag,
            size,
        } => UnpackError::Refused {
            entry: entry.clone(),
            reason: format!(
                "{} declares {size} bytes; metadata headers are limited to {MAX_META_BYTES} bytes",
                match typeflag {
                    b'x' => "PAX extended header ('x')",
                    b'g' => "PAX global header ('g')",
                    b'L' => "GNU long name header ('L')",
                    _ => "GNU long link header ('K')",
                }
            ),
        },
        GuardError::Sparse { entry } => UnpackError::Refused {
            entry: entry.clone(),
            reason: "GNU sparse files are not supported".into(),
        },
        GuardError::Truncated => UnpackError::Tar(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the stream ends inside an entry",
        )),
        GuardError::Malformed(m) => {
            UnpackError::Tar(io::Error::new(io::ErrorKind::InvalidData, m.clone()))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Symlink,
    HardLink,
    Fifo,
    Char,
    Block,
}

struct Extractor<'a> {
    root: &'a Root,
    limits: &'a UnpackLimits,
    /// The last parent directory resolved; layers list siblings together, so this saves most walks.
    cache: Option<(Comps, Rc<OwnedFd>)>,
    /// Directory metadata to apply at the end, in first-seen order; a later entry for the same
    /// directory replaces its record.
    dirs: Vec<(Comps, Meta)>,
    dir_index: HashMap<Comps, usize>,
    members: u64,
    buf: Vec<u8>,
    /// Device nodes and fifos left out (see [`UnpackLimits::allow_devices`]), and their paths, for hard
    /// links to them.
    skipped: Skipped,
    skipped_paths: HashSet<Comps>,
}

/// What the current entry is called in errors: its path exactly as the tar has it.
struct Ctx {
    name: String,
}

impl Ctx {
    fn refuse(&self, reason: impl Into<String>) -> UnpackError {
        UnpackError::Refused {
            entry: self.name.clone(),
            reason: reason.into(),
        }
    }

    fn io(&self, op: &'static str) -> impl FnOnce(io::Error) -> UnpackError + '_ {
        move |source| UnpackError::Io {
            entry: self.name.clone(),
            op,
            source,
        }
    }

    fn errno(&self, op: &'static str) -> impl FnOnce(rustix::io::Errno) -> UnpackError + '_ {
        move |e| UnpackError::Io {
            entry: self.name.clone(),
            op,
            source: e.into(),
        }
    }

    fn op(&self) -> impl FnOnce(walk::OpError) -> UnpackError + '_ {
        move |e| UnpackError::Io {
            entry: self.name.clone(),
            op: e.op,
            source: e.source,
        }
    }
}

impl<'a> Extractor<'a> {
    fn run<R: Read>(&mut self, archive: &mut tar::Archive<R>) -> Result<(), UnpackError> {
        let entries = archive.entries().map_err(UnpackError::Tar)?;
        for entry in entries {
            let mut entry = entry.map_err(UnpackError::Tar)?;
            self.members += 1;
            self.entry(&mut entry)?;
        }
        Ok(())
    }

    fn entry<R: Read>(&mut self, entry: &mut tar::Entry<'_, R>) -> Result<(), UnpackError> {
        let raw_path = entry.path_bytes().into_owned();
        let ctx = Ctx {
            name: String::from_utf8_lossy(&raw_path).into_owned(),
        };
        let Some(kind) = entry_kind(&ctx, entry.header(), &raw_path)? else {
            return Ok(());
        };
        let meta = entry_meta(&ctx, entry)?;

        let comps = split_path(&raw_path).map_err(|p| ctx.refuse(p.describe()))?;
        let Some((leaf, parent_comps)) = comps.split_last() else {
            // `./` (or `.`): the layer root itself.
            if kind != Kind::Dir {
                return Err(ctx.refuse("the layer root ('./') can only be a directory"));
            }
            self.record_dir(comps, meta);
            return Ok(());
        };

        if let Some(rest) = leaf.as_bytes().strip_prefix(b".wh.") {
            return self.whiteout(&ctx, parent_comps, leaf, rest);
        }
        let device = match kind {
            Kind::Char | Kind::Block => Some(device_numbers(&ctx, entry.header())?),
            _ => None,
        };
        // Decided before anything is touched: a left-out entry neither creates its parents nor
        // removes an earlier entry of the same path, exactly as if the layer did not have it.
        if self.skip(kind, device, entry, &comps) {
            return Ok(());
        }

        let parent = self.parent(&ctx, parent_comps)?;
        let existing = lstat_at(parent.as_fd(), leaf).map_err(ctx.io("inspect existing entry"))?;
        if let Some(st) = existing {
            if kind == Kind::Dir && walk::file_type(&st) == FileType::Directory {
                // Tar semantics: a repeated directory only updates metadata; its contents stay.
                self.record_dir(comps, meta);
                return Ok(());
            }
            self.remove(&ctx, &parent, parent_comps, leaf)?;
        }

        match kind {
            Kind::Dir => {
                rfs::mkdirat(parent.as_fd(), leaf, Mode::from_raw_mode(0o755))
                    .map_err(ctx.errno("create directory"))?;
                self.record_dir(comps, meta);
            }
            Kind::File => {
                let fd = super::walk::create_file(parent.as_fd(), leaf)
                    .map_err(ctx.errno("create file"))?;
                let mut file = File::from(fd);
                self.copy_body(&ctx, entry, &mut file)?;
                apply_meta(Node::Fd(file.as_fd()), &meta).map_err(ctx.op())?;
            }
            Kind::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| t.into_owned())
                    .unwrap_or_default();
                if target.is_empty() {
                    return Err(ctx.refuse("symlink has an empty target"));
                }
                let target = CString::new(target)
                    .map_err(|_| ctx.refuse("symlink target contains a NUL byte"))?;
                // The target is stored verbatim, wherever it points: symlinks are never followed while
                // unpacking, and inside the container they resolve against the container's root.
                rfs::symlinkat(target.as_c_str(), parent.as_fd(), leaf)
                    .map_err(ctx.errno("create symlink"))?;
                let node = Node::At {
                    dir: parent.as_fd(),
                    name: leaf,
                    symlink: true,
                };
                apply_meta(node, &meta).map_err(ctx.op())?;
            }
            Kind::HardLink => self.hard_link(&ctx, entry, &parent, leaf)?,
            Kind::Fifo | Kind::Char | Kind::Block => {
                let (ft, op) = match kind {
                    Kind::Fifo => (FileType::Fifo, "create fifo"),
                    Kind::Char => (FileType::CharacterDevice, "create device node"),
                    _ => (FileType::BlockDevice, "create device node"),
                };
                let (major, minor) = device.unwrap_or((0, 0));
                rfs::mknodat(
                    parent.as_fd(),
                    leaf,
                    ft,
                    Mode::from_raw_mode(0o600),
                    rfs::makedev(major, minor),
                )
                .map_err(ctx.errno(op))?;
                let at = Node::At {
                    dir: parent.as_fd(),
                    name: leaf,
                    symlink: false,
                };
                apply_meta(at, &meta).map_err(ctx.op())?;
            }
        }
        Ok(())
    }

    /// Whether to leave this entry out because [`UnpackLimits::allow_devices`] is off: a device node or
    /// a fifo (an overlay whiteout, a 0/0 character device, is neither), or a hard link to an entry
    /// that was left out (GNU tar links device nodes that share an inode). Whatever is created at
    /// a left-out path later makes links to that path valid again.
    fn skip<R: Read>(
        &mut self,
        kind: Kind,
        device: Option<(u32, u32)>,
        entry: &tar::Entry<'_, R>,
        comps: &Comps,
    ) -> bool {
        let node = match kind {
            Kind::Fifo | Kind::Block => true,
            Kind::Char => device != Some((0, 0)),
            _ => false,
        };
        let skip = if node {
            !self.limits.allow_devices
        } else if kind == Kind::HardLink && !self.skipped_paths.is_empty() {
            entry
                .link_name_bytes()
                .and_then(|t| split_path(&t).ok())
                .is_some_and(|t| self.skipped_paths.contains(&t))
        } else {
            false
        };
        if skip {
            self.skipped.add(&display(comps));
            self.skipped_paths.insert(comps.clone());
        } else if !self.skipped_paths.is_empty() {
            self.skipped_paths.remove(comps);
        }
        skip
    }

    fn copy_body<R: Read>(
        &mut self,
        ctx: &Ctx,
        entry: &mut tar::Entry<'_, R>,
        file: &mut File,
    ) -> Result<(), UnpackError> {
        let want = entry.size();
        let mut copied = 0u64;
        loop {
            let n = match entry.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(UnpackError::Tar(e)),
            };
            file.write_all(&self.buf[..n])
                .map_err(ctx.io("write file"))?;
            copied += n as u64;
        }
        if copied != want {
            return Err(UnpackError::Tar(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{}: file body ends after {copied} of {want} bytes",
                    ctx.name
                ),
            )));
        }
        Ok(())
    }

    fn hard_link<R: Read>(
        &mut self,
        ctx: &Ctx,
        entry: &tar::Entry<'_, R>,
        parent: &OwnedFd,
        leaf: &CString,
    ) -> Result<(), UnpackError> {
        let raw = entry
            .link_name_bytes()
            .map(|t| t.into_owned())
            .unwrap_or_default();
        let shown = String::from_utf8_lossy(&raw).into_owned();
        let target = split_path(&raw).map_err(|p| {
            ctx.refuse(match p {
                PathProblem::Empty => "hard link has no target".to_string(),
                PathProblem::Absolute => format!("hard link target {shown:?} is an absolute path"),
                PathProblem::DotDot => format!("hard link target {shown:?} has a '..' component"),
                p => format!("hard link target {shown:?}: {}", p.describe()),
            })
        })?;
        let Some((tleaf, tparent)) = target.split_last() else {
            return Err(ctx.refuse("hard link target is the layer root"));
        };
        let missing = || {
            ctx.refuse(format!(
                "hard link target {shown:?} does not exist in this layer"
            ))
        };
        // The entry's own old version was removed already, so a link to itself is reported missing.
        let tdir = self.root.open_dir(tparent, false).map_err(|e| match e {
            WalkError::Symlink(i) => ctx.refuse(format!(
                "hard link target {shown:?} goes through symlink {}",
                display(&tparent[..=i])
            )),
            WalkError::Missing(_) | WalkError::NotDir(_) => missing(),
            WalkError::Io(e) => ctx.io("open hard link target directory")(e),
        })?;
        match lstat_at(tdir.as_fd(), tleaf).map_err(ctx.io("inspect hard link target"))? {
            None => return Err(missing()),
            Some(st) if walk::file_type(&st) == FileType::Directory => {
                return Err(ctx.refuse(format!("hard link target {shown:?} is a directory")))
            }
            Some(_) => {}
        }
        rfs::linkat(tdir.as_fd(), tleaf, parent.as_fd(), leaf, AtFlags::empty())
            .map_err(ctx.errno("create hard link"))
    }

    fn whiteout(
        &mut self,
        ctx: &Ctx,
        parent_comps: &[CString],
        leaf: &CString,
        rest: &[u8],
    ) -> Result<(), UnpackError> {
        if rest.starts_with(b".wh.") {
            if leaf.as_bytes() == b".wh..wh..opq" {
                let parent = self.parent(ctx, parent_comps)?;
                walk::set_xattr(Node::Fd(parent.as_fd()), OPAQUE_XATTR, b"y")
                    .map_err(ctx.io("mark directory opaque"))?;
            } else {
                // aufs bookkeeping such as `.wh..wh.plnk` and `.wh..wh.aufs`; meaningless here.
                tracing::debug!(entry = %ctx.name, "skipping aufs metadata entry");
            }
            return Ok(());
        }
        if rest.is_empty() || rest == b"." || rest == b".." {
            return Err(ctx.refuse(format!(
                "whiteout {:?} does not name a file",
                leaf.to_string_lossy()
            )));
        }
        // `rest` comes from a checked component: no slash and no NUL.
        let name =
            CString::new(rest).map_err(|_| ctx.refuse("whiteout name contains a NUL byte"))?;
        let parent = self.parent(ctx, parent_comps)?;
        self.remove(ctx, &parent, parent_comps, &name)?;
        rfs::mknodat(
            parent.as_fd(),
            name.as_c_str(),
            FileType::CharacterDevice,
            Mode::empty(),
            rfs::makedev(0, 0),
        )
        .map_err(ctx.errno("create whiteout"))?;
        rfs::chownat(
            parent.as_fd(),
            name.as_c_str(),
            Some(Uid::ROOT),
            Some(Gid::ROOT),
            AtFlags::SYMLINK_NOFOLLOW,
        )
        .map_err(ctx.errno("chown whiteout"))?;
        Ok(())
    }

    /// The parent directory of an entry, created as needed, reached without following symlinks.
    fn parent(&mut self, ctx: &Ctx, comps: &[CString]) -> Result<Rc<OwnedFd>, UnpackError> {
        if let Some((c, fd)) = &self.cache {
            if c.as_slice() == comps {
                return Ok(fd.clone());
            }
        }
        let fd = self.root.open_dir(comps, true).map_err(|e| match e {
            WalkError::Symlink(i) => ctx.refuse(format!(
                "writes through a symlink: {} is a symbolic link",
                display(&comps[..=i])
            )),
            WalkError::NotDir(i) => ctx.refuse(format!(
                "parent {} is not a directory",
                display(&comps[..=i])
            )),
            WalkError::Missing(i) => ctx.io("open parent directory")(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} vanished", display(&comps[..=i])),
            )),
            WalkError::Io(e) => ctx.io("open parent directory")(e),
        })?;
        let fd = Rc::new(fd);
        self.cache = Some((comps.to_vec(), fd.clone()));
        Ok(fd)
    }

    /// Removes an earlier entry that a later one replaces.
    fn remove(
        &mut self,
        ctx: &Ctx,
        parent: &OwnedFd,
        parent_comps: &[CString],
        name: &CString,
    ) -> Result<(), UnpackError> {
        let removed = remove_any(parent.as_fd(), name).map_err(ctx.io("remove replaced entry"))?;
        if removed == Removed::Dir {
            // The cached handle may point into the removed tree, and recorded metadata of
            // directories inside it must not be applied to whatever takes their place.
            self.cache = None;
            let mut gone = parent_comps.to_vec();
            gone.push(name.clone());
            self.dirs.retain(|(c, _)| !c.starts_with(&gone));
            self.dir_index = self
                .dirs
                .iter()
                .enumerate()
                .map(|(i, (c, _))| (c.clone(), i))
                .collect();
        }
        Ok(())
    }

    fn record_dir(&mut self, comps: Comps, meta: Meta) {
        match self.dir_index.get(&comps) {
            Some(&i) => self.dirs[i].1 = meta,
            None => {
                self.dir_index.insert(comps.clone(), self.dirs.len());
                self.dirs.push((comps, meta));
            }
        }
    }

    /// Applies the recorded directory metadata, deepest first so every directory is still
    /// traversable while its descendants are handled.
    fn finish(&mut self) -> Result<(), UnpackError> {
        self.cache = None;
        let mut dirs = std::mem::take(&mut self.dirs);
        dirs.sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
        for (comps, meta) in &dirs {
            let ctx = Ctx {
                name: display(comps),
            };
            let fd = self.root.open_dir(comps, false).map_err(|e| match e {
                WalkError::Io(e) => ctx.io("reopen directory")(e),
                other => ctx.io("reopen directory")(io::Error::other(format!(
                    "directory changed during extraction: {other}"
                ))),
            })?;
            apply_meta(Node::Fd(fd.as_fd()), meta).map_err(ctx.op())?;
        }
        Ok(())
    }
}

/// The entry's type, or None for a header that is not a member of the tree (a PAX global header).
fn entry_kind(
    ctx: &Ctx,
    header: &tar::Header,
    raw_path: &[u8],
) -> Result<Option<Kind>, UnpackError> {
    Ok(Some(match header.entry_type().as_byte() {
        // Old (pre-POSIX) tars mark directories only by a trailing slash; the tar crate reads
        // them that way too.
        b'0' | b'\0' | b'7' if header.as_ustar().is_none() && raw_path.ends_with(b"/") => Kind::Dir,
        b'0' | b'\0' | b'7' => Kind::File,
        b'5' => Kind::Dir,
        b'2' => Kind::Symlink,
        b'1' => Kind::HardLink,
        b'6' => Kind::Fifo,
        b'3' => Kind::Char,
        b'4' => Kind::Block,
        b'S' => return Err(ctx.refuse("GNU sparse files are not supported")),
        b'g' => {
            // Global PAX records (typically just a comment from `git archive`) would apply to
            // every later member; neither the tar crate nor Docker/containerd apply them.
            tracing::debug!(entry = %ctx.name, "ignoring PAX global header");
            return Ok(None);
        }
        t => return Err(ctx.refuse(format!("unsupported entry type {}", describe_typeflag(t)))),
    }))
}

/// Owner, permissions, mtime (PAX first) and the xattrs we keep, from the header and PAX records.
fn entry_meta<R: Read>(ctx: &Ctx, entry: &mut tar::Entry<'_, R>) -> Result<Meta, UnpackError> {
    let header = entry.header();
    let uid = id_field(ctx, "uid", header.uid())?;
    let gid = id_field(ctx, "gid", header.gid())?;
    let mode = header
        .mode()
        .map_err(|_| ctx.refuse("malformed mode field"))?
        & 0o7777;
    let header_mtime = header.mtime();
    let mut pax_mtime = None;
    let mut xattrs = Vec::new();
    if let Some(exts) = entry.pax_extensions().map_err(UnpackError::Tar)? {
        for ext in exts {
            let ext = ext.map_err(|_| ctx.refuse("malformed PAX extended header record"))?;
            let key = ext.key_bytes();
            if key.starts_with(b"GNU.sparse.") {
                return Err(ctx.refuse("GNU sparse files (PAX format) are not supported"));
            }
            if key == b"mtime" {
                pax_mtime = Some(parse_pax_time(ext.value_bytes()).ok_or_else(|| {
                    ctx.refuse(format!(
                        "malformed PAX mtime {:?}",
                        String::from_utf8_lossy(ext.value_bytes())
                    ))
                })?);
            } else if let Some(name) = key.strip_prefix(b"SCHILY.xattr.") {
                if let Some(x) = keep_xattr(ctx, name, ext.value_bytes()) {
                    xattrs.push(x);
                }
            }
        }
    }
    let mtime = match pax_mtime {
        Some(t) => t,
        None => {
            let secs = header_mtime.map_err(|_| ctx.refuse("malformed mtime field"))?;
            Timespec {
                tv_sec: i64::try_from(secs)
                    .map_err(|_| ctx.refuse(format!("mtime {secs} is out of range")))?,
                tv_nsec: 0,
            }
        }
    };
    Ok(Meta {
        uid,
        gid,
        mode,
        mtime,
        xattrs,
    })
}

/// A device entry's major and minor numbers.
fn device_numbers(ctx: &Ctx, header: &tar::Header) -> Result<(u32, u32), UnpackError> {
    let major = header
        .device_major()
        .ok()
        .flatten()
        .ok_or_else(|| ctx.refuse("device entry has no valid major number"))?;
    let minor = header
        .device_minor()
        .ok()
        .flatten()
        .ok_or_else(|| ctx.refuse("device entry has no valid minor number"))?;
    Ok((major, minor))
}

fn describe_typeflag(t: u8) -> String {
    if t.is_ascii_graphic() {
        format!("'{}'", t as char)
    } else {
        format!("0x{t:02x}")
    }
}

fn id_field(ctx: &Ctx, what: &str, v: io::Result<u64>) -> Result<u32, UnpackError> {
    let v = v.map_err(|_| ctx.refuse(format!("malformed {what} field")))?;
    // u32::MAX is the "leave unchanged" value of chown(2) and no real owner.
    match u32::try_from(v) {
        Ok(id) if id != u32::MAX => Ok(id),
        _ => Err(ctx.refuse(format!("{what} {v} is out of range"))),
    }
}

/// Decides whether an xattr from the image is applied. Only namespaces with a meaning inside a
/// container are kept; overlayfs control attributes and SELinux labels belong to the host.
fn keep_xattr(ctx: &Ctx, name: &[u8], value: &[u8]) -> Option<(CString, Vec<u8>)> {
    let shown = String::from_utf8_lossy(name);
    if is_overlay_xattr(name) {
        liftoff_stage2::warning!(
            "layer entry {}: ignoring the overlayfs attribute {shown} the image carries",
            ctx.name
        );
        return None;
    }
    let keep = name == b"security.capability"
        || name.starts_with(b"user.")
        || name.starts_with(b"trusted.");
    if !keep {
        if name == b"security.selinux" {
            tracing::debug!(entry = %ctx.name, "ignoring SELinux label from image");
        } else {
            liftoff_stage2::warning!(
                "layer entry {}: ignoring the extended attribute {shown} (only user., trusted. and security.capability are applied)",
                ctx.name
            );
        }
        return None;
    }
    match CString::new(name) {
        Ok(n) => Some((n, value.to_vec())),
        Err(_) => {
            liftoff_stage2::warning!(
                "layer entry {}: ignoring an extended attribute whose name holds a NUL byte",
                ctx.name
            );
            None
        }
    }
}

/// Parses a PAX time (`-?digits[.digits]`) into a normalized timespec; extra fraction digits beyond
/// nanoseconds are truncated.
pub(super) fn parse_pax_time(v: &[u8]) -> Option<Timespec> {
    let (neg, v) = match v.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, v),
    };
    let (int, frac) = match v.iter().position(|&b| b == b'.') {
        Some(i) => (&v[..i], &v[i + 1..]),
        None => (v, &b""[..]),
    };
    if int.is_empty() || !int.iter().all(u8::is_ascii_digit) || !frac.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let secs: i64 = std::str::from_utf8(int).ok()?.parse().ok()?;
    let mut nanos: i64 = 0;
    for i in 0..9 {
        nanos = nanos * 10 + frac.get(i).map_or(0, |d| i64::from(d - b'0'));
    }
    if !neg {
        return Some(Timespec {
            tv_sec: secs,
            tv_nsec: nanos,
        });
    }
    if nanos == 0 {
        return Some(Timespec {
            tv_sec: secs.checked_neg()?,
            tv_nsec: 0,
        });
    }
    Some(Timespec {
        tv_sec: secs.checked_neg()?.checked_sub(1)?,
        tv_nsec: 1_000_000_000 - nanos,
    })
}
