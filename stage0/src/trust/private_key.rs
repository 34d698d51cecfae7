//! Signing keys: Ed25519 and ECDSA P-256 (cosign's default type), in the files the ecosystem
//! writes (docs/trust.md, Keys).
//!
//! A private key file is either unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, what
//! `openssl genpkey` and `liftoff key gen` write; for P-256 also openssl's SEC1
//! `-----BEGIN EC PRIVATE KEY-----`) or cosign's encrypted format (`ENCRYPTED COSIGN PRIVATE KEY`
//! / `ENCRYPTED SIGSTORE PRIVATE KEY`, see [`super::cosign_key`]), which is PKCS#8 DER inside.
//! Either way it must be private to its owner (mode 0600 or stricter), as cosign itself writes it.
//!
//! Ed25519 signs pure Ed25519 over the payload; P-256 signs ECDSA over SHA-256 with RFC 6979
//! deterministic nonces (no randomness needed at signing time) and writes ASN.1 DER, what cosign
//! and containers/image write and verify. P-384 and RSA keys are only verified, not used to sign:
//! their private keys are refused by name.

use super::cosign_key;
use super::keys::{
    algorithm_name, io, key_text, pem_decode, pem_encode, Algorithm, KeyError, PublicKey,
    MAX_KEY_FILE,
};
use super::passphrase::Passphrase;
use ed25519_dalek::pkcs8::spki::der::zeroize::Zeroizing;
use ed25519_dalek::pkcs8::spki::der::Decode as _;
use ed25519_dalek::pkcs8::spki::EncodePublicKey as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, ObjectIdentifier};
use ed25519_dalek::pkcs8::{PrivateKeyInfo, SecretDocument};
use ed25519_dalek::SigningKey;
use std::fmt;
use std::io::Read as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

/// How to make a key liftoff signs with; repeated in every "wrong kind of key" message.
pub const GEN_HINT: &str = "generate one with `liftoff key gen --out NAME` (add `--algorithm p256` for ECDSA) or `openssl genpkey -algorithm ed25519 -out NAME.key`";

/// How to turn an encrypted openssl key into one liftoff reads, without it ever being readable by
/// others (the umask applies while openssl creates the file).
pub(super) const DECRYPT_HINT: &str = "decrypt it with `(umask 077; openssl pkey -in KEY -out KEY.plain)`, or convert it to cosign's format, which liftoff reads with a passphrase: `liftoff key export KEY.plain --out KEY.cosign`";

const ED25519_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const EC_PUBLIC_KEY_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// DER of an Ed25519 PKCS#8 v1 PrivateKeyInfo up to the 32-byte seed (RFC 8410 §7), as openssl writes.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// The file formats a private key is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// Unencrypted PKCS#8 PEM, protected by its file mode (openssl, liftoff's default).
    Pkcs8,
    /// cosign's encrypted `ENCRYPTED COSIGN PRIVATE KEY` (scrypt + NaCl secretbox).
    Cosign,
}

/// The secret itself, by algorithm; each wipes itself from memory when dropped.
enum Secret {
    Ed25519(SigningKey),
    P256(p256::ecdsa::SigningKey),
}

