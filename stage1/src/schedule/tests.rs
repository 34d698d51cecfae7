//! The schedule's policy, scripted against [`World`]: order, readiness, retries, timeouts, stop,
//! restarts and the control socket's requests.

use super::*;
use crate::init::run_pod;
use crate::manifest::RestartPolicy;
use crate::manifest::{NetMode, PodApp};
use crate::test_support::{launches, manifest, World};

fn app(m: &PodManifest, name: &str, after: &[(&str, Until)]) -> PodApp {
    let mut a = m.apps[0].clone();
    a.spec.name = name.into();
    a.after = after
        .iter()
        .map(|(n, u)| Dependency {
            app: n.to_string(),
            until: *u,
        })
        .collect();
    a
}

/// An app without dependencies that has the probe `p`.
fn probed(m: &PodManifest, name: &str, p: ReadyProbe) -> PodApp {
    let mut a = app(m, name, &[]);
    a.ready = Some(p);
    a
}

fn probe(interval_ms: u64, retries: u32) -> ReadyProbe {
    ReadyProbe {
        check: ReadyCheck::Tcp {
            addr: "127.0.0.1:3306".parse().unwrap(),
        },
        interval_ms,
        timeout_ms: 50,
        retries,
        start_period_ms: 0,
        start_interval_ms: 0,
    }
}

/// A pod of `apps` (db first), the schedule's calls from the first start on, and its code.
fn run(apps: Vec<PodApp>, w: &mut World) -> i32 {
    let mut m = manifest(NetMode::None);
    m.apps = apps;
    m.stop_timeout_secs = 1;
    w.timed = true;
    let code = run_pod(w, &m, launches(&m)).unwrap();
    let first = w.calls.iter().position(|c| c.contains(" start ")).unwrap();
    w.calls.drain(..first);
    code
}

#[test]
fn an_app_starts_once_what_it_waits_for_is_ready() {
    let m = manifest(NetMode::None);
    let db = probed(&m, "db", probe(100, 10));
    let php = app(&m, "php", &[("db", Until::Ready)]);
    let nginx = app(&m, "nginx", &[("php", Until::Started)]);
    let mut w = World::default();
    w.ready_after.insert("db", 250);
    w.signals.push((400, Signal::SIGTERM));
    let code = run(vec![nginx, php, db], &mut w);
    assert_eq!(
        w.calls,
        [
            "@0 start db",
            "@100 probe db",
            "@200 probe db",
            "@300 probe db",
            "@300 ready db",
            "@300 start php",
            "@300 ready php",
            "@300 start nginx",
            "@300 ready nginx",
            "@300 report",
            "@400 kill SIGTERM nginx,php,db",
            "@400 exit db 143",
            // db's 143 is a failure; the others are told again (as podman's stop would).
            "@400 kill SIGTERM nginx,php",
            "@400 exit php 143",
            "@400 exit nginx 143",
        ]
    );
    assert_eq!(code, 143);
}

#[test]
fn completed_waits_for_exit_status_0() {
    let m = manifest(NetMode::None);
    let web = app(&m, "web", &[("mig", Until::Completed)]);
    let mig = app(&m, "mig", &[]);
    let mut w = World::default();
    w.exits.extend([("mig", (50, 0)), ("web", (10, 0))]);
    assert_eq!(run(vec![web.clone(), mig.clone()], &mut w), 0);
    assert_eq!(
        w.calls,
        [
            "@0 start mig",
            "@0 ready mig",
            "@50 exit mig 0",
            "@50 start web",
            "@50 ready web",
            "@50 report",
            "@60 exit web 0",
        ]
    );
    // A failed migration: the pod ends with its code, and web never starts.
    let mut w = World::default();
    w.exits.insert("mig", (50, 3));
    assert_eq!(run(vec![web, mig], &mut w), 3);
    assert!(
        !w.calls.iter().any(|c| c.contains("start web")),
        "{:#?}",
        w.calls
    );
    assert!(
        !w.calls.iter().any(|c| c.contains("report")),
        "{:#?}",
        w.calls
    );
}

