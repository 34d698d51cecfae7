//! OCI and Docker v2 schema 2 manifests, indexes and image configs: strict parsing and size bounds.
//!
//! The types here are deliberately narrow (only what liftoff acts on) and parsing is strict where a
//! lax parser would be a hole: schemaVersion must be 2, a declared media type must agree with the
//! document's own `mediaType`, every digest must be a valid sha256, layer media types must be known.
//! The original bytes are what gets stored and hashed; these structs are never re-serialised in
//! place of them.
//!
//! The wire structs ([`RawDescriptor`], [`RawManifest`]) are also the one model liftoff writes OCI
//! manifests and index entries with (the cosign signature manifest, docker-archive and import
//! manifests, the store's and a layout's index.json): [`RawDescriptor::new`], [`manifest_bytes`].
//! Their fields are declared in the alphabetical order of the JSON names, the order serde_json's
//! maps gave the documents liftoff wrote before, so the bytes (and digests) are the same.

use crate::digest::Digest;
use crate::platform::Platform;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// Largest manifest or index accepted (registries use 4 MiB too).
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// Largest image config accepted.
pub const MAX_CONFIG_BYTES: u64 = 8 << 20;
/// Most layers one image may have (overlayfs stacks far fewer well; docker caps at 127).
pub const MAX_LAYERS: usize = 256;
/// Most entries one index may list.
pub const MAX_INDEX_ENTRIES: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum ImageManifestError {
    #[error("{what} is not valid JSON of the expected shape: {source}")]
    Json {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{what}: {reason}")]
    Invalid { what: String, reason: String },
    #[error("{what} has media type {found:?}, which liftoff does not support{hint}")]
    UnsupportedMediaType {
        what: String,
        found: String,
        hint: &'static str,
    },
    #[error("no image for platform {wanted} in {what}; it has: {available}. Pick one with --platform OS/ARCH[/VARIANT]")]
    NoPlatform {
        what: String,
        wanted: Platform,
        available: String,
    },
}

fn invalid(what: &str, reason: impl Into<String>) -> ImageManifestError {
    ImageManifestError::Invalid {
        what: what.to_string(),
        reason: reason.into(),
    }
}

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// From a layer media type; None for media types that are not image layers.
    pub fn from_layer_media_type(mt: &str) -> Option<Compression> {
        match mt {
            OCI_LAYER_TAR
            | "application/vnd.oci.image.layer.nondistributable.v1.tar"
            | "application/vnd.docker.image.rootfs.diff.tar" => Some(Compression::None),
            OCI_LAYER_GZIP
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
            | DOCKER_LAYER_GZIP
            | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => {
                Some(Compression::Gzip)
            }
            OCI_LAYER_ZSTD
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
            | "application/vnd.docker.image.rootfs.diff.tar.zstd" => Some(Compression::Zstd),
            _ => None,
        }
    }

    /// From the first bytes of a blob (for sources that carry no media type, like docker-archive).
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    pub fn oci_media_type(self) -> &'static str {
        match self {
            Compression::None => OCI_LAYER_TAR,
            Compression::Gzip => OCI_LAYER_GZIP,
            Compression::Zstd => OCI_LAYER_ZSTD,
        }
    }
}

/// A content descriptor as it is on the wire, unchecked (see [`Descriptor`] for the checked form).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RawDescriptor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    pub digest: String,
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<RawPlatform>,
    pub size: i64,
}

impl RawDescriptor {
    /// A descriptor to write: media type, digest and size, no platform or annotations.
    pub fn new(media_type: &str, digest: &Digest, size: u64) -> RawDescriptor {
        RawDescriptor {
            annotations: None,
            digest: digest.to_string(),
            media_type: Some(media_type.to_string()),
            platform: None,
            size: i64::try_from(size).unwrap_or(i64::MAX),
        }
    }

    /// The same descriptor with annotation `key` set to `value`.
    pub fn annotated(mut self, key: &str, value: &str) -> RawDescriptor {
        self.annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(key.to_string(), value.to_string());
        self
    }

    /// As a JSON value, for documents kept as values to preserve fields liftoff does not model.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a descriptor serialises")
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RawPlatform {
    pub architecture: String,
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// A checked content descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    pub platform: Option<Platform>,
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    fn check(raw: RawDescriptor, what: &str) -> Result<Descriptor, ImageManifestError> {
        let digest = Digest::parse(&raw.digest).map_err(|e| invalid(what, e.to_string()))?;
        if raw.size < 0 {
            return Err(invalid(
                what,
                format!("descriptor of {digest} has negative size"),
            ));
        }
        Ok(Descriptor {
            media_type: raw.media_type.unwrap_or_default(),
            digest,
            size: raw.size as u64,
            platform: raw.platform.map(|p| Platform {
                os: p.os,
                architecture: p.architecture,
                variant: p.variant.filter(|v| !v.is_empty()),
            }),
            annotations: raw.annotations.unwrap_or_default(),
        })
    }
}

/// An image manifest as it is on the wire, unchecked.
#[derive(Debug, Deserialize, Serialize)]
pub struct RawManifest {
    pub config: RawDescriptor,
    pub layers: Vec<RawDescriptor>,
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(rename = "schemaVersion")]
    pub schema_version: i64,
}

