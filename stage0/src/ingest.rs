//! Brings one layer into the store in two steps, so that nothing unverified ever reaches a
//! decompressor or the tar parser:
//!
//! 1. [`stage`]: read the blob once from the source, hashing and counting its bytes into a staged
//!    file under the store's tmp/ (stopping at once when they pass the descriptor's size), then check
//!    its digest and size. A blob the store already has is hashed in place instead.
//! 2. [`unpack`]: only a blob that passed step 1 is decompressed; its tar stream is hashed and
//!    unpacked into a staged layer dir, and when the diff_id matches, the blob and the layer are
//!    renamed into place.
//!
//! A failure at either step drops the staging dir (and the layer lock), so the store is unchanged.
//! A hostile source can therefore make liftoff write at most the descriptor's size before it is
//! caught, however well its bytes compress. The fetch pipeline runs step 1 of later layers while
//! step 2 of earlier ones runs (see `fetch::ingest_layers`), so verifying first costs little time.

use crate::digest::{Digest, HashingReader};
use crate::image_manifest::{Compression, Descriptor};
use crate::store::{Lock, Staging, Store, StoreError};
use crate::transport::{check_digest, Source, TransportError};
use crate::unpack::{self, UnpackError, UnpackLimits};
use sha2::{Digest as _, Sha256};
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::PathBuf;

/// How much of a blob is read and written at a time while staging it.
const CHUNK: usize = 256 << 10;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("layer {digest}: {source}")]
    Unpack {
        digest: Digest,
        #[source]
        source: UnpackError,
    },
    #[error("layer {digest}: cannot read it: {source}")]
    Read {
        digest: Digest,
        #[source]
        source: io::Error,
    },
    #[error("layer {digest}: its digest matches but it does not decompress: {source}")]
    Decompress {
        digest: Digest,
        #[source]
        source: io::Error,
    },
    #[error("layer {digest}: uncompressed content has digest {actual}, but the image config says {expected} (tampered layer or wrong config)")]
    DiffIdMismatch {
        digest: Digest,
        expected: Digest,
        actual: Digest,
    },
}

/// What happened to one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Blob and unpacked layer were already in the store.
    Reused,
    /// Newly verified and stored.
    Stored,
}

/// What [`stage`] found.
#[derive(Debug)]
pub enum Staged {
    /// Blob and unpacked layer are already in the store; nothing to do.
    Reused,
    /// The blob is verified; [`unpack`] finishes the layer.
    Verified(VerifiedBlob),
}

/// A layer blob whose digest and size matched its descriptor, waiting to be unpacked. Dropping it
/// removes the staged copy and releases the layer lock.
#[derive(Debug)]
pub struct VerifiedBlob {
    digest: Digest,
    compression: Compression,
    diff_id: Digest,
    /// Where the verified bytes are: the staged copy, or the store's own blob.
    blob: PathBuf,
    /// Whether `blob` is a staged copy that becomes the store's blob on success.
    staged_copy: bool,
    need_layer: bool,
    // Field order matters: the staging dir goes before the lock is released, so a fetch waiting
    // for this layer never sees our leftovers.
    staging: Staging,
    _lock: Lock,
}

/// Step 1: makes sure a verified copy of the blob `desc` is at hand for unpacking, reading it from
/// `src` into staging when the store does not have it yet. Nothing read here is interpreted.
pub fn stage(
    store: &Store,
    src: Option<&dyn Source>,
    source_name: &str,
    desc: &Descriptor,
    compression: Compression,
    diff_id: &Digest,
) -> Result<Staged, IngestError> {
    if store.has_blob(&desc.digest) && store.has_layer(diff_id) {
        return Ok(Staged::Reused);
    }
    let lock = store.lock_layer(diff_id)?;
    let need_blob = !store.has_blob(&desc.digest);
    let need_layer = !store.has_layer(diff_id);
    if !need_blob && !need_layer {
        return Ok(Staged::Reused);
    }
    let staging = store.staging("layer")?;
    let read_err = |source: io::Error| IngestError::Read {
        digest: desc.digest.clone(),
        source,
    };
    let (reader, blob, mut sink, from): (Box<dyn Read + Send + '_>, _, _, String) = if need_blob {
        let Some(s) = src else {
            return Err(IngestError::Transport(TransportError::MissingBlob {
                source_name: source_name.to_string(),
                digest: desc.digest.clone(),
            }));
        };
        let reader = s.open_blob(&desc.digest)?;
        let p = staging.path().join("blob");
        let f = File::create(&p).map_err(crate::store::io(&p, "create staged blob"))?;
        (reader, p, Some(f), source_name.to_string())
    } else {
        // The store's own copy was verified when it was written; it is checked again because it is
        // about to be decompressed, and nothing unverified may reach a decompressor.
        let p = store.blob_path(&desc.digest);
        let f = File::open(&p).map_err(read_err)?;
        (Box::new(f), p, None, store.root().display().to_string())
    };
    let (actual, size) = copy_counted(reader, sink.as_mut(), desc, &from, &blob)?;
    check_digest(&from, "layer", &desc.digest, desc.size, &actual, size)?;
    if let Some(f) = sink.take() {
        // A blob that is unpacked is made durable by the syncfs after unpacking (same filesystem),
        // so its fsync would only delay the start of unpacking; one stored alone needs its own.
        if !need_layer {
            f.sync_all()
                .map_err(crate::store::io(&blob, "fsync staged blob"))?;
        }
    }
    Ok(Staged::Verified(VerifiedBlob {
        digest: desc.digest.clone(),
        compression,
        diff_id: diff_id.clone(),
        blob,
        staged_copy: need_blob,
        need_layer,
        staging,
        _lock: lock,
    }))
}

