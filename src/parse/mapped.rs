//! Input files mapped into memory, for the parsers that read a whole file on
//! every core (`asm2md`, `bench2md`): the workers read the page cache in
//! place, where reading through buffers cost a copy of every byte (a fifth
//! of `asm2md`'s CPU time on a 213 MiB listing, and a thread of its own).
//!
//! Two things a mapping does that `read` does not, and what is done about them:
//! - A file that shrinks while mapped raises SIGBUS at the first access past
//!   its new end. The handler installed here turns that into this tool's
//!   usual one-line error and exit code 2; the parsers write nothing until
//!   the input is read, so no half-written output is left.
//! - A file another process writes while it is mapped changes under the
//!   parsers' shared slice. The parsers only compare bytes and index with
//!   bounds checks, so such a race reads a mix of old and new text, as a
//!   `read` racing with the same writer would.
//!
//! Anything that is not a non-empty regular file (a pipe, a terminal, a
//! socket), or a mapping the system refuses, gets `None`: the caller reads
//! it as a stream.

use std::fs::File;
use std::path::Path;

/// A file's bytes, mapped read-only.
pub struct Mapped {
    map: memmap2::Mmap,
    /// Where the part not yet released begins.
    kept_from: std::sync::atomic::AtomicUsize,
}

/// Pages are released in steps this long: each release interrupts every
/// core running this process (their address translations of those pages
/// are flushed), which at one release per half-MiB chunk was about 7 % of
/// bench2md's time.
const RELEASE_STEP: usize = 8 << 20;

impl std::ops::Deref for Mapped {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.map
    }
}

impl Mapped {
    /// Says the parsers are done with everything before `range.end` (ranges
    /// come in order): once [`RELEASE_STEP`] bytes are done with, their pages
    /// leave this process's resident set (they stay in the page cache), so a
    /// long file costs the chunks in flight and one step, not its size, in
    /// memory.
    pub fn release(&self, range: std::ops::Range<usize>) {
        use std::sync::atomic::Ordering;
        let from = self.kept_from.load(Ordering::Relaxed);
        if range.end < from + RELEASE_STEP {
            return;
        }
        self.kept_from.store(range.end, Ordering::Relaxed);
        #[cfg(unix)]
        // SAFETY: the mapping is private, read-only and backed by a file:
        // dropped pages come back from the file, as they were, if read again.
        unsafe {
            let _ = self.map.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                from,
                range.end - from,
            );
        }
    }
}

/// Maps `file` (opened from `path`, which the SIGBUS message names), or
/// `None` when it is better read as a stream.
pub fn map(file: &File, path: &Path) -> Option<Mapped> {
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() == 0 || usize::try_from(meta.len()).is_err() {
        return None;
    }
    // SAFETY: a read-only private mapping of a regular file; the module's
    // doc says what a concurrent truncation or write does and how it is
    // handled.
    let map = unsafe { memmap2::MmapOptions::new().map(file) }.ok()?;
    #[cfg(unix)]
    {
        sigbus::install(path, &map);
        // The parsers read front to back: ask for read-ahead.
        let _ = map.advise(memmap2::Advice::Sequential);
    }
    #[cfg(not(unix))]
    let _ = path;
    Some(Mapped {
        map,
        kept_from: Default::default(),
    })
}

/// Maps standard input when it is a regular file (`< file`), else `None`.
pub fn map_stdin() -> Option<Mapped> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let file = File::from(std::io::stdin().as_fd().try_clone_to_owned().ok()?);
        map(&file, Path::new("standard input"))
    }
    #[cfg(not(unix))]
    None
}

#[cfg(unix)]
mod sigbus {
    use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
    use std::sync::OnceLock;

    /// The message the handler writes, leaked so the handler may read it
    /// at any time, and the mapped addresses it is about.
    static MESSAGE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
    static LEN: AtomicUsize = AtomicUsize::new(0);
    static START: AtomicUsize = AtomicUsize::new(0);
    static END: AtomicUsize = AtomicUsize::new(0);

    /// The action SIGBUS had before: a fault outside the mapping is its.
    struct Previous(libc::sigaction);
    // SAFETY: plain data, written once before the handler can run.
    unsafe impl Sync for Previous {}
    unsafe impl Send for Previous {}
    static PREVIOUS: OnceLock<Previous> = OnceLock::new();

