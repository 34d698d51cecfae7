//! An image in a registry repository as a [`Source`]: the top-level manifest or index by tag or
//! digest, child manifests by digest, blobs (resumable streams), and the cosign signatures stored
//! under the `sha256-<hex>.sig` tag.

use super::http::Client;
use super::resume::ResumingReader;
use super::{RegistryError, RegistryOptions};
use crate::cosign::{self, RawSignature};
use crate::digest::Digest;
use crate::image_manifest::{DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST};
use crate::reference::ImageName;
use crate::transport::{check_digest, Source, TopLevel, TransportError};
use std::io::Read;

/// What a manifest request accepts: OCI and Docker v2 schema 2, manifests and indexes.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// A manifest's bytes, their digest, and the media type the registry declared.
type Fetched = (Vec<u8>, Digest, Option<String>);

pub struct RegistrySource {
    name: ImageName,
    client: Client,
    /// Largest manifest or index accepted.
    limit: u64,
}

impl From<RegistryError> for TransportError {
    fn from(e: RegistryError) -> Self {
        TransportError::Registry(Box::new(e))
    }
}

impl RegistrySource {
    pub fn new(name: &ImageName, opts: &RegistryOptions) -> Result<Self, RegistryError> {
        Ok(RegistrySource {
            name: name.clone(),
            client: Client::new(name, opts, false)?,
            limit: opts.manifest_limit(),
        })
    }

    /// A source whose client also has push rights (for `image sign`).
    pub fn for_push(name: &ImageName, opts: &RegistryOptions) -> Result<Self, RegistryError> {
        Ok(RegistrySource {
            name: name.clone(),
            client: Client::new(name, opts, true)?,
            limit: opts.manifest_limit(),
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Fetches a manifest by tag or digest, bounded by `limit`. When `digest` is given the bytes
    /// must match it (and `size`, when known).
    fn manifest(
        &self,
        reference: &str,
        digest: Option<(&Digest, Option<u64>)>,
        accept: &str,
        limit: u64,
        what: &str,
    ) -> Result<Option<Fetched>, TransportError> {
        let path = format!("/v2/{}/manifests/{reference}", self.client.path());
        let Some((bytes, mt)) = self.client.get_small(&path, accept, limit, what)? else {
            return Ok(None);
        };
        let actual = Digest::of(&bytes);
        if let Some((d, size)) = digest {
            check_digest(
                &self.describe(),
                what,
                d,
                size.unwrap_or(bytes.len() as u64),
                &actual,
                bytes.len() as u64,
            )?;
        }
        Ok(Some((bytes, actual, mt)))
    }
}

impl Source for RegistrySource {
    fn describe(&self) -> String {
        format!("docker://{}", self.name)
    }

    fn top(&self) -> Result<TopLevel, TransportError> {
        let (reference, pinned) = match (&self.name.digest, &self.name.tag) {
            (Some(d), _) => (d.to_string(), Some(d)),
            (None, Some(t)) => (t.clone(), None),
            (None, None) => ("latest".to_string(), None),
        };
        let what = format!("manifest {}", self.name);
        let Some((bytes, digest, media_type)) = self.manifest(
            &reference,
            pinned.map(|d| (d, None)),
            MANIFEST_ACCEPT,
            self.limit,
            &what,
        )?
        else {
            return Err(RegistryError::NotFound {
                registry: self.client.registry().to_string(),
                repository: self.client.repository(),
                what: format!("image {}", self.name),
                detail: String::new(),
            }
            .into());
        };
        tracing::debug!("{}: top-level {digest} ({} bytes)", self.name, bytes.len());
        Ok(TopLevel {
            bytes,
            digest,
            media_type: media_type.filter(|m| {
                // Only a manifest media type is a claim worth cross-checking; registries answer
                // application/json or octet-stream for documents pushed without one.
                matches!(
                    m.as_str(),
                    OCI_INDEX | OCI_MANIFEST | DOCKER_LIST | DOCKER_MANIFEST
                )
            }),
            ref_name: None,
        })
    }

    fn read_manifest(
        &self,
        digest: &Digest,
        size: u64,
        media_type: &str,
    ) -> Result<Vec<u8>, TransportError> {
        if size > self.limit {
            return Err(RegistryError::TooLarge {
                registry: self.client.registry().to_string(),
                what: format!("manifest {digest} ({size} bytes)"),
                limit: self.limit,
            }
            .into());
        }
        let accept = if media_type.is_empty() {
            MANIFEST_ACCEPT
        } else {
            media_type
        };
        let what = format!("manifest {digest}");
        match self.manifest(
            &digest.to_string(),
            Some((digest, Some(size))),
            accept,
            size,
            &what,
        )? {
            Some((b, _, _)) => Ok(b),
            None => Err(TransportError::MissingBlob {
                source_name: self.describe(),
                digest: digest.clone(),
            }),
        }
    }

    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, TransportError> {
        match ResumingReader::open(&self.client, digest) {
            Ok(r) => Ok(Box::new(r)),
            Err(RegistryError::NotFound { .. }) => Err(TransportError::MissingBlob {
                source_name: self.describe(),
                digest: digest.clone(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    fn signatures(&self, digest: &Digest) -> Result<Vec<RawSignature>, TransportError> {
        let tag = cosign::sig_tag(digest);
        let Some((m, _, _)) = self.manifest(
            &tag,
            None,
            "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
            cosign::MAX_SIG_MANIFEST,
            &format!("signature manifest {tag}"),
        )?
        else {
            tracing::debug!("{}: no signatures ({tag} not found)", self.name);
            return Ok(Vec::new());
        };
        let layers = cosign::parse_sig_manifest(&m).map_err(|e| TransportError::Invalid {
            source_name: self.describe(),
            reason: format!("signature manifest {tag}: {e}"),
        })?;
        let out = crate::transport::read_signature_payloads(self, layers)?;
        tracing::debug!("{}: {} signature(s) under {tag}", self.name, out.len());
        Ok(out)
    }
}
