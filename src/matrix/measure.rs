//! Build and run: writes a generated module to disk, builds it once with the
//! live toolchain and runs the binary, reading its JSON lines as they come.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::cli::error::UsageError;
use crate::cli::progress::Progress;
use crate::go::toolchain::Toolchain;
use crate::matrix::classify::{self, Classification};
use crate::matrix::generate::Module;
use crate::matrix::results::{fmt_num, per_op, CaseResult, GoInfo, Matrix, Predicted, RowResult};
use crate::model::catalog::Row;
use crate::model::gotype::Arch;
use crate::model::rules;

/// Where the generated module lives: a temporary directory removed afterwards,
/// or a directory the user asked to keep.
pub enum Workdir {
    Temp(crate::cli::interrupt::TempDir),
    Kept(PathBuf),
}

impl Workdir {
    /// `keep`: the user's `--keep DIR`; it must be empty or not exist.
    pub fn new(keep: Option<&Path>) -> Result<Workdir> {
        match keep {
            None => Ok(Workdir::Temp(
                crate::cli::interrupt::temp_dir("ifacealloc-")
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
                // Every way this fails is the path's (a dangling symlink, a
                // file, /proc, no permission): the user's to fix.
                std::fs::create_dir_all(dir).map_err(|e| {
                    UsageError::new(format!(
                        "--keep {}: cannot create it ({e}); give a new or empty directory in a writable place",
                        dir.display()
                    ))
                })?;
                // Absolute, so go and gofmt (run inside it) find the files.
                let dir = dir.canonicalize().map_err(|e| {
                    UsageError::new(format!(
                        "--keep {}: {e}; give a new or empty directory",
                        dir.display()
                    ))
                })?;
                let probe = dir.join(".ifacealloc-probe");
                std::fs::write(&probe, b"").map_err(|e| {
                    UsageError::new(format!(
                        "--keep {}: cannot write there ({e}); give a new or empty directory in a writable place",
                        dir.display()
                    ))
                })?;
                let _ = std::fs::remove_file(&probe);
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
    crate::cli::timings::phase("generate", || write_module_inner(tc, module, dir))
}

fn write_module_inner(tc: &Toolchain, module: &Module, dir: &Path) -> Result<()> {
    // gofmt's answer for the same text and toolchain is cached: running it
    // costs more than everything else in a warm run's generate phase.
    let cached = crate::go::toolchain::cache_dir().map(|d| {
        d.join("gofmt")
            .join(format!("{:016x}", module_hash(tc, module)))
    });
    let mut unformatted = Vec::new();
    for (name, text) in &module.files {
        let p = dir.join(name);
        // A cached entry is used only if it is this text reformatted: gofmt
        // changes nothing but white space here, so a damaged entry (emptied,
        // cut short, edited) is read as missing and formatted again.
        let formatted = cached
            .as_ref()
            .filter(|_| name.ends_with(".go"))
            .and_then(|c| std::fs::read(c.join(name)).ok())
            .filter(|f| same_but_space(f, text.as_bytes()));
        if name.ends_with(".go") && formatted.is_none() {
            unformatted.push(p.clone());
        }
        let bytes = formatted.as_deref().unwrap_or(text.as_bytes());
        std::fs::write(&p, bytes).with_context(|| format!("writing {}", p.display()))?;
    }
    if unformatted.is_empty() {
        return Ok(());
    }
    tc.gofmt(dir, &unformatted)?;
    if let Some(c) = &cached {
        for p in &unformatted {
            if let (Some(name), Ok(formatted)) = (p.file_name(), std::fs::read(p)) {
                crate::cli::output::write_cache(&c.join(name), &formatted);
            }
        }
    }
    Ok(())
}

/// Whether `a` and `b` hold the same bytes apart from white space.
fn same_but_space(a: &[u8], b: &[u8]) -> bool {
    let solid = |x: &[u8]| -> Vec<u8> {
        x.iter()
            .copied()
            .filter(|c| !c.is_ascii_whitespace())
            .collect()
    };
    solid(a) == solid(b)
}

/// The largest value ifacealloc stores to measure it: each measured store may
/// copy the value to the heap, many times over.
pub const MAX_MEASURED_BYTES: u64 = 256 << 20;

/// How much one round of a case may copy: large values get fewer iterations
/// (at least 16), so a row of megabyte arrays takes seconds, not hours.
const ROUND_BYTES: u64 = 1 << 30;

/// `requested` iterations, fewer for large values; an error for values too
/// large to measure at all.
fn iterations_for(tc: &Toolchain, rows: &[Row], requested: u64) -> Result<u64> {
    let Some(arch) = Arch::by_name(&tc.goarch) else {
        return Ok(requested);
    };
    let Some((row, size)) = rows
        .iter()
        .map(|r| (r, r.ty.layout(&arch).size))
        .max_by_key(|(_, size)| *size)
    else {
        return Ok(requested);
    };
    if size > MAX_MEASURED_BYTES {
        return Err(crate::cli::error::UsageError::new(format!(
            "{} is {size} bytes, too large to measure (ifacealloc measures values of up to {} MiB, since each measured store copies the value); leave it out, or drop --verify for the prediction alone",
            row.ty.go_syntax(),
            MAX_MEASURED_BYTES >> 20
        ))
        .into());
    }
    Ok(requested.min((ROUND_BYTES / size.max(1)).max(16)))
}

/// How many measuring programs (a few MiB each) the cache keeps.
const KEPT_PROGRAMS: usize = 32;

/// Removes all but the `keep` most recently changed entries of `dir`.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut all: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if all.len() <= keep {
        return;
    }
    all.sort();
    for (_, p) in &all[..all.len() - keep] {
        let _ = std::fs::remove_dir_all(p);
    }
}

/// A hash of the module's text and the toolchain that builds it.
fn module_hash(tc: &Toolchain, module: &Module) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        env!("CARGO_PKG_VERSION"),
        &tc.goversion,
        &tc.goroot,
        &tc.goos,
        &tc.goarch,
    )
        .hash(&mut h);
    module.files.hash(&mut h);
    h.finish()
}

