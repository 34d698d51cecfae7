//! The control socket's requests as init carries them out on the schedule: add, start, stop,
//! restart and remove one app, and the per-app timers (a requested stop's SIGKILL, a policy
//! restart) they and the restart policies set. Every request is answered exactly once through
//! [`InitSys::reply`]: at once, or (stop, restart of a running app) when the app has exited.

use super::{AfterExit, Entry, Schedule, State};
use crate::init::{AppLaunch, InitSys};
use crate::init_channel::Reply;
use liftoff_contract::control::RefusalKind;
use nix::sys::signal::Signal;
use std::time::{Duration, Instant};

/// A request from the supervisor, as init received it.
pub enum Command {
    /// An app joins the pod, created (not started).
    Add {
        id: u64,
        launch: Box<AppLaunch>,
    },
    Start {
        id: u64,
        app: String,
    },
    Stop {
        id: u64,
        app: String,
        timeout: Duration,
    },
    Restart {
        id: u64,
        app: String,
        timeout: Duration,
    },
    Remove {
        id: u64,
        app: String,
    },
}

impl Schedule {
    /// Carries out one request.
    pub(super) fn command<S: InitSys>(&mut self, s: &mut S, c: Command) {
        let (id, reply) = match c {
            Command::Add { id, launch } => (id, self.add(s, *launch)),
            Command::Start { id, app } => (id, self.start_request(s, &app)),
            Command::Stop { id, app, timeout } => match self.stop_request(s, id, &app, timeout) {
                Some(r) => (id, r),
                None => return,
            },
            Command::Restart { id, app, timeout } => {
                match self.restart_request(s, id, &app, timeout) {
                    Some(r) => (id, r),
                    None => return,
                }
            }
            Command::Remove { id, app } => (id, self.remove(&app)),
        };
        s.reply(id, reply);
    }

    fn find(&self, app: &str) -> Result<usize, Reply> {
        self.by_name.get(app).copied().ok_or_else(|| {
            Reply::refused(
                RefusalKind::NotFound,
                format!("the pod has no app {app} (`liftoff app list POD` shows its apps)"),
            )
        })
    }

    fn refuse_if_stopping(&self) -> Result<(), Reply> {
        match self.stopping {
            true => Err(Reply::refused(
                RefusalKind::Busy,
                "the pod is stopping".into(),
            )),
            false => Ok(()),
        }
    }

    fn add<S: InitSys>(&mut self, s: &mut S, launch: AppLaunch) -> Reply {
        if let Err(r) = self.refuse_if_stopping() {
            return r;
        }
        let name = launch.app.spec.name.clone();
        if self.by_name.contains_key(&name) {
            return Reply::refused(
                RefusalKind::Exists,
                format!("the pod already has an app {name}"),
            );
        }
        if matches!(&launch.app.ready, Some(p) if matches!(p.check, crate::manifest::ReadyCheck::Exec { .. }))
        {
            s.keep_probe_target(&launch);
        }
        self.entries.push(Entry::new(launch, false, State::Created));
        self.index();
        Reply::done()
    }

    /// Starts app `i` and says how that went.
    pub(super) fn start_reply<S: InitSys>(&mut self, s: &mut S, i: usize) -> Reply {
        if let Err(r) = self.refuse_if_stopping() {
            return r;
        }
        match self.start(s, i) {
            Ok(pid) => Reply::Done {
                pid: Some(pid.as_raw()),
                run: Some(self.entries[i].runs),
                exit_code: None,
            },
            Err(e) => Reply::refused(RefusalKind::Failed, e.to_string()),
        }
    }

    fn start_request<S: InitSys>(&mut self, s: &mut S, app: &str) -> Reply {
        let i = match self.find(app) {
            Ok(i) => i,
            Err(r) => return r,
        };
        match self.entries[i].state {
            State::Running { .. } => Reply::refused(
                RefusalKind::State,
                format!("app {app} is running already (`liftoff app restart` starts it anew)"),
            ),
            State::Waiting => Reply::refused(
                RefusalKind::State,
                format!("app {app} starts by itself once the apps it waits for (after) are there"),
            ),
            _ => self.start_reply(s, i),
        }
    }

    /// Stops a running app; None: the answer comes when it has exited.
    fn stop_request<S: InitSys>(
        &mut self,
        s: &mut S,
        id: u64,
        app: &str,
        timeout: Duration,
    ) -> Option<Reply> {
        match self.find(app) {
            Ok(i) => self.ask_stop(s, i, id, AfterExit::Reply, timeout),
            Err(r) => Some(r),
        }
    }

    fn restart_request<S: InitSys>(
        &mut self,
        s: &mut S,
        id: u64,
        app: &str,
        timeout: Duration,
    ) -> Option<Reply> {
        let i = match self.find(app) {
            Ok(i) => i,
            Err(r) => return Some(r),
        };
        if let Err(r) = self.refuse_if_stopping() {
            return Some(r);
        }
        match self.entries[i].state {
            State::Waiting => Some(Reply::refused(
                RefusalKind::State,
                format!("app {app} has not started yet: it waits for the apps in its after list"),
            )),
            State::Running { .. } => self.ask_stop(s, i, id, AfterExit::Start, timeout),
            _ => Some(self.start_reply(s, i)),
        }
    }

    /// SIGTERM to app `i` if it runs (SIGKILL after `timeout`), with `then` once it has exited;
    /// an app that does not run is stopped already (a due restart is called off).
    fn ask_stop<S: InitSys>(
        &mut self,
        s: &mut S,
        i: usize,
        id: u64,
        then: AfterExit,
        timeout: Duration,
    ) -> Option<Reply> {
        let now = s.now();
        let e = &mut self.entries[i];
        e.restart_at = None;
        let Some(pid) = e.running() else {
            let exit_code = match e.state {
                State::Exited { code, .. } => Some(code),
                _ => None,
            };
            return Some(Reply::Done {
                pid: None,
                run: None,
                exit_code,
            });
        };
        e.waiters.push((id, then));
        if !e.stop_asked {
            e.stop_asked = true;
            e.stop_at = Some(now + timeout);
            s.kill(&[pid], Signal::SIGTERM);
        }
        None
    }

    fn remove(&mut self, app: &str) -> Reply {
        let i = match self.find(app) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let e = &self.entries[i];
        if e.running().is_some() || e.restart_at.is_some() {
            return Reply::refused(
                RefusalKind::State,
                format!("app {app} is running; stop it first (`liftoff app stop POD {app}`)"),
            );
        }
        if let Some(w) = self
            .entries
            .iter()
            .find(|w| w.state == State::Waiting && w.after.iter().any(|d| d.app == app))
        {
            return Reply::refused(
                RefusalKind::State,
                format!("app {} waits for app {app}", w.name),
            );
        }
        // Its launch (and the fds of its stdio) go with it.
        self.entries.remove(i);
        self.index();
        Reply::done()
    }

    /// Requested stops that are out of time, and policy restarts that are due.
    pub(super) fn app_timers<S: InitSys>(&mut self, s: &mut S, now: Instant) {
        for i in 0..self.entries.len() {
            let e = &mut self.entries[i];
            if let (Some(t), Some(pid)) = (e.stop_at, e.running()) {
                if t <= now {
                    s.kill(&[pid], Signal::SIGKILL);
                    e.stop_at = None;
                }
            }
            if e.restart_at.is_some_and(|t| t <= now) && !self.stopping {
                e.restart_at = None;
                e.restarts += 1;
                let _ = self.start(s, i);
            }
        }
    }
}
