//! End-to-end tests of pod networking: the default network both ways it can be (the native one,
//! set up by stage1 over netlink, and the built-in CNI conflist run by the distribution's plugins),
//! pod to pod and pod to host, published ports from the host's address and from 127.0.0.1, none and
//! host, a custom conflist, /etc files, and the errors. Only 127.0.0.0/8, the host's own address
//! and the networks these tests create are ever contacted.

use crate::pods::{cni_world, err, out, shared, world, World, IMAGE};

/// One way the default network can be: its world, and what its pods look like.
pub(crate) struct Kind {
    pub(crate) world: fn() -> &'static World,
    /// The first octets of its pods' addresses.
    pub(crate) prefix: &'static str,
    /// The bridge's address, the pods' gateway.
    pub(crate) gateway: &'static str,
    /// What `status --check-network` says for a healthy pod.
    pub(crate) check_ok: &'static str,
}

pub(crate) const NATIVE: Kind = Kind {
    world,
    prefix: "10.66.",
    gateway: "10.66.0.1",
    check_ok: "network default (native, bridge liftoff0): ok",
};

pub(crate) const CNI: Kind = Kind {
    world: cni_world,
    prefix: "10.65.",
    gateway: "10.65.0.1",
    check_ok: "network liftoff: ok",
};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

fn detached(w: &World, args: &[&str]) -> String {
    let mut a = vec!["run", "-d"];
    a.extend_from_slice(args);
    w.ok(&a).trim().to_string()
}

