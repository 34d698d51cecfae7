//! Seccomp filters: liftoff's default allowlist and Docker/OCI JSON profiles, compiled with
//! seccompiler for the host architecture (or any in [`Arch`], which the tests use). What the default
//! profile allows, and how it differs from moby's, is in docs/seccomp.md.
//!
//! A compiled [`Filter`] may hold several BPF programs: seccompiler gives each program a single
//! "match" action, so a profile with several actions becomes one program per action. The kernel runs
//! every installed program and takes the most restrictive verdict; between two errno verdicts the most
//! recently installed wins, which is how `clone3` gets ENOSYS (so libc falls back to `clone`, whose
//! flags can be filtered) while everything else unlisted gets EPERM.

#[cfg(test)]
mod eval;
pub mod profile;
pub mod table;

use crate::SeccompMode;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule,
};
use std::collections::BTreeMap;
pub use table::Arch;

/// A compiled filter: programs installed in order.
#[derive(Debug, Clone)]
pub struct Filter {
    pub(crate) programs: Vec<BpfProgram>,
}

/// What can go wrong building or installing a filter. The messages leave out which app and which
/// file: the callers know and say.
#[derive(Debug, thiserror::Error)]
pub enum SeccompError {
    #[error("not a valid Docker/OCI profile: {0}")]
    NotAProfile(serde_json::Error),
    #[error("action {0} is not supported by liftoff")]
    UnsupportedAction(String),
    #[error("unknown action \"{}\"", crate::report::shown(.0))]
    UnknownAction(String),
    #[error("unknown argument operator \"{}\"", crate::report::shown(.0))]
    UnknownOperator(String),
    #[error("argument index {0} out of range")]
    ArgIndex(u8),
    /// seccompiler refused a condition or rule built from the profile's arguments.
    #[error("{0}")]
    Rule(seccompiler::BackendError),
    #[error(
        "it names {} liftoff does not know on any architecture: {} (liftoff refuses such a profile \
         rather than skip the name, so that no call the profile denies gets through; fix the name, \
         or drop it if the call is newer than liftoff's table, which ends at {})",
        if .0.len() == 1 { "a system call" } else { "system calls" },
        quoted(.0),
        table::TABLE_ENDS_AT
    )]
    UnknownSyscalls(Vec<String>),
    #[error("compiling the seccomp filter: {0}")]
    Compile(seccompiler::BackendError),
    #[error("installing the seccomp filter: {0}")]
    Install(seccompiler::Error),
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{}\"", crate::report::shown(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) type Rules = BTreeMap<i64, Vec<SeccompRule>>;

/// Adds a rule set for `nr`; an unconditional entry (empty rules) absorbs conditional ones.
pub(crate) fn add_rules(map: &mut Rules, nr: i64, rules: Vec<SeccompRule>) {
    match map.get_mut(&nr) {
        Some(existing) if existing.is_empty() => {}
        Some(existing) if rules.is_empty() => existing.clear(),
        Some(existing) => existing.extend(rules),
        None => {
            map.insert(nr, rules);
        }
    }
}

pub(crate) fn program(
    rules: Rules,
    mismatch: SeccompAction,
    matched: SeccompAction,
    arch: Arch,
) -> Result<BpfProgram, SeccompError> {
    let f = SeccompFilter::new(rules, mismatch, matched, arch.target())
        .map_err(SeccompError::Compile)?;
    f.try_into().map_err(SeccompError::Compile)
}

/// A condition on the whole 64-bit register (pointers, `unsigned long` flags).
fn cond(arg: u8, op: SeccompCmpOp, v: u64) -> SeccompCondition {
    SeccompCondition::new(arg, SeccompCmpArgLen::Qword, op, v).expect("valid condition")
}

/// A condition on the low 32 bits, for an `int` argument: the kernel drops the upper half of the
/// register, so comparing all 64 bits would let `0x1_0000_0028` through as a family above 40 while
/// the kernel sees AF_VSOCK (40).
fn cond_int(arg: u8, op: SeccompCmpOp, v: u32) -> SeccompRule {
    let c = SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, v.into()).expect("condition");
    SeccompRule::new(vec![c]).expect("rule")
}

