//! `check` on a fixture whose marked functions allocate or not, against the
//! runtime: each marked function is driven with testing.AllocsPerRun, and a
//! held `noalloc` must measure 0 allocations, a violated one (by a call that
//! always allocates) more than 0; a call that may allocate must be seen doing
//! both. Code the build leaves out is "not compiled", not a violation. (Bad
//! directives and input: tests/hostile.rs.)

mod common;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/noalloc")
}

fn check(dir: &std::path::Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .arg("check")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

/// The driver: for each marked function, the allocations per call that
/// testing.AllocsPerRun measures, on inputs chosen to allocate when anything can.
const DRIVER: &str = r#"package noalloc

import (
	"fmt"
	"testing"
)

// Read at run time: a constant argument would let the compiler lay the
// converted value out as read-only data once Count is inlined.
var small, large = 5, 5000

func TestAllocsPerRun(t *testing.T) {
	buf := make([]int, 8, 16)
	full := make([]int, 8)
	p := &point{3, 4}
	triple := Scale(3)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"Sum", func() { _ = Sum(buf) }},
		{"Box", func() { Box(int64(large), 2000) }},
		{"Label", func() { Sink = Label(7) }},
		{"Grow/room", func() { _ = Grow(buf, 1) }},
		{"Grow/full", func() { _ = Grow(full, 1) }},
		{"Count/small", func() { Count(small) }},
		{"Count/large", func() { Count(large) }},
		{"(*point).Norm1", func() { _ = p.Norm1() }},
		{"Double", func() { _ = Double(small) }},
		{"Boxed", func() { Boxed(int64(large), 2000) }},
		{"Scale.func1", func() { _ = triple(small) }},
	} {
		fmt.Printf("allocs %s %v\n", c.name, testing.AllocsPerRun(100, c.f))
	}
}
"#;

