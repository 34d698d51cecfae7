//! Unit tests of the id-range allocator: modes, settings, pool precedence and subid parsing, and
//! leases (disjointness, release, reclaim, exhaustion, concurrency) on temp state roots. None needs
//! root: leases are plain files and the pod dirs are empty dirs made by the tests.

use super::lease::POD_STATES;
use super::*;
use crate::config::UsernsConfig;
use std::path::Path;

const ID_A: &str = "00000000-0000-4000-8000-00000000000a";
const ID_B: &str = "00000000-0000-4000-8000-00000000000b";

/// The pod id of test pod `n`.
fn pod_id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// Makes the dir of pod `id` in state dir `state`.
fn pod_dir(root: &Path, state: &str, id: &str) {
    std::fs::create_dir_all(root.join("pods").join(state).join(id)).unwrap();
}

fn range(start: u32, size: u32) -> IdRange {
    IdRange { start, size }
}

/// A pool with the same single range for uids and gids.
fn simple_pool(start: u32, size: u32) -> Pool {
    Pool {
        uids: vec![range(start, size)],
        gids: vec![range(start, size)],
        origin: "the test pool".into(),
    }
}

fn no_file() -> &'static Path {
    Path::new("/nonexistent-liftoff-test/subid")
}

fn settings_with_pool(spec: Option<&str>) -> Settings {
    settings(&UsernsConfig {
        pool: spec.map(str::to_string),
        ..UsernsConfig::default()
    })
    .unwrap()
}

#[test]
fn modes_accepted() {
    assert_eq!(parse_mode("host", 7).unwrap(), Mode::Host);
    assert_eq!(parse_mode("auto", 7).unwrap(), Mode::Auto { size: 7 });
    assert_eq!(
        parse_mode("auto:size=1", 7).unwrap(),
        Mode::Auto { size: 1 }
    );
    assert_eq!(
        parse_mode("auto:size=65536", 7).unwrap(),
        Mode::Auto { size: 65536 }
    );
}

#[test]
fn modes_refused_with_the_accepted_forms() {
    for bad in [
        "",
        "keep-id",
        "Auto",
        "auto:",
        "auto:size=0",
        "auto:size=",
        "auto:size=x",
        "auto:size=+5",
        "auto:size=-5",
        "auto:size=99999999999",
        "auto:foo=1",
        "auto:size",
        "host:size=1",
    ] {
        let e = parse_mode(bad, 65536).unwrap_err().to_string();
        assert!(e.contains(&format!("{bad:?}")), "{bad}: {e}");
        assert!(
            e.contains("\"auto:size=N\"") && e.contains("\"host\""),
            "{e}"
        );
    }
    let e = parse_mode("auto:foo=1", 1).unwrap_err().to_string();
    assert!(e.contains("\"foo\""), "{e}");
}

#[test]
fn settings_defaults_and_values() {
    let s = settings(&UsernsConfig::default()).unwrap();
    assert_eq!(
        s,
        Settings {
            default: Mode::Auto { size: 65536 },
            fallback_host: false,
            pool_spec: None,
            size: 65536,
        }
    );
    let s = settings(&UsernsConfig {
        pool: Some("100000-999999".into()),
        size: Some(4096),
        default: Some("host".into()),
        fallback: Some("host".into()),
    })
    .unwrap();
    assert_eq!(s.default, Mode::Host);
    assert!(s.fallback_host);
    assert_eq!(s.size, 4096);
    assert_eq!(s.pool_spec.as_deref(), Some("100000-999999"));
    let c = UsernsConfig {
        size: Some(4096),
        default: Some("auto".into()),
        fallback: Some("error".into()),
        ..UsernsConfig::default()
    };
    assert_eq!(settings(&c).unwrap().default, Mode::Auto { size: 4096 });
}

#[test]
fn the_config_section_parses_and_refuses_typos() {
    let text = "[userns]\npool = \"100000-999999\"\nsize = 4096\ndefault = \"host\"\nfallback = \"host\"\n";
    let c = crate::config::Config::parse(text, Path::new("c.toml")).unwrap();
    assert_eq!(c.userns.pool.as_deref(), Some("100000-999999"));
    assert_eq!(c.userns.size, Some(4096));
    assert_eq!(settings(&c.userns).unwrap().default, Mode::Host);
    let e = crate::config::Config::parse("[userns]\nsise = 1\n", Path::new("c.toml"));
    assert!(e.unwrap_err().to_string().contains("sise"));
    let c = crate::config::Config::parse("", Path::new("c.toml")).unwrap();
    assert_eq!(c.userns.pool, None);
}

