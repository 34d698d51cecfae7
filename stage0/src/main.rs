//! The `liftoff` command line. Every failure of liftoff itself exits with 254 and a message that
//! names the thing and what to do next.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
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
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("liftoff: error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(liftoff::EXIT_FAILURE)
        }
    }
}
