//! A streaming parser for the compiler's `-S` listing (`go build -gcflags=-S`,
//! `go tool compile -S`), Go 1.18 style and current, on any GOARCH.
//!
//! It reads one function at a time and hands each to a callback with, per
//! source line, the evidence of a conversion routine found there: a call of a
//! `runtime.convT*` function, a reference to `runtime.zerobase`,
//! `runtime.staticuint64s` or `runtime.zeroVal`, read-only static data
//! (`..stmp_N`), or the address of a stack temporary (`..autotmp_N`).
//! Memory is bounded by the largest function; time is linear in the input.
//!
//! Spellings it accepts: `main.f` and `"".f` symbols, `type:int` and
//! `type.int`, absolute and relative file names, `CALL`/`BL`/`JAL` calls,
//! x86 `LEAQ`/`LEAL` and RISC `MOVD $sym` address loads.

use std::collections::BTreeMap;
use std::io::BufRead;

use anyhow::{Context, Result};
use memchr::memmem;

use super::chunks;
use super::diag::{self, Diag};
use super::lines::CappedLines;
use crate::model::routine::Routine;

/// One instruction of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instr {
    pub file: String,
    pub line: u32,
    pub op: String,
    pub args: String,
}

/// Where a routine was seen: the routine and the instruction that shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub routine: Routine,
    /// Mnemonic, e.g. `CALL`, `LEAQ`, `MOVD`.
    pub op: String,
    /// The whole instruction text, e.g. `CALL runtime.convT64(SB)`.
    pub text: String,
}

/// What one source line of a function compiled to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineFacts {
    pub evidence: Vec<Evidence>,
    /// Package-level symbols the line reads or writes (`_int64`, `n4`), without package.
    pub globals: Vec<String>,
    /// (mnemonic, global) of each instruction touching a package global.
    pub global_ops: Vec<(String, String)>,
}

/// One function of a listing.
#[derive(Debug, Clone, Default)]
pub struct Function {
    /// The symbol as printed (`main.c12`, `"".c12`, `pkg.(*T).M`).
    pub name: String,
    /// (file, line) → facts, in source order.
    pub lines: BTreeMap<(String, u32), LineFacts>,
    /// What the facts lose: the instruction order of global references and
    /// evidence. The compiler may attribute a global's load to the global's
    /// declaration line, before the conversion that uses it.
    pub sequence: Vec<Step>,
    /// (file, line) of every instruction, consecutive repeats dropped.
    /// The file names are shared: a function's lines name a handful of files.
    pub code_lines: Vec<(std::sync::Arc<str>, u32)>,
}

/// One instruction that references a package global or shows a routine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub line: u32,
    /// The global referenced, or `None` for an instruction that is evidence.
    pub global: Option<String>,
}

impl Function {
    /// The name without its package qualifier: `c12` for `main.c12` or `"".c12`.
    pub fn local_name(&self) -> &str {
        local_name(&self.name)
    }

    /// The routine shown on lines `from..=to` of `file` (by base name when the
    /// listing has relative paths), by the precedence in [`pick`].
    pub fn evidence_in(&self, file: &str, from: u32, to: u32) -> Vec<&Evidence> {
        self.lines
            .iter()
            .filter(|((f, l), _)| same_file(f, file) && (from..=to).contains(l))
            .flat_map(|(_, facts)| facts.evidence.iter())
            .collect()
    }
}

/// Whether two file names denote the same file: equal, or one is a path suffix of the other.
pub fn same_file(a: &str, b: &str) -> bool {
    let a = a.strip_prefix("./").unwrap_or(a);
    let b = b.strip_prefix("./").unwrap_or(b);
    a == b || a.ends_with(&format!("/{b}")) || b.ends_with(&format!("/{a}"))
}

/// Whether a function's local name is `name`, or an instantiation of the
/// generic function `name` (`F[go.shape.int]`).
fn is_named(local: &str, name: &str) -> bool {
    local == name || without_type_args(local) == name
}

/// A symbol with its instantiations' type arguments left out:
/// `p.(*T[go.shape.int]).M` → `p.(*T).M`, `F[...].func1` → `F.func1`.
pub fn without_type_args(sym: &str) -> std::borrow::Cow<'_, str> {
    if !sym.contains('[') {
        return std::borrow::Cow::Borrowed(sym);
    }
    let mut out = String::with_capacity(sym.len());
    let mut depth = 0usize;
    for c in sym.chars() {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    std::borrow::Cow::Owned(out)
}

pub fn local_name(sym: &str) -> &str {
    let s = sym.strip_prefix("\"\".").unwrap_or(sym);
    // Package paths may contain dots (example.com/x.y); the function follows the last '/'
    // segment's first '.'.
    let seg_start = s.rfind('/').map(|i| i + 1).unwrap_or(0);
    match s[seg_start..].find('.') {
        Some(i) => &s[seg_start + i + 1..],
        None => s,
    }
}

