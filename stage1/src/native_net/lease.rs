//! Address leases of the native network, host-local style: one file per leased address (IPv4, and
//! IPv6 when the network has a ULA subnet) in the network's lease dir, named by the address and
//! holding the pod's uuid.
//!
//! A lease is claimed by creating its file, whole and never over an existing one
//! (`atomic::claim`), so two pods starting at once can never get the same address and no lock is
//! held across pods. It is released by the pod's teardown or by `liftoff gc`, and only by the pod
//! it names. No fsync: a lease means nothing after a reboot (its pod is gone), and gc releases
//! leases whose pods no longer exist.

use std::collections::HashSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error("no address left in {subnet} for pod {pod}: {used} are leased (files in {}); stop or remove a pod (`liftoff gc` releases the leases of dead ones), or choose a wider subnet under [network] in the config file", dir.display())]
    Exhausted {
        subnet: String,
        pod: String,
        used: usize,
        dir: PathBuf,
    },
    #[error("address leases in {}: {source}", dir.display())]
    Io {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// A subnet's lease dir (both families share it: the file names tell them apart).
pub struct Leases<'a> {
    pub dir: &'a Path,
    pub network: IpAddr,
    pub prefix: u8,
    /// Another allocator's lease dir whose addresses are never handed out: host-local's for the
    /// CNI default network of earlier versions, which used the same bridge and subnet, so pods
    /// started before an upgrade keep their addresses to themselves.
    pub foreign: Option<&'a Path>,
}

