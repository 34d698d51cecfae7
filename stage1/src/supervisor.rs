//! The pod's supervisor: the process `liftoff run` became by exec'ing stage1.
//!
//! It owns everything outside the pod's namespaces: the pod lock (held for the pod's whole life; the
//! kernel drops it if the supervisor dies), the cgroups, the seccomp filters (compiled once, before
//! any fork), the pod's /etc files, and the output relay. It clones the pod init into fresh
//! namespaces, forwards the signals it receives (SIGTERM/SIGINT start a graceful stop and arm a
//! SIGKILL after the stop timeout), waits for the init, records the pod's exit and removes the cgroups.
//! The init carries PR_SET_PDEATHSIG=SIGKILL, so a SIGKILLed supervisor takes the whole pod with it
//! and leaves only what `liftoff gc` sweeps (the pod dir and empty cgroups).
//!
//! This module holds the order of the supervisor's steps ([`lifecycle`], over the [`PodSys`]
//! trait, so the order is unit-tested with a recording fake); the steps themselves are in
//! [`crate::real_pod`] and the modules it uses: [`crate::pod_etc`] (the pod's /etc files),
//! [`crate::volumes`], [`crate::launch`] (each app's launch), [`crate::ports`],
//! [`crate::attach`] (CNI networks), [`crate::event_loop`] and [`crate::relay`] (output).

use crate::cgroups as cgroup;
use crate::manifest::{self, PodManifest};
use crate::status::{self, PodExit};
use nix::errno::Errno;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

pub use crate::pod_etc::{hosts_file, pod_resolv_conf};

