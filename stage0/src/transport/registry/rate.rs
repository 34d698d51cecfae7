//! The minimum transfer rate every registry response body must keep: a registry (or a network)
//! that drips bytes slower than [`MinRate::bytes_per_sec`] over a whole [`MinRate::window`] is
//! given up on, instead of keeping a fetch, and the store lock it holds, alive forever. The
//! per-read silence timeout of the HTTP client still applies on top, so a read that blocks
//! entirely is cut after [`READ_TIMEOUT`](super::http::READ_TIMEOUT) and the rate checked then.
//!
//! Windows are consecutive, not sliding: a body is measured from its first read, and each time a
//! window has passed the bytes received in it must average at least the minimum.

use std::time::{Duration, Instant};

/// Default minimum rate: 10 KiB/s.
pub const DEFAULT_MIN_RATE: u64 = 10 * 1024;
/// Default window over which the rate is averaged.
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(30);

/// `[registries] min_rate` and `rate_window` from config.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinRate {
    /// Bytes per second a body must average over each window; 0 turns the check off.
    pub bytes_per_sec: u64,
    pub window: Duration,
}

impl Default for MinRate {
    fn default() -> Self {
        MinRate {
            bytes_per_sec: DEFAULT_MIN_RATE,
            window: DEFAULT_RATE_WINDOW,
        }
    }
}

/// How slow a body was when it was given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooSlow {
    /// Bytes received in the window that failed.
    pub bytes: u64,
    /// Length of that window.
    pub elapsed: Duration,
}

impl TooSlow {
    /// The average rate of the failed window in bytes per second.
    pub fn rate(&self) -> u64 {
        (self.bytes as f64 / self.elapsed.as_secs_f64().max(0.001)) as u64
    }
}

/// Measures one body (or one resumed blob stream) against a [`MinRate`].
#[derive(Debug)]
pub struct RateMeter {
    min: MinRate,
    start: Instant,
    bytes: u64,
}

impl RateMeter {
    pub fn new(min: MinRate) -> RateMeter {
        RateMeter {
            min,
            start: Instant::now(),
            bytes: 0,
        }
    }

    pub fn min(&self) -> MinRate {
        self.min
    }

    /// Counts `n` more bytes (0 to just check the clock); fails when a whole window has passed
    /// below the minimum.
    pub fn record(&mut self, n: u64) -> Result<(), TooSlow> {
        if self.min.bytes_per_sec == 0 {
            return Ok(());
        }
        self.bytes = self.bytes.saturating_add(n);
        let elapsed = self.start.elapsed();
        if elapsed < self.min.window {
            return Ok(());
        }
        let needed = self.min.bytes_per_sec as f64 * elapsed.as_secs_f64();
        if (self.bytes as f64) < needed {
            return Err(TooSlow {
                bytes: self.bytes,
                elapsed,
            });
        }
        self.start = Instant::now();
        self.bytes = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_bodies_fail_after_a_window() {
        let min = MinRate {
            bytes_per_sec: 1000,
            window: Duration::from_millis(50),
        };
        let mut m = RateMeter::new(min);
        assert!(m.record(10).is_ok(), "within the first window");
        std::thread::sleep(Duration::from_millis(60));
        let e = m.record(1).unwrap_err();
        assert_eq!(e.bytes, 11);
        assert!(e.rate() < 1000);

        let mut fast = RateMeter::new(min);
        std::thread::sleep(Duration::from_millis(60));
        assert!(fast.record(1_000_000).is_ok());
        // A new window starts after a passed one.
        assert!(fast.record(0).is_ok());

        let mut off = RateMeter::new(MinRate {
            bytes_per_sec: 0,
            ..min
        });
        std::thread::sleep(Duration::from_millis(60));
        assert!(off.record(0).is_ok());
    }
}
