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

/// The line as printed (without the newline).
pub fn line(level: Level, msg: Arguments<'_>) -> String {
    format!("liftoff: {}: {msg}", level.word())
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
}
