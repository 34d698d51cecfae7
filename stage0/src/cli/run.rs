//! `liftoff run`: start a pod in the foreground and exit with its exit code.
//!
//! Several apps use rkt's syntax: `liftoff run IMG_A --name a --- IMG_B --name b -- /bin/sleep 5`;
//! `---` separates apps, flags after an image apply to that app, `--` ends an app's flags and starts
//! its command line. Pod-wide flags (--hostname, --net, --stop-timeout, -i, -t, ...) go with the first
//! app. `--pod FILE` reads the same from TOML, or from a compose file (`.yaml`/`.yml`).

use super::Ctx;
use anyhow::{bail, Context, Result};
use clap::{Args, Parser};
use liftoff::fetch::{ensure_image, FetchOptions, PullPolicy};
use liftoff::pod::request::{AppRequest, PodRequest, ReadyRequest, TcpTarget};
use liftoff::pod::{self, podfile, resolve};
use liftoff::userns;
use liftoff_common::units::parse_size;
use liftoff_contract::manifest::PodManifest;
use std::path::Path;

/// Per-app flags: allowed for every app.
#[derive(Debug, Args, Clone, Default, PartialEq)]
pub struct AppFlags {
    /// App name in the pod (default: the image's last path component)
    #[arg(long)]
    pub name: Option<String>,
    /// Set an environment variable (repeatable)
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// User (and group) to run as: NAME|UID[:GROUP|GID], resolved in the image's /etc/passwd
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// Working directory inside the app
    #[arg(short = 'w', long)]
    pub workdir: Option<String>,
    /// Override the image's entrypoint (a single program; its arguments go after `--`)
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)
    #[arg(short = 'm', long)]
    pub memory: Option<String>,
    /// CPU limit in CPUs (e.g. 0.5)
    #[arg(long)]
    pub cpus: Option<f64>,
    /// Maximum number of processes
    #[arg(long)]
    pub pids_limit: Option<u64>,
    /// Add a capability (repeatable; `all` for every one)
    #[arg(long, value_name = "CAP")]
    pub cap_add: Vec<String>,
    /// Drop a capability (repeatable; `all` for every one)
    #[arg(long, value_name = "CAP")]
    pub cap_drop: Vec<String>,
    /// Seccomp profile: default, unconfined, or a Docker/OCI JSON profile file
    ///
    /// A profile that names a system call liftoff does not know on any architecture is refused
    /// (libseccomp would skip the name, and so let a call the profile denies through); names of
    /// other architectures' calls, such as socketcall, are skipped. Under a profile, keyctl,
    /// add_key, request_key, kexec_load, kexec_file_load, userfaultfd, io_uring_* and pivot_root
    /// stay blocked whatever it says; only `unconfined` lifts them. See docs/seccomp.md.
    #[arg(long, value_name = "default|unconfined|FILE")]
    pub seccomp: Option<String>,
    /// Mount the app's root filesystem read-only
    #[arg(long)]
    pub read_only: bool,
    /// Resource limit NAME=SOFT[:HARD] (repeatable), e.g. nofile=4096:8192
    #[arg(long, value_name = "NAME=SOFT[:HARD]")]
    pub ulimit: Vec<String>,
    /// Additional supplementary group (repeatable)
    #[arg(long, value_name = "GROUP")]
    pub group_add: Vec<String>,
    /// Mount a host path or a named volume: /HOST/PATH:/PATH[:ro] or NAME:/PATH[:ro,uid=,gid=,mode=] (repeatable)
    #[arg(short = 'v', long = "volume", value_name = "SOURCE:TARGET[:OPTIONS]")]
    pub volume: Vec<String>,
    /// Mount a fresh tmpfs (noexec,nosuid,nodev): /PATH[:size=64m,mode=1777,exec,ro] (repeatable)
    #[arg(long, value_name = "PATH[:OPTIONS]")]
    pub tmpfs: Vec<String>,
    /// Start this app once app NAME is ready (or started, without a probe); :started, :ready or
    /// :completed (exited with status 0) say which (repeatable; podman's --requires)
    #[arg(long, value_name = "NAME[:COND]")]
    pub after: Vec<String>,
    /// Ready probe: the app is ready once a TCP connection to this port on 127.0.0.1 (or
    /// HOST:PORT) in the pod is accepted
    #[arg(long, value_name = "[HOST:]PORT", conflicts_with = "health_cmd")]
    pub ready_tcp: Option<String>,
    /// Ready probe: a shell command run in the app, as the app, that exits 0 once it is ready
    #[arg(long, value_name = "COMMAND")]
    pub health_cmd: Option<String>,
    /// Time between probes (default 100ms)
    #[arg(long, value_name = "DURATION")]
    pub health_interval: Option<String>,
    /// Time after which one probe counts as failed (default 1s)
    #[arg(long, value_name = "DURATION")]
    pub health_timeout: Option<String>,
    /// Failed probes in a row before the app, and the pod, fail (default 300)
    #[arg(long, value_name = "N")]
    pub health_retries: Option<u32>,
    /// Probe failures in this time after the start do not count
    #[arg(long, value_name = "DURATION")]
    pub health_start_period: Option<String>,
    /// Start the app again when it ends on its own: no (the default), on-failure (after a status
    /// other than 0, or a signal) or always; :N caps the restarts. The pause between starts grows
    /// from 100 ms to 10 s
    #[arg(long, value_name = "no|on-failure[:N]|always[:N]", value_parser = restart_policy)]
    pub restart: Option<String>,
}

