//! `scan`: every conversion of a concrete value to an interface in a user's
//! packages, with the compiler's routine and whether it allocates.
//!
//! Two halves, both driven by the user's toolchain:
//! 1. `finder.go` (shipped in this crate, built into a temp dir) type-checks the
//!    packages against export data from `go list -export` and lists each
//!    conversion with the converted type's layout;
//! 2. one `go build` (or `go test -c` with `--tests`) with `-S -m` (and
//!    `-d=escapedebug=1` on Go ≥ 1.25) shows which routine the compiler used
//!    at each place, including where a function was inlined into others.
//!    The build writes its binaries to a temporary directory only.

pub mod assembly;
pub mod baseline;
mod evidence;
pub mod profile;
pub mod spill;
pub mod versions;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::cli::error::UsageError;
use crate::go::command::GoCommandFailed;
use crate::go::list::{self as golist, Package};
use crate::go::toolchain::Toolchain;
use crate::model::gotype::{Arch, Layout};
use crate::model::routine::Routine;
use crate::model::rules::{self, How, Sole, TypeFacts};
use crate::parse::diag;

use evidence::{parse_evidence, CompilerEvidence, KeepMessages};

/// Whether a site allocates.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The compiler's output says nothing about the site and the layout alone
    /// does not decide: no guess is made.
    Unknown,
    Never,
    Conditional,
    Always,
}

/// Where a site's routine was read. Serialized as the JSON's `evidence`
/// strings (docs/json.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Evidence {
    /// A runtime call or global in the `-S` listing at the site.
    #[serde(rename = "-S")]
    Listing,
    /// `-d=escapedebug=1`'s note at the site's exact position (Go ≥ 1.25).
    #[serde(rename = "escapedebug")]
    EscapeDebug,
    /// `-m`'s "does not escape" at the site: a stack temporary.
    #[serde(rename = "-m")]
    NoEscape,
    /// A package-level initializer laid out as data by static initialization.
    #[serde(rename = "static-init")]
    StaticInit,
    /// The type alone decides: pointer-shaped, zero-sized, single byte, constant.
    #[serde(rename = "layout")]
    Layout,
    /// The function was compiled with no code at the site: the compiler removed it.
    #[serde(rename = "no code")]
    NoCode,
    /// Nothing in the compiler's output shows the routine: no verdict is guessed.
    #[serde(rename = "none")]
    None,
}

impl Evidence {
    /// The name reports show, the same as the JSON's.
    pub fn name(self) -> &'static str {
        match self {
            Evidence::Listing => "-S",
            Evidence::EscapeDebug => "escapedebug",
            Evidence::NoEscape => "-m",
            Evidence::StaticInit => "static-init",
            Evidence::Layout => "layout",
            Evidence::NoCode => "no code",
            Evidence::None => "none",
        }
    }

    /// Whether the evidence shows the routine the code runs (not removed
    /// code, not missing evidence).
    fn shows_routine(self) -> bool {
        !matches!(self, Evidence::NoCode | Evidence::None)
    }
}

impl Site {
    /// Whether the compiler removed this site's code.
    pub fn removed(&self) -> bool {
        self.evidence == Evidence::NoCode
    }
}

impl Verdict {
    pub fn of(r: Routine) -> Verdict {
        if r.always_allocates() {
            Verdict::Always
        } else if r.may_allocate() {
            Verdict::Conditional
        } else {
            Verdict::Never
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Unknown => "unknown",
            Verdict::Never => "never",
            Verdict::Conditional => "conditional",
            Verdict::Always => "always",
        }
    }

    /// When a conditional routine allocates.
    pub fn condition(r: Routine) -> Option<&'static str> {
        Self::condition_with(r, false)
    }

    /// [`Verdict::condition`] for a value whose padding the compiler never
    /// writes (`unset_padding`): the word it reads is partly stack garbage.
    pub fn condition_with(r: Routine, unset_padding: bool) -> Option<&'static str> {
        match r {
            Routine::ConvT16 | Routine::ConvT32 | Routine::ConvT64 if unset_padding => Some(
                "unless the word read is < 256; its padding is never written, so that depends on what the stack held",
            ),
            _ => r.unless(),
        }
    }
}

/// A step of an escape flow at its place in the code.
#[derive(Debug, Clone)]
pub struct FlowPlace {
    pub abs_file: PathBuf,
    pub line: u32,
    pub column: u32,
    /// `assign: Sink = v`.
    pub text: String,
}

/// One conversion site. Field names are the JSON output's (docs/json.md).
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// Path relative to the module root (absolute when outside it).
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Just past the expression's end (for an editor's range).
    pub end_line: u32,
    pub end_column: u32,
    pub function: String,
    #[serde(rename = "type")]
    pub type_name: String,
    /// The routine (for code the compiler removed: the one it would have used).
    #[serde(skip)]
    pub routine: Routine,
    /// The routine as reports show it: its name, or `removed`.
    #[serde(rename = "routine")]
    pub routine_shown: &'static str,
    pub verdict: Verdict,
    /// Heap bytes per allocation as TotalAlloc counts them (0 when it never allocates).
    pub bytes: f64,
    /// When a conditional site allocates.
    pub condition: Option<&'static str>,
    pub expr: String,
    /// Functions this conversion was inlined into (where the compiler also compiled it).
    pub inlined_into: Vec<String>,
    /// Where the routine was read.
    pub evidence: Evidence,
    /// Why the verdict is what it is, when the routine alone does not say
    /// (code the compiler removed; evidence missing).
    pub reason: Option<&'static str>,
    /// Why the value cannot stay on the stack, condensed from escape
    /// analysis's explanation (`-m=2`): "passed to fmt.Sprintf's ...
    /// parameter, which leaks to the heap". Absent when it does not escape or
    /// the compiler gave no flow.
    pub why: Option<String>,
    /// That explanation in full, one line per flow and note (paths relative
    /// to the module root).
    pub escape_flow: Vec<String>,
    /// The explanation's steps with a place in the code (spills left out):
    /// absolute file, line, column and what happens there, for SARIF's
    /// related locations.
    #[serde(skip)]
    pub flow_steps: Vec<FlowPlace>,
    /// For a conversion in generic code: what each instantiation the build
    /// compiled (one function per GC shape) does at this site.
    pub instantiations: Vec<Instantiation>,
    /// With `--profile`: bytes and objects the profile attributes to this
    /// conversion (0 when it never saw it run).
    pub profile_bytes: u64,
    pub profile_allocs: u64,
    #[serde(skip)]
    pub abs_file: PathBuf,
}

