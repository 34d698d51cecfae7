//! liftoff stage0: everything that happens before isolation.
//!
//! Image references and transports, the content store, layer unpacking, (later) signatures and trust,
//! pod preparation and the pod state machine. The `liftoff` binary is a thin CLI over this library.

pub mod unpack;
