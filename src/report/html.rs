//! Self-contained HTML reports for `matrix` (one or several Go versions),
//! `scan` and `lem`: inline CSS, inline SVG charts and a little inline
//! script (sorting, filters) that the page does without. Nothing is loaded
//! from the network (a Content-Security-Policy forbids it). Templates live
//! beside this file and are rendered with minijinja, which escapes all text.

use std::io::Write;

use anyhow::{Context, Result};
use minijinja::{context, Environment};
use serde_json::{json, Value};

use super::Exporter;
use crate::matrix::compare::{key, measured_scenarios, Change};
use crate::matrix::results::cell;
use crate::matrix::results::{fmt_num, CaseResult, Matrix};

const CSS: &str = include_str!("html/base.css");

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    // Templates named *.html are escaped as HTML.
    env.add_template("matrix.html", include_str!("html/matrix.html"))
        .expect("matrix template parses");
    env.add_template("scan.html", include_str!("html/scan.html"))
        .expect("scan template parses");
    env.add_template("lem.html", include_str!("html/lem.html"))
        .expect("lem template parses");
    env.add_template("lab.html", include_str!("html/lab.html"))
        .expect("lab template parses");
    env.add_template("sort.js", include_str!("html/sort.js"))
        .expect("sort script parses");
    env
}

/// Renders `template` with `ctx` and the shared stylesheet as `css`; `what`
/// names the page in an error.
fn render(template: &str, ctx: minijinja::Value, what: &str) -> Result<String> {
    env()
        .get_template(template)?
        .render(context! { css => CSS, ..ctx })
        .with_context(|| format!("rendering {what}"))
}

/// Today's date (UTC), as `2026-11-24`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The command line that made the report.
fn command() -> String {
    std::env::args()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn fill(c: Option<&CaseResult>) -> &'static str {
    match c {
        None => "#f3f4f7",
        Some(c) if c.bytes_per_op == 0.0 => "#e6f4ea",
        Some(c) if c.bytes_per_op <= 16.0 => "#fde7c8",
        Some(c) if c.bytes_per_op <= 128.0 => "#f9b27c",
        Some(c) if c.bytes_per_op <= 1024.0 => "#e8643c",
        Some(_) => "#b3261e",
    }
}

/// A heatmap cell's text: bytes (and allocations when more than one) and
/// the routine, e.g. `8 B convT64`, `0 zeroVal`.
fn short_cell(c: Option<&CaseResult>) -> String {
    let Some(c) = c else {
        return "-".into();
    };
    let mut s = if c.bytes_per_op == 0.0 {
        "0".to_string()
    } else {
        format!("{} B", fmt_num(c.bytes_per_op))
    };
    if c.allocs_per_op > 1.0 {
        s.push_str(&format!("×{}", fmt_num(c.allocs_per_op)));
    }
    if let Some(r) = c.routine {
        s.push(' ');
        s.push_str(r.name());
    }
    s
}

fn title(c: Option<&CaseResult>) -> String {
    let Some(c) = c else {
        return "does not apply to this type".into();
    };
    let mut t = format!(
        "{} B and {} allocs per store, {} ns",
        fmt_num(c.bytes_per_op),
        fmt_num(c.allocs_per_op),
        fmt_num(c.ns_per_op)
    );
    if let Some(r) = c.routine {
        t.push_str(&format!("; routine {r}"));
    }
    if let Some(p) = &c.prediction {
        t.push_str(&format!(
            "; the rules predict {} B via {}",
            fmt_num(p.bytes_per_op),
            p.routine
        ));
    }
    if let Some(n) = &c.note {
        t.push_str(&format!("; note: {n}"));
    }
    t
}

/// The matrix report for one or several versions (same rows in each).
pub fn matrix(ms: &[Matrix], changes: &[Change]) -> Result<String> {
    let scenarios = measured_scenarios(ms);
    let (cell_w, cell_h) = (124usize, 22usize);
    let longest = ms[0]
        .rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4);
    let label_width = (longest * 7 + 12).min(420);
    let panels: Vec<Value> = ms
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let rows: Vec<Value> = m
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let cells: Vec<Value> = scenarios
                        .iter()
                        .map(|&s| {
                            let c = r.case(s);
                            let changed = k > 0 && key(ms[k - 1].rows[i].case(s)) != key(c);
                            json!({
                                "scenario": s.name(),
                                "fill": fill(c),
                                "short": short_cell(c),
                                "title": title(c),
                                "changed": changed,
                            })
                        })
                        .collect();
                    json!({ "name": r.name, "index": i, "cells": cells })
                })
                .collect();
            json!({
                "version": m.go.version,
                "width": label_width + scenarios.len() * cell_w + 4,
                "height": 28 + m.rows.len() * cell_h,
                "rows": rows,
            })
        })
        .collect();
    // One table row per catalog row; a column per (version, scenario).
    let mut columns = Vec::new();
    for m in ms {
        for s in &scenarios {
            columns.push(if ms.len() > 1 {
                format!("{s} {}", m.go.version)
            } else {
                s.name().to_string()
            });
        }
    }
    let mut table = Vec::new();
    for (i, r) in ms[0].rows.iter().enumerate() {
        let mut cells: Vec<Value> = Vec::new();
        for (k, m) in ms.iter().enumerate() {
            for &s in &scenarios {
                let c = m.rows[i].case(s);
                cells.push(json!({
                    "text": cell(c),
                    "bytes": c.map(|c| c.bytes_per_op).unwrap_or(-1.0),
                    "title": title(c),
                    "changed": k > 0 && key(ms[k - 1].rows[i].case(s)) != key(c),
                }));
            }
        }
        table.push(json!({
            "name": r.name,
            "go_type": r.go_type,
            "size": r.size,
            "cells": cells,
        }));
    }
    let versions: Vec<Value> = ms
        .iter()
        .map(|m| json!({ "version": m.go.version, "goos": m.go.goos, "goarch": m.go.goarch }))
        .collect();
    render(
        "matrix.html",
        context! {
        versions => versions,
        iterations => ms[0].iterations,
        date => today(),
        command => command(),
        scenarios => scenarios.iter().map(|s| s.name()).collect::<Vec<_>>(),
        panels => panels,
        label_width => label_width,
        cell_w => cell_w,
        cell_h => cell_h,
        changes => changes,
        columns => columns,
        table => table,
        },
        "the HTML report",
    )
}

