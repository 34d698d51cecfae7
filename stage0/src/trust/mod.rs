//! Signatures and trust (docs/trust.md): keys, the simple-signing payload, Ed25519 signatures, the trust
//! store and policy, and the fail-closed verification procedure.
pub mod gate;
pub mod keys;
pub mod payload;
pub mod policy;
pub mod signature;
pub mod store;
pub mod verify;

// Old paths, for tests/e2e (which this restructuring leaves as they are): the cosign wire format is
// the neutral `crate::cosign`, and writing signatures into a layout is transport's
// (`crate::transport::layout_sign`). Nothing in stage0 uses these.
pub use crate::cosign;
pub use crate::transport::layout_sign;