/// `--restart`, checked as the command line is read (the pod file's is checked by resolve).
fn restart_policy(s: &str) -> Result<String, String> {
    liftoff_contract::manifest::RestartPolicy::parse(s)
        .map(|_| s.to_string())
        .map_err(|e| e.to_string())
}

impl AppFlags {
    /// The ready probe the flags ask for, if any.
    fn ready(&self) -> Result<Option<ReadyRequest>> {
        let timing = self.health_interval.is_some()
            || self.health_timeout.is_some()
            || self.health_retries.is_some()
            || self.health_start_period.is_some();
        let tcp = self.ready_tcp.as_ref().map(|p| match p.parse::<u16>() {
            Ok(port) => TcpTarget::Port(port),
            Err(_) => TcpTarget::Addr(p.clone()),
        });
        let exec = self
            .health_cmd
            .as_ref()
            .map(|c| vec!["/bin/sh".to_string(), "-c".to_string(), c.clone()]);
        if tcp.is_none() && exec.is_none() {
            if timing {
                bail!("--health-interval, --health-timeout, --health-retries and --health-start-period need a probe: --ready-tcp PORT or --health-cmd COMMAND");
            }
            return Ok(None);
        }
        Ok(Some(ReadyRequest {
            tcp,
            exec,
            interval: self.health_interval.clone(),
            timeout: self.health_timeout.clone(),
            retries: self.health_retries,
            start_period: self.health_start_period.clone(),
            start_interval: None,
        }))
    }
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  liftoff run example.com/team/app:1.4
  liftoff run example.com/team/app:1.4 -- /bin/sh -c 'exit 3'; echo $?      # 3
  liftoff run --memory 256M --cpus 0.5 --pids-limit 100 --cap-drop all --cap-add net_bind_service \\
              --read-only --hostname web example.com/team/app:1.4
  liftoff run IMG_A --name a --- IMG_B --name b -- /bin/sleep 5        # two apps, one pod
  liftoff run --pod ./pod.toml
  liftoff run -d --pod ./compose.yaml                               # returns once every app is ready
  liftoff run -d --name web -v /srv/site:/www:ro --tmpfs /run IMG    # then: liftoff logs web, stop web
  liftoff run --rm IMG -- /bin/sh -c 'make test'                       # nothing of the pod stays
  liftoff run --exit-code-from probe IMG_A --name srv --- IMG_B --name probe -- /check   # ends with probe
  liftoff run -d DB --name db --ready-tcp 5432 --- WEB --name web --after db   # web starts once db answers
  liftoff run -d --restart on-failure:5 --name worker IMG         # started again when it fails, 5 times at most
  liftoff run -d --sandbox --name dev -p 8080:80                   # no apps yet: see `liftoff app --help`

The pod is known by its uuid (any unique prefix) or by the first app's --name. App output is kept in
per-app log files (`liftoff logs`), also for foreground pods.
The image must verify against today's trust store and policy (see `liftoff trust --help`).
Exit status: the app's (the first failing app's in a pod), 128+N for a signal, 254 when liftoff fails.")]
pub struct RunArgs {
    /// Image to run (name or digest prefix of an image in the store)
    #[arg(required_unless_present_any = ["pod", "sandbox"])]
    pub image: Option<String>,
    /// Command and arguments (after `--`), replacing the image's Cmd
    #[arg(last = true)]
    pub command: Vec<String>,
    #[command(flatten)]
    pub app: AppFlags,
    /// Read the pod (apps, start order, probes, hostname, limits) from a TOML pod file, or from a
    /// compose file when the name ends in .yaml or .yml
    #[arg(long, value_name = "FILE", conflicts_with = "image")]
    pub pod: Option<std::path::PathBuf>,
    /// Start a sandbox: a pod without apps of its own that stays up until it is stopped; its apps
    /// come and go with `liftoff app add/start/stop/rm` (--name names the pod)
    #[arg(long, conflicts_with_all = ["image", "pod", "command"])]
    pub sandbox: bool,
    /// The pod's host name (default: the first app's name)
    #[arg(long)]
    pub hostname: Option<String>,
    /// The pod's user ids: auto (the default: pod uid 0 is an unprivileged host uid from liftoff's
    /// pool, a range of 65536 of its own), auto:size=N, or host (the pod's root is the host's root)
    #[arg(long, value_name = "auto[:size=N]|host")]
    pub userns: Option<String>,
    /// Network: default (liftoff's bridge, outbound NAT), none (loopback only), host, or NAME[,NAME…]
    /// (CNI lists NAME.conflist in /etc/liftoff/net.d)
    #[arg(long, default_value = "default", value_name = "default|none|host|NAME")]
    pub net: String,
    /// Publish a pod port on the host: [HOSTIP:]HOSTPORT:PODPORT[/tcp|udp] (repeatable)
    #[arg(
        short = 'p',
        long = "publish",
        value_name = "[IP:]HOSTPORT:PODPORT[/PROTO]"
    )]
    pub publish: Vec<String>,
    /// Add a line to the pod's /etc/hosts (repeatable)
    #[arg(long, value_name = "NAME:IP")]
    pub add_host: Vec<String>,
    /// Bind the pod's /etc/hosts, hostname and resolv.conf writable (read-only by default)
    #[arg(long)]
    pub etc_writable: bool,
    /// Tell systemd ($NOTIFY_SOCKET) READY=1 once every app has started; with app:NAME, give that
    /// app its own NOTIFY_SOCKET and forward its READY=1/STATUS=/STOPPING=1
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "pod", value_name = "pod|app:NAME")]
    pub notify: Option<String>,
    /// Which app gets the sockets of socket activation (LISTEN_FDS); default the first
    #[arg(long, value_name = "NAME")]
    pub socket_app: Option<String>,
    /// Seconds between SIGTERM and SIGKILL when stopping
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub stop_timeout: u64,
    /// Keep stdin open and pass it to the app (single-app pods)
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Give the app a terminal (single-app pods)
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Do not prefix output lines with the app name (several apps)
    #[arg(long)]
    pub no_prefix: bool,
    /// DNS server for the pod's /etc/resolv.conf (repeatable)
    #[arg(long, value_name = "IP")]
    pub dns: Vec<String>,
    /// DNS search domain (repeatable)
    #[arg(long, value_name = "DOMAIN")]
    pub dns_search: Vec<String>,
    /// `image`: run images that do not verify; `net-host-apps`: allow several apps in a --net=host
    /// --userns=host pod, where they share the host's user namespace and can read each other's
    /// files and environment through /proc (both loud; never the default)
    #[arg(
        long = "insecure-options",
        value_name = "image|net-host-apps",
        value_delimiter = ','
    )]
    pub insecure_options: Vec<String>,
    /// When to fetch the images: never (store only), missing (default) or always
    #[arg(long, value_enum, default_value_t = PullPolicy::Missing)]
    pub pull: PullPolicy,
    /// Start the pod in the background: print its uuid once every app has started, and return
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Write the pod's uuid to FILE (for `--uuid-file` of the other commands)
    #[arg(long, value_name = "FILE")]
    pub uuid_file_save: Option<std::path::PathBuf>,
    /// Rotate each app's log file at this size (one older file is kept; k, M, G are powers of 1024)
    #[arg(long, default_value = "10M", value_name = "SIZE")]
    pub log_max_size: String,
    /// Limit what the pod writes to disk (its apps' changes, named volumes and logs together), e.g.
    /// 1G: the apps get "no space left" at the limit ([pods] disk_limit sets a default)
    #[arg(long, value_name = "SIZE")]
    pub disk_limit: Option<String>,
    /// Remove the pod (its dir, logs, volumes, cgroups, network) as soon as it ends
    #[arg(long)]
    pub rm: bool,
    /// End the pod when app NAME ends, whatever its status (the others get the stop signal), and
    /// exit with NAME's exit code (as docker compose --exit-code-from)
    #[arg(long, value_name = "NAME")]
    pub exit_code_from: Option<String>,
}

