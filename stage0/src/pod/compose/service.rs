//! One compose service turned into one app of the pod, plus what it asks of the pod as a whole
//! (published ports, host name, DNS, start order, stop time), which [`super`] merges across
//! services. Every key is either mapped or refused with its path and line; none is dropped
//! silently, because a service that quietly runs without the limit or mount it asked for is worse
//! than one that does not start.

use super::yaml::{Node, Value};
use super::{boolean, entries, fail, string, strings, Ctx, Fail};
use crate::pod::request::{AppRequest, ReadyRequest};
use crate::pod::{networks, resolve, volumes};

/// What one service contributes.
#[derive(Debug, Default)]
pub(super) struct Service {
    pub app: AppRequest,
    /// (publish spec as `-p` reads it, line, path).
    pub ports: Vec<(String, usize, String)>,
    pub hostname: Option<(String, usize, String)>,
    /// `userns_mode:` (pod-wide, so every service that sets it must agree), with line and path.
    pub userns: Option<(String, usize, String)>,
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    pub add_hosts: Vec<String>,
    pub stop_grace_ms: Option<u64>,
    /// `after` entries with their line and path, for [`crate::pod::order::check`].
    pub after: Vec<(String, usize, String)>,
}

/// Maps service `name` (already checked to be a valid app name).
pub(super) fn map(name: &str, node: &Node, path: &str, ctx: &Ctx) -> Result<Service, Fail> {
    if !matches!(node.value, Value::Map(_)) {
        return Err(fail(
            node.line,
            path,
            "a service is a mapping (image:, command:, ...)",
        ));
    }
    let mut s = Service::default();
    s.app.name = Some(name.to_string());
    let mut image = false;
    let (mut command, mut entrypoint) = (None, None);
    let (mut env_files, mut environment) = (Vec::new(), Vec::new());
    for (k, v) in entries(node, path)? {
        let key = k.text().unwrap_or_default();
        let p = format!("{path}.{key}");
        let l = k.line;
        match key {
            _ if key.starts_with("x-") => {}
            "image" => {
                s.app.image = string(v, &p)?;
                image = true;
            }
            "command" => command = Some(words(v, &p)?),
            "entrypoint" => entrypoint = Some((words(v, &p)?, l)),
            "environment" => environment = env_entries(v, &p, ctx)?,
            "env_file" => env_files = super::env_files(v, &p, ctx)?,
            "user" => s.app.user = Some(string(v, &p)?),
            "working_dir" => s.app.workdir = Some(string(v, &p)?),
            "ports" => s.ports = ports(v, &p)?,
            "volumes" => service_volumes(v, &p, ctx, &mut s.app)?,
            "tmpfs" => {
                for (t, line) in strings(v, &p)? {
                    s.app.tmpfs.push(tmpfs_short(&t, line, &p)?);
                }
            }
            "read_only" => s.app.read_only = boolean(v, &p)?,
            "cap_add" => s.app.cap_add = caps(v, &p)?,
            "cap_drop" => s.app.cap_drop = caps(v, &p)?,
            "group_add" => s.app.group_add = strings(v, &p)?.into_iter().map(|x| x.0).collect(),
            "depends_on" => s.after = depends_on(v, &p)?,
            "healthcheck" => s.app.ready = healthcheck(v, &p)?,
            "hostname" => s.hostname = Some((string(v, &p)?, l, p)),
            "userns_mode" => {
                let m = string(v, &p)?;
                if let Err(e) = crate::userns::parse_mode(&m, crate::userns::DEFAULT_SIZE) {
                    return Err(fail(l, &p, e.to_string()));
                }
                s.userns = Some((m, l, p))
            }
            "mem_limit" => s.app.memory = Some(mem_limit(v, &p)?),
            "cpus" => s.app.cpus = Some(cpus(v, &p)?),
            "pids_limit" => s.app.pids_limit = pids_limit(v, &p)?,
            "ulimits" => s.app.ulimits = ulimits(name, v, &p)?,
            "stop_grace_period" => s.stop_grace_ms = Some(duration(v, &p)?),
            // liftoff always runs an init as the pod's pid 1, so `init: true` is already true.
            "init" => {
                boolean(v, &p)?;
            }
            "networks" => service_networks(v, &p)?,
            "restart" => s.app.restart = restart(v, &p)?,
            "extra_hosts" => s.add_hosts = extra_hosts(v, &p)?,
            "dns" => s.dns = strings(v, &p)?.into_iter().map(|x| x.0).collect(),
            "dns_search" => s.dns_search = strings(v, &p)?.into_iter().map(|x| x.0).collect(),
            _ => return Err(fail(l, &p, refused(key))),
        }
    }
    if !image {
        return Err(fail(
            node.line,
            path,
            "no image: liftoff runs signed images only; name one that is in the store (liftoff fetch)",
        ));
    }
    // As in compose: the env files in order, then `environment`, later values winning.
    s.app.env = merge_env(env_files.into_iter().chain(environment));
    match entrypoint {
        // `entrypoint: []` clears the image's entrypoint: the command is then the whole argv.
        Some((e, l)) if e.is_empty() => match command {
            Some(c) if !c.is_empty() => s.app.exec = Some(c),
            _ => {
                return Err(fail(
                    l,
                    &format!("{path}.entrypoint"),
                    "an empty entrypoint needs a command: to run",
                ))
            }
        },
        Some((e, _)) => {
            s.app.exec = Some(e);
            s.app.args = command;
        }
        None => s.app.args = command,
    }
    Ok(s)
}

