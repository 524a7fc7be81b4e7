//! What changes between matrices measured on consecutive Go versions: each
//! case whose routine, allocations or bytes differ, with the release rules
//! (`rules::BOUNDARIES`) that explain it.

use serde::Serialize;

use crate::matrix::results::{cell, CaseResult, Matrix};
use crate::model::goversion::GoVersion;
use crate::model::rules;
use crate::model::scenario::Scenario;

/// One case whose result differs between two consecutive versions.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub row: String,
    pub scenario: Scenario,
    pub from_go: String,
    pub to_go: String,
    /// The cells as the table shows them.
    pub from: String,
    pub to: String,
    pub from_bytes_per_op: f64,
    pub to_bytes_per_op: f64,
    /// The release rules between the two versions that explain it (empty when
    /// none does: the rules do not model this difference).
    pub because: Vec<String>,
}

fn minor(m: &Matrix) -> u32 {
    GoVersion::parse(&m.go.version)
        .map(|v| v.minor)
        .unwrap_or(0)
}

/// The scenario columns the matrices measured (a `--scenarios` subset
/// leaves the others out).
pub fn measured_scenarios(ms: &[Matrix]) -> Vec<Scenario> {
    Scenario::COLUMNS
        .iter()
        .copied()
        .filter(|&s| ms[0].rows.iter().any(|r| r.case(s).is_some()))
        .collect()
}

/// What a case's comparison looks at: routine, allocations and bytes.
pub fn key(c: Option<&CaseResult>) -> Option<(Option<crate::model::routine::Routine>, u64, u64)> {
    c.map(|c| {
        (
            c.routine,
            (c.allocs_per_op * 100.0).round() as u64,
            (c.bytes_per_op * 100.0).round() as u64,
        )
    })
}

/// Which release rules change a case between two Go minor releases: given
/// (row index, scenario, from minor, to minor), the boundaries of
/// `rules::BOUNDARIES` whose release changes the rules' prediction for it.
pub type Explain<'a> = &'a dyn Fn(usize, Scenario, u32, u32) -> Vec<&'static rules::Boundary>;

/// Every difference between consecutive versions, in row and scenario order.
pub fn changes(ms: &[Matrix], explain: Explain) -> Vec<Change> {
    let mut out = Vec::new();
    for pair in ms.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        for (i, (ra, rb)) in a.rows.iter().zip(&b.rows).enumerate() {
            for &s in Scenario::COLUMNS {
                let (ca, cb) = (ra.case(s), rb.case(s));
                if key(ca) != key(cb) {
                    let because = explain(i, s, minor(a), minor(b))
                        .into_iter()
                        .map(|x| {
                            format!("{} (Go 1.{}): {} [{}]", x.name, x.since, x.after, x.source)
                        })
                        .collect();
                    out.push(Change {
                        row: ra.name.clone(),
                        scenario: s,
                        from_go: a.go.version.clone(),
                        to_go: b.go.version.clone(),
                        from: cell(ca),
                        to: cell(cb),
                        from_bytes_per_op: ca.map(|c| c.bytes_per_op).unwrap_or(0.0),
                        to_bytes_per_op: cb.map(|c| c.bytes_per_op).unwrap_or(0.0),
                        because,
                    });
                }
            }
        }
    }
    out
}