/// The part of an app after `---`: image, app flags, `--` command.
#[derive(Debug, Parser)]
#[command(name = "liftoff run … ---", no_binary_name = true)]
struct NextApp {
    image: String,
    #[arg(last = true)]
    command: Vec<String>,
    #[command(flatten)]
    app: AppFlags,
}

pub(super) fn app_request(image: String, f: AppFlags, command: Vec<String>) -> Result<AppRequest> {
    let ready = f.ready()?;
    Ok(AppRequest {
        image,
        name: f.name,
        exec: f.entrypoint.map(|e| vec![e]),
        args: (!command.is_empty()).then_some(command),
        env: f.env,
        user: f.user,
        workdir: f.workdir,
        memory: f.memory,
        cpus: f.cpus,
        pids_limit: f.pids_limit,
        cap_add: f.cap_add,
        cap_drop: f.cap_drop,
        seccomp: f.seccomp,
        read_only: f.read_only,
        ulimits: f.ulimit,
        group_add: f.group_add,
        volumes: f.volume,
        tmpfs: f.tmpfs,
        after: f.after,
        ready,
        restart: f.restart,
    })
}

pub fn run(ctx: &Ctx, a: RunArgs, more_apps: Vec<Vec<String>>) -> Result<u8> {
    if a.detach && (a.interactive || a.tty) {
        bail!("-d cannot be combined with -i or -t: a detached pod has no terminal (use `liftoff enter` and `liftoff logs`)");
    }
    let detach = a.detach;
    let (pods, p) = create(ctx, a, more_apps)?;
    start(&pods, p, detach)
}

