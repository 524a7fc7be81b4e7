//! Bad input: the error that names what the user gave and how to fix it
//! (exit code 2; `cmd::exit_code` decides codes for every error kind).

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
