//! System call names and their numbers on each architecture liftoff builds filters for, and the
//! default profile's lists of names.
//!
//! The numbers come from the `syscalls` crate, whose per-architecture tables its maintainers
//! generate from the Linux kernel's own syscall tables (the version locked in Cargo.lock ends at
//! Linux 6.17, `file_setattr`). Nothing here is typed by hand but the lists of names. To take newer
//! kernels in: `cargo update -p syscalls`, then `cargo test -p liftoff-stage2 seccomp` (a test ties
//! [`TABLE_ENDS_AT`] to the crate's last call) and update docs/seccomp.md.
//!
//! The lists hold names, as moby's profile does: a name an architecture lacks (`open`, `stat`, …
//! on aarch64) is skipped there.

use std::str::FromStr;

/// The newest kernel whose calls the table knows, for messages.
pub const TABLE_ENDS_AT: &str = "Linux 6.17";

/// An architecture liftoff builds filters for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Aarch64,
    Riscv64,
}

impl Arch {
    /// Every architecture liftoff builds filters for.
    pub const ALL: [Arch; 3] = [Arch::X86_64, Arch::Aarch64, Arch::Riscv64];

    /// The architecture liftoff was built for.
    pub fn host() -> Arch {
        #[cfg(target_arch = "aarch64")]
        return Arch::Aarch64;
        #[cfg(target_arch = "riscv64")]
        return Arch::Riscv64;
        #[cfg(target_arch = "x86_64")]
        return Arch::X86_64;
    }

    /// The kernel's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::Riscv64 => "riscv64",
        }
    }

    /// The spellings Docker/OCI profiles use for it in `includes`/`excludes` `arches`.
    pub(crate) fn profile_names(self) -> &'static [&'static str] {
        match self {
            Arch::X86_64 => &["amd64", "x86_64", "SCMP_ARCH_X86_64"],
            Arch::Aarch64 => &["arm64", "aarch64", "SCMP_ARCH_AARCH64"],
            Arch::Riscv64 => &["riscv64", "SCMP_ARCH_RISCV64"],
        }
    }

    pub(crate) fn target(self) -> seccompiler::TargetArch {
        match self {
            Arch::X86_64 => seccompiler::TargetArch::x86_64,
            Arch::Aarch64 => seccompiler::TargetArch::aarch64,
            Arch::Riscv64 => seccompiler::TargetArch::riscv64,
        }
    }

    /// `AUDIT_ARCH_*`, what the kernel puts in `seccomp_data.arch`.
    pub(crate) fn audit(self) -> u32 {
        const LE64: u32 = 0x8000_0000 | 0x4000_0000;
        match self {
            Arch::X86_64 => 62 | LE64,
            Arch::Aarch64 => 183 | LE64,
            Arch::Riscv64 => 243 | LE64,
        }
    }

    /// The number of the call `name` on this architecture; None if it has no such call.
    pub fn number(self, name: &str) -> Option<i64> {
        let id = match self {
            Arch::X86_64 => syscalls::x86_64::Sysno::from_str(name).ok()?.id(),
            Arch::Aarch64 => syscalls::aarch64::Sysno::from_str(name).ok()?.id(),
            Arch::Riscv64 => syscalls::riscv64::Sysno::from_str(name).ok()?.id(),
        };
        Some(id.into())
    }
}

/// The number of `name` on the host architecture.
pub fn number(name: &str) -> Option<i64> {
    Arch::host().number(name)
}

/// What a name in a profile stands for on one architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// A call of this architecture, with its number.
    Number(i64),
    /// A call only other architectures have (`socketcall`, `chown32`, …): nothing on this one can
    /// make it, so a rule for it has nothing to filter.
    OtherArch,
    /// Not a Linux system call liftoff knows on any architecture: a typo, or a call newer than the
    /// table.
    Unknown,
}

/// Calls that libseccomp knows by name and the `syscalls` crate leaves out: ARM's private calls
/// (`__ARM_NR_*`, outside the main table) and i386's `break` (a Rust keyword, listed as `r#break`).
/// None exists on an architecture liftoff builds filters for (a test checks).
const UNLISTED_OTHER_ARCH: &[&str] = &[
    "breakpoint",
    "set_tls",
    "get_tls",
    "usr26",
    "usr32",
    "break",
];

