//! The compiler's evidence for `scan`: what a `-S -m=2` listing (go list's or
//! go build's stderr) shows at each position of the reported packages' files,
//! read as the listing streams. Kept in memory for one scan
//! ([`parse_evidence`]), or spilled to one file per batch of packages
//! ([`spill_evidence`]) so that a batch's evidence is all that memory holds.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{BufRead, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::model::routine::Routine;
use crate::parse::asm::{self, Evidence as ListingEvidence};
use crate::parse::diag;

/// Passes reads through and keeps a copy of the unindented lines: the
/// compiler's messages and headers, all `diag::compiler_errors` looks at —
/// not the (large) indented listing.
pub(super) struct KeepMessages<'a, R> {
    pub inner: R,
    pub kept: &'a mut Vec<u8>,
    /// Whether the next byte starts a line, and whether the line is kept.
    pub at_start: bool,
    pub keeping: bool,
}

impl<R: std::io::Read> std::io::Read for KeepMessages<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if self.at_start {
                self.keeping = !matches!(b, b' ' | b'\t');
            }
            if self.keeping {
                self.kept.push(b);
            }
            self.at_start = b == b'\n';
        }
        Ok(n)
    }
}

/// What the compiler showed: per (file, line), the routines with the function
/// they were compiled into; per (file, line, col), escapedebug's routine.
#[derive(Default)]
pub(super) struct CompilerEvidence {
    /// Each kept source file's number in the keys below: a position is three
    /// integers, not a path (std has millions of them).
    file_ids: HashMap<PathBuf, u32>,
    pub by_line: HashMap<(u32, u32), Vec<(String, ListingEvidence)>>,
    pub debug: HashMap<(u32, u32, u32), Routine>,
    /// `-m`'s "... does not escape" at (file, line, col).
    pub no_escape: HashSet<(u32, u32, u32)>,
    /// Every (file, line) with an instruction, in any function.
    pub code: HashSet<(u32, u32)>,
    /// Every (file, line, col) with a diagnostic (`-m`, escapedebug).
    pub diagnosed: HashSet<(u32, u32, u32)>,
    /// `-m=2`'s explanation of each escaping value, at its position.
    pub flows: HashMap<(u32, u32, u32), diag::EscapeFlow>,
    /// Every function of the kept packages the compiler emitted (`main.F`
    /// for any main package's), code or none.
    pub functions: HashSet<String>,
}

impl CompilerEvidence {
    /// A file's number in the keys (one no key has, for a file with no
    /// evidence at all).
    pub fn fid(&self, abs_file: &Path) -> u32 {
        self.file_ids.get(abs_file).copied().unwrap_or(u32::MAX)
    }

    fn add(&mut self, fact: Fact) {
        match fact {
            Fact::File(i, path) => {
                self.file_ids.insert(path, i);
            }
            Fact::Function(name) => {
                self.functions.insert(name);
            }
            Fact::Code(i, line) => {
                self.code.insert((i, line));
            }
            Fact::Listing(i, line, function, routine, op, text) => {
                self.by_line.entry((i, line)).or_default().push((
                    function,
                    ListingEvidence {
                        routine: Routine::ALL[usize::from(routine)],
                        op,
                        text,
                    },
                ));
            }
            Fact::Diagnosed(i, line, col) => {
                self.diagnosed.insert((i, line, col));
            }
            Fact::Debug(i, line, col, routine) => {
                self.debug
                    .insert((i, line, col), Routine::ALL[usize::from(routine)]);
            }
            Fact::NoEscape(i, line, col) => {
                self.no_escape.insert((i, line, col));
            }
            Fact::Flow(i, line, col, flow) => {
                self.flows.insert((i, line, col), flow);
            }
        }
    }
}

/// One thing the listing shows about a kept file, at the file's number; a
/// routine as its index in [`Routine::ALL`]. Facts are added in the
/// listing's order (later ones replace earlier ones where a key is taken).
#[derive(Serialize, Deserialize)]
enum Fact {
    /// A kept file's number.
    File(u32, PathBuf),
    /// A function of a kept package.
    Function(String),
    Code(u32, u32),
    /// (file, line, function, routine, mnemonic, instruction).
    Listing(u32, u32, String, u8, String, String),
    Diagnosed(u32, u32, u32),
    Debug(u32, u32, u32, u8),
    NoEscape(u32, u32, u32),
    Flow(u32, u32, u32, diag::EscapeFlow),
}

fn routine_index(r: Routine) -> u8 {
    Routine::ALL
        .iter()
        .position(|&x| x == r)
        .expect("every routine is in Routine::ALL") as u8
}

