//! The supervisor's steps on the real system: [`RealPod`] implements [`PodSys`] with the kernel
//! calls, files and child processes each step needs. The order of the steps is not decided here
//! but in [`crate::supervisor::lifecycle`].

use crate::cgroups::{self as cgroup, PodCgroup};
use crate::event_loop::EventLoop;
use crate::init::{self, InitArgs, FORWARDED};
use crate::launch::{self, Filters, Prepared};
use crate::manifest::{NetMode, NotifyMode, PodManifest};
use crate::status::{self, PodExit};
use crate::supervisor::{cg_limits, Fork, HandedFds, PodSys, SupervisorError, CGROUPS_FILE};
use nix::sys::signal::{kill, SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;

/// The supervisor's state between its steps.
pub struct RealPod<'a> {
    pod_dir: &'a Path,
    m: &'a PodManifest,
    /// The pod lock and --ready-fd, owned by [`crate::supervisor::run`] so that they stay open
    /// until it has written the exit record of a pod that failed to start.
    fds: &'a mut HandedFds,
    filters: Filters,
    cg: Option<PodCgroup>,
    prepared: Option<Prepared>,
    signals: Option<SignalFd>,
    /// Our end of the "go" pipe: one byte lets init start the apps.
    go: Option<OwnedFd>,
    /// Our end of the "started" pipe: init writes one byte once every app has reached execve.
    started: Option<OwnedFd>,
    /// Init's ends of those two pipes, until the clone hands them over.
    init_ends: Option<(OwnedFd, OwnedFd)>,
    ports: Vec<crate::ports::Held>,
    /// Relays of `-p [::1]:…` ports, while the apps run.
    proxies: Option<crate::loopback_proxy::LoopbackProxies>,
    init: Option<Pid>,
    term: Option<crate::tty::RawTerminal>,
    net: Option<crate::cni::PodNetState>,
    /// A remapped pod's namespaces, from just before init's clone until its networks are attached.
    pod_ns: Option<crate::userns::PodNamespaces>,
    /// Our end of the channel to init (for the control socket), until the event loop takes it;
    /// init's end until the clone.
    ctl: Option<OwnedFd>,
    ctl_init: Option<OwnedFd>,
    /// The manifest as the control socket left it, once the pod has ended.
    current: Option<PodManifest>,
}

impl<'a> RealPod<'a> {
    fn stop_proxies(&mut self) {
        if let Some(p) = self.proxies.take() {
            p.stop();
        }
    }

    pub fn new(pod_dir: &'a Path, m: &'a PodManifest, fds: &'a mut HandedFds) -> RealPod<'a> {
        RealPod {
            pod_dir,
            m,
            fds,
            filters: Filters::new(),
            cg: None,
            prepared: None,
            signals: None,
            go: None,
            started: None,
            init_ends: None,
            ports: Vec::new(),
            proxies: None,
            init: None,
            term: None,
            net: None,
            pod_ns: None,
            ctl: None,
            ctl_init: None,
            current: None,
        }
    }

    /// The manifest as it is now (apps may have come and gone through the control socket).
    fn manifest(&self) -> &PodManifest {
        self.current.as_ref().unwrap_or(self.m)
    }

    /// The fds of ours that init must close (by number: it is a copy of this process and never
    /// returns to the frames that own them), the pod lock above all.
    fn init_closes(&self) -> Vec<RawFd> {
        let mut close: Vec<RawFd> = Vec::new();
        if let Some(p) = &self.prepared {
            close.extend(p.relays.iter().map(|r| r.fd.as_raw_fd()));
            close.extend(p.notify.as_ref().map(|s| s.sock.as_raw_fd()));
            close.extend(p.tty_wait.as_ref().map(|t| t.as_raw_fd()));
            close.extend(p.caller.stdin.as_ref().and_then(|s| s.raw_fd()));
        }
        close.extend(self.fds.lock.as_ref().map(|f| f.as_raw_fd()));
        close.extend(self.fds.ready.as_ref().map(|f| f.as_raw_fd()));
        close.extend(self.started.as_ref().map(|f| f.as_raw_fd()));
        close.extend(self.go.as_ref().map(|f| f.as_raw_fd()));
        close.extend(self.ctl.as_ref().map(|f| f.as_raw_fd()));
        close.extend(self.signals.as_ref().map(|s| s.as_raw_fd()));
        close.extend(self.ports.iter().map(|h| h.fd.as_raw_fd()));
        close
    }
}

/// A close-on-exec pipe as (read, write).
fn pipe() -> Result<(OwnedFd, OwnedFd), SupervisorError> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(SupervisorError::Pipe)
}

