//! Signatures and trust (docs/trust.md): keys, the simple-signing payload, signatures (Ed25519, ECDSA, RSA), the trust
//! store and policy, and the fail-closed verification procedure.
pub mod gate;
pub mod keys;
pub mod payload;
pub mod policy;
pub mod signature;
pub mod store;
pub mod verify;
