//! `image export`: a stored image and its signatures as an OCI image layout (`oci:DIR[:REF]`) or
//! an OCI archive, a plain tar of such a layout (`oci-archive:FILE[:REF]`).
//!
//! The result has the shape `liftoff fetch oci:…`, `image sign oci:…`, skopeo and umoci read: the
//! blobs under `blobs/sha256/`, the top manifest in index.json under the ref name REF, and the
//! cosign signature manifest under the ref name `sha256-<hex>.sig` beside it (its blobs written by
//! `transport::layout_sign`, the one writer of signature manifests into layouts).
//!
//! Nothing is half-written. Into a directory, every blob goes to a temp file in the layout, is
//! checked against its digest while it is copied and renamed into place; index.json is replaced
//! last, in one atomic write, so a failure leaves the layout's index as it was (blobs already
//! renamed in are complete, and unreferenced). A layout this export created is removed again on
//! failure. An archive is built in a temp file next to FILE and renamed over it only when whole.

use super::{Blob, StoredImage};
use crate::cosign::{self, RawSignature};
use crate::digest::{Digest, HashingReader};
use crate::image_manifest::RawDescriptor;
use crate::transport::layout_sign::{self, LayoutSignError, OCI_LAYOUT_FILE};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Layout(#[from] LayoutSignError),
    #[error("{path}: {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{path} {reason}; export into a new directory, an empty one, or an existing OCI image layout")]
    NotALayout { path: PathBuf, reason: String },
    #[error("{path} already exists; pass --force to replace it (an archive is written whole, never added to), or choose another file")]
    Exists { path: PathBuf },
    #[error("ref name {reference:?} {reason}")]
    BadRef { reference: String, reason: String },
    #[error("store blob {digest} ({what}) now hashes to {actual} ({size} bytes): the store was modified; nothing was exported from it. Check the image with `liftoff image verify`, then remove it and fetch it again")]
    Corrupt {
        digest: Digest,
        what: String,
        actual: Digest,
        size: u64,
    },
}

impl From<liftoff_common::atomic::WriteError> for ExportError {
    fn from(e: liftoff_common::atomic::WriteError) -> ExportError {
        ExportError::Io {
            path: e.path,
            op: e.op,
            source: e.source,
        }
    }
}

fn io_err(path: &Path, op: &'static str) -> impl FnOnce(io::Error) -> ExportError {
    let path = path.to_path_buf();
    move |source| ExportError::Io { path, op, source }
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct ExportReport {
    pub digest: Digest,
    /// Signatures the destination holds for the digest now (the store's, merged with a layout's).
    pub signatures: usize,
    /// Blobs written, and blobs a layout already had.
    pub written: usize,
    pub present: usize,
}

/// Refuses ref names a layout reader would misread: empty, a signature tag, or outside the OCI
/// `org.opencontainers.image.ref.name` grammar (alphanumerics joined by `-._:@/+`).
pub fn check_ref(reference: &str) -> Result<(), ExportError> {
    let bad = |reason: &str| ExportError::BadRef {
        reference: reference.to_string(),
        reason: reason.to_string(),
    };
    if cosign::is_signature_ref(reference) {
        return Err(bad(
            "is the name of a signature manifest; choose another REF",
        ));
    }
    let b = reference.as_bytes();
    let edge = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge(b.first())
        || !edge(b.last())
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-._:@/+".contains(c))
    {
        return Err(bad(
            "must be letters and digits joined by - . _ : @ / +, as in 1.4 or example.com/app:1.4",
        ));
    }
    Ok(())
}

/// Copies store blob `b` into `dest` (the temp file of `dest_path`, renamed by the caller), checking
/// it against its digest and size on the way, so a changed store blob never reaches a destination.
fn copy_checked(b: &Blob, dest: &mut impl Write, dest_path: &Path) -> Result<(), ExportError> {
    let f = File::open(&b.path).map_err(io_err(&b.path, "open blob"))?;
    let mut r = HashingReader::new(f.take(b.size.saturating_add(1)));
    io::copy(&mut r, dest).map_err(io_err(dest_path, "write"))?;
    check_read(b, r)
}

/// The verdict on what was read from `b`'s file through `r`.
fn check_read<R: Read>(b: &Blob, r: HashingReader<R>) -> Result<(), ExportError> {
    let (actual, size) = r.finish().map_err(io_err(&b.path, "read blob"))?;
    if actual != b.digest || size != b.size {
        return Err(ExportError::Corrupt {
            digest: b.digest.clone(),
            what: b.what.clone(),
            actual,
            size,
        });
    }
    Ok(())
}

/// The index entries an export lists: the top manifest under `reference`, and (when given) the
/// signature manifest.
fn top_entry(img: &StoredImage, reference: &str) -> layout_sign::IndexRef {
    (
        reference.to_string(),
        RawDescriptor::new(
            &img.top.media_type,
            &img.top.digest,
            img.top.bytes.len() as u64,
        ),
    )
}

/// What the directory holds before the export, and so what a failure must undo.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Before {
    /// Nothing: the export creates the directory (and removes it on failure).
    Absent,
    /// An empty directory (emptied again on failure).
    Empty,
    /// An OCI image layout, added to.
    Layout,
}

