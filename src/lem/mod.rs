//! `lem`: checks escape-analysis and allocation claims written in Go comments
//! (akutz/lem's syntax, plus per-version and per-GOARCH keys), from outside the
//! package: `go list` finds the files, `go test -overlay` adds a generated
//! harness (and, for packages written for akutz/lem, a stand-in module) without
//! writing to the user's tree, `-gcflags=-m` gives the messages and
//! `testing.Benchmark` the allocations.

pub mod scan;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::cli::error::UsageError;
use crate::go::list::{self as golist, Package};
use crate::go::toolchain::Toolchain;
use crate::model::gotype::go_quote;
use crate::parse::diag;
use scan::{Annotation, FileScan, Key};

/// Options for one `lem` run.
#[derive(Debug, Clone)]
pub struct Options {
    pub gcflags: Vec<String>,
    pub run: Option<Regex>,
    pub count: u32,
    /// go test's -benchtime; `None`: the package's `lem.SetBenchtime`, else adaptive.
    pub benchtime: Option<String>,
    /// How long one package's `go test` may run before it is ended.
    pub timeout: std::time::Duration,
}

/// Parses a Go duration as `go test -timeout` takes it: `90s`, `10m`, `1h30m`, `500ms`.
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let mut total = 0f64;
    let mut rest = s.trim();
    if rest.is_empty() || rest.len() > 32 {
        return None;
    }
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_end..];
    }
    (total > 0.0 && total < 1e9).then(|| std::time::Duration::from_secs_f64(total))
}

/// A regex error on one line (the regex crate draws a caret diagram over several).
pub fn regex_error(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    last.trim_start_matches("error: ").to_string()
}

/// A -benchtime value: a duration (`1s`, `500ms`) or a count (`1000x`).
pub fn valid_benchtime(s: &str) -> bool {
    // As `go test` reads it: a count (`100x`) or a Go duration (`1s`,
    // `1.5m`, `1m30s`, `500ms`).
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(?:[0-9]+x|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|ms|s|m|h)(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|ms|s|m|h))*)$").unwrap()
    });
    s.len() <= 32 && re.is_match(s)
}

/// The literal argument of a `lem.SetBenchtime("...")` call in Go source, as
/// packages written for akutz/lem set their iterations.
fn package_benchtime(src: &str) -> Option<String> {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r#"\blem\.SetBenchtime\(\s*(?:"([^"\\\n]*)"|`([^`]*)`)\s*\)"#).unwrap()
    });
    re.captures_iter(src)
        .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()))
        .find(|b| valid_benchtime(b))
}

/// The verdict on one case (one ID).
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub package: String,
    pub id: String,
    pub name: String,
    pub passed: bool,
    /// One line per failed expectation.
    pub failures: Vec<String>,
    /// The same, as (file, line, what failed).
    #[serde(skip)]
    pub located: Vec<(PathBuf, u32, String)>,
    /// The case's first annotation.
    #[serde(skip)]
    pub at: (PathBuf, u32),
    /// allocs/op and bytes/op of each measured run.
    pub measured: Vec<(f64, f64)>,
    /// The benchmark's b.N in each measured run.
    pub iterations: Vec<u64>,
}

/// Everything one run found.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    pub go_version: String,
    pub goarch: String,
    pub cases: Vec<CaseReport>,
    pub warnings: Vec<String>,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

/// Lists packages with `go list -json` through the session's overlay.
fn list_packages(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    overlay: &Path,
) -> Result<Vec<Package>> {
    let overlay_flag = format!("-overlay={}", overlay.display());
    golist::list(tc, dir, &[overlay_flag.as_str()], patterns)
}

