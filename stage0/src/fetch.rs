//! The fetch pipeline: source → top-level manifest (digest checked) → trust gate → parse → platform
//! → config (digest checked) → layers (each downloaded and verified into staging, then unpacked;
//! downloads and unpacking run in parallel) → name recorded.
//!
//! The trust gate sits right after the top-level bytes and their digest are known and before any of
//! them is parsed beyond classification, which is where signature verification plugs in (docs/trust.md).

use crate::cosign::RawSignature;
use crate::digest::Digest;
use crate::image_manifest::{
    self, Compression, Descriptor, ImageManifestError, Kind, MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES,
};
use crate::images::{self, ImageError};
use crate::ingest::{self, IngestError, Outcome, Staged, VerifiedBlob};
use crate::platform::Platform;
use crate::reference::ImageName;
use crate::store::IndexEntry;
use crate::store::{Provenance, Store, StoreError};
use crate::transport::registry::progress::{Progress, WithProgress};
use crate::transport::registry::RegistryOptions;
use crate::transport::{self, Source, SourceRef, TopLevel, TransportError};
use crate::trust::gate::{self, Verdict};
use crate::trust::verify::{Trust, VerifyError};
use crate::unpack::UnpackLimits;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Manifest(#[from] ImageManifestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("{source_name}: no name for this image (the source has no ref name usable as one); give it one with --as NAME:TAG")]
    NoName { source_name: String },
    #[error("{what}: the config lists {diff_ids} diff_ids but the manifest has {layers} layers")]
    LayerCount {
        what: String,
        diff_ids: usize,
        layers: usize,
    },
    #[error(transparent)]
    Untrusted(#[from] VerifyError),
    #[error("store name {0} must have a tag and no digest (e.g. example.com/app:1.0); name it with --as NAME:TAG")]
    BadStoreName(String),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("image {0} is not in the store and the pull policy is `never`; fetch it first (`liftoff fetch {0}`) or use --pull=missing")]
    NotPresent(String),
}

#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// `--as`: the name in the store; default is the source's own ref name.
    pub name: Option<ImageName>,
    pub platform: Platform,
    pub limits: UnpackLimits,
    /// How many layers to download at once (and, as many, to unpack at once).
    pub jobs: usize,
    /// Keys and policy to verify against.
    pub trust: Trust,
    /// `--insecure-options=image`: store without verification (recorded as such).
    pub insecure: bool,
    /// How to reach registries: credentials, TLS, plain-HTTP permission.
    pub registry: RegistryOptions,
    /// Draw a progress display on stderr (the CLI sets this when stderr is a terminal).
    pub progress: bool,
}

