//! `liftoff-stage1 enter --app NAME POD_DIR [-- CMD…]`: a command inside a running app, under that
//! app's whole profile (see `crate::enter`). Exits with the command's code.

use super::{Args, VerbError};
use crate::manifest::PodManifest;

pub fn main(a: &Args) -> Result<u8, VerbError> {
    a.only(&["--app"])?;
    let dir = a.pod_dir()?;
    let name = a
        .value("--app")
        .ok_or_else(|| VerbError::Usage("--app NAME is required".into()))?;
    let path = dir.join(liftoff_contract::layout::POD_MANIFEST);
    let bytes = std::fs::read(&path).map_err(|source| VerbError::Io {
        path: path.clone(),
        source,
    })?;
    let m = PodManifest::from_slice(&bytes)?;
    let app = m
        .apps
        .iter()
        .find(|x| x.spec.name == name)
        .ok_or_else(|| VerbError::Pod(format!("pod {} has no app {name}", m.pod_id)))?;
    let init_pid = liftoff_contract::layout::init_pid(dir)
        .ok_or_else(|| VerbError::Pod(format!("pod {}: its init has not started yet", m.pod_id)))?;
    let argv = if a.command.is_empty() {
        vec!["/bin/sh".to_string()]
    } else {
        a.command.clone()
    };
    let code = crate::enter::enter(crate::enter::EnterRequest {
        pod_id: &m.pod_id,
        init_pid,
        app,
        argv,
        users: crate::init::app_users(&m),
    })?;
    Ok(code.clamp(0, 255) as u8)
}
