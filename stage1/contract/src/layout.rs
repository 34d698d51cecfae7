//! Where each file of the contract lives in a pod dir. Both stages name these paths only through
//! this module, so the layout written in `stage1/docs/pod-manifest.md` is the one in the code.

use std::path::{Path, PathBuf};

/// `pod.json`: the pod manifest, written by stage0 before any entrypoint runs.
pub const POD_MANIFEST: &str = "pod.json";
/// `net.json`: the network record, written by stage1.
pub const NET_RECORD: &str = "net.json";
/// `cgroups.json`: the pod's cgroup dirs, written by stage1.
pub const CGROUPS_RECORD: &str = "cgroups.json";
/// `stage1.json`: which stage1 runs this pod, written by stage0 (see [`crate::Stage1Record`]).
pub const STAGE1_RECORD: &str = "stage1.json";

/// The pod's exit record (`exit.json`).
pub fn pod_exit(pod_dir: &Path) -> PathBuf {
    pod_dir.join("exit.json")
}

/// One app's exit record (`apps/<app>/exit.json`).
pub fn app_exit(pod_dir: &Path, app: &str) -> PathBuf {
    pod_dir.join("apps").join(app).join("exit.json")
}

/// `apps/<app>/ready`: exists once the app is ready: started, and its probe passed if it has one
/// (Unix seconds inside).
/// An app's latest start ([`crate::records::AppRun`]).
pub fn app_run(pod_dir: &Path, app: &str) -> PathBuf {
    pod_dir.join("apps").join(app).join("run.json")
}

/// The supervisor's control socket ([`crate::control`]), while the pod runs.
pub fn control_socket(pod_dir: &Path) -> PathBuf {
    pod_dir.join(CONTROL_SOCKET)
}

/// The control socket's file name in the pod dir.
pub const CONTROL_SOCKET: &str = "control.sock";

pub fn app_ready(pod_dir: &Path, app: &str) -> PathBuf {
    pod_dir.join("apps").join(app).join("ready")
}

/// `cgroups.json`.
pub fn cgroups(pod_dir: &Path) -> PathBuf {
    pod_dir.join(CGROUPS_RECORD)
}

/// An app's cgroup below one of the pod's recorded cgroup dirs (`liftoff stats` and `top` read it).
pub fn app_cgroup(pod_cgroup: &Path, app: &str) -> PathBuf {
    pod_cgroup.join(format!("app-{app}"))
}

/// `supervisor-pid`: the supervisor's pid, one decimal line, written by stage1 `run`.
pub fn supervisor_pid_file(pod_dir: &Path) -> PathBuf {
    pod_dir.join("supervisor-pid")
}

/// `pid`: the pod init's pid (host pid namespace), one decimal line, written by stage1 `run`.
pub fn init_pid_file(pod_dir: &Path) -> PathBuf {
    pod_dir.join("pid")
}

/// `ready`: exists once every app has started (Unix seconds inside).
pub fn ready_file(pod_dir: &Path) -> PathBuf {
    pod_dir.join("ready")
}

/// `stage1.log`: what a detached pod's supervisor says after stage0 let go of its terminal.
pub fn stage1_log(pod_dir: &Path) -> PathBuf {
    pod_dir.join("stage1.log")
}

/// Reads one of the pid files; None when it is missing or not a pid.
pub fn read_pid(file: &Path) -> Option<i32> {
    std::fs::read_to_string(file)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|p: &i32| *p > 0)
}

/// The pod init's pid, once `run` has started it.
pub fn init_pid(pod_dir: &Path) -> Option<i32> {
    read_pid(&init_pid_file(pod_dir))
}

/// Where an app's overlay lives in the pod dir (`apps/<app>/{rootfs,upper,work}`); `liftoff diff`
/// reads `upper`.
#[derive(Debug, Clone)]
pub struct AppDirs {
    pub rootfs: PathBuf,
    pub upper: PathBuf,
    pub work: PathBuf,
}

impl AppDirs {
    pub fn new(pod_dir: &Path, app: &str) -> AppDirs {
        let base = pod_dir.join("apps").join(app);
        AppDirs {
            rootfs: base.join("rootfs"),
            upper: base.join("upper"),
            work: base.join("work"),
        }
    }

    pub fn create(&self) -> std::io::Result<()> {
        for d in [&self.rootfs, &self.upper, &self.work] {
            std::fs::create_dir_all(d)?;
        }
        Ok(())
    }
}
