//! A comparison of benchmark runs (`bench2md OLD NEW ...`) in four formats:
//! CSV exactly as `benchstat -format csv` writes it (so every cell can be
//! checked against the real benchstat), GitHub markdown for a pull request
//! comment (a table per configuration and unit, footnotes for warnings),
//! JSON (documented in docs/json.md) and a self-contained HTML page.

use std::io::Write;

use anyhow::Result;
use serde_json::json;

use super::markdown::md_cell;
use crate::bench::table::Table;
use crate::bench::units::{self, go_sprint};

/// The table's heading lines: each key field whose value differs from the
/// previous table's, as `key: value` (benchstat's).
fn headings<'a>(t: &'a Table, prev: Option<&Table>) -> Vec<(&'a str, &'a str)> {
    t.key
        .iter()
        .filter(|(k, v)| {
            prev.is_none_or(|p| {
                p.key
                    .iter()
                    .find(|(pk, _)| pk == k)
                    .is_none_or(|(_, pv)| pv != v)
            })
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// One CSV field as Go's encoding/csv writes it.
fn csv_field(f: &str) -> String {
    let needs = f == "\\."
        || f.contains([',', '"', '\r', '\n'])
        || f.starts_with(|c: char| c.is_whitespace());
    if needs {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

fn csv_row(out: &mut dyn Write, row: &[String]) -> Result<()> {
    let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
    writeln!(out, "{}", fields.join(","))?;
    Ok(())
}

/// `benchstat -format csv`'s layout, cell for cell.
pub fn csv(tables: &[Table], out: &mut dyn Write) -> Result<()> {
    let start = |exp: usize| if exp == 0 { 1 } else { 3 + (exp - 1) * 4 };
    let clear_to = |row: &mut Vec<String>, n: usize| {
        while row.len() < n {
            row.push(String::new());
        }
    };
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            csv_row(out, &[String::new()])?;
        }
        for (k, v) in headings(t, i.checked_sub(1).map(|j| &tables[j])) {
            csv_row(out, &[format!("{k}: {v}")])?;
        }
        // The column keys, then the units.
        let mut row = Vec::new();
        for (exp, c) in t.cols.iter().enumerate() {
            clear_to(&mut row, start(exp));
            row.push(c.clone());
        }
        clear_to(&mut row, start(t.cols.len()));
        csv_row(out, &row)?;
        let mut row = Vec::new();
        for exp in 0..t.cols.len() {
            clear_to(&mut row, start(exp));
            row.extend([t.unit.clone(), "CI".into()]);
            if exp > 0 {
                row.extend(["vs base".into(), "P".into()]);
            }
        }
        csv_row(out, &row)?;
        for (r, label) in t.rows.iter().enumerate() {
            let mut row = vec![label.clone()];
            for exp in 0..t.cols.len() {
                let Some(c) = t.cell(r, exp) else { continue };
                clear_to(&mut row, start(exp));
                row.extend([go_sprint(c.summary.center), c.summary.pct_range()]);
                if let (Some(cmp), Some(base)) = (&c.comparison, c.baseline_center) {
                    row.extend([cmp.delta(base, c.summary.center), cmp.describe()]);
                }
            }
            csv_row(out, &row)?;
        }
        let mut row = vec!["geomean".to_string()];
        for (exp, s) in t.summaries.iter().enumerate() {
            clear_to(&mut row, start(exp));
            if let Some(g) = s.geomean {
                row.push(go_sprint(g));
            }
            if exp > 0 {
                clear_to(&mut row, start(exp) + 2);
                row.push(ratio_text(s.ratio));
            }
        }
        clear_to(&mut row, start(t.cols.len()));
        csv_row(out, &row)?;
    }
    Ok(())
}

fn ratio_text(r: Option<f64>) -> String {
    match r {
        Some(r) => format!("{:+.2}%", (r - 1.0) * 100.0),
        None => "?".into(),
    }
}

/// Footnote numbers for warnings, shared across a document.
#[derive(Default)]
struct Footnotes {
    list: Vec<String>,
}

impl Footnotes {
    fn mark(&mut self, warnings: &[String]) -> String {
        let marks: Vec<String> = warnings
            .iter()
            .map(|w| {
                let i = match self.list.iter().position(|x| x == w) {
                    Some(i) => i,
                    None => {
                        self.list.push(w.clone());
                        self.list.len() - 1
                    }
                };
                superscript(i + 1)
            })
            .collect();
        marks.join(" ")
    }
}

fn superscript(i: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    i.to_string()
        .bytes()
        .map(|b| DIGITS[(b - b'0') as usize])
        .collect()
}

/// A cell's warnings, in benchstat's words.
fn cell_warnings(c: &crate::bench::table::Cell) -> (Vec<String>, Vec<String>) {
    let mut summary = Vec::new();
    if let Some((op, n)) = c.summary.need {
        summary.push(format!(
            "need {op} {n} samples for confidence interval at level {}",
            go_sprint(c.summary.level)
        ));
    }
    let mut comparison = Vec::new();
    if let Some(cmp) = &c.comparison {
        if let Some(e) = cmp.error {
            comparison.push(e.to_string());
        }
        if let Some((op, n)) = cmp.need {
            comparison.push(format!(
                "need {op} {n} samples to detect a difference at alpha level {}",
                go_sprint(cmp.alpha)
            ));
        }
    }
    (summary, comparison)
}

/// GitHub-flavoured markdown: a table per configuration and unit, the
/// centers scaled per row as benchstat scales them, `vs base` per column
/// after the first, the geomean row, and the warnings as footnotes.
pub fn markdown(tables: &[Table], out: &mut dyn Write) -> Result<()> {
    let mut notes = Footnotes::default();
    for (i, t) in tables.iter().enumerate() {
        let heads = headings(t, i.checked_sub(1).map(|j| &tables[j]));
        if !heads.is_empty() {
            let line: Vec<String> = heads
                .iter()
                .map(|(k, v)| format!("{}: `{}`", md_cell(k), v.replace('`', "'")))
                .collect();
            writeln!(out, "{}\n", line.join(" · "))?;
        }
        let mut head = vec![String::new()];
        let mut align = vec!["---".to_string()];
        for (exp, c) in t.cols.iter().enumerate() {
            head.push(format!("{} {}", md_cell(c), md_cell(&t.unit)));
            align.push("---:".into());
            if exp > 0 {
                head.push("vs base".into());
                align.push("---".into());
            }
        }
        writeln!(out, "| {} |", head.join(" | "))?;
        writeln!(out, "|{}|", align.join("|"))?;
        for (r, label) in t.rows.iter().enumerate() {
            let scaler = t.row_scaler(r);
            let mut cells = vec![md_cell(label)];
            for exp in 0..t.cols.len() {
                let Some(c) = t.cell(r, exp) else {
                    cells.push(String::new());
                    if exp > 0 {
                        cells.push(String::new());
                    }
                    continue;
                };
                let (sw, cw) = cell_warnings(c);
                let mark = notes.mark(&sw);
                cells.push(format!(
                    "{} ± {}{}",
                    scaler.format(c.summary.center),
                    c.summary.pct_range(),
                    if mark.is_empty() {
                        String::new()
                    } else {
                        format!(" {mark}")
                    }
                ));
                if exp > 0 {
                    match (&c.comparison, c.baseline_center) {
                        (Some(cmp), Some(base)) => {
                            let mark = notes.mark(&cw);
                            let delta = cmp.delta(base, c.summary.center);
                            let delta = if cmp.significant() && delta != "~" {
                                format!("**{delta}**")
                            } else {
                                delta
                            };
                            cells.push(format!(
                                "{delta} ({}){}",
                                cmp.describe(),
                                if mark.is_empty() {
                                    String::new()
                                } else {
                                    format!(" {mark}")
                                }
                            ));
                        }
                        _ => cells.push(String::new()),
                    }
                }
            }
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        if t.rows.len() > 1 {
            let class = units::class_of(&t.unit);
            let mut cells = vec!["geomean".to_string()];
            for (exp, s) in t.summaries.iter().enumerate() {
                let mark = notes.mark(&s.warnings);
                let g = s
                    .geomean
                    .map(|g| units::common_scale(&[g], class).format(g))
                    .unwrap_or_default();
                if exp == 0 {
                    cells.push(format!("{g}{}", sup(&mark)));
                } else {
                    cells.push(g);
                    cells.push(format!("{}{}", ratio_text(s.ratio), sup(&mark)));
                }
            }
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        writeln!(out)?;
    }
    for (i, w) in notes.list.iter().enumerate() {
        writeln!(out, "{} {}  ", superscript(i + 1), md_cell(w))?;
    }
    Ok(())
}

fn sup(mark: &str) -> String {
    if mark.is_empty() {
        String::new()
    } else {
        format!(" {mark}")
    }
}

/// The comparison as JSON: per table its key, unit, columns and rows, each
/// cell with its values, median, interval and (after the first column) the
/// comparison with the baseline; the geomean row per column.
pub fn json(
    tables: &[Table],
    breaches: &[crate::bench::budget::Breach],
    rises: &[crate::bench::explain::Rise],
    out: &mut dyn Write,
) -> Result<()> {
    let doc: Vec<serde_json::Value> = tables
        .iter()
        .map(|t| {
            let rows: Vec<serde_json::Value> = t
                .rows
                .iter()
                .enumerate()
                .map(|(r, name)| {
                    let cells: Vec<serde_json::Value> = (0..t.cols.len())
                        .map(|c| match t.cell(r, c) {
                            None => serde_json::Value::Null,
                            Some(cell) => {
                                let (sw, cw) = cell_warnings(cell);
                                json!({
                                    "values": cell.values,
                                    "median": cell.summary.center,
                                    "lo": finite(cell.summary.lo),
                                    "hi": finite(cell.summary.hi),
                                    "range": cell.summary.pct_range(),
                                    "delta": cell.comparison.as_ref().zip(cell.baseline_center)
                                        .map(|(cmp, b)| cmp.delta(b, cell.summary.center)),
                                    "p": cell.comparison.as_ref().map(|c| c.p),
                                    "significant": cell.comparison.as_ref().map(|c| c.significant()),
                                    "warnings": sw.into_iter().chain(cw).collect::<Vec<_>>(),
                                })
                            }
                        })
                        .collect();
                    json!({ "name": name, "cells": cells })
                })
                .collect();
            let key: serde_json::Map<String, serde_json::Value> = t
                .key
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            json!({
                "key": key,
                "unit": t.unit,
                "columns": t.cols,
                "rows": rows,
                "geomean": t.summaries.iter().map(|s| json!({
                    "value": s.geomean,
                    "ratio": s.ratio,
                    "warnings": s.warnings,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let breaches: Vec<serde_json::Value> = breaches
        .iter()
        .map(|b| {
            json!({
                "benchmark": b.row,
                "unit": b.limit.unit,
                "limit": b.limit.max,
                "value": b.new,
                "baseline": b.old,
                "change": b.change,
                "fails": b.fails,
            })
        })
        .collect();
    let rises: Vec<serde_json::Value> = rises
        .iter()
        .map(|r| {
            json!({
                "benchmark": r.benchmark,
                "package": r.package,
                "unit": r.unit,
                "old": r.old,
                "new": r.new,
                "delta": r.delta,
                "test": r.test,
                "causes": r.causes.iter().map(|c| json!({
                    "file": c.site.file,
                    "line": c.site.line,
                    "column": c.site.column,
                    "function": c.site.function,
                    "type": c.site.type_name,
                    "routine": c.site.routine,
                    "bytes": c.site.bytes,
                    "condition": c.site.condition,
                    "why": c.site.why,
                    "new": c.before.is_none(),
                    "named": c.named,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_writer_pretty(
        &mut *out,
        &json!({ "tables": doc, "over_budget": breaches, "allocs_rose": rises }),
    )?;
    writeln!(out)?;
    Ok(())
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A self-contained HTML page: the markdown tables rendered, no scripts.
pub fn html(tables: &[Table], out: &mut dyn Write) -> Result<()> {
    let mut md = Vec::new();
    markdown(tables, &mut md)?;
    let md = String::from_utf8_lossy(&md);
    let mut body = String::new();
    let opts = pulldown_cmark::Options::ENABLE_TABLES;
    pulldown_cmark::html::push_html(&mut body, pulldown_cmark::Parser::new_ext(&md, opts));
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Benchmark comparison</title>\n<style>body{{font-family:system-ui,sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.2em .6em}}td:not(:first-child){{text-align:right;font-variant-numeric:tabular-nums}}</style></head><body>\n{body}</body></html>"
    )?;
    Ok(())
}

/// The budget's breaches under the tables, for a pull request comment.
pub fn budget_markdown(
    breaches: &[crate::bench::budget::Breach],
    out: &mut dyn Write,
) -> Result<()> {
    if breaches.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n**Over budget**\n")?;
    writeln!(
        out,
        "| benchmark | unit | budget | now | change | verdict |"
    )?;
    writeln!(out, "|---|---|---:|---:|---|---|")?;
    for b in breaches {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            md_cell(&b.row),
            md_cell(&b.limit.unit),
            go_sprint(b.limit.max),
            go_sprint(b.new),
            md_cell(b.change.as_deref().unwrap_or("")),
            if b.fails {
                "fails"
            } else if b.old.is_some_and(|old| b.new <= old) {
                "no increase"
            } else {
                "not significant"
            }
        )?;
    }
    Ok(())
}

/// Why allocs/op rose: per benchmark, the conversion sites that are new or
/// worse between the revisions, in the packages it exercises.
pub fn explain_markdown(rises: &[crate::bench::explain::Rise], out: &mut dyn Write) -> Result<()> {
    if rises.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n**Why allocs/op rose**\n")?;
    for r in rises {
        writeln!(
            out,
            "- {} in `{}`: {} → {} ({})",
            md_cell(&format!("{} {}", r.unit, r.delta)),
            r.benchmark.replace('`', "'"),
            go_sprint(r.old),
            go_sprint(r.new),
            md_cell(&r.test)
        )?;
        if r.causes.is_empty() {
            writeln!(
                out,
                "  - no interface conversion in its packages is new or worse: the allocation is another kind (`ifacealloc check` names every allocating call)"
            )?;
        }
        for c in &r.causes {
            writeln!(out, "  - {}", cause_text(c))?;
        }
    }
    Ok(())
}

/// One cause in a sentence: where, what is converted, the routine, bytes,
/// condition and why; what it was before when it got worse.
pub fn cause_text(c: &crate::bench::explain::Cause) -> String {
    let s = &c.site;
    let mut what = format!("{}, {} B", s.routine, go_sprint(s.bytes));
    if let Some(cond) = &s.condition {
        what.push_str(&format!(", {cond}"));
    }
    let verb = match c.before {
        None => "now converts".to_string(),
        Some((v, b)) => format!(
            "converts, worse than before ({}, {} B then),",
            serde_json::to_value(v)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            go_sprint(b)
        ),
    };
    let mut text = format!(
        "`{}:{}:{}` {verb} a `{}` ({})",
        s.file.replace('`', "'"),
        s.line,
        s.column,
        s.type_name.replace('`', "'"),
        md_cell(&what)
    );
    if let Some(why) = &s.why {
        text.push_str(&format!(" — {}", md_cell(why)));
    }
    if c.named {
        text.push_str(" (the benchmark names its function)");
    }
    text
}
