//! End-to-end tests (placeholder until written).
mod pods;
mod registry;
mod store;
mod trust;
