//! The input a parsing subcommand (`asm2md`, `bench2md`) reads: a named file
//! (mapped when it can be), or standard input. A directory or a file that
//! cannot be opened is the user's to fix (exit 2); that decision is made here,
//! at the command layer, so `mapped` stays a plain reader.

use std::fs::File;
use std::path::Path;

use crate::cli::error::UsageError;
use crate::parse::mapped;

/// Where a parser's input comes from.
pub enum Input {
    /// A file named on the command line, or standard input redirected from
    /// one and not echoed: mapped.
    Mapped(mapped::Mapped),
    /// A stream to read on every core: a file that cannot be mapped, or
    /// piped standard input that is not echoed.
    Stream(Box<dyn std::io::Read + Send>),
    /// Standard input, to be echoed to stdout as it is read.
    Echoed,
}

/// The input `file` names, or standard input (echoed when `echo`). A
/// directory or a file that cannot be opened is a usage error that says to
/// give a file of `what` (e.g. "`go test -bench` output").
pub fn open(file: Option<&Path>, echo: bool, what: &str) -> anyhow::Result<Input> {
    let Some(p) = file else {
        if echo {
            return Ok(Input::Echoed);
        }
        return Ok(match mapped::map_stdin() {
            Some(m) => Input::Mapped(m),
            None => Input::Stream(Box::new(std::io::stdin())),
        });
    };
    if p.is_dir() {
        return Err(UsageError::new(format!(
            "{} is a directory; give a file of {what}, or pipe it on stdin",
            p.display()
        ))
        .into());
    }
    let f = File::open(p).map_err(|e| {
        UsageError::new(format!(
            "cannot open {}: {e}; give a file of {what}, or pipe it on stdin",
            p.display()
        ))
    })?;
    Ok(match mapped::map(&f, p) {
        Some(m) => Input::Mapped(m),
        None => Input::Stream(Box::new(f)),
    })
}
