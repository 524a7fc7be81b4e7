//! `ifacealloc lem`: check `lem.<ID>.<key>=` annotations in Go packages.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::cli::error::UsageError;
use crate::cli::output;
use crate::go::toolchain::Toolchain;
use crate::lem::{self, Options, Report};
use crate::report::xml_escape as xml;

#[derive(Debug, Args)]
pub struct LemArgs {
    /// Directories or package patterns (default: .).
    #[arg(value_name = "DIR|PACKAGE")]
    pub packages: Vec<String>,

    /// Run in DIR instead of the current directory.
    #[arg(short = 'C', value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Extra compiler flags, added after -m (e.g. "-l" to disable inlining).
    #[arg(long, value_name = "FLAGS", allow_hyphen_values = true)]
    pub gcflags: Option<String>,

    /// Only the cases whose ID matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub run: Option<String>,

    /// Measure each benchmark N times; every run must meet the expectation.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub count: u32,

    /// Benchmark time per measurement, as go test's -benchtime (e.g. 1s, 1000x).
    /// Default: what the package sets with lem.SetBenchtime, else up to 10000
    /// iterations per case, fewer for slow cases (about half a second each).
    #[arg(long)]
    pub benchtime: Option<String>,

    /// How long one package's build and measurements may take, as go test's
    /// -timeout (e.g. 90s, 10m); a benchmark still running then is named, exit 2.
    #[arg(long, default_value = "10m", value_name = "DURATION")]
    pub timeout: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = LemFormat::Text)]
    pub format: LemFormat,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LemFormat {
    Text,
    Json,
    Junit,
    /// A self-contained HTML report.
    Html,
}

pub fn run(args: &LemArgs, go: Option<&str>) -> Result<i32> {
    output::check(args.output.as_deref())?;
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir()?,
    };
    if !dir.is_dir() {
        return Err(UsageError::new(format!(
            "-C {}: not a directory; give the directory to run in",
            dir.display()
        ))
        .into());
    }
    let run = match &args.run {
        Some(r) => Some(regex::Regex::new(r).map_err(|e| {
            UsageError::new(format!(
                "--run {r:?}: not a regular expression: {}",
                lem::regex_error(&e)
            ))
        })?),
        None => None,
    };
    if let Some(b) = args
        .benchtime
        .as_deref()
        .filter(|b| !lem::valid_benchtime(b))
    {
        return Err(UsageError::new(format!(
            "--benchtime {b:?}: use a duration like 1s or a count like 10000x"
        ))
        .into());
    }
    let patterns = if args.packages.is_empty() {
        vec![".".to_string()]
    } else {
        args.packages.clone()
    };
    // A path (not an import path or pattern) that does not exist is named,
    // rather than the folder lem runs in.
    for p in &patterns {
        let is_path = p.starts_with(['.', '/']) && !p.contains("...");
        if is_path && !dir.join(p).exists() {
            return Err(UsageError::new(format!(
                "{p}: no such directory; give a package directory or pattern such as ./..."
            ))
            .into());
        }
    }
    let timeout = lem::parse_duration(&args.timeout).ok_or_else(|| {
        UsageError::new(format!(
            "--timeout {:?}: use a duration like 90s, 10m or 1h30m",
            crate::model::typedefs::clip(&args.timeout)
        ))
    })?;
    let tcs = Toolchain::resolve(go)?;
    let opts = Options {
        timeout,
        gcflags: args
            .gcflags
            .as_deref()
            .map(|g| g.split_whitespace().map(String::from).collect())
            .unwrap_or_default(),
        run,
        count: args.count,
        benchtime: args.benchtime.clone(),
    };
    if tcs.len() > 1 {
        let mut reports = Vec::new();
        for tc in &tcs {
            let r = lem::run(tc, &dir, &patterns, &opts)?;
            for w in &r.warnings {
                eprintln!("warning ({}): {w}", r.go_version);
            }
            reports.push(r);
        }
        output::emit(args.output.as_deref(), |out| match args.format {
            LemFormat::Text => write_versions(&reports, out),
            LemFormat::Json => {
                serde_json::to_writer_pretty(
                    &mut *out,
                    &serde_json::json!({ "versions": reports }),
                )?;
                writeln!(out)?;
                Ok(())
            }
            LemFormat::Junit => {
                // One testsuite per (version, package).
                let mut merged = Report::default();
                for r in &reports {
                    merged.cases.extend(r.cases.iter().map(|c| {
                        let mut c = c.clone();
                        c.package = format!("{} {}", r.go_version, c.package);
                        c
                    }));
                }
                merged.go_version = reports
                    .iter()
                    .map(|r| r.go_version.clone())
                    .collect::<Vec<_>>()
                    .join(",");
                merged.goarch = reports[0].goarch.clone();
                write_junit(&merged, out)
            }
            LemFormat::Html => {
                out.write_all(crate::report::html::lem(&reports)?.as_bytes())?;
                Ok(())
            }
        })?;
        return Ok(i32::from(reports.iter().any(|r| r.failed() > 0)));
    }
    let report = lem::run(&tcs[0], &dir, &patterns, &opts)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    output::emit(args.output.as_deref(), |out| match args.format {
        LemFormat::Text => write_text(&report, out),
        LemFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)?;
            Ok(())
        }
        LemFormat::Junit => write_junit(&report, out),
        LemFormat::Html => {
            out.write_all(crate::report::html::lem(std::slice::from_ref(&report))?.as_bytes())?;
            Ok(())
        }
    })?;
    Ok(if report.failed() > 0 { 1 } else { 0 })
}

