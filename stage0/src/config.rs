//! `/etc/liftoff/config.toml`: site defaults. Every key is optional; unknown keys are an error so a
//! typo cannot silently leave a limit at its default.

use crate::unpack::Limits;
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
}

/// `[network]`: where CNI network lists and plugins are.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Network lists for `--net=NAME` (`NAME.conflist`); default /etc/liftoff/net.d.
    pub config_dir: Option<PathBuf>,
    /// CNI plugin dirs, searched in order; default /usr/lib/cni, /opt/cni/bin.
    pub plugin_dirs: Option<Vec<PathBuf>>,
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
    /// Layers streamed at once.
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

impl Config {
    /// Loads `path`; a missing file is fine only when it is the default path (not given explicitly).
    pub fn load(path: &Path, explicit: bool) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(Config::default())
            }
            Err(source) => {
                return Err(ConfigError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Self::parse(&text, path)
    }

    /// Parses the text of a config file; `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    pub fn limits(&self) -> Limits {
        let d = Limits::default();
        Limits {
            max_entries: self.unpack.max_entries.unwrap_or(d.max_entries),
            max_bytes: self.unpack.max_bytes.unwrap_or(d.max_bytes),
            allow_devices: self.unpack.allow_devices.unwrap_or(d.allow_devices),
        }
    }

    /// Registry options as configured (the CLI adds its flags on top).
    pub fn registry_options(&self) -> crate::transport::registry::RegistryOptions {
        crate::transport::registry::RegistryOptions {
            insecure_hosts: self.registries.insecure.clone(),
            certs_dir: self.registries.certs_dir.clone(),
            authfile: self.registries.auth_file.clone(),
            max_manifest_bytes: self.registries.max_manifest_bytes,
            ..Default::default()
        }
    }

    /// Network settings as configured.
    pub fn net_settings(&self) -> crate::pod::request::NetSettings {
        let d = crate::pod::request::NetSettings::default();
        crate::pod::request::NetSettings {
            config_dir: self.network.config_dir.clone().unwrap_or(d.config_dir),
            plugin_dirs: self.network.plugin_dirs.clone().unwrap_or(d.plugin_dirs),
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
        assert_eq!(Config::load(&p, true).unwrap().limits().max_entries, 3);
        assert!(Config::load(&dir.path().join("none"), false).is_ok());
        assert!(Config::load(&dir.path().join("none"), true).is_err());
    }

    #[test]
    fn registries_section() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(
            &p,
            "[registries]\ninsecure = [\"127.0.0.1:5000\"]\ncerts_dir = \"/tmp/certs\"\n",
        )
        .unwrap();
        let o = Config::load(&p, true).unwrap().registry_options();
        assert!(o.http_allowed("127.0.0.1:5000"));
        assert!(!o.http_allowed("127.0.0.1:5001"));
        assert_eq!(o.certs_dir(), PathBuf::from("/tmp/certs"));
        std::fs::write(&p, "[registries]\ninsecure = \"x\"\n").unwrap();
        assert!(Config::load(&p, true).is_err());
    }
}
