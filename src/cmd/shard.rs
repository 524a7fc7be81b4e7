//! Splitting `scan` and `check` across CI jobs: `--shard K/N` takes the
//! packages whose import path hashes to K (a stable split: FNV-1a of the
//! path, the same on every machine), and `--merge A.json B.json ...` joins
//! the shards' JSON reports into exactly the report one unsharded run writes
//! (elements kept byte for byte, ordered as the unsharded run orders them).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::value::RawValue;

use crate::cli::error::UsageError;
use crate::go::list as golist;
use crate::go::toolchain::Toolchain;

/// One job's part: the K-th of N (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("{s:?} is not K/N; give e.g. 1/4 (the first of four jobs)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u32, u32) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
        if n == 0 || k == 0 || k > n {
            return Err(format!("{s:?}: K must be 1 to N; give e.g. 1/{}", n.max(1)));
        }
        Ok(Shard { k, n })
    }
}

/// FNV-1a, 64-bit: a split that does not depend on the machine or the
/// order packages are listed in.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Shard {
    pub fn holds(&self, import_path: &str) -> bool {
        fnv1a(import_path) % u64::from(self.n) == u64::from(self.k - 1)
    }
}

/// A shard's packages, those it reports on (their import path hashes to it),
/// with their folders. A shard compiles every package of the set, as one run
/// over all of them does: their code can be inlined anywhere, and the same
/// packages compiled with the same flags are the same actions, so every
/// shard's compiles are one run's (cache hits after the first); only the
/// reported packages' evidence is kept. An empty shard is fine (nothing to do
/// in that job).
pub fn packages(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    tags: &[String],
    shard: Shard,
) -> Result<Vec<(String, PathBuf)>> {
    Ok(list(tc, dir, patterns, tags)?
        .into_iter()
        .filter(|p| shard.holds(&p.import_path))
        .map(|p| (p.import_path, p.dir))
        .collect())
}

/// The packages `patterns` name, as `go list` gives them.
pub fn list(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    tags: &[String],
) -> Result<Vec<golist::Package>> {
    let tags = (!tags.is_empty()).then(|| format!("-tags={}", tags.join(",")));
    let flags: Vec<&str> = tags.iter().map(String::as_str).collect();
    golist::list(tc, dir, &flags, patterns)
}

/// The largest element of a report `--merge` reads (one site or outcome; a
/// report's size is not limited: it is read an element at a time).
pub const MAX_MERGED_ELEMENT: u64 = 16 << 20;

/// The JSON arrays of `files`, joined and ordered by `key` as a stable sort
/// of their concatenation would order them (elements with equal keys stay in
/// file order), written as the reports were (serde_json's pretty form);
/// whether `any` holds for an element. Each report is read an element at a
/// time into a run on disk (sorted there if it was not already), and the
/// runs are merged as the output is written: memory holds one element per
/// report.
pub fn merge<K: Ord>(
    files: &[PathBuf],
    what: &str,
    key: impl Fn(&serde_json::Value) -> K,
    any: impl Fn(&serde_json::Value) -> bool,
    out: &mut dyn std::io::Write,
) -> Result<bool> {
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-merge-")?;
    let mut found = false;
    let mut runs = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let run = tmp.path().join(format!("{i}.run"));
        found |= spill_run(f, &run, what, &key, &any)?;
        runs.push(run);
    }
    let mut readers = Vec::new();
    let mut heads: Vec<Option<(K, String)>> = Vec::new();
    for r in &runs {
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(std::fs::File::open(r)?));
        heads.push(next_element(&mut lines, &key)?);
        readers.push(lines);
    }
    let mut first = true;
    loop {
        let next = heads
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.as_ref().map(|(k, _)| (k, i)))
            .min()
            .map(|(_, i)| i);
        let Some(i) = next else { break };
        let (_, raw) = heads[i].take().expect("a head");
        write!(out, "{}  {raw}", if first { "[\n" } else { ",\n" })?;
        first = false;
        heads[i] = next_element(&mut readers[i], &key)?;
    }
    writeln!(out, "{}", if first { "[]" } else { "\n]" })?;
    Ok(found)
}

type RunLines = std::io::Lines<std::io::BufReader<std::fs::File>>;

