//! liftoff stage1: owns the pod manifest format and builds the pod.
//!
//! Stage0 writes a pod directory and a versioned manifest into it, then `exec`s `liftoff-stage1` with
//! the pod lock fd (for `run -d` it starts it in a new session, with a ready fd). That process first
//! re-executes itself from a read-only view of its binary (`exeseal`), then becomes the pod's
//! supervisor: it creates the pod's cgroups, clones the pod's init into new pid, mount, uts, ipc and
//! (unless --net=host) net namespaces, attaches the pod's CNI networks, relays output to the apps'
//! log files and the terminal, forwards signals, records the exit and tears down when the pod ends.
//! The init (pid 1 of the pod) starts each app in its own mount and cgroup namespaces, root
//! (pivot_root) and, unless --net=host, user namespace, and hands over to stage2 for the last step.
//!
//! Stage0 also uses this library directly: for `liftoff enter` (`enter`), for the cleanup that
//! `liftoff gc` and `rm` do (cgroups, CNI DEL, namespace pins), and to read the records stage1
//! leaves in the pod dir.
//!
//! The lifecycle and the supervisor/init split are described in `stage1/docs/pod-lifecycle.md`, the
//! whole system in `docs/architecture.md`.

pub mod app_root;
pub mod app_setup;
pub mod attach;
pub mod cgroups;
pub mod cni;
pub mod enter;
pub mod event_loop;
pub mod exeseal;
pub mod init;
pub mod launch;
pub mod logs;
pub mod net;
pub mod notify;
pub mod pod_etc;
pub mod ports;
pub mod real_pod;
pub mod relay;
pub mod safe_path;
pub mod status;
pub mod stdio;
pub mod supervisor;
#[cfg(test)]
mod test_support;
pub mod tty;
pub mod verbs;
pub mod volumes;

/// The pod manifest, owned by the contract crate; re-exported so stage1's modules name it as before.
pub use liftoff_contract::manifest;

pub use manifest::{
    valid_app_name, Limits, ManifestError, NetMode, PodApp, PodManifest, POD_MANIFEST_FILE,
    POD_MANIFEST_VERSION,
};
