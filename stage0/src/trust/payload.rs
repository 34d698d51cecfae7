//! The sigstore "simple signing" payload: the JSON document a signature is made over (docs/trust.md).
//!
//! ```json
//! {"critical":{"identity":{"docker-reference":"example.com/team/app:1.4"},
//!              "image":{"docker-manifest-digest":"sha256:…"},
//!              "type":"cosign container image signature"},
//!  "optional":{"creator":"liftoff 0.1.0","timestamp":1700000000}}
//! ```
//!
//! [`build`] writes it byte for byte as liftoff signs it. [`parse_strict`] reads one that has
//! already passed signature verification, and is as strict as containers/image: every field of
//! `critical` must be known and present, no key may appear twice at any depth (JSON parsers disagree
//! on which duplicate wins, which would let two programs read two different identities from one
//! signed document), and only sha256 digests are accepted. `optional` is informational and may
//! carry other keys, but `creator` and `timestamp` must have the right types when present.

use crate::digest::{Digest, DigestError};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// Largest payload parsed; real ones are ~250 bytes.
pub const MAX_PAYLOAD: usize = 64 * 1024;

/// The `critical.type` cosign, podman/skopeo (sigstore) and liftoff write.
pub const COSIGN_TYPE: &str = "cosign container image signature";
/// The `critical.type` of the original "atomic" simple-signing format (containers/image's GPG
/// signatures), structurally identical. containers/image accepts only [`COSIGN_TYPE`] in cosign
/// attachments, and so does liftoff unless a policy prefix sets `accept_atomic_payload = true`:
/// a signature made for the other format should not count here by accident.
pub const ATOMIC_TYPE: &str = "atomic container signature";

/// What a verified payload says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Payload {
    pub docker_reference: String,
    pub manifest_digest: Digest,
    /// `optional.timestamp`, unix seconds.
    pub timestamp: Option<i64>,
    /// `optional.creator`.
    pub creator: Option<String>,
}

/// Why a payload was refused.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("signature payload is {len} bytes, more than the {MAX_PAYLOAD} liftoff reads; refusing it unparsed")]
    TooLarge { len: usize },
    #[error("signature payload is not valid JSON: {0}")]
    Json(String),
    #[error("signature payload has the key {path:?} more than once; JSON readers disagree on which one counts, so the payload is refused")]
    DuplicateKey { path: String },
    #[error("signature payload has an unknown field {path:?} in a part every reader must understand in full (cosign and containers/image refuse unknown critical fields too)")]
    UnknownField { path: String },
    #[error("signature payload lacks the required field {path:?}")]
    MissingField { path: String },
    #[error("signature payload field {path:?} is {found}, not {expected}")]
    WrongType {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error(
        "signature payload type {found:?} is not a container image signature (expected {:?})",
        COSIGN_TYPE
    )]
    UnknownType { found: String },
    #[error("signature payload type {:?} is the atomic (GPG-era) format, which cosign attachments do not carry; a policy.toml [[prefix]] can accept it with accept_atomic_payload = true", ATOMIC_TYPE)]
    AtomicType,
    #[error("signed docker-manifest-digest {value:?} uses an algorithm liftoff does not verify; only sha256 digests are accepted")]
    DigestAlgorithm { value: String },
    #[error("signed docker-manifest-digest {value:?} is not of the form sha256:<64 lowercase hex digits>")]
    BadDigest { value: String },
    #[error("signed docker-reference is empty")]
    EmptyReference,
}

/// The payload liftoff signs: compact JSON, keys in a fixed order, no trailing newline.
pub fn build(
    docker_reference: &str,
    manifest_digest: &Digest,
    creator: &str,
    timestamp: i64,
) -> Vec<u8> {
    // Written by hand, not from a struct, so the bytes (and the key order docs/trust.md fixes) never
    // depend on serializer details; serde_json only escapes the strings.
    let s = |v: &str| serde_json::Value::String(v.to_string()).to_string();
    format!(
        "{{\"critical\":{{\"identity\":{{\"docker-reference\":{}}},\"image\":{{\"docker-manifest-digest\":{}}},\"type\":{}}},\"optional\":{{\"creator\":{},\"timestamp\":{timestamp}}}}}",
        s(docker_reference),
        s(&manifest_digest.to_string()),
        s(COSIGN_TYPE),
        s(creator),
    )
    .into_bytes()
}

