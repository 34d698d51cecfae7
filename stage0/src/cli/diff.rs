//! `liftoff diff POD [--app NAME]`: the files an app added (A), changed (C) or deleted (D), read
//! from its overlay upper dir against the image's layers. Works while the pod runs and after it exited.

use super::lifecycle::PodRef;
use super::Ctx;
use anyhow::Result;
use clap::Args;
use liftoff::pod::Pods;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
#[command(after_help = "\
Directories whose contents changed show as C, as in `podman diff`. Mount points liftoff created for
the pod's own files (/etc/hosts, /proc, ...) when the image lacked them show as A.")]
pub struct DiffArgs {
    #[command(flatten)]
    pub pod: PodRef,
    /// The app (required when the pod has several)
    #[arg(long)]
    pub app: Option<String>,
}

/// How a path of the upper dir relates to the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Added,
    Changed,
    Deleted,
}

impl Change {
    fn letter(self) -> char {
        match self {
            Change::Added => 'A',
            Change::Changed => 'C',
            Change::Deleted => 'D',
        }
    }
}

fn is_whiteout(m: &std::fs::Metadata) -> bool {
    m.file_type().is_char_device() && m.rdev() == 0
}

/// Whether overlayfs treats this dir as opaque (it hides what lower layers have below it).
fn opaque(p: &Path) -> bool {
    let mut b = [0u8; 4];
    matches!(rustix::fs::lgetxattr(p, "trusted.overlay.opaque", &mut b), Ok(1) if b[0] == b'y')
}

/// Whether `rel` exists in the image. The top-most layer that says anything decides: it has the
/// path, or a whiteout of it or of a parent, or a non-directory where a parent should be, or an
/// opaque parent that hides the lower layers' copies.
fn in_image(layers: &[PathBuf], rel: &Path) -> bool {
    let comps: Vec<_> = rel.components().collect();
    for l in layers.iter().rev() {
        let mut p = l.clone();
        let mut hidden = false;
        for (i, c) in comps.iter().enumerate() {
            p.push(c);
            match std::fs::symlink_metadata(&p) {
                Err(_) if hidden => return false,
                Err(_) => break,
                Ok(m) if is_whiteout(&m) => return false,
                Ok(_) if i + 1 == comps.len() => return true,
                Ok(m) if !m.is_dir() => return false,
                Ok(_) => hidden |= opaque(&p),
            }
        }
    }
    false
}

/// What the image has directly below `rel` (for a dir the app removed and made anew).
fn image_children(layers: &[PathBuf], rel: &Path) -> Vec<std::ffi::OsString> {
    let mut names = std::collections::BTreeSet::new();
    for l in layers.iter().rev() {
        if let Ok(rd) = std::fs::read_dir(l.join(rel)) {
            names.extend(rd.flatten().map(|e| e.file_name()));
        }
    }
    names
        .into_iter()
        .filter(|n| in_image(layers, &rel.join(n)))
        .collect()
}

/// Walks the upper dir; returns (change, path in the app) sorted by path.
pub fn changes(upper: &Path, layers: &[PathBuf]) -> Vec<(Change, String)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(upper.join(&rel)) else {
            continue;
        };
        for e in rd.flatten() {
            let r = rel.join(e.file_name());
            let Ok(m) = e.metadata() else { continue };
            let existed = in_image(layers, &r);
            let c = if is_whiteout(&m) {
                if !existed {
                    continue;
                }
                Change::Deleted
            } else if existed {
                Change::Changed
            } else {
                Change::Added
            };
            out.push((c, format!("/{}", r.display())));
            if m.is_dir() {
                // Removed and made again: what the image had in it and the app did not put back
                // is gone.
                if existed && opaque(&upper.join(&r)) {
                    for n in image_children(layers, &r) {
                        if std::fs::symlink_metadata(upper.join(&r).join(&n)).is_err() {
                            out.push((Change::Deleted, format!("/{}", r.join(&n).display())));
                        }
                    }
                }
                stack.push(r);
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

pub fn run(ctx: &Ctx, a: DiffArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let p = a.pod.find(&pods)?;
    let (m, i) = super::lifecycle::pod_app(&p, a.app.as_deref())?;
    let app = &m.apps[i];
    let dirs = liftoff_contract::layout::AppDirs::new(&p.dir, &app.spec.name);
    for (c, path) in changes(&dirs.upper, &app.layers) {
        println!("{} {path}", c.letter());
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whiteout(p: &Path) {
        rustix::fs::mknodat(
            rustix::fs::CWD,
            p,
            rustix::fs::FileType::CharacterDevice,
            rustix::fs::Mode::empty(),
            0,
        )
        .unwrap();
    }

    #[test]
    fn added_changed_deleted() {
        let t = std::env::temp_dir().join(format!("liftoff-diff-{}", std::process::id()));
        let (l1, l2, up) = (t.join("l1"), t.join("l2"), t.join("up"));
        for d in [&l1, &l2, &up] {
            std::fs::create_dir_all(d.join("etc")).unwrap();
        }
        std::fs::write(l1.join("etc/passwd"), "x").unwrap();
        std::fs::write(l1.join("etc/gone"), "x").unwrap();
        std::fs::write(l1.join("etc/hidden"), "x").unwrap();
        // A whiteout in the upper layer of the image: /etc/hidden is not in the image.
        whiteout(&l2.join("etc/hidden"));
        std::fs::write(up.join("etc/passwd"), "y").unwrap();
        std::fs::write(up.join("etc/hidden"), "new").unwrap();
        std::fs::write(up.join("new"), "n").unwrap();
        whiteout(&up.join("etc/gone"));
        // /etc/sub was removed in the image's upper layer (whiteout of the parent): its file is not
        // in the image. /opt was removed and made again by the app (opaque): /opt/old is gone.
        std::fs::create_dir_all(l1.join("etc/sub")).unwrap();
        std::fs::write(l1.join("etc/sub/f"), "x").unwrap();
        whiteout(&l2.join("etc/sub"));
        std::fs::create_dir_all(up.join("etc/sub")).unwrap();
        std::fs::write(up.join("etc/sub/f"), "new").unwrap();
        std::fs::create_dir_all(l1.join("opt")).unwrap();
        std::fs::write(l1.join("opt/old"), "x").unwrap();
        std::fs::create_dir_all(up.join("opt")).unwrap();
        rustix::fs::setxattr(
            up.join("opt"),
            "trusted.overlay.opaque",
            b"y",
            rustix::fs::XattrFlags::empty(),
        )
        .unwrap();
        let got: Vec<String> = changes(&up, &[l1.clone(), l2.clone()])
            .into_iter()
            .map(|(c, p)| format!("{} {p}", c.letter()))
            .collect();
        assert_eq!(
            got,
            [
                "C /etc",
                "D /etc/gone",
                "A /etc/hidden",
                "C /etc/passwd",
                "A /etc/sub",
                "A /etc/sub/f",
                "A /new",
                "C /opt",
                "D /opt/old"
            ]
        );
        std::fs::remove_dir_all(&t).unwrap();
    }
}
