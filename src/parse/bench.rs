//! A streaming parser for `go test -bench -benchmem` output, plain or `-json`,
//! from Go 1.18 to today.
//!
//! Result lines follow Go's benchmark format: `BenchmarkName[-P] N (value unit)*`.
//! Everything else (config `key: value` lines, `PASS`/`ok`/`FAIL`, `=== RUN`,
//! logs) is understood or passed over. Results split over two lines by
//! interleaved output, and `-json` output split over several events, are joined.
//! The parser keeps only results, never the input, so memory is linear in the
//! number of benchmarks and time is linear in the input.

use std::collections::BTreeMap;

use std::io::Read;

use anyhow::{Context, Result};
use memchr::memmem;
use serde::Deserialize;

use super::chunks;
use super::lines::{CappedLines, MAX_LINE};

/// One benchmark result line.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchResult {
    /// The name without the `Benchmark` prefix's `-P` GOMAXPROCS suffix.
    pub name: String,
    /// The GOMAXPROCS suffix, if present.
    pub procs: Option<u32>,
    pub iterations: u64,
    /// (unit, value as written) in input order, e.g. ("ns/op", "2.825").
    pub metrics: Vec<(String, String)>,
    /// The `pkg:` config value in force, if any.
    pub pkg: Option<String>,
    /// How many result lines were folded into this one (`-count N` repeats a
    /// benchmark); with several, `iterations` and every metric are means.
    pub runs: u32,
    /// Per metric: (sum of values, how many runs had it), for the means.
    sums: Vec<(f64, u32)>,
    /// The iteration counts summed, for the mean (wide: no overflow).
    iteration_sum: u128,
    /// Per metric: its unit's [`unit_id`].
    unit_ids: Vec<u8>,
}

/// Formats a mean the way benchmark output writes numbers: up to 4 decimals,
/// trailing zeros dropped.
fn mean_text(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

impl BenchResult {
    /// Folds another run of the same benchmark into this one, without
    /// allocating unless a new unit appears: `pairs` are (value, unit)
    /// places in `text`, four per pair (see [`SplitLines::bounds`]),
    /// `values` and `units` the values parsed and the units' ids.
    fn fold(&mut self, iterations: u64, text: &[u8], pairs: &[u32], values: &[f64], units: &[u8]) {
        self.runs += 1;
        self.iteration_sum += u128::from(iterations);
        for (k, ((pair, &v), &id)) in pairs.chunks_exact(4).zip(values).zip(units).enumerate() {
            let unit = span(text, (pair[2], pair[3]));
            let same = |i: usize| match (self.unit_ids[i], id) {
                (0, 0) => self.metrics[i].0.as_bytes() == unit,
                (known, id) => known == id,
            };
            // Repeats list their units in the same order: try the same slot first.
            let slot = if k < self.metrics.len() && same(k) {
                Some(k)
            } else {
                (0..self.metrics.len()).find(|&i| same(i))
            };
            match slot {
                Some(i) => {
                    self.sums[i].0 += v;
                    self.sums[i].1 += 1;
                }
                None => {
                    self.metrics
                        .push((owned(unit), owned(span(text, (pair[0], pair[1])))));
                    self.unit_ids.push(id);
                    self.sums.push((v, 1));
                }
            }
        }
    }

    /// A metric's value: as written for one run, the mean of several.
    pub fn metric(&self, unit: &str) -> Option<std::borrow::Cow<'_, str>> {
        let i = self.metrics.iter().position(|(u, _)| u == unit)?;
        let (sum, n) = self.sums[i];
        Some(if n > 1 {
            std::borrow::Cow::Owned(mean_text(sum / f64::from(n)))
        } else {
            std::borrow::Cow::Borrowed(self.metrics[i].1.as_str())
        })
    }
}

/// What a whole input held.
#[derive(Debug, Default)]
pub struct BenchReport {
    pub results: Vec<BenchResult>,
    /// Config lines (`goos: linux` ...), first value of each key, in order.
    pub config: Vec<(String, String)>,
    /// `real(T)=...` log lines by seed row name.
    pub real_types: BTreeMap<String, String>,
    /// Lines that looked like results but could not be read.
    pub skipped: usize,
}

#[derive(Deserialize)]
struct JsonEvent {
    #[serde(rename = "Action")]
    action: String,
    #[serde(rename = "Package", default)]
    package: String,
    #[serde(rename = "Test", default)]
    test: Option<String>,
    #[serde(rename = "Output", default)]
    output: Option<String>,
}

/// One result line as benchstat reads it: the file-level configuration in
/// force, the full name (`Encode/size=64-8`: no `Benchmark` prefix, the
/// GOMAXPROCS suffix kept) and each (value, unit).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Index into [`Samples::configs`].
    pub config: usize,
    pub name: String,
    pub values: Vec<(f64, String)>,
}

/// Every result line of an input, for comparisons: unlike [`BenchReport`],
/// repeats are kept apart (they are the samples statistics are made of), so
/// memory grows with the result lines — a few dozen bytes each.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    /// Each distinct configuration (`key: value` lines in force), in order.
    pub configs: Vec<Vec<(String, String)>>,
    pub samples: Vec<Sample>,
    /// Lines that looked like results but could not be read.
    pub skipped: usize,
    /// Results split over two lines by interleaved output: joined for the
    /// one-file table, left out of comparisons as benchstat leaves them.
    pub joined: usize,
}

/// What a parser keeping samples tracks beside them.
#[derive(Default)]
struct SampleLog {
    samples: Samples,
    /// The configuration in force, and its index once used by a sample.
    config_now: Vec<(String, String)>,
    config_id: Option<usize>,
}

/// The streaming parser: feed lines, then [`BenchParser::finish`].
#[derive(Default)]
pub struct BenchParser {
    report: BenchReport,
    /// With [`BenchParser::keeping_samples`]: every result line.
    log: Option<Box<SampleLog>>,
    pkg: Option<String>,
    /// A benchmark name printed alone (verbose mode, or before interleaved
    /// output), and whether other text followed it on its line.
    pending_name: Option<(Vec<u8>, bool)>,
    /// The benchmark whose logs follow (from a name line, `--- BENCH:`, or -json's Test).
    context: Option<Vec<u8>>,
    /// `real(T)` values seen with no benchmark context, for the next seed row.
    unplaced_real: std::collections::VecDeque<String>,
    /// Config keys seen, so each key is looked up in constant time.
    config_keys: rustc_hash::FxHashSet<String>,
    /// pkg → its table in `names`, and per pkg: name as written (with its -P
    /// suffix) and the index of its result, for folding repeats; hashed by
    /// [`name_hash`], which the lines come with.
    pkg_ids: rustc_hash::FxHashMap<Option<String>, usize>,
    names: Vec<hashbrown::HashTable<(Box<[u8]>, usize)>>,
    /// The map in `names` of the `pkg:` in force, once looked up.
    current_names: Option<usize>,
    /// A line's fields, reused from line to line.
    scratch: SplitLines,
    /// The buffer of the last pending name, for the next.
    spare_name: Vec<u8>,
    /// -json: partial output per package, until its newline arrives.
    json_partial: BTreeMap<String, String>,
    json_mode: Option<bool>,
}

impl BenchParser {
    pub fn new() -> BenchParser {
        BenchParser::default()
    }

    /// A parser that also keeps every result line and the configuration in
    /// force for it ([`BenchParser::finish_samples`]).
    pub fn keeping_samples() -> BenchParser {
        BenchParser {
            log: Some(Box::default()),
            ..BenchParser::default()
        }
    }

    /// The samples of a parser made by [`BenchParser::keeping_samples`].
    pub fn finish_samples(mut self) -> Samples {
        // The last lines first, while samples are still being kept.
        self.flush();
        let log = self.log.take();
        let report = self.finish();
        let mut samples = log.map(|l| l.samples).unwrap_or_default();
        samples.skipped = report.skipped;
        samples
    }