/// Reads `reader` to its end, hashing and counting it and copying it to `sink`; refuses a byte past
/// `desc.size` without writing it. Returns the digest and size of what was read.
fn copy_counted(
    mut reader: Box<dyn Read + Send + '_>,
    mut sink: Option<&mut File>,
    desc: &Descriptor,
    source_name: &str,
    staged: &std::path::Path,
) -> Result<(Digest, u64), IngestError> {
    let mut hasher = Sha256::new();
    let mut count = 0u64;
    let mut buf = vec![0u8; CHUNK];
    loop {
        // Ask for one byte past the size, so "exactly the size" and "over it" can be told apart.
        let room = (desc.size - count).saturating_add(1);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = match reader.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(IngestError::Read {
                    digest: desc.digest.clone(),
                    source,
                })
            }
        };
        count += n as u64;
        if count > desc.size {
            return Err(TransportError::Oversized {
                source_name: source_name.to_string(),
                what: "layer".into(),
                digest: desc.digest.clone(),
                expected: desc.size,
            }
            .into());
        }
        hasher.update(&buf[..n]);
        if let Some(f) = sink.as_mut() {
            f.write_all(&buf[..n])
                .map_err(crate::store::io(staged, "write staged blob"))?;
        }
    }
    let hex = hex::encode(hasher.finalize());
    Ok((Digest::from_hex(&hex).expect("sha256 hex is valid"), count))
}

/// The uncompressed stream of a verified blob.
fn decoder(f: File, c: Compression) -> io::Result<Box<dyn Read + Send>> {
    let r = BufReader::with_capacity(CHUNK, f);
    Ok(match c {
        Compression::None => Box::new(r),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(r)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(r)?),
    })
}

/// What unpacking left out, as the note shown once per layer: `layer DIGEST: skipped 5 device nodes
/// and fifos (/dev/console, …); …`.
fn skipped_note(digest: &Digest, what: &str) -> String {
    format!(
        "layer {digest}: skipped {what}; pods get their own /dev and never use them; \
         --allow-devices (or [unpack] allow_devices = true in config.toml) keeps them"
    )
}

/// The note for a layer reused as it was unpacked earlier, without entries this fetch would keep.
pub fn reused_note(
    store: &Store,
    digest: &Digest,
    diff_id: &Digest,
    limits: &UnpackLimits,
) -> Option<String> {
    if !limits.allow_devices {
        return None;
    }
    let what = store.layer_skipped(diff_id)?;
    Some(format!(
        "layer {digest}: was unpacked earlier without its {what}; that copy is reused, so \
         allow_devices does not bring them back; to unpack it again, remove the images and pods \
         that use it (`liftoff image rm`, `liftoff rm`), run `liftoff image gc` and fetch again"
    ))
}

