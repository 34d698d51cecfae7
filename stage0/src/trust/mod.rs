//! Signatures and trust (docs/trust.md): keys (public, private, cosign's encrypted format and
//! where its passphrase comes from), the simple-signing payload, signatures (Ed25519, ECDSA, RSA), the trust
//! store and policy, and the fail-closed verification procedure.
pub mod cosign_key;
pub mod gate;
pub mod keys;
pub mod passphrase;
pub mod payload;
pub mod policy;
pub mod private_key;
pub mod signature;
pub mod store;
pub mod verify;
