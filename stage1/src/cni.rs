//! The runtime side of CNI (container network interface, spec 1.0; older `cniVersion`s pass through
//! to plugins that accept them): run a network configuration list's plugins with ADD, CHECK and DEL.
//!
//! Each plugin is an executable found by its `type` in the plugin dirs (Debian's
//! `containernetworking-plugins` installs them in /usr/lib/cni; /opt/cni/bin is the upstream place). It
//! gets its configuration on stdin — the plugin's object from the list plus the list's `name` and
//! `cniVersion`, the previous plugin's result as `prevResult`, and `runtimeConfig` for the
//! capabilities it declares (`portMappings`) — and CNI_COMMAND, CNI_CONTAINERID (the pod uuid),
//! CNI_NETNS (a bind mount of the pod's network namespace), CNI_IFNAME and CNI_PATH in its
//! environment. ADD runs the plugins in order and the last result is the network's; DEL runs them in
//! reverse with that result, and is what both the supervisor and `liftoff gc` call, so it must work
//! (and does, for the standard plugins) however far ADD got. A failed ADD is undone with DEL before the
//! error is returned: nothing is left half-configured.

use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// How long one plugin may run before it is killed (a plugin waiting on a DHCP server, say).
const PLUGIN_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum CniError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("network {network}: CNI plugin \"{}\" is not installed (looked in {dirs}); install containernetworking-plugins or set plugin_dirs under [network] in the config file", plugin.escape_debug())]
    MissingPlugin {
        network: String,
        plugin: String,
        dirs: String,
    },
    #[error("network {network}: plugin {plugin} {command} failed: {msg}{hint}")]
    Plugin {
        network: String,
        plugin: String,
        command: String,
        msg: String,
        hint: String,
    },
}

pub use liftoff_contract::network::{
    addresses, ips, parse, read_state, write_state, Attachment, ConfigError, Damage, NetStateError,
    Network, PodNetState, PortMapping, NET_STATE_FILE, NET_STATE_VERSION,
};

fn plugin_type(p: &Value) -> &str {
    p.get("type").and_then(Value::as_str).unwrap_or("")
}

