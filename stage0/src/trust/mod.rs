//! Signatures and trust (DESIGN §5): keys, the simple-signing payload, Ed25519 signatures, the trust
//! store and policy, and the fail-closed verification procedure.
pub mod cosign;
