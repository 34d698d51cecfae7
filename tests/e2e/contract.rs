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
    let Some(w) = world() else { return };
    let s1 = minimal_stage1(w, "minimal", 0o755, |s| s);
    let s1 = s1.to_str().unwrap();
    let o = w.run(&[
        "--stage1",
        s1,
        "run",
        "--net=none",
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
        "--stage1",
        s1,
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox sleep 30",
    ]);
    let id = out(&d).trim().to_string();
    assert!(
        d.status.success() && id.len() == 36,
        "{}{}",
        out(&d),
        err(&d)
    );
    let e = w.run(&["enter", &id, "--", "true"]);
    assert_eq!(e.status.code(), Some(254), "{}", err(&e));
    assert!(
        err(&e).contains("minimal stage1: enter is not implemented"),
        "{}",
        err(&e)
    );
    let s = w.run(&["stop", "--timeout", "1", &id]);
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
    w.ok(&["rm", &id, "contract-minimal"]);
    assert!(
        crate::pods::leaked_mounts(w).is_empty(),
        "{:?}",
        crate::pods::leaked_mounts(w)
    );
}

fn pod_dir(w: &World, id: &str) -> PathBuf {
    w.root.join("pods/run").join(id)
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_stage1_of_another_contract_or_owner_is_refused() {
    let _host = crate::pods::shared();
    let Some(w) = world() else { return };
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
