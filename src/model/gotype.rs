//! Go type expressions: a parser, a canonical printer and the memory layout the
//! compiler gives each type on a GOARCH (size, alignment, pointer bytes).
//!
//! Nothing a user types ever reaches generated Go code as text: it is parsed into
//! [`Type`] here and printed back by [`Type::go_syntax`], so only well-formed type
//! syntax can come out. The layout rules follow `cmd/compile/internal/types/size.go`.

use crate::model::ParseErrorKind;
use std::collections::BTreeMap;
use std::fmt;

pub use crate::model::basic::{go_quote, go_quote_bytes, Arch, Basic};

/// Deepest nesting accepted; deeper input is rejected rather than risking the stack.
const MAX_DEPTH: usize = 64;
/// Longest type expression accepted, in bytes.
pub const MAX_LEN: usize = 4096;
/// Limits on a type once its named types are expanded: chains of `--define`s
/// can nest or multiply far beyond what one expression can spell.
const MAX_RESOLVED_DEPTH: usize = 100;
const MAX_RESOLVED_NODES: usize = 100_000;
/// Largest array length accepted (keeps sizes far from u64 overflow).
const MAX_ARRAY_LEN: u64 = 1 << 32;

/// Channel direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChanDir {
    Both,
    Send,
    Recv,
}

/// One struct field. `name` is `None` for an embedded field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: Option<String>,
    pub ty: Type,
    pub tag: Option<String>,
}

impl Field {
    /// The name the field is selected by (an embedded field's type name), or
    /// `None` for blank fields, which cannot be selected.
    pub fn selector(&self) -> Option<String> {
        match &self.name {
            Some(n) if n == "_" => None,
            Some(n) => Some(n.clone()),
            None => match &self.ty {
                Type::Named(n, _) => Some(n.name.clone()),
                // An embedded predeclared type (`struct{ int; *string }`) is
                // selected by its name.
                Type::Basic(b) if *b != Basic::UnsafePointer => Some(b.name().to_string()),
                Type::Pointer(e) => match &**e {
                    Type::Named(n, _) => Some(n.name.clone()),
                    Type::Basic(b) if *b != Basic::UnsafePointer => Some(b.name().to_string()),
                    _ => None,
                },
                _ => None,
            },
        }
    }
}

/// An interface method: name and signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Method {
    pub name: String,
    pub params: Vec<Type>,
    pub results: Vec<Type>,
    pub variadic: bool,
}

/// The package a named type is declared in, when it is not one of the user's
/// own definitions (`--define`, `--from`): its import path and package name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Package {
    pub path: String,
    pub name: String,
    /// The root folder of the module that provides it (not the standard
    /// library): generated code that spells its types builds in a workspace
    /// with that module.
    pub module_dir: Option<String>,
}

/// A defined type's name: where it is declared, what it is called, and the
/// type arguments of a generic instantiation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypeName {
    /// `None` for the user's own types, which generated code declares again.
    pub pkg: Option<Package>,
    pub name: String,
    pub args: Vec<Type>,
}

impl TypeName {
    /// A type the user declared, without type arguments.
    pub fn local(name: &str) -> TypeName {
        TypeName {
            pkg: None,
            name: name.to_string(),
            args: Vec::new(),
        }
    }

    /// Whether this is `error`, the one predeclared named type that is not basic.
    pub fn is_predeclared(&self) -> bool {
        self.pkg.is_none() && self.args.is_empty() && self.name == "error"
    }

    /// Whether this names a type of another package (one generated code imports).
    pub fn is_foreign(&self) -> bool {
        self.pkg.is_some()
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, code: bool) -> fmt::Result {
        if code && self.pkg.is_none() && !self.args.is_empty() {
            // Generated code declares a local instantiation as a plain type
            // under a name made of the instantiation's letters and digits.
            return f.write_str(&self.code_ident());
        }
        if let Some(p) = &self.pkg {
            write!(f, "{}.", p.name)?;
        }
        f.write_str(&self.name)?;
        if !self.args.is_empty() {
            f.write_str("[")?;
            for (i, a) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                a.write(f, code)?;
            }
            f.write_str("]")?;
        }
        Ok(())
    }

    /// `Box[int]` → `Box_int`, `Pair[string, *T]` → `Pair_string_T`: an
    /// identifier for a local instantiation in generated code.
    fn code_ident(&self) -> String {
        let mut out = String::new();
        for c in self.to_string().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('_') {
                out.push('_');
            }
        }
        out.trim_end_matches('_').to_string()
    }
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

/// A Go type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Basic(Basic),
    Pointer(Box<Type>),
    Slice(Box<Type>),
    Array(u64, Box<Type>),
    Map(Box<Type>, Box<Type>),
    Chan(ChanDir, Box<Type>),
    Func {
        params: Vec<Type>,
        results: Vec<Type>,
        variadic: bool,
    },
    Struct(Vec<Field>),
    /// An interface with its methods (empty for `any` / `interface{}`).
    Interface(Vec<Method>),
    /// A defined type: its name and underlying type.
    Named(TypeName, Box<Type>),
    /// A recursive type's reference to itself: the [`Type::Named`] of this
    /// name that encloses it (always behind a pointer, slice, map, channel or
    /// function, as Go requires).
    Ref(TypeName),
}

/// The memory layout of a type on one architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Layout {
    pub size: u64,
    pub align: u64,
    /// Bytes from the start that may hold pointers (the compiler's `PtrDataSize`).
    pub ptr_bytes: u64,
}

/// A parse failure: where and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {pos}: {msg}")]
pub struct ParseError {
    pub pos: usize,
    pub msg: String,
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub fn invalid(pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError {
            pos,
            msg: msg.into(),
            kind: ParseErrorKind::Invalid,
        }
    }

