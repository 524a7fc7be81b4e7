//! Types read by go/types (other packages' types, generic instantiations,
//! recursive declarations), checked against the live toolchain: the offline
//! reader and go/types agree on every type both read, and each kind of type
//! only go/types reads is measured with `--verify` on every Go in
//! IFACEALLOC_TEST_GOS.

mod common;

use ifacealloc::go::toolchain::Toolchain;
use ifacealloc::go::typecheck::{self, Sources};
use ifacealloc::model::gotype::{Arch, Basic, ChanDir, Field, Method, Type};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const DEFINES: &[&str] = &[
    "Point=struct{ X, Y int32 }",
    "Node=struct{ next *Node; kids []Node; v int }",
    "ID=uint16",
];

fn leaf() -> impl Strategy<Value = Type> {
    let basics = [
        "bool",
        "int",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "uintptr",
        "float32",
        "float64",
        "complex64",
        "complex128",
        "string",
    ]
    .iter()
    .map(|n| Type::Basic(Basic::from_name(n).unwrap()))
    .chain([Type::Basic(Basic::UnsafePointer)])
    .collect::<Vec<_>>();
    prop_oneof![
        prop::sample::select(basics),
        Just(Type::Interface(Vec::new())),
        Just(Type::error()),
        prop::sample::select(vec!["Point", "Node", "ID"]).prop_map(|n| {
            ifacealloc::model::typedefs::parse_type(n, &defs()).expect("defined")
        }),
    ]
}

fn defs() -> ifacealloc::model::gotype::Defs {
    let d: Vec<String> = DEFINES.iter().map(|s| s.to_string()).collect();
    ifacealloc::model::typedefs::load_defs(&d, &[]).unwrap()
}

fn types() -> impl Strategy<Value = Type> {
    leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Type::Pointer(Box::new(t))),
            inner.clone().prop_map(|t| Type::Slice(Box::new(t))),
            (inner.clone(), 0u64..5).prop_map(|(t, n)| Type::Array(n, Box::new(t))),
            (prop::sample::select(vec![Type::Basic(Basic::String), Type::Basic(Basic::Int)]), inner.clone())
                .prop_map(|(k, v)| Type::Map(Box::new(k), Box::new(v))),
            (inner.clone(), 0u8..3).prop_map(|(t, d)| Type::Chan(
                [ChanDir::Both, ChanDir::Send, ChanDir::Recv][d as usize],
                Box::new(t)
            )),
            (prop::collection::vec(inner.clone(), 0..3), prop::collection::vec(inner.clone(), 0..3), any::<bool>())
                .prop_map(|(mut params, results, variadic)| {
                    let variadic = variadic && !params.is_empty();
                    if variadic {
                        let last = params.pop().unwrap();
                        params.push(Type::Slice(Box::new(last)));
                    }
                    Type::Func { params, results, variadic }
                }),
            // Struct fields: named, blank, tagged, and embedded named types.
            // Tags: any text, quotes, backslashes, backticks, line breaks
            // and non-ASCII included (printed quoted, read back by both).
            prop::collection::vec(
                (inner.clone(), 0u8..8, "[ -~\t\n\u{e9}\u{65e5}\u{1F600}]{0,12}"),
                1..5
            )
            .prop_map(|fs| {
                let mut fields: Vec<Field> = Vec::new();
                for (i, (ty, kind, text)) in fs.into_iter().enumerate() {
                    let embeddable = matches!(&ty, Type::Named(n, _) if !fields.iter().any(|f| f.name.is_none() && f.selector().as_deref() == Some(&n.name)));
                    fields.push(match kind {
                        0 => Field { name: Some("_".into()), ty, tag: None },
                        1 => Field { name: Some(format!("f{i}")), ty, tag: Some(format!("json:\"f{i},omitempty\"")) },
                        2 if embeddable => Field { name: None, ty, tag: None },
                        3 => Field { name: Some(format!("f{i}")), ty, tag: Some(text) },
                        _ => Field { name: Some(format!("f{i}")), ty, tag: None },
                    });
                }
                Type::Struct(fields)
            }),
            // Interfaces list methods sorted, as go/types does.
            prop::collection::vec(inner.clone(), 0..2).prop_map(|params| Type::Interface(vec![
                Method { name: "Close".into(), params: Vec::new(), results: vec![Type::error()], variadic: false },
                Method { name: "Read".into(), params, results: Vec::new(), variadic: false },
            ])),
        ]
    })
}

fn tc() -> Toolchain {
    Toolchain::resolve(None).unwrap().remove(0)
}

