//! OCI image layouts (`oci:DIR[:REF]`) and OCI archives (`oci-archive:FILE[:REF]`), which are the same
//! layout read from a directory or from a tar.

use super::{check_digest, Files, Source, TopLevel, TransportError};
use crate::cosign::{self, RawSignature};
use crate::digest::Digest;
use crate::image_manifest::{self, MAX_MANIFEST_BYTES};
use std::io::Read;

pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

pub struct OciSource<F: Files> {
    name: String,
    files: F,
    reference: Option<String>,
}

impl<F: Files> OciSource<F> {
    pub fn new(name: String, files: F, reference: Option<String>) -> Self {
        OciSource {
            name,
            files,
            reference,
        }
    }

    fn invalid(&self, reason: impl Into<String>) -> TransportError {
        TransportError::Invalid {
            source_name: self.name.clone(),
            reason: reason.into(),
        }
    }

    fn read_small(&self, member: &str, max: u64) -> Result<Vec<u8>, TransportError> {
        let Some((r, size)) = self.files.open(member)? else {
            return Err(self.invalid(format!("has no {member}; is this an OCI image layout?")));
        };
        if size > max {
            return Err(self.invalid(format!("{member} is {size} bytes, over the limit of {max}")));
        }
        let mut buf = Vec::new();
        r.take(max + 1)
            .read_to_end(&mut buf)
            .map_err(|e| self.invalid(format!("reading {member}: {e}")))?;
        Ok(buf)
    }
}

fn blob_path(d: &Digest) -> String {
    format!("blobs/sha256/{}", d.hex())
}

impl<F: Files> OciSource<F> {
    /// Checks oci-layout and reads index.json.
    fn index(&self) -> Result<Vec<image_manifest::Descriptor>, TransportError> {
        let layout = self.read_small("oci-layout", 4096)?;
        #[derive(serde::Deserialize)]
        struct Layout {
            #[serde(rename = "imageLayoutVersion")]
            version: String,
        }
        let l: Layout = serde_json::from_slice(&layout)
            .map_err(|e| self.invalid(format!("oci-layout is not valid: {e}")))?;
        if l.version != "1.0.0" {
            return Err(self.invalid(format!(
                "imageLayoutVersion {:?} is not supported (expected 1.0.0)",
                l.version
            )));
        }
        let index = self.read_small("index.json", MAX_MANIFEST_BYTES)?;
        image_manifest::parse_index(&index, &format!("{} index.json", self.name))
            .map_err(|e| self.invalid(e.to_string()))
    }
}

impl<F: Files> Source for OciSource<F> {
    fn describe(&self) -> String {
        match &self.reference {
            Some(r) => format!("{}:{r}", self.name),
            None => self.name.clone(),
        }
    }

    fn top(&self) -> Result<TopLevel, TransportError> {
        let entries = self.index()?;
        let images: Vec<_> = entries
            .iter()
            .filter(|d| {
                !d.annotations
                    .get(REF_NAME)
                    .is_some_and(|r| crate::cosign::is_signature_ref(r))
            })
            .collect();
        let names = || {
            let v: Vec<String> = images
                .iter()
                .map(|d| {
                    d.annotations
                        .get(REF_NAME)
                        .cloned()
                        .unwrap_or_else(|| format!("(unnamed {})", d.digest))
                })
                .collect();
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        let chosen = match &self.reference {
            Some(r) => {
                let m: Vec<_> = images
                    .iter()
                    .filter(|d| d.annotations.get(REF_NAME) == Some(r))
                    .collect();
                match m.len() {
                    1 => *m[0],
                    0 => {
                        return Err(
                            self.invalid(format!("has no image named {r:?}; it has: {}", names()))
                        )
                    }
                    _ => {
                        return Err(self.invalid(format!(
                            "has {} images named {r:?}; the layout is ambiguous",
                            m.len()
                        )))
                    }
                }
            }
            None => match images.len() {
                1 => images[0],
                0 => return Err(self.invalid("holds no images")),
                _ => {
                    return Err(self.invalid(format!(
                        "holds several images ({}); name one as {}:REF",
                        names(),
                        self.name
                    )))
                }
            },
        };
        if chosen.size > MAX_MANIFEST_BYTES {
            return Err(self.invalid(format!(
                "manifest {} is {} bytes, over the limit of {MAX_MANIFEST_BYTES}",
                chosen.digest, chosen.size
            )));
        }
        let Some((r, _)) = self.files.open(&blob_path(&chosen.digest))? else {
            return Err(TransportError::MissingBlob {
                source_name: self.describe(),
                digest: chosen.digest.clone(),
            });
        };
        let mut bytes = Vec::new();
        r.take(chosen.size + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.invalid(format!("reading manifest {}: {e}", chosen.digest)))?;
        check_digest(
            &self.describe(),
            "manifest",
            &chosen.digest,
            chosen.size,
            &Digest::of(&bytes),
            bytes.len() as u64,
        )?;
        Ok(TopLevel {
            bytes,
            digest: chosen.digest.clone(),
            media_type: Some(chosen.media_type.clone()).filter(|m| !m.is_empty()),
            ref_name: chosen.annotations.get(REF_NAME).cloned(),
        })
    }

    fn signatures(&self, digest: &Digest) -> Result<Vec<RawSignature>, TransportError> {
        let tag = cosign::sig_tag(digest);
        let entries = self.index()?;
        let Some(d) = entries.iter().find(|d| {
            d.annotations
                .get(REF_NAME)
                .is_some_and(|r| r == &tag || r.ends_with(&format!(":{tag}")))
        }) else {
            return Ok(Vec::new());
        };
        let m = crate::transport::read_verified(
            self,
            &d.digest,
            d.size,
            cosign::MAX_SIG_MANIFEST,
            "signature manifest",
        )?;
        let layers = cosign::parse_sig_manifest(&m).map_err(|e| self.invalid(e.to_string()))?;
        let out = crate::transport::read_signature_payloads(self, layers)?;
        Ok(out)
    }

    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, TransportError> {
        match self.files.open(&blob_path(digest))? {
            Some((r, _)) => Ok(r),
            None => Err(TransportError::MissingBlob {
                source_name: self.describe(),
                digest: digest.clone(),
            }),
        }
    }
}
