//! The network part of the contract: networks as they travel in `pod.json`, published ports, and
//! the pod's network record (`net.json`), which stage1 writes before the first ADD and after each,
//! and which its `gc` entrypoint and `liftoff status` read.
//!
//! A network is either liftoff's native bridge network ([`NativeSpec`], set up by stage1 itself
//! over netlink) or a parsed CNI configuration list (CNI spec 1.0; a single-plugin `.conf` becomes a
//! list of one). What the runtime relies on is checked wherever a network comes from (a conflist, a
//! pod manifest, a network record someone may have edited): a plain name, plugins that are objects
//! whose `type` is an executable's file name, and for a native network a bridge name the kernel
//! accepts, an IPv4 subnet with room for pods, and an absolute lease dir.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A network configuration that cannot be used, naming its file and field.
#[derive(Debug, thiserror::Error)]
#[error("network config {path}: {msg}")]
pub struct ConfigError {
    pub path: String,
    pub msg: String,
}

/// A network: a parsed configuration list (a single-plugin `.conf` is turned into a list of one).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Network {
    pub name: String,
    pub cni_version: String,
    /// The plugin objects, in order (empty for a native network).
    pub plugins: Vec<Value>,
    /// Where it was read from (for messages).
    pub source: String,
    /// Set for liftoff's native network: stage1 sets it up itself, no plugin runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native: Option<NativeSpec>,
}

/// liftoff's native bridge network: a bridge, an IPv4 subnet whose first address is the bridge's
/// (the pods' gateway), address leases as files in `lease_dir`, and liftoff's nftables table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NativeSpec {
    pub bridge: String,
    /// `A.B.C.D/N`, N at most 30.
    pub subnet: String,
    /// One file per leased address, named by it, holding the pod uuid.
    pub lease_dir: PathBuf,
    /// An IPv6 ULA subnet (`fdXX:…::/N`, N from 64 to 120) the pods also get an address from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<String>,
}

/// What is wrong with a native network's settings (named by their `[network]` keys).
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("subnet \"{}\": expected an IPv4 network A.B.C.D/N with N from 8 to 30", .0.escape_debug())]
    Subnet(String),
    #[error("ipv6 \"{}\": expected a unique local IPv6 network (fc00::/7, e.g. fd66::/64) written ADDR/N with N from 64 to 120", .0.escape_debug())]
    Subnet6(String),
    #[error("{key} \"{}\": host bits are set (the network address is {network})", .text.escape_debug())]
    HostBits {
        key: &'static str,
        text: String,
        network: String,
    },
    #[error("bridge \"{}\": an interface name is 1-15 letters, digits, '-', '_' or '.' (not . or ..)", .0.escape_debug())]
    Bridge(String),
    #[error("lease_dir must be an absolute path")]
    LeaseDir,
}

impl NativeSpec {
    /// The subnet's network address and prefix length, checked.
    pub fn subnet(&self) -> Result<(std::net::Ipv4Addr, u8), SpecError> {
        let bad = || SpecError::Subnet(self.subnet.clone());
        match network(&self.subnet, "subnet", 8..=30).ok_or_else(bad)?? {
            (std::net::IpAddr::V4(a), n) => Ok((a, n)),
            _ => Err(bad()),
        }
    }

    /// The IPv6 subnet's network address and prefix length, checked; None without one.
    pub fn subnet6(&self) -> Result<Option<(std::net::Ipv6Addr, u8)>, SpecError> {
        let Some(text) = &self.ipv6 else {
            return Ok(None);
        };
        let bad = || SpecError::Subnet6(text.clone());
        match network(text, "ipv6", 64..=120).ok_or_else(bad)?? {
            // Unique local addresses only (fc00::/7).
            (std::net::IpAddr::V6(a), n) if a.segments()[0] & 0xfe00 == 0xfc00 => Ok(Some((a, n))),
            _ => Err(bad()),
        }
    }

    fn check(&self) -> Result<(), SpecError> {
        if !valid_bridge_name(&self.bridge) {
            return Err(SpecError::Bridge(self.bridge.clone()));
        }
        self.subnet()?;
        self.subnet6()?;
        if !self.lease_dir.is_absolute() {
            return Err(SpecError::LeaseDir);
        }
        Ok(())
    }
}

/// Whether `name` is a bridge name liftoff uses: 1-15 letters, digits, '-', '_' or '.' (the
/// kernel's IFNAMSIZ), not `.` or `..` (it names /proc/sys paths).
pub fn valid_bridge_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c))
}

