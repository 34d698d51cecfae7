//! End-to-end tests of publishing signed images: `image push` to Debian's `docker-registry` on
//! 127.0.0.1 and `image export` to OCI layouts and archives, each checked the way a consumer would
//! check it: a second liftoff with a fresh store and only the public key trusted fetches the result
//! and must verify it (and must refuse it when it was tampered with or signed by another key), and
//! skopeo and umoci read the layouts. Failures must exit 254 with a message naming the thing, and
//! leave neither a half-written index nor temp files (a full and a read-only tmpfs as targets).
//!
//! Needs root (fetch unpacks layers with their owners; the tmpfs targets are mounted), and
//! docker-registry, skopeo, openssl and umoci; like every test here it fails, never passes, when
//! it cannot run (see `require_tools`).

use super::*;

/// A one-image OCI layout under `dir` with two layers (gzip and zstd) and `content` in hello.txt,
/// plus `extra` bytes of incompressible data when asked; fetched into `e`'s store as `name`
/// without verification (it is signed there afterwards). Returns the image's digest.
fn stored_image(e: &Env, dir: &str, name: &str, content: &str, extra: usize) -> Digest {
    let mut l = Layout::new(&e.p(dir));
    let mut layers = vec![
        (vec![file("base.txt", "base layer")], Comp::Gzip),
        (vec![file("hello.txt", content)], Comp::Zstd),
    ];
    if extra > 0 {
        layers.push((vec![("big.bin".into(), noise(3, extra))], Comp::None));
    }
    let img = l.image(&layers, &host_arch());
    l.tag_image("1", &img);
    e.ok(&[
        "fetch",
        "--insecure-options=image",
        &l.oci("1"),
        "--as",
        name,
    ]);
    img.0
}

/// `image sign NAME --key KEY [--identity ID]` in `e`'s store.
fn sign(e: &Env, name: &str, key: &Path, identity: Option<&str>) {
    let mut args = vec!["image", "sign", name, "--key", key.to_str().unwrap()];
    if let Some(i) = identity {
        args.extend(["--identity", i]);
    }
    e.ok(&args);
}

/// A fresh liftoff (own store and trust store) trusting only `public` for `prefix`.
fn verifier(public: &Path, prefix: &str) -> Env {
    let v = Env::new();
    v.trust(public, prefix);
    v
}

