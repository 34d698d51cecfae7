//! What the `image` verbs do to the store: find an image by name or digest prefix, describe it,
//! remove names, collect garbage, and render a root filesystem by copy.

use crate::digest::Digest;
use crate::image_manifest::{self, Kind};
use crate::platform::Platform;
use crate::reference::ImageName;
use crate::store::{IndexEntry, Provenance, Store, StoreError};
use crate::unpack::{self, UnpackError};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("image gc removed nothing: it cannot tell which layers a pod uses ({0}); remove that pod (`liftoff rm`) or repair its pod.json, then run image gc again")]
    PodUnreadable(String),
    #[error("no image {0} in the store; `liftoff image list` shows what there is")]
    NotFound(String),
    #[error("{0:?} matches several images ({1}); use a longer digest prefix or the full name")]
    Ambiguous(String, String),
    #[error("image {name}: {reason}")]
    Broken { name: String, reason: String },
    #[error(transparent)]
    Unpack(#[from] UnpackError),
    #[error("{path}: {reason}")]
    Dest { path: PathBuf, reason: String },
}

/// A query that matches several images, naming them.
fn ambiguous(query: &str, matches: &[&IndexEntry]) -> ImageError {
    ImageError::Ambiguous(
        query.to_string(),
        matches
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// Finds an image by name (normalised, so `hello:1` finds `docker.io/library/hello:1`), by a
/// `localhost/` name given without its prefix, by an unambiguous short name, or by a digest prefix of
/// at least 4 hex digits.
pub fn find(store: &Store, query: &str) -> Result<IndexEntry, ImageError> {
    let entries = store.entries()?;
    if let Ok(n) = ImageName::parse(query) {
        let n = n.to_string();
        if let Some(e) = entries.iter().find(|e| e.name == n) {
            return Ok(e.clone());
        }
    }
    if let Ok(n) = ImageName::parse(&format!("localhost/{query}")) {
        let n = n.to_string();
        if let Some(e) = entries.iter().find(|e| e.name == n) {
            return Ok(e.clone());
        }
    }
    // A short name (`hello:1`, `demo/hello`) matches a stored name ending in it at a path boundary,
    // as podman resolves local images; it must be unambiguous.
    if !query.contains('@') && !query.starts_with('/') {
        let last = query.rsplit('/').next().unwrap_or(query);
        let with_tag = if last.contains(':') {
            query.to_string()
        } else {
            format!("{query}:latest")
        };
        let m: Vec<&IndexEntry> = entries
            .iter()
            .filter(|e| e.name.ends_with(&format!("/{with_tag}")))
            .collect();
        match m.len() {
            0 => {}
            1 => return Ok(m[0].clone()),
            _ => return Err(ambiguous(query, &m)),
        }
    }
    let hexq = query.strip_prefix("sha256:").unwrap_or(query);
    if hexq.len() >= 4 && hexq.bytes().all(|b| b.is_ascii_hexdigit()) {
        let hexq = hexq.to_ascii_lowercase();
        let m: Vec<&IndexEntry> = entries
            .iter()
            .filter(|e| e.descriptor.digest.hex().starts_with(&hexq))
            .collect();
        let digests: HashSet<&Digest> = m.iter().map(|e| &e.descriptor.digest).collect();
        match digests.len() {
            0 => {}
            1 => return Ok(m[0].clone()),
            _ => return Err(ambiguous(query, &m)),
        }
    }
    Err(ImageError::NotFound(query.to_string()))
}

/// One row of `image list`.
#[derive(Debug, Serialize)]
pub struct ListRow {
    pub name: String,
    pub digest: Digest,
    pub size: u64,
    pub created: Option<String>,
    pub verified: bool,
    pub platform: String,
    pub source: String,
}

pub fn list(store: &Store) -> Result<Vec<ListRow>, ImageError> {
    let mut rows = Vec::new();
    for e in store.entries()? {
        let p = store.provenance(&e.name, &e.descriptor.digest)?;
        rows.push(match p {
            Some(p) => ListRow {
                name: e.name,
                digest: e.descriptor.digest,
                size: p.size,
                created: p.created,
                verified: p.verified,
                platform: p.platform,
                source: p.source,
            },
            // Put there by another tool (e.g. skopeo copy into the layout): unknown origin.
            None => ListRow {
                name: e.name,
                digest: e.descriptor.digest,
                size: e.descriptor.size,
                created: None,
                verified: false,
                platform: String::new(),
                source: "unknown (not fetched by liftoff)".into(),
            },
        });
    }
    Ok(rows)
}

/// Everything `image inspect` shows.
#[derive(Debug, Serialize)]
pub struct Inspect {
    pub name: String,
    pub digest: Digest,
    #[serde(rename = "mediaType")]
    pub media_type: String,
    #[serde(rename = "manifestDigest")]
    pub manifest_digest: Digest,
    pub platform: String,
    pub size: u64,
    pub layers: Vec<InspectLayer>,
    pub config: serde_json::Value,
    pub provenance: Option<Provenance>,
}

#[derive(Debug, Serialize)]
pub struct InspectLayer {
    pub digest: Digest,
    #[serde(rename = "diffID")]
    pub diff_id: Digest,
    #[serde(rename = "mediaType")]
    pub media_type: String,
    pub size: u64,
    pub unpacked: bool,
    pub path: PathBuf,
}

/// Reads the platform manifest and config of a stored image.
pub fn load(
    store: &Store,
    e: &IndexEntry,
) -> Result<(Digest, image_manifest::Manifest, Vec<u8>, Vec<Digest>), ImageError> {
    let broken = |reason: String| ImageError::Broken {
        name: e.name.clone(),
        reason: format!(
            "{reason}; remove it with `liftoff image rm {}` and fetch it again",
            e.name
        ),
    };
    let top = store.read_blob(&e.descriptor.digest)?;
    let kind = image_manifest::classify(&top, Some(&e.descriptor.media_type), "stored manifest")
        .map_err(|x| broken(x.to_string()))?;
    let (mdigest, mbytes) = match kind {
        Kind::Manifest => (e.descriptor.digest.clone(), top),
        Kind::Index => {
            let entries = image_manifest::parse_index(&top, "stored index")
                .map_err(|x| broken(x.to_string()))?;
            let want = store
                .provenance(&e.name, &e.descriptor.digest)?
                .map(|p| p.manifest)
                .or_else(|| {
                    image_manifest::select_platform(&entries, &Platform::host(), "stored index")
                        .ok()
                        .map(|d| d.digest.clone())
                })
                .ok_or_else(|| broken("no manifest for this platform".into()))?;
            let b = store.read_blob(&want)?;
            (want, b)
        }
    };
    let m = image_manifest::parse_manifest(&mbytes, "stored manifest")
        .map_err(|x| broken(x.to_string()))?;
    let cbytes = store.read_blob(&m.config.digest)?;
    let (_, diff_ids) = image_manifest::parse_config(&cbytes, "stored config")
        .map_err(|x| broken(x.to_string()))?;
    if diff_ids.len() != m.layers.len() {
        return Err(broken(
            "config and manifest disagree on the number of layers".into(),
        ));
    }
    Ok((mdigest, m, cbytes, diff_ids))
}

pub fn inspect(store: &Store, e: &IndexEntry) -> Result<Inspect, ImageError> {
    let (mdigest, m, cbytes, diff_ids) = load(store, e)?;
    let config: serde_json::Value =
        serde_json::from_slice(&cbytes).unwrap_or(serde_json::Value::Null);
    let prov = store.provenance(&e.name, &e.descriptor.digest)?;
    let layers: Vec<InspectLayer> = m
        .layers
        .iter()
        .zip(&diff_ids)
        .map(|((d, _), diff)| InspectLayer {
            digest: d.digest.clone(),
            diff_id: diff.clone(),
            media_type: d.media_type.clone(),
            size: d.size,
            unpacked: store.has_layer(diff),
            path: store.layer_path(diff),
        })
        .collect();
    Ok(Inspect {
        name: e.name.clone(),
        digest: e.descriptor.digest.clone(),
        media_type: e.descriptor.media_type.clone(),
        manifest_digest: mdigest,
        platform: prov
            .as_ref()
            .map(|p| p.platform.clone())
            .unwrap_or_default(),
        size: prov.as_ref().map(|p| p.size).unwrap_or(e.descriptor.size),
        layers,
        config,
        provenance: prov,
    })
}

/// What `image gc` removed.
#[derive(Debug, Default, Serialize)]
pub struct GcReport {
    pub blobs: Vec<Digest>,
    pub layers: Vec<Digest>,
    pub meta: usize,
    pub staging: usize,
    pub bytes: u64,
}

/// Removes every blob, unpacked layer, provenance record and staging dir that no named image needs.
/// Holds the store lock exclusively, so it waits for running fetches and imports: at most `wait`
/// (None: until they finish), after which it fails naming the processes that hold the store.
/// `layers_in_use` gives the layers pods still stand on (see `pod::state::layers_in_use`); it is
/// called once the store is locked, so no pod prepared before that is missed.
pub fn gc(
    store: &Store,
    wait: Option<std::time::Duration>,
    layers_in_use: impl FnOnce() -> Result<Vec<Digest>, String>,
) -> Result<GcReport, ImageError> {
    let _g = store.lock_gc(wait)?;
    let mut keep_blobs: HashSet<Digest> = HashSet::new();
    let mut keep_layers: HashSet<Digest> = HashSet::new();
    let mut keep_meta: HashSet<Digest> = HashSet::new();
    for d in store.all_descriptors()? {
        keep_meta.insert(d.digest.clone());
        mark(store, &d.digest, &mut keep_blobs, &mut keep_layers, 0);
    }
    // Layers under a pod (running, or exited and not yet collected) stay until the pod is gone,
    // even when its image was removed: they are the lower dirs of its overlay roots.
    keep_layers.extend(layers_in_use().map_err(ImageError::PodUnreadable)?);
    let mut rep = GcReport::default();
    let blobs_dir = store.images().join("blobs/sha256");
    for (hex, path) in dir_entries(&blobs_dir)? {
        match Digest::from_hex(&hex) {
            Some(d) if keep_blobs.contains(&d) => {}
            d => {
                rep.bytes += std::fs::symlink_metadata(&path)
                    .map(|m| m.len())
                    .unwrap_or(0);
                remove_any(&path)?;
                if let Some(d) = d {
                    rep.blobs.push(d);
                }
            }
        }
    }
    for (hex, path) in dir_entries(&store.root().join("layers/sha256"))? {
        match Digest::from_hex(&hex) {
            Some(d) if keep_layers.contains(&d) => {}
            d => {
                remove_any(&path)?;
                if let Some(d) = d {
                    rep.layers.push(d);
                }
            }
        }
    }
    // A record of what a layer's unpacking left out goes with the layer (or is a crash leftover).
    for (hex, path) in dir_entries(&store.root().join("layers/skipped"))? {
        let keep = Digest::from_hex(&hex).is_some_and(|d| keep_layers.contains(&d));
        if !keep {
            remove_any(&path)?;
        }
    }
    for (name, path) in dir_entries(&store.images().join("meta"))? {
        let keep = name
            .strip_suffix(".json")
            .and_then(Digest::from_hex)
            .is_some_and(|d| keep_meta.contains(&d));
        if !keep {
            remove_any(&path)?;
            rep.meta += 1;
        }
    }
    // No fetch or import runs while we hold the store lock: anything in tmp/ is a crash leftover,
    // and so is a temp file an atomic write of the index left next to it.
    for (_, path) in dir_entries(&store.tmp())? {
        remove_any(&path)?;
        rep.staging += 1;
    }
    for (name, path) in dir_entries(&store.images())? {
        if liftoff_common::atomic::is_temp_name(&name) {
            remove_any(&path)?;
            rep.staging += 1;
        }
    }
    for (name, path) in dir_entries(&store.root().join("locks"))? {
        if name.starts_with("layer-") {
            remove_any(&path)?;
        }
    }
    rep.blobs.sort();
    rep.layers.sort();
    Ok(rep)
}

fn mark(
    store: &Store,
    d: &Digest,
    blobs: &mut HashSet<Digest>,
    layers: &mut HashSet<Digest>,
    depth: u8,
) {
    if depth > 2 || !blobs.insert(d.clone()) {
        return;
    }
    let Ok(bytes) = store.read_blob(d) else {
        return;
    };
    match image_manifest::classify(&bytes, None, "stored blob") {
        Ok(Kind::Index) => {
            if let Ok(entries) = image_manifest::parse_index(&bytes, "stored index") {
                for e in entries {
                    mark(store, &e.digest, blobs, layers, depth + 1);
                }
            }
        }
        Ok(Kind::Manifest) => {
            // Signature manifests (cosign) have non-image configs: keep their blobs all the same.
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                let digests = std::iter::once(v.pointer("/config/digest")).chain(
                    v.get("layers")
                        .and_then(|l| l.as_array())
                        .into_iter()
                        .flatten()
                        .map(|l| l.get("digest")),
                );
                for dg in digests
                    .flatten()
                    .filter_map(|x| x.as_str())
                    .filter_map(|s| Digest::parse(s).ok())
                {
                    blobs.insert(dg);
                }
            }
            if let Ok(m) = image_manifest::parse_manifest(&bytes, "stored manifest") {
                if let Ok(cb) = store.read_blob(&m.config.digest) {
                    if let Ok((_, diff_ids)) = image_manifest::parse_config(&cb, "stored config") {
                        layers.extend(diff_ids);
                    }
                }
            }
        }
        Err(_) => {}
    }
}

fn dir_entries(dir: &Path) -> Result<Vec<(String, PathBuf)>, ImageError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(crate::store::io(dir, "read directory")(e).into()),
    };
    let mut v = Vec::new();
    for e in rd {
        let e = e.map_err(crate::store::io(dir, "read directory"))?;
        v.push((e.file_name().to_string_lossy().to_string(), e.path()));
    }
    Ok(v)
}

