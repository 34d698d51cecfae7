//! End-to-end tests of `liftoff run --pod compose.yaml` (issue 17): one compose file becomes one
//! pod whose services reach each other by name over 127.0.0.1, `depends_on` waits for each
//! condition, and what has no liftoff meaning is refused with its path and line.

use crate::pods::{err, shared, unique_port, world, World, IMAGE};
use std::time::{Duration, Instant};

fn compose_file(w: &World, name: &str, text: &str) -> String {
    let dir = w._tmp.path().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("compose.yaml");
    std::fs::write(&f, text).unwrap();
    f.to_str().unwrap().to_string()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn services_reach_each_other_by_name_in_their_depends_on_order() {
    let _host = shared();
    let w = world();
    let port = unique_port();
    // db answers after 500 ms; mig completes after db is healthy; web needs both, and checks by
    // name that db answers; side only needs web started.
    let text = format!(
        r#"name: shop
x-box: &box
  image: {IMAGE}
  entrypoint: ["/bin/sh", "-c"]
services:
  db:
    <<: *box
    command: ["busybox sleep 0.5; exec busybox httpd -f -p 127.0.0.1:{port} -h /etc"]
    healthcheck:
      test: ["CMD-SHELL", "busybox wget -qO /dev/null http://127.0.0.1:{port}/hostname"]
      interval: 50ms
      timeout: 1s
      retries: 100
  mig:
    <<: *box
    command: ["echo migrated"]
    depends_on:
      db:
        condition: service_healthy
  web:
    <<: *box
    command: ["busybox wget -qO /dev/null http://db:{port}/hostname && echo reached-db-by-name; busybox grep -E '^127.0.0.1[[:space:]].*\\bweb\\b' /etc/hosts && echo web-named; cat /etc/hostname; exec busybox sleep 30"]
    environment:
      MODE: ${{LIFTOFF_E2E_UNSET:-prod}}
    depends_on:
      db:
        condition: service_healthy
      mig:
        condition: service_completed_successfully
  side:
    <<: *box
    command: ["echo side-mode=$$MODE; exec busybox sleep 30"]
    environment: [MODE=side]
    depends_on: [web]
"#
    );
    let f = compose_file(w, "shop", &text);
    let t = Instant::now();
    let id = w.ok(&["run", "-d", "--pod", &f]).trim().to_string();
    assert!(
        t.elapsed() >= Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    let s = w.ok(&["status", "shop"]);
    for app in ["db", "web", "side"] {
        assert!(s.contains(&format!("app {app}: running (ready)")), "{s}");
    }
    assert!(s.contains("app mig: exited 0"), "{s}");
    let logs = w.ok(&["logs", &id]);
    for want in [
        "migrated",
        "reached-db-by-name",
        "web-named",
        "side-mode=side",
    ] {
        assert!(logs.contains(want), "{want}: {logs}");
    }
    // The pod's host name is the project's, not a service's.
    assert!(
        logs.lines().any(|l| l.trim_end().ends_with("shop")),
        "{logs}"
    );
    w.ok(&["stop", &id]);
    w.ok(&["rm", &id]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn what_has_no_liftoff_meaning_is_refused_with_its_path_and_line() {
    let _host = shared();
    let w = world();
    let cases = [
        (
            "top",
            format!("services:\n  a:\n    image: {IMAGE}\nsecrets:\n  s:\n    file: ./s\n"),
            "line 4",
            "secrets",
        ),
        (
            "build",
            format!("services:\n  a:\n    image: {IMAGE}\n    build: .\n"),
            "line 4",
            "services.a.build",
        ),
        (
            "network",
            format!("services:\n  a:\n    image: {IMAGE}\n    networks: [front]\nnetworks:\n  front: {{}}\n"),
            "line",
            "network",
        ),
        (
            "cycle",
            format!("services:\n  a:\n    image: {IMAGE}\n    depends_on: [b]\n  b:\n    image: {IMAGE}\n    depends_on: [a]\n"),
            "line",
            "cycle",
        ),
    ];
    for (name, text, line, what) in cases {
        let f = compose_file(w, &format!("refuse-{name}"), &text);
        let o = w.run(&["run", "--pod", &f]);
        assert_eq!(o.status.code(), Some(254), "{name}: {}", err(&o));
        let e = err(&o);
        assert!(
            e.contains(line) && e.contains(what) && e.contains("compose.yaml"),
            "{name}: {e}"
        );
    }
}
