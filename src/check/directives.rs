//! The directives in Go source and what each is on, read by `directives.go`
//! (shipped in this crate, built with the user's toolchain) as go/ast's
//! comment map attaches comments to code — the way gcassert reads its own.
//! `//ifacealloc:noalloc` and `//ifacealloc:noifacealloc` go on a function
//! declaration or a statement holding a function literal; gcassert's
//! `inline`, `bce` and `noescape` on the node the comment belongs to (a
//! declaration, the statement below, or the line the comment ends).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::go::command::GoCommandFailed;
use crate::go::toolchain::Toolchain;

const DIRECTIVES_GO: &str = include_str!("directives.go");

/// What a directive asks of the compiled code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Directive {
    /// `//ifacealloc:noalloc`: no heap allocation at all.
    NoAlloc,
    /// `//ifacealloc:noifacealloc`: no interface conversion that allocates
    /// (other allocations allowed).
    NoIfaceAlloc,
    /// `//gcassert:inline`: on a line, its calls are inlined; on a
    /// declaration, every call of the function is.
    Inline,
    /// `//gcassert:bce`: the line keeps no bounds check.
    Bce,
    /// `//gcassert:noescape`: nothing on the line escapes to the heap and no
    /// parameter leaks.
    NoEscape,
    /// A lem case's claims (`lem.ID.m=`, `alloc=`, `bytes=`), judged by `lem`.
    Lem,
}

impl Directive {
    pub fn name(self) -> &'static str {
        match self {
            Directive::NoAlloc => "noalloc",
            Directive::NoIfaceAlloc => "noifacealloc",
            Directive::Inline => "inline",
            Directive::Bce => "bce",
            Directive::NoEscape => "noescape",
            Directive::Lem => "lem",
        }
    }

    /// As written in the source: `ifacealloc:noalloc`, `gcassert:inline`.
    pub fn written(self) -> String {
        format!("{}:{}", self.tool(), self.name())
    }

    pub fn tool(self) -> &'static str {
        match self {
            _ if self.is_gcassert() => "gcassert",
            Directive::Lem => "lem",
            _ => "ifacealloc",
        }
    }

    pub fn is_gcassert(self) -> bool {
        matches!(
            self,
            Directive::Inline | Directive::Bce | Directive::NoEscape
        )
    }

    fn from_written(tool: &str, name: &str) -> Option<Directive> {
        Some(match (tool, name) {
            ("ifacealloc", "noalloc") => Directive::NoAlloc,
            ("ifacealloc", "noifacealloc") => Directive::NoIfaceAlloc,
            ("gcassert", "inline") => Directive::Inline,
            ("gcassert", "bce") => Directive::Bce,
            ("gcassert", "noescape") => Directive::NoEscape,
            _ => return None,
        })
    }
}

/// What a directive's comment is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum On {
    /// A function declaration.
    Func,
    /// A statement holding a function literal (`ifacealloc` directives).
    Literal,
    /// Any other node: a statement, an expression, a declaration.
    Statement,
}

/// One call expression on a line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Call {
    pub line: u32,
    /// The column of its `(`, where the compiler places a call.
    pub column: u32,
    /// The linker symbol of a static call; empty for a call of a function
    /// value or an interface method.
    pub callee: String,
    /// How the code names the callee.
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Directive,
    Callsite,
}

/// One line of the reader's output.
#[derive(Debug, Clone, Deserialize)]
struct Record {
    kind: Kind,
    #[serde(default)]
    tool: String,
    #[serde(default)]
    names: Vec<String>,
    file: PathBuf,
    line: u32,
    column: u32,
    end_line: u32,
    #[serde(default)]
    comment_line: u32,
    on: Option<On>,
    source: String,
    function: String,
    #[serde(default)]
    symbol: String,
    #[serde(default)]
    literal_line: u32,
    #[serde(default)]
    literal_end_line: u32,
    compiled: bool,
    #[serde(default)]
    calls: Vec<Call>,
    #[serde(default)]
    decl_file: PathBuf,
    #[serde(default)]
    decl_line: u32,
    #[serde(default)]
    error: String,
}

