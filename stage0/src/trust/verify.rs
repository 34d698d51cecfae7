//! The verification procedure of docs/trust.md (Verification order), failing closed at every step:
//! keys for the name → policy for the name → for each (bounded) signature and key: the signature over the
//! raw payload → only then parse the payload strictly → digest must be the manifest's → signed
//! identity under the key's prefix and matching the requested name → fresh enough → count distinct
//! keys against the threshold.

use super::keys::PublicKey;
use super::payload;
use super::policy::{IdentityRule, Policy, PolicyError, Rules};
use super::signature::{self, Scheme};
use super::store::{prefix_matches, TrustStore, TrustStoreError, TrustedKey};
use crate::cosign::{RawSignature, MAX_SIGNATURES};
use crate::digest::Digest;
use crate::reference::ImageName;
use serde::Serialize;
use std::fmt::Write as _;

/// Trust store plus policy: everything a verification consults.
#[derive(Debug, Clone)]
pub struct Trust {
    pub store: TrustStore,
    pub policy: Policy,
}

impl Trust {
    pub fn load(store: TrustStore) -> Result<Trust, PolicyError> {
        let policy = Policy::load(&store.admin, &store.vendor)?;
        Ok(Trust { store, policy })
    }
}

/// A successful verification.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Verified {
    pub key_ids: Vec<String>,
    /// The signed docker-reference.
    pub identity: String,
    /// The signed timestamp (unix seconds), when the payload has one.
    pub signed_at: Option<i64>,
    pub scheme: Scheme,
    /// The trust prefix of the first accepting key (`*` for root.d).
    pub prefix: String,
}

impl Verified {
    pub fn describe(&self) -> String {
        let keys: Vec<&str> = self.key_ids.iter().map(|k| &k[..16.min(k.len())]).collect();
        format!(
            "signed for {} by key {} (trusted for {}), {}",
            self.identity,
            keys.join(", "),
            self.prefix,
            self.scheme
        )
    }
}

/// What the gate decided.
#[derive(Debug, Clone)]
pub enum Decision {
    Verified(Verified),
    /// No trusted key, but the policy prefix explicitly accepts unsigned images.
    AcceptedUnsigned {
        prefix: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Rejected(String),
    #[error(transparent)]
    Store(#[from] TrustStoreError),
}

/// Why one (signature, key) pair did not count. The kinds matter for the way out: only a
/// signature that is not by the key at all might be fixed by trusting another key.
enum Refusal {
    /// Not a valid signature by this key (perhaps by another one).
    NotByKey(String),
    /// The key did sign it, or the policy excludes its algorithm: another key would not help.
    Fault(Fault, String),
}

/// What a trusted key's signature failed on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The policy allows no scheme of this key's algorithm.
    Algorithm,
    /// Signed another manifest.
    Digest,
    /// Signed another name, or a name outside the key's prefix.
    Identity,
    /// Too old, or dated in the future.
    Time,
    /// A payload liftoff does not accept.
    Payload,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotByKey(m) | Refusal::Fault(_, m) => f.write_str(m),
        }
    }
}

fn content(fault: Fault) -> impl FnOnce(String) -> Refusal {
    move |m| Refusal::Fault(fault, m)
}

fn check_one(
    tk: &TrustedKey,
    sig: &RawSignature,
    name: &ImageName,
    digest: &Digest,
    rules: &Rules,
    now: i64,
) -> Result<(Scheme, payload::Payload), Refusal> {
    let scheme =
        signature::verify(&tk.key, &sig.payload, &sig.signature, &rules.schemes).map_err(|e| {
            match e {
                signature::SigError::NotAllowed { .. } => {
                    Refusal::Fault(Fault::Algorithm, e.to_string())
                }
                _ => Refusal::NotByKey(e.to_string()),
            }
        })?;
    // Only now, with the signature known good, is the payload parsed.
    let p = payload::parse_strict(&sig.payload, rules.accept_atomic_payload)
        .map_err(|e| Refusal::Fault(Fault::Payload, format!("signed payload refused: {e}")))?;
    if &p.manifest_digest != digest {
        return Err(content(Fault::Digest)(format!(
            "signature is for manifest {}, not {digest} (a different image)",
            p.manifest_digest
        )));
    }
    let signed = ImageName::parse(&p.docker_reference).map_err(|e| {
        content(Fault::Identity)(format!(
            "signed identity {:?} is not a valid name: {e}",
            p.docker_reference
        ))
    })?;
    let signed_repo = signed.repository();
    if tk.prefix != "*" && !prefix_matches(&tk.prefix, &signed_repo) {
        return Err(content(Fault::Identity)(format!(
            "signed identity {} is outside the key's prefix {}",
            p.docker_reference, tk.prefix
        )));
    }
    if signed_repo != name.repository() {
        return Err(content(Fault::Identity)(format!(
            "signature is for {}, not {}",
            p.docker_reference, name
        )));
    }
    if rules.identity == IdentityRule::Exact {
        // The signed reference must carry the tag explicitly: `repo` alone does not mean `repo:latest`.
        let last = p.docker_reference.rsplit('/').next().unwrap_or("");
        let explicit_tag = last.split('@').next().unwrap_or("").contains(':');
        if !explicit_tag || signed.tag != name.tag {
            return Err(content(Fault::Identity)(format!(
                "signature is for {}, not {} (policy requires the exact tag)",
                p.docker_reference, name
            )));
        }
    }
    if let Some(ts) = p.timestamp {
        if ts > now + 300 {
            return Err(content(Fault::Time)(format!(
                "signature timestamp {ts} is in the future"
            )));
        }
    }
    if let Some(max) = rules.max_age {
        let Some(ts) = p.timestamp else {
            return Err(content(Fault::Time)(
                "signature has no timestamp, but the policy sets max_signature_age".into(),
            ));
        };
        if now.saturating_sub(ts) > max.as_secs() as i64 {
            return Err(content(Fault::Time)(format!(
                "signature from {} is older than max_signature_age ({}s)",
                chrono::DateTime::from_timestamp(ts, 0)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| ts.to_string()),
                max.as_secs()
            )));
        }
    }
    Ok((scheme, p))
}