    /// Feeds one line (with or without its newline).
    pub fn feed_line(&mut self, raw: &[u8]) {
        let line = trim_newline(raw);
        if self.json_mode.is_none() {
            if line.iter().all(u8::is_ascii_whitespace) {
                return;
            }
            self.json_mode = Some(line.first() == Some(&b'{'));
        }
        if self.json_mode == Some(true) && line.first() == Some(&b'{') {
            self.feed_json(line);
        } else {
            self.feed_text(&super::lines::text(line), None);
        }
    }

    fn feed_json(&mut self, line: &[u8]) {
        // Only output events matter; skip the rest without a full parse.
        if memmem::find(line, b"\"output\"").is_none() {
            return;
        }
        let ev: JsonEvent = match serde_json::from_slice(line) {
            Ok(ev) => ev,
            Err(_) => {
                self.report.skipped += 1;
                return;
            }
        };
        if ev.action != "output" {
            return;
        }
        let Some(out) = ev.output else { return };
        let key = ev.package.clone();
        let mut buf = self.json_partial.remove(&key).unwrap_or_default();
        // Only the new text can hold a newline: searching from there keeps a
        // line split over many events, or many lines in one event, linear.
        let mut from = buf.len();
        buf.push_str(&out);
        let mut start = 0;
        while let Some(off) = memchr::memchr(b'\n', &buf.as_bytes()[from..]) {
            let nl = from + off;
            self.feed_text(buf[start..nl].trim_end_matches('\r'), ev.test.as_deref());
            start = nl + 1;
            from = start;
        }
        buf.drain(..start);
        if buf.len() > MAX_LINE {
            // A line with no end in sight: keep its start only.
            let mut cut = MAX_LINE;
            while !buf.is_char_boundary(cut) {
                cut -= 1;
            }
            buf.truncate(cut);
        }
        if !buf.is_empty() {
            self.json_partial.insert(key, buf);
        }
    }

    fn feed_text(&mut self, line: &str, test: Option<&str>) {
        if let Some(t) = test {
            self.set_context(t.as_bytes());
        }
        if let Some(t) = classify_text(line) {
            self.apply_text(line.as_bytes(), t);
        }
    }

    /// What a classified line (no blank one) does, given the parser's state.
    /// `line` is valid UTF-8 (the worker that classified it checked); only
    /// the parts used are made text again.
    fn apply_text(&mut self, line: &[u8], t: TextLine) {
        let part = |at: Span| super::lines::text(span(line, at));
        match t.kind {
            TextKind::Header(name) => return self.set_context(span(line, name)),
            TextKind::Benchmark => return self.benchmark_text(&part((0, t.trimmed))),
            _ => {}
        }
        if t.figures {
            if let Some((pending, _)) = &self.pending_name {
                // A result split by interleaved output: "   1000\t  12 ns/op ...".
                let joined = format!(
                    "{} {}",
                    String::from_utf8_lossy(pending),
                    part((0, t.trimmed))
                );
                self.pending_name = None;
                // benchstat reads result lines whole: a joined one is no
                // sample of a comparison (counted, so it can be said).
                let log = self.log.take();
                self.benchmark_text(&joined);
                self.log = log;
                if let Some(l) = self.log.as_mut() {
                    l.samples.joined += 1;
                }
                return;
            }
        }
        match t.kind {
            TextKind::Real(value) => self.record_real(&part(value)),
            TextKind::Config(k, v) => {
                let (k, v) = (&*part(k), &*part(v));
                if let Some(log) = self.log.as_mut() {
                    // benchfmt: a key takes its latest value; an empty one
                    // deletes it.
                    let now = &mut log.config_now;
                    match now.iter().position(|(kk, _)| kk == k) {
                        Some(i) if v.is_empty() => {
                            now.remove(i);
                        }
                        Some(i) => now[i].1 = v.to_string(),
                        None if v.is_empty() => {}
                        None => now.push((k.to_string(), v.to_string())),
                    }
                    log.config_id = None;
                }
                if k == "pkg" && self.pkg.as_deref() != Some(v) {
                    self.pkg = Some(v.to_string());
                    self.current_names = None;
                }
                if !self.config_keys.contains(k) {
                    self.config_keys.insert(k.to_string());
                    self.report.config.push((k.to_string(), v.to_string()));
                }
            }
            _ => {}
        }
    }

    /// Sets the benchmark whose logs follow, reusing the string's buffer: a
    /// verbose run announces every benchmark, so this runs once per result.
    fn set_context(&mut self, name: &[u8]) {
        let c = self.context.get_or_insert_with(Vec::new);
        if !same_bytes(c, name) {
            c.clear();
            c.extend_from_slice(name);
        }
    }

    fn record_real(&mut self, value: &str) {
        let row = self
            .context
            .as_deref()
            .and_then(|c| c.strip_prefix(b"BenchmarkMem/"))
            .map(|r| r.split(|&c| c == b'/').next().unwrap_or(r));
        match row {
            Some(r) => {
                let r = super::lines::text(r);
                // Verbose runs log every row's type once per repeat: overwrite
                // in place instead of allocating the key again.
                match self.report.real_types.get_mut(&*r) {
                    Some(known) => {
                        known.clear();
                        known.push_str(value);
                    }
                    None => {
                        self.report
                            .real_types
                            .insert(r.into_owned(), value.to_string());
                    }
                }
            }
            None => self.unplaced_real.push_back(value.to_string()),
        }
    }

