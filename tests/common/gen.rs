//! Random types and values for the live tests (proptest strategies): basic
//! types, pointers, slices, maps, chans, funcs, structs with blank fields,
//! arrays, byte arrays around the stack and size-class limits, and objects
//! around the malloc-header threshold; values at the routines' boundaries.
#![allow(dead_code)]

use ifacealloc::model::gotype::{Arch, Basic, Field, Type};
use ifacealloc::model::rules::Source;
use ifacealloc::model::value::Value;
use proptest::prelude::*;
use proptest::test_runner::TestRng;

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
            ifacealloc::model::gotype::ChanDir::Both,
            Box::new(basic(Basic::Int))
        )),
        Just(Type::Func {
            params: vec![],
            results: vec![],
            variadic: false
        }),
    ]
}

pub fn types() -> impl Strategy<Value = Type> {
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

/// A random value of `ty`: zero, small and boundary integers (fitting
/// `arch`'s int size), odd float bits, nil or not.
pub fn value_for(ty: &Type, rng: &mut TestRng, constant: bool, arch: &Arch) -> Value {
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
                let l = ty.layout(arch).size as u32;
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
                .map(|_| value_for(e, rng, constant, arch))
                .collect(),
        ),
        Type::Struct(fields) => Value::Composite(
            fields
                .iter()
                .filter(|f| f.selector().is_some())
                .map(|f| value_for(&f.ty, rng, constant, arch))
                .collect(),
        ),
        _ => Value::Zero,
    }
}

/// A source that fits `ty` (const for basic types, literal for composites)
/// and a value of it for `arch`; `None` when the value drawn is not a
/// constant a const or literal source needs (draw again).
pub fn case_for(ty: &Type, rng: &mut TestRng, arch: &Arch) -> Option<(Value, Source)> {
    let composite = matches!(ty.underlying(), Type::Struct(_) | Type::Array(..));
    let constant_ok = ty.basic().is_some_and(|b| b != Basic::UnsafePointer);
    let source = match rng.random_range(0..4) {
        0 if constant_ok => Source::Const,
        1 if composite => Source::Literal,
        2 => Source::Local,
        _ => Source::Var,
    };
    let constant = matches!(source, Source::Const | Source::Literal);
    let value = value_for(ty, rng, constant, arch);
    (!constant || value.is_constant(ty)).then_some((value, source))
}
