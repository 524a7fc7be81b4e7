//! Links to the Go runtime source of a routine at the exact Go version in use,
//! with line ranges read from that toolchain's own `$GOROOT/src/runtime`, and
//! links to instruction documentation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::model::routine::Routine;

/// Where a runtime function or variable is defined: file and line range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpan {
    pub file: String,
    pub first: u32,
    pub last: u32,
}

/// Where each of `names` is defined in `$goroot/src/runtime/*.go` (tests
/// left out): the first line that starts `func NAME(` or `var NAME `, in
/// file name order; a function spans to its closing `}` at column 0. One
/// pass over the files, ending when every name is found.
pub fn find_runtime_symbols(goroot: &Path, names: &[&str]) -> HashMap<String, SourceSpan> {
    let mut found = HashMap::new();
    let dir = goroot.join("src").join("runtime");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return found;
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "go") && !p.to_string_lossy().ends_with("_test.go")
        })
        .collect();
    files.sort();
    // A name whose function has no closing brace is not looked for further.
    let mut done: Vec<&str> = Vec::new();
    for p in files {
        if done.len() == names.len() {
            break;
        }
        let Ok(text) = std::fs::read(&p) else {
            continue;
        };
        for &name in names {
            if done.contains(&name) {
                continue;
            }
            match definition(&text, name) {
                Some(Some((first, last))) => {
                    found.insert(name.to_string(), span(&p, first, last));
                    done.push(name);
                }
                Some(None) => done.push(name),
                None => {}
            }
        }
    }
    found
}

/// The first and last line (0-based) of `name`'s definition in `text`;
/// `Some(None)` for a function without its closing brace.
#[allow(clippy::option_option)]
fn definition(text: &[u8], name: &str) -> Option<Option<(usize, usize)>> {
    let at_line_start = |pattern: String| {
        memchr::memmem::find_iter(text, pattern.as_bytes())
            .find(|&i| i == 0 || text[i - 1] == b'\n')
    };
    let func = at_line_start(format!("func {name}("));
    let var = at_line_start(format!("var {name} "));
    let line_of = |at: usize| memchr::memchr_iter(b'\n', &text[..at]).count();
    match (func, var) {
        (Some(f), v) if v.is_none_or(|v| f < v) => {
            let first = line_of(f);
            // The closing line is `}` alone (before `\n`, `\r\n` or the end).
            let close = memchr::memmem::find_iter(&text[f..], b"\n}")
                .map(|i| f + i + 1)
                .find(|&i| matches!(&text[i + 1..], [] | [b'\n', ..] | [b'\r', b'\n', ..]));
            Some(close.map(|c| (first, line_of(c))))
        }
        (_, Some(v)) => {
            let line = line_of(v);
            Some(Some((line, line)))
        }
        _ => None,
    }
}

fn span(p: &Path, first0: usize, last0: usize) -> SourceSpan {
    SourceSpan {
        file: p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        first: first0 as u32 + 1,
        last: last0 as u32 + 1,
    }
}

/// The git ref of a GOVERSION: `go1.26.8` is a tag; a devel build links to master.
pub fn git_ref(goversion: &str) -> &str {
    if goversion.starts_with("go") && !goversion.contains(' ') {
        goversion.split([' ', '-']).next().unwrap_or("master")
    } else {
        "master"
    }
}

/// A link to the routine's source on GitHub at `goversion`, if it is a runtime
/// symbol. The runtime's files are read once per GOROOT ([`runtime_spans`]):
/// a table of many cells links the same few routines over and over.
pub fn routine_link(goroot: &Path, goversion: &str, r: Routine) -> Option<String> {
    let sym = r.runtime_symbol()?;
    let spans = runtime_spans(goroot);
    let s = spans.get(sym)?;
    let lines = if s.first == s.last {
        format!("L{}", s.first)
    } else {
        format!("L{}-L{}", s.first, s.last)
    };
    Some(format!(
        "https://github.com/golang/go/blob/{}/src/runtime/{}#{lines}",
        git_ref(goversion),
        s.file
    ))
}

