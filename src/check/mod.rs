//! `check`: directives that gate CI on the compiled code. `//ifacealloc:noalloc`
//! on a function holds when its code in the compiler's listing — inlined
//! callees included, since their instructions are the function's — calls no
//! runtime function that allocates; `//ifacealloc:noifacealloc` only looks at
//! interface conversions. A function the build did not compile (a file left
//! out by build constraints for this GOOS/GOARCH) is "not compiled", never a
//! violation.

pub mod compiled;
pub mod directives;
pub mod gcassert;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::go::list as golist;
use crate::go::toolchain::Toolchain;
use crate::model::routine::Routine;
use crate::parse::asm;
pub use directives::Directive;
use directives::{Marked, On};

/// What a runtime call allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocKind {
    /// `new(T)`, `&T{}`, a closure, a variable moved to the heap
    /// (`runtime.newobject`, `mallocgc`).
    Object,
    /// `make([]T, n)` (`makeslice`, `makeslicecopy`).
    Slice,
    /// `make(map...)` (`makemap`, `makemap_small`).
    Map,
    /// `make(chan T)`.
    Chan,
    /// A value stored in an interface (`convT*`; the conditional ones
    /// allocate unless the value is small, empty or nil).
    Conversion,
    /// String building and conversions between strings and byte or rune
    /// slices (`concatstring*`, `slicebytetostring`, `stringtoslicebyte`, ...).
    String,
    /// A `go` statement (`newproc`).
    Goroutine,
    /// A heap-allocated `defer` (`deferproc`).
    Defer,
    /// `append` when the slice must grow (`growslice`): may allocate.
    Append,
    /// A map assignment that may grow the map (`mapassign*`): may allocate.
    MapAssign,
}

impl AllocKind {
    /// Whether the call allocates only sometimes (append past capacity, a
    /// map that grows): reported as such, and failing the directive unless
    /// `--allow-may` is given.
    pub fn may(self) -> bool {
        matches!(self, AllocKind::Append | AllocKind::MapAssign)
    }

    pub fn name(self) -> &'static str {
        match self {
            AllocKind::Object => "new object",
            AllocKind::Slice => "slice",
            AllocKind::Map => "map",
            AllocKind::Chan => "chan",
            AllocKind::Conversion => "interface conversion",
            AllocKind::String => "string",
            AllocKind::Goroutine => "goroutine",
            AllocKind::Defer => "defer",
            AllocKind::Append => "append growth",
            AllocKind::MapAssign => "map assign",
        }
    }
}

/// The allocation a call of `callee` makes, if it can allocate.
pub fn alloc_kind(callee: &str) -> Option<AllocKind> {
    let f = callee.strip_prefix("runtime.")?;
    Some(match f {
        "newobject" | "mallocgc" => AllocKind::Object,
        "makeslice" | "makeslice64" | "makeslicecopy" => AllocKind::Slice,
        "makemap" | "makemap64" | "makemap_small" => AllocKind::Map,
        "makechan" | "makechan64" => AllocKind::Chan,
        "convT" | "convTnoptr" | "convT16" | "convT32" | "convT64" | "convTstring"
        | "convTslice" => AllocKind::Conversion,
        "slicebytetostring" | "stringtoslicebyte" | "stringtoslicerune" | "slicerunetostring"
        | "intstring" | "rawstring" | "rawbyteslice" | "rawruneslice" => AllocKind::String,
        _ if f.starts_with("concatstring") || f.starts_with("concatbyte") => AllocKind::String,
        "newproc" => AllocKind::Goroutine,
        "deferproc" => AllocKind::Defer,
        "growslice" => AllocKind::Append,
        _ if f.starts_with("mapassign") => AllocKind::MapAssign,
        _ => return None,
    })
}

/// One allocating call in a function's compiled code.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    /// Where the call is (another file for code inlined from there).
    #[serde(skip)]
    pub abs_file: PathBuf,
    pub file: String,
    pub line: u32,
    /// The runtime function called (`runtime.newobject`).
    pub call: String,
    pub kind: AllocKind,
    /// Allocates only sometimes.
    pub may: bool,
    /// For a conversion: the routine and when it does not allocate.
    pub condition: Option<&'static str>,
    /// The call came from a function inlined into this one.
    pub inlined: bool,
    /// For a conversion in the packages checked, scan's facts on it: the
    /// converted type, the bytes one conversion allocates, and why the value
    /// cannot stay on the stack (null when unknown).
    pub type_name: Option<String>,
    pub bytes: Option<f64>,
    pub why: Option<String>,
    /// The compiled function (an instantiation of generic code names its shape).
    pub symbol: String,
}

