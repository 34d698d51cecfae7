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
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// The process could not be made to run from a read-only executable.
#[derive(Debug, thiserror::Error)]
pub enum ExesealError {
    #[error("{} is still writable after re-executing from a read-only view", exe.display())]
    StillWritable { exe: PathBuf },
    #[error("re-executing from a sealed copy of {}: {source}", exe.display())]
    Reexec {
        exe: PathBuf,
        source: std::io::Error,
    },
    #[error("/proc/self/exe: {0}")]
    Open(std::io::Error),
    #[error("memfd_create: {0}")]
    MemfdCreate(std::io::Error),
    #[error("copying the executable: {0}")]
    Copy(std::io::Error),
    #[error("sealing the copy: {0}")]
    Seal(std::io::Error),
}

/// Why the overlay view could not be made (the sealed copy is tried next; never shown).
#[derive(Debug, thiserror::Error)]
enum ViewError {
    #[error("the executable has no file name or directory")]
    NoPath,
    #[error(transparent)]
    Sys(#[from] nix::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Tty(#[from] crate::tty::TtyError),
    #[error("the overlay view could not be made")]
    NotMade,
    #[error("the overlay view is writable")]
    Writable,
}

const MARKER: &str = "_LIFTOFF_EXE_SEALED";

/// Re-executes the current process from a read-only copy of its executable, unless it already
/// runs from one. Returns only on failure (or when already sealed).
pub fn ensure() -> Result<(), ExesealError> {
    let marked = std::env::var_os(MARKER).is_some();
    std::env::remove_var(MARKER);
    if is_sealed() {
        return Ok(());
    }
    if marked {
        // Re-executed already and still writable: refuse rather than run exposed.
        return Err(ExesealError::StillWritable { exe: exe_path() });
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
    Err(ExesealError::Reexec {
        exe: exe_path(),
        source: std::io::Error::last_os_error(),
    })
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
fn overlay_view() -> Result<OwnedFd, ViewError> {
    let exe = exe_path();
    let name = exe.file_name().ok_or(ViewError::NoPath)?.to_os_string();
    let dir_path = exe.parent().ok_or(ViewError::NoPath)?.to_path_buf();
    let (parent_end, child_end) = crate::tty::fd_channel()?;
    // SAFETY: called before the process starts any thread; the child only makes system calls.
    match unsafe { nix::unistd::fork() }? {
        nix::unistd::ForkResult::Child => {
            let ok = (|| -> Result<(), ViewError> {
                use nix::mount::{mount, MsFlags};
                nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)?;
                mount(
                    None::<&str>,
                    "/",
                    None::<&str>,
                    MsFlags::MS_REC | MsFlags::MS_PRIVATE,
                    None::<&str>,
                )?;
                // The binary's directory, opened in this namespace (overlayfs only takes layers
                // from the caller's own mounts) and held: the scratch tmpfs may cover its path.
                let dir = std::fs::File::open(&dir_path)?;
                // A scratch tmpfs (over /tmp, in this namespace only) for the mount point and the
                // second, empty lower layer overlayfs wants when there is no upper one.
                mount(
                    Some("tmpfs"),
                    "/tmp",
                    Some("tmpfs"),
                    MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
                    Some("size=16k,mode=700"),
                )?;
                for d in ["/tmp/empty", "/tmp/view"] {
                    std::fs::create_dir(d)?;
                }
                // Relative to the cwd, which still is the binary's directory even where /tmp now
                // covers its path (overlayfs does not take /proc/self/fd paths).
                nix::unistd::fchdir(dir.as_raw_fd())?;
                let data = "lowerdir=.:/tmp/empty".to_string();
                mount(
                    Some("overlay"),
                    "/tmp/view",
                    Some("overlay"),
                    MsFlags::MS_RDONLY | MsFlags::MS_NODEV | MsFlags::MS_NOSUID,
                    Some(data.as_str()),
                )?;
                let f = std::fs::File::open(std::path::Path::new("/tmp/view").join(&name))?;
                Ok(crate::tty::send_fd(child_end.as_fd(), f.as_fd())?)
            })();
            // SAFETY: leaving the helper child.
            unsafe { libc::_exit(if ok.is_ok() { 0 } else { 1 }) }
        }
        nix::unistd::ForkResult::Parent { child } => {
            drop(child_end);
            let fd = crate::tty::recv_fd(parent_end.as_fd());
            let _ = nix::sys::wait::waitpid(child, None);
            let fd = fd.ok_or(ViewError::NotMade)?;
            // It must really be read-only (a kernel that ignored the flags would defeat this).
            let st = nix::sys::statvfs::fstatvfs(&fd)?;
            if !st.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY) {
                return Err(ViewError::Writable);
            }
            Ok(fd)
        }
    }
}

/// A sealed in-memory copy of the executable.
fn memfd_copy() -> Result<OwnedFd, ExesealError> {
    let exe = std::fs::File::open("/proc/self/exe").map_err(ExesealError::Open)?;
    // SAFETY: memfd_create with a static name and flags; the fd is owned below.
    let raw: RawFd = unsafe {
        libc::memfd_create(
            c"liftoff-exe".as_ptr(),
            libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
        )
    };
    if raw < 0 {
        return Err(ExesealError::MemfdCreate(std::io::Error::last_os_error()));
    }
    // SAFETY: a fresh fd owned here.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let mut src = exe;
    let mut dst = std::fs::File::from(fd);
    std::io::copy(&mut src, &mut dst).map_err(ExesealError::Copy)?;
    let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
    // SAFETY: fcntl on our memfd.
    if unsafe { libc::fcntl(dst.as_raw_fd(), libc::F_ADD_SEALS, seals) } < 0 {
        return Err(ExesealError::Seal(std::io::Error::last_os_error()));
    }
    Ok(OwnedFd::from(dst))
}