/// Several versions: each version's summary, the claims whose verdict or
/// measurement differs between versions (with every version's figures and
/// failures), then the total.
pub fn write_versions(rs: &[Report], out: &mut dyn Write) -> Result<()> {
    for r in rs {
        writeln!(
            out,
            "{}: {} passed, {} failed",
            r.go_version,
            r.passed(),
            r.failed()
        )?;
    }
    let mut keys: Vec<(&str, &str)> = rs
        .iter()
        .flat_map(|r| r.cases.iter().map(|c| (c.package.as_str(), c.id.as_str())))
        .collect();
    keys.sort();
    keys.dedup();
    let mut differing = 0;
    for (pkg, id) in &keys {
        let per: Vec<Option<&lem::CaseReport>> = rs
            .iter()
            .map(|r| r.cases.iter().find(|c| c.package == *pkg && c.id == *id))
            .collect();
        let verdicts: Vec<Option<bool>> = per.iter().map(|c| c.map(|c| c.passed)).collect();
        // A claim with per-version keys passes everywhere, yet what it
        // measured changed: that is a difference worth showing too.
        let measured: Vec<Option<(f64, f64)>> = per
            .iter()
            .map(|c| c.and_then(|c| c.measured.first().copied()))
            .collect();
        if verdicts.windows(2).all(|w| w[0] == w[1]) && measured.windows(2).all(|w| w[0] == w[1]) {
            continue;
        }
        if differing == 0 {
            writeln!(out, "\ndiffers between versions:")?;
        }
        differing += 1;
        let name = per
            .iter()
            .flatten()
            .next()
            .map(|c| c.name.as_str())
            .unwrap_or(id);
        writeln!(out, "  {id} {}", if name == *id { "" } else { name })?;
        for (r, c) in rs.iter().zip(&per) {
            match c {
                None => writeln!(out, "    {}: not run", r.go_version)?,
                Some(c) if c.passed => writeln!(out, "    {}: PASS{}", r.go_version, figures(c))?,
                Some(c) => {
                    writeln!(out, "    {}: FAIL{}", r.go_version, figures(c))?;
                    for f in &c.failures {
                        writeln!(out, "      {f}")?;
                    }
                }
            }
        }
    }
    if differing == 0 {
        writeln!(
            out,
            "\nevery claim has the same verdict and measurement on every version"
        )?;
    }
    let passed: usize = rs.iter().map(Report::passed).sum();
    let failed: usize = rs.iter().map(Report::failed).sum();
    writeln!(out, "{passed} passed, {failed} failed")?;
    Ok(())
}

/// `, 1 allocs/op, 8 B/op`: what a case's first run measured.
fn figures(c: &lem::CaseReport) -> String {
    match c.measured.first() {
        Some((a, b)) => format!(
            ", {} allocs/op, {} B/op",
            crate::matrix::results::fmt_num(*a),
            crate::matrix::results::fmt_num(*b)
        ),
        None => String::new(),
    }
}

/// The go-test-like text report: PASS/FAIL lines, then `N passed, M failed`.
pub fn write_text(r: &Report, out: &mut dyn Write) -> Result<()> {
    for c in &r.cases {
        let status = if c.passed { "PASS" } else { "FAIL" };
        if c.name == c.id {
            writeln!(out, "{status} {}", c.id)?;
        } else {
            writeln!(out, "{status} {} {}", c.id, c.name)?;
        }
        for f in &c.failures {
            writeln!(out, "    {f}")?;
        }
    }
    writeln!(out, "{} passed, {} failed", r.passed(), r.failed())?;
    Ok(())
}

fn write_junit(r: &Report, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"ifacealloc lem\" tests=\"{}\" failures=\"{}\">",
        r.cases.len(),
        r.failed()
    )?;
    let mut pkgs: Vec<&str> = r.cases.iter().map(|c| c.package.as_str()).collect();
    pkgs.dedup();
    for pkg in pkgs {
        let cases: Vec<_> = r.cases.iter().filter(|c| c.package == pkg).collect();
        let failures = cases.iter().filter(|c| !c.passed).count();
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
            xml(pkg),
            cases.len()
        )?;
        writeln!(
            out,
            "    <properties><property name=\"go\" value=\"{}\"/><property name=\"goarch\" value=\"{}\"/></properties>",
            xml(&r.go_version),
            xml(&r.goarch)
        )?;
        for c in cases {
            let name = if c.name == c.id {
                c.id.clone()
            } else {
                format!("{}: {}", c.id, c.name)
            };
            if c.passed {
                writeln!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\"/>",
                    xml(pkg),
                    xml(&name)
                )?;
            } else {
                writeln!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\">",
                    xml(pkg),
                    xml(&name)
                )?;
                writeln!(
                    out,
                    "      <failure message=\"{}\">{}</failure>",
                    xml(c.failures.first().map(String::as_str).unwrap_or("failed")),
                    xml(&c.failures.join("\n"))
                )?;
                writeln!(out, "    </testcase>")?;
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")?;
    Ok(())
}