#[test]
fn the_offline_reader_and_go_types_agree_on_every_type_both_read() {
    let cases: usize = std::env::var("IFACEALLOC_TYPE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = types();
    let defs = defs();
    // Each type printed, then read back by both readers.
    let exprs: Vec<String> = (0..cases)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .go_syntax()
        })
        .collect();
    let tc = tc();
    let sources = Sources {
        defines: DEFINES.iter().map(|s| s.to_string()).collect(),
        from: Vec::new(),
    };
    let dir = std::env::temp_dir();
    for arch in ["amd64", "386"] {
        let arch = Arch::by_name(arch).unwrap();
        // go/types' layout of every answer is compared with the model's
        // inside resolve (an error if they differ).
        let answers = typecheck::resolve(&tc, &dir, &exprs, &sources, &arch).unwrap();
        let mut bad = Vec::new();
        let mut both = 0;
        for (expr, answer) in exprs.iter().zip(answers) {
            let offline = ifacealloc::model::typedefs::parse_type(expr, &defs);
            match (offline, answer) {
                (Ok(a), Ok(b)) if a == b => both += 1,
                (Ok(a), Ok(b)) => bad.push(format!("{expr}:\n  offline  {a:?}\n  go/types {b:?}")),
                (Err(e), Ok(_)) => {
                    bad.push(format!("{expr}: only go/types reads it; offline: {e}"))
                }
                (Ok(_), Err(e)) => bad.push(format!(
                    "{expr}: only the offline reader reads it; go/types: {e}"
                )),
                // Neither: a generated type Go rejects (a non-comparable map key...).
                (Err(_), Err(_)) => {}
            }
        }
        // Most generated types are valid Go: the comparison is not vacuous.
        assert!(
            both * 4 >= exprs.len() * 3,
            "only {both} of {} compared",
            exprs.len()
        );
        assert!(
            bad.is_empty(),
            "{} of {} differ on {}:\n{}",
            bad.len(),
            exprs.len(),
            arch.name,
            bad.join("\n")
        );
    }
}

/// `explain TYPE --verify` with each toolchain, in `dir`, with `extra` flags:
/// the prediction and the measurement agree.
fn verify_everywhere(dir: &std::path::Path, ty: &str, extra: &[&str]) {
    for go in common::toolchains() {
        let mut cmd = assert_cmd::Command::cargo_bin("ifacealloc").unwrap();
        cmd.current_dir(dir)
            .args([
                "--go",
                &go.to_string_lossy(),
                "explain",
                ty,
                "--verify",
                "--format",
                "json",
            ])
            .args(extra);
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{ty} {extra:?} with {}: {stdout}{}",
            go.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            v["verify"]["matches"],
            true,
            "{ty} with {}: {stdout}",
            go.display()
        );
    }
}

#[test]
fn standard_library_types_are_measured_as_predicted() {
    let dir = tempfile::tempdir().unwrap();
    for (ty, value) in [
        ("time.Duration", Some("300")),
        ("time.Duration", Some("7")),
        ("time.Time", None),
        ("net/netip.Addr", None),
        ("struct{ mu sync.Mutex; n int }", None),
        ("sync/atomic.Int64", None),
        ("sync/atomic.Pointer[time.Time]", None),
        ("[2]time.Month", Some("{1, 12}")),
        ("map[time.Month]error", None),
        ("strings.Builder", None),
    ] {
        let extra: Vec<&str> = value.map(|v| vec!["--value", v]).unwrap_or_default();
        verify_everywhere(dir.path(), ty, &extra);
    }
}

#[test]
fn module_types_generics_and_recursive_declarations_are_measured_as_predicted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("go.mod"), "module example.com/um\n\ngo 1.21\n").unwrap();
    std::fs::write(
        root.join("pkg/p.go"),
        "package pkg\n\nimport \"time\"\n\n// T has an unexported field.\ntype T struct {\n\tid   int\n\tName string\n\tAt   time.Duration\n}\n\ntype Small struct{ n uint16 }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("types.go"),
        "package main\n\nimport \"time\"\n\ntype A struct {\n\tb *B\n\tx int\n}\n\ntype B struct{ a *A }\n\ntype Box[T any] struct{ v T }\n\ntype Pair[K comparable, V any] struct {\n\tk K\n\tv V\n\td time.Duration\n}\n",
    )
    .unwrap();
    verify_everywhere(root, "example.com/um/pkg.T", &[]);
    verify_everywhere(root, "example.com/um/pkg.Small", &[]);
    verify_everywhere(root, "[3]example.com/um/pkg.Small", &[]);
    for ty in [
        "A",
        "B",
        "Box[int]",
        "Box[Box[string]]",
        "Pair[string, *A]",
        "Box[example.com/um/pkg.Small]",
    ] {
        verify_everywhere(root, ty, &["--from", "types.go"]);
    }
    // Recursive --define needs no toolchain: the offline reader reads it.
    let out = assert_cmd::Command::cargo_bin("ifacealloc")
        .unwrap()
        .env("PATH", "")
        .args([
            "explain",
            "Node",
            "--define",
            "Node=struct{ next *Node; v int }",
            "--go-version",
            "1.26",
            "--arch",
            "amd64",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("convT"));
}

#[test]
fn types_go_rejects_are_refused_with_go_types_reason() {
    for (args, want) in [
        (vec!["explain", "netip.Addr"], "net/netip"),
        (vec!["explain", "atomic.Pointer[int]"], "sync/atomic"),
        (vec!["explain", "time.Now"], "is not a type"),
        (vec!["explain", "time.Nope"], "undefined: time.Nope"),
        (vec!["explain", "struct{ a int; a string }"], "a redeclared"),
        (
            vec!["explain", "T", "--define", "T=struct{ t T }"],
            "invalid recursive type",
        ),
        (
            vec![
                "explain",
                "struct{ x int }",
                "--define",
                "P=struct{ y time.Nope }",
            ],
            "undefined: time.Nope",
        ),
        (
            vec!["explain", "time.Time", "--value", "{5, 0, nil}"],
            "unexported field",
        ),
    ] {
        let (_, stderr, code) = common::ifacealloc(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: want {want:?} in {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
