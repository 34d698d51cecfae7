//! liftoff's native default network: what the CNI bridge, host-local, portmap and firewall plugins
//! did for `--net=default`, done by stage1 itself in a few netlink requests instead of a dozen
//! processes (the move podman made from CNI to netavark, for the same reason).
//!
//! - The bridge (`liftoff0` by default) with the gateway address, `ip_forward`, `route_localnet` on
//!   the bridge and liftoff's nftables table (outbound NAT, forwarding, the published-port maps) are
//!   made once, under the lease dir's lock, and only checked afterwards ([`host`]).
//! - Per pod: an address lease (a file, [`lease`]), a veth pair whose pod end is created inside the
//!   pod's namespace as `eth0` ([`links`]), its address and default route, and the pod's published
//!   ports as map elements in one nftables batch ([`firewall`]).
//! - The result is recorded in `net.json` in CNI's 1.0 result shape (interfaces, ips), so what reads
//!   a pod's addresses (`list`, /etc/hosts, `status`) reads both kinds alike.
//! - Teardown by the supervisor releases the lease and the port elements; the veth goes with the
//!   pod's namespace, so nothing is left for the next start to wait on. `liftoff gc` also deletes the
//!   veth (a SIGKILLed supervisor may leave it) and sweeps whatever carries the pod's uuid.

pub mod firewall;
mod host;
pub use host::changes as host_changes;
pub mod lease;
mod links;
pub(crate) mod rtnl;

use crate::cni::{Attachment, Network, PortMapping};
use firewall::{FirewallError, PortRule, Proto};
use lease::{LeaseError, Leases};
use liftoff_contract::network::NativeSpec;
use rtnl::Rtnl;
use serde_json::{json, Value};
use std::io;
use std::net::IpAddr;
use std::os::fd::AsFd;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error("network {network}: {what}: {source}{}", kernel_hint(source))]
    Kernel {
        network: String,
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("network {network}: {source}")]
    Lease {
        network: String,
        #[source]
        source: LeaseError,
    },
    #[error("network {network}: {source}")]
    Firewall {
        network: String,
        #[source]
        source: FirewallError,
    },
    #[error("network {network}: {msg}")]
    Invalid { network: String, msg: String },
}

/// host-local's lease dir of the CNI default network before the native one (bridge `liftoff0`,
/// 10.66.0.0/16 too): its addresses are never handed out while pods of that time still hold them.
const LEGACY_CNI_LEASES: &str = "/var/lib/cni/networks/liftoff";

/// The way out of a kernel refusal, where there is one to give.
fn kernel_hint(e: &io::Error) -> &'static str {
    match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => {
            "; liftoff sets up the network as root (it needs CAP_NET_ADMIN)"
        }
        Some(libc::EEXIST) => {
            "; something of that name is left over from an earlier pod: run `liftoff gc`, or remove it by hand (`ip link del NAME`)"
        }
        Some(libc::ENOMEM) | Some(libc::ENOBUFS) => "; the kernel is short of memory, retry",
        _ if e.kind() == io::ErrorKind::TimedOut => {
            "; retry, and see `dmesg` if the kernel keeps not answering"
        }
        _ => "",
    }
}

/// How much a teardown does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Teardown {
    /// The supervisor's: what the record names (the veth goes with the namespace).
    Recorded,
    /// gc's: also the veth, and anything else carrying the pod's uuid.
    Sweep,
}

/// A native network, checked.
pub struct Native<'a> {
    pub net: &'a Network,
    pub spec: &'a NativeSpec,
    /// The IPv4 subnet, then the IPv6 one if the network has it: a pod gets an address in each.
    subnets: Vec<(IpAddr, u8)>,
}

impl<'a> Native<'a> {
    /// None when `net` is a CNI network.
    pub fn of(net: &'a Network) -> Result<Option<Self>, NativeError> {
        let Some(spec) = &net.native else {
            return Ok(None);
        };
        let invalid = |e: liftoff_contract::network::SpecError| NativeError::Invalid {
            network: net.name.clone(),
            msg: e.to_string(),
        };
        let (v4, p4) = spec.subnet().map_err(invalid)?;
        let mut subnets = vec![(IpAddr::V4(v4), p4)];
        if let Some((v6, p6)) = spec.subnet6().map_err(invalid)? {
            subnets.push((IpAddr::V6(v6), p6));
        }
        Ok(Some(Native { net, spec, subnets }))
    }