#[test]
fn a_dependency_that_ends_before_it_is_ready_fails_the_pod() {
    let m = manifest(NetMode::None);
    let db = probed(&m, "db", probe(100, 10));
    let web = app(&m, "web", &[("db", Until::Ready)]);
    let mut w = World::default();
    w.exits.insert("db", (50, 0));
    assert_eq!(run(vec![db, web], &mut w), 254);
    assert_eq!(
        w.calls,
        [
            "@0 start db",
            "@50 exit db 0",
            "@50 failed web: app web: not started: app db ended (exit status 0) before it was ready",
        ]
    );
}

#[test]
fn a_probe_out_of_retries_stops_the_pod_and_is_recorded() {
    let m = manifest(NetMode::None);
    let db = probed(&m, "db", probe(100, 3));
    let web = app(&m, "web", &[("db", Until::Ready)]);
    let mut w = World::default();
    w.ignore_term.insert("db");
    assert_eq!(run(vec![db, web], &mut w), 254);
    assert_eq!(
        w.calls,
        [
            "@0 start db",
            "@100 probe db",
            "@200 probe db",
            "@300 probe db",
            "@300 kill SIGTERM db",
            // db ignores SIGTERM: SIGKILL after the stop timeout (1 s).
            "@1300 kill SIGKILL db",
            "@1300 exit db 137 (app db: not ready: its probe (tcp 127.0.0.1:3306) failed 3 times in a row; last: exit status 1)",
        ]
    );
}

#[test]
fn a_probe_that_hangs_is_killed_at_its_timeout() {
    let m = manifest(NetMode::None);
    let db = probed(&m, "db", probe(100, 1));
    let mut w = World::default();
    w.probe_hangs.insert("db");
    assert_eq!(run(vec![db], &mut w), 254);
    assert_eq!(
        w.calls,
        [
            "@0 start db",
            "@100 probe db",
            "@150 kill SIGKILL db",
            "@150 kill SIGTERM db",
            "@150 exit db 143 (app db: not ready: its probe (tcp 127.0.0.1:3306) failed once; last: timed out after 50ms)",
        ]
    );
}

#[test]
fn failures_in_the_start_period_do_not_count() {
    let m = manifest(NetMode::None);
    let mut p = probe(100, 1);
    p.start_period_ms = 350;
    p.start_interval_ms = 50;
    let db = probed(&m, "db", p);
    let mut w = World::default();
    w.ready_after.insert("db", 300);
    w.exits.insert("db", (1000, 0));
    assert_eq!(run(vec![db], &mut w), 0);
    let probes = w.calls.iter().filter(|c| c.ends_with("probe db")).count();
    assert_eq!(probes, 6, "{:#?}", w.calls);
    assert!(
        w.calls.contains(&"@300 ready db".to_string()),
        "{:#?}",
        w.calls
    );
}

#[test]
fn a_stop_while_apps_wait_starts_nothing_more() {
    let m = manifest(NetMode::None);
    let db = probed(&m, "db", probe(100, 10));
    let web = app(&m, "web", &[("db", Until::Ready)]);
    let mut w = World::default();
    w.signals.push((150, Signal::SIGTERM));
    run(vec![db, web], &mut w);
    assert_eq!(
        w.calls,
        [
            "@0 start db",
            "@100 probe db",
            "@150 kill SIGTERM db",
            "@150 exit db 143",
        ]
    );
}

#[test]
fn a_stop_during_the_last_probe_run_is_a_stop_not_a_failure() {
    let m = manifest(NetMode::None);
    let db = probed(&m, "db", probe(100, 1));
    let mut w = World::default();
    w.probe_hangs.insert("db");
    w.signals.push((120, Signal::SIGTERM));
    assert_eq!(run(vec![db], &mut w), 143);
    assert_eq!(
        w.calls,
        [
            "@0 start db",
            "@100 probe db",
            "@120 kill SIGTERM db",
            "@120 exit db 143",
            // The probe goes with its app, and again as init ends (it is not reaped yet).
            "@120 kill SIGKILL db",
            "@120 kill SIGKILL db",
        ]
    );
}

