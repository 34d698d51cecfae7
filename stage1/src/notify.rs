//! systemd's readiness protocol (sd_notify) for `--notify`: the supervisor tells $NOTIFY_SOCKET when
//! the pod is ready, or relays one app's own notifications.
//!
//! With `--notify=app:NAME` the app gets a NOTIFY_SOCKET of its own: a datagram socket in the pod dir
//! (`notify/notify.sock`), bound into the app as `/run/liftoff/notify.sock`. What the app sends is
//! untrusted: a datagram is at most 4 KiB, must be UTF-8, and only READY=1, STOPPING=1, RELOADING=1,
//! WATCHDOG=1, STATUS= (printable, at most 1 KiB), ERRNO= and EXTEND_TIMEOUT_USEC= (digits) are
//! passed on. MAINPID=, FDSTORE= and the rest are dropped, so the unit's main pid stays the
//! supervisor and the app cannot hand systemd file descriptors.

use std::io;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

/// Datagrams relayed per wake-up of the supervisor.
const RELAY_BATCH: usize = 16;

/// Largest datagram read from an app.
pub const MAX_DATAGRAM: usize = 4096;
const MAX_STATUS: usize = 1024;

/// Where the app's socket is bound inside it.
pub const APP_SOCKET_DIR: &str = "/run/liftoff";
pub const APP_SOCKET: &str = "/run/liftoff/notify.sock";

/// Sends `msg` to $NOTIFY_SOCKET (a path, or `@name` for the abstract namespace). Without
/// NOTIFY_SOCKET there is nobody to tell: Ok.
pub fn send(msg: &str) -> io::Result<()> {
    let Some(target) = std::env::var_os("NOTIFY_SOCKET") else {
        return Ok(());
    };
    let t = target.to_string_lossy().into_owned();
    let sock = UnixDatagram::unbound()?;
    // Never block the supervisor on a busy systemd: a notification that does not fit is dropped.
    sock.set_nonblocking(true)?;
    if let Some(name) = t.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
        sock.send_to_addr(msg.as_bytes(), &addr)?;
    } else {
        sock.send_to(msg.as_bytes(), &t)?;
    }
    Ok(())
}

/// Keeps the assignments of one app datagram that may reach systemd; None if nothing is left or the
/// datagram is malformed.
pub fn filter(datagram: &[u8]) -> Option<String> {
    if datagram.len() > MAX_DATAGRAM {
        return None;
    }
    let text = std::str::from_utf8(datagram).ok()?;
    let mut kept = Vec::new();
    for line in text.split('\n').filter(|l| !l.is_empty()) {
        let (k, v) = line.split_once('=')?;
        let ok = match k {
            "READY" | "STOPPING" | "RELOADING" | "WATCHDOG" => v == "1",
            "STATUS" => v.len() <= MAX_STATUS && v.chars().all(|c| !c.is_control()),
            "ERRNO" | "EXTEND_TIMEOUT_USEC" => {
                !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit())
            }
            _ => false,
        };
        if ok {
            kept.push(line);
        }
    }
    (!kept.is_empty()).then(|| kept.join("\n"))
}

/// The app's end: a datagram socket in `<pod>/notify/`, writable by any app user.
pub struct AppSocket {
    pub sock: UnixDatagram,
    pub dir: PathBuf,
}

impl AppSocket {
    pub fn bind(pod_dir: &Path) -> io::Result<AppSocket> {
        use std::os::unix::fs::PermissionsExt;
        let dir = pod_dir.join("notify");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("notify.sock");
        let _ = std::fs::remove_file(&path);
        let sock = UnixDatagram::bind(&path)?;
        sock.set_nonblocking(true)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666))?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))?;
        Ok(AppSocket { sock, dir })
    }

    /// Reads every pending datagram and forwards what passes [`filter`]. Returns whether READY=1
    /// was among them.
    pub fn relay(&self) -> bool {
        let mut ready = false;
        let mut buf = vec![0u8; MAX_DATAGRAM + 1];
        // A bounded batch per wake-up: an app flooding its socket must not keep the supervisor
        // from its signals, timers and logs (the rest waits for the next round of poll).
        for _ in 0..RELAY_BATCH {
            let Ok(n) = self.sock.recv(&mut buf) else {
                break;
            };
            if let Some(msg) = filter(&buf[..n]) {
                ready |= msg.split('\n').any(|l| l == "READY=1");
                let _ = send(&msg);
            }
        }
        ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_assignments_pass() {
        assert_eq!(filter(b"READY=1").as_deref(), Some("READY=1"));
        assert_eq!(
            filter(b"READY=1\nSTATUS=serving 3 clients\nMAINPID=1\nFDSTORE=1").as_deref(),
            Some("READY=1\nSTATUS=serving 3 clients")
        );
        assert_eq!(filter(b"MAINPID=1"), None);
        assert_eq!(filter(b"READY=2"), None);
        assert_eq!(filter(b"STATUS=a\x1b[31mred"), None);
        assert_eq!(filter(b"garbage"), None);
        assert_eq!(filter(&[0xff, 0xfe]), None);
        assert_eq!(filter(&vec![b'a'; MAX_DATAGRAM + 1]), None);
        let long = format!("STATUS={}", "x".repeat(MAX_STATUS + 1));
        assert_eq!(filter(long.as_bytes()), None);
        assert_eq!(filter(b"ERRNO=2").as_deref(), Some("ERRNO=2"));
        assert_eq!(filter(b"ERRNO=-2"), None);
    }

    #[test]
    fn relays_to_notify_socket() {
        let d = std::env::temp_dir().join(format!("liftoff-notify-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let app = AppSocket::bind(&d).unwrap();
        let sys_path = d.join("systemd.sock");
        let sys = UnixDatagram::bind(&sys_path).unwrap();
        std::env::set_var("NOTIFY_SOCKET", &sys_path);
        let client = UnixDatagram::unbound().unwrap();
        client
            .send_to(b"READY=1\nMAINPID=1", d.join("notify/notify.sock"))
            .unwrap();
        assert!(app.relay());
        let mut b = [0u8; 64];
        let n = sys.recv(&mut b).unwrap();
        assert_eq!(&b[..n], b"READY=1");
        std::env::remove_var("NOTIFY_SOCKET");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