/// Runs liftoff; returns (exit code, stdout, stderr).
fn outcome(e: &Env, args: &[&str]) -> (Option<i32>, String, String) {
    let o = e.liftoff(args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// Whether `e`'s store records `name` as verified.
fn verified(e: &Env, name: &str) -> bool {
    let insp: serde_json::Value = serde_json::from_str(&e.ok(&["image", "inspect", name])).unwrap();
    insp["provenance"]["verified"] == true
}

/// Number of layers of the registry's signature manifest for `digest` in `repo`.
fn registry_signatures(reg: &Registry, repo: &str, digest: &Digest) -> usize {
    let raw = run(
        "skopeo",
        &[
            "inspect",
            "--raw",
            "--tls-verify=false",
            &format!("docker://{}/{repo}:sha256-{}.sig", reg.host(), digest.hex()),
        ],
    );
    let m: serde_json::Value = serde_json::from_str(&raw).unwrap();
    m["layers"].as_array().unwrap().len()
}

/// Lines of the registry's access log that PUT something under `path_part`.
fn puts(reg: &Registry, path_part: &str) -> Vec<usize> {
    reg.log()
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("\"PUT /v2/") && l.contains(path_part))
        .map(|(i, _)| i)
        .collect()
}

/// Every file below `dir` whose name is an atomic writer's temp name.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            if liftoff_common::atomic::is_temp_name(&e.file_name().to_string_lossy()) {
                out.push(p);
            }
        }
    }
    out
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn push_carries_signatures_and_merges_with_the_registrys() {
    require_tools(&[]);
    let a = Env::new();
    let reg = Registry::plain(&a.p("reg"));
    let name = format!("{}/pub/app:1", reg.host());
    let src = format!("docker://{name}");
    let prefix = format!("{}/pub", reg.host());
    // A 4 MiB layer among them, streamed from its store file in many reads.
    let digest = stored_image(&a, "work/layout", &name, "pushed and signed", 4 << 20);
    let (k1, pub1) = a.keypair("one");
    let (k2, pub2) = a.keypair("two");
    let (k3, pub3) = a.keypair("three");
    sign(&a, &name, &k1, None);

    let out = a.ok(&["image", "push", &name, &src, "--insecure-options=http"]);
    assert_eq!(out.trim(), format!("{name} {digest} 1 signature(s)"));
    assert_eq!(reg.digest("pub/app:1"), digest.to_string());
    assert_eq!(registry_signatures(&reg, "pub/app", &digest), 1);
    // The tag was PUT last: after every blob and after the signature manifest.
    let tag_puts = puts(&reg, "/pub/app/manifests/1 ");
    assert_eq!(tag_puts.len(), 1, "{}", reg.log());
    let others = puts(&reg, "/pub/app/");
    assert!(
        others.iter().all(|i| *i <= tag_puts[0]),
        "something was PUT after the tag: {}",
        reg.log()
    );
    assert!(puts(&reg, "/pub/app/manifests/sha256-").len() == 1);

    // A fresh store trusting only the public key fetches it verified; one trusting another key
    // refuses it (so verification really ran).
    let b = verifier(&pub1, &prefix);
    b.ok(&["fetch", "--insecure-options=http", &src]);
    assert!(verified(&b, &name));
    assert_eq!(b.extract(&name, "hello.txt"), "pushed and signed");
    let other = verifier(&pub2, &prefix);
    let err = other.refused(&["fetch", "--insecure-options=http", &src]);
    assert!(err.contains("failed verification"), "{err}");

    // A signature added in the registry only, then a second key's in the store and a second push:
    // the registry ends up with all three; no image blob is uploaded again.
    a.ok(&[
        "image",
        "sign",
        &src,
        "--key",
        k3.to_str().unwrap(),
        "--insecure-options=http",
    ]);
    sign(&a, &name, &k2, None);
    let out = a.ok(&["image", "push", &name, &src, "--insecure-options=http"]);
    assert_eq!(out.trim(), format!("{name} {digest} 2 signature(s)"));
    assert_eq!(registry_signatures(&reg, "pub/app", &digest), 3);
    // The image's own blobs (config and layers) went up once, in the first push only.
    let m: serde_json::Value = serde_json::from_slice(
        &std::fs::read(a.root.join("images/blobs/sha256").join(digest.hex())).unwrap(),
    )
    .unwrap();
    let blobs = std::iter::once(&m["config"]).chain(m["layers"].as_array().unwrap());
    for b in blobs {
        let hex = b["digest"].as_str().unwrap().trim_start_matches("sha256:");
        let uploads = puts(&reg, &format!("digest=sha256%3A{hex}"));
        assert_eq!(uploads.len(), 1, "blob {hex} uploaded again: {}", reg.log());
    }
    for (public, what) in [
        (&pub1, "first"),
        (&pub2, "second"),
        (&pub3, "registry-only"),
    ] {
        let v = verifier(public, &prefix);
        v.ok(&["fetch", "--insecure-options=http", &src]);
        assert!(verified(&v, &name), "{what} key");
    }
    assert_tmp_empty(&a.root);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn push_warns_when_unsigned_and_fails_clearly() {
    require_tools(&[]);
    let a = Env::new();
    let reg = Registry::plain(&a.p("reg"));
    let name = format!("{}/pub/plain:1", reg.host());
    let src = format!("docker://{name}");
    let digest = stored_image(&a, "work/layout", &name, "never signed", 0);

    // Unsigned: pushed, with a loud warning that says what happens and what to do.
    let (code, out, err) = outcome(
        &a,
        &["image", "push", &name, &src, "--insecure-options=http"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), format!("{name} {digest} 0 signature(s)"));
    assert!(
        err.contains("warning:")
            && err.contains("NO signatures")
            && err.contains("refuse")
            && err.contains("liftoff image sign"),
        "{err}"
    );
    // ... and the warning is right: a verifying puller refuses it.
    let (_, public) = a.keypair("k");
    let b = verifier(&public, &format!("{}/pub", reg.host()));
    let refused = b.refused(&["fetch", "--insecure-options=http", &src]);
    assert!(refused.contains("no signatures"), "{refused}");
    // Signed for another name than the one it is pushed as: warned too.
    let (key, _) = a.keypair("k2");
    sign(&a, &name, &key, Some("example.com/elsewhere:1"));
    let (code, _, err) = outcome(
        &a,
        &["image", "push", &name, &src, "--insecure-options=http"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("vouches for") && err.contains("--identity"),
        "{err}"
    );

    // An unreachable registry, and references that are not a place to push: 254, clear, no
    // Rust debug text, the store unchanged.
    let dead = format!("127.0.0.1:{}", free_port());
    let out = a.refused(&[
        "image",
        "push",
        &name,
        &format!("docker://{dead}/pub/plain:1"),
        "--insecure-options=http",
    ]);
    assert!(
        out.contains("cannot reach registry") && out.contains(&dead),
        "{out}"
    );
    let cases: [(String, &str); 4] = [
        (
            format!("{}/pub/plain:1", reg.host()),
            "docker://HOST/REPO:TAG",
        ),
        (format!("docker://{}/Pub//x:1", reg.host()), "not valid"),
        (
            format!("docker://{}/pub/plain@{digest}", reg.host()),
            "names a tag",
        ),
        (format!("oci:{}", a.p("work/x").display()), "image export"),
    ];
    for (dest, want) in &cases {
        let out = a.refused(&["image", "push", &name, dest, "--insecure-options=http"]);
        assert!(out.contains(want), "{dest}: {out}");
        assert!(!out.contains("Error {") && !out.contains("kind:"), "{out}");
    }
    let out = a.refused(&["image", "push", "no-such-image:1", &src]);
    assert!(out.contains("image list"), "{out}");

    // A layer the store does not have as a blob: refused before anything is pushed, naming the
    // layer and the way out.
    let gone = format!("{}/pub/gone:1", reg.host());
    let d = stored_image(&a, "work/layout2", &gone, "layer will vanish", 0);
    let m: serde_json::Value = serde_json::from_slice(
        &std::fs::read(a.root.join("images/blobs/sha256").join(d.hex())).unwrap(),
    )
    .unwrap();
    let layer = m["layers"][1]["digest"].as_str().unwrap().to_string();
    std::fs::remove_file(
        a.root
            .join("images/blobs/sha256")
            .join(layer.trim_start_matches("sha256:")),
    )
    .unwrap();
    let out = a.refused(&[
        "image",
        "push",
        &gone,
        &format!("docker://{gone}"),
        "--insecure-options=http",
    ]);
    assert!(
        out.contains(&layer) && out.contains("layer 2") && out.contains("liftoff fetch"),
        "{out}"
    );
    assert!(
        !reg.log().contains("/v2/pub/gone/"),
        "something was sent for the broken image"
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn push_of_a_partly_stored_index_says_why_it_is_refused() {
    require_tools(&[]);
    let a = Env::new();
    let reg = Registry::plain(&a.p("reg"));
    let mut l = Layout::new(&a.p("work/multi"));
    let other = if host_arch() == "arm64" {
        "amd64"
    } else {
        "arm64"
    };
    let mine = l.image(&[(vec![file("p.txt", "mine")], Comp::Gzip)], &host_arch());
    let theirs = l.image(&[(vec![file("p.txt", "theirs")], Comp::Gzip)], other);
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mine.0.to_string(), "size": mine.1, "platform": {"os": "linux", "architecture": host_arch()}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": theirs.0.to_string(), "size": theirs.1, "platform": {"os": "linux", "architecture": other}},
        ],
    }))
    .unwrap();
    let idx = l.blob(&index);
    l.tag("1", "application/vnd.oci.image.index.v1+json", &idx);
    let name = format!("{}/pub/multi:1", reg.host());
    a.ok(&[
        "fetch",
        "--insecure-options=image",
        &l.oci("1"),
        "--as",
        &name,
    ]);
    let (key, _) = a.keypair("k");
    sign(&a, &name, &key, None);
    // The store has the index and this platform's manifest only: the registry refuses the index,
    // and the message says why and what to do; the tag is not created.
    let o = a.liftoff(&[
        "image",
        "push",
        &name,
        &format!("docker://{name}"),
        "--insecure-options=http",
    ]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(254), "{err}");
    assert!(
        err.contains("1 of 2 platform manifests")
            && err.contains("1 of its 2 platform manifests")
            && err.contains("skopeo copy --all"),
        "{err}"
    );
    let tag = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{name}"))
        .output()
        .unwrap();
    assert!(!tag.status.success(), "the tag exists after a refused push");
    // An export carries what the store has, with a warning, and reads back on this platform.
    let dir = a.p("work/out");
    let (code, _, err) = outcome(
        &a,
        &["image", "export", &name, &format!("oci:{}", dir.display())],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("1 of 2 platform manifests"), "{err}");
    run("skopeo", &["inspect", &format!("oci:{}:1", dir.display())]);
}