/// Namespace flags `clone` may only use with CAP_SYS_ADMIN: moby's mask plus CLONE_NEWTIME.
const CLONE_NS_FLAGS: u64 = (libc::CLONE_NEWNS
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWUSER
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET
    | libc::CLONE_NEWCGROUP) as u64
    | 0x80; // CLONE_NEWTIME

/// Socket families refused whatever the capabilities, as moby refuses them: AF_VSOCK reaches the
/// hypervisor and other VMs whatever the pod's network namespace; AF_ALG is the kernel's crypto API,
/// a recurring source of kernel bugs and of nothing a pod needs.
const AF_ALG: u32 = 38;
const AF_VSOCK: u32 = 40;

/// Adds an unconditional entry for every call in `names` that `arch` has.
fn add_names(rules: &mut Rules, arch: Arch, names: &[&str]) {
    for n in names {
        if let Some(nr) = arch.number(n) {
            add_rules(rules, nr, vec![]);
        }
    }
}

/// The calls the default profile allows only by argument.
fn argument_rules(rules: &mut Rules, arch: Arch, has: impl Fn(&str) -> bool) {
    let nr = |n: &str| arch.number(n);
    // socket for every family but AF_ALG and AF_VSOCK (38 and 40; 39 is AF_NFC).
    if let Some(socket) = nr("socket") {
        let fams = vec![
            cond_int(0, SeccompCmpOp::Lt, AF_ALG),
            cond_int(0, SeccompCmpOp::Eq, AF_ALG + 1),
            cond_int(0, SeccompCmpOp::Gt, AF_VSOCK),
        ];
        add_rules(rules, socket, fams);
    }
    // clone without namespace flags for everyone; with them only for CAP_SYS_ADMIN.
    if let Some(clone) = nr("clone") {
        let r = if has("CAP_SYS_ADMIN") {
            vec![]
        } else {
            let c = cond(0, SeccompCmpOp::MaskedEq(CLONE_NS_FLAGS), 0);
            vec![SeccompRule::new(vec![c]).expect("rule")]
        };
        add_rules(rules, clone, r);
    }
    // mknod only for files, fifos and sockets: there is no device cgroup on every host, so a device
    // node made in /dev (a tmpfs that must allow devices) could open a host device.
    let kinds = [0, libc::S_IFREG, libc::S_IFIFO, libc::S_IFSOCK];
    let mknod_rules = |arg: u8| -> Vec<SeccompRule> {
        kinds
            .iter()
            .map(|k| {
                let c = cond(
                    arg,
                    SeccompCmpOp::MaskedEq(libc::S_IFMT.into()),
                    (*k).into(),
                );
                SeccompRule::new(vec![c]).expect("rule")
            })
            .collect()
    };
    if let Some(mknodat) = nr("mknodat") {
        add_rules(rules, mknodat, mknod_rules(2));
    }
    if let Some(mknod) = nr("mknod") {
        add_rules(rules, mknod, mknod_rules(1));
    }
    // personality only with the harmless values moby allows (all 64 bits compared: a listed value
    // with high bits set is refused, which is stricter than the kernel needs).
    if let Some(personality) = nr("personality") {
        let persona: Vec<SeccompRule> = [0u64, 0x8, 0x20000, 0x20008, 0xffff_ffff]
            .iter()
            .map(|v| SeccompRule::new(vec![cond(0, SeccompCmpOp::Eq, *v)]).expect("rule"))
            .collect();
        add_rules(rules, personality, persona);
    }
}

/// The default profile's rules for an app with `caps` on `arch`.
pub fn default_rules(caps: &[String], arch: Arch) -> Rules {
    let has = |c: &str| caps.iter().any(|x| x == c);
    let mut rules = Rules::new();
    add_names(&mut rules, arch, table::ALLOW);
    for (cap, calls) in table::GATED {
        if has(cap) {
            add_names(&mut rules, arch, calls);
        }
    }
    argument_rules(&mut rules, arch, has);
    for n in table::ALWAYS_BLOCKED {
        if let Some(nr) = arch.number(n) {
            rules.remove(&nr);
        }
    }
    rules
}

