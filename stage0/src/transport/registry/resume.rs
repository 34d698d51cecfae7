//! Blob streams that survive a dropped connection: when a read fails (reset, timeout, the registry
//! restarted) or the body ends before its Content-Length, the stream is reopened with
//! `Range: bytes=<offset>-` and continues where it stopped, after a backoff. A registry that ignores
//! the range (200 instead of 206) is handled by skipping what was already read. Attempts are
//! bounded: [`MAX_FAILURES`] in a row without progress, [`MAX_RESUMES`] in all.
//!
//! The bytes handed out are exactly the blob's, in order, so the caller's hashing and size checks
//! see one continuous stream. The whole stream, reconnections included, must keep the registry's
//! minimum transfer rate ([`super::rate`]); falling below it ends the stream with an error that is
//! not retried, since a stalled registry would only stall again.

use super::http::{Client, Method};
use super::rate::RateMeter;
use super::RegistryError;
use crate::digest::Digest;
use std::io::{self, Read};
use std::time::Duration;
use ureq::http::Response;
use ureq::Body;

/// Consecutive failed attempts (without a byte of progress) before giving up.
pub const MAX_FAILURES: u32 = 7;
/// Reconnections per blob in all.
pub const MAX_RESUMES: u32 = 20;
/// First backoff; doubled after each failure without progress, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(250);
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);

type BodyRead = Box<dyn Read + Send + 'static>;

pub struct ResumingReader<'a> {
    client: &'a Client,
    path: String,
    digest: Digest,
    inner: Option<BodyRead>,
    offset: u64,
    /// The blob's length, from the first response's Content-Length.
    total: Option<u64>,
    failures: u32,
    resumes: u32,
    last_error: String,
    meter: RateMeter,
}

/// Whether a response status means "try again later".
fn transient_status(s: u16) -> bool {
    matches!(s, 408 | 429 | 500 | 502 | 503 | 504)
}

