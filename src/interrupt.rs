//! Clean interrupts: on SIGINT or SIGTERM, end every Go child (each runs in a
//! process group of its own, so the compiler, linker and test binaries it
//! starts end too), remove every temporary directory, and exit 130 or 143.
//!
//! Temporary directories come from [`temp_dir`] and children are started with
//! [`output`] or [`spawn`]; both register what they make while it lives.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::Mutex;

/// What exists right now and must go if the process is interrupted.
struct Registry {
    dirs: Vec<PathBuf>,
    groups: Vec<u32>,
}

static LIVE: Mutex<Registry> = Mutex::new(Registry {
    dirs: Vec::new(),
    groups: Vec::new(),
});

fn live() -> std::sync::MutexGuard<'static, Registry> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts the thread that turns SIGINT/SIGTERM into a clean exit. Call once, first.
pub fn install() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                cleanup();
                std::process::exit(128 + sig);
            }
        });
    }
}

/// Kills every registered process group and removes every registered directory.
fn cleanup() {
    let reg = live();
    #[cfg(unix)]
    for &pgid in &reg.groups {
        // SAFETY: kill(2) with a negative pid signals that process group; it
        // touches no memory of ours.
        unsafe {
            libc::kill(-(pgid as i32), libc::SIGKILL);
        }
    }
    for d in &reg.dirs {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// The directory Go's own temporary files go to (GOTMPDIR) for every go
/// command of this process: one registered directory, so that a go command
/// killed on an interrupt leaves nothing behind either. Removed by [`finish`].
pub fn go_tmp() -> Option<&'static Path> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::Builder::new()
            .prefix("ifacealloc-go-")
            .tempdir()
            .ok()?
            .keep();
        live().dirs.push(d.clone());
        // Library users (tests, benches) never call `finish`: remove the
        // directory when the process exits, however it exits normally.
        #[cfg(unix)]
        // SAFETY: registers a plain extern "C" function with no arguments.
        unsafe {
            libc::atexit(finish_at_exit);
        }
        Some(d)
    })
    .as_deref()
}

#[cfg(unix)]
extern "C" fn finish_at_exit() {
    finish();
}

/// Removes what is left at the end of the process (the GOTMPDIR above). Run
/// at exit; the CLI also calls it before exiting.
pub fn finish() {
    // try_lock: an exit racing an interrupt's cleanup must not deadlock.
    let dirs = match LIVE.try_lock() {
        Ok(mut reg) => std::mem::take(&mut reg.dirs),
        Err(std::sync::TryLockError::Poisoned(e)) => std::mem::take(&mut e.into_inner().dirs),
        Err(std::sync::TryLockError::WouldBlock) => return,
    };
    for d in dirs {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// A temporary directory that is removed when dropped, or on an interrupt.
pub struct TempDir {
    inner: tempfile::TempDir,
}

impl TempDir {
    pub fn path(&self) -> &Path {
        self.inner.path()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let p = self.inner.path().to_path_buf();
        live().dirs.retain(|d| *d != p);
    }
}

/// Creates a registered temporary directory named `<prefix>XXXXXX`.
pub fn temp_dir(prefix: &str) -> io::Result<TempDir> {
    let inner = tempfile::Builder::new().prefix(prefix).tempdir()?;
    live().dirs.push(inner.path().to_path_buf());
    Ok(TempDir { inner })
}

/// A running child in a process group of its own, registered until dropped.
pub struct Tracked {
    pub child: Child,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let id = self.child.id();
        live().groups.retain(|g| *g != id);
    }
}

impl Tracked {
    /// Kills the child's whole process group.
    pub fn kill_group(&mut self) {
        #[cfg(unix)]
        // SAFETY: as in `cleanup`.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.kill();
    }
}

/// Spawns `cmd` in a new process group and registers it.
pub fn spawn(cmd: &mut Command) -> io::Result<Tracked> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    // Registered under the lock, so an interrupt between spawn and
    // registration cannot miss the child.
    let mut reg = live();
    let child = cmd.spawn()?;
    reg.groups.push(child.id());
    Ok(Tracked { child })
}

/// Like `Command::output`, with the child registered while it runs.
pub fn output(cmd: &mut Command) -> io::Result<Output> {
    output_within(cmd, None).map(|(out, _)| out)
}

/// Runs `cmd` to its end, or until `limit` passes: then its whole process
/// group is killed and the second value is `true`. Output read so far is kept.
pub fn output_within(
    cmd: &mut Command,
    limit: Option<std::time::Duration>,
) -> io::Result<(Output, bool)> {
    use std::io::Read;
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut t = spawn(cmd)?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut v);
            }
            v
        })
    };
    let out_thread = drain(
        t.child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err_thread = drain(
        t.child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = std::time::Instant::now();
    let mut timed_out = false;
    let status = match limit {
        // No limit: block until it ends, so a quick command (a warm go build)
        // is not kept waiting by a polling interval.
        None => t.child.wait()?,
        Some(limit) => {
            // Polled from 1 ms up to 20 ms: prompt for short commands, cheap
            // for long ones.
            let mut pause = std::time::Duration::from_millis(1);
            loop {
                if let Some(st) = t.child.try_wait()? {
                    break st;
                }
                if start.elapsed() >= limit {
                    timed_out = true;
                    t.kill_group();
                    break t.child.wait()?;
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(20));
            }
        }
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    Ok((
        Output {
            status,
            stdout,
            stderr,
        },
        timed_out,
    ))
}
