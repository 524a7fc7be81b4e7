//! The conversion decision, per Go version and GOARCH: which routine builds the
//! interface's data word, whether it allocates, and how many bytes `TotalAlloc`
//! counts for it. This is the one place the decision is made: `explain`,
//! `matrix`'s model column and `scan` all call [`decide`] with the layout facts
//! of a type ([`TypeFacts`], from a parsed type or from go/types). Each step
//! names the compiler or runtime function it models:
//!
//! - `cmd/compile/internal/types.IsDirectIface`: which types are pointer-shaped
//!   (a per-version rule, see [`BOUNDARIES`]);
//! - `cmd/compile/internal/walk/convert.go`: `dataWord`, `dataWordFuncName`;
//! - `cmd/compile/internal/walk/order.go` (Go ≥ 1.25): constant composite
//!   literals become read-only statics, zero ones use `runtime.zeroVal`;
//! - `runtime/iface.go`: `convT16/32/64` (values < 256 use `staticuint64s`),
//!   `convTstring` (`""` uses `zeroVal`), `convTslice` (nil data pointer),
//!   `convTnoptr`, `convT`;
//! - `runtime/malloc.go`: the tiny allocator (pointer-free objects < 16 bytes
//!   share 16-byte blocks), size classes (`sizeclasses.go`), the 8-byte malloc
//!   header on objects with pointers larger than `minSizeForMallocHeader`
//!   (Go ≥ 1.22), and page-rounded large objects.

use serde::Serialize;

use crate::model::gotype::{Arch, Basic, Layout, Type};
use crate::model::goversion::GoVersion;
use crate::model::routine::Routine;
use crate::model::scenario::Scenario;
use crate::model::value::{self, Value};

/// How the value reaches the conversion (`explain --source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A variable read at run time (a package variable: the interface escapes).
    Var,
    /// A constant expression `T(c)` (types with a basic underlying type).
    Const,
    /// A composite literal `T{...}` (structs and arrays) written at the conversion.
    Literal,
    /// A variable stored into a local interface that does not escape.
    Local,
}

/// One step of the decision, with the compiler or runtime function it models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub rule: &'static str,
    pub text: String,
}

/// The predicted outcome of one conversion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    pub routine: Routine,
    /// Heap allocations per conversion.
    pub allocs: u64,
    /// Heap bytes per conversion as `TotalAlloc` counts them (a share of a
    /// 16-byte block for tiny objects), two decimals.
    pub bytes: f64,
    /// Bytes the allocator hands out per allocation (size class, 16 for tiny).
    pub alloc_size: u64,
    /// Bytes of the word `convT16/32/64` reads that the compiler never writes
    /// (padding of a value copied field by field), 0 for any other case.
    /// When not 0, `allocs` and `bytes` are what a stack slot that held
    /// anything but zeros there gives; one that held zeros gives none.
    pub unset_padding: u64,
    pub reasons: Vec<Reason>,
}

impl Prediction {
    /// Whether a measurement (routine, allocations and bytes per conversion)
    /// is what this prediction allows.
    pub fn admits(&self, routine: Option<Routine>, allocs: f64, bytes: f64) -> bool {
        routine == Some(self.routine)
            && ((allocs, bytes) == (self.allocs as f64, self.bytes)
                || (self.unset_padding > 0 && allocs == 0.0 && bytes == 0.0))
    }
}

/// The standard size classes (`runtime/sizeclasses.go`, unchanged from Go
/// 1.21 to today; a test compares it with the local GOROOT).
pub const SIZE_CLASSES: [u32; 68] = [
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320,
    352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
    2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
    10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672,
    32768,
];
const MAX_SMALL_SIZE: u64 = 32768;
const PAGE_SIZE: u64 = 8192;
const TINY_SIZE: u64 = 16;
const MALLOC_HEADER: u64 = 8;
/// Stack temporaries are used for values up to this size (walk/convert.go).
const MAX_STACK_TEMP: u64 = 1024;
/// `abi.ZeroValSize`: zero values up to this size can use `runtime.zeroVal`.
const ZERO_VAL_SIZE: u64 = 1024;

/// A Go release that changed the decision: the rule, and where the compiler or
/// runtime shows it. Each entry's `since` is the constant the decision tests.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Boundary {
    /// The first Go 1.x minor release with the new behaviour.
    pub since: u32,
    pub name: &'static str,
    pub after: &'static str,
    /// The Go source that shows it (in that release's GOROOT).
    pub source: &'static str,
    /// Whether the rule can matter for a type: two rules of one release
    /// both change a prediction that changes there; this says which did.
    #[serde(skip)]
    pub relevant: fn(&Type, &Arch) -> bool,
}

