//! The on-disk state root: the OCI layout content store, unpacked layers, staging and locks.
//!
//! ```text
//! <root>/images/            OCI image layout (oci-layout, index.json, blobs/sha256/…), skopeo-readable
//! <root>/images/meta/       provenance per top-level manifest digest
//! <root>/layers/sha256/<h>/ each layer unpacked once, overlay form, named by diff_id
//! <root>/layers/skipped/<h> what that unpacking left out (device nodes, fifos), when it left any
//! <root>/tmp/               staging; everything is built here and renamed into place
//! <root>/locks/             flock files
//! ```
//! Content-addressed data is written once by rename, so readers never lock. Writers coordinate with
//! flock: `store.lock` is held shared by every fetch/import for its whole run and exclusively by
//! `image gc` (so gc never deletes a blob a running fetch wrote but has not referenced yet);
//! `index.lock` serialises read-modify-write of index.json and meta; `layer-<hex>.lock` makes each
//! layer unpack exactly once when several fetches want it.

mod index;
mod lock;
mod signatures;
mod staging;

pub use index::{IndexEntry, Provenance};
pub use lock::Lock;
pub use staging::Staging;

use crate::digest::Digest;
use std::path::{Path, PathBuf};

pub const DEFAULT_ROOT: &str = "/var/lib/liftoff";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("store index {path} is corrupt: {reason}; restore it or remove the state root to start over")]
    CorruptIndex { path: PathBuf, reason: String },
    #[error("blob {digest} content does not match its digest; refusing to store it")]
    BadBlob { digest: Digest },
    #[error("not starting {what}: the filesystem of {path} has {free_mib} MiB free, below the reserve of {reserve_mib} MiB; free some space (`liftoff gc`, `liftoff image gc`) or lower [pods] min_free in config.toml")]
    Full {
        path: PathBuf,
        what: String,
        free_mib: u64,
        reserve_mib: u64,
    },
    #[error("the store is in use: its lock {path} is still held after {waited} by {holders}; wait for that to finish (or stop it) and try again, or wait longer with --wait")]
    Busy {
        path: PathBuf,
        waited: String,
        holders: String,
    },
}

impl From<liftoff_common::atomic::WriteError> for StoreError {
    fn from(e: liftoff_common::atomic::WriteError) -> StoreError {
        StoreError::Io {
            path: e.path,
            op: e.op,
            source: e.source,
        }
    }
}

pub(crate) fn io(path: &Path, op: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { path, op, source }
}

