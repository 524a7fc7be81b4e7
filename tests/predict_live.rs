//! The rules model against live measurements: the default catalog × every
//! scenario, and 240 random types and values (proptest), all measured in one
//! generated build — on the local Go, and on every Go listed in
//! `IFACEALLOC_TEST_GOS` (colon-separated go binaries; `.ci/run` installs
//! Go 1.21.13 and 1.25.5 with GOTOOLCHAIN and sets it).
//! Also: the layout model against `unsafe.Sizeof/Alignof` on amd64, arm64 and
//! 386, cross-compiled.

mod common;

use assert_cmd::Command;
use ifacealloc::catalog::{self, CatalogName, Row};
use ifacealloc::generate::{self, Case};
use ifacealloc::gotype::{Arch, Basic, Field, Type};
use ifacealloc::measure::{self, Workdir};
use ifacealloc::rules::{self, Source};
use ifacealloc::toolchain::Toolchain;
use ifacealloc::value::Value;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

#[test]
fn catalog_predictions_match_measurements_on_every_go() {
    for go in common::toolchains() {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .arg("--go")
            .arg(&go)
            .args(["matrix", "--fresh", "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            go.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut bad = Vec::new();
        let mut n = 0;
        for r in m["rows"].as_array().unwrap() {
            for c in r["cases"].as_array().unwrap() {
                n += 1;
                if c["prediction_ok"] != true {
                    bad.push(format!(
                        "{}/{}: predicted {} measured {} {} {}",
                        r["name"],
                        c["scenario"],
                        c["prediction"],
                        c["routine"],
                        c["allocs_per_op"],
                        c["bytes_per_op"]
                    ));
                }
            }
        }
        assert!(n > 350, "{n} cases");
        assert!(
            bad.is_empty(),
            "{} ({}):\n{}",
            go.display(),
            m["go"]["version"],
            bad.join("\n")
        );
    }
}

// ---- random types and values ----

fn basic(b: Basic) -> Type {
    Type::Basic(b)
}

fn leaf() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(basic(Basic::Bool)),
        Just(basic(Basic::Int8)),
        Just(basic(Basic::Uint8)),
        Just(basic(Basic::Int16)),
        Just(basic(Basic::Uint16)),
        Just(basic(Basic::Int32)),
        Just(basic(Basic::Uint32)),
        Just(basic(Basic::Int64)),
        Just(basic(Basic::Uint64)),
        Just(basic(Basic::Int)),
        Just(basic(Basic::Uintptr)),
        Just(basic(Basic::Float32)),
        Just(basic(Basic::Float64)),
        Just(basic(Basic::Complex64)),
        Just(basic(Basic::Complex128)),
        Just(basic(Basic::String)),
        Just(basic(Basic::UnsafePointer)),
        Just(Type::Pointer(Box::new(basic(Basic::Int)))),
        Just(Type::Slice(Box::new(basic(Basic::Uint8)))),
        Just(Type::Map(
            Box::new(basic(Basic::String)),
            Box::new(basic(Basic::Int))
        )),
        Just(Type::Chan(
            ifacealloc::gotype::ChanDir::Both,
            Box::new(basic(Basic::Int))
        )),
        Just(Type::Func {
            params: vec![],
            results: vec![],
            variadic: false
        }),
    ]
}

fn types() -> impl Strategy<Value = Type> {
    leaf().prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            // Structs of 1..4 fields; a blank field now and then.
            prop::collection::vec((inner.clone(), 0u8..10), 1..5).prop_map(|fs| {
                Type::Struct(
                    fs.into_iter()
                        .enumerate()
                        .map(|(i, (ty, blank))| Field {
                            name: Some(if blank == 0 {
                                "_".to_string()
                            } else {
                                ["a", "b", "c", "d"][i].to_string()
                            }),
                            ty,
                            tag: None,
                        })
                        .collect(),
                )
            }),
            (inner.clone(), 0u64..4).prop_map(|(t, n)| Type::Array(n, Box::new(t))),
            // Byte arrays around the 1024-byte stack-temporary limit and size classes.
            prop_oneof![
                Just(3u64),
                Just(7),
                Just(12),
                Just(100),
                Just(1024),
                Just(1025),
                Just(2000)
            ]
            .prop_map(|n| Type::Array(n, Box::new(basic(Basic::Uint8)))),
            // Objects with pointers around the malloc-header threshold (512 bytes, Go ≥ 1.22).
            prop_oneof![Just(496u64), Just(504), Just(505), Just(1012), Just(1020)].prop_map(|n| {
                Type::Struct(vec![
                    Field {
                        name: Some("p".into()),
                        ty: Type::Pointer(Box::new(basic(Basic::Int))),
                        tag: None,
                    },
                    Field {
                        name: Some("a".into()),
                        ty: Type::Array(n, Box::new(basic(Basic::Uint8))),
                        tag: None,
                    },
                ])
            }),
        ]
    })
}

