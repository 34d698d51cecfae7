//! End-to-end tests of what a new user hits in the first hour (issue 13): `run --rm` (foreground and
//! detached) leaves nothing behind, `--exit-code-from` ends a pod of servers with its probe, a
//! broken `policy.toml` stops only the verbs that verify, `ps` lists pods, and error messages carry
//! no Rust debug text.

use crate::leak::snapshot;
use crate::pods::{err, new_world, out, world, World, IMAGE};
use std::time::{Duration, Instant};

/// The pod dirs of this store, in any state.
fn pod_dirs(w: &World) -> Vec<String> {
    crate::leak::pod_entries(w)
        .into_iter()
        .map(|(s, id)| format!("{s}/{id}"))
        .collect()
}

/// Cgroup dirs anywhere under /sys/fs/cgroup named after the pod.
fn cgroups_of(id: &str) -> Vec<String> {
    let o = std::process::Command::new("find")
        .args(["/sys/fs/cgroup", "-maxdepth", "4", "-type", "d", "-name"])
        .arg(format!("pod-{id}*"))
        .output()
        .unwrap();
    out(&o).lines().map(str::to_string).collect()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn run_rm_leaves_nothing_behind_in_the_foreground_and_detached() {
    let _host = crate::pods::exclusive();
    let w = new_world();
    // A first pod creates what lives on (the bridge, the liftoff cgroups, the shared portmap
    // chains, the state tree).
    let port = format!("127.0.0.1:{}:80", crate::pods::unique_port());
    w.ok(&["run", "--rm", "-p", &port, IMAGE, "--", "busybox", "true"]);
    let before = snapshot(&w);
    let file = w._tmp.path().join("rm.uuid");
    let f = file.to_str().unwrap();
    let o = w.run(&[
        "run",
        "--rm",
        "--uuid-file-save",
        f,
        "-v",
        "data:/data",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "echo kept > /data/x; echo done; exit 7",
    ]);
    assert_eq!(o.status.code(), Some(7), "{}", err(&o));
    assert_eq!(out(&o), "done\n", "the exit command prints nothing: {o:?}");
    let id = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(pod_dirs(&w).is_empty(), "{:?}", pod_dirs(&w));
    assert!(cgroups_of(&id).is_empty(), "{:?}", cgroups_of(&id));
    assert_eq!(before, snapshot(&w), "run --rm changed the host");
    let o = w.run(&["status", &id]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains(&id[..8]), "{}", err(&o));

    // Detached: removed once stopped.
    let port = format!("127.0.0.1:{}:80", crate::pods::unique_port());
    let id = w
        .ok(&[
            "run", "-d", "--rm", "-p", &port, IMAGE, "--", "busybox", "sleep", "30",
        ])
        .trim()
        .to_string();
    assert_eq!(w.ok(&["list"]).matches(&id[..8]).count(), 1);
    w.ok(&["stop", &id]);
    let t = Instant::now();
    while !pod_dirs(&w).is_empty() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "pod dir left: {:?}",
            pod_dirs(&w)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(cgroups_of(&id).is_empty(), "{:?}", cgroups_of(&id));
    assert_eq!(
        before,
        snapshot(&w),
        "run -d --rm, then stop, changed the host"
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn exit_code_from_ends_a_pod_of_servers_with_the_probes_code() {
    let _host = crate::pods::shared();
    let w = world();
    let t = Instant::now();
    let o = w.run(&[
        "run",
        "--rm",
        "--net=none",
        "--stop-timeout",
        "5",
        "--exit-code-from",
        "probe",
        IMAGE,
        "--name",
        "server",
        "--",
        "busybox",
        "sleep",
        "60",
        "---",
        IMAGE,
        "--name",
        "probe",
        "--",
        "/bin/sh",
        "-c",
        "busybox sleep 0.2; exit 3",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "the server was stopped (SIGTERM), not waited for: {:?}",
        t.elapsed()
    );
    // A probe that succeeds ends the pod with 0, even though the server was killed by the stop.
    let o = w.run(&[
        "run",
        "--rm",
        "--net=none",
        "--exit-code-from",
        "probe",
        IMAGE,
        "--name",
        "server",
        "--",
        "busybox",
        "sleep",
        "60",
        "---",
        IMAGE,
        "--name",
        "probe",
        "--",
        "busybox",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // The same from a pod file; a name that is not an app is refused, naming the apps.
    let pf = w._tmp.path().join("exit-from.toml");
    std::fs::write(
        &pf,
        format!(
            "net = \"none\"\nexit_code_from = \"job\"\n[[app]]\nname = \"srv\"\nimage = \"{IMAGE}\"\nexec = [\"busybox\", \"sleep\", \"60\"]\n[[app]]\nname = \"job\"\nimage = \"{IMAGE}\"\nexec = [\"/bin/sh\", \"-c\", \"exit 5\"]\n"
        ),
    )
    .unwrap();
    let o = w.run(&["run", "--rm", "--pod", pf.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(5), "{}", err(&o));
    let o = w.run(&["run", "--exit-code-from", "nope", IMAGE, "--name", "a"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("--exit-code-from")
            && err(&o).contains("\"nope\"")
            && err(&o).contains("a"),
        "{}",
        err(&o)
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_broken_policy_stops_only_the_verbs_that_verify() {
    let _host = crate::pods::shared();
    let w = new_world();
    let id = w
        .ok(&[
            "run",
            "-d",
            "--net=none",
            IMAGE,
            "--",
            "busybox",
            "sleep",
            "30",
        ])
        .trim()
        .to_string();
    std::fs::write(
        w.keys.join("policy.toml"),
        "default = \"reject\"\n[[prefix]]\nname = \"example.com/e2e\"\nthreshold = \"many\"\n",
    )
    .unwrap();
    for args in [
        vec!["list"],
        vec!["ps"],
        vec!["logs", id.as_str()],
        vec!["status", id.as_str()],
        vec!["stop", id.as_str()],
        vec!["gc", "--grace-period", "0s"],
        vec!["image", "list"],
    ] {
        let o = w.run(&args);
        assert!(o.status.success(), "liftoff {args:?}: {}", err(&o));
    }
    for args in [
        vec!["run", "--net=none", IMAGE],
        vec!["image", "verify", IMAGE],
    ] {
        let o = w.run(&args);
        assert_eq!(o.status.code(), Some(254), "liftoff {args:?}");
        let e = err(&o);
        assert!(
            e.contains("policy.toml") && e.contains("line 4"),
            "liftoff {args:?} names the file and line: {e}"
        );
    }
}

/// Error paths a user meets early: none of them may print Rust's debug forms.
#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn error_messages_carry_no_debug_text() {
    let _host = crate::pods::shared();
    let w = world();
    let debug = regex_free_debug_forms;
    for args in [
        vec!["run", "--pull=never", "example.com/e2e/missing:1"],
        vec!["run", "--pull=missing", "example.com/e2e/missing:1"],
        vec!["run", "example.com/e2e/missing:1"],
        vec!["fetch", "oci:/nonexistent/layout:1"],
        vec!["run", "--net", "nosuchnet", IMAGE],
        vec!["status", "no-such-pod"],
        vec![
            "image",
            "extract",
            "example.com/e2e/missing:1",
            "/nonexistent/x",
        ],
        vec!["run", "-v", "relative:x", IMAGE],
        vec!["run", "--user", "nobody", IMAGE],
    ] {
        let o = w.run(&args);
        assert_eq!(o.status.code(), Some(254), "liftoff {args:?}: {o:?}");
        let e = err(&o);
        assert!(!e.trim().is_empty(), "liftoff {args:?} says why");
        if let Some(bad) = debug(&e) {
            panic!("liftoff {args:?}: debug text {bad:?} in: {e}");
        }
    }
}

/// `Some(`, `None`, a bare enum variant such as `Missing` or `Symlink(2)`, `Os { code`, `kind:`.
fn regex_free_debug_forms(text: &str) -> Option<String> {
    for pat in [
        "Some(", "None", "Os {", "kind: ", "Missing", "Error {", "\\\"",
    ] {
        if text.contains(pat) {
            return Some(pat.to_string());
        }
    }
    // CamelCase(digits): `Symlink(2)`.
    let b = text.as_bytes();
    for (i, _) in text.match_indices('(') {
        let word_start = text[..i]
            .rfind(|c: char| !c.is_ascii_alphanumeric())
            .map_or(0, |k| k + 1);
        let word = &text[word_start..i];
        let digits = text[i + 1..].split(')').next().unwrap_or("");
        if word.len() > 1
            && word.as_bytes()[0].is_ascii_uppercase()
            && word.bytes().skip(1).any(|c| c.is_ascii_lowercase())
            && !digits.is_empty()
            && digits.bytes().all(|c| c.is_ascii_digit())
            && i + 1 + digits.len() < b.len()
        {
            return Some(format!("{word}({digits})"));
        }
    }
    None
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn run_rm_removes_a_pod_that_fails_to_start() {
    let _host = crate::pods::shared();
    let w = new_world();
    let port = crate::pods::unique_port();
    let _busy = std::net::TcpListener::bind(("0.0.0.0", port)).unwrap();
    let publish = format!("{port}:80");
    for detach in [false, true] {
        let mut args = vec!["run", "--rm", "-p", &publish];
        if detach {
            args.push("-d");
        }
        args.extend([IMAGE, "--", "busybox", "sleep", "5"]);
        let o = w.run(&args);
        assert_eq!(o.status.code(), Some(254), "{o:?}");
        assert!(
            err(&o).contains(&port.to_string()),
            "names the port: {}",
            err(&o)
        );
        let t = Instant::now();
        while !pod_dirs(&w).is_empty() {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "left: {:?}",
                pod_dirs(&w)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    // Also when the app itself cannot start.
    let o = w.run(&["run", "--rm", "--net=none", IMAGE, "--", "/nonexistent"]);
    assert_eq!(o.status.code(), Some(254), "{o:?}");
    assert!(pod_dirs(&w).is_empty(), "{:?}", pod_dirs(&w));
}
