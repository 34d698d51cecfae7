//! The host side of the native network, made once and checked on every pod start: the bridge with
//! the gateway address, up; `net.ipv4.ip_forward` and the bridge's `route_localnet` (published
//! ports reached from the host's 127.0.0.1); liftoff's nftables table. All of it happens under the
//! lease dir's lock, held only for these few requests, so two first pods cannot race to create it.
//!
//! A host setting liftoff changes is recorded (`.host-changes` in the lease dir, one line each)
//! and shown by `liftoff status --check-network`: liftoff does not silently alter the host.

use super::rtnl::Rtnl;
use super::{firewall, lease::create_dir, links, Native, NativeError};
use liftoff_common::lock;
use std::io::Write;
use std::path::{Path, PathBuf};

const IP_FORWARD: &str = "/proc/sys/net/ipv4/ip_forward";
const IP6_FORWARD: &str = "/proc/sys/net/ipv6/conf/all/forwarding";

fn route_localnet(bridge: &str) -> PathBuf {
    PathBuf::from(format!("/proc/sys/net/ipv4/conf/{bridge}/route_localnet"))
}

/// Makes sure the host side exists; returns the bridge's index.
pub fn ensure(n: &Native, rt: &mut Rtnl) -> Result<u32, NativeError> {
    let dir = &n.spec.lease_dir;
    create_dir(dir).map_err(n.kernel(format!("creating {}", dir.display())))?;
    let lock_path = dir.join(".lock");
    let f = lock::open_lock_file(&lock_path)
        .and_then(|f| lock::lock(&f, lock::Mode::Exclusive).map(|_| f))
        .map_err(n.kernel(format!("locking {}", lock_path.display())))?;
    let bridge = &n.spec.bridge;
    let mut created = false;
    let reading = || n.kernel(format!("reading link {bridge}"));
    let (idx, up) = match links::find(rt, bridge).map_err(reading())? {
        Some(link) => link,
        None => {
            created = true;
            links::add_bridge(rt, bridge).map_err(n.kernel(format!("creating bridge {bridge}")))?;
            links::find(rt, bridge)
                .map_err(reading())?
                .ok_or_else(|| NativeError::Invalid {
                    network: n.net.name.clone(),
                    msg: format!("bridge {bridge} vanished right after it was created"),
                })?
        }
    };
    for s in &n.subnets {
        let (gw, prefix) = (n.leases(*s).gateway(), s.1);
        let addrs = links::addresses(rt, idx, gw.is_ipv6())
            .map_err(n.kernel(format!("reading addresses of {bridge}")))?;
        if !addrs.contains(&(gw, prefix)) {
            links::add_address(rt, idx, gw, prefix)
                .map_err(n.kernel(format!("adding {gw}/{prefix} to {bridge}")))?;
        }
    }
    if !up {
        links::set_up(rt, idx).map_err(n.kernel(format!("setting {bridge} up")))?;
    }
    // The table first: its guard against 127/8 from anywhere but lo must exist before
    // route_localnet is turned on for the bridge.
    for s in &n.subnets {
        firewall::ensure(&n.firewall(*s)).map_err(n.fw_err())?;
    }
    for path in sysctls(n) {
        set_sysctl(n, &path)?;
    }
    drop(f);
    if created {
        // Once per bridge (per boot): rules of other programs that would drop the pods' forwarded
        // traffic are said loudly, not edited.
        for s in &n.subnets {
            for b in firewall::forward_blockers_for(&n.firewall(*s)) {
                liftoff_stage2::warning!("network {}: {b}", n.net.name);
            }
        }
    }
    Ok(idx)
}

/// The sysctls the network needs at 1: forwarding (IPv4, and IPv6 with an IPv6 subnet) and the
/// bridge's route_localnet. IPv6 forwarding is host-wide and makes the kernel ignore router
/// advertisements on interfaces with accept_ra=1: that is why IPv6 is opt-in, and recorded.
fn sysctls(n: &Native) -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from(IP_FORWARD), route_localnet(&n.spec.bridge)];
    if n.subnets.len() > 1 {
        v.push(PathBuf::from(IP6_FORWARD));
    }
    v
}

/// Sets a boolean sysctl to 1, recording the change when it was not already.
fn set_sysctl(n: &Native, path: &Path) -> Result<(), NativeError> {
    let now =
        std::fs::read_to_string(path).map_err(n.kernel(format!("reading {}", path.display())))?;
    if now.trim() == "1" {
        return Ok(());
    }
    std::fs::write(path, "1").map_err(n.kernel(format!("writing {}", path.display())))?;
    let name = sysctl_name(path);
    let line = format!(
        "{name} was {}, liftoff set it to 1 for bridge {}\n",
        now.trim(),
        n.spec.bridge
    );
    let log = n.spec.lease_dir.join(".host-changes");
    // One line per setting: a bridge made again after a reboot changes the same one again.
    let seen = std::fs::read_to_string(&log).unwrap_or_default();
    if !seen.lines().any(|l| l.starts_with(&format!("{name} "))) {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            liftoff_stage2::warning!(
                "{name} was {}, liftoff set it to 1, and could not record that in {}: {e}",
                now.trim(),
                log.display()
            );
        }
    }
    Ok(())
}

/// `net.ipv4.ip_forward` for `/proc/sys/net/ipv4/ip_forward`.
fn sysctl_name(p: &Path) -> String {
    p.strip_prefix("/proc/sys")
        .unwrap_or(p)
        .display()
        .to_string()
        .replace('/', ".")
}

/// The host settings liftoff has changed, as recorded.
pub fn changes(lease_dir: &Path) -> Vec<String> {
    std::fs::read_to_string(lease_dir.join(".host-changes"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// What is missing or in the way on the host side.
pub fn check(n: &Native) -> Vec<String> {
    let mut p = Vec::new();
    let bridge = &n.spec.bridge;
    match Rtnl::open().and_then(|mut rt| {
        let link = links::find(&mut rt, bridge)?;
        let (idx, up) = (link.map(|(i, _)| i), link.is_some_and(|(_, up)| up));
        let mut addrs = Vec::new();
        if let Some(i) = idx {
            addrs.extend(links::addresses(&mut rt, i, false)?);
            addrs.extend(links::addresses(&mut rt, i, true)?);
        }
        Ok((idx, up, addrs))
    }) {
        Ok((None, _, _)) => p.push(format!("bridge {bridge} does not exist")),
        Ok((Some(_), up, addrs)) => {
            if !up {
                p.push(format!("bridge {bridge} is down"));
            }
            for s in &n.subnets {
                let gw = n.leases(*s).gateway();
                if !addrs.contains(&(gw, s.1)) {
                    p.push(format!("bridge {bridge} lacks its address {gw}/{}", s.1));
                }
            }
        }
        Err(e) => p.push(format!("reading links: {e}")),
    }
    for path in sysctls(n) {
        if std::fs::read_to_string(&path)
            .ok()
            .as_deref()
            .map(str::trim)
            != Some("1")
        {
            p.push(format!("{} is not 1", sysctl_name(&path)));
        }
    }
    for s in &n.subnets {
        if let Err(e) = firewall::check_table(&n.firewall(*s)) {
            p.push(e.to_string());
        }
        p.extend(firewall::forward_blockers_for(&n.firewall(*s)));
    }
    p
}