impl Leases<'_> {
    fn io(&self) -> impl Fn(io::Error) -> LeaseError + '_ {
        |source| LeaseError::Io {
            dir: self.dir.to_path_buf(),
            source,
        }
    }

    /// The gateway (the bridge's address): the subnet's first address.
    pub fn gateway(&self) -> IpAddr {
        self.addr(self.base() + 1)
    }

    fn bits(&self) -> u32 {
        if self.network.is_ipv4() {
            32
        } else {
            128
        }
    }

    fn base(&self) -> u128 {
        match self.network {
            IpAddr::V4(a) => u128::from(u32::from(a)),
            IpAddr::V6(a) => u128::from(a),
        }
    }

    fn addr(&self, n: u128) -> IpAddr {
        match self.network {
            // (Truncation impossible: n stays inside the IPv4 subnet.)
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(n as u32)),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(n)),
        }
    }

    fn number(&self, ip: IpAddr) -> Option<u128> {
        match (ip, self.network) {
            (IpAddr::V4(a), IpAddr::V4(_)) => Some(u128::from(u32::from(a))),
            (IpAddr::V6(a), IpAddr::V6(_)) => Some(u128::from(a)),
            _ => None,
        }
    }

    /// The addresses pods may get: after the gateway, before the last (IPv4's broadcast address;
    /// on IPv6 it is kept free too, and at most 2^32 addresses of a big subnet are used).
    fn range(&self) -> std::ops::RangeInclusive<u128> {
        let host_bits = self.bits() - u32::from(self.prefix);
        let size = 1u128 << host_bits.min(32);
        self.base() + 2..=self.base() + size - 2
    }

    /// Claims the lowest free address for `pod`.
    pub fn claim(&self, pod: &str) -> Result<IpAddr, LeaseError> {
        create_dir(self.dir).map_err(self.io())?;
        let mut used: HashSet<u128> = self
            .leased()?
            .into_iter()
            .filter_map(|ip| self.number(ip))
            .collect();
        let taken_elsewhere: HashSet<u128> = self
            .foreign
            .and_then(|d| std::fs::read_dir(d).ok())
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<IpAddr>().ok())
            .filter_map(|ip| self.number(ip))
            .collect();
        for a in self.range() {
            if used.contains(&a) || taken_elsewhere.contains(&a) {
                continue;
            }
            let ip = self.addr(a);
            match liftoff_common::atomic::claim(
                &self.dir.join(ip.to_string()),
                pod.as_bytes(),
                0o600,
            ) {
                Ok(()) => return Ok(ip),
                // Another pod took it since the listing.
                Err(e) if e.source.kind() == io::ErrorKind::AlreadyExists => {
                    used.insert(a);
                }
                Err(e) => return Err(self.io()(io::Error::new(e.source.kind(), e.to_string()))),
            }
        }
        Err(LeaseError::Exhausted {
            subnet: format!("{}/{}", self.network, self.prefix),
            pod: pod.to_string(),
            used: used.len(),
            dir: self.dir.to_path_buf(),
        })
    }

    /// Releases `ip` if `pod` holds it (a lease another pod holds now is left alone).
    pub fn release(&self, ip: IpAddr, pod: &str) -> Result<(), LeaseError> {
        let p = self.dir.join(ip.to_string());
        match std::fs::read(&p) {
            Ok(holder) if holder == pod.as_bytes() => match std::fs::remove_file(&p) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(self.io()(e)),
                _ => Ok(()),
            },
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io()(e)),
        }
    }

    /// Every lease of this subnet's family: address and holder (an unreadable or empty file has
    /// holder "").
    pub fn list(&self) -> Result<Vec<(IpAddr, String)>, LeaseError> {
        Ok(self
            .leased()?
            .into_iter()
            .map(|ip| (ip, self.holder(ip).unwrap_or_default()))
            .collect())
    }

    /// The leased addresses of this subnet's family, from the file names alone (what a claim
    /// needs: it never reads the other pods' files).
    fn leased(&self) -> Result<Vec<IpAddr>, LeaseError> {
        let rd = match std::fs::read_dir(self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io()(e)),
        };
        let mut out = Vec::new();
        for e in rd {
            let e = e.map_err(self.io())?;
            if let Some(ip) = e
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<IpAddr>().ok())
                .filter(|ip| ip.is_ipv4() == self.network.is_ipv4())
            {
                out.push(ip);
            }
        }
        Ok(out)
    }

    /// The pod holding `ip`, None when it is not leased (or its file cannot be read).
    pub fn holder(&self, ip: IpAddr) -> Option<String> {
        std::fs::read_to_string(self.dir.join(ip.to_string())).ok()
    }

    /// Removes the leases whose holder `alive` says is gone (and the temp files of claims a
    /// killed pod left half-made); returns the addresses released.
    pub fn collect(&self, alive: impl Fn(&str) -> bool) -> Result<Vec<IpAddr>, LeaseError> {
        let mut freed = Vec::new();
        for (ip, holder) in self.list()? {
            if !alive(&holder) {
                let p = self.dir.join(ip.to_string());
                // Re-read: the file may have been released and claimed again meanwhile.
                if std::fs::read_to_string(&p).ok().as_deref() == Some(holder.as_str()) {
                    std::fs::remove_file(&p).map_err(self.io())?;
                    freed.push(ip);
                }
            }
        }
        // Claims take no lock: only the temp files of claimers that are gone are theirs to remove.
        if let Ok(rd) = std::fs::read_dir(self.dir) {
            for e in rd.flatten() {
                if e.file_name().to_str().is_some_and(|n| {
                    liftoff_common::atomic::is_temp_name(n)
                        && temp_writer(n)
                            .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
                }) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(freed)
    }
}

/// The pid in an atomic-write temp name (`.NAME.tmp-PID-N`).
fn temp_writer(name: &str) -> Option<u32> {
    let rest = &name[name.rfind(".tmp-")? + 5..];
    rest.split('-').next()?.parse().ok()
}

/// The lease dir and its parents, root-only (leases say which pod has which address).
pub(super) fn create_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leases<'a>(dir: &'a Path, net: &str, prefix: u8) -> Leases<'a> {
        Leases {
            dir,
            network: net.parse().unwrap(),
            prefix,
            foreign: None,
        }
    }

    #[test]
    fn a_30_holds_one_pod_and_then_says_it_is_used_up() {
        let t = tempfile_dir();
        let l = leases(&t, "10.99.0.0", 30);
        assert_eq!(l.gateway().to_string(), "10.99.0.1");
        assert_eq!(l.claim("pod-a").unwrap().to_string(), "10.99.0.2");
        let e = l.claim("pod-b").unwrap_err().to_string();
        assert!(
            e.contains("no address left in 10.99.0.0/30 for pod pod-b"),
            "{e}"
        );
        assert!(e.contains("1 are leased"), "{e}");
        // Only the holder releases it.
        l.release("10.99.0.2".parse().unwrap(), "pod-b").unwrap();
        assert!(l.claim("pod-b").is_err());
        l.release("10.99.0.2".parse().unwrap(), "pod-a").unwrap();
        assert_eq!(l.claim("pod-b").unwrap().to_string(), "10.99.0.2");
        let _ = std::fs::remove_dir_all(&t);
    }

    #[test]
    fn addresses_another_allocator_holds_are_skipped() {
        let t = tempfile_dir();
        let foreign = t.join("host-local");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("10.97.0.2"), "old-cni-pod").unwrap();
        std::fs::write(foreign.join("lock"), "").unwrap();
        let dir = t.join("leases");
        let mut l = leases(&dir, "10.97.0.0", 24);
        l.foreign = Some(&foreign);
        assert_eq!(l.claim("pod-a").unwrap().to_string(), "10.97.0.3");
        let _ = std::fs::remove_dir_all(&t);
    }

    #[test]
    fn only_temp_files_of_dead_claimers_are_swept() {
        let t = tempfile_dir();
        std::fs::create_dir_all(&t).unwrap();
        let live = t.join(format!(".10.95.0.2.tmp-{}-0", std::process::id()));
        let dead = t.join(".10.95.0.3.tmp-999999999-0");
        std::fs::write(&live, "x").unwrap();
        std::fs::write(&dead, "x").unwrap();
        assert_eq!(temp_writer(".10.95.0.3.tmp-999999999-0"), Some(999999999));
        leases(&t, "10.95.0.0", 24).collect(|_| true).unwrap();
        assert!(live.exists() && !dead.exists());
        let _ = std::fs::remove_dir_all(&t);
    }

    #[test]
    fn ipv6_leases_share_the_dir_and_skip_the_gateway() {
        let t = tempfile_dir();
        let v4 = leases(&t, "10.96.0.0", 24);
        let v6 = leases(&t, "fd66::", 64);
        assert_eq!(v6.gateway().to_string(), "fd66::1");
        assert_eq!(v4.claim("pod-a").unwrap().to_string(), "10.96.0.2");
        assert_eq!(v6.claim("pod-a").unwrap().to_string(), "fd66::2");
        assert_eq!(v6.claim("pod-b").unwrap().to_string(), "fd66::3");
        assert_eq!((v4.list().unwrap().len(), v6.list().unwrap().len()), (1, 2));
        let tiny = leases(&t, "fd67::", 126);
        assert_eq!(tiny.claim("pod-c").unwrap().to_string(), "fd67::2");
        assert!(tiny.claim("pod-d").is_err());
        let _ = std::fs::remove_dir_all(&t);
    }

    #[test]
    fn concurrent_claims_get_distinct_addresses_and_collect_frees_the_dead() {
        let t = tempfile_dir();
        let ips: Vec<IpAddr> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..20)
                .map(|i| {
                    let t = &t;
                    s.spawn(move || {
                        leases(t, "10.98.0.0", 24)
                            .claim(&format!("pod-{i}"))
                            .unwrap()
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let distinct: HashSet<_> = ips.iter().collect();
        assert_eq!(distinct.len(), 20);
        let l = leases(&t, "10.98.0.0", 24);
        let freed = l.collect(|p| p != "pod-3" && p != "pod-7").unwrap();
        assert_eq!(freed.len(), 2);
        assert_eq!(l.list().unwrap().len(), 18);
        let _ = std::fs::remove_dir_all(&t);
    }

    fn tempfile_dir() -> PathBuf {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let d = std::env::temp_dir().join(format!(
            "liftoff-lease-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&d);
        d
    }
}
