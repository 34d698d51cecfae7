//! `liftoff-stage1 VERB [OPTIONS] POD_DIR`: the stage1 entrypoints of the contract
//! (`liftoff_contract` and `stage1/docs/pod-manifest.md`), executed by `liftoff`, never by hand.
//! Each verb exits with its own code (see the contract), 254 for stage1's own failures.

use liftoff_stage1::verbs::{self, VerbError, FAILED};
use std::process::ExitCode;

const USAGE: &str = "usage: liftoff-stage1 run|enter|stop|gc|status|version [OPTIONS] POD_DIR (started by `liftoff`, not by hand)";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let verb = args.next().unwrap_or_default();
    if verb == "version" {
        let v = liftoff_contract::VersionInfo {
            contract: liftoff_contract::CONTRACT_VERSION,
            name: format!("liftoff-stage1 {}", env!("CARGO_PKG_VERSION")),
        };
        println!("{}", serde_json::to_string(&v).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    // Verbs that run code next to an app first run from a read-only view of this executable, so no
    // app can reach the host's liftoff-stage1 through /proc/PID/exe (see `exeseal`).
    if matches!(verb.as_str(), "run" | "enter") {
        if let Err(e) = liftoff_stage1::exeseal::ensure() {
            liftoff_stage2::error!("liftoff-stage1: {e}");
            return ExitCode::from(FAILED);
        }
    }
    let result = verbs::parse_args(args).and_then(|a| match verb.as_str() {
        "run" => verbs::run::main(&a),
        "enter" => verbs::enter::main(&a),
        "stop" => verbs::stop::main(&a),
        "gc" => verbs::gc::main(&a),
        "status" => verbs::status::main(&a),
        _ => Err(VerbError::Usage(USAGE.to_string())),
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            liftoff_stage2::error!("{e}");
            ExitCode::from(FAILED)
        }
    }
}
