//! Tests for layer extraction and flattening. They run as root (ownership, devices, trusted.*
//! xattrs, overlay mounts); the overlay and umoci comparisons skip themselves when unavailable.

use super::walk::{get_xattr, Node};
use super::*;
use std::collections::BTreeMap;
use std::ffi::CString;
use std::fs;
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use tar::{Builder, EntryType, Header};

const MTIME: u64 = 1_600_000_000;

/// Builds layer tarballs in memory, including hostile ones the tar crate would not write.
struct Tb {
    b: Builder<Vec<u8>>,
}

fn hdr(t: EntryType, mode: u32, size: u64) -> Header {
    let mut h = Header::new_gnu();
    h.set_entry_type(t);
    h.set_mode(mode);
    h.set_size(size);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(MTIME);
    h
}

impl Tb {
    fn new() -> Self {
        Tb {
            b: Builder::new(Vec::new()),
        }
    }

    fn file(&mut self, path: &str, data: &[u8]) -> &mut Self {
        self.file_with(path, data, 0o644, 0, 0)
    }

    fn file_with(&mut self, path: &str, data: &[u8], mode: u32, uid: u64, gid: u64) -> &mut Self {
        let mut h = hdr(EntryType::Regular, mode, data.len() as u64);
        h.set_uid(uid);
        h.set_gid(gid);
        self.b.append_data(&mut h, path, data).unwrap();
        self
    }

    fn dir(&mut self, path: &str, mode: u32) -> &mut Self {
        self.dir_with(path, mode, 0, 0)
    }

    fn dir_with(&mut self, path: &str, mode: u32, uid: u64, gid: u64) -> &mut Self {
        let mut h = hdr(EntryType::Directory, mode, 0);
        h.set_uid(uid);
        h.set_gid(gid);
        self.b.append_data(&mut h, path, io::empty()).unwrap();
        self
    }

    fn symlink(&mut self, path: &str, target: &str) -> &mut Self {
        let mut h = hdr(EntryType::Symlink, 0o777, 0);
        self.b.append_link(&mut h, path, target).unwrap();
        self
    }

    fn hardlink(&mut self, path: &str, target: &str) -> &mut Self {
        let mut h = hdr(EntryType::Link, 0o644, 0);
        self.b.append_link(&mut h, path, target).unwrap();
        self
    }

    fn fifo(&mut self, path: &str, mode: u32) -> &mut Self {
        let mut h = hdr(EntryType::Fifo, mode, 0);
        self.b.append_data(&mut h, path, io::empty()).unwrap();
        self
    }

    fn device(&mut self, path: &str, t: EntryType, major: u32, minor: u32) -> &mut Self {
        let mut h = hdr(t, 0o600, 0);
        h.set_device_major(major).unwrap();
        h.set_device_minor(minor).unwrap();
        self.b.append_data(&mut h, path, io::empty()).unwrap();
        self
    }

    /// A header written byte by byte: any name, link name and type flag.
    fn raw(&mut self, name: &[u8], typeflag: u8, link: &[u8], data: &[u8]) -> &mut Self {
        let mut h = hdr(EntryType::new(typeflag), 0o644, data.len() as u64);
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        h.set_cksum();
        self.b.append(&h, data).unwrap();
        self
    }

    fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
        self.b
            .append_pax_extensions(records.iter().map(|(k, v)| (*k, *v)))
            .unwrap();
        self
    }

    fn bytes(self) -> Vec<u8> {
        self.b.into_inner().unwrap()
    }
}

/// A scratch area: `top/dest` is the layer directory, `top/outside` holds what must stay untouched.
struct Env {
    _tmp: tempfile::TempDir,
    top: PathBuf,
    dest: PathBuf,
    outside: PathBuf,
}

fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().to_path_buf();
    let dest = top.join("dest");
    let outside = top.join("outside");
    fs::create_dir(&dest).unwrap();
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("secret"), b"s").unwrap();
    Env {
        _tmp: tmp,
        top,
        dest,
        outside,
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

impl Env {
    fn unpack(&self, tar: &[u8]) -> Result<UnpackStats, UnpackError> {
        self.unpack_with(tar, &UnpackLimits::default())
    }

    fn unpack_with(&self, tar: &[u8], limits: &UnpackLimits) -> Result<UnpackStats, UnpackError> {
        unpack_layer(tar, &self.dest, limits)
    }

    fn assert_outside_untouched(&self) {
        assert_eq!(names(&self.top), ["dest", "outside"]);
        assert_eq!(names(&self.outside), ["secret"]);
        let md = fs::symlink_metadata(self.outside.join("secret")).unwrap();
        assert!(md.is_file());
        assert_eq!(md.nlink(), 1);
        assert_eq!(fs::read(self.outside.join("secret")).unwrap(), b"s");
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dest.join(rel)
    }
}

#[track_caller]
fn refused(r: Result<UnpackStats, UnpackError>, entry: &str) -> String {
    match r {
        Err(UnpackError::Refused { entry: e, reason }) => {
            assert_eq!(e, entry, "wrong entry named (reason: {reason})");
            reason
        }
        other => panic!("expected refusal of {entry:?}, got {other:?}"),
    }
}

fn xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    let parent = walk::open_dir_path(path.parent().unwrap()).unwrap();
    let leaf = CString::new(path.file_name().unwrap().as_encoded_bytes()).unwrap();
    let key = CString::new(name).unwrap();
    get_xattr(
        Node::At {
            dir: parent.as_fd(),
            name: &leaf,
            symlink: true,
        },
        &key,
    )
    .unwrap()
}

fn is_whiteout(path: &Path) -> bool {
    let md = fs::symlink_metadata(path).unwrap();
    md.file_type().is_char_device() && md.rdev() == 0
}

// ---------------------------------------------------------------- paths

#[test]
fn accepts_dot_slash_duplicate_slashes_and_root_entry() {
    let e = env();
    let mut t = Tb::new();
    t.raw(b"./", b'5', b"", b"")
        .raw(b".", b'5', b"", b"")
        .raw(b"./a//b/", b'5', b"", b"")
        .raw(b"./a/./b//f", b'0', b"", b"hi");
    let st = e.unpack(&t.bytes()).unwrap();
    assert_eq!(st.entries, 4);
    assert_eq!(fs::read(e.p("a/b/f")).unwrap(), b"hi");
    e.assert_outside_untouched();
}

#[test]
fn root_entry_applies_metadata_to_layer_root() {
    let e = env();
    let mut t = Tb::new();
    t.dir_with("./", 0o750, 12, 34).file("f", b"x");
    e.unpack(&t.bytes()).unwrap();
    let md = fs::metadata(&e.dest).unwrap();
    assert_eq!(md.mode() & 0o7777, 0o750);
    assert_eq!((md.uid(), md.gid()), (12, 34));
    assert_eq!(md.mtime(), MTIME as i64);
}

