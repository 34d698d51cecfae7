//! The stage0 → stage1 contract: the pod manifest (`pod.json` in the pod dir), version 1.
//!
//! Stage0 resolves everything (images to layer dirs, users, capabilities, limits) and writes this file;
//! stage1 reads it and builds the pod. The format is versioned and strict (unknown fields are errors)
//! so that a stage1 never silently ignores a setting it does not understand, which for an isolation
//! setting would mean running less isolated than asked. See `stage1/docs/pod-manifest.md`.

use liftoff_stage2::AppSpec;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The manifest format version this stage1 understands. Stage0 writes it; stage1 refuses any other.
pub const POD_MANIFEST_VERSION: u32 = 1;

/// File name of the pod manifest inside a pod directory.
pub const POD_MANIFEST_FILE: &str = "pod.json";

/// What a pod consists of.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PodManifest {
    pub version: u32,
    /// The pod's uuid (also its directory name and cgroup name).
    pub pod_id: String,
    /// Hostname inside the pod (its own UTS namespace).
    pub hostname: String,
    pub net: NetMode,
    /// Seconds between the graceful stop signal and SIGKILL.
    pub stop_timeout_secs: u64,
    /// Limits for the whole pod.
    #[serde(default)]
    pub limits: Limits,
    /// Pass stdin to the (single) app instead of /dev/null.
    #[serde(default)]
    pub interactive: bool,
    /// Give the (single) app a pseudo-terminal.
    #[serde(default)]
    pub tty: bool,
    /// Prefix each output line with the app's name (only meaningful with several apps).
    #[serde(default)]
    pub prefix_output: bool,
    /// Name servers and search domains for the pod's /etc/resolv.conf; empty = copy the host's
    /// (for --net=host) or none at all (for --net=none).
    #[serde(default)]
    pub dns: Vec<String>,
    #[serde(default)]
    pub dns_search: Vec<String>,
    /// The pod runs detached (`run -d`): app output only goes to the log files, never to the
    /// supervisor's stdout/stderr.
    #[serde(default)]
    pub detached: bool,
    /// Size at which an app's log file is rotated (one rotated file is kept); 0 = the default.
    #[serde(default)]
    pub log_max_bytes: u64,
    /// CNI networks to attach (net = "cni"), in order: the first gets eth0, the next eth1, ….
    #[serde(default)]
    pub networks: Vec<crate::network::Network>,
    /// Directories searched for CNI plugin executables.
    #[serde(default)]
    pub cni_plugin_dirs: Vec<PathBuf>,
    /// Where the pod's network namespace is pinned (a bind mount named after the pod) so that CNI
    /// DEL can still reach it after the pod's processes are gone.
    #[serde(default)]
    pub netns_dir: PathBuf,
    /// Published ports (`-p`), through the networks' portmap plugin.
    #[serde(default)]
    pub ports: Vec<crate::network::PortMapping>,
    /// Extra /etc/hosts entries.
    #[serde(default)]
    pub add_hosts: Vec<HostEntry>,
    /// Bind /etc/hosts, hostname and resolv.conf writable (default read-only).
    #[serde(default)]
    pub etc_writable: bool,
    /// sd_notify readiness to $NOTIFY_SOCKET (`--notify`): by the pod once every app has started,
    /// or forwarded from one app that gets a NOTIFY_SOCKET of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<NotifyMode>,
    /// Socket activation: how many inherited fds (from 3 on, systemd's LISTEN_FDS) go to which
    /// app, and their names (LISTEN_FDNAMES).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sockets: Option<SocketActivation>,
    /// Named empty volumes of the pod (`volumes/<name>` in the pod dir), with their owner.
    #[serde(default)]
    pub volumes: Vec<EmptyVolume>,
    /// `--exit-code-from NAME`: the pod ends when this app ends, whatever its status (the others
    /// get the stop signal), and the pod's exit code is this app's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code_from: Option<String>,
    /// A command the supervisor runs once the pod is torn down and its lock released, with stdout
    /// on /dev/null (stage0 puts `liftoff rm POD` here for `run --rm`). Its failure is reported
    /// but does not change the pod's exit code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_exit: Vec<String>,
    /// The pod's user namespace: pod ids `0..size` are host ids `uid..uid+size` (and `gid..`).
    /// Absent: the pod uses the host's ids (`--userns=host`; each app still gets an identity-mapped
    /// user namespace of its own unless the pod uses the host's network).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userns: Option<IdMap>,
    /// `run --sandbox`: the pod stays up, with only its init, until it is stopped, whatever its
    /// apps do; it may start with no apps at all. Its apps are added, started, stopped and removed
    /// through the control socket (`control`). (Added to version 1 as an optional field.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sandbox: bool,
    /// How many times the supervisor has changed this manifest since stage0 wrote it (each app
    /// added or removed through the control socket is one change). (Optional field of version 1.)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub generation: u64,
    pub apps: Vec<PodApp>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// At most this many apps in one pod (a pod grown through the control socket included).
pub const MAX_APPS: usize = 256;

/// When init starts an app again after it has exited on its own (`--restart`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RestartPolicy {
    pub when: RestartWhen,
    /// At most this many restarts (None: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RestartWhen {
    /// After an exit with a status other than 0 (or by a signal).
    OnFailure,
    /// After every exit.
    Always,
}

/// A `--restart` value that is not a policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestartError {
    #[error("--restart {0}: the count after ':' must be 1-{MAX_RESTARTS}")]
    Count(String),
    #[error("--restart {0}: use no, on-failure[:N] or always[:N]")]
    Word(String),
}

/// The highest `max` a restart policy may give.
pub const MAX_RESTARTS: u32 = 1_000_000;

impl RestartPolicy {
    /// Parses `--restart`: `no`, `on-failure[:N]` or `always[:N]` (podman's spelling);
    /// `no` is None.
    pub fn parse(s: &str) -> Result<Option<RestartPolicy>, RestartError> {
        let (word, max) = match s.split_once(':') {
            Some((w, n)) => match n.parse::<u32>() {
                Ok(n) if (1..=MAX_RESTARTS).contains(&n) => (w, Some(n)),
                _ => return Err(RestartError::Count(s.to_string())),
            },
            None => (s, None),
        };
        let when = match word {
            "no" if max.is_none() => return Ok(None),
            "on-failure" => RestartWhen::OnFailure,
            "always" => RestartWhen::Always,
            _ => return Err(RestartError::Word(s.to_string())),
        };
        Ok(Some(RestartPolicy { when, max }))
    }

