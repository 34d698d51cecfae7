//! Flattening overlay-form layer directories onto one directory by copying.
//!
//! The result is what overlayfs would show for the same stack (and what `umoci unpack` produces
//! from the tarballs): a 0/0 character device removes the path, a directory marked
//! `trusted.overlay.opaque=y` hides everything lower layers put there, a non-directory replaces
//! whatever was there, and a directory over a non-directory replaces it. Layer directories are ours
//! and trusted; the destination is walked by handle and its symlinks (which earlier layers put
//! there) are never followed.

use super::walk::{
    self, apply_meta, clear_dir, clear_xattrs, display, get_xattr, inode_key, is_overlay_xattr,
    list_dir, list_xattrs, lstat_at, open_child_dir, open_dir_path, remove_any, Comps, Meta, Node,
    Root, MAX_DEPTH, OPAQUE_XATTR,
};
use super::UnpackError;
use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags, Stat};
use std::collections::HashMap;
use std::ffi::CStr;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

pub(super) fn flatten(layers: &[PathBuf], dest: &Path) -> Result<(), UnpackError> {
    let root = Root::open(dest).map_err(|source| UnpackError::Io {
        entry: dest.display().to_string(),
        op: "open destination directory",
        source,
    })?;
    flatten_onto(layers, &root, false)
}

/// The same onto a destination the caller already opened (and checked), optionally without
/// setuid/setgid bits and file capabilities (`image extract` into a dir other users may reach).
pub(super) fn flatten_onto(
    layers: &[PathBuf],
    root: &Root,
    strip_setid: bool,
) -> Result<(), UnpackError> {
    for layer in layers {
        let src = open_dir_path(layer).map_err(|source| UnpackError::Io {
            entry: layer.display().to_string(),
            op: "open layer directory",
            source,
        })?;
        let mut f = Flattener {
            layer,
            strip_setid,
            dest: root,
            path: Vec::new(),
            links: HashMap::new(),
        };
        let dst = root.open_dir(&[], false).map_err(|e| f.walk_err(e))?;
        f.merge_dir(src.as_fd(), dst.as_fd(), true)?;
    }
    Ok(())
}

struct Flattener<'a> {
    layer: &'a Path,
    /// Drop setuid/setgid bits, `security.capability` and device nodes: what gives whoever can
    /// reach the copy more rights than they have.
    strip_setid: bool,
    dest: &'a Root,
    /// Where we are, relative to both roots.
    path: Comps,
    /// Multiply linked inodes of this layer → where the first link went in the destination.
    links: HashMap<(u64, u64), Comps>,
}

