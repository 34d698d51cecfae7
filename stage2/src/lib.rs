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
pub mod types;
pub mod user;

pub use exec::{exec, ExecError};
pub use types::{Capability, ResourceLimit, RlimitResource};

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

/// [`DEFAULT_CAPS`] typed, in the same order (a unit test keeps the two lists equal).
pub const DEFAULT_CAPABILITIES: &[Capability] = &[
    Capability::CAP_CHOWN,
    Capability::CAP_DAC_OVERRIDE,
    Capability::CAP_FSETID,
    Capability::CAP_FOWNER,
    Capability::CAP_MKNOD,
    Capability::CAP_NET_RAW,
    Capability::CAP_SETGID,
    Capability::CAP_SETUID,
    Capability::CAP_SETFCAP,
    Capability::CAP_SETPCAP,
    Capability::CAP_NET_BIND_SERVICE,
    Capability::CAP_SYS_CHROOT,
    Capability::CAP_KILL,
    Capability::CAP_AUDIT_WRITE,
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
    /// as permitted, effective and inheritable. Unknown names are refused when the manifest is read.
    #[serde(default, with = "types::capability_names")]
    pub capabilities: Vec<Capability>,
    /// What a non-root app holds (permitted, effective, inheritable and ambient): only the
    /// capabilities added explicitly with --cap-add, as podman does. A non-root user gets no
    /// capabilities from the defaults, so `--user` really drops privileges. Must be a subset of
    /// `capabilities`; ignored for root.
    #[serde(default, with = "types::capability_names")]
    pub ambient: Vec<Capability>,
    /// prctl(PR_SET_NO_NEW_PRIVS) before exec (default on).
    #[serde(default = "yes")]
    pub no_new_privs: bool,
    /// rlimits to set, e.g. {"resource":"RLIMIT_NOFILE","soft":1024,"hard":1024}.
    #[serde(default)]
    pub rlimits: Vec<ResourceLimit>,
    /// Which seccomp filter the app runs under.
    #[serde(default)]
    pub seccomp: SeccompMode,
}

fn yes() -> bool {
    true
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

/// What is wrong with a spec, found without touching the system.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error(
        "nothing to execute (empty command line); give the image an entrypoint or pass a command"
    )]
    EmptyCommand,
    #[error(transparent)]
    User(#[from] user::UserError),
    #[error("ambient capability {0} is not in the capability set")]
    AmbientNotInSet(String),
    #[error(transparent)]
    Type(#[from] types::TypeError),
}

/// A [`SpecError`] of one app, named.
#[derive(Debug, thiserror::Error)]
#[error("app {app}: {error}")]
pub struct Stage2Error {
    pub app: String,
    pub error: SpecError,
}

/// A spec that passed [`AppSpec::validate`], with its capabilities and rlimits typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub capabilities: Vec<Capability>,
    pub ambient: Vec<Capability>,
    pub rlimits: Vec<ResourceLimit>,
}

impl AppSpec {
    /// Checks the parts of the spec that can be checked without touching the system.
    pub fn validate(&self) -> Result<(), Stage2Error> {
        self.check().map(|_| ()).map_err(|error| Stage2Error {
            app: self.name.clone(),
            error,
        })
    }

    /// [`AppSpec::validate`] without the app's name, returning the typed capabilities and rlimits.
    pub fn check(&self) -> Result<Checked, SpecError> {
        if self.argv.is_empty() || self.argv[0].is_empty() {
            return Err(SpecError::EmptyCommand);
        }
        user::check_spec(&self.user, &self.additional_groups)?;
        if let Some(c) = self.ambient.iter().find(|c| !self.capabilities.contains(c)) {
            return Err(SpecError::AmbientNotInSet(c.to_string()));
        }
        Ok(Checked {
            capabilities: self.capabilities.clone(),
            ambient: self.ambient.clone(),
            rlimits: self.rlimits.clone(),
        })
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

    #[test]
    fn default_caps_agree() {
        let names: Vec<String> = DEFAULT_CAPABILITIES.iter().map(|c| c.to_string()).collect();
        assert_eq!(names, DEFAULT_CAPS);
    }

    #[test]
    fn bad_names_are_refused_when_the_manifest_is_read() {
        let base = r#"{"name":"web","argv":["x"],"env":[],"cwd":"/""#;
        let e = serde_json::from_str::<AppSpec>(&format!(r#"{base},"capabilities":["CAP_FLY"]}}"#))
            .unwrap_err();
        assert!(e.to_string().contains("unknown capability CAP_FLY"), "{e}");
        let e = serde_json::from_str::<AppSpec>(&format!(r#"{base},"ambient":["CAP_FLY"]}}"#))
            .unwrap_err();
        assert!(e.to_string().contains("unknown capability CAP_FLY"), "{e}");
        let e = serde_json::from_str::<AppSpec>(&format!(
            r#"{base},"rlimits":[{{"resource":"RLIMIT_FLY","soft":1,"hard":1}}]}}"#
        ))
        .unwrap_err();
        assert!(e.to_string().contains("unknown rlimit RLIMIT_FLY"), "{e}");
        let ok: AppSpec = serde_json::from_str(&format!(
            r#"{base},"capabilities":["CAP_KILL"],"rlimits":[{{"resource":"RLIMIT_NOFILE","soft":1,"hard":2}}]}}"#
        ))
        .unwrap();
        let c = ok.check().unwrap();
        assert_eq!(c.capabilities, [Capability::CAP_KILL]);
        assert_eq!(c.rlimits[0].resource, RlimitResource::Nofile);
    }

    #[test]
    fn a_spec_built_in_process_is_checked_too() {
        // An unknown name cannot even be built: the type holds only known capabilities.
        let mut spec = AppSpec {
            name: "web".into(),
            argv: vec!["x".into()],
            ..Default::default()
        };
        spec.ambient = vec![Capability::CAP_KILL];
        let e = spec.validate().unwrap_err().to_string();
        assert_eq!(
            e,
            "app web: ambient capability CAP_KILL is not in the capability set"
        );
    }
}
