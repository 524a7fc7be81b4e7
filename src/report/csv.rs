//! CSV: one line per case, with the raw counters.

use std::io::Write;

use anyhow::Result;

use super::Exporter;
use crate::matrix::results::Matrix;
use crate::parse::diag::Escape;

pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn export(&self, m: &Matrix, out: &mut dyn Write) -> Result<()> {
        write(m, out)
    }
}

/// Writes the header and one record per case; every record names its Go version.
pub fn write(m: &Matrix, out: &mut dyn Write) -> Result<()> {
    {
        let mut w = csv::Writer::from_writer(out);
        let mut header: Vec<String> = [
            "go",
            "row",
            "type",
            "go_type",
            "size",
            "align",
            "scenario",
            "allocs_per_op",
            "bytes_per_op",
            "mallocs",
            "total_bytes",
            "iterations",
            "routine",
            "escape",
            "note",
            "predicted_routine",
            "predicted_allocs_per_op",
            "predicted_bytes_per_op",
            "prediction_ok",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(m.cross_archs.iter().map(|a| format!("routine_{a}")));
        w.write_record(&header)?;
        for r in &m.rows {
            for c in &r.cases {
                let mut rec = vec![
                    m.go.version.clone(),
                    r.name.clone(),
                    r.type_expr.clone(),
                    r.go_type.clone(),
                    r.size.to_string(),
                    r.align.to_string(),
                    c.scenario.to_string(),
                    c.allocs_per_op.to_string(),
                    c.bytes_per_op.to_string(),
                    c.mallocs.to_string(),
                    c.total_bytes.to_string(),
                    c.iterations.to_string(),
                    c.routine.map(|r| r.name().to_string()).unwrap_or_default(),
                    match c.escape {
                        Some(Escape::Escapes) => "escapes".to_string(),
                        Some(Escape::DoesNotEscape) => "does_not_escape".to_string(),
                        None => String::new(),
                    },
                    c.note.clone().unwrap_or_default(),
                    c.prediction
                        .as_ref()
                        .map(|p| p.routine.name().to_string())
                        .unwrap_or_default(),
                    c.prediction
                        .as_ref()
                        .map(|p| p.allocs_per_op.to_string())
                        .unwrap_or_default(),
                    c.prediction
                        .as_ref()
                        .map(|p| p.bytes_per_op.to_string())
                        .unwrap_or_default(),
                    c.prediction_ok.to_string(),
                ];
                for a in &m.cross_archs {
                    rec.push(
                        c.routines
                            .get(a)
                            .copied()
                            .flatten()
                            .map(|r| r.name().to_string())
                            .unwrap_or_default(),
                    );
                }
                w.write_record(&rec)?;
            }
        }
        w.flush()?;
    }
    Ok(())
}
