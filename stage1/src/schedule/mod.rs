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
//! - Only the apps stage0 wrote, in a pod that is not a sandbox, decide the pod's end and code
//!   ("decisive" apps). Apps added through the control socket, every app of a sandbox, and any
//!   app stopped on request exit without ending or failing the pod. A sandbox ends only when it
//!   is stopped.
//! - An app with a restart policy that exits on its own is started again after a pause that
//!   doubles from 100 ms up to 10 s (back to 100 ms after a run of 10 s or more); while that
//!   restart is due the pod does not end. The control socket's requests are in [`commands`].

mod commands;
#[cfg(test)]
mod tests;

pub use commands::Command;

use crate::init::{AppLaunch, InitError, InitSys, StartError};
use crate::init_channel::Reply;
use crate::manifest::{Dependency, PodManifest, ReadyCheck, ReadyProbe, RestartPolicy, Until};
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use std::time::{Duration, Instant};

/// What init's wait returns.
pub enum Event {
    /// A child ended: an app, a probe, or an orphan the pod's pid 1 inherited.
    Exited {
        pid: Pid,
        code: i32,
        signal: Option<i32>,
    },
    /// A signal for the pod arrived.
    Signal(Signal),
    /// The supervisor asks something of an app (the control socket).
    Command(Command),
}

/// Which start of an app a record is about: its count of starts and of policy restarts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunNo {
    pub run: u32,
    pub restarts: u32,
}

/// How one probe run ended, as [`InitSys::probe_result`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    Passed,
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Added through the control socket; starts when asked.
    Created,
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
    /// Its exit ends or fails the pod (see the module doc).
    decisive: bool,
    restart: Option<RestartPolicy>,
    runs: u32,
    restarts: u32,
    /// Quick exits in a row, for the restart back-off.
    backoff: u32,
    restart_at: Option<Instant>,
    /// A stop on request: SIGKILL at this time.
    stop_at: Option<Instant>,
    /// The current run is being stopped on request: its exit is no failure and no restart.
    stop_asked: bool,
    /// Requests answered when the current run exits.
    waiters: Vec<(u64, AfterExit)>,
}

/// What a request waiting for an app's exit does then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterExit {
    /// Answer with the exit code (`stop`).
    Reply,
    /// Start the app again and answer with its pid (`restart`).
    Start,
}

impl Entry {
    fn new(l: AppLaunch, decisive: bool, state: State) -> Entry {
        Entry {
            name: l.app.spec.name.clone(),
            after: l.app.after.clone(),
            probe: l.app.ready.clone(),
            restart: l.app.restart,
            launch: Some(l),
            state,
            started_at: None,
            failures: 0,
            next_probe: None,
            in_flight: None,
            error: None,
            decisive,
            runs: 0,
            restarts: 0,
            backoff: 0,
            restart_at: None,
            stop_at: None,
            stop_asked: false,
            waiters: Vec::new(),
        }
    }

    fn run_no(&self) -> RunNo {
        RunNo {
            run: self.runs,
            restarts: self.restarts,
        }
    }

    fn running(&self) -> Option<Pid> {
        match self.state {
            State::Running { pid, .. } => Some(pid),
            _ => None,
        }
    }
}

/// The pause before restart number `backoff` (1 = the first after a quick exit).
fn backoff_delay(backoff: u32) -> Duration {
    let ms = 100u64 << backoff.saturating_sub(1).min(7);
    Duration::from_millis(ms.min(10_000))
}

/// A run at least this long resets the back-off.
const STEADY_RUN: Duration = Duration::from_secs(10);

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
    /// `run --sandbox`: only a stop ends the pod.
    sandbox: bool,
}

impl Schedule {
    /// The pod's apps, each with its launch (in manifest order).
    pub fn new(m: &PodManifest, launches: Vec<AppLaunch>) -> Schedule {
        let entries = launches
            .into_iter()
            .map(|l| {
                let decisive = !m.sandbox && l.app.generation == 0;
                Entry::new(l, decisive, State::Waiting)
            })
            .collect::<Vec<Entry>>();
        let mut s = Schedule {
            entries,
            by_name: Default::default(),
            failed: None,
            last: None,
            decided: None,
            exit_code_from: m.exit_code_from.clone(),
            kill_at: None,
            timeout: m.stop_timeout(),
            stopping: false,
            reported: false,
            sandbox: m.sandbox,
        };
        s.index();
        s
    }

