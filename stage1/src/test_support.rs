//! Values the unit tests of several modules share, and [`World`]: a scripted pod init for the
//! tests of init's steps and of the app schedule, with its own clock.

use crate::init::{AppLaunch, InitError, InitSys, StartError};
use crate::init_channel::Reply;
use crate::manifest::{NetMode, PodManifest, ReadyProbe};
use crate::schedule::{Command, Event, ProbeOutcome, RunNo};
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

/// A one-app pod (app `web`, read-only root) on `net`: the contract's test pod.
pub fn manifest(net: NetMode) -> PodManifest {
    let mut m = liftoff_contract::testing::manifest(net);
    m.apps[0].read_only = true;
    m
}

/// The launches of `m`'s apps, with nothing behind them.
pub fn launches(m: &PodManifest) -> Vec<AppLaunch> {
    m.apps
        .iter()
        .map(|a| AppLaunch {
            app: a.clone(),
            dirs: crate::app_root::AppDirs::new(std::path::Path::new("/nonexistent"), &a.spec.name),
            stdio: [None, None, None],
            console: None,
            filter: None,
            cgroup: None,
            console_used: false,
        })
        .collect()
}

/// What the scripted apps and probes do. Every call is recorded in `calls` as text ("start db",
/// "probe db", "ready db", "kill SIGTERM php,db", "exit db 0", "report", "failed php: …"), with
/// the clock's milliseconds where the test asks for them (`timed`).
pub struct World {
    pub calls: Vec<String>,
    /// Record "@MS " before each call.
    pub timed: bool,
    /// Apps that fail to start.
    pub fail_start: HashSet<&'static str>,
    /// App → milliseconds after its start at which it exits, and with which code.
    pub exits: HashMap<&'static str, (u64, i32)>,
    /// App → milliseconds after its start from which its probe passes (never, when absent).
    pub ready_after: HashMap<&'static str, u64>,
    /// Apps whose probe never answers (each run times out).
    pub probe_hangs: HashSet<&'static str>,
    /// Apps that ignore SIGTERM.
    pub ignore_term: HashSet<&'static str>,
    /// Signals that arrive from outside: at millisecond, which.
    pub signals: Vec<(u64, Signal)>,
    /// Control requests that arrive: at millisecond, which.
    pub commands: Vec<(u64, Command)>,
    /// App → its exits run by run (milliseconds after that start, code); once used up, `exits`.
    pub runs: HashMap<&'static str, Vec<(u64, i32)>>,
    start: Instant,
    now: Duration,
    next_pid: i32,
    apps: HashMap<Pid, (&'static str, Duration)>,
    probes: HashMap<Pid, &'static str>,
    /// Every pid ever handed out, with its app's name (kept after the exit).
    names: HashMap<Pid, &'static str>,
    /// Scheduled exits: time → (pid, code, signal).
    due: BTreeMap<(Duration, i32), (Pid, i32, Option<i32>)>,
}

impl Default for World {
    fn default() -> World {
        World {
            calls: Vec::new(),
            timed: false,
            fail_start: HashSet::new(),
            exits: HashMap::new(),
            ready_after: HashMap::new(),
            probe_hangs: HashSet::new(),
            ignore_term: HashSet::new(),
            signals: Vec::new(),
            commands: Vec::new(),
            runs: HashMap::new(),
            start: Instant::now(),
            now: Duration::ZERO,
            next_pid: 100,
            apps: HashMap::new(),
            probes: HashMap::new(),
            names: HashMap::new(),
            due: BTreeMap::new(),
        }
    }
}

impl World {
    fn note(&mut self, s: String) {
        let s = match self.timed {
            true => format!("@{} {s}", self.now.as_millis()),
            false => s,
        };
        self.calls.push(s);
    }

    fn pid(&mut self) -> Pid {
        self.next_pid += 1;
        Pid::from_raw(self.next_pid)
    }

    fn schedule(&mut self, at: Duration, pid: Pid, code: i32, signal: Option<i32>) {
        self.due.retain(|_, (p, _, _)| *p != pid);
        self.due.insert((at, pid.as_raw()), (pid, code, signal));
    }

    fn name_of(&self, pid: Pid) -> Option<&'static str> {
        self.names.get(&pid).copied()
    }

    /// The app's name as the static string the script uses.
    fn intern(&self, app: &str) -> &'static str {
        ["web", "db", "cache", "php", "mig", "nginx"]
            .into_iter()
            .find(|n| *n == app)
            .expect("test apps have known names")
    }
}

