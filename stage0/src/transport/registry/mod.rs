//! Registries: the OCI distribution API v2 (`docker://host/repo:tag`, or a bare name meaning
//! docker.io), over HTTPS with the system's roots plus per-registry CAs, with the bearer-token and
//! basic auth flows and the credential files users already have.
//!
//! One module per concern:
//! - [`http`]: the client: scheme choice, the auth handshake, status → error mapping, bounded reads;
//! - [`auth`]: `WWW-Authenticate` challenges, token requests, basic auth;
//! - [`creds`]: `--creds`, `--authfile`, containers `auth.json`, docker `config.json`;
//! - [`tls`]: root certificates (system, `certs.d/<host>/`, `--tls-ca`) and client certificates;
//! - [`source`]: the [`Source`](super::Source) of an image in a repository;
//! - [`resume`]: blob streams that resume with HTTP `Range` after a dropped connection;
//! - [`rate`]: the minimum transfer rate every response body must keep;
//! - [`push`]: uploading blobs and manifests (signatures from `image sign`);
//! - [`progress`]: the per-layer progress display.
//!
//! Everything a registry sends is bounded: manifest and token sizes, header sizes, redirects,
//! error bodies; every network wait has a timeout, and every body a minimum transfer rate. Secrets (passwords, tokens) never appear in a
//! message or a log line: [`creds::Credentials`] redacts itself and the HTTP layer redacts headers.

pub mod auth;
pub mod creds;
pub mod http;
pub mod progress;
pub mod push;
pub mod rate;
pub mod resume;
pub mod source;
pub mod tls;

pub use creds::Credentials;
pub use http::Client;
pub use source::RegistrySource;

use std::path::PathBuf;

/// Where liftoff looks for per-registry certificates by default (`certs.d/<host[:port]>/`).
pub const DEFAULT_CERTS_DIR: &str = "/etc/liftoff/certs.d";
/// The API endpoint behind the `docker.io` name.
pub const DOCKER_HUB_ENDPOINT: &str = "registry-1.docker.io";

/// Knobs for talking to registries; the CLI fills them from flags and config.toml.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// `--creds USER:PASSWORD`: wins over every credential file.
    pub creds: Option<Credentials>,
    /// `--authfile FILE`: the only credential file consulted when given.
    pub authfile: Option<PathBuf>,
    /// `--tls-ca FILE`: extra CA certificates (PEM) trusted for this invocation.
    pub tls_ca: Vec<PathBuf>,
    /// Root of the per-registry certificate dirs (default [`DEFAULT_CERTS_DIR`]).
    pub certs_dir: Option<PathBuf>,
    /// `--insecure-options=http`: plain HTTP is allowed for any registry in this invocation.
    pub insecure_http: bool,
    /// `[registries] insecure` in config.toml: hosts (`host[:port]`) allowed over plain HTTP.
    pub insecure_hosts: Vec<String>,
    /// `[registries] max_manifest_bytes`: the largest manifest or index accepted from a registry
    /// (default and ceiling: [`MAX_MANIFEST_BYTES`](crate::image_manifest::MAX_MANIFEST_BYTES)).
    pub max_manifest_bytes: Option<u64>,
    /// `[registries] min_rate` / `rate_window`: the slowest a response body may arrive.
    pub min_rate: rate::MinRate,
}

impl RegistryOptions {
    /// Registry options as `[registries]` of config.toml sets them (the CLI adds its flags on top).
    pub fn from_config(c: &crate::config::RegistriesConfig) -> RegistryOptions {
        let d = rate::MinRate::default();
        RegistryOptions {
            insecure_hosts: c.insecure.clone(),
            certs_dir: c.certs_dir.clone(),
            authfile: c.auth_file.clone(),
            max_manifest_bytes: c.max_manifest_bytes,
            min_rate: rate::MinRate {
                bytes_per_sec: c.min_rate.unwrap_or(d.bytes_per_sec),
                window: c
                    .rate_window
                    .map(std::time::Duration::from_secs)
                    .unwrap_or(d.window),
            },
            ..Default::default()
        }
    }
}

impl RegistryOptions {
    /// Whether plain HTTP may be used for `host` (as named in the image reference).
    pub fn http_allowed(&self, host: &str) -> bool {
        self.insecure_http || self.insecure_hosts.iter().any(|h| h == host)
    }

    /// The manifest size bound in force.
    pub fn manifest_limit(&self) -> u64 {
        let max = crate::image_manifest::MAX_MANIFEST_BYTES;
        self.max_manifest_bytes.unwrap_or(max).min(max)
    }

    pub fn certs_dir(&self) -> PathBuf {
        self.certs_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CERTS_DIR))
    }
}

