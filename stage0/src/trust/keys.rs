//! Keys: reading, writing and naming them (docs/trust.md, Keys).
//!
//! Public keys are read from PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`, what
//! `openssl pkey -pubout`, cosign and skopeo write) or from minisign `.pub` files. A public key is
//! Ed25519, ECDSA P-256, ECDSA P-384 or RSA (2048 to 4096 bits), told apart by the SPKI algorithm
//! (id-ecPublicKey with its namedCurve, rsaEncryption); minisign keys are Ed25519 only. Private
//! (signing) keys are in [`super::private_key`], re-exported here; this module also holds the PEM
//! reader and writer both use.
//!
//! A key's id is the lowercase hex sha256 of its SPKI DER encoding, whatever file it came from, so
//! the same key read from PEM or minisign has the same id, and the id can be recomputed with
//! `openssl pkey -pubin -in KEY.pub -outform DER | sha256sum`. Only the canonical DER of a key is
//! accepted (for EC keys: the uncompressed point), so one key has one id.
//!
//! Everything read here is untrusted input: parsing is bounded and strict (one PEM block, no text
//! around it, canonical DER only), and errors say what was found and what to do instead.

use super::private_key::DECRYPT_HINT;
pub use super::private_key::{
    load_private, write_keypair, write_new_file, KeyFormat, PrivateKey, GEN_HINT,
};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::pkcs8::spki::der::zeroize::{Zeroize, Zeroizing};
use ed25519_dalek::pkcs8::spki::der::Decode as _;
use ed25519_dalek::pkcs8::spki::SubjectPublicKeyInfoRef;
use ed25519_dalek::pkcs8::spki::{DecodePublicKey as _, EncodePublicKey as _};
use ed25519_dalek::pkcs8::ObjectIdentifier;
use ed25519_dalek::VerifyingKey;
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// Largest key file parsed. Real ones are ~110 (public) and ~120 (private) bytes; the bound keeps a
/// hostile file from costing more than a glance.
pub const MAX_KEY_FILE: usize = 16 * 1024;

/// DER of an Ed25519 SubjectPublicKeyInfo up to the key bytes (RFC 8410 §4): SEQUENCE { SEQUENCE {
/// OID 1.3.101.112 }, BIT STRING (0 unused bits) }. Ed25519 SPKI has exactly one DER encoding, so a
/// byte comparison is a complete parse, and the key id of a key is unambiguous.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

const ED25519_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const EC_PUBLIC_KEY_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const RSA_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Smallest RSA modulus trusted: 1024-bit RSA is within reach of a well-funded attacker, and
/// NIST SP 800-131A disallows it for signatures.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus read (the `rsa` crate's bound; larger keys only cost verification time).
pub const MAX_RSA_BITS: usize = rsa::RsaPublicKey::MAX_SIZE;

/// What liftoff verifies; repeated in every "unsupported public key" message.
const VERIFY_ALGS: &str =
    "liftoff verifies Ed25519, ECDSA P-256, ECDSA P-384 and RSA (2048 to 4096 bits) keys";

/// Why a key was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("key file is {len} bytes, more than the {MAX_KEY_FILE} a key file can be; refusing to parse it")]
    TooLarge { len: usize },
    #[error("not a key liftoff can read ({found}); public keys must be PEM (`-----BEGIN PUBLIC KEY-----`) or minisign .pub files, private keys PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) or cosign's `-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----`")]
    UnknownFormat { found: String },
    #[error("malformed PEM: {0}")]
    Pem(String),
    #[error("{0}")]
    WrongKind(String),
    #[error("malformed key encoding: {0}")]
    Der(String),
    #[error("{VERIFY_ALGS}, but this is {found} key; {GEN_HINT}")]
    UnsupportedAlgorithm { found: String },
    #[error("liftoff signs only with Ed25519 and ECDSA P-256 keys, but this is {found} key (its public key can still be trusted to verify signatures made elsewhere); {GEN_HINT}")]
    UnsupportedSigner { found: String },
    #[error("the RSA key is {bits} bits; liftoff refuses RSA keys of fewer than {MIN_RSA_BITS} bits, which can be broken: use a 3072-bit RSA, an ECDSA or an Ed25519 key")]
    RsaTooSmall { bits: usize },
    #[error("the {algorithm} public key is not valid: {reason}")]
    BadKey {
        algorithm: &'static str,
        reason: String,
    },
    #[error("the key is encrypted ({found}); liftoff reads unencrypted PKCS#8 keys, kept safe by file mode 0600, and cosign's encrypted keys: {remedy}")]
    Encrypted { found: String, remedy: String },
    #[error("the Ed25519 public key is not a valid curve point: {0}")]
    BadPoint(String),
    #[error("the Ed25519 public key is a weak (small-order) point, for which signatures prove nothing; refusing it")]
    WeakKey,
    #[error("malformed minisign public key: {0}")]
    Minisign(String),
    #[error("{path} is readable by group or others (mode {mode:04o}); a signing key must be private to its owner: run `chmod 600 {path}`")]
    InsecureMode { path: PathBuf, mode: u32 },
    #[error("{path} already exists; refusing to overwrite it (choose another name, or remove it first if it is no longer needed)")]
    Exists { path: PathBuf },
    #[error("{path} is not a regular file")]
    NotAFile { path: PathBuf },
    #[error("cannot get random bytes for a new key: {0}")]
    Random(String),
    #[error("{0}")]
    Passphrase(String),
    #[error("the passphrase does not decrypt the cosign key (a wrong passphrase, or the file was changed); check --passphrase-file or $COSIGN_PASSWORD")]
    WrongPassphrase,
    #[error("malformed cosign encrypted key: {0}")]
    CosignFormat(String),
}