/// The launch of app `name`, added through the control socket (generation 1).
fn added(name: &str) -> Box<AppLaunch> {
    let mut m = manifest(NetMode::None);
    m.apps[0].spec.name = name.into();
    m.apps[0].generation = 1;
    Box::new(launches(&m).remove(0))
}

fn at(ms: u64, c: Command) -> (u64, Command) {
    (ms, c)
}

/// Runs `m`'s pod with `w`'s script; returns the calls from the first start on (or from the
/// first reply, for a pod that starts empty) and the pod's code.
fn run_pod_of(m: PodManifest, w: &mut World) -> i32 {
    w.timed = true;
    let code = run_pod(w, &m, launches(&m)).unwrap();
    let first = w
        .calls
        .iter()
        .position(|c| c.contains(" start ") || c.contains(" report"))
        .unwrap();
    w.calls.drain(..first);
    code
}

#[test]
fn an_added_app_starts_stops_and_leaves_without_ending_the_pod() {
    let mut m = manifest(NetMode::None);
    m.stop_timeout_secs = 1;
    let mut w = World::default();
    w.commands = vec![
        at(
            10,
            Command::Add {
                id: 1,
                launch: added("db"),
            },
        ),
        at(
            20,
            Command::Start {
                id: 2,
                app: "db".into(),
            },
        ),
        at(
            25,
            Command::Remove {
                id: 3,
                app: "db".into(),
            },
        ),
        at(
            30,
            Command::Stop {
                id: 4,
                app: "db".into(),
                timeout: Duration::from_secs(1),
            },
        ),
        at(
            40,
            Command::Remove {
                id: 5,
                app: "db".into(),
            },
        ),
        at(
            45,
            Command::Start {
                id: 6,
                app: "db".into(),
            },
        ),
    ];
    w.signals.push((50, Signal::SIGTERM));
    let code = run_pod_of(m, &mut w);
    assert_eq!(
        w.calls,
        [
            "@0 start web",
            "@0 ready web",
            "@0 report",
            "@10 reply 1 done",
            "@20 start db",
            "@20 ready db",
            "@20 reply 2 done started db",
            "@25 reply 3 refused: app db is running; stop it first (`liftoff app stop POD db`)",
            "@30 kill SIGTERM db",
            // Stopped on request: its 143 is no failure, and web goes on.
            "@30 exit db 143",
            // What it left in its cgroup goes with it.
            "@30 clear db",
            "@30 reply 4 done exit 143",
            "@40 reply 5 done",
            "@45 reply 6 refused: the pod has no app db (`liftoff app list POD` shows its apps)",
            "@50 kill SIGTERM web",
            "@50 exit web 143",
        ]
    );
    assert_eq!(code, 143);
}

#[test]
fn an_app_stopped_on_request_does_not_fail_the_pod_and_restart_starts_it_anew() {
    let mut m = manifest(NetMode::None);
    let mut db = m.apps[0].clone();
    db.spec.name = "db".into();
    m.apps.push(db);
    m.stop_timeout_secs = 1;
    let mut w = World::default();
    w.ignore_term.insert("db");
    w.commands = vec![
        at(
            10,
            Command::Restart {
                id: 1,
                app: "db".into(),
                timeout: Duration::from_millis(100),
            },
        ),
        at(
            200,
            Command::Stop {
                id: 2,
                app: "web".into(),
                timeout: Duration::from_secs(1),
            },
        ),
    ];
    w.exits.insert("db", (1000, 0));
    let code = run_pod_of(m, &mut w);
    assert_eq!(
        w.calls,
        [
            "@0 start web",
            "@0 ready web",
            "@0 start db",
            "@0 ready db",
            "@0 report",
            "@10 kill SIGTERM db",
            // db ignores SIGTERM: SIGKILL at the request's timeout, then a new run.
            "@110 kill SIGKILL db",
            "@110 exit db 137",
            "@110 clear db",
            "@110 start db",
            "@110 ready db",
            "@110 reply 1 done started db",
            "@200 kill SIGTERM web",
            "@200 exit web 143",
            "@200 clear web",
            "@200 reply 2 done exit 143",
            // The pod ends as its last app does, with no failure from the stopped ones.
            "@1110 exit db 0",
        ]
    );
    assert_eq!(code, 0);
}

