//! Compiler diagnostics: `-m` escape messages and `-d=escapedebug=1`'s
//! `convert: using ...` lines (Go ≥ 1.25), as `file:line:col: message`.

use crate::model::routine::Routine;

/// One diagnostic line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub msg: String,
}

/// A cheap test on raw bytes: whether a line can be a diagnostic at all.
pub fn may_be(line: &[u8]) -> bool {
    memchr::memmem::find(line, b".go:").is_some()
}

/// Parses `path/file.go:12:5: message`; `None` for anything else.
pub fn parse(line: &str) -> Option<Diag> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let go = line.find(".go:")?;
    let file = &line[..go + 3];
    let rest = &line[go + 4..];
    let (l, rest) = rest.split_once(':')?;
    let (c, msg) = rest.split_once(": ")?;
    Some(Diag {
        file: file.to_string(),
        line: l.parse().ok()?,
        col: c.parse().ok()?,
        msg: msg.to_string(),
    })
}

/// What the escape analysis said about a value, from `-m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Escape {
    /// "... escapes to heap"
    Escapes,
    /// "... does not escape"
    DoesNotEscape,
}

/// The escape verdict a `-m` message states, if any.
pub fn escape_of(msg: &str) -> Option<Escape> {
    if msg.ends_with(" escapes to heap") {
        Some(Escape::Escapes)
    } else if msg.ends_with(" does not escape") {
        Some(Escape::DoesNotEscape)
    } else {
        None
    }
}

/// The routine named by an `escapedebug` `convert: using ...` message
/// (the `diagnose` calls in walk/convert.go's `dataWord`).
pub fn convert_routine(msg: &str) -> Option<Routine> {
    let what = msg.strip_prefix("convert: ")?;
    let r = if what.starts_with("using global for zero-sized interface value") {
        Routine::Zerobase
    } else if what.starts_with("using global for single-byte interface value") {
        Routine::Staticuint64s
    } else if what.starts_with("using global for zero value interface value") {
        Routine::ZeroVal
    } else if what.starts_with("using global for interface value") {
        Routine::Readonly
    } else if what.starts_with("using stack temporary for interface value") {
        Routine::Stack
    } else {
        return None;
    };
    Some(r)
}

/// Whether a diagnostic is an optimization note (`-m`, escapedebug) rather
/// than an error.
pub fn is_optimization_note(msg: &str) -> bool {
    msg.contains("escape")
        || msg.contains("inlin")
        || msg.starts_with("leaking param")
        || msg.starts_with("moved to heap")
        || msg.starts_with("convert:")
        || msg.contains("devirtualiz")
        || msg.contains("ignoring self-assignment")
        || msg.starts_with("zero-copy")
        || msg.starts_with("parameter ")
}

/// The compiler's own error messages from a build's output, without the `-S`
/// listing and the `-m` notes that would bury them.
pub fn compiler_errors(output: &str) -> String {
    output
        .lines()
        .filter(|l| !l.starts_with([' ', '\t']))
        .filter(|l| {
            // Listing headers: "pkg.F STEXT size=...", "go:string... SRODATA ...".
            let second = l.split(' ').nth(1).unwrap_or("");
            !(second.len() > 1
                && second.starts_with('S')
                && second.chars().all(|c| c.is_ascii_uppercase()))
        })
        .filter(|l| parse(l).is_none_or(|d| !is_optimization_note(&d.msg)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_diagnostics() {
        let d = parse("./cases.go:55:15: n0 does not escape").unwrap();
        assert_eq!((d.file.as_str(), d.line, d.col), ("./cases.go", 55, 15));
        assert_eq!(escape_of(&d.msg), Some(Escape::DoesNotEscape));
        let d = parse(
            "/a/b c/x.go:1:2: convert: using global for single-byte interface value: .stmp_4",
        )
        .unwrap();
        assert_eq!(d.file, "/a/b c/x.go");
        assert_eq!(convert_routine(&d.msg), Some(Routine::Staticuint64s));
        assert!(parse("\t0x0000 00000 (x.go:1)\tTEXT").is_none());
        assert!(parse("# pkg").is_none());
    }

    #[test]
    fn keeps_only_errors() {
        let out = "# p\n./a.go:3:6: can inline f\n./a.go:4:2: x escapes to heap\np.f STEXT size=1 args=0x0\n\t0x0000 00000 (a.go:3)\tRET\n./a.go:9:2: undefined: y\n";
        assert_eq!(compiler_errors(out), "# p\n./a.go:9:2: undefined: y");
    }
}