/// One compiled instantiation of a generic function at a conversion site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Instantiation {
    /// The type arguments as the compiler names the function, e.g.
    /// `go.shape.int64` or `go.shape.string`.
    pub shape: String,
    pub routine: Routine,
    pub verdict: Verdict,
    /// Heap bytes per allocation where the routine fixes them (convT16/32/64,
    /// convTstring, convTslice); 0 where it depends on the type's size.
    pub bytes: f64,
}

/// Options of one scan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub tests: bool,
    pub deps: bool,
    /// Build tags for every go command (`-tags`), on top of the user's GOFLAGS.
    pub tags: Vec<String>,
    /// Report only these packages' sites (a `--shard`): the others are
    /// compiled too, for the inlined copies of the reported packages' code.
    pub report_only: Option<std::collections::BTreeSet<String>>,
    /// The folders of those packages: the compiler's evidence is kept only
    /// for their files, so memory follows the reported packages.
    pub report_dirs: Option<Vec<PathBuf>>,
}

impl Options {
    /// `-tags=a,b` when tags are given.
    fn tags_flag(&self) -> Option<String> {
        (!self.tags.is_empty()).then(|| format!("-tags={}", self.tags.join(",")))
    }
}

#[derive(Serialize)]
struct FinderPackage {
    import_path: String,
    files: Vec<String>,
    import_map: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct FinderInput {
    goarch: String,
    packages: Vec<FinderPackage>,
    export: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Found {
    file: String,
    line: u32,
    column: u32,
    function: String,
    #[serde(rename = "type")]
    type_name: String,
    size: u64,
    align: u64,
    ptr_bytes: u64,
    sole: Sole,
    direct_by_kind: bool,
    constant: bool,
    literal: Literal,
    expr: String,
    #[serde(default)]
    generic: bool,
    /// Bytes of a 2-, 4- or 8-byte value no field covers, and whether the
    /// compiler copies it field by field before Go 1.26 / from 1.26 on.
    #[serde(default)]
    padding: u64,
    #[serde(default)]
    ssa: bool,
    #[serde(default)]
    ssa_zero_size: bool,
    /// Where the compiler places the conversion (its listing and
    /// diagnostics): at the operator, '(', '.', '[' or '{' of the expression.
    code_line: u32,
    code_column: u32,
    /// A call's '(' on the code line (0 otherwise), where `-m=2` explains
    /// an escaping call result.
    #[serde(default)]
    call_column: u32,
    end_line: u32,
    end_column: u32,
}

/// What the finder says of a composite literal (`literal`, empty for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Literal {
    /// `T{}`.
    Zero,
    /// Every element constant.
    Const,
    /// Not a composite literal, or one with a non-constant element.
    #[serde(other)]
    Other,
}

const FINDER_GO: &str = include_str!("finder.go");

/// Scans `patterns` from `dir`.
pub fn scan(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    opts: &Options,
) -> Result<(Vec<Site>, PathBuf)> {
    let dir = &canonical_dir(dir)?;
    let cgo = CgoLeftOut::new(tc, dir, opts.tags_flag());
    let compiling = crate::cli::progress::Progress::spinner("compiling with -S -m=2");
    let listed = compile_and_list(tc, dir, patterns, opts, &cgo, |stderr| {
        parse_evidence(
            stderr,
            dir,
            opts.report_dirs.as_deref(),
            opts.report_only.as_ref(),
        )
    });
    compiling.finish();
    let (listed, evidence, finder) = listed?;
    say_left_out(&listed, &cgo);
    let scanned = Listing {
        pkgs: &listed.0,
        skipped: &listed.1,
        evidence: match evidence {
            Some(Ok(ev)) => EvidenceFrom::Parsed(Box::new(ev)),
            _ => EvidenceFrom::Build,
        },
        finder: &finder.1,
    };
    match classify_packages(tc, dir, patterns, opts, scanned)? {
        Some(done) => Ok(done),
        None => Err(no_packages(dir, patterns, &listed.1, &cgo)),
    }
}

/// One batch of [`scan_batches`]: the packages it reports and their folders.
pub struct Batch {
    pub report: std::collections::BTreeSet<String>,
    pub dirs: Vec<PathBuf>,
}

/// Scans `patterns` from `dir` with one compile, reporting `batches` one at a
/// time: the compiler's evidence is spilled to a file per batch as the
/// listing is read, and each batch's evidence is read back, its packages
/// type-checked and their sites handed to `each` (in file order) before the
/// next batch is read — memory holds one batch's evidence and sites.
pub fn scan_batches(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    opts: &Options,
    batches: &[Batch],
    mut each: impl FnMut(Vec<Site>) -> Result<()>,
) -> Result<()> {
    let dir = &canonical_dir(dir)?;
    let cgo = CgoLeftOut::new(tc, dir, opts.tags_flag());
    let mut batch_of_dir = std::collections::HashMap::new();
    let mut batch_of_package = std::collections::HashMap::new();
    for (b, batch) in batches.iter().enumerate() {
        for d in &batch.dirs {
            batch_of_dir.insert(d.canonicalize().unwrap_or_else(|_| d.clone()), b as u32);
        }
        for p in &batch.report {
            batch_of_package.insert(p.clone(), b as u32);
        }
    }
    let spill = crate::cli::interrupt::temp_dir("ifacealloc-evidence-")?;
    let compiling = crate::cli::progress::Progress::spinner("compiling with -S -m=2");
    let listed = compile_and_list(tc, dir, patterns, opts, &cgo, |stderr| {
        evidence::spill_evidence(
            stderr,
            dir,
            &batch_of_dir,
            &batch_of_package,
            batches.len(),
            spill.path(),
        )
    });
    compiling.finish();
    let (listed, spilled, finder) = listed?;
    say_left_out(&listed, &cgo);
    let spilled = matches!(spilled, Some(Ok(())));
    let mut any = false;
    let classifying = crate::cli::progress::Progress::new(batches.len() as u64, "classifying");
    for (b, batch) in batches.iter().enumerate() {
        let mut o = opts.clone();
        o.report_only = Some(batch.report.clone());
        o.report_dirs = Some(batch.dirs.clone());
        let scanned = Listing {
            pkgs: &listed.0,
            skipped: &listed.1,
            evidence: if spilled {
                EvidenceFrom::Spilled {
                    dir: spill.path(),
                    batch: b,
                    batches: batches.len(),
                }
            } else {
                EvidenceFrom::Build
            },
            finder: &finder.1,
        };
        if let Some((sites, _)) = classify_packages(tc, dir, patterns, &o, scanned)? {
            any = true;
            each(sites)?;
        }
        classifying.inc("classifying");
    }
    classifying.finish();
    if !any {
        return Err(no_packages(dir, patterns, &listed.1, &cgo));
    }
    Ok(())
}

fn canonical_dir(dir: &Path) -> Result<PathBuf> {
    dir.canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))
}

