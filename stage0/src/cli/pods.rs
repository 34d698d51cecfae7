//! `liftoff list`, `liftoff status`, `liftoff rm` and `liftoff gc`: pods read and collected straight
//! from the state directory (no daemon to ask).

use super::{Ctx, Format};
use anyhow::{bail, Context, Result};
use clap::Args;
use liftoff::pod::state::{self, State};
use liftoff::pod::Pods;

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also show pods marked for garbage collection
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Pod uuid or a unique prefix of it
    pub pod: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Pod uuids (or unique prefixes) of exited pods
    #[arg(required = true)]
    pub pods: Vec<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Exited pods are first marked (moved to pods/exited-garbage/), then removed once they have been marked
for longer than the grace period: their cgroups are killed and removed, any leftover mount below the
pod dir is detached, the dir is deleted. Running pods are never touched. Safe to rerun at any time.")]
pub struct GcArgs {
    /// How long a pod stays marked before it is removed
    #[arg(long, default_value = "30m", value_name = "DURATION")]
    pub grace_period: String,
    /// Only mark; remove nothing
    #[arg(long)]
    pub mark_only: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn ago(t: i64) -> String {
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
        "{:<10} {:<15} {:<20} {:<19} {:>4}  IMAGES",
        "UUID", "STATE", "APPS", "CREATED", "EXIT"
    );
    for p in all {
        println!(
            "{:<10} {:<15} {:<20} {:<19} {:>4}  {}",
            &p.id[..8.min(p.id.len())],
            p.state.as_str(),
            p.apps.join(","),
            ago(p.created),
            p.exit_code.map(|c| c.to_string()).unwrap_or_default(),
            p.images.join(",")
        );
    }
    Ok(0)
}

pub fn status(ctx: &Ctx, a: StatusArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let p = state::find(&pods, &a.pod).map_err(anyhow::Error::msg)?;
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
    if let Some(c) = p.exit_code {
        println!("exit code: {c}");
    }
    for app in &p.apps {
        match p.app_exits.iter().find(|e| &e.app == app) {
            Some(e) => println!(
                "app {app}: exited {}{}{}",
                e.exit_code,
                if e.oom_killed { " (OOM-killed)" } else { "" },
                e.error
                    .as_deref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            ),
            None => println!(
                "app {app}: {}",
                if p.state == State::Running {
                    "running"
                } else {
                    "-"
                }
            ),
        }
    }
    Ok(0)
}

pub fn rm(ctx: &Ctx, a: RmArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let mut failed = false;
    for q in &a.pods {
        match state::find(&pods, q).and_then(|p| state::remove(&pods, &p).map(|_| p.id)) {
            Ok(id) => println!("{id}"),
            Err(e) => {
                eprintln!("liftoff: error: {e}");
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
    let grace = liftoff::trust::policy::parse_duration(&a.grace_period)
        .with_context(|| format!("--grace-period {:?}: use e.g. 30m, 2h, 0s", a.grace_period))?;
    let pods = Pods::open(ctx.store.root())?;
    let rep = state::gc(&pods, grace, a.mark_only);
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
        eprintln!("liftoff: error: {e}");
    }
    if !rep.errors.is_empty() {
        bail!("gc could not remove every pod; it is safe to run it again");
    }
    Ok(0)
}
