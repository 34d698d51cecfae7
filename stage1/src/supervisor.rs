//! The pod's supervisor: the process `liftoff run` became by exec'ing stage1.
//!
//! It owns everything outside the pod's namespaces: the pod lock (held for the pod's whole life; the
//! kernel drops it if the supervisor dies), the cgroups, the seccomp filters (compiled once, before
//! any fork), the pod's /etc files, and the output relay. It clones the pod init into fresh
//! namespaces, forwards the signals it receives (SIGTERM/SIGINT start a graceful stop and arm a
//! SIGKILL after the stop timeout), waits for the init, records the pod's exit and removes the cgroups.
//! The init carries PR_SET_PDEATHSIG=SIGKILL, so a SIGKILLed supervisor takes the whole pod with it
//! and leaves only what `liftoff gc` sweeps (the pod dir and empty cgroups).

use crate::app_root::AppDirs;
use crate::cgroups as cgroup;
use crate::init::{self, AppLaunch, InitArgs, FORWARDED};
use crate::logs;
use crate::manifest::{self, NetMode, NotifyMode, PodManifest};
use crate::status::{self, PodExit};
use crate::stdio::{Caller, Output, StdinPipe};
use nix::errno::Errno;
use nix::sys::signal::{kill, SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Starts and supervises the pod in `pod_dir`; returns the pod's exit code (254 for liftoff's own
/// failures, reported on stderr).
pub fn run(pod_dir: &Path, lock_fd: Option<RawFd>, ready_fd: Option<RawFd>) -> u8 {
    match run_inner(pod_dir, lock_fd, ready_fd) {
        Ok(code) => code,
        // An empty message: already reported (and the pod removed, for `run --rm`).
        Err(msg) if msg.is_empty() => 254,
        Err(msg) => {
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

fn cg_limits(l: &manifest::Limits) -> cgroup::Limits {
    cgroup::Limits {
        memory_bytes: l.memory_bytes,
        cpus: l.cpus,
        pids: l.pids,
    }
}

/// Where the supervisor records the pod's cgroup dirs (a JSON array of paths, one per hierarchy)
/// for `gc`, `liftoff stats` and `top`.
pub const CGROUPS_FILE: &str = liftoff_contract::layout::CGROUPS_RECORD;

/// The pod's cgroup dirs as recorded in its `cgroups.json`; empty if there is no readable record.
pub fn recorded_cgroups(pod_dir: &Path) -> Vec<PathBuf> {
    status::read_cgroups(pod_dir).unwrap_or_default()
}

/// How an app's output reaches the supervisor's own stdout/stderr, besides its log file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Echo {
    /// Detached pods: logs only.
    Off,
    /// Single-app foreground pods: bytes as they come (prompts without a newline show at once).
    Raw,
    /// Several apps: whole lines, each prefixed with the app's name.
    Prefixed,
}

/// One app output stream: the pipe the app writes, where it goes, and the app's log.
struct Relay {
    app: String,
    stream: logs::Stream,
    fd: OwnedFd,
    split: logs::LineSplitter,
    echo: Echo,
    log: Rc<RefCell<Option<logs::LogFile>>>,
}

fn run_inner(
    pod_dir: &Path,
    lock_fd: Option<RawFd>,
    ready_fd: Option<RawFd>,
) -> Result<u8, String> {
    // The lock and ready fds came through execve without close-on-exec; nothing we spawn (CNI
    // plugins above all) may inherit them. Our own forks (init, the teardown child) still do.
    for fd in lock_fd.iter().chain(ready_fd.iter()) {
        // SAFETY: fcntl on fds handed to us on the command line.
        unsafe {
            let f = libc::fcntl(*fd, libc::F_GETFD);
            if f >= 0 {
                libc::fcntl(*fd, libc::F_SETFD, f | libc::FD_CLOEXEC);
            }
        }
    }
    // `liftoff stop` signals this process; the file is only trusted while the pod lock is held.
    let _ = std::fs::write(
        pod_dir.join("supervisor-pid"),
        format!("{}\n", std::process::id()),
    );
    let mpath = pod_dir.join(manifest::POD_MANIFEST_FILE);
    let bytes = std::fs::read(&mpath)
        .map_err(|e| format!("cannot read pod manifest {}: {e}", mpath.display()))?;
    let m = PodManifest::from_slice(&bytes).map_err(|e| format!("{}: {e}", mpath.display()))?;

    write_etc(pod_dir, &m)?;
    make_volumes(pod_dir, &m)?;

    // Seccomp: one compilation per distinct (profile, capabilities).
    let mut filters: HashMap<String, Option<liftoff_stage2::seccomp::Filter>> = HashMap::new();
    for a in &m.apps {
        let key =
            serde_json::to_string(&(&a.spec.seccomp, &a.spec.capabilities)).unwrap_or_default();
        if let std::collections::hash_map::Entry::Vacant(slot) = filters.entry(key) {
            let f = liftoff_stage2::seccomp::compile(&a.spec.seccomp, &a.spec.capabilities)
                .map_err(|e| format!("app {}: seccomp profile: {e}", a.spec.name))?;
            slot.insert(f);
        }
    }

    // cgroups before anything runs, so limits hold from the first instruction.
    let layout = cgroup::detect().map_err(|e| format!("pod {}: cgroups: {e}", m.pod_id))?;
    let pod_cg = cgroup::PodCgroup::create(&layout, &m.pod_id, &cg_limits(&m.limits))
        .map_err(|e| format!("pod {}: cgroups: {e}", m.pod_id))?;
    let recorded: Vec<String> = pod_cg
        .dirs()
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    let _ = status::write_json(&pod_dir.join(CGROUPS_FILE), &recorded);
    match supervise(pod_dir, lock_fd, ready_fd, &m, &pod_cg, &mut filters) {
        Ok((code, teardown)) => {
            finish(pod_dir, lock_fd, &m, &pod_cg, teardown);
            Ok(code)
        }
        Err(e) => {
            remove_cgroups(&m, &pod_cg);
            // `run --rm` in the foreground: a pod that failed to start goes too (its networks
            // were undone on the way out), after the error is shown. Detached, the exit record
            // must stay for `run -d` to read the reason; `run -d` removes the pod after that.
            if !m.on_exit.is_empty() && !m.detached {
                liftoff_stage2::error!("{e}");
                if let Some(fd) = lock_fd {
                    let _ = nix::unistd::close(fd);
                }
                run_on_exit(&m);
                return Err(String::new());
            }
            Err(e)
        }
    }
}

fn remove_cgroups(m: &PodManifest, pod_cg: &cgroup::PodCgroup) {
    if let Err(e) = pod_cg.remove() {
        liftoff_stage2::warning!(
            "pod {}: removing its cgroups: {e} (`liftoff gc` retries)",
            m.pod_id
        );
    }
}

/// What is left to undo once the pod's apps have exited and its exit is recorded.
struct Teardown {
    net: Option<crate::cni::PodNetState>,
    port_holds: Vec<OwnedFd>,
}

/// Whether teardown must finish before this process exits: under systemd (a unit's leftover
/// processes are killed when its main process exits) or when asked with LIFTOFF_SYNC_TEARDOWN=1.
fn sync_teardown() -> bool {
    ["INVOCATION_ID", "NOTIFY_SOCKET", "LIFTOFF_SYNC_TEARDOWN"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0"))
}

/// Tears the pod down after its exit is recorded. CNI DEL takes a good 100 ms with the standard
/// plugins (each runs several iptables commands), so by default it runs in a child that keeps the pod
/// lock (the pod counts as running, and gc leaves it alone, until it is done) while this process
/// exits with the pod's code at once; `status`, `stop` and `rm` treat the pod as exited from the
/// moment `exit.json` exists. The child writes its warnings to `stage1.log` in the pod dir.
fn finish(
    pod_dir: &Path,
    lock_fd: Option<RawFd>,
    m: &PodManifest,
    pod_cg: &cgroup::PodCgroup,
    t: Teardown,
) {
    let work = |t: Teardown| {
        if let Some(ns) = &t.net {
            detach_networks(pod_dir, ns);
        }
        drop(t.port_holds);
        remove_cgroups(m, pod_cg);
    };
    // Without a recorded exit (a full disk), the lock must keep meaning "the supervisor lives".
    let recorded = status::pod_exit_path(pod_dir).exists();
    // `run --rm`: the pod is gone when `run` returns, so teardown and removal happen before.
    if !m.on_exit.is_empty() && recorded {
        work(t);
        if let Some(fd) = lock_fd {
            let _ = nix::unistd::close(fd);
        }
        return run_on_exit(m);
    }
    if t.net.is_none() || sync_teardown() || !recorded {
        return work(t);
    }
    let _ = std::io::stdout().flush();
    // SAFETY: the supervisor is single-threaded here (plugin waiter threads have ended); the child
    // only tears down and exits.
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
                .open(pod_dir.join("stage1.log"))
            {
                let _ = nix::unistd::dup2(log.as_raw_fd(), 2);
            }
            work(t);
            // SAFETY: leaving the teardown child.
            unsafe { libc::_exit(0) }
        }
        Ok(nix::unistd::ForkResult::Parent { .. }) => {
            // The child holds the lock and the reserved ports now; our copies close as we exit.
        }
        Err(_) => work(t),
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

fn supervise(
    pod_dir: &Path,
    lock_fd: Option<RawFd>,
    ready_fd: Option<RawFd>,
    m: &PodManifest,
    pod_cg: &cgroup::PodCgroup,
    filters: &mut HashMap<String, Option<liftoff_stage2::seccomp::Filter>>,
) -> Result<(u8, Teardown), String> {
    let mut launches = Vec::new();
    let mut relays = Vec::new();
    let mut child_ends: Vec<RawFd> = Vec::new();
    let echo = match (m.detached, m.prefix_output && m.apps.len() > 1) {
        (true, _) => Echo::Off,
        (false, true) => Echo::Prefixed,
        (false, false) => Echo::Raw,
    };
    let log_max = match m.log_max_bytes {
        0 => manifest::DEFAULT_LOG_MAX_BYTES,
        n => n,
    };
    // -t: the app opens its terminal on its own devpts and sends us the master over this socket.
    let mut tty: Option<crate::tty::Pty> = None;
    let (mut tty_wait, mut console_app) = match m.tty {
        true => {
            let (a, b) = crate::tty::fd_channel().map_err(|e| format!("-t: {e}"))?;
            (Some(a), Some(b))
        }
        false => (None, None),
    };
    let mut tty_log: Option<logs::LogFile> = None;
    // Our stdio is the caller's and may be non-blocking (see `stdio`); with -i and no -t, such a
    // stdin reaches the app through a pipe of ours.
    let (stdin_pipe, mut stdin_app) = match m.interactive && !m.tty {
        true => StdinPipe::open()?.unzip(),
        false => (None, None),
    };
    let mut caller = Caller::new(stdin_pipe);
    // --notify=app:NAME: that app's own NOTIFY_SOCKET, relayed to ours.
    let notify_app = match &m.notify {
        Some(NotifyMode::App(n)) => Some((
            n.clone(),
            crate::notify::AppSocket::bind(pod_dir)
                .map_err(|e| format!("--notify=app:{n}: creating its socket: {e}"))?,
        )),
        _ => None,
    };
    check_listen_fds(m)?;
    for a in &m.apps {
        let name = &a.spec.name;
        let mut a = a.clone();
        if let Some((n, s)) = &notify_app {
            if n == name {
                a.mounts.push(manifest::AppMount {
                    target: crate::notify::APP_SOCKET_DIR.into(),
                    source: manifest::MountSource::Host {
                        path: s.dir.clone(),
                    },
                    read_only: false,
                });
                a.spec.env.retain(|v| !v.starts_with("NOTIFY_SOCKET="));
                a.spec
                    .env
                    .push(format!("NOTIFY_SOCKET={}", crate::notify::APP_SOCKET));
            }
        }
        let a = &a;
        let dirs = AppDirs::new(pod_dir, name);
        dirs.create()
            .map_err(|e| format!("app {name}: creating {}: {e}", dirs.rootfs.display()))?;
        let cg = pod_cg
            .create_app(name, &cg_limits(&a.limits))
            .map_err(|e| format!("app {name}: cgroup: {e}"))?;
        let log = logs::LogFile::open(pod_dir, name, log_max).map_err(|e| {
            format!(
                "app {name}: opening its log {}: {e}",
                logs::path(pod_dir, name).display()
            )
        })?;
        let key =
            serde_json::to_string(&(&a.spec.seccomp, &a.spec.capabilities)).unwrap_or_default();
        let filter = filters.get(&key).cloned().flatten();
        if let Some(c) = console_app.take() {
            tty_log = Some(log);
            let fd = c.into_raw_fd();
            child_ends.push(fd);
            launches.push(AppLaunch {
                app: a.clone(),
                dirs,
                stdio: [-1, -1, -1],
                console: Some(fd),
                filter,
                cgroup: Some(cg),
            });
            continue;
        }
        let stdin = if m.interactive {
            stdin_app.take().map_or(0, |r| r.into_raw_fd())
        } else {
            init::dev_null()
                .map_err(|e| format!("open /dev/null: {e}"))?
                .into_raw_fd()
        };
        let log = Rc::new(RefCell::new(Some(log)));
        let mut ends = [0; 2];
        for (i, stream) in [logs::Stream::Stdout, logs::Stream::Stderr]
            .into_iter()
            .enumerate()
        {
            let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
                .map_err(|e| format!("pipe: {e}"))?;
            ends[i] = w.into_raw_fd();
            relays.push(Relay {
                app: name.clone(),
                stream,
                fd: r,
                split: logs::LineSplitter::new(),
                echo,
                log: log.clone(),
            });
        }
        for fd in [stdin, ends[0], ends[1]] {
            if fd > 2 {
                child_ends.push(fd);
            }
        }
        launches.push(AppLaunch {
            app: a.clone(),
            dirs,
            stdio: [stdin, ends[0], ends[1]],
            console: None,
            filter,
            cgroup: Some(cg),
        });
    }

    let mut set = SigSet::empty();
    for s in FORWARDED {
        set.add(*s);
    }
    set.add(Signal::SIGCHLD);
    set.thread_block()
        .map_err(|e| format!("block signals: {e}"))?;
    let sfd = SignalFd::with_flags(&set, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
        .map_err(|e| format!("signalfd: {e}"))?;

    let (go_r, go_w) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    // Init writes one byte here once every app has reached execve.
    let (started_r, started_w) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let mut close: Vec<RawFd> = relays.iter().map(|r| r.fd.as_raw_fd()).collect();
    close.extend(notify_app.as_ref().map(|(_, s)| s.sock.as_raw_fd()));
    close.extend(lock_fd);
    close.extend(ready_fd);
    close.push(started_r.as_raw_fd());
    close.push(go_w.as_raw_fd());
    close.push(sfd.as_raw_fd());
    close.extend(tty_wait.as_ref().map(|t| t.as_raw_fd()));
    close.extend(caller.stdin.as_ref().and_then(|p| p.raw_fd()));

    let port_holds = reserve_ports(&m.ports)?;
    close.extend(port_holds.iter().map(|f| f.as_raw_fd()));
    let mut flags =
        libc::CLONE_NEWPID | libc::CLONE_NEWNS | libc::CLONE_NEWUTS | libc::CLONE_NEWIPC;
    if m.net != NetMode::Host {
        flags |= libc::CLONE_NEWNET;
    }
    // A fork-like clone (no new stack): the child continues here with a copy of this process, which
    // is single-threaded, so it can go on to run ordinary Rust code.
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
        return Err(format!(
            "creating the pod's namespaces: {} (liftoff run needs root)",
            std::io::Error::last_os_error()
        ));
    }
    if pid == 0 {
        init::run(InitArgs {
            manifest: m.clone(),
            pod_dir: pod_dir.to_path_buf(),
            apps: launches,
            go: go_r,
            started: started_w,
            close,
        });
    }
    let init_pid = Pid::from_raw(pid as i32);
    drop(go_r);
    drop(started_w);
    let mut started = Some(started_r);
    let mut ready_fd = ready_fd;
    for fd in child_ends {
        let _ = nix::unistd::close(fd);
    }
    let term = match m.tty {
        true => crate::tty::RawTerminal::enter(m.interactive),
        false => None,
    };
    drop(launches);
    if let Err(e) = pod_cg.add_init(init_pid.as_raw()) {
        let _ = kill(init_pid, Signal::SIGKILL);
        let _ = waitpid(init_pid, None);
        return Err(format!("pod {}: cgroup: {e}", m.pod_id));
    }
    let _ = std::fs::write(pod_dir.join("pid"), format!("{}\n", init_pid));
    // Networks are attached before init lets any app start.
    let net_state = match attach_networks(pod_dir, m, init_pid.as_raw()) {
        Ok(s) => s,
        Err(e) => {
            let _ = kill(init_pid, Signal::SIGKILL);
            let _ = waitpid(init_pid, None);
            return Err(e);
        }
    };
    let mut go = std::fs::File::from(go_w);
    let _ = go.write_all(b"g");
    drop(go);

    let timeout = m.stop_timeout();
    let mut kill_at: Option<Instant> = None;
    let mut init_status: Option<WaitStatus> = None;
    loop {
        if init_status.is_none() {
            match waitpid(init_pid, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => {}
                Ok(ws) => {
                    init_status = Some(ws);
                    // Nothing left to kill; a deadline in the past would make poll spin while
                    // the apps' last output drains.
                    kill_at = None;
                }
                Err(Errno::EINTR) => {}
                Err(e) => return Err(format!("waitpid: {e}")),
            }
        }
        if init_status.is_some() && relays.is_empty() {
            // The pty master never reports end of file while we hold it: drain what is left.
            if let Some(mut t) = tty.take() {
                t.drain(&mut caller.outs[0]);
            }
            // Then only output a slow reader has not taken yet keeps us.
            if caller.idle() {
                break;
            }
        }
        let mut pfds: Vec<libc::pollfd> = vec![libc::pollfd {
            fd: sfd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        // An app's output waits in its pipe while the reader of our stdout/stderr is behind.
        pfds.extend(relays.iter().map(|r| libc::pollfd {
            fd: match r.echo != Echo::Off && caller.outs[out_index(r.stream)].full() {
                true => -1,
                false => r.fd.as_raw_fd(),
            },
            events: libc::POLLIN,
            revents: 0,
        }));
        let started_at = pfds.len();
        pfds.push(libc::pollfd {
            fd: started.as_ref().map_or(-1, |f| f.as_raw_fd()),
            events: libc::POLLIN,
            revents: 0,
        });
        pfds.push(libc::pollfd {
            fd: notify_app.as_ref().map_or(-1, |(_, s)| s.sock.as_raw_fd()),
            events: libc::POLLIN,
            revents: 0,
        });
        pfds.push(libc::pollfd {
            fd: tty_wait.as_ref().map_or(-1, |t| t.as_raw_fd()),
            events: libc::POLLIN,
            revents: 0,
        });
        let caller_at = caller.push_pollfds(&mut pfds);
        let tty_at = pfds.len();
        if let Some(t) = &tty {
            pfds.extend(t.pollfds(&caller.outs[0], m.interactive));
        }
        let wait_ms = match kill_at {
            Some(t) => t
                .saturating_duration_since(Instant::now())
                .as_millis()
                .min(i32::MAX as u128) as i32,
            None => -1,
        };
        // SAFETY: poll on valid fds.
        let n = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, wait_ms) };
        if n < 0 && Errno::last() != Errno::EINTR {
            return Err(format!("poll: {}", Errno::last()));
        }
        if let Some(t) = kill_at {
            if Instant::now() >= t && init_status.is_none() {
                // Killing the pid namespace's init kills every process in the pod.
                let _ = kill(init_pid, Signal::SIGKILL);
                kill_at = None;
            }
        }
        while let Ok(Some(info)) = sfd.read_signal() {
            let Ok(sig) = Signal::try_from(info.ssi_signo as i32) else {
                continue;
            };
            if init_status.is_some()
                && matches!(sig, Signal::SIGTERM | Signal::SIGINT | Signal::SIGQUIT)
            {
                // The pod is gone and only its output for a reader that does not read keeps
                // us: a stop means stop waiting for it.
                caller.give_up();
            }
            if sig == Signal::SIGCHLD || init_status.is_some() {
                continue;
            }
            if sig == Signal::SIGWINCH {
                if let Some(t) = &tty {
                    t.sync_size();
                }
            }
            let _ = kill(init_pid, sig);
            if matches!(sig, Signal::SIGTERM | Signal::SIGINT | Signal::SIGQUIT)
                && kill_at.is_none()
            {
                kill_at = Some(Instant::now() + timeout);
                if m.notify == Some(NotifyMode::Pod) {
                    let _ = crate::notify::send("STOPPING=1");
                }
            }
        }
        if pfds[started_at + 2].revents != 0 {
            // The app's terminal arrives once (or never, if the app failed before).
            if let Some(master) = tty_wait
                .as_ref()
                .and_then(|t| crate::tty::recv_fd(t.as_raw_fd()))
            {
                let mut p = crate::tty::Pty::from_master(master);
                p.log = tty_log.take().map(|l| (l, logs::LineSplitter::new()));
                p.sync_size();
                tty = Some(p);
            }
            tty_wait = None;
        }
        if pfds[started_at + 1].revents != 0 {
            if let Some((_, s)) = &notify_app {
                s.relay();
            }
        }
        if pfds[started_at].revents != 0 {
            let mut b = [0u8; 1];
            let ok = started
                .as_ref()
                .is_some_and(|f| nix::unistd::read(f.as_raw_fd(), &mut b) == Ok(1));
            started = None;
            if ok {
                mark_ready(pod_dir, ready_fd.take());
                if m.notify == Some(NotifyMode::Pod) {
                    let _ = crate::notify::send("READY=1");
                }
            }
        }
        caller.ready(&pfds[caller_at..tty_at]);
        // (A terminal that arrived during this round has no poll results yet.)
        if let Some(t) = tty.as_mut().filter(|_| pfds.len() >= tty_at + 2) {
            if !t.pump(&pfds[tty_at..tty_at + 2], &mut caller.outs[0]) {
                tty = None;
            }
        }
        let mut done = Vec::new();
        for (k, r) in relays.iter_mut().enumerate() {
            let p = pfds[k + 1];
            if p.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0
                && !pump(r, &mut caller.outs)
            {
                done.push(k);
            }
        }
        for k in done.into_iter().rev() {
            let mut r = relays.remove(k);
            let (echo, app, stream, log) = (r.echo, r.app.clone(), r.stream, r.log.clone());
            r.split.finish(|line, partial| {
                emit_line(echo, &app, stream, &log, &mut caller.outs, line, partial)
            });
        }
    }

    drop(term);
    let ws = init_status.expect("loop ends only once init has exited");
    for a in &m.apps {
        let name = &a.spec.name;
        if pod_cg.oom_killed(Some(name)) {
            if let Some(mut e) = status::read_app_exit(pod_dir, name) {
                e.oom_killed = true;
                let _ = status::write_json(&status::app_exit_path(pod_dir, name), &e);
            }
            liftoff_stage2::warning!(
                "app {name} was killed by the kernel's OOM killer (its memory limit)"
            );
        }
    }
    let (code, _) = status::code_of(ws).unwrap_or((254, None));
    let failed_app = match &m.exit_code_from {
        Some(n) => Some(n.clone()),
        None => m
            .apps
            .iter()
            .filter_map(|a| status::read_app_exit(pod_dir, &a.spec.name))
            .find(|e| e.exit_code == code && code != 0)
            .map(|e| e.app),
    };
    let error = m
        .apps
        .iter()
        .filter_map(|a| status::read_app_exit(pod_dir, &a.spec.name))
        .find_map(|e| e.error);
    let code = if error.is_some() { 254 } else { code };
    let _ = status::write_json(
        &status::pod_exit_path(pod_dir),
        &PodExit {
            exit_code: code,
            app: failed_app,
            error,
            finished_at: status::now(),
        },
    );
    // Whoever waits on --ready-fd (`run -d`) learns of the exit record now, not after teardown.
    if let Some(fd) = ready_fd.take() {
        let _ = nix::unistd::close(fd);
    }
    Ok((
        code.clamp(0, 255) as u8,
        Teardown {
            net: net_state,
            port_holds,
        },
    ))
}

/// Which of our outputs (`[stdout, stderr]`) an app stream is echoed to.
fn out_index(stream: logs::Stream) -> usize {
    match stream {
        logs::Stream::Stdout => 0,
        logs::Stream::Stderr => 1,
    }
}

/// Reads what is available from one app pipe into its log (and echo). Returns false at end of file.
fn pump(r: &mut Relay, outs: &mut [Output; 2]) -> bool {
    let mut tmp = [0u8; 16384];
    let n = match nix::unistd::read(r.fd.as_raw_fd(), &mut tmp) {
        Ok(0) => return false,
        Ok(n) => n,
        Err(Errno::EINTR) | Err(Errno::EAGAIN) => return true,
        Err(_) => return false,
    };
    if r.echo == Echo::Raw {
        outs[out_index(r.stream)].write(&tmp[..n]);
    }
    let (echo, app, stream, log) = (r.echo, &r.app, r.stream, &r.log);
    r.split.feed(&tmp[..n], |line, partial| {
        emit_line(echo, app, stream, log, outs, line, partial)
    });
    true
}

/// One complete line (or piece of a long one): to the log, and prefixed to our output.
fn emit_line(
    echo: Echo,
    app: &str,
    stream: logs::Stream,
    log: &RefCell<Option<logs::LogFile>>,
    outs: &mut [Output; 2],
    line: &[u8],
    partial: bool,
) {
    if let Some(l) = log.borrow_mut().as_mut() {
        l.write(stream, line, partial);
    }
    if echo == Echo::Prefixed {
        let mut out = Vec::with_capacity(line.len() + app.len() + 4);
        out.extend_from_slice(app.as_bytes());
        out.extend_from_slice(b" | ");
        out.extend_from_slice(line);
        out.push(b'\n');
        outs[out_index(stream)].write(&out);
    }
}

/// Every app has started: leave a `ready` mark for `status --wait-ready` and tell whoever waits on
/// `--ready-fd` (`run -d`).
fn mark_ready(pod_dir: &Path, ready_fd: Option<RawFd>) {
    let _ = std::fs::write(pod_dir.join("ready"), format!("{}\n", status::now()));
    if let Some(fd) = ready_fd {
        // SAFETY: the fd was handed to us on the command line and is used once, here.
        let f = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) };
        let _ = (&f).write_all(b"r");
    }
}

/// Creates the pod's named empty volumes with their owner and mode.
fn make_volumes(pod_dir: &Path, m: &PodManifest) -> Result<(), String> {
    for v in &m.volumes {
        let d = pod_dir.join("volumes").join(&v.name);
        std::fs::create_dir_all(&d)
            .and_then(|_| {
                std::os::unix::fs::chown(&d, Some(v.uid), Some(v.gid))?;
                std::fs::set_permissions(
                    &d,
                    std::os::unix::fs::PermissionsExt::from_mode(v.mode & 0o7777),
                )
            })
            .map_err(|e| format!("volume {}: creating {}: {e}", v.name, d.display()))?;
    }
    Ok(())
}

/// Writes the pod's hosts, hostname and resolv.conf into `<pod>/etc/`. The pod's addresses on CNI
/// networks are known only after ADD, when `hosts` is written again.
fn write_etc(pod_dir: &Path, m: &PodManifest) -> Result<(), String> {
    let resolv = if !m.dns.is_empty() || !m.dns_search.is_empty() {
        let mut s = String::new();
        for d in &m.dns {
            s.push_str(&format!("nameserver {d}\n"));
        }
        if !m.dns_search.is_empty() {
            s.push_str(&format!("search {}\n", m.dns_search.join(" ")));
        }
        s
    } else {
        match m.net {
            NetMode::Host => std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default(),
            NetMode::Cni => pod_resolv_conf(),
            NetMode::None => String::new(),
        }
    };
    write_etc_file(pod_dir, "hosts", &hosts_file(m, &[]))?;
    write_etc_file(pod_dir, "hostname", &format!("{}\n", m.hostname))?;
    write_etc_file(pod_dir, "resolv.conf", &resolv)
}

/// Writes `<pod>/etc/<name>` atomically (apps may already have it bound in).
fn write_etc_file(pod_dir: &Path, name: &str, body: &str) -> Result<(), String> {
    let etc = pod_dir.join("etc");
    std::fs::create_dir_all(&etc).map_err(|e| format!("creating {}: {e}", etc.display()))?;
    let p: PathBuf = etc.join(name);
    let tmp = etc.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, body)
        .and_then(|_| std::fs::rename(&tmp, &p))
        .map_err(|e| format!("writing {}: {e}", p.display()))
}

/// The pod's /etc/hosts: localhost, the pod's host name on its addresses, `--add-host` entries.
pub fn hosts_file(m: &PodManifest, ips: &[String]) -> String {
    let h = &m.hostname;
    let mut s = match m.net {
        NetMode::Host => std::fs::read_to_string("/etc/hosts").unwrap_or_default(),
        _ => "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n".to_string(),
    };
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    if ips.is_empty() {
        s.push_str(&format!("127.0.1.1\t{h}\n"));
    }
    for ip in ips {
        s.push_str(&format!("{ip}\t{h}\n"));
    }
    for e in &m.add_hosts {
        s.push_str(&format!("{}\t{}\n", e.ip, e.name));
    }
    s
}

/// The host's resolv.conf without loopback name servers, which cannot be reached from the pod's own
/// network namespace. When only loopback servers are configured (systemd-resolved's stub), its
/// upstream list is used instead.
pub fn pod_resolv_conf() -> String {
    let strip = |text: &str| -> (String, usize) {
        let mut kept = 0;
        let out: String = text
            .lines()
            .filter(|l| {
                let mut w = l.split_whitespace();
                if w.next() != Some("nameserver") {
                    return true;
                }
                let ip = w.next().unwrap_or("");
                let lo = ip
                    .parse::<std::net::IpAddr>()
                    .map(|a| a.is_loopback())
                    .unwrap_or(false);
                if !lo {
                    kept += 1;
                }
                !lo
            })
            .map(|l| format!("{l}\n"))
            .collect();
        (out, kept)
    };
    let (s, n) = strip(&std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default());
    if n > 0 {
        return s;
    }
    match std::fs::read_to_string("/run/systemd/resolve/resolv.conf") {
        Ok(t) if strip(&t).1 > 0 => strip(&t).0,
        _ => s,
    }
}

/// Socket activation: the inherited fds must be open; they become close-on-exec here so that only
/// the chosen app (init clears the flag in its child) and no plugin or other app gets them.
fn check_listen_fds(m: &PodManifest) -> Result<(), String> {
    let Some(sa) = &m.sockets else {
        return Ok(());
    };
    for fd in 3..3 + sa.count as RawFd {
        // SAFETY: fcntl on an fd number; a closed fd only yields EBADF.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        if flags < 0 {
            return Err(format!(
                "socket activation: fd {fd} of LISTEN_FDS={} is not open",
                sa.count
            ));
        }
        // SAFETY: as above.
        unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) };
    }
    Ok(())
}

