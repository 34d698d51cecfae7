//! End-to-end tests of fetching from registries (issue 4), against Debian's `docker-registry` (the
//! CNCF distribution registry) started here on 127.0.0.1 with a random port: plain HTTP, and TLS
//! (a throwaway CA made with openssl) with htpasswd basic auth. Images are pushed with skopeo.
//!
//! Each test owns its registries; a registry is killed by pid when its guard drops, even when the
//! test panics. Needs root (layers are unpacked with their owners), docker-registry, skopeo,
//! openssl and htpasswd (apache2-utils); skips with a message otherwise.

use liftoff::digest::Digest;
use std::io::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod hostile;
mod publish;

const PASSWORD: &str = "Pa55-w0rd-xyzzy-7319";
const USER: &str = "tester";

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether this machine can run the registry tests; says why not.
/// Root and the tools, or the test fails saying which is missing (never an early return as a pass).
fn require_tools(extra: &[&str]) {
    crate::require_root("registry e2e tests (unpacking chowns files)");
    for c in ["docker-registry", "skopeo", "openssl"].iter().chain(extra) {
        assert!(
            have(c),
            "registry e2e tests need {c} (apt-get install docker-registry skopeo openssl apache2-utils; tests/run.sh does)"
        );
    }
}

fn run(cmd: &str, args: &[&str]) -> String {
    let o = Command::new(cmd).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{cmd} {args:?} failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running docker-registry, killed (by pid) on drop.
struct Registry {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
    /// Paths of the TLS material when the registry speaks TLS: (ca.crt, certs.d root).
    tls: Option<(PathBuf, PathBuf)>,
}

impl Registry {
    fn plain(dir: &Path) -> Registry {
        Self::start(dir, None, None)
    }

    /// TLS with a fresh CA, and htpasswd basic auth for USER/PASSWORD.
    fn tls_auth(dir: &Path) -> Registry {
        std::fs::create_dir_all(dir).unwrap();
        let d = |f: &str| dir.join(f).display().to_string();
        run(
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &d("ca.key"),
                "-out",
                &d("ca.crt"),
                "-days",
                "2",
                "-subj",
                "/CN=liftoff test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        run(
            "openssl",
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &d("server.key"),
                "-out",
                &d("server.csr"),
                "-subj",
                "/CN=127.0.0.1",
            ],
        );
        std::fs::write(
            dir.join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &d("server.csr"),
                "-CA",
                &d("ca.crt"),
                "-CAkey",
                &d("ca.key"),
                "-CAcreateserial",
                "-out",
                &d("server.crt"),
                "-days",
                "2",
                "-extfile",
                &d("ext.cnf"),
            ],
        );
        let htp = run("htpasswd", &["-Bbn", USER, PASSWORD]);
        std::fs::write(dir.join("htpasswd"), htp.trim()).unwrap();
        let tls = format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            d("server.crt"),
            d("server.key"),
        );
        let auth = format!(
            "auth:\n  htpasswd:\n    realm: liftoff-test\n    path: {}\n",
            d("htpasswd")
        );
        Self::start(dir, Some(tls), Some(auth))
    }

    /// `tls`: lines for the http section; `auth`: an auth section.
    fn start(dir: &Path, tls: Option<String>, auth: Option<String>) -> Registry {
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let port = free_port();
        let mut cfg = format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("data").display()
        );
        let tls_paths = tls.is_some().then(|| {
            // The certs.d layout the containers tools use: <root>/<host:port>/ca.crt.
            let root = dir.join("certs.d");
            let hd = root.join(format!("127.0.0.1:{port}"));
            std::fs::create_dir_all(&hd).unwrap();
            std::fs::copy(dir.join("ca.crt"), hd.join("ca.crt")).unwrap();
            (dir.join("ca.crt"), root)
        });
        for section in [tls, auth].into_iter().flatten() {
            cfg.push_str(&section);
        }
        std::fs::write(dir.join("config.yml"), cfg).unwrap();
        let mut r = Registry {
            dir: dir.to_path_buf(),
            port,
            child: None,
            tls: tls_paths,
        };
        r.spawn();
        r
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("registry.log"))
            .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(self.dir.join("config.yml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not listen on {}: {}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL by pid.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("registry.log")).unwrap_or_default()
    }

    /// skopeo copy of `src` (any transport) to `repo:tag` in this registry.
    fn push(&self, src: &str, repo_tag: &str, extra: &[&str]) {
        let dest = format!("docker://{}/{repo_tag}", self.host());
        let mut args = vec!["copy", "--quiet"];
        let cert_dir;
        let creds = format!("{USER}:{PASSWORD}");
        match &self.tls {
            Some((_, root)) => {
                cert_dir = root.join(self.host()).display().to_string();
                args.extend(["--dest-cert-dir", &cert_dir, "--dest-creds", &creds]);
            }
            None => args.push("--dest-tls-verify=false"),
        }
        args.extend(extra);
        args.push(src);
        args.push(&dest);
        run("skopeo", &args);
    }

    /// The registry's own digest for repo:tag.
    fn digest(&self, repo_tag: &str) -> String {
        run(
            "skopeo",
            &[
                "inspect",
                "--tls-verify=false",
                "--format",
                "{{.Digest}}",
                &format!("docker://{}/{repo_tag}", self.host()),
            ],
        )
        .trim()
        .to_string()
    }

    fn blob_data(&self, d: &Digest) -> PathBuf {
        self.dir.join(format!(
            "data/docker/registry/v2/blobs/sha256/{}/{}/data",
            &d.hex()[..2],
            d.hex()
        ))
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A liftoff state root, trust stores and an isolated environment (no host auth files, config or
/// certs.d leak in).
struct Env {
    tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        for d in ["keys", "vendor", "home", "run", "certs.d", "work"] {
            std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        }
        std::fs::write(tmp.path().join("config.toml"), "").unwrap();
        let e = Env { tmp, root };
        e.ok(&["image", "list"]);
        e
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_liftoff"));
        c.arg("--dir")
            .arg(&self.root)
            .arg("--keys")
            .arg(self.p("keys"))
            .arg("--vendor-keys")
            .arg(self.p("vendor"))
            .arg("--config")
            .arg(self.p("config.toml"))
            .args(args)
            .env("HOME", self.p("home"))
            .env("XDG_RUNTIME_DIR", self.p("run"))
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("DOCKER_CONFIG")
            .env_remove("REGISTRY_AUTH_FILE")
            .env_remove("LIFTOFF_LOG")
            .stdin(Stdio::null());
        c
    }

    fn liftoff(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
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

    /// Runs a command that must fail with 254 and leave the store as it was; returns stdout+stderr.
    fn refused(&self, args: &[&str]) -> String {
        let before = snapshot(&self.root);
        let o = self.liftoff(args);
        let out = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(
            o.status.code(),
            Some(254),
            "liftoff {args:?} should fail with 254: {out}"
        );
        assert_eq!(
            before,
            snapshot(&self.root),
            "store changed after refused {args:?}"
        );
        out
    }

    fn keypair(&self, name: &str) -> (PathBuf, PathBuf) {
        let prefix = self.p("work").join(name);
        self.ok(&["key", "gen", "--out", prefix.to_str().unwrap()]);
        (prefix.with_extension("key"), prefix.with_extension("pub"))
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

    /// The content of `file` in the image's root filesystem.
    fn extract(&self, name: &str, file: &str) -> String {
        let dest = self.p(&format!("work/x-{}", Digest::of(name.as_bytes()).short()));
        let _ = std::fs::remove_dir_all(&dest);
        self.ok(&[
            "image",
            "extract",
            "--insecure-options=image",
            name,
            dest.to_str().unwrap(),
        ]);
        std::fs::read_to_string(dest.join(file)).unwrap()
    }
}

/// Everything under images/ and layers/ (names and sizes); asserts tmp/ is empty.
fn snapshot(root: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for sub in ["images", "layers"] {
        let mut stack = vec![root.join(sub)];
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
    assert_tmp_empty(root);
    out.sort();
    out
}

fn assert_tmp_empty(root: &Path) {
    if let Ok(rd) = std::fs::read_dir(root.join("tmp")) {
        let left: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        assert!(left.is_empty(), "tmp/ is not empty: {left:?}");
    }
}

#[derive(Clone, Copy)]
enum Comp {
    None,
    Gzip,
    Zstd,
}

/// A layer: files (path, content) and how to compress it.
type LayerSpec = (Vec<(String, Vec<u8>)>, Comp);

/// Builds OCI image layouts by hand (so tests control every byte).
struct Layout {
    dir: PathBuf,
    index: Vec<serde_json::Value>,
}

impl Layout {
    fn new(dir: &Path) -> Layout {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        Layout {
            dir: dir.to_path_buf(),
            index: Vec::new(),
        }
    }

    fn blob(&self, bytes: &[u8]) -> (Digest, usize) {
        let d = Digest::of(bytes);
        std::fs::write(self.dir.join("blobs/sha256").join(d.hex()), bytes).unwrap();
        (d, bytes.len())
    }

    /// An image of `layers` (each a list of (path, content)) for `arch`; returns the manifest's
    /// digest and size.
    fn image(&self, layers: &[LayerSpec], arch: &str) -> (Digest, usize) {
        let mut descs = Vec::new();
        let mut diff_ids = Vec::new();
        for (files, comp) in layers {
            let mut b = tar::Builder::new(Vec::new());
            for (name, content) in files {
                let mut h = tar::Header::new_ustar();
                h.set_size(content.len() as u64);
                h.set_mode(0o644);
                h.set_uid(0);
                h.set_gid(0);
                h.set_mtime(1_700_000_000);
                h.set_entry_type(tar::EntryType::Regular);
                b.append_data(&mut h, name, &content[..]).unwrap();
            }
            let tar = b.into_inner().unwrap();
            diff_ids.push(Digest::of(&tar).to_string());
            let (bytes, mt) = match comp {
                Comp::None => (tar, "application/vnd.oci.image.layer.v1.tar"),
                Comp::Gzip => {
                    let mut e =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                    e.write_all(&tar).unwrap();
                    (
                        e.finish().unwrap(),
                        "application/vnd.oci.image.layer.v1.tar+gzip",
                    )
                }
                Comp::Zstd => (
                    zstd::encode_all(&tar[..], 3).unwrap(),
                    "application/vnd.oci.image.layer.v1.tar+zstd",
                ),
            };
            let (d, n) = self.blob(&bytes);
            descs.push(serde_json::json!({"mediaType": mt, "digest": d.to_string(), "size": n}));
        }
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": arch,
            "os": "linux",
            "config": {"Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }))
        .unwrap();
        let (cd, cn) = self.blob(&config);
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd.to_string(), "size": cn},
            "layers": descs,
        }))
        .unwrap();
        self.blob(&manifest)
    }

    fn tag(&mut self, reference: &str, media_type: &str, d: &(Digest, usize)) {
        self.index.push(serde_json::json!({
            "mediaType": media_type,
            "digest": d.0.to_string(),
            "size": d.1,
            "annotations": {"org.opencontainers.image.ref.name": reference},
        }));
        std::fs::write(
            self.dir.join("index.json"),
            serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": self.index}))
                .unwrap(),
        )
        .unwrap();
    }

    fn tag_image(&mut self, reference: &str, d: &(Digest, usize)) {
        self.tag(reference, "application/vnd.oci.image.manifest.v1+json", d);
    }

    fn oci(&self, reference: &str) -> String {
        format!("oci:{}:{reference}", self.dir.display())
    }
}

fn host_arch() -> String {
    liftoff::platform::Platform::host().architecture
}

fn file(name: &str, content: &str) -> (String, Vec<u8>) {
    (name.to_string(), content.as_bytes().to_vec())
}

/// Deterministic incompressible bytes.
fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn blob_requests(log: &str, repo: &str) -> usize {
    log.lines()
        .filter(|l| l.contains(&format!("\"GET /v2/{repo}/blobs/")))
        .count()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn pulls_oci_docker_gzip_zstd_and_multi_platform() {
    require_tools(&[]);
    let e = Env::new();
    let reg = Registry::plain(&e.p("reg"));
    let mut l = Layout::new(&e.p("work/layout"));
    let base = (vec![file("base.txt", "shared base layer")], Comp::Gzip);
    let gz = l.image(
        &[
            base.clone(),
            (vec![file("hello.txt", "gzip image")], Comp::Gzip),
        ],
        &host_arch(),
    );
    l.tag_image("gz", &gz);
    let zs = l.image(
        &[
            base.clone(),
            (vec![file("hello.txt", "zstd image")], Comp::Zstd),
        ],
        &host_arch(),
    );
    l.tag_image("zst", &zs);
    let other = if host_arch() == "arm64" {
        "amd64"
    } else {
        "arm64"
    };
    let mine = l.image(
        &[(vec![file("hello.txt", "host platform")], Comp::Gzip)],
        &host_arch(),
    );
    let theirs = l.image(
        &[(vec![file("hello.txt", "other platform")], Comp::Gzip)],
        other,
    );
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": theirs.0.to_string(), "size": theirs.1, "platform": {"os": "linux", "architecture": other}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mine.0.to_string(), "size": mine.1, "platform": {"os": "linux", "architecture": host_arch()}},
        ],
    }))
    .unwrap();
    let idx = l.blob(&index);
    l.tag("multi", "application/vnd.oci.image.index.v1+json", &idx);

    reg.push(&l.oci("gz"), "fmt/oci:gz", &[]);
    reg.push(&l.oci("zst"), "fmt/oci:zst", &[]);
    reg.push(&l.oci("gz"), "fmt/docker:v2s2", &["--format", "v2s2"]);
    reg.push(&l.oci("multi"), "fmt/multi:1", &["--all"]);

    // Plain HTTP is refused unless allowed, with the way to allow it.
    let err = e.refused(&[
        "fetch",
        "--insecure-options=image",
        &format!("docker://{}/fmt/oci:gz", reg.host()),
    ]);
    assert!(
        err.contains(&reg.host()) && err.contains("--insecure-options=http"),
        "{err}"
    );

    let cases = [
        ("fmt/oci:gz", "gzip image"),
        ("fmt/oci:zst", "zstd image"),
        ("fmt/docker:v2s2", "gzip image"),
        ("fmt/multi:1", "host platform"),
    ];
    for (i, (tag, want)) in cases.iter().enumerate() {
        let name = format!("{}/{tag}", reg.host());
        let mut args = vec!["fetch", "--insecure-options=image,http"];
        if i == 3 {
            // The config route for plain HTTP instead of the flag.
            std::fs::write(
                e.p("config.toml"),
                format!("[registries]\ninsecure = [\"{}\"]\n", reg.host()),
            )
            .unwrap();
            args = vec!["fetch", "--insecure-options=image"];
        }
        let src = format!("docker://{name}");
        args.push(&src);
        let out = e.ok(&args);
        // fetch prints the stored name and the registry's digest of what it resolved.
        assert_eq!(out.trim(), format!("{name} {}", reg.digest(tag)), "{tag}");
        assert_eq!(e.extract(&name, "hello.txt"), *want, "{tag}");
        if i < 3 {
            assert_eq!(e.extract(&name, "base.txt"), "shared base layer", "{tag}");
        }
    }
    // The shared base layer was downloaded once, and a second fetch downloads no layer at all.
    let base_digest = {
        let m: serde_json::Value = serde_json::from_slice(
            &std::fs::read(l.dir.join("blobs/sha256").join(gz.0.hex())).unwrap(),
        )
        .unwrap();
        m["layers"][0]["digest"].as_str().unwrap().to_string()
    };
    let log = reg.log();
    let base_gets = log
        .lines()
        .filter(|x| x.contains("\"GET ") && x.contains(&base_digest))
        .count();
    assert_eq!(base_gets, 1, "base layer fetched {base_gets} times");
    let before = blob_requests(&reg.log(), "fmt/oci");
    e.ok(&[
        "fetch",
        "--insecure-options=image",
        &format!("docker://{}/fmt/oci:zst", reg.host()),
    ]);
    assert_eq!(
        blob_requests(&reg.log(), "fmt/oci"),
        before,
        "layers downloaded again"
    );
    let list: serde_json::Value =
        serde_json::from_str(&e.ok(&["image", "list", "--format", "json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 4, "{list}");
    assert_tmp_empty(&e.root);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn tls_with_test_ca_and_basic_auth() {
    require_tools(&["htpasswd"]);
    let e = Env::new();
    let reg = Registry::tls_auth(&e.p("reg"));
    let (ca, certs_d) = reg.tls.clone().unwrap();
    let mut l = Layout::new(&e.p("work/layout"));
    let img = l.image(
        &[(vec![file("hello.txt", "over TLS")], Comp::Gzip)],
        &host_arch(),
    );
    l.tag_image("1", &img);
    reg.push(&l.oci("1"), "private/app:1", &[]);
    let src = format!("docker://{}/private/app:1", reg.host());
    let name = format!("{}/private/app:1", reg.host());
    let creds = format!("{USER}:{PASSWORD}");
    let ca_s = ca.to_str().unwrap();
    let certs_s = certs_d.to_str().unwrap();
    let empty_certs = e.p("certs.d");
    let empty_certs = empty_certs.to_str().unwrap();
    let no_secret = |out: &str| {
        assert!(!out.contains(PASSWORD), "the password was printed: {out}");
    };

    // Unknown CA: refused, pointing at --tls-ca and certs.d.
    let out = e.refused(&[
        "fetch",
        "--insecure-options=image",
        "--cert-dir",
        empty_certs,
        "--creds",
        &creds,
        &src,
    ]);
    assert!(out.contains("TLS") && out.contains("--tls-ca"), "{out}");
    no_secret(&out);
    // Plain HTTP permission does not turn a TLS failure into success.
    let out = e.refused(&[
        "fetch",
        "--insecure-options=image,http",
        "--cert-dir",
        empty_certs,
        "--creds",
        &creds,
        &src,
    ]);
    no_secret(&out);

    // No credentials: a clear request for them.
    let out = e.refused(&["fetch", "--insecure-options=image", "--tls-ca", ca_s, &src]);
    assert!(
        out.contains("requires authentication") && out.contains("--creds"),
        "{out}"
    );
    // Wrong password, with --debug too: refused, the secret never printed.
    let wrong = format!("{USER}:{PASSWORD}-wrong");
    for debug in [false, true] {
        let mut args = vec![
            "fetch",
            "--insecure-options=image",
            "--tls-ca",
            ca_s,
            "--creds",
            &wrong,
        ];
        if debug {
            args.insert(0, "--debug");
        }
        args.push(&src);
        let out = e.refused(&args);
        assert!(
            out.contains("refused the credentials") && out.contains(USER),
            "{out}"
        );
        no_secret(&out);
    }

    // --tls-ca and --creds.
    let o = e.liftoff(&[
        "--debug",
        "fetch",
        "--insecure-options=image",
        "--tls-ca",
        ca_s,
        "--creds",
        &creds,
        &src,
    ]);
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{out}");
    no_secret(&out);
    assert_eq!(e.extract(&name, "hello.txt"), "over TLS");

    // certs.d and --authfile (auth.json as podman login writes it).
    use base64::Engine as _;
    let auth = serde_json::json!({"auths": {reg.host(): {"auth": base64::engine::general_purpose::STANDARD.encode(&creds)}}});
    let authfile = e.p("work/auth.json");
    std::fs::write(&authfile, auth.to_string()).unwrap();
    e.ok(&["image", "rm", &name]);
    e.ok(&[
        "fetch",
        "--insecure-options=image",
        "--cert-dir",
        certs_s,
        "--authfile",
        authfile.to_str().unwrap(),
        &src,
    ]);
    // ${XDG_RUNTIME_DIR}/containers/auth.json is found without flags; certs.d from config.toml.
    std::fs::create_dir_all(e.p("run/containers")).unwrap();
    std::fs::copy(&authfile, e.p("run/containers/auth.json")).unwrap();
    std::fs::write(
        e.p("config.toml"),
        format!("[registries]\ncerts_dir = \"{certs_s}\"\n"),
    )
    .unwrap();
    e.ok(&["image", "rm", &name]);
    let out = e.ok(&["fetch", "--insecure-options=image", &src]);
    assert!(out.starts_with(&name), "{out}");
    assert_tmp_empty(&e.root);
}

/// Starts a fetch of a big one-layer image and SIGKILLs the registry a quarter of the way into the
/// layer. Returns the registry, the fetch (still running), the staged byte count at the kill, and
/// the store's snapshot from before the fetch.
fn fetch_and_kill_registry(e: &Env) -> (Registry, Child, u64, Vec<(String, u64)>) {
    let mut reg = Registry::plain(&e.p("reg"));
    let mut l = Layout::new(&e.p("work/layout"));
    // A 35 MB layer: staging it (read, hashed, written) takes long enough that the watch below
    // sees it a quarter of the way in and kills the registry before the blob is complete.
    let files: Vec<(String, Vec<u8>)> = (0..4000)
        .map(|i| (format!("d{}/f{i}", i % 40), noise(i, 8192)))
        .collect();
    let img = l.image(&[(files, Comp::None)], &host_arch());
    l.tag_image("1", &img);
    reg.push(&l.oci("1"), "big/app:1", &[]);
    let layer_size = 4000 * (8192 + 512) as u64;
    let before = snapshot(&e.root);
    let src = format!("docker://{}/big/app:1", reg.host());
    let mut child = e
        .cmd(&[
            "--debug",
            "fetch",
            "--insecure-options=image,http",
            "--jobs",
            "1",
            &src,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Watch the staged blob grow.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let staged: u64 = std::fs::read_dir(e.root.join("tmp"))
            .map(|rd| {
                rd.flatten()
                    .filter_map(|d| std::fs::metadata(d.path().join("blob")).ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0);
        if staged > layer_size / 4 {
            reg.kill();
            return (reg, child, staged, before);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let o = child.wait_with_output().unwrap();
    panic!(
        "the fetch finished before the registry could be killed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn registry_killed_mid_layer_resumes_or_fails_cleanly() {
    require_tools(&[]);
    let e = Env::new();
    let (mut reg, child, killed_at, _) = fetch_and_kill_registry(&e);
    std::thread::sleep(Duration::from_millis(300));
    reg.spawn();
    let src = format!("docker://{}/big/app:1", reg.host());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    eprintln!(
        "registry killed with {killed_at} bytes staged; fetch {}",
        if o.status.success() {
            "resumed and completed"
        } else {
            "failed cleanly"
        }
    );
    if o.status.success() {
        assert!(
            err.contains("resuming at byte"),
            "killed at {killed_at} bytes, but no resume: {err}"
        );
    } else {
        // A clean failure: 254, a message naming the registry, nothing left in tmp/; a retry works.
        assert_eq!(o.status.code(), Some(254), "{err}");
        assert!(err.contains(&reg.host()), "{err}");
        assert_tmp_empty(&e.root);
        e.ok(&["fetch", "--insecure-options=image,http", &src]);
    }
    let name = format!("{}/big/app:1", reg.host());
    let dest = e.p("work/big");
    e.ok(&[
        "image",
        "extract",
        "--insecure-options=image",
        &name,
        dest.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(dest.join("d7/f7")).unwrap(), noise(7, 8192));
    assert_tmp_empty(&e.root);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn registry_gone_mid_layer_fails_cleanly_within_bounds() {
    require_tools(&[]);
    let e = Env::new();
    let started = Instant::now();
    let (reg, child, _, before) = fetch_and_kill_registry(&e);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(254), "{err}");
    assert!(
        err.contains(&reg.host()) && err.contains("attempts"),
        "{err}"
    );
    // Bounded: the backoff gives up after about 16 s, not never.
    assert!(started.elapsed() < Duration::from_secs(40), "{err}");
    assert_eq!(before, snapshot(&e.root), "store changed");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn corrupt_blob_and_oversized_manifest_are_refused() {
    require_tools(&[]);
    let e = Env::new();
    let reg = Registry::plain(&e.p("reg"));
    let mut l = Layout::new(&e.p("work/layout"));
    let content: Vec<u8> = noise(7, 64 * 1024);
    let img = l.image(
        &[(vec![("data.bin".into(), content)], Comp::Gzip)],
        &host_arch(),
    );
    l.tag_image("1", &img);
    let cfg_img = l.image(
        &[(vec![file("x", "config victim")], Comp::None)],
        &host_arch(),
    );
    l.tag_image("2", &cfg_img);
    reg.push(&l.oci("1"), "bad/layer:1", &[]);
    reg.push(&l.oci("2"), "bad/config:1", &[]);
    let manifest = |d: &Digest| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(l.dir.join("blobs/sha256").join(d.hex())).unwrap())
            .unwrap()
    };
    // The registry serves a layer whose bytes do not match its digest (same size).
    let layer = Digest::parse(manifest(&img.0)["layers"][0]["digest"].as_str().unwrap()).unwrap();
    let p = reg.blob_data(&layer);
    let mut bytes = std::fs::read(&p).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&p, &bytes).unwrap();
    let out = e.refused(&[
        "fetch",
        "--insecure-options=image,http",
        &format!("docker://{}/bad/layer:1", reg.host()),
    ]);
    assert!(
        out.contains(&layer.to_string()) && out.contains("does not match"),
        "{out}"
    );
    // ... and a config.
    let config = Digest::parse(manifest(&cfg_img.0)["config"]["digest"].as_str().unwrap()).unwrap();
    let p = reg.blob_data(&config);
    let mut bytes = std::fs::read(&p).unwrap();
    bytes[2] ^= 0x01;
    std::fs::write(&p, &bytes).unwrap();
    let out = e.refused(&[
        "fetch",
        "--insecure-options=image,http",
        &format!("docker://{}/bad/config:1", reg.host()),
    ]);
    assert!(out.contains(&config.to_string()), "{out}");

    // A manifest over the bound. The registry itself refuses manifests over 4 MiB (liftoff's
    // default bound), so the bound is lowered in config.toml and a 100 KiB manifest pushed.
    let mut m = manifest(&img.0);
    m["annotations"] = serde_json::json!({"pad": "x".repeat(100 << 10)});
    let big = l.blob(&serde_json::to_vec(&m).unwrap());
    l.tag_image("huge", &big);
    reg.push(&l.oci("huge"), "bad/layer:huge", &[]);
    std::fs::write(
        e.p("config.toml"),
        "[registries]\nmax_manifest_bytes = 65536\n",
    )
    .unwrap();
    let out = e.refused(&[
        "fetch",
        "--insecure-options=image,http",
        &format!("docker://{}/bad/layer:huge", reg.host()),
    ]);
    assert!(out.contains("larger than the limit"), "{out}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn signatures_gate_the_fetch_before_any_layer() {
    require_tools(&[]);
    let e = Env::new();
    let reg = Registry::plain(&e.p("reg"));
    let (key, public) = e.keypair("release");
    let (key2, public2) = e.keypair("second");
    e.trust(&public, &format!("{}/signed", reg.host()));
    let mut l = Layout::new(&e.p("work/layout"));
    let a = l.image(
        &[(vec![file("hello.txt", "signed by push")], Comp::Gzip)],
        &host_arch(),
    );
    l.tag_image("a", &a);
    let b = l.image(
        &[(vec![file("hello.txt", "signed in a layout")], Comp::Gzip)],
        &host_arch(),
    );
    l.tag_image("b", &b);
    reg.push(&l.oci("a"), "signed/app:1", &[]);
    let src = format!("docker://{}/signed/app:1", reg.host());

    // Unsigned under a trusted prefix: refused, and not a single blob was requested.
    let out = e.refused(&["fetch", "--insecure-options=http", &src]);
    assert!(out.contains("no signatures"), "{out}");
    let log = reg.log();
    assert!(log.contains("/v2/signed/app/manifests/1"), "{log}");
    assert_eq!(blob_requests(&log, "signed/app"), 0, "{log}");

    // Signed with `image sign docker://…` (pushed to the registry, merged with a second key's).
    for k in [&key, &key2] {
        e.ok(&[
            "image",
            "sign",
            &src,
            "--key",
            k.to_str().unwrap(),
            "--insecure-options=http",
        ]);
    }
    let sig_tag = format!("sha256-{}.sig", a.0.hex());
    let raw = run(
        "skopeo",
        &[
            "inspect",
            "--raw",
            "--tls-verify=false",
            &format!("docker://{}/signed/app:{sig_tag}", reg.host()),
        ],
    );
    let sig_manifest: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(sig_manifest["layers"].as_array().unwrap().len(), 2, "{raw}");
    let out = e.ok(&["fetch", "--insecure-options=http", &src]);
    assert!(out.contains(&a.0.to_string()), "{out}");
    let name = format!("{}/signed/app:1", reg.host());
    let insp: serde_json::Value =
        serde_json::from_str(&e.ok(&["image", "inspect", &name])).unwrap();
    assert_eq!(insp["provenance"]["verified"], true, "{insp}");
    assert_eq!(insp["provenance"]["identity"], name.as_str());
    // The second signature is there too: a store trusting only the second key verifies as well.
    std::fs::remove_dir_all(e.p("keys")).unwrap();
    std::fs::create_dir_all(e.p("keys")).unwrap();
    e.trust(&public2, &format!("{}/signed", reg.host()));
    e.ok(&["image", "rm", &name]);
    e.ok(&["fetch", "--insecure-options=http", &src]);
    std::fs::remove_dir_all(e.p("keys")).unwrap();
    std::fs::create_dir_all(e.p("keys")).unwrap();
    e.trust(&public, &format!("{}/signed", reg.host()));

    // Signed in an OCI layout and pushed with skopeo, signature manifest and all.
    let name_b = format!("{}/signed/other:2", reg.host());
    e.ok(&[
        "image",
        "sign",
        &l.oci("b"),
        "--identity",
        &name_b,
        "--key",
        key.to_str().unwrap(),
    ]);
    reg.push(&l.oci("b"), "signed/other:2", &[]);
    let sig_b = format!("sha256-{}.sig", b.0.hex());
    reg.push(&l.oci(&sig_b), &format!("signed/other:{sig_b}"), &[]);
    e.ok(&[
        "fetch",
        "--insecure-options=http",
        &format!("docker://{name_b}"),
    ]);
    assert_eq!(e.extract(&name_b, "hello.txt"), "signed in a layout");
    // The signature of one tag does not cover another tag of the same image.
    reg.push(&l.oci("b"), "signed/other:3", &[]);
    let out = e.refused(&[
        "fetch",
        "--insecure-options=http",
        &format!("docker://{}/signed/other:3", reg.host()),
    ]);
    assert!(out.contains("signed/other"), "{out}");
}

/// A bearer-token server for a registry configured with `auth: token`: it checks basic
/// credentials (USER/PASSWORD), grants pull+push to an authenticated user and pull on `public/…`
/// to anyone, and signs RS256 JWTs with openssl. Records every scope asked for.
struct TokenServer {
    port: u16,
    scopes: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl TokenServer {
    fn start(dir: &Path) -> TokenServer {
        std::fs::create_dir_all(dir).unwrap();
        let key = dir.join("token.key");
        let cert = dir.join("token.crt");
        run(
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                key.to_str().unwrap(),
                "-out",
                cert.to_str().unwrap(),
                "-days",
                "2",
                "-subj",
                "/CN=liftoff test token issuer",
            ],
        );
        let der = Command::new("openssl")
            .args(["x509", "-in", cert.to_str().unwrap(), "-outform", "DER"])
            .output()
            .unwrap()
            .stdout;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let scopes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = scopes.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let _ = serve_token(&mut conn, &key, &der, &seen);
            }
        });
        TokenServer { port, scopes }
    }

    fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }
}

fn b64url(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn serve_token(
    conn: &mut TcpStream,
    key: &Path,
    cert_der: &[u8],
    seen: &std::sync::Mutex<Vec<String>>,
) -> std::io::Result<()> {
    use base64::Engine as _;
    use std::io::Read as _;
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16384 {
        if conn.read(&mut byte)? == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let target = head.split_whitespace().nth(1).unwrap_or("");
    let query = target.split_once('?').map(|x| x.1).unwrap_or("");
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let scope = get("scope");
    seen.lock().unwrap().push(scope.clone());
    let auth = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("authorization")
            .then(|| v.trim().to_string())
    });
    let user = match auth.as_deref().and_then(|a| a.strip_prefix("Basic ")) {
        Some(b) => {
            let ok = base64::engine::general_purpose::STANDARD
                .decode(b)
                .ok()
                .is_some_and(|d| d == format!("{USER}:{PASSWORD}").as_bytes());
            if !ok {
                let body = r#"{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}"#;
                write!(
                    conn,
                    "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )?;
                return Ok(());
            }
            Some(USER)
        }
        None => None,
    };
    // scope = repository:<name>:<actions>
    let mut access = Vec::new();
    let parts: Vec<&str> = scope.splitn(3, ':').collect();
    if parts.len() == 3 && parts[0] == "repository" {
        let name = parts[1];
        let actions: Vec<&str> = if user.is_some() {
            parts[2].split(',').collect()
        } else if name.starts_with("public/") {
            vec!["pull"]
        } else {
            vec![]
        };
        access.push(serde_json::json!({"type": "repository", "name": name, "actions": actions}));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [base64::engine::general_purpose::STANDARD.encode(cert_der)]});
    let claims = serde_json::json!({
        "iss": "liftoff-test-issuer", "sub": user.unwrap_or(""), "aud": "liftoff-test-registry",
        "exp": now + 300, "nbf": now - 10, "iat": now - 10, "jti": format!("{now}-{}", rand_id()),
        "access": access,
    });
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let mut sign = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign", key.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    sign.stdin.take().unwrap().write_all(input.as_bytes())?;
    let sig = sign.wait_with_output()?.stdout;
    let token = format!("{input}.{}", b64url(&sig));
    let body =
        serde_json::json!({"token": token, "access_token": token, "expires_in": 300}).to_string();
    write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn rand_id() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn bearer_token_flow_anonymous_and_authenticated() {
    require_tools(&[]);
    let e = Env::new();
    let tokens = TokenServer::start(&e.p("token"));
    let cert = e.p("token/token.crt");
    let reg = Registry::start(
        &e.p("reg"),
        None,
        Some(format!(
            "auth:\n  token:\n    realm: {}\n    service: liftoff-test-registry\n    issuer: liftoff-test-issuer\n    rootcertbundle: {}\n",
            tokens.realm(),
            cert.display()
        )),
    );
    let mut l = Layout::new(&e.p("work/layout"));
    let img = l.image(
        &[(vec![file("hello.txt", "behind a token")], Comp::Gzip)],
        &host_arch(),
    );
    l.tag_image("1", &img);
    let creds = format!("{USER}:{PASSWORD}");
    for repo in ["public/app:1", "private/app:1"] {
        reg.push(&l.oci("1"), repo, &["--dest-creds", &creds]);
    }
    // Anonymous pull of a public repository: an anonymous token scoped to it.
    let public = format!("docker://{}/public/app:1", reg.host());
    e.ok(&["fetch", "--insecure-options=image,http", &public]);
    assert!(
        tokens
            .scopes
            .lock()
            .unwrap()
            .contains(&"repository:public/app:pull".to_string()),
        "{:?}",
        tokens.scopes.lock().unwrap()
    );
    // A private one needs credentials; wrong ones are refused; right ones work.
    let private = format!("docker://{}/private/app:1", reg.host());
    let out = e.refused(&["fetch", "--insecure-options=image,http", &private]);
    assert!(out.contains("requires authentication"), "{out}");
    let wrong = format!("{USER}:nope-{PASSWORD}");
    let out = e.refused(&[
        "--debug",
        "fetch",
        "--insecure-options=image,http",
        "--creds",
        &wrong,
        &private,
    ]);
    assert!(out.contains("refused the credentials"), "{out}");
    assert!(!out.contains(PASSWORD), "{out}");
    let o = e.liftoff(&[
        "--debug",
        "fetch",
        "--insecure-options=image,http",
        "--creds",
        &creds,
        &private,
    ]);
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{out}");
    assert!(!out.contains(PASSWORD), "{out}");
    assert_eq!(
        e.extract(&format!("{}/private/app:1", reg.host()), "hello.txt"),
        "behind a token"
    );
    // Signing pushes with a pull,push token.
    let (key, _) = e.keypair("k");
    e.ok(&[
        "image",
        "sign",
        &private,
        "--key",
        key.to_str().unwrap(),
        "--insecure-options=http",
        "--creds",
        &creds,
    ]);
    assert!(
        tokens
            .scopes
            .lock()
            .unwrap()
            .contains(&"repository:private/app:pull,push".to_string()),
        "{:?}",
        tokens.scopes.lock().unwrap()
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn ensure_image_follows_the_pull_policy() {
    use liftoff::fetch::{ensure_image, FetchError, FetchOptions, PullPolicy};
    require_tools(&[]);
    let e = Env::new();
    let reg = Registry::plain(&e.p("reg"));
    let mut l = Layout::new(&e.p("work/layout"));
    let img = l.image(
        &[(vec![file("hello.txt", "pull policy")], Comp::Gzip)],
        &host_arch(),
    );
    l.tag_image("1", &img);
    reg.push(&l.oci("1"), "pp/app:1", &[]);
    let store = liftoff::store::Store::open(&e.root).unwrap();
    let trust = liftoff::trust::verify::Trust::load(liftoff::trust::store::TrustStore::new(
        &e.p("keys"),
        &e.p("vendor"),
    ))
    .unwrap();
    let mut opts = FetchOptions::new(trust);
    opts.insecure = true;
    opts.registry.insecure_http = true;
    let name = format!("{}/pp/app:1", reg.host());
    let manifest_gets = || {
        reg.log()
            .lines()
            .filter(|x| x.contains("\"GET /v2/pp/app/manifests/1 "))
            .count()
    };
    // never: not in the store → a clear error, no request.
    let err = ensure_image(&store, &name, PullPolicy::Never, &opts).unwrap_err();
    assert!(matches!(err, FetchError::NotPresent(_)), "{err}");
    assert!(err.to_string().contains("--pull=missing"), "{err}");
    assert_eq!(manifest_gets(), 0);
    // missing: fetched once, then taken from the store (also by its short name).
    let got = ensure_image(
        &store,
        &format!("docker://{name}"),
        PullPolicy::Missing,
        &opts,
    )
    .unwrap();
    assert!(got.fetched.is_some());
    assert_eq!(got.entry.name, name);
    assert_eq!(got.entry.descriptor.digest, img.0);
    assert_eq!(manifest_gets(), 1);
    let again = ensure_image(&store, &name, PullPolicy::Missing, &opts).unwrap();
    assert!(again.fetched.is_none());
    let short = ensure_image(&store, "pp/app:1", PullPolicy::Never, &opts).unwrap();
    assert_eq!(short.entry.name, name);
    assert_eq!(manifest_gets(), 1);
    // always: goes to the registry again (the tag may have moved), reusing the layers.
    let fresh = ensure_image(&store, &name, PullPolicy::Always, &opts).unwrap();
    let r = fresh.fetched.unwrap();
    assert_eq!((r.layers_stored, r.layers_reused), (0, 1));
    assert_eq!(manifest_gets(), 2);
}