/// `restart:` as liftoff's `--restart`: "no", on-failure[:N], always, and unless-stopped (liftoff
/// stops an app only when asked, and then does not restart it: that is `always`).
fn restart(v: &Node, path: &str) -> Result<Option<String>, Fail> {
    let s = string(v, path)?;
    let policy = match s.as_str() {
        "no" => return Ok(None),
        "unless-stopped" => "always".to_string(),
        "always" => s,
        _ if s == "on-failure" || s.starts_with("on-failure:") => s,
        _ => {
            return Err(fail(
                v.line,
                path,
                format!("{s:?}: use \"no\", on-failure[:N], always or unless-stopped"),
            ))
        }
    };
    liftoff_contract::manifest::RestartPolicy::parse(&policy)
        .map_err(|e| fail(v.line, path, e.to_string().trim_start_matches("--restart ")))?;
    Ok(Some(policy))
}

/// Why a service key is refused, and what to do instead where liftoff has a way.
fn refused(key: &str) -> String {
    let why = match key {
        "build" => "liftoff runs signed images only; build the image elsewhere (buildah), sign it, fetch it and name it in image:",
        "deploy" => "swarm deployment settings are not supported: use mem_limit, cpus and pids_limit for limits",
        "container_name" => "an app is named by its service name; rename the service instead",
        "privileged" => "liftoff runs no privileged apps: grant what the app needs with cap_add",
        "network_mode" | "links" | "expose" => "the apps of a pod share one network namespace: every service already reaches the others (by name, on 127.0.0.1) and all their ports; publish to the host with ports:",
        "secrets" | "configs" => "not supported: bind the file into the app with volumes: (read-only)",
        "labels" | "annotations" => "liftoff keeps no labels; remove it",
        "profiles" => "liftoff runs every service of the file; remove profiles: or keep such services in another file",
        "extends" => "not supported: share settings with an x- block and a merge key (<<: *anchor)",
        "devices" | "device_cgroup_rules" | "gpus" => "liftoff gives apps no host devices",
        "security_opt" => "not supported: liftoff applies its own seccomp filter, no-new-privileges and capabilities (cap_add, cap_drop)",
        "stdin_open" | "tty" => "use liftoff run -i / -t for an interactive pod",
        "pid" | "ipc" | "uts" | "cgroup" | "cgroup_parent" => "the apps of a pod share the pod's namespaces and cgroup; they cannot be chosen per service",
        "mem_reservation" | "memswap_limit" | "mem_swappiness" | "shm_size" | "cpu_shares" | "cpu_quota" | "cpu_period" | "cpuset" | "cpu_count" | "cpu_percent" | "blkio_config" | "oom_score_adj" | "oom_kill_disable" => "not supported: liftoff limits memory (mem_limit), CPU (cpus) and processes (pids_limit)",
        "logging" => "liftoff writes every app's output to the pod's logs (liftoff logs); remove it",
        "pull_policy" | "platform" => "liftoff runs images already in its store (liftoff fetch); remove it",
        "scale" => "one pod runs each service once",
        "domainname" | "mac_address" | "sysctls" => "not supported for an app of a pod",
        "stop_signal" => "not supported: apps are stopped with SIGTERM",
        _ => "unknown or unsupported service key (liftoff maps image, command, entrypoint, environment, env_file, user, working_dir, ports, volumes, tmpfs, read_only, cap_add, cap_drop, group_add, depends_on, healthcheck, hostname, userns_mode, mem_limit, cpus, pids_limit, ulimits, stop_grace_period, init, networks, extra_hosts, dns, dns_search)",
    };
    why.to_string()
}