/// `ADDR/N` with N in `prefixes` and no host bits set, for either family: None when it is not
/// written so (the caller names the key and the family it wants), Err for host bits.
fn network(
    text: &str,
    key: &'static str,
    prefixes: std::ops::RangeInclusive<u8>,
) -> Option<Result<(std::net::IpAddr, u8), SpecError>> {
    use std::net::IpAddr;
    let (a, n) = text.split_once('/')?;
    let addr: IpAddr = a.parse().ok()?;
    let n: u8 = n.parse().ok().filter(|n| prefixes.contains(n))?;
    let (value, bits) = match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    };
    // (An IPv4 address with an IPv6-sized prefix, say: the caller's family check refuses it.)
    if u32::from(n) > bits {
        return None;
    }
    let mask = (u128::MAX >> (128 - bits)) & !(u128::MAX >> (128 - bits + u32::from(n)));
    if value & !mask == 0 {
        return Some(Ok((addr, n)));
    }
    let net = match addr {
        // (The mask keeps an IPv4 value within 32 bits.)
        IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::from((value & mask) as u32)),
        IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::from(value & mask)),
    };
    Some(Err(SpecError::HostBits {
        key,
        text: text.to_string(),
        network: format!("{net}/{n}"),
    }))
}

/// A published port, in portmap's `portMappings` form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PortMapping {
    #[serde(rename = "hostPort")]
    pub host_port: u16,
    #[serde(rename = "containerPort")]
    pub container_port: u16,
    pub protocol: String,
    #[serde(rename = "hostIP", default, skip_serializing_if = "String::is_empty")]
    pub host_ip: String,
}

fn cfg_err(path: &str, msg: impl Into<String>) -> ConfigError {
    ConfigError {
        path: path.to_string(),
        msg: msg.into(),
    }
}

pub fn parse(text: &str, source: &str) -> Result<Network, ConfigError> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| cfg_err(source, format!("not valid JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| cfg_err(source, "the top level must be a JSON object"))?;
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| cfg_err(source, "field \"name\" is missing or not a string"))?;
    let version = obj
        .get("cniVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| cfg_err(source, "field \"cniVersion\" is missing or not a string"))?;
    let plugins: Vec<Value> = match obj.get("plugins") {
        Some(Value::Array(p)) => p.clone(),
        Some(_) => return Err(cfg_err(source, "field \"plugins\" must be an array")),
        None if obj.contains_key("type") => {
            let mut one = obj.clone();
            one.remove("name");
            one.remove("cniVersion");
            vec![Value::Object(one)]
        }
        None => {
            return Err(cfg_err(
                source,
                "field \"plugins\" is missing (or \"type\" for a single-plugin .conf)",
            ))
        }
    };
    let n = Network {
        name: name.to_string(),
        cni_version: version.to_string(),
        plugins,
        source: source.to_string(),
        native: None,
    };
    n.check()?;
    Ok(n)
}

impl Network {
    /// What the runtime relies on, wherever the network came from (a conflist, or a pod manifest
    /// or network record that someone may have edited): a plain name, and plugins that are objects
    /// whose `type` is an executable's file name.
    pub fn check(&self) -> Result<(), ConfigError> {
        let source = self.source.as_str();
        if self.name.is_empty()
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(cfg_err(
                source,
                format!(
                    "field \"name\": \"{}\" may only hold letters, digits, '-', '_' and '.'",
                    self.name.escape_debug()
                ),
            ));
        }
        if let Some(n) = &self.native {
            if !self.plugins.is_empty() {
                return Err(cfg_err(source, "a native network runs no plugins"));
            }
            return n.check().map_err(|e| cfg_err(source, e.to_string()));
        }
        if self.plugins.is_empty() {
            return Err(cfg_err(source, "field \"plugins\" is empty"));
        }
        for (i, p) in self.plugins.iter().enumerate() {
            if !p.is_object() {
                return Err(cfg_err(
                    source,
                    format!("plugins[{i}] is not a JSON object"),
                ));
            }
            let t = p.get("type").and_then(Value::as_str).ok_or_else(|| {
                cfg_err(
                    source,
                    format!("plugins[{i}]: field \"type\" is missing or not a string"),
                )
            })?;
            if t.is_empty() || t.contains(['/', '\0']) || t.starts_with('.') {
                return Err(cfg_err(
                    source,
                    format!(
                        "plugins[{i}].type \"{}\": must be a plugin's file name",
                        t.escape_debug()
                    ),
                ));
            }
        }
        Ok(())
    }
}
/// Everything about the pod a plugin call needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub container_id: String,
    /// Path of the pod's network namespace; may no longer exist at DEL time.
    pub netns: PathBuf,
    pub ifname: String,
    pub plugin_dirs: Vec<PathBuf>,
    pub ports: Vec<PortMapping>,
}
/// The addresses (with prefix length) a result assigned inside the pod, any result version.
pub fn addresses(result: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(ips) = result.get("ips").and_then(Value::as_array) {
        out.extend(
            ips.iter()
                .filter_map(|i| i.get("address").and_then(Value::as_str))
                .map(str::to_string),
        );
    }
    // cniVersion 0.1/0.2 results.
    for k in ["ip4", "ip6"] {
        if let Some(ip) = result
            .get(k)
            .and_then(|v| v.get("ip"))
            .and_then(Value::as_str)
        {
            out.push(ip.to_string());
        }
    }
    out
}

