//! End-to-end tests of `liftoff stats` and `liftoff top` (issue 13): figures read from a running
//! pod's cgroups (this machine is a hybrid host: v1 controllers next to an empty v2 tree), the pod's
//! processes per app, and the errors for pods that do not exist or do not run.

use crate::pods::{err, out, shared, wait_for_log, world, World, IMAGE};
use serde_json::Value;

fn detached(w: &World, args: &[&str]) -> String {
    let mut a = vec!["run", "-d"];
    a.extend_from_slice(args);
    let id = w.ok(&a).trim().to_string();
    assert_eq!(id.len(), 36, "run -d prints the uuid: {id}");
    id
}

/// The JSON rows of one pod's app.
fn row<'a>(rows: &'a [Value], app: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["app"] == app)
        .unwrap_or_else(|| panic!("no row for app {app} in {rows:?}"))
}

/// No Rust Debug text in what a user reads.
fn no_debug_text(text: &str) {
    for bad in ["Some(", "None", "Missing", "Os {", "kind:"] {
        assert!(!text.contains(bad), "debug text {bad} in: {text}");
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn stats_and_top_of_a_pod_that_allocates_and_spins() {
    let _host = shared();
    let w = world();
    // 60 MiB in a tmpfs (its pages are the app's shmem memory) and a busy loop, next to an idle app.
    let id = detached(
        w,
        &[
            "--memory",
            "256M",
            "--pids-limit",
            "50",
            "--tmpfs",
            "/big:size=100m",
            IMAGE,
            "--name",
            "statshog",
            "--",
            "/bin/sh",
            "-c",
            "busybox dd if=/dev/zero of=/big/fill bs=1M count=60 2>/dev/null; echo filled; while :; do :; done",
            "---",
            IMAGE,
            "--name",
            "statsidle",
            "--",
            "busybox",
            "sleep",
            "100",
        ],
    );
    wait_for_log(w, &id, "filled");

    let text = w.ok(&["stats", "--no-stream", "--format", "json", &id]);
    let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(rows.len(), 2, "{text}");
    let hog = row(&rows, "statshog");
    for k in [
        "pod_uuid",
        "pod_name",
        "app",
        "cpu_percent",
        "mem_usage_bytes",
        "mem_limit_bytes",
        "pids_current",
        "pids_limit",
        "net_rx_bytes",
        "net_tx_bytes",
        "block_read_bytes",
        "block_write_bytes",
    ] {
        assert!(hog.get(k).is_some(), "no key {k}: {text}");
    }
    assert_eq!(hog["pod_uuid"], id.as_str());
    assert_eq!(hog["pod_name"], "statshog");
    let mem = hog["mem_usage_bytes"].as_u64().unwrap();
    assert!(mem >= 50 * 1024 * 1024, "memory {mem} < 50 MiB: {text}");
    let cpu = hog["cpu_percent"].as_f64().unwrap();
    assert!(cpu > 0.0, "cpu {cpu}: {text}");
    assert_eq!(hog["mem_limit_bytes"].as_u64(), Some(256 << 20), "{text}");
    assert_eq!(hog["pids_limit"].as_u64(), Some(50), "{text}");
    assert!(hog["pids_current"].as_u64().unwrap() >= 1, "{text}");
    // Counters the host has: block I/O from blkio (v1) or io (v2) per app, and the pod's network
    // counters, the same on every app row of the pod.
    let idle = row(&rows, "statsidle");
    for k in ["block_read_bytes", "block_write_bytes"] {
        assert!(hog[k].is_u64() && idle[k].is_u64(), "{k}: {text}");
    }
    for k in ["net_rx_bytes", "net_tx_bytes"] {
        assert!(hog[k].is_u64(), "{k}: {text}");
        assert_eq!(hog[k], idle[k], "{k} is pod-wide: {text}");
    }
    // The idle app has no limits of its own: no memory limit (null), the pod's default pids limit
    // (2048, as podman's), and its cpu is near zero.
    assert!(idle["mem_limit_bytes"].is_null(), "{text}");
    assert_eq!(idle["pids_limit"].as_u64(), Some(2048), "{text}");
    assert!(idle["cpu_percent"].as_f64().unwrap() < cpu, "{text}");

    // The table, and the default of every running pod.
    let table = w.ok(&["stats", "--no-stream"]);
    let head = table.lines().next().unwrap_or("");
    for col in [
        "POD",
        "APP",
        "CPU %",
        "MEM USAGE / LIMIT",
        "NET I/O",
        "BLOCK I/O",
        "PIDS",
    ] {
        assert!(head.contains(col), "{table}");
    }
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("statshog") && l.contains("statsidle")),
        "{table}"
    );
    assert!(table.contains("256.0 MiB"), "the 256M limit: {table}");

    // top: both apps' processes, with pod pids, users from the image's passwd, command lines.
    let text = w.ok(&["top", "--format", "json", &id]);
    let procs: Vec<Value> = serde_json::from_str(&text).unwrap();
    let hog_p = row(&procs, "statshog");
    assert!(
        hog_p["command"]
            .as_str()
            .unwrap()
            .starts_with("/bin/sh -c busybox dd"),
        "{text}"
    );
    let idle_p = row(&procs, "statsidle");
    assert_eq!(idle_p["command"], "busybox sleep 100", "{text}");
    for p in &procs {
        let (pid, pod_pid) = (p["pid"].as_i64().unwrap(), p["pod_pid"].as_i64().unwrap());
        assert!(pod_pid > 1 && pod_pid != pid, "pod pid {pod_pid}: {text}");
        assert_eq!(p["user"], "root", "{text}");
        assert_eq!(p["uid"], 0, "{text}");
    }
    let table = w.ok(&["top", &id]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("APP")
            && lines[0].contains("POD-PID")
            && lines[0].ends_with("COMMAND"),
        "{table}"
    );
    assert!(lines.iter().any(|l| l.starts_with("statshog ")), "{table}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("statsidle ") && l.ends_with("busybox sleep 100")),
        "{table}"
    );
    // --app narrows it to one app; an app the pod lacks is named in the error.
    let only = w.ok(&["top", "--app", "statsidle", &id]);
    assert!(
        only.lines().skip(1).all(|l| l.starts_with("statsidle ")) && only.lines().count() >= 2,
        "{only}"
    );
    let o = w.run(&["top", "--app", "nope", &id]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("nope") && err(&o).contains("statsidle"),
        "{}",
        err(&o)
    );
    w.ok(&["stop", &id]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn stats_and_top_name_a_pod_that_is_missing_or_not_running() {
    let _host = shared();
    let w = world();
    for verb in [&["stats", "--no-stream"][..], &["top"][..]] {
        let mut args = verb.to_vec();
        args.push("no-such-pod");
        let o = w.run(&args);
        assert_eq!(o.status.code(), Some(254), "{args:?}: {}", out(&o));
        assert!(
            err(&o).contains("no-such-pod") && err(&o).contains("liftoff list"),
            "{}",
            err(&o)
        );
        no_debug_text(&err(&o));
    }
    // A pod that ran and exited.
    let file = w._tmp.path().join("stats-exited.uuid");
    w.ok(&[
        "run",
        "--uuid-file-save",
        file.to_str().unwrap(),
        IMAGE,
        "--",
        "/bin/busybox",
        "true",
    ]);
    let id = std::fs::read_to_string(&file).unwrap().trim().to_string();
    for verb in ["stats", "top"] {
        let o = w.run(&[verb, &id]);
        assert_eq!(o.status.code(), Some(254), "{verb}: {}", out(&o));
        assert!(
            err(&o).contains(&id) && err(&o).contains("exited") && err(&o).contains("only running"),
            "{verb}: {}",
            err(&o)
        );
        no_debug_text(&err(&o));
    }
}

/// Single-quotes a word for `sh -c`.
fn sh_quote(s: &std::ffi::OsStr) -> String {
    format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"))
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn stats_on_a_terminal_redraws_until_its_pods_end() {
    let _host = shared();
    let w = world();
    let id = detached(
        w,
        &[
            IMAGE,
            "--name",
            "statsterm",
            "--",
            "busybox",
            "sleep",
            "100",
        ],
    );
    w.ok(&["status", "--wait-ready=10s", &id]);
    // `script` gives stats a terminal as its stdout, as a user's shell would.
    let c = w.cmd(&["stats", &id]);
    let line: Vec<String> = std::iter::once(c.get_program())
        .chain(c.get_args())
        .map(sh_quote)
        .collect();
    let child = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &line.join(" "), "/dev/null"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(3500));
    w.ok(&["stop", &id]);
    // Its only pod has ended: stats ends by itself after one more frame.
    let t = std::time::Instant::now();
    let o = child.wait_with_output().unwrap();
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    let frames = text.matches("\x1b[H\x1b[2J").count();
    assert!(frames >= 2, "{frames} frames: {text:?}");
    assert!(text.contains("statsterm"), "{text:?}");
}
