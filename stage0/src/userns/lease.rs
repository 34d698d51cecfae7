//! Which pod holds which ids: one lease file per pod, `<state_root>/userns/<pod id>.json`, and the
//! allocator that hands out ranges no live pod holds.
//!
//! There is no daemon to remember allocations, so the files are the truth. Each is written with the
//! one atomic writer, so a reader sees a whole lease or none. Allocation reads all of them and
//! writes a new one under an exclusive flock on `<state_root>/locks/userns.lock`, so two `run`s can
//! never pick the same range; the kernel drops the lock when a holder dies, so a SIGKILLed `run`
//! leaves nothing locked. A lease is live while its pod has a dir in some state dir; once `gc` has
//! removed the dir (or a crashed `run` never got far), the next allocation removes the lease.

use super::pool::{IdRange, Pool};
use super::{io, UsernsError};
use liftoff_common::lock;
use std::collections::BTreeMap;
use std::fs::DirBuilder;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// What a pod holds: its uid range and gid range (same size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lease {
    pub uid: IdRange,
    pub gid: IdRange,
}

/// The pod state dirs under `pods/`, in the only order pods move through them (by rename(2)); the
/// same list as `pod::PodDirState::ALL` (a test checks), repeated so this module stays below `pod`.
pub(super) const POD_STATES: [&str; 6] = [
    "embryo",
    "prepare",
    "prepared",
    "run",
    "exited-garbage",
    "garbage",
];

/// Refuses anything that is not uuid-shaped, so an id can never name a path outside `userns/`.
fn check_pod_id(id: &str) -> Result<(), UsernsError> {
    let ok = id.len() == 36
        && id
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(UsernsError::PodId { id: id.to_string() })
    }
}

fn lease_dir(state_root: &Path) -> PathBuf {
    state_root.join("userns")
}

fn lease_path(state_root: &Path, id: &str) -> PathBuf {
    lease_dir(state_root).join(format!("{id}.json"))
}

/// Whether pod `id` has a dir in any state dir. States are checked in the order pods move through
/// them: a pod renamed from state i to a later j while we look is then still found in j. Anything
/// but "not there" (say EACCES) counts as there, so a lease is never reclaimed on a doubt.
fn pod_dir_exists(state_root: &Path, id: &str) -> bool {
    POD_STATES.iter().any(|state| {
        let dir = state_root.join("pods").join(state).join(id);
        !matches!(std::fs::symlink_metadata(dir), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
    })
}

/// Every lease, sorted by pod id. Lease files are replaced atomically, so reading without the lock
/// sees each whole; one that vanishes while we read was released and is left out.
pub fn leases(state_root: &Path) -> Result<Vec<(String, Lease)>, UsernsError> {
    Ok(read_leases(state_root)?.into_iter().collect())
}

fn read_leases(state_root: &Path) -> Result<BTreeMap<String, Lease>, UsernsError> {
    let dir = lease_dir(state_root);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(io(&dir, "read directory")(e)),
    };
    let mut out = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(io(&dir, "read directory"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // A writer killed mid-write leaves its temp file; it is no lease.
        if liftoff_common::atomic::is_temp_name(&name) {
            continue;
        }
        let path = entry.path();
        let bad = |reason: String| UsernsError::Lease {
            path: path.clone(),
            reason,
        };
        let Some(id) = name.strip_suffix(".json") else {
            return Err(bad("not named <pod id>.json".into()));
        };
        check_pod_id(id).map_err(|_| bad("not named <pod id>.json".into()))?;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&path, "read")(e)),
        };
        let lease: Lease = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        if lease.uid.size == 0 || lease.uid.size != lease.gid.size {
            return Err(bad(
                "the uid and gid ranges must be the same, non-zero size".into(),
            ));
        }
        out.insert(id.to_string(), lease);
    }
    Ok(out)
}

/// Creates `dir` (and any missing parent) with mode 0700 if it is missing: leases and the lock are
/// liftoff's alone.
fn make_dir(dir: &Path) -> Result<(), UsernsError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io(dir, "create directory"))
}

/// Gives pod `pod_id` a uid range and a gid range of `size` ids that no live pod holds, and records
/// it in the pod's lease. The pod's dir must already exist (in any state dir), or the next
/// allocation would take the lease for a stale one. A pod that already holds a lease of this size
/// gets the same one again (a retried `run`); one of another size is replaced.
pub fn allocate(
    state_root: &Path,
    pod_id: &str,
    size: u32,
    pool: &Pool,
) -> Result<Lease, UsernsError> {
    check_pod_id(pod_id)?;
    let biggest = pool.biggest();
    if size == 0 || size > biggest {
        return Err(UsernsError::Size {
            size,
            biggest,
            origin: pool.origin.clone(),
        });
    }
    let locks = state_root.join("locks");
    make_dir(&locks)?;
    make_dir(&lease_dir(state_root))?;
    let lock_path = locks.join("userns.lock");
    let lock_file = lock::open_lock_file(&lock_path).map_err(io(&lock_path, "open"))?;
    lock::lock(&lock_file, lock::Mode::Exclusive).map_err(io(&lock_path, "lock"))?;
    if !pod_dir_exists(state_root, pod_id) {
        return Err(UsernsError::NoPodDir {
            id: pod_id.to_string(),
            pods: state_root.join("pods"),
        });
    }
    let mut live = live_leases(state_root)?;
    if let Some(own) = live.remove(pod_id) {
        if own.uid.size == size {
            return Ok(own);
        }
    }
    // Next fit: the search starts after the range handed out last (kept in the lock file), and
    // wraps to the pool's start only when nothing is free above it. Files a pod left outside its
    // dir (in host binds) keep its ids; reusing a freed range as late as possible keeps them from
    // belonging to the next pod at once.
    let cursor = read_cursor(&lock_file);
    let lease = find_free(&live, size, pool, cursor)
        .or_else(|| find_free(&live, size, pool, 0))
        .ok_or_else(|| UsernsError::Exhausted {
            origin: pool.origin.clone(),
            size,
            holders: live.len(),
        })?;
    write_cursor(&lock_file, lease.uid.end());
    let bytes = serde_json::to_vec(&lease).expect("a lease serializes");
    // Atomic but not fsynced (the fsyncs were most of what remapping cost a pod start): a lease
    // a power cut loses belonged to a pod that is dead after the reboot, whose files no new pod
    // sharing the range can reach (pod dirs are root's alone); gc removes them.
    liftoff_common::atomic::replace(&lease_path(state_root, pod_id), &bytes)?;
    // The lock is dropped with `lock_file` only now, after the lease is on disk.
    drop(lock_file);
    Ok(lease)
}

