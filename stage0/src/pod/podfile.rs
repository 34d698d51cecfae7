//! `liftoff run --pod FILE`: a pod described in TOML. Unknown keys are errors that carry the line.
//!
//! ```toml
//! hostname = "web"
//! net = "default"                    # or none, host, a network name
//! publish = ["8080:80"]
//! add_host = ["db:10.0.0.5"]
//! stop_timeout = 10
//! exit_code_from = "server"          # the pod ends when this app does, with its code
//! disk_limit = "1G"                  # upper dirs, volumes and logs together
//! [limits]
//! memory = "512M"
//! pids = 200
//! [[app]]
//! name = "server"
//! image = "example.com/team/web:1.4"
//! exec = ["/bin/httpd", "-f", "-p", "8080"]
//! env = ["MODE=prod"]
//! memory = "256M"
//! cap_drop = ["all"]
//! cap_add = ["net_bind_service"]
//! volumes = ["/srv/site:/www:ro"]      # this app only
//! tmpfs = ["/run"]
//! after = ["db"]                       # start once db is ready (or started, without a probe)
//! ready = { tcp = 8080 }               # or exec = [...]; interval, timeout, retries, start_period
//! restart = "on-failure"               # or "always", "on-failure:5", "no" (the default)
//! [[volume]]                           # pod-wide: every app, or those in `apps`
//! source = "shared"                    # a named empty volume (or an absolute host path)
//! target = "/shared"
//! apps = ["server"]
//! ```

use super::request::{AppRequest, PodRequest};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PodFile {
    /// The pod's name for `liftoff status NAME` and friends.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    hostname: Option<String>,
    #[serde(default)]
    net: Option<String>,
    /// Published ports, as `-p`.
    #[serde(default)]
    publish: Vec<String>,
    /// Extra /etc/hosts lines, as `--add-host`.
    #[serde(default)]
    add_host: Vec<String>,
    #[serde(default)]
    stop_timeout: Option<u64>,
    /// The pod ends when this app ends, with its exit code (`--exit-code-from`).
    #[serde(default)]
    exit_code_from: Option<String>,
    /// What the pod may write to disk (`--disk-limit`).
    #[serde(default)]
    disk_limit: Option<String>,
    #[serde(default)]
    prefix_output: Option<bool>,
    #[serde(default)]
    dns: Vec<String>,
    #[serde(default)]
    dns_search: Vec<String>,
    #[serde(default)]
    limits: PodLimits,
    #[serde(default)]
    app: Vec<AppRequest>,
    #[serde(default)]
    volume: Vec<super::volumes::VolumeRequest>,
    /// `userns = "auto" | "host" | "auto:size=N"`, or `userns = { mode = "auto", size = N }`.
    #[serde(default)]
    userns: Option<Userns>,
}

