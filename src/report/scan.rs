//! `scan` output: text grouped by file, JSON, markdown and SARIF 2.1.0.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;
use serde_json::json;

use crate::cli::error::UsageError;
use crate::matrix::results::fmt_num;
use crate::report::markdown_cell as md;
use crate::scan::versions::{Result1, VersionedSite};
use crate::scan::{Site, Verdict};

/// Output format of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    Markdown,
    Sarif,
    /// A self-contained HTML report.
    Html,
}

/// `N sites: A always, C conditional, V never`, then the sites in code the
/// compiler removed (counted apart from `never`) and those left unknown.
pub fn summary(sites: &[Site]) -> String {
    let mut c = Counts::default();
    sites.iter().for_each(|s| c.add(s));
    c.summary()
}

/// Sites counted by verdict, as the summary line gives them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub sites: usize,
    pub always: usize,
    pub conditional: usize,
    pub never: usize,
    pub unknown: usize,
    /// In code the compiler removed (counted apart from the verdicts).
    pub removed: usize,
}

impl Counts {
    pub fn add(&mut self, s: &Site) {
        self.sites += 1;
        if s.removed() {
            self.removed += 1;
            return;
        }
        match s.verdict {
            Verdict::Always => self.always += 1,
            Verdict::Conditional => self.conditional += 1,
            Verdict::Never => self.never += 1,
            Verdict::Unknown => self.unknown += 1,
        }
    }

    pub fn summary(&self) -> String {
        let mut out = format!(
            "{}: {} always, {} conditional, {} never",
            plural(self.sites, "site"),
            self.always,
            self.conditional,
            self.never
        );
        if self.removed > 0 {
            out.push_str(&format!("; {} in code the compiler removed", self.removed));
        }
        if self.unknown > 0 {
            out.push_str(&format!("; {} unknown", self.unknown));
        }
        out
    }
}

/// `1 site`, `2 sites`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn bytes_cell(s: &Site) -> String {
    if matches!(s.verdict, Verdict::Never | Verdict::Unknown) {
        "-".to_string()
    } else {
        format!("{} B", fmt_num(s.bytes))
    }
}

/// How text output names files: under a heading per file (a terminal), or
/// `path/file.go:LINE:COL: ` on every line as Go's tools print (piped).
#[derive(Debug, Clone)]
pub enum TextStyle {
    Headings,
    /// Paths relative to this directory (the current one, as `go vet` prints them).
    GoStyle(std::path::PathBuf),
}

fn text_tail(s: &Site) -> String {
    let mut line = String::new();
    if s.profile_bytes > 0 {
        line.push_str(&format!(
            " (profile: {} B in {} allocs)",
            s.profile_bytes, s.profile_allocs
        ));
    }
    if let Some(c) = s.condition {
        line.push_str(&format!(" ({c})"));
    }
    if let Some(r) = s.reason {
        line.push_str(&format!(" ({r})"));
    }
    if !s.inlined_into.is_empty() {
        line.push_str(&format!(" [inlined into {}]", s.inlined_into.join(", ")));
    }
    if !s.instantiations.is_empty() {
        let each: Vec<String> = s
            .instantiations
            .iter()
            .map(|i| format!("{} {}", i.shape, i.routine))
            .collect();
        line.push_str(&format!(" [generic: {}]", each.join(", ")));
    } else if s.reason.is_some_and(|r| r.contains("not instantiated")) {
        line.push_str(" [generic]");
    }
    line
}

/// Text: headed by file on a terminal, Go's `file:line:col: ` lines when piped.
pub fn write_text(sites: &[Site], style: &TextStyle, out: &mut dyn Write) -> Result<()> {
    let mut w = SiteWriter::new(ScanFormat::Text, style.clone(), out);
    for s in sites {
        w.site(s)?;
    }
    w.finish().map(|_| ())
}

pub fn write(format: ScanFormat, sites: &[Site], out: &mut dyn Write) -> Result<()> {
    if format == ScanFormat::Html {
        let rows: Vec<crate::report::html::ScanRow> = sites
            .iter()
            .map(|s| crate::report::html::ScanRow {
                file: &s.file,
                line: s.line,
                column: s.column,
                function: &s.function,
                type_name: &s.type_name,
                routine: s.routine_shown,
                verdict: s.verdict.name(),
                bytes: s.bytes,
                evidence: s.evidence.name(),
                why: s.why.as_deref(),
                abs_file: &s.abs_file,
            })
            .collect();
        let html = crate::report::html::scan(&rows, &summary(sites))?;
        out.write_all(html.as_bytes())?;
        return Ok(());
    }
    let mut w = SiteWriter::new(format, TextStyle::Headings, out);
    for s in sites {
        w.site(s)?;
    }
    w.finish().map(|_| ())
}