/// A program that answers `errno` for each of `names` and lets everything else through.
pub(crate) fn deny_names(
    names: &[&str],
    errno: i32,
    arch: Arch,
) -> Result<BpfProgram, SeccompError> {
    let mut rules = Rules::new();
    add_names(&mut rules, arch, names);
    program(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(errno as u32),
        arch,
    )
}

/// Compiles the filter for an app on the host architecture; None for `unconfined`.
pub fn compile(
    mode: &SeccompMode,
    capabilities: &[crate::Capability],
) -> Result<Option<Filter>, SeccompError> {
    compile_for(mode, capabilities, Arch::host())
}

/// Compiles the filter for an app on `arch`; None for `unconfined`.
pub fn compile_for(
    mode: &SeccompMode,
    capabilities: &[crate::Capability],
    arch: Arch,
) -> Result<Option<Filter>, SeccompError> {
    // The tables gate calls on capability names (as profiles name them).
    let names: Vec<String> = capabilities.iter().map(|c| c.to_string()).collect();
    let capabilities = names.as_slice();
    match mode {
        SeccompMode::Unconfined => Ok(None),
        SeccompMode::Default => {
            let base = program(
                default_rules(capabilities, arch),
                SeccompAction::Errno(libc::EPERM as u32),
                SeccompAction::Allow,
                arch,
            )?;
            // Installed after the base program, so its ENOSYS wins over the base's EPERM.
            let clone3 = deny_names(&["clone3"], libc::ENOSYS, arch)?;
            Ok(Some(Filter {
                programs: vec![base, clone3],
            }))
        }
        SeccompMode::Profile(json) => profile::compile(json, capabilities, arch).map(Some),
    }
}

/// Installs the filter on the calling thread (needs no_new_privs or CAP_SYS_ADMIN).
pub fn install(f: &Filter) -> Result<(), SeccompError> {
    for p in &f.programs {
        seccompiler::apply_filter(p).map_err(SeccompError::Install)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps14() -> Vec<String> {
        crate::DEFAULT_CAPS.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn default_allows_the_basics_and_blocks_the_dangerous() {
        let r = default_rules(&caps14(), Arch::host());
        for nr in [
            libc::SYS_read,
            libc::SYS_write,
            libc::SYS_openat,
            libc::SYS_execve,
            libc::SYS_chroot,
        ] {
            assert_eq!(r.get(&nr).map(Vec::len), Some(0), "{nr}");
        }
        for nr in [
            libc::SYS_keyctl,
            libc::SYS_add_key,
            libc::SYS_mount,
            libc::SYS_unshare,
            libc::SYS_reboot,
            libc::SYS_init_module,
            libc::SYS_ptrace,
            libc::SYS_io_uring_setup,
            libc::SYS_pivot_root,
            libc::SYS_clone3,
        ] {
            assert!(!r.contains_key(&nr), "{nr}");
        }
        assert_eq!(r.get(&libc::SYS_clone).map(Vec::len), Some(1));
    }

    #[test]
    fn caps_open_gated_calls_but_not_blocked_ones() {
        let mut c = caps14();
        c.push("CAP_SYS_ADMIN".into());
        c.push("CAP_SYS_PTRACE".into());
        let r = default_rules(&c, Arch::host());
        assert!(r.contains_key(&libc::SYS_mount) && r.contains_key(&libc::SYS_ptrace));
        assert!(!r.contains_key(&libc::SYS_keyctl) && !r.contains_key(&libc::SYS_pivot_root));
        assert!(!default_rules(&[], Arch::host()).contains_key(&libc::SYS_chroot));
    }

    #[test]
    fn compiles_fast() {
        let t = std::time::Instant::now();
        let n = 20;
        for _ in 0..n {
            compile(&SeccompMode::Default, crate::DEFAULT_CAPABILITIES)
                .unwrap()
                .unwrap();
        }
        let per = t.elapsed() / n;
        eprintln!("default profile compile: {per:?}");
        assert!(per < std::time::Duration::from_millis(50), "{per:?}");
    }
}