/// Runs `lem` on `patterns` (directories or package patterns) from `dir`.
pub fn run(tc: &Toolchain, dir: &Path, patterns: &[String], opts: &Options) -> Result<Report> {
    let mut report = Report {
        go_version: tc.goversion.clone(),
        goarch: tc.goarch.clone(),
        ..Report::default()
    };
    // A pattern that names a directory runs there (it may be another module);
    // the rest are package patterns resolved from `dir`.
    let mut groups: Vec<(PathBuf, Vec<String>)> = Vec::new();
    let mut in_dir: Vec<String> = Vec::new();
    for pat in patterns {
        let path = dir.join(pat);
        if !pat.contains("...") && path.is_dir() && pat != "." {
            groups.push((path, vec![".".to_string()]));
        } else {
            in_dir.push(pat.clone());
        }
    }
    if !in_dir.is_empty() {
        groups.insert(0, (dir.to_path_buf(), in_dir));
    }
    for (d, pats) in groups {
        let session = Session::new(tc, &d)?;
        let overlay = session.write_overlay(&BTreeMap::new())?;
        let pkgs = list_packages(tc, &d, &pats, &overlay)?;
        let mut unclaimed = Vec::new();
        for p in pkgs {
            if !check_package(tc, &p, opts, &session, &mut report)? {
                unclaimed.push(p.import_path.clone());
            }
        }
        // A package without claims is still compiled, tests too: a CI gate
        // must not pass a package that does not build (its claims' runs
        // compile the others).
        if !unclaimed.is_empty() {
            let overlay_flag = format!("-overlay={}", overlay.display());
            golist::list(
                tc,
                &d,
                &[overlay_flag.as_str(), "-export", "-test"],
                &unclaimed,
            )?;
        }
    }
    Ok(report)
}

/// What every `go` command of a run shares: a temporary directory, and the
/// module's go.mod overlaid with `replace github.com/akutz/lem => <stub>`, so
/// packages written for akutz/lem build without that module.
struct Session {
    tmp: crate::cli::interrupt::TempDir,
    replace: BTreeMap<String, String>,
    /// Starts each line the harness prints: random per run, so a benchmark's
    /// own output cannot pass for a measurement.
    mark: String,
}

impl Session {
    fn new(tc: &Toolchain, dir: &Path) -> Result<Session> {
        let tmp = crate::cli::interrupt::temp_dir("ifacealloc-lem-")
            .context("creating a temporary directory")?;
        let out = tc.run(dir, &["env", "GOMOD"])?;
        let gomod = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if gomod.is_empty() || gomod == "/dev/null" || gomod == "NUL" {
            return Err(UsageError::new(format!(
                "{}: not inside a Go module; lem needs a go.mod (run `go mod init`)",
                dir.display()
            ))
            .into());
        }
        let stub = tmp.path().join("lemstub");
        std::fs::create_dir_all(&stub)?;
        std::fs::write(
            stub.join("go.mod"),
            "module github.com/akutz/lem\n\ngo 1.17\n",
        )?;
        std::fs::write(stub.join("lem.go"), LEM_STUB)?;
        let mut text =
            std::fs::read_to_string(&gomod).with_context(|| format!("reading {gomod}"))?;
        let required = text.lines().any(|l| l.contains("github.com/akutz/lem "));
        if !required {
            text.push_str("\nrequire github.com/akutz/lem v0.0.0-00010101000000-000000000000\n");
        }
        text.push_str(&format!(
            "\nreplace github.com/akutz/lem => {}\n",
            stub.display()
        ));
        let file = tmp.path().join("go.mod");
        std::fs::write(&file, text)?;
        let mut replace = BTreeMap::new();
        replace.insert(gomod, file.display().to_string());
        let mark = format!("ifacealloc-lem-{:016x}: ", nonce());
        Ok(Session { tmp, replace, mark })
    }

    /// Writes an overlay with the session's files plus `extra`; returns its path.
    fn write_overlay(&self, extra: &BTreeMap<String, String>) -> Result<PathBuf> {
        let mut all = self.replace.clone();
        all.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        let path = self.tmp.path().join(format!(
            "overlay-{}.json",
            extra.len() + all.len() * 1000 + rand_suffix()
        ));
        std::fs::write(
            &path,
            serde_json::to_string(&serde_json::json!({ "Replace": all }))?,
        )?;
        Ok(path)
    }
}

/// 64 unpredictable bits (the standard library's randomly keyed hasher).
fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    h.finish()
}

/// A distinct number per call, for file names within one run.
fn rand_suffix() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// One case's annotations gathered from a package.
#[derive(Debug, Default)]
struct Case {
    anns: Vec<Annotation>,
}

