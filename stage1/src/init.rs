//! The pod's init: PID 1 of the pod's pid namespace.
//!
//! It makes the pod's mount namespace private, sets the hostname, brings up loopback, then starts each
//! app: fork, join the app's cgroup, unshare a mount and cgroup namespace, build the app root
//! ([`crate::app_root`]), pivot_root, and hand over to stage2. A close-on-exec pipe tells init whether
//! the app reached `execve`; if not, the child's message names the app and the pod fails with 254.
//! Afterwards init reaps every process of the pod (orphans included), records each app's exit, forwards
//! signals to the apps, and ends the pod when all apps have exited or one has failed (the others get
//! SIGTERM, then SIGKILL after the stop timeout), or when the `exit_code_from` app has ended, whatever
//! its status (its code is then the pod's). Its own exit code is the pod's.

use crate::app_root::AppDirs;
use crate::app_setup::{self, RealApp, UsernsSync};
use crate::init_channel::{self, FromInit, Reply, ToInit};
use crate::manifest::{NetMode, PodApp, PodManifest, ReadyCheck, ReadyProbe};
use crate::probe;
use crate::schedule::{Command, Event, ProbeOutcome, RunNo, Schedule};
use crate::status::{self, AppExit};
use liftoff_contract::control::RefusalKind;
use nix::errno::Errno;
use nix::sys::signal::{kill, sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Signals the supervisor forwards to init and init forwards to every app.
pub const FORWARDED: &[Signal] = &[
    Signal::SIGTERM,
    Signal::SIGINT,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGWINCH,
];

/// Why the pod's init failed (its own steps; an app's failure to start is an [`StartError`]).
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("pod init: waiting for the supervisor: {0}")]
    WaitGo(std::io::Error),
    #[error("pod init: the supervisor went away before the pod started")]
    SupervisorGone,
    #[error("pod init: make the pod's mounts private: {0}")]
    Private(Errno),
    #[error("pod init: set hostname \"{name}\": {source}")]
    Hostname { name: String, source: Errno },
    #[error("pod init: mount the pod's /proc: {0}")]
    Proc(Errno),
    #[error("pod init: bring up loopback: {0}")]
    Loopback(std::io::Error),
    #[error("pod init: {key}: {source}")]
    Sysctl {
        key: &'static str,
        source: std::io::Error,
    },
    #[error("pod init: sigaction: {0}")]
    Sigaction(Errno),
    #[error("pod init: block signals: {0}")]
    Block(Errno),
    #[error("pod init: signalfd: {0}")]
    SignalFd(Errno),
    #[error("pod init: waitpid: {0}")]
    Wait(Errno),
    #[error("pod init: poll: {0}")]
    Poll(Errno),
    #[error("pod init: {0}")]
    Userns(#[from] crate::userns::UsernsError),
}

/// Why one app did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("app {app}: pipe: {source}")]
    Pipe { app: String, source: Errno },
    #[error("app {app}: fork: {source}")]
    Fork { app: String, source: Errno },
    #[error("app {app}: writing {file}: {source}")]
    Map {
        app: String,
        file: &'static str,
        source: std::io::Error,
    },
    /// The app's child said why (an [`app_setup::AppError`] with the app's name, as text: it
    /// crossed a pipe).
    #[error("{0}")]
    Child(String),
    /// An app it waits for can no longer be what it waits for (the message names both).
    #[error("{0}")]
    Blocked(String),
}

/// Everything init needs for one app, prepared by the supervisor before the clone.
pub struct AppLaunch {
    pub app: PodApp,
    pub dirs: AppDirs,
    /// fds to become the app's 0, 1 and 2; None keeps init's own (fd 0 with `-i`). Unused with
    /// `console`.
    pub stdio: [Option<OwnedFd>; 3],
    /// -t: a socket to send the master of a pty opened on the app's own devpts over; the slave
    /// becomes the app's stdio and controlling terminal.
    pub console: Option<OwnedFd>,
    pub filter: Option<liftoff_stage2::seccomp::Filter>,
    pub cgroup: Option<crate::cgroups::AppCgroup>,
    /// The -t terminal was handed to a run already: a later run would have none.
    pub console_used: bool,
}

