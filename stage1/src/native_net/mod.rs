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
pub mod lease;
mod links;
mod rtnl;

use crate::cni::{Attachment, Network, PortMapping};
use firewall::{FirewallError, PortRule, Proto};
use lease::{LeaseError, Leases};
use liftoff_contract::network::NativeSpec;
use rtnl::Rtnl;
use serde_json::{json, Value};
use std::io;
use std::net::Ipv4Addr;
use std::os::fd::AsFd;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error("network {network}: {what}: {source}")]
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
    network: Ipv4Addr,
    prefix: u8,
}

impl<'a> Native<'a> {
    /// None when `net` is a CNI network.
    pub fn of(net: &'a Network) -> Result<Option<Self>, NativeError> {
        let Some(spec) = &net.native else {
            return Ok(None);
        };
        let (network, prefix) = spec.subnet().map_err(|msg| NativeError::Invalid {
            network: net.name.clone(),
            msg,
        })?;
        Ok(Some(Native {
            net,
            spec,
            network,
            prefix,
        }))
    }

    fn leases(&self) -> Leases<'_> {
        Leases {
            dir: &self.spec.lease_dir,
            network: self.network,
            prefix: self.prefix,
            foreign: Some(Path::new(LEGACY_CNI_LEASES)),
        }
    }

    fn firewall(&self) -> firewall::FirewallConfig {
        firewall_config(self.spec, self.network, self.prefix)
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

    /// Attaches the pod: `record` gets the result as soon as the lease is claimed (before anything
    /// else exists) and again when complete, so a crash at any point leaves gc what to undo. A
    /// failure undoes what was made before it returns.
    pub fn add(
        &self,
        att: &Attachment,
        mut record: impl FnMut(&Value),
    ) -> Result<Value, NativeError> {
        let mut rt = Rtnl::open().map_err(self.kernel("opening rtnetlink"))?;
        let bridge = host::ensure(self, &mut rt)?;
        let ip = self
            .leases()
            .claim(&att.container_id)
            .map_err(self.lease_err())?;
        let result = self.result(att, ip);
        record(&result);
        let made = self.plumb(&mut rt, att, bridge, ip);
        if let Err(e) = made {
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
        ip: Ipv4Addr,
    ) -> Result<(), NativeError> {
        let host_if = host_veth(att);
        let ns = std::fs::File::open(&att.netns)
            .map_err(self.kernel(format!("opening {}", att.netns.display())))?;
        links::add_veth(rt, &host_if, bridge, &att.ifname, ns.as_fd())
            .map_err(self.kernel(format!("creating veth {host_if}")))?;
        // Hairpin: a pod reaching its own published port through the host comes back through its
        // own bridge port.
        let hairpin = format!("/sys/class/net/{host_if}/brport/hairpin_mode");
        std::fs::write(&hairpin, "1").map_err(self.kernel(format!("writing {hairpin}")))?;
        let gateway = self.leases().gateway();
        let (prefix, ifname, default_route) =
            (self.prefix, att.ifname.clone(), att.ifname == "eth0");
        in_netns(&ns, move || {
            let mut rt = Rtnl::open()?;
            let idx = links::index(&mut rt, &ifname)?
                .ok_or_else(|| io::Error::other(format!("{ifname} did not appear")))?;
            links::add_address(&mut rt, idx, ip, prefix)?;
            links::set_up(&mut rt, idx)?;
            if default_route {
                links::add_default_route(&mut rt, idx, gateway)?;
            }
            Ok(())
        })
        .map_err(self.kernel(format!("configuring {} in the pod", att.ifname)))?;
        let rules = port_rules(&att.ports, ip).map_err(|msg| NativeError::Invalid {
            network: self.net.name.clone(),
            msg,
        })?;
        if !rules.is_empty() {
            firewall::add_ports(&self.firewall(), &att.container_id, &rules)
                .map_err(self.fw_err())?;
        }
        Ok(())
    }

    /// The CNI-1.0-shaped result recorded for the pod.
    fn result(&self, att: &Attachment, ip: Ipv4Addr) -> Value {
        let gw = self.leases().gateway().to_string();
        json!({
            "cniVersion": "1.0.0",
            "interfaces": [
                { "name": self.spec.bridge },
                { "name": host_veth(att) },
                { "name": att.ifname, "sandbox": att.netns },
            ],
            "ips": [{ "address": format!("{ip}/{}", self.prefix), "gateway": gw, "interface": 2 }],
            "routes": [{ "dst": "0.0.0.0/0", "gw": gw }],
        })
    }

    /// Undoes [`Native::add`] from its recorded result (None: the crash came before the record).
    /// Elements already gone, a lease already released, a veth already deleted are not errors.
    pub fn del(
        &self,
        att: &Attachment,
        result: Option<&Value>,
        how: Teardown,
    ) -> Result<(), NativeError> {
        let pod = &att.container_id;
        let ip = result.and_then(recorded_ip);
        let mut first_err = None;
        let mut keep = |r: Result<(), NativeError>| {
            if let Err(e) = r {
                first_err.get_or_insert(e);
            }
        };
        if let Some(ip) = ip {
            if let Ok(rules) = port_rules(&att.ports, ip) {
                if !rules.is_empty() {
                    keep(firewall::remove_ports(&self.firewall(), &rules).map_err(self.fw_err()));
                }
            }
            keep(self.leases().release(ip, pod).map_err(self.lease_err()));
        }
        if how == Teardown::Sweep {
            keep(self.sweep(pod));
            let mut rt = Rtnl::open().map_err(self.kernel("opening rtnetlink"))?;
            let name = host_veth(att);
            keep(links::delete(&mut rt, &name).map_err(self.kernel(format!("deleting {name}"))));
        }
        first_err.map_or(Ok(()), Err)
    }

    /// Leases and port elements that name `pod`, whatever the record says.
    fn sweep(&self, pod: &str) -> Result<(), NativeError> {
        self.leases()
            .collect(|holder| holder != pod)
            .map_err(self.lease_err())?;
        let cfg = self.firewall();
        let mine: Vec<PortRule> = firewall::elements(&cfg)
            .map_err(self.fw_err())?
            .into_iter()
            .filter(|(p, _)| p == pod)
            .map(|(_, r)| r)
            .collect();
        if !mine.is_empty() {
            firewall::remove_ports(&cfg, &mine).map_err(self.fw_err())?;
        }
        Ok(())
    }

    /// `status --check-network`: what is missing or in the way, empty when all is well.
    pub fn check(&self, att: &Attachment, result: &Value) -> Vec<String> {
        let mut problems = host::check(self);
        let Some(ip) = recorded_ip(result) else {
            problems.push("the record holds no address".into());
            return problems;
        };
        let holder = std::fs::read_to_string(self.spec.lease_dir.join(ip.to_string()));
        if holder.ok().as_deref() != Some(att.container_id.as_str()) {
            problems.push(format!("the lease of {ip} is gone or held by another pod"));
        }
        match Rtnl::open().and_then(|mut rt| links::index(&mut rt, &host_veth(att))) {
            Ok(Some(_)) => {}
            Ok(None) => problems.push(format!("its veth {} is gone", host_veth(att))),
            Err(e) => problems.push(format!("reading links: {e}")),
        }
        if let Ok(rules) = port_rules(&att.ports, ip) {
            match firewall::elements(&self.firewall()) {
                Ok(els) => {
                    for r in rules {
                        if !els.iter().any(|(p, e)| p == &att.container_id && e == &r) {
                            problems.push(format!(
                                "published port {}/{} is not in the firewall table",
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
pub fn table_name(bridge: &str) -> String {
    let b: String = bridge
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("liftoff_{b}")
}

fn firewall_config(spec: &NativeSpec, network: Ipv4Addr, prefix: u8) -> firewall::FirewallConfig {
    firewall::FirewallConfig {
        table: table_name(&spec.bridge),
        bridge: spec.bridge.clone(),
        subnet: network,
        prefix,
    }
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

fn recorded_ip(result: &Value) -> Option<Ipv4Addr> {
    crate::cni::ips(result).first()?.parse().ok()
}

/// The pod's published ports as firewall elements (the stage0-checked `-p` list).
fn port_rules(ports: &[PortMapping], pod_ip: Ipv4Addr) -> Result<Vec<PortRule>, String> {
    ports
        .iter()
        .map(|p| {
            let proto = match p.protocol.as_str() {
                "tcp" => Proto::Tcp,
                "udp" => Proto::Udp,
                other => {
                    return Err(format!(
                        "-p {}: protocol {other} is not tcp or udp",
                        p.host_port
                    ))
                }
            };
            let host_ip = match p.host_ip.as_str() {
                "" | "0.0.0.0" => None,
                ip => Some(ip.parse::<Ipv4Addr>().map_err(|_| {
                    format!(
                        "-p {ip}:{}: the native network publishes on IPv4 addresses only",
                        p.host_port
                    )
                })?),
            };
            Ok(PortRule {
                proto,
                host_ip,
                host_port: p.host_port,
                pod_ip,
                pod_port: p.container_port,
            })
        })
        .collect()
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

pub use host::changes as host_changes;

/// Whether a path exists (for the lock file's dir).
fn ensure_dir(p: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(p)
}