/// A run's next element: its key and its text.
fn next_element<K>(
    lines: &mut RunLines,
    key: &impl Fn(&serde_json::Value) -> K,
) -> Result<Option<(K, String)>> {
    let Some(line) = lines.next() else {
        return Ok(None);
    };
    let raw: String = serde_json::from_str(&line?)?;
    let v: serde_json::Value = serde_json::from_str(&raw)?;
    Ok(Some((key(&v), raw)))
}

/// Reads the JSON array in `report` an element at a time into `run`, one
/// element's text (as a JSON string) per line, in key order (a stable sort
/// when the report was not in it); whether `any` holds for an element.
fn spill_run<K: Ord>(
    report: &Path,
    run: &Path,
    what: &str,
    key: &impl Fn(&serde_json::Value) -> K,
    any: &impl Fn(&serde_json::Value) -> bool,
) -> Result<bool> {
    use serde::de::Deserializer as _;
    let bad = |e: String| {
        UsageError::new(format!(
            "--merge {}: {e}; give the JSON reports of `{what} --shard K/N --format json`",
            report.display()
        ))
    };
    let file = std::fs::File::open(report).map_err(|e| bad(e.to_string()))?;
    let read_since_element = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let counting = CountingReader {
        inner: std::io::BufReader::new(file),
        count: read_since_element.clone(),
        limit: MAX_MERGED_ELEMENT,
    };
    let mut w = std::io::BufWriter::new(std::fs::File::create(run)?);
    let mut found = false;
    let mut sorted = true;
    let mut last: Option<K> = None;
    let mut write_err: Option<std::io::Error> = None;
    let mut de = serde_json::Deserializer::from_reader(counting);
    let parsed = de
        .deserialize_seq(Elements(|raw: Box<RawValue>| {
            read_since_element.set(0);
            let v: serde_json::Value =
                serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
            found |= any(&v);
            let k = key(&v);
            if last.as_ref().is_some_and(|l| *l > k) {
                sorted = false;
            }
            last = Some(k);
            let line = serde_json::to_string(raw.get()).map_err(|e| e.to_string())?;
            if let Err(e) = writeln!(w, "{line}") {
                write_err = Some(e);
                return Err("writing a temporary file".to_string());
            }
            Ok(())
        }))
        .and_then(|()| de.end());
    if let Some(e) = write_err {
        return Err(e.into());
    }
    parsed.map_err(|e| {
        if e.is_io() {
            bad(e.to_string())
        } else {
            bad(format!(
                "not a JSON array of one Go version's results ({e})"
            ))
        }
    })?;
    std::io::Write::flush(&mut w)?;
    drop(w);
    if !sorted {
        // Not in key order (not written by a shard): sorted here, as the
        // whole report was read before.
        let text = std::fs::read_to_string(run)?;
        let mut lines: Vec<(K, &str)> = Vec::new();
        for line in text.lines() {
            let raw: String = serde_json::from_str(line)?;
            lines.push((key(&serde_json::from_str(&raw)?), line));
        }
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        let mut w = std::io::BufWriter::new(std::fs::File::create(run)?);
        for (_, line) in lines {
            writeln!(w, "{line}")?;
        }
        std::io::Write::flush(&mut w)?;
    }
    Ok(found)
}

/// Visits a JSON array, handing each element's text to the closure.
struct Elements<F>(F);

impl<'de, F: FnMut(Box<RawValue>) -> std::result::Result<(), String>> serde::de::Visitor<'de>
    for Elements<F>
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        mut self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            (self.0)(raw).map_err(serde::de::Error::custom)?;
        }
        Ok(())
    }
}

/// Fails a read once more than `limit` bytes came since `count` was last
/// reset (at each element): no element of a report is read whole past it.
struct CountingReader<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
    limit: u64,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.count.get() + n as u64;
        self.count.set(total);
        if total > self.limit {
            return Err(std::io::Error::other(format!(
                "an element larger than {} MiB, the limit",
                self.limit >> 20
            )));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_every_package_once() {
        let s: Shard = "2/3".parse().unwrap();
        assert_eq!((s.k, s.n), (2, 3));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        let paths = ["net/http", "fmt", "example.com/a/b", "os", "io"];
        for p in paths {
            let holders = (1..=3).filter(|k| Shard { k: *k, n: 3 }.holds(p)).count();
            assert_eq!(holders, 1, "{p}");
        }
    }
}
