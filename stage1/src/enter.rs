//! `liftoff enter`: run a command in a running app, under that app's whole profile.
//!
//! rkt's enter ran its command as full root in the pod's namespaces; a process inside could then
//! reach what the app itself could not. Here the command gets exactly what the app has: it joins the
//! app's cgroups (its limits, and it dies with the pod), the pod's ipc, uts, net and pid namespaces,
//! the app's cgroup and mount namespaces (so its root, /proc and mounts are the app's), then the app's
//! user namespace when it has one, and finally goes through stage2 like the app did: rlimits, user
//! and groups, capabilities, no_new_privs, the app's seccomp filter, execve.
//!
//! Process shape: this process stays on the host (relaying a terminal when stdin is one); a first
//! child joins the namespaces and forks again, because only children of a `setns(CLONE_NEWPID)`
//! caller land in the pod's pid namespace; the grandchild becomes the command.

use crate::cgroups;
use crate::init::AppUsers;
use crate::manifest::PodApp;
use nix::errno::Errno;
use nix::sched::{setns, CloneFlags};
use nix::sys::wait::waitpid;
use nix::unistd::{fork, ForkResult};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

/// Why `liftoff enter` could not run its command.
#[derive(Debug, thiserror::Error)]
pub enum EnterError {
    #[error("app {app} is not running in pod {pod}")]
    NotRunning { app: String, pod: String },
    #[error(
        "app {app} of pod {pod} is still starting (not yet in the pod's user namespace); try again"
    )]
    Starting { app: String, pod: String },
    #[error("app {app}: seccomp profile: {source}")]
    Seccomp {
        app: String,
        source: liftoff_stage2::seccomp::SeccompError,
    },
    #[error(transparent)]
    Cgroups(#[from] cgroups::CgroupError),
    #[error("{path}: {source}")]
    Namespace {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tty(#[from] crate::tty::TtyError),
    #[error("pipe: {0}")]
    Pipe(Errno),
    #[error("fork: {0}")]
    Fork(Errno),
    #[error("waitpid: {0}")]
    Wait(Errno),
    /// What the command's side said before it could exec (it crossed a pipe as text).
    #[error("{0}")]
    Child(String),
}

/// Finds the host pid of an app's main process: the child of the pod's init that sits in the app's
/// cgroup.
pub fn app_pid(pod_id: &str, init_pid: i32, app: &str) -> Option<i32> {
    let needle = format!("pod-{pod_id}/app-{app}");
    let rd = std::fs::read_dir("/proc").ok()?;
    let mut hits: Vec<i32> = rd
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // Fields after the command name (which may hold spaces) start after the last ')'.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<i32>().ok());
            ppid == Some(init_pid)
        })
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/cgroup"))
                .map(|c| {
                    c.lines()
                        .any(|l| l.ends_with(&needle) || l.contains(&format!("{needle}/")))
                })
                .unwrap_or(false)
        })
        .collect();
    hits.sort_unstable();
    hits.first().copied()
}

/// What to run and how.
pub struct EnterRequest<'a> {
    pub pod_id: &'a str,
    pub init_pid: i32,
    pub app: &'a PodApp,
    /// Replaces the app's argv.
    pub argv: Vec<String>,
    /// Which user namespace the pod's apps end their setup in (`init::app_users`).
    pub users: crate::init::AppUsers,
}

