//! Image names as users type them, normalised the way docker and podman do.
//!
//! `busybox` means `docker.io/library/busybox:latest`; a first component with a `.` or `:` or equal to
//! `localhost` is a registry host. Names are always stored fully normalised, so `busybox` and
//! `docker.io/library/busybox:latest` are the same image, and a trust prefix compares like with like.

use crate::digest::Digest;
use std::fmt;

pub const DEFAULT_DOMAIN: &str = "docker.io";
pub const DEFAULT_TAG: &str = "latest";

/// A normalised image reference: `domain/path[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageName {
    pub domain: String,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("image name {name:?} is not valid: {reason}")]
    Invalid { name: String, reason: String },
}

fn invalid(name: &str, reason: impl Into<String>) -> ReferenceError {
    ReferenceError::Invalid {
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// One path component: lowercase alphanumerics separated by `.`, `_`, `__` or runs of `-`.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let ch = b[i];
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__`, or one or more `-`.
        let start = i;
        match ch {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == start || i >= b.len() || !b[i].is_ascii_alphanumeric() {
            return false;
        }
    }
    true
}

fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// The distribution reference grammar's `domain`: dot-separated components of letters, digits and
/// inner '-' (or a bracketed IPv6 address), then an optional `:port`. Names address the trust
/// store (`prefix.d/<host>/…`), so `.`, `..`, empty components and anything else are refused here,
/// before a name is used anywhere.
fn valid_domain(d: &str) -> bool {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        match rest.split_once(']') {
            Some((v6, tail)) => {
                let ok = !v6.is_empty()
                    && v6.bytes().all(|c| c.is_ascii_hexdigit() || c == b':')
                    && v6.parse::<std::net::Ipv6Addr>().is_ok();
                if !ok {
                    return false;
                }
                match tail {
                    "" => return true,
                    t => match t.strip_prefix(':') {
                        Some(p) => ("", Some(p)),
                        None => return false,
                    },
                }
            }
            None => return false,
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d, None),
        }
    };
    if let Some(p) = port {
        if !matches!(p.parse::<u32>(), Ok(1..=65535)) || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    if d.starts_with('[') {
        return true;
    }
    let component = |c: &str| {
        !c.is_empty()
            && c.len() <= 63
            && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !c.starts_with('-')
            && !c.ends_with('-')
    };
    !host.is_empty() && host.len() <= 253 && host.split('.').all(component)
}

impl ImageName {
    /// Parses and normalises a reference. Adds `:latest` when neither tag nor digest is given.
    pub fn parse(s: &str) -> Result<Self, ReferenceError> {
        if s.is_empty() {
            return Err(invalid(s, "it is empty"));
        }
        if s.len() > 4096 {
            return Err(invalid(s, "it is longer than 4096 characters"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (
                r,
                Some(Digest::parse(d).map_err(|e| invalid(s, e.to_string()))?),
            ),
            None => (s, None),
        };
        // A tag is after the last ':' that follows the last '/'.
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (repo, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            if !valid_tag(t) {
                return Err(invalid(
                    s,
                    format!("tag {t:?} must be 1-128 of [A-Za-z0-9_.-], not starting with . or -"),
                ));
            }
        }
        let (domain, path) = match repo.split_once('/') {
            Some((first, remainder))
                if first.contains('.')
                    || first.contains(':')
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_string(), remainder.to_string())
            }
            _ => (DEFAULT_DOMAIN.to_string(), repo.to_string()),
        };
        let domain = if domain == "index.docker.io" {
            DEFAULT_DOMAIN.to_string()
        } else {
            domain
        };
        if !valid_domain(&domain) {
            return Err(invalid(
                s,
                format!("registry host {domain:?} is not a valid host[:port]"),
            ));
        }
        let path = if domain == DEFAULT_DOMAIN && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        if path.len() > 255 {
            return Err(invalid(s, "repository path is longer than 255 characters"));
        }
        for c in path.split('/') {
            if !valid_component(c) {
                return Err(invalid(
                    s,
                    format!("repository component {c:?} must be lowercase letters and digits separated by '.', '_', '__' or '-'"),
                ));
            }
        }
        let tag = match (tag, &digest) {
            (Some(t), _) => Some(t.to_string()),
            (None, None) => Some(DEFAULT_TAG.to_string()),
            (None, Some(_)) => None,
        };
        Ok(ImageName {
            domain,
            path,
            tag,
            digest,
        })
    }

    /// `domain/path`, without tag or digest.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }
}

impl fmt::Display for ImageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.domain, self.path)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        ImageName::parse(s).unwrap().to_string()
    }

    #[test]
    fn normalises_like_docker() {
        assert_eq!(n("busybox"), "docker.io/library/busybox:latest");
        assert_eq!(n("team/app:1"), "docker.io/team/app:1");
        assert_eq!(
            n("index.docker.io/library/alpine:3"),
            "docker.io/library/alpine:3"
        );
        assert_eq!(n("example.com/hello:1"), "example.com/hello:1");
        assert_eq!(n("localhost/hello"), "localhost/hello:latest");
        assert_eq!(n("127.0.0.1:5000/a/b:v1.2"), "127.0.0.1:5000/a/b:v1.2");
        assert_eq!(n("[::1]:5000/a:1"), "[::1]:5000/a:1");
        assert_eq!(n("[fe80::1]/a:1"), "[fe80::1]/a:1");
        assert_eq!(
            n("Registry-1.Example.com/a"),
            "Registry-1.Example.com/a:latest"
        );
        let d = format!("sha256:{}", "0".repeat(64));
        assert_eq!(
            n(&format!("example.com/x@{d}")),
            format!("example.com/x@{d}")
        );
        assert_eq!(
            n(&format!("example.com/x:1@{d}")),
            format!("example.com/x:1@{d}")
        );
    }

    #[test]
    fn refuses_bad_names() {
        for bad in [
            "",
            "example.com/UP",
            "a//b",
            "a/../b",
            "a/.b",
            "x:",
            "x:.t",
            "x@sha256:12",
            "example.com:port/x",
            "a/b-",
            "-a",
            "a b",
            "./x:1",
            "../prefix.d/example.com/demo/x",
            "../x",
            "./x",
            "..:5000/x",
            "a..b/x",
            ".example.com/x",
            "example.com./x",
            "-example.com/x",
            "exa_mple.com/x",
            "example.com:0/x",
            "example.com:65536/x",
            "example.com:50a0/x",
            "example.com:/x",
            "[zz::1]/x",
            "[::1/x",
            "[::1]x/x",
        ] {
            assert!(ImageName::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