/// Checks one package's claims; `false` when it has none (nothing was built).
fn check_package(
    tc: &Toolchain,
    p: &Package,
    opts: &Options,
    session: &Session,
    report: &mut Report,
) -> Result<bool> {
    let (scans, pkg_benchtime) = scan_package_files(p)?;
    let mut cases: BTreeMap<String, Case> = BTreeMap::new();
    for s in &scans {
        for a in &s.annotations {
            cases.entry(a.id.clone()).or_default().anns.push(a.clone());
        }
    }
    if let Some(re) = &opts.run {
        cases.retain(|id, _| re.is_match(id));
    }
    if cases.is_empty() {
        return Ok(false);
    }
    let funcs = Funcs(
        scans
            .iter()
            .flat_map(|s| s.funcs.iter().map(move |f| (f, s.package.as_str())))
            .collect(),
    );
    let owners = case_owners(&cases, &funcs, &mut report.warnings);
    let benches = benchmarks_to_measure(&cases, &owners);
    let benchtime = opts.benchtime.clone().or(pkg_benchtime);
    let build = build_and_measure(tc, p, &benches, session, opts, benchtime.as_deref())?;
    for (id, c) in &cases {
        let case = judge_case(tc, p, id, c, &build, &mut report.warnings)?;
        report.cases.push(case);
    }
    Ok(true)
}

/// The annotations and functions of a package's files (tests included), and
/// the package's own `lem.SetBenchtime`, if any.
fn scan_package_files(p: &Package) -> Result<(Vec<FileScan>, Option<String>)> {
    let files: Vec<PathBuf> = p
        .go_files
        .iter()
        .chain(&p.test_go_files)
        .chain(&p.xtest_go_files)
        .map(|f| p.dir.join(f))
        .collect();
    let mut scans: Vec<FileScan> = Vec::new();
    let mut pkg_benchtime: Option<String> = None;
    for f in &files {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        let src = String::from_utf8_lossy(&bytes);
        if pkg_benchtime.is_none() {
            pkg_benchtime = package_benchtime(&src);
        }
        let s = scan::scan_file(f, &src);
        if let Some((line, e)) = s.errors.first() {
            return Err(UsageError::new(format!("{}:{line}: {e}", f.display())).into());
        }
        scans.push(s);
    }
    Ok((scans, pkg_benchtime))
}

/// The package's functions, each with its package name.
struct Funcs<'a>(Vec<(&'a scan::Func, &'a str)>);

impl<'a> Funcs<'a> {
    /// The function whose doc comment or body holds `file:line`.
    fn at(&self, file: &Path, line: u32) -> Option<(&'a scan::Func, &'a str)> {
        self.0
            .iter()
            .find(|(f, _)| f.file == file && f.doc_start <= line && line <= f.end)
            .copied()
    }
}

/// Each case's owner: the function whose doc comment holds the ID's
/// annotations, else the one holding its first annotation. Warns of an ID
/// declared by several functions, a key given twice, and an annotation used
/// in another function than its case's.
fn case_owners<'a>(
    cases: &BTreeMap<String, Case>,
    funcs: &Funcs<'a>,
    warnings: &mut Vec<String>,
) -> BTreeMap<String, (&'a scan::Func, &'a str)> {
    let mut owners = BTreeMap::new();
    for (id, c) in cases {
        let doc_funcs: Vec<_> = c
            .anns
            .iter()
            .filter(|a| a.in_doc)
            .filter_map(|a| funcs.at(&a.file, a.line))
            .collect();
        let mut distinct: Vec<&str> = doc_funcs.iter().map(|(f, _)| f.name.as_str()).collect();
        distinct.sort();
        distinct.dedup();
        if distinct.len() > 1 {
            warnings.push(format!(
                "lem.{id}: the ID is declared in the doc comments of several functions ({}); IDs must be unique",
                distinct.join(", ")
            ));
        }
        let owner = doc_funcs
            .first()
            .copied()
            .or_else(|| c.anns.first().and_then(|a| funcs.at(&a.file, a.line)));
        if let Some(o) = owner {
            owners.insert(id.clone(), o);
        }
        // The same key twice with the same qualifiers.
        let mut seen: Vec<(Key, Option<u32>, Option<&str>)> = Vec::new();
        for a in c
            .anns
            .iter()
            .filter(|a| matches!(a.key, Key::Name | Key::Alloc | Key::Bytes))
        {
            let k = (a.key, a.min_go, a.goarch.as_deref());
            if seen.contains(&k) {
                warnings.push(format!(
                    "{}:{}: lem.{id}: duplicate {:?} annotation; the ID is probably reused",
                    a.file.display(),
                    a.line,
                    a.key
                ));
            }
            seen.push(k);
        }
        if let Some((of, _)) = owner {
            for a in c.anns.iter().filter(|a| !a.in_doc) {
                if let Some((f, _)) = funcs.at(&a.file, a.line) {
                    if f.name != of.name || f.file != of.file {
                        warnings.push(format!(
                            "{}:{}: lem.{id} is used in {}, but its case belongs to {} (a copied annotation?)",
                            a.file.display(),
                            a.line,
                            f.name,
                            of.name
                        ));
                    }
                }
            }
        }
    }
    owners
}

