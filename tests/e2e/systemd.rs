//! End-to-end tests of the systemd integration (issue 8) without a systemd PID 1: readiness over a
//! NOTIFY_SOCKET the test listens on, an app's own readiness forwarded, socket activation through
//! the real `systemd-socket-activate`, signals and exit codes under it, and generated units checked
//! by `systemd-analyze verify`.

use crate::pods::{err, out, shared, world, World, IMAGE};
use std::io::Read;
use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn notify_socket(w: &World, name: &str) -> (UnixDatagram, std::path::PathBuf) {
    let p = w._tmp.path().join(name);
    let _ = std::fs::remove_file(&p);
    let s = UnixDatagram::bind(&p).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    (s, p)
}

fn recv(s: &UnixDatagram) -> String {
    let mut b = [0u8; 4096];
    let n = s.recv(&mut b).expect("a notification within 10 s");
    String::from_utf8_lossy(&b[..n]).into_owned()
}

fn alive(tag: &str) -> bool {
    Command::new("pgrep")
        .args(["-f", tag])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Connects (retrying while the listener comes up) and reads the whole answer.
fn fetch(port: u16) -> String {
    let t = Instant::now();
    loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(mut c) => {
                c.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
                let mut s = String::new();
                let _ = c.read_to_string(&mut s);
                return s;
            }
            Err(_) if t.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(e) => panic!("connect 127.0.0.1:{port}: {e}"),
        }
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn ready_is_sent_once_every_app_has_started() {
    let _host = shared();
    let w = world();
    let (s, path) = notify_socket(w, "notify-pod.sock");
    let tag = format!("ready-tag-{}", std::process::id());
    let mut c = w
        .cmd(&[
            "run",
            "--notify",
            IMAGE,
            "--",
            "/bin/sh",
            "-c",
            &format!("busybox sleep 2; : {tag}"),
        ])
        .env("NOTIFY_SOCKET", &path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let msg = recv(&s);
    assert_eq!(msg, "READY=1");
    // When READY=1 arrives the app is already running.
    assert!(alive(&tag), "READY=1 came before the app started");
    // SIGTERM: the pod says it is stopping, then stops, and the exit code says how.
    crate::pods::sigterm(&c);
    assert_eq!(recv(&s), "STOPPING=1");
    let st = c.wait().unwrap();
    assert_eq!(st.code(), Some(143));
    // Without NOTIFY_SOCKET, --notify says there is nobody to tell and runs anyway.
    let o = w.run(&["run", "--notify", IMAGE, "--", "busybox", "true"]);
    assert!(
        o.status.success() && err(&o).contains("NOTIFY_SOCKET is not set"),
        "{}",
        err(&o)
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn an_apps_own_readiness_is_forwarded_and_filtered() {
    let _host = shared();
    let w = world();
    let (s, path) = notify_socket(w, "notify-app.sock");
    let t0 = Instant::now();
    let c = w
        .cmd(&[
            "run", "--notify=app:box", "--user", "app", IMAGE, "--", "/bin/sh", "-c",
            "busybox sleep 0.6; /probe notify \"STATUS=warming up\"; /probe notify \"$(printf 'READY=1\\nMAINPID=1\\nFDSTORE=1')\"; busybox sleep 0.3",
        ])
        .env("NOTIFY_SOCKET", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Nothing from the pod itself: the app decides when it is ready.
    assert_eq!(recv(&s), "STATUS=warming up");
    assert!(
        t0.elapsed() >= Duration::from_millis(500),
        "a notification came before the app sent one"
    );
    // MAINPID= and FDSTORE= are not the app's to send: dropped.
    assert_eq!(recv(&s), "READY=1");
    let o = c.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).matches("ok").count(), 2);
    // Only apps of the pod can notify.
    let o = w.run(&["run", "--notify=app:nope", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("no app \"nope\""), "{}", err(&o));
}

/// Waits until the named pod exists and every app has started (it may not exist yet at all).
fn wait_started(w: &World, name: &str) {
    let t = Instant::now();
    while !w
        .run(&["status", "--wait-ready=10s", name])
        .status
        .success()
    {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "pod {name} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn socket_activated(w: &World, port: u16, run_args: &[&str]) -> std::process::Child {
    let mut args: Vec<String> = vec![
        "-l".into(),
        format!("127.0.0.1:{port}"),
        env!("CARGO_BIN_EXE_liftoff").into(),
        "--dir".into(),
        w.root.display().to_string(),
        "--keys".into(),
        w._tmp.path().join("keys").display().to_string(),
        "--vendor-keys".into(),
        w._tmp.path().join("vendor").display().to_string(),
        "run".into(),
    ];
    args.extend(run_args.iter().map(|s| s.to_string()));
    Command::new("systemd-socket-activate")
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("systemd-socket-activate (package systemd)")
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn socket_activation_hands_the_socket_to_the_app() {
    let _host = shared();
    let w = world();
    for net in ["--net=default", "--net=host"] {
        let port = crate::pods::unique_port();
        let c = socket_activated(
            w,
            port,
            &[
                net,
                "--name",
                "srv",
                IMAGE,
                "--",
                "/probe",
                "serve3",
                "hello-from-a-pod",
            ],
        );
        // The first connection starts the pod; the app answers it on the inherited socket.
        let got = fetch(port);
        let o = c.wait_with_output().unwrap();
        assert_eq!(got, "hello-from-a-pod\n", "{net}: {}{}", out(&o), err(&o));
        assert!(
            o.status.success(),
            "{net}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("served"),
            "{net}"
        );
        w.ok(&["rm", "srv"]);
    }
    // With two apps, --socket-app picks the one that gets it; the other sees no LISTEN_FDS.
    let port = crate::pods::unique_port();
    let c = socket_activated(
        w,
        port,
        &[
            "--socket-app",
            "sock-b",
            IMAGE,
            "--name",
            "sock-a",
            "--",
            "/bin/sh",
            "-c",
            "echo fds=${LISTEN_FDS:-none}",
            "---",
            IMAGE,
            "--name",
            "sock-b",
            "--",
            "/probe",
            "serve3",
            "from-b",
        ],
    );
    let got = fetch(port);
    let o = c.wait_with_output().unwrap();
    assert_eq!(got, "from-b\n", "{}{}", out(&o), err(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("sock-a | fds=none") && text.contains("sock-b | served"),
        "{text}"
    );
    w.ok(&["rm", "sock-a"]);
    // --socket-app without sockets says where they come from.
    let o = w.run(&["run", "--socket-app", "box", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("LISTEN_FDS"), "{}", err(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn sigterm_and_exit_codes_under_socket_activation() {
    let _host = shared();
    let w = world();
    let port = crate::pods::unique_port();
    let tag = format!("sa-term-{}", std::process::id());
    let c = socket_activated(
        w,
        port,
        &[
            "--name", "sa-term", IMAGE, "--", "/bin/sh", "-c",
            &format!("trap 'echo got-term; exit 7' TERM; echo trapped {tag}; while true; do busybox sleep 0.1; done"),
        ],
    );
    // Trigger the start; the pod does not serve, so just connect and wait for it to run.
    let t = Instant::now();
    let _conn = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(c) => break c,
            Err(_) if t.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(e) => panic!("connect: {e}"),
        }
    };
    // Started (not just liftoff's own command line, which carries the tag too), and past its
    // `trap`: "ready" means the app reached execve, not that its shell has run a line yet.
    wait_started(w, "sa-term");
    crate::pods::wait_for_log(w, "sa-term", &format!("trapped {tag}"));
    // systemd-socket-activate execs the command: its pid is liftoff's, then the supervisor's.
    crate::pods::sigterm(&c);
    let o = c.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("got-term"));
    // The same from a plain parent.
    let mut c = w
        .cmd(&[
            "run",
            "--name",
            "plain-term",
            IMAGE,
            "--",
            "/bin/sh",
            "-c",
            "trap 'exit 9' TERM; echo trapped; while true; do busybox sleep 0.1; done",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_started(w, "plain-term");
    crate::pods::wait_for_log(w, "plain-term", "trapped");
    crate::pods::sigterm(&c);
    assert_eq!(c.wait().unwrap().code(), Some(9));
    w.ok(&["rm", "sa-term", "plain-term"]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn under_systemd_the_teardown_finishes_before_exit() {
    let _host = shared();
    let w = world();
    let o = w
        .cmd(&["run", "--name", "sync-td", IMAGE, "--", "busybox", "true"])
        .env("INVOCATION_ID", "0123456789abcdef0123456789abcdef")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    // The pod's lock is free the moment `run` has returned: nothing is still being torn down.
    let id = w.ok(&["status", "--format", "json", "sync-td"]);
    let v: serde_json::Value = serde_json::from_str(&id).unwrap();
    let dir = w.root.join("pods/run").join(v["id"].as_str().unwrap());
    let f = std::fs::File::open(&dir).unwrap();
    assert!(
        rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_ok(),
        "teardown still running after run returned under systemd"
    );
    drop(f);
    assert!(!dir.join("net.json").exists());
    w.ok(&["rm", "sync-td"]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn generated_and_shipped_units_pass_systemd_analyze_verify() {
    let _host = shared();
    let w = world();
    let dir = w._tmp.path().join("units");
    let o = w.ok(&[
        "generate",
        "systemd",
        "--output-dir",
        dir.to_str().unwrap(),
        "--socket",
        "127.0.0.1:8080",
        "-p",
        "8080:80",
        "--memory",
        "64M",
        "--name",
        "web",
        IMAGE,
        "--",
        "/probe",
        "serve3",
        "a \"quoted\" $word 100%",
    ]);
    assert_eq!(o.lines().count(), 2, "{o}");
    let service = std::fs::read_to_string(dir.join("liftoff-web.service")).unwrap();
    for want in [
        "Type=notify",
        "KillMode=mixed",
        "Delegate=yes",
        "run --notify",
        "Requires=liftoff-web.socket",
        "\"a \\\"quoted\\\" $$word 100%%\"",
    ] {
        assert!(service.contains(want), "missing {want:?} in\n{service}");
    }
    let socket = std::fs::read_to_string(dir.join("liftoff-web.socket")).unwrap();
    assert!(socket.contains("ListenStream=127.0.0.1:8080"), "{socket}");
    // Printed (not written) it is the same text.
    let printed = w.ok(&["generate", "systemd", "--name", "web", IMAGE]);
    assert!(
        printed.contains("[Install]\nWantedBy=multi-user.target"),
        "{printed}"
    );
    // The shipped gc units, pointed at this build.
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd");
    let gc = std::fs::read_to_string(shipped.join("liftoff-gc.service"))
        .unwrap()
        .replace("/usr/bin/liftoff", env!("CARGO_BIN_EXE_liftoff"));
    std::fs::write(dir.join("liftoff-gc.service"), gc).unwrap();
    std::fs::copy(
        shipped.join("liftoff-gc.timer"),
        dir.join("liftoff-gc.timer"),
    )
    .unwrap();
    for unit in [
        "liftoff-web.service",
        "liftoff-web.socket",
        "liftoff-gc.service",
        "liftoff-gc.timer",
    ] {
        let o = Command::new("systemd-analyze")
            .arg("verify")
            .arg(dir.join(unit))
            .output()
            .expect("systemd-analyze (package systemd)");
        assert!(
            o.status.success() && o.stderr.is_empty(),
            "{unit}: {}{}",
            out(&o),
            err(&o)
        );
    }
    // -d/-i/-t have no place in a unit, and no word may smuggle a directive in.
    let o = w.run(&["generate", "systemd", "-d", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    let o = w.run(&[
        "generate",
        "systemd",
        "-e",
        "X=1\nExecStartPre=/tmp/x",
        IMAGE,
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("control characters"), "{}", err(&o));
}
