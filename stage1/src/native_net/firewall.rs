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

use std::cell::RefCell;
use std::fmt;
use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use netlink_packet_core::{
    Emitable, NetlinkMessage, ParseableParametrized, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK,
    NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REQUEST,
};
use netlink_packet_netfilter::nftables::{
    ChainAttribute, DataAttribute, Hook, HookNumber, InetHookNumber, ListAttribute,
    NfTablesMessage, SetAttribute, SetElementAttribute, SetElementList, SetElementMessage,
    SetMessage, TableAttribute, TableMessage,
};
use netlink_packet_netfilter::none::ControlMessage;
use netlink_packet_netfilter::{
    NetfilterHeader, NetfilterMessage, NetfilterMessageInner, NetfilterProtoFamily,
};
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};

/// Production table name.
pub const TABLE: &str = "liftoff";
/// Bumped whenever the fixed ruleset changes, so [`ensure`] replaces an old
/// (empty) table instead of trusting it.
const RULESET_VERSION: u32 = 1;
/// Longest pod id stored in an element comment (nftables' comment limit is
/// 128 bytes including the NUL).
const MAX_COMMENT: usize = 127;
/// A stuck or overloaded kernel must never hang pod start/stop.
const RECV_TIMEOUT: Duration = Duration::from_secs(2);
/// nfnetlink subsystem id of nf_tables (res_id of batch begin/end).
const NFNL_SUBSYS_NFTABLES: u16 = 10;
/// nftables' userdata TLV type for comments (table and element alike).
const UDATA_COMMENT: u8 = 0;
/// Netfilter verdict code of a chain policy that drops.
const NF_DROP: u32 = 0;
/// Set flag of sets created implicitly for anonymous `{ ... }` in rules.
const NFT_SET_ANONYMOUS: u32 = 0x1;
/// Netlink message header length.
const NLMSG_HDRLEN: usize = 16;

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
    fn validate(&self) -> Result<(), FirewallError> {
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
    fn network(&self) -> Ipv4Addr {
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
    fn ruleset(&self) -> String {
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
    fn specific_ip(&self) -> Option<Ipv4Addr> {
        self.host_ip.filter(|ip| !ip.is_unspecified())
    }

    fn map(&self) -> &'static str {
        match (self.proto, self.specific_ip().is_some()) {
            (Proto::Tcp, false) => "tcp_any",
            (Proto::Udp, false) => "udp_any",
            (Proto::Tcp, true) => "tcp_ip",
            (Proto::Udp, true) => "udp_ip",
        }
    }

    fn key(&self) -> Vec<u8> {
        match self.specific_ip() {
            Some(ip) => addr_port(ip, self.host_port),
            None => self.host_port.to_be_bytes().to_vec(),
        }
    }

    fn data(&self) -> Vec<u8> {
        addr_port(self.pod_ip, self.pod_port)
    }

    /// `127.0.0.1:8080/tcp` or `8080/tcp`, as a user would write it.
    fn host_side(&self) -> String {
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
fn addr_port(ip: Ipv4Addr, port: u16) -> Vec<u8> {
    let mut v = ip.octets().to_vec();
    v.extend_from_slice(&port.to_be_bytes());
    v.extend_from_slice(&[0, 0]);
    v
}

/// Inverse of [`addr_port`].
fn parse_addr_port(b: &[u8]) -> Option<(Ipv4Addr, u16)> {
    if b.len() != 8 {
        return None;
    }
    Some((
        Ipv4Addr::new(b[0], b[1], b[2], b[3]),
        u16::from_be_bytes([b[4], b[5]]),
    ))
}

/// nftnl userdata holding one comment TLV (type, length, NUL-terminated text),
/// which is what `nft` writes and shows as `comment "..."`.
fn comment_udata(text: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(text.len() + 3);
    v.push(UDATA_COMMENT);
    v.push((text.len() + 1).min(255) as u8);
    v.extend_from_slice(text.as_bytes());
    v.push(0);
    v
}

/// Finds the comment TLV in nftnl userdata; bounded, never panics.
fn parse_comment_udata(mut b: &[u8]) -> Option<String> {
    while b.len() >= 2 {
        let (ty, len) = (b[0], usize::from(b[1]));
        let val = b.get(2..2 + len)?;
        if ty == UDATA_COMMENT {
            let end = val.iter().position(|&c| c == 0).unwrap_or(val.len());
            return Some(String::from_utf8_lossy(&val[..end]).into_owned());
        }
        b = &b[2 + len..];
    }
    None
}

fn check_pod(pod: &str) -> Result<(), FirewallError> {
    let ok = !pod.is_empty()
        && pod.len() <= MAX_COMMENT
        && pod
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if ok {
        Ok(())
    } else {
        // Escaped so control characters cannot garble the message.
        Err(FirewallError::InvalidPod(pod.escape_default().to_string()))
    }
}

/// The maps and what their keys mean, in dispatch order.
const MAPS: [(&str, Proto, bool); 4] = [
    ("tcp_ip", Proto::Tcp, true),
    ("udp_ip", Proto::Udp, true),
    ("tcp_any", Proto::Tcp, false),
    ("udp_any", Proto::Udp, false),
];

/// Turns one dumped element of `map` back into (pod, rule).
fn decode_element(map: &str, attrs: &[SetElementAttribute]) -> Result<(String, PortRule), String> {
    let (_, proto, specific) = MAPS
        .iter()
        .find(|(name, _, _)| *name == map)
        .copied()
        .ok_or_else(|| format!("element of unknown map \"{map}\""))?;
    let (mut key, mut data, mut pod) = (None, None, String::new());
    for a in attrs {
        match a {
            SetElementAttribute::Key(DataAttribute::Value(v)) => key = Some(v.as_slice()),
            SetElementAttribute::Data(DataAttribute::Value(v)) => data = Some(v.as_slice()),
            SetElementAttribute::UserData(u) => pod = parse_comment_udata(u).unwrap_or_default(),
            _ => {}
        }
    }
    let key = key.ok_or_else(|| format!("element of {map} without key"))?;
    let data = data.ok_or_else(|| format!("element of {map} without data"))?;
    let (pod_ip, pod_port) = parse_addr_port(data)
        .ok_or_else(|| format!("element of {map} with {}-byte data", data.len()))?;
    let (host_ip, host_port) = if specific {
        let (ip, port) = parse_addr_port(key)
            .ok_or_else(|| format!("element of {map} with {}-byte key", key.len()))?;
        (Some(ip), port)
    } else {
        // The kernel stores the 2-byte key; accept a register-padded one too.
        match key {
            [a, b] | [a, b, 0, 0] => (None, u16::from_be_bytes([*a, *b])),
            _ => return Err(format!("element of {map} with {}-byte key", key.len())),
        }
    };
    Ok((
        pod,
        PortRule {
            proto,
            host_ip,
            host_port,
            pod_ip,
            pod_port,
        },
    ))
}

// ---------------------------------------------------------------------------
// Netlink plumbing
// ---------------------------------------------------------------------------

/// One reply message, copied out of the receive buffer.
#[derive(Debug)]
struct Reply {
    ty: u16,
    seq: u32,
    payload: Vec<u8>,
}

/// Splits a datagram into netlink messages with bounds checks on every length.
fn split_replies(buf: &[u8]) -> Result<Vec<Reply>, String> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < buf.len() {
        let hdr = buf
            .get(off..off + NLMSG_HDRLEN)
            .ok_or_else(|| format!("truncated netlink header at byte {off}"))?;
        let len = u32::from_ne_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]) as usize;
        if len < NLMSG_HDRLEN || off + len > buf.len() {
            return Err(format!("bad netlink message length {len} at byte {off}"));
        }
        out.push(Reply {
            ty: u16::from_ne_bytes([hdr[4], hdr[5]]),
            seq: u32::from_ne_bytes([hdr[8], hdr[9], hdr[10], hdr[11]]),
            payload: buf[off + NLMSG_HDRLEN..off + len].to_vec(),
        });
        off += (len + 3) & !3;
    }
    Ok(out)
}

