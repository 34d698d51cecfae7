//! Where pods' id ranges come from: the `[userns]` settings turned into a [`Settings`], the
//! `--userns` / `[userns] default` modes, and the [`Pool`] of host ids that ranges are cut from.
//!
//! The pool is, first found wins: `[userns] pool` in the config; else the `liftoff` user's entries
//! of /etc/subuid and /etc/subgid (the admin's usual way to hand ids out); else systemd's
//! documented container range. Ids other users hold in /etc/subuid and /etc/subgid belong to their
//! rootless containers, so they are cut out of a config or default pool up front; the allocator
//! then only has to look at the pool and the leases.

use super::{io, UsernsError};
use crate::config::UsernsConfig;
use std::path::Path;

/// One contiguous id range on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdRange {
    pub start: u32,
    pub size: u32,
}

impl IdRange {
    /// One past the last id, in u64 so that a range ending at the top of u32 cannot overflow.
    pub fn end(&self) -> u64 {
        u64::from(self.start) + u64::from(self.size)
    }

    /// Whether the two ranges share an id.
    pub fn overlaps(&self, other: &IdRange) -> bool {
        u64::from(self.start) < other.end() && u64::from(other.start) < self.end()
    }
}

/// The host ids pods may be given: uid ranges and gid ranges, each sorted and disjoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    pub uids: Vec<IdRange>,
    pub gids: Vec<IdRange>,
    /// Where the pool came from, for messages (e.g. "the liftoff entries of /etc/subuid and
    /// /etc/subgid").
    pub origin: String,
}

impl Pool {
    /// The largest range a pod can be given: it must fit in one uid range and in one gid range.
    pub fn biggest(&self) -> u32 {
        let max = |v: &[IdRange]| v.iter().map(|r| r.size).max().unwrap_or(0);
        max(&self.uids).min(max(&self.gids))
    }
}

/// How a pod's ids are mapped: a range of its own, or the host's ids unmapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Auto { size: u32 },
    Host,
}

/// The `[userns]` section, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// What `run` uses when no --userns is given.
    pub default: Mode,
    /// When the kernel or filesystem cannot remap: run with host ids (true) or fail (false).
    pub fallback_host: bool,
    /// `[userns] pool` as written (already checked by [`settings`]); [`pool`] turns it into ids.
    pub pool_spec: Option<String>,
    /// The range size of a bare "auto" (`[userns] size`), for `parse_mode` of a --userns flag.
    pub size: u32,
}

/// The range size of a bare "auto": 65536 ids, every id a 16-bit-uid image can use.
pub const DEFAULT_SIZE: u32 = 65536;
/// systemd's documented container uid range 0x00080000-0x6FFFFFFF (inclusive), used when neither
/// the config nor /etc/subuid gives liftoff a pool.
pub const DEFAULT_POOL_START: u32 = 0x0008_0000;
pub const DEFAULT_POOL_END: u32 = 0x6FFF_FFFF;
/// The highest id a range may include: 4294967295 is (uid_t)-1, "no id" to the kernel.
pub const MAX_ID: u32 = u32::MAX - 1;
/// Ids below this are the host's system and login users; no pool may include them.
const FIRST_POOL_ID: u32 = 65536;

/// Parses a user-namespace mode: "host", "auto" (a range of `default_size` ids) or "auto:size=N".
pub fn parse_mode(s: &str, default_size: u32) -> Result<Mode, UsernsError> {
    let bad = |reason: &str| UsernsError::Mode {
        value: s.to_string(),
        reason: reason.to_string(),
    };
    match s {
        "host" => return Ok(Mode::Host),
        "auto" => return Ok(Mode::Auto { size: default_size }),
        _ => {}
    }
    let Some(opts) = s.strip_prefix("auto:") else {
        return Err(bad("unknown mode"));
    };
    let Some((key, value)) = opts.split_once('=') else {
        return Err(bad("an auto option is KEY=VALUE"));
    };
    if key != "size" {
        return Err(bad(&format!(
            "unknown auto option {key:?}; the only one is size"
        )));
    }
    // Only plain decimal digits: u32's parser would also take a leading '+'.
    let size = match value.parse::<u32>() {
        Ok(n) if value.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => return Err(bad(&format!("size {value:?} is not a number of ids"))),
    };
    if size == 0 {
        return Err(bad("a range of 0 ids maps nothing"));
    }
    Ok(Mode::Auto { size })
}

