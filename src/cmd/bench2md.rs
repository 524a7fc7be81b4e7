//! `ifacealloc bench2md`: `go test -bench -benchmem` output → markdown table.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::error::UsageError;
use crate::output;
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

/// Where the output comes from: a mapped file, or a stream (stdin, or a
/// file that cannot be mapped).
enum Input {
    Mapped(crate::mapped::Mapped),
    Stream(Box<dyn Read + Send>),
}

pub fn run(args: &Bench2mdArgs) -> Result<()> {
    output::check(args.output.as_deref())?;
    let input = match &args.file {
        Some(p) => {
            if p.is_dir() {
                return Err(UsageError::new(format!(
                    "{} is a directory; give a file of `go test -bench` output, or pipe it on stdin",
                    p.display()
                ))
                .into());
            }
            let f = std::fs::File::open(p).map_err(|e| {
                UsageError::new(format!(
                    "cannot open {}: {e}; give a file of `go test -bench` output, or pipe it on stdin",
                    p.display()
                ))
            })?;
            match crate::mapped::map(&f, p) {
                Some(mapped) => Input::Mapped(mapped),
                None => Input::Stream(Box::new(f)),
            }
        }
        // Standard input from a file (`< out.txt`) is mapped when not echoed.
        None => match args.no_echo.then(crate::mapped::map_stdin).flatten() {
            Some(mapped) => Input::Mapped(mapped),
            None => Input::Stream(Box::new(std::io::stdin())),
        },
    };
    let echo = args.file.is_none() && !args.no_echo;
    let (report, overlong) = match input {
        Input::Mapped(mapped) => bench::read_mapped(&mapped)?,
        Input::Stream(input) if echo => read_echoing(input)?,
        Input::Stream(input) => bench::read_parallel(input)?,
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