fn any_type(_: &Type, _: &Arch) -> bool {
    true
}

/// Every version boundary the rules know, oldest first (docs/rules.md).
pub const BOUNDARIES: [Boundary; 4] = [
    Boundary {
        since: MALLOC_HEADER_SINCE,
        name: "malloc header",
        after: "objects with pointers larger than minSizeForMallocHeader carry an 8-byte header",
        source: "runtime/mbitmap.go (minSizeForMallocHeader), runtime/malloc.go mallocgc",
        relevant: any_type,
    },
    Boundary {
        since: STATIC_LITERALS_SINCE,
        name: "static composite literals",
        after: "a zero literal uses runtime.zeroVal and a constant one becomes read-only data",
        source: "cmd/compile/internal/walk/order.go (addrTemp), walk/convert.go dataWord",
        relevant: any_type,
    },
    Boundary {
        since: DIRECT_IFACE_BY_LAYOUT_SINCE,
        name: "pointer-shaped by layout",
        after: "pointer-shaped means pointer-sized with every byte pointer: zero-size fields beside one pointer no longer matter",
        source: "cmd/compile/internal/types/type.go IsDirectIface",
        relevant: |ty, arch| {
            let l = ty.layout(arch);
            l.size == arch.ptr_size && l.ptr_bytes == l.size
        },
    },
    Boundary {
        since: SSA_ZERO_SIZE_SINCE,
        name: "zero-size types in registers",
        after: "every zero-size type can be kept in registers, so a small struct holding one ([3][0]int64) is copied field by field and its padding is left unwritten",
        source: "cmd/compile/internal/ssa/value.go CanSSA",
        relevant: |ty, arch| ty.can_ssa(arch, true) != ty.can_ssa(arch, false),
    },
];

/// The Go release where each version-dependent rule starts.
pub const MALLOC_HEADER_SINCE: u32 = 22;
pub const STATIC_LITERALS_SINCE: u32 = 25;
pub const DIRECT_IFACE_BY_LAYOUT_SINCE: u32 = 26;
pub const SSA_ZERO_SIZE_SINCE: u32 = 26;

/// The oldest and newest Go 1.x minor releases the rules describe. A newer
/// toolchain gets the newest rules, with a warning.
pub const OLDEST_MINOR: u32 = crate::model::goversion::MIN_MINOR;
pub const NEWEST_MINOR: u32 = 27;

/// A Go version the rules describe (`1.24`, `go1.24.3`), or `None` for text
/// that is not one, or is older than [`OLDEST_MINOR`].
pub fn go_version(s: &str) -> Option<GoVersion> {
    // The whole text, not a prefix: `1.25,1.26` or `1.25x` is no version.
    static WHOLE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let whole = WHOLE.get_or_init(|| {
        regex::Regex::new(r"^(?:go)?\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?$").expect("valid regex")
    });
    let s = s.trim();
    if !whole.is_match(s) {
        return None;
    }
    GoVersion::parse(s).filter(|v| v.major == 1 && v.minor >= OLDEST_MINOR)
}

/// The boundaries between Go 1.`from` and 1.`to` that change the prediction
/// for `v` of `ty` reaching the conversion by `source`: each one whose
/// release predicts differently from the release before it.
pub fn boundaries_between(
    ty: &Type,
    v: &Value,
    source: Source,
    from: u32,
    to: u32,
    arch: &Arch,
    iterations: u64,
) -> Vec<&'static Boundary> {
    let at = |minor: u32| {
        let version = GoVersion {
            major: 1,
            minor,
            patch: 0,
        };
        predict(ty, v, source, version, arch, iterations)
            .ok()
            .map(|p| (p.routine, p.allocs, p.bytes.to_bits()))
    };
    BOUNDARIES
        .iter()
        .filter(|b| {
            from < b.since
                && b.since <= to
                && (b.relevant)(ty, arch)
                && at(b.since - 1) != at(b.since)
        })
        .collect()
}

/// An input the rules cannot apply to (a constant of a struct type, say).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleError(pub String);

/// The kind of a type's sole component (the compiler's `SoleComponent`), as
/// far as `dataWord` and `dataWordFuncName` care.
/// Deserialized from scan's finder, which names them `bool`, `int`, `string`,
/// `slice` and `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sole {
    Bool,
    #[serde(rename = "int")]
    Integer,
    String,
    Slice,
    /// Another kind, or no sole component (several fields or elements).
    #[serde(other)]
    Other,
}

