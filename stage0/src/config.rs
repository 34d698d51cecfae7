//! `/etc/liftoff/config.toml`: site defaults. Every key is optional; unknown keys are an error so a
//! typo cannot silently leave a limit at its default.
//!
//! Plain data at the bottom of the module stack: the modules the settings are for turn them into
//! their own types (`UnpackLimits::from_config`, `RegistryOptions::from_config`,
//! `NetSettings::from_config`, `userns::settings`), so this module imports none of theirs.

use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const DEFAULT_CONFIG: &str = "/etc/liftoff/config.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub unpack: UnpackConfig,
    #[serde(default)]
    pub fetch: FetchConfig,
    #[serde(default)]
    pub registries: RegistriesConfig,
    #[serde(default)]
    pub network: NetworkConfig,
    #[serde(default)]
    pub pods: PodsConfig,
    #[serde(default)]
    pub userns: UsernsConfig,
}

/// `[userns]`: where pods' host id ranges come from and how pods use them; the strings are checked
/// by `userns::settings`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsernsConfig {
    /// Host ids pods' ranges are cut from, "START-END" with END inclusive (e.g. "100000-999999");
    /// for uids and gids alike. By default the liftoff lines of /etc/subuid and /etc/subgid, else
    /// 524288-1879048191.
    pub pool: Option<String>,
    /// Ids in the range of a pod run with `--userns=auto` (default 65536).
    pub size: Option<u32>,
    /// What `run` uses when no --userns is given: "auto" (the default) or "host".
    pub default: Option<String>,
    /// When the kernel or filesystem cannot remap ids: "error" (the default) or "host".
    pub fallback: Option<String>,
}

/// `[pods]`: defaults for every pod.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodsConfig {
    /// Free space the state root's filesystem keeps (e.g. "1G"): below it, new pods, fetches and
    /// imports are refused up front instead of failing half-way with ENOSPC. "0" turns it off.
    pub min_free: Option<String>,
    /// What each pod may write to disk when it sets no `--disk-limit` (e.g. "10G"); none by default.
    pub disk_limit: Option<String>,
    /// Processes a pod may hold when neither the pod file nor the apps set a limit (podman's
    /// default is 2048 per container); 0 = no default limit.
    pub pids_limit: Option<u64>,
    /// The stage1 that runs new pods, instead of the liftoff-stage1 installed with liftoff (the
    /// `--stage1` flag and `$LIFTOFF_STAGE1` take precedence).
    pub stage1: Option<PathBuf>,
}

/// The default pod-wide pids limit, as podman's per-container one.
pub const DEFAULT_PIDS_LIMIT: u64 = 2048;

/// The default free-space reserve of the state root's filesystem.
pub const DEFAULT_MIN_FREE: u64 = 256 << 20;

/// `[network]`: what `--net=default` is, and where CNI network lists and plugins are.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// `"native"` (liftoff's own bridge network, the default) or `"cni"` (the built-in CNI
    /// conflist of earlier versions, run by the CNI plugins).
    pub default: Option<DefaultNetwork>,
    /// The native network's bridge; default `liftoff0`.
    pub bridge: Option<String>,
    /// The native network's IPv4 subnet; default 10.66.0.0/16.
    pub subnet: Option<String>,
    /// An IPv6 ULA subnet for the native network (e.g. `fd66::/64`): pods get an address from it
    /// too, with NAT66 outbound. None (the default): IPv4 only.
    pub ipv6: Option<String>,
    /// Network lists for `--net=NAME` (`NAME.conflist`); default /etc/liftoff/net.d.
    pub config_dir: Option<PathBuf>,
    /// CNI plugin dirs, searched in order; default /usr/lib/cni, /opt/cni/bin.
    pub plugin_dirs: Option<Vec<PathBuf>>,
}

/// What `--net=default` is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DefaultNetwork {
    #[default]
    Native,
    Cni,
}