/// Validates the `[userns]` section (its strings are free-form in the config's plain data).
pub fn settings(c: &UsernsConfig) -> Result<Settings, UsernsError> {
    let bad = |key, value: &str, reason: String| UsernsError::Config {
        key,
        value: value.to_string(),
        reason,
    };
    let size = c.size.unwrap_or(DEFAULT_SIZE);
    if size == 0 {
        return Err(bad("size", "0", "a range of 0 ids maps nothing".into()));
    }
    let default = match c.default.as_deref() {
        None => Mode::Auto { size },
        Some(d @ ("auto" | "host")) => parse_mode(d, size)?,
        Some(d) => return Err(bad("default", d, "must be \"auto\" or \"host\"".into())),
    };
    let fallback_host = match c.fallback.as_deref() {
        None | Some("error") => false,
        Some("host") => true,
        Some(f) => return Err(bad("fallback", f, "must be \"error\" or \"host\"".into())),
    };
    if let Some(p) = &c.pool {
        let r = parse_pool_spec(p).map_err(|reason| bad("pool", p, reason))?;
        check_not_low(&r, &config_origin(p))?;
    }
    Ok(Settings {
        default,
        fallback_host,
        pool_spec: c.pool.clone(),
        size,
    })
}

/// How messages name a config pool.
fn config_origin(spec: &str) -> String {
    format!(
        "the [userns] pool {spec} of {}",
        crate::config::DEFAULT_CONFIG
    )
}

/// "START-END", END inclusive, as one range; the error is the reason, for the caller to wrap.
fn parse_pool_spec(spec: &str) -> Result<IdRange, String> {
    let form = "the form is START-END, both inclusive, e.g. 524288-1879048191";
    let (a, b) = spec.split_once('-').ok_or_else(|| form.to_string())?;
    let num = |t: &str| {
        t.parse::<u32>()
            .ok()
            .filter(|_| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()))
    };
    let (Some(start), Some(end)) = (num(a), num(b)) else {
        return Err(format!(
            "START and END must be numbers up to {MAX_ID}; {form}"
        ));
    };
    if start > end {
        return Err(format!("START is above END; {form}"));
    }
    if end > MAX_ID {
        return Err(format!(
            "END must be at most {MAX_ID} (4294967295 is no id)"
        ));
    }
    Ok(IdRange {
        start,
        size: end - start + 1,
    })
}

/// Refuses a range that includes host system users' ids (0..=65535).
fn check_not_low(r: &IdRange, origin: &str) -> Result<(), UsernsError> {
    if r.start < FIRST_POOL_ID {
        return Err(UsernsError::LowIds {
            origin: origin.to_string(),
            first: r.start,
            last: (r.end() - 1).min(u64::from(FIRST_POOL_ID - 1)) as u32,
        });
    }
    Ok(())
}

/// The ranges one subid file gives: liftoff's own, and everyone else's.
#[derive(Debug, Default)]
struct Subids {
    liftoff: Vec<IdRange>,
    others: Vec<IdRange>,
}

/// The user whose subid entries are liftoff's pool.
const SUBID_USER: &str = "liftoff";

/// Reads /etc/subuid or /etc/subgid (`name:start:count` lines); a missing file has no entries.
/// A bad liftoff line is an error; other users' bad lines are theirs to fix and are skipped.
fn read_subids(path: &Path) -> Result<Subids, UsernsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Subids::default()),
        Err(e) => return Err(io(path, "read")(e)),
    };
    let mut out = Subids::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split(':');
        let name = fields.next().unwrap_or_default();
        let rest: Vec<&str> = fields.collect();
        let parsed = subid_range(&rest);
        if name != SUBID_USER {
            out.others.extend(parsed.ok());
            continue;
        }
        let bad = |reason: String| UsernsError::SubidLine {
            path: path.to_path_buf(),
            line: i + 1,
            reason,
        };
        let r = parsed.map_err(bad)?;
        check_not_low(&r, &format!("{}:{}", path.display(), i + 1))?;
        out.liftoff.push(r);
    }
    Ok(out)
}

