//! The supervisor's control socket (protocol: `liftoff_contract::control`): the one way a
//! running pod changes. The supervisor accepts root clients on `control.sock` in the pod dir,
//! reads one request from each, does its own part (for `add`: check the app, make its dirs,
//! cgroup, log and relays, write `pod.json`; for `remove`, the reverse once init has let the app
//! go) and passes the app-level part to init over [`crate::init_channel`]. Init answers each
//! request by id; the supervisor answers the client then. It is all driven by the supervisor's
//! poll loop ([`crate::event_loop`]): no request blocks the pod's output or signals.

pub mod apply;
mod conn;

use crate::cgroups::PodCgroup;
use crate::event_loop::{PollSet, Source};
use crate::init_channel::{self, FromInit, Reply, ToInit};
use crate::manifest::PodManifest;
use crate::relay::Relay;
use conn::{Client, Got, Phase};
use liftoff_contract::control::{self, Op, RefusalKind, Request, Response};
use std::collections::HashMap;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// At most this many clients at once; more are answered "busy".
const MAX_CLIENTS: usize = 32;

/// The control socket could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("the pod's control socket {}: {source}", path.display())]
    Bind {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A request init is carrying out, and what the supervisor does with its answer.
enum Pending {
    /// Undone if init refuses it.
    Add { app: String },
    /// Its resources and manifest entry go once init has let it go.
    Remove { app: String },
    /// Answered as init answers.
    Pass,
}

/// The control socket's state while the pod runs.
pub struct Control {
    pod_dir: PathBuf,
    /// The pod's manifest as it is now (the supervisor's copy of `pod.json`).
    m: PodManifest,
    pod_cg: PodCgroup,
    listener: Option<UnixListener>,
    clients: Vec<Client>,
    init: Option<OwnedFd>,
    next_id: u64,
    pending: HashMap<u64, Pending>,
}

impl Control {
    /// Listens on the pod's control socket (mode 0600), replacing a stale one.
    pub fn bind(
        pod_dir: &Path,
        m: PodManifest,
        pod_cg: PodCgroup,
        init: OwnedFd,
    ) -> Result<Control, ControlError> {
        let path = liftoff_contract::layout::control_socket(pod_dir);
        let err = |source| ControlError::Bind {
            path: path.clone(),
            source,
        };
        // A socket path is at most 107 bytes: bind through a handle on the pod dir, whose
        // /proc/self/fd path is short however deep the state directory is.
        let dir = std::fs::File::open(pod_dir).map_err(err)?;
        let short = format!(
            "/proc/self/fd/{}/{}",
            dir.as_raw_fd(),
            liftoff_contract::layout::CONTROL_SOCKET
        );
        let _ = std::fs::remove_file(&path);
        // Created 0600 from the start: no moment in which another user could connect.
        // SAFETY: umask only changes this (single-threaded) process's file creation mask.
        let old = unsafe { libc::umask(0o177) };
        let bound = UnixListener::bind(&short);
        // SAFETY: as above, restoring the mask.
        unsafe { libc::umask(old) };
        let listener = bound.map_err(err)?;
        listener.set_nonblocking(true).map_err(err)?;
        Ok(Control {
            pod_dir: pod_dir.to_path_buf(),
            m,
            pod_cg,
            listener: Some(listener),
            clients: Vec::new(),
            init: Some(init),
            next_id: 1,
            pending: HashMap::new(),
        })
    }

    /// The manifest as the pod's changes left it (once the pod has ended).
    pub fn into_manifest(self) -> PodManifest {
        self.m
    }

    /// Adds this round's fds: the listener, each client still sending, init's channel.
    pub fn poll_fds(&self, set: &mut PollSet) {
        set.add(
            Source::Control,
            self.listener.as_ref().map(|l| l.as_raw_fd()),
        );
        for (i, c) in self.clients.iter().enumerate() {
            let fd = matches!(c.phase, Phase::Reading).then(|| c.stream.as_raw_fd());
            set.add(Source::Client(i), fd);
        }
        set.add(Source::Init, self.init.as_ref().map(|f| f.as_raw_fd()));
    }

    /// The earliest deadline of a client still sending.
    pub fn deadline(&self) -> Option<Instant> {
        self.clients
            .iter()
            .filter(|c| matches!(c.phase, Phase::Reading))
            .map(|c| c.deadline)
            .min()
    }

    /// Handles this round's results; an added app's relays join `relays`.
    pub fn handle(&mut self, set: &PollSet, relays: &mut Vec<Relay>) {
        if set.fired(Source::Init) {
            self.read_init();
        }
        let mut gone = Vec::new();
        let now = Instant::now();
        for i in 0..self.clients.len() {
            if !matches!(self.clients[i].phase, Phase::Reading) {
                continue;
            }
            if !set.fired(Source::Client(i)) {
                if self.clients[i].deadline <= now {
                    let r = self.refusal(
                        RefusalKind::Invalid,
                        format!(
                            "no whole request within {}s",
                            control::REQUEST_DEADLINE_SECS
                        ),
                    );
                    conn::answer(&self.clients[i].stream, &r);
                    gone.push(i);
                }
                continue;
            }
            match self.clients[i].read(self.m.generation) {
                Got::More => {}
                Got::Gone => gone.push(i),
                Got::Request(r) => match self.request(*r, relays) {
                    Ok(id) => self.clients[i].phase = Phase::Waiting(id),
                    Err(resp) => {
                        conn::answer(&self.clients[i].stream, &resp);
                        gone.push(i);
                    }
                },
            }
        }
        for i in gone.into_iter().rev() {
            self.clients.remove(i);
        }
        if set.fired(Source::Control) {
            self.accept();
        }
    }

    fn accept(&mut self) {
        let Some(l) = &self.listener else { return };
        while let Ok((stream, _)) = l.accept() {
            if self.clients.len() >= MAX_CLIENTS {
                let r = self.refusal(
                    RefusalKind::Busy,
                    format!("{MAX_CLIENTS} requests are in flight; try again"),
                );
                conn::answer(&stream, &r);
                continue;
            }
            self.clients.push(Client::accept(stream, self.m.generation));
        }
    }

    fn refusal(&self, kind: RefusalKind, message: String) -> Response {
        Response::refused(kind, message, self.m.generation)
    }

    /// Starts one request: the id init will answer, or the answer now.
    fn request(&mut self, r: Request, relays: &mut Vec<Relay>) -> Result<u64, Response> {
        if r.version != control::CONTROL_VERSION {
            return Err(self.refusal(
                RefusalKind::Version,
                format!(
                    "control protocol version {} is not this supervisor's ({}); use the liftoff that started the pod",
                    r.version,
                    control::CONTROL_VERSION
                ),
            ));
        }
        let id = self.next_id;
        self.next_id += 1;
        let timeout_ms = |t: Option<u64>| -> Result<u64, Response> {
            match t {
                Some(s) if s > control::MAX_TIMEOUT_SECS => Err(self.refusal(
                    RefusalKind::Invalid,
                    format!("a timeout of {s}s is over {}s", control::MAX_TIMEOUT_SECS),
                )),
                Some(s) => Ok(s * 1000),
                None => Ok(self.m.stop_timeout().as_millis() as u64),
            }
        };
        let name = r.op.app().to_string();
        if !matches!(r.op, Op::Add { .. }) && !self.m.apps.iter().any(|a| a.spec.name == name) {
            return Err(self.refusal(
                RefusalKind::NotFound,
                apply::ApplyError::NotFound(name).to_string(),
            ));
        }
        let (msg, pending) = match r.op {
            Op::Add { app } => return self.add(id, *app, relays),
            Op::Start { app } => (ToInit::Start { id, app }, Pending::Pass),
            Op::Stop { app, timeout_secs } => {
                let timeout_ms = timeout_ms(timeout_secs)?;
                (
                    ToInit::Stop {
                        id,
                        app,
                        timeout_ms,
                    },
                    Pending::Pass,
                )
            }
            Op::Restart { app, timeout_secs } => {
                let timeout_ms = timeout_ms(timeout_secs)?;
                (
                    ToInit::Restart {
                        id,
                        app,
                        timeout_ms,
                    },
                    Pending::Pass,
                )
            }
            Op::Remove { app } => {
                // Checked before init lets the app go, so a refusal leaves it as it is.
                apply::without_app(&self.m, &app)
                    .map_err(|e| self.refusal(e.kind(), e.to_string()))?;
                (
                    ToInit::Remove {
                        id,
                        app: app.clone(),
                    },
                    Pending::Remove { app },
                )
            }
        };
        let start = matches!(msg, ToInit::Start { .. } | ToInit::Restart { .. });
        self.send(&msg, &[])?;
        if start {
            crate::failpoint("app-start-sent");
        }
        self.pending.insert(id, pending);
        Ok(id)
    }

    fn send(&mut self, msg: &ToInit, fds: &[std::os::fd::BorrowedFd<'_>]) -> Result<(), Response> {
        let sent = match &self.init {
            Some(ch) => init_channel::send(ch.as_fd(), msg, fds).map_err(|e| e.to_string()),
            None => Err("the pod is ending".to_string()),
        };
        sent.map_err(|e| self.refusal(RefusalKind::Busy, e))
    }

    /// `add`: the supervisor's part, then init's.
    fn add(
        &mut self,
        id: u64,
        app: crate::manifest::PodApp,
        relays: &mut Vec<Relay>,
    ) -> Result<u64, Response> {
        let name = app.spec.name.clone();
        let refuse = |c: &Control, e: apply::ApplyError| c.refusal(e.kind(), e.to_string());
        if self.init.is_none() {
            return Err(self.refusal(RefusalKind::Busy, "the pod is ending".into()));
        }
        let next = apply::with_app(&self.pod_dir, &self.m, app).map_err(|e| refuse(self, e))?;
        let added_app = next.apps.last().expect("just added");
        let added = apply::prepare(&self.pod_dir, &next, added_app, &self.pod_cg)
            .map_err(|e| refuse(self, e))?;
        if let Err(e) = apply::write_manifest(&self.pod_dir, &next) {
            apply::remove_resources(&self.pod_dir, &self.pod_cg, &name);
            return Err(refuse(self, e));
        }
        let generation = next.generation;
        let previous = std::mem::replace(&mut self.m, next);
        crate::failpoint("app-add-recorded");
        let msg = ToInit::Add {
            id,
            app: name.clone(),
            generation,
            cgroup: added.cgroup.clone(),
        };
        let fds: Vec<_> = added.stdio.iter().map(|f| f.as_fd()).collect();
        if let Err(r) = self.send(&msg, &fds) {
            self.undo_add(&name, Some(previous));
            return Err(r);
        }
        // Init has its copies of the stdio now; ours close here, so the relays end with the app.
        drop(fds);
        relays.extend(added.relays);
        self.pending.insert(id, Pending::Add { app: name });
        Ok(id)
    }

    /// Takes an added app out again: the manifest as before, its resources gone.
    fn undo_add(&mut self, name: &str, previous: Option<PodManifest>) {
        let back = match previous {
            Some(m) => Ok(m),
            None => apply::without_app(&self.m, name),
        };
        if let Ok(m) = back {
            if apply::write_manifest(&self.pod_dir, &m).is_ok() {
                self.m = m;
            }
        }
        apply::remove_resources(&self.pod_dir, &self.pod_cg, name);
    }

    /// Init's answers.
    fn read_init(&mut self) {
        loop {
            let Some(ch) = &self.init else { return };
            match init_channel::recv::<FromInit>(ch.as_fd()) {
                Ok(None) => return,
                Ok(Some((FromInit { id, reply }, _))) => self.finish(id, reply),
                // Init is gone: the pod is ending (see `shut`).
                Err(_) => {
                    self.init = None;
                    return;
                }
            }
        }
    }

    /// Init has answered request `id`: the supervisor's last part, then the client's answer.
    fn finish(&mut self, id: u64, reply: Reply) {
        let Some(pending) = self.pending.remove(&id) else {
            return;
        };
        let mut resp = match reply {
            Reply::Done {
                pid,
                run,
                exit_code,
            } => Response {
                pid,
                run,
                exit_code,
                ..Response::done(self.m.generation)
            },
            Reply::Refused { refusal, message } => self.refusal(refusal, message),
        };
        match (pending, resp.refused.is_some()) {
            (Pending::Add { app }, true) => self.undo_add(&app, None),
            (Pending::Remove { app }, false) => {
                match apply::without_app(&self.m, &app)
                    .and_then(|m| apply::write_manifest(&self.pod_dir, &m).map(|_| m))
                {
                    Ok(m) => self.m = m,
                    Err(e) => resp = self.refusal(e.kind(), e.to_string()),
                }
                apply::remove_resources(&self.pod_dir, &self.pod_cg, &app);
            }
            _ => {}
        }
        resp.generation = self.m.generation;
        if let Some(i) = self
            .clients
            .iter()
            .position(|c| matches!(c.phase, Phase::Waiting(w) if w == id))
        {
            conn::answer(&self.clients[i].stream, &resp);
            self.clients.remove(i);
        }
    }

    /// The pod has ended: no more requests; those in flight are answered so, and the socket goes.
    pub fn shut(&mut self) {
        if self.listener.take().is_none() {
            return;
        }
        let _ = std::fs::remove_file(liftoff_contract::layout::control_socket(&self.pod_dir));
        let r = self.refusal(
            RefusalKind::Busy,
            "the pod ended before the request was done".into(),
        );
        for c in self.clients.drain(..) {
            conn::answer(&c.stream, &r);
        }
        self.pending.clear();
        self.init = None;
    }
}