/// What earlier runs of a program recorded, found by the bytes of its build
/// without the listing (`go build -trimpath`, no -gcflags): the compiler's
/// classification of every case and the measurements of the last run.
///
/// Why this is Go's answer and not a guess of ours: go rebuilds that binary
/// when anything it is made from changes (the module's files, the toolchain,
/// the environment go keys its cache on, such as GOAMD64 or GOEXPERIMENT),
/// and its bytes then change, because every package's build ID (a hash of
/// all of its inputs) is written into it. The same bytes mean the same
/// inputs; the listing's build differs only in -gcflags, which print and do
/// not change the code, and they are part of the key, with this ifacealloc.
struct Recorded {
    dir: PathBuf,
    /// The plain build's bytes, hashed, with the -gcflags and this
    /// executable's identity.
    key: String,
}

/// What [`Recorded::replay`] gives: the measurements' lines and the
/// iterations they were measured with.
struct RecordedRun {
    text: String,
    iterations: u64,
}

impl Recorded {
    /// Builds the plain binary beside the measuring program (a failed build
    /// is left to the build with the listing, which reports it).
    fn find(tc: &Toolchain, module_dir: &Path, dir: &Path, gcflags: &str) -> Option<Recorded> {
        let plain = dir.join(if cfg!(windows) { "plain.exe" } else { "plain" });
        let built = crate::cli::timings::phase("build", || {
            tc.run(
                module_dir,
                &["build", "-trimpath", "-o", &plain.to_string_lossy(), "."],
            )
        });
        built.ok()?;
        let bytes = file_hash(&plain)?;
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        gcflags.hash(&mut h);
        // This ifacealloc: what it reads from a listing may change with it.
        let me = std::env::current_exe().and_then(std::fs::metadata).ok()?;
        (me.len(), me.modified().ok()).hash(&mut h);
        Some(Recorded {
            dir: dir.to_path_buf(),
            key: format!("{bytes:016x}-{:016x}", h.finish()),
        })
    }

