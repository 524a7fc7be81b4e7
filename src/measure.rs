//! Build and run: writes a generated module to disk, builds it once with the
//! live toolchain and runs the binary, reading its JSON lines as they come.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::catalog::Row;
use crate::classify::{self, Classification};
use crate::error::UsageError;
use crate::generate::Module;
use crate::gotype::Arch;
use crate::model::{fmt_num, per_op, CaseResult, GoInfo, Matrix, Predicted, RowResult};
use crate::progress::Progress;
use crate::rules;
use crate::toolchain::Toolchain;

/// Where the generated module lives: a temporary directory removed afterwards,
/// or a directory the user asked to keep.
pub enum Workdir {
    Temp(crate::interrupt::TempDir),
    Kept(PathBuf),
}

impl Workdir {
    /// `keep`: the user's `--keep DIR`; it must be empty or not exist.
    pub fn new(keep: Option<&Path>) -> Result<Workdir> {
        match keep {
            None => Ok(Workdir::Temp(
                crate::interrupt::temp_dir("ifacealloc-")
                    .context("creating a temporary directory")?,
            )),
            Some(dir) => {
                if dir.exists() {
                    let non_empty = std::fs::read_dir(dir)
                        .map_err(|e| {
                            UsageError::new(format!(
                                "--keep {}: {e}; give a new or empty directory",
                                dir.display()
                            ))
                        })?
                        .next()
                        .is_some();
                    if non_empty {
                        return Err(UsageError::new(format!(
                            "--keep {}: directory is not empty; give a new or empty directory",
                            dir.display()
                        ))
                        .into());
                    }
                }
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                // Absolute, so go and gofmt (run inside it) find the files.
                let dir = dir
                    .canonicalize()
                    .with_context(|| format!("resolving {}", dir.display()))?;
                Ok(Workdir::Kept(dir))
            }
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            Workdir::Temp(t) => t.path(),
            Workdir::Kept(p) => p,
        }
    }
}

/// Writes the module's files into `dir` and formats them with the toolchain's
/// gofmt (multi-field struct types are laid out over several lines by gofmt).
pub fn write_module(tc: &Toolchain, module: &Module, dir: &Path) -> Result<()> {
    crate::timings::phase("generate", || write_module_inner(tc, module, dir))
}

fn write_module_inner(tc: &Toolchain, module: &Module, dir: &Path) -> Result<()> {
    let mut go_files = Vec::new();
    for (name, text) in &module.files {
        let p = dir.join(name);
        std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
        if name.ends_with(".go") {
            go_files.push(p);
        }
    }
    tc.gofmt(dir, &go_files)
}

const NULL_DEVICE: &str = if cfg!(windows) { "NUL" } else { "/dev/null" };

#[derive(Deserialize)]
struct RowLine {
    go_type: String,
    size: u64,
    align: u64,
}

#[derive(Deserialize)]
struct CaseLine {
    case: usize,
    iterations: u64,
    mallocs: u64,
    bytes: u64,
    /// Wall time of the fastest round.
    #[serde(default)]
    nanos: u64,
}

