//! cosign's encrypted private key format, read and written so that keys cross between liftoff,
//! cosign and containers/image (skopeo/podman `--sign-by-sigstore-private-key`).
//!
//! The PEM block (`ENCRYPTED COSIGN PRIVATE KEY`, or `ENCRYPTED SIGSTORE PRIVATE KEY` as newer
//! cosign labels it) holds JSON, as sigstore's `encrypted` package (from go-securesystemslib)
//! writes it:
//!
//! ```text
//! {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"<b64>"},
//!  "cipher":{"name":"nacl/secretbox","nonce":"<b64 of 24 bytes>"},"ciphertext":"<b64>"}
//! ```
//!
//! The secretbox key is scrypt(passphrase, salt, N, r, p) truncated to 32 bytes; the ciphertext is
//! NaCl secretbox (XSalsa20-Poly1305, tag first) of the PKCS#8 DER private key. liftoff writes the
//! `ENCRYPTED COSIGN PRIVATE KEY` label, the only one containers/image reads, with cosign's
//! parameters, and compact JSON in Go's field order.
//!
//! The file is untrusted until it decrypts: scrypt's cost parameters are bounded before any work
//! is done (a hostile N would otherwise ask for gigabytes of memory), and a wrong passphrase and a
//! changed file are the same authentication failure.

use super::keys::{pem_encode, KeyError};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use crypto_secretbox::aead::{Aead as _, KeyInit as _};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use ed25519_dalek::pkcs8::spki::der::zeroize::Zeroizing;

/// The PEM label liftoff writes (containers/image reads only this one; cosign reads both).
pub const LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// cosign's scrypt parameters (go-securesystemslib's defaults): 32 MiB and ~0.1 s per derivation.
const LOG_N: u8 = 15;
const R: u32 = 8;
const P: u32 = 1;
const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// The most memory (128·r·N bytes) and work a key file may ask scrypt for: 8× cosign's own.
const MAX_SCRYPT_MEMORY: u64 = 256 << 20;
const MAX_P: u32 = 4;

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Kdf {
    name: String,
    params: ScryptParams,
    salt: String,
}

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Cipher {
    name: String,
    nonce: String,
}

fn bad(reason: impl Into<String>) -> KeyError {
    KeyError::CosignFormat(reason.into())
}

fn b64(field: &str, v: &str) -> Result<Vec<u8>, KeyError> {
    B64.decode(v)
        .map_err(|e| bad(format!("{field} is not base64: {e}")))
}

/// Checks scrypt parameters against the bounds and returns them in the crate's form.
fn scrypt_params(p: &ScryptParams) -> Result<scrypt::Params, KeyError> {
    if !p.n.is_power_of_two() || p.n < 2 {
        return Err(bad(format!(
            "scrypt N = {} is not a power of two greater than 1",
            p.n
        )));
    }
    let memory = 128u64.saturating_mul(u64::from(p.r)).saturating_mul(p.n);
    if memory > MAX_SCRYPT_MEMORY || p.p > MAX_P || p.r == 0 || p.p == 0 {
        return Err(bad(format!(
            "scrypt parameters N={} r={} p={} ask for more than liftoff spends on a key (at most {} MiB and p ≤ {MAX_P}; cosign uses N=32768 r=8 p=1)",
            p.n,
            p.r,
            p.p,
            MAX_SCRYPT_MEMORY >> 20
        )));
    }
    let log_n = p.n.trailing_zeros() as u8;
    scrypt::Params::new(log_n, p.r, p.p, 32)
        .map_err(|e| bad(format!("scrypt parameters refused: {e}")))
}

/// The secretbox key scrypt derives from `passphrase` and `salt`.
fn derive(
    passphrase: &[u8],
    salt: &[u8],
    params: &scrypt::Params,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(passphrase, salt, params, &mut key[..])
        .map_err(|e| bad(format!("scrypt: {e}")))?;
    Ok(key)
}

/// Decrypts the body of an encrypted cosign PEM block (the JSON bytes) to PKCS#8 DER.
pub fn decrypt(body: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let env: Envelope = serde_json::from_slice(body)
        .map_err(|e| bad(format!("the encrypted key is not cosign's JSON: {e}")))?;
    if env.kdf.name != "scrypt" {
        return Err(bad(format!(
            "key derivation {:?} is not \"scrypt\", the only one cosign uses",
            env.kdf.name
        )));
    }
    if env.cipher.name != "nacl/secretbox" {
        return Err(bad(format!(
            "cipher {:?} is not \"nacl/secretbox\", the only one cosign uses",
            env.cipher.name
        )));
    }
    let params = scrypt_params(&env.kdf.params)?;
    let salt = b64("kdf.salt", &env.kdf.salt)?;
    if !(16..=256).contains(&salt.len()) {
        return Err(bad(format!(
            "the salt is {} bytes; cosign's is {SALT_LEN}",
            salt.len()
        )));
    }
    let nonce = b64("cipher.nonce", &env.cipher.nonce)?;
    if nonce.len() != NONCE_LEN {
        return Err(bad(format!(
            "the nonce is {} bytes, not the {NONCE_LEN} of a secretbox nonce",
            nonce.len()
        )));
    }
    let ciphertext = b64("ciphertext", &env.ciphertext)?;
    let key = derive(passphrase, &salt, &params)?;
    let plain = XSalsa20Poly1305::new(Key::from_slice(&key[..]))
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map_err(|_| KeyError::WrongPassphrase)?;
    Ok(Zeroizing::new(plain))
}