/// The finder, built in a temporary directory that lives as long as it is used.
type BuiltFinder = (crate::cli::interrupt::TempDir, PathBuf);

/// One go command lists the packages (those needing cgo while it is off are
/// skipped) and compiles them with the flags that print the listing, which
/// `read_evidence` reads as it comes (`None`: go list failed). The finder is
/// built (or found built) while the packages compile: on a machine whose
/// build cache is shared, both are cache hits, and neither waits for the
/// other.
fn compile_and_list<R: Send>(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    opts: &Options,
    cgo: &CgoLeftOut,
    read_evidence: impl FnOnce(Box<dyn std::io::Read + Send>) -> R + Send,
) -> Result<(golist::Listed, Option<R>, BuiltFinder)> {
    let (listed, finder) = std::thread::scope(|scope| {
        let finder = scope.spawn(|| -> Result<BuiltFinder> {
            let tmp = crate::cli::interrupt::temp_dir("ifacealloc-finder-")?;
            let exe = tc.helper("finder", FINDER_GO, tmp.path())?;
            Ok((tmp, exe))
        });
        let listed = crate::cli::timings::phase("go list, compile and parse", || {
            let tags = opts.tags_flag();
            let mut flags = vec!["-deps", "-export", "-compiled"];
            if opts.tests {
                flags.push("-test");
            }
            if let Some(t) = &tags {
                flags.push(t);
            }
            golist::list_compiling(
                tc,
                dir,
                &flags,
                &gcflags_for(tc, opts),
                patterns,
                |p| {
                    (!p.dep_only && !cgo.files(p).is_empty()).then(|| {
                        "it uses cgo and cgo is off (CGO_ENABLED=0, or no C compiler); set CGO_ENABLED=1 with a C compiler to scan it".to_string()
                    })
                },
                read_evidence,
            )
        });
        (listed, finder.join())
    });
    let (listed, evidence) = listed?;
    let finder = match finder {
        Ok(built) => built?,
        Err(_) => anyhow::bail!("building the conversion finder panicked"),
    };
    Ok((listed, evidence, finder))
}

/// Says what cgo being off leaves out: whole packages, or some of their files.
fn say_left_out((pkgs, skipped): &golist::Listed, cgo: &CgoLeftOut) {
    for (path, reason) in skipped {
        eprintln!("scan: skipped {path}: {reason}");
    }
    for p in pkgs.iter().filter(|p| !p.dep_only) {
        let cgo = cgo.files(p);
        if !cgo.is_empty() {
            eprintln!(
                "scan: {}: {} not scanned: cgo is off (CGO_ENABLED=0, or no C compiler); set CGO_ENABLED=1 with a C compiler to include {}",
                p.import_path,
                cgo.join(", "),
                if cgo.len() == 1 { "it" } else { "them" }
            );
        }
    }
}

/// The error when no package is left to scan.
fn no_packages(
    dir: &Path,
    patterns: &[String],
    skipped: &[(String, String)],
    cgo: &CgoLeftOut,
) -> anyhow::Error {
    let cgo_hint = if skipped.is_empty() && cgo.is_off() && has_cgo_files(dir) {
        "; the Go files here use cgo and cgo is off (CGO_ENABLED=0, or no C compiler): set CGO_ENABLED=1 with a C compiler"
    } else {
        ""
    };
    UsageError::new(if skipped.is_empty() {
        format!(
            "scan: no packages match {}{}",
            patterns.join(" "),
            if cgo_hint.is_empty() {
                "; give package patterns such as ./..."
            } else {
                cgo_hint
            }
        )
    } else {
        format!(
            "scan: every package matching {} was skipped (see above); turn cgo on with CGO_ENABLED=1 and a C compiler",
            patterns.join(" ")
        )
    })
    .into()
}

/// What one compile gave: the packages listed, those skipped, the compiler's
/// evidence for the reported files, and the finder.
struct Listing<'a> {
    pkgs: &'a [Package],
    skipped: &'a [(String, String)],
    evidence: EvidenceFrom<'a>,
    finder: &'a Path,
}

/// Where the compiler's evidence for the reported files is.
enum EvidenceFrom<'a> {
    Parsed(Box<CompilerEvidence>),
    /// Spilled to `dir`: batch `batch` of `batches`.
    Spilled {
        dir: &'a Path,
        batch: usize,
        batches: usize,
    },
    /// go list failed: a build of the scanned packages gives it, or the
    /// compiler's error.
    Build,
}