impl Flattener<'_> {
    fn name(&self) -> String {
        format!("{}/{}", self.layer.display(), display(&self.path))
    }

    fn io(&self, op: &'static str) -> impl FnOnce(io::Error) -> UnpackError {
        let entry = self.name();
        move |source| UnpackError::Io { entry, op, source }
    }

    fn errno(&self, op: &'static str) -> impl FnOnce(rustix::io::Errno) -> UnpackError {
        let entry = self.name();
        move |e| UnpackError::Io {
            entry,
            op,
            source: e.into(),
        }
    }

    fn walk_err(&self, e: walk::WalkError) -> UnpackError {
        let source = match e {
            walk::WalkError::Io(e) => e,
            other => io::Error::other(format!("destination changed underneath us: {other}")),
        };
        UnpackError::Io {
            entry: self.name(),
            op: "open destination directory",
            source,
        }
    }

    /// Merges layer directory `src` into destination directory `dst` (which existed before this
    /// layer as a directory when `existed`), then gives `dst` the layer directory's metadata, as
    /// overlayfs shows the uppermost directory's attributes.
    fn merge_dir(
        &mut self,
        src: BorrowedFd<'_>,
        dst: BorrowedFd<'_>,
        existed: bool,
    ) -> Result<(), UnpackError> {
        if self.path.len() > MAX_DEPTH {
            return Err(UnpackError::Refused {
                entry: self.name(),
                reason: format!("nested more than {MAX_DEPTH} levels deep"),
            });
        }
        if existed {
            let opaque = get_xattr(Node::Fd(src), OPAQUE_XATTR).map_err(self.io("read xattr"))?;
            if opaque.as_deref() == Some(b"y") {
                clear_dir(dst).map_err(self.io("empty opaque directory"))?;
            }
        }
        for name in list_dir(src).map_err(self.io("read layer directory"))? {
            self.path.push(name.clone());
            let r = self.merge_entry(src, dst, &name);
            self.path.pop();
            r?;
        }
        let st = rfs::fstat(src).map_err(self.errno("stat layer directory"))?;
        let meta = self.meta(&st, Node::Fd(src))?;
        // Attributes of lower layers' version of this directory are not part of the merged view.
        clear_xattrs(Node::Fd(dst), |k| k.to_bytes() == b"security.selinux")
            .map_err(self.io("clear xattrs"))?;
        apply_meta(Node::Fd(dst), &meta).map_err(|e| UnpackError::Io {
            entry: self.name(),
            op: e.op,
            source: e.source,
        })
    }

    fn merge_entry(
        &mut self,
        src: BorrowedFd<'_>,
        dst: BorrowedFd<'_>,
        name: &CStr,
    ) -> Result<(), UnpackError> {
        let st = rfs::statat(src, name, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(self.errno("stat layer entry"))?;
        let ft = walk::file_type(&st);
        if walk::is_whiteout(&st) {
            remove_any(dst, name).map_err(self.io("apply whiteout"))?;
            return Ok(());
        }
        let existing = lstat_at(dst, name).map_err(self.io("stat destination"))?;
        if ft == FileType::Directory {
            let existed = match existing {
                Some(e) if walk::file_type(&e) == FileType::Directory => true,
                Some(_) => {
                    remove_any(dst, name).map_err(self.io("remove replaced entry"))?;
                    false
                }
                None => false,
            };
            if !existed {
                rfs::mkdirat(dst, name, Mode::from_raw_mode(0o700))
                    .map_err(self.errno("create directory"))?;
            }
            let s = open_child_dir(src, name).map_err(self.io("open layer directory"))?;
            let d = open_child_dir(dst, name).map_err(self.io("open destination directory"))?;
            return self.merge_dir(s.as_fd(), d.as_fd(), existed);
        }
        if existing.is_some() {
            remove_any(dst, name).map_err(self.io("remove replaced entry"))?;
        }
        // A device node outside the state root is a way into the host's devices for whoever can
        // reach the copy: left out with everything else that grants more than its caller has.
        if self.strip_setid && matches!(ft, FileType::CharacterDevice | FileType::BlockDevice) {
            return Ok(());
        }
        let key = inode_key(&st);
        if walk::nlink(&st) > 1 {
            if let Some(first) = self.links.get(&key) {
                match self.link_to(first, dst, name) {
                    Ok(()) => return Ok(()),
                    // Falling back to a copy keeps the content right if the first link is gone.
                    Err(e) => {
                        tracing::debug!(entry = %self.name(), error = %e, "hard link failed; copying")
                    }
                }
            }
        }
        self.copy_node(src, dst, name, &st, ft)?;
        if walk::nlink(&st) > 1 {
            self.links.entry(key).or_insert_with(|| self.path.clone());
        }
        Ok(())
    }

    fn link_to(&self, first: &Comps, dst: BorrowedFd<'_>, name: &CStr) -> io::Result<()> {
        let Some((leaf, parent)) = first.split_last() else {
            return Err(io::Error::other("hard link to the root"));
        };
        let pdir = self.dest.open_dir(parent, false).map_err(|e| match e {
            walk::WalkError::Io(e) => e,
            other => io::Error::other(other.to_string()),
        })?;
        rfs::linkat(&pdir, leaf.as_c_str(), dst, name, AtFlags::empty())?;
        Ok(())
    }

    fn copy_node(
        &mut self,
        src: BorrowedFd<'_>,
        dst: BorrowedFd<'_>,
        name: &CStr,
        st: &Stat,
        ft: FileType,
    ) -> Result<(), UnpackError> {
        let src_at = Node::At {
            dir: src,
            name,
            symlink: ft == FileType::Symlink,
        };
        let dst_at = Node::At {
            dir: dst,
            name,
            symlink: ft == FileType::Symlink,
        };
        match ft {
            FileType::RegularFile => {
                let s: OwnedFd = rfs::openat(
                    src,
                    name,
                    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .map_err(self.errno("open layer file"))?;
                let d: OwnedFd =
                    super::walk::create_file(dst, name).map_err(self.errno("create file"))?;
                let (mut s, mut d) = (File::from(s), File::from(d));
                io::copy(&mut s, &mut d).map_err(self.io("copy file"))?;
                let meta = self.meta(st, Node::Fd(s.as_fd()))?;
                return apply_meta(Node::Fd(d.as_fd()), &meta).map_err(|e| UnpackError::Io {
                    entry: self.name(),
                    op: e.op,
                    source: e.source,
                });
            }
            FileType::Symlink => {
                let target =
                    rfs::readlinkat(src, name, Vec::new()).map_err(self.errno("read symlink"))?;
                rfs::symlinkat(target.as_c_str(), dst, name)
                    .map_err(self.errno("create symlink"))?;
            }
            FileType::Fifo
            | FileType::CharacterDevice
            | FileType::BlockDevice
            | FileType::Socket => {
                rfs::mknodat(dst, name, ft, Mode::from_raw_mode(0o600), walk::rdev(st))
                    .map_err(self.errno("create special file"))?;
            }
            FileType::Directory | FileType::Unknown => {
                return Err(UnpackError::Io {
                    entry: self.name(),
                    op: "copy",
                    source: io::Error::other("unsupported file type"),
                })
            }
        }
        let meta = self.meta(st, src_at)?;
        apply_meta(dst_at, &meta).map_err(|e| UnpackError::Io {
            entry: self.name(),
            op: e.op,
            source: e.source,
        })
    }

    /// The metadata to copy: owner, permissions, mtime and the xattrs that belong to the image
    /// (overlay control attributes are layer plumbing, SELinux labels belong to the host).
    fn meta(&self, st: &Stat, node: Node<'_>) -> Result<Meta, UnpackError> {
        let mut xattrs = Vec::new();
        for k in list_xattrs(node).map_err(self.io("list xattrs"))? {
            let b = k.to_bytes();
            if is_overlay_xattr(b)
                || b == b"security.selinux"
                || (self.strip_setid && b == b"security.capability")
            {
                continue;
            }
            if let Some(v) = get_xattr(node, &k).map_err(self.io("read xattr"))? {
                xattrs.push((k, v));
            }
        }
        Ok(Meta {
            uid: st.st_uid,
            gid: st.st_gid,
            mode: st.st_mode & if self.strip_setid { 0o1777 } else { 0o7777 },
            mtime: walk::mtime(st),
            xattrs,
        })
    }
}
