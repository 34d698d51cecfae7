//! `policy.toml` (`trust::policy::Policy::parse`), its durations, and the per-name rule lookup.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::trust::policy::Policy;
use liftoff_common::units::parse_duration;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_duration(text);
    if let Ok(p) = Policy::parse(text, Path::new("policy.toml")) {
        for name in [
            "docker.io/library/busybox",
            "example.com/team/web",
            "127.0.0.1:5000/fixtures/ed25519/busybox",
            "",
        ] {
            let r = p.rules_for(name);
            // The parser refuses threshold 0 and empty scheme lists; the lookup must not make one.
            assert!(r.threshold >= 1 && !r.schemes.is_empty(), "{r:?}");
        }
    }
});