/// What the compiler's conversion code looks at in a type. Built from a parsed
/// type ([`TypeFacts::of`]) or from go/types (`scan`'s finder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeFacts {
    pub layout: Layout,
    /// `IsDirectIface` before Go 1.26: a pointer kind (pointer, map, chan,
    /// func, unsafe.Pointer), or a single-field struct or one-element array of
    /// such a type.
    pub direct_by_kind: bool,
    pub sole: Sole,
}

impl TypeFacts {
    pub fn of(ty: &Type, arch: &Arch) -> TypeFacts {
        let sole = match ty.sole_component().map(Type::underlying) {
            Some(Type::Basic(Basic::Bool)) => Sole::Bool,
            Some(Type::Basic(b)) if b.is_integer() => Sole::Integer,
            Some(Type::Basic(Basic::String)) => Sole::String,
            Some(Type::Slice(_)) => Sole::Slice,
            _ => Sole::Other,
        };
        TypeFacts {
            layout: ty.layout(arch),
            direct_by_kind: direct_by_kind(ty),
            sole,
        }
    }
}

/// `IsDirectIface` as it was up to Go 1.25 (types/type.go).
fn direct_by_kind(ty: &Type) -> bool {
    match ty.underlying() {
        Type::Pointer(_) | Type::Map(..) | Type::Chan(..) | Type::Func { .. } => true,
        Type::Basic(b) => *b == Basic::UnsafePointer,
        Type::Array(1, elem) => direct_by_kind(elem),
        Type::Struct(fields) => fields.len() == 1 && direct_by_kind(&fields[0].ty),
        _ => false,
    }
}

/// `types.IsDirectIface` on Go `version`: the value is its own data word.
pub fn is_pointer_shaped(f: &TypeFacts, version: GoVersion, arch: &Arch) -> bool {
    if version.minor >= DIRECT_IFACE_BY_LAYOUT_SINCE {
        f.layout.size == arch.ptr_size && f.layout.ptr_bytes == arch.ptr_size
    } else {
        f.direct_by_kind
    }
}

/// How the converted value is known to reach the conversion, statically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// A run-time value whose interface escapes.
    Escaping,
    /// A run-time value whose interface does not escape.
    NonEscaping,
    /// A constant expression.
    Constant,
    /// A composite literal whose elements are all constants; `zero` for `T{}`.
    ConstLiteral { zero: bool },
}

/// The routine a conversion takes, with the steps that led there.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub routine: Routine,
    /// The runtime routine `dataWordFuncName` names for this type: what the
    /// conversion calls when none of the allocation-free paths applies.
    pub runtime: Routine,
    pub reasons: Vec<Reason>,
}

/// walk/convert.go `dataWord`, in its order, on Go `version` for `arch`.
pub fn decide(f: &TypeFacts, how: How, version: GoVersion, arch: &Arch) -> Decision {
    let (runtime, runtime_why) = runtime_routine(&f.layout, f.sole, arch);
    let mut reasons = Vec::new();
    let all_pointer = f.layout.size == arch.ptr_size && f.layout.ptr_bytes == arch.ptr_size;
    let routine = if is_pointer_shaped(f, version, arch) {
        reasons.push(Reason {
            rule: "cmd/compile/internal/types.IsDirectIface",
            text: format!(
                "the value is pointer-shaped ({} bytes, all pointer): it is the data word itself",
                arch.ptr_size
            ),
        });
        Routine::Direct
    } else {
        if all_pointer {
            // The rule that changed in Go 1.26 decides here: say so.
            reasons.push(Reason {
                rule: "cmd/compile/internal/types.IsDirectIface",
                text: format!(
                    "pointer-sized and all pointer, but neither a pointer kind nor a single-field struct or one-element array of one: not pointer-shaped before Go 1.{DIRECT_IFACE_BY_LAYOUT_SINCE}"
                ),
            });
        }
        decide_indirect(f, how, version, arch, runtime, &mut reasons)
    };
    if routine == runtime {
        reasons.push(Reason {
            rule: "cmd/compile/internal/walk.dataWordFuncName",
            text: format!("{runtime_why}: runtime.{runtime}"),
        });
    }
    Decision {
        routine,
        runtime,
        reasons,
    }
}

