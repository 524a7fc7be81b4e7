//! `ifacealloc explain`: predict and explain one conversion; `--verify` measures it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::cli::error::UsageError;
use crate::cli::output;
use crate::go::toolchain::Toolchain;
use crate::go::typecheck::TypeReader;
use crate::matrix::generate::{self, Case};
use crate::matrix::measure::{self, Workdir};
use crate::matrix::results::fmt_num;
use crate::model::catalog::Row;
use crate::model::gotype::{Arch, Layout, Type};
use crate::model::goversion::GoVersion;
use crate::model::routine::Routine;
use crate::model::rules::{self, Prediction, Source};
use crate::model::typedefs::clip;
use crate::model::value::{self, Value};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A Go type expression, e.g. 'float32', 'struct{ a int32; b int64 }',
    /// 'time.Duration' or 'example.com/m/pkg.T' (other packages' types and
    /// generic instantiations are read by go/types with the toolchain).
    #[arg(value_name = "TYPE", required_unless_present = "batch")]
    pub type_expr: Option<String>,

    /// Answer many queries: one per line of FILE (- for stdin), a type
    /// expression or a JSON object {"type", "value", "source", "go_version",
    /// "arch"}; one JSON result per line on stdout (rules only, no --verify).
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["verify", "type_expr"])]
    pub batch: Option<PathBuf>,

    /// The value stored (default: zero). Integers, floats (bits:0x… for exact
    /// bits), complex, bool, "strings", {composite, values}, nil, new, make, func.
    #[arg(long, allow_hyphen_values = true)]
    pub value: Option<String>,

    /// How the value reaches the conversion.
    #[arg(long, value_enum, default_value_t = Source::Var)]
    pub source: Source,

    /// Go version whose rules to apply, e.g. 1.24 (default: the local toolchain's).
    #[arg(long, value_name = "1.xx")]
    pub go_version: Option<String>,

    /// GOARCH to lay the type out for (default: the local toolchain's).
    #[arg(long)]
    pub arch: Option<String>,

    /// Define a named type, e.g. --define 'Point=struct{ x, y int }' (repeatable).
    #[arg(long, value_name = "Name=TYPE")]
    pub define: Vec<String>,

    /// Take named types from the type declarations of a Go file (repeatable:
    /// a later file may use an earlier one's types).
    #[arg(long, value_name = "FILE.go")]
    pub from: Vec<PathBuf>,

    /// Build and run the case with the live toolchain and compare; exit 1 if they differ.
    #[arg(long)]
    pub verify: bool,

    /// Output format (default text; --batch answers in JSON lines).
    #[arg(long, value_enum)]
    pub format: Option<ExplainFormat>,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Conversions per measurement with --verify (and for the tiny-block share).
    #[arg(long, default_value_t = 16384, value_parser = clap::value_parser!(u64).range(16..=100_000_000))]
    pub iterations: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

/// The JSON report of `explain`. Field names are stable (docs/json.md).
#[derive(Debug, Serialize)]
pub struct Explanation {
    #[serde(rename = "type")]
    pub type_expr: String,
    pub value: String,
    pub source: Source,
    pub go_version: String,
    /// The Go release whose rules were applied (the newest known for a newer version).
    pub rules_version: String,
    pub arch: String,
    pub layout: Layout,
    pub routine: Routine,
    pub allocs: u64,
    pub bytes: f64,
    pub alloc_size: u64,
    /// Padding bytes the runtime reads that the compiler never writes: when
    /// not 0, `allocs` and `bytes` hold unless that stack slot held zeros.
    pub unset_padding: u64,
    /// never, conditional (depends on the value) or always.
    pub verdict: &'static str,
    pub reasons: Vec<rules::Reason>,
    pub verify: Option<Verification>,
}

