//! What the supervisor prepares for each app before it clones the pod's init: the app's dirs,
//! cgroup and log, its stdio (pipes to the output relay, or the -t terminal channel) and its
//! seccomp filter, gathered into the [`AppLaunch`] init consumes. Every fd is an `OwnedFd`: the
//! supervisor's copies of the app's ends close when the launches are dropped after the clone, and
//! an error half-way closes whatever was made so far.

use crate::app_root::AppDirs;
use crate::cgroups::{self as cgroup, PodCgroup};
use crate::init::AppLaunch;
use crate::logs;
use crate::manifest::{self, NotifyMode, PodApp, PodManifest};
use crate::notify::AppSocket;
use crate::relay::{Echo, Relay};
use crate::stdio::{Caller, StdinPipe};
use liftoff_stage2::seccomp::Filter;
use std::cell::RefCell;
use std::collections::HashMap;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Preparing an app's launch failed.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("-t: {0}")]
    Tty(#[from] crate::tty::TtyError),
    #[error(transparent)]
    Stdin(#[from] crate::stdio::StdioError),
    #[error("--notify=app:{app}: creating its socket: {source}")]
    Notify { app: String, source: std::io::Error },
    #[error("socket activation: fd {fd} of LISTEN_FDS={count} is not open")]
    ListenFd { fd: RawFd, count: u32 },
    #[error("app {app}: creating {}: {source}", path.display())]
    AppDir {
        app: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("app {app}: cgroup: {source}")]
    Cgroup {
        app: String,
        source: cgroup::CgroupError,
    },
    #[error("app {app}: opening its log {}: {source}", path.display())]
    Log {
        app: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("open /dev/null: {0}")]
    DevNull(std::io::Error),
    #[error("pipe: {0}")]
    Pipe(nix::Error),
}

/// The seccomp filters of a pod, one compilation per distinct (profile, capabilities).
pub type Filters = HashMap<String, Option<Filter>>;

/// The key of an app's filter in [`Filters`].
pub fn filter_key(a: &PodApp) -> String {
    let caps: Vec<String> = a.spec.capabilities.iter().map(|c| c.to_string()).collect();
    serde_json::to_string(&(&a.spec.seccomp, caps)).unwrap_or_default()
}

/// Everything prepared for the apps, and the supervisor's ends of it.
pub struct Prepared {
    pub launches: Vec<AppLaunch>,
    pub relays: Vec<Relay>,
    /// -t: where the app sends its terminal's master.
    pub tty_wait: Option<OwnedFd>,
    /// -t: the console app's log, written from the terminal.
    pub tty_log: Option<logs::LogFile>,
    pub caller: Caller,
    /// --notify=app:NAME: that app's own NOTIFY_SOCKET, relayed to ours.
    pub notify: Option<AppSocket>,
}

/// Prepares every app of `m`, in order.
pub fn prepare(
    pod_dir: &Path,
    m: &PodManifest,
    pod_cg: &PodCgroup,
    filters: &Filters,
) -> Result<Prepared, LaunchError> {
    let echo = Echo::for_pod(m.detached, m.prefix_output, m.apps.len());
    let log_max = log_max(m);
    // -t: the app opens its terminal on its own devpts and sends us the master over this socket.
    let (tty_wait, mut console_app) = match m.tty {
        true => {
            let (a, b) = crate::tty::fd_channel()?;
            (Some(a), Some(b))
        }
        false => (None, None),
    };
    // Our stdio is the caller's and may be non-blocking (see `stdio`); with -i and no -t, such a
    // stdin reaches the app through a pipe of ours.
    let (stdin_pipe, mut stdin_app) = match m.interactive && !m.tty {
        true => StdinPipe::open()?.unzip(),
        false => (None, None),
    };
    let notify = match &m.notify {
        Some(NotifyMode::App(n)) => {
            Some(
                AppSocket::bind(pod_dir).map_err(|source| LaunchError::Notify {
                    app: n.clone(),
                    source,
                })?,
            )
        }
        _ => None,
    };
    check_listen_fds(m)?;
    let mut p = Prepared {
        launches: Vec::new(),
        relays: Vec::new(),
        tty_wait,
        tty_log: None,
        caller: Caller::new(stdin_pipe),
        notify,
    };
    for a in &m.apps {
        let a = with_notify_socket(m, a, p.notify.as_ref());
        let name = &a.spec.name;
        let (dirs, cg, log) = app_resources(pod_dir, m, &a, pod_cg, log_max)?;
        let filter = filters.get(&filter_key(&a)).cloned().flatten();
        let mut launch = AppLaunch {
            app: a.clone(),
            dirs,
            stdio: [None, None, None],
            console: None,
            filter,
            cgroup: Some(cg),
            console_used: false,
        };
        if let Some(c) = console_app.take() {
            p.tty_log = Some(log);
            launch.console = Some(c);
        } else {
            // With -i the app reads our stdin (or the pipe standing in for it); else /dev/null.
            launch.stdio[0] = match m.interactive {
                true => {
                    if let Some(fd) = &stdin_app {
                        pod_owned(m, fd)?;
                    }
                    stdin_app.take()
                }
                false => Some(crate::init::dev_null().map_err(LaunchError::DevNull)?),
            };
            let (out, err, relays) = output(m, name, log, echo)?;
            launch.stdio[1] = Some(out);
            launch.stdio[2] = Some(err);
            p.relays.extend(relays);
        }
        p.launches.push(launch);
    }
    Ok(p)
}

/// The log rotation size of `m`'s apps.
pub fn log_max(m: &PodManifest) -> u64 {
    match m.log_max_bytes {
        0 => manifest::DEFAULT_LOG_MAX_BYTES,
        n => n,
    }
}

/// One app's dirs (owned by a remapped pod's root), its cgroup and its log file.
pub fn app_resources(
    pod_dir: &Path,
    m: &PodManifest,
    a: &PodApp,
    pod_cg: &PodCgroup,
    log_max: u64,
) -> Result<(AppDirs, cgroup::AppCgroup, logs::LogFile), LaunchError> {
    let name = &a.spec.name;
    let dirs = AppDirs::new(pod_dir, name);
    // A remapped pod's root owns its upper dir, which is the root directory it sees.
    let owned = |d: &AppDirs| match &m.userns {
        Some(ids) => std::os::unix::fs::chown(&d.upper, Some(ids.uid), Some(ids.gid)),
        None => Ok(()),
    };
    dirs.create()
        .and_then(|_| owned(&dirs))
        .map_err(|source| LaunchError::AppDir {
            app: name.clone(),
            path: dirs.rootfs.clone(),
            source,
        })?;
    let cg = pod_cg
        .create_app(name, &crate::supervisor::cg_limits(&a.limits))
        .map_err(|source| LaunchError::Cgroup {
            app: name.clone(),
            source,
        })?;
    let log = logs::LogFile::open(pod_dir, name, log_max).map_err(|source| LaunchError::Log {
        app: name.clone(),
        path: logs::path(pod_dir, name),
        source,
    })?;
    Ok((dirs, cg, log))
}

/// An app's stdout and stderr: the write ends it gets, and the relays that read them into its
/// log (and, for a pod in the foreground, to our output).
pub fn output(
    m: &PodManifest,
    name: &str,
    log: logs::LogFile,
    echo: Echo,
) -> Result<(OwnedFd, OwnedFd, [Relay; 2]), LaunchError> {
    let log = Rc::new(RefCell::new(Some(log)));
    let pipe = |stream| -> Result<(OwnedFd, Relay), LaunchError> {
        let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(LaunchError::Pipe)?;
        pod_owned(m, &w)?;
        Ok((w, Relay::new(name, stream, r, echo, log.clone())))
    };
    let (out, r_out) = pipe(logs::Stream::Stdout)?;
    let (err, r_err) = pipe(logs::Stream::Stderr)?;
    Ok((out, err, [r_out, r_err]))
}

/// In a remapped pod, a pipe of ours that becomes an app's stdio belongs to the pod's root:
/// programs reopen their stdio through /proc/self/fd/N (php-fpm's `error_log`, `/dev/stderr`),
/// which checks the pipe's owner, and host root is nobody to the pod.
fn pod_owned(m: &PodManifest, fd: &OwnedFd) -> Result<(), LaunchError> {
    match &m.userns {
        Some(ids) => nix::unistd::fchown(
            fd.as_raw_fd(),
            Some(nix::unistd::Uid::from_raw(ids.uid)),
            Some(nix::unistd::Gid::from_raw(ids.gid)),
        )
        .map_err(LaunchError::Pipe),
        None => Ok(()),
    }
}

/// --notify=app:NAME: the named app gets the pod's notify socket dir mounted and NOTIFY_SOCKET
/// pointing into it.
fn with_notify_socket(m: &PodManifest, a: &PodApp, sock: Option<&AppSocket>) -> PodApp {
    let mut a = a.clone();
    let (Some(NotifyMode::App(n)), Some(s)) = (&m.notify, sock) else {
        return a;
    };
    if *n == a.spec.name {
        a.mounts.push(manifest::AppMount {
            target: crate::notify::APP_SOCKET_DIR.into(),
            source: manifest::MountSource::Host {
                path: s.dir.clone(),
            },
            read_only: false,
            idmap: false,
        });
        a.spec.env.retain(|v| !v.starts_with("NOTIFY_SOCKET="));
        a.spec
            .env
            .push(format!("NOTIFY_SOCKET={}", crate::notify::APP_SOCKET));
    }
    a
}

/// Socket activation: the inherited fds must be open; they become close-on-exec here so that only
/// the chosen app (init clears the flag in its child) and no plugin or other app gets them.
fn check_listen_fds(m: &PodManifest) -> Result<(), LaunchError> {
    let Some(sa) = &m.sockets else {
        return Ok(());
    };
    for fd in 3..3 + sa.count as RawFd {
        // SAFETY: fcntl on an fd number; a closed fd only yields EBADF.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        if flags < 0 {
            return Err(LaunchError::ListenFd {
                fd,
                count: sa.count,
            });
        }
        // SAFETY: as above.
        unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) };
    }
    Ok(())
}