    /// A `Benchmark...` line read on this thread.
    fn benchmark_text(&mut self, text: &str) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        if scratch.push_bench(text.as_bytes(), (0, text.len() as u32)) {
            if let Some(&SplitLine::Bench(b)) = scratch.lines.last() {
                self.bench_line(text.as_bytes(), &scratch, b);
            }
        }
        self.scratch = scratch;
    }

    /// Feeds the lines of `chunk` that [`split_chunk`] split into `split`, in order.
    pub fn feed_split(&mut self, chunk: &[u8], split: &SplitLines) {
        // Verbose output announces every benchmark on a line of its own; what
        // such a line sets (the pending name, the context) stays a span of the
        // chunk until a line reads it or the chunk ends.
        let mut named: Option<NameLine> = None;
        for line in &split.lines {
            match *line {
                SplitLine::Bench(b) => {
                    // As feed_line decides: a first line that is no JSON.
                    self.json_mode.get_or_insert(false);
                    match (b.iterations, split.name(&b)) {
                        (None, Some(name)) => {
                            // bench_line's name-alone case.
                            self.drop_pending();
                            if named.is_some_and(|n| n.pending == Some(true)) {
                                self.report.skipped += 1;
                            }
                            named = Some(NameLine::of(&b, name));
                        }
                        _ => {
                            // bench_line drops the pending name first.
                            if let Some(n) = &mut named {
                                if n.pending.take() == Some(true) {
                                    self.report.skipped += 1;
                                }
                            }
                            self.bench_line(chunk, split, b);
                        }
                    }
                }
                SplitLine::Inert => {
                    self.json_mode.get_or_insert(false);
                }
                SplitLine::Text(at, t) => {
                    self.settle(chunk, &mut named);
                    self.json_mode.get_or_insert(false);
                    self.apply_text(span(chunk, at), t);
                }
                SplitLine::Other(line) => {
                    self.settle(chunk, &mut named);
                    self.feed_line(span(chunk, line));
                }
            }
        }
        self.settle(chunk, &mut named);
    }

    /// Applies what a name line sets (kept as a span of `chunk` until now):
    /// the pending name and the context.
    fn settle(&mut self, chunk: &[u8], named: &mut Option<NameLine>) {
        let Some(n) = named.take() else { return };
        let full = span(chunk, n.name);
        if let Some(rest) = n.pending {
            let mut pending = std::mem::take(&mut self.spare_name);
            pending.clear();
            pending.extend_from_slice(full);
            self.pending_name = Some((pending, rest));
        }
        // The context is the name without its `-P` suffix, read only here:
        // most name lines are followed by another before any line reads one.
        let context = procs_suffix(full).map_or(full, |(at, _)| &full[..at]);
        self.set_context(context);
    }

    /// The results map of the `pkg:` in force.
    fn names(&mut self) -> &mut hashbrown::HashTable<(Box<[u8]>, usize)> {
        let id = match self.current_names {
            Some(id) => id,
            None => {
                let next = self.names.len();
                let id = *self.pkg_ids.entry(self.pkg.clone()).or_insert(next);
                if id == next {
                    self.names.push(Default::default());
                }
                self.current_names = Some(id);
                id
            }
        };
        &mut self.names[id]
    }

    /// A `Benchmark...` line, split into `split` (its ranges are in `text`).
    fn bench_line(&mut self, text: &[u8], split: &SplitLines, b: BenchLine) {
        let Some(name_span) = split.name(&b) else {
            return;
        };
        // Valid UTF-8 (push_bench checked), kept as bytes: a str is made
        // only for a new result.
        let full = span(text, name_span);
        self.drop_pending();
        let Some(iterations) = b.iterations else {
            // Name alone (verbose mode's announcement), or a name followed by the
            // benchmark's own output: the figures may come on a later line.
            self.settle(text, &mut Some(NameLine::of(&b, name_span)));
            return;
        };
        // Past the name and the count: (value, unit) pairs, four places each.
        let pairs = &split.bounds[b.fields.0 as usize + 4..b.fields.1 as usize];
        let values = &split.values[b.values as usize..];
        let units = &split.units[b.values as usize..];
        if self.log.is_some() && b.values_ok {
            self.log_sample(full, &split.values[b.values as usize..], pairs, text);
        }
        // A repeat of a known benchmark folds in place: no new result.
        if let Some(&(_, i)) = self.names().find(b.hash, |(k, _)| same_bytes(k, full)) {
            if b.values_ok {
                self.report.results[i].fold(iterations, text, pairs, values, units);
            } else {
                self.report.skipped += 1;
            }
            return;
        }
        let full_text = super::lines::text(full);
        let (name, procs) = strip_procs(&full_text);
        // Go requires the character after "Benchmark" not to be lower case.
        let lower = name["Benchmark".len()..].starts_with(|c: char| c.is_lowercase());
        if !b.values_ok || lower {
            self.report.skipped += 1;
            return;
        }
        let metrics: Vec<(String, String)> = pairs
            .chunks_exact(4)
            .map(|p| {
                (
                    owned(span(text, (p[2], p[3]))),
                    owned(span(text, (p[0], p[1]))),
                )
            })
            .collect();
        let sums = values[..metrics.len()].iter().map(|&v| (v, 1)).collect();
        let unit_ids = units[..metrics.len()].to_vec();
        let r = BenchResult {
            name: name.to_string(),
            procs,
            iterations,
            metrics,
            pkg: self.pkg.clone(),
            runs: 1,
            sums,
            iteration_sum: u128::from(iterations),
            unit_ids,
        };
        if let Some(row) = seed_row(&r.name) {
            if !self.report.real_types.contains_key(row) {
                if let Some(v) = self.unplaced_real.pop_front() {
                    self.report.real_types.insert(row.to_string(), v);
                }
            }
        }
        // Repeats of a benchmark (-count N, or the same output twice) fold
        // into its first result: memory grows with the number of distinct
        // benchmarks, not with the input.
        let at = self.report.results.len();
        self.names()
            .insert_unique(b.hash, (full.into(), at), |(k, _)| name_hash(k));
        self.report.results.push(r);
    }

    /// Records one result line as a sample (benchstat's reading: the name
    /// without `Benchmark`, each value with its unit).
    fn log_sample(&mut self, full: &[u8], values: &[f64], pairs: &[u32], text: &[u8]) {
        let full = super::lines::text(full);
        let Some(name) = full.strip_prefix("Benchmark") else {
            return;
        };
        if name.starts_with(|c: char| c.is_lowercase()) {
            return;
        }
        let Some(log) = self.log.as_mut() else {
            return;
        };
        let config = *log.config_id.get_or_insert_with(|| {
            let found = log
                .samples
                .configs
                .iter()
                .position(|c| *c == log.config_now);
            found.unwrap_or_else(|| {
                log.samples.configs.push(log.config_now.clone());
                log.samples.configs.len() - 1
            })
        });
        let units = pairs
            .chunks_exact(4)
            .map(|p| owned(span(text, (p[2], p[3]))));
        log.samples.samples.push(Sample {
            config,
            name: name.to_string(),
            values: values.iter().copied().zip(units).collect(),
        });
    }

    /// Forgets a pending name; one that had text after it was a malformed line.
    fn drop_pending(&mut self) {
        if let Some((name, rest)) = self.pending_name.take() {
            self.report.skipped += usize::from(rest);
            self.spare_name = name;
        }
    }

    /// Ends the input and returns what was found.
    pub fn finish(mut self) -> BenchReport {
        self.flush();
        for r in &mut self.report.results {
            // A mean of u64 values fits a u64.
            r.iterations = (r.iteration_sum / u128::from(r.runs)) as u64;
        }
        self.report
    }
}

impl BenchParser {
    /// Reads what input left unfinished: -json output with no final
    /// newline, a name still waiting for its figures.
    fn flush(&mut self) {
        let leftovers: Vec<String> = std::mem::take(&mut self.json_partial)
            .into_values()
            .collect();
        for l in leftovers {
            self.feed_text(&l, None);
        }
        self.drop_pending();
    }
}

fn trim_newline(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && (b[end - 1] == b'\n' || b[end - 1] == b'\r') {
        end -= 1;
    }
    &b[..end]
}

/// Splits `Name-8` into ("Name", Some(8)).
fn strip_procs(name: &str) -> (&str, Option<u32>) {
    match procs_suffix(name.as_bytes()) {
        Some((at, p)) => (&name[..at], Some(p)),
        None => (name, None),
    }
}

/// Where a `-P` GOMAXPROCS suffix starts in a name, and P.
fn procs_suffix(name: &[u8]) -> Option<(usize, u32)> {
    // What str::parse::<u32> reads ends in a digit; `-8` is the usual case.
    let digits = name.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    if digits <= 9 && name.len() > digits + 1 && name[name.len() - digits - 1] == b'-' {
        let at = name.len() - digits - 1;
        let p = name[at + 1..]
            .iter()
            .fold(0, |n, &d| n * 10 + u32::from(d - b'0'));
        return Some((at, p));
    }
    let i = memchr::memrchr(b'-', name).filter(|&i| i > 0)?;
    let p = std::str::from_utf8(&name[i + 1..]).ok()?.parse().ok()?;
    Some((i, p))
}

/// Text of a field known to be valid UTF-8.
fn owned(b: &[u8]) -> String {
    super::lines::text(b).into_owned()
}

/// A field's place in the text it was split from: start and end. Chunks
/// are far below 4 GiB (see [`read_parallel`]).
type Span = (u32, u32);

fn span(text: &[u8], (start, end): Span) -> &[u8] {
    &text[start as usize..end as usize]
}

/// `a == b` for the short names compared once or twice per line, inline:
/// the library call `==` makes cost more than the comparing.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut wa, mut wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |w: &[u8]| u64::from_ne_bytes(w.try_into().expect("eight bytes"));
    wa.by_ref()
        .zip(wb.by_ref())
        .all(|(x, y)| word(x) == word(y))
        && wa
            .remainder()
            .iter()
            .zip(wb.remainder())
            .all(|(x, y)| x == y)
}

