//! Host ports the pod publishes (`-p`), reserved by binding them (without listening) for the pod's
//! whole life: a port in use is a clear error before anything starts, and no other process or pod
//! can take it while CNI's portmap forwards it.

use crate::cni::PortMapping;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// A published port could not be reserved.
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    #[error("-p {port}: {ip} is not an IP address")]
    BadIp { port: u16, ip: String },
    #[error("-p {}:{}/{}: port {} is already in use on the host (by another pod or program); choose another host port", .map.host_port, .map.container_port, .map.protocol, .map.host_port)]
    InUse { map: PortMapping },
    #[error("-p {}:{}/{}: {source}", .map.host_port, .map.container_port, .map.protocol)]
    Bind {
        map: PortMapping,
        source: std::io::Error,
    },
}

/// One reserved host port: the mapping, the host address it is bound on, and the socket holding it.
#[derive(Debug)]
pub struct Held {
    pub map: PortMapping,
    pub ip: IpAddr,
    pub fd: OwnedFd,
}

/// Binds every published port on the host; the returned sockets hold them until dropped. A port
/// without a host address is bound on 0.0.0.0, and with `ipv6` (the pod's network publishes on
/// IPv6 too) on [::] as well.
pub fn reserve(ports: &[PortMapping], ipv6: bool) -> Result<Vec<Held>, PortError> {
    let mut held = Vec::new();
    for p in ports {
        let ips: Vec<IpAddr> = if p.host_ip.is_empty() {
            let mut any = vec![IpAddr::V4(Ipv4Addr::UNSPECIFIED)];
            if ipv6 {
                any.push(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED));
            }
            any
        } else {
            vec![p.host_ip.parse().map_err(|_| PortError::BadIp {
                port: p.host_port,
                ip: p.host_ip.clone(),
            })?]
        };
        for ip in ips {
            held.push(Held {
                map: p.clone(),
                ip,
                fd: reserve_one(p, ip)?,
            });
        }
    }
    Ok(held)
}

/// Binds one published port on one host address.
fn reserve_one(p: &PortMapping, ip: IpAddr) -> Result<OwnedFd, PortError> {
    let addr = SocketAddr::new(ip, p.host_port);
    // An exited pod's teardown may still hold the port for ~100 ms: a short retry rides it out.
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        match bind_port(ip, addr, &p.protocol) {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => break other,
        }
    }
    .map_err(|source| match source.kind() {
        std::io::ErrorKind::AddrInUse => PortError::InUse { map: p.clone() },
        _ => PortError::Bind {
            map: p.clone(),
            source,
        },
    })
}

/// Binds one host port (TCP without listening, or UDP). An IPv6 socket is IPv6-only, so that
/// [::] and 0.0.0.0 are two reservations that do not collide.
fn bind_port(ip: IpAddr, addr: SocketAddr, protocol: &str) -> std::io::Result<OwnedFd> {
    use nix::sys::socket::{setsockopt, sockopt, SockType};
    let domain = if ip.is_ipv4() {
        nix::sys::socket::AddressFamily::Inet
    } else {
        nix::sys::socket::AddressFamily::Inet6
    };
    // A bound TCP socket that never listens: it holds the port and accepts nothing.
    let kind = if protocol == "udp" {
        SockType::Datagram
    } else {
        SockType::Stream
    };
    let fd =
        nix::sys::socket::socket(domain, kind, nix::sys::socket::SockFlag::SOCK_CLOEXEC, None)?;
    if ip.is_ipv6() {
        setsockopt(&fd, sockopt::Ipv6V6Only, &true)?;
    }
    let sa = nix::sys::socket::SockaddrStorage::from(addr);
    nix::sys::socket::bind(fd.as_raw_fd(), &sa)?;
    Ok(fd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(host_ip: &str, port: u16, protocol: &str) -> PortMapping {
        PortMapping {
            host_port: port,
            container_port: 80,
            protocol: protocol.into(),
            host_ip: host_ip.into(),
        }
    }

    #[test]
    fn a_taken_port_is_a_clear_error() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let e = reserve(&[map("127.0.0.1", port, "tcp")], false).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("-p {port}:80/tcp: port {port} is already in use on the host (by another pod or program); choose another host port")
        );
        let e = reserve(&[map("localhost", 8080, "tcp")], false).unwrap_err();
        assert_eq!(e.to_string(), "-p 8080: localhost is not an IP address");
    }

    #[test]
    fn reserved_ports_are_held_until_dropped() {
        let held = reserve(
            &[map("127.0.0.1", 0, "udp"), map("127.0.0.1", 0, "tcp")],
            false,
        )
        .unwrap();
        assert_eq!(held.len(), 2);
        // Without a host address: 0.0.0.0, and [::] too when the network has IPv6.
        let held = reserve(&[map("", 0, "tcp"), map("", 0, "udp")], true).unwrap();
        assert_eq!(held.len(), 4);
    }
}