#[test]
fn verdicts_agree_with_the_runtime() {
    let (json, err, code) = check(&fixture(), &["--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("11 directives"), "{err}");
    let outcomes: Vec<Value> = serde_json::from_str(&json).unwrap();
    let status = |f: &str| -> String {
        outcomes
            .iter()
            .find(|o| o["function"] == f)
            .unwrap_or_else(|| panic!("no directive on {f}: {outcomes:#?}"))["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("Sum"), "held");
    assert_eq!(status("Box"), "violated");
    assert_eq!(status("Label"), "violated");
    assert_eq!(status("Grow"), "violated");
    assert_eq!(status("Count"), "violated");
    assert_eq!(
        status("NewPoint"),
        "held",
        "noifacealloc allows other allocations"
    );
    assert_eq!(status("(*point).Norm1"), "held");
    assert_eq!(status("OnlyOnPlan9"), "not_compiled");
    // Function literals, named as the listing names their closures
    // (package-level ones are glob..funcN before Go 1.22).
    let literal = |n: &str| -> String {
        let name = if n.starts_with("init.") && status_opt(&outcomes, n).is_none() {
            n.replace("init.", "glob..")
        } else {
            n.to_string()
        };
        status(&name)
    };
    assert_eq!(literal("init.func1"), "held");
    assert_eq!(literal("init.func2"), "violated");
    assert_eq!(status("Scale.func1"), "held");

    // The runtime's count, in a copy of the fixture with the driver added.
    let tmp = tempfile::tempdir().unwrap();
    for f in ["go.mod", "noalloc.go", "other_os.go"] {
        std::fs::copy(fixture().join(f), tmp.path().join(f)).unwrap();
    }
    std::fs::write(tmp.path().join("driver_test.go"), DRIVER).unwrap();
    let out = Command::new("go")
        .args(["test", "-count=1", "-run", "TestAllocsPerRun", "-v", "."])
        .current_dir(tmp.path())
        .env("GOFLAGS", "-mod=mod")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let allocs = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("allocs {name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .trim()
            .parse()
            .unwrap()
    };
    // Held noalloc: nothing allocated.
    assert_eq!(allocs("Sum"), 0.0);
    assert_eq!(allocs("(*point).Norm1"), 0.0);
    // Violated by a call that always allocates: allocations seen.
    assert!(allocs("Box") >= 1.0);
    assert!(allocs("Label") >= 1.0);
    // May allocate (append growth): with room nothing, when full it grows.
    assert_eq!(allocs("Grow/room"), 0.0);
    assert!(allocs("Grow/full") >= 1.0);
    // The conversion's condition: small ints are free, others are not.
    assert_eq!(allocs("Count/small"), 0.0);
    assert!(allocs("Count/large") >= 1.0);
    // Literals: held ones allocate nothing, the converting one does.
    assert_eq!(allocs("Double"), 0.0);
    assert_eq!(allocs("Scale.func1"), 0.0);
    assert!(allocs("Boxed") >= 1.0);
}

fn status_opt(outcomes: &[Value], function: &str) -> Option<String> {
    outcomes
        .iter()
        .find(|o| o["function"] == function)
        .map(|o| o["status"].as_str().unwrap().to_string())
}

#[test]
fn text_names_each_violation_in_gos_form() {
    let (text, _, code) = check(&fixture(), &[]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(
            &"noalloc.go:27: noalloc Box: runtime.convTnoptr allocates (interface conversion of example.com/noalloc.point, 16 B, stored by `Sink = point{...}`)"
        ),
        "{text}"
    );
    assert!(
        lines.contains(
            &"noalloc.go:43: noalloc Grow: runtime.growslice may allocate (append growth)"
        ),
        "{text}"
    );
    assert!(
        lines.contains(
            &"other_os.go:7: noalloc OnlyOnPlan9: not compiled for linux/amd64 (build constraints)"
        ) || !cfg!(target_arch = "x86_64"),
        "{text}"
    );
    // --allow-may: the append no longer violates; the others still do.
    let (json, _, code) = check(&fixture(), &["--allow-may", "--format", "json"]);
    assert_eq!(code, 1);
    let outcomes: Vec<Value> = serde_json::from_str(&json).unwrap();
    let grow = outcomes.iter().find(|o| o["function"] == "Grow").unwrap();
    assert_eq!(grow["status"], "held");
    assert_eq!(grow["violations"][0]["may"], true);
}

#[test]
fn a_directive_can_hold_on_one_version_and_fail_on_another() {
    let gos: Vec<PathBuf> = common::toolchains();
    if gos.len() < 2 {
        eprintln!("SKIPPED: IFACEALLOC_TEST_GOS is unset (.ci/run sets it)");
        return;
    }
    let spec: Vec<String> = gos
        .iter()
        .map(|g| g.to_string_lossy().into_owned())
        .collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/versions");
    let out = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .args(["--go", &spec.join(","), "check", "--format", "json", "-C"])
        .arg(&dir)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let versions = report["versions"].as_array().unwrap();
    assert_eq!(versions.len(), gos.len());
    let mut any_violated = false;
    for (go, v) in gos.iter().zip(versions) {
        let outcome = &report["outcomes"][v.as_str().unwrap()][0];
        let want = if common::go_minor(go) >= 26 {
            "held"
        } else {
            "violated"
        };
        assert_eq!(outcome["status"], want, "{v}: {outcome}");
        if want == "violated" {
            any_violated = true;
            assert_eq!(
                outcome["violations"][0]["call"], "runtime.convT",
                "{outcome}"
            );
        }
    }
    assert_eq!(out.status.code(), Some(i32::from(any_violated)));
    // Text: the version in each line.
    let out = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .args(["--go", &spec.join(","), "check", "-C"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    for v in versions {
        assert!(
            err.contains(&format!("on {}:", v.as_str().unwrap())),
            "{err}"
        );
    }
    for l in text.lines() {
        assert!(l.starts_with("versions.go:18: go1."), "{text}");
    }
}

/// SARIF validates against the SARIF 2.1.0 schema, with a result per
/// forbidden call relative to the repository; JUnit has a case per directive.
#[test]
fn sarif_and_junit_reports() {
    let (sarif, _, code) = check(&fixture(), &["--format", "sarif"]);
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&sarif).unwrap();
    common::assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5, "{results:#?}");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/check/noalloc/noalloc.go"
    );
    assert_eq!(
        results[0]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        25
    );
    let (xml, _, _) = check(&fixture(), &["--format", "junit"]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 11);
    let failed = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    let skipped = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
        .count();
    assert_eq!((failed, skipped), (5, 1));

    // gcassert's directives: a result per failure, with its column.
    let gca = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/gcassert");
    let (sarif, _, code) = check(&gca, &["--format", "sarif", "./..."]);
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&sarif).unwrap();
    common::assert_valid_sarif(&log);
    let bce = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "gcassert:bce")
        .expect("a bce result");
    let region = &bce["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(53), Some(11))
    );
}

/// `--tests`: directives in test files too, compiled as `go test -c` does.
#[test]
fn tests_flag_reads_test_files() {
    let (json, _, _) = check(&fixture(), &["--format", "json"]);
    let without: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert!(!without.iter().any(|o| o["function"] == "newPoint"));
    let (json, err, code) = check(&fixture(), &["--tests", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let with: Vec<Value> = serde_json::from_str(&json).unwrap();
    let helper = with.iter().find(|o| o["function"] == "newPoint").unwrap();
    assert_eq!(helper["status"], "violated", "{helper}");
    assert_eq!(helper["violations"][0]["call"], "runtime.newobject");
    assert_eq!(with.len(), without.len() + 1);
}

/// lem's claims through `check`: the same cases fail on the same lines, for
/// the same reasons, as `ifacealloc lem` says; a clean package holds.
#[test]
fn lem_claims_are_judged_as_lem_judges_them() {
    let lem_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lem");
    let (text, _, code) = check(&lem_dir.join("wrong"), &[]);
    assert_eq!(code, 1);
    let lem = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .args(["lem", "-C"])
        .arg(lem_dir.join("wrong"))
        .output()
        .unwrap();
    let lem_text = String::from_utf8_lossy(&lem.stdout);
    // lem: "    tests/fixtures/lem/wrong/wrong_test.go:13: alloc: expected 0, got 1"
    let mut from_lem: Vec<(String, String)> = lem_text
        .lines()
        .filter_map(|l| l.strip_prefix("    "))
        .filter_map(|l| {
            let (at, what) = l.split_once(": ")?;
            let line = at.rsplit(':').next()?;
            Some((line.to_string(), what.to_string()))
        })
        .collect();
    // check: "wrong_test.go:13: lem badalloc: alloc: expected 0, got 1"
    let mut from_check: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let (at, rest) = l.split_once(": lem ")?;
            let line = at.rsplit(':').next()?;
            let (_, what) = rest.split_once(": ")?;
            Some((line.to_string(), what.to_string()))
        })
        .collect();
    from_lem.sort();
    from_check.sort();
    assert!(from_lem.len() >= 5, "{lem_text}");
    assert_eq!(from_check, from_lem);
    let (_, err, code) = check(&lem_dir.join("akutzstyle"), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 violated"), "{err}");
}

/// A package whose directives all hold passes: exit 0, nothing printed.
#[test]
fn a_clean_package_passes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/clean");
    let (text, err, code) = check(&dir, &[]);
    assert_eq!(code, 0, "{text}{err}");
    assert!(text.is_empty(), "{text}");
    assert!(
        err.contains("5 directives") && err.contains("5 held, 0 violated"),
        "{err}"
    );
}
