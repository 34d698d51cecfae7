//! End-to-end tests of device nodes in images (issue 13): a signed rootfs layer (GNU tar of a
//! directory with char and block devices, a fifo and a unix socket, as debootstrap leaves them)
//! fetches by default with the nodes left out and named in one warning; `--allow-devices` keeps the
//! devices with their numbers (a layer already unpacked without them is reused with a warning until
//! `image gc` collects it); `image import` of the directory and of the tarball follows the same
//! rule. GNU tar itself drops the socket ("socket ignored"): a tar has no type for one.

use crate::store::{layout, sh, Env};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

const NAME: &str = "example.com/dev/rootfs:1";

/// The root filesystem: /dev nodes, a fifo, a socket and one ordinary file.
fn rootfs(e: &Env) -> PathBuf {
    let r = e.p("rootfs");
    let rs = r.display();
    sh(&format!(
        "mkdir -p {rs}/dev {rs}/run {rs}/etc && mknod {rs}/dev/console c 5 1 && \
         mknod {rs}/dev/null c 1 3 && mknod -m 0640 {rs}/dev/loop7 b 7 7 && \
         mkfifo {rs}/run/initctl && echo deb > {rs}/etc/hostname"
    ));
    // Dropping the listener leaves the socket file in place, which is all the test needs.
    std::os::unix::net::UnixListener::bind(r.join("run/app.sock")).unwrap();
    r
}

/// The rootfs as a tarball, in name order so the warning's first names are known.
fn tarball(e: &Env, r: &Path) -> PathBuf {
    let t = e.p("rootfs.tar");
    sh(&format!(
        "tar -C {} --sort=name --numeric-owner -cf {} .",
        r.display(),
        t.display()
    ));
    t
}

