//! Values stored in interfaces: parsed from `--value` text against a type,
//! laid out in memory as the target GOARCH would (for the runtime's
//! small-value checks), and printed back as canonical Go expressions.
//!
//! Syntax (per type): a basic type's value is a Go constant expression, read
//! and evaluated as the compiler does ([`crate::model::constant`]): `0377`, `1<<40`,
//! `1e9`, `'a'`, `3.5803175763499076e-43` (rounded once, to the type),
//! `1+2i`, `"Go \"quoted\"\n"`, `` `raw` ``, `uint8(255)`; floats also take
//! `bits:0x40490fdb` (exact IEEE bits, the one way to say -0.0); a string
//! also takes a bare word `hello`; composites `{1, "a", {2, 3}}` for structs
//! (every field in order, blank ones too, as Go's positional literals),
//! arrays and slices; `nil` for pointers, slices, maps, chans, funcs and
//! interfaces; `new` for a non-nil pointer, `make` for a non-nil map, chan or
//! (empty) slice, `func` for a non-nil func; `zero` for the zero value of any
//! type.

use crate::model::constant::{self, Scalar};
use crate::model::gotype::{go_quote_bytes, Arch, Basic, Type};

/// Longest `--value` text accepted, in bytes.
const MAX_LEN: usize = 64 * 1024;
const MAX_DEPTH: usize = 64;

/// A parsed value, already checked against its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The zero value of the type.
    Zero,
    /// A nil pointer, slice, map, chan, func or interface.
    Nil,
    /// An integer, stored as its two's-complement bits (sign-extended).
    Int(i128),
    /// IEEE bits of a float32 (low 32 bits) or float64.
    Float(u64),
    /// IEEE bits of the real and imaginary parts.
    Complex(u64, u64),
    Bool(bool),
    /// A string's bytes (Go strings need not be UTF-8: "\xff").
    Str(Vec<u8>),
    /// Struct fields (non-blank, in order), array or slice elements.
    Composite(Vec<Value>),
    /// A non-nil pointer, map, chan or func (`new`, `make`, `func`).
    NonNil,
}

/// A value that does not fit its type, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {pos}: {msg}")]
pub struct ValueError {
    pub pos: usize,
    pub msg: String,
}

impl Value {
    /// Whether this is the type's zero value.
    pub fn is_zero(&self, ty: &Type) -> bool {
        match self {
            Value::Zero | Value::Nil => true,
            Value::Int(i) => *i == 0,
            Value::Float(b) => *b == 0,
            Value::Complex(a, b) => *a == 0 && *b == 0,
            Value::Bool(b) => !b,
            Value::Str(s) => s.is_empty(),
            Value::NonNil => false,
            Value::Composite(items) => match ty.underlying() {
                Type::Slice(_) => false,
                Type::Struct(fields) => fields
                    .iter()
                    .filter(|f| f.selector().is_some())
                    .zip(items)
                    .all(|(f, v)| v.is_zero(&f.ty)),
                Type::Array(_, e) => items.iter().all(|v| v.is_zero(e)),
                _ => false,
            },
        }
    }

    /// Whether printing this value needs `import "math"` (non-constant floats).
    pub fn needs_math(&self) -> bool {
        match self {
            Value::Float(b) => !float_is_constant(*b),
            Value::Complex(a, b) => !float_is_constant(*a) || !float_is_constant(*b),
            Value::Composite(items) => items.iter().any(Value::needs_math),
            _ => false,
        }
    }

    /// Whether the Go expression is a constant or a composite literal the
    /// compiler can lay out statically: no -0.0/NaN/Inf, nothing non-nil
    /// (new, make, func, a slice literal).
    pub fn is_constant(&self, ty: &Type) -> bool {
        match (self, ty.underlying()) {
            (Value::Float(b), _) => float_is_constant(*b),
            (Value::Complex(a, b), _) => float_is_constant(*a) && float_is_constant(*b),
            (Value::NonNil, _) => false,
            (Value::Composite(_), Type::Slice(_)) => false,
            (Value::Composite(items), Type::Array(_, e)) => items.iter().all(|v| v.is_constant(e)),
            (Value::Composite(items), Type::Struct(fields)) => fields
                .iter()
                .filter(|f| f.selector().is_some())
                .zip(items)
                .all(|(f, v)| v.is_constant(&f.ty)),
            _ => true,
        }
    }
}