/// A directive and the code it is on.
#[derive(Debug, Clone)]
pub struct Marked {
    pub directive: Directive,
    pub file: PathBuf,
    /// The directive comment's own line.
    pub comment_line: u32,
    /// The node's first line (the line gcassert checks) and its last.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub on: On,
    /// The node as gofmt prints it, cut at its first line.
    pub source: String,
    /// As the listing names it (`F`, `T.M`, `(*T).M`): the declared function,
    /// or the one the node is in.
    pub function: String,
    /// The declared function's linker symbol (on a declaration).
    pub symbol: String,
    /// The function literal's lines (`On::Literal`).
    pub literal: Option<(u32, u32)>,
    /// Whether the build compiles the file (build constraints).
    pub compiled: bool,
    /// The calls that start on `line`.
    pub calls: Vec<Call>,
    /// For `inline` on a declaration: every call of the function in the
    /// packages read, as (file, enclosing function, source, call).
    pub callsites: Vec<(PathBuf, String, String, Call)>,
}

/// A package as the reader takes it.
#[derive(Debug, Serialize)]
pub struct Package {
    /// The path its symbols carry (`main` for a command).
    pub path: String,
    pub import_path: String,
    pub files: Vec<String>,
    /// Files the build leaves out: their directives are "not compiled".
    pub ignored: Vec<String>,
    pub import_map: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Input<'a> {
    packages: &'a [Package],
    export: &'a BTreeMap<String, String>,
}

/// Whether `src` may hold a directive: a cheap test before any type-checking.
pub fn may_hold(src: &str) -> bool {
    src.contains("//ifacealloc:") || src.contains("gcassert:")
}

/// Every directive in `packages`; a malformed one is a usage error naming
/// its line and the fix.
pub fn read(
    tc: &Toolchain,
    packages: &[Package],
    export: &BTreeMap<String, String>,
) -> Result<Vec<Marked>> {
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-directives-")?;
    let exe = tc.helper("directives", DIRECTIVES_GO, tmp.path())?;
    let input = tmp.path().join("input.json");
    std::fs::write(&input, serde_json::to_vec(&Input { packages, export })?)?;
    let out = crate::cli::interrupt::output(std::process::Command::new(&exe).arg(&input))
        .context("running the directive reader")?;
    if !out.status.success() {
        return Err(GoCommandFailed {
            command: "type-checking the packages for their directives".into(),
            output: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
        .into());
    }
    let mut records = Vec::new();
    for line in out.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        records
            .push(serde_json::from_slice::<Record>(line).context("reading the directive reader")?);
    }
    gather(records)
}

/// Directives from the reader's records, callsites joined to their
/// declarations' `inline`.
fn gather(records: Vec<Record>) -> Result<Vec<Marked>> {
    let mut marked: Vec<Marked> = Vec::new();
    let mut callsites = Vec::new();
    for r in records {
        if r.kind == Kind::Callsite {
            callsites.push(r);
            continue;
        }
        if !r.error.is_empty() {
            return Err(crate::cli::error::UsageError::new(format!(
                "{}:{}: {}",
                r.file.display(),
                r.comment_line,
                r.error
            ))
            .into());
        }
        for name in &r.names {
            let Some(directive) = Directive::from_written(&r.tool, name) else {
                continue;
            };
            marked.push(Marked {
                directive,
                file: r.file.clone(),
                comment_line: r.comment_line,
                line: r.line,
                column: r.column,
                end_line: r.end_line,
                on: r.on.unwrap_or(On::Statement),
                source: r.source.clone(),
                function: r.function.clone(),
                symbol: r.symbol.clone(),
                literal: (r.literal_line > 0).then_some((r.literal_line, r.literal_end_line)),
                compiled: r.compiled,
                calls: r.calls.clone(),
                callsites: Vec::new(),
            });
        }
    }
    for c in callsites {
        let Some(call) = c.calls.into_iter().next() else {
            continue;
        };
        if let Some(m) = marked.iter_mut().find(|m| {
            m.directive == Directive::Inline
                && m.on == On::Func
                && m.file == c.decl_file
                && m.line == c.decl_line
        }) {
            m.callsites.push((c.file, c.function, c.source, call));
        }
    }
    Ok(marked)
}
