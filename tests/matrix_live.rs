//! `matrix` against the live Go toolchain: facts read from the measurement itself.

use std::sync::OnceLock;

mod common;

use assert_cmd::Command;
use serde_json::Value;

/// The default catalog measured once (JSON), shared by every test here.
fn matrix() -> &'static Value {
    static M: OnceLock<Value> = OnceLock::new();
    M.get_or_init(|| {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["matrix", "--fresh", "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "matrix failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("matrix JSON")
    })
}

fn row(name: &str) -> &'static Value {
    matrix()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no row {name}"))
}

fn routine(name: &str, scenario: &str) -> &'static str {
    let c = row(name)["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["scenario"] == scenario)
        .unwrap_or_else(|| panic!("no case {name}/{scenario}"));
    c["routine"].as_str().unwrap_or("none")
}

/// (allocs per op, bytes per op) of one case.
fn case(name: &str, scenario: &str) -> (f64, f64) {
    let c = row(name)["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["scenario"] == scenario)
        .unwrap_or_else(|| panic!("no case {name}/{scenario}"));
    (
        c["allocs_per_op"].as_f64().unwrap(),
        c["bytes_per_op"].as_f64().unwrap(),
    )
}

#[test]
fn int64_allocates_only_for_values_of_256_and_up() {
    assert_eq!(case("int64", "nonzero"), (1.0, 8.0));
    assert_eq!(case("int64", "small"), (0.0, 0.0));
    assert_eq!(case("int64", "256"), (1.0, 8.0));
    assert_eq!(case("int64", "zero"), (0.0, 0.0));
    assert_eq!(case("int64", "const"), (0.0, 0.0));
}

#[test]
fn single_byte_types_never_allocate() {
    for name in [
        "bool",
        "int8",
        "uint8",
        "byte",
        "struct_bool",
        "struct_int8",
        "struct_uint8",
    ] {
        for c in row(name)["cases"].as_array().unwrap() {
            assert_eq!(
                (c["allocs_per_op"].as_f64(), c["bytes_per_op"].as_f64()),
                (Some(0.0), Some(0.0)),
                "{name}/{}",
                c["scenario"]
            );
        }
    }
}

#[test]
fn known_sizes_and_size_classes() {
    assert_eq!(case("complex128", "zero"), (1.0, 16.0));
    assert_eq!(case("string", "nonzero"), (1.0, 16.0));
    assert_eq!(case("string", "zero"), (0.0, 0.0));
    assert_eq!(case("struct_int32_int64", "nonzero"), (1.0, 16.0));
    // 100 bytes round up to the 112-byte size class.
    assert_eq!(case("array_100_byte", "nonzero"), (1.0, 112.0));
    assert_eq!(case("struct_1025_bytes", "nonzero"), (1.0, 1152.0));
    // Pointer-shaped values are their own data word.
    for name in [
        "ptr_int",
        "map_string_int",
        "chan_int",
        "func",
        "unsafe_pointer",
    ] {
        assert_eq!(case(name, "nonzero"), (0.0, 0.0), "{name}");
    }
}

#[test]
fn local_interfaces_use_the_stack_up_to_1024_bytes() {
    for r in matrix()["rows"].as_array().unwrap() {
        let size = r["size"].as_u64().unwrap();
        let (allocs, _) = case(r["name"].as_str().unwrap(), "local");
        if size <= 1024 {
            assert_eq!(allocs, 0.0, "{} (size {size})", r["name"]);
        } else {
            assert_eq!(allocs, 1.0, "{} (size {size})", r["name"]);
        }
    }
}

#[test]
fn copies_never_allocate() {
    for r in matrix()["rows"].as_array().unwrap() {
        let name = r["name"].as_str().unwrap();
        assert_eq!(case(name, "copy"), (0.0, 0.0), "{name}");
        assert_eq!(case(name, "copyzero"), (0.0, 0.0), "{name}");
    }
}

#[test]
fn reports_toolchain_and_go_type() {
    let m = matrix();
    assert!(m["go"]["version"].as_str().unwrap().starts_with("go1."));
    assert_eq!(row("struct_int")["go_type"], "struct { a int }");
    assert_eq!(row("byte")["go_type"], "uint8");
    assert_eq!(row("named_int64")["go_type"], "main.MyInt64");
    assert_eq!(m["rows"].as_array().unwrap().len(), 59);
}

#[test]
fn every_routine_fits_its_measurement() {
    let allocating = [
        "convT16",
        "convT32",
        "convT64",
        "convTstring",
        "convTslice",
        "convTnoptr",
        "convT",
    ];
    for r in matrix()["rows"].as_array().unwrap() {
        for c in r["cases"].as_array().unwrap() {
            let allocs = c["allocs_per_op"].as_f64().unwrap();
            let routine = c["routine"].as_str();
            let what = format!(
                "{}/{} ({routine:?}, {allocs} allocs)",
                r["name"], c["scenario"]
            );
            assert!(c["note"].is_null(), "{what}: {}", c["note"]);
            match routine {
                None => {
                    assert!(
                        matches!(c["scenario"].as_str(), Some("copy" | "copyzero")),
                        "{what}"
                    );
                    assert_eq!(allocs, 0.0, "{what}");
                }
                Some(rt) if allocs > 0.0 => assert!(allocating.contains(&rt), "{what}"),
                Some("convT" | "convTnoptr") => {
                    panic!("{what}: always-allocating routine without an allocation")
                }
                Some(_) => {}
            }
        }
    }
}

#[test]
fn known_routines() {
    assert_eq!(routine("int64", "nonzero"), "convT64");
    assert_eq!(routine("int64", "zero"), "convT64");
    assert_eq!(routine("string", "nonzero"), "convTstring");
    assert_eq!(routine("slice_byte", "nonzero"), "convTslice");
    assert_eq!(routine("complex128", "nonzero"), "convTnoptr");
    assert_eq!(routine("struct_int64_ptr", "nonzero"), "convT");
    assert_eq!(routine("ptr_int", "nonzero"), "direct");
    assert_eq!(routine("map_string_int", "nonzero"), "direct");
    assert_eq!(routine("struct_empty", "nonzero"), "zerobase");
    assert_eq!(routine("array_0_int", "zero"), "zerobase");
    assert_eq!(routine("bool", "nonzero"), "staticuint64s");
    assert_eq!(routine("struct_int8", "nonzero"), "staticuint64s");
    assert_eq!(routine("int64", "const"), "readonly");
    assert_eq!(routine("string", "const"), "readonly");
    assert_eq!(routine("int64", "local"), "stack");
    assert_eq!(routine("struct_int32_int64", "local"), "stack");
    // Too big for a stack temporary: allocated even though it does not escape.
    assert_eq!(routine("array_2000_byte", "local"), "convTnoptr");
    assert_eq!(routine("int64", "copy"), "none");
}

/// A second run of the identical program reuses the first run's measurements
/// (as `go test` reuses a cached result) and says so; from the third on, go's
/// plain build of the program is found up to date and the compiler's listing
/// is not asked for again; a change go sees (GOAMD64) builds and measures
/// anew; `--fresh` measures again.
#[test]
fn identical_runs_reuse_measurements_unless_fresh() {
    let cache = tempfile::tempdir().unwrap();
    let run_with = |extra: &[&str], env: &[(&str, &str)]| {
        let out = common::succeed(
            Command::cargo_bin("ifacealloc")
                .unwrap()
                .env("IFACEALLOC_CACHE", cache.path())
                .envs(env.iter().copied())
                .args(["matrix", "--type", "int64", "--type", "string"])
                .args(["--format", "json"])
                .args(extra),
        );
        let m: Value = serde_json::from_slice(&out.stdout).unwrap();
        (m, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let run = |extra: &[&str]| run_with(extra, &[]);
    let allocs = |m: &Value| -> Vec<(String, f64)> {
        m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["cases"].as_array().unwrap().iter())
            .map(|c| {
                (
                    c["scenario"].as_str().unwrap().to_string(),
                    c["bytes_per_op"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    const LISTING_REUSED: &str = "listing of that build was reused";
    let (first, said) = run(&[]);
    assert!(!said.contains("reused"), "{said}");
    let (second, said) = run(&[]);
    assert!(said.contains("measurements reused"), "{said}");
    assert!(!said.contains(LISTING_REUSED), "{said}");
    // Whole reports compared with ==: a failure does not print them.
    assert!(
        first == second,
        "a reused run reports the first run's figures"
    );
    let (third, said) = run(&[]);
    assert!(said.contains(LISTING_REUSED), "{said}");
    assert!(
        first == third,
        "the recorded listing gives what the listing gave"
    );
    if std::env::consts::ARCH == "x86_64" {
        // Another instruction set level: every package is built anew, so
        // the plain binary's bytes differ and nothing recorded applies.
        let other = match std::env::var("GOAMD64").as_deref() {
            Ok("v2") => "v1",
            _ => "v2",
        };
        let (v2, said) = run_with(&[], &[("GOAMD64", other)]);
        assert!(!said.contains("reused"), "{said}");
        assert_eq!(allocs(&first), allocs(&v2));
        // Back: the plain build's bytes are those recorded before.
        let (back, said) = run(&[]);
        assert!(said.contains(LISTING_REUSED), "{said}");
        assert!(first == back, "the first run's figures, recorded");
    }
    let (fresh, said) = run(&["--fresh"]);
    assert!(!said.contains("reused"), "{said}");
    assert_eq!(allocs(&first), allocs(&fresh));
    // --fresh neither reads nor records (as `go test -count=1`): the next
    // run reuses what the first recorded.
    let (after, said) = run(&[]);
    assert!(said.contains(LISTING_REUSED), "{said}");
    assert!(first == after, "the first run's figures, recorded");
}
