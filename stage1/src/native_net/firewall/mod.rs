//! liftoff's nftables table for its native bridge network.
//!
//! One network is one address family, chosen by its subnet: an IPv4 subnet
//! gets `table ip <table>`, an IPv6 subnet `table ip6 <table>` (same name,
//! other family, so a dual-stack bridge has one table per family and the two
//! never see each other's packets). liftoff names the table after the bridge,
//! `liftoff_<bridge>` (`native_net::table_name`). Both hold the same two kinds
//! of state:
//!
//! * fixed rules — outbound masquerade, hairpin masquerade (plus localhost
//!   masquerade and the guard that drops 127/8 not from lo on IPv4), the
//!   forward rules (no spoofed pod sources, no unpublished connections from
//!   outside) and the DNAT dispatch chain — created once by [`ensure`];
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
//! `nft list table ip liftoff_liftoff0` (or `ip6`) shows who owns a port, and
//! [`elements`] lets gc find ports of pods whose records are lost.
//!
//! IPv6 differs from IPv4 in one user-visible way: ports cannot be published
//! on `::1` (see [`FirewallError::Ipv6Loopback`]), because IPv6 has no
//! `route_localnet` that would let a packet from `::1` leave through the
//! bridge after DNAT.

use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::time::Duration;

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_netfilter::nftables::{
    ChainAttribute, DataAttribute, Hook, HookNumber, InetHookNumber, ListAttribute,
    NfTablesMessage, SetElementAttribute, SetElementList, SetElementMessage, TableAttribute,
    TableMessage,
};
use netlink_packet_netfilter::NetfilterProtoFamily;

/// The table name [`FirewallConfig::new`] gives (tests); liftoff's own are `liftoff_<bridge>`.
pub const TABLE: &str = "liftoff";
/// Bumped whenever the fixed ruleset changes, so [`ensure`] replaces an old
/// (empty) table instead of trusting it.
pub(super) const RULESET_VERSION: u32 = 2;
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

/// Address family of a network, which is the family of its nftables table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    /// The family of an address as it appears on the wire: an IPv4-mapped
    /// IPv6 address (`::ffff:a.b.c.d`) is IPv4 there, so it never matches in
    /// an `ip6` table and must not be accepted as IPv6.
    pub fn of(ip: IpAddr) -> Family {
        match ip {
            IpAddr::V4(_) => Family::Ipv4,
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => Family::Ipv4,
            IpAddr::V6(_) => Family::Ipv6,
        }
    }

    /// nft's name of the table family, which is also the keyword of its
    /// address matches (`ip saddr`, `ip6 saddr`).
    pub fn nft(self) -> &'static str {
        match self {
            Family::Ipv4 => "ip",
            Family::Ipv6 => "ip6",
        }
    }

    /// nft's address data type, for the map declarations.
    pub(super) fn addr_type(self) -> &'static str {
        match self {
            Family::Ipv4 => "ipv4_addr",
            Family::Ipv6 => "ipv6_addr",
        }
    }

    /// Family of the nfnetlink messages that address this family's tables.
    pub(super) fn proto(self) -> NetfilterProtoFamily {
        match self {
            Family::Ipv4 => NetfilterProtoFamily::IPv4,
            Family::Ipv6 => NetfilterProtoFamily::IPv6,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Ipv4 => "IPv4",
            Family::Ipv6 => "IPv6",
        })
    }
}

/// Shortest IPv6 pod prefix: one link, as SLAAC and every router assume;
/// a bigger one would only hide a mistake (a routed /48 is not a bridge).
pub const IPV6_MIN_PREFIX: u8 = 64;
/// Longest IPv6 pod prefix: leaves 256 addresses, enough for a bridge of
/// pods; longer ones are almost certainly a typo of an IPv4-style mask.
pub const IPV6_MAX_PREFIX: u8 = 120;

/// Where liftoff's native network lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirewallConfig {
    /// The pod bridge (e.g. `liftoff0`).
    pub bridge: String,
    /// Pod subnet address; host bits are ignored. Its family selects the
    /// table family (`ip` or `ip6`) and the family every [`PortRule`] of
    /// this network must have.
    pub subnet: IpAddr,
    pub prefix: u8,
    /// nftables table name: `liftoff_<bridge>` for liftoff's networks.
    pub table: String,
}

