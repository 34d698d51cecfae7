//! Where the passphrase of a cosign key comes from: `--passphrase-file` (its first line, as
//! skopeo's `--sign-passphrase-file` reads it), else `$COSIGN_PASSWORD` (as cosign reads it; set
//! and empty means the empty passphrase), else a prompt on the terminal when stdin is one. With
//! none of these, an encrypted key is refused with the three ways to give one: liftoff never
//! waits on a terminal nobody is at.

use super::keys::KeyError;
use ed25519_dalek::pkcs8::spki::der::zeroize::Zeroizing;
use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};

/// The environment variable cosign reads a key's passphrase from.
pub const ENV: &str = "COSIGN_PASSWORD";

/// Longest passphrase file read; a passphrase is one line.
const MAX_FILE: u64 = 64 * 1024;

/// How to get a passphrase when a key needs one.
#[derive(Debug, Clone)]
pub enum Passphrase {
    /// Never: an encrypted key is refused (for callers that only read unencrypted keys).
    None,
    /// The first line of this file, without its newline.
    File(PathBuf),
    /// `$COSIGN_PASSWORD`, else a prompt on the terminal, else refused.
    Ask,
}

impl Passphrase {
    /// The passphrase source of a command: `--passphrase-file` if given, else ask.
    pub fn from_cli(file: Option<&Path>) -> Passphrase {
        match file {
            Some(f) => Passphrase::File(f.to_path_buf()),
            None => Passphrase::Ask,
        }
    }

    /// The passphrase of an existing key, `what` naming it in the prompt.
    pub fn get(&self, what: &str) -> Result<Zeroizing<String>, KeyError> {
        self.obtain(what, false)
    }

    /// The passphrase for a key about to be encrypted: asked twice on a terminal. An empty one is
    /// allowed, as cosign allows it, but said loudly.
    pub fn get_new(&self, what: &str) -> Result<Zeroizing<String>, KeyError> {
        let p = self.obtain(what, true)?;
        if p.is_empty() {
            eprintln!("liftoff: warning: {what} is encrypted with an EMPTY passphrase: anyone who gets a copy of the file can sign with it");
        }
        Ok(p)
    }

    fn obtain(&self, what: &str, confirm: bool) -> Result<Zeroizing<String>, KeyError> {
        match self {
            Passphrase::None => Err(KeyError::Passphrase(format!(
                "{what} is encrypted, and this command reads only unencrypted keys"
            ))),
            Passphrase::File(path) => read_file(path),
            Passphrase::Ask => {
                if let Some(v) = std::env::var_os(ENV) {
                    return v
                        .into_string()
                        .map(Zeroizing::new)
                        .map_err(|_| KeyError::Passphrase(format!("${ENV} is not valid UTF-8")));
                }
                if !std::io::stdin().is_terminal() {
                    return Err(KeyError::Passphrase(format!(
                        "{what} is encrypted and needs its passphrase: give it with --passphrase-file FILE or ${ENV} (stdin is not a terminal to ask on)"
                    )));
                }
                prompt(what, confirm)
            }
        }
    }
}

/// The first line of `path`, without the newline, as skopeo and gpg read a passphrase file.
fn read_file(path: &Path) -> Result<Zeroizing<String>, KeyError> {
    let f = std::fs::File::open(path).map_err(|source| KeyError::Io {
        path: path.to_path_buf(),
        op: "open passphrase file",
        source,
    })?;
    let mut buf = Zeroizing::new(Vec::new());
    f.take(MAX_FILE)
        .read_to_end(&mut buf)
        .map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            op: "read passphrase file",
            source,
        })?;
    let line = buf.split(|&b| b == b'\n').next().unwrap_or_default();
    let text = std::str::from_utf8(line).map_err(|_| {
        KeyError::Passphrase(format!(
            "the passphrase file {} is not UTF-8 text",
            path.display()
        ))
    })?;
    Ok(Zeroizing::new(text.to_string()))
}

/// Asks on the controlling terminal, without echo; twice when `confirm`.
fn prompt(what: &str, confirm: bool) -> Result<Zeroizing<String>, KeyError> {
    let tty = |e: std::io::Error| {
        KeyError::Passphrase(format!(
            "cannot ask for the passphrase of {what} on the terminal: {e}; give it with --passphrase-file FILE or ${ENV}"
        ))
    };
    let first = Zeroizing::new(
        rpassword::prompt_password(format!("Enter passphrase for {what}: ")).map_err(tty)?,
    );
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Enter the same passphrase again: ").map_err(tty)?,
        );
        if *again != *first {
            return Err(KeyError::Passphrase(
                "the two passphrases differ; nothing was written".to_string(),
            ));
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_gives_its_first_line() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("pass");
        for (content, want) in [
            ("secret", "secret"),
            ("secret\n", "secret"),
            ("two words \nsecond line\n", "two words "),
            ("", ""),
        ] {
            std::fs::write(&p, content).unwrap();
            assert_eq!(Passphrase::File(p.clone()).get("k").unwrap().as_str(), want);
        }
        std::fs::write(&p, b"\xff\xfe").unwrap();
        let e = Passphrase::File(p.clone()).get("k").unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        let e = Passphrase::File(d.path().join("missing"))
            .get("k")
            .unwrap_err();
        assert!(e.to_string().contains("open passphrase file"), "{e}");
    }

    #[test]
    fn none_refuses_with_the_reason() {
        let e = Passphrase::None.get("the key").unwrap_err();
        assert!(e.to_string().contains("encrypted"), "{e}");
    }
}
