//! Docker/OCI JSON seccomp profiles (`--seccomp=FILE`, `stage2::seccomp::profile::compile`):
//! parsed and compiled to BPF programs for each architecture liftoff supports. The input's length picks the
//! capability set the profile's `includes`/`excludes` are evaluated against (so real profiles
//! work as seeds as they are, and one trailing space more tries another set).
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff_stage2::seccomp::profile::compile;
use liftoff_stage2::seccomp::Arch;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let caps: Vec<String> = match data.len() % 3 {
        0 => vec![],
        1 => vec!["CAP_SYS_ADMIN".into(), "CAP_SYS_PTRACE".into()],
        _ => vec![
            "CAP_CHOWN".into(),
            "CAP_NET_BIND_SERVICE".into(),
            "CAP_SYS_CHROOT".into(),
        ],
    };
    // The architecture too comes from the length, so every table gets fuzzed.
    let arch = Arch::ALL[(data.len() / 3) % Arch::ALL.len()];
    let _ = compile(json, &caps, arch);
});
