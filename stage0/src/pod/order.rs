//! Start order between the apps of a pod: the `after = [...]` entries of a pod file (a compose
//! file's `depends_on`), checked once for every format that produces them, so that an unknown
//! name, an app waiting for itself, `:ready` on an app without a probe, or a cycle is refused with
//! the line of the entry that causes it.

use super::request::{ReadyRequest, TcpTarget};
use liftoff_contract::manifest::{ReadyCheck, ReadyProbe, Until};
use std::time::Duration;

/// A pod file's probe timing where it sets none: probes are for start order, so they run often
/// (a TCP connect or one short command every 100 ms is cheap) and give up only after 30 s of
/// failures.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(100);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
pub const DEFAULT_RETRIES: u32 = 300;

/// Turns a requested probe into the manifest's, with the defaults above for what it leaves out.
pub fn probe(r: &ReadyRequest) -> Result<ReadyProbe, String> {
    let check = match (&r.tcp, &r.exec) {
        (Some(_), Some(_)) => return Err("ready: give tcp or exec, not both".into()),
        (None, None) => return Err("ready: give tcp = PORT or exec = [COMMAND, ...]".into()),
        (Some(TcpTarget::Port(0)), None) => return Err("ready.tcp: port 0".into()),
        (Some(TcpTarget::Port(p)), None) => ReadyCheck::Tcp {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], *p)),
        },
        (Some(TcpTarget::Addr(a)), None) => ReadyCheck::Tcp {
            addr: a.parse().map_err(|_| {
                format!("ready.tcp {a:?}: use a port (3306) or HOST:PORT (\"127.0.0.1:3306\", \"[::1]:3306\")")
            })?,
        },
        (None, Some(argv)) if argv.first().is_none_or(|a| a.is_empty()) => {
            return Err("ready.exec: the command is empty".into())
        }
        (None, Some(argv)) => ReadyCheck::Exec { argv: argv.clone() },
    };
    let ms = |field: &str, v: &Option<String>, d: Duration| -> Result<u64, String> {
        let d = match v {
            None => d,
            Some(s) => liftoff_common::units::parse_duration(s).ok_or_else(|| {
                format!("ready.{field} {s:?}: use a duration such as 200ms or 2s")
            })?,
        };
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let (lo, hi) = (
            liftoff_contract::manifest::MIN_PROBE_MS,
            liftoff_contract::manifest::MAX_PROBE_MS,
        );
        if field != "start_period" && !(lo..=hi).contains(&ms) || ms > hi {
            return Err(format!("ready.{field}: use {lo}ms to 24h"));
        }
        Ok(ms)
    };
    let interval_ms = ms("interval", &r.interval, DEFAULT_INTERVAL)?;
    let retries = r.retries.unwrap_or(DEFAULT_RETRIES);
    if retries == 0 || retries > liftoff_contract::manifest::MAX_PROBE_RETRIES {
        return Err(format!(
            "ready.retries {retries}: use 1 to {}",
            liftoff_contract::manifest::MAX_PROBE_RETRIES
        ));
    }
    Ok(ReadyProbe {
        check,
        interval_ms,
        timeout_ms: ms("timeout", &r.timeout, DEFAULT_TIMEOUT)?,
        retries,
        start_period_ms: ms("start_period", &r.start_period, Duration::ZERO)?,
        start_interval_ms: match &r.start_interval {
            None => 0,
            s => ms("start_interval", s, Duration::ZERO)?,
        },
    })
}

/// One parsed `after` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub app: String,
    /// None: ready when the app has a probe, else started.
    pub until: Option<Until>,
}

/// Parses `NAME`, `NAME:started`, `NAME:ready` or `NAME:completed`.
pub fn parse_after(s: &str) -> Result<After, String> {
    let (app, until) = match s.rsplit_once(':') {
        None => (s, None),
        Some((a, "started")) => (a, Some(Until::Started)),
        Some((a, "ready")) => (a, Some(Until::Ready)),
        Some((a, "completed")) => (a, Some(Until::Completed)),
        Some((_, other)) => {
            return Err(format!(
                "after {s:?}: unknown condition {other:?} (use NAME, NAME:started, NAME:ready or NAME:completed)"
            ))
        }
    };
    if app.is_empty() {
        return Err(format!("after {s:?}: no app name"));
    }
    Ok(After {
        app: app.to_string(),
        until,
    })
}

/// What [`check`] needs of one app: its name, whether it has a readiness probe, and its `after`
/// entries with the line each came from (None where the source has no lines, e.g. flags).
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub name: &'a str,
    pub has_probe: bool,
    pub after: Vec<(&'a str, Option<usize>)>,
}

/// A refused start order: the line (if known) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderError {
    pub line: Option<usize>,
    pub msg: String,
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.msg),
            None => f.write_str(&self.msg),
        }
    }
}

