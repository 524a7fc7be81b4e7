//! `bench2md OLD NEW ...` against the real benchstat (golang.org/x/perf,
//! built from the module proxy): on recorded outputs and on outputs produced
//! here by `go test -bench` (several `-count` values, a `-cpu` list,
//! sub-benchmarks, a custom unit, `-json`), every cell of
//! `bench2md --format csv` must equal `benchstat -format csv`'s — text
//! exactly, numbers to 1e-9 relative (the last bits of a log or an exp may
//! differ between Go's math and Rust's, far below any printed digit).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const BENCHSTAT: &str = "golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da";

/// The real benchstat, built once per target directory.
fn benchstat() -> PathBuf {
    common::go_tool("benchstat", &[BENCHSTAT], "golang.org/x/perf/cmd/benchstat")
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(l.as_bytes());
            rdr.records()
                .next()
                .map(|r| r.unwrap().iter().map(String::from).collect())
                .unwrap_or_default()
        })
        .collect()
}

/// Compares `bench2md --format csv` with `benchstat -format csv` on the
/// same files, run in `dir`; `ours` may name a file differently (a `-json`
/// input benchstat cannot read, under the label of its plain twin).
fn same_cells(dir: &Path, theirs: &[&str], ours: &[&str]) -> usize {
    let want = Command::new(benchstat())
        .args(["-format", "csv"])
        .args(theirs)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        want.status.success(),
        "{}",
        String::from_utf8_lossy(&want.stderr)
    );
    let got = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .args(["bench2md", "--format", "csv"])
        .args(ours)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        got.status.success(),
        "{}",
        String::from_utf8_lossy(&got.stderr)
    );
    let (want, got) = (
        String::from_utf8(want.stdout).unwrap(),
        String::from_utf8(got.stdout).unwrap(),
    );
    let (w, g) = (csv_rows(&want), csv_rows(&got));
    assert_eq!(w.len(), g.len(), "rows differ:\n{want}\n---\n{got}");
    let mut cells = 0;
    for (i, (wr, gr)) in w.iter().zip(&g).enumerate() {
        assert_eq!(wr.len(), gr.len(), "row {i}: {wr:?} vs {gr:?}");
        for (a, b) in wr.iter().zip(gr) {
            cells += 1;
            if a == b {
                continue;
            }
            let close = match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
                _ => false,
            };
            assert!(close, "row {i}: {a:?} vs {b:?}\n{want}\n---\n{got}");
        }
    }
    cells
}

const BENCH_TEST: &str = r#"package bb

import (
	"fmt"
	"testing"
)

var sink any

func BenchmarkBox(b *testing.B) {
	for _, size := range []int{1, 1000} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sink = size * i
			}
		})
	}
}

func BenchmarkSprint(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sink = fmt.Sprint(i)
	}
	b.ReportMetric(3, "widgets/op")
}
"#;

/// A package with benchmarks, and `go test -bench` outputs of it.
fn fresh_outputs() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("go.mod"), "module bb\n\ngo 1.21\n").unwrap();
    std::fs::write(d.join("b_test.go"), BENCH_TEST).unwrap();
    let run = |args: &[&str], file: &str| {
        let mut all = vec!["test", "-run", "^$", "-benchmem", "-benchtime", "3000x"];
        all.extend_from_slice(args);
        std::fs::write(d.join(file), common::go_ok(d, &all)).unwrap();
    };
    run(&["-bench", ".", "-count", "8", "-cpu", "1,2"], "old.txt");
    run(&["-bench", ".", "-count", "8", "-cpu", "1,2"], "new.txt");
    // Past the exact tests' limits: 40 and 35 samples.
    run(&["-bench", "Box", "-count", "40"], "old40.txt");
    run(&["-bench", "Box", "-count", "35"], "new40.txt");
    run(&["-bench", ".", "-count", "5", "-json"], "new.json");
    // benchstat reads no -json: its plain twin, from the output events.
    let mut plain = String::new();
    for l in std::fs::read_to_string(d.join("new.json")).unwrap().lines() {
        let e: serde_json::Value = serde_json::from_str(l).unwrap();
        if e["Action"] == "output" {
            plain.push_str(e["Output"].as_str().unwrap());
        }
    }
    std::fs::write(d.join("new-plain.txt"), plain).unwrap();
    tmp
}

#[test]
fn every_cell_equals_benchstats() {
    let tmp = fresh_outputs();
    let d = tmp.path();
    let mut cells = 0;
    cells += same_cells(d, &["old.txt", "new.txt"], &["old.txt", "new.txt"]);
    cells += same_cells(d, &["old40.txt", "new40.txt"], &["old40.txt", "new40.txt"]);
    // Three files: a column each, all against the first.
    cells += same_cells(
        d,
        &["old.txt", "new.txt", "old40.txt"],
        &["old.txt", "new.txt", "old40.txt"],
    );
    cells += same_cells(
        d,
        &["old.txt", "new-plain.txt"],
        &["old.txt", "new-plain.txt=new.json"],
    );
    // Recorded outputs of Go 1.18 to 1.26, plain and verbose.
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bench");
    for pair in [
        ["go1.21-plain.txt", "go1.26-plain.txt"],
        ["go1.21-verbose.txt", "go1.26-verbose.txt"],
        ["go1.18-style-plain.txt", "go1.26-plain.txt"],
    ] {
        cells += same_cells(&fixtures, &pair, &pair);
    }
    assert!(cells > 400, "{cells} cells compared");
}

/// benchstat's groupings: rows by name and columns by a sub-benchmark key.
#[test]
fn rows_and_columns_by_keys_equal_benchstats() {
    let tmp = fresh_outputs();
    let d = tmp.path();
    let cells = same_cells(
        d,
        &["-row", ".name", "-col", "/size", "old.txt"],
        &["--row", ".name", "--col", "/size", "old.txt"],
    );
    assert!(cells > 10);
}

/// A published module's own benchmarks (github.com/google/uuid v1.6.0 from
/// the module proxy), run twice with a `-cpu` list: the same cells as
/// benchstat's.
#[test]
fn a_published_modules_benchmarks_equal_benchstats() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    common::module_copy("github.com/google/uuid@v1.6.0", d);
    for (file, count) in [("a.txt", "6"), ("b.txt", "7")] {
        let out = common::go_ok(
            d,
            &[
                "test",
                "-run",
                "^$",
                "-bench",
                "Parse|New|String",
                "-benchmem",
                "-benchtime",
                "2000x",
                "-count",
                count,
                "-cpu",
                "1,2",
            ],
        );
        std::fs::write(d.join(file), out).unwrap();
    }
    let cells = same_cells(d, &["a.txt", "b.txt"], &["a.txt", "b.txt"]);
    assert!(cells > 50, "{cells}");
}
