//! Which networks a pod joins, as users name them: `--net=none|host|default|NAME[,NAME…]`, published
//! ports (`-p [HOSTIP:]HOSTPORT:PODPORT[/tcp|udp]`) and `--add-host NAME:IP`.
//!
//! A network NAME is the CNI configuration list `NAME.conflist` (or `NAME.conf`, `NAME.json`) in the
//! network config dir (`/etc/liftoff/net.d`). `default` is liftoff's own bridge network: a file
//! `default.conflist` there overrides it; otherwise it is the native network (`[network] default =
//! "native"`, set up by stage1 over netlink, bridge `liftoff0` on 10.66.0.0/16 unless `bridge` and
//! `subnet` say otherwise, leases in `<state root>/net/native/<bridge>`), or with `default =
//! "cni"` the built-in list below, installed on first use as `<state root>/net.d/default.conflist`
//! (so what runs can be read) and used from there. The two use different bridges and subnets, so
//! pods of both kinds can run side by side while a host switches.

use super::request::NetSettings;
use crate::config::DefaultNetwork;
use crate::store::Store;
use liftoff_contract::manifest::HostEntry;
use liftoff_contract::network::{self as cni, Network, PortMapping};
use std::path::PathBuf;

/// Where site networks live unless the config file says otherwise.
pub const DEFAULT_NET_DIR: &str = "/etc/liftoff/net.d";
/// Where CNI plugins are looked for unless the config file says otherwise (Debian's package, then
/// the upstream location).
pub const DEFAULT_PLUGIN_DIRS: &[&str] = &["/usr/lib/cni", "/opt/cni/bin"];

/// The native network's bridge and subnet unless `[network]` says otherwise (clear of podman's
/// 10.88.0.0/16 and docker's 172.17.0.0/16).
pub const NATIVE_BRIDGE: &str = "liftoff0";
pub const NATIVE_SUBNET: &str = "10.66.0.0/16";

