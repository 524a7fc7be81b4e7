//! `scan` on a fixture module with one site of every routine and verdict (live),
//! its output formats (SARIF validated against the SARIF 2.1.0 schema), and bad input.

mod common;

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/sites")
}

fn scan(args: &[&str]) -> (String, String, i32) {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .arg("scan")
        .arg("-C")
        .arg(fixture())
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn sites() -> Vec<Value> {
    let (out, err, code) = scan(&["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn at<'a>(sites: &'a [Value], file: &str, line: u64) -> &'a Value {
    sites
        .iter()
        .find(|s| s["file"] == file && s["line"] == line)
        .unwrap_or_else(|| panic!("no site at {file}:{line}"))
}

#[test]
fn every_routine_and_verdict_at_its_line() {
    let s = sites();
    for (line, routine, verdict, bytes) in [
        (16, "direct", "never", 0.0),
        (18, "zerobase", "never", 0.0),
        (20, "staticuint64s", "never", 0.0),
        (22, "readonly", "never", 0.0),
        (24, "convT64", "conditional", 8.0),
        (26, "convTstring", "conditional", 16.0),
        (28, "convTslice", "conditional", 24.0),
        (30, "convTnoptr", "always", 16.0),
        (32, "convT", "always", 16.0),
        (34, "convT16", "conditional", 2.0),
        (37, "stack", "never", 0.0),
        (41, "convT64", "conditional", 8.0),
        (43, "convTnoptr", "always", 24.0),
        (45, "stack", "never", 0.0),
        (47, "convT32", "conditional", 4.0),
    ] {
        let site = at(&s, "sites.go", line);
        assert_eq!(site["routine"], routine, "line {line}: {site}");
        assert_eq!(site["verdict"], verdict, "line {line}: {site}");
        assert_eq!(site["bytes"].as_f64(), Some(bytes), "line {line}: {site}");
    }
    let pair = at(&s, "sites.go", 30);
    assert_eq!(pair["type"], "example.com/sites.pair");
    assert_eq!(pair["function"], "example.com/sites.Pair");
    assert_eq!(pair["column"], 28);
    // Inlined conversions are reported at their source, with where they went.
    let inl = at(&s, "sites.go", 47);
    assert_eq!(inl["function"], "example.com/sites.inlined");
    assert_eq!(
        inl["inlined_into"],
        serde_json::json!(["example.com/sites.Caller"])
    );
    // Two files named util.go keep their own identity.
    assert_eq!(at(&s, "a/util.go", 5)["type"], "int64");
    assert_eq!(at(&s, "b/util.go", 5)["type"], "string");
}

#[test]
fn text_is_grouped_by_file_with_a_summary() {
    let (out, _, code) = scan(&["--heading"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "a/util.go");
    assert!(lines.contains(&"b/util.go") && lines.contains(&"sites.go"));
    assert_eq!(
        lines.last(),
        Some(&"17 sites: 3 always, 8 conditional, 6 never")
    );
}

#[test]
fn filters_sorting_and_fail_on() {
    let (out, _, code) = scan(&[
        "--format",
        "json",
        "--min-verdict",
        "always",
        "--sort",
        "bytes",
    ]);
    assert_eq!(code, 0);
    let v: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["bytes"], 24.0);
    assert!(v.iter().all(|s| s["verdict"] == "always"));
    let (_, err, code) = scan(&["--fail-on", "always", "--format", "json"]);
    assert_eq!(code, 1);
    assert!(err.contains("17 sites: 3 always"), "{err}");
    let (_, _, code) = scan(&["--fail-on", "conditional", "./a"]);
    assert_eq!(code, 1);
    let (_, _, code) = scan(&["--fail-on", "always", "./a", "./b"]);
    assert_eq!(code, 0);
    let (out, _, _) = scan(&["--format", "markdown", "./a"]);
    assert!(
        out.starts_with("| Location | Function | Type | Routine | Verdict | Bytes |"),
        "{out}"
    );
}

#[test]
fn sarif_validates_against_the_schema() {
    let (out, _, code) = scan(&["--format", "sarif"]);
    assert_eq!(code, 0);
    let log: Value = serde_json::from_str(&out).unwrap();
    common::assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 17);
    let always = results
        .iter()
        .filter(|r| r["ruleId"] == "iface-alloc-always")
        .count();
    assert_eq!(always, 3);
}

#[test]
fn compile_errors_show_the_compilers_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/broken\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("x.go"),
        "package broken\n\nvar Sink any = notDefined\n",
    )
    .unwrap();
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .arg("scan")
        .arg("-C")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("undefined: notDefined"), "{err}");
}

