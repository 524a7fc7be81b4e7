//! `go list -json`: the packages behind patterns, with their files, export data
//! and errors. Shared by `lem` and `scan`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::error::GoCommandFailed;
use crate::toolchain::Toolchain;

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

/// Runs `go list -e -json <flags> <patterns>` in `dir` (GOFLAGS=-mod=readonly,
/// so the user's go.mod and go.sum are never rewritten). Any package error, or
/// a failed command, is one error carrying Go's own messages.
pub fn list(
    tc: &Toolchain,
    dir: &Path,
    flags: &[&str],
    patterns: &[String],
) -> Result<Vec<Package>> {
    let mut args = vec!["list", "-e", "-json"];
    args.extend_from_slice(flags);
    args.extend(patterns.iter().map(String::as_str));
    let out = tc
        .command(dir)
        .env("GOFLAGS", "-mod=readonly")
        .args(&args)
        .output()
        .context("running go list")?;
    let mut pkgs = Vec::new();
    let mut msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let mut failed = !out.status.success();
    for p in serde_json::Deserializer::from_slice(&out.stdout).into_iter::<Package>() {
        let p = p.context("reading go list output")?;
        if let Some(e) = &p.error {
            failed = true;
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
    if failed {
        return Err(GoCommandFailed {
            command: format!("go {}", args.join(" ")),
            output: msg,
        }
        .into());
    }
    Ok(pkgs)
}
