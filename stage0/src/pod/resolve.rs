//! From a [`PodRequest`] to the stage1 manifest: images found in the store and re-checked against
//! today's trust, their configs merged with the overrides (podman's rules), capabilities, limits,
//! rlimits and seccomp profiles resolved. Nothing here touches the system beyond reading the store.

use super::networks;
use super::request::{AppRequest, NetSettings, PodRequest};
use super::volumes;
use crate::image_manifest::RunConfig;
use crate::images::{self, ImageError};
use crate::reference::ImageName;
use crate::store::Store;
use crate::trust::gate::{self, Verdict};
use crate::trust::verify::Trust;
pub use liftoff_common::units::parse_size;
use liftoff_contract::manifest::RestartPolicy;
use liftoff_contract::{valid_app_name, Limits, NetMode, PodApp, PodManifest};
use liftoff_stage2::{AppSpec, Capability, ResourceLimit, RlimitResource, SeccompMode};

/// The capabilities a root app gets by default (kept with stage2, which tests its filter with them).
pub use liftoff_stage2::DEFAULT_CAPS;

/// Every capability name liftoff accepts for --cap-add.
pub const ALL_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("image {image}: {reason}")]
    Untrusted { image: String, reason: String },
    #[error("app {app}: {msg}")]
    App { app: String, msg: String },
    #[error("{0}")]
    Pod(String),
}

fn app_err(app: &str, msg: impl Into<String>) -> ResolveError {
    ResolveError::App {
        app: app.to_string(),
        msg: msg.into(),
    }
}

/// "a, b and c".
fn and_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.join(""),
    }
}

/// Reads and checks a `--seccomp FILE` profile, so that a bad one is refused here, naming the file,
/// rather than by the supervisor. Says which calls stay blocked whatever the profile says.
fn user_profile(app: &str, path: &str, caps: &[Capability]) -> Result<SeccompMode, ResolveError> {
    use std::io::Read;
    const MAX: u64 = 4 << 20;
    // Read at most one byte past the limit: the path may be a device or a fifo.
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX + 1).read_to_string(&mut text))
        .map_err(|x| app_err(app, format!("--seccomp={path}: {x}")))?;
    if text.len() as u64 > MAX {
        return Err(app_err(app, format!("--seccomp={path}: larger than 4 MiB")));
    }
    let mode = SeccompMode::Profile(text);
    liftoff_stage2::seccomp::compile(&mode, caps)
        .map_err(|e| app_err(app, format!("--seccomp={path}: {e}")))?;
    liftoff_stage2::warning!(
        "app {app}: --seccomp={path}: the profile replaces liftoff's default filter, but {} stay \
         blocked whatever it says (only --seccomp=unconfined lifts them)",
        and_list(liftoff_stage2::seccomp::table::ALWAYS_BLOCKED)
    );
    Ok(mode)
}

/// "net_bind_service", "NET_BIND_SERVICE" or "CAP_NET_BIND_SERVICE" → "CAP_NET_BIND_SERVICE".
pub fn cap_name(s: &str) -> Option<String> {
    let u = s.trim().to_ascii_uppercase();
    let n = if u.starts_with("CAP_") {
        u
    } else {
        format!("CAP_{u}")
    };
    ALL_CAPS.contains(&n.as_str()).then_some(n)
}

/// The default set, minus --cap-drop (where "all" drops everything), plus --cap-add ("all" adds all).
pub fn capabilities(
    app: &str,
    add: &[String],
    drop: &[String],
) -> Result<Vec<String>, ResolveError> {
    let mut set: Vec<String> = DEFAULT_CAPS.iter().map(|s| s.to_string()).collect();
    for d in drop {
        if d.eq_ignore_ascii_case("all") {
            set.clear();
        } else {
            let n = cap_name(d)
                .ok_or_else(|| app_err(app, format!("--cap-drop {d}: unknown capability")))?;
            set.retain(|c| *c != n);
        }
    }
    for a in add {
        if a.eq_ignore_ascii_case("all") {
            set = ALL_CAPS.iter().map(|s| s.to_string()).collect();
        } else {
            let n = cap_name(a)
                .ok_or_else(|| app_err(app, format!("--cap-add {a}: unknown capability")))?;
            if !set.contains(&n) {
                set.push(n);
            }
        }
    }
    Ok(set)
}

/// podman's --ulimit: "nofile=1024:2048" or "nproc=512".
pub fn parse_ulimit(app: &str, s: &str) -> Result<ResourceLimit, ResolveError> {
    let bad = || {
        app_err(
            app,
            format!("--ulimit {s}: use NAME=SOFT[:HARD], e.g. nofile=1024:2048"),
        )
    };
    let (name, vals) = s.split_once('=').ok_or_else(bad)?;
    let (soft, hard) = match vals.split_once(':') {
        Some((a, b)) => (a, b),
        None => (vals, vals),
    };
    let num = |v: &str| -> Result<u64, ResolveError> {
        if v == "-1" || v == "unlimited" {
            Ok(u64::MAX)
        } else {
            v.parse().map_err(|_| bad())
        }
    };
    let (soft, hard) = (num(soft)?, num(hard)?);
    if soft > hard {
        return Err(app_err(
            app,
            format!("--ulimit {s}: soft limit above hard limit"),
        ));
    }
    // The resources stage2 knows are the ones `--ulimit` takes (podman's names, lower case).
    let resource: RlimitResource = format!("RLIMIT_{}", name.trim().to_ascii_uppercase())
        .parse()
        .map_err(|_| app_err(app, format!("--ulimit {s}: unknown resource {name:?}")))?;
    ResourceLimit::new(resource, soft, hard).map_err(|e| app_err(app, format!("--ulimit {s}: {e}")))
}

