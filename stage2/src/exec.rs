//! The last step of one app: user, groups, rlimits, capabilities, no_new_privs, seccomp, execve.
//!
//! The order matters and is fixed here, behind the [`Sys`] trait so it can be checked without root
//! (a recording fake replays it in the unit tests):
//! rlimits → bounding set → setgroups → keep-caps → setresgid/setresuid → inheritable, permitted,
//! effective (root: the whole set; non-root: only the explicitly added caps) → ambient (non-root
//! only) → chdir (as the user) → no_new_privs → seccomp → execve.
//! The bounding set is cut while we still hold CAP_SETPCAP, capabilities survive the uid change only
//! through PR_SET_KEEPCAPS, and the seccomp filter comes last so nothing liftoff does is filtered.

use crate::seccomp::{self, Filter, SeccompError};
use crate::types::{Capability, ResourceLimit, RlimitResource};
use crate::user::{self, Identity, UserError};
use crate::{AppSpec, SpecError};
use caps::errors::CapsError;
use nix::Error as Errno;
use std::ffi::CString;

/// Why one app did not reach `execve` (or `execve` failed), naming the app.
/// What EINVAL from setresuid/setresgid means in a pod: the id has no mapping in the user
/// namespace (a remapped pod holds ids 0 to its range size - 1).
fn unmapped(errno: Errno) -> &'static str {
    match errno {
        Errno::EINVAL => " (not one of the pod's ids: ask for a larger range with --userns=auto:size=N, or run with --userns=host)",
        _ => "",
    }
}

#[derive(Debug, thiserror::Error)]
#[error("app {app}: {error}")]
pub struct ExecError {
    pub app: String,
    pub error: ExecFailure,
}