/// Sockets passed by systemd (or systemd-socket-activate) for this very process, sd_listen_fds style:
/// LISTEN_PID must be our pid (stage1, exec'd from here, keeps it).
fn listen_fds() -> Option<(u32, Vec<String>)> {
    let pid: u32 = std::env::var("LISTEN_PID").ok()?.parse().ok()?;
    if pid != std::process::id() {
        return None;
    }
    let n: u32 = std::env::var("LISTEN_FDS").ok()?.parse().ok()?;
    if n == 0 {
        return None;
    }
    let names = std::env::var("LISTEN_FDNAMES")
        .map(|s| s.split(':').map(str::to_string).collect())
        .unwrap_or_default();
    Some((n, names))
}

/// `liftoff prepare`: everything `run` does before starting the pod.
pub fn prepare(ctx: &Ctx, a: RunArgs, more_apps: Vec<Vec<String>>) -> Result<u8> {
    if a.detach {
        bail!("prepare does not start the pod; give -d to `liftoff run-prepared`");
    }
    // Sockets passed to `prepare` would be gone by `run-prepared`.
    for v in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
        std::env::remove_var(v);
    }
    let (pods, p) = create(ctx, a, more_apps)?;
    let id = p.to_prepared(&pods)?;
    println!("{id}");
    Ok(0)
}

/// Moves a locked pod to `run/` (if not there yet) and starts its supervisor: by exec in the
/// foreground, or detached.
pub fn start(pods: &pod::Pods, mut p: pod::NewPod, detach: bool) -> Result<u8> {
    if !p.dir.starts_with(pods.state_dir(pod::PodDirState::Run)) {
        if let Err(e) = p.to_run(pods) {
            p.abandon(pods);
            return Err(e.into());
        }
    }
    tracing::info!("pod {} in {}", p.id, p.dir.display());
    if !detach {
        return Err(p.exec_stage1().into());
    }
    let id = p.id.clone();
    match p.spawn_detached()? {
        Ok(()) => {
            println!("{id}");
            Ok(0)
        }
        Err(exit) => {
            // `run -d --rm`: the supervisor left the pod for us to read why; now it goes.
            let rm = std::fs::read(
                pods.dir(pod::PodDirState::Run, &id)
                    .join(liftoff_contract::POD_MANIFEST_FILE),
            )
            .ok()
            .and_then(|b| liftoff_contract::PodManifest::from_slice(&b).ok())
            .is_some_and(|m| !m.on_exit.is_empty());
            if rm {
                if let Ok(info) = pod::state::find(pods, &id) {
                    let _ = pod::state::remove(pods, &info);
                }
            }
            bail!(
                "pod {id} did not start: {}",
                exit.error
                    .unwrap_or_else(|| format!("it exited with {}", exit.exit_code))
            )
        }
    }
}

