//! Docker/OCI JSON seccomp profiles (`--seccomp=FILE`): parsed with serde and translated into
//! seccompiler programs for the host architecture. Unknown syscall names are skipped, as libseccomp
//! does (profiles list calls of every architecture); unknown or unsupported actions and operators are
//! errors that name them.

use super::{add_rules, program, table, Filter, Rules, SeccompError};
use seccompiler::{SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompRule};
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
                return Err(SeccompError::Profile(format!(
                    "action {s} is not supported by liftoff"
                )))
            }
            other => return Err(SeccompError::Profile(format!("unknown action {other:?}"))),
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

fn host_arch_names() -> &'static [&'static str] {
    #[cfg(target_arch = "x86_64")]
    return &["amd64", "x86_64", "SCMP_ARCH_X86_64"];
    #[cfg(target_arch = "aarch64")]
    return &["arm64", "aarch64", "SCMP_ARCH_AARCH64"];
    #[cfg(target_arch = "riscv64")]
    return &["riscv64", "SCMP_ARCH_RISCV64"];
}

fn applies(e: &Entry, caps: &[String]) -> bool {
    let arch = host_arch_names();
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
            other => {
                return Err(SeccompError::Profile(format!(
                    "unknown argument operator {other:?}"
                )))
            }
        };
        if a.index > 5 {
            return Err(SeccompError::Profile(format!(
                "argument index {} out of range",
                a.index
            )));
        }
        conds.push(
            SeccompCondition::new(a.index, SeccompCmpArgLen::Qword, op, v)
                .map_err(|e| SeccompError::Profile(e.to_string()))?,
        );
    }
    Ok(vec![
        SeccompRule::new(conds).map_err(|e| SeccompError::Profile(e.to_string()))?
    ])
}

/// Compiles a JSON profile for an app with `caps`.
pub fn compile(json: &str, caps: &[String]) -> Result<Filter, SeccompError> {
    let p: Profile =
        serde_json::from_str(json).map_err(|e| SeccompError::Profile(e.to_string()))?;
    let default_errno = p.default_errno_ret.unwrap_or(libc::EPERM as u32);
    let default = Act::parse(&p.default_action, p.default_errno_ret, default_errno)?;
    let mut by_act: BTreeMap<Act, Rules> = BTreeMap::new();
    for e in &p.syscalls {
        let act = Act::parse(&e.action, e.errno_ret, default_errno)?;
        if !applies(e, caps) {
            continue;
        }
        let r = rule(e.args.as_deref().unwrap_or(&[]))?;
        for n in e.names.iter().chain(e.name.iter()) {
            if let Some(nr) = table::number(n) {
                add_rules(by_act.entry(act).or_default(), nr, r.clone());
            }
        }
    }
    let mut programs = Vec::new();
    // The base program: the default action, with the allowed calls let through.
    if default != Act::Allow {
        let allow = by_act.remove(&Act::Allow).unwrap_or_default();
        programs.push(program(allow, default.seccompiler(), SeccompAction::Allow)?);
    } else {
        by_act.remove(&Act::Allow);
    }
    // Then one program per other action, installed later so they win ties between errno verdicts.
    for (act, rules) in by_act {
        if act == default || rules.is_empty() {
            continue;
        }
        programs.push(program(rules, SeccompAction::Allow, act.seccompiler())?);
    }
    Ok(Filter { programs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_a_docker_style_profile() {
        let j = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],
          "syscalls":[{"names":["read","write","exit_group","not_a_call"],"action":"SCMP_ACT_ALLOW"},
                      {"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
                      {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
                      {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}"#;
        let f = compile(j, &[]).unwrap();
        assert_eq!(f.programs.len(), 2);
    }

    #[test]
    fn bad_actions_and_ops_are_named() {
        let e = compile(r#"{"defaultAction":"SCMP_ACT_BOGUS"}"#, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("SCMP_ACT_BOGUS"), "{e}");
        let e = compile(r#"{"defaultAction":"SCMP_ACT_NOTIFY"}"#, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not supported"), "{e}");
        let e = compile(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_WAT"}]}]}"#, &[]).unwrap_err().to_string();
        assert!(e.contains("SCMP_CMP_WAT"), "{e}");
        assert!(compile("not json", &[]).is_err());
    }
}
