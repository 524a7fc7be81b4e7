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
use std::io::Write;

use anyhow::Result;
use memchr::memmem;
use serde::Deserialize;

use crate::report::seed::{self, SeedRow};

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
    iteration_sum: u64,
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
    /// Folds another run of the same benchmark (its fields after the name)
    /// into this one, without allocating unless a new unit appears.
    fn fold(&mut self, iterations: u64, pairs: &[&str], values: &[f64]) {
        self.runs += 1;
        self.iteration_sum += iterations;
        self.iterations = self.iteration_sum / u64::from(self.runs);
        for (k, (pair, &v)) in pairs.chunks(2).zip(values).enumerate() {
            let (value, unit) = (pair[0], pair[1]);
            // Repeats list their units in the same order: try the same slot first.
            let slot = if self.metrics.get(k).is_some_and(|(u, _)| u == unit) {
                Some(k)
            } else {
                self.metrics.iter().position(|(u, _)| u == unit)
            };
            match slot {
                Some(i) => {
                    self.sums[i].0 += v;
                    self.sums[i].1 += 1;
                }
                None => {
                    self.metrics.push((unit.to_string(), value.to_string()));
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

/// The streaming parser: feed lines, then [`BenchParser::finish`].
#[derive(Default)]
pub struct BenchParser {
    report: BenchReport,
    pkg: Option<String>,
    /// A benchmark name printed alone (verbose mode, or before interleaved
    /// output), and whether other text followed it on its line.
    pending_name: Option<(String, bool)>,
    /// The benchmark whose logs follow (from a name line, `--- BENCH:`, or -json's Test).
    context: Option<String>,
    /// `real(T)` values seen with no benchmark context, for the next seed row.
    unplaced_real: std::collections::VecDeque<String>,
    /// Config keys seen, so each key is looked up in constant time.
    config_keys: std::collections::HashSet<String>,
    /// pkg → (name as written, with its -P suffix) → index of its result,
    /// for folding repeats.
    index: rustc_hash::FxHashMap<Option<String>, rustc_hash::FxHashMap<String, usize>>,
    /// -json: partial output per package, until its newline arrives.
    json_partial: BTreeMap<String, String>,
    json_mode: Option<bool>,
}

impl BenchParser {
    pub fn new() -> BenchParser {
        BenchParser::default()
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
            match std::str::from_utf8(line) {
                Ok(text) => self.feed_text(text, None),
                Err(_) => self.feed_text(&String::from_utf8_lossy(line), None),
            }
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
        if buf.len() > crate::parse::lines::MAX_LINE {
            // A line with no end in sight: keep its start only.
            let mut cut = crate::parse::lines::MAX_LINE;
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
            self.set_context(t);
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            return;
        }
        if let Some(rest) = trimmed.strip_prefix("--- BENCH: ") {
            self.set_context(strip_procs(rest.trim()).0);
            return;
        }
        if trimmed.starts_with("Benchmark") {
            self.benchmark_line(trimmed);
            return;
        }
        if let Some((pending, _)) = &self.pending_name {
            // A result split by interleaved output: "   1000\t  12 ns/op ...".
            let fields: Vec<&str> = trimmed.split_whitespace().collect();
            if fields.first().is_some_and(|f| f.parse::<u64>().is_ok()) && fields.len() >= 3 {
                let joined = format!("{pending} {trimmed}");
                self.pending_name = None;
                self.benchmark_line(&joined);
                return;
            }
        }
        if let Some(idx) = trimmed.find(": real(T)=") {
            // A log line: "    file_test.go:12: real(T)=int64".
            if line.starts_with([' ', '\t'])
                && trimmed[..idx]
                    .trim()
                    .ends_with(|c: char| c.is_ascii_digit())
            {
                let value = trimmed[idx + ": real(T)=".len()..].to_string();
                self.record_real(value);
                return;
            }
        }
        if !line.starts_with([' ', '\t']) {
            if let Some((k, v)) = config_line(trimmed) {
                if k == "pkg" {
                    self.pkg = Some(v.to_string());
                }
                if self.config_keys.insert(k.to_string()) {
                    self.report.config.push((k.to_string(), v.to_string()));
                }
            }
        }
    }

    /// Sets the benchmark whose logs follow, reusing the string's buffer: a
    /// verbose run announces every benchmark, so this runs once per result.
    fn set_context(&mut self, name: &str) {
        match &mut self.context {
            Some(c) => {
                if c != name {
                    c.clear();
                    c.push_str(name);
                }
            }
            None => self.context = Some(name.to_string()),
        }
    }

    fn record_real(&mut self, value: String) {
        let row = self
            .context
            .as_deref()
            .and_then(|c| c.strip_prefix("BenchmarkMem/"))
            .map(|r| r.split('/').next().unwrap_or(r).to_string());
        match row {
            Some(r) => {
                self.report.real_types.insert(r, value);
            }
            None => self.unplaced_real.push_back(value),
        }
    }

    fn benchmark_line(&mut self, line: &str) {
        // The fields of a result line, on the stack: name, N, then pairs.
        const MAX_FIELDS: usize = 32;
        let mut stack = [""; MAX_FIELDS];
        let mut n = 0;
        let mut heap: Vec<&str> = Vec::new();
        for f in AsciiFields::new(line) {
            if n < MAX_FIELDS {
                stack[n] = f;
            } else {
                if heap.is_empty() {
                    heap.extend_from_slice(&stack);
                }
                heap.push(f);
            }
            n += 1;
        }
        let fields: &[&str] = if n > MAX_FIELDS { &heap } else { &stack[..n] };
        let Some((&full, rest)) = fields.split_first() else {
            return;
        };
        self.drop_pending();
        let iterations = rest.first().and_then(|r| r.parse::<u64>().ok());
        let Some(iterations) = iterations else {
            // Name alone (verbose mode's announcement), or a name followed by the
            // benchmark's own output: the figures may come on a later line.
            let mut pending = self.pending_name.take().map(|(p, _)| p).unwrap_or_default();
            pending.clear();
            pending.push_str(full);
            self.pending_name = Some((pending, !rest.is_empty()));
            self.set_context(strip_procs(full).0);
            return;
        };
        // A repeat of a known benchmark folds in place: no new result.
        if let Some(&i) = self.index.get(&self.pkg).and_then(|m| m.get(full)) {
            let pairs = &rest[1..];
            let mut stack = [0f64; MAX_FIELDS / 2];
            let mut heap: Vec<f64> = Vec::new();
            let values: &mut [f64] = if pairs.len() / 2 <= stack.len() {
                &mut stack
            } else {
                heap.resize(pairs.len() / 2, 0.0);
                &mut heap
            };
            let valid = pairs.len() % 2 == 0
                && pairs
                    .chunks(2)
                    .zip(values.iter_mut())
                    .all(|(p, v)| p[0].parse::<f64>().map(|x| *v = x).is_ok());
            if valid {
                self.report.results[i].fold(iterations, pairs, values);
            } else {
                self.report.skipped += 1;
            }
            return;
        }
        match parse_result(full, rest) {
            Some(mut r) => {
                r.pkg = self.pkg.clone();
                if let Some(row) = seed_row(&r.name) {
                    if !self.report.real_types.contains_key(row) {
                        if let Some(v) = self.unplaced_real.pop_front() {
                            self.report.real_types.insert(row.to_string(), v);
                        }
                    }
                }
                // Repeats of a benchmark (-count N, or the same output twice)
                // fold into its first result: memory grows with the number of
                // distinct benchmarks, not with the input.
                self.index
                    .entry(self.pkg.clone())
                    .or_default()
                    .insert(full.to_string(), self.report.results.len());
                self.report.results.push(r);
            }
            None => self.report.skipped += 1,
        }
    }

    /// Forgets a pending name; one that had text after it was a malformed line.
    fn drop_pending(&mut self) {
        if let Some((_, true)) = self.pending_name.take() {
            self.report.skipped += 1;
        }
    }

    /// Ends the input and returns what was found.
    pub fn finish(mut self) -> BenchReport {
        let leftovers: Vec<String> = std::mem::take(&mut self.json_partial)
            .into_values()
            .collect();
        for l in leftovers {
            self.feed_text(&l, None);
        }
        self.drop_pending();
        self.report
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
    if let Some(i) = name.rfind('-') {
        if let Ok(p) = name[i + 1..].parse::<u32>() {
            if i > 0 {
                return (&name[..i], Some(p));
            }
        }
    }
    (name, None)
}

fn parse_result(full: &str, rest: &[&str]) -> Option<BenchResult> {
    let (name, procs) = strip_procs(full);
    // Go requires the character after "Benchmark" not to be lower case.
    if name.len() > "Benchmark".len()
        && name["Benchmark".len()..].starts_with(|c: char| c.is_lowercase())
    {
        return None;
    }
    let iterations = rest[0].parse::<u64>().ok()?;
    let pairs = &rest[1..];
    if pairs.len() % 2 != 0 {
        return None;
    }
    let mut metrics = Vec::with_capacity(pairs.len() / 2);
    for pair in pairs.chunks(2) {
        let v = pair[0];
        if v.parse::<f64>().is_err() {
            return None;
        }
        metrics.push((pair[1].to_string(), v.to_string()));
    }
    let sums = metrics
        .iter()
        .map(|(_, v)| (v.parse::<f64>().unwrap_or(0.0), 1))
        .collect();
    Some(BenchResult {
        name: name.to_string(),
        procs,
        iterations,
        metrics,
        pkg: None,
        runs: 1,
        sums,
        iteration_sum: iterations,
    })
}

/// The fields of a line split at runs of ASCII whitespace, as
/// `str::split_ascii_whitespace` splits them, but finding the end of a run of
/// padding spaces (benchmark output is mostly padding) eight bytes at a time.
struct AsciiFields<'a> {
    line: &'a str,
    at: usize,
}

impl<'a> AsciiFields<'a> {
    fn new(line: &'a str) -> Self {
        AsciiFields { line, at: 0 }
    }
}

impl<'a> Iterator for AsciiFields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
        let b = self.line.as_bytes();
        let mut i = self.at;
        loop {
            if i + 8 <= b.len() {
                let word = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
                let other = word ^ SPACES;
                // The first byte that is not a space, by its lowest set bit.
                i += (other.trailing_zeros() / 8) as usize;
                if other == 0 {
                    continue;
                }
            }
            if i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
            break;
        }
        if i >= b.len() {
            self.at = b.len();
            return None;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        self.at = i;
        // Both ends sit next to ASCII bytes (or the line's ends): char boundaries.
        Some(&self.line[start..i])
    }
}

/// A config line: `key: value` with a lower-case key and no spaces in the key.
fn config_line(line: &str) -> Option<(&str, &str)> {
    let (k, v) = line.split_once(':')?;
    if k.is_empty()
        || !k.starts_with(|c: char| c.is_ascii_lowercase())
        || k.chars().any(|c| c.is_whitespace() || c.is_uppercase())
    {
        return None;
    }
    if !v.is_empty() && !v.starts_with(' ') {
        return None;
    }
    Some((k, v.trim()))
}

/// The seed row of a `BenchmarkMem/<row>/{0,n}/{h,s}` name.
fn seed_row(name: &str) -> Option<&str> {
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

/// Formats B/op as the seed did: integers bare, else two decimals.
fn seed_num(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(x) => crate::model::fmt_num((x * 100.0).round() / 100.0),
        Err(_) => v.to_string(),
    }
}

impl BenchReport {
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }

    /// The seed's rows, in first-seen order, for results in the seed's naming.
    pub fn seed_rows(&self) -> Vec<SeedRow> {
        let mut rows: Vec<SeedRow> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for r in &self.results {
            let Some(row) = seed_row(&r.name) else {
                continue;
            };
            let idx = *index.entry(row).or_insert_with(|| {
                rows.push(SeedRow {
                    name: row.to_string(),
                    go_type: self.real_types.get(row).cloned().unwrap_or_default(),
                    ..SeedRow::default()
                });
                rows.len() - 1
            });
            let bytes = r.metric("B/op").map(|v| seed_num(&v)).unwrap_or_default();
            let s = &mut rows[idx];
            let tail = &r.name[r.name.len() - 3..];
            match tail {
                "0/s" => s.zero_copy = bytes,
                "0/h" => s.zero_iface = bytes,
                "n/s" => s.nonzero_copy = bytes,
                _ => s.nonzero_iface = bytes,
            }
        }
        rows
    }

    /// Writes the seed's table for seed-named results, then a generic table for the rest.
    pub fn write_markdown(&self, out: &mut dyn Write) -> Result<()> {
        let seed_rows = self.seed_rows();
        if !seed_rows.is_empty() {
            seed::write_table(&seed_rows, out)?;
        }
        let others: Vec<&BenchResult> = self
            .results
            .iter()
            .filter(|r| seed_row(&r.name).is_none())
            .collect();
        if others.is_empty() {
            return Ok(());
        }
        if !seed_rows.is_empty() {
            writeln!(out)?;
        }
        self.write_generic(&others, out)
    }

    fn write_generic(&self, rows: &[&BenchResult], out: &mut dyn Write) -> Result<()> {
        use crate::report::markdown_cell as cell;
        let standard = ["ns/op", "B/op", "allocs/op"];
        // Custom units get a column each, up to MAX_UNIT_COLUMNS in first-seen
        // order; rarer ones share one "other metrics" column, so a unit per
        // benchmark cannot multiply the table's width.
        let mut custom: Vec<&str> = Vec::new();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut overflow = false;
        for r in rows {
            for (u, _) in &r.metrics {
                if standard.contains(&u.as_str()) || seen.contains(u.as_str()) {
                    continue;
                }
                if custom.len() < MAX_UNIT_COLUMNS {
                    seen.insert(u);
                    custom.push(u);
                } else {
                    overflow = true;
                }
            }
        }
        let pkgs: Vec<&str> = {
            let mut p: Vec<&str> = rows.iter().filter_map(|r| r.pkg.as_deref()).collect();
            p.dedup();
            p
        };
        let show_pkg = pkgs.len() > 1;
        let show_procs = rows.iter().any(|r| r.procs.is_some());
        let config: Vec<String> = self
            .config
            .iter()
            .filter(|(k, _)| !show_pkg || k != "pkg")
            .map(|(k, v)| format!("{k}: `{}`", cell(v)))
            .collect();
        if !config.is_empty() {
            writeln!(out, "{}\n", config.join(" · "))?;
        }
        let mut header = Vec::new();
        if show_pkg {
            header.push("Package");
        }
        header.push("Benchmark");
        if show_procs {
            header.push("Procs");
        }
        let show_runs = rows.iter().any(|r| r.runs > 1);
        if show_runs {
            header.push("Runs");
        }
        header.extend(["Iterations", "ns/op", "B/op", "allocs/op"]);
        let mut header: Vec<String> = header.into_iter().map(String::from).collect();
        header.extend(custom.iter().map(|u| cell(u)));
        if overflow {
            header.push("Other metrics".into());
        }
        writeln!(out, "| {} |", header.join(" | "))?;
        let align: Vec<&str> = header
            .iter()
            .map(|h| {
                if matches!(h.as_str(), "Package" | "Benchmark") {
                    ":--"
                } else {
                    "--:"
                }
            })
            .collect();
        writeln!(out, "|{}|", align.join("|"))?;
        for r in rows {
            let mut line = Vec::new();
            if show_pkg {
                line.push(cell(r.pkg.as_deref().unwrap_or("")));
            }
            line.push(cell(&r.name));
            if show_procs {
                line.push(r.procs.map(|p| p.to_string()).unwrap_or_default());
            }
            if show_runs {
                line.push(r.runs.to_string());
            }
            line.push(r.iterations.to_string());
            for u in standard.iter().chain(custom.iter()) {
                line.push(cell(&r.metric(u).unwrap_or_default()));
            }
            if overflow {
                let other: Vec<String> = r
                    .metrics
                    .iter()
                    .filter(|(u, _)| !standard.contains(&u.as_str()) && !seen.contains(u.as_str()))
                    .map(|(u, v)| format!("{v} {u}"))
                    .collect();
                line.push(cell(&other.join(", ")));
            }
            writeln!(out, "| {} |", line.join(" | "))?;
        }
        Ok(())
    }
}

/// Custom units shown as columns of their own; the rest share one column.
const MAX_UNIT_COLUMNS: usize = 8;

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
            let got: Vec<&str> = AsciiFields::new(line).collect();
            assert_eq!(got, want, "{line:?}");
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