/// `run --rm`: what the supervisor runs once the pod is torn down (`liftoff rm`, on this store).
fn remove_command(ctx: &Ctx, id: &str) -> Result<Vec<String>> {
    let exe = std::env::current_exe().context("--rm: cannot find the liftoff binary")?;
    let mut argv = vec![
        exe.display().to_string(),
        "--dir".into(),
        ctx.store.root().display().to_string(),
    ];
    if let Some(c) = &ctx.config_file {
        argv.extend(["--config".into(), c.display().to_string()]);
    }
    argv.extend(["rm".into(), id.to_string()]);
    Ok(argv)
}

/// The pod's disk limit in bytes: `--disk-limit` (or the pod file's), else `[pods] disk_limit`.
fn disk_limit(s: Option<&String>) -> Result<Option<u64>> {
    s.map(|s| {
        parse_size(s).with_context(|| {
            format!(
                "--disk-limit {}: use a size such as 512M or 10G",
                liftoff_stage2::report::shown(s)
            )
        })
    })
    .transpose()
}

/// `--insecure-options`: (`image`, `net-host-apps`).
pub(super) fn insecure_options(options: &[String]) -> Result<(bool, bool)> {
    let mut insecure = false;
    let mut host_apps = false;
    for o in options {
        match o.as_str() {
            "image" => insecure = true,
            "net-host-apps" => host_apps = true,
            other => bail!(
                "--insecure-options={}: the options are `image` and `net-host-apps`",
                liftoff_stage2::report::shown(other)
            ),
        }
    }
    Ok((insecure, host_apps))
}

/// The apps: from `--pod FILE`, or from the command line (the first app and those after `---`).
fn pod_request(a: &RunArgs, more_apps: Vec<Vec<String>>) -> Result<PodRequest> {
    if a.sandbox {
        return sandbox_request(a, &more_apps);
    }
    if let Some(path) = &a.pod {
        if !more_apps.is_empty() {
            bail!("--pod FILE and `---` apps cannot be combined; list every app in the file");
        }
        return Ok(podfile::load(path)?);
    }
    let mut apps = vec![app_request(
        a.image.clone().expect("clap requires IMAGE without --pod"),
        a.app.clone(),
        a.command.clone(),
    )?];
    for seg in more_apps {
        let n = NextApp::try_parse_from(&seg)
            .with_context(|| format!("the app after `---` ({})", seg.join(" ")))?;
        apps.push(app_request(n.image, n.app, n.command)?);
    }
    Ok(PodRequest {
        apps,
        name: a.app.name.clone(),
        ..Default::default()
    })
}

/// `run --sandbox`: a pod with no apps; `--name` names the pod, and the per-app flags have no app
/// to go to (they go with `liftoff app add`).
fn sandbox_request(a: &RunArgs, more_apps: &[Vec<String>]) -> Result<PodRequest> {
    if !more_apps.is_empty() {
        bail!("--sandbox starts a pod without apps, so there is nothing for `---` to separate; add the apps with `liftoff app add POD IMAGE` once it runs");
    }
    let app_flags = AppFlags {
        name: None,
        ..a.app.clone()
    };
    if app_flags != AppFlags::default() {
        bail!("--sandbox has no app of its own for per-app flags (-e, -v, --memory, --restart, …); give them to `liftoff app add POD IMAGE`, and pod-wide ones (--net, -p, --hostname, …) here");
    }
    Ok(PodRequest {
        name: a.app.name.clone(),
        sandbox: true,
        ..Default::default()
    })
}

