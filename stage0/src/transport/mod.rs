//! Where images come from: transport references as containers-image spells them, and sources that hand
//! out a top-level manifest and blobs.
//!
//! A source never interprets what it hands out beyond finding it: the fetch pipeline checks every
//! digest and size. Transports: `oci:`, `oci-archive:`, `docker-archive:` and registries
//! (`docker://NAME` or a bare NAME, see [`registry`]).

mod docker_archive;
mod files;
pub mod layout_sign;
mod oci_layout;
pub mod registry;

use crate::cosign::RawSignature;
use crate::digest::{Digest, HashingReader, LimitedReader};
use crate::reference::ImageName;
use std::io::Read;
use std::path::{Path, PathBuf};

pub use files::{DirFiles, Files, TarFiles};

/// A parsed transport reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    OciLayout {
        path: PathBuf,
        reference: Option<String>,
    },
    OciArchive {
        path: PathBuf,
        reference: Option<String>,
    },
    DockerArchive {
        path: PathBuf,
        reference: Option<String>,
    },
    Registry {
        name: ImageName,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("{0}")]
    BadReference(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{source_name}: {reason}")]
    Invalid { source_name: String, reason: String },
    #[error("{source_name}: blob {digest} is missing; the source is incomplete, re-export it")]
    MissingBlob { source_name: String, digest: Digest },
    #[error("{source_name}: {what} {digest} does not match its content (got {actual}, {size} bytes); the source is corrupt or was tampered with")]
    DigestMismatch {
        source_name: String,
        what: String,
        digest: Digest,
        actual: Digest,
        size: u64,
    },
    #[error("{source_name}: {what} {digest} is {actual} bytes but its descriptor says {expected}; the source is corrupt or truncated")]
    SizeMismatch {
        source_name: String,
        what: String,
        digest: Digest,
        expected: u64,
        actual: u64,
    },
    #[error("{source_name}: {what} {digest} is larger than the {expected} bytes its descriptor says; stopped reading it there (the source is corrupt or was tampered with)")]
    Oversized {
        source_name: String,
        what: String,
        digest: Digest,
        expected: u64,
    },
    #[error(transparent)]
    Registry(Box<registry::RegistryError>),
}

impl SourceRef {
    /// Parses `oci:PATH[:REF]`, `oci-archive:FILE[:REF]`, `docker-archive:FILE[:REF]`,
    /// `docker://NAME` and a bare `NAME` (which means docker://NAME, as podman reads it).
    pub fn parse(s: &str) -> Result<SourceRef, TransportError> {
        fn path_and_ref(rest: &str, t: &str) -> Result<(PathBuf, Option<String>), TransportError> {
            // As containers-image does: the path ends at the first ':'.
            let (p, r) = match rest.split_once(':') {
                Some((p, r)) => (p, Some(r.to_string()).filter(|r| !r.is_empty())),
                None => (rest, None),
            };
            if p.is_empty() {
                return Err(TransportError::BadReference(format!(
                    "{t}: needs a path, as in {t}:/path/to/image[:REF]"
                )));
            }
            Ok((PathBuf::from(p), r))
        }
        if let Some(rest) = s.strip_prefix("oci:") {
            let (path, reference) = path_and_ref(rest, "oci")?;
            return Ok(SourceRef::OciLayout { path, reference });
        }
        if let Some(rest) = s.strip_prefix("oci-archive:") {
            let (path, reference) = path_and_ref(rest, "oci-archive")?;
            return Ok(SourceRef::OciArchive { path, reference });
        }
        if let Some(rest) = s.strip_prefix("docker-archive:") {
            let (path, reference) = path_and_ref(rest, "docker-archive")?;
            return Ok(SourceRef::DockerArchive { path, reference });
        }
        let name = s.strip_prefix("docker://").unwrap_or(s);
        if let Some((t, _)) = name.split_once(':') {
            if !name.contains('/')
                && !name.contains('.')
                && matches!(
                    t,
                    "dir" | "containers-storage" | "docker-daemon" | "ostree" | "sif"
                )
            {
                return Err(TransportError::BadReference(format!(
                    "transport {t:?} is not supported; use oci:, oci-archive:, docker-archive: or docker://"
                )));
            }
        }
        let name =
            ImageName::parse(name).map_err(|e| TransportError::BadReference(e.to_string()))?;
        Ok(SourceRef::Registry { name })
    }