fn remove_any(p: &Path) -> Result<(), ImageError> {
    let md = match std::fs::symlink_metadata(p) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(crate::store::io(p, "stat")(e).into()),
    };
    let r = if md.is_dir() {
        std::fs::remove_dir_all(p)
    } else {
        std::fs::remove_file(p)
    };
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(crate::store::io(p, "remove")(e).into())
        }
        _ => Ok(()),
    }
}

/// Renders an image's root filesystem into `dest` (which must not exist or be empty) by copying its
/// unpacked layers: the fallback for hosts without overlayfs, and `image extract`.
/// How `image extract` may write.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtractOptions {
    /// Keep setuid/setgid bits and file capabilities (`--preserve-setid`).
    pub preserve_setid: bool,
}

/// Opens (or creates, 0700) the destination of `image extract` without following a symlink: it
/// must be a directory the caller owns and nobody else may write, and empty.
fn open_extract_dest(dest: &Path) -> Result<(std::os::fd::OwnedFd, u32), ImageError> {
    use rustix::fs::{self as rfs, Mode, OFlags};
    let bad = |reason: String| ImageError::Dest {
        path: dest.to_path_buf(),
        reason,
    };
    // The parent must be sound too (root's or the caller's all the way up, as `owned` checks), or
    // whoever owns it could move the new directory somewhere root alone may write.
    let (parent, name) = match (dest.parent(), dest.file_name()) {
        (Some(p), Some(n)) => (
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            },
            n,
        ),
        _ => return Err(bad("give a directory path such as ./rootfs".into())),
    };
    let pfd = crate::owned::open(
        parent,
        "extract destination's parent",
        crate::owned::Kind::Dir,
    )
    .map_err(|e| bad(e.to_string()))?
    .ok_or_else(|| bad(format!("its parent {} does not exist", parent.display())))?;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = match rfs::openat(&pfd, name, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::NOENT) => {
            rfs::mkdirat(&pfd, name, Mode::from_raw_mode(0o700))
                .map_err(|e| bad(format!("cannot create it: {e}")))?;
            rfs::openat(&pfd, name, flags, Mode::empty())
                .map_err(|e| bad(format!("cannot open it: {e}")))?
        }
        Err(rustix::io::Errno::LOOP) | Err(rustix::io::Errno::NOTDIR) => {
            return Err(bad(
                "is a symbolic link or not a directory; give a real, new or empty directory".into(),
            ))
        }
        Err(e) => return Err(bad(format!("cannot open it: {e}"))),
    };
    let st = rfs::fstat(&fd).map_err(|e| bad(format!("cannot stat it: {e}")))?;
    if st.st_uid != rustix::process::geteuid().as_raw() {
        return Err(bad(format!(
            "belongs to uid {}, not to you; extract into a directory of your own",
            st.st_uid
        )));
    }
    if st.st_mode & 0o022 != 0 {
        return Err(bad(format!(
            "is writable by group or others (mode {:04o}); `chmod go-w` it or use a new directory",
            st.st_mode & 0o7777
        )));
    }
    let names = crate::unpack::walk::list_dir(std::os::fd::AsFd::as_fd(&fd))
        .map_err(|e| bad(format!("cannot list it: {e}")))?;
    if !names.is_empty() {
        return Err(bad(
            "is not empty; extract into a new or empty directory".into()
        ));
    }
    Ok((fd, st.st_mode & 0o7777))
}

