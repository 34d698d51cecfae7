//! The simple-signing payload a signature is made over (`trust::payload::parse_strict`).
//!
//! Besides "no panic": what it accepts, liftoff's own `build` can write again, and that parses to
//! the same identity and digest (the two halves of the format agree).
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::trust::payload::{build, parse_strict};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = parse_strict(data, true) else {
        return;
    };
    let rebuilt = build(
        &p.docker_reference,
        &p.manifest_digest,
        p.creator.as_deref().unwrap_or(""),
        p.timestamp.unwrap_or(0),
    );
    let q = parse_strict(&rebuilt, true).expect("a payload liftoff builds parses");
    assert_eq!(q.docker_reference, p.docker_reference);
    assert_eq!(q.manifest_digest, p.manifest_digest);
});