/// A signed OCI layout holding the tarball as its one layer, with its key trusted for NAME.
fn signed_layout(e: &Env, tar: &Path) -> (String, String) {
    let bytes = std::fs::read(tar).unwrap();
    let l = layout(e, "layout", &bytes, |_, _| {});
    let src = format!("oci:{}:1", l.display());
    let key = e.p("release");
    e.ok(&["key", "gen", "--out", key.to_str().unwrap()]);
    let k = key.with_extension("key");
    e.ok(&[
        "image",
        "sign",
        &src,
        "--identity",
        NAME,
        "--key",
        k.to_str().unwrap(),
    ]);
    let p = key.with_extension("pub");
    let prefix = "example.com/dev";
    e.ok(&[
        "trust",
        "add",
        "--yes",
        "--prefix",
        prefix,
        p.to_str().unwrap(),
    ]);
    (src, liftoff::digest::Digest::of(&bytes).hex().to_string())
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Fetches `src` as NAME (verified) and returns stderr.
fn fetch(e: &Env, src: &str, extra: &[&str]) -> String {
    let mut a = vec!["fetch", src, "--as", NAME];
    a.extend_from_slice(extra);
    let o = e.run(&a);
    assert!(o.status.success(), "fetch {extra:?} failed: {}", stderr(&o));
    stderr(&o)
}

/// Asserts `p` is a device node of that kind with those numbers.
fn assert_node(p: &Path, char: bool, major: u32, minor: u32) {
    let md = std::fs::symlink_metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let ft = md.file_type();
    let kind_ok = if char {
        ft.is_char_device()
    } else {
        ft.is_block_device()
    };
    assert!(kind_ok, "{} is not the right kind of device", p.display());
    assert_eq!(md.rdev(), libc::makedev(major, minor), "{}", p.display());
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn device_nodes_in_a_signed_layer_are_left_out_and_named_unless_allowed() {
    let e = Env::new();
    let r = rootfs(&e);
    let tar = tarball(&e, &r);
    let (src, diff_hex) = signed_layout(&e, &tar);

    let err = fetch(&e, &src, &[]);
    // One warning for the layer, naming the first nodes in layer order.
    assert_eq!(err.matches("skipped").count(), 1, "{err}");
    assert!(err.contains("liftoff: warning: layer sha256:"), "{err}");
    assert!(
        err.contains(": skipped 4 device nodes and fifos (/dev/console, /dev/loop7, /dev/null, …)"),
        "{err}"
    );
    assert!(err.contains("--allow-devices"), "{err}");
    // The image is verified: the signature covered the layer with its nodes, and its diff_id
    // (checked over the whole stream) matched.
    let insp = e.ok(&["image", "inspect", NAME, "--format", "json"]);
    let insp: serde_json::Value = serde_json::from_str(&insp).unwrap();
    assert_eq!(insp["provenance"]["verified"], true, "{insp}");
    let layer = e.root.join("layers/sha256").join(&diff_hex);
    assert!(names(&layer.join("dev")).is_empty(), "nodes left in /dev");
    assert!(
        names(&layer.join("run")).is_empty(),
        "fifo or socket left in /run"
    );
    assert_eq!(std::fs::read(layer.join("etc/hostname")).unwrap(), b"deb\n");

    assert!(e.root.join("layers/skipped").join(&diff_hex).is_file());
    // The layer is reused as unpacked: --allow-devices now says why it cannot add the nodes.
    let err = fetch(&e, &src, &["--allow-devices"]);
    assert!(
        err.contains("was unpacked earlier without its 4 device nodes and fifos"),
        "{err}"
    );
    assert!(names(&layer.join("dev")).is_empty());

    // The way out the warning gives: remove the image, collect, fetch again. The devices are
    // kept with their numbers then, and the record of what was left out went with the layer.
    e.ok(&["image", "rm", NAME]);
    e.ok(&["image", "gc"]);
    assert!(!layer.exists());
    assert!(!e.root.join("layers/skipped").join(&diff_hex).exists());
    let err = fetch(&e, &src, &["--allow-devices"]);
    assert!(
        !err.contains("skipped") && !err.contains("earlier"),
        "{err}"
    );
    assert_node(&layer.join("dev/console"), true, 5, 1);
    assert_node(&layer.join("dev/null"), true, 1, 3);
    assert_node(&layer.join("dev/loop7"), false, 7, 7);
    let loop7 = std::fs::metadata(layer.join("dev/loop7")).unwrap();
    assert_eq!(loop7.permissions().mode() & 0o7777, 0o640);
    let fifo = std::fs::symlink_metadata(layer.join("run/initctl")).unwrap();
    assert!(fifo.file_type().is_fifo());
    assert!(!layer.join("run/app.sock").exists());
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn image_import_leaves_device_nodes_fifos_and_sockets_out_unless_allowed() {
    let e = Env::new();
    let r = rootfs(&e);
    let rs = r.to_str().unwrap();
    let extract = |name: &str, dir: &str| -> PathBuf {
        let out = e.p(dir);
        std::fs::create_dir(&out).unwrap();
        e.ok(&[
            "image",
            "extract",
            "--insecure-options=image",
            "--preserve-setid",
            name,
            out.to_str().unwrap(),
        ]);
        out
    };

    let o = e.run(&["image", "import", rs, "localhost/dev/plain:1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("skipped").count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "liftoff: warning: {rs}: skipped 5 device nodes, fifos and sockets \
             (/dev/console, /dev/loop7, /dev/null, …)"
        )),
        "{err}"
    );
    assert!(err.contains("--allow-devices"), "{err}");
    let out = extract("localhost/dev/plain:1", "plain");
    assert!(names(&out.join("dev")).is_empty());
    assert!(names(&out.join("run")).is_empty());
    assert_eq!(std::fs::read(out.join("etc/hostname")).unwrap(), b"deb\n");

    let o = e.run(&[
        "image",
        "import",
        "--allow-devices",
        rs,
        "localhost/dev/nodes:1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("skipped 1 socket (/run/app.sock); a tar layer cannot hold sockets"),
        "{err}"
    );
    let out = extract("localhost/dev/nodes:1", "nodes");
    assert_node(&out.join("dev/console"), true, 5, 1);
    assert_node(&out.join("dev/null"), true, 1, 3);
    assert_node(&out.join("dev/loop7"), false, 7, 7);
    assert!(std::fs::symlink_metadata(out.join("run/initctl"))
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(names(&out.join("run")), ["initctl"]);

    // A tarball is stored as it is and its nodes are left out when it is unpacked.
    let tar = tarball(&e, &r);
    let o = e.run(&[
        "image",
        "import",
        tar.to_str().unwrap(),
        "localhost/dev/tarball:1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(": skipped 4 device nodes and fifos (/dev/console, /dev/loop7, /dev/null, …)"),
        "{err}"
    );
    let out = extract("localhost/dev/tarball:1", "tarball");
    assert!(names(&out.join("dev")).is_empty());
}
