//! `ifacealloc bench2md`: `go test -bench -benchmem` output → markdown table.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::input::Input;
use crate::bench::{budget, explain, table};
use crate::cli::error::UsageError;
use crate::cli::output;
use crate::go::toolchain::Toolchain;
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

    /// Allowed allocs/op, B/op (or any unit) per benchmark: plain text
    /// (`NAME allocs/op=1 B/op=64` per line) or TOML (a `.toml` file). Exit 1
    /// when the newest input passes a limit by a significant increase.
    #[arg(long, value_name = "FILE")]
    pub budget: Option<PathBuf>,

    /// Record the newest input's allocs/op and B/op as a budget in FILE
    /// (TOML when it ends in `.toml`).
    #[arg(long, value_name = "FILE")]
    pub write_budget: Option<PathBuf>,

    /// Say why allocs/op rose: the interface conversions new or worse
    /// between two git revisions (`main..HEAD`; `main..` for the working
    /// tree) or two `scan --format json` reports (`old.json..new.json`), in
    /// the packages each benchmark exercises.
    #[arg(long, value_name = "OLD..NEW")]
    pub explain: Option<String>,

    /// Run from DIR (the module the revisions and packages are in).
    #[arg(short = 'C', value_name = "DIR")]
    pub dir: Option<PathBuf>,
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

pub fn run(args: &Bench2mdArgs, go: Option<&str>) -> Result<i32> {
    output::check(args.output.as_deref())?;
    // Two inputs, a grouping or a budget asked for: a comparison.
    let grouped = args.table != ".config" || args.row != ".fullname" || args.col != ".file";
    let budgeted = args.budget.is_some() || args.write_budget.is_some() || args.explain.is_some();
    if args.files.len() >= 2 || grouped || budgeted {
        return compare(args, go);
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
    })?;
    Ok(0)
}

/// Reads on this thread, copying every byte read to stdout as it goes.
fn read_echoing(input: impl Read) -> Result<(BenchReport, u64)> {
    let stdout = std::io::stdout();
    let mut echo_out = stdout.lock();
    let read = bench::read_lines(input, |raw| echo_out.write_all(raw))?;
    echo_out.flush()?;
    Ok(read)
}

/// `bench2md OLD NEW ...`: the runs compared as benchstat compares them,
/// and judged against a budget when one is given.
fn compare(args: &Bench2mdArgs, go: Option<&str>) -> Result<i32> {
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
            "bench2md: --table, --row, --col and budgets read files: give them, as bench2md OLD NEW",
        )
        .into());
    }
    let limits = match &args.budget {
        Some(p) => read_budget(p)?,
        None => Vec::new(),
    };
    if let Some(p) = &args.write_budget {
        output::check(Some(p))?;
    }
    let source = match &args.explain {
        Some(spec) => Some(
            explain::Source::parse(spec)
                .map_err(|e| UsageError::new(format!("bench2md --explain {e}")))?,
        ),
        None => None,
    };
    let dir = match &args.dir {
        Some(d) if !d.is_dir() => {
            return Err(UsageError::new(format!(
                "-C {}: not a directory; give the module's directory",
                d.display()
            ))
            .into())
        }
        Some(d) => d.clone(),
        None => std::env::current_dir()?,
    };
    let inputs = read_inputs(&args.files)?;
    let tables = table::build(&inputs, &opts);
    let (breaches, unmatched) = budget::judge(&limits, &tables);
    let rises = match &source {
        Some(src) => {
            let tc = Toolchain::resolve(go)?.remove(0);
            explain::explain(&tc, &dir, src, &tables)?
        }
        None => Vec::new(),
    };
    output::emit(args.output.as_deref(), |out| match args.format {
        CompareFormat::Markdown => {
            comparison::markdown(&tables, out)?;
            comparison::budget_markdown(&breaches, out)?;
            comparison::explain_markdown(&rises, out)
        }
        CompareFormat::Html => comparison::html(&tables, out),
        CompareFormat::Json => comparison::json(&tables, &breaches, &rises, out),
        CompareFormat::Csv => comparison::csv(&tables, out),
    })?;
    if args.format != CompareFormat::Markdown {
        for r in &rises {
            for c in &r.causes {
                eprintln!(
                    "bench2md: {} {} {}: {}",
                    r.benchmark,
                    r.unit,
                    r.delta,
                    comparison::cause_text(c)
                );
            }
        }
    }
    if let Some(p) = &args.write_budget {
        let toml_format = p.extension().is_some_and(|e| e == "toml");
        let text = budget::write(&tables, toml_format);
        output::emit(Some(p), |out| Ok(out.write_all(text.as_bytes())?))?;
    }
    let file = args
        .budget
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    for l in unmatched {
        eprintln!(
            "bench2md: {file}{}: no benchmark {} with {} in the newest input",
            if l.line > 0 {
                format!(":{}", l.line)
            } else {
                String::new()
            },
            l.name,
            l.unit
        );
    }
    let mut failed = false;
    for b in &breaches {
        let at = if b.limit.line > 0 {
            format!("{file}:{}", b.limit.line)
        } else {
            file.clone()
        };
        let change = b
            .change
            .as_deref()
            .map(|c| format!(", {c}"))
            .unwrap_or_default();
        let verdict = if b.fails {
            failed = true;
            "over budget"
        } else if b.old.is_some_and(|old| b.new <= old) {
            "over budget already in the baseline (no increase)"
        } else {
            "over budget, but the increase is not significant (more -count runs decide)"
        };
        eprintln!(
            "{at}: {} {} {} > {}{change}: {verdict}",
            b.row,
            b.limit.unit,
            crate::bench::units::go_sprint(b.new),
            crate::bench::units::go_sprint(b.limit.max)
        );
    }
    Ok(i32::from(failed))
}

/// A budget file's limits; a malformed one is bad input naming the line.
fn read_budget(p: &std::path::Path) -> Result<Vec<budget::Limit>> {
    const LIMIT: u64 = 16 << 20;
    let too_big = std::fs::metadata(p)
        .map(|m| m.len() > LIMIT)
        .unwrap_or(false);
    if too_big || p.is_dir() {
        return Err(UsageError::new(format!(
            "bench2md --budget {}: not a budget file (a text or TOML file under 16 MiB)",
            p.display()
        ))
        .into());
    }
    let text = std::fs::read_to_string(p).map_err(|e| {
        UsageError::new(format!(
            "bench2md --budget {}: {e}; give a budget file, or write one with --write-budget",
            p.display()
        ))
    })?;
    let toml_format = p.extension().is_some_and(|e| e == "toml");
    budget::parse(&text, toml_format)
        .map_err(|e| UsageError::new(format!("bench2md --budget {}: {e}", p.display())).into())
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