/// Puts the pod-wide command-line flags into `req`; they win over a pod file's. Returns the disk
/// limit in bytes (from the flag, the file or config.toml).
fn apply_pod_flags(ctx: &Ctx, a: &RunArgs, req: &mut PodRequest) -> Result<Option<u64>> {
    if a.hostname.is_some() {
        req.hostname = a.hostname.clone();
    }
    if a.userns.is_some() {
        req.userns = a.userns.clone();
    }
    if a.pod.is_none() || a.net != "default" {
        req.net = a.net.clone();
    }
    req.publish.extend(a.publish.iter().cloned());
    req.add_hosts.extend(a.add_host.iter().cloned());
    req.etc_writable |= a.etc_writable;
    req.notify = a.notify.clone();
    req.socket_app = a.socket_app.clone();
    req.listen = listen_fds();
    if req.notify.is_some() && std::env::var_os("NOTIFY_SOCKET").is_none() {
        liftoff_stage2::note!("--notify: NOTIFY_SOCKET is not set, so there is nobody to notify");
    }
    if a.pod.is_none() || a.stop_timeout != 10 {
        req.stop_timeout = a.stop_timeout;
    }
    if a.exit_code_from.is_some() {
        req.exit_code_from = a.exit_code_from.clone();
    }
    if a.disk_limit.is_some() {
        req.disk_limit = a.disk_limit.clone();
    }
    let disk_limit = disk_limit(
        req.disk_limit
            .as_ref()
            .or(ctx.config.pods.disk_limit.as_ref()),
    )?;
    if req.pids_limit.is_none() {
        req.pids_limit = ctx.config.default_pids_limit();
    }
    req.interactive = a.interactive;
    req.tty = a.tty;
    req.detached = a.detach;
    req.log_max_bytes = parse_size(&a.log_max_size)
        .filter(|n| *n >= liftoff_contract::manifest::MIN_LOG_MAX_BYTES)
        .with_context(|| {
            format!(
                "--log-max-size {}: use e.g. 10M (at least 4k)",
                a.log_max_size
            )
        })?;
    if a.no_prefix {
        req.prefix_output = false;
    }
    req.dns.extend(a.dns.iter().cloned());
    req.dns_search.extend(a.dns_search.iter().cloned());
    Ok(disk_limit)
}

/// Brings in each app's image if it is missing (or always, with --pull=always), verified as `fetch`
/// does; the apps then name their images as stored. Returns the manifest digests, in app order.
fn fetch_images(
    ctx: &Ctx,
    req: &mut PodRequest,
    pull: PullPolicy,
    insecure: bool,
) -> Result<Vec<String>> {
    let fo = fetch_options(ctx, insecure)?;
    let mut digests = Vec::new();
    for app in &mut req.apps {
        digests.push(fetch_image(ctx, app, pull, &fo)?);
    }
    Ok(digests)
}

/// How `run` and `app add` fetch: the config's limits, jobs and registries, today's trust.
pub(super) fn fetch_options(ctx: &Ctx, insecure: bool) -> Result<FetchOptions> {
    let mut fo = FetchOptions::new(ctx.trust()?.clone());
    fo.limits = liftoff::unpack::UnpackLimits::from_config(&ctx.config.unpack);
    fo.jobs = ctx.config.jobs();
    fo.insecure = insecure;
    fo.registry =
        liftoff::transport::registry::RegistryOptions::from_config(&ctx.config.registries);
    fo.progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    Ok(fo)
}

/// One app's image: in the store already, or fetched (per `pull`); the app then names it as
/// stored. Returns its manifest digest.
pub(super) fn fetch_image(
    ctx: &Ctx,
    app: &mut AppRequest,
    pull: PullPolicy,
    fo: &FetchOptions,
) -> Result<String> {
    let e = ensure_image(&ctx.store, &app.image, pull, fo)
        .with_context(|| format!("image {}", app.image))?;
    if let Some(r) = &e.fetched {
        liftoff_stage2::note!("fetched {} {}", r.name, r.digest);
    }
    app.image = e.entry.name;
    Ok(e.entry.descriptor.digest.to_string())
}

