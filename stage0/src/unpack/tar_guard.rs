//! A reader that sits below `tar::Archive` and polices the tar stream before the tar crate sees it.
//!
//! The tar crate reads PAX extended headers and GNU long-name/long-link bodies into memory in full,
//! whatever size their header declares, and follows chains of GNU sparse extension headers without
//! bound. A hostile layer could therefore make us allocate gigabytes before any of our own checks
//! run. This guard follows the same 512-byte block structure the tar crate follows (header, body
//! rounded up to 512, next header) and fails the stream as soon as a metadata header declares a body
//! over [`MAX_META_BYTES`] or a GNU sparse header appears. It also enforces the byte and header
//! budgets, and turns an end of stream in the middle of a header, body or padding into an error (the
//! tar crate would otherwise hand out a short file and treat the cut as a clean end).
//!
//! Following the structure from outside is only sound if the guard computes each body size exactly
//! as the tar crate does. Three rules matter, mirrored from tar 0.4.46 `archive.rs`:
//! - the size comes from `Header::entry_size` (octal or GNU base-256), computed here with the tar
//!   crate's own `Header` so both parse the same bytes the same way;
//! - a `size=` record in the PAX header (`x`) of a member overrides the size of that member's main
//!   header (not of the `L`/`K`/`x`/`g` headers in between); it is looked up with the same
//!   `PaxExtensions` iterator and the same first-match, stop-at-malformed rules;
//! - only `L`, `K` and `x` headers with a ustar or GNU magic are folded into the following member;
//!   any other header ends the member, which forgets the pending PAX records.
//!
//! GNU sparse entries (`S`) are the one place where the block structure depends on more than the
//! header and the PAX size (extension headers follow), and we refuse them anyway, so the guard stops
//! there. An all-zero block ends the archive for the tar crate; after it the guard only counts bytes.

use std::io::{self, Read};

/// Largest body accepted for a PAX (`x`, `g`) or GNU long-name/long-link (`L`, `K`) header. Real
/// ones hold a few paths and xattrs; 1 MiB leaves room for large xattrs and bounds memory.
pub(crate) const MAX_META_BYTES: u64 = 1 << 20;

const BLOCK: usize = 512;

/// Why the guard stopped the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GuardError {
    TooManyBytes {
        limit: u64,
    },
    TooManyEntries {
        limit: u64,
    },
    /// A metadata header declares a body larger than [`MAX_META_BYTES`].
    MetaTooLarge {
        entry: String,
        typeflag: u8,
        size: u64,
    },
    /// A GNU sparse header, named as the tar crate would name it.
    Sparse {
        entry: String,
    },
    /// The stream ended inside a header, body or padding.
    Truncated,
    /// A header field the tar crate could not parse either.
    Malformed(String),
}

impl GuardError {
    fn to_io(&self) -> io::Error {
        let kind = match self {
            GuardError::Truncated => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::InvalidData,
        };
        let msg = match self {
            GuardError::TooManyBytes { limit } => format!("layer exceeds {limit} bytes"),
            GuardError::TooManyEntries { limit } => format!("layer exceeds {limit} entries"),
            GuardError::MetaTooLarge { size, .. } => {
                format!("metadata header declares {size} bytes")
            }
            GuardError::Sparse { .. } => "GNU sparse entry".to_string(),
            GuardError::Truncated => "tar stream ends inside an entry".to_string(),
            GuardError::Malformed(m) => m.clone(),
        };
        io::Error::new(kind, msg)
    }
}

enum State {
    /// Collecting the next 512-byte header.
    Header {
        buf: Box<[u8; BLOCK]>,
        filled: usize,
    },
    /// Inside a body (`body` bytes left), then its padding (`pad` bytes left).
    Body {
        body: u64,
        pad: u64,
        capture: Option<Capture>,
    },
    /// After the end-of-archive block; the tar crate reads nothing more.
    End,
}

/// Bodies the guard keeps (bounded by [`MAX_META_BYTES`]): PAX records for the size override, and
/// long names to name a refused sparse entry the way the tar crate would.
enum Capture {
    Pax(Vec<u8>),
    LongName(Vec<u8>),
}

