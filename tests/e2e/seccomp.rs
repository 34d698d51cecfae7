//! End-to-end tests of the seccomp filters (issue 15, items 2 and 6): the default profile refuses
//! what moby's default profile refuses (socket families, personality values, namespace flags of
//! clone), and a user profile (`--seccomp FILE`) is enforced for the newer system calls too, or
//! refused when it names a call liftoff does not know. They start real pods: root only.

use crate::pods::{err, out, shared, world, World, IMAGE};
use std::collections::BTreeMap;

/// Runs `/probe ARGS` once per case in one pod and returns case → what the probe printed.
fn probe(w: &World, extra: &[&str], cases: &[(&str, &str)]) -> BTreeMap<String, String> {
    let script: String = cases
        .iter()
        .map(|(k, args)| format!("echo \"{k} $(/probe {args})\"; "))
        .collect();
    let mut argv = vec!["run"];
    argv.extend_from_slice(extra);
    argv.extend_from_slice(&[IMAGE, "--", "/bin/sh", "-c", &script]);
    let o = w.run(&argv);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    let text = out(&o);
    let got: BTreeMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, _) in cases {
        assert!(got.contains_key(*k), "no {k} in {text}");
    }
    got
}

/// The calls newer than liftoff's old hand-written name table, which a profile could not deny.
fn newer_calls() -> Vec<&'static str> {
    let mut v = vec![
        "memfd_secret",
        "cachestat",
        "fchmodat2",
        "map_shadow_stack",
        "futex_wake",
        "futex_wait",
        "futex_requeue",
        "statmount",
        "listmount",
        "lsm_get_self_attr",
        "lsm_set_self_attr",
        "lsm_list_modules",
        "mseal",
        "setxattrat",
        "getxattrat",
        "listxattrat",
        "removexattrat",
    ];
    if cfg!(target_arch = "x86_64") {
        v.push("modify_ldt");
    }
    v
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn the_default_profile_refuses_what_mobys_refuses() {
    let _host = shared();
    let w = world();
    let mut cases = vec![
        ("vsock", "socket 40"),
        // The family is an int: the kernel drops the upper half, so a filter must too.
        ("vsock-high", "socket 0x100000028"),
        ("alg", "socket 38 5"),
        ("inet", "socket 2"),
        ("unix", "socket 1"),
        ("persona-norandom", "personality 0x0040000"),
        ("persona-linux", "personality 0"),
        ("persona-query", "personality 0xffffffff"),
        ("clone-plain", "clone 0"),
        ("clone-newns", "clone 0x20000"),
        ("clone-newuser", "clone 0x10000000"),
        ("clone-newnet", "clone 0x40000000"),
        ("clone-newtime", "clone 0x80"),
        ("clone3", "clone3"),
        ("memfd_secret", "sys memfd_secret"),
        ("fchmodat2", "sys fchmodat2"),
    ];
    if cfg!(target_arch = "x86_64") {
        cases.push(("modify_ldt", "sys modify_ldt"));
    }
    let got = probe(w, &[], &cases);
    let is = |k: &str, want: &str| assert_eq!(got[k], want, "{k}: {got:?}");
    for k in [
        "vsock",
        "vsock-high",
        "alg",
        "persona-norandom",
        "clone-newns",
        "clone-newuser",
        "clone-newnet",
        "clone-newtime",
        "memfd_secret",
    ] {
        is(k, "EPERM");
    }
    if cfg!(target_arch = "x86_64") {
        is("modify_ldt", "EPERM");
    }
    // clone3 says ENOSYS so that libc falls back to clone, whose flags the filter can see.
    is("clone3", "ENOSYS");
    for k in [
        "inet",
        "unix",
        "persona-linux",
        "persona-query",
        "clone-plain",
    ] {
        is(k, "ok");
    }
    // Allowed as moby allows it (glibc's lchmod needs it); the zero arguments make the kernel fail.
    is("fchmodat2", "EFAULT");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn cap_sys_admin_opens_namespace_flags_but_not_vsock() {
    let _host = shared();
    let w = world();
    let got = probe(
        w,
        &["--cap-add", "CAP_SYS_ADMIN"],
        &[
            ("clone-newns", "clone 0x20000"),
            ("vsock", "socket 40"),
            ("alg", "socket 38 5"),
        ],
    );
    assert_eq!(got["clone-newns"], "ok", "{got:?}");
    assert_eq!(got["vsock"], "EPERM", "{got:?}");
    assert_eq!(got["alg"], "EPERM", "{got:?}");
}

fn write_profile(w: &World, name: &str, json: &str) -> String {
    let p = w._tmp.path().join(name);
    std::fs::write(&p, json).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_user_profile_denying_newer_calls_is_enforced() {
    let _host = shared();
    let w = world();
    let calls = newer_calls();
    let cases: Vec<(String, String)> = calls
        .iter()
        .map(|c| (c.to_string(), format!("sys {c}")))
        .chain([("keyctl".to_string(), "keyctl".to_string())])
        .collect();
    let cases: Vec<(&str, &str)> = cases
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    // Control: a profile that allows everything shows what the kernel itself answers.
    let allow = write_profile(
        w,
        "allow-all.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}"#,
    );
    let o = w.run(&[
        "run",
        "--seccomp",
        &allow,
        IMAGE,
        "--",
        "/bin/busybox",
        "true",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains("stay blocked") && err(&o).contains("keyctl"),
        "no warning about the always-blocked calls: {}",
        err(&o)
    );
    let control = probe(w, &["--seccomp", &allow], &cases);
    for c in &calls {
        assert!(
            !["EPERM", "EACCES"].contains(&control[*c].as_str()),
            "{c}: the kernel itself answers {}, pick another errno for the test",
            control[*c]
        );
    }
    // keyctl and the other always-blocked calls stay blocked under any user profile.
    assert_eq!(control["keyctl"], "EPERM", "{control:?}");
    // The profile: deny every newer call with EPERM, and fchmodat2 with the errno it names.
    let others: Vec<String> = calls
        .iter()
        .filter(|c| **c != "fchmodat2")
        .map(|c| format!("\"{c}\""))
        .collect();
    let deny = write_profile(
        w,
        "deny-newer.json",
        &format!(
            r#"{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
                {{"names":[{}],"action":"SCMP_ACT_ERRNO","errnoRet":1}},
                {{"names":["fchmodat2"],"action":"SCMP_ACT_ERRNO","errnoRet":13}}]}}"#,
            others.join(",")
        ),
    );
    let got = probe(w, &["--seccomp", &deny], &cases);
    for c in &calls {
        let want = if *c == "fchmodat2" { "EACCES" } else { "EPERM" };
        assert_eq!(got[*c], want, "{c} was not denied: {got:?}");
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_profile_naming_an_unknown_syscall_is_refused() {
    let _host = shared();
    let w = world();
    let bad = write_profile(
        w,
        "typo.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {"names":["keyctl","fchmodat_two"],"action":"SCMP_ACT_ERRNO"}]}"#,
    );
    let o = w.run(&[
        "run",
        "--seccomp",
        &bad,
        IMAGE,
        "--",
        "/bin/busybox",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(254), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("fchmodat_two") && e.contains(&bad),
        "the error names neither the call nor the file: {e}"
    );
    // Names of other architectures' calls (as in moby's own profile) are not errors: those calls
    // cannot be made here.
    let multi = write_profile(
        w,
        "multi-arch.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {"names":["socketcall","chown32","_llseek"],"action":"SCMP_ACT_ERRNO"},
            {"names":["breakpoint","set_tls","arm_fadvise64_64"],"action":"SCMP_ACT_ERRNO",
             "includes":{"arches":["arm","arm64"]}}]}"#,
    );
    let o = w.run(&[
        "run",
        "--seccomp",
        &multi,
        IMAGE,
        "--",
        "/bin/busybox",
        "true",
    ]);
    assert!(o.status.success(), "{}", err(&o));
}
