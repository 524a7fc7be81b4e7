//! `ifacealloc matrix`: generate, build, run and report the catalog matrix.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::cli::error::UsageError;
use crate::cli::output;
use crate::go::toolchain::Toolchain;
use crate::go::typecheck::TypeReader;
use crate::matrix::generate;
use crate::matrix::measure::{self, Workdir};
use crate::model::catalog::{self, CatalogName, Row};
use crate::model::gotype::Arch;
use crate::model::rules;
use crate::model::scenario::Scenario;
use crate::report::{self, Format};

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Built-in catalog to start from.
    #[arg(long, value_enum, default_value_t = CatalogName::Default)]
    pub catalog: CatalogName,

    /// Only these catalog rows, by name (see --list).
    #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
    pub types: Vec<String>,

    /// Add a row for this Go type expression (repeatable), e.g. --type 'struct{ a int16; b [3]byte }'.
    #[arg(long = "type", value_name = "EXPR")]
    pub type_exprs: Vec<String>,

    /// Define a named type for --type, e.g. --define 'Point=struct{ x, y int }' (repeatable).
    #[arg(long, value_name = "Name=TYPE")]
    pub define: Vec<String>,

    /// Take named types for --type from the type declarations of a Go file
    /// (repeatable: a later file may use an earlier one's types).
    #[arg(long, value_name = "FILE.go")]
    pub from: Vec<PathBuf>,

    /// Only these scenarios: zero, nonzero, small, 256, const, zerolit, local, copy, copyzero.
    #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
    pub scenarios: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write the generated Go module to DIR and keep it (DIR must be new or empty).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,

    /// Measure even when an earlier run measured the identical program with the
    /// same options (by default its results are reused, as `go test` reuses a
    /// cached test result; allocation counts are deterministic, ns/op is not).
    #[arg(long)]
    pub fresh: bool,

    /// Stores per measurement round.
    #[arg(long, default_value_t = 16384, value_parser = clap::value_parser!(u64).range(16..=100_000_000))]
    pub iterations: u64,

    /// Also derive routines for these GOARCH values by cross-compiling
    /// (measurement is for the host only), e.g. arm64,386,s390x.
    #[arg(long, value_delimiter = ',', value_name = "GOARCH,...")]
    pub arch: Vec<String>,

    /// List the catalog's row names and types, then exit.
    #[arg(long)]
    pub list: bool,
}

pub fn run(args: &MatrixArgs, go: Option<&str>) -> Result<()> {
    output::check(args.output.as_deref())?;
    let mut rows = catalog::rows(args.catalog);
    if !args.types.is_empty() {
        rows = catalog::select(rows, &args.types)?;
    }
    if !args.type_exprs.is_empty() {
        let mut types = TypeReader::new(&args.define, &args.from, go)?;
        // The catalog's own named types stay available unless redefined.
        types.add_defaults(catalog::builtin_defs());
        for e in &args.type_exprs {
            rows.push(Row::custom(types.read_native(e)?));
        }
    }
    if rows.is_empty() {
        return Err(UsageError::new(
            "matrix: no rows to measure; drop --catalog none or add --type EXPR",
        )
        .into());
    }
    if args.list {
        return output::emit(args.output.as_deref(), |out| {
            for r in &rows {
                use std::io::Write;
                writeln!(out, "{:<22} {}", r.name, r.ty)?;
            }
            Ok(())
        });
    }
    let scenarios = parse_scenarios(&args.scenarios)?;
    let tcs = Toolchain::resolve(go)?;
    let tc = &tcs[0];
    let cross = parse_archs(&args.arch, &tc.goarch)?;
    let cases = generate::cases(&rows, &scenarios);
    // The module is emitted once; each toolchain builds and runs it.
    let module = generate::module(&rows, &cases, "1.21")?;
    let work = Workdir::new(args.keep.as_deref())?;
    measure::write_module(tc, &module, work.path())?;
    let catalog_name = match args.catalog {
        CatalogName::Seed => "seed",
        CatalogName::Default => "default",
        CatalogName::None => "none",
    };
    let mut ms = Vec::new();
    for tc in &tcs {
        ms.push(measure::run(
            tc,
            &rows,
            &module,
            work.path(),
            &measure::Plan {
                iterations: args.iterations,
                catalog: catalog_name,
                cross: &cross,
                reuse: !args.fresh,
            },
        )?);
    }
    if ms.len() > 1 {
        let arch = Arch::by_name(&tc.goarch).unwrap_or(Arch::ALL[0]);
        let explain = |i: usize, s, from: u32, to: u32| {
            boundaries_behind(&rows[i], s, from, to, &arch, args.iterations)
        };
        return output::emit(args.output.as_deref(), |out| {
            report::versions::export(args.format, &ms, &explain, out)
        });
    }
    let m = ms.remove(0);
    let seed_layout = args.catalog == CatalogName::Seed;
    let exporter = report::exporter(args.format, seed_layout);
    crate::cli::timings::phase("report", || {
        output::emit(args.output.as_deref(), |out| exporter.export(&m, out))
    })
}

/// The release rules that change the prediction for `row`'s `scenario`
/// between Go 1.`from` and 1.`to`.
fn boundaries_behind(
    row: &Row,
    scenario: Scenario,
    from: u32,
    to: u32,
    arch: &Arch,
    iterations: u64,
) -> Vec<&'static rules::Boundary> {
    match rules::scenario_input(&row.ty, scenario, row.value.as_ref()) {
        Some((value, source)) => {
            rules::boundaries_between(&row.ty, &value, source, from, to, arch, iterations)
        }
        None => Vec::new(),
    }
}

/// The GOARCH values to cross-compile for, without the host's.
fn parse_archs(names: &[String], host: &str) -> Result<Vec<Arch>> {
    let mut out: Vec<Arch> = Vec::new();
    for n in names {
        let Some(a) = Arch::by_name(n) else {
            let all: Vec<&str> = Arch::ALL.iter().map(|a| a.name).collect();
            return Err(UsageError::new(format!(
                "--arch: unknown GOARCH {n:?}; choose from {}",
                all.join(", ")
            ))
            .into());
        };
        if a.name != host && !out.contains(&a) {
            out.push(a);
        }
    }
    Ok(out)
}

fn parse_scenarios(names: &[String]) -> Result<Vec<Scenario>> {
    if names.is_empty() {
        return Ok(Scenario::ALL.to_vec());
    }
    let mut out = Vec::new();
    for n in names {
        match Scenario::from_name(n) {
            Some(s) if !out.contains(&s) => out.push(s),
            Some(_) => {}
            None => {
                let all: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
                return Err(UsageError::new(format!(
                    "--scenarios: unknown scenario {n:?}; choose from {}",
                    all.join(", ")
                ))
                .into());
            }
        }
    }
    Ok(out)
}