/// The strongest evidence: a runtime call beats a runtime global, which beats
/// read-only data, which beats a stack temporary.
pub fn pick<'a>(ev: &[&'a Evidence]) -> Option<&'a Evidence> {
    fn rank(r: Routine) -> u8 {
        match r {
            r if r.runtime_func().is_some() => 0,
            Routine::Zerobase | Routine::Staticuint64s | Routine::ZeroVal => 1,
            Routine::Readonly => 2,
            Routine::Stack => 3,
            Routine::Direct => 4,
            _ => 5,
        }
    }
    ev.iter().copied().min_by_key(|e| rank(e.routine))
}

/// Counts of what a listing held.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub lines: u64,
    pub functions: u64,
    /// Instruction lines (with [`Detail::Facts`], those naming no symbol are
    /// counted without being read).
    pub instructions: u64,
    /// Lines that looked like instructions but could not be read.
    pub skipped: u64,
    /// Lines longer than `lines::MAX_LINE`, read only in part.
    pub overlong: u64,
    /// The family of the listing's first call relocation (`rel ... t=R_CALL…`),
    /// which names the instruction set where mnemonics do not (arm64,
    /// ppc64 and s390x all print `CALL` and `MOVD`).
    pub call_reloc: Option<CallReloc>,
}

/// Call relocation types by instruction set (cmd/internal/objabi reloctype.go).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallReloc {
    /// `R_CALL`: x86, s390x, wasm.
    Plain,
    /// `R_CALLARM64`.
    Arm64,
    /// Any other (`R_CALLARM`, `R_CALLPOWER`, `R_CALLMIPS`, `R_CALLLOONG64`,
    /// `R_RISCV_…`).
    Other,
}

impl CallReloc {
    /// The family of a relocation line (`rel 5+4 t=R_CALL runtime.f+0`), if
    /// it is a call's.
    fn of(rel: &[u8]) -> Option<CallReloc> {
        let at = memchr::memmem::find(rel, b" t=R_")? + 3;
        let name = rel[at..].split(|&c| c == b' ').next().unwrap_or_default();
        match name {
            b"R_CALL" => Some(CallReloc::Plain),
            b"R_CALLARM64" => Some(CallReloc::Arm64),
            n if n.starts_with(b"R_CALL") || n.starts_with(b"R_RISCV_") => Some(CallReloc::Other),
            _ => None,
        }
    }
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.lines += o.lines;
        self.functions += o.functions;
        self.instructions += o.instructions;
        self.skipped += o.skipped;
        self.overlong += o.overlong;
        // Chunks are added in input order: the first one's is the listing's.
        self.call_reloc = self.call_reloc.or(o.call_reloc);
    }
}

/// How much of each function a reader keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Only functions with a line that shows a routine or touches a package
    /// global, with those lines. Instructions that name no symbol (no `(SB)`,
    /// no `autotmp`) are counted, not read: one that is malformed is not
    /// counted as skipped, as it could not have shown anything.
    Facts,
    /// Every function, with the lines [`Detail::Facts`] keeps.
    Functions,
    /// Every function, with those lines and [`Function::code_lines`]: the
    /// line of every instruction, each instruction read.
    CodeLines,
}