/// A float whose exact value a Go constant can spell: finite and not -0.0.
fn float_is_constant(bits: u64) -> bool {
    // Stored either as f32 bits (high half zero) or f64 bits; both checks are
    // done on the f64 view after widening in `go_float`.
    let f = f64::from_bits(bits);
    let f32v = f32::from_bits(bits as u32);
    let is_f32_view = bits >> 32 == 0;
    if is_f32_view {
        f32v.is_finite() && !(f32v == 0.0 && f32v.is_sign_negative())
    } else {
        f.is_finite() && !(f == 0.0 && f.is_sign_negative())
    }
}

/// Parses `src` as a value of `ty` on `arch` (whose word size bounds `int`,
/// `uint` and `uintptr`).
pub fn parse(src: &str, ty: &Type, arch: &Arch) -> Result<Value, ValueError> {
    if src.len() > MAX_LEN {
        return Err(ValueError {
            pos: MAX_LEN,
            msg: format!("value is {} bytes long; the limit is {MAX_LEN}", src.len()),
        });
    }
    let mut p = P {
        s: src.as_bytes(),
        pos: 0,
        depth: 0,
        arch,
    };
    let v = p.value(ty)?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(p.err("end of value"));
    }
    if let Some(field) = unexported_set(ty, &v, false) {
        return Err(ValueError {
            pos: 0,
            msg: format!("{field} is an unexported field of another package's type: Go code outside that package cannot set it; give zero, or values for exported fields only"),
        });
    }
    Ok(v)
}

/// The first field a composite value sets that Go code here could not
/// name: an unexported field of another package's struct (`foreign`: inside
/// one).
fn unexported_set(ty: &Type, v: &Value, foreign: bool) -> Option<String> {
    let foreign = foreign || matches!(ty, Type::Named(n, _) if n.is_foreign());
    let Value::Composite(items) = v else {
        return None;
    };
    match ty.underlying() {
        Type::Struct(fields) => fields
            .iter()
            .filter_map(|f| f.selector().map(|s| (s, &f.ty)))
            .zip(items)
            .find_map(|((name, ft), item)| {
                let hidden = foreign && !name.starts_with(|c: char| c.is_ascii_uppercase());
                if hidden && !item.is_zero(ft) {
                    Some(format!("{name} of {ty}"))
                } else {
                    unexported_set(ft, item, foreign)
                }
            }),
        Type::Array(_, e) | Type::Slice(e) => items
            .iter()
            .find_map(|item| unexported_set(e, item, foreign)),
        _ => None,
    }
}

struct P<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
    arch: &'a Arch,
}

