//! Several Go versions side by side: one table with a column group per
//! version (cells that differ from the previous version marked `*`), and
//! below it what changed, each difference with the release rule behind it
//! (`rules::BOUNDARIES`) — "what does upgrading Go change?".

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::markdown::md_cell;
use super::Format;
use crate::matrix::compare::{changes, key, measured_scenarios, Change, Explain};
use crate::matrix::results::{cell, fmt_num, Matrix};

/// The JSON of a multi-version run.
#[derive(Serialize)]
struct Versions<'a> {
    versions: &'a [Matrix],
    changes: Vec<Change>,
}

/// Renders several versions' matrices (same rows, same order) in `format`.
pub fn export(format: Format, ms: &[Matrix], explain: Explain, out: &mut dyn Write) -> Result<()> {
    let changes = changes(ms, explain);
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &Versions {
                    versions: ms,
                    changes,
                },
            )?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut first = true;
            for m in ms {
                let mut buf = Vec::new();
                super::csv::write(m, &mut buf)?;
                let text = String::from_utf8_lossy(&buf);
                let body = if first {
                    &text[..]
                } else {
                    text.split_once('\n').map(|(_, rest)| rest).unwrap_or("")
                };
                out.write_all(body.as_bytes())?;
                first = false;
            }
        }
        Format::Table | Format::Markdown => write_markdown(ms, &changes, out)?,
        Format::Html => out.write_all(super::html::matrix(ms, &changes)?.as_bytes())?,
        Format::Benchfmt => {
            for m in ms {
                super::benchfmt::write(m, out)?;
            }
        }
    }
    Ok(())
}

fn write_markdown(ms: &[Matrix], changes: &[Change], out: &mut dyn Write) -> Result<()> {
    let cols = measured_scenarios(ms);
    write!(out, "| Row | `%T` | Size |")?;
    for m in ms {
        for &s in &cols {
            write!(out, " {s} {} |", m.go.version)?;
        }
    }
    writeln!(out)?;
    write!(out, "|:--|:--|--:|")?;
    for _ in ms {
        for _ in &cols {
            write!(out, "--:|")?;
        }
    }
    writeln!(out)?;
    let first = &ms[0];
    for (i, r) in first.rows.iter().enumerate() {
        write!(
            out,
            "| {} | {} | {} |",
            md_cell(&r.name),
            crate::report::markdown_code(&r.go_type),
            r.size
        )?;
        for (k, m) in ms.iter().enumerate() {
            let row = &m.rows[i];
            for &s in &cols {
                let c = row.case(s);
                let changed = k > 0 && key(ms[k - 1].rows[i].case(s)) != key(c);
                write!(
                    out,
                    " {}{} |",
                    md_cell(&cell(c)),
                    if changed { " *" } else { "" }
                )?;
            }
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "\n{}; cells: heap bytes per store and the compiler's routine; * = differs from the version before\n",
        ms.iter()
            .map(|m| format!("{} {}/{}", m.go.version, m.go.goos, m.go.goarch))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    if changes.is_empty() {
        writeln!(
            out,
            "What changed: nothing; every case measures the same on every version."
        )?;
        return Ok(());
    }
    writeln!(out, "What changed:\n")?;
    for pair in ms.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let these: Vec<&Change> = changes
            .iter()
            .filter(|c| c.from_go == a.go.version && c.to_go == b.go.version)
            .collect();
        if these.is_empty() {
            continue;
        }
        let stop = these
            .iter()
            .filter(|c| c.from_bytes_per_op > 0.0 && c.to_bytes_per_op == 0.0)
            .count();
        let start = these
            .iter()
            .filter(|c| c.from_bytes_per_op == 0.0 && c.to_bytes_per_op > 0.0)
            .count();
        writeln!(
            out,
            "- upgrading {} → {}: {} differing; {stop} stop allocating, {start} start",
            a.go.version,
            b.go.version,
            if these.len() == 1 {
                "1 case".to_string()
            } else {
                format!("{} cases", these.len())
            }
        )?;
        for c in &these {
            writeln!(
                out,
                "  - {} / {}: {} → {}{}",
                md_cell(&c.row),
                c.scenario,
                md_cell(&c.from),
                md_cell(&c.to),
                if c.because.is_empty() {
                    " (no release rule of the model explains this)".to_string()
                } else {
                    format!(" — {}", c.because.join("; "))
                }
            )?;
        }
        let bytes: f64 = these
            .iter()
            .map(|c| c.to_bytes_per_op - c.from_bytes_per_op)
            .sum();
        writeln!(
            out,
            "  - bytes per store over these cases: {}{}",
            if bytes > 0.0 { "+" } else { "" },
            fmt_num(bytes)
        )?;
    }
    Ok(())
}
