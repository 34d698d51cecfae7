//! Layer tar streams (`unpack::unpack_layer`), into a fresh directory per input, with an oracle
//! for the one property that matters most: nothing outside that directory changes.
//!
//! The process keeps one private base directory:
//!
//! ```text
//! BASE/canary/{secret, sub/file, link -> secret, dir-link -> sub}   files an escape would hit
//! BASE/outer/dest                                                    the layer dir, new per input
//! ```
//!
//! After each input, everything under BASE except `dest` must be exactly as before (names, types,
//! modes, owners, link counts, contents, symlink targets, the overlay opaque xattr), and so must
//! every path outside `dest` that the input names: absolute entry and link names, relative ones
//! with enough `..` to leave `dest`, and the same names taken through the input's own symlinks
//! (what a naive extractor following them would write). Any difference panics: libFuzzer reports
//! it as a crash with the input that caused it.
//!
//! `LIFTOFF_FUZZ_NAIVE_UNPACK=1` swaps liftoff's extractor for a deliberately naive one (path
//! joins, following symlinks), to check that the oracle catches escapes: run it over the
//! `escape-*.tar` seeds and every one of them must crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::unpack::{unpack_layer, UnpackLimits};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// What is compared of one path: enough to see it created, replaced, written, chmod/chown'ed,
/// hard-linked to or marked opaque. Directory mtimes and link counts are left out (creating
/// `dest` bumps `outer`'s); a directory's entries are compared as paths of their own.
#[derive(Debug, PartialEq, Eq)]
struct Sig {
    kind: &'static str,
    ino: u64,
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u64,
    size: u64,
    mtime: Option<(i64, i64)>,
    content: Option<Vec<u8>>,
    link: Option<PathBuf>,
    opaque: Option<Vec<u8>>,
}

fn sig(p: &Path) -> Option<Sig> {
    let m = std::fs::symlink_metadata(p).ok()?;
    let ft = m.file_type();
    let kind = if ft.is_dir() {
        "dir"
    } else if ft.is_symlink() {
        "symlink"
    } else if ft.is_file() {
        "file"
    } else {
        "special"
    };
    Some(Sig {
        kind,
        ino: m.ino(),
        mode: m.mode(),
        uid: m.uid(),
        gid: m.gid(),
        // A directory's link count follows its subdirectories (`dest` comes and goes in
        // `outer`), which are compared as paths of their own.
        nlink: if ft.is_dir() { 0 } else { m.nlink() },
        size: if ft.is_dir() { 0 } else { m.size() },
        mtime: (!ft.is_dir()).then(|| (m.mtime(), m.mtime_nsec())),
        // Only small regular files are read (the canaries; an outside candidate may be large).
        content: (ft.is_file() && m.size() <= 4096).then(|| std::fs::read(p).unwrap_or_default()),
        link: ft
            .is_symlink()
            .then(|| std::fs::read_link(p).unwrap_or_default()),
        opaque: opaque_xattr(p),
    })
}

fn opaque_xattr(p: &Path) -> Option<Vec<u8>> {
    let c = CString::new(p.as_os_str().as_bytes()).ok()?;
    let name = c"trusted.overlay.opaque";
    let mut buf = [0u8; 64];
    // SAFETY: valid NUL-terminated strings and a buffer of the given length.
    let n = unsafe {
        libc::lgetxattr(
            c.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    (n >= 0).then(|| buf[..n as usize].to_vec())
}

struct Base {
    root: PathBuf,
    dest: PathBuf,
    before: BTreeMap<PathBuf, Sig>,
}

fn snapshot(root: &Path, skip: &Path, out: &mut BTreeMap<PathBuf, Sig>) {
    let Some(s) = sig(root) else { return };
    let is_dir = s.kind == "dir";
    out.insert(root.to_path_buf(), s);
    if !is_dir {
        return;
    }
    let mut names: Vec<_> = std::fs::read_dir(root)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    for p in names {
        if p != skip {
            snapshot(&p, skip, out);
        }
    }
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("liftoff-fuzz-unpack.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir(&root).expect("create the fuzz base dir");
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700)).unwrap();
        let canary = root.join("canary");
        std::fs::create_dir_all(canary.join("sub")).unwrap();
        std::fs::write(canary.join("secret"), b"canary: must never change\n").unwrap();
        std::fs::write(canary.join("sub/file"), b"canary too\n").unwrap();
        std::os::unix::fs::symlink("secret", canary.join("link")).unwrap();
        std::os::unix::fs::symlink("sub", canary.join("dir-link")).unwrap();
        std::fs::create_dir(root.join("outer")).unwrap();
        let dest = root.join("outer/dest");
        // libFuzzer ends with exit(), which runs no Rust destructors; a crash keeps the dir as
        // evidence.
        extern "C" fn cleanup() {
            if let Some(b) = BASE.get() {
                let _ = std::fs::remove_dir_all(&b.root);
            }
        }
        // SAFETY: registering a plain extern "C" function without arguments.
        unsafe { libc::atexit(cleanup) };
        let mut before = BTreeMap::new();
        snapshot(&root, &dest, &mut before);
        Base { root, dest, before }
    })
}

/// `p` with `.` and `..` folded away lexically (`..` at `/` stays at `/`).
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// Where a naive extractor writing `name` (as the tar gives it) into `dest` would write: the path
/// itself, and for whiteouts the path the whiteout names (and its directory, for opaque markers).
fn naive_targets(dest: &Path, name: &[u8]) -> Vec<PathBuf> {
    let p = Path::new(OsStr::from_bytes(name));
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        dest.join(p)
    };
    let mut out = vec![lexical(&joined)];
    if let Some(base) = p
        .file_name()
        .and_then(|b| b.as_bytes().strip_prefix(b".wh."))
    {
        let dir = lexical(&joined.join(".."));
        if base == b".wh..opq" {
            out.push(dir);
        } else {
            out.push(lexical(&dir.join(OsStr::from_bytes(base))));
        }
    }
    out
}

