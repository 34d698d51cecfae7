//! A synchronous rtnetlink client: send one request, collect its replies up to the kernel's
//! acknowledgement (or the end of a dump), and turn a negative acknowledgement into the errno it
//! carries. The crates are netavark's (netlink-packet-route, netlink-sys); stage1 has no async
//! runtime, and one request at a time is all pod setup needs.
//!
//! The socket lives in the network namespace of the thread that opened it, which is how the pod
//! side of the setup is done: a short-lived thread enters the pod's namespace and opens its own.

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use std::io;
use std::os::fd::AsRawFd;
use std::time::Duration;

/// How long one request may wait for the kernel's answer before it is given up on.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Rtnl {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
}

fn malformed(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("malformed netlink reply: {what}"),
    )
}

/// Sets `SO_RCVTIMEO`, so that a reply that never comes is an error, not a hang.
pub fn set_timeout(fd: &impl AsRawFd, t: Duration) -> io::Result<()> {
    let tv = libc::timeval {
        tv_sec: t.as_secs() as libc::time_t,
        tv_usec: t.subsec_micros() as libc::suseconds_t,
    };
    // SAFETY: a valid socket fd and a timeval of the size passed.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&tv as *const libc::timeval).cast(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl Rtnl {
    /// A socket in the calling thread's network namespace.
    pub fn open() -> io::Result<Self> {
        let mut sock = Socket::new(NETLINK_ROUTE)?;
        sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        set_timeout(&sock, REPLY_TIMEOUT)?;
        // Dumps honour the request's filters (an address dump of one link); older kernels
        // ignore the option and the callers filter themselves.
        let _ = sock.set_netlink_get_strict_chk(true);
        Ok(Rtnl {
            sock,
            seq: 0,
            buf: Vec::with_capacity(64 << 10),
        })
    }

    /// A request that changes something; `flags` adds e.g. `NLM_F_CREATE | NLM_F_EXCL`.
    pub fn change(&mut self, msg: RouteNetlinkMessage, flags: u16) -> io::Result<()> {
        self.request(msg, flags).map(drop)
    }

    /// A request for one object (`GET` without dump): its reply messages.
    pub fn get(&mut self, msg: RouteNetlinkMessage) -> io::Result<Vec<RouteNetlinkMessage>> {
        self.request(msg, 0)
    }

    /// A dump: every object of the kind asked for.
    pub fn dump(&mut self, msg: RouteNetlinkMessage) -> io::Result<Vec<RouteNetlinkMessage>> {
        self.request(msg, NLM_F_DUMP)
    }

    fn request(
        &mut self,
        msg: RouteNetlinkMessage,
        flags: u16,
    ) -> io::Result<Vec<RouteNetlinkMessage>> {
        self.seq = self.seq.wrapping_add(1);
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        header.sequence_number = self.seq;
        let mut m = NetlinkMessage::new(header, NetlinkPayload::from(msg));
        m.finalize();
        let mut out = vec![0u8; m.header.length as usize];
        m.serialize(&mut out);
        self.sock.send(&out, 0)?;
        let mut replies = Vec::new();
        loop {
            self.buf.clear();
            let n = match self.sock.recv(&mut self.buf, 0) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // SO_RCVTIMEO expired: say so, not "Resource temporarily unavailable".
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "the kernel did not answer within {} s",
                            REPLY_TIMEOUT.as_secs()
                        ),
                    ))
                }
                Err(e) => return Err(e),
            };
            let mut off = 0;
            while off < n {
                let reply = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&self.buf[off..n])
                    .map_err(malformed)?;
                let len = reply.header.length as usize;
                if len < 16 {
                    return Err(malformed("a message shorter than its header"));
                }
                off += (len + 3) & !3;
                if reply.header.sequence_number != self.seq {
                    continue; // A late reply to an earlier request.
                }
                match reply.payload {
                    NetlinkPayload::Done(_) => return Ok(replies),
                    NetlinkPayload::Error(e) => {
                        return match e.code {
                            None => Ok(replies),
                            Some(code) => Err(io::Error::from_raw_os_error(-code.get())),
                        }
                    }
                    NetlinkPayload::InnerMessage(i) => replies.push(i),
                    _ => {}
                }
            }
        }
    }
}
