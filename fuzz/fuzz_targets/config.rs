//! `/etc/liftoff/config.toml` (`config::Config::parse`) and the settings derived from it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::config::Config;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(c) = Config::parse(text, Path::new("config.toml")) {
        let _ = liftoff::unpack::UnpackLimits::from_config(&c.unpack);
        let r = liftoff::transport::registry::RegistryOptions::from_config(&c.registries);
        let _ = (
            r.manifest_limit(),
            r.certs_dir(),
            r.http_allowed("127.0.0.1:5000"),
        );
        let _ = liftoff::pod::request::NetSettings::from_config(&c.network);
        let _ = c.jobs();
    }
});
