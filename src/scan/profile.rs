//! `scan --profile FILE`: the bytes a real memory profile saw, joined to the
//! conversion sites. Reads pprof's format (gzipped protobuf, as written by
//! `go test -memprofile` and `/debug/pprof/allocs`) with prost, declaring the
//! fields this join needs with the field numbers of the published
//! `profile.proto` (github.com/google/pprof/proto/profile.proto).
//!
//! A sample is joined to a conversion by the call that allocated: the first
//! frame outside the runtime has the address of a CALL instruction in the
//! binary that wrote the profile (named in the profile's mapping, as pprof
//! finds it, or given with --profile-binary), and `go tool objdump` says
//! which runtime function that CALL calls. Only a `runtime.convT*` call is a
//! conversion's allocation; other allocations on the same line (a variadic
//! call's `[]any`, a closure) are not. Without the binary, allocations are
//! joined by line, and a line's every allocation counts for its conversion.
//! Inlined frames count at their own file and line.
//!
//! The runtime's own limit: pointer-free objects under 16 bytes share a
//! 16-byte tiny block, and the profile records the block, not each object,
//! even at -memprofilerate 1 (two 8-byte convT64 values: one 16-byte sample).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use prost::Message;
use serde::Serialize;

use super::{Site, Verdict};
use crate::cli::error::UsageError;
use crate::go::toolchain::Toolchain;

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
    #[prost(message, repeated, tag = "3")]
    mapping: Vec<Mapping>,
    #[prost(string, repeated, tag = "6")]
    string_table: Vec<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Mapping {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(int64, tag = "5")]
    filename: i64,
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
    #[prost(uint64, tag = "2")]
    mapping_id: u64,
    #[prost(uint64, tag = "3")]
    address: u64,
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

/// Allocations a profile attributes to a file and line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Attributed {
    pub file: String,
    pub line: u32,
    /// The runtime function the allocating call calls (`runtime.convT64`,
    /// `runtime.newobject`), from the profile's own frame or the binary's
    /// CALL at the sample's address; empty when neither says.
    pub routine: String,
    pub bytes: u64,
    pub allocs: u64,
    /// The binary (from the profile's mapping) and the address of the
    /// sample's first frame outside the runtime.
    #[serde(skip)]
    binary: String,
    #[serde(skip)]
    address: u64,
}

impl Attributed {
    /// Whether the allocation is known to come from a conversion, not from
    /// something else on its line.
    pub fn is_conversion(&self) -> bool {
        self.routine.starts_with("runtime.convT")
    }
}

/// The largest profile read, compressed or not (a heap profile of a large
/// service is a few MiB).
pub const MAX_PROFILE: u64 = 256 << 20;

/// Where a sample's allocation is summed: (file, line, routine, binary,
/// address), as in [`Attributed`].
type SampleKey = (String, u32, String, String, u64);

