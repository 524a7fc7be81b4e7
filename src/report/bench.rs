//! Benchmark results as markdown: the public study's seed table for results
//! in its naming, a generic table (a column per unit) for the rest. Reads
//! the parsed [`BenchReport`]; parsing knows nothing of rendering.

use std::io::Write;

use anyhow::Result;

use super::seed::{self, SeedRow};
use crate::matrix::results::fmt_num;
use crate::parse::bench::{seed_row, BenchReport, BenchResult};

/// Formats B/op as the seed did: integers bare, else two decimals.
fn seed_num(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(x) => fmt_num((x * 100.0).round() / 100.0),
        Err(_) => v.to_string(),
    }
}

/// Custom units shown as columns of their own; the rest share one column.
const MAX_UNIT_COLUMNS: usize = 8;

impl BenchReport {
    /// The seed's rows, in first-seen order, for results in the seed's naming.
    pub fn seed_rows(&self) -> Vec<SeedRow> {
        let mut rows: Vec<SeedRow> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for r in &self.results {
            let Some(row) = seed_row(&r.name) else {
                continue;
            };
            let idx = *index.entry(row).or_insert_with(|| {
                rows.push(SeedRow {
                    name: row.to_string(),
                    go_type: self.real_types.get(row).cloned().unwrap_or_default(),
                    ..SeedRow::default()
                });
                rows.len() - 1
            });
            let bytes = r.metric("B/op").map(|v| seed_num(&v)).unwrap_or_default();
            let s = &mut rows[idx];
            let tail = &r.name[r.name.len() - 3..];
            match tail {
                "0/s" => s.zero_copy = bytes,
                "0/h" => s.zero_iface = bytes,
                "n/s" => s.nonzero_copy = bytes,
                _ => s.nonzero_iface = bytes,
            }
        }
        rows
    }

    /// Writes the seed's table for seed-named results, then a generic table for the rest.
    pub fn write_markdown(&self, out: &mut dyn Write) -> Result<()> {
        let seed_rows = self.seed_rows();
        if !seed_rows.is_empty() {
            seed::write_table(&seed_rows, out)?;
        }
        let others: Vec<&BenchResult> = self
            .results
            .iter()
            .filter(|r| seed_row(&r.name).is_none())
            .collect();
        if others.is_empty() {
            return Ok(());
        }
        if !seed_rows.is_empty() {
            writeln!(out)?;
        }
        self.write_generic(&others, out)
    }

    fn write_generic(&self, rows: &[&BenchResult], out: &mut dyn Write) -> Result<()> {
        use crate::report::markdown_cell as cell;
        let standard = ["ns/op", "B/op", "allocs/op"];
        // Custom units get a column each, up to MAX_UNIT_COLUMNS in first-seen
        // order; rarer ones share one "other metrics" column, so a unit per
        // benchmark cannot multiply the table's width.
        let mut custom: Vec<&str> = Vec::new();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut overflow = false;
        for r in rows {
            for (u, _) in &r.metrics {
                if standard.contains(&u.as_str()) || seen.contains(u.as_str()) {
                    continue;
                }
                if custom.len() < MAX_UNIT_COLUMNS {
                    seen.insert(u);
                    custom.push(u);
                } else {
                    overflow = true;
                }
            }
        }
        let pkgs: Vec<&str> = {
            let mut p: Vec<&str> = rows.iter().filter_map(|r| r.pkg.as_deref()).collect();
            p.dedup();
            p
        };
        let show_pkg = pkgs.len() > 1;
        let show_procs = rows.iter().any(|r| r.procs.is_some());
        let config: Vec<String> = self
            .config
            .iter()
            .filter(|(k, _)| !show_pkg || k != "pkg")
            .map(|(k, v)| format!("{}: {}", cell(k), crate::report::markdown_code(v)))
            .collect();
        if !config.is_empty() {
            writeln!(out, "{}\n", config.join(" · "))?;
        }
        let mut header = Vec::new();
        if show_pkg {
            header.push("Package");
        }
        header.push("Benchmark");
        if show_procs {
            header.push("Procs");
        }
        let show_runs = rows.iter().any(|r| r.runs > 1);
        if show_runs {
            header.push("Runs");
        }
        header.extend(["Iterations", "ns/op", "B/op", "allocs/op"]);
        let mut header: Vec<String> = header.into_iter().map(String::from).collect();
        header.extend(custom.iter().map(|u| cell(u)));
        if overflow {
            header.push("Other metrics".into());
        }
        writeln!(out, "| {} |", header.join(" | "))?;
        let align: Vec<&str> = header
            .iter()
            .map(|h| {
                if matches!(h.as_str(), "Package" | "Benchmark") {
                    ":--"
                } else {
                    "--:"
                }
            })
            .collect();
        writeln!(out, "|{}|", align.join("|"))?;
        for r in rows {
            let mut line = Vec::new();
            if show_pkg {
                line.push(cell(r.pkg.as_deref().unwrap_or("")));
            }
            line.push(cell(&r.name));
            if show_procs {
                line.push(r.procs.map(|p| p.to_string()).unwrap_or_default());
            }
            if show_runs {
                line.push(r.runs.to_string());
            }
            line.push(r.iterations.to_string());
            for u in standard.iter().chain(custom.iter()) {
                line.push(cell(&r.metric(u).unwrap_or_default()));
            }
            if overflow {
                let other: Vec<String> = r
                    .metrics
                    .iter()
                    .filter(|(u, _)| !standard.contains(&u.as_str()) && !seen.contains(u.as_str()))
                    .map(|(u, v)| format!("{v} {u}"))
                    .collect();
                line.push(cell(&other.join(", ")));
            }
            writeln!(out, "| {} |", line.join(" | "))?;
        }
        Ok(())
    }
}
