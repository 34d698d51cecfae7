//! Values the unit tests of several modules share.

use crate::manifest::{NetMode, PodManifest};

/// A one-app pod (app `web`, read-only root) on `net`: the contract's test pod.
pub fn manifest(net: NetMode) -> PodManifest {
    let mut m = liftoff_contract::testing::manifest(net);
    m.apps[0].read_only = true;
    m
}