/// Whether the pod gets ids of its own: `--userns` (or the pod file's), else `[userns] default`;
/// where this kernel cannot remap, an error, or the host's ids when `[userns] fallback = "host"`.
fn ids_mode(settings: &userns::Settings, req: &PodRequest) -> Result<userns::Mode> {
    let mode = match &req.userns {
        Some(s) => userns::parse_mode(s, settings.size).context("--userns")?,
        None => settings.default,
    };
    if let (userns::Mode::Auto { .. }, Some(why)) = (mode, userns::support::missing()) {
        if !settings.fallback_host {
            anyhow::bail!(why);
        }
        liftoff_stage2::warning!(
            "{why} -- running this pod with the HOST's ids, as [userns] fallback = \"host\" in config.toml says"
        );
        return Ok(userns::Mode::Host);
    }
    Ok(mode)
}

/// The pod's ids: a range of its own from the pool (leased under the pool's lock, recorded in the
/// manifest, released by gc), unless it uses the host's, which is said every time.
fn assign_ids(
    ctx: &Ctx,
    settings: &userns::Settings,
    mode: userns::Mode,
    m: &mut PodManifest,
) -> Result<()> {
    let size = match mode {
        userns::Mode::Host => {
            check_ids(&m.apps, None)?;
            liftoff_stage2::warning!(
                "--userns=host: the pod's root is the host's root; an escape from the pod would hold it"
            );
            return Ok(());
        }
        userns::Mode::Auto { size } => size,
    };
    check_ids(&m.apps, Some(size))?;
    let pool = userns::pool(settings, Path::new("/etc/subuid"), Path::new("/etc/subgid"))?;
    let lease = userns::allocate(ctx.store.root(), &m.pod_id, size, &pool)?;
    m.userns = Some(liftoff_contract::manifest::IdMap {
        uid: lease.uid.start,
        gid: lease.gid.start,
        size,
    });
    Ok(())
}

/// What the apps ask of the pod's ids: `idmap` binds need ids of the pod's own (`size`: a remapped
/// pod's range; None: the host's), and warn of what the pod's root can do through them; numeric
/// users must be inside the range.
pub(super) fn check_ids(apps: &[liftoff_contract::PodApp], size: Option<u32>) -> Result<()> {
    let Some(size) = size else {
        if let Some(mt) = apps.iter().flat_map(|a| &a.mounts).find(|mt| mt.idmap) {
            anyhow::bail!(
                "-v …:{}:idmap needs the pod's own ids; drop idmap or --userns=host",
                mt.target
            );
        }
        return Ok(());
    };
    check_numeric_users(apps, size)?;
    for a in apps {
        for mt in a.mounts.iter().filter(|mt| mt.idmap) {
            if let liftoff_contract::manifest::MountSource::Host { path } = &mt.source {
                liftoff_stage2::warning!(
                    "app {}: -v {}:{}:idmap: the pod's root writes as the HOST's root in {} (and could leave setuid-root files there)",
                    a.spec.name,
                    path.display(),
                    mt.target,
                    path.display()
                );
            }
        }
    }
    Ok(())
}

/// A numeric `--user UID[:GID]` beyond a remapped pod's range could never be taken: said before a
/// range is leased (a user name is looked up in the image at start, where stage2 says the same).
fn check_numeric_users(apps: &[liftoff_contract::PodApp], size: u32) -> Result<()> {
    for a in apps {
        let asked = std::iter::once(("user", a.spec.user.as_str())).chain(
            a.spec
                .additional_groups
                .iter()
                .map(|g| ("group", g.as_str())),
        );
        for (what, spec) in asked {
            let ids = spec.split(':').filter_map(|p| p.parse::<u64>().ok());
            if let Some(id) = ids.into_iter().find(|id| *id >= u64::from(size)) {
                anyhow::bail!(
                    "app {}: {what} {spec}: id {id} is outside the pod's {size} ids (0-{}): ask for a larger range with --userns=auto:size=N, or run with --userns=host",
                    a.spec.name,
                    size - 1
                );
            }
        }
    }
    Ok(())
}

