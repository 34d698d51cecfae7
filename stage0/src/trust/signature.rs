//! Signatures over simple-signing payloads, base64-encoded as cosign stores them in the
//! `dev.cosignproject.cosign/signature` annotation (docs/trust.md, Signature format): Ed25519,
//! ECDSA P-256/P-384 and RSA verify; liftoff signs with Ed25519 and ECDSA P-256.
//!
//! liftoff signs with pure Ed25519 (RFC 8032 §5.1) over the raw payload bytes, as openssl
//! (`pkeyutl -rawin`), containers/image and cosign before 2.6 do. Verification also knows
//! Ed25519ph (RFC 8032 §5.1, pre-hashed with SHA-512, empty context), which cosign ≥ 2.6 uses for
//! Ed25519 keys (sigstore's `ED25519phSigner`: Go's `ed25519` with `Options{Hash: SHA512}` and no
//! context), but only when the policy allows it: the two schemes are separate algorithms and a
//! policy should not get a second one by accident.
//!
//! Ed25519 verification is strict (`verify_strict`): non-canonical and small-order signature
//! components and weak keys are refused, so a signature cannot be malleated into a second valid one.
//!
//! ECDSA signatures are ASN.1 DER `(r, s)` (what cosign, sigstore and containers/image write), read
//! strictly (canonical DER, no trailing bytes). P-256 is over SHA-256; P-384 over SHA-384 (what
//! cosign signs with, sigstore's `ECDSA_SHA2_384_NISTP384`) or SHA-256 (what containers/image and
//! so skopeo sign with: its sigstore verifier hashes every key with SHA-256). High-S signatures
//! verify, as in Go: Go's `ecdsa.Sign` does not normalize s, so refusing them would refuse half of
//! all honest signatures. RSA signatures are PKCS#1 v1.5 or PSS, both with SHA-256; a PSS salt is
//! either the hash length (cosign, openssl's `-pkeyopt rsa_pss_saltlen:digest`) or the largest
//! possible (Go's and openssl's default when signing).
//!
//! Keys are parsed and validated by RustCrypto (`keys.rs`), and so are ECDSA signatures' DER; the
//! P-384 and RSA arithmetic is ring's, which is several times faster (see `ring_ok`).

use super::keys::{Algorithm, KeyMaterial, PrivateKey, PublicKey};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::Signature;
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest as _, Sha256, Sha512};
use std::fmt;

/// Longest base64 signature text looked at. The longest signature read, of a 4096-bit RSA key, is
/// 512 bytes, 684 characters; the slack allows surrounding whitespace, and the bound keeps hostile
/// input from being decoded at all.
pub const MAX_SIGNATURE_B64: usize = 1024;

/// A signature scheme: a key algorithm with its hash and padding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Scheme {
    /// Pure Ed25519 over the payload bytes (what liftoff, openssl and containers/image produce).
    #[serde(rename = "ed25519")]
    Ed25519,
    /// Ed25519ph: Ed25519 over SHA-512(payload), empty context (what cosign ≥ 2.6 produces).
    #[serde(rename = "ed25519ph")]
    Ed25519ph,
    /// ECDSA on P-256 over SHA-256, DER (cosign's default key type).
    #[serde(rename = "ecdsa-p256-sha256")]
    EcdsaP256Sha256,
    /// ECDSA on P-384 over SHA-384, DER (cosign).
    #[serde(rename = "ecdsa-p384-sha384")]
    EcdsaP384Sha384,
    /// ECDSA on P-384 over SHA-256, DER (containers/image, hence skopeo and podman).
    #[serde(rename = "ecdsa-p384-sha256")]
    EcdsaP384Sha256,
    /// RSA PKCS#1 v1.5 with SHA-256.
    #[serde(rename = "rsa-pkcs1v15-sha256")]
    RsaPkcs1v15Sha256,
    /// RSA-PSS with SHA-256 (MGF1-SHA-256).
    #[serde(rename = "rsa-pss-sha256")]
    RsaPssSha256,
}

impl Scheme {
    pub const ALL: [Scheme; 7] = [
        Scheme::Ed25519,
        Scheme::Ed25519ph,
        Scheme::EcdsaP256Sha256,
        Scheme::EcdsaP384Sha384,
        Scheme::EcdsaP384Sha256,
        Scheme::RsaPkcs1v15Sha256,
        Scheme::RsaPssSha256,
    ];

