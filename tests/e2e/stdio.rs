//! End-to-end tests of `run -i` with a caller's stdin/stdout in non-blocking mode (issue 13):
//! inetd-style socket activation through the real `systemd-socket-activate --inetd` with busybox
//! `httpd -i`, and a non-blocking socketpair handed to `run -i` by the test. The app must see a
//! plain stream (no EAGAIN, no early end of file) and every byte of its output must arrive, even
//! when the caller reads slowly.
//!
//! systemd 252's `systemd-socket-activate --inetd --accept` hands over the connection in blocking
//! mode; other supervisors (and other versions) leave O_NONBLOCK set. The probe's `nonblock` mode
//! sets it between the two, so the test covers the case that failed.

use crate::pods::{err, shared, unique_port, world, World, IMAGE};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Waits until the named pod exists and its app has started (or already ended: an app that took
/// EAGAIN for the end of its input does not wait for the client; the assertions then say so).
fn wait_started(w: &World, name: &str) {
    let t = Instant::now();
    loop {
        let o = w.run(&["status", "--wait-ready=10s", name]);
        if o.status.success() || err(&o).contains("never became ready") {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "pod {name} did not start: {}",
            err(&o)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let the app reach its first read of stdin: the moment a non-blocking stdin used to give it
    // EAGAIN (an empty request) instead of waiting for the client.
    std::thread::sleep(Duration::from_millis(300));
}

/// Waits for the named pod to exit, then removes it.
fn remove_when_done(w: &World, name: &str) {
    w.ok(&["status", "--wait=20s", name]);
    w.ok(&["rm", name]);
}

/// `systemd-socket-activate --accept` keeps listening: it is killed when the test ends, even by a
/// failed assertion.
struct Activator(Option<std::process::Child>);

impl Drop for Activator {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn inetd_activation_with_a_non_blocking_socket_serves_a_page() {
    let _host = shared();
    let w = world();
    let port = unique_port();
    let name = "inetd-httpd";
    let env = |k: &str, v: &std::path::Path| format!("{k}={}", v.display());
    let sa = Command::new("systemd-socket-activate")
        .args(["--inetd", "--accept", "-l", &format!("127.0.0.1:{port}")])
        .arg("-E")
        .arg(env("LIFTOFF_DIR", &w.root))
        .arg("-E")
        .arg(env("LIFTOFF_KEYS", &w._tmp.path().join("keys")))
        .arg("-E")
        .arg(env("LIFTOFF_VENDOR_KEYS", &w._tmp.path().join("vendor")))
        .arg(w._tmp.path().join("rootfs/probe"))
        .arg("nonblock")
        .arg(env!("CARGO_BIN_EXE_liftoff"))
        .args(["run", "--net=none", "-i", "--name", name, IMAGE, "--"])
        .args(["/bin/busybox", "httpd", "-i", "-h", "/www"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("systemd-socket-activate (package systemd)");
    let mut sa = Activator(Some(sa));
    let t = Instant::now();
    let mut c = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(c) => break c,
            Err(e) => {
                assert!(t.elapsed() < Duration::from_secs(5), "connect :{port}: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    // The client speaks only once the pod runs, as a slow client would.
    wait_started(w, name);
    c.write_all(b"GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n")
        .unwrap();
    c.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let mut page = String::new();
    let _ = c.read_to_string(&mut page);
    remove_when_done(w, name);
    let mut sa = sa.0.take().unwrap();
    let _ = sa.kill();
    let o = sa.wait_with_output().unwrap();
    assert!(
        page.starts_with("HTTP/1.") && page.contains("200"),
        "no page: {page:?}; systemd-socket-activate said: {}",
        err(&o)
    );
    assert!(page.ends_with("hello over localhost\n"), "{page:?}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_non_blocking_socketpair_as_stdin_and_stdout_relays_everything_and_the_end() {
    let _host = shared();
    let w = world();
    let name = "nonblock-pair";
    let (mut ours, theirs) = UnixStream::pair().unwrap();
    // O_NONBLOCK lives on the open file description, which the child shares.
    theirs.set_nonblocking(true).unwrap();
    let out = std::os::fd::OwnedFd::from(theirs.try_clone().unwrap());
    let child = w
        .cmd(&["run", "--net=none", "-i", "--name", name, IMAGE, "--"])
        .args(["/bin/sh", "-c"])
        // The input echoed until its end, then a megabyte: far more than the socket buffer, so
        // the relay's writes to the non-blocking stdout come back short or with EAGAIN while we
        // do not read.
        .arg("busybox cat && busybox dd if=/dev/zero bs=1000 count=1000 2>/dev/null")
        .stdin(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
        .stdout(Stdio::from(out))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_started(w, name);
    // (A broken pipe here means the app had already ended; the assertions below say how.)
    let _ = ours.write_all(b"a line through a non-blocking socket\n");
    // The end of our input must reach the app as the end of its stdin, or `cat` never ends.
    let _ = ours.shutdown(std::net::Shutdown::Write);
    std::thread::sleep(Duration::from_millis(500));
    ours.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut got = Vec::new();
    let _ = ours.read_to_end(&mut got);
    let o = child.wait_with_output().unwrap();
    remove_when_done(w, name);
    let line = b"a line through a non-blocking socket\n";
    assert!(
        got.starts_with(line),
        "the line did not come back: {:?}; stderr: {}",
        String::from_utf8_lossy(&got[..got.len().min(200)]),
        err(&o)
    );
    assert_eq!(got.len(), line.len() + 1_000_000, "stderr: {}", err(&o));
    assert!(got[line.len()..].iter().all(|&b| b == 0));
    assert!(o.status.success(), "{}", err(&o));
}
