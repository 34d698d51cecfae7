//! Docker/OCI JSON seccomp profiles (`--seccomp=FILE`): parsed with serde and translated into
//! seccompiler programs for one architecture.
//!
//! Names are looked up in the full syscall table of every architecture ([`table::lookup`]). A name
//! that is a call of another architecture only (`socketcall`, `chown32`, … which moby's own profile
//! lists) is skipped: no process here can make that call. A name that is no call liftoff knows is
//! an error, unlike libseccomp, which skips it: skipping is how a profile that denies a call newer
//! than the table used to let that call through. Unknown or unsupported actions and operators are
//! errors that name them too.
//!
//! Whatever the profile says, two programs are added after its own: the always-blocked calls
//! ([`table::ALWAYS_BLOCKED`]) get EPERM, and on x86_64 the x32 system call numbers (bit 30 set,
//! which the profile's rules never match) get ENOSYS, so a profile that allows by default cannot be
//! bypassed through the x32 ABI on kernels that have it.

use super::{add_rules, deny_names, program, table, Arch, Filter, Rules, SeccompError};
use seccompiler::{
    sock_filter, BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition,
    SeccompRule,
};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    default_action: String,
    #[serde(default)]
    default_errno_ret: Option<u32>,
    #[serde(default)]
    syscalls: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    name: Option<String>,
    action: String,
    #[serde(default)]
    errno_ret: Option<u32>,
    #[serde(default)]
    args: Option<Vec<Arg>>,
    #[serde(default)]
    includes: Option<Filterset>,
    #[serde(default)]
    excludes: Option<Filterset>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Arg {
    index: u8,
    value: u64,
    #[serde(default)]
    value_two: u64,
    op: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filterset {
    #[serde(default)]
    caps: Vec<String>,
    #[serde(default)]
    arches: Vec<String>,
}

/// The action key: programs are grouped by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Act {
    Allow,
    Errno(u32),
    KillThread,
    KillProcess,
    Trap,
    Log,
}

impl Act {
    fn parse(s: &str, errno: Option<u32>, default_errno: u32) -> Result<Act, SeccompError> {
        Ok(match s {
            "SCMP_ACT_ALLOW" => Act::Allow,
            "SCMP_ACT_ERRNO" => Act::Errno(errno.unwrap_or(default_errno)),
            "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Act::KillThread,
            "SCMP_ACT_KILL_PROCESS" => Act::KillProcess,
            "SCMP_ACT_TRAP" => Act::Trap,
            "SCMP_ACT_LOG" => Act::Log,
            "SCMP_ACT_TRACE" | "SCMP_ACT_NOTIFY" => {
                return Err(SeccompError::UnsupportedAction(s.to_string()))
            }
            other => return Err(SeccompError::UnknownAction(other.to_string())),
        })
    }

    fn seccompiler(self) -> SeccompAction {
        match self {
            Act::Allow => SeccompAction::Allow,
            Act::Errno(e) => SeccompAction::Errno(e),
            Act::KillThread => SeccompAction::KillThread,
            Act::KillProcess => SeccompAction::KillProcess,
            Act::Trap => SeccompAction::Trap,
            Act::Log => SeccompAction::Log,
        }
    }
}

fn applies(e: &Entry, caps: &[String], arch: Arch) -> bool {
    let arch = arch.profile_names();
    if let Some(inc) = &e.includes {
        if !inc.caps.iter().all(|c| caps.contains(c)) {
            return false;
        }
        if !inc.arches.is_empty() && !inc.arches.iter().any(|a| arch.contains(&a.as_str())) {
            return false;
        }
    }
    if let Some(exc) = &e.excludes {
        if exc.caps.iter().any(|c| caps.contains(c)) {
            return false;
        }
        if exc.arches.iter().any(|a| arch.contains(&a.as_str())) {
            return false;
        }
    }
    true
}

fn rule(args: &[Arg]) -> Result<Vec<SeccompRule>, SeccompError> {
    if args.is_empty() {
        return Ok(vec![]);
    }
    let mut conds = Vec::new();
    for a in args {
        let (op, v) = match a.op.as_str() {
            "SCMP_CMP_EQ" => (SeccompCmpOp::Eq, a.value),
            "SCMP_CMP_NE" => (SeccompCmpOp::Ne, a.value),
            "SCMP_CMP_LT" => (SeccompCmpOp::Lt, a.value),
            "SCMP_CMP_LE" => (SeccompCmpOp::Le, a.value),
            "SCMP_CMP_GT" => (SeccompCmpOp::Gt, a.value),
            "SCMP_CMP_GE" => (SeccompCmpOp::Ge, a.value),
            "SCMP_CMP_MASKED_EQ" => (SeccompCmpOp::MaskedEq(a.value), a.value_two),
            other => return Err(SeccompError::UnknownOperator(other.to_string())),
        };
        if a.index > 5 {
            return Err(SeccompError::ArgIndex(a.index));
        }
        conds.push(
            SeccompCondition::new(a.index, SeccompCmpArgLen::Qword, op, v)
                .map_err(SeccompError::Rule)?,
        );
    }
    Ok(vec![SeccompRule::new(conds).map_err(SeccompError::Rule)?])
}