impl AppLaunch {
    /// What one run of the app gets: copies of the fds (this launch keeps its own for the next
    /// run), and the -t channel, which only the first run can have.
    pub fn for_run(&mut self) -> Result<AppLaunch, StartError> {
        let name = &self.app.spec.name;
        if self.console_used {
            return Err(StartError::Child(format!(
                "app {name}: it ran with -t, and its terminal went with that run; run a new pod"
            )));
        }
        let dup = |f: &Option<OwnedFd>| -> Result<Option<OwnedFd>, StartError> {
            f.as_ref()
                .map(|f| f.try_clone())
                .transpose()
                .map_err(|e| StartError::Child(format!("app {name}: its stdio: {e}")))
        };
        let stdio = [
            dup(&self.stdio[0])?,
            dup(&self.stdio[1])?,
            dup(&self.stdio[2])?,
        ];
        let console = self.console.take();
        self.console_used = console.is_some();
        Ok(AppLaunch {
            app: self.app.clone(),
            dirs: self.dirs.clone(),
            stdio,
            console,
            filter: self.filter.clone(),
            cgroup: self.cgroup.clone(),
            console_used: false,
        })
    }
}

pub struct InitArgs {
    pub manifest: PodManifest,
    pub pod_dir: PathBuf,
    pub apps: Vec<AppLaunch>,
    /// Read end of the supervisor's "go" pipe: one byte once init is in the pod cgroup.
    pub go: OwnedFd,
    /// Write end of the "started" pipe: one byte once every app has reached execve.
    pub started: OwnedFd,
    /// fds of the supervisor that init and the apps must not keep (the pod lock above all: the pod
    /// counts as running exactly as long as the supervisor lives). By number: init is a copy of
    /// the supervisor and never returns to the frames that own them.
    pub close: Vec<RawFd>,
    /// A remapped pod's namespaces (made by the supervisor): init joins the network, IPC and UTS
    /// ones first and keeps the user namespace for its apps.
    pub pod_ns: Option<crate::userns::PodNamespaces>,
    /// Init's end of the channel the supervisor's control requests come on.
    pub ctl: OwnedFd,
}

extern "C" fn noop_handler(_: libc::c_int) {}

pub(crate) fn handled_signals() -> SigSet {
    let mut set = SigSet::empty();
    for s in FORWARDED {
        set.add(*s);
    }
    set.add(Signal::SIGCHLD);
    set
}

/// Runs the pod init; never returns.
pub fn run(args: InitArgs) -> ! {
    let code = match run_inner(args) {
        Ok(code) => code,
        Err(e) => {
            liftoff_stage2::error!("{e}");
            254
        }
    };
    // SAFETY: leaving the process without running destructors of inherited state.
    unsafe { libc::_exit(code) }
}

fn run_inner(args: InitArgs) -> Result<i32, InitError> {
    // Die with the supervisor: a SIGKILLed supervisor must not leave a pod running unsupervised.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    hide_command_line();
    for fd in &args.close {
        let _ = nix::unistd::close(*fd);
    }
    let userns = match args.pod_ns {
        Some(ns) => {
            crate::userns::join_shared(&ns)?;
            Some(ns.user)
        }
        None => None,
    };
    let mut sys = RealInit {
        userns,
        m: &args.manifest,
        pod_dir: &args.pod_dir,
        go: Some(args.go),
        started: Some(args.started),
        signals: None,
        probe_targets: HashMap::new(),
        probes: HashMap::new(),
        ctl: Some(args.ctl),
        filters: args
            .apps
            .iter()
            .map(|l| (crate::launch::filter_key(&l.app), l.filter.clone()))
            .collect(),
    };
    run_pod(&mut sys, &args.manifest, args.apps)
}

