//! Published ports on the host's IPv6 loopback, relayed in user space by the supervisor: TCP ports
//! published on `[::1]`, and, on a network with IPv6, those published on every address (`-p
//! 8080:80`), so that `localhost`, which resolves to ::1 first, answers as 127.0.0.1 does.
//!
//! The kernel cannot forward them the way the native network forwards every other published port:
//! it drops DNATed packets whose source is `::1` on their way out of a non-loopback device, and
//! IPv6 has no `route_localnet`. So the supervisor listens on the very socket it reserved for the
//! port (`ports::reserve`) and relays each connection to the pod's IPv6 address. The threads live
//! while the pod's apps do: they are stopped (every socket shut down, every thread joined) before
//! the supervisor's teardown, which may fork and must do so single-threaded; a SIGKILLed
//! supervisor takes them and their sockets with it.

use crate::ports::Held;
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Connections relayed at once per pod; more wait in the listen backlog.
const MAX_CONNECTIONS: usize = 256;
/// How long reaching the pod may take before the client's connection is closed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What every thread of one pod's relays shares.
#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    next_id: AtomicU64,
    /// Both sockets of each live connection, to shut down on stop.
    conns: Mutex<HashMap<u64, (TcpStream, Option<TcpStream>)>>,
    /// Relay threads, to join on stop.
    relays: Mutex<Vec<JoinHandle<()>>>,
}

/// The running relays of one pod.
pub struct LoopbackProxies {
    shared: Arc<Shared>,
    listeners: Vec<TcpListener>,
    acceptors: Vec<JoinHandle<()>>,
}

/// Starts a relay for every reserved TCP port on `[::1]` or `[::]`, to `pod_ip` and the port's pod
/// port. On `[::]` only what the firewall leaves alone reaches the socket (::1: everything else
/// for the host's addresses is DNATed to the pod before it). None when there is nothing to relay.
pub fn start(held: &[Held], pod_ip: Option<Ipv6Addr>) -> io::Result<Option<LoopbackProxies>> {
    let wanted: Vec<&Held> = held
        .iter()
        .filter(|h| {
            h.map.protocol == "tcp"
                && (h.ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
                    || h.ip == IpAddr::V6(Ipv6Addr::UNSPECIFIED))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    let pod_ip = pod_ip.ok_or_else(|| {
        io::Error::other("-p [::1]: the pod has no IPv6 address to relay the port to")
    })?;
    let shared = Arc::new(Shared::default());
    let mut proxies = LoopbackProxies {
        shared: shared.clone(),
        listeners: Vec::new(),
        acceptors: Vec::new(),
    };
    for h in wanted {
        // The reservation is a bound socket that never listened: it becomes the listener.
        nix::sys::socket::listen(
            &h.fd,
            nix::sys::socket::Backlog::new(128).map_err(io::Error::from)?,
        )
        .map_err(io::Error::from)?;
        let listener = TcpListener::from(h.fd.try_clone()?);
        let target = SocketAddr::new(IpAddr::V6(pod_ip), h.map.container_port);
        let (l, s) = (listener.try_clone()?, shared.clone());
        proxies.acceptors.push(
            std::thread::Builder::new()
                .name("lo6-accept".into())
                .spawn(move || accept_loop(l, target, s))?,
        );
        proxies.listeners.push(listener);
    }
    Ok(Some(proxies))
}

fn accept_loop(listener: TcpListener, target: SocketAddr, shared: Arc<Shared>) {
    loop {
        let accepted = listener.accept();
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let client = match accepted {
            Ok((c, _)) => c,
            // Out of fds or memory for a moment: let the backlog hold the clients.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        let Ok(mut relays) = shared.relays.lock() else {
            return;
        };
        relays.retain(|t| !t.is_finished());
        if relays.len() >= MAX_CONNECTIONS {
            drop(client);
            continue;
        }
        let s = shared.clone();
        if let Ok(t) = std::thread::Builder::new()
            .name("lo6-relay".into())
            .spawn(move || relay(client, target, s))
        {
            relays.push(t);
        }
    }
}

/// One connection: the client's bytes to the pod and back, each direction closed when its
/// sender is done.
fn relay(client: TcpStream, target: SocketAddr, shared: Arc<Shared>) {
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let register = |server: Option<&TcpStream>| {
        if let (Ok(mut conns), Ok(c)) = (shared.conns.lock(), client.try_clone()) {
            conns.insert(id, (c, server.and_then(|s| s.try_clone().ok())));
        }
    };
    register(None);
    // stop() may have run between accept and the registration: it would not see this one.
    if shared.stop.load(Ordering::SeqCst) {
        return forget(&shared, id);
    }
    let Ok(server) = TcpStream::connect_timeout(&target, CONNECT_TIMEOUT) else {
        return forget(&shared, id);
    };
    register(Some(&server));
    if shared.stop.load(Ordering::SeqCst) {
        return forget(&shared, id);
    }
    let (Ok(mut c_read), Ok(mut s_write)) = (client.try_clone(), server.try_clone()) else {
        return forget(&shared, id);
    };
    let upstream = std::thread::spawn(move || {
        let _ = io::copy(&mut c_read, &mut s_write);
        let _ = s_write.shutdown(Shutdown::Write);
    });
    let (mut s_read, mut c_write) = (server, client);
    let _ = io::copy(&mut s_read, &mut c_write);
    let _ = c_write.shutdown(Shutdown::Write);
    let _ = upstream.join();
    forget(&shared, id);
}

fn forget(shared: &Shared, id: u64) {
    if let Ok(mut conns) = shared.conns.lock() {
        conns.remove(&id);
    }
}

impl LoopbackProxies {
    /// Stops every relay: the listeners and connections are shut down (which wakes the threads
    /// blocked on them), then every thread is joined.
    pub fn stop(self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for l in &self.listeners {
            // shutdown(2) on a listening socket wakes a thread blocked in accept(2).
            let _ = nix::sys::socket::shutdown(l.as_raw_fd(), nix::sys::socket::Shutdown::Both);
        }
        for t in self.acceptors {
            let _ = t.join();
        }
        if let Ok(conns) = self.shared.conns.lock() {
            for (c, s) in conns.values() {
                let _ = c.shutdown(Shutdown::Both);
                if let Some(s) = s {
                    let _ = s.shutdown(Shutdown::Both);
                }
            }
        }
        let relays = self
            .shared
            .relays
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default();
        for t in relays {
            let _ = t.join();
        }
    }
}