/// The evidence in a `-S -m` listing, parsed as it is read, for the files
/// in `keep_dirs` and the functions of `keep_packages` (everything without
/// them).
pub(super) fn parse_evidence(
    stderr: impl std::io::Read,
    dir: &Path,
    keep_dirs: Option<&[PathBuf]>,
    keep_packages: Option<&BTreeSet<String>>,
) -> Result<CompilerEvidence> {
    let keep_dirs: Option<HashSet<PathBuf>> =
        keep_dirs.map(|ds| ds.iter().map(|d| canonical(d)).collect());
    let mut ev = CompilerEvidence::default();
    let route = Route {
        batches: 1,
        of_dir: &|parent| {
            keep_dirs
                .as_ref()
                .is_none_or(|ds| ds.contains(parent))
                .then_some(0)
        },
        of_package: &|path| {
            keep_packages
                .is_none_or(|ps| ps.contains(without_test_suffix(path)))
                .then_some(0)
        },
    };
    read_facts(stderr, dir, &route, &mut |_, fact| ev.add(fact))?;
    Ok(ev)
}

/// `p` for an external test package `p_test`.
fn without_test_suffix(path: &str) -> &str {
    path.strip_suffix("_test").unwrap_or(path)
}

/// Where facts go: a file's batch by its folder (canonical), a function's
/// by its package's import path; `None`: not kept.
struct Route<'a> {
    batches: u32,
    of_dir: &'a dyn Fn(&Path) -> Option<u32>,
    of_package: &'a dyn Fn(&str) -> Option<u32>,
}

impl Route<'_> {
    /// The batches a function of the listing belongs to: its package's, or
    /// every batch for a main package's (`main.F`, whichever main it is).
    fn of_function(&self, name: &str) -> Vec<u32> {
        if name.starts_with("main.") {
            return (0..self.batches).collect();
        }
        // The import path is the longest prefix of the name, up to a '.'
        // after its last '/', that is a kept package (`gopkg.in/yaml.v3.F`).
        let head = &name[..name.find('[').unwrap_or(name.len())];
        let from = head.rfind('/').map_or(0, |i| i + 1);
        head[from..]
            .match_indices('.')
            .map(|(i, _)| &head[..from + i])
            .rev()
            .find_map(|path| (self.of_package)(path))
            .into_iter()
            .collect()
    }
}

/// The evidence in a `-S -m` listing, written as it is read to a file per
/// batch in `into` (`0.facts`, `1.facts`, ...; past [`MAX_SPILL_FILES`]
/// batches, a file per few batches): a file's facts go to the
/// batch whose package folders hold it (`batch_of_dir`, canonical folders),
/// and a file in no batch's folder is not kept. [`read_batch`] reads one back.
pub(super) fn spill_evidence(
    stderr: impl std::io::Read,
    dir: &Path,
    batch_of_dir: &HashMap<PathBuf, u32>,
    batch_of_package: &HashMap<String, u32>,
    batches: usize,
    into: &Path,
) -> Result<()> {
    let files = batches.div_ceil(batches_per_file(batches)).max(1);
    let mut writers = Vec::with_capacity(files);
    for f in 0..files {
        let f = std::fs::File::create(into.join(format!("{f}.facts")))
            .with_context(|| format!("writing the compiler's evidence in {}", into.display()))?;
        writers.push(std::io::BufWriter::with_capacity(16 << 10, f));
    }
    let mut failed: Option<std::io::Error> = None;
    let route = Route {
        batches: batches as u32,
        of_dir: &|parent| batch_of_dir.get(parent).copied(),
        of_package: &|path| batch_of_package.get(without_test_suffix(path)).copied(),
    };
    read_facts(stderr, dir, &route, &mut |b, fact| {
        if failed.is_some() {
            return;
        }
        let w = &mut writers[b as usize / batches_per_file(batches)];
        if let Err(e) = write!(w, "{b}\t")
            .and_then(|()| serde_json::to_writer(&mut *w, &fact).map_err(std::io::Error::from))
            .and_then(|()| w.write_all(b"\n"))
        {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e).context("writing the compiler's evidence");
    }
    for w in &mut writers {
        w.flush().context("writing the compiler's evidence")?;
    }
    Ok(())
}

/// What a batch's sites can ask of the evidence: the lines of their files
/// (a site's own line and the line the compiler places it on) and the
/// functions they are in, as the listing names them.
#[derive(Default)]
pub(super) struct Wanted {
    pub lines: HashMap<PathBuf, HashSet<u32>>,
    pub functions: HashSet<String>,
}

/// Batch `b`'s evidence, as [`spill_evidence`] wrote it, for what its sites
/// ask (`wanted`) only: memory follows the batch's sites, not its code.
pub(super) fn read_batch(
    from: &Path,
    b: usize,
    batches: usize,
    wanted: &Wanted,
) -> Result<CompilerEvidence> {
    let path = batch_file(from, b, batches);
    let mark = format!("{b}\t");
    let file = std::fs::File::open(&path)
        .with_context(|| format!("reading the compiler's evidence {}", path.display()))?;
    let mut ev = CompilerEvidence::default();
    // Each wanted file's number → its wanted lines.
    let mut lines_of: HashMap<u32, &HashSet<u32>> = HashMap::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.context("reading the compiler's evidence")?;
        // Another batch's fact, in a file they share.
        let Some(json) = line.strip_prefix(&mark) else {
            continue;
        };
        let fact: Fact = serde_json::from_str(json).context("reading the compiler's evidence")?;
        let at = |i: u32, line: u32| lines_of.get(&i).is_some_and(|ls| ls.contains(&line));
        let keep = match &fact {
            Fact::File(i, path) => match wanted.lines.get(path) {
                Some(ls) => {
                    lines_of.insert(*i, ls);
                    true
                }
                None => false,
            },
            Fact::Function(name) => wanted.functions.contains(name),
            Fact::Code(i, l)
            | Fact::Listing(i, l, ..)
            | Fact::Diagnosed(i, l, _)
            | Fact::Debug(i, l, ..)
            | Fact::NoEscape(i, l, _)
            | Fact::Flow(i, l, ..) => at(*i, *l),
        };
        if keep {
            ev.add(fact);
        }
    }
    Ok(ev)
}

