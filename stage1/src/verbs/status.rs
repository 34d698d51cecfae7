//! `liftoff-stage1 status --check-network POD_DIR`: CNI CHECK of every network a running pod has,
//! one line per network on stdout; exit 0 when all are fine, 1 when one is not.

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
