//! End-to-end tests of the pod boundary hardening (issue 15): ids that wrap around, apps of a
//! --net=host pod, control characters from images, text that would become /etc lines, tmpfs sizes,
//! pod-file sizes. Each provokes the refusal through the real binary and checks its words.

use crate::pods::{err, out, world, World, IMAGE};

/// Imports the world's rootfs (with `edit` applied to a copy) as `name`, signed with the world's
/// key, and returns the name.
fn signed_variant(w: &World, name: &str, user: Option<&str>, edit: impl Fn(&std::path::Path)) {
    let src = w._tmp.path().join("rootfs");
    let dst = w
        ._tmp
        .path()
        .join(format!("rootfs-{}", name.replace(['/', ':', '.'], "-")));
    let st = std::process::Command::new("cp")
        .arg("-a")
        .arg(&src)
        .arg(&dst)
        .status()
        .unwrap();
    assert!(st.success());
    edit(&dst);
    let mut args = vec!["image", "import", dst.to_str().unwrap(), name];
    if let Some(u) = user {
        args.extend(["--user", u]);
    }
    args.extend(["--cmd", "/bin/busybox,id"]);
    w.ok(&args);
    let key = w._tmp.path().join("release.key");
    w.ok(&["image", "sign", name, "--key", key.to_str().unwrap()]);
}