/// A random value of `ty`: zero, small and boundary integers, odd float bits, nil or not.
fn value_of(ty: &Type, rng: &mut TestRng, constant: bool) -> Value {
    if rng.random_ratio(1, 6) {
        return Value::Zero;
    }
    match ty.underlying() {
        Type::Basic(b) => match b {
            Basic::Bool => Value::Bool(rng.random()),
            Basic::String => Value::Str(if rng.random() {
                Vec::new()
            } else {
                b"ab\"c\xff".to_vec()
            }),
            Basic::UnsafePointer => {
                if constant || rng.random() {
                    Value::Nil
                } else {
                    Value::NonNil
                }
            }
            Basic::Float32 | Basic::Float64 | Basic::Complex64 | Basic::Complex128 => {
                let single = matches!(b, Basic::Float32 | Basic::Complex64);
                let mut f = || -> u64 {
                    let choice: u8 = rng.random_range(0..5);
                    let bits = match choice {
                        0 => 0xff, // a tiny denormal: bits < 256
                        1 => {
                            if single {
                                0x8000_0000
                            } else {
                                0x8000_0000_0000_0000
                            }
                        } // -0.0
                        2 => {
                            if single {
                                3f32.to_bits() as u64
                            } else {
                                3f64.to_bits()
                            }
                        }
                        3 => 0,
                        _ => {
                            if single {
                                rng.random::<u32>() as u64 & 0x3fff_ffff
                            } else {
                                rng.random::<u64>() & 0x3fff_ffff_ffff_ffff
                            }
                        }
                    };
                    if constant && (choice == 1) {
                        0
                    } else {
                        bits
                    }
                };
                if matches!(b, Basic::Complex64 | Basic::Complex128) {
                    Value::Complex(f(), f())
                } else {
                    Value::Float(f())
                }
            }
            _ => {
                let l = ty.layout(&Arch::by_name("amd64").unwrap()).size as u32;
                let bits = l * 8;
                let signed = b.is_signed();
                let v: i128 = match rng.random_range(0..6) {
                    0 => rng.random_range(1..256),
                    1 => 255,
                    2 => 256,
                    3 if signed => -1,
                    _ => (rng.random::<u64>() >> (64 - bits + signed as u32)) as i128,
                };
                let max = if signed {
                    (1i128 << (bits - 1)) - 1
                } else {
                    (1i128 << bits) - 1
                };
                Value::Int(v.min(max))
            }
        },
        Type::Pointer(_) | Type::Map(..) | Type::Chan(..) | Type::Func { .. } => {
            if constant || rng.random() {
                Value::Nil
            } else {
                Value::NonNil
            }
        }
        Type::Slice(_) => {
            if rng.random() {
                Value::Nil
            } else {
                Value::Composite(vec![])
            }
        }
        Type::Array(n, e) => Value::Composite(
            (0..*n.min(&4))
                .map(|_| value_of(e, rng, constant))
                .collect(),
        ),
        Type::Struct(fields) => Value::Composite(
            fields
                .iter()
                .filter(|f| f.selector().is_some())
                .map(|f| value_of(&f.ty, rng, constant))
                .collect(),
        ),
        _ => Value::Zero,
    }
}

/// 240 random rows, each with one case whose source fits its type.
fn random_rows() -> (Vec<Row>, Vec<Case>) {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = types();
    let mut rows = Vec::new();
    let mut cases = Vec::new();
    while rows.len() < 240 {
        let ty = strategy.new_tree(&mut runner).unwrap().current();
        let rng = runner.rng();
        let composite = matches!(ty.underlying(), Type::Struct(_) | Type::Array(..));
        let constant_ok = ty.basic().is_some_and(|b| b != Basic::UnsafePointer);
        let source = match rng.random_range(0..4) {
            0 if constant_ok => Source::Const,
            1 if composite => Source::Literal,
            2 => Source::Local,
            _ => Source::Var,
        };
        let constant = matches!(source, Source::Const | Source::Literal);
        let v = value_of(&ty, rng, constant);
        if constant && !v.is_constant(&ty) {
            continue;
        }
        cases.push(Case {
            row: rows.len(),
            scenario: rules::scenario_for(source),
        });
        rows.push(Row {
            name: format!("r{}", rows.len()),
            ty,
            value: Some(v),
        });
    }
    (rows, cases)
}

#[test]
fn random_types_and_values_match_measurements_on_every_go() {
    let (rows, cases) = random_rows();
    for go in common::toolchains() {
        let tc = Toolchain::discover(Some(&go)).unwrap();
        let module = generate::module(&rows, &cases, "1.21").unwrap();
        let work = Workdir::new(None).unwrap();
        measure::write_module(&tc, &module, work.path()).unwrap();
        let plan = measure::Plan {
            iterations: 16384,
            catalog: "random",
            cross: &[],
            reuse: false,
        };
        let m = measure::run(&tc, &rows, &module, work.path(), &plan).unwrap();
        let mut bad = Vec::new();
        for (r, src) in m.rows.iter().zip(&rows) {
            let c = &r.cases[0];
            if !c.prediction_ok || c.note.is_some() {
                bad.push(format!(
                    "{} {:?} [{}]: predicted {:?}; measured {:?} {} allocs {} B; note {:?}",
                    r.type_expr,
                    src.value,
                    c.scenario,
                    c.prediction,
                    c.routine,
                    c.allocs_per_op,
                    c.bytes_per_op,
                    c.note
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{} ({} of {} differ):\n{}",
            tc.goversion,
            bad.len(),
            rows.len(),
            bad.join("\n")
        );
    }
}

#[test]
fn layouts_match_the_compiler_on_amd64_arm64_386() {
    let (mut rows, _) = random_rows();
    rows.extend(catalog::rows(CatalogName::Default));
    let tc = Toolchain::discover(None).unwrap();
    for arch in ["amd64", "arm64", "386", "arm", "s390x"] {
        let a = Arch::by_name(arch).unwrap();
        let files = generate::layout_check(&rows, &a).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in &files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let out = tc.run_for(dir.path(), &["build", "-o", "/dev/null", "."], Some(arch));
        assert!(out.is_ok(), "{arch}: {:#}", out.unwrap_err());
    }
}