/// One step of the exec sequence that failed, with the errno and the object it was applied to.
#[derive(Debug, thiserror::Error)]
pub enum ExecFailure {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    User(#[from] UserError),
    #[error("setrlimit {resource}={soft}:{hard}: {errno}")]
    Setrlimit {
        resource: RlimitResource,
        soft: u64,
        hard: u64,
        errno: Errno,
    },
    #[error("drop {cap} from the bounding set: {source}")]
    DropBounding { cap: Capability, source: CapsError },
    #[error("setgroups: {0}{hint}", hint = unmapped(*.0))]
    Setgroups(Errno),
    #[error("getgroups: {0}")]
    Getgroups(Errno),
    #[error("setgroups: the kernel reports groups {}, not the {} asked for", id_list(.now), id_list(.want))]
    GroupsDidNotTake { now: Vec<u32>, want: Vec<u32> },
    #[error("PR_SET_KEEPCAPS: {0}")]
    KeepCaps(Errno),
    #[error("setresgid {gid}: {errno}{}", unmapped(*errno))]
    Setresgid { gid: u32, errno: Errno },
    #[error("setresuid {uid}: {errno}{}", unmapped(*errno))]
    Setresuid { uid: u32, errno: Errno },
    #[error("getresuid: {0}")]
    Getresuid(Errno),
    #[error("getresgid: {0}")]
    Getresgid(Errno),
    #[error("switching to uid {uid} gid {gid} did not take (the process has uid {now_uid} gid {now_gid})")]
    IdsDidNotTake {
        uid: u32,
        gid: u32,
        now_uid: u32,
        now_gid: u32,
    },
    #[error("set the {which} capabilities: {source}")]
    SetCaps {
        which: &'static str,
        source: CapsError,
    },
    #[error("raise ambient {cap}: {source}")]
    RaiseAmbient { cap: Capability, source: CapsError },
    #[error("create working directory {path}: {source}")]
    CreateCwd {
        path: String,
        source: std::io::Error,
    },
    #[error("working directory {path}: {errno}")]
    Chdir { path: String, errno: Errno },
    #[error("PR_SET_NO_NEW_PRIVS: {0}")]
    NoNewPrivs(Errno),
    #[error(transparent)]
    Seccomp(#[from] SeccompError),
    #[error("{prog}: not found in the app's PATH ({path})")]
    NotInPath { prog: String, path: String },
    #[error("{prog}: not found in the app's root filesystem (or its interpreter is missing)")]
    ProgramMissing { prog: String },
    #[error("{prog}: permission denied (not executable by uid {user})")]
    NotExecutable { prog: String, user: String },
    #[error("{prog}: not an executable for this machine")]
    WrongFormat { prog: String },
    #[error("execve {prog}: {errno}")]
    Execve { prog: String, errno: Errno },
}

/// Ids as `[1, 2]`: the form the setgroups message has always had.
fn id_list(ids: &[u32]) -> String {
    let ids: Vec<String> = ids.iter().map(u32::to_string).collect();
    format!("[{}]", ids.join(", "))
}

type Step = Result<(), ExecFailure>;

/// The system calls stage2 makes.
pub trait Sys {
    fn read_file(&mut self, path: &str) -> String;
    fn setrlimit(&mut self, limit: &ResourceLimit) -> Step;
    fn limit_bounding(&mut self, keep: &[Capability]) -> Step;
    fn setgroups(&mut self, groups: &[u32]) -> Step;
    fn keep_caps(&mut self, on: bool) -> Step;
    fn set_ids(&mut self, uid: u32, gid: u32) -> Step;
    fn set_caps(&mut self, caps: &[Capability]) -> Step;
    fn raise_ambient(&mut self, caps: &[Capability]) -> Step;
    fn ensure_dir(&mut self, path: &str) -> Step;
    fn chdir(&mut self, path: &str) -> Step;
    fn no_new_privs(&mut self) -> Step;
    fn seccomp(&mut self, f: &Filter) -> Step;
    fn exists(&mut self, path: &str) -> bool;
    /// Returns only on failure, with the errno.
    fn execve(&mut self, path: &str, argv: &[String], env: &[String]) -> Errno;
}

/// The real system.
pub struct RealSys;

impl Sys for RealSys {
    fn read_file(&mut self, path: &str) -> String {
        user::read_small(path)
    }
    fn setrlimit(&mut self, l: &ResourceLimit) -> Step {
        let infinite = |v: u64| {
            if v == u64::MAX {
                libc::RLIM_INFINITY
            } else {
                v
            }
        };
        let lim = libc::rlimit {
            rlim_cur: infinite(l.soft),
            rlim_max: infinite(l.hard),
        };
        // SAFETY: setrlimit with a valid struct.
        if unsafe { libc::setrlimit(l.resource.raw(), &lim) } != 0 {
            return Err(ExecFailure::Setrlimit {
                resource: l.resource,
                soft: l.soft,
                hard: l.hard,
                errno: Errno::last(),
            });
        }
        Ok(())
    }
    fn limit_bounding(&mut self, keep: &[Capability]) -> Step {
        for c in caps::all() {
            if !keep.contains(&c) && caps::has_cap(None, caps::CapSet::Bounding, c).unwrap_or(false)
            {
                caps::drop(None, caps::CapSet::Bounding, c)
                    .map_err(|source| ExecFailure::DropBounding { cap: c, source })?;
            }
        }
        Ok(())
    }
    fn setgroups(&mut self, groups: &[u32]) -> Step {
        let g: Vec<nix::unistd::Gid> = groups
            .iter()
            .map(|g| nix::unistd::Gid::from_raw(*g))
            .collect();
        nix::unistd::setgroups(&g).map_err(ExecFailure::Setgroups)?;
        // Trust, but verify: the kernel must report exactly the groups asked for.
        let mut now: Vec<u32> = nix::unistd::getgroups()
            .map_err(ExecFailure::Getgroups)?
            .iter()
            .map(|g| g.as_raw())
            .collect();
        let mut want = groups.to_vec();
        now.sort_unstable();
        want.sort_unstable();
        want.dedup();
        now.dedup();
        if now != want {
            return Err(ExecFailure::GroupsDidNotTake { now, want });
        }
        Ok(())
    }
    fn keep_caps(&mut self, on: bool) -> Step {
        nix::sys::prctl::set_keepcaps(on).map_err(ExecFailure::KeepCaps)
    }
    fn set_ids(&mut self, uid: u32, gid: u32) -> Step {
        let g = nix::unistd::Gid::from_raw(gid);
        let u = nix::unistd::Uid::from_raw(uid);
        nix::unistd::setresgid(g, g, g).map_err(|errno| ExecFailure::Setresgid { gid, errno })?;
        nix::unistd::setresuid(u, u, u).map_err(|errno| ExecFailure::Setresuid { uid, errno })?;
        // (uid_t)-1 would have left the ids unchanged; whatever slipped through, the ids must now
        // be exactly the ones asked for.
        let r = nix::unistd::getresuid().map_err(ExecFailure::Getresuid)?;
        let s = nix::unistd::getresgid().map_err(ExecFailure::Getresgid)?;
        if [r.real, r.effective, r.saved]
            .iter()
            .any(|x| x.as_raw() != uid)
            || [s.real, s.effective, s.saved]
                .iter()
                .any(|x| x.as_raw() != gid)
        {
            return Err(ExecFailure::IdsDidNotTake {
                uid,
                gid,
                now_uid: r.effective.as_raw(),
                now_gid: s.effective.as_raw(),
            });
        }
        // A uid change resets "dumpable" to fs.suid_dumpable, which may be 1: keep this process
        // (still liftoff's binary, now with the app's identity) out of the app's reach until execve.
        // SAFETY: prctl with integer arguments.
        unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
        Ok(())
    }
    fn set_caps(&mut self, caps: &[Capability]) -> Step {
        let set: caps::CapsHashSet = caps.iter().copied().collect();
        // Effective first: the kernel refuses a permitted set smaller than the effective one.
        for (cs, which) in [
            (caps::CapSet::Effective, "effective"),
            (caps::CapSet::Permitted, "permitted"),
            (caps::CapSet::Inheritable, "inheritable"),
        ] {
            caps::set(None, cs, &set).map_err(|source| ExecFailure::SetCaps { which, source })?;
        }
        Ok(())
    }
    fn raise_ambient(&mut self, caps: &[Capability]) -> Step {
        for &c in caps {
            caps::raise(None, caps::CapSet::Ambient, c)
                .map_err(|source| ExecFailure::RaiseAmbient { cap: c, source })?;
        }
        Ok(())
    }
    fn ensure_dir(&mut self, path: &str) -> Step {
        std::fs::create_dir_all(path).map_err(|source| ExecFailure::CreateCwd {
            path: path.to_string(),
            source,
        })
    }
    fn chdir(&mut self, path: &str) -> Step {
        nix::unistd::chdir(path).map_err(|errno| ExecFailure::Chdir {
            path: path.to_string(),
            errno,
        })
    }
    fn no_new_privs(&mut self) -> Step {
        nix::sys::prctl::set_no_new_privs().map_err(ExecFailure::NoNewPrivs)
    }
    fn seccomp(&mut self, f: &Filter) -> Step {
        Ok(seccomp::install(f)?)
    }
    fn exists(&mut self, path: &str) -> bool {
        std::path::Path::new(path).exists()
    }
    fn execve(&mut self, path: &str, argv: &[String], env: &[String]) -> Errno {
        let c = |s: &str| CString::new(s).unwrap_or_default();
        let argv: Vec<CString> = argv.iter().map(|a| c(a)).collect();
        let env: Vec<CString> = env.iter().map(|a| c(a)).collect();
        match nix::unistd::execve(&c(path), &argv, &env) {
            Err(e) => e,
            Ok(never) => match never {},
        }
    }
}

/// Finds argv[0] in PATH (from the app's env) when it has no slash.
fn lookup(sys: &mut dyn Sys, prog: &str, env: &[String]) -> Option<String> {
    if prog.contains('/') {
        return Some(prog.to_string());
    }
    let path = env
        .iter()
        .find_map(|v| v.strip_prefix("PATH="))
        .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    path.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| format!("{}/{prog}", d.trim_end_matches('/')))
        .find(|p| sys.exists(p))
}

/// Runs the sequence on `sys`; returns only with an error.
pub fn exec_with(sys: &mut dyn Sys, spec: &AppSpec, filter: Option<&Filter>) -> ExecError {
    let error = match run(sys, spec, filter) {
        Ok(errno) => execve_failure(&spec.argv[0], &spec.user, errno),
        Err(e) => e,
    };
    ExecError {
        app: spec.name.clone(),
        error,
    }
}

/// The sequence up to and including `execve`; `Ok` carries the errno `execve` failed with.
fn run(sys: &mut dyn Sys, spec: &AppSpec, filter: Option<&Filter>) -> Result<Errno, ExecFailure> {
    let checked = spec.check()?;
    let passwd = sys.read_file("/etc/passwd");
    let group = sys.read_file("/etc/group");
    let Identity {
        uid,
        gid,
        groups,
        home,
    } = user::resolve(&spec.user, &spec.additional_groups, &passwd, &group)?;
    let mut env = spec.env.clone();
    if !env.iter().any(|v| v.starts_with("HOME=")) {
        env.push(format!(
            "HOME={}",
            home.filter(|h| !h.is_empty()).unwrap_or_else(|| "/".into())
        ));
    }
    for r in &checked.rlimits {
        sys.setrlimit(r)?;
    }
    if !spec.no_new_privs {
        // Without no_new_privs the filter needs CAP_SYS_ADMIN to install: do it while we have it.
        if let Some(f) = filter {
            sys.seccomp(f)?;
        }
    }
    sys.limit_bounding(&checked.capabilities)?;
    // podman creates a missing working directory.
    sys.ensure_dir(&spec.cwd)?;
    sys.setgroups(&groups)?;
    sys.keep_caps(true)?;
    sys.set_ids(uid, gid)?;
    if uid == 0 {
        sys.set_caps(&checked.capabilities)?;
    } else {
        // A non-root user holds only what was added for it explicitly; ambient carries that
        // across execve (without file capabilities).
        sys.set_caps(&checked.ambient)?;
        if !checked.ambient.is_empty() {
            sys.raise_ambient(&checked.ambient)?;
        }
    }
    sys.keep_caps(false)?;
    sys.chdir(&spec.cwd)?;
    if spec.no_new_privs {
        sys.no_new_privs()?;
    }
    let prog = lookup(sys, &spec.argv[0], &env).ok_or_else(|| ExecFailure::NotInPath {
        prog: spec.argv[0].clone(),
        path: env
            .iter()
            .find_map(|v| v.strip_prefix("PATH="))
            .unwrap_or("")
            .to_string(),
    })?;
    if spec.no_new_privs {
        if let Some(f) = filter {
            sys.seccomp(f)?;
        }
    }
    Ok(sys.execve(&prog, &spec.argv, &env))
}

/// What a failed `execve` of `prog` means for the user.
fn execve_failure(prog: &str, user: &str, errno: Errno) -> ExecFailure {
    let prog = prog.to_string();
    match errno {
        Errno::ENOENT => ExecFailure::ProgramMissing { prog },
        Errno::EACCES => ExecFailure::NotExecutable {
            prog,
            user: user.to_string(),
        },
        Errno::ENOEXEC => ExecFailure::WrongFormat { prog },
        errno => ExecFailure::Execve { prog, errno },
    }
}

/// Runs the app: never returns on success.
pub fn exec(
    spec: &AppSpec,
    filter: Option<&Filter>,
) -> Result<std::convert::Infallible, ExecError> {
    Err(exec_with(&mut RealSys, spec, filter))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(c: &[Capability]) -> String {
        let n: Vec<String> = c.iter().map(|c| c.to_string()).collect();
        n.join(",")
    }

    #[derive(Default)]
    struct Fake {
        log: Vec<String>,
        files: Vec<String>,
    }

    impl Sys for Fake {
        fn read_file(&mut self, path: &str) -> String {
            match path {
                "/etc/passwd" => {
                    "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n".into()
                }
                "/etc/group" => "root:x:0:\napp:x:1000:\n".into(),
                _ => String::new(),
            }
        }
        fn setrlimit(&mut self, l: &ResourceLimit) -> Step {
            self.log
                .push(format!("rlimit {} {} {}", l.resource, l.soft, l.hard));
            Ok(())
        }
        fn limit_bounding(&mut self, k: &[Capability]) -> Step {
            self.log.push(format!("bounding {}", names(k)));
            Ok(())
        }
        fn setgroups(&mut self, g: &[u32]) -> Step {
            self.log.push(format!("setgroups {}", id_list(g)));
            Ok(())
        }
        fn keep_caps(&mut self, on: bool) -> Step {
            self.log.push(format!("keepcaps {on}"));
            Ok(())
        }
        fn set_ids(&mut self, u: u32, g: u32) -> Step {
            self.log.push(format!("ids {u} {g}"));
            Ok(())
        }
        fn set_caps(&mut self, c: &[Capability]) -> Step {
            self.log.push(format!("caps {}", names(c)));
            Ok(())
        }
        fn raise_ambient(&mut self, c: &[Capability]) -> Step {
            self.log.push(format!("ambient {}", names(c)));
            Ok(())
        }
        fn ensure_dir(&mut self, p: &str) -> Step {
            self.log.push(format!("mkdir {p}"));
            Ok(())
        }
        fn chdir(&mut self, p: &str) -> Step {
            self.log.push(format!("chdir {p}"));
            Ok(())
        }
        fn no_new_privs(&mut self) -> Step {
            self.log.push("nnp".into());
            Ok(())
        }
        fn seccomp(&mut self, _: &Filter) -> Step {
            self.log.push("seccomp".into());
            Ok(())
        }
        fn exists(&mut self, p: &str) -> bool {
            self.files.iter().any(|f| f == p)
        }
        fn execve(&mut self, p: &str, _: &[String], env: &[String]) -> Errno {
            self.log.push(format!("execve {p} {}", env.join(" ")));
            Errno::ENOENT
        }
    }

    fn spec(user: &str) -> AppSpec {
        AppSpec {
            name: "web".into(),
            argv: vec!["httpd".into()],
            env: vec!["PATH=/bin".into()],
            cwd: "/srv".into(),
            user: user.into(),
            capabilities: vec![Capability::CAP_NET_BIND_SERVICE, Capability::CAP_CHOWN],
            ambient: vec![Capability::CAP_NET_BIND_SERVICE],
            no_new_privs: true,
            rlimits: vec![crate::types::ResourceLimit::new(
                crate::types::RlimitResource::Nofile,
                1024,
                1024,
            )
            .unwrap()],
            ..Default::default()
        }
    }

    #[test]
    fn order_for_a_non_root_user() {
        let mut f = Fake {
            files: vec!["/bin/httpd".into()],
            ..Default::default()
        };
        let filter = crate::seccomp::compile(&crate::SeccompMode::Default, &[])
            .unwrap()
            .unwrap();
        let e = exec_with(&mut f, &spec("app"), Some(&filter)).to_string();
        assert!(e.contains("app web") && e.contains("not found"), "{e}");
        let log: Vec<&str> = f.log.iter().map(|s| s.split(' ').next().unwrap()).collect();
        assert_eq!(
            log,
            [
                "rlimit",
                "bounding",
                "mkdir",
                "setgroups",
                "keepcaps",
                "ids",
                "caps",
                "ambient",
                "keepcaps",
                "chdir",
                "nnp",
                "seccomp",
                "execve"
            ]
        );
        assert!(f.log.contains(&"ids 1000 1000".to_string()));
        // A non-root user holds only the explicitly added capability, not the whole set.
        assert!(
            f.log.contains(&"caps CAP_NET_BIND_SERVICE".to_string()),
            "{:?}",
            f.log
        );
        assert!(f.log.contains(&"ambient CAP_NET_BIND_SERVICE".to_string()));
        assert!(f.log.last().unwrap().contains("HOME=/home/app"));
        // Without added capabilities a non-root user holds none at all.
        let mut f = Fake {
            files: vec!["/bin/httpd".into()],
            ..Default::default()
        };
        let mut s = spec("app");
        s.ambient.clear();
        exec_with(&mut f, &s, None);
        assert!(f.log.contains(&"caps ".to_string()), "{:?}", f.log);
        assert!(!f.log.iter().any(|l| l.starts_with("ambient")));
    }

    #[test]
    fn root_gets_no_ambient_and_unknown_users_are_named() {
        let mut f = Fake {
            files: vec!["/bin/httpd".into()],
            ..Default::default()
        };
        exec_with(&mut f, &spec(""), None);
        assert!(!f.log.iter().any(|l| l.starts_with("ambient")));
        assert!(!f.log.iter().any(|l| l.starts_with("seccomp")));
        let mut f = Fake::default();
        let e = exec_with(&mut f, &spec("nobody"), None).to_string();
        assert!(
            e.contains("app web") && e.contains("nobody") && e.contains("/etc/passwd"),
            "{e}"
        );
        assert!(!f.log.iter().any(|l| l.starts_with("execve")));
    }

    #[test]
    fn missing_program_in_path_is_named() {
        let mut f = Fake::default();
        let e = exec_with(&mut f, &spec(""), None).to_string();
        assert!(e.contains("httpd: not found in the app's PATH"), "{e}");
    }
}
