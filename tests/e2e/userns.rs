//! End-to-end tests of remapped pods (issue 18): by default a pod's root is an unprivileged host
//! uid from liftoff's pool; what the pod writes belongs to that range on the host; host binds show
//! host files as nobody unless `:idmap`; ranges are disjoint under 20 concurrent runs, survive a
//! SIGKILLed supervisor and are freed by gc; the pod's network capabilities work; layers are
//! shared, never copied; `--userns=host` is explicit and loud.

use crate::pods::{err, new_world, out, shared, world, World, IMAGE};
use std::collections::BTreeSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;
use std::time::{Duration, Instant};

/// A running pod's id map from `status --format json`: (uid start, gid start, size).
fn ids_of(w: &World, pod: &str) -> (u32, u32, u32) {
    let s = w.ok(&["status", "--format", "json", pod]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let u = &v["userns"];
    assert!(u.is_object(), "pod {pod} has no id map: {s}");
    let n = |k: &str| u[k].as_u64().unwrap() as u32;
    (n("uid"), n("gid"), n("size"))
}

fn pod_dir(w: &World, id: &str) -> std::path::PathBuf {
    w.root.join("pods/run").join(id)
}

/// The host uids of the pod's apps: the children of its init (whose host pid is in `pid`).
fn app_host_uids(dir: &std::path::Path) -> Vec<u32> {
    let init = std::fs::read_to_string(dir.join("pid")).unwrap();
    let init = init.trim();
    let children = std::fs::read_to_string(format!("/proc/{init}/task/{init}/children")).unwrap();
    children
        .split_whitespace()
        .map(|pid| {
            let st = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
            st.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().next())
                .and_then(|u| u.parse().ok())
                .unwrap()
        })
        .collect()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn pod_root_is_a_range_id_on_the_host() {
    let _host = shared();
    let w = world();
    let id = w
        .ok(&[
            "run", "-d", "-v", "data:/data", IMAGE, "--name", "rangepod", "--", "/bin/sh", "-c",
            "busybox id -u > /data/id; busybox cat /proc/self/uid_map > /data/map; echo x > /made; echo x > /data/made; exec busybox sleep 30",
        ])
        .trim()
        .to_string();
    let (uid, gid, size) = ids_of(w, &id);
    assert!(
        uid >= 100000 && gid >= 100000 && size == 65536,
        "{uid} {gid} {size}"
    );
    let dir = pod_dir(w, &id);
    let vol = dir.join("volumes/data");
    let t = Instant::now();
    while !vol.join("made").exists() && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(vol.join("id")).unwrap().trim(), "0");
    let map: Vec<String> = std::fs::read_to_string(vol.join("map"))
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(map, ["0", &uid.to_string(), "65536"]);
    // Outside: the app's process and what it wrote belong to the range, never to host root.
    assert_eq!(app_host_uids(&dir), [uid]);
    for f in [dir.join("apps/rangepod/upper/made"), vol.join("made")] {
        let m = std::fs::metadata(&f).unwrap();
        assert_eq!((m.uid(), m.gid()), (uid, gid), "{}", f.display());
    }
    let upper = std::fs::metadata(dir.join("apps/rangepod/upper")).unwrap();
    assert_eq!(upper.uid(), uid);
    // list and status show the range.
    let range = format!("{uid}-{}", uid + size - 1);
    assert!(w.ok(&["status", &id]).contains(&format!("ids: {range}")));
    assert!(w.ok(&["list"]).contains(&range));
    // enter joins the pod's user namespace as its root, with the app's profile.
    let o = w.run(&[
        "enter",
        &id,
        "--",
        "/bin/sh",
        "-c",
        "busybox id -u; busybox cat /proc/self/uid_map",
    ]);
    let text = out(&o);
    assert!(
        text.starts_with("0\n") && text.contains(&uid.to_string()),
        "{text}{}",
        err(&o)
    );
    w.ok(&["stop", &id]);
    w.ok(&["rm", &id]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn host_binds_show_host_owners_only_with_idmap() {
    let _host = shared();
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("shared");
    std::fs::create_dir(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::write(d.join("secret"), "root only\n").unwrap();
    std::fs::set_permissions(d.join("secret"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let bind = format!("{}:/h", d.display());
    // Without idmap: the host's root-owned 0600 file is nobody's to the pod's root.
    let o = w.run(&[
        "run", "--name", "plain", "-v", &bind, IMAGE, "--", "/bin/sh", "-c",
        "busybox stat -c '%u %g' /h/secret; busybox cat /h/secret; cp /suid-probe /h/planted && chmod 4755 /h/planted; echo x > /h/plain-made; true",
    ]);
    let text = out(&o);
    assert!(text.starts_with("65534 65534\n"), "{text}{}", err(&o));
    assert!(
        !text.contains("root only"),
        "the pod's root read a host root file: {text}"
    );
    let planted = std::fs::metadata(d.join("plain-made")).unwrap();
    assert!(
        planted.uid() >= 100000,
        "created as host uid {}",
        planted.uid()
    );
    // A setuid binary planted through the bind belongs to a range id: running it on the host
    // gives that id, not root.
    let p = std::fs::metadata(d.join("planted")).unwrap();
    assert_eq!(p.uid(), planted.uid());
    assert_ne!(p.uid(), 0);
    let o = Command::new("runuser")
        .args(["-u", "nobody", "--"])
        .arg(d.join("planted"))
        .arg("euid")
        .output()
        .unwrap();
    let euid = out(&o);
    assert!(!euid.contains("euid=0"), "{euid}");
    // With idmap: host owners show as themselves, and the pod's root writes as host root.
    let bind = format!("{}:/h:idmap", d.display());
    let o = w.run(&[
        "run",
        "-v",
        &bind,
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox stat -c '%u %g' /h/secret; busybox cat /h/secret; echo x > /h/idmap-made",
    ]);
    assert_eq!(out(&o), "0 0\nroot only\n", "{}", err(&o));
    let m = std::fs::metadata(d.join("idmap-made")).unwrap();
    assert_eq!((m.uid(), m.gid()), (0, 0));
    // --userns=host cannot idmap (there is no map).
    let o = w.run(&["run", "--userns=host", "-v", &bind, IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("idmap"), "{}", err(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn userns_host_is_explicit_and_loud_and_bad_modes_are_refused() {
    let _host = shared();
    let w = world();
    let o = w.run(&[
        "run",
        "--userns=host",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox cat /proc/self/uid_map",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o).split_whitespace().collect::<Vec<_>>(),
        ["0", "0", "4294967295"]
    );
    assert!(
        err(&o).contains("--userns=host: the pod's root is the host's root"),
        "{}",
        err(&o)
    );
    let o = w.run(&[
        "run",
        "--userns=auto:size=4096",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "busybox cat /proc/self/uid_map",
    ]);
    assert!(out(&o).trim().ends_with(" 4096"), "{}{}", out(&o), err(&o));
    for bad in ["keep-id", "auto:size=0", "auto:size=x", "auto:color=1"] {
        let o = w.run(&["run", &format!("--userns={bad}"), IMAGE]);
        assert_eq!(o.status.code(), Some(254), "{bad}");
        assert!(err(&o).contains("accepted forms"), "{bad}: {}", err(&o));
    }
    // A pool too small for the size asked: the error names the pool and the way out.
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("config.toml");
    std::fs::write(&cfg, "[userns]\npool = \"3000000000-3000000999\"\n").unwrap();
    let o = w.run(&["--config", cfg.to_str().unwrap(), "run", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    let e = err(&o);
    assert!(
        e.contains("3000000000") && e.contains("--userns=auto:size="),
        "{e}"
    );
    // A pod file says the same as the flag.
    let pf = tmp.path().join("pod.toml");
    std::fs::write(
        &pf,
        format!("userns = {{ mode = \"auto\", size = 2048 }}\n[[app]]\nimage = \"{IMAGE}\"\nexec = [\"/bin/sh\", \"-c\", \"busybox cat /proc/self/uid_map\"]\n"),
    )
    .unwrap();
    let o = w.run(&["run", "--pod", pf.to_str().unwrap()]);
    assert!(out(&o).trim().ends_with(" 2048"), "{}{}", out(&o), err(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn twenty_concurrent_runs_get_disjoint_ranges_kept_until_gc() {
    let _host = shared();
    let w = new_world();
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                s.spawn(|| {
                    w.ok(&[
                        "run",
                        "-d",
                        "--net=none",
                        IMAGE,
                        "--",
                        "busybox",
                        "sleep",
                        "60",
                    ])
                    .trim()
                    .to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ranges: Vec<(String, u32, u32, u32)> = ids
        .iter()
        .map(|id| {
            let (u, g, n) = ids_of(&w, id);
            (id.clone(), u, g, n)
        })
        .collect();
    for (i, a) in ranges.iter().enumerate() {
        for b in &ranges[i + 1..] {
            let apart = |x: u32, y: u32| x + a.3 <= y || y + b.3 <= x;
            assert!(apart(a.1, b.1) && apart(a.2, b.2), "{a:?} overlaps {b:?}");
        }
    }
    let leases = |w: &World| -> BTreeSet<String> {
        std::fs::read_dir(w.root.join("userns"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(leases(&w).len(), 20);
    // SIGKILL every supervisor: the pods die with them, their ranges stay leased.
    for id in &ids {
        let pid = std::fs::read_to_string(pod_dir(&w, id).join("supervisor-pid")).unwrap();
        let _ = Command::new("kill").args(["-9", pid.trim()]).status();
    }
    let t = Instant::now();
    while ids
        .iter()
        .any(|id| w.ok(&["status", id]).contains("state: running"))
        && t.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        leases(&w).len(),
        20,
        "a killed pod lost its range before gc"
    );
    // A new pod cannot get any of them.
    let fresh = w.ok(&[
        "run",
        "-d",
        "--net=none",
        IMAGE,
        "--",
        "busybox",
        "sleep",
        "60",
    ]);
    let (u, _, _) = ids_of(&w, fresh.trim());
    assert!(
        ranges.iter().all(|r| u + 65536 <= r.1 || r.1 + r.3 <= u),
        "{u} reuses a killed pod's range"
    );
    w.ok(&["stop", fresh.trim()]);
    // gc collects the pods and frees every range.
    for _ in 0..50 {
        w.ok(&["gc", "--grace-period", "0s"]);
        if leases(&w).is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(leases(&w).is_empty(), "{:?}", leases(&w));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn network_capabilities_work_in_a_default_network_pod() {
    let _host = shared();
    let w = world();
    // NET_RAW: a packet socket (which no sysctl grants, and which a user namespace that does not
    // own the network namespace cannot open); NET_BIND_SERVICE: port 80; and ping out of the pod
    // to its gateway.
    let o = w.run(&[
        "run", IMAGE, "--", "/bin/sh", "-c",
        "echo \"packet $(/probe socket 17 3)\"; \
         busybox httpd -p 80 -h /www && busybox netstat -ltn | busybox grep -q ':80 ' && echo bind80 ok; \
         gw=$(busybox ip route | busybox awk '/default/ {print $3}'); busybox ping -c1 -W2 $gw >/dev/null && echo ping ok",
    ]);
    let text = out(&o);
    for want in ["packet ok", "bind80 ok", "ping ok"] {
        assert!(text.contains(want), "{want}: {text}{}", err(&o));
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_big_image_starts_alike_twice_and_its_layers_are_untouched() {
    let _host = shared();
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let rootfs = tmp.path().join("big");
    std::fs::create_dir_all(rootfs.join("bin")).unwrap();
    std::fs::create_dir_all(rootfs.join("data")).unwrap();
    std::fs::copy("/bin/busybox", rootfs.join("bin/busybox")).unwrap();
    // 1 GB in 1024 files of zeros (cheap to compress and sign, as costly to chown as any).
    let mb = vec![0u8; 1 << 20];
    for i in 0..1024 {
        std::fs::write(rootfs.join(format!("data/f{i}")), &mb).unwrap();
    }
    let name = "example.com/e2e/big:1";
    w.ok(&["image", "import", rootfs.to_str().unwrap(), name]);
    let key = tmp.path().join("k");
    w.ok(&["key", "gen", "--out", key.to_str().unwrap()]);
    w.ok(&[
        "image",
        "sign",
        name,
        "--key",
        key.with_extension("key").to_str().unwrap(),
    ]);
    w.ok(&[
        "trust",
        "add",
        "--yes",
        "--prefix",
        "example.com/e2e/big",
        key.with_extension("pub").to_str().unwrap(),
    ]);
    let layer_file = |w: &World| -> std::path::PathBuf {
        std::fs::read_dir(w.root.join("layers/sha256"))
            .unwrap()
            .flatten()
            .map(|e| e.path().join("data/f7"))
            .find(|p| p.exists())
            .expect("the big layer")
    };
    let f = layer_file(w);
    let before = std::fs::metadata(&f).unwrap();
    let mut times = Vec::new();
    for _ in 0..2 {
        let t = Instant::now();
        let o = w.run(&[
            "run",
            "--rm",
            "--net=none",
            name,
            "--",
            "/bin/busybox",
            "stat",
            "-c",
            "%u",
            "/data/f7",
        ]);
        times.push(t.elapsed());
        assert_eq!(out(&o).trim(), "0", "{}", err(&o));
    }
    let after = std::fs::metadata(&f).unwrap();
    assert_eq!(
        (after.uid(), after.ctime(), after.ctime_nsec()),
        (0, before.ctime(), before.ctime_nsec()),
        "the layer was changed"
    );
    // Neither start copies 1 GB (a copy takes seconds here); the second is no slower.
    assert!(
        times.iter().all(|t| *t < Duration::from_secs(3)),
        "{times:?}"
    );
    assert!(
        times[1] < times[0] * 2 + Duration::from_millis(300),
        "{times:?}"
    );
    let _ = w.run(&["image", "rm", name]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn files_move_and_link_between_directories_in_a_remapped_app() {
    let _host = shared();
    let w = world();
    // The app's Landlock domain must not refuse reparenting: a rename keeps the inode (busybox mv
    // would fall back to a copy on EXDEV), and a link across directories works.
    let o = w.run(&[
        "run", IMAGE, "--", "/bin/sh", "-c",
        "busybox mkdir -p /a /b && busybox touch /a/f && i=$(busybox stat -c %i /a/f) && busybox mv /a/f /b/f && \
         [ \"$(busybox stat -c %i /b/f)\" = \"$i\" ] && echo renamed; busybox ln /b/f /a/g && echo linked; \
         busybox mkdir /a/d && busybox mv /a/d /b/ && echo dir-moved",
    ]);
    assert_eq!(out(&o), "renamed\nlinked\ndir-moved\n", "{}", err(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn one_app_cannot_reach_another_apps_files_or_memory_in_either_mode() {
    let _host = shared();
    let w = world();
    // App b finds app a by its command line and tries a's root, environment and fds.
    let probe = "busybox sleep 0.5; for p in /proc/[0-9]*; do \
        c=$(busybox tr '\\0' ' ' < $p/cmdline 2>/dev/null); \
        case \"$c\" in 'busybox sleep 3'*) echo \"found ${p#/proc/}\"; busybox cat $p/root/secret 2>&1; \
        busybox cat $p/environ 2>&1 | busybox head -c 60; echo; busybox stat -L $p/fd/1 2>&1;; esac; done";
    for mode in ["--userns=auto", "--userns=host"] {
        let o = w.run(&[
            "run",
            "--rm",
            mode,
            IMAGE,
            "--name",
            "iso-a",
            "-e",
            "TOKEN=hunter2",
            "--",
            "/bin/sh",
            "-c",
            "echo secret > /secret; exec busybox sleep 3",
            "---",
            IMAGE,
            "--name",
            "iso-b",
            "--",
            "/bin/sh",
            "-c",
            probe,
        ]);
        let text = out(&o);
        assert!(
            text.contains("iso-b | found "),
            "{mode}: b never found a: {text}{}",
            err(&o)
        );
        assert!(
            !text.contains("| secret") && !text.contains("hunter2"),
            "{mode}: {text}"
        );
        assert!(
            text.matches("Permission denied").count() >= 3,
            "{mode}: {text}"
        );
    }
}