impl InitSys for World {
    fn wait_for_go(&mut self) -> Result<(), InitError> {
        self.note("wait_for_go".into());
        Ok(())
    }
    fn make_mounts_private(&mut self) -> Result<(), InitError> {
        self.note("make_mounts_private".into());
        Ok(())
    }
    fn set_hostname(&mut self, name: &str) -> Result<(), InitError> {
        self.note(format!("set_hostname {name}"));
        Ok(())
    }
    fn mount_proc(&mut self) -> Result<(), InitError> {
        self.note("mount_proc".into());
        Ok(())
    }
    fn network(&mut self) -> Result<(), InitError> {
        self.note("network".into());
        Ok(())
    }
    fn signals(&mut self) -> Result<(), InitError> {
        self.note("signals".into());
        Ok(())
    }
    fn keep_probe_target(&mut self, launch: &AppLaunch) {
        self.note(format!("keep_probe_target {}", launch.app.spec.name));
    }
    fn start_app(&mut self, launch: AppLaunch) -> Result<Pid, StartError> {
        let name = self.intern(&launch.app.spec.name);
        self.note(format!("start {name}"));
        if self.fail_start.contains(name) {
            return Err(StartError::Child(format!("app {name}: no")));
        }
        let pid = self.pid();
        self.names.insert(pid, name);
        self.apps.insert(pid, (name, self.now));
        let scripted = self.runs.get_mut(name).filter(|r| !r.is_empty());
        let next = scripted.map(|r| r.remove(0));
        if let Some((after, code)) = next.or_else(|| self.exits.get(name).copied()) {
            self.schedule(self.now + Duration::from_millis(after), pid, code, None);
        }
        Ok(pid)
    }
    fn app_started(&mut self, _: &str, _: RunNo, _: Pid) {}
    fn app_failed(&mut self, app: &str, e: &StartError, _: RunNo) {
        self.note(format!("failed {app}: {e}"));
    }
    fn app_exited(
        &mut self,
        app: &str,
        code: i32,
        _: Option<i32>,
        error: Option<&str>,
        run: RunNo,
    ) {
        let restarts = match run.restarts {
            0 => String::new(),
            n => format!(" after {n} restarts"),
        };
        match error {
            Some(e) => self.note(format!("exit {app} {code} ({e}){restarts}")),
            None => self.note(format!("exit {app} {code}{restarts}")),
        }
    }
    fn clear_app(&mut self, launch: &AppLaunch) {
        let name = self.intern(&launch.app.spec.name);
        self.note(format!("clear {name}"));
    }
    fn reply(&mut self, id: u64, reply: Reply) {
        let text = match reply {
            Reply::Done { pid, exit_code, .. } => {
                let pid = pid.and_then(|p| self.name_of(Pid::from_raw(p)));
                let mut t = "done".to_string();
                if let Some(n) = pid {
                    t += &format!(" started {n}");
                }
                if let Some(c) = exit_code {
                    t += &format!(" exit {c}");
                }
                t
            }
            Reply::Refused { message, .. } => format!("refused: {message}"),
        };
        self.note(format!("reply {id} {text}"));
    }
    fn app_ready(&mut self, app: &str) {
        self.note(format!("ready {app}"));
    }
    fn start_probe(
        &mut self,
        app: &str,
        _: &ReadyProbe,
        app_pid: Pid,
    ) -> Result<Pid, crate::probe::ProbeError> {
        let name = self.intern(app);
        self.note(format!("probe {name}"));
        let pid = self.pid();
        self.names.insert(pid, name);
        self.probes.insert(pid, name);
        if self.probe_hangs.contains(name) {
            return Ok(pid);
        }
        let started = self.apps.get(&app_pid).map(|(_, t)| *t).unwrap_or_default();
        let passes = self
            .ready_after
            .get(name)
            .is_some_and(|ms| self.now >= started + Duration::from_millis(*ms));
        self.schedule(self.now, pid, if passes { 0 } else { 1 }, None);
        Ok(pid)
    }
    fn probe_outcome(&mut self, _: &str, probe: Pid, code: i32) -> ProbeOutcome {
        self.probes.remove(&probe);
        match code {
            0 => ProbeOutcome::Passed,
            c => ProbeOutcome::Failed(format!("exit status {c}")),
        }
    }
    fn kill(&mut self, pids: &[Pid], sig: Signal) {
        let names: Vec<&str> = pids.iter().filter_map(|p| self.name_of(*p)).collect();
        self.note(format!("kill {} {}", sig.as_str(), names.join(",")));
        for pid in pids {
            let name = self.name_of(*pid);
            let ignores = name
                .is_some_and(|n| self.ignore_term.contains(n) && !self.probes.contains_key(pid));
            match sig {
                Signal::SIGKILL => self.schedule(self.now, *pid, 137, Some(9)),
                Signal::SIGTERM if !ignores => self.schedule(self.now, *pid, 143, Some(15)),
                _ => {}
            }
        }
    }
    fn report_started(&mut self) {
        self.note("report".into());
    }
    fn now(&self) -> Instant {
        self.start + self.now
    }
    fn wait(&mut self, deadline: Option<Instant>) -> Result<Vec<Event>, InitError> {
        let next_exit = self.due.keys().next().map(|(t, _)| *t);
        let next_signal = self
            .signals
            .first()
            .map(|(ms, _)| Duration::from_millis(*ms));
        let next_command = self
            .commands
            .first()
            .map(|(ms, _)| Duration::from_millis(*ms));
        let deadline = deadline.map(|d| d.saturating_duration_since(self.start));
        let next = [next_exit, next_signal, next_command, deadline]
            .into_iter()
            .flatten()
            .min();
        let Some(next) = next else {
            panic!("init would wait forever; calls so far: {:#?}", self.calls);
        };
        assert!(
            next < Duration::from_secs(3600),
            "runaway clock: {:#?}",
            self.calls
        );
        self.now = self.now.max(next);
        let mut events = Vec::new();
        while let Some((&(t, p), _)) = self.due.iter().next() {
            if t > self.now {
                break;
            }
            let (pid, code, signal) = self.due.remove(&(t, p)).expect("present");
            if self.apps.remove(&pid).is_some() || self.probes.contains_key(&pid) {
                events.push(Event::Exited { pid, code, signal });
            }
        }
        while self
            .signals
            .first()
            .is_some_and(|(ms, _)| Duration::from_millis(*ms) <= self.now)
        {
            events.push(Event::Signal(self.signals.remove(0).1));
        }
        while self
            .commands
            .first()
            .is_some_and(|(ms, _)| Duration::from_millis(*ms) <= self.now)
        {
            events.push(Event::Command(self.commands.remove(0).1));
        }
        Ok(events)
    }
}