/// `dataWord` after the pointer-shaped test.
fn decide_indirect(
    f: &TypeFacts,
    how: How,
    version: GoVersion,
    arch: &Arch,
    runtime: Routine,
    reasons: &mut Vec<Reason>,
) -> Routine {
    const DATA_WORD: &str = "cmd/compile/internal/walk.dataWord";
    let l = &f.layout;
    let mut say = |rule: &'static str, text: String| reasons.push(Reason { rule, text });
    if l.size == 0 {
        say(
            DATA_WORD,
            "zero-sized value: the data word is &runtime.zerobase".into(),
        );
        return Routine::Zerobase;
    }
    if f.sole == Sole::Bool || (l.size == 1 && f.sole == Sole::Integer) {
        say(
            DATA_WORD,
            format!(
                "bool or single-byte integer: the data word is &runtime.staticuint64s[v]{}",
                if arch.big_endian {
                    " + 7 (big-endian)"
                } else {
                    ""
                }
            ),
        );
        return Routine::Staticuint64s;
    }
    let static_literals = version.minor >= STATIC_LITERALS_SINCE;
    match how {
        How::Constant => {
            say(
                DATA_WORD,
                "a constant is put in a read-only global, which is the data word".into(),
            );
            Routine::Readonly
        }
        How::ConstLiteral { zero: true } if static_literals && l.size <= ZERO_VAL_SIZE => {
            say(
                DATA_WORD,
                format!(
                    "a zero composite literal of at most {ZERO_VAL_SIZE} bytes uses runtime.zeroVal (Go ≥ 1.{STATIC_LITERALS_SINCE})"
                ),
            );
            Routine::ZeroVal
        }
        How::ConstLiteral { .. } if static_literals => {
            say(
                "cmd/compile/internal/walk.order",
                format!(
                    "a constant composite literal becomes a read-only global (Go ≥ 1.{STATIC_LITERALS_SINCE})"
                ),
            );
            Routine::Readonly
        }
        How::ConstLiteral { .. } => {
            say(
                DATA_WORD,
                format!(
                    "before Go 1.{STATIC_LITERALS_SINCE} a composite literal is built like a run-time value"
                ),
            );
            runtime
        }
        How::NonEscaping if l.size <= MAX_STACK_TEMP => {
            say(
                DATA_WORD,
                format!(
                    "the interface does not escape and the value is at most {MAX_STACK_TEMP} bytes: a stack temporary"
                ),
            );
            Routine::Stack
        }
        How::NonEscaping => {
            say(
                DATA_WORD,
                format!(
                    "the interface does not escape, but {} bytes is more than the {MAX_STACK_TEMP}-byte limit for a stack temporary",
                    l.size
                ),
            );
            runtime
        }
        How::Escaping => {
            say(
                "cmd/compile/internal/escape",
                "the interface escapes (here: stored in a package variable), so the value cannot live on the stack".into(),
            );
            runtime
        }
    }
}

/// Predicts the conversion of `v` (of type `ty`, reaching it by `source`) on
/// Go `version` for `arch`; `iterations` is the measurement's loop count, which
/// the amortised share of a tiny block depends on.
pub fn predict(
    ty: &Type,
    v: &Value,
    source: Source,
    version: GoVersion,
    arch: &Arch,
    iterations: u64,
) -> Result<Prediction, RuleError> {
    if ty.is_interface() {
        return Err(RuleError(format!(
            "{ty} is an interface type: storing it in `any` copies the interface, no conversion happens"
        )));
    }
    let facts = TypeFacts::of(ty, arch);
    let l = facts.layout;
    let mut reasons: Vec<Reason> = Vec::new();
    say(
        &mut reasons,
        "cmd/compile/internal/types.CalcSize",
        format!(
            "{ty} on {}: size {}, align {}, pointer bytes {}",
            arch.name, l.size, l.align, l.ptr_bytes
        ),
    );
    let how = how_reached(ty, v, source)?;
    let d = decide(&facts, how, version, arch);
    reasons.extend(d.reasons);
    if d.routine == Routine::Staticuint64s {
        let idx = read_uint(&value::encode(ty, v, arch), 1, arch);
        say(
            &mut reasons,
            "cmd/compile/internal/walk.dataWord",
            format!("the value's byte is {idx}: &runtime.staticuint64s[{idx}]"),
        );
    }
    let done = |routine, reasons| Prediction {
        routine,
        allocs: 0,
        bytes: 0.0,
        alloc_size: 0,
        unset_padding: 0,
        reasons,
    };
    if d.routine != d.runtime {
        return Ok(done(d.routine, reasons));
    }
    let routine = d.routine;
    let (alloc_req, unset_padding) =
        runtime_request(routine, (ty, l, v), version, arch, &mut reasons);
    let Some((size, scan)) = alloc_req else {
        return Ok(done(routine, reasons));
    };
    let (alloc_size, bytes, why) = heap_bytes(size, scan, version, arch, iterations);
    say(&mut reasons, "runtime.mallocgc", why);
    Ok(Prediction {
        routine,
        allocs: 1,
        bytes,
        alloc_size,
        unset_padding,
        reasons,
    })
}