/// Reads a listing, calling `on_function` for each function (each one
/// `detail` keeps) and `on_diag` for each `file:line:col: message`
/// diagnostic (from `-m`) interleaved with it.
pub fn read_listing(
    input: impl BufRead,
    detail: Detail,
    mut on_function: impl FnMut(Function),
    mut on_diag: impl FnMut(Diag),
) -> Result<Stats> {
    let mut stats = Stats::default();
    let mut current: Option<Function> = None;
    // A function ends: handed over unless `detail` leaves it out.
    let mut end_function = |f: Function| {
        if detail != Detail::Facts || !f.lines.is_empty() {
            on_function(f);
        }
    };
    let mut input = CappedLines::new(input);
    let hits = std::cell::RefCell::new(Hits::default());
    input
        .for_each_line(
            |chunk| {
                hits.borrow_mut().find_in(chunk);
                Ok(())
            },
            |buf| -> Result<()> {
                stats.lines += 1;
                let mut end = buf.len();
                while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
                    end -= 1;
                }
                let bytes = &buf[..end];
                if bytes.is_empty() {
                    return Ok(());
                }
                if matches!(bytes[0], b' ' | b'\t') {
                    // Instructions: the hot path, on bytes, allocating only for the
                    // few instructions that can show a routine or a global.
                    let mut s = 0;
                    while s < bytes.len() && matches!(bytes[s], b' ' | b'\t') {
                        s += 1;
                    }
                    let t = &bytes[s..];
                    if !t.starts_with(b"0x") || is_hex_dump(t) {
                        if stats.call_reloc.is_none() && t.starts_with(b"rel ") {
                            stats.call_reloc = CallReloc::of(t);
                        }
                        return Ok(()); // `rel ...` relocations, data bytes
                    }
                    // Most instructions name no symbol: they cannot show a
                    // routine or a global, and unless every instruction's
                    // line is wanted, need not be read.
                    let may_hit = hits.borrow_mut().within(buf);
                    if !may_hit && detail != Detail::CodeLines {
                        stats.instructions += 1;
                        return Ok(());
                    }
                    match fast_instr(t) {
                        Some(Some((file, line, op, args))) => {
                            stats.instructions += 1;
                            if let Some(f) = current.as_mut() {
                                if detail == Detail::CodeLines {
                                    match f.code_lines.last() {
                                        Some((lf, ll)) if lf.as_bytes() == file => {
                                            if *ll != line {
                                                let lf = lf.clone();
                                                f.code_lines.push((lf, line));
                                            }
                                        }
                                        _ => f
                                            .code_lines
                                            .push((super::lines::text(file).into(), line)),
                                    }
                                }
                                if may_hit && may_matter(args) {
                                    record(f, file, line, op, args);
                                }
                            }
                        }
                        Some(None) => {} // a hex dump line
                        None => stats.skipped += 1,
                    }
                    return Ok(());
                }
                // An unindented line: a diagnostic, or a symbol header.
                if diag::may_be(bytes) {
                    if let Some(d) = diag::parse(&super::lines::text(bytes)) {
                        on_diag(d);
                        return Ok(());
                    }
                }
                // A symbol header ends the current function; an STEXT one starts the next.
                if let Some(f) = current.take() {
                    end_function(f);
                }
                // The name runs up to " STEXT": a generic instantiation's
                // shape holds spaces (`F[go.shape.struct { A int }]`).
                if let Some(sp) = memchr::memmem::find(bytes, b" STEXT") {
                    stats.functions += 1;
                    current = Some(Function {
                        name: super::lines::text(&bytes[..sp]).into_owned(),
                        ..Function::default()
                    });
                }
                Ok(())
            },
        )
        .context("reading the assembly listing")?;
    stats.overlong = input.overlong;
    if let Some(f) = current.take() {
        end_function(f);
    }
    Ok(stats)
}

/// Where the reader's current buffer holds `(SB)` or `autotmp`: a line
/// without either cannot show a routine or a global ([`may_matter`]), so its
/// operands need not be looked at.
#[derive(Default)]
struct Hits {
    /// The buffer's address range.
    start: usize,
    end: usize,
    /// Addresses of the hits, ascending, and the first not yet passed.
    at: Vec<usize>,
    next: usize,
}

impl Hits {
    fn find_in(&mut self, buf: &[u8]) {
        let base = buf.as_ptr() as usize;
        self.start = base;
        self.end = base + buf.len();
        self.at.clear();
        self.next = 0;
        let sb = finder(&SB, b"(SB)");
        self.at.extend(sb.find_iter(buf).map(|i| base + i));
        let n = self.at.len();
        let tmp = finder(&AUTOTMP, b"autotmp");
        self.at.extend(tmp.find_iter(buf).map(|i| base + i));
        if n > 0 && n < self.at.len() {
            self.at.sort_unstable();
        }
    }

    /// Whether `line` holds a hit. A line that is not in the buffer (one
    /// carried over from the buffer before) is searched on its own.
    fn within(&mut self, line: &[u8]) -> bool {
        let (from, to) = (line.as_ptr() as usize, line.as_ptr() as usize + line.len());
        if from < self.start || to > self.end {
            return finder(&SB, b"(SB)").find(line).is_some()
                || finder(&AUTOTMP, b"autotmp").find(line).is_some();
        }
        while self.next < self.at.len() && self.at[self.next] < from {
            self.next += 1;
        }
        self.next < self.at.len() && self.at[self.next] < to
    }
}

type Finder = std::sync::OnceLock<memmem::Finder<'static>>;
/// The two strings every instruction that matters holds one of.
static SB: Finder = Finder::new();
static AUTOTMP: Finder = Finder::new();

fn finder(cell: &'static Finder, needle: &'static [u8]) -> &'static memmem::Finder<'static> {
    cell.get_or_init(|| memmem::Finder::new(needle))
}

/// What a chunk of a listing held, in order.
enum Item {
    Function(Function),
    Diag(Diag),
}

/// Whether the line starting at `at` begins a symbol: unindented and not a
/// diagnostic. Such a line ends the function before it, so a listing cut
/// there parses the same on either side.
/// The line must be whole in `buf`: a line cut by the buffer's end cannot be
/// told from a diagnostic (`foo.g` may go on to `foo.go:4:5: ...`).
fn starts_symbol(buf: &[u8], at: usize) -> bool {
    let Some(len) = memchr::memchr(b'\n', &buf[at..]) else {
        return false;
    };
    let line = &buf[at..at + len];
    !line.is_empty() && !matches!(line[0], b' ' | b'\t' | b'\r') && !diag::may_be(line)
}