/// The bytes of an OCI image manifest (schema 2) with `config` and `layers`.
pub fn manifest_bytes(config: RawDescriptor, layers: Vec<RawDescriptor>) -> Vec<u8> {
    serde_json::to_vec(&RawManifest {
        config,
        layers,
        media_type: Some(OCI_MANIFEST.to_string()),
        schema_version: 2,
    })
    .expect("a manifest serialises")
}

#[derive(Debug, Deserialize)]
struct RawIndex {
    #[serde(rename = "schemaVersion")]
    schema_version: i64,
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    manifests: Vec<RawDescriptor>,
}

/// An image manifest (OCI or Docker v2s2).
#[derive(Debug, Clone)]
pub struct Manifest {
    pub media_type: String,
    pub config: Descriptor,
    pub layers: Vec<(Descriptor, Compression)>,
}

/// Whether top-level bytes are an index or a single manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Index,
    Manifest,
}

/// Decides what a document is from its declared media type (if the source gave one) and its own
/// `mediaType` field; when both exist they must agree, so a descriptor cannot make us read an index
/// as a manifest or the reverse.
pub fn classify(
    bytes: &[u8],
    declared: Option<&str>,
    what: &str,
) -> Result<Kind, ImageManifestError> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType", default)]
        media_type: Option<String>,
        #[serde(rename = "schemaVersion", default)]
        schema_version: Option<i64>,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
        #[serde(default)]
        layers: Option<serde_json::Value>,
    }
    let p: Probe = serde_json::from_slice(bytes).map_err(|source| ImageManifestError::Json {
        what: what.to_string(),
        source,
    })?;
    if p.schema_version == Some(1) {
        return Err(ImageManifestError::UnsupportedMediaType {
            what: what.to_string(),
            found: "Docker schema 1".into(),
            hint: " (deprecated since 2017); convert it with `skopeo copy --format oci`",
        });
    }
    let own = p.media_type.as_deref().filter(|s| !s.is_empty());
    let declared = declared.filter(|s| !s.is_empty());
    if let (Some(d), Some(o)) = (declared, own) {
        if d != o {
            return Err(invalid(
                what,
                format!("descriptor says media type {d:?} but the document says {o:?}"),
            ));
        }
    }
    let kind_of = |mt: &str| -> Result<Kind, ImageManifestError> {
        match mt {
            OCI_INDEX | DOCKER_LIST => Ok(Kind::Index),
            OCI_MANIFEST | DOCKER_MANIFEST => Ok(Kind::Manifest),
            other => Err(ImageManifestError::UnsupportedMediaType {
                what: what.to_string(),
                found: other.to_string(),
                hint: " (expected an OCI or Docker v2 schema 2 manifest or index)",
            }),
        }
    };
    match own.or(declared) {
        Some(mt) => kind_of(mt),
        None => match (p.manifests.is_some(), p.layers.is_some()) {
            (true, false) => Ok(Kind::Index),
            (false, true) => Ok(Kind::Manifest),
            _ => Err(invalid(
                what,
                "neither a manifest nor an index (no mediaType, ambiguous fields)",
            )),
        },
    }
}

/// The document as `T`, or an error naming it.
fn parse_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
) -> Result<T, ImageManifestError> {
    serde_json::from_slice(bytes).map_err(|source| ImageManifestError::Json {
        what: what.to_string(),
        source,
    })
}

/// Manifests and indexes of both OCI and Docker v2 say schemaVersion 2.
fn check_schema(version: i64, what: &str) -> Result<(), ImageManifestError> {
    if version != 2 {
        return Err(invalid(what, format!("schemaVersion {version} is not 2")));
    }
    Ok(())
}

pub fn parse_index(bytes: &[u8], what: &str) -> Result<Vec<Descriptor>, ImageManifestError> {
    let raw: RawIndex = parse_json(bytes, what)?;
    check_schema(raw.schema_version, what)?;
    if let Some(mt) = raw.media_type.as_deref() {
        if !mt.is_empty() && mt != OCI_INDEX && mt != DOCKER_LIST {
            return Err(invalid(what, format!("mediaType {mt:?} is not an index")));
        }
    }
    if raw.manifests.len() > MAX_INDEX_ENTRIES {
        return Err(invalid(
            what,
            format!(
                "lists {} manifests, more than the limit of {MAX_INDEX_ENTRIES}",
                raw.manifests.len()
            ),
        ));
    }
    raw.manifests
        .into_iter()
        .map(|d| Descriptor::check(d, what))
        .collect()
}