pub(crate) struct TarGuard<R> {
    inner: R,
    max_bytes: u64,
    max_entries: u64,
    consumed: u64,
    headers: u64,
    state: State,
    pax: Option<Vec<u8>>,
    longname: Option<Vec<u8>>,
    failure: Option<GuardError>,
}

impl<R: Read> TarGuard<R> {
    pub(crate) fn new(inner: R, max_bytes: u64, max_entries: u64) -> Self {
        TarGuard {
            inner,
            max_bytes,
            max_entries,
            consumed: 0,
            headers: 0,
            state: new_header_state(),
            pax: None,
            longname: None,
            failure: None,
        }
    }

    /// Bytes read from the underlying stream so far.
    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Why the guard failed the stream, if it did. Takes precedence over whatever error the tar
    /// crate or the extractor made of it.
    pub(crate) fn failure(&self) -> Option<&GuardError> {
        self.failure.as_ref()
    }

    fn at_eof(&self) -> Result<(), GuardError> {
        match &self.state {
            State::End => Ok(()),
            // A stream that stops exactly between members has no end-of-archive blocks; the tar
            // crate (like Go's archive/tar) takes that as the end. Layer integrity is the diff_id's
            // job, so we accept it too.
            State::Header { filled: 0, .. } => Ok(()),
            _ => Err(GuardError::Truncated),
        }
    }

    fn observe(&mut self, mut data: &[u8]) -> Result<(), GuardError> {
        while !data.is_empty() {
            match &mut self.state {
                State::End => return Ok(()),
                State::Header { buf, filled } => {
                    let take = (BLOCK - *filled).min(data.len());
                    buf[*filled..*filled + take].copy_from_slice(&data[..take]);
                    *filled += take;
                    data = &data[take..];
                    if *filled == BLOCK {
                        let block: [u8; BLOCK] = **buf;
                        self.on_header(&block)?;
                    }
                }
                State::Body { body, pad, capture } => {
                    if *body > 0 {
                        let take = usize::try_from(*body).map_or(data.len(), |b| b.min(data.len()));
                        match capture {
                            Some(Capture::Pax(v)) | Some(Capture::LongName(v)) => {
                                v.extend_from_slice(&data[..take])
                            }
                            None => {}
                        }
                        *body -= take as u64;
                        data = &data[take..];
                    } else {
                        let take = usize::try_from(*pad).map_or(data.len(), |p| p.min(data.len()));
                        *pad -= take as u64;
                        data = &data[take..];
                    }
                    if *body == 0 && *pad == 0 {
                        self.end_body();
                    }
                }
            }
        }
        Ok(())
    }

    fn end_body(&mut self) {
        let old = std::mem::replace(&mut self.state, new_header_state());
        if let State::Body {
            capture: Some(c), ..
        } = old
        {
            match c {
                Capture::Pax(v) => self.pax = Some(v),
                Capture::LongName(v) => self.longname = Some(v),
            }
        }
    }

    fn on_header(&mut self, block: &[u8; BLOCK]) -> Result<(), GuardError> {
        if block.iter().all(|&b| b == 0) {
            self.state = State::End;
            return Ok(());
        }
        self.headers += 1;
        if self.headers > self.max_entries {
            return Err(GuardError::TooManyEntries {
                limit: self.max_entries,
            });
        }
        let mut h = tar::Header::new_old();
        h.as_mut_bytes().copy_from_slice(block);
        let t = h.entry_type();
        let is_ext = t.is_gnu_longname()
            || t.is_gnu_longlink()
            || t.is_pax_local_extensions()
            || t.is_pax_global_extensions();
        let recognized = h.as_gnu().is_some() || h.as_ustar().is_some();
        let mut size = h
            .entry_size()
            .map_err(|e| GuardError::Malformed(e.to_string()))?;
        if !is_ext {
            if let Some(s) = self.pax.as_deref().and_then(pax_size) {
                size = s;
            }
        }
        if is_ext && size > MAX_META_BYTES {
            return Err(GuardError::MetaTooLarge {
                entry: String::from_utf8_lossy(&h.path_bytes()).into_owned(),
                typeflag: t.as_byte(),
                size,
            });
        }
        if t.is_gnu_sparse() {
            return Err(GuardError::Sparse {
                entry: self.member_name(&h),
            });
        }
        let capture = if recognized && t.is_pax_local_extensions() {
            Some(Capture::Pax(Vec::with_capacity(size as usize)))
        } else if recognized && t.is_gnu_longname() {
            Some(Capture::LongName(Vec::with_capacity(size as usize)))
        } else {
            None
        };
        let folded = recognized
            && (t.is_gnu_longname() || t.is_gnu_longlink() || t.is_pax_local_extensions());
        if !folded {
            self.pax = None;
            self.longname = None;
        }
        let pad = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
        self.state = State::Body {
            body: size,
            pad,
            capture,
        };
        if size == 0 {
            self.end_body();
        }
        Ok(())
    }

