//! The nfnetlink side of the firewall: element keys, data and comments as nftables encodes them,
//! the reply parser, and the per-thread socket that sends one batch per call.

use std::cell::RefCell;
use std::io::{self};
use std::net::IpAddr;
use std::os::unix::fs::MetadataExt;

use netlink_packet_core::{
    Emitable, NetlinkMessage, ParseableParametrized, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK,
    NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_netfilter::nftables::{
    DataAttribute, ListAttribute, NfTablesMessage, SetAttribute, SetElementAttribute,
    SetElementList, SetElementMessage, SetMessage, TableAttribute, TableMessage,
};
use netlink_packet_netfilter::none::ControlMessage;
use netlink_packet_netfilter::{
    NetfilterHeader, NetfilterMessage, NetfilterMessageInner, NetfilterProtoFamily,
};
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};

use super::*;

/// `ipv4_addr . inet_service` or `ipv6_addr . inet_service`: nftables pads
/// every field of a concatenation to a 32-bit register, so the address is
/// 4 or 16 bytes and the port 2 bytes big endian plus 2 zero bytes.
pub(super) fn addr_port(ip: IpAddr, port: u16) -> Vec<u8> {
    let mut v = match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    v.extend_from_slice(&port.to_be_bytes());
    v.extend_from_slice(&[0, 0]);
    v
}

/// Inverse of [`addr_port`]; the length tells the family (8 or 20 bytes).
pub(super) fn parse_addr_port(b: &[u8]) -> Option<(IpAddr, u16)> {
    let (addr, port) = match b.len() {
        8 => b.split_at(4),
        20 => b.split_at(16),
        _ => return None,
    };
    let ip = if let Ok(a) = <[u8; 4]>::try_from(addr) {
        IpAddr::from(a)
    } else {
        IpAddr::from(<[u8; 16]>::try_from(addr).ok()?)
    };
    Some((ip, u16::from_be_bytes([port[0], port[1]])))
}

/// nftnl userdata holding one comment TLV (type, length, NUL-terminated text),
/// which is what `nft` writes and shows as `comment "..."`.
pub(super) fn comment_udata(text: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(text.len() + 3);
    v.push(UDATA_COMMENT);
    v.push((text.len() + 1).min(255) as u8);
    v.extend_from_slice(text.as_bytes());
    v.push(0);
    v
}