/// The hash a benchmark's name is found by.
fn name_hash(name: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
}

/// The units of Go's own metrics by a number, so a repeat's units are
/// matched without comparing text; 0 is any other unit.
fn unit_id(unit: &[u8]) -> u8 {
    match unit {
        b"ns/op" => 1,
        b"B/op" => 2,
        b"allocs/op" => 3,
        b"MB/s" => 4,
        _ => 0,
    }
}

/// A benchmark's name alone on its line, not yet applied (see
/// [`BenchParser::feed_split`]): spans in the chunk.
#[derive(Debug, Clone, Copy)]
struct NameLine {
    /// The name as written, `-P` suffix included.
    name: Span,
    /// Pending until a line reads it: whether text followed the name.
    pending: Option<bool>,
}

impl NameLine {
    /// The line `b`, whose iteration count is missing; `name` is its first field.
    fn of(b: &BenchLine, name: Span) -> NameLine {
        NameLine {
            name,
            pending: Some(b.fields.1 - b.fields.0 > 2),
        }
    }
}

/// A `Benchmark...` line read without the parser's state.
#[derive(Debug, Clone, Copy)]
struct BenchLine {
    /// Its fields' places: an index range into [`SplitLines::bounds`].
    fields: (u32, u32),
    /// The second field as an iteration count, if it is one.
    iterations: Option<u64>,
    /// The name's [`name_hash`] (results only).
    hash: u64,
    /// Where its metric values start in [`SplitLines::values`] and
    /// [`SplitLines::units`]: with `values_ok`, one per (value, unit) pair,
    /// every value a number.
    values: u32,
    values_ok: bool,
}

#[derive(Debug, Clone, Copy)]
enum SplitLine {
    /// A `Benchmark...` line of valid UTF-8.
    Bench(BenchLine),
    /// One or more lines in a row that do nothing in any state, except
    /// settle that the input is no `-json` output.
    Inert,
    /// A line of valid UTF-8 that is no JSON, classified: its span without
    /// the newline.
    Text(Span, TextLine),
    /// Any other line, fed whole to [`BenchParser::feed_line`]: its span.
    Other(Span),
}

/// Lines of benchmark output split into fields and their numbers parsed:
/// the part of parsing that needs no state, so it can run on any thread.
/// Spans are in the text the lines were split from.
#[derive(Debug, Default)]
pub struct SplitLines {
    lines: Vec<SplitLine>,
    /// Fields' starts and ends, two places per field.
    bounds: Vec<u32>,
    values: Vec<f64>,
    /// Per value: its unit's [`unit_id`].
    units: Vec<u8>,
    /// Lines longer than [`MAX_LINE`], cut there.
    pub overlong: u64,
}

impl SplitLines {
    /// How many lines (or runs of inert lines) were split.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The first field of `b` (a benchmark's name as written), if it has one.
    fn name(&self, b: &BenchLine) -> Option<Span> {
        let (at, end) = b.fields;
        (at < end).then(|| (self.bounds[at as usize], self.bounds[at as usize + 1]))
    }

    fn clear(&mut self) {
        self.lines.clear();
        self.bounds.clear();
        self.values.clear();
        self.units.clear();
        self.overlong = 0;
    }

    /// Splits a `Benchmark...` line, the `line` span of `buf` (trimmed as
    /// `str::trim_end` trims), and adds it to the lines; false if it is not
    /// valid UTF-8. (Pushed here rather than returned: one copy less.)
    fn push_bench(&mut self, buf: &[u8], (start, end): Span) -> bool {
        let first = self.bounds.len();
        let ascii = split_fields(buf, start as usize, end as usize, &mut self.bounds);
        if !ascii && std::str::from_utf8(span(buf, (start, end))).is_err() {
            self.bounds.truncate(first);
            return false;
        }
        let bounds = &self.bounds[first..];
        // The field whose start is bounds[k] (two places per field).
        let field = |k: usize| span(buf, (bounds[k], bounds[k + 1]));
        let values = self.values.len();
        let iterations = (bounds.len() >= 4).then(|| parse_count(field(2))).flatten();
        let mut values_ok = false;
        if iterations.is_some() {
            // (value, unit) pairs: four places each.
            values_ok = bounds.len() % 4 == 0;
            for k in (4..bounds.len()).step_by(4).filter(|_| values_ok) {
                match parse_value(field(k)) {
                    Some(v) => {
                        self.values.push(v);
                        self.units.push(unit_id(field(k + 2)));
                    }
                    None => {
                        values_ok = false;
                        break;
                    }
                }
            }
        }
        // Only a result is looked up by its name's hash.
        let hash = match iterations {
            Some(_) => name_hash(field(0)),
            None => 0,
        };
        self.lines.push(SplitLine::Bench(BenchLine {
            fields: (first as u32, self.bounds.len() as u32),
            iterations,
            hash,
            values: values as u32,
            values_ok,
        }));
        true
    }

    /// One line of a chunk, `start..end` with its newline.
    fn push_line(&mut self, chunk: &[u8], start: u32, end: u32) {
        // As CappedLines reads: at most MAX_LINE bytes of a line, newline included.
        let end = if (end - start) as usize > MAX_LINE {
            self.overlong += 1;
            start + MAX_LINE as u32
        } else {
            end
        };
        let line = trim_newline(span(chunk, (start, end)));
        if line.starts_with(b"Benchmark") {
            // feed_text's trim_end (Unicode whitespace): on bytes while they
            // are ASCII, as str when a non-ASCII character ends the line.
            let mut len = line.len();
            while len > 0 && matches!(line[len - 1], b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
                len -= 1;
            }
            let len = match line[..len].last() {
                Some(&c) if c < 0x80 => Some(len),
                _ => std::str::from_utf8(line).ok().map(|t| t.trim_end().len()),
            };
            if len.is_some_and(|n| self.push_bench(chunk, (start, start + n as u32))) {
                return;
            }
        } else if line.iter().all(u8::is_ascii_whitespace) {
            // What feed_line skips, or feed_text trims to nothing.
            return;
        } else if line[0] != b'{' {
            // Classified here, applied on the main thread (as feed_line
            // would: a line that is no JSON goes to feed_text).
            if let Ok(text) = super::lines::utf8(line) {
                match classify_text(text) {
                    Some(t) if t.figures || t.kind != TextKind::Inert => {
                        let len = line.len() as u32;
                        self.lines.push(SplitLine::Text((start, start + len), t));
                    }
                    _ => {
                        if !matches!(self.lines.last(), Some(SplitLine::Inert)) {
                            self.lines.push(SplitLine::Inert);
                        }
                    }
                }
                return;
            }
        }
        self.lines.push(SplitLine::Other((start, end)));
    }
}