impl PodSys for RealPod<'_> {
    fn prepare_pod(&mut self) -> Result<(), SupervisorError> {
        crate::pod_etc::write(self.pod_dir, self.m)?;
        crate::volumes::create(self.pod_dir, self.m)?;
        for a in &self.m.apps {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                self.filters.entry(launch::filter_key(a))
            {
                let f = liftoff_stage2::seccomp::compile(&a.spec.seccomp, &a.spec.capabilities)
                    .map_err(|source| SupervisorError::Seccomp {
                        app: a.spec.name.clone(),
                        source,
                    })?;
                slot.insert(f);
            }
        }
        Ok(())
    }

    fn create_cgroups(&mut self) -> Result<(), SupervisorError> {
        let m = self.m;
        let err = |source| SupervisorError::Cgroups {
            pod: m.pod_id.clone(),
            source,
        };
        let layout = cgroup::detect().map_err(err)?;
        let cg = PodCgroup::create(&layout, &m.pod_id, &cg_limits(&m.limits)).map_err(err)?;
        let recorded: Vec<String> = cg.dirs().iter().map(|d| d.display().to_string()).collect();
        let _ = status::write_json(&self.pod_dir.join(CGROUPS_FILE), &recorded);
        self.cg = Some(cg);
        Ok(())
    }

    fn prepare_apps(&mut self) -> Result<(), SupervisorError> {
        let cg = self.cg.as_ref().expect("cgroups come first");
        self.prepared = Some(launch::prepare(self.pod_dir, self.m, cg, &self.filters)?);
        let mut set = SigSet::empty();
        for s in FORWARDED {
            set.add(*s);
        }
        set.add(Signal::SIGCHLD);
        set.thread_block().map_err(SupervisorError::BlockSignals)?;
        self.signals = Some(
            SignalFd::with_flags(&set, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
                .map_err(SupervisorError::SignalFd)?,
        );
        let (go_r, go_w) = pipe()?;
        let (started_r, started_w) = pipe()?;
        self.go = Some(go_w);
        self.started = Some(started_r);
        self.init_ends = Some((go_r, started_w));
        let (ours, init) = crate::init_channel::pair().map_err(SupervisorError::Channel)?;
        self.ctl = Some(ours);
        self.ctl_init = Some(init);
        // Published on IPv6 too when the first network (the one ports go to) has an IPv6 subnet.
        let ipv6 = self
            .m
            .networks
            .first()
            .and_then(|n| n.native.as_ref())
            .is_some_and(|s| s.ipv6.is_some());
        self.ports = crate::ports::reserve(&self.m.ports, ipv6)?;
        Ok(())
    }

    fn clone_init(&mut self) -> Result<(), SupervisorError> {
        let close = self.init_closes();
        let launches = std::mem::take(&mut self.prepared.as_mut().expect("prepared").launches);
        let (go_r, started_w) = self.init_ends.take().expect("prepared");
        let mut flags = libc::CLONE_NEWPID | libc::CLONE_NEWNS;
        if let Some(map) = &self.m.userns {
            // The pod's user namespace owns its network, IPC and UTS namespaces; init joins them.
            let ns = crate::userns::create(map, self.m.net != NetMode::Host).map_err(|source| {
                SupervisorError::Userns {
                    pod: self.m.pod_id.clone(),
                    source,
                }
            })?;
            self.pod_ns = Some(ns);
        } else {
            flags |= libc::CLONE_NEWUTS | libc::CLONE_NEWIPC;
            if self.m.net != NetMode::Host {
                flags |= libc::CLONE_NEWNET;
            }
        }
        // A fork-like clone (no new stack): the child continues here with a copy of this process,
        // which is single-threaded, so it can go on to run ordinary Rust code.
        // SAFETY: raw clone without CLONE_VM behaves like fork.
        let pid = unsafe {
            libc::syscall(
                libc::SYS_clone,
                (flags | libc::SIGCHLD) as libc::c_long,
                0,
                0,
                0,
                0,
            )
        };
        if pid < 0 {
            return Err(SupervisorError::Clone(std::io::Error::last_os_error()));
        }
        if pid == 0 {
            init::run(InitArgs {
                manifest: self.m.clone(),
                pod_dir: self.pod_dir.to_path_buf(),
                apps: launches,
                go: go_r,
                started: started_w,
                close,
                pod_ns: self.pod_ns.take(),
                ctl: self.ctl_init.take().expect("prepared"),
            });
        }
        self.init = Some(Pid::from_raw(pid as i32));
        // Init's ends, and our copies of the apps' ends, close here.
        drop((go_r, started_w, launches, self.ctl_init.take()));
        if self.m.tty {
            self.term = crate::tty::RawTerminal::enter(self.m.interactive);
        }
        Ok(())
    }

    fn add_init_to_cgroup(&mut self) -> Result<(), SupervisorError> {
        let pid = self.init.expect("init runs");
        let cg = self.cg.as_ref().expect("cgroups come first");
        cg.add_init(pid.as_raw())
            .map_err(|source| SupervisorError::JoinCgroup {
                pod: self.m.pod_id.clone(),
                source,
            })?;
        let _ = std::fs::write(self.pod_dir.join("pid"), format!("{pid}\n"));
        Ok(())
    }

    fn attach_networks(&mut self) -> Result<(), SupervisorError> {
        let pid = self.init.expect("init runs");
        // A remapped pod's network namespace is the one the supervisor made (init may not have
        // joined it yet); otherwise it is init's.
        let netns = match self.pod_ns.as_ref().and_then(|ns| ns.net.as_ref()) {
            Some(fd) => format!("/proc/self/fd/{}", fd.as_raw_fd()),
            None => format!("/proc/{pid}/ns/net"),
        };
        self.net = crate::attach::attach(self.pod_dir, self.m, Path::new(&netns))?;
        // Init holds the namespaces from here on.
        self.pod_ns = None;
        let pod_v6 = self.net.as_ref().and_then(|ns| {
            let (_, _, result) = ns.attachments.first()?;
            crate::cni::ips(result.as_ref()?)
                .iter()
                .find_map(|a| a.parse::<std::net::Ipv6Addr>().ok())
        });
        self.proxies = crate::loopback_proxy::start(&self.ports, pod_v6)
            .map_err(SupervisorError::LoopbackProxy)?;
        Ok(())
    }

    fn release_init(&mut self) {
        if let Some(go) = self.go.take() {
            let _ = std::fs::File::from(go).write_all(b"g");
        }
    }

    fn wait(&mut self) -> Result<WaitStatus, SupervisorError> {
        let p = self.prepared.take().expect("prepared");
        let cg = self.cg.clone().expect("cgroups come first");
        let control = self.ctl.take().and_then(|ctl| {
            crate::control::Control::bind(self.pod_dir, self.m.clone(), cg, ctl)
                .map_err(|e| liftoff_stage2::warning!("{e}; `liftoff app` cannot change this pod"))
                .ok()
        });
        let mut ev = EventLoop {
            pod_dir: self.pod_dir,
            init_pid: self.init.expect("init runs"),
            timeout: self.m.stop_timeout(),
            notify_pod: self.m.notify == Some(NotifyMode::Pod),
            interactive: self.m.interactive,
            signals: self.signals.take().expect("prepared"),
            relays: p.relays,
            started: self.started.take(),
            notify: p.notify,
            tty_wait: p.tty_wait,
            tty_log: p.tty_log,
            tty: None,
            caller: p.caller,
            ready: self.fds.ready.take(),
            kill_at: None,
            init_status: None,
            control,
        };
        let r = ev.run();
        self.current = ev
            .control
            .take()
            .map(crate::control::Control::into_manifest);
        self.fds.ready = ev.ready.take();
        // The user's terminal is theirs again before anything more is said.
        self.term = None;
        Ok(r?)
    }

    fn kill_init(&mut self) {
        if let Some(pid) = self.init {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, None);
        }
        self.term = None;
    }

    fn record_exit(&mut self, ws: WaitStatus) -> u8 {
        // The apps are gone: nothing is left to relay to.
        self.stop_proxies();
        let pod_dir = self.pod_dir;
        let m = self.manifest();
        let cg = self.cg.as_ref().expect("cgroups come first");
        for a in &m.apps {
            let name = &a.spec.name;
            if cg.oom_killed(Some(name)) {
                if let Some(mut e) = status::read_app_exit(pod_dir, name) {
                    e.oom_killed = true;
                    let _ = status::write_json(&status::app_exit_path(pod_dir, name), &e);
                }
                liftoff_stage2::warning!(
                    "app {name} was killed by the kernel's OOM killer (its memory limit)"
                );
            }
        }
        let exit = pod_exit(pod_dir, m, ws);
        let code = exit.exit_code;
        let _ = status::write_json(&status::pod_exit_path(pod_dir), &exit);
        // Whoever waits on --ready-fd (`run -d`) learns of the exit record now, not after teardown.
        self.fds.ready = None;
        code.clamp(0, 255) as u8
    }

    fn exit_recorded(&self) -> bool {
        status::pod_exit_path(self.pod_dir).exists()
    }

    fn slow_teardown(&self) -> bool {
        self.net.as_ref().is_some_and(|ns| {
            ns.attachments
                .iter()
                .any(|(n, a, _)| n.native.is_none() || !a.ports.is_empty())
        })
    }

    fn detach_networks(&mut self) {
        if let Some(ns) = &self.net {
            crate::attach::detach(self.pod_dir, ns);
        }
    }

    fn release_ports(&mut self) {
        self.stop_proxies();
        self.ports.clear();
    }

    fn remove_cgroups(&mut self) {
        let Some(cg) = &self.cg else { return };
        if let Err(e) = cg.remove() {
            liftoff_stage2::warning!(
                "pod {}: removing its cgroups: {e} (`liftoff gc` retries)",
                self.m.pod_id
            );
        }
    }

    fn release_lock(&mut self) {
        self.fds.lock = None;
    }

    fn run_on_exit(&mut self) {
        run_on_exit(self.m);
    }

    fn fork_teardown(&mut self) -> Fork {
        // The fork below must happen single-threaded.
        self.stop_proxies();
        let _ = std::io::stdout().flush();
        // SAFETY: the supervisor is single-threaded here (plugin waiter threads have ended); the
        // child only tears down and exits.
        match unsafe { nix::unistd::fork() } {
            Ok(nix::unistd::ForkResult::Child) => {
                let _ = nix::unistd::setsid();
                if let Ok(null) = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open("/dev/null")
                {
                    let _ = nix::unistd::dup2(null.as_raw_fd(), 0);
                    let _ = nix::unistd::dup2(null.as_raw_fd(), 1);
                }
                if let Ok(log) = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.pod_dir.join("stage1.log"))
                {
                    let _ = nix::unistd::dup2(log.as_raw_fd(), 2);
                }
                Fork::Child
            }
            Ok(nix::unistd::ForkResult::Parent { .. }) => Fork::Parent,
            Err(_) => Fork::Failed,
        }
    }

    fn end_teardown_child(&mut self) {
        // SAFETY: leaving the teardown child.
        unsafe { libc::_exit(0) }
    }
}

