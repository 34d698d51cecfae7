//! `liftoff app add|start|stop|restart|rm|list`: changing the apps of a running pod. Every verb but
//! `list` is one request to the pod's supervisor over its control socket (`pod::control`); `list`
//! reads the pod's records and asks nobody.

use super::app_add;
use super::logs::{self, Cursor, Out};
use super::{Ctx, Format};
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use liftoff::pod::control;
use liftoff::pod::state::{self, PodInfo, State};
use liftoff::pod::Pods;
use liftoff_contract::control::{Op, MAX_TIMEOUT_SECS};
use liftoff_contract::records::{self, AppState};
use liftoff_stage2::report::shown;
use std::time::Duration;

pub const AFTER_HELP: &str = "\
Examples:
  liftoff run -d --sandbox --name dev                  # a pod without apps, up until stopped
  liftoff app add dev example.com/team/web:1.4 --name web --restart on-failure
  liftoff app start dev web
  liftoff app list dev
  liftoff app stop dev web --timeout 5
  liftoff app rm dev web

The verbs other than list ask the pod's supervisor (through control.sock in the pod dir, as root);
list reads the pod's records. Exit status: 0 on success, 254 when liftoff fails or the supervisor
refuses (its reason is printed).";

/// How long a start may take to reach the app's execve.
const START_WAIT: Duration = Duration::from_secs(60);
/// What a stop or restart may take beyond its timeout (the supervisor's own work).
const STOP_MARGIN: Duration = Duration::from_secs(15);
/// A remove: the app's root, upper dir, logs and cgroup go.
const REMOVE_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Add an app to a running pod (created, not started): the image is fetched and verified as for `run`
    Add(Box<app_add::AddArgs>),
    /// Start a created or exited app of a running pod; prints its pid
    Start(StartArgs),
    /// Stop a running app (SIGTERM, SIGKILL after the timeout); the pod keeps running
    Stop(StopArgs),
    /// Stop an app if it runs, then start it again; prints its new pid
    Restart(StopArgs),
    /// Remove an app that is not running from its pod: its root, changes, logs and cgroup go
    #[command(alias = "remove")]
    Rm(AppRef),
    /// List a pod's apps: state, image, exit code, restarts
    #[command(alias = "ls")]
    List(ListArgs),
}

