//! `scan --baseline FILE` and `--new-from-rev REV`: only the sites a change
//! adds or makes worse. Sites are matched by function (package-qualified),
//! type and expression — not by line — so moving code does not make old
//! sites new; repeated expressions in one function match in turn.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use super::{Options, Site, Verdict};
use crate::cli::error::UsageError;
use crate::go::toolchain::Toolchain;

/// What a baseline keeps of a site.
#[derive(Debug, Clone, Deserialize)]
pub struct Known {
    pub function: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub expr: String,
    pub verdict: Verdict,
    pub bytes: f64,
}

type Key = (String, String, String);

fn key_of(function: &str, type_name: &str, expr: &str) -> Key {
    (
        function.to_string(),
        type_name.to_string(),
        expr.to_string(),
    )
}

/// Reads a previous `scan --format json` output.
/// The largest baseline read: a scan of a very large tree is tens of MiB.
pub const MAX_BASELINE: u64 = 256 << 20;

pub fn read(path: &Path) -> Result<Vec<Known>> {
    let bad = |e: String| {
        UsageError::new(format!(
            "--baseline {}: {e}; give the JSON of an earlier `ifacealloc scan --format json`",
            path.display()
        ))
    };
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    let text = crate::parse::lines::read_capped(file, MAX_BASELINE)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad(format!("larger than {} MiB, the limit", MAX_BASELINE >> 20)))?;
    serde_json::from_slice(&text).map_err(|e| {
        UsageError::new(format!(
            "--baseline {}: not a scan JSON report ({e}); write one with `ifacealloc scan --format json -o FILE`",
            path.display()
        ))
        .into()
    })
}

/// The sites of a git revision: `git worktree add` into a temporary
/// directory, the same patterns scanned there, the worktree removed.
pub fn at_revision(
    tc: &Toolchain,
    dir: &Path,
    rev: &str,
    patterns: &[String],
    opts: &Options,
) -> Result<Vec<Known>> {
    let sites = sites_at_revision(tc, dir, rev, patterns, opts, "--new-from-rev")?;
    Ok(sites.into_iter().map(Known::of).collect())
}

impl Known {
    /// What a baseline keeps of a scanned site.
    pub fn of(s: Site) -> Known {
        Known {
            function: s.function,
            type_name: s.type_name,
            expr: s.expr,
            verdict: s.verdict,
            bytes: s.bytes,
        }
    }
}

