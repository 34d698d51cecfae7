//! Tests of the firewall: encodings without root, and as root (ignored otherwise) the table,
//! batches and real traffic in network namespaces the tests create.

use super::*;
use netlink_packet_core::{ParseableParametrized, NLM_F_REQUEST};
use netlink_packet_netfilter::none::ControlMessage;
use netlink_packet_netfilter::{NetfilterMessage, NetfilterMessageInner};
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpStream, UdpSocket};
use std::time::Instant;

/// A rule of either family: `[u8; 4]` or `Ipv4Addr` for IPv4, `Ipv6Addr` for IPv6.
fn rule<A: Into<IpAddr>>(
    proto: Proto,
    host_ip: Option<A>,
    host_port: u16,
    pod_ip: A,
    pod_port: u16,
) -> PortRule {
    PortRule {
        proto,
        host_ip: host_ip.map(Into::into),
        host_port,
        pod_ip: pod_ip.into(),
        pod_port,
    }
}

/// An IPv6 address literal of a test.
fn v6(s: &str) -> Ipv6Addr {
    s.parse().expect("test address")
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
        "liftoff native network v2 bridge=liftoff0 subnet=10.66.0.0/16"
    );
    let rs = cfg.ruleset();
    assert!(rs.starts_with("table ip liftoff {"));
    assert!(rs.contains("ip saddr 10.66.0.0/16 ip daddr != 10.66.0.0/16 masquerade"));
    assert!(rs.contains("oifname \"liftoff0\" ct status dnat ip saddr 127.0.0.0/8 masquerade"));
    assert!(rs.contains("iifname != \"lo\" ip daddr 127.0.0.0/8 drop"));
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
    assert_eq!(reply_errno(&(-17i32).to_ne_bytes()).unwrap(), 17);
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
    assert_eq!(e.to_string(), "host port 8080/tcp is already published by pod abc; stop that pod (or run `liftoff gc` if it is no longer running) or choose another host port");
    let e = FirewallError::Kernel {
        what: "publishing ports of pod x".into(),
        errno: libc::EINVAL,
    };
    assert!(e.to_string().contains("Invalid argument"), "{e}");
    assert!(FirewallError::NftMissing
        .to_string()
        .contains("[network] default = \"cni\""));
}

// ----- IPv6 unit tests (no root) --------------------------------------

#[test]
fn v6_key_and_data_encodings_match_nft() {
    // `nft --debug=netlink add element ip6 t tcp_any { 8080 : fd00:66::5 . 80 }`
    // prints key 0000901f and data 660000fd 00000000 00000000 05000000 00005000.
    let any = rule(Proto::Tcp, None, 8080, v6("fd00:66::5"), 80);
    assert_eq!(any.map(), "tcp_any");
    assert_eq!(any.key(), vec![0x1f, 0x90]);
    let mut pod = vec![0xfd, 0, 0, 0x66];
    pod.extend_from_slice(&[0; 11]);
    pod.push(5);
    let mut data = pod.clone();
    data.extend_from_slice(&[0, 80, 0, 0]);
    assert_eq!(any.data(), data);
    // ... udp_ip { 2001:db8::1 . 8080 : fd00:66::5 . 53 } prints key
    // b80d0120 00000000 00000000 01000000 0000901f.
    let ip = rule(
        Proto::Udp,
        Some(v6("2001:db8::1")),
        8080,
        v6("fd00:66::5"),
        53,
    );
    assert_eq!(ip.map(), "udp_ip");
    let mut key = vec![0x20, 0x01, 0x0d, 0xb8];
    key.extend_from_slice(&[0; 11]);
    key.extend_from_slice(&[1, 0x1f, 0x90, 0, 0]);
    assert_eq!(ip.key(), key);
    assert_eq!(ip.key().len(), 20);
    // :: is "any address", like 0.0.0.0.
    assert_eq!(
        rule(Proto::Udp, Some(Ipv6Addr::UNSPECIFIED), 1, v6("fd00::1"), 1).map(),
        "udp_any"
    );
    assert_eq!(
        parse_addr_port(&ip.key()),
        Some((v6("2001:db8::1").into(), 8080))
    );
    assert_eq!(parse_addr_port(&key[..19]), None);
}

