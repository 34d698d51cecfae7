//! `liftoff-stage1 [--lock-fd N] [--ready-fd N] POD_DIR`: started by `liftoff run` through execve (never by hand);
//! becomes the pod's supervisor and exits with the pod's exit code (254 for liftoff's own errors).

use std::process::ExitCode;

fn main() -> ExitCode {
    // First of all: run from a read-only view of this executable, so that no app can reach the
    // host's liftoff-stage1 through /proc/PID/exe (see `exeseal`).
    if let Err(e) = liftoff_stage1::exeseal::ensure() {
        liftoff_stage2::error!("liftoff-stage1: {e}");
        return ExitCode::from(254);
    }
    let mut args = std::env::args().skip(1);
    let mut lock_fd = None;
    let mut ready_fd = None;
    let mut pod_dir = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--lock-fd" => lock_fd = args.next().and_then(|v| v.parse::<i32>().ok()),
            "--ready-fd" => ready_fd = args.next().and_then(|v| v.parse::<i32>().ok()),
            _ if pod_dir.is_none() && !a.starts_with('-') => pod_dir = Some(a),
            _ => {
                liftoff_stage2::error!("liftoff-stage1: unexpected argument {a:?}");
                return ExitCode::from(254);
            }
        }
    }
    let Some(pod_dir) = pod_dir else {
        liftoff_stage2::error!("liftoff-stage1: usage: liftoff-stage1 [--lock-fd N] POD_DIR (started by `liftoff run`, not by hand)");
        return ExitCode::from(254);
    };
    ExitCode::from(liftoff_stage1::supervisor::run(
        std::path::Path::new(&pod_dir),
        lock_fd,
        ready_fd,
    ))
}