/// `command:`/`entrypoint:`: a list as is, a string split as a shell would (without expansion).
fn words(v: &Node, path: &str) -> Result<Vec<String>, Fail> {
    match &v.value {
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| string(n, &format!("{path}[{i}]")))
            .collect(),
        Value::Str { text, .. } => split_words(text).map_err(|m| fail(v.line, path, m)),
        _ => Err(fail(v.line, path, "expected a string or a list of strings")),
    }
}

/// Splits like a POSIX shell without expansions: blanks separate words, '...' is literal, "..."
/// keeps blanks and honours \" \\ \$ \`, and a backslash outside quotes escapes the next character.
/// Written here rather than taken from `shlex`: its `split` answers only "no" to a bad string,
/// and a compose file's refusal must say what is wrong (an unclosed quote, a trailing backslash).
pub(super) fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    out.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("unclosed ' in the command".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("unclosed \" in the command".into()),
                        },
                        Some(c) => w.push(c),
                        None => return Err("unclosed \" in the command".into()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err("a trailing \\ in the command".into()),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    Ok(out)
}

/// `environment:` as a mapping or a list of `K=V`/`K`; a key without a value is taken from the
/// environment compose would use (the process and `.env`), and left out when that is unset.
fn env_entries(v: &Node, path: &str, ctx: &Ctx) -> Result<Vec<(String, String)>, Fail> {
    let mut out = Vec::new();
    match &v.value {
        Value::Null => {}
        Value::Map(_) => {
            for (k, val) in entries(v, path)? {
                let key = k.text().unwrap_or_default().to_string();
                let p = format!("{path}.{key}");
                match &val.value {
                    Value::Null => out.extend(ctx.env.get(&key).map(|x| (key, x.clone()))),
                    Value::Str { text, .. } => out.push((key, text.clone())),
                    _ => return Err(fail(val.line, &p, "a value is a string, number or boolean")),
                }
            }
        }
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                let item = string(n, &format!("{path}[{i}]"))?;
                match item.split_once('=') {
                    Some((k, val)) => out.push((k.to_string(), val.to_string())),
                    None => out.extend(ctx.env.get(&item).map(|x| (item.clone(), x.clone()))),
                }
            }
        }
        Value::Str { .. } => {
            return Err(fail(
                v.line,
                path,
                "expected a mapping or a list of KEY=VALUE",
            ));
        }
    }
    for (k, _) in &out {
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Err(fail(v.line, path, format!("{k:?} is not a variable name")));
        }
    }
    Ok(out)
}

/// KEY=VALUE strings, each key once (at its first place), the last value winning.
fn merge_env(all: impl Iterator<Item = (String, String)>) -> Vec<String> {
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (k, v) in all {
        match index.get(&k) {
            Some(&i) => keys[i].1 = v,
            None => {
                index.insert(k.clone(), keys.len());
                keys.push((k, v));
            }
        }
    }
    keys.into_iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// `ports:`: each to a `-p` spec, checked by the same parser `-p` uses.
fn ports(v: &Node, path: &str) -> Result<Vec<(String, usize, String)>, Fail> {
    let Value::Seq(items) = &v.value else {
        return Err(fail(v.line, path, "expected a list of ports"));
    };
    let mut out = Vec::new();
    for (i, n) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let spec = match &n.value {
            Value::Str { text, .. } => port_short(text),
            Value::Map(_) => port_long(n, &p),
            _ => Err("expected \"HOSTPORT:PORT\" or a mapping with target: and published:".into()),
        }
        .map_err(|m| fail(n.line, &p, m))?;
        networks::parse_publish(&spec).map_err(|e| fail(n.line, &p, e))?;
        out.push((spec, n.line, p));
    }
    Ok(out)
}

const NO_HOST_PORT: &str = "liftoff publishes explicit ports: give the host port too (\"8080:80\"); the apps of the pod reach every port without publishing";