pub(super) fn io(path: &Path, op: &'static str) -> impl FnOnce(std::io::Error) -> KeyError {
    let path = path.to_path_buf();
    move |source| KeyError::Io { path, op, source }
}

/// The key itself, by algorithm; each is a validated key (on its curve, of a trusted size).
#[derive(Clone)]
pub enum KeyMaterial {
    Ed25519(VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

/// The algorithm of a public key, as messages and `trust list` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Ed25519,
    EcdsaP256,
    EcdsaP384,
    /// RSA with a modulus of this many bits.
    Rsa(usize),
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Algorithm::Ed25519 => f.write_str("Ed25519"),
            Algorithm::EcdsaP256 => f.write_str("ECDSA P-256"),
            Algorithm::EcdsaP384 => f.write_str("ECDSA P-384"),
            Algorithm::Rsa(bits) => write!(f, "RSA-{bits}"),
        }
    }
}

/// A trusted-key candidate: an Ed25519 key that is a valid, canonical, non-weak point, an ECDSA
/// P-256 or P-384 key that is a point on its curve, or an RSA key of 2048 to 4096 bits.
#[derive(Clone)]
pub struct PublicKey {
    key: KeyMaterial,
    /// The canonical DER SubjectPublicKeyInfo: what the key id is the hash of.
    spki: Vec<u8>,
    /// The minisign key id (as minisign prints it) when the key came from a minisign file; only for
    /// messages: liftoff names keys by [`PublicKey::key_id`].
    minisign_id: Option<String>,
}

impl PartialEq for PublicKey {
    // The same key is the same key whichever file format it was read from: its canonical SPKI.
    fn eq(&self, other: &Self) -> bool {
        self.spki == other.spki
    }
}
impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("PublicKey");
        d.field("key_id", &self.key_id());
        if let Some(m) = &self.minisign_id {
            d.field("minisign_id", m);
        }
        d.finish()
    }
}

