//! The LAMP example end to end (issue 17): `examples/lamp/build.sh` builds the four images from
//! Debian packages with buildah, they are signed, trusted and fetched, and the stack runs as one
//! pod from `pod.toml` and from `compose.yaml`. `run -d` returns once every app is ready, so one
//! HTTP request right after it must already prove all four services (the page answers 500 unless
//! PHP reached MariaDB and Memcached).

use crate::pods::{exclusive, new_world, unique_port, World};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

/// Builds (or reuses, from containers-storage) the images, then signs and fetches them into `w`.
fn images(w: &World) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = w._tmp.path().join("lamp-out");
    let bin = Path::new(env!("CARGO_BIN_EXE_liftoff"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let key = w._tmp.path().join("lamp");
    let o = Command::new("bash")
        .arg(repo.join("examples/lamp/build.sh"))
        .arg(&out)
        .env("PATH", path)
        .env("LAMP_NO_FETCH", "1")
        .env("LAMP_KEY", &key)
        .env("LIFTOFF_DIR", &w.root)
        .env("LIFTOFF_KEYS", &w.keys)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "examples/lamp/build.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let public = key.with_extension("pub");
    w.ok(&[
        "trust",
        "add",
        "--yes",
        "--prefix",
        "example.com/lamp",
        public.to_str().unwrap(),
    ]);
    for n in ["nginx", "php", "mariadb", "memcached"] {
        let layout = format!("oci:{}/lamp-{n}:1", out.display());
        w.ok(&[
            "fetch",
            "-q",
            &layout,
            "--as",
            &format!("example.com/lamp/{n}:1"),
        ]);
    }
}

/// One GET of the page; returns (status line, body).
fn get(port: u16) -> (String, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    s.write_all(b"GET /index.php HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut r = String::new();
    s.read_to_string(&mut r).unwrap();
    let (head, body) = r.split_once("\r\n\r\n").unwrap_or((&r, ""));
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

/// Runs one of the example's files with its port moved to a free one, and checks the page.
fn run_stack(w: &World, file: &str) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let port = unique_port();
    let text = std::fs::read_to_string(repo.join("examples/lamp").join(file)).unwrap();
    assert!(text.contains("\"8080:8080\""), "{file} publishes 8080:8080");
    let copy = w._tmp.path().join(format!("lamp-{port}")).join(file);
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::write(
        &copy,
        text.replace("\"8080:8080\"", &format!("\"{port}:8080\"")),
    )
    .unwrap();
    let id = w
        .ok(&["run", "-d", "--pod", copy.to_str().unwrap()])
        .trim()
        .to_string();
    let (status, body) = get(port);
    let logs = w.run(&["logs", &id]);
    assert!(
        status.contains(" 200"),
        "{file}: {status}\n{body}\n{}",
        String::from_utf8_lossy(&logs.stdout)
    );
    for svc in ["mariadb", "memcached", "php", "nginx"] {
        assert!(
            body.lines().any(|l| l.starts_with(&format!("{svc}: ok"))),
            "{file}: {body}"
        );
    }
    let s = w.ok(&["status", &id]);
    for app in ["mariadb", "memcached", "php", "nginx"] {
        assert!(
            s.contains(&format!("app {app}: running (ready)")),
            "{file}: {s}"
        );
    }
    w.ok(&["stop", &id]);
    w.ok(&["rm", &id]);
}

#[test]
#[ignore = "needs root, network access to a Debian mirror, and the tools tests/run.sh installs"]
fn the_lamp_example_runs_from_its_pod_file_and_its_compose_file() {
    // Alone on the host: building the images (debootstrap, apt, dpkg) for minutes on a fresh
    // machine would otherwise load it under the other tests' timings.
    let _host = exclusive();
    let w = new_world();
    images(&w);
    run_stack(&w, "pod.toml");
    run_stack(&w, "compose.yaml");
    let left = w.ok(&["list", "--all"]);
    assert_eq!(left.lines().count(), 1, "only the header is left: {left}");
}
