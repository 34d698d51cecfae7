//! The app's side of init's fork: every step from init's child to stage2, in a fixed order, behind
//! the [`AppSys`] trait so the order is unit-tested without root (a recording fake replays it):
//! signal dispositions → cgroup join → unshare(mount, cgroup) → overlay root → mount table →
//! volumes → read-only root → pivot_root → the app's users (a remapped pod's user namespace and
//! the app's Landlock domain, or a user namespace of its own and the map handshake) → terminal →
//! stdio → session → inherited fds → stage2.
//! The cgroup is joined before the cgroup namespace is unshared (so the app's namespace root is its
//! own cgroup), everything that mounts happens before the user namespace (which would take those
//! privileges away), and stdio comes late so errors before it still reach the pod's stderr.

use crate::app_root::{self, AppDirs, Op, RootError};
use crate::cgroups::{AppCgroup, CgroupError};
use crate::init::{app_users, AppLaunch, AppUsers};
use crate::manifest::{AppMount, IdMap, PodManifest};
use liftoff_stage2::seccomp::Filter;
use liftoff_stage2::AppSpec;
use nix::errno::Errno;
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

/// Why an app did not reach execve (shown as `app NAME: …`).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("unblock signals: {0}")]
    Unblock(Errno),
    #[error("join cgroup: {0}")]
    JoinCgroup(CgroupError),
    #[error("unshare mount and cgroup namespaces: {0}")]
    UnshareMount(Errno),
    #[error(transparent)]
    Root(#[from] RootError),
    #[error("unshare a user namespace: {0}")]
    UnshareUser(Errno),
    #[error("user namespace handshake: {0}")]
    Handshake(std::io::Error),
    #[error("the pod init did not map the app's user namespace")]
    NotMapped,
    #[error("the pod init holds no user namespace for this remapped pod")]
    NoPodUserns,
    #[error(transparent)]
    Userns(#[from] crate::userns::UsernsError),
    #[error(transparent)]
    Landlock(#[from] crate::landlock::LandlockError),
    #[error("-t: {0}")]
    Tty(#[from] crate::tty::TtyError),
    #[error("dup2: {0}")]
    Dup2(Errno),
    #[error("make the terminal controlling: {0}")]
    Controlling(Errno),
    /// Stage2's errors already name the app.
    #[error(transparent)]
    Exec(#[from] liftoff_stage2::ExecError),
}

/// Which namespaces an [`AppSys::unshare`] creates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unshare {
    /// The app's own mount and cgroup namespaces.
    MountAndCgroup,
    /// The app's own user namespace (the last one).
    User,
}

/// What becomes the app's fds 0, 1 and 2.
pub enum Stdio {
    /// Each given fd (None: keep init's own, as `-i` does with fd 0).
    Fds([Option<OwnedFd>; 3]),
    /// -t: the slave of the app's terminal, on all three.
    Terminal(OwnedFd),
}

/// The system calls of the app's setup, in the order [`app_child`] makes them.
pub trait AppSys {
    /// Not dumpable until execve (which resets it).
    fn not_dumpable(&mut self);
    /// Default dispositions and an empty mask, as apps expect.
    fn reset_signals(&mut self, blocked: &SigSet) -> Result<(), AppError>;
    fn join_cgroup(&mut self, cg: &AppCgroup) -> Result<(), AppError>;
    fn unshare(&mut self, ns: Unshare) -> Result<(), AppError>;
    fn mount_overlay(&mut self, layers: &[PathBuf], dirs: &AppDirs) -> Result<OwnedFd, AppError>;
    fn apply(&mut self, root: &OwnedFd, ops: &[Op], read_only: bool) -> Result<(), AppError>;
    fn apply_mounts(
        &mut self,
        root: &OwnedFd,
        mounts: &[AppMount],
        pod_dir: &Path,
    ) -> Result<(), AppError>;
    fn pivot_root(&mut self, root: &OwnedFd) -> Result<(), AppError>;
    /// Tells init the user namespace exists and waits until init has written its maps.
    fn userns_handshake(&mut self) -> Result<(), AppError>;
    /// A remapped pod: joins the pod's user namespace as its root.
    fn join_pod_userns(&mut self) -> Result<(), AppError>;
    /// A remapped pod: the app's own Landlock domain (see `landlock`).
    fn confine(&mut self) -> Result<(), AppError>;
    /// -t: opens a pty on the app's own devpts, sends the master over `channel`; returns the slave.
    fn open_terminal(&mut self, channel: OwnedFd) -> Result<OwnedFd, AppError>;
    fn set_stdio(&mut self, stdio: Stdio) -> Result<(), AppError>;
    /// A session of its own; with `controlling`, fd 0 becomes its controlling terminal.
    fn new_session(&mut self, controlling: bool) -> Result<(), AppError>;
    /// Every inherited fd from 3 up closes at execve, except the `keep` sockets of socket
    /// activation (fds 3..3+keep).
    fn close_inherited(&mut self, keep: u32);
    /// The app's pid as its pod sees it.
    fn pid(&mut self) -> i32;
    /// Hands over to stage2; returns only on failure.
    fn exec_stage2(&mut self, spec: &AppSpec, filter: Option<&Filter>) -> AppError;
}

/// The app's side of the fork: returns only with the message for why it did not start.
pub fn app_child<S: AppSys>(
    s: &mut S,
    m: &PodManifest,
    pod_dir: &Path,
    l: AppLaunch,
    blocked: &SigSet,
) -> String {
    let name = l.app.spec.name.clone();
    // With the app's identity this process would otherwise let the pod's apps open
    // /proc/PID/exe, the host's liftoff-stage1 binary.
    s.not_dumpable();
    match setup(s, m, pod_dir, l, blocked) {
        Err(AppError::Exec(e)) => e.to_string(),
        Err(e) => format!("app {name}: {e}"),
    }
}

fn setup<S: AppSys>(
    s: &mut S,
    m: &PodManifest,
    pod_dir: &Path,
    l: AppLaunch,
    blocked: &SigSet,
) -> Result<std::convert::Infallible, AppError> {
    s.reset_signals(blocked)?;
    if let Some(cg) = &l.cgroup {
        s.join_cgroup(cg)?;
    }
    s.unshare(Unshare::MountAndCgroup)?;
    let root = s.mount_overlay(&l.app.layers, &l.dirs)?;
    let mut ops = app_root::plan(
        &pod_dir.join("etc"),
        l.app.read_only,
        m.etc_writable,
        m.userns.as_ref(),
    );
    // Volumes go below a root that is still writable (their mount points may need creating).
    let root_ro = match ops.last() {
        Some(Op::RootReadOnly) => ops.pop(),
        _ => None,
    };
    s.apply(&root, &ops, l.app.read_only)?;
    s.apply_mounts(&root, &l.app.mounts, pod_dir)?;
    if let Some(op) = root_ro {
        s.apply(&root, &[op], true)?;
    }
    s.pivot_root(&root)?;
    drop(root);
    // Last namespace: a user namespace. Everything above needed the init user namespace's
    // privileges (mounting proc, sysfs, devpts, idmapped layers); from here on the mount namespace
    // is owned by a namespace the app has no capabilities in, so it cannot change its mounts.
    match app_users(m) {
        AppUsers::Pod => {
            s.join_pod_userns()?;
            s.confine()?;
        }
        AppUsers::Own => {
            s.unshare(Unshare::User)?;
            s.userns_handshake()?;
        }
        AppUsers::Host => {}
    }
    // -t: the terminal comes from the app's own devpts (so `tty` names a device it has).
    let stdio = match l.console {
        Some(c) => Stdio::Terminal(s.open_terminal(c)?),
        None => Stdio::Fds(l.stdio),
    };
    s.set_stdio(stdio)?;
    // A session of its own: terminal signals reach the app only through liftoff, or, with -t,
    // from its own pseudo-terminal, which becomes its controlling terminal.
    s.new_session(m.tty)?;
    let name = &l.app.spec.name;
    let sockets = m.sockets.as_ref().filter(|sa| sa.app == *name);
    s.close_inherited(sockets.map_or(0, |sa| sa.count));
    let mut spec = l.app.spec.clone();
    if let Some(sa) = sockets {
        // LISTEN_PID names the app as its own pod namespace sees it (what sd_listen_fds compares
        // with getpid()).
        spec.env.retain(|v| !v.starts_with("LISTEN_"));
        spec.env.push(format!("LISTEN_FDS={}", sa.count));
        spec.env.push(format!("LISTEN_PID={}", s.pid()));
        if !sa.names.is_empty() {
            spec.env
                .push(format!("LISTEN_FDNAMES={}", sa.names.join(":")));
        }
    }
    Err(s.exec_stage2(&spec, l.filter.as_ref()))
}

/// The child's ends of the user-namespace handshake with init.
pub struct UsernsSync {
    pub tell: std::fs::File,
    pub wait: std::fs::File,
}

/// The real system.
pub struct RealApp {
    pub sync: Option<UsernsSync>,
    /// A remapped pod's id map and user namespace (init's fd, inherited).
    pub userns: Option<(IdMap, RawFd)>,
}

impl RealApp {
    fn userns_fd(&self) -> Option<std::os::fd::BorrowedFd<'_>> {
        // SAFETY: init keeps the pod's user namespace fd open for the life of the pod.
        self.userns
            .as_ref()
            .map(|(_, fd)| unsafe { std::os::fd::BorrowedFd::borrow_raw(*fd) })
    }
}

/// Default dispositions for init's handled signals and SIGPIPE, and none blocked: what a process
/// of the pod gets before it execs (apps, probes).
pub(crate) fn reset_signals(blocked: &SigSet) -> Result<(), nix::errno::Errno> {
    blocked.iter().for_each(default_disposition);
    // Rust ignores SIGPIPE and ignored dispositions survive execve; programs expect the default.
    default_disposition(Signal::SIGPIPE);
    blocked.thread_unblock()
}

fn default_disposition(s: Signal) {
    // SAFETY: restoring the default disposition in the child before exec.
    let _ = unsafe {
        sigaction(
            s,
            &SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty()),
        )
    };
}

impl AppSys for RealApp {
    fn not_dumpable(&mut self) {
        // SAFETY: prctl with integer arguments.
        unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    }
    fn reset_signals(&mut self, blocked: &SigSet) -> Result<(), AppError> {
        reset_signals(blocked).map_err(AppError::Unblock)
    }
    fn join_cgroup(&mut self, cg: &AppCgroup) -> Result<(), AppError> {
        cg.join_self().map_err(AppError::JoinCgroup)
    }
    fn unshare(&mut self, ns: Unshare) -> Result<(), AppError> {
        use nix::sched::CloneFlags as C;
        match ns {
            Unshare::MountAndCgroup => nix::sched::unshare(C::CLONE_NEWNS | C::CLONE_NEWCGROUP)
                .map_err(AppError::UnshareMount),
            Unshare::User => nix::sched::unshare(C::CLONE_NEWUSER).map_err(AppError::UnshareUser),
        }
    }
    fn mount_overlay(&mut self, layers: &[PathBuf], dirs: &AppDirs) -> Result<OwnedFd, AppError> {
        Ok(app_root::mount_overlay(layers, dirs, self.userns_fd())?)
    }
    fn apply(&mut self, root: &OwnedFd, ops: &[Op], read_only: bool) -> Result<(), AppError> {
        let owner = self.userns.as_ref().map(|(ids, _)| (ids.uid, ids.gid));
        Ok(app_root::apply(root, ops, read_only, owner)?)
    }
    fn apply_mounts(
        &mut self,
        root: &OwnedFd,
        mounts: &[AppMount],
        pod_dir: &Path,
    ) -> Result<(), AppError> {
        let remap = self.userns.as_ref().map(|(m, _)| *m);
        let remap = remap.as_ref().zip(self.userns_fd());
        Ok(app_root::apply_mounts(root, mounts, pod_dir, remap)?)
    }
    fn pivot_root(&mut self, root: &OwnedFd) -> Result<(), AppError> {
        Ok(app_root::pivot(root)?)
    }
    fn userns_handshake(&mut self) -> Result<(), AppError> {
        let Some(mut sync) = self.sync.take() else {
            return Err(AppError::NotMapped);
        };
        sync.tell.write_all(b"u").map_err(AppError::Handshake)?;
        let mut b = [0u8; 1];
        if sync.wait.read(&mut b).unwrap_or(0) != 1 {
            return Err(AppError::NotMapped);
        }
        Ok(())
    }
    fn join_pod_userns(&mut self) -> Result<(), AppError> {
        let fd = self.userns_fd().ok_or(AppError::NoPodUserns)?;
        Ok(crate::userns::become_pod_root(fd)?)
    }
    fn confine(&mut self) -> Result<(), AppError> {
        Ok(crate::landlock::own_domain()?)
    }
    fn open_terminal(&mut self, channel: OwnedFd) -> Result<OwnedFd, AppError> {
        let (master, slave) = crate::tty::open_in_app()?;
        crate::tty::send_fd(channel.as_fd(), master.as_fd())?;
        Ok(slave)
    }
    fn set_stdio(&mut self, stdio: Stdio) -> Result<(), AppError> {
        let fds: [Option<RawFd>; 3] = match &stdio {
            Stdio::Fds(f) => [0, 1, 2].map(|i| f[i].as_ref().map(|fd| fd.as_raw_fd())),
            Stdio::Terminal(t) => [Some(t.as_raw_fd()); 3],
        };
        for (i, fd) in fds.iter().enumerate() {
            match fd {
                Some(fd) if *fd != i as RawFd => {
                    nix::unistd::dup2(*fd, i as RawFd).map_err(AppError::Dup2)?;
                }
                _ => {}
            }
        }
        // The originals close, except one that already was the stdio fd it stands for.
        let owned: Vec<OwnedFd> = match stdio {
            Stdio::Fds(f) => f.into_iter().flatten().collect(),
            Stdio::Terminal(t) => vec![t],
        };
        for fd in owned {
            match fd.as_raw_fd() > 2 {
                true => drop(fd),
                false => std::mem::forget(fd),
            }
        }
        Ok(())
    }
    fn new_session(&mut self, controlling: bool) -> Result<(), AppError> {
        let _ = nix::unistd::setsid();
        // SAFETY: ioctl on fd 0 with an integer argument.
        if controlling && unsafe { libc::ioctl(0, libc::TIOCSCTTY as _, 0) } < 0 {
            return Err(AppError::Controlling(Errno::last()));
        }
        Ok(())
    }
    fn close_inherited(&mut self, keep: u32) {
        // Nothing inherited from whoever started liftoff reaches the app, except the sockets of
        // socket activation (for the app that gets them).
        crate::init::cloexec_from(3 + keep as RawFd);
        for fd in 3..3 + keep as RawFd {
            // SAFETY: fcntl on fds the supervisor checked are open.
            unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
        }
    }
    fn pid(&mut self) -> i32 {
        nix::unistd::getpid().as_raw()
    }
    fn exec_stage2(&mut self, spec: &AppSpec, filter: Option<&Filter>) -> AppError {
        match liftoff_stage2::exec(spec, filter) {
            Ok(never) => match never {},
            Err(e) => AppError::Exec(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{NetMode, SocketActivation};
    use crate::test_support::manifest;

    #[derive(Default)]
    struct Fake {
        calls: Vec<String>,
        fail: Option<&'static str>,
    }

    impl Fake {
        fn step(&mut self, name: &str) -> Result<(), AppError> {
            self.calls.push(name.to_string());
            match self.fail == Some(name) {
                true => Err(AppError::UnshareMount(Errno::EPERM)),
                false => Ok(()),
            }
        }
    }

    impl AppSys for Fake {
        fn not_dumpable(&mut self) {
            self.calls.push("not_dumpable".into());
        }
        fn reset_signals(&mut self, _: &SigSet) -> Result<(), AppError> {
            self.step("reset_signals")
        }
        fn join_cgroup(&mut self, _: &AppCgroup) -> Result<(), AppError> {
            self.step("join_cgroup")
        }
        fn unshare(&mut self, ns: Unshare) -> Result<(), AppError> {
            self.step(match ns {
                Unshare::MountAndCgroup => "unshare(mount, cgroup)",
                Unshare::User => "unshare(user)",
            })
        }
        fn mount_overlay(&mut self, _: &[PathBuf], _: &AppDirs) -> Result<OwnedFd, AppError> {
            self.step("mount_overlay")?;
            Ok(std::fs::File::open("/").unwrap().into())
        }
        fn apply(&mut self, _: &OwnedFd, ops: &[Op], _: bool) -> Result<(), AppError> {
            let last = matches!(ops, [Op::RootReadOnly]);
            self.step(if last {
                "root_read_only"
            } else {
                "mount_table"
            })
        }
        fn apply_mounts(&mut self, _: &OwnedFd, _: &[AppMount], _: &Path) -> Result<(), AppError> {
            self.step("volumes")
        }
        fn pivot_root(&mut self, _: &OwnedFd) -> Result<(), AppError> {
            self.step("pivot_root")
        }
        fn userns_handshake(&mut self) -> Result<(), AppError> {
            self.step("userns_handshake")
        }
        fn join_pod_userns(&mut self) -> Result<(), AppError> {
            self.step("join_pod_userns")
        }
        fn confine(&mut self) -> Result<(), AppError> {
            self.step("confine")
        }
        fn open_terminal(&mut self, c: OwnedFd) -> Result<OwnedFd, AppError> {
            self.step("open_terminal")?;
            Ok(c)
        }
        fn set_stdio(&mut self, _: Stdio) -> Result<(), AppError> {
            self.step("set_stdio")
        }
        fn new_session(&mut self, controlling: bool) -> Result<(), AppError> {
            self.step(&format!("new_session(tty={controlling})"))
        }
        fn close_inherited(&mut self, keep: u32) {
            self.calls.push(format!("close_inherited(keep={keep})"));
        }
        fn pid(&mut self) -> i32 {
            1
        }
        fn exec_stage2(&mut self, spec: &AppSpec, _: Option<&Filter>) -> AppError {
            let listen: Vec<&String> = spec
                .env
                .iter()
                .filter(|e| e.starts_with("LISTEN_"))
                .collect();
            self.calls.push(format!("stage2 {listen:?}"));
            AppError::NotMapped
        }
    }

    fn launch(m: &PodManifest, console: bool) -> AppLaunch {
        let pod = Path::new("/nonexistent/pod");
        AppLaunch {
            app: m.apps[0].clone(),
            dirs: AppDirs::new(pod, "web"),
            stdio: [None, None, None],
            console: console.then(|| std::fs::File::open("/").unwrap().into()),
            filter: None,
            cgroup: Some(AppCgroup::for_test()),
            console_used: false,
        }
    }

    fn run(f: &mut Fake, m: &PodManifest, console: bool) -> String {
        let pod = Path::new("/nonexistent/pod");
        app_child(f, m, pod, launch(m, console), &SigSet::empty())
    }

    #[test]
    fn app_setup_order_with_a_private_user_namespace() {
        let m = manifest(NetMode::None);
        let mut f = Fake::default();
        let msg = run(&mut f, &m, false);
        assert_eq!(
            msg,
            "app web: the pod init did not map the app's user namespace"
        );
        assert_eq!(
            f.calls,
            [
                "not_dumpable",
                "reset_signals",
                "join_cgroup",
                "unshare(mount, cgroup)",
                "mount_overlay",
                "mount_table",
                "volumes",
                "root_read_only",
                "pivot_root",
                "unshare(user)",
                "userns_handshake",
                "set_stdio",
                "new_session(tty=false)",
                "close_inherited(keep=0)",
                "stage2 []",
            ]
        );
    }

    #[test]
    fn remapped_apps_join_the_pods_user_namespace_then_confine_after_pivot_root() {
        for net in [NetMode::None, NetMode::Host] {
            let mut m = manifest(net);
            m.userns = Some(IdMap {
                uid: 100000,
                gid: 100000,
                size: 65536,
            });
            let mut f = Fake::default();
            run(&mut f, &m, false);
            assert_eq!(
                f.calls[8..],
                [
                    "pivot_root",
                    "join_pod_userns",
                    "confine",
                    "set_stdio",
                    "new_session(tty=false)",
                    "close_inherited(keep=0)",
                    "stage2 []",
                ]
            );
        }
    }

    #[test]
    fn a_remapped_app_that_cannot_confine_itself_does_not_start() {
        let mut m = manifest(NetMode::None);
        m.userns = Some(IdMap {
            uid: 100000,
            gid: 100000,
            size: 65536,
        });
        let mut f = Fake {
            fail: Some("confine"),
            ..Fake::default()
        };
        run(&mut f, &m, false);
        assert_eq!(f.calls.last().map(String::as_str), Some("confine"));
    }

    #[test]
    fn host_network_apps_share_the_user_namespace_and_get_their_sockets() {
        let mut m = manifest(NetMode::Host);
        m.tty = true;
        m.sockets = Some(SocketActivation {
            app: "web".into(),
            count: 2,
            names: vec!["a".into(), "b".into()],
        });
        let mut f = Fake::default();
        run(&mut f, &m, true);
        assert_eq!(
            f.calls[8..],
            [
                "pivot_root",
                "open_terminal",
                "set_stdio",
                "new_session(tty=true)",
                "close_inherited(keep=2)",
                r#"stage2 ["LISTEN_FDS=2", "LISTEN_PID=1", "LISTEN_FDNAMES=a:b"]"#,
            ]
        );
    }

    #[test]
    fn a_failed_step_stops_the_setup_and_names_the_app() {
        let m = manifest(NetMode::None);
        let mut f = Fake {
            fail: Some("unshare(mount, cgroup)"),
            ..Fake::default()
        };
        let msg = run(&mut f, &m, false);
        assert_eq!(
            msg,
            "app web: unshare mount and cgroup namespaces: EPERM: Operation not permitted"
        );
        assert_eq!(
            f.calls,
            [
                "not_dumpable",
                "reset_signals",
                "join_cgroup",
                "unshare(mount, cgroup)"
            ]
        );
    }
}
