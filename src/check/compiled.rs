//! What one compile of the packages says about the lines `check` asks about:
//! the compiler's messages there (`-m=2`'s inlining and escape decisions,
//! `-d=ssa/check_bce/debug=1`'s bounds checks), the calls left in the
//! listing (`-S`) and whether any code was compiled there, plus the whole
//! instructions of the functions a directive is on. Read in one pass over the
//! go command's output; only the asked lines and functions are kept.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::parse::{asm, diag};

/// A source line: a canonical file path and a line number.
pub type Line = (PathBuf, u32);

/// Functions wanted whole: by file, the listing's local name without type
/// arguments, or (for function literals) the name prefix and the line the
/// literal starts on.
#[derive(Debug, Default)]
pub struct Wanted {
    pub lines: HashSet<Line>,
    /// (file, local name): a declared function's code.
    pub functions: HashSet<(PathBuf, String)>,
    /// (file, enclosing name, literal's first line): a closure's code.
    pub literals: HashSet<(PathBuf, String, u32)>,
}

/// What the compile said about the wanted lines and functions.
#[derive(Debug, Default)]
pub struct Compiled {
    /// The compiler's messages on each wanted line: (column, message).
    pub messages: HashMap<Line, Vec<(u32, String)>>,
    /// The symbols called on each wanted line, as the listing names them.
    pub calls: HashMap<Line, Vec<String>>,
    /// Wanted lines with at least one instruction.
    pub code: HashSet<Line>,
    /// Each compiled function whose file holds a wanted function or literal:
    /// (file of its first instruction, symbol, instructions).
    pub functions: Vec<(PathBuf, String, Vec<asm::ListedInstr>)>,
}

/// Resolves the go command's file names (relative to `dir`, `./`-prefixed,
/// or absolute) to canonical paths, once per name.
pub struct Paths<'a> {
    dir: &'a Path,
    seen: HashMap<String, PathBuf>,
}

impl<'a> Paths<'a> {
    pub fn new(dir: &'a Path) -> Self {
        Paths {
            dir,
            seen: HashMap::new(),
        }
    }

    pub fn resolve(&mut self, name: &str) -> PathBuf {
        if let Some(p) = self.seen.get(name) {
            return p.clone();
        }
        let p = Path::new(name);
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(name.trim_start_matches("./"))
        };
        let canon = std::fs::canonicalize(&abs).unwrap_or(abs);
        self.seen.insert(name.to_string(), canon.clone());
        canon
    }
}

/// Reads the go command's output (`-S` listing and messages mixed).
pub fn read(output: &[u8], dir: &Path, wanted: &Wanted) -> Result<Compiled> {
    let mut paths = Paths::new(dir);
    let mut c = Compiled::default();
    // Messages: the unindented `file:line:col: message` lines.
    for line in output.split(|&b| b == b'\n') {
        if !diag::may_be(line) {
            continue;
        }
        let Some(d) = diag::parse(&String::from_utf8_lossy(line)) else {
            continue;
        };
        let at = (paths.resolve(&d.file), d.line);
        if wanted.lines.contains(&at) {
            c.messages.entry(at).or_default().push((d.col, d.msg));
        }
    }
    let wanted_files: HashSet<&PathBuf> = wanted
        .functions
        .iter()
        .map(|(f, _)| f)
        .chain(wanted.literals.iter().map(|(f, _, _)| f))
        .collect();
    let mut functions = Vec::new();
    asm::each_function(
        output,
        |_| Some(()),
        |(), sym, instrs| {
            let mut keep_file = None;
            for i in &instrs {
                let at = (paths.resolve(&i.instr.file), i.instr.line);
                if keep_file.is_none() {
                    keep_file = Some(at.0.clone());
                }
                if !wanted.lines.contains(&at) {
                    continue;
                }
                if let Some(target) = asm::call_target(&i.instr.op, &i.instr.args) {
                    c.calls
                        .entry(at.clone())
                        .or_default()
                        .push(target.to_string());
                }
                c.code.insert(at);
            }
            if let Some(f) = keep_file.filter(|f| wanted_files.contains(f)) {
                functions.push((f, sym.to_string(), instrs));
            }
        },
    )?;
    c.functions = functions;
    Ok(c)
}

impl Compiled {
    /// The messages on a line.
    pub fn messages_at(&self, at: &Line) -> &[(u32, String)] {
        self.messages.get(at).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether a call of `callee` (a symbol, type arguments aside) is left
    /// on a line.
    pub fn calls_left(&self, at: &Line, callee: &str) -> bool {
        self.calls.get(at).is_some_and(|targets| {
            targets
                .iter()
                .any(|t| asm::without_type_args(t) == asm::without_type_args(callee))
        })
    }
}
