//! What the user asked for, before it is checked against the store: the same shape whether it came
//! from `liftoff run` flags or from a `pod.toml` ([`super::podfile`]).

use serde::Deserialize;

/// One app of the pod as requested.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AppRequest {
    /// Image name (or digest prefix) in the store.
    pub image: String,
    /// App name in the pod (default: the image's last path component).
    #[serde(default)]
    pub name: Option<String>,
    /// Replaces the image's entrypoint (the whole command when `args` is empty).
    #[serde(default)]
    pub exec: Option<Vec<String>>,
    /// Replaces the image's Cmd.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// KEY=VALUE, added to (and overriding) the image's environment.
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub workdir: Option<String>,
    /// Memory limit, e.g. "256M".
    #[serde(default)]
    pub memory: Option<String>,
    #[serde(default)]
    pub cpus: Option<f64>,
    #[serde(default)]
    pub pids_limit: Option<u64>,
    #[serde(default)]
    pub cap_add: Vec<String>,
    #[serde(default)]
    pub cap_drop: Vec<String>,
    /// "default", "unconfined" or a path to a Docker/OCI JSON profile.
    #[serde(default)]
    pub seccomp: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    /// rlimits as podman's --ulimit: "nofile=1024:2048".
    #[serde(default)]
    pub ulimits: Vec<String>,
    /// Extra supplementary groups.
    #[serde(default)]
    pub group_add: Vec<String>,
    /// `-v SOURCE:TARGET[:OPTIONS]` for this app (see [`super::volumes`]).
    #[serde(default)]
    pub volumes: Vec<String>,
    /// `--tmpfs TARGET[:OPTIONS]` for this app.
    #[serde(default)]
    pub tmpfs: Vec<String>,
    /// Apps this one starts after: `NAME` (ready, when NAME has a `ready` probe, else started),
    /// `NAME:started`, `NAME:ready` or `NAME:completed` (exited with status 0); see
    /// [`super::order`].
    #[serde(default)]
    pub after: Vec<String>,
    /// How to tell that this app is ready (see [`ReadyRequest`]).
    #[serde(default)]
    pub ready: Option<ReadyRequest>,
    /// `--restart`: `no`, `on-failure[:N]` or `always[:N]`.
    #[serde(default)]
    pub restart: Option<String>,
}

/// A readiness probe as requested: exactly one of `tcp` and `exec`, and its timing. Durations are
/// liftoff's (`200ms`, `1m30s`); unset ones take [`ReadyRequest::DEFAULTS`] (a pod file) or
/// whatever the format that produced the request sets (a compose file sets Docker's).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReadyRequest {
    /// A port on 127.0.0.1 (`3306`) or an address (`"[::1]:3306"`) in the pod's network
    /// namespace that accepts a TCP connection.
    #[serde(default)]
    pub tcp: Option<TcpTarget>,
    /// A command run in the app (its root, user, capabilities and seccomp filter) that exits 0.
    #[serde(default)]
    pub exec: Option<Vec<String>>,
    #[serde(default)]
    pub interval: Option<String>,
    #[serde(default)]
    pub timeout: Option<String>,
    /// Failed probes (after `start_period`) before the app counts as failed.
    #[serde(default)]
    pub retries: Option<u32>,
    /// Failures in this time after the app's start do not count.
    #[serde(default)]
    pub start_period: Option<String>,
    /// The interval during `start_period`.
    #[serde(default)]
    pub start_interval: Option<String>,
}

/// `tcp = 3306` or `tcp = "HOST:PORT"`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum TcpTarget {
    Port(u16),
    Addr(String),
}

