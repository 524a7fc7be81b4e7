//! `ifacealloc explain`: predict and explain one conversion; `--verify` measures it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::catalog::Row;
use crate::error::UsageError;
use crate::generate::{self, Case};
use crate::gotype::{Arch, Layout, Type};
use crate::measure::{self, Workdir};
use crate::model::fmt_num;
use crate::output;
use crate::routine::Routine;
use crate::rules::{self, Prediction, Source};
use crate::toolchain::{GoVersion, Toolchain};
use crate::typedefs::{clip, load_defs, parse_type};
use crate::value::{self, Value};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A Go type expression, e.g. 'float32' or 'struct{ a int32; b int64 }'.
    #[arg(value_name = "TYPE")]
    pub type_expr: String,

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

    /// Take named types from the type declarations of a Go file.
    #[arg(long, value_name = "FILE.go")]
    pub from: Option<PathBuf>,

    /// Build and run the case with the live toolchain and compare; exit 1 if they differ.
    #[arg(long)]
    pub verify: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,

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
    /// never, conditional (depends on the value) or always.
    pub verdict: &'static str,
    pub reasons: Vec<rules::Reason>,
    pub verify: Option<Verification>,
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
pub fn run(args: &ExplainArgs, go: Option<&Path>) -> Result<i32> {
    output::check(args.output.as_deref())?;
    let defs = load_defs(&args.define, args.from.as_deref())?;
    let ty = parse_type(&args.type_expr, &defs)?;
    let v = match &args.value {
        None => Value::Zero,
        Some(text) => value::parse(text, &ty).map_err(|e| {
            UsageError::new(format!(
                "--value {:?} is not a value of {ty}: {e}",
                clip(text)
            ))
        })?,
    };
    // The toolchain decides the defaults; --go-version and --arch can do without one.
    let need_tc = args.verify || args.go_version.is_none() || args.arch.is_none();
    let tc = if need_tc {
        Some(Toolchain::discover(go)?)
    } else {
        None
    };
    let version = match &args.go_version {
        Some(s) => {
            let v = GoVersion::parse(s)
                .filter(|v| v.major == 1 && v.minor >= rules::OLDEST_MINOR)
                .ok_or_else(|| {
                    UsageError::new(format!(
                        "--go-version {:?}: give a Go version from 1.{} on, e.g. 1.24",
                        clip(s),
                        rules::OLDEST_MINOR
                    ))
                })?;
            v
        }
        None => tc.as_ref().expect("toolchain when no --go-version").version,
    };
    if version.minor > rules::NEWEST_MINOR {
        eprintln!(
            "warning: Go {} is newer than the rules know; using the rules of Go 1.{}, the newest they describe",
            version.lang(),
            rules::NEWEST_MINOR
        );
    }
    let arch_name = match &args.arch {
        Some(a) => a.clone(),
        None => tc
            .as_ref()
            .expect("toolchain when no --arch")
            .goarch
            .clone(),
    };
    let arch = Arch::by_name(&arch_name).ok_or_else(|| {
        UsageError::new(format!(
            "--arch {:?}: unknown GOARCH; choose from {}",
            clip(&arch_name),
            Arch::ALL
                .iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let prediction = rules::predict(&ty, &v, args.source, version, &arch, args.iterations)
        .map_err(|e| UsageError::new(e.0))?;
    let mut report = Explanation {
        type_expr: ty.go_syntax(),
        value: value::describe(&ty, &v),
        source: args.source,
        go_version: version.lang(),
        rules_version: format!("1.{}", version.minor.min(rules::NEWEST_MINOR)),
        arch: arch.name.to_string(),
        layout: ty.layout(&arch),
        routine: prediction.routine,
        allocs: prediction.allocs,
        bytes: prediction.bytes,
        alloc_size: prediction.alloc_size,
        verdict: verdict(prediction.routine),
        reasons: prediction.reasons.clone(),
        verify: None,
    };
    if args.verify {
        let tc = tc.as_ref().expect("toolchain for --verify");
        if version.minor != tc.version.minor || arch.name != tc.goarch {
            return Err(UsageError::new(format!(
                "--verify measures with the local toolchain ({} {}); drop --go-version/--arch or pass --go with a matching toolchain",
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
    output::emit(args.output.as_deref(), |out| match args.format {
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)?;
            Ok(())
        }
        ExplainFormat::Text => write_text(&report, out),
    })?;
    Ok(i32::from(
        report.verify.as_ref().is_some_and(|v| !v.matches),
    ))
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
    let m = measure::run(tc, &rows, &module, work.path(), iterations, "explain", &[])?;
    let c = &m.rows[0].cases[0];
    let matches = c.routine == Some(p.routine)
        && c.allocs_per_op == p.allocs as f64
        && c.bytes_per_op == p.bytes;
    Ok(Verification {
        toolchain: tc.goversion.clone(),
        routine: c.routine,
        allocs: c.allocs_per_op,
        bytes: c.bytes_per_op,
        matches,
    })
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
    writeln!(out, "routine   {}", r.routine)?;
    writeln!(out, "allocs    {}", r.allocs)?;
    writeln!(out, "bytes     {}", fmt_num(r.bytes))?;
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
        writeln!(out, "  allocs    {:<12} {}", r.allocs, fmt_num(v.allocs))?;
        writeln!(
            out,
            "  bytes     {:<12} {}",
            fmt_num(r.bytes),
            fmt_num(v.bytes)
        )?;
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