impl<'a> ResumingReader<'a> {
    /// Opens the blob; errors here (404, auth) are reported as they are, not retried, except
    /// transient ones.
    pub fn open(client: &'a Client, digest: &Digest) -> Result<Self, RegistryError> {
        let mut r = ResumingReader {
            client,
            path: format!("/v2/{}/blobs/{}", client.path(), digest),
            digest: digest.clone(),
            inner: None,
            offset: 0,
            total: None,
            failures: 0,
            resumes: 0,
            last_error: String::new(),
            meter: RateMeter::new(client.min_rate()),
        };
        loop {
            match r.connect() {
                Ok(b) => {
                    r.inner = Some(b);
                    return Ok(r);
                }
                Err(e) if e.is_transient() && r.failures + 1 < MAX_FAILURES => {
                    r.failures += 1;
                    tracing::debug!("blob {digest}: {e}; retrying");
                    std::thread::sleep(r.backoff());
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn backoff(&self) -> Duration {
        let b = FIRST_BACKOFF * 2u32.saturating_pow(self.failures.saturating_sub(1));
        b.min(MAX_BACKOFF)
    }

    fn what(&self) -> String {
        format!("blob {}", self.digest)
    }

    /// One GET from the current offset.
    fn connect(&mut self) -> Result<BodyRead, RegistryError> {
        let mut headers = Vec::new();
        if self.offset > 0 {
            headers.push(("Range", format!("bytes={}-", self.offset)));
        }
        let resp = self.client.send(Method::Get, &self.path, &headers)?;
        let status = resp.status().as_u16();
        match status {
            200 => {
                let len = resp.body().content_length();
                if self.total.is_none() {
                    self.total = len;
                }
                let mut body = into_reader(resp);
                if self.offset > 0 {
                    // The range was ignored: skip what we already handed out.
                    tracing::debug!(
                        "blob {}: registry ignored the range; skipping {} bytes",
                        self.digest,
                        self.offset
                    );
                    let skipped = io::copy(&mut (&mut body).take(self.offset), &mut io::sink())
                        .map_err(|e| self.client.map_err(ureq::Error::Io(e), &self.path))?;
                    if skipped != self.offset {
                        return Err(RegistryError::Connect {
                            registry: self.client.registry().to_string(),
                            url: self.path.clone(),
                            reason: "the body ended early while skipping to the resume point"
                                .into(),
                            hint: "",
                        });
                    }
                }
                Ok(body)
            }
            206 => {
                let start = resp
                    .headers()
                    .get("content-range")
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_content_range_start);
                if start != Some(self.offset) {
                    return Err(RegistryError::Protocol {
                        registry: self.client.registry().to_string(),
                        reason: format!(
                            "{}: asked to resume at byte {} but got Content-Range {}",
                            self.what(),
                            self.offset,
                            resp.headers()
                                .get("content-range")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("(none)")
                        ),
                    });
                }
                Ok(into_reader(resp))
            }
            s if transient_status(s) => Err(RegistryError::Status {
                registry: self.client.registry().to_string(),
                repository: self.client.repository(),
                what: self.what(),
                status: s,
                detail: String::new(),
            }),
            _ => Err(self.client.status_error(resp, &self.what())),
        }
    }

    /// Counts `n` bytes against the minimum rate; past it, the error that ends the stream.
    fn check_rate(&mut self, n: u64) -> io::Result<()> {
        self.meter
            .record(n)
            .map_err(|t| io::Error::other(self.client.too_slow(&self.what(), t)))
    }

    fn give_up(&self) -> io::Error {
        io::Error::other(RegistryError::GaveUp {
            registry: self.client.registry().to_string(),
            what: self.what(),
            attempts: self.resumes + 1,
            reason: self.last_error.clone(),
        })
    }
}

fn into_reader(resp: Response<Body>) -> BodyRead {
    Box::new(resp.into_body().into_reader())
}

/// `bytes 100-199/200` → 100.
fn parse_content_range_start(v: &str) -> Option<u64> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (start, _) = rest.split_once('-')?;
    start.trim().parse().ok()
}

impl Read for ResumingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.inner.is_none() {
                // Time spent failing and reconnecting counts against the rate too.
                self.check_rate(0)?;
                if self.resumes >= MAX_RESUMES || self.failures >= MAX_FAILURES {
                    return Err(self.give_up());
                }
                std::thread::sleep(self.backoff());
                self.resumes += 1;
                tracing::debug!(
                    "blob {}: resuming at byte {} (attempt {})",
                    self.digest,
                    self.offset,
                    self.resumes
                );
                match self.connect() {
                    Ok(b) => self.inner = Some(b),
                    Err(e) if e.is_transient() => {
                        self.failures += 1;
                        self.last_error = e.to_string();
                        continue;
                    }
                    Err(e) => return Err(io::Error::other(e)),
                }
            }
            let inner = self.inner.as_mut().expect("connected above");
            match inner.read(buf) {
                Ok(0) => {
                    if self.total.is_some_and(|t| self.offset < t) {
                        self.inner = None;
                        self.failures += 1;
                        self.last_error = format!(
                            "the connection closed at byte {} of {}",
                            self.offset,
                            self.total.unwrap_or(0)
                        );
                        continue;
                    }
                    return Ok(0);
                }
                Ok(n) => {
                    self.offset += n as u64;
                    self.failures = 0;
                    self.check_rate(n as u64)?;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.inner = None;
                    self.failures += 1;
                    self.last_error = e.to_string();
                    tracing::debug!(
                        "blob {}: read failed at byte {}: {e}",
                        self.digest,
                        self.offset
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(parse_content_range_start("bytes 100-199/200"), Some(100));
        assert_eq!(parse_content_range_start("bytes 0-0/*"), Some(0));
        assert_eq!(parse_content_range_start("items 1-2/3"), None);
        assert_eq!(parse_content_range_start("bytes x-1/2"), None);
    }
}