/// The `start:count` fields of a subid line as a range.
fn subid_range(fields: &[&str]) -> Result<IdRange, String> {
    let [start, count] = fields else {
        return Err(format!("{} fields instead of 3", fields.len() + 1));
    };
    let num = |t: &str, what: &str| {
        t.parse::<u32>()
            .ok()
            .filter(|_| t.bytes().all(|c| c.is_ascii_digit()))
            .ok_or_else(|| format!("{what} {t:?} is not a number"))
    };
    let r = IdRange {
        start: num(start, "start")?,
        size: num(count, "count")?,
    };
    if r.size == 0 {
        return Err("count is 0".into());
    }
    if r.end() - 1 > u64::from(MAX_ID) {
        return Err(format!("the range goes past {MAX_ID}"));
    }
    Ok(r)
}

/// Sorts ranges and merges the ones that overlap or touch, so the pool is sorted and disjoint.
fn normalize(mut v: Vec<IdRange>) -> Vec<IdRange> {
    v.sort_by_key(|r| r.start);
    let mut out: Vec<IdRange> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if u64::from(r.start) <= last.end() => {
                let end = last.end().max(r.end());
                last.size = (end - u64::from(last.start)) as u32;
            }
            _ => out.push(r),
        }
    }
    out
}

/// `pool` with every id of `holes` removed.
fn subtract(pool: &[IdRange], holes: &[IdRange]) -> Vec<IdRange> {
    let holes = normalize(holes.to_vec());
    let mut out = Vec::new();
    for r in pool {
        let mut start = u64::from(r.start);
        for h in holes.iter().filter(|h| h.overlaps(r)) {
            if u64::from(h.start) > start {
                out.push(span(start, u64::from(h.start)));
            }
            start = start.max(h.end());
        }
        if start < r.end() {
            out.push(span(start, r.end()));
        }
    }
    out
}

/// The range [start, end) (both within u32 ids, as every caller's are).
fn span(start: u64, end: u64) -> IdRange {
    IdRange {
        start: start as u32,
        size: (end - start) as u32,
    }
}

/// The pool pods' ranges are cut from (see the module doc for the precedence). `subuid` and
/// `subgid` are /etc/subuid and /etc/subgid; tests pass their own files.
pub fn pool(s: &Settings, subuid: &Path, subgid: &Path) -> Result<Pool, UsernsError> {
    let u = read_subids(subuid)?;
    let g = read_subids(subgid)?;
    let (base, origin) = match &s.pool_spec {
        Some(spec) => {
            let r = parse_pool_spec(spec).map_err(|reason| UsernsError::Config {
                key: "pool",
                value: spec.clone(),
                reason,
            })?;
            let origin = config_origin(spec);
            check_not_low(&r, &origin)?;
            (r, origin)
        }
        None if !u.liftoff.is_empty() || !g.liftoff.is_empty() => {
            return liftoff_subids(u.liftoff, g.liftoff, subuid, subgid);
        }
        None => (
            span(
                u64::from(DEFAULT_POOL_START),
                u64::from(DEFAULT_POOL_END) + 1,
            ),
            format!("liftoff's default pool {DEFAULT_POOL_START}-{DEFAULT_POOL_END}"),
        ),
    };
    let pool = Pool {
        uids: subtract(&[base], &u.others),
        gids: subtract(&[base], &g.others),
        origin,
    };
    if pool.uids.is_empty() || pool.gids.is_empty() {
        return Err(UsernsError::EmptyPool {
            origin: pool.origin,
        });
    }
    Ok(pool)
}

/// The pool the liftoff entries of both subid files give; one file without any is an error, since
/// half a mapping cannot run a pod.
fn liftoff_subids(
    uids: Vec<IdRange>,
    gids: Vec<IdRange>,
    subuid: &Path,
    subgid: &Path,
) -> Result<Pool, UsernsError> {
    let missing = |has: &Path, missing: &Path| UsernsError::SubidMissing {
        has: has.to_path_buf(),
        missing: missing.to_path_buf(),
    };
    if gids.is_empty() {
        return Err(missing(subuid, subgid));
    }
    if uids.is_empty() {
        return Err(missing(subgid, subuid));
    }
    Ok(Pool {
        uids: normalize(uids),
        gids: normalize(gids),
        origin: format!(
            "the liftoff entries of {} and {}",
            subuid.display(),
            subgid.display()
        ),
    })
}