impl P<'_> {
    fn err(&self, expected: &str) -> ValueError {
        let found = if self.pos >= self.s.len() {
            "end of input".to_string()
        } else {
            let rest: String = String::from_utf8_lossy(&self.s[self.pos..])
                .chars()
                .take(12)
                .collect();
            format!("{rest:?}")
        };
        ValueError {
            pos: self.pos,
            msg: format!("expected {expected}, found {found}"),
        }
    }

    fn fail<T>(&self, msg: String) -> Result<T, ValueError> {
        Err(ValueError { pos: self.pos, msg })
    }

    fn ws(&mut self) {
        while matches!(self.s.get(self.pos), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, t: &str) -> bool {
        self.ws();
        if self.s[self.pos..].starts_with(t.as_bytes()) {
            self.pos += t.len();
            true
        } else {
            false
        }
    }

    /// A bare token: up to a delimiter.
    fn token(&mut self) -> &str {
        self.ws();
        let start = self.pos;
        while let Some(&c) = self.s.get(self.pos) {
            if matches!(c, b',' | b'}' | b'{' | b' ' | b'\t') {
                break;
            }
            self.pos += 1;
        }
        std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("")
    }

    fn value(&mut self, ty: &Type) -> Result<Value, ValueError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail(format!("value nests deeper than {MAX_DEPTH} levels"));
        }
        let v = self.value_inner(ty);
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self, ty: &Type) -> Result<Value, ValueError> {
        self.ws();
        let save = self.pos;
        let word = self.token().to_string();
        match word.as_str() {
            "zero" => return Ok(Value::Zero),
            "nil" => {
                return match ty.underlying() {
                    Type::Pointer(_)
                    | Type::Slice(_)
                    | Type::Map(..)
                    | Type::Chan(..)
                    | Type::Func { .. }
                    | Type::Interface(_)
                    | Type::Basic(Basic::UnsafePointer) => Ok(Value::Nil),
                    _ => {
                        self.pos = save;
                        self.fail(format!("nil is not a value of {ty}; use zero"))
                    }
                }
            }
            _ => {}
        }
        self.pos = save;
        let u = ty.underlying();
        match u {
            Type::Pointer(_) | Type::Basic(Basic::UnsafePointer) => self.keyword("new", ty),
            Type::Basic(b) => self.basic(*b, ty),
            Type::Map(..) => {
                if self.eat("{") {
                    self.ws();
                    if self.eat("}") {
                        return Ok(Value::NonNil);
                    }
                    return self.fail("only an empty map literal {} is supported".into());
                }
                self.keyword("make", ty)
            }
            Type::Chan(..) => self.keyword("make", ty),
            Type::Func { .. } => self.keyword("func", ty),
            Type::Interface(_) => self.fail(format!(
                "a field of interface type {ty} can only be nil or zero"
            )),
            Type::Struct(fields) => {
                // As in Go, a positional literal lists every field, blank ones
                // too; a blank field's value is checked, then dropped (blank
                // fields always hold zero).
                let items = self.composite(|i| fields.get(i).map(|f| &f.ty))?;
                if items.len() != fields.len() && !items.is_empty() {
                    return self.fail(format!(
                        "{ty} has {} fields (blank ones count, as in Go); give a value for each, or {{}} / zero",
                        fields.len()
                    ));
                }
                Ok(Value::Composite(
                    items
                        .into_iter()
                        .zip(fields)
                        .filter(|(_, f)| f.selector().is_some())
                        .map(|(v, _)| v)
                        .collect(),
                ))
            }
            Type::Array(n, elem) => {
                let n = *n;
                let items = self.composite(|i| (i < n as usize).then_some(&**elem))?;
                Ok(Value::Composite(items))
            }
            Type::Slice(elem) => {
                let save = self.pos;
                if self.token() == "make" {
                    // make([]T, 0): a non-nil, empty slice, as []T{} is.
                    return Ok(Value::Composite(Vec::new()));
                }
                self.pos = save;
                let items = self.composite(|_| Some(&**elem))?;
                Ok(Value::Composite(items))
            }
            Type::Named(..) => unreachable!("underlying() strips names"),
            // Only behind a pointer, slice, map, channel or func, whose
            // values never look inside.
            Type::Ref(n) => self.fail(format!("a value of {n} cannot be written here")),
        }
    }

    fn keyword(&mut self, kw: &str, ty: &Type) -> Result<Value, ValueError> {
        let save = self.pos;
        if self.token() == kw {
            Ok(Value::NonNil)
        } else {
            self.pos = save;
            Err(self.err(&format!("nil, zero or {kw} for {ty}")))
        }
    }

    fn composite<'t>(
        &mut self,
        elem: impl Fn(usize) -> Option<&'t Type>,
    ) -> Result<Vec<Value>, ValueError> {
        if !self.eat("{") {
            return Err(self.err("'{' of a composite value"));
        }
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.eat("}") {
                return Ok(items);
            }
            let Some(t) = elem(items.len()) else {
                return self.fail(format!("too many elements (more than {})", items.len()));
            };
            items.push(self.value(t)?);
            if !self.eat(",") {
                if self.eat("}") {
                    return Ok(items);
                }
                return Err(self.err("',' or '}'"));
            }
        }
    }

    fn basic(&mut self, b: Basic, ty: &Type) -> Result<Value, ValueError> {
        self.ws();
        let rest = &self.s[self.pos..];
        if matches!(b, Basic::Float32 | Basic::Float64) && rest.starts_with(b"bits:") {
            let start = self.pos;
            let tok = self.token().to_string();
            return match float_bits(&tok, b == Basic::Float32) {
                Some(bits) => Ok(Value::Float(bits)),
                None => {
                    self.pos = start;
                    Err(self.err(&format!("bits:0x... with the IEEE bits of a {ty}")))
                }
            };
        }
        if b == Basic::String && !matches!(rest.first(), Some(b'"' | b'`' | b'(')) {
            return self.bare_word();
        }
        let (scalar, end) =
            constant::eval_as(self.s, self.pos, b, self.arch).map_err(|e| ValueError {
                pos: e.pos,
                msg: e.msg,
            })?;
        self.pos = end;
        Ok(match scalar {
            Scalar::Bool(x) => Value::Bool(x),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(bits) => Value::Float(bits),
            Scalar::Complex(re, im) => Value::Complex(re, im),
            Scalar::Str(s) => Value::Str(s),
        })
    }

    /// A bare word is the string it spells: `--value hello`.
    fn bare_word(&mut self) -> Result<Value, ValueError> {
        let start = self.pos;
        let word = self.token().to_string();
        let plain = |c: char| c.is_alphanumeric() || "_-.:/@+".contains(c);
        if word.is_empty() || !word.chars().all(plain) {
            self.pos = start;
            return Err(self.err("a Go string literal (\"...\" or `...`), or a bare word"));
        }
        Ok(Value::Str(word.into_bytes()))
    }
}

