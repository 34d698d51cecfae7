//! The pod's apps from init's first start to the last exit: which app starts when (its `after`
//! dependencies), when each is ready (its probe), and what an exit or a signal decides.
//!
//! Everything here is bookkeeping over [`InitSys`] calls and the [`Event`]s it returns, so the
//! whole policy (order, readiness, retries, timeouts, stop) is unit-tested with a scripted fake:
//! - An app starts once every app it waits for is there: started, ready (its probe passed once)
//!   or completed (exited with status 0). Apps start in manifest order among those that may.
//! - A probe runs every `interval` (`start_interval` during `start_period`, whose failures do not
//!   count) until it passes once; a run longer than `timeout` is killed and fails. `retries`
//!   counted failures make the app fail: it is recorded as not ready and the pod stops.
//! - The pod counts as ready (the supervisor's ready mark, `run -d`, READY=1) once no app waits
//!   and every running app is ready.
//! - An app that fails, or a dependency that can no longer be met (it ended before it was ready),
//!   stops the pod: running apps get SIGTERM, then SIGKILL after the stop timeout, and the apps
//!   still waiting never start. So does SIGTERM, SIGINT or SIGQUIT from outside.

use crate::init::{AppLaunch, InitError, InitSys, StartError};
use crate::manifest::{Dependency, PodManifest, ReadyCheck, ReadyProbe, Until};
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use std::time::{Duration, Instant};

/// What init's wait returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A child ended: an app, a probe, or an orphan the pod's pid 1 inherited.
    Exited {
        pid: Pid,
        code: i32,
        signal: Option<i32>,
    },
    /// A signal for the pod arrived.
    Signal(Signal),
}

/// How one probe run ended, as [`InitSys::probe_result`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    Passed,
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Running {
        pid: Pid,
        ready: bool,
    },
    Exited {
        code: i32,
        was_ready: bool,
    },
    /// Never started: the pod stopped first, or it could not start.
    NotStarted,
}

/// One probe run in flight.
#[derive(Debug)]
struct InFlight {
    pid: Pid,
    started: Instant,
    deadline: Option<Instant>,
    timed_out: bool,
}

struct Entry {
    name: String,
    after: Vec<Dependency>,
    probe: Option<ReadyProbe>,
    launch: Option<AppLaunch>,
    state: State,
    started_at: Option<Instant>,
    failures: u32,
    next_probe: Option<Instant>,
    in_flight: Option<InFlight>,
    /// Why the app failed while it still runs (not ready): goes into its exit record.
    error: Option<String>,
}

/// The apps of the pod and what their exits decide.
pub struct Schedule {
    entries: Vec<Entry>,
    /// App name → index in `entries`.
    by_name: std::collections::HashMap<String, usize>,
    /// The first app that failed (or did not start), with its code.
    failed: Option<(i32, String)>,
    last: Option<(i32, String)>,
    /// --exit-code-from: that app's code, once it has ended, is the pod's.
    decided: Option<(i32, String)>,
    exit_code_from: Option<String>,
    kill_at: Option<Instant>,
    timeout: Duration,
    stopping: bool,
    reported: bool,
}

