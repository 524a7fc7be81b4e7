//! Error kinds that decide the exit code: bad input (2) versus everything else (1).

use std::fmt;

/// The user gave input we cannot act on. Exit code 2; the message says what
/// was wrong and how to fix it, on one line.
#[derive(Debug)]
pub struct UsageError(pub String);

impl UsageError {
    pub fn new(msg: impl Into<String>) -> UsageError {
        UsageError(msg.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A `go` command failed. Shown with the command's own output, exit code 2.
#[derive(Debug)]
pub struct GoCommandFailed {
    pub command: String,
    pub output: String,
}

impl fmt::Display for GoCommandFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` failed:\n{}", self.command, self.output.trim_end())
    }
}

impl std::error::Error for GoCommandFailed {}

/// The exit code for an error chain: 2 for bad input or a failed go command, else 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err
        .chain()
        .any(|e| e.is::<UsageError>() || e.is::<GoCommandFailed>())
    {
        2
    } else {
        1
    }
}
