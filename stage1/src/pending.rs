//! TEMPORARY stand-ins for the cgroup module and stage2's exec/seccomp while they are being written
//! in parallel; removed as soon as they land. No limits and no seccomp filter are applied through these.

pub mod cgroup {
    pub struct Limits {
        pub memory_bytes: Option<u64>,
        pub cpus: Option<f64>,
        pub pids: Option<u64>,
    }
    pub struct Layout;
    #[derive(Debug)]
    pub struct CgroupError;
    impl std::fmt::Display for CgroupError {
        fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "cgroups not implemented")
        }
    }
    pub fn detect() -> Result<Layout, CgroupError> {
        Ok(Layout)
    }
    pub struct PodCgroup;
    impl PodCgroup {
        pub fn create(_: &Layout, _: &str, _: &Limits) -> Result<PodCgroup, CgroupError> {
            Ok(PodCgroup)
        }
        pub fn create_app(&self, _: &str, _: &Limits) -> Result<AppCgroup, CgroupError> {
            Ok(AppCgroup)
        }
        pub fn add_init(&self, _: i32) -> Result<(), CgroupError> {
            Ok(())
        }
        pub fn remove(&self) -> Result<(), CgroupError> {
            Ok(())
        }
    }
    pub struct AppCgroup;
    impl AppCgroup {
        pub fn join_self(&self) -> Result<(), CgroupError> {
            Ok(())
        }
    }
}

pub mod stage2 {
    use liftoff_stage2::{AppSpec, SeccompMode, Stage2Error};
    pub mod seccomp {
        #[derive(Clone, Debug)]
        pub struct Filter;
        #[derive(Debug)]
        pub struct SeccompError;
        impl std::fmt::Display for SeccompError {
            fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "seccomp not implemented")
            }
        }
    }
    pub fn compile(
        _: &SeccompMode,
        _: &[String],
    ) -> Result<Option<seccomp::Filter>, seccomp::SeccompError> {
        Ok(None)
    }
    pub fn exec(
        spec: &AppSpec,
        _: Option<&seccomp::Filter>,
    ) -> Result<std::convert::Infallible, Stage2Error> {
        use std::ffi::CString;
        let argv: Vec<CString> = spec
            .argv
            .iter()
            .map(|a| CString::new(a.as_str()).unwrap_or_default())
            .collect();
        let env: Vec<CString> = spec
            .env
            .iter()
            .map(|a| CString::new(a.as_str()).unwrap_or_default())
            .collect();
        let _ = std::env::set_current_dir(&spec.cwd);
        let e = nix::unistd::execve(&argv[0], &argv, &env).unwrap_err();
        eprintln!("app {}: exec {}: {e}", spec.name, spec.argv[0]);
        std::process::exit(254)
    }
}
