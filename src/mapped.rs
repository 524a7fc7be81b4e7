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
}

impl std::ops::Deref for Mapped {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.map
    }
}

impl Mapped {
    /// Says the parsers are done with `range`: its pages leave this
    /// process's resident set (they stay in the page cache), so a long
    /// file costs the chunks in flight, not its size, in memory.
    pub fn release(&self, range: std::ops::Range<usize>) {
        #[cfg(unix)]
        // SAFETY: the mapping is private, read-only and backed by a file:
        // dropped pages come back from the file, as they were, if read again.
        unsafe {
            let _ = self.map.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                range.start,
                range.len(),
            );
        }
        #[cfg(not(unix))]
        let _ = range;
    }
}

/// Maps `file` (opened from `path`, which the SIGBUS message names), or
/// `None` when it is better read as a stream.
pub fn map(file: &File, path: &Path) -> Option<Mapped> {
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() == 0 || usize::try_from(meta.len()).is_err() {
        return None;
    }
    on_sigbus_exit(path);
    // SAFETY: a read-only private mapping of a regular file; the module's
    // doc says what a concurrent truncation or write does and how it is
    // handled.
    let map = unsafe { memmap2::MmapOptions::new().map(file) }.ok()?;
    // The parsers read front to back: ask for read-ahead.
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Some(Mapped { map })
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

    /// The message the handler writes, leaked so the handler may read it
    /// at any time; set before any mapping is touched.
    static MESSAGE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
    static LEN: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn handler(_: libc::c_int) {
        let (p, n) = (MESSAGE.load(Ordering::Acquire), LEN.load(Ordering::Acquire));
        // SAFETY: write(2) and _exit(2) are async-signal-safe; the message
        // is leaked and never freed.
        unsafe {
            if !p.is_null() {
                libc::write(2, p.cast(), n);
            }
            libc::_exit(2);
        }
    }

    pub fn install(path: &std::path::Path) {
        let msg = format!(
            "ifacealloc: {} shrank while it was being read (another process truncated it); read it again once it is complete\n",
            path.display()
        );
        let msg: &'static mut [u8] = Box::leak(msg.into_bytes().into_boxed_slice());
        LEN.store(0, Ordering::Release);
        MESSAGE.store(msg.as_mut_ptr(), Ordering::Release);
        LEN.store(msg.len(), Ordering::Release);
        // SAFETY: a plain handler for SIGBUS, which this process raises only
        // by touching a mapped page past the end of a shrunken file.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
        }
    }
}

fn on_sigbus_exit(path: &Path) {
    #[cfg(unix)]
    sigbus::install(path);
    #[cfg(not(unix))]
    let _ = path;
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
    /// process with the one-line error and exit code 2, not a crash. Run in
    /// a child process (this test binary again), as the handler exits.
    #[cfg(unix)]
    #[test]
    fn a_file_truncated_while_mapped_is_a_clear_error() {
        const CHILD: &str = "IFACEALLOC_TEST_SIGBUS_FILE";
        if let Some(path) = std::env::var_os(CHILD) {
            let path = Path::new(&path);
            let f = File::open(path).unwrap();
            let m = map(&f, path).unwrap();
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .unwrap()
                .set_len(0)
                .unwrap();
            let last = std::hint::black_box(m[m.len() - 1]);
            panic!("read {last} past the end of a truncated file");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("listing.txt");
        std::fs::write(&path, vec![b'x'; 1 << 16]).unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "mapped::tests::a_file_truncated_while_mapped_is_a_clear_error",
                "--nocapture",
            ])
            .env(CHILD, &path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "ifacealloc: {} shrank while it was being read",
                path.display()
            )),
            "{err}"
        );
    }
}
