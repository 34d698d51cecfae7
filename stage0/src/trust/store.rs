//! The trust store: which public keys are trusted for which image names.
//!
//! ```text
//! <dir>/prefix.d/<host>/<path…>/<keyid>.pub   trusted for that name and everything below it
//! <dir>/root.d/<keyid>.pub                    trusted for every name (discouraged)
//! ```
//! Two dirs are read: the admin dir (/etc/liftoff/keys) over the vendor dir (/usr/lib/liftoff/keys);
//! an empty file in the admin dir masks the vendor file of the same relative path. Prefixes are
//! compared path component by component, so a key for `example.com/foo` never covers
//! `example.com/foobar`. A key file whose name is not its key id is ignored with a warning: a file
//! name that lies about the key would make `trust rm` remove the wrong thing.

use super::keys::PublicKey;
use liftoff_common::walk;
use serde::Serialize;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub const ADMIN_DIR: &str = "/etc/liftoff/keys";
pub const VENDOR_DIR: &str = "/usr/lib/liftoff/keys";
/// Largest key file read (PEM SPKI is ~113 bytes; minisign ~ 100).
const MAX_KEY_FILE: u64 = 16 * 1024;

/// Whether `prefix` covers `repository`, comparing whole path components.
pub fn prefix_matches(prefix: &str, repository: &str) -> bool {
    let mut r = repository.split('/');
    prefix.split('/').all(|p| r.next() == Some(p))
}

#[derive(Debug, thiserror::Error)]
pub enum TrustStoreError {
    #[error("trust store {path}: {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("prefix {0:?} is not a registry/path prefix such as example.com/team")]
    BadPrefix(String),
    #[error("key {keyid} is already trusted for {prefix} ({path})")]
    Exists {
        keyid: String,
        prefix: String,
        path: PathBuf,
    },
    #[error("no key {keyid} is trusted for {prefix}; `liftoff trust list` shows the trusted keys")]
    NotFound { keyid: String, prefix: String },
    #[error(transparent)]
    Key(#[from] super::keys::KeyError),
}

fn io(path: &Path, op: &'static str) -> impl FnOnce(std::io::Error) -> TrustStoreError {
    let path = path.to_path_buf();
    move |source| TrustStoreError::Io { path, op, source }
}

/// One trusted key and where the trust comes from.
#[derive(Debug, Clone, Serialize)]
pub struct TrustedKey {
    #[serde(skip)]
    pub key: PublicKey,
    #[serde(rename = "keyid")]
    pub key_id: String,
    /// The key's algorithm as messages name it ("Ed25519", "ECDSA P-256", "RSA-3072").
    pub algorithm: String,
    /// The name prefix it is trusted for; `*` for root.d keys.
    pub prefix: String,
    pub path: PathBuf,
    /// "admin" or "vendor".
    pub origin: &'static str,
}

/// One of the two trust dirs, opened and checked for one lookup.
struct Base<'a> {
    path: &'a PathBuf,
    origin: &'static str,
    tree: Option<std::os::fd::OwnedFd>,
}

#[derive(Debug, Clone)]
pub struct TrustStore {
    pub admin: PathBuf,
    pub vendor: PathBuf,
}

/// Checks and splits a prefix into path components (a registry host first).
pub fn prefix_components(prefix: &str) -> Result<Vec<String>, TrustStoreError> {
    let p = prefix.trim_end_matches('/');
    let comps: Vec<&str> = p.split('/').collect();
    let ok = !p.is_empty()
        && comps.iter().all(|c| {
            !c.is_empty()
                && *c != "."
                && *c != ".."
                && c.bytes().all(|b| {
                    b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || matches!(b, b'.' | b'_' | b'-' | b':')
                })
        })
        && !comps[1..].iter().any(|c| c.contains(':'));
    if !ok {
        return Err(TrustStoreError::BadPrefix(prefix.to_string()));
    }
    Ok(comps.into_iter().map(str::to_string).collect())
}

impl TrustStore {
    pub fn new(admin: &Path, vendor: &Path) -> TrustStore {
        TrustStore {
            admin: admin.to_path_buf(),
            vendor: vendor.to_path_buf(),
        }
    }

    /// Every key trusted for `repository` (`host/path`), from root.d and from every prefix dir on the
    /// way down, admin before vendor, masked vendor keys left out.
    pub fn keys_for(
        &self,
        name: &crate::reference::ImageName,
    ) -> Result<Vec<TrustedKey>, TrustStoreError> {
        // Only a parsed, validated name addresses the store; each component is checked again
        // here so no lookup can ever leave `prefix.d` whatever a future parser lets through.
        let repository = name.repository();
        let comps: Vec<&str> = repository.split('/').collect();
        if comps
            .iter()
            .any(|c| c.is_empty() || *c == "." || *c == ".." || c.contains('\0'))
        {
            return Err(TrustStoreError::BadPrefix(repository));
        }
        let mut rels: Vec<(PathBuf, String)> = vec![(PathBuf::from("root.d"), "*".to_string())];
        for i in 1..=comps.len() {
            let mut rel = PathBuf::from("prefix.d");
            for c in &comps[..i] {
                rel.push(c);
            }
            rels.push((rel, comps[..i].join("/")));
        }
        let mut out = Vec::new();
        let bases = self.open_bases()?;
        for (rel, prefix) in rels {
            self.collect(&bases, &rel, &prefix, &mut out)?;
        }
        Ok(out)
    }

