//! The threats of docs/trust.md, refused for every signature algorithm liftoff verifies (issue 19):
//! Ed25519 and ECDSA P-256 signed by liftoff (P-256 also from a cosign-format key), ECDSA P-384
//! and RSA-3072 (PKCS#1 v1.5 and PSS) signed by openssl. Each case runs the real `fetch` and checks
//! that a refusal leaves the store unchanged (`Env::refused`) and says what failed.

use super::*;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use liftoff::trust::passphrase::Passphrase;

/// Who makes a key's signatures.
enum Signer {
    /// liftoff's own signer, from a key file (PKCS#8 or cosign's format with its passphrase).
    Liftoff(PathBuf, Passphrase),
    /// openssl with these arguments (`KEY`, `IN` and `OUT` replaced by the paths).
    Openssl(PathBuf, &'static [&'static str]),
}

struct Alg {
    /// For messages and the trust prefix.
    slug: &'static str,
    public: PathBuf,
    signer: Signer,
    ecdsa: bool,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed for this test (tests/run.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Alg {
    /// The base64 signature of `payload`, as cosign stores it.
    fn sign(&self, dir: &Path, payload: &[u8]) -> String {
        match &self.signer {
            Signer::Liftoff(key, pass) => {
                let k = keys::load_private(key, pass).unwrap();
                signature::sign(&k, payload)
            }
            Signer::Openssl(key, args) => {
                std::fs::write(dir.join("payload.in"), payload).unwrap();
                let args: Vec<&str> = args
                    .iter()
                    .map(|a| match *a {
                        "KEY" => key.to_str().unwrap(),
                        "IN" => "payload.in",
                        "OUT" => "sig.out",
                        other => other,
                    })
                    .collect();
                openssl(dir, &args);
                B64.encode(std::fs::read(dir.join("sig.out")).unwrap())
            }
        }
    }
}

/// One key of every algorithm, each trusted for `example.com/<slug>`.
fn algorithms(e: &Env) -> Vec<Alg> {
    let w = &e.work;
    let gen = |name: &str, extra: &[&str]| {
        let prefix = w.join(name);
        let mut args = vec!["key", "gen", "--out", prefix.to_str().unwrap()];
        args.extend_from_slice(extra);
        e.ok(&args);
        (prefix.with_extension("key"), prefix.with_extension("pub"))
    };
    let mut out = Vec::new();
    let (k, p) = gen("ed25519", &[]);
    out.push(Alg {
        slug: "ed25519",
        public: p,
        signer: Signer::Liftoff(k, Passphrase::None),
        ecdsa: false,
    });
    let (k, p) = gen("p256", &["--algorithm", "p256"]);
    out.push(Alg {
        slug: "p256",
        public: p,
        signer: Signer::Liftoff(k, Passphrase::None),
        ecdsa: true,
    });
    std::fs::write(w.join("pass"), "s3cret").unwrap();
    let pf = w.join("pass");
    let (k, p) = gen(
        "cosign",
        &[
            "--algorithm",
            "p256",
            "--format",
            "cosign",
            "--passphrase-file",
            pf.to_str().unwrap(),
        ],
    );
    out.push(Alg {
        slug: "cosign",
        public: p,
        signer: Signer::Liftoff(k, Passphrase::File(pf)),
        ecdsa: true,
    });
    openssl(
        w,
        &[
            "ecparam",
            "-name",
            "secp384r1",
            "-genkey",
            "-noout",
            "-out",
            "p384.key",
        ],
    );
    openssl(
        w,
        &["pkey", "-in", "p384.key", "-pubout", "-out", "p384.pub"],
    );
    out.push(Alg {
        slug: "p384",
        public: w.join("p384.pub"),
        signer: Signer::Openssl(
            w.join("p384.key"),
            &["dgst", "-sha384", "-sign", "KEY", "-out", "OUT", "IN"],
        ),
        ecdsa: true,
    });
    openssl(
        w,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:3072",
            "-out",
            "rsa.key",
        ],
    );
    openssl(w, &["pkey", "-in", "rsa.key", "-pubout", "-out", "rsa.pub"]);
    out.push(Alg {
        slug: "rsa",
        public: w.join("rsa.pub"),
        signer: Signer::Openssl(
            w.join("rsa.key"),
            &["dgst", "-sha256", "-sign", "KEY", "-out", "OUT", "IN"],
        ),
        ecdsa: false,
    });
    // The same RSA key signing PSS (openssl's default salt: the largest).
    std::fs::copy(w.join("rsa.pub"), w.join("rsapss.pub")).unwrap();
    out.push(Alg {
        slug: "rsapss",
        public: w.join("rsapss.pub"),
        signer: Signer::Openssl(
            w.join("rsa.key"),
            &[
                "pkeyutl",
                "-sign",
                "-inkey",
                "KEY",
                "-rawin",
                "-digest",
                "sha256",
                "-in",
                "IN",
                "-out",
                "OUT",
                "-pkeyopt",
                "rsa_padding_mode:pss",
            ],
        ),
        ecdsa: false,
    });
    out
}

/// Adds a signature (base64) over `payload` to the layout's image.
fn add(l: &Path, payload: Vec<u8>, sig: String) {
    layout_sign::add_signature(l, &top(l, "1"), payload, sig).unwrap();
}

/// The DER signature re-encoded with a long-form length: the same (r, s), but not canonical DER.
fn long_form_der(sig_b64: &str) -> String {
    let der = B64.decode(sig_b64).unwrap();
    assert_eq!(der[0], 0x30);
    assert!(der[1] < 0x80);
    let mut out = vec![0x30, 0x81, der[1]];
    out.extend_from_slice(&der[2..]);
    B64.encode(out)
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn threats_are_refused_for_every_algorithm() {
    let e = Env::new();
    let algs = algorithms(&e);
    for a in &algs {
        e.trust(&a.public, &format!("example.com/{}", a.slug));
    }
    let w = e.work.clone();
    let fetch = |l: &Path, name: &str| {
        vec![
            "fetch".to_string(),
            format!("oci:{}:1", l.display()),
            "--as".into(),
            name.to_string(),
        ]
    };
    for a in &algs {
        let s = a.slug;
        let name = format!("example.com/{s}/app:1");
        let layout = |case: &str| e.layout(&format!("{s}-{case}"), "1", &format!("{s} {case}"));
        let refused = |l: &Path, n: &str| {
            let args = fetch(l, n);
            e.refused(&args.iter().map(String::as_str).collect::<Vec<_>>())
        };

        // The control: a good signature verifies.
        let good = layout("good");
        let p = payload::build(&name, &top(&good, "1"), "test", now());
        add(&good, p.clone(), a.sign(&w, &p));
        let args = fetch(&good, &name);
        e.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());

        // A payload changed after signing.
        let l = layout("tampered");
        let p = payload::build(&name, &top(&l, "1"), "test", now());
        let sig = a.sign(&w, &p);
        let changed = String::from_utf8(p)
            .unwrap()
            .replace("\"test\"", "\"tesT\"");
        add(&l, changed.into_bytes(), sig);
        let err = refused(&l, &name);
        assert!(err.contains("does not verify"), "{s} tampered: {err}");
        assert!(
            err.contains("liftoff trust add"),
            "{s}: another key might have signed: {err}"
        );

        // A valid signature for another image's digest.
        let l = layout("digest");
        let p = payload::build(&name, &top(&good, "1"), "test", now());
        add(&l, p.clone(), a.sign(&w, &p));
        let err = refused(&l, &name);
        assert!(
            err.contains("signature is for manifest"),
            "{s} digest: {err}"
        );
        assert!(
            !err.contains("trust add"),
            "{s} digest: no trust hint: {err}"
        );
        assert!(
            err.contains("the image changed after it was signed"),
            "{s}: {err}"
        );

        // A valid signature for another name.
        let l = layout("identity");
        let other = format!("example.com/{s}/other:1");
        let p = payload::build(&other, &top(&l, "1"), "test", now());
        add(&l, p.clone(), a.sign(&w, &p));
        let err = refused(&l, &name);
        assert!(
            err.contains(&format!("signature is for {other}")),
            "{s} identity: {err}"
        );
        assert!(
            !err.contains("trust add"),
            "{s} identity: no trust hint: {err}"
        );
        assert!(err.contains("for another name"), "{s}: {err}");

        // The key used outside its prefix.
        let l = layout("prefix");
        let evil = format!("evil.example/{s}/app:1");
        let p = payload::build(&evil, &top(&l, "1"), "test", now());
        add(&l, p.clone(), a.sign(&w, &p));
        let err = refused(&l, &evil);
        assert!(err.contains("no key is trusted"), "{s} prefix: {err}");

        if a.ecdsa {
            // Trailing bytes after the DER, and a non-canonical (long-form) length.
            for (case, mangle) in [
                (
                    "trailing",
                    Box::new(|b: &str| {
                        let mut d = B64.decode(b).unwrap();
                        d.push(0);
                        B64.encode(d)
                    }) as Box<dyn Fn(&str) -> String>,
                ),
                ("longform", Box::new(|b: &str| long_form_der(b))),
            ] {
                let l = layout(case);
                let p = payload::build(&name, &top(&l, "1"), "test", now());
                let sig = mangle(&a.sign(&w, &p));
                add(&l, p, sig);
                let err = refused(&l, &name);
                assert!(err.contains("DER ECDSA"), "{s} {case}: {err}");
            }
        }
    }

    // A signature by a key on another curve, over the right payload, for the P-256 and P-384 keys.
    let by = |slug: &str| algs.iter().find(|a| a.slug == slug).unwrap();
    for (target, signer) in [("p256", "p384"), ("p384", "p256")] {
        let name = format!("example.com/{target}/app:1");
        let l = e.layout(&format!("curve-{target}"), "1", &format!("curve {target}"));
        let p = payload::build(&name, &top(&l, "1"), "test", now());
        add(&l, p.clone(), by(signer).sign(&w, &p));
        let args = fetch(&l, &name);
        let err = e.refused(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            err.contains("failed verification"),
            "{target} by {signer}: {err}"
        );
    }

    // The policy restricts a prefix to Ed25519: a good P-256 signature is refused, naming the
    // algorithm and the policy, not suggesting another key. The atomic payload type counts only
    // where the policy accepts it.
    std::fs::write(
        e.keys.join("policy.toml"),
        "[[prefix]]\nname = \"example.com/p256\"\nschemes = [\"ed25519\"]\n\n[[prefix]]\nname = \"example.com/ed25519/atomic\"\naccept_atomic_payload = true\n",
    )
    .unwrap();
    let name = "example.com/p256/app:2";
    let l = e.layout("policy-p256", "1", "policy p256");
    let p = payload::build(name, &top(&l, "1"), "test", now());
    add(&l, p.clone(), by("p256").sign(&w, &p));
    let args = fetch(&l, name);
    let err = e.refused(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        err.contains("ECDSA P-256 key, but the policy allows no scheme"),
        "{err}"
    );
    assert!(
        err.contains("policy.toml") && !err.contains("trust add"),
        "{err}"
    );

    let ed = by("ed25519");
    for (name, accepted) in [
        ("example.com/ed25519/app:atomic", false),
        ("example.com/ed25519/atomic/app:1", true),
    ] {
        let l = e.layout(&format!("atomic-{accepted}"), "1", name);
        let p = String::from_utf8(payload::build(name, &top(&l, "1"), "test", now()))
            .unwrap()
            .replace(payload::COSIGN_TYPE, payload::ATOMIC_TYPE)
            .into_bytes();
        add(&l, p.clone(), ed.sign(&w, &p));
        let args = fetch(&l, name);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if accepted {
            e.ok(&args);
        } else {
            let err = e.refused(&args);
            assert!(err.contains("accept_atomic_payload"), "{err}");
        }
    }
}

/// `liftoff` with extra environment and stdin from /dev/null (never a terminal).
fn liftoff_env(e: &Env, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_liftoff"));
    c.arg("--dir")
        .arg(&e.root)
        .arg("--keys")
        .arg(&e.keys)
        .arg("--vendor-keys")
        .arg(&e.vendor)
        .args(args)
        .env_remove("COSIGN_PASSWORD")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The cosign-format keys skopeo 1.9.3 signed the fixtures with sign with liftoff (passphrase from
/// a file or $COSIGN_PASSWORD), and convert to PKCS#8 and back without changing the key.
#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn cosign_keys_sign_and_convert() {
    let e = Env::new();
    let fx = skopeo_fixtures();
    let pass_file = fx.join("passphrase");
    let pass = std::fs::read_to_string(&pass_file).unwrap();
    let pf = pass_file.to_str().unwrap();
    for name in ["ed25519", "p256"] {
        let key = e.work.join(format!("{name}.key"));
        std::fs::copy(fx.join(format!("{name}.key")), &key).unwrap();
        let k = key.to_str().unwrap();
        let public = fx.join(format!("{name}.pub"));
        e.trust(&public, &format!("example.com/{name}"));
        let l = e.layout(&format!("fx-{name}"), "1", name);
        let lp = format!("oci:{}:1", l.display());
        let identity = format!("example.com/{name}/app:1");
        let sign = ["image", "sign", &lp, "--identity", &identity, "--key", k];

        // git keeps no modes: the copy is 0644 until chmod, and liftoff says so.
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .unwrap();
        let o = liftoff_env(&e, &[], &[&sign[..], &["--passphrase-file", pf]].concat());
        assert_eq!(o.status.code(), Some(254));
        assert!(
            stderr(&o).contains(&format!("chmod 600 {k}")),
            "{}",
            stderr(&o)
        );
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();

        // No passphrase source and no terminal: refused at once, with the ways to give one.
        let o = liftoff_env(&e, &[], &sign);
        assert_eq!(o.status.code(), Some(254), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("--passphrase-file") && stderr(&o).contains("COSIGN_PASSWORD"),
            "{}",
            stderr(&o)
        );
        // A wrong passphrase is named as such.
        let o = liftoff_env(&e, &[("COSIGN_PASSWORD", "wrong")], &sign);
        assert_eq!(o.status.code(), Some(254));
        assert!(stderr(&o).contains("does not decrypt"), "{}", stderr(&o));
        // The right one, from the environment: the signature verifies on fetch.
        let o = liftoff_env(&e, &[("COSIGN_PASSWORD", &pass)], &sign);
        assert!(o.status.success(), "{}", stderr(&o));
        e.ok(&["fetch", &lp, "--as", &identity]);

        // cosign → PKCS#8 → cosign: the same key throughout.
        let plain = e.work.join(format!("{name}.plain"));
        let again = e.work.join(format!("{name}.again"));
        let id_import = e.ok(&[
            "key",
            "import",
            k,
            "--out",
            plain.to_str().unwrap(),
            "--passphrase-file",
            pf,
        ]);
        let text = std::fs::read_to_string(&plain).unwrap();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{text}");
        let pubout = Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&plain)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&pubout.stdout),
            std::fs::read_to_string(&public).unwrap()
        );
        let o = liftoff_env(
            &e,
            &[("COSIGN_PASSWORD", "new pass")],
            &[
                "key",
                "export",
                plain.to_str().unwrap(),
                "--out",
                again.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), id_import);
        let text = std::fs::read_to_string(&again).unwrap();
        assert!(text.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----"));
        let mode = std::fs::metadata(&again).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        let k2 = keys::load_private(
            &again,
            &Passphrase::File({
                let p = e.work.join("newpass");
                std::fs::write(&p, "new pass\n").unwrap();
                p
            }),
        )
        .unwrap();
        assert_eq!(format!("{}\n", k2.public().key_id()), id_import);
        // An existing output is never replaced.
        let before = std::fs::read(&again).unwrap();
        let o = liftoff_env(
            &e,
            &[("COSIGN_PASSWORD", "x")],
            &[
                "key",
                "export",
                plain.to_str().unwrap(),
                "--out",
                again.to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(254));
        assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
        assert_eq!(std::fs::read(&again).unwrap(), before);
    }
}
