//! Tests of the firewall: encodings without root, and as root (ignored otherwise) the table,
//! batches and real traffic in network namespaces the tests create.

use super::*;
use netlink_packet_core::{ParseableParametrized, NLM_F_REQUEST};
use netlink_packet_netfilter::none::ControlMessage;
use netlink_packet_netfilter::{NetfilterMessage, NetfilterMessageInner};
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
    let m =
        NetfilterMessage::parse_with_param(replies[0].payload.as_slice(), replies[0].ty).unwrap();
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
        assert!(
            dbg.contains(
                "element 0000a046  : 0500630a 00005000 0 [end]  userdata = { \\x00\\x05podA\\x00 }"
            ),
            "{dbg}"
        );

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