/// What went wrong talking to a registry. Every message names the registry and, where there is
/// one, the repository, and says what to do next. None carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot reach registry {registry} at {url}: {reason}; check the name and port, and that the registry is up{hint}")]
    Connect {
        registry: String,
        url: String,
        reason: String,
        hint: &'static str,
    },
    #[error("TLS connection to registry {registry} failed: {reason}; if it uses a private CA, pass --tls-ca FILE or put the CA certificate in {certs_dir}/{registry}/ca.crt; if it only speaks plain HTTP, list it under [registries] insecure in config.toml or pass --insecure-options=http")]
    Tls {
        registry: String,
        reason: String,
        certs_dir: String,
    },
    #[error("registry {registry} timed out ({phase}) at {url}; retry, or check the network")]
    Timeout {
        registry: String,
        url: String,
        phase: String,
    },
    #[error("registry {registry} requires authentication for {repository}; pass --creds USER:PASSWORD or --authfile FILE, or log in with `podman login {registry}` (liftoff reads the containers auth.json and ~/.docker/config.json)")]
    AuthRequired {
        registry: String,
        repository: String,
    },
    #[error("registry {registry} refused the credentials {origin} for {repository}{detail}; check the user name and password")]
    BadCredentials {
        registry: String,
        repository: String,
        origin: String,
        detail: String,
    },
    #[error("registry {registry} denied access to {repository}{detail}; the account may lack permission (pull, or push for signing)")]
    Denied {
        registry: String,
        repository: String,
        detail: String,
    },
    #[error("{what} not found in registry {registry} (repository {repository}){detail}; check the name and tag")]
    NotFound {
        registry: String,
        repository: String,
        what: String,
        detail: String,
    },
    #[error("registry {registry} answered {status} for {what} in {repository}{detail}")]
    Status {
        registry: String,
        repository: String,
        what: String,
        status: u16,
        detail: String,
    },
    #[error("registry {registry} sent {what} larger than the limit of {limit} bytes; refusing it")]
    TooLarge {
        registry: String,
        what: String,
        limit: u64,
    },
    #[error("registry {registry}: {reason}")]
    Protocol { registry: String, reason: String },
    #[error("registry {registry}: plain HTTP is not allowed for this registry ({reason}); list it under [registries] insecure in config.toml or pass --insecure-options=http")]
    HttpNotAllowed { registry: String, reason: String },
    #[error("credentials file {path}: {reason}")]
    CredentialsFile { path: PathBuf, reason: String },
    #[error("certificate {path}: {reason}")]
    Certificate { path: PathBuf, reason: String },
    #[error("registry {registry} sent {what} at {rate} bytes/s over {secs:.0}s, below the minimum of {min_rate} bytes/s; the registry or the network is stalled: retry later, or lower min_rate (0 turns the check off) or raise rate_window (seconds) under [registries] in config.toml")]
    TooSlow {
        registry: String,
        what: String,
        rate: u64,
        secs: f64,
        min_rate: u64,
    },
    #[error("reading {what} from registry {registry} failed after {attempts} attempts: {reason}")]
    GaveUp {
        registry: String,
        what: String,
        attempts: u32,
        reason: String,
    },
}

impl RegistryError {
    /// Whether trying again later may help (the connection dropped, the registry restarted).
    pub fn is_transient(&self) -> bool {
        match self {
            RegistryError::Connect { .. } | RegistryError::Timeout { .. } => true,
            RegistryError::Status { status, .. } => matches!(status, 408 | 429 | 500..=504),
            _ => false,
        }
    }
}

/// `[registries]` of config.toml as [`RegistryOptions::from_config`] reads it.
#[cfg(test)]
mod config_tests {
    use super::*;
    use crate::config::Config;
    use std::path::PathBuf;

    #[test]
    fn registries_section() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(
            &p,
            "[registries]\ninsecure = [\"127.0.0.1:5000\"]\ncerts_dir = \"/tmp/certs\"\n",
        )
        .unwrap();
        let o = RegistryOptions::from_config(&Config::load(&p, true).unwrap().registries);
        assert!(o.http_allowed("127.0.0.1:5000"));
        assert!(!o.http_allowed("127.0.0.1:5001"));
        assert_eq!(o.certs_dir(), PathBuf::from("/tmp/certs"));
        std::fs::write(&p, "[registries]\ninsecure = \"x\"\n").unwrap();
        assert!(Config::load(&p, true).is_err());
    }

    #[test]
    fn rate_settings() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "").unwrap();
        let d = RegistryOptions::from_config(&Config::load(&p, true).unwrap().registries).min_rate;
        assert_eq!(d.bytes_per_sec, 10240);
        assert_eq!(d.window, std::time::Duration::from_secs(30));
        std::fs::write(&p, "[registries]\nmin_rate = 0\nrate_window = 5\n").unwrap();
        let r = RegistryOptions::from_config(&Config::load(&p, true).unwrap().registries).min_rate;
        assert_eq!((r.bytes_per_sec, r.window.as_secs()), (0, 5));
        std::fs::write(&p, "[registries]\nrate_window = 0\n").unwrap();
        let e = Config::load(&p, true).unwrap_err().to_string();
        assert!(e.contains("rate_window"), "{e}");
    }
}