/// A decimal count as `str::parse::<u64>` reads it, digits without a sign
/// on a fast path.
fn parse_count(b: &[u8]) -> Option<u64> {
    if !b.is_empty() && b.len() <= 19 && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0, |n, &d| n * 10 + u64::from(d - b'0')));
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// A metric value as `str::parse::<f64>` reads it. Plain decimals of up to
/// 15 digits (`3.146`, `88`), which is what benchmarks print, take a fast
/// path that gives the same value: the digits as an integer and a power of
/// ten are both exact in an f64, so one correctly rounded division is the
/// correctly rounded value of the text.
fn parse_value(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    // One pass: the digits as an integer, and where the point was.
    let (mut m, mut digits, mut point) = (0u64, 0, None);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' if digits < 15 => {
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
            }
            b'.' if point.is_none() && i > 0 && i + 1 < b.len() => point = Some(i),
            _ => return std::str::from_utf8(b).ok()?.parse().ok(),
        }
    }
    if digits > 0 {
        let frac = point.map_or(0, |p| b.len() - p - 1);
        return Some(m as f64 / POW10[frac]);
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Splits every line of `chunk` (benchmark output cut at a line end) for
/// [`BenchParser::feed_split`].
/// `chunk` must be shorter than 4 GiB.
pub fn split_chunk(chunk: &[u8], out: &mut SplitLines) {
    out.clear();
    let mut start = 0;
    each_newline(chunk, |nl| {
        let end = nl as u32 + 1;
        out.push_line(chunk, start, end);
        start = end;
    });
    if (start as usize) < chunk.len() {
        out.push_line(chunk, start, chunk.len() as u32);
    }
}

/// Calls `f` with the place of every newline in `buf`, in order. Benchmark
/// output's lines are short (half are a name alone): one search per line
/// spent more on starting the search than on searching, so newlines are
/// found sixty-four bytes at a time, as a bit mask.
fn each_newline(buf: &[u8], mut f: impl FnMut(usize)) {
    // SAFETY: SSE2 is part of every x86-64 processor (the target's baseline).
    #[cfg(target_arch = "x86_64")]
    let at = unsafe { newlines_sse2(buf, &mut f) };
    #[cfg(not(target_arch = "x86_64"))]
    let at = 0;
    for nl in memchr::memchr_iter(b'\n', &buf[at..]) {
        f(at + nl);
    }
}

/// [`each_newline`] for the whole blocks of sixty-four bytes at the start of
/// `buf`; returns where they end.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn newlines_sse2(buf: &[u8], f: &mut impl FnMut(usize)) -> usize {
    use std::arch::x86_64::*;
    let word = |at: usize| i64::from_le_bytes(buf[at..at + 8].try_into().expect("eight bytes"));
    let mut at = 0;
    while at + 64 <= buf.len() {
        let mut mask = 0u64;
        for k in 0..4 {
            let x = _mm_set_epi64x(word(at + 16 * k + 8), word(at + 16 * k));
            let nl = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\n' as i8));
            mask |= u64::from(_mm_movemask_epi8(nl) as u16) << (16 * k);
        }
        while mask != 0 {
            f(at + mask.trailing_zeros() as usize);
            mask &= mask - 1;
        }
        at += 64;
    }
    at
}

/// Reads benchmark output, plain or `-json`, on every core (see
/// [`chunks`]): the same report as [`read_lines`] gives, and how many lines
/// were longer than [`MAX_LINE`].
pub fn read_parallel(input: impl Read + Send) -> Result<(BenchReport, u64)> {
    read_chunked(input, parallel_plan())
}

/// Half-MiB chunks: their split lines take about twice their size, and a
/// few of each in flight keep the whole read within a few MiB. Applying the
/// lines in order is a third of the work: the caller's thread parses chunks
/// too.
pub fn parallel_plan() -> chunks::Plan {
    chunks::Plan {
        chunk_size: 1 << 19,
        caller_works: true,
        ..chunks::Plan::for_this_machine()
    }
}

/// [`read_parallel`] cut as `plan` says (fewer than 2 threads: on this one).
pub fn read_chunked(input: impl Read + Send, plan: chunks::Plan) -> Result<(BenchReport, u64)> {
    let (mut folded, splitter) = (Folded::default(), Splitter::default());
    let rest = chunks::parse_in_chunks(
        input,
        span_sized(plan),
        "benchmark output",
        last_line_end,
        |chunk| Ok(splitter.split(chunk)),
        |chunk, split| {
            folded.apply(chunk, split, &splitter);
            Ok(())
        },
    )?;
    if let Some(rest) = rest {
        folded.overlong += feed_lines(&mut folded.parser, rest, |_| Ok(()))?;
    }
    Ok(folded.finish())
}

/// [`read_parallel`] for mapped output: the chunks are slices of it,
/// nothing is copied, and each is released once read.
pub fn read_mapped(output: &crate::parse::mapped::Mapped) -> Result<(BenchReport, u64)> {
    read_sliced(output, parallel_plan(), |r| output.release(r))
}

/// [`read_mapped`] on any slice, cut as `plan` says (fewer than 2 threads:
/// on this one).
pub fn read_sliced(
    output: &[u8],
    plan: chunks::Plan,
    mut release: impl FnMut(std::ops::Range<usize>),
) -> Result<(BenchReport, u64)> {
    let (mut folded, splitter) = (Folded::default(), Splitter::default());
    let rest = chunks::parse_slice_in_chunks(
        output,
        span_sized(plan),
        last_line_end,
        |chunk| Ok(splitter.split(chunk)),
        |chunk, split| {
            folded.apply(chunk, split, &splitter);
            Ok(())
        },
        &mut release,
    )?;
    if let Some(at) = rest {
        let input = chunks::Releasing::new(output, at, &mut release);
        folded.overlong += feed_lines(&mut folded.parser, input, |_| Ok(()))?;
    }
    Ok(folded.finish())
}

/// Where a chunk of benchmark output may end: after its last line end.
fn last_line_end(buf: &[u8]) -> Option<usize> {
    memchr::memrchr(b'\n', buf).map(|nl| nl + 1)
}

/// `plan` with chunks small enough for u32 spans.
fn span_sized(plan: chunks::Plan) -> chunks::Plan {
    chunks::Plan {
        chunk_size: plan.chunk_size.min(1 << 30),
        max_chunk: plan.max_chunk.min(1 << 30),
        ..plan
    }
}

/// What the chunks' split lines come to, applied in order on the main thread.
#[derive(Default)]
struct Folded {
    parser: BenchParser,
    overlong: u64,
}

impl Folded {
    /// The report, and how many lines were longer than [`MAX_LINE`].
    fn finish(self) -> (BenchReport, u64) {
        (self.parser.finish(), self.overlong)
    }

    fn apply(&mut self, chunk: &[u8], split: SplitLines, splitter: &Splitter) {
        self.overlong += split.overlong;
        self.parser.feed_split(chunk, &split);
        splitter.recycle(split);
    }
}

/// Splits chunks' lines on the workers, into buffers recycled as the
/// chunks' are.
#[derive(Default)]
struct Splitter {
    spare: std::sync::Mutex<Vec<SplitLines>>,
}

impl Splitter {
    fn split(&self, chunk: &[u8]) -> SplitLines {
        let mut split = self
            .spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_default();
        split_chunk(chunk, &mut split);
        split
    }

    fn recycle(&self, split: SplitLines) {
        if let Ok(mut s) = self.spare.lock() {
            s.push(split);
        }
    }
}

