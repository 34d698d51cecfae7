//! The kernel objects of the native network, each one rtnetlink request: the bridge (with the
//! gateway address, up), a pod's veth pair (host end on the bridge and up, the other end created
//! directly inside the pod's namespace as `eth0`), and, from inside that namespace, the pod's
//! address and default route. No `ip` or plugin process runs.

use super::rtnl::Rtnl;
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::address::AddressHeaderFlags;
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{
    InfoData, InfoKind, InfoVeth, LinkAttribute, LinkFlags, LinkInfo, LinkMessage,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, BorrowedFd};

fn by_name(name: &str) -> LinkMessage {
    let mut m = LinkMessage::default();
    m.attributes.push(LinkAttribute::IfName(name.to_string()));
    m
}

/// The index of the link called `name` in the socket's namespace and whether it is up; None when
/// there is no such link.
pub fn find(rt: &mut Rtnl, name: &str) -> io::Result<Option<(u32, bool)>> {
    match rt.get(RouteNetlinkMessage::GetLink(by_name(name))) {
        Ok(replies) => Ok(replies.into_iter().find_map(|r| match r {
            RouteNetlinkMessage::NewLink(l) => {
                Some((l.header.index, l.header.flags.contains(LinkFlags::Up)))
            }
            _ => None,
        })),
        Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The index of the link called `name`, None when there is none.
pub fn index(rt: &mut Rtnl, name: &str) -> io::Result<Option<u32>> {
    Ok(find(rt, name)?.map(|(i, _)| i))
}

/// Sets the link up.
pub fn set_up(rt: &mut Rtnl, index: u32) -> io::Result<()> {
    let mut m = LinkMessage::default();
    m.header.index = index;
    m.header.flags = LinkFlags::Up;
    m.header.change_mask = LinkFlags::Up;
    rt.change(RouteNetlinkMessage::SetLink(m), 0)
}

/// Creates a bridge; an existing one of that name is not an error (another pod raced us).
pub fn add_bridge(rt: &mut Rtnl, name: &str) -> io::Result<()> {
    let mut m = by_name(name);
    m.attributes
        .push(LinkAttribute::LinkInfo(vec![LinkInfo::Kind(
            InfoKind::Bridge,
        )]));
    match rt.change(RouteNetlinkMessage::NewLink(m), NLM_F_CREATE | NLM_F_EXCL) {
        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Ok(()),
        r => r,
    }
}

fn family(ip: IpAddr) -> AddressFamily {
    if ip.is_ipv4() {
        AddressFamily::Inet
    } else {
        AddressFamily::Inet6
    }
}

/// The addresses (with prefix lengths) of `ip`'s family on a link.
pub fn addresses(rt: &mut Rtnl, index: u32, v6: bool) -> io::Result<Vec<(IpAddr, u8)>> {
    let mut q = AddressMessage::default();
    // With strict checking (set by `Rtnl::open`) the kernel dumps this link's addresses only,
    // not every veth's link-local one; the filter below covers kernels without it.
    q.header.index = index;
    q.header.family = if v6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    let replies = rt.dump(RouteNetlinkMessage::GetAddress(q))?;
    Ok(replies
        .into_iter()
        .filter_map(|r| match r {
            RouteNetlinkMessage::NewAddress(a) if a.header.index == index => {
                a.attributes.iter().find_map(|at| match at {
                    AddressAttribute::Local(ip) | AddressAttribute::Address(ip)
                        if ip.is_ipv6() == v6 =>
                    {
                        Some((*ip, a.header.prefix_len))
                    }
                    _ => None,
                })
            }
            _ => None,
        })
        .collect())
}

/// Adds `ip/prefix` to a link; already there is not an error. IPv6 addresses skip duplicate
/// address detection (the lease says the address is ours; DAD would hold it "tentative" for
/// about a second, unusable, on every pod start).
pub fn add_address(rt: &mut Rtnl, index: u32, ip: IpAddr, prefix: u8) -> io::Result<()> {
    let mut m = AddressMessage::default();
    m.header.family = family(ip);
    m.header.prefix_len = prefix;
    m.header.index = index;
    m.attributes.push(AddressAttribute::Local(ip));
    m.attributes.push(AddressAttribute::Address(ip));
    match ip {
        IpAddr::V4(v4) => {
            let bcast = u32::from(v4) | (u32::MAX >> prefix);
            m.attributes.push(AddressAttribute::Broadcast(bcast.into()));
        }
        IpAddr::V6(_) => m.header.flags = AddressHeaderFlags::Nodad,
    }
    match rt.change(
        RouteNetlinkMessage::NewAddress(m),
        NLM_F_CREATE | NLM_F_EXCL,
    ) {
        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Ok(()),
        r => r,
    }
}

/// Creates the veth pair `host` (on `bridge`, up) and `peer`, the latter directly in the namespace
/// `netns` (so it never appears on the host under a name that could clash).
pub fn add_veth(
    rt: &mut Rtnl,
    host: &str,
    bridge: u32,
    peer: &str,
    netns: BorrowedFd<'_>,
) -> io::Result<()> {
    let mut p = by_name(peer);
    p.attributes.push(LinkAttribute::NetNsFd(netns.as_raw_fd()));
    let mut m = by_name(host);
    m.header.flags = LinkFlags::Up;
    m.header.change_mask = LinkFlags::Up;
    m.attributes.push(LinkAttribute::Controller(bridge));
    m.attributes.push(LinkAttribute::LinkInfo(vec![
        LinkInfo::Kind(InfoKind::Veth),
        LinkInfo::Data(InfoData::Veth(InfoVeth::Peer(p))),
    ]));
    rt.change(RouteNetlinkMessage::NewLink(m), NLM_F_CREATE | NLM_F_EXCL)
}

/// Deletes a link by name; one that is already gone is not an error.
pub fn delete(rt: &mut Rtnl, name: &str) -> io::Result<()> {
    match rt.change(RouteNetlinkMessage::DelLink(by_name(name)), 0) {
        Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Ok(()),
        r => r,
    }
}

/// The default route (of `gateway`'s family) via `gateway` on link `index`.
pub fn add_default_route(rt: &mut Rtnl, index: u32, gateway: IpAddr) -> io::Result<()> {
    let mut m = RouteMessage::default();
    m.header.address_family = family(gateway);
    m.header.table = RouteHeader::RT_TABLE_MAIN;
    m.header.protocol = RouteProtocol::Boot;
    m.header.scope = RouteScope::Universe;
    m.header.kind = RouteType::Unicast;
    m.attributes.push(RouteAttribute::Gateway(match gateway {
        IpAddr::V4(a) => RouteAddress::Inet(a),
        IpAddr::V6(a) => RouteAddress::Inet6(a),
    }));
    m.attributes.push(RouteAttribute::Oif(index));
    rt.change(RouteNetlinkMessage::NewRoute(m), NLM_F_CREATE | NLM_F_EXCL)
}