pub struct MatrixHtml;

impl Exporter for MatrixHtml {
    fn export(&self, m: &Matrix, out: &mut dyn Write) -> Result<()> {
        out.write_all(matrix(std::slice::from_ref(m), &[])?.as_bytes())?;
        Ok(())
    }
}

/// `s` as HTML text.
fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The most of a source line a site shows: a minified or generated file's
/// one enormous line is cut around the site's column (thousands of sites on
/// one line must not copy it thousands of times).
const MAX_EXCERPT: usize = 160;

/// `line`, or at most [`MAX_EXCERPT`] characters of it around
/// byte `column` (1-based), with `…` where it is cut.
fn excerpt(line: &str, column: usize) -> String {
    if line.chars().count() <= MAX_EXCERPT {
        return line.to_string();
    }
    let at = line
        .char_indices()
        .take_while(|(i, _)| *i + 1 < column)
        .count();
    let start = at.saturating_sub(MAX_EXCERPT / 2);
    let cut: String = line.chars().skip(start).take(MAX_EXCERPT).collect();
    let more_after = line.chars().count() > start + MAX_EXCERPT;
    format!(
        "{}{cut}{}",
        if start > 0 { "…" } else { "" },
        if more_after { "…" } else { "" }
    )
}

/// One conversion site as the scan report shows it: plain data, so that
/// report/ does not depend on scan/ (scan turns its sites into these).
pub struct ScanRow<'a> {
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    pub function: &'a str,
    pub type_name: &'a str,
    pub routine: &'a str,
    pub verdict: &'a str,
    pub bytes: f64,
    pub evidence: &'a str,
    /// Why the value escapes, when the compiler said.
    pub why: Option<&'a str>,
    /// The file on disk, for the source line.
    pub abs_file: &'a std::path::Path,
}

/// The scan report: totals (`summary`), bytes per package, the sites with
/// their source line.
pub fn scan(sites: &[ScanRow], summary: &str) -> Result<String> {
    use std::collections::BTreeMap;
    let package = |s: &ScanRow| {
        s.function
            .rsplit_once('.')
            .map(|(p, _)| p.split(".(").next().unwrap_or(p).to_string())
            .unwrap_or_default()
    };
    let mut verdicts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut routines: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_package: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for s in sites {
        *verdicts.entry(s.verdict).or_default() += 1;
        *routines.entry(s.routine).or_default() += 1;
        if s.bytes > 0.0 {
            let e = per_package.entry(package(s)).or_default();
            e.0 += s.bytes;
            e.1 += 1;
        }
    }
    let mut bars: Vec<(String, f64, usize)> = per_package
        .into_iter()
        .map(|(p, (b, n))| (p, b, n))
        .collect();
    bars.sort_by(|a, b| b.1.total_cmp(&a.1));
    let max = bars.first().map(|b| b.1).unwrap_or(1.0).max(1.0);
    let bar_label = bars
        .iter()
        .map(|b| b.0.chars().count() * 7 + 12)
        .max()
        .unwrap_or(60)
        .min(420);
    let bar_values: Vec<Value> = bars
        .iter()
        .map(|(p, b, n)| {
            json!({ "package": p, "bytes": fmt_num(*b), "sites": n, "width": ((b / max) * 400.0).max(1.0).round() })
        })
        .collect();
    let mut packages: Vec<String> = sites.iter().map(package).collect();
    packages.sort();
    packages.dedup();
    // Source lines, each file read once.
    let mut sources: BTreeMap<&std::path::Path, Vec<String>> = BTreeMap::new();
    let rows: Vec<Value> = sites
        .iter()
        .map(|s| {
            let lines = sources.entry(s.abs_file).or_insert_with(|| {
                std::fs::read_to_string(s.abs_file)
                    .map(|t| t.lines().map(str::to_string).collect())
                    .unwrap_or_default()
            });
            json!({
                "file": s.file,
                "line": s.line,
                "column": s.column,
                "function": s.function,
                "type": s.type_name,
                "routine": s.routine,
                "verdict": s.verdict,
                "bytes": s.bytes,
                "bytes_text": if s.bytes > 0.0 { format!("{} B", fmt_num(s.bytes)) } else { "-".into() },
                "evidence": s.evidence,
                "why": s.why.unwrap_or(""),
                "package": package(s),
                "source": lines
                    .get((s.line as usize).saturating_sub(1))
                    .map(|l| excerpt(l, s.column as usize).trim().to_string())
                    .unwrap_or_default(),
            })
        })
        .collect();
    render(
        "scan.html",
        context! {
        summary => summary,
        date => today(),
        command => command(),
        verdicts => verdicts.iter().map(|(k, v)| json!({"name": k, "count": v})).collect::<Vec<_>>(),
        routines => routines.iter().map(|(k, v)| json!({"name": k, "count": v})).collect::<Vec<_>>(),
        bars => bar_values,
        bar_label => bar_label,
        bars_width => bar_label + 520,
        bars_height => bars.len() * 22 + 8,
        packages => packages,
        sites => rows,
        },
        "the HTML report",
    )
}

