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

/// Escape analysis's explanation of why a value escapes (`-m=2`): the path
/// from the value to what outlives it, as the compiler prints it under a
/// `v escapes to heap in F:` line (`v escapes to heap:` before Go 1.22).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EscapeFlow {
    /// The value the explanation is about (`v`, `[]any{...}`).
    pub subject: String,
    /// The function, when the compiler names it (Go ≥ 1.22).
    pub function: Option<String>,
    pub steps: Vec<FlowStep>,
}

/// One `flow: DST ← SRC:` line and the notes under it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FlowStep {
    pub to: String,
    pub from: String,
    pub notes: Vec<FlowNote>,
}

/// One `from EXPR (WHY) at POS` line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FlowNote {
    pub expr: String,
    /// The escape analysis's reason (`assign`, `call parameter`, `return`, ...).
    pub why: String,
    /// `file.go:LINE:COL` as the compiler prints it.
    pub at: String,
}

/// Collects `-m=2` explanations from diagnostics given in order; an
/// explanation is complete when a line at another position or of another
/// kind follows it.
#[derive(Debug, Default)]
pub struct FlowReader {
    open: Option<(Diag, EscapeFlow)>,
}

impl FlowReader {
    /// Feeds one diagnostic; returns an explanation this line completed, with
    /// the position of the value it is about.
    pub fn feed(&mut self, d: &Diag) -> Option<(Diag, EscapeFlow)> {
        let same_place =
            |open: &Diag| open.file == d.file && open.line == d.line && open.col == d.col;
        if let Some((at, flow)) = &mut self.open {
            if same_place(at) && d.msg.starts_with("  ") {
                let m = d.msg.trim_start();
                if let Some(rest) = m.strip_prefix("flow: ") {
                    let rest = rest.strip_suffix(':').unwrap_or(rest);
                    let (to, from) = rest
                        .split_once(" ← ")
                        .or_else(|| rest.split_once(" = "))
                        .unwrap_or((rest, ""));
                    flow.steps.push(FlowStep {
                        to: to.to_string(),
                        from: from.to_string(),
                        notes: Vec::new(),
                    });
                } else if let Some(note) = m.strip_prefix("from ").and_then(flow_note) {
                    if let Some(step) = flow.steps.last_mut() {
                        step.notes.push(note);
                    }
                }
                return None;
            }
        }
        let done = self.open.take();
        if let Some(rest) = d.msg.strip_suffix(':') {
            if let Some((subject, function)) = rest
                .split_once(" escapes to heap in ")
                .map(|(s, f)| (s, Some(f)))
                .or_else(|| rest.strip_suffix(" escapes to heap").map(|s| (s, None)))
            {
                self.open = Some((
                    d.clone(),
                    EscapeFlow {
                        subject: subject.to_string(),
                        function: function.map(str::to_string),
                        steps: Vec::new(),
                    },
                ));
            }
        }
        done
    }

    /// The explanation still open at the end of the input.
    pub fn finish(&mut self) -> Option<(Diag, EscapeFlow)> {
        self.open.take()
    }
}

/// `EXPR (WHY) at POS`, split where the last ` (` before ` at ` is.
fn flow_note(s: &str) -> Option<FlowNote> {
    let (head, at) = s.rsplit_once(") at ")?;
    let (expr, why) = head.rsplit_once(" (")?;
    Some(FlowNote {
        expr: expr.to_string(),
        why: why.to_string(),
        at: at.trim_start_matches("./").to_string(),
    })
}

