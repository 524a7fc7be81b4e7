//! A small value with padding that takes runtime.convT16/32/64: dataWord
//! copies it to a temporary and reads the whole word as one integer. When the
//! compiler copies the type field by field (ssa.CanSSA), the padding is never
//! written and holds whatever that stack slot held, so the value does not
//! decide whether the word is < 256; when it copies the whole word, the
//! padding is the variable's. Predictions (`explain`) must say which, per Go
//! version, and `explain --verify` must agree on every Go in
//! IFACEALLOC_TEST_GOS.

mod common;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// Per rules version (1.21, 1.25, 1.26): predicted allocations and
/// unwritten padding bytes.
type PerVersion = [(u64, u64); 3];

/// A type, a value, its routine, and what each rules version predicts.
const CASES: [(&str, &str, &str, PerVersion); 4] = [
    // Two fields: copied field by field, 7 bytes never written.
    (
        "struct{a [0]int64; b int8}",
        "{{}, 5}",
        "convT64",
        [(1, 7), (1, 7), (1, 7)],
    ),
    // Six fields: copied as one word, its padding is the variable's (zero).
    (
        "struct{a [0]int64; b, c, d, e, f int8}",
        "{{}, 5, 0, 0, 0, 0}",
        "convT64",
        [(0, 0), (0, 0), (0, 0)],
    ),
    // [3][0]int64 kept the struct in memory until Go 1.26.
    (
        "struct{a [3][0]int64; b int8}",
        "{{}, 5}",
        "convT64",
        [(0, 0), (0, 0), (1, 7)],
    ),
    // A blank field is copied: no padding.
    (
        "struct{a [0]int32; b int16; _ int16}",
        "{{}, 5, 0}",
        "convT32",
        [(0, 0), (0, 0), (0, 0)],
    ),
];

fn explain_json(go: Option<&Path>, args: &[&str]) -> Value {
    let mut cmd = Command::cargo_bin("ifacealloc").unwrap();
    if let Some(go) = go {
        cmd.arg("--go").arg(go);
    }
    let out = cmd
        .arg("explain")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{args:?}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn predictions_per_version_offline() {
    for (ty, value, routine, per_version) in CASES {
        for (version, (allocs, padding)) in ["1.21", "1.25", "1.26"].into_iter().zip(per_version) {
            let v = explain_json(
                None,
                &[
                    ty,
                    "--value",
                    value,
                    "--go-version",
                    version,
                    "--arch",
                    "amd64",
                ],
            );
            assert_eq!(v["routine"], routine, "{ty} on Go {version}: {v}");
            assert_eq!(v["allocs"], allocs, "{ty} on Go {version}: {v}");
            assert_eq!(v["unset_padding"], padding, "{ty} on Go {version}: {v}");
        }
    }
    // On 386 uint64 is 4-aligned: an ordinary padded struct takes convT64.
    let v = explain_json(
        None,
        &[
            "struct{a int32; b int16}",
            "--value",
            "{5, 0}",
            "--arch",
            "386",
            "--go-version",
            "1.26",
        ],
    );
    assert_eq!(
        (&v["routine"], &v["unset_padding"]),
        (&"convT64".into(), &2.into()),
        "{v}"
    );
    // The release rule named for the 1.25 → 1.26 change is the one that made it.
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args([
            "explain",
            "struct{a [3][0]int64; b int8}",
            "--value",
            "{{}, 5}",
        ])
        .args(["--go-version", "all", "--arch", "amd64"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1.25 → 1.26: convT64 0 B → convT64 8 B"),
        "{text}"
    );
    assert!(
        text.contains("because: zero-size types in registers"),
        "{text}"
    );
    assert!(!text.contains("pointer-shaped by layout"), "{text}");
}

#[test]
fn verify_agrees_on_every_go() {
    for go in common::toolchains() {
        let m = common::go_minor(&go);
        for (ty, value, _, per_version) in CASES {
            let v = explain_json(Some(&go), &[ty, "--value", value, "--verify"]);
            let measured = &v["verify"];
            assert_eq!(measured["matches"], true, "{ty} on go1.{m}: {v}");
            let (_, padding) = per_version[if m >= 26 {
                2
            } else if m >= 25 {
                1
            } else {
                0
            }];
            if padding == 0 {
                // The whole word is the value's: the value decides, exactly.
                assert_eq!(measured["allocs"], 0.0, "{ty} on go1.{m}: {v}");
            }
        }
    }
}

/// scan says when the word convT64 reads holds padding the compiler never
/// writes, per toolchain.
#[test]
fn scan_names_unwritten_padding_on_every_go() {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/padding");
    for go in common::toolchains() {
        let m = common::go_minor(&go);
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .arg("--go")
            .arg(&go)
            .args(["scan", "--format", "json", "-C"])
            .arg(&dir)
            .output()
            .unwrap();
        let sites: Vec<Value> = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        let condition = |func: &str| -> String {
            let s = sites
                .iter()
                .find(|s| s["function"] == format!("example.com/padding.{func}"))
                .unwrap_or_else(|| panic!("no site in {func}: {sites:?}"));
            assert_eq!(s["routine"], "convT64", "{s}");
            s["condition"].as_str().unwrap().to_string()
        };
        let unwritten = |c: &str| c.contains("padding is never written");
        assert!(unwritten(&condition("StoreT")), "go1.{m}");
        assert!(!unwritten(&condition("StoreW")), "go1.{m}");
        assert_eq!(unwritten(&condition("StoreZ")), m >= 26, "go1.{m}");
    }
}
