//! `ifacealloc lab list | show N | run N`: the walkthrough, whose every claim is
//! checked on the reader's own Go. The docs and example code are built into the
//! binary; `run` writes the examples to a temporary module and runs them there.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::cli::error::UsageError;
use crate::go::toolchain::Toolchain;
use crate::lem;

#[derive(Debug, Args)]
pub struct LabArgs {
    #[command(subcommand)]
    pub action: LabAction,
}

#[derive(Debug, Subcommand)]
pub enum LabAction {
    /// List the labs.
    List,
    /// Print a lab's text (markdown), or render it as an HTML page.
    Show {
        /// Lab number (1-5).
        n: u32,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Markdown)]
        format: ShowFormat,
        /// Write to FILE (atomically) instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Run a lab's examples on the local Go and check its claims.
    Run {
        /// Lab number (1-5).
        n: u32,
    },
    /// Check every output shown in the lab docs against a live `lab run`
    /// (exit 1 if one is stale); --write refreshes them in place.
    Docs {
        /// The docs directory.
        #[arg(long, default_value = "docs/labs", value_name = "DIR")]
        dir: std::path::PathBuf,
        /// Rewrite stale blocks with the live output instead of failing.
        #[arg(long)]
        write: bool,
    },
    /// Draw a lab's figure (SVG) from a real run of its example program.
    Figure {
        /// Lab number (2 or 3).
        n: u32,
        /// Write the SVG to FILE (atomically) instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    Markdown,
    /// A standalone page with the figures inline.
    Html,
}

/// One lab: its text and what `run` does.
pub struct Lab {
    pub number: u32,
    pub title: &'static str,
    pub doc_path: &'static str,
    pub doc: &'static str,
    /// Programs to `go run` (package paths in the examples module).
    pub programs: &'static [&'static str],
    /// Packages whose `lem` claims to check.
    pub lem_packages: &'static [&'static str],
    /// Packages whose `go test` tests to run (plain claims about values).
    pub test_packages: &'static [&'static str],
    /// Packages whose benchmarks to run with `-benchmem`, for time per op.
    pub bench_packages: &'static [&'static str],
    /// `FILE.go:FUNC` targets for `asm`, each with the GOARCH to compile for
    /// (`None`: the host's).
    pub asm: &'static [(&'static str, Option<&'static str>)],
}

pub const LABS: &[Lab] = &[
    Lab {
        number: 1,
        title: "Prerequisites",
        doc_path: "docs/labs/01-prerequisites.md",
        doc: include_str!("../../docs/labs/01-prerequisites.md"),
        programs: &[],
        lem_packages: &[],
        test_packages: &[],
        bench_packages: &[],
        asm: &[],
    },
    Lab {
        number: 2,
        title: "Interface values",
        doc_path: "docs/labs/02-interface-values.md",
        doc: include_str!("../../docs/labs/02-interface-values.md"),
        programs: &["./cmd/words"],
        lem_packages: &["./ifacevalues", "./assertions", "./underlying"],
        test_packages: &["./ifacevalues", "./assertions", "./underlying"],
        bench_packages: &["./assertions"],
        asm: &[],
    },
    Lab {
        number: 3,
        title: "Escape analysis",
        doc_path: "docs/labs/03-escape-analysis.md",
        doc: include_str!("../../docs/labs/03-escape-analysis.md"),
        programs: &["./cmd/frame"],
        lem_packages: &["./escape"],
        test_packages: &[],
        bench_packages: &[],
        asm: &[],
    },
    Lab {
        number: 4,
        title: "Missing mallocs",
        doc_path: "docs/labs/04-missing-mallocs.md",
        doc: include_str!("../../docs/labs/04-missing-mallocs.md"),
        programs: &[],
        lem_packages: &["./mallocs", "./impact"],
        test_packages: &["./impact"],
        bench_packages: &["./impact"],
        asm: &[("mallocs/mallocs_test.go:BenchmarkSmall", None)],
    },
    Lab {
        number: 5,
        title: "Lessons learned, and a FAQ on Go assembly",
        doc_path: "docs/labs/05-lessons-and-asm.md",
        doc: include_str!("../../docs/labs/05-lessons-and-asm.md"),
        programs: &[],
        lem_packages: &[],
        test_packages: &[],
        bench_packages: &[],
        asm: &[
            ("asmwalk/asmwalk.go:Store", None),
            ("asmwalk/asmwalk.go:StoreInt", Some("amd64")),
            ("asmwalk/asmwalk.go:StoreInt", Some("arm64")),
        ],
    },
];

