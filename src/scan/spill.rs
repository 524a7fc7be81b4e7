//! Sites written to temporary files in runs and read back whole, merged in
//! report order (file, line, column): how `scan --batch-packages` writes a
//! report of any size while memory holds one batch of sites.

use std::io::{BufRead, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{Evidence, FlowPlace, Instantiation, Site, Verdict};
use crate::model::routine::Routine;

/// Everything a [`Site`] holds, owned, as one line of a run.
#[derive(Serialize, Deserialize)]
struct Record {
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    function: String,
    type_name: String,
    routine: Routine,
    routine_shown: String,
    verdict: Verdict,
    bytes: f64,
    condition: Option<String>,
    expr: String,
    inlined_into: Vec<String>,
    evidence: Evidence,
    reason: Option<String>,
    why: Option<String>,
    escape_flow: Vec<String>,
    /// (absolute file, line, column, text) of each flow step.
    flow_steps: Vec<(PathBuf, u32, u32, String)>,
    instantiations: Vec<Instantiation>,
    profile_bytes: u64,
    profile_allocs: u64,
    abs_file: PathBuf,
}

impl Record {
    fn of(s: &Site) -> Record {
        Record {
            file: s.file.clone(),
            line: s.line,
            column: s.column,
            end_line: s.end_line,
            end_column: s.end_column,
            function: s.function.clone(),
            type_name: s.type_name.clone(),
            routine: s.routine,
            routine_shown: s.routine_shown.to_string(),
            verdict: s.verdict,
            bytes: s.bytes,
            condition: s.condition.map(str::to_string),
            expr: s.expr.clone(),
            inlined_into: s.inlined_into.clone(),
            evidence: s.evidence,
            reason: s.reason.map(str::to_string),
            why: s.why.clone(),
            escape_flow: s.escape_flow.clone(),
            flow_steps: s
                .flow_steps
                .iter()
                .map(|p| (p.abs_file.clone(), p.line, p.column, p.text.clone()))
                .collect(),
            instantiations: s.instantiations.clone(),
            profile_bytes: s.profile_bytes,
            profile_allocs: s.profile_allocs,
            abs_file: s.abs_file.clone(),
        }
    }

    fn site(self) -> Site {
        Site {
            file: self.file,
            line: self.line,
            column: self.column,
            end_line: self.end_line,
            end_column: self.end_column,
            function: self.function,
            type_name: self.type_name,
            routine: self.routine,
            routine_shown: intern(self.routine_shown),
            verdict: self.verdict,
            bytes: self.bytes,
            condition: self.condition.map(intern),
            expr: self.expr,
            inlined_into: self.inlined_into,
            evidence: self.evidence,
            reason: self.reason.map(intern),
            why: self.why,
            escape_flow: self.escape_flow,
            flow_steps: self
                .flow_steps
                .into_iter()
                .map(|(abs_file, line, column, text)| FlowPlace {
                    abs_file,
                    line,
                    column,
                    text,
                })
                .collect(),
            instantiations: self.instantiations,
            profile_bytes: self.profile_bytes,
            profile_allocs: self.profile_allocs,
            abs_file: self.abs_file,
        }
    }
}

/// The one `&'static str` for a text read back: a site's fixed texts
/// (routine names, conditions, reasons) come from a small set written in
/// this program, so each distinct text is kept once for the whole run.
fn intern(text: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(&s) = seen.get(text.as_str()) {
        return s;
    }
    let s: &'static str = Box::leak(text.into_boxed_str());
    seen.insert(s);
    s
}

/// Sorted runs of sites in a temporary directory.
pub struct Runs {
    dir: crate::cli::interrupt::TempDir,
    files: Vec<PathBuf>,
    /// Runs written so far (their file names).
    written: usize,
}

impl Runs {
    pub fn new() -> Result<Runs> {
        Ok(Runs {
            dir: crate::cli::interrupt::temp_dir("ifacealloc-sites-")?,
            files: Vec::new(),
            written: 0,
        })
    }

    /// Writes one run: `sites` in report order.
    pub fn push(&mut self, sites: &[Site]) -> Result<()> {
        self.write_run(sites.iter().map(|s| Ok(s.clone())))?;
        if self.files.len() >= MAX_OPEN_RUNS {
            // Merging opens every run at once: the runs so far become one.
            let merged: Vec<PathBuf> = std::mem::take(&mut self.files);
            let all = Merged::open(&merged)?;
            self.write_run(all)?;
            for f in merged {
                std::fs::remove_file(f).context("removing a merged batch of sites")?;
            }
        }
        Ok(())
    }

    fn write_run(&mut self, sites: impl Iterator<Item = Result<Site>>) -> Result<()> {
        self.written += 1;
        let path = self.dir.path().join(format!("{}.sites", self.written));
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(&path).context("writing a batch of sites")?,
        );
        for s in sites {
            serde_json::to_writer(&mut w, &Record::of(&s?))?;
            w.write_all(b"\n").context("writing a batch of sites")?;
        }
        w.flush().context("writing a batch of sites")?;
        self.files.push(path);
        Ok(())
    }

    /// Every run's sites, merged in report order (an earlier run first on
    /// equal positions: a file is in one package, so ties are within a run
    /// and keep its order).
    pub fn merged(&self) -> Result<Merged> {
        Merged::open(&self.files)
    }
}

