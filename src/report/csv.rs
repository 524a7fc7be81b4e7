//! CSV: one line per case, with the raw counters.

use std::io::Write;

use anyhow::Result;

use super::Exporter;
use crate::model::Matrix;

pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn export(&self, m: &Matrix, out: &mut dyn Write) -> Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
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
        ])?;
        for r in &m.rows {
            for c in &r.cases {
                w.write_record([
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
                ])?;
            }
        }
        w.flush()?;
        Ok(())
    }
}