/// `bits:0x...`: a float's exact IEEE bits.
fn float_bits(tok: &str, single: bool) -> Option<u64> {
    let hex = tok.strip_prefix("bits:")?;
    let h = hex.strip_prefix("0x").or_else(|| hex.strip_prefix("0X"))?;
    let v = u64::from_str_radix(&h.replace('_', ""), 16).ok()?;
    if single && v > u32::MAX as u64 {
        return None;
    }
    Some(v)
}

// ---- memory layout ----

/// The bytes `v` occupies as a value of `ty` on `arch` (pointers as a
/// non-zero word, strings and slices by their pointer/length words).
pub fn encode(ty: &Type, v: &Value, arch: &Arch) -> Vec<u8> {
    let size = ty.layout(arch).size as usize;
    let mut out = vec![0u8; size];
    write_at(&mut out, 0, ty, v, arch);
    out
}

fn put(out: &mut [u8], off: usize, width: usize, bits: u64, arch: &Arch) {
    for i in 0..width {
        let byte = ((bits >> (8 * i)) & 0xff) as u8;
        let at = if arch.big_endian {
            off + width - 1 - i
        } else {
            off + i
        };
        if let Some(slot) = out.get_mut(at) {
            *slot = byte;
        }
    }
}

fn write_at(out: &mut [u8], off: usize, ty: &Type, v: &Value, arch: &Arch) {
    if matches!(v, Value::Zero | Value::Nil) {
        return;
    }
    let p = arch.ptr_size as usize;
    match ty.underlying() {
        Type::Basic(b) => {
            let l = ty.layout(arch);
            match (b, v) {
                (_, Value::Int(i)) => put(out, off, l.size as usize, *i as u64, arch),
                (_, Value::Bool(x)) => put(out, off, 1, *x as u64, arch),
                (_, Value::Float(bits)) => put(out, off, l.size as usize, *bits, arch),
                (Basic::Complex64, Value::Complex(re, im)) => {
                    put(out, off, 4, *re, arch);
                    put(out, off + 4, 4, *im, arch);
                }
                (_, Value::Complex(re, im)) => {
                    put(out, off, 8, *re, arch);
                    put(out, off + 8, 8, *im, arch);
                }
                (_, Value::Str(s)) if !s.is_empty() => {
                    put(out, off, p, 0x1000, arch); // data pointer: non-nil
                    put(out, off + p, p, s.len() as u64, arch);
                }
                (_, Value::NonNil) => put(out, off, p, 0x1000, arch),
                _ => {}
            }
        }
        Type::Pointer(_) | Type::Map(..) | Type::Chan(..) | Type::Func { .. } => {
            if matches!(v, Value::NonNil) {
                put(out, off, p, 0x1000, arch);
            }
        }
        Type::Slice(_) => {
            if let Value::Composite(items) = v {
                put(out, off, p, 0x1000, arch);
                put(out, off + p, p, items.len() as u64, arch);
                put(out, off + 2 * p, p, items.len() as u64, arch);
            }
        }
        Type::Interface(_) => {}
        Type::Array(_, elem) => {
            if let Value::Composite(items) = v {
                let es = elem.layout(arch).size as usize;
                for (i, item) in items.iter().enumerate() {
                    write_at(out, off + i * es, elem, item, arch);
                }
            }
        }
        Type::Struct(fields) => {
            if let Value::Composite(items) = v {
                let offsets = ty.field_offsets(arch);
                let mut it = items.iter();
                for (f, fo) in fields.iter().zip(offsets) {
                    if f.selector().is_none() {
                        continue;
                    }
                    if let Some(item) = it.next() {
                        write_at(out, off + fo as usize, &f.ty, item, arch);
                    }
                }
            }
        }
        Type::Named(..) => unreachable!(),
        // Only behind pointer-shaped types, which never look inside.
        Type::Ref(_) => {}
    }
}

