//! End-to-end tests of `liftoff run` (issue 5): escapes refused inside a default pod, what must work
//! (two apps over 127.0.0.1, shared pids, limits), exit codes, signals, output, and nothing left
//! behind. They start real pods: root only.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub(crate) const IMAGE: &str = "example.com/e2e/box:1";

/// One store with a signed, trusted busybox image (plus escape probes) shared by every test.
pub(crate) struct World {
    pub(crate) _tmp: tempfile::TempDir,
    pub(crate) root: PathBuf,
    pub(crate) keys: PathBuf,
    vendor: PathBuf,
    pub(crate) marker: PathBuf,
    /// A config file every command gets through `LIFTOFF_CONFIG` (a test's own `--config` wins).
    pub(crate) config: Option<PathBuf>,
}

/// Pod tests run side by side (`shared`); the leak tests need the host to themselves (`exclusive`),
/// since links, firewall rules and leases are host-wide.
static HOST: std::sync::RwLock<()> = std::sync::RwLock::new(());

pub(crate) fn shared() -> std::sync::RwLockReadGuard<'static, ()> {
    HOST.read().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn exclusive() -> std::sync::RwLockWriteGuard<'static, ()> {
    HOST.write().unwrap_or_else(|e| e.into_inner())
}

/// A TCP port free on the host and not handed to any other test of this run (tests in parallel
/// would otherwise race for the same ephemeral port).
pub(crate) fn unique_port() -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let base = 30000 + (std::process::id() % 20) as u16 * 1000;
    loop {
        let p = base + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 1000;
        if std::net::TcpListener::bind(("0.0.0.0", p)).is_ok() {
            return p;
        }
    }
}

/// Sends SIGTERM to a child process (a `liftoff run` that became the pod's supervisor).
pub(crate) fn sigterm(c: &std::process::Child) {
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(c.id() as i32).unwrap(),
        rustix::process::Signal::TERM,
    )
    .unwrap();
}

/// Waits until a pod's logs contain `marker` (an app printing it once its signal traps are set).
pub(crate) fn wait_for_log(w: &World, pod: &str, marker: &str) {
    let t = Instant::now();
    loop {
        let o = w.run(&["logs", pod]);
        if String::from_utf8_lossy(&o.stdout).contains(marker) {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "pod {pod} never logged {marker:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(new_world)
}

/// A world whose default network is the built-in CNI conflist (`[network] default = "cni"`).
pub(crate) fn cni_world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(new_cni_world)
}

/// [`new_world`] with `[network] default = "cni"`.
pub(crate) fn new_cni_world() -> World {
    let mut w = new_world();
    let c = w._tmp.path().join("cni-default.toml");
    std::fs::write(&c, "[network]\ndefault = \"cni\"\n").unwrap();
    w.config = Some(c);
    w
}

/// A store of its own (for tests that run `gc`, which would collect other tests' pods). Without
/// root it panics (`require_root`): a pod test never returns early as a pass.
pub(crate) fn new_world() -> World {
    {
        crate::require_root("pod tests (namespaces, mounts, cgroups)");
        if Command::new("cc").arg("--version").output().is_err() {
            panic!(
                "pod tests need a C compiler for the escape probes: apt-get install gcc libc6-dev"
            );
        }
        // `liftoff run` execs liftoff-stage1 from its own directory; cargo test builds only this
        // package's binaries (building it from here would wait on cargo's own lock).
        let stage1 = Path::new(env!("CARGO_BIN_EXE_liftoff")).with_file_name("liftoff-stage1");
        assert!(
            stage1.exists(),
            "{} is missing: run tests/run.sh, or `cargo build --workspace` before `cargo test`",
            stage1.display()
        );
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let keys = tmp.path().join("keys");
        let vendor = tmp.path().join("vendor");
        let rootfs = tmp.path().join("rootfs");
        for d in [
            &keys,
            &vendor,
            &rootfs.join("bin"),
            &rootfs.join("etc"),
            &rootfs.join("www"),
        ] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::copy("/bin/busybox", rootfs.join("bin/busybox")).unwrap();
        std::os::unix::fs::symlink("busybox", rootfs.join("bin/sh")).unwrap();
        std::fs::write(
            rootfs.join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
        )
        .unwrap();
        std::fs::write(
            rootfs.join("etc/group"),
            "root:x:0:\napp:x:1000:\nextra:x:2000:app\n",
        )
        .unwrap();
        std::fs::write(rootfs.join("www/index.html"), "hello over localhost\n").unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/fixtures/probe.c");
        let st = Command::new("cc")
            .args(["-static", "-O1", "-o"])
            .arg(rootfs.join("probe"))
            .arg(&src)
            .status()
            .unwrap();
        assert!(
            st.success(),
            "building the escape probe failed (needs libc6-dev for static glibc)"
        );
        std::fs::copy(rootfs.join("probe"), rootfs.join("suid-probe")).unwrap();
        std::process::Command::new("chmod")
            .args(["4755"])
            .arg(rootfs.join("suid-probe"))
            .status()
            .unwrap();
        let marker = tmp.path().join("host-marker");
        std::fs::write(&marker, "host").unwrap();
        let w = World {
            _tmp: tmp,
            root,
            keys,
            vendor,
            marker,
            config: None,
        };
        w.ok(&[
            "image",
            "import",
            rootfs.to_str().unwrap(),
            IMAGE,
            "--cmd",
            "/bin/busybox,echo,hello",
        ]);
        let prefix = w._tmp.path().join("release");
        w.ok(&["key", "gen", "--out", prefix.to_str().unwrap()]);
        w.ok(&[
            "image",
            "sign",
            IMAGE,
            "--key",
            prefix.with_extension("key").to_str().unwrap(),
        ]);
        w.ok(&[
            "trust",
            "add",
            "--yes",
            "--prefix",
            "example.com/e2e",
            prefix.with_extension("pub").to_str().unwrap(),
        ]);
        w
    }
}

impl World {
    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_liftoff"));
        c.arg("--dir")
            .arg(&self.root)
            .arg("--keys")
            .arg(&self.keys)
            .arg("--vendor-keys")
            .arg(&self.vendor);
        if let Some(cfg) = &self.config {
            c.env("LIFTOFF_CONFIG", cfg);
        }
        c.args(args);
        c
    }
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).stdin(Stdio::null()).output().unwrap()
    }
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "liftoff {args:?} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