/// The sites of the packages `opts` reports, out of one compile's listing;
/// `None` when no package is left to report.
fn classify_packages(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    opts: &Options,
    listing: Listing,
) -> Result<Option<(Vec<Site>, PathBuf)>> {
    let Listing {
        pkgs,
        skipped,
        evidence,
        finder,
    } = listing;
    let mut targets = golist::targets(pkgs, opts.tests);
    if let Some(only) = &opts.report_only {
        targets.retain(|p| only.contains(golist::reported_as(&p.import_path)));
    }
    if targets.is_empty() {
        return Ok(None);
    }
    let module_root = targets
        .iter()
        .find_map(|p| p.module.as_ref().and_then(|m| m.dir.clone()))
        .unwrap_or_else(|| dir.to_path_buf());
    let export = golist::export_files(pkgs);
    let input = FinderInput {
        goarch: tc.goarch.clone(),
        packages: targets
            .iter()
            .map(|p| FinderPackage {
                // "p [p.test]" is p compiled with its tests: report it as p.
                import_path: golist::without_variant(&p.import_path).to_string(),
                files: golist::compiled_files(p),
                import_map: p.import_map.clone(),
            })
            .collect(),
        export,
    };
    // Only sites in the packages' own files: cgo's generated Go lives in the
    // build cache and is not the user's code.
    let own_dirs: Vec<&Path> = targets.iter().map(|p| p.dir.as_path()).collect();
    let found: Vec<Found> =
        crate::cli::timings::phase("finder", || run_finder(tc, finder, &input))?
            .into_iter()
            .filter(|f| own_dirs.iter().any(|d| Path::new(&f.file).starts_with(d)))
            .collect();
    let single_main = targets.len() == 1 && targets[0].name == "main";
    // With packages skipped, build exactly the ones scanned.
    let build_patterns: Vec<String> = if skipped.is_empty() {
        patterns.to_vec()
    } else {
        let mut v: Vec<String> = targets
            .iter()
            .map(|p| golist::without_variant(&p.import_path).to_string())
            .collect();
        v.dedup();
        v
    };
    let main_packages: std::collections::HashSet<String> = targets
        .iter()
        .filter(|p| p.name == "main")
        .map(|p| golist::without_variant(&p.import_path).to_string())
        .collect();
    let evidence = match evidence {
        EvidenceFrom::Parsed(ev) => *ev,
        EvidenceFrom::Spilled {
            dir,
            batch,
            batches,
        } => {
            let mut wanted = evidence::Wanted::default();
            for f in &found {
                let lines = wanted.lines.entry(PathBuf::from(&f.file)).or_default();
                lines.insert(f.line);
                lines.insert(f.code_line);
                wanted
                    .functions
                    .insert(listed_function(&f.function, &main_packages).into_owned());
            }
            evidence::read_batch(dir, batch, batches, &wanted)?
        }
        EvidenceFrom::Build => compiler_evidence(tc, dir, &build_patterns, opts, single_main)?,
    };
    let arch =
        Arch::by_name(&tc.goarch).with_context(|| format!("unknown GOARCH {:?}", tc.goarch))?;
    let mut sites: Vec<Site> = found
        .into_iter()
        .map(|f| {
            let compiled = evidence
                .functions
                .contains(listed_function(&f.function, &main_packages).as_ref());
            classify_site(f, compiled, &evidence, &arch, tc, &module_root)
        })
        .collect();
    sites.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    Ok(Some((sites, module_root)))
}

/// The files of a package that cgo being off leaves out: those go would
/// compile as cgo files with cgo on. A file that imports "C" but is left out
/// by another constraint (`//go:build darwin` on linux, `_plan9.go`) is not
/// one of them: it is not compiled with cgo on either.
struct CgoLeftOut<'a> {
    tc: &'a Toolchain,
    dir: &'a Path,
    tags: Option<String>,
    off: std::cell::OnceCell<bool>,
}

impl<'a> CgoLeftOut<'a> {
    fn new(tc: &'a Toolchain, dir: &'a Path, tags: Option<String>) -> Self {
        CgoLeftOut {
            tags,
            tc,
            dir,
            off: Default::default(),
        }
    }

    /// Whether the user's go commands build without cgo (go is asked once).
    fn is_off(&self) -> bool {
        *self.off.get_or_init(|| cgo_is_off(self.tc, self.dir))
    }

    /// Asks go (only for a package with an ignored file that imports "C")
    /// whether cgo is off, then which of those files it would compile with
    /// cgo on.
    fn files(&self, p: &Package) -> Vec<String> {
        let ignored = p.ignored_cgo_files();
        if ignored.is_empty() || !self.is_off() {
            return Vec::new();
        }
        #[derive(serde::Deserialize)]
        struct CgoFiles {
            #[serde(rename = "CgoFiles", default)]
            files: Vec<String>,
        }
        let path = golist::without_variant(&p.import_path);
        let with_cgo = crate::cli::interrupt::output(
            self.tc
                .user_command(self.dir)
                .env("CGO_ENABLED", "1")
                .args(["list", "-e", "-json=CgoFiles"])
                .args(&self.tags)
                .arg(path),
        )
        .ok()
        .and_then(|o| serde_json::from_slice::<CgoFiles>(&o.stdout).ok());
        match with_cgo {
            Some(c) => ignored
                .into_iter()
                .filter(|f| c.files.contains(f))
                .collect(),
            // go could not say: every candidate, as before this check.
            None => ignored,
        }
    }
}

/// Whether the user's go commands build without cgo.
fn cgo_is_off(tc: &Toolchain, dir: &Path) -> bool {
    crate::cli::interrupt::output(tc.user_command(dir).args(["env", "CGO_ENABLED"]))
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Whether a Go file under `dir` (looking at a bounded number) imports "C".
fn has_cgo_files(dir: &Path) -> bool {
    let mut stack = vec![dir.to_path_buf()];
    let mut budget = 10_000;
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            budget -= 1;
            if budget == 0 {
                return false;
            }
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "go")
                && std::fs::read_to_string(&p).is_ok_and(|s| s.contains("import \"C\""))
            {
                return true;
            }
        }
    }
    false
}