// ---- Go syntax ----

/// The Go expression for `v` as a value of `ty` (canonical; only model data
/// goes into it). `None` for values Go cannot spell (an interface field set).
pub fn go_expr(ty: &Type, v: &Value) -> String {
    let t = ty.go_code();
    let conv = |inner: String| -> String {
        // `*T` and `func()` need parentheses in a conversion.
        if t.starts_with('*') || t.starts_with("func") || t.starts_with("<-") {
            format!("({t})({inner})")
        } else {
            format!("{t}({inner})")
        }
    };
    match (ty.underlying(), v) {
        (Type::Basic(b), Value::Zero) => conv(zero_literal(*b).to_string()),
        (_, Value::Zero) => match ty.underlying() {
            Type::Struct(_) | Type::Array(..) => format!("{t}{{}}"),
            _ => conv("nil".into()),
        },
        (_, Value::Nil) => conv("nil".into()),
        (Type::Basic(_), Value::Int(i)) => conv(i.to_string()),
        (Type::Basic(_), Value::Bool(b)) => conv(b.to_string()),
        (Type::Basic(_), Value::Str(s)) => conv(go_quote_bytes(s)),
        (Type::Basic(b), Value::Float(bits)) => conv(go_float(*bits, *b == Basic::Float32)),
        (Type::Basic(b), Value::Complex(re, im)) => {
            let single = *b == Basic::Complex64;
            conv(format!(
                "complex({}, {})",
                go_float(*re, single),
                go_float(*im, single)
            ))
        }
        (Type::Basic(Basic::UnsafePointer), Value::NonNil) => {
            conv("unsafe.Pointer(new(int))".into())
        }
        (Type::Pointer(e), Value::NonNil) => format!("new({})", e.go_code()),
        (Type::Map(..), Value::NonNil) => format!("{t}{{}}"),
        (Type::Chan(..), Value::NonNil) => format!("make({t})"),
        (Type::Func { .. }, Value::NonNil) => {
            format!(
                "{} {{ panic(\"ifacealloc: never called\") }}",
                ty.underlying().go_code()
            )
        }
        // Zero fields and elements are left out: an explicit `(*T)(nil)` would
        // keep the compiler from laying the literal out statically.
        (Type::Struct(fields), Value::Composite(items)) => {
            let parts: Vec<String> = fields
                .iter()
                .filter_map(|f| f.selector().map(|s| (s, &f.ty)))
                .zip(items)
                .filter(|((_, ft), item)| !item.is_zero(ft) && !ft.is_interface())
                .map(|((name, ft), item)| format!("{name}: {}", go_expr(ft, item)))
                .collect();
            format!("{t}{{{}}}", parts.join(", "))
        }
        (Type::Array(_, e), Value::Composite(items)) => {
            let parts: Vec<String> = items
                .iter()
                .enumerate()
                .filter(|(_, item)| !item.is_zero(e))
                .map(|(i, item)| format!("{i}: {}", go_expr(e, item)))
                .collect();
            format!("{t}{{{}}}", parts.join(", "))
        }
        (Type::Slice(e), Value::Composite(items)) => {
            let parts: Vec<String> = items.iter().map(|i| go_expr(e, i)).collect();
            format!("{t}{{{}}}", parts.join(", "))
        }
        // Parsing never pairs other shapes; keep the output valid Go anyway.
        _ => match ty.underlying() {
            Type::Struct(_) | Type::Array(..) => format!("{t}{{}}"),
            Type::Basic(b) => conv(zero_literal(*b).to_string()),
            _ => conv("nil".into()),
        },
    }
}

