//! Command-line definitions and dispatch; one file per verb.

mod app;
mod app_add;
mod completion;
mod diff;
mod enter;
mod fetch;
mod generate;
mod image_export;
mod image_extract;
mod image_gc;
mod image_import;
mod image_inspect;
mod image_list;
mod image_push;
mod image_rm;
mod image_sign;
mod image_verify;
mod key;
mod lifecycle;
mod logs;
mod manpages;
mod pods;
mod run;
mod run_prepared;
mod stats;
mod stop;
mod top;
mod trust;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use liftoff::config::{Config, DEFAULT_CONFIG};
use liftoff::store::{Store, DEFAULT_ROOT};
use liftoff::trust::store::{TrustStore, ADMIN_DIR, VENDOR_DIR};
use liftoff::trust::verify::Trust;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit status: 0 on success, 254 when liftoff itself fails.
Images are stored as an OCI image layout in DIR/images, readable by skopeo and umoci:
  skopeo inspect oci:/var/lib/liftoff/images:docker.io/library/busybox:latest";

#[derive(Debug, Parser)]
#[command(name = "liftoff", version, about = "A daemonless pod runtime that only runs signed images", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// State root (image store, layers, pods).
    #[arg(long, global = true, help_heading = "Global options", env = "LIFTOFF_DIR", default_value = DEFAULT_ROOT, value_name = "DIR")]
    pub dir: PathBuf,
    /// Site configuration file.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "LIFTOFF_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
    /// Admin trust store: keys trusted per name prefix, and policy.toml.
    #[arg(long, global = true, help_heading = "Global options", env = "LIFTOFF_KEYS", default_value = ADMIN_DIR, value_name = "DIR")]
    pub keys: PathBuf,
    /// Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key.
    #[arg(long, global = true, help_heading = "Global options", env = "LIFTOFF_VENDOR_KEYS", default_value = VENDOR_DIR, value_name = "DIR")]
    pub vendor_keys: PathBuf,
    /// The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must
    /// implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub stage1: Option<PathBuf>,
    /// Print detailed progress to stderr.
    #[arg(long, global = true, help_heading = "Global options")]
    pub debug: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bring a signed image into the store: docker://HOST/REPO:TAG, oci:DIR[:REF], oci-archive:FILE, docker-archive:FILE
    Fetch(fetch::FetchArgs),
    /// Run a pod from signed images, in the foreground (or with -d in the background)
    Run(Box<run::RunArgs>),
    /// Prepare a pod (fetch, verify, resolve) without starting it; prints its uuid
    Prepare(Box<run::RunArgs>),
    /// Start a prepared pod
    RunPrepared(run_prepared::RunPreparedArgs),
    /// List pods and their states
    #[command(visible_alias = "ps", alias = "ls")]
    List(pods::ListArgs),
    /// Show one pod's state and its apps' exit codes; wait for it to exit or be ready
    Status(pods::StatusArgs),
    /// Show the apps' output (while running and after exit)
    Logs(logs::LogsArgs),
    /// Stop running pods: SIGTERM, then SIGKILL after a timeout
    Stop(stop::StopArgs),
    /// Show running pods' cpu, memory, pids, network and block I/O per app, refreshing on a terminal
    Stats(stats::StatsArgs),
    /// Show a running pod's processes: app, host pid, pid in the pod, user, command
    Top(top::TopArgs),
    /// Run a command inside a running app, under that app's isolation profile
    Enter(enter::EnterArgs),
    /// Change a running pod's apps: add, start, stop, restart, rm; list them
    #[command(subcommand, after_help = app::AFTER_HELP)]
    App(app::AppCommand),
    /// Show the files an app added, changed or deleted
    Diff(diff::DiffArgs),
    /// Remove exited pods now
    Rm(pods::RmArgs),
    /// Remove exited pods (after a grace period) and everything they left behind
    Gc(pods::GcArgs),
    /// Manage images in the store
    #[command(subcommand)]
    Image(ImageCommand),
    /// Manage which keys are trusted for which image names
    #[command(subcommand)]
    Trust(trust::TrustCommand),
    /// Generate signing keys
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Generate configuration for other tools: systemd units, man pages
    #[command(subcommand)]
    Generate(generate::GenerateCommand),
    /// Print a shell completion script (bash, zsh, fish)
    Completion(completion::CompletionArgs),
}

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Make a single-layer image from a root filesystem directory or a tarball
    Import(image_import::ImportArgs),
    /// List images in the store
    #[command(alias = "ls")]
    List(image_list::ListArgs),
    /// Show an image's digests, config, layers, sizes and provenance
    Inspect(image_inspect::InspectArgs),
    /// Remove image names from the store (blobs go with `image gc`)
    #[command(alias = "remove")]
    Rm(image_rm::RmArgs),
    /// Remove blobs, unpacked layers and leftovers that no image refers to
    Gc(image_gc::GcArgs),
    /// Copy an image's root filesystem into a directory
    Extract(image_extract::ExtractArgs),
    /// Sign an image in the store or an OCI layout with an Ed25519 key
    Sign(image_sign::SignArgs),
    /// Copy a stored image and its signatures to a registry: docker://HOST/REPO:TAG
    Push(image_push::PushArgs),
    /// Write a stored image and its signatures as an OCI layout or archive: oci:DIR[:REF], oci-archive:FILE[:REF]
    Export(image_export::ExportArgs),
    /// Re-check a stored image: every blob's digest and its signatures against today's trust
    Verify(image_verify::VerifyArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
}

