//! The markdown table: one row per type, one column per scenario.

use std::io::Write;

use anyhow::Result;

use super::{arch_cell, caption, cell, model_cell, notes, Exporter};
use crate::model::Matrix;
use crate::scenario::Scenario;

pub struct MarkdownExporter;

/// Escapes a table cell: `|` would end the cell.
pub fn md_cell(s: &str) -> String {
    // Backslashes first, so `\|` in the text cannot turn into an escaped
    // backslash followed by a live column separator; newlines would end the row.
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
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
                "| {} | `{}` | {} |",
                md_cell(&r.name),
                md_cell(&r.go_type),
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