/// Reads benchmark output on this thread, line by line, handing every byte
/// read to `raw` as it goes (to echo it); the report, and how many lines were
/// longer than [`MAX_LINE`].
pub fn read_lines(
    input: impl Read,
    raw: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<(BenchReport, u64)> {
    let mut parser = BenchParser::new();
    let overlong = feed_lines(&mut parser, input, raw)?;
    Ok((parser.finish(), overlong))
}

/// Feeds every line of `input` to `parser`; returns the overlong count.
/// Every result line of `input` (plain or `go test -json`) with its
/// configuration, for comparisons.
pub fn read_samples(input: impl Read) -> Result<(Samples, u64)> {
    let mut parser = BenchParser::keeping_samples();
    let overlong = feed_lines(&mut parser, input, |_| Ok(()))?;
    Ok((parser.finish_samples(), overlong))
}

fn feed_lines(
    parser: &mut BenchParser,
    input: impl Read,
    raw: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<u64> {
    let mut lines = CappedLines::new(std::io::BufReader::with_capacity(1 << 20, input));
    lines
        .for_each_line(raw, |line| -> std::io::Result<()> {
            parser.feed_line(line);
            Ok(())
        })
        .context("reading benchmark output")?;
    Ok(lines.overlong)
}

/// Appends the fields of `buf[start..end]`, split at runs of ASCII
/// whitespace as `split_ascii_whitespace` splits, to `out` as places in
/// `buf`, two per field (start, end); returns whether those bytes are all
/// ASCII. Eight bytes at a time (benchmark output is mostly padding): a
/// mask marks a word's whitespace bytes, and fields start and end at the
/// mask's edges. A line's last word is read whole when `buf` goes on past
/// it, the bytes past the end masked. (Edges, not pairs: a start waiting
/// for its end cost a branch per edge.)
fn split_fields(buf: &[u8], start: usize, end: usize, out: &mut Vec<u32>) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    const LOW7: u64 = ONES * 0x7f;
    // The high bit of every byte equal to `c`; exact, no carry between bytes.
    let eq = |x: u64, c: u8| {
        let t = x ^ (ONES * u64::from(c));
        !(((t & LOW7) + LOW7) | t) & HIGH
    };
    let whitespace = |x: u64| {
        let common = eq(x, b' ') | eq(x, b'\t');
        // Bytes below 0x21: only when some are not space or tab are the
        // rarer whitespace bytes looked for.
        let below = !(((x & LOW7) + ONES * (0x80 - 0x21)) | x) & HIGH;
        if below == common {
            common
        } else {
            common | eq(x, b'\n') | eq(x, b'\r') | eq(x, 0x0c)
        }
    };
    // Edges alternate: a field's start, its end.
    let edge = |at: usize, out: &mut Vec<u32>| out.push(at as u32);
    let mut i = start;
    let mut in_field = false;
    let mut high = 0;
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            (i, in_field, high) = unsafe { split_fields_avx2(buf, end, (i, in_field, high), out) };
        }
        // SAFETY: SSE2 is part of every x86-64 processor (the target's baseline).
        (i, in_field, high) = unsafe { split_fields_sse2(buf, end, (i, in_field, high), out) };
    }
    while i < end && i + 8 <= buf.len() {
        let x = u64::from_le_bytes(buf[i..i + 8].try_into().expect("eight bytes"));
        // The bytes of this line in the word: all, or the last few.
        let mine = if end - i >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * (end - i))) - 1
        };
        high |= x & mine;
        let field = !whitespace(x) & HIGH & mine;
        // A byte differing from the one before it is an edge.
        let mut edges = field ^ ((field << 8) | if in_field { 0x80 } else { 0 });
        while edges != 0 {
            edge(i + (edges.trailing_zeros() / 8) as usize, out);
            edges &= edges - 1;
        }
        in_field = mine == u64::MAX && field >> 63 != 0;
        i += 8;
    }
    while i < end {
        let c = buf[i];
        high |= u64::from(c);
        if c.is_ascii_whitespace() == in_field {
            edge(i, out);
            in_field = !in_field;
        }
        i += 1;
    }
    if in_field {
        edge(end, out);
    }
    high & HIGH == 0
}

/// [`split_fields`]' loop, sixteen bytes at a time with SSE2: the same
/// masks, one bit per byte. Takes and returns the loop's state (position,
/// inside a field, bytes or-ed for the ASCII check); appends every field
/// edge to `out`. Stops where fewer than sixteen bytes of `buf` are left.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn split_fields_sse2(
    buf: &[u8],
    end: usize,
    (mut i, mut in_field, mut high): (usize, bool, u64),
    out: &mut Vec<u32>,
) -> (usize, bool, u64) {
    use std::arch::x86_64::*;
    let word = |at: usize| i64::from_le_bytes(buf[at..at + 8].try_into().expect("eight bytes"));
    while i < end && i + 16 <= buf.len() {
        let x = _mm_set_epi64x(word(i + 8), word(i));
        let eq = _mm_or_si128(
            _mm_cmpeq_epi8(x, _mm_set1_epi8(b' ' as i8)),
            _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\t' as i8)),
        );
        let common = _mm_movemask_epi8(eq) as u32;
        // Bytes up to 0x20: only when some are not space or tab are the
        // rarer whitespace bytes looked for.
        let low = _mm_min_epu8(x, _mm_set1_epi8(0x20));
        let below = _mm_movemask_epi8(_mm_cmpeq_epi8(low, x)) as u32;
        let whitespace = if below == common {
            common
        } else {
            let rare = _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\n' as i8)),
                    _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\r' as i8)),
                ),
                _mm_cmpeq_epi8(x, _mm_set1_epi8(0x0c)),
            );
            common | _mm_movemask_epi8(rare) as u32
        };
        // The bytes of this line in the block: all, or the first few.
        let mine = if end - i >= 16 {
            0xffff
        } else {
            (1u32 << (end - i)) - 1
        };
        // A byte above 0x7f: the bit split_fields checks.
        if _mm_movemask_epi8(x) as u32 & mine != 0 {
            high |= 0x80;
        }
        let field = !whitespace & mine;
        // A byte differing from the one before it is an edge; so is the end
        // of the line inside the block (not the block's own end).
        let mut edges = (field ^ ((field << 1) | u32::from(in_field))) & 0xffff;
        while edges != 0 {
            out.push((i + edges.trailing_zeros() as usize) as u32);
            edges &= edges - 1;
        }
        in_field = mine == 0xffff && field >> 15 != 0;
        i += 16;
    }
    (i, in_field, high)
}

/// [`split_fields_sse2`] thirty-two bytes at a time, for processors with
/// AVX2 (a result line is about a hundred bytes: four blocks, not seven).
/// Stops where fewer than thirty-two bytes of `buf` are left.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn split_fields_avx2(
    buf: &[u8],
    end: usize,
    (mut i, mut in_field, mut high): (usize, bool, u64),
    out: &mut Vec<u32>,
) -> (usize, bool, u64) {
    use std::arch::x86_64::*;
    while i < end && i + 32 <= buf.len() {
        let block = &buf[i..i + 32];
        // SAFETY: `block` holds the 32 bytes read; loadu takes any alignment.
        let x = unsafe { _mm256_loadu_si256(block.as_ptr().cast()) };
        let eq = _mm256_or_si256(
            _mm256_cmpeq_epi8(x, _mm256_set1_epi8(b' ' as i8)),
            _mm256_cmpeq_epi8(x, _mm256_set1_epi8(b'\t' as i8)),
        );
        let common = _mm256_movemask_epi8(eq) as u32;
        let low = _mm256_min_epu8(x, _mm256_set1_epi8(0x20));
        let below = _mm256_movemask_epi8(_mm256_cmpeq_epi8(low, x)) as u32;
        let whitespace = if below == common {
            common
        } else {
            let rare = _mm256_or_si256(
                _mm256_or_si256(
                    _mm256_cmpeq_epi8(x, _mm256_set1_epi8(b'\n' as i8)),
                    _mm256_cmpeq_epi8(x, _mm256_set1_epi8(b'\r' as i8)),
                ),
                _mm256_cmpeq_epi8(x, _mm256_set1_epi8(0x0c)),
            );
            common | _mm256_movemask_epi8(rare) as u32
        };
        let mine = if end - i >= 32 {
            u32::MAX
        } else {
            (1u32 << (end - i)) - 1
        };
        if _mm256_movemask_epi8(x) as u32 & mine != 0 {
            high |= 0x80;
        }
        let field = !whitespace & mine;
        let mut edges = field ^ ((field << 1) | u32::from(in_field));
        while edges != 0 {
            out.push((i + edges.trailing_zeros() as usize) as u32);
            edges &= edges - 1;
        }
        in_field = mine == u32::MAX && field >> 31 != 0;
        i += 32;
    }
    (i, in_field, high)
}

