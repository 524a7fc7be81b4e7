//! `scan --profile FILE`: the bytes a real memory profile saw, joined to the
//! conversion sites. Reads pprof's format (gzipped protobuf, as written by
//! `go test -memprofile` and `/debug/pprof/allocs`) with prost, declaring the
//! fields this join needs with the field numbers of the published
//! `profile.proto` (github.com/google/pprof/proto/profile.proto).
//!
//! Each sample's allocated bytes and objects go to the first frame outside
//! the runtime when the frame below it is a `runtime.convT*` call: the
//! conversion that allocated. Inlined frames count at their own file and line.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Result;
use prost::Message;
use serde::Serialize;

use super::{Site, Verdict};
use crate::error::UsageError;

#[derive(Clone, PartialEq, Message)]
struct Profile {
    #[prost(message, repeated, tag = "1")]
    sample_type: Vec<ValueType>,
    #[prost(message, repeated, tag = "2")]
    sample: Vec<Sample>,
    #[prost(message, repeated, tag = "4")]
    location: Vec<Location>,
    #[prost(message, repeated, tag = "5")]
    function: Vec<Function>,
    #[prost(string, repeated, tag = "6")]
    string_table: Vec<String>,
}

#[derive(Clone, PartialEq, Message)]
struct ValueType {
    #[prost(int64, tag = "1")]
    r#type: i64,
    #[prost(int64, tag = "2")]
    unit: i64,
}

#[derive(Clone, PartialEq, Message)]
struct Sample {
    #[prost(uint64, repeated, tag = "1")]
    location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    value: Vec<i64>,
}

#[derive(Clone, PartialEq, Message)]
struct Location {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(message, repeated, tag = "4")]
    line: Vec<Line>,
}

#[derive(Clone, PartialEq, Message)]
struct Line {
    #[prost(uint64, tag = "1")]
    function_id: u64,
    #[prost(int64, tag = "2")]
    line: i64,
}

#[derive(Clone, PartialEq, Message)]
struct Function {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(int64, tag = "2")]
    name: i64,
    #[prost(int64, tag = "4")]
    filename: i64,
}

/// Allocations a profile attributes to a conversion at a file and line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Attributed {
    pub file: String,
    pub line: u32,
    /// The runtime routine the allocation went through, where the profile
    /// keeps that frame (Go's heap profiles usually leave it out).
    pub routine: String,
    pub bytes: u64,
    pub allocs: u64,
}

/// Reads a profile and sums the allocations of conversions per (file, line).
pub fn read(path: &Path) -> Result<Vec<Attributed>> {
    let bad = |why: String| {
        UsageError::new(format!(
            "--profile {}: {why}; give a memory profile from `go test -memprofile FILE` or /debug/pprof/allocs",
            path.display()
        ))
    };
    let raw = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let data = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .take(1 << 30)
            .read_to_end(&mut out)
            .map_err(|e| bad(format!("not gzip data ({e})")))?;
        out
    } else {
        raw
    };
    let p = Profile::decode(&data[..]).map_err(|e| bad(format!("not a pprof profile ({e})")))?;
    let text = |i: i64| {
        p.string_table
            .get(i as usize)
            .map(String::as_str)
            .unwrap_or("")
    };
    let index = |want: &str| p.sample_type.iter().position(|t| text(t.r#type) == want);
    let (Some(space), Some(objects)) = (index("alloc_space"), index("alloc_objects")) else {
        return Err(bad(
            "it has no alloc_space and alloc_objects samples: not a memory profile".into(),
        )
        .into());
    };
    let functions: BTreeMap<u64, (&str, &str)> = p
        .function
        .iter()
        .map(|f| (f.id, (text(f.name), text(f.filename))))
        .collect();
    let locations: BTreeMap<u64, &Location> = p.location.iter().map(|l| (l.id, l)).collect();
    let mut sums: BTreeMap<(String, u32, String), (u64, u64)> = BTreeMap::new();
    for s in &p.sample {
        // Frames leaf first; a location's lines are innermost first. Go's
        // heap profiles start at the allocation's caller (mallocgc and the
        // convT* routines are left out); where a runtime frame does show,
        // it is passed over and a convT* one is kept as the routine.
        let frames = s
            .location_id
            .iter()
            .filter_map(|id| locations.get(id))
            .flat_map(|l| l.line.iter())
            .filter_map(|ln| functions.get(&ln.function_id).map(|f| (f.0, f.1, ln.line)));
        let mut conv = "";
        for (name, file, line) in frames {
            if name.starts_with("runtime.") || name.starts_with("internal/runtime") {
                if name.starts_with("runtime.convT") {
                    conv = name;
                }
                continue;
            }
            let e = sums
                .entry((file.to_string(), line.max(0) as u32, conv.to_string()))
                .or_default();
            e.0 += s.value.get(space).copied().unwrap_or(0).max(0) as u64;
            e.1 += s.value.get(objects).copied().unwrap_or(0).max(0) as u64;
            break;
        }
    }
    Ok(sums
        .into_iter()
        .map(|((file, line, routine), (bytes, allocs))| Attributed {
            file,
            line,
            routine,
            bytes,
            allocs,
        })
        .collect())
}

/// Adds each attributed allocation to the allocating conversion site at its
/// file and line (the first such site where a line holds several). Returns
/// the allocations at lines whose conversions scan says never allocate: a
/// conversion the scan does not know, or another allocation on that line.
pub fn join(sites: &mut [Site], attributed: Vec<Attributed>) -> Vec<Attributed> {
    let mut unexplained = Vec::new();
    for a in attributed {
        let file = PathBuf::from(&a.file);
        let here =
            |s: &Site| s.line == a.line && (s.abs_file == file || s.abs_file.ends_with(&file));
        let allocating = sites
            .iter()
            .position(|s| here(s) && matches!(s.verdict, Verdict::Conditional | Verdict::Always));
        match allocating {
            Some(i) => {
                sites[i].profile_bytes += a.bytes;
                sites[i].profile_allocs += a.allocs;
            }
            None if sites.iter().any(here) => unexplained.push(a),
            None => {}
        }
    }
    unexplained
}
