//! `liftoff run --pod compose.yaml`: the part of the Compose specification that maps onto one pod,
//! turned into the same [`PodRequest`] a TOML pod file gives.
//!
//! Each service becomes an app of the pod (named by the service, in file order); ports, host name
//! and DNS are the pod's, since its apps share one network and UTS namespace. Values are
//! interpolated as compose does ([`interpolate`]) from the process environment and the `.env`
//! beside the file. Whatever has no liftoff meaning (`build`, `deploy`, a second network, ...) is
//! refused with the key's path and line and, where there is one, the liftoff way to do it: a
//! compose file that ran "mostly" would hide what it lost. Start order (`depends_on`) is checked by
//! [`crate::pod::order::check`], like a pod file's `after`.

mod interpolate;
mod service;
#[cfg(test)]
mod tests;
mod yaml;

use super::podfile::{PodFileError, MAX_POD_FILE};
use super::request::PodRequest;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use yaml::{Node, Value};

/// A refusal before it gets the file's name: its line and `path: why`.
#[derive(Debug)]
pub(super) struct Fail {
    line: usize,
    msg: String,
}

fn fail(line: usize, path: &str, msg: impl std::fmt::Display) -> Fail {
    Fail {
        line,
        msg: format!("{path}: {msg}"),
    }
}

/// What mapping needs besides the tree.
pub(super) struct Ctx<'a> {
    /// The compose file's directory (absolute): relative paths are relative to it.
    dir: &'a Path,
    /// The environment compose would see: the process's over the `.env` file's.
    env: &'a HashMap<String, String>,
    /// Volumes declared under the top-level `volumes:`: (compose name, liftoff name).
    volumes: Vec<(String, String)>,
}

impl Ctx<'_> {
    /// A host path made absolute and free of `.`/`..`, the way compose resolves it; whether it
    /// exists is checked when the pod is resolved, like any `-v`.
    fn host_path(&self, p: &str) -> Result<String, String> {
        let joined = if p == "~" || p.starts_with("~/") {
            let home = self
                .env
                .get("HOME")
                .filter(|h| h.starts_with('/'))
                .ok_or_else(|| {
                    format!("{p:?}: HOME is not set to an absolute path, so ~ means nothing")
                })?;
            Path::new(home).join(p.trim_start_matches('~').trim_start_matches('/'))
        } else if p.starts_with('~') {
            return Err(format!("{p:?}: ~user is not supported; write the path"));
        } else {
            self.dir.join(p)
        };
        let mut out = PathBuf::from("/");
        for c in joined.components() {
            match c {
                Component::ParentDir => {
                    out.pop();
                }
                Component::Normal(n) => out.push(n),
                _ => {}
            }
        }
        out.to_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{p:?}: not valid UTF-8"))
    }
}

/// The entries of a mapping (none for null).
fn entries<'n>(n: &'n Node, path: &str) -> Result<&'n [(Node, Node)], Fail> {
    match &n.value {
        Value::Map(e) => Ok(e),
        Value::Null => Ok(&[]),
        _ => Err(fail(n.line, path, "expected a mapping")),
    }
}

/// A scalar as text (numbers and booleans are text too).
fn string(n: &Node, path: &str) -> Result<String, Fail> {
    n.text()
        .map(str::to_string)
        .ok_or_else(|| fail(n.line, path, "expected a string"))
}

/// A string or a list of strings (none for null), each with its line.
fn strings(n: &Node, path: &str) -> Result<Vec<(String, usize)>, Fail> {
    match &n.value {
        Value::Null => Ok(Vec::new()),
        Value::Str { text, .. } => Ok(vec![(text.clone(), n.line)]),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| Ok((string(x, &format!("{path}[{i}]"))?, x.line)))
            .collect(),
        Value::Map(_) => Err(fail(n.line, path, "expected a string or a list of strings")),
    }
}

fn boolean(n: &Node, path: &str) -> Result<bool, Fail> {
    match n.text() {
        Some("true" | "True" | "TRUE") => Ok(true),
        Some("false" | "False" | "FALSE") => Ok(false),
        _ => Err(fail(n.line, path, "expected true or false")),
    }
}