    /// Whether an exit with `code` (128+N for a signal) after `restarts` restarts is restarted.
    pub fn restarts(&self, code: i32, restarts: u32) -> bool {
        let wanted = match self.when {
            RestartWhen::Always => true,
            RestartWhen::OnFailure => code != 0,
        };
        wanted && self.max.is_none_or(|m| restarts < m)
    }
}

/// A remapped pod's id ranges on the host (leased by stage0, recorded in `pod.json`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IdMap {
    /// First host uid: pod uid 0.
    pub uid: u32,
    /// First host gid: pod gid 0.
    pub gid: u32,
    /// How many ids each range holds.
    pub size: u32,
}

impl IdMap {
    /// The host uid of pod uid `id`, if the range holds it.
    pub fn host_uid(&self, id: u32) -> Option<u32> {
        (id < self.size).then(|| self.uid + id)
    }
    /// The host gid of pod gid `id`, if the range holds it.
    pub fn host_gid(&self, id: u32) -> Option<u32> {
        (id < self.size).then(|| self.gid + id)
    }
    /// The line of `/proc/PID/uid_map` (`gid: false`) or `gid_map`.
    pub fn map_line(&self, gid: bool) -> String {
        let start = if gid { self.gid } else { self.uid };
        format!("0 {start} {}\n", self.size)
    }
}

/// Default size cap of one app log file before rotation.
pub const DEFAULT_LOG_MAX_BYTES: u64 = 10 * 1024 * 1024;

// The bounds `validate()` puts on numbers, so that a manifest not written by this stage0 gets a
// message naming the field instead of a kernel error, a silently different setting or a panic.
// They are stage0's own bounds on the same settings; where stage0 has none (`pids`, volume ids),
// they are the values with which no pod could start or the setting would be silently dropped.

/// Largest `cpus` limit (stage0's `--cpus` and pod-file `cpus` bound).
pub const MAX_CPUS: f64 = 4096.0;
/// Smallest non-zero `log_max_bytes` (stage0's `--log-max-size` bound; 0 means the default).
pub const MIN_LOG_MAX_BYTES: u64 = 4096;
/// Largest `pids` limit: the kernel's PID_MAX_LIMIT on 64-bit; `pids.max` refuses anything above.
pub const MAX_PIDS: u64 = 4 * 1024 * 1024;
/// Most inherited sockets one app may get.
pub const MAX_SOCKETS: u32 = 64;
/// Largest seccomp profile text (stage0's `--seccomp=FILE` bound).
pub const MAX_SECCOMP_PROFILE: usize = 4 << 20;
/// Longest hostname (the kernel's HOST_NAME_MAX; stage0's `--hostname` bound).
pub const MAX_HOSTNAME: usize = 64;
/// Not a bound but a cap: `stop_timeout_secs` may be any u64 (so stage0 accepts), but it is used as
/// `Instant::now() + timeout`, which panics on overflow; 100 years is "never" in practice.
pub const MAX_STOP_TIMEOUT_SECS: u64 = 100 * 365 * 24 * 3600;

/// A named empty directory shared by the apps that mount it; it lives and dies with the pod.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EmptyVolume {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    /// Permission bits of the volume's directory.
    pub mode: u32,
}

/// A mount an app asked for, on top of its image root.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AppMount {
    /// Absolute path inside the app.
    pub target: String,
    pub source: MountSource,
    #[serde(default)]
    pub read_only: bool,
    /// A host bind seen through the pod's id map (`-v SRC:DST:idmap`): host owners show as the same
    /// ids inside, and what the pod's root writes there belongs to host root. Only for host binds
    /// of remapped pods.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub idmap: bool,
}

/// What is mounted. Every kind is nosuid,nodev.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum MountSource {
    /// A host file or directory (canonical absolute path, checked by stage0), bound non-recursively.
    Host { path: PathBuf },
    /// One of the pod's named empty volumes.
    Volume { name: String },
    /// A fresh tmpfs; `options` are validated tmpfs options (size=, mode=, uid=, gid=, nr_inodes=),
    /// and `exec` lifts the default noexec.
    Tmpfs {
        #[serde(default)]
        options: String,
        #[serde(default)]
        exec: bool,
    },
}

/// Which network namespace the pod gets.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum NetMode {
    /// Its own network namespace with only loopback (up).
    None,
    /// The host's network namespace (explicit, loud in stage0).
    Host,
    /// Its own network namespace attached to the CNI networks in `networks` (loopback up too).
    Cni,
}

/// Who tells systemd the pod is ready.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum NotifyMode {
    /// The supervisor sends READY=1 once every app has reached execve.
    Pod,
    /// The named app gets its own NOTIFY_SOCKET; the supervisor forwards READY=1, STATUS=,
    /// STOPPING=1 and a few more from it.
    App(String),
}

/// Inherited listening sockets for one app.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SocketActivation {
    pub app: String,
    /// fds 3 .. 3+count.
    pub count: u32,
    #[serde(default)]
    pub names: Vec<String>,
}

/// An extra /etc/hosts line (`--add-host NAME:IP`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HostEntry {
    pub name: String,
    pub ip: String,
}

/// cgroup limits; None = unlimited.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    #[serde(default)]
    pub memory_bytes: Option<u64>,
    /// CPUs' worth of time per period, e.g. 0.5.
    #[serde(default)]
    pub cpus: Option<f64>,
    #[serde(default)]
    pub pids: Option<u64>,
}

impl Limits {
    pub fn is_empty(&self) -> bool {
        self.memory_bytes.is_none() && self.cpus.is_none() && self.pids.is_none()
    }
}