/// Looks `name` up for `arch`, then among every architecture's calls.
pub fn lookup(arch: Arch, name: &str) -> Lookup {
    if let Some(nr) = arch.number(name) {
        return Lookup::Number(nr);
    }
    macro_rules! any_arch {
        ($($a:ident),*) => { false $(|| syscalls::$a::Sysno::from_str(name).is_ok())* };
    }
    let elsewhere = any_arch!(
        aarch64,
        arm,
        loongarch64,
        mips,
        mips64,
        powerpc,
        powerpc64,
        riscv32,
        riscv64,
        s390x,
        sparc,
        sparc64,
        x86,
        x86_64
    );
    if elsewhere || UNLISTED_OTHER_ARCH.contains(&name) {
        Lookup::OtherArch
    } else {
        Lookup::Unknown
    }
}

/// Allowed for every app (moby's allowlist, less what docs/seccomp.md says liftoff keeps out).
/// `socket`, `personality`, `clone`, `clone3`, `mknod` and `mknodat` are not here: `default_rules`
/// allows them by argument.
pub const ALLOW: &[&str] = &[
    "accept",
    "accept4",
    "access",
    "adjtimex",
    "alarm",
    "arch_prctl",
    "bind",
    "brk",
    "cachestat",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "clock_adjtime",
    "clock_getres",
    "clock_gettime",
    "clock_nanosleep",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fallocate",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "fchown",
    "fchownat",
    "fcntl",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstatfs",
    "fsync",
    "ftruncate",
    "futex",
    "futex_requeue",
    "futex_wait",
    "futex_waitv",
    "futex_wake",
    "futimesat",
    "get_robust_list",
    "get_thread_area",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "geteuid",
    "getgid",
    "getgroups",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresuid",
    "getrlimit",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "gettid",
    "gettimeofday",
    "getuid",
    "getxattr",
    "getxattrat",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_setup",
    "io_submit",
    "ioctl",
    "ioprio_get",
    "ioprio_set",
    "kill",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "lchown",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listmount",
    "listxattr",
    "listxattrat",
    "llistxattr",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "madvise",
    "map_shadow_stack",
    "membarrier",
    "memfd_create",
    "mincore",
    "mkdir",
    "mkdirat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedsend",
    "mq_unlink",
    "mremap",
    "mseal",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "nanosleep",
    "newfstatat",
    "open",
    "openat",
    "openat2",
    "pause",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "poll",
    "ppoll",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "process_mrelease",
    "pselect6",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "recvfrom",
    "recvmmsg",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "removexattrat",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "riscv_flush_icache",
    "riscv_hwprobe",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_tgsigqueueinfo",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "sendfile",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "set_robust_list",
    "set_thread_area",
    "set_tid_address",
    "setfsgid",
    "setfsuid",
    "setgid",
    "setgroups",
    "setitimer",
    "setpgid",
    "setpriority",
    "setregid",
    "setresgid",
    "setresuid",
    "setreuid",
    "setrlimit",
    "setsid",
    "setsockopt",
    "setuid",
    "setxattr",
    "setxattrat",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "socketpair",
    "splice",
    "stat",
    "statfs",
    "statmount",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_settime",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_settime",
    "times",
    "tkill",
    "truncate",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "uretprobe",
    "utime",
    "utimensat",
    "utimes",
    "vfork",
    "vmsplice",
    "wait4",
    "waitid",
    "write",
    "writev",
];

