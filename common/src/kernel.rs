//! What the running kernel offers, asked the one way both stages ask it: stage0 before it leases
//! a remapped pod's ids, stage1 before it puts an app into its Landlock domain.

/// The oldest Landlock ABI remapped pods can use: ABI 2 (Linux 5.19) brought `REFER`, without
/// which a domain refuses every move of a file into another directory.
pub const LANDLOCK_MIN_ABI: u32 = 2;

const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;

/// The kernel's Landlock ABI version; the error is the kernel's (ENOSYS: not built in,
/// EOPNOTSUPP: not in the lsm= list).
pub fn landlock_abi() -> std::io::Result<u32> {
    // SAFETY: the version query passes no attribute and returns a number.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    match r {
        r if r >= 1 => Ok(r as u32),
        _ => Err(std::io::Error::last_os_error()),
    }
}
