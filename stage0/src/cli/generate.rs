//! `liftoff generate systemd [run flags] IMAGE`: a service unit (and with `--socket`, a socket unit)
//! that runs the pod the way a good service does: `Type=notify` with `liftoff run --notify`, the
//! supervisor as the main process, `KillMode=mixed` (SIGTERM to the supervisor, which stops the
//! apps gracefully; SIGKILL to whatever is left after the timeout), `Delegate=yes` so the pod's
//! cgroups live below the unit's, and output to the journal.

use super::run::RunArgs;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Print a systemd service unit (and a socket unit with --socket) for `liftoff run …`
    #[command(after_help = "\
Every run flag and `---` app works as in `liftoff run`. The unit runs `liftoff run --notify …`
(readiness once every app has started; give --notify=app:NAME to let an app say when it is ready).

Install:
  liftoff generate systemd --output-dir /etc/systemd/system --name web IMG
  systemctl daemon-reload && systemctl enable --now liftoff-web.service
With --socket 8080: `systemctl enable --now liftoff-web.socket`; the first connection starts the
pod and the socket is handed to the app (--socket-app NAME, default the first).")]
    Systemd(Box<SystemdArgs>),
    /// Write one man page per command (liftoff.1, liftoff-run.1, …) into a directory
    #[command(after_help = "\
Install: liftoff generate man --output-dir /usr/local/share/man/man1 && mandb -q")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Where to write the pages
    #[arg(long, value_name = "DIR")]
    pub output_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct SystemdArgs {
    /// Unit name without suffix (default: liftoff-<the first app's name>)
    #[arg(long, value_name = "NAME")]
    pub unit: Option<String>,
    /// Also make a socket unit: ListenStream= for [IP:]PORT or an absolute unix socket path
    #[arg(long, value_name = "LISTEN")]
    pub socket: Option<String>,
    /// Write the unit files into DIR instead of printing them
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// The service's Restart= policy, in systemd's words (`--restart` is the app's own, as in
    /// `liftoff run`)
    #[arg(long, default_value = "on-failure", value_name = "POLICY")]
    pub restart_policy: String,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Generate-only flags, with whether they take a value: kept out of ExecStart.
const OWN_FLAGS: &[&str] = &["--unit", "--socket", "--output-dir", "--restart-policy"];

/// Quotes one word for ExecStart= (systemd.service(5) "Command lines").
pub fn quote(w: &str) -> String {
    let escaped = w
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    if !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@+".contains(&b))
    {
        escaped
    } else {
        format!("\"{escaped}\"")
    }
}

/// The run arguments as given after `generate systemd`, without generate's own flags.
fn run_words(raw: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_flags = true;
    while i < raw.len() {
        let w = &raw[i];
        if w == "--" || w == "---" {
            in_flags = w == "---";
        }
        if in_flags {
            if OWN_FLAGS.contains(&w.as_str()) {
                i += 2;
                continue;
            }
            if OWN_FLAGS.iter().any(|f| w.starts_with(&format!("{f}="))) {
                i += 1;
                continue;
            }
        }
        out.push(w.clone());
        i += 1;
    }
    out
}

fn valid_unit_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 200
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":_.-".contains(&b))
}