/// One app of a pod, as stage0 resolved it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PodApp {
    /// What stage2 applies (name, argv, env, cwd, user, capabilities, rlimits, seccomp).
    pub spec: AppSpec,
    /// Unpacked layer directories (absolute), lowest first; the app's root is their overlay.
    pub layers: Vec<PathBuf>,
    /// Mount the app's root read-only (`--read-only`).
    #[serde(default)]
    pub read_only: bool,
    /// Limits for this app's own cgroup.
    #[serde(default)]
    pub limits: Limits,
    /// Volumes, host binds and tmpfs mounts, in order.
    #[serde(default)]
    pub mounts: Vec<AppMount>,
    /// Apps this one starts after, and what it waits for of each. (Added to version 1 as an
    /// optional field: a stage1 that predates it refuses a manifest that uses it as unknown.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<Dependency>,
    /// How init tells that the app is ready; without one it is ready once it has started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<ReadyProbe>,
    /// `--restart`: init starts the app again (with a growing pause) after it exits on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<RestartPolicy>,
    /// The manifest generation in which the app was added through the control socket; 0 for the
    /// apps stage0 wrote. An added app's exit never ends or fails the pod.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub generation: u64,
    /// The image the app was resolved from, for display (`app list`, `status`); stage1 does not
    /// use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
}

/// An image as stage0 found it in the store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ImageRef {
    /// The store name (`docker.io/library/busybox:latest`).
    pub name: String,
    /// The top-level manifest digest (`sha256:…`).
    pub digest: String,
}

/// An app another one waits for before it starts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub app: String,
    pub until: Until,
}

/// What an app waits for of another.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Until {
    /// It has reached execve.
    Started,
    /// Its ready probe has passed once.
    Ready,
    /// It has exited with status 0.
    Completed,
}

/// A readiness probe: init runs `check` every `interval_ms` (every `start_interval_ms` during
/// the first `start_period_ms`, whose failures do not count) until it passes once; `retries`
/// counted failures make the app, and so the pod, fail. A check taking longer than `timeout_ms`
/// fails. Probes only decide when the app is ready; once it is, they stop.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReadyProbe {
    pub check: ReadyCheck,
    pub interval_ms: u64,
    pub timeout_ms: u64,
    pub retries: u32,
    #[serde(default)]
    pub start_period_ms: u64,
    #[serde(default)]
    pub start_interval_ms: u64,
}

/// What a probe checks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum ReadyCheck {
    /// A TCP connection to this address, from the pod's network namespace, is accepted.
    Tcp { addr: std::net::SocketAddr },
    /// This command, run in the app as the app (stage2's whole profile), exits 0.
    Exec { argv: Vec<String> },
}

/// Bounds on probe timing (milliseconds), so that a manifest cannot make init spin or wait forever.
pub const MIN_PROBE_MS: u64 = 10;
pub const MAX_PROBE_MS: u64 = 24 * 3600 * 1000;
/// Most probe failures an app may be given.
pub const MAX_PROBE_RETRIES: u32 = 1_000_000;

/// A probe's timing within bounds and a check init can run.
fn check_probe(a: &PodApp) -> Result<(), ManifestError> {
    let Some(p) = &a.ready else { return Ok(()) };
    let name = &a.spec.name;
    let range = MIN_PROBE_MS..=MAX_PROBE_MS;
    for (field, v) in [("interval_ms", p.interval_ms), ("timeout_ms", p.timeout_ms)] {
        if !range.contains(&v) {
            return Err(ManifestError::Invalid(format!(
                "app {name}: ready.{field} {v}: use {MIN_PROBE_MS}-{MAX_PROBE_MS}"
            )));
        }
    }
    if p.start_period_ms > MAX_PROBE_MS
        || (p.start_interval_ms != 0 && !range.contains(&p.start_interval_ms))
    {
        return Err(ManifestError::Invalid(format!(
            "app {name}: ready.start_period_ms/start_interval_ms out of range"
        )));
    }
    if p.retries == 0 || p.retries > MAX_PROBE_RETRIES {
        return Err(ManifestError::Invalid(format!(
            "app {name}: ready.retries {}: use 1-{MAX_PROBE_RETRIES}",
            p.retries
        )));
    }
    match &p.check {
        ReadyCheck::Tcp { addr } if addr.port() == 0 => Err(ManifestError::Invalid(format!(
            "app {name}: ready.check: tcp port 0"
        ))),
        ReadyCheck::Exec { argv }
            if argv.is_empty()
                || argv[0].is_empty()
                || argv.iter().any(|s| s.contains('\0'))
                || argv.iter().map(|s| s.len()).sum::<usize>() > 128 * 1024 =>
        {
            Err(ManifestError::Invalid(format!(
                "app {name}: ready.check: exec needs a command (no NUL bytes, under 128 KiB)"
            )))
        }
        _ => Ok(()),
    }
}

/// Errors reading a pod manifest.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("pod manifest is not valid JSON for this stage1: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("pod manifest version {found} is not supported by this stage1 (it reads version {POD_MANIFEST_VERSION}); use the liftoff-stage1 that ships with this liftoff")]
    Version { found: u32 },
    #[error("pod manifest: {0}")]
    Invalid(String),
}