/// The IPv6 script, verbatim: `nft -f` accepted it and `nft list table ip6`
/// printed these rules back unchanged (nft 1.0.6).
const RULESET6: &str = r#"table ip6 liftoff {
	comment "liftoff native network v2 family=ip6 bridge=liftoff0 subnet=fd00:66::/64"
	map tcp_any { type inet_service : ipv6_addr . inet_service; }
	map udp_any { type inet_service : ipv6_addr . inet_service; }
	map tcp_ip { type ipv6_addr . inet_service : ipv6_addr . inet_service; }
	map udp_ip { type ipv6_addr . inet_service : ipv6_addr . inet_service; }
	chain published {
		dnat ip6 to ip6 daddr . tcp dport map @tcp_ip
		dnat ip6 to ip6 daddr . udp dport map @udp_ip
		dnat ip6 to tcp dport map @tcp_any
		dnat ip6 to udp dport map @udp_any
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump published
	}
	chain output {
		type nat hook output priority -100; policy accept;
		ip6 daddr != ::1 fib daddr type local jump published
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip6 saddr fd00:66::/64 ip6 daddr != fd00:66::/64 masquerade
		oifname "liftoff0" ct status dnat ip6 saddr fd00:66::/64 masquerade
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "liftoff0" ip6 saddr != { fd00:66::/64, fe80::/10, ::/128 } drop
		oifname "liftoff0" ct status dnat accept
		oifname "liftoff0" iifname != "liftoff0" ct state != { established, related } drop
		iifname "liftoff0" accept
		oifname "liftoff0" accept
	}
}
"#;

#[test]
fn v6_config_comment_and_ruleset() {
    let mut cfg = FirewallConfig::new("liftoff0", v6("fd00:66::1:2"), 64);
    assert_eq!(cfg.family(), Family::Ipv6);
    assert_eq!(
        cfg.comment(),
        "liftoff native network v2 family=ip6 bridge=liftoff0 subnet=fd00:66::/64"
    );
    assert_eq!(cfg.ruleset(), RULESET6);
    // No IPv4 leftovers: no `ip saddr`, no 127/8; ::1 only where it is kept out of DNAT.
    assert!(!cfg.ruleset().contains(" ip "));
    assert!(!cfg.ruleset().contains("127."));
    assert_eq!(cfg.ruleset().matches("::1").count(), 1);
    assert!(cfg
        .ruleset()
        .contains("ip6 daddr != ::1 fib daddr type local jump published"));
    cfg.validate().unwrap();
    for (prefix, ok) in [
        (63, false),
        (64, true),
        (120, true),
        (121, false),
        (128, false),
    ] {
        cfg.prefix = prefix;
        assert_eq!(cfg.validate().is_ok(), ok, "/{prefix}");
    }
    cfg.prefix = 120;
    assert_eq!(cfg.network(), IpAddr::from(v6("fd00:66::1:0")));
    // An IPv4-mapped subnet is IPv4 on the wire: refused, not an ip6 table.
    cfg.subnet = v6("::ffff:10.0.0.0").into();
    let err = cfg.validate().unwrap_err();
    assert!(err.to_string().contains("IPv4-mapped"), "{err}");
    // The IPv4 comment is unchanged, so existing tables are recognized.
    let v4 = FirewallConfig::new("liftoff0", Ipv4Addr::new(10, 66, 0, 0), 16);
    assert_eq!(v4.family(), Family::Ipv4);
    assert!(!v4.comment().contains("family"));
}

