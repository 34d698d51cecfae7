//! Pods that change while they run: `run --sandbox`, `liftoff app add|start|stop|restart|rm|list`
//! through the supervisor's control socket, restart policies, and what the socket refuses.

use crate::pods::{err, new_world, out, shared, world, World, IMAGE};
use std::process::{Command, Stdio};
use std::time::Duration;

/// `run -d ARGS…`: the pod's uuid.
fn detached(w: &World, args: &[&str]) -> String {
    let mut a = vec!["run", "-d"];
    a.extend_from_slice(args);
    w.ok(&a).trim().to_string()
}

/// The pod's apps as `app list --format json` gives them.
fn apps(w: &World, pod: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(&w.ok(&["app", "list", pod, "--format", "json"])).unwrap()
}

fn app<'a>(list: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    list.iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no app {name} in {list:?}"))
}

/// A one-shot app added and run to its end with `app start --attach`: its output and exit code.
fn job(w: &World, pod: &str, name: &str, script: &str) -> (String, Option<i32>) {
    w.ok(&[
        "app", "add", pod, IMAGE, "--name", name, "--", "/bin/sh", "-c", script,
    ]);
    let o = w.run(&["app", "start", pod, name, "--attach"]);
    (out(&o), o.status.code())
}

fn serve(port: &str) -> Vec<&str> {
    vec!["--", "busybox", "httpd", "-f", "-p", port, "-h", "/www"]
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_sidecar_added_to_a_running_two_app_pod_reaches_them_over_localhost() {
    let _host = shared();
    let w = world();
    let mut args = vec!["--net=none", IMAGE, "--name", "mweb"];
    args.extend(serve("8080"));
    args.extend(["---", IMAGE, "--name", "mapi"]);
    args.extend(serve("8081"));
    let pod = detached(w, &args);
    let (o, code) = job(
        w,
        &pod,
        "side",
        "busybox wget -qO- http://127.0.0.1:8080/ && busybox wget -qO- http://127.0.0.1:8081/",
    );
    assert_eq!(code, Some(0), "{o}");
    assert_eq!(o.matches("hello over localhost").count(), 2, "{o}");
    let list = apps(w, &pod);
    assert_eq!(app(&list, "side")["state"], "exited");
    assert_eq!(app(&list, "side")["exit_code"], 0);
    assert_eq!(app(&list, "mweb")["state"], "running");
    // The added app is in pod.json with the next generation; status and logs know it.
    let st = w.ok(&["status", &pod]);
    assert!(st.contains("side"), "{st}");
    let logs = w.ok(&["logs", "--app", "side", &pod]);
    assert!(logs.contains("hello over localhost"), "{logs}");
    // The added app has the pod's id mapping (the world's pods are remapped by default).
    let m: serde_json::Value = serde_json::from_slice(
        &std::fs::read(w.root.join("pods/run").join(&pod).join("pod.json")).unwrap(),
    )
    .unwrap();
    let ids = &m["userns"];
    assert!(ids.is_object(), "a remapped pod: {m}");
    let (o, code) = job(w, &pod, "ids", "busybox cat /proc/self/uid_map");
    assert_eq!(code, Some(0), "{o}");
    let want = format!("0 {} {}", ids["uid"], ids["size"]);
    assert_eq!(
        o.split_whitespace().collect::<Vec<_>>().join(" "),
        want,
        "the added app's uid map"
    );
    // enter reaches an added app that runs.
    w.ok(&[
        "app", "add", &pod, IMAGE, "--name", "idle", "--", "busybox", "sleep", "60",
    ]);
    w.ok(&["app", "start", &pod, "idle"]);
    let o = w.ok(&[
        "enter",
        "--app",
        "idle",
        &pod,
        "--",
        "busybox",
        "cat",
        "/proc/1/cmdline",
    ]);
    assert!(o.contains("liftoff-init"), "{o}");
    // The added apps' exits did not end or fail the pod; stop does, with the decisive apps' code.
    let o = w.run(&["stop", &pod]);
    assert!(o.status.success(), "{}", err(&o));
    w.ok(&["rm", &pod]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn an_app_restarts_while_another_keeps_serving_and_a_running_app_is_not_removed() {
    let _host = shared();
    let w = world();
    let mut args = vec!["--net=none", IMAGE, "--name", "keep"];
    args.extend(serve("8080"));
    // bounce leaves a child of its own behind in its cgroup.
    args.extend([
        "---",
        IMAGE,
        "--name",
        "bounce",
        "--",
        "/bin/sh",
        "-c",
        "busybox sleep 1000 & exec busybox httpd -f -p 8081 -h /www",
    ]);
    let pod = detached(w, &args);
    let o = w.run(&["app", "rm", &pod, "bounce"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("bounce is running") && err(&o).contains("app stop"),
        "{}",
        err(&o)
    );
    w.ok(&["app", "restart", &pod, "bounce", "--timeout", "5"]);
    let list = apps(w, &pod);
    assert_eq!(app(&list, "bounce")["state"], "running");
    let (o, code) = job(
        w,
        &pod,
        "probe",
        "busybox wget -qO- http://127.0.0.1:8080/ && busybox wget -qO- http://127.0.0.1:8081/",
    );
    assert_eq!(
        (code, o.matches("hello over localhost").count()),
        (Some(0), 2),
        "{o}"
    );
    // keep ran once all along; bounce twice.
    let dir = w.root.join("pods/run").join(&pod);
    let run_of = |a: &str| -> u64 {
        let v: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join("apps").join(a).join("run.json")).unwrap(),
        )
        .unwrap();
        v["run"].as_u64().unwrap()
    };
    assert_eq!((run_of("keep"), run_of("bounce")), (1, 2));
    // Stopped on request (SIGTERM: 143), removed once stopped: its dirs and logs go.
    let o = w.ok(&["app", "stop", &pod, "bounce"]);
    assert!(o.contains("bounce exited 143"), "{o}");
    // Its child went with it: nothing is left in its cgroup.
    let cgs: Vec<String> =
        serde_json::from_slice(&std::fs::read(dir.join("cgroups.json")).unwrap()).unwrap();
    for cg in &cgs {
        let procs = std::path::Path::new(cg).join("app-bounce/cgroup.procs");
        if let Ok(p) = std::fs::read_to_string(&procs) {
            assert!(p.trim().is_empty(), "{}: {p}", procs.display());
        }
    }
    w.ok(&["app", "rm", &pod, "bounce"]);
    assert!(!dir.join("apps/bounce").exists());
    assert!(!dir.join("logs/bounce.log").exists());
    let list = apps(w, &pod);
    assert!(list.iter().all(|a| a["name"] != "bounce"), "{list:?}");
    // The pod did not end when bounce was stopped: keep still serves.
    let (o, code) = job(
        w,
        &pod,
        "probe2",
        "busybox wget -qO- http://127.0.0.1:8080/",
    );
    assert_eq!(code, Some(0), "{o}");
    w.ok(&["stop", &pod]);
    w.ok(&["rm", &pod]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn concurrent_adds_of_one_name_have_exactly_one_winner() {
    let _host = shared();
    let w = world();
    let pod = detached(w, &["--sandbox", "--net=none"]);
    let children: Vec<_> = (0..6)
        .map(|_| {
            w.cmd(&[
                "app", "add", &pod, IMAGE, "--name", "twin", "--", "busybox", "true",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let results: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let won = results.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "{results:?}");
    for o in results.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(254));
        // Refused by the supervisor, or (once the winner is in pod.json) already by resolve.
        let e = err(o);
        assert!(
            e.contains("already has an app twin")
                || e.contains("app twin: two apps have this name"),
            "{e}"
        );
    }
    let list = apps(w, &pod);
    assert_eq!(list.len(), 1, "{list:?}");
    let m: serde_json::Value = serde_json::from_slice(
        &std::fs::read(w.root.join("pods/run").join(&pod).join("pod.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(m["generation"], 1);
    assert_eq!(m["apps"][0]["generation"], 1);
    w.ok(&["stop", &pod]);
    w.ok(&["rm", &pod]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn an_image_no_longer_trusted_is_not_added() {
    let _host = shared();
    let w = new_world();
    let pod = detached(&w, &["--sandbox", "--net=none"]);
    w.ok(&[
        "app", "add", &pod, IMAGE, "--name", "first", "--", "busybox", "true",
    ]);
    let list = w.ok(&["trust", "list"]);
    let key = list
        .lines()
        .find(|l| l.contains("example.com/e2e"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    w.ok(&["trust", "rm", &key, "--prefix", "example.com/e2e"]);
    let o = w.run(&[
        "app", "add", &pod, IMAGE, "--name", "second", "--", "busybox", "true",
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("refusing to run") && err(&o).contains(IMAGE),
        "{}",
        err(&o)
    );
    let list = apps(&w, &pod);
    assert_eq!(list.len(), 1, "{list:?}");
    w.ok(&["stop", &pod]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn the_control_socket_refuses_non_root_callers_and_bad_frames() {
    let _host = shared();
    let w = world();
    let pod = detached(w, &["--sandbox", "--net=none"]);
    let sock = w.root.join("pods/run").join(&pod).join("control.sock");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&sock).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let client = r#"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
b = sys.argv[2].encode()
if sys.argv[3] == "huge":
    s.sendall(struct.pack(">I", 0xffffffff))
else:
    s.sendall(struct.pack(">I", len(b)) + b)
n = struct.unpack(">I", s.recv(4))[0]
d = b""
while len(d) < n:
    d += s.recv(n - len(d))
print(d.decode())
"#;
    let ask = |wrap: &[&str], req: &str, how: &str| -> serde_json::Value {
        let mut c = Command::new(wrap.first().copied().unwrap_or("python3"));
        c.args(wrap.iter().skip(1));
        if !wrap.is_empty() {
            c.arg("python3");
        }
        let o = c
            .args(["-c", client])
            .arg(&sock)
            .args([req, how])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", err(&o));
        serde_json::from_str(out(&o).trim()).unwrap()
    };
    let start = r#"{"version":1,"op":{"kind":"start","app":"nope"}}"#;
    // A caller that is not root but gets past the socket's mode (CAP_DAC_OVERRIDE kept).
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=+dac_override,+dac_read_search",
        "--ambient-caps=+dac_override,+dac_read_search",
    ];
    let r = ask(&nobody, start, "frame");
    assert_eq!(r["refused"]["kind"], "denied", "{r}");
    assert!(r["refused"]["message"]
        .as_str()
        .unwrap()
        .contains("uid 65534"));
    let r = ask(&[], start, "frame");
    assert_eq!(r["refused"]["kind"], "not-found", "{r}");
    let r = ask(
        &[],
        r#"{"version":1,"op":{"kind":"start","app":"x","extra":1}}"#,
        "frame",
    );
    assert_eq!(r["refused"]["kind"], "invalid", "{r}");
    let r = ask(
        &[],
        r#"{"version":9,"op":{"kind":"start","app":"x"}}"#,
        "frame",
    );
    assert_eq!(r["refused"]["kind"], "version", "{r}");
    let r = ask(&[], "", "huge");
    assert_eq!(r["refused"]["kind"], "invalid", "{r}");
    assert!(
        r["refused"]["message"]
            .as_str()
            .unwrap()
            .contains("over the limit"),
        "{r}"
    );
    // The supervisor is unharmed: the sandbox still takes apps.
    w.ok(&[
        "app", "add", &pod, IMAGE, "--name", "after", "--", "busybox", "true",
    ]);
    w.ok(&["stop", &pod]);
    // Once the pod has ended the socket is gone, and app commands say the pod is not running.
    assert!(!sock.exists());
    let o = w.run(&["app", "start", &pod, "after"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("exited"), "{}", err(&o));
    w.ok(&["rm", &pod]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn an_on_failure_app_that_fails_three_times_shows_three_restarts() {
    let _host = shared();
    let w = world();
    let pod = detached(
        w,
        &[
            "--net=none",
            "--restart=on-failure:3",
            IMAGE,
            "--name",
            "flaky",
            "--",
            "/bin/sh",
            "-c",
            "echo try; exit 3",
        ],
    );
    // 4 runs, pauses of 100, 200 and 400 ms: then the pod ends with the app's code.
    let t = std::time::Instant::now();
    loop {
        let st = w.ok(&["status", &pod]);
        if st.contains("state: exited") {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "still running: {st}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let list = apps(w, &pod);
    let flaky = app(&list, "flaky");
    assert_eq!(flaky["restarts"], 3, "{flaky}");
    assert_eq!(flaky["exit_code"], 3, "{flaky}");
    let logs = w.ok(&["logs", &pod]);
    assert_eq!(logs.matches("try").count(), 4, "{logs}");
    let o = w.run(&["status", &pod]);
    assert!(out(&o).contains("exit code: 3"), "{}", out(&o));
    w.ok(&["rm", &pod]);
    // A sandbox's published port answers before any app runs (the network exists from the
    // start), and an app added later serves on it.
    let pod = detached(w, &["--sandbox", "-p", "18291:8080"]);
    let nft = Command::new("nft")
        .args(["list", "table", "ip", "liftoff_liftoff0"])
        .output()
        .unwrap();
    assert!(
        out(&nft).contains(&pod),
        "the port is published: {}",
        out(&nft)
    );
    let mut add = vec!["app", "add", &pod, IMAGE, "--name", "web"];
    add.extend(serve("8080"));
    w.ok(&add);
    w.ok(&["app", "start", &pod, "web"]);
    let got = liftoff_common::lock::poll_until(Some(Duration::from_secs(5)), || {
        Command::new("busybox")
            .args(["wget", "-qO-", "http://127.0.0.1:18291/"])
            .output()
            .is_ok_and(|o| out(&o).contains("hello over localhost"))
    });
    assert!(got, "the added app serves on the sandbox's published port");
    w.ok(&["stop", &pod]);
    w.ok(&["rm", &pod]);
}
