//! Bad input: the error that names what the user gave and how to fix it
//! (exit code 2; `go::command::exit_code` decides codes for every error kind).

use std::fmt;

/// The user gave input we cannot act on. Exit code 2; the message says what
/// was wrong and how to fix it, on one line.
#[derive(Debug)]
pub struct UsageError {
    msg: String,
    kind: UsageKind,
}

/// Whether the input is wrong, or past one of ifacealloc's limits (which
/// readers that take over where ifacealloc's own cannot read must not be asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageKind {
    Invalid,
    PastLimit,
}

impl UsageError {
    pub fn new(msg: impl Into<String>) -> UsageError {
        UsageError {
            msg: msg.into(),
            kind: UsageKind::Invalid,
        }
    }

    /// Input past one of ifacealloc's limits.
    pub fn past_limit(msg: impl Into<String>) -> UsageError {
        UsageError {
            msg: msg.into(),
            kind: UsageKind::PastLimit,
        }
    }

    pub fn with_kind(self, kind: UsageKind) -> UsageError {
        UsageError { kind, ..self }
    }

    pub fn message(&self) -> &str {
        &self.msg
    }
}

/// Whether an error chain holds input past one of ifacealloc's limits.
pub fn is_past_limit(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<UsageError>()
            .is_some_and(|u| u.kind == UsageKind::PastLimit)
    })
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for UsageError {}
