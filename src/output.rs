//! Writing reports: to stdout, or atomically to a file (temp file + rename), so
//! a failure never leaves half a report behind.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Renders with `render` and writes the bytes to `path` atomically, or to stdout.
pub fn emit(path: Option<&Path>, render: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
    let mut buf = Vec::new();
    render(&mut buf)?;
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&buf).context("writing to stdout")?;
            out.flush().context("writing to stdout")
        }
        Some(p) => write_atomic(p, &buf),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| {
        crate::error::UsageError::new(format!(
            "cannot write {}: {e} (in {}); give -o a path in an existing, writable directory",
            path.display(),
            dir.display()
        ))
    })?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path).map_err(|e| {
        crate::error::UsageError::new(format!(
            "cannot write {}: {}; give -o the path of a file",
            path.display(),
            e.error
        ))
    })?;
    Ok(())
}
