//! `matrix` output formats, the generated module's hygiene, and bad input.

use assert_cmd::Command;
use predicates::prelude::*;

fn ifacealloc() -> Command {
    Command::cargo_bin("ifacealloc").unwrap()
}

#[test]
fn seed_markdown_has_the_seed_layout() {
    let out = ifacealloc()
        .args([
            "matrix",
            "--catalog",
            "seed",
            "--format",
            "markdown",
            "--iterations",
            "256",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "| Type | `%T` | Bytes to store zero value | ....in an interface | Bytes to store non-zero, random value | ...in an interface |"
    );
    assert_eq!(lines.len(), 42);
    assert_eq!(lines[2], "| int | `int` | 0 | 0 | 0 | 8 |");
    assert!(lines[20].starts_with("| struct_int | `struct { a int }` |"));
    assert!(lines[41].starts_with("| struct_byte_7 | `struct { a uint8; b uint8;"));
    // struct{a int32; b int64}: 16 bytes even when zero (convTnoptr always allocates).
    assert_eq!(
        lines[39],
        "| struct_int32_int64 | `struct { a int32; b int64 }` | 0 | 16 | 0 | 16 |"
    );
}

#[test]
fn csv_and_file_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.csv");
    ifacealloc()
        .args([
            "matrix",
            "--types",
            "int16,string",
            "--format",
            "csv",
            "--iterations",
            "1024",
            "-o",
        ])
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&headers[0], "go");
    let recs: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let int16_nonzero = recs
        .iter()
        .find(|r| &r[col("row")] == "int16" && &r[col("scenario")] == "nonzero")
        .unwrap();
    // 2-byte values share 16-byte tiny blocks: 2 bytes per store.
    assert_eq!(&int16_nonzero[col("bytes_per_op")], "2");
    assert!(int16_nonzero[0].starts_with("go1."));
    // Only the report file is left in the directory: the write was atomic.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn terminal_table_is_the_default() {
    ifacealloc()
        .args(["matrix", "--types", "int64", "--iterations", "64"])
        .assert()
        .success()
        .stdout(predicate::str::contains("nonzero").and(predicate::str::contains("8 B")));
}

#[test]
fn kept_module_is_gofmt_clean_and_vets() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("module");
    ifacealloc()
        .args(["matrix", "--format", "json", "--iterations", "16", "--keep"])
        .arg(&keep)
        .assert()
        .success();
    let gofmt = std::process::Command::new("gofmt")
        .arg("-l")
        .arg(&keep)
        .output();
    // gofmt may not be on PATH; the toolchain's own copy always is in GOROOT/bin.
    let gofmt = match gofmt {
        Ok(o) => o,
        Err(_) => {
            let root = std::process::Command::new("go")
                .args(["env", "GOROOT"])
                .output()
                .unwrap();
            let root = String::from_utf8(root.stdout).unwrap();
            std::process::Command::new(std::path::Path::new(root.trim()).join("bin/gofmt"))
                .arg("-l")
                .arg(&keep)
                .output()
                .unwrap()
        }
    };
    assert!(gofmt.status.success());
    assert_eq!(
        String::from_utf8_lossy(&gofmt.stdout),
        "",
        "files gofmt would change"
    );
    let vet = std::process::Command::new("go")
        .args(["vet", "./..."])
        .current_dir(&keep)
        .env("GOFLAGS", "-mod=mod")
        .output()
        .unwrap();
    assert!(
        vet.status.success(),
        "go vet: {}",
        String::from_utf8_lossy(&vet.stderr)
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    for args in [
        vec!["matrix", "--types", "int65"],
        vec!["matrix", "--scenarios", "sometimes"],
        vec!["matrix", "--go", "/nonexistent/go"],
        vec!["matrix", "--catalog", "none", "--type", "[1000000000]int64"],
        vec![
            "matrix",
            "--catalog",
            "none",
            "--type",
            "int }; func init() {",
        ],
    ] {
        let out = ifacealloc().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("ifacealloc: "), "{err}");
    }
}

#[test]
fn failures_leave_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.md");
    std::fs::write(dir.path().join("file.txt"), "not a directory").unwrap();
    ifacealloc()
        .args(["matrix", "--types", "nope", "-o"])
        .arg(&path)
        .assert()
        .code(2);
    assert!(!path.exists());
    ifacealloc()
        .args([
            "matrix",
            "--types",
            "int",
            "--iterations",
            "16",
            "-o",
            "/nonexistent-dir/x.md",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("existing, writable directory"));
    // -o naming a directory, --keep naming a file: bad input, not a crash.
    ifacealloc()
        .args(["matrix", "--types", "int", "--iterations", "16", "-o"])
        .arg(dir.path())
        .assert()
        .code(2);
    ifacealloc()
        .args(["matrix", "--types", "int", "--keep"])
        .arg(dir.path().join("x").with_file_name("file.txt"))
        .assert()
        .code(2);
}

#[test]
fn keep_refuses_a_non_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    ifacealloc()
        .args(["matrix", "--types", "int", "--keep"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not empty"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn go_from_environment_variable() {
    ifacealloc()
        .args(["matrix", "--types", "int", "--iterations", "16"])
        .env("IFACEALLOC_GO", "/nonexistent/go-from-env")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("IFACEALLOC_GO"));
}

#[test]
fn keep_takes_a_path_relative_to_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    ifacealloc()
        .current_dir(dir.path())
        .args([
            "matrix",
            "--types",
            "int64",
            "--iterations",
            "16",
            "--keep",
            "kept/module",
        ])
        .assert()
        .success();
    assert!(dir.path().join("kept/module/cases.go").is_file());
    assert!(dir.path().join("kept/module/go.mod").is_file());
}

#[test]
fn rows_that_are_all_pointer_shaped_build() {
    // Nothing in such a catalog draws a random value; the generated module
    // must still compile (it once declared an unused generator).
    for types in [
        vec!["*int"],
        vec![
            "func()",
            "map[int]int",
            "chan int",
            "unsafe.Pointer",
            "[1]*int",
        ],
    ] {
        let mut cmd = ifacealloc();
        cmd.args([
            "matrix",
            "--catalog",
            "none",
            "--format",
            "json",
            "--iterations",
            "16",
        ]);
        for t in &types {
            cmd.args(["--type", t]);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{types:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let text = v.to_string();
        assert!(text.contains("\"direct\""), "{text}");
    }
}
