//! The `liftoff` command line. Every failure of liftoff itself exits with 254 and a message that
//! names the thing and what to do next.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, which turns `liftoff list | head` into a panic; a CLI should just stop.
    // SAFETY: restoring the default disposition before anything else runs.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    // rkt's multi-app syntax: `run IMG_A [flags] --- IMG_B [flags] [-- cmd]`. clap sees the first
    // app; every later segment is parsed on its own by `run`.
    let mut segments: Vec<Vec<String>> = vec![Vec::new()];
    for a in std::env::args() {
        if a == "---" {
            segments.push(Vec::new());
        } else {
            segments.last_mut().expect("never empty").push(a);
        }
    }
    let first = segments.remove(0);
    let args = match cli::Cli::try_parse_from(first) {
        Ok(a) => a,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => liftoff::EXIT_FAILURE,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    cli::init_logging(args.global.debug);
    match cli::run(args, segments) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // One message, one write: the error and its causes, escaped as every message is.
            let mut text = e.to_string();
            for cause in e.chain().skip(1) {
                text.push_str(&format!("\n  caused by: {cause}"));
            }
            liftoff_stage2::error!("{text}");
            ExitCode::from(liftoff::EXIT_FAILURE)
        }
    }
}