/// Reads `path` (a compose file already read into `text`): the `.env` beside it, the process
/// environment, then the mapping.
pub fn load(text: &str, path: &Path, shown: &str) -> Result<PodRequest, PodFileError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = if dir.is_absolute() {
        dir
    } else {
        std::env::current_dir()
            .map_err(|source| PodFileError::Read {
                path: shown.to_string(),
                source,
            })?
            .join(dir)
    };
    let mut env = HashMap::new();
    let dotenv = dir.join(".env");
    if dotenv.exists() {
        let shown_env = dotenv.display().to_string();
        let text = read_small(&dotenv).map_err(|msg| PodFileError::Parse {
            path: shown_env.clone(),
            msg,
        })?;
        let vars = parse_env_text(&text).map_err(|(line, msg)| PodFileError::Parse {
            path: shown_env,
            msg: format!("line {line}: {msg}"),
        })?;
        env.extend(vars);
    }
    // The process environment wins over .env, as in compose.
    env.extend(std::env::vars());
    parse(text, shown, &dir, &env)
}

/// Maps a compose file's text; `dir` is its directory (absolute) and `env` the variables for
/// interpolation and pass-through.
pub fn parse(
    text: &str,
    shown: &str,
    dir: &Path,
    env: &HashMap<String, String>,
) -> Result<PodRequest, PodFileError> {
    let refuse = |f: Fail| PodFileError::Parse {
        path: shown.to_string(),
        msg: format!("line {}: {}", f.line, f.msg),
    };
    let mut root = yaml::parse(text).map_err(|e| {
        refuse(Fail {
            line: e.line,
            msg: e.msg,
        })
    })?;
    let lookup = |n: &str| env.get(n).cloned();
    let mut unset = Seen::default();
    interpolate_top(&mut root, &lookup, &mut unset).map_err(refuse)?;
    for name in &unset.names {
        eprintln!(
            "liftoff: {shown}: warning: variable {name} is not set; it is read as the empty string"
        );
    }
    let mut ctx = Ctx {
        dir,
        env,
        volumes: Vec::new(),
    };
    pod(&root, &mut ctx).map_err(refuse)
}

/// What interpolation has seen so far: the unset variables (warned about once each) and how much
/// text it produced.
#[derive(Default)]
struct Seen {
    names: Vec<String>,
    produced: usize,
}

/// The most text interpolation may produce for one file, all values together.
const MAX_INTERPOLATED: usize = 16 * MAX_POD_FILE as usize;

/// Interpolates every value, but not keys, and not the `x-` extension blocks (compose leaves those
/// to whoever reads them; what a service merges from one is interpolated in the service).
fn interpolate_top(
    root: &mut Node,
    env: interpolate::Lookup,
    unset: &mut Seen,
) -> Result<(), Fail> {
    let Value::Map(top) = &mut root.value else {
        return Ok(());
    };
    for (k, v) in top.iter_mut() {
        let key = k.text().unwrap_or_default().to_string();
        if key.starts_with("x-") {
            continue;
        }
        if key == "services" {
            if let Value::Map(services) = &mut v.value {
                for (sk, sv) in services.iter_mut() {
                    let sp = format!("services.{}", sk.text().unwrap_or_default());
                    if let Value::Map(keys) = &mut sv.value {
                        for (ik, iv) in keys.iter_mut() {
                            let ikey = ik.text().unwrap_or_default();
                            if !ikey.starts_with("x-") {
                                interpolate_node(iv, &format!("{sp}.{ikey}"), env, unset)?;
                            }
                        }
                        continue;
                    }
                    interpolate_node(sv, &sp, env, unset)?;
                }
                continue;
            }
        }
        interpolate_node(v, &key, env, unset)?;
    }
    Ok(())
}

fn interpolate_node(
    n: &mut Node,
    path: &str,
    env: interpolate::Lookup,
    unset: &mut Seen,
) -> Result<(), Fail> {
    let line = n.line;
    match &mut n.value {
        Value::Null => Ok(()),
        Value::Str { text, .. } => {
            *text = interpolate::interpolate(text, env, &mut unset.names)
                .map_err(|m| fail(line, path, m))?;
            // All values together are bounded too (16 times the largest file).
            let total = unset.produced.saturating_add(text.len());
            unset.produced = total;
            if total > MAX_INTERPOLATED {
                return Err(fail(
                    line,
                    path,
                    "the file's values interpolate to more than 16 MiB in all",
                ));
            }
            Ok(())
        }
        Value::Seq(items) => items
            .iter_mut()
            .enumerate()
            .try_for_each(|(i, x)| interpolate_node(x, &format!("{path}[{i}]"), env, unset)),
        Value::Map(e) => e.iter_mut().try_for_each(|(k, v)| {
            let p = format!("{path}.{}", k.text().unwrap_or_default());
            interpolate_node(v, &p, env, unset)
        }),
    }
}