/// The `-gcflags` that make the compiler print the listing and its decisions.
/// Without DWARF: nothing runs what scan compiles, the functions' code and
/// listing are the same without it (compared instruction by instruction on
/// std packages), and the compiler has less to make and print (2–4 % of a
/// cold scan of net/http and its neighbours).
fn gcflags_for(tc: &Toolchain, opts: &Options) -> String {
    // -m=2: each escaping value's flow, for the site's why.
    let flags = format!(
        "{} -dwarf=false",
        crate::matrix::classify::gcflags_at(
            tc.version,
            crate::matrix::classify::EscapeDetail::Flows
        )
    );
    if opts.deps {
        format!("-gcflags=all={flags}")
    } else {
        format!("-gcflags={flags}")
    }
}

/// A hasher seeded with what the finder's behaviour depends on: its source
/// and the toolchain that builds it.
fn finder_hasher(tc: &Toolchain) -> std::collections::hash_map::DefaultHasher {
    tc.helper_hasher(FINDER_GO)
}

/// Where the finder's output for exactly this input is cached: keyed on the
/// finder (source, Go version), the input (packages, files, export data,
/// whose file names in Go's cache change with their content) and each source
/// file's size and modification time.
fn finder_results_file(tc: &Toolchain, json: &[u8], input: &FinderInput) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    let mut h = finder_hasher(tc);
    json.hash(&mut h);
    for p in &input.packages {
        for f in &p.files {
            let m = std::fs::metadata(f).ok()?;
            (m.len(), m.modified().ok()?).hash(&mut h);
        }
    }
    for e in input.export.values() {
        // A file of Go's build cache is named by its content's hash (its
        // output ID): the name, already in `json`, says what it holds, while
        // its mtime changes when the cache is rebuilt or Go marks it used.
        if !is_go_cache_output(Path::new(e)) {
            let m = std::fs::metadata(e).ok()?;
            (m.len(), m.modified().ok()?).hash(&mut h);
        }
    }
    Some(
        crate::go::toolchain::cache_dir()?
            .join("finder-results")
            .join(format!("{:016x}.jsonl", h.finish())),
    )
}

/// Whether `path` is named as Go's build cache names an output: 64 hex
/// digits of its content's SHA-256 and `-d`.
fn is_go_cache_output(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix("-d"))
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn parse_found(stdout: &[u8]) -> Result<Vec<Found>> {
    let mut found = Vec::new();
    for line in stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        found.push(serde_json::from_slice(line).context("reading the finder's output")?);
    }
    Ok(found)
}

fn run_finder(tc: &Toolchain, exe: &Path, input: &FinderInput) -> Result<Vec<Found>> {
    let json = serde_json::to_vec(input)?;
    let cached = finder_results_file(tc, &json, input);
    if let Some(found) = cached
        .as_ref()
        .and_then(|c| std::fs::read(c).ok())
        .and_then(|b| parse_found(&b).ok())
    {
        return Ok(found);
    }
    // A build cache shared through GOCACHEPROG holds them too: a machine
    // sharing the store does not type-check again what another did.
    let mut store =
        crate::go::cacheprog::CacheProg::start(std::env::var("GOCACHEPROG").ok().as_deref());
    let shared_key = store.as_ref().and_then(|_| shared_finder_key(tc, input));
    if let (Some(s), Some(key)) = (store.as_mut(), shared_key.as_ref()) {
        if let Some(body) = s.get(key) {
            if let Ok(found) = parse_found(&body) {
                if let Some(c) = &cached {
                    crate::cli::output::write_cache(c, &body);
                }
                return Ok(found);
            }
        }
    }
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-finder-")?;
    let input_file = tmp.path().join("input.json");
    std::fs::write(&input_file, &json)?;
    let out = crate::cli::interrupt::output(std::process::Command::new(exe).arg(&input_file))
        .context("running the conversion finder")?;
    if !out.status.success() {
        return Err(GoCommandFailed {
            command: "type-checking the packages".into(),
            output: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
        .into());
    }
    let found = parse_found(&out.stdout)?;
    if let Some(c) = cached {
        crate::cli::output::write_cache(&c, &out.stdout);
    }
    if let (Some(s), Some(key)) = (store.as_mut(), shared_key.as_ref()) {
        s.put(key, &out.stdout);
    }
    Ok(found)
}

/// The finder's results' key in a shared store: what they depend on, by
/// content rather than by where it lies on this machine — the finder's
/// source, the Go version and GOARCH, each package's import path, import map
/// and files (path and content: the results name the files), and each
/// export data file's content.
fn shared_finder_key(
    tc: &Toolchain,
    input: &FinderInput,
) -> Option<crate::go::cacheprog::ActionId> {
    use sha2::{Digest, Sha256};
    let mut parts: Vec<Vec<u8>> = vec![
        b"ifacealloc finder results 1".to_vec(),
        FINDER_GO.as_bytes().to_vec(),
        tc.goversion.as_bytes().to_vec(),
        input.goarch.as_bytes().to_vec(),
    ];
    for p in &input.packages {
        parts.push(p.import_path.as_bytes().to_vec());
        parts.push(serde_json::to_vec(&p.import_map).ok()?);
        for f in &p.files {
            parts.push(f.as_bytes().to_vec());
            parts.push(Sha256::digest(std::fs::read(f).ok()?).to_vec());
        }
    }
    for (path, file) in &input.export {
        parts.push(path.as_bytes().to_vec());
        parts.push(export_digest(file)?.to_vec());
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Some(crate::go::cacheprog::action_id(&refs))
}

/// The SHA-256 of an export data file, read once per run: every batch's
/// key names every package's export data.
fn export_digest(file: &str) -> Option<[u8; 32]> {
    use sha2::{Digest, Sha256};
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashMap<String, [u8; 32]>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(d) = seen.lock().unwrap_or_else(|e| e.into_inner()).get(file) {
        return Some(*d);
    }
    let d: [u8; 32] = Sha256::digest(std::fs::read(file).ok()?).into();
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(file.to_string(), d);
    Some(d)
}

fn compiler_evidence(
    tc: &Toolchain,
    dir: &Path,
    patterns: &[String],
    opts: &Options,
    single_main: bool,
) -> Result<CompilerEvidence> {
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-scan-")?;
    let gcflags = gcflags_for(tc, opts);
    // Nothing is written into the user's tree: test binaries and a lone main
    // package's binary go to the temporary directory; go build discards the
    // rest by itself.
    let outdir = format!("{}/", tmp.path().display());
    let mut args: Vec<&str> = if opts.tests {
        vec!["test", "-c", "-o", &outdir, &gcflags]
    } else if single_main {
        vec!["build", "-o", &outdir, &gcflags]
    } else {
        vec!["build", &gcflags]
    };
    let tags = opts.tags_flag();
    if let Some(t) = &tags {
        args.push(t);
    }
    args.extend(patterns.iter().map(String::as_str));
    let mut cmd = tc.user_command(dir);
    cmd.args(&args);
    // The listing is parsed as the compiler prints it (build and parse
    // overlap); its messages are kept for the error if the build fails.
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut tracked = crate::cli::interrupt::spawn(&mut cmd).context("running go build")?;
    let stderr = tracked.child.stderr.take().expect("piped stderr");
    let mut kept: Vec<u8> = Vec::new();
    let parsed = crate::cli::timings::phase("build and parse", || {
        parse_evidence(
            KeepMessages {
                inner: stderr,
                kept: &mut kept,
                at_start: true,
                keeping: true,
            },
            dir,
            opts.report_dirs.as_deref(),
            opts.report_only.as_ref(),
        )
    });
    if parsed.is_err() {
        tracked.kill_group();
    }
    let status = tracked.child.wait().context("waiting for go build")?;
    if !status.success() {
        return Err(GoCommandFailed {
            command: format!("go {}", args.join(" ")),
            output: diag::compiler_errors(&String::from_utf8_lossy(&kept)),
        }
        .into());
    }
    parsed
}

/// `path/file.go:LINE:COL` → its parts.
fn split_position(at: &str) -> Option<(&str, u32, u32)> {
    let (rest, col) = at.rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    Some((file, line.parse().ok()?, col.parse().ok()?))
}

/// The compiler's explanation of why the site's value escapes: at the
/// conversion's position, or for a call's result at its '(' — where only a
/// result (`~r0`, the compiler's temporary for it, or the call itself) is
/// taken, since an inlined body's own values may be explained there too.
fn flow_of<'a>(
    f: &Found,
    abs_file: &Path,
    ev: &'a CompilerEvidence,
) -> Option<&'a diag::EscapeFlow> {
    let at = |col: u32| ev.flows.get(&(ev.fid(abs_file), f.code_line, col));
    at(f.code_column).or_else(|| {
        (f.call_column > 0)
            .then(|| at(f.call_column))
            .flatten()
            .filter(|fl| {
                fl.subject.starts_with("~r")
                    || fl.subject.starts_with(".autotmp_")
                    || fl.subject.ends_with(')')
            })
    })
}