/// What a line other than a split `Benchmark...` line can do, decided
/// without the parser's state, so a worker thread can decide it: the state
/// is applied by [`BenchParser::apply_text`]. Spans are in the line.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TextKind {
    /// Nothing (unless [`TextLine::figures`] and a name is pending).
    Inert,
    /// `--- BENCH: Name-P`: Name becomes the context of the logs that follow.
    Header(Span),
    /// A `Benchmark...` line, read as one.
    Benchmark,
    /// A `real(T)=` log line: the value.
    Real(Span),
    /// A config line: key and value.
    Config(Span, Span),
}

/// A classified line: what [`BenchParser::feed_text`] does with it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TextLine {
    /// Its length after `str::trim_end`.
    trimmed: u32,
    /// It reads as the figures of a result whose name came alone on the
    /// line before: a count and at least two more fields.
    figures: bool,
    kind: TextKind,
}

/// Classifies a line (newline removed); None when it is blank after
/// `str::trim_end`, which does nothing in any state.
fn classify_text(line: &str) -> Option<TextLine> {
    static REAL_T: std::sync::LazyLock<memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memmem::Finder::new(b": real(T)="));
    let trimmed = trim_end(line);
    if trimmed.is_empty() {
        return None;
    }
    let within = |part: &str| {
        let at = part.as_ptr() as usize - line.as_ptr() as usize;
        (at as u32, (at + part.len()) as u32)
    };
    let mut t = TextLine {
        trimmed: trimmed.len() as u32,
        figures: false,
        kind: TextKind::Inert,
    };
    if let Some(rest) = trimmed.strip_prefix("--- BENCH: ") {
        t.kind = TextKind::Header(within(strip_procs(trim(rest)).0));
        return Some(t);
    }
    if trimmed.starts_with("Benchmark") {
        t.kind = TextKind::Benchmark;
        return Some(t);
    }
    // A count is digits, or a sign and digits: only then split the line.
    let first = match trimmed.as_bytes()[0] {
        c if c > b' ' && c < 0x7f => c,
        _ => trimmed.trim_start().bytes().next().unwrap_or(0),
    };
    if first.is_ascii_digit() || first == b'+' {
        let mut fields = trimmed.split_whitespace();
        t.figures =
            fields.next().is_some_and(|f| f.parse::<u64>().is_ok()) && fields.nth(1).is_some();
    }
    let indented = line.starts_with([' ', '\t']);
    if indented {
        // A log line: "    file_test.go:12: real(T)=int64".
        if let Some(idx) = REAL_T.find(trimmed.as_bytes()) {
            // What trim leaves ends as what trim_end leaves ends.
            if trim_end(&trimmed[..idx]).ends_with(|c: char| c.is_ascii_digit()) {
                t.kind = TextKind::Real(within(&trimmed[idx + ": real(T)=".len()..]));
            }
        }
    } else {
        if let Some((k, v)) = config_line(trimmed) {
            t.kind = TextKind::Config(within(k), within(v));
        }
    }
    Some(t)
}

/// A config line: `key: value` with a lower-case key and no spaces in the key.
fn config_line(line: &str) -> Option<(&str, &str)> {
    let colon = memchr::memchr(b':', line.as_bytes())?;
    let (k, v) = (&line[..colon], &line[colon + 1..]);
    if k.is_empty()
        || !k.starts_with(|c: char| c.is_ascii_lowercase())
        || k.chars().any(|c| c.is_whitespace() || c.is_uppercase())
    {
        return None;
    }
    if !v.is_empty() && !v.starts_with(' ') {
        return None;
    }
    Some((k, trim(v)))
}

/// `str::trim`, without its Unicode tables when the ends are printable
/// ASCII (no whitespace, Unicode's or ASCII's).
fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [first, .., last] if (b'!'..=b'~').contains(first) && (b'!'..=b'~').contains(last) => s,
        _ => s.trim(),
    }
}

/// `str::trim_end`, the same way.
fn trim_end(s: &str) -> &str {
    match s.as_bytes().last() {
        Some(c) if (b'!'..=b'~').contains(c) => s,
        _ => s.trim_end(),
    }
}

/// The seed row of a `BenchmarkMem/<row>/{0,n}/{h,s}` name.
pub fn seed_row(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("BenchmarkMem/")?;
    let mut parts = rest.split('/');
    let row = parts.next()?;
    let zn = parts.next()?;
    let hs = parts.next()?;
    if parts.next().is_some() || !matches!(zn, "0" | "n") || !matches!(hs, "h" | "s") {
        return None;
    }
    Some(row)
}

