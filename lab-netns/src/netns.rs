//! Named network namespaces, made the way `ip netns add` makes them but without forking:
//! a throwaway thread unshares its network namespace and bind-mounts it onto
//! /run/netns/NAME, so `ip netns exec NAME` works on them too. [`run_in`] runs a closure on
//! a thread that has entered a namespace; the caller's own thread never moves.
//!
//! Driver layer: only namespaces, no networking decisions.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, unshare, CloneFlags};

use crate::error::{Cause, Error, Result};

/// Where named namespaces live (iproute2's NETNS_RUN_DIR).
pub const NETNS_DIR: &str = "/run/netns";

fn path_of(name: &str) -> PathBuf {
    Path::new(NETNS_DIR).join(name)
}

/// Makes /run/netns a shared mount point, as iproute2 does, so namespace mounts propagate
/// to other mount namespaces (`ip netns exec` makes one). Done once per process.
fn prepare_dir() -> Result<()> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    let done = DONE.get_or_init(|| {
        fs::create_dir_all(NETNS_DIR).map_err(|e| e.to_string())?;
        let shared = || {
            mount(
                Some(""),
                NETNS_DIR,
                Some("none"),
                MsFlags::MS_SHARED | MsFlags::MS_REC,
                None::<&str>,
            )
        };
        match shared() {
            Ok(()) => Ok(()),
            // Not a mount point yet: bind it onto itself, then share it.
            Err(nix::Error::EINVAL) => mount(
                Some(NETNS_DIR),
                NETNS_DIR,
                Some("none"),
                MsFlags::MS_BIND | MsFlags::MS_REC,
                None::<&str>,
            )
            .and_then(|()| shared())
            .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    });
    done.clone().map_err(|e| {
        Error::op(
            NETNS_DIR,
            None,
            "make the directory a shared mount",
            Cause::Message(e),
        )
    })
}

/// Creates the namespace `name` (loopback down, as the kernel makes it).
pub fn create(name: &str) -> Result<()> {
    prepare_dir()?;
    let path = path_of(name);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o444)
        .open(&path)
        .map_err(|e| Error::op(name, None, "create the mount point", e))?;
    let target = path.clone();
    let made = std::thread::spawn(move || -> nix::Result<()> {
        unshare(CloneFlags::CLONE_NEWNET)?;
        mount(
            Some("/proc/thread-self/ns/net"),
            &target,
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
    })
    .join()
    .expect("the namespace thread does not panic");
    made.map_err(|e| {
        let _ = fs::remove_file(&path);
        Error::op(name, None, "create the namespace", e)
    })
}

/// Removes the name; the kernel frees the namespace (and its devices) once nothing uses it.
pub fn delete(name: &str) -> Result<()> {
    let path = path_of(name);
    match umount2(&path, MntFlags::MNT_DETACH) {
        // EINVAL: not mounted (a half-made entry); ENOENT: already gone.
        Ok(()) | Err(nix::Error::EINVAL) | Err(nix::Error::ENOENT) => {}
        Err(e) => return Err(Error::op(name, None, "unmount the namespace", e)),
    }
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::op(name, None, "remove the mount point", e)),
    }
}

/// Every named namespace on the machine, sorted.
pub fn list() -> Result<Vec<String>> {
    let entries = match fs::read_dir(NETNS_DIR) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::record(NETNS_DIR, e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}

pub fn exists(name: &str) -> bool {
    path_of(name).exists()
}

/// An open handle on the namespace (for `setns`, or to move a device into it).
pub fn open(name: &str) -> Result<File> {
    File::open(path_of(name)).map_err(|e| Error::op(name, None, "open the namespace", e))
}

/// The namespace's identity (nsfs device and inode), to find who still holds it.
pub fn identity(name: &str) -> Option<(u64, u64)> {
    fs::metadata(path_of(name)).ok().map(|m| (m.dev(), m.ino()))
}

/// Runs `f` on a new thread that has entered namespace `name`. Sockets and child processes
/// made there belong to that namespace; the calling thread stays where it is.
pub fn run_in<T: Send>(name: &str, f: impl FnOnce() -> T + Send) -> Result<T> {
    let file = open(name)?;
    run_in_file(name, &file, f)
}

/// [`run_in`] with a namespace already opened.
pub fn run_in_file<T: Send>(name: &str, file: &File, f: impl FnOnce() -> T + Send) -> Result<T> {
    std::thread::scope(|s| {
        s.spawn(|| {
            setns(file, CloneFlags::CLONE_NEWNET)
                .map_err(|e| Error::op(name, None, "enter the namespace", e))?;
            Ok(f())
        })
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Moves the calling thread into namespace `name`: only for threads this crate owns.
pub(crate) fn enter(name: &str) -> Result<()> {
    let file = open(name)?;
    setns(&file, CloneFlags::CLONE_NEWNET)
        .map_err(|e| Error::op(name, None, "enter the namespace", e))
}

/// Processes (and threads) whose network namespace is one of `ids`: what keeps a deleted
/// namespace alive. Each as `pid (command)`.
pub fn holders(ids: &[(u64, u64)]) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(procs) = fs::read_dir("/proc") else {
        return out;
    };
    for p in procs.filter_map(|e| e.ok()) {
        let name = p.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(tasks) = fs::read_dir(p.path().join("task")) else {
            continue;
        };
        let held = tasks.filter_map(|t| t.ok()).any(|t| {
            fs::metadata(t.path().join("ns/net"))
                .map(|m| ids.contains(&(m.dev(), m.ino())))
                .unwrap_or(false)
        });
        if held {
            let comm = fs::read_to_string(p.path().join("comm")).unwrap_or_default();
            out.push(format!("{pid} ({})", comm.trim()));
        }
    }
    out
}