/// Whether a directive holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Held,
    Violated,
    /// The build did not compile the function (build constraints).
    NotCompiled,
    /// The compiler removed the code as dead (a constant condition, a
    /// check of the platform): nothing there to hold or violate.
    Removed,
}

/// Why a gcassert directive or a lem claim failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A call the directive covers is not inlined.
    NotInlined,
    /// The compiler cannot inline the function at all (on a declaration).
    CannotInline,
    /// A line `inline` covers has no call that was inlined.
    NoInlinedCall,
    /// A bounds check is left.
    BoundsCheck,
    /// A value escapes to the heap, or a parameter leaks.
    Escapes,
    /// A lem claim does not hold (a `-m` message, allocations or bytes).
    Claim,
}

/// One failure of a gcassert directive or a lem claim.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    #[serde(skip)]
    pub abs_file: std::path::PathBuf,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub reason: Reason,
    /// What the compiler said, or what the listing shows.
    pub message: String,
    /// The code there as gofmt prints it (first line), as gcassert shows it.
    pub source: String,
}

/// A directive's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    #[serde(skip)]
    pub abs_file: PathBuf,
    pub file: String,
    /// The directive's line.
    pub line: u32,
    pub function: String,
    pub directive: Directive,
    /// What the directive is on: a function, a function literal, or (for
    /// gcassert's) a line of code.
    pub on: Target,
    pub status: Status,
    /// Allocating calls the directive forbids (with `--allow-may`, those that
    /// may allocate are listed but do not violate it).
    pub violations: Vec<Violation>,
    /// A gcassert directive's failures.
    pub failures: Vec<Failure>,
}

/// One thing a violated directive is blamed for, in the words every
/// format shows.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    pub abs_file: &'a Path,
    pub file: &'a str,
    pub line: u32,
    pub column: Option<u32>,
    pub text: String,
    /// Only "may" (append growth, a map that grows): a warning, not an error.
    pub may: bool,
}

impl Outcome {
    /// The directive as this tool's reports name it: `noalloc`, or
    /// `gcassert:inline` for gcassert's.
    pub fn label(&self) -> String {
        if self.directive.is_gcassert() {
            self.directive.written()
        } else {
            self.directive.name().to_string()
        }
    }

    /// Why the directive does not apply, for one that is not compiled.
    pub fn not_compiled_reason(&self, goos: &str, goarch: &str) -> String {
        match self.status {
            Status::Removed => "the compiler removed the code as dead".to_string(),
            _ => format!("not compiled for {goos}/{goarch} (build constraints)"),
        }
    }

    /// Each forbidden call or failed assertion.
    pub fn findings(&self) -> Vec<Finding<'_>> {
        let allocs = self.violations.iter().map(|v| {
            let mut what = v.kind.name().to_string();
            if let Some(t) = &v.type_name {
                what.push_str(&format!(" of {t}"));
            }
            if let Some(b) = v.bytes {
                what.push_str(&format!(", {b} B"));
            }
            if let Some(c) = v.condition {
                what.push_str(&format!(", {c}"));
            }
            if let Some(w) = &v.why {
                what.push_str(&format!(", {w}"));
            }
            if v.inlined {
                what.push_str(", inlined");
            }
            Finding {
                abs_file: &v.abs_file,
                file: &v.file,
                line: v.line,
                column: None,
                text: format!(
                    "{} {} ({what})",
                    v.call,
                    if v.may { "may allocate" } else { "allocates" }
                ),
                may: v.may,
            }
        });
        let failures = self.failures.iter().map(|f| Finding {
            abs_file: &f.abs_file,
            file: &f.file,
            line: f.line,
            column: (f.column > 0).then_some(f.column),
            text: if f.source.is_empty() {
                f.message.clone()
            } else {
                format!("{}: {}", f.message, f.source)
            },
            may: false,
        });
        allocs.chain(failures).collect()
    }
}

/// What a directive is on, in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Func,
    Literal,
    Line,
    /// A lem case (its annotations, wherever they are).
    Case,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Calls that may allocate (append growth, map assignment) do not violate.
    pub allow_may: bool,
    pub tags: Vec<String>,
    /// The packages' test files too (`go test -c`).
    pub tests: bool,
    /// Judge only the directives in these packages (a `--shard`); the
    /// others are read for the calls of functions marked `inline`.
    pub report_only: Option<std::collections::BTreeSet<String>>,
}

