//! Running liftoff's own code from a copy of its executable that nobody can write (CVE-2019-5736).
//!
//! The process that turns into an app (init's child, or `liftoff enter`'s command) runs liftoff's
//! binary until its final `execve`. If the app made that program a script starting
//! `#!/proc/self/exe`, the kernel runs liftoff's binary again under the app's identity; the app can
//! then open it through `/proc/PID/exe` and, being uid 0 on an identity-mapped user namespace,
//! overwrite the host's `liftoff-stage1` or `liftoff`. So before anything else those processes
//! re-exec themselves from a read-only view of their executable:
//!
//! - an overlayfs without an upper layer, mounted in a throwaway mount namespace over the binary's
//!   directory (runc's current approach): writes through it fail with EROFS, and it shares the page
//!   cache with the real file, so a hundred pods cost nothing extra;
//! - or, where that fails, a sealed memfd copy (F_SEAL_WRITE and friends).
//!
//! A binary already on a read-only mount needs none of this. An environment marker tells the
//! re-executed process it should now be sealed; if it is not, it refuses to go on.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;

const MARKER: &str = "_LIFTOFF_EXE_SEALED";

/// Re-executes the current process from a read-only copy of its executable, unless it already
/// runs from one. Returns only on failure (or when already sealed).
pub fn ensure() -> Result<(), String> {
    let marked = std::env::var_os(MARKER).is_some();
    std::env::remove_var(MARKER);
    if is_sealed() {
        return Ok(());
    }
    if marked {
        // Re-executed already and still writable: refuse rather than run exposed.
        return Err(format!(
            "{} is still writable after re-executing from a read-only view",
            exe_path().display()
        ));
    }
    let fd = match overlay_view() {
        Ok(fd) => fd,
        Err(_) => memfd_copy()?,
    };
    let argv: Vec<CString> = std::env::args_os()
        .map(|a| CString::new(a.as_bytes()).unwrap_or_default())
        .collect();
    let mut envp: Vec<CString> = std::env::vars_os()
        .filter_map(|(k, v)| {
            let mut b = k.as_bytes().to_vec();
            b.push(b'=');
            b.extend_from_slice(v.as_bytes());
            CString::new(b).ok()
        })
        .collect();
    envp.push(CString::new(format!("{MARKER}=1")).expect("no NUL"));
    let mut av: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    av.push(std::ptr::null());
    let mut ev: Vec<*const libc::c_char> = envp.iter().map(|e| e.as_ptr()).collect();
    ev.push(std::ptr::null());
    // SAFETY: execveat with a valid fd, an empty path and NULL-terminated argv/envp arrays whose
    // strings outlive the call; it only returns on failure.
    unsafe {
        libc::syscall(
            libc::SYS_execveat,
            fd.as_raw_fd(),
            c"".as_ptr(),
            av.as_ptr(),
            ev.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    Err(format!(
        "re-executing from a sealed copy of {}: {}",
        exe_path().display(),
        std::io::Error::last_os_error()
    ))
}

/// Whether the executable cannot be written through `/proc/self/exe`: it lives on a read-only
/// mount (the overlay view, or a read-only /usr), or it is a memfd sealed against writes.
pub fn is_sealed() -> bool {
    if nix::sys::statvfs::statvfs("/proc/self/exe")
        .is_ok_and(|st| st.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY))
    {
        return true;
    }
    std::fs::File::open("/proc/self/exe").is_ok_and(|f| {
        // SAFETY: fcntl on an open fd.
        let seals = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GET_SEALS) };
        seals >= 0 && seals & libc::F_SEAL_WRITE != 0
    })
}

fn exe_path() -> std::path::PathBuf {
    std::fs::read_link("/proc/self/exe").unwrap_or_default()
}

