//! The one trust gate: every place that lets an image in or lets it run (fetch, `image verify`,
//! pod resolve and `run-prepared`, `image extract`) asks it, so the same image gets the same verdict
//! in the same words everywhere.
//!
//! Input: the image name, the digest of its top-level manifest, the signatures found beside it
//! (from a source or from the store) and whether the user passed `--insecure-options=image`.
//! Output: a [`Verdict`] (let it through, and why) or a [`Refused`] (why not). What each caller does
//! with a verdict differs — fetch records it as provenance, `run` warns loudly about an unsigned
//! image, `image verify` counts only a real signature as a pass — but the wording comes from here.

use super::verify::{self, Decision, Trust, Verified, VerifyError};
use crate::cosign::RawSignature;
use crate::digest::Digest;
use crate::reference::ImageName;

/// Why an image may pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by enough trusted keys for its name.
    Verified(Verified),
    /// No valid signature, but policy.toml accepts unsigned images for `prefix`.
    AcceptedUnsigned { prefix: String },
    /// Not checked: `--insecure-options=image`.
    NotChecked,
}

/// The image does not pass; the text says why and what to do about it.
pub type Refused = VerifyError;

impl Verdict {
    /// The one description of a verdict, for provenance records, logs and reports.
    pub fn describe(&self) -> String {
        match self {
            Verdict::Verified(v) => v.describe(),
            Verdict::AcceptedUnsigned { prefix } => format!(
                "unsigned, accepted by insecure_accept_unsigned for prefix {prefix} in policy.toml"
            ),
            Verdict::NotChecked => "verification disabled by --insecure-options=image".into(),
        }
    }

    /// Whether a trusted key actually signed the image.
    pub fn is_signed(&self) -> bool {
        matches!(self, Verdict::Verified(_))
    }
}

/// Decides whether the image `name` with top-level digest `digest` may pass, from the signatures
/// found for it, against today's keys and policy (now is the current time).
pub fn decide(
    trust: &Trust,
    name: &ImageName,
    digest: &Digest,
    signatures: &[RawSignature],
    insecure: bool,
) -> Result<Verdict, Refused> {
    if insecure {
        return Ok(Verdict::NotChecked);
    }
    let now = chrono::Utc::now().timestamp();
    Ok(
        match verify::verify(trust, name, digest, signatures, now)? {
            Decision::Verified(v) => Verdict::Verified(v),
            Decision::AcceptedUnsigned { prefix } => Verdict::AcceptedUnsigned { prefix },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_wording_per_outcome() {
        let u = Verdict::AcceptedUnsigned {
            prefix: "example.com/team".into(),
        };
        assert_eq!(
            u.describe(),
            "unsigned, accepted by insecure_accept_unsigned for prefix example.com/team in policy.toml"
        );
        assert!(!u.is_signed());
        assert_eq!(
            Verdict::NotChecked.describe(),
            "verification disabled by --insecure-options=image"
        );
    }
}