#[test]
fn v6_rules_of_the_wrong_family_or_on_loopback_are_refused() {
    let cfg6 = FirewallConfig::new("ltt6", v6("fd00:99::"), 64);
    let cfg4 = FirewallConfig::new("ltt0", Ipv4Addr::new(10, 99, 0, 0), 16);
    let good6 = rule(Proto::Tcp, Some(v6("fd00:98::1")), 80, v6("fd00:99::5"), 80);
    good6.check(&cfg6).unwrap();
    rule(Proto::Tcp, None, 80, [10, 99, 0, 5], 80)
        .check(&cfg4)
        .unwrap();

    // IPv4 pod address on the IPv6 network, and the other way round.
    let mixed = PortRule {
        pod_ip: Ipv4Addr::new(10, 99, 0, 5).into(),
        ..good6.clone()
    };
    let err = mixed.check(&cfg6).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot publish [fd00:98::1]:80/tcp -> 10.99.0.5:80: 10.99.0.5 is an IPv4 address but the network fd00:99::/64 is IPv6; publish each port on the network of its address family"
    );
    assert!(matches!(
        good6.check(&cfg4),
        Err(FirewallError::AddressFamily { .. })
    ));
    // 0.0.0.0 ("any IPv4 address") and IPv4-mapped addresses are IPv4 too.
    let any4 = PortRule {
        host_ip: Some(Ipv4Addr::UNSPECIFIED.into()),
        ..good6.clone()
    };
    assert!(matches!(
        any4.check(&cfg6),
        Err(FirewallError::AddressFamily { .. })
    ));
    let mapped = PortRule {
        host_ip: Some(v6("::ffff:192.0.2.1").into()),
        ..good6.clone()
    };
    assert!(matches!(
        mapped.check(&cfg6),
        Err(FirewallError::AddressFamily { .. })
    ));

    // ::1 cannot work on IPv6; the text says why and what to do instead.
    let lo = PortRule {
        host_ip: Some(Ipv6Addr::LOCALHOST.into()),
        ..good6.clone()
    };
    let err = lo.check(&cfg6).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, FirewallError::Ipv6Loopback { .. }), "{text}");
    assert!(text.starts_with("cannot publish [::1]:80/tcp on the IPv6 loopback address"));
    assert!(
        text.contains("route_localnet") && text.contains("IPv4 127.0.0.1"),
        "{text}"
    );

    // add_ports refuses before opening a socket (so this needs no root),
    // and remove_ports refuses the wrong family but not ::1.
    assert!(matches!(
        add_ports(&cfg6, "pod", &[good6.clone(), lo.clone()]),
        Err(FirewallError::Ipv6Loopback { .. })
    ));
    assert!(matches!(
        add_ports(&cfg6, "pod", std::slice::from_ref(&mixed)),
        Err(FirewallError::AddressFamily { .. })
    ));
    assert!(matches!(
        remove_ports(&cfg6, &[mixed]),
        Err(FirewallError::AddressFamily { .. })
    ));
    for e in [
        lo.check(&cfg6).unwrap_err(),
        good6.check(&cfg4).unwrap_err(),
    ] {
        let s = e.to_string();
        assert!(
            !s.contains("Ipv") && !s.contains('{') && !s.contains("Some("),
            "{s}"
        );
    }
}

