//! `ifacealloc asm2md`: a `-S` listing → markdown table of interface conversions.

use std::io::{BufReader, Read, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::input::Input;
use crate::cli::error::UsageError;
use crate::cli::output;
use crate::go::links::{self as golinks, Isa};
use crate::go::toolchain::Toolchain;
use crate::model::routine::Routine;
use crate::parse::asm::{self, Function};
use crate::report::markdown_cell as md;

#[derive(Debug, Args)]
pub struct Asm2mdArgs {
    /// A `-S` listing (`go build -gcflags=-S`, `go tool compile -S`); default: stdin.
    pub file: Option<PathBuf>,

    /// Do not echo standard input before the table (input from FILE is never echoed).
    #[arg(long)]
    pub no_echo: bool,

    /// Write the table to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// One row of the seed's table: a type and how its zero and non-zero values are stored.
#[derive(Debug, Default, Clone)]
pub struct SeedSite {
    pub ty: String,
    pub line: Option<u32>,
    pub zero: Option<(String, Option<Routine>)>,
    pub nonzero: Option<(String, Option<Routine>)>,
}

/// One runtime conversion found anywhere in a listing.
#[derive(Debug, Clone)]
pub struct Site {
    pub file: String,
    pub line: u32,
    pub function: String,
    pub routine: Routine,
    pub instruction: String,
    pub op: String,
}

/// What a listing held, gathered while streaming.
#[derive(Debug, Default)]
pub struct Listing {
    pub seed: Vec<SeedSite>,
    /// Type name → index in `seed`, so many rows stay linear.
    seed_index: std::collections::HashMap<String, usize>,
    pub sites: Vec<Site>,
    pub isa: Option<Isa>,
    pub stats: asm::Stats,
}

/// Reads a listing and collects the seed layout's stores and every runtime conversion.
pub fn collect(input: impl std::io::BufRead) -> Result<Listing> {
    gather(|on_f| asm::read_listing(input, asm::Detail::Facts, on_f, |_| {}))
}

/// [`collect`] on every core, for a mapped listing.
pub fn collect_mapped(mapped: &crate::parse::mapped::Mapped) -> Result<Listing> {
    gather(|on_f| asm::read_listing_mapped(mapped, asm::Detail::Facts, on_f, |_| {}))
}

/// [`collect_mapped`] on any slice, cut as `plan` says.
pub fn collect_sliced(bytes: &[u8], plan: crate::parse::chunks::Plan) -> Result<Listing> {
    gather(|on_f| asm::read_listing_sliced(bytes, plan, asm::Detail::Facts, |_| {}, on_f, |_| {}))
}

/// [`collect`] on every core: for a file, where nothing is echoed.
pub fn collect_parallel(input: impl std::io::Read + Send) -> Result<Listing> {
    gather(|on_f| asm::read_listing_parallel(input, asm::Detail::Facts, on_f, |_| {}))
}

/// The listing a reader's functions make: `read` runs a reader with the
/// callback it is given.
fn gather(read: impl FnOnce(&mut dyn FnMut(Function)) -> Result<asm::Stats>) -> Result<Listing> {
    let mut listing = Listing::default();
    listing.stats = read(&mut |f| absorb(&mut listing, &f))?;
    Ok(listing)
}

/// The instruction set, for documentation links: a call relocation names
/// arm64; one that is plain `R_CALL` leaves x86 (by its mnemonics) or none
/// (s390x prints arm64's `CALL` and `MOVD` too); with no call, mnemonics.
fn isa_of(listing: &Listing) -> Isa {
    match (listing.stats.call_reloc, listing.isa) {
        (Some(asm::CallReloc::Arm64), _) => Isa::Arm64,
        (Some(asm::CallReloc::Plain), Some(Isa::X86)) => Isa::X86,
        (Some(_), _) => Isa::Other,
        (None, isa) => isa.unwrap_or(Isa::Other),
    }
}

fn absorb(listing: &mut Listing, f: &Function) {
    for ((file, line), facts) in &f.lines {
        if listing.isa.is_none() {
            listing.isa = facts
                .global_ops
                .iter()
                .map(|(op, _)| op.as_str())
                .chain(facts.evidence.iter().map(|e| e.op.as_str()))
                .find_map(golinks::isa_hint);
        }
        for e in &facts.evidence {
            if e.routine.runtime_symbol().is_some() {
                listing.sites.push(Site {
                    file: file.clone(),
                    line: *line,
                    function: f.name.clone(),
                    routine: e.routine,
                    instruction: e.text.clone(),
                    op: e.op.clone(),
                });
            }
        }
        // The seed's layout: `_i = _<type>` / `_i = _<type>_n` with package globals.
        if !facts.globals.iter().any(|g| g == "_i") {
            continue;
        }
        let value = match facts
            .globals
            .iter()
            .find(|g| g.starts_with('_') && *g != "_i")
        {
            Some(v) => v.clone(),
            // The load may sit on the global's declaration line (Go 1.27 does
            // this for single-byte values): take the value global loaded last
            // before this line's first evidence instruction.
            None => match loaded_before_evidence(f, *line) {
                Some(v) => v,
                None => continue,
            },
        };
        let value = &value;
        let (ty, nonzero) = match value[1..].strip_suffix("_n") {
            Some(t) => (t.to_string(), true),
            None => (value[1..].to_string(), false),
        };
        let ev: Vec<&asm::Evidence> = facts.evidence.iter().collect();
        let how = match asm::pick(&ev) {
            Some(e) => (e.op.clone(), Some(e.routine)),
            // No routine: the global itself was moved into the data word, which
            // only a pointer-shaped value allows.
            None => match facts.global_ops.iter().find(|(_, g)| g == value) {
                Some((op, _)) => (op.clone(), Some(Routine::Direct)),
                None => ("-".to_string(), None),
            },
        };
        let idx = match listing.seed_index.get(&ty) {
            Some(&i) => i,
            None => {
                listing.seed_index.insert(ty.clone(), listing.seed.len());
                listing.seed.push(SeedSite {
                    ty,
                    ..SeedSite::default()
                });
                listing.seed.len() - 1
            }
        };
        let site = &mut listing.seed[idx];
        if nonzero {
            site.nonzero = Some(how);
        } else {
            site.zero = Some(how);
            site.line = Some(*line);
        }
        if site.line.is_none() {
            site.line = Some(*line);
        }
    }
}

/// The seed-layout global (`_T`, `_T_n`) that `f` loads last before the first
/// evidence instruction on `line`, from a line that stores nothing in `_i`.
fn loaded_before_evidence(f: &Function, line: u32) -> Option<String> {
    let first = f
        .sequence
        .iter()
        .position(|s| s.line == line && s.global.is_none())?;
    let stores_i = |l: u32| {
        f.lines
            .iter()
            .any(|((_, fl), facts)| *fl == l && facts.globals.iter().any(|g| g == "_i"))
    };
    f.sequence[..first].iter().rev().find_map(|s| {
        let g = s.global.as_ref()?;
        (g.starts_with('_') && g != "_i" && s.line != line && !stores_i(s.line)).then(|| g.clone())
    })
}

/// Renders links from the toolchain in use; without one, plain names.
pub struct Linker {
    pub toolchain: Option<Toolchain>,
    pub isa: Isa,
}

impl Linker {
    fn op(&self, op: &str) -> String {
        match golinks::instruction_link(self.isa, op) {
            Some(url) => format!("[{op}]({url})"),
            None => op.to_string(),
        }
    }

    fn routine(&self, r: Option<Routine>) -> String {
        let Some(r) = r else {
            return "-".to_string();
        };
        let link = self
            .toolchain
            .as_ref()
            .and_then(|tc| golinks::routine_link(&tc.goroot, &tc.goversion, r));
        match link {
            Some(url) => format!("[{r}]({url})"),
            None => r.to_string(),
        }
    }
}

/// Writes the seed's table, or the generic one when the seed layout is absent.
pub fn write_markdown(l: &Listing, linker: &Linker, out: &mut dyn Write) -> Result<()> {
    if !l.seed.is_empty() {
        writeln!(out, "| Type | Line no | Op to store zero value in asm | ...in go | Op to store non-zero, random value in asm | ...in go |")?;
        writeln!(out, "|:----:|:-------:|:-----------------------------:|:--------:|:-----------------------------------------:|:--------:|")?;
        for s in &l.seed {
            let cell = |x: &Option<(String, Option<Routine>)>| match x {
                Some((op, r)) => (
                    if op == "-" { op.clone() } else { linker.op(op) },
                    linker.routine(*r),
                ),
                None => ("NA".to_string(), "NA".to_string()),
            };
            let (zo, zr) = cell(&s.zero);
            let (no, nr) = cell(&s.nonzero);
            writeln!(
                out,
                "| {} | {} | {zo} | {zr} | {no} | {nr} |",
                crate::report::markdown_code(&s.ty),
                s.line.map(|l| l.to_string()).unwrap_or_default()
            )?;
        }
        return Ok(());
    }
    writeln!(out, "| Location | Function | Routine | Instruction |")?;
    writeln!(out, "|:--|:--|:--|:--|")?;
    for s in &l.sites {
        writeln!(
            out,
            "| {}:{} | {} | {} | {} {} |",
            md(&s.file),
            s.line,
            crate::report::markdown_code(&s.function),
            linker.routine(Some(s.routine)),
            linker.op(&s.op),
            crate::report::markdown_code(s.instruction.trim_start_matches(&s.op).trim())
        )?;
    }
    Ok(())
}

/// Copies what is read to stdout, so the input is echoed while it streams.
struct Echo<R>(R);

impl<R: Read> Read for Echo<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        if n > 0 {
            std::io::stdout().write_all(&buf[..n])?;
        }
        Ok(n)
    }
}