/// The top level: services, volumes, networks, name, version.
fn pod(root: &Node, ctx: &mut Ctx) -> Result<PodRequest, Fail> {
    let Value::Map(top) = &root.value else {
        return Err(fail(
            root.line,
            "(top level)",
            "a compose file is a mapping with services:",
        ));
    };
    let mut req = PodRequest::default();
    let mut services = None;
    for (k, v) in top {
        let key = k.text().unwrap_or_default();
        match key {
            _ if key.starts_with("x-") => {}
            "services" => services = Some((k, v)),
            "version" => {} // Obsolete in the Compose specification; compose ignores it too.
            "name" => req.name = Some(string(v, key)?),
            "volumes" => ctx.volumes = top_volumes(v)?,
            "networks" => top_networks(v)?,
            "secrets" | "configs" => {
                return Err(fail(
                    k.line,
                    key,
                    "not supported: bind the file into the app with a service's volumes: (read-only)",
                ))
            }
            "include" => {
                return Err(fail(
                    k.line,
                    key,
                    "not supported: put the services in one file (share settings with x- blocks and merge keys)",
                ))
            }
            _ => {
                return Err(fail(
                    k.line,
                    key,
                    "unknown top-level key (liftoff reads services, volumes, networks, name, version and x- extensions)",
                ))
            }
        }
    }
    let Some((sk, sv)) = services else {
        return Err(fail(
            root.line,
            "services",
            "required: a pod needs at least one service",
        ));
    };
    let list = entries(sv, "services")?;
    if list.is_empty() {
        return Err(fail(
            sk.line,
            "services",
            "a pod needs at least one service",
        ));
    }
    let mut all = Vec::new();
    for (k, v) in list {
        let name = k.text().unwrap_or_default();
        let path = format!("services.{name}");
        if !liftoff_contract::valid_app_name(name) {
            return Err(fail(
                k.line,
                &path,
                format!("service name {name:?}: an app's name is 1-63 characters of a-z, 0-9 and '-', not starting with '-'; rename the service"),
            ));
        }
        all.push(service::map(name, v, &path, ctx)?);
    }
    assemble(all, req)
}

/// `volumes:` at the top: names only, since liftoff's volumes are the pod's own empty directories.
/// A volume's name is only seen inside the pod, so compose's `db_data` may become liftoff's
/// `db-data` (lower case, `_` and `.` as `-`), as long as two names do not meet.
fn top_volumes(v: &Node) -> Result<Vec<(String, String)>, Fail> {
    let mut names: Vec<(String, String)> = Vec::new();
    for (k, val) in entries(v, "volumes")? {
        let name = k.text().unwrap_or_default();
        let p = format!("volumes.{name}");
        let ours = name.to_ascii_lowercase().replace(['_', '.'], "-");
        if !liftoff_contract::valid_app_name(&ours) {
            return Err(fail(
                k.line,
                &p,
                format!("volume name {name:?}: use 1-63 characters of a-z, 0-9, '-' and '_'"),
            ));
        }
        if let Some((other, _)) = names.iter().find(|(_, o)| *o == ours) {
            return Err(fail(
                k.line,
                &p,
                format!("volume names {other:?} and {name:?} both become liftoff's {ours:?}; rename one"),
            ));
        }
        if let Some((ok, _)) = entries(val, &p)?.first() {
            return Err(fail(
                ok.line,
                &format!("{p}.{}", ok.text().unwrap_or_default()),
                "volume options (driver, external, name, labels) are not supported: a liftoff volume is an empty directory of the pod, made with it and removed with it",
            ));
        }
        names.push((name.to_string(), ours));
    }
    Ok(names)
}

/// `networks:` at the top: only `default`, without options.
fn top_networks(v: &Node) -> Result<(), Fail> {
    for (k, val) in entries(v, "networks")? {
        let name = k.text().unwrap_or_default();
        let p = format!("networks.{name}");
        if name != "default" {
            return Err(fail(
                k.line,
                &p,
                format!("liftoff runs one pod: its apps share one network namespace; a second network {name:?} cannot be made (the pod's network is chosen with liftoff run --net)"),
            ));
        }
        if let Some((ok, _)) = entries(val, &p)?.first() {
            return Err(fail(
                ok.line,
                &format!("{p}.{}", ok.text().unwrap_or_default()),
                "network options are not supported (the pod's network is chosen with liftoff run --net)",
            ));
        }
    }
    Ok(())
}