/// How the value reaches the interface for `--source`, or why that source
/// does not fit the type or value.
fn how_reached(ty: &Type, v: &Value, source: Source) -> Result<How, RuleError> {
    let composite = matches!(ty.underlying(), Type::Struct(_) | Type::Array(..));
    // `[]int(nil)`, `(*T)(nil)` written at the conversion: a nil of a type
    // that has one, which the compiler converts like a run-time value.
    let nil_literal = source == Source::Literal
        && *v == Value::Nil
        && matches!(
            ty.underlying(),
            Type::Pointer(_)
                | Type::Slice(_)
                | Type::Map(..)
                | Type::Chan(..)
                | Type::Func { .. }
                | Type::Basic(Basic::UnsafePointer)
        );
    match source {
        _ if nil_literal => {}
        Source::Const if ty.basic().is_none() || ty.basic() == Some(Basic::UnsafePointer) => {
            return Err(RuleError(format!(
                "--source const needs a type with a basic underlying type (numbers, strings, bools); {ty} has none: use {}",
                if composite { "--source literal or var" } else { "--source var (a nil or non-nil value of it is a run-time value)" }
            )))
        }
        Source::Const | Source::Literal if !v.is_constant(ty) => {
            return Err(RuleError(
                "this value is not a Go constant (-0.0, NaN, ±Inf, new, make and func are not); use --source var or local".into(),
            ))
        }
        Source::Literal if !composite => {
            return Err(RuleError(format!(
                "--source literal needs a struct or array type, or --value nil for a pointer, slice, map, chan or func type; for {ty} use {}",
                if ty.basic().is_some_and(|b| b != Basic::UnsafePointer) { "--source const or var" } else { "--source var" }
            )))
        }
        _ => {}
    }
    Ok(match source {
        _ if nil_literal => How::Escaping,
        Source::Var => How::Escaping,
        Source::Local => How::NonEscaping,
        Source::Const => How::Constant,
        Source::Literal => How::ConstLiteral {
            zero: v.is_zero(ty),
        },
    })
}

/// What the runtime routine does with this value: the allocation it asks
/// mallocgc for (size, with pointers), if any, and the bytes of the value's
/// padding that it reads unwritten (convT16/32/64 on a value copied field by
/// field); each step said in `reasons`.
fn runtime_request(
    routine: Routine,
    (ty, l, v): (&Type, Layout, &Value),
    version: GoVersion,
    arch: &Arch,
    reasons: &mut Vec<Reason>,
) -> (Option<(u64, bool)>, u64) {
    // The value's memory image, needed only by the routines that look at the
    // value (all of them small): never built for a large type.
    let image = || value::encode(ty, v, arch);
    let mut unset_padding = 0;
    let alloc_req: Option<(u64, bool)> = match routine {
        Routine::ConvT16 | Routine::ConvT32 | Routine::ConvT64 => {
            let width = l.size as usize;
            let bits = read_uint(&image(), width, arch);
            let rule = RUNTIME_CONVT[width.trailing_zeros() as usize - 1];
            let padding = ty.padding_within(arch, l.size);
            let by_fields = ty.can_ssa(arch, version.minor >= SSA_ZERO_SIZE_SINCE);
            if padding > 0 && by_fields {
                // dataWord copies the value to a temporary field by field
                // (the type is SSA-able) and reads the whole word through
                // its address: the padding is never written.
                say(
                    reasons,
                    "cmd/compile/internal/walk.dataWord",
                    format!(
                        "{padding} of the {width} bytes {} reads are padding: the value is copied to a temporary field by field and the {width} bytes are read as one integer, so those bytes hold whatever that stack slot held before: the value alone does not decide whether the word is < 256 (a slot that held zeros there: no allocation; anything else: one)",
                        rule.trim_start_matches("runtime.")
                    ),
                );
                say(
                    reasons,
                    rule,
                    format!("counted as ≥ 256: mallocgc({width}, no pointers)"),
                );
                unset_padding = padding;
                Some((l.size, false))
            } else if bits < 256 {
                say(
                    reasons,
                    rule,
                    format!(
                        "the value's bits are {bits:#x} < 256: the data word is &runtime.staticuint64s[{bits}], no allocation"
                    ),
                );
                None
            } else {
                say(
                    reasons,
                    rule,
                    format!("the value's bits are {bits:#x} ≥ 256: mallocgc({width}, no pointers)"),
                );
                Some((l.size, false))
            }
        }
        Routine::ConvTstring => {
            if string_len(&image(), arch) == 0 {
                say(
                    reasons,
                    "runtime.convTstring",
                    "the string is \"\": the data word is &runtime.zeroVal[0], no allocation"
                        .into(),
                );
                None
            } else {
                say(
                    reasons,
                    "runtime.convTstring",
                    format!(
                        "a non-empty string: mallocgc({}, with pointers)",
                        2 * arch.ptr_size
                    ),
                );
                Some((2 * arch.ptr_size, true))
            }
        }
        Routine::ConvTslice => {
            if read_uint(&image(), arch.ptr_size as usize, arch) == 0 {
                say(
                    reasons,
                    "runtime.convTslice",
                    "the slice's data pointer is nil: the data word is &runtime.zeroVal[0], no allocation".into(),
                );
                None
            } else {
                say(
                    reasons,
                    "runtime.convTslice",
                    format!(
                        "a non-nil slice: mallocgc({}, with pointers)",
                        3 * arch.ptr_size
                    ),
                );
                Some((3 * arch.ptr_size, true))
            }
        }
        Routine::ConvTnoptr => {
            say(
                reasons,
                "runtime.convTnoptr",
                format!("always allocates: mallocgc({}, no pointers)", l.size),
            );
            Some((l.size, false))
        }
        _ => {
            say(
                reasons,
                "runtime.convT",
                format!("always allocates: mallocgc({}, with pointers)", l.size),
            );
            Some((l.size, true))
        }
    };
    (alloc_req, unset_padding)
}