    /// The name the image gets in the store when the user gives no `--as`.
    pub fn default_name(&self, found_ref: Option<&str>) -> Option<ImageName> {
        let (path, r) = match self {
            SourceRef::Registry { name } => return Some(name.clone()),
            SourceRef::OciLayout { path, reference }
            | SourceRef::OciArchive { path, reference } => {
                (path, reference.as_deref().or(found_ref))
            }
            SourceRef::DockerArchive { .. } => {
                return found_ref.and_then(|r| ImageName::parse(r).ok())
            }
        };
        let r = r?;
        if r.contains('/') || r.contains(':') || r.contains('@') {
            return ImageName::parse(r).ok();
        }
        // A bare tag such as "1.0" (what skopeo users put in layouts): name it after the layout,
        // under localhost/ as podman names local images.
        let stem = path
            .file_name()
            .map(|f| f.to_string_lossy().to_string())?
            .trim_end_matches(".tar")
            .to_ascii_lowercase();
        ImageName::parse(&format!("localhost/{stem}:{r}")).ok()
    }
}

/// The top-level document of an image (manifest or index), already checked against the digest and
/// size of the descriptor that pointed at it.
#[derive(Debug, Clone)]
pub struct TopLevel {
    pub bytes: Vec<u8>,
    pub digest: Digest,
    pub media_type: Option<String>,
    /// The reference name the source had for it (index.json ref name, docker-archive RepoTag).
    pub ref_name: Option<String>,
}

/// An image source.
pub trait Source: Send + Sync {
    /// How to name this source in messages and provenance.
    fn describe(&self) -> String;
    /// Finds the top-level manifest or index.
    fn top(&self) -> Result<TopLevel, TransportError>;
    /// Reads a manifest an index points at (checked against `digest` and `size`). Registries serve
    /// manifests from another endpoint than blobs; everything else stores them as blobs.
    fn read_manifest(
        &self,
        digest: &Digest,
        size: u64,
        _media_type: &str,
    ) -> Result<Vec<u8>, TransportError> {
        read_verified(
            self,
            digest,
            size,
            crate::image_manifest::MAX_MANIFEST_BYTES,
            "manifest",
        )
    }
    /// Opens a blob for streaming. The caller checks digest and size while reading.
    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, TransportError>;
    /// Signatures stored beside the image for the manifest `digest` (cosign `sha256-<hex>.sig`),
    /// bounded in count and size. Sources that cannot carry signatures have none.
    fn signatures(&self, _digest: &Digest) -> Result<Vec<RawSignature>, TransportError> {
        Ok(Vec::new())
    }
}

/// Opens a source for a reference, with default registry options.
pub fn open(r: &SourceRef) -> Result<Box<dyn Source>, TransportError> {
    open_with(r, &registry::RegistryOptions::default())
}

/// Opens a source for a reference; `reg` says how to talk to registries.
pub fn open_with(
    r: &SourceRef,
    reg: &registry::RegistryOptions,
) -> Result<Box<dyn Source>, TransportError> {
    match r {
        SourceRef::OciLayout { path, reference } => Ok(Box::new(oci_layout::OciSource::new(
            format!("oci:{}", path.display()),
            DirFiles::new(path)?,
            reference.clone(),
        ))),
        SourceRef::OciArchive { path, reference } => Ok(Box::new(oci_layout::OciSource::new(
            format!("oci-archive:{}", path.display()),
            TarFiles::scan(path)?,
            reference.clone(),
        ))),
        SourceRef::DockerArchive { path, reference } => Ok(Box::new(
            docker_archive::DockerArchiveSource::open(path, reference.clone())?,
        )),
        SourceRef::Registry { name } => Ok(Box::new(registry::RegistrySource::new(name, reg)?)),
    }
}

