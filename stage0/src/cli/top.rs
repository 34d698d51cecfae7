//! `liftoff top POD [--app NAME]`: a running pod's processes, found through each app's cgroup
//! (`cgroup.procs`, see `liftoff::pod::usage`), with their app, host pid, pid inside the pod, user
//! inside the pod and command line.
//!
//! Only what runs in the apps' cgroups is listed. liftoff's own processes are left out by
//! construction: the supervisor runs outside the pod's cgroups and the pod's init (pid 1 inside)
//! in the pod cgroup itself (its `init` leaf on v2), never in an app's. Commands started with
//! `liftoff enter` join the app's cgroup, so they are listed under that app.

use super::lifecycle::{pod_app, PodRef};
use super::{Ctx, Format};
use anyhow::Result;
use clap::Args;
use liftoff::pod::usage::{self, Cgroup};
use liftoff::pod::Pods;
use serde::Serialize;

#[derive(Debug, Args)]
#[command(after_help = "\
Columns:
  APP      the app whose cgroup the process is in
  PID      its pid on the host (for kill, strace, /proc)
  POD-PID  its pid inside the pod's pid namespace (what `ps` in the pod shows)
  USER     its effective user inside the pod: the name from the app's /etc/passwd, else the uid
  COMMAND  its command line; control characters are escaped (\\n, \\u{1b})
liftoff's own supervisor and the pod's init are not listed (they are not in any app's cgroup);
commands run with `liftoff enter` are, under their app. --format json prints an array of objects
with the keys app, pid, pod_pid, uid, user, command.

Examples:
  liftoff top web
  liftoff top web --app db")]
pub struct TopArgs {
    #[command(flatten)]
    pub pod: PodRef,
    /// Only this app's processes
    #[arg(long)]
    pub app: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One process; the JSON keys are part of the interface.
#[derive(Debug, Serialize)]
struct Row {
    app: String,
    pid: i32,
    pod_pid: Option<i32>,
    uid: Option<u32>,
    user: Option<String>,
    command: String,
}

/// Every process of one app, with user names from the app's own /etc/passwd (all its processes
/// share one root, so it is read once).
fn app_rows(pod_cg: &Cgroup, app: &str) -> Vec<Row> {
    let mut passwd: Option<Option<String>> = None;
    let mut rows = Vec::new();
    for pid in pod_cg.app(app).procs() {
        // A process that ended since cgroup.procs was read is simply not shown.
        let Some(p) = usage::process(pid) else {
            continue;
        };
        let user = p.uid.and_then(|uid| {
            let text = passwd.get_or_insert_with(|| usage::passwd_of(pid));
            usage::user_name(text.as_deref()?, uid)
        });
        rows.push(Row {
            app: app.to_string(),
            pid: p.pid,
            pod_pid: p.pod_pid,
            uid: p.uid,
            user,
            command: p.command,
        });
    }
    rows
}

fn table(rows: &[Row]) -> String {
    let dash = || "-".to_string();
    let mut cells: Vec<[String; 5]> =
        vec![["APP", "PID", "POD-PID", "USER", "COMMAND"].map(String::from)];
    for r in rows {
        cells.push([
            r.app.clone(),
            r.pid.to_string(),
            r.pod_pid.map_or_else(dash, |p| p.to_string()),
            r.user
                .clone()
                .or_else(|| r.uid.map(|u| u.to_string()))
                .unwrap_or_else(dash),
            r.command.clone(),
        ]);
    }
    let widths = super::column_widths(&cells, 4);
    let mut out = String::new();
    for c in &cells {
        for (s, w) in c.iter().zip(&widths) {
            out.push_str(&format!("{s:<w$}  "));
        }
        out.push_str(&c[4]);
        out.push('\n');
    }
    out
}

pub fn run(ctx: &Ctx, a: TopArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let p = a.pod.find(&pods)?;
    super::lifecycle::require_running(&p, "processes")?;
    let apps = match &a.app {
        Some(name) => {
            let (m, i) = pod_app(&p, Some(name))?;
            vec![m.apps[i].spec.name.clone()]
        }
        None => p.apps.clone(),
    };
    let pod_cg = Cgroup::of_pod(&p.dir);
    let rows: Vec<Row> = apps.iter().flat_map(|app| app_rows(&pod_cg, app)).collect();
    match a.format {
        Format::Table => print!("{}", table(&rows)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
    }
    Ok(0)
}
