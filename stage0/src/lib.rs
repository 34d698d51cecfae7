//! liftoff stage0: everything that happens before isolation.
//!
//! Image references and transports, the content store, layer unpacking, (later) signatures and trust,
//! pod preparation and the pod state machine. The `liftoff` binary is a thin CLI over this library.

pub mod config;
pub mod digest;
pub mod fetch;
pub mod images;
pub mod import;
pub mod ingest;
pub mod manifest;
pub mod platform;
pub mod pod;
pub mod reference;
pub mod store;
pub mod transport;
pub mod trust;
pub mod unpack;

/// Exit code for every failure of liftoff itself (as opposed to an app's own exit code).
pub const EXIT_FAILURE: u8 = 254;
