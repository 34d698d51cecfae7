//! Resolving the app's user and groups from the app's own /etc/passwd and /etc/group (read after
//! pivot_root, so they are the image's files), as podman does: names or numbers, `user:group`,
//! supplementary groups from /etc/group membership plus --group-add.

use std::io::Read;

/// The resolved identity the app runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
    /// From passwd, for HOME when the env lacks it.
    pub home: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("user {0:?} is not in the app's /etc/passwd (give a numeric uid, or add the user to the image)")]
    NoUser(String),
    #[error("group {0:?} is not in the app's /etc/group (give a numeric gid, or add the group to the image)")]
    NoGroup(String),
    #[error("user spec {0:?}: use NAME|UID[:GROUP|GID]")]
    Bad(String),
}

/// Reads at most 4 MiB of a file of the app root; a missing file reads as empty.
pub fn read_small(path: &str) -> String {
    let mut s = String::new();
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.take(4 << 20).read_to_string(&mut s);
    }
    s
}

struct PwEnt<'a> {
    name: &'a str,
    uid: u32,
    gid: u32,
    home: &'a str,
}

fn passwd_entries(text: &str) -> impl Iterator<Item = PwEnt<'_>> {
    text.lines().filter_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() < 7 || l.starts_with('#') {
            return None;
        }
        Some(PwEnt {
            name: f[0],
            uid: f[2].parse().ok()?,
            gid: f[3].parse().ok()?,
            home: f[5],
        })
    })
}

fn group_entries(text: &str) -> impl Iterator<Item = (&str, u32, Vec<&str>)> {
    text.lines().filter_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() < 4 || l.starts_with('#') {
            return None;
        }
        let members = f[3].split(',').filter(|m| !m.is_empty()).collect();
        Some((f[0], f[2].parse().ok()?, members))
    })
}

fn group_id(group: &str, text: &str) -> Result<u32, UserError> {
    if let Ok(n) = group.parse::<u32>() {
        return Ok(n);
    }
    group_entries(text)
        .find(|(n, _, _)| *n == group)
        .map(|(_, g, _)| g)
        .ok_or_else(|| UserError::NoGroup(group.to_string()))
}

/// Resolves `spec` ("" = root) against the given passwd and group texts.
pub fn resolve(
    spec: &str,
    extra: &[String],
    passwd: &str,
    group: &str,
) -> Result<Identity, UserError> {
    let (u, g) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    if spec.contains(char::is_whitespace) || (g.is_some() && (u.is_empty() || g == Some(""))) {
        return Err(UserError::Bad(spec.to_string()));
    }
    let u = if u.is_empty() { "0" } else { u };
    let (uid, mut gid, name, home) = match u.parse::<u32>() {
        Ok(uid) => match passwd_entries(passwd).find(|e| e.uid == uid) {
            Some(e) => (
                uid,
                e.gid,
                Some(e.name.to_string()),
                Some(e.home.to_string()),
            ),
            None => (uid, 0, None, None),
        },
        Err(_) => {
            let e = passwd_entries(passwd)
                .find(|e| e.name == u)
                .ok_or_else(|| UserError::NoUser(u.to_string()))?;
            (
                e.uid,
                e.gid,
                Some(e.name.to_string()),
                Some(e.home.to_string()),
            )
        }
    };
    if let Some(g) = g {
        gid = group_id(g, group)?;
    }
    let mut groups = vec![gid];
    if let Some(n) = &name {
        // Supplementary groups from membership, only when no explicit group was given (as docker).
        if g.is_none() {
            groups.extend(
                group_entries(group)
                    .filter(|(_, _, m)| m.contains(&n.as_str()))
                    .map(|(_, id, _)| id),
            );
        }
    }
    for e in extra {
        groups.push(group_id(e, group)?);
    }
    groups.sort_unstable();
    groups.dedup();
    Ok(Identity {
        uid,
        gid,
        groups,
        home,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    const PW: &str =
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nbad line\n";
    const GR: &str = "root:x:0:\napp:x:1000:\nextra:x:2000:app,other\nwheel:x:10:\n";

    #[test]
    fn names_numbers_and_groups() {
        assert_eq!(resolve("", &[], PW, GR).unwrap().uid, 0);
        let a = resolve("app", &[], PW, GR).unwrap();
        assert_eq!(
            (a.uid, a.gid, a.groups.clone()),
            (1000, 1000, vec![1000, 2000])
        );
        assert_eq!(a.home.as_deref(), Some("/home/app"));
        let b = resolve("1000:wheel", &["extra".into()], PW, GR).unwrap();
        assert_eq!((b.uid, b.gid, b.groups), (1000, 10, vec![10, 2000]));
        let c = resolve("4242", &[], PW, GR).unwrap();
        assert_eq!((c.uid, c.gid), (4242, 0));
    }

    #[test]
    fn unknown_names_are_errors() {
        assert!(resolve("nobody", &[], PW, GR)
            .unwrap_err()
            .to_string()
            .contains("/etc/passwd"));
        assert!(resolve("app:nogroup", &[], PW, GR)
            .unwrap_err()
            .to_string()
            .contains("/etc/group"));
        assert!(resolve("app:", &[], PW, GR).is_err());
    }
}