/// The directives in `patterns`' packages and whether each holds on `tc`.
pub fn check(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    opts: &Options,
) -> Result<Vec<Outcome>> {
    let dir =
        &std::fs::canonicalize(dir).with_context(|| format!("resolving {}", dir.display()))?;
    let tags = (!opts.tags.is_empty()).then(|| format!("-tags={}", opts.tags.join(",")));
    let mut flags: Vec<&str> = Vec::new();
    if opts.tests {
        flags.push("-test");
    }
    if let Some(t) = &tags {
        flags.push(t);
    }
    // A quick look at the files first: no directive, no compile.
    let Some(gcassert_used) = scan_texts(tc, dir, &flags, patterns, opts.tests)? else {
        return Ok(Vec::new());
    };
    // One compile of the targets with the flags the directives need: the
    // listing always, `-m=2` and the bounds-check report for gcassert's.
    let gcflags = if gcassert_used {
        "-gcflags=-S -m=2 -d=ssa/check_bce/debug=1"
    } else {
        "-gcflags=-S"
    };
    let mut compile_flags = vec!["-deps", "-export", "-compiled"];
    compile_flags.extend(flags.iter().copied());
    let ((pkgs, _), output) = golist::list_compiling(
        tc,
        dir,
        &compile_flags,
        gcflags,
        patterns,
        |_| None,
        |mut stderr| {
            let mut all = Vec::new();
            std::io::Read::read_to_end(&mut stderr, &mut all).map(|_| all)
        },
    )?;
    let output = match output {
        Some(Ok(o)) => o,
        _ => return Err(build_error(tc, dir, patterns, tags.as_deref(), opts.tests)),
    };
    let targets = golist::targets(&pkgs, opts.tests);
    let mut marked = read_directives(tc, &pkgs, &targets)?;
    if let Some(only) = &opts.report_only {
        // A directive belongs to the package whose folder holds its file.
        let dirs: Vec<PathBuf> = targets
            .iter()
            .filter(|p| only.contains(golist::without_variant(&p.import_path)))
            .map(|p| std::fs::canonicalize(&p.dir).unwrap_or_else(|_| p.dir.clone()))
            .collect();
        marked.retain(|m| m.file.parent().is_some_and(|d| dirs.iter().any(|x| x == d)));
    }
    let wanted = wanted(&marked);
    let compiled = compiled::read(&output, dir, &wanted)?;
    let rel = |p: &Path| relative(p, dir);
    let mut outcomes: Vec<Outcome> = marked
        .iter()
        .map(|m| judge(m, &compiled, dir, opts, &rel))
        .collect();
    // By the directive's place: the order `--merge` restores from shards.
    outcomes.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(outcomes)
}

/// Reads the targets' Go files (and those the build leaves out) for any
/// directive: `None` when there is none, else whether gcassert's are used.
fn scan_texts(
    tc: &Toolchain,
    dir: &Path,
    flags: &[&str],
    patterns: &[String],
    tests: bool,
) -> Result<Option<bool>> {
    let pkgs = golist::list(tc, dir, flags, patterns)?;
    let mut any = false;
    let mut gcassert_used = false;
    for p in golist::targets(&pkgs, tests) {
        let files = p
            .go_files
            .iter()
            .chain(&p.ignored_go_files)
            .chain(if tests { &p.test_go_files[..] } else { &[] })
            .chain(if tests { &p.xtest_go_files[..] } else { &[] });
        for f in files {
            let path = p.dir.join(f);
            let src = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            if directives::may_hold(&src) {
                any = true;
                gcassert_used |= src.contains("gcassert:");
            }
        }
    }
    Ok(any.then_some(gcassert_used))
}

/// Every directive in the targets, their files made canonical.
fn read_directives(
    tc: &Toolchain,
    pkgs: &[golist::Package],
    targets: &[&golist::Package],
) -> Result<Vec<Marked>> {
    let export = golist::export_files(pkgs);
    let mut ignored_seen = std::collections::HashSet::new();
    let packages: Vec<directives::Package> = targets
        .iter()
        .map(|p| {
            let import_path = golist::without_variant(&p.import_path);
            directives::Package {
                path: if p.name == "main" {
                    "main".to_string()
                } else {
                    import_path.to_string()
                },
                import_path: import_path.to_string(),
                files: golist::compiled_files(p)
                    .into_iter()
                    .filter(|f| f.ends_with(".go"))
                    .collect(),
                ignored: p
                    .ignored_go_files
                    .iter()
                    .map(|f| p.dir.join(f).display().to_string())
                    .filter(|f| ignored_seen.insert(f.clone()))
                    .collect(),
                import_map: p.import_map.clone(),
            }
        })
        .collect();
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut marked = directives::read(tc, &packages, &export)?;
    for m in &mut marked {
        m.file = canon(&m.file);
        for (f, _, _, _) in &mut m.callsites {
            *f = canon(f);
        }
    }
    Ok(marked)
}

