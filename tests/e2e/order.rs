//! End-to-end tests of start order and readiness (issue 17): `after` waits for a TCP port and for
//! an exec probe run as the app, `run -d` and `status --wait-ready` wait for every probe, a probe
//! out of retries fails the pod with a message naming the app and the probe, `:completed` waits
//! for exit status 0, app names resolve to 127.0.0.1, and bad orders are refused with their line.

use crate::pods::{err, out, shared, unique_port, world, World, IMAGE};
use std::time::{Duration, Instant};

fn pod_file(w: &World, name: &str, text: &str) -> String {
    let f = w._tmp.path().join(name);
    std::fs::write(&f, text).unwrap();
    f.to_str().unwrap().to_string()
}

fn status(w: &World, id: &str) -> String {
    w.ok(&["status", id])
}

fn stop_and_rm(w: &World, id: &str) {
    w.ok(&["stop", id]);
    w.ok(&["rm", id]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn after_waits_for_a_tcp_port_and_run_d_for_every_probe() {
    let _host = shared();
    let w = world();
    let port = unique_port();
    // db listens only after 600 ms; web checks at its start that db answers, by name and address.
    let f = pod_file(
        w,
        "tcp-order.toml",
        &format!(
            r#"name = "tcp-order"
hostname = "order"
net = "none"
[[app]]
name = "web"
image = "{IMAGE}"
after = ["db"]
exec = ["/bin/sh", "-c", "busybox wget -qO /dev/null http://127.0.0.1:{port}/hostname && echo reached; busybox grep -E '^127.0.0.1[[:space:]].*\\bdb\\b' /etc/hosts && echo named; exec busybox sleep 30"]
ready = {{ tcp = {port}, interval = "20ms" }}
[[app]]
name = "db"
image = "{IMAGE}"
exec = ["/bin/sh", "-c", "busybox sleep 0.6; exec busybox httpd -f -p 127.0.0.1:{port} -h /etc"]
ready = {{ tcp = {port}, interval = "20ms" }}
"#
        ),
    );
    let t = Instant::now();
    let id = w.ok(&["run", "-d", "--pod", &f]).trim().to_string();
    let took = t.elapsed();
    // run -d returned once both probes passed: after db listened, and not much later.
    assert!(took >= Duration::from_millis(600), "{took:?}");
    let s = status(w, &id);
    assert!(
        s.contains("app web: running (ready)") && s.contains("app db: running (ready)"),
        "{s}"
    );
    // status --wait-ready agrees at once.
    w.ok(&["status", "--wait-ready=5s", &id]);
    let logs = w.ok(&["logs", &id]);
    assert!(logs.contains("reached") && logs.contains("named"), "{logs}");
    stop_and_rm(w, &id);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn an_exec_probe_runs_inside_the_app_as_the_app() {
    let _host = shared();
    let w = world();
    // The probe passes only in db's own root (its /tmp), as db's user, with db's capabilities
    // (none): so it ran in the app, not in init or on the host.
    let f = pod_file(
        w,
        "exec-order.toml",
        &format!(
            r#"net = "none"
[[app]]
name = "db"
image = "{IMAGE}"
user = "1000:1000"
cap_drop = ["all"]
tmpfs = ["/tmp:mode=1777"]
exec = ["/bin/sh", "-c", "busybox sleep 0.4; busybox touch /tmp/up; exec busybox sleep 30"]
ready = {{ exec = ["/bin/sh", "-c", "test -e /tmp/up && test $(busybox id -u) = 1000 && busybox grep -q '^CapEff:.0000000000000000' /proc/self/status"], interval = "30ms" }}
[[app]]
name = "web"
image = "{IMAGE}"
after = ["db"]
exec = ["/bin/sh", "-c", "test -e /tmp/up || echo own-root; exec busybox sleep 30"]
"#
        ),
    );
    let t = Instant::now();
    let id = w.ok(&["run", "-d", "--pod", &f]).trim().to_string();
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    let s = status(w, &id);
    assert!(
        s.contains("app db: running (ready)") && s.contains("app web: running (ready)"),
        "{s}"
    );
    let logs = w.ok(&["logs", &id]);
    assert!(logs.contains("own-root"), "{logs}");
    stop_and_rm(w, &id);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_probe_out_of_retries_fails_the_pod_and_the_waiting_app_never_starts() {
    let _host = shared();
    let w = world();
    let port = unique_port();
    let f = pod_file(
        w,
        "never-ready.toml",
        &format!(
            r#"name = "never-ready"
net = "none"
[[app]]
name = "db"
image = "{IMAGE}"
exec = ["/bin/busybox", "sleep", "30"]
ready = {{ tcp = {port}, interval = "20ms", retries = 5 }}
[[app]]
name = "web"
image = "{IMAGE}"
after = ["db"]
exec = ["/bin/sh", "-c", "echo web-started; exec busybox sleep 30"]
"#
        ),
    );
    let t = Instant::now();
    let o = w.run(&["run", "-d", "--pod", &f]);
    assert_eq!(o.status.code(), Some(254), "{}", err(&o));
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    let e = err(&o);
    assert!(
        e.contains("app db: not ready")
            && e.contains(&format!("tcp 127.0.0.1:{port}"))
            && e.contains("5 times"),
        "{e}"
    );
    // The pod is exited; web never ran.
    let id = "never-ready";
    let logs = w.ok(&["logs", id]);
    assert!(!logs.contains("web-started"), "{logs}");
    let s = status(w, id);
    assert!(
        s.contains("state: exited") && s.contains("not ready"),
        "{s}"
    );
    w.ok(&["rm", id]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn completed_waits_for_exit_status_0() {
    let _host = shared();
    let w = world();
    let text = |code: u8| {
        format!(
            r#"net = "none"
[[app]]
name = "web"
image = "{IMAGE}"
after = ["mig:completed"]
exec = ["/bin/sh", "-c", "echo web-ran"]
[[app]]
name = "mig"
image = "{IMAGE}"
exec = ["/bin/sh", "-c", "busybox sleep 0.2; echo migrated; exit {code}"]
"#
        )
    };
    let o = w.run(&["run", "--pod", &pod_file(w, "mig-ok.toml", &text(0))]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let s = out(&o);
    let (m, r) = (s.find("mig | migrated"), s.find("web | web-ran"));
    assert!(m.is_some() && r.is_some() && m < r, "{s}");
    let o = w.run(&["run", "--pod", &pod_file(w, "mig-bad.toml", &text(3))]);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(!out(&o).contains("web-ran"), "{}", out(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn bad_orders_are_refused_with_their_line() {
    let _host = shared();
    let w = world();
    let cycle = format!(
        "[[app]]\nname = \"a\"\nimage = \"{IMAGE}\"\nafter = [\"b\"]\n[[app]]\nname = \"b\"\nimage = \"{IMAGE}\"\nafter = [\"a\"]\n"
    );
    let o = w.run(&["run", "--pod", &pod_file(w, "cycle.toml", &cycle)]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("line 8") && err(&o).contains("a -> b -> a"),
        "{}",
        err(&o)
    );
    let unknown = format!("[[app]]\nname = \"a\"\nimage = \"{IMAGE}\"\nafter = [\"db\"]\n");
    let o = w.run(&["run", "--pod", &pod_file(w, "unknown.toml", &unknown)]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("line 4") && err(&o).contains("no app \"db\""),
        "{}",
        err(&o)
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn notify_sends_ready_only_once_every_probe_has_passed() {
    let _host = shared();
    let w = world();
    let path = w._tmp.path().join("notify-probe.sock");
    let _ = std::fs::remove_file(&path);
    let s = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let port = unique_port();
    // The app listens 700 ms after its start; READY=1 must not come before.
    let f = pod_file(
        w,
        "notify-probe.toml",
        &format!(
            r#"net = "none"
[[app]]
name = "db"
image = "{IMAGE}"
exec = ["/bin/sh", "-c", "busybox sleep 0.7; exec busybox httpd -f -p 127.0.0.1:{port} -h /etc"]
ready = {{ tcp = {port}, interval = "20ms" }}
"#
        ),
    );
    let t = Instant::now();
    let mut c = w
        .cmd(&["run", "--notify", "--pod", &f])
        .env("NOTIFY_SOCKET", &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut b = [0u8; 4096];
    let n = s.recv(&mut b).expect("READY=1 within 10 s");
    assert_eq!(&b[..n], b"READY=1");
    assert!(
        t.elapsed() >= Duration::from_millis(700),
        "{:?}",
        t.elapsed()
    );
    crate::pods::sigterm(&c);
    let _ = c.wait().unwrap();
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn the_same_from_run_flags() {
    let _host = shared();
    let w = world();
    let port = unique_port();
    let db = format!("busybox sleep 0.5; exec busybox httpd -f -p 127.0.0.1:{port} -h /etc");
    let web = format!("busybox wget -qO /dev/null http://db:{port}/hostname && echo reached; exec busybox sleep 30");
    let t = Instant::now();
    let id = w
        .ok(&[
            "run",
            "-d",
            "--net",
            "none",
            IMAGE,
            "--name",
            "flags-db",
            "--ready-tcp",
            &port.to_string(),
            "--health-interval",
            "20ms",
            "--",
            "/bin/sh",
            "-c",
            &db,
            "---",
            IMAGE,
            "--name",
            "web",
            "--after",
            "flags-db",
            "--",
            "/bin/sh",
            "-c",
            &web.replace("db:", "flags-db:"),
        ])
        .trim()
        .to_string();
    assert!(
        t.elapsed() >= Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    let logs = w.ok(&["logs", &id]);
    assert!(logs.contains("reached"), "{logs}");
    stop_and_rm(w, &id);
    // Timing without a probe is refused.
    let o = w.run(&["run", IMAGE, "--health-retries", "3"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("need a probe"), "{}", err(&o));
}
