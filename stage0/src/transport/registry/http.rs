//! The registry client: one per (registry, repository), shared by the threads that stream layers.
//!
//! On first use it pings `/v2/` over HTTPS (falling back to plain HTTP only where that is allowed,
//! with a warning), answers the auth challenge for the repository's scope, and then attaches the
//! resulting `Authorization` to every request to the registry's own origin (never to a redirect
//! target or another host). A 401 later (an expired token) re-authenticates once.

use super::auth::{self, Challenge, MAX_TOKEN_RESPONSE};
use super::creds::{self, Credentials};
use super::rate::{MinRate, RateMeter, TooSlow};
use super::{tls, RegistryError, RegistryOptions, DOCKER_HUB_ENDPOINT};
use crate::reference::{ImageName, DEFAULT_DOMAIN};
use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;
use ureq::http::Response;
use ureq::Body;

/// Connection setup (TCP and TLS).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Waiting for response headers.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest silence while reading a body.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Redirects followed (blob downloads are often redirected to a CDN).
pub const MAX_REDIRECTS: u32 = 5;
/// Largest response header block.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Largest error body read for its message.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// An HTTP method with its body.
pub enum Method<'a> {
    Get,
    Head,
    Put(&'a [u8]),
    /// A PUT whose body is streamed from a file (a layer blob): sent with its Content-Length, read
    /// from the start on every attempt, never held in memory.
    PutFile(&'a std::fs::File),
    Post(&'a [u8]),
}

impl Method<'_> {
    fn name(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Put(_) | Method::PutFile(_) => "PUT",
            Method::Post(_) => "POST",
        }
    }
}

#[derive(Default)]
struct State {
    /// `https://host[:port]` or `http://…` once the ping decided.
    base: Option<String>,
    /// The Authorization header value for this repository's scope, if the registry wants one.
    auth: Option<String>,
    /// The challenge the registry gave, to answer again when a token expires.
    challenges: Vec<Challenge>,
}

/// A client for one repository of one registry.
pub struct Client {
    /// The registry as the image name spells it (`docker.io`, `127.0.0.1:5000`).
    registry: String,
    /// The host to connect to (`registry-1.docker.io` for docker.io).
    endpoint: String,
    /// The repository path (`library/busybox`).
    path: String,
    push: bool,
    agent: ureq::Agent,
    http_allowed: bool,
    certs_dir: String,
    creds: Option<Credentials>,
    helpers: Vec<String>,
    min_rate: MinRate,
    state: Mutex<State>,
}

fn agent(tls: ureq::tls::TlsConfig) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(MAX_REDIRECTS)
        .max_redirects_will_error(true)
        .max_response_header_size(MAX_HEADER_BYTES)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_recv_response(Some(RESPONSE_TIMEOUT))
        .timeout_per_read(Some(READ_TIMEOUT))
        .user_agent(concat!("liftoff/", env!("CARGO_PKG_VERSION")))
        .accept_encoding("identity")
        .tls_config(tls)
        .build()
        .into()
}

/// Strips control characters and bounds a registry-supplied string before it enters a message.
pub fn sanitize(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

/// The `: CODE: message` suffix from a distribution error body, if it has one.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct E {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    #[derive(serde::Deserialize)]
    struct Errs {
        #[serde(default)]
        errors: Vec<E>,
    }
    match serde_json::from_slice::<Errs>(body) {
        Ok(e) if !e.errors.is_empty() => {
            let parts: Vec<String> = e
                .errors
                .iter()
                .take(3)
                .map(|e| sanitize(&format!("{}: {}", e.code, e.message), 200))
                .collect();
            format!(" ({})", parts.join("; "))
        }
        _ => String::new(),
    }
}

impl Client {
    /// A client for the repository of `name`; `push` asks for push rights too.
    pub fn new(
        name: &ImageName,
        opts: &RegistryOptions,
        push: bool,
    ) -> Result<Client, RegistryError> {
        let registry = name.domain.clone();
        let endpoint = if registry == DEFAULT_DOMAIN {
            DOCKER_HUB_ENDPOINT.to_string()
        } else {
            registry.clone()
        };
        let certs_dir = opts.certs_dir();
        let setup = tls::setup(&certs_dir, &registry, &opts.tls_ca)?;
        let found = creds::lookup(
            &registry,
            &name.repository(),
            opts.creds.as_ref(),
            opts.authfile.as_deref(),
        )?;
        if let Some(c) = &found.creds {
            tracing::debug!(
                "registry {registry}: using credentials of user {:?} from {}",
                c.user,
                c.origin
            );
        }
        Ok(Client {
            http_allowed: opts.http_allowed(&registry),
            registry,
            endpoint,
            path: name.path.clone(),
            push,
            agent: agent(tls::config(&setup)),
            certs_dir: certs_dir.display().to_string(),
            creds: found.creds,
            helpers: found.helpers,
            min_rate: opts.min_rate,
            state: Mutex::new(State::default()),
        })
    }

    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// `host/path`, for messages.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.registry, self.path)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The minimum transfer rate bodies from this registry must keep.
    pub fn min_rate(&self) -> MinRate {
        self.min_rate
    }

