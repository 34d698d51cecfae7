//! `image import`: a root filesystem directory or a tarball becomes a single-layer OCI image.
//!
//! Deterministic by construction (same input → same digest): entries are written in byte order of
//! their names with numeric owners and no user/group names, hard links are detected by inode, the
//! layer's mtimes are the files' own, and the config's `created` is the newest mtime in the input
//! (or SOURCE_DATE_EPOCH) rather than the time of the import.

use crate::digest::Digest;
use crate::fetch::{self, FetchError, Resolved};
use crate::manifest::{self, Compression, Descriptor, Kind, OCI_CONFIG, OCI_MANIFEST};
use crate::platform::Platform;
use crate::reference::ImageName;
use crate::store::{Provenance, Store, StoreError};
use crate::unpack::{Limits, Skipped};
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
}

fn ioe(path: &Path, op: &'static str) -> impl FnOnce(io::Error) -> ImportError {
    let path = path.to_path_buf();
    move |source| ImportError::Io { path, op, source }
}

/// The runtime config given on the command line.
#[derive(Debug, Clone, Default)]
pub struct ImportConfig {
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub expose: Vec<String>,
    pub labels: BTreeMap<String, String>,
}

pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Hashes and counts what is written through it.
struct HashWriter<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W> HashWriter<W> {
    fn new(inner: W) -> Self {
        HashWriter {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }
    fn digest(&self) -> Digest {
        Digest::from_hex(&hex::encode(self.hasher.clone().finalize())).expect("valid hex")
    }
}

enum Encoder<W: Write> {
    Plain(W),
    Gzip(flate2::write::GzEncoder<W>),
    Zstd(zstd::stream::write::Encoder<'static, W>),
}

impl<W: Write> Encoder<W> {
    fn new(w: W, c: Compression) -> io::Result<Self> {
        Ok(match c {
            Compression::None => Encoder::Plain(w),
            // mtime 0 and no file name in the gzip header keep the output deterministic.
            Compression::Gzip => Encoder::Gzip(
                flate2::GzBuilder::new()
                    .mtime(0)
                    .write(w, flate2::Compression::default()),
            ),
            Compression::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(w, 3)?),
        })
    }
    fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Plain(w) => Ok(w),
            Encoder::Gzip(e) => e.finish(),
            Encoder::Zstd(e) => e.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Plain(w) => w.write(buf),
            Encoder::Gzip(e) => e.write(buf),
            Encoder::Zstd(e) => e.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.flush(),
            Encoder::Gzip(e) => e.flush(),
            Encoder::Zstd(e) => e.flush(),
        }
    }
}