impl PublicKey {
    /// Accepts the 32-byte encoding of a point only if it is canonical and not of small order.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|e| KeyError::BadPoint(e.to_string()))?;
        // A non-canonical encoding (y >= p, or a "negative" zero x) names a point that also has a
        // canonical encoding: the same key would have two key ids, so only the canonical one is
        // accepted.
        if key.to_edwards().compress().to_bytes() != *bytes {
            return Err(KeyError::BadPoint(
                "non-canonical point encoding".to_string(),
            ));
        }
        // A small-order key makes forged signatures verify under non-strict rules; there is no
        // honest reason to have one.
        if key.is_weak() {
            return Err(KeyError::WeakKey);
        }
        Ok(Self::ed25519(key))
    }

    /// An Ed25519 key already known to be valid.
    pub(super) fn ed25519(key: VerifyingKey) -> Self {
        let mut spki = SPKI_PREFIX.to_vec();
        spki.extend_from_slice(key.as_bytes());
        PublicKey {
            key: KeyMaterial::Ed25519(key),
            spki,
            minisign_id: None,
        }
    }

    /// Reads a public key file of either supported format, telling them apart by content.
    pub fn parse(bytes: &[u8]) -> Result<Self, KeyError> {
        let text = key_text(bytes)?;
        let t = text.trim_start();
        if t.starts_with("-----BEGIN ") {
            return Self::from_pem(text);
        }
        if t.starts_with("untrusted comment:")
            || (t.starts_with("RW") && t.trim().lines().count() == 1)
        {
            return Self::from_minisign(text);
        }
        Err(KeyError::UnknownFormat {
            found: describe_unknown(t),
        })
    }

    /// Reads a PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        if text.len() > MAX_KEY_FILE {
            return Err(KeyError::TooLarge { len: text.len() });
        }
        let (label, der) = pem_decode(text)?;
        match label.as_str() {
            "PUBLIC KEY" => {}
            "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY"
            | "OPENSSH PRIVATE KEY" | "ENCRYPTED SIGSTORE PRIVATE KEY"
            | "ENCRYPTED COSIGN PRIVATE KEY" => {
                return Err(KeyError::WrongKind(format!(
                    "this is a private key (`-----BEGIN {label}-----`), where a public key is needed; give the public key instead (`openssl pkey -in KEY -pubout`, or the .pub file `liftoff key gen` wrote), and keep the private key secret"
                )))
            }
            "CERTIFICATE" => {
                return Err(KeyError::WrongKind(
                    "this is a certificate; liftoff trusts bare public keys: extract it with `openssl x509 -in CERT -pubkey -noout`".to_string(),
                ))
            }
            "RSA PUBLIC KEY" => {
                return Err(KeyError::WrongKind(
                    "this is a PKCS#1 RSA public key (`-----BEGIN RSA PUBLIC KEY-----`); liftoff reads the SPKI form: convert it with `openssl rsa -RSAPublicKey_in -in KEY -pubout`".to_string(),
                ))
            }
            other => {
                return Err(KeyError::WrongKind(format!(
                    "PEM block is {other:?}, not \"PUBLIC KEY\"; liftoff reads public keys in PEM SPKI form (`-----BEGIN PUBLIC KEY-----`)"
                )))
            }
        }
        Self::from_spki_der(&der)
    }

    /// Reads a DER SubjectPublicKeyInfo of a supported algorithm, naming the algorithm of any other.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        if let Some(rest) = der.strip_prefix(&SPKI_PREFIX[..]) {
            if let Ok(key) = <&[u8; 32]>::try_from(rest) {
                return Self::from_bytes(key);
            }
        }
        // Not the one Ed25519 encoding: parse it generically, only to say what it is instead.
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| KeyError::Der(format!("not a SubjectPublicKeyInfo: {e}")))?;
        let oid = spki.algorithm.oid;
        if oid == ED25519_OID {
            return Err(KeyError::Der(
                "Ed25519 SubjectPublicKeyInfo is not in its canonical form (RFC 8410: no parameters, a 32-byte key)".to_string(),
            ));
        }
        let curve = spki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let bad = |algorithm: &'static str| {
            move |e: ed25519_dalek::pkcs8::spki::Error| KeyError::BadKey {
                algorithm,
                reason: e.to_string(),
            }
        };
        let key = match (oid, curve) {
            (EC_PUBLIC_KEY_OID, Some(P256_OID)) => KeyMaterial::P256(
                p256::ecdsa::VerifyingKey::from_public_key_der(der).map_err(bad("ECDSA P-256"))?,
            ),
            (EC_PUBLIC_KEY_OID, Some(P384_OID)) => KeyMaterial::P384(
                p384::ecdsa::VerifyingKey::from_public_key_der(der).map_err(bad("ECDSA P-384"))?,
            ),
            (RSA_OID, _) => {
                // The crate refuses moduli over MAX_RSA_BITS and bad exponents; say what it takes.
                let key =
                    rsa::RsaPublicKey::from_public_key_der(der).map_err(|e| KeyError::BadKey {
                        algorithm: "RSA",
                        reason: format!(
                            "{e} (liftoff reads RSA keys of {MIN_RSA_BITS} to {MAX_RSA_BITS} bits)"
                        ),
                    })?;
                let bits = key.n().bits();
                if bits < MIN_RSA_BITS {
                    return Err(KeyError::RsaTooSmall { bits });
                }
                KeyMaterial::Rsa(key)
            }
            _ => {
                return Err(KeyError::UnsupportedAlgorithm {
                    found: algorithm_name(oid, curve),
                })
            }
        };
        let canonical = match &key {
            KeyMaterial::Ed25519(_) => Ok(der.to_vec()),
            KeyMaterial::P256(k) => k.to_public_key_der().map(|d| d.into_vec()),
            KeyMaterial::P384(k) => k.to_public_key_der().map(|d| d.into_vec()),
            KeyMaterial::Rsa(k) => k.to_public_key_der().map(|d| d.into_vec()),
        }
        .map_err(|e| KeyError::Der(format!("cannot re-encode the key: {e}")))?;
        // One key, one id: a second encoding of the same key (a compressed EC point, say) would
        // give it a second key id, so only the canonical one is read.
        if canonical != der {
            return Err(KeyError::Der(
                "the SubjectPublicKeyInfo is not in its canonical form (EC points must be uncompressed); re-encode it with `openssl pkey -pubin -in KEY -pubout -ec_conv_form uncompressed`".to_string(),
            ));
        }
        Ok(PublicKey {
            key,
            spki: canonical,
            minisign_id: None,
        })
    }

    /// Reads a minisign public key: an `untrusted comment:` line, then base64 of `Ed` || 8-byte key
    /// id || 32-byte key. The comment line may be left out (the form `minisign -P` takes).
    pub fn from_minisign(text: &str) -> Result<Self, KeyError> {
        if text.len() > MAX_KEY_FILE {
            return Err(KeyError::TooLarge { len: text.len() });
        }
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let mut first = lines.next().unwrap_or("");
        if let Some(comment) = first.strip_prefix("untrusted comment:") {
            if comment.contains("secret key") {
                return Err(KeyError::WrongKind(
                    "this is a minisign secret key; give the public key (the .pub file) instead, and keep the secret key secret".to_string(),
                ));
            }
            first = lines.next().unwrap_or("");
        }
        if first.is_empty() {
            return Err(KeyError::Minisign("no key line".to_string()));
        }
        if lines.next().is_some() {
            return Err(KeyError::Minisign(
                "unexpected lines after the key (a minisign public key file has two lines)"
                    .to_string(),
            ));
        }
        let raw = B64
            .decode(first)
            .map_err(|e| KeyError::Minisign(format!("key line is not base64: {e}")))?;
        if raw.len() != 42 {
            return Err(KeyError::Minisign(format!(
                "key line decodes to {} bytes, not the 42 of an Ed25519 public key",
                raw.len()
            )));
        }
        if &raw[..2] != b"Ed" {
            return Err(KeyError::UnsupportedAlgorithm {
                found: format!("a minisign {:?}", String::from_utf8_lossy(&raw[..2])),
            });
        }
        // minisign prints its key id as a little-endian u64 in uppercase hex.
        let id: String = raw[2..10]
            .iter()
            .rev()
            .map(|b| format!("{b:02X}"))
            .collect();
        let mut key = [0u8; 32];
        key.copy_from_slice(&raw[10..42]);
        let mut k = Self::from_bytes(&key)?;
        k.minisign_id = Some(id);
        Ok(k)
    }

    /// The canonical DER SubjectPublicKeyInfo (44 bytes for Ed25519).
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// Which algorithm this key is for.
    pub fn algorithm(&self) -> Algorithm {
        match &self.key {
            KeyMaterial::Ed25519(_) => Algorithm::Ed25519,
            KeyMaterial::P256(_) => Algorithm::EcdsaP256,
            KeyMaterial::P384(_) => Algorithm::EcdsaP384,
            KeyMaterial::Rsa(k) => Algorithm::Rsa(k.n().bits()),
        }
    }

    /// Lowercase hex sha256 of the SPKI DER: the name liftoff gives this key everywhere.
    pub fn key_id(&self) -> String {
        hex::encode(Sha256::digest(self.spki_der()))
    }

    /// The key id minisign gives this key, when it was read from a minisign file.
    pub fn minisign_id(&self) -> Option<&str> {
        self.minisign_id.as_deref()
    }

    /// PEM SubjectPublicKeyInfo, as `openssl pkey -pubout` writes it.
    pub fn to_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.spki)
    }

    /// The 32-byte point of an Ed25519 key; None for keys of other algorithms.
    pub fn ed25519_bytes(&self) -> Option<&[u8; 32]> {
        match &self.key {
            KeyMaterial::Ed25519(k) => Some(k.as_bytes()),
            _ => None,
        }
    }

    /// The key itself, for verification.
    pub fn material(&self) -> &KeyMaterial {
        &self.key
    }
}

