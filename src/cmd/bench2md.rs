//! `ifacealloc bench2md`: `go test -bench -benchmem` output → markdown table.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::input::Input;
use crate::cli::error::UsageError;
use crate::cli::output;
use crate::parse::bench::{self, BenchReport};

#[derive(Debug, Args)]
pub struct Bench2mdArgs {
    /// Benchmark output to read, plain or `go test -json` (default: stdin).
    pub file: Option<PathBuf>,

    /// Do not echo standard input before the table (input from FILE is never echoed).
    #[arg(long)]
    pub no_echo: bool,

    /// Write the table to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &Bench2mdArgs) -> Result<()> {
    output::check(args.output.as_deref())?;
    let input = super::input::open(
        args.file.as_deref(),
        !args.no_echo,
        "`go test -bench` output",
    )?;
    let echo = matches!(input, Input::Echoed);
    let (report, overlong) = match input {
        Input::Mapped(mapped) => bench::read_mapped(&mapped)?,
        Input::Stream(input) => bench::read_parallel(input)?,
        Input::Echoed => read_echoing(std::io::stdin())?,
    };
    if overlong > 0 {
        eprintln!(
            "bench2md: {overlong} line(s) longer than {} bytes were read only in part",
            crate::parse::lines::MAX_LINE
        );
    }
    if report.skipped > 0 {
        eprintln!(
            "bench2md: skipped {} malformed benchmark line(s)",
            report.skipped
        );
    }
    if report.is_empty() {
        return Err(UsageError::new(
            "bench2md: no benchmark results found in the input; run `go test -bench . -benchmem` and pass its output",
        )
        .into());
    }
    output::emit(args.output.as_deref(), |out| {
        if echo {
            writeln!(out)?;
        }
        report.write_markdown(out)
    })
}

/// Reads on this thread, copying every byte read to stdout as it goes.
fn read_echoing(input: impl Read) -> Result<(BenchReport, u64)> {
    let stdout = std::io::stdout();
    let mut echo_out = stdout.lock();
    let read = bench::read_lines(input, |raw| echo_out.write_all(raw))?;
    echo_out.flush()?;
    Ok(read)
}
