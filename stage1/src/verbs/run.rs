//! `liftoff-stage1 run [--lock-fd N] [--ready-fd N] POD_DIR`: become the pod's supervisor.

use super::{Args, VerbError};

pub fn main(a: &Args) -> Result<u8, VerbError> {
    a.only(&["--lock-fd", "--ready-fd"])?;
    Ok(crate::supervisor::run(
        a.pod_dir()?,
        a.fd("--lock-fd")?,
        a.fd("--ready-fd")?,
    ))
}
