//! `liftoff-stage1`: entry point stage0 execs into. Running pods arrives with the "run pods" issue; until
//! then this binary only validates a pod manifest so the contract can be exercised.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(pod_dir) = args.get(1) else {
        eprintln!("liftoff-stage1: usage: liftoff-stage1 POD_DIR (this binary is started by liftoff, not by hand)");
        return ExitCode::from(254);
    };
    let path = std::path::Path::new(pod_dir).join(liftoff_stage1::POD_MANIFEST_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "liftoff-stage1: cannot read pod manifest {}: {e}",
                path.display()
            );
            return ExitCode::from(254);
        }
    };
    match liftoff_stage1::PodManifest::from_slice(&bytes) {
        Ok(_) => {
            eprintln!("liftoff-stage1: running pods is not implemented yet");
            ExitCode::from(254)
        }
        Err(e) => {
            eprintln!("liftoff-stage1: {}: {e}", path.display());
            ExitCode::from(254)
        }
    }
}