/// Benchmarks to measure, by package name: (ID, function) of each case
/// whose owner is a `func(*testing.B)` and that has alloc or bytes keys.
fn benchmarks_to_measure(
    cases: &BTreeMap<String, Case>,
    owners: &BTreeMap<String, (&scan::Func, &str)>,
) -> BTreeMap<String, Vec<(String, String)>> {
    let mut benches: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (id, c) in cases {
        let wants = c
            .anns
            .iter()
            .any(|a| matches!(a.key, Key::Alloc | Key::Bytes));
        if let (true, Some((f, pkg))) = (wants, owners.get(id)) {
            if f.is_benchmark && crate::model::gotype::is_identifier(&f.name) {
                benches
                    .entry(pkg.to_string())
                    .or_default()
                    .push((id.clone(), f.name.clone()));
            }
        }
    }
    benches
}

/// One case's verdict: each `m`/`m!=` claim against the compiler's messages
/// on its line, `alloc`/`bytes` against every measured run.
fn judge_case(
    tc: &Toolchain,
    p: &Package,
    id: &str,
    c: &Case,
    build: &Build,
    warnings: &mut Vec<String>,
) -> Result<CaseReport> {
    let minor = tc.version.minor;
    let pick = |key: Key| -> Option<&Annotation> {
        c.anns
            .iter()
            .filter(|a| a.key == key && applies(a, minor, &tc.goarch))
            .max_by_key(|a| (a.goarch.is_some(), a.min_go.unwrap_or(0)))
    };
    let name = pick(Key::Name)
        .map(|a| a.value.clone())
        .unwrap_or_else(|| id.to_string());
    // (the annotation, what failed): located, for check's reports, and as
    // lem's own `file:line: what` lines.
    let mut failures: Vec<(&Annotation, String)> = Vec::new();
    for a in c.anns.iter().filter(|a| applies(a, minor, &tc.goarch)) {
        let msgs = build.messages_at(&a.file, a.line);
        let loc = format!("{}:{}", display_rel(&a.file), a.line);
        match a.key {
            Key::Match | Key::NoMatch if msgs.is_empty() => {
                warnings.push(format!(
                    "{}:{}: lem.{id}: no compiler output at all on this line",
                    a.file.display(),
                    a.line
                ));
            }
            _ => {}
        }
        match a.key {
            Key::Match => {
                let re = Regex::new(&format!("^(?:{})$", a.value)).map_err(|e| {
                    UsageError::new(format!("{loc}: lem.{id}.m: bad regex: {}", regex_error(&e)))
                })?;
                if !msgs.iter().any(|m| re.is_match(m)) {
                    failures.push((
                        a,
                        format!(
                            "m={} matched no -m message on the line; found: {}",
                            a.value,
                            found(&msgs)
                        ),
                    ));
                }
            }
            Key::NoMatch => {
                let re = Regex::new(&a.value).map_err(|e| {
                    UsageError::new(format!(
                        "{loc}: lem.{id}.m!=: bad regex: {}",
                        regex_error(&e)
                    ))
                })?;
                if let Some(m) = msgs.iter().find(|m| re.is_match(m)) {
                    failures.push((a, format!("m!={} matched {m:?}", a.value)));
                }
            }
            _ => {}
        }
    }
    let runs = build.measured.get(id).cloned().unwrap_or_default();
    let measured: Vec<(f64, f64)> = runs.iter().map(|r| (r.0, r.1)).collect();
    for (key, label, idx) in [(Key::Alloc, "alloc", 0usize), (Key::Bytes, "bytes", 1)] {
        let Some(a) = pick(key) else { continue };
        let loc = format!("{}:{}", display_rel(&a.file), a.line);
        let Some((lo, hi)) = parse_range(&a.value) else {
            return Err(UsageError::new(format!(
                "{loc}: lem.{id}.{label}={:?}: expected N or MIN-MAX",
                a.value
            ))
            .into());
        };
        if measured.is_empty() {
            failures.push((
                a,
                format!(
                    "{label}={}: no benchmark measured (the ID's doc comment must be on a func(*testing.B))",
                    a.value
                ),
            ));
            continue;
        }
        for m in &measured {
            let v = if idx == 0 { m.0 } else { m.1 };
            if v < lo as f64 || v > hi as f64 {
                failures.push((
                    a,
                    format!(
                        "{label}: expected {}, got {}",
                        a.value,
                        crate::matrix::results::fmt_num(v)
                    ),
                ));
            }
        }
    }
    let located: Vec<(PathBuf, u32, String)> = failures
        .iter()
        .map(|(a, what)| (a.file.clone(), a.line, what.clone()))
        .collect();
    let failures: Vec<String> = failures
        .iter()
        .map(|(a, what)| format!("{}:{}: {what}", display_rel(&a.file), a.line))
        .collect();
    let at = c
        .anns
        .iter()
        .min_by_key(|a| (a.file.clone(), a.line))
        .map(|a| (a.file.clone(), a.line))
        .unwrap_or_default();
    Ok(CaseReport {
        package: p.import_path.clone(),
        id: id.to_string(),
        name,
        passed: failures.is_empty(),
        failures,
        located,
        at,
        measured,
        iterations: runs.iter().map(|r| r.2).collect(),
    })
}