/// At most this many files are open at once while the listing is spilled
/// (a process may open about a thousand): past that, a file holds the facts
/// of several batches, each line marked with its batch.
const MAX_SPILL_FILES: usize = 256;

fn batches_per_file(batches: usize) -> usize {
    batches.div_ceil(MAX_SPILL_FILES).max(1)
}

/// The file holding batch `b`'s facts (among `batches`).
fn batch_file(dir: &Path, b: usize, batches: usize) -> PathBuf {
    dir.join(format!("{}.facts", b / batches_per_file(batches)))
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// Reads the listing and hands each fact about a kept file or function to
/// `sink` with its batch, as `route` says.
fn read_facts(
    stderr: impl std::io::Read,
    dir: &Path,
    route: &Route,
    sink: &mut dyn FnMut(u32, Fact),
) -> Result<()> {
    let abs = |f: &str| -> PathBuf {
        let p = Path::new(f);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            dir.join(f.trim_start_matches("./"))
        }
    };
    // File names as the listing writes them → their number and batch (none:
    // not kept), so a path is made once per file, not once per instruction.
    // Two names of one file (`./a.go` in a message, `/m/a.go` in the
    // listing) share its number.
    let mut ids: HashMap<String, (u32, Option<u32>)> = HashMap::new();
    let mut by_path: HashMap<PathBuf, (u32, Option<u32>)> = HashMap::new();
    let mut id = |raw: &str, sink: &mut dyn FnMut(u32, Fact)| -> (u32, Option<u32>) {
        if let Some(&known) = ids.get(raw) {
            return known;
        }
        let path = abs(raw);
        let known = match by_path.get(&path) {
            Some(&known) => known,
            None => {
                let i = by_path.len() as u32;
                let batch = path.parent().and_then(|p| (route.of_dir)(&canonical(p)));
                if let Some(b) = batch {
                    sink(b, Fact::File(i, path.clone()));
                }
                by_path.insert(path, (i, batch));
                (i, batch)
            }
        };
        ids.insert(raw.to_string(), known);
        known
    };
    let mut flows = diag::FlowReader::default();
    // The listing's callbacks both need `id` and `sink`: they take turns.
    let state = std::cell::RefCell::new((&mut id, sink));
    let flow_fact = |at: diag::Diag, flow: diag::EscapeFlow| {
        let (id, sink) = &mut *state.borrow_mut();
        if let (i, Some(b)) = id(&at.file, &mut **sink) {
            sink(b, Fact::Flow(i, at.line, at.col, absolute_flow(flow, &abs)));
        }
    };
    asm::read_listing(
        std::io::BufReader::with_capacity(1 << 20, stderr),
        asm::Detail::CodeLines,
        |f| {
            let (id, sink) = &mut *state.borrow_mut();
            // Each (file, line) once per function.
            let mut code: BTreeSet<(u32, u32, u32)> = BTreeSet::new();
            for (file, line) in &f.code_lines {
                if let (i, Some(b)) = id(file, &mut **sink) {
                    code.insert((b, i, *line));
                }
            }
            for b in route.of_function(&f.name) {
                sink(b, Fact::Function(f.name.clone()));
            }
            for (b, i, line) in code {
                sink(b, Fact::Code(i, line));
            }
            for ((file, line), facts) in f.lines {
                let (i, Some(b)) = id(&file, &mut **sink) else {
                    continue;
                };
                for e in facts.evidence {
                    sink(
                        b,
                        Fact::Listing(
                            i,
                            line,
                            f.name.clone(),
                            routine_index(e.routine),
                            e.op,
                            e.text,
                        ),
                    );
                }
            }
        },
        |d| {
            if let Some((at, flow)) = flows.feed(&d) {
                flow_fact(at, flow);
            }
            let (id, sink) = &mut *state.borrow_mut();
            let (i, Some(b)) = id(&d.file, &mut **sink) else {
                return;
            };
            sink(b, Fact::Diagnosed(i, d.line, d.col));
            if let Some(r) = diag::convert_routine(&d.msg) {
                sink(b, Fact::Debug(i, d.line, d.col, routine_index(r)));
            } else if diag::escape_of(&d.msg) == Some(diag::Escape::DoesNotEscape) {
                sink(b, Fact::NoEscape(i, d.line, d.col));
            }
        },
    )?;
    if let Some((at, flow)) = flows.finish() {
        flow_fact(at, flow);
    }
    Ok(())
}

