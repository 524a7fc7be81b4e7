//! The public study's 6-column markdown table, shared by `matrix --catalog seed
//! --format markdown` and `bench2md` on the study's benchmark naming.

use std::io::Write;

use anyhow::Result;

use super::markdown::md_cell;
use super::Exporter;
use crate::matrix::results::{fmt_num, Matrix};
use crate::model::scenario::Scenario;

/// One line of the seed's table; each figure is bytes per op, already formatted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeedRow {
    pub name: String,
    pub go_type: String,
    pub zero_copy: String,
    pub zero_iface: String,
    pub nonzero_copy: String,
    pub nonzero_iface: String,
}

pub const HEADER: &str = "| Type | `%T` | Bytes to store zero value | ....in an interface | Bytes to store non-zero, random value | ...in an interface |";
pub const RULE: &str = "|:----:|:----:|:-------------------------:|:-------------------:|:-------------------------------------:|:------------------:|";

/// Writes the seed's table.
pub fn write_table(rows: &[SeedRow], out: &mut dyn Write) -> Result<()> {
    writeln!(out, "{HEADER}\n{RULE}")?;
    for r in rows {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            md_cell(&r.name),
            if r.go_type.is_empty() {
                String::new()
            } else {
                crate::report::markdown_code(&r.go_type)
            },
            r.zero_copy,
            r.zero_iface,
            r.nonzero_copy,
            r.nonzero_iface
        )?;
    }
    Ok(())
}

pub struct SeedExporter;

impl Exporter for SeedExporter {
    fn export(&self, m: &Matrix, out: &mut dyn Write) -> Result<()> {
        let bytes = |r: &crate::matrix::results::RowResult, s| {
            r.case(s)
                .map(|c| fmt_num(c.bytes_per_op))
                .unwrap_or_default()
        };
        let rows: Vec<SeedRow> = m
            .rows
            .iter()
            .map(|r| SeedRow {
                name: r.name.clone(),
                go_type: r.go_type.clone(),
                zero_copy: bytes(r, Scenario::CopyZero),
                zero_iface: bytes(r, Scenario::Zero),
                nonzero_copy: bytes(r, Scenario::Copy),
                nonzero_iface: bytes(r, Scenario::Nonzero),
            })
            .collect();
        write_table(&rows, out)
    }
}
