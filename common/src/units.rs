//! Durations and sizes as people type them and as liftoff prints them.
//!
//! Durations: one or more `<integer><unit>` terms with units `ms`, `s`, `m`, `h`, `d`, `w`
//! (`90s`, `1h30m`, `500ms`, `2w`); a bare integer is seconds. [`format_duration`] prints the same
//! compound form, and parsing what it prints gives the duration back.
//!
//! Sizes are binary, as in podman and docker: `k`, `m`, `g` (any case, optionally followed by `b`, or
//! written `KiB`, `MiB`, `GiB`) are powers of 1024, so `256M` is 256 × 2^20 bytes; a bare number is
//! bytes. [`format_size`] prints binary sizes with IEC names (`256.0 MiB`), which [`parse_size`] reads
//! back; every table liftoff prints (`image list`, `image inspect`, `stats`) uses it, so a size is
//! shown in the units it is typed in.

use std::time::Duration;

const DURATION_UNITS: [(&str, u64); 6] = [
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
];

/// Parses `90s`, `1h30m`, `500ms`, `2w`, `0` (seconds when there is no unit). `None` for anything
/// else, including an empty string, a unit without a number and an overflow.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().map(Duration::from_secs);
    }
    let mut rest = s;
    let mut millis: u64 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let mult = DURATION_UNITS.iter().find(|(u, _)| *u == unit)?.1;
        millis = millis.checked_add(n.checked_mul(mult)?)?;
    }
    Some(Duration::from_millis(millis))
}

/// Prints a duration in the compound form [`parse_duration`] reads: `1h30m`, `90ms`, `0s`. Below a
/// millisecond is dropped; `w` is not used when printing, days are clearer for people.
pub fn format_duration(d: Duration) -> String {
    let mut ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, mult) in DURATION_UNITS.iter().skip(1) {
        if ms >= *mult {
            out.push_str(&format!("{}{unit}", ms / mult));
            ms %= mult;
        }
    }
    out
}

/// Parses a size: a positive number (fractions allowed) with an optional binary suffix `k`, `m`, `g`
/// (any case, optionally followed by `b`, or as `KiB`, `MiB`, `GiB`) or `b` for bytes.
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let t = t
        .strip_suffix("ib")
        .map(|x| x.to_string() + "b")
        .unwrap_or(t);
    let t = t
        .strip_suffix('b')
        .filter(|x| !x.is_empty() && x.ends_with(['k', 'm', 'g']))
        .unwrap_or(&t);
    let (num, mult) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 1u64 << 10),
        'm' => (&t[..t.len() - 1], 1 << 20),
        'g' => (&t[..t.len() - 1], 1 << 30),
        'b' => (&t[..t.len() - 1], 1),
        _ => (t, 1),
    };
    let v: f64 = num.parse().ok()?;
    if !(v.is_finite() && v > 0.0) {
        return None;
    }
    let b = (v * mult as f64) as u64;
    (b > 0).then_some(b)
}

fn scaled(n: u64, base: f64, names: &[&str]) -> String {
    let mut v = n as f64;
    let mut u = 0;
    while v >= base && u < names.len() - 1 {
        v /= base;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", names[u])
    }
}

/// A byte count in binary units, as [`parse_size`] reads them: `512 B`, `1.5 KiB`, `256.0 MiB`.
pub fn format_size(n: u64) -> String {
    scaled(n, 1024.0, &["B", "KiB", "MiB", "GiB", "TiB"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        let d = |s| parse_duration(s).map(|d| d.as_millis());
        assert_eq!(d("90s"), Some(90_000));
        assert_eq!(d("1h30m"), Some(5_400_000));
        assert_eq!(d("500ms"), Some(500));
        assert_eq!(d("2w"), Some(14 * 86_400_000));
        assert_eq!(d("90d"), Some(90 * 86_400_000));
        assert_eq!(d("45"), Some(45_000));
        assert_eq!(d("0s"), Some(0));
        assert_eq!(d(" 5m "), Some(300_000));
        for bad in [
            "",
            "m",
            "5x",
            "1h30",
            "-5s",
            "1.5h",
            "h1",
            "5 m",
            "99999999999999999999w",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_round_trip() {
        for ms in [
            0u64,
            1,
            500,
            1000,
            90_000,
            5_400_000,
            86_400_000 + 1,
            123_456_789,
        ] {
            let d = Duration::from_millis(ms);
            let s = format_duration(d);
            assert_eq!(parse_duration(&s), Some(d), "{s}");
        }
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1s500ms");
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn sizes_parse_binary() {
        assert_eq!(parse_size("256M"), Some(256 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("512kb"), Some(512 << 10));
        assert_eq!(parse_size("512KiB"), Some(512 << 10));
        assert_eq!(parse_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("100b"), Some(100));
        for bad in ["-1M", "lots", "", "0", "M", "ib"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn sizes_round_trip() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(256 << 20), "256.0 MiB");
        assert_eq!(format_size(1536), "1.5 KiB");
        for n in [512u64, 1536, 256 << 20, 3 << 29, 10 << 30] {
            let back = parse_size(&format_size(n).replace(' ', "")).unwrap();
            assert_eq!(back, n, "{}", format_size(n));
        }
    }
}