impl FirewallConfig {
    /// A configuration for the table [`TABLE`] (the tests'); `subnet` may be an
    /// [`Ipv4Addr`], an [`Ipv6Addr`] or an [`IpAddr`].
    pub fn new(bridge: &str, subnet: impl Into<IpAddr>, prefix: u8) -> Self {
        FirewallConfig {
            bridge: bridge.to_string(),
            subnet: subnet.into(),
            prefix,
            table: TABLE.to_string(),
        }
    }

    /// The family of the subnet, hence of the table and of the port rules.
    pub fn family(&self) -> Family {
        Family::of(self.subnet)
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
        // The bridge name goes into the nft script: the contract's check of bridge names.
        if !liftoff_contract::network::valid_bridge_name(&self.bridge) {
            return bad(format!(
                "bridge name \"{}\" must be 1-15 letters, digits, '_', '-' or '.'",
                self.bridge.escape_default()
            ));
        }
        match self.subnet {
            IpAddr::V4(_) if self.prefix > 32 => {
                bad(format!("subnet prefix /{} is larger than 32", self.prefix))
            }
            IpAddr::V6(_) if self.family() == Family::Ipv4 => bad(format!(
                "subnet {} is an IPv4-mapped IPv6 address; give the IPv4 subnet itself",
                self.subnet
            )),
            IpAddr::V6(_) if !(IPV6_MIN_PREFIX..=IPV6_MAX_PREFIX).contains(&self.prefix) => {
                bad(format!(
                    "IPv6 subnet prefix /{} must be between /{IPV6_MIN_PREFIX} and /{IPV6_MAX_PREFIX}",
                    self.prefix
                ))
            }
            _ => Ok(()),
        }
    }

    /// The subnet with host bits cleared (nft rejects `10.66.0.1/16`).
    pub(super) fn network(&self) -> IpAddr {
        match self.subnet {
            IpAddr::V4(a) => {
                let mask = match self.prefix.min(32) {
                    0 => 0,
                    p => u32::MAX << (32 - u32::from(p)),
                };
                IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
            }
            IpAddr::V6(a) => {
                let mask = match self.prefix.min(128) {
                    0 => 0,
                    p => u128::MAX << (128 - u32::from(p)),
                };
                IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
            }
        }
    }

    /// Table comment: identifies version, bridge and subnet, so a table made
    /// for another configuration is detected without parsing its rules. The
    /// IPv4 text is the one earlier versions wrote, so their tables are
    /// still recognized (not replaced) after an upgrade.
    pub fn comment(&self) -> String {
        let family = match self.family() {
            Family::Ipv4 => "",
            Family::Ipv6 => " family=ip6",
        };
        format!(
            "liftoff native network v{RULESET_VERSION}{family} bridge={} subnet={}/{}",
            self.bridge,
            self.network(),
            self.prefix
        )
    }

