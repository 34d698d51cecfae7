//! Signatures over simple-signing payloads, base64-encoded as cosign stores them in the
//! `dev.cosignproject.cosign/signature` annotation (docs/trust.md, Signature format): Ed25519,
//! ECDSA P-256/P-384 and RSA verify; liftoff signs with Ed25519 only.
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

use super::keys::{Algorithm, KeyMaterial, PrivateKey, PublicKey};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _};
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
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

/// Signs `payload` with pure Ed25519; returns the standard (padded) base64 of the 64-byte signature.
pub fn sign(key: &PrivateKey, payload: &[u8]) -> String {
    B64.encode(key.signing_key().sign(payload).to_bytes())
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
            (KeyMaterial::P256(vk), _) => {
                // from_der is strict: canonical DER, no trailing bytes. It keeps a high s.
                let sig = p256::ecdsa::Signature::from_der(&raw).map_err(|_| malformed(der))?;
                vk.verify_prehash(&Sha256::digest(payload), &sig).is_ok()
            }
            (KeyMaterial::P384(vk), _) => {
                let sig = p384::ecdsa::Signature::from_der(&raw).map_err(|_| malformed(der))?;
                let ok = if scheme == Scheme::EcdsaP384Sha384 {
                    vk.verify_prehash(&Sha384::digest(payload), &sig)
                } else {
                    vk.verify_prehash(&Sha256::digest(payload), &sig)
                };
                ok.is_ok()
            }
            (KeyMaterial::Rsa(k), _) => {
                // An RSA signature is exactly as long as the modulus (Go and openssl pad it).
                if raw.len() != k.size() {
                    return Err(malformed(&format!(
                        "{} bytes, the length of an RSA signature by this key",
                        k.size()
                    )));
                }
                verify_rsa(k, scheme, &Sha256::digest(payload), &raw)
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

/// RSA PKCS#1 v1.5 or PSS over the SHA-256 `hash`; PSS with either salt length signers use.
fn verify_rsa(key: &rsa::RsaPublicKey, scheme: Scheme, hash: &[u8], sig: &[u8]) -> bool {
    if scheme == Scheme::RsaPkcs1v15Sha256 {
        return key
            .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), hash, sig)
            .is_ok();
    }
    // RFC 8017 §9.1.1: emLen = ceil((modBits - 1) / 8), and the salt fills all but the hash and 2.
    let em_len = (key.n().bits() - 1).div_ceil(8);
    let max_salt = em_len.saturating_sub(hash.len() + 2);
    [hash.len(), max_salt].into_iter().any(|salt| {
        key.verify(rsa::Pss::new_with_salt::<Sha256>(salt), hash, sig)
            .is_ok()
    })
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
            .signing_key()
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
        let k = PrivateKey::generate().unwrap();
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
        let k = PrivateKey::generate().unwrap();
        let other = PrivateKey::generate().unwrap();
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
        let k = PrivateKey::generate().unwrap();
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
        let k = PrivateKey::generate().unwrap();
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
                eprintln!("skipping: cannot run openssl: {e}");
                None
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
}