#[test]
fn never_writes_into_the_tree() {
    fn snapshot(dir: &std::path::Path) -> Vec<PathBuf> {
        let mut v = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                v.extend(snapshot(&p));
            }
            v.push(p);
        }
        v.sort();
        v
    }
    let before = snapshot(&fixture());
    let (_, _, code) = scan(&["--tests"]);
    assert_eq!(code, 0);
    // With --tests, test files are scanned and functions keep their plain package path.
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lem/corpus");
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--tests", "--format", "json", "-C"])
        .arg(&corpus)
        .output()
        .unwrap();
    let v: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.iter()
            .any(|s| s["file"] == "iface_test.go"
                && s["function"] == "example.com/lemcorpus.benchWide"),
        "{v:?}"
    );
    assert!(v
        .iter()
        .all(|s| !s["function"].as_str().unwrap().contains('[')));
    assert_eq!(snapshot(&fixture()), before);
    // A lone main package: go build would write its binary into the directory.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/cmd\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("main.go"),
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(len(\"x\") + 300) }\n",
    )
    .unwrap();
    common::succeed(
        Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["scan", "-C"])
            .arg(dir.path()),
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn bad_input_exits_2() {
    for args in [
        vec!["-C", "/nonexistent"],
        vec!["./nope/..."],
        vec!["--sort", "size"],
    ] {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .arg("scan")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// cgo packages are scanned when cgo is on (the environment's CGO_ENABLED and a
/// C compiler); with cgo off, what is left out is said on stderr.
#[test]
fn cgo_follows_the_environment() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan");
    let scan_in = |dir: &str, cgo: &str| {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["scan", "--format", "json", "-C"])
            .arg(fixtures.join(dir))
            .env("CGO_ENABLED", cgo)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let has_cc = std::process::Command::new("cc")
        .arg("--version")
        .output()
        .is_ok();
    if has_cc {
        let (code, out, err) = scan_in("cgo", "1");
        assert_eq!(code, 0, "{err}");
        let sites: Vec<Value> = serde_json::from_str(&out).unwrap();
        let files: Vec<&str> = sites.iter().map(|s| s["file"].as_str().unwrap()).collect();
        // Both files, and nothing from cgo's generated code in the build cache.
        assert!(
            files.contains(&"c.go") && files.contains(&"pure.go"),
            "{files:?}"
        );
        assert!(files.iter().all(|f| f.ends_with(".go")), "{files:?}");
    } else {
        eprintln!("SKIPPED the cgo-on half: no C compiler (cc) on this machine");
    }
    let (code, out, err) = scan_in("cgomixed", "0");
    assert_eq!(code, 0, "{err}");
    // Only the file cgo leaves out is named: resolver_plan9.go, which imports
    // "C" too, is left out by its GOOS with cgo on as well.
    assert!(
        err.contains("scan: example.com/cgomixed: c.go not scanned: cgo is off"),
        "{err}"
    );
    assert!(!err.contains("resolver_plan9.go"), "{err}");
    let sites: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(sites.len(), 1, "{out}");
    assert_eq!(sites[0]["file"], "pure.go");
    if has_cc {
        // With cgo on, nothing is said to be left out (std's
        // net/internal/cgotest has such a darwin-only cgo file).
        let (code, out, err) = scan_in("cgomixed", "1");
        assert_eq!(code, 0, "{err}");
        assert!(!err.contains("not scanned"), "{err}");
        let sites: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(sites.len(), 1, "{out}");
    }
}

/// Conversions in code the compiler removed (a constant-false `if debug`) are
/// not allocations: verdict never, evidence "no code", apart in the totals.
#[test]
fn code_the_compiler_removed_is_not_an_allocation() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/deadcode");
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--format", "json", "--fail-on", "conditional", "-C"])
        .arg(&dir)
        .output()
        .unwrap();
    // G's store is conditional, so --fail-on conditional fails on it alone.
    assert_eq!(out.status.code(), Some(1));
    let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    for s in &sites {
        let f = s["function"].as_str().unwrap();
        if f.ends_with(".G") {
            assert_eq!(s["verdict"], "conditional", "{s}");
            assert_eq!(s["evidence"], "-S", "{s}");
        } else {
            assert_eq!(s["verdict"], "never", "{s}");
            assert_eq!(s["bytes"], 0.0, "{s}");
            if s["type"] != "string" || s["line"] == 14 {
                assert_eq!(s["evidence"], "no code", "{s}");
                assert_eq!(s["reason"], "removed by the compiler: dead code", "{s}");
            }
        }
    }
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("2 in code the compiler removed"), "{err}");
}