/// Where every routine's runtime symbol is defined under `goroot`, found
/// in one pass over the runtime's files, once per process.
fn runtime_spans(goroot: &Path) -> std::sync::Arc<HashMap<String, SourceSpan>> {
    type Cache = HashMap<PathBuf, std::sync::Arc<HashMap<String, SourceSpan>>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(goroot).cloned()) {
        return hit;
    }
    let names: Vec<&str> = Routine::ALL
        .iter()
        .filter_map(|r| r.runtime_symbol())
        .collect();
    let spans = std::sync::Arc::new(find_runtime_symbols(goroot, &names));
    if let Ok(mut c) = cache.lock() {
        c.insert(goroot.to_path_buf(), spans.clone());
    }
    spans
}

/// Instruction families, for documentation links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    X86,
    Arm64,
    Other,
}

/// Guesses the instruction set from a mnemonic only x86 or arm64 uses.
pub fn isa_hint(op: &str) -> Option<Isa> {
    match op {
        "LEAQ" | "LEAL" | "MOVQ" | "MOVL" | "PUSHQ" | "POPQ" | "CMPQ" | "XORL" => Some(Isa::X86),
        "MOVD" | "ADRP" | "STP" | "LDP" | "BL" | "CBZ" | "CBZW" | "MOVWU" => Some(Isa::Arm64),
        _ => None,
    }
}

/// A documentation link for an instruction mnemonic in `isa`.
pub fn instruction_link(isa: Isa, op: &str) -> Option<String> {
    match isa {
        Isa::X86 => {
            let page = match op {
                "CALL" => "call",
                o if o.starts_with("LEA") => "lea",
                o if o.starts_with("MOV") => "mov",
                _ => return None,
            };
            Some(format!("https://www.felixcloutier.com/x86/{page}"))
        }
        Isa::Arm64 => {
            // Go prints arm64's BL as CALL; MOVD $sym is an ADRP+ADD pair.
            let page = match op {
                "CALL" | "BL" => "BL--Branch-with-Link-",
                "ADRP" | "MOVD" => "ADRP--Form-PC-relative-address-to-4KB-page-",
                _ => return None,
            };
            Some(format!(
                "https://developer.arm.com/documentation/ddi0602/latest/Base-Instructions/{page}"
            ))
        }
        Isa::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the one-pass search finds is what reading each file line by
    /// line for one name at a time finds, on the live toolchain's runtime.
    #[test]
    fn runtime_symbols_found_in_one_pass_as_line_by_line() {
        fn line_by_line(goroot: &Path, name: &str) -> Option<SourceSpan> {
            let dir = goroot.join("src").join("runtime");
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "go")
                        && !p.to_string_lossy().ends_with("_test.go")
                })
                .collect();
            files.sort();
            let (func, var) = (format!("func {name}("), format!("var {name} "));
            for p in files {
                let text = std::fs::read_to_string(&p).ok()?;
                let lines: Vec<&str> = text.lines().collect();
                for (i, l) in lines.iter().enumerate() {
                    if l.starts_with(&func) {
                        let end = lines[i..].iter().position(|l| *l == "}").map(|k| i + k)?;
                        return Some(span(&p, i, end));
                    }
                    if l.starts_with(&var) {
                        return Some(span(&p, i, i));
                    }
                }
            }
            None
        }
        let goroot = crate::go::toolchain::Toolchain::single(None, "test")
            .expect("a Go toolchain on PATH")
            .goroot;
        let mut names: Vec<&str> = Routine::ALL
            .iter()
            .filter_map(|r| r.runtime_symbol())
            .collect();
        // Functions in files before and after iface.go, and a name in none.
        names.extend(["mallocgc", "gcenable", "newobject", "no_such_symbol"]);
        let found = find_runtime_symbols(&goroot, &names);
        for name in &names {
            assert_eq!(
                found.get(*name),
                line_by_line(&goroot, name).as_ref(),
                "{name}"
            );
        }
        assert_eq!(found.len(), names.len() - 1, "{found:?}");
    }

    #[test]
    fn git_refs() {
        assert_eq!(git_ref("go1.26.8"), "go1.26.8");
        assert_eq!(git_ref("devel go1.27-abc"), "master");
    }
}
