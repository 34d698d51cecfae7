//! `image import`: a root filesystem directory or a tarball becomes a single-layer OCI image.
//!
//! Deterministic by construction (same input → same digest): entries are written in byte order of
//! their names with numeric owners and no user/group names, hard links are detected by inode, the
//! layer's mtimes are the files' own, and the config's `created` is the newest mtime in the input
//! (or SOURCE_DATE_EPOCH) rather than the time of the import.

use crate::digest::Digest;
use crate::fetch::{self, FetchError, Resolved};
use crate::image_manifest::{
    self, Compression, Descriptor, History, ImageConfig, Kind, RawDescriptor, RootFs, RunConfig,
    OCI_CONFIG,
};
use crate::platform::Platform;
use crate::reference::ImageName;
use crate::store::{Provenance, Store, StoreError};
use crate::unpack::{walk, Skipped, UnpackLimits};
use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags};
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::ffi::CString;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
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

/// A directory waiting for its turn in [`write_tree`]: its components from the top, its path
/// relative to the top, and the (dev, ino) it had when it was seen.
type Pending = (walk::Comps, PathBuf, (u64, u64));

/// How the walk opens directories: never through a symlink.
fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// The entry at `path` is no longer the one that was looked at (`what`: "directory" or "file").
fn changed_while_read(path: &Path, what: &str) -> ImportError {
    ImportError::Invalid(format!(
        "{}: changed while it was being read (swapped for another {what} or a symlink); import a tree nobody else is changing",
        path.display()
    ))
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
    // The tree is walked by handle: each entry is looked at with fstatat(NOFOLLOW) relative to its
    // directory's handle and opened with O_NOFOLLOW, and what is written is what the opened handle
    // says, so a user who owns the source and swaps a directory for a symlink mid-walk gets an
    // error, never the files behind the symlink.
    // The top itself is not followed through a symlink either.
    let top = rfs::open(root, dir_flags(), Mode::empty()).map_err(|e| match e {
        rustix::io::Errno::LOOP => ImportError::Invalid(format!(
            "{} is a symbolic link; import the directory it points to by its own path",
            root.display()
        )),
        e => ioe(root, "open")(e.into()),
    })?;
    let top_st = rfs::fstat(&top).map_err(|e| ioe(root, "stat")(e.into()))?;
    let tree = walk::Root::from_fd(top);
    let mut b = tar::Builder::new(out);
    b.follow_symlinks(false);
    let mut w = TreeWriter {
        root,
        b,
        allow_devices,
        skipped,
        newest: 0,
        links: HashMap::new(),
    };
    // Pending directories are kept as names plus identity, not open handles, so a tree with
    // thousands of subdirectories does not run out of file descriptors; each is reopened from the
    // top without following symlinks when its turn comes, and must still be the one seen.
    let mut stack: Vec<Pending> =
        vec![(Vec::new(), PathBuf::new(), (top_st.st_dev, top_st.st_ino))];
    while let Some((comps, rel, id)) = stack.pop() {
        let shown_dir = root.join(&rel);
        let dir = tree.open_dir(&comps, false).map_err(|e| match e {
            walk::WalkError::Io(e) => ioe(&shown_dir, "open")(e),
            _ => changed_while_read(&shown_dir, "directory"),
        })?;
        let dst = rfs::fstat(&dir).map_err(|e| ioe(&shown_dir, "stat")(e.into()))?;
        if (dst.st_dev, dst.st_ino) != id {
            return Err(changed_while_read(&shown_dir, "directory"));
        }
        let names = walk::list_dir(dir.as_fd()).map_err(ioe(&shown_dir, "read directory"))?;
        let mut subdirs = Vec::new();
        for n in names {
            subdirs.extend(w.entry(&dir, &comps, &rel, &n)?);
        }
        // Depth-first in name order: push in reverse so the smallest name is visited first.
        stack.extend(subdirs.into_iter().rev());
    }
    w.b.into_inner().map_err(ioe(root, "finish tar"))?;
    Ok(w.newest)
}

/// The state of one [`write_tree`].
struct TreeWriter<'a, W: Write> {
    root: &'a Path,
    b: tar::Builder<W>,
    allow_devices: bool,
    skipped: &'a mut Skipped,
    newest: i64,
    /// The first path written for each (dev, ino) with more than one link.
    links: HashMap<(u64, u64), PathBuf>,
}

