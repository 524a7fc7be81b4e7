//! Links to the Go runtime source of a routine at the exact Go version in use,
//! with line ranges read from that toolchain's own `$GOROOT/src/runtime`, and
//! links to instruction documentation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::routine::Routine;

/// Where a runtime function or variable is defined: file and line range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpan {
    pub file: String,
    pub first: u32,
    pub last: u32,
}

/// Finds `func NAME(` or `var NAME ` in `$goroot/src/runtime/*.go`; a function
/// spans to its closing `}` at column 0.
pub fn find_runtime_symbol(goroot: &Path, name: &str) -> Option<SourceSpan> {
    let dir = goroot.join("src").join("runtime");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "go") && !p.to_string_lossy().ends_with("_test.go")
        })
        .collect();
    files.sort();
    let func = format!("func {name}(");
    let var = format!("var {name} ");
    for p in files {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
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
/// symbol. Each (GOROOT, routine) is looked up once per process: a table of
/// many cells links the same few routines over and over.
pub fn routine_link(goroot: &Path, goversion: &str, r: Routine) -> Option<String> {
    type Cache = HashMap<(PathBuf, String, Routine), Option<String>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let key = (goroot.to_path_buf(), goversion.to_string(), r);
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let link = routine_link_uncached(goroot, goversion, r);
    if let Ok(mut c) = cache.lock() {
        c.insert(key, link.clone());
    }
    link
}

fn routine_link_uncached(goroot: &Path, goversion: &str, r: Routine) -> Option<String> {
    let sym = r.runtime_symbol()?;
    let s = find_runtime_symbol(goroot, sym)?;
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

    #[test]
    fn git_refs() {
        assert_eq!(git_ref("go1.26.8"), "go1.26.8");
        assert_eq!(git_ref("devel go1.27-abc"), "master");
    }
}