/// Bounds and decodes key file bytes as text.
pub(super) fn key_text(bytes: &[u8]) -> Result<&str, KeyError> {
    if bytes.len() > MAX_KEY_FILE {
        return Err(KeyError::TooLarge { len: bytes.len() });
    }
    std::str::from_utf8(bytes).map_err(|_| KeyError::UnknownFormat {
        found: "binary data; a DER key can be converted with `openssl pkey -inform DER -in KEY -pubout` (public) or `openssl pkey -inform DER -in KEY` (private)".to_string(),
    })
}

/// A short, safe description of unrecognised key text for error messages.
fn describe_unknown(t: &str) -> String {
    if t.is_empty() {
        return "an empty file".to_string();
    }
    if t.starts_with("ssh-") || t.starts_with("ecdsa-sha2-") {
        return "an OpenSSH public key; convert it with `ssh-keygen -e -m PKCS8 -f KEY.pub`"
            .to_string();
    }
    let first: String = t
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(40)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("text starting {first:?}")
}

/// Human name of a key algorithm for "unsupported algorithm" messages, with an article.
pub(super) fn algorithm_name(oid: ObjectIdentifier, curve: Option<ObjectIdentifier>) -> String {
    let name = match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => "an RSA",
        "1.2.840.113549.1.1.10" => "an RSA-PSS",
        "1.2.840.10040.4.1" => "a DSA",
        "1.3.101.110" => "an X25519 (key agreement, not signing)",
        "1.3.101.111" => "an X448 (key agreement, not signing)",
        "1.3.101.113" => "an Ed448",
        "1.2.840.10045.2.1" => "",
        other => return format!("a key of algorithm OID {other}"),
    };
    if oid != EC_PUBLIC_KEY_OID {
        return name.to_string();
    }
    let curve = match curve.map(|c| c.to_string()) {
        Some(c) => match c.as_str() {
            "1.2.840.10045.3.1.7" => "P-256".to_string(),
            "1.3.132.0.34" => "P-384".to_string(),
            "1.3.132.0.35" => "P-521".to_string(),
            "1.3.132.0.10" => "secp256k1".to_string(),
            _ => format!("curve {c}"),
        },
        None => "unnamed curve".to_string(),
    };
    format!("an EC ({curve})")
}

/// Decodes exactly one PEM block with nothing but whitespace around it. Returns the label and the
/// decoded bytes. Headers (the legacy `Proc-Type: 4,ENCRYPTED` form) are refused.
pub(super) fn pem_decode(text: &str) -> Result<(String, Vec<u8>), KeyError> {
    let mut lines = text
        .trim()
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty());
    let begin = lines.next().unwrap_or("");
    let label = begin
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| {
            KeyError::Pem("the first line is not `-----BEGIN <LABEL>-----`".to_string())
        })?;
    let end = format!("-----END {label}-----");
    let mut body = Zeroizing::new(String::new());
    let mut ended = false;
    for line in lines.by_ref() {
        if line == end {
            ended = true;
            break;
        }
        if line.starts_with("-----") {
            return Err(KeyError::Pem(format!(
                "unexpected {line:?} inside the {label} block"
            )));
        }
        if line.contains(':') {
            if line.contains("ENCRYPTED") {
                return Err(KeyError::Encrypted {
                    found: "legacy PEM encryption (`Proc-Type: 4,ENCRYPTED`)".to_string(),
                    remedy: DECRYPT_HINT.to_string(),
                });
            }
            return Err(KeyError::Pem(format!(
                "PEM headers are not supported (found {:?})",
                line.chars().take(40).collect::<String>()
            )));
        }
        body.push_str(line.trim());
    }
    if !ended {
        return Err(KeyError::Pem(format!("no `{end}` line")));
    }
    if lines.next().is_some() {
        return Err(KeyError::Pem(format!(
            "unexpected text after `{end}`; a key file holds exactly one PEM block"
        )));
    }
    let der = B64
        .decode(body.as_bytes())
        .map_err(|e| KeyError::Pem(format!("the body is not base64: {e}")))?;
    Ok((label.to_string(), der))
}