#[test]
fn settings_refuse_bad_values() {
    let cases = [
        (
            UsernsConfig {
                size: Some(0),
                ..Default::default()
            },
            "size",
        ),
        (
            UsernsConfig {
                default: Some("keep-id".into()),
                ..Default::default()
            },
            "default",
        ),
        (
            UsernsConfig {
                fallback: Some("ignore".into()),
                ..Default::default()
            },
            "fallback",
        ),
        (
            UsernsConfig {
                pool: Some("100000".into()),
                ..Default::default()
            },
            "pool",
        ),
        (
            UsernsConfig {
                pool: Some("200000-100000".into()),
                ..Default::default()
            },
            "pool",
        ),
        (
            UsernsConfig {
                pool: Some("100000-4294967295".into()),
                ..Default::default()
            },
            "pool",
        ),
        (
            UsernsConfig {
                pool: Some("a-b".into()),
                ..Default::default()
            },
            "pool",
        ),
        (
            UsernsConfig {
                pool: Some("-5".into()),
                ..Default::default()
            },
            "pool",
        ),
    ];
    for (c, key) in cases {
        let e = settings(&c).unwrap_err().to_string();
        assert!(e.contains(&format!("[userns] {key}")), "{e}");
    }
    let ok = UsernsConfig {
        pool: Some("65536-4294967294".into()),
        ..Default::default()
    };
    assert!(settings(&ok).is_ok());
}

#[test]
fn a_pool_with_host_ids_is_refused() {
    for spec in ["0-999999", "1000-200000", "65535-70000"] {
        let c = UsernsConfig {
            pool: Some(spec.into()),
            ..Default::default()
        };
        let e = settings(&c).unwrap_err().to_string();
        assert!(e.contains(spec) && e.contains("below 65536"), "{e}");
        assert!(e.contains("524288-1879048191"), "{e}");
    }
}

#[test]
fn pool_precedence() {
    let t = tempfile::tempdir().unwrap();
    let (su, sg) = (t.path().join("subuid"), t.path().join("subgid"));
    std::fs::write(&su, "liftoff:200000:65536\nliftoff:400000:131072\n").unwrap();
    std::fs::write(&sg, "# gids\n\nliftoff:300000:65536\n").unwrap();
    // The config pool wins over the subid files.
    let p = pool(&settings_with_pool(Some("100000-199999")), &su, &sg).unwrap();
    assert_eq!(p.uids, vec![range(100000, 100000)]);
    assert_eq!(p.gids, vec![range(100000, 100000)]);
    assert!(
        p.origin.contains("[userns] pool 100000-199999"),
        "{}",
        p.origin
    );
    // Then the liftoff entries.
    let p = pool(&settings_with_pool(None), &su, &sg).unwrap();
    assert_eq!(p.uids, vec![range(200000, 65536), range(400000, 131072)]);
    assert_eq!(p.gids, vec![range(300000, 65536)]);
    assert!(p.origin.contains("subuid") && p.origin.contains("subgid"));
    // Then the default.
    let p = pool(&settings_with_pool(None), no_file(), no_file()).unwrap();
    let all = range(
        DEFAULT_POOL_START,
        DEFAULT_POOL_END - DEFAULT_POOL_START + 1,
    );
    assert_eq!((p.uids.clone(), p.gids.clone()), (vec![all], vec![all]));
    assert_eq!(p.origin, "liftoff's default pool 524288-1879048191");
}