/// Writes a scan report a site at a time, in the order given (the report's
/// order), so that a report of any size is written without holding its
/// sites: text, JSON, markdown and SARIF, byte for byte as [`write`] writes
/// them. HTML holds its rows and is not written this way.
pub struct SiteWriter<'a> {
    format: ScanFormat,
    style: TextStyle,
    out: &'a mut dyn Write,
    counts: Counts,
    /// The file of the last site written (text under headings).
    last_file: String,
    /// SARIF, once its first site has placed the root: the root, and the
    /// log's text after its results (their indentation, then the rest).
    sarif: Option<SarifStream>,
}

struct SarifStream {
    root: Option<std::path::PathBuf>,
    indent: String,
    tail: String,
}

impl<'a> SiteWriter<'a> {
    pub fn new(format: ScanFormat, style: TextStyle, out: &'a mut dyn Write) -> SiteWriter<'a> {
        assert!(
            format != ScanFormat::Html,
            "HTML is not written a site at a time"
        );
        SiteWriter {
            format,
            style,
            out,
            counts: Counts::default(),
            last_file: String::new(),
            sarif: None,
        }
    }

    pub fn site(&mut self, s: &Site) -> Result<()> {
        let first = self.counts.sites == 0;
        self.counts.add(s);
        let out = &mut *self.out;
        match self.format {
            ScanFormat::Text => match &self.style {
                TextStyle::Headings => {
                    if first || s.file != self.last_file {
                        writeln!(out, "{}", s.file)?;
                        self.last_file.clone_from(&s.file);
                    }
                    writeln!(
                        out,
                        "  {}:{}\t{:<11}\t{:>7}\t{:<13}\t{}\tin {}{}",
                        s.line,
                        s.column,
                        s.verdict.name(),
                        bytes_cell(s),
                        s.routine_shown,
                        s.type_name,
                        s.function,
                        text_tail(s)
                    )?;
                }
                TextStyle::GoStyle(cwd) => {
                    writeln!(
                        out,
                        "{}:{}:{}: {} {} {} {} in {}{}",
                        crate::cli::output::relative_to(&s.abs_file, cwd),
                        s.line,
                        s.column,
                        s.verdict.name(),
                        s.routine_shown,
                        s.type_name,
                        bytes_cell(s),
                        s.function,
                        text_tail(s)
                    )?;
                }
            },
            ScanFormat::Json => {
                // An element of serde_json's pretty array: two more spaces in.
                let pretty = serde_json::to_string_pretty(s)?.replace('\n', "\n  ");
                write!(out, "{}  {pretty}", if first { "[\n" } else { ",\n" })?;
            }
            ScanFormat::Markdown => {
                if first {
                    markdown_header(out)?;
                }
                writeln!(
                    out,
                    "| {}:{}:{} | {} | {} | {} | {} | {} |",
                    md(&s.file),
                    s.line,
                    s.column,
                    crate::report::markdown_code(&s.function),
                    crate::report::markdown_code(&s.type_name),
                    s.routine_shown,
                    s.verdict.name(),
                    bytes_cell(s)
                )?;
            }
            ScanFormat::Sarif => {
                if first {
                    let root = sarif_root(std::slice::from_ref(s));
                    let (head, indent, tail) = sarif_frame(&root)?;
                    out.write_all(head.as_bytes())?;
                    self.sarif = Some(SarifStream { root, indent, tail });
                }
                let st = self.sarif.as_ref().expect("set by the first site");
                let pretty = serde_json::to_string_pretty(&sarif_result(s, &st.root))?
                    .replace('\n', &format!("\n{}", st.indent));
                write!(
                    out,
                    "{}{}{pretty}",
                    if first { "\n" } else { ",\n" },
                    st.indent
                )?;
            }
            ScanFormat::Html => unreachable!("refused by SiteWriter::new"),
        }
        Ok(())
    }

    /// Ends the report; the sites' counts.
    pub fn finish(self) -> Result<Counts> {
        let out = self.out;
        let empty = self.counts.sites == 0;
        match self.format {
            ScanFormat::Text => writeln!(out, "{}", self.counts.summary())?,
            ScanFormat::Json => writeln!(out, "{}", if empty { "[]" } else { "\n]" })?,
            ScanFormat::Markdown => {
                if empty {
                    markdown_header(out)?;
                }
                writeln!(out, "\n{}", self.counts.summary())?;
            }
            ScanFormat::Sarif => match self.sarif {
                Some(st) => {
                    let close = &st.indent[..st.indent.len().saturating_sub(2)];
                    write!(out, "\n{close}]{}", st.tail)?;
                }
                None => {
                    serde_json::to_writer_pretty(&mut *out, &sarif_log(&None, Vec::new()))?;
                    writeln!(out)?;
                }
            },
            ScanFormat::Html => unreachable!("refused by SiteWriter::new"),
        }
        Ok(self.counts)
    }
}

fn markdown_header(out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "| Location | Function | Type | Routine | Verdict | Bytes |"
    )?;
    writeln!(out, "|:--|:--|:--|:--|:--|--:|")?;
    Ok(())
}