/// PEM with 64-column base64 lines and a final newline, as openssl writes it.
pub(super) fn pem_encode(label: &str, der: &[u8]) -> String {
    let mut b64 = B64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every 64-byte chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    b64.zeroize();
    out
}

#[cfg(test)]
mod tests {
    use super::super::passphrase::Passphrase;
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;
    use std::process::Command;

    /// Runs openssl with `args` in `dir` (always Some; a missing openssl fails the test).
    fn openssl(dir: &Path, args: &[&str]) -> Option<std::process::Output> {
        match Command::new("openssl").args(args).current_dir(dir).output() {
            Ok(out) => {
                assert!(
                    out.status.success(),
                    "openssl {args:?} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                Some(out)
            }
            Err(e) => {
                // Never a silent pass: these tests check interop with openssl, which
                // tests/run.sh installs.
                panic!("openssl is needed for this test (apt-get install openssl): {e}")
            }
        }
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    #[test]
    fn openssl_keys_interoperate() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        if openssl(p, &["genpkey", "-algorithm", "ed25519", "-out", "k.pem"]).is_none() {
            return;
        }
        openssl(p, &["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"]);
        let der = openssl(p, &["pkey", "-pubin", "-in", "pub.pem", "-outform", "DER"]).unwrap();
        let sk = PrivateKey::from_pem(&read(p, "k.pem")).unwrap();
        let pk = PublicKey::from_pem(&read(p, "pub.pem")).unwrap();
        assert_eq!(sk.public(), pk);
        assert_eq!(sk.public().key_id(), pk.key_id());
        assert_eq!(pk.key_id(), hex::encode(Sha256::digest(&der.stdout)));
        assert_eq!(pk.spki_der(), der.stdout.as_slice());
        // What liftoff writes is byte-identical to what openssl writes.
        assert_eq!(pk.to_pem(), read(p, "pub.pem"));
        assert_eq!(sk.to_pkcs8_pem().unwrap().as_str(), read(p, "k.pem"));
        assert_eq!(PublicKey::parse(read(p, "pub.pem").as_bytes()).unwrap(), pk);
    }

    #[test]
    fn generated_keys_read_by_openssl() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        let (k, _pubp, id) = write_keypair(
            &p.join("rel"),
            Algorithm::Ed25519,
            KeyFormat::Pkcs8,
            &Passphrase::None,
        )
        .unwrap();
        let Some(out) = openssl(p, &["pkey", "-in", "rel.key", "-pubout"]) else {
            return;
        };
        assert_eq!(String::from_utf8(out.stdout).unwrap(), read(p, "rel.pub"));
        let der = openssl(p, &["pkey", "-pubin", "-in", "rel.pub", "-outform", "DER"]).unwrap();
        assert_eq!(id, hex::encode(Sha256::digest(&der.stdout)));
        assert_eq!(
            load_private(&k, &Passphrase::None)
                .unwrap()
                .public()
                .key_id(),
            id
        );
    }

    #[test]
    fn pkcs8_v2_with_public_key_accepted_and_checked() {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        let sk = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        // dalek writes v2 (public key included).
        let pem = sk
            .ed25519()
            .unwrap()
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap();
        let back = PrivateKey::from_pem(&pem).unwrap();
        assert_eq!(back.public(), sk.public());
    }

    fn assert_alg(err: KeyError, want: &str) {
        let msg = err.to_string();
        assert!(
            matches!(
                err,
                KeyError::UnsupportedAlgorithm { .. } | KeyError::UnsupportedSigner { .. }
            ),
            "wrong error: {msg}"
        );
        assert!(msg.contains(want), "{msg:?} does not name {want}");
        assert!(msg.contains("liftoff key gen"), "{msg}");
    }

    /// `openssl genpkey` args for a key of `alg` ("RSA:2048", "EC:P-256", "X25519").
    fn genpkey(alg: &str) -> Vec<String> {
        let mut args: Vec<String> = ["genpkey", "-algorithm"].map(String::from).to_vec();
        match alg.split_once(':') {
            Some(("RSA", bits)) => args
                .extend(["RSA", "-pkeyopt", &format!("rsa_keygen_bits:{bits}")].map(String::from)),
            Some(("EC", curve)) => args.extend(
                ["EC", "-pkeyopt", &format!("ec_paramgen_curve:{curve}")].map(String::from),
            ),
            _ => args.push(alg.to_string()),
        }
        args.extend(["-out", "k.pem"].map(String::from));
        args
    }

