//! `scan` on several Go versions: each site's result per version, and the
//! sites whose routine, verdict or bytes change when upgrading.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Evidence, Site, Verdict};

/// One version's result for a site.
#[derive(Debug, Clone, Serialize)]
pub struct Result1 {
    /// The routine's name, or `removed` for code the compiler removed.
    pub routine: &'static str,
    pub verdict: Verdict,
    pub bytes: f64,
    pub evidence: Evidence,
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