/// Reads a profile and sums its allocations per first frame outside the
/// runtime: its file, line, function and address.
pub fn read(path: &Path) -> Result<Vec<Attributed>> {
    let bad = |why: String| {
        UsageError::new(format!(
            "--profile {}: {why}; give a memory profile from `go test -memprofile FILE` or /debug/pprof/allocs",
            path.display()
        ))
    };
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    let raw = crate::parse::lines::read_capped(file, MAX_PROFILE)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad(format!("larger than {} MiB, the limit", MAX_PROFILE >> 20)))?;
    let data = if raw.starts_with(&[0x1f, 0x8b]) {
        crate::parse::lines::read_capped(flate2::read::GzDecoder::new(&raw[..]), MAX_PROFILE)
            .map_err(|e| bad(format!("not gzip data ({e})")))?
            .ok_or_else(|| {
                bad(format!(
                    "it decompresses to more than {} MiB, the limit",
                    MAX_PROFILE >> 20
                ))
            })?
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
    let binaries: BTreeMap<u64, &str> =
        p.mapping.iter().map(|m| (m.id, text(m.filename))).collect();
    let mut sums: BTreeMap<SampleKey, (u64, u64)> = BTreeMap::new();
    for s in &p.sample {
        // Frames leaf first; a location's lines are innermost first. Go's
        // heap profiles start at the allocation's caller (mallocgc and the
        // convT* routines are left out); where a runtime frame does show,
        // it is passed over and a convT* one is kept as the routine.
        let frames = s
            .location_id
            .iter()
            .filter_map(|id| locations.get(id))
            .flat_map(|l| l.line.iter().map(move |ln| (l, ln)))
            .filter_map(|(l, ln)| {
                functions
                    .get(&ln.function_id)
                    .map(|f| (f.0, f.1, ln.line, l))
            });
        let mut conv = "";
        for (name, file, line, loc) in frames {
            if name.starts_with("runtime.") || name.starts_with("internal/runtime") {
                if name.starts_with("runtime.convT") {
                    conv = name;
                }
                continue;
            }
            let binary = binaries.get(&loc.mapping_id).copied().unwrap_or("");
            let e = sums
                .entry((
                    file.to_string(),
                    line.max(0) as u32,
                    conv.to_string(),
                    binary.to_string(),
                    loc.address,
                ))
                .or_default();
            // Saturating: a crafted profile's values must not wrap.
            e.0 =
                e.0.saturating_add(s.value.get(space).copied().unwrap_or(0).max(0) as u64);
            e.1 =
                e.1.saturating_add(s.value.get(objects).copied().unwrap_or(0).max(0) as u64);
            break;
        }
    }
    Ok(sums
        .into_iter()
        .map(
            |((file, line, routine, binary, address), (bytes, allocs))| Attributed {
                file,
                line,
                routine,
                bytes,
                allocs,
                binary,
                address,
            },
        )
        .collect())
}

/// What the binary that wrote the profile says: fills in each sample's
/// routine from the CALL at its address. `explicit` is --profile-binary;
/// else the binary named in the profile's mapping, or a file of its name
/// beside the profile or in `dir` (`go test -memprofile` leaves `pkg.test`
/// in the package's folder). Returns the binary read, or why none was.
pub fn resolve_calls(
    tc: &Toolchain,
    dir: &Path,
    profile: &Path,
    explicit: Option<&Path>,
    attributed: &mut [Attributed],
) -> Result<PathBuf, String> {
    let named = attributed
        .iter()
        .find(|a| !a.binary.is_empty())
        .map(|a| PathBuf::from(&a.binary));
    let candidates: Vec<PathBuf> = match (explicit, &named) {
        (Some(e), _) => vec![e.to_path_buf()],
        (None, Some(n)) => {
            let base = n.file_name().map(PathBuf::from).unwrap_or_default();
            vec![
                n.clone(),
                profile.parent().unwrap_or(Path::new(".")).join(&base),
                dir.join(&base),
            ]
        }
        (None, None) => Vec::new(),
    };
    let Some(binary) = candidates.into_iter().find(|c| c.is_file()) else {
        return Err(match named {
            Some(n) => format!("the binary that wrote it ({}) is not there", n.display()),
            None => "it names no binary".into(),
        });
    };
    // The functions holding the samples' addresses, by the binary's symbol
    // table: a profile's frame names the inlined function, and Go's
    // tracebacks leave out wrappers (`(*T).M` calling an inlined `T.M`).
    let nm = tc
        .run(dir, &["tool", "nm", "-n", &binary.to_string_lossy()])
        .map_err(|e| format!("go tool nm {}: {e}", binary.display()))?;
    let symbols = text_symbols(&crate::parse::lines::text(&nm.stdout));
    let mut funcs: Vec<&str> = attributed
        .iter()
        .filter(|a| a.routine.is_empty() && a.address != 0)
        .filter_map(|a| {
            symbols
                .range(..=a.address)
                .next_back()
                .map(|(_, f)| f.as_str())
        })
        .collect();
    funcs.sort_unstable();
    funcs.dedup();
    if funcs.is_empty() {
        return Ok(binary);
    }
    let pattern = format!(
        "^({})$",
        funcs
            .iter()
            .map(|f| regex::escape(f))
            .collect::<Vec<_>>()
            .join("|")
    );
    let out = tc
        .run(
            dir,
            &["tool", "objdump", "-s", &pattern, &binary.to_string_lossy()],
        )
        .map_err(|e| format!("go tool objdump {}: {e}", binary.display()))?;
    let calls = calls(&crate::parse::lines::text(&out.stdout));
    for a in attributed.iter_mut().filter(|a| a.routine.is_empty()) {
        // The address is the return address or one less: inside the CALL.
        let at = calls.range(..=a.address).next_back();
        if let Some((start, (len, callee))) = at {
            if a.address < start + len {
                a.routine = callee.clone();
            }
        }
    }
    Ok(binary)
}