/// The pod's exit record: init's code, unless an app failed to start (254 with its error); the
/// app it is due to (--exit-code-from, or the first app that exited with that code).
fn pod_exit(pod_dir: &Path, m: &PodManifest, ws: WaitStatus) -> PodExit {
    let (code, _) = status::code_of(ws).unwrap_or((254, None));
    let exits: Vec<_> = m
        .apps
        .iter()
        .filter_map(|a| status::read_app_exit(pod_dir, &a.spec.name))
        .collect();
    let app = match &m.exit_code_from {
        Some(n) => Some(n.clone()),
        None => exits
            .iter()
            .find(|e| e.exit_code == code && code != 0)
            .map(|e| e.app.clone()),
    };
    let error = exits.iter().find_map(|e| e.error.clone());
    PodExit {
        exit_code: if error.is_some() { 254 } else { code },
        app,
        error,
        finished_at: status::now(),
    }
}

/// Runs the manifest's `on_exit` command (the pod lock is released by now) and waits for it.
fn run_on_exit(m: &PodManifest) {
    let _ = std::io::stdout().flush();
    let r = std::process::Command::new(&m.on_exit[0])
        .args(&m.on_exit[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status();
    match r {
        Ok(s) if s.success() => {}
        Ok(s) => liftoff_stage2::warning!(
            "pod {}: its exit command {} failed ({s}); `liftoff gc` collects the pod",
            m.pod_id,
            m.on_exit[0]
        ),
        Err(e) => liftoff_stage2::warning!(
            "pod {}: cannot run its exit command {}: {e}; `liftoff gc` collects the pod",
            m.pod_id,
            m.on_exit[0]
        ),
    }
}
