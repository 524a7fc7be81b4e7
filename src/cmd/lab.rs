//! `ifacealloc lab list | show N | run N`: the walkthrough, whose every claim is
//! checked on the reader's own Go. The docs and example code are built into the
//! binary; `run` writes the examples to a temporary module and runs them there.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::error::UsageError;
use crate::lem;
use crate::toolchain::Toolchain;

#[derive(Debug, Args)]
pub struct LabArgs {
    #[command(subcommand)]
    pub action: LabAction,
}

#[derive(Debug, Subcommand)]
pub enum LabAction {
    /// List the labs.
    List,
    /// Print a lab's text.
    Show {
        /// Lab number (1-5).
        n: u32,
    },
    /// Run a lab's examples on the local Go and check its claims.
    Run {
        /// Lab number (1-5).
        n: u32,
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
    /// `FILE.go:FUNC` targets for `asm`.
    pub asm: &'static [&'static str],
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
        asm: &[],
    },
    Lab {
        number: 2,
        title: "Interface values",
        doc_path: "docs/labs/02-interface-values.md",
        doc: include_str!("../../docs/labs/02-interface-values.md"),
        programs: &["./cmd/words"],
        lem_packages: &["./ifacevalues"],
        test_packages: &["./ifacevalues"],
        asm: &[],
    },
    Lab {
        number: 3,
        title: "Escape analysis",
        doc_path: "docs/labs/03-escape-analysis.md",
        doc: include_str!("../../docs/labs/03-escape-analysis.md"),
        programs: &[],
        lem_packages: &["./escape"],
        test_packages: &[],
        asm: &[],
    },
    Lab {
        number: 4,
        title: "Missing mallocs",
        doc_path: "docs/labs/04-missing-mallocs.md",
        doc: include_str!("../../docs/labs/04-missing-mallocs.md"),
        programs: &[],
        lem_packages: &["./mallocs"],
        test_packages: &[],
        asm: &[],
    },
    Lab {
        number: 5,
        title: "Lessons learned, and a FAQ on Go assembly",
        doc_path: "docs/labs/05-lessons-and-asm.md",
        doc: include_str!("../../docs/labs/05-lessons-and-asm.md"),
        programs: &[],
        lem_packages: &[],
        test_packages: &[],
        asm: &["asmwalk/asmwalk.go:Store"],
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
        LabAction::Show { n } => {
            out.write_all(lab(*n)?.doc.as_bytes())?;
            Ok(0)
        }
        LabAction::Run { n } => {
            let l = lab(*n)?;
            let tc = Toolchain::single(go, "lab")?;
            run_lab(l, &tc, &mut out)
        }
        LabAction::Figure { n, output } => {
            crate::output::check(output.as_deref())?;
            lab(*n)?;
            let tc = Toolchain::single(go, "lab")?;
            let svg = figure(&tc, *n)?;
            crate::output::emit(output.as_deref(), |o| {
                o.write_all(svg.as_bytes())?;
                Ok(())
            })?;
            Ok(0)
        }
    }
}

/// Lab `n`'s figure, drawn from a run of its example program on `tc`.
pub fn figure(tc: &Toolchain, n: u32) -> Result<String> {
    let tmp = crate::interrupt::temp_dir("ifacealloc-lab-")?;
    write_examples(tmp.path())?;
    let fig = crate::labfigure::collect(tc, tmp.path(), n)?;
    Ok(crate::labfigure::svg(&fig))
}

/// Runs one lab and prints what it shows; returns 1 if a claim failed.
pub fn run_lab(l: &Lab, tc: &Toolchain, out: &mut dyn Write) -> Result<i32> {
    let tmp = crate::interrupt::temp_dir("ifacealloc-lab-")?;
    let dir = tmp.path();
    write_examples(dir)?;
    writeln!(
        out,
        "Lab {}: {} — on {} {}/{}",
        l.number, l.title, tc.goversion, tc.goos, tc.goarch
    )?;
    let mut failed = false;
    if l.number == 1 {
        writeln!(
            out,
            "\ngo: {} (GOROOT {})",
            tc.go.display(),
            tc.goroot.display()
        )?;
        let vet = crate::interrupt::output(tc.command(dir).args(["vet", "./..."]))?;
        let ok = vet.status.success();
        writeln!(
            out,
            "go vet ./... on the lab examples: {}",
            if ok { "ok" } else { "FAILED" }
        )?;
        if !ok {
            out.write_all(&vet.stderr)?;
            failed = true;
        }
    }
    for prog in l.programs {
        writeln!(out, "\n$ go run {prog}")?;
        let o = crate::interrupt::output(tc.command(dir).args(["run", prog]))?;
        out.write_all(&o.stdout)?;
        if !o.status.success() {
            out.write_all(&o.stderr)?;
            failed = true;
        }
    }
    for pkg in l.test_packages {
        writeln!(out, "\n$ go test {pkg}")?;
        let o = crate::interrupt::output(
            tc.command(dir)
                .args(["test", "-count=1", "-v", "-run", "^Test", pkg]),
        )?;
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            if line.starts_with("--- ") || line.starts_with("ok") || line.starts_with("FAIL") {
                writeln!(out, "{line}")?;
            }
        }
        if !o.status.success() {
            failed = true;
        }
    }
    if !l.lem_packages.is_empty() {
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
        failed |= report.failed() > 0;
    }
    for target in l.asm {
        let (file, func) = target.split_once(':').expect("static target");
        writeln!(out, "\n$ ifacealloc asm {target}")?;
        let text = crate::cmd::asm::render(tc, &dir.join(file), func)?;
        out.write_all(text.as_bytes())?;
    }
    Ok(if failed { 1 } else { 0 })
}
