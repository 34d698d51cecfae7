//! Pod files (`liftoff run --pod FILE`, `pod::podfile::parse`), and the string parsers stage0
//! then applies to what they hold: `-p`, `--add-host`, `-v`, `--tmpfs`, `--ulimit`, sizes and
//! capability names (all also reachable from the command line).
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::pod::{networks, podfile, resolve, volumes};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(req) = podfile::parse(text, "pod.toml") else {
        return;
    };
    for p in &req.publish {
        let _ = networks::parse_publish(p);
    }
    for h in &req.add_hosts {
        let _ = networks::parse_add_host(h);
    }
    if let Some(m) = &req.memory {
        let _ = resolve::parse_size(m);
    }
    for v in &req.volumes {
        // Host paths are canonicalised on the real filesystem; only named volumes are pure.
        if !v.source.starts_with('/') {
            let _ = volumes::resolve(v, Path::new("/nonexistent/liftoff-fuzz"));
        }
    }
    for a in &req.apps {
        let _ = liftoff::pod::resolve::default_app_name(&a.image);
        if let Some(m) = &a.memory {
            let _ = resolve::parse_size(m);
        }
        for u in &a.ulimits {
            let _ = resolve::parse_ulimit("app", u);
        }
        let _ = resolve::capabilities("app", &a.cap_add, &a.cap_drop);
        for v in &a.volumes {
            if let Ok(v) = volumes::parse_volume(v) {
                if !v.source.starts_with('/') {
                    let _ = volumes::resolve(&v, Path::new("/nonexistent/liftoff-fuzz"));
                }
            }
        }
        for t in &a.tmpfs {
            let _ = volumes::parse_tmpfs(t);
        }
    }
});