/// Encrypts PKCS#8 DER with `passphrase` into an `ENCRYPTED COSIGN PRIVATE KEY` PEM file text.
pub fn encrypt(pkcs8: &[u8], passphrase: &[u8]) -> Result<Zeroizing<String>, KeyError> {
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::getrandom(&mut salt).map_err(|e| KeyError::Random(e.to_string()))?;
    getrandom::getrandom(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
    let params = scrypt::Params::new(LOG_N, R, P, 32)
        .map_err(|e| bad(format!("scrypt parameters refused: {e}")))?;
    let key = derive(passphrase, &salt, &params)?;
    let ciphertext = XSalsa20Poly1305::new(Key::from_slice(&key[..]))
        .encrypt(Nonce::from_slice(&nonce), pkcs8)
        .map_err(|_| bad("secretbox encryption failed"))?;
    let env = Envelope {
        kdf: Kdf {
            name: "scrypt".to_string(),
            params: ScryptParams {
                n: 1 << LOG_N,
                r: R,
                p: P,
            },
            salt: B64.encode(salt),
        },
        cipher: Cipher {
            name: "nacl/secretbox".to_string(),
            nonce: B64.encode(nonce),
        },
        ciphertext: B64.encode(&ciphertext),
    };
    let json = Zeroizing::new(
        serde_json::to_vec(&env).map_err(|e| bad(format!("cannot encode the key: {e}")))?,
    );
    Ok(Zeroizing::new(pem_encode(LABEL, &json)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(n: u64, r: u32, p: u32) -> Vec<u8> {
        format!(
            r#"{{"kdf":{{"name":"scrypt","params":{{"N":{n},"r":{r},"p":{p}}},"salt":"{}"}},"cipher":{{"name":"nacl/secretbox","nonce":"{}"}},"ciphertext":"AAAA"}}"#,
            B64.encode([1u8; 32]),
            B64.encode([2u8; 24])
        )
        .into_bytes()
    }

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let der = b"not really a key, but secret";
        let pem = encrypt(der, b"pw").unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"));
        let (label, body) = super::super::keys::pem_decode(&pem).unwrap();
        assert_eq!(label, LABEL);
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["kdf"]["params"]["N"], 32768);
        assert_eq!(json["cipher"]["name"], "nacl/secretbox");
        assert_eq!(decrypt(&body, b"pw").unwrap().as_slice(), der);
        assert!(matches!(
            decrypt(&body, b"other"),
            Err(KeyError::WrongPassphrase)
        ));
        // Changing one byte of the ciphertext is caught like a wrong passphrase.
        let mut env: Envelope = serde_json::from_slice(&body).unwrap();
        let mut ct = B64.decode(&env.ciphertext).unwrap();
        ct[20] ^= 1;
        env.ciphertext = B64.encode(ct);
        let tampered = serde_json::to_vec(&env).unwrap();
        assert!(matches!(
            decrypt(&tampered, b"pw"),
            Err(KeyError::WrongPassphrase)
        ));
    }

    #[test]
    fn hostile_parameters_refused_before_any_work() {
        for (n, r, p, want) in [
            (1u64 << 30, 8, 1, "more than liftoff spends"),
            (1 << 15, 1 << 20, 1, "more than liftoff spends"),
            (1 << 15, 8, 1000, "more than liftoff spends"),
            (3, 8, 1, "power of two"),
            (0, 8, 1, "power of two"),
            (1 << 15, 0, 1, "more than liftoff spends"),
        ] {
            let e = decrypt(&envelope(n, r, p), b"pw").unwrap_err();
            assert!(e.to_string().contains(want), "N={n} r={r} p={p}: {e}");
        }
    }

    #[test]
    fn malformed_envelopes_refused_by_name() {
        let good = String::from_utf8(envelope(1 << 10, 8, 1)).unwrap();
        for (body, want) in [
            ("{}".to_string(), "not cosign's JSON"),
            ("[1,2]".to_string(), "not cosign's JSON"),
            (good.replace("scrypt", "pbkdf2"), "pbkdf2"),
            (good.replace("nacl/secretbox", "aes-gcm"), "aes-gcm"),
            (
                good.replace(&B64.encode([2u8; 24]), &B64.encode([2u8; 12])),
                "nonce is 12 bytes",
            ),
            (
                good.replace(&B64.encode([1u8; 32]), "!!"),
                "kdf.salt is not base64",
            ),
            (
                good.replace(&B64.encode([1u8; 32]), &B64.encode([1u8; 4])),
                "salt is 4 bytes",
            ),
            (good.replacen('}', r#","extra":1}"#, 1), "unknown field"),
        ] {
            let e = decrypt(body.as_bytes(), b"pw").unwrap_err();
            assert!(e.to_string().contains(want), "{body}: {e}");
        }
        // A well-formed envelope whose ciphertext is not a secretbox of anything.
        assert!(matches!(
            decrypt(good.as_bytes(), b"pw"),
            Err(KeyError::WrongPassphrase)
        ));
    }
}
