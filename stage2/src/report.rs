//! The one way liftoff tells its user something on stderr, in all three crates: `liftoff: error: …`,
//! `liftoff: warning: …`, `liftoff: note: …`. Messages are written for users (what happened, to
//! which object, what to do next), never Rust `Debug` text. Escape hatches stay loud by what they
//! say ("signatures are NOT checked"), not by a second spelling of "warning". Stage2 is the crate
//! every other one depends on, so this lives here.

use std::fmt::Arguments;
use std::io::Write;

/// How serious a message is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// A string from an image, a registry, a pod file or an app, made safe for the operator's terminal:
/// control characters (C0 but tab, DEL, C1, and the bidi controls that reorder what is shown) are
/// written as `\u{1b}`. Newlines are escaped too, so a string passed through here cannot fake a
/// line of its own (the emitter below keeps the message's line breaks: strings that may hold
/// newlines go through `shown` before they are put into a message).
pub fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\t')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The line as printed (without the newline). Every line of the message is escaped with [`shown`]
/// (the message's line breaks stay), so whatever an image put into a name or a command reaches
/// the terminal as text, never as a terminal control sequence.
pub fn line(level: Level, msg: Arguments<'_>) -> String {
    let text = msg.to_string();
    let safe: Vec<std::borrow::Cow<'_, str>> = text.split('\n').map(shown).collect();
    format!("liftoff: {}: {}", level.word(), safe.join("\n"))
}

/// Prints one message to stderr in a single write, so lines of concurrent processes do not mix.
pub fn emit(level: Level, msg: Arguments<'_>) {
    let mut l = line(level, msg);
    l.push('\n');
    let _ = std::io::stderr().write_all(l.as_bytes());
}

/// `liftoff: error: …` on stderr.
#[macro_export]
macro_rules! error {
    ($($t:tt)*) => { $crate::report::emit($crate::report::Level::Error, format_args!($($t)*)) };
}

/// `liftoff: warning: …` on stderr.
#[macro_export]
macro_rules! warning {
    ($($t:tt)*) => { $crate::report::emit($crate::report::Level::Warning, format_args!($($t)*)) };
}

/// `liftoff: note: …` on stderr.
#[macro_export]
macro_rules! note {
    ($($t:tt)*) => { $crate::report::emit($crate::report::Level::Note, format_args!($($t)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_per_level() {
        assert_eq!(
            line(Level::Warning, format_args!("pod {}: x", 1)),
            "liftoff: warning: pod 1: x"
        );
        assert_eq!(line(Level::Error, format_args!("y")), "liftoff: error: y");
        assert_eq!(line(Level::Note, format_args!("z")), "liftoff: note: z");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shown("plain\ttext"), "plain\ttext");
        assert_eq!(shown("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(shown("x\ny\u{9b}\u{202e}"), "x\\u{a}y\\u{9b}\\u{202e}");
        let l = line(
            Level::Error,
            format_args!("app: {}\ncaused by: \x07", "\x1b]0;t\x07"),
        );
        assert_eq!(
            l,
            "liftoff: error: app: \\u{1b}]0;t\\u{7}\ncaused by: \\u{7}"
        );
    }
}