/// Builds the module in `dir` and runs every case; returns the filled matrix.
/// `cross` are further GOARCH values whose routines come from cross-compiling.
pub fn run(
    tc: &Toolchain,
    rows: &[Row],
    module: &Module,
    dir: &Path,
    iterations: u64,
    catalog: &str,
    cross: &[Arch],
) -> Result<Matrix> {
    let progress = Progress::new(
        module.cases.len() as u64 + 1 + cross.len() as u64,
        "building",
    );
    let exe = dir.join(if cfg!(windows) {
        "matrix.exe"
    } else {
        "matrix"
    });
    // One build gives the binary and, on stderr, the listing and diagnostics:
    // -S and -m change what the compiler prints, not the code it generates.
    let gcflags = format!("-gcflags={}", classify::gcflags(tc.version));
    let built = crate::timings::phase("build", || {
        tc.run(
            dir,
            &[
                "build",
                "-trimpath",
                &gcflags,
                "-o",
                &exe.to_string_lossy(),
                ".",
            ],
        )
    })?;
    let cases_go = std::fs::read_to_string(dir.join(classify::CASES_FILE))
        .context("reading the generated cases.go")?;
    let host_arch = Arch::by_name(&tc.goarch)
        .with_context(|| format!("unknown host GOARCH {:?}", tc.goarch))?;
    let host = crate::timings::phase("parse", || {
        classify::classify(
            &String::from_utf8_lossy(&built.stderr),
            &cases_go,
            &module.cases,
            rows,
            &host_arch,
            tc.version,
        )
    })?;
    let mut per_arch: Vec<(String, Vec<Classification>)> = Vec::new();
    for arch in cross {
        progress.inc("cross-compiling");
        let out = tc.run_for(
            dir,
            &["build", "-trimpath", &gcflags, "-o", NULL_DEVICE, "."],
            Some(arch.name),
        )?;
        let c = classify::classify(
            &String::from_utf8_lossy(&out.stderr),
            &cases_go,
            &module.cases,
            rows,
            arch,
            tc.version,
        )?;
        per_arch.push((arch.name.to_string(), c));
    }
    progress.inc("measuring");
    let run_started = std::time::Instant::now();

    let mut tracked = crate::interrupt::spawn(
        std::process::Command::new(&exe)
            .arg(iterations.to_string())
            .current_dir(dir)
            .env("GOMAXPROCS", "1")
            .env("GODEBUG", "")
            .env("GOGC", "100")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
    .with_context(|| format!("running {}", exe.display()))?;
    let child = &mut tracked.child;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut results: Vec<RowResult> = Vec::with_capacity(rows.len());
    let mut seen_cases = 0usize;
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading the measuring program's output")?;
        if line.contains("\"case\"") {
            let c: CaseLine = serde_json::from_str(&line)
                .with_context(|| format!("unexpected output from the measuring program: {line}"))?;
            let Some(case) = module.cases.get(c.case) else {
                bail!("the measuring program reported unknown case {}", c.case);
            };
            let row = results
                .get_mut(case.row)
                .context("the measuring program reported a case before its row")?;
            let class = host.get(c.case).cloned().unwrap_or_default();
            let src_row = &rows[case.row];
            let mut result = CaseResult {
                scenario: case.scenario,
                allocs_per_op: per_op(c.mallocs, c.iterations),
                bytes_per_op: per_op(c.bytes, c.iterations),
                ns_per_op: per_op(c.nanos, c.iterations),
                mallocs: c.mallocs,
                total_bytes: c.bytes,
                iterations: c.iterations,
                routine: class.routine,
                escape: class.escape,
                note: class.note,
                routines: per_arch
                    .iter()
                    .map(|(a, cs)| (a.clone(), cs.get(c.case).and_then(|x| x.routine)))
                    .collect(),
                prediction: None,
                prediction_ok: false,
            };
            let predicted =
                rules::scenario_input(&src_row.ty, case.scenario, src_row.value.as_ref())
                    .and_then(|(v, source)| {
                        rules::predict(
                            &src_row.ty,
                            &v,
                            source,
                            tc.version,
                            &host_arch,
                            c.iterations,
                        )
                        .ok()
                    })
                    .map(|p| Predicted {
                        routine: p.routine,
                        allocs_per_op: p.allocs as f64,
                        bytes_per_op: p.bytes,
                    });
            result.prediction_ok = match &predicted {
                Some(p) => {
                    Some(p.routine) == result.routine
                        && p.allocs_per_op == result.allocs_per_op
                        && p.bytes_per_op == result.bytes_per_op
                }
                None => result.allocs_per_op == 0.0,
            };
            result.prediction = predicted;
            if !result.consistent() {
                let msg = format!(
                    "measured {} allocs/op, but the routine is {}",
                    fmt_num(result.allocs_per_op),
                    result.routine.map(|r| r.name()).unwrap_or("none")
                );
                result.note = Some(match result.note.take() {
                    Some(n) => format!("{n}; {msg}"),
                    None => msg,
                });
            }
            row.cases.push(result);
            seen_cases += 1;
            progress.inc("measuring");
        } else {
            let r: RowLine = serde_json::from_str(&line)
                .with_context(|| format!("unexpected output from the measuring program: {line}"))?;
            let Some(src) = rows.get(results.len()) else {
                bail!("the measuring program reported more rows than it was given");
            };
            results.push(RowResult {
                name: src.name.clone(),
                type_expr: src.ty.go_syntax(),
                go_type: r.go_type,
                size: r.size,
                align: r.align,
                cases: Vec::new(),
            });
        }
    }
    let mut stderr = Vec::new();
    if let Some(mut e) = child.stderr.take() {
        std::io::Read::read_to_end(&mut e, &mut stderr)
            .context("reading the measuring program's errors")?;
    }
    let status = child.wait().context("waiting for the measuring program")?;
    crate::timings::add("run", run_started.elapsed());
    progress.finish();
    if !status.success() || seen_cases != module.cases.len() {
        bail!(
            "the measuring program failed ({status}) after {seen_cases} of {} cases:\n{}",
            module.cases.len(),
            String::from_utf8_lossy(&stderr).trim_end()
        );
    }
    Ok(Matrix {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        go: GoInfo {
            version: tc.goversion.clone(),
            goos: tc.goos.clone(),
            goarch: tc.goarch.clone(),
        },
        catalog: catalog.to_string(),
        iterations,
        cross_archs: cross.iter().map(|a| a.name.to_string()).collect(),
        rows: results,
    })
}