    #[test]
    fn ecdsa_and_rsa_public_keys_accepted_and_only_p256_signs() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        for (alg, want) in [
            ("EC:P-256", Algorithm::EcdsaP256),
            ("EC:P-384", Algorithm::EcdsaP384),
            ("RSA:2048", Algorithm::Rsa(2048)),
            ("RSA:3072", Algorithm::Rsa(3072)),
        ] {
            let _ = std::fs::remove_file(p.join("k.pem"));
            let args = genpkey(alg);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            if openssl(p, &args).is_none() {
                return;
            }
            openssl(p, &["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"]);
            let der = openssl(p, &["pkey", "-pubin", "-in", "pub.pem", "-outform", "DER"]).unwrap();
            let pk = PublicKey::parse(read(p, "pub.pem").as_bytes()).unwrap();
            assert_eq!(pk.algorithm(), want, "{alg}");
            assert_eq!(pk.spki_der(), der.stdout.as_slice(), "{alg}");
            assert_eq!(pk.key_id(), hex::encode(Sha256::digest(&der.stdout)));
            assert_eq!(pk.to_pem(), read(p, "pub.pem"));
            assert!(pk.ed25519_bytes().is_none());
            assert_eq!(PublicKey::from_spki_der(pk.spki_der()).unwrap(), pk);
            // P-256 signs; P-384 and RSA private keys are refused, by name.
            if want == Algorithm::EcdsaP256 {
                let sk = PrivateKey::from_pem(&read(p, "k.pem")).unwrap();
                assert_eq!(sk.public(), pk);
                continue;
            }
            let e = PrivateKey::from_pem(&read(p, "k.pem")).unwrap_err();
            assert!(matches!(e, KeyError::UnsupportedSigner { .. }), "{e}");
            assert!(
                e.to_string()
                    .contains("signs only with Ed25519 and ECDSA P-256"),
                "{e}"
            );
        }
        // A compressed EC point is a second encoding of the same key: refused, with the remedy.
        let _ = std::fs::remove_file(p.join("k.pem"));
        openssl(
            p,
            &genpkey("EC:P-256")
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        openssl(
            p,
            &[
                "pkey",
                "-in",
                "k.pem",
                "-pubout",
                "-ec_conv_form",
                "compressed",
                "-out",
                "c.pem",
            ],
        );
        let e = PublicKey::parse(read(p, "c.pem").as_bytes()).unwrap_err();
        assert!(e.to_string().contains("uncompressed"), "{e}");
        // A P-256 SPKI whose point is not on the curve.
        openssl(
            p,
            &[
                "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "k.der",
            ],
        );
        let mut der = std::fs::read(p.join("k.der")).unwrap();
        let last = der.len() - 1;
        der[last] ^= 1;
        let e = PublicKey::from_spki_der(&der).unwrap_err();
        assert!(
            matches!(
                e,
                KeyError::BadKey {
                    algorithm: "ECDSA P-256",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn small_rsa_keys_refused_with_size() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        let args = genpkey("RSA:1024");
        if openssl(p, &args.iter().map(String::as_str).collect::<Vec<_>>()).is_none() {
            return;
        }
        openssl(p, &["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"]);
        let e = PublicKey::parse(read(p, "pub.pem").as_bytes()).unwrap_err();
        assert!(matches!(e, KeyError::RsaTooSmall { bits: 1024 }), "{e}");
        assert!(e.to_string().contains("1024 bits"), "{e}");
        assert!(e.to_string().contains("2048"), "{e}");
    }

    #[test]
    fn other_algorithms_refused_by_name() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        let cases: &[(&str, &str)] = &[
            ("EC:P-521", "EC (P-521)"),
            ("EC:secp256k1", "EC (secp256k1)"),
            ("X25519", "X25519"),
            ("ED448", "Ed448"),
        ];
        for (alg, want) in cases {
            let _ = std::fs::remove_file(p.join("k.pem"));
            let args = genpkey(alg);
            if openssl(p, &args.iter().map(String::as_str).collect::<Vec<_>>()).is_none() {
                return;
            }
            openssl(p, &["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"]);
            assert_alg(PublicKey::from_pem(&read(p, "pub.pem")).unwrap_err(), want);
            assert_alg(
                PublicKey::parse(read(p, "pub.pem").as_bytes()).unwrap_err(),
                want,
            );
            assert_alg(PrivateKey::from_pem(&read(p, "k.pem")).unwrap_err(), want);
        }
        // Traditional (non-PKCS#8) RSA files are named from their PEM label; a PKCS#1 public key
        // is pointed at its SPKI form.
        let args = genpkey("RSA:2048");
        openssl(p, &args.iter().map(String::as_str).collect::<Vec<_>>());
        openssl(
            p,
            &[
                "rsa",
                "-in",
                "k.pem",
                "-RSAPublicKey_out",
                "-out",
                "rpub.pem",
            ],
        );
        let e = PublicKey::from_pem(&read(p, "rpub.pem")).unwrap_err();
        assert!(matches!(e, KeyError::WrongKind(_)), "{e}");
        assert!(e.to_string().contains("-RSAPublicKey_in"), "{e}");
        openssl(
            p,
            &["rsa", "-in", "k.pem", "-traditional", "-out", "rtrad.pem"],
        );
        assert_alg(
            PrivateKey::from_pem(&read(p, "rtrad.pem")).unwrap_err(),
            "RSA",
        );
    }

    #[test]
    fn encrypted_private_key_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        if openssl(p, &["genpkey", "-algorithm", "ed25519", "-out", "k.pem"]).is_none() {
            return;
        }
        openssl(
            p,
            &[
                "pkcs8",
                "-topk8",
                "-in",
                "k.pem",
                "-passout",
                "pass:secret",
                "-out",
                "enc.pem",
            ],
        );
        assert!(read(p, "enc.pem").contains("ENCRYPTED PRIVATE KEY"));
        let e = PrivateKey::from_pem(&read(p, "enc.pem")).unwrap_err();
        assert!(matches!(e, KeyError::Encrypted { .. }), "{e}");
        assert!(e.to_string().contains("unencrypted"), "{e}");
        // cosign's format needs a passphrase, which a caller without one cannot give.
        let cosign = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
        let e = PrivateKey::from_pem(cosign).unwrap_err();
        assert!(matches!(e, KeyError::Passphrase(_)), "{e}");
    }

    fn spki_pem(key: &[u8; 32]) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(key);
        pem_encode("PUBLIC KEY", &der)
    }