impl PodManifest {
    /// Parses, version-checks and validates a manifest.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ManifestError> {
        // Check the version before the shape, so an old stage1 reading a newer manifest says "version".
        #[derive(Deserialize)]
        struct V {
            version: u32,
        }
        let v: V = serde_json::from_slice(bytes)?;
        if v.version != POD_MANIFEST_VERSION {
            return Err(ManifestError::Version { found: v.version });
        }
        let m: PodManifest = serde_json::from_slice(bytes)?;
        m.validate()?;
        Ok(m)
    }

    /// `stop_timeout_secs` as a duration that can be added to an `Instant` without overflow.
    pub fn stop_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.stop_timeout_secs.min(MAX_STOP_TIMEOUT_SECS))
    }

    /// The checks [`PodManifest::from_slice`] makes after parsing, for a manifest built in memory
    /// (the supervisor's, with an app added).
    pub fn validate(&self) -> Result<(), ManifestError> {
        let bad = |s: String| Err(ManifestError::Invalid(s));
        if self.apps.is_empty() && !self.sandbox {
            return bad("a pod needs at least one app (or to be a sandbox)".into());
        }
        if self.apps.len() > MAX_APPS {
            return bad(format!(
                "{} apps: a pod has at most {MAX_APPS}",
                self.apps.len()
            ));
        }
        if self.sandbox && (self.tty || self.interactive) {
            return bad("-i/-t need an app; a sandbox starts without one".into());
        }
        if let Some(a) = self.apps.iter().find(|a| a.generation > self.generation) {
            return bad(format!(
                "app {}: generation {} is after the pod's {}",
                a.spec.name, a.generation, self.generation
            ));
        }
        if self.tty && self.apps.iter().any(|a| a.restart.is_some()) {
            return bad(
                "--restart: an app with -t cannot be restarted (its terminal goes with it)".into(),
            );
        }
        self.check_numbers()?;
        if self.pod_id.is_empty()
            || !self
                .pod_id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'-')
        {
            return bad(format!("pod id {:?} is not a uuid", self.pod_id));
        }
        if (self.tty || self.interactive) && self.apps.len() > 1 {
            return bad("-i/-t need a pod with exactly one app".into());
        }
        if let Some(u) = &self.userns {
            // The last id must stay below 4294967295, which no id map may hold.
            let fits = |start: u32| start.checked_add(u.size).is_some();
            if u.size == 0 || u.uid == 0 || u.gid == 0 || !fits(u.uid) || !fits(u.gid) {
                return bad(format!(
                    "userns: {} ids from uid {} and gid {} is not a range of host ids above 0",
                    u.size, u.uid, u.gid
                ));
            }
            for v in &self.volumes {
                if v.uid >= u.size || v.gid >= u.size {
                    return bad(format!(
                        "volume {}: uid {} / gid {} is not one of the pod's {} ids",
                        v.name, v.uid, v.gid, u.size
                    ));
                }
            }
        }
        let names = self.check_apps()?;
        self.check_etc_text()?;
        if let Some(n) = &self.exit_code_from {
            if !names.contains(n.as_str()) {
                return bad(format!("exit_code_from {n:?} is not one of the pod's apps"));
            }
        }
        if self.on_exit.first().is_some_and(|p| !p.starts_with('/')) {
            return bad("on_exit must start with an absolute program path".into());
        }
        match self.net {
            NetMode::Cni => {
                if self.networks.is_empty() {
                    return bad("net \"cni\" needs at least one network".into());
                }
                if !self.netns_dir.is_absolute() {
                    return bad("netns_dir must be an absolute path".into());
                }
                for n in &self.networks {
                    n.check()
                        .map_err(|e| ManifestError::Invalid(format!("networks: {e}")))?;
                }
            }
            _ if !self.networks.is_empty() || !self.ports.is_empty() => {
                return bad("networks and published ports need net \"cni\"".into());
            }
            _ => {}
        }
        let has_app = |n: &str| self.apps.iter().any(|a| a.spec.name == n);
        if let Some(NotifyMode::App(n)) = &self.notify {
            if !has_app(n) {
                return bad(format!("notify: no app {n:?} in the pod"));
            }
        }
        if let Some(sa) = &self.sockets {
            if !has_app(&sa.app) || sa.count == 0 || sa.count > MAX_SOCKETS {
                return bad(format!(
                    "sockets.count: {} fds for app {:?} (1-{MAX_SOCKETS} fds for an app of the pod)",
                    sa.count, sa.app
                ));
            }
        }
        for h in &self.add_hosts {
            if h.ip.parse::<std::net::IpAddr>().is_err()
                || h.name.is_empty()
                || h.name.bytes().any(|b| b.is_ascii_whitespace() || b == b'#')
            {
                return bad(format!("add_hosts: {}:{} is not NAME:IP", h.name, h.ip));
            }
        }
        for v in &self.volumes {
            if !valid_app_name(&v.name) {
                return bad(format!(
                    "volume name {:?}: use 1-63 characters of a-z, 0-9 and '-'",
                    v.name
                ));
            }
        }
        Ok(())
    }
}

impl PodManifest {
    /// Each app: a unique valid name, plain layer paths, a valid spec and mounts; returns the names.
    fn check_apps(&self) -> Result<std::collections::HashSet<&str>, ManifestError> {
        let bad = |s: String| Err(ManifestError::Invalid(s));
        let mut names = std::collections::HashSet::new();
        for a in &self.apps {
            if !valid_app_name(&a.spec.name) {
                return bad(format!(
                    "app name {:?}: use 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit",
                    a.spec.name
                ));
            }
            if !names.insert(a.spec.name.as_str()) {
                return bad(format!("two apps are named {:?}", a.spec.name));
            }
            // Plain absolute paths only: `/x/..` or `/x/.` would reach outside the layer store.
            let plain = |l: &PathBuf| {
                l.is_absolute()
                    && l.as_os_str().len() < 4096
                    && !l.as_os_str().as_encoded_bytes().contains(&0)
                    && l.components().all(|c| {
                        matches!(
                            c,
                            std::path::Component::RootDir | std::path::Component::Normal(_)
                        )
                    })
                    && !l.to_string_lossy().contains("/./")
                    && !l.to_string_lossy().ends_with("/.")
            };
            if a.layers.is_empty() || !a.layers.iter().all(plain) {
                return bad(format!(
                    "app {}: layers must be absolute dirs without '.' or '..' components",
                    a.spec.name
                ));
            }
            a.spec
                .validate()
                .map_err(|e| ManifestError::Invalid(e.to_string()))?;
            self.check_mounts(a)?;
            check_probe(a)?;
            if let Some(RestartPolicy { max: Some(n), .. }) = a.restart {
                if !(1..=MAX_RESTARTS).contains(&n) {
                    return bad(format!(
                        "app {}: restart max {n}: use 1-{MAX_RESTARTS}",
                        a.spec.name
                    ));
                }
            }
        }
        self.check_order()?;
        Ok(names)
    }

