//! The pod's cgroups on unified (v2), hybrid and legacy (v1) hosts: one cgroup per pod with a child
//! per app (and, on v2, a leaf for the pod's init, since v2 forbids processes in inner nodes), with
//! memory, cpu and pids limits, removed when the pod ends.
//!
//! Where the pod goes: on v2, under the caller's own cgroup when it is delegated to us (systemd
//! `Delegate=yes` marks it with the `trusted.delegate`/`user.delegate` xattr; we then move ourselves
//! into a `supervisor` leaf), else under `/liftoff`. On v1 (and hybrid, whose v2 tree has no
//! controllers) the pod nests under the caller's own cgroup in each controller hierarchy, so limits
//! set on whatever started liftoff keep holding for the whole pod.
//!
//! Besides the limited controllers, the pod also gets cgroups in the accounting-only ones (v1
//! `cpuacct` when it is mounted apart from `cpu`, v1 `blkio`, v2 `io`), so `liftoff stats` can read cpu
//! time and block I/O per app. Those are best effort: a host where they cannot be used still runs pods.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Limits; None = unlimited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    pub memory_bytes: Option<u64>,
    pub cpus: Option<f64>,
    pub pids: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// cgroup v2 only, mounted at `root`.
    Unified { root: PathBuf },
    /// v1 controllers (controller → mount point) next to a controller-less v2 tree.
    Hybrid { v1: Vec<(String, PathBuf)> },
    /// v1 only.
    Legacy { v1: Vec<(String, PathBuf)> },
}

#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error("cgroup {path}: {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Unsupported(String),
}

fn io(path: &Path, op: &'static str) -> impl FnOnce(std::io::Error) -> CgroupError {
    let path = path.to_path_buf();
    move |source| CgroupError::Io { path, op, source }
}

/// Controllers liftoff sets limits with.
const CONTROLLERS: &[&str] = &["memory", "cpu", "pids"];
/// v1 hierarchies used only for accounting (read by `liftoff stats`).
const ACCOUNTING_V1: &[&str] = &["cpuacct", "blkio"];
/// v2 controllers enabled only for accounting.
const ACCOUNTING_V2: &[&str] = &["io"];

/// An app's cgroup below one of its pod's cgroup dirs (the contract names it).
pub use liftoff_contract::layout::app_cgroup as app_dir;

