//! `ifacealloc check [PATTERNS]`: `//ifacealloc:noalloc` and
//! `//ifacealloc:noifacealloc` directives against the compiled code.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::check::{self, Directive, Failure, Options, Outcome, Reason, Status, Target};
use crate::cli::error::UsageError;
use crate::cli::output;
use crate::go::toolchain::Toolchain;
use crate::lem;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Package patterns (default ./...).
    pub patterns: Vec<String>,

    /// Run from DIR instead of the current directory.
    #[arg(short = 'C', value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,

    /// Calls that may allocate (append growth, map assignment) are listed but
    /// do not violate a directive.
    #[arg(long)]
    pub allow_may: bool,

    /// Read the packages' test files too (compiled as `go test -c` does).
    #[arg(long)]
    pub tests: bool,

    /// Build tags, as `go build -tags` takes them.
    #[arg(long, value_name = "TAG,...", value_delimiter = ',')]
    pub tags: Vec<String>,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Check only the packages of part K of N (`1/4`): a stable split by
    /// import path, for a CI matrix; `--merge` joins the parts' JSON.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<super::shard::Shard>,

    /// Join the JSON reports of `--shard` runs (one Go version each) into
    /// the report one run of all the packages writes; nothing is checked.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with = "shard")]
    pub merge: Vec<PathBuf>,
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Go's `file:line: message`, one line per violation.
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, a test case per directive.
    Junit,
}

pub fn run(args: &CheckArgs, go: Option<&str>) -> Result<i32> {
    output::check(args.output.as_deref())?;
    if !args.merge.is_empty() {
        return merge(args);
    }
    let (dir, patterns) = super::packages::target(args.dir.as_deref(), &args.patterns, "check")?;
    let tcs = Toolchain::resolve(go)?;
    let mut report_only = None;
    let mut lem_patterns = None;
    if let Some(shard) = args.shard {
        let part: Vec<String> =
            super::shard::packages(&tcs[0], &dir, &patterns, &args.tags, shard)?
                .into_iter()
                .map(|(path, _)| path)
                .collect();
        let empty = part.is_empty();
        lem_patterns = Some(part.clone());
        report_only = Some(part.into_iter().collect());
        if empty {
            eprintln!("check: shard {}/{} holds no package", shard.k, shard.n);
            output::emit(args.output.as_deref(), |out| {
                if args.format == CheckFormat::Json {
                    writeln!(out, "[]")?;
                }
                Ok(())
            })?;
            return Ok(0);
        }
    }
    let opts = Options {
        allow_may: args.allow_may,
        tags: args.tags.clone(),
        tests: args.tests,
        report_only,
    };
    // Each version's verdicts: a directive can hold on one and not another.
    let mut runs: Vec<(&Toolchain, Vec<Outcome>)> = Vec::new();
    for tc in &tcs {
        let mut outcomes = check::check(tc, &dir, &patterns, &opts)?;
        add_site_facts(tc, &dir, &patterns, &opts, &mut outcomes);
        let lem_patterns = lem_patterns.as_ref().unwrap_or(&patterns);
        if !lem_patterns.is_empty() {
            outcomes.extend(lem_claims(tc, &dir, lem_patterns)?);
        }
        runs.push((tc, outcomes));
    }
    let several = runs.len() > 1;
    output::emit(args.output.as_deref(), |out| match args.format {
        CheckFormat::Json if !several => {
            serde_json::to_writer_pretty(&mut *out, &runs[0].1)?;
            writeln!(out)?;
            Ok(())
        }
        CheckFormat::Json => {
            let by_version: serde_json::Map<String, serde_json::Value> = runs
                .iter()
                .map(|(tc, o)| Ok((tc.goversion.clone(), serde_json::to_value(o)?)))
                .collect::<Result<_>>()?;
            let versions: Vec<&str> = runs.iter().map(|(tc, _)| tc.goversion.as_str()).collect();
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({ "versions": versions, "outcomes": by_version }),
            )?;
            writeln!(out)?;
            Ok(())
        }
        CheckFormat::Text => {
            for (tc, outcomes) in &runs {
                write_text(outcomes, tc, several, out)?;
            }
            Ok(())
        }
        CheckFormat::Sarif => crate::report::check::sarif(&by_name(&runs), &dir, out),
        CheckFormat::Junit => crate::report::check::junit(&by_name(&runs), out),
    })?;
    let mut violated = false;
    for (tc, outcomes) in &runs {
        let count = |s: Status| outcomes.iter().filter(|o| o.status == s).count();
        violated |= count(Status::Violated) > 0;
        eprintln!(
            "check: {} on {}: {} held, {} violated, {} not compiled",
            crate::report::scan::plural(outcomes.len(), "directive"),
            tc.goversion,
            count(Status::Held),
            count(Status::Violated),
            count(Status::NotCompiled) + count(Status::Removed)
        );
    }
    Ok(i32::from(violated))
}