/// Step 2: decompresses and unpacks a verified blob into a staged layer dir, checks the tar
/// stream's digest against the config's diff_id, and renames the blob and the layer into place.
/// Besides the outcome, returns the note to show when unpacking left entries out.
pub fn unpack(
    store: &Store,
    v: VerifiedBlob,
    limits: &UnpackLimits,
) -> Result<(Outcome, Option<String>), IngestError> {
    let mut skipped: Option<String> = None;
    if v.need_layer {
        let layer_tmp = v.staging.path().join("layer");
        std::fs::create_dir(&layer_tmp).map_err(crate::store::io(&layer_tmp, "create"))?;
        let dec_err = |source: io::Error| IngestError::Decompress {
            digest: v.digest.clone(),
            source,
        };
        let f = File::open(&v.blob).map_err(|source| IngestError::Read {
            digest: v.digest.clone(),
            source,
        })?;
        let mut tar = HashingReader::new(decoder(f, v.compression).map_err(dec_err)?);
        let stats = unpack::unpack_layer(&mut tar, &layer_tmp, limits).map_err(|source| {
            IngestError::Unpack {
                digest: v.digest.clone(),
                source,
            }
        })?;
        skipped = (!stats.skipped.is_empty()).then(|| {
            stats
                .skipped
                .summary("device node or fifo", "device nodes and fifos")
        });
        // Whatever follows the tar's end-of-archive is part of the diff_id too; hash it, within
        // the same byte budget as the entries.
        let budget = limits.max_bytes.saturating_sub(stats.bytes);
        if !drain_within(&mut tar, budget).map_err(dec_err)? {
            return Err(IngestError::Unpack {
                digest: v.digest.clone(),
                source: UnpackError::TooManyBytes {
                    limit: limits.max_bytes,
                },
            });
        }
        let (actual_diff, _) = tar.finish().map_err(dec_err)?;
        if actual_diff != v.diff_id {
            return Err(IngestError::DiffIdMismatch {
                digest: v.digest.clone(),
                expected: v.diff_id.clone(),
                actual: actual_diff,
            });
        }
        // One syncfs makes every file of the layer, and the staged blob, durable before the
        // renames publish them; cheaper than an fsync per file and equally sound for a crash
        // after the rename.
        let dir =
            File::open(v.staging.path()).map_err(crate::store::io(v.staging.path(), "open"))?;
        rustix::fs::syncfs(&dir)
            .map_err(|e| crate::store::io(v.staging.path(), "syncfs")(e.into()))?;
    }
    if v.staged_copy {
        store.commit_blob(&v.blob, &v.digest)?;
    }
    if v.need_layer {
        store.set_layer_skipped(&v.diff_id, skipped.as_deref())?;
        store.commit_layer(&v.staging.path().join("layer"), &v.diff_id)?;
    }
    let note = skipped.map(|w| skipped_note(&v.digest, &w));
    Ok((Outcome::Stored, note))
}

/// Reads `r` to its end; false when it has more than `budget` bytes.
fn drain_within(r: &mut impl Read, budget: u64) -> io::Result<bool> {
    let n = io::copy(&mut r.take(budget.saturating_add(1)), &mut io::sink())?;
    Ok(n <= budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source whose one blob is whatever the test says, whatever digest is asked for.
    struct Serves(Vec<u8>);

    impl Source for Serves {
        fn describe(&self) -> String {
            "test-source".into()
        }
        fn top(&self) -> Result<crate::transport::TopLevel, TransportError> {
            unreachable!("not used")
        }
        fn open_blob(&self, _: &Digest) -> Result<Box<dyn Read + Send + '_>, TransportError> {
            Ok(Box::new(io::Cursor::new(self.0.clone())))
        }
    }

    fn desc(bytes: &[u8], size: u64) -> Descriptor {
        Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar+zstd".into(),
            digest: Digest::of(bytes),
            size,
            platform: None,
            annotations: Default::default(),
        }
    }

    fn tmp_entries(store: &Store) -> usize {
        std::fs::read_dir(store.tmp()).unwrap().count()
    }

    #[test]
    fn stops_at_the_descriptor_size_and_never_decompresses_a_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("root")).unwrap();
        let good = zstd::encode_all(&b"not a tar"[..], 1).unwrap();
        let diff = Digest::of(b"x");
        // Longer than the descriptor says: refused at once.
        let src = Serves([good.clone(), vec![0; 1 << 20]].concat());
        let e = stage(
            &store,
            Some(&src),
            "test-source",
            &desc(&good, good.len() as u64),
            Compression::Zstd,
            &diff,
        )
        .unwrap_err();
        assert!(
            matches!(e, IngestError::Transport(TransportError::Oversized { .. })),
            "{e}"
        );
        assert!(e.to_string().contains("larger than"), "{e}");
        assert_eq!(tmp_entries(&store), 0);
        // Same size, other bytes: a digest mismatch, reported before any decompression.
        let mut bad = good.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let e = stage(
            &store,
            Some(&Serves(bad)),
            "test-source",
            &desc(&good, good.len() as u64),
            Compression::Zstd,
            &diff,
        )
        .unwrap_err();
        assert!(e.to_string().contains("does not match its content"), "{e}");
        assert_eq!(tmp_entries(&store), 0);
    }

    #[test]
    fn verified_blob_is_unpacked_and_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("root")).unwrap();
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_size(5);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(1_700_000_000);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, "hello", &b"world"[..]).unwrap();
        let tarball = b.into_inner().unwrap();
        let blob = zstd::encode_all(&tarball[..], 1).unwrap();
        let d = desc(&blob, blob.len() as u64);
        let diff = Digest::of(&tarball);
        let Staged::Verified(v) = stage(
            &store,
            Some(&Serves(blob.clone())),
            "t",
            &d,
            Compression::Zstd,
            &diff,
        )
        .unwrap() else {
            panic!("not staged");
        };
        assert_eq!(
            unpack(&store, v, &UnpackLimits::default()).unwrap(),
            (Outcome::Stored, None)
        );
        assert!(store.has_blob(&d.digest) && store.has_layer(&diff));
        assert_eq!(tmp_entries(&store), 0);
        assert!(matches!(
            stage(&store, None, "t", &d, Compression::Zstd, &diff).unwrap(),
            Staged::Reused
        ));
    }
}