/// Derives an app name from an image name: its last path component, made a valid app name.
pub fn default_app_name(image: &str) -> String {
    let base = image.rsplit('/').next().unwrap_or(image);
    let base = base.split([':', '@']).next().unwrap_or(base);
    let mut n: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    n = n.trim_matches('-').chars().take(63).collect();
    if n.is_empty() {
        "app".into()
    } else {
        n
    }
}

/// Re-checks an image's signatures against today's keys and policy (docs/trust.md: removing a key or
/// tightening policy takes effect for images already in the store). Returns a note for the log.
pub fn check_trust(
    store: &Store,
    trust: &Trust,
    e: &crate::store::IndexEntry,
    insecure: bool,
) -> Result<String, ResolveError> {
    let untrusted = |reason: String| ResolveError::Untrusted {
        image: e.name.clone(),
        reason,
    };
    if insecure {
        return Ok(Verdict::NotChecked.describe());
    }
    let name = ImageName::parse(&e.name).map_err(|x| untrusted(x.to_string()))?;
    let sigs = store
        .signatures(&name.repository(), &e.descriptor.digest)
        .map_err(|x| untrusted(x.to_string()))?;
    match gate::decide(trust, &name, &e.descriptor.digest, &sigs, false) {
        Ok(v) => {
            if let Verdict::AcceptedUnsigned { prefix } = &v {
                liftoff_stage2::warning!(
                    "running UNSIGNED image {} (policy.toml: insecure_accept_unsigned for prefix {prefix})",
                    e.name
                );
            }
            Ok(v.describe())
        }
        Err(x) => Err(untrusted(format!(
            "refusing to run it: it does not verify against today's trust store and policy.\n{x}\n\
             (to run it anyway, once and loudly: liftoff run --insecure-options=image …)"
        ))),
    }
}

/// The image's environment with `-e` (or the pod file's `env`) on top: a variable set again replaces
/// the earlier one and moves to the end. Linear in the number of entries (an index by name), so a
/// pod file with a huge `env` cannot stall `run`.
fn merge_env(app: &str, image: Vec<String>, extra: &[String]) -> Result<Vec<String>, ResolveError> {
    use liftoff_stage2::report::shown;
    let mut env: Vec<Option<String>> = Vec::with_capacity(image.len() + extra.len() + 1);
    if !image.iter().any(|v| v.starts_with("PATH=")) {
        env.push(Some(DEFAULT_PATH.into()));
    }
    env.extend(image.into_iter().map(Some));
    // Where each name is set; every position is dropped at most once, so the merge is linear.
    let mut by_name: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for (i, v) in env.iter().enumerate() {
        if let Some((k, _)) = v.as_deref().and_then(|v| v.split_once('=')) {
            by_name.entry(k.to_string()).or_default().push(i);
        }
    }
    for kv in extra {
        let Some((k, _)) = kv.split_once('=') else {
            return Err(app_err(app, format!("-e {}: use KEY=VALUE", shown(kv))));
        };
        if k.is_empty() {
            return Err(app_err(
                app,
                format!("-e {}: empty variable name", shown(kv)),
            ));
        }
        let slots = by_name.entry(k.to_string()).or_default();
        for i in slots.drain(..) {
            env[i] = None;
        }
        slots.push(env.len());
        env.push(Some(kv.clone()));
    }
    Ok(env.into_iter().flatten().collect())
}

/// Builds the stage1 manifest for `req`.
pub fn resolve(
    store: &Store,
    trust: &Trust,
    req: &PodRequest,
    pod_id: &str,
    insecure: bool,
    net_cfg: &NetSettings,
) -> Result<PodManifest, ResolveError> {
    if req.apps.is_empty() && !req.sandbox {
        return Err(ResolveError::Pod("nothing to run: give an image".into()));
    }
    if req.sandbox {
        check_sandbox(req)?;
    }
    let (net, networks) = resolve_net(req, store, net_cfg)?;
    let ports = resolve_ports(req, net, &networks)?;
    let add_hosts = req
        .add_hosts
        .iter()
        .map(|h| networks::parse_add_host(h))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ResolveError::Pod(e.to_string()))?;
    let mut apps = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for a in &req.apps {
        let app = resolve_app(store, trust, a, insecure, &names)?;
        names.push(app.spec.name.clone());
        apps.push(app);
    }
    resolve_order(req, &names, &mut apps)?;
    let hostname = req
        .hostname
        .clone()
        .or_else(|| names.first().cloned())
        .or_else(|| req.name.clone())
        .unwrap_or_else(|| "sandbox".into());
    check_etc_text(req, &hostname)?;
    let limits = Limits {
        memory_bytes: req
            .memory
            .as_deref()
            .map(|m| {
                parse_size(m).ok_or_else(|| {
                    ResolveError::Pod(format!("pod memory limit {m:?}: use e.g. 512M"))
                })
            })
            .transpose()?,
        cpus: check_cpus(req.cpus).map_err(ResolveError::Pod)?,
        pids: req.pids_limit,
    };
    if (req.tty || req.interactive) && apps.len() > 1 {
        return Err(ResolveError::Pod(
            "-i/-t need a pod with exactly one app".into(),
        ));
    }
    let volumes = resolve_mounts(req, &mut apps, store.root())?;
    let (notify, sockets, exit_code_from) = resolve_app_roles(req, &names)?;
    Ok(PodManifest {
        version: liftoff_contract::POD_MANIFEST_VERSION,
        pod_id: pod_id.to_string(),
        hostname,
        net,
        stop_timeout_secs: req.stop_timeout,
        limits,
        interactive: req.interactive,
        tty: req.tty,
        prefix_output: req.prefix_output,
        dns: req.dns.clone(),
        dns_search: req.dns_search.clone(),
        detached: req.detached,
        log_max_bytes: req.log_max_bytes,
        volumes,
        networks,
        cni_plugin_dirs: net_cfg.plugin_dirs.clone(),
        netns_dir: store.root().join("netns"),
        ports,
        add_hosts,
        etc_writable: req.etc_writable,
        notify,
        sockets,
        exit_code_from,
        on_exit: req.on_exit.clone(),
        // Leased by `run` once the pod dir exists (see cli/run.rs `assign_ids`).
        userns: None,
        sandbox: req.sandbox,
        generation: 0,
        apps,
    })
}

