//! The pull-request workflow of docs/pull-requests.md, end to end: its
//! "Benchmark base and head" step's script, read from the page and run as
//! written (bash, the real go, this ifacealloc on PATH) in a repository of
//! two revisions — the second stores a struct in an interface inside the
//! benchmarked function. The comment it writes must show allocs/op rising
//! significantly, name the changed line with its routine and bytes, and the
//! step must record the budget breach.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `run: |` script of the step named `name` in the page's workflow.
fn step_script(page: &str, name: &str) -> String {
    let lines: Vec<&str> = page.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {name}"))
        .unwrap_or_else(|| panic!("no step {name:?} in the page"));
    let run = at
        + lines[at..]
            .iter()
            .position(|l| l.trim() == "run: |")
            .expect("a run: | block");
    let indent = |l: &str| l.len() - l.trim_start().len();
    let base = indent(lines[run]);
    lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) > base)
        .map(|l| l.get(base + 2..).unwrap_or("").to_string() + "\n")
        .collect()
}

const BEFORE: &str = r#"package enc

// Header is 48 bytes of plain data.
type Header struct{ A, B, C, D, E, F int64 }

var Sink any

// Encode sums the header's first and last fields.
func Encode(h Header) int64 {
	return h.A + h.F
}
"#;

const AFTER: &str = r#"package enc

// Header is 48 bytes of plain data.
type Header struct{ A, B, C, D, E, F int64 }

var Sink any

// Encode sums the header's first and last fields, and keeps the header.
func Encode(h Header) int64 {
	Sink = h
	return h.A + h.F
}
"#;

const BENCH: &str = r#"package enc

import "testing"

var total int64

func BenchmarkEncode(b *testing.B) {
	h := Header{A: 1, F: 2}
	for i := 0; i < b.N; i++ {
		h.A = int64(i)
		total += Encode(h)
	}
}
"#;

fn commit(dir: &Path, msg: &str) -> String {
    common::git(dir, &["add", "-A"]);
    common::git(dir, &["commit", "-q", "-m", msg]);
    common::git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
fn the_documented_workflow_explains_the_rise() {
    let page_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/pull-requests.md");
    let script = step_script(
        &std::fs::read_to_string(page_path).unwrap(),
        "Benchmark base and head",
    );
    assert!(script.contains("ifacealloc bench2md"), "{script}");
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    common::git(&repo, &["init", "-q"]);
    common::git(&repo, &["config", "user.email", "t@example.com"]);
    common::git(&repo, &["config", "user.name", "t"]);
    std::fs::write(repo.join("go.mod"), "module example.com/enc\n\ngo 1.21\n").unwrap();
    std::fs::write(repo.join("enc.go"), BEFORE).unwrap();
    std::fs::write(repo.join("enc_test.go"), BENCH).unwrap();
    std::fs::write(repo.join("allocs.budget"), "Encode allocs/op=0\n").unwrap();
    let base = commit(&repo, "base");
    std::fs::write(repo.join("enc.go"), AFTER).unwrap();
    let head = commit(&repo, "head");
    // What the runner gives the step: the variables, a file for outputs,
    // and the tools on PATH.
    let outputs = tmp.path().join("github_output");
    std::fs::write(&outputs, "").unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = Command::new("bash")
        .args(["-eo", "pipefail", "-c", &script])
        .current_dir(&repo)
        .env("BASE", &base)
        .env("HEAD", &head)
        .env("GITHUB_OUTPUT", &outputs)
        .env("PATH", path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the step failed: {err}");
    assert_eq!(
        std::fs::read_to_string(&outputs).unwrap().trim(),
        "breach=1",
        "{err}"
    );
    // `Encode-N` with GOMAXPROCS N, or `Encode` with 1.
    assert!(
        err.lines().any(|l| l.contains(": Encode")
            && l.contains(" allocs/op 1 > 0")
            && l.ends_with("over budget")),
        "{err}"
    );
    let comment = std::fs::read_to_string(repo.join("comment.md")).unwrap();
    // The comparison: allocs/op from 0 to 1, significant.
    let allocs_row = comment
        .lines()
        .find(|l| l.starts_with("| Encode") && l.contains("0.000 ±") && l.contains("1.000 ±"))
        .unwrap_or_else(|| panic!("no allocs/op row going 0 → 1:\n{comment}"));
    assert!(allocs_row.contains("p=0.00"), "{allocs_row}");
    // The budget and the why, naming the changed line.
    assert!(comment.contains("**Over budget**"), "{comment}");
    assert!(comment.contains("**Why allocs/op rose**"), "{comment}");
    assert!(
        comment
            .contains("`enc.go:10:9` now converts a `example.com/enc.Header` (convTnoptr, 48 B)"),
        "{comment}"
    );
    assert!(comment.contains("stored by \\`Sink = h\\`"), "{comment}");
    // The user's checkout is where the script left it, with no worktree left.
    let worktrees = common::git(&repo, &["worktree", "list"]);
    assert_eq!(worktrees.lines().count(), 1, "{worktrees}");
}
