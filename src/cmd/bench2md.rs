//! `ifacealloc bench2md`: `go test -bench -benchmem` output → markdown table.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::input::Input;
use crate::bench::table;
use crate::cli::error::UsageError;
use crate::cli::output;
use crate::parse::bench::{self, BenchReport};
use crate::report::comparison;

#[derive(Debug, Args)]
pub struct Bench2mdArgs {
    /// Benchmark output to read, plain or `go test -json` (default: stdin).
    /// Two or more (`OLD NEW ...`, each optionally `LABEL=FILE`): compare
    /// them as benchstat does, a column per file.
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// Do not echo standard input before the table (input from FILE is never echoed).
    #[arg(long)]
    pub no_echo: bool,

    /// Write the table to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Comparison: output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: CompareFormat,

    /// Comparison: split results into tables by these keys (benchstat's
    /// -table: .config, .name, .fullname, .file, /KEY, a config key).
    #[arg(long, default_value = ".config", value_name = "KEYS")]
    pub table: String,

    /// Comparison: a row per distinct value of these keys (benchstat's -row).
    #[arg(long, default_value = ".fullname", value_name = "KEYS")]
    pub row: String,

    /// Comparison: a column per distinct value of these keys (benchstat's
    /// -col); the first column is the baseline.
    #[arg(long, default_value = ".file", value_name = "KEYS")]
    pub col: String,

    /// Comparison: significance level of the Mann–Whitney U test.
    #[arg(long, default_value_t = 0.05, value_name = "A")]
    pub alpha: f64,

    /// Comparison: confidence level of the intervals.
    #[arg(long, default_value_t = 0.95, value_name = "C")]
    pub confidence: f64,
}

/// Output format of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    /// GitHub-flavoured markdown, for a pull request comment.
    Markdown,
    Html,
    Json,
    /// CSV exactly as `benchstat -format csv` writes it.
    Csv,
}

pub fn run(args: &Bench2mdArgs) -> Result<()> {
    output::check(args.output.as_deref())?;
    // Two inputs, or a grouping asked for: a comparison.
    let grouped = args.table != ".config" || args.row != ".fullname" || args.col != ".file";
    if args.files.len() >= 2 || grouped {
        return compare(args);
    }
    let file = args.files.first().map(PathBuf::from);
    let input = super::input::open(file.as_deref(), !args.no_echo, "`go test -bench` output")?;
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

/// `bench2md OLD NEW ...`: the runs compared as benchstat compares them.
fn compare(args: &Bench2mdArgs) -> Result<()> {
    let keys = |flag: &str, v: &str| {
        table::Field::parse_list(v)
            .map_err(|e| UsageError::new(format!("bench2md --{flag} {v}: {e}")))
    };
    for (flag, v) in [("alpha", args.alpha), ("confidence", args.confidence)] {
        if !(v > 0.0 && v < 1.0) {
            return Err(UsageError::new(format!(
                "bench2md --{flag} {v}: give a level between 0 and 1, such as 0.05 or 0.95"
            ))
            .into());
        }
    }
    let opts = table::Options {
        table: keys("table", &args.table)?,
        row: keys("row", &args.row)?,
        col: keys("col", &args.col)?,
        confidence: args.confidence,
        alpha: args.alpha,
    };
    if args.files.is_empty() {
        return Err(UsageError::new(
            "bench2md: --table, --row and --col group files: give them, as bench2md OLD NEW",
        )
        .into());
    }
    let inputs = read_inputs(&args.files)?;
    let tables = table::build(&inputs, &opts);
    output::emit(args.output.as_deref(), |out| match args.format {
        CompareFormat::Markdown => comparison::markdown(&tables, out),
        CompareFormat::Html => comparison::html(&tables, out),
        CompareFormat::Json => comparison::json(&tables, out),
        CompareFormat::Csv => comparison::csv(&tables, out),
    })
}

/// Each `[LABEL=]FILE`'s result lines; a file without any is bad input.
fn read_inputs(files: &[String]) -> Result<Vec<table::Input>> {
    let mut inputs = Vec::new();
    for spec in files {
        // benchstat's `label=path`, when the whole is not itself a file.
        let (label, path) = match spec.split_once('=') {
            Some((l, p)) if !std::path::Path::new(spec).exists() => (l.to_string(), p.to_string()),
            _ => (spec.clone(), spec.clone()),
        };
        let path = PathBuf::from(&path);
        if path.is_dir() {
            return Err(UsageError::new(format!(
                "bench2md: {} is a directory; give files of `go test -bench` output",
                path.display()
            ))
            .into());
        }
        let f = std::fs::File::open(&path).map_err(|e| {
            UsageError::new(format!(
                "bench2md: cannot open {}: {e}; give files of `go test -bench` output",
                path.display()
            ))
        })?;
        let (samples, overlong) = bench::read_samples(f)?;
        if samples.joined > 0 {
            eprintln!(
                "bench2md: {}: {} left out: split over two lines by other output, as benchstat leaves them",
                path.display(),
                crate::report::scan::plural(samples.joined, "result")
            );
        }
        if overlong > 0 {
            eprintln!(
                "bench2md: {}: {overlong} line(s) longer than {} bytes were read only in part",
                path.display(),
                crate::parse::lines::MAX_LINE
            );
        }
        if samples.samples.is_empty() {
            return Err(UsageError::new(format!(
                "bench2md: no benchmark results in {}; run `go test -bench . -benchmem -count 10` and save its output",
                path.display()
            ))
            .into());
        }
        inputs.push(table::Input { label, samples });
    }
    Ok(inputs)
}
