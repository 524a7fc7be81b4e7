//! Where a package-reading subcommand (`scan`, `check`) works: `-C DIR`
//! (else the current directory) and its package patterns (else `./...`),
//! checked before any go command runs.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::error::UsageError;

/// The directory and patterns, or a one-line error naming the fix.
pub fn target(
    dir: Option<&Path>,
    patterns: &[String],
    what: &str,
) -> Result<(PathBuf, Vec<String>)> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir()?,
    };
    if !dir.is_dir() {
        return Err(UsageError::new(format!(
            "-C {}: not a directory; give the directory to {what} from",
            dir.display()
        ))
        .into());
    }
    let patterns = if patterns.is_empty() {
        vec!["./...".to_string()]
    } else {
        patterns.to_vec()
    };
    if let Some(p) = patterns.iter().find(|p| p.starts_with('-')) {
        return Err(UsageError::new(format!(
            "{p:?} is not a package pattern; give patterns such as ./... or net/http"
        ))
        .into());
    }
    Ok((dir, patterns))
}