    pub fn past_limit(pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError {
            pos,
            msg: msg.into(),
            kind: ParseErrorKind::PastLimit,
        }
    }

    pub fn is_past_limit(&self) -> bool {
        self.kind == ParseErrorKind::PastLimit
    }
}

/// Named types the parser may refer to: name → underlying type.
pub type Defs = BTreeMap<String, Type>;

impl Type {
    /// The predeclared `error`: `interface{ Error() string }`.
    pub fn error() -> Type {
        Type::Named(
            TypeName::local("error"),
            Box::new(Type::Interface(vec![Method {
                name: "Error".into(),
                params: Vec::new(),
                results: vec![Type::Basic(Basic::String)],
                variadic: false,
            }])),
        )
    }

    /// The type with every named layer removed.
    pub fn underlying(&self) -> &Type {
        match self {
            Type::Named(_, u) => u.underlying(),
            t => t,
        }
    }

    /// The basic kind of the underlying type, if it is basic.
    pub fn basic(&self) -> Option<Basic> {
        match self.underlying() {
            Type::Basic(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_interface(&self) -> bool {
        matches!(self.underlying(), Type::Interface(_))
    }

    /// The compiler's `SoleComponent`: the only non-struct, non-array component
    /// of a type made of single-field structs and single-element arrays.
    pub fn sole_component(&self) -> Option<&Type> {
        match self.underlying() {
            Type::Struct(fields) if fields.len() == 1 => fields[0].ty.sole_component(),
            Type::Struct(_) => None,
            Type::Array(1, elem) => elem.sole_component(),
            Type::Array(_, _) => None,
            _ => Some(self),
        }
    }

    /// Size, alignment and pointer bytes on `arch`.
    pub fn layout(&self, arch: &Arch) -> Layout {
        let p = arch.ptr_size;
        let word = |size, ptr_bytes| Layout {
            size,
            align: p,
            ptr_bytes,
        };
        match self {
            Type::Named(_, u) => u.layout(arch),
            // Only ever behind a pointer-shaped type, whose layout is fixed;
            // construction rejects a reference anywhere else.
            Type::Ref(_) => Layout {
                size: 0,
                align: 1,
                ptr_bytes: 0,
            },
            Type::Basic(b) => {
                let (size, align, ptr) = match b {
                    Basic::Bool | Basic::Int8 | Basic::Uint8 => (1, 1, 0),
                    Basic::Int16 | Basic::Uint16 => (2, 2, 0),
                    Basic::Int32 | Basic::Uint32 | Basic::Float32 => (4, 4, 0),
                    Basic::Int64 | Basic::Uint64 | Basic::Float64 => (8, arch.reg_size, 0),
                    Basic::Complex64 => (8, 4, 0),
                    Basic::Complex128 => (16, arch.reg_size, 0),
                    Basic::Int | Basic::Uint | Basic::Uintptr => (p, p, 0),
                    Basic::String => (2 * p, p, p),
                    Basic::UnsafePointer => (p, p, p),
                };
                Layout {
                    size,
                    align,
                    ptr_bytes: ptr,
                }
            }
            Type::Pointer(_) | Type::Map(_, _) | Type::Chan(_, _) | Type::Func { .. } => word(p, p),
            Type::Slice(_) => word(3 * p, p),
            Type::Interface(_) => word(2 * p, 2 * p),
            Type::Array(n, elem) => {
                let e = elem.layout(arch);
                let ptr_bytes = if *n == 0 || e.ptr_bytes == 0 {
                    0
                } else {
                    e.size * (n - 1) + e.ptr_bytes
                };
                Layout {
                    size: e.size.saturating_mul(*n),
                    align: e.align,
                    ptr_bytes,
                }
            }
            Type::Struct(fields) => {
                let mut offset = 0u64;
                let mut align = 1u64;
                let mut ptr_bytes = 0u64;
                let mut last_size = None;
                for f in fields {
                    let l = f.ty.layout(arch);
                    offset = round_up(offset, l.align);
                    if l.ptr_bytes > 0 {
                        ptr_bytes = offset + l.ptr_bytes;
                    }
                    offset = offset.saturating_add(l.size);
                    align = align.max(l.align);
                    last_size = Some(l.size);
                }
                // A non-empty struct ending in a zero-sized field gets a byte of
                // padding so &lastfield cannot point past the object (Go issue 9401).
                if offset > 0 && last_size == Some(0) {
                    offset += 1;
                }
                Layout {
                    size: round_up(offset, align),
                    align,
                    ptr_bytes,
                }
            }
        }
    }

    /// (nodes, depth) of the type tree. Iterative: a type from many chained
    /// definitions must not overflow the stack here.
    pub fn extent(&self) -> (usize, usize) {
        let mut nodes = 0;
        let mut deepest = 0;
        let mut stack: Vec<(&Type, usize)> = vec![(self, 1)];
        while let Some((t, d)) = stack.pop() {
            nodes += 1;
            deepest = deepest.max(d);
            match t {
                Type::Basic(_) | Type::Ref(_) => {}
                Type::Named(_, u)
                | Type::Pointer(u)
                | Type::Slice(u)
                | Type::Array(_, u)
                | Type::Chan(_, u) => stack.push((u, d + 1)),
                Type::Map(k, v) => {
                    stack.push((k, d + 1));
                    stack.push((v, d + 1));
                }
                Type::Func {
                    params, results, ..
                } => stack.extend(params.iter().chain(results).map(|t| (t, d + 1))),
                Type::Struct(fields) => stack.extend(fields.iter().map(|f| (&f.ty, d + 1))),
                Type::Interface(methods) => stack.extend(
                    methods
                        .iter()
                        .flat_map(|m| m.params.iter().chain(&m.results))
                        .map(|t| (t, d + 1)),
                ),
            }
        }
        (nodes, deepest)
    }

    /// Whether values of the type can be compared with `==` (map keys must).
    pub fn is_comparable(&self) -> bool {
        match self.underlying() {
            Type::Slice(_) | Type::Map(..) | Type::Func { .. } => false,
            Type::Array(_, e) => e.is_comparable(),
            Type::Struct(fields) => fields.iter().all(|f| f.ty.is_comparable()),
            _ => true,
        }
    }

    /// The rules of the Go spec a type expression can break that the parser
    /// does not see: map keys must be comparable, and field names in a struct
    /// must be unique. Returns what is wrong, as `go vet` would say it.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Type::Named(_, u) => u.validate(),
            Type::Basic(_) | Type::Ref(_) => Ok(()),
            Type::Pointer(e) | Type::Slice(e) | Type::Array(_, e) | Type::Chan(_, e) => {
                e.validate()
            }
            Type::Map(k, v) => {
                if !k.is_comparable() {
                    return Err(format!(
                        "invalid map key type {k}: map keys must be comparable (not a slice, map or func, nor a struct or array holding one)"
                    ));
                }
                k.validate()?;
                v.validate()
            }
            Type::Func {
                params, results, ..
            } => params.iter().chain(results).try_for_each(Type::validate),
            Type::Struct(fields) => {
                let mut seen = std::collections::HashSet::new();
                for f in fields {
                    if let Some(name) = f.selector() {
                        if !seen.insert(name.clone()) {
                            return Err(format!(
                                "{name} redeclared: duplicate field {name} in {self}"
                            ));
                        }
                    }
                    f.ty.validate()?;
                }
                Ok(())
            }
            Type::Interface(methods) => methods
                .iter()
                .flat_map(|m| m.params.iter().chain(&m.results))
                .try_for_each(Type::validate),
        }
    }

    /// Byte offsets of a struct's fields on `arch` (empty for other types),
    /// by the same alignment rule as [`Type::layout`].
    pub fn field_offsets(&self, arch: &Arch) -> Vec<u64> {
        let Type::Struct(fields) = self.underlying() else {
            return Vec::new();
        };
        let mut off = 0u64;
        fields
            .iter()
            .map(|f| {
                let l = f.ty.layout(arch);
                off = round_up(off, l.align);
                let at = off;
                off = off.saturating_add(l.size);
                at
            })
            .collect()
    }

    /// How many of the first `width` bytes of a value of this type no field
    /// covers, at any depth (gaps between fields, after the last one, in
    /// array elements). Blank fields cover their bytes: go copies them.
    pub fn padding_within(&self, arch: &Arch, width: u64) -> u64 {
        let mut covered = vec![false; width as usize];
        self.cover(arch, 0, &mut covered);
        covered.iter().filter(|&&c| !c).count() as u64
    }

    fn cover(&self, arch: &Arch, off: u64, covered: &mut [bool]) {
        let end = covered.len() as u64;
        match self.underlying() {
            Type::Struct(fields) => {
                for (f, at) in fields.iter().zip(self.field_offsets(arch)) {
                    f.ty.cover(arch, off.saturating_add(at), covered);
                }
            }
            Type::Array(n, elem) => {
                let size = elem.layout(arch).size;
                for i in 0..*n {
                    let at = off.saturating_add(i.saturating_mul(size));
                    if size == 0 || at >= end {
                        break;
                    }
                    elem.cover(arch, at, covered);
                }
            }
            _ => {
                let to = off.saturating_add(self.layout(arch).size).min(end);
                for b in off.min(end)..to {
                    covered[b as usize] = true;
                }
            }
        }
    }

    /// Whether the compiler's SSA backend keeps a value of this type in
    /// registers, field by field (`cmd/compile/internal/ssa.CanSSA`; before
    /// Go 1.26 `ssagen.TypeOK`): then a copy stores each field and never its
    /// padding. `size0` is Go ≥ 1.26's rule that every zero-sized type is.
    pub fn can_ssa(&self, arch: &Arch, size0: bool) -> bool {
        let l = self.layout(arch);
        if size0 && l.size == 0 {
            return true;
        }
        if l.size > 4 * arch.ptr_size {
            return false;
        }
        match self.underlying() {
            Type::Array(n, elem) => *n <= 1 && elem.can_ssa(arch, size0),
            Type::Struct(fields) => {
                fields.len() <= 4 && fields.iter().all(|f| f.ty.can_ssa(arch, size0))
            }
            _ => true,
        }
    }

    pub fn has_pointers(&self, arch: &Arch) -> bool {
        self.layout(arch).ptr_bytes > 0
    }

    /// Canonical Go syntax, as gofmt would print it.
    pub fn go_syntax(&self) -> String {
        self.to_string()
    }

    /// The type as generated code spells it: like [`Type::go_syntax`], but a
    /// local generic instantiation (`Box[int]`) by the plain name its
    /// declaration in generated code has (`Box_int`).
    pub fn go_code(&self) -> String {
        struct Code<'a>(&'a Type);
        impl fmt::Display for Code<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write(f, true)
            }
        }
        Code(self).to_string()
    }

    /// Whether the type is, or holds, a type of another package.
    pub fn has_foreign(&self) -> bool {
        !self.imports().is_empty()
    }

    /// The packages whose names generated code spells to write this type
    /// (and the local types it declares), without duplicates.
    pub fn imports(&self) -> Vec<Package> {
        let mut out = Vec::new();
        self.collect_imports(&mut out);
        out
    }

    fn collect_imports(&self, out: &mut Vec<Package>) {
        self.for_each_child(&mut |t| match t {
            Type::Named(n, u) => {
                if let Some(p) = &n.pkg {
                    if !out.contains(p) {
                        out.push(p.clone());
                    }
                }
                n.args.iter().for_each(|a| a.collect_imports(out));
                // A local type's declaration spells its underlying type.
                if n.pkg.is_none() {
                    u.collect_imports(out);
                }
                false
            }
            _ => true,
        });
    }

    /// Calls `visit` on this type and, while it returns true, on the types
    /// it is written with (elements, fields, parameters, named types'
    /// underlying types).
    fn for_each_child(&self, visit: &mut dyn FnMut(&Type) -> bool) {
        if !visit(self) {
            return;
        }
        match self {
            Type::Basic(_) | Type::Ref(_) => {}
            Type::Named(_, u)
            | Type::Pointer(u)
            | Type::Slice(u)
            | Type::Array(_, u)
            | Type::Chan(_, u) => u.for_each_child(visit),
            Type::Map(k, v) => {
                k.for_each_child(visit);
                v.for_each_child(visit);
            }
            Type::Func {
                params, results, ..
            } => params
                .iter()
                .chain(results)
                .for_each(|t| t.for_each_child(visit)),
            Type::Struct(fields) => fields.iter().for_each(|f| f.ty.for_each_child(visit)),
            Type::Interface(methods) => methods.iter().for_each(|m| {
                m.params
                    .iter()
                    .chain(&m.results)
                    .for_each(|t| t.for_each_child(visit))
            }),
        }
    }

    /// The user's named types this type mentions, as generated code declares
    /// them (name, underlying type), outermost first, without duplicates.
    /// Other packages' types are imported, not declared.
    pub fn named_types(&self) -> Vec<(String, Type)> {
        let mut out: Vec<(String, Type)> = Vec::new();
        self.collect_named(&mut out);
        out
    }

    fn collect_named(&self, out: &mut Vec<(String, Type)>) {
        match self {
            Type::Named(n, u) => {
                n.args.iter().for_each(|a| a.collect_named(out));
                if n.pkg.is_some() || n.is_predeclared() {
                    return;
                }
                let code = Type::Named(n.clone(), u.clone()).go_code();
                if !out.iter().any(|(m, _)| *m == code) {
                    out.push((code, (**u).clone()));
                }
                u.collect_named(out);
            }
            Type::Basic(_) | Type::Ref(_) => {}
            Type::Pointer(e) | Type::Slice(e) | Type::Array(_, e) | Type::Chan(_, e) => {
                e.collect_named(out)
            }
            Type::Map(k, v) => {
                k.collect_named(out);
                v.collect_named(out);
            }
            Type::Func {
                params, results, ..
            } => params
                .iter()
                .chain(results)
                .for_each(|t| t.collect_named(out)),
            Type::Struct(fields) => fields.iter().for_each(|f| f.ty.collect_named(out)),
            Type::Interface(methods) => methods.iter().for_each(|m| {
                m.params
                    .iter()
                    .chain(&m.results)
                    .for_each(|t| t.collect_named(out))
            }),
        }
    }
}