    /// Every trusted key in both dirs (for `trust list`).
    pub fn all(&self) -> Result<Vec<TrustedKey>, TrustStoreError> {
        let mut out = Vec::new();
        let bases = self.open_bases()?;
        self.collect(&bases, Path::new("root.d"), "*", &mut out)?;
        let mut prefixes = std::collections::BTreeSet::new();
        for base in [&self.admin, &self.vendor] {
            walk_prefixes(&base.join("prefix.d"), &mut Vec::new(), &mut prefixes)?;
        }
        for p in prefixes {
            let mut rel = PathBuf::from("prefix.d");
            for c in p.split('/') {
                rel.push(c);
            }
            self.collect(&bases, &rel, &p, &mut out)?;
        }
        Ok(out)
    }

    /// The admin and vendor dirs, each checked (`owned`) and opened once per lookup; a missing one
    /// is None. Every prefix level is then reached below these handles.
    fn open_bases(&self) -> Result<Vec<Base<'_>>, TrustStoreError> {
        [(&self.admin, "admin"), (&self.vendor, "vendor")]
            .into_iter()
            .map(|(path, origin)| {
                let fd = crate::owned::open(path, "trust store", crate::owned::Kind::Dir).map_err(
                    |e| io(path, "check ownership")(std::io::Error::other(e.to_string())),
                )?;
                Ok(Base {
                    path,
                    origin,
                    tree: fd,
                })
            })
            .collect()
    }

    fn collect(
        &self,
        bases: &[Base<'_>],
        rel: &Path,
        prefix: &str,
        out: &mut Vec<TrustedKey>,
    ) -> Result<(), TrustStoreError> {
        let mut seen = std::collections::HashSet::new();
        for b in bases {
            let (base, origin) = (b.path, b.origin);
            let dir = base.join(rel);
            // The store itself belongs to root all the way up (checked by `open_bases`); below it,
            // nothing is followed through a symlink (the one safe walker, `liftoff_common::walk`), so no
            // key is read from outside the store.
            let Some(tree) = &b.tree else {
                continue;
            };
            let comps: Vec<std::ffi::CString> = rel
                .components()
                .filter_map(|c| match c {
                    std::path::Component::Normal(n) => {
                        std::ffi::CString::new(n.as_encoded_bytes()).ok()
                    }
                    _ => None,
                })
                .collect();
            // Every dir below the base counts as much as the base (one others may write could
            // lose an admin mask or gain a key): each level is opened without following symlinks
            // and checked, down to the one that holds the keys.
            let mut dir_fd = None;
            for depth in 1..=comps.len() {
                let fd = match walk::open_dir(tree.as_fd(), &comps[..depth], None) {
                    Ok(fd) => fd,
                    Err(walk::WalkError::Missing(_)) | Err(walk::WalkError::NotDir(_)) => {
                        dir_fd = None;
                        break;
                    }
                    Err(e) => {
                        return Err(io(&dir, "open without following symlinks")(
                            std::io::Error::other(e.to_string()),
                        ))
                    }
                };
                let level: PathBuf = comps[..depth]
                    .iter()
                    .map(|c| std::ffi::OsStr::from_bytes(c.to_bytes()))
                    .collect();
                let shown = base.join(level);
                let st = rustix::fs::fstat(&fd).map_err(|e| io(&shown, "stat")(e.into()))?;
                let uid_ok = st.st_uid == 0 || st.st_uid == rustix::process::geteuid().as_raw();
                if !uid_ok || st.st_mode & 0o022 != 0 {
                    return Err(io(&shown, "check ownership")(std::io::Error::other(format!(
                        "refusing to use it: owned by uid {} with mode {:04o}; it must belong to root and not be writable by group or others (`chown root: {}; chmod go-w {}`)",
                        st.st_uid,
                        st.st_mode & 0o7777,
                        shown.display(),
                        shown.display()
                    ))));
                }
                dir_fd = Some(fd);
            }
            let Some(dir_fd) = dir_fd else {
                continue;
            };
            let mut names: Vec<String> = walk::list_dir(dir_fd.as_fd())
                .map_err(io(&dir, "read directory"))?
                .into_iter()
                .map(|n| n.to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".pub"))
                .collect();
            names.sort();
            for name in names {
                // The admin file (even an empty mask) shadows the vendor file of the same name.
                if !seen.insert(name.clone()) {
                    continue;
                }
                let path = dir.join(&name);
                let bytes = match crate::owned::read_in(
                    &dir_fd,
                    &dir,
                    &name,
                    "trusted key",
                    MAX_KEY_FILE,
                ) {
                    Ok(Some(b)) => b,
                    Ok(None) => continue,
                    Err(e) => {
                        liftoff_stage2::warning!("ignoring {}: {e}", path.display());
                        continue;
                    }
                };
                if bytes.is_empty() {
                    continue; // empty file: a mask
                }
                let key = match PublicKey::parse(&bytes) {
                    Ok(k) => k,
                    Err(e) => {
                        liftoff_stage2::warning!("ignoring {}: {e}", path.display());
                        continue;
                    }
                };
                let key_id = key.key_id();
                if name != format!("{key_id}.pub") {
                    liftoff_stage2::warning!(
                        "ignoring {}: its key id is {key_id}; the file must be named {key_id}.pub",
                        path.display()
                    );
                    continue;
                }
                out.push(TrustedKey {
                    algorithm: key.algorithm().to_string(),
                    key,
                    key_id,
                    prefix: prefix.to_string(),
                    path,
                    origin,
                });
            }
        }
        Ok(())
    }

    /// Trusts `key` for `prefix` (or for every name with `root`) in the admin dir.
    pub fn add(&self, key: &PublicKey, prefix: Option<&str>) -> Result<PathBuf, TrustStoreError> {
        let (dir, shown) = self.dir_for(prefix)?;
        let keyid = key.key_id();
        let path = dir.join(format!("{keyid}.pub"));
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
            return Err(TrustStoreError::Exists {
                keyid,
                prefix: shown,
                path,
            });
        }
        std::fs::create_dir_all(&dir).map_err(io(&dir, "create directory"))?;
        liftoff_common::atomic::write(&path, key.to_pem().as_bytes()).map_err(|e| {
            TrustStoreError::Io {
                path: e.path,
                op: e.op,
                source: e.source,
            }
        })?;
        Ok(path)
    }

    /// Stops trusting `keyid` for `prefix`: removes the admin file, and masks a vendor file with an
    /// empty admin file. Returns the paths changed.
    pub fn remove(
        &self,
        keyid: &str,
        prefix: Option<&str>,
    ) -> Result<Vec<PathBuf>, TrustStoreError> {
        let (dir, shown) = self.dir_for(prefix)?;
        let rel = dir.strip_prefix(&self.admin).unwrap_or(&dir).to_path_buf();
        let name = format!("{keyid}.pub");
        let admin_file = dir.join(&name);
        let vendor_file = self.vendor.join(&rel).join(&name);
        let mut changed = Vec::new();
        let admin_has = std::fs::metadata(&admin_file).is_ok_and(|m| m.len() > 0);
        let vendor_has = std::fs::metadata(&vendor_file).is_ok_and(|m| m.len() > 0);
        if !admin_has && !vendor_has {
            return Err(TrustStoreError::NotFound {
                keyid: keyid.to_string(),
                prefix: shown,
            });
        }
        if vendor_has {
            std::fs::create_dir_all(&dir).map_err(io(&dir, "create directory"))?;
            std::fs::write(&admin_file, b"").map_err(io(&admin_file, "write mask"))?;
        } else {
            std::fs::remove_file(&admin_file).map_err(io(&admin_file, "remove"))?;
        }
        changed.push(admin_file);
        Ok(changed)
    }

    /// The admin dir that holds keys for `prefix`, created (0755) if missing, after checking it
    /// and everything above it belongs to root: `trust add`/`rm` write there as root.
    fn dir_for(&self, prefix: Option<&str>) -> Result<(PathBuf, String), TrustStoreError> {
        let (dir, shown) = match prefix {
            None => (self.admin.join("root.d"), "*".to_string()),
            Some(p) => {
                let mut dir = self.admin.join("prefix.d");
                for c in prefix_components(p)? {
                    dir.push(c);
                }
                (dir, p.trim_end_matches('/').to_string())
            }
        };
        crate::owned::ensure_dir(&dir, "trust store", 0o755)
            .map_err(|e| io(&dir, "check ownership")(std::io::Error::other(e.to_string())))?;
        Ok((dir, shown))
    }
}

fn walk_prefixes(
    dir: &Path,
    comps: &mut Vec<String>,
    out: &mut std::collections::BTreeSet<String>,
) -> Result<(), TrustStoreError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(_) => return Ok(()),
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() && comps.len() < 64 {
            comps.push(name);
            walk_prefixes(&e.path(), comps, out)?;
            comps.pop();
        } else if ft.is_file() && name.ends_with(".pub") && !comps.is_empty() {
            out.insert(comps.join("/"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_by_component() {
        assert!(prefix_matches("example.com/foo", "example.com/foo"));
        assert!(prefix_matches("example.com/foo", "example.com/foo/bar"));
        assert!(!prefix_matches("example.com/foo", "example.com/foobar"));
        assert!(!prefix_matches("example.com/foo", "evil.com/foo"));
        assert!(!prefix_matches("example.com/foo/bar", "example.com/foo"));
    }

    #[test]
    fn prefix_components_are_checked() {
        assert!(prefix_components("example.com/team").is_ok());
        assert!(prefix_components("127.0.0.1:5000/a").is_ok());
        for bad in ["", "a//b", "../x", "a/../b", "Example.com", "a/b:c"] {
            assert!(prefix_components(bad).is_err(), "{bad}");
        }
    }
}
