//! The leak test: snapshot what a pod could leave on the host, run a scenario, `gc`, snapshot again,
//! and require both to be identical. Used here for the lifecycle (50 pods started and stopped, 20
//! supervisors SIGKILLed during startup, gc SIGKILLed mid-sweep) and by later issues (networking adds
//! veths, leases and firewall rules to what is compared).
//!
//! Each scenario gets a store of its own (gc there cannot disturb other tests' pods) and the host to
//! itself (`pods::exclusive`: no other pod test runs meanwhile), since links, firewall rules, leases
//! and namespaces are host-wide.

use crate::pods::{new_world, World, IMAGE};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Everything compared before and after.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Snapshot {
    mounts: BTreeSet<String>,
    cgroups: BTreeSet<String>,
    links: BTreeSet<String>,
    netns: BTreeSet<String>,
    tmp: BTreeSet<String>,
    pod_dirs: BTreeSet<String>,
    locks: BTreeSet<String>,
    processes: BTreeSet<String>,
    firewall: BTreeSet<String>,
    leases: BTreeSet<String>,
    /// User-id range leases (`userns/<pod>.json` in the state root).
    id_ranges: BTreeSet<String>,
    /// The network sysctls pods' networks set (forwarding, route_localnet of liftoff's bridges).
    sysctls: BTreeSet<String>,
}

fn lines(cmd: &str, args: &[&str]) -> BTreeSet<String> {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn walk_cgroups(dir: &Path, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 12 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            let p = e.path();
            let s = p.display().to_string();
            if s.contains("liftoff") || s.contains("/pod-") {
                out.insert(s);
            }
            walk_cgroups(&p, out, depth + 1);
        }
    }
}

/// Inodes of everything below `root` (to match /proc/locks entries to this store).
fn inodes(root: &Path, out: &mut BTreeSet<u64>) {
    use std::os::unix::fs::MetadataExt;
    let Ok(rd) = std::fs::read_dir(root) else {
        return;
    };
    for e in rd.flatten() {
        if let Ok(m) = e.metadata() {
            out.insert(m.ino());
            if m.is_dir() && !e.path().ends_with("layers") && !e.path().ends_with("blobs") {
                inodes(&e.path(), out);
            }
        }
    }
}

