//! Typed capabilities and resource limits, parsed once at the edge.
//!
//! The pod manifest carries capabilities as `CAP_*` names and rlimits as
//! `{"resource":"RLIMIT_NOFILE","soft":1024,"hard":1024}`. Both are checked here when the manifest is
//! read (the `deserialize_with` hooks of [`crate::AppSpec`]) and when a spec built in-process is
//! validated, so a misspelt name is refused with the name itself before any app starts, instead of
//! half way through the exec sequence. Past this point stage2 works with [`Capability`] and
//! [`ResourceLimit`] only.
//!
//! [`crate::AppSpec`] still stores the names as strings, because stage0 builds them as strings today;
//! [`ResourceLimit`] serialises to exactly the same JSON as [`crate::Rlimit`], so the field types can
//! switch to the typed forms without changing the manifest.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A Linux capability (`CAP_CHOWN`, …), as the `caps` crate names it: parsed from and shown as the
/// upper-case `CAP_` name.
pub use caps::Capability;

/// A name or a limit that stage2 cannot apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    #[error("unknown capability {0}")]
    UnknownCapability(String),
    #[error("unknown rlimit {0}")]
    UnknownRlimit(String),
    /// setrlimit(2) would refuse it with EINVAL; say so before anything runs.
    #[error("rlimit {resource}: soft limit {soft} is above hard limit {hard}")]
    SoftAboveHard {
        resource: RlimitResource,
        soft: u64,
        hard: u64,
    },
}

/// Parses one `CAP_*` name (exactly as the kernel headers spell it).
pub fn parse_capability(name: &str) -> Result<Capability, TypeError> {
    name.parse()
        .map_err(|_| TypeError::UnknownCapability(name.to_string()))
}

/// Parses a list of `CAP_*` names, keeping their order; the first unknown one is the error.
pub fn parse_capabilities(names: &[String]) -> Result<Vec<Capability>, TypeError> {
    names.iter().map(|n| parse_capability(n)).collect()
}

/// serde for a list of capabilities as their `CAP_*` names (the manifest's form): unknown names
/// are refused, by name, when the manifest is read.
pub mod capability_names {
    use super::{parse_capability, Capability};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(caps: &[Capability], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(caps.iter().map(|c| c.to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Capability>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|n| parse_capability(n))
            .collect::<Result<_, _>>()
            .map_err(serde::de::Error::custom)
    }
}

macro_rules! resources {
    ($($variant:ident => $name:literal, $libc:ident;)*) => {
        /// A resource of setrlimit(2), named in the manifest as `RLIMIT_*`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RlimitResource {
            $($variant,)*
        }

        impl RlimitResource {
            /// Every resource, in the order of setrlimit(2)'s manual.
            pub const ALL: &'static [RlimitResource] = &[$(RlimitResource::$variant,)*];

            /// The `RLIMIT_*` name, as the manifest carries it.
            pub fn name(self) -> &'static str {
                match self {
                    $(RlimitResource::$variant => $name,)*
                }
            }

            /// The resource number setrlimit(2) takes.
            pub fn raw(self) -> libc::__rlimit_resource_t {
                match self {
                    $(RlimitResource::$variant => libc::$libc,)*
                }
            }
        }

        impl std::str::FromStr for RlimitResource {
            type Err = TypeError;
            fn from_str(s: &str) -> Result<Self, TypeError> {
                match s {
                    $($name => Ok(RlimitResource::$variant),)*
                    _ => Err(TypeError::UnknownRlimit(s.to_string())),
                }
            }
        }
    };
}

