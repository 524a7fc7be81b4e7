//! Splitting `scan` and `check` across CI jobs: `--shard K/N` takes the
//! packages whose import path hashes to K (a stable split: FNV-1a of the
//! path, the same on every machine), and `--merge A.json B.json ...` joins
//! the shards' JSON reports into exactly the report one unsharded run writes
//! (elements kept byte for byte, ordered as the unsharded run orders them).

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

/// A shard's packages: those it reports on (their import path hashes to
/// it) and their folders. A shard compiles every package of the set, as one
/// run over all of them does: their code can be inlined anywhere, and the
/// same packages compiled with the same flags are the same actions, so every
/// shard's compiles are one run's (cache hits after the first); only the
/// reported packages' evidence is kept. An empty shard is fine (nothing to
/// do in that job).
pub struct Part {
    pub report: Vec<String>,
    /// The reported packages' folders.
    pub report_dirs: Vec<PathBuf>,
}

pub fn packages(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    tags: &[String],
    shard: Shard,
) -> Result<Part> {
    let pkgs = list(tc, dir, patterns, tags)?;
    let report: Vec<String> = pkgs
        .iter()
        .map(|p| p.import_path.clone())
        .filter(|p| shard.holds(p))
        .collect();
    Ok(part(&pkgs, report))
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

/// The part of `pkgs` that reports exactly `report`.
pub fn part(pkgs: &[golist::Package], report: Vec<String>) -> Part {
    let report_dirs = pkgs
        .iter()
        .filter(|p| report.contains(&p.import_path))
        .map(|p| p.dir.clone())
        .collect();
    Part {
        report,
        report_dirs,
    }
}

/// The JSON arrays of `files`, joined and ordered by `key` (a stable sort:
/// elements with equal keys stay in file order), written as the reports
/// were (serde_json's pretty form); whether `any` holds for an element.
pub fn merge<K: Ord>(
    files: &[PathBuf],
    what: &str,
    key: impl Fn(&serde_json::Value) -> K,
    any: impl Fn(&serde_json::Value) -> bool,
    out: &mut dyn std::io::Write,
) -> Result<bool> {
    let mut found = false;
    let mut all: Vec<(K, Box<RawValue>)> = Vec::new();
    for f in files {
        let bad = |e: String| {
            UsageError::new(format!(
                "--merge {}: {e}; give the JSON reports of `{what} --shard K/N --format json`",
                f.display()
            ))
        };
        let file = std::fs::File::open(f).map_err(|e| bad(e.to_string()))?;
        let limit = crate::scan::baseline::MAX_BASELINE;
        let text = crate::parse::lines::read_capped(file, limit)
            .map_err(|e| bad(e.to_string()))?
            .ok_or_else(|| bad(format!("larger than {} MiB, the limit", limit >> 20)))?;
        let items: Vec<Box<RawValue>> = serde_json::from_slice(&text).map_err(|e| {
            bad(format!(
                "not a JSON array of one Go version's results ({e})"
            ))
        })?;
        for raw in items {
            let v: serde_json::Value = serde_json::from_str(raw.get())?;
            found |= any(&v);
            all.push((key(&v), raw));
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    if all.is_empty() {
        writeln!(out, "[]")?;
        return Ok(found);
    }
    writeln!(out, "[")?;
    for (i, (_, raw)) in all.iter().enumerate() {
        let sep = if i + 1 < all.len() { "," } else { "" };
        writeln!(out, "  {}{sep}", raw.get())?;
    }
    writeln!(out, "]")?;
    Ok(found)
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