/// Binds every published port on the host (without listening) for the pod's lifetime, so a port in
/// use is a clear error now and no other process or pod can take it later.
fn reserve_ports(ports: &[crate::cni::PortMapping]) -> Result<Vec<OwnedFd>, String> {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    let mut held = Vec::new();
    for p in ports {
        let ip: IpAddr = if p.host_ip.is_empty() {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            p.host_ip
                .parse()
                .map_err(|_| format!("-p {}: {} is not an IP address", p.host_port, p.host_ip))?
        };
        let addr = SocketAddr::new(ip, p.host_port);
        // An exited pod's teardown may still hold the port for ~100 ms: a short retry rides it out.
        let deadline = Instant::now() + Duration::from_secs(1);
        let fd: OwnedFd = loop {
            let r = bind_port(ip, addr, &p.protocol);
            match r {
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => break other,
            }
        }
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "-p {}:{}/{}: port {} is already in use on the host (by another pod or program); choose another host port",
                p.host_port, p.container_port, p.protocol, p.host_port
            ),
            _ => format!("-p {}:{}/{}: {e}", p.host_port, p.container_port, p.protocol),
        })?;
        held.push(fd);
    }
    Ok(held)
}

/// Binds one host port (TCP without listening, or UDP).
fn bind_port(
    ip: std::net::IpAddr,
    addr: std::net::SocketAddr,
    protocol: &str,
) -> std::io::Result<OwnedFd> {
    if protocol == "udp" {
        return std::net::UdpSocket::bind(addr).map(OwnedFd::from);
    }
    // A bound TCP socket that never listens: it holds the port and accepts nothing.
    let domain = if ip.is_ipv4() {
        nix::sys::socket::AddressFamily::Inet
    } else {
        nix::sys::socket::AddressFamily::Inet6
    };
    let fd = nix::sys::socket::socket(
        domain,
        nix::sys::socket::SockType::Stream,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    let sa = nix::sys::socket::SockaddrStorage::from(addr);
    nix::sys::socket::bind(fd.as_raw_fd(), &sa)?;
    Ok(fd)
}

/// Pins the pod's network namespace and runs CNI ADD for each network, recording the state first so
/// that gc can undo even a half-finished attach; then writes /etc/hosts with the pod's addresses.
fn attach_networks(
    pod_dir: &Path,
    m: &PodManifest,
    init_pid: i32,
) -> Result<Option<crate::cni::PodNetState>, String> {
    if m.net != NetMode::Cni {
        return Ok(None);
    }
    let netns = m.netns_dir.join(&m.pod_id);
    let mut state = crate::cni::PodNetState {
        version: crate::cni::NET_STATE_VERSION,
        netns: netns.clone(),
        attachments: m
            .networks
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.clone(),
                    crate::cni::Attachment {
                        container_id: m.pod_id.clone(),
                        netns: netns.clone(),
                        ifname: format!("eth{i}"),
                        plugin_dirs: m.cni_plugin_dirs.clone(),
                        ports: if i == 0 { m.ports.clone() } else { Vec::new() },
                    },
                    None,
                )
            })
            .collect(),
    };
    // Recorded before the pin exists, so gc finds the pin whenever there is one.
    crate::cni::write_state(pod_dir, &state)
        .map_err(|e| format!("pod {}: recording its networks: {e}", m.pod_id))?;
    if let Err(e) = crate::net::pin(&m.netns_dir, &m.pod_id, init_pid) {
        let _ = std::fs::remove_file(pod_dir.join(crate::cni::NET_STATE_FILE));
        return Err(format!(
            "pod {}: pinning its network namespace in {}: {e}",
            m.pod_id,
            m.netns_dir.display()
        ));
    }
    for i in 0..state.attachments.len() {
        let (net, att, _) = state.attachments[i].clone();
        // Each plugin's result is recorded as it comes: a DEL after a crash gets the latest one.
        let mut unrecorded = None;
        let added = crate::cni::add(&net, &att, |r| {
            state.attachments[i].2 = Some(r.clone());
            if let Err(e) = crate::cni::write_state(pod_dir, &state) {
                unrecorded.get_or_insert(e);
            }
        });
        let failed = match (added, unrecorded) {
            (Err(e), _) => e.to_string(),
            (Ok(_), Some(e)) => format!("recording its networks: {e}"),
            (Ok(_), None) => continue,
        };
        // Undo this network (from its last recorded result) and the earlier ones; what cannot be
        // undone now stays recorded in net.json for gc.
        state.attachments.truncate(i + 1);
        let _ = crate::cni::write_state(pod_dir, &state);
        detach_networks(pod_dir, &state);
        return Err(format!("pod {}: {failed}", m.pod_id));
    }
    let ips: Vec<String> = state
        .attachments
        .iter()
        .filter_map(|(_, _, r)| r.as_ref())
        .flat_map(crate::cni::ips)
        .collect();
    write_etc_file(pod_dir, "hosts", &hosts_file(m, &ips))?;
    Ok(Some(state))
}

/// CNI DEL for every network, then the namespace pin; what fails is left recorded for `liftoff gc`.
fn detach_networks(pod_dir: &Path, s: &crate::cni::PodNetState) {
    match crate::cni::del_all(s) {
        Ok(()) => {
            if let Err(e) = crate::net::unpin(&s.netns) {
                liftoff_stage2::warning!(
                    "removing {}: {e} (`liftoff gc` retries)",
                    s.netns.display()
                );
                return;
            }
            let _ = std::fs::remove_file(pod_dir.join(crate::cni::NET_STATE_FILE));
        }
        Err(e) => liftoff_stage2::warning!("{e} (`liftoff gc` retries)"),
    }
}