/// The example module, as (path, contents).
pub const EXAMPLES: &[(&str, &str)] = &[
    ("go.mod", include_str!("../../examples/labs/go.mod")),
    (
        "ifacevalues/words.go",
        include_str!("../../examples/labs/ifacevalues/words.go"),
    ),
    (
        "ifacevalues/ifacevalues_test.go",
        include_str!("../../examples/labs/ifacevalues/ifacevalues_test.go"),
    ),
    (
        "cmd/words/main.go",
        include_str!("../../examples/labs/cmd/words/main.go"),
    ),
    (
        "escape/escape.go",
        include_str!("../../examples/labs/escape/escape.go"),
    ),
    (
        "escape/escape_test.go",
        include_str!("../../examples/labs/escape/escape_test.go"),
    ),
    (
        "mallocs/mallocs.go",
        include_str!("../../examples/labs/mallocs/mallocs.go"),
    ),
    (
        "mallocs/unsafe.go",
        include_str!("../../examples/labs/mallocs/unsafe.go"),
    ),
    (
        "mallocs/mallocs_test.go",
        include_str!("../../examples/labs/mallocs/mallocs_test.go"),
    ),
    (
        "asmwalk/asmwalk.go",
        include_str!("../../examples/labs/asmwalk/asmwalk.go"),
    ),
    (
        "assertions/assertions.go",
        include_str!("../../examples/labs/assertions/assertions.go"),
    ),
    (
        "assertions/assertions_test.go",
        include_str!("../../examples/labs/assertions/assertions_test.go"),
    ),
    (
        "underlying/underlying.go",
        include_str!("../../examples/labs/underlying/underlying.go"),
    ),
    (
        "underlying/underlying_test.go",
        include_str!("../../examples/labs/underlying/underlying_test.go"),
    ),
    (
        "impact/impact.go",
        include_str!("../../examples/labs/impact/impact.go"),
    ),
    (
        "impact/impact_test.go",
        include_str!("../../examples/labs/impact/impact_test.go"),
    ),
    (
        "cmd/frame/main.go",
        include_str!("../../examples/labs/cmd/frame/main.go"),
    ),
];

fn lab(n: u32) -> Result<&'static Lab> {
    LABS.iter().find(|l| l.number == n).ok_or_else(|| {
        UsageError::new(format!(
            "there is no lab {n}; run `ifacealloc lab list` (labs 1 to {})",
            LABS.len()
        ))
        .into()
    })
}

