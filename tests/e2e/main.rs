//! End-to-end tests: the real `liftoff` binary against real images, registries and pods.
mod boundary;
mod devices;
mod firsthour;
mod leak;
mod lifecycle;
mod network;
mod ownership;
mod pods;
mod registry;
mod seccomp;
mod stats;
mod stdio;
mod store;
mod systemd;
mod trust;