/// Piped, every site is one `path/file.go:LINE:COL: ` line, as Go's tools print.
#[test]
fn piped_output_follows_go_convention() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .current_dir(&root)
        .args(["scan", "-C", "tests/fixtures/scan/sites"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let re = regex::Regex::new(r"^[^ ]+\.go:\d+:\d+: ").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (summary, sites) = lines.split_last().unwrap();
    assert!(
        summary.ends_with("never") || summary.contains("sites:"),
        "{summary}"
    );
    assert!(!sites.is_empty());
    for l in sites {
        assert!(re.is_match(l), "{l}");
        // Relative to the current directory, as `go vet` prints paths.
        assert!(l.starts_with("tests/fixtures/scan/sites/"), "{l}");
    }
    // --heading brings back the grouped layout.
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--heading", "-C"])
        .arg(root.join("tests/fixtures/scan/sites"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l == "sites.go"), "{text}");
}

/// Against the compiler as referee: every site scan calls conditional or
/// always in go/types and text/template has a runtime.convT* call at its file
/// and line in `go build -gcflags=-S`.
#[test]
fn every_allocating_site_is_backed_by_a_runtime_call() {
    let pkgs = ["go/types", "text/template", "net/http"];
    let out = common::succeed(
        Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["scan", "--format", "json"])
            .args(pkgs),
    );
    let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let listing = std::process::Command::new("go")
        .args(["build", "-gcflags=-S", "-o", "/dev/null"])
        .args(pkgs)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stderr);
    let call = regex::Regex::new(r"\(([^()]+\.go):(\d+)\)\s+CALL\s+runtime\.(convT\w*)").unwrap();
    let calls: std::collections::HashSet<(String, u64)> = call
        .captures_iter(&listing)
        .map(|c| (c[1].to_string(), c[2].parse().unwrap()))
        .collect();
    // And the other way: every convT call in these packages' own files has
    // a site of that routine at its line, or starting a few lines above it
    // (an expression whose '{' or '(' is lines below where it starts).
    let goroot = String::from_utf8(
        std::process::Command::new("go")
            .args(["env", "GOROOT"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let own_dirs: Vec<String> = pkgs
        .iter()
        .map(|p| format!("{}/src/{p}/", goroot.trim()))
        .collect();
    let mut checked = 0;
    for c in call.captures_iter(&listing) {
        let (file, line, routine) = (&c[1], c[2].parse::<u64>().unwrap(), &c[3]);
        let own = own_dirs.iter().any(|d| {
            file.strip_prefix(d.as_str())
                .is_some_and(|rest| !rest.contains('/'))
        });
        if !own {
            continue;
        }
        checked += 1;
        let found = sites.iter().any(|s| {
            let l = s["line"].as_u64().unwrap();
            s["file"].as_str().is_some_and(|f| file.ends_with(f))
                && l <= line
                && line <= l + 8
                && s["routine"] == routine
        });
        assert!(found, "no site for the {routine} call at {file}:{line}");
    }
    assert!(checked > 500, "{checked} calls checked");
    let allocating: Vec<&Value> = sites
        .iter()
        .filter(|s| s["verdict"] == "conditional" || s["verdict"] == "always")
        .collect();
    assert!(allocating.len() > 100, "{}", allocating.len());
    for s in allocating {
        let file = s["file"].as_str().unwrap();
        let line = s["line"].as_u64().unwrap();
        assert!(
            calls.iter().any(|(f, l)| (line..=line + 8).contains(l)
                && (f == file || f.ends_with(&format!("/{file}")))),
            "no runtime call at {file}:{line}: {s}"
        );
    }
}

/// Conversions in generic code are reported once at their source with each
/// instantiation the build compiled, checked against the listing and a
/// measurement; generic code never instantiated is `unknown`.
#[test]
fn generic_code_reports_each_instantiation() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/generic");
    let out = common::succeed(
        Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["scan", "--format", "json", "-C"])
            .arg(&dir),
    );
    let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let boxed = sites
        .iter()
        .find(|s| s["line"] == 6)
        .expect("Box's return v");
    let inst: Vec<(String, String, f64)> = boxed["instantiations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["shape"].as_str().unwrap().to_string(),
                i["routine"].as_str().unwrap().to_string(),
                i["bytes"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(
        inst.contains(&("go.shape.int64".into(), "convT64".into(), 8.0)),
        "{inst:?}"
    );
    assert!(
        inst.contains(&("go.shape.string".into(), "convTstring".into(), 16.0)),
        "{inst:?}"
    );
    let unused = sites
        .iter()
        .find(|s| s["line"] == 9)
        .expect("Unused's return v");
    assert_eq!(unused["verdict"], "unknown");
    assert!(unused["reason"]
        .as_str()
        .unwrap()
        .contains("not instantiated"));
    // The listing: each shape's body calls its routine at generic.go:6.
    let listing = std::process::Command::new("go")
        .args(["build", "-gcflags=-S", "-o", "/dev/null", "."])
        .current_dir(&dir)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stderr);
    for (shape, routine) in [
        ("go.shape.int64", "convT64"),
        ("go.shape.string", "convTstring"),
    ] {
        let body = listing
            .split("\nexample.com/generic.")
            .find(|f| f.starts_with(&format!("Box[{shape}] STEXT")))
            .unwrap_or_else(|| panic!("no Box[{shape}] in the listing"));
        assert!(
            body.lines().any(|l| l.contains("generic.go:6)")
                && l.contains(&format!("CALL\truntime.{routine}(SB)"))),
            "Box[{shape}] has no {routine} call at line 6"
        );
    }
    // The runtime agrees: one allocation of the predicted bytes per call.
    let measured = std::process::Command::new("go")
        .args(["test", "-count=1", "-run", "^TestMeasure$", "-v", "."])
        .current_dir(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&measured.stdout);
    assert!(text.contains("measured int64 1 8"), "{text}");
    assert!(text.contains("measured string 1 16"), "{text}");
    // A struct shape's bytes come from the shape's layout; a closure inside
    // generic code has each instantiation too; both as the runtime measures.
    let t3_shape = "go.shape.struct { A int64; B int64; C int64 }";
    assert!(
        inst.contains(&(t3_shape.into(), "convTnoptr".into(), 24.0)),
        "{inst:?}"
    );
    assert!(text.contains("measured T3 1 24"), "{text}");
    let wrapped = sites
        .iter()
        .find(|s| s["function"] == "example.com/generic.Wrap.func1")
        .expect("Wrap's closure");
    let shapes: Vec<(String, f64)> = wrapped["instantiations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["shape"].as_str().unwrap().to_string(),
                i["bytes"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(
        shapes.contains(&("go.shape.int64".into(), 8.0))
            && shapes.contains(&(t3_shape.into(), 24.0)),
        "{wrapped}"
    );
    assert!(text.contains("measured wrapped-int64 1 8"), "{text}");
    assert!(text.contains("measured wrapped-T3 1 24"), "{text}");
}

/// The compiler places a conversion at its expression's operator, '(', '.',
/// '[' or '{': a struct literal whose type spans lines converts where its
/// '{' is, an immediately called func literal where its '(' is. scan finds
/// both (they were `unknown`), measured live.
#[test]
fn multi_line_expressions_are_found_where_the_compiler_puts_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("go.mod"),
        "module example.com/multiline\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        d.join("m.go"),
        "package multiline\n\nimport \"io\"\n\nvar Sink any\n\nfunc Pair(r io.Reader, c io.Closer) {\n\tSink = struct {\n\t\tio.Reader\n\t\tio.Closer\n\t}{\n\t\tr,\n\t\tc,\n\t}\n}\n\nfunc Call(x int64) {\n\tSink = func() int64 {\n\t\treturn x << 20\n\t}()\n}\n",
    )
    .unwrap();
    let (sites, code) = scan_in(d, &[]);
    assert_eq!(code, 0);
    let pair = sites.iter().find(|s| s["line"] == 8).expect("Pair's site");
    assert_eq!(
        (
            pair["routine"].as_str(),
            pair["verdict"].as_str(),
            pair["bytes"].as_f64()
        ),
        (Some("convT"), Some("always"), Some(32.0)),
        "{pair}"
    );
    let call = sites.iter().find(|s| s["line"] == 18).expect("Call's site");
    assert_eq!(
        (call["routine"].as_str(), call["bytes"].as_f64()),
        (Some("convT64"), Some(8.0)),
        "{call}"
    );
    std::fs::write(
        d.join("m_test.go"),
        "package multiline\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestMeasure(t *testing.T) {\n\tfor _, f := range []func(){func() { Pair(os.Stdin, os.Stdin) }, func() { Call(1) }} {\n\t\tr := testing.Benchmark(func(b *testing.B) {\n\t\t\tb.ReportAllocs()\n\t\t\tfor i := 0; i < b.N; i++ {\n\t\t\t\tf()\n\t\t\t}\n\t\t})\n\t\tfmt.Printf(\"measured %d %d\\n\", r.AllocsPerOp(), r.AllocedBytesPerOp())\n\t}\n}\n",
    )
    .unwrap();
    let measured = std::process::Command::new("go")
        .args(["test", "-count=1", "-run", "^TestMeasure$", "-v", "."])
        .current_dir(d)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&measured.stdout);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("measured "))
        .collect();
    assert_eq!(lines, ["measured 1 32", "measured 1 8"], "{text}");
}

