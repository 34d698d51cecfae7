//! Volumes as users write them, turned into the manifest's mounts.
//!
//! `-v SOURCE:TARGET[:OPTIONS]` (podman's syntax): SOURCE is an absolute host path (a bind) or a name
//! (a named empty volume of the pod, shared by every app that names it). OPTIONS is a comma list of
//! `ro`/`rw`, and for named volumes `uid=N`, `gid=N`, `mode=OCTAL` (default root:root 0755).
//! `--tmpfs TARGET[:OPTIONS]` mounts a fresh tmpfs (options size=, mode=, uid=, gid=, nr_inodes=,
//! exec, ro). Host sources are canonicalised here and refused when they lie in liftoff's state
//! directory, which holds other pods' files, keys and the image store.

use liftoff_contract::manifest::{AppMount, EmptyVolume, MountSource};
use serde::Deserialize;
use std::path::Path;

/// A `[[volume]]` table of a pod file: one mount for the apps it names (all apps when `apps` is empty).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VolumeRequest {
    /// Absolute host path, or a volume name.
    pub source: String,
    pub target: String,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub apps: Vec<String>,
    /// Owner and mode of a named volume.
    #[serde(default)]
    pub uid: Option<u32>,
    #[serde(default)]
    pub gid: Option<u32>,
    #[serde(default)]
    pub mode: Option<String>,
    /// Host binds: seen through the pod's id map (`:idmap`).
    #[serde(default)]
    pub idmap: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{spec}: {msg}")]
pub struct VolumeError {
    pub spec: String,
    pub msg: String,
}

fn err(spec: &str, msg: impl Into<String>) -> VolumeError {
    VolumeError {
        spec: spec.to_string(),
        msg: msg.into(),
    }
}

/// Parses `-v SOURCE:TARGET[:OPTIONS]`.
pub fn parse_volume(spec: &str) -> Result<VolumeRequest, VolumeError> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, opts) = match parts.as_slice() {
        [s, t] => (*s, *t, ""),
        [s, t, o] => (*s, *t, *o),
        _ => {
            return Err(err(
                spec,
                "use -v SOURCE:TARGET[:ro] (SOURCE an absolute host path or a volume name)",
            ))
        }
    };
    let mut v = VolumeRequest {
        source: source.to_string(),
        target: target.to_string(),
        ..Default::default()
    };
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        match o.split_once('=') {
            None if o == "ro" => v.read_only = true,
            None if o == "rw" => v.read_only = false,
            None if o == "idmap" => v.idmap = true,
            Some(("uid", n)) => v.uid = Some(n.parse().map_err(|_| err(spec, format!("uid={n}")))?),
            Some(("gid", n)) => v.gid = Some(n.parse().map_err(|_| err(spec, format!("gid={n}")))?),
            Some(("mode", m)) => v.mode = Some(m.to_string()),
            _ => {
                return Err(err(
                    spec,
                    format!("unknown option {o:?} (use ro, rw, idmap, uid=, gid=, mode=)"),
                ))
            }
        }
    }
    Ok(v)
}

/// Parses `--tmpfs TARGET[:OPTIONS]`.
pub fn parse_tmpfs(spec: &str) -> Result<AppMount, VolumeError> {
    let (target, opts) = spec.split_once(':').unwrap_or((spec, ""));
    let (mut keep, mut exec, mut ro) = (Vec::new(), false, false);
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        match o {
            "exec" => exec = true,
            "noexec" => exec = false,
            "ro" => ro = true,
            "rw" => ro = false,
            _ => keep.push(o),
        }
    }
    let options = keep.join(",");
    if keep.iter().any(|o| {
        o.split_once('=').is_some_and(|(k, v)| {
            matches!(k, "size" | "nr_inodes") && liftoff_contract::manifest::zero_amount(v)
        })
    }) {
        return Err(err(
            spec,
            "size=0 and nr_inodes=0 mean \"unlimited\" to the kernel; give a real size (e.g. size=64m) or leave it out (the tmpfs then counts against the app's memory limit)",
        ));
    }
    if !liftoff_contract::manifest::valid_tmpfs_options(&options) {
        return Err(err(
            spec,
            "tmpfs options are size=, mode=, uid=, gid=, nr_inodes=, exec, ro",
        ));
    }
    check_target(spec, target)?;
    Ok(AppMount {
        target: target.to_string(),
        source: MountSource::Tmpfs { options, exec },
        read_only: ro,
        idmap: false,
    })
}

fn check_target(spec: &str, t: &str) -> Result<(), VolumeError> {
    let p = Path::new(t);
    if !p.is_absolute()
        || p == Path::new("/")
        || p.components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(err(
            spec,
            format!("target {t:?} must be an absolute path below / without '..'"),
        ));
    }
    Ok(())
}