/// The same without prefix lengths.
pub fn ips(result: &Value) -> Vec<String> {
    addresses(result)
        .into_iter()
        .map(|a| a.split('/').next().unwrap_or("").to_string())
        .collect()
}
/// What a pod's networking looks like on disk (`net.json` in the pod dir), for the supervisor's
/// teardown and for `liftoff gc` after a SIGKILL: written before the first ADD, updated after each.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PodNetState {
    /// [`NET_STATE_VERSION`]; records written before it was versioned read as version 1.
    #[serde(default = "net_state_v1")]
    pub version: u32,
    /// The bind mount that keeps the namespace alive until DEL (see `stage1::net`).
    pub netns: PathBuf,
    pub attachments: Vec<(Network, Attachment, Option<Value>)>,
}

/// The network record format this stage1 reads and writes. A native network's `native` field was
/// added to version 1 as an optional field, left out for CNI networks (the contract's rule for
/// later additions): a stage1 that predates it refuses a record that uses it as unknown, and reads
/// every other record as before.
pub const NET_STATE_VERSION: u32 = 1;

fn net_state_v1() -> u32 {
    1
}

/// A network record that exists but cannot be acted on. Whoever meets one must keep the pod (its
/// lease, rules and namespace pin are only known from it) and say so.
#[derive(Debug, thiserror::Error)]
pub enum NetStateError {
    #[error("cannot read the network record {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the network record {path} is damaged ({reason}); the pod is kept so that its address lease, firewall rules and namespace pin are not lost: release them by hand (CNI DEL), then remove the pod dir")]
    Invalid { path: PathBuf, reason: Damage },
}

/// What is wrong with a network record.
#[derive(Debug, thiserror::Error)]
pub enum Damage {
    #[error("{0}")]
    Parse(serde_json::Error),
    #[error("version {0}, this liftoff reads version {NET_STATE_VERSION}")]
    Version(u32),
    /// (Boxed: a CNI error carries the whole message of a config check.)
    #[error("{0}")]
    Network(Box<ConfigError>),
}

/// Reads a pod's network state: Ok(None) when it has none, an error when the record is there but
/// unreadable, malformed, of another version, or names a network that does not check out.
pub fn read_state(pod_dir: &Path) -> Result<Option<PodNetState>, NetStateError> {
    let path = pod_dir.join(NET_STATE_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(NetStateError::Read { path, source }),
    };
    let invalid = |reason: Damage| NetStateError::Invalid {
        path: path.clone(),
        reason,
    };
    let s: PodNetState = serde_json::from_slice(&bytes).map_err(|e| invalid(Damage::Parse(e)))?;
    if s.version != NET_STATE_VERSION {
        return Err(invalid(Damage::Version(s.version)));
    }
    for (n, _, _) in &s.attachments {
        n.check()
            .map_err(|e| invalid(Damage::Network(Box::new(e))))?;
    }
    Ok(Some(s))
}

/// Writes it atomically.
pub fn write_state(pod_dir: &Path, s: &PodNetState) -> std::io::Result<()> {
    // Durable: the address leases it names live on disk (the CNI plugins' own state), so after a
    // power cut gc still needs it to release them.
    crate::records::write_json_durable(&pod_dir.join(NET_STATE_FILE), s)
}

pub const NET_STATE_FILE: &str = "net.json";

#[cfg(test)]
mod native_spec_tests {
    use super::*;

    fn spec(subnet: &str, ipv6: Option<&str>) -> NativeSpec {
        NativeSpec {
            bridge: "liftoff0".into(),
            subnet: subnet.into(),
            lease_dir: "/var/lib/liftoff/net/native/liftoff0".into(),
            ipv6: ipv6.map(str::to_string),
        }
    }

    #[test]
    fn subnets_of_both_families_are_checked() {
        assert_eq!(
            spec("10.66.0.0/16", None).subnet().unwrap(),
            ("10.66.0.0".parse().unwrap(), 16)
        );
        for (bad, text) in [
            (
                "10.66.0.1/16",
                "host bits are set (the network address is 10.66.0.0/16)",
            ),
            ("10.66.0.0/31", "expected an IPv4 network"),
            ("10.0.0.0/64", "expected an IPv4 network"),
            ("fd00::/16", "expected an IPv4 network"),
            ("10.66.0.0", "expected an IPv4 network"),
        ] {
            let e = spec(bad, None).subnet().unwrap_err().to_string();
            assert!(e.contains(text), "{bad}: {e}");
        }
        let ok = spec("10.66.0.0/16", Some("fd66::/64")).subnet6().unwrap();
        assert_eq!(ok, Some(("fd66::".parse().unwrap(), 64)));
        for (bad, text) in [
            (
                "fd66::1/64",
                "host bits are set (the network address is fd66::/64)",
            ),
            ("2001:db8::/64", "unique local"),
            ("fd66::/63", "unique local"),
            ("10.66.0.0/16", "unique local"),
            ("10.0.0.0/100", "unique local"),
        ] {
            let e = spec("10.66.0.0/16", Some(bad))
                .subnet6()
                .unwrap_err()
                .to_string();
            assert!(e.contains(text), "{bad}: {e}");
        }
        for name in ["", ".", "..", "a-bridge-name-too-long", "br/0"] {
            assert!(!valid_bridge_name(name), "{name}");
        }
        assert!(valid_bridge_name("liftoff0") && valid_bridge_name("lf-test_1.2"));
    }
}