impl BenchReport {
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

/// Parses a whole input held in memory (tests and benchmarks; the CLI streams).
pub fn parse_str(input: &str) -> BenchReport {
    let mut p = BenchParser::new();
    for line in input.split_inclusive('\n') {
        p.feed_line(line.as_bytes());
    }
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_like_split_ascii_whitespace() {
        for line in [
            "",
            "   ",
            "        ",
            "         x",
            "BenchmarkX-2   \t   1000\t        3.146 ns/op\t       0 B/op",
            "a",
            "  a  b\t\tc \r\n",
            "BenchmarkÜ/ß-8                 12  3 x/op",
            "\u{a0}a\u{a0} b                \u{2003} c",
        ] {
            let want: Vec<&str> = line.split_ascii_whitespace().collect();
            let mut ranges = Vec::new();
            split_fields(line.as_bytes(), 0, line.len(), &mut ranges);
            let got: Vec<&str> = ranges
                .chunks(2)
                .map(|f| &line[f[0] as usize..f[1] as usize])
                .collect();
            assert_eq!(got, want, "{line:?}");
        }
    }

    /// A line's fields are the same whether its buffer ends with it or goes
    /// on (the last word is then read whole and masked), wherever the 32-,
    /// 16- and 8-byte blocks fall (the buffer is long enough for each).
    #[test]
    fn fields_split_inside_a_longer_buffer() {
        let buf = "BenchmarkÜ-8 \t 12\t 3.5 ns/op\x0b x\x0cy\r\nBenchmarkNext 1 2 3\n\
                   BenchmarkMem/int64/0/h-2     \t    1000\t         3.146 ns/op\t  \
                   0 B/op\t       0 allocs/op  \u{a0}é\t\n";
        for start in 0..buf.len() {
            for end in start..=buf.len() {
                let Some(want) = buf.get(start..end) else {
                    continue;
                };
                let want: Vec<&str> = want.split_ascii_whitespace().collect();
                let mut spans = Vec::new();
                let ascii = split_fields(buf.as_bytes(), start, end, &mut spans);
                let got: Vec<&str> = spans
                    .chunks(2)
                    .map(|f| &buf[f[0] as usize..f[1] as usize])
                    .collect();
                assert_eq!(got, want, "{start}..{end}");
                assert_eq!(
                    ascii,
                    buf.as_bytes()[start..end].is_ascii(),
                    "{start}..{end}"
                );
            }
        }
    }

    /// The fast number readers give what `str::parse` gives, bit for bit.
    #[test]
    fn numbers_read_as_str_parse_reads_them() {
        let cases = [
            "0",
            "7",
            "88",
            "3.146",
            "0.5810",
            "175.3",
            "365.11",
            "123456789012345",
            "1234567890123456",
            "99999999999999.9",
            "0.000000000000001",
            "1.",
            ".5",
            "1.2.3",
            "",
            "-1",
            "+1",
            "1e5",
            "inf",
            "NaN",
            "0x10",
            "18446744073709551615",
            "18446744073709551616",
            "00012",
            "1_000",
            "٣",
        ];
        for c in cases {
            assert_eq!(
                parse_value(c.as_bytes()).map(f64::to_bits),
                c.parse::<f64>().ok().map(f64::to_bits),
                "{c:?}"
            );
            assert_eq!(parse_count(c.as_bytes()), c.parse::<u64>().ok(), "{c:?}");
        }
        // Every decimal with up to 6 digits and any point position.
        for n in 0..200_000u64 {
            let digits = n.to_string();
            for point in 1..digits.len() {
                let text = format!("{}.{}", &digits[..point], &digits[point..]);
                assert_eq!(
                    parse_value(text.as_bytes()).map(f64::to_bits),
                    text.parse::<f64>().ok().map(f64::to_bits),
                    "{text}"
                );
            }
        }
    }

    /// Every recorded output, and hostile variants of it, read in chunks of
    /// any size on two threads gives what one thread reading line by line
    /// gives: the same results, sums, skips and overlong count.
    #[test]
    fn chunked_reading_equals_line_by_line() {
        // Chunks read from a stream, and chunks sliced from memory.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bench");
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "txt") {
                inputs.push(std::fs::read(&p).unwrap());
            }
        }
        assert!(inputs.len() >= 6, "{} fixtures", inputs.len());
        let plain = inputs
            .iter()
            .find(|i| i.starts_with(b"goos"))
            .unwrap()
            .clone();
        let mut hostile = plain.clone();
        hostile.extend_from_slice(
            b"BenchmarkBad\xff-2 10 1 ns/op\r\nBenchmarkX-2 5 1\xe2\x80\x83 ns/op\n",
        );
        hostile.extend_from_slice(
            b"BenchmarkSplit-2 \t\nlog\n   7\t 2.5 ns/op\nBenchmarkU-2 3 1 ns/op\xe3\x80\x80\n",
        );
        hostile.extend(std::iter::repeat_n(b'B', MAX_LINE + 10));
        hostile.extend_from_slice(b"\nBenchmarkLast-2 1 1 ns/op");
        inputs.push(hostile);
        inputs.push(plain.repeat(3));
        for input in &inputs {
            let show = |(r, n): (BenchReport, u64)| format!("{r:?} {n}");
            let want = show(read_lines(&input[..], |_| Ok(())).unwrap());
            for (chunk_size, max_chunk) in [
                (1, 1 << 30),
                (7, 64),
                (100, 400),
                (4096, 1 << 21),
                (1 << 20, 1 << 22),
            ] {
                let plan = chunks::Plan {
                    threads: 2,
                    chunk_size,
                    max_chunk,
                    caller_works: false,
                };
                assert_eq!(
                    show(read_chunked(&input[..], plan).unwrap()),
                    want,
                    "{chunk_size} {max_chunk}"
                );
                for caller_works in [false, true] {
                    let plan = chunks::Plan {
                        caller_works,
                        ..plan
                    };
                    assert_eq!(
                        show(read_sliced(input, plan, |_| {}).unwrap()),
                        want,
                        "sliced {plan:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn parses_a_result_line_with_custom_metrics() {
        let r = parse_str("BenchmarkX/a=1-8   \t 1000\t 12.5 ns/op\t 80.00 MB/s\t 8 B/op\t 1 allocs/op\t 3.00 widgets/op\n");
        assert_eq!(r.results.len(), 1);
        let b = &r.results[0];
        assert_eq!(b.name, "BenchmarkX/a=1");
        assert_eq!(b.procs, Some(8));
        assert_eq!(b.metric("MB/s").as_deref(), Some("80.00"));
        assert_eq!(b.metric("widgets/op").as_deref(), Some("3.00"));
    }

    #[test]
    fn counts_malformed_lines() {
        let r = parse_str("BenchmarkX-8 abc 1 ns/op\nBenchmarkY-8 10 1\nBenchmarkZ 10 1 ns/op\n");
        assert_eq!(r.skipped, 2);
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].procs, None);
    }

    #[test]
    fn joins_a_result_split_by_output() {
        let r = parse_str("BenchmarkX-4   \t\nhello from the benchmark\n  500\t  3 ns/op\n");
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].iterations, 500);
    }

    /// What each kind of line that is no result does, read line by line and
    /// in chunks (where the workers classify it and the caller applies it).
    /// The shortcuts for printable ASCII ends trim what `str::trim` and
    /// `str::trim_end` trim.
    #[test]
    fn trim_is_str_trim() {
        for t in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\t",
            "ab",
            "a b",
            "\u{a0}a",
            "a\u{85}",
            "\u{3000}",
            "\x7fa\x7f",
            "\x0ba\x0c",
            "é",
            "a é",
            "!~",
            "~ !",
        ] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
            assert_eq!(trim_end(t), t.trim_end(), "{t:?}");
        }
    }

    #[test]
    fn other_lines_do_what_they_say() {
        let read = |input: &str| {
            let plan = chunks::Plan {
                threads: 2,
                chunk_size: 16,
                max_chunk: 1 << 20,
                caller_works: true,
            };
            let sliced = read_sliced(input.as_bytes(), plan, |_| {}).unwrap().0;
            let lines = parse_str(input);
            assert_eq!(format!("{sliced:?}"), format!("{lines:?}"), "{input:?}");
            lines
        };
        // A name alone, a log, then figures: joined into one result; an
        // indented line that reads as figures and logs real(T) is figures.
        let r = read("BenchmarkMem/int64/0/h\n    x_test.go:3: real(T)=int64\n  7 3 ns/op\n");
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].iterations, 7);
        assert_eq!(r.real_types.get("int64").map(String::as_str), Some("int64"));
        let r = read("BenchmarkX\n   12 x_test.go:3: real(T)=q 1 ns/op\n");
        assert_eq!(r.results.len(), 0, "figures, not a log");
        assert!(r.real_types.is_empty());
        // --- BENCH: names the logs' benchmark (its -P dropped).
        let r = read("--- BENCH: BenchmarkMem/bool/0/s-8\n\tb_test.go:9: real(T)=bool\n");
        assert_eq!(r.real_types.get("bool").map(String::as_str), Some("bool"));
        // A log line needs its indent and a line number before the marker.
        let r = read("x_test.go:3: real(T)=a\n    x_test.go: real(T)=b\n");
        assert!(r.real_types.is_empty(), "{:?}", r.real_types);
        // Config: lower-case keys without spaces, first value kept; pkg
        // separates results of the same name.
        let r = read(
            "goos: linux\nGoos: x\ngoos: plan9\nmy key: v\npkg: a\nBenchmarkX-2 1 1 ns/op\npkg: b\nBenchmarkX-2 1 1 ns/op\n",
        );
        let keys: Vec<&str> = r.config.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["goos", "pkg"]);
        assert_eq!(r.config[0].1, "linux");
        assert_eq!(r.results.len(), 2);
        // A first line of whitespace that is not blank to feed_line settles
        // that the input is no -json: a JSON line after it is text.
        let json =
            "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"BenchmarkJ-2 10 5 ns/op\\n\"}\n";
        assert_eq!(read(json).results.len(), 1);
        assert_eq!(read(&format!("\x0b\n{json}")).results.len(), 0);
        assert_eq!(
            read(&format!(" \t\n{json}")).results.len(),
            1,
            "blank first line"
        );
        // A name followed by text was a malformed line, unless figures come.
        assert_eq!(
            read("BenchmarkX-2 junk\nBenchmarkY-2 1 1 ns/op\n").skipped,
            1
        );
    }

    #[test]
    fn joins_json_output_split_across_events() {
        let input = concat!(
            "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"BenchmarkX-2   \\t\"}\n",
            "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"  100\\t 5 ns/op\\t 0 B/op\\t 0 allocs/op\\n\"}\n",
            "{\"Action\":\"pass\",\"Package\":\"p\"}\n"
        );
        let r = parse_str(input);
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].metric("ns/op").as_deref(), Some("5"));
    }
}
