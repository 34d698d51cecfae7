//! The distribution auth handshake: parse the `WWW-Authenticate` challenge of a 401, then either
//! answer a `Basic` challenge with the user's credentials, or obtain a bearer token from the
//! challenge's realm for `repository:<path>:<actions>` (anonymously, with basic credentials, or with
//! an OAuth2 refresh token), as docker/podman do.
//!
//! A token response is bounded ([`MAX_TOKEN_RESPONSE`], [`MAX_TOKEN`]) and a token must be
//! header-safe; a realm served over plain HTTP is only used when plain HTTP is allowed.

use super::RegistryError;
use serde::Deserialize;

/// Largest token response body read.
pub const MAX_TOKEN_RESPONSE: u64 = 256 * 1024;
/// Largest token accepted.
pub const MAX_TOKEN: usize = 64 * 1024;

/// One challenge of a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    Other(String),
}

/// Parses `WWW-Authenticate` values: one or more challenges `Scheme k=v, k="v", …` (RFC 7235),
/// possibly several per header. Garbage yields no challenge rather than an error.
pub fn parse_challenges<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    let mut out = Vec::new();
    for v in values {
        // At most this much of a header is looked at.
        let v = &v[..v.len().min(8192)];
        let mut cur: Option<(String, Vec<(String, String)>)> = None;
        let b = v.as_bytes();
        let mut i = 0;
        let finish = |c: Option<(String, Vec<(String, String)>)>, out: &mut Vec<Challenge>| {
            if let Some((scheme, params)) = c {
                out.push(to_challenge(&scheme, &params));
            }
        };
        while i < b.len() {
            while i < b.len() && (b[i] == b' ' || b[i] == b',' || b[i] == b'\t') {
                i += 1;
            }
            let start = i;
            while i < b.len() && !matches!(b[i], b' ' | b'\t' | b',' | b'=') {
                i += 1;
            }
            if start == i {
                i += 1;
                continue;
            }
            let tok = &v[start..i];
            // Skip spaces to see whether this token is a parameter name.
            let mut j = i;
            while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                j += 1;
            }
            if j < b.len() && b[j] == b'=' && cur.is_some() {
                j += 1;
                while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                    j += 1;
                }
                let mut val = String::new();
                if j < b.len() && b[j] == b'"' {
                    j += 1;
                    while j < b.len() && b[j] != b'"' {
                        if b[j] == b'\\' && j + 1 < b.len() {
                            j += 1;
                        }
                        val.push(b[j] as char);
                        j += 1;
                    }
                    j += 1;
                } else {
                    let s = j;
                    while j < b.len() && b[j] != b',' {
                        j += 1;
                    }
                    val = v[s..j].trim().to_string();
                }
                if let Some((_, params)) = cur.as_mut() {
                    params.push((tok.to_ascii_lowercase(), val));
                }
                i = j;
            } else {
                finish(cur.take(), &mut out);
                cur = Some((tok.to_string(), Vec::new()));
                i = j;
            }
        }
        finish(cur, &mut out);
    }
    out
}

fn to_challenge(scheme: &str, params: &[(String, String)]) -> Challenge {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => Challenge::Basic,
        "bearer" => match get("realm") {
            Some(realm) if !realm.is_empty() => Challenge::Bearer {
                realm,
                service: get("service"),
                scope: get("scope"),
            },
            _ => Challenge::Other("Bearer without a realm".into()),
        },
        other => Challenge::Other(other.to_string()),
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// Extracts the token from a token endpoint's JSON answer, refusing oversized or header-unsafe ones.
pub fn parse_token(registry: &str, body: &[u8]) -> Result<String, RegistryError> {
    let bad = |reason: &str| RegistryError::Protocol {
        registry: registry.to_string(),
        reason: format!("the token server's answer {reason}"),
    };
    let r: TokenResponse =
        serde_json::from_slice(body).map_err(|_| bad("is not the expected JSON"))?;
    let t = r
        .token
        .filter(|t| !t.is_empty())
        .or(r.access_token.filter(|t| !t.is_empty()))
        .ok_or_else(|| bad("has no token"))?;
    if t.len() > MAX_TOKEN {
        return Err(bad(&format!("holds a token over {MAX_TOKEN} bytes")));
    }
    if !t.bytes().all(|c| c.is_ascii_graphic()) {
        return Err(bad("holds a token with characters not allowed in a header"));
    }
    Ok(t)
}

/// The scope a client asks for: `repository:<path>:pull` or `…:pull,push`.
pub fn scope(repository_path: &str, push: bool) -> String {
    format!(
        "repository:{repository_path}:{}",
        if push { "pull,push" } else { "pull" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docker_hub_challenge() {
        let c = parse_challenges([
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#,
        ]);
        assert_eq!(
            c,
            vec![Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/busybox:pull".into()),
            }]
        );
    }

    #[test]
    fn parses_basic_and_multiple() {
        assert_eq!(
            parse_challenges([r#"Basic realm="Registry Realm""#]),
            vec![Challenge::Basic]
        );
        let c = parse_challenges([r#"Basic realm="x", Bearer realm="https://a/t", service=svc"#]);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0], Challenge::Basic);
        assert!(
            matches!(&c[1], Challenge::Bearer { realm, service, .. } if realm == "https://a/t" && service.as_deref() == Some("svc"))
        );
        assert_eq!(parse_challenges(["Bearer"]).len(), 1);
        assert!(matches!(
            parse_challenges(["Bearer"])[0],
            Challenge::Other(_)
        ));
        // Garbage does not panic.
        for g in [
            "",
            "=",
            "\"",
            ",,,",
            "Bearer realm=\"unterminated",
            "a=b=c, =d",
        ] {
            let _ = parse_challenges([g]);
        }
    }

    #[test]
    fn token_bounds() {
        assert_eq!(parse_token("r", br#"{"token":"abc"}"#).unwrap(), "abc");
        assert_eq!(
            parse_token("r", br#"{"access_token":"xyz","expires_in":60}"#).unwrap(),
            "xyz"
        );
        assert!(parse_token("r", br#"{"token":""}"#).is_err());
        assert!(parse_token("r", br#"{"token":"a b"}"#).is_err());
        assert!(parse_token("r", b"not json").is_err());
        let big = format!(r#"{{"token":"{}"}}"#, "a".repeat(MAX_TOKEN + 1));
        assert!(parse_token("r", big.as_bytes()).is_err());
    }
}
