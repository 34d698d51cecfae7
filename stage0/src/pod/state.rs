//! Reading and collecting pods (docs/architecture.md): a pod's state is the directory it is in plus whether its
//! dir is flock'ed, read without any daemon. Every read is a snapshot: a pod can move between
//! directories while we look, so a vanished entry (ENOENT) is normal, never an error.
//!
//! `gc` marks (exited → `exited-garbage/`, failed or abandoned preparations → `garbage/`), and sweeps
//! marked pods older than the grace period under an exclusive lock: kill and remove their cgroups
//! (needed after a SIGKILLed supervisor), detach any mount left below the pod dir, remove the dir. It
//! is idempotent and can be rerun after its own crash: a half-removed pod stays in a garbage dir.

use super::{PodDirState, PodError, Pods};
use liftoff_common::lock::Mode;
use serde::Serialize;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What a pod is doing, as users see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Embryo,
    Preparing,
    PrepareFailed,
    Prepared,
    Running,
    Exited,
    ExitedGarbage,
    Garbage,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Embryo => "embryo",
            State::Preparing => "preparing",
            State::PrepareFailed => "prepare-failed",
            State::Prepared => "prepared",
            State::Running => "running",
            State::Exited => "exited",
            State::ExitedGarbage => "exited-garbage",
            State::Garbage => "garbage",
        }
    }
}

/// One pod, as read now.
#[derive(Debug, Clone, Serialize)]
pub struct PodInfo {
    pub id: String,
    /// The name given at run time (the first app's --name), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub state: State,
    #[serde(skip)]
    pub dir: PathBuf,
    /// The dir's lock is held: by the supervisor, or, for an exited pod, by its network teardown.
    #[serde(skip)]
    pub locked: bool,
    pub apps: Vec<String>,
    pub images: Vec<String>,
    /// Unix seconds the pod dir was created.
    pub created: i64,
    /// Unix seconds the pod's init started, once it has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<i64>,
    /// The pod is ready: every app has started and every probe has passed.
    pub ready: bool,
    /// Network: "none (loopback)", "host", or the pod's addresses.
    pub net: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Per-app exit records, when the apps have exited.
    pub app_exits: Vec<liftoff_contract::records::AppExit>,
    /// Apps that are ready: started, and their `ready` probe passed if they have one.
    pub ready_apps: Vec<String>,
    /// Each app's state, image, exit code and restarts, in the manifest's order.
    pub app_states: Vec<super::apps::AppView>,
    /// The pod's host ids: "host", a remapped pod's range ("524288-589823"), or "-" (no manifest).
    pub ids: String,
    /// A remapped pod's id map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userns: Option<liftoff_contract::manifest::IdMap>,
}

/// How `list` and `status` show a pod's ids: the host range of its uids (and of its gids when
/// they differ), inclusive.
pub fn ids_shown(m: Option<&liftoff_contract::PodManifest>) -> String {
    let Some(m) = m else {
        return "-".into();
    };
    match &m.userns {
        None => "host".into(),
        Some(u) => {
            let range =
                |start: u32| format!("{start}-{}", u64::from(start) + u64::from(u.size) - 1);
            match u.uid == u.gid {
                true => range(u.uid),
                false => format!("uid {} gid {}", range(u.uid), range(u.gid)),
            }
        }
    }
}

/// Whether someone holds the pod dir's lock (probed with a non-blocking shared lock).
fn locked(dir: &Path) -> Option<bool> {
    liftoff_common::lock::is_held(dir)
}

fn state_of(dir_state: PodDirState, locked: bool) -> State {
    match (dir_state, locked) {
        (PodDirState::Embryo, _) => State::Embryo,
        (PodDirState::Prepare, true) => State::Preparing,
        (PodDirState::Prepare, false) => State::PrepareFailed,
        (PodDirState::Prepared, _) => State::Prepared,
        (PodDirState::Run, true) => State::Running,
        (PodDirState::Run, false) => State::Exited,
        (PodDirState::ExitedGarbage, _) => State::ExitedGarbage,
        (PodDirState::Garbage, _) => State::Garbage,
    }
}

