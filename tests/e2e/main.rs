//! End-to-end tests (placeholder until written).
mod trust;
mod registry;
