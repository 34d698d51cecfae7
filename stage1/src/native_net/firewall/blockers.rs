//! Rules of other programs that would drop the pods' forwarded traffic: forward-hook chains with
//! policy drop in other nftables tables, and iptables-legacy tables nftables cannot see.

use super::*;

/// Problems outside liftoff's tables that would stop forwarded pod traffic,
/// each naming the culprit and the fix; empty when nothing was found. Skips
/// every `ip liftoff`/`ip liftoff_*` table. Use [`forward_blockers_for`] to
/// get fixes naming the actual bridge.
pub fn forward_blockers() -> Vec<String> {
    blockers(&|t| t == TABLE || t.starts_with("liftoff_"), "<bridge>")
}

/// [`forward_blockers`] for one network: skips its table, names its bridge.
pub fn forward_blockers_for(cfg: &FirewallConfig) -> Vec<String> {
    blockers(&|t| t == cfg.table, &cfg.bridge)
}

pub(super) fn blockers(ours: &dyn Fn(&str) -> bool, br: &str) -> Vec<String> {
    let mut out = Vec::new();
    match drop_forward_chains(ours) {
        Ok(chains) => {
            for (family, table, chain) in chains {
                let fix = if family == "ip"
                    && table == "filter"
                    && chain.chars().all(|c| c.is_ascii_uppercase())
                {
                    // iptables-nft (e.g. Docker) owns this chain; use its tool.
                    format!("`iptables -I {chain} -i {br} -j ACCEPT` and `iptables -I {chain} -o {br} -j ACCEPT`")
                } else {
                    format!("`nft insert rule {family} {table} {chain} iifname \"{br}\" accept` and `nft insert rule {family} {table} {chain} oifname \"{br}\" accept`")
                };
                out.push(format!(
                    "nftables chain {family} {table} {chain} hooks forward with policy drop, so pod traffic through {br} is dropped unless that chain accepts it: run {fix}"
                ));
            }
        }
        Err(e) => out.push(format!(
            "could not inspect other nftables forward chains: {e}"
        )),
    }
    // Read per network namespace, like the chains above.
    if let Ok(names) = std::fs::read_to_string("/proc/net/ip_tables_names") {
        if names.lines().any(|l| l.trim() == "filter") {
            out.push(format!(
                "iptables-legacy has a filter table loaded (/proc/net/ip_tables_names), whose rules nftables cannot see; if its FORWARD policy is DROP (Docker sets that) pod traffic through {br} is dropped: check `iptables-legacy -S FORWARD` and run `iptables-legacy -I FORWARD -i {br} -j ACCEPT` and `iptables-legacy -I FORWARD -o {br} -j ACCEPT`"
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
        for attrs in nl.map_elements(&cfg.table, map)? {
            out.push(
                decode_element(map, &attrs).map_err(|detail| FirewallError::Malformed {
                    what: format!("listing nftables map ip {} {map}", cfg.table),
                    detail,
                })?,
            );
        }
    }
    Ok(out)
}

/// (family, table, chain) of forward-hook base chains with policy drop in
/// families that see IPv4 (ip, inet), except liftoff's own (`ours`).
pub(super) fn drop_forward_chains(
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
        for (family, m) in msgs {
            let family = match NetfilterProtoFamily::from(family) {
                NetfilterProtoFamily::IPv4 => "ip",
                NetfilterProtoFamily::Inet => "inet",
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
            if forward && drop && !(family == "ip" && ours(&table)) {
                out.push((family.to_string(), table, name));
            }
        }
        Ok(out)
    })
}