/// The whole pod as requested.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRequest {
    pub apps: Vec<AppRequest>,
    /// The pod's name for lookups (the first app's --name, or `name` in a pod file).
    pub name: Option<String>,
    /// `--userns`: "host", "auto" or "auto:size=N" (None: config.toml's `[userns] default`).
    pub userns: Option<String>,
    pub hostname: Option<String>,
    pub net: String,
    pub stop_timeout: u64,
    pub memory: Option<String>,
    pub cpus: Option<f64>,
    pub pids_limit: Option<u64>,
    pub interactive: bool,
    pub tty: bool,
    pub prefix_output: bool,
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    /// Pod-wide volumes (`[[volume]]` in a pod file), each for the apps it names or all.
    pub volumes: Vec<super::volumes::VolumeRequest>,
    /// `run -d`: output only to the log files.
    pub detached: bool,
    /// Rotation size of each app's log; 0 = stage1's default.
    pub log_max_bytes: u64,
    /// `-p [HOSTIP:]HOSTPORT:PODPORT[/PROTO]`.
    pub publish: Vec<String>,
    /// `--add-host NAME:IP`.
    pub add_hosts: Vec<String>,
    /// Bind the pod's /etc files writable.
    pub etc_writable: bool,
    /// `--notify`: "pod" or "app:NAME".
    pub notify: Option<String>,
    /// Socket activation: LISTEN_FDS count and LISTEN_FDNAMES inherited by this process.
    pub listen: Option<(u32, Vec<String>)>,
    /// `--socket-app NAME`: which app gets the inherited sockets (default the first).
    pub socket_app: Option<String>,
    /// `--exit-code-from NAME`: the pod ends with that app, and with its exit code.
    pub exit_code_from: Option<String>,
    /// `run --rm`: the command the supervisor runs after teardown to remove the pod.
    pub on_exit: Vec<String>,
    /// `--insecure-options=net-host-apps`: several apps may share a --net=host pod.
    pub net_host_apps: bool,
    /// The pod will have ids of its own (decided by `run` before resolving): its apps are then
    /// kept apart by Landlock, with `--net=host` too.
    pub remapped: bool,
    /// `--disk-limit` / `disk_limit`: what the pod may write (upper dirs, volumes, logs).
    pub disk_limit: Option<String>,
    /// `run --sandbox`: a pod that stays up until stopped, with apps added later (or none).
    pub sandbox: bool,
}

/// What the default network is, and where networks and CNI plugins are (from the config file).
#[derive(Debug, Clone, PartialEq)]
pub struct NetSettings {
    pub default: crate::config::DefaultNetwork,
    pub bridge: String,
    pub subnet: String,
    pub ipv6: Option<String>,
    pub config_dir: std::path::PathBuf,
    pub plugin_dirs: Vec<std::path::PathBuf>,
}

impl NetSettings {
    /// Network settings as `[network]` of config.toml sets them.
    pub fn from_config(c: &crate::config::NetworkConfig) -> NetSettings {
        let d = NetSettings::default();
        NetSettings {
            default: c.default.unwrap_or(d.default),
            bridge: c.bridge.clone().unwrap_or(d.bridge),
            subnet: c.subnet.clone().unwrap_or(d.subnet),
            ipv6: c.ipv6.clone(),
            config_dir: c.config_dir.clone().unwrap_or(d.config_dir),
            plugin_dirs: c.plugin_dirs.clone().unwrap_or(d.plugin_dirs),
        }
    }
}

impl Default for NetSettings {
    fn default() -> Self {
        NetSettings {
            default: crate::config::DefaultNetwork::Native,
            bridge: super::networks::NATIVE_BRIDGE.into(),
            subnet: super::networks::NATIVE_SUBNET.into(),
            ipv6: None,
            config_dir: super::networks::DEFAULT_NET_DIR.into(),
            plugin_dirs: super::networks::DEFAULT_PLUGIN_DIRS
                .iter()
                .map(Into::into)
                .collect(),
        }
    }
}

impl Default for PodRequest {
    fn default() -> Self {
        PodRequest {
            apps: Vec::new(),
            name: None,
            hostname: None,
            userns: None,
            net: "default".into(),
            stop_timeout: 10,
            memory: None,
            cpus: None,
            pids_limit: None,
            interactive: false,
            tty: false,
            prefix_output: true,
            dns: Vec::new(),
            dns_search: Vec::new(),
            volumes: Vec::new(),
            detached: false,
            log_max_bytes: 0,
            publish: Vec::new(),
            add_hosts: Vec::new(),
            etc_writable: false,
            notify: None,
            listen: None,
            socket_app: None,
            exit_code_from: None,
            on_exit: Vec::new(),
            net_host_apps: false,
            remapped: false,
            disk_limit: None,
            sandbox: false,
        }
    }
}