/// Error code of an NLMSG_ERROR/NLMSG_DONE payload, as a positive errno (0 = ack).
fn reply_errno(payload: &[u8]) -> Result<i32, String> {
    let b = payload.get(..4).ok_or("short netlink error message")?;
    Ok(i32::from_ne_bytes([b[0], b[1], b[2], b[3]]).saturating_neg())
}

/// Appends one serialized netlink message to `out`.
fn emit(
    out: &mut Vec<u8>,
    inner: NetfilterMessageInner,
    family: NetfilterProtoFamily,
    res_id: u16,
    flags: u16,
    seq: u32,
) {
    let mut msg = NetlinkMessage::from(NetfilterMessage::new(
        NetfilterHeader::new(family, 0, res_id),
        inner,
    ));
    msg.header.flags = flags;
    msg.header.sequence_number = seq;
    msg.finalize();
    let start = out.len();
    out.resize(start + msg.buffer_len(), 0);
    msg.emit(&mut out[start..]);
    out.resize((out.len() + 3) & !3, 0);
}

/// A netfilter netlink socket with a receive timeout.
struct Nl {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
    /// Set after an I/O error or timeout: the socket is not reused.
    broken: bool,
}

impl Nl {
    fn open() -> Result<Self, FirewallError> {
        let sock = Socket::new(NETLINK_NETFILTER).map_err(FirewallError::NoNftables)?;
        let tv = libc::timeval {
            tv_sec: RECV_TIMEOUT.as_secs() as libc::time_t,
            tv_usec: 0,
        };
        // SAFETY: valid fd, pointer and length of a timeval.
        let rc = unsafe {
            libc::setsockopt(
                sock.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(FirewallError::Io {
                what: "setting the netlink receive timeout".into(),
                err: io::Error::last_os_error(),
            });
        }
        Ok(Nl {
            sock,
            seq: 1,
            buf: vec![0; 64 * 1024],
            broken: false,
        })
    }

    /// Reserves `n` consecutive sequence numbers.
    fn seqs(&mut self, n: usize) -> u32 {
        let base = self.seq;
        self.seq = self.seq.wrapping_add(n as u32);
        base
    }

    fn send(&mut self, bytes: &[u8], what: &str) -> Result<(), FirewallError> {
        match self.sock.send_to(bytes, &SocketAddr::new(0, 0), 0) {
            Ok(_) => Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
                Err(FirewallError::Permission { what: what.into() })
            }
            Err(err) => {
                self.broken = true;
                Err(FirewallError::Io {
                    what: what.into(),
                    err,
                })
            }
        }
    }

    /// Receives one datagram and splits it into messages.
    fn recv(&mut self, what: &str) -> Result<Vec<Reply>, FirewallError> {
        let r = self.recv_datagram(what);
        self.broken |= r.is_err();
        r
    }