/// Text symbols in `go tool nm -n` output: address → name.
fn text_symbols(listing: &str) -> BTreeMap<u64, String> {
    listing
        .lines()
        .filter_map(|l| {
            // "  5c6380 T github.com/google/uuid.(*NullUUID).MarshalJSON"
            let mut cols = l.trim_start().splitn(3, ' ');
            let addr = u64::from_str_radix(cols.next()?, 16).ok()?;
            let kind = cols.next()?;
            let name = cols.next()?;
            matches!(kind, "T" | "t").then(|| (addr, name.to_string()))
        })
        .collect()
}

/// Every CALL in `go tool objdump` output: start address → (length, callee).
fn calls(listing: &str) -> BTreeMap<u64, (u64, String)> {
    let mut out = BTreeMap::new();
    for line in listing.lines() {
        // "  file.go:13\t\t0x52e5a5\t\te83638f5ff\t\tCALL runtime.convT64(SB)\t"
        let cols: Vec<&str> = line
            .split('\t')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if cols.len() < 4 {
            continue;
        }
        let Some(callee) = cols[3].strip_prefix("CALL ") else {
            continue;
        };
        let (Some(addr), len) = (
            cols[1]
                .strip_prefix("0x")
                .and_then(|h| u64::from_str_radix(h, 16).ok()),
            cols[2].len() as u64 / 2,
        ) else {
            continue;
        };
        out.insert(
            addr,
            (len.max(1), callee.trim_end_matches("(SB)").to_string()),
        );
    }
    out
}

/// What joining a profile to the sites found.
#[derive(Debug, Default)]
pub struct Joined {
    /// Conversions' allocations at lines where scan's conversions never
    /// allocate (a conversion scan does not know).
    pub unexplained: Vec<Attributed>,
    /// Allocations by other calls on lines that hold a conversion (bytes,
    /// allocations).
    pub other_calls: (u64, u64),
    /// Whether any sample fell on a line scan found a conversion on.
    pub matched_any: bool,
    /// Conversions' allocations (by the binary's CALL) in a scanned file at
    /// a line where scan found no conversion: a site scan missed.
    pub missed: Vec<Attributed>,
}

/// Adds each conversion's allocations to its site: the allocating site at
/// its file and line whose routine is the one called (else the first
/// allocating site there). `by_call`: the routines were read from the
/// binary, so allocations by other calls are left out; else every
/// allocation on a line counts for its conversion.
pub fn join(sites: &mut [Site], attributed: Vec<Attributed>, by_call: bool) -> Joined {
    let mut joined = Joined::default();
    for a in attributed {
        let file = PathBuf::from(&a.file);
        let here =
            |s: &Site| s.line == a.line && (s.abs_file == file || s.abs_file.ends_with(&file));
        if !sites.iter().any(here) {
            let scanned_file = sites
                .iter()
                .any(|s| s.abs_file == file || s.abs_file.ends_with(&file));
            if by_call && a.is_conversion() && scanned_file {
                joined.missed.push(a);
            }
            continue;
        }
        joined.matched_any = true;
        if by_call && !a.is_conversion() {
            joined.other_calls.0 = joined.other_calls.0.saturating_add(a.bytes);
            joined.other_calls.1 = joined.other_calls.1.saturating_add(a.allocs);
            continue;
        }
        let allocating =
            |s: &Site| here(s) && matches!(s.verdict, Verdict::Conditional | Verdict::Always);
        let same_routine = sites.iter().position(|s| {
            allocating(s)
                && s.routine
                    .runtime_func()
                    .is_some_and(|f| a.routine.ends_with(f))
        });
        match same_routine.or_else(|| sites.iter().position(allocating)) {
            Some(i) => {
                sites[i].profile_bytes = sites[i].profile_bytes.saturating_add(a.bytes);
                sites[i].profile_allocs = sites[i].profile_allocs.saturating_add(a.allocs);
            }
            None => joined.unexplained.push(a),
        }
    }
    joined
}