/// A host address a port is published on, and the line and path that publish it.
type PublishedAt = (String, usize, String);

/// A pod-wide value that services may set (`hostname:`, `userns_mode:`): the first one seen, and
/// a refusal at the line of any other service that sets it differently.
fn one_for_the_pod(
    pod: &mut Option<(String, usize, String)>,
    service: &Option<(String, usize, String)>,
    key: &str,
    what: &str,
) -> Result<(), Fail> {
    match (&*pod, service) {
        (_, None) => Ok(()),
        (None, Some(v)) => {
            *pod = Some(v.clone());
            Ok(())
        }
        (Some((a, al, ap)), Some((b, bl, bp))) if a != b => Err(fail(
            *bl,
            bp,
            format!("{key}{b:?} differs from {ap} {a:?} (line {al}): the apps of one pod share one {what}"),
        )),
        _ => Ok(()),
    }
}

/// Merges the services into the pod: ports, host name, DNS, stop time, and the start order.
fn assemble(all: Vec<service::Service>, mut req: PodRequest) -> Result<PodRequest, Fail> {
    // Host port and protocol → the addresses it is published on, with where: an empty address
    // (all of them) clashes with any other.
    let mut published: HashMap<(u16, String), Vec<PublishedAt>> = HashMap::new();
    let mut hostname: Option<(String, usize, String)> = None;
    let mut userns: Option<(String, usize, String)> = None;
    // Docker's stop grace period when a service sets none.
    let mut stop_ms: u64 = 0;
    for s in &all {
        for (spec, line, path) in &s.ports {
            let m = super::networks::parse_publish(spec).map_err(|e| fail(*line, path, e))?;
            let on = published
                .entry((m.host_port, m.protocol.clone()))
                .or_default();
            if let Some((_, l, p)) = on
                .iter()
                .find(|(ip, _, _)| ip.is_empty() || m.host_ip.is_empty() || *ip == m.host_ip)
            {
                return Err(fail(
                    *line,
                    path,
                    format!(
                        "host port {}/{} is already published by {p} (line {l})",
                        m.host_port, m.protocol
                    ),
                ));
            }
            on.push((m.host_ip.clone(), *line, path.clone()));
            req.publish.push(spec.clone());
        }
        one_for_the_pod(&mut hostname, &s.hostname, "", "host name")?;
        one_for_the_pod(&mut userns, &s.userns, "userns_mode ", "user namespace")?;
        for d in &s.dns {
            if !req.dns.contains(d) {
                req.dns.push(d.clone());
            }
        }
        for d in &s.dns_search {
            if !req.dns_search.contains(d) {
                req.dns_search.push(d.clone());
            }
        }
        for h in &s.add_hosts {
            if !req.add_hosts.contains(h) {
                req.add_hosts.push(h.clone());
            }
        }
        stop_ms = stop_ms.max(s.stop_grace_ms.unwrap_or(10_000));
    }
    // Without one, the host name is the project's (`name:`), else "pod": never a service's, whose
    // name must resolve to 127.0.0.1 (a pod's host name resolves to its own address).
    req.hostname = Some(match hostname {
        Some(h) => h.0,
        None => req
            .name
            .clone()
            .filter(|n| !all.iter().any(|s| s.app.name.as_ref() == Some(n)))
            .unwrap_or_else(|| "pod".into()),
    });
    req.stop_timeout = stop_ms.div_ceil(1000);
    req.userns = userns.map(|u| u.0);
    start_order(&all)?;
    req.apps = all
        .into_iter()
        .map(|mut s| {
            s.app.after = s.after.into_iter().map(|a| a.0).collect();
            s.app
        })
        .collect();
    Ok(req)
}