/// At most this many runs are open at once (a process may open about a
/// thousand files): past it, the runs so far are merged into one.
const MAX_OPEN_RUNS: usize = 256;

impl Merged {
    fn open(files: &[PathBuf]) -> Result<Merged> {
        let mut runs = Vec::new();
        for f in files {
            let mut lines = std::io::BufReader::new(
                std::fs::File::open(f).context("reading a batch of sites")?,
            )
            .lines();
            let head = next_site(&mut lines, f)?;
            runs.push((lines, head));
        }
        Ok(Merged {
            runs,
            files: files.to_vec(),
        })
    }
}

type RunLines = std::io::Lines<std::io::BufReader<std::fs::File>>;

fn next_site(lines: &mut RunLines, file: &Path) -> Result<Option<Site>> {
    let Some(line) = lines.next() else {
        return Ok(None);
    };
    let line = line.with_context(|| format!("reading {}", file.display()))?;
    let r: Record =
        serde_json::from_str(&line).with_context(|| format!("reading {}", file.display()))?;
    Ok(Some(r.site()))
}

/// The merge of [`Runs`]: one site per run in memory.
pub struct Merged {
    runs: Vec<(RunLines, Option<Site>)>,
    files: Vec<PathBuf>,
}

impl Iterator for Merged {
    type Item = Result<Site>;

    fn next(&mut self) -> Option<Result<Site>> {
        let i = self
            .runs
            .iter()
            .enumerate()
            .filter_map(|(i, (_, h))| h.as_ref().map(|h| (i, h)))
            .min_by(|a, b| {
                (&a.1.file, a.1.line, a.1.column, a.0).cmp(&(&b.1.file, b.1.line, b.1.column, b.0))
            })
            .map(|(i, _)| i)?;
        let (lines, head) = &mut self.runs[i];
        let site = head.take().expect("a head");
        match next_site(lines, &self.files[i]) {
            Ok(next) => *head = next,
            Err(e) => return Some(Err(e)),
        }
        Some(Ok(site))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(file: &str, line: u32, column: u32) -> Site {
        Site {
            file: file.to_string(),
            line,
            column,
            end_line: line,
            end_column: column + 1,
            function: "p.F".to_string(),
            type_name: "int".to_string(),
            routine: Routine::ConvT64,
            routine_shown: "convT64",
            verdict: Verdict::Conditional,
            bytes: 8.0,
            condition: Some("unless the value's bits are < 256"),
            expr: "n".to_string(),
            inlined_into: vec!["p.G".to_string()],
            evidence: Evidence::Listing,
            reason: None,
            why: Some("stored by `Sink = n`".to_string()),
            escape_flow: vec!["flow: {heap} ← n".to_string()],
            flow_steps: vec![FlowPlace {
                abs_file: PathBuf::from("/m/a.go"),
                line,
                column,
                text: "assign: Sink = n".to_string(),
            }],
            instantiations: Vec::new(),
            profile_bytes: 0,
            profile_allocs: 0,
            abs_file: PathBuf::from(format!("/m/{file}")),
        }
    }

    /// Past the open-file limit, runs merge into one and the merge still
    /// gives every site, whole, in report order.
    #[test]
    fn more_runs_than_open_files_merge_in_order() {
        let mut runs = Runs::new().unwrap();
        let n = MAX_OPEN_RUNS as u32 + 44;
        for r in 0..n {
            // Each run in order; runs interleave by line.
            let sites = vec![site("a.go", r, 1), site("b.go", n - r, 2)];
            runs.push(&sites).unwrap();
        }
        assert!(runs.files.len() < MAX_OPEN_RUNS);
        let merged: Vec<Site> = runs.merged().unwrap().map(Result::unwrap).collect();
        assert_eq!(merged.len(), 2 * n as usize);
        let keys: Vec<(String, u32)> = merged.iter().map(|s| (s.file.clone(), s.line)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        // Read back whole: the JSON and the fields it leaves out.
        let want = site("a.go", 7, 1);
        let got = &merged[7];
        assert_eq!(
            serde_json::to_string(got).unwrap(),
            serde_json::to_string(&want).unwrap()
        );
        assert_eq!(got.abs_file, want.abs_file);
        assert_eq!(got.routine, want.routine);
        assert_eq!(got.flow_steps[0].text, want.flow_steps[0].text);
    }
}
