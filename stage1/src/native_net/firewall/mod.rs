//! liftoff's nftables table for its native bridge network.
//!
//! The table (`table ip liftoff`) holds two kinds of state:
//!
//! * fixed rules — outbound masquerade, hairpin/localhost masquerade, the
//!   forward accept rules and the DNAT dispatch chain — created once by
//!   [`ensure`];
//! * published ports (`-p [HOSTIP:]HOSTPORT:PODPORT[/udp]`), which are
//!   elements of four nftables maps (`tcp_any`, `udp_any`, `tcp_ip`,
//!   `udp_ip`) added and removed per pod by [`add_ports`] / [`remove_ports`].
//!
//! The table is created with `nft -f -` because the ruleset then stays a
//! readable text (nat, fib and ct expressions would otherwise have to be
//! hand-assembled as bytecode), and that happens once per boot. Published
//! ports change on every pod start and stop, so they go over netlink in one
//! nfnetlink batch: no process per pod, one kernel transaction (all or
//! nothing), about 10 µs per pod once the socket is open.
//!
//! Each element carries the pod id as its nft comment, so
//! `nft list table ip liftoff` shows who owns a port, and [`elements`] lets
//! gc find ports of pods whose records are lost.

use std::fmt;
use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};
use std::time::Duration;

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_netfilter::nftables::{
    ChainAttribute, DataAttribute, Hook, HookNumber, InetHookNumber, ListAttribute,
    NfTablesMessage, SetElementAttribute, SetElementList, SetElementMessage, TableAttribute,
    TableMessage,
};
use netlink_packet_netfilter::NetfilterProtoFamily;

/// Production table name.
pub const TABLE: &str = "liftoff";
/// Bumped whenever the fixed ruleset changes, so [`ensure`] replaces an old
/// (empty) table instead of trusting it.
pub(super) const RULESET_VERSION: u32 = 1;
/// Longest pod id stored in an element comment (nftables' comment limit is
/// 128 bytes including the NUL).
pub(super) const MAX_COMMENT: usize = 127;
/// A stuck or overloaded kernel must never hang pod start/stop.
pub(super) const RECV_TIMEOUT: Duration = Duration::from_secs(2);
/// nfnetlink subsystem id of nf_tables (res_id of batch begin/end).
pub(super) const NFNL_SUBSYS_NFTABLES: u16 = 10;
/// nftables' userdata TLV type for comments (table and element alike).
pub(super) const UDATA_COMMENT: u8 = 0;
/// Netfilter verdict code of a chain policy that drops.
pub(super) const NF_DROP: u32 = 0;
/// Set flag of sets created implicitly for anonymous `{ ... }` in rules.
pub(super) const NFT_SET_ANONYMOUS: u32 = 0x1;
/// Netlink message header length.
pub(super) const NLMSG_HDRLEN: usize = 16;

/// Where liftoff's native network lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirewallConfig {
    /// The pod bridge (e.g. `liftoff0`).
    pub bridge: String,
    /// Pod subnet address; host bits are ignored.
    pub subnet: Ipv4Addr,
    pub prefix: u8,
    /// nftables table (family `ip`); [`TABLE`] in production, a unique name in tests.
    pub table: String,
}

impl FirewallConfig {
    /// Configuration for the production table [`TABLE`].
    pub fn new(bridge: &str, subnet: Ipv4Addr, prefix: u8) -> Self {
        FirewallConfig {
            bridge: bridge.to_string(),
            subnet,
            prefix,
            table: TABLE.to_string(),
        }
    }