/// Init's pod-level steps, in the order [`run_pod`] takes them, and the app-level calls the
/// [`Schedule`] makes. The real implementation ([`RealInit`]) calls the kernel; the unit tests
/// use a recording fake.
pub trait InitSys {
    /// Waits for the supervisor's byte: init is in the pod's cgroup and its networks are attached.
    fn wait_for_go(&mut self) -> Result<(), InitError>;
    fn make_mounts_private(&mut self) -> Result<(), InitError>;
    fn set_hostname(&mut self, name: &str) -> Result<(), InitError>;
    /// The pod's own /proc over the host's.
    fn mount_proc(&mut self) -> Result<(), InitError>;
    /// Loopback up and the pod's network sysctls (not with --net=host).
    fn network(&mut self) -> Result<(), InitError>;
    /// The signals init forwards arrive on a signalfd from here on.
    fn signals(&mut self) -> Result<(), InitError>;
    /// Keeps what an app's exec probe needs (its spec, filter and cgroup) before the launch goes.
    fn keep_probe_target(&mut self, launch: &AppLaunch);
    /// Forks one app; returns its pid once it has reached execve.
    fn start_app(&mut self, launch: AppLaunch) -> Result<Pid, StartError>;
    /// Records that run `run` of the app reached execve as `pid`.
    fn app_started(&mut self, app: &str, run: RunNo, pid: Pid);
    /// Records and shows why an app did not start.
    fn app_failed(&mut self, app: &str, e: &StartError, run: RunNo);
    /// Records an app's exit (with why liftoff failed it, if it did).
    fn app_exited(
        &mut self,
        app: &str,
        code: i32,
        signal: Option<i32>,
        error: Option<&str>,
        run: RunNo,
    );
    /// Answers the supervisor's request `id`.
    fn reply(&mut self, id: u64, reply: Reply);
    /// Kills what an app's run left in its cgroup (after a stop on request, before a restart).
    fn clear_app(&mut self, launch: &AppLaunch);
    /// The app is ready (started, or its probe passed).
    fn app_ready(&mut self, app: &str);
    /// Starts one run of an app's probe (killed by the schedule at its timeout); returns its pid.
    fn start_probe(
        &mut self,
        app: &str,
        probe: &ReadyProbe,
        app_pid: Pid,
    ) -> Result<Pid, crate::probe::ProbeError>;
    /// How a probe run that exited with `code` went (and forgets it).
    fn probe_outcome(&mut self, app: &str, probe: Pid, code: i32) -> ProbeOutcome;
    fn kill(&mut self, pids: &[Pid], sig: Signal);
    /// Tells the supervisor the pod is ready: every app started and every probe passed.
    fn report_started(&mut self);
    fn now(&self) -> Instant;
    /// Waits until a child exits, a signal arrives or `deadline` passes.
    fn wait(&mut self, deadline: Option<Instant>) -> Result<Vec<Event>, InitError>;
}

/// The pod's init from the supervisor's go to the last app's exit; returns the pod's code.
pub fn run_pod<S: InitSys>(
    s: &mut S,
    m: &PodManifest,
    launches: Vec<AppLaunch>,
) -> Result<i32, InitError> {
    s.wait_for_go()?;
    s.make_mounts_private()?;
    s.set_hostname(&m.hostname)?;
    s.mount_proc()?;
    if m.net != NetMode::Host {
        s.network()?;
    }
    s.signals()?;
    for l in &launches {
        if matches!(&l.app.ready, Some(p) if matches!(p.check, ReadyCheck::Exec { .. })) {
            s.keep_probe_target(l);
        }
    }
    let mut pod = Schedule::new(m, launches);
    pod.run(s)?;
    // (An app that failed to start still makes the pod's code 254: the supervisor sees its error.)
    Ok(pod.code())
}

/// Init's steps on the real system.
pub struct RealInit<'a> {
    /// A remapped pod's user namespace, which each app joins.
    userns: Option<OwnedFd>,
    m: &'a PodManifest,
    pod_dir: &'a std::path::Path,
    go: Option<OwnedFd>,
    started: Option<OwnedFd>,
    signals: Option<(SigSet, SignalFd)>,
    probe_targets: HashMap<String, probe::Target>,
    probes: HashMap<Pid, probe::Running>,
    /// The supervisor's requests; None once it has closed its end.
    ctl: Option<OwnedFd>,
    /// The seccomp filters compiled so far, by profile and capabilities (`launch::filter_key`):
    /// an added app with the same profile as an earlier one reuses its filter.
    filters: crate::launch::Filters,
}

