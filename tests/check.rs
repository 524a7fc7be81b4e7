//! `check` on a fixture whose marked functions allocate or not, against the
//! runtime: each marked function is driven with testing.AllocsPerRun, and a
//! held `noalloc` must measure 0 allocations, a violated one (by a call that
//! always allocates) more than 0; a call that may allocate must be seen doing
//! both. Code the build leaves out is "not compiled", not a violation.

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
	} {
		fmt.Printf("allocs %s %v\n", c.name, testing.AllocsPerRun(100, c.f))
	}
}
"#;

#[test]
fn verdicts_agree_with_the_runtime() {
    let (json, err, code) = check(&fixture(), &["--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("8 directives"), "{err}");
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
}

#[test]
fn text_names_each_violation_in_gos_form() {
    let (text, _, code) = check(&fixture(), &[]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(
            &"noalloc.go:27: noalloc Box: runtime.convTnoptr allocates (interface conversion)"
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
fn bad_directives_and_input_are_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("go.mod"),
        "module example.com/bad\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("bad.go"),
        "package bad\n\n//ifacealloc:nolloc\nfunc F() {}\n",
    )
    .unwrap();
    let (_, err, code) = check(tmp.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.go: line 3: unknown directive //ifacealloc:nolloc"),
        "{err}"
    );
    let (_, err, code) = check(&tmp.path().join("missing"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a directory"), "{err}");
}