/// Builds the request, fetches what is missing, creates the pod and writes its manifest. The pod is
/// returned in `prepare/`, locked.
fn create(ctx: &Ctx, a: RunArgs, more_apps: Vec<Vec<String>>) -> Result<(pod::Pods, pod::NewPod)> {
    let (insecure, host_apps) = insecure_options(&a.insecure_options)?;
    let mut req = pod_request(&a, more_apps)?;
    let disk_limit = apply_pod_flags(ctx, &a, &mut req)?;
    req.net_host_apps = host_apps;
    if insecure {
        liftoff_stage2::warning!(
            "--insecure-options=image: running images WITHOUT checking their signatures"
        );
    }

    ctx.store.check_free(ctx.config.min_free()?, "the pod")?;
    // A stage1 that will be refused is refused before anything is fetched or made.
    liftoff::stage1::Stage1::selected()?;
    let digests = fetch_images(ctx, &mut req, a.pull, insecure)?;

    // The shared store lock keeps `image gc` away until the pod's manifest names its layers (gc
    // keeps what pods name); it is close-on-exec, so the running pod does not hold it.
    let id_settings = userns::settings(&ctx.config.userns)?;
    let mode = ids_mode(&id_settings, &req)?;
    req.remapped = matches!(mode, userns::Mode::Auto { .. });
    let store_lock = ctx.store.lock_use()?;
    let pods = pod::Pods::open(ctx.store.root())?;
    let p = pod::create(&pods)?;
    if a.rm {
        req.on_exit = remove_command(ctx, &p.id)?;
    }
    let images: Vec<String> = req.apps.iter().map(|a| a.image.clone()).collect();
    let written = resolve::resolve(
        &ctx.store,
        ctx.trust()?,
        &req,
        &p.id,
        insecure,
        &liftoff::pod::request::NetSettings::from_config(&ctx.config.network),
    )
    .map_err(anyhow::Error::from)
    .and_then(|m| {
        if let Some(n) = &req.name {
            pod::state::claim_name(&pods, n, &p.dir).map_err(anyhow::Error::msg)?;
        }
        if let Some(limit) = disk_limit {
            liftoff::pod::disk::attach(&p.dir, limit)?;
        }
        let mut m = m;
        assign_ids(ctx, &id_settings, mode, &mut m)?;
        p.write_manifest(&m)?;
        p.write_images(&images, &digests)?;
        Ok(())
    });
    if let Err(e) = written {
        let _ = userns::release(ctx.store.root(), &p.id);
        p.abandon(&pods);
        return Err(e);
    }
    drop(store_lock);
    if let Some(f) = &a.uuid_file_save {
        super::lifecycle::save_uuid(f, &p.id)?;
    }
    Ok((pods, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Parser)]
    struct T {
        #[command(flatten)]
        run: RunArgs,
    }

    fn parse(words: &[&str]) -> Result<RunArgs, clap::Error> {
        T::try_parse_from(std::iter::once("run").chain(words.iter().copied())).map(|t| t.run)
    }

    #[test]
    fn restart_is_checked_as_it_is_read() {
        let a = parse(&["--restart", "always:3", "IMG"]).unwrap();
        assert_eq!(a.app.restart.as_deref(), Some("always:3"));
        let r = app_request("IMG".into(), a.app, vec![]).unwrap();
        assert_eq!(r.restart.as_deref(), Some("always:3"));
        for bad in ["sometimes", "on-failure:0", "no:2"] {
            let e = parse(&["--restart", bad, "IMG"]).unwrap_err().to_string();
            assert!(e.contains("--restart"), "{bad}: {e}");
        }
        // A later app's --restart is its own.
        let n = NextApp::try_parse_from(["IMG_B", "--restart", "on-failure"]).unwrap();
        assert_eq!(n.app.restart.as_deref(), Some("on-failure"));
    }

    #[test]
    fn a_sandbox_has_no_image_and_no_app_flags() {
        let a = parse(&["--sandbox", "--name", "dev", "--net", "none", "-d"]).unwrap();
        let req = pod_request(&a, vec![]).unwrap();
        assert!(req.sandbox && req.apps.is_empty());
        assert_eq!(req.name.as_deref(), Some("dev"));
        assert!(parse(&["--sandbox", "IMG"]).is_err());
        assert!(parse(&["--sandbox", "--", "/bin/sh"]).is_err());
        assert!(parse(&["--sandbox", "--pod", "p.toml"]).is_err());
        // Without --sandbox or --pod, an image is needed.
        assert!(parse(&[]).is_err());
        let a = parse(&["--sandbox", "-e", "A=1"]).unwrap();
        let e = pod_request(&a, vec![]).unwrap_err().to_string();
        assert!(e.contains("liftoff app add"), "{e}");
        let a = parse(&["--sandbox"]).unwrap();
        let e = pod_request(&a, vec![vec!["IMG".into()]])
            .unwrap_err()
            .to_string();
        assert!(e.contains("`---`"), "{e}");
    }
}