/// What a sandbox (`run --sandbox`: no apps of its own, up until stopped) cannot have.
fn check_sandbox(req: &PodRequest) -> Result<(), ResolveError> {
    let refuse = |m: &str| Err(ResolveError::Pod(m.into()));
    if req.tty || req.interactive {
        return refuse("--sandbox starts without an app, so there is nothing for -i/-t to attach to; start an app in it with `liftoff app start POD NAME --attach`");
    }
    if req.exit_code_from.is_some() {
        return refuse("--exit-code-from: a sandbox does not end when an app does (only `liftoff stop` ends it); drop --exit-code-from, or run the apps in a pod of their own");
    }
    if req.notify.as_deref().is_some_and(|n| n.starts_with("app:")) && req.apps.is_empty() {
        return refuse("--notify=app:NAME: a sandbox starts without apps, so none can report readiness; use --notify (ready once the sandbox is up)");
    }
    if req.apps.is_empty() && (req.listen.is_some() || req.socket_app.is_some()) {
        return refuse("socket activation (LISTEN_FDS, --socket-app) needs an app to hand the sockets to, and a sandbox starts without one; run the app with `liftoff run IMAGE` from the socket unit instead");
    }
    if let Some(n) = &req.name {
        if !valid_app_name(n) {
            return Err(ResolveError::Pod(format!(
                "pod name {}: use 1-63 characters of a-z, 0-9 and '-'",
                liftoff_stage2::report::shown(n)
            )));
        }
    }
    Ok(())
}

/// Each app's readiness probe and the apps it starts after (the front end has already checked the
/// order with lines; this catches what only the resolved names show, e.g. a default name).
fn resolve_order(
    req: &PodRequest,
    names: &[String],
    apps: &mut [PodApp],
) -> Result<(), ResolveError> {
    for (a, app) in req.apps.iter().zip(apps.iter_mut()) {
        resolve_probe(a, app)?;
    }
    let nodes: Vec<super::order::Node> = req
        .apps
        .iter()
        .zip(names)
        .zip(apps.iter())
        .map(|((a, n), app)| super::order::Node {
            name: n,
            has_probe: app.ready.is_some(),
            after: a.after.iter().map(|s| (s.as_str(), None)).collect(),
        })
        .collect();
    let deps = super::order::check(&nodes).map_err(|e| ResolveError::Pod(e.msg))?;
    for (app, d) in apps.iter_mut().zip(deps) {
        app.after = d
            .into_iter()
            .map(|(app, until)| liftoff_contract::manifest::Dependency { app, until })
            .collect();
    }
    Ok(())
}

/// One app's readiness probe, checked.
fn resolve_probe(a: &AppRequest, app: &mut PodApp) -> Result<(), ResolveError> {
    if let Some(r) = &a.ready {
        app.ready = Some(super::order::probe(r).map_err(|m| app_err(&app.spec.name, m))?);
    }
    Ok(())
}

/// `--net`: the pod's network mode and, for CNI, its networks in order.
fn resolve_net(
    req: &PodRequest,
    store: &Store,
    net_cfg: &NetSettings,
) -> Result<(NetMode, Vec<liftoff_contract::network::Network>), ResolveError> {
    Ok(match req.net.as_str() {
        "none" => (NetMode::None, Vec::new()),
        "host" => {
            // Apps of a --net=host pod with the host's ids keep the host's user namespace (their
            // capabilities must reach the host's network), so the user namespace that keeps apps
            // out of each other's /proc/PID/root and environ elsewhere cannot apply. A remapped
            // pod's apps are kept apart by their Landlock domains, whatever the network.
            let shared = req.apps.len() > 1 && !req.remapped;
            if shared && !req.net_host_apps {
                return Err(ResolveError::Pod(
                    "--net=host --userns=host with several apps: they would share the host's user namespace and could read each other's files and environment through /proc; drop --userns=host, run each app in a pod of its own, or accept it with --insecure-options=net-host-apps".into(),
                ));
            }
            liftoff_stage2::note!("--net=host: the pod shares the host's network namespace");
            if shared {
                liftoff_stage2::warning!(
                    "--insecure-options=net-host-apps: the apps of this pod are NOT isolated from each other (shared host user namespace; /proc/PID/root and environ are readable across apps)"
                );
            }
            (NetMode::Host, Vec::new())
        }
        list => {
            let mut nets: Vec<liftoff_contract::network::Network> = Vec::new();
            for name in list.split(',') {
                if name == "none" || name == "host" {
                    return Err(ResolveError::Pod(format!(
                        "--net={list}: {name} cannot be combined with other networks"
                    )));
                }
                let n = networks::load(name, net_cfg, store)
                    .map_err(|e| ResolveError::Pod(e.to_string()))?;
                if nets.iter().any(|x| x.name == n.name) {
                    return Err(ResolveError::Pod(format!(
                        "--net={list}: network {} is given twice",
                        n.name
                    )));
                }
                nets.push(n);
            }
            (NetMode::Cni, nets)
        }
    })
}

