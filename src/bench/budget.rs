//! Allocation budgets: the allocs/op and B/op (or any unit) each benchmark
//! may reach, in a file people edit — plain text, one benchmark per line
//!
//! ```text
//! # benchmark            unit=limit ...
//! Encode/size=64         allocs/op=1  B/op=64
//! ```
//!
//! or TOML (`["Encode/size=64"]` tables of `"allocs/op" = 1`). A name
//! matches a row with or without its GOMAXPROCS suffix (`Encode-8`). A
//! budget is breached when the newest input's median passes the limit and,
//! with a baseline, the increase over it is significant; over the limit but
//! not significant is said, not failed.

use crate::bench::table::Table;

/// One limit: a benchmark, a unit, the most it may reach.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub name: String,
    pub unit: String,
    pub max: f64,
    /// Where it is written (1-based line; 0 for TOML).
    pub line: usize,
}

/// Reads a budget file; an error names the line and the fix.
pub fn parse(text: &str, toml_format: bool) -> Result<Vec<Limit>, String> {
    if toml_format {
        return parse_toml(text);
    }
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut fields = line.split_whitespace();
        let name = fields.next().unwrap_or_default();
        let name = name.strip_prefix("Benchmark").unwrap_or(name);
        let mut any = false;
        for f in fields {
            let (unit, max) = f.split_once('=').ok_or_else(|| {
                format!(
                    "line {}: {f:?} is not UNIT=LIMIT; write e.g. `{name} allocs/op=1 B/op=64`",
                    i + 1
                )
            })?;
            let max: f64 = max.parse().map_err(|_| {
                format!(
                    "line {}: {max:?} is not a number; write e.g. allocs/op=1",
                    i + 1
                )
            })?;
            out.push(Limit {
                name: name.to_string(),
                unit: unit.to_string(),
                max,
                line: i + 1,
            });
            any = true;
        }
        if !any {
            return Err(format!(
                "line {}: {name} has no limit; write e.g. `{name} allocs/op=1 B/op=64`",
                i + 1
            ));
        }
    }
    Ok(out)
}

fn parse_toml(text: &str) -> Result<Vec<Limit>, String> {
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
            .unwrap_or(1);
        format!(
            "line {line}: {}; write tables such as [\"Encode\"] with \"allocs/op\" = 1",
            e.message().trim().replace('\n', " ")
        )
    })?;
    let mut out = Vec::new();
    for (name, v) in doc {
        let t = v.as_table().ok_or_else(|| {
            format!("{name} is not a table; write [\"{name}\"] then \"allocs/op\" = 1")
        })?;
        for (unit, max) in t {
            let max = max
                .as_float()
                .or_else(|| max.as_integer().map(|i| i as f64))
                .ok_or_else(|| format!("[\"{name}\"] {unit} is not a number"))?;
            out.push(Limit {
                name: name.strip_prefix("Benchmark").unwrap_or(&name).to_string(),
                unit: unit.clone(),
                max,
                line: 0,
            });
        }
    }
    Ok(out)
}

/// A benchmark over its limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub limit: Limit,
    /// The row as the table names it.
    pub row: String,
    pub new: f64,
    /// The baseline's median, when there is one.
    pub old: Option<f64>,
    /// How the change compares (`+50.00% (p=0.000 n=10)`), with a baseline.
    pub change: Option<String>,
    /// Whether it fails the gate: significant (or without a baseline).
    pub fails: bool,
}