#[test]
fn other_users_subid_ranges_are_skipped() {
    let t = tempfile::tempdir().unwrap();
    let (su, sg) = (t.path().join("subuid"), t.path().join("subgid"));
    std::fs::write(
        &su,
        "alice:524288:65536\nbob:1000000:1000\nbroken line\ncarol:x:y\n",
    )
    .unwrap();
    std::fs::write(&sg, "alice:600000:10\n").unwrap();
    let p = pool(&settings_with_pool(None), &su, &sg).unwrap();
    assert_eq!(p.uids[0], range(589824, 1000000 - 589824));
    assert_eq!(p.uids[1].start, 1001000);
    assert_eq!(p.uids[1].end(), u64::from(DEFAULT_POOL_END) + 1);
    assert_eq!(p.gids[0], range(524288, 600000 - 524288));
    assert_eq!(p.gids[1].start, 600010);
    // The same for a config pool; a pool entirely inside others' ranges is empty.
    let p = pool(&settings_with_pool(Some("524288-1100000")), &su, &sg).unwrap();
    assert_eq!(p.uids.len(), 2);
    assert_eq!(p.uids[1], range(1001000, 1100001 - 1001000));
    let e = pool(&settings_with_pool(Some("530000-540000")), &su, &sg).unwrap_err();
    assert!(e.to_string().contains("no ids left"), "{e}");
    // Allocation from that pool avoids alice's ids, and takes the lowest start free in both
    // (uids are free from 589824, but gids 589824.. would run into alice's at 600000).
    let root = tempfile::tempdir().unwrap();
    let p = pool(&settings_with_pool(Some("524288-1100000")), &su, &sg).unwrap();
    pod_dir(root.path(), "run", ID_A);
    let l = allocate(root.path(), ID_A, 65536, &p).unwrap();
    assert_eq!((l.uid.start, l.gid.start), (600010, 600010));
    // A bigger one skips the low gids (524288..600000 fit it, but no uids there do) to line up.
    pod_dir(root.path(), "run", ID_B);
    let l = allocate(root.path(), ID_B, 70000, &p).unwrap();
    assert_eq!((l.uid.start, l.gid.start), (665546, 665546));
}

#[test]
fn a_liftoff_entry_in_one_file_only_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let (su, sg) = (t.path().join("subuid"), t.path().join("subgid"));
    std::fs::write(&su, "liftoff:200000:65536\n").unwrap();
    std::fs::write(&sg, "alice:200000:65536\n").unwrap();
    let e = pool(&settings_with_pool(None), &su, &sg)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("{} has no liftoff entry", sg.display())),
        "{e}"
    );
    let e = pool(&settings_with_pool(None), no_file(), &su)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("{} has no liftoff entry", no_file().display())),
        "{e}"
    );
}

#[test]
fn a_malformed_liftoff_line_names_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let (su, sg) = (t.path().join("subuid"), t.path().join("subgid"));
    std::fs::write(&sg, "liftoff:200000:65536\n").unwrap();
    for (text, line) in [
        ("# c\nliftoff:200000\n", 2),
        ("\n\nliftoff:200000:65536:9\n", 3),
        ("liftoff:abc:65536\n", 1),
        ("alice:1:1\nliftoff:200000:0\n", 2),
        ("liftoff:4294967000:1000\n", 1),
    ] {
        std::fs::write(&su, text).unwrap();
        let e = pool(&settings_with_pool(None), &su, &sg)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&format!("{}:{line}: malformed", su.display())),
            "{e}"
        );
    }
    std::fs::write(&su, "liftoff:100:65536\n").unwrap();
    let e = pool(&settings_with_pool(None), &su, &sg)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("{}:1 includes ids 100-65535", su.display())),
        "{e}"
    );
}

#[test]
fn allocations_are_disjoint_and_release_frees() {
    let root = tempfile::tempdir().unwrap();
    let p = simple_pool(100000, 65536 * 8);
    let mut got = Vec::new();
    for n in 0..8 {
        pod_dir(root.path(), POD_STATES[n % 6], &pod_id(n));
        let l = allocate(root.path(), &pod_id(n), 65536, &p).unwrap();
        assert_eq!(l.uid, l.gid, "the common start is preferred");
        got.push(l);
    }
    assert_disjoint(&got);
    assert_eq!(got[3].uid, range(100000 + 3 * 65536, 65536));
    let held = leases(root.path()).unwrap();
    assert_eq!(held.len(), 8);
    assert_eq!(held[3], (pod_id(3), got[3]));
    // Asking again gives the same lease.
    assert_eq!(
        allocate(root.path(), &pod_id(3), 65536, &p).unwrap(),
        got[3]
    );
    let e = allocate(root.path(), ID_A, 1, &p).unwrap_err();
    assert!(matches!(e, UsernsError::NoPodDir { .. }), "{e}");
    pod_dir(root.path(), "embryo", ID_A);
    assert!(matches!(
        allocate(root.path(), ID_A, 1, &p),
        Err(UsernsError::Exhausted { holders: 8, .. })
    ));
    release(root.path(), &pod_id(3)).unwrap();
    release(root.path(), &pod_id(3)).unwrap();
    release(root.path(), ID_B).unwrap();
    assert_eq!(leases(root.path()).unwrap().len(), 7);
    assert_eq!(allocate(root.path(), ID_A, 65536, &p).unwrap(), got[3]);
}

