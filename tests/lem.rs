//! `lem` on the fixture corpus (live, every Go in IFACEALLOC_TEST_GOS too), on a
//! package in akutz/lem's layout with no network, and on wrong annotations.

use std::path::PathBuf;

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lem")
        .join(name)
}

fn lem(go: &std::path::Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .arg("--go")
        .arg(go)
        .arg("lem")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

/// Every file of a directory with its contents, to prove lem writes nothing there.
fn snapshot(dir: &std::path::Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let c = std::fs::read(&p).unwrap_or_default();
            (p, c)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn corpus_passes_on_every_go_with_per_version_keys() {
    let dir = fixture("corpus");
    let before = snapshot(&dir);
    for go in common::toolchains() {
        let (out, err, code) = lem(&go, &["-C", dir.to_str().unwrap(), "--format", "json"]);
        assert_eq!(code, 0, "{}: {out}\n{err}", go.display());
        let r: Value = serde_json::from_str(&out).unwrap();
        let cases = r["cases"].as_array().unwrap();
        assert!(cases.len() >= 30, "{} cases", cases.len());
        assert!(cases.iter().all(|c| c["passed"] == true), "{out}");
        assert!(
            r["warnings"].as_array().unwrap().is_empty(),
            "{}",
            r["warnings"]
        );
        // zerolit's alloc key depends on the version: measured 1 before Go 1.25, 0 from it.
        let minor: u32 = r["go_version"]
            .as_str()
            .unwrap()
            .trim_start_matches("go1.")
            .split('.')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let zl = cases.iter().find(|c| c["id"] == "zerolit").unwrap();
        let allocs = zl["measured"][0][0].as_f64().unwrap();
        assert_eq!(
            allocs,
            if minor >= 25 { 0.0 } else { 1.0 },
            "{}",
            r["go_version"]
        );
    }
    assert_eq!(
        snapshot(&dir),
        before,
        "lem wrote into the package directory"
    );
}

#[test]
fn text_report_ends_with_a_summary_line() {
    let (out, _, code) = lem(
        &PathBuf::from("go"),
        &[
            fixture("corpus").to_str().unwrap(),
            "--run",
            "^(zero|wide|keep)$",
        ],
    );
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.last(), Some(&"3 passed, 0 failed"), "{out}");
    assert!(
        lines.contains(&"PASS wide a value of 256 or more is copied to the heap"),
        "{out}"
    );
}

#[test]
fn akutz_lem_layout_runs_without_network() {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["lem", fixture("akutzstyle").to_str().unwrap()])
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=readonly")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.ends_with("3 passed, 0 failed\n"), "{text}");
}

#[test]
fn wrong_annotations_fail_with_the_right_messages() {
    let (out, err, code) = lem(&PathBuf::from("go"), &[fixture("wrong").to_str().unwrap()]);
    assert_eq!(code, 1, "{out}\n{err}");
    let expect = [
        "FAIL badalloc claims no allocation, but 1<<20 is boxed",
        "    wrong_test.go:17: m=wide does not escape matched no -m message on the line; found: \"wide escapes to heap\"",
        "    wrong_test.go:13: alloc: expected 0, got 1",
        "    wrong_test.go:14: bytes: expected 0-4, got 8",
        "FAIL natch forbids a message that is there",
        "FAIL nobench",
        "    wrong_test.go:58: alloc=0: no benchmark measured (the ID's doc comment must be on a func(*testing.B))",
        "FAIL partial the regex must match the whole message",
        "FAIL quiet",
        "    wrong_test.go:54: m=moved to heap: x matched no -m message on the line; found: nothing",
        "2 passed, 5 failed",
    ];
    // Failure lines start with the file's path relative to the current
    // directory, as Go's tools print it.
    let rel = "    tests/fixtures/lem/wrong/";
    for e in expect {
        let want = e.replacen("    wrong_test.go", &format!("{rel}wrong_test.go"), 1);
        assert!(out.lines().any(|l| l == want), "missing {want:?} in\n{out}");
    }
    assert!(
        out.contains("wrong_test.go:22: m!=leaking param matched \"leaking param: p to result ~r"),
        "{out}"
    );
    for w in [
        "wrong_test.go:35: lem.copied is used in benchOther, but its case belongs to benchCopied",
        "lem.dup: the ID is declared in the doc comments of several functions (benchDupOne, benchDupTwo)",
        "wrong_test.go:54: lem.quiet: no compiler output at all on this line",
    ] {
        assert!(err.contains(w), "missing warning {w:?} in\n{err}");
    }
}

