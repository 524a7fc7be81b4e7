//! Types of one pointer plus zero-size fields are pointer-shaped only from Go
//! 1.26 on (types.IsDirectIface changed); before, they take runtime.convT and
//! allocate 8 bytes. Predictions (`explain`), measured routines
//! (`explain --verify`) and `scan` must all follow the toolchain's version,
//! checked against live measurements on every Go in IFACEALLOC_TEST_GOS.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;

/// The five types and a non-nil value of each, in `explain --value` syntax.
const TYPES: [(&str, &str); 5] = [
    ("struct{a [0]int; b *int}", "{{}, new}"),
    ("struct{a struct{}; b *int}", "{{}, new}"),
    ("struct{a [0]int; b struct{c *int}}", "{{}, {new}}"),
    ("[1]struct{a [0]int; b *int}", "{{{}, new}}"),
    ("struct{a struct{}; b map[int]int}", "{{}, make}"),
];

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/onepointer")
}

#[test]
fn explain_predicts_per_version_offline() {
    for (ty, value) in TYPES {
        for (version, routine, allocs) in [
            ("1.21", "convT", 1),
            ("1.25", "convT", 1),
            ("1.26", "direct", 0),
        ] {
            let out = Command::cargo_bin("ifacealloc")
                .unwrap()
                .args(["explain", ty, "--value", value, "--go-version", version])
                .args(["--arch", "amd64", "--format", "json"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["routine"], routine, "{ty} on Go {version}");
            assert_eq!(v["allocs"], allocs, "{ty} on Go {version}");
        }
    }
}

#[test]
fn explain_verify_agrees_on_every_go() {
    for go in common::toolchains() {
        let m = common::go_minor(&go);
        for (ty, value) in TYPES {
            let out = Command::cargo_bin("ifacealloc")
                .unwrap()
                .arg("--go")
                .arg(&go)
                .args([
                    "explain", ty, "--value", value, "--verify", "--format", "json",
                ])
                .output()
                .unwrap();
            let v: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
            assert_eq!(out.status.code(), Some(0), "{ty} on {}: {v}", go.display());
            let measured = &v["verify"];
            assert_eq!(measured["matches"], true, "{ty} on {}: {v}", go.display());
            let (routine, bytes) = if m >= 26 {
                ("direct", 0.0)
            } else {
                ("convT", 8.0)
            };
            assert_eq!(measured["routine"], routine, "{ty} on go1.{m}");
            assert_eq!(measured["bytes"], bytes, "{ty} on go1.{m}");
        }
    }
}

/// `go test` in the fixture prints each store's allocations and bytes per call.
fn measure(go: &Path) -> BTreeMap<String, (u64, u64)> {
    let out = Std::new(go)
        .args(["test", "-count=1", "-run", "^TestMeasure$", "-v", "."])
        .current_dir(fixture())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("measured "))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (
                f[0].to_string(),
                (f[1].parse().unwrap(), f[2].parse().unwrap()),
            )
        })
        .collect()
}

#[test]
fn scan_agrees_with_the_runtime_on_every_go() {
    for go in common::toolchains() {
        let m = common::go_minor(&go);
        let measured = measure(&go);
        assert_eq!(measured.len(), 6, "{measured:?}");
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .arg("--go")
            .arg(&go)
            .args(["scan", "-C"])
            .arg(fixture())
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(sites.len(), 6, "{sites:?}");
        for s in &sites {
            let func = s["function"].as_str().unwrap().rsplit('.').next().unwrap();
            let (allocs, bytes) = measured[func];
            let verdict = s["verdict"].as_str().unwrap();
            let what =
                format!("{func} on go1.{m}: scan says {s}, measured {allocs} allocs, {bytes} B");
            if verdict == "never" {
                assert_eq!((allocs, bytes), (0, 0), "{what}");
            } else {
                assert_eq!(allocs, 1, "{what}");
                assert_eq!(s["bytes"].as_f64().unwrap(), bytes as f64, "{what}");
            }
            if func != "StoreInt64" {
                let routine = if m >= 26 { "direct" } else { "convT" };
                assert_eq!(s["routine"], routine, "{what}");
                // A runtime call is read from the listing, never from the layout.
                if routine == "convT" {
                    assert_eq!(s["evidence"], "-S", "{what}");
                }
            }
        }
    }
}