/// Writes the example module into `dir`.
pub fn write_examples(dir: &Path) -> Result<()> {
    for (path, text) in EXAMPLES {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

pub fn run(args: &LabArgs, go: Option<&str>) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    match &args.action {
        LabAction::List => {
            for l in LABS {
                writeln!(out, "{}. {:<42} {}", l.number, l.title, l.doc_path)?;
            }
            Ok(0)
        }
        LabAction::Show { n, format, output } => {
            crate::cli::output::check(output.as_deref())?;
            let l = lab(*n)?;
            let text = match format {
                ShowFormat::Markdown => l.doc.to_string(),
                ShowFormat::Html => {
                    let all: Vec<(u32, &str)> = LABS.iter().map(|l| (l.number, l.title)).collect();
                    crate::report::html::lab(l.number, l.title, l.doc, &all)?
                }
            };
            crate::cli::output::emit(output.as_deref(), |o| {
                o.write_all(text.as_bytes())?;
                Ok(())
            })?;
            Ok(0)
        }
        LabAction::Run { n } => {
            let l = lab(*n)?;
            let tcs = Toolchain::resolve(go)?;
            run_versions(l, &tcs, &mut out)
        }
        LabAction::Docs { dir, write } => docs(dir, *write, go, &mut out),
        LabAction::Figure { n, output } => {
            crate::cli::output::check(output.as_deref())?;
            lab(*n)?;
            let tc = Toolchain::single(go, "lab")?;
            let svg = figure(&tc, *n)?;
            crate::cli::output::emit(output.as_deref(), |o| {
                o.write_all(svg.as_bytes())?;
                Ok(())
            })?;
            Ok(0)
        }
    }
}

/// Runs a lab on each toolchain; with several, ends with the claims whose
/// verdict or measurement differs between them.
fn run_versions(l: &Lab, tcs: &[Toolchain], out: &mut dyn Write) -> Result<i32> {
    if let [tc] = tcs {
        return Ok(run_lab(l, tc, out)?.0);
    }
    let mut code = 0;
    let mut reports = Vec::new();
    for tc in tcs {
        let (c, report) = run_lab(l, tc, out)?;
        code = code.max(c);
        reports.extend(report);
        writeln!(out)?;
    }
    if reports.len() > 1 {
        writeln!(out, "claims across versions:")?;
        crate::cmd::lem::write_versions(&reports, out)?;
    }
    Ok(code)
}

/// `lab docs`: compares (or, with `write`, refreshes) every marked output
/// block of the docs in `dir` with live runs on the local Go.
fn docs(dir: &Path, write: bool, go: Option<&str>, out: &mut dyn Write) -> Result<i32> {
    let tc = Toolchain::single(go, "lab docs")?;
    let entries = std::fs::read_dir(dir).map_err(|e| {
        UsageError::new(format!(
            "--dir {}: {e}; run from the repository root or pass --dir docs/labs",
            dir.display()
        ))
    })?;
    let mut files: Vec<std::path::PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    // Each run happens once, however many blocks show its output.
    let cache: std::cell::RefCell<std::collections::BTreeMap<crate::lab::docs::Run, String>> =
        Default::default();
    let live = |run: &crate::lab::docs::Run| -> String {
        if let Some(s) = cache.borrow().get(run) {
            return s.clone();
        }
        let (n, spec) = run;
        let mut buf = Vec::new();
        let done = lab(*n).and_then(|l| match spec {
            None => run_versions(l, std::slice::from_ref(&tc), &mut buf),
            Some(spec) => run_versions(l, &Toolchain::resolve(Some(spec))?, &mut buf),
        });
        let text = match done {
            Ok(_) => String::from_utf8_lossy(&buf).into_owned(),
            Err(e) => format!("lab run {n} failed: {e:#}"),
        };
        cache.borrow_mut().insert(run.clone(), text.clone());
        text
    };
    let mut stale_blocks = 0;
    let mut blocks = 0;
    for f in &files {
        let doc = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        blocks += crate::lab::docs::blocks(&doc).len();
        let problems = crate::lab::docs::stale(&doc, &live);
        if problems.is_empty() {
            continue;
        }
        if write {
            let fresh = crate::lab::docs::refresh(&doc, &live)
                .map_err(|e| UsageError::new(format!("{}: {e}", f.display())))?;
            crate::cli::output::write_atomic(f, fresh.as_bytes())?;
            writeln!(
                out,
                "{}: refreshed {} block(s)",
                f.display(),
                problems.len()
            )?;
        } else {
            for p in &problems {
                writeln!(out, "{}: {p}", f.display())?;
            }
            stale_blocks += problems.len();
        }
    }
    if blocks == 0 {
        return Err(UsageError::new(format!(
            "--dir {}: no `<!-- output of: ifacealloc lab run N -->` blocks in its .md files; pass --dir docs/labs",
            dir.display()
        ))
        .into());
    }
    if stale_blocks > 0 {
        writeln!(
            out,
            "{stale_blocks} stale output block(s) on {}; `ifacealloc lab docs --write` refreshes them",
            tc.goversion
        )?;
        return Ok(1);
    }
    writeln!(
        out,
        "all {blocks} outputs shown in {} match a live run (on {} unless a block names versions)",
        dir.display(),
        tc.goversion
    )?;
    Ok(0)
}

/// Lab `n`'s figure, drawn from a run of its example program on `tc`.
pub fn figure(tc: &Toolchain, n: u32) -> Result<String> {
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-lab-")?;
    write_examples(tmp.path())?;
    let fig = crate::lab::figure::collect(tc, tmp.path(), n)?;
    Ok(crate::lab::figure::svg(&fig))
}

/// Runs one lab and prints what it shows; returns 1 if a claim failed, and
/// the report of its `lem` claims, if it has any.
pub fn run_lab(l: &Lab, tc: &Toolchain, out: &mut dyn Write) -> Result<(i32, Option<lem::Report>)> {
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-lab-")?;
    let dir = tmp.path();
    write_examples(dir)?;
    writeln!(
        out,
        "Lab {}: {} — on {} {}/{}",
        l.number, l.title, tc.goversion, tc.goos, tc.goarch
    )?;
    let mut failed = false;
    let mut lem_report = None;
    if l.number == 1 {
        failed |= !vet_examples(tc, dir, out)?;
    }
    let figure = crate::lab::figure::FIGURES.iter().find(|f| f.0 == l.number);
    for prog in l.programs {
        if let Some(&(_, fprog, args)) = figure.filter(|f| f.1 == *prog) {
            run_figure_program(l, tc, dir, (fprog, args), out)?;
            continue;
        }
        writeln!(out, "\n$ go run {prog}")?;
        let o = crate::cli::interrupt::output(tc.command(dir).args(["run", prog]))?;
        out.write_all(&o.stdout)?;
        if !o.status.success() {
            out.write_all(&o.stderr)?;
            failed = true;
        }
    }
    for pkg in l.test_packages {
        failed |= !run_tests(tc, dir, pkg, out)?;
    }
    for pkg in l.bench_packages {
        failed |= !run_benchmarks(tc, dir, pkg, out)?;
    }
    if !l.lem_packages.is_empty() {
        let report = check_claims(l, tc, dir, out)?;
        failed |= report.failed() > 0;
        lem_report = Some(report);
    }
    for (target, arch) in l.asm {
        let (file, func) = target.split_once(':').expect("static target");
        match arch {
            Some(a) => writeln!(out, "\n$ ifacealloc asm --arch {a} {target}")?,
            None => writeln!(out, "\n$ ifacealloc asm {target}")?,
        }
        let text = crate::scan::assembly::render(tc, &dir.join(file), func, *arch)?;
        out.write_all(text.as_bytes())?;
    }
    Ok((if failed { 1 } else { 0 }, lem_report))
}

/// Lab 1: the toolchain, and `go vet` on the examples; whether vet passed.
fn vet_examples(tc: &Toolchain, dir: &Path, out: &mut dyn Write) -> Result<bool> {
    writeln!(
        out,
        "\ngo: {} (GOROOT {})",
        tc.go.display(),
        tc.goroot.display()
    )?;
    let vet = crate::cli::interrupt::output(tc.command(dir).args(["vet", "./..."]))?;
    let ok = vet.status.success();
    writeln!(
        out,
        "go vet ./... on the lab examples: {}",
        if ok { "ok" } else { "FAILED" }
    )?;
    if !ok {
        out.write_all(&vet.stderr)?;
    }
    Ok(ok)
}

/// The figure's program: one build and run serve both its output and the
/// addresses resolved against its symbol table.
fn run_figure_program(
    l: &Lab,
    tc: &Toolchain,
    dir: &Path,
    (fprog, args): (&str, &[&str]),
    out: &mut dyn Write,
) -> Result<()> {
    let exe = fprog.rsplit('/').next().unwrap_or(fprog);
    let run = [format!("./{exe}")]
        .into_iter()
        .chain(args.iter().map(|a| a.to_string()));
    writeln!(
        out,
        "\n$ go build -o {exe} {fprog} && {}",
        run.collect::<Vec<_>>().join(" ")
    )?;
    let fig = crate::lab::figure::collect(tc, dir, l.number)?;
    for line in fig.output.lines().filter(|l| !l.starts_with("figure\t")) {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "\nwhere each data word pointed (regions from the binary's symbol table; `lab figure {}` draws this):",
        l.number
    )?;
    for v in &fig.values {
        writeln!(
            out,
            "  {:<28} type word {:#x} ({}) → data word {:#x}: {}",
            v.label,
            v.type_word,
            if v.type_in_rodata {
                "read-only data"
            } else {
                "not read-only data"
            },
            v.data_word,
            crate::lab::figure::place(v)
        )?;
    }
    Ok(())
}

/// `go test -v` of a lab package, its results and logs; whether it passed.
fn run_tests(tc: &Toolchain, dir: &Path, pkg: &str, out: &mut dyn Write) -> Result<bool> {
    writeln!(out, "\n$ go test {pkg}")?;
    let o = crate::cli::interrupt::output(
        tc.command(dir)
            .args(["test", "-count=1", "-v", "-run", "^Test", pkg]),
    )?;
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        // Results, and what the tests logged (t.Logf: indented file:line).
        let logged = line.starts_with("    ") && line.contains("_test.go:");
        if line.starts_with("--- ") || line.starts_with("ok") || line.starts_with("FAIL") || logged
        {
            writeln!(out, "{line}")?;
        }
    }
    Ok(o.status.success())
}

