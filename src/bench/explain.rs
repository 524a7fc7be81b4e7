//! Why allocs/op rose: each benchmark whose allocs/op increased
//! significantly in the newest input, joined with the interface conversions
//! that are new or worse between two revisions (scan's baseline matching by
//! function, type and expression) in the packages the benchmark exercises —
//! its own package and those it imports. Sites of functions the benchmark
//! names come first.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::bench::table::Table;
use crate::cli::error::UsageError;
use crate::go::toolchain::Toolchain;
use crate::scan::baseline::{self, Known};
use crate::scan::Verdict;

/// Where the two sets of sites come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Two git revisions (`A..B`); without B, the working tree.
    Revisions(String, Option<String>),
    /// Two `scan --format json` files (`OLD.json..NEW.json`).
    Files(PathBuf, PathBuf),
}

impl Source {
    /// `A..B`: two existing files are scan reports, else revisions.
    pub fn parse(spec: &str) -> Result<Source, String> {
        let (a, b) = spec.split_once("..").ok_or_else(|| {
            format!("{spec:?} is not OLD..NEW; give two revisions (main..HEAD) or two scan JSON files (old.json..new.json)")
        })?;
        if a.is_empty() {
            return Err(format!("{spec:?} has no old side; give e.g. main..HEAD"));
        }
        if Path::new(a).is_file() && Path::new(b).is_file() {
            return Ok(Source::Files(a.into(), b.into()));
        }
        Ok(Source::Revisions(
            a.to_string(),
            (!b.is_empty()).then(|| b.to_string()),
        ))
    }
}

/// A site as a scan report gives it (the fields an explanation shows).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Site {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub function: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub routine: String,
    pub verdict: Verdict,
    pub bytes: f64,
    pub condition: Option<String>,
    pub expr: String,
    pub why: Option<String>,
}

impl Site {
    fn known(&self) -> Known {
        Known {
            function: self.function.clone(),
            type_name: self.type_name.clone(),
            expr: self.expr.clone(),
            verdict: self.verdict,
            bytes: self.bytes,
        }
    }

    /// The package of the function: `example.com/enc` of `example.com/enc.Encode`.
    fn package(&self) -> &str {
        let seg = self.function.rfind('/').map(|i| i + 1).unwrap_or(0);
        match self.function[seg..].find('.') {
            Some(i) => &self.function[..seg + i],
            None => &self.function,
        }
    }

    /// The function's own name (`Encode`, `(*T).M`).
    fn local(&self) -> &str {
        let pkg = self.package().len();
        self.function.get(pkg + 1..).unwrap_or(&self.function)
    }
}

/// A site that explains a rise: new, or worse than before.
#[derive(Debug, Clone, PartialEq)]
pub struct Cause {
    pub site: Site,
    /// What it was before, when it is worse rather than new.
    pub before: Option<(Verdict, f64)>,
    /// The benchmark names its function.
    pub named: bool,
}

/// One benchmark whose allocs/op rose, and the sites that may be why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rise {
    pub benchmark: String,
    pub package: String,
    pub unit: String,
    pub old: f64,
    pub new: f64,
    /// benchstat's words for the change (`+100.00%`, `?` from zero) and
    /// the test (`p=0.002 n=6`).
    pub delta: String,
    pub test: String,
    pub causes: Vec<Cause>,
}

/// The benchmarks of `tables` whose allocs/op rose significantly.
pub fn rises(tables: &[Table]) -> Vec<Rise> {
    let mut out = Vec::new();
    for t in tables.iter().filter(|t| t.unit == "allocs/op") {
        let last = t.cols.len() - 1;
        if last == 0 {
            continue;
        }
        let package = t
            .key
            .iter()
            .find(|(k, _)| k == "pkg")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        for (r, row) in t.rows.iter().enumerate() {
            let Some(c) = t.cell(r, last) else { continue };
            let (Some(cmp), Some(old)) = (&c.comparison, c.baseline_center) else {
                continue;
            };
            let new = c.summary.center;
            if cmp.significant() && new > old {
                out.push(Rise {
                    benchmark: row.clone(),
                    package: package.clone(),
                    unit: t.unit.clone(),
                    old,
                    new,
                    delta: cmp.delta(old, new),
                    test: cmp.describe(),
                    causes: Vec::new(),
                });
            }
        }
    }
    out
}