/// [`read_listing`] on every core: the input is cut into 1 MiB chunks at
/// symbol headers, the chunks are parsed in parallel, and the callbacks
/// see functions and diagnostics in input order, as the sequential reader
/// gives them. Memory stays bounded by the chunks in flight. A function too
/// long to fit a chunk (64 MiB) sends the rest of the input to the sequential
/// reader, so the result is the same for any input.
pub fn read_listing_parallel<R: std::io::Read + Send>(
    input: R,
    detail: Detail,
    on_function: impl FnMut(Function),
    on_diag: impl FnMut(Diag),
) -> Result<Stats> {
    read_listing_chunked(input, listing_plan(), detail, on_function, on_diag)
}

/// 1 MiB chunks on every core.
fn listing_plan() -> chunks::Plan {
    chunks::Plan {
        chunk_size: 1 << 20,
        ..chunks::Plan::for_this_machine()
    }
}

/// [`read_listing_parallel`] cut as `plan` says.
fn read_listing_chunked<R: std::io::Read + Send>(
    input: R,
    plan: chunks::Plan,
    detail: Detail,
    mut on_function: impl FnMut(Function),
    mut on_diag: impl FnMut(Diag),
) -> Result<Stats> {
    let mut stats = Stats::default();
    let rest = chunks::parse_in_chunks(
        input,
        plan,
        "the assembly listing",
        last_symbol_start,
        |chunk| read_chunk(chunk, detail),
        |_, read| {
            hand_over(read, &mut stats, &mut on_function, &mut on_diag);
            Ok(())
        },
    )?;
    if let Some(rest) = rest {
        stats += read_listing(
            std::io::BufReader::with_capacity(1 << 20, rest),
            detail,
            on_function,
            on_diag,
        )?;
    }
    Ok(stats)
}

/// [`read_listing_parallel`] for a mapped listing: the chunks are slices of
/// it, nothing is copied, and each is released once read.
pub fn read_listing_mapped(
    listing: &crate::parse::mapped::Mapped,
    detail: Detail,
    on_function: impl FnMut(Function),
    on_diag: impl FnMut(Diag),
) -> Result<Stats> {
    read_listing_sliced(
        listing,
        listing_plan(),
        detail,
        |r| listing.release(r),
        on_function,
        on_diag,
    )
}

/// [`read_listing_mapped`] on any slice, cut as `plan` says.
pub fn read_listing_sliced(
    listing: &[u8],
    plan: chunks::Plan,
    detail: Detail,
    mut release: impl FnMut(std::ops::Range<usize>),
    mut on_function: impl FnMut(Function),
    mut on_diag: impl FnMut(Diag),
) -> Result<Stats> {
    let mut stats = Stats::default();
    let rest = chunks::parse_slice_in_chunks(
        listing,
        plan,
        last_symbol_start,
        |chunk| read_chunk(chunk, detail),
        |_, read| {
            hand_over(read, &mut stats, &mut on_function, &mut on_diag);
            Ok(())
        },
        &mut release,
    )?;
    if let Some(at) = rest {
        let input = std::io::BufReader::with_capacity(
            1 << 20,
            chunks::Releasing::new(listing, at, &mut release),
        );
        stats += read_listing(input, detail, on_function, on_diag)?;
    }
    Ok(stats)
}

/// One chunk of a listing read on a worker: what it held, in order.
fn read_chunk(chunk: &[u8], detail: Detail) -> Result<(Vec<Item>, Stats)> {
    let items = std::cell::RefCell::new(Vec::new());
    let st = read_listing(
        chunk,
        detail,
        |f| items.borrow_mut().push(Item::Function(f)),
        |d| items.borrow_mut().push(Item::Diag(d)),
    )?;
    Ok((items.into_inner(), st))
}

/// A chunk's items to the callbacks, in order, and its counts to `stats`.
fn hand_over(
    (items, counts): (Vec<Item>, Stats),
    stats: &mut Stats,
    on_function: &mut impl FnMut(Function),
    on_diag: &mut impl FnMut(Diag),
) {
    *stats += counts;
    for item in items {
        match item {
            Item::Function(f) => on_function(f),
            Item::Diag(d) => on_diag(d),
        }
    }
}

/// Where a listing chunk may end: before its last symbol header (a line cut
/// by the buffer's end is never taken for one).
fn last_symbol_start(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(nl) = memchr::memrchr(b'\n', &buf[..end]) {
        if nl + 1 < buf.len() && starts_symbol(buf, nl + 1) {
            return Some(nl + 1);
        }
        end = nl;
    }
    None
}

/// One instruction of a function's listing, with its pc offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedInstr {
    pub pc: String,
    pub instr: Instr,
}

/// The instructions of every function whose local name is `name` (e.g. `Store`
/// or `(*T).M`), in listing order: (function symbol, instructions).
pub fn function_listing(
    input: impl BufRead,
    name: &str,
) -> Result<Vec<(String, Vec<ListedInstr>)>> {
    Ok(functions_listing(input, &[name])?
        .into_iter()
        .map(|(_, sym, instrs)| (sym, instrs))
        .collect())
}