/// Every path outside `dest` that the archive's names point at, directly or through its symlinks.
fn candidates(data: &[u8], dest: &Path) -> BTreeSet<PathBuf> {
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut symlinks: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut ar = tar::Archive::new(data);
    if let Ok(entries) = ar.entries() {
        for e in entries.take(10_000) {
            let Ok(e) = e else { break };
            let name = e.path_bytes().into_owned();
            if let Ok(Some(l)) = e.link_name() {
                let l = l.as_os_str().as_bytes().to_vec();
                if e.header().entry_type().is_symlink() {
                    symlinks.push((name.clone(), l.clone()));
                    // A symlink's target, taken relative to the symlink's directory.
                    let dir = Path::new(OsStr::from_bytes(&name))
                        .parent()
                        .unwrap_or(Path::new(""));
                    let mut t = dir.as_os_str().as_bytes().to_vec();
                    t.push(b'/');
                    t.extend_from_slice(&l);
                    names.push(if l.starts_with(b"/") { l } else { t });
                } else {
                    names.push(l);
                }
            }
            names.push(name);
        }
    }
    let mut out = BTreeSet::new();
    for n in &names {
        out.extend(naive_targets(dest, n));
        // Through each symlink of the archive that is a prefix of this name.
        for (s, t) in &symlinks {
            let s = s.strip_suffix(b"/").unwrap_or(s);
            if let Some(rest) = n.strip_prefix(s).and_then(|r| r.strip_prefix(b"/")) {
                let sdir = Path::new(OsStr::from_bytes(s))
                    .parent()
                    .unwrap_or(Path::new(""));
                let target = Path::new(OsStr::from_bytes(t));
                let resolved = if target.is_absolute() {
                    target.to_path_buf()
                } else {
                    dest.join(sdir).join(target)
                };
                let through = resolved.join(OsStr::from_bytes(rest));
                out.extend(naive_targets(
                    Path::new("/"),
                    through.as_os_str().as_bytes(),
                ));
            }
        }
    }
    // Inside dest is the layer's own business; virtual filesystems change by themselves.
    out.retain(|p| {
        !p.starts_with(dest)
            && !p.starts_with("/proc")
            && !p.starts_with("/sys")
            && !p.starts_with("/dev")
    });
    out
}

/// Removes a layer dir whatever modes the layer gave its directories.
fn remove_tree(p: &Path) {
    if std::fs::remove_dir_all(p).is_ok() || std::fs::symlink_metadata(p).is_err() {
        return;
    }
    fn open_up(p: &Path) {
        if let Ok(m) = std::fs::symlink_metadata(p) {
            if m.is_dir() {
                let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700));
                for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
                    open_up(&e.path());
                }
            }
        }
    }
    open_up(p);
    std::fs::remove_dir_all(p).expect("remove the layer dir");
}

/// The naive extractor of the oracle's self-check: everything a safe extractor must not do.
fn naive_unpack(data: &[u8], dest: &Path) {
    let mut ar = tar::Archive::new(data);
    let Ok(entries) = ar.entries() else { return };
    for e in entries {
        let Ok(mut e) = e else { return };
        let path = dest.join(Path::new(OsStr::from_bytes(&e.path_bytes())));
        let link = e.link_name().ok().flatten().map(|l| l.into_owned());
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let kind = e.header().entry_type();
        let _ = if kind.is_dir() {
            std::fs::create_dir_all(&path)
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(link.unwrap_or_default(), &path)
        } else if kind.is_hard_link() {
            std::fs::hard_link(dest.join(link.unwrap_or_default()), &path)
        } else {
            let mut body = Vec::new();
            let _ = std::io::Read::read_to_end(&mut e, &mut body);
            std::fs::write(&path, body)
        };
    }
}

fn naive() -> bool {
    static NAIVE: OnceLock<bool> = OnceLock::new();
    *NAIVE.get_or_init(|| std::env::var_os("LIFTOFF_FUZZ_NAIVE_UNPACK").is_some_and(|v| v == "1"))
}

fuzz_target!(|data: &[u8]| {
    let b = base();
    std::fs::create_dir(&b.dest).expect("create the layer dir");
    let watched: Vec<(PathBuf, Option<Sig>)> = candidates(data, &b.dest)
        .into_iter()
        .map(|p| {
            let s = sig(&p);
            (p, s)
        })
        .collect();
    let limits = UnpackLimits {
        max_entries: 100_000,
        max_bytes: 64 << 20,
        allow_devices: false,
    };
    if naive() {
        naive_unpack(data, &b.dest);
    } else {
        let _ = unpack_layer(data, &b.dest, &limits);
    }

    let dest_kind = sig(&b.dest).map(|s| s.kind);
    assert_eq!(dest_kind, Some("dir"), "the layer dir itself was replaced");
    let mut after = BTreeMap::new();
    snapshot(&b.root, &b.dest, &mut after);
    if after != b.before {
        let changed: BTreeMap<_, _> = after
            .keys()
            .chain(b.before.keys())
            .filter(|k| after.get(*k) != b.before.get(*k))
            .map(|k| (k, (b.before.get(k), after.get(k))))
            .collect();
        panic!("unpacking changed paths outside the layer dir: {changed:?}");
    }
    for (p, before) in &watched {
        let now = sig(p);
        assert!(
            now == *before,
            "unpacking changed {} outside the layer dir: {before:?} -> {now:?}",
            p.display()
        );
    }
    remove_tree(&b.dest);
});