impl Explanation {
    /// The report of a prediction, before any --verify.
    fn new(
        ty: &Type,
        v: &Value,
        source: Source,
        version: GoVersion,
        arch: &Arch,
        p: Prediction,
    ) -> Explanation {
        Explanation {
            type_expr: ty.go_syntax(),
            value: value::describe(ty, v),
            source,
            go_version: version.lang(),
            rules_version: format!("1.{}", version.minor.min(rules::NEWEST_MINOR)),
            arch: arch.name.to_string(),
            layout: ty.layout(arch),
            routine: p.routine,
            allocs: p.allocs,
            bytes: p.bytes,
            alloc_size: p.alloc_size,
            unset_padding: p.unset_padding,
            verdict: verdict(p.routine),
            reasons: p.reasons,
            verify: None,
        }
    }
}

/// A live measurement beside the prediction.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub toolchain: String,
    pub routine: Option<Routine>,
    pub allocs: f64,
    pub bytes: f64,
    pub matches: bool,
}

/// Whether a routine's allocation depends on the value.
pub fn verdict(r: Routine) -> &'static str {
    if r.always_allocates() {
        "always"
    } else if r.may_allocate() {
        "conditional"
    } else {
        "never"
    }
}

/// Returns the exit code: 1 when --verify found the prediction wrong.
pub fn run(args: &ExplainArgs, go: Option<&str>) -> Result<i32> {
    output::check(args.output.as_deref())?;
    let types = TypeReader::new(&args.define, &args.from, go)?;
    if let Some(batch) = &args.batch {
        // Each query carries its own value and source; the answers are JSON
        // lines. Flags that would be ignored are refused instead.
        let ignored = [
            (args.value.is_some(), "--value"),
            (args.format == Some(ExplainFormat::Text), "--format text"),
        ];
        if let Some((_, flag)) = ignored.iter().find(|(set, _)| *set) {
            return Err(UsageError::new(format!(
                "{flag} does not apply to --batch: each query line gives its own \"value\" and \"source\", and the answers are JSON lines"
            ))
            .into());
        }
        return run_batch(args, batch, &types, go);
    }
    let type_expr = args.type_expr.as_deref().unwrap_or_default();
    let all_versions = args.go_version.as_deref() == Some("all");
    if all_versions && args.verify {
        return Err(UsageError::new(
            "--go-version all applies every version's rules offline; to measure, give toolchains with --go (e.g. --go all) and --verify",
        )
        .into());
    }
    // The toolchains decide the defaults; --go-version and --arch can do without one.
    let need_tc =
        args.verify || args.go_version.is_none() || (args.arch.is_none() && !all_versions);
    let tcs: Vec<Toolchain> = if need_tc {
        Toolchain::resolve(go)?
    } else if all_versions && args.arch.is_none() {
        // Offline: the toolchain's GOARCH if there is one, else this machine's.
        Toolchain::resolve(go).unwrap_or_default()
    } else {
        Vec::new()
    };
    // (version, toolchain to verify with) for each answer to give.
    let versions = answer_versions(args, &tcs, all_versions)?;
    if let Some((v, _)) = versions.iter().find(|(v, _)| v.minor > rules::NEWEST_MINOR) {
        eprintln!(
            "warning: Go {} is newer than the rules know; using the rules of Go 1.{}, the newest they describe",
            v.lang(),
            rules::NEWEST_MINOR
        );
    }
    let arch = explain_arch(args, &tcs)?;
    // After the arch: go/types lays types out for it, and its word size
    // bounds int, uint and uintptr values.
    let ty = types.read(type_expr, &arch)?;
    let v = match &args.value {
        None => Value::Zero,
        Some(text) => value::parse(text, &ty, &arch).map_err(|e| {
            UsageError::new(format!(
                "--value {:?} is not a value of {ty} on {}: {e}",
                clip(text),
                arch.name
            ))
        })?,
    };
    let mut reports = Vec::new();
    for (version, tc) in versions {
        let prediction = rules::predict(&ty, &v, args.source, version, &arch, args.iterations)
            .map_err(|e| UsageError::new(e.0))?;
        let mut report = Explanation::new(&ty, &v, args.source, version, &arch, prediction.clone());
        if args.verify {
            let tc = tc.expect("toolchain for --verify");
            if version.minor != tc.version.minor || arch.name != tc.goarch {
                return Err(UsageError::new(format!(
                    "--verify measures with the toolchain ({} {}); drop --go-version/--arch or pass --go with a matching toolchain",
                    tc.goversion, tc.goarch
                ))
                .into());
            }
            report.verify = Some(verify(
                tc,
                &ty,
                &v,
                args.source,
                args.iterations,
                &prediction,
            )?);
        }
        reports.push(report);
    }
    write_explanations(args, &reports, (&ty, &v, &arch))?;
    Ok(i32::from(
        reports
            .iter()
            .any(|r| r.verify.as_ref().is_some_and(|v| !v.matches)),
    ))
}

