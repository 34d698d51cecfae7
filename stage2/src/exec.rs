//! The last step of one app: user, groups, rlimits, capabilities, no_new_privs, seccomp, execve.
//!
//! The order matters and is fixed here, behind the [`Sys`] trait so it can be checked without root
//! (a recording fake replays it in the unit tests):
//! rlimits → bounding set → setgroups → keep-caps → setresgid/setresuid → inheritable, permitted,
//! effective (root: the whole set; non-root: only the explicitly added caps) → ambient (non-root
//! only) → chdir (as the user) → no_new_privs → seccomp → execve.
//! The bounding set is cut while we still hold CAP_SETPCAP, capabilities survive the uid change only
//! through PR_SET_KEEPCAPS, and the seccomp filter comes last so nothing liftoff does is filtered.

use crate::seccomp::{self, Filter};
use crate::user::{self, Identity};
use crate::AppSpec;
use std::ffi::CString;

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("app {app}: {msg}")]
    App { app: String, msg: String },
}

/// The system calls stage2 makes.
pub trait Sys {
    fn read_file(&mut self, path: &str) -> String;
    fn setrlimit(&mut self, resource: &str, soft: u64, hard: u64) -> Result<(), String>;
    fn limit_bounding(&mut self, keep: &[String]) -> Result<(), String>;
    fn setgroups(&mut self, groups: &[u32]) -> Result<(), String>;
    fn keep_caps(&mut self, on: bool) -> Result<(), String>;
    fn set_ids(&mut self, uid: u32, gid: u32) -> Result<(), String>;
    fn set_caps(&mut self, caps: &[String]) -> Result<(), String>;
    fn raise_ambient(&mut self, caps: &[String]) -> Result<(), String>;
    fn ensure_dir(&mut self, path: &str) -> Result<(), String>;
    fn chdir(&mut self, path: &str) -> Result<(), String>;
    fn no_new_privs(&mut self) -> Result<(), String>;
    fn seccomp(&mut self, f: &Filter) -> Result<(), String>;
    fn exists(&mut self, path: &str) -> bool;
    /// Returns only on failure, with the errno.
    fn execve(&mut self, path: &str, argv: &[String], env: &[String]) -> nix::Error;
}

/// The real system.
pub struct RealSys;

fn rlimit_resource(name: &str) -> Option<libc::__rlimit_resource_t> {
    Some(match name {
        "RLIMIT_AS" => libc::RLIMIT_AS,
        "RLIMIT_CORE" => libc::RLIMIT_CORE,
        "RLIMIT_CPU" => libc::RLIMIT_CPU,
        "RLIMIT_DATA" => libc::RLIMIT_DATA,
        "RLIMIT_FSIZE" => libc::RLIMIT_FSIZE,
        "RLIMIT_LOCKS" => libc::RLIMIT_LOCKS,
        "RLIMIT_MEMLOCK" => libc::RLIMIT_MEMLOCK,
        "RLIMIT_MSGQUEUE" => libc::RLIMIT_MSGQUEUE,
        "RLIMIT_NICE" => libc::RLIMIT_NICE,
        "RLIMIT_NOFILE" => libc::RLIMIT_NOFILE,
        "RLIMIT_NPROC" => libc::RLIMIT_NPROC,
        "RLIMIT_RSS" => libc::RLIMIT_RSS,
        "RLIMIT_RTPRIO" => libc::RLIMIT_RTPRIO,
        "RLIMIT_RTTIME" => libc::RLIMIT_RTTIME,
        "RLIMIT_SIGPENDING" => libc::RLIMIT_SIGPENDING,
        "RLIMIT_STACK" => libc::RLIMIT_STACK,
        _ => return None,
    })
}

fn capset(names: &[String]) -> Result<caps::CapsHashSet, String> {
    names
        .iter()
        .map(|n| {
            n.parse::<caps::Capability>()
                .map_err(|_| format!("unknown capability {n}"))
        })
        .collect()
}