/// Resolves one volume request for one app: the mount, and the named volume it needs (if any).
pub fn resolve(
    v: &VolumeRequest,
    state_root: &Path,
) -> Result<(AppMount, Option<EmptyVolume>), VolumeError> {
    let spec = format!("{}:{}", v.source, v.target);
    check_target(&spec, &v.target)?;
    if v.source.starts_with('/') {
        if v.uid.is_some() || v.gid.is_some() || v.mode.is_some() {
            return Err(err(
                &spec,
                "uid=, gid= and mode= are for named volumes, not host paths",
            ));
        }
        let path = std::fs::canonicalize(&v.source).map_err(|e| {
            err(
                &spec,
                format!("host path {}: {e} (create it first)", v.source),
            )
        })?;
        let root = std::fs::canonicalize(state_root).unwrap_or_else(|_| state_root.to_path_buf());
        if path.starts_with(&root) || root.starts_with(&path) {
            return Err(err(
                &spec,
                format!(
                    "{} overlaps liftoff's state directory {}, which holds other pods and the image store; bind something else",
                    path.display(),
                    root.display()
                ),
            ));
        }
        if path.to_str().is_none() {
            return Err(err(&spec, "host path is not valid UTF-8"));
        }
        return Ok((
            AppMount {
                target: v.target.clone(),
                source: MountSource::Host { path },
                read_only: v.read_only,
                idmap: v.idmap,
            },
            None,
        ));
    }
    if v.idmap {
        return Err(err(
            &spec,
            "idmap is for host paths; a named volume already belongs to the pod's ids",
        ));
    }
    if !liftoff_contract::valid_app_name(&v.source) {
        return Err(err(
            &spec,
            "a volume name is 1-63 characters of a-z, 0-9 and '-' (or give an absolute host path)",
        ));
    }
    let mode = match &v.mode {
        Some(m) => u32::from_str_radix(m, 8)
            .ok()
            .filter(|m| *m <= 0o7777)
            .ok_or_else(|| err(&spec, format!("mode={m}: use an octal mode such as 0750")))?,
        None => 0o755,
    };
    Ok((
        AppMount {
            target: v.target.clone(),
            source: MountSource::Volume {
                name: v.source.clone(),
            },
            read_only: v.read_only,
            idmap: false,
        },
        Some(EmptyVolume {
            name: v.source.clone(),
            uid: v.uid.unwrap_or(0),
            gid: v.gid.unwrap_or(0),
            mode,
        }),
    ))
}

/// Adds a named volume to the pod's list; the same name twice must mean the same owner and mode.
pub fn add_volume(all: &mut Vec<EmptyVolume>, v: EmptyVolume) -> Result<(), VolumeError> {
    match all.iter().find(|x| x.name == v.name) {
        Some(x) if *x == v => Ok(()),
        Some(x) if v.uid == 0 && v.gid == 0 && v.mode == 0o755 => {
            // A later mention without options takes the first one's.
            let _ = x;
            Ok(())
        }
        Some(_) => Err(err(
            &v.name,
            "this volume is given different uid/gid/mode in two places",
        )),
        None => {
            all.push(v);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_specs() {
        let v = parse_volume("/srv/data:/data:ro").unwrap();
        assert_eq!(
            (v.source.as_str(), v.target.as_str()),
            ("/srv/data", "/data")
        );
        assert!(v.read_only);
        let v = parse_volume("cache:/var/cache:uid=1000,gid=1000,mode=0700").unwrap();
        assert_eq!(
            (v.uid, v.gid, v.mode.as_deref()),
            (Some(1000), Some(1000), Some("0700"))
        );
        assert!(parse_volume("/a").is_err());
        assert!(parse_volume("/a:/b:suid").is_err());
    }

    #[test]
    fn state_dir_sources_and_bad_targets_are_refused() {
        let t = std::env::temp_dir().join(format!("liftoff-vol-{}", std::process::id()));
        std::fs::create_dir_all(t.join("pods/run/x")).unwrap();
        let v = parse_volume(&format!("{}/pods/run/x:/x", t.display())).unwrap();
        let e = resolve(&v, &t).unwrap_err().to_string();
        assert!(e.contains("state directory"), "{e}");
        let v = parse_volume(&format!("{}:/x", t.display())).unwrap();
        assert!(
            resolve(&v, &t.join("pods")).is_err(),
            "a parent of the state dir"
        );
        let v = parse_volume("/tmp:/../etc").unwrap();
        assert!(resolve(&v, &t).is_err());
        let v = parse_volume("/tmp:/").unwrap();
        assert!(resolve(&v, &t).is_err());
        let v = parse_volume("/usr:/scratch:ro").unwrap();
        let (m, named) = resolve(&v, &t).unwrap();
        assert!(named.is_none() && m.read_only);
        let v = parse_volume("Bad_Name:/x").unwrap();
        assert!(resolve(&v, &t).is_err());
        std::fs::remove_dir_all(&t).unwrap();
    }

    #[test]
    fn tmpfs_specs() {
        let m = parse_tmpfs("/run:size=16m,exec").unwrap();
        assert_eq!(
            m.source,
            MountSource::Tmpfs {
                options: "size=16m".into(),
                exec: true
            }
        );
        assert!(parse_tmpfs("/run:size=1m,suid").is_err());
        assert!(parse_tmpfs("run").is_err());
    }

    #[test]
    fn named_volumes_agree() {
        let mut all = Vec::new();
        let v = |uid| EmptyVolume {
            name: "data".into(),
            uid,
            gid: 0,
            mode: 0o755,
        };
        add_volume(&mut all, v(1000)).unwrap();
        add_volume(&mut all, v(0)).unwrap();
        assert!(add_volume(&mut all, v(5)).is_err());
        assert_eq!(all.len(), 1);
    }
}