impl<W: Write> TreeWriter<'_, W> {
    /// Writes entry `n` of `dir` (at `rel` below the top), or leaves it out; a directory comes
    /// back to be walked later.
    fn entry(
        &mut self,
        dir: &OwnedFd,
        comps: &walk::Comps,
        rel: &Path,
        n: &CString,
    ) -> Result<Option<Pending>, ImportError> {
        let relp = rel.join(std::ffi::OsStr::from_bytes(n.to_bytes()));
        let abs = self.root.join(&relp);
        let st = rfs::statat(dir, n.as_c_str(), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| ioe(&abs, "stat")(e.into()))?;
        let ft = FileType::from_raw_mode(st.st_mode);
        // Left-out entries still count here, as they always did: `created` is the newest
        // mtime of the input, not of what was kept.
        self.newest = self.newest.max(st.st_mtime);
        let node = matches!(
            ft,
            FileType::Fifo | FileType::CharacterDevice | FileType::BlockDevice
        );
        if ft == FileType::Socket || (node && !self.allow_devices) {
            // Pods get their own /dev, and a socket only means something to the process that
            // bound it: neither belongs in an image unless asked for.
            self.skipped.add(&relp.to_string_lossy());
            return Ok(None);
        }
        let opened = open_entry(dir, n, ft, &st, &abs)?;
        let st = opened.as_ref().map(|(_, s)| *s).unwrap_or(st);
        let mut h = tar::Header::new_ustar();
        h.set_mode(st.st_mode & 0o7777);
        h.set_uid(st.st_uid as u64);
        h.set_gid(st.st_gid as u64);
        h.set_mtime(st.st_mtime.max(0) as u64);
        h.set_size(0);
        let xnode = match &opened {
            Some((fd, _)) => walk::Node::Fd(fd.as_fd()),
            None => walk::Node::At {
                dir: dir.as_fd(),
                name: n.as_c_str(),
                symlink: ft == FileType::Symlink,
            },
        };
        self.xattrs(xnode, &abs)?;
        let tar_err = ioe(&abs, "write tar");
        match (ft, opened) {
            (FileType::Directory, Some((fd, _))) => {
                h.set_entry_type(tar::EntryType::Directory);
                self.b
                    .append_data(&mut h, &relp, io::empty())
                    .map_err(tar_err)?;
                let mut c = comps.clone();
                c.push(n.clone());
                let st = rfs::fstat(&fd).map_err(|e| ioe(&abs, "stat")(e.into()))?;
                return Ok(Some((c, relp, (st.st_dev, st.st_ino))));
            }
            (FileType::RegularFile, Some((fd, st))) => self.file(&mut h, &relp, fd, &st),
            (FileType::Symlink, _) => {
                let target = rfs::readlinkat(dir, n.as_c_str(), Vec::new())
                    .map_err(|e| ioe(&abs, "readlink")(e.into()))?;
                h.set_entry_type(tar::EntryType::Symlink);
                let target = Path::new(std::ffi::OsStr::from_bytes(target.as_bytes()));
                self.b.append_link(&mut h, &relp, target)
            }
            (_, _) if node => self.device_or_fifo(&mut h, &relp, ft, &st),
            _ => Ok(()),
        }
        .map_err(ioe(&abs, "write tar"))?;
        Ok(None)
    }

    /// The entry's xattrs as PAX records ahead of its header.
    fn xattrs(&mut self, node: walk::Node<'_>, abs: &Path) -> Result<(), ImportError> {
        let xattrs = read_xattrs(node, abs)?;
        if xattrs.is_empty() {
            return Ok(());
        }
        let recs: Vec<(String, Vec<u8>)> = xattrs
            .into_iter()
            .map(|(k, v)| (format!("SCHILY.xattr.{k}"), v))
            .collect();
        self.b
            .append_pax_extensions(recs.iter().map(|(k, v)| (k.as_str(), v.as_slice())))
            .map_err(ioe(abs, "write tar"))
    }

    /// A regular file, or a hard link to the first path written for its inode.
    fn file(
        &mut self,
        h: &mut tar::Header,
        relp: &Path,
        fd: OwnedFd,
        st: &rfs::Stat,
    ) -> io::Result<()> {
        if st.st_nlink > 1 {
            if let Some(first) = self.links.get(&(st.st_dev, st.st_ino)) {
                h.set_entry_type(tar::EntryType::Link);
                return self.b.append_link(h, relp, first);
            }
            self.links
                .insert((st.st_dev, st.st_ino), relp.to_path_buf());
        }
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(st.st_size as u64);
        // take() guards against a file growing while we read it: the header's size
        // rules (a file that shrinks makes the tar writer fail, naming it).
        self.b
            .append_data(h, relp, File::from(fd).take(st.st_size as u64))
    }

    /// A fifo, or a character or block device with its numbers.
    fn device_or_fifo(
        &mut self,
        h: &mut tar::Header,
        relp: &Path,
        ft: FileType,
        st: &rfs::Stat,
    ) -> io::Result<()> {
        let t = match ft {
            FileType::Fifo => tar::EntryType::Fifo,
            FileType::CharacterDevice => tar::EntryType::Char,
            _ => tar::EntryType::Block,
        };
        h.set_entry_type(t);
        if ft != FileType::Fifo {
            h.set_device_major(rfs::major(st.st_rdev))?;
            h.set_device_minor(rfs::minor(st.st_rdev))?;
        }
        self.b.append_data(h, relp, io::empty())
    }
}

