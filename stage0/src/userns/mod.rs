//! User-namespace id ranges for pods, allocated without a daemon.
//!
//! Each pod that runs in its own user namespace holds a range of host uids and a range of host gids
//! (of the same size) that no other live pod holds. Where ranges may come from is a [`Pool`]
//! (`pool.rs`: the `[userns]` settings, the `liftoff` entries of /etc/subuid and /etc/subgid, or a
//! built-in default); which pod holds what is a [`Lease`] file per pod under
//! `<state_root>/userns/` (`lease.rs`). Allocation happens under one flock, and a lease whose pod
//! dir is gone is reclaimed by the next allocation, so a crashed `run` or a `gc` that never got to
//! [`release`] leaks nothing for long.
//!
//! Plain-data config lives in `crate::config::UsernsConfig`; this module validates it. It sits on
//! the bottom rows of the module stack (it uses only `config` and `liftoff_common`), so `pod` can
//! call it; the pod state dir names it needs are repeated in `lease.rs` and a test checks them
//! against `pod::PodDirState::ALL`.

mod lease;
mod pool;
pub mod support;
#[cfg(test)]
mod tests;

pub use lease::{allocate, leases, release, Lease};
pub use pool::{
    parse_mode, pool, settings, IdRange, Mode, Pool, Settings, DEFAULT_POOL_END,
    DEFAULT_POOL_START, DEFAULT_SIZE, MAX_ID,
};

use std::path::PathBuf;

/// How to get out of an exhausted pool; part of the exhaustion message.
const EXHAUSTED_WAY_OUT: &str = "`liftoff gc` frees the ranges of exited pods; or enlarge the \
pool ([userns] pool in /etc/liftoff/config.toml or the liftoff lines of /etc/subuid and \
/etc/subgid), or ask for less with --userns=auto:size=N";

/// Everything that can go wrong here; every message is meant for users and names what it concerns.
#[derive(Debug, thiserror::Error)]
pub enum UsernsError {
    #[error(
        "{value:?} is not a user-namespace mode ({reason}); the accepted forms are \"auto\", \
         \"auto:size=N\" (N ids, at least 1) and \"host\""
    )]
    Mode { value: String, reason: String },
    #[error("[userns] {key} = {value:?} in the liftoff config file: {reason}")]
    Config {
        key: &'static str,
        value: String,
        reason: String,
    },
    #[error("{}: {op}: {source}", path.display())]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}:{line}: malformed liftoff entry ({reason}); the form is liftoff:START:COUNT",
        path.display()
    )]
    SubidLine {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error(
        "{} gives the liftoff user ids but {} has no liftoff entry: add one (liftoff:START:COUNT) \
         to {}, or remove the liftoff lines of {}",
        has.display(), missing.display(), missing.display(), has.display()
    )]
    SubidMissing { has: PathBuf, missing: PathBuf },
    #[error(
        "{origin} includes ids {first}-{last}, below 65536: those belong to the host's own users. \
         Use ids from 65536 up (liftoff's default pool is {DEFAULT_POOL_START}-{DEFAULT_POOL_END})"
    )]
    LowIds {
        origin: String,
        first: u32,
        last: u32,
    },
    #[error(
        "{origin} has no ids left once the ranges other users hold in /etc/subuid and /etc/subgid \
         are skipped: give liftoff a pool of its own"
    )]
    EmptyPool { origin: String },
    #[error(
        "a range of {size} ids cannot be given: a range must be at least 1 id and at most the \
         biggest range of {origin} ({biggest} ids); ask for another size with --userns=auto:size=N"
    )]
    Size {
        size: u32,
        biggest: u32,
        origin: String,
    },
    #[error("{id:?} is not a pod id (pod ids are uuids: 36 characters of 0-9, a-f and -)")]
    PodId { id: String },
    #[error(
        "pod {id} has no directory under {}: its dir must exist before it gets an id range (a \
         range whose pod dir is gone is reclaimed)",
        pods.display()
    )]
    NoPodDir { id: String, pods: PathBuf },
    #[error(
        "{}: not a valid id-range lease ({reason}); remove it after checking no pod uses it",
        path.display()
    )]
    Lease { path: PathBuf, reason: String },
    #[error(
        "no free range of {size} ids is left in {origin} ({holders} {}): {EXHAUSTED_WAY_OUT}",
        if *holders == 1 { "pod holds a range" } else { "pods hold ranges" }
    )]
    Exhausted {
        origin: String,
        size: u32,
        holders: usize,
    },
    #[error(transparent)]
    Write(#[from] liftoff_common::atomic::WriteError),
}

/// Wraps an io::Error with the path and the step, for `map_err`.
fn io(path: &std::path::Path, op: &'static str) -> impl FnOnce(std::io::Error) -> UsernsError {
    let path = path.to_path_buf();
    move |source| UsernsError::Io { path, op, source }
}
