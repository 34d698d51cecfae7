//! liftoff stage2: the last step of one app inside its pod.
//!
//! Stage2 enters the app's root, applies its user, groups, environment, working directory, rlimits,
//! capabilities, no_new_privs and seccomp filter, then `execve`s the app. It knows nothing about images,
//! registries or signatures: stage1 hands it a fully resolved [`AppSpec`].
//!
//! This crate is deliberately thin until the "run pods" issue: it fixes the type that crosses the
//! stage1 → stage2 boundary so the dependency direction (stage0 → stage1 → stage2) exists from day one.

/// What stage2 needs to start one app. Everything here is already resolved and validated by stage1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppSpec {
    /// The app's name inside its pod.
    pub name: String,
    /// argv, argv[0] is the program (resolved against `env`'s PATH inside the app root).
    pub argv: Vec<String>,
    /// Environment as `KEY=VALUE` strings.
    pub env: Vec<String>,
    /// Working directory inside the app root.
    pub cwd: String,
}

/// Errors stage2 reports before it gets to `execve`.
#[derive(Debug, thiserror::Error)]
pub enum Stage2Error {
    #[error("app {app}: nothing to execute (empty command line); give the image an entrypoint or pass a command")]
    EmptyCommand { app: String },
}

impl AppSpec {
    /// Checks the parts of the spec that can be checked without touching the system.
    pub fn validate(&self) -> Result<(), Stage2Error> {
        if self.argv.is_empty() || self.argv[0].is_empty() {
            return Err(Stage2Error::EmptyCommand {
                app: self.name.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_command_is_named() {
        let spec = AppSpec {
            name: "web".into(),
            ..Default::default()
        };
        let err = spec.validate().unwrap_err().to_string();
        assert!(err.contains("app web"), "{err}");
    }
}
