//! Registry credentials: `--creds USER:PASSWORD`, `--authfile FILE`, and the files users already
//! have, in the order the containers tools read them (containers-auth.json(5)):
//! `$REGISTRY_AUTH_FILE`, `${XDG_RUNTIME_DIR}/containers/auth.json` (root without a runtime dir:
//! `/run/containers/0/auth.json`), `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`,
//! `${DOCKER_CONFIG:-~/.docker}/config.json`, `~/.dockercfg`.
//!
//! Entries are matched most specific first (`host/ns/repo`, `host/ns`, `host`); the first file with
//! a match wins. Credential helpers (`credsStore`, `credHelpers`) are not run; a file that only
//! names one is reported so the user knows why no credentials were found.

use super::RegistryError;
use base64::Engine as _;
use std::fmt;
use std::path::{Path, PathBuf};

/// Largest credential file read.
const MAX_AUTH_FILE: u64 = 1 << 20;

/// A secret-bearing credential. Its `Debug` never shows the secret, and nothing in liftoff formats
/// `password` or `identity_token` into a message.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
    /// An OAuth2 refresh token (`identitytoken` in auth files), used instead of the password.
    pub identity_token: Option<String>,
    /// Where these came from, for messages: `--creds`, or the file's path.
    pub origin: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field(
                "identity_token",
                &self.identity_token.as_ref().map(|_| "<redacted>"),
            )
            .field("origin", &self.origin)
            .finish()
    }
}

impl std::str::FromStr for Credentials {
    type Err = String;

    /// Parses `USER:PASSWORD` (the password may contain ':').
    fn from_str(s: &str) -> Result<Self, String> {
        let Some((user, password)) = s.split_once(':') else {
            return Err("expected USER:PASSWORD".into());
        };
        if user.is_empty() {
            return Err("the user name is empty; expected USER:PASSWORD".into());
        }
        if password.is_empty() {
            return Err("the password is empty; expected USER:PASSWORD".into());
        }
        Ok(Credentials {
            user: user.to_string(),
            password: password.to_string(),
            identity_token: None,
            origin: "--creds".into(),
        })
    }
}

impl Credentials {
    /// The `Authorization` header value for basic auth.
    pub fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.user, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// The auth-file key a registry host is stored under, normalised as containers/image does:
/// `https://index.docker.io/v1/` and `index.docker.io` mean `docker.io`; a URL keeps only its host.
pub fn normalize_key(key: &str) -> String {
    let k = key.trim();
    let k = if let Some(rest) = k
        .strip_prefix("https://")
        .or_else(|| k.strip_prefix("http://"))
    {
        rest.split('/').next().unwrap_or(rest)
    } else {
        k
    };
    let k = k.trim_end_matches('/');
    let (host, path) = match k.split_once('/') {
        Some((h, p)) => (h, Some(p)),
        None => (k, None),
    };
    let host = match host {
        "index.docker.io" | "registry-1.docker.io" => "docker.io",
        h => h,
    };
    match path {
        Some(p) => format!("{host}/{p}"),
        None => host.to_string(),
    }
}

/// The files consulted when no `--authfile` is given, highest priority first.
pub fn default_auth_files() -> Vec<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let home = env("HOME");
    let mut v = Vec::new();
    if let Some(p) = env("REGISTRY_AUTH_FILE") {
        v.push(p);
    }
    match env("XDG_RUNTIME_DIR") {
        Some(d) => v.push(d.join("containers/auth.json")),
        None if rustix::process::geteuid().is_root() => {
            v.push(PathBuf::from("/run/containers/0/auth.json"))
        }
        None => {}
    }
    match (env("XDG_CONFIG_HOME"), &home) {
        (Some(c), _) => v.push(c.join("containers/auth.json")),
        (None, Some(h)) => v.push(h.join(".config/containers/auth.json")),
        _ => {}
    }
    match (env("DOCKER_CONFIG"), &home) {
        (Some(d), _) => v.push(d.join("config.json")),
        (None, Some(h)) => v.push(h.join(".docker/config.json")),
        _ => {}
    }
    if let Some(h) = &home {
        v.push(h.join(".dockercfg"));
    }
    v
}

