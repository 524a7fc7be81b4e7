//! `matrix` against the live Go toolchain: facts read from the measurement itself.

use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

/// The default catalog measured once (JSON), shared by every test here.
fn matrix() -> &'static Value {
    static M: OnceLock<Value> = OnceLock::new();
    M.get_or_init(|| {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["matrix", "--format", "json"])
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