fn inspect_dir(dir: &Path) -> Result<Before, ExportError> {
    let not = |reason: &str| ExportError::NotALayout {
        path: dir.to_path_buf(),
        reason: reason.to_string(),
    };
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Before::Absent),
        Err(e) => return Err(io_err(dir, "stat")(e)),
        Ok(m) if m.is_dir() => {}
        Ok(m) if m.file_type().is_symlink() && dir.is_dir() => {}
        Ok(_) => return Err(not("exists and is not a directory")),
    }
    if dir.join("oci-layout").is_file() {
        return Ok(Before::Layout);
    }
    let mut rd = std::fs::read_dir(dir).map_err(io_err(dir, "read directory"))?;
    if rd.next().is_none() {
        return Ok(Before::Empty);
    }
    Err(not(
        "is not empty and has no oci-layout file, so it is not an OCI image layout",
    ))
}

/// Exports `img` into the OCI layout at `dir` under `reference`; see the module documentation.
pub fn export_dir(
    img: &StoredImage,
    dir: &Path,
    reference: &str,
) -> Result<ExportReport, ExportError> {
    check_ref(reference)?;
    let before = inspect_dir(dir)?;
    if before == Before::Absent {
        std::fs::create_dir_all(dir).map_err(io_err(dir, "create directory"))?;
    }
    let result = write_layout(img, dir, reference, before);
    if result.is_err() {
        undo(dir, before);
    }
    result
}

/// Takes a failed export's traces out of a directory that held no layout before it.
fn undo(dir: &Path, before: Before) {
    match before {
        Before::Layout => {}
        Before::Absent => {
            let _ = std::fs::remove_dir_all(dir);
        }
        Before::Empty => {
            for name in ["index.json", "oci-layout"] {
                let _ = std::fs::remove_file(dir.join(name));
            }
            let _ = std::fs::remove_dir_all(dir.join("blobs"));
        }
    }
}

fn write_layout(
    img: &StoredImage,
    dir: &Path,
    reference: &str,
    before: Before,
) -> Result<ExportReport, ExportError> {
    let _lock = layout_sign::lock(dir)?;
    // An existing layout is read (and so checked: oci-layout version, index.json) before anything
    // is written into it; its signatures for this digest are kept and merged with the store's.
    let mut all: Vec<RawSignature> = match before {
        Before::Layout => layout_sign::signatures(dir, &img.top.digest)?,
        Before::Absent | Before::Empty => Vec::new(),
    };
    let added = cosign::merge(&mut all, &img.signatures);
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).map_err(io_err(&blobs, "create directory"))?;
    let (mut written, mut present) = (0, 0);
    for b in &img.blobs {
        let dest = blobs.join(b.digest.hex());
        if std::fs::metadata(&dest).is_ok_and(|m| m.is_file() && m.len() == b.size) {
            present += 1;
            continue;
        }
        // Messages name the blob's own path: the temp file is gone by the time they are read.
        liftoff_common::atomic::write_from(&dest, 0o644, |f, _| copy_checked(b, f, &dest))?;
        written += 1;
    }
    // Manifests after the blobs they name: the top one last.
    for m in img.children.iter().chain(std::iter::once(&img.top)) {
        layout_sign::write_blob(dir, &m.bytes)?;
    }
    let mut refs = vec![top_entry(img, reference)];
    if added > 0 {
        refs.push(layout_sign::write_signature_manifest(
            dir,
            &img.top.digest,
            &all,
        )?);
    }
    if before != Before::Layout {
        liftoff_common::atomic::write(&dir.join("oci-layout"), OCI_LAYOUT_FILE)?;
    }
    layout_sign::set_refs(dir, &refs)?;
    Ok(ExportReport {
        digest: img.top.digest.clone(),
        signatures: all.len(),
        written,
        present,
    })
}