/// The lines and functions the verdicts need from the compile.
fn wanted(marked: &[Marked]) -> compiled::Wanted {
    let mut w = compiled::Wanted::default();
    for m in marked.iter().filter(|m| m.compiled) {
        match m.directive {
            Directive::NoAlloc | Directive::NoIfaceAlloc => match m.literal {
                Some((line, _)) => {
                    w.literals
                        .insert((m.file.clone(), m.function.clone(), line));
                }
                None => {
                    w.functions.insert((m.file.clone(), m.function.clone()));
                }
            },
            // lem's cases are judged by lem, not from this compile.
            Directive::Lem => {}
            Directive::Inline | Directive::Bce | Directive::NoEscape => {
                w.lines.insert((m.file.clone(), m.line));
                for (f, _, _, call) in &m.callsites {
                    w.lines.insert((f.clone(), call.line));
                }
            }
        }
    }
    w
}

/// One directive's verdict.
fn judge(
    m: &Marked,
    c: &compiled::Compiled,
    dir: &Path,
    opts: &Options,
    rel: &dyn Fn(&Path) -> String,
) -> Outcome {
    let mut outcome = Outcome {
        abs_file: m.file.clone(),
        file: rel(&m.file),
        line: m.comment_line,
        function: m.function.clone(),
        directive: m.directive,
        on: match m.on {
            On::Func => Target::Func,
            On::Literal => Target::Literal,
            On::Statement => Target::Line,
        },
        status: Status::NotCompiled,
        violations: Vec::new(),
        failures: Vec::new(),
    };
    if !m.compiled {
        return outcome;
    }
    if m.directive.is_gcassert() {
        let v = gcassert::judge(m, c, rel);
        outcome.failures = v.failures;
        outcome.status = if !outcome.failures.is_empty() {
            Status::Violated
        } else if v.compiled {
            Status::Held
        } else {
            Status::Removed
        };
        return outcome;
    }
    let mut found = false;
    for (symbol, instrs) in code_of(m, c) {
        if m.literal.is_some() && !found {
            // A literal is named as the listing names its closure, or as
            // the function it was inlined into.
            let local = asm::without_type_args(asm::local_name(symbol)).into_owned();
            outcome.function = if local == m.function {
                format!("{local} (func literal, inlined)")
            } else {
                local
            };
        }
        found = true;
        outcome
            .violations
            .extend(violations(symbol, &instrs, m, dir, rel));
    }
    if found {
        let violated = outcome
            .violations
            .iter()
            .any(|v| !(v.may && opts.allow_may));
        outcome.status = if violated {
            Status::Violated
        } else {
            Status::Held
        };
    }
    outcome
}

/// The compiled code a function directive covers: the function (each
/// instantiation of generic code), or the function literal's closure — and
/// where the literal was inlined into its function instead, the instructions
/// of its lines there.
fn code_of<'a>(m: &Marked, c: &'a compiled::Compiled) -> Vec<(&'a str, Vec<asm::ListedInstr>)> {
    let in_file = c.functions.iter().filter(|(f, _, _)| *f == m.file);
    let plain = |sym: &str| asm::without_type_args(asm::local_name(sym)).into_owned();
    match m.literal {
        None => in_file
            .filter(|(_, sym, _)| plain(sym) == m.function)
            .map(|(_, sym, is)| (sym.as_str(), is.clone()))
            .collect(),
        Some((from, to)) => {
            // Package-level closures are `init.funcN`, `glob..funcN` before Go 1.22.
            let mut prefixes = vec![format!("{}.func", m.function)];
            if m.function == "init" {
                prefixes.push("glob..func".to_string());
            }
            let closures: Vec<(&str, Vec<asm::ListedInstr>)> = in_file
                .clone()
                .filter(|(_, sym, is)| {
                    let name = plain(sym);
                    prefixes.iter().any(|p| name.starts_with(p.as_str()))
                        && is.first().is_some_and(|i| i.instr.line == from)
                })
                .map(|(_, sym, is)| (sym.as_str(), is.clone()))
                .collect();
            if !closures.is_empty() {
                return closures;
            }
            in_file
                .filter(|(_, sym, _)| plain(sym) == m.function)
                .map(|(_, sym, is)| {
                    let lines: Vec<asm::ListedInstr> = is
                        .iter()
                        .filter(|i| (from..=to).contains(&i.instr.line))
                        .cloned()
                        .collect();
                    (sym.as_str(), lines)
                })
                .filter(|(_, is)| !is.is_empty())
                .collect()
        }
    }
}

