//! `check`: directives that gate CI on the compiled code. `//ifacealloc:noalloc`
//! on a function holds when its code in the compiler's listing — inlined
//! callees included, since their instructions are the function's — calls no
//! runtime function that allocates; `//ifacealloc:noifacealloc` only looks at
//! interface conversions. A function the build did not compile (a file left
//! out by build constraints for this GOOS/GOARCH) is "not compiled", never a
//! violation.

pub mod directives;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::cli::error::UsageError;
use crate::go::list as golist;
use crate::go::toolchain::Toolchain;
use crate::model::routine::Routine;
use crate::parse::asm;
pub use directives::Directive;

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
    pub status: Status,
    /// Allocating calls the directive forbids (with `--allow-may`, those that
    /// may allocate are listed but do not violate it).
    pub violations: Vec<Violation>,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Calls that may allocate (append growth, map assignment) do not violate.
    pub allow_may: bool,
    pub tags: Vec<String>,
    /// The packages' test files too (`go test -c`).
    pub tests: bool,
}

/// The directives in `patterns`' packages and whether each holds on `tc`.
pub fn check(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    opts: &Options,
) -> Result<Vec<Outcome>> {
    let tags = (!opts.tags.is_empty()).then(|| format!("-tags={}", opts.tags.join(",")));
    let mut flags: Vec<&str> = Vec::new();
    if let Some(t) = &tags {
        flags.push(t);
    }
    let pkgs = golist::list(tc, dir, &flags, patterns)?;
    // (file, directive) of every marked function, compiled or not.
    let mut marked: Vec<(PathBuf, directives::Marked, bool)> = Vec::new();
    for p in &pkgs {
        let tests: Vec<&String> = if opts.tests {
            p.test_go_files.iter().chain(&p.xtest_go_files).collect()
        } else {
            Vec::new()
        };
        let files = p
            .go_files
            .iter()
            .chain(tests)
            .map(|f| (f, true))
            .chain(p.ignored_go_files.iter().map(|f| (f, false)));
        for (f, built) in files {
            let path = p.dir.join(f);
            let src = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let found = directives::read(&src)
                .map_err(|e| UsageError::new(format!("{}: {e}", path.display())))?;
            marked.extend(found.into_iter().map(|m| (path.clone(), m, built)));
        }
    }
    // One build and one pass over its listing for every marked function;
    // none when every marked function is in a file the build leaves out.
    let names: Vec<&str> = marked.iter().map(|(_, m, _)| m.function.as_str()).collect();
    let compiled = if marked.iter().any(|(_, _, built)| *built) {
        let has_main = pkgs.iter().any(|p| p.name == "main");
        let listing = listing(tc, dir, patterns, tags.as_deref(), has_main, opts.tests)?;
        asm::functions_listing(&listing[..], &names)?
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for (path, m, built) in &marked {
        let base = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut outcome = Outcome {
            abs_file: path.clone(),
            file: relative(path, dir),
            line: m.line,
            function: m.function.clone(),
            directive: m.directive,
            status: Status::NotCompiled,
            violations: Vec::new(),
        };
        // The function defined in this file (one per instantiation of
        // generic code); functions of the same name elsewhere are not it.
        let mut found = false;
        for (_, symbol, instrs) in compiled.iter().filter(|(k, _, is)| {
            names[*k] == m.function
                && *built
                && is
                    .first()
                    .is_some_and(|i| asm::same_file(&i.instr.file, &base))
        }) {
            found = true;
            outcome
                .violations
                .extend(violations(symbol, instrs, path, m, dir));
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
        out.push(outcome);
    }
    Ok(out)
}

/// The allocating calls of one compiled function that `m`'s directive forbids.
fn violations(
    symbol: &str,
    instrs: &[asm::ListedInstr],
    path: &Path,
    m: &directives::Marked,
    dir: &Path,
) -> Vec<Violation> {
    let base = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
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
        let abs_file = {
            let f = Path::new(&i.instr.file);
            if f.is_absolute() {
                f.to_path_buf()
            } else {
                dir.join(i.instr.file.trim_start_matches("./"))
            }
        };
        let v = Violation {
            file: relative(&abs_file, dir),
            abs_file,
            line: i.instr.line,
            call: callee.to_string(),
            kind,
            may: kind.may(),
            condition: routine.and_then(Routine::unless),
            inlined: !asm::same_file(&i.instr.file, &base) || i.instr.line < m.func_line,
            symbol: symbol.to_string(),
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

fn relative(path: &Path, dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    path.strip_prefix(&dir)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string_lossy().into_owned())
}

/// The `-S` listing of one build of the packages (binaries to a temporary
/// directory; nothing written into the tree).
fn listing(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    tags: Option<&str>,
    has_main: bool,
    tests: bool,
) -> Result<Vec<u8>> {
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-check-")?;
    let outdir = format!("{}/", tmp.path().display());
    // Binaries (test binaries, main packages) go to the temporary directory;
    // go build discards the others' by itself (and refuses -o without a main
    // package).
    let mut args: Vec<&str> = if tests {
        vec!["test", "-c", "-o", &outdir, "-gcflags=-S"]
    } else {
        vec!["build", "-gcflags=-S"]
    };
    if has_main && !tests {
        args.extend(["-o", &outdir]);
    }
    if let Some(t) = tags {
        args.push(t);
    }
    args.extend(patterns.iter().map(String::as_str));
    let mut cmd = tc.user_command(dir);
    cmd.args(&args);
    let out = crate::cli::interrupt::output(&mut cmd).context("running go build")?;
    if !out.status.success() {
        return Err(crate::go::command::GoCommandFailed::build(&args, &out.stderr).into());
    }
    Ok(out.stderr)
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