/// Parses a payload strictly; see the module documentation for what is refused. The atomic
/// payload type is accepted only when `accept_atomic` (a policy option).
pub fn parse_strict(bytes: &[u8], accept_atomic: bool) -> Result<Payload, PayloadError> {
    if bytes.len() > MAX_PAYLOAD {
        return Err(PayloadError::TooLarge { len: bytes.len() });
    }
    // serde_json refuses trailing data and nests at most 128 deep, so this cannot be made to recurse
    // without bound; `Json` keeps every key, duplicates included, for `check_duplicates`.
    let root: Json =
        serde_json::from_slice(bytes).map_err(|e| PayloadError::Json(e.to_string()))?;
    check_duplicates(&root, "")?;

    let top = object(&root, "(top level)")?;
    exact_fields(top, "", &["critical", "optional"])?;
    let critical = object(field(top, "", "critical")?, "critical")?;
    exact_fields(critical, "critical", &["identity", "image", "type"])?;

    let ty = string(field(critical, "critical", "type")?, "critical.type")?;
    match ty {
        COSIGN_TYPE => {}
        ATOMIC_TYPE if accept_atomic => {}
        ATOMIC_TYPE => return Err(PayloadError::AtomicType),
        _ => {
            return Err(PayloadError::UnknownType {
                found: ty.to_string(),
            })
        }
    }

    let image = object(field(critical, "critical", "image")?, "critical.image")?;
    exact_fields(image, "critical.image", &["docker-manifest-digest"])?;
    let digest = string(
        field(image, "critical.image", "docker-manifest-digest")?,
        "critical.image.docker-manifest-digest",
    )?;
    let manifest_digest = Digest::parse(digest).map_err(|e| match e {
        DigestError::UnsupportedAlgorithm(value) => PayloadError::DigestAlgorithm { value },
        DigestError::Malformed(value) => PayloadError::BadDigest { value },
    })?;

    let identity = object(
        field(critical, "critical", "identity")?,
        "critical.identity",
    )?;
    exact_fields(identity, "critical.identity", &["docker-reference"])?;
    let docker_reference = string(
        field(identity, "critical.identity", "docker-reference")?,
        "critical.identity.docker-reference",
    )?;
    if docker_reference.is_empty() {
        return Err(PayloadError::EmptyReference);
    }

    // cosign writes `"optional":null` when it has no annotations; containers/image accepts that too.
    let (mut timestamp, mut creator) = (None, None);
    match field(top, "", "optional")? {
        Json::Null => {}
        Json::Obj(optional) => {
            for (k, v) in optional {
                match k.as_str() {
                    "timestamp" => timestamp = Some(integer(v, "optional.timestamp")?),
                    "creator" => creator = Some(string(v, "optional.creator")?.to_string()),
                    // Other annotations are informational; they are not interpreted.
                    _ => {}
                }
            }
        }
        other => {
            return Err(PayloadError::WrongType {
                path: "optional".into(),
                expected: "an object or null",
                found: other.kind(),
            })
        }
    }

    Ok(Payload {
        docker_reference: docker_reference.to_string(),
        manifest_digest,
        timestamp,
        creator,
    })
}