    /// Names end up in an nft script, so only plain identifiers are allowed.
    pub(super) fn validate(&self) -> Result<(), FirewallError> {
        let bad = |what: String| Err(FirewallError::InvalidConfig(what));
        if self.table.is_empty()
            || self.table.len() > 64
            || !self
                .table
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return bad(format!(
                "table name \"{}\" must be 1-64 letters, digits or _",
                self.table.escape_default()
            ));
        }
        if self.bridge.is_empty()
            || self.bridge.len() > 15
            || !self
                .bridge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        {
            return bad(format!(
                "bridge name \"{}\" must be 1-15 letters, digits, '_', '-' or '.'",
                self.bridge.escape_default()
            ));
        }
        if self.prefix > 32 {
            return bad(format!("subnet prefix /{} is larger than 32", self.prefix));
        }
        Ok(())
    }

    /// The subnet with host bits cleared (nft rejects `10.66.0.1/16`).
    pub(super) fn network(&self) -> Ipv4Addr {
        let mask = if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix.min(32)))
        };
        Ipv4Addr::from(u32::from(self.subnet) & mask)
    }

    /// Table comment: identifies version, bridge and subnet, so a table made
    /// for another configuration is detected without parsing its rules.
    pub fn comment(&self) -> String {
        format!(
            "liftoff native network v{RULESET_VERSION} bridge={} subnet={}/{}",
            self.bridge,
            self.network(),
            self.prefix
        )
    }

    /// The fixed ruleset, as an nft script.
    pub(super) fn ruleset(&self) -> String {
        let (t, br, net) = (
            &self.table,
            &self.bridge,
            format!("{}/{}", self.network(), self.prefix),
        );
        let c = self.comment();
        // published: the specific host address wins over "any address".
        // output: traffic from the host itself (including 127.0.0.1, which
        // needs route_localnet on the bridge) is DNATed before routing.
        // postrouting: outbound NAT; masquerade DNATed connections that come
        // from 127/8 (replies could not reach 127.0.0.1) or from a pod
        // (hairpin: the reply must come back through the host to be un-NATed).
        // forward: accept in our own table does not override a drop in
        // another table (see forward_blockers), but documents the intent and
        // keeps working if a later version switches the policy to drop.
        format!(
            r#"table ip {t} {{
	comment "{c}"
	map tcp_any {{ type inet_service : ipv4_addr . inet_service; }}
	map udp_any {{ type inet_service : ipv4_addr . inet_service; }}
	map tcp_ip {{ type ipv4_addr . inet_service : ipv4_addr . inet_service; }}
	map udp_ip {{ type ipv4_addr . inet_service : ipv4_addr . inet_service; }}
	chain published {{
		dnat ip to ip daddr . tcp dport map @tcp_ip
		dnat ip to ip daddr . udp dport map @udp_ip
		dnat ip to tcp dport map @tcp_any
		dnat ip to udp dport map @udp_any
	}}
	chain prerouting {{
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump published
	}}
	chain output {{
		type nat hook output priority -100; policy accept;
		fib daddr type local jump published
	}}
	chain postrouting {{
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr {net} ip daddr != {net} masquerade
		oifname "{br}" ct status dnat ip saddr 127.0.0.0/8 masquerade
		oifname "{br}" ct status dnat ip saddr {net} masquerade
	}}
	chain forward {{
		type filter hook forward priority filter; policy accept;
		iifname "{br}" accept
		oifname "{br}" accept
	}}
}}
"#
        )
    }
}

/// Transport protocol of a published port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    /// `tcp` or `udp`, as in `-p 53:53/udp` and nft's syntax.
    pub fn name(&self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One published port: `[host_ip:]host_port -> pod_ip:pod_port`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PortRule {
    pub proto: Proto,
    /// `None` (or 0.0.0.0) publishes on every host address.
    pub host_ip: Option<Ipv4Addr>,
    pub host_port: u16,
    pub pod_ip: Ipv4Addr,
    pub pod_port: u16,
}

impl PortRule {
    /// 0.0.0.0 means "any address", as in `-p 0.0.0.0:8080:80`.
    pub(super) fn specific_ip(&self) -> Option<Ipv4Addr> {
        self.host_ip.filter(|ip| !ip.is_unspecified())
    }

    pub(super) fn map(&self) -> &'static str {
        match (self.proto, self.specific_ip().is_some()) {
            (Proto::Tcp, false) => "tcp_any",
            (Proto::Udp, false) => "udp_any",
            (Proto::Tcp, true) => "tcp_ip",
            (Proto::Udp, true) => "udp_ip",
        }
    }

    pub(super) fn key(&self) -> Vec<u8> {
        match self.specific_ip() {
            Some(ip) => addr_port(ip, self.host_port),
            None => self.host_port.to_be_bytes().to_vec(),
        }
    }

    pub(super) fn data(&self) -> Vec<u8> {
        addr_port(self.pod_ip, self.pod_port)
    }

    /// `127.0.0.1:8080/tcp` or `8080/tcp`, as a user would write it.
    pub(super) fn host_side(&self) -> String {
        match self.specific_ip() {
            Some(ip) => format!("{ip}:{}/{}", self.host_port, self.proto),
            None => format!("{}/{}", self.host_port, self.proto),
        }
    }
}

impl fmt::Display for PortRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} -> {}:{}",
            self.host_side(),
            self.pod_ip,
            self.pod_port
        )
    }
}