/// Every site of a git revision, scanned in a temporary worktree (removed
/// however this ends); `flag` names the option asking, for its errors.
pub fn sites_at_revision(
    tc: &Toolchain,
    dir: &Path,
    rev: &str,
    patterns: &[String],
    opts: &Options,
    flag: &str,
) -> Result<Vec<Site>> {
    if rev.starts_with('-') || rev.contains(char::is_whitespace) {
        return Err(UsageError::new(format!(
            "{flag} {rev:?}: give a git revision such as HEAD~1 or main"
        ))
        .into());
    }
    let git = |args: &[&str], cwd: &Path| {
        crate::cli::interrupt::output(
            std::process::Command::new("git")
                .args(args)
                .current_dir(cwd),
        )
        .context("running git")
    };
    let top = git(&["rev-parse", "--show-toplevel"], dir)?;
    if !top.status.success() {
        return Err(UsageError::new(format!(
            "{flag}: {} is not in a git repository",
            dir.display()
        ))
        .into());
    }
    let top = std::path::PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let rel = dir
        .canonicalize()?
        .strip_prefix(top.canonicalize()?)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-rev-")?;
    let wt = tmp.path().join("tree");
    let wt_str = wt.to_string_lossy().to_string();
    let common = git(
        &["rev-parse", "--path-format=absolute", "--git-common-dir"],
        &top,
    )?;
    let common = PathBuf::from(String::from_utf8_lossy(&common.stdout).trim());
    // Removed from the user's repository however this ends: here, or on an
    // interrupt (the process exits from the signal thread), even one that
    // comes while `git worktree add` runs (its entry then stays locked).
    let remove = {
        // As git records it: the real path (TMPDIR may be a symlink).
        let real = tmp
            .path()
            .canonicalize()
            .map_or(wt.clone(), |d| d.join("tree"));
        let top = top.clone();
        move || remove_worktree(&top, &common, &real)
    };
    let undo = crate::cli::interrupt::on_interrupt(remove.clone());
    let added = git(&["worktree", "add", "--detach", &wt_str, rev], &top)?;
    if !added.status.success() {
        // CI checkouts are often shallow: the base revision is not there.
        let shallow = git(&["rev-parse", "--is-shallow-repository"], &top)
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "true");
        return Err(UsageError::new(format!(
            "{flag} {rev}: git could not check it out: {}{}",
            crate::go::toolchain::printable(String::from_utf8_lossy(&added.stderr).trim()),
            if shallow {
                "; this clone is shallow, so older revisions are missing: fetch them (git fetch --unshallow, or actions/checkout with fetch-depth: 0)"
            } else {
                ""
            }
        ))
        .into());
    }
    let here = wt.join(&rel);
    let result = if here.is_dir() {
        super::scan(tc, &here, patterns, opts).map_err(|e| {
            e.context(format!(
                "scanning revision {rev} ({flag}), checked out in a temporary worktree"
            ))
        })
    } else {
        Err(UsageError::new(format!(
            "{flag} {rev}: the folder {} does not exist at that revision; give a revision that has it",
            if rel.as_os_str().is_empty() { ".".into() } else { rel.display().to_string() }
        ))
        .into())
    };
    drop(undo);
    remove();
    let (sites, _) = result?;
    Ok(sites)
}

/// Takes the temporary worktree `wt` out of the repository at `top`: `git
/// worktree remove` (forced twice: an interrupted `add` leaves it locked),
/// then its administrative entry under `common`/worktrees, if git left it
/// (the entry whose gitdir points into `wt`), and nothing else of the user's.
fn remove_worktree(top: &Path, common: &Path, wt: &Path) {
    let _ = std::process::Command::new("git")
        .args(["worktree", "remove", "--force", "--force"])
        .arg(wt)
        .current_dir(top)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let Ok(entries) = std::fs::read_dir(common.join("worktrees")) else {
        return;
    };
    for e in entries.flatten() {
        let gitdir = std::fs::read_to_string(e.path().join("gitdir")).unwrap_or_default();
        if Path::new(gitdir.trim()).starts_with(wt) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Keeps the sites that are new, or worse (verdict or bytes) than the site
/// they match in `known`.
pub fn new_or_worse(sites: Vec<Site>, known: &[Known]) -> Vec<Site> {
    let now: Vec<Known> = sites.iter().cloned().map(Known::of).collect();
    let changes = changes(&now, known);
    sites
        .into_iter()
        .zip(changes)
        .filter_map(|(s, c)| c.map(|_| s))
        .collect()
}

/// For each of `now`, matched against `before` in turn: `None` when it is
/// no worse than its match, `Some(None)` when it is new, `Some(Some(old))`
/// when it is worse than `old`.
pub fn changes<'a>(now: &[Known], before: &'a [Known]) -> Vec<Option<Option<&'a Known>>> {
    let mut pool: HashMap<Key, Vec<&Known>> = HashMap::new();
    for k in before {
        pool.entry(key_of(&k.function, &k.type_name, &k.expr))
            .or_default()
            .push(k);
    }
    now.iter()
        .map(|s| {
            let key = key_of(&s.function, &s.type_name, &s.expr);
            match pool
                .get_mut(&key)
                .and_then(|v| (!v.is_empty()).then(|| v.remove(0)))
            {
                None => Some(None),
                Some(old) if s.verdict > old.verdict || s.bytes > old.bytes => Some(Some(old)),
                Some(_) => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_order_for_worse() {
        assert!(Verdict::Always > Verdict::Conditional);
        assert!(Verdict::Conditional > Verdict::Never);
        assert!(Verdict::Never > Verdict::Unknown);
    }
}
