//! The stage1 entrypoints of the contract (`liftoff_contract` lists them), one file per verb.
//! `main.rs` only parses the verb and its arguments; each verb returns the process's exit code.

pub mod enter;
pub mod gc;
pub mod run;
pub mod status;
pub mod stop;

use std::path::{Path, PathBuf};

/// Exit code for the stage1's own failures (the contract's and liftoff's convention).
pub const FAILED: u8 = 254;

/// Why a verb failed; what it prints is the message stage0 shows.
#[derive(Debug, thiserror::Error)]
pub enum VerbError {
    /// The command line does not fit the contract.
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Manifest(#[from] liftoff_contract::ManifestError),
    #[error(transparent)]
    Record(#[from] liftoff_contract::records::RecordError),
    #[error(transparent)]
    NetRecord(#[from] liftoff_contract::network::NetStateError),
    /// `enter`'s own errors name the pod and the app already.
    #[error(transparent)]
    Enter(#[from] crate::enter::EnterError),
    /// The pod is not in a state the verb can act on.
    #[error("{0}")]
    Pod(String),
    /// A step of the verb failed; `what` names the object and the step.
    #[error("{what}: {source}")]
    Step {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl VerbError {
    /// Wraps the error of one step, naming the object and the step.
    pub fn step<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
        what: impl Into<String>,
    ) -> impl FnOnce(E) -> VerbError {
        let what = what.into();
        move |e| VerbError::Step {
            what,
            source: e.into(),
        }
    }
}

/// The arguments every verb takes: options, then the pod dir, then (for `enter`) `-- CMD…`.
#[derive(Debug, Default)]
pub struct Args {
    pub pod_dir: Option<PathBuf>,
    pub options: Vec<(String, Option<String>)>,
    pub command: Vec<String>,
}

/// Options that take a value; every other option is a flag.
const VALUED: &[&str] = &["--lock-fd", "--ready-fd", "--app"];

/// Parses `[--opt [VALUE]]… POD_DIR [-- CMD…]`; the error names the argument.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, VerbError> {
    let mut out = Args::default();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--" {
            out.command = it.collect();
            break;
        }
        if a.starts_with("--") {
            let v = if VALUED.contains(&a.as_str()) {
                Some(
                    it.next()
                        .ok_or(VerbError::Usage(format!("{a} needs a value")))?,
                )
            } else {
                None
            };
            out.options.push((a, v));
        } else if out.pod_dir.is_none() {
            out.pod_dir = Some(PathBuf::from(a));
        } else {
            return Err(VerbError::Usage(format!(
                "unexpected argument {}",
                liftoff_stage2::report::shown(&a)
            )));
        }
    }
    Ok(out)
}

impl Args {
    /// The pod dir, which every verb needs.
    pub fn pod_dir(&self) -> Result<&Path, VerbError> {
        self.pod_dir
            .as_deref()
            .ok_or_else(|| VerbError::Usage("no pod dir given".into()))
    }

    /// Whether a flag was given.
    pub fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(k, _)| k == name)
    }

    /// An option's value.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// An fd-number option.
    pub fn fd(&self, name: &str) -> Result<Option<i32>, VerbError> {
        self.value(name)
            .map(|v| {
                v.parse::<i32>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or(VerbError::Usage(format!(
                        "{name} {v}: not a file descriptor number"
                    )))
            })
            .transpose()
    }

    /// Refuses options this verb does not take.
    pub fn only(&self, allowed: &[&str]) -> Result<(), VerbError> {
        match self
            .options
            .iter()
            .find(|(k, _)| !allowed.contains(&k.as_str()))
        {
            Some((k, _)) => Err(VerbError::Usage(format!(
                "unknown option {}",
                liftoff_stage2::report::shown(k)
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Result<Args, VerbError> {
        parse_args(v.iter().map(|s| s.to_string()))
    }

    #[test]
    fn options_pod_dir_and_command() {
        let a = args(&["--lock-fd", "3", "--force", "/p", "--", "ls", "-l"]).unwrap();
        assert_eq!(a.pod_dir().unwrap(), Path::new("/p"));
        assert_eq!(a.fd("--lock-fd").unwrap(), Some(3));
        assert!(a.flag("--force"));
        assert_eq!(a.command, ["ls", "-l"]);
        assert_eq!(
            a.only(&["--lock-fd"]).unwrap_err().to_string(),
            "unknown option --force"
        );
        assert_eq!(
            args(&["--app"]).unwrap_err().to_string(),
            "--app needs a value"
        );
        assert_eq!(
            args(&["/a", "/b"]).unwrap_err().to_string(),
            "unexpected argument /b"
        );
        assert_eq!(
            args(&["--ready-fd", "x", "/p"])
                .unwrap()
                .fd("--ready-fd")
                .unwrap_err()
                .to_string(),
            "--ready-fd x: not a file descriptor number"
        );
        assert_eq!(
            args(&[]).unwrap().pod_dir().unwrap_err().to_string(),
            "no pod dir given"
        );
    }
}
