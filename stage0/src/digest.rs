//! Content digests (`sha256:<hex>`) and readers that hash and count what streams through them.
//!
//! Only sha256 is accepted: it is what every OCI producer writes, and accepting an algorithm we
//! cannot check would be a silent verification hole.

use sha2::{Digest as _, Sha256};
use std::fmt;
use std::io::{self, Read};

/// A validated `sha256:<64 lowercase hex>` digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    hex: String,
}

/// Why a digest string was refused.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("digest {0:?} is not of the form sha256:<64 lowercase hex digits>")]
    Malformed(String),
    #[error("digest {0:?} uses an algorithm liftoff does not verify (only sha256 is supported)")]
    UnsupportedAlgorithm(String),
}

impl Digest {
    pub fn parse(s: &str) -> Result<Self, DigestError> {
        let Some((alg, hex)) = s.split_once(':') else {
            return Err(DigestError::Malformed(s.to_string()));
        };
        if alg != "sha256" {
            return Err(DigestError::UnsupportedAlgorithm(s.to_string()));
        }
        Self::from_hex(hex).ok_or_else(|| DigestError::Malformed(s.to_string()))
    }

    /// Accepts exactly 64 lowercase hex digits.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let ok = hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| Digest {
            hex: hex.to_string(),
        })
    }

    pub fn of(bytes: &[u8]) -> Self {
        Digest {
            hex: hex::encode(Sha256::digest(bytes)),
        }
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// First 12 hex digits, for tables.
    pub fn short(&self) -> &str {
        &self.hex[..12]
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Digest::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A reader that hashes and counts every byte read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }

    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Drains the rest of the stream (so trailing bytes after a tar's end-of-archive are hashed too),
    /// then returns the digest and the total size.
    pub fn finish(mut self) -> io::Result<(Digest, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok((
            Digest {
                hex: hex::encode(self.hasher.finalize()),
            },
            self.count,
        ))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// A reader that fails once more than `limit` bytes have been read: a descriptor's size is an upper
/// bound we enforce while streaming, so a lying source cannot make us read (or store) more.
pub struct LimitedReader<R> {
    inner: R,
    remaining: u64,
    what: String,
}

impl<R: Read> LimitedReader<R> {
    pub fn new(inner: R, limit: u64, what: impl Into<String>) -> Self {
        LimitedReader {
            inner,
            remaining: limit,
            what: what.into(),
        }
    }
}

impl<R: Read> Read for LimitedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Read one byte past the limit so "exactly at the limit" and "over it" can be told apart.
        let want = buf
            .len()
            .min(self.remaining.saturating_add(1).min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.remaining {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is larger than its descriptor says", self.what),
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_only_sha256_lowercase() {
        let h = "a".repeat(64);
        assert!(Digest::parse(&format!("sha256:{h}")).is_ok());
        assert!(Digest::parse(&format!("sha256:{}", "A".repeat(64))).is_err());
        assert!(Digest::parse(&format!("sha512:{}", "a".repeat(128))).is_err());
        assert!(Digest::parse("sha256:abc").is_err());
        assert!(Digest::parse("nocolon").is_err());
        assert!(Digest::parse(&format!("sha256:../{}", &h[3..])).is_err());
    }

    #[test]
    fn hashing_reader_matches_direct_digest() {
        let data = b"hello world".repeat(1000);
        let mut r = HashingReader::new(&data[..]);
        let mut buf = [0u8; 7];
        r.read_exact(&mut buf).unwrap();
        let (d, n) = r.finish().unwrap();
        assert_eq!(d, Digest::of(&data));
        assert_eq!(n, data.len() as u64);
    }

    #[test]
    fn limited_reader_refuses_excess() {
        let data = [0u8; 100];
        let mut ok = LimitedReader::new(&data[..], 100, "blob");
        assert_eq!(io::copy(&mut ok, &mut io::sink()).unwrap(), 100);
        let mut over = LimitedReader::new(&data[..], 99, "blob");
        assert!(io::copy(&mut over, &mut io::sink()).is_err());
    }
}
