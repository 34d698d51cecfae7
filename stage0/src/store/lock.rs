//! flock(2)-based locks on files under `<root>/locks/`. The kernel drops them when the holder dies,
//! so a SIGKILLed fetch can never leave the store locked.

use super::{io, StoreError};
use rustix::fs::{flock, FlockOperation};
use std::fs::{File, OpenOptions};
use std::path::Path;

/// A held lock; released on drop (closing the fd).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    fn take(path: &Path, op: FlockOperation, try_op: FlockOperation) -> Result<Lock, StoreError> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(io(path, "open lock file"))?;
        if flock(&file, try_op).is_err() {
            tracing::debug!("waiting for lock {}", path.display());
            flock(&file, op).map_err(|e| StoreError::Io {
                path: path.to_path_buf(),
                op: "flock",
                source: e.into(),
            })?;
        }
        Ok(Lock { _file: file })
    }

    pub fn shared(path: &Path) -> Result<Lock, StoreError> {
        Self::take(
            path,
            FlockOperation::LockShared,
            FlockOperation::NonBlockingLockShared,
        )
    }

    pub fn exclusive(path: &Path) -> Result<Lock, StoreError> {
        Self::take(
            path,
            FlockOperation::LockExclusive,
            FlockOperation::NonBlockingLockExclusive,
        )
    }
}