/// A site's why, full flow and flow places, from the compiler's explanation.
fn explained(
    flow: Option<&diag::EscapeFlow>,
    function: &str,
    root: &Path,
) -> (Option<String>, Vec<String>, Vec<FlowPlace>) {
    let Some(flow) = flow else {
        return (None, Vec::new(), Vec::new());
    };
    let mut shown = flow.clone();
    let mut places = Vec::new();
    for n in shown.steps.iter_mut().flat_map(|s| s.notes.iter_mut()) {
        if let Some((file, line, column)) = split_position(&n.at) {
            let abs_file = PathBuf::from(file);
            if n.why != "spill" {
                places.push(FlowPlace {
                    abs_file: abs_file.clone(),
                    line,
                    column,
                    text: format!("{}: {}", n.why, n.expr),
                });
            }
            n.at = format!("{}:{line}:{column}", module_relative(&abs_file, root));
        }
    }
    (flow.condensed(function), shown.lines(), places)
}

/// `compiled`: whether the listing has the site's own function (emitted,
/// if only empty).
fn classify_site(
    f: Found,
    compiled: bool,
    ev: &CompilerEvidence,
    arch: &Arch,
    tc: &Toolchain,
    root: &Path,
) -> Site {
    if f.generic {
        return classify_generic(f, ev, arch, tc, root);
    }
    let abs_file = PathBuf::from(&f.file);
    let (routine, evidence) = read_routine(&f, &abs_file, compiled, ev, arch, tc);
    let here = ev.by_line.get(&(ev.fid(&abs_file), f.code_line));
    let inlined_into: Vec<String> = here
        .map(|v| {
            let mut names: Vec<String> = v
                .iter()
                .filter(|(func, e)| e.routine == routine && !is_own_function(&f.function, func))
                .map(|(func, _)| func.clone())
                .collect();
            names.sort();
            names.dedup();
            names
        })
        .unwrap_or_default();
    // Padding the compiler copies past (the value is copied field by field,
    // then read as one word): see docs/rules.md.
    let unset_padding = f.padding > 0
        && if tc.version.minor >= rules::SSA_ZERO_SIZE_SINCE {
            f.ssa_zero_size
        } else {
            f.ssa
        };
    // No code or no evidence: no allocation is claimed.
    let bytes = rules::alloc_request(routine, f.size, arch)
        .filter(|_| evidence.shows_routine())
        .map(|(size, scan)| rules::heap_bytes(size, scan, tc.version, arch, 16384).1)
        .unwrap_or(0.0);
    let flow = flow_of(&f, &abs_file, ev)
        .filter(|_| evidence.shows_routine() && Verdict::of(routine) != Verdict::Never);
    let (why, escape_flow, flow_steps) = explained(flow, &f.function, root);
    Site {
        why,
        escape_flow,
        flow_steps,
        file: module_relative(&abs_file, root),
        line: f.line,
        column: f.column,
        end_line: f.end_line,
        end_column: f.end_column,
        function: f.function,
        type_name: f.type_name,
        routine,
        routine_shown: if evidence == Evidence::NoCode {
            "removed"
        } else {
            routine.name()
        },
        verdict: match evidence {
            Evidence::NoCode => Verdict::Never,
            Evidence::None => Verdict::Unknown,
            _ => Verdict::of(routine),
        },
        reason: match evidence {
            Evidence::NoCode => Some("removed by the compiler: dead code"),
            Evidence::None => Some("the compiler's output shows no routine for this conversion"),
            _ => None,
        },
        bytes,
        condition: if evidence.shows_routine() {
            Verdict::condition_with(routine, unset_padding)
        } else {
            None
        },
        expr: f.expr,
        inlined_into,
        evidence,
        instantiations: Vec::new(),
        profile_bytes: 0,
        profile_allocs: 0,
        abs_file,
    }
}