    fn classified(&self) -> PathBuf {
        self.dir.join(format!("classified-{}.json", self.key))
    }

    fn measured(&self) -> PathBuf {
        self.dir.join(format!("measured-{}.jsonl", self.key))
    }

    /// The recorded classification (one per case) and measurements.
    fn replay(&self, cases: usize) -> Option<(Vec<Classification>, RecordedRun)> {
        let host: Vec<Classification> =
            serde_json::from_slice(&std::fs::read(self.classified()).ok()?).ok()?;
        let text = std::fs::read_to_string(self.measured()).ok()?;
        let (first, rest) = text.split_once('\n')?;
        let iterations = first.strip_prefix("iterations ")?.parse().ok()?;
        (host.len() == cases).then(|| {
            (
                host,
                RecordedRun {
                    text: rest.to_string(),
                    iterations,
                },
            )
        })
    }

    /// Records what this run found, for the next.
    fn record(&self, host: &[Classification], iterations: u64, lines: &str) {
        if let Ok(json) = serde_json::to_vec(host) {
            crate::cli::output::write_cache(&self.classified(), &json);
        }
        let run = format!("iterations {iterations}\n{lines}");
        crate::cli::output::write_cache(&self.measured(), run.as_bytes());
    }
}

/// A file's bytes hashed: the identity of a built measuring program.
fn file_hash(path: &Path) -> Option<u64> {
    use std::hash::Hasher;
    let bytes = std::fs::read(path).ok()?;
    let mut h = rustc_hash::FxHasher::default();
    h.write(&bytes);
    Some(h.finish())
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

/// How a matrix is measured.
pub struct Plan<'a> {
    /// Stores per round of each case (fewer for large values).
    pub iterations: u64,
    /// The catalog's name, for the report.
    pub catalog: &'a str,
    /// Further GOARCH values whose routines come from cross-compiling.
    pub cross: &'a [Arch],
    /// Whether an earlier run of the identical program may stand in for this one.
    pub reuse: bool,
}