    extern "C" fn handler(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers;
        // write(2), _exit(2) and sigaction(2) are async-signal-safe; the
        // message is leaked and never freed.
        unsafe {
            let addr = (*info).si_addr() as usize;
            let (start, end) = (START.load(Ordering::Acquire), END.load(Ordering::Acquire));
            if (start..end).contains(&addr) {
                let (p, n) = (MESSAGE.load(Ordering::Acquire), LEN.load(Ordering::Acquire));
                if !p.is_null() {
                    libc::write(2, p.cast(), n);
                }
                libc::_exit(2);
            }
            // Not a mapped file's page (a stack overflow, on some systems):
            // the previous action takes the fault when it happens again.
            match PREVIOUS.get() {
                Some(Previous(old)) => libc::sigaction(libc::SIGBUS, old, std::ptr::null_mut()),
                None => libc::sigaction(libc::SIGBUS, &default_action(), std::ptr::null_mut()),
            };
        }
    }

    fn default_action() -> libc::sigaction {
        // SAFETY: an all-zero sigaction is SIG_DFL with no flags.
        unsafe { std::mem::zeroed() }
    }

    /// Makes a SIGBUS at an address of `mapped` exit with the one-line
    /// error naming `path`.
    pub fn install(path: &std::path::Path, mapped: &[u8]) {
        let msg = format!(
            "ifacealloc: {} shrank while it was being read (another process truncated it); read it again once it is complete\n",
            path.display()
        );
        let msg: &'static mut [u8] = Box::leak(msg.into_bytes().into_boxed_slice());
        LEN.store(0, Ordering::Release);
        MESSAGE.store(msg.as_mut_ptr(), Ordering::Release);
        LEN.store(msg.len(), Ordering::Release);
        let start = mapped.as_ptr() as usize;
        START.store(start, Ordering::Release);
        END.store(start + mapped.len(), Ordering::Release);
        PREVIOUS.get_or_init(|| {
            let mut old = default_action();
            // SAFETY: a handler for SIGBUS, which touching a mapped page past
            // the end of a shrunken file raises; others go to the old action.
            unsafe {
                let mut sa = default_action();
                sa.sa_sigaction = handler as *const () as libc::sighandler_t;
                sa.sa_flags = libc::SA_SIGINFO;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(libc::SIGBUS, &sa, &mut old);
            }
            Previous(old)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_nonempty_files_are_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, b"").unwrap();
        assert!(map(&File::open(&empty).unwrap(), &empty).is_none());
        let null = Path::new("/dev/null");
        if let Ok(f) = File::open(null) {
            assert!(map(&f, null).is_none());
        }
        let full = dir.path().join("full");
        std::fs::write(&full, b"goos: linux\n").unwrap();
        let m = map(&File::open(&full).unwrap(), &full).unwrap();
        assert_eq!(&m[..], b"goos: linux\n");
    }

    /// A file truncated while mapped: the next read past its end ends the
    /// process with the one-line error and exit code 2, not a crash. A bus
    /// error elsewhere (here: another mapping, not made by [`map`]) is not
    /// reported as a shrunken input: it takes the signal's previous action.
    /// Run in child processes (this test binary again), as the handler exits.
    #[cfg(unix)]
    #[test]
    fn a_file_truncated_while_mapped_is_a_clear_error() {
        const CHILD: &str = "IFACEALLOC_TEST_SIGBUS";
        if let Ok(how) = std::env::var(CHILD) {
            let (how, path) = how.split_once(':').unwrap();
            let path = Path::new(path);
            let f = File::open(path).unwrap();
            let m = map(&f, path).unwrap();
            let other = path.with_extension("other");
            std::fs::write(&other, vec![b'y'; 1 << 16]).unwrap();
            // SAFETY: a test of what a truncated mapping does.
            let foreign = unsafe { memmap2::Mmap::map(&File::open(&other).unwrap()) }.unwrap();
            let victim = if how == "ours" { path } else { other.as_path() };
            std::fs::OpenOptions::new()
                .write(true)
                .open(victim)
                .unwrap()
                .set_len(0)
                .unwrap();
            let last = if how == "ours" {
                std::hint::black_box(m[m.len() - 1])
            } else {
                std::hint::black_box(foreign[foreign.len() - 1])
            };
            panic!("read {last} past the end of a truncated file");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("listing.txt");
        let child = |how: &str| {
            std::fs::write(&path, vec![b'x'; 1 << 16]).unwrap();
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "parse::mapped::tests::a_file_truncated_while_mapped_is_a_clear_error",
                    "--nocapture",
                ])
                .env(CHILD, format!("{how}:{}", path.display()))
                .output()
                .unwrap()
        };
        let out = child("ours");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "ifacealloc: {} shrank while it was being read",
                path.display()
            )),
            "{err}"
        );
        let out = child("foreign");
        let err = String::from_utf8_lossy(&out.stderr);
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(libc::SIGBUS), "{err}");
        assert!(!err.contains("shrank"), "{err}");
    }
}