#[test]
fn on_failure_restarts_with_a_growing_pause_up_to_its_count() {
    let mut m = manifest(NetMode::None);
    m.apps[0].restart = Some(RestartPolicy {
        when: crate::manifest::RestartWhen::OnFailure,
        max: Some(3),
    });
    let mut w = World::default();
    w.exits.insert("web", (10, 1));
    let code = run_pod_of(m, &mut w);
    assert_eq!(
        w.calls,
        [
            "@0 start web",
            "@0 ready web",
            "@0 report",
            "@10 exit web 1",
            "@10 clear web",
            "@110 start web",
            "@110 ready web",
            "@120 exit web 1 after 1 restarts",
            "@120 clear web",
            "@320 start web",
            "@320 ready web",
            "@330 exit web 1 after 2 restarts",
            "@330 clear web",
            "@730 start web",
            "@730 ready web",
            "@740 exit web 1 after 3 restarts",
        ]
    );
    assert_eq!(code, 1);
    // An exit with 0 is not restarted on-failure; `always` restarts it until the pod stops.
    let mut m = manifest(NetMode::None);
    m.apps[0].restart = Some(RestartPolicy {
        when: crate::manifest::RestartWhen::Always,
        max: None,
    });
    let mut w = World::default();
    w.exits.insert("web", (10, 0));
    w.signals.push((150, Signal::SIGTERM));
    assert_eq!(run_pod_of(m, &mut w), 0);
    assert_eq!(
        w.calls[3..],
        [
            "@10 exit web 0",
            "@10 clear web",
            "@110 start web",
            "@110 ready web",
            "@120 exit web 0 after 1 restarts",
            "@120 clear web",
            // A stop calls off the restart that was due at 320.
            "@150 kill SIGTERM ",
        ]
    );
}

#[test]
fn a_sandbox_stays_up_without_apps_and_its_apps_never_end_it() {
    let mut m = manifest(NetMode::None);
    m.sandbox = true;
    m.apps.clear();
    let mut w = World::default();
    w.exits.insert("db", (5, 3));
    w.commands = vec![
        at(
            10,
            Command::Add {
                id: 1,
                launch: added("db"),
            },
        ),
        at(
            20,
            Command::Start {
                id: 2,
                app: "db".into(),
            },
        ),
        at(
            40,
            Command::Start {
                id: 3,
                app: "db".into(),
            },
        ),
    ];
    w.signals.push((100, Signal::SIGTERM));
    let code = run_pod_of(m, &mut w);
    assert_eq!(
        w.calls,
        [
            "@0 report",
            "@10 reply 1 done",
            "@20 start db",
            "@20 ready db",
            "@20 reply 2 done started db",
            "@25 exit db 3",
            "@40 start db",
            "@40 ready db",
            "@40 reply 3 done started db",
            "@45 exit db 3",
            "@100 kill SIGTERM ",
        ]
    );
    assert_eq!(code, 0);
}

#[test]
fn two_restarts_of_one_app_start_it_once() {
    let mut m = manifest(NetMode::None);
    m.stop_timeout_secs = 1;
    let mut w = World::default();
    let restart = |id| Command::Restart {
        id,
        app: "web".into(),
        timeout: Duration::from_secs(1),
    };
    w.ignore_term.insert("web");
    w.commands = vec![at(10, restart(1)), at(20, restart(2))];
    w.signals.push((2000, Signal::SIGKILL));
    w.exits.insert("web", (3000, 0));
    run_pod_of(m, &mut w);
    let starts = w.calls.iter().filter(|c| c.ends_with("start web")).count();
    assert_eq!(starts, 2, "the first run and one restart: {:#?}", w.calls);
    assert!(
        w.calls
            .contains(&"@1010 reply 1 done started web".to_string()),
        "{:#?}",
        w.calls
    );
    assert!(
        w.calls
            .contains(&"@1010 reply 2 done started web".to_string()),
        "{:#?}",
        w.calls
    );
}