resources! {
    As => "RLIMIT_AS", RLIMIT_AS;
    Core => "RLIMIT_CORE", RLIMIT_CORE;
    Cpu => "RLIMIT_CPU", RLIMIT_CPU;
    Data => "RLIMIT_DATA", RLIMIT_DATA;
    Fsize => "RLIMIT_FSIZE", RLIMIT_FSIZE;
    Locks => "RLIMIT_LOCKS", RLIMIT_LOCKS;
    Memlock => "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK;
    Msgqueue => "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE;
    Nice => "RLIMIT_NICE", RLIMIT_NICE;
    Nofile => "RLIMIT_NOFILE", RLIMIT_NOFILE;
    Nproc => "RLIMIT_NPROC", RLIMIT_NPROC;
    Rss => "RLIMIT_RSS", RLIMIT_RSS;
    Rtprio => "RLIMIT_RTPRIO", RLIMIT_RTPRIO;
    Rttime => "RLIMIT_RTTIME", RLIMIT_RTTIME;
    Sigpending => "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING;
    Stack => "RLIMIT_STACK", RLIMIT_STACK;
}

impl fmt::Display for RlimitResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for RlimitResource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for RlimitResource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// One checked resource limit: a known resource, soft ≤ hard. `u64::MAX` means unlimited
/// (RLIM_INFINITY), as stage0 writes `--ulimit nofile=-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResourceLimit {
    pub resource: RlimitResource,
    pub soft: u64,
    pub hard: u64,
}

impl ResourceLimit {
    /// The limit, or why setrlimit(2) would refuse it.
    pub fn new(resource: RlimitResource, soft: u64, hard: u64) -> Result<Self, TypeError> {
        if soft > hard {
            return Err(TypeError::SoftAboveHard {
                resource,
                soft,
                hard,
            });
        }
        Ok(ResourceLimit {
            resource,
            soft,
            hard,
        })
    }
}

impl<'de> Deserialize<'de> for ResourceLimit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The manifest's shape, strict, then the checks of `new`.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            resource: RlimitResource,
            soft: u64,
            hard: u64,
        }
        let w = Wire::deserialize(d)?;
        ResourceLimit::new(w.resource, w.soft, w.hard).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_capability_is_named() {
        assert_eq!(
            parse_capability("CAP_CHOWN").unwrap(),
            Capability::CAP_CHOWN
        );
        let e = parse_capabilities(&["CAP_KILL".into(), "CAP_FLY".into()]).unwrap_err();
        assert_eq!(e.to_string(), "unknown capability CAP_FLY");
        // Names are exact, as the manifest carries them; stage0 normalises what users type.
        assert!(parse_capability("chown").is_err());
    }

    #[test]
    fn unknown_rlimit_is_named() {
        assert_eq!(
            "RLIMIT_NOFILE".parse::<RlimitResource>().unwrap(),
            RlimitResource::Nofile
        );
        let e = "RLIMIT_FLY".parse::<RlimitResource>().unwrap_err();
        assert_eq!(e.to_string(), "unknown rlimit RLIMIT_FLY");
        let e =
            serde_json::from_str::<ResourceLimit>(r#"{"resource":"RLIMIT_FLY","soft":1,"hard":1}"#)
                .unwrap_err();
        assert!(e.to_string().contains("unknown rlimit RLIMIT_FLY"), "{e}");
        for r in RlimitResource::ALL {
            assert_eq!(r.name().parse::<RlimitResource>().unwrap(), *r);
        }
    }

    #[test]
    fn soft_above_hard_is_refused() {
        let e = ResourceLimit::new(RlimitResource::Nofile, 2048, 1024).unwrap_err();
        assert_eq!(
            e.to_string(),
            "rlimit RLIMIT_NOFILE: soft limit 2048 is above hard limit 1024"
        );
        let e = serde_json::from_str::<ResourceLimit>(
            r#"{"resource":"RLIMIT_NOFILE","soft":2048,"hard":1024}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("soft limit 2048"), "{e}");
        ResourceLimit::new(RlimitResource::Nofile, 1024, u64::MAX).unwrap();
    }

    #[test]
    fn round_trip_in_the_manifest_shape() {
        let json = r#"{"resource":"RLIMIT_NOFILE","soft":1024,"hard":18446744073709551615}"#;
        let typed: ResourceLimit = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&typed).unwrap(), json);
        assert!(serde_json::from_str::<ResourceLimit>(
            r#"{"resource":"RLIMIT_NOFILE","soft":1,"hard":1,"x":0}"#
        )
        .is_err());
    }
}
