//! Streams one layer into the store in a single pass: read once from the source, hash and count the
//! compressed bytes, tee them into a staged blob file, decompress, hash the tar stream, unpack it into
//! a staged layer dir. Only when the blob digest, size and diff_id all match are the blob and the layer
//! renamed into place; otherwise the staging dir is dropped and the store is unchanged.
//!
//! Unpacking into staging before the digest is known is safe because extraction is confined to the
//! staging dir (see `unpack`) and nothing from it becomes visible before verification.

use crate::digest::{Digest, LimitedReader};
use crate::manifest::{Compression, Descriptor};
use crate::store::{Store, StoreError};
use crate::transport::{Source, TransportError};
use crate::unpack::{self, Limits, UnpackError};
use sha2::{Digest as _, Sha256};
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

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

#[derive(Default)]
struct TapState {
    hasher: Sha256,
    count: u64,
}

/// Hashes and counts every byte read through it, and optionally copies it to a file.
struct Tap<R> {
    inner: R,
    state: Arc<Mutex<TapState>>,
    sink: Option<File>,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut st = self
            .state
            .lock()
            .map_err(|_| io::Error::other("hash state poisoned"))?;
        st.hasher.update(&buf[..n]);
        st.count += n as u64;
        drop(st);
        if let Some(f) = &mut self.sink {
            f.write_all(&buf[..n])?;
        }
        Ok(n)
    }
}

fn finish(state: &Arc<Mutex<TapState>>) -> (Digest, u64) {
    let st = std::mem::take(&mut *state.lock().unwrap_or_else(|p| p.into_inner()));
    let hex = hex::encode(st.hasher.finalize());
    (
        Digest::from_hex(&hex).expect("sha256 hex is valid"),
        st.count,
    )
}

enum Decoder<R: Read> {
    Plain(R),
    Gzip(flate2::read::MultiGzDecoder<R>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<R>>),
}

impl<R: Read> Decoder<R> {
    fn new(r: R, c: Compression) -> io::Result<Self> {
        Ok(match c {
            Compression::None => Decoder::Plain(r),
            Compression::Gzip => Decoder::Gzip(flate2::read::MultiGzDecoder::new(r)),
            Compression::Zstd => Decoder::Zstd(zstd::stream::read::Decoder::new(r)?),
        })
    }

