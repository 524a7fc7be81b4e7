//! gcassert's directives judged on one compile: `inline`, `bce` and
//! `noescape`, read as gcassert reads them, without its false results.
//!
//! - `inline` on a line: *every* static call starting on that line must be
//!   inlined (gcassert passes the line when any one is: its issue #5), and
//!   inlined means the compiler said so *and* no call of the function is
//!   left on the line in the listing. A line with no static call passes when
//!   some call on it was inlined (a devirtualized one), as in gcassert.
//! - `inline` on a declaration: every call of the function in the packages
//!   checked, as above; and the compiler must be able to inline the function
//!   at all — "cannot inline F: ..." at its declaration fails it even when no
//!   package checked calls it (gcassert then says nothing: its issue #17).
//! - A call on a line with no compiled code and no inlining message was
//!   removed as dead code (a constant condition, a platform check): "not
//!   compiled", not a failure (gcassert fails it: its PR #3).
//! - `bce` fails on "Found IsInBounds" / "Found IsSliceInBounds" on the
//!   node's first line, as in gcassert; `noescape` on what says a value
//!   goes to the heap there (see [`escapes`]: gcassert misses Go 1.25's
//!   wording).

use super::compiled::{Compiled, Line};
use super::directives::{Call, Directive, Marked, On};
use super::{Failure, Reason};

/// The verdict on one gcassert directive: its failures, and whether it
/// covered any compiled code at all.
pub struct Verdict {
    pub failures: Vec<Failure>,
    pub compiled: bool,
}

/// How one call fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallFate {
    Inlined,
    /// Not inlined: the compiler's words, if it gave any.
    NotInlined,
    /// No code, no call and no inlining at the line: removed as dead code.
    Removed,
}

fn fate(c: &Compiled, at: &Line, call: &Call) -> CallFate {
    let said_inlined = c
        .messages_at(at)
        .iter()
        .any(|(col, m)| *col == call.column && m.starts_with("inlining call to"));
    if !call.callee.is_empty() && c.calls_left(at, &call.callee) {
        return CallFate::NotInlined;
    }
    if said_inlined {
        return CallFate::Inlined;
    }
    if !c.code.contains(at) {
        return CallFate::Removed;
    }
    if call.callee.is_empty() {
        return CallFate::NotInlined;
    }
    // Code at the line, no call of the callee and no message: an intrinsic
    // (math/bits and the like) — nothing is called.
    CallFate::Inlined
}