    /// `after`: names of other apps of the pod, `ready` only on apps with a probe, no cycle.
    fn check_order(&self) -> Result<(), ManifestError> {
        let bad = |s: String| Err(ManifestError::Invalid(s));
        // By name, and a real Kahn's algorithm: linear in apps and entries, however many a
        // hostile manifest has.
        let by_name: std::collections::HashMap<&str, usize> = self
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.spec.name.as_str(), i))
            .collect();
        let mut waiting_on = vec![0usize; self.apps.len()];
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); self.apps.len()];
        for (j, a) in self.apps.iter().enumerate() {
            let mut seen = std::collections::HashSet::new();
            for d in &a.after {
                let Some(&i) = by_name.get(d.app.as_str()) else {
                    return bad(format!(
                        "app {}: after: no app {:?} in the pod",
                        a.spec.name, d.app
                    ));
                };
                if i == j || !seen.insert(i) {
                    return bad(format!(
                        "app {}: after {:?}: itself or twice",
                        a.spec.name, d.app
                    ));
                }
                if d.until == Until::Ready && self.apps[i].ready.is_none() {
                    return bad(format!(
                        "app {}: after {:?}: it has no ready probe",
                        a.spec.name, d.app
                    ));
                }
                waiting_on[j] += 1;
                dependents[i].push(j);
            }
        }
        // Apps whose dependencies have all been placed are placed; what is left waits in a cycle.
        let mut ready: Vec<usize> = (0..self.apps.len())
            .filter(|i| waiting_on[*i] == 0)
            .collect();
        let mut placed = vec![false; self.apps.len()];
        while let Some(i) = ready.pop() {
            placed[i] = true;
            for &j in &dependents[i] {
                waiting_on[j] -= 1;
                if waiting_on[j] == 0 {
                    ready.push(j);
                }
            }
        }
        if let Some(i) = placed.iter().position(|p| !p) {
            return bad(format!(
                "app {}: after: the apps wait for each other in a cycle",
                self.apps[i].spec.name
            ));
        }
        Ok(())
    }

    /// One app's mounts: absolute targets below /, and sources of the kinds stage1 knows.
    fn check_mounts(&self, a: &PodApp) -> Result<(), ManifestError> {
        let bad = |s: String| Err(ManifestError::Invalid(s));
        for mt in &a.mounts {
            let t = std::path::Path::new(&mt.target);
            if !t.is_absolute()
                || t.components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
                || t == std::path::Path::new("/")
            {
                return bad(format!(
                    "app {}: mount target {:?} must be an absolute path below / without '..'",
                    a.spec.name, mt.target
                ));
            }
            match &mt.source {
                    MountSource::Host { path } if !path.is_absolute() => {
                        return bad(format!(
                            "app {}: host path {} must be absolute",
                            a.spec.name,
                            path.display()
                        ))
                    }
                    MountSource::Volume { name }
                        if !self.volumes.iter().any(|v| &v.name == name) =>
                    {
                        return bad(format!(
                            "app {}: volume {name:?} is not one of the pod's volumes",
                            a.spec.name
                        ))
                    }
                    _ if mt.idmap && !matches!(mt.source, MountSource::Host { .. }) => {
                        return bad(format!(
                            "app {}: mount {}: idmap is only for host binds",
                            a.spec.name, mt.target
                        ))
                    }
                    _ if mt.idmap && self.userns.is_none() => {
                        return bad(format!(
                            "app {}: mount {}: idmap needs a remapped pod (userns)",
                            a.spec.name, mt.target
                        ))
                    }
                    MountSource::Tmpfs { options, .. } if !valid_tmpfs_options(options) => {
                        return bad(format!(
                            "app {}: tmpfs options {options:?}: only size=, mode=, uid=, gid=, nr_inodes= are allowed",
                            a.spec.name
                        ))
                    }
                    _ => {}
                }
        }
        Ok(())
    }

    /// Text that becomes lines of the pod's /etc files.
    fn check_etc_text(&self) -> Result<(), ManifestError> {
        let bad = |s: String| Err(ManifestError::Invalid(s));
        if !valid_hostname(&self.hostname) {
            return bad(format!(
                "hostname {:?} is not an RFC 1123 host name",
                self.hostname
            ));
        }
        if let Some(d) = self
            .dns
            .iter()
            .find(|d| d.parse::<std::net::IpAddr>().is_err())
        {
            return bad(format!("dns {d:?} is not an IP address"));
        }
        if let Some(d) = self.dns_search.iter().find(|d| !valid_domain(d)) {
            return bad(format!("dns_search {d:?} is not a DNS name"));
        }
        if let Some(h) = self
            .add_hosts
            .iter()
            .find(|h| !valid_domain(&h.name) || h.ip.parse::<std::net::IpAddr>().is_err())
        {
            return bad(format!(
                "add_hosts {:?} {:?}: a DNS name and an IP address",
                h.name, h.ip
            ));
        }
        Ok(())
    }

    /// Every number (and length) stage1 hands to the kernel or to its own arithmetic, within the
    /// bounds stage0 enforces on its input; each error names the field.
    fn check_numbers(&self) -> Result<(), ManifestError> {
        let bad = |s: String| Err(ManifestError::Invalid(s));
        if self.log_max_bytes != 0 && self.log_max_bytes < MIN_LOG_MAX_BYTES {
            return bad(format!(
                "log_max_bytes {}: 0 (the default) or at least {MIN_LOG_MAX_BYTES}",
                self.log_max_bytes
            ));
        }
        check_limits("limits", &self.limits)?;
        for a in &self.apps {
            check_limits(&format!("apps[{}].limits", a.spec.name), &a.limits)?;
            for r in &a.spec.rlimits {
                if r.soft > r.hard {
                    return bad(format!(
                        "apps[{}].spec.rlimits {}: soft limit {} is above hard limit {}",
                        a.spec.name, r.resource, r.soft, r.hard
                    ));
                }
            }
            if let liftoff_stage2::SeccompMode::Profile(text) = &a.spec.seccomp {
                if text.len() > MAX_SECCOMP_PROFILE {
                    return bad(format!(
                        "apps[{}].spec.seccomp: the profile is {} bytes, more than {MAX_SECCOMP_PROFILE}",
                        a.spec.name,
                        text.len()
                    ));
                }
            }
        }
        for v in &self.volumes {
            // chown(2) reads (uid_t)-1 as "leave unchanged": the volume would silently stay root's.
            if v.uid == u32::MAX || v.gid == u32::MAX {
                return bad(format!(
                    "volumes[{}]: uid {} / gid {}: 4294967295 is not an id",
                    v.name, v.uid, v.gid
                ));
            }
            if v.mode > 0o7777 {
                return bad(format!(
                    "volumes[{}].mode {:o}: permission bits are at most 7777 (octal)",
                    v.name, v.mode
                ));
            }
        }
        let mut published = std::collections::HashSet::new();
        for p in &self.ports {
            let what = format!("ports {}:{}/{}", p.host_port, p.container_port, p.protocol);
            if p.host_port == 0 || p.container_port == 0 {
                return bad(format!("{what}: ports are 1-65535"));
            }
            if p.protocol != "tcp" && p.protocol != "udp" {
                return bad(format!("{what}: the protocol is tcp or udp"));
            }
            if !p.host_ip.is_empty() && p.host_ip.parse::<std::net::IpAddr>().is_err() {
                return bad(format!(
                    "{what}: hostIP {:?} is not an IP address",
                    p.host_ip
                ));
            }
            if !published.insert((p.host_port, p.protocol.as_str())) {
                return bad(format!("{what}: host port published twice"));
            }
        }
        Ok(())
    }
}