/// The Go versions to answer for (`--go-version`, every version's rules, or
/// each toolchain's), each with the toolchain `--verify` measures with.
fn answer_versions<'a>(
    args: &ExplainArgs,
    tcs: &'a [Toolchain],
    all_versions: bool,
) -> Result<Vec<(GoVersion, Option<&'a Toolchain>)>> {
    Ok(match &args.go_version {
        Some(_) if all_versions => (rules::OLDEST_MINOR..=rules::NEWEST_MINOR)
            .map(|minor| {
                (
                    GoVersion {
                        major: 1,
                        minor,
                        patch: 0,
                    },
                    None,
                )
            })
            .collect(),
        Some(s) => {
            let v = rules::go_version(s).ok_or_else(|| {
                UsageError::new(format!(
                    "--go-version {:?}: give a Go version from 1.{} on (e.g. 1.24), or all",
                    clip(s),
                    rules::OLDEST_MINOR
                ))
            })?;
            if args.verify && tcs.len() > 1 {
                return Err(UsageError::new(
                    "--verify with --go-version measures on one toolchain; drop --go-version to verify on each --go toolchain",
                )
                .into());
            }
            vec![(v, tcs.first())]
        }
        None => tcs.iter().map(|t| (t.version, Some(t))).collect(),
    })
}

/// The GOARCH to answer for: `--arch`, else the toolchain's, else this machine's.
fn explain_arch(args: &ExplainArgs, tcs: &[Toolchain]) -> Result<Arch> {
    let arch_name = match &args.arch {
        Some(a) => a.clone(),
        None => match tcs.first() {
            Some(t) => t.goarch.clone(),
            None => host_goarch().to_string(),
        },
    };
    Arch::by_name(&arch_name).ok_or_else(|| {
        UsageError::new(format!(
            "--arch {:?}: unknown GOARCH; choose from {}",
            clip(&arch_name),
            Arch::ALL
                .iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()
    })
}

/// Writes the answers: one as text or JSON, several as a table of versions
/// (text, with the rule behind each change) or a JSON array.
fn write_explanations(
    args: &ExplainArgs,
    reports: &[Explanation],
    (ty, v, arch): (&Type, &Value, &Arch),
) -> Result<()> {
    output::emit(args.output.as_deref(), |out| {
        match args.format.unwrap_or(ExplainFormat::Text) {
            ExplainFormat::Json if reports.len() == 1 => {
                serde_json::to_writer_pretty(&mut *out, &reports[0])?;
                writeln!(out)?;
                Ok(())
            }
            ExplainFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, reports)?;
                writeln!(out)?;
                Ok(())
            }
            ExplainFormat::Text if reports.len() == 1 => write_text(&reports[0], out),
            ExplainFormat::Text => write_versions(reports, out, &|from, to| {
                rules::boundaries_between(ty, v, args.source, from, to, arch, args.iterations)
            }),
        }
    })?;
    Ok(())
}