/// Exports `img` as an OCI archive `file` under `reference`: refused when `file` exists, unless
/// `force` (then it is replaced whole; an archive is never added to).
pub fn export_archive(
    img: &StoredImage,
    file: &Path,
    reference: &str,
    force: bool,
) -> Result<ExportReport, ExportError> {
    check_ref(reference)?;
    match std::fs::symlink_metadata(file) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(file, "stat")(e)),
        Ok(m) if m.is_dir() => {
            return Err(ExportError::NotALayout {
                path: file.to_path_buf(),
                reason: "is a directory, not an archive file (export a layout with oci:DIR)".into(),
            })
        }
        Ok(_) if !force => {
            return Err(ExportError::Exists {
                path: file.to_path_buf(),
            })
        }
        Ok(_) => {}
    }
    let mut refs = vec![top_entry(img, reference)];
    let mut sig_blobs = Vec::new();
    if !img.signatures.is_empty() {
        let m = layout_sign::signature_manifest(&img.top.digest, &img.signatures)?;
        sig_blobs = m.blobs;
        refs.push(m.entry);
    }
    let index = layout_sign::index_with_refs(None, &refs, Path::new("index.json"))?;
    liftoff_common::atomic::write_from(file, 0o644, |f, _| {
        let mut t = Tar {
            b: tar::Builder::new(io::BufWriter::new(f)),
            path: file,
        };
        t.dir("blobs/")?;
        t.dir("blobs/sha256/")?;
        t.bytes("oci-layout", OCI_LAYOUT_FILE)?;
        for b in &img.blobs {
            t.stored(b)?;
        }
        let manifests = img.children.iter().chain(std::iter::once(&img.top));
        for bytes in sig_blobs.iter().chain(manifests.map(|m| &m.bytes)) {
            t.bytes(&format!("blobs/sha256/{}", Digest::of(bytes).hex()), bytes)?;
        }
        t.bytes("index.json", &index)?;
        let w = t.b.into_inner().map_err(io_err(file, "write archive"))?;
        w.into_inner()
            .map_err(|e| io_err(file, "write archive")(e.into_error()))?;
        Ok::<(), ExportError>(())
    })?;
    Ok(ExportReport {
        digest: img.top.digest.clone(),
        signatures: img.signatures.len(),
        written: img.blobs.len(),
        present: 0,
    })
}

/// An OCI archive being written: members with fixed owner, mode and time, so the same image gives
/// the same archive.
struct Tar<'a, W: Write> {
    b: tar::Builder<W>,
    path: &'a Path,
}