impl Sys for RealSys {
    fn read_file(&mut self, path: &str) -> String {
        user::read_small(path)
    }
    fn setrlimit(&mut self, resource: &str, soft: u64, hard: u64) -> Result<(), String> {
        let r = rlimit_resource(resource).ok_or_else(|| format!("unknown rlimit {resource}"))?;
        let lim = libc::rlimit {
            rlim_cur: if soft == u64::MAX {
                libc::RLIM_INFINITY
            } else {
                soft
            },
            rlim_max: if hard == u64::MAX {
                libc::RLIM_INFINITY
            } else {
                hard
            },
        };
        // SAFETY: setrlimit with a valid struct.
        if unsafe { libc::setrlimit(r, &lim) } != 0 {
            return Err(format!(
                "setrlimit {resource}={soft}:{hard}: {}",
                nix::Error::last()
            ));
        }
        Ok(())
    }
    fn limit_bounding(&mut self, keep: &[String]) -> Result<(), String> {
        let keep = capset(keep)?;
        for c in caps::all() {
            if !keep.contains(&c) && caps::has_cap(None, caps::CapSet::Bounding, c).unwrap_or(false)
            {
                caps::drop(None, caps::CapSet::Bounding, c)
                    .map_err(|e| format!("drop {c} from the bounding set: {e}"))?;
            }
        }
        Ok(())
    }
    fn setgroups(&mut self, groups: &[u32]) -> Result<(), String> {
        let g: Vec<nix::unistd::Gid> = groups
            .iter()
            .map(|g| nix::unistd::Gid::from_raw(*g))
            .collect();
        nix::unistd::setgroups(&g).map_err(|e| format!("setgroups: {e}"))?;
        // Trust, but verify: the kernel must report exactly the groups asked for.
        let mut now: Vec<u32> = nix::unistd::getgroups()
            .map_err(|e| format!("getgroups: {e}"))?
            .iter()
            .map(|g| g.as_raw())
            .collect();
        let mut want = groups.to_vec();
        now.sort_unstable();
        want.sort_unstable();
        want.dedup();
        now.dedup();
        if now != want {
            return Err(format!(
                "setgroups: the kernel reports groups {now:?}, not the {want:?} asked for"
            ));
        }
        Ok(())
    }
    fn keep_caps(&mut self, on: bool) -> Result<(), String> {
        nix::sys::prctl::set_keepcaps(on).map_err(|e| format!("PR_SET_KEEPCAPS: {e}"))
    }
    fn set_ids(&mut self, uid: u32, gid: u32) -> Result<(), String> {
        let g = nix::unistd::Gid::from_raw(gid);
        let u = nix::unistd::Uid::from_raw(uid);
        nix::unistd::setresgid(g, g, g).map_err(|e| format!("setresgid {gid}: {e}"))?;
        nix::unistd::setresuid(u, u, u).map_err(|e| format!("setresuid {uid}: {e}"))?;
        // (uid_t)-1 would have left the ids unchanged; whatever slipped through, the ids must now
        // be exactly the ones asked for.
        let r = nix::unistd::getresuid().map_err(|e| format!("getresuid: {e}"))?;
        let s = nix::unistd::getresgid().map_err(|e| format!("getresgid: {e}"))?;
        if [r.real, r.effective, r.saved]
            .iter()
            .any(|x| x.as_raw() != uid)
            || [s.real, s.effective, s.saved]
                .iter()
                .any(|x| x.as_raw() != gid)
        {
            return Err(format!(
                "switching to uid {uid} gid {gid} did not take (the process has uid {} gid {})",
                r.effective, s.effective
            ));
        }
        // A uid change resets "dumpable" to fs.suid_dumpable, which may be 1: keep this process
        // (still liftoff's binary, now with the app's identity) out of the app's reach until execve.
        // SAFETY: prctl with integer arguments.
        unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
        Ok(())
    }
    fn set_caps(&mut self, names: &[String]) -> Result<(), String> {
        let set = capset(names)?;
        // Effective first: the kernel refuses a permitted set smaller than the effective one.
        for (cs, which) in [
            (caps::CapSet::Effective, "effective"),
            (caps::CapSet::Permitted, "permitted"),
            (caps::CapSet::Inheritable, "inheritable"),
        ] {
            caps::set(None, cs, &set).map_err(|e| format!("set the {which} capabilities: {e}"))?;
        }
        Ok(())
    }
    fn raise_ambient(&mut self, names: &[String]) -> Result<(), String> {
        for c in capset(names)? {
            caps::raise(None, caps::CapSet::Ambient, c)
                .map_err(|e| format!("raise ambient {c}: {e}"))?;
        }
        Ok(())
    }
    fn ensure_dir(&mut self, path: &str) -> Result<(), String> {
        std::fs::create_dir_all(path).map_err(|e| format!("create working directory {path}: {e}"))
    }
    fn chdir(&mut self, path: &str) -> Result<(), String> {
        nix::unistd::chdir(path).map_err(|e| format!("working directory {path}: {e}"))
    }
    fn no_new_privs(&mut self) -> Result<(), String> {
        nix::sys::prctl::set_no_new_privs().map_err(|e| format!("PR_SET_NO_NEW_PRIVS: {e}"))
    }
    fn seccomp(&mut self, f: &Filter) -> Result<(), String> {
        seccomp::install(f).map_err(|e| e.to_string())
    }
    fn exists(&mut self, path: &str) -> bool {
        std::path::Path::new(path).exists()
    }
    fn execve(&mut self, path: &str, argv: &[String], env: &[String]) -> nix::Error {
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
    let fail = |msg: String| ExecError::App {
        app: spec.name.clone(),
        msg,
    };
    if let Err(e) = spec.validate() {
        return fail(
            e.to_string()
                .trim_start_matches(&format!("app {}: ", spec.name))
                .to_string(),
        );
    }
    let r = (|| -> Result<nix::Error, String> {
        let passwd = sys.read_file("/etc/passwd");
        let group = sys.read_file("/etc/group");
        let Identity {
            uid,
            gid,
            groups,
            home,
        } = user::resolve(&spec.user, &spec.additional_groups, &passwd, &group)
            .map_err(|e| e.to_string())?;
        let mut env = spec.env.clone();
        if !env.iter().any(|v| v.starts_with("HOME=")) {
            env.push(format!(
                "HOME={}",
                home.filter(|h| !h.is_empty()).unwrap_or_else(|| "/".into())
            ));
        }
        for r in &spec.rlimits {
            sys.setrlimit(&r.resource, r.soft, r.hard)?;
        }
        if !spec.no_new_privs {
            // Without no_new_privs the filter needs CAP_SYS_ADMIN to install: do it while we have it.
            if let Some(f) = filter {
                sys.seccomp(f)?;
            }
        }
        sys.limit_bounding(&spec.capabilities)?;
        // podman creates a missing working directory.
        sys.ensure_dir(&spec.cwd)?;
        sys.setgroups(&groups)?;
        sys.keep_caps(true)?;
        sys.set_ids(uid, gid)?;
        if uid == 0 {
            sys.set_caps(&spec.capabilities)?;
        } else {
            // A non-root user holds only what was added for it explicitly; ambient carries that
            // across execve (without file capabilities).
            sys.set_caps(&spec.ambient)?;
            if !spec.ambient.is_empty() {
                sys.raise_ambient(&spec.ambient)?;
            }
        }
        sys.keep_caps(false)?;
        sys.chdir(&spec.cwd)?;
        if spec.no_new_privs {
            sys.no_new_privs()?;
        }
        let prog = lookup(sys, &spec.argv[0], &env).ok_or_else(|| {
            format!(
                "{}: not found in the app's PATH ({})",
                spec.argv[0],
                env.iter()
                    .find_map(|v| v.strip_prefix("PATH="))
                    .unwrap_or("")
            )
        })?;
        if spec.no_new_privs {
            if let Some(f) = filter {
                sys.seccomp(f)?;
            }
        }
        Ok(sys.execve(&prog, &spec.argv, &env))
    })();
    match r {
        Ok(errno) => fail(match errno {
            nix::Error::ENOENT => format!(
                "{}: not found in the app's root filesystem (or its interpreter is missing)",
                spec.argv[0]
            ),
            nix::Error::EACCES => format!(
                "{}: permission denied (not executable by uid {})",
                spec.argv[0], spec.user
            ),
            nix::Error::ENOEXEC => format!("{}: not an executable for this machine", spec.argv[0]),
            e => format!("execve {}: {e}", spec.argv[0]),
        }),
        Err(msg) => fail(msg),
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
        fn setrlimit(&mut self, r: &str, s: u64, h: u64) -> Result<(), String> {
            self.log.push(format!("rlimit {r} {s} {h}"));
            Ok(())
        }
        fn limit_bounding(&mut self, k: &[String]) -> Result<(), String> {
            self.log.push(format!("bounding {}", k.join(",")));
            Ok(())
        }
        fn setgroups(&mut self, g: &[u32]) -> Result<(), String> {
            self.log.push(format!("setgroups {g:?}"));
            Ok(())
        }
        fn keep_caps(&mut self, on: bool) -> Result<(), String> {
            self.log.push(format!("keepcaps {on}"));
            Ok(())
        }
        fn set_ids(&mut self, u: u32, g: u32) -> Result<(), String> {
            self.log.push(format!("ids {u} {g}"));
            Ok(())
        }
        fn set_caps(&mut self, c: &[String]) -> Result<(), String> {
            self.log.push(format!("caps {}", c.join(",")));
            Ok(())
        }
        fn raise_ambient(&mut self, c: &[String]) -> Result<(), String> {
            self.log.push(format!("ambient {}", c.join(",")));
            Ok(())
        }
        fn ensure_dir(&mut self, p: &str) -> Result<(), String> {
            self.log.push(format!("mkdir {p}"));
            Ok(())
        }
        fn chdir(&mut self, p: &str) -> Result<(), String> {
            self.log.push(format!("chdir {p}"));
            Ok(())
        }
        fn no_new_privs(&mut self) -> Result<(), String> {
            self.log.push("nnp".into());
            Ok(())
        }
        fn seccomp(&mut self, _: &Filter) -> Result<(), String> {
            self.log.push("seccomp".into());
            Ok(())
        }
        fn exists(&mut self, p: &str) -> bool {
            self.files.iter().any(|f| f == p)
        }
        fn execve(&mut self, p: &str, _: &[String], env: &[String]) -> nix::Error {
            self.log.push(format!("execve {p} {}", env.join(" ")));
            nix::Error::ENOENT
        }
    }

    fn spec(user: &str) -> AppSpec {
        AppSpec {
            name: "web".into(),
            argv: vec!["httpd".into()],
            env: vec!["PATH=/bin".into()],
            cwd: "/srv".into(),
            user: user.into(),
            capabilities: vec!["CAP_NET_BIND_SERVICE".into(), "CAP_CHOWN".into()],
            ambient: vec!["CAP_NET_BIND_SERVICE".into()],
            no_new_privs: true,
            rlimits: vec![crate::Rlimit {
                resource: "RLIMIT_NOFILE".into(),
                soft: 1024,
                hard: 1024,
            }],
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
