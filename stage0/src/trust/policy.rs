//! `policy.toml`: per-prefix verification options. The default for every name is to reject what is
//! not signed by a trusted key; options can only be set per prefix, so loosening is always scoped.

use super::signature::Scheme;
use super::store::prefix_matches;
use liftoff_common::units::parse_duration;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the signed `docker-reference` must relate to the requested name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityRule {
    /// Repository and tag must both match (default).
    #[default]
    Exact,
    /// Only the repository must match: a signature for `:1.0` also admits `:2.0`. An explicit
    /// downgrade for signers (such as some cosign setups) that sign by repository.
    Repository,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    prefix: Vec<RawPrefix>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrefix {
    name: String,
    #[serde(default)]
    identity: Option<IdentityRule>,
    #[serde(default)]
    schemes: Option<Vec<Scheme>>,
    #[serde(default)]
    max_signature_age: Option<String>,
    #[serde(default)]
    threshold: Option<usize>,
    #[serde(default)]
    insecure_accept_unsigned: Option<bool>,
    #[serde(default)]
    accept_atomic_payload: Option<bool>,
}

/// The options in force for one image name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rules {
    /// The policy prefix that supplied these rules, if any.
    pub prefix: Option<String>,
    pub identity: IdentityRule,
    pub schemes: Vec<Scheme>,
    pub max_age: Option<Duration>,
    pub threshold: usize,
    pub insecure_accept_unsigned: bool,
    /// Whether payloads of the atomic type count (cosign's type always does).
    pub accept_atomic_payload: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            prefix: None,
            identity: IdentityRule::Exact,
            schemes: Scheme::DEFAULT.to_vec(),
            max_age: None,
            threshold: 1,
            insecure_accept_unsigned: false,
            accept_atomic_payload: false,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Policy {
    entries: Vec<(String, Rules)>,
    pub file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("policy file {path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

impl Policy {
    /// Loads the admin policy if it exists, else the vendor one, else the built-in default (reject).
    pub fn load(admin: &Path, vendor: &Path) -> Result<Policy, PolicyError> {
        for dir in [admin, vendor] {
            let path = dir.join("policy.toml");
            let invalid = |reason: String| PolicyError::Invalid {
                path: path.clone(),
                reason,
            };
            // The trust store and the file in it must belong to root (see `owned`).
            let Some(fd) = crate::owned::open(dir, "trust store", crate::owned::Kind::Dir)
                .map_err(|e| invalid(e.to_string()))?
            else {
                continue;
            };
            let Some(bytes) =
                crate::owned::read_in(&fd, dir, "policy.toml", "trust policy", 1 << 20)
                    .map_err(|e| invalid(e.to_string()))?
            else {
                continue;
            };
            let text = String::from_utf8(bytes).map_err(|_| invalid("not UTF-8 text".into()))?;
            return Self::parse(&text, &path);
        }
        Ok(Policy::default())
    }

    pub fn parse(text: &str, path: &Path) -> Result<Policy, PolicyError> {
        let bad = |reason: String| PolicyError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        let raw: RawPolicy = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if let Some(d) = raw.default.as_deref() {
            if d != "reject" {
                return Err(bad(format!(
                    "default = {d:?}: the only default is \"reject\"; loosen per prefix with insecure_accept_unsigned"
                )));
            }
        }
        let mut entries = Vec::new();
        for p in raw.prefix {
            let name = p.name.trim_end_matches('/').to_string();
            if name.is_empty()
                || name
                    .split('/')
                    .any(|c| c.is_empty() || c == "." || c == "..")
            {
                return Err(bad(format!(
                    "prefix name {:?} is not a registry/path prefix",
                    p.name
                )));
            }
            let max_age = match p.max_signature_age.as_deref() {
                Some(s) => Some(parse_duration(s).ok_or_else(|| {
                    bad(format!("[[prefix]] {name}: max_signature_age {s:?} is not a duration like 90d, 12h, 30m"))
                })?),
                None => None,
            };
            let schemes = p.schemes.unwrap_or_else(|| Scheme::DEFAULT.to_vec());
            if schemes.is_empty() {
                return Err(bad(format!(
                    "[[prefix]] {name}: schemes is empty, nothing could verify"
                )));
            }
            let threshold = p.threshold.unwrap_or(1);
            if threshold == 0 {
                return Err(bad(format!(
                    "[[prefix]] {name}: threshold 0 would accept unsigned images; use insecure_accept_unsigned = true if that is really meant"
                )));
            }
            entries.push((
                name.clone(),
                Rules {
                    prefix: Some(name),
                    identity: p.identity.unwrap_or_default(),
                    schemes,
                    max_age,
                    threshold,
                    insecure_accept_unsigned: p.insecure_accept_unsigned.unwrap_or(false),
                    accept_atomic_payload: p.accept_atomic_payload.unwrap_or(false),
                },
            ));
        }
        Ok(Policy {
            entries,
            file: Some(path.to_path_buf()),
        })
    }

    /// The rules of the longest policy prefix that covers `repository` (component-wise).
    pub fn rules_for(&self, repository: &str) -> Rules {
        self.entries
            .iter()
            .filter(|(p, _)| prefix_matches(p, repository))
            .max_by_key(|(p, _)| p.split('/').count())
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_component_prefix_wins() {
        let p = Policy::parse(
            r#"
default = "reject"
[[prefix]]
name = "example.com"
threshold = 2
[[prefix]]
name = "example.com/foo"
identity = "repository"
max_signature_age = "90d"
schemes = ["ed25519", "ed25519ph"]
accept_atomic_payload = true
"#,
            Path::new("p.toml"),
        )
        .unwrap();
        let r = p.rules_for("example.com/foo/bar");
        assert_eq!(r.identity, IdentityRule::Repository);
        assert_eq!(r.max_age, Some(Duration::from_secs(90 * 86400)));
        assert!(r.accept_atomic_payload);
        assert!(!p.rules_for("example.com/x").accept_atomic_payload);
        assert_eq!(p.rules_for("example.com/foobar").threshold, 2);
        assert_eq!(p.rules_for("evil.com/foo"), Rules::default());
        // No schemes named: every scheme but Ed25519ph.
        assert_eq!(
            p.rules_for("example.com/x").schemes,
            Scheme::DEFAULT.to_vec()
        );
    }

    #[test]
    fn ecdsa_and_rsa_schemes_by_name() {
        let p = Policy::parse(
            "[[prefix]]\nname = \"x.io\"\nschemes = [\"ecdsa-p256-sha256\", \"ecdsa-p384-sha384\", \"ecdsa-p384-sha256\", \"rsa-pkcs1v15-sha256\", \"rsa-pss-sha256\"]",
            Path::new("p.toml"),
        )
        .unwrap();
        assert_eq!(p.rules_for("x.io/a").schemes, Scheme::ALL[2..].to_vec());
        let e = Policy::parse(
            "[[prefix]]\nname = \"x.io\"\nschemes = [\"ecdsa-p521-sha512\"]",
            Path::new("p.toml"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("ecdsa-p256-sha256"), "{e}");
    }

    #[test]
    fn refuses_loose_or_mistyped_policy() {
        for bad in [
            "default = \"accept\"",
            "[[prefix]]\nname = \"x.io\"\nthreshold = 0",
            "[[prefix]]\nname = \"x.io\"\nmax_signature_age = \"soon\"",
            "[[prefix]]\nname = \"x.io\"\nschemes = []",
            "[[prefix]]\nname = \"x.io\"\nidentiy = \"exact\"",
            "[[prefix]]\nname = \"../x\"",
        ] {
            assert!(Policy::parse(bad, Path::new("p.toml")).is_err(), "{bad}");
        }
    }
}