/// walk/convert.go `dataWordFuncName`: the runtime function for a type that
/// takes none of dataWord's allocation-free paths, and why.
fn runtime_routine(l: &Layout, sole: Sole, arch: &Arch) -> (Routine, &'static str) {
    let has_ptr = l.ptr_bytes > 0;
    if l.size == 2 && l.align == 2 {
        (Routine::ConvT16, "size 2, align 2")
    } else if l.size == 4 && l.align == 4 && !has_ptr {
        (Routine::ConvT32, "size 4, align 4, no pointers")
    } else if l.size == 8 && l.align == arch.reg_size && !has_ptr {
        (Routine::ConvT64, "size 8, uint64's alignment, no pointers")
    } else if sole == Sole::String {
        (Routine::ConvTstring, "its sole component is a string")
    } else if sole == Sole::Slice {
        (Routine::ConvTslice, "its sole component is a slice")
    } else if has_ptr {
        (Routine::ConvT, "it has pointers")
    } else {
        (Routine::ConvTnoptr, "it has no pointers")
    }
}

/// The (size, has pointers) a runtime routine asks mallocgc for.
pub fn alloc_request(routine: Routine, size: u64, arch: &Arch) -> Option<(u64, bool)> {
    match routine {
        Routine::ConvT16 | Routine::ConvT32 | Routine::ConvT64 => Some((size, false)),
        Routine::ConvTstring => Some((2 * arch.ptr_size, true)),
        Routine::ConvTslice => Some((3 * arch.ptr_size, true)),
        Routine::ConvTnoptr => Some((size, false)),
        Routine::ConvT => Some((size, true)),
        _ => None,
    }
}

fn say(reasons: &mut Vec<Reason>, rule: &'static str, text: String) {
    reasons.push(Reason { rule, text });
}

const RUNTIME_CONVT: [&str; 3] = ["runtime.convT16", "runtime.convT32", "runtime.convT64"];

/// (bytes per allocation, bytes per op as TotalAlloc counts, explanation).
pub fn heap_bytes(
    size: u64,
    scan: bool,
    version: GoVersion,
    arch: &Arch,
    iterations: u64,
) -> (u64, f64, String) {
    if !scan && size < TINY_SIZE {
        let blocks = tiny_blocks(size, arch.ptr_size, iterations.max(1));
        let per_op = round2((blocks * TINY_SIZE) as f64 / iterations.max(1) as f64);
        return (
            TINY_SIZE,
            per_op,
            format!(
                "pointer-free and under {TINY_SIZE} bytes: the tiny allocator packs these {size}-byte objects into shared {TINY_SIZE}-byte blocks, {per_op} bytes per object"
            ),
        );
    }
    let min_header = arch.ptr_size * arch.ptr_size * 8;
    let header = scan && version.minor >= MALLOC_HEADER_SINCE && size > min_header;
    let need = size + if header { MALLOC_HEADER } else { 0 };
    let (class, how) = if need <= MAX_SMALL_SIZE {
        let c = SIZE_CLASSES
            .iter()
            .map(|&c| c as u64)
            .find(|&c| c >= need)
            .unwrap_or(MAX_SMALL_SIZE);
        (c, format!("size class {c}"))
    } else {
        let pages = size.div_ceil(PAGE_SIZE);
        (
            pages * PAGE_SIZE,
            format!("a large object of {pages} page(s) of {PAGE_SIZE}"),
        )
    };
    let hdr = if header {
        format!(" (+{MALLOC_HEADER}-byte malloc header, Go ≥ 1.{MALLOC_HEADER_SINCE})")
    } else {
        String::new()
    };
    (
        class,
        class as f64,
        format!("{size} bytes{hdr} round up to {how}: {class} bytes"),
    )
}

