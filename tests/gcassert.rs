//! `check` on gcassert's directives against the real gcassert, built from
//! the module proxy: on gcassert's own testdata, on this crate's fixture and
//! on a published module that uses its directives (cockroachdb/pebble). The
//! two must report the same lines, except where gcassert is known to be
//! wrong, and each such difference must be of a known kind:
//! - a second, non-inlined call on a line another call of which was inlined
//!   (gcassert #5: it passes the line);
//! - a function marked `inline` that the compiler cannot inline, called in
//!   none of the packages checked (gcassert #17: it says nothing);
//! - a call in code the compiler removed as dead (gcassert PR #3: it fails);
//! - an escape worded as Go 1.25 words it, "x escapes to heap in F:" (gcassert
//!   looks for the suffix "escapes to heap:", so it passes every noescape).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// gcassert's latest version on the proxy; its pinned golang.org/x/tools
/// does not build with current Go, so a newer one is required beside it.
const GCASSERT: &str = "github.com/jordanlewis/gcassert@v0.0.0-20250430164644-389ef753e22e";
const X_TOOLS: &str = "golang.org/x/tools@v0.53.0";
const PEBBLE: &str = "github.com/cockroachdb/pebble/v2@v2.1.7";

/// The real gcassert, built once per target directory.
fn real_gcassert() -> PathBuf {
    common::go_tool(
        "gcassert",
        &[
            &GCASSERT.replace("gcassert@", "gcassert/cmd/gcassert@"),
            X_TOOLS,
        ],
        "github.com/jordanlewis/gcassert/cmd/gcassert",
    )
}

/// (file, line) of each failure gcassert prints: `file:line:\tcode: message`.
fn gcassert_lines(dir: &Path, packages: &[&str]) -> BTreeSet<(String, u64)> {
    // gcassert leaves a log in $TMPDIR each run: a directory that goes.
    let logs = tempfile::tempdir().unwrap();
    let out = Command::new(real_gcassert())
        .args(packages)
        .current_dir(dir)
        .env("TMPDIR", logs.path())
        .output()
        .unwrap();
    // Failures go to stderr; stdout only names its log file.
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .filter_map(|l| {
            let (head, _) = l.split_once(":\t")?;
            let (file, line) = head.rsplit_once(':')?;
            Some((file.to_string(), line.parse().ok()?))
        })
        .collect()
}

