//! TLS trust for one registry, as the containers tools arrange it (containers-certs.d(5)): the
//! system's roots, plus every `*.crt` in `<certs_dir>/<host[:port]>/` as extra CAs, plus `--tls-ca`
//! files; a `*.cert` with its matching `*.key` in that dir is the client certificate.

use super::RegistryError;
use std::path::{Path, PathBuf};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

/// Largest certificate or key file read.
const MAX_PEM: u64 = 4 << 20;

fn cert_err(path: &Path, reason: impl Into<String>) -> RegistryError {
    RegistryError::Certificate {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Where a PEM file comes from: certs.d is a directory liftoff trusts, so its files must belong to
/// root all the way up (see `owned`); a file named on the command line is the caller's choice.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    CertsDir,
    CommandLine,
}

fn read_pem(path: &Path, origin: Origin) -> Result<Vec<u8>, RegistryError> {
    use std::io::Read;
    let f = match origin {
        Origin::CertsDir => {
            match crate::owned::open(path, "registry certificate", crate::owned::Kind::File) {
                Ok(Some(fd)) => std::fs::File::from(fd),
                Ok(None) => return Err(cert_err(path, "does not exist")),
                Err(e) => return Err(cert_err(path, e.to_string())),
            }
        }
        Origin::CommandLine => {
            std::fs::File::open(path).map_err(|e| cert_err(path, format!("cannot read it: {e}")))?
        }
    };
    let mut buf = Vec::new();
    f.take(MAX_PEM + 1)
        .read_to_end(&mut buf)
        .map_err(|e| cert_err(path, format!("cannot read it: {e}")))?;
    if buf.len() as u64 > MAX_PEM {
        return Err(cert_err(path, format!("larger than {MAX_PEM} bytes")));
    }
    Ok(buf)
}

/// Every certificate in a PEM file; at least one is required.
pub fn load_certs(path: &Path, origin: Origin) -> Result<Vec<Certificate<'static>>, RegistryError> {
    let pem = read_pem(path, origin)?;
    let mut out = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => out.push(c),
            Ok(_) => {}
            Err(e) => return Err(cert_err(path, format!("is not valid PEM: {e}"))),
        }
    }
    if out.is_empty() {
        return Err(cert_err(
            path,
            "holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        ));
    }
    Ok(out)
}

fn load_key(path: &Path) -> Result<PrivateKey<'static>, RegistryError> {
    let pem = read_pem(path, Origin::CertsDir)?;
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::PrivateKey(k)) => return Ok(k),
            Ok(_) => {}
            // The message of a PEM error could quote key material: keep it generic.
            Err(_) => return Err(cert_err(path, "is not a valid PEM private key")),
        }
    }
    Err(cert_err(path, "holds no PEM private key"))
}

/// What goes into a registry's TLS configuration.
#[derive(Debug, Default)]
pub struct TlsSetup {
    /// Extra CA certificates (from certs.d and --tls-ca).
    pub extra_roots: Vec<Certificate<'static>>,
    /// Where the extra roots came from, for `--debug`.
    pub sources: Vec<PathBuf>,
    pub client: Option<ClientCert>,
}

/// Reads `<certs_dir>/<host>/` (absent is fine) and the `--tls-ca` files (must exist).
pub fn setup(certs_dir: &Path, host: &str, tls_ca: &[PathBuf]) -> Result<TlsSetup, RegistryError> {
    let mut s = TlsSetup::default();
    // The host names a directory: refuse anything that could walk out of certs_dir.
    let dir = (!host.is_empty() && !host.contains('/') && host != "." && host != "..")
        .then(|| certs_dir.join(host));
    if let Some(dir) = dir.filter(|d| d.is_dir()) {
        crate::owned::open(&dir, "registry certificate dir", crate::owned::Kind::Dir)
            .map_err(|e| cert_err(&dir, e.to_string()))?;
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| cert_err(&dir, format!("cannot list it: {e}")))?
            .flatten()
            .map(|e| e.path())
            .collect();
        names.sort();
        for p in &names {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            match ext {
                "crt" => {
                    s.extra_roots.extend(load_certs(p, Origin::CertsDir)?);
                    s.sources.push(p.clone());
                }
                "cert" => {
                    let key = p.with_extension("key");
                    if !key.exists() {
                        return Err(cert_err(
                            p,
                            format!("client certificate without its key {}", key.display()),
                        ));
                    }
                    let chain = load_certs(p, Origin::CertsDir)?;
                    let k = load_key(&key)?;
                    s.client = Some(ClientCert::new_with_certs(&chain, k));
                }
                "key" if !p.with_extension("cert").exists() => {
                    return Err(cert_err(
                        p,
                        format!(
                            "client key without its certificate {}",
                            p.with_extension("cert").display()
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    for p in tls_ca {
        s.extra_roots.extend(load_certs(p, Origin::CommandLine)?);
        s.sources.push(p.clone());
    }
    Ok(s)
}

/// The system's root certificates (SSL_CERT_FILE/SSL_CERT_DIR or the distribution's bundle).
fn system_roots() -> Vec<Certificate<'static>> {
    let r = rustls_native_certs::load_native_certs();
    for e in r.errors.iter().take(3) {
        tracing::debug!("system certificates: {e}");
    }
    r.certs
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect()
}

/// The rustls configuration for a registry: system roots plus the extras, and the client cert.
pub fn config(s: &TlsSetup) -> TlsConfig {
    let mut roots = system_roots();
    tracing::debug!(
        "TLS roots: {} system, {} extra from {:?}",
        roots.len(),
        s.extra_roots.len(),
        s.sources
    );
    let roots = if roots.is_empty() && s.extra_roots.is_empty() {
        // No system bundle at all (a minimal container): fall back to the built-in Mozilla roots.
        RootCerts::WebPki
    } else {
        roots.extend(s.extra_roots.iter().cloned());
        RootCerts::new_with_certs(&roots)
    };
    TlsConfig::builder()
        .root_certs(roots)
        .client_cert(s.client.clone())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_bad_files_are_named() {
        let d = tempfile::tempdir().unwrap();
        let e = setup(d.path(), "h:1", &[d.path().join("nope.pem")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope.pem"), "{e}");
        std::fs::write(d.path().join("junk.pem"), "hello").unwrap();
        let e = setup(d.path(), "h:1", &[d.path().join("junk.pem")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("no PEM certificate"), "{e}");
        // An absent certs.d/<host> is fine; a traversal attempt is simply not a directory.
        assert!(setup(d.path(), "..", &[]).unwrap().extra_roots.is_empty());
        std::fs::create_dir(d.path().join("h:1")).unwrap();
        std::fs::write(d.path().join("h:1/client.key"), "x").unwrap();
        let e = setup(d.path(), "h:1", &[]).unwrap_err().to_string();
        assert!(e.contains("without its certificate"), "{e}");
    }
}