impl RealInit<'_> {
    /// The supervisor's requests waiting on the channel, as schedule commands (an `add` that
    /// cannot be prepared is answered here).
    fn commands(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        while let Some(ctl) = &self.ctl {
            match init_channel::recv::<ToInit>(ctl.as_fd()) {
                Ok(None) => break,
                Ok(Some((msg, fds))) => out.extend(self.command(msg, fds).map(Event::Command)),
                // The supervisor is gone (PR_SET_PDEATHSIG ends us) or spoke nonsense.
                Err(e) => {
                    liftoff_stage2::warning!("pod init: {e}");
                    self.ctl = None;
                }
            }
        }
        out
    }

    fn command(&mut self, msg: ToInit, fds: Vec<OwnedFd>) -> Option<Command> {
        let ms = Duration::from_millis;
        Some(match msg {
            ToInit::Add {
                id,
                app,
                generation,
                cgroup,
            } => match self.added_launch(&app, generation, cgroup, fds) {
                Ok(l) => Command::Add {
                    id,
                    launch: Box::new(l),
                },
                Err(e) => {
                    self.reply(id, Reply::refused(RefusalKind::Failed, e.to_string()));
                    return None;
                }
            },
            ToInit::Start { id, app } => Command::Start { id, app },
            ToInit::Stop {
                id,
                app,
                timeout_ms,
            } => Command::Stop {
                id,
                app,
                timeout: ms(timeout_ms),
            },
            ToInit::Restart {
                id,
                app,
                timeout_ms,
            } => Command::Restart {
                id,
                app,
                timeout: ms(timeout_ms),
            },
            ToInit::Remove { id, app } => Command::Remove { id, app },
        })
    }

    /// The launch of an app the supervisor has just added to `pod.json`: the app as recorded
    /// there, the stdio that came with the request, its cgroup and its seccomp filter.
    fn added_launch(
        &mut self,
        app: &str,
        generation: u64,
        cgroup: Vec<PathBuf>,
        fds: Vec<OwnedFd>,
    ) -> Result<AppLaunch, StartError> {
        let fail = |reason: String| StartError::Child(format!("app {app}: {reason}"));
        let path = self.pod_dir.join(crate::manifest::POD_MANIFEST_FILE);
        let bytes = std::fs::read(&path).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let m = PodManifest::from_slice(&bytes)
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let a = m
            .apps
            .into_iter()
            .find(|a| a.spec.name == app && a.generation == generation)
            .ok_or_else(|| fail(format!("generation {generation} is not in pod.json")))?;
        let [stdin, stdout, stderr]: [OwnedFd; 3] = fds
            .try_into()
            .map_err(|_| fail("its stdio did not arrive".into()))?;
        let key = crate::launch::filter_key(&a);
        let filter = match self.filters.get(&key) {
            Some(f) => f.clone(),
            None => {
                let f = liftoff_stage2::seccomp::compile(&a.spec.seccomp, &a.spec.capabilities)
                    .map_err(|e| fail(format!("seccomp profile: {e}")))?;
                self.filters.insert(key, f.clone());
                f
            }
        };
        Ok(AppLaunch {
            dirs: AppDirs::new(self.pod_dir, app),
            app: a,
            stdio: [Some(stdin), Some(stdout), Some(stderr)],
            console: None,
            filter,
            cgroup: Some(crate::cgroups::AppCgroup::from_dirs(cgroup)),
            console_used: false,
        })
    }
}

