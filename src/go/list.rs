//! `go list -json`: the packages behind patterns, with their files, export data
//! and errors. Shared by `lem` and `scan`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::go::command::GoCommandFailed;
use crate::go::toolchain::Toolchain;

/// One package as `go list -json` describes it (the fields this tool reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Package {
    pub import_path: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub dir: PathBuf,
    #[serde(default)]
    pub go_files: Vec<String>,
    #[serde(default)]
    pub test_go_files: Vec<String>,
    #[serde(default, rename = "XTestGoFiles")]
    pub xtest_go_files: Vec<String>,
    #[serde(default)]
    pub compiled_go_files: Vec<String>,
    #[serde(default)]
    pub export: Option<String>,
    #[serde(default)]
    pub import_map: BTreeMap<String, String>,
    #[serde(default)]
    pub dep_only: bool,
    #[serde(default)]
    pub module: Option<Module>,
    #[serde(default)]
    pub error: Option<PackageError>,
    #[serde(default)]
    pub ignored_go_files: Vec<String>,
}

impl Package {
    /// Files of this package that use cgo (`import "C"`) but were left out of
    /// the build because cgo is off.
    pub fn ignored_cgo_files(&self) -> Vec<String> {
        self.ignored_go_files
            .iter()
            .filter(|f| {
                std::fs::read_to_string(self.dir.join(f))
                    .is_ok_and(|src| src.contains("import \"C\"") || src.contains("\t\"C\"\n"))
            })
            .cloned()
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Module {
    #[serde(default)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageError {
    pub err: String,
}

/// Runs `go list -e -json <flags> <patterns>` in `dir` (the user's GOFLAGS; never -mod=mod,
/// so the user's go.mod and go.sum are never rewritten). Any package error, or
/// a failed command, is one error carrying Go's own messages.
pub fn list(
    tc: &Toolchain,
    dir: &Path,
    flags: &[&str],
    patterns: &[String],
) -> Result<Vec<Package>> {
    list_skipping(tc, dir, flags, patterns, |_| None).map(|(pkgs, _)| pkgs)
}

/// The packages the patterns named, out of a `-deps` listing: with `tests`
/// (a `-test` listing), each package's test variant (`p [p.test]`) stands
/// for it; the generated test mains (`p.test`) are left out.
pub fn targets(pkgs: &[Package], tests: bool) -> Vec<&Package> {
    pkgs.iter()
        .filter(|p| !p.dep_only && !p.import_path.ends_with(".test"))
        .filter(|p| {
            if tests {
                p.import_path.contains(" [")
                    || !pkgs
                        .iter()
                        .any(|q| q.import_path.starts_with(&format!("{} [", p.import_path)))
            } else {
                !p.import_path.contains(" [")
            }
        })
        .collect()
}

/// An import path without its test variant (`p` for `p [p.test]`).
pub fn without_variant(import_path: &str) -> &str {
    import_path.split(" [").next().unwrap_or(import_path)
}

/// The package a listed package is reported with: `p` for itself, for `p
/// [p.test]` (p with its tests) and for `p_test [p.test]` (its external
/// tests, in its folder).
pub fn reported_as(import_path: &str) -> &str {
    match import_path.split_once(" [") {
        Some((path, _)) => path.strip_suffix("_test").unwrap_or(path),
        None => import_path,
    }
}

/// Each package's export data file (`go list -export`), by import path:
/// what a go/types importer reads.
pub fn export_files(pkgs: &[Package]) -> BTreeMap<String, String> {
    pkgs.iter()
        .filter_map(|p| {
            p.export
                .as_ref()
                .map(|e| (p.import_path.clone(), e.clone()))
        })
        .collect()
}

/// A package's Go files as the compiler gets them, as absolute paths.
pub fn compiled_files(p: &Package) -> Vec<String> {
    let names = if p.compiled_go_files.is_empty() {
        &p.go_files
    } else {
        &p.compiled_go_files
    };
    // CompiledGoFiles are all Go source, though cgo's output in the build
    // cache has no .go suffix; GoFiles may list other kinds.
    let compiled = !p.compiled_go_files.is_empty();
    names
        .iter()
        .filter(|f| compiled || f.ends_with(".go"))
        .map(|f| {
            let path = Path::new(f);
            if path.is_absolute() {
                f.clone()
            } else {
                p.dir.join(f).display().to_string()
            }
        })
        .collect()
}

/// Reads `go list -json` output: a stream of JSON objects, one per package.
pub fn decode(stdout: &[u8]) -> Result<Vec<Package>> {
    serde_json::Deserializer::from_slice(stdout)
        .into_iter::<Package>()
        .map(|p| p.context("reading go list output"))
        .collect()
}

/// Packages, and (import path, reason) of each package left out.
pub type Listed = (Vec<Package>, Vec<(String, String)>);

/// Like [`list`], but a package with an error for which `skip` gives a reason
/// is left out instead of failing the whole list: (packages, (import path,
/// reason) of each skipped one).
pub fn list_skipping(
    tc: &Toolchain,
    dir: &Path,
    flags: &[&str],
    patterns: &[String],
    skip: impl Fn(&Package) -> Option<String>,
) -> Result<Listed> {
    list_inner(tc, dir, flags, patterns, &skip)
}

/// Like [`list_skipping`] with `-export`, compiling the named packages with
/// `gcflags` (e.g. `-gcflags=-S -m`): the compiler's output on stderr (fresh,
/// or replayed from Go's cache) goes to `read_stderr` while the listing is
/// read, so one go command both lists and compiles. On any failure the listing
/// is run again without the flags, for go's own error message, and the second
/// value is `None`.
pub fn list_compiling<R: Send>(
    tc: &Toolchain,
    dir: &Path,
    flags: &[&str],
    gcflags: &str,
    patterns: &[String],
    skip: impl Fn(&Package) -> Option<String>,
    read_stderr: impl FnOnce(Box<dyn std::io::Read + Send>) -> R + Send,
) -> Result<(Listed, Option<R>)> {
    let mut args = vec!["list", "-e", "-json"];
    args.extend_from_slice(flags);
    args.push(gcflags);
    args.extend(patterns.iter().map(String::as_str));
    let mut cmd = tc.user_command(dir);
    cmd.args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut t = crate::cli::interrupt::spawn(&mut cmd).context("running go list")?;
    let stderr = t.child.stderr.take().expect("piped stderr");
    let (decoded, from_stderr) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_stderr(Box::new(stderr)));
        let decoded = match t.child.stdout.take() {
            Some(p) => decode_slim(p),
            None => Ok(Vec::new()),
        };
        (decoded, reader.join())
    });
    let status = t.child.wait().context("running go list")?;
    let listed = match (decoded, from_stderr) {
        (Ok(pkgs), Ok(r)) => finish_packages(pkgs, status.success(), "", &args, &skip)
            .map(|l| (l, r))
            .ok(),
        _ => None,
    };
    match listed {
        Some((l, r)) => Ok((l, Some(r))),
        None => Ok((list_inner(tc, dir, flags, patterns, &skip)?, None)),
    }
}

