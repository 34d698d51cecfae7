//! PLACEHOLDER until the nftables module lands (compiles the callers only).
use std::net::Ipv4Addr;
pub const TABLE: &str = "liftoff";
pub struct FirewallConfig {
    pub table: String,
    pub bridge: String,
    pub subnet: Ipv4Addr,
    pub prefix: u8,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
}
impl Proto {
    pub fn name(&self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRule {
    pub proto: Proto,
    pub host_ip: Option<Ipv4Addr>,
    pub host_port: u16,
    pub pod_ip: Ipv4Addr,
    pub pod_port: u16,
}
#[derive(Debug, thiserror::Error)]
#[error("firewall: {0}")]
pub struct FirewallError(String);
pub fn ensure(_c: &FirewallConfig) -> Result<(), FirewallError> {
    Ok(())
}
pub fn add_ports(_c: &FirewallConfig, _p: &str, _r: &[PortRule]) -> Result<(), FirewallError> {
    Err(FirewallError("not yet".into()))
}
pub fn remove_ports(_c: &FirewallConfig, _r: &[PortRule]) -> Result<(), FirewallError> {
    Ok(())
}
pub fn elements(_c: &FirewallConfig) -> Result<Vec<(String, PortRule)>, FirewallError> {
    Ok(vec![])
}
pub fn forward_blockers() -> Vec<String> {
    vec![]
}