/// The default network with `[network] default = "cni"`: bridge `liftoff-cni0` on 10.65.0.0/16,
/// outbound NAT, published ports, and the firewall plugin's forwarding rules.
pub const DEFAULT_CONFLIST: &str = r#"{
  "cniVersion": "1.0.0",
  "name": "liftoff",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "liftoff-cni0",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "10.65.0.0/16", "gateway": "10.65.0.1" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "firewall" }
  ]
}
"#;

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("--net={name}: no network of that name: looked for {looked} (none, host and default are built in)")]
    Unknown { name: String, looked: String },
    #[error("{0}")]
    Config(#[from] cni::ConfigError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

/// Loads one network by name.
pub fn load(name: &str, settings: &NetSettings, store: &Store) -> Result<Network, NetError> {
    let net_dir = settings.config_dir.as_path();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        || name.starts_with('.')
    {
        return Err(NetError::Invalid(format!(
            "--net={name}: a network name is letters, digits, '-', '_' and '.'"
        )));
    }
    let candidates: Vec<PathBuf> = ["conflist", "conf", "json"]
        .iter()
        .map(|ext| net_dir.join(format!("{name}.{ext}")))
        .collect();
    if let Some(p) = candidates.iter().find(|p| p.is_file()) {
        let io = |source| NetError::Io {
            path: p.clone(),
            source,
        };
        // Network lists name the plugins root runs: the file and every dir above it must belong
        // to root (see `owned`).
        let fd = crate::owned::open(p, "network config", crate::owned::Kind::File)
            .map_err(|e| io(std::io::Error::other(e.to_string())))?
            .ok_or_else(|| io(std::io::ErrorKind::NotFound.into()))?;
        let bytes = crate::owned::read_all(fd, p, 1 << 20).map_err(io)?;
        let text =
            String::from_utf8(bytes).map_err(|_| io(std::io::Error::other("not UTF-8 text")))?;
        return Ok(cni::parse(&text, &p.display().to_string())?);
    }
    if name == "default" && settings.default == DefaultNetwork::Native {
        return native(settings, store);
    }
    if name == "default" {
        let dir = store.root().join("net.d");
        let p = dir.join("default.conflist");
        if std::fs::read_to_string(&p).ok().as_deref() != Some(DEFAULT_CONFLIST) {
            std::fs::create_dir_all(&dir).map_err(|source| NetError::Io {
                path: dir.clone(),
                source,
            })?;
            store
                .write_atomic(&p, DEFAULT_CONFLIST.as_bytes())
                .map_err(|e| NetError::Invalid(e.to_string()))?;
        }
        return Ok(cni::parse(DEFAULT_CONFLIST, &p.display().to_string())?);
    }
    Err(NetError::Unknown {
        name: name.to_string(),
        looked: candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The native network as the settings describe it, checked as stage1 will check it.
fn native(settings: &NetSettings, store: &Store) -> Result<Network, NetError> {
    let n = Network {
        name: "default".into(),
        cni_version: "1.0.0".into(),
        plugins: Vec::new(),
        source: "the native network ([network] in the config file)".into(),
        native: Some(cni::NativeSpec {
            bridge: settings.bridge.clone(),
            subnet: settings.subnet.clone(),
            lease_dir: store.root().join("net/native").join(&settings.bridge),
            ipv6: settings.ipv6.clone(),
        }),
    };
    n.check()?;
    Ok(n)
}

/// Parses `-p [HOSTIP:]HOSTPORT:PODPORT[/tcp|udp]`.
pub fn parse_publish(s: &str) -> Result<PortMapping, NetError> {
    let bad = |why: &str| {
        NetError::Invalid(format!(
            "-p {s}: {why} (use [HOSTIP:]HOSTPORT:PODPORT[/tcp|udp], e.g. 8080:80)"
        ))
    };
    let (spec, proto) = match s.rsplit_once('/') {
        Some((a, p)) => (a, p.to_ascii_lowercase()),
        None => (s, "tcp".to_string()),
    };
    if proto != "tcp" && proto != "udp" {
        return Err(bad("the protocol is tcp or udp"));
    }
    // An IPv6 host address is written in brackets: [::1]:8080:80.
    let (host_ip, rest) = if let Some(r) = spec.strip_prefix('[') {
        let (ip, rest) = r.split_once("]:").ok_or_else(|| bad("unclosed '['"))?;
        (ip.to_string(), rest)
    } else {
        match spec.matches(':').count() {
            1 => (String::new(), spec),
            2 => {
                let (ip, rest) = spec.split_once(':').expect("two colons");
                (ip.to_string(), rest)
            }
            _ => return Err(bad("expected HOSTPORT:PODPORT")),
        }
    };
    if !host_ip.is_empty() && host_ip.parse::<std::net::IpAddr>().is_err() {
        return Err(bad(&format!("{host_ip} is not an IP address")));
    }
    let (h, c) = rest
        .split_once(':')
        .ok_or_else(|| bad("expected HOSTPORT:PODPORT"))?;
    let port = |p: &str| p.parse::<u16>().ok().filter(|n| *n > 0);
    Ok(PortMapping {
        host_port: port(h).ok_or_else(|| bad("the host port is 1-65535"))?,
        container_port: port(c).ok_or_else(|| bad("the pod port is 1-65535"))?,
        protocol: proto,
        host_ip,
    })
}

/// Parses `--add-host NAME:IP` (an IPv6 address may follow the first colon).
pub fn parse_add_host(s: &str) -> Result<HostEntry, NetError> {
    let (name, ip) = s
        .split_once(':')
        .ok_or_else(|| NetError::Invalid(format!("--add-host {s}: use NAME:IP")))?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    if !liftoff_contract::manifest::valid_domain(name) || ip.parse::<std::net::IpAddr>().is_err() {
        return Err(NetError::Invalid(format!(
            "--add-host {}: use NAME:IP with a host name (letters, digits, '-' and '.') and an IP address",
            liftoff_stage2::report::shown(s)
        )));
    }
    Ok(HostEntry {
        name: name.to_string(),
        ip: ip.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_specs() {
        let p = parse_publish("8080:80").unwrap();
        assert_eq!(
            (
                p.host_port,
                p.container_port,
                p.protocol.as_str(),
                p.host_ip.as_str()
            ),
            (8080, 80, "tcp", "")
        );
        let p = parse_publish("127.0.0.1:5353:53/udp").unwrap();
        assert_eq!(
            (p.host_ip.as_str(), p.protocol.as_str()),
            ("127.0.0.1", "udp")
        );
        let p = parse_publish("[::1]:8443:443").unwrap();
        assert_eq!(p.host_ip, "::1");
        for bad in [
            "80",
            "0:80",
            "8080:70000",
            "a:8080:80",
            "8080:80/sctp",
            "1:2:3:4",
        ] {
            assert!(parse_publish(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn add_host_specs() {
        assert_eq!(parse_add_host("db:10.0.0.5").unwrap().ip, "10.0.0.5");
        assert_eq!(parse_add_host("v6:fd00::1").unwrap().ip, "fd00::1");
        assert!(parse_add_host("db").is_err());
        assert!(parse_add_host("db:notanip").is_err());
    }

    #[test]
    fn default_network_is_native_or_cni_and_overridable() {
        let t = tempfile::tempdir().unwrap();
        let (etc, root) = (t.path().join("etc"), t.path().join("root"));
        let store = Store::open(&root).unwrap();
        let mut settings = NetSettings {
            config_dir: etc.clone(),
            ..NetSettings::default()
        };
        let n = load("default", &settings, &store).unwrap();
        let spec = n.native.as_ref().expect("native by default");
        assert_eq!(
            (spec.bridge.as_str(), spec.subnet.as_str()),
            ("liftoff0", "10.66.0.0/16")
        );
        assert_eq!(spec.lease_dir, root.join("net/native/liftoff0"));
        assert!(n.plugins.is_empty());
        // A bad subnet or bridge in the config file is refused by name.
        settings.subnet = "10.66.0.1/16".into();
        let e = load("default", &settings, &store).unwrap_err().to_string();
        assert!(
            e.contains("host bits are set") && e.contains("10.66.0.0/16"),
            "{e}"
        );
        settings.subnet = "10.66.0.0/31".into();
        assert!(load("default", &settings, &store).is_err());
        settings.subnet = NATIVE_SUBNET.into();
        settings.ipv6 = Some("2001:db8::/64".into());
        let e = load("default", &settings, &store).unwrap_err().to_string();
        assert!(e.contains("unique local"), "{e}");
        settings.ipv6 = Some("fd66::1/64".into());
        let e = load("default", &settings, &store).unwrap_err().to_string();
        assert!(e.contains("host bits"), "{e}");
        settings.ipv6 = Some("fd66::/64".into());
        assert_eq!(
            load("default", &settings, &store)
                .unwrap()
                .native
                .unwrap()
                .ipv6
                .as_deref(),
            Some("fd66::/64")
        );
        settings.ipv6 = None;
        settings.bridge = "a-bridge-name-too-long".into();
        let e = load("default", &settings, &store).unwrap_err().to_string();
        assert!(e.contains("1-15"), "{e}");
        // default = "cni": the built-in conflist, installed where it can be read.
        settings = NetSettings {
            config_dir: etc.clone(),
            default: DefaultNetwork::Cni,
            ..NetSettings::default()
        };
        let n = load("default", &settings, &store).unwrap();
        assert_eq!(n.name, "liftoff");
        assert!(n.native.is_none());
        assert!(root.join("net.d/default.conflist").is_file());
        // A site's default.conflist wins over both.
        std::fs::create_dir_all(&etc).unwrap();
        std::fs::write(
            etc.join("default.conflist"),
            r#"{"cniVersion":"0.4.0","name":"site","plugins":[{"type":"bridge"}]}"#,
        )
        .unwrap();
        assert_eq!(load("default", &settings, &store).unwrap().name, "site");
        settings.default = DefaultNetwork::Native;
        assert_eq!(load("default", &settings, &store).unwrap().name, "site");
        let e = load("backend", &settings, &store).unwrap_err().to_string();
        assert!(e.contains("backend.conflist"), "{e}");
        std::fs::write(etc.join("bad.conflist"), r#"{"name":"bad","plugins":[]}"#).unwrap();
        let e = load("bad", &settings, &store).unwrap_err().to_string();
        assert!(
            e.contains("bad.conflist") && e.contains("cniVersion"),
            "{e}"
        );
        assert!(load("../x", &settings, &store).is_err());
    }
}
