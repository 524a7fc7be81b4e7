//! Clean interrupts: on SIGINT, SIGTERM, SIGHUP or SIGQUIT, end every
//! process this one started and every process those started (the compiler,
//! the linker, a test binary), remove every temporary directory, and exit
//! 128 + the signal.
//!
//! Children stay in this process's group, so a kill of the whole group (a CI
//! timeout's SIGKILL, which no handler sees) reaches them all. To find them
//! on an interrupt, this process is their subreaper (Linux): a grandchild
//! whose parent died is re-parented here, so every descendant is in the
//! process table under this pid. A run killed before it could clean up
//! leaves its temporary directories named with its pid; the next run removes
//! those whose process is gone ([`sweep`]).
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
    /// Undo steps outside our own directories (a git worktree's
    /// registration in the user's repository), by id.
    undo: Vec<(u64, Box<dyn Fn() + Send>)>,
    next_undo: u64,
}

static LIVE: Mutex<Registry> = Mutex::new(Registry {
    dirs: Vec::new(),
    groups: Vec::new(),
    undo: Vec::new(),
    next_undo: 0,
});

/// An undo step that runs on an interrupt while this lives (and not after).
pub struct Undo {
    id: u64,
}

impl Drop for Undo {
    fn drop(&mut self) {
        live().undo.retain(|(i, _)| *i != self.id);
    }
}

/// Registers `step` to run if the process is interrupted before the
/// returned guard is dropped.
pub fn on_interrupt(step: impl Fn() + Send + 'static) -> Undo {
    let mut reg = live();
    let id = reg.next_undo;
    reg.next_undo += 1;
    reg.undo.push((id, Box::new(step)));
    Undo { id }
}

fn live() -> std::sync::MutexGuard<'static, Registry> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts the thread that turns SIGINT/SIGTERM/SIGHUP/SIGQUIT into a clean
/// exit, and makes this process its descendants' subreaper. Call once, first.
pub fn install() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes an integer flag and
    // touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
    sweep();
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        let Ok(mut signals) =
            signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])
        else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
                cleanup();
                std::process::exit(128 + sig);
            }
        });
    }
}

/// Set when a signal arrived: the signal thread is cleaning up and will end
/// the process with 128 + the signal.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Waits for the end an interrupt brings, when one is under way: a go
/// command the cleanup killed fails, and the main thread must not report
/// that failure or exit with its code first.
pub fn wait_if_interrupted() {
    if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}

/// Kills every registered child and every descendant, and removes every
/// registered directory.
fn cleanup() {
    let reg = live();
    kill_everything_below_me(&reg.groups);
    for (_, step) in &reg.undo {
        step();
    }
    for d in &reg.dirs {
        let _ = std::fs::remove_dir_all(d);
    }
    // The main thread runs on until the process exits and may have been
    // writing into a directory as it went (create_dir_all can bring one
    // back): a second pass after a moment. The lock stays held until exit,
    // so no new directory is made meanwhile.
    std::thread::sleep(std::time::Duration::from_millis(30));
    for d in &reg.dirs {
        let _ = std::fs::remove_dir_all(d);
    }
    std::mem::forget(reg);
}

/// SIGKILLs the descendants of `root` (not `root` itself when it is this
/// process), found in /proc by parent pid; and `root` when it is a child.
fn kill_tree(root: u32) {
    let me = std::process::id();
    for pid in descendants(root) {
        signal_kill(pid);
    }
    if root != me {
        signal_kill(root);
    }
}

fn signal_kill(pid: u32) {
    #[cfg(unix)]
    // SAFETY: kill(2) with a positive pid signals that process; it touches
    // no memory of ours.
    unsafe {
        libc::kill(pid as i32, libc::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// Each process as (pid, parent pid, state letter), from /proc.
fn process_table() -> Vec<(u32, u32, char)> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // "pid (comm) state ppid ...": comm may hold spaces and ')'.
            let mut after = stat[stat.rfind(')')? + 1..].split_whitespace();
            let state = after.next()?.chars().next()?;
            let ppid: u32 = after.next()?.parse().ok()?;
            Some((pid, ppid, state))
        })
        .collect()
}