fn assert_disjoint(got: &[Lease]) {
    for (i, a) in got.iter().enumerate() {
        for b in &got[i + 1..] {
            assert!(
                !a.uid.overlaps(&b.uid) && !a.gid.overlaps(&b.gid),
                "{a:?} {b:?}"
            );
        }
    }
}

#[test]
fn stale_leases_are_reclaimed_but_exited_garbage_is_live() {
    let root = tempfile::tempdir().unwrap();
    let p = simple_pool(100000, 65536 * 2);
    pod_dir(root.path(), "run", ID_A);
    pod_dir(root.path(), "run", ID_B);
    let a = allocate(root.path(), ID_A, 65536, &p).unwrap();
    allocate(root.path(), ID_B, 65536, &p).unwrap();
    // A moves on to exited-garbage: it still holds its range.
    std::fs::create_dir_all(root.path().join("pods/exited-garbage")).unwrap();
    std::fs::rename(
        root.path().join("pods/run").join(ID_A),
        root.path().join("pods/exited-garbage").join(ID_A),
    )
    .unwrap();
    let c = pod_id(0xc);
    pod_dir(root.path(), "embryo", &c);
    let e = allocate(root.path(), &c, 65536, &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("the test pool") && e.contains("2 pods"), "{e}");
    // A's dir is gone (gc removed it without a release): its range is reclaimed.
    std::fs::remove_dir(root.path().join("pods/exited-garbage").join(ID_A)).unwrap();
    assert_eq!(allocate(root.path(), &c, 65536, &p).unwrap(), a);
    let ids: Vec<String> = leases(root.path())
        .unwrap()
        .into_iter()
        .map(|l| l.0)
        .collect();
    assert_eq!(ids, vec![ID_B.to_string(), c]);
}

#[test]
fn exhaustion_says_what_and_the_way_out() {
    let root = tempfile::tempdir().unwrap();
    let p = simple_pool(100000, 100);
    pod_dir(root.path(), "run", ID_A);
    pod_dir(root.path(), "run", ID_B);
    allocate(root.path(), ID_A, 60, &p).unwrap();
    let e = allocate(root.path(), ID_B, 60, &p).unwrap_err().to_string();
    assert_eq!(
        e,
        "no free range of 60 ids is left in the test pool (1 pod holds a range): `liftoff gc` \
         frees the ranges of exited pods; or enlarge the pool ([userns] pool in \
         /etc/liftoff/config.toml or the liftoff lines of /etc/subuid and /etc/subgid), or ask \
         for less with --userns=auto:size=N"
    );
    assert_eq!(
        allocate(root.path(), ID_B, 40, &p).unwrap().uid,
        range(100060, 40)
    );
    for size in [0, 101] {
        let e = allocate(root.path(), ID_B, size, &p).unwrap_err();
        assert!(matches!(e, UsernsError::Size { biggest: 100, .. }), "{e}");
    }
}

#[test]
fn uid_and_gid_starts_may_differ() {
    let root = tempfile::tempdir().unwrap();
    let p = Pool {
        uids: vec![range(100000, 200)],
        gids: vec![range(500000, 200)],
        origin: "two pools".into(),
    };
    pod_dir(root.path(), "run", ID_A);
    pod_dir(root.path(), "run", ID_B);
    let a = allocate(root.path(), ID_A, 100, &p).unwrap();
    let b = allocate(root.path(), ID_B, 100, &p).unwrap();
    assert_eq!((a.uid.start, a.gid.start), (100000, 500000));
    assert_eq!((b.uid.start, b.gid.start), (100100, 500100));
}

