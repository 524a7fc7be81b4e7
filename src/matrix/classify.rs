//! Which routine the compiler chose for each generated case, read from the
//! compiler's own output: the `-S` listing (primary), `-m` escape messages,
//! and on Go ≥ 1.25 `-d=escapedebug=1`'s `convert: using ...` lines.
//! Where the sources disagree the classification carries a note.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use crate::matrix::generate::Case;
use crate::model::catalog::Row;
use crate::model::gotype::Arch;
use crate::model::goversion::GoVersion;
use crate::model::routine::Routine;
use crate::model::rules::{self, TypeFacts};
use crate::model::scenario::Scenario;
use crate::parse::asm::{self, Function};
use crate::parse::diag::{self, Diag, Escape};

/// The file of the generated module that holds the case functions.
pub const CASES_FILE: &str = "cases.go";

/// What the compiler did for one case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Classification {
    /// `None` for the copy baselines, which convert nothing.
    pub routine: Option<Routine>,
    /// The `-m` verdict on the converted value.
    pub escape: Option<Escape>,
    /// Set when the compiler's outputs disagree, saying how.
    pub note: Option<String>,
}

/// The compiler flags that produce everything [`classify`] reads.
pub fn gcflags(version: GoVersion) -> String {
    gcflags_at(version, EscapeDetail::Verdicts)
}

/// How much of escape analysis's reasoning `-m` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscapeDetail {
    /// `-m`: each value's verdict.
    Verdicts,
    /// `-m=2`: also the flow that sends each escaping value to the heap.
    Flows,
}

/// The listing and escape flags, `-m` at `detail`.
pub fn gcflags_at(version: GoVersion, detail: EscapeDetail) -> String {
    let m = match detail {
        EscapeDetail::Verdicts => "-m",
        EscapeDetail::Flows => "-m=2",
    };
    // escapedebug's `convert:` lines exist from Go 1.25 on.
    if version.minor >= 25 {
        format!("-S {m} -d=escapedebug=1")
    } else {
        format!("-S {m}")
    }
}

/// The first and last line of each case function's loop body in `cases.go`.
pub fn body_lines(cases_go: &str) -> BTreeMap<usize, (u32, u32)> {
    let mut out = BTreeMap::new();
    let lines: Vec<&str> = cases_go.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if let Some(rest) = l.strip_prefix("func c") {
            if let Some(num) = rest.strip_suffix("(n int) {").and_then(|n| n.parse().ok()) {
                // line i+1 is the for statement; the body runs to the loop's "\t}".
                let start = i + 2;
                let mut end = start;
                while end < lines.len() && lines[end] != "\t}" {
                    end += 1;
                }
                // 1-based line numbers.
                out.insert(num, (start as u32 + 1, end as u32));
                i = end;
            }
        }
        i += 1;
    }
    out
}

/// Classifies every case from the compiler output of one build.
pub fn classify(
    compiler_output: &str,
    cases_go: &str,
    cases: &[Case],
    rows: &[Row],
    arch: &Arch,
    version: GoVersion,
) -> Result<Vec<Classification>> {
    let mut funcs: BTreeMap<usize, Function> = BTreeMap::new();
    let mut diags: Vec<Diag> = Vec::new();
    asm::read_listing(
        compiler_output.as_bytes(),
        asm::Detail::Functions,
        |f| {
            if let Some(n) = f
                .local_name()
                .strip_prefix('c')
                .and_then(|n| n.parse().ok())
            {
                funcs.insert(n, f);
            }
        },
        |d| {
            if asm::same_file(&d.file, CASES_FILE) {
                diags.push(d)
            }
        },
    )?;
    let bodies = body_lines(cases_go);
    // Diagnostics by line, so each case finds its body's in log time; within
    // a body they are taken in the compiler's order, as printed.
    let mut by_line: Vec<(u32, usize)> =
        diags.iter().enumerate().map(|(i, d)| (d.line, i)).collect();
    by_line.sort_unstable();
    let mut in_body: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(cases.len());
    for (i, c) in cases.iter().enumerate() {
        if matches!(c.scenario, Scenario::Copy | Scenario::CopyZero) {
            out.push(Classification::default());
            continue;
        }
        let Some(&(from, to)) = bodies.get(&i) else {
            out.push(Classification {
                note: Some("case function not found in cases.go".into()),
                ..Classification::default()
            });
            continue;
        };
        let lo = by_line.partition_point(|&(l, _)| l < from);
        let hi = by_line.partition_point(|&(l, _)| l <= to);
        in_body.clear();
        in_body.extend(by_line[lo..hi].iter().map(|&(_, i)| i));
        in_body.sort_unstable();
        let body = || in_body.iter().map(|&i| &diags[i]);
        let escape = body().find_map(|d| diag::escape_of(&d.msg));
        let debug_routine = body().find_map(|d| diag::convert_routine(&d.msg));
        let mut notes = Vec::new();
        let from_asm = funcs.get(&i).and_then(|f| {
            let ev = f.evidence_in(CASES_FILE, from, to);
            asm::pick(&ev).map(|e| e.routine)
        });
        if !funcs.contains_key(&i) {
            notes.push(format!("no -S listing for c{i}"));
        }
        let ty = &rows[c.row].ty;
        // A runtime call in the listing is the routine, whatever the layout
        // says. Otherwise a pointer-shaped value (types.IsDirectIface, on this
        // Go version) is its own data word, though a listing may still load
        // it from zeroVal.
        let pointer_shaped = rules::is_pointer_shaped(&TypeFacts::of(ty, arch), version, arch);
        let routine = match from_asm {
            Some(r) if r.runtime_func().is_some() => Some(r),
            _ if pointer_shaped => Some(Routine::Direct),
            Some(r) => Some(r),
            None => {
                notes.push("no conversion routine found in the -S listing".into());
                debug_routine
            }
        };
        if let (Some(r), Some(d)) = (routine, debug_routine) {
            if r != d {
                notes.push(format!("-S shows {r}, escapedebug says {d}"));
            }
        }
        if routine == Some(Routine::Stack) && escape == Some(Escape::Escapes) {
            notes.push("-S shows a stack temporary, but -m says the value escapes".into());
        }
        out.push(Classification {
            routine,
            escape,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_loop_bodies() {
        let src = "package main\n\n// c0\n//\n//go:noinline\nfunc c0(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tvar x any = n0\n\t\tkeep(x)\n\t}\n}\n";
        let b = body_lines(src);
        assert_eq!(b.get(&0), Some(&(8, 9)));
    }
}