/// The SARIF log around its results, as `to_writer_pretty` prints it with
/// a newline after: the text up to the results array's `[`, the indentation
/// of its elements, and the text after the array's `]`.
fn sarif_frame(root: &Option<std::path::PathBuf>) -> Result<(String, String, String)> {
    let empty = serde_json::to_string_pretty(&sarif_log(root, Vec::new()))? + "\n";
    let key = "\"results\": []";
    let at = empty.find(key).expect("a SARIF log holds a results array");
    let line_start = empty[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = format!("{}  ", &empty[line_start..at]);
    let head = format!("{}\"results\": [", &empty[..at]);
    Ok((head, indent, empty[at + key.len()..].to_string()))
}

/// A SARIF 2.1.0 log: one rule per verdict, one result per site.
/// The root SARIF locations are relative to: the git repository holding the
/// sites (GitHub code scanning maps paths from the repository's root, also
/// for a module in a subfolder), else the module root.
fn sarif_root(sites: &[Site]) -> Option<std::path::PathBuf> {
    let first = sites.first()?;
    let repo = first
        .abs_file
        .ancestors()
        .skip(1)
        .find(|d| d.join(".git").exists())
        .map(std::path::Path::to_path_buf);
    repo.or_else(|| {
        // abs_file ends with the module-relative `file`.
        let depth = std::path::Path::new(&first.file).components().count();
        first
            .abs_file
            .ancestors()
            .nth(depth)
            .map(std::path::Path::to_path_buf)
    })
}

/// A path as a URI reference (RFC 3986): every byte but the unreserved
/// characters and `/` percent-encoded, so `c#frag.go`, `e?q.go` and
/// `f space.go` name files, not fragments or queries.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn sarif(sites: &[Site]) -> serde_json::Value {
    let root = sarif_root(sites);
    sarif_log(
        &root,
        sites.iter().map(|s| sarif_result(s, &root)).collect(),
    )
}

/// SARIF's rules: (id, short and full description, level), by verdict.
const SARIF_RULES: [(&str, &str, &str, &str); 3] = [
    (
        "iface-alloc-always",
        "Interface conversion always allocates",
        "convT/convTnoptr copy the value to the heap on every conversion.",
        "warning",
    ),
    (
        "iface-alloc-conditional",
        "Interface conversion allocates for some values",
        "convT16/32/64, convTstring and convTslice allocate unless the value is small, empty or nil.",
        "note",
    ),
    (
        "iface-alloc-never",
        "Interface conversion never allocates",
        "The data word is the value itself, a runtime global, read-only data or a stack temporary.",
        "none",
    ),
];

/// One site as a SARIF result, its paths relative to `root`.
fn sarif_result(s: &Site, root: &Option<std::path::PathBuf>) -> serde_json::Value {
    let rules = SARIF_RULES;
    let rel = |s: &Site| -> String {
        let p = root
            .as_ref()
            .and_then(|r| s.abs_file.strip_prefix(r).ok())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|| s.file.clone());
        uri_path(&p.replace('\\', "/"))
    };
    let i = match s.verdict {
        Verdict::Always => 0,
        Verdict::Conditional => 1,
        Verdict::Never | Verdict::Unknown => 2,
    };
    let mut text = format!(
        "Storing {} in an interface: {} via runtime path {}",
        s.type_name,
        match s.verdict {
            Verdict::Always => format!("allocates {} B", fmt_num(s.bytes)),
            Verdict::Conditional => format!(
                "allocates {} B {}",
                fmt_num(s.bytes),
                s.condition.unwrap_or("")
            ),
            Verdict::Never => "no allocation".to_string(),
            Verdict::Unknown => "not known (the compiler's output does not show it)".to_string(),
        },
        s.routine
    );
    if !s.inlined_into.is_empty() {
        text.push_str(&format!(" (inlined into {})", s.inlined_into.join(", ")));
    }
    text.push('.');
    if let Some(why) = &s.why {
        text.push_str(&format!(" It escapes: {why}."));
    }
    // The escape flow's steps, each where it happens.
    let related: Vec<serde_json::Value> = s
        .flow_steps
        .iter()
        // Places outside the repository (GOROOT's) have no URI there.
        .filter_map(|p| {
            let path = root.as_ref()?.join("");
            let rel = p.abs_file.strip_prefix(&path).ok()?;
            Some((p, rel.to_string_lossy().into_owned()))
        })
        .enumerate()
        .map(|(k, (p, path))| {
            json!({
                "id": k,
                "physicalLocation": {
                    "artifactLocation": { "uri": uri_path(&path.replace('\\', "/")), "uriBaseId": "%SRCROOT%" },
                    "region": { "startLine": p.line, "startColumn": p.column }
                },
                "message": { "text": p.text }
            })
        })
        .collect();
    json!({
        "ruleId": rules[i].0,
        "ruleIndex": i,
        "level": rules[i].3,
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": rel(s), "uriBaseId": "%SRCROOT%" },
                "region": { "startLine": s.line, "startColumn": s.column }
            },
            "logicalLocations": [{ "fullyQualifiedName": s.function, "kind": "function" }]
        }],
        "relatedLocations": related,
        "properties": {
            "routine": s.routine_shown,
            "evidence": s.evidence,
            "profile_bytes": s.profile_bytes,
            "profile_allocs": s.profile_allocs,
            "type": s.type_name,
            "bytes": s.bytes
        }
    })
}

