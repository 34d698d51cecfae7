//! End-to-end tests of the trust gate on directories (issue 14, item 1): a state root, trust store,
//! config file or network config that another local user made first (a real unprivileged user,
//! created here), or that is group/world-writable, is refused with the path, its owner and mode
//! and the fix, before liftoff uses it. New state roots are made 0700 by root.

use crate::pods::{err, world, IMAGE};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const INTRUDER: &str = "liftoff-e2e-intruder";

/// A real unprivileged user (created once).
fn intruder() -> u32 {
    let id = |_: ()| Command::new("id").args(["-u", INTRUDER]).output().unwrap();
    let mut o = id(());
    if !o.status.success() {
        let st = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                INTRUDER,
            ])
            .status()
            .expect("useradd (package passwd)");
        // Another test may have created it meanwhile.
        o = id(());
        assert!(
            st.success() || o.status.success(),
            "useradd {INTRUDER} failed"
        );
    }
    String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
}

/// `mkdir` (or `touch`) run as the intruder, in /tmp where any user may create things.
fn as_intruder(args: &[&str]) {
    let st = Command::new("runuser")
        .args(["-u", INTRUDER, "--"])
        .args(args)
        .status()
        .expect("runuser (package util-linux)");
    assert!(st.success(), "runuser {args:?}");
}