/// A pod and one of its apps.
#[derive(Debug, Args)]
pub struct AppRef {
    /// The pod (uuid, unique uuid prefix, or name)
    #[arg(value_name = "POD")]
    pub pod: String,
    /// The app's name in the pod
    #[arg(value_name = "NAME")]
    pub name: String,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  liftoff app start web worker               # prints the pid
  liftoff app start web migrate --attach     # its output until it ends; exits with its status

An app runs with what it was added with (or what `run` gave it). Exit status: 0 once the app has
started (with --attach: the app's own), 254 when liftoff fails.")]
pub struct StartArgs {
    #[command(flatten)]
    pub app: AppRef,
    /// Print the app's output from its start until it exits, and exit with its exit status (stdin
    /// and the terminal are not passed to it)
    #[arg(long)]
    pub attach: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Stopping an app never ends or fails the pod, and its restart policy does not start it again. The
command returns once the app has exited, and prints how it ended (`web exited 143`: by SIGTERM);
restart prints the new pid.")]
pub struct StopArgs {
    #[command(flatten)]
    pub app: AppRef,
    /// Seconds between SIGTERM and SIGKILL (default: the pod's --stop-timeout; at most 3600)
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Read from the pod's records, without asking its supervisor: works for exited pods too.
JSON: an array of {name, image, state, exit_code, restarts, started, finished}; times are Unix
seconds, null where unknown.")]
pub struct ListArgs {
    /// The pod (uuid, unique uuid prefix, or name)
    #[arg(value_name = "POD")]
    pub pod: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(ctx: &Ctx, c: AppCommand) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    match c {
        AppCommand::Add(a) => app_add::run(ctx, *a),
        AppCommand::Start(a) => start(&pods, a),
        AppCommand::Stop(a) => stop(&pods, a, false),
        AppCommand::Restart(a) => stop(&pods, a, true),
        AppCommand::Rm(a) => {
            let p = find(&pods, &a.pod)?;
            control::request(
                &p,
                Op::Remove {
                    app: a.name.clone(),
                },
                REMOVE_WAIT,
            )?;
            println!("{}", a.name);
            Ok(0)
        }
        AppCommand::List(a) => list(&pods, a),
    }
}

fn find(pods: &Pods, q: &str) -> Result<PodInfo> {
    state::find(pods, q).map_err(anyhow::Error::msg)
}

fn start(pods: &Pods, a: StartArgs) -> Result<u8> {
    let p = find(pods, &a.app.pod)?;
    let name = a.app.name.clone();
    // Where its log and its runs stand before the start: --attach shows what comes after.
    let cursor = Cursor::at_end(&p.dir, &name);
    let before = records::app_records(&p.dir, &name, true)
        .ok()
        .and_then(|r| r.run)
        .map_or(0, |r| r.run);
    let resp = control::request(&p, Op::Start { app: name.clone() }, START_WAIT)?;
    if !a.attach {
        match resp.pid {
            Some(pid) => println!("{pid}"),
            None => println!("{name}"),
        }
        return Ok(0);
    }
    // The run this start made (its exit record names it); from an older supervisor, the first
    // run after the one recorded before.
    let run = resp.run.unwrap_or(before + 1);
    attach(pods, &p, &name, cursor, run)
}

/// Follows the app's output until run `run` (or a later one, started by its restart policy) has
/// an exit record (or the pod is gone); returns that run's exit status.
fn attach(pods: &Pods, p: &PodInfo, name: &str, cursor: Cursor, run: u32) -> Result<u8> {
    let out = Out {
        prefix: false,
        timestamps: false,
    };
    let mut cursors = [cursor];
    let mut ended = None;
    let mut pod_gone = false;
    logs::follow(pods, &p.id, &p.dir, &mut cursors, &out, |now| {
        let Some(now) = now else {
            pod_gone = true;
            return true;
        };
        let running = now.state == State::Running;
        if let Ok(r) = records::app_records(&now.dir, name, running) {
            if let Some(e) = r.exit.filter(|e| e.run >= run) {
                ended = Some(e);
                return true;
            }
        }
        pod_gone = !running;
        pod_gone
    });
    match ended {
        Some(e) => Ok(u8::try_from(e.exit_code).unwrap_or(liftoff::EXIT_FAILURE)),
        None if pod_gone => bail!(
            "pod {} ended before app {} did; `liftoff status {}` shows how",
            p.id,
            shown(name),
            p.id
        ),
        None => bail!("app {}: no exit record", shown(name)),
    }
}

fn stop(pods: &Pods, a: StopArgs, restart: bool) -> Result<u8> {
    if let Some(t) = a.timeout.filter(|t| *t > MAX_TIMEOUT_SECS) {
        bail!("--timeout {t}: at most {MAX_TIMEOUT_SECS} seconds");
    }
    let p = find(pods, &a.app.pod)?;
    let pod_timeout = super::lifecycle::pod_manifest(&p)
        .map(|m| m.stop_timeout())
        .unwrap_or(Duration::from_secs(10));
    let wait = a.timeout.map_or(pod_timeout, Duration::from_secs) + STOP_MARGIN;
    let (app, timeout_secs) = (a.app.name.clone(), a.timeout);
    let op = if restart {
        Op::Restart { app, timeout_secs }
    } else {
        Op::Stop { app, timeout_secs }
    };
    let resp = control::request(&p, op, wait)?;
    match (restart, resp.pid, resp.exit_code) {
        (true, Some(pid), _) => println!("{pid}"),
        // How the stopped run ended (143: SIGTERM, 137: SIGKILL).
        (false, _, Some(code)) => println!("{} exited {code}", a.app.name),
        _ => println!("{}", a.app.name),
    }
    Ok(0)
}

fn list(pods: &Pods, a: ListArgs) -> Result<u8> {
    let p = find(pods, &a.pod)?;
    if a.format == Format::Json {
        let rows: Vec<serde_json::Value> = p
            .app_states
            .iter()
            .map(|v| {
                serde_json::json!({
                    "name": v.name,
                    "image": v.image,
                    "state": v.state,
                    "exit_code": v.exit_code,
                    "restarts": v.restarts,
                    "started": v.started,
                    "finished": v.finished,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    let time = |t: Option<i64>| t.map_or_else(|| "-".to_string(), super::pods::ago);
    let rows: Vec<Vec<String>> = p
        .app_states
        .iter()
        .map(|v| {
            vec![
                shown(&v.name).to_string(),
                shown(v.image.as_deref().unwrap_or("-")).to_string(),
                match (v.state, v.ready) {
                    (AppState::Running, true) => "running (ready)".to_string(),
                    (s, _) => s.as_str().to_string(),
                },
                v.exit_code.map_or_else(|| "-".into(), |c| c.to_string()),
                v.restarts.to_string(),
                time(v.started),
                time(v.finished),
            ]
        })
        .collect();
    let head: Vec<String> = [
        "NAME", "IMAGE", "STATE", "EXIT", "RESTARTS", "STARTED", "FINISHED",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let all: Vec<&Vec<String>> = std::iter::once(&head).chain(&rows).collect();
    let w = super::column_widths(&all, 7);
    for r in all {
        let cells: Vec<String> = r.iter().zip(&w).map(|(c, w)| format!("{c:<w$}")).collect();
        println!("{}", cells.join("  ").trim_end());
    }
    if p.app_states.is_empty() {
        liftoff_stage2::note!(
            "pod {} has no apps; add one with `liftoff app add {} IMAGE --name NAME`",
            p.id,
            p.id
        );
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::super::{Cli, Command};
    use super::*;
    use clap::Parser;

    fn app(words: &[&str]) -> Result<AppCommand, clap::Error> {
        let argv = ["liftoff", "app"].iter().chain(words).copied();
        Cli::try_parse_from(argv).map(|c| match c.command {
            Command::App(a) => a,
            other => panic!("not app: {other:?}"),
        })
    }

    #[test]
    fn the_verbs_parse() {
        let Ok(AppCommand::Start(s)) = app(&["start", "dev", "web", "--attach"]) else {
            panic!("start")
        };
        assert_eq!(
            (s.app.pod.as_str(), s.app.name.as_str(), s.attach),
            ("dev", "web", true)
        );
        let Ok(AppCommand::Restart(s)) = app(&["restart", "dev", "web", "--timeout", "3"]) else {
            panic!("restart")
        };
        assert_eq!(s.timeout, Some(3));
        let Ok(AppCommand::Add(a)) = app(&[
            "add",
            "dev",
            "example.com/db:2",
            "--name",
            "db",
            "--restart",
            "on-failure:5",
            "-e",
            "A=1",
            "--pull",
            "never",
            "--",
            "/bin/db",
            "-v",
        ]) else {
            panic!("add")
        };
        assert_eq!(a.app.name.as_deref(), Some("db"));
        assert_eq!(a.app.restart.as_deref(), Some("on-failure:5"));
        assert_eq!(a.command, ["/bin/db", "-v"]);
        assert!(app(&["add", "dev", "img", "--restart", "sometimes"]).is_err());
        assert!(matches!(app(&["rm", "dev", "web"]), Ok(AppCommand::Rm(_))));
        let Ok(AppCommand::List(l)) = app(&["list", "dev", "--format", "json"]) else {
            panic!("list")
        };
        assert_eq!(l.format, Format::Json);
        // start needs the app's name.
        assert!(app(&["start", "dev"]).is_err());
    }

    #[test]
    fn a_stop_timeout_is_bounded_before_anything_is_asked() {
        let t = tempfile::tempdir().unwrap();
        let pods = Pods::open(t.path()).unwrap();
        let Ok(AppCommand::Stop(s)) = app(&["stop", "dev", "web", "--timeout", "3601"]) else {
            panic!("stop")
        };
        let e = stop(&pods, s, false).unwrap_err().to_string();
        assert!(e.contains("at most 3600"), "{e}");
    }
}