    /// The member's path as the tar crate reports it: GNU long name, else PAX `path`, else header.
    fn member_name(&self, h: &tar::Header) -> String {
        if let Some(n) = &self.longname {
            let n = n.strip_suffix(&[0]).unwrap_or(n);
            return String::from_utf8_lossy(n).into_owned();
        }
        if let Some(p) = &self.pax {
            let path = tar::PaxExtensions::new(p)
                .filter_map(|e| e.ok())
                .find(|e| e.key_bytes() == b"path")
                .map(|e| e.value_bytes());
            if let Some(path) = path {
                return String::from_utf8_lossy(path).into_owned();
            }
        }
        String::from_utf8_lossy(&h.path_bytes()).into_owned()
    }
}

fn new_header_state() -> State {
    State::Header {
        buf: Box::new([0; BLOCK]),
        filled: 0,
    }
}

/// The PAX `size=` value exactly as tar 0.4.46 (`pax_extensions_value`) finds it: the first `size`
/// record wins, and a malformed record before it, or an unparsable value, means no override.
fn pax_size(data: &[u8]) -> Option<u64> {
    for ext in tar::PaxExtensions::new(data) {
        let ext = ext.ok()?;
        if ext.key() != Ok("size") {
            continue;
        }
        return ext.value().ok()?.parse::<u64>().ok();
    }
    None
}

impl<R: Read> Read for TarGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(f) = &self.failure {
            return Err(f.to_io());
        }
        if buf.is_empty() {
            return Ok(0);
        }
        // Read at most one byte past the budget: enough to know it was exceeded.
        let budget = self
            .max_bytes
            .saturating_sub(self.consumed)
            .saturating_add(1);
        let want = usize::try_from(budget).map_or(buf.len(), |b| b.min(buf.len()));
        let n = self.inner.read(&mut buf[..want])?;
        self.consumed = self.consumed.saturating_add(n as u64);
        let checked = if self.consumed > self.max_bytes {
            Err(GuardError::TooManyBytes {
                limit: self.max_bytes,
            })
        } else if n == 0 {
            self.at_eof()
        } else {
            self.observe(&buf[..n])
        };
        match checked {
            Ok(()) => Ok(n),
            Err(e) => {
                let io = e.to_io();
                self.failure = Some(e);
                Err(io)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_size_mirrors_tar_crate_rules() {
        assert_eq!(pax_size(b"11 size=42\n"), Some(42));
        assert_eq!(pax_size(b"11 size=42\n11 size=43\n"), Some(42));
        assert_eq!(pax_size(b"12 size=4x2\n"), None);
        // A malformed record before the size hides it, as in the tar crate.
        assert_eq!(pax_size(b"99 junk\n11 size=42\n"), None);
        assert_eq!(pax_size(b""), None);
    }

    #[test]
    fn guard_counts_and_passes_a_plain_stream() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "a", &b"abc"[..]).unwrap();
        let data = b.into_inner().unwrap();
        let mut g = TarGuard::new(&data[..], u64::MAX, 10);
        let mut out = Vec::new();
        g.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(g.consumed(), data.len() as u64);
        assert!(g.failure().is_none());
    }
}