impl InitSys for RealInit<'_> {
    fn wait_for_go(&mut self) -> Result<(), InitError> {
        let Some(go) = self.go.take() else {
            return Err(InitError::SupervisorGone);
        };
        let mut b = [0u8; 1];
        if std::fs::File::from(go)
            .read(&mut b)
            .map_err(InitError::WaitGo)?
            != 1
        {
            return Err(InitError::SupervisorGone);
        }
        Ok(())
    }

    fn make_mounts_private(&mut self) -> Result<(), InitError> {
        nix::mount::mount(
            None::<&str>,
            "/",
            None::<&str>,
            nix::mount::MsFlags::MS_REC | nix::mount::MsFlags::MS_PRIVATE,
            None::<&str>,
        )
        .map_err(InitError::Private)
    }

    fn set_hostname(&mut self, name: &str) -> Result<(), InitError> {
        nix::unistd::sethostname(name).map_err(|source| InitError::Hostname {
            name: name.to_string(),
            source,
        })
    }

    fn mount_proc(&mut self) -> Result<(), InitError> {
        // Init addresses its apps by their pod pids (for their user namespace maps), and writes
        // the pod's network sysctls, through it.
        nix::mount::mount(
            Some("proc"),
            "/proc",
            Some("proc"),
            nix::mount::MsFlags::MS_NOSUID
                | nix::mount::MsFlags::MS_NODEV
                | nix::mount::MsFlags::MS_NOEXEC,
            None::<&str>,
        )
        .map_err(InitError::Proc)
    }

    fn network(&mut self) -> Result<(), InitError> {
        crate::net::loopback_up().map_err(InitError::Loopback)?;
        // Apps of host-id pods run in user namespaces of their own (see `AppUsers::Own`), so
        // capabilities do not reach the pod's network namespace: let every app bind low ports
        // and ping, as the default NET_BIND_SERVICE and NET_RAW capabilities would have (and
        // let non-root users of remapped pods do the same, as Docker does). The namespace is the
        // pod's alone.
        for (key, v) in [
            ("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0"),
            // Host gids (written from the host's user namespace): every id a pool can hold.
            ("/proc/sys/net/ipv4/ping_group_range", "0 4294967294"),
        ] {
            std::fs::write(key, v).map_err(|source| InitError::Sysctl { key, source })?;
        }
        Ok(())
    }

    fn signals(&mut self) -> Result<(), InitError> {
        self.signals = Some(signals()?);
        Ok(())
    }

    fn keep_probe_target(&mut self, l: &AppLaunch) {
        let t = probe::Target {
            spec: l.app.spec.clone(),
            filter: l.filter.clone(),
            cgroup: l.cgroup.clone(),
            remapped: self.m.userns.is_some(),
        };
        self.probe_targets.insert(l.app.spec.name.clone(), t);
    }

    fn start_app(&mut self, launch: AppLaunch) -> Result<Pid, StartError> {
        let (set, _) = self.signals.as_ref().expect("signals come first");
        let userns = self.userns.as_ref().map(|fd| fd.as_raw_fd());
        start_app(self.m, self.pod_dir, launch, set, userns)
    }

    fn app_started(&mut self, app: &str, run: RunNo, pid: Pid) {
        let _ = std::fs::remove_file(liftoff_contract::layout::app_ready(self.pod_dir, app));
        let _ = status::write_json(
            &liftoff_contract::layout::app_run(self.pod_dir, app),
            &liftoff_contract::records::AppRun {
                app: app.to_string(),
                run: run.run,
                restarts: run.restarts,
                pid: pid.as_raw(),
                started_at: status::now(),
            },
        );
    }

    fn app_failed(&mut self, app: &str, e: &StartError, run: RunNo) {
        let msg = e.to_string();
        self.app_exited(app, 254, None, Some(&msg), run);
        liftoff_stage2::error!("{msg}");
    }

    fn app_exited(
        &mut self,
        app: &str,
        code: i32,
        signal: Option<i32>,
        error: Option<&str>,
        run: RunNo,
    ) {
        let _ = status::write_json(
            &status::app_exit_path(self.pod_dir, app),
            &AppExit {
                app: app.to_string(),
                exit_code: code,
                signal,
                error: error.map(str::to_string),
                oom_killed: false,
                finished_at: status::now(),
                run: run.run,
                restarts: run.restarts,
            },
        );
    }

    fn clear_app(&mut self, launch: &AppLaunch) {
        if let Some(cg) = &launch.cgroup {
            cg.kill_all();
        }
    }

    fn reply(&mut self, id: u64, reply: Reply) {
        if let Some(ctl) = &self.ctl {
            let _ = init_channel::send(ctl.as_fd(), &FromInit { id, reply }, &[]);
        }
    }

    fn app_ready(&mut self, app: &str) {
        let path = liftoff_contract::layout::app_ready(self.pod_dir, app);
        let _ = std::fs::write(path, format!("{}\n", status::now()));
    }

    fn start_probe(
        &mut self,
        app: &str,
        p: &ReadyProbe,
        app_pid: Pid,
    ) -> Result<Pid, crate::probe::ProbeError> {
        let timeout = Duration::from_millis(p.timeout_ms);
        let run = probe::spawn(&p.check, self.probe_targets.get(app), app_pid, timeout)?;
        let pid = run.pid;
        self.probes.insert(pid, run);
        Ok(pid)
    }

    fn probe_outcome(&mut self, _app: &str, probe: Pid, code: i32) -> ProbeOutcome {
        let msg = self
            .probes
            .remove(&probe)
            .map(probe::Running::message)
            .unwrap_or_default();
        match (code, msg.is_empty()) {
            (0, _) => ProbeOutcome::Passed,
            (c, true) => ProbeOutcome::Failed(format!("exit status {c}")),
            (_, false) => ProbeOutcome::Failed(msg),
        }
    }

    fn kill(&mut self, pids: &[Pid], sig: Signal) {
        for pid in pids {
            let _ = kill(*pid, sig);
        }
    }

    fn report_started(&mut self) {
        if let Some(f) = self.started.take() {
            let _ = std::fs::File::from(f).write_all(b"s");
        }
    }

    fn now(&self) -> Instant {
        Instant::now()
    }

    fn wait(&mut self, deadline: Option<Instant>) -> Result<Vec<Event>, InitError> {
        let (_, sfd) = self.signals.as_ref().expect("signals come first");
        let mut events = reap()?;
        if events.is_empty() {
            let ms = match deadline {
                None => -1,
                Some(t) => {
                    let left = t.saturating_duration_since(Instant::now());
                    // Rounded up: waking before the deadline would only spin.
                    (left.as_micros().div_ceil(1000)).min(i32::MAX as u128) as i32
                }
            };
            let mut pfd = [
                sfd.as_raw_fd(),
                self.ctl.as_ref().map_or(-1, |c| c.as_raw_fd()),
            ]
            .map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            });
            // SAFETY: poll on two valid (or -1) fds.
            if unsafe { libc::poll(pfd.as_mut_ptr(), 2, ms) } < 0 && Errno::last() != Errno::EINTR {
                return Err(InitError::Poll(Errno::last()));
            }
            events = reap()?;
        }
        while let Ok(Some(info)) = sfd.read_signal() {
            match Signal::try_from(info.ssi_signo as i32) {
                Ok(Signal::SIGCHLD) | Err(_) => {}
                Ok(sig) => events.push(Event::Signal(sig)),
            }
        }
        events.extend(self.commands());
        Ok(events)
    }
}

