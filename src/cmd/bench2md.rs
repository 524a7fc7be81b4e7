//! `ifacealloc bench2md`: `go test -bench -benchmem` output → markdown table.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::error::UsageError;
use crate::output;
use crate::parse::bench::BenchParser;

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
    let (input, echo): (Box<dyn Read>, bool) = match &args.file {
        Some(p) => {
            let f = std::fs::File::open(p).map_err(|e| {
                UsageError::new(format!(
                    "cannot open {}: {e}; give a file of `go test -bench` output, or pipe it on stdin",
                    p.display()
                ))
            })?;
            (Box::new(f), false)
        }
        None => (Box::new(std::io::stdin().lock()), !args.no_echo),
    };
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut parser = BenchParser::new();
    let mut line = Vec::new();
    let stdout = std::io::stdout();
    let mut echo_out = stdout.lock();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .context("reading benchmark output")?;
        if n == 0 {
            break;
        }
        if echo {
            echo_out.write_all(&line).context("echoing input")?;
        }
        parser.feed_line(&line);
    }
    echo_out.flush()?;
    drop(echo_out);
    let report = parser.finish();
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
