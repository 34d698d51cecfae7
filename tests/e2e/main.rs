//! End-to-end tests: the real `liftoff` binary against real images, registries and pods.
mod boundary;
mod firsthour;
mod leak;
mod lifecycle;
mod network;
mod pods;
mod registry;
mod seccomp;
mod stats;
mod store;
mod systemd;
mod trust;