/// A namespace to join: its name in /proc/PID/ns and its setns flag, and a handle on it.
pub(crate) type Join = (OwnedFd, CloneFlags, &'static str);

/// Opens the namespaces of `pid` among `wanted` that differ from this process's, in order (the
/// one way `enter` and an exec probe find what to join). The error names the namespace.
pub(crate) fn differing_namespaces(
    pid: i32,
    wanted: &[(&'static str, CloneFlags)],
) -> Result<Vec<Join>, (&'static str, std::io::Error)> {
    let mut joins = Vec::new();
    for &(n, flag) in wanted {
        if same_ns(pid, n) {
            continue;
        }
        let f = std::fs::File::open(format!("/proc/{pid}/ns/{n}")).map_err(|e| (n, e))?;
        joins.push((OwnedFd::from(f), flag, n));
    }
    Ok(joins)
}

pub(crate) fn same_ns(pid: i32, name: &str) -> bool {
    let a = std::fs::metadata(format!("/proc/{pid}/ns/{name}"));
    let b = std::fs::metadata(format!("/proc/self/ns/{name}"));
    use std::os::unix::fs::MetadataExt;
    matches!((a, b), (Ok(a), Ok(b)) if a.ino() == b.ino() && a.dev() == b.dev())
}

/// Runs the command in the app and returns its exit code (128+N for a signal).
pub fn enter(req: EnterRequest) -> Result<i32, EnterError> {
    let name = &req.app.spec.name;
    let target = app_pid(req.pod_id, req.init_pid, name).ok_or_else(|| EnterError::NotRunning {
        app: name.clone(),
        pod: req.pod_id.to_string(),
    })?;
    let mut spec = req.app.spec.clone();
    spec.argv = req.argv;
    // A terminal on any of stdin, stdout or stderr goes through a pty of the app's own: the
    // command never holds the operator's terminal.
    let tty = (0..3).any(|fd| nix::unistd::isatty(fd).unwrap_or(false));
    if tty && !spec.env.iter().any(|e| e.starts_with("TERM=")) {
        if let Ok(t) = std::env::var("TERM") {
            spec.env.push(format!("TERM={t}"));
        }
    }
    let filter =
        liftoff_stage2::seccomp::compile(&spec.seccomp, &spec.capabilities).map_err(|source| {
            EnterError::Seccomp {
                app: name.clone(),
                source,
            }
        })?;
    let layout = cgroups::detect()?;
    // Every namespace handle is opened before anything is joined: after the mount namespace changes,
    // /proc is the pod's and host pids mean nothing.
    let ns_err = |(n, source): (&str, std::io::Error)| EnterError::Namespace {
        path: format!("/proc/{target}/ns/{n}"),
        source,
    };
    let userns = differing_namespaces(target, &[("user", CloneFlags::CLONE_NEWUSER)])
        .map_err(ns_err)?
        .pop()
        .map(|(fd, _, _)| fd);
    // The user namespace first: an app joins its user namespace (the pod's, or one of its own) as
    // the last step of its setup, so once it is there its mount namespace is final. Until then
    // it is still being set up in the host's (as host root and, early on, with init's mounts):
    // refused.
    if req.users != AppUsers::Host && userns.is_none() {
        return Err(EnterError::Starting {
            app: name.clone(),
            pod: req.pod_id.to_string(),
        });
    }
    let joins = differing_namespaces(
        target,
        &[
            ("ipc", CloneFlags::CLONE_NEWIPC),
            ("uts", CloneFlags::CLONE_NEWUTS),
            ("net", CloneFlags::CLONE_NEWNET),
            ("pid", CloneFlags::CLONE_NEWPID),
            ("cgroup", CloneFlags::CLONE_NEWCGROUP),
            ("mnt", CloneFlags::CLONE_NEWNS),
        ],
    )
    .map_err(ns_err)?;
    // With a terminal: the command opens a pty on the app's own devpts and sends us the master.
    let (pty_r, pty_w) = match tty {
        true => {
            let (a, b) = crate::tty::fd_channel()?;
            (Some(a), Some(b))
        }
        false => (None, None),
    };
    let (err_r, err_w) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(EnterError::Pipe)?;

    // SAFETY: stage0 is single-threaded here; the child only makes system calls, forks and exits.
    match unsafe { fork() }.map_err(EnterError::Fork)? {
        ForkResult::Child => {
            drop(err_r);
            drop(pty_r);
            // Not dumpable until execve: once this process holds the app's identity and
            // capabilities, the app would otherwise pass the ptrace check on it and could open
            // /proc/PID/exe (the host's liftoff binary) or read our environment (CVE-2019-5736).
            // SAFETY: prctl with integer arguments.
            unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
            let users = userns.map(|u| (u, req.users == AppUsers::Pod));
            let msg = join_and_run(&layout, target, joins, users, pty_w, &spec, filter);
            let _ = nix::unistd::write(&err_w, msg.as_bytes());
            // SAFETY: leaving the child without running the parent's destructors.
            unsafe { libc::_exit(254) }
        }
        ForkResult::Parent { child } => {
            drop(err_w);
            drop(pty_w);
            let master = pty_r.and_then(|r| crate::tty::recv_fd(r.as_fd()));
            if let Some(m) = master {
                let mut p = crate::tty::Pty::from_master(m);
                let _term = crate::tty::RawTerminal::enter(true);
                p.sync_size();
                relay(&mut p);
            }
            let code = loop {
                match waitpid(child, None) {
                    Ok(ws) => break crate::status::code_of(ws).map(|(c, _)| c).unwrap_or(254),
                    Err(Errno::EINTR) => continue,
                    Err(e) => return Err(EnterError::Wait(e)),
                }
            };
            let mut msg = String::new();
            use std::io::Read;
            let _ = std::fs::File::from(err_r)
                .take(64 * 1024)
                .read_to_string(&mut msg);
            if !msg.is_empty() {
                return Err(EnterError::Child(msg));
            }
            Ok(code)
        }
    }
}

/// Copies between our terminal and the pty until every holder of the pty's slave is gone, then
/// finishes writing what our stdout has not taken yet.
fn relay(p: &mut crate::tty::Pty) {
    let mut out = crate::stdio::Output::new(1);
    loop {
        let [master, stdin] = p.pollfds(&out, true);
        let mut pfds = [master, stdin, out.pollfd()];
        // SAFETY: poll on valid fds.
        let n = unsafe { libc::poll(pfds.as_mut_ptr(), 3, -1) };
        if n < 0 && Errno::last() != Errno::EINTR {
            break;
        }
        if n <= 0 {
            continue;
        }
        out.ready(&pfds[2]);
        if !p.pump(&pfds[..2], &mut out) {
            p.drain(&mut out);
            break;
        }
    }
    out.finish();
}

/// The first child: cgroups and namespaces, then the fork into the pod's pid namespace.
fn join_and_run(
    layout: &cgroups::Layout,
    target: i32,
    joins: Vec<Join>,
    userns: Option<(OwnedFd, bool)>,
    pty: Option<OwnedFd>,
    spec: &liftoff_stage2::AppSpec,
    filter: Option<liftoff_stage2::seccomp::Filter>,
) -> String {
    let name = &spec.name;
    if let Err(e) = cgroups::join_same_as(layout, target) {
        return format!("app {name}: join its cgroups: {e}");
    }
    for (fd, flag, n) in &joins {
        if let Err(e) = setns(fd, *flag) {
            return format!("app {name}: join its {n} namespace: {e}");
        }
    }
    drop(joins);
    // SAFETY: single-threaded child.
    match unsafe { fork() } {
        Err(e) => format!("fork: {e}"),
        Ok(ForkResult::Parent { child }) => {
            // Only the command may send the terminal: if it fails first, the parent sees EOF.
            drop(pty);
            let code = loop {
                match waitpid(child, None) {
                    Ok(ws) => break crate::status::code_of(ws).map(|(c, _)| c).unwrap_or(254),
                    Err(Errno::EINTR) => continue,
                    Err(_) => break 254,
                }
            };
            // SAFETY: plain exit of the intermediate child.
            unsafe { libc::_exit(code) }
        }
        Ok(ForkResult::Child) => {
            // SAFETY: prctl with integer arguments: do not outlive `liftoff enter`.
            unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
            if let Some((u, remapped)) = &userns {
                if let Err(e) = setns(u, CloneFlags::CLONE_NEWUSER) {
                    return format!("app {name}: join its user namespace: {e}");
                }
                if *remapped {
                    if let Err(e) = crate::userns::joined_as_app() {
                        return format!("app {name}: {e}");
                    }
                }
            }
            let _ = nix::unistd::setsid();
            if let Some(sock) = pty {
                let (master, slave) = match crate::tty::open_in_app() {
                    Ok(p) => p,
                    Err(e) => return format!("app {name}: terminal: {e}"),
                };
                if let Err(e) = crate::tty::send_fd(sock.as_fd(), master.as_fd()) {
                    return e.to_string();
                }
                drop((master, sock));
                for i in 0..3 {
                    if nix::unistd::dup2(slave.as_raw_fd(), i).is_err() {
                        return "dup2 the terminal".into();
                    }
                }
                // (If it already is one of 0-2, that copy must stay.)
                if slave.as_raw_fd() > 2 {
                    drop(slave);
                } else {
                    std::mem::forget(slave);
                }
                // SAFETY: ioctl on fd 0 with an integer argument.
                if unsafe { libc::ioctl(0, libc::TIOCSCTTY as _, 0) } < 0 {
                    return format!("make the terminal controlling: {}", Errno::last());
                }
            }
            // Nothing inherited from whoever ran `liftoff enter` reaches the command.
            crate::init::cloexec_from(3);
            match liftoff_stage2::exec(spec, filter.as_ref()) {
                Ok(never) => match never {},
                Err(e) => e.to_string(),
            }
        }
    }
}

/// Reads the pod init's host pid that the supervisor recorded.
pub use liftoff_contract::layout::init_pid;
