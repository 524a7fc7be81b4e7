//! Go versions side by side (live): toolchains named by version and fetched
//! the way `GOTOOLCHAIN` fetches them, `matrix`, `scan`, `lem` and `explain`
//! across several versions, and `explain --go-version all` offline.

mod common;

use std::path::PathBuf;

use common::ifacealloc;

use assert_cmd::Command;
use serde_json::Value;

fn fixture(p: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
        .display()
        .to_string()
}

#[test]
fn a_version_number_is_fetched_and_verified() {
    // 1.22.10 is not on PATH: it comes through the module proxy (or the cache).
    let (out, err, code) = ifacealloc(&[
        "--go", "1.22.10", "explain", "int64", "--value", "300", "--verify", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verify"]["toolchain"], "go1.22.10");
    assert_eq!(v["verify"]["matches"], true, "{v}");
    assert_eq!(v["routine"], "convT64");
    // `go1.22.10` and a bare minor (its newest patch) name toolchains too.
    let (out, err, code) = ifacealloc(&[
        "--go",
        "go1.22.10,1.22",
        "explain",
        "int64",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let versions: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["go_version"].as_str().unwrap())
        .collect();
    assert_eq!(versions[0], "1.22", "{v}");
}

#[test]
fn bad_versions_are_one_line_errors() {
    for (spec, says) in [
        ("1.20", "1.21 or newer"),
        ("1.22.999", "cannot fetch go1.22.999"),
        ("1.99", "no release of Go 1.99"),
    ] {
        let (_, err, code) = ifacealloc(&["--go", spec, "explain", "int"]);
        assert_eq!(code, 2, "{spec}: {err}");
        assert!(err.contains(says), "{spec}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    // A command that runs on one toolchain says so.
    let (_, err, code) = ifacealloc(&["--go", "1.21.13,1.25.5", "lab", "figure", "2"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("runs on one"), "{err}");
}

#[test]
fn matrix_shows_what_changes_between_versions() {
    let (out, err, code) = ifacealloc(&[
        "--go",
        "1.21.13,1.27.3",
        "matrix",
        "--types",
        "struct_int32_int64,int64",
        "--scenarios",
        "zerolit,nonzero",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let versions = v["versions"].as_array().unwrap();
    assert_eq!(versions[0]["go"]["version"], "go1.21.13");
    assert_eq!(versions[1]["go"]["version"], "go1.27.3");
    let zerolit = |i: usize| {
        let row = versions[i]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "struct_int32_int64")
            .unwrap();
        row["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["scenario"] == "zerolit")
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            zerolit(0)["routine"].clone(),
            zerolit(0)["bytes_per_op"].as_f64()
        ),
        (Value::from("convTnoptr"), Some(16.0))
    );
    assert_eq!(
        (
            zerolit(1)["routine"].clone(),
            zerolit(1)["bytes_per_op"].as_f64()
        ),
        (Value::from("zeroVal"), Some(0.0))
    );
    // The one change, with the release rule behind it; int64 does not change.
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["row"], "struct_int32_int64");
    assert_eq!(changes[0]["scenario"], "zerolit");
    assert!(
        changes[0]["because"][0]
            .as_str()
            .unwrap()
            .contains("Go 1.25"),
        "{changes:?}"
    );
    // The table marks the changed cell and says what changed.
    let (out, err, code) = ifacealloc(&[
        "--go",
        "1.21.13,1.27.3",
        "matrix",
        "--types",
        "struct_int32_int64",
        "--scenarios",
        "zerolit",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 zeroVal *"), "{out}");
    assert!(
        out.contains("upgrading go1.21.13 → go1.27.3: 1 case differing; 1 stop allocating"),
        "{out}"
    );
    // CSV names the version on every record.
    let (out, _, code) = ifacealloc(&[
        "--go",
        "1.21.13,1.27.3",
        "matrix",
        "--types",
        "int64",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    let records: Vec<&str> = out.lines().skip(1).collect();
    assert!(
        records
            .iter()
            .all(|l| l.starts_with("go1.21.13,") || l.starts_with("go1.27.3,")),
        "{out}"
    );
    assert!(out.lines().next().unwrap().starts_with("go,row,"));
}

#[test]
fn scan_reports_only_the_sites_that_change() {
    let (out, err, code) = ifacealloc(&[
        "--go",
        "1.24.11,1.26.8",
        "scan",
        "-C",
        &fixture("scan/onepointer"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let sites = v["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 6);
    for s in sites {
        let one_pointer = s["type"] != "int64";
        assert_eq!(s["changed"], one_pointer, "{s}");
        let (old, new) = (&s["results"]["go1.24.11"], &s["results"]["go1.26.8"]);
        if one_pointer {
            assert_eq!(
                (old["routine"].as_str(), new["routine"].as_str()),
                (Some("convT"), Some("direct")),
                "{s}"
            );
        } else {
            assert_eq!(old["routine"], new["routine"]);
        }
    }
    let (out, _, code) = ifacealloc(&[
        "--go",
        "1.24.11,1.26.8",
        "scan",
        "-C",
        &fixture("scan/onepointer"),
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("upgrading go1.24.11 → go1.26.8: 5 sites change, 5 stop allocating, 0 start"),
        "{out}"
    );
    assert!(!out.contains("int64 in"), "{out}");
}

#[test]
fn lem_summarises_each_version() {
    let (out, err, code) = ifacealloc(&["--go", "1.21.13,go", "lem", &fixture("lem/corpus")]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("go1.21.13: 32 passed, 0 failed"), "{out}");
    assert!(out.trim_end().ends_with("64 passed, 0 failed"), "{out}");
}

#[test]
fn explain_all_versions_offline() {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args([
            "explain",
            "struct{a [0]int; b *int}",
            "--value",
            "{{}, new}",
            "--go-version",
            "all",
            "--arch",
            "amd64",
        ])
        .args(["--format", "json"])
        .env("GOPROXY", "off")
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = v.as_array().unwrap();
    let versions: Vec<&str> = entries
        .iter()
        .map(|e| e["go_version"].as_str().unwrap())
        .collect();
    assert_eq!(
        versions,
        ["1.21", "1.22", "1.23", "1.24", "1.25", "1.26", "1.27"]
    );
    let routines: Vec<&str> = entries
        .iter()
        .map(|e| e["routine"].as_str().unwrap())
        .collect();
    assert_eq!(
        routines,
        ["convT", "convT", "convT", "convT", "convT", "direct", "direct"]
    );
    // The text marks the version where the answer changes and names the rule.
    let (out, err, code) = ifacealloc(&[
        "explain",
        "struct{a [0]int; b *int}",
        "--value",
        "{{}, new}",
        "--go-version",
        "all",
        "--arch",
        "amd64",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("* 1.26   direct"), "{out}");
    assert!(
        out.contains("because: pointer-shaped by layout (Go 1.26"),
        "{out}"
    );
}