/// A signing key. Its secret is wiped from memory when dropped, and never printed.
pub struct PrivateKey {
    secret: Secret,
    /// Derived once, fallibly, when the key is read or made.
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    // Never print secret material, not even in a debug log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public_key_id", &self.public().key_id())
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// A new key of `algorithm` from operating-system randomness (Ed25519 or ECDSA P-256).
    pub fn generate(algorithm: Algorithm) -> Result<Self, KeyError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        // A random 32-byte string is a P-256 scalar unless it is zero or ≥ the group order, which
        // happens with probability about 2^-32; drawing again is the standard remedy.
        for _ in 0..16 {
            getrandom::getrandom(&mut seed[..]).map_err(|e| KeyError::Random(e.to_string()))?;
            let secret = match algorithm {
                Algorithm::Ed25519 => Secret::Ed25519(SigningKey::from_bytes(&seed)),
                Algorithm::EcdsaP256 => {
                    match p256::ecdsa::SigningKey::from_bytes(&(*seed).into()) {
                        Ok(k) => Secret::P256(k),
                        Err(_) => continue,
                    }
                }
                other => {
                    return Err(KeyError::UnsupportedSigner {
                        found: format!("an {other}"),
                    })
                }
            };
            return Self::with_public(secret);
        }
        Err(KeyError::Random(
            "no valid P-256 scalar in 16 draws; the random source is broken".to_string(),
        ))
    }

    /// Reads an unencrypted private key: PKCS#8 PEM, or SEC1 PEM for P-256. Encrypted keys need
    /// [`PrivateKey::from_pem_with`].
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        Self::from_pem_with(text, &Passphrase::None, "the key")
    }

    /// Reads a private key file's text, decrypting a cosign key with `passphrase` (asked for only
    /// when the key is encrypted; `what` names the key in the prompt).
    pub fn from_pem_with(
        text: &str,
        passphrase: &Passphrase,
        what: &str,
    ) -> Result<Self, KeyError> {
        if text.len() > MAX_KEY_FILE {
            return Err(KeyError::TooLarge { len: text.len() });
        }
        let (label, der) = pem_decode(text)?;
        let der = Zeroizing::new(der);
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "ENCRYPTED SIGSTORE PRIVATE KEY" | "ENCRYPTED COSIGN PRIVATE KEY" => {
                let pass = passphrase.get(what)?;
                let plain = cosign_key::decrypt(&der, pass.as_bytes())?;
                Self::from_pkcs8_der(&plain)
            }
            "EC PRIVATE KEY" => Self::from_sec1_der(&der),
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::Encrypted {
                found: "PKCS#8 `-----BEGIN ENCRYPTED PRIVATE KEY-----`".to_string(),
                remedy: DECRYPT_HINT.to_string(),
            }),
            "RSA PRIVATE KEY" => Err(KeyError::UnsupportedSigner {
                found: "an RSA".to_string(),
            }),
            "OPENSSH PRIVATE KEY" => Err(KeyError::WrongKind(format!(
                "OpenSSH private keys are not supported; liftoff signs with PKCS#8 PEM or cosign keys: {GEN_HINT}"
            ))),
            "PUBLIC KEY" => Err(KeyError::WrongKind(
                "this is a public key; signing needs the private key (the .key file)".to_string(),
            )),
            other => Err(KeyError::WrongKind(format!(
                "PEM block is {other:?}, not \"PRIVATE KEY\" or \"ENCRYPTED COSIGN PRIVATE KEY\"; {GEN_HINT}"
            ))),
        }
    }

    /// Reads a PKCS#8 PrivateKeyInfo DER (v1, or v2 with the public key, which must match).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = PrivateKeyInfo::from_der(der)
            .map_err(|e| KeyError::Der(format!("not a PKCS#8 PrivateKeyInfo: {e}")))?;
        let curve = info
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let secret = match (info.algorithm.oid, curve) {
            (ED25519_OID, _) => Secret::Ed25519(
                SigningKey::from_pkcs8_der(der)
                    .map_err(|e| KeyError::Der(format!("not a valid Ed25519 PKCS#8 key: {e}")))?,
            ),
            (EC_PUBLIC_KEY_OID, Some(P256_OID)) => Secret::P256(
                p256::ecdsa::SigningKey::from_pkcs8_der(der)
                    .map_err(|e| KeyError::Der(format!("not a valid P-256 PKCS#8 key: {e}")))?,
            ),
            (oid, curve) => {
                return Err(KeyError::UnsupportedSigner {
                    found: algorithm_name(oid, curve),
                })
            }
        };
        Self::with_public(secret)
    }

    fn with_public(secret: Secret) -> Result<Self, KeyError> {
        let public = match &secret {
            Secret::Ed25519(k) => PublicKey::ed25519(k.verifying_key()),
            Secret::P256(k) => {
                let der = k.verifying_key().to_public_key_der().map_err(|e| {
                    KeyError::Der(format!("cannot encode the P-256 public key: {e}"))
                })?;
                PublicKey::from_spki_der(der.as_bytes())?
            }
        };
        Ok(PrivateKey { secret, public })
    }

    /// Reads openssl's SEC1 `EC PRIVATE KEY` (what `openssl ecparam -genkey -noout` writes).
    fn from_sec1_der(der: &[u8]) -> Result<Self, KeyError> {
        match p256::SecretKey::from_sec1_der(der) {
            Ok(k) => Self::with_public(Secret::P256(k.into())),
            // Not a P-256 key (or not SEC1 at all): name the curve when it can be read.
            Err(_) => Err(KeyError::UnsupportedSigner {
                found: "an EC key on a curve other than P-256".to_string(),
            }),
        }
    }

    /// PKCS#8 v1 DER: for Ed25519 byte for byte what openssl writes (v1 because every reader takes
    /// it; some, such as older Go, refuse v2 with the public key appended), for P-256 what
    /// `openssl pkcs8 -topk8 -nocrypt` and Go's `x509.MarshalPKCS8PrivateKey` write.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        match &self.secret {
            Secret::Ed25519(k) => {
                let mut der = Zeroizing::new(ED25519_PKCS8_PREFIX.to_vec());
                der.extend_from_slice(k.as_bytes());
                Ok(der)
            }
            Secret::P256(k) => {
                let doc: SecretDocument = k
                    .to_pkcs8_der()
                    .map_err(|e| KeyError::Der(format!("cannot encode the P-256 key: {e}")))?;
                Ok(Zeroizing::new(doc.as_bytes().to_vec()))
            }
        }
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        Ok(Zeroizing::new(pem_encode(
            "PRIVATE KEY",
            &self.to_pkcs8_der()?,
        )))
    }

    /// The key file text in `format`; a cosign key is encrypted with `passphrase`.
    pub fn to_file_text(
        &self,
        format: KeyFormat,
        passphrase: &[u8],
    ) -> Result<Zeroizing<String>, KeyError> {
        match format {
            KeyFormat::Pkcs8 => self.to_pkcs8_pem(),
            KeyFormat::Cosign => cosign_key::encrypt(&self.to_pkcs8_der()?, passphrase),
        }
    }

    pub fn public(&self) -> PublicKey {
        self.public.clone()
    }

    pub fn algorithm(&self) -> Algorithm {
        match &self.secret {
            Secret::Ed25519(_) => Algorithm::Ed25519,
            Secret::P256(_) => Algorithm::EcdsaP256,
        }
    }

    /// Signs `payload`: a 64-byte pure Ed25519 signature, or an ASN.1 DER ECDSA P-256/SHA-256 one.
    pub fn sign(&self, payload: &[u8]) -> Vec<u8> {
        match &self.secret {
            Secret::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                k.sign(payload).to_bytes().to_vec()
            }
            Secret::P256(k) => {
                use p256::ecdsa::signature::Signer as _;
                let sig: p256::ecdsa::Signature = k.sign(payload);
                sig.to_der().as_bytes().to_vec()
            }
        }
    }

    /// The Ed25519 key, for tests that sign with other Ed25519 variants.
    #[cfg(test)]
    pub fn ed25519(&self) -> Option<&SigningKey> {
        match &self.secret {
            Secret::Ed25519(k) => Some(k),
            Secret::P256(_) => None,
        }
    }
}