impl FetchOptions {
    /// Options with the host platform, default limits and parallelism, verifying against `trust`.
    pub fn new(trust: Trust) -> FetchOptions {
        FetchOptions {
            name: None,
            platform: Platform::host(),
            limits: UnpackLimits::default(),
            jobs: 2,
            trust,
            insecure: false,
            registry: RegistryOptions::default(),
            progress: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FetchResult {
    pub name: ImageName,
    pub digest: Digest,
    pub manifest: Digest,
    pub layers_stored: usize,
    pub layers_reused: usize,
    pub provenance: Provenance,
}

/// Asks the trust gate (`trust::gate`), from the top-level digest and the signatures found beside
/// it, whether this image may enter the store as `name`, before anything else of it is parsed.
fn trust_gate(
    src: &dyn Source,
    name: &ImageName,
    top: &TopLevel,
    opts: &FetchOptions,
) -> Result<(VerifyRecord, Vec<RawSignature>), FetchError> {
    let sigs = if opts.insecure {
        Vec::new()
    } else {
        src.signatures(&top.digest)?
    };
    let verdict = gate::decide(&opts.trust, name, &top.digest, &sigs, opts.insecure)?;
    let text = verdict.describe();
    Ok(match verdict {
        Verdict::Verified(v) => (
            VerifyRecord {
                verified: true,
                text,
                key_ids: v.key_ids,
                identity: Some(v.identity),
                signed_at: v.signed_at,
                scheme: Some(v.scheme.to_string()),
                insecure: false,
            },
            sigs,
        ),
        Verdict::AcceptedUnsigned { .. } | Verdict::NotChecked => (
            VerifyRecord {
                text,
                insecure: true,
                ..Default::default()
            },
            Vec::new(),
        ),
    })
}

/// Everything about an image that is known once manifest and config are read and checked.
pub(crate) struct Resolved {
    pub top_kind: Kind,
    pub manifest_bytes: Vec<u8>,
    pub manifest_digest: Digest,
    pub manifest: image_manifest::Manifest,
    pub config_bytes: Vec<u8>,
    pub config: image_manifest::ImageConfig,
    pub diff_ids: Vec<Digest>,
    pub platform: Platform,
}

fn mwhat_of(src: &dyn Source, d: &Digest) -> String {
    format!("{} manifest {}", src.describe(), d)
}

pub(crate) fn resolve(
    src: &dyn Source,
    top: &TopLevel,
    want: &Platform,
) -> Result<Resolved, FetchError> {
    let what = format!("{} manifest {}", src.describe(), top.digest);
    let top_kind = image_manifest::classify(&top.bytes, top.media_type.as_deref(), &what)?;
    let (manifest_bytes, manifest_digest, mwhat) = match top_kind {
        Kind::Manifest => (top.bytes.clone(), top.digest.clone(), what.clone()),
        Kind::Index => {
            let entries = image_manifest::parse_index(&top.bytes, &what)?;
            let chosen = image_manifest::select_platform(&entries, want, &what)?;
            if chosen.size > MAX_MANIFEST_BYTES {
                return Err(ImageManifestError::Invalid {
                    what: mwhat_of(src, &chosen.digest),
                    reason: format!(
                        "is {} bytes, over the limit of {MAX_MANIFEST_BYTES}",
                        chosen.size
                    ),
                }
                .into());
            }
            let bytes = src.read_manifest(&chosen.digest, chosen.size, &chosen.media_type)?;
            let mwhat = mwhat_of(src, &chosen.digest);
            if image_manifest::classify(&bytes, Some(&chosen.media_type), &mwhat)? != Kind::Manifest
            {
                return Err(ImageManifestError::Invalid {
                    what: mwhat,
                    reason: "an index inside an index is not supported".into(),
                }
                .into());
            }
            (bytes, chosen.digest.clone(), mwhat)
        }
    };
    let m = image_manifest::parse_manifest(&manifest_bytes, &mwhat)?;
    let config_bytes = transport::read_verified(
        src,
        &m.config.digest,
        m.config.size,
        MAX_CONFIG_BYTES,
        "config",
    )?;
    let cwhat = format!("{} config {}", src.describe(), m.config.digest);
    let (config, diff_ids) = image_manifest::parse_config(&config_bytes, &cwhat)?;
    if diff_ids.len() != m.layers.len() {
        return Err(FetchError::LayerCount {
            what: cwhat,
            diff_ids: diff_ids.len(),
            layers: m.layers.len(),
        });
    }
    let platform = Platform {
        os: config.os.clone().unwrap_or_else(|| want.os.clone()),
        architecture: config
            .architecture
            .clone()
            .unwrap_or_else(|| want.architecture.clone()),
        variant: config.variant.clone(),
    };
    // A single-manifest image for another platform would fail at exec with ENOEXEC; say so now.
    if top_kind == Kind::Manifest && want.score(&platform).is_none() {
        return Err(ImageManifestError::NoPlatform {
            what,
            wanted: want.clone(),
            available: platform.to_string(),
        }
        .into());
    }
    Ok(Resolved {
        top_kind,
        manifest_bytes,
        manifest_digest,
        manifest: m,
        config_bytes,
        config,
        diff_ids,
        platform,
    })
}

/// The first failure among parallel layer jobs. The lowest-numbered failing layer is the one
/// reported, so the message does not depend on thread timing.
#[derive(Default)]
struct FirstError {
    failed: AtomicBool,
    first: Mutex<Option<(usize, IngestError)>>,
}

impl FirstError {
    fn set(&self, i: usize, e: IngestError) {
        self.failed.store(true, Ordering::Relaxed);
        let mut g = self.first.lock().unwrap_or_else(|p| p.into_inner());
        if g.as_ref().is_none_or(|(j, _)| i < *j) {
            *g = Some((i, e));
        }
    }

    fn is_set(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    fn take(self) -> Option<IngestError> {
        let g = self.first.into_inner().unwrap_or_else(|p| p.into_inner());
        g.map(|(_, e)| e)
    }
}

/// What [`ingest_layers`] did: layers stored and reused, and the notes to show (see
/// [`warn_notes`]), in layer order.
pub(crate) struct Ingested {
    pub stored: usize,
    pub reused: usize,
    pub notes: Vec<String>,
}

/// Prints notes about the layers (entries left out while unpacking) as warnings, once each; after
/// the progress display is gone, so they are not drawn over.
pub(crate) fn warn_notes(notes: &[String]) {
    for n in notes {
        liftoff_stage2::warning!("{n}");
    }
}

/// Brings every layer not yet in the store in, as a two-stage pipeline: `jobs` download workers
/// stage and verify blobs (digest and size, see [`ingest::stage`]) and hand each verified one over a
/// channel to `jobs` unpack workers, so unpacking a verified layer overlaps the download of the
/// next ones while no unverified byte is ever decompressed. After the first error no new layer is
/// started and verified blobs still queued are dropped (with their staging).
pub(crate) fn ingest_layers(
    store: &Store,
    src: Option<&dyn Source>,
    source_name: &str,
    layers: &[(Descriptor, Compression)],
    diff_ids: &[Digest],
    limits: &UnpackLimits,
    jobs: usize,
) -> Result<Ingested, FetchError> {
    let notes: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let add_note = |i: usize, n: Option<String>| {
        if let Some(n) = n {
            notes.lock().unwrap_or_else(|p| p.into_inner()).push((i, n));
        }
    };
    let next = AtomicUsize::new(0);
    let errors = FirstError::default();
    let stored = AtomicUsize::new(0);
    let reused = AtomicUsize::new(0);
    let jobs = jobs.clamp(1, layers.len().max(1));
    let (tx, rx) = mpsc::channel::<(usize, VerifiedBlob)>();
    let rx = Mutex::new(rx);
    std::thread::scope(|s| {
        let (next, errors, reused, add_note) = (&next, &errors, &reused, &add_note);
        for _ in 0..jobs {
            let tx = tx.clone();
            s.spawn(move || {
                while !errors.is_set() {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((desc, comp)) = layers.get(i) else {
                        return;
                    };
                    tracing::debug!("layer {}/{}: {}", i + 1, layers.len(), desc.digest);
                    match ingest::stage(store, src, source_name, desc, *comp, &diff_ids[i]) {
                        Ok(Staged::Reused) => {
                            reused.fetch_add(1, Ordering::Relaxed);
                            add_note(
                                i,
                                ingest::reused_note(store, &desc.digest, &diff_ids[i], limits),
                            );
                        }
                        // The unpack workers outlive every sender, so this cannot fail.
                        Ok(Staged::Verified(v)) => drop(tx.send((i, v))),
                        Err(e) => errors.set(i, e),
                    }
                }
            });
        }
        // The channel closes when the last download worker is done.
        drop(tx);
        for _ in 0..jobs {
            s.spawn(|| loop {
                let got = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((i, v)) = got else {
                    return;
                };
                if errors.is_set() {
                    continue;
                }
                match ingest::unpack(store, v, limits) {
                    Ok((Outcome::Stored, note)) => {
                        stored.fetch_add(1, Ordering::Relaxed);
                        add_note(i, note);
                    }
                    Ok((Outcome::Reused, note)) => {
                        reused.fetch_add(1, Ordering::Relaxed);
                        add_note(i, note);
                    }
                    Err(e) => errors.set(i, e),
                }
            });
        }
    });
    if let Some(e) = errors.take() {
        return Err(e.into());
    }
    let mut notes = notes.into_inner().unwrap_or_else(|p| p.into_inner());
    notes.sort_by_key(|(i, _)| *i);
    Ok(Ingested {
        stored: stored.into_inner(),
        reused: reused.into_inner(),
        notes: notes.into_iter().map(|(_, n)| n).collect(),
    })
}

pub fn fetch(
    store: &Store,
    src_ref: &SourceRef,
    opts: &FetchOptions,
) -> Result<FetchResult, FetchError> {
    let src = transport::open_with(src_ref, &opts.registry)?;
    let top = src.top()?;
    let name = match &opts.name {
        Some(n) => n.clone(),
        None => src_ref
            .default_name(top.ref_name.as_deref())
            .ok_or_else(|| FetchError::NoName {
                source_name: src.describe(),
            })?,
    };
    if name.digest.is_some() || name.tag.is_none() {
        return Err(FetchError::BadStoreName(name.to_string()));
    }
    let (verdict, sigs) = trust_gate(src.as_ref(), &name, &top, opts)?;
    // Child manifests and configs the store already has are read from it (and checked like any
    // source's), so fetching an image again downloads nothing but its top-level manifest.
    let cached = StoreFirst {
        inner: src.as_ref(),
        store,
    };
    let resolved = resolve(&cached, &top, &opts.platform)?;

    let _use = store.lock_use()?;
    // Layers whose blob and unpacked form are both in the store are not downloaded again (ingest
    // skips them); only the others are shown in the progress display.
    let missing: Vec<(Digest, u64)> = resolved
        .manifest
        .layers
        .iter()
        .zip(&resolved.diff_ids)
        .filter(|((d, _), diff)| !(store.has_blob(&d.digest) && store.has_layer(diff)))
        .map(|((d, _), _)| (d.digest.clone(), d.size))
        .collect();
    tracing::debug!(
        "{}: {} layer(s), {} to fetch",
        src.describe(),
        resolved.manifest.layers.len(),
        missing.len()
    );
    let progress = (opts.progress && !missing.is_empty()).then(|| Progress::new(&missing));
    let shown;
    let layer_src: &dyn Source = match &progress {
        Some(p) => {
            shown = WithProgress {
                inner: src.as_ref(),
                progress: p,
            };
            &shown
        }
        None => src.as_ref(),
    };
    let ingested = ingest_layers(
        store,
        Some(layer_src),
        &src.describe(),
        &resolved.manifest.layers,
        &resolved.diff_ids,
        &opts.limits,
        opts.jobs,
    )?;
    if let Some(p) = &progress {
        p.finish();
    }
    warn_notes(&ingested.notes);
    // Small blobs last: an image's manifest is in the store only once everything it names is.
    store.put_blob_bytes(&resolved.manifest.config.digest, &resolved.config_bytes)?;
    store.put_blob_bytes(&resolved.manifest_digest, &resolved.manifest_bytes)?;
    store.put_blob_bytes(&top.digest, &top.bytes)?;

    if !sigs.is_empty() {
        store.add_signatures(&name.repository(), &top.digest, &sigs)?;
    }
    let prov = record(
        store,
        &name,
        &src.describe(),
        &top.digest,
        top.bytes.len(),
        &resolved,
        &verdict,
    )?;
    Ok(FetchResult {
        name,
        digest: top.digest.clone(),
        manifest: resolved.manifest_digest.clone(),
        layers_stored: ingested.stored,
        layers_reused: ingested.reused,
        provenance: prov,
    })
}

/// A source that serves blobs the store already has from the store. Everything read through it is
/// still checked against its descriptor by the caller, so a damaged store blob fails the fetch
/// rather than slipping through.
struct StoreFirst<'a> {
    inner: &'a dyn Source,
    store: &'a Store,
}

impl Source for StoreFirst<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn top(&self) -> Result<TopLevel, TransportError> {
        self.inner.top()
    }

    fn read_manifest(
        &self,
        digest: &Digest,
        size: u64,
        media_type: &str,
    ) -> Result<Vec<u8>, TransportError> {
        if self.store.has_blob(digest) {
            return transport::read_verified(self, digest, size, MAX_MANIFEST_BYTES, "manifest");
        }
        self.inner.read_manifest(digest, size, media_type)
    }

    fn open_blob(
        &self,
        digest: &Digest,
    ) -> Result<Box<dyn std::io::Read + Send + '_>, TransportError> {
        let p = self.store.blob_path(digest);
        match std::fs::File::open(&p) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.inner.open_blob(digest),
            Err(e) => Err(transport::io_err(&p, e)),
        }
    }

