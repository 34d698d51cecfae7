//! The pod's files under `<pod>/etc/` (hosts, hostname, resolv.conf), which every app gets bound in.
//!
//! Their contents are pure functions of the manifest and of the host files they derive from, so
//! they are tested without touching the host; only [`write`] and [`write_file`] do I/O, and the
//! thin wrappers [`hosts_file`] and [`pod_resolv_conf`] read the host's files for stage0.

use crate::manifest::{NetMode, PodManifest};
use std::path::{Path, PathBuf};

/// Writing one of the pod's /etc files failed.
#[derive(Debug, thiserror::Error)]
pub enum EtcError {
    #[error("creating {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes the pod's hosts, hostname and resolv.conf into `<pod>/etc/`. The pod's addresses on CNI
/// networks are known only after ADD, when `hosts` is written again.
pub fn write(pod_dir: &Path, m: &PodManifest) -> Result<(), EtcError> {
    let resolv = if !m.dns.is_empty() || !m.dns_search.is_empty() {
        resolv_conf_of(&m.dns, &m.dns_search)
    } else {
        match m.net {
            NetMode::Host => std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default(),
            NetMode::Cni => pod_resolv_conf(),
            NetMode::None => String::new(),
        }
    };
    write_file(pod_dir, m, "hosts", &hosts_file(m, &[]))?;
    write_file(pod_dir, m, "hostname", &hostname_file(m))?;
    write_file(pod_dir, m, "resolv.conf", &resolv)
}

/// Writes `<pod>/etc/<name>` atomically (apps may already have it bound in).
/// Writes one of the pod's /etc files. With --etc-writable in a remapped pod the file belongs to
/// the pod's root, who could not write a host root's file.
pub fn write_file(pod_dir: &Path, m: &PodManifest, name: &str, body: &str) -> Result<(), EtcError> {
    let etc = pod_dir.join("etc");
    std::fs::create_dir_all(&etc).map_err(|source| EtcError::CreateDir {
        path: etc.clone(),
        source,
    })?;
    let p: PathBuf = etc.join(name);
    liftoff_common::atomic::replace(&p, body.as_bytes()).map_err(|e| EtcError::Write {
        path: p.clone(),
        source: e.source,
    })?;
    match (&m.userns, m.etc_writable) {
        (Some(ids), true) => std::os::unix::fs::chown(&p, Some(ids.uid), Some(ids.gid))
            .map_err(|source| EtcError::Write { path: p, source }),
        _ => Ok(()),
    }
}

/// The pod's /etc/hostname.
pub fn hostname_file(m: &PodManifest) -> String {
    format!("{}\n", m.hostname)
}

/// A resolv.conf of the name servers and search domains given with --dns and --dns-search.
pub fn resolv_conf_of(dns: &[String], search: &[String]) -> String {
    let mut s = String::new();
    for d in dns {
        s.push_str(&format!("nameserver {d}\n"));
    }
    if !search.is_empty() {
        s.push_str(&format!("search {}\n", search.join(" ")));
    }
    s
}

/// The pod's /etc/hosts: localhost, the pod's host name on its addresses, `--add-host` entries.
pub fn hosts_file(m: &PodManifest, ips: &[String]) -> String {
    let host = match m.net {
        NetMode::Host => std::fs::read_to_string("/etc/hosts").unwrap_or_default(),
        _ => String::new(),
    };
    hosts_of(m, &host, ips)
}

/// [`hosts_file`] given the host's /etc/hosts (used only with --net=host).
pub fn hosts_of(m: &PodManifest, host_hosts: &str, ips: &[String]) -> String {
    let h = &m.hostname;
    let mut s = match m.net {
        NetMode::Host => host_hosts.to_string(),
        _ => "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n".to_string(),
    };
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    // What the user added comes first: it wins over the names below.
    for e in &m.add_hosts {
        s.push_str(&format!("{}\t{}\n", e.ip, e.name));
    }
    // Every app's name reaches it over loopback, as a compose service name does: `mariadb:3306`
    // in a config works unchanged. It comes before the host name's line, so an app named like the host name
    // (the first app's name is the default host name) resolves to 127.0.0.1 first too, the way
    // Debian resolves a host's own name to a loopback address.
    let names: Vec<&str> = m
        .apps
        .iter()
        .map(|a| a.spec.name.as_str())
        .filter(|n| *n != "localhost")
        .collect();
    // (A single app has nobody to reach by name: its pod keeps the plain layout.)
    if m.apps.len() > 1 && !names.is_empty() {
        s.push_str(&format!("127.0.0.1\t{}\n", names.join(" ")));
    }
    if ips.is_empty() {
        s.push_str(&format!("127.0.1.1\t{h}\n"));
    }
    for ip in ips {
        s.push_str(&format!("{ip}\t{h}\n"));
    }
    s
}

/// The host's resolv.conf without loopback name servers, which cannot be reached from the pod's own
/// network namespace. When only loopback servers are configured (systemd-resolved's stub), its
/// upstream list is used instead.
pub fn pod_resolv_conf() -> String {
    let etc = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let upstream = std::fs::read_to_string("/run/systemd/resolve/resolv.conf").ok();
    pod_resolv_conf_of(&etc, upstream.as_deref())
}

/// [`pod_resolv_conf`] given the host's resolv.conf and systemd-resolved's upstream one.
pub fn pod_resolv_conf_of(etc: &str, upstream: Option<&str>) -> String {
    let (s, n) = strip_loopback(etc);
    if n > 0 {
        return s;
    }
    match upstream.map(strip_loopback) {
        Some((t, kept)) if kept > 0 => t,
        _ => s,
    }
}

/// `text` without its loopback `nameserver` lines, and how many name servers are left.
fn strip_loopback(text: &str) -> (String, usize) {
    let mut kept = 0;
    let out: String = text
        .lines()
        .filter(|l| {
            let mut w = l.split_whitespace();
            if w.next() != Some("nameserver") {
                return true;
            }
            let ip = w.next().unwrap_or("");
            let lo = ip
                .parse::<std::net::IpAddr>()
                .map(|a| a.is_loopback())
                .unwrap_or(false);
            if !lo {
                kept += 1;
            }
            !lo
        })
        .map(|l| format!("{l}\n"))
        .collect();
    (out, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_drops_loopback_servers() {
        let etc = "nameserver 127.0.0.53\noptions edns0\n";
        assert_eq!(pod_resolv_conf_of(etc, None), "options edns0\n");
        assert_eq!(
            pod_resolv_conf_of(etc, Some("nameserver 9.9.9.9\n")),
            "nameserver 9.9.9.9\n"
        );
        assert_eq!(
            pod_resolv_conf_of("nameserver 1.1.1.1\nnameserver ::1\n", Some("x")),
            "nameserver 1.1.1.1\n"
        );
    }

    #[test]
    fn hosts_name_the_pod_on_its_addresses() {
        let mut m = crate::test_support::manifest(NetMode::Cni);
        m.add_hosts = vec![crate::manifest::HostEntry {
            name: "db".into(),
            ip: "10.0.0.9".into(),
        }];
        let lo = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
        assert_eq!(
            hosts_of(&m, "ignored", &[]),
            format!("{lo}10.0.0.9\tdb\n127.0.1.1\tweb\n")
        );
        assert_eq!(
            hosts_of(&m, "", &["10.88.0.2".into()]),
            format!("{lo}10.0.0.9\tdb\n10.88.0.2\tweb\n")
        );
        m.net = NetMode::Host;
        m.add_hosts.clear();
        assert_eq!(
            hosts_of(&m, "127.0.0.1 h", &[]),
            "127.0.0.1 h\n127.0.1.1\tweb\n"
        );
        assert_eq!(hostname_file(&m), "web\n");
    }

    #[test]
    fn app_names_resolve_to_loopback() {
        let mut m = crate::test_support::manifest(NetMode::Cni);
        for n in ["mariadb", "memcached"] {
            let mut a = m.apps[0].clone();
            a.spec.name = n.into();
            m.apps.push(a);
        }
        let lo = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
        // `web` is also the host name: 127.0.0.1 comes first, the pod's address after.
        assert_eq!(
            hosts_of(&m, "", &["10.66.0.2".into()]),
            format!("{lo}127.0.0.1\tweb mariadb memcached\n10.66.0.2\tweb\n")
        );
    }

    #[test]
    fn resolv_conf_of_flags() {
        assert_eq!(
            resolv_conf_of(&["1.1.1.1".into()], &["a.b".into(), "c".into()]),
            "nameserver 1.1.1.1\nsearch a.b c\n"
        );
        assert_eq!(resolv_conf_of(&[], &[]), "");
    }
}