/// What a lookup found.
#[derive(Debug, Default)]
pub struct Lookup {
    pub creds: Option<Credentials>,
    /// Files that name a credential helper for this registry (not run by liftoff).
    pub helpers: Vec<String>,
}

/// Finds credentials for `repository` (`host/path`) on registry `host`.
pub fn lookup(
    host: &str,
    repository: &str,
    explicit: Option<&Credentials>,
    authfile: Option<&Path>,
) -> Result<Lookup, RegistryError> {
    if let Some(c) = explicit {
        return Ok(Lookup {
            creds: Some(c.clone()),
            helpers: Vec::new(),
        });
    }
    let files = match authfile {
        Some(p) => vec![p.to_path_buf()],
        None => default_auth_files(),
    };
    let mut out = Lookup::default();
    for f in files {
        let text = match read_bounded(&f) {
            Ok(Some(t)) => t,
            Ok(None) if authfile.is_none() => continue,
            Ok(None) => {
                return Err(RegistryError::CredentialsFile {
                    path: f,
                    reason: "does not exist".into(),
                })
            }
            Err(e) => return Err(e),
        };
        let found = find_in(&f, &text, host, repository)?;
        if found.creds.is_some() {
            out.creds = found.creds;
            return Ok(out);
        }
        out.helpers.extend(found.helpers);
    }
    Ok(out)
}

fn read_bounded(p: &Path) -> Result<Option<String>, RegistryError> {
    use std::io::Read;
    let bad = |reason: String| RegistryError::CredentialsFile {
        path: p.to_path_buf(),
        reason,
    };
    let f = match std::fs::File::open(p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(format!("cannot read it: {e}"))),
    };
    let mut s = String::new();
    f.take(MAX_AUTH_FILE + 1)
        .read_to_string(&mut s)
        .map_err(|e| bad(format!("cannot read it: {e}")))?;
    if s.len() as u64 > MAX_AUTH_FILE {
        return Err(bad(format!("larger than {MAX_AUTH_FILE} bytes")));
    }
    Ok(Some(s))
}

