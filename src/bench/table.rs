//! Benchmark results grouped into tables as benchstat groups them: a table
//! per configuration and unit (`-table .config`), a row per benchmark
//! (`-row .fullname`), a column per input file (`-col .file`), each cell a
//! sample summarized by its median and compared with the first column's
//! cell (the baseline), and a geometric-mean row. Keys sort in the order
//! their values were first seen, field by field.

use std::collections::HashMap;

use crate::parse::bench::Samples;

use super::stats::{self, Comparison, Summary};
use super::units;

/// A projection's values: (field name, value), in the projection's order.
type Key = Vec<(String, String)>;

/// A table's samples by (row key, column key).
type Cells = HashMap<(Key, Key), Vec<f64>>;

/// One input: its label (the file name as given) and its result lines.
pub struct Input {
    pub label: String,
    pub samples: Samples,
}

/// A field results are grouped by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// The input a result came from.
    File,
    /// The benchmark's base name (`Encode` of `Encode/size=64-8`).
    Name,
    /// The full name, sub-benchmarks and GOMAXPROCS suffix included.
    FullName,
    /// Every file-level configuration key not grouped otherwise.
    Config,
    /// One configuration key (`goos`, `pkg`, `cpu`, ...).
    ConfigKey(String),
    /// One sub-benchmark key (`/size` of `Encode/size=64`; `/gomaxprocs`).
    NameKey(String),
}

impl Field {
    /// Parses benchstat's projection syntax: `.file`, `.name`, `.fullname`,
    /// `.config`, `/key`, or a configuration key; several, comma-separated.
    pub fn parse_list(s: &str) -> Result<Vec<Field>, String> {
        s.split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| {
                Ok(match f {
                    ".file" => Field::File,
                    ".name" => Field::Name,
                    ".fullname" => Field::FullName,
                    ".config" => Field::Config,
                    _ if f.starts_with('/') && f.len() > 1 => Field::NameKey(f[1..].to_string()),
                    _ if f.starts_with('.') => {
                        return Err(format!(
                            "unknown key {f}; use .file, .name, .fullname, .config, /KEY or a configuration key"
                        ))
                    }
                    _ => Field::ConfigKey(f.to_string()),
                })
            })
            .collect()
    }
}

/// How results are grouped and judged.
#[derive(Debug, Clone)]
pub struct Options {
    pub table: Vec<Field>,
    pub row: Vec<Field>,
    pub col: Vec<Field>,
    /// Confidence level of the intervals (benchstat: 0.95).
    pub confidence: f64,
    /// Significance level of the U test (benchstat: 0.05).
    pub alpha: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            table: vec![Field::Config],
            row: vec![Field::FullName],
            col: vec![Field::File],
            confidence: 0.95,
            alpha: 0.05,
        }
    }
}

/// One cell: a sample, its summary and its comparison with the baseline.
#[derive(Debug, Clone)]
pub struct Cell {
    pub values: Vec<f64>,
    pub summary: Summary,
    /// Against the same row's cell in the first column (none in it).
    pub comparison: Option<Comparison>,
    pub baseline_center: Option<f64>,
}

/// The geometric-mean row's entry for one column.
#[derive(Debug, Clone, Default)]
pub struct ColumnSummary {
    pub geomean: Option<f64>,
    /// The geometric mean of the ratios to the baseline (not in it).
    pub ratio: Option<f64>,
    pub warnings: Vec<String>,
}

/// One table: a configuration and a unit.
#[derive(Debug, Clone)]
pub struct Table {
    /// The table's key, as (field name, value), unit aside.
    pub key: Vec<(String, String)>,
    pub unit: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// Keyed by (row, column) index.
    pub cells: HashMap<(usize, usize), Cell>,
    pub summaries: Vec<ColumnSummary>,
}

impl Table {
    pub fn cell(&self, row: usize, col: usize) -> Option<&Cell> {
        self.cells.get(&(row, col))
    }

