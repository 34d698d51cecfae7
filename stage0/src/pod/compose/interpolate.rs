//! Compose's variable interpolation in values: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` and `$$` for a
//! literal `$`, from the process environment and the `.env` file beside the compose file.
//!
//! As in compose, a variable that is unset and has no default becomes the empty string (the caller
//! warns once per name), and a default may itself hold `${...}` (nesting is bounded, so a hostile
//! value cannot recurse deep). A `$` followed by anything else stays as written.

/// How deep `${A:-${B:-...}}` may nest: more than anyone writes, little enough for the stack.
const MAX_NESTING: usize = 8;
/// The longest value interpolation may produce: far more than any command or variable, and it is
/// checked as the value grows, so `${BIG}` repeated cannot build gigabytes first.
pub const MAX_VALUE: usize = 1 << 20;

/// Looks a variable up (None when unset).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Interpolates one value. `unset` collects the names used without a value or default.
pub fn interpolate(s: &str, env: Lookup, unset: &mut Vec<String>) -> Result<String, String> {
    expand(s, env, unset, 0)
}

fn expand(s: &str, env: Lookup, unset: &mut Vec<String>, depth: usize) -> Result<String, String> {
    if depth > MAX_NESTING {
        return Err(format!(
            "variables nested more than {MAX_NESTING} deep in a default"
        ));
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        check_len(&out)?;
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(r) = after.strip_prefix('{') {
            let end = closing_brace(r)
                .ok_or_else(|| format!("unclosed ${{ in {s:?} (write $$ for a literal $)"))?;
            out.push_str(&braced(&r[..end], env, unset, depth)?);
            rest = &r[end + 1..];
        } else {
            let n = name_len(after);
            if n == 0 {
                // Not a variable: keep the `$` as written.
                out.push('$');
            } else {
                let name = &after[..n];
                out.push_str(&value_or_unset(name, env, unset));
            }
            rest = &after[n..];
        }
    }
    out.push_str(rest);
    check_len(&out)?;
    Ok(out)
}

fn check_len(out: &str) -> Result<(), String> {
    match out.len() > MAX_VALUE {
        true => Err(format!(
            "interpolated to more than {} KiB; a value this long belongs in a file",
            MAX_VALUE >> 10
        )),
        false => Ok(()),
    }
}

/// The index of the `}` that closes a `${`, skipping nested `${...}` in a default.
fn closing_brace(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Length of the variable name at the start of `s` (0 if there is none).
fn name_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.first()
        .is_none_or(|c| !(c.is_ascii_alphabetic() || *c == b'_'))
    {
        return 0;
    }
    b.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

fn value_or_unset(name: &str, env: Lookup, unset: &mut Vec<String>) -> String {
    env(name).unwrap_or_else(|| {
        if !unset.iter().any(|u| u == name) {
            unset.push(name.to_string());
        }
        String::new()
    })
}

/// The inside of `${...}`: a name and an optional operator with its word.
fn braced(
    inner: &str,
    env: Lookup,
    unset: &mut Vec<String>,
    depth: usize,
) -> Result<String, String> {
    let n = name_len(inner);
    let name = &inner[..n];
    let op = &inner[n..];
    if n == 0 {
        return Err(format!("${{{inner}}}: not a variable name"));
    }
    let value = env(name);
    let set_nonempty = value.as_deref().is_some_and(|v| !v.is_empty());
    let word = |w: &str, unset: &mut Vec<String>| expand(w, env, unset, depth + 1);
    if op.is_empty() {
        return Ok(value_or_unset(name, env, unset));
    }
    let (colon, op) = match op.strip_prefix(':') {
        Some(o) => (true, o),
        None => (false, op),
    };
    // With a colon the test is "set and not empty", without it only "set" (as in sh).
    let present = if colon { set_nonempty } else { value.is_some() };
    match op.chars().next() {
        Some('-') if present => Ok(value.unwrap_or_default()),
        Some('-') => word(&op[1..], unset),
        Some('+') if present => word(&op[1..], unset),
        Some('+') => Ok(String::new()),
        Some('?') if present => Ok(value.unwrap_or_default()),
        Some('?') => {
            let msg = word(&op[1..], unset)?;
            let what = if colon { "unset or empty" } else { "unset" };
            Err(if msg.is_empty() {
                format!("required variable {name} is {what}")
            } else {
                format!("required variable {name} is {what}: {msg}")
            })
        }
        _ => Err(format!(
            "${{{inner}}}: unknown form (use ${{VAR}}, ${{VAR:-default}}, ${{VAR-default}}, ${{VAR:?error}}, ${{VAR?error}}, ${{VAR:+alt}})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> Result<String, String> {
        let env = |n: &str| match n {
            "A" => Some("alpha".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let mut unset = Vec::new();
        interpolate(s, &env, &mut unset)
    }

    #[test]
    fn forms() {
        assert_eq!(run("$A-${A}").unwrap(), "alpha-alpha");
        assert_eq!(run("x$$A $5 $").unwrap(), "x$A $5 $");
        assert_eq!(run("${NOPE}|$NOPE").unwrap(), "|");
        assert_eq!(
            run("${NOPE:-d}|${EMPTY:-d}|${EMPTY-d}|${A:-d}").unwrap(),
            "d|d||alpha"
        );
        assert_eq!(run("${NOPE-x y}").unwrap(), "x y");
        assert_eq!(run("${NOPE:-${A}}").unwrap(), "alpha");
        assert_eq!(
            run("${A:+set}|${NOPE:+set}|${EMPTY+set}").unwrap(),
            "set||set"
        );
        assert_eq!(run("${A:?boom}").unwrap(), "alpha");
        assert_eq!(run("${EMPTY?boom}").unwrap(), "");
    }

    #[test]
    fn errors() {
        let e = run("${NOPE:?set it in .env}").unwrap_err();
        assert_eq!(
            e,
            "required variable NOPE is unset or empty: set it in .env"
        );
        assert!(run("${EMPTY:?}").unwrap_err().contains("EMPTY"));
        assert!(run("${NOPE?}").is_err());
        assert!(run("${A").unwrap_err().contains("unclosed"));
        assert!(run("${A*x}").unwrap_err().contains("unknown form"));
        assert!(run("${}").is_err());
        let deep = "${X:-".repeat(20) + &"}".repeat(20);
        assert!(run(&deep).unwrap_err().contains("nested"));
    }

    #[test]
    fn unset_names_are_collected_once() {
        let env = |_: &str| None;
        let mut unset = Vec::new();
        interpolate("$B ${B} ${C:-x}", &env, &mut unset).unwrap();
        assert_eq!(unset, ["B"]);
    }
}
