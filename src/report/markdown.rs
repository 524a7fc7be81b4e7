//! The markdown table: one row per type, one column per scenario.

use std::io::Write;

use anyhow::Result;

use super::{arch_cell, caption, model_cell, notes, Exporter};
use crate::matrix::results::cell;
use crate::matrix::results::Matrix;
use crate::model::scenario::Scenario;

pub struct MarkdownExporter;

/// Escapes text for a table cell, so it reads as the text it is: `|` would
/// end the cell, a newline the row; `<`, `>` and `&` would start HTML or an
/// entity (GitHub renders both), and `` ` ``, `*`, `_` (but inside a word),
/// `[`, `]`, `~` markup.
/// Each is backslash-escaped (CommonMark's escape for ASCII punctuation).
pub fn md_cell(s: &str) -> String {
    // Backslashes first, so `\|` in the text cannot turn into an escaped
    // backslash followed by a live column separator.
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // An underscore inside a word never emphasizes (`struct_int`).
        let inside_word = |k: Option<&char>| k.is_some_and(|c| c.is_alphanumeric());
        let intraword = c == '_'
            && inside_word(i.checked_sub(1).and_then(|j| chars.get(j)))
            && inside_word(chars.get(i + 1));
        match c {
            '_' if intraword => out.push(c),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `s` as a code span for a table cell: fenced with one backtick more than
/// the longest run in it (so a backtick inside cannot close it), padded
/// with spaces when it starts or ends with one; HTML inside a code span is
/// text already, and only `|` (GFM's table rule) and newlines are escaped.
pub fn md_code(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    let body: String = s
        .chars()
        .flat_map(|c| match c {
            '|' => vec!['\\', '|'],
            '\n' | '\r' => vec![' '],
            c => vec![c],
        })
        .collect();
    format!("{fence}{pad}{body}{pad}{fence}")
}

impl Exporter for MarkdownExporter {
    fn export(&self, m: &Matrix, out: &mut dyn Write) -> Result<()> {
        write!(out, "| Row | `%T` | Size |")?;
        for s in Scenario::COLUMNS {
            write!(out, " {s} |")?;
        }
        write!(out, " model |\n|:--|:--|--:|")?;
        for _ in Scenario::COLUMNS {
            write!(out, "--:|")?;
        }
        writeln!(out, ":-:|")?;
        for r in &m.rows {
            write!(
                out,
                "| {} | {} | {} |",
                md_cell(&r.name),
                md_code(&r.go_type),
                r.size
            )?;
            for &s in Scenario::COLUMNS {
                write!(out, " {} |", cell(r.case(s)))?;
            }
            writeln!(out, " {} |", model_cell(r))?;
        }
        writeln!(out, "\n{}", caption(m))?;
        for arch in &m.cross_archs {
            write!(out, "\n| Routine on {arch} |")?;
            for s in Scenario::COLUMNS {
                write!(out, " {s} |")?;
            }
            write!(out, "\n|:--|")?;
            for _ in Scenario::COLUMNS {
                write!(out, ":--|")?;
            }
            writeln!(out)?;
            for r in &m.rows {
                write!(out, "| {} |", md_cell(&r.name))?;
                for &s in Scenario::COLUMNS {
                    write!(out, " {} |", arch_cell(r.case(s), arch))?;
                }
                writeln!(out)?;
            }
        }
        let notes = notes(m);
        if !notes.is_empty() {
            writeln!(out, "\nNotes:\n")?;
            for n in notes {
                writeln!(out, "- {}", md_cell(&n))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_code_spans_read_as_their_text() {
        assert_eq!(md_cell("a|b"), "a\\|b");
        assert_eq!(md_cell("BenchmarkA<script>"), "BenchmarkA\\<script\\>");
        assert_eq!(md_cell("x_y*z`"), "x_y\\*z\\`");
        assert_eq!(md_cell("_x_"), "\\_x\\_");
        assert_eq!(md_code("struct{ a int }"), "`struct{ a int }`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a|b"), "`a\\|b`");
        assert_eq!(
            md_code("<img src=x onerror=alert(1)>"),
            "`<img src=x onerror=alert(1)>`"
        );
    }
}