    /// The scale a row's values print with (from its smallest center).
    pub fn row_scaler(&self, row: usize) -> units::Scaler {
        let centers: Vec<f64> = (0..self.cols.len())
            .filter_map(|c| self.cell(row, c).map(|x| x.summary.center))
            .collect();
        units::common_scale(&centers, units::class_of(&self.unit))
    }
}

/// A result's value of each field, in the projection's order.
struct Result1<'a> {
    file: &'a str,
    name: &'a str,
    config: &'a [(String, String)],
}

impl Result1<'_> {
    fn base_name(&self) -> &str {
        let n = self.name.split('/').next().unwrap_or(self.name);
        strip_procs(n).0
    }

    fn name_key(&self, key: &str) -> String {
        let (_, procs) = strip_procs(self.name);
        if key == "gomaxprocs" {
            return procs.unwrap_or("").to_string();
        }
        let full = strip_procs(self.name).0;
        full.split('/')
            .skip(1)
            .find_map(|part| {
                let (k, v) = part.split_once('=')?;
                (k == key).then(|| v.to_string())
            })
            .unwrap_or_default()
    }

    /// The values of `fields` (`.config` expanded to `config_keys`).
    fn project(&self, fields: &[Field], config_keys: &[String]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for f in fields {
            match f {
                Field::File => out.push((".file".into(), self.file.to_string())),
                Field::Name => out.push((".name".into(), self.base_name().to_string())),
                Field::FullName => out.push((".fullname".into(), self.name.to_string())),
                Field::Config => {
                    for k in config_keys {
                        out.push((k.clone(), self.config_value(k)));
                    }
                }
                Field::ConfigKey(k) => out.push((k.clone(), self.config_value(k))),
                Field::NameKey(k) => out.push((format!("/{k}"), self.name_key(k))),
            }
        }
        out
    }

    fn config_value(&self, k: &str) -> String {
        self.config
            .iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// `Name-8` → (`Name`, `Some("8")`).
fn strip_procs(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('-') {
        Some((n, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (n, Some(p)),
        _ => (name, None),
    }
}

/// The order keys sort in: per field, the order its values were first seen.
#[derive(Default)]
struct FirstSeen {
    by_field: HashMap<String, HashMap<String, usize>>,
}

impl FirstSeen {
    fn see(&mut self, key: &[(String, String)]) {
        for (f, v) in key {
            let m = self.by_field.entry(f.clone()).or_default();
            let n = m.len();
            m.entry(v.clone()).or_insert(n);
        }
    }

    fn rank(&self, key: &[(String, String)]) -> Vec<usize> {
        key.iter().map(|(f, v)| self.by_field[f][v]).collect()
    }
}

/// Groups every input's results into tables and computes their statistics.
pub fn build(inputs: &[Input], opts: &Options) -> Vec<Table> {
    // `.config` is every configuration key the other groupings do not name.
    let named: Vec<&String> = opts
        .table
        .iter()
        .chain(&opts.row)
        .chain(&opts.col)
        .filter_map(|f| match f {
            Field::ConfigKey(k) => Some(k),
            _ => None,
        })
        .collect();
    let mut config_keys: Vec<String> = Vec::new();
    for input in inputs {
        for c in &input.samples.configs {
            for (k, _) in c {
                if !config_keys.contains(k) && !named.contains(&k) {
                    config_keys.push(k.clone());
                }
            }
        }
    }
    let mut seen = FirstSeen::default();
    let mut units_seen: Vec<String> = Vec::new();
    // (table key, unit) → (row key, col key) → values.
    let mut groups: HashMap<(Key, String), Cells> = HashMap::new();
    for input in inputs {
        for s in &input.samples.samples {
            let r = Result1 {
                file: &input.label,
                name: &s.name,
                config: &input.samples.configs[s.config],
            };
            let t = r.project(&opts.table, &config_keys);
            let row = r.project(&opts.row, &config_keys);
            let col = r.project(&opts.col, &config_keys);
            seen.see(&t);
            seen.see(&row);
            seen.see(&col);
            for (value, unit) in &s.values {
                let (unit, factor) = units::tidy(unit);
                if !units_seen.contains(&unit) {
                    units_seen.push(unit.clone());
                }
                groups
                    .entry((t.clone(), unit))
                    .or_default()
                    .entry((row.clone(), col.clone()))
                    .or_default()
                    .push(value * factor);
            }
        }
    }
    let unit_rank = |u: &String| units_seen.iter().position(|x| x == u).unwrap_or(0);
    let mut keys: Vec<(Key, String)> = groups.keys().cloned().collect();
    keys.sort_by_key(|(k, u)| (seen.rank(k), unit_rank(u)));
    keys.into_iter()
        .map(|k| {
            let cells = &groups[&k];
            table(k.0, k.1, cells, &seen, opts)
        })
        .collect()
}

fn table(
    key: Vec<(String, String)>,
    unit: String,
    cells_in: &Cells,
    seen: &FirstSeen,
    opts: &Options,
) -> Table {
    let mut rows: Vec<&Vec<(String, String)>> = Vec::new();
    let mut cols: Vec<&Vec<(String, String)>> = Vec::new();
    for (r, c) in cells_in.keys() {
        if !rows.contains(&r) {
            rows.push(r);
        }
        if !cols.contains(&c) {
            cols.push(c);
        }
    }
    rows.sort_by_key(|k| seen.rank(k));
    cols.sort_by_key(|k| seen.rank(k));
    let mut cells = HashMap::new();
    for (ri, r) in rows.iter().enumerate() {
        let base = cells_in.get(&((*r).clone(), cols[0].clone()));
        for (ci, c) in cols.iter().enumerate() {
            let Some(values) = cells_in.get(&((*r).clone(), (*c).clone())) else {
                continue;
            };
            let summary = stats::summarize(values, opts.confidence);
            let (comparison, baseline_center) = match base {
                Some(b) if ci > 0 => (
                    Some(stats::compare(b, values, opts.alpha)),
                    Some(stats::summarize(b, opts.confidence).center),
                ),
                _ => (None, None),
            };
            cells.insert(
                (ri, ci),
                Cell {
                    values: values.clone(),
                    summary,
                    comparison,
                    baseline_center,
                },
            );
        }
    }
    let label = |k: &Vec<(String, String)>| {
        k.iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut t = Table {
        key,
        unit,
        rows: rows.iter().map(|k| label(k)).collect(),
        cols: cols.iter().map(|k| label(k)).collect(),
        cells,
        summaries: Vec::new(),
    };
    t.summaries = (0..t.cols.len()).map(|c| column_summary(&t, c)).collect();
    t
}

/// The geometric means of a column's centers and of its ratios to the
/// baseline, with benchstat's warnings.
fn column_summary(t: &Table, col: usize) -> ColumnSummary {
    let n_base = (0..t.rows.len())
        .filter(|&r| t.cell(r, 0).is_some())
        .count();
    let mut centers = Vec::new();
    let mut ratios = Vec::new();
    let mut bad_ratio = false;
    for r in 0..t.rows.len() {
        let Some(c) = t.cell(r, col) else { continue };
        centers.push(c.summary.center);
        if let Some(b) = c.baseline_center {
            let a = c.summary.center;
            if a == b {
                ratios.push(1.0);
            } else if b == 0.0 {
                bad_ratio = true;
                ratios.push(0.0);
            } else {
                ratios.push(a / b);
            }
        }
    }
    let mut s = ColumnSummary::default();
    if col > 0 && n_base != ratios.len() {
        s.warnings
            .push("benchmark set differs from baseline; geomeans may not be comparable".into());
    }
    let gm = stats::geomean(&centers);
    if gm.is_nan() {
        s.warnings
            .push("summaries must be >0 to compute geomean".into());
    } else {
        s.geomean = Some(gm);
    }
    if col > 0 && !bad_ratio {
        let gm = stats::geomean(&ratios);
        if gm.is_nan() {
            s.warnings
                .push("ratios must be >0 to compute geomean".into());
        } else {
            s.ratio = Some(gm);
        }
    }
    s
}
