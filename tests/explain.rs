//! `explain`: worked examples, versions and GOARCHes, --verify live, and hostile input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn explain(args: &[&str]) -> (String, String, i32) {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .arg("explain")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let (out, err, code) = explain(&a);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn float32_three_allocates_and_the_reason_says_why() {
    let j = json(&["float32", "--value", "3"]);
    assert_eq!(j["routine"], "convT32");
    assert_eq!(j["allocs"], 1);
    assert_eq!(j["bytes"], 4.0);
    assert_eq!(j["verdict"], "conditional");
    let reasons = j["reasons"].to_string();
    assert!(reasons.contains("0x40400000"), "{reasons}");
    assert!(reasons.contains("runtime.convT32"), "{reasons}");
    // A float whose bits are below 256 does not allocate.
    assert_eq!(json(&["float32", "--value", "bits:0xff"])["allocs"], 0);
}

#[test]
fn versions_and_architectures_without_a_toolchain() {
    // With both --go-version and --arch no Go is needed: point --go nowhere.
    let j = json(&[
        "--go",
        "/nonexistent/go",
        "struct{ a int32; b int64 }",
        "--source",
        "literal",
        "--go-version",
        "1.24",
        "--arch",
        "amd64",
    ]);
    assert_eq!(
        (j["routine"].as_str(), j["bytes"].as_f64()),
        (Some("convTnoptr"), Some(16.0))
    );
    let j = json(&[
        "--go",
        "/nonexistent/go",
        "struct{ a int32; b int64 }",
        "--source",
        "literal",
        "--go-version",
        "1.25",
        "--arch",
        "amd64",
    ]);
    assert_eq!(
        (j["routine"].as_str(), j["allocs"].as_u64()),
        (Some("zeroVal"), Some(0))
    );
    let j = json(&[
        "--go",
        "/nonexistent/go",
        "int",
        "--value",
        "300",
        "--go-version",
        "1.26",
        "--arch",
        "386",
    ]);
    assert_eq!(
        (j["routine"].as_str(), j["layout"]["size"].as_u64()),
        (Some("convT32"), Some(4))
    );
    let j = json(&[
        "--go",
        "/nonexistent/go",
        "struct{ a int32; b int32 }",
        "--value",
        "{1, 0}",
        "--go-version",
        "1.26",
        "--arch",
        "386",
    ]);
    assert_eq!(j["routine"], "convT64");
    assert_eq!(j["allocs"], 0, "bits 1 < 256 on little-endian 386");
    let j = json(&[
        "--go",
        "/nonexistent/go",
        "struct{ a int32; b int32 }",
        "--value",
        "{1, 0}",
        "--go-version",
        "1.26",
        "--arch",
        "mips",
    ]);
    assert_eq!(
        j["allocs"], 1,
        "on big-endian mips the 1 lands in the high word"
    );
}