/// Every name of the profile that is no system call on any architecture, in the order given.
fn unknown_names(p: &Profile, arch: Arch) -> Vec<String> {
    let mut bad: Vec<String> = Vec::new();
    for e in &p.syscalls {
        for n in e.names.iter().chain(e.name.iter()) {
            if table::lookup(arch, n) == table::Lookup::Unknown && !bad.contains(n) {
                bad.push(n.clone());
            }
        }
    }
    bad
}

/// `X32_SYSCALL_BIT`: x32 processes make x86_64-arch calls with this bit set in the number.
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// ENOSYS for every x32 call: the profile's rules name x86_64 numbers only, so without this a
/// profile whose default is to allow would let every denied call through its x32 twin.
fn x32_guard() -> BpfProgram {
    let ins = |code: u16, jt: u8, jf: u8, k: u32| sock_filter { code, jt, jf, k };
    const LD_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const JEQ: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const JGE: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    const RET: u16 = 0x06; // BPF_RET | BPF_K
    vec![
        ins(LD_ABS, 0, 0, 4), // seccomp_data.arch
        ins(JEQ, 0, 3, Arch::X86_64.audit()),
        ins(LD_ABS, 0, 0, 0), // seccomp_data.nr
        ins(JGE, 0, 1, X32_SYSCALL_BIT),
        ins(RET, 0, 0, libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32),
        ins(RET, 0, 0, libc::SECCOMP_RET_ALLOW),
    ]
}

/// Compiles a JSON profile for an app with `caps` on `arch`.
pub fn compile(json: &str, caps: &[String], arch: Arch) -> Result<Filter, SeccompError> {
    let p: Profile = serde_json::from_str(json).map_err(SeccompError::NotAProfile)?;
    let unknown = unknown_names(&p, arch);
    if !unknown.is_empty() {
        return Err(SeccompError::UnknownSyscalls(unknown));
    }
    let default_errno = p.default_errno_ret.unwrap_or(libc::EPERM as u32);
    let default = Act::parse(&p.default_action, p.default_errno_ret, default_errno)?;
    let mut by_act: BTreeMap<Act, Rules> = BTreeMap::new();
    for e in &p.syscalls {
        let act = Act::parse(&e.action, e.errno_ret, default_errno)?;
        if !applies(e, caps, arch) {
            continue;
        }
        let r = rule(e.args.as_deref().unwrap_or(&[]))?;
        for n in e.names.iter().chain(e.name.iter()) {
            if let table::Lookup::Number(nr) = table::lookup(arch, n) {
                add_rules(by_act.entry(act).or_default(), nr, r.clone());
            }
        }
    }
    let mut programs = Vec::new();
    // The base program: the default action, with the allowed calls let through.
    if default != Act::Allow {
        let allow = by_act.remove(&Act::Allow).unwrap_or_default();
        programs.push(program(
            allow,
            default.seccompiler(),
            SeccompAction::Allow,
            arch,
        )?);
    } else {
        by_act.remove(&Act::Allow);
    }
    // Then one program per other action, installed later so they win ties between errno verdicts.
    for (act, rules) in by_act {
        if act == default || rules.is_empty() {
            continue;
        }
        programs.push(program(
            rules,
            SeccompAction::Allow,
            act.seccompiler(),
            arch,
        )?);
    }
    programs.push(deny_names(table::ALWAYS_BLOCKED, libc::EPERM, arch)?);
    if arch == Arch::X86_64 {
        programs.push(x32_guard());
    }
    Ok(Filter { programs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_a_docker_style_profile() {
        let j = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],
          "syscalls":[{"names":["read","write","exit_group","socketcall"],"action":"SCMP_ACT_ALLOW"},
                      {"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
                      {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
                      {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}"#;
        let f = compile(j, &[], Arch::X86_64).unwrap();
        // base, clone3 ENOSYS, always-blocked, x32 guard
        assert_eq!(f.programs.len(), 4);
    }

    #[test]
    fn bad_actions_and_ops_are_named() {
        let e = compile(r#"{"defaultAction":"SCMP_ACT_BOGUS"}"#, &[], Arch::host())
            .unwrap_err()
            .to_string();
        assert!(e.contains("SCMP_ACT_BOGUS"), "{e}");
        let e = compile(r#"{"defaultAction":"SCMP_ACT_NOTIFY"}"#, &[], Arch::host())
            .unwrap_err()
            .to_string();
        assert!(e.contains("not supported"), "{e}");
        let e = compile(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_WAT"}]}]}"#, &[], Arch::host()).unwrap_err().to_string();
        assert!(e.contains("SCMP_CMP_WAT"), "{e}");
        assert!(compile("not json", &[], Arch::host()).is_err());
    }
}