    #[test]
    fn small_order_and_invalid_points_refused() {
        // The identity point (y = 1).
        let mut id = [0u8; 32];
        id[0] = 1;
        assert!(matches!(
            PublicKey::from_pem(&spki_pem(&id)),
            Err(KeyError::WeakKey)
        ));
        // A point of order 2 (y = -1 = p - 1).
        let mut order2 = [0xffu8; 32];
        order2[0] = 0xec;
        order2[31] = 0x7f;
        assert!(matches!(
            PublicKey::from_pem(&spki_pem(&order2)),
            Err(KeyError::WeakKey)
        ));
        // y = 2 has no x on the curve.
        let mut bad = [0u8; 32];
        bad[0] = 2;
        assert!(matches!(
            PublicKey::from_pem(&spki_pem(&bad)),
            Err(KeyError::BadPoint(_))
        ));
        // Non-canonical encodings (y >= p) are refused whatever point they decode to: y = p + 1
        // (the identity again) and y = p + 3.
        for low in [0xee, 0xf0] {
            let mut enc = [0xffu8; 32];
            enc[0] = low;
            enc[31] = 0x7f;
            assert!(PublicKey::from_pem(&spki_pem(&enc)).is_err());
        }
        // Every y < 19 that is a valid full-order point has a second encoding y + p; that one must
        // be refused as non-canonical, or one key would have two key ids.
        let mut full_order = 0;
        for small in 0u8..19 {
            let mut canon = [0u8; 32];
            canon[0] = small;
            if PublicKey::from_bytes(&canon).is_err() {
                continue;
            }
            full_order += 1;
            let mut alias = [0xffu8; 32];
            alias[0] = 0xed + small;
            alias[31] = 0x7f;
            let e = PublicKey::from_bytes(&alias).unwrap_err();
            assert!(e.to_string().contains("non-canonical"), "{e}");
        }
        assert!(
            full_order > 0,
            "no full-order point with small y to test with"
        );
    }

    #[test]
    fn garbage_refused() {
        let good = PrivateKey::generate(Algorithm::Ed25519)
            .unwrap()
            .public()
            .to_pem();
        let cases = [
            String::new(),
            "hello".to_string(),
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n".to_string(),
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n".to_string(),
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n".to_string(),
            good.replace("-----END PUBLIC KEY-----", "-----END PRIVATE KEY-----"),
            format!("{good}trailing"),
            format!("{good}{good}"),
            format!("preamble\n{good}"),
            good.replace("MCow", "MCox"),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG".to_string(),
            "\u{0}\u{1}".to_string(),
        ];
        for c in &cases {
            assert!(PublicKey::parse(c.as_bytes()).is_err(), "accepted {c:?}");
            assert!(PublicKey::from_pem(c).is_err(), "accepted {c:?}");
        }
        // Binary and oversized input.
        assert!(matches!(
            PublicKey::parse(&[0xff, 0xfe, 0x00]),
            Err(KeyError::UnknownFormat { .. })
        ));
        assert!(matches!(
            PublicKey::parse(&vec![b' '; MAX_KEY_FILE + 1]),
            Err(KeyError::TooLarge { .. })
        ));
        // DER with trailing bytes, parameters present, or a wrong length.
        let pk = PrivateKey::generate(Algorithm::Ed25519).unwrap().public();
        let mut der = pk.spki_der().to_vec();
        der.push(0);
        assert!(PublicKey::from_spki_der(&der).is_err());
        let with_null = [
            &[
                0x30, 0x2c, 0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x05, 0x00, 0x03, 0x21, 0x00,
            ][..],
            pk.ed25519_bytes().unwrap(),
        ]
        .concat();
        let e = PublicKey::from_spki_der(&with_null).unwrap_err();
        assert!(matches!(e, KeyError::Der(_)), "{e}");
        // A private key given where a public one is wanted, and vice versa.
        let sk = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        assert!(matches!(
            PublicKey::from_pem(&sk.to_pkcs8_pem().unwrap()),
            Err(KeyError::WrongKind(_))
        ));
        assert!(matches!(
            PrivateKey::from_pem(&sk.public().to_pem()),
            Err(KeyError::WrongKind(_))
        ));
        // A PKCS#8 v2 whose public key does not match the secret.
        let mut v2 = vec![
            0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
        ];
        v2.extend_from_slice(&[0x04, 0x22, 0x04, 0x20]);
        v2.extend_from_slice(sk.ed25519().unwrap().as_bytes());
        v2.extend_from_slice(&[0x81, 0x21, 0x00]);
        v2.extend_from_slice(
            PrivateKey::generate(Algorithm::Ed25519)
                .unwrap()
                .public()
                .ed25519_bytes()
                .unwrap(),
        );
        assert!(PrivateKey::from_pem(&pem_encode("PRIVATE KEY", &v2)).is_err());
    }

    #[test]
    fn pem_tolerates_crlf_and_surrounding_whitespace() {
        let pk = PrivateKey::generate(Algorithm::Ed25519).unwrap().public();
        let pem = format!("\n\n{}\n  \n", pk.to_pem().replace('\n', "\r\n"));
        assert_eq!(PublicKey::parse(pem.as_bytes()).unwrap(), pk);
    }