/// The SARIF log of `results`, whose paths are relative to `root`.
fn sarif_log(
    root: &Option<std::path::PathBuf>,
    results: Vec<serde_json::Value>,
) -> serde_json::Value {
    let rules = SARIF_RULES;
    let root_uri = root.as_ref().map(|r| {
        let mut u = format!(
            "file://{}",
            uri_path(&r.to_string_lossy().replace('\\', "/"))
        );
        if !u.ends_with('/') {
            u.push('/');
        }
        u
    });
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ifacealloc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/golang/go/blob/master/src/runtime/iface.go",
                    "rules": rules.iter().map(|(id, short, full, level)| json!({
                        "id": id,
                        "name": id,
                        "shortDescription": { "text": short },
                        "fullDescription": { "text": full },
                        "defaultConfiguration": { "level": level }
                    })).collect::<Vec<_>>()
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": match &root_uri {
                Some(u) => json!({ "uri": u, "description": { "text": "The repository root (else the module root)" } }),
                None => json!({ "description": { "text": "The repository root (else the module root)" } }),
            } },
            "results": results
        }]
    })
}

#[derive(Serialize)]
struct VersionsReport<'a> {
    versions: &'a [String],
    sites: &'a [VersionedSite],
}

/// Writes the joined report: JSON with every site's per-version results, or
/// text/markdown listing what changes between consecutive versions.
pub fn write_versions(
    format: ScanFormat,
    versions: &[String],
    sites: &[VersionedSite],
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        ScanFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &VersionsReport { versions, sites })?;
            writeln!(out)?;
            return Ok(());
        }
        ScanFormat::Sarif | ScanFormat::Html => return Err(UsageError::new(
            "--format sarif describes one Go version; give --go one version, or use --format json",
        )
        .into()),
        _ => {}
    }
    let md = format == ScanFormat::Markdown;
    for pair in versions.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let diff: Vec<(&VersionedSite, Option<&Result1>, Option<&Result1>)> = sites
            .iter()
            .map(|s| (s, s.results.get(a), s.results.get(b)))
            .filter(|(_, x, y)| match (x, y) {
                (Some(x), Some(y)) => {
                    (x.routine, x.verdict, x.bytes.to_bits())
                        != (y.routine, y.verdict, y.bytes.to_bits())
                }
                _ => true,
            })
            .collect();
        let allocates = |r: Option<&Result1>| r.is_some_and(|r| r.verdict != Verdict::Never);
        let stop: Vec<_> = diff
            .iter()
            .filter(|(_, x, y)| allocates(*x) && !allocates(*y))
            .collect();
        let start: Vec<_> = diff
            .iter()
            .filter(|(_, x, y)| !allocates(*x) && allocates(*y))
            .collect();
        writeln!(
            out,
            "{}upgrading {a} → {b}: {} site{} change, {} stop allocating, {} start",
            if md { "## " } else { "" },
            diff.len(),
            if diff.len() == 1 { "" } else { "s" },
            stop.len(),
            start.len()
        )?;
        if md {
            writeln!(out)?;
        }
        for (s, x, y) in &diff {
            let show = |r: Option<&Result1>| match r {
                Some(r) => format!(
                    "{} {} {}",
                    r.verdict.name(),
                    r.routine,
                    if r.bytes > 0.0 {
                        format!("{} B", fmt_num(r.bytes))
                    } else {
                        "-".to_string()
                    }
                ),
                None => "not found".to_string(),
            };
            writeln!(
                out,
                "{}{}:{}:{}: {} → {}  {} in {}",
                if md { "- " } else { "  " },
                s.file,
                s.line,
                s.column,
                show(*x),
                show(*y),
                s.type_name,
                s.function
            )?;
        }
    }
    let changed = sites.iter().filter(|s| s.changed).count();
    writeln!(
        out,
        "{}{} on {}; {changed} differ between versions",
        if md { "\n" } else { "" },
        plural(sites.len(), "site"),
        versions.join(", ")
    )?;
    Ok(())
}
