//! `liftoff key gen|export|import`: signing key pairs, and moving private keys between liftoff's
//! PKCS#8 files and cosign's encrypted format.

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use liftoff::trust::keys::{self, Algorithm, KeyFormat, PrivateKey};
use liftoff::trust::passphrase::Passphrase;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key pair: PREFIX.key (private, mode 0600) and PREFIX.pub (PEM SPKI)
    Gen(GenArgs),
    /// Write a private key in cosign's encrypted format, for cosign, skopeo and podman
    Export(ConvertArgs),
    /// Write a private key (cosign's encrypted format, or any liftoff reads) as unencrypted PKCS#8
    Import(ConvertArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyAlgorithm {
    /// Ed25519 (liftoff's default; cosign, skopeo and podman sign and verify with it too)
    Ed25519,
    /// ECDSA P-256 over SHA-256 (cosign's default type)
    #[value(alias = "ecdsa-p256")]
    P256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyFileFormat {
    /// Unencrypted PKCS#8 PEM, protected by its file mode (what openssl reads and writes)
    Pkcs8,
    /// cosign's `ENCRYPTED COSIGN PRIVATE KEY` (scrypt + NaCl secretbox), encrypted with a passphrase
    Cosign,
}

#[derive(Debug, Args)]
#[command(after_help = "\
The public key is PEM SPKI, what openssl, cosign, skopeo and podman read. The private key is, by
default, unencrypted PKCS#8 PEM as openssl writes it (read it back with `openssl pkey -in
release.key -pubout`); cosign, skopeo and podman want their own encrypted format instead: write
that with `--format cosign`, or convert later with `liftoff key export`.
Examples:
  liftoff key gen --out release
  liftoff key gen --out cosign --algorithm p256 --format cosign --passphrase-file pass.txt
  liftoff trust add --prefix example.com/team release.pub
The passphrase of a cosign key is the first line of --passphrase-file, else $COSIGN_PASSWORD, else
asked twice on the terminal.")]
pub struct GenArgs {
    /// Path prefix of the two files to write (refuses to overwrite)
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
    /// Key algorithm
    #[arg(long, value_enum, default_value_t = KeyAlgorithm::Ed25519)]
    pub algorithm: KeyAlgorithm,
    /// Format of the private key file
    #[arg(long, value_enum, default_value_t = KeyFileFormat::Pkcs8)]
    pub format: KeyFileFormat,
    /// File whose first line is the passphrase of a cosign key
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  liftoff key export release.key --out cosign.key        # for cosign sign --key, skopeo/podman --sign-by-sigstore-private-key
  liftoff key import cosign.key --out release.key        # for openssl, or to sign without a passphrase
The passphrase (to decrypt the input of `import`, to encrypt the output of `export`) is the first
line of --passphrase-file, else $COSIGN_PASSWORD, else asked on the terminal. The output is
created with mode 0600 and never overwrites a file; the public key does not change.")]
pub struct ConvertArgs {
    /// The private key to convert (PKCS#8 PEM, SEC1 EC PEM or cosign encrypted; mode 0600)
    pub key: PathBuf,
    /// The file to write
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// File whose first line is the passphrase
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

pub fn run(c: KeyCommand) -> Result<u8> {
    match c {
        KeyCommand::Gen(a) => gen(a),
        KeyCommand::Export(a) => convert(a, KeyFormat::Cosign),
        KeyCommand::Import(a) => convert(a, KeyFormat::Pkcs8),
    }
}

fn gen(a: GenArgs) -> Result<u8> {
    let algorithm = match a.algorithm {
        KeyAlgorithm::Ed25519 => Algorithm::Ed25519,
        KeyAlgorithm::P256 => Algorithm::EcdsaP256,
    };
    let format = file_format(a.format);
    let pass = Passphrase::from_cli(a.passphrase_file.as_deref());
    let (key, public, id) = keys::write_keypair(&a.out, algorithm, format, &pass)
        .with_context(|| format!("generating a key pair at {}", a.out.display()))?;
    println!("{id}");
    eprintln!(
        "liftoff: wrote {} ({algorithm} private key{}, keep it secret) and {} (public); key id {id}",
        key.display(),
        if format == KeyFormat::Cosign {
            ", cosign format"
        } else {
            ""
        },
        public.display()
    );
    Ok(0)
}

fn file_format(f: KeyFileFormat) -> KeyFormat {
    match f {
        KeyFileFormat::Pkcs8 => KeyFormat::Pkcs8,
        KeyFileFormat::Cosign => KeyFormat::Cosign,
    }
}

fn convert(a: ConvertArgs, to: KeyFormat) -> Result<u8> {
    let pass = Passphrase::from_cli(a.passphrase_file.as_deref());
    if a.out.symlink_metadata().is_ok() {
        // Checked before any passphrase is asked for; the write itself never replaces a file.
        return Err(keys::KeyError::Exists { path: a.out }.into());
    }
    let key: PrivateKey = keys::load_private(&a.key, &pass)
        .with_context(|| format!("reading the private key {}", a.key.display()))?;
    let text = match to {
        KeyFormat::Pkcs8 => key.to_pkcs8_pem()?,
        KeyFormat::Cosign => {
            let new = pass.get_new(&a.out.display().to_string())?;
            key.to_file_text(to, new.as_bytes())?
        }
    };
    keys::write_new_file(&a.out, text.as_bytes(), 0o600)
        .with_context(|| format!("writing {}", a.out.display()))?;
    let id = key.public().key_id();
    println!("{id}");
    eprintln!(
        "liftoff: wrote {} ({} private key, {}); key id {id}",
        a.out.display(),
        key.algorithm(),
        match to {
            KeyFormat::Pkcs8 => "unencrypted PKCS#8, mode 0600",
            KeyFormat::Cosign => "cosign encrypted format",
        }
    );
    Ok(0)
}