    /// The error for a body that fell below the minimum rate.
    pub fn too_slow(&self, what: &str, t: TooSlow) -> RegistryError {
        RegistryError::TooSlow {
            registry: self.registry.clone(),
            what: what.to_string(),
            rate: t.rate(),
            secs: t.elapsed.as_secs_f64(),
            min_rate: self.min_rate.bytes_per_sec,
        }
    }

    /// Reads a whole body, at most `limit` bytes, at no less than the minimum rate.
    pub fn read_limited(&self, resp: Response<Body>, limit: u64) -> Result<Vec<u8>, Limited> {
        read_limited(resp, limit, self.min_rate)
    }

    /// [`Client::read_limited`] with its failures as errors naming `what` (fetched from `url`).
    fn read_body(
        &self,
        resp: Response<Body>,
        limit: u64,
        what: &str,
        url: &str,
    ) -> Result<Vec<u8>, RegistryError> {
        self.read_limited(resp, limit).map_err(|e| match e {
            Limited::TooLarge => RegistryError::TooLarge {
                registry: self.registry.clone(),
                what: what.to_string(),
                limit,
            },
            Limited::TooSlow(t) => self.too_slow(what, t),
            Limited::Io(e) => self.map_err(e, url),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Maps a transport-level failure to an error that says what to do.
    pub fn map_err(&self, e: ureq::Error, url: &str) -> RegistryError {
        let https = url.starts_with("https://");
        let connect = |reason: String| RegistryError::Connect {
            registry: self.registry.clone(),
            url: url_for_message(url),
            reason,
            hint: if self.http_allowed || https {
                ""
            } else {
                " (this address was tried over plain HTTP)"
            },
        };
        let tls = |reason: String| RegistryError::Tls {
            registry: self.registry.clone(),
            reason,
            certs_dir: self.certs_dir.clone(),
        };
        match e {
            ureq::Error::Timeout(t) => RegistryError::Timeout {
                registry: self.registry.clone(),
                url: url_for_message(url),
                phase: t.to_string(),
            },
            ureq::Error::HostNotFound => connect("host not found".into()),
            ureq::Error::ConnectionFailed => connect("connection failed".into()),
            ureq::Error::Io(io) => {
                let tlsish = https
                    && (io.kind() == std::io::ErrorKind::InvalidData
                        || io.to_string().to_ascii_lowercase().contains("certificate"));
                if tlsish && io.to_string().contains("InvalidContentType") {
                    tls("the server did not answer in TLS (a plain-HTTP registry?)".into())
                } else if tlsish {
                    tls(sanitize(&io.to_string(), 300))
                } else {
                    connect(sanitize(&io.to_string(), 300))
                }
            }
            ureq::Error::Tls(s) => tls(s.to_string()),
            ureq::Error::Rustls(r) => tls(sanitize(&r.to_string(), 300)),
            ureq::Error::TooManyRedirects => RegistryError::Protocol {
                registry: self.registry.clone(),
                reason: format!(
                    "more than {MAX_REDIRECTS} redirects for {}",
                    url_for_message(url)
                ),
            },
            ureq::Error::LargeResponseHeader(..) => RegistryError::TooLarge {
                registry: self.registry.clone(),
                what: "response headers".into(),
                limit: MAX_HEADER_BYTES as u64,
            },
            other => {
                let s = sanitize(&other.to_string(), 300);
                if https && s.to_ascii_lowercase().contains("tls") {
                    tls(s)
                } else {
                    RegistryError::Protocol {
                        registry: self.registry.clone(),
                        reason: format!("{}: {s}", url_for_message(url)),
                    }
                }
            }
        }
    }

    fn exec(
        &self,
        method: &Method,
        url: &str,
        headers: &[(&str, String)],
    ) -> Result<Response<Body>, ureq::Error> {
        macro_rules! with_headers {
            ($b:expr) => {{
                let mut b = $b;
                for (k, v) in headers {
                    b = b.header(*k, v.as_str());
                }
                b
            }};
        }
        match method {
            Method::Get => with_headers!(self.agent.get(url)).call(),
            Method::Head => with_headers!(self.agent.head(url)).call(),
            Method::Put(body) => with_headers!(self.agent.put(url)).send(*body),
            Method::PutFile(file) => {
                // A 401 makes `send` try again with the same file: start from its beginning.
                std::io::Seek::seek(&mut &**file, std::io::SeekFrom::Start(0))
                    .map_err(ureq::Error::Io)?;
                with_headers!(self.agent.put(url)).send(*file)
            }
            Method::Post(body) => with_headers!(self.agent.post(url)).send(*body),
        }
    }

    /// The base URL (`scheme://endpoint`), pinging the registry the first time.
    pub fn base(&self) -> Result<String, RegistryError> {
        if let Some(b) = self.lock().base.clone() {
            return Ok(b);
        }
        let https = format!("https://{}", self.endpoint);
        let (base, resp) = match self.exec(&Method::Get, &format!("{https}/v2/"), &[]) {
            Ok(r) => (https, r),
            Err(e) => {
                let err = self.map_err(e, &format!("{https}/v2/"));
                if !self.http_allowed {
                    return Err(err);
                }
                let http = format!("http://{}", self.endpoint);
                tracing::debug!(
                    "registry {}: HTTPS failed ({err}); trying plain HTTP",
                    self.registry
                );
                match self.exec(&Method::Get, &format!("{http}/v2/"), &[]) {
                    // Anything but a registry's answer (a TLS server's 400 to plain HTTP, say)
                    // means HTTPS was right and its failure is the one to report.
                    Ok(r) if !matches!(r.status().as_u16(), 200 | 401) => return Err(err),
                    Ok(r) => {
                        liftoff_stage2::warning!(
                            "registry {} is reached over plain HTTP (allowed by configuration or \
                             --insecure-options=http): the connection is neither private nor authenticated; \
                             only signature verification protects what is fetched.",
                            self.registry
                        );
                        (http, r)
                    }
                    Err(e2) => {
                        let e2 = self.map_err(e2, &format!("{http}/v2/"));
                        // Report the HTTP failure when HTTPS failed at the TLS level (the server is
                        // there but does not speak TLS), the HTTPS one otherwise.
                        return Err(if matches!(err, RegistryError::Tls { .. }) {
                            e2
                        } else {
                            err
                        });
                    }
                }
            }
        };
        let status = resp.status().as_u16();
        let challenges = challenges_of(&resp);
        drop(resp);
        match status {
            200..=299 => {}
            401 => {
                let header = self.authenticate(&base, &challenges)?;
                let mut st = self.lock();
                st.auth = header;
                st.challenges = challenges;
            }
            404 => {
                return Err(RegistryError::Protocol {
                    registry: self.registry.clone(),
                    reason: format!(
                        "{base}/v2/ answered 404: this is not an OCI distribution (v2) registry"
                    ),
                })
            }
            s => {
                return Err(RegistryError::Status {
                    registry: self.registry.clone(),
                    repository: self.repository(),
                    what: "the API version check (/v2/)".into(),
                    status: s,
                    detail: String::new(),
                })
            }
        }
        tracing::debug!("registry {}: using {base}", self.registry);
        self.lock().base = Some(base.clone());
        Ok(base)
    }

    /// Answers a 401's challenges for this repository's scope: the Authorization header value to
    /// use, or None when no auth is possible (then the request will fail with AuthRequired).
    fn authenticate(
        &self,
        base: &str,
        challenges: &[Challenge],
    ) -> Result<Option<String>, RegistryError> {
        let bearer = challenges.iter().find_map(|c| match c {
            Challenge::Bearer {
                realm,
                service,
                scope: _,
            } => Some((realm.clone(), service.clone())),
            _ => None,
        });
        if let Some((realm, service)) = bearer {
            return self.token(base, &realm, service.as_deref()).map(Some);
        }
        if challenges.contains(&Challenge::Basic) {
            return match &self.creds {
                Some(c) if !c.user.is_empty() => Ok(Some(c.basic_header())),
                _ => Err(self.auth_required()),
            };
        }
        Err(RegistryError::Protocol {
            registry: self.registry.clone(),
            reason: format!(
                "asks for authentication with a scheme liftoff does not speak ({:?}); only Bearer and Basic are supported",
                challenges
            ),
        })
    }

    fn auth_required(&self) -> RegistryError {
        if !self.helpers.is_empty() {
            liftoff_stage2::warning!(
                "credential helpers are not run by liftoff; found: {}",
                self.helpers.join(", ")
            );
        }
        RegistryError::AuthRequired {
            registry: self.registry.clone(),
            repository: self.repository(),
        }
    }

    fn bad_credentials(&self, detail: String) -> RegistryError {
        match &self.creds {
            Some(c) => RegistryError::BadCredentials {
                registry: self.registry.clone(),
                repository: self.repository(),
                origin: format!("of user {:?} from {}", c.user, c.origin),
                detail,
            },
            None => self.auth_required(),
        }
    }

    /// Gets a bearer token from `realm` for this repository's scope.
    fn token(
        &self,
        base: &str,
        realm: &str,
        service: Option<&str>,
    ) -> Result<String, RegistryError> {
        let proto = |reason: String| RegistryError::Protocol {
            registry: self.registry.clone(),
            reason,
        };
        let mut url = url::Url::parse(realm).map_err(|_| {
            proto(format!(
                "its token realm {:?} is not a URL",
                sanitize(realm, 200)
            ))
        })?;
        match url.scheme() {
            "https" => {}
            "http" if self.http_allowed || base.starts_with("http://") => {}
            "http" => {
                return Err(RegistryError::HttpNotAllowed {
                    registry: self.registry.clone(),
                    reason: format!("its token server {} is plain HTTP", url_for_message(realm)),
                })
            }
            s => return Err(proto(format!("its token realm has scheme {s:?}"))),
        }
        let scope = auth::scope(&self.path, self.push);
        let mut headers = Vec::new();
        let resp = match self.creds.as_ref().and_then(|c| c.identity_token.as_ref()) {
            Some(refresh) => {
                // OAuth2 refresh-token grant, as docker does with an identity token.
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                form.append_pair("grant_type", "refresh_token")
                    .append_pair("refresh_token", refresh)
                    .append_pair("client_id", "liftoff")
                    .append_pair("scope", &scope);
                if let Some(s) = service {
                    form.append_pair("service", s);
                }
                let body = form.finish();
                headers.push((
                    "Content-Type",
                    "application/x-www-form-urlencoded".to_string(),
                ));
                self.exec(&Method::Post(body.as_bytes()), url.as_str(), &headers)
            }
            None => {
                {
                    let mut q = url.query_pairs_mut();
                    if let Some(s) = service {
                        q.append_pair("service", s);
                    }
                    q.append_pair("scope", &scope);
                    if let Some(c) = &self.creds {
                        q.append_pair("account", &c.user);
                    }
                }
                if let Some(c) = &self.creds {
                    headers.push(("Authorization", c.basic_header()));
                }
                self.exec(&Method::Get, url.as_str(), &headers)
            }
        }
        .map_err(|e| self.map_err(e, realm))?;
        let status = resp.status().as_u16();
        let body = self.read_body(resp, MAX_TOKEN_RESPONSE, "a token response", realm)?;
        match status {
            200 => auth::parse_token(&self.registry, &body).map(|t| format!("Bearer {t}")),
            401 => Err(self.bad_credentials(error_detail(&body))),
            403 => Err(RegistryError::Denied {
                registry: self.registry.clone(),
                repository: self.repository(),
                detail: error_detail(&body),
            }),
            s => Err(RegistryError::Status {
                registry: self.registry.clone(),
                repository: self.repository(),
                what: format!("a token from {}", url_for_message(realm)),
                status: s,
                detail: error_detail(&body),
            }),
        }
    }

    /// Sends a request to `path_or_url` (a path under the base, or an absolute URL from a Location
    /// header). Auth goes only to the registry's own origin; a 401 re-authenticates once.
    pub fn send(
        &self,
        method: Method,
        path_or_url: &str,
        headers: &[(&str, String)],
    ) -> Result<Response<Body>, RegistryError> {
        let base = self.base()?;
        let url = if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else {
            format!("{base}{path_or_url}")
        };
        let same_origin = url == base || url.starts_with(&format!("{base}/"));
        for attempt in 0..2 {
            let mut h: Vec<(&str, String)> = headers.to_vec();
            if same_origin {
                if let Some(a) = self.lock().auth.clone() {
                    h.push(("Authorization", a));
                }
            }
            tracing::debug!("{} {}", method.name(), url_for_message(&url));
            let resp = self
                .exec(&method, &url, &h)
                .map_err(|e| self.map_err(e, &url))?;
            if resp.status().as_u16() != 401 || !same_origin {
                return Ok(resp);
            }
            let challenges = challenges_of(&resp);
            let had_auth = self.lock().auth.is_some();
            if attempt == 1 || challenges.is_empty() {
                return Err(if had_auth {
                    self.bad_credentials(error_detail(
                        &self.read_limited(resp, MAX_ERROR_BODY).unwrap_or_default(),
                    ))
                } else {
                    self.auth_required()
                });
            }
            // An expired token, or a registry that wants auth only past /v2/: answer again.
            let header = self.authenticate(&base, &challenges)?;
            let mut st = self.lock();
            st.auth = header;
            st.challenges = challenges;
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// Turns an unexpected status into an error naming `what` (a manifest, a blob…).
    pub fn status_error(&self, resp: Response<Body>, what: &str) -> RegistryError {
        let status = resp.status().as_u16();
        let body = self.read_limited(resp, MAX_ERROR_BODY).unwrap_or_default();
        let detail = error_detail(&body);
        match status {
            401 => self.bad_credentials(detail),
            403 => RegistryError::Denied {
                registry: self.registry.clone(),
                repository: self.repository(),
                detail,
            },
            404 => RegistryError::NotFound {
                registry: self.registry.clone(),
                repository: self.repository(),
                what: what.to_string(),
                detail,
            },
            s => RegistryError::Status {
                registry: self.registry.clone(),
                repository: self.repository(),
                what: what.to_string(),
                status: s,
                detail,
            },
        }
    }

    /// GETs a small document (manifest, signature payload), refusing more than `limit` bytes
    /// (by Content-Length before reading, and while reading). Returns the bytes and the media type.
    pub fn get_small(
        &self,
        path: &str,
        accept: &str,
        limit: u64,
        what: &str,
    ) -> Result<Option<Small>, RegistryError> {
        let mut headers = Vec::new();
        if !accept.is_empty() {
            headers.push(("Accept", accept.to_string()));
        }
        let resp = self.send(Method::Get, path, &headers)?;
        match resp.status().as_u16() {
            200 => {}
            404 => return Ok(None),
            _ => return Err(self.status_error(resp, what)),
        }
        if resp.body().content_length().is_some_and(|n| n > limit) {
            return Err(RegistryError::TooLarge {
                registry: self.registry.clone(),
                what: what.to_string(),
                limit,
            });
        }
        let media_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.split(';').next().unwrap_or(s).trim().to_string())
            .filter(|s| !s.is_empty());
        let body = self.read_body(resp, limit, what, path)?;
        Ok(Some((body, media_type)))
    }
}

/// A small document and its media type (Content-Type without parameters).
pub type Small = (Vec<u8>, Option<String>);

/// Why a bounded read stopped.
pub enum Limited {
    TooLarge,
    TooSlow(TooSlow),
    Io(ureq::Error),
}

/// Reads a whole body, at most `limit` bytes, failing when it arrives slower than `min`.
pub fn read_limited(resp: Response<Body>, limit: u64, min: MinRate) -> Result<Vec<u8>, Limited> {
    let mut buf = Vec::new();
    let mut r = resp.into_body().into_reader().take(limit + 1);
    let mut meter = RateMeter::new(min);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Limited::Io(ureq::Error::Io(e))),
        };
        buf.extend_from_slice(&chunk[..n]);
        meter.record(n as u64).map_err(Limited::TooSlow)?;
    }
    if buf.len() as u64 > limit {
        return Err(Limited::TooLarge);
    }
    Ok(buf)
}

fn challenges_of(resp: &Response<Body>) -> Vec<Challenge> {
    auth::parse_challenges(
        resp.headers()
            .get_all("www-authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
}

/// A URL fit for a message: no query string (signed CDN URLs carry credentials there).
pub fn url_for_message(url: &str) -> String {
    let u = url.split(['?', '#']).next().unwrap_or(url);
    sanitize(u, 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_drop_queries_and_control_chars() {
        assert_eq!(
            url_for_message("https://cdn.example/blob?X-Amz-Signature=secret"),
            "https://cdn.example/blob"
        );
        assert_eq!(sanitize("a\nb\x1b[31m", 100), "a b [31m");
        assert_eq!(sanitize("abcdef", 3), "abc…");
    }

    #[test]
    fn error_details() {
        assert_eq!(
            error_detail(br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#),
            " (MANIFEST_UNKNOWN: manifest unknown)"
        );
        assert_eq!(error_detail(b"<html>"), "");
    }
}
