//! `ifacealloc completions SHELL` and `ifacealloc man`: shell completion
//! scripts and a man page, generated from the same clap definitions as the
//! command line itself (clap_complete, clap_mangen), so they never drift.

use std::io::Write;

use anyhow::Result;
use clap::{Args, CommandFactory};

use super::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Writes the completion script for `args.shell` to stdout.
pub fn completions(args: &CompletionsArgs) -> Result<()> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "ifacealloc", &mut out);
    out.flush()?;
    Ok(())
}

/// Writes the man page (roff) to stdout.
pub fn man() -> Result<()> {
    let cmd = Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(())
}
