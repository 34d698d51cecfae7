//! liftoff stage1: owns the pod manifest format and builds the pod.
//!
//! Stage0 writes a pod directory and a versioned manifest into it, then `exec`s `liftoff-stage1` with the
//! pod lock fd. Stage1 reads the manifest, builds namespaces, mounts, cgroups and network, supervises
//! the apps and tears everything down. This crate is thin until the "run pods" issue; what exists now is
//! the manifest's version contract, so that stage0 and stage1 agree on it from the start.

use serde::{Deserialize, Serialize};

/// The manifest format version this stage1 understands. Stage0 writes it; stage1 refuses any other.
pub const POD_MANIFEST_VERSION: u32 = 1;

/// File name of the pod manifest inside a pod directory.
pub const POD_MANIFEST_FILE: &str = "pod.json";

/// The stage0 → stage1 contract: what a pod consists of.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PodManifest {
    pub version: u32,
    pub apps: Vec<PodApp>,
}

/// One app of a pod, as stage0 resolved it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PodApp {
    pub name: String,
    /// Unpacked layer directories, lowest first.
    pub layers: Vec<String>,
    pub argv: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
}

/// Errors reading a pod manifest.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("pod manifest is not valid JSON for this stage1: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("pod manifest version {found} is not supported by this stage1 (it reads version {POD_MANIFEST_VERSION}); use the liftoff-stage1 that ships with this liftoff")]
    Version { found: u32 },
}

impl PodManifest {
    /// Parses and version-checks a manifest.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ManifestError> {
        let m: PodManifest = serde_json::from_slice(bytes)?;
        if m.version != POD_MANIFEST_VERSION {
            return Err(ManifestError::Version { found: m.version });
        }
        Ok(m)
    }

    /// Converts one app into what stage2 needs.
    pub fn app_spec(app: &PodApp) -> liftoff_stage2::AppSpec {
        liftoff_stage2::AppSpec {
            name: app.name.clone(),
            argv: app.argv.clone(),
            env: app.env.clone(),
            cwd: app.cwd.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_version_is_refused() {
        let err = PodManifest::from_slice(br#"{"version":2,"apps":[]}"#).unwrap_err();
        assert!(matches!(err, ManifestError::Version { found: 2 }));
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(PodManifest::from_slice(br#"{"version":1,"apps":[],"x":1}"#).is_err());
    }
}