pub fn init_logging(debug: bool) {
    let filter = if debug { "liftoff=debug,info" } else { "warn" };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LIFTOFF_LOG")
                .unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .try_init();
}

/// What every verb gets: the opened store, the loaded config, and the trust store. The trust policy
/// is loaded only by the verbs that verify (`ctx.trust()`), so a broken `policy.toml` stops `fetch`
/// and `run` with the file and line but leaves `list`, `stop`, `logs` and `gc` working.
pub struct Ctx {
    pub store: Store,
    pub config: Config,
    pub trust_store: TrustStore,
    trust: std::cell::OnceCell<Trust>,
    /// The config file given with --config or LIFTOFF_CONFIG, if any.
    pub config_file: Option<PathBuf>,
}

impl Ctx {
    fn new(g: &Global) -> Result<Ctx> {
        let (path, explicit) = match &g.config {
            Some(p) => (p.clone(), true),
            None => (PathBuf::from(DEFAULT_CONFIG), false),
        };
        let config = Config::load(&path, explicit)?;
        liftoff::stage1::choose(g.stage1.clone(), config.pods.stage1.clone());
        let store = Store::open(&g.dir).with_context(|| {
            format!(
                "cannot open the state root {} (run as root, or choose another with --dir)",
                g.dir.display()
            )
        })?;
        Ok(Ctx {
            store,
            config,
            trust_store: TrustStore::new(&g.keys, &g.vendor_keys),
            trust: std::cell::OnceCell::new(),
            config_file: g.config.clone(),
        })
    }

    /// The trust store with its policy, loaded on first use.
    pub fn trust(&self) -> Result<&Trust> {
        if let Some(t) = self.trust.get() {
            return Ok(t);
        }
        let t = Trust::load(self.trust_store.clone())?;
        Ok(self.trust.get_or_init(|| t))
    }
}

pub fn run(cli: Cli, more_apps: Vec<Vec<String>>) -> Result<u8> {
    // Generating a key touches neither the store nor the trust store.
    if let Command::Key(c) = cli.command {
        return key::run(c);
    }
    if let Command::Generate(c) = cli.command {
        return generate::run(&cli.global, c);
    }
    if let Command::Completion(a) = cli.command {
        return completion::run(a);
    }
    if !more_apps.is_empty() && !matches!(cli.command, Command::Run(_) | Command::Prepare(_)) {
        anyhow::bail!(
            "`---` separates the apps of `liftoff run` and `prepare`; it means nothing here"
        );
    }
    let ctx = Ctx::new(&cli.global)?;
    match cli.command {
        Command::Key(_) | Command::Generate(_) | Command::Completion(_) => {
            unreachable!("handled above")
        }
        Command::Trust(c) => trust::run(&ctx, c),
        Command::Run(a) => run::run(&ctx, *a, more_apps),
        Command::Prepare(a) => run::prepare(&ctx, *a, more_apps),
        Command::RunPrepared(a) => run_prepared::run(&ctx, a),
        Command::Logs(a) => logs::run(&ctx, a),
        Command::Stop(a) => stop::run(&ctx, a),
        Command::Stats(a) => stats::run(&ctx, a),
        Command::Top(a) => top::run(&ctx, a),
        Command::Enter(a) => enter::run(&ctx, a),
        Command::App(c) => app::run(&ctx, c),
        Command::Diff(a) => diff::run(&ctx, a),
        Command::List(a) => pods::list(&ctx, a),
        Command::Status(a) => pods::status(&ctx, a),
        Command::Rm(a) => pods::rm(&ctx, a),
        Command::Gc(a) => pods::gc(&ctx, a),
        Command::Fetch(a) => fetch::run(&ctx, a),
        Command::Image(c) => match c {
            ImageCommand::Import(a) => image_import::run(&ctx, a),
            ImageCommand::List(a) => image_list::run(&ctx, a),
            ImageCommand::Inspect(a) => image_inspect::run(&ctx, a),
            ImageCommand::Rm(a) => image_rm::run(&ctx, a),
            ImageCommand::Gc(a) => image_gc::run(&ctx, a),
            ImageCommand::Extract(a) => image_extract::run(&ctx, a),
            ImageCommand::Sign(a) => image_sign::run(&ctx, a),
            ImageCommand::Push(a) => image_push::run(&ctx, a),
            ImageCommand::Export(a) => image_export::run(&ctx, a),
            ImageCommand::Verify(a) => image_verify::run(&ctx, a),
        },
    }
}

/// The width of each of the first `n` columns of a table (in characters), for aligned output.
pub fn column_widths<R: AsRef<[String]>>(cells: &[R], n: usize) -> Vec<usize> {
    (0..n)
        .map(|i| {
            cells
                .iter()
                .map(|c| c.as_ref().get(i).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// Human-readable byte counts for tables, in the binary units the flags read (`256.0 MiB`), see
/// `liftoff_common::units`.
pub use liftoff_common::units::format_size as human_size;
