//! What CNI plugins print (`cni::parse_plugin_output`: a result, nothing, or an error object),
//! the addresses stage1 and stage0 read out of a result (for /etc/hosts, `ps`, gc's firewall
//! check), the pod's recorded network state (`net.json`), and network config lists
//! (`cni::parse`). Plugins are other programs; nothing they print is trusted to have a shape.
//!
//! The input is read both as the output of a plugin that succeeded and of one that failed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff_stage1::cni::{self, PodNetState};

fuzz_target!(|data: &[u8]| {
    let out = data;
    match cni::parse_plugin_output(true, out, b"", "exit status: 0") {
        Ok(result) => {
            let _ = cni::addresses(&result);
            let _ = cni::ips(&result);
            // The result is handed to the next plugin as prevResult, so it must serialise.
            serde_json::to_vec(&result).expect("a parsed result serialises");
        }
        Err(e) => assert!(!e.to_string().is_empty(), "an empty error message"),
    }
    let msg = cni::parse_plugin_output(false, out, out, "exit status: 1")
        .expect_err("a failed plugin is an error")
        .to_string();
    assert!(!msg.is_empty(), "an empty error message");
    if let Ok(state) = serde_json::from_slice::<PodNetState>(out) {
        for (_, _, r) in &state.attachments {
            if let Some(r) = r {
                let _ = cni::ips(r);
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(out) {
        if let Ok(net) = cni::parse(text, "fuzz.conflist") {
            assert!(!net.plugins.is_empty());
        }
    }
});
