//! What the editor shows for one file's scanned sites: inlay hints, hovers,
//! code lenses and gated diagnostics. Plain functions of the sites and the
//! file's text as scanned (positions are Go's 1-based byte columns; LSP's are
//! 0-based UTF-16 units).

use std::collections::BTreeMap;

use lsp_types::{
    CodeLens, Command, Diagnostic, DiagnosticSeverity, InlayHint, InlayHintLabel, InlayHintTooltip,
    MarkupContent, MarkupKind, Position, Range,
};

use crate::matrix::results::fmt_num;
use crate::model::routine::Routine;
use crate::report::{markdown_cell, markdown_code};
use crate::scan::{Site, Verdict};

/// The command a code lens and a code action run: show a function's
/// annotated assembly. Arguments: the file's URI and the function as `asm`
/// takes it (`Store`, `(*T).Put`).
pub const SHOW_ASSEMBLY: &str = "ifacealloc.showAssembly";

/// A file's text as it was scanned, for position conversions.
pub struct Text<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str) -> Text<'a> {
        Text {
            lines: text.lines().collect(),
        }
    }

    /// The LSP position of Go's `line:col` (1-based, bytes).
    pub fn position(&self, line: u32, col: u32) -> Position {
        let l = line.saturating_sub(1);
        let text = self.lines.get(l as usize).copied().unwrap_or("");
        let byte = (col.saturating_sub(1) as usize).min(text.len());
        // A column inside a character counts from that character's start.
        let mut end = byte;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let units: usize = text[..end].chars().map(char::len_utf16).sum();
        Position::new(l, units as u32)
    }

    /// The Go `(line, col)` of an LSP position.
    pub fn go_position(&self, p: Position) -> (u32, u32) {
        let text = self.lines.get(p.line as usize).copied().unwrap_or("");
        let mut units = 0u32;
        let mut byte = text.len();
        for (i, c) in text.char_indices() {
            if units >= p.character {
                byte = i;
                break;
            }
            units += c.len_utf16() as u32;
        }
        (p.line + 1, byte as u32 + 1)
    }

    /// The range of a site's expression.
    pub fn range(&self, s: &Site) -> Range {
        let start = self.position(s.line, s.column);
        let end = if s.end_line > 0 {
            self.position(s.end_line, s.end_column)
        } else {
            start
        };
        Range::new(start, end)
    }
}

/// A site's hint in a few characters: bytes and routine, and for a
/// conditional routine when it does not allocate (`8 B convT64 <256:0`).
pub fn hint_label(s: &Site) -> String {
    let cond = match s.routine {
        Routine::ConvT16 | Routine::ConvT32 | Routine::ConvT64 => " <256:0",
        Routine::ConvTstring => " \"\":0",
        Routine::ConvTslice => " nil:0",
        _ => "",
    };
    match s.verdict {
        Verdict::Unknown => format!("? {}", s.routine_shown),
        Verdict::Never => format!("0 {}", s.routine_shown),
        Verdict::Conditional => format!("{} B {}{cond}", fmt_num(s.bytes), s.routine_shown),
        Verdict::Always => format!("{} B {}", fmt_num(s.bytes), s.routine_shown),
    }
}