/// `[HOST_IP:]HOST:PORT[/PROTO]`, without ranges and with a host port.
fn port_short(s: &str) -> Result<String, String> {
    let (spec, proto) = s.rsplit_once('/').unwrap_or((s, "tcp"));
    let (ip, rest) = match spec.strip_prefix('[') {
        Some(r) => {
            let (ip, rest) = r.split_once("]:").ok_or("unclosed '['")?;
            (Some(ip), rest)
        }
        None => match spec.matches(':').count() {
            0 | 1 => (None, spec),
            _ => spec
                .split_once(':')
                .map(|(a, b)| (Some(a), b))
                .unwrap_or((None, spec)),
        },
    };
    let Some((host, target)) = rest.split_once(':') else {
        return Err(format!("{s:?}: {NO_HOST_PORT}"));
    };
    if host.is_empty() {
        return Err(format!("{s:?}: {NO_HOST_PORT}"));
    }
    if host.contains('-') || target.contains('-') {
        return Err(format!(
            "{s:?}: port ranges are not supported; list each port"
        ));
    }
    Ok(publish_spec(ip, host, target, proto))
}

fn publish_spec(ip: Option<&str>, host: &str, target: &str, proto: &str) -> String {
    let ip = match ip {
        Some(ip) if ip.contains(':') => format!("[{ip}]:"),
        Some(ip) if !ip.is_empty() => format!("{ip}:"),
        _ => String::new(),
    };
    let proto = if proto.eq_ignore_ascii_case("tcp") {
        String::new()
    } else {
        format!("/{proto}")
    };
    format!("{ip}{host}:{target}{proto}")
}

/// `{target, published, host_ip, protocol}`.
fn port_long(n: &Node, path: &str) -> Result<String, String> {
    let (mut target, mut published, mut ip, mut proto) = (None, None, None, "tcp".to_string());
    for (k, v) in entries(n, path).map_err(|f| f.msg)? {
        let key = k.text().unwrap_or_default();
        let text = || {
            v.text()
                .map(str::to_string)
                .ok_or(format!("{key}: expected a value"))
        };
        match key {
            "target" => target = Some(text()?),
            "published" => published = Some(text()?),
            "host_ip" => ip = Some(text()?),
            "protocol" => proto = text()?,
            _ => {
                return Err(format!(
                    "{key}: not supported (use target, published, host_ip, protocol)"
                ))
            }
        }
    }
    let target = target.ok_or("target: the port in the pod is required")?;
    let published = published.ok_or(NO_HOST_PORT)?;
    if published.contains('-') {
        return Err("port ranges are not supported; list each port".into());
    }
    Ok(publish_spec(ip.as_deref(), &published, &target, &proto))
}

/// `volumes:` of a service: binds, declared named volumes and tmpfs, short or long form.
fn service_volumes(v: &Node, path: &str, ctx: &Ctx, app: &mut AppRequest) -> Result<(), Fail> {
    let Value::Seq(items) = &v.value else {
        return Err(fail(v.line, path, "expected a list of volumes"));
    };
    for (i, n) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let m = match &n.value {
            Value::Str { text, .. } => volume_short(text, ctx),
            Value::Map(_) => volume_long(n, &p, ctx)?,
            _ => Err(
                "expected \"SOURCE:TARGET[:ro]\" or a mapping with type:, source:, target:".into(),
            ),
        }
        .map_err(|m| fail(n.line, &p, m))?;
        match m {
            Mount::Volume(spec) => {
                volumes::parse_volume(&spec).map_err(|e| fail(n.line, &p, e))?;
                app.volumes.push(spec);
            }
            Mount::Tmpfs(spec) => {
                volumes::parse_tmpfs(&spec).map_err(|e| fail(n.line, &p, e))?;
                app.tmpfs.push(spec);
            }
        }
    }
    Ok(())
}

enum Mount {
    /// A `-v` spec.
    Volume(String),
    /// A `--tmpfs` spec.
    Tmpfs(String),
}