#[test]
fn v6_dumped_element_parses_and_displays() {
    let r = rule(
        Proto::Udp,
        Some(v6("2001:db8::1")),
        53,
        v6("fd00:66::9"),
        5353,
    );
    assert_eq!(r.to_string(), "[2001:db8::1]:53/udp -> [fd00:66::9]:5353");
    let elem = [
        SetElementAttribute::Key(DataAttribute::Value(r.key())),
        SetElementAttribute::Data(DataAttribute::Value(r.data())),
        SetElementAttribute::UserData(comment_udata("pod-6")),
    ];
    assert_eq!(
        decode_element("udp_ip", &elem).unwrap(),
        ("pod-6".to_string(), r.clone())
    );
    let any = [
        SetElementAttribute::Key(DataAttribute::Value(vec![0x1f, 0x90])),
        SetElementAttribute::Data(DataAttribute::Value(r.data())),
    ];
    let (_, got) = decode_element("tcp_any", &any).unwrap();
    assert_eq!(got, rule(Proto::Tcp, None, 8080, v6("fd00:66::9"), 5353));
    // A 16-byte address without the port register is malformed, not a panic.
    let short = [
        SetElementAttribute::Key(DataAttribute::Value(vec![0x1f, 0x90])),
        SetElementAttribute::Data(DataAttribute::Value(vec![0; 16])),
    ];
    assert!(decode_element("tcp_any", &short).is_err());
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

fn test_cfg(bridge: &str, subnet: impl Into<IpAddr>, prefix: u8) -> FirewallConfig {
    FirewallConfig {
        table: format!("liftoff_test_{}", std::process::id()),
        ..FirewallConfig::new(bridge, subnet, prefix)
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
            subnet: Ipv4Addr::new(10, 98, 0, 0).into(),
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

#[test]
#[ignore = "needs root"]
fn root_v6_table_and_ports_roundtrip() {
    in_netns(|| {
        let cfg = test_cfg("ltt6", v6("fd00:99::"), 64);
        // Same table name in the ip family: the two must never interfere.
        let cfg4 = test_cfg("ltt6", [10, 99, 0, 0], 16);
        ensure(&cfg).unwrap();
        ensure(&cfg).unwrap();
        ensure(&cfg4).unwrap();
        let listed = sh(&["nft", "list", "table", "ip6", &cfg.table]);
        assert!(listed.contains(&cfg.comment()), "{listed}");
        assert!(
            listed.contains("dnat ip6 to ip6 daddr . tcp dport map @tcp_ip"),
            "{listed}"
        );
        assert!(!listed.contains("127.0.0.0/8"), "{listed}");

        let a = [
            rule(Proto::Tcp, None, 18080, v6("fd00:99::5"), 80),
            rule(
                Proto::Udp,
                Some(v6("2001:db8::1")),
                18081,
                v6("fd00:99::5"),
                53,
            ),
        ];
        let b = [
            rule(
                Proto::Tcp,
                Some(v6("2001:db8::2")),
                18080,
                v6("fd00:99::6"),
                8080,
            ),
            rule(Proto::Udp, None, 18082, v6("fd00:99::6"), 53),
        ];
        let a4 = [rule(Proto::Tcp, None, 18080, [10, 99, 0, 5], 80)];
        add_ports(&cfg, "podA", &a).unwrap();
        add_ports(&cfg, "podB", &b).unwrap();
        // Same host port in the other family's table: no conflict.
        add_ports(&cfg4, "podA4", &a4).unwrap();

        let mut got = elements(&cfg).unwrap();
        got.sort_by_key(|(p, r)| (p.clone(), r.host_port));
        let mut want: Vec<_> = a
            .iter()
            .map(|r| ("podA".to_string(), r.clone()))
            .chain(b.iter().map(|r| ("podB".to_string(), r.clone())))
            .collect();
        want.sort_by_key(|(p, r)| (p.clone(), r.host_port));
        assert_eq!(got, want);
        assert_eq!(
            elements(&cfg4).unwrap(),
            vec![("podA4".to_string(), a4[0].clone())]
        );

        // nft shows exactly what was added, and nothing else.
        let listed = sh(&["nft", "list", "table", "ip6", &cfg.table]);
        let needles = [
            "elements = { 18080 comment \"podA\" : fd00:99::5 . 80 }",
            "elements = { 2001:db8::1 . 18081 comment \"podA\" : fd00:99::5 . 53 }",
            "elements = { 2001:db8::2 . 18080 comment \"podB\" : fd00:99::6 . 8080 }",
            "elements = { 18082 comment \"podB\" : fd00:99::6 . 53 }",
        ];
        for needle in needles {
            assert!(listed.contains(needle), "missing {needle:?} in\n{listed}");
        }
        assert_eq!(listed.matches("elements = ").count(), 4, "{listed}");
        assert!(!listed.contains("podA4"), "{listed}");

        // Same bytes as elements nft itself adds (key/data words as nft prints them).
        let dbg = sh(&[
            "nft",
            "--debug=netlink",
            "list",
            "map",
            "ip6",
            &cfg.table,
            "udp_ip",
        ]);
        println!("{dbg}");
        assert!(
            dbg.contains(
                "element b80d0120 00000000 00000000 01000000 0000a146  : 990000fd 00000000 00000000 05000000 00003500 0 [end]  userdata = { \\x00\\x05podA\\x00 }"
            ),
            "{dbg}"
        );
        v6_nft_elements_and_refusals(&cfg);
        let t = &cfg.table;

        // Remove, twice, and with one already gone.
        remove_ports(&cfg, &a).unwrap();
        remove_ports(&cfg, &a).unwrap();
        remove_ports(&cfg, &[a[0].clone(), b[1].clone()]).unwrap();
        assert_eq!(
            elements(&cfg).unwrap(),
            vec![("podB".to_string(), b[0].clone())]
        );

        // Another subnet while ports are published: conflict, table kept.
        let other = FirewallConfig {
            subnet: v6("fd00:98::").into(),
            ..cfg.clone()
        };
        let err = ensure(&other).unwrap_err();
        assert!(
            matches!(
                err,
                FirewallError::TableConflict {
                    family: "ip6",
                    elements: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().starts_with("nftables table ip6 "), "{err}");
        remove_ports(&cfg, &b).unwrap();
        ensure(&other).unwrap();
        assert!(sh(&["nft", "list", "table", "ip6", t]).contains("subnet=fd00:98::/64"));

        v6_forward_blockers(&other, &cfg4);

        // Removing the ip6 table leaves the ip one (and its element) alone.
        remove_table(&other).unwrap();
        remove_table(&other).unwrap();
        assert!(sh(&["nft", "list", "table", "ip", t]).contains("podA4"));
        let err = add_ports(&cfg, "podA", &a).unwrap_err();
        assert!(
            matches!(err, FirewallError::TableMissing { family: "ip6", .. }),
            "{err}"
        );
        remove_table(&cfg4).unwrap();
        assert!(!sh(&["nft", "list", "tables"]).contains(t.as_str()));
    });
}

/// Elements nft adds decode to the same rules; a taken host port and ::1
/// are refused without leaving anything of their batch behind.
fn v6_nft_elements_and_refusals(cfg: &FirewallConfig) {
    // And elements nft adds decode to the same rules.
    let t = &cfg.table;
    nft_apply(
        &format!("add element ip6 {t} tcp_any {{ 18099 comment \"podN\" : fd00:99::7 . 99 }}\n"),
        "test",
    )
    .unwrap();
    assert!(elements(cfg).unwrap().contains(&(
        "podN".to_string(),
        rule(Proto::Tcp, None, 18099, v6("fd00:99::7"), 99)
    )));
    remove_ports(cfg, &[rule(Proto::Tcp, None, 18099, v6("fd00:99::7"), 99)]).unwrap();

    // Duplicate host port: clear error, and nothing of that batch stays.
    let c = [
        rule(Proto::Tcp, None, 18090, v6("fd00:99::7"), 80),
        rule(
            Proto::Tcp,
            Some(v6("2001:db8::2")),
            18080,
            v6("fd00:99::7"),
            80,
        ),
    ];
    let err = add_ports(cfg, "podC", &c).unwrap_err();
    assert!(
        matches!(&err, FirewallError::PortInUse { port, owner: Some(o) } if port == "[2001:db8::2]:18080/tcp" && o == "podB"),
        "{err}"
    );
    println!("duplicate: {err}");
    assert_eq!(elements(cfg).unwrap().len(), 4);
    // ::1 is refused and leaves nothing behind.
    let lo = [rule(
        Proto::Tcp,
        Some(Ipv6Addr::LOCALHOST),
        18095,
        v6("fd00:99::7"),
        80,
    )];
    assert!(matches!(
        add_ports(cfg, "podC", &lo),
        Err(FirewallError::Ipv6Loopback { .. })
    ));
    assert!(!sh(&["nft", "list", "table", "ip6", t]).contains("podC"));
}

/// Forward blockers per family: `ip6`/`inet` chains and ip6tables-legacy
/// for IPv6, never the `ip` ones (and the other way round).
fn v6_forward_blockers(cfg6: &FirewallConfig, cfg4: &FirewallConfig) {
    assert!(
        forward_blockers_for(cfg6).is_empty(),
        "{:?}",
        forward_blockers_for(cfg6)
    );
    let drop_chain = |fam: &str, table: &str, chain: &str| {
        format!("table {fam} {table} {{\n chain {chain} {{\n type filter hook forward priority 0; policy drop;\n }}\n}}\n")
    };
    // An IPv4-only drop is no problem for IPv6, and vice versa.
    nft_apply(&drop_chain("ip", "filter", "FORWARD"), "test").unwrap();
    assert!(
        forward_blockers_for(cfg6).is_empty(),
        "{:?}",
        forward_blockers_for(cfg6)
    );
    nft_apply(&drop_chain("ip6", "filter", "FORWARD"), "test").unwrap();
    nft_apply(&drop_chain("inet", "fw", "fwdrop"), "test").unwrap();
    // Our own ip6 table never counts, even with a drop policy.
    nft_apply(&drop_chain("ip6", &cfg6.table, "f"), "test").unwrap();
    let b6 = forward_blockers_for(cfg6);
    println!("v6 blockers: {b6:#?}");
    assert_eq!(b6.len(), 2, "{b6:?}");
    assert!(b6.iter().any(|s| s.contains("chain ip6 filter FORWARD")
        && s.contains("IPv6 pod traffic through ltt6")
        && s.contains("`ip6tables -I FORWARD -i ltt6 -j ACCEPT`")));
    assert!(b6.iter().any(|s| s.contains("chain inet fw fwdrop")
        && s.contains("`nft insert rule inet fw fwdrop iifname \"ltt6\" accept`")));
    let b4 = forward_blockers_for(cfg4);
    assert_eq!(b4.len(), 2, "{b4:?}");
    assert!(b4.iter().any(|s| s.contains("chain ip filter FORWARD")));
    assert!(b4.iter().all(|s| !s.contains("ip6")), "{b4:?}");
    nft_apply(
        "delete table ip filter\ndelete table ip6 filter\ndelete table inet fw\n",
        "test",
    )
    .unwrap();
    nft_apply(&format!("delete chain ip6 {} f\n", cfg6.table), "test").unwrap();
    assert!(forward_blockers_for(cfg6).is_empty());

    // ip6tables-legacy: listing its filter table loads it in this namespace.
    sh(&["ip6tables-legacy", "-S", "FORWARD"]);
    let b6 = forward_blockers_for(cfg6);
    println!("v6 legacy: {b6:#?}");
    assert!(
        b6.len() == 1
            && b6[0].contains("/proc/net/ip6_tables_names")
            && b6[0].contains("`ip6tables-legacy -I FORWARD -i ltt6 -j ACCEPT`"),
        "{b6:?}"
    );
    assert!(forward_blockers_for(cfg4)
        .iter()
        .all(|s| !s.contains("ip6")));
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
/// on :53 with "hi <peer address>", over IPv4 or (`v6`) IPv6 only.
fn server_script(v6: bool) -> String {
    let (family, any, v6only) = if v6 {
        (
            "socket.AF_INET6",
            "::",
            "t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)\n",
        )
    } else {
        ("socket.AF_INET", "0.0.0.0", "")
    };
    format!(
        r#"
import socket, select
t = socket.socket({family}); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
{v6only}t.bind(("{any}", 80)); t.listen(16)
u = socket.socket({family}, socket.SOCK_DGRAM); u.bind(("{any}", 53))
print("ready", flush=True)
while True:
    r, _, _ = select.select([t, u], [], [])
    if t in r:
        c, a = t.accept(); c.sendall(("hi " + a[0] + "\n").encode()); c.close()
    if u in r:
        d, a = u.recvfrom(100); u.sendto(("hi " + a[0] + "\n").encode(), a)
"#
    )
}

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

/// With br_netfilter loaded (Docker hosts), bridged traffic goes through the
/// `bridge-nf-call-<tables>` hooks when `on`, and hairpin traffic DNATed back
/// to the pod it came from is bridged out of its ingress port, which the bridge
/// only allows in hairpin mode (liftoff sets it on every pod port). The sysctl
/// only exists where br_netfilter is loaded.
fn bridge_netfilter(tables: &str, on: bool) {
    let key = format!("/proc/sys/net/bridge/bridge-nf-call-{tables}");
    let loaded = std::path::Path::new(&key).exists();
    if loaded {
        let v = if on { "1" } else { "0" };
        sh(&[
            "sysctl",
            "-qw",
            &format!("net.bridge.bridge-nf-call-{tables}={v}"),
        ]);
    }
    if on {
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
        "traffic ({tables}): br_netfilter loaded={loaded} enabled={}",
        loaded && on
    );
}

/// Starts `script` (a server printing "ready") in each namespace, killed by `guard`.
fn start_servers(guard: &mut Cleanup, namespaces: [&str; 2], script: &str) {
    for ns in namespaces {
        let mut server = Command::new("ip")
            .args(["netns", "exec", ns, "/usr/bin/python3", "-c", script])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = server.stdout.take().unwrap();
        guard.children.push(server);
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready");
    }
}

/// A scenario's "pod" and "client" namespaces (named after this process and `tag`), removed with
/// the returned guard.
fn scenario_namespaces(tag: &str) -> (String, String, Cleanup) {
    let id = format!("{}{tag}", std::process::id());
    let (pod, cli) = (format!("ltpod{id}"), format!("ltcli{id}"));
    let guard = Cleanup {
        netns: vec![pod.clone(), cli.clone()],
        children: vec![],
    };
    sh(&["ip", "netns", "add", &pod]);
    sh(&["ip", "netns", "add", &cli]);
    (pod, cli, guard)
}

fn traffic_scenario(br_netfilter: bool) {
    let (pod, cli, mut guard) = scenario_namespaces(if br_netfilter { "b" } else { "r" });
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
    bridge_netfilter("iptables", br_netfilter);
    // Servers in the pod and on the "outside" (client namespace).
    start_servers(&mut guard, [&pod, &cli], &server_script(false));

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

/// UDP client run inside a named namespace (any family).
const UDP_CLIENT: &str = r#"
import socket, sys
ai = socket.getaddrinfo(sys.argv[1], int(sys.argv[2]), 0, socket.SOCK_DGRAM)[0]
s = socket.socket(ai[0], socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b"x", ai[4]); print(s.recv(100).decode().strip())
"#;

/// Real IPv6 traffic: host (this thread's namespace) with bridge ltbr6
/// fd66:1::1/64 and uplink fd66:2::1/64 towards a client namespace
/// (fd66:2::2); a pod namespace fd66:1::2 runs the server.
#[test]
#[ignore = "needs root"]
fn root_v6_published_ports_carry_traffic() {
    in_netns(|| traffic6_scenario(true));
}

/// The same without bridge netfilter for IPv6 (bridge-nf-call-ip6tables=0).
#[test]
#[ignore = "needs root"]
fn root_v6_published_ports_carry_traffic_without_br_netfilter() {
    in_netns(|| traffic6_scenario(false));
}

/// Builds the three-namespace IPv6 topology; `nodad` everywhere so the
/// addresses are usable at once instead of tentative for a second.
fn topology6(pod: &str, cli: &str) {
    for cmd in [
        "link add ltbr6 type bridge",
        "addr add fd66:1::1/64 dev ltbr6 nodad",
        "link set ltbr6 up",
        &format!("link add ltvp type veth peer name eth0 netns {pod}"),
        "link set ltvp master ltbr6 up",
        &format!("link add ltvc type veth peer name eth0 netns {cli}"),
        "addr add fd66:2::1/64 dev ltvc nodad",
        "link set ltvc up",
        &format!("-n {pod} link set lo up"),
        &format!("-n {pod} addr add fd66:1::2/64 dev eth0 nodad"),
        &format!("-n {pod} link set eth0 up"),
        &format!("-n {pod} -6 route add default via fd66:1::1"),
        &format!("-n {cli} link set lo up"),
        &format!("-n {cli} addr add fd66:2::2/64 dev eth0 nodad"),
        &format!("-n {cli} link set eth0 up"),
    ] {
        let mut args = vec!["ip"];
        args.extend(cmd.split(' '));
        sh(&args);
    }
    // Inside the host namespace only (this thread's): route between links.
    sh(&["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"]);
}

fn traffic6_scenario(br_netfilter: bool) {
    let (pod, cli, mut guard) = scenario_namespaces(if br_netfilter { "b6" } else { "r6" });
    topology6(&pod, &cli);
    bridge_netfilter("ip6tables", br_netfilter);
    start_servers(&mut guard, [&pod, &cli], &server_script(true));

    let cfg = FirewallConfig::new("ltbr6", v6("fd66:1::"), 64);
    ensure(&cfg).unwrap();
    assert_eq!(forward_blockers_for(&cfg), Vec::<String>::new());
    let pod_ip = v6("fd66:1::2");
    let rules = [
        rule(Proto::Tcp, None, 8080, pod_ip, 80),
        rule(Proto::Udp, None, 5353, pod_ip, 53),
        rule(Proto::Tcp, Some(v6("fd66:2::1")), 8081, pod_ip, 80),
    ];
    add_ports(&cfg, "podT6", &rules).unwrap();
    traffic6_checks(&pod, &cli);

    // ::1 is kept out of DNAT (the kernel would drop the reply's way: see
    // PortRule::check), even for an element added by hand: the connection is
    // refused at once (nothing listens on [::1]:8082) instead of hanging.
    let t = &cfg.table;
    nft_apply(
        &format!("add element ip6 {t} tcp_ip {{ ::1 . 8082 : fd66:1::2 . 80 }}\n"),
        "test",
    )
    .unwrap();
    match tcp_get("[::1]:8082") {
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused, "{e}"),
        Ok(s) => panic!("::1 was DNATed to the pod: {s}"),
    }

    remove_ports(&cfg, &rules).unwrap();
    assert!(
        tcp_get("[fd66:1::1]:8080").is_err(),
        "port still published after remove_ports"
    );
    remove_table(&cfg).unwrap();
    drop(guard);
}

/// The traffic of [`traffic6_scenario`], once its ports are published.
fn traffic6_checks(pod: &str, cli: &str) {
    let run = |ns: &str, script: &str, host: &str, port: &str| {
        let py = ["ip", "netns", "exec", ns, "/usr/bin/python3", "-c"];
        let mut args = py.to_vec();
        args.extend([script, host, port]);
        sh(&args).trim().to_string()
    };
    // From another machine (prerouting + forward); no SNAT needed.
    assert_eq!(run(cli, CLIENT, "fd66:2::1", "8080"), "hi fd66:2::2");
    assert_eq!(run(cli, UDP_CLIENT, "fd66:2::1", "5353"), "hi fd66:2::2");
    assert_eq!(run(cli, CLIENT, "fd66:2::1", "8081"), "hi fd66:2::2");
    // From the host itself (output hook).
    assert_eq!(tcp_get("[fd66:2::1]:8080").unwrap(), "hi fd66:2::1");
    assert_eq!(tcp_get("[fd66:1::1]:8080").unwrap(), "hi fd66:1::1");
    assert_eq!(udp6_get("[fd66:1::1]:5353").unwrap(), "hi fd66:1::1");
    assert!(
        tcp_get("[fd66:1::1]:8081").is_err(),
        "8081 is published on fd66:2::1 only"
    );
    // Hairpin: the pod reaches itself through the host's addresses.
    assert_eq!(run(pod, CLIENT, "fd66:2::1", "8080"), "hi fd66:1::1");
    assert_eq!(run(pod, CLIENT, "fd66:1::1", "8080"), "hi fd66:1::1");
    // Outbound NAT: the pod reaches the "outside" as the host's uplink.
    assert_eq!(run(pod, CLIENT, "fd66:2::2", "80"), "hi fd66:2::1");
    assert_eq!(run(pod, UDP_CLIENT, "fd66:2::2", "53"), "hi fd66:2::1");
}

fn udp6_get(addr: &str) -> io::Result<String> {
    let s = UdpSocket::bind("[::]:0")?;
    s.set_read_timeout(Some(Duration::from_secs(3)))?;
    s.send_to(b"x", addr)?;
    let mut buf = [0u8; 100];
    let n = s.recv(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf[..n]).trim().to_string())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore = "needs root; LIFTOFF_BENCH=1 for the full 200 rounds"]
fn root_bench_netlink_vs_nft() {
    // Always measured (a test run does 20 rounds; the benchmark, LIFTOFF_BENCH=1, 200).
    let rounds = if std::env::var("LIFTOFF_BENCH").as_deref() == Ok("1") {
        200
    } else {
        20
    };
    in_netns(move || {
        let cfg = test_cfg("ltb0", [10, 97, 0, 0], 16);
        ensure(&cfg).unwrap();
        let rules = [
            rule(Proto::Tcp, None, 28080, [10, 97, 0, 5], 80),
            rule(Proto::Udp, Some([127, 0, 0, 1]), 28081, [10, 97, 0, 5], 53),
        ];
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