fn found(msgs: &[String]) -> String {
    if msgs.is_empty() {
        "nothing".to_string()
    } else {
        msgs.iter()
            .map(|m| format!("{m:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A path relative to the current directory, as Go's tools print it.
fn display_rel(file: &Path) -> String {
    match std::env::current_dir() {
        Ok(cwd) => crate::cli::output::relative_to(file, &cwd),
        Err(_) => file.display().to_string(),
    }
}

fn applies(a: &Annotation, minor: u32, goarch: &str) -> bool {
    a.min_go.is_none_or(|v| minor >= v) && a.goarch.as_deref().is_none_or(|g| g == goarch)
}

/// `5` → (5, 5); `1-3` → (1, 3).
pub fn parse_range(s: &str) -> Option<(u64, u64)> {
    let s = s.trim();
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some((a, b))
        }
        None => s.parse().ok().map(|v| (v, v)),
    }
}

/// The compiler's messages and the measurements of one package.
struct Build {
    /// (absolute file, line) → messages.
    messages: BTreeMap<(PathBuf, u32), Vec<String>>,
    /// ID → (allocs/op, bytes/op, b.N) per run.
    measured: BTreeMap<String, Vec<(f64, f64, u64)>>,
}

impl Build {
    fn messages_at(&self, file: &Path, line: u32) -> Vec<String> {
        self.messages
            .get(&(file.to_path_buf(), line))
            .cloned()
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct Measured {
    id: String,
    /// Printed before a case runs, so a hung one can be named.
    #[serde(default)]
    start: bool,
    #[serde(default)]
    n: u64,
    #[serde(default)]
    allocs: u64,
    #[serde(default)]
    bytes: u64,
}

fn build_and_measure(
    tc: &Toolchain,
    p: &Package,
    benches: &BTreeMap<String, Vec<(String, String)>>,
    session: &Session,
    opts: &Options,
    benchtime: Option<&str>,
) -> Result<Build> {
    let mut replace: BTreeMap<String, String> = BTreeMap::new();
    // One harness per package clause (internal and external test packages).
    for (i, (pkg, list)) in benches.iter().enumerate() {
        let mut target = p.dir.join(format!("zz_ifacealloc_lem_{i}_test.go"));
        let mut k = 0;
        while target.exists() {
            k += 1;
            target = p.dir.join(format!("zz_ifacealloc_lem_{i}_{k}_test.go"));
        }
        let src = harness(pkg, i, list, opts.count, benchtime.is_none(), &session.mark);
        let file = session
            .tmp
            .path()
            .join(format!("harness_{}_{i}.go", rand_suffix()));
        std::fs::write(&file, src)?;
        replace.insert(target.display().to_string(), file.display().to_string());
    }
    let overlay = session.write_overlay(&replace)?;

    let mut gcflags = vec!["-m".to_string()];
    gcflags.extend(opts.gcflags.iter().cloned());
    let gcflags = format!("-gcflags={}", gcflags.join(" "));
    let overlay_flag = format!("-overlay={}", overlay.display());
    let benchtime_flag = benchtime.map(|b| format!("-benchtime={b}"));
    let run = if benches.is_empty() {
        "^$".to_string()
    } else {
        "^TestIfaceallocLem[0-9]+$".to_string()
    };
    // Local directory mode (no package argument): output streams, nothing is cached.
    let mut args = vec![
        "test",
        "-vet=off",
        overlay_flag.as_str(),
        gcflags.as_str(),
        "-count=1",
        "-timeout=0",
        "-run",
        run.as_str(),
    ];
    args.extend(benchtime_flag.as_deref());
    let mut cmd = tc.user_command(&p.dir);
    cmd.args(&args);
    let (out, timed_out) = crate::cli::interrupt::output_within(&mut cmd, Some(opts.timeout))
        .context("running go test")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if timed_out {
        // The last case that started and never reported is the one that hung.
        let mut running: Option<String> = None;
        for line in stdout.lines() {
            if let Some(m) = line
                .strip_prefix(&session.mark)
                .and_then(|j| serde_json::from_str::<Measured>(j).ok())
            {
                running = m.start.then_some(m.id);
            }
        }
        let what = match running {
            Some(id) => {
                let func = benches
                    .values()
                    .flatten()
                    .find(|(i, _)| *i == id)
                    .map(|(_, f)| f.as_str())
                    .unwrap_or("?");
                format!("benchmark {func} (lem.{id}) in {}", p.import_path)
            }
            None => format!("go test of {}", p.import_path),
        };
        return Err(UsageError::new(format!(
            "lem: {what} did not finish within {:?}; fix it, or give more time with --timeout",
            opts.timeout
        ))
        .into());
    }
    let mut messages: BTreeMap<(PathBuf, u32), Vec<String>> = BTreeMap::new();
    let mut measured: BTreeMap<String, Vec<(f64, f64, u64)>> = BTreeMap::new();
    for line in stderr.lines().chain(stdout.lines()) {
        if let Some(json) = line.strip_prefix(&session.mark) {
            let m: Measured = serde_json::from_str(json).context("reading harness output")?;
            if m.start {
                continue;
            }
            // Per-op figures as go test -benchmem prints them (and akutz/lem
            // compared them): integer division of the totals by N.
            let n = m.n.max(1);
            measured.entry(m.id).or_default().push((
                (m.allocs / n) as f64,
                (m.bytes / n) as f64,
                m.n,
            ));
        } else if let Some(d) = diag::parse(line) {
            let path = if Path::new(&d.file).is_absolute() {
                PathBuf::from(&d.file)
            } else {
                p.dir.join(d.file.trim_start_matches("./"))
            };
            let v = messages.entry((path, d.line)).or_default();
            if !v.contains(&d.msg) {
                v.push(d.msg);
            }
        }
    }
    if !out.status.success() {
        // Show the compiler's own words: build again without -m, whose
        // messages would bury them; if that builds, the test itself failed.
        let plain = [
            "test",
            "-vet=off",
            overlay_flag.as_str(),
            "-count=1",
            "-run",
            "^$",
        ];
        let mut again = tc.user_command(&p.dir);
        again.args(plain);
        let retry = crate::cli::interrupt::output(&mut again).context("running go test")?;
        let output = if retry.status.success() {
            format!("{stdout}{stderr}")
        } else {
            format!(
                "{}{}",
                String::from_utf8_lossy(&retry.stderr),
                String::from_utf8_lossy(&retry.stdout)
            )
        };
        return Err(crate::go::command::GoCommandFailed {
            command: format!("go {}", args.join(" ")),
            output,
        }
        .into());
    }
    Ok(Build { messages, measured })
}

/// The generated test that measures the annotated benchmarks. Its imports
/// have names of their own, so a package's own `flag` or `time` cannot clash
/// with them (nor its `lem...` names, which Go code rarely uses). It compiles
/// under any Go language version from 1.17 (no `any`, no generics), as the
/// packages written for akutz/lem declare. With `adaptive`, each case first
/// runs once and then as many times as fit in about half a second, at most
/// 10000.
fn harness(
    pkg: &str,
    index: usize,
    list: &[(String, String)],
    count: u32,
    adaptive: bool,
    mark: &str,
) -> String {
    let mut s = format!(
        "// Code generated by ifacealloc lem. DO NOT EDIT.\n\npackage {pkg}\n\nimport (\n\tlemflag \"flag\"\n\tlemos \"os\"\n\tlemstrconv \"strconv\"\n\tlemtesting \"testing\"\n\tlemtime \"time\"\n)\n\nfunc TestIfaceallocLem{index}(t *lemtesting.T) {{\n\tcases := []struct {{\n\t\tid string\n\t\tf  func(*lemtesting.B)\n\t}}{{\n"
    );
    for (id, f) in list {
        s.push_str(&format!("\t\t{{{}, {f}}},\n", go_quote(id)));
    }
    s.push_str(&format!(
        r#"	}}
	benchtime := lemflag.Lookup("test.benchtime")
	if benchtime != nil {{
		defer benchtime.Value.Set(benchtime.Value.String())
	}}
	for i := 0; i < {count}; i++ {{
		for _, c := range cases {{
			lemos.Stdout.WriteString({mark} + `{{"id":` + lemstrconv.Quote(c.id) + `,"start":true}}` + "\n")
			if {adaptive} && benchtime != nil {{
				benchtime.Value.Set("1x")
				probe := lemtesting.Benchmark(c.f)
				n := int64(10000)
				if probe.N > 0 && probe.T > 0 {{
					if fit := int64(lemtime.Second/2) * int64(probe.N) / int64(probe.T); fit < n {{
						n = fit
					}}
				}}
				if n < 1 {{
					n = 1
				}}
				benchtime.Value.Set(lemstrconv.FormatInt(n, 10) + "x")
			}}
			r := lemtesting.Benchmark(c.f)
			lemos.Stdout.WriteString({mark} + `{{"id":` + lemstrconv.Quote(c.id) +
				`,"n":` + lemstrconv.Itoa(r.N) +
				`,"allocs":` + lemstrconv.FormatUint(r.MemAllocs, 10) +
				`,"bytes":` + lemstrconv.FormatUint(r.MemBytes, 10) + "}}\n")
		}}
	}}
}}
"#,
        mark = go_quote(mark)
    ));
    s
}

/// Stands in for github.com/akutz/lem v0.1.1 so packages written for it build
/// offline: its whole exported API, with SetBenchtime, SetBenchmem, Tags,
/// NewBuildContext and Context.Copy doing what they document, and the Run
/// entry points doing nothing (ifacealloc checks the annotations itself, from
/// outside). Written against the module's documentation, in Go 1.17.
const LEM_STUB: &str = include_str!("lemstub.go");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("3"), Some((3, 3)));
        assert_eq!(parse_range("1-2"), Some((1, 2)));
        assert_eq!(parse_range("2-1"), None);
        assert_eq!(parse_range("x"), None);
    }

    #[test]
    fn finds_the_packages_benchtime() {
        let src = "func TestLem(t *testing.T) {\n\tlem.SetBenchmem(\"true\")\n\tlem.SetBenchtime(\"1000x\")\n}";
        assert_eq!(package_benchtime(src).as_deref(), Some("1000x"));
        assert_eq!(
            package_benchtime("lem.SetBenchtime(`2s`)").as_deref(),
            Some("2s")
        );
        assert_eq!(package_benchtime("lem.SetBenchtime(x)"), None);
        assert_eq!(package_benchtime("lem.SetBenchtime(\"1s; rm\")"), None);
    }
}