/// Checks every app's `after` entries against the pod's apps; returns each app's dependencies
/// with the condition settled (`NAME` alone becomes ready or started).
pub fn check(nodes: &[Node]) -> Result<Vec<Vec<(String, Until)>>, OrderError> {
    // By name, so that a hostile file with many apps stays linear.
    let by_name: std::collections::HashMap<&str, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.name, i)).collect();
    let index = |n: &str| by_name.get(n).copied();
    let mut deps = Vec::with_capacity(nodes.len());
    for node in nodes {
        let mut mine: Vec<(String, Until)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (entry, line) in &node.after {
            let err = |msg: String| OrderError { line: *line, msg };
            let a = parse_after(entry).map_err(|m| err(format!("app {}: {m}", node.name)))?;
            let Some(i) = index(&a.app) else {
                let names: Vec<&str> = nodes.iter().map(|n| n.name).collect();
                return Err(err(format!(
                    "app {}: after {:?}: the pod has no app {:?} (its apps: {})",
                    node.name,
                    entry,
                    a.app,
                    names.join(", ")
                )));
            };
            if a.app == node.name {
                return Err(err(format!(
                    "app {}: after {entry:?}: an app cannot wait for itself",
                    node.name
                )));
            }
            let until = match a.until {
                Some(Until::Ready) if !nodes[i].has_probe => {
                    return Err(err(format!(
                        "app {}: after {entry:?}: app {} has no ready probe to wait for (give it `ready = {{ tcp = PORT }}` or `ready = {{ exec = [...] }}`)",
                        node.name, a.app
                    )))
                }
                Some(u) => u,
                None if nodes[i].has_probe => Until::Ready,
                None => Until::Started,
            };
            if !seen.insert(a.app.clone()) {
                return Err(err(format!(
                    "app {}: after {entry:?}: app {} is named twice",
                    node.name, a.app
                )));
            }
            mine.push((a.app, until));
        }
        deps.push(mine);
    }
    find_cycle(nodes, &deps)?;
    Ok(deps)
}

/// Refuses a cycle, naming its apps in order and the line of the entry that closes it.
fn find_cycle(nodes: &[Node], deps: &[Vec<(String, Until)>]) -> Result<(), OrderError> {
    // Iterative depth-first search; 0 = unseen, 1 = on the current path, 2 = done.
    let by_name: std::collections::HashMap<&str, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.name, i)).collect();
    let idx = |n: &str| by_name[n];
    let mut mark = vec![0u8; nodes.len()];
    for start in 0..nodes.len() {
        if mark[start] != 0 {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = 1;
        while let Some(&(n, next)) = path.last() {
            let Some((dep, _)) = deps[n].get(next) else {
                mark[n] = 2;
                path.pop();
                continue;
            };
            path.last_mut().expect("non-empty").1 += 1;
            let d = idx(dep);
            match mark[d] {
                0 => {
                    mark[d] = 1;
                    path.push((d, 0));
                }
                1 => {
                    let from = path.iter().position(|(p, _)| *p == d).expect("on path");
                    let mut names: Vec<&str> =
                        path[from..].iter().map(|(p, _)| nodes[*p].name).collect();
                    names.push(nodes[d].name);
                    let (entry, line) = nodes[n].after[next];
                    return Err(OrderError {
                        line,
                        msg: format!(
                            "app {}: after {entry:?}: the apps wait for each other in a cycle ({}), so none of them could start",
                            nodes[n].name,
                            names.join(" -> ")
                        ),
                    });
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node<'a>(name: &'a str, probe: bool, after: &[(&'a str, usize)]) -> Node<'a> {
        Node {
            name,
            has_probe: probe,
            after: after.iter().map(|(a, l)| (*a, Some(*l))).collect(),
        }
    }

    #[test]
    fn conditions_settle_by_probe() {
        let d = check(&[
            node("db", true, &[]),
            node("cache", false, &[]),
            node("mig", false, &[("db", 3)]),
            node(
                "php",
                false,
                &[("db", 5), ("cache", 6), ("mig:completed", 7)],
            ),
        ])
        .unwrap();
        assert_eq!(d[2], [("db".to_string(), Until::Ready)]);
        assert_eq!(
            d[3],
            [
                ("db".to_string(), Until::Ready),
                ("cache".to_string(), Until::Started),
                ("mig".to_string(), Until::Completed)
            ]
        );
    }

    #[test]
    fn refusals_name_the_line() {
        let e = check(&[node("a", false, &[("b", 4)])]).unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.msg.contains("no app \"b\""), "{e}");
        let e = check(&[node("a", false, &[]), node("b", false, &[("a:ready", 9)])]).unwrap_err();
        assert!(
            e.to_string().starts_with("line 9:") && e.msg.contains("no ready probe"),
            "{e}"
        );
        let e = check(&[node("a", false, &[("a", 2)])]).unwrap_err();
        assert!(e.msg.contains("itself"), "{e}");
        let e = check(&[node("a", false, &[("b:soon", 2)]), node("b", false, &[])]).unwrap_err();
        assert!(e.msg.contains("unknown condition"), "{e}");
    }

    #[test]
    fn a_cycle_is_named_in_order() {
        let e = check(&[
            node("a", false, &[("b", 3)]),
            node("b", false, &[("c", 6)]),
            node("c", false, &[("a", 9)]),
            node("d", false, &[("a", 12)]),
        ])
        .unwrap_err();
        assert_eq!(e.line, Some(9), "{e}");
        assert!(e.msg.contains("a -> b -> c -> a"), "{e}");
        // A diamond is not a cycle.
        check(&[
            node("a", false, &[]),
            node("b", false, &[("a", 1)]),
            node("c", false, &[("a", 2)]),
            node("d", false, &[("b", 3), ("c", 4)]),
        ])
        .unwrap();
    }
}