fn round_up(x: u64, align: u64) -> u64 {
    if align <= 1 {
        x
    } else {
        x.div_ceil(align).saturating_mul(align)
    }
}

fn write_signature(
    f: &mut fmt::Formatter<'_>,
    params: &[Type],
    results: &[Type],
    variadic: bool,
    code: bool,
) -> fmt::Result {
    f.write_str("(")?;
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        if variadic && i + 1 == params.len() {
            f.write_str("...")?;
            match p {
                Type::Slice(e) => e.write(f, code)?,
                other => other.write(f, code)?,
            }
        } else {
            p.write(f, code)?;
        }
    }
    f.write_str(")")?;
    match results.len() {
        0 => Ok(()),
        1 if !matches!(results[0], Type::Func { .. }) => {
            f.write_str(" ")?;
            results[0].write(f, code)
        }
        _ => {
            f.write_str(" (")?;
            for (i, r) in results.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                r.write(f, code)?;
            }
            f.write_str(")")
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

impl Type {
    /// Prints the type; `code` spells names as generated code declares them.
    fn write(&self, f: &mut fmt::Formatter<'_>, code: bool) -> fmt::Result {
        match self {
            Type::Basic(b) => f.write_str(b.name()),
            Type::Named(n, _) | Type::Ref(n) => n.write(f, code),
            Type::Pointer(e) => {
                f.write_str("*")?;
                e.write(f, code)
            }
            Type::Slice(e) => {
                f.write_str("[]")?;
                e.write(f, code)
            }
            Type::Array(n, e) => {
                write!(f, "[{n}]")?;
                e.write(f, code)
            }
            Type::Map(k, v) => {
                f.write_str("map[")?;
                k.write(f, code)?;
                f.write_str("]")?;
                v.write(f, code)
            }
            Type::Chan(dir, e) => {
                // `chan (<-chan int)` needs parentheses to keep its meaning.
                let paren = *dir == ChanDir::Both && matches!(**e, Type::Chan(ChanDir::Recv, _));
                match dir {
                    ChanDir::Both => f.write_str("chan ")?,
                    ChanDir::Send => f.write_str("chan<- ")?,
                    ChanDir::Recv => f.write_str("<-chan ")?,
                }
                if paren {
                    f.write_str("(")?;
                    e.write(f, code)?;
                    f.write_str(")")
                } else {
                    e.write(f, code)
                }
            }
            Type::Func {
                params,
                results,
                variadic,
            } => {
                f.write_str("func")?;
                write_signature(f, params, results, *variadic, code)
            }
            Type::Struct(fields) if fields.is_empty() => f.write_str("struct{}"),
            Type::Struct(fields) => {
                f.write_str("struct{ ")?;
                for (i, fl) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    if let Some(n) = &fl.name {
                        write!(f, "{n} ")?;
                    }
                    fl.ty.write(f, code)?;
                    if let Some(tag) = &fl.tag {
                        write!(f, " {}", go_quote(tag))?;
                    }
                }
                f.write_str(" }")
            }
            Type::Interface(methods) if methods.is_empty() => f.write_str("any"),
            Type::Interface(methods) => {
                f.write_str("interface{ ")?;
                for (i, m) in methods.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    f.write_str(&m.name)?;
                    write_signature(f, &m.params, &m.results, m.variadic, code)?;
                }
                f.write_str(" }")
            }
        }
    }
}