fn volume_short(s: &str, ctx: &Ctx) -> Result<Mount, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let (src, target, mode) = match parts.as_slice() {
        [_] => return Err(anonymous(s)),
        [a, b] => (*a, *b, ""),
        [a, b, m] => (*a, *b, *m),
        _ => {
            return Err(format!(
                "{s:?}: use SOURCE:TARGET[:ro] (a host path cannot hold ':')"
            ))
        }
    };
    let mut ro = false;
    for o in mode.split(',').filter(|o| !o.is_empty()) {
        match o {
            "ro" => ro = true,
            "rw" => ro = false,
            "z" | "Z" => {
                return Err(format!(
                    "{s:?}: SELinux relabelling (z, Z) is not supported"
                ))
            }
            _ => return Err(format!("{s:?}: unknown option {o:?} (use ro or rw)")),
        }
    }
    let src = source(src, ctx)?;
    Ok(Mount::Volume(format!(
        "{src}:{target}{}",
        if ro { ":ro" } else { "" }
    )))
}

fn anonymous(s: &str) -> String {
    format!("{s:?}: an anonymous volume; name it (\"data:{s}\") and declare it under the top-level volumes:")
}

/// A volume source: a host path made absolute (against the compose file's directory, or HOME for
/// `~`), or the name of a declared volume.
fn source(src: &str, ctx: &Ctx) -> Result<String, String> {
    if src.starts_with('/') || src.starts_with('.') || src.starts_with('~') {
        return ctx.host_path(src);
    }
    match ctx.volumes.iter().find(|(v, _)| v == src) {
        Some((_, ours)) => Ok(ours.clone()),
        None => Err(format!(
            "volume {src:?} is not declared under the top-level volumes: (declare it, or write a host path as ./{src})"
        )),
    }
}

fn volume_long(n: &Node, path: &str, ctx: &Ctx) -> Result<Result<Mount, String>, Fail> {
    let (mut ty, mut src, mut target, mut ro, mut size) = (None, None, None, false, None);
    for (k, v) in entries(n, path)? {
        let key = k.text().unwrap_or_default();
        let p = format!("{path}.{key}");
        match key {
            "type" => ty = Some((string(v, &p)?, v.line)),
            "source" => src = Some(string(v, &p)?),
            "target" => target = Some(string(v, &p)?),
            "read_only" => ro = boolean(v, &p)?,
            "tmpfs" => {
                for (tk, tv) in entries(v, &p)? {
                    let tp = format!("{p}.{}", tk.text().unwrap_or_default());
                    match tk.text() {
                        Some("size") => size = Some(tmpfs_size(tv, &tp)?),
                        _ => return Err(fail(tk.line, &tp, "not supported (use size)")),
                    }
                }
            }
            "bind" | "volume" | "consistency" => {
                return Err(fail(k.line, &p, "volume options are not supported (use type, source, target, read_only, tmpfs.size)"))
            }
            _ => return Err(fail(k.line, &p, "unknown volume key (use type, source, target, read_only, tmpfs.size)")),
        }
    }
    let Some((ty, ty_line)) = ty else {
        return Err(fail(
            n.line,
            path,
            "type: is required (bind, volume or tmpfs)",
        ));
    };
    let Some(target) = target else {
        return Err(fail(n.line, path, "target: is required"));
    };
    let ro_opt = if ro { ":ro" } else { "" };
    Ok(match (ty.as_str(), src) {
        ("tmpfs", None) => {
            let mut opts: Vec<String> = size.map(|s| format!("size={s}")).into_iter().collect();
            if ro {
                opts.push("ro".into());
            }
            Ok(Mount::Tmpfs(if opts.is_empty() { target } else { format!("{target}:{}", opts.join(",")) }))
        }
        ("tmpfs", Some(_)) => Err("a tmpfs has no source:".into()),
        ("bind", Some(s)) => ctx.host_path(&s).map(|s| Mount::Volume(format!("{s}:{target}{ro_opt}"))),
        ("volume", Some(s)) if !s.starts_with(['/', '.', '~']) => {
            source(&s, ctx).map(|s| Mount::Volume(format!("{s}:{target}{ro_opt}")))
        }
        ("bind" | "volume", _) if size.is_some() => Err("tmpfs: is for type: tmpfs".into()),
        ("volume", None) => Err(anonymous(&target)),
        ("bind", None) => Err("source: is required for a bind".into()),
        ("volume", Some(s)) => Err(format!("source {s:?}: a volume source is a declared volume name (use type: bind for a host path)")),
        (other, _) => {
            return Err(fail(ty_line, &format!("{path}.type"), format!("{other:?}: use bind, volume or tmpfs")))
        }
    })
}

