//! Seccomp filters: liftoff's default allowlist and Docker/OCI JSON profiles, compiled with
//! seccompiler for the host architecture.
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
    SeccompRule, TargetArch,
};
use std::collections::BTreeMap;

/// A compiled filter: programs installed in order.
#[derive(Debug, Clone)]
pub struct Filter {
    pub(crate) programs: Vec<BpfProgram>,
}

#[derive(Debug, thiserror::Error)]
pub enum SeccompError {
    #[error("seccomp profile: {0}")]
    Profile(String),
    #[error("compiling the seccomp filter: {0}")]
    Compile(String),
    #[error("installing the seccomp filter: {0}")]
    Install(String),
}

pub(crate) type Rules = BTreeMap<i64, Vec<SeccompRule>>;

pub(crate) fn host_arch() -> TargetArch {
    #[cfg(target_arch = "aarch64")]
    return TargetArch::aarch64;
    #[cfg(target_arch = "riscv64")]
    return TargetArch::riscv64;
    #[cfg(target_arch = "x86_64")]
    return TargetArch::x86_64;
}

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
) -> Result<BpfProgram, SeccompError> {
    let f = SeccompFilter::new(rules, mismatch, matched, host_arch())
        .map_err(|e| SeccompError::Compile(e.to_string()))?;
    f.try_into()
        .map_err(|e: seccompiler::BackendError| SeccompError::Compile(e.to_string()))
}

fn cond(arg: u8, op: SeccompCmpOp, v: u64) -> SeccompCondition {
    SeccompCondition::new(arg, SeccompCmpArgLen::Qword, op, v).expect("valid condition")
}

/// Namespace flags `clone` may only use with CAP_SYS_ADMIN.
const CLONE_NS_FLAGS: u64 = (libc::CLONE_NEWNS
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWUSER
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET
    | libc::CLONE_NEWCGROUP) as u64
    | 0x80; // CLONE_NEWTIME

/// The default profile's rules for an app with `caps`.
pub fn default_rules(caps: &[String]) -> Rules {
    let has = |c: &str| caps.iter().any(|x| x == c);
    let mut rules = Rules::new();
    for (_, nr) in table::ALLOW_COMMON.iter().chain(table::ALLOW_ARCH) {
        add_rules(&mut rules, *nr, vec![]);
    }
    for (cap, calls) in table::GATED {
        if has(cap) {
            for (_, nr) in *calls {
                add_rules(&mut rules, *nr, vec![]);
            }
        }
    }
    // clone without namespace flags for everyone; with them only for CAP_SYS_ADMIN.
    if has("CAP_SYS_ADMIN") {
        add_rules(&mut rules, libc::SYS_clone, vec![]);
    } else {
        let rule = SeccompRule::new(vec![cond(0, SeccompCmpOp::MaskedEq(CLONE_NS_FLAGS), 0)])
            .expect("rule");
        add_rules(&mut rules, libc::SYS_clone, vec![rule]);
    }
    // mknod only for files, fifos and sockets: there is no device cgroup on every host, so a device
    // node made in /dev (a tmpfs that must allow devices) could open a host device.
    let kinds: Vec<u64> = [0, libc::S_IFREG, libc::S_IFIFO, libc::S_IFSOCK]
        .iter()
        .map(|k| *k as u64)
        .collect();
    let mknod_rules = |arg: u8| -> Vec<SeccompRule> {
        kinds
            .iter()
            .map(|k| {
                SeccompRule::new(vec![cond(
                    arg,
                    SeccompCmpOp::MaskedEq(libc::S_IFMT as u64),
                    *k,
                )])
                .expect("rule")
            })
            .collect()
    };
    rules.remove(&libc::SYS_mknodat);
    add_rules(&mut rules, libc::SYS_mknodat, mknod_rules(2));
    #[cfg(target_arch = "x86_64")]
    {
        rules.remove(&libc::SYS_mknod);
        add_rules(&mut rules, libc::SYS_mknod, mknod_rules(1));
    }
    // personality only with the harmless values Docker allows.
    let persona: Vec<SeccompRule> = [0u64, 0x8, 0x20000, 0x20008, 0xffff_ffff]
        .iter()
        .map(|v| SeccompRule::new(vec![cond(0, SeccompCmpOp::Eq, *v)]).expect("rule"))
        .collect();
    add_rules(&mut rules, libc::SYS_personality, persona);
    for (_, nr) in table::ALWAYS_BLOCKED {
        rules.remove(nr);
    }
    rules
}

/// Compiles the filter for an app; None for `unconfined`.
pub fn compile(
    mode: &SeccompMode,
    capabilities: &[String],
) -> Result<Option<Filter>, SeccompError> {
    match mode {
        SeccompMode::Unconfined => Ok(None),
        SeccompMode::Default => {
            let base = program(
                default_rules(capabilities),
                SeccompAction::Errno(libc::EPERM as u32),
                SeccompAction::Allow,
            )?;
            let mut clone3 = Rules::new();
            clone3.insert(libc::SYS_clone3, vec![]);
            let enosys = program(
                clone3,
                SeccompAction::Allow,
                SeccompAction::Errno(libc::ENOSYS as u32),
            )?;
            Ok(Some(Filter {
                programs: vec![base, enosys],
            }))
        }
        SeccompMode::Profile(json) => profile::compile(json, capabilities).map(Some),
    }
}

/// Installs the filter on the calling thread (needs no_new_privs or CAP_SYS_ADMIN).
pub fn install(f: &Filter) -> Result<(), SeccompError> {
    for p in &f.programs {
        seccompiler::apply_filter(p).map_err(|e| SeccompError::Install(e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps14() -> Vec<String> {
        [
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_FSETID",
            "CAP_FOWNER",
            "CAP_MKNOD",
            "CAP_NET_RAW",
            "CAP_SETGID",
            "CAP_SETUID",
            "CAP_SETFCAP",
            "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT",
            "CAP_KILL",
            "CAP_AUDIT_WRITE",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn default_allows_the_basics_and_blocks_the_dangerous() {
        let r = default_rules(&caps14());
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
        let r = default_rules(&c);
        assert!(r.contains_key(&libc::SYS_mount) && r.contains_key(&libc::SYS_ptrace));
        assert!(!r.contains_key(&libc::SYS_keyctl) && !r.contains_key(&libc::SYS_pivot_root));
        assert!(!default_rules(&[]).contains_key(&libc::SYS_chroot));
    }

    #[test]
    fn compiles_fast() {
        let caps = caps14();
        let t = std::time::Instant::now();
        let n = 20;
        for _ in 0..n {
            compile(&SeccompMode::Default, &caps).unwrap().unwrap();
        }
        let per = t.elapsed() / n;
        eprintln!("default profile compile: {per:?}");
        assert!(per < std::time::Duration::from_millis(50), "{per:?}");
    }
}