fn list_inner(
    tc: &Toolchain,
    dir: &Path,
    flags: &[&str],
    patterns: &[String],
    skip: &dyn Fn(&Package) -> Option<String>,
) -> Result<Listed> {
    let mut args = vec!["list", "-e", "-json"];
    args.extend_from_slice(flags);
    args.extend(patterns.iter().map(String::as_str));
    let mut cmd = tc.user_command(dir);
    cmd.args(&args);
    let out = crate::cli::interrupt::output(&mut cmd).context("running go list")?;
    finish(out, &args, skip)
}

/// `go list -json`'s packages decoded as they stream from `stdout`, those
/// only depended on kept with what a scan reads of them (import path,
/// export data, error): the list of a large tree's dependencies stays small.
/// The output is read to its end, whatever it holds.
fn decode_slim(stdout: impl std::io::Read) -> Result<Vec<Package>> {
    let mut reader = std::io::BufReader::new(stdout);
    let mut pkgs = Vec::new();
    let mut failed = None;
    for p in serde_json::Deserializer::from_reader(&mut reader).into_iter::<Package>() {
        match p {
            Ok(mut p) => {
                if p.dep_only {
                    p.go_files = Vec::new();
                    p.test_go_files = Vec::new();
                    p.xtest_go_files = Vec::new();
                    p.compiled_go_files = Vec::new();
                    p.ignored_go_files = Vec::new();
                    p.import_map = BTreeMap::new();
                }
                pkgs.push(p);
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    // go waits for its output to be read.
    std::io::copy(&mut reader, &mut std::io::sink()).context("reading go list output")?;
    match failed {
        Some(e) => Err(e).context("reading go list output"),
        None => Ok(pkgs),
    }
}

/// The packages of a finished `go list -json`, or go's error.
fn finish(
    out: std::process::Output,
    args: &[&str],
    skip: &dyn Fn(&Package) -> Option<String>,
) -> Result<Listed> {
    finish_packages(
        decode(&out.stdout)?,
        out.status.success(),
        &String::from_utf8_lossy(&out.stderr),
        args,
        skip,
    )
}

/// [`finish`] for packages already decoded.
fn finish_packages(
    decoded: Vec<Package>,
    succeeded: bool,
    stderr: &str,
    args: &[&str],
    skip: &dyn Fn(&Package) -> Option<String>,
) -> Result<Listed> {
    let mut pkgs = Vec::new();
    let mut skipped = Vec::new();
    let mut msg = stderr.trim().to_string();
    for p in decoded {
        if p.error.is_some() {
            if let Some(reason) = skip(&p) {
                // go list also printed this package's error on stderr.
                let e = p.error.as_ref().map(|e| e.err.trim()).unwrap_or("");
                msg = msg
                    .lines()
                    .filter(|l| {
                        !e.contains(l.trim()) && !l.starts_with(&format!("# {}", p.import_path))
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                skipped.push((p.import_path.clone(), reason));
                continue;
            }
        }
        if let Some(e) = &p.error {
            let e = e.err.trim();
            if !msg.contains(e) {
                if !msg.is_empty() {
                    msg.push('\n');
                }
                msg.push_str(e);
            }
        }
        pkgs.push(p);
    }
    // go list exits non-zero for package errors too: a skipped package's
    // error alone is no failure.
    let exit_failed = !succeeded && (skipped.is_empty() || !msg.trim().is_empty());
    if pkgs.iter().any(|p| p.error.is_some()) || exit_failed {
        return Err(GoCommandFailed {
            command: format!("go {}", args.join(" ")),
            output: msg,
        }
        .into());
    }
    Ok((pkgs, skipped))
}
