//! `ifacealloc check [PATTERNS]`: `//ifacealloc:noalloc` and
//! `//ifacealloc:noifacealloc` directives against the compiled code.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::check::{self, Options, Outcome, Status};
use crate::cli::output;
use crate::go::toolchain::Toolchain;

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

    /// Build tags, as `go build -tags` takes them.
    #[arg(long, value_name = "TAG,...", value_delimiter = ',')]
    pub tags: Vec<String>,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Go's `file:line: message`, one line per violation.
    Text,
    Json,
}

pub fn run(args: &CheckArgs, go: Option<&str>) -> Result<i32> {
    output::check(args.output.as_deref())?;
    let (dir, patterns) = super::packages::target(args.dir.as_deref(), &args.patterns, "check")?;
    let tc = Toolchain::single(go, "check")?;
    let opts = Options {
        allow_may: args.allow_may,
        tags: args.tags.clone(),
    };
    let outcomes = check::check(&tc, &dir, &patterns, &opts)?;
    output::emit(args.output.as_deref(), |out| match args.format {
        CheckFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &outcomes)?;
            writeln!(out)?;
            Ok(())
        }
        CheckFormat::Text => write_text(&outcomes, &tc, out),
    })?;
    let count = |s: Status| outcomes.iter().filter(|o| o.status == s).count();
    eprintln!(
        "check: {} on {}: {} held, {} violated, {} not compiled",
        crate::report::scan::plural(outcomes.len(), "directive"),
        tc.goversion,
        count(Status::Held),
        count(Status::Violated),
        count(Status::NotCompiled)
    );
    Ok(i32::from(count(Status::Violated) > 0))
}

/// One line per forbidden call, in Go's `file:line: message` form, and one
/// per directive on code the build did not compile.
fn write_text(outcomes: &[Outcome], tc: &Toolchain, out: &mut dyn Write) -> Result<()> {
    for o in outcomes {
        match o.status {
            Status::NotCompiled => writeln!(
                out,
                "{}:{}: {} {}: not compiled for {}/{} (build constraints)",
                o.file,
                o.line,
                o.directive.name(),
                o.function,
                tc.goos,
                tc.goarch
            )?,
            Status::Held if o.violations.is_empty() => {}
            _ => {
                for v in &o.violations {
                    let mut what = v.kind.name().to_string();
                    if let Some(c) = v.condition {
                        what.push_str(&format!(", {c}"));
                    }
                    if v.inlined {
                        what.push_str(", inlined");
                    }
                    writeln!(
                        out,
                        "{}:{}: {} {}: {} {} ({what})",
                        v.file,
                        v.line,
                        o.directive.name(),
                        o.function,
                        v.call,
                        if v.may { "may allocate" } else { "allocates" },
                    )?;
                }
            }
        }
    }
    Ok(())
}