fn pod_ip(w: &World, id: &str) -> String {
    let s = w.ok(&["status", "--format", "json", id]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    v["net"]
        .as_str()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string()
}

/// The host's own IPv4 address on its main interface (not a bridge of ours).
fn host_ip() -> String {
    let o = std::process::Command::new("ip")
        .args(["-o", "-4", "addr", "show", "scope", "global"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.contains("liftoff") && !l.contains("lftest"))
        .find_map(|l| l.split_whitespace().nth(3))
        .map(|a| a.split('/').next().unwrap().to_string())
        .expect("the host has a global IPv4 address")
}

/// A config file pointing the network config dir at `dir`.
fn config_with_net_dir(w: &World, dir: &std::path::Path) -> PathBuf {
    let c = dir.join("config.toml");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        &c,
        format!("[network]\nconfig_dir = \"{}\"\n", dir.display()),
    )
    .unwrap();
    let _ = w;
    c
}

/// GET with a few tries (the server in a just-started pod may not listen yet).
fn http_get_retry(addr: &str) -> std::io::Result<String> {
    let mut last = None;
    for _ in 0..20 {
        match http_get(addr) {
            Ok(b) if !b.is_empty() => return Ok(b),
            Ok(_) => {}
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("empty answers")))
}

fn http_get(addr: &str) -> std::io::Result<String> {
    let mut s =
        std::net::TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(3))?;
    s.set_read_timeout(Some(Duration::from_secs(3)))?;
    s.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
    let mut b = String::new();
    s.read_to_string(&mut b)?;
    Ok(b)
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn pods_reach_each_other_and_the_host_bridge_native() {
    pods_reach_each_other_and_the_host_bridge(&NATIVE);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn pods_reach_each_other_and_the_host_bridge_cni() {
    pods_reach_each_other_and_the_host_bridge(&CNI);
}

fn pods_reach_each_other_and_the_host_bridge(k: &Kind) {
    let _host = shared();
    let w = (k.world)();
    let web = detached(
        w,
        &[
            IMAGE, "--", "busybox", "httpd", "-f", "-p", "80", "-h", "/www",
        ],
    );
    let ip = pod_ip(w, &web);
    assert!(ip.starts_with(k.prefix), "default network address: {ip}");
    // httpd may still be starting: a few tries.
    let fetch = format!(
        "for i in 1 2 3 4 5 6 7 8 9 10; do busybox wget -qO- http://{ip}/ && exit 0; busybox sleep 0.2; done; exit 1"
    );
    let o = w.run(&["run", IMAGE, "--", "/bin/sh", "-c", &fetch]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "hello over localhost\n");
    // A server on the host's end of the bridge is reachable from a pod.
    let l = TcpListener::bind(format!("{}:0", k.gateway)).expect("the bridge has its address");
    let port = l.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut b = [0u8; 512];
        let _ = c.read(&mut b);
        c.write_all(b"from-the-host\n").unwrap();
    });
    // (busybox nc: the server speaks no HTTP.)
    let o = w.run(&[
        "run",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        &format!("echo hello | busybox nc -w 3 {} {port}", k.gateway),
    ]);
    server.join().unwrap();
    assert_eq!(out(&o), "from-the-host\n", "{}", err(&o));
    // The list shows the pod's address; CNI CHECK finds the attachment intact.
    assert!(w.ok(&["list"]).contains(&ip));
    let c = w.ok(&["status", "--check-network", &web]);
    assert!(c.contains(k.check_ok) && c.contains(&ip), "{c}");
    w.ok(&["stop", &web]);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn published_ports_work_from_the_host_address_and_localhost_native() {
    published_ports_work_from_the_host_address_and_localhost(&NATIVE);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn published_ports_work_from_the_host_address_and_localhost_cni() {
    published_ports_work_from_the_host_address_and_localhost(&CNI);
}

fn published_ports_work_from_the_host_address_and_localhost(k: &Kind) {
    let _host = shared();
    let w = (k.world)();
    let port = crate::pods::unique_port();
    let publish = format!("{port}:8080");
    let id = detached(
        w,
        &[
            "-p", &publish, IMAGE, "--", "busybox", "httpd", "-f", "-p", "8080", "-h", "/www",
        ],
    );
    let ext = http_get_retry(&format!("{}:{port}", host_ip()))
        .expect("published port on the host's address");
    assert!(ext.ends_with("hello over localhost\n"), "{ext}");
    let lo = http_get(&format!("127.0.0.1:{port}")).expect("published port on 127.0.0.1");
    assert!(lo.ends_with("hello over localhost\n"), "{lo}");
    // The port is the pod's while it runs: a second pod cannot take it.
    let o = w.run(&["run", "-p", &publish, IMAGE, "--", "busybox", "true"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("already in use"), "{}", err(&o));
    w.ok(&["stop", &id]);
    // Gone with the pod: nothing answers any more ...
    assert!(http_get(&format!("127.0.0.1:{port}")).is_err());
    // ... and the port is free again once the teardown that follows the pod's exit is done.
    let t = std::time::Instant::now();
    while TcpListener::bind(("0.0.0.0", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "port {port} still held"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // A port held by a host program is refused up front.
    let held = TcpListener::bind("0.0.0.0:0").unwrap();
    let p2 = held.local_addr().unwrap().port().to_string();
    let o = w.run(&[
        "run",
        "-p",
        &format!("{p2}:80"),
        IMAGE,
        "--",
        "busybox",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("already in use"), "{}", err(&o));
    // -p without a CNI network is an error that says why.
    let o = w.run(&["run", "--net=none", "-p", "8080:80", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("-p needs a network"), "{}", err(&o));
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn none_and_host_networks() {
    let _host = shared();
    let w = world();
    let o = w.ok(&[
        "run",
        "--net=none",
        IMAGE,
        "--",
        "busybox",
        "ls",
        "/sys/class/net",
    ]);
    assert_eq!(o.split_whitespace().collect::<Vec<_>>(), ["lo"]);
    let o = w.ok(&["run", IMAGE, "--", "busybox", "ls", "/sys/class/net"]);
    assert_eq!(o.split_whitespace().collect::<Vec<_>>(), ["eth0", "lo"]);
    let host_links: Vec<String> = std::fs::read_dir("/sys/class/net")
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("veth") && !n.starts_with("lf"))
        .collect();
    let o = w.ok(&[
        "run",
        "--net=host",
        IMAGE,
        "--",
        "busybox",
        "ls",
        "/sys/class/net",
    ]);
    for l in &host_links {
        assert!(
            o.split_whitespace().any(|x| x == l),
            "--net=host misses {l}: {o}"
        );
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn etc_files_follow_the_flags_native() {
    etc_files_follow_the_flags(&NATIVE);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn etc_files_follow_the_flags_cni() {
    etc_files_follow_the_flags(&CNI);
}

fn etc_files_follow_the_flags(k: &Kind) {
    let _host = shared();
    let w = (k.world)();
    let o = w.ok(&[
        "run", "--hostname", "web", "--dns", "10.0.0.2", "--dns-search", "corp", "--add-host", "db:10.0.0.5",
        IMAGE, "--", "/bin/sh", "-c",
        "busybox hostname; cat /etc/hosts; echo ==; cat /etc/resolv.conf; echo x >> /etc/hosts 2>/dev/null || echo ro",
    ]);
    let (hosts, resolv) = o.split_once("==\n").unwrap();
    assert!(hosts.starts_with("web\n"), "{o}");
    assert!(hosts.contains("127.0.0.1\tlocalhost"), "{hosts}");
    assert!(
        hosts
            .lines()
            .any(|l| l.starts_with(k.prefix) && l.ends_with("\tweb")),
        "{hosts}"
    );
    assert!(hosts.contains("10.0.0.5\tdb"), "{hosts}");
    assert!(
        resolv.contains("nameserver 10.0.0.2") && resolv.contains("search corp"),
        "{resolv}"
    );
    assert!(
        resolv.trim_end().ends_with("ro"),
        "/etc/hosts must be read-only: {o}"
    );
    // Without --dns: the host's servers, minus loopback ones that cannot work from the pod.
    let o = w.ok(&["run", IMAGE, "--", "busybox", "cat", "/etc/resolv.conf"]);
    assert!(
        !o.contains("nameserver 127.") && !o.contains("nameserver ::1"),
        "{o}"
    );
    // --etc-writable lets the app change them.
    let o = w.ok(&[
        "run",
        "--etc-writable",
        IMAGE,
        "--",
        "/bin/sh",
        "-c",
        "echo 10.9.9.9 x >> /etc/hosts && echo rw",
    ]);
    assert_eq!(o.trim(), "rw");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_custom_bridge_network_and_network_errors() {
    let _host = shared();
    let w = world();
    let dir = w._tmp.path().join("net.d");
    let cfg = config_with_net_dir(w, &dir);
    let cfg = cfg.to_str().unwrap();
    std::fs::write(
        dir.join("backend.conflist"),
        // An older cniVersion, as the plugins allow.
        r#"{"cniVersion":"0.4.0","name":"backend","plugins":[
            {"type":"bridge","bridge":"lftest1","isGateway":true,"ipMasq":true,
             "ipam":{"type":"host-local","ranges":[[{"subnet":"10.67.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}},
            {"type":"portmap","capabilities":{"portMappings":true}}]}"#,
    )
    .unwrap();
    let o = w.ok(&[
        "--config",
        cfg,
        "run",
        "--net=backend",
        IMAGE,
        "--",
        "busybox",
        "ip",
        "addr",
        "show",
        "eth0",
    ]);
    assert!(o.contains("inet 10.67.0."), "{o}");
    // A missing plugin names itself and where it looked.
    std::fs::write(
        dir.join("noplugin.conflist"),
        r#"{"cniVersion":"1.0.0","name":"noplugin","plugins":[{"type":"no-such-cni-plugin"}]}"#,
    )
    .unwrap();
    let o = w.run(&[
        "--config",
        cfg,
        "run",
        "--net=noplugin",
        IMAGE,
        "--",
        "busybox",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("no-such-cni-plugin") && err(&o).contains("/usr/lib/cni"),
        "{}",
        err(&o)
    );
    // A bad conflist names the file and the field.
    std::fs::write(
        dir.join("bad.conflist"),
        r#"{"name":"bad","plugins":[{"type":"bridge"}]}"#,
    )
    .unwrap();
    let o = w.run(&["--config", cfg, "run", "--net=bad", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("bad.conflist") && err(&o).contains("cniVersion"),
        "{}",
        err(&o)
    );
    let o = w.run(&["--config", cfg, "run", "--net=nonexistent", IMAGE]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("nonexistent.conflist"), "{}", err(&o));
    // An exhausted range: a /30 has room for one pod next to its gateway.
    std::fs::write(
        dir.join("tiny.conflist"),
        r#"{"cniVersion":"1.0.0","name":"tiny","plugins":[
            {"type":"bridge","bridge":"lftest2","isGateway":true,
             "ipam":{"type":"host-local","ranges":[[{"subnet":"10.68.0.0/30"}]]}}]}"#,
    )
    .unwrap();
    let first = w.ok(&[
        "--config",
        cfg,
        "run",
        "-d",
        "--net=tiny",
        IMAGE,
        "--",
        "busybox",
        "sleep",
        "30",
    ]);
    let ports = || {
        std::fs::read_dir("/sys/class/net/lftest2/brif")
            .unwrap()
            .count()
    };
    assert_eq!(ports(), 1);
    let o = w.run(&[
        "--config",
        cfg,
        "run",
        "--net=tiny",
        IMAGE,
        "--",
        "busybox",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("address range is used up"), "{}", err(&o));
    // Nothing half-configured: no extra link left by the failed attach.
    assert_eq!(ports(), 1, "the failed attach left a veth on the bridge");
    w.ok(&["stop", "--force", first.trim()]);
    for b in ["lftest1", "lftest2"] {
        let _ = std::process::Command::new("ip")
            .args(["link", "del", b])
            .status();
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_pods_network_namespace_dies_with_its_teardown_native() {
    a_pods_network_namespace_dies_with_its_teardown(&NATIVE);
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_pods_network_namespace_dies_with_its_teardown_cni() {
    a_pods_network_namespace_dies_with_its_teardown(&CNI);
}

fn a_pods_network_namespace_dies_with_its_teardown(k: &Kind) {
    let _host = shared();
    let w = (k.world)();
    // A's pin exists when B starts, so B's pod namespace gets a copy of the mount. A's teardown
    // removes the pin file, and the kernel detaches a mount point's copies in other namespaces when
    // it is unlinked: the copy must go too, or A's namespace would live on in B.
    let a = detached(w, &[IMAGE, "--", "busybox", "sleep", "30"]);
    let b = detached(w, &[IMAGE, "--", "busybox", "sleep", "30"]);
    let b_dir = w.root.join("pods/run").join(&b);
    let b_init = std::fs::read_to_string(b_dir.join("pid"))
        .unwrap()
        .trim()
        .to_string();
    let mounts = || std::fs::read_to_string(format!("/proc/{b_init}/mountinfo")).unwrap();
    assert!(
        mounts().contains(&format!("netns/{a}")),
        "B's namespace has no copy of A's pin"
    );
    w.ok(&["stop", &a]);
    w.ok(&["rm", &a]);
    assert!(
        !mounts().contains(&format!("netns/{a}")),
        "A's network namespace pin survives in B's mount namespace"
    );
    w.ok(&["stop", "--force", &b]);
}

/// The lease dir's own files; anything else (a lease, or a claim's leaked temp file) counts.
pub(crate) fn is_lease_dir_bookkeeping(name: &str) -> bool {
    name == ".lock" || name == ".host-changes"
}

/// A detached pod of `cfg`'s network serving /www on pod port 8080, published as `publish`.
fn serve_web(w: &World, cfg: &str, publish: &str) -> String {
    w.ok(&[
        "--config", cfg, "run", "-d", "-p", publish, IMAGE, "--", "busybox", "httpd", "-f", "-p",
        "8080", "-h", "/www",
    ])
    .trim()
    .to_string()
}

/// The leases (and leaked claim temp files) in a native network's lease dir.
fn leases_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| !is_lease_dir_bookkeeping(&e.file_name().to_string_lossy()))
        .count()
}

/// Removes a test network's bridge and tables when the test ends, passed or not.
struct TestNet(&'static str);

impl Drop for TestNet {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["link", "del", self.0])
            .status();
        for fam in ["ip", "ip6"] {
            let _ = std::process::Command::new("nft")
                .args(["delete", "table", fam, &format!("liftoff_{}", self.0)])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// Waits up to 5 s for `done` (a teardown finishing after `stop` returned).
fn wait_until(done: impl FnMut() -> bool, what: &str) {
    assert!(
        liftoff_common::lock::poll_until(Some(Duration::from_secs(5)), done),
        "timed out: {what}"
    );
}

/// A native test network on its own bridge: its config file, and the guard that removes the
/// bridge and tables when the test ends.
fn test_net(w: &World, file: &str, bridge: &'static str, subnet: &str) -> (TestNet, String) {
    let cfg = native_config(w, file, bridge, subnet);
    (TestNet(bridge), cfg.to_str().unwrap().to_string())
}

/// A config file whose native network is on bridge `bridge` with `subnet`.
fn native_config(w: &World, name: &str, bridge: &str, subnet: &str) -> PathBuf {
    let c = w._tmp.path().join(name);
    std::fs::write(
        &c,
        format!("[network]\ndefault = \"native\"\nbridge = \"{bridge}\"\nsubnet = \"{subnet}\"\n"),
    )
    .unwrap();
    c
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_full_native_range_says_so_and_leaks_nothing() {
    let _host = shared();
    let w = world();
    let (_net, cfg) = test_net(w, "tiny-native.toml", "lftest3", "10.68.4.0/30");
    let cfg = cfg.as_str();
    let first = w.ok(&[
        "--config", cfg, "run", "-d", IMAGE, "--", "busybox", "sleep", "30",
    ]);
    let brif = || {
        std::fs::read_dir("/sys/class/net/lftest3/brif")
            .unwrap()
            .count()
    };
    let leases = w.root.join("net/native/lftest3");
    let lease_count = || leases_in(&leases);
    assert_eq!((brif(), lease_count()), (1, 1));
    let o = w.run(&[
        "--config", cfg, "run", "-p", "18099:80", IMAGE, "--", "busybox", "true",
    ]);
    assert_eq!(o.status.code(), Some(254), "{}", err(&o));
    assert!(
        err(&o).contains("no address left in 10.68.4.0/30"),
        "{}",
        err(&o)
    );
    // Nothing of the failed pod: no veth on the bridge, no second lease, no port element.
    assert_eq!(
        (brif(), lease_count()),
        (1, 1),
        "the failed attach left something"
    );
    let nft = std::process::Command::new("nft")
        .args(["list", "table", "ip", "liftoff_lftest3"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&nft.stdout).contains("18099"),
        "{}",
        String::from_utf8_lossy(&nft.stdout)
    );
    w.ok(&["stop", "--force", first.trim()]);
    // (The teardown may finish just after `stop` returns.)
    wait_until(|| lease_count() == 0, "the stopped pod's lease is released");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn twenty_pods_started_at_once_get_distinct_addresses() {
    let _host = shared();
    let w = world();
    let ids: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..20)
            .map(|_| s.spawn(|| detached(w, &[IMAGE, "--", "busybox", "sleep", "30"])))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ips: std::collections::BTreeSet<String> = ids.iter().map(|id| pod_ip(w, id)).collect();
    assert_eq!(ips.len(), 20, "addresses: {ips:?}");
    assert!(
        ips.iter().all(|ip| ip.starts_with(NATIVE.prefix)),
        "{ips:?}"
    );
    // Each one answers another pod.
    let list: Vec<&str> = ips.iter().map(String::as_str).collect();
    let script = format!(
        "for ip in {}; do busybox ping -c1 -W2 $ip >/dev/null || {{ echo $ip; exit 1; }}; done",
        list.join(" ")
    );
    let o = w.run(&["run", IMAGE, "--", "/bin/sh", "-c", &script]);
    assert!(o.status.success(), "no answer from {}{}", out(&o), err(&o));
    for id in &ids {
        w.ok(&["stop", "--force", id]);
    }
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn ipv6_pods_get_a_ula_address_nat66_and_published_ports() {
    let _host = shared();
    let w = world();
    let _net = TestNet("lftest6");
    let cfg = w._tmp.path().join("ipv6-native.toml");
    std::fs::write(
        &cfg,
        "[network]\nbridge = \"lftest6\"\nsubnet = \"10.68.8.0/24\"\nipv6 = \"fd66:6600::/64\"\n",
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let port = crate::pods::unique_port();
    let publish = format!("{port}:8080");
    let web = serve_web(w, cfg, &publish);
    let s = w.ok(&["status", "--format", "json", &web]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let net = v["net"].as_str().unwrap().to_string();
    assert!(
        net.contains("10.68.8.2") && net.contains("fd66:6600::2"),
        "both addresses: {net}"
    );
    // Another pod reaches it over IPv6, and has an IPv6 default route via the bridge.
    let o = w.run(&[
        "--config", cfg, "run", IMAGE, "--", "/bin/sh", "-c",
        "busybox ip -6 route; for i in 1 2 3 4 5 6 7 8 9 10; do busybox wget -qO- 'http://[fd66:6600::2]:8080/' && exit 0; busybox sleep 0.2; done; exit 1",
    ]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("default via fd66:6600::1"), "{}", out(&o));
    assert!(out(&o).ends_with("hello over localhost\n"), "{}", out(&o));
    // The published port answers on the host's IPv6 address of the bridge (and on IPv4 as ever).
    let v6 = http_get_retry(&format!("[fd66:6600::1]:{port}")).expect("published port over IPv6");
    assert!(v6.ends_with("hello over localhost\n"), "{v6}");
    let v4 = http_get(&format!("127.0.0.1:{port}")).expect("published port on 127.0.0.1");
    assert!(v4.ends_with("hello over localhost\n"), "{v4}");
    let c = w.ok(&["--config", cfg, "status", "--check-network", &web]);
    assert!(
        c.contains(": ok (10.68.8.2/24, fd66:6600::2/64 on eth0)"),
        "{c}"
    );
    // IPv6 loopback: TCP is relayed by the supervisor; UDP is refused with the reason.
    let lo_port = crate::pods::unique_port();
    let lo_publish = format!("[::1]:{lo_port}:8080");
    let lo_web = serve_web(w, cfg, &lo_publish);
    let lo = http_get_retry(&format!("[::1]:{lo_port}")).expect("published port on [::1]");
    assert!(lo.ends_with("hello over localhost\n"), "{lo}");
    // Several connections at once, each answered.
    let answers: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|_| s.spawn(|| http_get(&format!("[::1]:{lo_port}")).unwrap_or_default()))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        answers
            .iter()
            .all(|a| a.ends_with("hello over localhost\n")),
        "{answers:?}"
    );
    w.ok(&["stop", &lo_web]);
    assert!(
        http_get(&format!("[::1]:{lo_port}")).is_err(),
        "the relay outlived its pod"
    );
    // An any-address port answers on [::1] too (relayed as well), so `localhost` works.
    let any = http_get(&format!("[::1]:{port}")).expect("the any-address port on [::1]");
    assert!(any.ends_with("hello over localhost\n"), "{any}");
    let o = w.run(&[
        "--config",
        cfg,
        "run",
        "-p",
        "[::1]:18098:80/udp",
        IMAGE,
        "--",
        "busybox",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("IPv6 loopback is published for TCP only"),
        "{}",
        err(&o)
    );
    let o = w.run(&[
        "run",
        "-p",
        "[fd00::1]:18097:80",
        IMAGE,
        "--",
        "busybox",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(err(&o).contains("has no IPv6 subnet"), "{}", err(&o));
    // An IPv4-mapped IPv6 address is IPv4 on the wire: refused with the IPv4 spelling.
    let o = w.run(&[
        "--config",
        cfg,
        "run",
        "-p",
        "[::ffff:127.0.0.1]:18096:80",
        IMAGE,
        "--",
        "busybox",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        err(&o).contains("IPv4-mapped") && err(&o).contains("-p 127.0.0.1:18096:80"),
        "{}",
        err(&o)
    );
    w.ok(&["stop", &web]);
    wait_until(
        || leases_in(&w.root.join("net/native/lftest6")) == 0,
        "both leases are released",
    );
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn a_removed_native_table_is_recreated_and_never_blocks_teardown() {
    let _host = shared();
    let w = world();
    let (_net, cfg) = test_net(w, "flushed-native.toml", "lftest4", "10.68.12.0/24");
    let cfg = cfg.as_str();
    let nft = |args: &[&str]| {
        std::process::Command::new("nft")
            .args(args)
            .output()
            .unwrap()
    };
    let port = crate::pods::unique_port();
    let publish = format!("{port}:8080");
    let web = serve_web(w, cfg, &publish);
    let web = web.as_str();
    let listed = nft(&["list", "table", "ip", "liftoff_lftest4"]);
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains(&format!("comment \"{web}\"")),
        "the port element names its pod: {}",
        String::from_utf8_lossy(&listed.stdout)
    );
    // Someone removes the table (as `nft flush ruleset` would): the check says so ...
    assert!(nft(&["delete", "table", "ip", "liftoff_lftest4"])
        .status
        .success());
    let o = w.run(&["--config", cfg, "status", "--check-network", web]);
    assert!(!o.status.success());
    assert!(out(&o).contains("is missing"), "{}", out(&o));
    // ... the pod still stops cleanly and leaves no lease ...
    w.ok(&["stop", web]);
    let leases = w.root.join("net/native/lftest4");
    wait_until(
        || leases_in(&leases) == 0,
        "no lease is left after a stop without a table",
    );
    // ... and the next pod gets the table back with its port, which answers.
    let next = serve_web(w, cfg, &publish);
    let next = next.as_str();
    let listed = nft(&["list", "table", "ip", "liftoff_lftest4"]);
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains(&format!("comment \"{next}\"")),
        "{}",
        String::from_utf8_lossy(&listed.stdout)
    );
    let got = http_get_retry(&format!("127.0.0.1:{port}")).expect("the port of the next pod");
    assert!(got.ends_with("hello over localhost\n"), "{got}");
    w.ok(&["stop", next]);
}
