//! End-to-end tests of signatures and trust (issue 3): every threat of docs/trust.md refused with the
//! store unchanged, openssl interop, and the trust commands.

use liftoff::digest::Digest;
use liftoff::transport::layout_sign;
use liftoff::trust::{keys, payload, signature};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod algorithms;

struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    keys: PathBuf,
    vendor: PathBuf,
    work: PathBuf,
}

impl Env {
    /// Panics without root (`require_root`): a trust test never returns early as a pass.
    fn new() -> Env {
        crate::require_root("trust e2e tests (unpacking chowns files)");
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let keys = tmp.path().join("keys");
        let vendor = tmp.path().join("vendor");
        let work = tmp.path().join("work");
        for d in [&keys, &vendor, &work] {
            std::fs::create_dir_all(d).unwrap();
        }
        let e = Env {
            _tmp: tmp,
            root,
            keys,
            vendor,
            work,
        };
        // Create the store now, so the first refused command is compared against an existing one.
        e.ok(&["image", "list"]);
        e
    }

    fn liftoff(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .arg("--dir")
            .arg(&self.root)
            .arg("--keys")
            .arg(&self.keys)
            .arg("--vendor-keys")
            .arg(&self.vendor)
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.liftoff(args);
        assert!(
            o.status.success(),
            "liftoff {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).to_string()
    }

    /// Runs a command that must fail with 254 and leave the store as it was; returns stderr.
    fn refused(&self, args: &[&str]) -> String {
        let before = snapshot(&self.root);
        let o = self.liftoff(args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(
            o.status.code(),
            Some(254),
            "liftoff {args:?} should fail with 254: {err}"
        );
        assert_eq!(
            before,
            snapshot(&self.root),
            "store changed after refused {args:?}"
        );
        err
    }

    fn keypair(&self, name: &str) -> (PathBuf, PathBuf, String) {
        let prefix = self.work.join(name);
        let id = self
            .ok(&["key", "gen", "--out", prefix.to_str().unwrap()])
            .trim()
            .to_string();
        (
            prefix.with_extension("key"),
            prefix.with_extension("pub"),
            id,
        )
    }

    fn trust(&self, pubkey: &Path, prefix: &str) {
        self.ok(&[
            "trust",
            "add",
            "--yes",
            "--prefix",
            prefix,
            pubkey.to_str().unwrap(),
        ]);
    }

    /// A one-layer image in an OCI layout under `work/<dir>`, with ref name `reference`; distinct
    /// `content` gives distinct images.
    fn layout(&self, dir: &str, reference: &str, content: &str) -> PathBuf {
        let l = self.work.join(dir);
        write_layout(&l, reference, content);
        l
    }
}

/// Everything under images/ and layers/ (names and sizes), to prove a refusal changed nothing.
fn snapshot(root: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for sub in ["images", "layers"] {
        let base = root.join(sub);
        let mut stack = vec![base.clone()];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                let md = std::fs::symlink_metadata(&p).unwrap();
                if md.is_dir() {
                    stack.push(p.clone());
                }
                let len = if md.is_file() { md.len() } else { 0 };
                out.push((p.strip_prefix(root).unwrap().display().to_string(), len));
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir(root.join("tmp")) {
        assert_eq!(rd.count(), 0, "tmp/ is not empty");
    }
    out.sort();
    out
}

fn write_blob(dir: &Path, bytes: &[u8]) -> Digest {
    let d = Digest::of(bytes);
    std::fs::write(dir.join("blobs/sha256").join(d.hex()), bytes).unwrap();
    d
}

fn write_layout(l: &Path, reference: &str, content: &str) {
    std::fs::create_dir_all(l.join("blobs/sha256")).unwrap();
    std::fs::write(l.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(content.len() as u64);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, "hello.txt", content.as_bytes())
        .unwrap();
    let layer = b.into_inner().unwrap();
    let ld = write_blob(l, &layer);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": liftoff::platform::Platform::host().architecture,
        "os": "linux",
        "config": {"Cmd": ["/hello"]},
        "rootfs": {"type": "layers", "diff_ids": [ld.to_string()]},
    }))
    .unwrap();
    let cd = write_blob(l, &config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd.to_string(), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld.to_string(), "size": layer.len()}],
    }))
    .unwrap();
    let md = write_blob(l, &manifest);
    let mut index: serde_json::Value = std::fs::read(l.join("index.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| serde_json::json!({"schemaVersion": 2, "manifests": []}));
    let list = index["manifests"].as_array_mut().unwrap();
    list.retain(|v| {
        v.pointer("/annotations/org.opencontainers.image.ref.name")
            .and_then(|x| x.as_str())
            != Some(reference)
    });
    list.push(serde_json::json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": md.to_string(),
        "size": manifest.len(),
        "annotations": {"org.opencontainers.image.ref.name": reference},
    }));
    std::fs::write(l.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

fn top(l: &Path, reference: &str) -> Digest {
    layout_sign::top_digest(l, Some(reference)).unwrap()
}

/// Adds a signature made with `key` over arbitrary payload bytes.
fn inject(l: &Path, reference: &str, key: &Path, payload: Vec<u8>) {
    let k = keys::load_private(key, &liftoff::trust::passphrase::Passphrase::None).unwrap();
    let sig = signature::sign(&k, &payload);
    layout_sign::add_signature(l, &top(l, reference), payload, sig).unwrap();
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn signed_image_is_verified_and_recorded() {
    let e = Env::new();
    let (key, public, id) = e.keypair("release");
    e.trust(&public, "example.com/team");
    let l = e.layout("app", "1.4", "v1.4");
    let lp = format!("oci:{}:1.4", l.display());
    e.ok(&[
        "image",
        "sign",
        &lp,
        "--identity",
        "example.com/team/app:1.4",
        "--key",
        key.to_str().unwrap(),
    ]);
    let out = e.ok(&["fetch", &lp, "--as", "example.com/team/app:1.4"]);
    assert!(out.contains("example.com/team/app:1.4"), "{out}");
    let list: serde_json::Value =
        serde_json::from_str(&e.ok(&["image", "list", "--format", "json"])).unwrap();
    assert_eq!(list[0]["verified"], true, "{list}");
    let insp: serde_json::Value =
        serde_json::from_str(&e.ok(&["image", "inspect", "example.com/team/app:1.4"])).unwrap();
    assert_eq!(insp["provenance"]["key_ids"][0], id.as_str());
    assert_eq!(insp["provenance"]["identity"], "example.com/team/app:1.4");
    let v = e.ok(&["image", "verify", "example.com/team/app:1.4"]);
    assert!(v.contains("signature OK"), "{v}");
    // The signature travels with the image: skopeo copies the store image out, and the store's
    // signature manifest is listed under the cosign tag.
    let idx = std::fs::read_to_string(e.root.join("images/index.json")).unwrap();
    assert!(
        idx.contains(&format!(
            "example.com/team/app:sha256-{}.sig",
            top(&l, "1.4").hex()
        )),
        "{idx}"
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn unsigned_image_from_trusted_prefix_is_refused() {
    let e = Env::new();
    let (_, public, id) = e.keypair("k");
    e.trust(&public, "example.com/team");
    let l = e.layout("app", "1", "x");
    let err = e.refused(&[
        "fetch",
        &format!("oci:{}:1", l.display()),
        "--as",
        "example.com/team/app:1",
    ]);
    assert!(
        err.contains("no signatures") && err.contains(&id[..16]),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn untrusted_name_is_refused_with_the_way_out() {
    let e = Env::new();
    let l = e.layout("app", "1", "x");
    let err = e.refused(&[
        "fetch",
        &format!("oci:{}:1", l.display()),
        "--as",
        "example.com/other/app:1",
    ]);
    assert!(
        err.contains("example.com/other/app") && err.contains("liftoff trust add --prefix"),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn insecure_option_lets_one_fetch_through_loudly() {
    let e = Env::new();
    let l = e.layout("app", "1", "x");
    let o = e.liftoff(&[
        "fetch",
        "--insecure-options=image",
        &format!("oci:{}:1", l.display()),
        "--as",
        "example.com/x/app:1",
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("UNVERIFIED") && err.contains("insecure"),
        "{err}"
    );
    let list: serde_json::Value =
        serde_json::from_str(&e.ok(&["image", "list", "--format", "json"])).unwrap();
    assert_eq!(list[0]["verified"], false);
    // ... and verify refuses it later.
    e.refused(&["image", "verify", "example.com/x/app:1"]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn tampered_layer_and_config_are_refused() {
    let e = Env::new();
    let (key, public, _) = e.keypair("k");
    e.trust(&public, "example.com/team");
    for what in ["layer", "config"] {
        let l = e.layout(&format!("t-{what}"), "1", "payload-data");
        let lp = format!("oci:{}:1", l.display());
        e.ok(&[
            "image",
            "sign",
            &lp,
            "--identity",
            "example.com/team/app:1",
            "--key",
            key.to_str().unwrap(),
        ]);
        let m: serde_json::Value = serde_json::from_slice(
            &std::fs::read(l.join("blobs/sha256").join(top(&l, "1").hex())).unwrap(),
        )
        .unwrap();
        let d = if what == "layer" {
            m["layers"][0]["digest"].as_str().unwrap()
        } else {
            m["config"]["digest"].as_str().unwrap()
        };
        let p = l.join("blobs/sha256").join(&d[7..]);
        let mut bytes = std::fs::read(&p).unwrap();
        let n = bytes.len() - 2;
        bytes[n] ^= 1;
        std::fs::write(&p, bytes).unwrap();
        let err = e.refused(&["fetch", &lp, "--as", "example.com/team/app:1"]);
        assert!(err.contains("does not match"), "{what}: {err}");
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn swapped_manifest_and_swapped_tag_are_refused() {
    let e = Env::new();
    let (key, public, _) = e.keypair("k");
    e.trust(&public, "example.com/team");
    let k = key.to_str().unwrap();
    let l = e.layout("multi", "a", "image-a");
    write_layout(&l, "b", "image-b");
    write_layout(&l, "2.0", "image-2");
    let lp = |r: &str| format!("oci:{}:{r}", l.display());
    e.ok(&[
        "image",
        "sign",
        &lp("a"),
        "--identity",
        "example.com/team/a:1",
        "--key",
        k,
    ]);
    e.ok(&[
        "image",
        "sign",
        &lp("b"),
        "--identity",
        "example.com/team/b:1",
        "--key",
        k,
    ]);
    // b's validly signed manifest presented as a.
    let err = e.refused(&["fetch", &lp("b"), "--as", "example.com/team/a:1"]);
    assert!(
        err.contains("signature is for example.com/team/b:1"),
        "{err}"
    );
    // A signature for tag 1 presented for tag 2.
    let err = e.refused(&["fetch", &lp("a"), "--as", "example.com/team/a:2"]);
    assert!(err.contains("exact tag"), "{err}");
    // Another repository's signature.
    let err = e.refused(&["fetch", &lp("a"), "--as", "example.com/team/c:1"]);
    assert!(err.contains("signature is for"), "{err}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn key_used_outside_its_prefix_is_refused() {
    let e = Env::new();
    let (key, public, _) = e.keypair("k");
    e.trust(&public, "example.com/foo");
    let k = key.to_str().unwrap();
    let l = e.layout("x", "1", "x");
    let lp = format!("oci:{}:1", l.display());
    for name in [
        "example.com/foobar/app:1",
        "evil.com/foo/app:1",
        "evil.com/foo:1",
    ] {
        e.ok(&["image", "sign", &lp, "--identity", name, "--key", k]);
        let err = e.refused(&["fetch", &lp, "--as", name]);
        assert!(err.contains("no key is trusted"), "{name}: {err}");
    }
    // The identity must also lie under the key's prefix even when the requested name is trusted.
    let l2 = e.layout("y", "1", "y");
    let lp2 = format!("oci:{}:1", l2.display());
    e.ok(&[
        "image",
        "sign",
        &lp2,
        "--identity",
        "example.com/foobar/app:1",
        "--key",
        k,
    ]);
    let err = e.refused(&["fetch", &lp2, "--as", "example.com/foo/app:1"]);
    assert!(
        err.contains("outside the key's prefix") || err.contains("signature is for"),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn malformed_payloads_and_signatures_are_refused() {
    let e = Env::new();
    let (key, public, _) = e.keypair("k");
    e.trust(&public, "example.com/team");
    let name = "example.com/team/app:1";
    type MakePayload<'a> = Box<dyn Fn(&Digest) -> Vec<u8> + 'a>;
    let cases: Vec<(&str, MakePayload)> = vec![
        (
            "unknown critical field",
            Box::new(|d: &Digest| {
                format!(r#"{{"critical":{{"identity":{{"docker-reference":"{name}"}},"image":{{"docker-manifest-digest":"{d}"}},"type":"cosign container image signature","extra":1}},"optional":{{}}}}"#).into_bytes()
            }),
        ),
        (
            "duplicate keys",
            Box::new(|d: &Digest| {
                format!(r#"{{"critical":{{"identity":{{"docker-reference":"{name}"}},"image":{{"docker-manifest-digest":"{d}"}},"type":"cosign container image signature"}},"critical":{{}},"optional":{{}}}}"#).into_bytes()
            }),
        ),
        (
            "wrong type",
            Box::new(|d: &Digest| {
                format!(r#"{{"critical":{{"identity":{{"docker-reference":"{name}"}},"image":{{"docker-manifest-digest":"{d}"}},"type":"something else"}},"optional":{{}}}}"#).into_bytes()
            }),
        ),
        (
            "sha512 digest",
            Box::new(|_d: &Digest| {
                format!(r#"{{"critical":{{"identity":{{"docker-reference":"{name}"}},"image":{{"docker-manifest-digest":"sha512:{}"}},"type":"cosign container image signature"}},"optional":{{}}}}"#, "a".repeat(128)).into_bytes()
            }),
        ),
    ];
    for (i, (what, make)) in cases.iter().enumerate() {
        let l = e.layout(&format!("p{i}"), "1", &format!("content {i}"));
        let d = top(&l, "1");
        inject(&l, "1", &key, make(&d));
        let err = e.refused(&["fetch", &format!("oci:{}:1", l.display()), "--as", name]);
        assert!(err.contains("payload refused"), "{what}: {err}");
    }
    // A 65-byte signature over a good payload.
    let l = e.layout("sig65", "1", "sig65");
    let d = top(&l, "1");
    let p = payload::build(name, &d, "test", now());
    use base64::Engine as _;
    let sig65 = base64::engine::general_purpose::STANDARD.encode([7u8; 65]);
    layout_sign::add_signature(&l, &d, p, sig65).unwrap();
    let err = e.refused(&["fetch", &format!("oci:{}:1", l.display()), "--as", name]);
    assert!(err.contains("65"), "{err}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn ten_thousand_signatures_are_refused_quickly() {
    let e = Env::new();
    let (_, public, _) = e.keypair("k");
    e.trust(&public, "example.com/team");
    let l = e.layout("many", "1", "many");
    let d = top(&l, "1");
    let sigs: Vec<liftoff::cosign::RawSignature> = (0..10_000)
        .map(|i| liftoff::cosign::RawSignature {
            payload: format!("{i}").into_bytes(),
            signature: "AAAA".into(),
        })
        .collect();
    let (m, c) = liftoff::cosign::build_sig_manifest(&sigs);
    write_blob(&l, &c);
    let md = write_blob(&l, &m);
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(l.join("index.json")).unwrap()).unwrap();
    index["manifests"].as_array_mut().unwrap().push(serde_json::json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md.to_string(), "size": m.len(),
        "annotations": {"org.opencontainers.image.ref.name": format!("sha256-{}.sig", d.hex())},
    }));
    std::fs::write(l.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    let t = std::time::Instant::now();
    let err = e.refused(&[
        "fetch",
        &format!("oci:{}:1", l.display()),
        "--as",
        "example.com/team/app:1",
    ]);
    assert!(err.contains("signature"), "{err}");
    assert!(t.elapsed().as_secs() < 10);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn expired_signature_and_threshold_follow_policy() {
    let e = Env::new();
    let (key, public, _) = e.keypair("k");
    e.trust(&public, "example.com/team");
    std::fs::write(
        e.keys.join("policy.toml"),
        "default = \"reject\"\n[[prefix]]\nname = \"example.com/team\"\nmax_signature_age = \"1d\"\n[[prefix]]\nname = \"example.com/team/two\"\nthreshold = 2\n",
    )
    .unwrap();
    let l = e.layout("old", "1", "old");
    let d = top(&l, "1");
    inject(
        &l,
        "1",
        &key,
        payload::build("example.com/team/app:1", &d, "test", now() - 3 * 86400),
    );
    let err = e.refused(&[
        "fetch",
        &format!("oci:{}:1", l.display()),
        "--as",
        "example.com/team/app:1",
    ]);
    assert!(err.contains("older than max_signature_age"), "{err}");
    // Fresh signature passes.
    inject(
        &l,
        "1",
        &key,
        payload::build("example.com/team/app:1", &d, "test", now()),
    );
    e.ok(&[
        "fetch",
        &format!("oci:{}:1", l.display()),
        "--as",
        "example.com/team/app:1",
    ]);
    // Threshold 2 with one key.
    let l2 = e.layout("two", "1", "two");
    let d2 = top(&l2, "1");
    inject(
        &l2,
        "1",
        &key,
        payload::build("example.com/team/two/app:1", &d2, "test", now()),
    );
    let err = e.refused(&[
        "fetch",
        &format!("oci:{}:1", l2.display()),
        "--as",
        "example.com/team/two/app:1",
    ]);
    assert!(err.contains("2 distinct trusted keys"), "{err}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn masked_vendor_key_and_removed_key_stop_trust() {
    let e = Env::new();
    let (key, public, id) = e.keypair("vendor");
    // A vendor key, installed by hand as a package would.
    let vdir = e.vendor.join("prefix.d/example.com/team");
    std::fs::create_dir_all(&vdir).unwrap();
    std::fs::copy(&public, vdir.join(format!("{id}.pub"))).unwrap();
    let l = e.layout("v", "1", "v");
    let lp = format!("oci:{}:1", l.display());
    e.ok(&[
        "image",
        "sign",
        &lp,
        "--identity",
        "example.com/team/app:1",
        "--key",
        key.to_str().unwrap(),
    ]);
    e.ok(&["fetch", &lp, "--as", "example.com/team/app:1"]);
    e.ok(&["image", "verify", "example.com/team/app:1"]);
    // Mask it from the admin dir: trust rm writes the empty file.
    e.ok(&["trust", "rm", &id, "--prefix", "example.com/team"]);
    assert_eq!(
        std::fs::metadata(e.keys.join(format!("prefix.d/example.com/team/{id}.pub")))
            .unwrap()
            .len(),
        0
    );
    e.refused(&["fetch", &lp, "--as", "example.com/team/app:2"]);
    // The image already in the store is no longer verified either.
    let o = e.liftoff(&["image", "verify", "example.com/team/app:1"]);
    assert_eq!(o.status.code(), Some(254));
    let list: serde_json::Value =
        serde_json::from_str(&e.ok(&["image", "list", "--format", "json"])).unwrap();
    assert_eq!(list[0]["verified"], false);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn openssl_keys_and_signatures_interoperate() {
    let e = Env::new();
    if Command::new("openssl").arg("version").output().is_err() {
        panic!("openssl is needed for this test (apt-get install openssl)");
    }
    let k = e.work.join("ossl.key");
    let p = e.work.join("ossl.pub");
    assert!(Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&k)
        .status()
        .unwrap()
        .success());
    std::fs::set_permissions(&k, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    assert!(Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&k)
        .arg("-out")
        .arg(&p)
        .status()
        .unwrap()
        .success());
    e.trust(&p, "example.com/team");
    let l = e.layout("o", "1", "o");
    let lp = format!("oci:{}:1", l.display());
    // liftoff signs with the openssl key; openssl verifies liftoff's signature.
    e.ok(&[
        "image",
        "sign",
        &lp,
        "--identity",
        "example.com/team/app:1",
        "--key",
        k.to_str().unwrap(),
    ]);
    let d = top(&l, "1");
    let src = liftoff::transport::open(&liftoff::transport::SourceRef::OciLayout {
        path: l.clone(),
        reference: Some("1".into()),
    })
    .unwrap();
    let sigs = src.signatures(&d).unwrap();
    assert_eq!(sigs.len(), 1);
    use base64::Engine as _;
    std::fs::write(e.work.join("payload"), &sigs[0].payload).unwrap();
    std::fs::write(
        e.work.join("sig.bin"),
        base64::engine::general_purpose::STANDARD
            .decode(&sigs[0].signature)
            .unwrap(),
    )
    .unwrap();
    let v = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-rawin", "-inkey"])
        .arg(&p)
        .arg("-in")
        .arg(e.work.join("payload"))
        .arg("-sigfile")
        .arg(e.work.join("sig.bin"))
        .output()
        .unwrap();
    assert!(
        v.status.success(),
        "openssl could not verify liftoff's signature: {}",
        String::from_utf8_lossy(&v.stderr)
    );
    // openssl signs a payload; liftoff verifies it on fetch.
    let l2 = e.layout("o2", "1", "o2");
    let d2 = top(&l2, "1");
    std::fs::write(
        e.work.join("payload2"),
        payload::build("example.com/team/app2:1", &d2, "openssl", now()),
    )
    .unwrap();
    assert!(Command::new("openssl")
        .args(["pkeyutl", "-sign", "-rawin", "-inkey"])
        .arg(&k)
        .arg("-in")
        .arg(e.work.join("payload2"))
        .arg("-out")
        .arg(e.work.join("sig2.bin"))
        .status()
        .unwrap()
        .success());
    let sig2 = base64::engine::general_purpose::STANDARD
        .encode(std::fs::read(e.work.join("sig2.bin")).unwrap());
    layout_sign::add_signature(
        &l2,
        &d2,
        std::fs::read(e.work.join("payload2")).unwrap(),
        sig2,
    )
    .unwrap();
    e.ok(&[
        "fetch",
        &format!("oci:{}:1", l2.display()),
        "--as",
        "example.com/team/app2:1",
    ]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn trust_commands_list_add_and_refuse_without_confirmation() {
    let e = Env::new();
    let (_, public, id) = e.keypair("k");
    // No TTY and no --yes: refused.
    let o = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args([
            "--dir",
            e.root.to_str().unwrap(),
            "--keys",
            e.keys.to_str().unwrap(),
            "--vendor-keys",
            e.vendor.to_str().unwrap(),
        ])
        .args([
            "trust",
            "add",
            "--prefix",
            "example.com/team",
            public.to_str().unwrap(),
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(254));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    e.trust(&public, "example.com/team");
    let list: serde_json::Value =
        serde_json::from_str(&e.ok(&["trust", "list", "--format", "json"])).unwrap();
    assert_eq!(list[0]["keyid"], id.as_str());
    assert_eq!(list[0]["prefix"], "example.com/team");
    // An RSA key under 2048 bits is refused, naming its size.
    let rsa = e.work.join("rsa.pem");
    if Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "rsa",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
            "-out",
        ])
        .arg(&rsa)
        .status()
        .is_ok_and(|s| s.success())
    {
        let rsapub = e.work.join("rsa.pub");
        Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&rsa)
            .arg("-out")
            .arg(&rsapub)
            .status()
            .unwrap();
        let o = e.liftoff(&[
            "trust",
            "add",
            "--yes",
            "--prefix",
            "example.com/x",
            rsapub.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(254));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("1024 bits"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    e.ok(&["trust", "rm", &id, "--prefix", "example.com/team"]);
    let list: serde_json::Value =
        serde_json::from_str(&e.ok(&["trust", "list", "--format", "json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
}

/// The signature fixtures skopeo 1.9.3 made (shared/fixtures/signatures/README.md); missing ones
/// fail the test (never a silent pass).
fn skopeo_fixtures() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/signatures");
    assert!(
        dir.is_dir(),
        "the signature fixtures are missing: {}",
        dir.display()
    );
    dir
}

/// Copies an OCI layout (flat `blobs/sha256`) so that a test may change it.
fn copy_layout(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("blobs/sha256")).unwrap();
    for f in ["oci-layout", "index.json"] {
        std::fs::copy(from.join(f), to.join(f)).unwrap();
    }
    for b in std::fs::read_dir(from.join("blobs/sha256")).unwrap() {
        let b = b.unwrap();
        std::fs::copy(b.path(), to.join("blobs/sha256").join(b.file_name())).unwrap();
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn skopeo_ecdsa_p256_signature_verifies() {
    let e = Env::new();
    let fx = skopeo_fixtures();
    let p256 = e.work.join("p256-layout");
    let ed = e.work.join("ed25519-layout");
    copy_layout(&fx.join("p256-layout"), &p256);
    copy_layout(&fx.join("ed25519-layout"), &ed);
    e.trust(&fx.join("p256.pub"), "127.0.0.1:5000/fixtures");
    let list = e.ok(&["trust", "list"]);
    assert!(list.contains("ECDSA P-256"), "{list}");
    // Signed for another tag, or by a key that is not trusted: refused.
    let lp = format!("oci:{}:1", p256.display());
    let err = e.refused(&[
        "fetch",
        &lp,
        "--as",
        "127.0.0.1:5000/fixtures/p256/busybox:2",
    ]);
    assert!(err.contains("busybox:1"), "{err}");
    let err = e.refused(&[
        "fetch",
        &format!("oci:{}:1", ed.display()),
        "--as",
        "127.0.0.1:5000/fixtures/ed25519/busybox:1",
    ]);
    assert!(err.contains("failed verification"), "{err}");
    let out = e.ok(&[
        "fetch",
        &lp,
        "--as",
        "127.0.0.1:5000/fixtures/p256/busybox:1",
    ]);
    assert!(
        out.contains("127.0.0.1:5000/fixtures/p256/busybox:1"),
        "{out}"
    );
    let insp: serde_json::Value = serde_json::from_str(&e.ok(&[
        "image",
        "inspect",
        "127.0.0.1:5000/fixtures/p256/busybox:1",
    ]))
    .unwrap();
    assert_eq!(insp["provenance"]["scheme"], "ecdsa-p256-sha256", "{insp}");
}
