//! Reports: one file per output format, all behind [`Exporter`].

pub mod bench;
mod benchfmt;
pub mod check;
pub mod comparison;
pub(crate) mod csv;
pub mod html;
mod json;
mod markdown;
pub mod scan;
pub mod seed;
mod table;
pub mod versions;

use std::io::Write;

pub use markdown::md_cell as markdown_cell;
pub use markdown::md_code as markdown_code;

use anyhow::Result;

use crate::matrix::results::{fmt_num, CaseResult, Matrix};

/// Output format of `matrix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// A GitHub-flavoured markdown table (the seed's layout with `--catalog seed`).
    Markdown,
    /// The full result as JSON (fields documented in docs/json.md).
    Json,
    /// One line per case.
    Csv,
    /// A self-contained HTML report: heatmap per Go version, sortable table.
    Html,
    /// The Go benchmark format, for benchstat.
    Benchfmt,
}

/// Renders a measured matrix in one format.
pub trait Exporter {
    fn export(&self, m: &Matrix, out: &mut dyn Write) -> Result<()>;
}

/// The exporter for `format`; `seed_layout` picks the seed's 6-column markdown.
pub fn exporter(format: Format, seed_layout: bool) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(table::TableExporter),
        Format::Markdown if seed_layout => Box::new(seed::SeedExporter),
        Format::Markdown => Box::new(markdown::MarkdownExporter),
        Format::Json => Box::new(json::JsonExporter),
        Format::Csv => Box::new(csv::CsvExporter),
        Format::Html => Box::new(html::MatrixHtml),
        Format::Benchfmt => Box::new(benchfmt::BenchfmtExporter),
    }
}

/// A cross-compiled case's cell: the routine on `arch`.
pub fn arch_cell(c: Option<&CaseResult>, arch: &str) -> String {
    match c {
        None => "-".to_string(),
        Some(c) => match c.routines.get(arch) {
            Some(Some(r)) => r.name().to_string(),
            Some(None) => "·".to_string(),
            None => "?".to_string(),
        },
    }
}

/// The model column: ✓ when every case's prediction matches its measurement,
/// else ✗ and the scenarios that differ.
pub fn model_cell(r: &crate::matrix::results::RowResult) -> String {
    let bad: Vec<&str> = r
        .cases
        .iter()
        .filter(|c| !c.prediction_ok)
        .map(|c| c.scenario.name())
        .collect();
    if bad.is_empty() {
        "✓".to_string()
    } else {
        format!("✗ {}", bad.join(","))
    }
}

/// Lines describing each case whose prediction differs from its measurement.
pub fn mispredictions(m: &Matrix) -> Vec<String> {
    let mut out = Vec::new();
    for r in &m.rows {
        for c in r.cases.iter().filter(|c| !c.prediction_ok) {
            let predicted = match &c.prediction {
                Some(p) => format!(
                    "predicted {} B / {} allocs via {}",
                    fmt_num(p.bytes_per_op),
                    fmt_num(p.allocs_per_op),
                    p.routine
                ),
                None => "predicted no conversion".to_string(),
            };
            out.push(format!(
                "{}/{}: {predicted}, measured {} B / {} allocs via {}",
                r.name,
                c.scenario,
                fmt_num(c.bytes_per_op),
                fmt_num(c.allocs_per_op),
                c.routine.map(|r| r.name()).unwrap_or("none")
            ));
        }
    }
    out
}

/// Every note, as `row/scenario: note` lines.
pub fn notes(m: &Matrix) -> Vec<String> {
    let mut out = Vec::new();
    for r in &m.rows {
        for c in &r.cases {
            if let Some(n) = &c.note {
                out.push(format!("{}/{}: {n}", r.name, c.scenario));
            }
        }
    }
    out.extend(mispredictions(m));
    out
}

/// Text for XML and SVG (text and attribute values): the five markup
/// characters escaped, control characters XML forbids made spaces.
pub fn xml_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The one-line caption under a table: what was measured, where.
pub fn caption(m: &Matrix) -> String {
    format!(
        "{} {}/{}, {} stores per case; cells: heap bytes per store (0 = no allocation) and the compiler's routine; - = not applicable; ! = see notes; model: ✓ = every case as the rules predict",
        m.go.version, m.go.goos, m.go.goarch, m.iterations
    )
}