/// [`function_listing`] for several names in one pass: (index of the name
/// in `names`, function symbol, instructions), in listing order.
pub fn functions_listing(
    input: impl BufRead,
    names: &[&str],
) -> Result<Vec<(usize, String, Vec<ListedInstr>)>> {
    let mut out = Vec::new();
    each_function(
        input,
        |sym| names.iter().position(|n| is_named(local_name(sym), n)),
        |k, sym, instrs| out.push((k, sym.to_string(), instrs)),
    )?;
    Ok(out)
}

/// Calls `found` with each function of the listing that `wanted` picks (by
/// its symbol), its instructions read: one function in memory at a time.
pub fn each_function<K>(
    input: impl BufRead,
    mut wanted: impl FnMut(&str) -> Option<K>,
    mut found: impl FnMut(K, &str, Vec<ListedInstr>),
) -> Result<()> {
    let mut current: Option<(K, String, Vec<ListedInstr>)> = None;
    CappedLines::new(input)
        .for_each_line(
            |_| Ok(()),
            |buf| -> std::io::Result<()> {
                let line = super::lines::text(buf);
                let line = line.trim_end_matches(['\n', '\r']);
                if !line.starts_with([' ', '\t']) {
                    if let Some((k, sym, instrs)) = current.take() {
                        found(k, &sym, instrs);
                    }
                    if let Some((sym, _)) = line.split_once(" STEXT") {
                        if let Some(k) = wanted(sym) {
                            current = Some((k, sym.to_string(), Vec::new()));
                        }
                    }
                    return Ok(());
                }
                if let Some((_, _, instrs)) = current.as_mut() {
                    let t = line.trim_start();
                    if let Some(Some(ins)) = parse_instr(t) {
                        let pc = t.split(' ').next().unwrap_or("").to_string();
                        if !matches!(ins.op.as_str(), "PCDATA" | "FUNCDATA") {
                            instrs.push(ListedInstr { pc, instr: ins });
                        }
                    }
                }
                Ok(())
            },
        )
        .context("reading the assembly listing")?;
    if let Some((k, sym, instrs)) = current.take() {
        found(k, &sym, instrs);
    }
    Ok(())
}

/// `0x0017 00023 (file.go:19)\tOP\tARGS` → instruction; a hex dump line
/// (`0x0000 48 8d ...`) → `Some(None)`; anything else → `None`.
/// Whether an instruction's operands can show a routine or a package global:
/// a stack temporary, or a `(SB)` symbol that is not type data, string data or
/// a runtime function other than the conversions and their globals.
fn may_matter(args: &[u8]) -> bool {
    let sb = finder(&SB, b"(SB)");
    if finder(&AUTOTMP, b"autotmp").find(args).is_some() {
        return true;
    }
    let mut from = 0;
    while let Some(i) = sb.find(&args[from..]) {
        let end = from + i;
        // The symbol runs back to an operand delimiter.
        let start = args[..end]
            .iter()
            .rposition(|b| matches!(b, b' ' | b',' | b'\t' | b'$' | b'('))
            .map(|p| p + 1)
            .unwrap_or(0);
        let sym = &args[start..end];
        let boring = sym.starts_with(b"type:")
            || sym.starts_with(b"type.")
            || sym.starts_with(b"go:")
            || sym.starts_with(b"go.")
            || sym.starts_with(b"gclocals")
            || (sym.starts_with(b"runtime.")
                && !sym.starts_with(b"runtime.conv")
                && !sym.starts_with(b"runtime.zerobase")
                && !sym.starts_with(b"runtime.staticuint64s")
                && !sym.starts_with(b"runtime.zeroVal"));
        if !boring {
            return true;
        }
        from = end + 4;
    }
    false
}

/// `0x0000 48 8d 05 ...`: a line of data bytes, which the parser skips. An
/// instruction has a five-digit decimal offset where a dump has a hex byte.
/// [`fast_instr`] knows dumps too; this positional test first saves about a
/// tenth of `asm2md`'s time (dumps are a quarter of a listing's lines).
fn is_hex_dump(t: &[u8]) -> bool {
    t.len() > 10
        && t[6] == b' '
        && t[9] == b' '
        && t[7].is_ascii_hexdigit()
        && t[8].is_ascii_hexdigit()
}

