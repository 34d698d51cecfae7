//! Pushing to a registry: the cosign signature manifest of an image (`image sign docker://…`),
//! merged with the signatures already there, and whole images (`image push`, `crate::publish`).
//!
//! Blobs go up monolithically (`POST …/blobs/uploads/` then `PUT <location>?digest=…`) unless the
//! registry already has them; small ones from memory ([`put_blob`]), layers streamed from their
//! file ([`put_blob_file`]). A manifest is `PUT` under its tag last, so a reader never sees a
//! manifest whose blobs are missing.

use super::http::{url_for_message, Client, Method};
use super::source::RegistrySource;
use super::RegistryError;
use crate::cosign::{self, RawSignature};
use crate::digest::Digest;
use crate::image_manifest::OCI_MANIFEST;
use crate::transport::{Source, TransportError};

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("{repository} already holds {max} signatures for {digest}; not adding more")]
    TooManySignatures {
        repository: String,
        digest: Digest,
        max: usize,
    },
}

/// Whether the repository has blob `d`.
fn has_blob(c: &Client, d: &Digest) -> Result<bool, RegistryError> {
    let resp = c.send(Method::Head, &format!("/v2/{}/blobs/{d}", c.path()), &[])?;
    match resp.status().as_u16() {
        200 => Ok(true),
        404 => Ok(false),
        _ => Err(c.status_error(resp, &format!("blob {d}"))),
    }
}

/// Uploads one blob held in memory (monolithic), unless it is already there.
pub fn put_blob(c: &Client, bytes: &[u8]) -> Result<Digest, RegistryError> {
    let d = Digest::of(bytes);
    upload(c, &d, Method::Put(bytes))?;
    Ok(d)
}

/// Uploads blob `d` streamed from `file` (a layer), unless the registry already has it. The
/// registry checks the bytes against `d`. Returns whether it was uploaded (false: already there).
pub fn put_blob_file(c: &Client, d: &Digest, file: &std::fs::File) -> Result<bool, RegistryError> {
    upload(c, d, Method::PutFile(file))
}

/// The one uploader behind [`put_blob`] and [`put_blob_file`]: HEAD, then POST and a monolithic
/// PUT of `body` (which must be a PUT) when the blob is missing.
fn upload(c: &Client, d: &Digest, body: Method) -> Result<bool, RegistryError> {
    if has_blob(c, d)? {
        return Ok(false);
    }
    let what = format!("upload of blob {d}");
    let resp = c.send(
        Method::Post(&[]),
        &format!("/v2/{}/blobs/uploads/", c.path()),
        &[],
    )?;
    if resp.status().as_u16() != 202 {
        return Err(c.status_error(resp, &what));
    }
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| RegistryError::Protocol {
            registry: c.registry().to_string(),
            reason: "an upload was started without a Location to send it to".into(),
        })?;
    drop(c.read_limited(resp, 64 * 1024));
    let base =
        url::Url::parse(&format!("{}/", c.base()?)).map_err(|e| RegistryError::Protocol {
            registry: c.registry().to_string(),
            reason: format!("base URL: {e}"),
        })?;
    let mut url = base.join(&location).map_err(|_| RegistryError::Protocol {
        registry: c.registry().to_string(),
        reason: format!(
            "upload Location {} is not a URL",
            url_for_message(&location)
        ),
    })?;
    url.query_pairs_mut().append_pair("digest", &d.to_string());
    let resp = c.send(
        body,
        url.as_str(),
        &[("Content-Type", "application/octet-stream".to_string())],
    )?;
    if resp.status().as_u16() != 201 {
        return Err(c.status_error(resp, &what));
    }
    Ok(true)
}

/// PUTs a manifest under `reference` (a tag or its digest).
pub fn put_manifest(
    c: &Client,
    reference: &str,
    media_type: &str,
    bytes: &[u8],
) -> Result<(), RegistryError> {
    let resp = c.send(
        Method::Put(bytes),
        &format!("/v2/{}/manifests/{reference}", c.path()),
        &[("Content-Type", media_type.to_string())],
    )?;
    match resp.status().as_u16() {
        200..=202 => Ok(()),
        _ => Err(c.status_error(resp, &format!("manifest {reference}"))),
    }
}

/// Adds `new` to the signatures of `digest` in the source's repository, keeping those already
/// there. Returns how many signatures the repository holds for it now.
pub fn add_signatures(
    src: &RegistrySource,
    digest: &Digest,
    new: &[RawSignature],
) -> Result<usize, PushError> {
    let c = src.client();
    let mut all = src.signatures(digest)?;
    if cosign::merge(&mut all, new) == 0 {
        return Ok(all.len());
    }
    if all.len() > cosign::MAX_SIGNATURES {
        return Err(PushError::TooManySignatures {
            repository: c.repository(),
            digest: digest.clone(),
            max: cosign::MAX_SIGNATURES,
        });
    }
    let (manifest, config) = cosign::build_sig_manifest(&all);
    for s in &all {
        put_blob(c, &s.payload)?;
    }
    put_blob(c, &config)?;
    put_manifest(c, &cosign::sig_tag(digest), OCI_MANIFEST, &manifest)?;
    Ok(all.len())
}
