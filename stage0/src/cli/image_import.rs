//! `liftoff image import SRC NAME`: a directory or tarball becomes a single-layer image.

use super::Ctx;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use liftoff::image_manifest::Compression;
use liftoff::import::{import, normalize_port, ImportConfig};
use liftoff::reference::ImageName;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Comp {
    Zstd,
    Gzip,
    None,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Lists (--entrypoint, --cmd) are comma-separated or a JSON array:
  liftoff image import ./rootfs example.com/hello:1 --entrypoint /bin/sh --cmd '-c,echo hi' --env K=V
  liftoff image import rootfs.tar.gz example.com/hello:2 --cmd '[\"/bin/sh\",\"-c\",\"echo a,b\"]'
The same input always gives the same digest (set SOURCE_DATE_EPOCH to fix the creation time).")]
pub struct ImportArgs {
    /// A root filesystem directory, or a tar / tar.gz / tar.zst file
    pub source: PathBuf,
    /// Name in the store, e.g. example.com/hello:1
    pub name: String,
    /// Entrypoint: comma-separated or a JSON array
    #[arg(long, allow_hyphen_values = true)]
    pub entrypoint: Option<String>,
    /// Default command (arguments to the entrypoint): comma-separated or a JSON array
    #[arg(long, allow_hyphen_values = true)]
    pub cmd: Option<String>,
    /// Environment variable KEY=VALUE (repeatable)
    #[arg(long, short = 'e', value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Working directory
    #[arg(long, short = 'w')]
    pub workdir: Option<String>,
    /// User (name or uid[:gid])
    #[arg(long, short = 'u')]
    pub user: Option<String>,
    /// Exposed port PORT[/tcp|udp|sctp] (repeatable)
    #[arg(long, value_name = "PORT[/PROTO]")]
    pub expose: Vec<String>,
    /// Label KEY=VALUE (repeatable)
    #[arg(long, short = 'l', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Layer compression
    #[arg(long, value_enum, default_value = "zstd")]
    pub compression: Comp,
    /// Keep the source's device nodes (with their numbers) and fifos; by default they are left
    /// out with a warning (pods get their own /dev). Sockets are always left out
    #[arg(long)]
    pub allow_devices: bool,
}

/// Splits a list argument: a JSON array when it starts with '[', comma-separated otherwise.
fn list(flag: &str, v: &str) -> Result<Vec<String>> {
    if v.trim_start().starts_with('[') {
        return serde_json::from_str(v)
            .with_context(|| format!("{flag} {v:?} is not a JSON array of strings"));
    }
    Ok(v.split(',').map(str::to_string).collect())
}

pub fn run(ctx: &Ctx, a: ImportArgs) -> Result<u8> {
    let name = ImageName::parse(&a.name)?;
    for e in &a.env {
        match e.split_once('=') {
            Some((k, _)) if !k.is_empty() => {}
            _ => bail!("--env {e:?} must be KEY=VALUE"),
        }
    }
    let mut labels = BTreeMap::new();
    for l in &a.label {
        let Some((k, v)) = l.split_once('=') else {
            bail!("--label {l:?} must be KEY=VALUE");
        };
        labels.insert(k.to_string(), v.to_string());
    }
    let cfg = ImportConfig {
        entrypoint: a
            .entrypoint
            .as_deref()
            .map(|v| list("--entrypoint", v))
            .transpose()?,
        cmd: a.cmd.as_deref().map(|v| list("--cmd", v)).transpose()?,
        env: a.env.clone(),
        workdir: a.workdir.clone(),
        user: a.user.clone(),
        expose: a
            .expose
            .iter()
            .map(|p| normalize_port(p))
            .collect::<Result<_, _>>()?,
        labels,
    };
    let compression = match a.compression {
        Comp::Zstd => Compression::Zstd,
        Comp::Gzip => Compression::Gzip,
        Comp::None => Compression::None,
    };
    let mut limits = liftoff::unpack::UnpackLimits::from_config(&ctx.config.unpack);
    limits.allow_devices |= a.allow_devices;
    ctx.store.check_free(ctx.config.min_free()?, "the import")?;
    let r =
        import(&ctx.store, &a.source, &name, &cfg, compression, &limits).with_context(|| {
            format!(
                "importing {} failed; the store is unchanged",
                a.source.display()
            )
        })?;
    liftoff_stage2::note!(
        "{} is stored UNVERIFIED ({}).",
        name,
        r.provenance.verification
    );
    println!("{name} {}", r.digest);
    Ok(0)
}