/// Reaps every child that has ended: apps, probes and orphans alike.
fn reap() -> Result<Vec<Event>, InitError> {
    let mut events = Vec::new();
    loop {
        let ws = match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD) => return Ok(events),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(InitError::Wait(e)),
            Ok(ws) => ws,
        };
        let Some(pid) = ws.pid() else {
            return Ok(events);
        };
        if let Some((code, signal)) = status::code_of(ws) {
            events.push(Event::Exited { pid, code, signal });
        }
    }
}

/// Signals arrive through a signalfd; the handler exists because a pid-namespace init only
/// receives signals it has a handler for.
fn signals() -> Result<(SigSet, SignalFd), InitError> {
    let set = handled_signals();
    for s in set.iter() {
        let sa = SigAction::new(
            SigHandler::Handler(noop_handler),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        // SAFETY: installing a handler that does nothing.
        unsafe { sigaction(s, &sa) }.map_err(InitError::Sigaction)?;
    }
    set.thread_block().map_err(InitError::Block)?;
    let sfd = SignalFd::with_flags(&set, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
        .map_err(InitError::SignalFd)?;
    Ok((set, sfd))
}

/// Rewrites pid 1's command line in place: the supervisor's, which init inherits as a clone, names
/// the pod dir on the host, which is none of the apps' business. The argument area (from
/// /proc/self/stat's arg_start/arg_end) is overwritten with "liftoff-init" and NULs; it can only
/// shrink, which is all this needs. (PR_SET_MM would need CAP_SYS_RESOURCE, which some hosts drop.)
fn hide_command_line() {
    const NAME: &[u8] = b"liftoff-init";
    // SAFETY: prctl with a NUL-terminated static string.
    unsafe {
        libc::prctl(
            libc::PR_SET_NAME,
            c"liftoff-init".as_ptr() as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return;
    };
    // Fields after the command name, which may hold spaces and ends at the last ')'; arg_start and
    // arg_end are fields 48 and 49, i.e. 46 and 47 after it.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let (Some(start), Some(end)) = (
        f.get(45).and_then(|v| v.parse::<usize>().ok()),
        f.get(46).and_then(|v| v.parse::<usize>().ok()),
    ) else {
        return;
    };
    if end <= start || end - start > 1 << 20 {
        return;
    }
    // SAFETY: [start, end) is this process's own argument area on its initial stack, mapped and
    // writable for its whole life; nothing in init reads the arguments after this point.
    unsafe {
        let area = std::slice::from_raw_parts_mut(start as *mut u8, end - start);
        area.fill(0);
        let n = NAME.len().min(area.len().saturating_sub(1));
        area[..n].copy_from_slice(&NAME[..n]);
    }
}

/// Forks one app; returns its pid once it has reached execve, or the reason it did not.
fn start_app(
    m: &PodManifest,
    pod_dir: &std::path::Path,
    launch: AppLaunch,
    blocked: &SigSet,
    userns: Option<RawFd>,
) -> Result<Pid, StartError> {
    let name = launch.app.spec.name.clone();
    let pipe = || {
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|source| StartError::Pipe {
            app: name.clone(),
            source,
        })
    };
    let (rd, wr) = pipe()?;
    // The user-namespace handshake: the child says "unshared", init writes its maps, says "mapped".
    let (c2p_r, c2p_w) = pipe()?;
    let (p2c_r, p2c_w) = pipe()?;
    // SAFETY: init is single-threaded; the child only runs the app setup and then execs or _exits.
    let forked = unsafe { fork() }.map_err(|source| StartError::Fork {
        app: name.clone(),
        source,
    })?;
    match forked {
        ForkResult::Child => {
            drop((rd, c2p_r, p2c_w));
            let sync = UsernsSync {
                tell: std::fs::File::from(c2p_w),
                wait: std::fs::File::from(p2c_r),
            };
            let mut sys = RealApp {
                sync: Some(sync),
                userns: m.userns.zip(userns),
            };
            let err = app_setup::app_child(&mut sys, m, pod_dir, launch, blocked);
            let _ = std::fs::File::from(wr).write_all(err.as_bytes());
            // SAFETY: leaving the failed child.
            unsafe { libc::_exit(254) }
        }
        ForkResult::Parent { child } => {
            drop((wr, c2p_w, p2c_r));
            let mut b = [0u8; 1];
            let mut tell = std::fs::File::from(c2p_r);
            if app_users(m) == AppUsers::Own && tell.read(&mut b).unwrap_or(0) == 1 {
                if let Err(e) = map_identity(child, &name) {
                    let _ = kill(child, Signal::SIGKILL);
                    let _ = waitpid(child, None);
                    return Err(e);
                }
                let _ = std::fs::File::from(p2c_w).write_all(b"m");
            } else {
                drop(p2c_w);
            }
            drop(tell);
            let mut msg = String::new();
            let _ = std::fs::File::from(rd)
                .take(64 * 1024)
                .read_to_string(&mut msg);
            // Our copies of the app's stdio close now.
            drop(launch);
            if msg.is_empty() {
                Ok(child)
            } else {
                let _ = waitpid(child, None);
                Err(StartError::Child(msg))
            }
        }
    }
}

/// Identity maps over the whole range: the app keeps its uids (files in the image keep their
/// owners) but its capabilities only count inside its own namespace. Both maps are tried; the last
/// failure is reported.
fn map_identity(child: Pid, name: &str) -> Result<(), StartError> {
    let mut mapped = Ok(());
    for file in ["uid_map", "gid_map"] {
        let p = format!("/proc/{child}/{file}");
        if let Err(source) = std::fs::write(&p, "0 0 4294967295\n") {
            mapped = Err(StartError::Map {
                app: name.to_string(),
                file,
                source,
            });
        }
    }
    mapped
}

/// Which user namespace an app runs in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AppUsers {
    /// A remapped pod's: shared by its apps and owner of its network namespace, so their network
    /// capabilities count there; each app is kept from the others by a Landlock domain of its own.
    Pod,
    /// One of its own with the host's ids (`--userns=host` with the pod's own network): two apps
    /// then cannot reach each other's files through /proc/PID/root (ptrace access across sibling
    /// user namespaces needs CAP_SYS_PTRACE in the target's namespace).
    Own,
    /// The host's (`--userns=host --net=host`): the host's network namespace would not honour
    /// NET_BIND_SERVICE from any other.
    Host,
}