/// `check --format json` on the packages: every outcome.
fn check_json(dir: &Path, packages: &[&str]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .arg("check")
        .args(["--format", "json"])
        .args(packages)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (file, line) of each failure of a gcassert directive, with the failure.
fn our_failures(outcomes: &[Value]) -> Vec<((String, u64), Value)> {
    outcomes
        .iter()
        .filter(|o| o["directive"] != "noalloc" && o["directive"] != "noifacealloc")
        .flat_map(|o| {
            o["failures"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |f| {
                    let mut f = f.clone();
                    f["directive"] = o["directive"].clone();
                    (
                        (
                            f["file"].as_str().unwrap().to_string(),
                            f["line"].as_u64().unwrap(),
                        ),
                        f,
                    )
                })
        })
        .collect()
}

/// Whether an escape is worded as gcassert cannot read it (Go ≥ 1.25).
fn escape_gcassert_cannot_read(f: &Value) -> bool {
    f["reason"] == "escapes"
        && f["message"]
            .as_str()
            .unwrap()
            .contains("escapes to heap in ")
}

#[test]
fn gcasserts_own_testdata_gives_the_same_lines() {
    let tmp = tempfile::tempdir().unwrap();
    common::module_copy(GCASSERT, tmp.path());
    // Unknown directives are bad input here (exit 2, tests/hostile.rs),
    // assertion failures there.
    std::fs::remove_file(tmp.path().join("testdata/bad_directive.go")).unwrap();
    let pkgs = ["./testdata", "./testdata/otherpkg"];
    let theirs = gcassert_lines(tmp.path(), &pkgs);
    assert!(theirs.len() >= 8, "{theirs:?}");
    let ours = our_failures(&check_json(tmp.path(), &pkgs));
    let our_lines: BTreeSet<(String, u64)> = ours.iter().map(|(at, _)| at.clone()).collect();
    for at in &theirs {
        assert!(
            our_lines.contains(at),
            "gcassert's {at:?} missing from {ours:#?}"
        );
    }
    for (at, f) in &ours {
        assert!(
            theirs.contains(at) || escape_gcassert_cannot_read(f),
            "{at:?} only ours, and not a known gcassert miss: {f:#}"
        );
    }
}

#[test]
fn the_fixture_differs_only_where_gcassert_is_known_wrong() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/gcassert");
    let tmp = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture, tmp.path());
    let theirs = gcassert_lines(tmp.path(), &["./", "./other"]);
    let outcomes = check_json(tmp.path(), &["./..."]);
    let ours = our_failures(&outcomes);
    let our_lines: BTreeSet<(String, u64)> = ours.iter().map(|(at, _)| at.clone()).collect();
    let status_at = |file: &str, line: u64| -> String {
        outcomes
            .iter()
            .find(|o| o["file"] == file && o["line"] == line)
            .unwrap_or_else(|| panic!("no directive at {file}:{line}: {outcomes:#?}"))["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Same where gcassert is right: the bounds check.
    assert!(theirs.contains(&("gca.go".into(), 53)), "{theirs:?}");
    assert!(our_lines.contains(&("gca.go".into(), 53)), "{ours:?}");
    for at in &theirs {
        if our_lines.contains(at) {
            continue;
        }
        // PR #3: the call in a branch the compiler removed.
        assert_eq!(at, &("gca.go".to_string(), 38), "{theirs:?} vs {ours:#?}");
        assert_eq!(status_at("gca.go", 38), "removed");
    }
    for (at, f) in &ours {
        if theirs.contains(at) {
            continue;
        }
        let known = match (at.0.as_str(), at.1) {
            // #5: `Small(s) + never(s)`: gcassert passes the line on Small.
            ("gca.go", 30) => f["message"] == "call to never was not inlined",
            // #17: Loop cannot be inlined and nothing checked calls it.
            ("other/other.go", 13) => f["reason"] == "cannot_inline",
            _ => escape_gcassert_cannot_read(f),
        };
        assert!(
            known,
            "{at:?} only ours, and not a known gcassert miss: {f:#}"
        );
    }
    // Each known miss is there.
    assert!(our_lines.contains(&("gca.go".into(), 30)), "{ours:#?}");
    assert!(
        our_lines.contains(&("other/other.go".into(), 13)),
        "{ours:#?}"
    );
    assert!(our_lines.contains(&("gca.go".into(), 65)), "{ours:#?}");
    // Held where the code is right; not compiled where the build leaves it out.
    assert_eq!(
        status_at("gca.go", 71),
        "held",
        "a param leaking to a result stays off the heap"
    );
    assert_eq!(status_at("gca.go", 60), "held");
    assert_eq!(status_at("s390x.go", 8), "not_compiled");
}

/// Pebble runs gcassert on the packages that hold a directive. The same
/// lines fail in both when the one package calling `(*RawBytes).Offsets`
/// (which the compiler cannot inline: cost 96 > 80 on Go 1.24 and later) is
/// checked too; without it gcassert says nothing while `check` reports the
/// declaration (#17). The big-endian files are not compiled on this machine.
#[test]
fn pebble_agrees_with_gcassert() {
    let tmp = tempfile::tempdir().unwrap();
    common::module_copy(PEBBLE, tmp.path());
    let with_caller = ["./sstable/colblk", "./sstable/blob"];
    let theirs = gcassert_lines(tmp.path(), &with_caller);
    let outcomes = check_json(tmp.path(), &with_caller);
    let ours: BTreeSet<(String, u64)> = our_failures(&outcomes)
        .into_iter()
        .map(|(at, _)| at)
        .collect();
    assert_eq!(ours, theirs);
    let not_compiled: Vec<&str> = outcomes
        .iter()
        .filter(|o| o["status"] == "not_compiled")
        .map(|o| o["file"].as_str().unwrap())
        .collect();
    if std::env::consts::ARCH == "x86_64" || std::env::consts::ARCH == "aarch64" {
        assert!(!not_compiled.is_empty(), "{outcomes:#?}");
        assert!(
            not_compiled.iter().all(|f| f.ends_with("endian_big.go")),
            "{not_compiled:?}"
        );
    }
    // The packages pebble itself passes: gcassert silent, the declaration
    // reported by check when the compiler cannot inline it.
    let own = ["./cockroachkvs", "./internal/manifest", "./sstable/colblk"];
    let theirs = gcassert_lines(tmp.path(), &own);
    let ours = our_failures(&check_json(tmp.path(), &own));
    for (at, f) in &ours {
        assert!(
            theirs.contains(at) || f["reason"] == "cannot_inline",
            "{at:?}: {f:#}"
        );
    }
}
