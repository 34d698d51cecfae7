//! Safe, once-only unpacking of image layers into overlayfs form, and flattening layers by copy.
//!
//! A layer tarball is hostile input. Extraction walks the destination with directory handles
//! (`openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS`), never with joined
//! path strings, so no entry can reach outside the layer directory. Whiteouts are converted to the
//! overlayfs form on the way in (`.wh.NAME` → 0/0 char device `NAME`, `.wh..wh..opq` →
//! `trusted.overlay.opaque=y` on the parent), so a pod's root is a plain overlay mount of layer dirs.
//!
//! Device nodes and fifos (common in rootfs tarballs made by debootstrap or `docker import`) are
//! left out unless [`UnpackLimits::allow_devices`] is set: they are inert in a pod anyway (every app root
//! is mounted nodev and /dev is liftoff's own tmpfs). What was left out is counted in
//! [`UnpackStats::skipped`] so the caller can say so once per layer. Overlay whiteouts (0/0
//! character devices) are not device nodes in this sense and are always kept.
//!
//! API (stable; the rest of stage0 only uses these):
//! - [`unpack_layer`]: extract one uncompressed tar stream into an existing empty directory.
//! - [`flatten_layers`]: apply overlay-form layer dirs, lowest first, onto a directory by copying
//!   (the fallback for hosts without overlayfs, and `liftoff image extract`).
//!
//! Inside: `extract` (the per-entry rules), `tar_guard` (a reader below the tar crate that bounds
//! metadata headers, bytes and header count), `walk` (handle-based filesystem primitives) and
//! `flatten` (the copy-based merge).

use std::io::Read;
use std::path::{Path, PathBuf};

mod extract;
mod flatten;
mod tar_guard;
pub(crate) mod walk;

#[cfg(test)]
mod tests;

/// Bounds and permissions for one layer's extraction.
#[derive(Debug, Clone)]
pub struct UnpackLimits {
    /// Maximum number of tar entries (headers of every kind count).
    pub max_entries: u64,
    /// Maximum number of uncompressed bytes read from the tar stream (decompression bombs).
    pub max_bytes: u64,
    /// Keep char/block device nodes (with their numbers) and fifos; without it they are skipped
    /// and counted in [`UnpackStats::skipped`]. Whiteouts are kept either way.
    pub allow_devices: bool,
}

impl UnpackLimits {
    /// The limits `[unpack]` of config.toml sets, defaults for the rest.
    pub fn from_config(c: &crate::config::UnpackConfig) -> UnpackLimits {
        let d = UnpackLimits::default();
        UnpackLimits {
            max_entries: c.max_entries.unwrap_or(d.max_entries),
            max_bytes: c.max_bytes.unwrap_or(d.max_bytes),
            allow_devices: c.allow_devices.unwrap_or(d.allow_devices),
        }
    }
}

impl Default for UnpackLimits {
    fn default() -> Self {
        UnpackLimits {
            max_entries: 1_000_000,
            max_bytes: 64 << 30,
            allow_devices: false,
        }
    }
}

/// What one extraction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnpackStats {
    pub entries: u64,
    pub bytes: u64,
    /// Entries left out because [`UnpackLimits::allow_devices`] is off: device nodes, fifos, and hard
    /// links to them.
    pub skipped: Skipped,
}

/// Entries left out of an unpacked tree: how many, and the first few by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    pub count: u64,
    /// The first [`Skipped::SHOWN`] paths, as `/dev/null`.
    pub first: Vec<String>,
}

impl Skipped {
    /// How many paths a note names; a debootstrap /dev has dozens of nodes.
    pub const SHOWN: usize = 3;

    /// Counts one more left-out entry, `path` being relative to the tree's root.
    pub fn add(&mut self, path: &str) {
        self.count += 1;
        if self.first.len() < Self::SHOWN {
            self.first.push(format!("/{path}"));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// `5 device nodes and fifos (/dev/console, /dev/null, /dev/zero, …)`, with `one` and `many`
    /// the singular and plural of what was left out.
    pub fn summary(&self, one: &str, many: &str) -> String {
        let what = if self.count == 1 { one } else { many };
        let more = if self.count > self.first.len() as u64 {
            ", …"
        } else {
            ""
        };
        format!("{} {what} ({}{more})", self.count, self.first.join(", "))
    }
}

/// Why a layer could not be unpacked. Every variant that concerns one tar entry names it.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("layer entry {entry:?}: {reason}")]
    Refused { entry: String, reason: String },
    #[error("layer has more than {limit} entries; raise [unpack] max_entries in config.toml if the image is trusted")]
    TooManyEntries { limit: u64 },
    #[error("layer expands to more than {limit} bytes; raise [unpack] max_bytes in config.toml if the image is trusted")]
    TooManyBytes { limit: u64 },
    #[error("layer entry {entry:?}: {op}: {source}")]
    Io {
        entry: String,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("layer tar stream is malformed or truncated: {0}")]
    Tar(#[source] std::io::Error),
}

/// Extracts the uncompressed layer tar stream `tar` into `dest`, an existing empty directory, in
/// overlayfs form. On error `dest` holds a partial tree and must be discarded (nothing is ever
/// written outside it). `entries` counts tar members (files, directories, links, whiteouts…, not the
/// PAX/long-name headers folded into them); `bytes` counts the bytes consumed from `tar`, which stops
/// at the end-of-archive block, so a caller hashing the stream must drain the rest itself.
pub fn unpack_layer<R: Read>(
    tar: R,
    dest: &Path,
    limits: &UnpackLimits,
) -> Result<UnpackStats, UnpackError> {
    extract::unpack(tar, dest, limits)
}

/// Applies overlay-form layer directories (as made by [`unpack_layer`]), lowest first, onto `dest`,
/// an existing directory, by copying: the same tree overlayfs would show for that stack.
pub fn flatten_layers(layers: &[PathBuf], dest: &Path) -> Result<(), UnpackError> {
    flatten::flatten(layers, dest)
}

/// [`flatten_layers`] onto an already opened destination directory; `strip_setid` leaves out
/// setuid/setgid bits and file capabilities.
pub fn flatten_layers_onto(
    layers: &[PathBuf],
    dest: std::os::fd::OwnedFd,
    strip_setid: bool,
) -> Result<(), UnpackError> {
    flatten::flatten_onto(layers, &walk::Root::from_fd(dest), strip_setid)
}

#[cfg(test)]
mod config_tests {
    use super::UnpackLimits;
    use crate::config::Config;

    #[test]
    fn limits_come_from_the_unpack_section() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[unpack]\nmax_entries = 3\n").unwrap();
        let c = Config::load(&p, true).unwrap();
        assert_eq!(UnpackLimits::from_config(&c.unpack).max_entries, 3);
        assert_eq!(
            UnpackLimits::from_config(&c.unpack).max_bytes,
            UnpackLimits::default().max_bytes
        );
    }
}