pub(crate) fn snapshot(w: &World) -> Snapshot {
    let root = w.root.display().to_string();
    let mounts = std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| l.contains(&root))
        .map(|l| l.split(' ').skip(3).collect::<Vec<_>>().join(" "))
        .collect();
    let mut cgroups = BTreeSet::new();
    walk_cgroups(Path::new("/sys/fs/cgroup"), &mut cgroups, 0);
    // Links with their addresses, without counters and flags that change on their own (a new
    // bridge's IPv6 link-local address is "tentative" until duplicate address detection ends).
    let links = lines("ip", &["-o", "addr", "show"])
        .into_iter()
        .map(|l| {
            l.split(" valid_lft")
                .next()
                .unwrap_or("")
                .replace(" tentative", "")
        })
        .chain(
            lines("ip", &["-o", "link", "show"])
                .into_iter()
                .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" ")),
        )
        .collect();
    let netns = lines("ip", &["netns", "list"])
        .into_iter()
        .chain(lines("ls", &["/run/netns"]))
        .collect();
    let tmp = lines("ls", &["-A", &format!("{root}/tmp")]);
    let pod_dirs = pod_entries(w)
        .into_iter()
        .map(|(s, id)| format!("{s}/{id}"))
        .collect();
    let mut ino = BTreeSet::new();
    inodes(&w.root, &mut ino);
    let locks = std::fs::read_to_string("/proc/locks")
        .unwrap_or_default()
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .nth(5)
                .and_then(|f| f.rsplit(':').next())
                .and_then(|i| i.parse::<u64>().ok())
                .is_some_and(|i| ino.contains(&i))
        })
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .collect();
    // Any process still working for this store (a supervisor, an init, an app).
    let processes: BTreeSet<String> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let c = std::fs::read(e.path().join("cmdline")).ok()?;
            let c = String::from_utf8_lossy(&c).replace('\0', " ");
            c.contains(&root).then_some(c)
        })
        .collect();
    // Firewall rules, without counters (iptables-nft rules show up in both views).
    let firewall = lines("iptables-save", &[])
        .into_iter()
        .chain(lines("ip6tables-save", &[]))
        .filter(|l| !l.starts_with('#'))
        .map(|l| match l.strip_prefix(':') {
            Some(chain) => format!(":{}", chain.split(' ').next().unwrap_or("")),
            None => l,
        })
        .chain(
            lines("nft", &["list", "ruleset"])
                .into_iter()
                .map(|l| strip_counter(&l)),
        )
        .collect();
    // Address leases: host-local's (one file per address, holding the container id) and the
    // native network's in the store (the same, one dir per bridge).
    let mut leases = BTreeSet::new();
    lease_files(Path::new("/var/lib/cni/networks"), "", &mut leases);
    lease_files(&w.root.join("net/native"), "native ", &mut leases);
    let sysctls = [
        "net/ipv4/ip_forward",
        "net/ipv4/conf/liftoff0/route_localnet",
        "net/ipv4/conf/liftoff-cni0/route_localnet",
        "net/ipv4/conf/all/route_localnet",
        "net/ipv6/conf/all/forwarding",
    ]
    .iter()
    .map(|k| {
        let v = std::fs::read_to_string(format!("/proc/sys/{k}")).unwrap_or_default();
        format!("{k}={}", v.trim())
    })
    .collect();
    let id_ranges = lines("ls", &["-A", &format!("{root}/userns")]);
    Snapshot {
        sysctls,
        mounts,
        cgroups,
        links,
        netns,
        tmp,
        pod_dirs,
        locks,
        processes,
        firewall,
        leases,
        id_ranges,
    }
}

/// Every lease file in the per-network dirs below `root`, as "LABELnet/address holder"; the
/// allocators' own bookkeeping files are left out, a claim's leaked temp file is not.
fn lease_files(root: &Path, label: &str, out: &mut BTreeSet<String>) {
    let bookkeeping = |n: &str| {
        n == "lock"
            || n.starts_with("last_reserved_ip")
            || crate::network::is_lease_dir_bookkeeping(n)
    };
    for net in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(net.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = f.file_name().to_string_lossy().into_owned();
            if bookkeeping(&name) {
                continue;
            }
            let body = std::fs::read_to_string(f.path()).unwrap_or_default();
            out.insert(format!(
                "{label}{}/{name} {}",
                net.file_name().to_string_lossy(),
                body.trim()
            ));
        }
    }
}

/// Pods of this store (cgroups are host-wide and other tests' pods come and go meanwhile).
fn ours(w: &World) -> BTreeSet<String> {
    pod_entries(w)
        .into_iter()
        .map(|(_, id)| format!("pod-{id}"))
        .collect()
}

/// (state dir, uuid) of every pod dir of this store.
pub(crate) fn pod_entries(w: &World) -> Vec<(&'static str, String)> {
    liftoff::pod::STATES
        .iter()
        .flat_map(|s| {
            std::fs::read_dir(w.root.join("pods").join(s))
                .into_iter()
                .flatten()
                .flatten()
                .map(move |e| (*s, e.file_name().to_string_lossy().into_owned()))
        })
        .collect()
}

fn only_ours(s: &Snapshot, ids: &BTreeSet<String>) -> Snapshot {
    let keep = |p: &String| p.split('/').any(|c| ids.contains(c)) || !p.contains("/pod-");
    Snapshot {
        cgroups: s.cgroups.iter().filter(|p| keep(p)).cloned().collect(),
        mounts: s.mounts.clone(),
        links: s.links.clone(),
        netns: s.netns.clone(),
        tmp: s.tmp.clone(),
        pod_dirs: s.pod_dirs.clone(),
        locks: s.locks.clone(),
        processes: s.processes.clone(),
        firewall: s.firewall.clone(),
        leases: s.leases.clone(),
        id_ranges: s.id_ranges.clone(),
        sysctls: s.sysctls.clone(),
    }
}

