//! `liftoff generate man --output-dir DIR`: one man page per command (`liftoff.1`, `liftoff-run.1`,
//! `liftoff-image-list.1`, …), generated from the CLI definition (clap_mangen), so `man` and
//! `--help` always say the same. The pages in docs/man are these, kept current by CI.

use anyhow::{Context, Result};
use clap::CommandFactory;
use std::path::Path;

/// Writes the page of `cmd` (named `name`) and of each of its subcommands into `dir`; returns the
/// file names written.
fn write_pages(cmd: clap::Command, name: &str, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let cmd = cmd.name(name.to_string()).bin_name(name.replace('-', " "));
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .with_context(|| format!("rendering the man page of {name}"))?;
    let file = format!("{name}.1");
    // Generated documentation, not state: a plain write is enough.
    std::fs::write(dir.join(&file), &page)
        .with_context(|| format!("writing {}", dir.join(&file).display()))?;
    out.push(file);
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let sub_name = format!("{name}-{}", sub.get_name());
        write_pages(sub.clone(), &sub_name, dir, out)?;
    }
    Ok(())
}

/// Every page, into `dir` (created if missing).
pub fn generate(dir: &Path) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut cmd = super::Cli::command();
    cmd.build();
    let mut out = Vec::new();
    write_pages(cmd, "liftoff", dir, &mut out)?;
    Ok(out)
}