/// [`parse_instr`] on bytes, without allocating: (file, line, op, args).
/// `Some(None)` for hex dump lines and unknown positions; `None` when malformed.
#[allow(clippy::type_complexity)]
fn fast_instr(t: &[u8]) -> Option<Option<(&[u8], u32, &[u8], &[u8])>> {
    // The fields before the file name are a few bytes long: plain loops find
    // their ends sooner than memchr's calls would.
    let sp = t.iter().position(|&b| b == b' ')?;
    let rest = skip(&t[sp..], b' ');
    let sp2 = rest.iter().position(|&b| b == b' ')?;
    let dec = &rest[..sp2];
    if dec.len() == 2 && dec.iter().all(u8::is_ascii_hexdigit) {
        return Some(None);
    }
    if !dec.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let rest = skip(&rest[sp2..], b' ');
    let rest = rest.strip_prefix(b"(")?;
    // A path may hold parentheses (`proj (copy)/a.go`): the position ends at
    // the first ')' after `:LINE` that ends the field.
    let close = memchr::memchr_iter(b')', rest)
        .find(|&i| ends_position(rest, i))
        .or_else(|| memchr::memchr(b')', rest))?;
    let pos = &rest[..close];
    let mut after = &rest[close + 1..];
    while matches!(after.first(), Some(b' ' | b'\t')) {
        after = &after[1..];
    }
    let Some(colon) = pos.iter().rposition(|&b| b == b':') else {
        return Some(None);
    };
    let digits = &pos[colon + 1..];
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let line = digits
        .iter()
        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let (op, args) = match after.iter().position(|&b| matches!(b, b'\t' | b' ')) {
        Some(i) => (&after[..i], &after[i + 1..]),
        None => (after, &after[after.len()..]),
    };
    if op.is_empty() {
        return None;
    }
    Some(Some((&pos[..colon], line, op, args)))
}

/// Whether the ')' at `close` ends a `(FILE:LINE)` field: digits and a
/// colon before it, a tab, space or the end after it.
fn ends_position(rest: &[u8], close: usize) -> bool {
    let before = &rest[..close];
    let digits = before
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let after_ok = matches!(
        rest.get(close + 1),
        None | Some(b'\t' | b' ' | b'\n' | b'\r')
    );
    after_ok && digits > 0 && before[..before.len() - digits].ends_with(b":")
}

/// `bytes` without its leading `b`s.
fn skip(bytes: &[u8], b: u8) -> &[u8] {
    let n = bytes.iter().take_while(|&&x| x == b).count();
    &bytes[n..]
}

fn parse_instr(t: &str) -> Option<Option<Instr>> {
    Some(fast_instr(t.as_bytes())?.map(|(file, line, op, args)| instr(file, line, op, args)))
}

/// An owned instruction from [`fast_instr`]'s parts.
fn instr(file: &[u8], line: u32, op: &[u8], args: &[u8]) -> Instr {
    Instr {
        file: super::lines::text(file).into_owned(),
        line,
        op: super::lines::text(op).into_owned(),
        args: super::lines::text(args).trim().to_string(),
    }
}

/// Whether `op` is a call, on any GOARCH (`Call` is wasm's; riscv64's
/// `JAL X1, f(SB)` names the link register first).
fn is_call(op: &str) -> bool {
    matches!(op, "CALL" | "BL" | "JAL" | "CALLL" | "CALLQ" | "Call")
}

/// The function a call instruction calls (`runtime.newobject`), if `op` is a
/// call with a symbol target.
pub fn call_target<'a>(op: &str, args: &'a str) -> Option<&'a str> {
    if !is_call(op) {
        return None;
    }
    let target = args
        .rsplit(", ")
        .next()
        .unwrap_or(args)
        .trim_start_matches('$');
    let sym = target.strip_suffix("(SB)")?;
    Some(sym.split('+').next().unwrap_or(sym))
}

/// The routine an instruction shows, if any.
pub fn evidence_of(op: &str, args: &str) -> Option<Routine> {
    if is_call(op) {
        // The target is the last operand.
        let target = args.rsplit(", ").next().unwrap_or(args);
        let target = target.trim_start_matches('$');
        if let Some(f) = target.strip_prefix("runtime.") {
            let name = f.split('(').next().unwrap_or(f);
            return match name {
                "convT16" => Some(Routine::ConvT16),
                "convT32" => Some(Routine::ConvT32),
                "convT64" => Some(Routine::ConvT64),
                "convTstring" => Some(Routine::ConvTstring),
                "convTslice" => Some(Routine::ConvTslice),
                "convTnoptr" => Some(Routine::ConvTnoptr),
                "convT" => Some(Routine::ConvT),
                _ => None,
            };
        }
        return None;
    }
    // The data word is an address: LEAQ/LEAL sym, or MOVD $sym. A plain load
    // from the same symbol (MOVBLZX runtime.zeroVal(SB)) reads a value instead.
    let address_of = op.starts_with("LEA") || args.starts_with('$');
    if !address_of {
        return None;
    }
    if args.contains("runtime.zerobase") {
        return Some(Routine::Zerobase);
    }
    if args.contains("runtime.staticuint64s") {
        return Some(Routine::Staticuint64s);
    }
    if args.contains("runtime.zeroVal") {
        return Some(Routine::ZeroVal);
    }
    if args.contains("stmp_") && args.contains("(SB)") {
        return Some(Routine::Readonly);
    }
    // A compiler temporary lives in the frame, whatever the stack pointer is
    // called: `(SP)`, or ppc64's `(R1)`.
    if args.contains("autotmp_") && !args.contains("(SB)") {
        return Some(Routine::Stack);
    }
    None
}

