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

use crate::app_root::{self, AppDirs};
use crate::manifest::{NetMode, PodApp, PodManifest};
use crate::status::{self, AppExit};
use nix::errno::Errno;
use nix::sys::signal::{kill, sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::time::Instant;

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

/// Everything init needs for one app, prepared by the supervisor before the clone.
pub struct AppLaunch {
    pub app: PodApp,
    pub dirs: AppDirs,
    /// fds to become the app's 0, 1 and 2 (unused with `console`).
    pub stdio: [RawFd; 3],
    /// -t: a socket to send the master of a pty opened on the app's own devpts over; the slave
    /// becomes the app's stdio and controlling terminal.
    pub console: Option<RawFd>,
    pub filter: Option<liftoff_stage2::seccomp::Filter>,
    pub cgroup: Option<crate::cgroups::AppCgroup>,
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
    /// counts as running exactly as long as the supervisor lives).
    pub close: Vec<RawFd>,
}

extern "C" fn noop_handler(_: libc::c_int) {}

fn handled_signals() -> SigSet {
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
        Err(msg) => {
            liftoff_stage2::error!("{msg}");
            254
        }
    };
    // SAFETY: leaving the process without running destructors of inherited state.
    unsafe { libc::_exit(code) }
}

fn run_inner(mut args: InitArgs) -> Result<i32, String> {
    // Die with the supervisor: a SIGKILLed supervisor must not leave a pod running unsupervised.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    hide_command_line();
    for fd in &args.close {
        let _ = nix::unistd::close(*fd);
    }
    let mut go = std::fs::File::from(args.go);
    let mut b = [0u8; 1];
    if go
        .read(&mut b)
        .map_err(|e| format!("pod init: waiting for the supervisor: {e}"))?
        != 1
    {
        return Err("pod init: the supervisor went away before the pod started".into());
    }
    drop(go);

    nix::mount::mount(
        None::<&str>,
        "/",
        None::<&str>,
        nix::mount::MsFlags::MS_REC | nix::mount::MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(|e| format!("pod init: make the pod's mounts private: {e}"))?;
    let m = &args.manifest;
    nix::unistd::sethostname(&m.hostname)
        .map_err(|e| format!("pod init: set hostname {:?}: {e}", m.hostname))?;
    // The pod's own /proc over the host's, in the pod's mount namespace: init addresses its apps by
    // their pod pids (for their user namespace maps), and writes the pod's network sysctls.
    nix::mount::mount(
        Some("proc"),
        "/proc",
        Some("proc"),
        nix::mount::MsFlags::MS_NOSUID
            | nix::mount::MsFlags::MS_NODEV
            | nix::mount::MsFlags::MS_NOEXEC,
        None::<&str>,
    )
    .map_err(|e| format!("pod init: mount the pod's /proc: {e}"))?;
    if m.net != NetMode::Host {
        crate::net::loopback_up().map_err(|e| format!("pod init: bring up loopback: {e}"))?;
        // Apps run in user namespaces of their own (see `private_users`), so capabilities do not reach
        // the pod's network namespace: let every app bind low ports and ping, as the default
        // NET_BIND_SERVICE and NET_RAW capabilities would have. The namespace is the pod's alone.
        for (k, v) in [
            ("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0"),
            ("/proc/sys/net/ipv4/ping_group_range", "0 2147483647"),
        ] {
            std::fs::write(k, v).map_err(|e| format!("pod init: {k}: {e}"))?;
        }
    }

    // Signals arrive through a signalfd; the handler exists because a pid-namespace init only
    // receives signals it has a handler for.
    let set = handled_signals();
    for s in set.iter() {
        let sa = SigAction::new(
            SigHandler::Handler(noop_handler),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        // SAFETY: installing a handler that does nothing.
        unsafe { sigaction(s, &sa) }.map_err(|e| format!("pod init: sigaction: {e}"))?;
    }
    set.thread_block()
        .map_err(|e| format!("pod init: block signals: {e}"))?;
    let sfd = SignalFd::with_flags(&set, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
        .map_err(|e| format!("pod init: signalfd: {e}"))?;

    let mut running: Vec<(Pid, String)> = Vec::new();
    let mut failed: Option<(i32, String)> = None;
    let mut last: Option<(i32, String)> = None;
    // --exit-code-from: that app's code, once it has ended, is the pod's.
    let mut decided: Option<(i32, String)> = None;
    let apps = std::mem::take(&mut args.apps);
    for launch in apps {
        let name = launch.app.spec.name.clone();
        match start_app(&args.manifest, &args.pod_dir, launch, &set) {
            Ok(pid) => running.push((pid, name)),
            Err(msg) => {
                let _ = status::write_json(
                    &status::app_exit_path(&args.pod_dir, &name),
                    &AppExit {
                        app: name.clone(),
                        exit_code: 254,
                        signal: None,
                        error: Some(msg.clone()),
                        oom_killed: false,
                        finished_at: status::now(),
                    },
                );
                liftoff_stage2::error!("{msg}");
                failed = Some((254, name));
                break;
            }
        }
    }
    let timeout = args.manifest.stop_timeout();
    let mut kill_at: Option<Instant> = None;
    if failed.is_some() {
        stop_all(&running, Signal::SIGKILL);
    } else {
        let _ = std::fs::File::from(args.started).write_all(b"s");
    }

    while !running.is_empty() {
        // Reap everything that has exited: apps are recorded, orphans just collected.
        loop {
            match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD) => break,
                Ok(ws) => {
                    let Some(pid) = ws.pid() else { break };
                    let Some((code, sig)) = status::code_of(ws) else {
                        continue;
                    };
                    if let Some(i) = running.iter().position(|(p, _)| *p == pid) {
                        let (_, name) = running.remove(i);
                        let _ = status::write_json(
                            &status::app_exit_path(&args.pod_dir, &name),
                            &AppExit {
                                app: name.clone(),
                                exit_code: code,
                                signal: sig,
                                error: None,
                                oom_killed: false,
                                finished_at: status::now(),
                            },
                        );
                        let decides = args.manifest.exit_code_from.as_ref() == Some(&name);
                        if decides {
                            decided = Some((code, name.clone()));
                        }
                        if decides || (code != 0 && failed.is_none()) {
                            stop_all(&running, Signal::SIGTERM);
                            kill_at = Some(Instant::now() + timeout);
                        }
                        if code != 0 && failed.is_none() {
                            failed = Some((code, name.clone()));
                        }
                        last = Some((code, name));
                    }
                }
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(format!("pod init: waitpid: {e}")),
            }
        }
        if running.is_empty() {
            break;
        }
        let wait_ms = match kill_at {
            Some(t) => {
                let left = t.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    stop_all(&running, Signal::SIGKILL);
                    kill_at = None;
                    continue;
                }
                left.as_millis().min(i32::MAX as u128) as i32
            }
            None => -1,
        };
        let mut pfd = [libc::pollfd {
            fd: sfd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        // SAFETY: poll on one valid fd.
        let n = unsafe { libc::poll(pfd.as_mut_ptr(), 1, wait_ms) };
        if n < 0 {
            let e = Errno::last();
            if e == Errno::EINTR {
                continue;
            }
            return Err(format!("pod init: poll: {e}"));
        }
        while let Ok(Some(info)) = sfd.read_signal() {
            let Ok(sig) = Signal::try_from(info.ssi_signo as i32) else {
                continue;
            };
            if sig == Signal::SIGCHLD {
                continue;
            }
            stop_all(&running, sig);
            if matches!(sig, Signal::SIGTERM | Signal::SIGINT | Signal::SIGQUIT)
                && kill_at.is_none()
            {
                kill_at = Some(Instant::now() + timeout);
            }
        }
    }
    // (An app that failed to start still makes the pod's code 254: the supervisor sees its error.)
    Ok(decided.or(failed).or(last).map(|(c, _)| c).unwrap_or(0))
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

fn stop_all(running: &[(Pid, String)], sig: Signal) {
    for (pid, _) in running {
        let _ = kill(*pid, sig);
    }
}

/// Forks one app; returns its pid once it has reached execve, or the reason it did not.
fn start_app(
    m: &PodManifest,
    pod_dir: &std::path::Path,
    launch: AppLaunch,
    blocked: &SigSet,
) -> Result<Pid, String> {
    let name = launch.app.spec.name.clone();
    let (rd, wr) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| format!("app {name}: pipe: {e}"))?;
    // The user-namespace handshake: the child says "unshared", init writes its maps, says "mapped".
    let (c2p_r, c2p_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| format!("app {name}: pipe: {e}"))?;
    let (p2c_r, p2c_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| format!("app {name}: pipe: {e}"))?;
    // SAFETY: init is single-threaded; the child only runs the app setup and then execs or _exits.
    match unsafe { fork() }.map_err(|e| format!("app {name}: fork: {e}"))? {
        ForkResult::Child => {
            drop(rd);
            drop(c2p_r);
            drop(p2c_w);
            let sync = UsernsSync {
                tell: std::fs::File::from(c2p_w),
                wait: std::fs::File::from(p2c_r),
            };
            let err = app_child(m, pod_dir, &launch, blocked, sync);
            let mut w = std::fs::File::from(wr);
            let _ = w.write_all(err.as_bytes());
            drop(w);
            // SAFETY: leaving the failed child.
            unsafe { libc::_exit(254) }
        }
        ForkResult::Parent { child } => {
            drop(wr);
            drop(c2p_w);
            drop(p2c_r);
            let mut b = [0u8; 1];
            let mut tell = std::fs::File::from(c2p_r);
            if private_users(m) && tell.read(&mut b).unwrap_or(0) == 1 {
                // Identity maps over the whole range: the app keeps its uids (files in the image
                // keep their owners) but its capabilities only count inside its own namespace.
                let mut mapped = Ok(());
                for f in ["uid_map", "gid_map"] {
                    let p = format!("/proc/{child}/{f}");
                    if let Err(e) = std::fs::write(&p, "0 0 4294967295\n") {
                        mapped = Err(format!("app {name}: writing {f}: {e}"));
                    }
                }
                if let Err(e) = mapped {
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
            let mut fds = launch.stdio.to_vec();
            fds.extend(launch.console);
            fds.sort_unstable();
            fds.dedup();
            for fd in fds {
                if fd > 2 {
                    let _ = nix::unistd::close(fd);
                }
            }
            if msg.is_empty() {
                Ok(child)
            } else {
                let _ = waitpid(child, None);
                Err(msg)
            }
        }
    }
}

/// Whether apps get a user namespace each. They do in pods with their own network namespace: two
/// apps then cannot reach each other's files through /proc/PID/root (ptrace access across sibling
/// user namespaces needs CAP_SYS_PTRACE in the target's namespace). With --net=host the host's
/// network namespace would not honour their NET_BIND_SERVICE, so they share the host's.
pub fn private_users(m: &PodManifest) -> bool {
    m.net != NetMode::Host
}

/// The child's ends of the user-namespace handshake.
struct UsernsSync {
    tell: std::fs::File,
    wait: std::fs::File,
}

/// The app's side of the fork: returns only with an error message.
fn app_child(
    m: &PodManifest,
    pod_dir: &std::path::Path,
    l: &AppLaunch,
    blocked: &SigSet,
    mut sync: UsernsSync,
) -> String {
    let name = &l.app.spec.name;
    // Not dumpable until execve (which resets it): with the app's identity this process would
    // otherwise let the pod's apps open /proc/PID/exe, the host's liftoff-stage1 binary.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    let r = (|| -> Result<std::convert::Infallible, String> {
        for s in blocked.iter() {
            // SAFETY: restoring default dispositions in the child before exec.
            let _ = unsafe {
                sigaction(
                    s,
                    &SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty()),
                )
            };
        }
        // Rust ignores SIGPIPE and ignored dispositions survive execve; apps expect the default.
        // SAFETY: as above.
        let _ = unsafe {
            sigaction(
                Signal::SIGPIPE,
                &SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty()),
            )
        };
        blocked
            .thread_unblock()
            .map_err(|e| format!("unblock signals: {e}"))?;
        if let Some(cg) = &l.cgroup {
            cg.join_self().map_err(|e| format!("join cgroup: {e}"))?;
        }
        nix::sched::unshare(
            nix::sched::CloneFlags::CLONE_NEWNS | nix::sched::CloneFlags::CLONE_NEWCGROUP,
        )
        .map_err(|e| format!("unshare mount and cgroup namespaces: {e}"))?;
        let root = app_root::mount_overlay(&l.app.layers, &l.dirs).map_err(|e| e.to_string())?;
        let mut ops = app_root::plan(&pod_dir.join("etc"), l.app.read_only, m.etc_writable);
        // Volumes go below a root that is still writable (their mount points may need creating).
        let root_ro = match ops.last() {
            Some(app_root::Op::RootReadOnly) => ops.pop(),
            _ => None,
        };
        app_root::apply(&root, &ops, l.app.read_only).map_err(|e| e.to_string())?;
        app_root::apply_mounts(&root, &l.app.mounts, pod_dir).map_err(|e| e.to_string())?;
        if let Some(op) = root_ro {
            app_root::apply(&root, &[op], true).map_err(|e| e.to_string())?;
        }
        app_root::pivot(&root).map_err(|e| e.to_string())?;
        drop(root);
        // Last namespace: the app's own user namespace. Everything above needed the init user
        // namespace's privileges (mounting proc, sysfs, devpts); from here on the mount namespace is
        // owned by a namespace the app has no capabilities in, so it cannot change its mounts at all.
        if private_users(m) {
            nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWUSER)
                .map_err(|e| format!("unshare a user namespace: {e}"))?;
            sync.tell
                .write_all(b"u")
                .map_err(|e| format!("user namespace handshake: {e}"))?;
            let mut b = [0u8; 1];
            if sync.wait.read(&mut b).unwrap_or(0) != 1 {
                return Err("the pod init did not map the app's user namespace".into());
            }
        }
        drop(sync);
        // -t: the terminal comes from the app's own devpts (so `tty` names a device it has).
        let mut stdio = l.stdio;
        let mut _slave = None;
        if let Some(c) = l.console {
            let (master, slave) = crate::tty::open_in_app().map_err(|e| format!("-t: {e}"))?;
            crate::tty::send_fd(c, master.as_raw_fd()).map_err(|e| format!("-t: {e}"))?;
            drop(master);
            let _ = nix::unistd::close(c);
            stdio = [slave.as_raw_fd(); 3];
            _slave = Some(slave);
        }
        // stdio last, so errors above still reach the pod's stderr.
        for (i, fd) in stdio.iter().enumerate() {
            if *fd != i as RawFd {
                nix::unistd::dup2(*fd, i as RawFd).map_err(|e| format!("dup2: {e}"))?;
            }
        }
        let mut fds = stdio.to_vec();
        fds.sort_unstable();
        fds.dedup();
        for fd in fds {
            if fd > 2 {
                let _ = nix::unistd::close(fd);
            }
        }
        std::mem::forget(_slave);
        // A session of its own: terminal signals reach the app only through liftoff, or, with -t,
        // from its own pseudo-terminal, which becomes its controlling terminal.
        let _ = nix::unistd::setsid();
        if m.tty {
            // SAFETY: ioctl on fd 0 with an integer argument.
            if unsafe { libc::ioctl(0, libc::TIOCSCTTY as _, 0) } < 0 {
                return Err(format!("make the terminal controlling: {}", Errno::last()));
            }
        }
        // Nothing inherited from whoever started liftoff reaches the app, except the sockets of
        // socket activation (fds 3..3+n, for the app that gets them).
        let keep = m
            .sockets
            .as_ref()
            .filter(|s| s.app == *name)
            .map_or(0, |s| s.count as RawFd);
        cloexec_from(3 + keep);
        let mut spec = l.app.spec.clone();
        if let Some(sa) = m.sockets.as_ref().filter(|s| s.app == *name) {
            // Socket activation: fds 3.. stay open across execve, and LISTEN_PID names the app
            // as its own pod namespace sees it (what sd_listen_fds compares with getpid()).
            for fd in 3..3 + sa.count as RawFd {
                // SAFETY: fcntl on fds the supervisor checked are open.
                unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
            }
            spec.env.retain(|v| !v.starts_with("LISTEN_"));
            spec.env.push(format!("LISTEN_FDS={}", sa.count));
            spec.env
                .push(format!("LISTEN_PID={}", nix::unistd::getpid()));
            if !sa.names.is_empty() {
                spec.env
                    .push(format!("LISTEN_FDNAMES={}", sa.names.join(":")));
            }
        }
        liftoff_stage2::exec(&spec, l.filter.as_ref()).map_err(|e| e.to_string())
    })();
    match r {
        Ok(never) => match never {},
        Err(e) if e.starts_with("app ") => e,
        Err(e) => format!("app {name}: {e}"),
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

/// Re-wraps a raw fd (used by the supervisor when it hands fds across the clone).
///
/// # Safety
/// `fd` must be an open fd owned by nobody else.
pub unsafe fn own(fd: RawFd) -> OwnedFd {
    OwnedFd::from_raw_fd(fd)
}
