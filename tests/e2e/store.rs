//! End-to-end tests of the foundation (issue 2): images made by umoci, buildah and skopeo round-trip
//! through fetch and unpack exactly as `umoci unpack` sees them; hostile layers and broken images are
//! refused with 254 and an unchanged store; concurrent and interrupted fetches end consistent; the
//! store is a layout skopeo reads; import, list, inspect, rm and gc behave.

use liftoff::digest::Digest;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub(crate) struct Env {
    tmp: tempfile::TempDir,
    pub(crate) root: PathBuf,
}

impl Env {
    /// Panics without root (`require_root`): a store test never returns early as a pass.
    pub(crate) fn new() -> Env {
        crate::require_root("store e2e tests (unpacking chowns files, overlay mounts)");
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        for d in ["keys", "vendor"] {
            std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        }
        let e = Env { tmp, root };
        e.ok(&["image", "list"]);
        e
    }
    pub(crate) fn p(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_liftoff"));
        c.arg("--dir")
            .arg(&self.root)
            .arg("--keys")
            .arg(self.p("keys"))
            .arg("--vendor-keys")
            .arg(self.p("vendor"));
        c.args(args);
        c
    }
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "liftoff {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
    fn fetch(&self, src: &str, extra: &[&str]) -> Output {
        let mut a = vec!["fetch", "--insecure-options=image", src];
        a.extend_from_slice(extra);
        self.run(&a)
    }
    /// A fetch that must fail with 254, leave the store as it was and name `needle`.
    fn refused(&self, src: &str, extra: &[&str], needle: &str) {
        let before = snapshot(&self.root);
        let o = self.fetch(src, extra);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(254), "{src} should be refused: {err}");
        assert!(
            err.contains(needle),
            "{src}: message lacks {needle:?}: {err}"
        );
        assert_eq!(
            before,
            snapshot(&self.root),
            "store changed after refusing {src}"
        );
    }
}

pub(crate) fn sh(cmd: &str) {
    let o = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        o.status.success(),
        "{cmd}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Paths and sizes under images/ and layers/; asserts tmp/ is empty.
fn snapshot(root: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("images"), root.join("layers")];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let md = std::fs::symlink_metadata(e.path()).unwrap();
            if md.is_dir() {
                stack.push(e.path());
            }
            out.push((
                e.path().strip_prefix(root).unwrap().display().to_string(),
                if md.is_file() { md.len() } else { 0 },
            ));
        }
    }
    assert_eq!(
        std::fs::read_dir(root.join("tmp"))
            .map(|r| r.count())
            .unwrap_or(0),
        0,
        "tmp/ is not empty"
    );
    out.sort();
    out
}

/// Everything about a tree that unpacking must keep: type, mode, owner, size, link target, xattr,
/// content hash, and which paths share an inode.
fn describe(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut inodes: std::collections::HashMap<u64, String> = Default::default();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let md = std::fs::symlink_metadata(&p).unwrap();
            let mut line = format!(
                "{rel} mode={:o} uid={} gid={}",
                md.mode(),
                md.uid(),
                md.gid()
            );
            if md.is_dir() {
                stack.push(p.clone());
            } else if md.file_type().is_symlink() {
                line += &format!(" -> {}", std::fs::read_link(&p).unwrap().display());
            } else if md.is_file() {
                line += &format!(" sha={}", Digest::of(&std::fs::read(&p).unwrap()).hex());
                if md.nlink() > 1 {
                    let first = inodes
                        .entry(md.ino())
                        .or_insert_with(|| rel.clone())
                        .clone();
                    line += &format!(" link-group={first}");
                }
            }
            if let Ok(v) = xattr_get(&p, "user.test") {
                line += &format!(" user.test={v}");
            }
            out.push(line);
        }
    }
    out.sort();
    out
}

