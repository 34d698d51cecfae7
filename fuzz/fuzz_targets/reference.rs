//! Image references as users type them (`ImageName::parse`), and the small parsers next to it:
//! digests and `os/arch[/variant]` platforms.
//!
//! Besides "no panic", a parsed name must be a fixed point of normalisation: its printed form
//! parses back to the same name. Trust prefixes and store entries compare printed names, so two
//! spellings of one name that normalise differently would be two names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff::digest::Digest;
use liftoff::platform::Platform;
use liftoff::reference::ImageName;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(n) = ImageName::parse(s) {
        let printed = n.to_string();
        let again = ImageName::parse(&printed)
            .unwrap_or_else(|e| panic!("{s:?} parsed as {printed:?}, which does not parse: {e}"));
        assert_eq!(
            again, n,
            "{s:?} → {printed:?} does not parse back to itself"
        );
        let _ = n.repository();
    }
    if let Ok(d) = Digest::parse(s) {
        let printed = d.to_string();
        assert_eq!(Digest::parse(&printed).ok(), Some(d.clone()), "{s:?}");
        let _ = (d.hex(), d.short());
    }
    if let Some(p) = Platform::parse(s) {
        let _ = Platform::host().score(&p);
    }
});
