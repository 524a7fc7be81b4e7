//! Writing reports: to stdout, or atomically to a file (temp file + rename), so
//! a failure never leaves half a report behind.
//!
//! `-o FILE` behaves like a shell redirection that cannot be interrupted
//! halfway: a new file gets the mode the umask allows (as `>` would), an
//! existing file keeps its mode, and a symlink is written through (its target
//! is replaced, the link stays). [`check`] runs before any work, so a path
//! that cannot be written is an error in the first second, not after a build.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::error::UsageError;

/// Renders with `render` and writes the bytes to `path` atomically, or to stdout.
pub fn emit(path: Option<&Path>, render: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
    let mut buf = Vec::new();
    render(&mut buf)?;
    match path {
        Some(p) if !is_stdout(p) => write_atomic(p, &buf),
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(&buf).context("writing to stdout")?;
            out.flush().context("writing to stdout")
        }
    }
}

/// `-o -` is stdout, as for most tools.
fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Whether `path` (after symlinks) is something other than a regular file
/// or directory: a device such as /dev/null, a FIFO, a socket. Those are
/// written through, like a shell's `>`, never replaced.
fn is_special(target: &Path) -> bool {
    std::fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes a report as it is produced: to stdout, through a device or FIFO,
/// or into a temporary file beside the target that [`Streamed::finish`]
/// renames into place (dropped unfinished, nothing is written).
pub enum Streamed {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    Through(std::io::BufWriter<std::fs::File>),
    Atomic {
        tmp: std::io::BufWriter<tempfile::NamedTempFile>,
        target: PathBuf,
        shown: PathBuf,
    },
}

impl Streamed {
    pub fn open(path: Option<&Path>) -> Result<Streamed> {
        let Some(path) = path.filter(|p| !is_stdout(p)) else {
            return Ok(Streamed::Stdout(std::io::BufWriter::new(std::io::stdout())));
        };
        let target = resolve(path)?;
        if is_special(&target) {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(|e| UsageError::new(format!("cannot write {}: {e}", path.display())))?;
            return Ok(Streamed::Through(std::io::BufWriter::new(f)));
        }
        let tmp = temp_beside(path, &target)?;
        Ok(Streamed::Atomic {
            tmp: std::io::BufWriter::new(tmp),
            target,
            shown: path.to_path_buf(),
        })
    }

    /// Flushes, and puts an atomic file in place.
    pub fn finish(self) -> Result<()> {
        match self {
            Streamed::Stdout(mut w) => w.flush().context("writing to stdout"),
            Streamed::Through(mut w) => w.flush().context("writing the output"),
            Streamed::Atomic { tmp, target, shown } => {
                let tmp = tmp
                    .into_inner()
                    .map_err(|e| anyhow::anyhow!("writing {}: {}", shown.display(), e.error()))?;
                tmp.as_file()
                    .sync_all()
                    .with_context(|| format!("writing {}", shown.display()))?;
                persist(tmp, &target, &shown)
            }
        }
    }
}

impl Write for Streamed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Streamed::Stdout(w) => w.write(buf),
            Streamed::Through(w) => w.write(buf),
            Streamed::Atomic { tmp, .. } => tmp.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Streamed::Stdout(w) => w.flush(),
            Streamed::Through(w) => w.flush(),
            Streamed::Atomic { tmp, .. } => tmp.flush(),
        }
    }
}

/// `path` as Go's tools print it: relative to `base` (with `../` where
/// needed) when they share more than the root, else as it is.
pub fn relative_to(path: &Path, base: &Path) -> String {
    if let Ok(p) = path.strip_prefix(base) {
        return p.display().to_string();
    }
    let mut up = PathBuf::new();
    let mut base = base.to_path_buf();
    while base.pop() && base.parent().is_some() {
        up.push("..");
        if let Ok(p) = path.strip_prefix(&base) {
            return up.join(p).display().to_string();
        }
    }
    path.display().to_string()
}

/// Checks up front that `-o path` can be written: not a directory, in an
/// existing directory where a file can be created.
pub fn check(path: Option<&Path>) -> Result<()> {
    let Some(path) = path.filter(|p| !is_stdout(p)) else {
        return Ok(());
    };
    let target = resolve(path)?;
    if is_special(&target) {
        // Written through when the report is ready; whether it can be is
        // the device's (or the FIFO reader's) to say.
        return Ok(());
    }
    if target.is_dir() {
        return Err(UsageError::new(format!(
            "-o {}: is a directory; give -o the path of a file",
            path.display()
        ))
        .into());
    }
    let dir = parent_of(&target);
    tempfile::Builder::new()
        .prefix(".ifacealloc-check-")
        .tempfile_in(dir)
        .map_err(|e| {
            UsageError::new(format!(
                "-o {}: cannot create a file in {}: {e}; give -o a path in an existing, writable directory",
                path.display(),
                dir.display()
            ))
        })?;
    Ok(())
}

