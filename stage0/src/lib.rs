//! liftoff stage0: everything that happens before isolation.
//!
//! Image references and transports (OCI layouts and archives, docker archives, registries), the
//! content store, layer unpacking, signatures and trust (keys, `policy.toml`, verification before
//! anything of an image is unpacked, and again before it runs), pod preparation (networks, volumes,
//! the stage1 manifest) and the pod state machine (list, stop, rm, gc). The `liftoff` binary is a
//! thin CLI over this library. `docs/architecture.md` describes the whole.
//!
//! Modules form a stack; each uses only modules on lower rows (bottom first):
//!
//! 1. `digest`, `platform`, `owned` (root-owned file checks), `config` (plain data from config.toml),
//!    `userns` (id ranges for remapped pods: the pool, leases, whether this kernel can remap)
//! 2. `reference` (image names), `image_manifest` (the OCI wire model), `cosign` (the signature
//!    manifest format, shared by transports, the store and trust)
//! 3. `unpack` (layer extraction; reads its limits from `config`)
//! 4. `store`, `transport` (sources and layout signing)
//! 5. `trust` (keys, policy, verification, the one gate)
//! 6. `images` (stored images: list, verify, gc — told by its caller which layers pods use),
//!    `ingest`
//! 7. `fetch`, then `import`; `publish` (push and export: store to registry or layout)
//! 8. `pod` (preparation, states, gc; hands image gc the layers in use)
//!
//! Shared with stage1, below all of these: `liftoff_common` (walk, atomic, lock, units).
//! The one exception: `trust` re-exports `cosign` and `transport::layout_sign` under their old paths
//! for the end-to-end tests.

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
pub mod publish;
pub mod reference;
pub mod stage1;
pub mod store;
pub mod transport;
pub mod trust;
pub mod unpack;
pub mod userns;

/// Exit code for every failure of liftoff itself (as opposed to an app's own exit code).
pub const EXIT_FAILURE: u8 = 254;
