//! `docker-archive:FILE[:NAME:TAG|:@N]`, the format of `docker save` and skopeo's docker-archive.
//!
//! Such an archive has no manifest and therefore nothing signed to anchor on: liftoff synthesises an
//! OCI manifest from `manifest.json`, hashing each layer file to learn its digest. The config's
//! diff_ids then bind the layer contents as usual.

use super::{check_digest, io_err, Files, Source, TarFiles, TopLevel, TransportError};
use crate::digest::{Digest, HashingReader};
use crate::image_manifest::{
    manifest_bytes, Compression, RawDescriptor, MAX_CONFIG_BYTES, MAX_LAYERS, OCI_CONFIG,
    OCI_MANIFEST,
};
use crate::reference::ImageName;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

pub struct DockerArchiveSource {
    name: String,
    files: TarFiles,
    manifest: Vec<u8>,
    digest: Digest,
    ref_name: Option<String>,
    /// digest → member name, for blobs of the synthesised manifest.
    blobs: HashMap<Digest, String>,
}

#[derive(serde::Deserialize)]
struct Entry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

impl DockerArchiveSource {
    pub fn open(path: &Path, reference: Option<String>) -> Result<Self, TransportError> {
        let name = format!("docker-archive:{}", path.display());
        let invalid = |reason: String| TransportError::Invalid {
            source_name: name.clone(),
            reason,
        };
        let files = TarFiles::scan(path)?;
        let read_member = |member: &str, max: u64| -> Result<Vec<u8>, TransportError> {
            let Some((r, size)) = files.open(member)? else {
                return Err(invalid(format!("has no member {member:?}")));
            };
            if size > max {
                return Err(invalid(format!(
                    "{member} is {size} bytes, over the limit of {max}"
                )));
            }
            let mut buf = Vec::new();
            r.take(max)
                .read_to_end(&mut buf)
                .map_err(|e| io_err(path, e))?;
            Ok(buf)
        };
        let mj = read_member("manifest.json", 1 << 20)?;
        let entries: Vec<Entry> = serde_json::from_slice(&mj)
            .map_err(|e| invalid(format!("manifest.json is not valid: {e}")))?;
        let tags_of = |e: &Entry| e.repo_tags.clone().unwrap_or_default();
        let chosen = match reference.as_deref() {
            None => match entries.len() {
                1 => &entries[0],
                0 => return Err(invalid("holds no images".into())),
                n => {
                    return Err(invalid(format!(
                        "holds {n} images; name one as {name}:NAME:TAG or {name}:@INDEX"
                    )))
                }
            },
            Some(r) if r.starts_with('@') => {
                let i: usize = r[1..]
                    .parse()
                    .map_err(|_| invalid(format!("{r:?} is not @INDEX")))?;
                entries.get(i).ok_or_else(|| {
                    invalid(format!(
                        "has no image at index {i} (it has {})",
                        entries.len()
                    ))
                })?
            }
            Some(r) => {
                let want = ImageName::parse(r).map_err(|e| invalid(e.to_string()))?;
                entries
                    .iter()
                    .find(|e| {
                        tags_of(e)
                            .iter()
                            .any(|t| ImageName::parse(t).ok().as_ref() == Some(&want))
                    })
                    .ok_or_else(|| {
                        let all: Vec<String> = entries.iter().flat_map(tags_of).collect();
                        invalid(format!(
                            "has no image tagged {r:?}; it has: {}",
                            all.join(", ")
                        ))
                    })?
            }
        };
        if chosen.layers.len() > MAX_LAYERS {
            return Err(invalid(format!(
                "image has {} layers, over the limit of {MAX_LAYERS}",
                chosen.layers.len()
            )));
        }
        let config = read_member(&chosen.config, MAX_CONFIG_BYTES)?;
        let config_digest = Digest::of(&config);
        // When the member name carries a digest, it must be the right one.
        let named = chosen
            .config
            .trim_start_matches("blobs/sha256/")
            .trim_end_matches(".json");
        if let Some(d) = Digest::from_hex(named) {
            check_digest(
                &name,
                "config",
                &d,
                config.len() as u64,
                &config_digest,
                config.len() as u64,
            )?;
        }
        let mut blobs = HashMap::new();
        blobs.insert(config_digest.clone(), chosen.config.clone());
        let mut layers = Vec::new();
        for l in &chosen.layers {
            let Some((r, _)) = files.open(l)? else {
                return Err(invalid(format!("has no layer member {l:?}")));
            };
            let mut h = HashingReader::new(r);
            let mut head = [0u8; 4];
            let mut got = 0;
            while got < head.len() {
                let n = h.read(&mut head[got..]).map_err(|e| io_err(path, e))?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            let compression = Compression::sniff(&head[..got]);
            let (d, size) = h.finish().map_err(|e| io_err(path, e))?;
            layers.push(RawDescriptor::new(compression.oci_media_type(), &d, size));
            blobs.insert(d, l.clone());
        }
        let manifest = manifest_bytes(
            RawDescriptor::new(OCI_CONFIG, &config_digest, config.len() as u64),
            layers,
        );
        let digest = Digest::of(&manifest);
        let ref_name = match reference {
            Some(r) if !r.starts_with('@') => Some(r),
            _ => tags_of(chosen).into_iter().next(),
        };
        Ok(DockerArchiveSource {
            name,
            files,
            manifest,
            digest,
            ref_name,
            blobs,
        })
    }
}

impl Source for DockerArchiveSource {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn top(&self) -> Result<TopLevel, TransportError> {
        Ok(TopLevel {
            bytes: self.manifest.clone(),
            digest: self.digest.clone(),
            media_type: Some(OCI_MANIFEST.to_string()),
            ref_name: self.ref_name.clone(),
        })
    }

    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, TransportError> {
        let missing = || TransportError::MissingBlob {
            source_name: self.name.clone(),
            digest: digest.clone(),
        };
        let member = self.blobs.get(digest).ok_or_else(missing)?;
        Ok(self.files.open(member)?.ok_or_else(missing)?.0)
    }
}