    /// Gives back the compressed stream; bytes the decoder buffered were already tapped below it.
    fn into_inner(self) -> R {
        match self {
            Decoder::Plain(r) => r,
            Decoder::Gzip(d) => d.into_inner(),
            Decoder::Zstd(d) => d.finish().into_inner(),
        }
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
        }
    }
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
fn reused_note(
    store: &Store,
    digest: &Digest,
    diff_id: &Digest,
    limits: &Limits,
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

/// Makes sure the blob `desc` and its unpacked form `layers/<diff_id>` are in the store, reading from
/// the store's own blob when it has one and from `src` otherwise. Besides the outcome, returns the
/// note to show the user when unpacking left entries out (see [`Limits::allow_devices`]).
pub fn ingest_layer(
    store: &Store,
    src: Option<&dyn Source>,
    source_name: &str,
    desc: &Descriptor,
    compression: Compression,
    diff_id: &Digest,
    limits: &Limits,
) -> Result<(Outcome, Option<String>), IngestError> {
    let reused = || {
        let note = reused_note(store, &desc.digest, diff_id, limits);
        Ok((Outcome::Reused, note))
    };
    if store.has_blob(&desc.digest) && store.has_layer(diff_id) {
        return reused();
    }
    let _lock = store.lock_layer(diff_id)?;
    let need_blob = !store.has_blob(&desc.digest);
    let need_layer = !store.has_layer(diff_id);
    if !need_blob && !need_layer {
        return reused();
    }
    let mut skipped = None;
    let staging = store.staging("layer")?;
    let read_err = |source: io::Error| IngestError::Read {
        digest: desc.digest.clone(),
        source,
    };
    let reader: Box<dyn Read + Send + '_> = if need_blob {
        match src {
            Some(s) => s.open_blob(&desc.digest)?,
            None => {
                return Err(IngestError::Transport(TransportError::MissingBlob {
                    source_name: source_name.to_string(),
                    digest: desc.digest.clone(),
                }))
            }
        }
    } else {
        let p = store.blob_path(&desc.digest);
        Box::new(File::open(&p).map_err(read_err)?)
    };
    let blob_tmp = staging.path().join("blob");
    let sink = if need_blob {
        Some(File::create(&blob_tmp).map_err(read_err)?)
    } else {
        None
    };
    let c_state = Arc::new(Mutex::new(TapState::default()));
    let tap = Tap {
        inner: LimitedReader::new(reader, desc.size, format!("layer {}", desc.digest)),
        state: c_state.clone(),
        sink,
    };
    let mut tap = if need_layer {
        let layer_tmp = staging.path().join("layer");
        std::fs::create_dir(&layer_tmp).map_err(read_err)?;
        let mut dec = Decoder::new(tap, compression).map_err(read_err)?;
        let u_state = Arc::new(Mutex::new(TapState::default()));
        let mut u = Tap {
            inner: &mut dec,
            state: u_state.clone(),
            sink: None,
        };
        let unpacked = unpack::unpack_layer(&mut u, &layer_tmp, limits);
        let stats = match unpacked {
            Ok(s) => s,
            Err(e) => {
                // A corrupt or tampered blob usually shows up as a broken tar stream: report the
                // digest mismatch when there is one, since it is the real cause.
                drop(u);
                let mut t = dec.into_inner();
                if io::copy(&mut t, &mut io::sink()).is_ok() {
                    let (actual, size) = finish(&c_state);
                    crate::transport::check_digest(
                        source_name,
                        "layer",
                        &desc.digest,
                        desc.size,
                        &actual,
                        size,
                    )?;
                }
                return Err(IngestError::Unpack {
                    digest: desc.digest.clone(),
                    source: e,
                });
            }
        };
        // Hash whatever follows the tar end-of-archive too, within the byte budget.
        let budget = limits.max_bytes.saturating_sub(stats.bytes);
        let mut rest = LimitedReader::new(&mut u, budget, format!("layer {}", desc.digest));
        if let Err(e) = io::copy(&mut rest, &mut io::sink()) {
            // A corrupt blob can also surface here (a bad gzip checksum after the tar's end):
            // report the digest mismatch when there is one, as above.
            drop(rest);
            drop(u);
            let mut t = dec.into_inner();
            if io::copy(&mut t, &mut io::sink()).is_ok() {
                let (actual, size) = finish(&c_state);
                crate::transport::check_digest(
                    source_name,
                    "layer",
                    &desc.digest,
                    desc.size,
                    &actual,
                    size,
                )?;
            }
            if e.kind() == io::ErrorKind::InvalidData {
                return Err(IngestError::Unpack {
                    digest: desc.digest.clone(),
                    source: UnpackError::TooManyBytes {
                        limit: limits.max_bytes,
                    },
                });
            }
            return Err(read_err(e));
        }
        drop(u);
        let (actual_diff, _) = finish(&u_state);
        let mut t = dec.into_inner();
        io::copy(&mut t, &mut io::sink()).map_err(read_err)?;
        let (actual, size) = finish(&c_state);
        crate::transport::check_digest(
            source_name,
            "layer",
            &desc.digest,
            desc.size,
            &actual,
            size,
        )?;
        if &actual_diff != diff_id {
            return Err(IngestError::DiffIdMismatch {
                digest: desc.digest.clone(),
                expected: diff_id.clone(),
                actual: actual_diff,
            });
        }
        skipped = (!stats.skipped.is_empty()).then(|| {
            stats
                .skipped
                .summary("device node or fifo", "device nodes and fifos")
        });
        t
    } else {
        let mut t = tap;
        io::copy(&mut t, &mut io::sink()).map_err(read_err)?;
        let (actual, size) = finish(&c_state);
        crate::transport::check_digest(
            source_name,
            "layer",
            &desc.digest,
            desc.size,
            &actual,
            size,
        )?;
        t
    };
    if let Some(f) = tap.sink.take() {
        f.sync_all().map_err(read_err)?;
        drop(f);
        store.commit_blob(&blob_tmp, &desc.digest)?;
    }
    if need_layer {
        // One syncfs makes every file of the layer durable before the rename publishes it; cheaper
        // than an fsync per file and equally sound for a crash after the rename.
        let dir = File::open(staging.path()).map_err(read_err)?;
        rustix::fs::syncfs(&dir).map_err(|e| read_err(e.into()))?;
        store.set_layer_skipped(diff_id, skipped.as_deref())?;
        store.commit_layer(&staging.path().join("layer"), diff_id)?;
    }
    let note = skipped.map(|what| skipped_note(&desc.digest, &what));
    Ok((Outcome::Stored, note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    /// A layer holding a file and two device nodes, as a plain tar.
    fn layer() -> Vec<u8> {
        let header = || {
            let mut h = tar::Header::new_gnu();
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(0);
            h
        };
        let mut b = tar::Builder::new(Vec::new());
        for (path, major, minor) in [("dev/null", 1, 3), ("dev/zero", 1, 5)] {
            let mut h = header();
            h.set_entry_type(tar::EntryType::Char);
            h.set_mode(0o666);
            h.set_size(0);
            h.set_device_major(major).unwrap();
            h.set_device_minor(minor).unwrap();
            b.append_data(&mut h, path, io::empty()).unwrap();
        }
        let mut h = header();
        h.set_mode(0o644);
        h.set_size(2);
        b.append_data(&mut h, "etc/hostname", &b"x\n"[..]).unwrap();
        b.into_inner().unwrap()
    }

    fn descriptor(blob: &[u8]) -> Descriptor {
        Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar".into(),
            digest: Digest::of(blob),
            size: blob.len() as u64,
            platform: None,
            annotations: Default::default(),
        }
    }

    #[test]
    fn skipped_nodes_keep_the_diff_id_whole_and_are_remembered() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("root")).unwrap();
        let tar = layer();
        let desc = descriptor(&tar);
        let diff_id = Digest::of(&tar);
        store.put_blob_bytes(&desc.digest, &tar).unwrap();
        let limits = Limits::default();
        // A diff_id over what was kept rather than the whole stream would not match this one.
        let wrong = Digest::of(b"not the layer");
        let e = ingest_layer(&store, None, "t", &desc, Compression::None, &wrong, &limits);
        assert!(
            matches!(e, Err(IngestError::DiffIdMismatch { .. })),
            "{e:?}"
        );
        assert!(!store.has_layer(&wrong));

        let (outcome, note) = ingest_layer(
            &store,
            None,
            "t",
            &desc,
            Compression::None,
            &diff_id,
            &limits,
        )
        .unwrap();
        assert_eq!(outcome, Outcome::Stored);
        let note = note.expect("a note about the skipped nodes");
        assert!(
            note.starts_with(&format!(
                "layer {}: skipped 2 device nodes and fifos (/dev/null, /dev/zero);",
                desc.digest
            )),
            "{note}"
        );
        assert!(note.contains("--allow-devices"), "{note}");
        let layer = store.layer_path(&diff_id);
        assert!(layer.join("etc/hostname").is_file());
        assert!(!layer.join("dev/null").exists());
        assert_eq!(
            store.layer_skipped(&diff_id).as_deref(),
            Some("2 device nodes and fifos (/dev/null, /dev/zero)")
        );

        // Reused as it is: nothing to say by default, and a warning when the nodes were wanted.
        let r = ingest_layer(
            &store,
            None,
            "t",
            &desc,
            Compression::None,
            &diff_id,
            &limits,
        );
        assert_eq!(r.unwrap(), (Outcome::Reused, None));
        let allow = Limits {
            allow_devices: true,
            ..Limits::default()
        };
        let (outcome, note) = ingest_layer(
            &store,
            None,
            "t",
            &desc,
            Compression::None,
            &diff_id,
            &allow,
        )
        .unwrap();
        assert_eq!(outcome, Outcome::Reused);
        let note = note.expect("a note that the nodes are missing");
        assert!(
            note.contains("unpacked earlier without its 2 device nodes"),
            "{note}"
        );
        assert!(note.contains("liftoff image gc"), "{note}");

        // Unpacked again with the nodes, the record goes.
        std::fs::remove_dir_all(&layer).unwrap();
        let (outcome, note) = ingest_layer(
            &store,
            None,
            "t",
            &desc,
            Compression::None,
            &diff_id,
            &allow,
        )
        .unwrap();
        assert_eq!((outcome, note), (Outcome::Stored, None));
        assert!(std::fs::symlink_metadata(layer.join("dev/zero"))
            .unwrap()
            .file_type()
            .is_char_device());
        assert_eq!(store.layer_skipped(&diff_id), None);
    }
}
