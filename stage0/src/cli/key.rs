//! `liftoff key gen`: a new Ed25519 signing key pair.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate an Ed25519 key pair: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (PEM SPKI)
    Gen(GenArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "\
The files are the ones openssl, cosign and skopeo use:
  openssl pkey -in release.key -pubout      # prints release.pub
Trust the public key for a name prefix with `liftoff trust add --prefix example.com/team release.pub`.")]
pub struct GenArgs {
    /// Path prefix of the two files to write (refuses to overwrite)
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
}

pub fn run(c: KeyCommand) -> Result<u8> {
    match c {
        KeyCommand::Gen(a) => {
            let (key, public, id) = liftoff::trust::keys::write_keypair(&a.out)
                .with_context(|| format!("generating a key pair at {}", a.out.display()))?;
            println!("{id}");
            eprintln!(
                "liftoff: wrote {} (private, keep it secret) and {} (public); key id {id}",
                key.display(),
                public.display()
            );
            Ok(0)
        }
    }
}
