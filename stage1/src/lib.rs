//! liftoff stage1: builds and supervises the pod described by a pod dir.
//!
//! Stage0 reaches stage1 only through the entrypoints in `verbs` (`run`, `enter`, `stop`, `gc`,
//! `status`, `version`), executed with a pod dir; the files of the pod dir and their formats are
//! the contract crate's (`liftoff_contract`, `stage1/docs/pod-manifest.md`), which is all the two
//! stages share.
//!
//! `run` first re-executes itself from a read-only view of its binary (`exeseal`), then becomes the
//! pod's supervisor (`supervisor`, with its parts `pod_etc`, `volumes`, `ports`, `launch`, `attach`,
//! `event_loop`, `relay` and the real system calls in `real_pod`): it creates the pod's cgroups,
//! clones the pod's init into new pid, mount, uts, ipc and (unless --net=host) net namespaces,
//! attaches the pod's CNI networks, relays output to the apps' log files and the terminal, forwards
//! signals, records the exit and tears down when the pod ends. The init (`init`, pid 1 of the pod)
//! starts each app (`app_setup`) in its own mount and cgroup namespaces, root (pivot_root) and,
//! unless --net=host, user namespace, and hands over to stage2 for the last step. The order of those
//! steps is behind traits (`supervisor::PodSys`, `init::InitSys`, `app_setup::AppSys`) whose
//! recording fakes unit-test it without root.
//!
//! System calls: `nix` is the primary crate (processes, signals, namespaces, mounts, terminals,
//! poll). `rustix` is used only for fd-relative filesystem calls (`openat2` with `RESOLVE_*`, the
//! `*at` calls on handles, xattrs, flock), as the walker shared with stage0 does. `libc` is used only
//! for what neither wraps — raw syscalls (`pidfd_open`, `pidfd_send_signal`, `execveat`), `prctl`
//! options, terminal ioctls, and the async-signal-safe calls between fork and exec — each under a
//! SAFETY comment.
//!
//! While the pod runs, the supervisor serves its control socket (`control`): `liftoff app …`
//! adds, starts, stops and removes apps through it; the supervisor alone rewrites `pod.json` and
//! passes the app-level requests on to init over `init_channel`.
//!
//! The lifecycle and the supervisor/init split are described in `stage1/docs/pod-lifecycle.md`, the
//! whole system in `docs/architecture.md`.

pub mod app_root;
pub mod app_setup;
pub mod attach;
pub mod cgroups;
pub mod cni;
pub mod control;
pub mod enter;
pub mod event_loop;
pub mod exeseal;
pub mod idmap;
pub mod init;
pub mod init_channel;
pub mod landlock;
pub mod launch;
pub mod logs;
pub mod loopback_proxy;
pub mod native_net;
pub mod net;
pub mod notify;
pub mod pod_etc;
pub mod ports;
pub mod probe;
pub mod real_pod;
pub mod relay;
pub mod safe_path;
pub mod schedule;
pub mod status;
pub mod stdio;
pub mod supervisor;
#[cfg(test)]
mod test_support;
pub mod tty;
pub mod userns;
pub mod verbs;
pub mod volumes;

/// The pod manifest, owned by the contract crate; re-exported so stage1's modules name it as before.
pub use liftoff_contract::manifest;

pub use manifest::{
    valid_app_name, Limits, ManifestError, NetMode, PodApp, PodManifest, POD_MANIFEST_FILE,
    POD_MANIFEST_VERSION,
};

/// Test hook for the leak tests: `LIFTOFF_FAILPOINT=STEP` makes the supervisor SIGKILL itself
/// right after that step, a window a random kill almost never hits. The steps:
/// `native-after-claim|native-after-veth|native-after-ports` (the native network's setup),
/// `app-add-recorded` (an added app is in `pod.json`, init has not been told) and
/// `app-start-sent` (init has been asked to start an app). Nothing else reads it.
pub fn failpoint(step: &str) {
    if std::env::var_os("LIFTOFF_FAILPOINT").is_some_and(|v| v == step) {
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    }
}
