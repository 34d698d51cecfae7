//! End-to-end tests (placeholder until written).