pub fn app_users(m: &PodManifest) -> AppUsers {
    match (m.userns.is_some(), m.net) {
        (true, _) => AppUsers::Pod,
        (false, NetMode::Host) => AppUsers::Host,
        (false, _) => AppUsers::Own,
    }
}

/// Marks every fd from `first` up close-on-exec (close_range(2), with a /proc/self/fd walk where the
/// kernel lacks CLOSE_RANGE_CLOEXEC).
pub fn cloexec_from(first: RawFd) {
    // SAFETY: close_range only changes fd flags.
    let r = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first as libc::c_uint,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if r == 0 {
        return;
    }
    let fds: Vec<RawFd> = std::fs::read_dir("/proc/self/fd")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd >= first)
        .collect();
    for fd in fds {
        // SAFETY: fcntl on fd numbers of this process; a closed one only yields EBADF.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
}

/// Opens /dev/null for an app's stdin.
pub fn dev_null() -> std::io::Result<OwnedFd> {
    let f = std::fs::OpenOptions::new().read(true).open("/dev/null")?;
    Ok(OwnedFd::from(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{launches, manifest, World};

    fn three_apps(net: NetMode) -> PodManifest {
        let mut m = manifest(net);
        for n in ["db", "cache"] {
            let mut a = m.apps[0].clone();
            a.spec.name = n.into();
            m.apps.push(a);
        }
        m
    }

    #[test]
    fn init_sets_up_the_pod_then_starts_every_app_then_reports() {
        let m = three_apps(NetMode::None);
        let mut w = World::default();
        w.exits
            .extend([("web", (5, 0)), ("db", (6, 0)), ("cache", (7, 0))]);
        assert_eq!(run_pod(&mut w, &m, launches(&m)).unwrap(), 0);
        assert_eq!(
            w.calls,
            [
                "wait_for_go",
                "make_mounts_private",
                "set_hostname web",
                "mount_proc",
                "network",
                "signals",
                "start web",
                "ready web",
                "start db",
                "ready db",
                "start cache",
                "ready cache",
                "report",
                "exit web 0",
                "exit db 0",
                "exit cache 0",
            ]
        );
    }

    #[test]
    fn an_app_that_does_not_start_stops_the_pod() {
        let m = three_apps(NetMode::Host);
        let mut w = World::default();
        w.fail_start.insert("db");
        assert_eq!(run_pod(&mut w, &m, launches(&m)).unwrap(), 254);
        assert_eq!(
            w.calls,
            [
                "wait_for_go",
                "make_mounts_private",
                "set_hostname web",
                "mount_proc",
                "signals",
                "start web",
                "ready web",
                "start db",
                "failed db: app db: no",
                "kill SIGKILL web",
                "exit web 137",
            ]
        );
    }
}