pub fn run(args: &Asm2mdArgs, go: Option<&str>) -> Result<()> {
    output::check(args.output.as_deref())?;
    let input = super::input::open(
        args.file.as_deref(),
        !args.no_echo,
        "`go build -gcflags=-S` output",
    )?;
    let echo = matches!(input, Input::Echoed);
    let listing = crate::cli::timings::phase("parse", || match input {
        Input::Mapped(mapped) => collect_mapped(&mapped),
        Input::Stream(input) => collect_parallel(input),
        Input::Echoed => collect(BufReader::with_capacity(
            1 << 20,
            Echo(std::io::stdin().lock()),
        )),
    })?;
    std::io::stdout().flush()?;
    if listing.stats.skipped > 0 {
        eprintln!(
            "asm2md: skipped {} malformed instruction line(s)",
            listing.stats.skipped
        );
    }
    if listing.stats.overlong > 0 {
        eprintln!(
            "asm2md: {} line(s) longer than {} bytes were read only in part",
            listing.stats.overlong,
            crate::parse::lines::MAX_LINE
        );
    }
    if listing.stats.functions == 0 {
        return Err(UsageError::new(
            "asm2md: no functions (`STEXT`) found in the input; pass the output of `go build -gcflags=-S` or `go tool compile -S`",
        )
        .into());
    }
    let toolchain = match crate::cli::timings::phase("go env", || Toolchain::single(go, "asm2md")) {
        Ok(tc) => Some(tc),
        Err(e) => {
            eprintln!("asm2md: routine source links left out: {e}");
            None
        }
    };
    let linker = Linker {
        toolchain,
        isa: isa_of(&listing),
    };
    crate::cli::timings::phase("report", || {
        output::emit(args.output.as_deref(), |out| {
            if echo {
                writeln!(out)?;
            }
            write_markdown(&listing, &linker, out)
        })
    })
}