/// A JSON value that, unlike `serde_json::Value`, keeps every member of an object in document
/// order, so duplicate keys can be seen instead of silently collapsing to the last one.
#[derive(Debug)]
enum Json {
    Null,
    Bool,
    Int(i64),
    /// A number that is not an i64: too large, or with a fraction or exponent.
    OtherNumber,
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool => "a boolean",
            Json::Int(_) | Json::OtherNumber => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Json, E> {
        Ok(Json::Bool)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(i64::try_from(v).map_or(Json::OtherNumber, Json::Int))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Json, E> {
        Ok(Json::OtherNumber)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut v = Vec::new();
        while let Some(e) = seq.next_element()? {
            v.push(e);
        }
        Ok(Json::Arr(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut v = Vec::new();
        while let Some((k, e)) = map.next_entry::<String, Json>()? {
            v.push((k, e));
        }
        Ok(Json::Obj(v))
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Refuses a key that appears twice in any object, at any depth (inside `optional` and arrays too:
/// a duplicate anywhere means some reader sees a different document).
fn check_duplicates(v: &Json, path: &str) -> Result<(), PayloadError> {
    match v {
        Json::Obj(members) => {
            let mut seen = HashSet::with_capacity(members.len());
            for (k, child) in members {
                let p = join(path, k);
                if !seen.insert(k.as_str()) {
                    return Err(PayloadError::DuplicateKey { path: p });
                }
                check_duplicates(child, &p)?;
            }
        }
        Json::Arr(items) => {
            for (i, child) in items.iter().enumerate() {
                check_duplicates(child, &format!("{path}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn object<'a>(v: &'a Json, path: &str) -> Result<&'a [(String, Json)], PayloadError> {
    match v {
        Json::Obj(m) => Ok(m),
        other => Err(PayloadError::WrongType {
            path: path.to_string(),
            expected: "an object",
            found: other.kind(),
        }),
    }
}

fn string<'a>(v: &'a Json, path: &str) -> Result<&'a str, PayloadError> {
    match v {
        Json::Str(s) => Ok(s),
        other => Err(PayloadError::WrongType {
            path: path.to_string(),
            expected: "a string",
            found: other.kind(),
        }),
    }
}

fn integer(v: &Json, path: &str) -> Result<i64, PayloadError> {
    match v {
        Json::Int(i) => Ok(*i),
        Json::OtherNumber => Err(PayloadError::WrongType {
            path: path.to_string(),
            expected: "an integer",
            found: "a number with a fraction, an exponent, or out of range",
        }),
        other => Err(PayloadError::WrongType {
            path: path.to_string(),
            expected: "an integer",
            found: other.kind(),
        }),
    }
}

/// Refuses members other than `allowed`; missing ones are reported by [`field`].
fn exact_fields(m: &[(String, Json)], path: &str, allowed: &[&str]) -> Result<(), PayloadError> {
    match m.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((k, _)) => Err(PayloadError::UnknownField {
            path: join(path, k),
        }),
        None => Ok(()),
    }
}

/// The member `key` (keys are known unique by now).
fn field<'a>(m: &'a [(String, Json)], path: &str, key: &str) -> Result<&'a Json, PayloadError> {
    m.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .ok_or_else(|| PayloadError::MissingField {
            path: join(path, key),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn digest() -> Digest {
        Digest::parse(&format!("sha256:{HEX}")).unwrap()
    }

    /// A payload with `critical` and `optional` replaced by the given JSON text.
    fn with(critical: &str, optional: &str) -> Vec<u8> {
        format!("{{\"critical\":{critical},\"optional\":{optional}}}").into_bytes()
    }

    fn crit(identity: &str, image: &str, ty: &str) -> String {
        format!("{{\"identity\":{identity},\"image\":{image},\"type\":{ty}}}")
    }

    fn good_crit() -> String {
        crit(
            r#"{"docker-reference":"example.com/a:1"}"#,
            &format!(r#"{{"docker-manifest-digest":"sha256:{HEX}"}}"#),
            r#""cosign container image signature""#,
        )
    }

    #[test]
    fn build_exact_bytes() {
        let p = build(
            "example.com/team/app:1.4",
            &digest(),
            "liftoff 0.1.0",
            1_700_000_000,
        );
        let want = format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"example.com/team/app:1.4"}},"image":{{"docker-manifest-digest":"sha256:{HEX}"}},"type":"cosign container image signature"}},"optional":{{"creator":"liftoff 0.1.0","timestamp":1700000000}}}}"#
        );
        assert_eq!(String::from_utf8(p).unwrap(), want);
        // Strings are JSON-escaped.
        let p = build("a\"b\\c", &digest(), "x\ny", -1);
        let s = String::from_utf8(p.clone()).unwrap();
        assert!(s.contains(r#""docker-reference":"a\"b\\c""#), "{s}");
        assert!(s.contains(r#""creator":"x\ny","timestamp":-1}"#), "{s}");
        assert!(!s.ends_with('\n'));
        let back = parse_strict(&p, false).unwrap();
        assert_eq!(back.docker_reference, "a\"b\\c");
        assert_eq!(back.creator.as_deref(), Some("x\ny"));
    }

    #[test]
    fn round_trip() {
        let p = build(
            "example.com/team/app:1.4",
            &digest(),
            "liftoff 0.1.0",
            1_700_000_000,
        );
        assert_eq!(
            parse_strict(&p, false).unwrap(),
            Payload {
                docker_reference: "example.com/team/app:1.4".into(),
                manifest_digest: digest(),
                timestamp: Some(1_700_000_000),
                creator: Some("liftoff 0.1.0".into()),
            }
        );
    }

    #[test]
    fn accepts_other_producers() {
        // cosign: optional null, repository-only identity, different key order and whitespace.
        let cosign = format!(
            "{{ \"critical\": {{\"type\":\"cosign container image signature\", \"image\":{{\"docker-manifest-digest\":\"sha256:{HEX}\"}},\"identity\":{{\"docker-reference\":\"example.com/a\"}}}},\n\"optional\":null}}"
        );
        let p = parse_strict(cosign.as_bytes(), false).unwrap();
        assert_eq!((p.timestamp, p.creator), (None, None));
        assert_eq!(p.docker_reference, "example.com/a");
        // The atomic type, and unknown optional annotations (ignored).
        let atomic = with(
            &crit(
                r#"{"docker-reference":"example.com/a:1"}"#,
                &format!(r#"{{"docker-manifest-digest":"sha256:{HEX}"}}"#),
                r#""atomic container signature""#,
            ),
            r#"{"foo":{"bar":[1,2.5,true]},"timestamp":5}"#,
        );
        assert_eq!(parse_strict(&atomic, true).unwrap().timestamp, Some(5));
        // ... only when the policy asks for it.
        assert!(matches!(
            parse_strict(&atomic, false),
            Err(PayloadError::AtomicType)
        ));
        // Empty optional object.
        assert!(parse_strict(&with(&good_crit(), "{}"), false).is_ok());
    }

    fn refused(bytes: &[u8]) -> PayloadError {
        match parse_strict(bytes, false) {
            Ok(p) => panic!("accepted {:?}: {p:?}", String::from_utf8_lossy(bytes)),
            Err(e) => e,
        }
    }

    #[test]
    fn duplicate_keys_refused_at_every_level() {
        let cases = [
            // top level
            format!("{{\"critical\":{},\"optional\":null,\"optional\":{{}}}}", good_crit()),
            format!("{{\"critical\":{},\"critical\":{},\"optional\":null}}", good_crit(), good_crit()),
            // critical
            format!(
                "{{\"critical\":{{\"type\":\"atomic container signature\",{},\"type\":\"cosign container image signature\"}},\"optional\":null}}",
                &good_crit()[1..good_crit().len() - 1]
            ),
            // identity
            String::from_utf8(with(
                &crit(
                    r#"{"docker-reference":"example.com/a:1","docker-reference":"evil.com/a:1"}"#,
                    &format!(r#"{{"docker-manifest-digest":"sha256:{HEX}"}}"#),
                    r#""cosign container image signature""#,
                ),
                "null",
            ))
            .unwrap(),
            // image
            String::from_utf8(with(
                &crit(
                    r#"{"docker-reference":"example.com/a:1"}"#,
                    &format!(r#"{{"docker-manifest-digest":"sha256:{HEX}","docker-manifest-digest":"sha256:{HEX}"}}"#),
                    r#""cosign container image signature""#,
                ),
                "null",
            ))
            .unwrap(),
            // optional, and deep inside an ignored annotation
            String::from_utf8(with(&good_crit(), r#"{"timestamp":1,"timestamp":2}"#)).unwrap(),
            String::from_utf8(with(&good_crit(), r#"{"x":[{"a":1,"a":2}]}"#)).unwrap(),
        ];
        for c in &cases {
            let e = refused(c.as_bytes());
            assert!(matches!(e, PayloadError::DuplicateKey { .. }), "{c}: {e}");
        }
        let e = refused(cases[3].as_bytes());
        assert!(
            e.to_string().contains("critical.identity.docker-reference"),
            "{e}"
        );
    }

    #[test]
    fn unknown_fields_refused_except_in_optional() {
        let img = format!(r#"{{"docker-manifest-digest":"sha256:{HEX}"}}"#);
        let id = r#"{"docker-reference":"example.com/a:1"}"#;
        let ty = r#""cosign container image signature""#;
        let cases = [
            (
                format!("{{\"identity\":{id},\"image\":{img},\"type\":{ty},\"extra\":1}}"),
                "critical.extra",
            ),
            (
                crit(
                    r#"{"docker-reference":"example.com/a:1","tag":"x"}"#,
                    &img,
                    ty,
                ),
                "critical.identity.tag",
            ),
            (
                crit(
                    id,
                    &format!(r#"{{"docker-manifest-digest":"sha256:{HEX}","size":1}}"#),
                    ty,
                ),
                "critical.image.size",
            ),
        ];
        for (c, path) in &cases {
            let e = refused(&with(c, "null"));
            assert!(
                matches!(&e, PayloadError::UnknownField { path: p } if p == path),
                "{e}"
            );
        }
        let top = format!(
            "{{\"critical\":{},\"optional\":null,\"extra\":1}}",
            good_crit()
        );
        assert!(matches!(
            refused(top.as_bytes()),
            PayloadError::UnknownField { .. }
        ));
    }

    #[test]
    fn missing_fields_refused() {
        let img = format!(r#"{{"docker-manifest-digest":"sha256:{HEX}"}}"#);
        let id = r#"{"docker-reference":"example.com/a:1"}"#;
        let ty = r#""cosign container image signature""#;
        let cases = [
            (format!("{{\"critical\":{}}}", good_crit()), "optional"),
            ("{\"optional\":null}".to_string(), "critical"),
            (
                String::from_utf8(with(&format!("{{\"image\":{img},\"type\":{ty}}}"), "null"))
                    .unwrap(),
                "critical.identity",
            ),
            (
                String::from_utf8(with(
                    &format!("{{\"identity\":{id},\"type\":{ty}}}"),
                    "null",
                ))
                .unwrap(),
                "critical.image",
            ),
            (
                String::from_utf8(with(
                    &format!("{{\"identity\":{id},\"image\":{img}}}"),
                    "null",
                ))
                .unwrap(),
                "critical.type",
            ),
            (
                String::from_utf8(with(&crit("{}", &img, ty), "null")).unwrap(),
                "critical.identity.docker-reference",
            ),
            (
                String::from_utf8(with(&crit(id, "{}", ty), "null")).unwrap(),
                "critical.image.docker-manifest-digest",
            ),
        ];
        for (c, path) in &cases {
            let e = refused(c.as_bytes());
            assert!(
                matches!(&e, PayloadError::MissingField { path: p } if p == path),
                "{c}: {e}"
            );
        }
    }

    #[test]
    fn wrong_types_refused() {
        let img = format!(r#"{{"docker-manifest-digest":"sha256:{HEX}"}}"#);
        let id = r#"{"docker-reference":"example.com/a:1"}"#;
        let ty = r#""cosign container image signature""#;
        let cases: Vec<Vec<u8>> = vec![
            b"[]".to_vec(),
            b"\"x\"".to_vec(),
            b"null".to_vec(),
            b"1".to_vec(),
            with("[]", "null"),
            with("null", "null"),
            with(&crit("[]", &img, ty), "null"),
            with(&crit(id, "\"sha256:x\"", ty), "null"),
            with(&crit(id, &img, "1"), "null"),
            with(&crit(r#"{"docker-reference":1}"#, &img, ty), "null"),
            with(&crit(r#"{"docker-reference":null}"#, &img, ty), "null"),
            with(
                &crit(
                    id,
                    &format!(r#"{{"docker-manifest-digest":["sha256:{HEX}"]}}"#),
                    ty,
                ),
                "null",
            ),
            with(&good_crit(), "[]"),
            with(&good_crit(), "\"x\""),
            with(&good_crit(), r#"{"timestamp":"1700000000"}"#),
            with(&good_crit(), r#"{"timestamp":1.5}"#),
            with(&good_crit(), r#"{"timestamp":1e9}"#),
            with(&good_crit(), r#"{"timestamp":1.0}"#),
            with(&good_crit(), r#"{"timestamp":99999999999999999999}"#),
            with(&good_crit(), r#"{"timestamp":null}"#),
            with(&good_crit(), r#"{"creator":5}"#),
            with(&good_crit(), r#"{"creator":null}"#),
        ];
        for c in &cases {
            let e = refused(c);
            assert!(
                matches!(e, PayloadError::WrongType { .. }),
                "{}: {e}",
                String::from_utf8_lossy(c)
            );
        }
    }

    #[test]
    fn wrong_signature_type_refused() {
        let img = format!(r#"{{"docker-manifest-digest":"sha256:{HEX}"}}"#);
        let id = r#"{"docker-reference":"example.com/a:1"}"#;
        for ty in [
            r#""""#,
            r#""cosign container image signature ""#,
            r#""Cosign Container Image Signature""#,
            r#""https://in-toto.io/Statement/v1""#,
        ] {
            let e = refused(&with(&crit(id, &img, ty), "null"));
            assert!(matches!(e, PayloadError::UnknownType { .. }), "{ty}: {e}");
        }
    }

    #[test]
    fn digests_refused() {
        let id = r#"{"docker-reference":"example.com/a:1"}"#;
        let ty = r#""cosign container image signature""#;
        let img = |d: &str| format!(r#"{{"docker-manifest-digest":"{d}"}}"#);
        let sha512 = format!("sha512:{HEX}{HEX}");
        let e = refused(&with(&crit(id, &img(&sha512), ty), "null"));
        assert!(matches!(e, PayloadError::DigestAlgorithm { .. }), "{e}");
        assert!(e.to_string().contains("algorithm"), "{e}");
        for d in [
            format!("sha256:{}", &HEX[1..]),
            format!("sha256:{}", HEX.to_uppercase()),
            HEX.to_string(),
            String::new(),
            format!("sha256:{HEX} "),
        ] {
            let e = refused(&with(&crit(id, &img(&d), ty), "null"));
            assert!(
                matches!(
                    e,
                    PayloadError::BadDigest { .. } | PayloadError::DigestAlgorithm { .. }
                ),
                "{d}: {e}"
            );
        }
        let e = refused(&with(
            &crit(
                r#"{"docker-reference":""}"#,
                &img(&format!("sha256:{HEX}")),
                ty,
            ),
            "null",
        ));
        assert!(matches!(e, PayloadError::EmptyReference), "{e}");
    }

    #[test]
    fn malformed_and_oversized_refused() {
        let good = build("example.com/a:1", &digest(), "c", 1);
        let mut trailing = good.clone();
        trailing.extend_from_slice(b" {}");
        for c in [
            &b""[..],
            b"{",
            b"{\"critical\":",
            &good[..good.len() - 1],
            &trailing,
            b"\xff\xfe",
            b"{\"a\":\"\\ud800\"}",
        ] {
            let e = refused(c);
            assert!(
                matches!(e, PayloadError::Json(_)),
                "{:?}: {e}",
                String::from_utf8_lossy(c)
            );
        }
        // Deep nesting is an error, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(refused(deep.as_bytes()), PayloadError::Json(_)));
        // 70 KiB: refused before parsing, even though it is otherwise valid JSON.
        let pad = " ".repeat(70 * 1024);
        let big = format!("{}{pad}", String::from_utf8(good.clone()).unwrap());
        let e = refused(big.as_bytes());
        assert!(
            matches!(e, PayloadError::TooLarge { len } if len == big.len()),
            "{e}"
        );
        // Exactly at the limit is still parsed.
        let at = format!(
            "{}{}",
            String::from_utf8(good.clone()).unwrap(),
            " ".repeat(MAX_PAYLOAD - good.len())
        );
        assert!(parse_strict(at.as_bytes(), false).is_ok());
    }
}