/// How many 16-byte blocks `n` back-to-back tiny allocations of `size` bytes
/// take, starting from an empty tiny block (runtime.mallocgcTiny).
pub fn tiny_blocks(size: u64, ptr_size: u64, n: u64) -> u64 {
    let align = if size & 7 == 0 || (ptr_size == 4 && size == 12) {
        8
    } else if size & 3 == 0 {
        4
    } else if size & 1 == 0 {
        2
    } else {
        1
    };
    // Objects per block, all blocks alike: a new block replaces the current
    // one whenever it has more room left, which for equal sizes is always
    // after the first object no longer fits.
    let mut per_block = 0u64;
    let mut off = 0u64;
    loop {
        off = off.div_ceil(align) * align;
        if off + size > TINY_SIZE {
            break;
        }
        off += size;
        per_block += 1;
    }
    let per_block = per_block.max(1);
    n.div_ceil(per_block)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Reads an unsigned integer of `width` bytes at offset 0 in `arch`'s byte order.
fn read_uint(image: &[u8], width: usize, arch: &Arch) -> u64 {
    let mut v = 0u64;
    for i in 0..width.min(image.len()).min(8) {
        let b = if arch.big_endian {
            image[i]
        } else {
            image[width - 1 - i]
        };
        v = (v << 8) | b as u64;
    }
    v
}

/// The length word of a string laid out at offset 0 (its sole component).
fn string_len(image: &[u8], arch: &Arch) -> u64 {
    let p = arch.ptr_size as usize;
    if image.len() < 2 * p {
        return 0;
    }
    read_uint(&image[p..], p, arch)
}

/// The value and source a `matrix` scenario stores, for predicting it;
/// `explicit` is a row's own value (`explain`), used where the scenario
/// stores the row's value.
pub fn scenario_input(ty: &Type, s: Scenario, explicit: Option<&Value>) -> Option<(Value, Source)> {
    let own = |fallback: Value| explicit.cloned().unwrap_or(fallback);
    Some(match s {
        Scenario::Zero => (Value::Zero, Source::Var),
        Scenario::Nonzero => (own(value::representative(ty, None)), Source::Var),
        Scenario::Small => (value::representative(ty, Some(7)), Source::Var),
        Scenario::V256 => (value::representative(ty, Some(256)), Source::Var),
        Scenario::Const => (own(const_value(ty)?), Source::Const),
        Scenario::ZeroLit => (Value::Zero, Source::Literal),
        Scenario::Literal => (own(Value::Zero), Source::Literal),
        Scenario::Local => (own(value::representative(ty, None)), Source::Local),
        Scenario::Copy | Scenario::CopyZero => return None,
    })
}

/// The scenario that stores a row's own value by `source`.
pub fn scenario_for(source: Source) -> Scenario {
    match source {
        Source::Var => Scenario::Nonzero,
        Source::Const => Scenario::Const,
        Source::Literal => Scenario::Literal,
        Source::Local => Scenario::Local,
    }
}

/// The constant `matrix` stores for the `const` scenario.
pub fn const_value(ty: &Type) -> Option<Value> {
    Some(match ty.basic()? {
        Basic::Bool => Value::Bool(true),
        Basic::Int8 | Basic::Uint8 => Value::Int(100),
        b if b.is_integer() => Value::Int(1000),
        Basic::Float32 => Value::Float((1000.5f32).to_bits() as u64),
        Basic::Float64 => Value::Float(1000.5f64.to_bits()),
        Basic::Complex64 => Value::Complex((1000f32).to_bits() as u64, (1f32).to_bits() as u64),
        Basic::Complex128 => Value::Complex(1000f64.to_bits(), 1f64.to_bits()),
        Basic::String => Value::Str(b"ifacealloc".to_vec()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gotype::{self, Defs};

    fn go(minor: u32) -> GoVersion {
        GoVersion {
            major: 1,
            minor,
            patch: 0,
        }
    }

    /// A version given by the user is the whole text: no list, no tail.
    #[test]
    fn go_versions_are_read_whole() {
        for ok in ["1.24", "go1.24.3", "1.26rc1", "1.26beta2", " 1.25 "] {
            assert!(go_version(ok).is_some(), "{ok}");
        }
        for bad in [
            "1.25,1.26",
            "1.25x",
            "1.25.3.4",
            "1.26rc",
            "2.1",
            "1.20",
            "1",
            "",
        ] {
            assert!(go_version(bad).is_none(), "{bad}");
        }
    }

    fn p(ty: &str, v: &str, src: Source) -> Prediction {
        let t = gotype::parse(ty, &Defs::new()).unwrap();
        let val = value::parse(v, &t, &Arch::by_name("amd64").unwrap()).unwrap();
        predict(
            &t,
            &val,
            src,
            go(26),
            &Arch::by_name("amd64").unwrap(),
            16384,
        )
        .unwrap()
    }

    #[test]
    fn float32_three_allocates() {
        let r = p("float32", "3", Source::Var);
        assert_eq!((r.routine, r.allocs, r.bytes), (Routine::ConvT32, 1, 4.0));
        let r = p("float32", "bits:0xff", Source::Var);
        assert_eq!(r.allocs, 0);
        // Go reads the decimal exactly and rounds once: float32 bits 0xff.
        let r = p("float32", "3.5803175763499076e-43", Source::Var);
        assert_eq!(r.allocs, 0);
        // -0.0 in Go source is the constant 0; bits: spells negative zero.
        let r = p("float64", "-0.0", Source::Var);
        assert_eq!(r.allocs, 0);
        let r = p("float64", "bits:0x8000000000000000", Source::Var);
        assert_eq!(r.allocs, 1);
        let r = p("int64", "0377", Source::Var);
        assert_eq!(r.allocs, 0);
    }

    #[test]
    fn tiny_and_size_classes() {
        assert_eq!(p("[3]byte", "{1, 2, 3}", Source::Var).bytes, 3.2);
        assert_eq!(p("[7]byte", "zero", Source::Var).bytes, 8.0);
        assert_eq!(p("[100]byte", "zero", Source::Var).bytes, 112.0);
        assert_eq!(
            p("struct{ a int32; b int64 }", "{1, 2}", Source::Var).bytes,
            16.0
        );
        assert_eq!(p("string", "\"x\"", Source::Var).bytes, 16.0);
        assert_eq!(p("string", "\"\"", Source::Var).allocs, 0);
        assert_eq!(p("[]int", "nil", Source::Var).allocs, 0);
        assert_eq!(p("[]int", "{}", Source::Var).bytes, 24.0);
        // 1000 bytes with pointers + 8-byte header = 1008 → 1024; 1020 + 8 → 1152.
        assert_eq!(
            p("struct{ p *int; a [1012]byte }", "zero", Source::Var).bytes,
            1152.0
        );
    }

    #[test]
    fn sources_and_versions() {
        assert_eq!(p("int64", "1000", Source::Const).routine, Routine::Readonly);
        assert_eq!(
            p("struct{ a int64 }", "zero", Source::Literal).routine,
            Routine::ZeroVal
        );
        assert_eq!(
            p("struct{ a int64 }", "{5}", Source::Literal).routine,
            Routine::Readonly
        );
        assert_eq!(
            p("[2000]byte", "zero", Source::Literal).routine,
            Routine::Readonly
        );
        assert_eq!(
            p("[2000]byte", "zero", Source::Local).routine,
            Routine::ConvTnoptr
        );
        assert_eq!(
            p("struct{ a int8 }", "zero", Source::Literal).routine,
            Routine::Staticuint64s
        );
        let t = gotype::parse("struct{ a int32; b int64 }", &Defs::new()).unwrap();
        let old = predict(
            &t,
            &Value::Zero,
            Source::Literal,
            go(24),
            &Arch::by_name("amd64").unwrap(),
            16384,
        )
        .unwrap();
        assert_eq!((old.routine, old.bytes), (Routine::ConvTnoptr, 16.0));
    }

    #[test]
    fn size_classes_match_this_goroot() {
        // The table is read from Go's source once; check it against the local GOROOT.
        let root = std::process::Command::new("go")
            .args(["env", "GOROOT"])
            .output();
        let Ok(root) = root else { return };
        let root = String::from_utf8_lossy(&root.stdout).trim().to_string();
        let candidates = [
            format!("{root}/src/internal/runtime/gc/sizeclasses.go"),
            format!("{root}/src/runtime/sizeclasses.go"),
        ];
        let text = candidates
            .iter()
            .find_map(|p| std::fs::read_to_string(p).ok())
            .expect("sizeclasses.go");
        let line = text
            .lines()
            .find(|l| l.contains("SizeClassToSize = [") || l.contains("class_to_size = ["))
            .unwrap();
        let nums: Vec<u32> = line[line.find('{').unwrap() + 1..line.find('}').unwrap()]
            .split(',')
            .map(|x| x.trim().parse().unwrap())
            .collect();
        assert_eq!(nums, SIZE_CLASSES.to_vec());
    }
}
