//! Key files (`trust::keys`): public keys in PEM SPKI and minisign form (`PublicKey::parse` and
//! the per-format readers under it), DER SubjectPublicKeyInfo (Ed25519, ECDSA P-256/P-384, RSA), raw 32-byte Ed25519 points, and
//! private keys (PKCS#8 and SEC1 PEM, Ed25519 and P-256; cosign's encrypted keys are refused here
//! before any key derivation, as no passphrase is given). Keys come from files users are given, so they are parsed as hostile.
//!
//! Besides "no panic": an accepted public key survives its own PEM and DER encodings unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::trust::keys::{PrivateKey, PublicKey};

fn round_trips(k: &PublicKey) {
    let _ = (k.key_id(), k.minisign_id());
    let pem = k.to_pem();
    assert_eq!(
        &PublicKey::parse(pem.as_bytes()).expect("own PEM parses"),
        k
    );
    assert_eq!(
        &PublicKey::from_spki_der(&k.spki_der()).expect("own DER parses"),
        k
    );
    if let Some(point) = k.ed25519_bytes() {
        assert_eq!(
            &PublicKey::from_bytes(point).expect("own point parses"),
            k
        );
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = PublicKey::parse(data) {
        round_trips(&k);
    }
    if let Ok(k) = PublicKey::from_spki_der(data) {
        round_trips(&k);
    }
    if let Ok(point) = <&[u8; 32]>::try_from(data.get(..32).unwrap_or_default()) {
        if let Ok(k) = PublicKey::from_bytes(point) {
            round_trips(&k);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PublicKey::from_pem(text);
        let _ = PublicKey::from_minisign(text);
        if let Ok(k) = PrivateKey::from_pem(text) {
            let pem = k.to_pkcs8_pem().expect("own key encodes");
            let again = PrivateKey::from_pem(&pem).expect("own PKCS#8 parses");
            assert_eq!(again.public(), k.public());
        }
    }
});