impl<W: Write> Tar<'_, W> {
    fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(size);
        h
    }

    fn dir(&mut self, name: &str) -> Result<(), ExportError> {
        let mut h = Self::header(tar::EntryType::Directory, 0o755, 0);
        self.b
            .append_data(&mut h, name, io::empty())
            .map_err(io_err(self.path, "write archive"))
    }

    fn bytes(&mut self, name: &str, bytes: &[u8]) -> Result<(), ExportError> {
        let mut h = Self::header(tar::EntryType::Regular, 0o644, bytes.len() as u64);
        self.b
            .append_data(&mut h, name, bytes)
            .map_err(io_err(self.path, "write archive"))
    }

    /// A store blob, streamed from its file and checked on the way (a mismatch fails the whole
    /// archive, which is then never renamed into place).
    fn stored(&mut self, b: &Blob) -> Result<(), ExportError> {
        let f = File::open(&b.path).map_err(io_err(&b.path, "open blob"))?;
        let mut r = HashingReader::new(f.take(b.size));
        let mut h = Self::header(tar::EntryType::Regular, 0o644, b.size);
        self.b
            .append_data(&mut h, format!("blobs/sha256/{}", b.digest.hex()), &mut r)
            .map_err(io_err(self.path, "write archive"))?;
        check_read(b, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_manifest::{manifest_bytes, OCI_CONFIG, OCI_LAYER_TAR};
    use crate::publish::Document;
    use crate::reference::ImageName;
    use crate::transport::{self, SourceRef};

    /// A stored image made by hand: its config and layer are files in `dir` (as store blobs are).
    fn image(dir: &Path, signatures: Vec<RawSignature>) -> StoredImage {
        let blob = |what: &str, bytes: &[u8]| {
            let d = Digest::of(bytes);
            let path = dir.join(d.hex());
            std::fs::write(&path, bytes).unwrap();
            Blob {
                digest: d,
                size: bytes.len() as u64,
                what: what.into(),
                path,
            }
        };
        let config = blob("config", br#"{"rootfs":{"type":"layers","diff_ids":[]}}"#);
        let layer = blob("layer 1", &[7u8; 3000]);
        let top = manifest_bytes(
            RawDescriptor::new(OCI_CONFIG, &config.digest, config.size),
            vec![RawDescriptor::new(OCI_LAYER_TAR, &layer.digest, layer.size)],
        );
        StoredImage {
            name: ImageName::parse("example.com/app:1").unwrap(),
            top: Document {
                digest: Digest::of(&top),
                media_type: crate::image_manifest::OCI_MANIFEST.into(),
                bytes: top,
            },
            children: Vec::new(),
            absent_children: Vec::new(),
            blobs: vec![config, layer],
            signatures,
        }
    }

    fn sig(p: &str) -> RawSignature {
        RawSignature {
            payload: p.as_bytes().to_vec(),
            signature: "c2ln".into(),
        }
    }

    fn read_back(r: SourceRef, digest: &Digest) -> usize {
        let src = transport::open(&r).unwrap();
        assert_eq!(&src.top().unwrap().digest, digest);
        src.signatures(digest).unwrap().len()
    }

    #[test]
    fn a_layout_holds_the_image_and_merges_signatures() {
        let t = tempfile::tempdir().unwrap();
        let img = image(t.path(), vec![sig("a")]);
        let dir = t.path().join("out/layout");
        let r = export_dir(&img, &dir, "1").unwrap();
        assert_eq!((r.signatures, r.written, r.present), (1, 2, 0));
        let at = |reference: &str| SourceRef::OciLayout {
            path: dir.clone(),
            reference: Some(reference.into()),
        };
        assert_eq!(read_back(at("1"), &img.top.digest), 1);
        // Again with another signature and ref: blobs reused, signatures merged, refs kept.
        let img2 = image(t.path(), vec![sig("b")]);
        let r = export_dir(&img2, &dir, "stable").unwrap();
        assert_eq!((r.signatures, r.written, r.present), (2, 0, 2));
        assert_eq!(read_back(at("1"), &img.top.digest), 2);
        assert_eq!(read_back(at("stable"), &img.top.digest), 2);
        assert!(temp_names(&dir).is_empty());
    }

    #[test]
    fn an_archive_is_a_layout_in_a_tar_and_is_not_overwritten() {
        let t = tempfile::tempdir().unwrap();
        let img = image(t.path(), vec![sig("a"), sig("b")]);
        let file = t.path().join("app.tar");
        export_archive(&img, &file, "1", false).unwrap();
        let r = SourceRef::OciArchive {
            path: file.clone(),
            reference: None,
        };
        assert_eq!(read_back(r, &img.top.digest), 2);
        let e = export_archive(&img, &file, "1", false).unwrap_err();
        assert!(matches!(e, ExportError::Exists { .. }), "{e}");
        export_archive(&img, &file, "2", true).unwrap();
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 3);
    }

    #[test]
    fn a_changed_store_blob_is_never_exported() {
        let t = tempfile::tempdir().unwrap();
        let img = image(t.path(), Vec::new());
        // Same size, other bytes.
        std::fs::write(&img.blobs[1].path, [8u8; 3000]).unwrap();
        let dir = t.path().join("layout");
        let e = export_dir(&img, &dir, "1").unwrap_err();
        assert!(matches!(e, ExportError::Corrupt { .. }), "{e}");
        assert!(e.to_string().contains("layer 1"), "{e}");
        assert!(
            !dir.exists(),
            "the layout this export created is left behind"
        );
        let file = t.path().join("app.tar");
        let e = export_archive(&img, &file, "1", false).unwrap_err();
        assert!(matches!(e, ExportError::Corrupt { .. }), "{e}");
        assert!(!file.exists());
        assert!(temp_names(t.path()).is_empty());
    }

    #[test]
    fn ref_names() {
        for ok in ["1", "1.4", "example.com/app:1.4", "a_b-c+d@e"] {
            check_ref(ok).unwrap();
        }
        let sig_ref = format!("sha256-{}.sig", "a".repeat(64));
        for bad in ["", "-x", "x/", "a b", "a\nb", sig_ref.as_str()] {
            assert!(check_ref(bad).is_err(), "{bad:?}");
        }
    }

    fn temp_names(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if e.path().is_dir() {
                    stack.push(e.path());
                } else if liftoff_common::atomic::is_temp_name(&name) {
                    out.push(name);
                }
            }
        }
        out
    }
}
