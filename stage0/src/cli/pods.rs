//! `liftoff list`, `liftoff status`, `liftoff rm` and `liftoff gc`: pods read and collected straight
//! from the state directory (no daemon to ask).

use super::lifecycle::{wait_limit, PodRef, PodRefs};
use super::{Ctx, Format};
use anyhow::{bail, Context, Result};
use clap::Args;
use liftoff::pod::state::{self, State};
use liftoff::pod::Pods;
use liftoff_stage2::report::shown;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also show pods marked for garbage collection
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
--wait and --wait-ready take an optional limit (--wait=30s); without one they wait as long as it takes.
`--wait-ready` returns once the pod is ready: every app has started and every `ready` probe has passed (exit status 254 if the pod ended first).")]
pub struct StatusArgs {
    #[command(flatten)]
    pub pod: PodRef,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Wait until the pod has exited
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "forever", value_name = "DURATION")]
    pub wait: Option<String>,
    /// Wait until every app of the pod has started
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "forever", value_name = "DURATION")]
    pub wait_ready: Option<String>,
    /// Ask each CNI network's plugins whether the pod's attachment is intact (CNI CHECK)
    #[arg(long)]
    pub check_network: bool,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    #[command(flatten)]
    pub pods: PodRefs,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Exited pods are first marked (moved to pods/exited-garbage/), then removed once they have been marked