/// Go keywords, which can never be identifiers.
const KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

/// Whether `s` is a valid, non-keyword ASCII Go identifier.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !KEYWORDS.contains(&s)
}

/// Parses a Go type expression. Names other than predeclared types must be in `defs`.
pub fn parse(src: &str, defs: &Defs) -> Result<Type, ParseError> {
    if src.len() > MAX_LEN {
        return Err(ParseError::past_limit(
            MAX_LEN,
            format!(
                "type expression is {} bytes long; the limit is {MAX_LEN}",
                src.len()
            ),
        ));
    }
    let mut p = Parser {
        src: src.as_bytes(),
        pos: 0,
        defs,
        depth: 0,
        nodes: 0,
        expanded: std::collections::HashMap::new(),
    };
    let t = p.parse_type()?;
    p.skip_space();
    if p.pos != p.src.len() {
        return Err(p.err("end of type expression"));
    }
    Ok(t)
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    defs: &'a Defs,
    depth: usize,
    /// Type nodes so far, named types counted expanded.
    nodes: usize,
    /// (nodes, depth) of each named type met, computed once per parse.
    expanded: std::collections::HashMap<String, (usize, usize)>,
}

impl Parser<'_> {
    fn err(&self, expected: &str) -> ParseError {
        let found = match self.src.get(self.pos) {
            None => "end of input".to_string(),
            Some(_) => {
                let rest = String::from_utf8_lossy(&self.src[self.pos..]);
                let tok: String = rest.chars().take(12).collect();
                format!("{tok:?}")
            }
        };
        ParseError::invalid(self.pos, format!("expected {expected}, found {found}"))
    }

    /// Skips spaces and tabs only: newlines, comments and anything else are not
    /// part of the accepted syntax.
    fn skip_space(&mut self) {
        while matches!(self.src.get(self.pos), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.src.get(self.pos).copied()
    }

    fn eat(&mut self, s: &str) -> bool {
        self.skip_space();
        if self.src[self.pos..].starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), ParseError> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(self.err(&format!("{s:?}")))
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_space();
        let start = self.pos;
        while let Some(&c) = self.src.get(self.pos) {
            if c == b'_' || c.is_ascii_alphanumeric() {
                self.pos += 1;
            } else {
                break;
            }
        }
        if start == self.pos || self.src[start].is_ascii_digit() {
            self.pos = start;
            return None;
        }
        Some(String::from_utf8_lossy(&self.src[start..self.pos]).into_owned())
    }

    /// Peeks at the identifier at the cursor without consuming it.
    fn peek_ident(&mut self) -> Option<String> {
        let save = self.pos;
        let id = self.ident();
        self.pos = save;
        id
    }

    fn parse_type(&mut self) -> Result<Type, ParseError> {
        self.depth += 1;
        self.nodes += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::past_limit(
                self.pos,
                format!("type nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let t = self.parse_type_inner();
        self.depth -= 1;
        t
    }

    fn parse_type_inner(&mut self) -> Result<Type, ParseError> {
        match self.peek() {
            Some(b'*') => {
                self.pos += 1;
                Ok(Type::Pointer(Box::new(self.parse_type()?)))
            }
            Some(b'(') => {
                self.pos += 1;
                let t = self.parse_type()?;
                self.expect(")")?;
                Ok(t)
            }
            Some(b'[') => {
                self.pos += 1;
                if self.eat("]") {
                    return Ok(Type::Slice(Box::new(self.parse_type()?)));
                }
                let n = self.array_len()?;
                self.expect("]")?;
                Ok(Type::Array(n, Box::new(self.parse_type()?)))
            }
            Some(b'<') => {
                self.expect("<-")?;
                self.keyword("chan")?;
                Ok(Type::Chan(ChanDir::Recv, Box::new(self.parse_type()?)))
            }
            Some(_) => {
                let start = self.pos;
                let Some(name) = self.ident() else {
                    return Err(self.err("a type"));
                };
                match name.as_str() {
                    "map" => {
                        self.expect("[")?;
                        let k = self.parse_type()?;
                        self.expect("]")?;
                        let v = self.parse_type()?;
                        Ok(Type::Map(Box::new(k), Box::new(v)))
                    }
                    "chan" => {
                        let dir = if self.eat("<-") {
                            ChanDir::Send
                        } else {
                            ChanDir::Both
                        };
                        Ok(Type::Chan(dir, Box::new(self.parse_type()?)))
                    }
                    "func" => {
                        let (params, results, variadic) = self.signature()?;
                        Ok(Type::Func {
                            params,
                            results,
                            variadic,
                        })
                    }
                    "struct" => self.struct_body(),
                    "interface" => self.interface_body(),
                    "any" => Ok(Type::Interface(Vec::new())),
                    "unsafe" => {
                        self.expect(".")?;
                        match self.ident().as_deref() {
                            Some("Pointer") => Ok(Type::Basic(Basic::UnsafePointer)),
                            _ => Err(self.err("Pointer after \"unsafe.\"")),
                        }
                    }
                    _ => {
                        if let Some(b) = Basic::from_name(&name) {
                            return Ok(Type::Basic(b));
                        }
                        if name == "error" {
                            return Ok(Type::error());
                        }
                        if let Some(u) = self.defs.get(&name) {
                            let (nodes, depth) = *self
                                .expanded
                                .entry(name.clone())
                                .or_insert_with(|| u.extent());
                            self.nodes += nodes;
                            if self.depth + depth > MAX_RESOLVED_DEPTH {
                                return Err(ParseError::past_limit(start, format!(
                                        "{name} makes the type nest deeper than {MAX_RESOLVED_DEPTH} levels once named types are expanded"
                                    )));
                            }
                            if self.nodes > MAX_RESOLVED_NODES {
                                return Err(ParseError::past_limit(start, format!(
                                        "{name} makes the type larger than {MAX_RESOLVED_NODES} parts once named types are expanded"
                                    )));
                            }
                            return Ok(match u {
                                // The definition being read, met inside itself.
                                Type::Ref(n) if n.name == name => Type::Ref(n.clone()),
                                _ => Type::Named(TypeName::local(&name), Box::new(u.clone())),
                            });
                        }
                        // `pkg.Name`: another package's type, which no
                        // --define of `pkg` could supply.
                        let after = &self.src[self.pos.min(self.src.len())..];
                        let selector: String = after
                            .strip_prefix(b".")
                            .map(|rest| {
                                rest.iter()
                                    .take_while(|&&c| c == b'_' || c.is_ascii_alphanumeric())
                                    .map(|&c| c as char)
                                    .collect()
                            })
                            .unwrap_or_default();
                        self.pos = start;
                        let msg = if is_identifier(&selector) {
                            format!(
                                "{name}.{selector} is a type from package {name}, which is not read here; define it under a plain name (--define '{selector}=TYPE') and write {selector}"
                            )
                        } else {
                            format!(
                                "unknown type name {name:?}: define it with --define '{name}=TYPE'"
                            )
                        };
                        Err(ParseError::invalid(start, msg))
                    }
                }
            }
            None => Err(self.err("a type")),
        }
    }

    fn keyword(&mut self, kw: &str) -> Result<(), ParseError> {
        let save = self.pos;
        match self.ident() {
            Some(id) if id == kw => Ok(()),
            _ => {
                self.pos = save;
                Err(self.err(&format!("{kw:?}")))
            }
        }
    }

    /// An array length: any constant expression Go accepts there (`2*3`,
    /// `0x10`, `1<<4`), evaluated as the compiler does.
    fn array_len(&mut self) -> Result<u64, ParseError> {
        self.skip_space();
        let start = self.pos;
        let (n, end) =
            crate::model::constant::eval_array_len(self.src, self.pos).map_err(|e| ParseError {
                pos: e.pos,
                msg: e.msg,
                kind: e.kind,
            })?;
        if n > MAX_ARRAY_LEN {
            return Err(ParseError::past_limit(
                start,
                format!("array length must be at most {MAX_ARRAY_LEN}"),
            ));
        }
        self.pos = end;
        Ok(n)
    }

    fn struct_body(&mut self) -> Result<Type, ParseError> {
        self.expect("{")?;
        let mut fields = Vec::new();
        loop {
            while self.eat(";") {}
            if self.eat("}") {
                return Ok(Type::Struct(fields));
            }
            fields.extend(self.field_decl()?);
            if !self.eat(";") {
                self.expect("}")?;
                return Ok(Type::Struct(fields));
            }
        }
    }

    /// `a, b T`, `a T "tag"`, or an embedded `T` / `*T`.
    fn field_decl(&mut self) -> Result<Vec<Field>, ParseError> {
        let embedded_ptr = self.peek() == Some(b'*');
        let first = if embedded_ptr {
            None
        } else {
            self.peek_ident()
        };
        let is_named_list = match &first {
            Some(id) => {
                let save = self.pos;
                self.ident();
                let next = self.peek();
                // A field name is followed by ',' or by a type; an embedded type
                // is followed by ';', '}', a tag, or '.' (qualified name).
                let named = !matches!(next, Some(b';' | b'}' | b'"' | b'`' | b'.') | None);
                self.pos = save;
                named && is_identifier(id)
            }
            None => false,
        };
        let mut fields = Vec::new();
        if is_named_list {
            let mut names = Vec::new();
            loop {
                match self.ident() {
                    Some(n) if is_identifier(&n) => names.push(n),
                    _ => return Err(self.err("a field name")),
                }
                if !self.eat(",") {
                    break;
                }
            }
            let ty = self.parse_type()?;
            // An empty tag is no tag (Go's type identity compares tags as
            // strings, and "" is the absent one).
            let tag = self.tag()?.filter(|t| !t.is_empty());
            for n in names {
                fields.push(Field {
                    name: Some(n),
                    ty: ty.clone(),
                    tag: tag.clone(),
                });
            }
        } else {
            let ty = self.parse_type()?;
            let type_name = |t: &Type| match t {
                Type::Named(..) => true,
                Type::Basic(b) => *b != Basic::UnsafePointer,
                _ => false,
            };
            let ok = match &ty {
                Type::Pointer(e) => type_name(e),
                t => type_name(t),
            };
            if !ok {
                return Err(ParseError::invalid(
                    self.pos,
                    "an embedded field must be a type name or a pointer to one",
                ));
            }
            // An empty tag is no tag (Go's type identity compares tags as
            // strings, and "" is the absent one).
            let tag = self.tag()?.filter(|t| !t.is_empty());
            fields.push(Field {
                name: None,
                ty,
                tag,
            });
        }
        Ok(fields)
    }

    fn tag(&mut self) -> Result<Option<String>, ParseError> {
        match self.peek() {
            Some(b'`') => {
                self.pos += 1;
                let start = self.pos;
                while let Some(&c) = self.src.get(self.pos) {
                    if c == b'`' {
                        let s = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
                        self.pos += 1;
                        if s.contains(['\n', '\r']) {
                            return Err(ParseError::invalid(
                                start,
                                "a struct tag may not contain a line break",
                            ));
                        }
                        return Ok(Some(s));
                    }
                    self.pos += 1;
                }
                Err(self.err("closing '`' of the struct tag"))
            }
            Some(b'"') => {
                self.pos += 1;
                let mut s = String::new();
                loop {
                    match self.src.get(self.pos) {
                        None | Some(b'\n') => {
                            return Err(self.err("closing '\"' of the struct tag"))
                        }
                        Some(b'"') => {
                            self.pos += 1;
                            return Ok(Some(s));
                        }
                        Some(b'\\') => {
                            let c = self.src.get(self.pos + 1).copied();
                            let (ch, len) = match c {
                                Some(b'"') => ('"', 2),
                                Some(b'\\') => ('\\', 2),
                                Some(b'n') => ('\n', 2),
                                Some(b't') => ('\t', 2),
                                Some(b'r') => ('\r', 2),
                                // \uXXXX and \UXXXXXXXX, as go_quote prints
                                // characters outside printable ASCII.
                                Some(k @ (b'u' | b'U')) => {
                                    let digits = if k == b'u' { 4 } else { 8 };
                                    let hex = self
                                        .src
                                        .get(self.pos + 2..self.pos + 2 + digits)
                                        .and_then(|h| std::str::from_utf8(h).ok())
                                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                                        .and_then(char::from_u32);
                                    match hex {
                                        Some(ch) => (ch, 2 + digits),
                                        None => {
                                            self.pos += 1;
                                            return Err(self
                                                .err("a \\u or \\U escape of a valid character"));
                                        }
                                    }
                                }
                                _ => {
                                    self.pos += 1;
                                    return Err(
                                        self.err("an escape (\\\" \\\\ \\n \\t \\r \\u \\U)")
                                    );
                                }
                            };
                            s.push(ch);
                            self.pos += len;
                        }
                        Some(_) => {
                            let rest = std::str::from_utf8(&self.src[self.pos..]).unwrap_or("");
                            let ch = rest.chars().next().unwrap_or('\u{fffd}');
                            s.push(ch);
                            self.pos += ch.len_utf8().max(1);
                        }
                    }
                }
            }
            _ => Ok(None),
        }
    }

    fn interface_body(&mut self) -> Result<Type, ParseError> {
        self.expect("{")?;
        let mut methods: Vec<Method> = Vec::new();
        loop {
            while self.eat(";") {}
            if self.eat("}") {
                break;
            }
            let Some(name) = self.ident().filter(|n| is_identifier(n)) else {
                return Err(self.err("a method name"));
            };
            if self.peek() != Some(b'(') {
                return Err(
                    self.err("'(' of a method signature (embedded interfaces are not supported)")
                );
            }
            let (params, results, variadic) = self.signature()?;
            methods.push(Method {
                name,
                params,
                results,
                variadic,
            });
            if !self.eat(";") {
                self.expect("}")?;
                break;
            }
        }
        methods.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Type::Interface(methods))
    }

    /// `(params) results`, with parameter names dropped.
    fn signature(&mut self) -> Result<(Vec<Type>, Vec<Type>, bool), ParseError> {
        let (params, variadic) = self.param_list()?;
        let results = match self.peek() {
            Some(b'(') => {
                let (r, v) = self.param_list()?;
                if v {
                    return Err(self.err("results without '...'"));
                }
                r
            }
            Some(c)
                if c == b'*' || c == b'[' || c == b'<' || c.is_ascii_alphabetic() || c == b'_' =>
            {
                vec![self.parse_type()?]
            }
            _ => Vec::new(),
        };
        Ok((params, results, variadic))
    }

    fn param_list(&mut self) -> Result<(Vec<Type>, bool), ParseError> {
        self.expect("(")?;
        // Each entry: optional name, then type; Go requires all named or none, and
        // `a, b int` groups names. We parse entries as (ident?, type?) and resolve.
        let mut entries: Vec<(Option<String>, Option<Type>, bool)> = Vec::new();
        loop {
            if self.eat(")") {
                break;
            }
            let variadic = self.eat("...");
            let save = self.pos;
            let mut entry = (None, None, variadic);
            if let Some(id) = self.ident() {
                let next = self.peek();
                if matches!(next, Some(b',' | b')')) {
                    // Either a bare type name or a parameter name awaiting a type.
                    entry.0 = Some(id);
                } else if next == Some(b'.') && id == "unsafe" {
                    self.pos = save;
                    entry.1 = Some(self.parse_type()?);
                } else if is_identifier(&id)
                    && !["map", "chan", "func", "struct", "interface"].contains(&id.as_str())
                {
                    let v2 = self.eat("...");
                    entry = (Some(id), Some(self.parse_type()?), variadic || v2);
                } else {
                    self.pos = save;
                    entry.1 = Some(self.parse_type()?);
                }
            } else {
                entry.1 = Some(self.parse_type()?);
            }
            entries.push(entry);
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        let named = entries.iter().any(|(n, t, _)| n.is_some() && t.is_some());
        let mut types = Vec::new();
        let mut variadic = false;
        let mut pending = 0usize;
        for (i, (name, ty, v)) in entries.iter().enumerate() {
            if *v && i + 1 != entries.len() {
                return Err(self.err("'...' only on the final parameter"));
            }
            variadic |= *v;
            match (named, name, ty) {
                (true, Some(_), None) => pending += 1,
                (true, _, Some(t)) => {
                    for _ in 0..=pending {
                        types.push(t.clone());
                    }
                    pending = 0;
                }
                (false, Some(n), None) => {
                    let t = parse(n, self.defs).map_err(|e| ParseError {
                        pos: self.pos,
                        msg: e.msg,
                        kind: e.kind,
                    })?;
                    types.push(t);
                }
                (false, _, Some(t)) => types.push(t.clone()),
                _ => return Err(self.err("a parameter type")),
            }
        }
        if pending > 0 {
            return Err(self.err("a type for every parameter name"));
        }
        if variadic {
            if let Some(last) = types.pop() {
                types.push(Type::Slice(Box::new(last)));
            }
        }
        Ok((types, variadic))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Type {
        parse(s, &Defs::new()).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn amd64() -> Arch {
        Arch::by_name("amd64").unwrap()
    }

    /// Padding as the compiler lays types out: gaps between fields, after
    /// the last, inside array elements; blank fields are not padding.
    #[test]
    fn padding_is_what_no_field_covers() {
        let (a, i386) = (amd64(), Arch::by_name("386").unwrap());
        for (ty, arch, width, want) in [
            ("int64", &a, 8, 0),
            ("struct{ a [0]int64; b int8 }", &a, 8, 7),
            ("[1]struct{ a [0]int64; b int8 }", &a, 8, 7),
            ("struct{ a [0]int32; b int16; _ int16 }", &a, 4, 0),
            ("struct{ a int8; b int16 }", &a, 4, 1),
            ("struct{ a int32; b int16 }", &i386, 8, 2),
            ("[2]struct{ a int16; b int8 }", &a, 8, 2),
            ("[8]uint8", &a, 8, 0),
            ("struct{ a int32; b int64 }", &a, 8, 4),
        ] {
            assert_eq!(
                p(ty).padding_within(arch, width),
                want,
                "{ty} on {}",
                arch.name
            );
        }
    }

    /// ssa.CanSSA for small types: at most four fields, arrays of at most
    /// one element, all the way down; every zero-size type from Go 1.26.
    #[test]
    fn ssa_able_types_as_the_compiler_decides() {
        let a = amd64();
        for (ty, before, from_1_26) in [
            ("struct{ a [0]int64; b int8 }", true, true),
            ("struct{ a [0]int64; b, c, d, e, f int8 }", false, false),
            ("[2]int32", false, false),
            ("[1]struct{ a int8; b int16 }", true, true),
            ("struct{ a [3][0]int64; b int8 }", false, true),
            ("struct{ a, b, c, d, e struct{} }", false, true),
            ("struct{ a [5]int64 }", false, false),
        ] {
            assert_eq!(p(ty).can_ssa(&a, false), before, "{ty} before 1.26");
            assert_eq!(p(ty).can_ssa(&a, true), from_1_26, "{ty} from 1.26");
        }
    }

    #[test]
    fn round_trips_canonically() {
        for (src, want) in [
            ("int", "int"),
            ("byte", "uint8"),
            ("rune", "int32"),
            ("interface{}", "any"),
            ("struct{a int}", "struct{ a int }"),
            ("struct { a, b int32 }", "struct{ a int32; b int32 }"),
            ("struct{}", "struct{}"),
            ("map[string][]*int", "map[string][]*int"),
            ("chan<- int", "chan<- int"),
            ("<-chan int", "<-chan int"),
            (
                "func(a, b int, s ...string) (int, error_)",
                "func(int, int, ...string) (int, error_)",
            ),
            ("[8]byte", "[8]uint8"),
            ("unsafe.Pointer", "unsafe.Pointer"),
            (
                "struct{ a int `json:\"a\"` }",
                "struct{ a int \"json:\\\"a\\\"\" }",
            ),
        ] {
            let mut defs = Defs::new();
            defs.insert("error_".into(), p("interface{ Error() string }"));
            let t = parse(src, &defs).unwrap();
            assert_eq!(t.go_syntax(), want, "{src}");
            assert_eq!(parse(&t.go_syntax(), &defs).unwrap(), t);
        }
    }

    #[test]
    fn layouts_follow_the_compiler() {
        let a = amd64();
        let i386 = Arch::by_name("386").unwrap();
        assert_eq!(p("struct{ a int32; b int64 }").layout(&a).size, 16);
        assert_eq!(p("struct{ a int32; b int64 }").layout(&i386).size, 12);
        assert_eq!(p("struct{ a int64; b struct{} }").layout(&a).size, 16);
        assert_eq!(p("complex128").layout(&i386).align, 4);
        assert_eq!(p("struct{ a int64; p *int }").layout(&a).ptr_bytes, 16);
        // Pointer-shaped (the rule lives in `rules`, per Go version).
        let shaped = |t: &str| {
            let v = crate::model::goversion::GoVersion {
                major: 1,
                minor: 26,
                patch: 0,
            };
            crate::model::rules::is_pointer_shaped(
                &crate::model::rules::TypeFacts::of(&p(t), &a),
                v,
                &a,
            )
        };
        assert!(shaped("[1]*int"));
        assert!(shaped("struct{ p *int }"));
        assert!(!shaped("struct{ p *int; x int }"));
        assert!(!shaped("string"));
        assert_eq!(
            p("struct{ a int8 }").sole_component(),
            Some(&Type::Basic(Basic::Int8))
        );
    }

    #[test]
    fn rejects_injection_and_garbage() {
        for bad in [
            "int }; func init() { panic(1) }",
            "int // comment",
            "int /* c */",
            "struct{ a int\n }",
            "`int`",
            "Foo",
            "[",
            "[-1]int",
            "map[int]",
            "",
        ] {
            assert!(parse(bad, &Defs::new()).is_err(), "{bad:?} parsed");
        }
        let deep = "*".repeat(10_000) + "int";
        assert!(parse(&deep, &Defs::new()).is_err());
        let huge = "[1]".repeat(5_000_000) + "int";
        assert!(parse(&huge, &Defs::new()).is_err());
    }
}