pub fn parse_manifest(bytes: &[u8], what: &str) -> Result<Manifest, ImageManifestError> {
    let raw: RawManifest = parse_json(bytes, what)?;
    check_schema(raw.schema_version, what)?;
    let media_type = raw.media_type.unwrap_or_else(|| OCI_MANIFEST.to_string());
    if media_type != OCI_MANIFEST && media_type != DOCKER_MANIFEST {
        return Err(invalid(
            what,
            format!("mediaType {media_type:?} is not an image manifest"),
        ));
    }
    let config = Descriptor::check(raw.config, what)?;
    if config.media_type != OCI_CONFIG && config.media_type != DOCKER_CONFIG {
        return Err(ImageManifestError::UnsupportedMediaType {
            what: format!("config of {what}"),
            found: config.media_type,
            hint: " (this is not a container image; artifacts cannot be run)",
        });
    }
    if config.size > MAX_CONFIG_BYTES {
        return Err(invalid(
            what,
            format!(
                "config is {} bytes, over the limit of {MAX_CONFIG_BYTES}",
                config.size
            ),
        ));
    }
    if raw.layers.len() > MAX_LAYERS {
        return Err(invalid(
            what,
            format!(
                "has {} layers, more than the limit of {MAX_LAYERS}",
                raw.layers.len()
            ),
        ));
    }
    let mut layers = Vec::with_capacity(raw.layers.len());
    for l in raw.layers {
        let d = Descriptor::check(l, what)?;
        let Some(c) = Compression::from_layer_media_type(&d.media_type) else {
            return Err(ImageManifestError::UnsupportedMediaType {
                what: format!("layer {} of {what}", d.digest),
                found: d.media_type,
                hint: " (expected a tar, tar+gzip or tar+zstd image layer)",
            });
        };
        layers.push((d, c));
    }
    Ok(Manifest {
        media_type,
        config,
        layers,
    })
}

/// Picks the best entry of an index for `want`, naming every available platform when none fits.
pub fn select_platform<'a>(
    entries: &'a [Descriptor],
    want: &Platform,
    what: &str,
) -> Result<&'a Descriptor, ImageManifestError> {
    let best = entries
        .iter()
        .filter(|d| {
            d.media_type == OCI_MANIFEST
                || d.media_type == DOCKER_MANIFEST
                || d.media_type.is_empty()
        })
        .filter_map(|d| {
            d.platform
                .as_ref()
                .and_then(|p| want.score(p))
                .map(|s| (s, d))
        })
        // Highest score wins; among equals the first listed, as containers/image does.
        .fold(None::<(u8, &Descriptor)>, |acc, (s, d)| match acc {
            Some((bs, _)) if bs >= s => acc,
            _ => Some((s, d)),
        });
    if let Some((_, d)) = best {
        return Ok(d);
    }
    let available: Vec<String> = entries
        .iter()
        .map(|d| match &d.platform {
            Some(p) => p.to_string(),
            None => format!("(no platform: {})", d.digest),
        })
        .collect();
    Err(ImageManifestError::NoPlatform {
        what: what.to_string(),
        wanted: want.clone(),
        available: if available.is_empty() {
            "nothing".into()
        } else {
            available.join(", ")
        },
    })
}

/// The parts of an image config liftoff uses. Unknown fields are ignored: configs carry history and
/// tool-specific data we have no business refusing.
///
/// The same struct writes the configs liftoff makes (`image import`, the cosign signature config,
/// see [`ImageConfig::to_bytes`]); fields are in the alphabetical order of their JSON names, as the
/// `json!` documents it replaced had them, so the bytes and digests are unchanged.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct ImageConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<RunConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Written only: liftoff never acts on an image's history, so reading leaves it out rather
    /// than refuse a config over a malformed entry.
    #[serde(skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<History>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    pub rootfs: RootFs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl ImageConfig {
    /// The document's bytes, as they are stored and hashed.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an image config serialises")
    }
}