/// Writes a directory tree as a tar stream, deterministically. Returns the newest mtime seen.
/// Device nodes and fifos are written only with `allow_devices`, sockets never (a tar has no
/// type for them); what is left out is counted in `skipped`.
fn write_tree<W: Write>(
    root: &Path,
    out: W,
    allow_devices: bool,
    skipped: &mut Skipped,
) -> Result<i64, ImportError> {
    let mut b = tar::Builder::new(out);
    b.follow_symlinks(false);
    let mut newest = 0i64;
    let mut links: HashMap<(u64, u64), PathBuf> = HashMap::new();
    let mut stack: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .map_err(ioe(&dir, "read directory"))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<Result<_, _>>()
            .map_err(ioe(&dir, "read directory"))?;
        names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        let mut subdirs = Vec::new();
        for n in names {
            let relp = rel.join(&n);
            let abs = root.join(&relp);
            let md = std::fs::symlink_metadata(&abs).map_err(ioe(&abs, "stat"))?;
            let ft = md.file_type();
            // Left-out entries still count here, as they always did: `created` is the newest
            // mtime of the input, not of what was kept.
            newest = newest.max(md.mtime());
            let node = ft.is_fifo() || ft.is_char_device() || ft.is_block_device();
            if ft.is_socket() || (node && !allow_devices) {
                // Pods get their own /dev, and a socket only means something to the process that
                // bound it: neither belongs in an image unless asked for.
                skipped.add(&relp.to_string_lossy());
                continue;
            }
            let mut h = tar::Header::new_ustar();
            h.set_mode(md.mode() & 0o7777);
            h.set_uid(md.uid() as u64);
            h.set_gid(md.gid() as u64);
            h.set_mtime(md.mtime().max(0) as u64);
            h.set_size(0);
            let xattrs = read_xattrs(&abs)?;
            if !xattrs.is_empty() {
                let recs: Vec<(String, Vec<u8>)> = xattrs
                    .into_iter()
                    .map(|(k, v)| (format!("SCHILY.xattr.{k}"), v))
                    .collect();
                b.append_pax_extensions(recs.iter().map(|(k, v)| (k.as_str(), v.as_slice())))
                    .map_err(ioe(&abs, "write tar"))?;
            }
            if ft.is_dir() {
                h.set_entry_type(tar::EntryType::Directory);
                b.append_data(&mut h, &relp, io::empty())
                    .map_err(ioe(&abs, "write tar"))?;
                subdirs.push(relp);
            } else if ft.is_symlink() {
                let target = std::fs::read_link(&abs).map_err(ioe(&abs, "readlink"))?;
                h.set_entry_type(tar::EntryType::Symlink);
                b.append_link(&mut h, &relp, &target)
                    .map_err(ioe(&abs, "write tar"))?;
            } else if ft.is_file() {
                if md.nlink() > 1 {
                    if let Some(first) = links.get(&(md.dev(), md.ino())) {
                        h.set_entry_type(tar::EntryType::Link);
                        b.append_link(&mut h, &relp, first)
                            .map_err(ioe(&abs, "write tar"))?;
                        continue;
                    }
                    links.insert((md.dev(), md.ino()), relp.clone());
                }
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(md.len());
                let f = File::open(&abs).map_err(ioe(&abs, "open"))?;
                // take() guards against a file growing while we read it: the header's size rules.
                b.append_data(&mut h, &relp, f.take(md.len()))
                    .map_err(ioe(&abs, "write tar"))?;
            } else if node {
                let t = if ft.is_fifo() {
                    tar::EntryType::Fifo
                } else if ft.is_char_device() {
                    tar::EntryType::Char
                } else {
                    tar::EntryType::Block
                };
                h.set_entry_type(t);
                if !ft.is_fifo() {
                    let dev = md.rdev();
                    let (major, minor) = (rustix::fs::major(dev), rustix::fs::minor(dev));
                    h.set_device_major(major).map_err(ioe(&abs, "write tar"))?;
                    h.set_device_minor(minor).map_err(ioe(&abs, "write tar"))?;
                }
                b.append_data(&mut h, &relp, io::empty())
                    .map_err(ioe(&abs, "write tar"))?;
            }
        }
        // Depth-first in name order: push in reverse so the smallest name is visited first.
        stack.extend(subdirs.into_iter().rev());
    }
    b.into_inner().map_err(ioe(root, "finish tar"))?;
    Ok(newest)
}

fn read_xattrs(p: &Path) -> Result<Vec<(String, Vec<u8>)>, ImportError> {
    let mut names = vec![0u8; 4096];
    let n = match rustix::fs::llistxattr(p, &mut names) {
        Ok(n) => n,
        Err(rustix::io::Errno::NOTSUP) => return Ok(vec![]),
        Err(e) => return Err(ioe(p, "list xattrs")(e.into())),
    };
    let mut out = Vec::new();
    for name in names[..n].split(|b| *b == 0).filter(|s| !s.is_empty()) {
        let name = String::from_utf8_lossy(name).to_string();
        if name == "security.selinux" || name.starts_with("trusted.overlay.") {
            continue;
        }
        let mut val = vec![0u8; 65536];
        let len = rustix::fs::lgetxattr(p, name.as_str(), &mut val)
            .map_err(|e| ioe(p, "read xattr")(e.into()))?;
        val.truncate(len);
        out.push((name, val));
    }
    out.sort();
    Ok(out)
}