/// The leases whose pods still have a dir; the others are removed (reclaimed). Called under the
/// allocation lock, so no allocation writes while we decide.
fn live_leases(state_root: &Path) -> Result<BTreeMap<String, Lease>, UsernsError> {
    let mut all = read_leases(state_root)?;
    let stale: Vec<String> = all
        .keys()
        .filter(|id| !pod_dir_exists(state_root, id))
        .cloned()
        .collect();
    for id in stale {
        all.remove(&id);
        remove_lease(state_root, &id)?;
    }
    Ok(all)
}

/// Where the last allocation ended (the first id after it), from the lock file; 0 when unknown.
fn read_cursor(mut f: &std::fs::File) -> u64 {
    use std::io::{Read, Seek};
    let mut s = String::new();
    let _ = f.rewind();
    let _ = f.take(32).read_to_string(&mut s);
    s.trim().parse().unwrap_or(0)
}

/// Records where this allocation ended, for the next one (a lost cursor only means lowest fit).
/// Fixed width, written in place: truncating the file first would cost a journal commit.
fn write_cursor(f: &std::fs::File, next: u64) {
    use std::os::unix::fs::FileExt;
    let _ = f.write_all_at(format!("{next:020}\n").as_bytes(), 0);
}

/// The lowest free ranges at or above `from`: first the lowest start free for both uids and gids
/// (a pod whose uids and gids line up is easier to read in `ls -ln`), else the lowest uid and gid
/// starts apart.
fn find_free(live: &BTreeMap<String, Lease>, size: u32, pool: &Pool, from: u64) -> Option<Lease> {
    let mut taken_u: Vec<IdRange> = live.values().map(|l| l.uid).collect();
    let mut taken_g: Vec<IdRange> = live.values().map(|l| l.gid).collect();
    taken_u.sort_by_key(|r| r.start);
    taken_g.sort_by_key(|r| r.start);
    let size64 = u64::from(size);
    let fits_u = |from| lowest_fit(&pool.uids, &taken_u, size64, from);
    let fits_g = |from| lowest_fit(&pool.gids, &taken_g, size64, from);
    // Each round moves `from` up to the next start that fits one side; it ends when both agree or
    // one side has nothing left.
    let start = from;
    let mut from = from;
    let common = loop {
        let Some(u) = fits_u(from) else { break None };
        let Some(g) = fits_g(u) else { break None };
        if g == u {
            break Some(u);
        }
        from = g;
    };
    let (u, g) = match common {
        Some(s) => (s, s),
        None => (fits_u(start)?, fits_g(start)?),
    };
    let range = |start: u64| IdRange {
        start: start as u32,
        size,
    };
    Some(Lease {
        uid: range(u),
        gid: range(g),
    })
}

/// The lowest start at or above `from` such that [start, start+size) lies inside one range of
/// `pool` and overlaps none of `taken` (sorted by start).
fn lowest_fit(pool: &[IdRange], taken: &[IdRange], size: u64, from: u64) -> Option<u64> {
    for r in pool {
        let mut start = from.max(u64::from(r.start));
        while start + size <= r.end() {
            let want = IdRange {
                start: start as u32,
                size: size as u32,
            };
            match taken.iter().find(|t| t.overlaps(&want)) {
                // Taken is sorted by start, so the first overlap is the lowest; skip past it.
                Some(t) => start = t.end(),
                None => return Some(start),
            }
        }
    }
    None
}

fn remove_lease(state_root: &Path, id: &str) -> Result<(), UsernsError> {
    let path = lease_path(state_root, id);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(&path, "remove")(e)),
    }
}

/// Frees pod `pod_id`'s ranges; a pod without a lease is fine. No lock is needed: removing the file
/// is atomic, and an allocation that read it a moment before only skips ids that were free. Not
/// fsynced either: a removal lost to a power cut is redone by the next allocation's reclaim.
pub fn release(state_root: &Path, pod_id: &str) -> Result<(), UsernsError> {
    check_pod_id(pod_id)?;
    // What a `run` killed while it wrote this pod's lease left: its temp file (only that pod's
    // writer uses that name, and the pod is being collected).
    let prefix = format!(".{pod_id}.json.tmp-");
    if let Ok(entries) = std::fs::read_dir(lease_dir(state_root)) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    remove_lease(state_root, pod_id)
}