    fn minisign_pub(keynum: [u8; 8], key: &[u8; 32]) -> String {
        let mut raw = b"Ed".to_vec();
        raw.extend_from_slice(&keynum);
        raw.extend_from_slice(key);
        let id: String = keynum.iter().rev().map(|b| format!("{b:02X}")).collect();
        format!(
            "untrusted comment: minisign public key {id}\n{}\n",
            B64.encode(raw)
        )
    }

    #[test]
    fn minisign_public_keys() {
        let sk = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let keynum = [0x8a, 0x7b, 0x6c, 0x5d, 0x4e, 0x0a, 0x1b, 0x3f];
        let text = minisign_pub(keynum, sk.public().ed25519_bytes().unwrap());
        let pk = PublicKey::parse(text.as_bytes()).unwrap();
        assert_eq!(pk, sk.public());
        assert_eq!(pk.key_id(), sk.public().key_id());
        assert_eq!(pk.minisign_id(), Some("3F1B0A4E5D6C7B8A"));
        // The bare key line (as `minisign -P` takes it).
        let line = text.lines().nth(1).unwrap();
        assert_eq!(PublicKey::parse(line.as_bytes()).unwrap(), pk);
        // Wrong algorithm, wrong length, extra lines, weak key, secret key file.
        let ed_upper = text.replace(
            line,
            &B64.encode(
                [
                    b"ED".as_slice(),
                    &keynum,
                    sk.public().ed25519_bytes().unwrap(),
                ]
                .concat(),
            ),
        );
        assert!(matches!(
            PublicKey::parse(ed_upper.as_bytes()),
            Err(KeyError::UnsupportedAlgorithm { .. })
        ));
        let short = text.replace(line, &B64.encode(b"Ed12345678"));
        assert!(matches!(
            PublicKey::parse(short.as_bytes()),
            Err(KeyError::Minisign(_))
        ));
        assert!(PublicKey::parse(format!("{text}extra\n").as_bytes()).is_err());
        let mut id = [0u8; 32];
        id[0] = 1;
        assert!(matches!(
            PublicKey::parse(minisign_pub(keynum, &id).as_bytes()),
            Err(KeyError::WeakKey)
        ));
        let secret = "untrusted comment: minisign encrypted secret key\nRWRTY0Iy\n";
        assert!(matches!(
            PublicKey::parse(secret.as_bytes()),
            Err(KeyError::WrongKind(_))
        ));
    }

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn write_keypair_modes_and_no_overwrite() {
        let d = tempfile::tempdir().unwrap();
        let prefix = d.path().join("release-1.4");
        let (k, p, id) = write_keypair(
            &prefix,
            Algorithm::Ed25519,
            KeyFormat::Pkcs8,
            &Passphrase::None,
        )
        .unwrap();
        assert_eq!(k, d.path().join("release-1.4.key"));
        assert_eq!(p, d.path().join("release-1.4.pub"));
        assert_eq!(mode(&k), 0o600);
        assert_eq!(mode(&p), 0o644);
        let sk = load_private(&k, &Passphrase::None).unwrap();
        let pk = PublicKey::parse(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(sk.public(), pk);
        assert_eq!(pk.key_id(), id);
        assert_eq!(id.len(), 64);

        let before = std::fs::read(&k).unwrap();
        let e = write_keypair(
            &prefix,
            Algorithm::Ed25519,
            KeyFormat::Pkcs8,
            &Passphrase::None,
        )
        .unwrap_err();
        assert!(matches!(e, KeyError::Exists { .. }), "{e}");
        assert_eq!(std::fs::read(&k).unwrap(), before);

        // An existing .pub alone also refuses, and leaves no .key behind.
        let other = d.path().join("other");
        std::fs::write(d.path().join("other.pub"), "x").unwrap();
        assert!(matches!(
            write_keypair(
                &other,
                Algorithm::Ed25519,
                KeyFormat::Pkcs8,
                &Passphrase::None
            ),
            Err(KeyError::Exists { .. })
        ));
        assert!(!d.path().join("other.key").exists());
        // A dangling symlink at the key path is not followed.
        let link = d.path().join("link");
        std::os::unix::fs::symlink(d.path().join("target"), d.path().join("link.key")).unwrap();
        assert!(matches!(
            write_keypair(
                &link,
                Algorithm::Ed25519,
                KeyFormat::Pkcs8,
                &Passphrase::None
            ),
            Err(KeyError::Exists { .. })
        ));
        assert!(!d.path().join("target").exists());
    }

    #[test]
    fn load_private_refuses_readable_key() {
        let d = tempfile::tempdir().unwrap();
        let (k, p, _) = write_keypair(
            &d.path().join("k"),
            Algorithm::Ed25519,
            KeyFormat::Pkcs8,
            &Passphrase::None,
        )
        .unwrap();
        std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = load_private(&k, &Passphrase::None).unwrap_err();
        assert!(
            matches!(e, KeyError::InsecureMode { mode: 0o644, .. }),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains(&format!("chmod 600 {}", k.display())),
            "{e}"
        );
        std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(load_private(&k, &Passphrase::None).is_err());
        std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(load_private(&k, &Passphrase::None).is_ok());
        // The public key file is not a private key.
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(
            load_private(&p, &Passphrase::None),
            Err(KeyError::WrongKind(_))
        ));
        assert!(matches!(
            load_private(&d.path().join("missing"), &Passphrase::None),
            Err(KeyError::Io { .. })
        ));
        assert!(matches!(
            load_private(d.path(), &Passphrase::None),
            Err(KeyError::NotAFile { .. }) | Err(KeyError::Io { .. })
        ));
    }
}