/// The lem report: one table per Go version.
pub fn lem(reports: &[crate::lem::Report]) -> Result<String> {
    let rs: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "go_version": r.go_version,
                "goarch": r.goarch,
                "passed": r.passed(),
                "failed": r.failed(),
                "cases": r.cases,
                "warnings": r.warnings,
            })
        })
        .collect();
    render(
        "lem.html",
        context! {
        reports => rs,
        date => today(),
        command => command(),
        },
        "the HTML report",
    )
}

/// The figures the lab docs embed, by the file name their image links use.
const LAB_FIGURES: &[(&str, &str)] = &[
    (
        "lab2-words.svg",
        include_str!("../../docs/img/lab2-words.svg"),
    ),
    (
        "lab3-frame.svg",
        include_str!("../../docs/img/lab3-frame.svg"),
    ),
];

/// One lab as a standalone HTML page: its markdown rendered, its figures
/// inline (the SVGs `lab figure` drew, as the docs embed them).
pub fn lab(number: u32, title: &str, markdown: &str, labs: &[(u32, &str)]) -> Result<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut events = Vec::new();
    let mut in_image = false;
    let mut link_path: Option<String> = None;
    let mut last_text = String::new();
    for ev in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::Image { dest_url, .. }) => {
                let name = dest_url.rsplit('/').next().unwrap_or("");
                match LAB_FIGURES.iter().find(|(n, _)| *n == name) {
                    Some((_, svg)) => {
                        events.push(Event::Html(svg.to_string().into()));
                        in_image = true;
                    }
                    None => events.push(Event::Start(Tag::Image {
                        link_type: pulldown_cmark::LinkType::Inline,
                        dest_url,
                        title: "".into(),
                        id: "".into(),
                    })),
                }
            }
            Event::End(TagEnd::Image) if in_image => in_image = false,
            _ if in_image => {} // the alt text of an inlined figure
            // A link to a file of the repository (`../../examples/labs/x.go`)
            // would break wherever the page is saved: its text stays, with
            // the repository path beside it when the text is not that path.
            Event::Start(Tag::Link { dest_url, .. })
                if !dest_url.starts_with("http") && !dest_url.starts_with('#') =>
            {
                let path = dest_url.trim_start_matches("../").to_string();
                link_path = Some(path);
            }
            Event::End(TagEnd::Link) if link_path.is_some() => {
                let path = link_path.take().unwrap_or_default();
                if !last_text.ends_with(&path) {
                    events.push(Event::Html(
                        format!(" (<code>{}</code>)", escape_html(&path)).into(),
                    ));
                }
            }
            Event::Text(t) => {
                last_text = t.to_string();
                events.push(Event::Text(t));
            }
            Event::Code(t) => {
                last_text = t.to_string();
                events.push(Event::Code(t));
            }
            ev => events.push(ev),
        }
    }
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, events.into_iter());
    let labs: Vec<Value> = labs
        .iter()
        .map(|(n, t)| json!({ "number": n, "title": t }))
        .collect();
    render(
        "lab.html",
        context! {
        number => number,
        title => title,
        body => body,
        labs => labs,
        version => env!("CARGO_PKG_VERSION"),
        },
        "the lab page",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lines_are_cut_around_the_site() {
        assert_eq!(super::excerpt("x := 1", 3), "x := 1");
        let long = format!("{}SITE{}", "a".repeat(5000), "b".repeat(5000));
        let e = super::excerpt(&long, 5001);
        assert!(
            e.contains("SITE") && e.starts_with('…') && e.ends_with('…'),
            "{e}"
        );
        assert!(e.chars().count() <= super::MAX_EXCERPT + 2);
    }
}