/// Every live process below `root` in the process table, nearest first
/// (the dead, waiting to be reaped, are left out).
fn descendants(root: u32) -> Vec<u32> {
    let table = process_table();
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for &(child, parent, state) in &table {
            if parent == p && !out.contains(&child) {
                frontier.push(child);
                if !matches!(state, 'Z' | 'X') {
                    out.push(child);
                }
            }
        }
    }
    out
}

/// The name prefix of this process's temporary directories: the pid in it
/// tells [`sweep`] whose they are.
fn prefix(kind: &str) -> String {
    format!("ifacealloc-{}-{kind}", std::process::id())
}

/// Removes temporary directories of earlier runs whose process is gone
/// (killed before it could clean up): `ifacealloc-PID-...` in the temp dir,
/// with no process PID any more.
pub fn sweep() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("ifacealloc-"))
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || alive(pid) {
            continue;
        }
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Whether process `pid` exists (a reused pid keeps a dead run's
/// directories until that process ends too: never a live run's removed).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: kill(2) with signal 0 only checks that the process exists.
        let r = unsafe { libc::kill(pid as i32, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// The directory Go's own temporary files go to (GOTMPDIR) for every go
/// command of this process: one registered directory, so that a go command
/// killed on an interrupt leaves nothing behind either. Removed by [`finish`].
pub fn go_tmp() -> Option<&'static Path> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let mut reg = live();
        let d = tempfile::Builder::new()
            .prefix(&prefix("go-"))
            .tempdir()
            .ok()?
            .keep();
        reg.dirs.push(d.clone());
        drop(reg);
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

/// Creates a registered temporary directory named `ifacealloc-PID-<kind>XXXXXX`
/// (`kind` as given, its `ifacealloc-` dropped).
pub fn temp_dir(kind: &str) -> io::Result<TempDir> {
    let kind = kind.strip_prefix("ifacealloc-").unwrap_or(kind);
    // Created under the lock: an interrupt's cleanup (which holds it) then
    // sees the directory registered, never created and not yet listed.
    let mut reg = live();
    let inner = tempfile::Builder::new().prefix(&prefix(kind)).tempdir()?;
    reg.dirs.push(inner.path().to_path_buf());
    Ok(TempDir { inner })
}

/// Kills every running child and each process below it, without exiting:
/// work a user cancelled (the language server's scans). The waits of their
/// callers then end with the children's deaths.
pub fn kill_children() {
    // Held throughout: no child is spawned (or reaped by mistake as an
    // orphan) while the table is being cleared.
    let reg = live();
    kill_everything_below_me(&reg.groups);
}

/// SIGKILLs every process below this one until none is left alive. One pass
/// over the process table is not enough: a go command can fork (a compiler,
/// a -toolexec wrapper) between the table's reading and its own death, and
/// that child, re-parented here (we are the subreaper), would live on. So
/// the table is read again until it shows no live descendant, bounded at
/// about a second. Orphans that died here are reaped; tracked children are
/// left to their own `wait`.
fn kill_everything_below_me(tracked: &[u32]) {
    let me = std::process::id();
    for &g in tracked {
        kill_tree(g);
    }
    for _ in 0..100 {
        let left = descendants(me);
        reap_orphans(tracked);
        if left.is_empty() {
            return;
        }
        for pid in left {
            signal_kill(pid);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Collects the exit status of dead processes re-parented to this one that
/// no [`Tracked`] owns, so they do not linger as zombies.
fn reap_orphans(tracked: &[u32]) {
    #[cfg(unix)]
    for (pid, ppid, state) in process_table() {
        if ppid == std::process::id() && state == 'Z' && !tracked.contains(&pid) {
            // SAFETY: waitpid on a specific dead child with WNOHANG writes
            // only the status integer we pass.
            unsafe {
                let mut status = 0;
                libc::waitpid(pid as i32, &mut status, libc::WNOHANG);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tracked;
}

/// A running child, registered until dropped.
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
    /// Kills the child and every process below it.
    pub fn kill_group(&mut self) {
        kill_tree(self.child.id());
        let _ = self.child.kill();
    }
}

/// Spawns `cmd` (in this process's group) and registers it.
pub fn spawn(cmd: &mut Command) -> io::Result<Tracked> {
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

/// Runs `cmd` to its end, or until `limit` passes: then it and every
/// process below it are killed and the second value is `true`. Output read so far is kept.
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