/// `go test -bench` of a lab package, its benchmark lines; whether it passed.
fn run_benchmarks(tc: &Toolchain, dir: &Path, pkg: &str, out: &mut dyn Write) -> Result<bool> {
    writeln!(out, "\n$ go test -run '^$' -bench . -benchmem {pkg}")?;
    let o = crate::cli::interrupt::output(tc.command(dir).args([
        "test",
        "-count=1",
        "-run",
        "^$",
        "-bench",
        ".",
        "-benchmem",
        "-benchtime=200000x",
        pkg,
    ]))?;
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        if line.starts_with("Benchmark") || line.starts_with("ok") || line.starts_with("FAIL") {
            writeln!(out, "{line}")?;
        }
    }
    if !o.status.success() {
        out.write_all(&o.stderr)?;
    }
    Ok(o.status.success())
}

/// The lab's lem claims, checked on this toolchain.
fn check_claims(l: &Lab, tc: &Toolchain, dir: &Path, out: &mut dyn Write) -> Result<lem::Report> {
    writeln!(
        out,
        "\n$ ifacealloc lem {} (claims checked on {})",
        l.lem_packages.join(" "),
        tc.goversion
    )?;
    let patterns: Vec<String> = l.lem_packages.iter().map(|s| s.to_string()).collect();
    let report = lem::run(
        tc,
        dir,
        &patterns,
        &lem::Options {
            gcflags: vec![],
            run: None,
            count: 1,
            benchtime: Some("10000x".into()),
            timeout: std::time::Duration::from_secs(600),
        },
    )?;
    crate::cmd::lem::write_text(&report, out)?;
    Ok(report)
}
