//! `liftoff stats [POD…]`: cpu, memory, pids, network and block I/O per app of running pods, read
//! from the pods' cgroups and `/proc` (see `liftoff::pod::usage`), as `podman stats` shows them but
//! with no daemon to ask.
//!
//! cpu % needs two readings of an app's cpu time and the time between them, so even one sample
//! takes an interval. On a terminal the table is redrawn every interval, each time against the
//! previous reading, until Ctrl-C.

use super::{human_size, Ctx, Format};
use anyhow::Result;
use clap::Args;
use liftoff::pod::state::{self, PodInfo, State};
use liftoff::pod::usage::{self, Cgroup};
use liftoff::pod::Pods;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Between the two cpu readings of a sample, and between redraws.
const INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Args)]
#[command(after_help = "\
One row per app of each pod (every running pod when none is named):
  CPU %      the app's cpu time over the last interval (about a second); 100% is one CPU
  MEM        in use as podman counts it: charged memory minus inactive page cache (cgroup v2:
             memory.current - inactive_file; v1: memory.usage_in_bytes - total_inactive_file).
             The limit is the app's --memory or the pod's, whichever is lower
  PIDS       the app's tasks (processes and threads) and the lower of its and the pod's limit
  NET I/O    bytes received / sent by the POD: its apps share one network namespace, so every app
             row of a pod shows the same pod-wide counters (all interfaces but lo; none with
             --net=host, whose counters would be the host's)
  BLOCK I/O  bytes the app read from / wrote to block devices
Read from the pods' cgroups on cgroup v2, hybrid and v1 hosts. On a terminal the table is redrawn
every second until Ctrl-C (or until the named pods have all ended); with --no-stream, or when
stdout is not a terminal, one sample is printed (it still takes a second, for CPU %).

--format json prints an array with one object per app and always the same keys: pod_uuid,
pod_name, app, cpu_percent, mem_usage_bytes, mem_limit_bytes, pids_current, pids_limit,
net_rx_bytes, net_tx_bytes, block_read_bytes, block_write_bytes. Limits are null when unlimited;
any other value is null when the host cannot tell it (e.g. no blkio controller mounted).

Examples:
  liftoff stats                          # every running pod, refreshing
  liftoff stats web --no-stream --format json")]
pub struct StatsArgs {
    /// Pod uuids (any unique prefix) or names; default every running pod
    #[arg(value_name = "POD")]
    pub pods: Vec<String>,
    /// Print one sample and exit, also on a terminal
    #[arg(long)]
    pub no_stream: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One app's figures; the JSON keys are part of the interface.
#[derive(Debug, Serialize)]
struct Row {
    pod_uuid: String,
    pod_name: Option<String>,
    app: String,
    cpu_percent: Option<f64>,
    mem_usage_bytes: Option<u64>,
    mem_limit_bytes: Option<u64>,
    pids_current: Option<u64>,
    pids_limit: Option<u64>,
    net_rx_bytes: Option<u64>,
    net_tx_bytes: Option<u64>,
    block_read_bytes: Option<u64>,
    block_write_bytes: Option<u64>,
}

/// The cpu time of each (pod uuid, app) and when it was read.
type CpuMarks = HashMap<(String, String), (u64, Instant)>;

/// The pods named on the command line, by uuid, each checked to be running.
fn named(pods: &Pods, queries: &[String]) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for q in queries {
        let p = state::find(pods, q).map_err(anyhow::Error::msg)?;
        super::lifecycle::require_running(&p, "stats")?;
        if !ids.contains(&p.id) {
            ids.push(p.id);
        }
    }
    Ok(ids)
}

/// The pods to show now: the named ones still running, or every running pod.
fn running(pods: &Pods, ids: &Option<Vec<String>>) -> Vec<PodInfo> {
    let live = |p: &PodInfo| p.state == State::Running;
    match ids {
        Some(ids) => ids
            .iter()
            .filter_map(|id| state::refresh(pods, id))
            .filter(live)
            .collect(),
        None => state::list(pods).into_iter().filter(live).collect(),
    }
}

fn cpu_marks(pods: &[PodInfo]) -> CpuMarks {
    let mut m = CpuMarks::new();
    for p in pods {
        let cg = Cgroup::of_pod(&p.dir);
        for app in &p.apps {
            if let Some(ns) = cg.app(app).cpu_usage_ns() {
                m.insert((p.id.clone(), app.clone()), (ns, Instant::now()));
            }
        }
    }
    m
}

/// The pod's network counters, from its init's network namespace; None with --net=host (the
/// host's own counters) or when the recorded pid is no longer the pod's.
fn pod_net(p: &PodInfo) -> Option<(u64, u64)> {
    let m = std::fs::read(p.dir.join(liftoff_contract::POD_MANIFEST_FILE))
        .ok()
        .and_then(|b| liftoff_contract::PodManifest::from_slice(&b).ok())?;
    if m.net == liftoff_contract::NetMode::Host {
        return None;
    }
    let pid = liftoff_contract::layout::init_pid(&p.dir)?;
    // The pid file is only the init's while the pod runs: check the process is in the pod's cgroup.
    let cg = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    if !cg.contains(&format!("pod-{}", p.id)) {
        return None;
    }
    usage::net_dev(pid)
}

/// The lower of two optional limits (None = unlimited).
fn lower(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// Reads every app of `pods` now; cpu % is against `prev`. Returns the rows and the new marks.
fn sample(pods: &[PodInfo], prev: &CpuMarks) -> (Vec<Row>, CpuMarks) {
    let mut marks = CpuMarks::new();
    let mut rows = Vec::new();
    for p in pods {
        let pod_cg = Cgroup::of_pod(&p.dir);
        let net = pod_net(p);
        for app in &p.apps {
            let cg = pod_cg.app(app);
            let key = (p.id.clone(), app.clone());
            let cpu = cg.cpu_usage_ns().map(|ns| (ns, Instant::now()));
            let cpu_percent = match (cpu, prev.get(&key)) {
                (Some((now, t1)), Some(&(before, t0))) if t1 > t0 => {
                    let pct = now.saturating_sub(before) as f64
                        / t1.duration_since(t0).as_nanos() as f64
                        * 100.0;
                    Some((pct * 100.0).round() / 100.0)
                }
                _ => None,
            };
            if let Some(c) = cpu {
                marks.insert(key, c);
            }
            let block = cg.block_io();
            rows.push(Row {
                pod_uuid: p.id.clone(),
                pod_name: p.name.clone(),
                app: app.clone(),
                cpu_percent,
                mem_usage_bytes: cg.memory_usage(),
                mem_limit_bytes: lower(cg.memory_limit(), pod_cg.memory_limit()),
                pids_current: cg.pids_current(),
                pids_limit: lower(cg.pids_limit(), pod_cg.pids_limit()),
                net_rx_bytes: net.map(|n| n.0),
                net_tx_bytes: net.map(|n| n.1),
                block_read_bytes: block.map(|b| b.0),
                block_write_bytes: block.map(|b| b.1),
            });
        }
    }
    (rows, marks)
}

fn size(n: Option<u64>) -> String {
    n.map(human_size).unwrap_or_else(|| "-".into())
}

/// The table, columns as wide as their widest cell.
fn table(rows: &[Row]) -> String {
    let mut cells: Vec<[String; 8]> = vec![[
        "POD",
        "APP",
        "CPU %",
        "MEM USAGE / LIMIT",
        "MEM %",
        "NET I/O",
        "BLOCK I/O",
        "PIDS",
    ]
    .map(String::from)];
    for r in rows {
        let pod = r
            .pod_name
            .clone()
            .unwrap_or_else(|| r.pod_uuid[..8.min(r.pod_uuid.len())].to_string());
        let limit = r.mem_limit_bytes.map_or("no limit".into(), human_size);
        let mem_pct = match (r.mem_usage_bytes, r.mem_limit_bytes) {
            (Some(u), Some(l)) if l > 0 => format!("{:.2}%", u as f64 / l as f64 * 100.0),
            _ => "-".into(),
        };
        let pids = match (r.pids_current, r.pids_limit) {
            (Some(c), Some(l)) => format!("{c} / {l}"),
            (Some(c), None) => c.to_string(),
            _ => "-".into(),
        };
        cells.push([
            pod,
            r.app.clone(),
            r.cpu_percent.map_or("-".into(), |c| format!("{c:.2}%")),
            format!("{} / {limit}", size(r.mem_usage_bytes)),
            mem_pct,
            format!("{} / {}", size(r.net_rx_bytes), size(r.net_tx_bytes)),
            format!(
                "{} / {}",
                size(r.block_read_bytes),
                size(r.block_write_bytes)
            ),
            pids,
        ]);
    }
    let widths = super::column_widths(&cells, 8);
    let mut out = String::new();
    for c in &cells {
        let line: Vec<String> = c
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn render(rows: &[Row], format: Format) -> Result<String> {
    Ok(match format {
        Format::Table => table(rows),
        Format::Json => serde_json::to_string_pretty(rows)? + "\n",
    })
}

pub fn run(ctx: &Ctx, a: StatsArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let ids = if a.pods.is_empty() {
        None
    } else {
        Some(named(&pods, &a.pods)?)
    };
    let stream = !a.no_stream && std::io::stdout().is_terminal();
    let mut prev = cpu_marks(&running(&pods, &ids));
    loop {
        std::thread::sleep(INTERVAL);
        let live = running(&pods, &ids);
        let (rows, marks) = sample(&live, &prev);
        prev = marks;
        let text = render(&rows, a.format)?;
        let mut out = std::io::stdout().lock();
        if !stream {
            out.write_all(text.as_bytes())?;
            return Ok(0);
        }
        // Home and clear, then the frame, in one write so the screen does not flicker.
        out.write_all(format!("\x1b[H\x1b[2J{text}").as_bytes())?;
        out.flush()?;
        // Named pods that have all ended leave nothing to watch.
        if ids.is_some() && live.is_empty() {
            return Ok(0);
        }
    }
}
