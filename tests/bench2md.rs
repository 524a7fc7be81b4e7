//! `bench2md` on recorded outputs (Go 1.21, 1.26, Go 1.18-style), live output, and broken input.

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/bench/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn bench2md(args: &[&str]) -> (String, String, i32) {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .arg("bench2md")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn recorded_outputs_give_the_seed_table() {
    for go in ["go1.21", "go1.26"] {
        for style in ["plain", "verbose", "json"] {
            let (out, err, code) = bench2md(&["--no-echo", &fixture(&format!("{go}-{style}.txt"))]);
            assert_eq!(code, 0, "{go}-{style}: {err}");
            assert_eq!(err, "", "{go}-{style}");
            let lines: Vec<&str> = out.lines().collect();
            assert!(lines[0].starts_with("| Type | `%T` |"));
            let int64 = lines.iter().find(|l| l.starts_with("| int64 |")).unwrap();
            assert!(
                int64.ends_with("| 0 | 0 | 0 | 8 |"),
                "{go}-{style}: {int64}"
            );
            let arr = lines
                .iter()
                .find(|l| l.starts_with("| array_100_byte |"))
                .unwrap();
            assert!(arr.ends_with("| 0 | 112 | 0 | 112 |"), "{arr}");
            if style != "plain" {
                // `real(T)` logs are printed with -v and -json only.
                assert!(
                    out.contains("| struct_int32_int64 | `struct { a int32; b int64 }` |"),
                    "{go}-{style}"
                );
            }
            // Non-seed benchmarks go to the generic table, custom metrics included,
            // and the result split by the chatty benchmark's output is joined.
            assert!(out.contains("| Benchmark | Procs | Iterations | ns/op | B/op | allocs/op | MB/s | widgets/op |"), "{out}");
            assert!(out.contains("| BenchmarkCustom | 2 | 1000 |"), "{out}");
            assert!(
                out.contains("| BenchmarkChatty | 2 | 1000 |"),
                "{go}-{style}: {out}"
            );
        }
    }
}

#[test]
fn go_1_18_style_output() {
    let (out, err, code) = bench2md(&["--no-echo", &fixture("go1.18-style-plain.txt")]);
    assert_eq!(code, 0);
    assert!(out.contains("| int | `int` | 0 | 0 | 0 | 8 |"), "{out}");
    assert!(
        out.contains("| struct_int | `struct { a int }` | 0 | 0 | 0 | 8 |"),
        "{out}"
    );
    assert!(
        out.contains("| struct_byte_7 | `struct { a uint8;"),
        "{out}"
    );
    assert!(err.contains("skipped 1 malformed"), "{err}");

    let (out, err, code) = bench2md(&["--no-echo", &fixture("go1.18-style-json.txt")]);
    assert_eq!(code, 0);
    assert!(out.contains("| int64 | `int64` | 0 | 0 | 0 | 8 |"), "{out}");
    assert!(
        out.contains("| BenchmarkParse | 8 | 500 | 2400 | 512 | 4 | 42.67 |"),
        "{out}"
    );
    assert!(err.contains("skipped 1 malformed"), "{err}");
}

#[test]
fn stdin_is_echoed_unless_no_echo() {
    let input = std::fs::read_to_string(fixture("go1.26-plain.txt")).unwrap();
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .arg("bench2md")
        .write_stdin(input.clone())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(&input));
    assert!(text.contains("| Type | `%T` |"));
    Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["bench2md", "--no-echo"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("| Type"));
}

/// Standard input redirected from a file (mapped when not echoed) gives
/// what the file named as an argument gives, echoed or not.
#[test]
fn stdin_from_a_file_reads_as_the_file() {
    for name in ["go1.26-plain.txt", "go1.26-json.txt", "go1.21-verbose.txt"] {
        let path = fixture(name);
        let run = |args: &[&str], stdin: Option<&str>| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"));
            cmd.arg("bench2md").args(args);
            if let Some(p) = stdin {
                cmd.stdin(std::fs::File::open(p).unwrap());
            }
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{name} {args:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        let want = run(&[&path], None);
        assert!(want.starts_with('|'), "{name}: {want}");
        assert_eq!(run(&["--no-echo"], Some(&path)), want, "{name}");
        let input = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            run(&[], Some(&path)),
            format!("{input}\n{want}"),
            "{name} echoed"
        );
    }
}