/// `depends_on` checked as every `after` is, the error given the entry's path.
fn start_order(all: &[service::Service]) -> Result<(), Fail> {
    let name = |s: &service::Service| s.app.name.clone().unwrap_or_default();
    // Compose's own wording first for the common mistake: waiting for health that is never checked.
    for s in all {
        for (entry, line, path) in &s.after {
            if let Some(dep) = entry.strip_suffix(":ready") {
                if let Some(d) = all.iter().find(|d| name(d) == dep) {
                    if d.app.ready.is_none() {
                        return Err(fail(
                            *line,
                            path,
                            format!("condition service_healthy: service {dep} has no healthcheck (give it healthcheck: with a test:)"),
                        ));
                    }
                }
            }
        }
    }
    let names: Vec<String> = all.iter().map(name).collect();
    let nodes: Vec<super::order::Node> = all
        .iter()
        .zip(&names)
        .map(|(s, n)| super::order::Node {
            name: n,
            has_probe: s.app.ready.is_some(),
            after: s
                .after
                .iter()
                .map(|(e, l, _)| (e.as_str(), Some(*l)))
                .collect(),
        })
        .collect();
    super::order::check(&nodes).map(|_| ()).map_err(|e| {
        let line = e.line.unwrap_or(1);
        let path = all
            .iter()
            .flat_map(|s| &s.after)
            .find(|(entry, l, _)| *l == line && e.msg.contains(&format!("{entry:?}")))
            .map(|(_, _, p)| p.as_str())
            .unwrap_or("depends_on");
        fail(line, path, e.msg)
    })
}

/// `env_file:` (a path, or a list of paths or `{path, required}`), read as KEY=VALUE lines.
fn env_files(v: &Node, path: &str, ctx: &Ctx) -> Result<Vec<(String, String)>, Fail> {
    let items: Vec<&Node> = match &v.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![v],
    };
    let mut out = Vec::new();
    for (i, n) in items.into_iter().enumerate() {
        let p = if matches!(v.value, Value::Seq(_)) {
            format!("{path}[{i}]")
        } else {
            path.to_string()
        };
        let (file, required) = match &n.value {
            Value::Map(_) => {
                let (mut file, mut required) = (None, true);
                for (k, val) in entries(n, &p)? {
                    let kp = format!("{p}.{}", k.text().unwrap_or_default());
                    match k.text() {
                        Some("path") => file = Some(string(val, &kp)?),
                        Some("required") => required = boolean(val, &kp)?,
                        _ => return Err(fail(k.line, &kp, "unknown key (use path and required)")),
                    }
                }
                (
                    file.ok_or_else(|| fail(n.line, &p, "path: is required"))?,
                    required,
                )
            }
            _ => (string(n, &p)?, true),
        };
        let full = ctx.host_path(&file).map_err(|m| fail(n.line, &p, m))?;
        if !required && !Path::new(&full).exists() {
            continue;
        }
        let text =
            read_small(Path::new(&full)).map_err(|m| fail(n.line, &p, format!("{full}: {m}")))?;
        let vars = parse_env_text(&text)
            .map_err(|(l, m)| fail(n.line, &p, format!("{full}: line {l}: {m}")))?;
        out.extend(vars);
    }
    Ok(out)
}

/// Reads a small text file (an env file): at most [`MAX_POD_FILE`], UTF-8.
fn read_small(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    f.take(MAX_POD_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_POD_FILE {
        return Err(format!("larger than {} KiB", MAX_POD_FILE >> 10));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// KEY=VALUE lines as compose reads `.env` and env files: `#` comments and blank lines skipped,
/// an optional `export `, values in '...' (literal) or "..." (with \n, \" and \\), or bare (a
/// ` #` starts a comment). Errors carry the line.
fn parse_env_text(text: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((k, v)) = line.split_once('=') else {
            return Err((i + 1, format!("{line:?}: expected KEY=VALUE")));
        };
        let k = k.trim();
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Err((i + 1, format!("{k:?} is not a variable name")));
        }
        let v = v.trim_start();
        let value = if let Some(r) = v.strip_prefix('\'') {
            r.split_once('\'')
                .map(|(a, _)| a.to_string())
                .ok_or((i + 1, "unclosed '".to_string()))?
        } else if let Some(r) = v.strip_prefix('"') {
            double_quoted(r).ok_or((i + 1, "unclosed \"".to_string()))?
        } else {
            v.split_once(" #")
                .map_or(v, |(a, _)| a)
                .trim_end()
                .to_string()
        };
        out.push((k.to_string(), value));
    }
    Ok(out)
}

/// The value of a "..." up to its closing quote.
fn double_quoted(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                c @ ('"' | '\\') => out.push(c),
                c => {
                    out.push('\\');
                    out.push(c);
                }
            },
            c => out.push(c),
        }
    }
    None
}
