//! Rules of other programs that would drop the pods' forwarded traffic: forward-hook chains with
//! policy drop in other nftables tables, and iptables-legacy tables nftables cannot see. Each
//! address family has its own: `ip`/`inet` chains and ip_tables for IPv4, `ip6`/`inet` chains
//! and ip6_tables for IPv6.

use super::*;

/// Problems outside liftoff's tables that would stop forwarded IPv4 pod
/// traffic, each naming the culprit and the fix; empty when nothing was
/// found. Skips every `ip liftoff`/`ip liftoff_*` table. Use
/// [`forward_blockers_for`] to get fixes naming the actual bridge, and for
/// IPv6 networks.
pub fn forward_blockers() -> Vec<String> {
    blockers(
        Family::Ipv4,
        &|t| t == TABLE || t.starts_with("liftoff_"),
        "<bridge>",
    )
}

/// [`forward_blockers`] for one network and its address family: skips its
/// table, names its bridge, and for an IPv6 network looks at `ip6` and
/// `inet` chains and ip6tables-legacy instead of the IPv4 ones.
pub fn forward_blockers_for(cfg: &FirewallConfig) -> Vec<String> {
    blockers(cfg.family(), &|t| t == cfg.table, &cfg.bridge)
}

/// The iptables-legacy flavour of a family: its tool and the file in
/// /proc/net that lists its loaded tables (per network namespace).
fn legacy(family: Family) -> (&'static str, &'static str) {
    match family {
        Family::Ipv4 => ("iptables", "ip_tables_names"),
        Family::Ipv6 => ("ip6tables", "ip6_tables_names"),
    }
}

/// A /proc/net file of this thread's network namespace. /proc/net is
/// /proc/self/net, which is the namespace of the process's main thread, so
/// it would be the wrong one on a thread that entered another namespace
/// (as the netlink socket of [`with_nl`] does); /proc/net is the fallback
/// on kernels without /proc/thread-self (before 3.17).
fn read_proc_net(name: &str) -> io::Result<String> {
    std::fs::read_to_string(format!("/proc/thread-self/net/{name}"))
        .or_else(|_| std::fs::read_to_string(format!("/proc/net/{name}")))
}

pub(super) fn blockers(family: Family, ours: &dyn Fn(&str) -> bool, br: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (tool, names) = legacy(family);
    match drop_forward_chains(family, ours) {
        Ok(chains) => {
            for (fam, table, chain) in chains {
                let fix = if fam == family.nft()
                    && table == "filter"
                    && chain.chars().all(|c| c.is_ascii_uppercase())
                {
                    // iptables-nft (e.g. Docker) owns this chain; use its tool.
                    format!("`{tool} -I {chain} -i {br} -j ACCEPT` and `{tool} -I {chain} -o {br} -j ACCEPT`")
                } else {
                    format!("`nft insert rule {fam} {table} {chain} iifname \"{br}\" accept` and `nft insert rule {fam} {table} {chain} oifname \"{br}\" accept`")
                };
                out.push(format!(
                    "nftables chain {fam} {table} {chain} hooks forward with policy drop, so {family} pod traffic through {br} is dropped unless that chain accepts it: run {fix}"
                ));
            }
        }
        Err(e) => out.push(format!(
            "could not inspect other nftables forward chains: {e}"
        )),
    }
    // Read per network namespace, like the chains above.
    if let Ok(loaded) = read_proc_net(names) {
        if loaded.lines().any(|l| l.trim() == "filter") {
            out.push(format!(
                "{tool}-legacy has a filter table loaded (/proc/net/{names}), whose rules nftables cannot see; if its FORWARD policy is DROP (Docker sets that) {family} pod traffic through {br} is dropped: check `{tool}-legacy -S FORWARD` and run `{tool}-legacy -I FORWARD -i {br} -j ACCEPT` and `{tool}-legacy -I FORWARD -o {br} -j ACCEPT`"
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Helpers of the API
// ---------------------------------------------------------------------------

/// NEWSETELEM (`delete` false) or DELSETELEM message for one element.
pub(super) fn elem_msg(
    table: &str,
    map: &str,
    elem: Vec<SetElementAttribute>,
    delete: bool,
) -> NfTablesMessage {
    let m = SetElementMessage {
        attributes: vec![
            SetElementList::Table(table.into()),
            SetElementList::Set(map.into()),
            SetElementList::Elements(vec![ListAttribute::Element(elem)]),
        ],
    };
    if delete {
        NfTablesMessage::DeleteSetElement(m)
    } else {
        NfTablesMessage::NewSetElement(m)
    }
}

/// Two rules that occupy the same map slot.
pub(super) fn same_key(a: &PortRule, b: &PortRule) -> bool {
    a.map() == b.map() && a.key() == b.key()
}

pub(super) fn elements_with(
    nl: &mut Nl,
    cfg: &FirewallConfig,
) -> Result<Vec<(String, PortRule)>, FirewallError> {
    let mut out = Vec::new();
    for (map, _, _) in MAPS {
        for attrs in nl.map_elements(cfg.family(), &cfg.table, map)? {
            out.push(
                decode_element(map, &attrs).map_err(|detail| FirewallError::Malformed {
                    what: format!(
                        "listing nftables map {} {} {map}",
                        cfg.family().nft(),
                        cfg.table
                    ),
                    detail: detail.to_string(),
                })?,
            );
        }
    }
    Ok(out)
}

/// (family, table, chain) of forward-hook base chains with policy drop in
/// the nftables families that see `family`'s packets (`ip` or `ip6`, and
/// `inet`), except liftoff's own tables of that family (`ours`).
pub(super) fn drop_forward_chains(
    family: Family,
    ours: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, String, String)>, FirewallError> {
    let what = "listing nftables chains";
    with_nl(|nl| {
        let get = NfTablesMessage::GetChain(netlink_packet_netfilter::nftables::ChainMessage {
            attributes: vec![],
        });
        let msgs = match nl.query(get, NetfilterProtoFamily::Unspec, true, true, what)? {
            Ok(m) => m,
            Err(errno) => return Err(kernel_error(what, errno)),
        };
        let mut out = Vec::new();
        for (fam, m) in msgs {
            let fam = match NetfilterProtoFamily::from(fam) {
                NetfilterProtoFamily::Inet => "inet",
                f if f == family.proto() => family.nft(),
                _ => continue,
            };
            let NfTablesMessage::NewChain(c) = m else {
                continue;
            };
            let (mut table, mut name, mut forward, mut drop) =
                (String::new(), String::new(), false, false);
            for a in c.attributes {
                match a {
                    ChainAttribute::Table(t) => table = t,
                    ChainAttribute::Name(n) => name = n,
                    ChainAttribute::Policy(p) => drop = p == NF_DROP,
                    ChainAttribute::Hook(hooks) => {
                        forward = hooks.iter().any(|h| {
                            matches!(h, Hook::Number(HookNumber::Inet(InetHookNumber::Forward)))
                        })
                    }
                    _ => {}
                }
            }
            if forward && drop && !(fam == family.nft() && ours(&table)) {
                out.push((fam.to_string(), table, name));
            }
        }
        Ok(out)
    })
}