/// `flow` with each note's position (`file.go:L:C`, relative to the build's
/// directory) made absolute.
fn absolute_flow(mut flow: diag::EscapeFlow, abs: &dyn Fn(&str) -> PathBuf) -> diag::EscapeFlow {
    for n in flow.steps.iter_mut().flat_map(|s| s.notes.iter_mut()) {
        if let Some((file, line, col)) = super::split_position(&n.at) {
            n.at = format!("{}:{line}:{col}", abs(file).display());
        }
    }
    flow
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch's evidence read back from a file it shares with other
    /// batches (600 batches: past the open-file limit) is what one parse of
    /// the listing keeps for the same package.
    #[test]
    fn a_batch_read_back_is_what_one_parse_keeps() {
        let listing = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/asm/go1.26-amd64.txt"
        ))
        .unwrap();
        // The folder and package the recorded listing names.
        let dir = PathBuf::from("/work/main/tests/fixtures/asm/seedlayout");
        let package = "example.com/seedlayout".to_string();
        let whole = parse_evidence(
            &listing[..],
            Path::new("/"),
            Some(std::slice::from_ref(&dir)),
            Some(&BTreeSet::from([package.clone()])),
        )
        .unwrap();
        assert!(whole.by_line.len() > 10 && whole.functions.len() > 5);
        let tmp = tempfile::tempdir().unwrap();
        let batches = 600;
        spill_evidence(
            &listing[..],
            Path::new("/"),
            &HashMap::from([(dir.clone(), 598)]),
            &HashMap::from([(package, 598)]),
            batches,
            tmp.path(),
        )
        .unwrap();
        assert!(std::fs::read_dir(tmp.path()).unwrap().count() <= MAX_SPILL_FILES);
        // Everything the parse kept is wanted.
        let mut wanted = Wanted {
            functions: whole.functions.clone(),
            ..Wanted::default()
        };
        let path_of: HashMap<u32, &PathBuf> = whole.file_ids.iter().map(|(p, &i)| (i, p)).collect();
        let positions = whole
            .by_line
            .keys()
            .chain(whole.code.iter())
            .copied()
            .chain(whole.debug.keys().map(|&(i, l, _)| (i, l)))
            .chain(whole.no_escape.iter().map(|&(i, l, _)| (i, l)))
            .chain(whole.diagnosed.iter().map(|&(i, l, _)| (i, l)))
            .chain(whole.flows.keys().map(|&(i, l, _)| (i, l)));
        for (i, line) in positions {
            wanted
                .lines
                .entry(path_of[&i].clone())
                .or_default()
                .insert(line);
        }
        let read = read_batch(tmp.path(), 598, batches, &wanted).unwrap();
        assert_eq!(read.file_ids, whole.file_ids);
        assert_eq!(read.by_line, whole.by_line);
        assert_eq!(read.debug, whole.debug);
        assert_eq!(read.no_escape, whole.no_escape);
        assert_eq!(read.code, whole.code);
        assert_eq!(read.diagnosed, whole.diagnosed);
        assert_eq!(read.flows, whole.flows);
        assert_eq!(read.functions, whole.functions);
        // The batches sharing its file hold nothing of it but the main
        // package's functions, which every batch is told of.
        for other in [597, 599] {
            let ev = read_batch(tmp.path(), other, batches, &wanted).unwrap();
            assert!(ev.file_ids.is_empty() && ev.by_line.is_empty() && ev.code.is_empty());
            assert!(
                ev.functions.iter().all(|f| f.starts_with("main.")),
                "{:?}",
                ev.functions
            );
        }
    }
}
