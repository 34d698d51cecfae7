//! `liftoff completion bash|zsh|fish`: a shell completion script, generated from the CLI definition
//! itself (clap_complete), so it can never name a flag that does not exist.

use anyhow::Result;
use clap::{Args, CommandFactory, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Install:
  liftoff completion bash > /usr/share/bash-completion/completions/liftoff
  liftoff completion zsh  > /usr/local/share/zsh/site-functions/_liftoff
  liftoff completion fish > /usr/share/fish/vendor_completions.d/liftoff.fish")]
pub struct CompletionArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The script for one shell.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    let sh = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(sh, &mut cmd, "liftoff", &mut out);
    out
}

pub fn run(a: CompletionArgs) -> Result<u8> {
    use std::io::Write;
    std::io::stdout().write_all(&script(a.shell))?;
    Ok(0)
}