/// The file a path names: itself, or a symlink's final target.
fn resolve(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)
                    .with_context(|| format!("reading the symlink {}", p.display()))?;
                p = if link.is_absolute() {
                    link
                } else {
                    parent_of(&p).join(link)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(UsageError::new(format!(
        "-o {}: too many levels of symbolic links; give -o the path of a file",
        path.display()
    ))
    .into())
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Best effort for caches: creates the parent directory and writes `bytes`
/// atomically; a cache that cannot be written only makes the next run slower.
pub fn write_cache(path: &Path, bytes: &[u8]) {
    if let Some(dir) = path.parent() {
        if std::fs::create_dir_all(dir).is_ok() {
            let _ = write_atomic(path, bytes);
        }
    }
}

/// Writes `bytes` to a temporary file beside `path`'s target, then renames it
/// into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = Streamed::open(Some(path))?;
    out.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    out.finish()
}

/// A temporary file beside `target` (the file `path` names) with the mode
/// the target has, or `>` would give a new file.
fn temp_beside(path: &Path, target: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = parent_of(target);
    let existing = std::fs::metadata(target).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ifacealloc-");
    #[cfg(unix)]
    let new_file_mode = {
        use std::os::unix::fs::PermissionsExt;
        // As `>` would create it: 0666 less the umask (the kernel applies it).
        std::fs::Permissions::from_mode(0o666)
    };
    #[cfg(unix)]
    builder.permissions(new_file_mode);
    let tmp = builder.tempfile_in(dir).map_err(|e| {
        UsageError::new(format!(
            "cannot write {}: {e} (in {}); give -o a path in an existing, writable directory",
            path.display(),
            dir.display()
        ))
    })?;
    if let Some(perms) = existing {
        // An existing file keeps its mode.
        tmp.as_file()
            .set_permissions(perms)
            .with_context(|| format!("keeping the mode of {}", target.display()))?;
    }
    Ok(tmp)
}

fn persist(tmp: tempfile::NamedTempFile, target: &Path, path: &Path) -> Result<()> {
    tmp.persist(target).map_err(|e| {
        UsageError::new(format!(
            "cannot write {}: {}; give -o the path of a file",
            path.display(),
            e.error
        ))
    })?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn modes_and_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        // An existing 0644 file stays 0644.
        let f = dir.path().join("report.md");
        std::fs::write(&f, "old").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic(&f, b"new").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"new");
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        // A symlink is written through: the link stays, its target changes.
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink("report.md", &link).unwrap();
        write_atomic(&link, b"through").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&f).unwrap(), b"through");
        // A new file gets the mode `>` would give it (0666 less the umask).
        let n = dir.path().join("new.md");
        write_atomic(&n, b"x").unwrap();
        let shell = dir.path().join("shell.md");
        std::fs::File::create(&shell).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&n), mode(&shell));
        // Checked up front.
        assert!(check(Some(dir.path())).is_err());
        assert!(check(Some(&dir.path().join("missing/dir/x.md"))).is_err());
        assert!(check(Some(&dir.path().join("fine.md"))).is_ok());
        assert!(!dir.path().join("fine.md").exists());
    }

    /// A FIFO and a device node are written through, never replaced by a
    /// regular file (`-o /dev/null` run as root once replaced /dev/null).
    #[test]
    fn fifos_and_devices_are_written_through() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read(fifo).unwrap())
            };
            check(Some(&fifo)).unwrap();
            write_atomic(&fifo, b"through the pipe").unwrap();
            assert_eq!(reader.join().unwrap(), b"through the pipe");
            assert!(std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo());
        } else {
            eprintln!("SKIPPED: no mkfifo");
        }
        // A null device of its own (root only: mknod), never the real one.
        let null = dir.path().join("null");
        let made = std::process::Command::new("mknod")
            .arg(&null)
            .args(["c", "1", "3"])
            .output();
        if made.is_ok_and(|o| o.status.success()) {
            write_atomic(&null, b"gone").unwrap();
            let t = std::fs::symlink_metadata(&null).unwrap().file_type();
            assert!(t.is_char_device(), "{t:?}");
        } else {
            eprintln!("SKIPPED: mknod not permitted (not root)");
        }
        // `-` is stdout, not a file named "-".
        assert!(check(Some(Path::new("-"))).is_ok());
        assert!(is_stdout(Path::new("-")));
    }
}
