//! The progress display of a fetch: one line per layer being downloaded plus a total, drawn on
//! stderr only when it is a terminal (and `--quiet`/`--debug` are off). It wraps any [`Source`], so
//! layers from every transport are counted the same way, after resumption (the counts only grow).

use crate::cosign::RawSignature;
use crate::digest::Digest;
use crate::transport::{Source, TopLevel, TransportError};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{self, Read};

/// Progress for a set of layers.
pub struct Progress {
    multi: MultiProgress,
    total: ProgressBar,
    layers: HashMap<Digest, u64>,
}

impl Progress {
    /// A display for `layers` (digest, size): the ones that will be downloaded.
    pub fn new(layers: &[(Digest, u64)]) -> Progress {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let sum = layers.iter().map(|(_, s)| s).sum();
        let total = multi.add(ProgressBar::new(sum));
        total.set_style(
            ProgressStyle::with_template(
                "{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        total.set_prefix("total");
        Progress {
            multi,
            total,
            layers: layers.iter().cloned().collect(),
        }
    }

    fn bar(&self, digest: &Digest) -> Option<ProgressBar> {
        let size = *self.layers.get(digest)?;
        let pb = self
            .multi
            .insert_before(&self.total, ProgressBar::new(size));
        pb.set_style(
            ProgressStyle::with_template("{prefix:>12} [{bar:30}] {bytes}/{total_bytes}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        pb.set_prefix(digest.short().to_string());
        Some(pb)
    }

    /// Ends the display, leaving one summary line.
    pub fn finish(&self) {
        let bytes = self.total.position();
        let secs = self.total.elapsed().as_secs_f64();
        self.total.finish_and_clear();
        let _ = self.multi.clear();
        eprintln!(
            "liftoff: {} layer(s), {} in {secs:.1}s",
            self.layers.len(),
            indicatif::HumanBytes(bytes)
        );
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.total.is_finished() {
            self.total.abandon();
        }
    }
}

struct Counting<R> {
    inner: R,
    bar: ProgressBar,
    total: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        self.total.inc(n as u64);
        if n == 0 && !buf.is_empty() {
            self.bar.finish();
        }
        Ok(n)
    }
}

impl<R> Drop for Counting<R> {
    fn drop(&mut self) {
        // A layer's line goes when its stream ends, done or failed; the total stays.
        self.bar.finish_and_clear();
    }
}

/// A [`Source`] whose layer streams update a [`Progress`].
pub struct WithProgress<'a> {
    pub inner: &'a dyn Source,
    pub progress: &'a Progress,
}

impl Source for WithProgress<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn top(&self) -> Result<TopLevel, TransportError> {
        self.inner.top()
    }

    fn read_manifest(
        &self,
        digest: &Digest,
        size: u64,
        media_type: &str,
    ) -> Result<Vec<u8>, TransportError> {
        self.inner.read_manifest(digest, size, media_type)
    }

    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, TransportError> {
        let r = self.inner.open_blob(digest)?;
        Ok(match self.progress.bar(digest) {
            Some(bar) => Box::new(Counting {
                inner: r,
                bar,
                total: self.progress.total.clone(),
            }),
            None => r,
        })
    }

    fn signatures(&self, digest: &Digest) -> Result<Vec<RawSignature>, TransportError> {
        self.inner.signatures(digest)
    }
}
