//! One run of an app's readiness probe, as a child of the pod's init.
//!
//! Every probe is a process of its own, so init never blocks on it: init's loop reaps it like any
//! child and kills it at its timeout. A TCP probe connects from init's network namespace, which is
//! the pod's. An exec probe runs its command *as the app*: it joins the app's cgroup (the app's
//! limits apply to it) and the app's cgroup, mount and user namespaces, then goes through stage2
//! with the app's whole profile (user, capabilities, no_new_privs, seccomp filter), as
//! `liftoff enter` does, so a probe can do nothing the app cannot. Its stdout and stderr go to
//! /dev/null (as podman keeps only the last output, we keep only the exit status); a setup
//! failure comes back as text over a close-on-exec pipe.

use crate::cgroups::AppCgroup;
use crate::enter::Join;
use crate::manifest::ReadyCheck;
use liftoff_stage2::seccomp::Filter;
use liftoff_stage2::AppSpec;
use nix::sched::{setns, CloneFlags};
use nix::unistd::{fork, ForkResult, Pid};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

/// Why a probe run could not be started (it then counts as a failed run).
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("pipe: {0}")]
    Pipe(nix::errno::Errno),
    #[error("open /dev/null: {0}")]
    DevNull(std::io::Error),
    #[error("fork: {0}")]
    Fork(nix::errno::Errno),
    #[error("the app's {ns} namespace: {source}")]
    Namespace {
        ns: &'static str,
        source: std::io::Error,
    },
}

/// What an exec probe needs of its app, kept by init from the app's launch.
#[derive(Clone)]
pub struct Target {
    pub spec: AppSpec,
    pub filter: Option<Filter>,
    pub cgroup: Option<AppCgroup>,
    /// The pod has its own ids: the probe becomes its root and takes a Landlock domain of its own.
    pub remapped: bool,
}

/// A probe run in flight: its pid and the read end of its message pipe.
pub struct Running {
    pub pid: Pid,
    msg: OwnedFd,
}

impl Running {
    /// What the probe said before it ended (empty when it ran its check to the end).
    pub fn message(self) -> String {
        let mut s = String::new();
        let _ = std::fs::File::from(self.msg)
            .take(4096)
            .read_to_string(&mut s);
        s
    }
}

/// Starts one probe run against the app whose (pod) pid is `app_pid`.
pub fn spawn(
    check: &ReadyCheck,
    target: Option<&Target>,
    app_pid: Pid,
    timeout: Duration,
) -> Result<Running, ProbeError> {
    let (rd, wr) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(ProbeError::Pipe)?;
    let null = crate::init::dev_null().map_err(ProbeError::DevNull)?;
    // The app's namespaces are opened here, before the fork: init has not reaped the app yet (it
    // reaps only in its wait, after this), so its pid cannot belong to another process.
    let joins = match check {
        ReadyCheck::Exec { .. } => app_namespaces(app_pid),
        ReadyCheck::Tcp { .. } => Ok(Vec::new()),
    };
    // SAFETY: init is single-threaded; the child only makes system calls and execs or exits.
    match unsafe { fork() }.map_err(ProbeError::Fork)? {
        ForkResult::Parent { child } => Ok(Running {
            pid: child,
            msg: rd,
        }),
        ForkResult::Child => {
            drop(rd);
            // SAFETY: prctl with integer arguments: the probe ends with the pod's init.
            unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
            // A session of its own, as every app has: the command must not reach the terminal
            // of whoever ran `liftoff run` (TIOCSTI on /dev/tty).
            let _ = nix::unistd::setsid();
            // Init's blocked signals and Rust's ignored SIGPIPE are not the command's.
            let _ = crate::app_setup::reset_signals(&crate::init::handled_signals());
            let (code, msg) = match (check, joins) {
                (ReadyCheck::Tcp { addr }, _) => tcp(addr, timeout),
                (ReadyCheck::Exec { argv }, Ok(joins)) => match target {
                    Some(t) => (254, exec(argv, t, joins, null)),
                    None => (254, "no app to run the probe in".into()),
                },
                (ReadyCheck::Exec { .. }, Err(e)) => (254, e.to_string()),
            };
            let _ = std::fs::File::from(wr).write_all(msg.as_bytes());
            // SAFETY: leaving the probe child.
            unsafe { libc::_exit(code) }
        }
    }
}

/// Handles on the app's cgroup, mount and user namespaces (those that differ from init's), joined
/// in that order. The user namespace is opened first: a remapped app joins its pod's only once its
/// mount namespace is final, so a probe that sees it there also gets the app's mounts.
fn app_namespaces(app_pid: Pid) -> Result<Vec<Join>, ProbeError> {
    let open = |wanted: &[(&'static str, CloneFlags)]| {
        crate::enter::differing_namespaces(app_pid.as_raw(), wanted)
            .map_err(|(ns, source)| ProbeError::Namespace { ns, source })
    };
    let user = open(&[("user", CloneFlags::CLONE_NEWUSER)])?;
    let mut joins = open(&[
        ("cgroup", CloneFlags::CLONE_NEWCGROUP),
        ("mnt", CloneFlags::CLONE_NEWNS),
    ])?;
    joins.extend(user);
    Ok(joins)
}

fn tcp(addr: &std::net::SocketAddr, timeout: Duration) -> (i32, String) {
    match std::net::TcpStream::connect_timeout(addr, timeout) {
        Ok(_) => (0, String::new()),
        Err(e) => {
            // "connection refused", not Rust's "Connection refused (os error 111)".
            let why = match e.raw_os_error() {
                Some(n) => nix::errno::Errno::from_raw(n).desc().to_lowercase(),
                None => e.to_string(),
            };
            (1, format!("tcp {addr}: {why}"))
        }
    }
}

/// Joins the app and execs the command; returns only why it could not.
fn exec(argv: &[String], t: &Target, joins: Vec<Join>, null: OwnedFd) -> String {
    let name = &t.spec.name;
    // SAFETY: prctl with integer arguments. Not dumpable until execve: the app must not ptrace a
    // process that still holds init's memory (as for `liftoff enter`).
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    if let Some(cg) = &t.cgroup {
        if let Err(e) = cg.join_self() {
            return format!("app {name}: join its cgroup: {e}");
        }
    }
    for (fd, flag, n) in &joins {
        if let Err(e) = setns(fd, *flag) {
            return format!("app {name}: join its {n} namespace: {e}");
        }
    }
    // A remapped app not yet in the pod's user namespace is still being set up (as host root):
    // the probe must not run as that.
    if t.remapped
        && !joins
            .iter()
            .any(|(_, f, _)| *f == CloneFlags::CLONE_NEWUSER)
    {
        return format!("app {name} is not in its pod's user namespace yet");
    }
    drop(joins);
    if t.remapped {
        if let Err(e) = crate::userns::joined_as_app() {
            return format!("app {name}: {e}");
        }
    }
    for fd in 0..3 {
        if nix::unistd::dup2(null.as_raw_fd(), fd).is_err() {
            return "dup2 /dev/null".into();
        }
    }
    drop(null);
    crate::init::cloexec_from(3);
    let mut spec = t.spec.clone();
    spec.argv = argv.to_vec();
    match liftoff_stage2::exec(&spec, t.filter.as_ref()) {
        Ok(never) => match never {},
        Err(e) => e.to_string(),
    }
}
