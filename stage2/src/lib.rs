//! liftoff stage2: the last step of one app inside its pod.
//!
//! Stage1's pod init forks one process per app, gives it its own mount and cgroup namespaces, root
//! (pivot_root) and (unless --net=host) user namespace, and then calls [`exec`] in that process;
//! `liftoff enter` calls it too, inside the app's namespaces. Stage2 applies the app's user, groups,
//! environment, working directory, rlimits, capabilities and no_new_privs, installs the seccomp
//! filter last, and `execve`s the app. It knows nothing about images, registries or signatures: it
//! gets a fully resolved [`AppSpec`].
//!
//! Seccomp filters are compiled by stage1 *before* it forks the apps ([`seccomp::compile`]), once per
//! distinct (profile, capability set), so starting N apps with one profile costs one compilation.

pub mod exec;
pub mod report;
pub mod seccomp;
pub mod user;

pub use exec::{exec, ExecError};

/// The capabilities a root app gets by default (docs/isolation.md), as Docker and podman grant them.
pub const DEFAULT_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];
use serde::{Deserialize, Serialize};

/// What stage2 needs to start one app. Stage0 resolves it from the image config and the command line;
/// it crosses the stage0 → stage1 boundary inside the pod manifest, so it is serialisable and strict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// The app's name inside its pod.
    pub name: String,
    /// argv; argv[0] is the program, resolved against `env`'s PATH inside the app root when it has no `/`.
    pub argv: Vec<String>,
    /// Environment as `KEY=VALUE` strings, final (image config + overrides).
    pub env: Vec<String>,
    /// Working directory inside the app root (absolute).
    pub cwd: String,
    /// The user as given by the image or `--user`: "" (root), "name", "uid", "name:group", "uid:gid".
    /// Names are resolved from the app's own /etc/passwd and /etc/group after pivot_root.
    #[serde(default)]
    pub user: String,
    /// Extra supplementary groups (names or numbers), on top of those /etc/group gives the user.
    #[serde(default)]
    pub additional_groups: Vec<String>,
    /// The final capability set, upper-case names with the CAP_ prefix ("CAP_CHOWN"). Stage0 has already
    /// applied the defaults and --cap-add/--cap-drop. It is the bounding set; a root app also gets it
    /// as permitted, effective and inheritable.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// What a non-root app holds (permitted, effective, inheritable and ambient): only the
    /// capabilities added explicitly with --cap-add, as podman does. A non-root user gets no
    /// capabilities from the defaults, so `--user` really drops privileges. Must be a subset of
    /// `capabilities`; ignored for root.
    #[serde(default)]
    pub ambient: Vec<String>,
    /// prctl(PR_SET_NO_NEW_PRIVS) before exec (default on).
    #[serde(default = "yes")]
    pub no_new_privs: bool,
    /// rlimits to set, e.g. {"resource":"RLIMIT_NOFILE","soft":1024,"hard":1024}.
    #[serde(default)]
    pub rlimits: Vec<Rlimit>,
    /// Which seccomp filter the app runs under.
    #[serde(default)]
    pub seccomp: SeccompMode,
}

fn yes() -> bool {
    true
}

/// One resource limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rlimit {
    /// "RLIMIT_NOFILE", "RLIMIT_NPROC", … (the names of setrlimit(2)).
    pub resource: String,
    pub soft: u64,
    pub hard: u64,
}

/// The app's seccomp filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeccompMode {
    /// liftoff's default allowlist (docs/seccomp.md), default action EPERM, gated on the app's capabilities.
    #[default]
    Default,
    /// No filter (`--seccomp=unconfined`).
    Unconfined,
    /// A Docker/OCI-format JSON profile, its text (read by stage0 from `--seccomp=FILE`).
    Profile(String),
}

/// Errors stage2 reports before it gets to `execve`.
#[derive(Debug, thiserror::Error)]
pub enum Stage2Error {
    #[error("app {app}: nothing to execute (empty command line); give the image an entrypoint or pass a command")]
    EmptyCommand { app: String },
    #[error("app {app}: {msg}")]
    Invalid { app: String, msg: String },
}

impl AppSpec {
    /// Checks the parts of the spec that can be checked without touching the system.
    pub fn validate(&self) -> Result<(), Stage2Error> {
        if self.argv.is_empty() || self.argv[0].is_empty() {
            return Err(Stage2Error::EmptyCommand {
                app: self.name.clone(),
            });
        }
        user::check_spec(&self.user, &self.additional_groups).map_err(|e| {
            Stage2Error::Invalid {
                app: self.name.clone(),
                msg: e.to_string(),
            }
        })?;
        if let Some(c) = self.ambient.iter().find(|c| !self.capabilities.contains(c)) {
            return Err(Stage2Error::Invalid {
                app: self.name.clone(),
                msg: format!("ambient capability {c} is not in the capability set"),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_command_is_named() {
        let spec = AppSpec {
            name: "web".into(),
            ..Default::default()
        };
        let err = spec.validate().unwrap_err().to_string();
        assert!(err.contains("app web"), "{err}");
    }
}