fn mtime(p: &Path) -> Option<i64> {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

fn created(dir: &Path) -> i64 {
    std::fs::metadata(dir)
        .and_then(|m| m.created().or_else(|_| m.modified()))
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A record that is missing is None; one that cannot be read is None and said (a warning naming the
/// file), never passed over in silence.
fn loud<T, E: std::fmt::Display>(r: Result<Option<T>, E>) -> Option<T> {
    r.unwrap_or_else(|e| {
        liftoff_stage2::warning!("{e}");
        None
    })
}

/// Reads one pod dir; None if it vanished meanwhile.
fn read(dir_state: PodDirState, dir: &Path) -> Option<PodInfo> {
    let id = dir.file_name()?.to_string_lossy().into_owned();
    let is_locked = locked(dir)?;
    let mpath = dir.join(liftoff_contract::POD_MANIFEST_FILE);
    let manifest = match std::fs::read(&mpath) {
        Ok(b) => loud(
            liftoff_contract::PodManifest::from_slice(&b)
                .map(Some)
                .map_err(|e| format!("{}: {e}", mpath.display())),
        ),
        // A pod whose preparation failed early has none.
        Err(_) => None,
    };
    let apps: Vec<String> = manifest
        .as_ref()
        .map(|m| m.apps.iter().map(|a| a.spec.name.clone()).collect())
        .unwrap_or_default();
    let image_lines: Vec<String> = std::fs::read_to_string(dir.join("images"))
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let exit_code = loud(liftoff_contract::records::read_pod_exit(dir)).map(|e| e.exit_code);
    let app_exits = apps
        .iter()
        .filter_map(|a| loud(liftoff_contract::records::read_app_exit(dir, a)))
        .collect();
    let name = std::fs::read_to_string(dir.join("name"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let net = match manifest.as_ref().map(|m| (m.net, m)) {
        Some((liftoff_contract::NetMode::Host, _)) => "host".to_string(),
        Some((liftoff_contract::NetMode::None, _)) => "none".to_string(),
        Some((liftoff_contract::NetMode::Cni, m)) => {
            // The addresses while attached; the network names once detached.
            let ips: Vec<String> = loud(liftoff_contract::network::read_state(dir))
                .map(|s| {
                    s.attachments
                        .iter()
                        .filter_map(|(_, _, r)| r.as_ref())
                        .flat_map(liftoff_contract::network::ips)
                        .collect()
                })
                .unwrap_or_default();
            if ips.is_empty() {
                m.networks
                    .iter()
                    .map(|n| n.name.clone())
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                ips.join(",")
            }
        }
        None => String::new(),
    };
    let ready_apps = apps
        .iter()
        .filter(|a| liftoff_contract::layout::app_ready(dir, a).exists())
        .cloned()
        .collect();
    // A pod whose exit is recorded has exited, even while its teardown still holds the lock.
    let state = match state_of(dir_state, is_locked) {
        State::Running if exit_code.is_some() => State::Exited,
        s => s,
    };
    let app_states = manifest.as_ref().map_or_else(Vec::new, |m| {
        super::apps::views(dir, m, state == State::Running, &image_lines)
    });
    // Each app's image (added apps included); the `images` file where there is no manifest.
    let images = match &manifest {
        Some(_) => app_states
            .iter()
            .map(|a| a.image.clone().unwrap_or_else(|| "-".into()))
            .collect(),
        None => image_lines,
    };
    Some(PodInfo {
        id,
        name,
        state,
        dir: dir.to_path_buf(),
        locked: is_locked,
        apps,
        images,
        created: created(dir),
        started: mtime(&dir.join("pid")),
        ready: dir.join("ready").exists(),
        ready_apps,
        ids: ids_shown(manifest.as_ref()),
        userns: manifest.as_ref().and_then(|m| m.userns),
        net,
        exit_code,
        app_exits,
        app_states,
    })
}

/// Every pod, oldest first. A pod renamed while we read can show up in two state dirs; states only
/// move forward in `STATES` order, so the later sighting wins.
pub fn list(pods: &Pods) -> Vec<PodInfo> {
    let mut by_id: std::collections::HashMap<String, PodInfo> = std::collections::HashMap::new();
    for s in PodDirState::ALL {
        let Ok(rd) = std::fs::read_dir(pods.state_dir(s)) else {
            continue;
        };
        for e in rd.flatten() {
            if let Some(p) = read(s, &e.path()) {
                by_id.insert(p.id.clone(), p);
            }
        }
    }
    let mut out: Vec<PodInfo> = by_id.into_values().collect();
    out.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    out
}

/// Finds a pod by its run-time name or a unique uuid prefix. Pods marked for gc are only found by
/// uuid. The error says how to get it right.
pub fn find(pods: &Pods, query: &str) -> Result<PodInfo, String> {
    let all = list(pods);
    let live = |p: &&PodInfo| !matches!(p.state, State::Garbage | State::ExitedGarbage);
    if let Some(p) = all
        .iter()
        .filter(live)
        .find(|p| p.name.as_deref() == Some(query))
    {
        return Ok(p.clone());
    }
    let hits: Vec<PodInfo> = all
        .into_iter()
        .filter(|p| !query.is_empty() && p.id.starts_with(query))
        .collect();
    match hits.len() {
        1 => Ok(hits.into_iter().next().expect("one")),
        0 => Err(format!(
            "no pod with uuid or name {query:?} (see `liftoff list --all`)"
        )),
        n => Err(format!(
            "{n} pods have uuids starting with {query:?}; give more of the uuid"
        )),
    }
}

/// Every layer some pod's manifest names, in any pod state, for image gc. The manifests are read
/// leniently (only `apps[].layers`, whatever their version), and one that cannot be read at all is
/// an error: gc must keep every layer rather than take one from under a pod it cannot see into.
pub fn layers_in_use(pods: &Pods) -> Result<Vec<crate::digest::Digest>, String> {
    let mut out = Vec::new();
    for state in PodDirState::ALL {
        let Ok(entries) = std::fs::read_dir(pods.state_dir(state)) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path().join(liftoff_contract::POD_MANIFEST_FILE);
            let b = match std::fs::read(&path) {
                Ok(b) => b,
                // A pod whose preparation failed before it had a manifest has no layers.
                Err(x) if x.kind() == std::io::ErrorKind::NotFound => continue,
                Err(x) => return Err(format!("{}: {x}", path.display())),
            };
            let m: serde_json::Value = serde_json::from_slice(&b)
                .map_err(|x| format!("{}: not readable as JSON ({x})", path.display()))?;
            let apps = m.get("apps").and_then(|a| a.as_array());
            for l in apps.into_iter().flatten().flat_map(|a| {
                a.get("layers")
                    .and_then(|l| l.as_array())
                    .into_iter()
                    .flatten()
            }) {
                let d = l
                    .as_str()
                    .and_then(|l| std::path::Path::new(l).file_name()?.to_str())
                    .and_then(crate::digest::Digest::from_hex);
                out.extend(d);
            }
        }
    }
    Ok(out)
}

/// Finds a pod again after it may have moved (by exact uuid).
pub fn refresh(pods: &Pods, id: &str) -> Option<PodInfo> {
    PodDirState::ALL
        .into_iter()
        .find_map(|s| read(s, &pods.dir(s, id)))
}

/// Waits until nobody holds the pod's lock (the supervisor exited), at most `timeout` (None =
/// forever). A blocking flock wakes the instant the kernel drops the lock. Returns whether it is free.
pub fn wait_unlocked(dir: &Path, timeout: Option<Duration>) -> bool {
    liftoff_common::lock::wait_free(dir, timeout)
}

/// Waits until the pod's apps have all exited (its `exit.json` exists) or its lock is free, at most
/// `timeout` (None = forever). Returns whether it has. This does not wait for the network teardown
/// that may follow (the stage1 holds the pod lock meanwhile).
pub fn wait_exited(dir: &Path, timeout: Option<Duration>) -> bool {
    let exit = liftoff_contract::layout::pod_exit(dir);
    let Ok(f) = File::open(dir) else {
        return true;
    };
    liftoff_common::lock::poll_until(timeout, || {
        exit.exists() || liftoff_common::lock::try_lock(&f, Mode::Shared).unwrap_or(false)
    })
}

/// Names given at run time must be unique among pods not yet marked for gc; this lock makes the
/// check and the claim one step for concurrent `run`s.
pub fn claim_name(pods: &Pods, name: &str, dir: &Path) -> Result<(), String> {
    if !liftoff_contract::valid_app_name(name) {
        return Err(format!(
            "pod name {name:?}: use 1-63 characters of a-z, 0-9 and '-'"
        ));
    }
    let lock_path = pods.root.join(".names.lock");
    let f = liftoff_common::lock::open_lock_file(&lock_path)
        .map_err(|e| format!("{}: {e}", lock_path.display()))?;
    liftoff_common::lock::lock(&f, Mode::Exclusive)
        .map_err(|e| format!("{}: lock: {e}", lock_path.display()))?;
    if let Some(p) = list(pods).into_iter().find(|p| {
        p.name.as_deref() == Some(name) && !matches!(p.state, State::Garbage | State::ExitedGarbage)
    }) {
        return Err(format!(
            "a pod named {name:?} already exists ({}, {}); `liftoff rm {name}` it or choose another --name",
            p.id,
            p.state.as_str()
        ));
    }
    std::fs::write(dir.join("name"), format!("{name}\n"))
        .map_err(|e| format!("{}: {e}", dir.join("name").display()))
}

/// How long an unlocked embryo dir may exist before gc takes it for abandoned.
const EMBRYO_GRACE: Duration = Duration::from_secs(2);

/// How long gc and rm wait for an exited pod's network teardown (normally ~100 ms).
const TEARDOWN_WAIT: Duration = Duration::from_secs(2);

/// What one gc run did.
#[derive(Debug, Default, Serialize)]
pub struct GcReport {
    pub marked: Vec<String>,
    pub removed: Vec<String>,
    pub busy: Vec<String>,
    pub errors: Vec<String>,
}

/// Marks exited and failed pods and sweeps those marked longer ago than `grace`.
pub fn gc(pods: &Pods, grace: Duration, expire_prepared: Duration, mark_only: bool) -> GcReport {
    let mut rep = GcReport::default();
    let now = SystemTime::now();
    // Mark. The mark time is the mtime of a `gc-marked` file, so the grace period counts from it.
    for p in list(pods) {
        // An exited pod still tearing down its network: give it a moment rather than a retry.
        if p.state == State::Exited && p.locked && !wait_unlocked(&p.dir, Some(TEARDOWN_WAIT)) {
            continue;
        }
        let to = match p.state {
            State::Exited => PodDirState::ExitedGarbage,
            State::PrepareFailed => PodDirState::Garbage,
            // An embryo is locked within microseconds of its mkdir; one left unlocked for
            // seconds lost its creator (killed in between).
            State::Embryo if !p.locked && age(&p.dir, now) > EMBRYO_GRACE => PodDirState::Garbage,
            State::Prepared if age(&p.dir, now) >= expire_prepared => PodDirState::Garbage,
            _ => continue,
        };
        let dest = pods.dir(to, &p.id);
        if std::fs::rename(&p.dir, &dest).is_ok() {
            let _ = std::fs::write(dest.join("gc-marked"), b"");
            rep.marked.push(p.id.clone());
        }
    }
    if mark_only {
        return rep;
    }
    for s in [PodDirState::ExitedGarbage, PodDirState::Garbage] {
        let Ok(rd) = std::fs::read_dir(pods.state_dir(s)) else {
            continue;
        };
        for e in rd.flatten() {
            let dir = e.path();
            let id = e.file_name().to_string_lossy().into_owned();
            let marked = dir.join("gc-marked");
            // No mark file (marked by an older gc or by `rm`): due now. A mark newer than `now`
            // (clock steps, or marked by this very run) counts as just made.
            let since = match std::fs::metadata(&marked).and_then(|m| m.modified()) {
                Ok(t) => SystemTime::now().duration_since(t).unwrap_or_default(),
                Err(_) => Duration::MAX,
            };
            if since < grace {
                continue;
            }
            match sweep(&dir) {
                Ok(true) => rep.removed.push(id),
                Ok(false) => rep.busy.push(id),
                Err(x) => rep.errors.push(format!("pod {id}: {x}")),
            }
        }
    }
    rep
}

/// Removes one exited (or failed) pod now: mark and sweep it alone.
pub fn remove(pods: &Pods, p: &PodInfo) -> Result<(), String> {
    if matches!(p.state, State::Running | State::Preparing) {
        return Err(format!(
            "pod {} is {}; stop it first",
            p.id,
            p.state.as_str()
        ));
    }
    if p.locked && p.state == State::Exited && !wait_unlocked(&p.dir, Some(TEARDOWN_WAIT * 5)) {
        return Err(format!(
            "pod {} is still tearing down its network; try again",
            p.id
        ));
    }
    let dest = if p.state == State::Garbage {
        p.dir.clone()
    } else {
        pods.dir(PodDirState::ExitedGarbage, &p.id)
    };
    if p.dir != dest {
        std::fs::rename(&p.dir, &dest).map_err(|e| format!("pod {}: {e}", p.id))?;
    }
    match sweep(&dest) {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!("pod {} is busy (another command holds it)", p.id)),
        Err(e) => Err(format!("pod {}: {e}; `liftoff gc` retries", p.id)),
    }
}

fn age(dir: &Path, now: SystemTime) -> Duration {
    std::fs::metadata(dir)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| now.duration_since(t).ok())
        .unwrap_or_default()
}

/// Tears one marked pod down; Ok(false) if someone holds it. What the pod left outside its dir
/// (cgroups, networks, mounts) is the stage1's to release, through its `gc` entrypoint; a failure
/// there keeps the pod for the next gc. What stage0 itself mounted (the `--disk-limit` disk) is
/// stage0's to detach, whichever stage1 ran the pod, or none.
fn sweep(dir: &Path) -> Result<bool, PodError> {
    let f = match File::open(dir) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(super::io(dir, "open")(e)),
    };
    // `list` and `status` probe locks for an instant: only a lock held for a while means busy.
    if super::lock_exclusive(&f).is_err() {
        return Ok(false);
    }
    if let Some(stage1) = crate::stage1::Stage1::for_gc(dir)? {
        if !stage1.gc(dir)? {
            return Ok(false);
        }
    }
    super::disk::detach(dir);
    std::fs::remove_dir_all(dir).map_err(super::io(dir, "remove"))?;
    // The pod's id range is free once its dir is gone (pods/<state>/<uuid> under the state root).
    if let (Some(root), Some(id)) = (dir.ancestors().nth(3), dir.file_name()) {
        if let Err(e) = crate::userns::release(root, &id.to_string_lossy()) {
            liftoff_stage2::warning!("{e} (the next `liftoff run` reclaims it)");
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_and_lock_make_the_state() {
        assert_eq!(state_of(PodDirState::Run, true), State::Running);
        assert_eq!(state_of(PodDirState::Run, false), State::Exited);
        assert_eq!(state_of(PodDirState::Prepare, true), State::Preparing);
        assert_eq!(state_of(PodDirState::Prepare, false), State::PrepareFailed);
        assert_eq!(
            state_of(PodDirState::ExitedGarbage, false),
            State::ExitedGarbage
        );
    }

    #[test]
    fn gc_marks_then_sweeps_after_the_grace_period() {
        let t = std::env::temp_dir().join(format!("liftoff-gc-{}", std::process::id()));
        let pods = Pods::open(&t).unwrap();
        let id = "0b7c2a9e-4f1d-4c3a-9e2b-1a2b3c4d5e6f";
        std::fs::create_dir_all(pods.dir(PodDirState::Run, id).join("apps/x/upper")).unwrap();
        // The pod's stage1 (as recorded in its dir) is asked to release what the pod left outside
        // its dir before the dir goes: a fake one that notes the call.
        let fake = t.join("fake-stage1");
        let calls = t.join("stage1-calls");
        std::fs::write(
            &fake,
            format!(
                "#!/bin/sh\n[ -d \"$2\" ] && echo \"$1 $2\" >> {}\n",
                calls.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&t, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(
            pods.dir(PodDirState::Run, id).join("stage1.json"),
            format!(r#"{{"version":1,"path":"{}"}}"#, fake.display()),
        )
        .unwrap();
        let day = Duration::from_secs(86400);
        let r = gc(&pods, Duration::from_secs(3600), day, false);
        assert_eq!(r.marked, vec![id.to_string()]);
        assert!(r.removed.is_empty() && pods.dir(PodDirState::ExitedGarbage, id).exists());
        let r = gc(&pods, Duration::ZERO, day, false);
        assert_eq!(r.removed, vec![id.to_string()], "{:?}", r.errors);
        assert!(!pods.dir(PodDirState::ExitedGarbage, id).exists());
        assert_eq!(
            std::fs::read_to_string(&calls).unwrap(),
            format!(
                "gc {}\n",
                pods.dir(PodDirState::ExitedGarbage, id).display()
            )
        );
        // A running (locked) pod is left alone.
        std::fs::create_dir_all(pods.dir(PodDirState::Run, "busy")).unwrap();
        let f = File::open(pods.dir(PodDirState::Run, "busy")).unwrap();
        rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive).unwrap();
        let r = gc(&pods, Duration::ZERO, day, false);
        assert!(r.marked.is_empty() && pods.dir(PodDirState::Run, "busy").exists());
        // Prepared pods expire only after --expire-prepared.
        std::fs::create_dir_all(pods.dir(PodDirState::Prepared, "p1")).unwrap();
        let r = gc(&pods, Duration::ZERO, day, false);
        assert!(r.marked.is_empty() && pods.dir(PodDirState::Prepared, "p1").exists());
        let r = gc(&pods, Duration::ZERO, Duration::ZERO, false);
        assert_eq!(r.removed, vec!["p1".to_string()]);
        // An embryo left unlocked for seconds lost its creator; a locked one is in flight.
        for e in ["e-old", "e-busy"] {
            std::fs::create_dir_all(pods.dir(PodDirState::Embryo, e)).unwrap();
            File::open(pods.dir(PodDirState::Embryo, e))
                .unwrap()
                .set_modified(SystemTime::now() - Duration::from_secs(60))
                .unwrap();
        }
        let busy = File::open(pods.dir(PodDirState::Embryo, "e-busy")).unwrap();
        rustix::fs::flock(&busy, rustix::fs::FlockOperation::LockExclusive).unwrap();
        let r = gc(&pods, Duration::ZERO, Duration::ZERO, false);
        assert_eq!(r.removed, vec!["e-old".to_string()]);
        assert!(pods.dir(PodDirState::Embryo, "e-busy").exists());
        drop(busy);
        std::fs::remove_dir_all(&t).unwrap();
    }
}