/// The payloads a cosign signature manifest names, each read (bounded) and checked against its
/// digest: what every transport with signatures returns from `signatures`.
pub fn read_signature_payloads<S: Source + ?Sized>(
    src: &S,
    layers: Vec<crate::cosign::SigLayer>,
) -> Result<Vec<RawSignature>, TransportError> {
    let mut out = Vec::with_capacity(layers.len());
    for l in layers {
        let payload = read_verified(
            src,
            &l.digest,
            l.size,
            crate::cosign::MAX_PAYLOAD,
            "signature payload",
        )?;
        out.push(RawSignature {
            payload,
            signature: l.signature,
        });
    }
    Ok(out)
}

/// Reads a whole small blob (manifest, config), refusing more than `max` bytes, and checks it against
/// `digest` and `size`.
pub fn read_verified<S: Source + ?Sized>(
    src: &S,
    digest: &Digest,
    size: u64,
    max: u64,
    what: &str,
) -> Result<Vec<u8>, TransportError> {
    if size > max {
        return Err(TransportError::Invalid {
            source_name: src.describe(),
            reason: format!("{what} {digest} is {size} bytes, over the limit of {max}"),
        });
    }
    let r = src.open_blob(digest)?;
    let mut r = HashingReader::new(LimitedReader::new(r, size, format!("{what} {digest}")));
    let mut buf = Vec::with_capacity(size as usize);
    r.read_to_end(&mut buf)
        .map_err(|e| TransportError::Invalid {
            source_name: src.describe(),
            reason: format!("reading {what} {digest}: {e}"),
        })?;
    check_digest(
        &src.describe(),
        what,
        digest,
        size,
        &Digest::of(&buf),
        buf.len() as u64,
    )?;
    Ok(buf)
}

/// Compares what was read with what a descriptor promised.
pub fn check_digest(
    source_name: &str,
    what: &str,
    digest: &Digest,
    expected_size: u64,
    actual: &Digest,
    actual_size: u64,
) -> Result<(), TransportError> {
    if actual_size != expected_size {
        return Err(TransportError::SizeMismatch {
            source_name: source_name.to_string(),
            what: what.to_string(),
            digest: digest.clone(),
            expected: expected_size,
            actual: actual_size,
        });
    }
    if actual != digest {
        return Err(TransportError::DigestMismatch {
            source_name: source_name.to_string(),
            what: what.to_string(),
            digest: digest.clone(),
            actual: actual.clone(),
            size: actual_size,
        });
    }
    Ok(())
}

pub(crate) fn io_err(path: &Path, source: std::io::Error) -> TransportError {
    TransportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_transports() {
        assert_eq!(
            SourceRef::parse("oci:/a/b:1.0").unwrap(),
            SourceRef::OciLayout {
                path: "/a/b".into(),
                reference: Some("1.0".into())
            }
        );
        assert_eq!(
            SourceRef::parse("oci-archive:x.tar:example.com/a:1").unwrap(),
            SourceRef::OciArchive {
                path: "x.tar".into(),
                reference: Some("example.com/a:1".into())
            }
        );
        assert_eq!(
            SourceRef::parse("docker-archive:x.tar").unwrap(),
            SourceRef::DockerArchive {
                path: "x.tar".into(),
                reference: None
            }
        );
        assert!(matches!(
            SourceRef::parse("busybox").unwrap(),
            SourceRef::Registry { .. }
        ));
        assert!(matches!(
            SourceRef::parse("docker://quay.io/a/b:1").unwrap(),
            SourceRef::Registry { .. }
        ));
        assert!(SourceRef::parse("oci:").is_err());
        assert!(SourceRef::parse("dir:/x").is_err());
    }

    #[test]
    fn default_names() {
        let r = SourceRef::parse("oci:/tmp/hello:1.0").unwrap();
        assert_eq!(
            r.default_name(None).unwrap().to_string(),
            "localhost/hello:1.0"
        );
        let r = SourceRef::parse("oci:/tmp/l:example.com/a/b:2").unwrap();
        assert_eq!(
            r.default_name(None).unwrap().to_string(),
            "example.com/a/b:2"
        );
        let r = SourceRef::parse("oci:/tmp/l").unwrap();
        assert!(r.default_name(None).is_none());
        assert_eq!(
            r.default_name(Some("x.io/y:3")).unwrap().to_string(),
            "x.io/y:3"
        );
    }
}
