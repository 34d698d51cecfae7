//! Platforms (`os/arch[/variant]`) and picking the host's entry from a multi-platform index.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// The platform this binary runs on, in Go's (GOOS/GOARCH) spelling that images use.
    pub fn host() -> Platform {
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", Some("v8")),
            "arm" => ("arm", Some("v7")),
            "x86" => ("386", None),
            "powerpc64" if cfg!(target_endian = "little") => ("ppc64le", None),
            "powerpc64" => ("ppc64", None),
            "riscv64" => ("riscv64", None),
            "s390x" => ("s390x", None),
            "loongarch64" => ("loong64", None),
            "mips64" => ("mips64", None),
            other => (other, None),
        };
        Platform {
            os: std::env::consts::OS.to_string(),
            architecture: architecture.to_string(),
            variant: variant.map(str::to_string),
        }
    }

    /// Parses `os/arch[/variant]`.
    pub fn parse(s: &str) -> Option<Platform> {
        let mut it = s.split('/');
        let os = it.next().filter(|x| !x.is_empty())?;
        let arch = it.next().filter(|x| !x.is_empty())?;
        let variant = it.next().map(str::to_string);
        if it.next().is_some() {
            return None;
        }
        Some(Platform {
            os: os.to_string(),
            architecture: arch.to_string(),
            variant,
        })
    }

    /// How well `candidate` fits `self` (the wanted platform): None if it does not run here, higher is
    /// better. An index entry without a variant fits any variant (arm64 images rarely say v8).
    pub fn score(&self, candidate: &Platform) -> Option<u8> {
        if candidate.os != self.os || candidate.architecture != self.architecture {
            return None;
        }
        match (&self.variant, &candidate.variant) {
            (Some(w), Some(c)) if w == c => Some(2),
            (_, None) => Some(1),
            (None, Some(_)) => Some(0),
            // arm/v7 runs v6 and v5 binaries; anything else with a different variant does not fit.
            (Some(w), Some(c)) if self.architecture == "arm" && c < w => Some(0),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoring() {
        let want = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(
            want.score(&Platform::parse("linux/arm64").unwrap()),
            Some(1)
        );
        assert_eq!(
            want.score(&Platform::parse("linux/arm64/v8").unwrap()),
            Some(2)
        );
        assert_eq!(want.score(&Platform::parse("linux/amd64").unwrap()), None);
        assert_eq!(want.score(&Platform::parse("windows/arm64").unwrap()), None);
        assert!(Platform::parse("linux").is_none());
        assert!(Platform::parse("a/b/c/d").is_none());
    }
}