pub fn extract(
    store: &Store,
    e: &IndexEntry,
    dest: &Path,
    opts: ExtractOptions,
) -> Result<(), ImageError> {
    let (_, _, _, diff_ids) = load(store, e)?;
    let mut layers = Vec::new();
    for d in &diff_ids {
        if !store.has_layer(d) {
            return Err(ImageError::Broken {
                name: e.name.clone(),
                reason: format!("layer {d} is not unpacked; fetch the image again"),
            });
        }
        layers.push(store.layer_path(d));
    }
    let (fd, mode) = open_extract_dest(dest)?;
    let keep = fd.try_clone().map_err(|e| ImageError::Dest {
        path: dest.to_path_buf(),
        reason: e.to_string(),
    })?;
    unpack::flatten_layers_onto(&layers, fd, !opts.preserve_setid)?;
    // The image's root directory mode was copied onto it: the destination keeps its own (0700
    // when new), so the copy is no more reachable than the caller made it.
    rustix::fs::fchmod(&keep, rustix::fs::Mode::from_raw_mode(mode)).map_err(|e| {
        ImageError::Dest {
            path: dest.to_path_buf(),
            reason: format!("chmod: {e}"),
        }
    })?;
    // The image's root owner was copied too: the directory stays the caller's.
    let me = (rustix::process::geteuid(), rustix::process::getegid());
    rustix::fs::fchown(&keep, Some(me.0), Some(me.1)).map_err(|e| ImageError::Dest {
        path: dest.to_path_buf(),
        reason: format!("chown: {e}"),
    })?;
    Ok(())
}