/// Pod and app cgroup limits, as stage0's `--memory`, `--cpus` and `--pids-limit` produce them.
fn check_limits(field: &str, l: &Limits) -> Result<(), ManifestError> {
    let bad = |s: String| Err(ManifestError::Invalid(s));
    if let Some(c) = l.cpus {
        if !(c.is_finite() && c > 0.0 && c <= MAX_CPUS) {
            return bad(format!(
                "{field}.cpus {c}: a number of CPUs above 0 and at most {MAX_CPUS}"
            ));
        }
    }
    if l.memory_bytes == Some(0) {
        return bad(format!(
            "{field}.memory_bytes 0: a memory limit is at least 1 byte (leave it out for none)"
        ));
    }
    if let Some(p) = l.pids {
        if p == 0 || p > MAX_PIDS {
            return bad(format!(
                "{field}.pids {p}: 1-{MAX_PIDS} processes (leave it out for no limit)"
            ));
        }
    }
    Ok(())
}

/// tmpfs options liftoff passes on: a comma list of size=, mode=, uid=, gid=, nr_inodes= with plain
/// values (nothing that could smuggle another option).
pub fn valid_tmpfs_options(s: &str) -> bool {
    s.is_empty()
        || s.split(',').all(|o| {
            o.split_once('=').is_some_and(|(k, v)| {
                ["size", "mode", "uid", "gid", "nr_inodes"].contains(&k)
                    && !v.is_empty()
                    && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'%')
                    && (!matches!(k, "size" | "nr_inodes") || valid_amount(k, v))
            })
        })
}

/// A tmpfs `size=`/`nr_inodes=` the kernel reads as the bounded amount it looks like: digits, then
/// at most one of k, m, g, t, p, e (or `%` for size, 1-100). Zero, and anything that overflows 64
/// bits (the kernel's memparse wraps silently, so `16384p` is 0), would mean "unlimited".
pub fn valid_amount(key: &str, v: &str) -> bool {
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    let Ok(n) = digits.parse::<u64>() else {
        return false;
    };
    let shift = match &v[digits.len()..] {
        "" => 0,
        "%" if key == "size" => return (1..=100).contains(&n),
        s if s.len() == 1 => match s.to_ascii_lowercase().as_str() {
            "k" => 10,
            "m" => 20,
            "g" => 30,
            "t" => 40,
            "p" => 50,
            "e" => 60,
            _ => return false,
        },
        _ => return false,
    };
    n > 0 && n.checked_mul(1u64 << shift).is_some()
}

/// `0`, `0k`, `00m`, `0%`: tmpfs reads a zero size or inode count as "unlimited".
pub fn zero_amount(v: &str) -> bool {
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    !digits.is_empty() && digits.bytes().all(|b| b == b'0')
}

/// A host name as RFC 1123 allows it and the kernel's hostname holds (at most 64 bytes): dot-separated
/// labels of 1-63 letters, digits and '-', not starting or ending with '-'.
pub fn valid_hostname(s: &str) -> bool {
    s.len() <= MAX_HOSTNAME && valid_domain(s)
}

