//! Tests of what the compiled filters answer, call by call: a small classic-BPF interpreter runs
//! each program the way the kernel runs seccomp filters, so the default profile and translated
//! profiles can be checked argument by argument (and for an architecture other than the host's)
//! without installing anything. One test installs the default filter in a child process to check
//! that the interpreter and the kernel agree.

use super::Filter;
use seccompiler::sock_filter;

const RET_ACTION_FULL: u32 = 0xffff_0000;
pub(crate) const RET_ALLOW: u32 = 0x7fff_0000;
pub(crate) const RET_KILL_PROCESS: u32 = 0x8000_0000;

pub(crate) const fn errno(e: i32) -> u32 {
    0x0005_0000 | e as u32
}

/// One system call as the kernel hands it to a filter (`struct seccomp_data`).
pub(crate) struct Call {
    pub(crate) arch: u32,
    pub(crate) nr: i64,
    pub(crate) args: [u64; 6],
}

impl Call {
    fn word(&self, off: u32) -> u32 {
        match off {
            0 => self.nr as u32,
            4 => self.arch,
            8 | 12 => 0, // instruction pointer
            16..=63 if off.is_multiple_of(4) => {
                let a = self.args[(off as usize - 16) / 8];
                if off.is_multiple_of(8) {
                    a as u32
                } else {
                    (a >> 32) as u32
                }
            }
            _ => panic!("load outside seccomp_data at {off}"),
        }
    }
}

/// Runs one program; panics on an instruction seccompiler does not emit.
fn run_one(prog: &[sock_filter], c: &Call) -> u32 {
    let (mut a, mut pc) = (0u32, 0usize);
    loop {
        let i = prog.get(pc).expect("the program ran off its end");
        pc += 1;
        let jump = |cond: bool| if cond { i.jt as usize } else { i.jf as usize };
        match i.code {
            0x20 => a = c.word(i.k),          // BPF_LD | BPF_W | BPF_ABS
            0x54 => a &= i.k,                 // BPF_ALU | BPF_AND | BPF_K
            0x05 => pc += i.k as usize,       // BPF_JMP | BPF_JA
            0x15 => pc += jump(a == i.k),     // BPF_JMP | BPF_JEQ | BPF_K
            0x25 => pc += jump(a > i.k),      // BPF_JMP | BPF_JGT | BPF_K
            0x35 => pc += jump(a >= i.k),     // BPF_JMP | BPF_JGE | BPF_K
            0x45 => pc += jump(a & i.k != 0), // BPF_JMP | BPF_JSET | BPF_K
            0x06 => return i.k,               // BPF_RET | BPF_K
            op => panic!("unexpected BPF instruction {op:#x}"),
        }
    }
}