#[test]
fn named_types_from_define_and_from_a_go_file() {
    let j = json(&[
        "Pair",
        "--define",
        "Point=struct{ x, y int64 }",
        "--define",
        "Pair=[2]Point",
        "--value",
        "{{1, 2}, {3, 4}}",
    ]);
    assert_eq!(
        (j["routine"].as_str(), j["bytes"].as_f64()),
        (Some("convTnoptr"), Some(32.0))
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("types.go");
    std::fs::write(&file, "package p\n\n// Celsius is a temperature.\ntype Celsius float64\n\ntype Reading struct {\n\tAt   int64\n\tTemp Celsius `json:\"temp\"`\n}\n").unwrap();
    let j = json(&[
        "Reading",
        "--from",
        file.to_str().unwrap(),
        "--value",
        "{1, 20.5}",
        "--verify",
    ]);
    assert_eq!(j["verify"]["matches"], true, "{j}");
    assert_eq!(j["bytes"], 16.0);
}

#[test]
fn verify_agrees_with_the_live_toolchain() {
    for args in [
        vec!["float32", "--value", "3"],
        vec!["float64", "--value", "-0.0"],
        vec!["string", "--value", "\"\""],
        vec!["[]byte", "--value", "nil"],
        vec!["[]byte", "--value", "{1, 2}"],
        vec!["int64", "--value", "1000", "--source", "const"],
        vec!["struct{ a int32; b int64 }", "--source", "literal"],
        vec![
            "struct{ a int32; b int64 }",
            "--value",
            "{1, 2}",
            "--source",
            "literal",
        ],
        vec!["[2000]byte", "--source", "local"],
        vec!["[3]byte", "--value", "{1, 2, 3}"],
        vec!["struct{ p *int; a [1012]byte }"],
    ] {
        let mut a = args.clone();
        a.push("--verify");
        let j = json(&a);
        assert_eq!(j["verify"]["matches"], true, "{args:?}: {j}");
    }
    let (out, _, code) = explain(&["float32", "--value", "3", "--verify"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("predicted    measured") && out.contains("agree"),
        "{out}"
    );
}

#[test]
fn help_has_worked_examples() {
    Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["explain", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("explain float32 --value 3"))
        .stdout(predicate::str::contains(
            "explain 'struct{ a int32; b int64 }'",
        ))
        .stdout(predicate::str::contains("--go-version 1.24"));
}

/// Inputs that try to break out of the generated Go code are rejected with a
/// position and exit code 2; nothing is built.
#[test]
fn hostile_types_and_values_are_rejected() {
    // An argument is limited to 128 KiB by the OS; bigger input comes by --from below.
    let huge = "[1]".repeat(40_000) + "int";
    let deep = "*".repeat(100_000) + "int";
    let hostile_types = [
        "int }; func init() { panic(1) }",
        "`int`",
        "int\nfunc main() {}",
        "struct{ a int; b int `tag` }; var x = 1",
        "map[string]int)(nil); panic(0); var _ = (",
        deep.as_str(),
        huge.as_str(),
    ];
    for t in hostile_types {
        let (out, err, code) = explain(&[t, "--go-version", "1.26", "--arch", "amd64"]);
        assert_eq!(code, 2, "{:.60}: {out}", t);
        assert_eq!(err.trim_end().lines().count(), 1, "{:.60}: {err}", t);
        assert!(err.contains("at byte"), "{:.60}: {err}", t);
    }
    // Comments and line breaks are Go's, not code: read as go/parser reads them.
    for t in [
        "int // comment",
        "int /* comment */",
        "struct{\n\ta int // a\n\tb string\n}",
    ] {
        let (out, err, code) = explain(&[t, "--go-version", "1.26", "--arch", "amd64"]);
        assert_eq!(code, 0, "{t}: {err}");
        assert!(out.contains("convT"), "{t}: {out}");
    }
    // Another package's type by its package name alone: go names the
    // import path to write.
    let (_, err, code) = explain(&["struct{ h http.Handler }", "--go-version", "1.26"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("net/http"), "{err}");
    let big = "1".repeat(100_000);
    let hostile_values = [
        ("string", "\"x\"); panic(\"pwned\"); println(\""),
        ("int", "1; panic(0)"),
        ("int", "1 /* unterminated"),
        ("string", "\"line\nbreak\""),
        ("[2]int", "{1, 2}}; func init() {"),
        ("int", big.as_str()),
    ];
    for (t, v) in hostile_values {
        let (_, err, code) = explain(&[t, "--value", v, "--go-version", "1.26", "--arch", "amd64"]);
        assert_eq!(code, 2, "{t} {:.60}", v);
        assert_eq!(err.trim_end().lines().count(), 1, "{:.60}: {err}", v);
    }
    // Go syntax that is data, not code: read as Go reads it, printed canonically.
    for (t, v, printed) in [
        ("string", "`raw`", "string(\"raw\")"),
        ("int", "1 // comment", "int(1)"),
        ("int", "/* c */ 1", "int(1)"),
        (
            "string",
            "\"a\" + `*/ panic(0) /*`",
            "string(\"a*/ panic(0) /*\")",
        ),
    ] {
        let j = json(&[t, "--value", v, "--go-version", "1.26", "--arch", "amd64"]);
        assert_eq!(j["value"], printed, "{t} {v}");
    }
}

/// 10 MB of declarations by --from: read in linear time, the oversized type is
/// skipped with a warning, and using it is a one-line error.
#[test]
fn ten_megabytes_by_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.go");
    let mut src = String::from("package p\n\ntype Big ");
    src.push_str(&"[1]".repeat((10 << 20) / 3));
    src.push_str("int\n\ntype Small struct{ a int64 }\n");
    std::fs::write(&file, &src).unwrap();
    let (out, err, code) = explain(&[
        "Small",
        "--from",
        file.to_str().unwrap(),
        "--go-version",
        "1.26",
        "--arch",
        "amd64",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("convT64"), "{out}");
    assert!(err.contains("skipped type Big"), "{err}");
    let (_, err, code) = explain(&[
        "Big",
        "--from",
        file.to_str().unwrap(),
        "--go-version",
        "1.26",
        "--arch",
        "amd64",
    ]);
    // Past ifacealloc's limits go/types is not asked either (its checks
    // can take exponential time): the skipped declaration, then the name.
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("skipped type Big"), "{err}");
    assert!(
        err.trim_end()
            .lines()
            .last()
            .unwrap()
            .contains("unknown type name \"Big\""),
        "{err}"
    );
}

/// A string full of Go syntax is data: it is quoted into the generated code,
/// stored, and measured like any other string.
#[test]
fn go_syntax_inside_a_string_value_stays_data() {
    let j = json(&[
        "string",
        "--value",
        "\"\\\"); panic(\\\"pwned\\\"); //\"",
        "--verify",
    ]);
    assert_eq!(j["verify"]["matches"], true, "{j}");
    assert_eq!(j["verify"]["allocs"], 1.0);
}

#[test]
fn bad_flags_are_one_line_errors() {
    for args in [
        vec!["int", "--go-version", "1.20"],
        vec!["int", "--arch", "vax"],
        vec!["struct{ a int }", "--source", "const"],
        vec!["int", "--source", "literal"],
        vec![
            "float64",
            "--value",
            "bits:0x8000000000000000",
            "--source",
            "const",
        ],
        vec!["any"],
        vec!["Foo"],
        vec!["int", "--define", "int=string"],
        vec![
            "[4294967296]int64",
            "--go-version",
            "1.26",
            "--arch",
            "amd64",
        ],
    ] {
        let (_, err, code) = explain(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

/// Values written the way Go writes them, measured live.
#[test]
fn values_as_go_writes_them_verify_live() {
    for args in [
        // A positional literal lists blank fields too.
        &["struct{_ int8; b int8}", "--value", "{0, 5}"][..],
        &[
            "struct{_ int8; b int8}",
            "--value",
            "{0, 5}",
            "--source",
            "literal",
        ],
        // A bare word is a string.
        &["string", "--value", "hello"],
        // make for a slice: non-nil and empty.
        &["[]int", "--value", "make"],
        // A typed nil written at the conversion.
        &["[]int", "--value", "nil", "--source", "literal"],
        &["*int", "--value", "nil", "--source", "literal"],
    ] {
        let mut a = args.to_vec();
        a.push("--verify");
        let j = json(&a);
        assert_eq!(j["verify"]["matches"], true, "{args:?}: {j}");
    }
    assert_eq!(
        json(&["string", "--value", "hello"])["value"],
        "string(\"hello\")"
    );
    assert_eq!(json(&["[]int", "--value", "make"])["allocs"], 1);
    // Not Go: a positional literal that skips the blank field.
    let (_, err, code) = explain(&["struct{_ int8; b int8}", "--value", "{5}"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("blank ones count"), "{err}");
}

#[test]
fn literal_and_const_advice_does_not_loop() {
    // Each refusal names a source that works for the type.
    let (_, err, code) = explain(&["[]int", "--value", "{1}", "--source", "const"]);
    assert_eq!(code, 2);
    assert!(err.contains("--source var"), "{err}");
    let (_, err, code) = explain(&["[]int", "--value", "{1}", "--source", "literal"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--source var") && !err.contains("--source const"),
        "{err}"
    );
}

#[test]
fn invalid_go_types_are_rejected_naming_the_rule() {
    for (t, rule) in [
        ("map[[]int]int", "map keys must be comparable"),
        ("map[struct{ a func() }]int", "map keys must be comparable"),
        ("struct{ a int; a int }", "duplicate field a"),
        ("struct{ a, a int }", "duplicate field a"),
    ] {
        let (_, err, code) = explain(&[t, "--go-version", "1.26", "--arch", "amd64"]);
        assert_eq!(code, 2, "{t}: {err}");
        assert!(err.contains(rule), "{t}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    // Valid Go that looks close: blank fields may repeat; arrays of strings are keys.
    assert_eq!(
        json(&[
            "struct{ _ int; _ int }",
            "--go-version",
            "1.26",
            "--arch",
            "amd64"
        ])["routine"],
        "convTnoptr"
    );
    assert_eq!(
        json(&[
            "map[[2]string]int",
            "--go-version",
            "1.26",
            "--arch",
            "amd64"
        ])["routine"],
        "direct"
    );
    let (_, err, code) = explain(&[
        "int",
        "--define",
        "K=map[[]int]int",
        "--go-version",
        "1.26",
        "--arch",
        "amd64",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn go_versions_outside_the_rules() {
    // Newer than the rules know: a warning naming the rules used.
    let (out, err, code) = explain(&[
        "int64",
        "--go-version",
        "1.99",
        "--arch",
        "amd64",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("newer than the rules know") && err.contains("1.27"),
        "{err}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["go_version"], "1.99");
    assert_eq!(v["rules_version"], "1.27");
    // Older than 1.21: exit 2.
    for old in ["1.20", "1.17", "0.9"] {
        let (_, err, code) = explain(&["int64", "--go-version", old, "--arch", "amd64"]);
        assert_eq!(code, 2, "{old}: {err}");
        assert!(err.contains("1.21"), "{err}");
    }
}

/// Values read by Go's own constant rules (issue 26), each measured live:
/// 0377 is octal 255, the float32 decimal rounds once to bits 0xff, -0.0 is
/// the constant 0.
#[test]
fn values_follow_gos_constant_rules_verify_live() {
    for (ty, value, allocs) in [
        ("int64", "0377", 0),
        ("uint8", "0377", 0),
        ("float32", "3.5803175763499076e-43", 0),
        (
            "complex64",
            "3.5803175763499076e-43 + 3.5803175763499076e-43i",
            1,
        ),
        ("float64", "-0.0", 0),
        ("float64", "bits:0x8000000000000000", 1),
        ("int64", "1<<8 - 1", 0),
        ("string", "\"\\xff\"", 1),
        ("struct{ a float32 }", "{3.5803175763499076e-43}", 0),
    ] {
        let j = json(&[ty, "--value", value, "--verify"]);
        assert_eq!(j["allocs"], allocs, "{ty} {value}: {j}");
        assert_eq!(j["verify"]["matches"], true, "{ty} {value}: {j}");
    }
    // Go rejects each of these; so does explain, in Go's words.
    for (ty, value, arch, msg) in [
        ("int", "08", "amd64", "invalid digit '8' in octal literal"),
        (
            "int",
            "1__0",
            "amd64",
            "'_' must separate successive digits",
        ),
        ("int", "10_", "amd64", "'_' must separate successive digits"),
        ("int", "_10", "amd64", "undefined: _10"),
        (
            "uint",
            "1099511627776",
            "386",
            "cannot use 1099511627776 (untyped int constant) as uint value (overflows)",
        ),
        ("float32", "1e39", "amd64", "(overflows)"),
        ("int8", "1.5", "amd64", "(truncated)"),
    ] {
        let (_, err, code) =
            explain(&[ty, "--value", value, "--go-version", "1.26", "--arch", arch]);
        assert_eq!(code, 2, "{ty} {value}: {err}");
        assert!(
            err.contains(msg) && err.lines().count() == 1,
            "{ty} {value}: {err}"
        );
    }
    // The same value fits uint on a 64-bit GOARCH.
    let (out, err, code) = explain(&[
        "uint",
        "--value",
        "1099511627776",
        "--go-version",
        "1.26",
        "--arch",
        "amd64",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("uint(1099511627776)"), "{out}");
}

/// Types Go accepts that were refused (issue 26): constant-expression array
/// lengths and embedded predeclared types, each measured live.
#[test]
fn constant_lengths_and_embedded_predeclared_types_verify_live() {
    for (ty, printed, size) in [
        ("[2*3]int", "[6]int", 48),
        ("[0x10]byte", "[16]uint8", 16),
        ("[len(\"abc\")]int32", "[3]int32", 12),
        ("struct{ *int }", "struct{ *int }", 8),
        ("struct{ int; string }", "struct{ int; string }", 24),
    ] {
        let j = json(&[ty, "--verify"]);
        assert_eq!(j["type"], printed, "{ty}: {j}");
        assert_eq!(j["layout"]["size"], size, "{ty}: {j}");
        assert_eq!(j["verify"]["matches"], true, "{ty}: {j}");
    }
    for (ty, msg) in [
        ("[-1]int", "invalid array length"),
        ("[1.5]int", "must be integer"),
        ("struct{ int; int }", "duplicate field int"),
    ] {
        let (_, err, code) = explain(&[ty, "--go-version", "1.26", "--arch", "amd64"]);
        assert_eq!(code, 2, "{ty}: {err}");
        assert!(err.contains(msg), "{ty}: {err}");
    }
}

/// `--from` given twice reads both files, as one package's files: the second
/// uses the first's type (it was refused as given twice).
#[test]
fn from_twice_reads_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.go");
    let b = dir.path().join("b.go");
    std::fs::write(&a, "package p\n\ntype A struct{ x, y int32 }\n").unwrap();
    std::fs::write(&b, "package p\n\ntype B struct {\n\ta A\n\ts string\n}\n").unwrap();
    let j = json(&[
        "B",
        "--from",
        a.to_str().unwrap(),
        "--from",
        b.to_str().unwrap(),
        "--verify",
    ]);
    assert_eq!(j["layout"]["size"], 24, "{j}");
    assert_eq!(j["verify"]["matches"], true, "{j}");
}