#[test]
fn root_entry_must_be_a_directory() {
    let e = env();
    let mut t = Tb::new();
    t.raw(b"./", b'2', b"/etc", b"");
    let reason = refused(e.unpack(&t.bytes()), "./");
    assert!(reason.contains("layer root"), "{reason}");
}

#[test]
fn refuses_dotdot_components() {
    for name in [
        &b"../evil"[..],
        b"./../evil",
        b"a/../../evil",
        b"a/..",
        b"..",
    ] {
        let e = env();
        let mut t = Tb::new();
        t.raw(name, b'0', b"", b"pwned");
        let shown = String::from_utf8_lossy(name).into_owned();
        let reason = refused(e.unpack(&t.bytes()), &shown);
        assert!(reason.contains("'..'"), "{reason}");
        e.assert_outside_untouched();
    }
}

#[test]
fn refuses_dotdot_in_directories_and_pax_paths() {
    let e = env();
    let mut t = Tb::new();
    t.raw(b"../evil/", b'5', b"", b"");
    refused(e.unpack(&t.bytes()), "../evil/");
    e.assert_outside_untouched();

    // A PAX `path` record overrides the header name; it is checked the same way.
    let e = env();
    let mut t = Tb::new();
    t.pax(&[("path", b"../outside/pax")])
        .raw(b"innocent", b'0', b"", b"pwned");
    refused(e.unpack(&t.bytes()), "../outside/pax");
    e.assert_outside_untouched();
}

#[test]
fn refuses_absolute_paths() {
    let e = env();
    let abs = e.outside.join("abs");
    let mut t = Tb::new();
    t.raw(abs.as_os_str().as_encoded_bytes(), b'0', b"", b"pwned");
    let reason = refused(e.unpack(&t.bytes()), abs.to_str().unwrap());
    assert!(reason.contains("absolute"), "{reason}");
    assert!(!abs.exists());
    e.assert_outside_untouched();

    let e = env();
    let mut t = Tb::new();
    t.raw(b"/", b'5', b"", b"");
    refused(e.unpack(&t.bytes()), "/");
}

#[test]
fn refuses_writing_through_symlinks() {
    // Relative and absolute symlinks out of the layer, and symlinks within it: a parent that is a
    // symlink is refused whatever it points to.
    let cases: Vec<(String, &str)> = vec![
        ("../outside".into(), "evil/secret"),
        ("../outside".into(), "evil/new"),
        ("../outside".into(), "evil/sub/new"),
        (String::new(), "evil/new"), // absolute, filled in below
        (".".into(), "evil/new"),
    ];
    for (target, entry) in cases {
        let e = env();
        let target = if target.is_empty() {
            e.outside.to_str().unwrap().to_string()
        } else {
            target
        };
        let mut t = Tb::new();
        t.symlink("evil", &target).file(entry, b"pwned");
        let reason = refused(e.unpack(&t.bytes()), entry);
        assert!(reason.contains("writes through a symlink"), "{reason}");
        assert!(reason.contains("evil is a symbolic link"), "{reason}");
        e.assert_outside_untouched();
    }

    // Deeper: a/b is the symlink.
    let e = env();
    let mut t = Tb::new();
    t.dir("a", 0o755)
        .symlink("a/b", "../../outside")
        .file("a/b/c/d", b"pwned");
    let reason = refused(e.unpack(&t.bytes()), "a/b/c/d");
    assert!(reason.contains("a/b is a symbolic link"), "{reason}");
    e.assert_outside_untouched();

    // Opaque markers and whiteouts inside a symlinked directory are refused too.
    for entry in ["evil/.wh..wh..opq", "evil/.wh.secret"] {
        let e = env();
        let mut t = Tb::new();
        t.symlink("evil", "../outside").file(entry, b"");
        refused(e.unpack(&t.bytes()), entry);
        e.assert_outside_untouched();
        assert!(xattr(&e.outside, "trusted.overlay.opaque").is_none());
    }
}

#[test]
fn replacing_a_symlink_does_not_follow_it() {
    let e = env();
    let mut t = Tb::new();
    t.symlink("s", "../outside/secret")
        .file("s", b"new")
        .symlink("d", "../outside")
        .dir("d", 0o700)
        .file("d/secret", b"inside");
    e.unpack(&t.bytes()).unwrap();
    assert_eq!(fs::read(e.p("s")).unwrap(), b"new");
    assert!(fs::symlink_metadata(e.p("d")).unwrap().is_dir());
    assert_eq!(fs::read(e.p("d/secret")).unwrap(), b"inside");
    e.assert_outside_untouched();
}

#[test]
fn refuses_parent_that_is_a_file() {
    let e = env();
    let mut t = Tb::new();
    t.file("a", b"x").file("a/b", b"y");
    let reason = refused(e.unpack(&t.bytes()), "a/b");
    assert!(reason.contains("not a directory"), "{reason}");
}

// ---------------------------------------------------------------- hard links

#[test]
fn refuses_bad_hard_links() {
    let abs_target = "/etc/passwd".to_string();
    let cases: Vec<(&str, String, &str)> = vec![
        ("l", abs_target, "absolute"),
        ("l", "../outside/secret".into(), "'..'"),
        ("l", "a/../../outside/secret".into(), "'..'"),
        ("l", "evil/secret".into(), "goes through symlink evil"),
        ("l", "nope".into(), "does not exist in this layer"),
        ("l", "sub/nope".into(), "does not exist in this layer"),
        ("l", "f/x".into(), "does not exist in this layer"),
        ("l", "d".into(), "is a directory"),
        ("l", "".into(), "no target"),
        ("l", "./".into(), "layer root"),
        ("f", "f".into(), "does not exist in this layer"),
    ];
    for (entry, target, why) in cases {
        let e = env();
        let mut t = Tb::new();
        t.symlink("evil", "../outside")
            .file("f", b"f")
            .dir("d", 0o755)
            .raw(entry.as_bytes(), b'1', target.as_bytes(), b"");
        let reason = refused(e.unpack(&t.bytes()), entry);
        assert!(reason.contains(why), "{target}: {reason}");
        e.assert_outside_untouched();
        assert!(!e.p("l").exists());
    }
}

#[test]
fn hard_links_share_the_inode() {
    let e = env();
    let mut t = Tb::new();
    t.file_with("bin/a", b"payload", 0o4755, 0, 0)
        .hardlink("bin/b", "bin/a")
        .hardlink("./other/c", "./bin/a")
        .symlink("s", "bin/a")
        .hardlink("s2", "s");
    e.unpack(&t.bytes()).unwrap();
    let a = fs::metadata(e.p("bin/a")).unwrap();
    let b = fs::metadata(e.p("bin/b")).unwrap();
    let c = fs::metadata(e.p("other/c")).unwrap();
    assert_eq!(a.ino(), b.ino());
    assert_eq!(a.ino(), c.ino());
    assert_eq!(a.nlink(), 3);
    assert_eq!(a.mode() & 0o7777, 0o4755);
    // A hard link to a symlink links the symlink itself.
    let s = fs::symlink_metadata(e.p("s")).unwrap();
    let s2 = fs::symlink_metadata(e.p("s2")).unwrap();
    assert!(s2.file_type().is_symlink());
    assert_eq!(s.ino(), s2.ino());
}