/// `<prefix>.key` and `<prefix>.pub`. Appended rather than `with_extension`: a prefix such as
/// `release-1.4` must keep its dot.
fn pair_paths(out_prefix: &Path) -> (PathBuf, PathBuf) {
    let with = |ext: &str| {
        let mut s = out_prefix.as_os_str().to_os_string();
        s.push(ext);
        PathBuf::from(s)
    };
    (with(".key"), with(".pub"))
}

/// Creates a new file holding `text`, never over an existing one, complete or absent after a
/// crash (see `liftoff_common::atomic::write_new`).
pub fn write_new_file(path: &Path, text: &[u8], mode: u32) -> Result<(), KeyError> {
    liftoff_common::atomic::write_new(path, text, mode).map_err(|e| {
        if e.source.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            KeyError::Io {
                path: e.path,
                op: e.op,
                source: e.source,
            }
        }
    })
}

/// Writes a new key pair: `<prefix>.key` (in `format`, mode 0600) and `<prefix>.pub` (PEM SPKI,
/// mode 0644). Refuses to overwrite either file. Returns both paths and the key id.
pub fn write_keypair(
    out_prefix: &Path,
    algorithm: Algorithm,
    format: KeyFormat,
    passphrase: &Passphrase,
) -> Result<(PathBuf, PathBuf, String), KeyError> {
    let (key_path, pub_path) = pair_paths(out_prefix);
    // Checked up front so that an existing .pub does not leave a fresh, orphaned .key behind; the
    // no-replace writes below are what actually guarantees nothing is overwritten.
    for p in [&key_path, &pub_path] {
        if p.symlink_metadata().is_ok() {
            return Err(KeyError::Exists { path: p.clone() });
        }
    }
    let key = PrivateKey::generate(algorithm)?;
    let public = key.public();
    let text = match format {
        KeyFormat::Pkcs8 => key.to_pkcs8_pem()?,
        KeyFormat::Cosign => {
            let pass = passphrase.get_new("the new cosign key")?;
            key.to_file_text(format, pass.as_bytes())?
        }
    };
    write_new_file(&key_path, text.as_bytes(), 0o600)?;
    // The umask may narrow 0644; a public key is meant to be read by others.
    let result = write_new_file(&pub_path, public.to_pem().as_bytes(), 0o644).and_then(|()| {
        std::fs::set_permissions(&pub_path, std::fs::Permissions::from_mode(0o644))
            .map_err(io(&pub_path, "chmod"))
    });
    if let Err(e) = result {
        // Leave no half pair; only remove what this call created.
        let _ = std::fs::remove_file(&key_path);
        if !matches!(e, KeyError::Exists { .. }) {
            let _ = std::fs::remove_file(&pub_path);
        }
        return Err(e);
    }
    Ok((key_path, pub_path, public.key_id()))
}