#[test]
fn concurrent_allocations_are_disjoint() {
    let root = tempfile::tempdir().unwrap();
    let p = std::sync::Arc::new(simple_pool(100000, 65536 * 20));
    let threads: Vec<_> = (0..20)
        .map(|n| {
            let root = root.path().to_path_buf();
            let p = p.clone();
            std::thread::spawn(move || {
                pod_dir(&root, "prepare", &pod_id(n));
                allocate(&root, &pod_id(n), 65536, &p).unwrap()
            })
        })
        .collect();
    let got: Vec<Lease> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_disjoint(&got);
    assert_eq!(leases(root.path()).unwrap().len(), 20);
}

#[test]
fn an_unparsable_lease_is_an_error_naming_it() {
    let root = tempfile::tempdir().unwrap();
    let p = simple_pool(100000, 65536);
    pod_dir(root.path(), "run", ID_A);
    std::fs::create_dir_all(root.path().join("userns")).unwrap();
    let bad = root.path().join("userns").join(format!("{ID_B}.json"));
    std::fs::write(&bad, "{\"uid\":").unwrap();
    for e in [
        allocate(root.path(), ID_A, 100, &p).unwrap_err(),
        leases(root.path()).unwrap_err(),
    ] {
        let e = e.to_string();
        assert!(e.starts_with(&bad.display().to_string()), "{e}");
        assert!(e.contains("remove it after checking no pod uses it"), "{e}");
    }
    // A writer's leftover temp file is no lease, and goes when its pod's lease is released.
    std::fs::remove_file(&bad).unwrap();
    std::fs::write(root.path().join("userns/.x.json.tmp-1-0"), "{").unwrap();
    assert!(allocate(root.path(), ID_A, 100, &p).is_ok());
    let left = root.path().join(format!("userns/.{ID_B}.json.tmp-7-0"));
    std::fs::write(&left, "{").unwrap();
    release(root.path(), ID_B).unwrap();
    assert!(!left.exists());
    assert!(root.path().join("userns/.x.json.tmp-1-0").exists());
}

#[test]
fn bad_pod_ids_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let p = simple_pool(100000, 65536);
    for id in [
        "",
        "..",
        "../../../../etc/passwd-xxxxxxxxxxxxxxxxxxxxx",
        "00000000-0000-4000-8000-00000000000A",
        "00000000-0000-4000-8000-00000000000a0",
        "00000000/0000-4000-8000-00000000000a",
    ] {
        assert!(matches!(
            allocate(root.path(), id, 1, &p),
            Err(UsernsError::PodId { .. })
        ));
        assert!(matches!(
            release(root.path(), id),
            Err(UsernsError::PodId { .. })
        ));
    }
}

#[test]
fn dirs_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    pod_dir(root.path(), "run", ID_A);
    allocate(root.path(), ID_A, 1, &simple_pool(100000, 10)).unwrap();
    for d in ["locks", "userns"] {
        let mode = std::fs::metadata(root.path().join(d))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{d}");
    }
}

#[test]
fn pod_states_match_the_pod_module() {
    let names: Vec<&str> = crate::pod::PodDirState::ALL
        .iter()
        .map(|s| s.as_dir())
        .collect();
    assert_eq!(names, POD_STATES);
}

#[test]
fn a_freed_range_is_reused_only_once_the_pool_above_it_is_used() {
    let root = tempfile::tempdir().unwrap();
    let p = simple_pool(100000, 65536 * 3);
    for n in 0..2 {
        pod_dir(root.path(), "run", &pod_id(n));
    }
    let a = allocate(root.path(), &pod_id(0), 65536, &p).unwrap();
    release(root.path(), &pod_id(0)).unwrap();
    // Next fit: the second pod gets the range after the first's, not the one just freed.
    let b = allocate(root.path(), &pod_id(1), 65536, &p).unwrap();
    assert_eq!(b.uid, range(100000 + 65536, 65536));
    // Past the pool's end the search wraps to its start.
    pod_dir(root.path(), "run", &pod_id(2));
    pod_dir(root.path(), "run", &pod_id(3));
    let c = allocate(root.path(), &pod_id(2), 65536, &p).unwrap();
    assert_eq!(c.uid, range(100000 + 2 * 65536, 65536));
    let d = allocate(root.path(), &pod_id(3), 65536, &p).unwrap();
    assert_eq!(d.uid, a.uid);
}