/// Builds the module in `dir` and runs every case; returns the filled matrix.
/// `cross` are further GOARCH values whose routines come from cross-compiling.
pub fn run(
    tc: &Toolchain,
    rows: &[Row],
    module: &Module,
    dir: &Path,
    plan: &Plan,
) -> Result<Matrix> {
    let (catalog, cross, reuse) = (plan.catalog, plan.cross, plan.reuse);
    let iterations = iterations_for(tc, rows, plan.iterations)?;
    let progress = Progress::new(
        module.cases.len() as u64 + 1 + cross.len() as u64,
        "building",
    );
    let exe_name = if cfg!(windows) {
        "matrix.exe"
    } else {
        "matrix"
    };
    // The program is built to a path of its own in ifacealloc's cache: when an
    // up-to-date binary is already there, go skips the link, as a warm
    // `go build -o` of an unchanged package does.
    let bin_dir = crate::go::toolchain::cache_dir()
        .map(|d| d.join("matrix"))
        .inspect(|d| prune(d, KEPT_PROGRAMS))
        .map(|d| d.join(format!("{:016x}", module_hash(tc, module))))
        .filter(|d| std::fs::create_dir_all(d).is_ok());
    let exe = bin_dir.as_deref().unwrap_or(dir).join(exe_name);
    // One build gives the binary and, on stderr, the listing and diagnostics:
    // -S and -m change what the compiler prints, not the code it generates.
    let gcflags = format!("-gcflags={}", classify::gcflags(tc.version));
    let host_arch = Arch::by_name(&tc.goarch)
        .with_context(|| format!("unknown host GOARCH {:?}", tc.goarch))?;
    // From the second run of a program on: go builds it once more without
    // the listing, which a warm Go cache answers as fast as any build, and
    // what earlier runs recorded for a build with those bytes is reused.
    let recorded = match &bin_dir {
        Some(d) if reuse && cross.is_empty() && exe.exists() => {
            Recorded::find(tc, dir, d, &gcflags)
        }
        _ => None,
    };
    if let Some(rec) = &recorded {
        let replayed = crate::cli::timings::phase("parse", || rec.replay(module.cases.len()));
        if let Some((host, lines)) = replayed.filter(|(_, l)| l.iterations == iterations) {
            let run_started = std::time::Instant::now();
            let mut filler = Filler::new(tc, rows, module, (&host, &host_arch), &[], &progress);
            if filler.replay(&lines.text) {
                crate::cli::timings::add("run", run_started.elapsed());
                progress.finish();
                eprintln!(
                    "matrix: measurements reused from an earlier run of the identical program on {} (go build found it up to date; the compiler's listing of that build was reused too); pass --fresh to measure again",
                    tc.goversion
                );
                return Ok(filler.matrix(catalog, iterations, cross));
            }
        }
    }
    let built = crate::cli::timings::phase("build", || {
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
    let host = crate::cli::timings::phase("parse", || {
        classify::classify(
            &crate::parse::lines::text(&built.stderr),
            &cases_go,
            &module.cases,
            rows,
            &host_arch,
            tc.version,
        )
    })?;
    let per_arch = classify_cross(tc, rows, module, dir, cross, &gcflags, &cases_go, &progress)?;
    progress.inc("measuring");
    let run_started = std::time::Instant::now();
    // Like `go test`'s result cache: the same program (byte for byte) with the
    // same options measured before gives that run's lines, unless `reuse` is off.
    let saved = match (&bin_dir, reuse) {
        (Some(d), true) => {
            file_hash(&exe).map(|h| d.join(format!("run-{h:016x}-{iterations}.jsonl")))
        }
        _ => None,
    };
    let mut filler = Filler::new(tc, rows, module, (&host, &host_arch), &per_arch, &progress);
    if let Some(lines) = saved.as_ref().and_then(|p| std::fs::read_to_string(p).ok()) {
        if filler.replay(&lines) {
            crate::cli::timings::add("run", run_started.elapsed());
            if let Some(rec) = &recorded {
                rec.record(&host, iterations, &lines);
            }
            progress.finish();
            eprintln!(
                "matrix: measurements reused from an earlier run of the identical program on {}; pass --fresh to measure again",
                tc.goversion
            );
            return Ok(filler.matrix(catalog, iterations, cross));
        }
    }

    let record = run_program(&exe, dir, iterations, &mut filler, module.cases.len());
    crate::cli::timings::add("run", run_started.elapsed());
    progress.finish();
    let record = record?;
    if let Some(p) = &saved {
        crate::cli::output::write_cache(p, record.as_bytes());
    }
    if let Some(rec) = &recorded {
        rec.record(&host, iterations, &record);
    }
    Ok(filler.matrix(catalog, iterations, cross))
}

/// The listing of a build for each `--arch` GOARCH, classified.
#[allow(clippy::too_many_arguments)]
fn classify_cross(
    tc: &Toolchain,
    rows: &[Row],
    module: &Module,
    dir: &Path,
    cross: &[Arch],
    gcflags: &str,
    cases_go: &str,
    progress: &Progress,
) -> Result<Vec<(String, Vec<Classification>)>> {
    let mut per_arch = Vec::new();
    for arch in cross {
        progress.inc("cross-compiling");
        let out = tc.run_for(
            dir,
            &["build", "-trimpath", gcflags, "-o", NULL_DEVICE, "."],
            Some(arch.name),
        )?;
        let c = classify::classify(
            &crate::parse::lines::text(&out.stderr),
            cases_go,
            &module.cases,
            rows,
            arch,
            tc.version,
        )?;
        per_arch.push((arch.name.to_string(), c));
    }
    Ok(per_arch)
}

/// Runs the measuring program (one OS thread, the default GC), feeding each
/// output line to `filler`; the lines, to record for a later identical run.
fn run_program(
    exe: &Path,
    dir: &Path,
    iterations: u64,
    filler: &mut Filler,
    cases: usize,
) -> Result<String> {
    let mut tracked = crate::cli::interrupt::spawn(
        std::process::Command::new(exe)
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
    let mut record = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading the measuring program's output")?;
        filler.line(&line)?;
        record.push_str(&line);
        record.push('\n');
    }
    let mut stderr = Vec::new();
    if let Some(mut e) = child.stderr.take() {
        std::io::Read::read_to_end(&mut e, &mut stderr)
            .context("reading the measuring program's errors")?;
    }
    let status = child.wait().context("waiting for the measuring program")?;
    if !status.success() || filler.seen_cases != cases {
        bail!(
            "the measuring program failed ({status}) after {} of {cases} cases:\n{}",
            filler.seen_cases,
            String::from_utf8_lossy(&stderr).trim_end()
        );
    }
    Ok(record)
}

/// Turns the measuring program's output lines into rows of results.
struct Filler<'a> {
    tc: &'a Toolchain,
    rows: &'a [Row],
    module: &'a Module,
    host: &'a [Classification],
    host_arch: &'a Arch,
    per_arch: &'a [(String, Vec<Classification>)],
    results: Vec<RowResult>,
    seen_cases: usize,
    progress: &'a Progress,
}

impl<'a> Filler<'a> {
    /// A filler with no lines taken yet; `host` is the classification of
    /// every case on the host's architecture.
    fn new(
        tc: &'a Toolchain,
        rows: &'a [Row],
        module: &'a Module,
        (host, host_arch): (&'a [Classification], &'a Arch),
        per_arch: &'a [(String, Vec<Classification>)],
        progress: &'a Progress,
    ) -> Filler<'a> {
        Filler {
            tc,
            rows,
            module,
            host,
            host_arch,
            per_arch,
            results: Vec::with_capacity(rows.len()),
            seen_cases: 0,
            progress,
        }
    }

    /// Takes recorded output lines; whether they held every case (if not,
    /// nothing is kept).
    fn replay(&mut self, lines: &str) -> bool {
        let all = lines.lines().try_for_each(|l| self.line(l)).is_ok();
        if all && self.seen_cases == self.module.cases.len() {
            return true;
        }
        self.results.clear();
        self.seen_cases = 0;
        false
    }

    /// Takes one line of the program's output: a row's layout, or one case's
    /// counts (joined with the compiler's routine and the model's prediction).
    fn line(&mut self, line: &str) -> Result<()> {
        let (tc, rows, module, host, host_arch, per_arch, progress) = (
            self.tc,
            self.rows,
            self.module,
            self.host,
            self.host_arch,
            self.per_arch,
            self.progress,
        );
        let results = &mut self.results;
        if line.contains("\"case\"") {
            let c: CaseLine = serde_json::from_str(line)
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
            let prediction =
                rules::scenario_input(&src_row.ty, case.scenario, src_row.value.as_ref()).and_then(
                    |(v, source)| {
                        rules::predict(&src_row.ty, &v, source, tc.version, host_arch, c.iterations)
                            .ok()
                    },
                );
            let predicted = prediction.as_ref().map(|p| Predicted {
                routine: p.routine,
                allocs_per_op: p.allocs as f64,
                bytes_per_op: p.bytes,
            });
            result.prediction_ok = match &prediction {
                Some(p) => p.admits(result.routine, result.allocs_per_op, result.bytes_per_op),
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
            self.seen_cases += 1;
            progress.inc("measuring");
        } else {
            let r: RowLine = serde_json::from_str(line)
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
        Ok(())
    }

    fn matrix(self, catalog: &str, iterations: u64, cross: &[Arch]) -> Matrix {
        Matrix {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            go: GoInfo {
                version: self.tc.goversion.clone(),
                goos: self.tc.goos.clone(),
                goarch: self.tc.goarch.clone(),
            },
            catalog: catalog.to_string(),
            iterations,
            cross_archs: cross.iter().map(|a| a.name.to_string()).collect(),
            rows: self.results,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_keeps_the_newest() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::create_dir(d.path().join(format!("e{i}"))).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        prune(d.path(), 2);
        let mut left: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["e3", "e4"]);
    }
}
