//! The measured matrix: what every report renders. Field names here are the
//! JSON output's field names (documented in docs/json.md) and stay stable.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::routine::Routine;
use crate::model::scenario::Scenario;
use crate::parse::diag::Escape;

/// The whole result of one `matrix` run.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// ifacealloc's version.
    pub tool_version: String,
    pub go: GoInfo,
    /// Which built-in catalog the rows came from.
    pub catalog: String,
    /// Stores per measurement round.
    pub iterations: u64,
    /// GOARCH values whose routines were derived by cross-compiling (besides the host).
    pub cross_archs: Vec<String>,
    pub rows: Vec<RowResult>,
}

/// The toolchain and platform measured on.
#[derive(Debug, Clone, Serialize)]
pub struct GoInfo {
    /// GOVERSION, e.g. "go1.26.8".
    pub version: String,
    pub goos: String,
    pub goarch: String,
}

/// One type and its cases.
#[derive(Debug, Clone, Serialize)]
pub struct RowResult {
    /// Row name (the seed's naming for seed rows).
    pub name: String,
    /// The type in canonical Go syntax.
    #[serde(rename = "type")]
    pub type_expr: String,
    /// The type as Go's `%T` prints it.
    pub go_type: String,
    /// unsafe.Sizeof, from the compiled program.
    pub size: u64,
    /// unsafe.Alignof, from the compiled program.
    pub align: u64,
    pub cases: Vec<CaseResult>,
}

impl RowResult {
    pub fn case(&self, s: Scenario) -> Option<&CaseResult> {
        self.cases.iter().find(|c| c.scenario == s)
    }
}

/// One measured store.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub scenario: Scenario,
    /// Heap allocations per store (runtime.MemStats.Mallocs delta / iterations).
    pub allocs_per_op: f64,
    /// Heap bytes per store (runtime.MemStats.TotalAlloc delta / iterations).
    pub bytes_per_op: f64,
    /// Wall time per store in the fastest round, in nanoseconds (loop included).
    pub ns_per_op: f64,
    /// The raw counters behind the two figures above.
    pub mallocs: u64,
    pub total_bytes: u64,
    pub iterations: u64,
    /// The compiler's path for the conversion on the host (null for copies).
    pub routine: Option<Routine>,
    /// What `-m` said about the converted value.
    pub escape: Option<Escape>,
    /// Set when the compiler's outputs disagree, or the routine does not fit
    /// the measurement; says how.
    pub note: Option<String>,
    /// Routine per cross-compiled GOARCH (`--arch`).
    pub routines: BTreeMap<String, Option<Routine>>,
    /// What the rules model predicts for this case (null for copies).
    pub prediction: Option<Predicted>,
    /// Whether prediction and measurement agree on routine, allocations and bytes.
    pub prediction_ok: bool,
}

/// A prediction in the measurement's terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Predicted {
    pub routine: Routine,
    pub allocs_per_op: f64,
    pub bytes_per_op: f64,
}

impl CaseResult {
    /// Whether the routine and the measurement agree: an allocating store must
    /// use an allocating routine, and convT/convTnoptr always allocate.
    pub fn consistent(&self) -> bool {
        let allocated = self.allocs_per_op > 0.0;
        match self.routine {
            None => !allocated,
            Some(r) if r.always_allocates() => allocated,
            Some(r) => !allocated || r.may_allocate(),
        }
    }
}

/// Rounds to two decimals, the precision every report prints.
pub fn per_op(total: u64, iterations: u64) -> f64 {
    if iterations == 0 {
        return 0.0;
    }
    (total as f64 / iterations as f64 * 100.0).round() / 100.0
}

/// Formats a per-op figure: an integer when whole, else two decimals.
pub fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x:.2}")
    }
}

/// A case's cell: bytes per store (`0` when nothing is allocated, with the
/// allocation count when more than one), then the routine; `!` marks a note.
pub fn cell(c: Option<&CaseResult>) -> String {
    let Some(c) = c else {
        return "-".to_string();
    };
    let mut s = if c.allocs_per_op == 0.0 && c.bytes_per_op == 0.0 {
        "0".to_string()
    } else if c.allocs_per_op == 1.0 {
        format!("{} B", fmt_num(c.bytes_per_op))
    } else {
        format!(
            "{} B / {} allocs",
            fmt_num(c.bytes_per_op),
            fmt_num(c.allocs_per_op)
        )
    };
    if let Some(r) = c.routine {
        s.push(' ');
        s.push_str(r.name());
    }
    if c.note.is_some() {
        s.push_str(" !");
    }
    s
}
