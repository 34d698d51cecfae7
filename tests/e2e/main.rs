//! End-to-end tests: the real `liftoff` binary against real images, registries and pods.
mod devices;
mod leak;
mod lifecycle;
mod network;
mod pods;
mod registry;
mod stdio;
mod store;
mod systemd;
mod trust;