/// Reads a private key file, refusing one that group or others can access; a cosign key is
/// decrypted with `passphrase`.
pub fn load_private(path: &Path, passphrase: &Passphrase) -> Result<PrivateKey, KeyError> {
    let mut f = std::fs::File::open(path).map_err(io(path, "open"))?;
    // The mode is checked on the opened file, not the path, so it is the file actually read.
    let md = f.metadata().map_err(io(path, "stat"))?;
    if !md.is_file() {
        return Err(KeyError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let mode = md.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeyError::InsecureMode {
            path: path.to_path_buf(),
            mode,
        });
    }
    let mut buf = Zeroizing::new(Vec::new());
    // One byte more than allowed tells "too large" apart from "exactly at the limit".
    std::io::Read::by_ref(&mut f)
        .take(MAX_KEY_FILE as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(io(path, "read"))?;
    let text = key_text(&buf)?;
    PrivateKey::from_pem_with(text, passphrase, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::super::signature::{self, Scheme};
    use super::*;
    use std::process::Command;

    const PAYLOAD: &[u8] = br#"{"critical":{"identity":{"docker-reference":"example.com/a:1"},"image":{"docker-manifest-digest":"sha256:74dd196fed6d1a08e41fa57229905095f808ada77e3e578fbc035ffba0af802e"},"type":"cosign container image signature"},"optional":null}"#;

    /// Runs openssl in `dir`; the tests need it (tests/run.sh installs it), so a missing openssl
    /// fails them rather than letting them pass unchecked.
    fn openssl(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl must be installed for these tests");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Checks with openssl that `sig` is `key`'s signature of PAYLOAD.
    fn openssl_verifies(dir: &Path, key: &PrivateKey, sig: &[u8]) {
        std::fs::write(dir.join("pub.pem"), key.public().to_pem()).unwrap();
        std::fs::write(dir.join("payload"), PAYLOAD).unwrap();
        std::fs::write(dir.join("sig"), sig).unwrap();
        let out = match key.algorithm() {
            Algorithm::EcdsaP256 => openssl(
                dir,
                &[
                    "dgst",
                    "-sha256",
                    "-verify",
                    "pub.pem",
                    "-signature",
                    "sig",
                    "payload",
                ],
            ),
            _ => openssl(
                dir,
                &[
                    "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in",
                    "payload", "-sigfile", "sig",
                ],
            ),
        };
        assert!(out.contains("Verified") || out.contains("Success"), "{out}");
    }

    /// The signature fixtures made by skopeo 1.9.3 (their README): missing fixtures fail the test.
    fn fixtures() -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/signatures");
        assert!(
            dir.is_dir(),
            "signature fixtures missing: {}",
            dir.display()
        );
        dir
    }

    /// A private copy of a fixture key (git keeps no modes; liftoff wants 0600).
    fn fixture_key(dir: &Path, name: &str) -> PathBuf {
        let dest = dir.join(format!("{name}.key"));
        std::fs::copy(fixtures().join(format!("{name}.key")), &dest).unwrap();
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o600)).unwrap();
        dest
    }

    #[test]
    fn liftoff_signatures_verify_with_openssl_and_liftoff() {
        let d = tempfile::tempdir().unwrap();
        for alg in [Algorithm::Ed25519, Algorithm::EcdsaP256] {
            let k = PrivateKey::generate(alg).unwrap();
            assert_eq!(k.algorithm(), alg);
            let sig = k.sign(PAYLOAD);
            openssl_verifies(d.path(), &k, &sig);
            let b64 = signature::sign(&k, PAYLOAD);
            let want = if alg == Algorithm::Ed25519 {
                Scheme::Ed25519
            } else {
                Scheme::EcdsaP256Sha256
            };
            assert_eq!(
                signature::verify(&k.public(), PAYLOAD, &b64, &Scheme::DEFAULT).unwrap(),
                want
            );
            // openssl reads the PKCS#8 liftoff writes, to the same public key.
            std::fs::write(d.path().join("k.pem"), k.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
            let pubout = openssl(d.path(), &["pkey", "-in", "k.pem", "-pubout"]);
            assert_eq!(pubout, k.public().to_pem());
            let back = PrivateKey::from_pem(&k.to_pkcs8_pem().unwrap()).unwrap();
            assert_eq!(back.public(), k.public());
        }
    }

    #[test]
    fn openssl_p256_keys_sign_in_both_encodings() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        openssl(
            p,
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                "sec1.pem",
            ],
        );
        openssl(
            p,
            &[
                "pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-out", "p8.pem",
            ],
        );
        let want = openssl(p, &["pkey", "-in", "sec1.pem", "-pubout"]);
        for f in ["sec1.pem", "p8.pem"] {
            let text = std::fs::read_to_string(p.join(f)).unwrap();
            let k = PrivateKey::from_pem(&text).unwrap();
            assert_eq!(k.public().to_pem(), want, "{f}");
            openssl_verifies(p, &k, &k.sign(PAYLOAD));
        }
        // A P-384 SEC1 key is refused by name: liftoff only verifies P-384.
        openssl(
            p,
            &[
                "ecparam",
                "-name",
                "secp384r1",
                "-genkey",
                "-noout",
                "-out",
                "p384.pem",
            ],
        );
        let e = PrivateKey::from_pem(&std::fs::read_to_string(p.join("p384.pem")).unwrap())
            .unwrap_err();
        assert!(matches!(e, KeyError::UnsupportedSigner { .. }), "{e}");
    }

    #[test]
    fn skopeo_fixture_cosign_keys_sign_with_liftoff() {
        let d = tempfile::tempdir().unwrap();
        let pass = Passphrase::File(fixtures().join("passphrase"));
        for (name, alg) in [
            ("ed25519", Algorithm::Ed25519),
            ("p256", Algorithm::EcdsaP256),
        ] {
            let path = fixture_key(d.path(), name);
            let k = load_private(&path, &pass).unwrap();
            assert_eq!(k.algorithm(), alg, "{name}");
            let fixture_pub =
                PublicKey::parse(&std::fs::read(fixtures().join(format!("{name}.pub"))).unwrap())
                    .unwrap();
            assert_eq!(k.public(), fixture_pub, "{name}");
            let b64 = signature::sign(&k, PAYLOAD);
            signature::verify(&fixture_pub, PAYLOAD, &b64, &Scheme::DEFAULT).unwrap();
            std::fs::write(d.path().join("fixture.pub"), fixture_pub.to_pem()).unwrap();
            openssl_verifies(d.path(), &k, &k.sign(PAYLOAD));
            // The wrong passphrase is named as such.
            std::fs::write(d.path().join("wrong"), "not it").unwrap();
            let e = load_private(&path, &Passphrase::File(d.path().join("wrong"))).unwrap_err();
            assert!(matches!(e, KeyError::WrongPassphrase), "{name}: {e}");
            // Without a passphrase source the key is refused, not prompted for.
            let e = load_private(&path, &Passphrase::None).unwrap_err();
            assert!(matches!(e, KeyError::Passphrase(_)), "{name}: {e}");
        }
    }

    #[test]
    fn cosign_keypairs_round_trip_and_keep_modes() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("pass"), "correct horse\n").unwrap();
        let pass = Passphrase::File(d.path().join("pass"));
        for alg in [Algorithm::Ed25519, Algorithm::EcdsaP256] {
            let prefix = d.path().join(format!("k-{alg}").replace(' ', ""));
            let (k, p, id) = write_keypair(&prefix, alg, KeyFormat::Cosign, &pass).unwrap();
            let text = std::fs::read_to_string(&k).unwrap();
            assert!(text.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"));
            let mode = std::fs::metadata(&k).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let sk = load_private(&k, &pass).unwrap();
            assert_eq!(sk.public().key_id(), id);
            assert_eq!(
                PublicKey::parse(&std::fs::read(&p).unwrap()).unwrap(),
                sk.public()
            );
            assert!(matches!(
                write_keypair(&prefix, alg, KeyFormat::Cosign, &pass),
                Err(KeyError::Exists { .. })
            ));
        }
        // P-384 and RSA do not sign.
        assert!(matches!(
            PrivateKey::generate(Algorithm::EcdsaP384),
            Err(KeyError::UnsupportedSigner { .. })
        ));
    }

    /// An independent implementation (Python's hashlib.scrypt and PyNaCl's SecretBox) decrypts a
    /// key liftoff wrote to the PKCS#8 DER liftoff holds. Debian's python3 and python3-nacl, which
    /// tests/run.sh installs; the test fails, not passes, without them.
    #[test]
    #[ignore = "interop with PyNaCl: run by tests/run.sh (as root), which installs python3-nacl"]
    fn cosign_keys_decrypt_with_pynacl() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("pass"), "pässwörd").unwrap();
        let pass = Passphrase::File(d.path().join("pass"));
        let script = r#"