    /// Rebuilds the index by name (after an app joined or left).
    fn index(&mut self) {
        self.by_name = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.clone(), i))
            .collect();
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
            let restarting = self.entries.iter().any(|e| e.restart_at.is_some());
            let sandbox_up = self.sandbox && !self.stopping;
            if !running && !restarting && !sandbox_up && (!waiting || self.stopping) {
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
                let _ = self.start(s, i);
                progress = true;
                if self.stopping {
                    break;
                }
            }
        }
    }

    /// Starts app `i` (one more run of it); returns its pid or why it did not start.
    fn start<S: InitSys>(&mut self, s: &mut S, i: usize) -> Result<Pid, StartError> {
        let now = s.now();
        let e = &mut self.entries[i];
        e.runs += 1;
        e.error = None;
        e.failures = 0;
        e.stop_asked = false;
        e.restart_at = None;
        let run = e.run_no();
        let launch = e.launch.as_mut().expect("an app has its launch").for_run();
        match launch.and_then(|l| s.start_app(l)) {
            Ok(pid) => {
                e.state = State::Running {
                    pid,
                    ready: e.probe.is_none(),
                };
                e.started_at = Some(now);
                s.app_started(&e.name, run, pid);
                if let Some(p) = &e.probe {
                    e.next_probe = Some(now + interval(p, Duration::ZERO));
                } else {
                    s.app_ready(&e.name);
                }
                Ok(pid)
            }
            Err(err) => {
                let name = e.name.clone();
                s.app_failed(&name, &err, run);
                if !e.decisive {
                    // As an exit with liftoff's code: its restart policy may try again.
                    e.state = State::Exited {
                        code: 254,
                        was_ready: false,
                    };
                    e.started_at = Some(now);
                    self.after_exit(s, i, 254);
                    return Err(err);
                }
                e.state = State::NotStarted;
                self.failed.get_or_insert((254, name));
                // As before start order existed: what runs is killed at once.
                self.stopping = true;
                let running = self.running_pids();
                if !running.is_empty() {
                    s.kill(&running, Signal::SIGKILL);
                }
                Err(err)
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
            s.app_failed(&name, &err, self.entries[i].run_no());
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
            State::Exited { .. } | State::Created => true,
            State::Waiting | State::NotStarted => false,
        });
        if ready {
            self.reported = true;
            s.report_started();
        }
    }

    fn running_pids(&self) -> Vec<Pid> {
        self.entries.iter().filter_map(Entry::running).collect()
    }

    /// SIGTERM to what runs, SIGKILL after the stop timeout; nothing more starts.
    fn begin_stop<S: InitSys>(&mut self, s: &mut S) {
        self.stopping = true;
        for e in &mut self.entries {
            e.restart_at = None;
        }
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
        self.app_timers(s, now);
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
        let apps = self.entries.iter().flat_map(|e| {
            let restart = e.restart_at.filter(|_| !self.stopping);
            [e.stop_at.filter(|_| e.running().is_some()), restart]
        });
        probes.chain(apps.flatten()).chain(self.kill_at).min()
    }

    fn handle<S: InitSys>(&mut self, s: &mut S, ev: Event) {
        match ev {
            Event::Signal(sig) => {
                let running = self.running_pids();
                s.kill(&running, sig);
                if matches!(sig, Signal::SIGTERM | Signal::SIGINT | Signal::SIGQUIT) {
                    self.stopping = true;
                    for e in &mut self.entries {
                        e.restart_at = None;
                    }
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
            Event::Command(c) => self.command(s, c),
        }
    }

    fn app_exited<S: InitSys>(&mut self, s: &mut S, i: usize, code: i32, signal: Option<i32>) {
        let e = &mut self.entries[i];
        let was_ready = matches!(e.state, State::Running { ready: true, .. });
        e.state = State::Exited { code, was_ready };
        e.stop_at = None;
        let name = e.name.clone();
        s.app_exited(&name, code, signal, e.error.as_deref(), e.run_no());
        if let Some(f) = &mut e.in_flight {
            s.kill(&[f.pid], Signal::SIGKILL);
            // Killed: nothing more to time (a past deadline would make every wait return at once).
            f.deadline = None;
        }
        if !e.decisive || e.stop_asked {
            self.after_exit(s, i, code);
            return;
        }
        if self.after_exit(s, i, code) {
            return;
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

    /// What follows an exit of app `i` besides the pod's fate: its restart policy (returns true
    /// when a restart is due: the exit decides nothing), then the requests that waited for it.
    fn after_exit<S: InitSys>(&mut self, s: &mut S, i: usize, code: i32) -> bool {
        let now = s.now();
        let stopping = self.stopping;
        let e = &mut self.entries[i];
        let waiters = std::mem::take(&mut e.waiters);
        let policy = e.restart.filter(|p| p.restarts(code, e.restarts));
        let restart = policy.is_some() && !stopping && !e.stop_asked;
        // What the run left behind goes with it when it was stopped or is to start anew (the
        // pod's end takes it otherwise).
        if restart || e.stop_asked {
            if let Some(l) = &e.launch {
                s.clear_app(l);
            }
        }
        if restart {
            let ran = now.saturating_duration_since(e.started_at.unwrap_or(now));
            e.backoff = match ran >= STEADY_RUN {
                true => 1,
                false => e.backoff + 1,
            };
            e.restart_at = Some(now + backoff_delay(e.backoff));
            return true;
        }
        // Stops are answered first; a stop asked meanwhile wins over restarts, and several
        // restarts start the app once (each is answered with that one start).
        let stopped = waiters.iter().any(|(_, t)| *t == AfterExit::Reply);
        let mut started: Option<Reply> = None;
        for (id, _) in waiters.iter().filter(|(_, t)| *t == AfterExit::Reply) {
            let done = Reply::Done {
                pid: None,
                run: None,
                exit_code: Some(code),
            };
            s.reply(*id, done);
        }
        for (id, _) in waiters.iter().filter(|(_, t)| *t == AfterExit::Start) {
            let reply = match (stopped, &started) {
                (true, _) => Reply::refused(
                    liftoff_contract::control::RefusalKind::State,
                    format!(
                        "app {}: a stop asked at the same time came first",
                        self.entries[i].name
                    ),
                ),
                (false, Some(r)) => r.clone(),
                (false, None) => {
                    let r = self.start_reply(s, i);
                    started = Some(r.clone());
                    r
                }
            };
            s.reply(*id, reply);
        }
        false
    }

    /// One probe run's result: ready, another try later, or out of tries.
    fn probe_done<S: InitSys>(&mut self, s: &mut S, i: usize, outcome: ProbeOutcome) {
        let now = s.now();
        let stopping = self.stopping;
        let timeout = self.timeout;
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
        if !e.decisive {
            // Only this app goes, as on a stop request (but its restart policy applies).
            s.kill(&[pid], Signal::SIGTERM);
            e.stop_at = Some(now + timeout);
            return;
        }
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
