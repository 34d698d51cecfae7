//! Exit records: the formats are the contract's (`liftoff_contract::records`); this adds what only
//! the supervisor needs, turning a wait status into an exit code.

pub use liftoff_contract::records::*;

/// Turns a wait status into (exit code, signal).
pub fn code_of(status: nix::sys::wait::WaitStatus) -> Option<(i32, Option<i32>)> {
    use nix::sys::wait::WaitStatus as W;
    match status {
        W::Exited(_, c) => Some((c, None)),
        W::Signaled(_, s, _) => Some((128 + s as i32, Some(s as i32))),
        _ => None,
    }
}

/// `apps/<app>/exit.json`.
pub use liftoff_contract::layout::app_exit as app_exit_path;
/// `exit.json`.
pub use liftoff_contract::layout::pod_exit as pod_exit_path;

/// An app's exit record for the supervisor's summary: a damaged one is reported and treated as
/// missing (the supervisor then records the app by its wait status instead).
pub fn read_app_exit(pod_dir: &std::path::Path, app: &str) -> Option<AppExit> {
    liftoff_contract::records::read_app_exit(pod_dir, app).unwrap_or_else(|e| {
        liftoff_stage2::warning!("{e}");
        None
    })
}