/// Parses mountinfo text into a layout.
pub fn parse_layout(mountinfo: &str) -> Result<Layout, CgroupError> {
    let mut v2: Option<PathBuf> = None;
    let mut v1: Vec<(String, PathBuf)> = Vec::new();
    for line in mountinfo.lines() {
        let Some((pre, post)) = line.split_once(" - ") else {
            continue;
        };
        let mount = match pre.split(' ').nth(4) {
            Some(m) => PathBuf::from(m.replace("\\040", " ")),
            None => continue,
        };
        let mut p = post.split(' ');
        let fstype = p.next().unwrap_or("");
        let opts = p.nth(1).unwrap_or("");
        match fstype {
            "cgroup2" => v2 = v2.or(Some(mount)),
            "cgroup" => {
                for c in opts.split(',') {
                    let wanted = CONTROLLERS.contains(&c) || ACCOUNTING_V1.contains(&c);
                    // One entry per hierarchy: co-mounted controllers (cpu,cpuacct) share a dir.
                    if wanted && !v1.iter().any(|(n, m)| n == c || *m == mount) {
                        v1.push((c.to_string(), mount.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    match (v2, v1.is_empty()) {
        (Some(root), true) => Ok(Layout::Unified { root }),
        (Some(_), false) => Ok(Layout::Hybrid { v1 }),
        (None, false) => Ok(Layout::Legacy { v1 }),
        (None, true) => Err(CgroupError::Unsupported(
            "no cgroup filesystem is mounted (looked in /proc/self/mountinfo); mount cgroup2 at /sys/fs/cgroup".into(),
        )),
    }
}

pub fn detect() -> Result<Layout, CgroupError> {
    let mi = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(io(Path::new("/proc/self/mountinfo"), "read"))?;
    parse_layout(&mi)
}

/// Our own cgroup path in a hierarchy ("" key for v2), from /proc/self/cgroup text.
pub fn own_path(proc_cgroup: &str, controller: Option<&str>) -> String {
    for l in proc_cgroup.lines() {
        let mut f = l.splitn(3, ':');
        let (_, ctrls, path) = (f.next(), f.next().unwrap_or(""), f.next().unwrap_or("/"));
        let hit = match controller {
            None => ctrls.is_empty(),
            Some(c) => ctrls.split(',').any(|x| x == c),
        };
        if hit {
            return path.to_string();
        }
    }
    "/".into()
}

/// Moves the calling process into the cgroups `pid` is in, in every hierarchy liftoff uses (for
/// `liftoff enter`: what it runs counts against the app's limits and dies with the pod).
pub fn join_same_as(layout: &Layout, pid: i32) -> Result<(), CgroupError> {
    let p = PathBuf::from(format!("/proc/{pid}/cgroup"));
    let text = std::fs::read_to_string(&p).map_err(io(&p, "read"))?;
    let dirs: Vec<PathBuf> = match layout {
        Layout::Unified { root } => {
            vec![root.join(own_path(&text, None).trim_start_matches('/'))]
        }
        Layout::Hybrid { v1 } | Layout::Legacy { v1 } => v1
            .iter()
            .map(|(c, m)| m.join(own_path(&text, Some(c)).trim_start_matches('/')))
            .collect(),
    };
    for d in dirs {
        write(&d, "cgroup.procs", "0")?;
    }
    Ok(())
}

fn write(dir: &Path, file: &str, value: &str) -> Result<(), CgroupError> {
    let p = dir.join(file);
    std::fs::write(&p, value).map_err(io(&p, "write"))
}

fn is_delegated(dir: &Path) -> bool {
    ["trusted.delegate", "user.delegate"].iter().any(|x| {
        let mut buf = [0u8; 8];
        rustix::fs::getxattr(dir, *x, &mut buf)
            .map(|n| n > 0)
            .unwrap_or(false)
    })
}

/// One pod's cgroups.
#[derive(Debug, Clone)]
pub struct PodCgroup {
    v2: bool,
    /// The pod dir in every hierarchy used.
    dirs: Vec<PathBuf>,
}

/// One app's cgroup in every hierarchy.
#[derive(Debug, Clone)]
pub struct AppCgroup {
    dirs: Vec<PathBuf>,
}

/// Whether the pod may do without this v1 hierarchy (an accounting-only one).
fn optional(controller: &str) -> bool {
    ACCOUNTING_V1.contains(&controller)
}

/// Whether the pod's cgroups are v2, and their parents with whether each may be left out.
fn pod_parents(layout: &Layout) -> Result<(bool, Vec<(PathBuf, bool)>), CgroupError> {
    let pc = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    match layout {
        Layout::Unified { root } => {
            let own = root.join(own_path(&pc, None).trim_start_matches('/'));
            if own != *root && is_delegated(&own) {
                // v2 forbids processes in a cgroup with children that use controllers: move
                // ourselves into a leaf first.
                let leaf = own.join("supervisor");
                std::fs::create_dir_all(&leaf).map_err(io(&leaf, "create"))?;
                write(&leaf, "cgroup.procs", "0")?;
                enable_controllers(&own)?;
                Ok((true, vec![(own, false)]))
            } else {
                let parent = root.join("liftoff");
                std::fs::create_dir_all(&parent).map_err(io(&parent, "create"))?;
                enable_controllers(root)?;
                enable_controllers(&parent)?;
                Ok((true, vec![(parent, false)]))
            }
        }
        Layout::Hybrid { v1 } | Layout::Legacy { v1 } => Ok((
            false,
            v1.iter()
                .map(|(c, m)| {
                    let dir = m
                        .join(own_path(&pc, Some(c)).trim_start_matches('/'))
                        .join("liftoff");
                    (dir, optional(c))
                })
                .collect(),
        )),
    }
}

fn enable_controllers(dir: &Path) -> Result<(), CgroupError> {
    let avail = std::fs::read_to_string(dir.join("cgroup.controllers")).unwrap_or_default();
    let pick = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter(|c| avail.split_whitespace().any(|a| a == **c))
            .map(|c| format!("+{c}"))
            .collect()
    };
    let need = pick(CONTROLLERS);
    let extra = pick(ACCOUNTING_V2);
    // Accounting is best effort: if enabling it fails, enable the limiting controllers alone.
    if !extra.is_empty() {
        let all = [need.clone(), extra].concat().join(" ");
        if write(dir, "cgroup.subtree_control", &all).is_ok() {
            return Ok(());
        }
    }
    if !need.is_empty() {
        write(dir, "cgroup.subtree_control", &need.join(" "))?;
    }
    Ok(())
}

fn apply_limits(v2: bool, dirs: &[PathBuf], l: &Limits) -> Result<(), CgroupError> {
    let has = |file: &str| dirs.iter().find(|d| d.join(file).exists()).cloned();
    let need = |file: &str, what: &str| {
        has(file).ok_or_else(|| {
            CgroupError::Unsupported(format!(
                "the {what} controller is not available on this host (no {file}); run without that limit"
            ))
        })
    };
    if let Some(m) = l.memory_bytes {
        if v2 {
            let d = need("memory.max", "memory")?;
            write(&d, "memory.max", &m.to_string())?;
            if d.join("memory.swap.max").exists() {
                write(&d, "memory.swap.max", "0")?;
            }
        } else {
            let d = need("memory.limit_in_bytes", "memory")?;
            write(&d, "memory.limit_in_bytes", &m.to_string())?;
            // As docker: no swap on top of the memory limit.
            if d.join("memory.memsw.limit_in_bytes").exists() {
                write(&d, "memory.memsw.limit_in_bytes", &m.to_string())?;
            }
        }
    }
    if let Some(c) = l.cpus {
        let period: u64 = 100_000;
        let quota = ((c * period as f64) as u64).max(1000);
        if v2 {
            let d = need("cpu.max", "cpu")?;
            write(&d, "cpu.max", &format!("{quota} {period}"))?;
        } else {
            let d = need("cpu.cfs_quota_us", "cpu")?;
            write(&d, "cpu.cfs_period_us", &period.to_string())?;
            write(&d, "cpu.cfs_quota_us", &quota.to_string())?;
        }
    }
    if let Some(p) = l.pids {
        let d = need("pids.max", "pids")?;
        write(&d, "pids.max", &p.to_string())?;
    }
    Ok(())
}

impl PodCgroup {
    pub fn create(
        layout: &Layout,
        pod_id: &str,
        limits: &Limits,
    ) -> Result<PodCgroup, CgroupError> {
        let (v2, parents) = pod_parents(layout)?;
        let name = format!("pod-{pod_id}");
        let mut dirs: Vec<PathBuf> = Vec::new();
        for (parent, optional) in parents {
            let d = parent.join(&name);
            match std::fs::create_dir_all(&d) {
                Ok(()) => dirs.push(d),
                // Without an accounting hierarchy `liftoff stats` shows less; the pod still runs.
                Err(_) if optional => {}
                Err(e) => {
                    let _ = (PodCgroup { v2, dirs }).remove();
                    return Err(io(&d, "create")(e));
                }
            }
        }
        let pod = PodCgroup { v2, dirs };
        if v2 {
            enable_controllers(&pod.dirs[0])?;
        }
        if let Err(e) = apply_limits(v2, &pod.dirs, limits) {
            let _ = pod.remove();
            return Err(e);
        }
        Ok(pod)
    }

    /// App `app`'s cgroup (made by [`PodCgroup::create_app`] or not).
    pub fn app(&self, app: &str) -> AppCgroup {
        AppCgroup {
            dirs: self.dirs.iter().map(|d| app_dir(d, app)).collect(),
        }
    }

    pub fn create_app(&self, app: &str, limits: &Limits) -> Result<AppCgroup, CgroupError> {
        let dirs: Vec<PathBuf> = self.dirs.iter().map(|d| app_dir(d, app)).collect();
        for d in &dirs {
            std::fs::create_dir_all(d).map_err(io(d, "create"))?;
        }
        apply_limits(self.v2, &dirs, limits)?;
        Ok(AppCgroup { dirs })
    }

    /// Puts the pod's init in the pod cgroup (on v2, in its `init` leaf).
    pub fn add_init(&self, pid: i32) -> Result<(), CgroupError> {
        for d in &self.dirs {
            let target = if self.v2 { d.join("init") } else { d.clone() };
            std::fs::create_dir_all(&target).map_err(io(&target, "create"))?;
            write(&target, "cgroup.procs", &pid.to_string())?;
        }
        Ok(())
    }

    /// Kills what is left and removes every cgroup of the pod. Idempotent.
    pub fn remove(&self) -> Result<(), CgroupError> {
        for d in &self.dirs {
            remove_tree(d)?;
        }
        Ok(())
    }

    /// For `liftoff gc` after a crash: the same from the layout and the pod id alone.
    pub fn remove_by_id(layout: &Layout, pod_id: &str) -> Result<(), CgroupError> {
        let pc = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let name = format!("pod-{pod_id}");
        let dirs: Vec<PathBuf> = match layout {
            Layout::Unified { root } => {
                let own = root.join(own_path(&pc, None).trim_start_matches('/'));
                vec![
                    root.join("liftoff").join(&name),
                    own.join(&name),
                    own.parent().unwrap_or(root).join(&name),
                ]
            }
            Layout::Hybrid { v1 } | Layout::Legacy { v1 } => v1
                .iter()
                .map(|(c, m)| {
                    m.join(own_path(&pc, Some(c)).trim_start_matches('/'))
                        .join("liftoff")
                        .join(&name)
                })
                .collect(),
        };
        for d in dirs {
            remove_tree(&d)?;
        }
        Ok(())
    }

    /// The pod's cgroup dirs, recorded in the pod dir so `liftoff gc` finds them even when it runs
    /// from another cgroup than the supervisor did (on v1 the pod nests under its starter's cgroup).
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// gc's removal from recorded dirs: only dirs inside a mounted cgroup hierarchy and named
    /// `pod-<pod_id>` are touched, whatever the record says.
    pub fn remove_recorded(
        layout: &Layout,
        pod_id: &str,
        dirs: &[PathBuf],
    ) -> Result<(), CgroupError> {
        let mounts: Vec<PathBuf> = match layout {
            Layout::Unified { root } => vec![root.clone()],
            Layout::Hybrid { v1 } | Layout::Legacy { v1 } => {
                v1.iter().map(|(_, m)| m.clone()).collect()
            }
        };
        let name = format!("pod-{pod_id}");
        for d in dirs {
            let ok = d.is_absolute()
                && d.file_name().is_some_and(|n| n == name.as_str())
                && !d
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
                && mounts.iter().any(|m| d.starts_with(m) && d != m);
            if ok {
                remove_tree(d)?;
            }
        }
        Ok(())
    }

    /// Whether the kernel OOM-killed something in the pod or in one app.
    pub fn oom_killed(&self, app: Option<&str>) -> bool {
        self.dirs.iter().any(|d| {
            let d = match app {
                Some(a) => app_dir(d, a),
                None => d.clone(),
            };
            let text = std::fs::read_to_string(d.join("memory.events"))
                .or_else(|_| std::fs::read_to_string(d.join("memory.oom_control")))
                .unwrap_or_default();
            text.lines().any(|l| {
                l.strip_prefix("oom_kill ")
                    .and_then(|n| n.trim().parse::<u64>().ok())
                    .unwrap_or(0)
                    > 0
            })
        })
    }
}

impl AppCgroup {
    /// The app cgroup whose dirs (one per hierarchy) the supervisor has made.
    pub fn from_dirs(dirs: Vec<PathBuf>) -> AppCgroup {
        AppCgroup { dirs }
    }

    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// SIGKILLs every process left in the app's cgroup (what an app stopped on request, or about
    /// to be restarted, leaves behind: its own children). Pids are read from `cgroup.procs`, which
    /// shows them in the reader's pid namespace: the pod's init reads and signals its own.
    /// Returns once the cgroup is empty, or after a second at most (a process in uninterruptible
    /// sleep dies when it wakes).
    pub fn kill_all(&self) {
        let Some(d) = self.dirs.first() else { return };
        let procs = d.join("cgroup.procs");
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            let pids: Vec<i32> = std::fs::read_to_string(&procs)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| l.trim().parse::<i32>().ok())
                .filter(|p| *p > 1)
                .collect();
            if pids.is_empty() || Instant::now() >= deadline {
                return;
            }
            if std::fs::write(d.join("cgroup.kill"), "1").is_err() {
                for pid in pids {
                    // SAFETY: kill with a pid read from the app's cgroup.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Kills what is left in the app's cgroup and removes it (an app leaving a live pod).
    pub fn remove(&self) -> Result<(), CgroupError> {
        for d in &self.dirs {
            remove_tree(d)?;
        }
        Ok(())
    }

    /// A cgroup that is never joined, for other modules' unit tests.
    #[cfg(test)]
    pub(crate) fn for_test() -> AppCgroup {
        AppCgroup {
            dirs: vec![PathBuf::from("/nonexistent/cgroup")],
        }
    }

    /// Moves the calling process into this cgroup in every hierarchy.
    pub fn join_self(&self) -> Result<(), CgroupError> {
        for d in &self.dirs {
            write(d, "cgroup.procs", "0")?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.dirs[0]
    }
}

/// Kills every process below `dir` and removes it, children first; bounded to a few seconds.
fn remove_tree(dir: &Path) -> Result<(), CgroupError> {
    if !dir.exists() {
        return Ok(());
    }
    let mut children = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                children.push(e.path());
            }
        }
    }
    for c in children {
        remove_tree(&c)?;
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if dir.join("cgroup.kill").exists() {
            let _ = std::fs::write(dir.join("cgroup.kill"), "1");
        }
        let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
        for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
            // SAFETY: kill with a pid read from the cgroup.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        match std::fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) if Instant::now() >= deadline => return Err(io(dir, "remove")(e)),
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";

    #[test]
    fn layouts() {
        match parse_layout(HYBRID).unwrap() {
            Layout::Hybrid { v1 } => {
                assert_eq!(v1.len(), 3);
                assert!(v1.contains(&("cpu".into(), PathBuf::from("/sys/fs/cgroup/cpu,cpuacct"))));
            }
            other => panic!("{other:?}"),
        }
        let unified = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_eq!(
            parse_layout(unified).unwrap(),
            Layout::Unified {
                root: "/sys/fs/cgroup".into()
            }
        );
        let legacy: String = HYBRID
            .lines()
            .filter(|l| !l.contains("cgroup2"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(matches!(
            parse_layout(&legacy).unwrap(),
            Layout::Legacy { .. }
        ));
        assert!(parse_layout("").is_err());
    }

    /// This project's machines: every controller in a hierarchy of its own.
    const SPLIT: &str = "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n33 31 0:30 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n38 31 0:35 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";

    #[test]
    fn accounting_hierarchies_are_used_once_each() {
        let Layout::Hybrid { v1 } = parse_layout(SPLIT).unwrap() else {
            panic!("not hybrid")
        };
        let names: Vec<&str> = v1.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["cpu", "cpuacct", "memory", "blkio", "pids"]);
        // Co-mounted cpu,cpuacct: one dir, not two.
        let Layout::Hybrid { v1 } = parse_layout(HYBRID).unwrap() else {
            panic!("not hybrid")
        };
        assert_eq!(
            v1.iter()
                .filter(|(_, m)| m.ends_with("cpu,cpuacct"))
                .count(),
            1
        );
        assert!(optional("blkio") && optional("cpuacct") && !optional("memory"));
    }

    #[test]
    fn own_paths() {
        let pc = "4:memory:/process_api/x\n1:cpu,cpuacct:/\n0::/system.slice/a.service\n";
        assert_eq!(own_path(pc, Some("memory")), "/process_api/x");
        assert_eq!(own_path(pc, Some("cpuacct")), "/");
        assert_eq!(own_path(pc, None), "/system.slice/a.service");
    }

    #[test]
    fn limits_on_a_fake_v2_tree() {
        let d = std::env::temp_dir().join(format!("liftoff-cg-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        for f in ["memory.max", "memory.swap.max", "cpu.max", "pids.max"] {
            std::fs::write(d.join(f), "max").unwrap();
        }
        apply_limits(
            true,
            std::slice::from_ref(&d),
            &Limits {
                memory_bytes: Some(1 << 20),
                cpus: Some(0.5),
                pids: Some(7),
            },
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(d.join("memory.max")).unwrap(),
            "1048576"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("memory.swap.max")).unwrap(),
            "0"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("cpu.max")).unwrap(),
            "50000 100000"
        );
        assert_eq!(std::fs::read_to_string(d.join("pids.max")).unwrap(), "7");
        std::fs::remove_dir_all(&d).unwrap();
        let e = apply_limits(
            true,
            &[PathBuf::from("/nonexistent")],
            &Limits {
                pids: Some(1),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("pids controller"), "{e}");
    }
}