fn zero_literal(b: Basic) -> &'static str {
    match b {
        Basic::Bool => "false",
        Basic::String => "\"\"",
        Basic::UnsafePointer => "nil",
        _ => "0",
    }
}

/// A float literal with exactly these bits: the shortest round-tripping
/// decimal, or `math.Float{32,64}frombits` for -0.0, NaN and infinities.
fn go_float(bits: u64, single: bool) -> String {
    if single {
        let f = f32::from_bits(bits as u32);
        if f.is_finite() && !(f == 0.0 && f.is_sign_negative()) {
            return decimal(format!("{f:e}"));
        }
        format!("math.Float32frombits({:#x})", bits as u32)
    } else {
        let f = f64::from_bits(bits);
        if f.is_finite() && !(f == 0.0 && f.is_sign_negative()) {
            return decimal(format!("{f:e}"));
        }
        format!("math.Float64frombits({bits:#x})")
    }
}

/// Rust prints floats as the shortest text that reads back to the same bits,
/// which Go reads the same way; long plain forms switch to exponent form.
fn decimal(exp_form: String) -> String {
    let plain = match exp_form.split_once('e') {
        Some((m, e)) => format!("{}", format!("{m}e{e}").parse::<f64>().unwrap_or(0.0)),
        None => exp_form.clone(),
    };
    if plain.len() <= 21 && exp_form.parse::<f64>().ok() == plain.parse::<f64>().ok() {
        plain
    } else {
        exp_form
    }
}

/// A short description of the value, for reports.
pub fn describe(ty: &Type, v: &Value) -> String {
    match v {
        Value::Zero => "zero".to_string(),
        _ => go_expr(ty, v),
    }
}