/// Opens the executable through a read-only overlay built in a child's private mount namespace.
/// The child dies, and so does its namespace, but the mount lives on as long as the returned fd (and
/// then the process executing it) refers to it.
fn overlay_view() -> Result<OwnedFd, String> {
    let exe = exe_path();
    let name = exe.file_name().ok_or("no file name")?.to_os_string();
    let dir_path = exe.parent().ok_or("no directory")?.to_path_buf();
    let (parent_end, child_end) = crate::tty::fd_channel()?;
    // SAFETY: called before the process starts any thread; the child only makes system calls.
    match unsafe { nix::unistd::fork() }.map_err(|e| e.to_string())? {
        nix::unistd::ForkResult::Child => {
            let ok = (|| -> Result<(), String> {
                use nix::mount::{mount, MsFlags};
                nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)
                    .map_err(|e| e.to_string())?;
                mount(
                    None::<&str>,
                    "/",
                    None::<&str>,
                    MsFlags::MS_REC | MsFlags::MS_PRIVATE,
                    None::<&str>,
                )
                .map_err(|e| e.to_string())?;
                // The binary's directory, opened in this namespace (overlayfs only takes layers
                // from the caller's own mounts) and held: the scratch tmpfs may cover its path.
                let dir = std::fs::File::open(&dir_path).map_err(|e| e.to_string())?;
                // A scratch tmpfs (over /tmp, in this namespace only) for the mount point and the
                // second, empty lower layer overlayfs wants when there is no upper one.
                mount(
                    Some("tmpfs"),
                    "/tmp",
                    Some("tmpfs"),
                    MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
                    Some("size=16k,mode=700"),
                )
                .map_err(|e| format!("mount tmpfs: {e}"))?;
                for d in ["/tmp/empty", "/tmp/view"] {
                    std::fs::create_dir(d).map_err(|e| e.to_string())?;
                }
                // Relative to the cwd, which still is the binary's directory even where /tmp now
                // covers its path (overlayfs does not take /proc/self/fd paths).
                nix::unistd::fchdir(dir.as_raw_fd()).map_err(|e| format!("fchdir: {e}"))?;
                let data = "lowerdir=.:/tmp/empty".to_string();
                mount(
                    Some("overlay"),
                    "/tmp/view",
                    Some("overlay"),
                    MsFlags::MS_RDONLY | MsFlags::MS_NODEV | MsFlags::MS_NOSUID,
                    Some(data.as_str()),
                )
                .map_err(|e| format!("mount overlay {data}: {e}"))?;
                let f = std::fs::File::open(std::path::Path::new("/tmp/view").join(&name))
                    .map_err(|e| e.to_string())?;
                crate::tty::send_fd(child_end.as_raw_fd(), f.as_raw_fd())
            })();
            // SAFETY: leaving the helper child.
            unsafe { libc::_exit(if ok.is_ok() { 0 } else { 1 }) }
        }
        nix::unistd::ForkResult::Parent { child } => {
            drop(child_end);
            let fd = crate::tty::recv_fd(parent_end.as_raw_fd());
            let _ = nix::sys::wait::waitpid(child, None);
            let fd = fd.ok_or("the overlay view could not be made")?;
            // It must really be read-only (a kernel that ignored the flags would defeat this).
            let st = nix::sys::statvfs::fstatvfs(&fd).map_err(|e| e.to_string())?;
            if !st.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY) {
                return Err("the overlay view is writable".into());
            }
            Ok(fd)
        }
    }
}

/// A sealed in-memory copy of the executable.
fn memfd_copy() -> Result<OwnedFd, String> {
    let exe = std::fs::File::open("/proc/self/exe").map_err(|e| format!("/proc/self/exe: {e}"))?;
    // SAFETY: memfd_create with a static name and flags; the fd is owned below.
    let raw: RawFd = unsafe {
        libc::memfd_create(
            c"liftoff-exe".as_ptr(),
            libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
        )
    };
    if raw < 0 {
        return Err(format!("memfd_create: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: a fresh fd owned here.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let mut src = exe;
    let mut dst = std::fs::File::from(fd);
    std::io::copy(&mut src, &mut dst).map_err(|e| format!("copying the executable: {e}"))?;
    let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
    // SAFETY: fcntl on our memfd.
    if unsafe { libc::fcntl(dst.as_raw_fd(), libc::F_ADD_SEALS, seals) } < 0 {
        return Err(format!(
            "sealing the copy: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(OwnedFd::from(dst))
}