    /// What a policy allows when it names no schemes: every scheme but Ed25519ph, which is a
    /// second algorithm for Ed25519 keys and so must be asked for.
    pub const DEFAULT: [Scheme; 6] = [
        Scheme::Ed25519,
        Scheme::EcdsaP256Sha256,
        Scheme::EcdsaP384Sha384,
        Scheme::EcdsaP384Sha256,
        Scheme::RsaPkcs1v15Sha256,
        Scheme::RsaPssSha256,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "ed25519",
            Scheme::Ed25519ph => "ed25519ph",
            Scheme::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            Scheme::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            Scheme::EcdsaP384Sha256 => "ecdsa-p384-sha256",
            Scheme::RsaPkcs1v15Sha256 => "rsa-pkcs1v15-sha256",
            Scheme::RsaPssSha256 => "rsa-pss-sha256",
        }
    }

    /// Whether this scheme is one for keys of `alg`.
    pub fn fits(self, alg: Algorithm) -> bool {
        matches!(
            (self, alg),
            (Scheme::Ed25519 | Scheme::Ed25519ph, Algorithm::Ed25519)
                | (Scheme::EcdsaP256Sha256, Algorithm::EcdsaP256)
                | (
                    Scheme::EcdsaP384Sha384 | Scheme::EcdsaP384Sha256,
                    Algorithm::EcdsaP384
                )
                | (
                    Scheme::RsaPkcs1v15Sha256 | Scheme::RsaPssSha256,
                    Algorithm::Rsa(_)
                )
        )
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a signature was refused.
#[derive(Debug, thiserror::Error)]
pub enum SigError {
    #[error("signature text is {len} bytes long, more than the {MAX_SIGNATURE_B64} a base64 signature can take; refusing it undecoded")]
    TooLong { len: usize },
    #[error("signature is not valid base64: {0}")]
    BadEncoding(String),
    #[error("signature is {len} bytes, not the 64 of an Ed25519 signature")]
    WrongLength { len: usize },
    #[error(
        "signature ({len} bytes) is not {expected}, as a signature by this {algorithm} key must be"
    )]
    Malformed {
        algorithm: Algorithm,
        expected: String,
        len: usize,
    },
    #[error("the key is an {algorithm} key, but the policy allows no scheme for it (it allows {}; {algorithm} keys sign with {})", names(allowed), names(&Scheme::ALL.iter().copied().filter(|s| s.fits(*algorithm)).collect::<Vec<_>>()))]
    NotAllowed {
        algorithm: Algorithm,
        allowed: Vec<Scheme>,
    },
    #[error("{}", mismatch_message(tried))]
    Mismatch { tried: Vec<Scheme> },
}

fn names(schemes: &[Scheme]) -> String {
    let v: Vec<&str> = schemes.iter().map(|s| s.as_str()).collect();
    if v.is_empty() {
        return "none".to_string();
    }
    v.join(", ")
}

fn mismatch_message(tried: &[Scheme]) -> String {
    if tried.is_empty() {
        return "no signature scheme is allowed by the policy, so the signature cannot be accepted"
            .to_string();
    }
    let names: Vec<&str> = tried.iter().map(|s| s.as_str()).collect();
    format!(
        "signature does not verify for this payload and key (tried {})",
        names.join(" and ")
    )
}

/// Signs `payload` (pure Ed25519, or ECDSA P-256 over SHA-256 in DER); returns the standard
/// (padded) base64 of the signature, as cosign stores it.
pub fn sign(key: &PrivateKey, payload: &[u8]) -> String {
    B64.encode(key.sign(payload))
}

/// Verifies `sig_b64` over `payload` with `key`, trying each scheme for the key's algorithm that is
/// in `allowed` (for Ed25519: pure, then Ed25519ph). Returns the scheme that verified.
pub fn verify(
    key: &PublicKey,
    payload: &[u8],
    sig_b64: &str,
    allowed: &[Scheme],
) -> Result<Scheme, SigError> {
    if sig_b64.len() > MAX_SIGNATURE_B64 {
        return Err(SigError::TooLong { len: sig_b64.len() });
    }
    // Annotations written by some tools end in a newline; whitespace inside is still refused.
    let raw = B64
        .decode(sig_b64.trim())
        .map_err(|e| SigError::BadEncoding(e.to_string()))?;
    let algorithm = key.algorithm();
    if allowed.is_empty() {
        return Err(SigError::Mismatch { tried: Vec::new() });
    }
    let tried: Vec<Scheme> = Scheme::ALL
        .into_iter()
        .filter(|s| s.fits(algorithm) && allowed.contains(s))
        .collect();
    if tried.is_empty() {
        return Err(SigError::NotAllowed {
            algorithm,
            allowed: allowed.to_vec(),
        });
    }
    let malformed = |expected: &str| SigError::Malformed {
        algorithm,
        expected: expected.to_string(),
        len: raw.len(),
    };
    let der = "an ASN.1 DER ECDSA (r, s) signature";
    let ok = |scheme: Scheme| -> Result<bool, SigError> {
        Ok(match (key.material(), scheme) {
            (KeyMaterial::Ed25519(vk), Scheme::Ed25519 | Scheme::Ed25519ph) => {
                let bytes: [u8; 64] = raw
                    .as_slice()
                    .try_into()
                    .map_err(|_| SigError::WrongLength { len: raw.len() })?;
                let sig = Signature::from_bytes(&bytes);
                if scheme == Scheme::Ed25519 {
                    vk.verify_strict(payload, &sig).is_ok()
                } else {
                    // `None` is the empty context: dalek treats it exactly as `Some(b"")`, and
                    // RFC 8032's dom2 prefix (phflag 1, context length 0) is included either way,
                    // as Go does.
                    vk.verify_prehashed_strict(Sha512::new().chain_update(payload), None, &sig)
                        .is_ok()
                }
            }
            // Each key only with its own schemes, spelled out (not only through `fits`): a later
            // edit cannot let one algorithm's key verify under another's scheme.
            (KeyMaterial::P256(vk), Scheme::EcdsaP256Sha256) => {
                // from_der is strict: canonical DER, no trailing bytes. It keeps a high s.
                let sig = p256::ecdsa::Signature::from_der(&raw).map_err(|_| malformed(der))?;
                vk.verify_prehash(&Sha256::digest(payload), &sig).is_ok()
            }
            (KeyMaterial::P384(_), Scheme::EcdsaP384Sha384 | Scheme::EcdsaP384Sha256) => {
                // The strict RustCrypto DER parse is the gate (canonical DER, no trailing bytes);
                // ring then does the arithmetic, several times faster than p384's (see `ring_ok`).
                p384::ecdsa::Signature::from_der(&raw).map_err(|_| malformed(der))?;
                let alg = if scheme == Scheme::EcdsaP384Sha384 {
                    &ring::signature::ECDSA_P384_SHA384_ASN1
                } else {
                    &ring::signature::ECDSA_P384_SHA256_ASN1
                };
                ring_ok(alg, key, payload, &raw)
            }
            (KeyMaterial::Rsa(k), Scheme::RsaPkcs1v15Sha256 | Scheme::RsaPssSha256) => {
                // An RSA signature is exactly as long as the modulus (Go and openssl pad it).
                if raw.len() != k.size() {
                    return Err(malformed(&format!(
                        "{} bytes, the length of an RSA signature by this key",
                        k.size()
                    )));
                }
                verify_rsa(key, k, scheme, payload, &raw)
            }
            _ => false,
        })
    };
    for &scheme in &tried {
        if ok(scheme)? {
            return Ok(scheme);
        }
    }
    Err(SigError::Mismatch { tried })
}

