//! Staging directories under `<root>/tmp/`: every write is built there and renamed into place, so a
//! crash leaves either the old state or the new one. A staging dir removes itself on drop; one left
//! by a killed process is swept by `image gc`, which runs only when no fetch holds the store.

use super::{io, StoreError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
}

impl Staging {
    pub fn new(tmp: &Path, kind: &str) -> Result<Staging, StoreError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = tmp.join(format!("{kind}.{}.{nanos:x}.{n}", std::process::id()));
        std::fs::create_dir(&path).map_err(io(&path, "create staging directory"))?;
        Ok(Staging { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                liftoff_stage2::warning!(
                    "could not remove the staging dir {}: {e} (`liftoff image gc` removes it)",
                    self.path.display()
                );
            }
        }
    }
}
