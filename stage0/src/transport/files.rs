//! Named files inside a local source: a directory, or a tar archive read in place.
//!
//! Archives are scanned once for the offset of each member and then read by seeking, so a blob in an
//! oci-archive streams straight from the archive file, with no extraction to a temporary directory.

use super::{io_err, TransportError};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Most members an archive may have before we stop scanning it.
const MAX_ARCHIVE_MEMBERS: usize = 100_000;

/// An opened member and its size.
pub type Member<'a> = (Box<dyn Read + Send + 'a>, u64);

/// Read access to the named members of a source.
pub trait Files: Send + Sync {
    /// Opens `name` (a relative, `/`-separated path). Ok(None) when it does not exist.
    fn open(&self, name: &str) -> Result<Option<Member<'_>>, TransportError>;
    fn describe(&self) -> String;
}

/// Members of a directory.
pub struct DirFiles {
    root: PathBuf,
}

impl DirFiles {
    pub fn new(root: &Path) -> Result<Self, TransportError> {
        let md = std::fs::metadata(root).map_err(|e| io_err(root, e))?;
        if !md.is_dir() {
            return Err(TransportError::Invalid {
                source_name: root.display().to_string(),
                reason: "is not a directory (for an archive use oci-archive: or docker-archive:)"
                    .into(),
            });
        }
        Ok(DirFiles {
            root: root.to_path_buf(),
        })
    }
}

fn safe_member(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

impl Files for DirFiles {
    fn open(&self, name: &str) -> Result<Option<Member<'_>>, TransportError> {
        if !safe_member(name) {
            return Ok(None);
        }
        let p = self.root.join(name);
        match File::open(&p) {
            Ok(f) => {
                let md = f.metadata().map_err(|e| io_err(&p, e))?;
                if !md.is_file() {
                    return Ok(None);
                }
                Ok(Some((Box::new(f), md.len())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&p, e)),
        }
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

/// Members of a (plain, uncompressed) tar archive, located by one scan.
pub struct TarFiles {
    path: PathBuf,
    members: HashMap<String, (u64, u64)>,
}

impl TarFiles {
    pub fn scan(path: &Path) -> Result<Self, TransportError> {
        let f = File::open(path).map_err(|e| io_err(path, e))?;
        let mut head = [0u8; 4];
        let n = (&f).read(&mut head).map_err(|e| io_err(path, e))?;
        if head[..n].starts_with(&[0x1f, 0x8b]) || head[..n].starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        {
            return Err(TransportError::Invalid {
                source_name: path.display().to_string(),
                reason: "is a compressed archive; decompress it first (archives are read in place and must be plain tar)".into(),
            });
        }
        (&f).seek(SeekFrom::Start(0)).map_err(|e| io_err(path, e))?;
        let bad = |e: std::io::Error| TransportError::Invalid {
            source_name: path.display().to_string(),
            reason: format!("is not a readable tar archive (truncated or corrupt?): {e}"),
        };
        let mut ar = tar::Archive::new(f);
        let mut members = HashMap::new();
        for entry in ar.entries_with_seek().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            if members.len() >= MAX_ARCHIVE_MEMBERS {
                return Err(TransportError::Invalid {
                    source_name: path.display().to_string(),
                    reason: format!("has more than {MAX_ARCHIVE_MEMBERS} members"),
                });
            }
            let kind = entry.header().entry_type();
            if !(kind.is_file() || kind == tar::EntryType::Continuous) {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).to_string();
            let name = name.trim_start_matches("./").to_string();
            let pos = entry.raw_file_position();
            let size = entry.size();
            // First member of a name wins; a later duplicate cannot swap content under a checked name.
            members.entry(name).or_insert((pos, size));
        }
        let len = std::fs::metadata(path).map_err(|e| io_err(path, e))?.len();
        for (name, (pos, size)) in &members {
            if pos.saturating_add(*size) > len {
                return Err(TransportError::Invalid {
                    source_name: path.display().to_string(),
                    reason: format!(
                        "member {name} extends past the end of the file; the archive is truncated"
                    ),
                });
            }
        }
        Ok(TarFiles {
            path: path.to_path_buf(),
            members,
        })
    }
}

impl Files for TarFiles {
    fn open(&self, name: &str) -> Result<Option<Member<'_>>, TransportError> {
        let Some(&(pos, size)) = self.members.get(name) else {
            return Ok(None);
        };
        let mut f = File::open(&self.path).map_err(|e| io_err(&self.path, e))?;
        f.seek(SeekFrom::Start(pos))
            .map_err(|e| io_err(&self.path, e))?;
        Ok(Some((Box::new(f.take(size)), size)))
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}