// ---------------------------------------------------------------- devices and types

fn allow_devices() -> UnpackLimits {
    UnpackLimits {
        allow_devices: true,
        ..UnpackLimits::default()
    }
}

/// A debootstrap-style /dev: char and block devices, a fifo, a hard link to a device node, and a
/// device entry with a body (a hostile or odd tar) that must not put the reader out of step.
fn rootfs_with_devices() -> Vec<u8> {
    let mut t = Tb::new();
    t.dir("./", 0o755)
        .dir("./dev", 0o755)
        .device("./dev/console", EntryType::Char, 5, 1)
        .device("./dev/null", EntryType::Char, 1, 3)
        .device("./dev/zero", EntryType::Char, 1, 5)
        .device("./dev/sda", EntryType::Block, 8, 0)
        .hardlink("./dev/null-too", "./dev/null")
        .fifo("./run/initctl", 0o600);
    let body = b"a body where none belongs";
    let mut h = hdr(EntryType::Block, 0o600, body.len() as u64);
    h.set_device_major(7).unwrap();
    h.set_device_minor(0).unwrap();
    t.b.append_data(&mut h, "dev/loop0", &body[..]).unwrap();
    t.file("./etc/hostname", b"deb\n")
        .hardlink("./etc/name", "./etc/hostname");
    t.bytes()
}

#[test]
fn devices_and_fifos_are_skipped_and_counted_by_default() {
    let e = env();
    let tar = rootfs_with_devices();
    let st = e.unpack(&tar).unwrap();
    assert_eq!(names(&e.dest), ["dev", "etc"]);
    // Nothing of /dev is left, and /run (only implied by the fifo) is not even created.
    assert!(names(&e.p("dev")).is_empty());
    assert!(!e.p("run").exists());
    assert_eq!(fs::read(e.p("etc/name")).unwrap(), b"deb\n");
    assert_eq!(st.skipped.count, 7);
    assert_eq!(st.skipped.first, ["/dev/console", "/dev/null", "/dev/zero"]);
    assert_eq!(
        st.skipped
            .summary("device node or fifo", "device nodes and fifos"),
        "7 device nodes and fifos (/dev/console, /dev/null, /dev/zero, …)"
    );
    // Every byte of the stream was read, skipped entries included: the diff_id covers them.
    assert_eq!(st.bytes, tar.len() as u64 - 512);
    assert_eq!(st.entries, 11);
    e.assert_outside_untouched();
}

#[test]
fn allow_devices_keeps_nodes_with_their_numbers() {
    let e = env();
    let st = e
        .unpack_with(&rootfs_with_devices(), &allow_devices())
        .unwrap();
    assert!(st.skipped.is_empty(), "{:?}", st.skipped);
    for (name, char, dev) in [
        ("dev/console", true, (5, 1)),
        ("dev/null", true, (1, 3)),
        ("dev/zero", true, (1, 5)),
        ("dev/sda", false, (8, 0)),
        ("dev/loop0", false, (7, 0)),
    ] {
        let md = fs::symlink_metadata(e.p(name)).unwrap();
        let ft = md.file_type();
        assert!(
            if char {
                ft.is_char_device()
            } else {
                ft.is_block_device()
            },
            "{name}"
        );
        assert_eq!(md.rdev(), libc::makedev(dev.0, dev.1), "{name}");
        assert_eq!(md.mode() & 0o7777, 0o600, "{name}");
    }
    let null = fs::symlink_metadata(e.p("dev/null")).unwrap();
    assert_eq!(
        null.ino(),
        fs::symlink_metadata(e.p("dev/null-too")).unwrap().ino()
    );
    assert!(fs::symlink_metadata(e.p("run/initctl"))
        .unwrap()
        .file_type()
        .is_fifo());
}

#[test]
fn a_path_made_again_after_a_skipped_node_can_be_linked() {
    let e = env();
    let mut t = Tb::new();
    t.device("null", EntryType::Char, 1, 3)
        .file("null", b"now a file")
        .hardlink("link", "null")
        .device("gone", EntryType::Block, 8, 1)
        .hardlink("dangling", "never-there");
    let r = e.unpack(&t.bytes());
    // A link to a path no entry ever made is still an error; the skipped device does not hide it.
    assert!(refused(r, "dangling").contains("does not exist"));
    let e = env();
    let mut t = Tb::new();
    t.file("x", b"file first")
        .device("x", EntryType::Char, 1, 3)
        .device("null", EntryType::Char, 1, 3)
        .file("null", b"now a file")
        .hardlink("link", "null");
    let st = e.unpack(&t.bytes()).unwrap();
    assert_eq!(st.skipped.count, 2);
    assert_eq!(fs::read(e.p("link")).unwrap(), b"now a file");
    // A left-out entry is as if absent: it does not replace what came before it.
    assert_eq!(fs::read(e.p("x")).unwrap(), b"file first");
}

#[test]
fn overlay_whiteout_devices_in_the_tar_are_fine() {
    for limits in [UnpackLimits::default(), allow_devices()] {
        let e = env();
        let mut t = Tb::new();
        t.device("gone", EntryType::Char, 0, 0)
            .fifo("pipe", 0o640)
            .file(".wh.other", b"");
        let st = e.unpack_with(&t.bytes(), &limits).unwrap();
        assert!(is_whiteout(&e.p("gone")));
        assert!(is_whiteout(&e.p("other")));
        if limits.allow_devices {
            assert!(st.skipped.is_empty());
            let md = fs::symlink_metadata(e.p("pipe")).unwrap();
            assert!(md.file_type().is_fifo());
            assert_eq!(md.mode() & 0o7777, 0o640);
            assert_eq!(md.mtime(), MTIME as i64);
        } else {
            // Whiteouts are never counted as skipped device nodes.
            assert_eq!(st.skipped.first, ["/pipe"]);
            assert!(!e.p("pipe").exists());
        }
    }
}

#[test]
fn device_entries_with_malformed_numbers_are_refused() {
    // The numbers decide whether a char device is a whiteout, so they are checked even when the
    // node would be left out.
    for limits in [UnpackLimits::default(), allow_devices()] {
        let e = env();
        let mut h = hdr(EntryType::Char, 0o600, 0);
        h.as_gnu_mut().unwrap().dev_major = *b"zz\0\0\0\0\0\0";
        h.set_path("dev/bad").unwrap();
        h.set_cksum();
        let mut t = Tb::new();
        t.b.append(&h, io::empty()).unwrap();
        let reason = refused(e.unpack_with(&t.bytes(), &limits), "dev/bad");
        assert!(reason.contains("major number"), "{reason}");
    }
}

