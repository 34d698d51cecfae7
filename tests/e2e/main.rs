//! End-to-end tests: the real `liftoff` binary against real images, registries and pods.
//!
//! Every test here needs root and the tools `tests/run.sh` installs, so each is `#[ignore]`d with
//! that reason: a plain `cargo test` reports them as ignored (skipped), never as passed.
//! `tests/run.sh` runs them with `--include-ignored` when it runs as root; a test started without
//! root fails loudly rather than returning early as a pass.

/// Fails the test when it cannot really run: without root, nothing it checks would happen.
pub(crate) fn require_root(what: &str) {
    if rustix::process::geteuid().as_raw() != 0 {
        panic!("{what} need root; run them through tests/run.sh as root (as non-root they are ignored)");
    }
}
mod boundary;
mod compose;
mod contract;
mod devices;
mod firsthour;
mod lamp;
mod leak;
mod lifecycle;
mod mutable;
mod network;
mod order;
mod ownership;
mod pods;
mod registry;
mod seccomp;
mod stats;
mod stdio;
mod store;
mod systemd;
mod trust;
mod userns;