/// Whether a budget name covers a row name (with or without `-N`).
fn covers(name: &str, row: &str) -> bool {
    if name == row {
        return true;
    }
    row.rsplit_once('-').is_some_and(|(base, p)| {
        base == name && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Every limit passed in the newest column of `tables`, and the limits
/// that matched no benchmark.
pub fn judge<'a>(limits: &'a [Limit], tables: &[Table]) -> (Vec<Breach>, Vec<&'a Limit>) {
    let mut breaches = Vec::new();
    let mut unmatched = Vec::new();
    for l in limits {
        let mut matched = false;
        for t in tables.iter().filter(|t| t.unit == l.unit) {
            let last = t.cols.len() - 1;
            for (r, row) in t.rows.iter().enumerate() {
                if !covers(&l.name, row) {
                    continue;
                }
                let Some(c) = t.cell(r, last) else { continue };
                matched = true;
                let new = c.summary.center;
                if new <= l.max {
                    continue;
                }
                let (old, change, fails) = match (&c.comparison, c.baseline_center) {
                    (Some(cmp), Some(old)) => (
                        Some(old),
                        Some(format!("{} ({})", cmp.delta(old, new), cmp.describe())),
                        cmp.significant() && new > old,
                    ),
                    // No baseline: a new benchmark, or a single input.
                    _ => (None, None, true),
                };
                breaches.push(Breach {
                    limit: l.clone(),
                    row: row.clone(),
                    new,
                    old,
                    change,
                    fails,
                });
            }
        }
        if !matched {
            unmatched.push(l);
        }
    }
    (breaches, unmatched)
}

/// A budget recording today's values: for each benchmark of the newest
/// column, its allocs/op and B/op medians rounded up, plain text or TOML.
pub fn write(tables: &[Table], toml_format: bool) -> String {
    let mut rows: Vec<(String, Vec<(String, f64)>)> = Vec::new();
    for t in tables
        .iter()
        .filter(|t| t.unit == "allocs/op" || t.unit == "B/op")
    {
        let last = t.cols.len() - 1;
        for (r, row) in t.rows.iter().enumerate() {
            let Some(c) = t.cell(r, last) else { continue };
            let v = c.summary.center.ceil();
            match rows.iter_mut().find(|(n, _)| n == row) {
                Some((_, units)) => units.push((t.unit.clone(), v)),
                None => rows.push((row.clone(), vec![(t.unit.clone(), v)])),
            }
        }
    }
    let mut out = String::new();
    if toml_format {
        out.push_str("# Allowed per benchmark (ifacealloc bench2md --budget).\n");
        for (name, units) in &rows {
            out.push_str(&format!("\n[{}]\n", toml_key(name)));
            for (u, v) in units {
                out.push_str(&format!("{} = {}\n", toml_key(u), v));
            }
        }
    } else {
        out.push_str(
            "# Allowed per benchmark (ifacealloc bench2md --budget): NAME UNIT=LIMIT ...\n",
        );
        let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        for (name, units) in &rows {
            let limits: Vec<String> = units.iter().map(|(u, v)| format!("{u}={v}")).collect();
            out.push_str(&format!("{name:<width$}  {}\n", limits.join("  ")));
        }
    }
    out
}

/// A TOML key, quoted (benchmark names hold `/` and `=`).
fn toml_key(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_and_toml_budgets() {
        let plain =
            "# comment\nBenchmarkEncode/size=64  allocs/op=1 B/op=64\n\nDecode allocs/op=0\n";
        let l = parse(plain, false).unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].name, "Encode/size=64");
        assert_eq!(
            (l[2].unit.as_str(), l[2].max, l[2].line),
            ("allocs/op", 0.0, 4)
        );
        let t = parse(
            "[\"Encode/size=64\"]\n\"allocs/op\" = 1\n\"B/op\" = 64.5\n",
            true,
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert!(parse("Encode allocs/op\n", false)
            .unwrap_err()
            .contains("line 1"));
        assert!(parse("Encode\n", false).unwrap_err().contains("no limit"));
        assert!(parse("Encode allocs/op=x\n", false)
            .unwrap_err()
            .contains("not a number"));
    }

    #[test]
    fn names_match_with_or_without_gomaxprocs() {
        assert!(covers("Encode", "Encode-8"));
        assert!(covers("Encode-8", "Encode-8"));
        assert!(!covers("Encode", "Encoder-8"));
        assert!(!covers("Encode", "Encode/size=1-8"));
    }
}