/// Verifies with ring over the key's SubjectPublicKeyInfo bit string (the EC point, or the PKCS#1
/// RSAPublicKey). ring is used for P-384 and RSA because its assembly is 5 to 20 times faster
/// than the pure-Rust `p384` and `rsa` arithmetic on this class of machine, which kept those
/// verifications above a millisecond (tests/bench/signatures.sh); it is already in the tree
/// through rustls. Keys are still parsed and validated by RustCrypto (`keys.rs`).
fn ring_ok(
    alg: &'static dyn ring::signature::VerificationAlgorithm,
    key: &PublicKey,
    payload: &[u8],
    sig: &[u8],
) -> bool {
    use ed25519_dalek::pkcs8::spki::der::Decode as _;
    let Ok(spki) = ed25519_dalek::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(key.spki_der())
    else {
        return false;
    };
    let Some(bits) = spki.subject_public_key.as_bytes() else {
        return false;
    };
    ring::signature::UnparsedPublicKey::new(alg, bits)
        .verify(payload, sig)
        .is_ok()
}

/// RSA PKCS#1 v1.5 or PSS with SHA-256; PSS with either salt length signers use: the hash length
/// (cosign, openssl's `-pkeyopt rsa_pss_saltlen:digest`; ring checks it) or the largest possible
/// (Go's and openssl's default; ring does not take it, so the `rsa` crate checks that one).
fn verify_rsa(
    key: &PublicKey,
    k: &rsa::RsaPublicKey,
    scheme: Scheme,
    payload: &[u8],
    sig: &[u8],
) -> bool {
    if scheme == Scheme::RsaPkcs1v15Sha256 {
        return ring_ok(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            key,
            payload,
            sig,
        );
    }
    if ring_ok(
        &ring::signature::RSA_PSS_2048_8192_SHA256,
        key,
        payload,
        sig,
    ) {
        return true;
    }
    // RFC 8017 §9.1.1: emLen = ceil((modBits - 1) / 8), and the salt fills all but the hash and 2.
    let hash = Sha256::digest(payload);
    let em_len = (k.n().bits() - 1).div_ceil(8);
    let max_salt = em_len.saturating_sub(hash.len() + 2);
    k.verify(rsa::Pss::new_with_salt::<Sha256>(max_salt), &hash, sig)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    const BOTH: &[Scheme] = &[Scheme::Ed25519, Scheme::Ed25519ph];
    const PURE: &[Scheme] = &[Scheme::Ed25519];
    const PH: &[Scheme] = &[Scheme::Ed25519ph];

    fn key_from_seed(seed: &str) -> PrivateKey {
        let seed: [u8; 32] = hex::decode(seed).unwrap().try_into().unwrap();
        let pem = {
            let mut der = hex::decode("302e020100300506032b657004220420").unwrap();
            der.extend_from_slice(&seed);
            format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
                B64.encode(der)
            )
        };
        PrivateKey::from_pem(&pem).unwrap()
    }

    fn sign_ph(key: &PrivateKey, payload: &[u8], ctx: Option<&[u8]>) -> String {
        let sig = key
            .ed25519()
            .unwrap()
            .sign_prehashed(Sha512::new().chain_update(payload), ctx)
            .unwrap();
        B64.encode(sig.to_bytes())
    }

    #[test]
    fn rfc8032_pure_vector() {
        // RFC 8032 §7.1, TEST 1 (empty message).
        let k = key_from_seed("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        assert_eq!(
            hex::encode(k.public().ed25519_bytes().unwrap()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let want = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
        let sig = sign(&k, b"");
        assert_eq!(hex::encode(B64.decode(&sig).unwrap()), want);
        assert_eq!(
            verify(&k.public(), b"", &sig, PURE).unwrap(),
            Scheme::Ed25519
        );
    }

    #[test]
    fn rfc8032_ph_vector_is_empty_context() {
        // RFC 8032 §7.3, Ed25519ph TEST abc (empty context): what `verify` accepts as Ed25519ph is
        // exactly the RFC scheme, hence also what Go's ed25519 with Options{Hash: SHA512} signs.
        let k = key_from_seed("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42");
        assert_eq!(
            hex::encode(k.public().ed25519_bytes().unwrap()),
            "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf"
        );
        let want = hex::decode("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406").unwrap();
        let vector = B64.encode(&want);
        assert_eq!(
            verify(&k.public(), b"abc", &vector, PH).unwrap(),
            Scheme::Ed25519ph
        );
        assert!(matches!(
            verify(&k.public(), b"abc", &vector, PURE),
            Err(SigError::Mismatch { .. })
        ));
        // dalek: no context and the empty context are the same signature.
        assert_eq!(sign_ph(&k, b"abc", None), vector);
        assert_eq!(sign_ph(&k, b"abc", Some(b"")), vector);
        // A non-empty context is a different signature, and is refused.
        let ctx = sign_ph(&k, b"abc", Some(b"cosign"));
        assert!(verify(&k.public(), b"abc", &ctx, BOTH).is_err());
    }

    #[test]
    fn ph_accepted_only_when_allowed() {
        let k = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let p = b"{\"critical\":{}}";
        let ph = sign_ph(&k, p, None);
        assert_eq!(verify(&k.public(), p, &ph, PH).unwrap(), Scheme::Ed25519ph);
        assert_eq!(
            verify(&k.public(), p, &ph, BOTH).unwrap(),
            Scheme::Ed25519ph
        );
        let e = verify(&k.public(), p, &ph, PURE).unwrap_err();
        assert!(
            matches!(&e, SigError::Mismatch { tried } if tried == PURE),
            "{e}"
        );
        // And a pure signature is not accepted as Ed25519ph.
        let pure = sign(&k, p);
        assert_eq!(
            verify(&k.public(), p, &pure, BOTH).unwrap(),
            Scheme::Ed25519
        );
        assert!(verify(&k.public(), p, &pure, PH).is_err());
        // Nothing allowed: nothing verifies, and the message says why.
        let e = verify(&k.public(), p, &pure, &[]).unwrap_err();
        assert!(e.to_string().contains("policy"), "{e}");
    }

    #[test]
    fn tampering_refused() {
        let k = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let other = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let p = b"payload bytes".to_vec();
        let sig = sign(&k, &p);
        assert!(verify(&k.public(), &p, &sig, PURE).is_ok());
        assert!(verify(&other.public(), &p, &sig, BOTH).is_err());
        let raw = B64.decode(&sig).unwrap();
        for bit in [0usize, 7, 255, 256, 511] {
            let mut flipped = raw.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let e = verify(&k.public(), &p, &B64.encode(&flipped), BOTH).unwrap_err();
            assert!(
                matches!(&e, SigError::Mismatch { tried } if tried == BOTH),
                "{e}"
            );
        }
        for i in 0..p.len() {
            let mut q = p.clone();
            q[i] ^= 0x20;
            assert!(verify(&k.public(), &q, &sig, BOTH).is_err());
        }
        let mut longer = p.clone();
        longer.push(b'\n');
        assert!(verify(&k.public(), &longer, &sig, BOTH).is_err());
    }

    #[test]
    fn malleated_signature_refused() {
        // S + L (the group order) verifies under lax rules in some implementations; strict refuses.
        let k = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let p = b"x";
        let mut raw = B64.decode(sign(&k, p)).unwrap();
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for i in 0..32 {
            let s = raw[32 + i] as u16 + L[i] as u16 + carry;
            raw[32 + i] = s as u8;
            carry = s >> 8;
        }
        assert!(verify(&k.public(), p, &B64.encode(&raw), BOTH).is_err());
    }

    #[test]
    fn encoding_and_length_refused() {
        let k = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let p = b"p";
        let sig = sign(&k, p);
        // Surrounding whitespace (a trailing newline in an annotation) is tolerated.
        assert!(verify(&k.public(), p, &format!("{sig}\n"), PURE).is_ok());
        assert!(verify(&k.public(), p, &format!("  {sig}\r\n"), PURE).is_ok());
        // 65 and 63 bytes, empty.
        let mut raw = B64.decode(&sig).unwrap();
        raw.push(0);
        let e = verify(&k.public(), p, &B64.encode(&raw), BOTH).unwrap_err();
        assert!(matches!(e, SigError::WrongLength { len: 65 }), "{e}");
        assert!(matches!(
            verify(&k.public(), p, &B64.encode(&raw[..63]), BOTH),
            Err(SigError::WrongLength { len: 63 })
        ));
        assert!(matches!(
            verify(&k.public(), p, "", BOTH),
            Err(SigError::WrongLength { len: 0 })
        ));
        // Not base64: inner whitespace, URL-safe alphabet, missing padding, garbage.
        let inner = format!("{} {}", &sig[..40], &sig[40..]);
        let unpadded = sig.trim_end_matches('=').to_string();
        for bad in [inner.as_str(), unpadded.as_str(), "!!!!", "a"] {
            assert!(
                matches!(
                    verify(&k.public(), p, bad, BOTH),
                    Err(SigError::BadEncoding(_))
                ),
                "{bad}"
            );
        }
        // Oversized text is refused before decoding.
        let huge = "A".repeat(MAX_SIGNATURE_B64 + 4);
        assert!(matches!(
            verify(&k.public(), p, &huge, BOTH),
            Err(SigError::TooLong { .. })
        ));
    }

    #[test]
    fn scheme_serde_and_display() {
        assert_eq!(
            serde_json::to_string(&Scheme::Ed25519ph).unwrap(),
            "\"ed25519ph\""
        );
        assert_eq!(
            serde_json::from_str::<Scheme>("\"ed25519\"").unwrap(),
            Scheme::Ed25519
        );
        assert!(serde_json::from_str::<Scheme>("\"Ed25519\"").is_err());
        assert_eq!(Scheme::Ed25519ph.to_string(), "ed25519ph");
    }

    fn openssl(dir: &Path, args: &[&str]) -> Option<std::process::Output> {
        match Command::new("openssl").args(args).current_dir(dir).output() {
            Ok(out) => Some(out),
            Err(e) => {
                // Never a silent pass: these tests check interop with openssl, which
                // tests/run.sh installs.
                panic!("openssl is needed for this test (apt-get install openssl): {e}")
            }
        }
    }

    #[test]
    fn openssl_interop() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        let Some(gen) = openssl(dir, &["genpkey", "-algorithm", "ed25519", "-out", "k.pem"]) else {
            return;
        };
        assert!(gen.status.success());
        assert!(
            openssl(dir, &["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"])
                .unwrap()
                .status
                .success()
        );
        let sk =
            PrivateKey::from_pem(&std::fs::read_to_string(dir.join("k.pem")).unwrap()).unwrap();
        let pk =
            PublicKey::from_pem(&std::fs::read_to_string(dir.join("pub.pem")).unwrap()).unwrap();
        let digest = crate::digest::Digest::of(b"manifest");
        let payload = super::super::payload::build(
            "example.com/team/app:1.4",
            &digest,
            "liftoff test",
            1_700_000_000,
        );
        std::fs::write(dir.join("payload"), &payload).unwrap();

        // liftoff signs, openssl verifies.
        let sig = sign(&sk, &payload);
        std::fs::write(dir.join("sig.bin"), B64.decode(&sig).unwrap()).unwrap();
        let v = openssl(
            dir,
            &[
                "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "payload",
                "-sigfile", "sig.bin",
            ],
        )
        .unwrap();
        assert!(
            v.status.success(),
            "openssl refused liftoff's signature: {}",
            String::from_utf8_lossy(&v.stderr)
        );

        // openssl signs, liftoff verifies.
        let s = openssl(
            dir,
            &[
                "pkeyutl", "-sign", "-inkey", "k.pem", "-rawin", "-in", "payload", "-out",
                "osig.bin",
            ],
        )
        .unwrap();
        assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
        let osig = B64.encode(std::fs::read(dir.join("osig.bin")).unwrap());
        assert_eq!(verify(&pk, &payload, &osig, PURE).unwrap(), Scheme::Ed25519);
        // Pure Ed25519 is deterministic: both produced the same bytes.
        assert_eq!(osig, sig);

        // And openssl refuses a tampered payload, as liftoff does.
        std::fs::write(dir.join("payload"), [&payload[..], b" "].concat()).unwrap();
        let v = openssl(
            dir,
            &[
                "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "payload",
                "-sigfile", "sig.bin",
            ],
        )
        .unwrap();
        assert!(!v.status.success());
    }

    /// A key of `alg` made by openssl in `dir` (`k.pem`, `pub.pem`); None without openssl.
    fn openssl_key(dir: &Path, alg: &str) -> Option<PublicKey> {
        let args: Vec<&str> = match alg {
            "P-256" | "P-384" => {
                let curve = if alg == "P-256" {
                    "prime256v1"
                } else {
                    "secp384r1"
                };
                vec![
                    "ecparam", "-name", curve, "-genkey", "-noout", "-out", "k.pem",
                ]
            }
            rsa => vec![
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                rsa,
                "-out",
                "k.pem",
            ],
        };
        let out = openssl(dir, &args)?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = openssl(dir, &["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"])?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(PublicKey::parse(&std::fs::read(dir.join("pub.pem")).unwrap()).unwrap())
    }

    /// openssl signs `payload` (written to `dir`) with `k.pem`: `args` go before `-out`.
    fn openssl_sign(dir: &Path, payload: &[u8], args: &[&str]) -> Vec<u8> {
        std::fs::write(dir.join("payload"), payload).unwrap();
        // `-out` goes before the rest: `dgst` takes its input file last.
        let mut all = vec![args[0], "-out", "sig.bin"];
        all.extend(&args[1..]);
        let out = openssl(dir, &all).unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(dir.join("sig.bin")).unwrap()
    }

    const DGST_SHA256: &[&str] = &["dgst", "-sha256", "-sign", "k.pem", "payload"];
    const DGST_SHA384: &[&str] = &["dgst", "-sha384", "-sign", "k.pem", "payload"];
    const PSS_MAX_SALT: &[&str] = &[
        "pkeyutl",
        "-sign",
        "-inkey",
        "k.pem",
        "-rawin",
        "-digest",
        "sha256",
        "-in",
        "payload",
        "-pkeyopt",
        "rsa_padding_mode:pss",
    ];
    const PSS_DIGEST_SALT: &[&str] = &[
        "dgst",
        "-sha256",
        "-sigopt",
        "rsa_padding_mode:pss",
        "-sigopt",
        "rsa_pss_saltlen:digest",
        "-sign",
        "k.pem",
        "payload",
    ];

    #[test]
    fn openssl_ecdsa_and_rsa_signatures_verify() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        let other_dir = tempfile::tempdir().unwrap();
        let payload = br#"{"critical":{"identity":{"docker-reference":"example.com/a:1"}}}"#;
        let cases: &[(&str, &[&str], Scheme)] = &[
            ("P-256", DGST_SHA256, Scheme::EcdsaP256Sha256),
            ("P-384", DGST_SHA384, Scheme::EcdsaP384Sha384),
            ("P-384", DGST_SHA256, Scheme::EcdsaP384Sha256),
            (
                "rsa_keygen_bits:2048",
                DGST_SHA256,
                Scheme::RsaPkcs1v15Sha256,
            ),
            ("rsa_keygen_bits:2048", PSS_MAX_SALT, Scheme::RsaPssSha256),
            (
                "rsa_keygen_bits:3072",
                PSS_DIGEST_SALT,
                Scheme::RsaPssSha256,
            ),
        ];
        for &(alg, args, want) in cases {
            let Some(pk) = openssl_key(dir, alg) else {
                return;
            };
            let raw = openssl_sign(dir, payload, args);
            let sig = B64.encode(&raw);
            assert_eq!(
                verify(&pk, payload, &sig, &Scheme::DEFAULT).unwrap(),
                want,
                "{alg} {args:?}"
            );
            // Allowed alone, it still verifies; with only the other schemes of the key, it does not.
            assert_eq!(verify(&pk, payload, &sig, &[want]).unwrap(), want);
            let rest: Vec<Scheme> = Scheme::ALL
                .into_iter()
                .filter(|s| *s != want && s.fits(pk.algorithm()))
                .collect();
            if !rest.is_empty() {
                let e = verify(&pk, payload, &sig, &rest).unwrap_err();
                assert!(matches!(e, SigError::Mismatch { .. }), "{alg}: {e}");
            }
            // A tampered payload, a flipped signature bit, another key of the same kind: refused.
            let mut tampered = payload.to_vec();
            tampered[5] ^= 1;
            let e = verify(&pk, &tampered, &sig, &Scheme::DEFAULT).unwrap_err();
            assert!(
                matches!(&e, SigError::Mismatch { tried } if tried.contains(&want)),
                "{alg}: {e}"
            );
            assert!(e.to_string().contains(want.as_str()), "{e}");
            let mut flipped = raw.clone();
            let at = flipped.len() - 3;
            flipped[at] ^= 0x10;
            assert!(verify(&pk, payload, &B64.encode(&flipped), &Scheme::DEFAULT).is_err());
            let other = openssl_key(other_dir.path(), alg).unwrap();
            assert!(matches!(
                verify(&other, payload, &sig, &Scheme::DEFAULT),
                Err(SigError::Mismatch { .. })
            ));
            // A trailing byte is refused before any arithmetic, naming the key's algorithm.
            let mut longer = raw.clone();
            longer.push(0);
            let e = verify(&pk, payload, &B64.encode(&longer), &Scheme::DEFAULT).unwrap_err();
            assert!(matches!(e, SigError::Malformed { .. }), "{alg}: {e}");
            assert!(
                e.to_string().contains(&pk.algorithm().to_string()),
                "{alg}: {e}"
            );
            // A policy that allows only Ed25519 names what the key would need.
            let e = verify(&pk, payload, &sig, &[Scheme::Ed25519]).unwrap_err();
            assert!(matches!(e, SigError::NotAllowed { .. }), "{e}");
            assert!(e.to_string().contains(want.as_str()), "{e}");
        }
    }

    #[test]
    fn wrong_curve_and_wrong_algorithm_signatures_refused() {
        let d256 = tempfile::tempdir().unwrap();
        let d384 = tempfile::tempdir().unwrap();
        let Some(p256) = openssl_key(d256.path(), "P-256") else {
            return;
        };
        let p384 = openssl_key(d384.path(), "P-384").unwrap();
        let payload = b"payload";
        let s256 = B64.encode(openssl_sign(d256.path(), payload, DGST_SHA256));
        let s384 = B64.encode(openssl_sign(d384.path(), payload, DGST_SHA384));
        // A P-384 signature's 48-byte integers do not fit P-256.
        let e = verify(&p256, payload, &s384, &Scheme::DEFAULT).unwrap_err();
        assert!(matches!(e, SigError::Malformed { .. }), "{e}");
        assert!(e.to_string().contains("ECDSA P-256"), "{e}");
        assert!(e.to_string().contains("DER"), "{e}");
        // A P-256 signature parses for P-384 but does not verify.
        assert!(matches!(
            verify(&p384, payload, &s256, &Scheme::DEFAULT),
            Err(SigError::Mismatch { .. })
        ));
        // An ECDSA signature given to an Ed25519 key, and an Ed25519 one to an ECDSA key.
        let ed = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let e = verify(&ed.public(), payload, &s256, &Scheme::DEFAULT).unwrap_err();
        assert!(e.to_string().contains("Ed25519"), "{e}");
        let e = verify(&p256, payload, &sign(&ed, payload), &Scheme::DEFAULT).unwrap_err();
        assert!(matches!(e, SigError::Malformed { .. }), "{e}");
        // Not DER at all: a raw 64-byte (r || s), as some tools write.
        let e = verify(&p256, payload, &B64.encode([7u8; 64]), &Scheme::DEFAULT).unwrap_err();
        assert!(matches!(e, SigError::Malformed { .. }), "{e}");
        // RSA of the wrong length names the length wanted.
        let drsa = tempfile::tempdir().unwrap();
        let rsa = openssl_key(drsa.path(), "rsa_keygen_bits:2048").unwrap();
        let e = verify(&rsa, payload, &s256, &Scheme::DEFAULT).unwrap_err();
        assert!(e.to_string().contains("256 bytes"), "{e}");
        assert!(e.to_string().contains("RSA-2048"), "{e}");
    }

    /// `der` with `r` re-encoded with a superfluous leading zero: valid BER, not DER.
    fn non_minimal(der: &[u8]) -> Option<Vec<u8>> {
        // 30 len 02 rlen r… 02 slen s… (short lengths: P-256 signatures are < 128 bytes).
        let rlen = der[3] as usize;
        if der[4] >= 0x80 || der[4] == 0 {
            return None;
        }
        let mut out = vec![0x30, der[1] + 1, 0x02, der[3] + 1, 0x00];
        out.extend_from_slice(&der[4..4 + rlen]);
        out.extend_from_slice(&der[4 + rlen..]);
        Some(out)
    }

    #[test]
    fn ecdsa_high_s_verifies_and_der_is_strict() {
        use p256::ecdsa::signature::Signer as _;
        let sk = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap();
        let spki = p256::pkcs8::EncodePublicKey::to_public_key_der(sk.verifying_key()).unwrap();
        let pk = PublicKey::from_spki_der(spki.as_bytes()).unwrap();
        let mut saw_non_minimal = false;
        for i in 0..16u8 {
            let payload = [b'p', i];
            let sig: p256::ecdsa::Signature = sk.sign(&payload);
            let low = sig.normalize_s().unwrap_or(sig);
            let high = p256::ecdsa::Signature::from_scalars(low.r(), -*low.s()).unwrap();
            assert!(high.normalize_s().is_some(), "s is high");
            for s in [low, high] {
                let der = s.to_der();
                let b64 = B64.encode(der.as_bytes());
                assert_eq!(
                    verify(&pk, &payload, &b64, &Scheme::DEFAULT).unwrap(),
                    Scheme::EcdsaP256Sha256
                );
                if let Some(bad) = non_minimal(der.as_bytes()) {
                    saw_non_minimal = true;
                    let e = verify(&pk, &payload, &B64.encode(bad), &Scheme::DEFAULT).unwrap_err();
                    assert!(matches!(e, SigError::Malformed { .. }), "{e}");
                }
            }
        }
        assert!(saw_non_minimal);
        // P-384 too.
        let sk = p384::ecdsa::SigningKey::from_slice(&[0x42; 48]).unwrap();
        let spki = p384::pkcs8::EncodePublicKey::to_public_key_der(sk.verifying_key()).unwrap();
        let pk = PublicKey::from_spki_der(spki.as_bytes()).unwrap();
        let sig: p384::ecdsa::Signature = sk.sign(b"x");
        let low = sig.normalize_s().unwrap_or(sig);
        let high = p384::ecdsa::Signature::from_scalars(low.r(), -*low.s()).unwrap();
        for s in [low, high] {
            let b64 = B64.encode(s.to_der().as_bytes());
            assert_eq!(
                verify(&pk, b"x", &b64, &Scheme::DEFAULT).unwrap(),
                Scheme::EcdsaP384Sha384
            );
        }
    }

    /// The signature fixtures a real peer (skopeo 1.9.3) made. Missing fixtures fail the test:
    /// it must not pass without checking them.
    fn fixtures() -> std::path::PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/signatures");
        assert!(
            dir.is_dir(),
            "the signature fixtures are missing: {}",
            dir.display()
        );
        dir
    }

    #[test]
    fn skopeo_fixtures_verify_and_tampered_copies_do_not() {
        use crate::transport::{self, SourceRef};
        let dir = fixtures();
        for (name, want) in [
            ("ed25519", Scheme::Ed25519),
            ("p256", Scheme::EcdsaP256Sha256),
        ] {
            let key =
                PublicKey::parse(&std::fs::read(dir.join(format!("{name}.pub"))).unwrap()).unwrap();
            let layout = dir.join(format!("{name}-layout"));
            let src =
                transport::open(&SourceRef::parse(&format!("oci:{}:1", layout.display())).unwrap())
                    .unwrap();
            let top = src.top().unwrap();
            let sigs = src.signatures(&top.digest).unwrap();
            // The layouts also carry two older signatures by another key, for another name: the
            // fixture key verifies exactly one, skopeo's.
            let good: Vec<_> = sigs
                .iter()
                .filter(|s| verify(&key, &s.payload, &s.signature, &Scheme::DEFAULT).is_ok())
                .collect();
            assert_eq!(good.len(), 1, "{name}: {} signatures", sigs.len());
            let sig = good[0];
            assert!(String::from_utf8_lossy(&sig.payload).contains("containers/image"));
            assert_eq!(
                verify(&key, &sig.payload, &sig.signature, &Scheme::DEFAULT).unwrap(),
                want
            );
            let p = super::super::payload::parse_strict(&sig.payload, false).unwrap();
            assert_eq!(p.manifest_digest, top.digest);
            assert_eq!(
                p.docker_reference,
                format!("127.0.0.1:5000/fixtures/{name}/busybox:1")
            );
            // A copy whose payload names another image is refused.
            let tampered = String::from_utf8(sig.payload.clone())
                .unwrap()
                .replace("busybox:1", "busybox:2");
            assert_ne!(tampered.as_bytes(), sig.payload.as_slice());
            assert!(matches!(
                verify(&key, tampered.as_bytes(), &sig.signature, &Scheme::DEFAULT),
                Err(SigError::Mismatch { .. })
            ));
            // The other fixture's key does not verify it.
            let other = if name == "p256" { "ed25519" } else { "p256" };
            let other = PublicKey::parse(&std::fs::read(dir.join(format!("{other}.pub"))).unwrap())
                .unwrap();
            assert!(verify(&other, &sig.payload, &sig.signature, &Scheme::DEFAULT).is_err());
        }
    }

    /// Median time of one verification per algorithm, over 1000 each. Run in release mode:
    /// `cargo test --release -p liftoff --lib verification_timings -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn verification_timings() {
        let payload = br#"{"critical":{"identity":{"docker-reference":"example.com/a:1"},"image":{"docker-manifest-digest":"sha256:74dd196fed6d1a08e41fa57229905095f808ada77e3e578fbc035ffba0af802e"},"type":"cosign container image signature"},"optional":null}"#;
        let ed = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let mut cases = vec![("Ed25519".to_string(), ed.public(), sign(&ed, payload))];
        for (alg, args) in [
            ("P-256", DGST_SHA256),
            ("P-384", DGST_SHA384),
            ("rsa_keygen_bits:3072", DGST_SHA256),
            ("rsa_keygen_bits:3072", PSS_MAX_SALT),
        ] {
            let d = tempfile::tempdir().unwrap();
            let Some(pk) = openssl_key(d.path(), alg) else {
                return;
            };
            let sig = B64.encode(openssl_sign(d.path(), payload, args));
            let name = format!("{} {}", pk.algorithm(), args[0]);
            cases.push((name, pk, sig));
        }
        for (name, pk, sig) in &cases {
            let mut times: Vec<std::time::Duration> = (0..1000)
                .map(|_| {
                    let t = std::time::Instant::now();
                    verify(pk, payload, sig, &Scheme::DEFAULT).unwrap();
                    t.elapsed()
                })
                .collect();
            times.sort();
            println!(
                "{name:<24} median {:>8.1} µs  (p90 {:>8.1} µs)",
                times[500].as_secs_f64() * 1e6,
                times[900].as_secs_f64() * 1e6
            );
        }
    }
}