/// Builds the config document. Field order is fixed by serde_json's map ordering (sorted keys).
fn config_json(
    cfg: &ImportConfig,
    diff_id: &Digest,
    created: &str,
    platform: &Platform,
) -> Vec<u8> {
    let mut env = cfg.env.clone();
    if !env.iter().any(|e| e.starts_with("PATH=")) {
        env.insert(0, DEFAULT_PATH.to_string());
    }
    let mut c = serde_json::Map::new();
    c.insert("Env".into(), serde_json::json!(env));
    if let Some(e) = &cfg.entrypoint {
        c.insert("Entrypoint".into(), serde_json::json!(e));
    }
    if let Some(e) = &cfg.cmd {
        c.insert("Cmd".into(), serde_json::json!(e));
    }
    if let Some(w) = &cfg.workdir {
        c.insert("WorkingDir".into(), serde_json::json!(w));
    }
    if let Some(u) = &cfg.user {
        c.insert("User".into(), serde_json::json!(u));
    }
    if !cfg.expose.is_empty() {
        let ports: serde_json::Map<String, serde_json::Value> = cfg
            .expose
            .iter()
            .map(|p| (p.clone(), serde_json::json!({})))
            .collect();
        c.insert("ExposedPorts".into(), serde_json::Value::Object(ports));
    }
    if !cfg.labels.is_empty() {
        c.insert("Labels".into(), serde_json::json!(cfg.labels));
    }
    let mut doc = serde_json::json!({
        "created": created,
        "architecture": platform.architecture,
        "os": platform.os,
        "config": c,
        "rootfs": {"type": "layers", "diff_ids": [diff_id.to_string()]},
        "history": [{"created": created, "created_by": "liftoff image import"}],
    });
    if let Some(v) = &platform.variant {
        doc["variant"] = serde_json::json!(v);
    }
    serde_json::to_vec(&doc).expect("serialisable")
}

/// Normalises `--expose` values to docker's `PORT/proto` form.
pub fn normalize_port(p: &str) -> Result<String, ImportError> {
    let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
    let ok_port = port.parse::<u16>().is_ok_and(|n| n > 0);
    if !ok_port || !matches!(proto, "tcp" | "udp" | "sctp") {
        return Err(ImportError::Invalid(format!(
            "--expose {p:?}: expected PORT[/tcp|udp|sctp] with PORT in 1-65535"
        )));
    }
    Ok(format!("{port}/{proto}"))
}

pub struct ImportResult {
    pub digest: Digest,
    pub provenance: Provenance,
}