#[test]
fn broken_input_never_panics() {
    let mut junk = String::new();
    junk.push_str(
        "BenchmarkA-8 notanumber 1 ns/op\n{\"Action\":\"output\",\"Output\":\n\u{0}\u{1}binary\n",
    );
    junk.push_str(&"Benchmark".repeat(10_000));
    junk.push_str("\nBenchmarkOK 10 1.5 ns/op\n");
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["bench2md", "--no-echo"])
        .write_stdin(junk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("| BenchmarkOK |"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipped"));

    // Nothing usable: one-line error, exit 2.
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["bench2md", "--no-echo"])
        .write_stdin("hello\nworld\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr)
            .trim_end()
            .lines()
            .count(),
        1
    );

    let (_, err, code) = bench2md(&["/nonexistent/bench.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot open /nonexistent/bench.txt"), "{err}");
}

/// Live: the generated module's seed benchmarks, run by `go test`, agree with `matrix`.
/// go test truncates B/op, so enough iterations keep the testing framework's own
/// few kilobytes from showing up as a byte per op.
#[test]
fn live_go_test_output_matches_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("m");
    let json = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args([
            "matrix",
            "--types",
            "int64,string,struct_int32_int64,bool",
            "--format",
            "json",
            "--keep",
        ])
        .arg(&keep)
        .output()
        .unwrap();
    assert!(json.status.success());
    let m: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    for flags in [vec![], vec!["-json"]] {
        let go = std::process::Command::new("go")
            .arg("test")
            .args(&flags)
            .args([
                "-run",
                "^$",
                "-bench",
                ".",
                "-benchmem",
                "-benchtime",
                "200000x",
            ])
            .current_dir(&keep)
            .env("GOFLAGS", "-mod=mod")
            .output()
            .unwrap();
        assert!(
            go.status.success(),
            "{}",
            String::from_utf8_lossy(&go.stderr)
        );
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["bench2md", "--no-echo"])
            .write_stdin(go.stdout)
            .output()
            .unwrap();
        assert!(out.status.success());
        let table = String::from_utf8(out.stdout).unwrap();
        for r in m["rows"].as_array().unwrap() {
            let name = r["name"].as_str().unwrap();
            let bytes = |s: &str| {
                r["cases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["scenario"] == s)
                    .unwrap()["bytes_per_op"]
                    .as_f64()
                    .unwrap()
            };
            let line = table
                .lines()
                .find(|l| l.starts_with(&format!("| {name} |")))
                .unwrap();
            let cells: Vec<&str> = line.split(" | ").collect();
            assert_eq!(cells[3].parse::<f64>().unwrap(), bytes("zero"), "{line}");
            assert_eq!(
                cells[5].trim_end_matches(" |").parse::<f64>().unwrap(),
                bytes("nonzero"),
                "{line}"
            );
        }
    }
}

/// Repeats of a benchmark (`go test -count N`) fold into one row with the
/// mean of each metric and a Runs column, so memory stays bounded by the
/// number of distinct benchmarks.
#[test]
fn repeated_runs_fold_into_one_row_with_means() {
    let input = "goos: linux\npkg: example.com/p\nBenchmarkA-2 100 10 ns/op 8 B/op 1 allocs/op\nBenchmarkA-2 300 20 ns/op 8 B/op 1 allocs/op\nBenchmarkB-2 50 5 ns/op\n";
    let out = assert_cmd::Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["bench2md", "--no-echo"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("| Benchmark | Procs | Runs | Iterations | ns/op | B/op | allocs/op |"),
        "{text}"
    );
    assert!(
        text.contains("| BenchmarkA | 2 | 2 | 200 | 15 | 8 | 1 |"),
        "{text}"
    );
    assert!(
        text.contains("| BenchmarkB | 2 | 1 | 50 | 5 |  |  |"),
        "{text}"
    );
}
