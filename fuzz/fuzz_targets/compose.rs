//! Compose files (`liftoff run --pod compose.yaml`, `pod::compose::parse`): the YAML tree with its
//! alias, depth and duplicate-key bounds, interpolation, and the mapping onto one pod. Whatever the
//! bytes, it returns a request or an error naming a line; it never panics or grows without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::pod::compose;
use std::collections::HashMap;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let env: HashMap<String, String> = [("HOME", "/home/fuzz"), ("TAG", "1")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let _ = compose::parse(text, "compose.yaml", Path::new("/nonexistent/fuzz"), &env);
});
