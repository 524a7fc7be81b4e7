//! `--shard K/N` and `--merge`: a package set split into N parts (a stable
//! split by import path) and scanned or checked part by part, then merged,
//! gives byte for byte the report of one run over all of them — on
//! standard-library packages for `scan` (bytes, whose code is inlined into
//! encoding/json and encoding/xml, in another shard), on a two-package
//! fixture for `check` (a function marked inline in one package, called in
//! the other).

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (Vec<u8>, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.stdout, out.status.code().unwrap())
}

/// The merged parts of `cmd ARGS` over `n` shards, and the unsharded report.
fn sharded_and_whole(dir: &Path, cmd: &str, args: &[&str], n: u32) -> (Vec<u8>, Vec<u8>) {
    let tmp = tempfile::tempdir().unwrap();
    let mut whole_args = vec![cmd, "--format", "json"];
    whole_args.extend_from_slice(args);
    let (whole, _) = run(dir, &whole_args);
    let mut parts = Vec::new();
    for k in 1..=n {
        let part = tmp.path().join(format!("part{k}.json"));
        let shard = format!("{k}/{n}");
        let mut a = vec![
            cmd,
            "--format",
            "json",
            "--shard",
            &shard,
            "-o",
            part.to_str().unwrap(),
        ];
        a.extend_from_slice(args);
        run(dir, &a);
        parts.push(part);
    }
    let mut merge = vec![
        cmd.to_string(),
        "--format".into(),
        "json".into(),
        "--merge".into(),
    ];
    merge.extend(parts.iter().map(|p| p.display().to_string()));
    let merge: Vec<&str> = merge.iter().map(String::as_str).collect();
    let (merged, _) = run(dir, &merge);
    (merged, whole)
}

#[test]
fn scan_shards_merge_into_the_whole_scan() {
    let dir = std::env::temp_dir();
    let (merged, whole) = sharded_and_whole(&dir, "scan", &["bytes", "encoding/..."], 3);
    let sites: Vec<serde_json::Value> = serde_json::from_slice(&whole).unwrap();
    assert!(sites.len() > 100, "{}", sites.len());
    // bytes' code inlined into encoding/json and encoding/xml: seen by the
    // shard that reports bytes, though others compile those packages.
    assert!(
        sites
            .iter()
            .any(|s| s["function"].as_str().unwrap().starts_with("bytes.")
                && s["inlined_into"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f.as_str().unwrap().starts_with("encoding/"))),
        "no cross-package inlining in the whole scan"
    );
    assert!(
        merged == whole,
        "the merged shards differ from the whole scan"
    );
}

#[test]
fn check_shards_merge_into_the_whole_check() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/gcassert");
    let (merged, whole) = sharded_and_whole(&dir, "check", &["./..."], 2);
    let outcomes: Vec<serde_json::Value> = serde_json::from_slice(&whole).unwrap();
    assert!(outcomes.len() >= 10, "{}", outcomes.len());
    assert_eq!(
        String::from_utf8(merged).unwrap(),
        String::from_utf8(whole).unwrap()
    );
}

/// Classified a batch at a time (the default, 16 packages; here also 1),
/// the report is the one every package at once gives, in every format that
/// is written a site at a time, with and without tests.
#[test]
fn batched_scans_write_the_whole_scan() {
    let dir = std::env::temp_dir();
    let cases = [
        ("json", false),
        ("json", true),
        ("text", false),
        ("sarif", false),
        ("markdown", true),
    ];
    for (format, tests) in cases {
        {
            let scan = |batch: &str| {
                let mut args = vec![
                    "scan",
                    "--format",
                    format,
                    "--no-heading",
                    "--fail-on",
                    "always",
                ];
                if tests {
                    args.push("--tests");
                }
                if !batch.is_empty() {
                    args.extend(["--batch-packages", batch]);
                }
                args.extend(["bytes", "encoding/json", "encoding/xml"]);
                run(&dir, &args)
            };
            let (whole, whole_code) = scan("all");
            assert!(whole.len() > 10_000, "{format}: {}", whole.len());
            for batch in ["", "1"] {
                let (batched, code) = scan(batch);
                assert_eq!(code, whole_code, "{format} tests={tests} batch={batch:?}");
                assert!(
                    batched == whole,
                    "{format} tests={tests}: batches of {batch:?} differ from the whole scan"
                );
            }
        }
    }
}