for longer than the grace period: their cgroups are killed and removed, any leftover mount below the
pod dir is detached, the dir is deleted. Running pods are never touched. Safe to rerun at any time.")]
pub struct GcArgs {
    /// How long a pod stays marked before it is removed (e.g. 30m, 1h30m, 0s)
    #[arg(long, default_value = "30m", value_name = "DURATION")]
    pub grace_period: String,
    /// Also remove prepared pods that were never started, this long after `prepare`
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub expire_prepared: String,
    /// Only mark; remove nothing
    #[arg(long)]
    pub mark_only: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub(super) fn ago(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

pub fn list(ctx: &Ctx, a: ListArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let all: Vec<_> = state::list(&pods)
        .into_iter()
        .filter(|p| a.all || !matches!(p.state, State::Garbage | State::ExitedGarbage))
        .collect();
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(0);
    }
    println!(
        "{:<10} {:<14} {:<15} {:<20} {:<19} {:<19} {:>4}  {:<17} {:<6} IMAGES",
        "UUID", "NAME", "STATE", "APPS", "CREATED", "STARTED", "EXIT", "IDS", "NET"
    );
    for p in all {
        println!(
            "{:<10} {:<14} {:<15} {:<20} {:<19} {:<19} {:>4}  {:<17} {:<6} {}",
            shown(&p.id[..8.min(p.id.len())]),
            shown(p.name.as_deref().unwrap_or("-")),
            p.state.as_str(),
            shown(&if p.apps.is_empty() {
                "-".into()
            } else {
                p.apps.join(",")
            }),
            ago(p.created),
            p.started.map(ago).unwrap_or_else(|| "-".into()),
            p.exit_code.map(|c| c.to_string()).unwrap_or_default(),
            p.ids,
            shown(&p.net),
            shown(&if p.images.is_empty() {
                "-".into()
            } else {
                p.images.join(",")
            })
        );
    }
    Ok(0)
}

/// Blocks until the pod is ready (every app started, every probe passed) or has exited, or the limit passes.
fn wait_ready(pods: &Pods, id: &str, limit: Option<Duration>) -> Result<()> {
    let deadline = limit.map(|l| Instant::now() + l);
    loop {
        let Some(p) = state::refresh(pods, id) else {
            bail!("pod {id} was removed while waiting for it");
        };
        if p.ready && p.state == State::Running {
            return Ok(());
        }
        if !matches!(
            p.state,
            State::Embryo | State::Preparing | State::Prepared | State::Running
        ) {
            bail!("pod {id} is {} and never became ready", p.state.as_str());
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            bail!("pod {id} was not ready within the --wait-ready limit");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Blocks until the pod has exited, or the limit passes.
fn wait_exit(pods: &Pods, id: &str, limit: Option<Duration>) -> Result<()> {
    let deadline = limit.map(|l| Instant::now() + l);
    loop {
        let Some(p) = state::refresh(pods, id) else {
            return Ok(());
        };
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        match p.state {
            State::Running => {
                // A blocking lock wakes us the moment the supervisor exits.
                if state::wait_exited(&p.dir, left) {
                    continue;
                }
            }
            State::Embryo | State::Preparing | State::Prepared => {
                std::thread::sleep(Duration::from_millis(20))
            }
            _ => return Ok(()),
        }
        if left.is_some_and(|l| l.is_zero()) || deadline.is_some_and(|d| Instant::now() >= d) {
            bail!(
                "pod {id} is still {} after the --wait limit",
                p.state.as_str()
            );
        }
    }
}

pub fn status(ctx: &Ctx, a: StatusArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let mut p = a.pod.find(&pods)?;
    if let Some(w) = &a.wait_ready {
        wait_ready(&pods, &p.id, wait_limit("--wait-ready", w)?)?;
    }
    if let Some(w) = &a.wait {
        wait_exit(&pods, &p.id, wait_limit("--wait", w)?)?;
    }
    if a.wait.is_some() || a.wait_ready.is_some() {
        p = state::refresh(&pods, &p.id).unwrap_or(p);
    }
    if a.check_network {
        return check_network(&p);
    }
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&p)?);
        return Ok(0);
    }
    println!(
        "uuid: {}\nstate: {}\ncreated: {}",
        p.id,
        p.state.as_str(),
        ago(p.created)
    );
    if let Some(n) = &p.name {
        println!("name: {}", shown(n));
    }
    if let Some(t) = p.started {
        println!("started: {}", ago(t));
    }
    println!("ids: {}", p.ids);
    println!("net: {}", shown(&p.net));
    if let Some(c) = p.exit_code {
        println!("exit code: {c}");
    }
    if p.app_states.is_empty() && p.state == State::Running {
        println!(
            "apps: none yet (`liftoff app add {} IMAGE --name NAME` adds one)",
            p.id
        );
    }
    for v in &p.app_states {
        println!("app {}: {}", shown(&v.name), app_line(&p, v));
    }
    Ok(0)
}

/// One app's line in `status`: exited CODE (and why), running (ready), starting, created; then its
/// restarts.
fn app_line(p: &state::PodInfo, v: &liftoff::pod::apps::AppView) -> String {
    use liftoff_contract::records::AppState;
    let mut line = match (v.state, &v.exit) {
        (AppState::Exited, Some(e)) => format!(
            "exited {}{}{}",
            e.exit_code,
            if e.oom_killed { " (OOM-killed)" } else { "" },
            e.error
                .as_deref()
                .map(|x| format!(" ({})", shown(x)))
                .unwrap_or_default()
        ),
        (AppState::Exited, None) => "exited".into(),
        (AppState::Running, _) if v.ready => "running (ready)".into(),
        // Started; its probe has not passed yet.
        (AppState::Running, _) => "running (starting)".into(),
        // Waiting for the apps it starts after (an app of the pod as it was run).
        (AppState::Created, _) if p.state == State::Running && !v.added_or_sandbox => {
            "starting".into()
        }
        (AppState::Created, _) if p.state == State::Running => "created".into(),
        (AppState::Created, _) => "-".into(),
    };
    if v.restarts > 0 {
        line.push_str(&format!(
            ", {} restart{}",
            v.restarts,
            if v.restarts == 1 { "" } else { "s" }
        ));
    }
    line
}

/// `status --check-network`: CNI CHECK of every attached network of a running pod.
fn check_network(p: &state::PodInfo) -> Result<u8> {
    if p.state != State::Running {
        bail!(
            "pod {} is {}; only a running pod's networks can be checked",
            p.id,
            p.state.as_str()
        );
    }
    if liftoff_contract::network::read_state(&p.dir)?.is_none() {
        bail!("pod {} has no CNI networks (net: {})", p.id, p.net);
    }
    // CNI CHECK runs the plugins the stage1 ran: its `status --check-network` does it and prints
    // one line per network.
    let stage1 = liftoff::stage1::Stage1::of_pod(&p.dir)?;
    let st = stage1
        .command(liftoff_contract::Entrypoint::Status)
        .arg("--check-network")
        .arg(&p.dir)
        .status()
        .with_context(|| format!("stage1 {}: start", stage1.path().display()))?;
    match st.code() {
        Some(0) => Ok(0),
        Some(1) => bail!("pod {}: a network check failed", p.id),
        _ => bail!("pod {}: the network check could not run", p.id),
    }
}

pub fn rm(ctx: &Ctx, a: RmArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let mut failed = false;
    for q in &a.pods.queries()? {
        match state::find(&pods, q).and_then(|p| state::remove(&pods, &p).map(|_| p.id)) {
            Ok(id) => println!("{id}"),
            Err(e) => {
                liftoff_stage2::error!("{e}");
                failed = true;
            }
        }
    }
    if failed {
        bail!("some pods were not removed");
    }
    Ok(0)
}

pub fn gc(ctx: &Ctx, a: GcArgs) -> Result<u8> {
    let grace = liftoff_common::units::parse_duration(&a.grace_period)
        .with_context(|| format!("--grace-period {:?}: use e.g. 30m, 2h, 0s", a.grace_period))?;
    let expire = liftoff_common::units::parse_duration(&a.expire_prepared).with_context(|| {
        format!(
            "--expire-prepared {:?}: use e.g. 24h, 30m",
            a.expire_prepared
        )
    })?;
    let pods = Pods::open(ctx.store.root())?;
    let rep = state::gc(&pods, grace, expire, a.mark_only);
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&rep)?);
    } else {
        for id in &rep.marked {
            println!("marked {id}");
        }
        for id in &rep.removed {
            println!("removed {id}");
        }
        for id in &rep.busy {
            println!("busy, skipped {id}");
        }
    }
    for e in &rep.errors {
        liftoff_stage2::error!("{e}");
    }
    if !rep.errors.is_empty() {
        bail!("gc could not remove every pod; it is safe to run it again");
    }
    Ok(0)
}