/// The config one plugin gets on stdin.
fn plugin_config(net: &Network, plugin: &Value, prev: Option<&Value>, a: &Attachment) -> Value {
    let mut c = plugin.clone();
    let o = c
        .as_object_mut()
        .expect("parse checked plugins are objects");
    o.insert("name".into(), json!(net.name));
    o.insert("cniVersion".into(), json!(net.cni_version));
    if let Some(r) = prev {
        o.insert("prevResult".into(), r.clone());
    }
    let wants_ports = plugin
        .get("capabilities")
        .and_then(|c| c.get("portMappings"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if wants_ports {
        o.insert("runtimeConfig".into(), json!({ "portMappings": a.ports }));
    }
    c
}

fn find_plugin(net: &Network, t: &str, dirs: &[PathBuf]) -> Result<PathBuf, CniError> {
    dirs.iter()
        .map(|d| d.join(t))
        .find(|p| p.is_file())
        .ok_or_else(|| CniError::MissingPlugin {
            network: net.name.clone(),
            plugin: t.to_string(),
            dirs: dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Runs one plugin; returns its stdout parsed (Null when empty).
fn exec(
    net: &Network,
    plugin: &Value,
    command: &str,
    conf: &Value,
    a: &Attachment,
) -> Result<Value, CniError> {
    let t = plugin_type(plugin);
    let bin = find_plugin(net, t, &a.plugin_dirs)?;
    let fail = |msg: String, hint: String| CniError::Plugin {
        network: net.name.clone(),
        plugin: t.to_string(),
        command: command.to_string(),
        msg,
        hint,
    };
    let cni_path = std::env::join_paths(&a.plugin_dirs).unwrap_or_default();
    // No PR_SET_PDEATHSIG: a plugin killed half-way leaves state its own DEL cannot always undo
    // (the bridge plugin fails on a masquerade chain it never created). A plugin whose caller was
    // SIGKILLed finishes its ADD instead, and gc waits for it (`plugins_running`) before its DEL.
    let mut cmd = Command::new(&bin);
    let mut child = cmd
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("CNI_COMMAND", command)
        .env("CNI_CONTAINERID", &a.container_id)
        .env("CNI_NETNS", &a.netns)
        .env("CNI_IFNAME", &a.ifname)
        .env("CNI_PATH", cni_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            fail(
                format!("cannot start {}: {e}", bin.display()),
                String::new(),
            )
        })?;
    let body = serde_json::to_vec(conf).expect("config serialises");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(&body);
    }
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(PLUGIN_TIMEOUT) {
        Ok(r) => r.map_err(|e| fail(format!("waiting for it: {e}"), String::new()))?,
        Err(_) => {
            // SAFETY: kill with the pid of our own still-unreaped child.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            return Err(fail(
                format!(
                    "did not finish within {}s and was killed",
                    PLUGIN_TIMEOUT.as_secs()
                ),
                String::new(),
            ));
        }
    };
    let success = out.status.success();
    parse_plugin_output(success, &out.stdout, &out.stderr, &out.status.to_string()).map_err(|e| {
        let msg = e.to_string();
        let exhausted =
            msg.contains("no IP addresses available") || msg.contains("no more addresses");
        let hint = if !success && exhausted {
            format!(
                "; the network's address range is used up: `liftoff gc` releases the addresses of exited pods, or widen the range in {}",
                net.source
            )
        } else {
            String::new()
        };
        fail(msg, hint)
    })
}

/// What a plugin printed instead of a usable result.
#[derive(Debug, thiserror::Error)]
pub enum PluginOutputError {
    /// The plugin failed; its own explanation (an outside program's text, never empty).
    #[error("{0}")]
    Failed(String),
    #[error("printed a result that is not JSON: {0}")]
    NotJson(serde_json::Error),
}

/// Reads what a plugin printed, as the CNI spec has it: after success a result object (or nothing,
/// for DEL and CHECK: `Value::Null`), after failure an error object whose `msg` (and `details`)
/// explain it, else its stderr, else `status` (the exit status as `ExitStatus` prints it, "exit
/// status: 1"). The error is the message for the user, never empty. Plugins are outside programs, so nothing here trusts the output's
/// shape; it is public so the fuzz target can reach it.
pub fn parse_plugin_output(
    success: bool,
    stdout: &[u8],
    stderr: &[u8],
    status: &str,
) -> Result<Value, PluginOutputError> {
    if !success {
        let err: Value = serde_json::from_slice(stdout).unwrap_or(Value::Null);
        // An empty `msg` says nothing: fall back as if there were none (the fuzz target found
        // `{"msg":""}` giving an empty message).
        let mut msg = err
            .get("msg")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| {
                let s = String::from_utf8_lossy(stderr).trim().to_string();
                if s.is_empty() {
                    status.to_string()
                } else {
                    s
                }
            });
        if let Some(d) = err
            .get("details")
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty())
        {
            msg.push_str(&format!(" ({d})"));
        }
        return Err(PluginOutputError::Failed(msg));
    }
    if stdout.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(stdout).map_err(PluginOutputError::NotJson)
}

/// ADD: runs every plugin in order; returns the network's result. `progress` gets each plugin's
/// result as it comes, so the caller can record how far ADD got. On failure nothing is undone here:
/// the caller runs DEL with the last recorded result and keeps the record until DEL succeeds, so a
/// failed undo is retried by gc instead of forgotten.
pub fn add(
    net: &Network,
    a: &Attachment,
    mut progress: impl FnMut(&Value),
) -> Result<Value, CniError> {
    let mut prev: Option<Value> = None;
    for (i, p) in net.plugins.iter().enumerate() {
        let conf = plugin_config(net, p, prev.as_ref(), a);
        match exec(net, p, "ADD", &conf, a) {
            Ok(r) => {
                if !r.is_null() {
                    progress(&r);
                    prev = Some(r);
                }
            }
            Err(e) => {
                let _ = i;
                return Err(e);
            }
        }
    }
    Ok(prev.unwrap_or(Value::Null))
}

/// CHECK: asks every plugin whether what ADD set up is still there.
pub fn check(net: &Network, a: &Attachment, result: &Value) -> Result<(), CniError> {
    for p in &net.plugins {
        let conf = plugin_config(net, p, Some(result), a);
        exec(net, p, "CHECK", &conf, a)?;
    }
    Ok(())
}

/// DEL: every plugin in reverse order, each tried even if an earlier one failed; the first error
/// is returned. Idempotent, as the spec requires of plugins.
pub fn del(net: &Network, a: &Attachment, result: Option<&Value>) -> Result<(), CniError> {
    let mut first = None;
    for p in net.plugins.iter().rev() {
        let conf = plugin_config(net, p, result.filter(|r| !r.is_null()), a);
        if let Err(e) = exec(net, p, "DEL", &conf, a) {
            first.get_or_insert(e);
        }
    }
    first.map_or(Ok(()), Err)
}