#[test]
fn refuses_sparse_files() {
    let e = env();
    let mut t = Tb::new();
    t.raw(b"sparse", b'S', b"", b"");
    let reason = refused(e.unpack(&t.bytes()), "sparse");
    assert!(reason.contains("sparse"), "{reason}");

    // PAX-format sparse files look like regular files with GNU.sparse.* records.
    let e = env();
    let mut t = Tb::new();
    t.pax(&[("GNU.sparse.major", b"1"), ("GNU.sparse.minor", b"0")])
        .raw(b"GNUSparseFile.0/f", b'0', b"", b"data");
    let reason = refused(e.unpack(&t.bytes()), "GNUSparseFile.0/f");
    assert!(reason.contains("sparse"), "{reason}");
}

#[test]
fn refuses_unknown_entry_types() {
    for (flag, shown) in [(b'V', "'V'"), (b'D', "'D'"), (b'M', "'M'"), (0x01, "0x01")] {
        let e = env();
        let mut t = Tb::new();
        t.raw(b"weird", flag, b"", b"");
        let reason = refused(e.unpack(&t.bytes()), "weird");
        assert!(
            reason.contains(&format!("unsupported entry type {shown}")),
            "{reason}"
        );
    }
}

#[test]
fn skips_pax_global_headers() {
    let e = env();
    let mut h = hdr(EntryType::XGlobalHeader, 0o644, 0);
    let body = b"52 comment=6ad8a5d0ddfd06e1e1f43a6bd3b7e6a8e63f0c5a\n";
    h.set_size(body.len() as u64);
    h.set_path("pax_global_header").unwrap();
    h.set_cksum();
    let mut t = Tb::new();
    t.b.append(&h, &body[..]).unwrap();
    t.file("f", b"x");
    let st = e.unpack(&t.bytes()).unwrap();
    assert_eq!(names(&e.dest), ["f"]);
    assert_eq!(st.entries, 2);
}

// ---------------------------------------------------------------- limits and malformed streams

#[test]
fn too_many_entries() {
    let mut t = Tb::new();
    for i in 0..5 {
        t.file(&format!("f{i}"), b"x");
    }
    let tar = t.bytes();
    let e = env();
    let limits = UnpackLimits {
        max_entries: 4,
        ..UnpackLimits::default()
    };
    match e.unpack_with(&tar, &limits) {
        Err(UnpackError::TooManyEntries { limit: 4 }) => {}
        other => panic!("{other:?}"),
    }
    let e = env();
    let limits = UnpackLimits {
        max_entries: 5,
        ..UnpackLimits::default()
    };
    assert_eq!(e.unpack_with(&tar, &limits).unwrap().entries, 5);

    // Metadata headers count too: one file with a PAX header is two headers.
    let mut t = Tb::new();
    t.pax(&[("mtime", b"1")]).file("f", b"x");
    let e = env();
    let limits = UnpackLimits {
        max_entries: 1,
        ..UnpackLimits::default()
    };
    assert!(matches!(
        e.unpack_with(&t.bytes(), &limits),
        Err(UnpackError::TooManyEntries { limit: 1 })
    ));
}

/// An endless stream of one highly compressible file: the budget stops it.
#[test]
fn decompression_bomb_hits_max_bytes() {
    let e = env();
    let mut h = hdr(EntryType::Regular, 0o644, 1 << 40);
    h.set_path("bomb").unwrap();
    h.set_cksum();
    let stream = io::Cursor::new(h.as_bytes().to_vec()).chain(io::repeat(0));
    let limits = UnpackLimits {
        max_bytes: 4 << 20,
        ..UnpackLimits::default()
    };
    match unpack_layer(stream, &e.dest, &limits) {
        Err(UnpackError::TooManyBytes { limit }) => assert_eq!(limit, 4 << 20),
        other => panic!("{other:?}"),
    }

    // Within budget the byte count is what was consumed.
    let mut t = Tb::new();
    t.file("f", &[7u8; 3000]);
    let tar = t.bytes();
    let e = env();
    let st = e.unpack(&tar).unwrap();
    // Header, 3000 bytes padded to 3072, and the first end-of-archive block.
    assert_eq!(st.bytes, 512 + 3072 + 512);
    assert!(st.bytes <= tar.len() as u64);
}