/// One query of `--batch`, as a JSON line.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    #[serde(rename = "type")]
    type_expr: String,
    value: Option<String>,
    source: Option<String>,
    go_version: Option<String>,
    arch: Option<String>,
}

/// `--batch`: reads queries line by line and writes one JSON result per line;
/// a bad query gets `{"line": N, "error": "..."}` and the batch goes on.
fn run_batch(
    args: &ExplainArgs,
    input: &Path,
    types: &TypeReader,
    go: Option<&str>,
) -> Result<i32> {
    use std::io::BufRead;
    // Defaults: the flags, else the toolchain (resolved once, only if needed).
    let mut tc: Option<Toolchain> = None;
    let mut default_version = match &args.go_version {
        Some(s) => Some(rules::go_version(s).ok_or_else(|| {
            UsageError::new(format!(
                "--go-version {:?}: give a Go version from 1.{} on",
                clip(s),
                rules::OLDEST_MINOR
            ))
        })?),
        None => None,
    };
    let mut default_arch = args.arch.clone();
    if default_version.is_none() || default_arch.is_none() {
        let t = Toolchain::single(go, "explain --batch")?;
        default_version.get_or_insert(t.version);
        default_arch.get_or_insert_with(|| t.goarch.clone());
        tc = Some(t);
    }
    let _ = tc;
    let reader: Box<dyn BufRead> = if input.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        if input.is_dir() {
            return Err(UsageError::new(format!(
                "--batch {}: is a directory; give a file of queries, or - for stdin",
                input.display()
            ))
            .into());
        }
        let f = std::fs::File::open(input).map_err(|e| {
            UsageError::new(format!(
                "--batch {}: {e}; give a file of queries, or - for stdin",
                input.display()
            ))
        })?;
        Box::new(std::io::BufReader::new(f))
    };
    // Streamed: a million answers are written as they come, never held.
    let mut out = output::Streamed::open(args.output.as_deref())?;
    let mut n = 0u64;
    let mut failed = 0u64;
    crate::parse::lines::CappedLines::new(reader).for_each_line(
        |_| Ok(()),
        |buf| -> Result<()> {
            n += 1;
            let text = String::from_utf8_lossy(buf);
            let text = text.trim();
            if text.is_empty() || text.starts_with('#') {
                return Ok(());
            }
            let answer = answer_query(
                text,
                types,
                default_version.expect("set above"),
                default_arch.as_deref().expect("set above"),
                args,
            );
            let line = match answer {
                Ok(e) => serde_json::to_string(&e)?,
                Err(e) => {
                    failed += 1;
                    serde_json::json!({ "line": n, "error": e }).to_string()
                }
            };
            writeln!(out, "{line}")?;
            Ok(())
        },
    )?;
    out.finish()?;
    Ok(i32::from(failed > 0))
}

/// Answers one batch query: a type expression, or a JSON object.
fn answer_query(
    text: &str,
    types: &TypeReader,
    version: GoVersion,
    arch: &str,
    args: &ExplainArgs,
) -> std::result::Result<Explanation, String> {
    let q = if text.starts_with('{') {
        serde_json::from_str::<Query>(text).map_err(|e| format!("not a query: {e}"))?
    } else {
        Query {
            type_expr: text.to_string(),
            value: None,
            source: None,
            go_version: None,
            arch: None,
        }
    };
    let source = match q.source.as_deref() {
        None => args.source,
        Some(s) => <Source as clap::ValueEnum>::from_str(s, false)
            .map_err(|_| format!("source {s:?}: use var, const, literal or local"))?,
    };
    let version = match &q.go_version {
        None => version,
        Some(s) => rules::go_version(s)
            .ok_or_else(|| format!("go_version {s:?}: give a Go version from 1.21 on"))?,
    };
    let arch_name = q.arch.as_deref().unwrap_or(arch);
    let arch =
        Arch::by_name(arch_name).ok_or_else(|| format!("arch {arch_name:?}: unknown GOARCH"))?;
    let ty = types.read(&q.type_expr, &arch).map_err(|e| e.to_string())?;
    let v = match &q.value {
        None => Value::Zero,
        Some(t) => value::parse(t, &ty, &arch).map_err(|e| format!("value {:?}: {e}", clip(t)))?,
    };
    let p = rules::predict(&ty, &v, source, version, &arch, args.iterations).map_err(|e| e.0)?;
    Ok(Explanation::new(&ty, &v, source, version, &arch, p))
}