/// Decides whether `name` at `digest` may be used, given the signatures found for it.
pub fn verify(
    trust: &Trust,
    name: &ImageName,
    digest: &Digest,
    sigs: &[RawSignature],
    now: i64,
) -> Result<Decision, VerifyError> {
    let repo = name.repository();
    let keys = trust.store.keys_for(name)?;
    let rules = trust.policy.rules_for(&repo);
    let trust_hint = format!(
        "to trust a key for it: liftoff trust add --prefix {repo} KEY.pub (or a shorter prefix such as {})",
        name.domain
    );
    if keys.is_empty() {
        if rules.insecure_accept_unsigned {
            return Ok(Decision::AcceptedUnsigned {
                prefix: rules.prefix.clone().unwrap_or_default(),
            });
        }
        return Err(VerifyError::Rejected(format!(
            "image {name} is not trusted: no key is trusted for {repo} or any prefix of it, and the default policy is to reject; {trust_hint}"
        )));
    }
    let mut report = String::new();
    let _ = writeln!(report, "image {name} ({digest}) failed verification.");
    let _ = writeln!(
        report,
        "  keys tried: {}",
        keys.iter()
            .map(|k| format!("{} (for {})", &k.key_id[..16], k.prefix))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if sigs.is_empty() {
        let _ = write!(
            report,
            "  found: no signatures (looked for the cosign tag sha256-{}.sig); a trusted prefix requires one: sign it with `liftoff image sign`",
            digest.hex()
        );
        return Err(VerifyError::Rejected(report));
    }
    if sigs.len() > MAX_SIGNATURES {
        return Err(VerifyError::Rejected(format!(
            "image {name}: {} signatures found, more than the {MAX_SIGNATURES} liftoff checks; refusing",
            sigs.len()
        )));
    }
    let mut accepted: Vec<(String, Scheme, payload::Payload, String)> = Vec::new();
    let mut faults: Vec<Fault> = Vec::new();
    let _ = writeln!(report, "  found {} signature(s):", sigs.len());
    for (i, sig) in sigs.iter().enumerate() {
        let mut reasons = Vec::new();
        for tk in &keys {
            if accepted.iter().any(|(k, ..)| k == &tk.key_id) {
                continue;
            }
            match check_one(tk, sig, name, digest, &rules, now) {
                Ok((scheme, p)) => {
                    accepted.push((tk.key_id.clone(), scheme, p, tk.prefix.clone()));
                    reasons.clear();
                    reasons.push(format!("valid, key {}", &tk.key_id[..16]));
                    break;
                }
                Err(r) => {
                    if let Refusal::Fault(f, _) = &r {
                        faults.push(*f);
                    }
                    reasons.push(format!("key {}: {r}", &tk.key_id[..16]))
                }
            }
        }
        reasons.dedup();
        let _ = writeln!(report, "    #{}: {}", i + 1, reasons.join("; "));
    }
    if accepted.len() >= rules.threshold {
        let (_, scheme, p, prefix) = accepted[0].clone();
        return Ok(Decision::Verified(Verified {
            key_ids: accepted.iter().map(|(k, ..)| k.clone()).collect(),
            identity: p.docker_reference,
            signed_at: p.timestamp,
            scheme,
            prefix,
        }));
    }
    if rules.threshold > 1 {
        let _ = writeln!(
            report,
            "  policy requires signatures by {} distinct trusted keys, found {}",
            rules.threshold,
            accepted.len()
        );
    }
    let _ = write!(
        report,
        "  {}",
        way_out(&faults, name, digest, &rules, &trust_hint)
    );
    Err(VerifyError::Rejected(report))
}

/// What to do about a refusal. Trusting another key helps only when no trusted key's signature
/// was there at all; when one was, the message says what it failed on instead.
fn way_out(
    faults: &[Fault],
    name: &ImageName,
    digest: &Digest,
    rules: &Rules,
    trust_hint: &str,
) -> String {
    if faults.is_empty() {
        return trust_hint.to_string();
    }
    let mut out = Vec::new();
    let has = |f: Fault| faults.contains(&f);
    if has(Fault::Digest) {
        out.push(format!("a trusted key signed another manifest under this name: the image changed after it was signed, or the signature belongs to another image; sign {digest} itself (liftoff image sign {name} --key KEY)"));
    }
    if has(Fault::Identity) {
        out.push(format!("a trusted key signed this image for another name: fetch it as the name it was signed for, or sign it for {name} (liftoff image sign IMAGE --identity {name} --key KEY)"));
    }
    if has(Fault::Time) {
        out.push(
            "a trusted key's signature is outside the policy's time limits: sign the image again"
                .to_string(),
        );
    }
    if has(Fault::Payload) {
        out.push("a trusted key signed a payload liftoff does not accept (see above): sign the image again with liftoff, cosign or skopeo".to_string());
    }
    if has(Fault::Algorithm) {
        let prefix = rules.prefix.as_deref().unwrap_or("(default policy)");
        out.push(format!("the policy's `schemes` for prefix {prefix} exclude the trusted key's algorithm: allow one of its schemes in that [[prefix]] of policy.toml"));
    }
    format!(
        "{}; trusting another key would not change this",
        out.join("; ")
    )
}

/// A public key is what `trust add` takes; re-exported for the CLI.
pub type Key = PublicKey;