/// A PAX header declaring 64 GiB followed by an endless stream: without the guard the tar crate
/// would try to read it all into memory.
#[test]
fn huge_metadata_headers_are_refused_without_reading_them() {
    for (flag, what) in [
        (b'x', "PAX extended header"),
        (b'g', "PAX global header"),
        (b'L', "GNU long name"),
        (b'K', "GNU long link"),
    ] {
        let e = env();
        let mut h = hdr(EntryType::new(flag), 0o644, 64 << 30);
        h.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
        h.set_cksum();
        let stream = io::Cursor::new(h.as_bytes().to_vec()).chain(io::repeat(b'a'));
        let started = std::time::Instant::now();
        let r = unpack_layer(stream, &e.dest, &UnpackLimits::default());
        let reason = refused(r, "././@LongLink");
        assert!(reason.contains(what), "{reason}");
        assert!(reason.contains(&(64u64 << 30).to_string()), "{reason}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

#[test]
fn pax_size_override_keeps_the_guard_in_step() {
    // The PAX size (5) overrides the header size (0); the guard must agree on where the next
    // header starts, or it would misread the following entries.
    let e = env();
    let mut t = Tb::new();
    t.pax(&[("size", b"5")]);
    let h = {
        let mut h = hdr(EntryType::Regular, 0o644, 0);
        h.set_path("five").unwrap();
        h.set_cksum();
        h
    };
    t.b.append(&h, &b"12345"[..]).unwrap();
    t.file("after", b"ok");
    let st = e.unpack(&t.bytes()).unwrap();
    assert_eq!(fs::read(e.p("five")).unwrap(), b"12345");
    assert_eq!(fs::read(e.p("after")).unwrap(), b"ok");
    assert_eq!(st.entries, 2);
}

#[test]
fn long_names_and_links_work() {
    let e = env();
    let long = format!("{}/{}", "d".repeat(120), "f".repeat(150));
    let mut t = Tb::new();
    t.file(&long, b"deep").hardlink(&format!("{long}2"), &long);
    e.unpack(&t.bytes()).unwrap();
    assert_eq!(fs::read(e.dest.join(&long)).unwrap(), b"deep");
    assert_eq!(fs::read(e.dest.join(format!("{long}2"))).unwrap(), b"deep");
}

#[test]
fn truncated_streams_are_tar_errors() {
    let mut t = Tb::new();
    t.file("a", &[1u8; 2000]).file("b", b"x");
    let tar = t.bytes();
    for cut in [100, 512 + 1000, 512 + 2048 + 200, 512 + 1999] {
        let e = env();
        match e.unpack(&tar[..cut]) {
            Err(UnpackError::Tar(err)) => assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof),
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

#[test]
fn bad_checksum_is_a_tar_error() {
    let mut t = Tb::new();
    t.file("a", b"x");
    let mut tar = t.bytes();
    tar[0] = b'b';
    let e = env();
    assert!(matches!(e.unpack(&tar), Err(UnpackError::Tar(_))));
}

/// Random damage to a valid layer must produce errors, never panics or escapes.
#[test]
fn mangled_streams_never_panic() {
    let mut t = Tb::new();
    t.dir("d", 0o755)
        .file("d/f", &[3u8; 700])
        .pax(&[("path", b"d/long"), ("SCHILY.xattr.user.k", b"v")])
        .file("x", b"y")
        .symlink("d/s", "../f")
        .hardlink("d/h", "d/f")
        .raw(b"d/.wh.f", b'0', b"", b"")
        .fifo("p", 0o644);
    let tar = t.bytes();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..400 {
        let mut m = tar.clone();
        for _ in 0..(1 + rnd() % 8) {
            let i = (rnd() as usize) % m.len();
            m[i] = rnd() as u8;
        }
        if rnd() % 4 == 0 {
            let cut = (rnd() as usize) % m.len();
            m.truncate(cut);
        }
        let e = env();
        let _ = e.unpack(&m);
        e.assert_outside_untouched();
    }
}

// ---------------------------------------------------------------- metadata

#[test]
fn modes_owners_and_special_bits() {
    let e = env();
    let mut t = Tb::new();
    t.dir_with("ro", 0o555, 0, 0)
        .file_with("ro/inside", b"i", 0o444, 0, 0)
        .dir_with("tmp", 0o1777, 0, 0)
        .dir_with("shared", 0o2775, 1000, 1001)
        .file_with("shared/f", b"x", 0o640, 1000, 1001)
        .file_with("suid", b"s", 0o4755, 0, 0)
        .file_with("sgid", b"g", 0o2711, 5, 6)
        .file_with("both", b"b", 0o6755, 7, 8);
    e.unpack(&t.bytes()).unwrap();
    let check = |rel: &str, mode: u32, uid: u32, gid: u32| {
        let md = fs::symlink_metadata(e.p(rel)).unwrap();
        assert_eq!(md.mode() & 0o7777, mode, "{rel}");
        assert_eq!((md.uid(), md.gid()), (uid, gid), "{rel}");
        assert_eq!(md.mtime(), MTIME as i64, "{rel}");
    };
    check("ro", 0o555, 0, 0);
    check("ro/inside", 0o444, 0, 0);
    check("tmp", 0o1777, 0, 0);
    check("shared", 0o2775, 1000, 1001);
    check("shared/f", 0o640, 1000, 1001);
    check("suid", 0o4755, 0, 0);
    check("sgid", 0o2711, 5, 6);
    check("both", 0o6755, 7, 8);
}

#[test]
fn implicit_parents_are_root_owned_0755() {
    let e = env();
    let mut t = Tb::new();
    t.file_with("x/y/z", b"z", 0o600, 3, 3);
    e.unpack(&t.bytes()).unwrap();
    for d in ["x", "x/y"] {
        let md = fs::metadata(e.p(d)).unwrap();
        assert_eq!(md.mode() & 0o7777, 0o755);
        assert_eq!((md.uid(), md.gid()), (0, 0));
    }
}

#[test]
fn pax_owners_times_and_symlink_metadata() {
    let e = env();
    let mut t = Tb::new();
    t.pax(&[
        ("mtime", b"1234567890.123456789"),
        ("uid", b"3000000"),
        ("gid", b"3000001"),
        ("uname", b"ignored"),
    ])
    .file("f", b"x")
    .pax(&[("mtime", b"-1.5")])
    .file("old", b"o")
    .pax(&[("mtime", b"1500000000.25"), ("uid", b"44"), ("gid", b"55")])
    .symlink("l", "f")
    .pax(&[("mtime", b"1400000000.5")])
    .dir("d", 0o700)
    .file("d/child", b"c");
    e.unpack(&t.bytes()).unwrap();
    let f = fs::symlink_metadata(e.p("f")).unwrap();
    assert_eq!((f.mtime(), f.mtime_nsec()), (1234567890, 123456789));
    assert_eq!((f.uid(), f.gid()), (3000000, 3000001));
    let old = fs::symlink_metadata(e.p("old")).unwrap();
    assert_eq!((old.mtime(), old.mtime_nsec()), (-2, 500_000_000));
    let l = fs::symlink_metadata(e.p("l")).unwrap();
    assert!(l.file_type().is_symlink());
    assert_eq!(fs::read_link(e.p("l")).unwrap(), Path::new("f"));
    assert_eq!((l.mtime(), l.mtime_nsec()), (1500000000, 250_000_000));
    assert_eq!((l.uid(), l.gid()), (44, 55));
    // The directory's mtime survives its child being written after it.
    let d = fs::symlink_metadata(e.p("d")).unwrap();
    assert_eq!((d.mtime(), d.mtime_nsec()), (1400000000, 500_000_000));
}

#[test]
fn refuses_out_of_range_owner() {
    let e = env();
    let mut t = Tb::new();
    t.pax(&[("uid", b"4294967296")]).file("f", b"x");
    let reason = refused(e.unpack(&t.bytes()), "f");
    assert!(
        reason.contains("uid 4294967296 is out of range"),
        "{reason}"
    );
}

#[test]
fn pax_time_parsing() {
    use extract::parse_pax_time;
    let t = |s: &str| parse_pax_time(s.as_bytes()).map(|t| (t.tv_sec, t.tv_nsec));
    assert_eq!(t("12"), Some((12, 0)));
    assert_eq!(t("12.5"), Some((12, 500_000_000)));
    assert_eq!(t("12.1234567891"), Some((12, 123_456_789)));
    assert_eq!(t("-3"), Some((-3, 0)));
    assert_eq!(t("-3.25"), Some((-4, 750_000_000)));
    assert_eq!(t(""), None);
    assert_eq!(t("."), None);
    assert_eq!(t("1e9"), None);
    assert_eq!(t("99999999999999999999"), None);
}

#[test]
fn pax_xattrs_round_trip() {
    // VFS_CAP_REVISION_2 with the effective bit: cap_net_raw (13) permitted.
    let mut cap = Vec::new();
    cap.extend_from_slice(&0x0200_0001u32.to_le_bytes());
    cap.extend_from_slice(&(1u32 << 13).to_le_bytes());
    cap.extend_from_slice(&0u32.to_le_bytes());
    cap.extend_from_slice(&0u32.to_le_bytes());
    cap.extend_from_slice(&0u32.to_le_bytes());
    let e = env();
    let mut t = Tb::new();
    t.pax(&[
        ("SCHILY.xattr.user.comment", b"hello"),
        ("SCHILY.xattr.trusted.note", b"t"),
        ("SCHILY.xattr.security.capability", &cap),
        (
            "SCHILY.xattr.security.selinux",
            b"system_u:object_r:shadow_t:s0",
        ),
        ("SCHILY.xattr.trusted.overlay.redirect", b"/etc"),
        ("SCHILY.xattr.trusted.overlay.opaque", b"y"),
    ])
    .file_with("ping", b"elf", 0o4755, 0, 0)
    .pax(&[
        ("SCHILY.xattr.user.dir", b"d"),
        ("SCHILY.xattr.trusted.overlay.opaque", b"y"),
    ])
    .dir("d", 0o555)
    .file("d/x", b"x");
    e.unpack(&t.bytes()).unwrap();
    let f = e.p("ping");
    assert_eq!(xattr(&f, "user.comment").as_deref(), Some(&b"hello"[..]));
    assert_eq!(xattr(&f, "trusted.note").as_deref(), Some(&b"t"[..]));
    assert_eq!(xattr(&f, "security.capability"), Some(cap));
    assert_eq!(xattr(&f, "trusted.overlay.redirect"), None);
    assert_eq!(xattr(&f, "trusted.overlay.opaque"), None);
    assert_ne!(
        xattr(&f, "security.selinux").as_deref(),
        Some(&b"system_u:object_r:shadow_t:s0"[..])
    );
    // Owner and setuid survive setting the capability.
    let md = fs::metadata(&f).unwrap();
    assert_eq!(md.mode() & 0o7777, 0o4755);
    let d = e.p("d");
    assert_eq!(xattr(&d, "user.dir").as_deref(), Some(&b"d"[..]));
    assert_eq!(xattr(&d, "trusted.overlay.opaque"), None);
    assert_eq!(fs::metadata(&d).unwrap().mode() & 0o7777, 0o555);
}

// ---------------------------------------------------------------- overlay form

#[test]
fn whiteouts_and_opaque_dirs_become_overlay_form() {
    let e = env();
    let mut t = Tb::new();
    t.dir("etc", 0o755)
        .file("etc/.wh.motd", b"")
        .dir("var", 0o755)
        .file("var/.wh..wh..opq", b"")
        .file("var/new", b"n")
        .file(".wh..wh.plnk", b"")
        .raw(b".wh..wh.aufs", b'0', b"", b"")
        .file("keep", b"k")
        .file(".wh.keep", b"")
        .dir("tree/sub", 0o755)
        .file("tree/sub/f", b"f")
        .file(".wh.tree", b"");
    e.unpack(&t.bytes()).unwrap();
    assert!(is_whiteout(&e.p("etc/motd")));
    let md = fs::symlink_metadata(e.p("etc/motd")).unwrap();
    assert_eq!((md.uid(), md.gid()), (0, 0));
    assert!(!e.p("etc/.wh.motd").exists());
    assert_eq!(
        xattr(&e.p("var"), "trusted.overlay.opaque").as_deref(),
        Some(&b"y"[..])
    );
    assert!(!e.p("var/.wh..wh..opq").exists());
    assert_eq!(fs::read(e.p("var/new")).unwrap(), b"n");
    assert!(!e.p(".wh..wh.plnk").exists());
    // A whiteout removes what this layer created before it, recursively.
    assert!(is_whiteout(&e.p("keep")));
    assert!(is_whiteout(&e.p("tree")));
    assert_eq!(names(&e.dest), ["etc", "keep", "tree", "var"]);
}

#[test]
fn refuses_whiteouts_without_a_name() {
    for name in ["a/.wh.", "a/.wh..", "a/.wh..."] {
        let e = env();
        let mut t = Tb::new();
        t.raw(name.as_bytes(), b'0', b"", b"");
        let reason = refused(e.unpack(&t.bytes()), name);
        assert!(reason.contains("does not name a file"), "{reason}");
    }
    let e = env();
    let mut t = Tb::new();
    t.raw(b"../.wh.secret", b'0', b"", b"");
    refused(e.unpack(&t.bytes()), "../.wh.secret");
    e.assert_outside_untouched();
}

#[test]
fn duplicates_replace_earlier_entries() {
    let e = env();
    let mut t = Tb::new();
    t.file("f", b"first")
        .file_with("f", b"second", 0o600, 0, 0)
        .dir("fd", 0o755)
        .file("fd/child", b"c")
        .dir("fd/sub", 0o700)
        .file("fd", b"now a file")
        .file("df", b"file")
        .dir("df", 0o710)
        .dir_with("dd", 0o755, 0, 0)
        .file("dd/kept", b"k")
        .dir_with("dd", 0o700, 9, 9)
        .symlink("sf", "f")
        .file("sf", b"plain")
        .fifo("ff", 0o644)
        .symlink("ff", "f");
    e.unpack(&t.bytes()).unwrap();
    assert_eq!(fs::read(e.p("f")).unwrap(), b"second");
    assert_eq!(fs::metadata(e.p("f")).unwrap().mode() & 0o777, 0o600);
    assert_eq!(fs::read(e.p("fd")).unwrap(), b"now a file");
    let df = fs::symlink_metadata(e.p("df")).unwrap();
    assert!(df.is_dir());
    assert_eq!(df.mode() & 0o7777, 0o710);
    let dd = fs::metadata(e.p("dd")).unwrap();
    assert_eq!(dd.mode() & 0o7777, 0o700);
    assert_eq!((dd.uid(), dd.gid()), (9, 9));
    assert_eq!(fs::read(e.p("dd/kept")).unwrap(), b"k");
    assert!(fs::symlink_metadata(e.p("sf")).unwrap().is_file());
    assert!(fs::symlink_metadata(e.p("ff"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn stats_count_members_and_bytes() {
    let e = env();
    let mut t = Tb::new();
    t.dir("d", 0o755)
        .pax(&[("SCHILY.xattr.user.a", b"b")])
        .file("d/f", b"abc")
        .symlink("s", "d/f");
    let tar = t.bytes();
    let st = e.unpack(&tar).unwrap();
    assert_eq!(st.entries, 3);
    // Everything up to and including the first end-of-archive block.
    assert_eq!(st.bytes, tar.len() as u64 - 512);
}

// ---------------------------------------------------------------- overlay mount and flatten

/// The two-layer image of the overlay and flatten tests.
fn two_layers(top: &Path) -> (PathBuf, PathBuf) {
    let lower = top.join("lower");
    let upper = top.join("upper");
    fs::create_dir(&lower).unwrap();
    fs::create_dir(&upper).unwrap();
    let mut t = Tb::new();
    t.dir("a", 0o755)
        .file("a/x", b"ax")
        .dir("b", 0o755)
        .file("b/y", b"by")
        .file("c", b"c")
        .dir("e", 0o755)
        .file("e/old", b"old");
    unpack_layer(&t.bytes()[..], &lower, &UnpackLimits::default()).unwrap();
    let mut t = Tb::new();
    t.file(".wh.c", b"")
        .dir("b", 0o750)
        .file("b/.wh..wh..opq", b"")
        .file("b/z", b"bz")
        .file("e", b"e is a file now");
    unpack_layer(&t.bytes()[..], &upper, &UnpackLimits::default()).unwrap();
    (lower, upper)
}

fn check_merged(root: &Path) {
    assert_eq!(names(root), ["a", "b", "e"]);
    assert_eq!(fs::read(root.join("a/x")).unwrap(), b"ax");
    assert_eq!(names(&root.join("b")), ["z"]);
    assert_eq!(fs::read(root.join("b/z")).unwrap(), b"bz");
    assert_eq!(fs::metadata(root.join("b")).unwrap().mode() & 0o7777, 0o750);
    assert_eq!(fs::read(root.join("e")).unwrap(), b"e is a file now");
}

#[test]
fn overlay_mount_shows_the_merged_view() {
    let tmp = tempfile::tempdir().unwrap();
    let (lower, upper) = two_layers(tmp.path());
    let merged = tmp.path().join("merged");
    fs::create_dir(&merged).unwrap();
    let opts = format!("lowerdir={}:{}", upper.display(), lower.display());
    let out = std::process::Command::new("mount")
        .args(["-t", "overlay", "overlay", "-o", &opts])
        .arg(&merged)
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            eprintln!(
                "skipping overlay test: mount failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            return;
        }
        Err(err) => {
            eprintln!("skipping overlay test: cannot run mount: {err}");
            return;
        }
    }
    let result = std::panic::catch_unwind(|| check_merged(&merged));
    let _ = std::process::Command::new("umount").arg(&merged).status();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

#[test]
fn flatten_gives_the_merged_view() {
    let tmp = tempfile::tempdir().unwrap();
    let (lower, upper) = two_layers(tmp.path());
    let dest = tmp.path().join("flat");
    fs::create_dir(&dest).unwrap();
    flatten_layers(&[lower, upper], &dest).unwrap();
    check_merged(&dest);
    assert_eq!(xattr(&dest.join("b"), "trusted.overlay.opaque"), None);
}

#[test]
fn flatten_copies_links_metadata_and_special_files() {
    let tmp = tempfile::tempdir().unwrap();
    let l1 = tmp.path().join("l1");
    let l2 = tmp.path().join("l2");
    let dest = tmp.path().join("flat");
    for d in [&l1, &l2, &dest] {
        fs::create_dir(d).unwrap();
    }
    let mut t = Tb::new();
    t.dir("bin", 0o755)
        .file_with("bin/a", b"aaa", 0o4711, 0, 0)
        .hardlink("bin/b", "bin/a")
        .hardlink("c", "bin/a")
        .symlink("bin/sh", "/bin/busybox")
        .fifo("run/fifo", 0o620)
        .device("dev/null", EntryType::Char, 1, 3)
        .pax(&[("SCHILY.xattr.user.k", b"v"), ("mtime", b"1000.5")])
        .file_with("x", b"x", 0o640, 11, 12)
        .dir("gone", 0o755)
        .file("gone/deep", b"d")
        .symlink("linkdir", "bin");
    let limits = allow_devices();
    unpack_layer(&t.bytes()[..], &l1, &limits).unwrap();
    let mut t = Tb::new();
    t.file(".wh.gone", b"")
        .dir("linkdir", 0o700)
        .file("linkdir/inside", b"i")
        .dir("bin", 0o711);
    unpack_layer(&t.bytes()[..], &l2, &limits).unwrap();
    flatten_layers(&[l1, l2], &dest).unwrap();

    let a = fs::metadata(dest.join("bin/a")).unwrap();
    assert_eq!(a.mode() & 0o7777, 0o4711);
    assert_eq!(a.nlink(), 3);
    assert_eq!(a.ino(), fs::metadata(dest.join("bin/b")).unwrap().ino());
    assert_eq!(a.ino(), fs::metadata(dest.join("c")).unwrap().ino());
    assert_eq!(a.mtime(), MTIME as i64);
    assert_eq!(
        fs::read_link(dest.join("bin/sh")).unwrap(),
        Path::new("/bin/busybox")
    );
    assert_eq!(
        fs::symlink_metadata(dest.join("bin/sh")).unwrap().mtime(),
        MTIME as i64
    );
    let fifo = fs::symlink_metadata(dest.join("run/fifo")).unwrap();
    assert!(fifo.file_type().is_fifo());
    assert_eq!(fifo.mode() & 0o7777, 0o620);
    let null = fs::symlink_metadata(dest.join("dev/null")).unwrap();
    assert!(null.file_type().is_char_device());
    assert_eq!(null.rdev(), libc::makedev(1, 3));
    let x = fs::metadata(dest.join("x")).unwrap();
    assert_eq!((x.uid(), x.gid(), x.mode() & 0o7777), (11, 12, 0o640));
    assert_eq!((x.mtime(), x.mtime_nsec()), (1000, 500_000_000));
    assert_eq!(xattr(&dest.join("x"), "user.k").as_deref(), Some(&b"v"[..]));
    assert!(!dest.join("gone").exists());
    let ld = fs::symlink_metadata(dest.join("linkdir")).unwrap();
    assert!(ld.is_dir());
    assert_eq!(names(&dest.join("linkdir")), ["inside"]);
    // The upper layer's directory metadata wins, and lower contents stay.
    assert_eq!(
        fs::metadata(dest.join("bin")).unwrap().mode() & 0o7777,
        0o711
    );
    assert_eq!(names(&dest.join("bin")), ["a", "b", "sh"]);
}

#[test]
fn flatten_never_follows_destination_symlinks() {
    // Lower layer: `etc` is a symlink pointing outside; upper layer writes `etc/passwd`. In the
    // merged view the upper directory replaces the symlink; nothing is written through it.
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    let l1 = tmp.path().join("l1");
    let l2 = tmp.path().join("l2");
    let dest = tmp.path().join("flat");
    for d in [&outside, &l1, &l2, &dest] {
        fs::create_dir(d).unwrap();
    }
    let mut t = Tb::new();
    t.symlink("etc", outside.to_str().unwrap())
        .symlink("f", outside.join("target").to_str().unwrap());
    unpack_layer(&t.bytes()[..], &l1, &UnpackLimits::default()).unwrap();
    let mut t = Tb::new();
    t.dir("etc", 0o755)
        .file("etc/passwd", b"root")
        .file("f", b"plain");
    unpack_layer(&t.bytes()[..], &l2, &UnpackLimits::default()).unwrap();
    flatten_layers(&[l1, l2], &dest).unwrap();
    assert_eq!(names(&outside), Vec::<String>::new());
    assert!(fs::symlink_metadata(dest.join("etc")).unwrap().is_dir());
    assert_eq!(fs::read(dest.join("etc/passwd")).unwrap(), b"root");
    assert!(fs::symlink_metadata(dest.join("f")).unwrap().is_file());
}

// ---------------------------------------------------------------- comparison with umoci

/// Everything the comparison with umoci looks at, per path.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    fn walk(
        root: &Path,
        rel: &Path,
        out: &mut BTreeMap<String, String>,
        inodes: &mut BTreeMap<u64, String>,
    ) {
        let mut entries: Vec<_> = fs::read_dir(root.join(rel))
            .unwrap()
            .map(|e| e.unwrap())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for ent in entries {
            let r = rel.join(ent.file_name());
            let p = root.join(&r);
            let md = fs::symlink_metadata(&p).unwrap();
            let ft = md.file_type();
            let mut desc = format!("mode={:o} uid={} gid={}", md.mode(), md.uid(), md.gid());
            if ft.is_symlink() {
                desc += &format!(
                    " -> {} mtime={}.{:09}",
                    fs::read_link(&p).unwrap().display(),
                    md.mtime(),
                    md.mtime_nsec()
                );
            } else if ft.is_file() {
                desc += &format!(
                    " size={} data={:?} mtime={}.{:09}",
                    md.len(),
                    fs::read(&p).unwrap(),
                    md.mtime(),
                    md.mtime_nsec()
                );
                if md.nlink() > 1 {
                    let first = inodes
                        .entry(md.ino())
                        .or_insert_with(|| r.display().to_string());
                    desc += &format!(" link-group={first}");
                }
            } else if ft.is_char_device() || ft.is_block_device() {
                desc += &format!(" rdev={}", md.rdev());
            }
            if let Some(v) = xattr(&p, "user.k") {
                desc += &format!(" user.k={}", String::from_utf8_lossy(&v));
            }
            out.insert(r.display().to_string(), desc);
            if ft.is_dir() {
                walk(root, &r, out, inodes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, Path::new(""), &mut out, &mut BTreeMap::new());
    out
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

#[test]
fn flatten_matches_umoci_unpack() {
    if std::process::Command::new("umoci")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping umoci comparison: umoci not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut t = Tb::new();
    t.dir("./", 0o755)
        .dir("usr", 0o755)
        .dir("usr/bin", 0o755)
        .file_with("usr/bin/tool", b"tool", 0o4755, 0, 0)
        .hardlink("usr/bin/tool2", "usr/bin/tool")
        .symlink("usr/bin/sh", "tool")
        .dir_with("home", 0o750, 1000, 1000)
        .file_with("home/notes", b"notes", 0o600, 1000, 1000)
        .dir("etc", 0o755)
        .file("etc/motd", b"hello")
        .file("etc/keep", b"keep")
        .dir("var", 0o755)
        .dir("var/cache", 0o755)
        .file("var/cache/old", b"old")
        .dir("opt", 0o755)
        .file("opt/x", b"x")
        .file("fileish", b"f")
        .fifo("pipe", 0o644)
        .pax(&[("SCHILY.xattr.user.k", b"v"), ("mtime", b"1234.5")])
        .file("attrs", b"a");
    let l1 = t.bytes();
    let mut t = Tb::new();
    t.dir("etc", 0o711)
        .file("etc/.wh.motd", b"")
        .file("etc/new", b"new")
        .dir("var", 0o755)
        .dir("var/cache", 0o700)
        .file("var/cache/.wh..wh..opq", b"")
        .file("var/cache/fresh", b"fresh")
        .file(".wh.opt", b"")
        .dir("fileish", 0o755)
        .file("fileish/now", b"dir")
        .file("usr/bin/tool", b"replaced")
        .symlink("home", "/tmp");
    let l2 = t.bytes();

    // An OCI layout with both layers, for umoci.
    let layout = tmp.path().join("layout");
    let blobs = layout.join("blobs/sha256");
    fs::create_dir_all(&blobs).unwrap();
    let put = |data: &[u8]| -> (String, usize) {
        let h = sha256_hex(data);
        fs::write(blobs.join(&h), data).unwrap();
        (format!("sha256:{h}"), data.len())
    };
    let (d1, s1) = put(&l1);
    let (d2, s2) = put(&l2);
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{d1}","{d2}"]}}}}"#
    );
    let (dc, sc) = put(config.as_bytes());
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{dc}","size":{sc}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{d1}","size":{s1}}},{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{d2}","size":{s2}}}]}}"#
    );
    let (dm, sm) = put(manifest.as_bytes());
    fs::write(
        layout.join("index.json"),
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{dm}","size":{sm},"annotations":{{"org.opencontainers.image.ref.name":"t"}}}}]}}"#
        ),
    )
    .unwrap();
    fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    let bundle = tmp.path().join("bundle");
    let out = std::process::Command::new("umoci")
        .args(["unpack", "--image"])
        .arg(format!("{}:t", layout.display()))
        .arg(&bundle)
        .output()
        .unwrap();
    if !out.status.success() {
        eprintln!(
            "skipping umoci comparison: umoci unpack failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }

    let (p1, p2, flat) = (
        tmp.path().join("l1"),
        tmp.path().join("l2"),
        tmp.path().join("flat"),
    );
    for d in [&p1, &p2, &flat] {
        fs::create_dir(d).unwrap();
    }
    // umoci keeps fifos; so does allow_devices.
    unpack_layer(&l1[..], &p1, &allow_devices()).unwrap();
    unpack_layer(&l2[..], &p2, &allow_devices()).unwrap();
    flatten_layers(&[p1, p2], &flat).unwrap();

    // The snapshot leaves out directory mtimes, which are not part of the contract.
    let theirs = snapshot(&bundle.join("rootfs"));
    assert_eq!(snapshot(&flat), theirs);
    // Make sure the comparison saw the interesting cases.
    let keys: Vec<_> = theirs.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "attrs",
            "etc",
            "etc/keep",
            "etc/new",
            "fileish",
            "fileish/now",
            "home",
            "pipe",
            "usr",
            "usr/bin",
            "usr/bin/sh",
            "usr/bin/tool",
            "usr/bin/tool2",
            "var",
            "var/cache",
            "var/cache/fresh",
        ]
    );
    assert!(theirs["attrs"].contains("user.k=v"), "{}", theirs["attrs"]);
    assert!(
        theirs["attrs"].contains("mtime=1234.500000000"),
        "{}",
        theirs["attrs"]
    );
    assert!(theirs["home"].contains("-> /tmp"), "{}", theirs["home"]);
}
