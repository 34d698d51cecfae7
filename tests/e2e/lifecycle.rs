//! End-to-end tests of the pod lifecycle (issue 6): prepare and run-prepared, detached pods, logs,
//! stop, status --wait, enter under the app's profile, volumes, diff, names. They share the pod
//! tests' store and never run `gc` there (the leak tests, in `leak.rs`, use stores of their own).

use crate::pods::{err, out, world, World, IMAGE};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn detached(w: &World, args: &[&str]) -> String {
    let mut a = vec!["run", "-d"];
    a.extend_from_slice(args);
    let id = w.ok(&a).trim().to_string();
    assert_eq!(id.len(), 36, "run -d prints the uuid: {id:?}");
    id
}

fn state(w: &World, id: &str) -> String {
    let s = w.ok(&["status", "--format", "json", id]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    v["state"].as_str().unwrap().to_string()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn prepare_then_exactly_one_run_prepared_wins() {
    let _host = crate::pods::shared();
    let w = world();
    let file = w._tmp.path().join("prepared.uuid");
    let id = w
        .ok(&[
            "prepare",
            "--uuid-file-save",
            file.to_str().unwrap(),
            IMAGE,
            "--",
            "/bin/sh",
            "-c",
            "echo prepared-ran; exit 4",
        ])
        .trim()
        .to_string();
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), id);
    assert_eq!(state(w, &id), "prepared");
    let st = w.ok(&["status", "--uuid-file", file.to_str().unwrap()]);
    assert!(st.contains("state: prepared"), "{st}");
    // Two at once: one runs the pod (exit 4), the other is refused with 254.
    let a = w
        .cmd(&["run-prepared", &id])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let b = w
        .cmd(&["run-prepared", &id])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let mut codes = [a.status.code(), b.status.code()];
    codes.sort();
    assert_eq!(codes, [Some(4), Some(254)], "{a:?} {b:?}");
    let loser = if a.status.code() == Some(254) { &a } else { &b };
    assert!(
        [
            "already started",
            "not prepared",
            "being started",
            "only prepared pods"
        ]
        .iter()
        .any(|m| err(loser).contains(m)),
        "{}",
        err(loser)
    );
    let st = w.ok(&["status", "--wait=10s", &id]);
    assert!(
        st.contains("state: exited") && st.contains("exit code: 4"),
        "{st}"
    );
    // Logs of a foreground pod are kept.
    assert_eq!(w.ok(&["logs", &id]), "prepared-ran\n");
    // A pod that ran cannot run again.
    let o = w.run(&["run-prepared", &id]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("only prepared pods"), "{}", err(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn detached_pod_logs_stop_and_wait() {
    let _host = crate::pods::shared();
    let w = world();
    let id = detached(
        w,
        &[
            IMAGE,
            "--",
            "/bin/sh",
            "-c",
            "echo to-err >&2; i=0; while true; do echo tick $i; i=$((i+1)); busybox sleep 0.05; done",
        ],
    );
    assert_eq!(state(w, &id), "running");
    let st = w.ok(&["status", "--wait-ready=5s", &id]);
    assert!(
        st.contains("state: running") && st.contains("app box: running"),
        "{st}"
    );
    // The list shows it with its start time, while it runs.
    let l = w.ok(&["list"]);
    assert!(
        l.lines()
            .any(|x| x.starts_with(&id[..8]) && x.contains("running")),
        "{l}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let o = w.run(&["logs", "--tail", "2", &id]);
    let lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with("tick ")), "{lines:?}");
    let all = w.run(&["logs", &id]);
    assert!(
        err(&all).contains("to-err"),
        "stderr stays stderr: {}",
        err(&all)
    );
    // -f follows until the pod ends; stop it from here.
    let follow = w
        .cmd(&["logs", "-f", &id])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    w.ok(&["stop", &id]);
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "stop took {:?}",
        t.elapsed()
    );
    let f = follow.wait_with_output().unwrap();
    let text = out(&f);
    assert!(
        text.starts_with("tick 0\n") && text.lines().count() > 5,
        "{text}"
    );
    let st = w.ok(&["status", &id]);
    assert!(
        st.contains("state: exited") && st.contains("exit code: 143"),
        "{st}"
    );
    // Stopping an exited pod is fine; logs still work after exit.
    w.ok(&["stop", &id]);
    assert!(out(&w.run(&["logs", &id])).starts_with("tick 0\n"));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn stop_kills_a_pod_that_ignores_sigterm_after_the_timeout() {
    let _host = crate::pods::shared();
    let w = world();
    let id = detached(
        w,
        &[
            IMAGE,
            "--",
            "/bin/sh",
            "-c",
            "trap '' TERM; echo trapped; while true; do busybox sleep 0.1; done",
        ],
    );
    // SIGTERM before the shell has set its trap would simply kill it.
    crate::pods::wait_for_log(w, &id, "trapped");
    let t = Instant::now();
    w.ok(&["stop", "--timeout", "1", &id]);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "stop took {took:?}"
    );
    let st = w.ok(&["status", &id]);
    assert!(st.contains("exit code: 137"), "{st}");
    // --force kills at once.
    let id = detached(
        w,
        &[
            IMAGE,
            "--",
            "/bin/sh",
            "-c",
            "trap '' TERM; busybox sleep 60",
        ],
    );
    let t = Instant::now();
    w.ok(&["stop", "--force", &id]);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // Only running pods can be stopped or entered; unknown names are clear errors.
    let o = w.run(&["stop", "no-such-pod"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("no pod with uuid or name"), "{}", err(&o));
    let o = w.run(&["enter", &id]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("only running pods"), "{}", err(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn names_are_unique_and_work_as_references() {
    let _host = crate::pods::shared();
    let w = world();
    let name = format!("named-{}", std::process::id());
    let id = detached(w, &["--name", &name, IMAGE, "--", "busybox", "sleep", "30"]);
    assert!(w.ok(&["status", &name]).contains(&id));
    let o = w.run(&["run", "-d", "--name", &name, IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("already exists"), "{}", err(&o));
    w.ok(&["stop", "--force", &name]);
    // An exited pod keeps its name until it is removed.
    assert_eq!(
        w.run(&["run", "--name", &name, IMAGE]).status.code(),
        Some(254)
    );
    assert_eq!(w.ok(&["rm", &name]).trim(), id);
    let o = w.run(&["run", "--name", &name, IMAGE]);
    assert!(o.status.success(), "{}", err(&o));
    // -d with -t makes no sense.
    let o = w.run(&["run", "-d", "-t", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
}

/// Reads one field of /proc/self/status as the process in question sees it.
fn field(status: &str, key: &str) -> String {
    status
        .lines()
        .find(|l| l.starts_with(key))
        .map(|l| l[key.len()..].trim().to_string())
        .unwrap_or_default()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn enter_holds_the_apps_profile() {
    let _host = crate::pods::shared();
    let w = world();
    let id = detached(
        w,
        &[
            "--user",
            "app",
            "--cap-drop",
            "all",
            "--cap-add",
            "chown",
            "--memory",
            "64M",
            IMAGE,
            "--",
            "busybox",
            "sleep",
            "60",
        ],
    );
    // The app's own status and the entered command's, side by side.
    let both = w.ok(&[
        "enter",
        &id,
        "--",
        "/bin/sh",
        "-c",
        "cat /proc/2/status; echo ===; cat /proc/self/status",
    ]);
    let (app, me) = both.split_once("===").unwrap();
    assert_eq!(
        field(me, "Uid:").split_whitespace().next(),
        Some("1000"),
        "{me}"
    );
    assert_eq!(field(me, "NoNewPrivs:"), "1");
    assert_eq!(field(me, "Seccomp:"), "2");
    // Exactly the app's capabilities (chown only: bit 0 at most), nothing more.
    assert_eq!(field(me, "CapBnd:"), "0000000000000001", "{me}");
    for k in [
        "CapInh:",
        "CapPrm:",
        "CapEff:",
        "CapBnd:",
        "CapAmb:",
        "Seccomp:",
        "NoNewPrivs:",
        "Uid:",
        "Gid:",
    ] {
        assert_eq!(
            field(me, k),
            field(app, k),
            "{k} differs between the app and enter"
        );
    }
    // What the app cannot do, enter cannot either.
    let script = format!(
        "for t in mount unshare-user unshare-mnt keyctl add_key reboot init_module mknod-block; do echo \"$t $(/probe $t)\"; done; \
         echo \"marker $(/probe open {})\"; echo \"hostpid $(/probe kill {})\"; busybox ps -o pid | busybox wc -l; id -u",
        w.marker.display(),
        std::process::id()
    );
    let o = w.ok(&["enter", &id, "--", "/bin/sh", "-c", &script]);
    for line in o.lines().filter(|l| l.contains(' ')) {
        assert!(
            !line.ends_with(" ok"),
            "enter could do what the app cannot: {line}\n{o}"
        );
    }
    let n: Vec<&str> = o.lines().collect();
    // The pod's processes only: init, the app, the shell and ps (+ header).
    let procs: usize = n[n.len() - 2].trim().parse().unwrap();
    assert!(procs <= 6, "enter sees more than the pod: {o}");
    assert_eq!(n[n.len() - 1], "1000");
    // The command counts against the app's cgroup: the same memory limit applies.
    let cg = w.ok(&["enter", &id, "--", "busybox", "cat", "/proc/self/cgroup"]);
    assert!(cg.lines().any(|l| l.contains(":memory:/")), "{cg}");
    // Exit codes pass through; a missing program is liftoff's 254 with the reason.
    assert_eq!(
        w.run(&["enter", &id, "--", "/bin/sh", "-c", "exit 9"])
            .status
            .code(),
        Some(9)
    );
    let o = w.run(&["enter", &id, "--", "/nope"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("/nope"), "{}", err(&o));
    w.ok(&["stop", "--force", &id]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn volumes_binds_tmpfs_and_named() {
    let _host = crate::pods::shared();
    let w = world();
    let host = w._tmp.path().join("vol-host");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(host.join("f"), "from-host\n").unwrap();
    let ro = format!("{}:/data:ro", host.display());
    // Written into by the pod's root: seen through the pod's id map, or the host root's dir
    // would be nobody's to it.
    let rw = format!("{}:/rw:idmap", host.display());
    let o = w.run(&[
        "run", "-v", &ro, "-v", &rw, "-v", "shared:/shared", "--tmpfs", "/scratch:size=1m", IMAGE, "--name", "vol-a",
        "--", "/bin/sh", "-c",
        "cat /data/f; echo x > /data/y 2>/dev/null && echo ro-broken; echo w > /rw/from-pod; \
         echo s > /shared/s; cp /bin/busybox /scratch/bb && /scratch/bb true && echo noexec-broken; \
         grep -E ' /(data|rw|shared|scratch) ' /proc/self/mountinfo",
        "---", IMAGE, "--name", "vol-b", "-v", "shared:/other", "--", "/bin/sh", "-c",
        "busybox sleep 0.5; cat /other/s",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("vol-a | from-host"), "{text}");
    assert!(!text.contains("broken"), "{text}");
    assert!(
        text.contains("vol-b | s"),
        "named volume not shared: {text}"
    );
    for l in text
        .lines()
        .filter(|l| l.contains(" /data ") || l.contains(" /rw ") || l.contains(" /shared "))
    {
        assert!(l.contains("nosuid") && l.contains("nodev"), "{l}");
    }
    assert_eq!(
        std::fs::read_to_string(host.join("from-pod")).unwrap(),
        "w\n"
    );
    // Sources inside the state dir are refused, as are bad specs.
    let inside = format!("{}:/x", w.root.join("pods").display());
    let o = w.run(&["run", "-v", &inside, IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("state directory"), "{}", err(&o));
    // A parent of the state dir would expose it just the same.
    let parent = format!("{}:/x", w._tmp.path().display());
    let o = w.run(&["run", "-v", &parent, IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("state directory"), "{}", err(&o));
    // Only root may walk into the state dir (setuid files from images and apps live there).
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&w.root).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "state root mode {mode:o}");
    for bad in [
        "relative:x",
        "/nonexistent-liftoff:/x",
        "/tmp:/../etc",
        "Bad_Name:/x",
    ] {
        let o = w.run(&["run", "-v", bad, IMAGE]);
        assert_eq!(o.status.code(), Some(254), "{bad}: {}", err(&o));
    }
    let o = w.run(&["run", "--tmpfs", "/t:size=1m,suid", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn diff_shows_what_an_app_changed() {
    let _host = crate::pods::shared();
    let w = world();
    let o = w.run(&[
        "run",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "echo changed > /www/index.html; rm /etc/group; busybox mkdir /newdir; echo n > /newdir/f",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let id = std::fs::read_dir(w.root.join("pods/run"))
        .unwrap()
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path().join("pod.json"))
                .unwrap_or_default()
                .contains("rm /etc/group")
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .next()
        .unwrap();
    let d = w.ok(&["diff", &id]);
    for want in [
        "C /www/index.html",
        "D /etc/group",
        "A /newdir",
        "A /newdir/f",
        "C /etc",
    ] {
        assert!(d.lines().any(|l| l == want), "missing {want:?} in\n{d}");
    }
    assert!(!d.lines().any(|l| l == "C /etc/passwd"), "{d}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn logs_rotate_at_the_cap() {
    let _host = crate::pods::shared();
    let w = world();
    let o = w.run(&[
        "run",
        "--log-max-size",
        "8k",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "i=0; while [ $i -lt 1000 ]; do echo line-$i; i=$((i+1)); done",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o).lines().count(),
        1000,
        "the terminal still gets everything"
    );
    let id = std::fs::read_dir(w.root.join("pods/run"))
        .unwrap()
        .flatten()
        .find(|e| {
            std::fs::read_to_string(e.path().join("pod.json"))
                .unwrap_or_default()
                .contains("line-$i")
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .unwrap();
    let dir = w.root.join("pods/run").join(&id).join("logs");
    let cur = std::fs::metadata(dir.join("box.log")).unwrap().len();
    let old = std::fs::metadata(dir.join("box.log.1")).unwrap().len();
    assert!(cur <= 8192 && old <= 8192, "{cur} {old}");
    let logs = w.ok(&["logs", &id]);
    assert!(logs.ends_with("line-999\n"), "{logs}");
    assert!(
        !logs.starts_with("line-0\n"),
        "the oldest lines were rotated away"
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn list_copes_with_pods_starting_and_stopping() {
    let _host = crate::pods::shared();
    let w = world();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    let root = w.root.clone();
    let _ = root;
    let lister = std::thread::spawn(move || {
        let mut n = 0;
        while !s2.load(std::sync::atomic::Ordering::Relaxed) {
            let w = world();
            let o = w.run(&["list", "--all", "--format", "json"]);
            assert!(
                o.status.success(),
                "list failed while pods changed: {}",
                err(&o)
            );
            let v: serde_json::Value =
                serde_json::from_slice(&o.stdout).expect("list prints valid JSON");
            assert!(v.is_array());
            n += 1;
        }
        n
    });
    for _ in 0..8 {
        let id = detached(w, &[IMAGE, "--", "busybox", "sleep", "5"]);
        w.ok(&["stop", &id]);
        w.ok(&["rm", &id]);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let n = lister.join().unwrap();
    assert!(n > 3, "list ran {n} times");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn every_state_transition_and_gc() {
    // gc and --mark-only touch every pod of a store: this test has one of its own.
    let w = crate::pods::new_world();
    let st = |id: &str| {
        let s = w.ok(&["status", "--format", "json", id]);
        serde_json::from_str::<serde_json::Value>(&s).unwrap()["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // prepare → prepared → (run-prepared) running → exited.
    let id = w
        .ok(&["prepare", IMAGE, "--", "busybox", "sleep", "30"])
        .trim()
        .to_string();
    assert_eq!(st(&id), "prepared");
    w.ok(&["run-prepared", "-d", &id]);
    assert_eq!(st(&id), "running");
    // gc never touches a running pod.
    let g = w.ok(&["gc", "--grace-period", "0s"]);
    assert!(!g.contains(&id), "{g}");
    w.ok(&["stop", &id]);
    assert_eq!(st(&id), "exited");
    // gc marks (exited-garbage), then sweeps after the grace period.
    let g = w.ok(&["gc", "--mark-only"]);
    assert!(g.contains(&format!("marked {id}")), "{g}");
    assert_eq!(st(&id), "exited-garbage");
    assert!(!w.ok(&["list"]).contains(&id[..8]));
    assert!(w.ok(&["list", "--all"]).contains(&id[..8]));
    let g = w.ok(&["gc", "--grace-period", "1h"]);
    assert!(!g.contains(&format!("removed {id}")), "{g}");
    let g = w.ok(&["gc", "--grace-period", "0s"]);
    assert!(g.contains(&format!("removed {id}")), "{g}");
    assert_eq!(w.run(&["status", &id]).status.code(), Some(254));
    // A failed preparation goes to garbage/ and is swept from there.
    let o = w.run(&["run", "-v", "/nonexistent-liftoff:/x", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    let all = w.ok(&["list", "--all", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&all).unwrap();
    let failed = v
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["state"] == "garbage")
        .expect("the failed preparation is garbage")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let g = w.ok(&["gc", "--grace-period", "0s"]);
    assert!(g.contains(&format!("removed {failed}")), "{g}");
    // Prepared pods that are never run expire.
    let id = w.ok(&["prepare", IMAGE]).trim().to_string();
    let g = w.ok(&["gc", "--grace-period", "0s"]);
    assert!(!g.contains(&id), "{g}");
    // Until then `image gc` keeps the layers prepared pods name, even once the image is removed
    // (and run-prepared then refuses, leaving that pod for gc).
    let id2 = w.ok(&["prepare", IMAGE]).trim().to_string();
    let m: serde_json::Value = serde_json::from_slice(
        &std::fs::read(w.root.join("pods/prepared").join(&id2).join("pod.json")).unwrap(),
    )
    .unwrap();
    let layer = std::path::PathBuf::from(m["apps"][0]["layers"][0].as_str().unwrap());
    w.ok(&["image", "rm", IMAGE]);
    w.ok(&["image", "gc"]);
    assert!(
        layer.is_dir(),
        "image gc removed a layer a prepared pod needs"
    );
    let o = w.run(&["run-prepared", &id2]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("removed since the pod was prepared"),
        "{}",
        err(&o)
    );
    let g = w.ok(&["gc", "--grace-period", "0s", "--expire-prepared", "0s"]);
    assert!(
        g.contains(&format!("removed {id}")) && g.contains(&format!("removed {id2}")),
        "{g}"
    );
    assert_eq!(w.ok(&["list", "--all", "--format", "json"]).trim(), "[]");
    // With no pod left naming it, the layer goes.
    w.ok(&["image", "gc"]);
    assert!(!layer.exists(), "image gc kept a layer nobody needs");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn terminals_come_from_the_apps_own_devpts() {
    let _host = crate::pods::shared();
    let w = world();
    // `script` gives liftoff a terminal of its own; the app's terminal must be a device the app
    // can see (its own /dev/pts), so `tty` names it.
    let line = |args: &[&str]| {
        let mut c = vec![env!("CARGO_BIN_EXE_liftoff").to_string()];
        c.extend(
            ["--dir", w.root.to_str().unwrap()]
                .iter()
                .map(|s| s.to_string()),
        );
        c.push("--keys".into());
        c.push(w._tmp.path().join("keys").display().to_string());
        c.push("--vendor-keys".into());
        c.push(w._tmp.path().join("vendor").display().to_string());
        c.extend(args.iter().map(|s| s.to_string()));
        c.iter()
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let script = |cmd: String| {
        std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .expect("script (bsdutils)")
    };
    let o = script(line(&[
        "run",
        "-t",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "tty; exit 3",
    ]));
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(out(&o).contains("/dev/pts/0"), "{}", out(&o));
    let id = detached(w, &[IMAGE, "--", "busybox", "sleep", "30"]);
    let o = script(line(&["enter", &id, "--", "/bin/sh", "-c", "tty; exit 4"]));
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(out(&o).contains("/dev/pts/"), "{}", out(&o));
    assert!(!out(&o).contains("not a tty"), "{}", out(&o));
    w.ok(&["stop", "--force", &id]);
}
