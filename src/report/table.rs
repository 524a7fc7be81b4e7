//! The terminal table (comfy-table).

use std::io::Write;

use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, ContentArrangement, Table};

use super::{arch_cell, caption, model_cell, notes, Exporter};
use crate::matrix::results::cell;
use crate::matrix::results::Matrix;
use crate::model::scenario::Scenario;

pub struct TableExporter;

impl Exporter for TableExporter {
    fn export(&self, m: &Matrix, out: &mut dyn Write) -> Result<()> {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        // On a terminal the table fits its width (cells wrap); written to a
        // pipe or file it keeps one line per row.
        t.set_content_arrangement(ContentArrangement::Dynamic);
        let mut header = vec!["row".to_string(), "%T".to_string(), "size".to_string()];
        header.extend(Scenario::COLUMNS.iter().map(|s| s.name().to_string()));
        header.push("model".to_string());
        t.set_header(header);
        for r in &m.rows {
            let mut line = vec![r.name.clone(), r.go_type.clone(), r.size.to_string()];
            line.extend(Scenario::COLUMNS.iter().map(|&s| cell(r.case(s))));
            line.push(model_cell(r));
            t.add_row(line);
        }
        for i in 2..t.column_count() - 1 {
            if let Some(c) = t.column_mut(i) {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
        writeln!(out, "{t}")?;
        writeln!(out, "{}", caption(m))?;
        for arch in &m.cross_archs {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED);
            t.set_content_arrangement(ContentArrangement::Dynamic);
            let mut header = vec![format!("routine on {arch}")];
            header.extend(Scenario::COLUMNS.iter().map(|s| s.name().to_string()));
            t.set_header(header);
            for r in &m.rows {
                let mut line = vec![r.name.clone()];
                line.extend(
                    Scenario::COLUMNS
                        .iter()
                        .map(|&s| arch_cell(r.case(s), arch)),
                );
                t.add_row(line);
            }
            writeln!(out, "\n{t}")?;
        }
        let notes = notes(m);
        if !notes.is_empty() {
            writeln!(out, "\nnotes:")?;
            for n in notes {
                writeln!(out, "  {n}")?;
            }
        }
        Ok(())
    }
}