/// The verdict of a whole filter: the kernel runs every program, newest first, and keeps the most
/// restrictive action (the lowest as a signed number); between equal actions the newest wins.
pub(crate) fn verdict(f: &Filter, c: &Call) -> u32 {
    let mut ret = RET_ALLOW;
    for p in f.programs.iter().rev() {
        let cur = run_one(p, c);
        if ((cur & RET_ACTION_FULL) as i32) < ((ret & RET_ACTION_FULL) as i32) {
            ret = cur;
        }
    }
    ret
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seccomp::{compile, compile_for, table, Arch};
    use crate::SeccompMode;

    const EPERM: u32 = errno(libc::EPERM);

    fn caps(extra: &[&str]) -> Vec<crate::Capability> {
        crate::DEFAULT_CAPS
            .iter()
            .chain(extra)
            .map(|s| s.parse().unwrap())
            .collect()
    }

    fn default_filter(extra: &[&str]) -> Filter {
        compile(&SeccompMode::Default, &caps(extra))
            .unwrap()
            .unwrap()
    }

    fn call(f: &Filter, name: &str, args: &[u64]) -> u32 {
        call_on(Arch::host(), f, name, args)
    }

    fn call_on(arch: Arch, f: &Filter, name: &str, args: &[u64]) -> u32 {
        let nr = arch
            .number(name)
            .unwrap_or_else(|| panic!("{name} does not resolve on {}", arch.name()));
        raw(arch.audit(), f, nr, args)
    }

    fn raw(audit: u32, f: &Filter, nr: i64, args: &[u64]) -> u32 {
        let mut a = [0u64; 6];
        a[..args.len()].copy_from_slice(args);
        verdict(
            f,
            &Call {
                arch: audit,
                nr,
                args: a,
            },
        )
    }

    #[test]
    fn socket_families_moby_refuses_are_refused() {
        let f = default_filter(&[]);
        // AF_VSOCK reaches the hypervisor whatever the network namespace; AF_ALG is the kernel
        // crypto API, a recurring source of kernel bugs. moby refuses both.
        assert_eq!(call(&f, "socket", &[40, 1, 0]), EPERM, "AF_VSOCK");
        assert_eq!(call(&f, "socket", &[38, 5, 0]), EPERM, "AF_ALG");
        // The family is an int: the kernel ignores the upper half of the register, so must we.
        assert_eq!(
            call(&f, "socket", &[0x1_0000_0028, 1, 0]),
            EPERM,
            "AF_VSOCK with high bits"
        );
        assert_eq!(call(&f, "socket", &[0xffff_ffff_0000_0026, 5, 0]), EPERM);
        for fam in [1u64, 2, 10, 16, 17, 39, 41, 45] {
            assert_eq!(call(&f, "socket", &[fam, 1, 0]), RET_ALLOW, "family {fam}");
        }
        // Capabilities do not open them.
        let all = default_filter(&["CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_MODULE"]);
        assert_eq!(call(&all, "socket", &[40, 1, 0]), EPERM);
        assert_eq!(call(&all, "socket", &[38, 5, 0]), EPERM);
    }

    #[test]
    fn personality_clone_and_clone3_are_filtered_as_moby_does() {
        let f = default_filter(&[]);
        for v in [0u64, 0x8, 0x20000, 0x20008, 0xffff_ffff] {
            assert_eq!(call(&f, "personality", &[v]), RET_ALLOW, "{v:#x}");
        }
        // ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, and a listed value with high bits set.
        for v in [0x0040000u64, 0x0400000, 0x1_0000_0000] {
            assert_eq!(call(&f, "personality", &[v]), EPERM, "{v:#x}");
        }
        let sigchld = libc::SIGCHLD as u64;
        assert_eq!(call(&f, "clone", &[sigchld]), RET_ALLOW);
        assert_eq!(
            call(&f, "clone", &[(libc::CLONE_VM | libc::CLONE_THREAD) as u64]),
            RET_ALLOW
        );
        for flag in [
            libc::CLONE_NEWNS,
            libc::CLONE_NEWUTS,
            libc::CLONE_NEWIPC,
            libc::CLONE_NEWUSER,
            libc::CLONE_NEWPID,
            libc::CLONE_NEWNET,
            libc::CLONE_NEWCGROUP,
            0x80, // CLONE_NEWTIME
        ] {
            assert_eq!(
                call(&f, "clone", &[flag as u64 | sigchld]),
                EPERM,
                "{flag:#x}"
            );
        }
        assert_eq!(call(&f, "clone3", &[0, 88]), errno(libc::ENOSYS));
        let admin = default_filter(&["CAP_SYS_ADMIN"]);
        assert_eq!(
            call(&admin, "clone", &[libc::CLONE_NEWNS as u64 | sigchld]),
            RET_ALLOW
        );
    }

    /// The calls a user profile could not deny while liftoff's name table was written by hand.
    pub(crate) const NEWER: &[&str] = &[
        "memfd_secret",
        "mseal",
        "fchmodat2",
        "listmount",
        "statmount",
        "cachestat",
        "lsm_get_self_attr",
        "lsm_set_self_attr",
        "lsm_list_modules",
        "futex_wait",
        "futex_wake",
        "futex_requeue",
        "map_shadow_stack",
        "setxattrat",
        "getxattrat",
        "listxattrat",
        "removexattrat",
        "uretprobe",
        "modify_ldt",
    ];

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_newer_call_resolves_on_x86_64() {
        let missing: Vec<&str> = NEWER
            .iter()
            .copied()
            .filter(|n| table::number(n).is_none())
            .collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn a_profile_denying_the_newer_calls_denies_them() {
        let names: Vec<String> = NEWER.iter().map(|n| format!("\"{n}\"")).collect();
        let j = format!(
            r#"{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
                {{"names":[{}],"action":"SCMP_ACT_ERRNO","errnoRet":13}}]}}"#,
            names.join(",")
        );
        let f = compile(&SeccompMode::Profile(j), &[]).unwrap().unwrap();
        for n in NEWER {
            assert_eq!(call(&f, n, &[]), errno(libc::EACCES), "{n}");
        }
        assert_eq!(call(&f, "read", &[]), RET_ALLOW);
    }

    #[test]
    fn a_profile_naming_an_unknown_call_is_refused_naming_it() {
        let j = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {"names":["keyctl","fchmodat_two"],"action":"SCMP_ACT_ERRNO"}]}"#;
        let e = compile(&SeccompMode::Profile(j.into()), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("fchmodat_two") && !e.contains("keyctl"), "{e}");
    }

    #[test]
    fn the_always_blocked_calls_stay_blocked_under_a_user_profile() {
        let j = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {"names":["keyctl","io_uring_setup"],"action":"SCMP_ACT_ALLOW"}]}"#;
        let f = compile(&SeccompMode::Profile(j.into()), &[])
            .unwrap()
            .unwrap();
        for n in table::ALWAYS_BLOCKED {
            assert_eq!(call(&f, n, &[]), EPERM, "{n}");
        }
        assert_eq!(call(&f, "read", &[]), RET_ALLOW);
    }

    #[test]
    fn aarch64_filters_refuse_the_same() {
        let a = Arch::Aarch64;
        let f = compile_for(&SeccompMode::Default, &caps(&[]), a)
            .unwrap()
            .unwrap();
        assert_eq!(call_on(a, &f, "socket", &[40, 1, 0]), EPERM);
        assert_eq!(call_on(a, &f, "socket", &[0x1_0000_0028, 1, 0]), EPERM);
        assert_eq!(call_on(a, &f, "socket", &[38, 5, 0]), EPERM);
        assert_eq!(call_on(a, &f, "socket", &[2, 1, 0]), RET_ALLOW);
        assert_eq!(call_on(a, &f, "personality", &[0x0040000]), EPERM);
        assert_eq!(call_on(a, &f, "clone", &[0x2_0000 | 17]), EPERM);
        assert_eq!(call_on(a, &f, "clone", &[17]), RET_ALLOW);
        assert_eq!(call_on(a, &f, "clone3", &[]), errno(libc::ENOSYS));
        assert_eq!(call_on(a, &f, "mknodat", &[0, 0, 0o060600, 0]), EPERM);
        assert_eq!(call_on(a, &f, "mknodat", &[0, 0, 0o010600, 0]), RET_ALLOW);
        assert_eq!(call_on(a, &f, "keyctl", &[]), EPERM);
        assert_eq!(call_on(a, &f, "openat", &[]), RET_ALLOW);
        // A call of the host's (x86_64) numbering does not pass an aarch64 filter.
        assert_eq!(raw(Arch::X86_64.audit(), &f, 0, &[]), RET_KILL_PROCESS);
        let names: Vec<String> = NEWER
            .iter()
            .filter(|n| a.number(n).is_some())
            .map(|n| format!("\"{n}\""))
            .collect();
        assert!(names.len() >= 17, "{names:?}");
        let j = format!(
            r#"{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
                {{"names":[{}],"action":"SCMP_ACT_ERRNO","errnoRet":13}}]}}"#,
            names.join(",")
        );
        let p = compile_for(&SeccompMode::Profile(j), &[], a)
            .unwrap()
            .unwrap();
        for n in NEWER.iter().filter(|n| a.number(n).is_some()) {
            assert_eq!(call_on(a, &p, n, &[]), errno(libc::EACCES), "{n}");
        }
    }

    #[test]
    fn other_abis_cannot_go_around_the_filters() {
        let x = Arch::X86_64;
        let allow_all = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {"names":["fchmodat2"],"action":"SCMP_ACT_ERRNO"}]}"#;
        let p = compile_for(&SeccompMode::Profile(allow_all.into()), &[], x)
            .unwrap()
            .unwrap();
        let d = compile_for(&SeccompMode::Default, &caps(&[]), x)
            .unwrap()
            .unwrap();
        let fchmodat2 = x.number("fchmodat2").unwrap();
        assert_eq!(call_on(x, &p, "fchmodat2", &[]), EPERM);
        // The x32 twin of a denied call (and of every call): ENOSYS under a profile, EPERM by default.
        assert_eq!(
            raw(x.audit(), &p, fchmodat2 | 0x4000_0000, &[]),
            errno(libc::ENOSYS)
        );
        assert_eq!(raw(x.audit(), &p, 0x4000_0000, &[]), errno(libc::ENOSYS));
        assert_eq!(raw(x.audit(), &d, fchmodat2 | 0x4000_0000, &[]), EPERM);
        assert_eq!(call_on(x, &p, "read", &[]), RET_ALLOW);
        // i386 calls (int 0x80) kill the process under either.
        const AUDIT_ARCH_I386: u32 = 3 | 0x4000_0000;
        assert_eq!(raw(AUDIT_ARCH_I386, &p, 1, &[]), RET_KILL_PROCESS);
        assert_eq!(raw(AUDIT_ARCH_I386, &d, 1, &[]), RET_KILL_PROCESS);
    }

    #[test]
    fn gated_calls_follow_their_capability() {
        let f = default_filter(&[]);
        let bpf = default_filter(&["CAP_BPF", "CAP_PERFMON"]);
        for n in ["bpf", "perf_event_open"] {
            assert_eq!(call(&f, n, &[]), EPERM, "{n}");
            assert_eq!(call(&bpf, n, &[]), RET_ALLOW, "{n}");
        }
        let admin = default_filter(&["CAP_SYS_ADMIN"]);
        for n in ["quotactl_fd", "lsm_set_self_attr", "mount"] {
            assert_eq!(call(&f, n, &[]), EPERM, "{n}");
            assert_eq!(call(&admin, n, &[]), RET_ALLOW, "{n}");
        }
        // Newer variants of calls everyone has, allowed as moby allows them.
        for n in [
            "fchmodat2",
            "futex_wake",
            "getxattrat",
            "cachestat",
            "mseal",
            "statmount",
        ] {
            assert_eq!(call(&f, n, &[]), RET_ALLOW, "{n}");
        }
        // Kept out (docs/seccomp.md), even though moby allows them.
        for n in ["memfd_secret", "ptrace", "name_to_handle_at"] {
            assert_eq!(call(&f, n, &[]), EPERM, "{n}");
        }
        #[cfg(target_arch = "x86_64")]
        assert_eq!(call(&f, "modify_ldt", &[]), EPERM);
    }

    #[test]
    fn the_kernel_agrees_with_the_interpreter() {
        // Install the default filter in a child and ask the real kernel.
        let f = default_filter(&[]);
        let probe = |family: u64| -> i32 {
            // SAFETY: the child only makes system calls and exits; the filter was built before.
            unsafe {
                let pid = libc::fork();
                assert!(pid >= 0);
                if pid == 0 {
                    if super::super::install(&f).is_err() {
                        libc::_exit(100);
                    }
                    let r = libc::syscall(libc::SYS_socket, family, libc::SOCK_STREAM, 0);
                    let e = if r < 0 { *libc::__errno_location() } else { 0 };
                    libc::_exit(e);
                }
                let mut st = 0;
                libc::waitpid(pid, &mut st, 0);
                libc::WEXITSTATUS(st)
            }
        };
        assert_eq!(probe(40), libc::EPERM);
        assert_eq!(probe(0x1_0000_0028), libc::EPERM);
        assert_eq!(probe(libc::AF_UNIX as u64), 0);
    }
}