/// `[registries]`: how to reach registries.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistriesConfig {
    /// Registries (`host[:port]`, exactly as in image names) that may be reached over plain HTTP.
    #[serde(default)]
    pub insecure: Vec<String>,
    /// Root of the per-registry certificate dirs (`<dir>/<host[:port]>/*.crt`, `client.cert`,
    /// `client.key`); default /etc/liftoff/certs.d.
    pub certs_dir: Option<PathBuf>,
    /// A credentials file (containers auth.json format) to use instead of the default search.
    pub auth_file: Option<PathBuf>,
    /// Largest manifest or index accepted from a registry (default and ceiling 4 MiB).
    pub max_manifest_bytes: Option<u64>,
    /// Slowest transfer accepted, in bytes per second averaged over `rate_window` (default
    /// 10240; 0 turns the check off). A registry that drips a blob slower is given up on.
    pub min_rate: Option<u64>,
    /// Seconds over which `min_rate` is averaged (default 30, at most 3600).
    pub rate_window: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnpackConfig {
    pub max_entries: Option<u64>,
    pub max_bytes: Option<u64>,
    pub allow_devices: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchConfig {
    /// Layers downloaded at once (and as many unpacked at once).
    pub jobs: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {message}")]
    Parse { path: PathBuf, message: String },
}

/// Longest `[registries] rate_window` accepted: a longer one would let a stalled registry hold the
/// store for hours.
pub const MAX_RATE_WINDOW: u64 = 3600;

impl Config {
    /// Loads `path`; a missing file is fine only when it is the default path (not given explicitly).
    pub fn load(path: &Path, explicit: bool) -> Result<Config, ConfigError> {
        let io = |source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        };
        // The config names trust-relevant dirs (certs.d, networks, plugin dirs): it must belong
        // to root like everything else liftoff trusts.
        let fd = match crate::owned::open(path, "config file", crate::owned::Kind::File) {
            Ok(Some(fd)) => fd,
            Ok(None) if !explicit => return Ok(Config::default()),
            Ok(None) => {
                return Err(io(std::io::Error::from(std::io::ErrorKind::NotFound)));
            }
            Err(e) => return Err(io(std::io::Error::other(e.to_string()))),
        };
        let bytes = crate::owned::read_all(fd, path, 1 << 20).map_err(io)?;
        let text = String::from_utf8(bytes).map_err(|_| ConfigError::Parse {
            path: path.to_path_buf(),
            message: "not UTF-8 text".into(),
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a config file; `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let c: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if let Some(w) = c.registries.rate_window {
            if !(1..=MAX_RATE_WINDOW).contains(&w) {
                return Err(ConfigError::Parse {
                    path: path.to_path_buf(),
                    message: format!(
                        "[registries] rate_window = {w}: must be 1 to {MAX_RATE_WINDOW} seconds"
                    ),
                });
            }
        }
        Ok(c)
    }

    /// The free-space reserve in bytes (`[pods] min_free`), 0 when turned off.
    pub fn min_free(&self) -> Result<u64, ConfigError> {
        match self.pods.min_free.as_deref() {
            None => Ok(DEFAULT_MIN_FREE),
            Some("0") => Ok(0),
            Some(s) => liftoff_common::units::parse_size(s).ok_or_else(|| ConfigError::Parse {
                path: PathBuf::from("[pods] min_free"),
                message: format!(
                    "{s:?} is not a size such as 1G or 512M (0 turns the reserve off)"
                ),
            }),
        }
    }

    /// The pod-wide pids limit for pods that set none; None when the site turned it off.
    pub fn default_pids_limit(&self) -> Option<u64> {
        match self.pods.pids_limit.unwrap_or(DEFAULT_PIDS_LIMIT) {
            0 => None,
            n => Some(n),
        }
    }

    pub fn jobs(&self) -> usize {
        self.fetch.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .clamp(2, 8)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[unpack]\nmax_entrys = 3\n").unwrap();
        let e = Config::load(&p, true).unwrap_err().to_string();
        assert!(e.contains("max_entrys"), "{e}");
        std::fs::write(&p, "[unpack]\nmax_entries = 3\n").unwrap();
        assert_eq!(Config::load(&p, true).unwrap().unpack.max_entries, Some(3));
        assert!(Config::load(&dir.path().join("none"), false).is_ok());
        assert!(Config::load(&dir.path().join("none"), true).is_err());
    }
}
