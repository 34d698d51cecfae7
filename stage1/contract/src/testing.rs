//! A pod manifest for the unit tests of this crate and of stage1 (feature `test-support`), so
//! that every test starts from the same valid pod.

use crate::manifest::{Limits, NetMode, PodApp, PodManifest};
use liftoff_stage2::AppSpec;
use std::path::PathBuf;

/// A valid one-app pod (app `web`) on `net`.
pub fn manifest(net: NetMode) -> PodManifest {
    PodManifest {
        version: 1,
        pod_id: "0b7c2a9e-4f1d-4c3a-9e2b-1a2b3c4d5e6f".into(),
        hostname: "web".into(),
        net,
        stop_timeout_secs: 10,
        limits: Limits::default(),
        interactive: false,
        tty: false,
        prefix_output: false,
        dns: vec![],
        dns_search: vec![],
        detached: false,
        log_max_bytes: 0,
        volumes: vec![],
        networks: vec![],
        cni_plugin_dirs: vec![],
        netns_dir: PathBuf::new(),
        ports: vec![],
        add_hosts: vec![],
        etc_writable: false,
        notify: None,
        sockets: None,
        exit_code_from: None,
        on_exit: vec![],
        userns: None,
        sandbox: false,
        generation: 0,
        apps: vec![PodApp {
            spec: AppSpec {
                name: "web".into(),
                argv: vec!["/bin/true".into()],
                cwd: "/".into(),
                ..Default::default()
            },
            layers: vec!["/var/lib/liftoff/layers/sha256/aa".into()],
            read_only: false,
            limits: Limits::default(),
            mounts: vec![],
            after: vec![],
            ready: None,
            restart: None,
            generation: 0,
            image: None,
        }],
    }
}