/// A tmpfs size: bytes, or a compose size ("64m"), as bytes for the kernel.
fn tmpfs_size(v: &Node, path: &str) -> Result<u64, Fail> {
    let t = string(v, path)?;
    liftoff_common::units::parse_size(&t).ok_or_else(|| {
        fail(
            v.line,
            path,
            format!("{t:?}: use bytes or a size such as 64m"),
        )
    })
}

/// A short tmpfs (`/run:size=64m,noexec`): nosuid and nodev are dropped, liftoff always sets them.
fn tmpfs_short(t: &str, line: usize, path: &str) -> Result<String, Fail> {
    let (target, opts) = t.split_once(':').unwrap_or((t, ""));
    let keep: Vec<&str> = opts
        .split(',')
        .filter(|o| !o.is_empty() && !matches!(*o, "nosuid" | "nodev"))
        .collect();
    let spec = if keep.is_empty() {
        target.to_string()
    } else {
        format!("{target}:{}", keep.join(","))
    };
    volumes::parse_tmpfs(&spec).map_err(|e| fail(line, path, e))?;
    Ok(spec)
}

fn caps(v: &Node, path: &str) -> Result<Vec<String>, Fail> {
    let list = strings(v, path)?;
    for (c, line) in &list {
        // The capability parser takes names with or without CAP_, in any case.
        if !c.eq_ignore_ascii_case("all") && resolve::cap_name(c).is_none() {
            return Err(fail(*line, path, format!("{c:?}: unknown capability")));
        }
    }
    Ok(list.into_iter().map(|x| x.0).collect())
}

/// `depends_on:` as a list (started) or a mapping with conditions, to `after` entries.
fn depends_on(v: &Node, path: &str) -> Result<Vec<(String, usize, String)>, Fail> {
    let mut out = Vec::new();
    match &v.value {
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                out.push((format!("{}:started", string(n, &p)?), n.line, p));
            }
        }
        Value::Map(_) => {
            for (k, c) in entries(v, path)? {
                let name = k.text().unwrap_or_default();
                let p = format!("{path}.{name}");
                let mut until = "started";
                for (ck, cv) in entries(c, &p)? {
                    let cp = format!("{p}.{}", ck.text().unwrap_or_default());
                    match ck.text() {
                        Some("condition") => {
                            until = match string(cv, &cp)?.as_str() {
                                "service_started" => "started",
                                "service_healthy" => "ready",
                                "service_completed_successfully" => "completed",
                                other => return Err(fail(cv.line, &cp, format!("{other:?}: use service_started, service_healthy or service_completed_successfully"))),
                            }
                        }
                        Some("required") => return Err(fail(ck.line, &cp, "liftoff starts every service of the file; a dependency is always required")),
                        Some("restart") => return Err(fail(ck.line, &cp, "liftoff does not restart a service when one it depends on restarts; give the service a restart: policy of its own")),
                        _ => return Err(fail(ck.line, &cp, "unknown key (use condition)")),
                    }
                }
                out.push((format!("{name}:{until}"), k.line, p));
            }
        }
        _ => {
            return Err(fail(
                v.line,
                path,
                "expected a list of services or a mapping of service: {condition: ...}",
            ))
        }
    }
    Ok(out)
}

/// Docker's healthcheck defaults, so that a compose file behaves as it does under docker compose.
const DOCKER_INTERVAL: &str = "30s";
const DOCKER_TIMEOUT: &str = "30s";
const DOCKER_RETRIES: u32 = 3;
const DOCKER_START_PERIOD: &str = "0s";
const DOCKER_START_INTERVAL: &str = "5s";

