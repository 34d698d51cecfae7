//! liftoff stage0: everything that happens before isolation.
//!
//! Image references and transports (OCI layouts and archives, docker archives, registries), the
//! content store, layer unpacking, signatures and trust (keys, `policy.toml`, verification before
//! anything of an image is unpacked, and again before it runs), pod preparation (networks, volumes,
//! the stage1 manifest) and the pod state machine (list, stop, rm, gc). The `liftoff` binary is a
//! thin CLI over this library. `docs/architecture.md` describes the whole.

pub mod config;
pub mod cosign;
pub mod digest;
pub mod fetch;
pub mod image_manifest;
pub mod images;
pub mod import;
pub mod ingest;
pub mod owned;
pub mod platform;
pub mod pod;
pub mod reference;
pub mod store;
pub mod transport;
pub mod trust;
pub mod unpack;

/// Exit code for every failure of liftoff itself (as opposed to an app's own exit code).
pub const EXIT_FAILURE: u8 = 254;
