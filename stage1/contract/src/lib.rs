//! The stage0 → stage1 contract, version [`CONTRACT_VERSION`]: everything the two stages share.
//!
//! Stage0 (`liftoff`) reaches a stage1 only by executing one of its entrypoints with a pod dir, and
//! learns what happened only from the files this crate describes (`stage1/docs/pod-manifest.md` has
//! each file's version and schema). Nothing else couples them, so another stage1 — a VM-isolated one,
//! say — can be dropped in by implementing the same entrypoints (`liftoff --stage1 PATH`).
//!
//! The entrypoints ([`Entrypoint`]), each `STAGE1 VERB [OPTIONS] POD_DIR`:
//! - `run [--lock-fd N] [--ready-fd N] POD_DIR`: become the pod's supervisor; exit with the pod's
//!   exit code, 254 for the stage1's own failure. Holds the pod dir lock it is handed until the pod
//!   is torn down.
//! - `enter --app NAME POD_DIR [-- CMD…]`: run a command inside a running app; exit with its code.
//! - `stop [--force] POD_DIR`: ask a running pod to stop (graceful, or at once); returns without
//!   waiting — stage0 waits for `exit.json`.
//! - `gc POD_DIR`: tear down what a dead pod left outside its dir (cgroups, networks, mounts); exit 0
//!   when nothing is left, [`GC_BUSY`] when something still runs (try later), 254 on failure.
//! - `status --check-network POD_DIR`: check a running pod's networks, one line per network.
//!
//! Every record is strict (unknown fields are errors), and every reader here fails loudly on a
//! record it cannot parse instead of treating it as absent.

pub mod control;
pub mod layout;
pub mod logs;
pub mod manifest;
pub mod network;
pub mod records;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use manifest::{
    valid_app_name, Limits, ManifestError, NetMode, PodApp, PodManifest, POD_MANIFEST_FILE,
    POD_MANIFEST_VERSION,
};

/// The version of this contract (entrypoints and files together). A stage1 states the version it
/// implements in `STAGE1 version`'s output; stage0 refuses a stage1 of another version.
pub const CONTRACT_VERSION: u32 = 1;

/// Exit code of `gc` when the pod still has something running (a CNI plugin finishing its ADD).
pub const GC_BUSY: u8 = 75;

/// The entrypoints a stage1 implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entrypoint {
    Run,
    Enter,
    Stop,
    Gc,
    Status,
    Version,
}

impl Entrypoint {
    /// The verb on the command line.
    pub fn verb(self) -> &'static str {
        match self {
            Entrypoint::Run => "run",
            Entrypoint::Enter => "enter",
            Entrypoint::Stop => "stop",
            Entrypoint::Gc => "gc",
            Entrypoint::Status => "status",
            Entrypoint::Version => "version",
        }
    }
}

/// What `STAGE1 version` prints (one JSON line).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct VersionInfo {
    /// [`CONTRACT_VERSION`] of the contract this stage1 implements.
    pub contract: u32,
    /// Free text for messages, e.g. "liftoff-stage1 0.1.0".
    pub name: String,
}

/// `stage1.json` in the pod dir: which stage1 stage0 started the pod with, so that `enter`, `stop`
/// and `gc` reach the same one later.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Stage1Record {
    pub version: u32,
    pub path: PathBuf,
}

impl Stage1Record {
    /// Reads a pod's record; Ok(None) for a pod made before stage1 was recorded.
    pub fn read(pod_dir: &Path) -> Result<Option<Stage1Record>, records::RecordError> {
        let r: Option<Stage1Record> = records::read_json(&pod_dir.join(layout::STAGE1_RECORD))?;
        match r {
            Some(r) if r.version != CONTRACT_VERSION => Err(records::RecordError::Invalid {
                path: pod_dir.join(layout::STAGE1_RECORD),
                reason: format!(
                    "version {}, this liftoff reads version {CONTRACT_VERSION}",
                    r.version
                ),
            }),
            r => Ok(r),
        }
    }
}