    /// The fixed ruleset, as an nft script.
    pub(super) fn ruleset(&self) -> String {
        let fam = self.family();
        let (t, br, f, a) = (&self.table, &self.bridge, fam.nft(), fam.addr_type());
        let net = format!("{}/{}", self.network(), self.prefix);
        let c = self.comment();
        // IPv4 only: connections to 127.0.0.1 are DNATed (route_localnet is
        // set on the bridge), and the pod could not reply to 127.0.0.1, so
        // they are masqueraded. IPv6 has no route_localnet, so ::1 is never
        // published (see PortRule::check) and needs no rule.
        let localhost = match fam {
            Family::Ipv4 => {
                format!("\t\toifname \"{br}\" ct status dnat ip saddr 127.0.0.0/8 masquerade\n")
            }
            Family::Ipv6 => String::new(),
        };
        // IPv4 only: route_localnet on the bridge would also let pods (and, through DNAT of a
        // 127.0.0.1 host address, the LAN) reach the host's loopback-only services (the
        // CVE-2020-8558 kind): anything for 127/8 that did not come from lo is dropped first.
        // IPv6: ::1 is never DNATed (the kernel would drop the reply's way back: see
        // PortRule::check); left alone it reaches the supervisor's relay (`loopback_proxy`) or is
        // refused at once, instead of hanging. Bridged IPv6 (br_netfilter) also carries
        // link-local and unspecified sources (neighbour discovery), which are not spoofing.
        let (out_guard, spoof_ok) = match fam {
            Family::Ipv4 => (String::new(), net.clone()),
            Family::Ipv6 => (
                "ip6 daddr != ::1 ".to_string(),
                format!("{{ {net}, fe80::/10, ::/128 }}"),
            ),
        };
        let guard = match fam {
            Family::Ipv4 => "\tchain localhost_guard {\n\t\ttype filter hook prerouting priority raw; policy accept;\n\t\tiifname != \"lo\" ip daddr 127.0.0.0/8 drop\n\t}\n".to_string(),
            Family::Ipv6 => String::new(),
        };
        // published: the specific host address wins over "any address".
        // output: traffic from the host itself is DNATed before routing.
        // postrouting: outbound NAT; masquerade DNATed connections that come
        // from a pod (hairpin: the reply must come back through the host to
        // be un-NATed), and on IPv4 from 127/8.
        // forward: a pod may only send from its subnet (no spoofed sources
        // leave the host), and nothing from outside opens a connection to a
        // pod unless it came through a published port's DNAT (a LAN host
        // routing the subnet via this one reaches no unpublished port).
        // The accepts do not override a drop in another table (see
        // forward_blockers), but document the intent.
        format!(
            r#"table {f} {t} {{
	comment "{c}"
	map tcp_any {{ type inet_service : {a} . inet_service; }}
	map udp_any {{ type inet_service : {a} . inet_service; }}
	map tcp_ip {{ type {a} . inet_service : {a} . inet_service; }}
	map udp_ip {{ type {a} . inet_service : {a} . inet_service; }}
	chain published {{
		dnat {f} to {f} daddr . tcp dport map @tcp_ip
		dnat {f} to {f} daddr . udp dport map @udp_ip
		dnat {f} to tcp dport map @tcp_any
		dnat {f} to udp dport map @udp_any
	}}
{guard}	chain prerouting {{
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump published
	}}
	chain output {{
		type nat hook output priority -100; policy accept;
		{out_guard}fib daddr type local jump published
	}}
	chain postrouting {{
		type nat hook postrouting priority srcnat; policy accept;
		{f} saddr {net} {f} daddr != {net} masquerade
{localhost}		oifname "{br}" ct status dnat {f} saddr {net} masquerade
	}}
	chain forward {{
		type filter hook forward priority filter; policy accept;
		iifname "{br}" {f} saddr != {spoof_ok} drop
		oifname "{br}" ct status dnat accept
		oifname "{br}" iifname != "{br}" ct state != {{ established, related }} drop
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

/// One published port: `[host_ip:]host_port -> pod_ip:pod_port`. Both
/// addresses must have the family of the network's [`FirewallConfig`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PortRule {
    pub proto: Proto,
    /// `None` (or 0.0.0.0 / `::`) publishes on every host address.
    pub host_ip: Option<IpAddr>,
    pub host_port: u16,
    pub pod_ip: IpAddr,
    pub pod_port: u16,
}

impl PortRule {
    /// 0.0.0.0 and `::` mean "any address", as in `-p 0.0.0.0:8080:80`.
    pub(super) fn specific_ip(&self) -> Option<IpAddr> {
        self.host_ip.filter(|ip| !ip.is_unspecified())
    }

    /// Refuses a rule that the table of `cfg` cannot carry, before anything
    /// is sent: the kernel would only answer EINVAL for a key of the wrong
    /// length, and would accept a ::1 element that can never work.
    pub(super) fn check(&self, cfg: &FirewallConfig) -> Result<(), FirewallError> {
        let want = cfg.family();
        for ip in self.host_ip.iter().chain([&self.pod_ip]) {
            let got = Family::of(*ip);
            if got != want {
                return Err(FirewallError::AddressFamily {
                    rule: self.to_string(),
                    addr: ip.to_string(),
                    got,
                    network: format!("{}/{}", cfg.network(), cfg.prefix),
                    want,
                });
            }
        }
        if want == Family::Ipv6 && self.host_ip.is_some_and(|ip| ip.is_loopback()) {
            return Err(FirewallError::Ipv6Loopback {
                port: self.host_side(),
            });
        }
        Ok(())
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

    /// `127.0.0.1:8080/tcp`, `[fd00::1]:8080/tcp` or `8080/tcp`, as a user
    /// would write it.
    pub(super) fn host_side(&self) -> String {
        match self.specific_ip() {
            Some(ip) => format!("{}/{}", SocketAddr::new(ip, self.host_port), self.proto),
            None => format!("{}/{}", self.host_port, self.proto),
        }
    }
}

impl fmt::Display for PortRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} -> {}",
            self.host_side(),
            SocketAddr::new(self.pod_ip, self.pod_port)
        )
    }
}

/// Everything that can go wrong; texts say what failed and the way out.
#[derive(Debug, thiserror::Error)]
pub enum FirewallError {
    #[error("nft is not installed: install the nftables package, or set [network] default = \"cni\" in the config file (/etc/liftoff/config.toml)")]
    NftMissing,
    #[error("nft failed to {what}: {stderr}; check that the kernel has nftables nat support (modules nf_tables, nft_nat, nft_fib_ipv4 or nft_fib_ipv6, nft_ct), or set [network] default = \"cni\" in the config file (/etc/liftoff/config.toml)")]
    NftFailed { what: String, stderr: String },
    #[error("the kernel has no nftables netlink interface ({0}): load it with `modprobe nf_tables`, or set [network] default = \"cni\" in the config file (/etc/liftoff/config.toml)")]
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
    #[error("host port {port} is already published{}; stop that pod (or run `liftoff gc` if it is no longer running) or choose another host port", owner.as_ref().map(|o| format!(" by pod {o}")).unwrap_or_default())]
    PortInUse { port: String, owner: Option<String> },
    #[error("nftables table {family} {table} is missing; it is recreated when the next pod starts (was it removed by `nft flush ruleset`?)")]
    TableMissing { family: &'static str, table: String },
    #[error("nftables table {family} {table} was made for another network configuration (\"{found}\", wanted \"{wanted}\"); the next pod start replaces it once no pod publishes a port in it")]
    TableStale {
        family: &'static str,
        table: String,
        found: String,
        wanted: String,
    },
    #[error("nftables table {family} {table} belongs to another network configuration (\"{found}\", wanted \"{wanted}\") and still publishes {elements} port(s); stop the pods using it, or restore the previous [network] settings in the config file (/etc/liftoff/config.toml)")]
    TableConflict {
        family: &'static str,
        table: String,
        found: String,
        wanted: String,
        elements: usize,
    },
    #[error("invalid firewall configuration: {0}")]
    InvalidConfig(String),
    #[error("pod id \"{0}\" cannot be stored as an nftables comment: it must be 1-127 printable ASCII characters without quotes or backslashes")]
    InvalidPod(String),
    #[error("cannot publish {rule}: {addr} is an {got} address but the network {network} is {want}; publish each port on the network of its address family")]
    AddressFamily {
        rule: String,
        addr: String,
        got: Family,
        network: String,
        want: Family,
    },
    #[error("cannot publish {port} on the IPv6 loopback address: the kernel drops a DNATed packet whose source is ::1 when it leaves through a non-loopback device such as the pod bridge, and IPv6 has no route_localnet to allow it; publish the port on another host address (or on all addresses), or on IPv4 127.0.0.1")]
    Ipv6Loopback { port: String },
}

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
/// The table's family (`ip` or `ip6`) is the family of `cfg.subnet`.
/// Fast (one netlink round trip, no process) when the table is already there
/// with the same comment. Creates it with `nft -f -` when absent. A table
/// with another comment (other subnet, bridge or ruleset version) is
/// replaced atomically if its maps hold no elements, else it is an error
/// naming the conflict. The caller serializes calls.
pub fn ensure(cfg: &FirewallConfig) -> Result<(), FirewallError> {
    cfg.validate()?;
    let (fam, table) = (cfg.family(), &cfg.table);
    let f = fam.nft();
    let wanted = cfg.comment();
    with_nl(|nl| {
        let found = match nl.table_comment(fam, table)? {
            None => return nft_apply(&cfg.ruleset(), &format!("create table {f} {table}")),
            Some(Some(c)) if c == wanted => return Ok(()),
            Some(c) => c.unwrap_or_default(),
        };
        let mut elements = 0;
        for set in nl.set_names(fam, table)? {
            elements += nl.map_elements(fam, table, &set)?.len();
        }
        if elements > 0 {
            return Err(FirewallError::TableConflict {
                family: f,
                table: table.clone(),
                found,
                wanted,
                elements,
            });
        }
        // Delete and recreate in one nft transaction: no window without NAT.
        let script = format!("delete table {f} {table}\n{}", cfg.ruleset());
        nft_apply(&script, &format!("replace table {f} {table}"))
    })
}

/// Whether `cfg`'s table is there as [`ensure`] makes it: Ok(()) or the problem (missing, or made
/// for another configuration), for `status --check-network`.
pub fn check_table(cfg: &FirewallConfig) -> Result<(), FirewallError> {
    let (fam, table) = (cfg.family(), &cfg.table);
    let wanted = cfg.comment();
    with_nl(|nl| match nl.table_comment(fam, table)? {
        None => Err(FirewallError::TableMissing {
            family: fam.nft(),
            table: table.clone(),
        }),
        Some(Some(c)) if c == wanted => Ok(()),
        Some(c) => Err(FirewallError::TableStale {
            family: fam.nft(),
            table: table.clone(),
            found: c.unwrap_or_default(),
            wanted,
        }),
    })
}

/// Publishes a pod's ports in one transaction: all of them or none.
///
/// Each element's comment is the pod id. A host port already published
/// (by any pod) fails with [`FirewallError::PortInUse`] naming it. Rules of
/// the other address family, and IPv6 rules on a loopback host address,
/// are refused before anything is sent.
pub fn add_ports(cfg: &FirewallConfig, pod: &str, rules: &[PortRule]) -> Result<(), FirewallError> {
    check_pod(pod)?;
    for r in rules {
        r.check(cfg)?;
    }
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
        let status = nl.transact(cfg.family(), msgs, &what)?;
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
                family: cfg.family().nft(),
                table: cfg.table.clone(),
            }),
            Some(&errno) => Err(kernel_error(&what, errno)),
        }
    })
}