fn xattr_get(p: &Path, name: &str) -> Result<String, ()> {
    let mut buf = vec![0u8; 256];
    let n = rustix::fs::lgetxattr(p, name, &mut buf).map_err(|_| ())?;
    Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// An umoci-built two-layer image: ownership, setuid, symlink, hardlink, xattr; the second layer
/// deletes a file (whiteout) and replaces a directory's contents (opaque).
fn umoci_image(e: &Env) -> PathBuf {
    let l = e.p("umoci");
    let b = e.p("bundle");
    let ls = l.display();
    let bs = b.display();
    sh(&format!(
        "umoci init --layout {ls} && umoci new --image {ls}:1 && umoci unpack --image {ls}:1 {bs}"
    ));
    let r = format!("{bs}/rootfs");
    sh(&format!(
        "mkdir -p {r}/bin {r}/data/keep {r}/data/replace && cp /bin/busybox {r}/bin/ && ln -s busybox {r}/bin/sh && \
         echo owned > {r}/data/owned && chown 1234:5678 {r}/data/owned && cp /bin/busybox {r}/bin/su && chmod 4755 {r}/bin/su && \
         echo linked > {r}/data/a && ln {r}/data/a {r}/data/b && echo x > {r}/data/gone && echo old > {r}/data/replace/old && \
         setfattr -n user.test -v hello {r}/data/owned && umoci repack --image {ls}:1 {bs} && \
         rm {r}/data/gone && rm -r {r}/data/replace && mkdir {r}/data/replace && echo new > {r}/data/replace/new && \
         umoci repack --image {ls}:1 {bs} && rm -rf {bs}"
    ));
    l
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn umoci_image_round_trips_through_every_local_transport() {
    let e = Env::new();
    let l = umoci_image(&e);
    let ls = l.display().to_string();
    // What umoci itself unpacks is the reference.
    sh(&format!(
        "umoci unpack --image {ls}:1 {}",
        e.p("ref").display()
    ));
    let want = describe(&e.p("ref/rootfs"));
    assert!(
        want.iter().any(|x| x.starts_with("data/owned ")
            && x.contains("uid=1234 gid=5678")
            && x.contains("user.test=hello")),
        "{want:?}"
    );
    assert!(
        !want.iter().any(|x| x.starts_with("data/gone"))
            && !want.iter().any(|x| x.starts_with("data/replace/old"))
    );

    let archive = e.p("img.tar");
    let docker = e.p("docker.tar");
    let zstd = e.p("zstd");
    sh(&format!(
        "skopeo copy -q oci:{ls}:1 oci-archive:{}:1",
        archive.display()
    ));
    sh(&format!(
        "skopeo copy -q oci:{ls}:1 docker-archive:{}:example.com/rt/img:1",
        docker.display()
    ));
    sh(&format!(
        "skopeo copy -q --dest-compress-format zstd --dest-compress oci:{ls}:1 oci:{}:1",
        zstd.display()
    ));
    let sources = [
        (format!("oci:{ls}:1"), "example.com/rt/oci:1"),
        (
            format!("oci-archive:{}", archive.display()),
            "example.com/rt/archive:1",
        ),
        (
            format!("docker-archive:{}", docker.display()),
            "example.com/rt/docker:1",
        ),
        (format!("oci:{}:1", zstd.display()), "example.com/rt/zstd:1"),
    ];
    for (src, name) in &sources {
        let o = e.fetch(src, &["--as", name]);
        assert!(
            o.status.success(),
            "{src}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(String::from_utf8_lossy(&o.stderr).contains("UNVERIFIED"));
        let out = e.p(&format!("x-{}", name.replace(['/', ':'], "_")));
        e.ok(&[
            "image",
            "extract",
            "--insecure-options=image",
            "--preserve-setid",
            name,
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            describe(&out),
            want,
            "{src} unpacked differently from umoci"
        );
        // skopeo reads the store as an OCI layout.
        sh(&format!(
            "skopeo inspect oci:{}/images:{name} >/dev/null",
            e.root.display()
        ));
    }
    // Default naming from the layout's ref.
    let o = e.fetch(&format!("oci:{ls}:1"), &[]);
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("localhost/umoci:1 "),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // The unpacked layers, stacked by overlayfs, give the same tree (whiteouts, opaque dirs).
    let inspect: serde_json::Value = serde_json::from_str(&e.ok(&[
        "image",
        "inspect",
        "example.com/rt/oci:1",
        "--format",
        "json",
    ]))
    .unwrap();
    let lowers: Vec<String> = inspect["layers"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|x| x["path"].as_str().unwrap().to_string())
        .collect();
    let mnt = e.p("mnt");
    std::fs::create_dir(&mnt).unwrap();
    // A read-only overlay needs two lower dirs; an empty one at the bottom changes nothing.
    let empty = e.p("empty");
    std::fs::create_dir(&empty).unwrap();
    let mut lowers = lowers;
    lowers.push(empty.display().to_string());
    sh(&format!(
        "mount -t overlay overlay -o ro,lowerdir={} {}",
        lowers.join(":"),
        mnt.display()
    ));
    let seen = describe(&mnt);
    sh(&format!("umount {}", mnt.display()));
    assert_eq!(seen, want, "overlay view differs from umoci's");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn buildah_image_and_import_are_readable_by_skopeo() {
    let e = Env::new();
    let l = e.p("buildah");
    sh(&format!(
        "c=$(buildah --root {r} --runroot {rr} from scratch) && buildah --root {r} --runroot {rr} copy $c /bin/busybox /bin/busybox >/dev/null && \
         buildah --root {r} --runroot {rr} config --cmd '/bin/busybox echo hi' $c && buildah --root {r} --runroot {rr} commit -q $c oci:{l}:2 >/dev/null && \
         buildah --root {r} --runroot {rr} rm $c >/dev/null",
        r = e.p("b-root").display(),
        rr = e.p("b-run").display(),
        l = l.display()
    ));
    let o = e.fetch(
        &format!("oci:{}:2", l.display()),
        &["--as", "example.com/b/box:2"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = e.p("x");
    e.ok(&[
        "image",
        "extract",
        "--insecure-options=image",
        "example.com/b/box:2",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(out.join("bin/busybox")).unwrap(),
        std::fs::read("/bin/busybox").unwrap()
    );
    // import: deterministic, and skopeo reads it.
    let dir = e.p("imp");
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", dir.join("bin/busybox")).unwrap();
    let a = e.ok(&[
        "image",
        "import",
        dir.to_str().unwrap(),
        "example.com/i/a:1",
    ]);
    let b = e.ok(&[
        "image",
        "import",
        dir.to_str().unwrap(),
        "example.com/i/b:1",
    ]);
    assert_eq!(
        a.split_whitespace().nth(1),
        b.split_whitespace().nth(1),
        "import is not deterministic"
    );
    sh(&format!(
        "skopeo inspect oci:{}/images:example.com/i/a:1 >/dev/null",
        e.root.display()
    ));
}

/// A one-layer OCI layout from raw layer bytes; returns its dir. `tweak` may edit the manifest.
pub(crate) fn layout(
    e: &Env,
    dir: &str,
    layer: &[u8],
    tweak: impl Fn(&mut serde_json::Value, &mut serde_json::Value),
) -> PathBuf {
    let l = e.p(dir);
    std::fs::create_dir_all(l.join("blobs/sha256")).unwrap();
    std::fs::write(l.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let put = |b: &[u8]| {
        let d = Digest::of(b);
        std::fs::write(l.join("blobs/sha256").join(d.hex()), b).unwrap();
        d
    };
    let ld = put(layer);
    let mut config = serde_json::json!({"architecture": liftoff::platform::Platform::host().architecture, "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [ld.to_string()]}});
    let mut manifest = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "", "size": 0},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld.to_string(), "size": layer.len()}]});
    tweak(&mut config, &mut manifest);
    let cb = serde_json::to_vec(&config).unwrap();
    let cd = put(&cb);
    if manifest["config"]["digest"] == "" {
        manifest["config"]["digest"] = cd.to_string().into();
        manifest["config"]["size"] = cb.len().into();
    }
    let mb = serde_json::to_vec(&manifest).unwrap();
    let md = put(&mb);
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": md.to_string(), "size": mb.len(), "annotations": {"org.opencontainers.image.ref.name": "1"}}]});
    std::fs::write(l.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    l
}

/// A tar with raw headers, so hostile names and types can be written.
fn raw_tar(entries: &[(&str, u8, &str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, link, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        h.set_entry_type(tar::EntryType::new(*kind));
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(data.len() as u64);
        if *kind == b'3' || *kind == b'4' {
            h.set_device_major(8).unwrap();
            h.set_device_minor(0).unwrap();
        }
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn hostile_layers_are_refused_and_nothing_escapes() {
    let e = Env::new();
    let outside = e.p("outside");
    std::fs::create_dir(&outside).unwrap();
    let target = format!("{}", outside.display());
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "dotdot",
            raw_tar(&[("../../../escape", b'0', "", b"x")]),
            "escape",
        ),
        (
            "absolute",
            raw_tar(&[("/etc/liftoff-e2e-abs", b'0', "", b"x")]),
            "liftoff-e2e-abs",
        ),
        (
            "symlink-through",
            raw_tar(&[("a", b'2', &target, b""), ("a/f", b'0', "", b"x")]),
            "a/f",
        ),
        (
            "hardlink-out",
            raw_tar(&[("h", b'1', "../../../../etc/passwd", b"")]),
            "h",
        ),
    ];
    for (name, tarball, needle) in cases {
        let l = layout(&e, name, &tarball, |_, _| {});
        e.refused(&format!("oci:{}:1", l.display()), &[], needle);
    }
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "a hostile layer wrote outside the store"
    );
    assert!(!Path::new("/etc/liftoff-e2e-abs").exists());
    // Bounds: a zero bomb and too many entries.
    let bomb = raw_tar(&[("zeros", b'0', "", &vec![0u8; 2_000_000])]);
    let l = layout(&e, "bomb", &bomb, |_, _| {});
    e.refused(
        &format!("oci:{}:1", l.display()),
        &["--max-layer-bytes", "1000000"],
        "layer expands to more than 1000000 bytes",
    );
    let many: Vec<(String, u8, &str, &[u8])> = (0..20)
        .map(|i| (format!("f{i}"), b'0', "", &b""[..]))
        .collect();
    let many_ref: Vec<(&str, u8, &str, &[u8])> = many
        .iter()
        .map(|(n, k, l, d)| (n.as_str(), *k, *l, *d))
        .collect();
    let l = layout(&e, "many", &raw_tar(&many_ref), |_, _| {});
    e.refused(
        &format!("oci:{}:1", l.display()),
        &["--max-layer-entries", "10"],
        "layer has more than 10 entries",
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn broken_images_are_refused_with_the_store_unchanged() {
    let e = Env::new();
    let good = raw_tar(&[("hello", b'0', "", b"hello")]);
    // Tampered layer: same name, other bytes.
    let l = layout(&e, "tampered", &good, |_, _| {});
    let ld = Digest::of(&good);
    std::fs::write(
        l.join("blobs/sha256").join(ld.hex()),
        raw_tar(&[("hello", b'0', "", b"HELLO")]),
    )
    .unwrap();
    e.refused(&format!("oci:{}:1", l.display()), &[], &ld.hex()[..12]);
    // Wrong size in the descriptor.
    let l = layout(&e, "size", &good, |_, m| m["layers"][0]["size"] = 7.into());
    e.refused(&format!("oci:{}:1", l.display()), &[], "size");
    // Wrong diff_id.
    let l = layout(&e, "diffid", &good, |c, _| {
        c["rootfs"]["diff_ids"][0] = format!("sha256:{}", "0".repeat(64)).into()
    });
    e.refused(&format!("oci:{}:1", l.display()), &[], "diff");
    // Missing blob.
    let l = layout(&e, "missing", &good, |_, _| {});
    std::fs::remove_file(l.join("blobs/sha256").join(ld.hex())).unwrap();
    e.refused(&format!("oci:{}:1", l.display()), &[], &ld.hex()[..12]);
    // Unknown layer media type; manifest media type that contradicts the index.
    let l = layout(&e, "mediatype", &good, |_, m| {
        m["layers"][0]["mediaType"] = "application/x-unknown".into()
    });
    e.refused(
        &format!("oci:{}:1", l.display()),
        &[],
        "application/x-unknown",
    );
    let l = layout(&e, "mismatch", &good, |_, m| {
        m["mediaType"] = "application/vnd.oci.image.index.v1+json".into()
    });
    e.refused(
        &format!("oci:{}:1", l.display()),
        &[],
        "descriptor says media type \"application/vnd.oci.image.manifest.v1+json\" but the document says \"application/vnd.oci.image.index.v1+json\"",
    );
    // Truncated archive.
    let l = layout(&e, "totrunc", &good, |_, _| {});
    let arch = e.p("trunc.tar");
    sh(&format!(
        "tar -C {} -cf {} . && truncate -s 2000 {}",
        l.display(),
        arch.display(),
        arch.display()
    ));
    e.refused(
        &format!("oci-archive:{}", arch.display()),
        &["--as", "example.com/t/t:1"],
        // Whatever order tar wrote the layout in, the cut falls inside the fourth header.
        &format!(
            "{}: is not a readable tar archive (truncated or corrupt?)",
            arch.display()
        ),
    );
    // An index that offers only other platforms names them.
    let idx = e.p("otherplat");
    let src = umoci_less_index(&e, &idx);
    e.refused(&src, &[], "s390x");
}

/// A layout whose index lists only a linux/s390x manifest.
fn umoci_less_index(e: &Env, dir: &Path) -> String {
    let good = raw_tar(&[("hello", b'0', "", b"hello")]);
    let l = layout(
        e,
        dir.file_name().unwrap().to_str().unwrap(),
        &good,
        |c, _| c["architecture"] = "s390x".into(),
    );
    let idx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(l.join("index.json")).unwrap()).unwrap();
    let m = &idx["manifests"][0];
    let inner = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"], "platform": {"os": "linux", "architecture": "s390x"}}]});
    let b = serde_json::to_vec(&inner).unwrap();
    let d = Digest::of(&b);
    std::fs::write(l.join("blobs/sha256").join(d.hex()), &b).unwrap();
    let top = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": d.to_string(), "size": b.len(), "annotations": {"org.opencontainers.image.ref.name": "1"}}]});
    std::fs::write(l.join("index.json"), serde_json::to_vec(&top).unwrap()).unwrap();
    format!("oci:{}:1", l.display())
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn concurrent_and_interrupted_fetches_end_consistent() {
    let e = Env::new();
    // Two images sharing a base layer (umoci), fetched 8 times at once under 4 names.
    let l = umoci_image(&e);
    let ls = l.display().to_string();
    sh(&format!("skopeo copy -q oci:{ls}:1 oci:{ls}:2"));
    let children: Vec<_> = (0..8)
        .map(|i| {
            e.cmd(&[
                "fetch",
                "--insecure-options=image",
                &format!("oci:{ls}:{}", 1 + i % 2),
                "--as",
                &format!("example.com/c/img{}:1", i % 4),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for ent in std::fs::read_dir(e.root.join("images/blobs/sha256"))
        .unwrap()
        .flatten()
    {
        let name = ent.file_name().to_string_lossy().into_owned();
        assert_eq!(
            Digest::of(&std::fs::read(ent.path()).unwrap()).hex(),
            name,
            "blob does not match its name"
        );
    }
    let list: serde_json::Value =
        serde_json::from_str(&e.ok(&["image", "list", "--format", "json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 4);

    // A fetch SIGKILLed mid-layer leaves only staging, which gc sweeps; the refetch succeeds.
    let big = e.p("bigsrc");
    std::fs::create_dir(&big).unwrap();
    sh(&format!(
        "head -c 200000000 /dev/urandom > {}/blob",
        big.display()
    ));
    e.ok(&[
        "image",
        "import",
        "--compression",
        "none",
        big.to_str().unwrap(),
        "example.com/c/big:1",
    ]);
    let out = e.p("big-layout");
    sh(&format!(
        "skopeo copy -q oci:{}/images:example.com/c/big:1 oci:{}:1",
        e.root.display(),
        out.display()
    ));
    e.ok(&["image", "rm", "example.com/c/big:1"]);
    e.ok(&["image", "gc"]);
    let mut c = e
        .cmd(&[
            "fetch",
            "--insecure-options=image",
            &format!("oci:{}:1", out.display()),
            "--as",
            "example.com/c/big:2",
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    c.kill().unwrap();
    let _ = c.wait();
    assert!(
        !e.ok(&["image", "list"]).contains("example.com/c/big:2"),
        "the fetch finished before it was killed; the interruption was not tested"
    );
    let o = e.fetch(
        &format!("oci:{}:1", out.display()),
        &["--as", "example.com/c/big:2"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    e.ok(&["image", "gc"]);
    assert_eq!(std::fs::read_dir(e.root.join("tmp")).unwrap().count(), 0);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn list_inspect_rm_and_gc() {
    let e = Env::new();
    let dir = e.p("d");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("f"), "one").unwrap();
    e.ok(&[
        "image",
        "import",
        dir.to_str().unwrap(),
        "example.com/g/one:1",
    ]);
    std::fs::write(dir.join("f"), "two").unwrap();
    e.ok(&[
        "image",
        "import",
        dir.to_str().unwrap(),
        "example.com/g/two:1",
    ]);
    let table = e.ok(&["image", "list"]);
    assert!(
        table.contains("example.com/g/one:1") && table.contains("VERIFIED"),
        "{table}"
    );
    let list: serde_json::Value =
        serde_json::from_str(&e.ok(&["image", "list", "--format", "json"])).unwrap();
    let one = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "example.com/g/one:1")
        .unwrap();
    assert_eq!(one["verified"], false);
    for k in ["digest", "size", "created"] {
        assert!(!one[k].is_null(), "{k} missing: {one}");
    }
    let insp: serde_json::Value = serde_json::from_str(&e.ok(&[
        "image",
        "inspect",
        "example.com/g/one:1",
        "--format",
        "json",
    ]))
    .unwrap();
    let layer = Path::new(insp["layers"][0]["path"].as_str().unwrap())
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    e.ok(&["image", "rm", "example.com/g/one:1"]);
    assert!(
        e.root.join("layers/sha256").join(&layer).exists(),
        "rm must leave blobs for gc"
    );
    let gc = e.ok(&["image", "gc"]);
    assert!(
        !e.root.join("layers/sha256").join(&layer).exists(),
        "gc left an unreferenced layer: {gc}"
    );
    e.ok(&["image", "inspect", "example.com/g/two:1"]);
    for (args, needle) in [
        (vec!["image", "inspect", "example.com/g/one:1"], "one"),
        (vec!["fetch", "bogus-transport:/x"], "bogus-transport"),
        (vec!["image", "rm", "UPPER/Case::"], "UPPER"),
    ] {
        let o = e.run(&args);
        assert_eq!(o.status.code(), Some(254), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(needle),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