/// `counter packets 12 bytes 720` → `counter`.
fn strip_counter(l: &str) -> String {
    match l.find("counter packets") {
        Some(i) => {
            let rest: Vec<&str> = l[i..].split(' ').skip(5).collect();
            format!("{}counter {}", &l[..i], rest.join(" "))
        }
        None => l.to_string(),
    }
}

fn assert_same(before: &Snapshot, after: &Snapshot, ids: &BTreeSet<String>, what: &str) {
    let (before, after) = (only_ours(before, ids), only_ours(after, ids));
    if before != after {
        panic!("{what}: the host changed.\nbefore: {before:#?}\nafter: {after:#?}");
    }
}

/// gc until nothing is left to sweep (a pod can still be on its way out when the first runs).
fn gc_all(w: &World) {
    for _ in 0..50 {
        let o = w.run(&["gc", "--grace-period", "0s", "--expire-prepared", "0s"]);
        assert!(
            o.status.success(),
            "gc: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let left = pod_entries(w).len();
        if left == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A store of its own, after a first pod has created the long-lived parts (the liftoff cgroups,
/// the bridge, the shared firewall chains, the state tree), and the snapshot to compare with.
fn warm_world() -> (World, Snapshot) {
    warm(new_world())
}

/// [`warm_world`] whose default network is the built-in CNI conflist.
fn warm_cni_world() -> (World, Snapshot) {
    warm(crate::pods::new_cni_world())
}

fn warm(w: World) -> (World, Snapshot) {
    w.ok(&["run", "-p", "19999:80", IMAGE, "--", "busybox", "true"]);
    gc_all(&w);
    let before = snapshot(&w);
    (w, before)
}

/// Starts `liftoff ARGS`, waits `delay`, SIGKILLs it (the supervisor, once stage0 has exec'd it).
fn run_and_kill(w: &World, args: &[&str], delay: Duration) {
    let mut c = w
        .cmd(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = c.kill();
    let _ = c.wait();
}

/// PR_SET_PDEATHSIG takes the pods down with their supervisors; gives the kernel a moment.
fn wait_pods_gone(w: &World) {
    let t = Instant::now();
    while !snapshot(w).processes.is_empty() && t.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A cheap pseudo-random sequence (no extra crate): xorshift seeded from the clock.
fn rng() -> impl FnMut(u64) -> u64 {
    let mut x = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    move |n| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn fifty_pods_started_and_stopped_leave_nothing() {
    fifty_pods_started_and_stopped_leave_nothing_on(warm_world);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn fifty_pods_started_and_stopped_leave_nothing_cni() {
    fifty_pods_started_and_stopped_leave_nothing_on(warm_cni_world);
}

fn fifty_pods_started_and_stopped_leave_nothing_on(warm: fn() -> (World, Snapshot)) {
    let _host = crate::pods::exclusive();
    let (w, before) = warm();
    let host = w._tmp.path().join("vol");
    std::fs::create_dir_all(&host).unwrap();
    let bind = format!("{}:/data", host.display());
    for i in 0..50 {
        match i % 3 {
            0 => {
                w.ok(&[
                    "run", "-v", &bind, "--tmpfs", "/t", IMAGE, "--", "busybox", "true",
                ]);
            }
            1 => {
                let port = format!("{}:80", 20000 + i);
                let id = w.ok(&[
                    "run", "-d", "-p", &port, "-v", "named:/n", IMAGE, "--", "busybox", "sleep",
                    "30",
                ]);
                w.ok(&["stop", id.trim()]);
            }
            _ => {
                let id = w.ok(&["prepare", IMAGE, "--", "busybox", "true"]);
                w.ok(&["run-prepared", id.trim()]);
            }
        }
    }
    let ids = ours(&w);
    assert!(ids.len() >= 50);
    gc_all(&w);
    assert_same(
        &before,
        &snapshot(&w),
        &ids,
        "50 pods started and stopped, then gc",
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn supervisors_killed_during_startup_leave_nothing_after_gc() {
    supervisors_killed_during_startup_leave_nothing_after_gc_on(warm_world);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn supervisors_killed_during_startup_leave_nothing_after_gc_cni() {
    supervisors_killed_during_startup_leave_nothing_after_gc_on(warm_cni_world);
}

fn supervisors_killed_during_startup_leave_nothing_after_gc_on(warm: fn() -> (World, Snapshot)) {
    let _host = crate::pods::exclusive();
    let (w, before) = warm();
    let mut rand = rng();
    for trial in 0..20 {
        let port = format!("{}:80", 21000 + trial);
        // From stage0's preparation through the supervisor's setup and CNI ADD to a running app.
        run_and_kill(
            &w,
            &[
                "run", "-p", &port, "-v", "named:/n", IMAGE, "--", "busybox", "sleep", "30",
            ],
            Duration::from_micros(rand(150_000)),
        );
    }
    wait_pods_gone(&w);
    let ids = ours(&w);
    assert!(!ids.is_empty(), "no startup got as far as creating its pod");
    let dirty = snapshot(&w);
    assert!(
        dirty.firewall != before.firewall || dirty.leases != before.leases,
        "no killed pod had attached its network: the scenario tests nothing"
    );
    gc_all(&w);
    assert_same(
        &before,
        &snapshot(&w),
        &ids,
        "20 SIGKILLed startups, then gc",
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn supervisors_killed_between_native_setup_steps_leave_nothing_after_gc() {
    let _host = crate::pods::exclusive();
    let (w, before) = warm_world();
    // Each step of the native attach, SIGKILLed right after it (stage1's failpoints): the lease
    // claimed and recorded, the veth made, the port elements added.
    for (i, step) in [
        "native-after-claim",
        "native-after-veth",
        "native-after-ports",
    ]
    .iter()
    .enumerate()
    {
        let port = format!("{}:80", 22000 + i);
        let o = w
            .cmd(&["run", "-p", &port, IMAGE, "--", "busybox", "sleep", "30"])
            .env("LIFTOFF_FAILPOINT", step)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!o.status.success(), "{step}: the supervisor was not killed");
    }
    wait_pods_gone(&w);
    let ids = ours(&w);
    assert_eq!(ids.len(), 3, "one pod per step: {ids:?}");
    let dirty = snapshot(&w);
    assert!(
        dirty.leases.len() >= before.leases.len() + 3,
        "every killed pod holds its lease before gc: {:?}",
        dirty.leases
    );
    assert!(
        dirty.links.len() > before.links.len(),
        "the veths made before the kills are there before gc"
    );
    assert!(
        dirty.firewall != before.firewall,
        "the killed pod's port element is there before gc"
    );
    gc_all(&w);
    assert_same(
        &before,
        &snapshot(&w),
        &ids,
        "supervisors SIGKILLed after each native setup step, then gc",
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn supervisors_killed_during_app_add_and_start_leave_nothing_after_gc() {
    let _host = crate::pods::exclusive();
    let (w, before) = warm_world();
    // A sandbox with a published port (lease, veth, port element, cgroups), whose supervisor
    // SIGKILLs itself once the added app is in pod.json but not yet in init, or once init has
    // been asked to start it.
    for (i, step) in ["app-add-recorded", "app-start-sent"].iter().enumerate() {
        let port = format!("{}:80", 22100 + i);
        let o = w
            .cmd(&["run", "-d", "--sandbox", "-p", &port])
            .env("LIFTOFF_FAILPOINT", step)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{step}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let pod = String::from_utf8_lossy(&o.stdout).trim().to_string();
        let add = w.run(&[
            "app", "add", &pod, IMAGE, "--name", "half", "--", "busybox", "sleep", "30",
        ]);
        let last = match *step {
            "app-add-recorded" => add,
            _ => {
                assert!(
                    add.status.success(),
                    "{}",
                    String::from_utf8_lossy(&add.stderr)
                );
                w.run(&["app", "start", &pod, "half"])
            }
        };
        assert_eq!(
            last.status.code(),
            Some(254),
            "{step}: the supervisor was not killed"
        );
        let msg = String::from_utf8_lossy(&last.stderr);
        assert!(msg.contains("supervisor"), "{step}: {msg}");
        wait_pods_gone(&w);
        // The app that was only half added or started never shows as running.
        let list = w.ok(&["app", "list", &pod, "--format", "json"]);
        let list: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
        assert!(
            list.iter().all(|a| a["state"] != "running"),
            "{step}: {list:?}"
        );
    }
    let ids = ours(&w);
    assert_eq!(ids.len(), 2, "one pod per step: {ids:?}");
    gc_all(&w);
    assert_same(
        &before,
        &snapshot(&w),
        &ids,
        "supervisors SIGKILLed during app add and app start, then gc",
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn gc_killed_mid_sweep_then_rerun_leaves_nothing() {
    let _host = crate::pods::exclusive();
    let (w, before) = warm_world();
    let mut rand = rng();
    for round in 0..3 {
        for _ in 0..10 {
            w.ok(&[
                "run",
                IMAGE,
                "--",
                "/bin/sh",
                "-c",
                "echo data > /file; busybox mkdir -p /a/b/c",
            ]);
        }
        let mut gc = w
            .cmd(&["gc", "--grace-period", "0s"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rand(30_000)));
        let _ = gc.kill();
        let _ = gc.wait();
        let _ = round;
    }
    let ids = ours(&w);
    gc_all(&w);
    assert_same(
        &before,
        &snapshot(&w),
        &ids,
        "gc SIGKILLed mid-sweep, then rerun",
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn supervisors_killed_while_probes_run_and_apps_wait_leave_nothing_after_gc() {
    let _host = crate::pods::exclusive();
    let (w, before) = warm_world();
    // db never becomes ready: its exec probe (joined into db's cgroup and namespaces) and a TCP
    // probe run over and over while web waits; the supervisor is SIGKILLed in the middle.
    let f = w._tmp.path().join("probing.toml");
    std::fs::write(
        &f,
        format!(
            "publish = [\"21900:80\"]\n[[app]]\nname = \"db\"\nimage = \"{IMAGE}\"\nexec = [\"/bin/busybox\", \"sleep\", \"30\"]\nvolumes = [\"named:/n\"]\nready = {{ exec = [\"/bin/sh\", \"-c\", \"busybox sleep 0.05; exit 1\"], interval = \"10ms\" }}\n[[app]]\nname = \"cache\"\nimage = \"{IMAGE}\"\nexec = [\"/bin/busybox\", \"sleep\", \"30\"]\nready = {{ tcp = 6379, interval = \"10ms\" }}\n[[app]]\nname = \"web\"\nimage = \"{IMAGE}\"\nafter = [\"db\", \"cache\"]\nexec = [\"/bin/busybox\", \"sleep\", \"30\"]\n"
        ),
    )
    .unwrap();
    let mut rand = rng();
    for _ in 0..5 {
        let pod = ["run", "--pod", f.to_str().unwrap()];
        run_and_kill(&w, &pod, Duration::from_millis(300 + rand(500)));
    }
    wait_pods_gone(&w);
    let ids = ours(&w);
    assert_eq!(ids.len(), 5, "every run created its pod");
    gc_all(&w);
    assert_same(
        &before,
        &snapshot(&w),
        &ids,
        "5 pods SIGKILLed while probing, then gc",
    );
}