impl Schedule {
    /// The pod's apps, each with its launch (in manifest order).
    pub fn new(m: &PodManifest, launches: Vec<AppLaunch>) -> Schedule {
        let entries = launches
            .into_iter()
            .map(|l| Entry {
                name: l.app.spec.name.clone(),
                after: l.app.after.clone(),
                probe: l.app.ready.clone(),
                launch: Some(l),
                state: State::Waiting,
                started_at: None,
                failures: 0,
                next_probe: None,
                in_flight: None,
                error: None,
            })
            .collect::<Vec<Entry>>();
        let by_name = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.clone(), i))
            .collect();
        Schedule {
            entries,
            by_name,
            failed: None,
            last: None,
            decided: None,
            exit_code_from: m.exit_code_from.clone(),
            kill_at: None,
            timeout: m.stop_timeout(),
            stopping: false,
            reported: false,
        }
    }

    /// The pod's exit code: the `exit_code_from` app's, else the first failure's, else the last
    /// app's.
    pub fn code(&self) -> i32 {
        let pick = self.decided.as_ref().or(self.failed.as_ref());
        pick.or(self.last.as_ref()).map(|(c, _)| *c).unwrap_or(0)
    }

    /// Starts, probes, reaps and stops until no app runs and none will start.
    pub fn run<S: InitSys>(&mut self, s: &mut S) -> Result<(), InitError> {
        loop {
            self.start_due(s);
            self.fail_blocked(s);
            self.report_if_ready(s);
            let running = self
                .entries
                .iter()
                .any(|e| matches!(e.state, State::Running { .. }));
            let waiting = self.entries.iter().any(|e| e.state == State::Waiting);
            if !running && (!waiting || self.stopping) {
                break;
            }
            self.timers(s);
            let deadline = self.next_deadline();
            for ev in s.wait(deadline)? {
                self.handle(s, ev);
            }
        }
        // Probes still running (of apps that are gone) go too; their pid 1 is about to end.
        let probes: Vec<Pid> = self
            .entries
            .iter()
            .filter_map(|e| e.in_flight.as_ref().map(|f| f.pid))
            .collect();
        if !probes.is_empty() {
            s.kill(&probes, Signal::SIGKILL);
        }
        for e in &mut self.entries {
            if e.state == State::Waiting {
                e.state = State::NotStarted;
            }
        }
        Ok(())
    }

    /// The app named `name`, by the index built once: a dependency check stays cheap however many
    /// apps the pod has.
    fn entry(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }

    fn satisfied(&self, d: &Dependency) -> bool {
        let Some(dep) = self.entry(&d.app) else {
            return false;
        };
        match (d.until, dep.state) {
            (Until::Started, State::Running { .. } | State::Exited { .. }) => true,
            (Until::Ready, State::Running { ready: true, .. }) => true,
            (Until::Ready, State::Exited { was_ready, .. }) => was_ready,
            (Until::Completed, State::Exited { code: 0, .. }) => true,
            _ => false,
        }
    }

    /// Why `d` can no longer be met, if it cannot.
    fn unreachable(&self, d: &Dependency) -> Option<String> {
        let dep = self.entry(&d.app)?;
        match (d.until, dep.state) {
            (_, State::NotStarted) => Some(format!("app {} never started", d.app)),
            (
                Until::Ready,
                State::Exited {
                    code,
                    was_ready: false,
                },
            ) => Some(format!(
                "app {} ended (exit status {code}) before it was ready",
                d.app
            )),
            (Until::Completed, State::Exited { code, .. }) if code != 0 => Some(format!(
                "app {} ended with exit status {code}, not 0",
                d.app
            )),
            _ => None,
        }
    }

    /// Starts every waiting app whose dependencies are met, in manifest order, until none more can
    /// (an app without a probe is ready as it starts, which may let the next one go).
    fn start_due<S: InitSys>(&mut self, s: &mut S) {
        let mut progress = true;
        while progress && !self.stopping {
            progress = false;
            for i in 0..self.entries.len() {
                let e = &self.entries[i];
                if e.state != State::Waiting || !e.after.iter().all(|d| self.satisfied(d)) {
                    continue;
                }
                self.start(s, i);
                progress = true;
                if self.stopping {
                    break;
                }
            }
        }
    }

    fn start<S: InitSys>(&mut self, s: &mut S, i: usize) {
        let now = s.now();
        let e = &mut self.entries[i];
        let launch = e.launch.take().expect("a waiting app has its launch");
        match s.start_app(launch) {
            Ok(pid) => {
                e.state = State::Running {
                    pid,
                    ready: e.probe.is_none(),
                };
                e.started_at = Some(now);
                if let Some(p) = &e.probe {
                    e.next_probe = Some(now + interval(p, Duration::ZERO));
                } else {
                    s.app_ready(&e.name);
                }
            }
            Err(err) => {
                e.state = State::NotStarted;
                let name = e.name.clone();
                s.app_failed(&name, &err);
                self.failed.get_or_insert((254, name));
                // As before start order existed: what runs is killed at once.
                self.stopping = true;
                let running = self.running_pids();
                if !running.is_empty() {
                    s.kill(&running, Signal::SIGKILL);
                }
            }
        }
    }

    /// Waiting apps whose dependencies can no longer be met make the pod fail.
    fn fail_blocked<S: InitSys>(&mut self, s: &mut S) {
        if self.stopping {
            return;
        }
        for i in 0..self.entries.len() {
            let e = &self.entries[i];
            if e.state != State::Waiting {
                continue;
            }
            let Some(why) = e.after.iter().find_map(|d| self.unreachable(d)) else {
                continue;
            };
            let name = e.name.clone();
            self.entries[i].state = State::NotStarted;
            let err = StartError::Blocked(format!("app {name}: not started: {why}"));
            s.app_failed(&name, &err);
            self.failed.get_or_insert((254, name));
            self.begin_stop(s);
            return;
        }
    }

    fn report_if_ready<S: InitSys>(&mut self, s: &mut S) {
        if self.reported || self.stopping {
            return;
        }
        let ready = self.entries.iter().all(|e| match e.state {
            State::Running { ready, .. } => ready,
            State::Exited { .. } => true,
            State::Waiting | State::NotStarted => false,
        });
        if ready {
            self.reported = true;
            s.report_started();
        }
    }

    fn running_pids(&self) -> Vec<Pid> {
        self.entries
            .iter()
            .filter_map(|e| match e.state {
                State::Running { pid, .. } => Some(pid),
                _ => None,
            })
            .collect()
    }

    /// SIGTERM to what runs, SIGKILL after the stop timeout; nothing more starts.
    fn begin_stop<S: InitSys>(&mut self, s: &mut S) {
        self.stopping = true;
        let running = self.running_pids();
        if !running.is_empty() {
            s.kill(&running, Signal::SIGTERM);
        }
        if self.kill_at.is_none() {
            self.kill_at = Some(s.now() + self.timeout);
        }
    }

    /// The stop timeout, probe timeouts, and probes that are due.
    fn timers<S: InitSys>(&mut self, s: &mut S) {
        let now = s.now();
        if self.kill_at.is_some_and(|t| t <= now) {
            let running = self.running_pids();
            s.kill(&running, Signal::SIGKILL);
            self.kill_at = None;
        }
        for i in 0..self.entries.len() {
            let e = &mut self.entries[i];
            let State::Running { pid, ready: false } = e.state else {
                continue;
            };
            if let Some(f) = &mut e.in_flight {
                if f.deadline.is_some_and(|d| d <= now) {
                    s.kill(&[f.pid], Signal::SIGKILL);
                    f.deadline = None;
                    f.timed_out = true;
                }
                continue;
            }
            if self.stopping || e.next_probe.is_none_or(|t| t > now) {
                continue;
            }
            let p = e.probe.as_ref().expect("an unready app has a probe");
            e.next_probe = None;
            match s.start_probe(&e.name, p, pid) {
                Ok(probe) => {
                    e.in_flight = Some(InFlight {
                        pid: probe,
                        started: now,
                        deadline: Some(now + Duration::from_millis(p.timeout_ms)),
                        timed_out: false,
                    })
                }
                Err(err) => self.probe_done(s, i, ProbeOutcome::Failed(err.to_string())),
            }
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        let probes = self
            .entries
            .iter()
            .filter_map(|e| match (&e.in_flight, e.state) {
                (Some(f), _) => f.deadline,
                (None, State::Running { ready: false, .. }) if !self.stopping => e.next_probe,
                _ => None,
            });
        probes.chain(self.kill_at).min()
    }

    fn handle<S: InitSys>(&mut self, s: &mut S, ev: Event) {
        match ev {
            Event::Signal(sig) => {
                let running = self.running_pids();
                s.kill(&running, sig);
                if matches!(sig, Signal::SIGTERM | Signal::SIGINT | Signal::SIGQUIT) {
                    self.stopping = true;
                    if self.kill_at.is_none() {
                        self.kill_at = Some(s.now() + self.timeout);
                    }
                }
            }
            Event::Exited { pid, code, signal } => {
                if let Some(i) = self
                    .entries
                    .iter()
                    .position(|e| e.in_flight.as_ref().is_some_and(|f| f.pid == pid))
                {
                    let f = self.entries[i].in_flight.take().expect("found");
                    // Asked even after a timeout: it forgets the run.
                    let outcome = s.probe_outcome(&self.entries[i].name, f.pid, code);
                    let outcome = match f.timed_out {
                        true => ProbeOutcome::Failed(format!(
                            "timed out after {}",
                            liftoff_common::units::format_duration(
                                s.now().saturating_duration_since(f.started)
                            )
                        )),
                        false => outcome,
                    };
                    return self.probe_done(s, i, outcome);
                }
                let Some(i) = self
                    .entries
                    .iter()
                    .position(|e| matches!(e.state, State::Running { pid: p, .. } if p == pid))
                else {
                    return; // an orphan
                };
                self.app_exited(s, i, code, signal);
            }
        }
    }

    fn app_exited<S: InitSys>(&mut self, s: &mut S, i: usize, code: i32, signal: Option<i32>) {
        let e = &mut self.entries[i];
        let was_ready = matches!(e.state, State::Running { ready: true, .. });
        e.state = State::Exited { code, was_ready };
        let name = e.name.clone();
        s.app_exited(&name, code, signal, e.error.as_deref());
        if let Some(f) = &mut e.in_flight {
            s.kill(&[f.pid], Signal::SIGKILL);
            // Killed: nothing more to time (a past deadline would make every wait return at once).
            f.deadline = None;
        }
        let decides = self.exit_code_from.as_ref() == Some(&name);
        if decides {
            self.decided = Some((code, name.clone()));
        }
        if decides || (code != 0 && self.failed.is_none()) {
            self.begin_stop(s);
        }
        if code != 0 && self.failed.is_none() {
            self.failed = Some((code, name.clone()));
        }
        self.last = Some((code, name));
    }

    /// One probe run's result: ready, another try later, or out of tries.
    fn probe_done<S: InitSys>(&mut self, s: &mut S, i: usize, outcome: ProbeOutcome) {
        let now = s.now();
        let stopping = self.stopping;
        let e = &mut self.entries[i];
        let State::Running { pid, ready: false } = e.state else {
            return;
        };
        let p = e.probe.as_ref().expect("a probed app has a probe");
        let since = now.saturating_duration_since(e.started_at.unwrap_or(now));
        let msg = match outcome {
            ProbeOutcome::Passed => {
                e.state = State::Running { pid, ready: true };
                s.app_ready(&e.name);
                return;
            }
            ProbeOutcome::Failed(m) => m,
        };
        // Once the pod stops, a failed run says nothing about the app: it is being stopped.
        if stopping {
            return;
        }
        let in_start_period = since < Duration::from_millis(p.start_period_ms);
        if !in_start_period {
            e.failures += 1;
        }
        if e.failures < p.retries {
            e.next_probe = Some(now + interval(p, since));
            return;
        }
        let times = match e.failures {
            1 => "once".to_string(),
            n => format!("{n} times in a row"),
        };
        let error = format!(
            "app {}: not ready: its probe ({}) failed {times}; last: {msg}",
            e.name,
            describe(&p.check),
        );
        liftoff_stage2::error!("{error}");
        e.error = Some(error);
        let name = e.name.clone();
        self.failed.get_or_insert((254, name));
        self.begin_stop(s);
    }
}

/// The wait before the next probe of an app that started `since` ago.
fn interval(p: &ReadyProbe, since: Duration) -> Duration {
    let start = match p.start_interval_ms {
        0 => p.interval_ms,
        v => v,
    };
    match since < Duration::from_millis(p.start_period_ms) {
        true => Duration::from_millis(start),
        false => Duration::from_millis(p.interval_ms),
    }
}

/// The probe as a user wrote it, for messages.
pub fn describe(c: &ReadyCheck) -> String {
    match c {
        ReadyCheck::Tcp { addr } => format!("tcp {addr}"),
        ReadyCheck::Exec { argv } => {
            let shown: Vec<String> = argv
                .iter()
                .map(|a| liftoff_stage2::report::shown(a).into_owned())
                .collect();
            format!("exec {}", shown.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::run_pod;
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
}