/// The allocating calls of one compiled function that `m`'s directive forbids.
fn violations(
    symbol: &str,
    instrs: &[asm::ListedInstr],
    m: &Marked,
    dir: &Path,
    rel: &dyn Fn(&Path) -> String,
) -> Vec<Violation> {
    // The listing names files as the go command run in `dir` does.
    let mut paths = compiled::Paths::new(dir);
    let mut out: Vec<Violation> = Vec::new();
    for i in instrs {
        let Some(callee) = asm::call_target(&i.instr.op, &i.instr.args) else {
            continue;
        };
        let Some(kind) = alloc_kind(callee) else {
            continue;
        };
        if m.directive == Directive::NoIfaceAlloc && kind != AllocKind::Conversion {
            continue;
        }
        let routine = asm::evidence_of(&i.instr.op, &i.instr.args);
        let abs_file = paths.resolve(&i.instr.file);
        let (from, to) = m.literal.unwrap_or((m.line, m.end_line));
        let v = Violation {
            file: rel(&abs_file),
            inlined: abs_file != m.file || !(from..=to).contains(&i.instr.line),
            abs_file,
            line: i.instr.line,
            call: callee.to_string(),
            kind,
            may: kind.may(),
            condition: routine.and_then(Routine::unless),
            symbol: symbol.to_string(),
            type_name: None,
            bytes: None,
            why: None,
        };
        // One entry per call site (a listing may repeat a line's call).
        if !out
            .iter()
            .any(|o| o.abs_file == v.abs_file && o.line == v.line && o.call == v.call)
        {
            out.push(v);
        }
    }
    out
}

/// `path` relative to `dir` (both made canonical), else as it is.
pub fn relative(path: &Path, dir: &Path) -> String {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let path = canon(path);
    path.strip_prefix(canon(dir))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string_lossy().into_owned())
}

/// The compiler's error for packages that do not compile: go list gives
/// none, so the build is run as the user would run it.
fn build_error(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    tags: Option<&str>,
    tests: bool,
) -> anyhow::Error {
    let tmp = match crate::cli::interrupt::temp_dir("ifacealloc-check-") {
        Ok(t) => t,
        Err(e) => return e.into(),
    };
    let outdir = format!("{}/", tmp.path().display());
    let mut args: Vec<&str> = if tests {
        vec!["test", "-c", "-o", &outdir]
    } else {
        vec!["build", "-o", &outdir]
    };
    if let Some(t) = tags {
        args.push(t);
    }
    args.extend(patterns.iter().map(String::as_str));
    let mut cmd = tc.user_command(dir);
    cmd.args(&args);
    match crate::cli::interrupt::output(&mut cmd) {
        Ok(out) if !out.status.success() => {
            crate::go::command::GoCommandFailed::build(&args, &out.stderr).into()
        }
        Ok(_) => anyhow::anyhow!(
            "go list could not compile {} though go build can; run go list -export {} to see why",
            patterns.join(" "),
            patterns.join(" ")
        ),
        Err(e) => anyhow::Error::from(e).context("running go build"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_allocating_runtime_calls() {
        assert_eq!(alloc_kind("runtime.newobject"), Some(AllocKind::Object));
        assert_eq!(alloc_kind("runtime.convT64"), Some(AllocKind::Conversion));
        assert_eq!(alloc_kind("runtime.concatstring3"), Some(AllocKind::String));
        assert_eq!(
            alloc_kind("runtime.mapassign_faststr"),
            Some(AllocKind::MapAssign)
        );
        assert!(alloc_kind("runtime.growslice").unwrap().may());
        assert_eq!(alloc_kind("runtime.deferprocStack"), None);
        assert_eq!(alloc_kind("runtime.panicIndex"), None);
        assert_eq!(alloc_kind("example.com/p.newobject"), None);
    }
}
