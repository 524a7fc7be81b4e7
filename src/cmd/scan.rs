//! `ifacealloc scan`: list a codebase's interface conversions and their cost.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::cli::error::UsageError;
use crate::cli::output;
use crate::go::toolchain::Toolchain;
use crate::report::scan::{self as report, ScanFormat};
use crate::scan::{self, Options, Verdict};

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Package patterns (default: ./...).
    #[arg(value_name = "PATTERN")]
    pub patterns: Vec<String>,

    /// Run in DIR instead of the current directory.
    #[arg(short = 'C', value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Include test files.
    #[arg(long)]
    pub tests: bool,

    /// Also compile dependencies with the diagnostics (evidence for code inlined from them).
    #[arg(long)]
    pub deps: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,

    /// Only sites at least this bad.
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub min_verdict: Option<Verdict>,

    /// Exit 1 when a site at least this bad exists (for CI).
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub fail_on: Option<Verdict>,

    /// Order sites by bytes per allocation, largest first (default: by file and line).
    #[arg(long, value_enum, default_value = "file")]
    pub sort: SortBy,

    /// Text: group sites under a heading per file (the default on a terminal).
    #[arg(long, overrides_with = "no_heading")]
    pub heading: bool,

    /// Text: one `path/file.go:LINE:COL: ...` line per site, as Go's tools
    /// print (the default when piped or written to a file).
    #[arg(long, overrides_with = "heading")]
    pub no_heading: bool,

    /// Report only sites that are new or worse than in FILE, an earlier
    /// `scan --format json` (matched by function, type and expression, not line).
    #[arg(long, value_name = "FILE", conflicts_with = "new_from_rev")]
    pub baseline: Option<PathBuf>,

    /// Like --baseline, against the same scan of a git revision (checked out
    /// in a temporary worktree).
    #[arg(long, value_name = "REV")]
    pub new_from_rev: Option<String>,

    /// A pprof memory profile (`go test -memprofile`, /debug/pprof/allocs):
    /// each site gets the bytes and allocations the profile attributes to it,
    /// and sites are ordered by them.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// The binary that wrote --profile (default: the one its mapping names,
    /// or a file of that name beside the profile or here, such as the
    /// `pkg.test` that `go test -memprofile` leaves): each allocation is
    /// joined to the call that made it, so a line's other allocations do not
    /// count for its conversion.
    #[arg(long, value_name = "FILE", requires = "profile")]
    pub profile_binary: Option<PathBuf>,

    /// Compile the packages for this GOARCH (e.g. 386, arm64) instead of the
    /// toolchain's own: layouts, routines and bytes as that target has them.
    #[arg(long, value_name = "GOARCH")]
    pub arch: Option<String>,

    /// Build tags, as `go build -tags` takes them (they override a -tags in GOFLAGS).
    #[arg(long, value_name = "TAG,...", value_delimiter = ',')]
    pub tags: Vec<String>,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Scan only the packages of part K of N (`1/4`): a stable split by
    /// import path, for a CI matrix; `--merge` joins the parts' JSON.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<super::shard::Shard>,

    /// Join the JSON reports of `--shard` runs into the report one run of
    /// all the packages writes (with --format json); nothing is scanned.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["shard", "baseline", "new_from_rev", "profile"])]
    pub merge: Vec<PathBuf>,

    /// Classify N packages at a time (default 16), writing the report a
    /// site at a time, so that memory follows N, not the codebase: one
    /// compile, its evidence kept on disk per batch. `all` holds every
    /// package at once, as --sort bytes, --profile, --baseline,
    /// --new-from-rev, --format html and several --go versions do. The
    /// report is the same either way.
    #[arg(long, value_name = "N|all", conflicts_with_all = ["baseline", "new_from_rev", "profile", "merge"])]
    pub batch_packages: Option<Batching>,
}

/// How many packages `scan` classifies at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batching {
    /// Every package at once.
    All,
    Of(std::num::NonZeroUsize),
}

impl Batching {
    /// Batches of 16: a few MiB of evidence at a time on std's largest
    /// packages; the time is one scan's (docs/scale.md).
    pub const DEFAULT: Batching = Batching::Of(std::num::NonZeroUsize::new(16).unwrap());
}

impl std::str::FromStr for Batching {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Batching, String> {
        if s == "all" {
            return Ok(Batching::All);
        }
        s.parse::<std::num::NonZeroUsize>()
            .map(Batching::Of)
            .map_err(|_| format!("{s:?} is not a number of packages (1 or more) or `all`"))
    }
}

/// The order of `scan`'s sites (`--profile` orders by the profile's bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortBy {
    /// By file, line and column.
    File,
    /// By bytes per allocation, largest first.
    Bytes,
}