/// Every network of a pod deleted (reverse order), for teardown and gc. A plugin's DEL can fail on
/// state that was never created (an ADD cut short); when nothing of the pod is left afterwards (no
/// firewall rule naming it or its addresses, no address lease), that counts as done. Otherwise the
/// first error is returned and the caller retries later.
pub fn del_all(s: &PodNetState) -> Result<(), CniError> {
    let mut first = None;
    let mut ips = Vec::new();
    for (net, a, result) in s.attachments.iter().rev() {
        let mut a = a.clone();
        if !a.netns.exists() {
            // Plugins clean up what they can without the namespace (IPAM, port maps, firewall).
            a.netns = PathBuf::new();
        }
        if let Some(r) = result {
            ips.extend(self::ips(r));
        }
        if let Err(e) = del(net, &a, result.as_ref()) {
            first.get_or_insert(e);
        }
    }
    match first {
        None => Ok(()),
        Some(e) => {
            let cid = s
                .attachments
                .first()
                .map(|(_, a, _)| a.container_id.as_str())
                .unwrap_or("");
            if leftovers(cid, &ips).is_empty() {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

/// What of a pod is still on the host after DEL: firewall rules that name its container id or one
/// of its addresses, and host-local leases held for it.
pub fn leftovers(container_id: &str, ips: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if container_id.is_empty() {
        return out;
    }
    let id_mark = format!("id: \"{container_id}\"");
    let leases = leases();
    // An address leased to another container since is that container's: its rules are not ours.
    let ips: Vec<&String> = ips
        .iter()
        .filter(|ip| {
            !leases.iter().any(|(f, holder)| {
                f.file_name().is_some_and(|n| n == ip.as_str()) && holder != container_id
            })
        })
        .collect();
    for cmd in ["iptables-save", "ip6tables-save"] {
        let Ok(o) = Command::new(cmd).stderr(Stdio::null()).output() else {
            continue;
        };
        for l in String::from_utf8_lossy(&o.stdout).lines() {
            let names_ip = ips.iter().any(|&ip| {
                l.split_whitespace()
                    .any(|w| w == ip.as_str() || w.strip_suffix("/32") == Some(ip.as_str()))
            });
            if l.starts_with("-A") && (l.contains(&id_mark) || names_ip) {
                out.push(l.to_string());
            }
        }
    }
    out.extend(
        leases
            .iter()
            .filter(|(_, holder)| holder == container_id)
            .map(|(f, _)| f.display().to_string()),
    );
    out
}

/// host-local's address leases: one file per address (named after it) in
/// `/var/lib/cni/networks/<network>/`, whose first line is the container id holding it.
fn leases() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for net in std::fs::read_dir("/var/lib/cni/networks")
        .into_iter()
        .flatten()
        .flatten()
    {
        for f in std::fs::read_dir(net.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let body = std::fs::read_to_string(f.path()).unwrap_or_default();
            if let Some(holder) = body.lines().next() {
                out.push((f.path(), holder.to_string()));
            }
        }
    }
    out
}

/// Whether a CNI plugin is still working for this container (its caller died mid-ADD): gc waits for
/// it before DEL. Only root's processes running an executable from `plugin_dirs` count, so another
/// user cannot stall gc by putting CNI_CONTAINERID=<id> in some process's environment.
pub fn plugins_running(container_id: &str, plugin_dirs: &[PathBuf]) -> bool {
    use std::os::unix::fs::MetadataExt;
    let want = format!("CNI_CONTAINERID={container_id}");
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter(|e| std::fs::metadata(e.path()).is_ok_and(|m| m.uid() == 0))
        .filter(|e| {
            std::fs::read_link(e.path().join("exe"))
                .is_ok_and(|x| plugin_dirs.iter().any(|d| x.starts_with(d)))
        })
        .any(|e| {
            std::fs::read(e.path().join("environ"))
                .map(|b| b.split(|&c| c == 0).any(|v| v == want.as_bytes()))
                .unwrap_or(false)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflists_are_checked_with_file_and_field() {
        let n = parse(
            r#"{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"bridge"},{"type":"portmap","capabilities":{"portMappings":true}}]}"#,
            "x.conflist",
        )
        .unwrap();
        assert_eq!(n.plugins.len(), 2);
        let one = parse(
            r#"{"cniVersion":"0.4.0","name":"y","type":"bridge","bridge":"b0"}"#,
            "y.conf",
        )
        .unwrap();
        assert_eq!(one.plugins[0]["bridge"], "b0");
        assert!(one.plugins[0].get("name").is_none());
        for (bad, field) in [
            (
                r#"{"cniVersion":"1.0.0","plugins":[{"type":"bridge"}]}"#,
                "\"name\"",
            ),
            (
                r#"{"name":"x","plugins":[{"type":"bridge"}]}"#,
                "\"cniVersion\"",
            ),
            (
                r#"{"cniVersion":"1.0.0","name":"x","plugins":[{"bridge":"b"}]}"#,
                "plugins[0]",
            ),
            (
                r#"{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"../../bin/sh"}]}"#,
                "plugins[0].type",
            ),
            (r#"{"cniVersion":"1.0.0","name":"x","plugins":[]}"#, "empty"),
            ("{", "JSON"),
        ] {
            let e = parse(bad, "/etc/liftoff/net.d/x.conflist")
                .unwrap_err()
                .to_string();
            assert!(e.contains(field) && e.contains("x.conflist"), "{e}");
        }
    }

    #[test]
    fn plugin_config_carries_name_version_prev_and_ports() {
        let n = parse(
            r#"{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"portmap","capabilities":{"portMappings":true}},{"type":"firewall"}]}"#,
            "x",
        )
        .unwrap();
        let a = Attachment {
            container_id: "id".into(),
            netns: "/n".into(),
            ifname: "eth0".into(),
            plugin_dirs: vec![],
            ports: vec![PortMapping {
                host_port: 8080,
                container_port: 80,
                protocol: "tcp".into(),
                host_ip: String::new(),
            }],
        };
        let prev = json!({"cniVersion":"1.0.0","ips":[{"address":"10.66.0.2/16"}]});
        let c = plugin_config(&n, &n.plugins[0], Some(&prev), &a);
        assert_eq!(c["name"], "x");
        assert_eq!(c["runtimeConfig"]["portMappings"][0]["hostPort"], 8080);
        assert_eq!(c["prevResult"]["ips"][0]["address"], "10.66.0.2/16");
        let c = plugin_config(&n, &n.plugins[1], None, &a);
        assert!(c.get("runtimeConfig").is_none() && c.get("prevResult").is_none());
        assert_eq!(ips(&prev), vec!["10.66.0.2"]);
        assert_eq!(ips(&json!({"ip4":{"ip":"10.1.2.3/24"}})), vec!["10.1.2.3"]);
    }

    #[test]
    fn plugin_output_is_a_result_nothing_or_an_error_message() {
        let r = parse_plugin_output(
            true,
            br#"{"cniVersion":"1.0.0","ips":[{"address":"10.88.0.5/16"}]}"#,
            b"",
            "exit status: 0",
        )
        .unwrap();
        assert_eq!(addresses(&r), vec!["10.88.0.5/16"]);
        assert_eq!(
            parse_plugin_output(true, b" \n", b"", "").unwrap(),
            Value::Null
        );
        let e = parse_plugin_output(true, b"{", b"", "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not JSON"), "{e}");
        let e = parse_plugin_output(
            false,
            br#"{"code":11,"msg":"failed to allocate","details":"no IP addresses available"}"#,
            b"ignored",
            "exit status: 1",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(e, "failed to allocate (no IP addresses available)");
        let e = parse_plugin_output(false, b"[]", b" boom\n", "exit status: 1")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "boom");
        let e = parse_plugin_output(false, b"", b"", "exit status: 2")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "exit status: 2");
        // An empty or blank msg is no message: stderr, then the status, say what happened.
        let e = parse_plugin_output(false, br#"{"msg":""}"#, b"", "exit status: 1")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "exit status: 1");
        let e = parse_plugin_output(false, br#"{"msg":" ","details":"d"}"#, b"oops", "")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "oops (d)");
    }

    #[test]
    fn a_missing_plugin_names_itself_and_where_it_looked() {
        let n = parse(
            r#"{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"no-such-plugin"}]}"#,
            "x",
        )
        .unwrap();
        let a = Attachment {
            container_id: "id".into(),
            netns: "/n".into(),
            ifname: "eth0".into(),
            plugin_dirs: vec!["/nonexistent/cni".into()],
            ports: vec![],
        };
        let e = add(&n, &a, |_| {}).unwrap_err().to_string();
        assert!(
            e.contains("no-such-plugin") && e.contains("/nonexistent/cni"),
            "{e}"
        );
    }
}