    fn recv_datagram(&mut self, what: &str) -> Result<Vec<Reply>, FirewallError> {
        let n = loop {
            match self.sock.recv(&mut &mut self.buf[..], 0) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(FirewallError::Timeout { what: what.into() })
                }
                Err(err) => {
                    return Err(FirewallError::Io {
                        what: what.into(),
                        err,
                    })
                }
            }
        };
        let data = self.buf.get(..n).ok_or_else(|| FirewallError::Malformed {
            what: what.into(),
            detail: format!("{n}-byte datagram exceeds the receive buffer"),
        })?;
        split_replies(data).map_err(|detail| FirewallError::Malformed {
            what: what.into(),
            detail,
        })
    }

    /// Sends `msgs` as one nftables batch (one kernel transaction) and
    /// returns each message's errno (0 = accepted). Any non-zero entry means
    /// the kernel rolled the whole batch back.
    fn transact(
        &mut self,
        msgs: Vec<(NfTablesMessage, u16)>,
        what: &str,
    ) -> Result<Vec<i32>, FirewallError> {
        let n = msgs.len();
        let base = self.seqs(n + 2);
        let mut out = Vec::with_capacity(128 * (n + 2));
        let ctl = |m: ControlMessage| NetfilterMessageInner::None(m);
        emit(
            &mut out,
            ctl(ControlMessage::BatchBegin),
            NetfilterProtoFamily::Unspec,
            NFNL_SUBSYS_NFTABLES,
            NLM_F_REQUEST,
            base,
        );
        for (i, (m, flags)) in msgs.into_iter().enumerate() {
            let seq = base.wrapping_add(1 + i as u32);
            emit(
                &mut out,
                m.into(),
                NetfilterProtoFamily::IPv4,
                0,
                flags | NLM_F_REQUEST | NLM_F_ACK,
                seq,
            );
        }
        let end = base.wrapping_add(n as u32 + 1);
        emit(
            &mut out,
            ctl(ControlMessage::BatchEnd),
            NetfilterProtoFamily::Unspec,
            NFNL_SUBSYS_NFTABLES,
            NLM_F_REQUEST,
            end,
        );
        self.send(&out, what)?;

        let mut status: Vec<Option<i32>> = vec![None; n];
        let mut pending = n;
        while pending > 0 {
            for r in self.recv(what)? {
                if r.ty != NLMSG_ERROR {
                    continue;
                }
                let errno = reply_errno(&r.payload).map_err(|detail| FirewallError::Malformed {
                    what: what.into(),
                    detail,
                })?;
                // Errors on the batch begin reject the whole batch (no
                // permission, commit failure); no per-message acks follow.
                if r.seq == base && errno != 0 {
                    return Err(kernel_error(what, errno));
                }
                let idx = r.seq.wrapping_sub(base).wrapping_sub(1) as usize;
                if let Some(slot @ None) = status.get_mut(idx) {
                    *slot = Some(errno);
                    pending -= 1;
                }
            }
        }
        Ok(status.into_iter().map(|s| s.unwrap_or(0)).collect())
    }

    /// A get request (`dump` = all objects) answered by NEW* messages.
    /// Returns the kernel's errno as the inner error so callers can treat
    /// ENOENT as "absent". `lenient` skips messages the parser rejects
    /// (for advisory listings of objects other tools made) instead of
    /// failing the whole request.
    fn query(
        &mut self,
        msg: NfTablesMessage,
        family: NetfilterProtoFamily,
        dump: bool,
        lenient: bool,
        what: &str,
    ) -> Result<Result<Vec<(u8, NfTablesMessage)>, i32>, FirewallError> {
        let seq = self.seqs(1);
        let flags = NLM_F_REQUEST | if dump { NLM_F_DUMP } else { NLM_F_ACK };
        let mut out = Vec::with_capacity(128);
        emit(&mut out, msg.into(), family, 0, flags, seq);
        self.send(&out, what)?;
        let malformed = |detail: String| FirewallError::Malformed {
            what: what.into(),
            detail,
        };
        let mut found = Vec::new();
        loop {
            for r in self.recv(what)? {
                if r.seq != seq {
                    continue;
                }
                match r.ty {
                    NLMSG_ERROR | NLMSG_DONE => {
                        // DONE may carry no code at all; that is success.
                        let errno = if r.payload.is_empty() {
                            0
                        } else {
                            reply_errno(&r.payload).map_err(malformed)?
                        };
                        return Ok(if errno == 0 { Ok(found) } else { Err(errno) });
                    }
                    ty => {
                        let m = match NetfilterMessage::parse_with_param(r.payload.as_slice(), ty) {
                            Ok(m) => m,
                            Err(_) if lenient => continue,
                            Err(e) => return Err(malformed(format!("message type {ty:#x}: {e}"))),
                        };
                        if let NetfilterMessageInner::NfTables(nft) = m.inner {
                            found.push((u8::from(m.header.family), nft));
                        }
                    }
                }
            }
        }
    }

    /// Comment of table `ip <name>`: `None` if absent, `Some(None)` if it has none.
    fn table_comment(&mut self, table: &str) -> Result<Option<Option<String>>, FirewallError> {
        let what = format!("looking up nftables table ip {table}");
        let get = NfTablesMessage::GetTable(TableMessage {
            attributes: vec![TableAttribute::Name(table.into())],
        });
        match self.query(get, NetfilterProtoFamily::IPv4, false, false, &what)? {
            Err(libc::ENOENT) => Ok(None),
            Err(errno) => Err(kernel_error(&what, errno)),
            Ok(msgs) => {
                for (_, m) in msgs {
                    if let NfTablesMessage::NewTable(t) = m {
                        let comment = t.attributes.iter().find_map(|a| match a {
                            TableAttribute::UserData(u) => parse_comment_udata(u),
                            _ => None,
                        });
                        return Ok(Some(comment));
                    }
                }
                Err(FirewallError::Malformed {
                    what,
                    detail: "no table in the reply".into(),
                })
            }
        }
    }

    /// Elements of one map; an absent table or map yields none.
    fn map_elements(
        &mut self,
        table: &str,
        map: &str,
    ) -> Result<Vec<Vec<SetElementAttribute>>, FirewallError> {
        let what = format!("listing nftables map ip {table} {map}");
        let get = NfTablesMessage::GetSetElement(SetElementMessage {
            attributes: vec![
                SetElementList::Table(table.into()),
                SetElementList::Set(map.into()),
            ],
        });
        let msgs = match self.query(get, NetfilterProtoFamily::IPv4, true, false, &what)? {
            Err(libc::ENOENT) => return Ok(Vec::new()),
            Err(errno) => return Err(kernel_error(&what, errno)),
            Ok(msgs) => msgs,
        };
        let mut out = Vec::new();
        for (_, m) in msgs {
            let NfTablesMessage::NewSetElement(SetElementMessage { attributes }) = m else {
                continue;
            };
            for a in attributes {
                if let SetElementList::Elements(list) = a {
                    out.extend(list.into_iter().filter_map(|e| match e {
                        ListAttribute::Element(attrs) => Some(attrs),
                        _ => None,
                    }));
                }
            }
        }
        Ok(out)
    }

    /// Names of the named (non-anonymous) sets of `ip <table>`.
    fn set_names(&mut self, table: &str) -> Result<Vec<String>, FirewallError> {
        let what = format!("listing the sets of nftables table ip {table}");
        let get = NfTablesMessage::GetSet(SetMessage {
            attributes: vec![SetAttribute::Table(table.into())],
        });
        let msgs = match self.query(get, NetfilterProtoFamily::IPv4, true, false, &what)? {
            Err(libc::ENOENT) => return Ok(Vec::new()),
            Err(errno) => return Err(kernel_error(&what, errno)),
            Ok(msgs) => msgs,
        };
        let mut names = Vec::new();
        for (_, m) in msgs {
            let NfTablesMessage::NewSet(SetMessage { attributes }) = m else {
                continue;
            };
            let mut name = None;
            let mut anonymous = false;
            let mut ours = false;
            for a in attributes {
                match a {
                    SetAttribute::Name(n) => name = Some(n),
                    SetAttribute::Table(t) => ours = t == table,
                    SetAttribute::Flags(f) => anonymous = f.bits() & NFT_SET_ANONYMOUS != 0,
                    _ => {}
                }
            }
            if let (Some(n), true, false) = (name, ours, anonymous) {
                names.push(n);
            }
        }
        Ok(names)
    }
}

thread_local! {
    /// The socket is kept open between calls: closing an nfnetlink socket
    /// waits for nf_tables' deferred destroy work (an RCU grace period,
    /// measured 15-20 ms right after deleting elements), which would
    /// otherwise dominate every remove_ports. It is per thread and tagged
    /// with the network namespace it was opened in, because a netlink socket
    /// always talks to its creation namespace and a thread may setns().
    static CACHED: RefCell<Option<(u64, Nl)>> = const { RefCell::new(None) };
}

/// Inode of this thread's network namespace; `None` without /proc, in which
/// case sockets are not cached.
fn netns_id() -> Option<u64> {
    std::fs::metadata("/proc/thread-self/ns/net")
        .ok()
        .map(|m| m.ino())
}