pub fn run(g: &super::Global, c: GenerateCommand) -> Result<u8> {
    let a = match c {
        GenerateCommand::Systemd(a) => a,
        GenerateCommand::Man(m) => {
            let pages = super::manpages::generate(&m.output_dir)?;
            println!(
                "wrote {} man pages to {}",
                pages.len(),
                m.output_dir.display()
            );
            return Ok(0);
        }
    };
    let raw: Vec<String> = std::env::args().collect();
    let start = raw
        .iter()
        .position(|w| w == "systemd")
        .context("`generate systemd` not found on the command line")?;
    let mut words = run_words(&raw[start + 1..]);
    // A newline in a word would end ExecStart= and start a directive of its own.
    let bad_char = |w: &str| w.chars().any(|c| c.is_control());
    if let Some(w) = words.iter().find(|w| bad_char(w)) {
        bail!("{w:?}: control characters (newlines, tabs, …) cannot go into a unit file");
    }
    for (flag, v) in [
        ("--socket", a.socket.as_deref()),
        ("--restart-policy", Some(a.restart_policy.as_str())),
    ] {
        if let Some(v) = v {
            if bad_char(v) || v.is_empty() || v.contains(char::is_whitespace) {
                bail!("{flag} {v:?}: one word without spaces or control characters");
            }
        }
    }
    let image = a
        .run
        .image
        .clone()
        .unwrap_or_else(|| "pod file".to_string());
    let app_name = a
        .run
        .app
        .name
        .clone()
        .unwrap_or_else(|| liftoff::pod::resolve::default_app_name(&image));
    let unit = a.unit.clone().unwrap_or(format!("liftoff-{app_name}"));
    // Description= expands % specifiers too.
    let image = image.replace('%', "%%");
    let app_name = app_name.replace('%', "%%");
    if !valid_unit_name(&unit) {
        bail!("--unit {unit:?}: use letters, digits, ':', '_', '.' and '-'");
    }
    if a.run.detach || a.run.interactive || a.run.tty {
        bail!("-d, -i and -t make no sense in a unit: the unit's main process is the pod, and it has no terminal");
    }
    if !words.iter().any(|w| w.starts_with("--notify")) {
        words.insert(0, "--notify".into());
    }
    let exe = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .context("finding the liftoff executable")?;
    let mut exec = vec![exe.display().to_string()];
    // Global settings given to `generate` carry over.
    let defaults = [
        ("--dir", &g.dir, liftoff::store::DEFAULT_ROOT),
        ("--keys", &g.keys, liftoff::trust::store::ADMIN_DIR),
        (
            "--vendor-keys",
            &g.vendor_keys,
            liftoff::trust::store::VENDOR_DIR,
        ),
    ];
    for (flag, v, d) in defaults {
        if v.as_path() != std::path::Path::new(d) {
            exec.push(flag.into());
            exec.push(v.display().to_string());
        }
    }
    if let Some(c) = &g.config {
        exec.push("--config".into());
        exec.push(c.display().to_string());
    }
    exec.push("run".into());
    exec.extend(words);
    let exec_line: Vec<String> = exec.iter().map(|w| quote(w)).collect();
    let socket_unit = a.socket.as_ref().map(|l| {
        format!(
            "# {unit}.socket, generated by `liftoff generate systemd`\n\
             [Unit]\n\
             Description=Socket of the liftoff pod {app_name}\n\
             \n\
             [Socket]\n\
             ListenStream={l}\n\
             \n\
             [Install]\n\
             WantedBy=sockets.target\n"
        )
    });
    let mut service = format!(
        "# {unit}.service, generated by `liftoff generate systemd`\n\
         [Unit]\n\
         Description=liftoff pod {app_name} ({image})\n\
         Wants=network-online.target\n\
         After=network-online.target\n"
    );
    if socket_unit.is_some() {
        service.push_str(&format!("Requires={unit}.socket\nAfter={unit}.socket\n"));
    }
    service.push_str(&format!(
        "\n[Service]\n\
         Type=notify\n\
         NotifyAccess=main\n\
         ExecStart={}\n\
         KillMode=mixed\n\
         Delegate=yes\n\
         TimeoutStopSec={}\n\
         Restart={}\n\
         SyslogIdentifier={unit}\n",
        exec_line.join(" "),
        a.run.stop_timeout + 15,
        a.restart_policy
    ));
    if socket_unit.is_none() {
        service.push_str("\n[Install]\nWantedBy=multi-user.target\n");
    }
    match &a.output_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
            let p = dir.join(format!("{unit}.service"));
            std::fs::write(&p, &service).with_context(|| p.display().to_string())?;
            println!("{}", p.display());
            if let Some(s) = &socket_unit {
                let p = dir.join(format!("{unit}.socket"));
                std::fs::write(&p, s).with_context(|| p.display().to_string())?;
                println!("{}", p.display());
            }
        }
        None => {
            print!("{service}");
            if let Some(s) = &socket_unit {
                println!();
                print!("{s}");
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_words_are_quoted_for_systemd() {
        assert_eq!(quote("run"), "run");
        assert_eq!(quote("/bin/sh"), "/bin/sh");
        assert_eq!(quote("echo $HOME 100%"), "\"echo $$HOME 100%%\"");
        assert_eq!(quote("a \"b\""), "\"a \\\"b\\\"\"");
        assert_eq!(quote(""), "\"\"");
    }

    #[test]
    fn own_flags_are_left_out() {
        let raw: Vec<String> = [
            "--unit",
            "web",
            "--socket=8080",
            "--restart-policy",
            "always",
            "--restart=on-failure:3",
            "-p",
            "80:80",
            "IMG",
            "--",
            "sh",
            "--unit",
            "x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            run_words(&raw),
            [
                "--restart=on-failure:3",
                "-p",
                "80:80",
                "IMG",
                "--",
                "sh",
                "--unit",
                "x"
            ]
        );
    }
}
