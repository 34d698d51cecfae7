//! Low-level mechanisms that stage0 and stage1 both need, kept once so that both stages behave the
//! same: walking paths below a directory handle without following symlinks ([`walk`]), replacing a
//! file atomically ([`atomic`]), flock(2) locks in blocking, timed and non-blocking forms ([`lock`]),
//! and parsing and printing durations and sizes ([`units`]).
//!
//! Nothing here knows about images, pods or trust; it sits below every other liftoff crate.

pub mod atomic;
pub mod kernel;
pub mod lock;
pub mod units;
pub mod walk;