fn scan_in(dir: &std::path::Path, args: &[&str]) -> (Vec<Value>, i32) {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .arg("scan")
        .args(args)
        .args(["--format", "json", "-C"])
        .arg(dir)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (serde_json::from_slice(&out.stdout).unwrap(), code)
}

/// --baseline: only sites a change adds; moved code is not new.
#[test]
fn baseline_reports_only_new_or_worse_sites() {
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("sites");
    common::copy_tree(&fixture(), &tree);
    let base = work.path().join("base.json");
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--format", "json", "-o"])
        .arg(&base)
        .arg("-C")
        .arg(&tree)
        .output()
        .unwrap();
    assert!(out.status.success());
    let base_arg = base.to_str().unwrap();
    // Nothing changed: nothing new, --fail-on passes.
    let (sites, code) = scan_in(&tree, &["--baseline", base_arg, "--fail-on", "always"]);
    assert_eq!((sites.len(), code), (0, 0), "{sites:?}");
    // Moving an old function to the end of the file adds nothing.
    let src = tree.join("sites.go");
    let text = std::fs::read_to_string(&src).unwrap();
    let moved = "func Pointer(p *int) { Sink = p } // line 16: direct\n";
    assert!(text.contains(moved));
    std::fs::write(&src, text.replace(moved, "") + "\n" + moved).unwrap();
    let (sites, code) = scan_in(&tree, &["--baseline", base_arg, "--fail-on", "always"]);
    assert_eq!((sites.len(), code), (0, 0), "{sites:?}");
    // One new allocating site: it alone is reported, and --fail-on fails.
    let text = std::fs::read_to_string(&src).unwrap();
    std::fs::write(&src, text + "\nfunc Added(p [3]int64) { Sink = p }\n").unwrap();
    let (sites, code) = scan_in(&tree, &["--baseline", base_arg, "--fail-on", "always"]);
    assert_eq!(code, 1);
    assert_eq!(sites.len(), 1, "{sites:?}");
    assert_eq!(sites[0]["function"], "example.com/sites.Added");
    assert_eq!(sites[0]["verdict"], "always");
}

/// --new-from-rev: the same against a git revision, in a temporary worktree.
#[test]
fn new_from_rev_compares_with_a_git_revision() {
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("repo");
    common::copy_tree(&fixture(), &tree);
    let git = |args: &[&str]| {
        common::git(&tree, args);
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    let src = tree.join("sites.go");
    let text = std::fs::read_to_string(&src).unwrap();
    std::fs::write(&src, text + "\nfunc Added(s string) { Sink = s }\n").unwrap();
    let (sites, code) = scan_in(
        &tree,
        &["--new-from-rev", "HEAD", "--fail-on", "conditional"],
    );
    assert_eq!(code, 1);
    assert_eq!(sites.len(), 1, "{sites:?}");
    assert_eq!(sites[0]["function"], "example.com/sites.Added");
    // The temporary worktree is gone again.
    let wt = std::process::Command::new("git")
        .args(["worktree", "list"])
        .current_dir(&tree)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&wt.stdout).lines().count(), 1);
}