/// Everything that can go wrong; texts say what failed and the way out.
#[derive(Debug, thiserror::Error)]
pub enum FirewallError {
    #[error("nft is not installed: install the nftables package, or set [network] default = \"cni\" in /etc/liftoff/liftoff.toml")]
    NftMissing,
    #[error("nft failed to {what}: {stderr}; check that the kernel has nftables nat support (modules nf_tables, nft_nat, nft_fib_ipv4, nft_ct), or set [network] default = \"cni\" in /etc/liftoff/liftoff.toml")]
    NftFailed { what: String, stderr: String },
    #[error("the kernel has no nftables netlink interface ({0}): load it with `modprobe nf_tables`, or set [network] default = \"cni\" in /etc/liftoff/liftoff.toml")]
    NoNftables(io::Error),
    #[error("{what}: permission denied; liftoff needs root (CAP_NET_ADMIN) to manage its nftables table")]
    Permission { what: String },
    #[error("{what}: the kernel answered: {}; see `dmesg` and `nft list ruleset`", io::Error::from_raw_os_error(*.errno))]
    Kernel { what: String, errno: i32 },
    #[error("{what}: talking to the kernel over netlink failed: {err}")]
    Io { what: String, err: io::Error },
    #[error("{what}: the kernel did not answer within {} s; retry, and check `dmesg` if it persists", RECV_TIMEOUT.as_secs())]
    Timeout { what: String },
    #[error(
        "{what}: unexpected reply from the kernel ({detail}); please report this as a liftoff bug"
    )]
    Malformed { what: String, detail: String },
    #[error("host port {port} is already published{}; stop that pod or choose another host port", owner.as_ref().map(|o| format!(" by pod {o}")).unwrap_or_default())]
    PortInUse { port: String, owner: Option<String> },
    #[error("nftables table ip {table} is missing; it is recreated when the next pod starts (was it removed by `nft flush ruleset`?)")]
    TableMissing { table: String },
    #[error("nftables table ip {table} belongs to another network configuration (\"{found}\", wanted \"{wanted}\") and still publishes {elements} port(s); stop the pods using it, or restore the previous [network] settings in /etc/liftoff/liftoff.toml")]
    TableConflict {
        table: String,
        found: String,
        wanted: String,
        elements: usize,
    },
    #[error("invalid firewall configuration: {0}")]
    InvalidConfig(String),
    #[error("pod id \"{0}\" cannot be stored as an nftables comment: it must be 1-127 printable ASCII characters without quotes or backslashes")]
    InvalidPod(String),
}

// ---------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------

/// `ipv4_addr . inet_service`: nftables pads every field of a concatenation
/// to a 32-bit register, so the port is 2 bytes big endian plus 2 zero bytes.
mod blockers;
#[cfg(test)]
mod tests;
mod wire;

use blockers::*;
pub use blockers::{forward_blockers, forward_blockers_for};
use wire::*;

pub(super) fn kernel_error(what: &str, errno: i32) -> FirewallError {
    match errno {
        libc::EPERM => FirewallError::Permission { what: what.into() },
        _ => FirewallError::Kernel {
            what: what.into(),
            errno,
        },
    }
}

/// Runs an nft script; only used for the fixed ruleset, never per pod.
pub(super) fn nft_apply(script: &str, what: &str) -> Result<(), FirewallError> {
    let mut child = match Command::new("nft")
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(FirewallError::NftMissing),
        Err(err) => {
            return Err(FirewallError::Io {
                what: format!("starting nft to {what}"),
                err,
            })
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A write error means nft died early; its stderr says why.
        let _ = stdin.write_all(script.as_bytes());
    }
    let out = child.wait_with_output().map_err(|err| FirewallError::Io {
        what: format!("waiting for nft to {what}"),
        err,
    })?;
    if out.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr)
            .trim()
            .replace('\n', " | ");
        Err(FirewallError::NftFailed {
            what: what.into(),
            stderr,
        })
    }
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// Makes sure the table exists with this configuration's fixed rules.
///
/// Fast (one netlink round trip, no process) when the table is already there
/// with the same comment. Creates it with `nft -f -` when absent. A table
/// with another comment (other subnet, bridge or ruleset version) is
/// replaced atomically if its maps hold no elements, else it is an error
/// naming the conflict. The caller serializes calls.
pub fn ensure(cfg: &FirewallConfig) -> Result<(), FirewallError> {
    cfg.validate()?;
    let wanted = cfg.comment();
    with_nl(|nl| {
        let found = match nl.table_comment(&cfg.table)? {
            None => return nft_apply(&cfg.ruleset(), &format!("create table ip {}", cfg.table)),
            Some(Some(c)) if c == wanted => return Ok(()),
            Some(c) => c.unwrap_or_default(),
        };
        let mut elements = 0;
        for set in nl.set_names(&cfg.table)? {
            elements += nl.map_elements(&cfg.table, &set)?.len();
        }
        if elements > 0 {
            return Err(FirewallError::TableConflict {
                table: cfg.table.clone(),
                found,
                wanted,
                elements,
            });
        }
        // Delete and recreate in one nft transaction: no window without NAT.
        let script = format!("delete table ip {}\n{}", cfg.table, cfg.ruleset());
        nft_apply(&script, &format!("replace table ip {}", cfg.table))
    })
}