pub fn run(args: &ScanArgs, go: Option<&str>) -> Result<i32> {
    output::check(args.output.as_deref())?;
    if !args.merge.is_empty() {
        return merge(args);
    }
    let (dir, patterns) = super::packages::target(args.dir.as_deref(), &args.patterns, "scan")?;
    let mut tcs = Toolchain::resolve(go)?;
    if let Some(a) = &args.arch {
        tcs = tcs
            .iter()
            .map(|t| t.targeting(a))
            .collect::<Result<Vec<_>>>()
            .map_err(|e| UsageError::new(format!("--arch: {e}")))?;
    }
    if tcs.len() > 1
        && (args.baseline.is_some() || args.new_from_rev.is_some() || args.profile.is_some())
    {
        return Err(UsageError::new(
            "--baseline, --new-from-rev and --profile work on one Go version's scan; give --go one version",
        )
        .into());
    }
    if tcs.len() > 1 && matches!(args.format, ScanFormat::Sarif | ScanFormat::Html) {
        return Err(UsageError::new(
            "--format sarif and html describe one Go version; give --go one version, or use --format json or text",
        )
        .into());
    }
    let mut opts = Options {
        tests: args.tests,
        deps: args.deps,
        tags: args.tags.clone(),
        report_only: None,
        report_dirs: None,
    };
    if tcs.len() > 1 {
        return run_versions(args, &tcs, &dir, &patterns, &opts);
    }
    let tc = &tcs[0];
    // Classified a batch at a time unless the report needs every site at
    // once (an order other than the files', a baseline, a profile, HTML).
    let whole_report_needed = args.format == ScanFormat::Html
        || args.sort != SortBy::File
        || args.profile.is_some()
        || args.baseline.is_some()
        || args.new_from_rev.is_some();
    let batching = match args.batch_packages {
        Some(Batching::Of(_)) if whole_report_needed => {
            return Err(UsageError::new(
                "--batch-packages writes the report a site at a time in file order: use --format text, json, markdown or sarif, without --sort bytes",
            )
            .into())
        }
        Some(b) => b,
        None if whole_report_needed => Batching::All,
        None => Batching::DEFAULT,
    };
    // The packages this run reports: a shard's, or every one (batched).
    let mut reported: Option<Vec<(String, std::path::PathBuf)>> = None;
    if let Some(shard) = args.shard {
        let part = super::shard::packages(tc, &dir, &patterns, &args.tags, shard)?;
        if part.is_empty() {
            eprintln!("scan: shard {}/{} holds no package", shard.k, shard.n);
            output::emit(args.output.as_deref(), |out| {
                report::write(args.format, &[], out)
            })?;
            return Ok(0);
        }
        opts.report_only = Some(part.iter().map(|(path, _)| path.clone()).collect());
        opts.report_dirs = Some(part.iter().map(|(_, dir)| dir.clone()).collect());
        reported = Some(part);
    }
    if let Batching::Of(n) = batching {
        let packages = match reported {
            Some(p) => p,
            None => super::shard::list(tc, &dir, &patterns, &args.tags)?
                .into_iter()
                .map(|p| (p.import_path, p.dir))
                .collect(),
        };
        return batched(args, tc, &dir, &patterns, &opts, &packages, n.get());
    }
    // Read before the scan: a bad file fails before the build.
    let profiled = match &args.profile {
        Some(p) => Some(scan::profile::read(p)?),
        None => None,
    };
    let known = match (&args.baseline, &args.new_from_rev) {
        (Some(b), _) => Some(scan::baseline::read(b)?),
        (None, Some(rev)) => Some(scan::baseline::at_revision(
            tc, &dir, rev, &patterns, &opts,
        )?),
        _ => None,
    };
    let (mut sites, _root) = scan::scan(tc, &dir, &patterns, &opts)?;
    if let Some(known) = &known {
        sites = keep_new_or_worse(sites, known);
    }
    if let Some(min) = args.min_verdict {
        sites.retain(|s| s.verdict >= min);
    }
    if let Some(attributed) = profiled {
        join_profile(args, tc, &dir, &mut sites, attributed)?;
    } else if args.sort == SortBy::Bytes {
        sites.sort_by(|a, b| {
            b.bytes
                .total_cmp(&a.bytes)
                .then(a.file.cmp(&b.file))
                .then(a.line.cmp(&b.line))
        });
    }
    write_report(args, &sites)?;
    Ok(i32::from(say_failing(args.fail_on, &sites)))
}