/// The flat bytes `go tool pprof -list` attributes to `file:line`.
fn pprof_flat(dir: &std::path::Path, profile: &str, func: &str, file: &str, line: u64) -> u64 {
    let out = std::process::Command::new("go")
        .args([
            "tool",
            "pprof",
            "-list",
            func,
            "-sample_index=alloc_space",
            "-unit=B",
            profile,
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut in_file = false;
    for l in text.lines() {
        if l.starts_with("ROUTINE") {
            in_file = l.ends_with(file);
            continue;
        }
        let cols: Vec<&str> = l.split_whitespace().collect();
        if in_file
            && cols.len() >= 3
            && cols[2].split(':').next() == Some(line.to_string().as_str())
        {
            return cols[0].trim_end_matches('B').parse().unwrap_or(0);
        }
    }
    panic!("pprof -list {func} has no line {file}:{line}:\n{text}");
}

/// Runs benchmarks with a memory profile of every allocation.
fn profile_benchmarks(dir: &std::path::Path, bench: &str, times: &str) {
    let out = std::process::Command::new("go")
        .args(["test", "-run", "^$", "-bench", bench, "-benchtime", times])
        .args(["-memprofile", "mem.out", "-memprofilerate", "1", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// --profile ranks conversions by the bytes a real profile saw, equal to what
/// `go tool pprof -list` attributes to their lines.
#[test]
fn a_profile_ranks_sites_by_the_bytes_it_saw() {
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("profiled");
    common::copy_tree(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/profiled"),
        &tree,
    );
    profile_benchmarks(&tree, ".", "1000x");
    let (sites, code) = scan_in(
        &tree,
        &["--profile", tree.join("mem.out").to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert_eq!(
        sites[0]["function"], "example.com/profiled.Hot",
        "{sites:?}"
    );
    let hot = sites[0]["profile_bytes"].as_u64().unwrap();
    assert!(hot >= 8000, "{hot}");
    assert_eq!(
        hot,
        pprof_flat(&tree, "mem.out", "profiled.Hot$", "profiled.go", 8)
    );
    let cold = sites
        .iter()
        .find(|s| s["function"] == "example.com/profiled.Cold")
        .unwrap();
    assert_eq!(cold["profile_bytes"], 0);
}

/// A third-party module no other test uses, github.com/sirupsen/logrus
/// v1.9.3, scanned with a profile of its own benchmarks.
#[test]
fn a_third_party_module_with_a_profile_of_its_own_benchmarks() {
    let work = tempfile::tempdir().unwrap();
    let Some(tree) = module_copy("github.com/sirupsen/logrus@v1.9.3", work.path()) else {
        return;
    };
    profile_benchmarks(&tree, "BenchmarkSmallTextFormatter", "500x");
    let (sites, _) = scan_in(
        &tree,
        &["--profile", tree.join("mem.out").to_str().unwrap(), "."],
    );
    let top = &sites[0];
    let bytes = top["profile_bytes"].as_u64().unwrap();
    assert!(bytes > 0, "no site got bytes from the profile: {top}");
    assert!(
        top["verdict"] == "conditional" || top["verdict"] == "always",
        "{top}"
    );
    let func = top["function"].as_str().unwrap();
    let short = func
        .rsplit('/')
        .next()
        .unwrap()
        .replace('(', "\\(")
        .replace(')', "\\)")
        .replace('*', "\\*");
    assert_eq!(
        bytes,
        pprof_flat(
            &tree,
            "mem.out",
            &short,
            top["file"].as_str().unwrap(),
            top["line"].as_u64().unwrap()
        ),
        "{top}"
    );
}

/// A writable copy of a published module (`path@version`) fetched through
/// the Go module proxy, in `work`; `None` (with a SKIPPED note) offline.
fn module_copy(module: &str, work: &std::path::Path) -> Option<PathBuf> {
    let dl = std::process::Command::new("go")
        .args(["mod", "download", "-json", module])
        .output()
        .unwrap();
    if !dl.status.success() {
        eprintln!(
            "SKIPPED: {module} could not be downloaded (is the Go module proxy reachable?): {}",
            String::from_utf8_lossy(&dl.stdout)
        );
        return None;
    }
    let info: Value = serde_json::from_slice(&dl.stdout).unwrap();
    let name = module
        .split('@')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let tree = work.join(name);
    common::copy_tree(std::path::Path::new(info["Dir"].as_str().unwrap()), &tree);
    for e in walk(&tree) {
        let mut perm = std::fs::metadata(&e).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perm.set_readonly(false);
        std::fs::set_permissions(&e, perm).unwrap();
    }
    Some(tree)
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// scan compiles without DWARF (`-dwarf=false`, less for the compiler to
/// make and print). What it reads must not change with that: on every Go
/// under test, each function of a default `-S` build of these packages has
/// the same instructions at the same places without DWARF, and the only
/// functions a default build adds are generated ones (`<autogenerated>`).
#[test]
fn the_listing_without_dwarf_has_the_same_code() {
    let pkgs = ["strconv", "encoding/json", "text/template"];
    let instr = regex::Regex::new(r"^\t0x[0-9a-f]+ \d{5} \(").unwrap();
    let listing = |go: &std::path::Path, flags: &str| {
        let out = std::process::Command::new(go)
            .args(["build", "-o", "/dev/null", flags])
            .args(pkgs)
            .output()
            .unwrap();
        assert!(out.status.success(), "{go:?} {flags}");
        // (package, function) → its instruction lines: a DUPOK wrapper is
        // compiled into each package that needs it, and the packages'
        // listings come in the order they finish.
        let mut funcs = std::collections::BTreeMap::<(String, String), Vec<String>>::new();
        let mut package = String::new();
        let mut current: Option<(String, String)> = None;
        for line in String::from_utf8_lossy(&out.stderr).lines() {
            if let Some(p) = line.strip_prefix("# ") {
                package = p.to_string();
                current = None;
            } else if !line.starts_with('\t') {
                // The name may hold spaces (`go.shape.struct { ... }`).
                current = line
                    .find(" STEXT")
                    .map(|at| (package.clone(), line[..at].to_string()));
                if let Some(key) = &current {
                    funcs.insert(key.clone(), Vec::new());
                }
            } else if let Some(name) = &current {
                if instr.is_match(line) {
                    funcs.get_mut(name).unwrap().push(line.to_string());
                }
            }
        }
        funcs
    };
    for go in common::toolchains() {
        let with = listing(&go, "-gcflags=-S");
        let without = listing(&go, "-gcflags=-S -dwarf=false");
        assert!(without.len() > 500, "{go:?}: {} functions", without.len());
        for (name, code) in &without {
            assert!(!code.is_empty(), "{go:?}: {name:?} has no instructions");
            assert_eq!(with.get(name), Some(code), "{go:?}: {name:?} differs");
        }
        for (name, code) in &with {
            if !without.contains_key(name) {
                assert!(
                    code.iter().all(|l| l.contains("(<autogenerated>:")),
                    "{go:?}: only a build with DWARF has {name:?}"
                );
            }
        }
    }
}

/// The results of a multi-value expression converted to interfaces — `return
/// g(x)`, `a, err = g(x)`, `h(g(x))`, `var v, w any = g(x)`, `a, ok = m[k]` —
/// each have a site with the result's own type, and per function the sites'
/// allocations and bytes are what the runtime measures (every value here has
/// bits ≥ 256), on every Go under test.
#[test]
fn each_result_of_a_multi_value_expression_is_a_site() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/tuples");
    for go in common::toolchains() {
        let out = common::succeed(
            Command::cargo_bin("ifacealloc")
                .unwrap()
                .arg("--go")
                .arg(&go)
                .args(["scan", "--format", "json", "-C"])
                .arg(&dir),
        );
        let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            sites
                .iter()
                .all(|s| !s["type"].as_str().unwrap().starts_with('(')),
            "a tuple is no site's type: {sites:?}"
        );
        let measured = std::process::Command::new(&go)
            .args(["test", "-count=1", "-run", "^TestMeasure$", "-v", "."])
            .current_dir(&dir)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&measured.stdout);
        let mut functions = 0;
        for line in text.lines().filter_map(|l| l.strip_prefix("measured ")) {
            let f: Vec<&str> = line.split(' ').collect();
            let (name, allocs, bytes): (&str, f64, f64) =
                (f[0], f[1].parse().unwrap(), f[2].parse().unwrap());
            let func = format!("example.com/tuples.{name}");
            let here: Vec<&Value> = sites.iter().filter(|s| s["function"] == func).collect();
            let predicted_allocs = here
                .iter()
                .filter(|s| s["verdict"] == "always" || s["verdict"] == "conditional")
                .count() as f64;
            let predicted_bytes: f64 = here
                .iter()
                .map(|s| s["bytes"].as_f64().unwrap_or(0.0))
                .sum();
            assert_eq!(
                (predicted_allocs, predicted_bytes),
                (allocs, bytes),
                "{}: {name}: sites {here:?}",
                go.display()
            );
            functions += 1;
        }
        assert_eq!(functions, 6, "{text}");
    }
}

/// The flat bytes `go tool pprof -disasm` attributes to the CALL of `callee`
/// in `func` (pprof's own per-instruction join of the profile).
fn pprof_call_bytes(dir: &std::path::Path, binary: &str, func: &str, callee: &str) -> u64 {
    let out = std::process::Command::new("go")
        .args(["tool", "pprof", &format!("-disasm={func}")])
        .args(["-sample_index=alloc_space", "-unit=B", binary, "mem.out"])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.contains(&format!("CALL {callee}(SB)")))
        .map(|l| {
            let flat = l.split_whitespace().next().unwrap();
            flat.trim_end_matches('B').parse().unwrap_or(0)
        })
        .unwrap_or_else(|| panic!("pprof -disasm={func} has no CALL {callee}:\n{text}"))
}

/// --profile joins each allocation to the call that made it: on
/// `Log("key", i)` the variadic `[]any` allocates every time while convT64
/// allocates only for i ≥ 256, and only convT64's bytes are the
/// conversion's — equal to what `go tool pprof -disasm` gives its CALL.
/// Without the binary, allocations are joined by line, and stderr says so.
#[test]
fn a_profile_is_joined_by_call_not_by_line() {
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("variadic");
    common::copy_tree(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/variadic"),
        &tree,
    );
    profile_benchmarks(&tree, ".", "1000x");
    assert!(
        tree.join("variadic.test").is_file(),
        "go test -memprofile leaves the binary"
    );
    let convt64 = |sites: &[Value], func: &str| -> u64 {
        sites
            .iter()
            .find(|s| s["function"] == func && s["routine"] == "convT64")
            .unwrap_or_else(|| panic!("no convT64 site in {func}: {sites:?}"))["profile_bytes"]
            .as_u64()
            .unwrap()
    };
    let (sites, _) = scan_in(
        &tree,
        &["--profile", tree.join("mem.out").to_str().unwrap()],
    );
    assert_eq!(
        convt64(&sites, "example.com/variadic.Small"),
        0,
        "{sites:?}"
    );
    let wide = convt64(&sites, "example.com/variadic.Wide");
    // 1000 8-byte values; the runtime packs two into each 16-byte tiny block.
    assert!((8000..8100).contains(&wide), "{wide}");
    assert_eq!(
        wide,
        pprof_call_bytes(&tree, "variadic.test", "BenchmarkWide", "runtime.convT64")
    );
    // The binary gone: joined by line, with a note.
    std::fs::remove_file(tree.join("variadic.test")).unwrap();
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--format", "json", "--profile"])
        .arg(tree.join("mem.out"))
        .arg("-C")
        .arg(&tree)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("joined by line"), "{err}");
    let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(convt64(&sites, "example.com/variadic.Small") > 0);
    // A profile of other code: said on stderr, not silence.
    let other = work.path().join("profiled");
    common::copy_tree(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/profiled"),
        &other,
    );
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--profile"])
        .arg(tree.join("mem.out"))
        .arg("-C")
        .arg(&other)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("none of its"), "{err}");
}

/// A third-party module no other test uses, github.com/google/uuid v1.6.0,
/// scanned with a profile of its own test suite at -memprofilerate 1: every
/// allocation the binary's `runtime.convT*` CALLs made in the package's code
/// lands on a site scan says may allocate (none missed, none at a `never`
/// site), and the sites' bytes sum to what `go tool pprof -disasm` gives
/// those CALLs.
#[test]
fn a_third_party_modules_own_tests_are_joined_call_by_call() {
    let work = tempfile::tempdir().unwrap();
    let Some(tree) = module_copy("github.com/google/uuid@v1.6.0", work.path()) else {
        return;
    };
    let out = std::process::Command::new("go")
        .args([
            "test",
            "-count=1",
            "-memprofile",
            "mem.out",
            "-memprofilerate",
            "1",
            ".",
        ])
        .current_dir(&tree)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--format", "json", "--profile", "mem.out", "."])
        .current_dir(&tree)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("joined by line"), "{err}");
    assert!(!err.contains("where scan"), "{err}");
    let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ours: u64 = sites
        .iter()
        .map(|s| s["profile_bytes"].as_u64().unwrap())
        .sum();
    // pprof's per-instruction figures for every convT CALL at a line of the
    // package's own (non-test) files.
    let disasm = std::process::Command::new("go")
        .args([
            "tool",
            "pprof",
            "-disasm=.",
            "-sample_index=alloc_space",
            "-unit=B",
        ])
        .args(["uuid.test", "mem.out"])
        .current_dir(&tree)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&disasm.stdout);
    let theirs: u64 = text
        .lines()
        .filter(|l| l.contains("CALL runtime.convT"))
        .filter(|l| {
            let at = l.rsplit(' ').next().unwrap_or("");
            let file = at.split(':').next().unwrap_or("");
            file.ends_with(".go") && !file.ends_with("_test.go") && tree.join(file).is_file()
        })
        .filter_map(|l| {
            l.split_whitespace()
                .next()?
                .strip_suffix('B')?
                .parse::<u64>()
                .ok()
        })
        .sum();
    assert!(ours > 0, "no site got bytes: {sites:?}");
    assert_eq!(ours, theirs, "{text}");
}

