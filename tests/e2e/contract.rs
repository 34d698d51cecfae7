//! The stage0 → stage1 contract is the only coupling: liftoff runs pods with a second, minimal
//! stage1 written for this test (`fixtures/stage1-minimal`, a shell script that knows nothing of
//! liftoff's code), and refuses a stage1 that states another contract version or that someone other
//! than root could change.

use crate::pods::{err, out, world, World, IMAGE};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A copy of the minimal stage1 in a dir of the test's own, with `mode`.
fn minimal_stage1(w: &World, name: &str, mode: u32, edit: impl Fn(String) -> String) -> PathBuf {
    let dir = w._tmp.path().join(format!("stage1-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = dir.join("stage1");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/fixtures/stage1-minimal");
    std::fs::write(&p, edit(std::fs::read_to_string(src).unwrap())).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_second_stage1_runs_a_pod_through_the_contract_alone() {
    let _host = crate::pods::shared();
    let w = world();
    let s1 = minimal_stage1(w, "minimal", 0o755, |s| s);
    let s1 = s1.to_str().unwrap();
    // The minimal stage1 notes each entrypoint liftoff runs, with its arguments.
    let log = w._tmp.path().join("stage1-minimal.log");
    let calls = || std::fs::read_to_string(&log).unwrap_or_default();
    let run = |args: &[&str]| {
        w.cmd(args)
            .env("MINIMAL_STAGE1_LOG", &log)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let o = run(&[
        "--stage1",
        s1,
        "run",
        "--net=none",
        "--userns=host",
        "--name",
        "contract-minimal",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "echo hello from the minimal stage1; exit 7",
    ]);
    assert_eq!(o.status.code(), Some(7), "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains("hello from the minimal stage1"),
        "{}",
        out(&o)
    );
    assert!(
        calls().starts_with("version\nrun --lock-fd "),
        "{}",
        calls()
    );
    assert!(
        err(&o).contains(&format!("using stage1 {s1} instead of the liftoff-stage1")),
        "a stage1 other than the default is named: {}",
        err(&o)
    );
    // stage0 reads what the minimal stage1 wrote, as the contract has it.
    let st = w.ok(&["status", "contract-minimal"]);
    assert!(
        st.contains("state: exited") && st.contains("exit code: 7"),
        "{st}"
    );
    // Other verbs reach the stage1 the pod ran with, which refuses what it does not implement.
    let d = w.run(&[
        "run",
        "-d",
        "--net=none",
        "--userns=host",
        "--stage1",
        s1,
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox sleep 31",
    ]);
    let id = out(&d).trim().to_string();
    assert!(
        d.status.success() && id.len() == 36,
        "{}{}",
        out(&d),
        err(&d)
    );
    // The app runs in a network namespace of its own (--net=none) and does not hold the pod dir
    // open (the pod's lock, a flock on the dir, is the stage1's alone).
    let app = app_pid("busybox sleep 31");
    let ns = |pid: &str| std::fs::read_link(format!("/proc/{pid}/ns/net")).unwrap();
    assert_ne!(ns(&app), ns("self"));
    let pod = pod_dir(w, &id);
    for fd in std::fs::read_dir(format!("/proc/{app}/fd"))
        .unwrap()
        .flatten()
    {
        let to = std::fs::read_link(fd.path()).unwrap_or_default();
        assert_ne!(to, pod, "the app holds the pod dir open");
    }
    let e = run(&["enter", &id, "--", "true"]);
    assert_eq!(e.status.code(), Some(254), "{}", err(&e));
    assert!(
        err(&e).contains("minimal stage1: enter is not implemented"),
        "{}",
        err(&e)
    );
    let s = run(&["stop", "--timeout", "1", &id]);
    assert_eq!(s.status.code(), Some(254), "{}", err(&s));
    assert!(err(&s).contains("stop is not implemented"), "{}", err(&s));
    // The pod dies with its supervisor (its session: detached pods get one of their own); rm then
    // goes through the minimal stage1's gc.
    let pid: i32 = std::fs::read_to_string(pod_dir(w, &id).join("supervisor-pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    rustix::process::kill_process_group(
        rustix::process::Pid::from_raw(pid).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
    w.ok(&["status", "--wait=10s", &id]);
    let r = run(&["rm", &id, "contract-minimal"]);
    assert!(r.status.success(), "{}", err(&r));
    // Both pods went through the minimal stage1's gc, each with its own pod dir.
    let gcs: Vec<String> = calls()
        .lines()
        .filter(|l| l.starts_with("gc "))
        .map(str::to_string)
        .collect();
    assert_eq!(gcs.len(), 2, "{}", calls());
    assert!(gcs.iter().any(|l| l.ends_with(&id)), "{}", calls());
    // A pod other than --net=none is refused by this stage1, and its message reaches the user.
    let n = run(&[
        "--stage1",
        s1,
        "run",
        "--net=host",
        "--userns=host",
        IMAGE,
        "--",
        "true",
    ]);
    assert_eq!(n.status.code(), Some(254), "{}", err(&n));
    assert!(
        err(&n).contains("only --net=none pods run here"),
        "{}",
        err(&n)
    );
    // So is a remapped pod (the default): the stage1 refuses isolation it does not give.
    let n = run(&["--stage1", s1, "run", "--net=none", IMAGE, "--", "true"]);
    assert_eq!(n.status.code(), Some(254), "{}", err(&n));
    assert!(
        err(&n).contains("remapped pods do not run here"),
        "{}",
        err(&n)
    );
    assert!(
        crate::pods::leaked_mounts(w).is_empty(),
        "{:?}",
        crate::pods::leaked_mounts(w)
    );
}

/// The pid of the one process whose command line is `cmd` (its words joined by spaces).
fn app_pid(cmd: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let hits: Vec<String> = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter(|e| {
                std::fs::read(e.path().join("cmdline"))
                    .map(|c| {
                        c.split(|b| *b == 0)
                            .filter(|w| !w.is_empty())
                            .collect::<Vec<_>>()
                            .join(&b' ')
                            == cmd.as_bytes()
                    })
                    .unwrap_or(false)
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if hits.len() == 1 {
            return hits[0].clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "processes {cmd:?}: {hits:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn pod_dir(w: &World, id: &str) -> PathBuf {
    w.root.join("pods/run").join(id)
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_stage1_of_another_contract_or_owner_is_refused() {
    let _host = crate::pods::shared();
    let w = world();
    let v2 = minimal_stage1(w, "v2", 0o755, |s| {
        s.replace("\"contract\":1", "\"contract\":2")
    });
    let o = w.run(&["--stage1", v2.to_str().unwrap(), "run", IMAGE, "--", "true"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains(
            "does not implement liftoff's stage1 contract version 1 (it implements version 2)"
        ),
        "{}",
        err(&o)
    );
    let open = minimal_stage1(w, "writable", 0o775, |s| s);
    let o = w.run(&[
        "--stage1",
        open.to_str().unwrap(),
        "run",
        IMAGE,
        "--",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("refusing to use stage1") && err(&o).contains("writable"),
        "{}",
        err(&o)
    );
    let gone = w._tmp.path().join("no-such-stage1");
    let o = w.run(&[
        "--stage1",
        gone.to_str().unwrap(),
        "run",
        IMAGE,
        "--",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("cannot find the stage1"), "{}", err(&o));
}
