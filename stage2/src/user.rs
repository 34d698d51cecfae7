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
    #[error("user \"{0}\" is not in the app's /etc/passwd (give a numeric uid, or add the user to the image)")]
    NoUser(String),
    #[error("group \"{0}\" is not in the app's /etc/group (give a numeric gid, or add the group to the image)")]
    NoGroup(String),
    #[error("user spec \"{0}\": use NAME|UID[:GROUP|GID]")]
    Bad(String),
    /// (uid_t)-1 means "leave unchanged" to setresuid: an app asking for it would keep root.
    #[error("{what} {value}: ids are 0-4294967294 (4294967295 is (uid_t)-1, which the kernel reads as \"unchanged\")")]
    BadId { what: &'static str, value: String },
}

/// The one id that can never be an app's: `(uid_t)-1`.
const NO_ID: u32 = u32::MAX;

/// A uid or gid written as a number: Ok(None) for a name, an error for a number that is not a
/// usable id (negative, too large, or -1 itself).
pub fn numeric_id(s: &str, what: &'static str) -> Result<Option<u32>, UserError> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let bad = || UserError::BadId {
        what,
        value: s.to_string(),
    };
    if s.starts_with(['-', '+']) {
        return Err(bad());
    }
    match s.parse::<u32>() {
        Ok(n) if n != NO_ID => Ok(Some(n)),
        _ => Err(bad()),
    }
}

/// Checks the numeric parts of a user spec and of supplementary groups before anything runs
/// (names are resolved later, in the app's own /etc/passwd and /etc/group).
pub fn check_spec(spec: &str, extra: &[String]) -> Result<(), UserError> {
    let (u, g) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    numeric_id(u, "uid")?;
    if let Some(g) = g {
        numeric_id(g, "gid")?;
    }
    for e in extra {
        numeric_id(e, "group")?;
    }
    Ok(())
}

fn usable(id: u32, what: &'static str) -> Result<u32, UserError> {
    if id == NO_ID {
        return Err(UserError::BadId {
            what,
            value: id.to_string(),
        });
    }
    Ok(id)
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
    if let Some(n) = numeric_id(group, "gid")? {
        return Ok(n);
    }
    let g = group_entries(text)
        .find(|(n, _, _)| *n == group)
        .map(|(_, g, _)| g)
        .ok_or_else(|| UserError::NoGroup(group.to_string()))?;
    usable(g, "gid in the app's /etc/group")
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
    let (uid, mut gid, name, home) = match numeric_id(u, "uid")?.ok_or(()) {
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
    // Ids from the image's passwd and group files count as much as numbers on the command line.
    let uid = usable(uid, "uid in the app's /etc/passwd")?;
    let gid = usable(gid, "gid in the app's /etc/passwd")?;
    for g in &groups {
        usable(*g, "supplementary gid in the app's /etc/group")?;
    }
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
    fn minus_one_and_ids_that_do_not_fit_are_refused_from_every_source() {
        for spec in [
            "4294967295",
            "-1",
            "4294967296",
            "99999999999",
            "0:4294967295",
            "0:-1",
        ] {
            let e = resolve(spec, &[], PW, GR).unwrap_err().to_string();
            assert!(e.contains("4294967294"), "{spec}: {e}");
            assert!(check_spec(spec, &[]).is_err(), "{spec}");
        }
        let e = resolve("app", &["4294967295".into()], PW, GR).unwrap_err();
        assert!(e.to_string().contains("gid 4294967295"), "{e}");
        assert!(check_spec("", &["-1".into()]).is_err());
        let pw = "evil:x:4294967295:0::/:/bin/sh\nbadg:x:5:4294967295::/:/bin/sh\n";
        let gr = "root:x:0:\nneg:x:4294967295:app\n";
        assert!(resolve("evil", &[], pw, GR)
            .unwrap_err()
            .to_string()
            .contains("passwd"));
        assert!(resolve("badg", &[], pw, GR).is_err());
        assert!(resolve("1000:neg", &[], PW, gr).is_err());
        assert!(
            resolve("app", &[], PW, gr).is_err(),
            "membership of a -1 group"
        );
        check_spec("1000:1000", &["10".into(), "wheel".into()]).unwrap();
        check_spec("app:wheel", &[]).unwrap();
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