/// Unpublishes ports in one transaction. Elements already gone are fine
/// (gc may run twice): the kernel rejects the whole batch on the first
/// missing element, so the batch is retried without the missing ones.
/// Rules of the other address family are refused (they name no element of
/// this table; the kernel would reject the whole batch).
pub fn remove_ports(cfg: &FirewallConfig, rules: &[PortRule]) -> Result<(), FirewallError> {
    let what = "unpublishing ports";
    for r in rules {
        // Only the family matters here: removing a ::1 element that could
        // never have been added is a harmless no-op.
        if let Err(e @ FirewallError::AddressFamily { .. }) = r.check(cfg) {
            return Err(e);
        }
    }
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
            let status = nl.transact(cfg.family(), msgs, what)?;
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

/// Every published port of `cfg`'s table with its pod id (element
/// comment), for gc.
pub fn elements(cfg: &FirewallConfig) -> Result<Vec<(String, PortRule)>, FirewallError> {
    with_nl(|nl| elements_with(nl, cfg))
}

/// Deletes `cfg`'s table (of `cfg`'s family) and everything in it. An
/// absent table is fine.
pub fn remove_table(cfg: &FirewallConfig) -> Result<(), FirewallError> {
    let what = format!(
        "deleting nftables table {} {}",
        cfg.family().nft(),
        cfg.table
    );
    let del = NfTablesMessage::DeleteTable(TableMessage {
        attributes: vec![TableAttribute::Name(cfg.table.clone())],
    });
    with_nl(
        |nl| match nl.transact(cfg.family(), vec![(del, 0)], &what)?.first() {
            Some(0) | Some(&libc::ENOENT) | None => Ok(()),
            Some(&errno) => Err(kernel_error(&what, errno)),
        },
    )
}
