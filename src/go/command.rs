//! A `go` command that failed: its command line and output, shown with the
//! compiler's and linker's own error lines first.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::parse::diag;

/// A `go` command failed. Shown with the command's own output, exit code 2.
#[derive(Debug)]
pub struct GoCommandFailed {
    pub command: String,
    pub output: String,
}

/// Set by `--verbose`: show a failed command's whole output.
pub static VERBOSE: AtomicBool = AtomicBool::new(false);

/// How many lines of a failed command's output are shown without `--verbose`.
const SHOWN_LINES: usize = 40;

impl fmt::Display for GoCommandFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let output = self.output.trim_end();
        let lines: Vec<&str> = output.lines().collect();
        if VERBOSE.load(Ordering::Relaxed) || lines.len() <= SHOWN_LINES {
            return write!(f, "`{}` failed:\n{output}", self.command);
        }
        // The compiler's and linker's own error lines first, then the rest,
        // up to SHOWN_LINES in all.
        // Listing lines are indented; the tools' own messages are not.
        let is_error = |l: &&str| {
            !l.starts_with([' ', '\t'])
                && (diag::parse(l).is_some_and(|d| !diag::is_optimization_note(&d.msg))
                    || l.contains("error")
                    || l.contains("invalid")
                    || l.starts_with("flag provided but not defined")
                    || l.starts_with("fatal")
                    || l.starts_with("panic")
                    || l.contains("too much data")
                    || l.starts_with("# "))
        };
        let mut shown: Vec<&str> = lines
            .iter()
            .copied()
            .filter(is_error)
            .take(SHOWN_LINES)
            .collect();
        if shown.is_empty() {
            shown = lines.iter().take(SHOWN_LINES).copied().collect();
        }
        write!(
            f,
            "`{}` failed:\n{}\n({} more lines of output; --verbose shows them all)",
            self.command,
            shown.join("\n"),
            lines.len() - shown.len()
        )
    }
}

impl std::error::Error for GoCommandFailed {}

impl GoCommandFailed {
    /// A failed build: its command line and the compiler's own error lines
    /// from its output (the `-S` listing and `-m` notes left out).
    pub fn build(args: &[&str], stderr: &[u8]) -> GoCommandFailed {
        GoCommandFailed {
            command: format!("go {}", args.join(" ")),
            output: diag::compiler_errors(&String::from_utf8_lossy(stderr)),
        }
    }
}

/// The exit code for an error chain: 2 for bad input or a failed go command,
/// else 1. Here, the lowest layer that knows both error kinds.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err
        .chain()
        .any(|e| e.is::<crate::cli::error::UsageError>() || e.is::<GoCommandFailed>())
    {
        2
    } else {
        1
    }
}