    fn signatures(&self, digest: &Digest) -> Result<Vec<RawSignature>, TransportError> {
        self.inner.signatures(digest)
    }
}

/// The verification facts recorded with an image.
#[derive(Debug, Clone, Default)]
pub struct VerifyRecord {
    pub verified: bool,
    pub text: String,
    pub key_ids: Vec<String>,
    pub identity: Option<String>,
    pub signed_at: Option<i64>,
    pub scheme: Option<String>,
    pub insecure: bool,
}

impl VerifyRecord {
    pub fn unverified(text: &str) -> Self {
        VerifyRecord {
            text: text.to_string(),
            ..Default::default()
        }
    }
}

/// Points `name` at the stored image and writes its provenance.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record(
    store: &Store,
    name: &ImageName,
    source: &str,
    top_digest: &Digest,
    top_size: usize,
    r: &Resolved,
    v: &VerifyRecord,
) -> Result<Provenance, FetchError> {
    let mut size =
        r.config_bytes.len() as u64 + r.manifest.layers.iter().map(|(d, _)| d.size).sum::<u64>();
    size += r.manifest_bytes.len() as u64;
    if r.top_kind == Kind::Index {
        size += top_size as u64;
    }
    let media_type = match r.top_kind {
        Kind::Index => image_manifest::OCI_INDEX.to_string(),
        Kind::Manifest => r.manifest.media_type.clone(),
    };
    let media_type = if r.top_kind == Kind::Index {
        // Keep the document's own media type (Docker list or OCI index).
        serde_json::from_slice::<serde_json::Value>(&store.read_blob(top_digest)?)
            .ok()
            .and_then(|v| {
                v.get("mediaType")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or(media_type)
    } else {
        media_type
    };
    let desc = Descriptor {
        media_type,
        digest: top_digest.clone(),
        size: top_size as u64,
        platform: None,
        annotations: Default::default(),
    };
    let prov = Provenance {
        name: name.to_string(),
        digest: top_digest.clone(),
        manifest: r.manifest_digest.clone(),
        platform: r.platform.to_string(),
        source: source.to_string(),
        fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        verified: v.verified,
        verification: v.text.clone(),
        created: r.config.created.clone(),
        size,
        key_ids: v.key_ids.clone(),
        identity: v.identity.clone(),
        signed_at: v.signed_at,
        scheme: v.scheme.clone(),
        insecure: v.insecure,
    };
    store.set_ref(&desc, &prov)?;
    Ok(prov)
}

/// When `run` (and friends) may go to the network for an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PullPolicy {
    /// Use only what is in the store; fail if the image is not there.
    Never,
    /// Fetch only when the image is not in the store (the default).
    #[default]
    Missing,
    /// Fetch every time (a tag may have moved); layers already stored are not downloaded again.
    Always,
}

/// What [`ensure_image`] found or did.
#[derive(Debug, Clone)]
pub struct Ensured {
    /// The stored image.
    pub entry: IndexEntry,
    /// Set when it was fetched by this call.
    pub fetched: Option<FetchResult>,
}

/// Makes sure `image` is in the store according to `pull`, and returns its store entry.
///
/// `image` is what a user types to `run`: a store name, short name or digest prefix
/// (`busybox`, `example.com/app:1`, `3f2a…`), `docker://NAME`, or a local transport
/// (`oci:DIR:REF`, `oci-archive:FILE`, `docker-archive:FILE`). With `Missing`, a name already in
/// the store is used as is (a stored image was verified, or recorded as not, when it was fetched);
/// otherwise it is fetched, through the same verification as `liftoff fetch`. Local transports
/// are always read under `Missing` and `Always` (cheap; layers are reused), never under `Never`.
pub fn ensure_image(
    store: &Store,
    image: &str,
    pull: PullPolicy,
    opts: &FetchOptions,
) -> Result<Ensured, FetchError> {
    let explicit = ["docker://", "oci:", "oci-archive:", "docker-archive:"]
        .iter()
        .any(|p| image.starts_with(p));
    let local = |q: &str| match images::find(store, q) {
        Ok(e) => Ok(Some(e)),
        Err(ImageError::NotFound(_)) => Ok(None),
        Err(e) => Err(FetchError::Image(e)),
    };
    let registry_name = image.strip_prefix("docker://");
    // What to look up in the store: a registry name, or what the user typed.
    let lookup = match (explicit, registry_name) {
        (false, _) => Some(image),
        (true, Some(n)) => Some(n),
        (true, None) => None,
    };
    if pull != PullPolicy::Always {
        if let Some(q) = lookup {
            if let Some(entry) = local(q)? {
                return Ok(Ensured {
                    entry,
                    fetched: None,
                });
            }
        }
        if pull == PullPolicy::Never {
            return Err(FetchError::NotPresent(image.to_string()));
        }
    }
    let src_ref = SourceRef::parse(image)?;
    let r = fetch(store, &src_ref, opts)?;
    let entry = images::find(store, &r.name.to_string())?;
    Ok(Ensured {
        entry,
        fetched: Some(r),
    })
}