/// This machine's GOARCH, for offline answers without --arch.
fn host_goarch() -> &'static str {
    match std::env::consts::ARCH {
        "x86" => "386",
        "aarch64" => "arm64",
        "arm" => "arm",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "loongarch64" => "loong64",
        _ => "amd64",
    }
}

/// Several versions: one row each, the rows where the answer changes marked
/// `*`, then what changed and the release rule behind it.
/// `because(from, to)` names the release rules that change this answer
/// between Go 1.`from` and 1.`to`.
fn write_versions(
    rs: &[Explanation],
    out: &mut dyn Write,
    because: &dyn Fn(u32, u32) -> Vec<&'static rules::Boundary>,
) -> Result<()> {
    let first = &rs[0];
    writeln!(out, "type      {}", first.type_expr)?;
    writeln!(
        out,
        "value     {} (source: {})",
        first.value,
        source_name(first.source)
    )?;
    writeln!(out, "arch      {}\n", first.arch)?;
    let verified = rs.iter().any(|r| r.verify.is_some());
    write!(out, "  go     routine        allocs  bytes   verdict")?;
    if verified {
        write!(out, "      measured")?;
    }
    writeln!(out)?;
    let mut changed = Vec::new();
    for (i, r) in rs.iter().enumerate() {
        let differs = i > 0 && {
            let p = &rs[i - 1];
            (p.routine, p.allocs, p.bytes) != (r.routine, r.allocs, r.bytes)
        };
        if differs {
            changed.push(i);
        }
        let (allocs, bytes) = allocs_and_bytes(r);
        let mut row = format!(
            "{} {:<6} {:<14} {:<7} {:<7} {:<12}",
            if differs { "*" } else { " " },
            r.go_version,
            r.routine.name(),
            allocs,
            bytes,
            r.verdict
        );
        if let Some(v) = &r.verify {
            row.push_str(&format!(
                " {} {} allocs {} B on {}{}",
                v.routine.map(|x| x.name()).unwrap_or("none"),
                fmt_num(v.allocs),
                fmt_num(v.bytes),
                v.toolchain,
                if v.matches { "" } else { "  DIFFERS" }
            ));
        }
        writeln!(out, "{}", row.trim_end())?;
    }
    if changed.is_empty() {
        writeln!(out, "\nthe same on every version")?;
        return Ok(());
    }
    writeln!(out, "\n* the answer changes here:")?;
    for i in changed {
        let (p, r) = (&rs[i - 1], &rs[i]);
        let minor = |x: &Explanation| -> u32 {
            x.rules_version
                .trim_start_matches("1.")
                .parse()
                .unwrap_or(0)
        };
        let because: Vec<String> = because(minor(p), minor(r))
            .into_iter()
            .map(|b| format!("{} (Go 1.{}: {}; {})", b.name, b.since, b.after, b.source))
            .collect();
        writeln!(
            out,
            "  {} → {}: {} {} B → {} {} B",
            p.go_version,
            r.go_version,
            p.routine,
            fmt_num(p.bytes),
            r.routine,
            fmt_num(r.bytes),
        )?;
        for b in because {
            writeln!(out, "    because: {b}")?;
        }
    }
    Ok(())
}

