//! Whether this machine can run remapped pods, asked before a range is leased: the kernel must
//! make idmapped mounts of the layer store's filesystem under an overlay (Linux 5.19 or later)
//! and have Landlock, which keeps the apps of one remapped pod apart (see stage1's `landlock`).
//! Two cheap checks (uname and one system call); what only the mount itself can tell (a
//! filesystem without idmap support) stage1 reports with the same way out.

/// Why remapped pods cannot run here, with the way out; None when they can.
pub fn missing() -> Option<String> {
    let out =
        "run with --userns=host, or set [userns] fallback = \"host\" in /etc/liftoff/config.toml";
    let release = rustix::system::uname()
        .release()
        .to_string_lossy()
        .into_owned();
    if !at_least(&release, (5, 19)) {
        return Some(format!(
            "this kernel ({release}) cannot map a pod's ids onto shared image layers (idmapped overlay layers need Linux 5.19 or later): {out}"
        ));
    }
    if liftoff_common::kernel::landlock_abi().unwrap_or(0)
        < liftoff_common::kernel::LANDLOCK_MIN_ABI
    {
        return Some(format!(
            "this kernel has no Landlock ABI 2 (Linux 5.19 or later with landlock in the lsm= list), which keeps the apps of a remapped pod apart: {out}"
        ));
    }
    None
}

/// Whether a kernel release string ("6.1.0-18-amd64") is at least `want`.
fn at_least(release: &str, want: (u32, u32)) -> bool {
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) >= want
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_releases_compare_by_major_and_minor() {
        assert!(at_least("6.1.0-18-amd64", (5, 19)));
        assert!(at_least("5.19.0", (5, 19)));
        assert!(at_least("6.18.44-fc-v1045", (5, 19)));
        assert!(!at_least("5.10.0-28-amd64", (5, 19)));
        assert!(!at_least("4.19.0", (5, 19)));
        assert!(!at_least("garbage", (5, 19)));
    }
}