/// A tmpfs mounted at a test directory, unmounted (by path) on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        run(
            "mount",
            &[
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "tmpfs",
                dir.to_str().unwrap(),
            ],
        );
        Tmpfs(dir.to_path_buf())
    }

    fn remount(&self, opt: &str) {
        run(
            "mount",
            &["-o", &format!("remount,{opt}"), self.0.to_str().unwrap()],
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn export_to_layout_and_archive_verifies_on_a_fresh_store() {
    require_tools(&["umoci"]);
    let a = Env::new();
    let name = "localhost/pubapp:1";
    let identity = "example.com/pub/app:1";
    let digest = stored_image(&a, "work/src", name, "exported and signed", 0);
    let (key, public) = a.keypair("k");
    sign(&a, name, &key, Some(identity));
    let dir = a.p("work/out/layout");
    let dir_s = dir.to_str().unwrap();

    // A new layout (parents created), the top manifest under the image's tag, the signature
    // manifest beside it.
    let out = a.ok(&["image", "export", name, &format!("oci:{dir_s}")]);
    assert_eq!(out.trim(), format!("oci:{dir_s}:1 {digest} 1 signature(s)"));
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let refs: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["annotations"]["org.opencontainers.image.ref.name"]
                .as_str()
                .unwrap()
        })
        .collect();
    let sig_ref = format!("sha256-{}.sig", digest.hex());
    assert_eq!(refs, vec!["1", sig_ref.as_str()], "{index}");
    assert!(temp_files(&dir).is_empty());

    // skopeo and umoci read it.
    let insp = run("skopeo", &["inspect", &format!("oci:{dir_s}:1")]);
    let insp: serde_json::Value = serde_json::from_str(&insp).unwrap();
    assert_eq!(insp["Digest"], digest.to_string());
    let listed = run("umoci", &["ls", "--layout", dir_s]);
    assert!(listed.lines().any(|l| l.trim() == "1"), "{listed}");
    run("umoci", &["stat", "--image", &format!("{dir_s}:1")]);

    // A fresh store trusting only the public key verifies it; under a name the signature does
    // not vouch for, it refuses it.
    let b = verifier(&public, "example.com/pub");
    b.ok(&["fetch", &format!("oci:{dir_s}:1"), "--as", identity]);
    assert!(verified(&b, identity));
    assert_eq!(b.extract(identity, "hello.txt"), "exported and signed");
    let err = b.refused(&[
        "fetch",
        &format!("oci:{dir_s}:1"),
        "--as",
        "example.com/pub/other:1",
    ]);
    assert!(err.contains("failed verification"), "{err}");

    // Added to an existing layout: a second ref and a second image, the first entries kept, one
    // signature entry per digest.
    let other = "localhost/second:2";
    let d2 = stored_image(&a, "work/src2", other, "second image", 0);
    sign(&a, other, &key, Some("example.com/pub/second:2"));
    a.ok(&["image", "export", name, &format!("oci:{dir_s}:stable")]);
    a.ok(&["image", "export", other, &format!("oci:{dir_s}")]);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let mut refs: Vec<String> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["annotations"]["org.opencontainers.image.ref.name"].to_string())
        .collect();
    refs.sort();
    assert_eq!(refs.len(), 5, "{index}");
    assert!(index
        .to_string()
        .contains(&format!("sha256-{}.sig", d2.hex())));
    b.ok(&[
        "fetch",
        &format!("oci:{dir_s}:2"),
        "--as",
        "example.com/pub/second:2",
    ]);
    b.ok(&["fetch", &format!("oci:{dir_s}:stable"), "--as", identity]);

    // A tampered manifest blob in a copy of the layout: refused.
    let copy = a.p("work/out/tampered");
    run("cp", &["-a", dir_s, copy.to_str().unwrap()]);
    let mblob = copy.join("blobs/sha256").join(digest.hex());
    // Same size, other bytes: caught by the digest, not by a size check.
    let text = std::fs::read_to_string(&mblob).unwrap();
    assert!(text.contains("application/"), "{text}");
    std::fs::write(&mblob, text.replacen("application/", "Application/", 1)).unwrap();
    let fresh = verifier(&public, "example.com/pub");
    let err = fresh.refused(&[
        "fetch",
        &format!("oci:{}:1", copy.display()),
        "--as",
        identity,
    ]);
    assert!(
        err.contains("does not match") && err.contains(&digest.to_string()),
        "{err}"
    );

    // An archive: a tar of such a layout, verified on a fresh store, read by skopeo; never
    // overwritten without --force.
    let tar = a.p("work/out/app.tar");
    let tar_s = tar.to_str().unwrap();
    let out = a.ok(&["image", "export", name, &format!("oci-archive:{tar_s}")]);
    assert_eq!(
        out.trim(),
        format!("oci-archive:{tar_s}:1 {digest} 1 signature(s)")
    );
    let listing = run("tar", &["tf", tar_s]);
    for member in [
        "oci-layout".to_string(),
        "index.json".to_string(),
        format!("blobs/sha256/{}", digest.hex()),
    ] {
        assert!(listing.lines().any(|l| l == member), "{member}: {listing}");
    }
    let c = verifier(&public, "example.com/pub");
    c.ok(&["fetch", &format!("oci-archive:{tar_s}"), "--as", identity]);
    assert!(verified(&c, identity));
    let insp = run("skopeo", &["inspect", &format!("oci-archive:{tar_s}:1")]);
    assert!(insp.contains(&digest.to_string()), "{insp}");
    let before = std::fs::read(&tar).unwrap();
    let err = a.refused(&["image", "export", other, &format!("oci-archive:{tar_s}")]);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&tar).unwrap(), before);
    a.ok(&[
        "image",
        "export",
        "--force",
        other,
        &format!("oci-archive:{tar_s}"),
    ]);
    assert!(temp_files(&a.p("work/out")).is_empty());
    let c2 = verifier(&public, "example.com/pub");
    c2.ok(&[
        "fetch",
        &format!("oci-archive:{tar_s}"),
        "--as",
        "example.com/pub/second:2",
    ]);
    assert_tmp_empty(&a.root);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn failed_exports_leave_nothing_half_written() {
    require_tools(&[]);
    let a = Env::new();
    let small = "localhost/small:1";
    let big = "localhost/big:1";
    stored_image(&a, "work/s", small, "small", 0);
    stored_image(&a, "work/b", big, "big", 2 << 20);
    let (key, _) = a.keypair("k");
    sign(&a, small, &key, None);
    sign(&a, big, &key, None);

    // The store itself is not a place to export to.
    let out = a.refused(&[
        "image",
        "export",
        small,
        &format!("oci:{}:x", a.root.join("images").display()),
    ]);
    assert!(out.contains("own store"), "{out}");
    // Not a layout: a file, and a directory with other things in it. Both left as they were.
    let f = a.p("work/afile");
    std::fs::write(&f, "not a layout").unwrap();
    let out = a.refused(&["image", "export", small, &format!("oci:{}", f.display())]);
    assert!(out.contains("not a directory"), "{out}");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "not a layout");
    let d = a.p("work/notalayout");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("mine.txt"), "x").unwrap();
    let out = a.refused(&["image", "export", small, &format!("oci:{}", d.display())]);
    assert!(out.contains("not an OCI image layout"), "{out}");
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    assert!(temp_files(&a.p("work")).is_empty());

    // A full target: the big image does not fit. A layout the export created is gone again.
    let full = Tmpfs::mount(&a.p("work/full"), "512k");
    let lay = full.0.join("layout");
    let lay_s = lay.to_str().unwrap().to_string();
    let out = a.refused(&["image", "export", big, &format!("oci:{lay_s}")]);
    assert!(out.contains("No space left"), "{out}");
    assert_eq!(std::fs::read_dir(&full.0).unwrap().count(), 0);
    // Into an existing layout: its index is unchanged and no temp file is left.
    a.ok(&["image", "export", small, &format!("oci:{lay_s}")]);
    let index = std::fs::read(lay.join("index.json")).unwrap();
    let out = a.refused(&["image", "export", big, &format!("oci:{lay_s}")]);
    assert!(out.contains("No space left"), "{out}");
    assert_eq!(std::fs::read(lay.join("index.json")).unwrap(), index);
    assert!(temp_files(&full.0).is_empty(), "{:?}", temp_files(&full.0));
    // An archive that does not fit: no file, no temp file.
    let tar = full.0.join("big.tar");
    let out = a.refused(&[
        "image",
        "export",
        big,
        &format!("oci-archive:{}", tar.display()),
    ]);
    assert!(out.contains("No space left"), "{out}");
    assert!(!tar.exists());
    assert!(temp_files(&full.0).is_empty(), "{:?}", temp_files(&full.0));

    // A read-only target: refused, the layout as it was.
    full.remount("ro");
    let out = a.refused(&["image", "export", small, &format!("oci:{lay_s}:other")]);
    assert!(out.contains("Read-only file system"), "{out}");
    full.remount("rw");
    assert_eq!(std::fs::read(lay.join("index.json")).unwrap(), index);
    assert!(temp_files(&full.0).is_empty(), "{:?}", temp_files(&full.0));
    // What is there still reads.
    run("skopeo", &["inspect", &format!("oci:{lay_s}:1")]);
    assert_tmp_empty(&a.root);
}
