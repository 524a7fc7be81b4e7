//! `scan` on several Go versions: each site's result per version, and the
//! sites whose routine, verdict or bytes change when upgrading.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::report::ScanFormat;
use super::{Site, Verdict};
use crate::error::UsageError;
use crate::model::fmt_num;

/// One version's result for a site.
#[derive(Debug, Clone, Serialize)]
pub struct Result1 {
    /// The routine's name, or `removed` for code the compiler removed.
    pub routine: &'static str,
    pub verdict: Verdict,
    pub bytes: f64,
    pub evidence: &'static str,
}

/// A site with its result on every version it was found on.
#[derive(Debug, Clone, Serialize)]
pub struct VersionedSite {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub function: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub expr: String,
    /// Go version → result (absent where that version's scan did not find it).
    pub results: BTreeMap<String, Result1>,
    /// Whether routine, verdict or bytes differ between versions.
    pub changed: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    versions: &'a [String],
    sites: &'a [VersionedSite],
}

/// Joins per-version scans (`versions` in order) by file, line, column and type.
pub fn join(versions: &[String], scans: Vec<Vec<Site>>) -> Vec<VersionedSite> {
    let mut by_key: BTreeMap<(String, u32, u32, String), VersionedSite> = BTreeMap::new();
    for (v, sites) in versions.iter().zip(scans) {
        for s in sites {
            let key = (s.file.clone(), s.line, s.column, s.type_name.clone());
            let e = by_key.entry(key).or_insert_with(|| VersionedSite {
                file: s.file.clone(),
                line: s.line,
                column: s.column,
                function: s.function.clone(),
                type_name: s.type_name.clone(),
                expr: s.expr.clone(),
                results: BTreeMap::new(),
                changed: false,
            });
            e.results.insert(
                v.clone(),
                Result1 {
                    routine: s.routine_shown,
                    verdict: s.verdict,
                    bytes: s.bytes,
                    evidence: s.evidence,
                },
            );
        }
    }
    let mut out: Vec<VersionedSite> = by_key.into_values().collect();
    for s in &mut out {
        let mut seen = s
            .results
            .values()
            .map(|r| (r.routine, r.verdict, r.bytes.to_bits()));
        let first = seen.next();
        s.changed = s.results.len() != versions.len() || seen.any(|x| Some(x) != first);
    }
    out
}

/// Writes the joined report: JSON with every site's per-version results, or
/// text/markdown listing what changes between consecutive versions.
pub fn write(
    format: ScanFormat,
    versions: &[String],
    sites: &[VersionedSite],
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        ScanFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &Report { versions, sites })?;
            writeln!(out)?;
            return Ok(());
        }
        ScanFormat::Sarif | ScanFormat::Html => return Err(UsageError::new(
            "--format sarif describes one Go version; give --go one version, or use --format json",
        )
        .into()),
        _ => {}
    }
    let md = format == ScanFormat::Markdown;
    for pair in versions.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let diff: Vec<(&VersionedSite, Option<&Result1>, Option<&Result1>)> = sites
            .iter()
            .map(|s| (s, s.results.get(a), s.results.get(b)))
            .filter(|(_, x, y)| match (x, y) {
                (Some(x), Some(y)) => {
                    (x.routine, x.verdict, x.bytes.to_bits())
                        != (y.routine, y.verdict, y.bytes.to_bits())
                }
                _ => true,
            })
            .collect();
        let allocates = |r: Option<&Result1>| r.is_some_and(|r| r.verdict != Verdict::Never);
        let stop: Vec<_> = diff
            .iter()
            .filter(|(_, x, y)| allocates(*x) && !allocates(*y))
            .collect();
        let start: Vec<_> = diff
            .iter()
            .filter(|(_, x, y)| !allocates(*x) && allocates(*y))
            .collect();
        writeln!(
            out,
            "{}upgrading {a} → {b}: {} site{} change, {} stop allocating, {} start",
            if md { "## " } else { "" },
            diff.len(),
            if diff.len() == 1 { "" } else { "s" },
            stop.len(),
            start.len()
        )?;
        if md {
            writeln!(out)?;
        }
        for (s, x, y) in &diff {
            let show = |r: Option<&Result1>| match r {
                Some(r) => format!(
                    "{} {} {}",
                    r.verdict.name(),
                    r.routine,
                    if r.bytes > 0.0 {
                        format!("{} B", fmt_num(r.bytes))
                    } else {
                        "-".to_string()
                    }
                ),
                None => "not found".to_string(),
            };
            writeln!(
                out,
                "{}{}:{}:{}: {} → {}  {} in {}",
                if md { "- " } else { "  " },
                s.file,
                s.line,
                s.column,
                show(*x),
                show(*y),
                s.type_name,
                s.function
            )?;
        }
    }
    let changed = sites.iter().filter(|s| s.changed).count();
    writeln!(
        out,
        "{}{} on {}; {changed} differ between versions",
        if md { "\n" } else { "" },
        super::report::plural(sites.len(), "site"),
        versions.join(", ")
    )?;
    Ok(())
}