#[test]
fn junit_and_json_formats() {
    let (out, _, code) = lem(
        &PathBuf::from("go"),
        &[fixture("wrong").to_str().unwrap(), "--format", "junit"],
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ifacealloc lem\" tests=\"7\" failures=\"5\">"), "{out}");
    assert_eq!(out.matches("<testcase ").count(), 7);
    assert_eq!(out.matches("<failure message=").count(), 5);
    assert!(
        out.contains("m!=leaking param matched &quot;leaking param"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("</testsuites>"));
    let (out, _, _) = lem(
        &PathBuf::from("go"),
        &[
            fixture("wrong").to_str().unwrap(),
            "--format",
            "json",
            "--run",
            "natch",
        ],
    );
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["cases"].as_array().unwrap().len(), 1);
    assert_eq!(j["cases"][0]["passed"], false);
}

#[test]
fn count_repeats_measurements() {
    let (out, _, code) = lem(
        &PathBuf::from("go"),
        &[
            fixture("corpus").to_str().unwrap(),
            "--run",
            "^wide$",
            "--count",
            "3",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["cases"][0]["measured"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/bad\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("bad_test.go"), "package bad\n\n// lem.x.alloc=lots\nfunc benchX(b interface{}) {}\n\nfunc f() {} // lem.y.alloc!=3\n").unwrap();
    let (_, err, code) = lem(&PathBuf::from("go"), &[dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for args in [
        vec!["/nonexistent/dir/..."],
        vec!["--run", "(", "."],
        vec!["-C", "/nonexistent"],
    ] {
        let (_, err, code) = lem(&PathBuf::from("go"), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
    }
    // A compile error shows the compiler's own message.
    std::fs::write(
        dir.path().join("bad_test.go"),
        "package bad\n\nfunc f() { undefinedThing() } // lem.z.m=x\n",
    )
    .unwrap();
    let (_, err, code) = lem(&PathBuf::from("go"), &[dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("undefined: undefinedThing"), "{err}");
}

/// Per case ID, pass or fail, from `ifacealloc lem --format json`.
fn ifacealloc_verdicts(
    go: &std::path::Path,
    dir: &std::path::Path,
) -> Vec<(String, bool, Vec<u64>)> {
    let (out, err, code) = lem(go, &[dir.to_str().unwrap(), "--format", "json"]);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["passed"].as_bool().unwrap(),
                c["iterations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_u64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn a_package_written_for_akutz_lem_v0_1_1_runs_unchanged() {
    // go 1.17 module (the harness must not use `any`), lem.SetBenchmem,
    // lem.SetBenchtime("1000x") and lem.RunWithBenchmarks; no network.
    let dir = fixture("lemv011");
    let before = snapshot(&dir);
    for go in common::toolchains() {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .arg("--go")
            .arg(&go)
            .args(["lem", dir.to_str().unwrap()])
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=readonly")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.ends_with("4 passed, 2 failed\n"),
            "{}: {text}",
            go.display()
        );
        assert!(text.contains("FAIL wrongalloc"), "{text}");
        assert!(text.contains("FAIL wrongmatch"), "{text}");
        // The package's SetBenchtime("20000x") sets the iterations...
        let cases = ifacealloc_verdicts(&go, &dir);
        assert!(cases.iter().all(|c| c.2 == vec![20000]), "{cases:?}");
    }
    // ... unless --benchtime is given.
    let (out, err, _) = lem(
        &PathBuf::from("go"),
        &[
            dir.to_str().unwrap(),
            "--benchtime",
            "300x",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
    for c in v["cases"].as_array().unwrap() {
        assert_eq!(c["iterations"], serde_json::json!([300]), "{c}");
    }
    assert_eq!(
        before,
        snapshot(&dir),
        "lem wrote into the package directory"
    );
}

#[test]
fn without_a_benchtime_slow_cases_run_fewer_iterations() {
    // The corpus sets no benchtime: fast cases run 10000 times.
    let cases = ifacealloc_verdicts(&PathBuf::from("go"), &fixture("corpus"));
    let measured: Vec<_> = cases.iter().filter(|c| !c.2.is_empty()).collect();
    assert!(!measured.is_empty());
    assert!(
        measured.iter().all(|c| c.2[0] >= 1 && c.2[0] <= 10000),
        "{cases:?}"
    );
    assert!(measured.iter().any(|c| c.2[0] == 10000), "{cases:?}");
}

#[test]
fn agrees_case_by_case_with_the_real_akutz_lem() {
    // The real library, through the Go module proxy into the module cache.
    let dl = std::process::Command::new("go")
        .args(["mod", "download", "-json", "github.com/akutz/lem@v0.1.1"])
        .output()
        .unwrap();
    if !dl.status.success() {
        eprintln!(
            "SKIPPED: github.com/akutz/lem v0.1.1 could not be downloaded (is the Go module proxy reachable?): {}",
            String::from_utf8_lossy(&dl.stdout)
        );
        return;
    }
    let work = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("lemv011"), work.path());
    let out = std::process::Command::new("go")
        .args(["test", "-count=1", "-v", "-run", "^TestLem$", "."])
        .current_dir(work.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // Subtests are TestLem/<ID>/<name>; the <ID> level carries the verdict.
    let re = regex::Regex::new(r"(?m)^    --- (PASS|FAIL): TestLem/([^/\s]+) ").unwrap();
    let mut real: Vec<(String, bool)> = re
        .captures_iter(&text)
        .map(|c| (c[2].to_string(), &c[1] == "PASS"))
        .collect();
    real.sort();
    assert_eq!(real.len(), 6, "the real lem ran:\n{text}");
    let mut ours: Vec<(String, bool)> = ifacealloc_verdicts(&PathBuf::from("go"), work.path())
        .into_iter()
        .map(|c| (c.0, c.1))
        .collect();
    ours.sort();
    assert_eq!(ours, real, "real akutz/lem output:\n{text}");
    assert!(real.iter().any(|c| c.1) && real.iter().any(|c| !c.1));
}

/// A CI gate must not pass a package that does not build: with no claims in
/// it (nothing to run), in its code or only in its tests, lem fails with the
/// compiler's message; the same package fixed passes with 0 cases.
#[test]
fn a_package_that_does_not_build_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("go.mod"), "module broken\n\ngo 1.21\n").unwrap();
    let good = "package broken\n\nfunc F() int { return 1 }\n";
    for (code_src, test_src, msg) in [
        (
            "package broken\n\nfunc F() int { return \"x\" }\n",
            None,
            "cannot use \"x\" (untyped string constant) as int value",
        ),
        ("package broken\n\nfunc F() int { return 1\n", None, "syntax error"),
        (
            good,
            Some("package broken\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { var s string = F(); _ = s }\n"),
            "a_test.go",
        ),
    ] {
        std::fs::write(d.join("a.go"), code_src).unwrap();
        let _ = std::fs::remove_file(d.join("a_test.go"));
        if let Some(t) = test_src {
            std::fs::write(d.join("a_test.go"), t).unwrap();
        }
        let (out, err, code) = lem(std::path::Path::new("go"), &["-C", d.to_str().unwrap()]);
        assert_ne!(code, 0, "{out}\n{err}");
        assert!(err.contains(msg), "{msg}: {err}");
        assert!(!out.contains("0 passed, 0 failed"), "{out}");
    }
    std::fs::write(d.join("a.go"), good).unwrap();
    std::fs::remove_file(d.join("a_test.go")).unwrap();
    let (out, err, code) = lem(std::path::Path::new("go"), &["-C", d.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("0 passed, 0 failed"), "{out}");
}