/// Judges a gcassert directive `m` (its file already canonical).
pub fn judge(m: &Marked, c: &Compiled, rel: &dyn Fn(&std::path::Path) -> String) -> Verdict {
    let at: Line = (m.file.clone(), m.line);
    let failure =
        |file: &std::path::Path, line: u32, column: u32, reason, message: String, source: &str| {
            Failure {
                abs_file: file.to_path_buf(),
                file: rel(file),
                line,
                column,
                reason,
                message,
                source: source.to_string(),
            }
        };
    let mut failures = Vec::new();
    let mut compiled = false;
    match m.directive {
        Directive::Inline if m.on == On::Func => {
            // The compiler's reason it cannot inline the function at all.
            let cannot: Option<&(u32, String)> = c
                .messages_at(&at)
                .iter()
                .find(|(_, msg)| msg.starts_with("cannot inline "));
            compiled = c.code.contains(&at) || !c.messages_at(&at).is_empty();
            for (file, _function, source, call) in &m.callsites {
                let at = (file.clone(), call.line);
                match fate(c, &at, call) {
                    CallFate::Inlined => compiled = true,
                    CallFate::Removed => {}
                    CallFate::NotInlined => {
                        compiled = true;
                        let why = cannot
                            .map(|(_, msg)| format!(" ({msg})"))
                            .unwrap_or_default();
                        failures.push(failure(
                            file,
                            call.line,
                            call.column,
                            Reason::NotInlined,
                            format!("call to {} was not inlined{why}", call.name),
                            source,
                        ));
                    }
                }
            }
            // With no call failing (none in the packages checked, or all
            // removed), the declaration itself says it.
            if let (Some((col, msg)), true) = (cannot, failures.is_empty()) {
                failures.push(failure(
                    &m.file,
                    m.line,
                    *col,
                    Reason::CannotInline,
                    msg.clone(),
                    &m.source,
                ));
            }
        }
        Directive::Inline => {
            let fates: Vec<(CallFate, &Call)> = m
                .calls
                .iter()
                .map(|call| (fate(c, &at, call), call))
                .collect();
            // Removed only when there were calls and all of them went.
            compiled = fates.is_empty() || fates.iter().any(|(f, _)| *f != CallFate::Removed);
            let statics: Vec<&(CallFate, &Call)> = fates
                .iter()
                .filter(|(_, call)| !call.callee.is_empty())
                .collect();
            if statics.is_empty() {
                if compiled && !fates.iter().any(|(f, _)| *f == CallFate::Inlined) {
                    failures.push(failure(
                        &m.file,
                        m.line,
                        m.column,
                        Reason::NoInlinedCall,
                        "no call on this line was inlined".into(),
                        &m.source,
                    ));
                }
            } else {
                for (f, call) in statics {
                    if *f == CallFate::NotInlined {
                        failures.push(failure(
                            &m.file,
                            call.line,
                            call.column,
                            Reason::NotInlined,
                            format!("call to {} was not inlined", call.name),
                            &m.source,
                        ));
                    }
                }
            }
        }
        Directive::Bce | Directive::NoEscape => {
            // Dead code has no messages either: the line holds.
            compiled = true;
            for (col, msg) in c.messages_at(&at) {
                let failed = if m.directive == Directive::Bce {
                    msg == "Found IsInBounds" || msg == "Found IsSliceInBounds"
                } else {
                    escapes(msg)
                };
                if failed {
                    let reason = if m.directive == Directive::Bce {
                        Reason::BoundsCheck
                    } else {
                        Reason::Escapes
                    };
                    let message = msg.trim_end_matches(':').to_string();
                    if !failures.iter().any(|f: &Failure| f.column == *col) {
                        failures.push(failure(&m.file, m.line, *col, reason, message, &m.source));
                    }
                }
            }
        }
        Directive::NoAlloc | Directive::NoIfaceAlloc | Directive::Lem => {}
    }
    Verdict { failures, compiled }
}

/// Whether a `-m=2` message says a value goes to the heap: "x escapes to
/// heap" (with `-m=2`'s colon, and from Go 1.25 on " in F:" — a wording
/// gcassert does not know, so it passes every noescape on current Go),
/// "moved to heap: x", or a parameter leaking to the heap ("leaking param:
/// p"; one that only reaches a result, "to result ~r0", does not).
fn escapes(msg: &str) -> bool {
    let header = msg.trim_end_matches(':');
    let header = match header.rfind(" in ") {
        Some(i)
            if header.ends_with(|c: char| c != ' ') && header[..i].ends_with("escapes to heap") =>
        {
            &header[..i]
        }
        _ => header,
    };
    header.ends_with(" escapes to heap")
        || msg.starts_with("moved to heap: ")
        || (msg.starts_with("leaking param: ") && !msg.contains(" to result "))
}

#[cfg(test)]
mod tests {
    use super::escapes;

    #[test]
    fn escape_messages_of_every_go_version() {
        assert!(escapes("p escapes to heap:"));
        assert!(escapes("p escapes to heap in Escaping:"));
        assert!(escapes("&point{...} escapes to heap"));
        assert!(escapes("moved to heap: p"));
        assert!(escapes("leaking param: p"));
        assert!(!escapes("leaking param: p to result ~r0 level=0"));
        assert!(!escapes("p does not escape"));
        assert!(!escapes("parameter p leaks to ~r0 with derefs=0:"));
    }
}