/// A representative non-zero value, mirroring what `matrix` stores at run
/// time for the `nonzero` scenario (wide integers have bits ≥ 256).
pub fn representative(ty: &Type, small: Option<i128>) -> Value {
    match ty.underlying() {
        Type::Basic(b) => match b {
            Basic::Bool => Value::Bool(true),
            Basic::Int8 | Basic::Uint8 => Value::Int(small.unwrap_or(7)),
            b if b.is_integer() => Value::Int(small.unwrap_or(0x1234)),
            Basic::Float32 => Value::Float((300.0f32).to_bits() as u64),
            Basic::Float64 => Value::Float(300.0f64.to_bits()),
            Basic::Complex64 => {
                Value::Complex((300.0f32).to_bits() as u64, (300.0f32).to_bits() as u64)
            }
            Basic::Complex128 => Value::Complex(300.0f64.to_bits(), 300.0f64.to_bits()),
            Basic::String => Value::Str(b"s".to_vec()),
            _ => Value::NonNil,
        },
        Type::Pointer(_) | Type::Map(..) | Type::Chan(..) | Type::Func { .. } => Value::NonNil,
        Type::Slice(_) => Value::Composite(vec![]),
        Type::Interface(_) => Value::Nil,
        // Only the first elements matter to the rules (a value's low bits, or
        // whether it is zero); the rest stay zero, so huge arrays cost nothing.
        Type::Array(n, e) => {
            Value::Composite((0..(*n).min(8)).map(|_| representative(e, small)).collect())
        }
        Type::Struct(fields) => Value::Composite(
            fields
                .iter()
                .filter(|f| f.selector().is_some())
                .map(|f| representative(&f.ty, small))
                .collect(),
        ),
        Type::Named(..) => unreachable!(),
        // Only behind pointer-shaped types, which never look inside.
        Type::Ref(_) => Value::Zero,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gotype::{self, Defs};

    fn amd64() -> Arch {
        Arch::by_name("amd64").unwrap()
    }

    fn t(s: &str) -> Type {
        gotype::parse(s, &Defs::new()).unwrap()
    }

    #[test]
    fn parses_values_per_type() {
        assert_eq!(parse("-12", &t("int8"), &amd64()), Ok(Value::Int(-12)));
        assert_eq!(parse("0x1F", &t("uint16"), &amd64()), Ok(Value::Int(31)));
        assert!(parse("256", &t("uint8"), &amd64()).is_err());
        // In Go source -0.0 is the constant 0; bits: says negative zero.
        assert_eq!(parse("-0.0", &t("float64"), &amd64()), Ok(Value::Float(0)));
        assert_eq!(
            parse("bits:0x8000000000000000", &t("float64"), &amd64()),
            Ok(Value::Float(0x8000_0000_0000_0000))
        );
        assert_eq!(parse("0377", &t("uint8"), &amd64()), Ok(Value::Int(255)));
        assert_eq!(
            parse(
                "{0.1, \"\\xff\"}",
                &t("struct{ a float32; b string }"),
                &amd64()
            ),
            Ok(Value::Composite(vec![
                Value::Float(0.1f32.to_bits() as u64),
                Value::Str(vec![0xff])
            ]))
        );
        assert_eq!(
            parse("bits:0x40400000", &t("float32"), &amd64()),
            Ok(Value::Float(0x4040_0000))
        );
        assert_eq!(
            parse("1+2i", &t("complex128"), &amd64()),
            Ok(Value::Complex(1f64.to_bits(), 2f64.to_bits()))
        );
        assert_eq!(
            parse("\"a\\\"b\"", &t("string"), &amd64()),
            Ok(Value::Str(b"a\"b".to_vec()))
        );
        assert_eq!(
            parse("{1, 2}", &t("struct{ a int32; b int64 }"), &amd64()),
            Ok(Value::Composite(vec![Value::Int(1), Value::Int(2)]))
        );
        assert!(parse("{1}", &t("struct{ a int32; b int64 }"), &amd64()).is_err());
        assert_eq!(parse("nil", &t("[]int"), &amd64()), Ok(Value::Nil));
        assert!(parse("nil", &t("int"), &amd64()).is_err());
        assert!(parse("\"x\"}; func init() {", &t("string"), &amd64()).is_err());
    }

    #[test]
    fn encodes_per_endianness() {
        let be = Arch::by_name("s390x").unwrap();
        let le = Arch::by_name("amd64").unwrap();
        assert_eq!(encode(&t("uint16"), &Value::Int(0x102), &le), vec![2, 1]);
        assert_eq!(encode(&t("uint16"), &Value::Int(0x102), &be), vec![1, 2]);
    }

    #[test]
    fn prints_go_expressions() {
        assert_eq!(
            go_expr(&t("float32"), &Value::Float((3.0f32).to_bits() as u64)),
            "float32(3)"
        );
        assert_eq!(
            go_expr(&t("float64"), &Value::Float(0x8000_0000_0000_0000)),
            "float64(math.Float64frombits(0x8000000000000000))"
        );
        assert_eq!(go_expr(&t("*int"), &Value::Nil), "(*int)(nil)");
        assert_eq!(
            go_expr(
                &t("struct{ a int32; b int64 }"),
                &Value::Composite(vec![Value::Int(1), Value::Int(2)])
            ),
            "struct{ a int32; b int64 }{a: int32(1), b: int64(2)}"
        );
    }
}
