//! The stage0 → stage1 pod manifest (`pod.json`, `liftoff_contract::PodManifest::from_slice`): parsed, version-checked
//! and validated by stage1 before it builds anything.
//!
//! Besides "no panic": what stage1 accepts, it can write and read back unchanged (stage0 and
//! stage1 agree on the format), and the stop timeout can be used as a deadline.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff_contract::PodManifest;

fuzz_target!(|data: &[u8]| {
    let Ok(m) = PodManifest::from_slice(data) else {
        return;
    };
    let b = serde_json::to_vec(&m).expect("an accepted manifest serialises");
    let again = PodManifest::from_slice(&b).expect("an accepted manifest reads back");
    assert_eq!(again, m);
    let _ = std::time::Instant::now() + m.stop_timeout();
});