/// Runs `f` with this thread's cached socket (or a new one) and puts the
/// socket back afterwards unless it saw an I/O error or timeout. Stale
/// replies left behind by an early error return are harmless: every reader
/// filters by sequence number, and sequence numbers keep increasing.
fn with_nl<T>(f: impl FnOnce(&mut Nl) -> Result<T, FirewallError>) -> Result<T, FirewallError> {
    let netns = netns_id();
    let cached = CACHED.with(|c| c.borrow_mut().take());
    let mut nl = match cached {
        Some((id, nl)) if Some(id) == netns => nl,
        _ => Nl::open()?,
    };
    let result = f(&mut nl);
    if let (Some(id), false) = (netns, nl.broken) {
        CACHED.with(|c| *c.borrow_mut() = Some((id, nl)));
    }
    result
}

fn kernel_error(what: &str, errno: i32) -> FirewallError {
    match errno {
        libc::EPERM => FirewallError::Permission { what: what.into() },
        _ => FirewallError::Kernel {
            what: what.into(),
            errno,
        },
    }
}

/// Runs an nft script; only used for the fixed ruleset, never per pod.
fn nft_apply(script: &str, what: &str) -> Result<(), FirewallError> {
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

/// Problems outside liftoff's tables that would stop forwarded pod traffic,
/// each naming the culprit and the fix; empty when nothing was found. Skips
/// every `ip liftoff`/`ip liftoff_*` table. Use [`forward_blockers_for`] to
/// get fixes naming the actual bridge.
pub fn forward_blockers() -> Vec<String> {
    blockers(&|t| t == TABLE || t.starts_with("liftoff_"), "<bridge>")
}

/// [`forward_blockers`] for one network: skips its table, names its bridge.
pub fn forward_blockers_for(cfg: &FirewallConfig) -> Vec<String> {
    blockers(&|t| t == cfg.table, &cfg.bridge)
}

fn blockers(ours: &dyn Fn(&str) -> bool, br: &str) -> Vec<String> {
    let mut out = Vec::new();
    match drop_forward_chains(ours) {
        Ok(chains) => {
            for (family, table, chain) in chains {
                let fix = if family == "ip"
                    && table == "filter"
                    && chain.chars().all(|c| c.is_ascii_uppercase())
                {
                    // iptables-nft (e.g. Docker) owns this chain; use its tool.
                    format!("`iptables -I {chain} -i {br} -j ACCEPT` and `iptables -I {chain} -o {br} -j ACCEPT`")
                } else {
                    format!("`nft insert rule {family} {table} {chain} iifname \"{br}\" accept` and `nft insert rule {family} {table} {chain} oifname \"{br}\" accept`")
                };
                out.push(format!(
                    "nftables chain {family} {table} {chain} hooks forward with policy drop, so pod traffic through {br} is dropped unless that chain accepts it: run {fix}"
                ));
            }
        }
        Err(e) => out.push(format!(
            "could not inspect other nftables forward chains: {e}"
        )),
    }
    // Read per network namespace, like the chains above.
    if let Ok(names) = std::fs::read_to_string("/proc/net/ip_tables_names") {
        if names.lines().any(|l| l.trim() == "filter") {
            out.push(format!(
                "iptables-legacy has a filter table loaded (/proc/net/ip_tables_names), whose rules nftables cannot see; if its FORWARD policy is DROP (Docker sets that) pod traffic through {br} is dropped: check `iptables-legacy -S FORWARD` and run `iptables-legacy -I FORWARD -i {br} -j ACCEPT` and `iptables-legacy -I FORWARD -o {br} -j ACCEPT`"
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Helpers of the API
// ---------------------------------------------------------------------------

/// NEWSETELEM (`delete` false) or DELSETELEM message for one element.
fn elem_msg(
    table: &str,
    map: &str,
    elem: Vec<SetElementAttribute>,
    delete: bool,
) -> NfTablesMessage {
    let m = SetElementMessage {
        attributes: vec![
            SetElementList::Table(table.into()),
            SetElementList::Set(map.into()),
            SetElementList::Elements(vec![ListAttribute::Element(elem)]),
        ],
    };
    if delete {
        NfTablesMessage::DeleteSetElement(m)
    } else {
        NfTablesMessage::NewSetElement(m)
    }
}

/// Two rules that occupy the same map slot.
fn same_key(a: &PortRule, b: &PortRule) -> bool {
    a.map() == b.map() && a.key() == b.key()
}

fn elements_with(
    nl: &mut Nl,
    cfg: &FirewallConfig,
) -> Result<Vec<(String, PortRule)>, FirewallError> {
    let mut out = Vec::new();
    for (map, _, _) in MAPS {
        for attrs in nl.map_elements(&cfg.table, map)? {
            out.push(
                decode_element(map, &attrs).map_err(|detail| FirewallError::Malformed {
                    what: format!("listing nftables map ip {} {map}", cfg.table),
                    detail,
                })?,
            );
        }
    }
    Ok(out)
}

/// (family, table, chain) of forward-hook base chains with policy drop in
/// families that see IPv4 (ip, inet), except liftoff's own (`ours`).
fn drop_forward_chains(
    ours: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, String, String)>, FirewallError> {
    let what = "listing nftables chains";
    with_nl(|nl| {
        let get = NfTablesMessage::GetChain(netlink_packet_netfilter::nftables::ChainMessage {
            attributes: vec![],
        });
        let msgs = match nl.query(get, NetfilterProtoFamily::Unspec, true, true, what)? {
            Ok(m) => m,
            Err(errno) => return Err(kernel_error(what, errno)),
        };
        let mut out = Vec::new();
        for (family, m) in msgs {
            let family = match NetfilterProtoFamily::from(family) {
                NetfilterProtoFamily::IPv4 => "ip",
                NetfilterProtoFamily::Inet => "inet",
                _ => continue,
            };
            let NfTablesMessage::NewChain(c) = m else {
                continue;
            };
            let (mut table, mut name, mut forward, mut drop) =
                (String::new(), String::new(), false, false);
            for a in c.attributes {
                match a {
                    ChainAttribute::Table(t) => table = t,
                    ChainAttribute::Name(n) => name = n,
                    ChainAttribute::Policy(p) => drop = p == NF_DROP,
                    ChainAttribute::Hook(hooks) => {
                        forward = hooks.iter().any(|h| {
                            matches!(h, Hook::Number(HookNumber::Inet(InetHookNumber::Forward)))
                        })
                    }
                    _ => {}
                }
            }
            if forward && drop && !(family == "ip" && ours(&table)) {
                out.push((family.to_string(), table, name));
            }
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read};
    use std::net::{TcpStream, UdpSocket};
    use std::time::Instant;

    fn rule(
        proto: Proto,
        host_ip: Option<[u8; 4]>,
        host_port: u16,
        pod_ip: [u8; 4],
        pod_port: u16,
    ) -> PortRule {
        PortRule {
            proto,
            host_ip: host_ip.map(Ipv4Addr::from),
            host_port,
            pod_ip: Ipv4Addr::from(pod_ip),
            pod_port,
        }
    }

    // ----- unit tests (no root) -------------------------------------------

    #[test]
    fn key_and_data_encodings_match_nft() {
        // `nft --debug=netlink add element ip t tcp_any { 8080 : 10.66.0.5 . 80 }`
        // prints key 0000901f and data 0500420a 00005000 (little-endian words).
        let any = rule(Proto::Tcp, None, 8080, [10, 66, 0, 5], 80);
        assert_eq!(any.map(), "tcp_any");
        assert_eq!(any.key(), vec![0x1f, 0x90]);
        assert_eq!(any.data(), vec![10, 66, 0, 5, 0, 80, 0, 0]);
        // ... tcp_ip { 127.0.0.1 . 8080 : ... } prints key 0100007f 0000901f.
        let ip = rule(Proto::Udp, Some([127, 0, 0, 1]), 8080, [10, 66, 0, 5], 80);
        assert_eq!(ip.map(), "udp_ip");
        assert_eq!(ip.key(), vec![127, 0, 0, 1, 0x1f, 0x90, 0, 0]);
        // 0.0.0.0 is "any address".
        assert_eq!(
            rule(Proto::Udp, Some([0, 0, 0, 0]), 1, [1, 1, 1, 1], 1).map(),
            "udp_any"
        );
    }

    #[test]
    fn comment_userdata_matches_nft() {
        // nft prints `userdata = { \x00\x05podA\x00 }` for comment "podA".
        assert_eq!(comment_udata("podA"), b"\x00\x05podA\x00".to_vec());
        assert_eq!(
            parse_comment_udata(b"\x00\x05podA\x00").as_deref(),
            Some("podA")
        );
        // Other TLVs first (nft stores set key byteorder etc. the same way).
        assert_eq!(
            parse_comment_udata(b"\x01\x01\x07\x00\x03ab\x00").as_deref(),
            Some("ab")
        );
        // Truncated or empty userdata never panics.
        assert_eq!(parse_comment_udata(b"\x00\x09ab"), None);
        assert_eq!(parse_comment_udata(b"\x00"), None);
        assert_eq!(parse_comment_udata(b""), None);
    }

    #[test]
    fn pod_ids_are_checked() {
        assert!(check_pod("9f86d081884c7d65").is_ok());
        assert!(check_pod("").is_err());
        assert!(check_pod("a\"b").is_err());
        assert!(check_pod("a b").is_err());
        assert!(check_pod(&"x".repeat(128)).is_err());
        assert!(check_pod(&"x".repeat(127)).is_ok());
    }

    #[test]
    fn config_comment_and_ruleset() {
        let mut cfg = FirewallConfig::new("liftoff0", Ipv4Addr::new(10, 66, 3, 7), 16);
        assert_eq!(
            cfg.comment(),
            "liftoff native network v1 bridge=liftoff0 subnet=10.66.0.0/16"
        );
        let rs = cfg.ruleset();
        assert!(rs.starts_with("table ip liftoff {"));
        assert!(rs.contains("ip saddr 10.66.0.0/16 ip daddr != 10.66.0.0/16 masquerade"));
        assert!(rs.contains("oifname \"liftoff0\" ct status dnat ip saddr 127.0.0.0/8 masquerade"));
        cfg.validate().unwrap();
        cfg.bridge = "br\"; flush ruleset".into();
        assert!(matches!(
            cfg.validate(),
            Err(FirewallError::InvalidConfig(_))
        ));
        cfg.bridge = "liftoff0".into();
        cfg.table = "x y".into();
        assert!(cfg.validate().is_err());
        cfg.table = "t".into();
        cfg.prefix = 33;
        assert!(cfg.validate().is_err());
    }

    #[test]
    fn batch_begin_bytes_match_nft() {
        // From netlink-packet-netfilter's nlmon capture of `nft`.
        let mut out = Vec::new();
        emit(
            &mut out,
            NetfilterMessageInner::None(ControlMessage::BatchBegin),
            NetfilterProtoFamily::Unspec,
            NFNL_SUBSYS_NFTABLES,
            NLM_F_REQUEST,
            0,
        );
        assert_eq!(
            out,
            vec![0x14, 0, 0, 0, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a]
        );
    }

    /// Serializes an element message the way the kernel dumps it and checks
    /// that parsing gets the rule back.
    #[test]
    fn dumped_element_parses() {
        let r = rule(Proto::Tcp, Some([192, 0, 2, 1]), 443, [10, 66, 0, 9], 8443);
        let elem = vec![
            SetElementAttribute::Key(DataAttribute::Value(r.key())),
            SetElementAttribute::Data(DataAttribute::Value(r.data())),
            SetElementAttribute::UserData(comment_udata("pod-1")),
        ];
        let mut buf = Vec::new();
        emit(
            &mut buf,
            elem_msg("liftoff", "tcp_ip", elem, false).into(),
            NetfilterProtoFamily::IPv4,
            0,
            NLM_F_REQUEST,
            7,
        );
        let replies = split_replies(&buf).unwrap();
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0].seq, 7);
        let m = NetfilterMessage::parse_with_param(replies[0].payload.as_slice(), replies[0].ty)
            .unwrap();
        let NetfilterMessageInner::NfTables(NfTablesMessage::NewSetElement(SetElementMessage {
            attributes,
        })) = m.inner
        else {
            panic!("not a set element message")
        };
        let elems: Vec<_> = attributes
            .into_iter()
            .filter_map(|a| match a {
                SetElementList::Elements(l) => Some(l),
                _ => None,
            })
            .flatten()
            .collect();
        let ListAttribute::Element(attrs) = &elems[0] else {
            panic!("no element")
        };
        assert_eq!(
            decode_element("tcp_ip", attrs).unwrap(),
            ("pod-1".to_string(), r)
        );

        let any = [
            SetElementAttribute::Key(DataAttribute::Value(vec![0x1f, 0x90])),
            SetElementAttribute::Data(DataAttribute::Value(vec![10, 66, 0, 5, 0, 80, 0, 0])),
        ];
        let (pod, got) = decode_element("udp_any", &any).unwrap();
        assert_eq!(
            (pod.as_str(), got),
            ("", rule(Proto::Udp, None, 8080, [10, 66, 0, 5], 80))
        );
    }

    #[test]
    fn malformed_replies_are_errors_not_panics() {
        let short = [
            SetElementAttribute::Key(DataAttribute::Value(vec![1])),
            SetElementAttribute::Data(DataAttribute::Value(vec![1, 2, 3])),
        ];
        assert!(decode_element("tcp_any", &short).is_err());
        assert!(decode_element("tcp_ip", &short[..1]).is_err());
        assert!(decode_element("nope", &short).is_err());
        assert!(split_replies(&[1, 2, 3]).is_err());
        let mut bad_len = vec![0u8; 16];
        bad_len[0] = 200;
        assert!(split_replies(&bad_len).is_err());
        bad_len[0] = 3;
        assert!(split_replies(&bad_len).is_err());
        assert!(reply_errno(&[1]).is_err());
        assert_eq!(reply_errno(&(-17i32).to_ne_bytes()), Ok(17));
        // Random NLAs behind a valid nfgenmsg, for every message type we parse.
        let mut x: u32 = 99;
        for round in 0..20000u32 {
            let ty = [0x0a00u16, 0x0a03, 0x0a09, 0x0a0c][(round % 4) as usize];
            let mut b = vec![2u8, 0, 0, 0];
            for _ in 0..(round % 7) {
                x = x.wrapping_mul(1103515245).wrapping_add(12345);
                let len = 4 + (x >> 8) as usize % 24;
                let kind = ((x >> 20) as u16 % 12) | if x & 1 == 1 { 0x8000 } else { 0 };
                b.extend_from_slice(&(len as u16).to_ne_bytes());
                b.extend_from_slice(&kind.to_ne_bytes());
                for _ in 4..len {
                    x = x.wrapping_mul(1103515245).wrapping_add(12345);
                    b.push((x >> 16) as u8);
                }
            }
            let _ = NetfilterMessage::parse_with_param(b.as_slice(), ty);
        }
        // Random garbage through the whole parse path.
        let mut x: u32 = 12345;
        for _ in 0..2000 {
            let mut b = vec![0u8; (x % 80) as usize];
            for c in b.iter_mut() {
                x = x.wrapping_mul(1103515245).wrapping_add(12345);
                *c = (x >> 16) as u8;
            }
            if let Ok(rs) = split_replies(&b) {
                for r in rs {
                    let _ = NetfilterMessage::parse_with_param(r.payload.as_slice(), r.ty);
                }
            }
        }
    }

    #[test]
    fn error_texts_have_no_debug_noise() {
        let e = FirewallError::PortInUse {
            port: "8080/tcp".into(),
            owner: Some("abc".into()),
        };
        assert_eq!(e.to_string(), "host port 8080/tcp is already published by pod abc; stop that pod or choose another host port");
        let e = FirewallError::Kernel {
            what: "publishing ports of pod x".into(),
            errno: libc::EINVAL,
        };
        assert!(e.to_string().contains("Invalid argument"), "{e}");
        assert!(FirewallError::NftMissing
            .to_string()
            .contains("[network] default = \"cni\""));
    }

    // ----- root tests, each in a private network namespace ----------------

    /// Runs `f` on a thread that moved into a fresh network namespace, so the
    /// host's ruleset is never touched and everything made in there vanishes
    /// with the thread, even when `f` panics.
    fn in_netns<F: FnOnce() + Send + 'static>(f: F) {
        let h = std::thread::spawn(move || {
            // SAFETY: plain syscall; affects only this thread.
            let rc = unsafe { libc::unshare(libc::CLONE_NEWNET) };
            assert_eq!(
                rc,
                0,
                "unshare(CLONE_NEWNET): {} (run as root)",
                io::Error::last_os_error()
            );
            sh(&["ip", "link", "set", "lo", "up"]);
            f()
        });
        if let Err(p) = h.join() {
            std::panic::resume_unwind(p);
        }
    }

    /// Runs a command (in the calling thread's namespaces), panics on failure.
    fn sh(args: &[&str]) -> String {
        let out = Command::new(args[0])
            .args(&args[1..])
            .output()
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn test_cfg(bridge: &str, subnet: [u8; 4], prefix: u8) -> FirewallConfig {
        FirewallConfig {
            table: format!("liftoff_test_{}", std::process::id()),
            ..FirewallConfig::new(bridge, Ipv4Addr::from(subnet), prefix)
        }
    }

    #[test]
    #[ignore = "needs root"]
    fn root_table_and_ports_roundtrip() {
        in_netns(|| {
            let cfg = test_cfg("ltt0", [10, 99, 0, 0], 16);
            ensure(&cfg).unwrap();
            let t = Instant::now();
            ensure(&cfg).unwrap();
            println!("ensure on an existing table: {:?}", t.elapsed());
            let listed = sh(&["nft", "list", "table", "ip", &cfg.table]);
            assert!(listed.contains(&cfg.comment()), "{listed}");

            let a = [
                rule(Proto::Tcp, None, 18080, [10, 99, 0, 5], 80),
                rule(Proto::Udp, Some([127, 0, 0, 1]), 18081, [10, 99, 0, 5], 53),
            ];
            let b = [
                rule(
                    Proto::Tcp,
                    Some([127, 0, 0, 2]),
                    18080,
                    [10, 99, 0, 6],
                    8080,
                ),
                rule(Proto::Udp, None, 18082, [10, 99, 0, 6], 53),
            ];
            add_ports(&cfg, "podA", &a).unwrap();
            add_ports(&cfg, "podB", &b).unwrap();

            let mut got = elements(&cfg).unwrap();
            got.sort_by_key(|(p, r)| (p.clone(), r.host_port));
            let mut want: Vec<_> = a
                .iter()
                .map(|r| ("podA".to_string(), r.clone()))
                .chain(b.iter().map(|r| ("podB".to_string(), r.clone())))
                .collect();
            want.sort_by_key(|(p, r)| (p.clone(), r.host_port));
            assert_eq!(got, want);

            let listed = sh(&["nft", "list", "table", "ip", &cfg.table]);
            for needle in [
                "elements = { 18080 comment \"podA\" : 10.99.0.5 . 80 }",
                "elements = { 127.0.0.1 . 18081 comment \"podA\" : 10.99.0.5 . 53 }",
                "elements = { 127.0.0.2 . 18080 comment \"podB\" : 10.99.0.6 . 8080 }",
                "elements = { 18082 comment \"podB\" : 10.99.0.6 . 53 }",
            ] {
                assert!(listed.contains(needle), "missing {needle:?} in\n{listed}");
            }

            // Same bytes as elements nft itself adds (key/data words as nft prints them).
            let dbg = sh(&[
                "nft",
                "--debug=netlink",
                "list",
                "map",
                "ip",
                &cfg.table,
                "tcp_any",
            ]);
            println!("{dbg}");
            assert!(dbg.contains("element 0000a046  : 0500630a 00005000 0 [end]  userdata = { \\x00\\x05podA\\x00 }"), "{dbg}");

            // Duplicate host port: clear error, and nothing of that batch stays.
            let c = [
                rule(Proto::Tcp, None, 18090, [10, 99, 0, 7], 80),
                rule(Proto::Tcp, None, 18080, [10, 99, 0, 7], 80),
            ];
            let err = add_ports(&cfg, "podC", &c).unwrap_err();
            assert!(
                matches!(&err, FirewallError::PortInUse { port, owner: Some(o) } if port == "18080/tcp" && o == "podA"),
                "{err}"
            );
            println!("duplicate: {err}");
            assert_eq!(elements(&cfg).unwrap().len(), 4);
            assert!(!sh(&["nft", "list", "table", "ip", &cfg.table]).contains("podC"));

            // Remove, twice (gc may run twice), and with one already gone.
            remove_ports(&cfg, &a).unwrap();
            remove_ports(&cfg, &a).unwrap();
            remove_ports(&cfg, &[a[0].clone(), b[1].clone()]).unwrap();
            let left = elements(&cfg).unwrap();
            assert_eq!(left, vec![("podB".to_string(), b[0].clone())]);

            // Another subnet while ports are published: conflict, table kept.
            let other = FirewallConfig {
                subnet: Ipv4Addr::new(10, 98, 0, 0),
                ..cfg.clone()
            };
            let err = ensure(&other).unwrap_err();
            assert!(
                matches!(err, FirewallError::TableConflict { elements: 1, .. }),
                "{err}"
            );
            println!("conflict: {err}");
            remove_ports(&cfg, &b).unwrap();
            ensure(&other).unwrap();
            assert!(sh(&["nft", "list", "table", "ip", &cfg.table]).contains("subnet=10.98.0.0/16"));

            // Forward blockers: a foreign forward chain with policy drop.
            assert!(forward_blockers_for(&other)
                .iter()
                .all(|s| !s.contains("policy drop")));
            nft_apply("table ip filter {\n chain FORWARD {\n type filter hook forward priority 0; policy drop;\n }\n}\n", "test").unwrap();
            let blockers = forward_blockers_for(&other);
            println!("blockers: {blockers:#?}");
            assert!(
                blockers.iter().any(|s| s.contains("ip filter FORWARD")
                    && s.contains("iptables -I FORWARD -i ltt0 -j ACCEPT")),
                "{blockers:?}"
            );
            // Our own tables never count, even with a drop policy.
            let own = "table ip liftoff_x {\n chain f {\n type filter hook forward priority 0; policy drop;\n }\n}\n";
            nft_apply(own, "test").unwrap();
            let generic = forward_blockers();
            assert_eq!(
                generic.iter().filter(|s| s.contains("policy drop")).count(),
                1,
                "{generic:?}"
            );
            assert!(
                generic[0].contains("iptables -I FORWARD -i <bridge> -j ACCEPT"),
                "{generic:?}"
            );

            remove_table(&other).unwrap();
            remove_table(&other).unwrap();
            assert!(!sh(&["nft", "list", "tables"]).contains(&cfg.table));
            let err = add_ports(&cfg, "podA", &a).unwrap_err();
            assert!(matches!(err, FirewallError::TableMissing { .. }), "{err}");
        });
    }

    /// Kills and reaps a spawned server, and deletes named namespaces.
    struct Cleanup {
        netns: Vec<String>,
        children: Vec<std::process::Child>,
    }

    impl Drop for Cleanup {
        fn drop(&mut self) {
            for c in &mut self.children {
                let _ = c.kill();
                let _ = c.wait();
            }
            for ns in &self.netns {
                let _ = Command::new("ip").args(["netns", "del", ns]).status();
            }
        }
    }

    /// A server answering every TCP connection on :80 and every UDP datagram
    /// on :53 with "hi <peer address>".
    const SERVER: &str = r#"
import socket, select
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 80)); t.listen(16)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 53))
print("ready", flush=True)
while True:
    r, _, _ = select.select([t, u], [], [])
    if t in r:
        c, a = t.accept(); c.sendall(("hi " + a[0] + "\n").encode()); c.close()
    if u in r:
        d, a = u.recvfrom(100); u.sendto(("hi " + a[0] + "\n").encode(), a)
"#;

    /// TCP client run inside a named namespace.
    const CLIENT: &str = r#"
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
print(s.recv(100).decode().strip())
"#;

    fn tcp_get(addr: &str) -> io::Result<String> {
        let mut s = TcpStream::connect_timeout(
            &addr.parse().map_err(io::Error::other)?,
            Duration::from_secs(3),
        )?;
        s.set_read_timeout(Some(Duration::from_secs(3)))?;
        let mut out = String::new();
        s.read_to_string(&mut out)?;
        Ok(out.trim().to_string())
    }

    fn udp_get(addr: &str) -> io::Result<String> {
        let s = UdpSocket::bind("0.0.0.0:0")?;
        s.set_read_timeout(Some(Duration::from_secs(3)))?;
        s.send_to(b"x", addr)?;
        let mut buf = [0u8; 100];
        let n = s.recv(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf[..n]).trim().to_string())
    }

    /// Real traffic: host (this thread's namespace) with bridge ltbr0
    /// 10.201.0.1/24 and "public" address 192.0.2.1 towards a client
    /// namespace; a pod namespace 10.201.0.2 runs the server.
    #[test]
    #[ignore = "needs root"]
    fn root_published_ports_carry_traffic() {
        in_netns(|| traffic_scenario(true));
    }

    /// The same without br_netfilter (hosts without Docker): hairpin is then
    /// plain routing and works without hairpin mode on the port.
    #[test]
    #[ignore = "needs root"]
    fn root_published_ports_carry_traffic_without_br_netfilter() {
        in_netns(|| traffic_scenario(false));
    }

    fn traffic_scenario(br_netfilter: bool) {
        let id = format!(
            "{}{}",
            std::process::id(),
            if br_netfilter { "b" } else { "r" }
        );
        let (pod, cli) = (format!("ltpod{id}"), format!("ltcli{id}"));
        let mut guard = Cleanup {
            netns: vec![pod.clone(), cli.clone()],
            children: vec![],
        };
        sh(&["ip", "netns", "add", &pod]);
        sh(&["ip", "netns", "add", &cli]);
        for cmd in [
            "link add ltbr0 type bridge",
            "addr add 10.201.0.1/24 dev ltbr0",
            "link set ltbr0 up",
            &format!("link add ltvp type veth peer name eth0 netns {pod}"),
            "link set ltvp master ltbr0 up",
            &format!("link add ltvc type veth peer name eth0 netns {cli}"),
            "addr add 192.0.2.1/24 dev ltvc",
            "link set ltvc up",
            &format!("-n {pod} link set lo up"),
            &format!("-n {pod} addr add 10.201.0.2/24 dev eth0"),
            &format!("-n {pod} link set eth0 up"),
            &format!("-n {pod} route add default via 10.201.0.1"),
            &format!("-n {cli} link set lo up"),
            &format!("-n {cli} addr add 192.0.2.2/24 dev eth0"),
            &format!("-n {cli} link set eth0 up"),
        ] {
            let mut args = vec!["ip"];
            args.extend(cmd.split(' '));
            sh(&args);
        }
        sh(&["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
        sh(&["sysctl", "-qw", "net.ipv4.conf.ltbr0.route_localnet=1"]);
        // With br_netfilter loaded (Docker hosts), hairpin traffic DNATed
        // back to the pod it came from is bridged out of its ingress
        // port, which the bridge only allows in hairpin mode; liftoff
        // sets this on every pod port.
        // The bridge-nf sysctls only exist where br_netfilter is loaded.
        let brnf = std::path::Path::new("/proc/sys/net/bridge/bridge-nf-call-iptables").exists();
        if brnf {
            let v = if br_netfilter { "1" } else { "0" };
            sh(&[
                "sysctl",
                "-qw",
                &format!("net.bridge.bridge-nf-call-iptables={v}"),
            ]);
        }
        if br_netfilter {
            sh(&[
                "ip",
                "link",
                "set",
                "ltvp",
                "type",
                "bridge_slave",
                "hairpin",
                "on",
            ]);
        }
        println!(
            "traffic: br_netfilter loaded={brnf} enabled={}",
            brnf && br_netfilter
        );

        // Servers in the pod and on the "outside" (client namespace).
        for ns in [&pod, &cli] {
            let mut server = Command::new("ip")
                .args(["netns", "exec", ns, "/usr/bin/python3", "-c", SERVER])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let stdout = server.stdout.take().unwrap();
            guard.children.push(server);
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).unwrap();
            assert_eq!(line.trim(), "ready");
        }

        let cfg = FirewallConfig::new("ltbr0", Ipv4Addr::new(10, 201, 0, 0), 24);
        ensure(&cfg).unwrap();
        assert_eq!(forward_blockers_for(&cfg), Vec::<String>::new());
        assert_eq!(forward_blockers(), Vec::<String>::new());
        let rules = [
            rule(Proto::Tcp, None, 8080, [10, 201, 0, 2], 80),
            rule(Proto::Udp, None, 5353, [10, 201, 0, 2], 53),
            rule(Proto::Tcp, Some([127, 0, 0, 1]), 8081, [10, 201, 0, 2], 80),
        ];
        add_ports(&cfg, "podT", &rules).unwrap();
        let in_ns = |ns: &str, host: &str, port: &str| {
            sh(&[
                "ip",
                "netns",
                "exec",
                ns,
                "/usr/bin/python3",
                "-c",
                CLIENT,
                host,
                port,
            ])
            .trim()
            .to_string()
        };

        // From the host itself (output hook).
        assert_eq!(tcp_get("10.201.0.1:8080").unwrap(), "hi 10.201.0.1");
        assert_eq!(tcp_get("192.0.2.1:8080").unwrap(), "hi 192.0.2.1");
        // 127.0.0.1: needs route_localnet and the 127/8 masquerade.
        assert_eq!(tcp_get("127.0.0.1:8080").unwrap(), "hi 10.201.0.1");
        assert_eq!(tcp_get("127.0.0.1:8081").unwrap(), "hi 10.201.0.1");
        assert!(
            tcp_get("10.201.0.1:8081").is_err(),
            "8081 is published on 127.0.0.1 only"
        );
        assert_eq!(udp_get("127.0.0.1:5353").unwrap(), "hi 10.201.0.1");
        // From another machine (prerouting + forward); no SNAT needed.
        assert_eq!(in_ns(&cli, "192.0.2.1", "8080"), "hi 192.0.2.2");
        // Hairpin: the pod reaches itself through the host's addresses.
        assert_eq!(in_ns(&pod, "192.0.2.1", "8080"), "hi 10.201.0.1");
        assert_eq!(in_ns(&pod, "10.201.0.1", "8080"), "hi 10.201.0.1");
        // Outbound NAT: the pod reaches the "outside" as the host.
        assert_eq!(in_ns(&pod, "192.0.2.2", "80"), "hi 192.0.2.1");

        remove_ports(&cfg, &rules).unwrap();
        assert!(
            tcp_get("10.201.0.1:8080").is_err(),
            "port still published after remove_ports"
        );
        remove_table(&cfg).unwrap();
        drop(guard);
    }

    fn median(mut v: Vec<Duration>) -> Duration {
        v.sort();
        v[v.len() / 2]
    }

    #[test]
    #[ignore = "needs root; set LIFTOFF_BENCH=1"]
    fn root_bench_netlink_vs_nft() {
        if std::env::var("LIFTOFF_BENCH").as_deref() != Ok("1") {
            println!("skipped (set LIFTOFF_BENCH=1)");
            return;
        }
        in_netns(|| {
            let cfg = test_cfg("ltb0", [10, 97, 0, 0], 16);
            ensure(&cfg).unwrap();
            let rules = [
                rule(Proto::Tcp, None, 28080, [10, 97, 0, 5], 80),
                rule(Proto::Udp, Some([127, 0, 0, 1]), 28081, [10, 97, 0, 5], 53),
            ];
            let rounds = 200;
            let (mut nl, mut add_only) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                let t = Instant::now();
                add_ports(&cfg, "benchpod", &rules).unwrap();
                add_only.push(t.elapsed());
                remove_ports(&cfg, &rules).unwrap();
                nl.push(t.elapsed());
            }
            let t = &cfg.table;
            let add = format!("add element ip {t} tcp_any {{ 28080 comment \"benchpod\" : 10.97.0.5 . 80 }}\nadd element ip {t} udp_ip {{ 127.0.0.1 . 28081 comment \"benchpod\" : 10.97.0.5 . 53 }}\n");
            let del = format!("delete element ip {t} tcp_any {{ 28080 }}\ndelete element ip {t} udp_ip {{ 127.0.0.1 . 28081 }}\n");
            let mut nft = Vec::new();
            for _ in 0..rounds {
                let t = Instant::now();
                nft_apply(&add, "bench add").unwrap();
                nft_apply(&del, "bench delete").unwrap();
                nft.push(t.elapsed());
            }
            println!(
                "median over {rounds} rounds, 2 rules: netlink add+remove {:?} (add alone {:?}); nft -f - add+remove {:?}",
                median(nl),
                median(add_only),
                median(nft)
            );
            remove_table(&cfg).unwrap();
        });
    }
}