/// One `history` entry of a config liftoff writes.
#[derive(Debug, Clone, Serialize, Default)]
pub struct History {
    pub created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct RunConfig {
    #[serde(rename = "Cmd", default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(
        rename = "Entrypoint",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub entrypoint: Option<Vec<String>>,
    #[serde(rename = "Env", default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    /// `{"80/tcp": {}}` as written; read as any JSON (liftoff does not use it), so an image whose
    /// tool wrote a list or something else here still parses, as it did before this model.
    #[serde(
        rename = "ExposedPorts",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub exposed_ports: Option<serde_json::Value>,
    /// Read as any JSON, for the same reason (`"Labels": []` exists in the wild).
    #[serde(rename = "Labels", default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<serde_json::Value>,
    #[serde(rename = "User", default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(
        rename = "WorkingDir",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub working_dir: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct RootFs {
    pub diff_ids: Vec<String>,
    #[serde(rename = "type")]
    pub kind: String,
}

/// Parses a config and returns it with its checked diff_ids.
pub fn parse_config(
    bytes: &[u8],
    what: &str,
) -> Result<(ImageConfig, Vec<Digest>), ImageManifestError> {
    let cfg: ImageConfig = parse_json(bytes, what)?;
    if cfg.rootfs.kind != "layers" {
        return Err(invalid(
            what,
            format!("rootfs.type is {:?}, not \"layers\"", cfg.rootfs.kind),
        ));
    }
    let diff_ids = cfg
        .rootfs
        .diff_ids
        .iter()
        .map(|d| Digest::parse(d).map_err(|e| invalid(what, format!("rootfs.diff_ids: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((cfg, diff_ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_with_fields_liftoff_ignores_in_odd_shapes_still_parse() {
        let d = "sha256:".to_string() + &"a".repeat(64);
        for extra in [
            r#""Labels":[]"#,
            r#""ExposedPorts":["80/tcp"]"#,
            r#""Labels":null"#,
        ] {
            let c = format!(
                r#"{{"architecture":"amd64","os":"linux","config":{{{extra}}},"rootfs":{{"type":"layers","diff_ids":["{d}"]}}}}"#
            );
            let (_, ids) =
                parse_config(c.as_bytes(), "config").unwrap_or_else(|e| panic!("{extra}: {e}"));
            assert_eq!(ids.len(), 1);
        }
    }

    /// The typed writer gives the bytes the `json!` literals it replaced gave (sorted keys), so
    /// the digests of signature, import and docker-archive manifests do not change.
    #[test]
    fn written_manifests_keep_their_bytes() {
        let c = Digest::of(b"config");
        let l = Digest::of(b"layer");
        let typed = manifest_bytes(
            RawDescriptor::new(OCI_CONFIG, &c, 6),
            vec![RawDescriptor::new(OCI_LAYER_ZSTD, &l, 5).annotated("k", "v")],
        );
        let literal = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": c.to_string(), "size": 6},
            "layers": [{"mediaType": OCI_LAYER_ZSTD, "digest": l.to_string(), "size": 5,
                        "annotations": {"k": "v"}}],
        }))
        .unwrap();
        assert_eq!(
            String::from_utf8(typed.clone()).unwrap(),
            String::from_utf8(literal).unwrap()
        );
        let m = parse_manifest(&typed, "test").unwrap();
        assert_eq!(m.layers[0].0.annotations["k"], "v");
    }

    fn d(n: u8) -> String {
        format!("sha256:{}", hex::encode([n; 32]))
    }

    #[test]
    fn classify_refuses_disagreeing_media_types() {
        let idx = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[]}}"#);
        assert_eq!(classify(idx.as_bytes(), None, "x").unwrap(), Kind::Index);
        assert!(classify(idx.as_bytes(), Some(OCI_MANIFEST), "x").is_err());
        let bare = format!(
            r#"{{"schemaVersion":2,"config":{{"digest":"{}","size":1}},"layers":[]}}"#,
            d(1)
        );
        assert_eq!(
            classify(bare.as_bytes(), None, "x").unwrap(),
            Kind::Manifest
        );
        assert!(classify(br#"{"schemaVersion":1}"#, None, "x").is_err());
        assert!(classify(b"not json", None, "x").is_err());
    }

    #[test]
    fn manifest_layers_need_known_media_types() {
        let m = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"{OCI_CONFIG}","digest":"{}","size":2}},"layers":[{{"mediaType":"text/plain","digest":"{}","size":3}}]}}"#,
            d(1),
            d(2)
        );
        let e = parse_manifest(m.as_bytes(), "m").unwrap_err().to_string();
        assert!(e.contains("text/plain"), "{e}");
    }

    #[test]
    fn platform_selection_names_what_exists() {
        let idx = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"s390x"}}}},{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}}]}}"#,
            d(1),
            d(2)
        );
        let entries = parse_index(idx.as_bytes(), "i").unwrap();
        let want = Platform::parse("linux/arm64").unwrap();
        assert_eq!(
            select_platform(&entries, &want, "i")
                .unwrap()
                .digest
                .to_string(),
            d(2)
        );
        let e = select_platform(&entries, &Platform::parse("linux/riscv64").unwrap(), "i")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("linux/s390x") && e.contains("linux/arm64/v8"),
            "{e}"
        );
    }
}
