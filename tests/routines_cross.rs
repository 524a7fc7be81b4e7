//! Routines for other GOARCH values, from cross-compiling with the live toolchain.

use assert_cmd::Command;
use serde_json::Value;

fn routines(archs: &str) -> Value {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args([
            "matrix",
            "--types",
            "int,int64,complex64,string,bool,struct_int8,struct_int32_int64,ptr_int,struct_empty",
            "--scenarios",
            "nonzero,const,local",
            "--iterations",
            "16",
            "--format",
            "json",
            "--arch",
            archs,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn on(m: &Value, row: &str, scenario: &str, arch: &str) -> String {
    let r = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == row)
        .unwrap();
    let c = r["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["scenario"] == scenario)
        .unwrap();
    c["routines"][arch].as_str().unwrap_or("none").to_string()
}

/// The routines that do not depend on the GOARCH: the same on every target.
fn assert_routines_every_arch_shares(m: &Value, arch: &str) {
    for (row, scenario, routine) in [
        ("int64", "nonzero", "convT64"),
        ("string", "nonzero", "convTstring"),
        ("bool", "nonzero", "staticuint64s"),
        ("struct_int8", "nonzero", "staticuint64s"),
        ("struct_int32_int64", "nonzero", "convTnoptr"),
        ("ptr_int", "nonzero", "direct"),
        ("struct_empty", "nonzero", "zerobase"),
        ("int64", "const", "readonly"),
    ] {
        assert_eq!(
            on(m, row, scenario, arch),
            routine,
            "{row} {scenario} on {arch}"
        );
    }
}

#[test]
fn arm64_386_and_big_endian_s390x() {
    let m = routines("arm64,386,s390x");
    assert_eq!(
        m["cross_archs"],
        serde_json::json!(["arm64", "386", "s390x"])
    );
    for arch in ["arm64", "386", "s390x"] {
        assert_routines_every_arch_shares(&m, arch);
        assert_eq!(on(&m, "int64", "local", arch), "stack", "{arch}");
    }
    // 32-bit: int is 4 bytes, and complex64 (align 4) matches uint64's alignment there.
    assert_eq!(on(&m, "int", "nonzero", "386"), "convT32");
    assert_eq!(on(&m, "int", "nonzero", "arm64"), "convT64");
    assert_eq!(on(&m, "complex64", "nonzero", "386"), "convT64");
    assert_eq!(on(&m, "complex64", "nonzero", "arm64"), "convTnoptr");
}

/// Listings that spell calls and stack pointers their own way: riscv64's
/// `JAL X1, f(SB)`, wasm's `Call f(SB)` (its frame slots have no names, so no
/// stack temporary shows), ppc64's `autotmp(R1)`.
#[test]
fn riscv64_wasm_and_ppc64le() {
    let m = routines("riscv64,wasm,ppc64le");
    for arch in ["riscv64", "wasm", "ppc64le"] {
        assert_routines_every_arch_shares(&m, arch);
    }
    assert_eq!(on(&m, "int64", "local", "riscv64"), "stack");
    assert_eq!(on(&m, "int64", "local", "ppc64le"), "stack");
    assert_eq!(on(&m, "int64", "local", "wasm"), "none");
}

#[test]
fn unknown_arch_is_bad_input() {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["matrix", "--arch", "vax"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown GOARCH \"vax\""));
}