/// The user's Go settings are theirs: GOFLAGS build tags select the files
/// scanned, and a vendored module scans offline (no module cache, no proxy)
/// in vendor mode, as `go build` does.
#[test]
fn goflags_and_vendor_mode_are_the_users() {
    let work = tempfile::tempdir().unwrap();
    let m = work.path().join("tagged");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("go.mod"), "module example.com/tagged\n\ngo 1.21\n").unwrap();
    std::fs::write(m.join("base.go"), "package tagged\n\nvar Sink any\n").unwrap();
    std::fs::write(
        m.join("tagged.go"),
        "//go:build mytag\n\npackage tagged\n\nfunc Tagged(s string) { Sink = s }\n",
    )
    .unwrap();
    let scan = |dir: &std::path::Path, env: &[(&str, &str)]| {
        let mut c = Command::cargo_bin("ifacealloc").unwrap();
        c.args(["scan", "--format", "json", "."]).current_dir(dir);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let out = scan(&m, &[("GOFLAGS", "-tags=mytag")]);
    let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sites.len(), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let out = scan(&m, &[("GOFLAGS", "")]);
    let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(sites.is_empty());
    // -mod=mod is not honoured: go.mod is never rewritten.
    let out = scan(&m, &[("GOFLAGS", "-mod=mod -tags=mytag")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("using -mod=readonly"));

    // Vendored: github.com/google/uuid from the proxy, then offline.
    let v = work.path().join("vendored");
    std::fs::create_dir_all(&v).unwrap();
    std::fs::write(v.join("go.mod"), "module example.com/vendored\n\ngo 1.21\n").unwrap();
    std::fs::write(
        v.join("v.go"),
        "package vendored\n\nimport \"github.com/google/uuid\"\n\nvar Sink any\n\nfunc ID(u uuid.UUID) { Sink = u }\n",
    )
    .unwrap();
    let go = |args: &[&str]| {
        std::process::Command::new("go")
            .args(args)
            .current_dir(&v)
            .env("GOFLAGS", "")
            .output()
            .unwrap()
    };
    let got = go(&["get", "github.com/google/uuid@v1.6.0"]);
    if !got.status.success() {
        eprintln!(
            "SKIPPED: github.com/google/uuid could not be fetched (is the Go module proxy reachable?): {}",
            String::from_utf8_lossy(&got.stderr)
        );
        return;
    }
    assert!(go(&["mod", "vendor"]).status.success());
    let empty_cache = work.path().join("empty-modcache");
    let cache = empty_cache.to_str().unwrap();
    let out = scan(
        &v,
        &[("GOFLAGS", ""), ("GOPROXY", "off"), ("GOMODCACHE", cache)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sites.len(), 1, "{sites:?}");
    assert_eq!(sites[0]["routine"], "convTnoptr");
}

/// SARIF URIs are relative to the repository root, as GitHub code scanning
/// reads them (a module in a subfolder included), and percent-encoded, so
/// `#`, `?` and spaces in file names name files.
#[test]
fn sarif_uris_are_repository_relative_and_percent_encoded() {
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    let m = repo.join("sub dir").join("m");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(m.join("go.mod"), "module example.com/m\n\ngo 1.21\n").unwrap();
    std::fs::write(m.join("base.go"), "package m\n\nvar Sink any\n").unwrap();
    for (name, func) in [("c#frag.go", "A"), ("e?q.go", "B"), ("f space.go", "C")] {
        std::fs::write(
            m.join(name),
            format!("package m\n\nfunc {func}(s string) {{ Sink = s }}\n"),
        )
        .unwrap();
    }
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--format", "sarif", "."])
        .current_dir(&m)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uris: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    for want in [
        "sub%20dir/m/c%23frag.go",
        "sub%20dir/m/e%3Fq.go",
        "sub%20dir/m/f%20space.go",
    ] {
        assert!(uris.contains(&want), "{uris:?}");
    }
    let base = v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with("/repo/"),
        "{base}"
    );
}

/// Folders whose names hold characters the listing also uses — parentheses
/// (`proj (copy)`), colons, tabs are not allowed by go but spaces, brackets,
/// quotes, `#`, `%`, `&` and non-ASCII are — scan as any other: every site's
/// routine read from the listing, none `unknown`; `asm` finds the function.
#[test]
fn any_folder_name_go_accepts_scans() {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[5; 32]),
    );
    let chars: Vec<char> = " ()[]{}'\"#%&;,=+@!$~^é日-_.".chars().collect();
    let names = prop::collection::vec(prop::sample::select(chars), 1..8)
        .prop_map(|v| format!("p{}q", v.into_iter().collect::<String>()));
    let mut folders = vec!["proj (copy)".to_string(), "a(b)c:d".replace(':', "")];
    for _ in 0..6 {
        folders.push(names.new_tree(&mut runner).unwrap().current());
    }
    for folder in folders {
        let work = tempfile::tempdir().unwrap();
        let m = work.path().join(&folder).join("m");
        std::fs::create_dir_all(&m).unwrap();
        std::fs::write(m.join("go.mod"), "module example.com/m\n\ngo 1.21\n").unwrap();
        std::fs::write(
            m.join("a.go"),
            "package m\n\nvar Sink any\n\nfunc Store(v int64) { Sink = v }\n\nfunc S(s string) { Sink = s }\n",
        )
        .unwrap();
        let (sites, _) = scan_in(&m, &["."]);
        assert_eq!(sites.len(), 2, "{folder:?}: {sites:?}");
        for s in &sites {
            assert_ne!(s["verdict"], "unknown", "{folder:?}: {s}");
        }
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["asm", "./a.go:Store"])
            .current_dir(&m)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{folder:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("convT64"),
            "{folder:?}"
        );
    }
}