/// Builds and runs the one case, and compares.
fn verify(
    tc: &Toolchain,
    ty: &Type,
    v: &Value,
    source: Source,
    iterations: u64,
    p: &Prediction,
) -> Result<Verification> {
    let rows = vec![Row {
        name: ty.go_syntax(),
        ty: ty.clone(),
        value: Some(v.clone()),
    }];
    let cases = vec![Case {
        row: 0,
        scenario: rules::scenario_for(source),
    }];
    let module = generate::module(&rows, &cases, "1.21")?;
    let work = Workdir::new(None)?;
    measure::write_module(tc, &module, work.path())?;
    let m = measure::run(
        tc,
        &rows,
        &module,
        work.path(),
        &measure::Plan {
            iterations,
            catalog: "explain",
            cross: &[],
            reuse: false,
        },
    )?;
    let c = &m.rows[0].cases[0];
    let matches = p.admits(c.routine, c.allocs_per_op, c.bytes_per_op);
    Ok(Verification {
        toolchain: tc.goversion.clone(),
        routine: c.routine,
        allocs: c.allocs_per_op,
        bytes: c.bytes_per_op,
        matches,
    })
}

/// The predicted allocations and bytes as text: with padding the compiler
/// never writes, none or the allocation, by what the stack held (`0-1`).
fn allocs_and_bytes(r: &Explanation) -> (String, String) {
    if r.unset_padding > 0 {
        (format!("0-{}", r.allocs), format!("0-{}", fmt_num(r.bytes)))
    } else {
        (r.allocs.to_string(), fmt_num(r.bytes))
    }
}

fn write_text(r: &Explanation, out: &mut dyn Write) -> Result<()> {
    let ptrs = if r.layout.ptr_bytes == 0 {
        "none".to_string()
    } else {
        format!("in the first {} bytes", r.layout.ptr_bytes)
    };
    writeln!(out, "type      {}", r.type_expr)?;
    writeln!(
        out,
        "layout    size {}, align {}, pointers {ptrs} ({})",
        r.layout.size, r.layout.align, r.arch
    )?;
    writeln!(
        out,
        "value     {} (source: {})",
        r.value,
        source_name(r.source)
    )?;
    if r.rules_version == r.go_version {
        writeln!(out, "go        {} rules", r.go_version)?;
    } else {
        writeln!(
            out,
            "go        {} (the rules of Go {}, the newest known)",
            r.go_version, r.rules_version
        )?;
    }
    let (allocs, bytes) = allocs_and_bytes(r);
    writeln!(out, "routine   {}", r.routine)?;
    writeln!(out, "allocs    {allocs}")?;
    writeln!(out, "bytes     {bytes}")?;
    let v = match r.verdict {
        "always" => "allocates for every value",
        "conditional" => "allocates for some values of this type, not others",
        _ => "never allocates for this type and source",
    };
    writeln!(out, "verdict   {} ({v})", r.verdict)?;
    writeln!(out, "\nwhy")?;
    for (i, reason) in r.reasons.iter().enumerate() {
        writeln!(out, "  {}. {} — {}", i + 1, reason.rule, reason.text)?;
    }
    if let Some(v) = &r.verify {
        writeln!(out, "\nverify ({})", v.toolchain)?;
        writeln!(out, "            predicted    measured")?;
        writeln!(
            out,
            "  routine   {:<12} {}",
            r.routine.name(),
            v.routine.map(|x| x.name()).unwrap_or("none")
        )?;
        writeln!(out, "  allocs    {:<12} {}", allocs, fmt_num(v.allocs))?;
        writeln!(out, "  bytes     {:<12} {}", bytes, fmt_num(v.bytes))?;
        writeln!(
            out,
            "  {}",
            if v.matches {
                "prediction and measurement agree"
            } else {
                "prediction and measurement DIFFER"
            }
        )?;
    }
    Ok(())
}

fn source_name(s: Source) -> &'static str {
    match s {
        Source::Var => "var",
        Source::Const => "const",
        Source::Literal => "literal",
        Source::Local => "local",
    }
}