pub(crate) fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub(crate) fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Host mounts that mention this store: none may outlive a pod. The network namespace pins of pods
/// still running (other tests') are theirs to remove.
pub(crate) fn leaked_mounts(w: &World) -> Vec<String> {
    let mi = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let root = w.root.to_string_lossy().into_owned();
    let netns = format!("{root}/netns/");
    let running = |id: &str| {
        std::fs::File::open(w.root.join("pods/run").join(id))
            .map(|f| {
                rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockShared).is_err()
            })
            .unwrap_or(false)
    };
    mi.lines()
        .filter(|l| l.contains(&root))
        .filter(|l| {
            let mp = l.split(' ').nth(4).unwrap_or("");
            !mp.strip_prefix(&netns).is_some_and(running)
        })
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn exit_codes_pass_through_and_liftoff_errors_are_254() {
    let _host = shared();
    let w = world();
    let o = w.run(&["run", IMAGE]);
    assert!(o.status.success() && out(&o) == "hello\n", "{o:?}");
    let o = w.run(&["run", IMAGE, "--", "/bin/sh", "-c", "exit 3"]);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    let o = w.run(&["run", IMAGE, "--", "/nonexistent"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("app box") && err(&o).contains("/nonexistent"),
        "{}",
        err(&o)
    );
    let o = w.run(&["run", "--user", "nobody", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("nobody") && err(&o).contains("/etc/passwd"),
        "{}",
        err(&o)
    );
    let o = w.run(&["run", "--pull=never", "example.com/e2e/missing:1"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(leaked_mounts(w).is_empty());
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn unsigned_and_untrusted_images_do_not_run() {
    let _host = shared();
    let w = world();
    let rootfs = w._tmp.path().join("rootfs");
    w.ok(&[
        "image",
        "import",
        rootfs.to_str().unwrap(),
        "example.com/e2e/unsigned:1",
        "--cmd",
        "/bin/busybox,true",
    ]);
    let o = w.run(&["run", "example.com/e2e/unsigned:1"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("refusing to run") && err(&o).contains("--insecure-options=image"),
        "{}",
        err(&o)
    );
    let o = w.run(&[
        "run",
        "--insecure-options=image",
        "example.com/e2e/unsigned:1",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains("liftoff: warning: --insecure-options=image"),
        "{}",
        err(&o)
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn escapes_are_refused_in_a_default_pod() {
    let _host = shared();
    let w = world();
    let marker = w.marker.to_str().unwrap();
    let host_pid = std::process::id().to_string();
    let script = format!(
        "for t in mount unshare-user unshare-mnt keyctl add_key reboot init_module mknod-block; do echo \"$t $(/probe $t)\"; done; \
         echo \"ptrace1 $(/probe ptrace 1)\"; echo \"killhost $(/probe kill {host_pid})\"; \
         echo \"kcore $(/probe open /proc/kcore)\"; echo \"keys $(busybox wc -c < /proc/keys)\"; \
         echo \"sysrq $(/probe write /proc/sysrq-trigger)\"; echo \"procsys $(/probe write /proc/sys/kernel/hostname)\"; \
         echo \"sys $(/probe write /sys/class/net/lo/ifalias)\"; echo \"chroot $(/probe chroot-escape {marker})\"; \
         busybox mknod /dev/mem c 1 1 2>/dev/null; echo \"mknodchar $?\""
    );
    let o = w.run(&["run", IMAGE, "--", "/bin/sh", "-c", &script]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let got = |k: &str| -> String {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k} ")))
            .unwrap_or_else(|| panic!("no {k} in {text}"))
            .to_string()
    };
    for k in [
        "mount",
        "unshare-user",
        "unshare-mnt",
        "keyctl",
        "add_key",
        "reboot",
        "init_module",
        "mknod-block",
        "ptrace1",
    ] {
        assert_eq!(got(k), "EPERM", "{k}: {text}");
    }
    assert_eq!(
        got("killhost"),
        "ESRCH",
        "a host process is visible: {text}"
    );
    assert_ne!(got("kcore"), "ok", "{text}");
    assert_eq!(got("keys").trim(), "0", "/proc/keys is not masked: {text}");
    assert_ne!(got("sysrq"), "ok", "{text}");
    // Read-only, and (in a remapped pod) not the pod root's to write anyway.
    assert!(
        ["EROFS", "EACCES"].contains(&got("procsys").as_str()),
        "{text}"
    );
    assert_eq!(got("sys"), "EROFS", "{text}");
    assert_eq!(
        got("chroot"),
        "ENOENT",
        "chroot walk reached the host: {text}"
    );
    assert_eq!(got("mknodchar"), "1", "{text}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn setuid_does_not_raise_privileges_under_no_new_privs() {
    let _host = shared();
    let w = world();
    let o = w.run(&[
        "run",
        "--user",
        "app",
        IMAGE,
        "--",
        "/probe",
        "setuid-exec",
        "/suid-probe",
    ]);
    assert_eq!(out(&o).trim(), "euid=1000", "{}", err(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn an_app_cannot_read_another_apps_root() {
    let _host = shared();
    let w = world();
    let o = w.run(&[
        "run", IMAGE, "--name", "a", "--", "/bin/sh", "-c", "echo secret > /secret; busybox sleep 2", "---", IMAGE, "--name", "b", "--",
        "/bin/sh", "-c", "busybox sleep 0.5; for p in 2 3 4 5; do busybox cat /proc/$p/root/secret 2>/dev/null; done; exit 0",
    ]);
    assert!(!out(&o).contains("secret"), "{}", out(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn two_apps_share_localhost_and_processes() {
    let _host = shared();
    let w = world();
    let o = w.run(&[
        "run",
        IMAGE,
        "--name",
        "web",
        "--",
        "/bin/sh",
        "-c",
        "busybox httpd -p 127.0.0.1:8080 -h /www && busybox sleep 1.5",
        "---",
        IMAGE,
        "--name",
        "client",
        "--",
        "/bin/sh",
        "-c",
        "busybox sleep 0.3; busybox wget -qO- http://127.0.0.1:8080/; busybox ps",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("client | hello over localhost"), "{text}");
    assert!(
        text.contains("httpd"),
        "ps does not show the other app: {text}"
    );
    // --no-prefix
    let o = w.run(&[
        "run",
        "--no-prefix",
        IMAGE,
        "--name",
        "x",
        "--",
        "/bin/busybox",
        "echo",
        "one",
        "---",
        IMAGE,
        "--name",
        "y",
        "--",
        "/bin/busybox",
        "echo",
        "two",
    ]);
    assert!(
        out(&o).lines().any(|l| l == "one") && out(&o).lines().any(|l| l == "two"),
        "{}",
        out(&o)
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn memory_and_pids_limits_hold() {
    let _host = shared();
    let w = world();
    let pods_before = pod_ids(w);
    let o = w.run(&[
        "run",
        "--memory",
        "32M",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "x=$(busybox head -c 200000000 /dev/zero | busybox tr '\\0' a); echo survived",
    ]);
    assert_eq!(
        o.status.code(),
        Some(137),
        "memory hog not OOM-killed: {}{}",
        out(&o),
        err(&o)
    );
    assert!(err(&o).contains("OOM"), "{}", err(&o));
    let o = w.run(&[
        "run",
        "--pids-limit",
        "20",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "for i in $(busybox seq 1 60); do busybox sleep 3 & done 2>&1 | busybox head -1; echo done",
    ]);
    assert!(
        err(&o).contains("can't fork") || out(&o).contains("can't fork"),
        "fork bomb not stopped: {}{}",
        out(&o),
        err(&o)
    );
    // This test's pods: new ones whose manifest carries its limits (other tests run pods in parallel).
    let ours: Vec<String> = pod_ids(w)
        .into_iter()
        .filter(|p| !pods_before.contains(p))
        .filter(|p| {
            let m = std::fs::read_to_string(w.root.join("pods/run").join(p).join("pod.json"))
                .unwrap_or_default();
            // Parsed, not matched as text: the default pod limit `"pids": 2048` starts like 20.
            let v: serde_json::Value = serde_json::from_str(&m).unwrap_or_default();
            v["apps"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a["limits"]["memory_bytes"] == 33554432 || a["limits"]["pids"] == 20)
                || v["limits"]["memory_bytes"] == 33554432
                || v["limits"]["pids"] == 20
        })
        .collect();
    assert_eq!(ours.len(), 2);
    // The network teardown (and the cgroups with it) finishes just after `run` returns: wait for
    // the pods' locks.
    for id in &ours {
        let f = std::fs::File::open(w.root.join("pods/run").join(id)).unwrap();
        rustix::fs::flock(&f, rustix::fs::FlockOperation::LockShared).unwrap();
    }
    let cg: Vec<String> = ["memory", "pids"]
        .iter()
        .flat_map(|c| {
            Command::new("find")
                .arg(format!("/sys/fs/cgroup/{c}"))
                .args(["-name", "pod-*"])
                .output()
                .map(|o| out(&o))
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let left: Vec<&String> = cg
        .iter()
        .filter(|p| ours.iter().any(|id| p.ends_with(&format!("pod-{id}"))))
        .collect();
    assert!(left.is_empty(), "cgroups left behind: {left:?}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn app_settings_apply() {
    let _host = shared();
    let w = world();
    let o = w.run(&[
        "run", "--user", "1000:1000", "-e", "K=V", "--workdir", "/srv", "--hostname", "web", "--cap-drop", "all", IMAGE, "--",
        "/bin/sh", "-c", "busybox id -u; echo $K; busybox pwd; busybox hostname; busybox grep CapEff /proc/self/status",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert_eq!(&lines[..4], &["1000", "V", "/srv", "web"], "{lines:?}");
    assert!(lines[4].ends_with("0000000000000000"), "{lines:?}");
    // A non-root user gets none of the default capabilities (podman's rule): it cannot write a
    // root-owned file. An explicit --cap-add is what it gets, and all it gets.
    let o = w.run(&[
        "run",
        "--user",
        "app",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox grep CapEff /proc/self/status; echo x > /etc/passwd && echo wrote-root-file",
    ]);
    assert!(!out(&o).contains("wrote-root-file"), "{}", out(&o));
    assert!(out(&o).contains("0000000000000000"), "{}", out(&o));
    let o = w.run(&[
        "run",
        "--user",
        "app",
        "--cap-add",
        "dac_override",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox grep CapEff /proc/self/status; echo x > /etc/passwd && echo wrote-root-file",
    ]);
    assert!(
        out(&o).contains("wrote-root-file"),
        "{} {}",
        out(&o),
        err(&o)
    );
    assert!(out(&o).contains("0000000000000002"), "{}", out(&o));
    let o = w.run(&[
        "run",
        "--read-only",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "echo x > /x",
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(err(&o).contains("Read-only file system"), "{}", err(&o));
    // Making the root read-only keeps it nodev.
    let o = w.ok(&[
        "run",
        "--read-only",
        IMAGE,
        "--",
        "busybox",
        "grep",
        " / / ",
        "/proc/self/mountinfo",
    ]);
    assert!(o.contains(" ro,") && o.contains("nodev"), "{o}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn pod_file_and_exit_records() {
    let _host = shared();
    let w = world();
    let f = w._tmp.path().join("pod.toml");
    std::fs::write(
        &f,
        format!("hostname = \"filed\"\n[[app]]\nname = \"one\"\nimage = \"{IMAGE}\"\nexec = [\"/bin/busybox\", \"hostname\"]\n[[app]]\nname = \"two\"\nimage = \"{IMAGE}\"\nexec = [\"/bin/sh\", \"-c\", \"exit 4\"]\n"),
    )
    .unwrap();
    let o = w.run(&["run", "--pod", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(out(&o).contains("one | filed"), "{}", out(&o));
    // This pod's dir (other tests run pods meanwhile) holds the records.
    let run = w.root.join("pods/run");
    let pod = std::fs::read_dir(&run)
        .unwrap()
        .flatten()
        .find(|e| {
            std::fs::read_to_string(e.path().join("pod.json"))
                .unwrap_or_default()
                .contains("\"hostname\": \"filed\"")
        })
        .unwrap()
        .path();
    let exit: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pod.join("exit.json")).unwrap()).unwrap();
    assert_eq!(exit["exit_code"], 4);
    assert_eq!(exit["app"], "two");
    let two: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pod.join("apps/two/exit.json")).unwrap()).unwrap();
    assert_eq!(two["exit_code"], 4);
    std::fs::write(&f, "[[app]]\nimage = \"x:1\"\nprivileged = true\n").unwrap();
    let o = w.run(&["run", "--pod", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("line 3") && err(&o).contains("privileged"),
        "{}",
        err(&o)
    );
}

fn pod_ids(w: &World) -> Vec<String> {
    std::fs::read_dir(w.root.join("pods/run"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_sigkilled_supervisor_takes_the_pod_with_it() {
    let _host = shared();
    let w = world();
    let tag = format!("liftoff-e2e-{}", std::process::id());
    let mut c = w
        .cmd(&[
            "run",
            IMAGE,
            "--",
            "/bin/busybox",
            "sh",
            "-c",
            &format!("busybox sleep 30; echo {tag}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Anchored to the app's own command line: `liftoff run`'s (before it execs stage1) holds the
    // tag too.
    let pattern = format!("^/bin/busybox sh -c busybox sleep 30; echo {tag}");
    let alive = || {
        Command::new("pgrep")
            .args(["-f", &pattern])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    // Wait for the app rather than for a fixed time: a loaded machine starts pods slower.
    let t = Instant::now();
    while !alive() && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(alive(), "pod did not start");
    c.kill().unwrap();
    let _ = c.wait();
    let t = Instant::now();
    while alive() && t.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!alive(), "pod processes outlived their supervisor");
    // Only its network namespace pin is left on the host, for gc's CNI DEL.
    assert!(
        leaked_mounts(w).iter().all(|m| m.contains("/netns/")),
        "{:?}",
        leaked_mounts(w)
    );
    // The pod shows as exited; gc removes its dir and the cgroups the dead supervisor left.
    let id = pod_ids(w)
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(w.root.join("pods/run").join(p).join("pod.json"))
                .unwrap_or_default()
                .contains(&tag)
        })
        .expect("the pod dir");
    let status = w.ok(&["status", &id[..8]]);
    assert!(status.contains("state: exited"), "{status}");
    let cgroups = || {
        Command::new("find")
            .args(["/sys/fs/cgroup", "-name", &format!("pod-{id}")])
            .output()
            .map(|o| out(&o))
            .unwrap_or_default()
    };
    assert!(
        !cgroups().is_empty(),
        "expected the SIGKILLed pod's cgroups before gc"
    );
    // `rm` runs gc's sweep on this pod alone (other tests' pods share this store).
    let rm = w.ok(&["rm", &id[..8]]);
    assert_eq!(rm.trim(), id);
    assert!(
        cgroups().is_empty(),
        "the sweep left cgroups: {}",
        cgroups()
    );
    assert!(!pod_ids(w).contains(&id));
    assert!(
        !leaked_mounts(w).iter().any(|m| m.contains(&id)),
        "{:?}",
        leaked_mounts(w)
    );
    assert!(!w.ok(&["list", "--all"]).contains(&id[..8]));
    assert_eq!(w.run(&["rm", &id[..8]]).status.code(), Some(254));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn pid_1_does_not_show_host_paths() {
    let _host = shared();
    let w = world();
    let o = w.ok(&[
        "run",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox cat /proc/1/cmdline; echo; busybox ps",
    ]);
    let root = w.root.display().to_string();
    assert!(!o.contains(&root), "the pod sees the host's pod dir: {o}");
    assert!(o.starts_with("liftoff-init"), "{o}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn liftoffs_own_executables_cannot_be_written_through_proc_exe() {
    let _host = shared();
    let w = world();
    // CVE-2019-5736: an app that gets liftoff's binary executed under its identity (a
    // `#!/proc/self/exe` script as its command) must not be able to write the host's copy. The
    // supervisor and `enter` run from a read-only view of their executables.
    // Read-only: on a read-only mount (the overlay view), or a memfd sealed against writes (the
    // fallback). A plain "text file busy" would not do: it ends with the process.
    let ro = |pid: &str| {
        let exe = format!("/proc/{pid}/exe");
        let on_ro_mount = rustix::fs::statvfs(exe.as_str())
            .is_ok_and(|st| st.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY));
        let sealed = std::fs::File::open(&exe).is_ok_and(|f| {
            rustix::fs::fcntl_get_seals(&f).is_ok_and(|s| s.contains(rustix::fs::SealFlags::WRITE))
        });
        assert!(
            on_ro_mount || sealed,
            "{} ({exe}) can be written by whoever gets hold of it",
            std::fs::read_link(&exe).unwrap_or_default().display()
        );
    };
    let id = w.ok(&["run", "-d", IMAGE, "--", "busybox", "sleep", "30"]);
    let id = id.trim();
    let sup =
        std::fs::read_to_string(w.root.join("pods/run").join(id).join("supervisor-pid")).unwrap();
    ro(sup.trim());
    let mut enter = w
        .cmd(&["enter", id, "--", "busybox", "sleep", "5"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    ro(&enter.id().to_string());
    let _ = enter.kill();
    let _ = enter.wait();
    w.ok(&["stop", "--force", id]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn fds_of_whoever_runs_liftoff_do_not_reach_the_app() {
    let _host = shared();
    let w = world();
    // A wrapper that leaks a descriptor (here: the host marker file, inheritable) into liftoff.
    let f = std::fs::File::open(&w.marker).unwrap();
    rustix::io::fcntl_setfd(&f, rustix::io::FdFlags::empty()).unwrap();
    let marker = w.marker.display().to_string();
    let o = w.ok(&["run", IMAGE, "--", "busybox", "ls", "-l", "/proc/self/fd/"]);
    assert!(
        !o.contains(&marker),
        "the app got liftoff's caller's fd: {o}"
    );
    let id = w.ok(&["run", "-d", IMAGE, "--", "busybox", "sleep", "30"]);
    let o = w.ok(&[
        "enter",
        id.trim(),
        "--",
        "busybox",
        "ls",
        "-l",
        "/proc/self/fd/",
    ]);
    assert!(
        !o.contains(&marker),
        "enter's command got its caller's fd: {o}"
    );
    w.ok(&["stop", "--force", id.trim()]);
    drop(f);
}