    fn leases(&self, subnet: (IpAddr, u8)) -> Leases<'_> {
        Leases {
            dir: &self.spec.lease_dir,
            network: subnet.0,
            prefix: subnet.1,
            foreign: Some(Path::new(LEGACY_CNI_LEASES)),
        }
    }

    /// The subnet an address belongs to (by family: there is one of each).
    fn subnet_of(&self, ip: IpAddr) -> Option<(IpAddr, u8)> {
        self.subnets
            .iter()
            .copied()
            .find(|(n, _)| n.is_ipv4() == ip.is_ipv4())
    }

    fn firewall(&self, subnet: (IpAddr, u8)) -> firewall::FirewallConfig {
        firewall::FirewallConfig {
            table: table_name(&self.spec.bridge),
            bridge: self.spec.bridge.clone(),
            subnet: subnet.0,
            prefix: subnet.1,
        }
    }

    fn kernel(&self, what: impl Into<String>) -> impl FnOnce(io::Error) -> NativeError {
        let (network, what) = (self.net.name.clone(), what.into());
        move |source| NativeError::Kernel {
            network,
            what,
            source,
        }
    }

    fn lease_err(&self) -> impl FnOnce(LeaseError) -> NativeError {
        let network = self.net.name.clone();
        move |source| NativeError::Lease { network, source }
    }

    fn fw_err(&self) -> impl FnOnce(FirewallError) -> NativeError {
        let network = self.net.name.clone();
        move |source| NativeError::Firewall { network, source }
    }

    fn invalid(&self) -> impl FnOnce(String) -> NativeError {
        let network = self.net.name.clone();
        move |msg| NativeError::Invalid { network, msg }
    }

    /// Attaches the pod: `record` gets the result as soon as the leases are claimed (before
    /// anything else exists), so a crash at any point leaves gc what to undo. A failure undoes
    /// what was made before it returns.
    pub fn add(
        &self,
        att: &Attachment,
        mut record: impl FnMut(&Value),
    ) -> Result<Value, NativeError> {
        self.check_ports(att)?;
        let mut rt = Rtnl::open().map_err(self.kernel("opening rtnetlink"))?;
        let bridge = host::ensure(self, &mut rt)?;
        let mut ips: Vec<IpAddr> = Vec::new();
        for s in &self.subnets {
            match self.leases(*s).claim(&att.container_id) {
                Ok(ip) => ips.push(ip),
                Err(e) => {
                    for ip in ips {
                        if let Some(s) = self.subnet_of(ip) {
                            let _ = self.leases(s).release(ip, &att.container_id);
                        }
                    }
                    return Err(self.lease_err()(e));
                }
            }
        }
        let result = self.result(att, &ips);
        record(&result);
        crate::failpoint("native-after-claim");
        if let Err(e) = self.plumb(&mut rt, att, bridge, &ips) {
            let _ = self.del(att, Some(&result), Teardown::Sweep);
            return Err(e);
        }
        Ok(result)
    }

    /// The veth, the pod side, the ports.
    fn plumb(
        &self,
        rt: &mut Rtnl,
        att: &Attachment,
        bridge: u32,
        ips: &[IpAddr],
    ) -> Result<(), NativeError> {
        let host_if = host_veth(att);
        let ns = std::fs::File::open(&att.netns)
            .map_err(self.kernel(format!("opening {}", att.netns.display())))?;
        links::add_veth(rt, &host_if, bridge, &att.ifname, ns.as_fd())
            .map_err(self.kernel(format!("creating veth {host_if}")))?;
        crate::failpoint("native-after-veth");
        // Hairpin: a pod reaching its own published port through the host comes back through its
        // own bridge port.
        let hairpin = format!("/sys/class/net/{host_if}/brport/hairpin_mode");
        std::fs::write(&hairpin, "1").map_err(self.kernel(format!("writing {hairpin}")))?;
        let addrs: Vec<(IpAddr, u8, IpAddr)> = ips
            .iter()
            .filter_map(|ip| {
                let s = self.subnet_of(*ip)?;
                Some((*ip, s.1, self.leases(s).gateway()))
            })
            .collect();
        let (ifname, default_route) = (att.ifname.clone(), att.ifname == "eth0");
        in_netns(&ns, move || {
            let mut rt = Rtnl::open()?;
            let idx = links::index(&mut rt, &ifname)?
                .ok_or_else(|| io::Error::other(format!("{ifname} did not appear")))?;
            for (ip, prefix, _) in &addrs {
                links::add_address(&mut rt, idx, *ip, *prefix)?;
            }
            links::set_up(&mut rt, idx)?;
            if default_route {
                for (_, _, gateway) in &addrs {
                    links::add_default_route(&mut rt, idx, *gateway)?;
                }
            }
            Ok(())
        })
        .map_err(self.kernel(format!("configuring {} in the pod", att.ifname)))?;
        for ip in ips {
            let rules = port_rules(&att.ports, *ip).map_err(|e| self.invalid()(e.to_string()))?;
            if let (false, Some(s)) = (rules.is_empty(), self.subnet_of(*ip)) {
                firewall::add_ports(&self.firewall(s), &att.container_id, &rules)
                    .map_err(self.fw_err())?;
                crate::failpoint("native-after-ports");
            }
        }
        Ok(())
    }

    /// A port asked for on an address of a family the pod will have no address in would publish
    /// nothing: refused before anything is made (stage0 refuses it first; a hand-written pod.json
    /// meets this).
    fn check_ports(&self, att: &Attachment) -> Result<(), NativeError> {
        for p in &att.ports {
            if let Ok(want) = p.host_ip.parse::<IpAddr>() {
                if self.subnet_of(want).is_none() {
                    return Err(self.invalid()(format!(
                        "-p {}:{}: network {} has no IPv6 subnet; set ipv6 under [network] in the config file, or publish on an IPv4 address",
                        p.host_ip, p.host_port, self.net.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// The CNI-1.0-shaped result recorded for the pod.
    fn result(&self, att: &Attachment, ips: &[IpAddr]) -> Value {
        let mut addrs = Vec::new();
        let mut routes = Vec::new();
        for ip in ips {
            if let Some(s) = self.subnet_of(*ip) {
                let gw = self.leases(s).gateway().to_string();
                let dst = if ip.is_ipv4() { "0.0.0.0/0" } else { "::/0" };
                addrs.push(
                    json!({ "address": format!("{ip}/{}", s.1), "gateway": gw, "interface": 2 }),
                );
                routes.push(json!({ "dst": dst, "gw": gw }));
            }
        }
        json!({
            "cniVersion": "1.0.0",
            "interfaces": [
                { "name": self.spec.bridge },
                { "name": host_veth(att) },
                { "name": att.ifname, "sandbox": att.netns },
            ],
            "ips": addrs,
            "routes": routes,
        })
    }

    /// Undoes [`Native::add`] from its recorded result (None: the crash came before the record).
    /// Port elements are removed by owner (the pod uuid in their comment), never by key alone: a
    /// key the pod asked for may belong to another pod. Elements already gone, a lease already
    /// released, a veth already deleted, a table that is gone are not errors.
    pub fn del(
        &self,
        att: &Attachment,
        result: Option<&Value>,
        how: Teardown,
    ) -> Result<(), NativeError> {
        let pod = &att.container_id;
        let mut first_err = None;
        let mut keep = |r: Result<(), NativeError>| {
            if let Err(e) = r {
                first_err.get_or_insert(e);
            }
        };
        for s in &self.subnets {
            if !att.ports.is_empty() || how == Teardown::Sweep {
                keep(self.remove_ports_of(*s, pod));
            }
        }
        for ip in result.map(recorded_ips).unwrap_or_default() {
            if let Some(s) = self.subnet_of(ip) {
                keep(self.leases(s).release(ip, pod).map_err(self.lease_err()));
            }
        }
        if how == Teardown::Sweep {
            for s in &self.subnets {
                keep(
                    self.leases(*s)
                        .collect(|holder| holder != pod)
                        .map(drop)
                        .map_err(self.lease_err()),
                );
            }
            let name = host_veth(att);
            keep(
                Rtnl::open()
                    .and_then(|mut rt| links::delete(&mut rt, &name))
                    .map_err(self.kernel(format!("deleting {name}"))),
            );
        }
        first_err.map_or(Ok(()), Err)
    }

    /// The port elements of one subnet's table whose comment names `pod`, removed in one batch.
    fn remove_ports_of(&self, subnet: (IpAddr, u8), pod: &str) -> Result<(), NativeError> {
        let cfg = self.firewall(subnet);
        // (A table that is gone lists no elements.)
        let mine: Vec<PortRule> = firewall::elements(&cfg)
            .map_err(self.fw_err())?
            .into_iter()
            .filter(|(p, _)| p == pod)
            .map(|(_, r)| r)
            .collect();
        if mine.is_empty() {
            return Ok(());
        }
        match firewall::remove_ports(&cfg, &mine) {
            Err(FirewallError::TableMissing { .. }) => Ok(()),
            r => r.map_err(self.fw_err()),
        }
    }

    /// `status --check-network`: what is missing or in the way, empty when all is well.
    pub fn check(&self, att: &Attachment, result: &Value) -> Vec<String> {
        let mut problems = host::check(self);
        let ips = recorded_ips(result);
        if ips.is_empty() {
            problems.push("the record holds no address".into());
            return problems;
        }
        match Rtnl::open().and_then(|mut rt| links::index(&mut rt, &host_veth(att))) {
            Ok(Some(_)) => {}
            Ok(None) => problems.push(format!("its veth {} is gone", host_veth(att))),
            Err(e) => problems.push(format!("reading links: {e}")),
        }
        for ip in ips {
            let Some(s) = self.subnet_of(ip) else {
                continue;
            };
            if self.leases(s).holder(ip).as_deref() != Some(att.container_id.as_str()) {
                problems.push(format!("the lease of {ip} is gone or held by another pod"));
            }
            let Ok(rules) = port_rules(&att.ports, ip) else {
                continue;
            };
            match firewall::elements(&self.firewall(s)) {
                Ok(els) => {
                    for r in rules {
                        if !els.iter().any(|(p, e)| p == &att.container_id && e == &r) {
                            problems.push(format!(
                                "published port {}/{} to {ip} is not in the firewall table",
                                r.host_port,
                                r.proto.name()
                            ));
                        }
                    }
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        problems
    }
}

/// The nftables table of a bridge: `liftoff_<bridge>` (one per native network, so networks on other
/// bridges, a test's say, never disturb each other's rules).
/// nft names are letters, digits and '_': any other character of the bridge name is written `_XX`
/// (its hex code), so `a-b` and `a_b` get tables of their own.
pub fn table_name(bridge: &str) -> String {
    let mut name = String::from("liftoff_");
    for c in bridge.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else {
            name.push_str(&format!("_{:02x}", u32::from(c)));
        }
    }
    name
}

/// The host end of a pod's veth: `lf` + 12 hex digits of the pod uuid + the pod interface's number
/// (15 characters, the kernel's limit), so gc can find it from the uuid alone.
pub fn host_veth(att: &Attachment) -> String {
    let hex: String = att
        .container_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    let n = att
        .ifname
        .chars()
        .last()
        .filter(char::is_ascii_digit)
        .unwrap_or('0');
    format!("lf{hex}{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_nft_identifiers_and_distinct() {
        assert_eq!(table_name("liftoff0"), "liftoff_liftoff0");
        assert_eq!(table_name("a-b"), "liftoff_a_2db");
        assert_eq!(table_name("a_b"), "liftoff_a_5fb");
        assert_eq!(table_name("br.1"), "liftoff_br_2e1");
    }
}

fn recorded_ips(result: &Value) -> Vec<IpAddr> {
    crate::cni::ips(result)
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect()
}

/// A published port in a hand-edited pod.json that stage0 would not have written.
#[derive(Debug, thiserror::Error)]
pub enum PortSpecError {
    #[error("-p {port}: protocol {protocol} is not tcp or udp")]
    Protocol { port: u16, protocol: String },
    #[error("-p {ip}:{port}: not an IP address")]
    Address { port: u16, ip: String },
}

/// The pod's published ports that go to `pod_ip`, as firewall elements: those without a host
/// address (both families), with the unspecified address of its family, or with a host address
/// of its family. (stage0 checked the `-p` list.)
fn port_rules(ports: &[PortMapping], pod_ip: IpAddr) -> Result<Vec<PortRule>, PortSpecError> {
    let mut rules = Vec::new();
    for p in ports {
        let proto = match p.protocol.as_str() {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            other => {
                return Err(PortSpecError::Protocol {
                    port: p.host_port,
                    protocol: other.to_string(),
                })
            }
        };
        let host_ip = match p.host_ip.as_str() {
            "" => None,
            ip => {
                let ip: IpAddr = ip.parse().map_err(|_| PortSpecError::Address {
                    port: p.host_port,
                    ip: ip.to_string(),
                })?;
                // IPv6 loopback is relayed by the supervisor (`loopback_proxy`), not by DNAT.
                if ip.is_ipv4() != pod_ip.is_ipv4() || (ip.is_ipv6() && ip.is_loopback()) {
                    continue;
                }
                Some(ip).filter(|ip| !ip.is_unspecified())
            }
        };
        rules.push(PortRule {
            proto,
            host_ip,
            host_port: p.host_port,
            pod_ip,
            pod_port: p.container_port,
        });
    }
    Ok(rules)
}

/// Runs `f` on a thread inside the network namespace `ns` (sockets it opens stay in that
/// namespace); the thread ends with `f`, taking the namespace switch with it.
fn in_netns<T: Send>(
    ns: &std::fs::File,
    f: impl FnOnce() -> io::Result<T> + Send,
) -> io::Result<T> {
    std::thread::scope(|s| {
        s.spawn(|| {
            nix::sched::setns(ns.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET)?;
            f()
        })
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the netns thread panicked")))
    })
}
