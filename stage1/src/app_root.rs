//! An app's root filesystem: the overlay of its image layers, then the table of mounts, device nodes,
//! masked and read-only paths of docs/isolation.md (Root filesystem and mounts), then pivot_root.
//!
//! [`plan`] turns an app into a list of [`Op`]s (pure, unit-tested); [`apply`] carries them out in
//! the app's own mount namespace, opening every target with [`crate::safe_path`] so nothing in the
//! image can redirect a mount. Everything mounted here lives in the app's mount namespace and vanishes
//! with it: there is nothing to unmount and nothing to leak.

use crate::idmap;
use crate::manifest::IdMap;
use crate::safe_path::{self, fd_path, Kind};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use rustix::fs::{FileType, Mode};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RootError {
    #[error("{what}: {source}")]
    Sys {
        what: String,
        #[source]
        source: nix::Error,
    },
    #[error(transparent)]
    Path(#[from] safe_path::SafePathError),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Idmap(#[from] crate::idmap::IdmapError),
}

fn sys(what: impl Into<String>) -> impl FnOnce(nix::Error) -> RootError {
    let what = what.into();
    move |source| RootError::Sys { what, source }
}

/// Character devices every app gets in its /dev: (name, major, minor).
pub const DEVICES: &[(&str, u64, u64)] = &[
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
];

/// Symlinks in /dev: (name, target).
pub const DEV_LINKS: &[(&str, &str)] = &[
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
    ("ptmx", "pts/ptmx"),
];

/// Paths hidden from the app: files get /dev/null bound over them, directories an empty read-only tmpfs.
pub const MASKED: &[&str] = &[
    "proc/acpi",
    "proc/asound",
    "proc/kcore",
    "proc/keys",
    "proc/latency_stats",
    "proc/timer_list",
    "proc/timer_stats",
    "proc/sched_debug",
    "proc/scsi",
    "proc/interrupts",
    "sys/firmware",
    "sys/devices/virtual/powercap",
];

/// Paths made read-only.
pub const READ_ONLY: &[&str] = &[
    "proc/bus",
    "proc/fs",
    "proc/irq",
    "proc/sys",
    "proc/sysrq-trigger",
];

/// Files the pod provides, bound read-only over the image's.
pub const POD_ETC_FILES: &[&str] = &["hosts", "hostname", "resolv.conf"];

/// One step of building an app root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A filesystem mounted at `target` (relative to the app root), created as a dir if missing.
    Mount {
        fstype: &'static str,
        target: &'static str,
        flags: MsFlags,
        data: String,
    },
    Mknod {
        name: &'static str,
        major: u64,
        minor: u64,
    },
    DevLink {
        name: &'static str,
        target: &'static str,
    },
    /// Hide a path if the kernel provides it.
    Mask(&'static str),
    /// Make a path read-only if it exists.
    ReadOnly(&'static str),
    /// Bind a pod-provided file over `etc/<name>` (read-only unless `writable`).
    EtcFile {
        source: PathBuf,
        name: &'static str,
        writable: bool,
    },
    /// Remount the root read-only (after everything else is mounted below it).
    RootReadOnly,
}

/// The mounts of docs/isolation.md, in order, for one app. `pod_etc` holds the pod's
/// hosts/hostname/resolv.conf; `ids` is a remapped pod's id map, whose root then owns /dev,
/// /dev/shm and the terminals (the host gid of the pod's group 5, tty).
pub fn plan(pod_etc: &Path, read_only: bool, etc_writable: bool, ids: Option<&IdMap>) -> Vec<Op> {
    use MsFlags as F;
    let owner = ids.map_or(String::new(), |m| format!(",uid={},gid={}", m.uid, m.gid));
    let tty_gid = ids.map_or(5, |m| m.host_gid(5).unwrap_or(m.gid));
    let mut ops = vec![
        Op::Mount {
            fstype: "proc",
            target: "proc",
            flags: F::MS_NOSUID | F::MS_NOEXEC | F::MS_NODEV,
            data: String::new(),
        },
        Op::Mount {
            fstype: "tmpfs",
            target: "dev",
            flags: F::MS_NOSUID | F::MS_STRICTATIME,
            data: format!("mode=755,size=65536k{owner}"),
        },
    ];
    ops.extend(
        DEVICES
            .iter()
            .map(|&(name, major, minor)| Op::Mknod { name, major, minor }),
    );
    ops.extend(
        DEV_LINKS
            .iter()
            .map(|&(name, target)| Op::DevLink { name, target }),
    );
    ops.extend([
        Op::Mount {
            fstype: "devpts",
            target: "dev/pts",
            flags: F::MS_NOSUID | F::MS_NOEXEC,
            data: format!("newinstance,ptmxmode=0666,mode=0620,gid={tty_gid}"),
        },
        Op::Mount {
            fstype: "tmpfs",
            target: "dev/shm",
            flags: F::MS_NOSUID | F::MS_NOEXEC | F::MS_NODEV,
            data: format!("mode=1777,size=65536k{owner}"),
        },
        Op::Mount {
            fstype: "mqueue",
            target: "dev/mqueue",
            flags: F::MS_NOSUID | F::MS_NOEXEC | F::MS_NODEV,
            data: String::new(),
        },
        Op::Mount {
            fstype: "sysfs",
            target: "sys",
            flags: F::MS_NOSUID | F::MS_NOEXEC | F::MS_NODEV | F::MS_RDONLY,
            data: String::new(),
        },
    ]);
    ops.extend(MASKED.iter().map(|p| Op::Mask(p)));
    ops.extend(READ_ONLY.iter().map(|p| Op::ReadOnly(p)));
    ops.extend(POD_ETC_FILES.iter().map(|name| Op::EtcFile {
        source: pod_etc.join(name),
        name,
        writable: etc_writable,
    }));
    if read_only {
        ops.push(Op::RootReadOnly);
    }
    ops
}

pub use liftoff_contract::layout::AppDirs;

/// The overlay mount options: lowerdir lists the top layer first. Layers that share a parent dir are
/// given relative to it (the caller chdirs there), which keeps the option string within the page the
/// kernel accepts for many more layers.
pub fn overlay_options(
    layers: &[PathBuf],
    dirs: &AppDirs,
) -> Result<(Option<PathBuf>, String), RootError> {
    for p in layers.iter().chain([&dirs.upper, &dirs.work]) {
        let s = p.to_string_lossy();
        if s.contains([',', ':', '\\']) || p.to_str().is_none() {
            return Err(RootError::Invalid(format!(
                "{}: overlayfs cannot take paths with ',', ':' or '\\'; move the state root (--dir) to a plainer path",
                p.display()
            )));
        }
    }
    let parent = layers
        .first()
        .and_then(|l| l.parent())
        .map(Path::to_path_buf);
    let common = parent
        .as_ref()
        .filter(|p| layers.iter().all(|l| l.parent() == Some(p.as_path())));
    let lower: Vec<String> = layers
        .iter()
        .rev()
        .map(|l| match common {
            Some(_) => l.file_name().unwrap().to_string_lossy().into_owned(),
            None => l.display().to_string(),
        })
        .collect();
    let data = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.join(":"),
        dirs.upper.display(),
        dirs.work.display()
    );
    Ok((common.cloned(), data))
}

/// Mounts the app's overlay root and returns an fd on it. Runs in the app's mount namespace. With
/// `userns` (a remapped pod), the layers are seen through an idmapped mount of it: one copy of
/// their common parent dir, mounted on the rootfs dir under the overlay; the upper dir is plain, so
/// what the app writes belongs to its range on disk.
pub fn mount_overlay(
    layers: &[PathBuf],
    dirs: &AppDirs,
    userns: Option<BorrowedFd<'_>>,
) -> Result<OwnedFd, RootError> {
    let (base, data) = overlay_options(layers, dirs)?;
    match (userns, &base) {
        (None, Some(b)) => nix::unistd::chdir(b).map_err(sys(format!("chdir {}", b.display())))?,
        (None, None) => {}
        (Some(u), Some(b)) => {
            let dir = open_path(b)?;
            let what = format!("the layers in {}", b.display());
            let tree = idmap::clone_mapped(dir.as_fd(), u, idmap::Attrs::default(), &what)?;
            // Attached where the overlay goes, then covered by it: the mount lives in the app's
            // mount namespace and goes with it. Closing a still-detached tree would unmount it on
            // the spot, and that waits for an RCU grace period on every app start.
            idmap::attach(tree, open_path(&dirs.rootfs)?.as_fd(), &what)?;
            nix::unistd::chdir(&dirs.rootfs).map_err(sys(format!("chdir {what}")))?;
        }
        (Some(_), None) => {
            // One idmapped tree serves every layer when they share a directory (stage0's layers
            // always do: layers/sha256/<hex>). Detached per-layer trees would need Linux 6.15 as
            // overlay layers, so a manifest without a common layer dir is refused instead.
            return Err(RootError::Invalid(
                "a remapped pod's layers must all be in one directory (as stage0 writes them)"
                    .into(),
            ));
        }
    }
    // nodev: a device node in an image or created in the upper dir must not open a host device.
    mount(
        Some("overlay"),
        &dirs.rootfs,
        Some("overlay"),
        MsFlags::MS_NODEV,
        Some(data.as_str()),
    )
    .map_err(sys(format!(
        "mount the overlay root at {} (layers {})",
        dirs.rootfs.display(),
        base.as_deref().unwrap_or(Path::new("")).display()
    )))?;
    nix::unistd::chdir("/").map_err(sys("chdir /"))?;
    open_path(&dirs.rootfs)
}

/// An O_PATH fd on a directory liftoff made (layers, the app's rootfs).
fn open_path(p: &Path) -> Result<OwnedFd, RootError> {
    rustix::fs::open(
        p,
        rustix::fs::OFlags::PATH | rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| sys(format!("open {}", p.display()))(nix::Error::from_raw(e.raw_os_error())))
}

/// Carries out `ops` below `root`. `read_only` says whether missing etc files can be created;
/// what is created goes to `owner`.
pub fn apply(
    root: &OwnedFd,
    ops: &[Op],
    read_only: bool,
    owner: safe_path::Owner,
) -> Result<(), RootError> {
    // /dev, once mounted: where the device nodes and links go.
    let mut dev: Option<OwnedFd> = None;
    for op in ops {
        match op {
            Op::Mount {
                fstype,
                target,
                flags,
                data,
            } => {
                let t = safe_path::open_beneath(root, Path::new(target), Kind::Dir, owner)?;
                mount(
                    Some(*fstype),
                    &fd_path(&t),
                    Some(*fstype),
                    *flags,
                    (!data.is_empty()).then_some(data.as_str()),
                )
                .map_err(sys(format!("mount {fstype} on /{target}")))?;
                if *target == "dev" {
                    dev = Some(safe_path::open_existing(root, Path::new("dev"))?);
                }
            }
            Op::Mknod { name, major, minor } => mknod(dev.as_ref(), name, *major, *minor)?,
            Op::DevLink { name, target } => {
                let d = dev
                    .as_ref()
                    .ok_or_else(|| RootError::Invalid("/dev not mounted".into()))?;
                rustix::fs::symlinkat(*target, d, *name).map_err(|e| {
                    sys(format!("symlink /dev/{name}"))(nix::Error::from_raw(e.raw_os_error()))
                })?;
            }
            Op::Mask(p) => mask(root, p)?,
            Op::ReadOnly(p) => read_only_bind(root, p)?,
            Op::EtcFile {
                source,
                name,
                writable,
            } => etc_file(root, source, name, *writable, read_only, owner)?,
            Op::RootReadOnly => {
                mount(
                    None::<&str>,
                    &fd_path(root),
                    None::<&str>,
                    // A bind remount replaces the flags: keep the overlay's nodev.
                    MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | MsFlags::MS_NODEV,
                    None::<&str>,
                )
                .map_err(sys("make the root read-only"))?;
            }
        }
    }
    Ok(())
}

/// A character device node in the app's /dev, usable by every user.
fn mknod(dev: Option<&OwnedFd>, name: &str, major: u64, minor: u64) -> Result<(), RootError> {
    let d = dev.ok_or_else(|| RootError::Invalid("/dev not mounted".into()))?;
    rustix::fs::mknodat(
        d,
        name,
        FileType::CharacterDevice,
        Mode::from_raw_mode(0o666),
        rustix::fs::makedev(major as u32, minor as u32),
    )
    .map_err(|e| sys(format!("mknod /dev/{name}"))(nix::Error::from_raw(e.raw_os_error())))?;
    // mknod honours the umask; the nodes must be usable by every user.
    rustix::fs::chmodat(
        d,
        name,
        Mode::from_raw_mode(0o666),
        rustix::fs::AtFlags::empty(),
    )
    .map_err(|e| sys(format!("chmod /dev/{name}"))(nix::Error::from_raw(e.raw_os_error())))
}

/// Hides `/p` (when the image has it): an empty read-only tmpfs over a directory, /dev/null over
/// anything else.
fn mask(root: &OwnedFd, p: &str) -> Result<(), RootError> {
    use MsFlags as F;
    let Some(ft) = safe_path::exists_beneath(root, Path::new(p)) else {
        return Ok(());
    };
    let t = safe_path::open_existing(root, Path::new(p))?;
    if ft == FileType::Directory {
        mount(
            Some("tmpfs"),
            &fd_path(&t),
            Some("tmpfs"),
            F::MS_RDONLY | F::MS_NOSUID | F::MS_NODEV | F::MS_NOEXEC,
            Some("size=0,mode=0555"),
        )
    } else {
        mount(
            Some("/dev/null"),
            &fd_path(&t),
            None::<&str>,
            F::MS_BIND,
            None::<&str>,
        )
    }
    .map_err(sys(format!("mask /{p}")))
}

/// Makes `/p` (when the image has it) a read-only, nosuid, nodev, noexec bind of itself.
fn read_only_bind(root: &OwnedFd, p: &str) -> Result<(), RootError> {
    use MsFlags as F;
    if safe_path::exists_beneath(root, Path::new(p)).is_none() {
        return Ok(());
    }
    let t = safe_path::open_existing(root, Path::new(p))?;
    mount(
        Some(&fd_path(&t)),
        &fd_path(&t),
        None::<&str>,
        F::MS_BIND | F::MS_REC,
        None::<&str>,
    )
    .map_err(sys(format!("bind /{p}")))?;
    // The remount must name the new mount, so reopen the path.
    let t = safe_path::open_existing(root, Path::new(p))?;
    mount(
        None::<&str>,
        &fd_path(&t),
        None::<&str>,
        F::MS_BIND | F::MS_REMOUNT | F::MS_RDONLY | F::MS_NOSUID | F::MS_NODEV | F::MS_NOEXEC,
        None::<&str>,
    )
    .map_err(sys(format!("make /{p} read-only")))
}

/// Binds the pod's `source` on the app's /etc/`name`, nosuid,nodev,noexec (and read-only unless
/// `writable`). `read_only` (the app's root) says whether a missing file can be created.
fn etc_file(
    root: &OwnedFd,
    source: &Path,
    name: &str,
    writable: bool,
    read_only: bool,
    owner: safe_path::Owner,
) -> Result<(), RootError> {
    use MsFlags as F;
    let rel = Path::new("etc").join(name);
    let t = match safe_path::open_beneath(root, &rel, Kind::File, owner) {
        Ok(t) => t,
        Err(e) if !read_only && e.what.contains("symlink") => {
            // Images often link /etc/resolv.conf elsewhere; the pod's file replaces the link
            // in the app's own upper dir (the image's layers are untouched).
            let etc = safe_path::open_beneath(root, Path::new("etc"), Kind::Dir, owner)?;
            rustix::fs::unlinkat(&etc, name, rustix::fs::AtFlags::empty()).map_err(|x| {
                sys(format!("replace the symlink /etc/{name}"))(nix::Error::from_raw(
                    x.raw_os_error(),
                ))
            })?;
            safe_path::open_beneath(root, &rel, Kind::File, owner)?
        }
        Err(e) if read_only => {
            // A read-only root cannot get a mount point it lacks; the app keeps the image's.
            liftoff_stage2::note!("not providing /etc/{name}: {e}");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    mount(
        Some(source),
        &fd_path(&t),
        None::<&str>,
        F::MS_BIND,
        None::<&str>,
    )
    .map_err(sys(format!("bind {} on /etc/{name}", source.display())))?;
    let t = safe_path::open_existing(root, &rel)?;
    let ro = if writable { F::empty() } else { F::MS_RDONLY };
    mount(
        None::<&str>,
        &fd_path(&t),
        None::<&str>,
        F::MS_BIND | F::MS_REMOUNT | ro | F::MS_NOSUID | F::MS_NODEV | F::MS_NOEXEC,
        None::<&str>,
    )
    .map_err(sys(format!("remount /etc/{name} nosuid,nodev,noexec")))
}

/// Mounts an app's volumes, host binds and tmpfs mounts below `root`, in order, after the standard
/// table and before the root is made read-only. Targets are opened (and created) with
/// [`safe_path`], so a symlink in the image cannot send a volume elsewhere; every mount is
/// nosuid,nodev. Host binds are not recursive: mounts below the source stay on the host.
///
/// In a remapped pod (`remap`), tmpfs mounts belong to the pod's root (their `uid=`/`gid=` are pod
/// ids), and host binds marked `idmap` are idmapped copies of the source; other host binds show
/// their host owners as unmapped (nobody).
pub fn apply_mounts(
    root: &OwnedFd,
    mounts: &[crate::manifest::AppMount],
    pod_dir: &Path,
    remap: Option<(&IdMap, BorrowedFd<'_>)>,
) -> Result<(), RootError> {
    use crate::manifest::MountSource;
    use MsFlags as F;
    let owner = remap.map(|(ids, _)| (ids.uid, ids.gid));
    for mt in mounts {
        let rel = Path::new(&mt.target);
        let ro = if mt.read_only {
            F::MS_RDONLY
        } else {
            F::empty()
        };
        let src_path = match &mt.source {
            MountSource::Tmpfs { options, exec } => {
                let t = safe_path::open_beneath(root, rel, Kind::Dir, owner)?;
                let options = match remap {
                    Some((ids, _)) => tmpfs_owner(options, ids, &mt.target)?,
                    None => options.clone(),
                };
                let data = match options.is_empty() {
                    true => "mode=1777".to_string(),
                    false => format!("mode=1777,{options}"),
                };
                let noexec = if *exec { F::empty() } else { F::MS_NOEXEC };
                mount(
                    Some("tmpfs"),
                    &fd_path(&t),
                    Some("tmpfs"),
                    F::MS_NOSUID | F::MS_NODEV | noexec | ro,
                    Some(data.as_str()),
                )
                .map_err(sys(format!("mount tmpfs on {}", mt.target)))?;
                continue;
            }
            MountSource::Host { path } => path.clone(),
            MountSource::Volume { name } => pod_dir.join("volumes").join(name),
        };
        // Host paths were canonical when stage0 checked them; a symlink appearing since (prepare
        // and run-prepared can be days apart) is refused rather than followed.
        let src = rustix::fs::openat2(
            rustix::fs::CWD,
            &src_path,
            rustix::fs::OFlags::PATH | rustix::fs::OFlags::CLOEXEC,
            Mode::empty(),
            rustix::fs::ResolveFlags::NO_SYMLINKS | rustix::fs::ResolveFlags::NO_MAGICLINKS,
        )
        .map_err(|e| {
            sys(format!(
                "open volume source {} (it must not be or contain a symlink)",
                src_path.display()
            ))(nix::Error::from_raw(e.raw_os_error()))
        })?;
        if let MountSource::Host { path } = &mt.source {
            // The state root holds other pods and the image store, and is never bound in.
            // (The pod's own dir is where liftoff's internal binds, like the notify socket, come from.)
            if let Some(state) = pod_dir.ancestors().nth(3) {
                if (path.starts_with(state) || state.starts_with(path))
                    && !path.starts_with(pod_dir)
                {
                    return Err(RootError::Invalid(format!(
                        "volume source {}: overlaps liftoff's state directory {}",
                        path.display(),
                        state.display()
                    )));
                }
            }
        }
        let is_dir = rustix::fs::fstat(&src)
            .map(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory)
            .unwrap_or(true);
        let kind = if is_dir { Kind::Dir } else { Kind::File };
        let t = safe_path::open_beneath(root, rel, kind, owner)?;
        let what = format!("bind {} on {}", src_path.display(), mt.target);
        if let (true, Some((_, userns))) = (mt.idmap, remap) {
            let attrs = idmap::Attrs {
                read_only: mt.read_only,
                nosuid_nodev: true,
            };
            let tree = idmap::clone_mapped(src.as_fd(), userns, attrs, &what)?;
            idmap::attach(tree, t.as_fd(), &what)?;
            continue;
        }
        if mt.idmap {
            return Err(RootError::Invalid(format!(
                "{what}: idmap needs a remapped pod (not --userns=host)"
            )));
        }
        mount(
            Some(&fd_path(&src)),
            &fd_path(&t),
            None::<&str>,
            F::MS_BIND,
            None::<&str>,
        )
        .map_err(sys(what.clone()))?;
        // Flags on a bind mount only change with a remount of the new mount.
        let t = safe_path::open_existing(root, rel)?;
        mount(
            None::<&str>,
            &fd_path(&t),
            None::<&str>,
            F::MS_BIND | F::MS_REMOUNT | F::MS_NOSUID | F::MS_NODEV | ro,
            None::<&str>,
        )
        .map_err(sys(format!("{what}: make it nosuid,nodev")))?;
    }
    Ok(())
}

/// A remapped pod's tmpfs options: `uid=`/`gid=` given in pod ids become host ids, and the
/// pod's root owns the mount when they are not given.
fn tmpfs_owner(options: &str, ids: &IdMap, target: &str) -> Result<String, RootError> {
    let outside = |o: &str| {
        RootError::Invalid(format!(
            "tmpfs on {target}: {o} is not one of the pod's {} ids",
            ids.size
        ))
    };
    let (mut uid, mut gid) = (ids.uid, ids.gid);
    let mut kept = Vec::new();
    for o in options.split(',').filter(|o| !o.is_empty()) {
        let to_host = |v: &str, host: fn(&IdMap, u32) -> Option<u32>| {
            v.parse()
                .ok()
                .and_then(|n| host(ids, n))
                .ok_or_else(|| outside(o))
        };
        match o.split_once('=') {
            Some(("uid", v)) => uid = to_host(v, IdMap::host_uid)?,
            Some(("gid", v)) => gid = to_host(v, IdMap::host_gid)?,
            _ => kept.push(o.to_string()),
        }
    }
    kept.push(format!("uid={uid},gid={gid}"));
    Ok(kept.join(","))
}

/// Makes `root` the process's `/` and detaches the old root (pivot_root(".", ".") as runc does, so no
/// directory for the old root is needed inside the image).
pub fn pivot(root: &OwnedFd) -> Result<(), RootError> {
    nix::unistd::fchdir(root.as_raw_fd()).map_err(sys("chdir into the app root"))?;
    nix::unistd::pivot_root(".", ".").map_err(sys("pivot_root"))?;
    umount2(".", MntFlags::MNT_DETACH).map_err(sys("detach the old root"))?;
    nix::unistd::chdir("/").map_err(sys("chdir /"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_mounts_proc_and_dev_before_their_contents() {
        let ops = plan(Path::new("/pod/etc"), false, false, None);
        let pos = |want: &Op| ops.iter().position(|o| o == want).unwrap();
        let proc_ = ops
            .iter()
            .position(|o| matches!(o, Op::Mount { target: "proc", .. }))
            .unwrap();
        let dev = ops
            .iter()
            .position(|o| matches!(o, Op::Mount { target: "dev", .. }))
            .unwrap();
        let sys_ = ops
            .iter()
            .position(|o| matches!(o, Op::Mount { target: "sys", .. }))
            .unwrap();
        assert!(proc_ < pos(&Op::Mask("proc/kcore")));
        assert!(sys_ < pos(&Op::Mask("sys/firmware")));
        assert!(
            dev < pos(&Op::Mknod {
                name: "null",
                major: 1,
                minor: 3
            })
        );
        assert!(proc_ < pos(&Op::ReadOnly("proc/sys")));
        assert!(!ops.contains(&Op::RootReadOnly));
        // The sysfs mount itself is read-only.
        assert!(ops.iter().any(|o| matches!(o, Op::Mount { target: "sys", flags, .. } if flags.contains(MsFlags::MS_RDONLY))));
    }

    #[test]
    fn read_only_root_is_last() {
        let ops = plan(Path::new("/pod/etc"), true, false, None);
        assert_eq!(ops.last(), Some(&Op::RootReadOnly));
    }

    #[test]
    fn design_lists_are_covered() {
        for p in [
            "proc/kcore",
            "proc/keys",
            "proc/sched_debug",
            "sys/firmware",
            "sys/devices/virtual/powercap",
        ] {
            assert!(MASKED.contains(&p), "{p}");
        }
        for p in [
            "proc/sys",
            "proc/sysrq-trigger",
            "proc/bus",
            "proc/fs",
            "proc/irq",
        ] {
            assert!(READ_ONLY.contains(&p), "{p}");
        }
    }

    #[test]
    fn remapped_pods_own_dev_shm_and_terminals() {
        let ids = IdMap {
            uid: 200000,
            gid: 300000,
            size: 65536,
        };
        let ops = plan(Path::new("/pod/etc"), false, false, Some(&ids));
        let data = |t: &str| {
            ops.iter()
                .find_map(|o| match o {
                    Op::Mount { target, data, .. } if *target == t => Some(data.clone()),
                    _ => None,
                })
                .unwrap()
        };
        assert!(data("dev").ends_with(",uid=200000,gid=300000"));
        assert!(data("dev/shm").ends_with(",uid=200000,gid=300000"));
        assert!(data("dev/pts").ends_with(",gid=300005"));
        let host = plan(Path::new("/pod/etc"), false, false, None);
        assert!(host.iter().any(
            |o| matches!(o, Op::Mount { target: "dev/pts", data, .. } if data.ends_with("gid=5"))
        ));
        assert_eq!(
            tmpfs_owner("size=1m", &ids, "/t").unwrap(),
            "size=1m,uid=200000,gid=300000"
        );
        assert_eq!(
            tmpfs_owner("uid=33,gid=33", &ids, "/t").unwrap(),
            "uid=200033,gid=300033"
        );
        assert!(tmpfs_owner("uid=70000", &ids, "/t")
            .unwrap_err()
            .to_string()
            .contains("/t: uid=70000"));
    }

    #[test]
    fn overlay_lowerdir_is_top_first_and_relative() {
        let dirs = AppDirs::new(Path::new("/var/lib/liftoff/pods/run/x"), "web");
        let layers = vec![
            PathBuf::from("/var/lib/liftoff/layers/sha256/aaa"),
            PathBuf::from("/var/lib/liftoff/layers/sha256/bbb"),
        ];
        let (base, data) = overlay_options(&layers, &dirs).unwrap();
        assert_eq!(base.unwrap(), Path::new("/var/lib/liftoff/layers/sha256"));
        assert!(
            data.starts_with(
                "lowerdir=bbb:aaa,upperdir=/var/lib/liftoff/pods/run/x/apps/web/upper,"
            ),
            "{data}"
        );
        let bad = vec![PathBuf::from("/a,b/layer")];
        assert!(overlay_options(&bad, &dirs).is_err());
    }
}