/// Whether `name` (a function in the listing) is the site's own function
/// `function`, as the listing may spell it (a method's short name).
fn is_own_function(function: &str, name: &str) -> bool {
    name == function || name.ends_with(&format!(".{}", short(function)))
}

/// The routine of a non-generic site and where it was read: the rules decide
/// what the layout and the syntax alone decide; the compiler's output the rest
/// (whether the value escapes), strongest evidence first.
fn read_routine(
    f: &Found,
    abs_file: &Path,
    compiled: bool,
    ev: &CompilerEvidence,
    arch: &Arch,
    tc: &Toolchain,
) -> (Routine, Evidence) {
    let facts = TypeFacts {
        layout: Layout {
            size: f.size,
            align: f.align,
            ptr_bytes: f.ptr_bytes,
        },
        direct_by_kind: f.direct_by_kind,
        sole: f.sole,
    };
    let how = match f.literal {
        _ if f.constant => How::Constant,
        Literal::Zero => How::ConstLiteral { zero: true },
        Literal::Const => How::ConstLiteral { zero: false },
        Literal::Other => How::Escaping,
    };
    let decision = rules::decide(&facts, how, tc.version, arch);
    let runtime = decision.runtime;
    let fid = ev.fid(abs_file);
    let at_line = (fid, f.code_line);
    let at_code = (fid, f.code_line, f.code_column);
    let here = ev.by_line.get(&at_line);
    // Prefer the evidence compiled into the site's own function.
    let pick_kind = |want: &dyn Fn(Routine) -> bool| -> Option<Routine> {
        here.and_then(|v| {
            v.iter()
                .filter(|(_, e)| want(e.routine))
                .min_by_key(|(func, _)| !is_own_function(&f.function, func))
                .map(|(_, e)| e.routine)
        })
    };
    let by_layout = matches!(
        decision.routine,
        Routine::Direct | Routine::Zerobase | Routine::Staticuint64s
    );
    if let Some(r) = ev.debug.get(&at_code) {
        return (*r, Evidence::EscapeDebug);
    }
    if by_layout || (how == How::Constant && decision.routine == Routine::Readonly) {
        return (decision.routine, Evidence::Layout);
    }
    if let Some(r) = pick_kind(&|r| r == runtime) {
        return (r, Evidence::Listing);
    }
    if decision.routine != runtime {
        // A constant composite literal laid out statically (Go ≥ 1.25).
        return (decision.routine, Evidence::Layout);
    }
    if let Some(r) =
        pick_kind(&|r| matches!(r, Routine::Stack | Routine::Readonly | Routine::ZeroVal))
    {
        return (r, Evidence::Listing);
    }
    if f.size <= 1024 && ev.no_escape.contains(&at_code) {
        // Escape analysis kept it local; the code may even have been folded away.
        return (Routine::Stack, Evidence::NoEscape);
    }
    if f.function.ends_with(".init") && here.is_none() {
        // A package-level initializer with no code of its own: the compiler's
        // static initialization laid the value out as read-only data.
        return (Routine::Readonly, Evidence::StaticInit);
    }
    // Escape analysis runs before dead code goes: a diagnostic at the
    // compiler's position is no sign of code, so the start is asked.
    let diagnosed = ev.diagnosed.contains(&(fid, f.line, f.column));
    if compiled && !ev.code.contains(&at_line) && !diagnosed {
        // The function was compiled, but nothing at all at this position:
        // the compiler removed the code (`if debug { ... }` with a constant
        // false, an unreachable branch). It cannot allocate.
        return (runtime, Evidence::NoCode);
    }
    // Code or a diagnostic is there, but none that shows this conversion's
    // routine: no guess.
    (runtime, Evidence::None)
}