/// `healthcheck:` to a ready probe (None when disabled).
fn healthcheck(v: &Node, path: &str) -> Result<Option<ReadyRequest>, Fail> {
    let mut r = ReadyRequest::default();
    let (mut test, mut disabled) = (None, false);
    let ms = |v: &Node, p: &str| -> Result<Option<String>, Fail> {
        let d = duration(v, p)?;
        Ok(Some(liftoff_common::units::format_duration(
            std::time::Duration::from_millis(d),
        )))
    };
    for (k, val) in entries(v, path)? {
        let key = k.text().unwrap_or_default();
        let p = format!("{path}.{key}");
        match key {
            "test" => test = Some(probe_test(val, &p)?),
            "disable" => disabled = boolean(val, &p)?,
            "interval" => r.interval = ms(val, &p)?,
            "timeout" => r.timeout = ms(val, &p)?,
            "start_period" => r.start_period = ms(val, &p)?,
            "start_interval" => r.start_interval = ms(val, &p)?,
            "retries" => {
                let t = string(val, &p)?;
                let n: u32 = t.parse().map_err(|_| fail(val.line, &p, format!("{t:?}: a count")))?;
                // Docker reads 0 as "the default".
                r.retries = (n > 0).then_some(n);
            }
            _ => return Err(fail(k.line, &p, "unknown healthcheck key (use test, interval, timeout, retries, start_period, start_interval, disable)")),
        }
    }
    let exec = match test {
        _ if disabled => return Ok(None),
        Some(None) => return Ok(None),
        Some(Some(argv)) => argv,
        None => {
            return Err(fail(
                v.line,
                path,
                "test: is required (liftoff does not read a HEALTHCHECK from the image)",
            ))
        }
    };
    let probe = ReadyRequest {
        exec: Some(exec),
        interval: r.interval.or(Some(DOCKER_INTERVAL.into())),
        timeout: r.timeout.or(Some(DOCKER_TIMEOUT.into())),
        retries: r.retries.or(Some(DOCKER_RETRIES)),
        start_period: r.start_period.or(Some(DOCKER_START_PERIOD.into())),
        start_interval: r.start_interval.or(Some(DOCKER_START_INTERVAL.into())),
        tcp: None,
    };
    // The probe's bounds (10 ms to 24 h, ...) are checked here, where the line is known.
    crate::pod::order::probe(&probe).map_err(|m| fail(v.line, path, m))?;
    Ok(Some(probe))
}

/// `test:`: `["CMD", ...]`, `["CMD-SHELL", "cmd"]`, a string (a shell command) or `["NONE"]`
/// (Some(None): no probe).
fn probe_test(v: &Node, path: &str) -> Result<Option<Vec<String>>, Fail> {
    let sh = |c: String| vec!["/bin/sh".to_string(), "-c".to_string(), c];
    let items = match &v.value {
        Value::Str { text, .. } => return Ok(Some(sh(text.clone()))),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| string(n, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
        _ => {
            return Err(fail(
                v.line,
                path,
                "expected [\"CMD\", ...], [\"CMD-SHELL\", \"command\"] or a string",
            ))
        }
    };
    match items.split_first() {
        Some((k, [])) if k == "NONE" => Ok(None),
        Some((k, rest)) if k == "CMD" && !rest.is_empty() => Ok(Some(rest.to_vec())),
        Some((k, rest)) if k == "CMD-SHELL" && !rest.is_empty() => Ok(Some(sh(rest.join(" ")))),
        _ => Err(fail(
            v.line,
            path,
            "expected [\"CMD\", ...], [\"CMD-SHELL\", \"command\"] or [\"NONE\"]",
        )),
    }
}

/// A compose duration (Go's: `1m30s`, `1.5s`, `500ms`, `0`) in milliseconds, rounded up.
fn duration(v: &Node, path: &str) -> Result<u64, Fail> {
    let t = string(v, path)?;
    go_duration_ms(&t).ok_or_else(|| {
        fail(
            v.line,
            path,
            format!("{t:?}: use a duration such as 10s, 1m30s or 500ms"),
        )
    })
}

pub(super) fn go_duration_ms(s: &str) -> Option<u64> {
    if s == "0" {
        return Some(0);
    }
    let mut rest = s;
    let mut nanos: u128 = 0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, r) = rest.split_at(num_len);
        let unit_len = r
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(r.len());
        let (unit, r) = r.split_at(unit_len);
        rest = r;
        let mult: u128 = match unit {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if int.is_empty() && frac.is_empty() || frac.contains('.') || frac.len() > 9 {
            return None;
        }
        let i: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let f: u128 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        let f_scale = 10u128.pow(frac.len() as u32);
        nanos = nanos
            .checked_add(i.checked_mul(mult)?)?
            .checked_add(f * mult / f_scale)?;
    }
    u64::try_from(nanos.div_ceil(1_000_000)).ok()
}

fn mem_limit(v: &Node, path: &str) -> Result<String, Fail> {
    let t = string(v, path)?;
    liftoff_common::units::parse_size(&t)
        .map(|_| t.clone())
        .ok_or_else(|| {
            fail(
                v.line,
                path,
                format!("{t:?}: use bytes or a size such as 512m or 1g"),
            )
        })
}