/// Batches of N packages (`packages`: every one the run reports): one
/// compile, its evidence spilled to a file per batch as the listing is read; each batch's packages type-checked and
/// classified in turn, their sites spilled as a sorted run; the runs merged
/// as the report is written, a site at a time. Memory holds one batch.
fn batched(
    args: &ScanArgs,
    tc: &Toolchain,
    dir: &std::path::Path,
    patterns: &[String],
    opts: &Options,
    packages: &[(String, std::path::PathBuf)],
    n: usize,
) -> Result<i32> {
    let batches: Vec<scan::Batch> = packages
        .chunks(n)
        .map(|chunk| scan::Batch {
            report: chunk.iter().map(|(path, _)| path.clone()).collect(),
            dirs: chunk.iter().map(|(_, dir)| dir.clone()).collect(),
        })
        .collect();
    let mut runs = scan::spill::Runs::new()?;
    let mut failing = Failing::new(args.fail_on);
    scan::scan_batches(tc, dir, patterns, opts, &batches, |mut sites| {
        if let Some(min) = args.min_verdict {
            sites.retain(|s| s.verdict >= min);
        }
        sites.iter().for_each(|s| failing.add(s));
        runs.push(&sites)
    })?;
    let mut out = output::Streamed::open(args.output.as_deref())?;
    let mut w = report::SiteWriter::new(args.format, text_style(args)?, &mut out);
    for site in runs.merged()? {
        w.site(&site?)?;
    }
    let counts = w.finish()?;
    out.finish()?;
    if summary_on_stderr(args) {
        eprintln!("{}", counts.summary());
    }
    Ok(i32::from(failing.say()))
}

/// `--merge`: the shards' sites in one report, ordered as a scan orders
/// them (file, line, column), `--fail-on` applied to them all.
fn merge(args: &ScanArgs) -> Result<i32> {
    if args.format != ScanFormat::Json {
        return Err(
            UsageError::new("scan --merge joins JSON reports into one: add --format json").into(),
        );
    }
    let key = |v: &serde_json::Value| {
        (
            v["file"].as_str().unwrap_or_default().to_string(),
            v["line"].as_u64().unwrap_or(0),
            v["column"].as_u64().unwrap_or(0),
        )
    };
    // Whether a site fails `--fail-on`, read as the reports are merged.
    let fails = |s: &serde_json::Value| {
        args.fail_on.is_some_and(|min| {
            s["verdict"]
                .as_str()
                .and_then(|v| <Verdict as clap::ValueEnum>::from_str(v, false).ok())
                .is_some_and(|v| v >= min)
        })
    };
    let mut failing = false;
    output::emit(args.output.as_deref(), |out| {
        failing = super::shard::merge(&args.merge, "ifacealloc scan", key, fails, out)?;
        Ok(())
    })?;
    Ok(i32::from(failing))
}

/// Several Go versions: each scans on its own; the report joins them site
/// by site, and `--fail-on` applies to the newest version given.
fn run_versions(
    args: &ScanArgs,
    tcs: &[Toolchain],
    dir: &std::path::Path,
    patterns: &[String],
    opts: &Options,
) -> Result<i32> {
    let versions: Vec<String> = tcs.iter().map(|t| t.goversion.clone()).collect();
    let mut scans = Vec::new();
    for tc in tcs {
        let (mut sites, _) = scan::scan(tc, dir, patterns, opts)?;
        if let Some(min) = args.min_verdict {
            sites.retain(|s| s.verdict >= min);
        }
        scans.push(sites);
    }
    let joined = scan::versions::join(&versions, scans);
    output::emit(args.output.as_deref(), |out| {
        report::write_versions(args.format, &versions, &joined, out)
    })?;
    let failing = args.fail_on.is_some_and(|v| {
        joined.iter().any(|s| {
            s.results
                .get(versions.last().expect("several versions"))
                .is_some_and(|r| r.verdict >= v)
        })
    });
    Ok(i32::from(failing))
}

/// The sites new or worse than the baseline's, said on stderr.
fn keep_new_or_worse(sites: Vec<scan::Site>, known: &[scan::baseline::Known]) -> Vec<scan::Site> {
    let before = sites.len();
    let sites = scan::baseline::new_or_worse(sites, known);
    eprintln!(
        "scan: {} of {before} {} new or worse than the baseline ({})",
        sites.len(),
        if sites.len() == 1 {
            "site is"
        } else {
            "sites are"
        },
        report::plural(known.len(), "site")
    );
    sites
}