impl EscapeFlow {
    /// The explanation as the compiler printed it, one line per flow and note.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.steps {
            out.push(format!("flow: {} ← {}", s.to, s.from));
            for n in &s.notes {
                out.push(format!("  from {} ({}) at {}", n.expr, n.why, n.at));
            }
        }
        out
    }

    /// One line a person can act on: what happens to the value on its way
    /// to what outlives the function (`site_function`: the function the
    /// conversion is in, for a compiler that does not name it).
    pub fn condensed(&self, site_function: &str) -> Option<String> {
        let notes: Vec<&FlowNote> = self
            .steps
            .iter()
            .flat_map(|s| &s.notes)
            .filter(|n| n.why != "spill" && n.why != "interface-converted")
            .collect();
        let target = self.steps.last()?.to.as_str();
        // The compiler names the function without its package; the site's
        // name has it.
        let function = self
            .function
            .as_deref()
            .unwrap_or_else(|| short_function(site_function));
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < notes.len() {
            let n = notes[i];
            let next = notes.get(i + 1);
            let part = match n.why.as_str() {
                // A variadic call: the value is put in its ... slice, which
                // the callee's parameter takes.
                "slice-literal-element"
                    if n.expr == "... argument"
                        && next.is_some_and(|m| m.why == "call parameter") =>
                {
                    i += 1;
                    let callee = callee(&next.expect("checked").expr);
                    format!("passed to {callee}'s ... parameter")
                }
                "call parameter" => format!("passed to {}", callee(&n.expr)),
                "assign"
                | "assign-pair"
                | "assign-pair-dot-type"
                | "assign-pair-mapr"
                | "assign-pair-receive" => format!("stored by `{}`", n.expr),
                "return" => format!("returned from {function}"),
                "send" => format!("sent on a channel by `{}`", n.expr),
                "captured by a closure" => "captured by a closure".to_string(),
                "slice-literal-element" | "array literal element" | "struct literal element" => {
                    format!("put in `{}`", n.expr)
                }
                "key of map put" => format!("a map key in `{}`", n.expr),
                "address-of" => format!("its address taken by `{}`", n.expr),
                "too large for stack" => "too large for the stack".to_string(),
                _ => {
                    i += 1;
                    continue;
                }
            };
            parts.push(part);
            i += 1;
        }
        let last_is_call = notes.last().is_some_and(|n| n.why == "call parameter");
        let end = match target {
            "{heap}" if last_is_call => Some(", which leaks to the heap"),
            "{heap}" if parts.is_empty() => Some("stored on the heap"),
            "{heap}" => None,
            t if t.starts_with("~r") || t.starts_with("~R") => None,
            _ => Some(", which escapes itself"),
        };
        // A long chain is told by its start and its end; the JSON has all.
        if parts.len() > 3 {
            let tail = parts.split_off(parts.len() - 2);
            parts.truncate(1);
            parts.push("…".to_string());
            parts.extend(tail);
        }
        let mut text = parts.join(", then ");
        match end {
            Some(e) if text.is_empty() => text = e.trim_start_matches(", which ").to_string(),
            Some(e) => text.push_str(e),
            None => {}
        }
        (!text.is_empty()).then_some(text)
    }
}

/// The called function of a call expression as `-m=2` prints it
/// (`fmt.Sprintf("%v", ... argument...)` → `fmt.Sprintf`,
/// `(*T).m(x)` → `(*T).m`): the text before the '(' that matches the last ')'.
fn callee(call: &str) -> &str {
    let b = call.as_bytes();
    if b.last() != Some(&b')') {
        return call;
    }
    let mut depth = 0i32;
    for (i, &c) in b.iter().enumerate().rev() {
        match c {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    return if i == 0 { call } else { &call[..i] };
                }
            }
            _ => {}
        }
    }
    call
}

/// A function name without its package path (`example.com/p.New` → `New`).
fn short_function(f: &str) -> &str {
    let tail = f.rsplit_once('/').map_or(f, |(_, t)| t);
    tail.split_once('.').map_or(tail, |(_, name)| name)
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
    // `-m=2`'s explanations and inlining costs.
    msg.starts_with("  ")
        || msg.contains("capturing by")
        || msg.contains("escape")
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

    fn flows(text: &str) -> Vec<(Diag, EscapeFlow)> {
        let mut r = FlowReader::default();
        let mut out: Vec<_> = text
            .lines()
            .filter_map(parse)
            .filter_map(|d| r.feed(&d))
            .collect();
        out.extend(r.finish());
        out
    }

    #[test]
    fn condenses_escape_explanations() {
        // Recorded from Go 1.26.8's -m=2.
        let text = "./why.go:9:57: v escapes to heap in Print:
./why.go:9:57:   flow: {storage for ... argument} ← &{storage for v}:
./why.go:9:57:     from v (spill) at ./why.go:9:57
./why.go:9:57:     from ... argument (slice-literal-element) at ./why.go:9:50
./why.go:9:57:   flow: {heap} ← {storage for ... argument}:
./why.go:9:57:     from ... argument (spill) at ./why.go:9:50
./why.go:9:57:     from fmt.Sprintf(\"%v\", ... argument...) (call parameter) at ./why.go:9:50
./why.go:9:50: ... argument does not escape
./why.go:13:28: v escapes to heap in New:
./why.go:13:28:   flow: ~r0 ← &{storage for v}:
./why.go:13:28:     from v (spill) at ./why.go:13:28
./why.go:13:28:     from return v (return) at ./why.go:13:21
./why.go:13:28: v escapes to heap
./why.go:7:30: v escapes to heap:
./why.go:7:30:   flow: {heap} = &{storage for v}:
./why.go:7:30:     from v (spill) at ./why.go:7:30
./why.go:7:30:     from Sink = v (assign) at ./why.go:7:28
";
        let got = flows(text);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!((got[0].0.line, got[0].0.col), (9, 57));
        assert_eq!(
            got[0].1.condensed("p.Print").as_deref(),
            Some("passed to fmt.Sprintf's ... parameter, which leaks to the heap")
        );
        assert_eq!(got[0].1.steps[1].notes[1].at, "why.go:9:50");
        assert_eq!(
            got[1].1.condensed("p.New").as_deref(),
            Some("returned from New")
        );
        // Go 1.21's form: no function named, `=` for the flow.
        assert_eq!(got[2].1.function, None);
        assert_eq!(
            got[2].1.condensed("p.Store").as_deref(),
            Some("stored by `Sink = v`")
        );
        assert_eq!(got[2].1.lines()[0], "flow: {heap} ← &{storage for v}");
    }

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