/// Gives each conversion that violates a directive scan's facts on it (the
/// type, bytes and why), joined by file, line and routine. Scanning is a
/// second compile, so it runs only when there is such a conversion; if it
/// fails the facts stay unknown and a warning says why.
fn add_site_facts(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    opts: &Options,
    outcomes: &mut [Outcome],
) {
    let wanted = |v: &check::Violation| v.kind == check::AllocKind::Conversion;
    if !outcomes.iter().flat_map(|o| &o.violations).any(wanted) {
        return;
    }
    let scan_opts = crate::scan::Options {
        tests: opts.tests,
        deps: false,
        tags: opts.tags.clone(),
        report_only: opts.report_only.clone(),
        report_dirs: None,
    };
    let (sites, root) = match crate::scan::scan(tc, dir, patterns, &scan_opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("warning: check: the conversions' bytes and why are unknown: {e:#}");
            return;
        }
    };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let sites: Vec<(PathBuf, &crate::scan::Site)> = sites
        .iter()
        .map(|s| (canon(&root.join(&s.file)), s))
        .collect();
    for v in outcomes.iter_mut().flat_map(|o| &mut o.violations) {
        if !wanted(v) {
            continue;
        }
        let routine = v.call.strip_prefix("runtime.").unwrap_or(&v.call);
        let at = canon(&v.abs_file);
        let site = sites.iter().find(|(f, s)| {
            *f == at && s.line == v.line && s.routine.runtime_func() == Some(routine)
        });
        if let Some((_, s)) = site {
            v.type_name = Some(s.type_name.clone());
            v.bytes = Some(s.bytes);
            v.why = s.why.clone();
        }
    }
}

/// `--merge`: the shards' outcomes in one report, ordered as a run of all
/// the packages orders them: directives by place, then lem's cases by place.
fn merge(args: &CheckArgs) -> Result<i32> {
    if args.format != CheckFormat::Json {
        return Err(UsageError::new(
            "check --merge joins JSON reports into one: add --format json",
        )
        .into());
    }
    let key = |v: &serde_json::Value| {
        (
            v["directive"] == "lem",
            v["file"].as_str().unwrap_or_default().to_string(),
            v["line"].as_u64().unwrap_or(0),
        )
    };
    let mut violated = false;
    output::emit(args.output.as_deref(), |out| {
        let is_violated = |o: &serde_json::Value| o["status"] == "violated";
        violated = super::shard::merge(&args.merge, "ifacealloc check", key, is_violated, out)?;
        Ok(())
    })?;
    Ok(i32::from(violated))
}

/// lem's claims in the packages (`lem.ID.m=`, `alloc=`, `bytes=` in their
/// test files), judged by `lem` as `ifacealloc lem` judges them: a case per
/// ID, held when every claim that applies to this Go version holds.
fn lem_claims(tc: &Toolchain, dir: &Path, patterns: &[String]) -> Result<Vec<Outcome>> {
    let opts = lem::Options {
        gcflags: Vec::new(),
        run: None,
        count: 1,
        benchtime: None,
        timeout: std::time::Duration::from_secs(600),
    };
    let report = lem::run(tc, dir, patterns, &opts)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let rel = |p: &Path| check::relative(p, dir);
    let mut outcomes: Vec<Outcome> = report
        .cases
        .iter()
        .map(|c| Outcome {
            abs_file: c.at.0.clone(),
            file: rel(&c.at.0),
            line: c.at.1,
            function: c.id.clone(),
            directive: Directive::Lem,
            on: Target::Case,
            status: if c.passed {
                Status::Held
            } else {
                Status::Violated
            },
            violations: Vec::new(),
            failures: c
                .located
                .iter()
                .map(|(file, line, what)| Failure {
                    abs_file: file.clone(),
                    file: rel(file),
                    line: *line,
                    column: 0,
                    reason: Reason::Claim,
                    message: what.clone(),
                    source: String::new(),
                })
                .collect(),
        })
        .collect();
    outcomes.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(outcomes)
}

/// Each run named by its Go version.
fn by_name(runs: &[(&Toolchain, Vec<Outcome>)]) -> Vec<(String, Vec<Outcome>)> {
    runs.iter()
        .map(|(tc, o)| (tc.goversion.clone(), o.clone()))
        .collect()
}

/// One line per forbidden call, in Go's `file:line: message` form, and one
/// per directive on code the build did not compile.
fn write_text(
    outcomes: &[Outcome],
    tc: &Toolchain,
    several: bool,
    out: &mut dyn Write,
) -> Result<()> {
    // With several Go versions, each line says which one it is about.
    let on = if several {
        format!("{}: ", tc.goversion)
    } else {
        String::new()
    };
    // Sorted by place, as go vet prints: a declaration's `inline` fails at
    // its calls, wherever they are.
    let mut lines: Vec<((&str, u32, u32), String)> = Vec::new();
    for o in outcomes {
        match o.status {
            Status::NotCompiled | Status::Removed => lines.push((
                (o.file.as_str(), o.line, 0),
                format!(
                    "{}:{}: {on}{} {}: {}",
                    o.file,
                    o.line,
                    o.label(),
                    o.function,
                    o.not_compiled_reason(&tc.goos, &tc.goarch)
                ),
            )),
            Status::Held if o.violations.is_empty() => {}
            _ => {
                for f in o.findings() {
                    let col = f.column.map(|c| format!(":{c}")).unwrap_or_default();
                    lines.push((
                        (f.file, f.line, f.column.unwrap_or(0)),
                        format!(
                            "{}:{}{col}: {on}{} {}: {}",
                            f.file,
                            f.line,
                            o.label(),
                            o.function,
                            f.text
                        ),
                    ));
                }
            }
        }
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, l) in lines {
        writeln!(out, "{l}")?;
    }
    Ok(())
}