/// Inlay hints after each conversion that may allocate (every conversion
/// with `show_never`).
pub fn inlay_hints(sites: &[&Site], text: &Text, show_never: bool) -> Vec<InlayHint> {
    sites
        .iter()
        .filter(|s| show_never || matches!(s.verdict, Verdict::Always | Verdict::Conditional))
        .map(|s| InlayHint {
            position: text.range(s).end,
            label: InlayHintLabel::String(hint_label(s)),
            kind: None,
            text_edits: None,
            tooltip: s
                .why
                .as_ref()
                .map(|w| InlayHintTooltip::String(format!("escapes: {w}"))),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect()
}

/// A site's one-line result, for the hover's version table.
fn summary(s: &Site) -> String {
    match s.verdict {
        Verdict::Never => format!("{} — never allocates", s.routine_shown),
        Verdict::Unknown => format!("{} — unknown", s.routine_shown),
        v => format!("{} — {} B, {}", s.routine_shown, fmt_num(s.bytes), v.name()),
    }
}

/// The hover of a site: routine, bytes, condition, why, generic
/// instantiations, and each other Go version's answer.
pub fn hover(s: &Site, versions: &[(String, Option<&Site>)]) -> MarkupContent {
    let mut md = String::new();
    let bytes = match s.verdict {
        Verdict::Never => "no allocation".to_string(),
        Verdict::Unknown => "not known (the compiler's output does not show it)".to_string(),
        _ => format!("{} B per store", fmt_num(s.bytes)),
    };
    md.push_str(&format!(
        "**{}** · {bytes} · {}\n\n",
        markdown_code(s.routine_shown),
        s.verdict.name()
    ));
    md.push_str(&format!(
        "{} converted to an interface in {}\n",
        markdown_code(&s.type_name),
        markdown_code(&s.function)
    ));
    if let Some(c) = s.condition {
        md.push_str(&format!("\n- {c}\n"));
    }
    if let Some(r) = s.reason {
        md.push_str(&format!("\n- {r}\n"));
    }
    if let Some(w) = &s.why {
        md.push_str(&format!("\n**Why it escapes:** {}\n", markdown_cell(w)));
        if !s.escape_flow.is_empty() {
            md.push_str("\n```text\n");
            for l in &s.escape_flow {
                md.push_str(&l.replace("```", "'''"));
                md.push('\n');
            }
            md.push_str("```\n");
        }
    }
    if !s.instantiations.is_empty() {
        md.push_str("\n**Instantiations:**\n");
        for i in &s.instantiations {
            md.push_str(&format!(
                "- {}: {} {} B\n",
                markdown_code(&i.shape),
                i.routine.name(),
                fmt_num(i.bytes)
            ));
        }
    }
    if !s.inlined_into.is_empty() {
        md.push_str(&format!(
            "\nInlined into {}\n",
            s.inlined_into
                .iter()
                .map(|f| markdown_code(f))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if versions.len() > 1 {
        md.push_str("\n| Go | result |\n|---|---|\n");
        for (v, site) in versions {
            let cell = site.map(summary).unwrap_or_else(|| "not found".into());
            md.push_str(&format!(
                "| {} | {} |\n",
                markdown_cell(v),
                markdown_cell(&cell)
            ));
        }
    }
    MarkupContent {
        kind: MarkupKind::Markdown,
        value: md,
    }
}

/// The function a site is in, as `asm` takes it: without the package, and
/// without a closure's `.funcN` (its code is in the enclosing function's
/// file).
pub fn asm_target(function: &str) -> String {
    let tail = function.rsplit_once('/').map_or(function, |(_, t)| t);
    let mut name = tail.split_once('.').map_or(tail, |(_, n)| n).to_string();
    while let Some((outer, last)) = name.rsplit_once('.') {
        if last.starts_with("func") && last[4..].chars().all(|c| c.is_ascii_digit()) {
            name = outer.to_string();
        } else {
            break;
        }
    }
    name
}

/// `(*T).M` → `T.M`: the name lem's reader gives a declaration.
fn decl_name(target: &str) -> String {
    target.replace("(*", "").replace(')', "")
}

/// A code lens per function with conversions that may allocate: how many,
/// their bytes per store, and the command to show its annotated assembly.
pub fn code_lenses(
    sites: &[&Site],
    path: &std::path::Path,
    source: &str,
    uri: &lsp_types::Uri,
) -> Vec<CodeLens> {
    let text = Text::new(source);
    let decls = crate::lem::scan::scan_file(path, source).funcs;
    let mut by_function: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for s in sites
        .iter()
        .filter(|s| matches!(s.verdict, Verdict::Always | Verdict::Conditional))
    {
        let e = by_function.entry(asm_target(&s.function)).or_default();
        e.0 += 1;
        e.1 += s.bytes;
    }
    let strip_type_args = |n: &str| {
        let mut out = String::new();
        let mut depth = 0;
        for c in n.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                c if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    };
    by_function
        .into_iter()
        .filter_map(|(target, (n, bytes))| {
            let want = decl_name(&target);
            let decl = decls.iter().find(|f| strip_type_args(&f.name) == want)?;
            let at = text.position(decl.start, 1);
            Some(CodeLens {
                range: Range::new(at, at),
                command: Some(Command {
                    title: format!(
                        "{n} conversion{} may allocate · up to {} B per call",
                        if n == 1 { "" } else { "s" },
                        fmt_num(bytes)
                    ),
                    command: SHOW_ASSEMBLY.to_string(),
                    arguments: Some(vec![
                        serde_json::Value::String(uri.as_str().to_string()),
                        serde_json::Value::String(target),
                    ]),
                }),
                data: None,
            })
        })
        .collect()
}

/// Diagnostics for the sites at least as bad as `fail_on` (none without it:
/// quiet unless asked), as `scan --fail-on` would name them.
pub fn diagnostics(sites: &[&Site], text: &Text, fail_on: Option<Verdict>) -> Vec<Diagnostic> {
    let Some(level) = fail_on else {
        return Vec::new();
    };
    sites
        .iter()
        .filter(|s| s.verdict >= level && !s.removed())
        .map(|s| {
            let mut message = format!(
                "{} {} {} B: {} stored in an interface",
                s.verdict.name(),
                s.routine_shown,
                fmt_num(s.bytes),
                s.type_name
            );
            if let Some(c) = s.condition {
                message.push_str(&format!(" ({c})"));
            }
            if let Some(w) = &s.why {
                message.push_str(&format!("; escapes: {w}"));
            }
            Diagnostic {
                range: text.range(s),
                severity: Some(DiagnosticSeverity::WARNING),
                code: None,
                code_description: None,
                source: Some("ifacealloc".to_string()),
                message,
                related_information: None,
                tags: None,
                data: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_byte_columns_to_utf16() {
        let t = Text::new("x := \"é😀\"; v\nnext");
        // `v` is at byte column 16 (é is 2 bytes, 😀 is 4): UTF-16 unit 12.
        assert_eq!(t.position(1, 16), Position::new(0, 12));
        assert_eq!(t.go_position(Position::new(0, 12)), (1, 16));
        assert_eq!(t.position(2, 1), Position::new(1, 0));
        // Past the end: the line's end.
        assert_eq!(t.position(2, 99), Position::new(1, 4));
    }

    #[test]
    fn names_functions_as_asm_takes_them() {
        assert_eq!(asm_target("example.com/why.Store"), "Store");
        assert_eq!(asm_target("example.com/a/b.(*T).Put.func1"), "(*T).Put");
        assert_eq!(asm_target("p.Closure.func1.func2"), "Closure");
        assert_eq!(decl_name("(*T).Put"), "T.Put");
    }
}