/// Publishes a pod's ports in one transaction: all of them or none.
///
/// Each element's comment is the pod id. A host port already published
/// (by any pod) fails with [`FirewallError::PortInUse`] naming it.
pub fn add_ports(cfg: &FirewallConfig, pod: &str, rules: &[PortRule]) -> Result<(), FirewallError> {
    check_pod(pod)?;
    if rules.is_empty() {
        return Ok(());
    }
    let udata = comment_udata(pod);
    let msgs = rules
        .iter()
        .map(|r| {
            let elem = vec![
                SetElementAttribute::Key(DataAttribute::Value(r.key())),
                SetElementAttribute::Data(DataAttribute::Value(r.data())),
                SetElementAttribute::UserData(udata.clone()),
            ];
            (
                elem_msg(&cfg.table, r.map(), elem, false),
                NLM_F_CREATE | NLM_F_EXCL,
            )
        })
        .collect();
    let what = format!("publishing ports of pod {pod}");
    with_nl(|nl| {
        let status = nl.transact(msgs, &what)?;
        if let Some(i) = status.iter().position(|&e| e == libc::EEXIST) {
            // Error path only: find the owner to make the message actionable.
            let owner = elements_with(nl, cfg).ok().and_then(|all| {
                all.into_iter()
                    .find(|(_, r)| same_key(r, &rules[i]))
                    .map(|(p, _)| p)
            });
            return Err(FirewallError::PortInUse {
                port: rules[i].host_side(),
                owner,
            });
        }
        match status.iter().find(|&&e| e != 0) {
            None => Ok(()),
            Some(&libc::ENOENT) => Err(FirewallError::TableMissing {
                table: cfg.table.clone(),
            }),
            Some(&errno) => Err(kernel_error(&what, errno)),
        }
    })
}

/// Unpublishes ports in one transaction. Elements already gone are fine
/// (gc may run twice): the kernel rejects the whole batch on the first
/// missing element, so the batch is retried without the missing ones.
pub fn remove_ports(cfg: &FirewallConfig, rules: &[PortRule]) -> Result<(), FirewallError> {
    let what = "unpublishing ports";
    let mut todo: Vec<&PortRule> = rules.iter().collect();
    with_nl(|nl| {
        // Each round drops at least one element, so this terminates.
        while !todo.is_empty() {
            let msgs = todo
                .iter()
                .map(|r| {
                    let elem = vec![SetElementAttribute::Key(DataAttribute::Value(r.key()))];
                    (elem_msg(&cfg.table, r.map(), elem, true), 0)
                })
                .collect();
            let status = nl.transact(msgs, what)?;
            if let Some(&errno) = status.iter().find(|&&e| e != 0 && e != libc::ENOENT) {
                return Err(kernel_error(what, errno));
            }
            if status.iter().all(|&e| e == 0) {
                return Ok(());
            }
            todo = todo
                .into_iter()
                .zip(status)
                .filter(|(_, e)| *e == 0)
                .map(|(r, _)| r)
                .collect();
        }
        Ok(())
    })
}

/// Every published port with its pod id (element comment), for gc.
pub fn elements(cfg: &FirewallConfig) -> Result<Vec<(String, PortRule)>, FirewallError> {
    with_nl(|nl| elements_with(nl, cfg))
}

/// Deletes the table and everything in it. An absent table is fine.
pub fn remove_table(cfg: &FirewallConfig) -> Result<(), FirewallError> {
    let what = format!("deleting nftables table ip {}", cfg.table);
    let del = NfTablesMessage::DeleteTable(TableMessage {
        attributes: vec![TableAttribute::Name(cfg.table.clone())],
    });
    with_nl(|nl| match nl.transact(vec![(del, 0)], &what)?.first() {
        Some(0) | Some(&libc::ENOENT) | None => Ok(()),
        Some(&errno) => Err(kernel_error(&what, errno)),
    })
}