/// `-p`: the published ports, which need a first network with the portMappings capability.
fn resolve_ports(
    req: &PodRequest,
    net: NetMode,
    networks: &[liftoff_contract::network::Network],
) -> Result<Vec<liftoff_contract::network::PortMapping>, ResolveError> {
    let ports = req
        .publish
        .iter()
        .map(|p| networks::parse_publish(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ResolveError::Pod(e.to_string()))?;
    if !ports.is_empty() && net != NetMode::Cni {
        return Err(ResolveError::Pod(format!(
            "-p needs a network (--net=default or a named one); with --net={} there is nothing to publish to",
            req.net
        )));
    }
    if !ports.is_empty()
        && !networks.first().is_some_and(|n| {
            n.native.is_some()
                || n.plugins.iter().any(|p| {
                    p.get("capabilities")
                        .and_then(|c| c.get("portMappings"))
                        .and_then(|v| v.as_bool())
                        == Some(true)
                })
        })
    {
        return Err(ResolveError::Pod(format!(
            "-p: network {} has no plugin with the portMappings capability (add {{\"type\": \"portmap\", \"capabilities\": {{\"portMappings\": true}}}} to {})",
            networks[0].name, networks[0].source
        )));
    }
    if let Some(spec) = networks.first().and_then(|n| n.native.as_ref()) {
        for p in &ports {
            let Ok(std::net::IpAddr::V6(ip)) = p.host_ip.parse::<std::net::IpAddr>() else {
                continue;
            };
            if let Some(v4) = ip.to_ipv4_mapped() {
                return Err(ResolveError::Pod(format!(
                    "-p [{ip}]:{}:{}: an IPv4-mapped address is IPv4 on the wire; write -p {v4}:{}:{}",
                    p.host_port, p.container_port, p.host_port, p.container_port
                )));
            }
            if spec.ipv6.is_none() {
                return Err(ResolveError::Pod(format!(
                    "-p [{ip}]:{}:{}: the default network has no IPv6 subnet; set ipv6 = \"fd66::/64\" (a ULA subnet of your choice) under [network] in the config file, or publish on an IPv4 address",
                    p.host_port, p.container_port
                )));
            }
            // The supervisor relays TCP on ::1 itself (the kernel cannot DNAT it); UDP it does not.
            if ip.is_loopback() && p.protocol != "tcp" {
                return Err(ResolveError::Pod(format!(
                    "-p [::1]:{}:{}/{}: IPv6 loopback is published for TCP only (the kernel drops forwarded packets from ::1, so liftoff relays TCP connections itself); publish UDP on 127.0.0.1 or on one of the host's IPv6 addresses",
                    p.host_port, p.container_port, p.protocol
                )));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for p in &ports {
        if !seen.insert((p.host_port, p.protocol.clone())) {
            return Err(ResolveError::Pod(format!(
                "-p: host port {}/{} is published twice",
                p.host_port, p.protocol
            )));
        }
    }
    Ok(ports)
}

/// Text that becomes lines of the pod's /etc files: host name, name servers, search domains.
fn check_etc_text(req: &PodRequest, hostname: &str) -> Result<(), ResolveError> {
    if !liftoff_contract::manifest::valid_hostname(hostname) {
        return Err(ResolveError::Pod(format!(
            "--hostname {}: a host name is at most 64 bytes of dot-separated labels of letters, digits and '-' (RFC 1123)",
            liftoff_stage2::report::shown(hostname)
        )));
    }
    if let Some(d) = req
        .dns
        .iter()
        .find(|d| d.parse::<std::net::IpAddr>().is_err())
    {
        return Err(ResolveError::Pod(format!(
            "--dns {}: a name server is an IP address",
            liftoff_stage2::report::shown(d)
        )));
    }
    if let Some(d) = req
        .dns_search
        .iter()
        .find(|d| !liftoff_contract::manifest::valid_domain(d))
    {
        return Err(ResolveError::Pod(format!(
            "--dns-search {}: a search domain is a DNS name (letters, digits, '-' and '.')",
            liftoff_stage2::report::shown(d)
        )));
    }
    Ok(())
}

type AppRoles = (
    Option<liftoff_contract::manifest::NotifyMode>,
    Option<liftoff_contract::manifest::SocketActivation>,
    Option<String>,
);

/// The apps that play a part for the whole pod: who reports readiness (`--notify`), who gets the
/// sockets (`--socket-app`), whose exit code is the pod's (`--exit-code-from`).
fn resolve_app_roles(req: &PodRequest, names: &[String]) -> Result<AppRoles, ResolveError> {
    let app_named = |n: &str, flag: &str| -> Result<String, ResolveError> {
        if names.iter().any(|a| a == n) {
            Ok(n.to_string())
        } else {
            Err(ResolveError::Pod(format!(
                "{flag}: the pod has no app {n:?} (its apps: {})",
                names.join(", ")
            )))
        }
    };
    let notify = match req.notify.as_deref() {
        None => None,
        Some("pod") | Some("") => Some(liftoff_contract::manifest::NotifyMode::Pod),
        Some(x) => match x.strip_prefix("app:") {
            Some(n) => Some(liftoff_contract::manifest::NotifyMode::App(app_named(
                n,
                "--notify=app:NAME",
            )?)),
            None => {
                return Err(ResolveError::Pod(format!(
                    "--notify={x}: use --notify (the pod) or --notify=app:NAME"
                )))
            }
        },
    };
    let sockets = match &req.listen {
        Some((count, names_)) => Some(liftoff_contract::manifest::SocketActivation {
            app: match &req.socket_app {
                Some(n) => app_named(n, "--socket-app")?,
                None => names[0].clone(),
            },
            count: *count,
            names: names_.clone(),
        }),
        None if req.socket_app.is_some() => {
            return Err(ResolveError::Pod(
                "--socket-app: no sockets were passed (LISTEN_FDS is not set for this process); start liftoff from a .socket unit or systemd-socket-activate".into(),
            ))
        }
        None => None,
    };
    let exit_code_from = req
        .exit_code_from
        .as_deref()
        .map(|n| app_named(n, "--exit-code-from"))
        .transpose()?;
    Ok((notify, sockets, exit_code_from))
}

/// Turns each app's -v/--tmpfs and the pod's `[[volume]]`s into mounts; returns the named volumes.
fn resolve_mounts(
    req: &PodRequest,
    apps: &mut [PodApp],
    state_root: &std::path::Path,
) -> Result<Vec<liftoff_contract::manifest::EmptyVolume>, ResolveError> {
    let mut named = Vec::new();
    for v in &req.volumes {
        if let Some(bad) = v
            .apps
            .iter()
            .find(|n| !apps.iter().any(|a| &a.spec.name == *n))
        {
            return Err(ResolveError::Pod(format!(
                "[[volume]] {}:{} names app {bad:?}, which is not in the pod",
                v.source, v.target
            )));
        }
    }
    for (a, r) in apps.iter_mut().zip(&req.apps) {
        app_mounts(a, r, &req.volumes, state_root, &mut named)?;
    }
    Ok(named)
}

/// One app's -v/--tmpfs and the pod-wide volumes meant for it, as mounts; the named volumes they
/// use are added to `named`.
fn app_mounts(
    a: &mut PodApp,
    r: &AppRequest,
    pod_volumes: &[volumes::VolumeRequest],
    state_root: &std::path::Path,
    named: &mut Vec<liftoff_contract::manifest::EmptyVolume>,
) -> Result<(), ResolveError> {
    let name = a.spec.name.clone();
    let e = |x: super::volumes::VolumeError| app_err(&name, x.to_string());
    let mut wanted = Vec::new();
    for s in &r.volumes {
        wanted.push(volumes::parse_volume(s).map_err(e)?);
    }
    wanted.extend(
        pod_volumes
            .iter()
            .filter(|v| v.apps.is_empty() || v.apps.contains(&name))
            .cloned(),
    );
    for v in &wanted {
        let (m, vol) = volumes::resolve(v, state_root).map_err(e)?;
        if let Some(vol) = vol {
            volumes::add_volume(named, vol).map_err(e)?;
        }
        a.mounts.push(m);
    }
    for t in &r.tmpfs {
        a.mounts.push(volumes::parse_tmpfs(t).map_err(e)?);
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = a.mounts.iter().find(|m| !seen.insert(m.target.clone())) {
        return Err(app_err(
            &name,
            format!("two mounts on {}; give each target once", dup.target),
        ));
    }
    Ok(())
}

/// `liftoff app add`: one more app for a running pod, resolved as `run` resolves each of its apps
/// (the image found and verified against today's trust, its config merged with the flags, its
/// probe and mounts checked) against what the pod already is. An added app starts when asked, so
/// it has no `--after`; its named volumes must be ones the pod already has (they are made when the
/// pod starts); in a --net=host pod with the host's ids it may be the only app, as in `run`.
pub fn resolve_added_app(
    store: &Store,
    trust: &Trust,
    a: &AppRequest,
    pod: &PodManifest,
    insecure: bool,
    net_host_apps: bool,
) -> Result<PodApp, ResolveError> {
    if !a.after.is_empty() {
        return Err(ResolveError::Pod(
            "--after: an added app starts when `liftoff app start` asks, not after another app; start it once the app it needs is up".into(),
        ));
    }
    if pod.apps.len() >= liftoff_contract::manifest::MAX_APPS {
        return Err(ResolveError::Pod(format!(
            "the pod has {} apps, the most one pod can have; remove one with `liftoff app rm` first",
            pod.apps.len()
        )));
    }
    if pod.net == NetMode::Host && pod.userns.is_none() && !pod.apps.is_empty() {
        if !net_host_apps {
            return Err(ResolveError::Pod(
                "--net=host --userns=host with several apps: they would share the host's user namespace and could read each other's files and environment through /proc; run the app in a pod of its own, or accept it with --insecure-options=net-host-apps".into(),
            ));
        }
        liftoff_stage2::warning!(
            "--insecure-options=net-host-apps: the apps of this pod are NOT isolated from each other (shared host user namespace; /proc/PID/root and environ are readable across apps)"
        );
    }
    let taken: Vec<String> = pod.apps.iter().map(|x| x.spec.name.clone()).collect();
    let mut app = resolve_app(store, trust, a, insecure, &taken)?;
    resolve_probe(a, &mut app)?;
    added_app_mounts(&mut app, a, pod, store.root())?;
    Ok(app)
}

/// An added app's mounts: as any app's, with named volumes only from those the pod has.
fn added_app_mounts(
    app: &mut PodApp,
    a: &AppRequest,
    pod: &PodManifest,
    state_root: &std::path::Path,
) -> Result<(), ResolveError> {
    let shown = |n: &str| liftoff_stage2::report::shown(n).to_string();
    let mut named = pod.volumes.clone();
    app_mounts(app, a, &[], state_root, &mut named)?;
    if let Some(v) = named
        .iter()
        .find(|v| !pod.volumes.iter().any(|x| x.name == v.name))
    {
        let have: Vec<&str> = pod.volumes.iter().map(|v| v.name.as_str()).collect();
        return Err(app_err(
            &app.spec.name,
            format!(
                "-v {}:…: the pod has no volume {}; a running pod's named volumes are made when it starts ({}), so use one of those or a host path",
                shown(&v.name),
                shown(&v.name),
                if have.is_empty() {
                    "it has none".to_string()
                } else {
                    format!("it has {}", have.join(", "))
                }
            ),
        ));
    }
    Ok(())
}

fn check_cpus(c: Option<f64>) -> Result<Option<f64>, String> {
    match c {
        Some(v) if !(v.is_finite() && v > 0.0 && v <= liftoff_contract::manifest::MAX_CPUS) => {
            Err(format!("--cpus {v}: use a positive number such as 0.5"))
        }
        other => Ok(other),
    }
}

fn resolve_app(
    store: &Store,
    trust: &Trust,
    a: &AppRequest,
    insecure: bool,
    taken: &[String],
) -> Result<PodApp, ResolveError> {
    let e = images::find(store, &a.image)?;
    let name = app_name(a, &e.name, taken)?;
    let note = check_trust(store, trust, &e, insecure)?;
    tracing::info!("app {name}: image {}: {note}", e.name);

    let (rc, layers) = image_config_and_layers(store, &e, &name)?;

    // podman's rules: --entrypoint replaces Entrypoint and drops the image's Cmd; a command after the
    // image replaces Cmd.
    let (entry, cmd) = match (&a.exec, &a.args) {
        (Some(x), Some(args)) => (x.clone(), args.clone()),
        (Some(x), None) => (x.clone(), Vec::new()),
        (None, Some(args)) => (rc.entrypoint.clone().unwrap_or_default(), args.clone()),
        (None, None) => (
            rc.entrypoint.clone().unwrap_or_default(),
            rc.cmd.clone().unwrap_or_default(),
        ),
    };
    let argv: Vec<String> = entry.into_iter().chain(cmd).collect();
    if argv.is_empty() || argv[0].is_empty() {
        return Err(app_err(
            &name,
            format!(
                "image {} has no entrypoint or command; give one after `--`",
                e.name
            ),
        ));
    }

    let env = merge_env(&name, rc.env.clone().unwrap_or_default(), &a.env)?;

    let cwd = a
        .workdir
        .clone()
        .or(rc.working_dir.clone().filter(|w| !w.is_empty()))
        .unwrap_or_else(|| "/".into());
    if !cwd.starts_with('/') {
        return Err(app_err(
            &name,
            format!("--workdir {cwd}: must be an absolute path"),
        ));
    }
    let user = a.user.clone().or(rc.user.clone()).unwrap_or_default();
    liftoff_stage2::user::check_spec(&user, &a.group_add).map_err(|e| {
        let from = if a.user.is_some() {
            "--user"
        } else {
            "the image's User"
        };
        app_err(&name, format!("{from} {user}: {e}"))
    })?;
    let (capabilities, ambient, rlimits, seccomp) = app_privileges(&name, a)?;
    let limits = Limits {
        memory_bytes: a
            .memory
            .as_deref()
            .map(|m| {
                parse_size(m).ok_or_else(|| app_err(&name, format!("--memory {m}: use e.g. 256M")))
            })
            .transpose()?,
        cpus: check_cpus(a.cpus).map_err(|m| app_err(&name, m))?,
        pids: a.pids_limit,
    };
    let restart = a
        .restart
        .as_deref()
        .map(RestartPolicy::parse)
        .transpose()
        .map_err(|m| app_err(&name, m.to_string()))?
        .flatten();
    Ok(PodApp {
        spec: AppSpec {
            name,
            argv,
            env,
            cwd,
            user,
            additional_groups: a.group_add.clone(),
            capabilities,
            ambient,
            no_new_privs: true,
            rlimits,
            seccomp,
        },
        layers,
        read_only: a.read_only,
        limits,
        mounts: Vec::new(),
        after: Vec::new(),
        ready: None,
        restart,
        generation: 0,
        image: Some(liftoff_contract::manifest::ImageRef {
            name: e.name.clone(),
            digest: e.descriptor.digest.to_string(),
        }),
    })
}

/// The app's name: `--name` (checked, unique in the pod), else one made from the image name.
fn app_name(a: &AppRequest, image: &str, taken: &[String]) -> Result<String, ResolveError> {
    Ok(match &a.name {
        Some(n) => {
            if !valid_app_name(n) {
                return Err(app_err(
                    n,
                    "app names are 1-63 characters of a-z, 0-9 and '-'",
                ));
            }
            if taken.contains(n) {
                return Err(app_err(
                    n,
                    "two apps have this name; give one another with --name",
                ));
            }
            n.clone()
        }
        None => {
            let base = default_app_name(image);
            let mut n = base.clone();
            let mut i = 2;
            while taken.contains(&n) {
                n = format!("{base}-{i}");
                i += 1;
            }
            n
        }
    })
}

/// The image's run config and its unpacked layer dirs, lowest first.
fn image_config_and_layers(
    store: &Store,
    e: &crate::store::IndexEntry,
    name: &str,
) -> Result<(RunConfig, Vec<std::path::PathBuf>), ResolveError> {
    let (_, _, cbytes, diff_ids) = images::load(store, e)?;
    let cfg: serde_json::Value = serde_json::from_slice(&cbytes).unwrap_or_default();
    let rc: RunConfig = cfg
        .get("config")
        .cloned()
        .and_then(|c| serde_json::from_value(c).ok())
        .unwrap_or_default();
    let mut layers = Vec::new();
    for d in &diff_ids {
        if !store.has_layer(d) {
            return Err(app_err(
                name,
                format!(
                    "layer {d} of image {} is not unpacked in the store; fetch the image again",
                    e.name
                ),
            ));
        }
        layers.push(store.layer_path(d));
    }

    Ok((rc, layers))
}

type Privileges = (
    Vec<Capability>,
    Vec<Capability>,
    Vec<ResourceLimit>,
    SeccompMode,
);

/// What the app may do: capabilities (and the ambient ones a non-root user gets), rlimits and the
/// seccomp filter.
fn app_privileges(name: &str, a: &AppRequest) -> Result<Privileges, ResolveError> {
    let capabilities = capabilities(name, &a.cap_add, &a.cap_drop)?;
    // Only what --cap-add names reaches a non-root user (podman's rule); `all` means all of the set.
    let ambient: Vec<String> = capabilities
        .iter()
        .filter(|c| {
            a.cap_add.iter().any(|x| {
                x.eq_ignore_ascii_case("all") || cap_name(x).as_deref() == Some(c.as_str())
            })
        })
        .cloned()
        .collect();
    let typed = |names: &[String]| {
        liftoff_stage2::types::parse_capabilities(names).map_err(|e| app_err(name, e.to_string()))
    };
    let (capabilities, ambient) = (typed(&capabilities)?, typed(&ambient)?);
    let mut rlimits =
        vec![ResourceLimit::new(RlimitResource::Nofile, 1024, 1024).expect("soft <= hard")];
    for u in &a.ulimits {
        let r = parse_ulimit(name, u)?;
        rlimits.retain(|x| x.resource != r.resource);
        rlimits.push(r);
    }
    let seccomp = match a.seccomp.as_deref() {
        None | Some("default") => SeccompMode::Default,
        Some("unconfined") => {
            liftoff_stage2::warning!("app {name}: --seccomp=unconfined: no system call filter");
            SeccompMode::Unconfined
        }
        Some(path) => user_profile(name, path, &capabilities)?,
    };
    Ok((capabilities, ambient, rlimits, seccomp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_merge_overrides_in_order_and_is_linear() {
        let image = vec![
            "PATH=/bin".to_string(),
            "A=1".into(),
            "A=2".into(),
            "B=1".into(),
        ];
        let got = merge_env(
            "x",
            image,
            &["A=3".into(), "C=1".into(), "B=2".into(), "C=2".into()],
        )
        .unwrap();
        assert_eq!(got, ["PATH=/bin", "A=3", "B=2", "C=2"]);
        let got = merge_env("x", vec![], &["X=1".into()]).unwrap();
        assert_eq!(got, [DEFAULT_PATH, "X=1"]);
        assert!(merge_env("x", vec![], &["novalue".into()]).is_err());
        // 200 000 entries, half of them overriding: quadratic took minutes, linear is instant.
        let extra: Vec<String> = (0..200_000)
            .map(|i| format!("K{}=v{i}", i % 100_000))
            .collect();
        let t = std::time::Instant::now();
        let got = merge_env("x", vec![], &extra).unwrap();
        assert_eq!(got.len(), 100_001);
        assert!(
            t.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("256M"), Some(256 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("512kb"), Some(512 << 10));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("-1M"), None);
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn caps_drop_all_then_add() {
        let c = capabilities("a", &["net_bind_service".into()], &["all".into()]).unwrap();
        assert_eq!(c, vec!["CAP_NET_BIND_SERVICE"]);
        let c = capabilities("a", &[], &["CAP_CHOWN".into()]).unwrap();
        assert_eq!(c.len(), 13);
        assert!(capabilities("a", &["bogus".into()], &[])
            .unwrap_err()
            .to_string()
            .contains("app a"));
    }

    #[test]
    fn ulimits() {
        let r = parse_ulimit("a", "nofile=100:200").unwrap();
        assert_eq!(
            (r.resource.name(), r.soft, r.hard),
            ("RLIMIT_NOFILE", 100, 200)
        );
        assert!(parse_ulimit("a", "nofile=300:200").is_err());
        assert!(parse_ulimit("a", "bogus=1").is_err());
    }

    fn store_and_trust() -> (tempfile::TempDir, Store, Trust) {
        let t = tempfile::tempdir().unwrap();
        let store = Store::open(&t.path().join("root")).unwrap();
        let trust = Trust::load(crate::trust::store::TrustStore::new(
            &t.path().join("keys"),
            &t.path().join("vendor"),
        ))
        .unwrap();
        (t, store, trust)
    }

    fn sandbox() -> PodRequest {
        PodRequest {
            sandbox: true,
            net: "none".into(),
            ..PodRequest::default()
        }
    }

    fn resolve_err(req: &PodRequest) -> String {
        let (_t, store, trust) = store_and_trust();
        resolve(&store, &trust, req, "id", false, &NetSettings::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_sandbox_has_no_apps_and_its_name_for_a_host_name() {
        let (_t, store, trust) = store_and_trust();
        let id = "0b7c2a9e-4f1d-4c3a-9e2b-1a2b3c4d5e6f";
        let go = |req: &PodRequest| {
            resolve(&store, &trust, req, id, false, &NetSettings::default()).unwrap()
        };
        let m = go(&sandbox());
        assert!(m.sandbox && m.apps.is_empty());
        assert_eq!(m.hostname, "sandbox");
        let named = PodRequest {
            name: Some("dev".into()),
            ..sandbox()
        };
        assert_eq!(go(&named).hostname, "dev");
        // The contract takes it as it is written.
        let bytes = serde_json::to_vec(&go(&named)).unwrap();
        PodManifest::from_slice(&bytes).unwrap();
        // Without --sandbox, no apps is nothing to run.
        let none = PodRequest {
            sandbox: false,
            ..sandbox()
        };
        assert!(resolve_err(&none).contains("nothing to run"));
    }

    #[test]
    fn a_sandbox_refuses_what_needs_an_app() {
        let cases: Vec<(PodRequest, &str)> = vec![
            (
                PodRequest {
                    tty: true,
                    ..sandbox()
                },
                "-i/-t",
            ),
            (
                PodRequest {
                    exit_code_from: Some("web".into()),
                    ..sandbox()
                },
                "--exit-code-from",
            ),
            (
                PodRequest {
                    notify: Some("app:web".into()),
                    ..sandbox()
                },
                "--notify=app:NAME",
            ),
            (
                PodRequest {
                    listen: Some((1, vec![])),
                    ..sandbox()
                },
                "socket activation",
            ),
            (
                PodRequest {
                    name: Some("Bad_Name".into()),
                    ..sandbox()
                },
                "pod name Bad_Name",
            ),
        ];
        for (req, want) in cases {
            let e = resolve_err(&req);
            assert!(e.contains(want), "{want}: {e}");
        }
    }

    #[test]
    fn an_added_app_is_refused_what_only_run_can_give() {
        let (_t, store, trust) = store_and_trust();
        let mut pod = liftoff_contract::testing::manifest(NetMode::None);
        let add = |a: &AppRequest, pod: &PodManifest, host_apps| {
            resolve_added_app(&store, &trust, a, pod, false, host_apps)
                .unwrap_err()
                .to_string()
        };
        let after = AppRequest {
            image: "x".into(),
            after: vec!["web".into()],
            ..AppRequest::default()
        };
        assert!(add(&after, &pod, false).contains("--after"));
        let plain = AppRequest {
            image: "x".into(),
            ..AppRequest::default()
        };
        pod.net = NetMode::Host;
        let e = add(&plain, &pod, false);
        assert!(e.contains("--insecure-options=net-host-apps"), "{e}");
        // Accepted, it gets as far as the store (which has no image x).
        assert!(!add(&plain, &pod, true).contains("net-host-apps"));
        // A remapped --net=host pod keeps its apps apart: no refusal.
        pod.userns = Some(liftoff_contract::manifest::IdMap {
            uid: 100000,
            gid: 100000,
            size: 65536,
        });
        assert!(!add(&plain, &pod, false).contains("net-host-apps"));
        let full = PodManifest {
            apps: vec![pod.apps[0].clone(); liftoff_contract::manifest::MAX_APPS],
            ..pod.clone()
        };
        assert!(add(&plain, &full, false).contains("the most one pod can have"));
    }

    #[test]
    fn an_added_app_uses_only_the_pods_named_volumes() {
        let t = tempfile::tempdir().unwrap();
        let mut pod = liftoff_contract::testing::manifest(NetMode::None);
        let mut app = pod.apps[0].clone();
        let a = AppRequest {
            volumes: vec!["data:/data".into()],
            tmpfs: vec!["/run".into()],
            ..AppRequest::default()
        };
        let e = added_app_mounts(&mut app.clone(), &a, &pod, t.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the pod has no volume data") && e.contains("it has none"),
            "{e}"
        );
        pod.volumes.push(liftoff_contract::manifest::EmptyVolume {
            name: "data".into(),
            uid: 0,
            gid: 0,
            mode: 0o755,
        });
        added_app_mounts(&mut app, &a, &pod, t.path()).unwrap();
        let targets: Vec<&str> = app.mounts.iter().map(|m| m.target.as_str()).collect();
        assert_eq!(targets, ["/data", "/run"]);
    }

    #[test]
    fn restart_policies_are_checked_with_the_app() {
        assert_eq!(
            RestartPolicy::parse("on-failure:3").unwrap(),
            Some(RestartPolicy {
                when: liftoff_contract::manifest::RestartWhen::OnFailure,
                max: Some(3)
            })
        );
        assert_eq!(RestartPolicy::parse("no").unwrap(), None);
        assert!(RestartPolicy::parse("always:0").is_err());
        assert!(RestartPolicy::parse("sometimes").is_err());
    }

    #[test]
    fn app_names_from_images() {
        assert_eq!(default_app_name("example.com/team/Web_App:1.4"), "web-app");
        assert_eq!(
            default_app_name("docker.io/library/busybox:latest"),
            "busybox"
        );
    }
}