/// The pod file's `userns`: the `--userns` string, or a table of its parts.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Userns {
    Flag(String),
    Table(UsernsTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsernsTable {
    mode: String,
    #[serde(default)]
    size: Option<u32>,
}

impl Userns {
    /// As `--userns` would spell it.
    fn flag(self) -> String {
        match self {
            Userns::Flag(s) => s,
            Userns::Table(t) => match t.size {
                Some(n) => format!("{}:size={n}", t.mode),
                None => t.mode,
            },
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PodLimits {
    #[serde(default)]
    memory: Option<String>,
    #[serde(default)]
    cpus: Option<f64>,
    #[serde(default)]
    pids: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum PodFileError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {msg}")]
    Parse { path: String, msg: String },
}

/// Parses a pod file; `text` is its contents, `path` is only for messages.
pub fn parse(text: &str, path: &str) -> Result<PodRequest, PodFileError> {
    let f: PodFile = toml::from_str(text).map_err(|e| PodFileError::Parse {
        path: path.to_string(),
        msg: e.to_string().trim_end().to_string(),
    })?;
    if f.app.is_empty() {
        return Err(PodFileError::Parse {
            path: path.to_string(),
            msg: "no [[app]] tables: a pod needs at least one app".into(),
        });
    }
    check_order(text, path, &f.app)?;
    let d = PodRequest::default();
    Ok(PodRequest {
        apps: f.app,
        name: f.name,
        hostname: f.hostname,
        net: f.net.unwrap_or(d.net),
        publish: f.publish,
        add_hosts: f.add_host,
        stop_timeout: f.stop_timeout.unwrap_or(d.stop_timeout),
        memory: f.limits.memory,
        cpus: f.limits.cpus,
        pids_limit: f.limits.pids,
        prefix_output: f.prefix_output.unwrap_or(true),
        dns: f.dns,
        dns_search: f.dns_search,
        volumes: f.volume,
        exit_code_from: f.exit_code_from,
        disk_limit: f.disk_limit,
        userns: f.userns.map(Userns::flag),
        ..d
    })
}

/// Checks the apps' `after` entries and probes with the lines they are on. serde drops spans, so
/// a second, lenient pass over the same text reads just the entries with their positions.
fn check_order(text: &str, path: &str, apps: &[AppRequest]) -> Result<(), PodFileError> {
    use toml::Spanned;
    #[derive(Deserialize)]
    struct Spans {
        #[serde(default)]
        app: Vec<AppSpans>,
    }
    #[derive(Deserialize)]
    struct AppSpans {
        #[serde(default)]
        after: Vec<Spanned<String>>,
        #[serde(default)]
        ready: Option<Spanned<toml::Value>>,
    }
    // Line starts once, then a binary search per entry: linear however many entries there are.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |at: usize| starts.partition_point(|s| *s <= at);
    let err = |line: Option<usize>, msg: String| PodFileError::Parse {
        path: path.to_string(),
        msg: match line {
            Some(l) => format!("line {l}: {msg}"),
            None => msg,
        },
    };
    let spans: Spans = toml::from_str(text).map_err(|e| err(None, e.to_string()))?;
    let names: Vec<String> = apps
        .iter()
        .map(|a| {
            a.name
                .clone()
                .unwrap_or_else(|| super::resolve::default_app_name(&a.image))
        })
        .collect();
    let mut nodes = Vec::new();
    for ((a, s), name) in apps.iter().zip(&spans.app).zip(&names) {
        if let Some(r) = &a.ready {
            let line = s.ready.as_ref().map(|r| line_of(r.span().start));
            super::order::probe(r).map_err(|m| err(line, format!("app {name}: {m}")))?;
        }
        nodes.push(super::order::Node {
            name,
            has_probe: a.ready.is_some(),
            after: s
                .after
                .iter()
                .map(|e| (e.get_ref().as_str(), Some(line_of(e.span().start))))
                .collect(),
        });
    }
    super::order::check(&nodes).map_err(|e| err(e.line, e.msg))?;
    Ok(())
}

/// The largest pod file read: far more than any real pod needs, small enough that parsing and
/// merging it stays instant.
pub const MAX_POD_FILE: u64 = 1 << 20;

pub fn load(path: &Path) -> Result<PodRequest, PodFileError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let read_err = |source| PodFileError::Read {
        path: shown.clone(),
        source,
    };
    let f = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    f.take(MAX_POD_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_POD_FILE {
        return Err(PodFileError::Parse {
            path: shown,
            msg: format!(
                "larger than {} KiB; a pod file describes apps, it does not carry data (put large values in the image or a volume)",
                MAX_POD_FILE >> 10
            ),
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| PodFileError::Parse {
        path: shown.clone(),
        msg: "not UTF-8 text".into(),
    })?;
    // A Compose file is the other format `--pod` reads (see [`super::compose`]).
    if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
        return super::compose::load(&text, path, &shown);
    }
    parse(&text, &shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_two_app_pod() {
        let r = parse(
            r#"
hostname = "web"
[limits]
memory = "512M"
[[app]]
name = "a"
image = "example.com/x:1"
exec = ["/bin/sleep", "5"]
[[app]]
image = "example.com/y:1"
cap_drop = ["all"]
volumes = ["/srv:/srv:ro"]
[[volume]]
source = "shared"
target = "/shared"
apps = ["a"]
"#,
            "pod.toml",
        )
        .unwrap();
        assert_eq!(r.apps.len(), 2);
        assert_eq!(r.hostname.as_deref(), Some("web"));
        assert_eq!(r.memory.as_deref(), Some("512M"));
        assert_eq!(r.apps[1].cap_drop, vec!["all"]);
        assert_eq!(r.apps[1].volumes, vec!["/srv:/srv:ro"]);
        assert_eq!(r.volumes[0].apps, vec!["a"]);
    }

    #[test]
    fn an_app_has_a_restart_policy() {
        let r = parse(
            "[[app]]\nimage = \"a:1\"\nrestart = \"on-failure:3\"\n[[app]]\nimage = \"b:1\"\n",
            "pod.toml",
        )
        .unwrap();
        assert_eq!(r.apps[0].restart.as_deref(), Some("on-failure:3"));
        assert_eq!(r.apps[1].restart, None);
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let e = parse(
            "hostname = \"x\"\n[[app]]\nimage = \"a:1\"\nprivileged = true\n",
            "pod.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 4") && e.contains("privileged"), "{e}");
    }

    #[test]
    fn start_order_and_probes() {
        let r = parse(
            r#"
[[app]]
name = "db"
image = "example.com/db:1"
ready = { tcp = 3306, interval = "50ms" }
[[app]]
name = "web"
image = "example.com/web:1"
after = ["db", "db-init:completed"]
ready = { exec = ["/bin/check"], retries = 5 }
[[app]]
name = "db-init"
image = "example.com/db:1"
after = ["db:started"]
"#,
            "pod.toml",
        )
        .unwrap();
        assert_eq!(r.apps[1].after, ["db", "db-init:completed"]);
        let p = super::super::order::probe(r.apps[0].ready.as_ref().unwrap()).unwrap();
        assert_eq!(p.interval_ms, 50);
        assert_eq!(p.retries, super::super::order::DEFAULT_RETRIES);
    }

    #[test]
    fn start_order_refusals_name_the_line() {
        let cases = [
            // An unknown app, on line 4.
            ("[[app]]\nname = \"a\"\nimage = \"x:1\"\nafter = [\"b\"]\n", "line 4", "no app \"b\""),
            // A cycle, closed on line 8.
            (
                "[[app]]\nname = \"a\"\nimage = \"x:1\"\nafter = [\"b\"]\n[[app]]\nname = \"b\"\nimage = \"x:1\"\nafter = [\n  \"a\",\n]\n",
                "line 9",
                "a -> b -> a",
            ),
            // `:ready` on an app without a probe.
            (
                "[[app]]\nname = \"a\"\nimage = \"x:1\"\n[[app]]\nname = \"b\"\nimage = \"x:1\"\nafter = [\"a:ready\"]\n",
                "line 7",
                "no ready probe",
            ),
            // A probe with neither check, on line 4.
            ("[[app]]\nname = \"a\"\nimage = \"x:1\"\nready = { interval = \"1s\" }\n", "line 4", "tcp = PORT"),
            // An unknown probe key (serde's own message, with its line).
            ("[[app]]\nname = \"a\"\nimage = \"x:1\"\nready = { http = 80 }\n", "line 4", "http"),
        ];
        for (text, line, what) in cases {
            let e = parse(text, "pod.toml").unwrap_err().to_string();
            assert!(e.contains(line) && e.contains(what), "{text}\n=> {e}");
        }
    }

    #[test]
    fn no_apps_is_an_error() {
        assert!(parse("hostname = \"x\"\n", "p").is_err());
        let app = "[[app]]\nimage = \"a:1\"\n";
        let u = |head: &str| parse(&format!("{head}\n{app}"), "p").map(|r| r.userns);
        assert_eq!(u("userns = \"host\"").unwrap().as_deref(), Some("host"));
        assert_eq!(
            u("userns = { mode = \"auto\", size = 4096 }")
                .unwrap()
                .as_deref(),
            Some("auto:size=4096")
        );
        assert_eq!(u("").unwrap(), None);
        assert!(u("userns = { mode = \"auto\", bogus = 1 }").is_err());
    }
}
