//! `liftoff trust add|list|rm`: which keys are trusted for which image names.

use super::{Ctx, Format};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use liftoff::trust::keys::PublicKey;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Trust a public key for image names under a prefix
    Add(AddArgs),
    /// List trusted keys
    #[command(alias = "ls")]
    List(ListArgs),
    /// Stop trusting a key for a prefix (masks a vendor key)
    #[command(alias = "remove")]
    Rm(RmArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "\
The key is copied to <keys>/prefix.d/<prefix>/<keyid>.pub (default keys dir /etc/liftoff/keys).
Prefixes match whole path components: a key for example.com/team covers example.com/team/app,
never example.com/teamwork.")]
pub struct AddArgs {
    /// Public key file (PEM SPKI or minisign .pub)
    pub key: PathBuf,
    /// Name prefix the key is trusted for, e.g. example.com/team
    #[arg(long, required_unless_present = "root", conflicts_with = "root")]
    pub prefix: Option<String>,
    /// Trust the key for EVERY image name (discouraged)
    #[arg(long)]
    pub root: bool,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Key id (as `trust list` shows it)
    pub keyid: String,
    /// The prefix it is trusted for
    #[arg(long, required_unless_present = "root", conflicts_with = "root")]
    pub prefix: Option<String>,
    /// The key is a root key
    #[arg(long)]
    pub root: bool,
}

pub fn run(ctx: &Ctx, c: TrustCommand) -> Result<u8> {
    let ts = &ctx.trust_store;
    match c {
        TrustCommand::Add(a) => {
            let bytes =
                std::fs::read(&a.key).with_context(|| format!("reading {}", a.key.display()))?;
            let key = PublicKey::parse(&bytes)
                .with_context(|| format!("{} is not a usable public key", a.key.display()))?;
            let id = key.key_id();
            let scope = match &a.prefix {
                Some(p) => format!("images under {p}"),
                None => "EVERY image name (root key)".to_string(),
            };
            eprintln!(
                "Key {id} ({})\n  from {}\n  will be trusted for {scope}.",
                key.algorithm(),
                a.key.display()
            );
            if a.root {
                liftoff_stage2::warning!("a root key can sign any image name, including ones it should never sign; prefer --prefix.");
            }
            if !a.yes {
                if !std::io::stdin().is_terminal() {
                    bail!(
                        "not trusting the key without confirmation; re-run with --yes to confirm"
                    );
                }
                eprint!("Trust this key? [y/N] ");
                let _ = std::io::stderr().flush();
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                if !matches!(line.trim(), "y" | "Y" | "yes") {
                    bail!("not trusted (answer was not yes)");
                }
            }
            let path = ts.add(&key, a.prefix.as_deref())?;
            println!("{id} {}", path.display());
            Ok(0)
        }
        TrustCommand::List(a) => {
            let keys = ts.all()?;
            if a.format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
                return Ok(0);
            }
            println!(
                "{:<64}  {:<11}  {:<30}  {:<6}  PATH",
                "KEYID", "ALGORITHM", "PREFIX", "ORIGIN"
            );
            for k in keys {
                println!(
                    "{:<64}  {:<11}  {:<30}  {:<6}  {}",
                    k.key_id,
                    k.algorithm,
                    k.prefix,
                    k.origin,
                    k.path.display()
                );
            }
            Ok(0)
        }
        TrustCommand::Rm(a) => {
            let changed = ts.remove(&a.keyid, a.prefix.as_deref())?;
            for p in changed {
                println!("{}", p.display());
            }
            Ok(0)
        }
    }
}