/// A state root.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// Opens the state root, creating its skeleton the first time.
    pub fn open(root: &Path) -> Result<Store, StoreError> {
        let s = Store {
            root: root.to_path_buf(),
        };
        // Only root may walk in: unpacked layers and app upper dirs hold setuid-root files from
        // images and apps, which a host user could otherwise run from here. A new root is made
        // 0700 by mkdir itself; an existing one (and every dir above it) must belong to root.
        let root_fd =
            crate::owned::ensure_dir(root, "state root", 0o700).map_err(|e| StoreError::Io {
                path: root.to_path_buf(),
                op: "check ownership",
                source: std::io::Error::other(e.to_string()),
            })?;
        let mode = rustix::fs::fstat(&root_fd)
            .map_err(|e| io(root, "stat")(e.into()))?
            .st_mode;
        if mode & 0o077 != 0 {
            rustix::fs::fchmod(&root_fd, rustix::fs::Mode::from_raw_mode(0o700))
                .map_err(|e| io(root, "chmod 0700")(e.into()))?;
        }
        for d in [
            s.images().join("blobs/sha256"),
            s.images().join("meta"),
            s.root.join("layers/sha256"),
            s.root.join("layers/skipped"),
            s.tmp(),
            s.root.join("locks"),
        ] {
            std::fs::create_dir_all(&d).map_err(io(&d, "create directory"))?;
        }
        let layout = s.images().join("oci-layout");
        if !layout.exists() || !s.index_path().exists() {
            let _u = s.lock_use()?;
            let _g = s.lock_index()?;
            if !layout.exists() {
                s.write_atomic(&layout, br#"{"imageLayoutVersion":"1.0.0"}"#)?;
            }
            if !s.index_path().exists() {
                s.write_index(&[])?;
            }
        }
        Ok(s)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn images(&self) -> PathBuf {
        self.root.join("images")
    }

    pub fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub fn blob_path(&self, d: &Digest) -> PathBuf {
        self.images().join("blobs/sha256").join(d.hex())
    }

    pub fn has_blob(&self, d: &Digest) -> bool {
        self.blob_path(d).is_file()
    }

    pub fn layer_path(&self, diff_id: &Digest) -> PathBuf {
        self.root.join("layers/sha256").join(diff_id.hex())
    }

    pub fn has_layer(&self, diff_id: &Digest) -> bool {
        self.layer_path(diff_id).is_dir()
    }

    /// The record of what unpacking layer `diff_id` left out; see [`Store::layer_skipped`].
    pub fn layer_skipped_path(&self, diff_id: &Digest) -> PathBuf {
        self.root.join("layers/skipped").join(diff_id.hex())
    }

    /// What was left out when layer `diff_id` was unpacked (a summary such as `2 device nodes and
    /// fifos (/dev/null, /dev/zero)`), if anything was. An unpacked layer is reused by every later
    /// fetch, so a fetch that would keep those entries needs to know they are missing.
    pub fn layer_skipped(&self, diff_id: &Digest) -> Option<String> {
        std::fs::read_to_string(self.layer_skipped_path(diff_id)).ok()
    }

    /// Records (or, with None, clears) what unpacking `diff_id` left out. Called under the layer's
    /// lock, before the layer is committed: a crash in between leaves a record without a layer,
    /// which the next unpack of that layer replaces or clears and `image gc` removes.
    pub fn set_layer_skipped(
        &self,
        diff_id: &Digest,
        what: Option<&str>,
    ) -> Result<(), StoreError> {
        let p = self.layer_skipped_path(diff_id);
        match what {
            Some(w) => self.write_atomic(&p, w.as_bytes()),
            None => match std::fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&p, "remove")(e)),
                _ => Ok(()),
            },
        }
    }

    fn lock_path(&self, name: &str) -> PathBuf {
        self.root.join("locks").join(name)
    }

    /// Held shared by fetch/import for their whole run.
    pub fn lock_use(&self) -> Result<Lock, StoreError> {
        Lock::shared(&self.lock_path("store.lock"))
    }

    /// Held exclusively by image gc: no fetch or import is running while it is held. Waits at
    /// most `wait` (None: without bound) for running ones to finish, then fails naming them.
    pub fn lock_gc(&self, wait: Option<std::time::Duration>) -> Result<Lock, StoreError> {
        let p = self.lock_path("store.lock");
        match wait {
            Some(w) => Lock::exclusive_within(&p, w),
            None => Lock::exclusive(&p),
        }
    }

    pub fn lock_index(&self) -> Result<Lock, StoreError> {
        Lock::exclusive(&self.lock_path("index.lock"))
    }

    pub fn lock_layer(&self, diff_id: &Digest) -> Result<Lock, StoreError> {
        Lock::exclusive(&self.lock_path(&format!("layer-{}.lock", diff_id.hex())))
    }

    /// Refuses `what` up front when the state root's filesystem has less than `reserve` bytes
    /// free (for unprivileged users: what root keeps back does not count), so a full disk stops a
    /// new pod or fetch before it starts rather than half-way.
    pub fn check_free(&self, reserve: u64, what: &str) -> Result<(), StoreError> {
        if reserve == 0 {
            return Ok(());
        }
        let st =
            rustix::fs::statvfs(&self.root).map_err(|e| io(&self.root, "statvfs")(e.into()))?;
        let free = st.f_bavail.saturating_mul(st.f_frsize);
        if free < reserve {
            return Err(StoreError::Full {
                path: self.root.clone(),
                what: what.to_string(),
                free_mib: free >> 20,
                reserve_mib: reserve >> 20,
            });
        }
        Ok(())
    }

    /// A fresh staging directory under tmp/, removed when dropped unless committed.
    pub fn staging(&self, kind: &str) -> Result<Staging, StoreError> {
        Staging::new(&self.tmp(), kind)
    }

    /// Writes a small file atomically (`liftoff_common::atomic`).
    pub fn write_atomic(&self, dest: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        Ok(liftoff_common::atomic::write(dest, bytes)?)
    }

    /// Stores a small blob whose bytes are in memory, after checking them against `d`.
    pub fn put_blob_bytes(&self, d: &Digest, bytes: &[u8]) -> Result<(), StoreError> {
        if &Digest::of(bytes) != d {
            return Err(StoreError::BadBlob { digest: d.clone() });
        }
        if self.has_blob(d) {
            return Ok(());
        }
        self.write_atomic(&self.blob_path(d), bytes)
    }

    /// Renames a verified temp file into the blob store.
    pub fn commit_blob(&self, tmp: &Path, d: &Digest) -> Result<(), StoreError> {
        let dest = self.blob_path(d);
        std::fs::rename(tmp, &dest).map_err(io(&dest, "rename blob into place"))
    }

    /// Renames a fully unpacked, verified layer directory into place. If another fetch won the race,
    /// ours is dropped with the staging dir.
    pub fn commit_layer(&self, tmp: &Path, diff_id: &Digest) -> Result<(), StoreError> {
        let dest = self.layer_path(diff_id);
        if dest.exists() {
            return Ok(());
        }
        std::fs::rename(tmp, &dest).map_err(io(&dest, "rename layer into place"))
    }

    /// Reads a whole blob.
    pub fn read_blob(&self, d: &Digest) -> Result<Vec<u8>, StoreError> {
        let p = self.blob_path(d);
        std::fs::read(&p).map_err(io(&p, "read blob"))
    }
}