/// Imports `input` (a directory, or a tar/tar.gz/tar.zst file) as `name`.
pub fn import(
    store: &Store,
    input: &Path,
    name: &ImageName,
    cfg: &ImportConfig,
    compression: Compression,
    limits: &Limits,
) -> Result<ImportResult, ImportError> {
    if name.digest.is_some() || name.tag.is_none() {
        return Err(ImportError::Invalid(format!(
            "image name {name} must have a tag and no digest"
        )));
    }
    let md = std::fs::metadata(input).map_err(ioe(input, "stat"))?;
    let _use = store.lock_use()?;
    let staging = store.staging("import")?;
    let blob_tmp = staging.path().join("blob");
    let file = File::create(&blob_tmp).map_err(ioe(&blob_tmp, "create"))?;
    let outer = HashWriter::new(BufWriter::with_capacity(1 << 20, file));
    let enc = Encoder::new(outer, compression).map_err(ioe(&blob_tmp, "compress"))?;
    let mut inner = HashWriter::new(enc);
    let mut skipped = Skipped::default();
    let newest = if md.is_dir() {
        write_tree(input, &mut inner, limits.allow_devices, &mut skipped)?
    } else {
        // A tarball's stream is stored as it is (its digest is the tarball's); what it holds is
        // left out when it is unpacked below, as for a fetched layer.
        copy_tarball(input, &mut inner)?
    };
    if !skipped.is_empty() {
        fetch::warn_notes(&[skipped_note(input, &skipped, limits.allow_devices)]);
    }
    let diff_id = inner.digest();
    let outer = inner.inner.finish().map_err(ioe(&blob_tmp, "compress"))?;
    let blob_digest = outer.digest();
    let blob_size = outer.count;
    let file = outer
        .inner
        .into_inner()
        .map_err(|e| ioe(&blob_tmp, "write")(e.into_error()))?;
    file.sync_all().map_err(ioe(&blob_tmp, "fsync"))?;
    drop(file);
    if !store.has_blob(&blob_digest) {
        store.commit_blob(&blob_tmp, &blob_digest)?;
    }

    let created_secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(newest);
    let created = chrono::DateTime::from_timestamp(created_secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let platform = Platform::host();
    let config_bytes = config_json(cfg, &diff_id, &created, &platform);
    let config_digest = Digest::of(&config_bytes);
    let layer = Descriptor {
        media_type: compression.oci_media_type().to_string(),
        digest: blob_digest.clone(),
        size: blob_size,
        platform: None,
        annotations: Default::default(),
    };
    let manifest_bytes = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config_digest.to_string(), "size": config_bytes.len()},
        "layers": [{"mediaType": layer.media_type, "digest": blob_digest.to_string(), "size": blob_size}],
    }))
    .expect("serialisable");
    let manifest_digest = Digest::of(&manifest_bytes);
    let source = format!(
        "import:{}",
        std::fs::canonicalize(input)
            .unwrap_or(input.to_path_buf())
            .display()
    );

    // Unpack from the stored blob through the same verified path a fetch uses.
    let ingested = fetch::ingest_layers(
        store,
        None,
        &source,
        &[(layer, compression)],
        std::slice::from_ref(&diff_id),
        limits,
        1,
    )?;
    fetch::warn_notes(&ingested.notes);
    store.put_blob_bytes(&config_digest, &config_bytes)?;
    store.put_blob_bytes(&manifest_digest, &manifest_bytes)?;
    let parsed = manifest::parse_manifest(&manifest_bytes, "imported manifest")
        .map_err(|e| ImportError::Invalid(e.to_string()))?;
    let (config, diff_ids) = manifest::parse_config(&config_bytes, "imported config")
        .map_err(|e| ImportError::Invalid(e.to_string()))?;
    let resolved = Resolved {
        top_kind: Kind::Manifest,
        manifest_bytes: manifest_bytes.clone(),
        manifest_digest: manifest_digest.clone(),
        manifest: parsed,
        config_bytes,
        config,
        diff_ids,
        platform,
    };
    let prov = fetch::record(
        store,
        name,
        &source,
        &manifest_digest,
        manifest_bytes.len(),
        &resolved,
        &fetch::VerifyRecord::unverified(
            "no signature: imported locally; sign it to run it as trusted",
        ),
    )?;
    Ok(ImportResult {
        digest: manifest_digest,
        provenance: prov,
    })
}

/// The warning about what [`write_tree`] left out of directory `src`: sockets only when device
/// nodes and fifos were allowed.
fn skipped_note(src: &Path, skipped: &Skipped, allow_devices: bool) -> String {
    let src = src.display();
    if allow_devices {
        let what = skipped.summary("socket", "sockets");
        return format!("{src}: skipped {what}; a tar layer cannot hold sockets");
    }
    let what = skipped.summary(
        "device node, fifo or socket",
        "device nodes, fifos and sockets",
    );
    format!(
        "{src}: skipped {what}; pods get their own /dev and never use them; \
         --allow-devices keeps device nodes and fifos"
    )
}

/// Copies a tarball's tar stream (decompressing gzip/zstd input) unchanged. Returns 0 as "newest":
/// the file's own mtime would make the digest depend on where the tarball was copied, so `created`
/// comes from SOURCE_DATE_EPOCH or is the epoch.
fn copy_tarball<W: Write>(input: &Path, out: &mut W) -> Result<i64, ImportError> {
    let mut f = File::open(input).map_err(ioe(input, "open"))?;
    let mut head = [0u8; 4];
    let n = f.read(&mut head).map_err(ioe(input, "read"))?;
    drop(f);
    let f = File::open(input).map_err(ioe(input, "open"))?;
    let mut r: Box<dyn Read> = match Compression::sniff(&head[..n]) {
        Compression::None => Box::new(f),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(f)),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::new(f).map_err(ioe(input, "decompress"))?)
        }
    };
    io::copy(&mut r, out).map_err(ioe(input, "read tarball"))?;
    Ok(0)
}
