//! End-to-end tests (placeholder until written).
mod registry;
mod trust;