/// Each rise with the sites that may cause it. Scans only when something
/// rose.
pub fn explain(tc: &Toolchain, dir: &Path, source: &Source, tables: &[Table]) -> Result<Vec<Rise>> {
    let mut rises = rises(tables);
    if rises.is_empty() {
        return Ok(rises);
    }
    let (old, new) = sites(tc, dir, source)?;
    let before: Vec<Known> = old.iter().map(Site::known).collect();
    let now: Vec<Known> = new.iter().map(Site::known).collect();
    let changes = baseline::changes(&now, &before);
    let changed: Vec<(&Site, Option<(Verdict, f64)>)> = new
        .iter()
        .zip(changes)
        .filter_map(|(s, c)| c.map(|old| (s, old.map(|k| (k.verdict, k.bytes)))))
        .filter(|(s, _)| matches!(s.verdict, Verdict::Always | Verdict::Conditional))
        .collect();
    // One `go list` per benchmark package, not per benchmark.
    let mut exercised_by: std::collections::HashMap<String, Vec<String>> = Default::default();
    for rise in &mut rises {
        let exercised = exercised_by
            .entry(rise.package.clone())
            .or_insert_with(|| exercised_packages(tc, dir, &rise.package));
        let base = base_name(&rise.benchmark);
        let mut causes: Vec<Cause> = changed
            .iter()
            .filter(|(s, _)| {
                exercised.is_empty() && s.package() == rise.package
                    || exercised.iter().any(|p| p == s.package())
            })
            .map(|(s, before)| Cause {
                site: (*s).clone(),
                before: *before,
                named: names_function(base, s.local()),
            })
            .collect();
        causes.sort_by_key(|c| !c.named);
        rise.causes = causes;
    }
    Ok(rises)
}

/// `Encode` of `Encode/size=64-8`.
fn base_name(benchmark: &str) -> &str {
    benchmark.split(['/', '-']).next().unwrap_or(benchmark)
}

/// Whether a benchmark's name names the function: `EncodeHeader` names
/// `Encode` and `(*Enc).Header`.
fn names_function(bench: &str, local: &str) -> bool {
    let name = local.rsplit('.').next().unwrap_or(local);
    !name.is_empty() && bench.contains(name)
}

/// The old and new sites.
fn sites(tc: &Toolchain, dir: &Path, source: &Source) -> Result<(Vec<Site>, Vec<Site>)> {
    match source {
        Source::Files(a, b) => Ok((read_report(a)?, read_report(b)?)),
        Source::Revisions(a, b) => {
            let patterns = vec!["./...".to_string()];
            let opts = crate::scan::Options::default();
            let at = |rev: &str| -> Result<Vec<Site>> {
                let sites =
                    baseline::sites_at_revision(tc, dir, rev, &patterns, &opts, "--explain")?;
                as_reported(&sites)
            };
            let old = at(a)?;
            let new = match b {
                Some(b) => at(b)?,
                None => as_reported(&crate::scan::scan(tc, dir, &patterns, &opts)?.0)?,
            };
            Ok((old, new))
        }
    }
}

/// Scanned sites as their report gives them.
fn as_reported(sites: &[crate::scan::Site]) -> Result<Vec<Site>> {
    sites
        .iter()
        .map(|s| Ok(serde_json::from_value(serde_json::to_value(s)?)?))
        .collect()
}

fn read_report(path: &Path) -> Result<Vec<Site>> {
    let bad = |e: String| {
        UsageError::new(format!(
            "--explain {}: {e}; give the JSON of `ifacealloc scan --format json`",
            path.display()
        ))
    };
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    let text = crate::parse::lines::read_capped(file, baseline::MAX_BASELINE)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| {
            bad(format!(
                "larger than {} MiB, the limit",
                baseline::MAX_BASELINE >> 20
            ))
        })?;
    serde_json::from_slice(&text).map_err(|e| bad(format!("not a scan report ({e})")).into())
}

/// The packages a benchmark's package runs: itself, its imports and its
/// tests' (`go list -deps -test`); empty when go cannot say.
fn exercised_packages(tc: &Toolchain, dir: &Path, package: &str) -> Vec<String> {
    if package.is_empty() || package.starts_with('-') {
        return Vec::new();
    }
    let mut cmd = tc.user_command(dir);
    cmd.args(["list", "-deps", "-test", "-f", "{{.ImportPath}}", package]);
    let Ok(out) = crate::cli::interrupt::output(&mut cmd).context("running go list") else {
        return Vec::new();
    };
    if !out.status.success() {
        return Vec::new();
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        // "p [p.test]" is p compiled with its tests.
        .map(|l| crate::go::list::without_variant(l).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_explain_spec() {
        assert_eq!(
            Source::parse("main..HEAD").unwrap(),
            Source::Revisions("main".into(), Some("HEAD".into()))
        );
        assert_eq!(
            Source::parse("origin/main..").unwrap(),
            Source::Revisions("origin/main".into(), None)
        );
        assert!(Source::parse("main").is_err());
        assert!(Source::parse("..HEAD").is_err());
    }

    #[test]
    fn benchmarks_name_functions() {
        assert_eq!(base_name("EncodeHeader/size=64-8"), "EncodeHeader");
        assert!(names_function("EncodeHeader", "Encode"));
        assert!(names_function("EncodeHeader", "(*Enc).Header"));
        assert!(!names_function("Decode", "Encode"));
    }
}
