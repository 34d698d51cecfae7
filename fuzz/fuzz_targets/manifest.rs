//! Registry documents (`manifest`): what a document is (`classify`), image indexes and the
//! platform choice among their entries, image manifests, image configs, and cosign signature
//! manifests (`cosign::parse_sig_manifest`). All of these are read from registries and
//! archives before anything is trusted, so every byte of them is hostile.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::image_manifest::{
    classify, parse_config, parse_index, parse_manifest, select_platform, DOCKER_LIST,
    DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST,
};
use liftoff::platform::Platform;

fuzz_target!(|data: &[u8]| {
    let what = "fuzz input";
    for declared in [
        None,
        Some(OCI_INDEX),
        Some(OCI_MANIFEST),
        Some(DOCKER_LIST),
        Some(DOCKER_MANIFEST),
    ] {
        let _ = classify(data, declared, what);
    }
    if let Ok(entries) = parse_index(data, what) {
        for want in [
            "linux/amd64",
            "linux/arm64/v8",
            "linux/arm/v7",
            "windows/amd64",
        ] {
            let want = Platform::parse(want).expect("a valid platform");
            let _ = select_platform(&entries, &want, what);
        }
        let _ = select_platform(&entries, &Platform::host(), what);
    }
    let _ = parse_manifest(data, what);
    let _ = parse_config(data, what);
    let _ = liftoff::cosign::parse_sig_manifest(data);
});