fn refused(w: &World, args: &[&str], words: &[&str]) -> String {
    let o = w.run(args);
    assert_eq!(o.status.code(), Some(254), "liftoff {args:?}: {o:?}");
    let e = err(&o);
    for word in words {
        assert!(e.contains(word), "liftoff {args:?}: no {word:?} in: {e}");
    }
    e
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn uid_and_gid_minus_one_are_refused_from_every_source() {
    let _host = crate::pods::shared();
    let w = world();
    let why = "4294967295 is (uid_t)-1";
    // The command line: uid, gid, supplementary group, and numbers that do not fit.
    for u in ["4294967295", "0:4294967295", "-1", "4294967296"] {
        let u = &format!("--user={u}");
        refused(
            w,
            &["run", "--rm", "--net=none", u, IMAGE],
            &["--user", why],
        );
    }
    refused(
        w,
        &[
            "run",
            "--rm",
            "--net=none",
            "--group-add",
            "4294967295",
            IMAGE,
        ],
        &[why],
    );
    // The image config's User.
    signed_variant(w, "example.com/e2e/minus-one:1", Some("4294967295"), |_| {});
    refused(
        w,
        &["run", "--rm", "--net=none", "example.com/e2e/minus-one:1"],
        &["the image's User", why],
    );
    // The image's /etc/passwd and /etc/group, resolved by stage2 inside the app.
    signed_variant(w, "example.com/e2e/evil-passwd:1", Some("evil"), |root| {
        std::fs::write(
            root.join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\nevil:x:4294967295:0::/:/bin/sh\nok:x:1000:1000::/:/bin/sh\n",
        )
        .unwrap();
        std::fs::write(root.join("etc/group"), "root:x:0:\nneg:x:4294967295:ok\n").unwrap();
    });
    let img = "example.com/e2e/evil-passwd:1";
    refused(
        w,
        &["run", "--rm", "--net=none", img],
        &["app evil-passwd", "/etc/passwd", why],
    );
    refused(
        w,
        &["run", "--rm", "--net=none", "-u", "ok", img],
        &["/etc/group", why],
    );
    refused(
        w,
        &["run", "--rm", "--net=none", "-u", "0:neg", img],
        &["/etc/group", why],
    );
    // A pod file.
    let pf = w._tmp.path().join("minus-one.toml");
    std::fs::write(
        &pf,
        format!("net = \"none\"\n[[app]]\nimage = \"{IMAGE}\"\nuser = \"4294967295\"\n"),
    )
    .unwrap();
    refused(w, &["run", "--rm", "--pod", pf.to_str().unwrap()], &[why]);
    // A remapped pod holds 65536 ids: a numeric id beyond them is refused before anything runs.
    let o = w.run(&["run", "--rm", "--net=none", "-u", "4294967294:1000", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("outside the pod's 65536 ids") && err(&o).contains("--userns=host"),
        "{}",
        err(&o)
    );
    // What must keep working: real ids, as asked (with the host's ids).
    let o = w.run(&[
        "run",
        "--rm",
        "--net=none",
        "--userns=host",
        "-u",
        "4294967294:1000",
        IMAGE,
        "--",
        "busybox",
        "id",
    ]);
    assert_eq!(
        out(&o).trim(),
        "uid=4294967294 gid=1000(app) groups=1000(app)",
        "{}",
        err(&o)
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn several_apps_in_a_host_network_pod_need_an_explicit_flag() {
    let _host = crate::pods::shared();
    let w = world();
    let two = [
        IMAGE, "--name", "a", "--", "busybox", "true", "---", IMAGE, "--name", "b", "--",
        "busybox", "true",
    ];
    // With the host's ids nothing would keep the apps apart.
    let mut args = vec!["run", "--rm", "--net=host", "--userns=host"];
    args.extend(two);
    refused(
        w,
        &args,
        &[
            "--net=host --userns=host with several apps",
            "--insecure-options=net-host-apps",
        ],
    );
    let mut args = vec![
        "run",
        "--rm",
        "--net=host",
        "--userns=host",
        "--insecure-options=net-host-apps",
    ];
    args.extend(two);
    let o = w.run(&args);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains("liftoff: warning: --insecure-options=net-host-apps"),
        "{}",
        err(&o)
    );
    // A remapped pod's apps are kept apart by Landlock on the host network too.
    let o = w.run(&[
        "run", "--net=host", IMAGE, "--name", "a", "--", "/bin/sh", "-c", "echo secret > /secret; busybox sleep 2", "---",
        IMAGE, "--name", "b", "--", "/bin/sh", "-c",
        "busybox sleep 0.5; for p in 2 3 4 5; do busybox cat /proc/$p/root/secret 2>/dev/null; done; echo checked",
    ]);
    assert!(
        out(&o).contains("checked") && !out(&o).contains("secret"),
        "{}{}",
        out(&o),
        err(&o)
    );
    // One app on the host network stays as it was.
    w.ok(&["run", "--rm", "--net=host", IMAGE, "--", "busybox", "true"]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn control_characters_from_images_never_reach_the_terminal() {
    let _host = crate::pods::shared();
    let w = world();
    let file = w._tmp.path().join("esc.uuid");
    let evil = "/bin/\x1b]0;owned\x07\x1b[2Jgone";
    let o = w.run(&[
        "run",
        "--net=none",
        "--uuid-file-save",
        file.to_str().unwrap(),
        IMAGE,
        "--",
        evil,
    ]);
    assert_eq!(o.status.code(), Some(254), "{o:?}");
    let e = err(&o);
    assert!(
        !e.contains('\x1b') && !e.contains('\x07'),
        "raw control bytes: {e:?}"
    );
    assert!(e.contains("\\u{1b}]0;owned\\u{7}"), "{e}");
    let id = std::fs::read_to_string(&file).unwrap();
    let st = w.ok(&["status", id.trim()]);
    assert!(
        !st.contains('\x1b') && !st.contains('\x07'),
        "status: {st:?}"
    );
    assert!(st.contains("\\u{1b}[2Jgone"), "{st}");
    w.ok(&["rm", id.trim()]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn text_that_would_become_etc_lines_is_refused() {
    let _host = crate::pods::shared();
    let w = world();
    for (flag, value) in [
        ("--hostname", "web\nevil"),
        ("--hostname", "-web"),
        ("--hostname", &"a".repeat(65)),
        ("--dns", "10.0.0.1\nnameserver 6.6.6.6"),
        ("--dns", "dns.example.com"),
        ("--dns-search", "example.com\nnameserver 6.6.6.6"),
        ("--dns-search", "bad_domain"),
        ("--add-host", "db\n6.6.6.6 evil:10.0.0.5"),
        ("--add-host", "db evil:10.0.0.5"),
    ] {
        let e = refused(
            w,
            &["run", "--rm", "--net=none", flag, value, IMAGE],
            &[flag],
        );
        assert!(!e.contains("\nnameserver") && !e.contains("\nevil"), "{e}");
    }
    // A pod file's values are checked by the same code as the flags, so the messages name the flag;
    // the newline shows escaped.
    for (line, says) in [
        (
            "hostname = \"a\\nb\"",
            "--hostname a\\u{a}b: a host name is at most 64 bytes",
        ),
        (
            "dns = [\"1.1.1.1\\nnameserver 6.6.6.6\"]",
            "--dns 1.1.1.1\\u{a}nameserver 6.6.6.6: a name server is an IP address",
        ),
        (
            "dns_search = [\"x\\ny\"]",
            "--dns-search x\\u{a}y: a search domain is a DNS name",
        ),
        (
            "add_host = [\"x\\ny:1.2.3.4\"]",
            "--add-host x\\u{a}y:1.2.3.4: use NAME:IP with a host name",
        ),
    ] {
        let pf = w._tmp.path().join("etc-inject.toml");
        std::fs::write(
            &pf,
            format!("net = \"none\"\n{line}\n[[app]]\nimage = \"{IMAGE}\"\n"),
        )
        .unwrap();
        refused(w, &["run", "--rm", "--pod", pf.to_str().unwrap()], &[says]);
    }
    // Well-formed values still work, and land as given.
    let o = w.ok(&[
        "run",
        "--rm",
        "--net=none",
        "--hostname",
        "web.example.com",
        "--dns",
        "10.0.0.1",
        "--dns-search",
        "example.com",
        "--add-host",
        "db.local:10.0.0.5",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox hostname; busybox cat /etc/resolv.conf /etc/hosts",
    ]);
    assert!(o.starts_with("web.example.com\n"), "{o}");
    assert!(
        o.contains("nameserver 10.0.0.1") && o.contains("search example.com"),
        "{o}"
    );
    assert!(o.contains("10.0.0.5") && o.contains("db.local"), "{o}");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn tmpfs_of_size_zero_and_huge_pod_files_are_refused() {
    let _host = crate::pods::shared();
    let w = world();
    for spec in ["/t:size=0", "/t:size=0k", "/t:nr_inodes=0"] {
        refused(
            w,
            &["run", "--rm", "--net=none", "--tmpfs", spec, IMAGE],
            &[spec.trim_start_matches("/t:"), "\"unlimited\""],
        );
    }
    w.ok(&[
        "run",
        "--rm",
        "--net=none",
        "--tmpfs",
        "/t:size=1m",
        IMAGE,
        "--",
        "busybox",
        "true",
    ]);
    // 200 000 env entries: refused at once by size, not merged for minutes.
    let pf = w._tmp.path().join("huge-env.toml");
    let env: Vec<String> = (0..200_000).map(|i| format!("\"K{i}=v\"")).collect();
    std::fs::write(
        &pf,
        format!("[[app]]\nimage = \"{IMAGE}\"\nenv = [{}]\n", env.join(",")),
    )
    .unwrap();
    let t = std::time::Instant::now();
    refused(
        w,
        &["run", "--rm", "--pod", pf.to_str().unwrap()],
        &["larger than 1024 KiB"],
    );
    assert!(
        t.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        t.elapsed()
    );
}

/// The pod dir of `id`, whatever state dir it is in.
fn pod_dir(w: &World, id: &str) -> std::path::PathBuf {
    liftoff::pod::STATES
        .iter()
        .map(|s| w.root.join("pods").join(s).join(id))
        .find(|d| d.exists())
        .unwrap_or_else(|| panic!("no pod dir for {id}"))
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn gc_keeps_a_pod_whose_network_record_it_cannot_read() {
    let _host = crate::pods::shared();
    let w = crate::pods::new_world();
    let id = w
        .ok(&["run", "-d", IMAGE, "--", "busybox", "sleep", "30"])
        .trim()
        .to_string();
    let dir = pod_dir(&w, &id);
    let record = std::fs::read(dir.join("net.json")).unwrap();
    // The supervisor dies without its teardown: only net.json knows the lease and the rules.
    let pid: i32 = std::fs::read_to_string(dir.join("supervisor-pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(pid).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
    let t = std::time::Instant::now();
    while w
        .ok(&["status", "--format", "json", &id])
        .contains("\"running\"")
    {
        assert!(t.elapsed() < std::time::Duration::from_secs(10));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // (host-local's leases for CNI networks, the store's for the native one.)
    let native_leases = w.root.join("net/native");
    let lease_of = |id: &str| {
        let o = std::process::Command::new("grep")
            .args(["-rl", id, "/var/lib/cni/networks"])
            .arg(&native_leases)
            .output()
            .unwrap();
        out(&o)
    };
    assert!(!lease_of(&id).is_empty(), "the killed pod holds a lease");
    let elsewhere = {
        let mut v: serde_json::Value = serde_json::from_slice(&record).unwrap();
        let spec = &mut v["attachments"][0][0]["native"];
        assert!(
            spec.is_object(),
            "the default network is the native one: {v}"
        );
        spec["lease_dir"] = serde_json::json!("/tmp/elsewhere");
        serde_json::to_vec(&v).unwrap()
    };
    for (damage, why) in [
        (b"{\"netns\": 7".to_vec(), "is damaged"),
        (
            b"{\"version\": 9, \"netns\": \"/x\", \"attachments\": []}".to_vec(),
            "is damaged",
        ),
        (
            String::from_utf8_lossy(&record)
                .replacen("\"netns\"", "\"extra\": 1, \"netns\"", 1)
                .into_bytes(),
            "is damaged",
        ),
        // Leases elsewhere than this store: gc must not remove files there.
        (elsewhere, "outside this store"),
    ] {
        let dir = pod_dir(&w, &id);
        std::fs::write(dir.join("net.json"), &damage).unwrap();
        let o = w.run(&["gc", "--grace-period", "0s"]);
        assert_eq!(o.status.code(), Some(254), "{o:?}");
        assert!(
            err(&o).contains("net.json") && err(&o).contains("is kept") && err(&o).contains(why),
            "gc says why ({why}): {}",
            err(&o)
        );
        assert!(
            pod_dir(&w, &id).exists(),
            "the pod was dropped with its record"
        );
    }
    // With its record back, gc detaches the network and removes the pod.
    std::fs::write(pod_dir(&w, &id).join("net.json"), &record).unwrap();
    w.ok(&["gc", "--grace-period", "0s"]);
    assert!(liftoff::pod::STATES
        .iter()
        .all(|s| !w.root.join("pods").join(s).join(&id).exists()));
    assert!(lease_of(&id).is_empty(), "lease left: {}", lease_of(&id));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn hostile_pod_manifests_are_refused_with_a_message() {
    let _host = crate::pods::shared();
    let w = world();
    for (what, edit) in [
        (
            "plugins[0] is not a JSON object",
            &(|v: &mut serde_json::Value| {
                // (The default network is native, without plugins: make it a CNI one first.)
                if let Some(n) = v["networks"][0].as_object_mut() {
                    n.remove("native");
                }
                v["networks"][0]["plugins"] = serde_json::json!(["bridge"]);
            }) as &dyn Fn(&mut serde_json::Value),
        ),
        (
            "layers must be absolute dirs without",
            &|v: &mut serde_json::Value| {
                v["apps"][0]["layers"][0] = serde_json::json!("/x/..");
            },
        ),
        ("not an RFC 1123 host name", &|v: &mut serde_json::Value| {
            v["hostname"] = serde_json::json!("a\nb");
        }),
    ] {
        let id = w
            .ok(&["prepare", IMAGE, "--", "busybox", "true"])
            .trim()
            .to_string();
        let path = pod_dir(w, &id).join("pod.json");
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        edit(&mut v);
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        let o = w.run(&["run-prepared", &id]);
        assert_eq!(o.status.code(), Some(254), "{what}: {o:?}");
        assert!(err(&o).contains(what), "{what}: {}", err(&o));
        assert!(!err(&o).contains("panicked"), "{}", err(&o));
        let _ = w.run(&["rm", &id]);
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn below_the_free_space_reserve_new_pods_fetches_and_imports_are_refused_up_front() {
    let _host = crate::pods::shared();
    let w = world();
    let conf = w._tmp.path().join("reserve.toml");
    std::fs::write(&conf, "[pods]\nmin_free = \"1000000G\"\n").unwrap();
    let c = conf.to_str().unwrap();
    let rootfs = w._tmp.path().join("rootfs");
    let n_pods = || crate::leak::pod_entries(w).len();
    let before = n_pods();
    for args in [
        vec!["--config", c, "run", "--rm", "--net=none", IMAGE],
        vec!["--config", c, "prepare", IMAGE],
        vec!["--config", c, "fetch", "oci:/nonexistent:1"],
        vec![
            "--config",
            c,
            "image",
            "import",
            rootfs.to_str().unwrap(),
            "example.com/e2e/full:1",
        ],
    ] {
        refused(w, &args, &["below the reserve", "[pods] min_free"]);
    }
    // Other tests' pods come and go meanwhile; ours would have stayed (prepare) or shown up.
    assert!(
        n_pods() <= before + 2,
        "a refused command left a pod behind"
    );
    assert!(!w.ok(&["image", "list"]).contains("example.com/e2e/full"));
    std::fs::write(&conf, "[pods]\nmin_free = \"0\"\n").unwrap();
    w.ok(&[
        "--config",
        c,
        "run",
        "--rm",
        "--net=none",
        IMAGE,
        "--",
        "busybox",
        "true",
    ]);
    std::fs::write(&conf, "[pods]\nmin_free = \"lots\"\n").unwrap();
    refused(
        w,
        &["--config", c, "run", "--rm", "--net=none", IMAGE],
        &["min_free", "lots"],
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_pod_cannot_write_past_its_disk_limit() {
    let _host = crate::pods::shared();
    // A store of its own: the disk's mounts below its pod dirs must not look like leaks to the
    // shared store's tests running meanwhile.
    let w = crate::pods::new_world();
    let w = &w;
    let file = w._tmp.path().join("disk.uuid");
    // Upper dir, named volume and logs share the limit; the host's filesystem is never touched.
    let o = w.run(&[
        "run",
        "--net=none",
        "--disk-limit",
        "32M",
        "--uuid-file-save",
        file.to_str().unwrap(),
        "-v",
        "data:/data",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null; echo root=$?; \
         busybox dd if=/dev/zero of=/data/big bs=1M count=64 2>/dev/null; echo vol=$?; \
         busybox rm -f /big /data/big; busybox dd if=/dev/zero of=/ok bs=1M count=8 2>/dev/null; echo ok=$?",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("root=1") && text.contains("vol=1"),
        "writes past the limit failed: {text}"
    );
    assert!(text.contains("ok=0"), "space is freed again: {text}");
    let id = std::fs::read_to_string(&file).unwrap();
    let id = id.trim();
    let dir = pod_dir(w, id);
    let upper_size = std::fs::metadata(dir.join("disk.img")).unwrap().len();
    assert_eq!(
        upper_size,
        32 << 20,
        "the disk is the limit's size (sparse)"
    );
    // rm takes its mounts down with it.
    w.ok(&["rm", id]);
    let mi = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mi.contains(id), "mounts left: {mi}");
    // Too small, and not a size.
    refused(
        w,
        &["run", "--rm", "--net=none", "--disk-limit", "1M", IMAGE],
        &["at least 16 MiB"],
    );
    refused(
        w,
        &["run", "--rm", "--net=none", "--disk-limit", "lots", IMAGE],
        &["--disk-limit"],
    );
    // --rm with a disk limit leaves no mount either.
    let o = w.run(&[
        "run",
        "--rm",
        "--net=none",
        "--disk-limit",
        "16M",
        "--uuid-file-save",
        file.to_str().unwrap(),
        IMAGE,
        "--",
        "busybox",
        "true",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let id = std::fs::read_to_string(&file).unwrap();
    let mi = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mi.contains(id.trim()), "mounts left after --rm: {mi}");
}