/// A DNS name (search domain, /etc/hosts name): RFC 1123 labels, at most 253 bytes, one optional
/// trailing dot. Nothing else can reach /etc/hosts or /etc/resolv.conf, so no line can be injected.
pub fn valid_domain(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// App names become directory and cgroup names: keep them boring.
pub fn valid_app_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 63
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !n.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_domains_and_tmpfs_amounts() {
        for ok in ["web", "a-b.example.com", "x1", "EXAMPLE.org."] {
            assert!(valid_domain(ok), "{ok}");
        }
        for bad in [
            "", "-a", "a-", "a..b", "a b", "a\nb", "a_b", "a/b", "é.com", ".",
        ] {
            assert!(!valid_domain(bad), "{bad:?}");
        }
        assert!(valid_hostname(&"a".repeat(63)));
        assert!(!valid_hostname(&format!(
            "{}.{}",
            "a".repeat(40),
            "b".repeat(30)
        )));
        assert!(valid_tmpfs_options("size=64m,nr_inodes=100"));
        assert!(valid_tmpfs_options("size=50%,nr_inodes=1k"));
        assert!(valid_tmpfs_options("size=16383p"));
        for bad in [
            "size=0",
            "size=0k",
            "size=00m",
            "nr_inodes=0",
            "size=0%",
            "size=16384p",
            "size=18446744073709551616",
            "size=17179869184g",
            "size=101%",
            "size=1x",
            "size=1kk",
            "nr_inodes=5%",
        ] {
            assert!(!valid_tmpfs_options(bad), "{bad}");
        }
    }

    #[test]
    fn hostile_values_are_refused_not_panicked_on() {
        let mut m = sample();
        m.apps[0].layers = vec!["/x/..".into()];
        assert!(m.validate().unwrap_err().to_string().contains("layers"));
        m.apps[0].layers = vec!["/x/./y".into()];
        assert!(m.validate().is_err());
        let mut m = sample();
        m.net = NetMode::Cni;
        m.netns_dir = "/run/netns".into();
        m.networks = vec![crate::network::Network {
            name: "n".into(),
            cni_version: "1.0.0".into(),
            plugins: vec![serde_json::json!("bridge")],
            source: "pod.json".into(),
            native: None,
        }];
        let e = m.validate().unwrap_err().to_string();
        assert!(e.contains("not a JSON object"), "{e}");
        m.networks[0].plugins = vec![serde_json::json!({"type": "../../bin/sh"})];
        assert!(m.validate().is_err());
        let mut m = sample();
        m.hostname = "a\nb".into();
        assert!(m.validate().is_err());
        let mut m = sample();
        m.dns = vec!["1.1.1.1\nnameserver 6.6.6.6".into()];
        assert!(m.validate().is_err());
        let mut m = sample();
        m.add_hosts = vec![HostEntry {
            name: "x y".into(),
            ip: "1.2.3.4".into(),
        }];
        assert!(m.validate().is_err());
    }

    #[test]
    fn exit_code_from_and_on_exit_are_checked() {
        let mut m = sample();
        m.exit_code_from = Some("nope".into());
        let e = m.validate().unwrap_err().to_string();
        assert!(e.contains("exit_code_from") && e.contains("nope"), "{e}");
        m.exit_code_from = Some(m.apps[0].spec.name.clone());
        m.validate().unwrap();
        m.on_exit = vec!["liftoff".into(), "rm".into()];
        let e = m.validate().unwrap_err().to_string();
        assert!(e.contains("on_exit"), "{e}");
        m.on_exit = vec!["/usr/bin/liftoff".into(), "rm".into()];
        m.validate().unwrap();
    }

    fn sample() -> PodManifest {
        crate::testing::manifest(NetMode::None)
    }

    /// Asserts that `m` is refused with a message naming `field`, by `validate` and, when JSON can
    /// carry the manifest unchanged (it has no NaN or infinity), by `from_slice` too.
    fn refused(m: &PodManifest, field: &str) {
        let e = m.validate().unwrap_err().to_string();
        assert!(e.contains(field), "{field}: {e}");
        let b = serde_json::to_vec(m).unwrap();
        if serde_json::from_slice::<PodManifest>(&b).is_ok_and(|raw| raw == *m) {
            let e = PodManifest::from_slice(&b).unwrap_err().to_string();
            assert!(e.contains(field), "{field}: {e}");
        }
    }

    fn accepted(m: &PodManifest) {
        m.validate().unwrap();
        let b = serde_json::to_vec(m).unwrap();
        assert_eq!(&PodManifest::from_slice(&b).unwrap(), m);
    }

    #[test]
    fn cpus_are_bounded_as_stage0_does() {
        for bad in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4096.001,
            1e300,
        ] {
            let mut m = sample();
            m.limits.cpus = Some(bad);
            refused(&m, "limits.cpus");
            let mut m = sample();
            m.apps[0].limits.cpus = Some(bad);
            refused(&m, "apps[web].limits.cpus");
        }
        for good in [0.001, 0.5, 1.0, 4096.0] {
            let mut m = sample();
            m.limits.cpus = Some(good);
            m.apps[0].limits.cpus = Some(good);
            accepted(&m);
        }
    }

    #[test]
    fn memory_and_pids_are_bounded() {
        let mut m = sample();
        m.limits.memory_bytes = Some(0);
        refused(&m, "limits.memory_bytes");
        let mut m = sample();
        m.apps[0].limits.memory_bytes = Some(0);
        refused(&m, "apps[web].limits.memory_bytes");
        let mut m = sample();
        m.limits.memory_bytes = Some(1);
        m.apps[0].limits.memory_bytes = Some(u64::MAX);
        accepted(&m);
        for bad in [0, MAX_PIDS + 1, u64::MAX] {
            let mut m = sample();
            m.limits.pids = Some(bad);
            refused(&m, "limits.pids");
            let mut m = sample();
            m.apps[0].limits.pids = Some(bad);
            refused(&m, "apps[web].limits.pids");
        }
        let mut m = sample();
        m.limits.pids = Some(1);
        m.apps[0].limits.pids = Some(MAX_PIDS);
        accepted(&m);
    }

    #[test]
    fn log_size_hostname_and_stop_timeout() {
        for bad in [1, MIN_LOG_MAX_BYTES - 1] {
            let mut m = sample();
            m.log_max_bytes = bad;
            refused(&m, "log_max_bytes");
        }
        for good in [0, MIN_LOG_MAX_BYTES, u64::MAX] {
            let mut m = sample();
            m.log_max_bytes = good;
            accepted(&m);
        }
        for bad in [
            String::new(),
            "a".repeat(MAX_HOSTNAME + 1),
            "a b".into(),
            "a/b".into(),
        ] {
            let mut m = sample();
            m.hostname = bad;
            refused(&m, "hostname");
        }
        let mut m = sample();
        m.hostname = format!("{}.{}", "a".repeat(40), "b".repeat(MAX_HOSTNAME - 41));
        accepted(&m);
        // Any u64 is accepted, as stage0 accepts it, and using it cannot overflow an Instant.
        let mut m = sample();
        m.stop_timeout_secs = u64::MAX;
        accepted(&m);
        let _ = std::time::Instant::now() + m.stop_timeout();
        assert_eq!(sample().stop_timeout(), std::time::Duration::from_secs(10));
    }

    #[test]
    fn rlimits_and_seccomp_profile_size() {
        let mut m = sample();
        // Fields are public, so a manifest built in-process can break soft <= hard.
        m.apps[0].spec.rlimits = vec![liftoff_stage2::ResourceLimit {
            resource: liftoff_stage2::RlimitResource::Nofile,
            soft: 2048,
            hard: 1024,
        }];
        refused(&m, "apps[web].spec.rlimits RLIMIT_NOFILE");
        m.apps[0].spec.rlimits[0].soft = 1024;
        m.apps[0].spec.rlimits[0].hard = u64::MAX;
        accepted(&m);
        let mut m = sample();
        m.apps[0].spec.seccomp =
            liftoff_stage2::SeccompMode::Profile(" ".repeat(MAX_SECCOMP_PROFILE + 1));
        refused(&m, "apps[web].spec.seccomp");
        m.apps[0].spec.seccomp =
            liftoff_stage2::SeccompMode::Profile(" ".repeat(MAX_SECCOMP_PROFILE));
        m.validate().unwrap();
    }

    #[test]
    fn volume_owner_and_mode() {
        let vol = |uid, gid, mode| EmptyVolume {
            name: "data".into(),
            uid,
            gid,
            mode,
        };
        for (v, field) in [
            (vol(u32::MAX, 0, 0o755), "volumes[data]: uid 4294967295"),
            (
                vol(0, u32::MAX, 0o755),
                "volumes[data]: uid 0 / gid 4294967295",
            ),
            (vol(0, 0, 0o10000), "volumes[data].mode 10000"),
        ] {
            let mut m = sample();
            m.volumes = vec![v];
            refused(&m, field);
        }
        let mut m = sample();
        m.volumes = vec![vol(u32::MAX - 1, 65534, 0o7777)];
        accepted(&m);
    }

    #[test]
    fn ports_and_sockets() {
        let cni = || {
            let mut m = sample();
            m.net = NetMode::Cni;
            m.netns_dir = "/run/liftoff/netns".into();
            m.networks = vec![crate::network::parse(
                r#"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"}]}"#,
                "n",
            )
            .unwrap()];
            m
        };
        let port = |h, c, proto: &str, ip: &str| crate::network::PortMapping {
            host_port: h,
            container_port: c,
            protocol: proto.into(),
            host_ip: ip.into(),
        };
        for (ports, field) in [
            (
                vec![port(0, 80, "tcp", "")],
                "ports 0:80/tcp: ports are 1-65535",
            ),
            (vec![port(8080, 0, "tcp", "")], "ports 8080:0/tcp"),
            (vec![port(8080, 80, "sctp", "")], "ports 8080:80/sctp"),
            (
                vec![port(8080, 80, "tcp", "localhost")],
                "hostIP \"localhost\"",
            ),
            (
                vec![port(8080, 80, "tcp", ""), port(8080, 81, "tcp", "")],
                "published twice",
            ),
        ] {
            let mut m = cni();
            m.ports = ports;
            refused(&m, field);
        }
        let mut m = cni();
        m.ports = vec![
            port(1, 65535, "tcp", ""),
            port(65535, 1, "udp", "::1"),
            port(1, 1, "udp", "127.0.0.1"),
        ];
        accepted(&m);
        for count in [0, MAX_SOCKETS + 1] {
            let mut m = sample();
            m.sockets = Some(SocketActivation {
                app: "web".into(),
                count,
                names: vec![],
            });
            refused(&m, "sockets.count");
        }
        let mut m = sample();
        m.sockets = Some(SocketActivation {
            app: "web".into(),
            count: MAX_SOCKETS,
            names: vec![],
        });
        accepted(&m);
    }

    #[test]
    fn round_trip() {
        let m = sample();
        let b = serde_json::to_vec(&m).unwrap();
        assert_eq!(PodManifest::from_slice(&b).unwrap(), m);
    }

    #[test]
    fn start_order_and_probes_are_checked() {
        let mut m = sample();
        let mut b = m.apps[0].clone();
        b.spec.name = "b".into();
        m.apps.push(b);
        let dep = |app: &str, until| Dependency {
            app: app.into(),
            until,
        };
        let err = |m: &PodManifest| {
            PodManifest::from_slice(&serde_json::to_vec(m).unwrap())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let a = m.apps[0].spec.name.clone();
        m.apps[1].after = vec![dep(&a, Until::Started)];
        assert_eq!(err(&m), "");
        m.apps[0].after = vec![dep("b", Until::Completed)];
        assert!(err(&m).contains("cycle"), "{}", err(&m));
        m.apps[0].after = vec![dep("nope", Until::Started)];
        assert!(err(&m).contains("no app \"nope\""), "{}", err(&m));
        m.apps[0].after = vec![dep("b", Until::Ready)];
        assert!(err(&m).contains("no ready probe"), "{}", err(&m));
        m.apps[0].after.clear();
        let mut p = ReadyProbe {
            check: ReadyCheck::Exec { argv: vec![] },
            interval_ms: 100,
            timeout_ms: 1000,
            retries: 3,
            start_period_ms: 0,
            start_interval_ms: 0,
        };
        m.apps[1].ready = Some(p.clone());
        assert!(err(&m).contains("exec needs a command"), "{}", err(&m));
        p.check = ReadyCheck::Tcp {
            addr: "127.0.0.1:80".parse().unwrap(),
        };
        p.interval_ms = 1;
        m.apps[1].ready = Some(p.clone());
        assert!(err(&m).contains("ready.interval_ms"), "{}", err(&m));
        p.interval_ms = 100;
        p.retries = 0;
        m.apps[1].ready = Some(p);
        assert!(err(&m).contains("ready.retries"), "{}", err(&m));
    }

    #[test]
    fn mounts_are_checked() {
        let mut m = sample();
        m.apps[0].mounts.push(AppMount {
            target: "/data/../../etc".into(),
            source: MountSource::Tmpfs {
                options: String::new(),
                exec: false,
            },
            read_only: false,
            idmap: false,
        });
        let b = serde_json::to_vec(&m).unwrap();
        assert!(PodManifest::from_slice(&b).is_err());
        m.apps[0].mounts[0].target = "/data".into();
        m.apps[0].mounts[0].source = MountSource::Volume { name: "x".into() };
        let b = serde_json::to_vec(&m).unwrap();
        assert!(PodManifest::from_slice(&b)
            .unwrap_err()
            .to_string()
            .contains("not one of the pod's volumes"));
        assert!(valid_tmpfs_options("size=64m,mode=1777"));
        assert!(!valid_tmpfs_options("size=1m,exec"));
        assert!(!valid_tmpfs_options("mode=1777,uid=0,context=x"));
    }

    #[test]
    fn other_version_is_refused() {
        let err = PodManifest::from_slice(br#"{"version":2,"apps":[]}"#).unwrap_err();
        assert!(matches!(err, ManifestError::Version { found: 2 }));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["privileged"] = true.into();
        assert!(PodManifest::from_slice(&serde_json::to_vec(&v).unwrap()).is_err());
    }

    #[test]
    fn duplicate_and_bad_names_are_refused() {
        let mut m = sample();
        m.apps.push(m.apps[0].clone());
        let b = serde_json::to_vec(&m).unwrap();
        assert!(PodManifest::from_slice(&b)
            .unwrap_err()
            .to_string()
            .contains("two apps"));
        let mut m = sample();
        m.apps[0].spec.name = "../x".into();
        let b = serde_json::to_vec(&m).unwrap();
        assert!(PodManifest::from_slice(&b).is_err());
    }
}