/// The outcome of `image verify`.
#[derive(Debug)]
pub struct VerifyReport {
    pub signature: Result<String, String>,
    pub signature_secs: f64,
    pub blobs: Result<(), String>,
    pub blob_count: usize,
    pub bytes: u64,
    pub hash_secs: f64,
}

/// Re-checks a stored image: its signatures against the current trust store and policy, and every
/// blob against its digest. Writes the outcome into the image's provenance.
pub fn verify(
    store: &Store,
    trust: &crate::trust::verify::Trust,
    e: &IndexEntry,
) -> Result<VerifyReport, ImageError> {
    use crate::trust::gate::{self, Verdict};
    let name = ImageName::parse(&e.name).map_err(|x| ImageError::Broken {
        name: e.name.clone(),
        reason: x.to_string(),
    })?;
    let t0 = std::time::Instant::now();
    let sigs = store.signatures(&name.repository(), &e.descriptor.digest)?;
    let decision = gate::decide(trust, &name, &e.descriptor.digest, &sigs, false);
    let signature_secs = t0.elapsed().as_secs_f64();

    let t1 = std::time::Instant::now();
    let mut blobs: Vec<(Digest, u64)> = vec![(e.descriptor.digest.clone(), e.descriptor.size)];
    let mut blob_err = None;
    match load(store, e) {
        Ok((mdigest, m, cbytes, _)) => {
            if mdigest != e.descriptor.digest {
                blobs.push((
                    mdigest.clone(),
                    store
                        .blob_path(&mdigest)
                        .metadata()
                        .map(|m| m.len())
                        .unwrap_or(0),
                ));
            }
            blobs.push((m.config.digest.clone(), cbytes.len() as u64));
            blobs.extend(m.layers.iter().map(|(d, _)| (d.digest.clone(), d.size)));
        }
        Err(x) => blob_err = Some(x.to_string()),
    }
    let mut bytes = 0u64;
    if blob_err.is_none() {
        for (d, size) in &blobs {
            let p = store.blob_path(d);
            let r =
                std::fs::File::open(&p).and_then(|f| crate::digest::HashingReader::new(f).finish());
            match r {
                Ok((actual, n)) if &actual == d && n == *size => bytes += n,
                Ok((actual, n)) => {
                    blob_err = Some(format!("blob {d} now hashes to {actual} ({n} bytes): the store was modified; remove the image and fetch it again"));
                    break;
                }
                Err(x) => {
                    blob_err = Some(format!("blob {d}: {x}"));
                    break;
                }
            }
        }
    }
    let hash_secs = t1.elapsed().as_secs_f64();

    let signature = match decision {
        Ok(Verdict::Verified(v)) => Ok(v),
        // Only a real signature passes `image verify`; the gate's words say what let it in.
        Ok(other) => Err(other.describe()),
        Err(x) => Err(x.to_string()),
    };
    if let Some(mut prov) = store.provenance(&e.name, &e.descriptor.digest)? {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let changed = match (&signature, &blob_err) {
            (Ok(v), None) => {
                prov.verified = true;
                prov.verification = format!("{} (re-verified {now})", v.describe());
                prov.key_ids = v.key_ids.clone();
                prov.identity = Some(v.identity.clone());
                prov.signed_at = v.signed_at;
                prov.scheme = Some(v.scheme.to_string());
                true
            }
            // An image that was verified is demoted; one that never was keeps its original record
            // (e.g. "verification disabled by --insecure-options=image"), which says more.
            _ if prov.verified => {
                prov.verified = false;
                prov.verification = format!("re-verification failed {now}");
                prov.key_ids.clear();
                true
            }
            _ => false,
        };
        if changed {
            store.set_ref(&e.descriptor, &prov)?;
        }
    }
    Ok(report(
        signature,
        signature_secs,
        blob_err,
        blobs.len(),
        bytes,
        hash_secs,
    ))
}

fn report(
    signature: Result<crate::trust::verify::Verified, String>,
    signature_secs: f64,
    blob_err: Option<String>,
    blob_count: usize,
    bytes: u64,
    hash_secs: f64,
) -> VerifyReport {
    VerifyReport {
        signature: signature.map(|v| v.describe()),
        signature_secs,
        blobs: blob_err.map_or(Ok(()), Err),
        blob_count,
        bytes,
        hash_secs,
    }
}