/// Gives each site the profile's bytes for its own call (by line without the
/// binary), says on stderr what the profile saw that no site explains, and
/// orders the sites by those bytes.
fn join_profile(
    args: &ScanArgs,
    tc: &Toolchain,
    dir: &std::path::Path,
    sites: &mut [scan::Site],
    mut attributed: Vec<scan::profile::Attributed>,
) -> Result<()> {
    let profile = args.profile.as_deref().expect("--profile given");
    let by_call = match scan::profile::resolve_calls(
        tc,
        dir,
        profile,
        args.profile_binary.as_deref(),
        &mut attributed,
    ) {
        Ok(_) => true,
        Err(why) if args.profile_binary.is_some() => {
            return Err(UsageError::new(format!(
                "--profile-binary: {why}; give the binary that wrote the profile"
            ))
            .into())
        }
        Err(why) => {
            eprintln!(
                "scan: --profile {}: {why}, so allocations are joined by line: other allocations on a conversion's line count for it; give --profile-binary for per-call figures",
                profile.display()
            );
            false
        }
    };
    let total: u64 = attributed
        .iter()
        .map(|a| a.allocs)
        .fold(0, u64::saturating_add);
    let joined = scan::profile::join(sites, attributed, by_call);
    for u in &joined.unexplained {
        eprintln!(
            "scan: the profile saw {} B in {} allocs at {}:{}, where scan's conversions never allocate (another allocation on that line, or a conversion scan does not know)",
            u.bytes, u.allocs, u.file, u.line
        );
    }
    for m in &joined.missed {
        eprintln!(
            "scan: the profile saw {} B in {} allocs by {} at {}:{}, where scan found no conversion",
            m.bytes, m.allocs, m.routine, m.file, m.line
        );
    }
    if joined.other_calls.1 > 0 {
        eprintln!(
            "scan: {} B in {} allocs on the conversions' lines came from other calls (variadic slices, closures, new) and are not counted for the conversions",
            joined.other_calls.0, joined.other_calls.1
        );
    }
    if !joined.matched_any {
        eprintln!(
            "scan: --profile {}: none of its {total} allocations is on a line of the scanned code; was it written by a binary of these packages?",
            profile.display()
        );
    }
    sites.sort_by(|a, b| {
        b.profile_bytes
            .cmp(&a.profile_bytes)
            .then(a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
    Ok(())
}

/// Writes the report in its format (text grouped by file on a terminal, in
/// Go's `file:line:col` form otherwise), and the summary on stderr when the
/// report is not text on stdout.
fn write_report(args: &ScanArgs, sites: &[scan::Site]) -> Result<()> {
    let style = text_style(args)?;
    output::emit(args.output.as_deref(), |out| match args.format {
        ScanFormat::Text => report::write_text(sites, &style, out),
        f => report::write(f, sites, out),
    })?;
    if summary_on_stderr(args) {
        eprintln!("{}", report::summary(sites));
    }
    Ok(())
}

/// Whether the summary line goes to stderr: a report other than text (which
/// ends with it) written to stdout.
fn summary_on_stderr(args: &ScanArgs) -> bool {
    args.format != ScanFormat::Text && args.output.is_none()
}

/// Text under a heading per file on a terminal, Go's `file:line:col:` lines
/// otherwise (or as `--heading`/`--no-heading` say).
fn text_style(args: &ScanArgs) -> Result<report::TextStyle> {
    let headings = if args.heading {
        true
    } else if args.no_heading {
        false
    } else {
        args.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout())
    };
    Ok(if headings {
        report::TextStyle::Headings
    } else {
        report::TextStyle::GoStyle(std::env::current_dir()?)
    })
}

/// Names on stderr the sites that fail the run under `--fail-on`, so a CI
/// log names them whatever the report's format or destination; whether any did.
fn say_failing(fail_on: Option<Verdict>, sites: &[scan::Site]) -> bool {
    let mut f = Failing::new(fail_on);
    sites.iter().for_each(|s| f.add(s));
    f.say()
}

/// The sites that fail `--fail-on`, counted as they come: the first 20
/// named, the rest counted.
struct Failing {
    fail_on: Option<Verdict>,
    count: usize,
    named: Vec<String>,
}

impl Failing {
    const NAMED: usize = 20;

    fn new(fail_on: Option<Verdict>) -> Failing {
        Failing {
            fail_on,
            count: 0,
            named: Vec::new(),
        }
    }

    fn add(&mut self, s: &scan::Site) {
        if self.fail_on.is_none_or(|v| s.verdict < v) {
            return;
        }
        self.count += 1;
        if self.named.len() < Self::NAMED {
            self.named.push(format!(
                "  {}:{}:{}: {} {} {} in {}",
                s.file,
                s.line,
                s.column,
                s.verdict.name(),
                s.routine_shown,
                s.type_name,
                s.function
            ));
        }
    }

    /// Says which sites failed the run, if any; whether any did.
    fn say(&self) -> bool {
        let Some(v) = self.fail_on.filter(|_| self.count > 0) else {
            return false;
        };
        eprintln!(
            "scan: --fail-on {}: {} failed the run:",
            v.name(),
            report::plural(self.count, "site")
        );
        for line in &self.named {
            eprintln!("{line}");
        }
        if self.count > Self::NAMED {
            eprintln!("  ... and {} more", self.count - Self::NAMED);
        }
        true
    }
}