/// Each allocating site says why its value escapes, condensed from the
/// compiler's own `-m=2` explanation, on every toolchain (Go 1.21's
/// explanation is worded differently); SARIF carries the flow's steps as
/// related locations.
#[test]
fn sites_say_why_the_value_escapes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/why");
    for go in common::toolchains() {
        let go = go.to_string_lossy().into_owned();
        let (sites, _) = scan_in(&dir, &["--go", &go]);
        let why = |line: u64| -> String {
            let s = sites
                .iter()
                .find(|s| s["line"] == line)
                .unwrap_or_else(|| panic!("no site on line {line}: {sites:#?}"));
            s["why"].as_str().unwrap_or("").to_string()
        };
        assert_eq!(why(7), "stored by `Sink = v`", "{go}");
        assert_eq!(
            why(9),
            "passed to fmt.Sprintf's ... parameter, which leaks to the heap",
            "{go}"
        );
        assert_eq!(why(13), "returned from New", "{go}");
        assert!(
            why(15).starts_with("returned from Closure.func1"),
            "{go}: {}",
            why(15)
        );
        assert_eq!(why(17), "", "{go}: a local that does not escape has no why");
        assert_eq!(why(19), "sent on a channel by `c <- v`", "{go}");
        assert_eq!(why(21), "stored by `m[\"k\"] = v`", "{go}");
        assert!(
            why(23).starts_with("put in `[]any{...}`"),
            "{go}: {}",
            why(23)
        );
        for s in &sites {
            let flow = s["escape_flow"].as_array().unwrap();
            assert_eq!(flow.is_empty(), s["why"].is_null(), "{go}: {s:#?}");
            if let Some(first) = flow.first() {
                assert!(
                    first.as_str().unwrap().starts_with("flow: "),
                    "{go}: {s:#?}"
                );
            }
        }
    }
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--format", "sarif", "-C"])
        .arg(&dir)
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let print = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"] == 9)
        .unwrap();
    assert!(print["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with("It escapes: passed to fmt.Sprintf's ... parameter, which leaks to the heap."));
    let related = print["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 2, "{related:#?}");
    assert_eq!(
        related[1]["physicalLocation"]["artifactLocation"]["uri"],
        print["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    );
    assert!(related[1]["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("call parameter: fmt.Sprintf("));
}

/// `--arch 386`: the packages compiled for 386, with its layouts and size
/// classes — the same bytes `explain --arch 386` gives (whose 386 answers
/// tests/differential_live.rs measures by running 386 binaries).
#[test]
fn arch_compiles_for_another_goarch() {
    let (sites, code) = scan_in(&fixture(), &["--arch", "386"]);
    assert_eq!(code, 0);
    let bytes_of = |expr_file: &str, line: u64| -> f64 {
        sites
            .iter()
            .find(|s| s["file"].as_str().unwrap().ends_with(expr_file) && s["line"] == line)
            .unwrap()["bytes"]
            .as_f64()
            .unwrap()
    };
    for (line, ty, value) in [
        (26, "string", "x"),
        (28, "[]byte", "make"),
        (24, "int64", "300"),
    ] {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .args([
                "explain",
                ty,
                "--value",
                value,
                "--arch",
                "386",
                "--go-version",
                "1.26",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let e: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            bytes_of("sites.go", line),
            e["bytes"].as_f64().unwrap(),
            "{ty}"
        );
    }
    assert_eq!(bytes_of("sites.go", 26), 8.0);
    let (_, code) = scan_in(&fixture(), &["--arch", "386", "--fail-on", "always"]);
    assert_eq!(code, 1);
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "--arch", "z80", "-C"])
        .arg(fixture())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--arch: GOARCH \"z80\""), "{err}");
}