/// Package globals referenced as `pkg.name(SB)` / `"".name(SB)` (not runtime, type or go: data).
fn globals_of(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    for operand in args.split(", ") {
        let operand = operand.trim_start_matches('$');
        let Some(sym) = operand.strip_suffix("(SB)") else {
            continue;
        };
        let sym = match sym.rfind('+') {
            Some(i) if sym[i + 1..].bytes().all(|b| b.is_ascii_digit()) => &sym[..i],
            _ => sym,
        };
        if sym.starts_with("runtime.")
            || sym.starts_with("type:")
            || sym.starts_with("type.")
            || sym.starts_with("go:")
            || sym.starts_with("go.")
            || sym.contains("stmp_")
        {
            continue;
        }
        let name = local_name(sym);
        if !name.is_empty() && !name.contains('.') {
            out.push(name.to_string());
        }
    }
    out
}

/// Adds what one instruction shows to `f`, allocating only when it shows
/// something (most instructions that reach here reference other symbols).
fn record(f: &mut Function, file: &[u8], line: u32, op: &[u8], args: &[u8]) {
    let op = super::lines::text(op);
    let args = super::lines::text(args);
    let args = args.trim();
    let routine = evidence_of(&op, args);
    // A function's own TEXT line and a call's or jump's target name
    // functions, not package globals.
    let globals = if matches!(&*op, "TEXT" | "JMP" | "B") || is_call(&op) {
        Vec::new()
    } else {
        globals_of(args)
    };
    if routine.is_none() && globals.is_empty() {
        return;
    }
    let file = super::lines::text(file).into_owned();
    let facts = f.lines.entry((file, line)).or_default();
    if routine.is_some() {
        f.sequence.push(Step { line, global: None });
    }
    for g in &globals {
        f.sequence.push(Step {
            line,
            global: Some(g.clone()),
        });
    }
    if let Some(r) = routine {
        facts.evidence.push(Evidence {
            routine: r,
            op: op.to_string(),
            text: format!("{op} {args}"),
        });
    }
    for g in globals {
        facts.global_ops.push((op.to_string(), g.clone()));
        if !facts.globals.contains(&g) {
            facts.globals.push(g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_instructions_of_every_style() {
        let i = parse_instr("0x0040 00064 (/tmp/k/cases.go:19)\tCALL\truntime.convT64(SB)")
            .unwrap()
            .unwrap();
        assert_eq!(
            (i.file.as_str(), i.line, i.op.as_str()),
            ("/tmp/k/cases.go", 19, "CALL")
        );
        assert_eq!(evidence_of(&i.op, &i.args), Some(Routine::ConvT64));
        let i = parse_instr("0x0000 00000 (mem_test.go:312)\tLEAQ\t\"\".stmp_3(SB), AX")
            .unwrap()
            .unwrap();
        assert_eq!(evidence_of(&i.op, &i.args), Some(Routine::Readonly));
        assert_eq!(parse_instr("0x0000 48 8d 05 00 00 00 00 48"), Some(None));
        assert_eq!(
            evidence_of("MOVD", "$main..autotmp_3-8(SP), R1"),
            Some(Routine::Stack)
        );
        assert_eq!(evidence_of("MOVD", "R2, main..autotmp_3-8(SP)"), None);
        assert_eq!(
            evidence_of("MOVD", "$runtime.staticuint64s+15(SB), R1"),
            Some(Routine::Staticuint64s)
        );
        assert_eq!(
            evidence_of("BL", "runtime.convTstring(SB)"),
            Some(Routine::ConvTstring)
        );
        // As go1.26.8 prints them: riscv64 names the link register first,
        // wasm spells its call `Call`, ppc64's stack pointer is R1.
        assert_eq!(
            evidence_of("JAL", "X1, runtime.convT64(SB)"),
            Some(Routine::ConvT64)
        );
        assert_eq!(
            evidence_of("Call", "runtime.convTslice(SB)"),
            Some(Routine::ConvTslice)
        );
        assert_eq!(
            evidence_of("MOVD", "$main..autotmp_3-8(R1), R4"),
            Some(Routine::Stack)
        );
        assert_eq!(evidence_of("MOVD", "R3, main..autotmp_3-8(R1)"), None);
        assert_eq!(evidence_of("JAL", "X1, main.g(SB)"), None);
        assert_eq!(
            CallReloc::of(b"rel 5+4 t=R_CALL runtime.convT64+0"),
            Some(CallReloc::Plain)
        );
        assert_eq!(
            CallReloc::of(b"rel 36+4 t=R_CALLARM64 runtime.convT64+0"),
            Some(CallReloc::Arm64)
        );
        assert_eq!(
            CallReloc::of(b"rel 84+4 t=R_CALLPOWER runtime.convT64+0"),
            Some(CallReloc::Other)
        );
        assert_eq!(
            CallReloc::of(b"rel 54+4 t=R_RISCV_JAL runtime.convT64+0"),
            Some(CallReloc::Other)
        );
        assert_eq!(CallReloc::of(b"rel 3+4 t=R_PCREL type:int64+0"), None);
        assert_eq!(globals_of("main.n0+8(SB), AX"), vec!["n0"]);
        assert_eq!(globals_of("\"\"._int64(SB), AX"), vec!["_int64"]);
        assert_eq!(globals_of("type:int64(SB), CX"), Vec::<String>::new());
    }

    /// Every function and diagnostic, in order, with what the parser kept.
    fn transcript(stats: Stats, items: &[String]) -> String {
        format!("{stats:?}\n{}", items.join("\n"))
    }

    /// How a listing is read in a test.
    #[derive(Clone, Copy)]
    enum Way {
        /// Through a reader of this many bytes: lines cross its fills.
        Buffered(usize),
        /// In chunks read from a stream (one thread: sequentially).
        Chunked(chunks::Plan),
        /// In chunks of a slice.
        Sliced(chunks::Plan),
    }

    fn read_as(text: &[u8], way: Way, detail: Detail) -> String {
        let items = std::cell::RefCell::new(Vec::new());
        let on_f = |f: Function| {
            items
                .borrow_mut()
                .push(format!("F {} {:?} {:?}", f.name, f.lines, f.code_lines))
        };
        let on_d = |d: Diag| items.borrow_mut().push(format!("D {d:?}"));
        let st = match way {
            Way::Buffered(n) => read_listing(
                std::io::BufReader::with_capacity(n, text),
                detail,
                on_f,
                on_d,
            ),
            Way::Chunked(plan) => read_listing_chunked(text, plan, detail, on_f, on_d),
            Way::Sliced(plan) => read_listing_sliced(text, plan, detail, |_| {}, on_f, on_d),
        }
        .unwrap();
        transcript(st, &items.into_inner())
    }

    fn plan(threads: usize, chunk_size: usize, max_chunk: usize) -> chunks::Plan {
        chunks::Plan {
            threads,
            chunk_size,
            max_chunk,
            caller_works: false,
        }
    }

    /// One thread reads sequentially; two cut the input into chunks.
    fn chunked(text: &[u8], threads: usize, chunk: usize, max: usize) -> String {
        read_as(
            text,
            Way::Chunked(plan(threads, chunk, max)),
            Detail::CodeLines,
        )
    }

    fn sequential(text: &[u8]) -> String {
        chunked(text, 1, 0, 0)
    }

    /// Every way of reading gives what the sequential reader gives, at
    /// every level of detail: cut into chunks of a stream or of a slice, or
    /// read through a buffer so small that lines cross its fills (where an
    /// instruction's symbol is looked for in the line, not the buffer).
    #[test]
    fn every_way_of_reading_agrees() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/asm");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "txt") {
                continue;
            }
            let text = std::fs::read(&p).unwrap();
            for detail in [Detail::Facts, Detail::Functions, Detail::CodeLines] {
                let want = read_as(&text, Way::Chunked(plan(1, 0, 0)), detail);
                let mut ways = vec![Way::Buffered(7), Way::Buffered(4096)];
                // (64, 300): some functions are longer than the longest chunk.
                for (chunk, max) in [(64, 1 << 20), (1000, 4000), (1 << 16, 1 << 20), (64, 300)] {
                    ways.push(Way::Chunked(plan(2, chunk, max)));
                    ways.push(Way::Sliced(plan(2, chunk, max)));
                }
                ways.push(Way::Sliced(plan(3, 1, 1 << 20)));
                ways.push(Way::Sliced(plan(1, 64, 300)));
                for way in ways {
                    let got = read_as(&text, way, detail);
                    assert!(got == want, "{} {detail:?}: {got}", p.display());
                }
            }
            n += 1;
        }
        assert!(n >= 5, "{n} fixtures");
    }

    /// Diagnostics between functions keep their place, wherever the
    /// listing is cut.
    #[test]
    fn diagnostics_keep_their_place_across_cuts() {
        let text = b"a.go:1:2: x escapes to heap\nmain.f STEXT size=1\n\t0x0000 00000 (a.go:3)\tCALL\truntime.convT64(SB)\nb.go:4:5: y does not escape\nmain.g STEXT size=1\n\t0x0000 00000 (a.go:9)\tRET\t\n";
        for chunk in 1..=text.len() {
            let want = sequential(text);
            assert_eq!(chunked(text, 2, chunk, 1 << 20), want, "{chunk}");
            let sliced = read_as(
                text,
                Way::Sliced(plan(2, chunk, 1 << 20)),
                Detail::CodeLines,
            );
            assert_eq!(sliced, want, "sliced {chunk}");
        }
    }

    #[test]
    fn local_names() {
        assert_eq!(local_name("main.c12"), "c12");
        assert_eq!(local_name("\"\".c12"), "c12");
        assert_eq!(local_name("example.com/x.y/pkg.f"), "f");
        assert_eq!(local_name("benchmarks_test._int64"), "_int64");
    }
}