/// Finds the comment TLV in nftnl userdata; bounded, never panics.
pub(super) fn parse_comment_udata(mut b: &[u8]) -> Option<String> {
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

pub(super) fn check_pod(pod: &str) -> Result<(), FirewallError> {
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
pub(super) const MAPS: [(&str, Proto, bool); 4] = [
    ("tcp_ip", Proto::Tcp, true),
    ("udp_ip", Proto::Udp, true),
    ("tcp_any", Proto::Tcp, false),
    ("udp_any", Proto::Udp, false),
];

/// What is wrong with a kernel reply (the detail of `FirewallError::Malformed`).
#[derive(Debug, thiserror::Error)]
pub(super) enum Garbled {
    #[error("element of unknown map \"{0}\"")]
    UnknownMap(String),
    #[error("element of {map} without {part}")]
    Missing { map: String, part: &'static str },
    #[error("element of {map} with {len}-byte {part}")]
    Size {
        map: String,
        part: &'static str,
        len: usize,
    },
    #[error("truncated netlink header at byte {0}")]
    TruncatedHeader(usize),
    #[error("bad netlink message length {len} at byte {off}")]
    Length { len: usize, off: usize },
    #[error("short netlink error message")]
    ShortError,
}

/// Turns one dumped element of `map` back into (pod, rule).
pub(super) fn decode_element(
    map: &str,
    attrs: &[SetElementAttribute],
) -> Result<(String, PortRule), Garbled> {
    let (_, proto, specific) = MAPS
        .iter()
        .find(|(name, _, _)| *name == map)
        .copied()
        .ok_or_else(|| Garbled::UnknownMap(map.to_string()))?;
    let (mut key, mut data, mut pod) = (None, None, String::new());
    for a in attrs {
        match a {
            SetElementAttribute::Key(DataAttribute::Value(v)) => key = Some(v.as_slice()),
            SetElementAttribute::Data(DataAttribute::Value(v)) => data = Some(v.as_slice()),
            SetElementAttribute::UserData(u) => pod = parse_comment_udata(u).unwrap_or_default(),
            _ => {}
        }
    }
    let size = |part, len| Garbled::Size {
        map: map.to_string(),
        part,
        len,
    };
    let key = key.ok_or_else(|| Garbled::Missing {
        map: map.to_string(),
        part: "key",
    })?;
    let data = data.ok_or_else(|| Garbled::Missing {
        map: map.to_string(),
        part: "data",
    })?;
    let (pod_ip, pod_port) = parse_addr_port(data).ok_or_else(|| size("data", data.len()))?;
    let (host_ip, host_port) = if specific {
        let (ip, port) = parse_addr_port(key).ok_or_else(|| size("key", key.len()))?;
        (Some(ip), port)
    } else {
        // The kernel stores the 2-byte key; accept a register-padded one too.
        match key {
            [a, b] | [a, b, 0, 0] => (None, u16::from_be_bytes([*a, *b])),
            _ => return Err(size("key", key.len())),
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
pub(super) struct Reply {
    pub(super) ty: u16,
    pub(super) seq: u32,
    pub(super) payload: Vec<u8>,
}

/// Splits a datagram into netlink messages with bounds checks on every length.
pub(super) fn split_replies(buf: &[u8]) -> Result<Vec<Reply>, Garbled> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < buf.len() {
        let hdr = buf
            .get(off..off + NLMSG_HDRLEN)
            .ok_or(Garbled::TruncatedHeader(off))?;
        let len = u32::from_ne_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]) as usize;
        if len < NLMSG_HDRLEN || off + len > buf.len() {
            return Err(Garbled::Length { len, off });
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
pub(super) fn reply_errno(payload: &[u8]) -> Result<i32, Garbled> {
    let b = payload.get(..4).ok_or(Garbled::ShortError)?;
    Ok(i32::from_ne_bytes([b[0], b[1], b[2], b[3]]).saturating_neg())
}

/// Appends one serialized netlink message to `out`.
pub(super) fn emit(
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
pub(super) struct Nl {
    pub(super) sock: Socket,
    pub(super) seq: u32,
    pub(super) buf: Vec<u8>,
    /// Set after an I/O error or timeout: the socket is not reused.
    pub(super) broken: bool,
}

impl Nl {
    pub(super) fn open() -> Result<Self, FirewallError> {
        let sock = Socket::new(NETLINK_NETFILTER).map_err(FirewallError::NoNftables)?;
        // The one SO_RCVTIMEO helper, shared with the rtnetlink client.
        crate::native_net::rtnl::set_timeout(&sock, RECV_TIMEOUT).map_err(|err| {
            FirewallError::Io {
                what: "setting the netlink receive timeout".into(),
                err,
            }
        })?;
        Ok(Nl {
            sock,
            seq: 1,
            buf: vec![0; 64 * 1024],
            broken: false,
        })
    }

    /// Reserves `n` consecutive sequence numbers.
    pub(super) fn seqs(&mut self, n: usize) -> u32 {
        let base = self.seq;
        self.seq = self.seq.wrapping_add(n as u32);
        base
    }

    pub(super) fn send(&mut self, bytes: &[u8], what: &str) -> Result<(), FirewallError> {
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
    pub(super) fn recv(&mut self, what: &str) -> Result<Vec<Reply>, FirewallError> {
        let r = self.recv_datagram(what);
        self.broken |= r.is_err();
        r
    }

    pub(super) fn recv_datagram(&mut self, what: &str) -> Result<Vec<Reply>, FirewallError> {
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
            detail: detail.to_string(),
        })
    }

    /// Sends `msgs` as one nftables batch (one kernel transaction) and
    /// returns each message's errno (0 = accepted). Any non-zero entry means
    /// the kernel rolled the whole batch back.
    pub(super) fn transact(
        &mut self,
        family: Family,
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
                family.proto(),
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
                    detail: detail.to_string(),
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
    pub(super) fn query(
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
                            reply_errno(&r.payload).map_err(|g| malformed(g.to_string()))?
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

    /// Comment of table `<family> <name>`: `None` if absent, `Some(None)` if it has none.
    pub(super) fn table_comment(
        &mut self,
        family: Family,
        table: &str,
    ) -> Result<Option<Option<String>>, FirewallError> {
        let what = format!("looking up nftables table {} {table}", family.nft());
        let get = NfTablesMessage::GetTable(TableMessage {
            attributes: vec![TableAttribute::Name(table.into())],
        });
        match self.query(get, family.proto(), false, false, &what)? {
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
    pub(super) fn map_elements(
        &mut self,
        family: Family,
        table: &str,
        map: &str,
    ) -> Result<Vec<Vec<SetElementAttribute>>, FirewallError> {
        let what = format!("listing nftables map {} {table} {map}", family.nft());
        let get = NfTablesMessage::GetSetElement(SetElementMessage {
            attributes: vec![
                SetElementList::Table(table.into()),
                SetElementList::Set(map.into()),
            ],
        });
        let msgs = self.dump_of_table(get, family, &what)?;
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

    /// A dump of something in one table: nothing when the table (or the map) is not there.
    fn dump_of_table(
        &mut self,
        get: NfTablesMessage,
        family: Family,
        what: &str,
    ) -> Result<Vec<(u8, NfTablesMessage)>, FirewallError> {
        match self.query(get, family.proto(), true, false, what)? {
            Err(libc::ENOENT) => Ok(Vec::new()),
            Err(errno) => Err(kernel_error(what, errno)),
            Ok(msgs) => Ok(msgs),
        }
    }

    /// Names of the named (non-anonymous) sets of `<family> <table>`.
    pub(super) fn set_names(
        &mut self,
        family: Family,
        table: &str,
    ) -> Result<Vec<String>, FirewallError> {
        let what = format!(
            "listing the sets of nftables table {} {table}",
            family.nft()
        );
        let get = NfTablesMessage::GetSet(SetMessage {
            attributes: vec![SetAttribute::Table(table.into())],
        });
        let msgs = self.dump_of_table(get, family, &what)?;
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
pub(super) fn netns_id() -> Option<u64> {
    std::fs::metadata("/proc/thread-self/ns/net")
        .ok()
        .map(|m| m.ino())
}

/// Runs `f` with this thread's cached socket (or a new one) and puts the
/// socket back afterwards unless it saw an I/O error or timeout. Stale
/// replies left behind by an early error return are harmless: every reader
/// filters by sequence number, and sequence numbers keep increasing.
pub(super) fn with_nl<T>(
    f: impl FnOnce(&mut Nl) -> Result<T, FirewallError>,
) -> Result<T, FirewallError> {
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
