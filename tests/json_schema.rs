//! The JSON outputs against their published schemas (docs/schema/), with a
//! real validator (the jsonschema crate, draft 2020-12): live `scan` of the
//! fixture tree and of a generic and a profiled package, live `explain`
//! answers (one, several versions, --verify, --batch lines). A broken
//! document must fail, so the schema is not one that accepts everything.

mod common;

use std::path::PathBuf;

use serde_json::Value;

fn schema(name: &str) -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schema")
        .join(name);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&v).unwrap()
}

fn valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}");
}

#[test]
fn scan_json_follows_its_schema() {
    let v = schema("scan.schema.json");
    for fixture in ["sites", "generic", "tuples"] {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/scan")
            .join(fixture);
        let out = assert_cmd::Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["scan", "--format", "json", "-C"])
            .arg(&dir)
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(doc.as_array().is_some_and(|a| !a.is_empty()), "{fixture}");
        valid(&v, &doc, fixture);
    }
    let broken = serde_json::json!([{ "file": "a.go", "line": 0 }]);
    assert!(!v.is_valid(&broken));
}

#[test]
fn explain_json_follows_its_schema() {
    let v = schema("explain.schema.json");
    for args in [
        vec![
            "explain", "float32", "--value", "3", "--format", "json", "--verify",
        ],
        vec![
            "explain",
            "struct{ a [0]int64; b int8 }",
            "--format",
            "json",
            "--go-version",
            "all",
            "--arch",
            "amd64",
        ],
        vec![
            "explain",
            "time.Duration",
            "--value",
            "300",
            "--format",
            "json",
        ],
    ] {
        let (out, err, code) = common::ifacealloc(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        valid(
            &v,
            &serde_json::from_str(&out).unwrap(),
            &format!("{args:?}"),
        );
    }
    let mut batch = assert_cmd::Command::cargo_bin("ifacealloc").unwrap();
    let out = batch
        .args(["explain", "--batch", "-"])
        .write_stdin("int\n{\"type\":\"string\",\"value\":\"\\\"x\\\"\"}\nmap[[]int]int\n")
        .output()
        .unwrap();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        valid(&v, &serde_json::from_str(line).unwrap(), line);
    }
    let broken = serde_json::json!({ "type": "int", "routine": "convT99" });
    assert!(!v.is_valid(&broken));
}

#[test]
fn check_json_follows_its_schema() {
    let v = schema("check.schema.json");
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check");
    let mut runs: Vec<(String, Vec<String>)> = vec![
        ("noalloc".into(), vec![]),
        ("gcassert".into(), vec!["./...".into()]),
    ];
    // Several versions: the object form.
    let gos = common::toolchains();
    if gos.len() >= 2 {
        let names: Vec<String> = gos.iter().map(|g| g.display().to_string()).collect();
        runs.push(("versions".into(), vec!["--go".into(), names.join(",")]));
    }
    for (fixture, extra) in &runs {
        let mut cmd = assert_cmd::Command::cargo_bin("ifacealloc").unwrap();
        if extra.first().is_some_and(|a| a == "--go") {
            cmd.args(&extra[..2]);
        }
        cmd.args(["check", "--format", "json", "-C"])
            .arg(fixtures.join(fixture));
        if extra.first().is_some_and(|a| a != "--go") {
            cmd.args(extra);
        }
        let out = cmd.output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        valid(&v, &doc, fixture);
        if fixture == "versions" {
            assert!(doc["versions"].is_array(), "{doc}");
        } else {
            assert!(!doc.as_array().unwrap().is_empty());
        }
    }
    // A broken one fails.
    let broken = serde_json::json!([{"file": "a.go", "line": 1, "directive": "nope"}]);
    assert!(!v.is_valid(&broken));
}
