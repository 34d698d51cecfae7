//! `liftoff-stage1 status --check-network POD_DIR`: checks every network a running pod has (CNI
//! CHECK for a conflist; the bridge, sysctls, nftables table, lease, veth and port elements for the
//! native network), one line per network on stdout, then one line per problem or host setting
//! liftoff changed; exit 0 when all are fine, 1 when one is not.

use super::{Args, VerbError};

pub fn main(a: &Args) -> Result<u8, VerbError> {
    a.only(&["--check-network"])?;
    if !a.flag("--check-network") {
        return Err(VerbError::Usage(
            "status needs --check-network (the only check this stage1 has)".into(),
        ));
    }
    let dir = a.pod_dir()?;
    let Some(ns) = crate::cni::read_state(dir)? else {
        return Err(VerbError::Pod(format!(
            "{}: the pod has no network record",
            dir.display()
        )));
    };
    let mut bad = false;
    for (net, att, result) in &ns.attachments {
        let Some(r) = result else {
            println!("network {}: not attached", net.name);
            bad = true;
            continue;
        };
        match crate::native_net::Native::of(net) {
            Ok(Some(n)) => {
                let problems = n.check(att, r);
                let state = if problems.is_empty() { "ok" } else { "NOT ok" };
                println!(
                    "network {} (native, bridge {}): {state} ({} on {})",
                    net.name,
                    n.spec.bridge,
                    crate::cni::addresses(r).join(", "),
                    att.ifname
                );
                for p in &problems {
                    println!("  problem: {p}");
                }
                for c in crate::native_net::host_changes(&n.spec.lease_dir) {
                    println!("  host setting changed: {c}");
                }
                bad |= !problems.is_empty();
                continue;
            }
            Ok(None) => {}
            // A record liftoff cannot act on is liftoff's own failure (254), not a bad network.
            Err(e) => return Err(VerbError::Pod(e.to_string())),
        }
        match crate::cni::check(net, att, r) {
            Ok(()) => println!(
                "network {}: ok ({} on {})",
                net.name,
                crate::cni::addresses(r).join(", "),
                att.ifname
            ),
            Err(e) => {
                println!("network {}: {e}", net.name);
                bad = true;
            }
        }
    }
    Ok(u8::from(bad))
}