#[derive(serde::Deserialize, Default)]
struct Entry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// Looks `host`/`repository` up in one file's text (auth.json, config.json or legacy .dockercfg).
pub fn find_in(
    path: &Path,
    text: &str,
    host: &str,
    repository: &str,
) -> Result<Lookup, RegistryError> {
    let bad = |reason: String| RegistryError::CredentialsFile {
        path: path.to_path_buf(),
        reason,
    };
    // Do not echo serde's message: it can quote the file's content (a secret) back.
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        bad(format!(
            "is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let auths = match v.get("auths") {
        Some(a) => a.clone(),
        // The legacy ~/.dockercfg is the auths map itself.
        None if path.file_name().is_some_and(|n| n == ".dockercfg") => v.clone(),
        None => serde_json::Value::Object(Default::default()),
    };
    let Some(auths) = auths.as_object() else {
        return Err(bad("\"auths\" is not an object".into()));
    };
    let mut by_key: std::collections::HashMap<String, &serde_json::Value> = Default::default();
    for (k, e) in auths {
        by_key.entry(normalize_key(k)).or_insert(e);
    }
    let host = normalize_key(host);
    let repo = normalize_key(repository);
    // Most specific first: host/a/b/c, host/a/b, host/a, host.
    let mut candidates = Vec::new();
    let mut cur = repo.as_str();
    loop {
        candidates.push(cur.to_string());
        match cur.rfind('/') {
            Some(i) if cur[..i].len() >= host.len() => cur = &cur[..i],
            _ => break,
        }
    }
    if !candidates.contains(&host) {
        candidates.push(host.clone());
    }
    let origin = path.display().to_string();
    for c in &candidates {
        let Some(raw) = by_key.get(c) else {
            continue;
        };
        let e: Entry = serde_json::from_value((*raw).clone())
            .map_err(|_| bad(format!("the entry for {c} is not an object of strings")))?;
        let (user, password) = match (&e.auth, &e.username, &e.password) {
            (Some(a), _, _) if !a.is_empty() => {
                let dec = base64::engine::general_purpose::STANDARD
                    .decode(a.trim())
                    .map_err(|_| bad(format!("the \"auth\" of {c} is not base64")))?;
                let s = String::from_utf8(dec)
                    .map_err(|_| bad(format!("the \"auth\" of {c} is not UTF-8")))?;
                let Some((u, p)) = s.split_once(':') else {
                    return Err(bad(format!(
                        "the \"auth\" of {c} does not decode to USER:PASSWORD"
                    )));
                };
                (u.to_string(), p.to_string())
            }
            (_, Some(u), Some(p)) => (u.clone(), p.clone()),
            _ => (String::new(), String::new()),
        };
        let token = e.identitytoken.filter(|t| !t.is_empty());
        if user.is_empty() && token.is_none() {
            continue;
        }
        return Ok(Lookup {
            creds: Some(Credentials {
                user,
                password,
                identity_token: token,
                origin: origin.clone(),
            }),
            helpers: Vec::new(),
        });
    }
    let mut helpers = Vec::new();
    if let Some(h) = v
        .get("credHelpers")
        .and_then(|h| h.as_object())
        .and_then(|m| m.get(&host).or_else(|| m.get(&format!("https://{host}"))))
        .and_then(|h| h.as_str())
    {
        helpers.push(format!("{origin} (credHelpers: docker-credential-{h})"));
    } else if let Some(h) = v.get("credsStore").and_then(|h| h.as_str()) {
        helpers.push(format!("{origin} (credsStore: docker-credential-{h})"));
    }
    Ok(Lookup {
        creds: None,
        helpers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn parses_creds_flag() {
        let c: Credentials = "bob:pa:ss".parse().unwrap();
        assert_eq!(c.user, "bob");
        assert_eq!(c.password, "pa:ss");
        assert!("bob".parse::<Credentials>().is_err());
        assert!(":x".parse::<Credentials>().is_err());
        assert!("x:".parse::<Credentials>().is_err());
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("pa:ss"), "{dbg}");
    }

    #[test]
    fn normalises_keys() {
        assert_eq!(normalize_key("https://index.docker.io/v1/"), "docker.io");
        assert_eq!(normalize_key("index.docker.io"), "docker.io");
        assert_eq!(normalize_key("http://r.example:5000"), "r.example:5000");
        assert_eq!(normalize_key("quay.io/team"), "quay.io/team");
    }

    #[test]
    fn most_specific_entry_wins() {
        let text = serde_json::json!({"auths": {
            "r.example": {"auth": b64("host:h")},
            "r.example/team": {"auth": b64("team:t")},
            "r.example/teamx": {"auth": b64("teamx:x")},
        }})
        .to_string();
        let p = Path::new("/x/auth.json");
        let f = |repo: &str| {
            find_in(p, &text, "r.example", repo)
                .unwrap()
                .creds
                .map(|c| c.user)
        };
        assert_eq!(f("r.example/team/app").as_deref(), Some("team"));
        assert_eq!(f("r.example/teamxy/app").as_deref(), Some("host"));
        assert_eq!(f("r.example/teamx").as_deref(), Some("teamx"));
        assert_eq!(
            find_in(p, &text, "other.example", "other.example/a")
                .unwrap()
                .creds,
            None
        );
    }

    #[test]
    fn docker_hub_legacy_key_and_helpers() {
        let text = serde_json::json!({
            "auths": {"https://index.docker.io/v1/": {"auth": b64("me:pw")}},
            "credsStore": "desktop",
        })
        .to_string();
        let p = Path::new("/home/u/.docker/config.json");
        let l = find_in(p, &text, "docker.io", "docker.io/library/busybox").unwrap();
        assert_eq!(l.creds.unwrap().password, "pw");
        let l = find_in(p, &text, "quay.io", "quay.io/a").unwrap();
        assert!(l.creds.is_none());
        assert!(l.helpers[0].contains("docker-credential-desktop"));
    }

    #[test]
    fn bad_files_do_not_echo_secrets() {
        let p = Path::new("/x/auth.json");
        let e = find_in(p, "{\"auths\": {\"h\": {\"auth\": \"s3cr3t", "h", "h/a")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("s3cr3t"), "{e}");
        let e = find_in(
            p,
            &serde_json::json!({"auths": {"h": {"auth": "s3cr3t!!"}}}).to_string(),
            "h",
            "h/a",
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("s3cr3t"), "{e}");
    }
}