/// Opens a directory or regular file found by `statat`, and checks the handle is that very entry;
/// other types are not opened (None).
fn open_entry(
    dir: &OwnedFd,
    n: &CString,
    ft: FileType,
    st: &rfs::Stat,
    abs: &Path,
) -> Result<Option<(OwnedFd, rfs::Stat)>, ImportError> {
    let flags = match ft {
        FileType::Directory => dir_flags(),
        // NONBLOCK: a file swapped for a fifo must not hang the import.
        FileType::RegularFile => {
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NOCTTY | OFlags::NONBLOCK
        }
        _ => return Ok(None),
    };
    let changed = || changed_while_read(abs, "file");
    let fd = rfs::openat(dir, n.as_c_str(), flags, Mode::empty()).map_err(|e| match e {
        rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => changed(),
        e => ioe(abs, "open")(e.into()),
    })?;
    let now = rfs::fstat(&fd).map_err(|e| ioe(abs, "stat")(e.into()))?;
    if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino) {
        return Err(changed());
    }
    Ok(Some((fd, now)))
}

/// The xattrs of one entry (through its handle, or its directory's handle for a symlink), without
/// SELinux labels and overlayfs control attributes, which belong to the host.
fn read_xattrs(
    node: crate::unpack::walk::Node<'_>,
    p: &Path,
) -> Result<Vec<(String, Vec<u8>)>, ImportError> {
    use crate::unpack::walk;
    let mut out = Vec::new();
    for key in walk::list_xattrs(node).map_err(ioe(p, "list xattrs"))? {
        let name = String::from_utf8_lossy(key.to_bytes()).to_string();
        if name == "security.selinux" || name.starts_with("trusted.overlay.") {
            continue;
        }
        if let Some(v) = walk::get_xattr(node, &key).map_err(ioe(p, "read xattr"))? {
            out.push((name, v));
        }
    }
    out.sort();
    Ok(out)
}

/// Builds the config document (`image_manifest::ImageConfig`, fields in sorted-key order).
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
    let config = RunConfig {
        cmd: cfg.cmd.clone(),
        entrypoint: cfg.entrypoint.clone(),
        env: Some(env),
        exposed_ports: (!cfg.expose.is_empty()).then(|| {
            cfg.expose
                .iter()
                .map(|p| (p.clone(), serde_json::Value::Object(Default::default())))
                .collect()
        }),
        labels: (!cfg.labels.is_empty()).then(|| {
            cfg.labels
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect()
        }),
        user: cfg.user.clone(),
        working_dir: cfg.workdir.clone(),
    };
    ImageConfig {
        architecture: Some(platform.architecture.clone()),
        config: Some(config),
        created: Some(created.to_string()),
        history: vec![History {
            created: created.to_string(),
            created_by: Some("liftoff image import".into()),
        }],
        os: Some(platform.os.clone()),
        rootfs: RootFs {
            diff_ids: vec![diff_id.to_string()],
            kind: "layers".into(),
        },
        variant: platform.variant.clone(),
    }
    .to_bytes()
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
    limits: &UnpackLimits,
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
    let manifest_bytes = image_manifest::manifest_bytes(
        RawDescriptor::new(OCI_CONFIG, &config_digest, config_bytes.len() as u64),
        vec![RawDescriptor::new(
            &layer.media_type,
            &blob_digest,
            blob_size,
        )],
    );
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
    let parsed = image_manifest::parse_manifest(&manifest_bytes, "imported manifest")
        .map_err(|e| ImportError::Invalid(e.to_string()))?;
    let (config, diff_ids) = image_manifest::parse_config(&config_bytes, "imported config")
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

#[cfg(test)]
mod config_bytes_tests {
    use super::*;

    /// The typed config has the bytes the `json!` document it replaced had (so imported images keep
    /// their digests).
    #[test]
    fn the_config_document_keeps_its_bytes() {
        let cfg = ImportConfig {
            entrypoint: Some(vec!["/app".into()]),
            cmd: Some(vec!["-v".into()]),
            env: vec!["A=1".into()],
            workdir: Some("/w".into()),
            user: Some("1000".into()),
            expose: vec!["80/tcp".into()],
            labels: [("k".to_string(), "v".to_string())].into(),
        };
        let d = Digest::of(b"layer");
        let p = Platform {
            os: "linux".into(),
            architecture: "arm".into(),
            variant: Some("v7".into()),
        };
        let typed = config_json(&cfg, &d, "2024-01-01T00:00:00Z", &p);
        let literal = serde_json::to_vec(&serde_json::json!({
            "created": "2024-01-01T00:00:00Z",
            "architecture": "arm",
            "os": "linux",
            "variant": "v7",
            "config": {"Env": [DEFAULT_PATH, "A=1"], "Entrypoint": ["/app"], "Cmd": ["-v"],
                       "WorkingDir": "/w", "User": "1000", "ExposedPorts": {"80/tcp": {}},
                       "Labels": {"k": "v"}},
            "rootfs": {"type": "layers", "diff_ids": [d.to_string()]},
            "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "liftoff image import"}],
        }))
        .unwrap();
        assert_eq!(
            String::from_utf8(typed).unwrap(),
            String::from_utf8(literal).unwrap()
        );
    }
}