fn cpus(v: &Node, path: &str) -> Result<f64, Fail> {
    let t = string(v, path)?;
    t.parse::<f64>()
        .ok()
        .filter(|c| c.is_finite() && *c > 0.0)
        .ok_or_else(|| {
            fail(
                v.line,
                path,
                format!("{t:?}: a positive number of CPUs such as 0.5"),
            )
        })
}

/// `pids_limit`: 0 and -1 mean unlimited in docker, which is no limit here.
fn pids_limit(v: &Node, path: &str) -> Result<Option<u64>, Fail> {
    let t = string(v, path)?;
    let n: i64 = t
        .parse()
        .map_err(|_| fail(v.line, path, format!("{t:?}: a number")))?;
    Ok(u64::try_from(n).ok().filter(|n| *n > 0))
}

/// `ulimits: {nofile: {soft: S, hard: H}, nproc: N}` to podman's `nofile=S:H`.
fn ulimits(app: &str, v: &Node, path: &str) -> Result<Vec<String>, Fail> {
    let mut out = Vec::new();
    for (k, val) in entries(v, path)? {
        let name = k.text().unwrap_or_default();
        let p = format!("{path}.{name}");
        let spec = match &val.value {
            Value::Str { text, .. } => format!("{name}={text}"),
            Value::Map(_) => {
                let (mut soft, mut hard) = (None, None);
                for (lk, lv) in entries(val, &p)? {
                    let lp = format!("{p}.{}", lk.text().unwrap_or_default());
                    match lk.text() {
                        Some("soft") => soft = Some(string(lv, &lp)?),
                        Some("hard") => hard = Some(string(lv, &lp)?),
                        _ => return Err(fail(lk.line, &lp, "use soft and hard")),
                    }
                }
                match (soft, hard) {
                    (Some(s), Some(h)) => format!("{name}={s}:{h}"),
                    _ => return Err(fail(val.line, &p, "give both soft and hard")),
                }
            }
            _ => return Err(fail(val.line, &p, "a number or {soft, hard}")),
        };
        resolve::parse_ulimit(app, &spec).map_err(|e| fail(val.line, &p, e))?;
        out.push(spec);
    }
    Ok(out)
}

/// A service's `networks:` may only name the default network (the pod's one).
fn service_networks(v: &Node, path: &str) -> Result<(), Fail> {
    let one_net = "liftoff runs one pod: its apps share one network namespace, so a service is only on the default network";
    match &v.value {
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                if n.text() != Some("default") {
                    return Err(fail(n.line, &format!("{path}[{i}]"), one_net));
                }
            }
        }
        Value::Map(m) => {
            for (k, val) in m {
                let empty = matches!(&val.value, Value::Null)
                    || matches!(&val.value, Value::Map(e) if e.is_empty());
                if k.text() != Some("default") {
                    return Err(fail(
                        k.line,
                        &format!("{path}.{}", k.text().unwrap_or_default()),
                        one_net,
                    ));
                }
                if !empty {
                    return Err(fail(
                        val.line,
                        &format!("{path}.default"),
                        "network options (aliases, addresses) are not supported",
                    ));
                }
            }
        }
        Value::Null => {}
        Value::Str { .. } => return Err(fail(v.line, path, "expected a list or a mapping")),
    }
    Ok(())
}

/// `extra_hosts:` (`NAME:IP`, `NAME=IP` or a mapping) to `--add-host NAME:IP`.
fn extra_hosts(v: &Node, path: &str) -> Result<Vec<String>, Fail> {
    let mut out = Vec::new();
    let mut add = |name: &str, ip: &str, line: usize, p: &str| -> Result<(), Fail> {
        let spec = format!("{name}:{ip}");
        networks::parse_add_host(&spec).map_err(|e| fail(line, p, e))?;
        out.push(spec);
        Ok(())
    };
    match &v.value {
        Value::Map(m) => {
            for (k, val) in m {
                let name = k.text().unwrap_or_default();
                let p = format!("{path}.{name}");
                add(name, &string(val, &p)?, val.line, &p)?;
            }
        }
        _ => {
            for (i, (s, line)) in strings(v, path)?.into_iter().enumerate() {
                let p = format!("{path}[{i}]");
                let (name, ip) = s
                    .split_once('=')
                    .or_else(|| s.split_once(':'))
                    .ok_or_else(|| fail(line, &p, "use NAME:IP"))?;
                add(name, ip, line, &p)?;
            }
        }
    }
    Ok(out)
}