fn scratch(tag: &str) -> PathBuf {
    let p = PathBuf::from(format!("/tmp/liftoff-e2e-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    let _ = std::fs::remove_file(&p);
    p
}

fn liftoff(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .output()
        .unwrap()
}

fn refused(o: &std::process::Output, path: &Path, words: &[&str]) {
    assert_eq!(o.status.code(), Some(254), "{o:?}");
    let e = err(o);
    assert!(
        e.contains(&path.display().to_string()),
        "names the path: {e}"
    );
    for w in words {
        assert!(e.contains(w), "no {w:?} in: {e}");
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn trusted_dirs_made_by_another_user_or_writable_by_others_are_refused() {
    let _host = crate::pods::shared();
    let w = world();
    let uid = intruder();
    let keys = w.keys.to_str().unwrap().to_string();

    // A state root another user created first.
    let state = scratch("state");
    as_intruder(&["mkdir", state.to_str().unwrap()]);
    let o = liftoff(&["--dir", state.to_str().unwrap(), "list"]);
    refused(
        &o,
        &state,
        &[&format!("uid {uid}"), "another user owns it", "chown root"],
    );
    // A root-owned but world-writable one, and one below a world-writable (not sticky) parent.
    std::fs::remove_dir(&state).unwrap();
    std::fs::create_dir(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o777)).unwrap();
    let o = liftoff(&["--dir", state.to_str().unwrap(), "list"]);
    refused(&o, &state, &["writable by group or others", "chmod go-w"]);
    let inner = state.join("root");
    let o = liftoff(&["--dir", inner.to_str().unwrap(), "list"]);
    refused(&o, &inner, &["writable by group or others"]);
    assert!(
        !inner.exists(),
        "nothing was created below an unsafe parent"
    );
    std::fs::remove_dir_all(&state).unwrap();

    // A new state root is created 0700, by root.
    std::fs::create_dir(&state).unwrap();
    let fresh = state.join("fresh");
    let o = liftoff(&["--dir", fresh.to_str().unwrap(), "list"]);
    assert!(o.status.success(), "{}", err(&o));
    let md = std::fs::metadata(&fresh).unwrap();
    assert_eq!(md.permissions().mode() & 0o7777, 0o700);
    assert_eq!(std::os::unix::fs::MetadataExt::uid(&md), 0);

    // A trust store another user made: no key of it is ever trusted, the verbs that verify refuse.
    let tkeys = scratch("keys");
    as_intruder(&["mkdir", tkeys.to_str().unwrap()]);
    let root = w.root.to_str().unwrap();
    let o = liftoff(&[
        "--dir",
        root,
        "--keys",
        tkeys.to_str().unwrap(),
        "run",
        "--rm",
        "--net=none",
        IMAGE,
    ]);
    refused(&o, &tkeys, &["trust store", &format!("uid {uid}")]);
    let o = liftoff(&[
        "--dir",
        root,
        "--vendor-keys",
        tkeys.to_str().unwrap(),
        "--keys",
        &keys,
        "image",
        "verify",
        IMAGE,
    ]);
    refused(&o, &tkeys, &["trust store"]);
    std::fs::remove_dir(&tkeys).unwrap();
    std::fs::create_dir(&tkeys).unwrap();
    std::fs::set_permissions(&tkeys, std::fs::Permissions::from_mode(0o777)).unwrap();
    let o = liftoff(&[
        "--dir",
        root,
        "--keys",
        tkeys.to_str().unwrap(),
        "image",
        "verify",
        IMAGE,
    ]);
    refused(&o, &tkeys, &["writable by group or others"]);
    std::fs::remove_dir_all(&tkeys).unwrap();

    // A config file another user wrote.
    let conf = scratch("config.toml");
    as_intruder(&["touch", conf.to_str().unwrap()]);
    let o = liftoff(&["--dir", root, "--config", conf.to_str().unwrap(), "list"]);
    refused(&o, &conf, &["config file", &format!("uid {uid}")]);
    std::fs::remove_file(&conf).unwrap();

    // A network list another user planted in a root-owned net dir is refused too.
    let net_dir = scratch("netd");
    std::fs::create_dir(&net_dir).unwrap();
    let list = net_dir.join("evil.conflist");
    std::fs::write(&list, "{}").unwrap();
    std::os::unix::fs::chown(&list, Some(uid), None).unwrap();
    let conf_ok = state.join("config.toml");
    std::fs::write(
        &conf_ok,
        format!("[network]\nconfig_dir = \"{}\"\n", net_dir.display()),
    )
    .unwrap();
    let o = liftoff(&[
        "--dir",
        root,
        "--keys",
        &keys,
        "--config",
        conf_ok.to_str().unwrap(),
        "run",
        "--rm",
        "--net=evil",
        IMAGE,
    ]);
    refused(&o, &list, &["network config", "another user owns it"]);
    std::fs::remove_dir_all(&net_dir).unwrap();
    std::fs::remove_dir_all(&state).unwrap();
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn key_files_are_never_read_through_symlinks() {
    let _host = crate::pods::shared();
    let w = crate::pods::new_world();
    // Swap the trusted prefix dir for a symlink to a copy elsewhere: the keys in it no longer count.
    let prefix = w.keys.join("prefix.d/example.com/e2e");
    let elsewhere = w._tmp.path().join("elsewhere");
    std::fs::rename(&prefix, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &prefix).unwrap();
    let o = w.run(&["image", "verify", IMAGE]);
    assert_eq!(
        o.status.code(),
        Some(254),
        "a key behind a symlink was trusted: {o:?}"
    );
    std::fs::remove_file(&prefix).unwrap();
    std::fs::rename(&elsewhere, &prefix).unwrap();
    w.ok(&["image", "verify", IMAGE]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn image_extract_stays_in_its_own_directory_and_drops_setuid() {
    let _host = crate::pods::shared();
    let w = world();
    // The world's image holds /suid-probe, mode 4755, and is signed and verified.
    let base = w._tmp.path().join("extract");
    std::fs::create_dir_all(&base).unwrap();
    let dest = base.join("plain");
    w.ok(&["image", "extract", IMAGE, dest.to_str().unwrap()]);
    let md = std::fs::metadata(&dest).unwrap();
    assert_eq!(
        md.permissions().mode() & 0o7777,
        0o700,
        "a new destination is 0700"
    );
    let suid = std::fs::metadata(dest.join("suid-probe")).unwrap();
    assert_eq!(suid.permissions().mode() & 0o7777, 0o755, "setuid bit kept");
    let keep = base.join("keep");
    w.ok(&[
        "image",
        "extract",
        "--preserve-setid",
        IMAGE,
        keep.to_str().unwrap(),
    ]);
    let suid = std::fs::metadata(keep.join("suid-probe")).unwrap();
    assert_eq!(suid.permissions().mode() & 0o7777, 0o4755);

    // A destination that is a symlink into a root-only dir is refused, and the target untouched.
    let secret = base.join("root-only");
    std::fs::create_dir(&secret).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o700)).unwrap();
    let link = base.join("link");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let o = w.run(&["image", "extract", IMAGE, link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(254), "{o:?}");
    assert!(err(&o).contains("symbolic link"), "{}", err(&o));
    assert_eq!(std::fs::read_dir(&secret).unwrap().count(), 0);
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o7777,
        0o700
    );
    // A destination another user owns is refused.
    let uid = intruder();
    let theirs = base.join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::os::unix::fs::chown(&theirs, Some(uid), None).unwrap();
    let o = w.run(&["image", "extract", IMAGE, theirs.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(254), "{o:?}");
    assert!(err(&o).contains(&format!("uid {uid}")), "{}", err(&o));

    // Unverified images need the explicit option.
    let rootfs = w._tmp.path().join("rootfs");
    w.ok(&[
        "image",
        "import",
        rootfs.to_str().unwrap(),
        "example.com/e2e/unverified-extract:1",
    ]);
    let o = w.run(&[
        "image",
        "extract",
        "example.com/e2e/unverified-extract:1",
        base.join("u").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(254), "{o:?}");
    assert!(err(&o).contains("--insecure-options=image"), "{}", err(&o));
    let o = w.run(&[
        "image",
        "extract",
        "--insecure-options=image",
        "example.com/e2e/unverified-extract:1",
        base.join("u").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("WITHOUT checking"), "{}", err(&o));
}

/// `image import` of a tree whose owner swaps a subdirectory for a symlink to a root-only dir
/// while the import walks it: the files behind the symlink never get into the image.
#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn image_import_never_follows_a_directory_swapped_for_a_symlink() {
    let _host = crate::pods::shared();
    let w = world();
    let base = w._tmp.path().join("import-race");
    let src = base.join("src");
    let secret = base.join("secret");
    std::fs::create_dir_all(src.join("d")).unwrap();
    std::fs::create_dir_all(&secret).unwrap();
    std::fs::write(secret.join("shadow"), "root-only-secret").unwrap();
    for i in 0..300 {
        std::fs::write(src.join(format!("f{i:03}")), "x").unwrap();
    }
    std::fs::write(src.join("d/inner"), "fine").unwrap();
    // The racer flips d between a directory and a symlink to the secret dir, as fast as it can.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let racer = {
        let (src, secret, stop) = (src.clone(), secret.clone(), stop.clone());
        std::thread::spawn(move || {
            let d = src.join("d");
            let real = src.join("d.real");
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::fs::rename(&d, &real);
                let _ = std::os::unix::fs::symlink(&secret, &d);
                let _ = std::fs::remove_file(&d);
                let _ = std::fs::rename(&real, &d);
            }
        })
    };
    let mut leaked = false;
    for i in 0..30 {
        let name = format!("example.com/e2e/race:{i}");
        let o = w.run(&["image", "import", src.to_str().unwrap(), &name]);
        if !o.status.success() {
            continue; // refused because the tree changed: fine
        }
        let dest = base.join(format!("out{i}"));
        w.ok(&[
            "image",
            "extract",
            "--insecure-options=image",
            &name,
            dest.to_str().unwrap(),
        ]);
        let found = std::process::Command::new("grep")
            .args(["-rl", "root-only-secret"])
            .arg(&dest)
            .output()
            .unwrap();
        leaked |= !found.stdout.is_empty();
        let _ = w.run(&["image", "rm", &name]);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    racer.join().unwrap();
    assert!(
        !leaked,
        "a file behind the swapped-in symlink reached the image"
    );
}
