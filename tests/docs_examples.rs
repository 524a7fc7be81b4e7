//! Every command the README and docs/ pages show with its output (a block
//! marked `<!-- output of: ifacealloc ARGS -->`) is run here from the
//! repository's root, and the block must be consecutive lines of what it prints
//! (stdout, then stderr), masked as the labs' outputs are. An example that
//! names Go versions (`--go 1.21.13,…`) runs when each of them is in
//! IFACEALLOC_TEST_GOS and is skipped, visibly, otherwise.
//!
//! `IFACEALLOC_WRITE_DOCS=1 cargo test --test docs_examples` rewrites stale
//! blocks with the whole live output (trim them by hand where a page shows a part).

use std::path::{Path, PathBuf};
use std::process::Command;

use ifacealloc::lab::docs::{example_holds, examples, Example};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every page in docs/ (the labs have their own test).
fn pages() -> Vec<PathBuf> {
    let mut out = vec![root().join("README.md")];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The versions an example's `--go` names, if it names any.
fn named_versions(args: &[String]) -> Vec<String> {
    args.iter()
        .position(|a| a == "--go")
        .and_then(|i| args.get(i + 1))
        .map(|spec| spec.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

/// stdout then stderr of `ifacealloc ARGS`, run from the repository root.
fn live(args: &[String]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ifacealloc"));
    cmd.args(args)
        .current_dir(root())
        .env_remove("IFACEALLOC_GO")
        .stdin(std::process::Stdio::null());
    // A --go version is taken from IFACEALLOC_TEST_GOS's binaries: the
    // toolchain on PATH would fetch it again.
    let out = cmd.output().unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

/// `args` with each `--go` version replaced by the matching go binary of
/// IFACEALLOC_TEST_GOS (or the local one), so nothing is fetched.
fn with_local_binaries(args: &[String], local: &[(String, String)]) -> Vec<String> {
    let mut out = args.to_vec();
    if let Some(i) = out.iter().position(|a| a == "--go") {
        let spec: Vec<String> = out[i + 1]
            .split(',')
            .map(|v| {
                local
                    .iter()
                    .find(|(version, _)| version == v)
                    .map_or(v.to_string(), |(_, bin)| bin.clone())
            })
            .collect();
        out[i + 1] = spec.join(",");
    }
    out
}

fn local_go_binaries() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let list = std::env::var("IFACEALLOC_TEST_GOS").unwrap_or_default();
    let mut bins: Vec<String> = list
        .split(':')
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .collect();
    bins.push("go".to_string());
    for g in bins {
        let Ok(o) = Command::new(&g).arg("version").output() else {
            continue;
        };
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        if let Some(v) = text
            .split_whitespace()
            .nth(2)
            .and_then(|v| v.strip_prefix("go"))
        {
            out.push((v.to_string(), g));
        }
    }
    out
}

fn check_page(path: &Path, local: &[(String, String)], skipped: &mut Vec<String>) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.strip_prefix(root()).unwrap().display().to_string();
    let mut stale = Vec::new();
    let mut fresh_text: Option<Vec<String>> = None;
    let write = std::env::var_os("IFACEALLOC_WRITE_DOCS").is_some();
    let known: Vec<&String> = local.iter().map(|(v, _)| v).collect();
    let ex: Vec<Example> = examples(&text);
    for e in ex.iter().rev() {
        let missing: Vec<String> = named_versions(&e.args)
            .into_iter()
            .filter(|v| !known.contains(&v))
            .collect();
        if !missing.is_empty() {
            skipped.push(format!(
                "{name}:{}: `ifacealloc {}` skipped: Go {} not in IFACEALLOC_TEST_GOS",
                e.first - 1,
                e.args.join(" "),
                missing.join(", ")
            ));
            continue;
        }
        let out = live(&with_local_binaries(&e.args, local));
        if example_holds(e, &out) {
            continue;
        }
        if write {
            let lines =
                fresh_text.get_or_insert_with(|| text.lines().map(str::to_string).collect());
            let fresh: Vec<String> = out.lines().map(|l| l.trim_end().to_string()).collect();
            lines.splice(e.first..e.first + e.lines.len(), fresh);
            continue;
        }
        stale.push(format!(
            "{name}:{}: the output shown for `ifacealloc {}` is not what it prints now:\n{out}",
            e.first - 1,
            e.args.join(" ")
        ));
    }
    if let Some(lines) = fresh_text {
        let mut s = lines.join("\n");
        s.push('\n');
        std::fs::write(path, s).unwrap();
    }
    stale
}

#[test]
fn every_example_prints_what_its_page_shows() {
    let local = local_go_binaries();
    let mut stale = Vec::new();
    let mut skipped = Vec::new();
    let mut count = 0;
    for p in pages() {
        count += examples(&std::fs::read_to_string(&p).unwrap()).len();
        stale.extend(check_page(&p, &local, &mut skipped));
    }
    assert!(count >= 10, "only {count} marked examples in the docs");
    for s in &skipped {
        eprintln!("{s}");
    }
    if !skipped.is_empty() {
        eprintln!("{} of {count} doc examples skipped", skipped.len());
    }
    assert!(
        stale.is_empty(),
        "{}\n(IFACEALLOC_WRITE_DOCS=1 cargo test --test docs_examples rewrites them)",
        stale.join("\n")
    );
}

/// Every relative link of the README and the docs pages (labs included)
/// names a file or folder that exists, so a moved section stays reachable.
#[test]
fn every_relative_link_resolves() {
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut pages = pages();
    for e in std::fs::read_dir(root().join("docs/labs")).unwrap() {
        pages.push(e.unwrap().path());
    }
    let mut broken = Vec::new();
    for p in pages {
        let text = std::fs::read_to_string(&p).unwrap();
        for c in link.captures_iter(&text) {
            let target = c[1].split('#').next().unwrap();
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            if !p.parent().unwrap().join(target).exists() {
                broken.push(format!("{}: {}", p.display(), &c[1]));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to nothing:\n{}",
        broken.join("\n")
    );
}