/// A conversion in generic code: one result per instantiation the listing
/// holds (functions named `pkg.F[shape]`), from the runtime call or global at
/// the site's line in each; none compiled is `unknown (not instantiated)`.
fn classify_generic(
    f: Found,
    ev: &CompilerEvidence,
    arch: &Arch,
    tc: &Toolchain,
    root: &Path,
) -> Site {
    let abs_file = PathBuf::from(&f.file);
    let base = short(&f.function).to_string();
    let mut inst: BTreeMap<String, Instantiation> = BTreeMap::new();
    if let Some(here) = ev.by_line.get(&(ev.fid(&abs_file), f.code_line)) {
        for (func, e) in here {
            // `pkg.F[shape]`, or `pkg.F[shape].func1` for a closure in F.
            let Some((head, shape, tail)) = split_instance(func) else {
                continue;
            };
            if format!("{}{tail}", short(head)) != base {
                continue;
            }
            // The GC-shape body holds the conversion; a `F[int64]` wrapper
            // only calls it (or inlines it, the same routine).
            let bytes = match e.routine {
                Routine::ConvT16 => Some(2),
                Routine::ConvT32 => Some(4),
                Routine::ConvT64 => Some(8),
                Routine::ConvTstring | Routine::ConvTslice => Some(0),
                Routine::ConvT | Routine::ConvTnoptr => shape_size(shape, arch),
                _ => None,
            }
            .and_then(|size| rules::alloc_request(e.routine, size, arch))
            .map(|(size, scan)| rules::heap_bytes(size, scan, tc.version, arch, 16384).1)
            .unwrap_or(0.0);
            let candidate = Instantiation {
                shape: shape.to_string(),
                routine: e.routine,
                verdict: Verdict::of(e.routine),
                bytes,
            };
            // Per shape, the strongest evidence (a runtime call over a global).
            let keep = inst.get(shape).is_none_or(|old| {
                old.routine.runtime_func().is_none() && e.routine.runtime_func().is_some()
            });
            if keep {
                inst.insert(shape.to_string(), candidate);
            }
        }
    }
    // A `F[int64]` wrapper repeats its `F[go.shape.int64]` body: keep the shape.
    let shapes: Vec<String> = inst
        .keys()
        .filter(|k| k.starts_with("go.shape."))
        .cloned()
        .collect();
    // A `F[pkg.T]` wrapper whose body inlined its shape's (convT or
    // convTnoptr, whose bytes only the shape's layout gives) repeats a shape
    // body listed too: keep the shape's.
    let shape_routines: Vec<Routine> = inst
        .values()
        .filter(|i| i.shape.starts_with("go.shape."))
        .map(|i| i.routine)
        .collect();
    let instantiations: Vec<Instantiation> = inst
        .into_values()
        .filter(|i| {
            i.shape.starts_with("go.shape.")
                || !(shapes.contains(&format!("go.shape.{}", i.shape))
                    || matches!(i.routine, Routine::ConvT | Routine::ConvTnoptr)
                        && shape_routines.contains(&i.routine))
        })
        .collect();
    let worst = instantiations.iter().max_by_key(|i| i.verdict);
    let (routine, verdict, bytes, evidence, reason) = match worst {
        Some(w) => (
            w.routine,
            w.verdict,
            instantiations.iter().map(|i| i.bytes).fold(0.0, f64::max),
            Evidence::Listing,
            None,
        ),
        None => (
            Routine::ConvT,
            Verdict::Unknown,
            0.0,
            Evidence::None,
            Some("not instantiated: the build compiled no instantiation of this generic code"),
        ),
    };
    let flow = flow_of(&f, &abs_file, ev).filter(|_| verdict > Verdict::Never);
    let (why, escape_flow, flow_steps) = explained(flow, &f.function, root);
    Site {
        why,
        escape_flow,
        flow_steps,
        file: module_relative(&abs_file, root),
        line: f.line,
        column: f.column,
        end_line: f.end_line,
        end_column: f.end_column,
        function: f.function,
        type_name: f.type_name,
        routine,
        routine_shown: if worst.is_some() {
            routine.name()
        } else {
            "unknown"
        },
        verdict,
        bytes,
        condition: if worst.is_some() {
            Verdict::condition(routine)
        } else {
            None
        },
        expr: f.expr,
        inlined_into: Vec::new(),
        evidence,
        reason,
        instantiations,
        profile_bytes: 0,
        profile_allocs: 0,
        abs_file,
    }
}

/// A path relative to the module root; absolute when outside it (GOROOT).
fn module_relative(abs: &Path, root: &Path) -> String {
    abs.strip_prefix(root).unwrap_or(abs).display().to_string()
}

/// The function name after the package path: `F` or `(*T).M` of `example.com/p.F`.
/// Splits a listing's `pkg.F[shape].rest` at its first bracketed type list,
/// brackets inside the shape (`[2]int`, `map[K]V`) matched.
fn split_instance(func: &str) -> Option<(&str, &str, &str)> {
    let open = func.find('[')?;
    let mut depth = 0usize;
    for (i, c) in func[open..].char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    let close = open + i;
                    return Some((&func[..open], &func[open + 1..close], &func[close + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// The size of a GC shape's type (`go.shape.struct { A int; p.b *int }`) on
/// `arch`, when its syntax is one the type parser reads: unexported fields'
/// package qualifiers are dropped (they do not change the layout).
fn shape_size(shape: &str, arch: &Arch) -> Option<u64> {
    static QUALIFIED_FIELD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"([{;] )[^ ;{}]+\.([A-Za-z_][A-Za-z0-9_]*) ").expect("valid regex")
    });
    let ty = shape.strip_prefix("go.shape.")?;
    let ty = QUALIFIED_FIELD.replace_all(ty, "$1$2 ");
    let t = crate::model::gotype::parse(&ty, &crate::model::gotype::Defs::new()).ok()?;
    Some(t.layout(arch).size)
}

/// A function as the listing names it: `main.F` for a main package's
/// (`example.com/cmd.F` to the finder), else as the finder does.
fn listed_function<'a>(
    function: &'a str,
    main_packages: &std::collections::HashSet<String>,
) -> std::borrow::Cow<'a, str> {
    let in_main = main_packages.iter().any(|p| {
        function
            .strip_prefix(p.as_str())
            .is_some_and(|rest| rest.starts_with('.'))
    });
    if in_main {
        format!("main.{}", short(function)).into()
    } else {
        function.into()
    }
}

fn short(function: &str) -> &str {
    let seg = function.rfind('/').map(|i| i + 1).unwrap_or(0);
    match function[seg..].find('.') {
        Some(i) => &function[seg + i + 1..],
        None => function,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only Go's own cache names (content hash + `-d`) stand for their
    /// content in the finder's results key.
    #[test]
    fn go_cache_outputs_are_known_by_name() {
        let hash = "47d3dc6f75edf5d9d29013c25d243f4211956c63e6528d1418b5111f21ee098b";
        assert!(is_go_cache_output(Path::new(&format!("/c/47/{hash}-d"))));
        for other in [
            format!("/c/47/{hash}-a"),
            format!("/c/47/{}-d", &hash[1..]),
            format!("/c/47/{}x-d", &hash[1..]),
            "/tmp/pkg.a".to_string(),
            "-d".to_string(),
        ] {
            assert!(!is_go_cache_output(Path::new(&other)), "{other}");
        }
    }
}