import base64, hashlib, json, sys
from nacl.secret import SecretBox
text = open(sys.argv[1]).read().strip().splitlines()
assert text[0] == "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----", text[0]
env = json.loads(base64.b64decode("".join(text[1:-1])))
kdf = env["kdf"]; prm = kdf["params"]
assert kdf["name"] == "scrypt" and env["cipher"]["name"] == "nacl/secretbox"
key = hashlib.scrypt(sys.argv[2].encode(), salt=base64.b64decode(kdf["salt"]), n=prm["N"], r=prm["r"], p=prm["p"], maxmem=64 << 20, dklen=32)
box = SecretBox(key)
print(box.decrypt(base64.b64decode(env["ciphertext"]), base64.b64decode(env["cipher"]["nonce"])).hex())
"#;
        for alg in [Algorithm::Ed25519, Algorithm::EcdsaP256] {
            let prefix = d.path().join(if alg == Algorithm::Ed25519 {
                "ed"
            } else {
                "p256"
            });
            let (k, _, _) = write_keypair(&prefix, alg, KeyFormat::Cosign, &pass).unwrap();
            // Debian's interpreter, where python3-nacl is installed (not a pyenv shim on PATH).
            let out = Command::new("/usr/bin/python3")
                .args(["-c", script])
                .arg(&k)
                .arg("pässwörd")
                .output()
                .expect("/usr/bin/python3 must be installed");
            assert!(
                out.status.success(),
                "python: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let der = hex::decode(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
            let sk = load_private(&k, &pass).unwrap();
            assert_eq!(der, sk.to_pkcs8_der().unwrap().as_slice(), "{alg}");
            // And that DER is a key openssl reads, to the same public key.
            std::fs::write(d.path().join("k.der"), &der).unwrap();
            let pubout = openssl(
                d.path(),
                &["pkey", "-inform", "DER", "-in", "k.der", "-pubout"],
            );
            assert_eq!(pubout, sk.public().to_pem());
        }
    }
}