/// Why the supervisor could not start or supervise the pod.
#[derive(Debug, thiserror::Error)]
pub enum SupervisorError {
    #[error("cannot read pod manifest {}: {source}", path.display())]
    ReadManifest {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Manifest {
        path: PathBuf,
        source: manifest::ManifestError,
    },
    #[error(transparent)]
    Etc(#[from] crate::pod_etc::EtcError),
    #[error("pod {pod}: {source}")]
    Userns {
        pod: String,
        source: crate::userns::UsernsError,
    },
    #[error(transparent)]
    Volume(#[from] crate::volumes::VolumeError),
    #[error("app {app}: seccomp profile: {source}")]
    Seccomp {
        app: String,
        source: liftoff_stage2::seccomp::SeccompError,
    },
    #[error("pod {pod}: cgroups: {source}")]
    Cgroups {
        pod: String,
        source: cgroup::CgroupError,
    },
    #[error(transparent)]
    Launch(#[from] crate::launch::LaunchError),
    #[error("block signals: {0}")]
    BlockSignals(Errno),
    #[error("signalfd: {0}")]
    SignalFd(Errno),
    #[error("pipe: {0}")]
    Pipe(Errno),
    #[error(transparent)]
    Ports(#[from] crate::ports::PortError),
    #[error("{0} (publish on the host's 127.0.0.1 or an IPv6 address instead)")]
    LoopbackProxy(std::io::Error),
    #[error("creating the pod's namespaces: {0} (liftoff run needs root)")]
    Clone(std::io::Error),
    #[error("pod {pod}: cgroup: {source}")]
    JoinCgroup {
        pod: String,
        source: cgroup::CgroupError,
    },
    #[error(transparent)]
    Attach(#[from] crate::attach::AttachError),
    #[error(transparent)]
    Loop(#[from] crate::event_loop::LoopError),
    #[error(transparent)]
    Channel(crate::init_channel::ChannelError),
    /// Already shown to the user (and the pod removed, for `run --rm`): nothing more to say.
    #[error("the pod failed to start")]
    Reported,
}

/// Starts and supervises the pod in `pod_dir`; returns the pod's exit code (254 for liftoff's own
/// failures, reported on stderr).
pub fn run(pod_dir: &Path, lock_fd: Option<RawFd>, ready_fd: Option<RawFd>) -> u8 {
    // Closed only when this function returns: a pod that failed to start keeps its lock (and
    // `run -d` waits on the ready fd) until its exit record below is written.
    let mut fds = HandedFds {
        lock: adopt(lock_fd),
        ready: adopt(ready_fd),
    };
    match run_inner(pod_dir, &mut fds) {
        Ok(code) => code,
        Err(SupervisorError::Reported) => 254,
        Err(e) => {
            let msg = e.to_string();
            liftoff_stage2::error!("{msg}");
            let _ = status::write_json(
                &status::pod_exit_path(pod_dir),
                &PodExit {
                    exit_code: 254,
                    app: None,
                    error: Some(msg),
                    finished_at: status::now(),
                },
            );
            254
        }
    }
}

pub(crate) fn cg_limits(l: &manifest::Limits) -> cgroup::Limits {
    cgroup::Limits {
        memory_bytes: l.memory_bytes,
        cpus: l.cpus,
        pids: l.pids,
    }
}

/// Where the supervisor records the pod's cgroup dirs (a JSON array of paths, one per hierarchy)
/// for `gc`, `liftoff stats` and `top`.
pub const CGROUPS_FILE: &str = liftoff_contract::layout::CGROUPS_RECORD;

/// Takes ownership of an fd handed over on the command line (the argv boundary). It becomes
/// close-on-exec: nothing we spawn (CNI plugins above all) may inherit the lock or ready fd; our own
/// forks (init, the teardown child) still do. An fd that is not open is ignored.
fn adopt(fd: Option<RawFd>) -> Option<OwnedFd> {
    let fd = fd?;
    // SAFETY: fcntl on an fd number handed to us; a closed one only yields EBADF.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags < 0 {
        return None;
    }
    // SAFETY: as above; the fd is open, and from here on owned by this process alone.
    unsafe {
        libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
        Some(OwnedFd::from_raw_fd(fd))
    }
}

/// The fds `liftoff run` handed over on the command line.
pub struct HandedFds {
    /// The pod lock: the pod counts as running while it is open.
    pub lock: Option<OwnedFd>,
    /// --ready-fd (`run -d`): one byte once the pod is ready (every app started, every probe
    /// passed), closed once the exit is recorded.
    pub ready: Option<OwnedFd>,
}

fn run_inner(pod_dir: &Path, fds: &mut HandedFds) -> Result<u8, SupervisorError> {
    // `liftoff stop` signals this process; the file is only trusted while the pod lock is held.
    let _ = std::fs::write(
        pod_dir.join("supervisor-pid"),
        format!("{}\n", std::process::id()),
    );
    let path = pod_dir.join(manifest::POD_MANIFEST_FILE);
    let bytes = std::fs::read(&path).map_err(|source| SupervisorError::ReadManifest {
        path: path.clone(),
        source,
    })?;
    let m = PodManifest::from_slice(&bytes)
        .map_err(|source| SupervisorError::Manifest { path, source })?;
    let policy = Policy {
        on_exit: !m.on_exit.is_empty(),
        detached: m.detached,
        sync_teardown: sync_teardown(),
    };
    let mut pod = crate::real_pod::RealPod::new(pod_dir, &m, fds);
    lifecycle(&mut pod, policy)
}

/// Whether teardown must finish before this process exits: under systemd (a unit's leftover
/// processes are killed when its main process exits) or when asked with LIFTOFF_SYNC_TEARDOWN=1.
fn sync_teardown() -> bool {
    ["INVOCATION_ID", "NOTIFY_SOCKET", "LIFTOFF_SYNC_TEARDOWN"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0"))
}

/// What decides how the supervisor ends, besides its steps' results.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// The manifest has an `on_exit` command (`run --rm`).
    pub on_exit: bool,
    pub detached: bool,
    /// Teardown must be done before we exit (see [`sync_teardown`]).
    pub sync_teardown: bool,
}

/// Where the teardown runs after [`PodSys::fork_teardown`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fork {
    /// In this process, the forked child: tear down, then [`PodSys::end_teardown_child`].
    Child,
    /// In this process, the parent: the child tears down; we exit with the pod's code.
    Parent,
    /// The fork failed: tear down here.
    Failed,
}

/// The supervisor's steps, in the order [`lifecycle`] takes them. The real implementation
/// ([`crate::real_pod::RealPod`]) calls the kernel; the unit tests use a recording fake.
pub trait PodSys {
    /// The pod's /etc files, its volumes and the apps' seccomp filters.
    fn prepare_pod(&mut self) -> Result<(), SupervisorError>;
    /// The pod's cgroups, before anything runs, so limits hold from the first instruction.
    fn create_cgroups(&mut self) -> Result<(), SupervisorError>;
    /// Each app's dirs, cgroup, log and stdio; signals, the init pipes, the published ports.
    fn prepare_apps(&mut self) -> Result<(), SupervisorError>;
    /// Clones the pod's init into its new namespaces; it waits for [`PodSys::release_init`].
    fn clone_init(&mut self) -> Result<(), SupervisorError>;
    /// Moves init into the pod's cgroup.
    fn add_init_to_cgroup(&mut self) -> Result<(), SupervisorError>;
    /// Attaches the pod's CNI networks (before any app starts).
    fn attach_networks(&mut self) -> Result<(), SupervisorError>;
    /// Lets init start the apps.
    fn release_init(&mut self);
    /// Runs the event loop until init has exited and the output is drained.
    fn wait(&mut self) -> Result<nix::sys::wait::WaitStatus, SupervisorError>;
    /// Kills and reaps an init that must not go on (a later step failed).
    fn kill_init(&mut self);
    /// Writes the apps' OOM marks and the pod's exit record; returns the pod's code.
    fn record_exit(&mut self, ws: nix::sys::wait::WaitStatus) -> u8;
    /// Whether the pod's exit record exists (it may not, on a full disk).
    fn exit_recorded(&self) -> bool;
    /// Whether the network teardown is worth a background child: CNI DEL (~100 ms of plugin
    /// processes), or removing published ports from the native network's nftables maps (closing
    /// that netlink socket waits ~16 ms for the kernel's RCU grace period). The rest of the native
    /// release takes well under a millisecond, so such a pod is torn down before `run` returns.
    fn slow_teardown(&self) -> bool;
    fn detach_networks(&mut self);
    fn release_ports(&mut self);
    fn remove_cgroups(&mut self);
    /// Closes the pod lock: the pod no longer counts as running.
    fn release_lock(&mut self);
    /// Runs the manifest's `on_exit` command and waits for it.
    fn run_on_exit(&mut self);
    fn fork_teardown(&mut self) -> Fork;
    /// Leaves the teardown child (the real one never returns).
    fn end_teardown_child(&mut self);
}

/// The supervisor from start to end: returns the pod's exit code.
pub fn lifecycle<S: PodSys>(s: &mut S, p: Policy) -> Result<u8, SupervisorError> {
    s.prepare_pod()?;
    s.create_cgroups()?;
    match start_and_wait(s) {
        Ok(code) => {
            finish(s, p);
            Ok(code)
        }
        Err(e) => {
            // The reservations go with the failed start, as everything else it made.
            s.release_ports();
            s.remove_cgroups();
            // `run --rm` in the foreground: a pod that failed to start goes too (its networks
            // were undone on the way out), after the error is shown. Detached, the exit record
            // must stay for `run -d` to read the reason; `run -d` removes the pod after that.
            if p.on_exit && !p.detached {
                liftoff_stage2::error!("{e}");
                s.release_lock();
                s.run_on_exit();
                return Err(SupervisorError::Reported);
            }
            Err(e)
        }
    }
}

/// From the apps' preparation to the recorded exit.
fn start_and_wait<S: PodSys>(s: &mut S) -> Result<u8, SupervisorError> {
    s.prepare_apps()?;
    s.clone_init()?;
    // Networks are attached before init lets any app start.
    if let Err(e) = s.add_init_to_cgroup().and_then(|_| s.attach_networks()) {
        s.kill_init();
        return Err(e);
    }
    s.release_init();
    let ws = match s.wait() {
        Ok(ws) => ws,
        // The supervisor can no longer watch the pod: it ends, and its networks (their firewall
        // rules first) go before the ports they forward are released.
        Err(e) => {
            s.kill_init();
            s.detach_networks();
            return Err(e);
        }
    };
    Ok(s.record_exit(ws))
}

/// Tears the pod down after its exit is recorded. CNI DEL takes a good 100 ms with the standard
/// plugins (each runs several iptables commands), so by default it runs in a child that keeps the pod
/// lock (the pod counts as running, and gc leaves it alone, until it is done) while this process
/// exits with the pod's code at once; `status`, `stop` and `rm` treat the pod as exited from the
/// moment `exit.json` exists. The child writes its warnings to `stage1.log` in the pod dir.
fn finish<S: PodSys>(s: &mut S, p: Policy) {
    // Without a recorded exit (a full disk), the lock must keep meaning "the supervisor lives".
    let recorded = s.exit_recorded();
    // `run --rm`: the pod is gone when `run` returns, so teardown and removal happen before.
    if p.on_exit && recorded {
        teardown(s);
        s.release_lock();
        return s.run_on_exit();
    }
    if !s.slow_teardown() || p.sync_teardown || !recorded {
        return teardown(s);
    }
    match s.fork_teardown() {
        Fork::Child => {
            teardown(s);
            s.end_teardown_child();
        }
        // The child holds the lock and the reserved ports now; our copies close as we exit.
        Fork::Parent => {}
        Fork::Failed => teardown(s),
    }
}

/// Networks first, then the ports: the reservations are held until portmap's forwarding rules are
/// gone, so no other program takes a port that still forwards into the pod. Then the cgroups.
fn teardown<S: PodSys>(s: &mut S) {
    s.detach_networks();
    s.release_ports();
    s.remove_cgroups();
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::wait::WaitStatus;
    use nix::unistd::Pid;

    /// Records every step; fails the one named in `fail`.
    #[derive(Default)]
    struct Fake {
        calls: Vec<&'static str>,
        fail: Option<&'static str>,
        recorded: bool,
        networks: bool,
        fork: Option<Fork>,
    }

    impl Fake {
        fn step(&mut self, name: &'static str) -> Result<(), SupervisorError> {
            self.calls.push(name);
            match self.fail == Some(name) {
                true => Err(SupervisorError::Pipe(Errno::EIO)),
                false => Ok(()),
            }
        }
        fn note(&mut self, name: &'static str) {
            self.calls.push(name);
        }
    }

    impl PodSys for Fake {
        fn prepare_pod(&mut self) -> Result<(), SupervisorError> {
            self.step("prepare_pod")
        }
        fn create_cgroups(&mut self) -> Result<(), SupervisorError> {
            self.step("create_cgroups")
        }
        fn prepare_apps(&mut self) -> Result<(), SupervisorError> {
            self.step("prepare_apps")
        }
        fn clone_init(&mut self) -> Result<(), SupervisorError> {
            self.step("clone_init")
        }
        fn add_init_to_cgroup(&mut self) -> Result<(), SupervisorError> {
            self.step("add_init_to_cgroup")
        }
        fn attach_networks(&mut self) -> Result<(), SupervisorError> {
            self.step("attach_networks")
        }
        fn release_init(&mut self) {
            self.note("release_init")
        }
        fn wait(&mut self) -> Result<WaitStatus, SupervisorError> {
            self.step("wait")?;
            Ok(WaitStatus::Exited(Pid::from_raw(7), 3))
        }
        fn kill_init(&mut self) {
            self.note("kill_init")
        }
        fn record_exit(&mut self, ws: WaitStatus) -> u8 {
            self.note("record_exit");
            match ws {
                WaitStatus::Exited(_, c) => c as u8,
                _ => 254,
            }
        }
        fn exit_recorded(&self) -> bool {
            self.recorded
        }
        fn slow_teardown(&self) -> bool {
            self.networks
        }
        fn detach_networks(&mut self) {
            self.note("detach_networks")
        }
        fn release_ports(&mut self) {
            self.note("release_ports")
        }
        fn remove_cgroups(&mut self) {
            self.note("remove_cgroups")
        }
        fn release_lock(&mut self) {
            self.note("release_lock")
        }
        fn run_on_exit(&mut self) {
            self.note("run_on_exit")
        }
        fn fork_teardown(&mut self) -> Fork {
            self.note("fork_teardown");
            self.fork.unwrap_or(Fork::Failed)
        }
        fn end_teardown_child(&mut self) {
            self.note("end_teardown_child")
        }
    }

    const PLAIN: Policy = Policy {
        on_exit: false,
        detached: false,
        sync_teardown: false,
    };

    const START: [&str; 8] = [
        "prepare_pod",
        "create_cgroups",
        "prepare_apps",
        "clone_init",
        "add_init_to_cgroup",
        "attach_networks",
        "release_init",
        "wait",
    ];

    /// The steps of a pod whose step `step` fails (a plain pod: no --rm, not detached).
    fn fails_at(step: &'static str) -> Vec<&'static str> {
        let mut f = Fake {
            fail: Some(step),
            ..Fake::default()
        };
        lifecycle(&mut f, PLAIN).unwrap_err();
        f.calls
    }

    fn with_start(rest: &[&'static str]) -> Vec<&'static str> {
        START.iter().chain(rest).copied().collect()
    }

    #[test]
    fn start_stop_and_teardown_in_order() {
        let mut f = Fake {
            recorded: true,
            ..Fake::default()
        };
        assert_eq!(lifecycle(&mut f, PLAIN).unwrap(), 3);
        assert_eq!(
            f.calls,
            with_start(&[
                "record_exit",
                "detach_networks",
                "release_ports",
                "remove_cgroups"
            ])
        );
    }

    #[test]
    fn networks_are_torn_down_in_a_child_that_keeps_the_lock() {
        let mut f = Fake {
            recorded: true,
            networks: true,
            fork: Some(Fork::Parent),
            ..Fake::default()
        };
        assert_eq!(lifecycle(&mut f, PLAIN).unwrap(), 3);
        assert_eq!(f.calls, with_start(&["record_exit", "fork_teardown"]));

        let mut f = Fake {
            recorded: true,
            networks: true,
            fork: Some(Fork::Child),
            ..Fake::default()
        };
        lifecycle(&mut f, PLAIN).unwrap();
        assert_eq!(
            f.calls,
            with_start(&[
                "record_exit",
                "fork_teardown",
                "detach_networks",
                "release_ports",
                "remove_cgroups",
                "end_teardown_child"
            ])
        );
    }

    #[test]
    fn sync_teardown_or_no_exit_record_tears_down_in_place() {
        for (sync, recorded) in [(true, true), (false, false)] {
            let mut f = Fake {
                recorded,
                networks: true,
                fork: Some(Fork::Parent),
                ..Fake::default()
            };
            let p = Policy {
                sync_teardown: sync,
                ..PLAIN
            };
            lifecycle(&mut f, p).unwrap();
            assert_eq!(
                f.calls,
                with_start(&[
                    "record_exit",
                    "detach_networks",
                    "release_ports",
                    "remove_cgroups"
                ])
            );
        }
    }

    #[test]
    fn run_rm_tears_down_then_releases_the_lock_then_runs_on_exit() {
        let mut f = Fake {
            recorded: true,
            networks: true,
            ..Fake::default()
        };
        let p = Policy {
            on_exit: true,
            ..PLAIN
        };
        lifecycle(&mut f, p).unwrap();
        assert_eq!(
            f.calls,
            with_start(&[
                "record_exit",
                "detach_networks",
                "release_ports",
                "remove_cgroups",
                "release_lock",
                "run_on_exit"
            ])
        );
    }

    #[test]
    fn a_failed_attach_kills_init_and_removes_the_cgroups() {
        let mut f = Fake {
            fail: Some("attach_networks"),
            ..Fake::default()
        };
        let e = lifecycle(&mut f, PLAIN).unwrap_err();
        assert_eq!(e.to_string(), "pipe: EIO: I/O error");
        assert_eq!(
            f.calls,
            [
                "prepare_pod",
                "create_cgroups",
                "prepare_apps",
                "clone_init",
                "add_init_to_cgroup",
                "attach_networks",
                "kill_init",
                "release_ports",
                "remove_cgroups"
            ]
        );
    }

    #[test]
    fn a_failed_cgroup_join_skips_the_networks() {
        assert_eq!(
            fails_at("add_init_to_cgroup"),
            [
                "prepare_pod",
                "create_cgroups",
                "prepare_apps",
                "clone_init",
                "add_init_to_cgroup",
                "kill_init",
                "release_ports",
                "remove_cgroups"
            ]
        );
    }

    #[test]
    fn failures_before_the_cgroups_leave_nothing_to_remove() {
        assert_eq!(fails_at("prepare_pod"), ["prepare_pod"]);
    }

    #[test]
    fn run_rm_in_the_foreground_removes_a_pod_that_failed_to_start() {
        let p = Policy {
            on_exit: true,
            ..PLAIN
        };
        let mut f = Fake {
            fail: Some("prepare_apps"),
            ..Fake::default()
        };
        let e = lifecycle(&mut f, p).unwrap_err();
        assert!(matches!(e, SupervisorError::Reported));
        assert_eq!(
            f.calls,
            [
                "prepare_pod",
                "create_cgroups",
                "prepare_apps",
                "release_ports",
                "remove_cgroups",
                "release_lock",
                "run_on_exit"
            ]
        );
        // Detached: the exit record (written by `run`) must stay for `run -d` to read.
        let mut f = Fake {
            fail: Some("prepare_apps"),
            ..Fake::default()
        };
        let p = Policy {
            detached: true,
            ..p
        };
        assert!(matches!(
            lifecycle(&mut f, p),
            Err(SupervisorError::Pipe(_))
        ));
        assert_eq!(
            f.calls,
            [
                "prepare_pod",
                "create_cgroups",
                "prepare_apps",
                "release_ports",
                "remove_cgroups"
            ]
        );
    }

    #[test]
    fn a_failed_wait_ends_the_pod_and_tears_it_down_without_recording() {
        assert_eq!(
            fails_at("wait"),
            with_start(&[
                "kill_init",
                "detach_networks",
                "release_ports",
                "remove_cgroups"
            ])
        );
    }
}