/// Calls allowed only with a capability: (capability, calls). A call may be opened by several.
/// `clone` with namespace flags is handled apart (by argument).
pub const GATED: &[(&str, &[&str])] = &[
    (
        "CAP_SYS_ADMIN",
        &[
            "bpf",
            "fanotify_init",
            "fsconfig",
            "fsmount",
            "fsopen",
            "fspick",
            "lookup_dcookie",
            "lsm_get_self_attr",
            "lsm_list_modules",
            "lsm_set_self_attr",
            "mount",
            "mount_setattr",
            "move_mount",
            "name_to_handle_at",
            "open_tree",
            "perf_event_open",
            "quotactl",
            "quotactl_fd",
            "setdomainname",
            "sethostname",
            "setns",
            "syslog",
            "umount2",
            "unshare",
        ],
    ),
    ("CAP_SYS_BOOT", &["reboot"]),
    ("CAP_SYS_CHROOT", &["chroot"]),
    (
        "CAP_SYS_MODULE",
        &["delete_module", "init_module", "finit_module"],
    ),
    ("CAP_SYS_PACCT", &["acct"]),
    (
        "CAP_SYS_PTRACE",
        &[
            "kcmp",
            "pidfd_getfd",
            "process_madvise",
            "process_vm_readv",
            "process_vm_writev",
            "ptrace",
        ],
    ),
    ("CAP_SYS_TIME", &["settimeofday", "clock_settime"]),
    ("CAP_SYS_TTY_CONFIG", &["vhangup"]),
    (
        "CAP_SYS_NICE",
        &[
            "get_mempolicy",
            "mbind",
            "set_mempolicy",
            "set_mempolicy_home_node",
        ],
    ),
    ("CAP_SYSLOG", &["syslog"]),
    ("CAP_DAC_READ_SEARCH", &["open_by_handle_at"]),
    ("CAP_SYS_RAWIO", &["iopl", "ioperm"]),
    ("CAP_BPF", &["bpf"]),
    ("CAP_PERFMON", &["perf_event_open"]),
];

/// Never allowed, whatever the capabilities, by the default profile and under a user profile too
/// (docs/seccomp.md): only `--seccomp=unconfined` lifts them.
pub const ALWAYS_BLOCKED: &[&str] = &[
    "keyctl",
    "add_key",
    "request_key",
    "kexec_load",
    "kexec_file_load",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "pivot_root",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_newer_calls_resolve_on_x86_64_and_aarch64() {
        for n in [
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
        ] {
            for a in [Arch::X86_64, Arch::Aarch64] {
                assert!(
                    matches!(lookup(a, n), Lookup::Number(_)),
                    "{n} on {}",
                    a.name()
                );
            }
        }
        // x86-only ones.
        assert_eq!(Arch::X86_64.number("modify_ldt"), Some(154));
        assert_eq!(Arch::X86_64.number("uretprobe"), Some(335));
        assert_eq!(lookup(Arch::Aarch64, "modify_ldt"), Lookup::OtherArch);
        // Spot checks against the kernel's tables.
        assert_eq!(Arch::X86_64.number("fchmodat2"), Some(452));
        assert_eq!(Arch::X86_64.number("socket"), Some(41));
        assert_eq!(Arch::Aarch64.number("socket"), Some(198));
        assert_eq!(Arch::Aarch64.number("open"), None);
    }

    #[test]
    fn the_table_end_is_what_messages_say() {
        assert_eq!(syscalls::x86_64::Sysno::last().name(), "file_setattr");
        assert_eq!(TABLE_ENDS_AT, "Linux 6.17");
    }

    #[test]
    fn other_architectures_calls_and_typos_are_told_apart() {
        for n in [
            "socketcall",
            "chown32",
            "_llseek",
            "arm_fadvise64_64",
            "s390_pci_mmio_read",
        ] {
            assert_eq!(lookup(Arch::X86_64, n), Lookup::OtherArch, "{n}");
        }
        for n in ["fchmodat_two", "", "SYS_read", "READ"] {
            assert_eq!(lookup(Arch::X86_64, n), Lookup::Unknown, "{n}");
        }
        // Skipping the hand-listed names must never skip a call of a supported architecture.
        for n in UNLISTED_OTHER_ARCH {
            for a in Arch::ALL {
                assert_eq!(lookup(a, n), Lookup::OtherArch, "{n} on {}", a.name());
            }
        }
    }

    #[test]
    fn every_name_in_the_lists_is_a_call_of_a_supported_architecture() {
        // A name no supported architecture has is a typo (the lists only skip names per arch).
        let all = ALLOW
            .iter()
            .chain(GATED.iter().flat_map(|(_, c)| c.iter()))
            .chain(ALWAYS_BLOCKED);
        for n in all {
            assert!(Arch::ALL.iter().any(|a| a.number(n).is_some()), "{n}");
        }
        // The calls allowed only by argument are not in the plain list.
        for n in [
            "socket",
            "personality",
            "clone",
            "clone3",
            "mknod",
            "mknodat",
        ] {
            assert!(!ALLOW.contains(&n), "{n}");
        }
        for n in ALWAYS_BLOCKED {
            assert!(
                !ALLOW.contains(n) && GATED.iter().all(|(_, c)| !c.contains(n)),
                "{n}"
            );
        }
    }
}
