//! Go constant expressions, read and evaluated as the compiler does: literals
//! by the rules of `cmd/compile/internal/syntax`'s scanner (with its error
//! wording), arithmetic exact as in `go/constant` (integers and rationals of
//! any size), and conversion to a typed value as `go/types` does it
//! (representability, one rounding to float32/float64, overflow checked
//! against the target GOARCH's `int` size).
//!
//! What is accepted: integer, float, imaginary, rune and string literals;
//! `true`/`false`; unary `+ - ^ !`; every binary operator with Go's
//! precedence; parentheses; conversions to predeclared types (`uint8(255)`,
//! `float32(0.1)`), which make typed constants; the builtins `len` (of a
//! string), `real`, `imag`, `complex`, `min` and `max`. Names from packages
//! (`math.MaxInt64`) are not constants this reader knows.
//!
//! One documented difference: go/constant switches from exact rationals to
//! 512-bit floats for values beyond 2^±4096; here such values stay exact up
//! to [`MAX_BITS`] and are refused past it. Only results that need more than
//! 512 bits of precision could differ, and none fits a float64.

use crate::model::ParseErrorKind;
use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::model::basic::{go_quote_bytes, Arch, Basic};

/// Untyped integer constants wider than this are an overflow (go/types' `prec`).
const INT_PREC: u64 = 512;
/// Largest shift count go/types accepts (`shiftBound`).
const SHIFT_BOUND: u64 = 1023 - 1 + 52;
/// Largest numerator or denominator kept exact, in bits; past it the
/// expression is refused (bounds memory and time on hostile input).
pub const MAX_BITS: u64 = 1 << 16;
/// Largest exponent in a float literal (10^10000 needs 33,220 bits).
const MAX_LITERAL_EXP: u64 = 10_000;
/// Deepest nesting of parentheses and unary operators.
const MAX_DEPTH: usize = 64;

/// A constant's kind; untyped numeric kinds are ordered as Go orders them
/// when two meet in an operation (int < rune < float < complex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Bool,
    String,
    Int,
    Rune,
    Float,
    Complex,
}

impl Kind {
    fn is_numeric(self) -> bool {
        self >= Kind::Int
    }
    fn of(b: Basic) -> Kind {
        match b {
            Basic::Bool => Kind::Bool,
            Basic::String => Kind::String,
            Basic::Float32 | Basic::Float64 => Kind::Float,
            Basic::Complex64 | Basic::Complex128 => Kind::Complex,
            _ => Kind::Int,
        }
    }
    fn untyped_name(self) -> &'static str {
        match self {
            Kind::Bool => "untyped bool",
            Kind::String => "untyped string",
            Kind::Int => "untyped int",
            Kind::Rune => "untyped rune",
            Kind::Float => "untyped float",
            Kind::Complex => "untyped complex",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Bool(bool),
    Str(Vec<u8>),
    /// Real and imaginary parts, exact.
    Num(BigRational, BigRational),
}

/// A constant with its kind, its type when typed, and the source it came from.
#[derive(Debug, Clone)]
struct Const {
    val: Val,
    kind: Kind,
    typ: Option<Basic>,
    /// The expression's source text, for messages.
    text: String,
}

impl Const {
    fn type_name(&self) -> String {
        match self.typ {
            Some(b) => b.name().to_string(),
            None => self.kind.untyped_name().to_string(),
        }
    }
    /// `1.5 (untyped float constant)` or `x (untyped float constant 1e+39)`, as go/types says.
    fn describe(&self) -> String {
        let v = format_val(&self.val, self.kind);
        let what = match self.typ {
            Some(b) => format!("constant {v} of type {}", b.name()),
            None if v == self.text => format!("{} constant", self.kind.untyped_name()),
            None => format!("{} constant {v}", self.kind.untyped_name()),
        };
        format!("{} ({what})", self.text)
    }
    fn num(&self) -> Option<(&BigRational, &BigRational)> {
        match &self.val {
            Val::Num(re, im) => Some((re, im)),
            _ => None,
        }
    }
    fn is_integer_kind(&self) -> bool {
        match self.typ {
            Some(b) => b.is_integer(),
            None => matches!(self.kind, Kind::Int | Kind::Rune),
        }
    }
}

/// A typed constant's value, ready to lay out in memory.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Bool(bool),
    /// Two's-complement value, within the type's range.
    Int(i128),
    /// IEEE bits: float32 in the low 32 bits, or float64.
    Float(u64),
    Complex(u64, u64),
    Str(Vec<u8>),
}

/// Where reading or evaluating went wrong (a byte offset into the input) and
/// Go's wording of why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstError {
    pub pos: usize,
    pub msg: String,
    pub kind: ParseErrorKind,
}

type Res<T> = Result<T, ConstError>;

/// Reads a constant expression at `pos` of `src` and converts it to `target`
/// as `var v target = EXPR` does. Returns the value and the offset where the
/// expression ended (at a `,`, `}`, `]` or the end, left for the caller).
pub fn eval_as(src: &[u8], pos: usize, target: Basic, arch: &Arch) -> Res<(Scalar, usize)> {
    let mut p = Parser {
        s: src,
        pos,
        depth: 0,
        arch,
    };
    let start = p.skip_ws();
    let c = p.expr(1)?;
    let end = p.pos;
    let c = assign(c, target, arch).map_err(|msg| ConstError {
        pos: start,
        msg,
        kind: ParseErrorKind::Invalid,
    })?;
    Ok((to_scalar(&c, target), end))
}

/// Reads an array length: a non-negative constant representable as `int`.
pub fn eval_array_len(src: &[u8], pos: usize) -> Res<(u64, usize)> {
    let arch = Arch::by_name("amd64").expect("amd64 is known");
    let mut p = Parser {
        s: src,
        pos,
        depth: 0,
        arch: &arch,
    };
    let start = p.skip_ws();
    let c = p.expr(1)?;
    let err = |msg: String| ConstError {
        pos: start,
        msg,
        kind: ParseErrorKind::Invalid,
    };
    let int_valued = match c.num() {
        Some((re, im)) if im.is_zero() && re.is_integer() => Some(re.to_integer()),
        _ => None,
    };
    let Some(n) = int_valued.filter(|_| c.typ.is_none_or(|b| b.is_integer())) else {
        return Err(err(format!(
            "array length {} must be integer",
            c.describe()
        )));
    };
    if n.is_negative() {
        return Err(err(format!("invalid array length {}", c.describe())));
    }
    let n = n
        .to_u64()
        .filter(|n| *n <= i64::MAX as u64)
        .ok_or_else(|| err(format!("array length {} must be integer", c.describe())))?;
    Ok((n, p.pos))
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
    arch: &'a Arch,
}

fn err<T>(pos: usize, msg: impl Into<String>) -> Res<T> {
    Err(ConstError {
        pos,
        msg: msg.into(),
        kind: ParseErrorKind::Invalid,
    })
}

/// The error for input nested past [`MAX_DEPTH`].
fn too_deep<T>(pos: usize) -> Res<T> {
    Err(ConstError {
        pos,
        msg: format!("expression nests deeper than {MAX_DEPTH} levels"),
        kind: ParseErrorKind::PastLimit,
    })
}

/// Binary operators with Go's precedence (5 binds tightest).
const BINARY: &[(&str, u8)] = &[
    ("||", 1),
    ("&&", 2),
    ("==", 3),
    ("!=", 3),
    ("<<", 5),
    ("<=", 3),
    (">>", 5),
    (">=", 3),
    ("<", 3),
    (">", 3),
    ("+", 4),
    ("-", 4),
    ("|", 4),
    ("^", 4),
    ("*", 5),
    ("/", 5),
    ("%", 5),
    ("&^", 5),
    ("&", 5),
];

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }
    /// Skips white space and comments (Go reads both as space).
    fn skip_ws(&mut self) -> usize {
        loop {
            let rest = &self.s[self.pos..];
            match rest.first() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                _ if rest.starts_with(b"//") => {
                    self.pos += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                }
                _ if rest.starts_with(b"/*") => match memchr::memmem::find(&rest[2..], b"*/") {
                    Some(end) => self.pos += end + 4,
                    None => return self.pos, // reported as "found /*" by the caller
                },
                _ => return self.pos,
            }
        }
    }
    fn text(&self, from: usize) -> String {
        String::from_utf8_lossy(&self.s[from..self.pos])
            .trim()
            .to_string()
    }
    fn found(&self) -> String {
        match self.s.get(self.pos..) {
            Some(rest) if !rest.is_empty() => {
                let t: String = String::from_utf8_lossy(rest).chars().take(12).collect();
                format!("{t:?}")
            }
            _ => "end of input".into(),
        }
    }

    fn binary_op(&mut self) -> Option<(&'static str, u8)> {
        self.skip_ws();
        let rest = &self.s[self.pos..];
        let (op, prec) = BINARY
            .iter()
            .find(|(op, _)| rest.starts_with(op.as_bytes()))?;
        // Longer tokens are listed first (`&&` and `&^` before `&`). Go's
        // scanner reads `--`, `++`, `<-` and `+=`... as tokens of their own,
        // which no constant expression holds: the expression ends there.
        let next = rest.get(op.len()).copied();
        if next == Some(b'=') && !matches!(*op, "==" | "!=" | "<=" | ">=") {
            return None;
        }
        if matches!(
            (*op, next),
            ("-", Some(b'-')) | ("+", Some(b'+')) | ("<", Some(b'-'))
        ) {
            return None;
        }
        Some((op, *prec))
    }

    fn expr(&mut self, min_prec: u8) -> Res<Const> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return too_deep(self.pos);
        }
        let start = self.skip_ws();
        let mut x = self.unary()?;
        while let Some((op, prec)) = self.binary_op() {
            if prec < min_prec {
                break;
            }
            let op_pos = self.pos;
            self.pos += op.len();
            let y = self.expr(prec + 1)?;
            let text = self.text(start);
            x = binary(op, x, y, self.arch, text).map_err(|msg| ConstError {
                pos: op_pos,
                msg,
                kind: ParseErrorKind::Invalid,
            })?;
        }
        self.depth -= 1;
        Ok(x)
    }

    fn unary(&mut self) -> Res<Const> {
        let start = self.skip_ws();
        let op = match self.peek() {
            Some(c @ (b'+' | b'-' | b'^' | b'!')) => c,
            _ => return self.primary(),
        };
        let twice = self.s.get(self.pos + 1) == Some(&op) && matches!(op, b'+' | b'-');
        if twice || (op == b'!' && self.s.get(self.pos + 1) == Some(&b'=')) {
            let tok = String::from_utf8_lossy(&self.s[self.pos..self.pos + 2]).to_string();
            return err(
                self.pos,
                format!("syntax error: unexpected {tok}, expected expression"),
            );
        }
        self.pos += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return too_deep(self.pos);
        }
        let x = self.unary()?;
        self.depth -= 1;
        let text = self.text(start);
        unary(op, x, self.arch, text).map_err(|msg| ConstError {
            pos: start,
            msg,
            kind: ParseErrorKind::Invalid,
        })
    }

    fn primary(&mut self) -> Res<Const> {
        let start = self.skip_ws();
        match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                self.depth += 1;
                let mut c = self.expr(1)?;
                self.depth -= 1;
                self.skip_ws();
                if self.peek() != Some(b')') {
                    return err(self.pos, format!("expected ')', found {}", self.found()));
                }
                self.pos += 1;
                c.text = self.text(start);
                Ok(c)
            }
            Some(c) if c.is_ascii_digit() => self.number(),
            Some(b'.') if self.s.get(self.pos + 1).is_some_and(u8::is_ascii_digit) => self.number(),
            Some(b'\'') => self.rune(),
            Some(b'"') => self.interpreted_string(),
            Some(b'`') => self.raw_string(),
            Some(c) if c == b'_' || c.is_ascii_alphabetic() => self.name(),
            _ => err(
                self.pos,
                format!("expected a constant, found {}", self.found()),
            ),
        }
    }

    fn name(&mut self) -> Res<Const> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c == b'_' || c.is_ascii_alphanumeric())
        {
            self.pos += 1;
        }
        let name = self.text(start);
        match name.as_str() {
            "true" | "false" => {
                return Ok(Const {
                    val: Val::Bool(name == "true"),
                    kind: Kind::Bool,
                    typ: None,
                    text: name,
                })
            }
            "iota" => return err(start, "cannot use iota outside constant declaration"),
            _ => {}
        }
        let save = self.pos;
        self.skip_ws();
        if self.peek() != Some(b'(') {
            self.pos = save;
            return err(
                start,
                format!("undefined: {name} (a value is a constant expression of literals, predeclared types and builtins)"),
            );
        }
        self.pos += 1;
        let args = self.args()?;
        let text = self.text(start);
        let call = |msg: String| ConstError {
            pos: start,
            msg,
            kind: ParseErrorKind::Invalid,
        };
        if let Some(b) = Basic::from_name(&name) {
            let [x] = <[Const; 1]>::try_from(args).map_err(|a| {
                call(format!(
                    "wrong number of arguments in conversion to {name}: {} given, 1 wanted",
                    a.len()
                ))
            })?;
            return convert(x, b, self.arch, text).map_err(call);
        }
        builtin(&name, args, self.arch, text).map_err(call)
    }

    /// Call arguments after `(`, through `)`.
    fn args(&mut self) -> Res<Vec<Const>> {
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b')') {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            self.depth += 1;
            args.push(self.expr(1)?);
            self.depth -= 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b')') {
                        self.pos += 1;
                        return Ok(args);
                    }
                }
                Some(b')') => {
                    self.pos += 1;
                    return Ok(args);
                }
                _ => {
                    return err(
                        self.pos,
                        format!("expected ',' or ')', found {}", self.found()),
                    )
                }
            }
        }
    }

    // ---- literals, as cmd/compile/internal/syntax scans them ----

    fn digits(&mut self, base: u32, invalid: &mut Option<usize>) -> u8 {
        let mut digsep = 0;
        while let Some(c) = self.peek() {
            let ds = if c == b'_' {
                2
            } else if base <= 10 && c.is_ascii_digit() {
                if (c - b'0') as u32 >= base && invalid.is_none() {
                    *invalid = Some(self.pos);
                }
                1
            } else if base == 16 && c.is_ascii_hexdigit() {
                1
            } else {
                break;
            };
            digsep |= ds;
            self.pos += 1;
        }
        digsep
    }

    fn number(&mut self) -> Res<Const> {
        let start = self.pos;
        let mut base = 10;
        let mut prefix = 0u8; // 0 decimal, b'0' legacy octal, x, o, b
        let mut digsep = 0u8;
        let mut invalid = None;
        let mut float = false;
        let base_name = |b: u32| match b {
            2 => "binary",
            8 => "octal",
            16 => "hexadecimal",
            _ => "decimal",
        };
        if self.peek() == Some(b'.') {
            float = true;
        } else {
            if self.peek() == Some(b'0') {
                self.pos += 1;
                match self.peek().map(|c| c.to_ascii_lowercase()) {
                    Some(b'x') => (base, prefix) = (16, b'x'),
                    Some(b'o') => (base, prefix) = (8, b'o'),
                    Some(b'b') => (base, prefix) = (2, b'b'),
                    _ => {
                        (base, prefix) = (8, b'0');
                        digsep = 1;
                    }
                }
                if prefix != b'0' {
                    self.pos += 1;
                }
            }
            digsep |= self.digits(base, &mut invalid);
            if self.peek() == Some(b'.') {
                if prefix == b'o' || prefix == b'b' {
                    return err(
                        self.pos,
                        format!("invalid radix point in {} literal", base_name(base)),
                    );
                }
                float = true;
            }
        }
        if float {
            self.pos += 1; // the '.'
            digsep |= self.digits(base, &mut invalid);
        }
        if digsep & 1 == 0 {
            return err(start, format!("{} literal has no digits", base_name(base)));
        }
        let mut exp_kind = None;
        if let Some(e) = self.peek().map(|c| c.to_ascii_lowercase()) {
            if e == b'e' || e == b'p' {
                let c = self.peek().unwrap_or(b'e') as char;
                if e == b'e' && prefix != 0 && prefix != b'0' {
                    return err(
                        self.pos,
                        format!("'{c}' exponent requires decimal mantissa"),
                    );
                }
                if e == b'p' && prefix != b'x' {
                    return err(
                        self.pos,
                        format!("'{c}' exponent requires hexadecimal mantissa"),
                    );
                }
                self.pos += 1;
                float = true;
                exp_kind = Some(e);
                if matches!(self.peek(), Some(b'+' | b'-')) {
                    self.pos += 1;
                }
                let ds = self.digits(10, &mut None);
                if ds & 1 == 0 {
                    return err(self.pos, "exponent has no digits");
                }
                digsep |= ds & 2;
            }
        }
        if exp_kind.is_none() && prefix == b'x' && float {
            return err(self.pos, "hexadecimal mantissa requires a 'p' exponent");
        }
        let imag = self.peek() == Some(b'i');
        if imag {
            self.pos += 1;
        }
        if self
            .peek()
            .is_some_and(|c| c == b'_' || c == b'.' || c.is_ascii_alphanumeric())
        {
            return err(
                self.pos,
                format!("expected an operator, found {}", self.found()),
            );
        }
        let lit = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("");
        if !float && !imag {
            if let Some(at) = invalid {
                return err(
                    at,
                    format!(
                        "invalid digit '{}' in {} literal",
                        self.s[at] as char,
                        base_name(base)
                    ),
                );
            }
        }
        if digsep & 2 != 0 {
            if let Some(i) = invalid_sep(lit.as_bytes()) {
                return err(start + i, "'_' must separate successive digits");
            }
        }
        let body = lit.strip_suffix('i').unwrap_or(lit).replace('_', "");
        let value = if imag || float {
            // An imaginary literal's mantissa is decimal even with a leading 0
            // (0777i is 777i), as go/constant reads it.
            float_literal(&body).map_err(|msg| ConstError {
                pos: start,
                msg,
                kind: ParseErrorKind::Invalid,
            })?
        } else {
            BigRational::from_integer(int_literal(&body))
        };
        let (val, kind) = if imag {
            (Val::Num(BigRational::zero(), value), Kind::Complex)
        } else if float {
            (Val::Num(value, BigRational::zero()), Kind::Float)
        } else {
            (Val::Num(value, BigRational::zero()), Kind::Int)
        };
        Ok(Const {
            val,
            kind,
            typ: None,
            text: lit.to_string(),
        })
    }

    /// One character or escape of a rune or string literal; `quote` is the
    /// literal's delimiter. Returns the code point, or a byte for \x and octal.
    fn char_or_escape(&mut self, quote: u8) -> Res<CharOrByte> {
        let Some(c) = self.peek() else {
            return err(self.pos, "literal not terminated");
        };
        if c == b'\n' {
            return err(self.pos, "newline in literal");
        }
        if c != b'\\' {
            let rest = std::str::from_utf8(&self.s[self.pos..]).map_err(|_| ConstError {
                pos: self.pos,
                msg: "invalid UTF-8 encoding".into(),
                kind: ParseErrorKind::Invalid,
            })?;
            let ch = rest.chars().next().unwrap_or('\u{fffd}');
            self.pos += ch.len_utf8();
            return Ok(CharOrByte::Char(ch));
        }
        self.pos += 1;
        let Some(e) = self.peek() else {
            return err(self.pos, "escape sequence not terminated");
        };
        let simple = match e {
            b'a' => Some('\x07'),
            b'b' => Some('\x08'),
            b'f' => Some('\x0c'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'v' => Some('\x0b'),
            b'\\' => Some('\\'),
            _ if e == quote => Some(quote as char),
            _ => None,
        };
        if let Some(ch) = simple {
            self.pos += 1;
            return Ok(CharOrByte::Char(ch));
        }
        let (n, base, max, name) = match e {
            b'0'..=b'7' => (3, 8, 255, "octal"),
            b'x' => (2, 16, 255, "hexadecimal"),
            b'u' => (4, 16, 0x10ffff, "hexadecimal"),
            b'U' => (8, 16, 0x10ffff, "hexadecimal"),
            _ => return err(self.pos, "unknown escape"),
        };
        if base == 16 {
            self.pos += 1;
        }
        let mut x: u32 = 0;
        for _ in 0..n {
            let Some(d) = self.peek() else {
                return err(self.pos, "escape sequence not terminated");
            };
            let v = (d as char).to_digit(16).filter(|v| *v < base);
            let Some(v) = v else {
                return err(
                    self.pos,
                    format!("invalid character {:?} in {name} escape", d as char),
                );
            };
            x = x * base + v;
            self.pos += 1;
        }
        if base == 8 && x > max {
            return err(self.pos, format!("octal escape value {x} > 255"));
        }
        if e == b'u' || e == b'U' {
            return match char::from_u32(x).filter(|_| x <= max) {
                Some(ch) => Ok(CharOrByte::Char(ch)),
                None => err(
                    self.pos,
                    format!("escape is invalid Unicode code point U+{x:04X}"),
                ),
            };
        }
        Ok(CharOrByte::Byte(x as u8))
    }

    fn rune(&mut self) -> Res<Const> {
        let start = self.pos;
        self.pos += 1;
        let mut n = 0;
        let mut value = 0u32;
        loop {
            match self.peek() {
                Some(b'\'') => {
                    self.pos += 1;
                    if n == 0 {
                        return err(start, "empty rune literal or unescaped '");
                    }
                    if n != 1 {
                        return err(start, "more than one character in rune literal");
                    }
                    break;
                }
                None | Some(b'\n') => return err(start, "rune literal not terminated"),
                _ => {
                    value = match self.char_or_escape(b'\'')? {
                        CharOrByte::Char(c) => c as u32,
                        CharOrByte::Byte(b) => b as u32,
                    };
                    n += 1;
                }
            }
        }
        Ok(Const {
            val: Val::Num(BigRational::from_integer(value.into()), BigRational::zero()),
            kind: Kind::Rune,
            typ: None,
            text: self.text(start),
        })
    }

    fn interpreted_string(&mut self) -> Res<Const> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                None | Some(b'\n') => return err(start, "string literal not terminated"),
                _ => match self.char_or_escape(b'"')? {
                    CharOrByte::Char(c) => {
                        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes())
                    }
                    CharOrByte::Byte(b) => out.push(b),
                },
            }
        }
        Ok(string_const(out, self.text(start)))
    }

    fn raw_string(&mut self) -> Res<Const> {
        let start = self.pos;
        self.pos += 1;
        let Some(len) = memchr::memchr(b'`', &self.s[self.pos..]) else {
            return err(start, "raw string literal not terminated");
        };
        // Carriage returns are discarded from raw strings, as in Go.
        let out: Vec<u8> = self.s[self.pos..self.pos + len]
            .iter()
            .copied()
            .filter(|c| *c != b'\r')
            .collect();
        self.pos += len + 1;
        Ok(string_const(out, self.text(start)))
    }
}

enum CharOrByte {
    Char(char),
    Byte(u8),
}

fn string_const(bytes: Vec<u8>, text: String) -> Const {
    Const {
        val: Val::Str(bytes),
        kind: Kind::String,
        typ: None,
        text,
    }
}

/// The index of the first misplaced `_` in a number literal (syntax.invalidSep).
fn invalid_sep(x: &[u8]) -> Option<usize> {
    let mut x1 = b' ';
    let mut d = b'.';
    let mut i = 0;
    if x.len() >= 2 && x[0] == b'0' {
        x1 = x[1].to_ascii_lowercase();
        if matches!(x1, b'x' | b'o' | b'b') {
            d = b'0';
            i = 2;
        }
    }
    while i < x.len() {
        let p = d;
        d = x[i];
        if d == b'_' {
            if p != b'0' {
                return Some(i);
            }
        } else if d.is_ascii_digit() || (x1 == b'x' && d.is_ascii_hexdigit()) {
            d = b'0';
        } else {
            if p == b'_' {
                return Some(i - 1);
            }
            d = b'.';
        }
        i += 1;
    }
    (d == b'_').then(|| x.len() - 1)
}

/// The value of a well-formed integer literal (underscores removed).
fn int_literal(lit: &str) -> BigInt {
    let lower = lit.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    BigInt::parse_bytes(digits.as_bytes(), radix).unwrap_or_default()
}

/// The exact value of a well-formed float literal (or an imaginary literal's
/// mantissa): decimal with an `e` exponent, or hexadecimal with `p`.
fn float_literal(lit: &str) -> Result<BigRational, String> {
    let lower = lit.to_ascii_lowercase();
    let (radix, body, exp_char) = if let Some(b) = lower.strip_prefix("0x") {
        (16u32, b, 'p')
    } else if let Some(b) = lower.strip_prefix("0o") {
        (8, b, 'e')
    } else if let Some(b) = lower.strip_prefix("0b") {
        (2, b, 'e')
    } else {
        (10, lower.as_str(), 'e')
    };
    let (mant, exp) = match body.split_once(exp_char) {
        Some((m, e)) if radix == 10 || radix == 16 => (m, Some(e)),
        _ => (body, None),
    };
    let exp: i64 = match exp {
        None => 0,
        Some(e) => {
            let digits = e.trim_start_matches(['+', '-']);
            let mag: u64 = digits
                .parse()
                .ok()
                .filter(|m| *m <= MAX_LITERAL_EXP)
                .ok_or_else(|| {
                    format!("exponent {e} is beyond what ifacealloc evaluates exactly (±{MAX_LITERAL_EXP})")
                })?;
            if e.starts_with('-') {
                -(mag as i64)
            } else {
                mag as i64
            }
        }
    };
    let (int_part, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let digits = format!("{int_part}{frac}");
    let m = BigInt::parse_bytes(
        if digits.is_empty() {
            b"0"
        } else {
            digits.as_bytes()
        },
        radix,
    )
    .unwrap_or_default();
    // value = m * radix^-len(frac) * (10^exp or 2^exp)
    let frac_scale = BigInt::from(radix).pow(frac.len() as u32);
    let mut q = BigRational::new(m, frac_scale);
    let base = if radix == 16 { 2 } else { 10 };
    let scale = BigInt::from(base).pow(exp.unsigned_abs() as u32);
    if exp >= 0 {
        q *= BigRational::from_integer(scale);
    } else {
        q /= BigRational::from_integer(scale);
    }
    Ok(q)
}

// ---- values ----

fn rat_bits(q: &BigRational) -> u64 {
    q.numer().bits().max(q.denom().bits())
}

fn check_size(c: &Const) -> Result<(), String> {
    if let Val::Num(re, im) = &c.val {
        if rat_bits(re).max(rat_bits(im)) > MAX_BITS {
            return Err(format!(
                "constant {} needs more than {MAX_BITS} bits to evaluate exactly; ifacealloc stops there",
                c.text
            ));
        }
    }
    Ok(())
}

/// An integer type's range on `arch`.
fn int_range(b: Basic, arch: &Arch) -> (BigInt, BigInt) {
    let bits = match b {
        Basic::Int8 | Basic::Uint8 => 8,
        Basic::Int16 | Basic::Uint16 => 16,
        Basic::Int32 | Basic::Uint32 => 32,
        Basic::Int64 | Basic::Uint64 => 64,
        _ => arch.ptr_size as u32 * 8,
    };
    if b.is_signed() {
        (
            -(BigInt::one() << (bits - 1)),
            (BigInt::one() << (bits - 1)) - 1,
        )
    } else {
        (BigInt::zero(), (BigInt::one() << bits) - 1)
    }
}

/// Rounds `q` to the nearest float32 or float64, ties to even, as
/// big.Rat.Float32/Float64 do. `None` when it overflows to infinity. A value
/// that rounds to zero is +0: Go constants have no negative zero.
pub fn round_float(q: &BigRational, single: bool) -> Option<u64> {
    let (p, emin, emax, ebits): (i64, i64, i64, i64) = if single {
        (24, -126, 127, 8)
    } else {
        (53, -1022, 1023, 11)
    };
    if q.is_zero() {
        return Some(0);
    }
    let neg = q.is_negative();
    let a: BigUint = q.numer().magnitude().clone();
    let b: BigUint = q.denom().magnitude().clone();
    // e = floor(log2(a/b))
    let mut e = a.bits() as i64 - b.bits() as i64;
    let at_least = if e >= 0 {
        a >= (&b << e as u64)
    } else {
        (&a << (-e) as u64) >= b
    };
    if !at_least {
        e -= 1;
    }
    if e > emax {
        return None;
    }
    let mut q_exp = e.max(emin) - (p - 1); // value = m * 2^q_exp
    let (num, den) = if q_exp >= 0 {
        (a, b << q_exp as u64)
    } else {
        (a << (-q_exp) as u64, b)
    };
    let (mut m, r) = num.div_rem(&den);
    let twice: BigUint = r << 1u32;
    if twice > den || (twice == den && m.bit(0)) {
        m += 1u32;
    }
    if m.bits() as i64 > p {
        m >>= 1u32;
        q_exp += 1;
    }
    let m = m.to_u64().unwrap_or(0);
    let bits = if m >> (p - 1) == 0 {
        m // subnormal
    } else {
        let unbiased = q_exp + p - 1;
        if unbiased > emax {
            return None;
        }
        (((unbiased + emax) as u64) << (p - 1)) | (m & ((1u64 << (p - 1)) - 1))
    };
    let sign = if neg && bits != 0 {
        1u64 << (p - 1 + ebits)
    } else {
        0
    };
    Some(sign | bits)
}

/// The exact value of float bits (finite).
fn float_value(bits: u64, single: bool) -> BigRational {
    let (mant_bits, ebits) = if single { (23, 8) } else { (52, 11) };
    let bias = (1i64 << (ebits - 1)) - 1;
    let neg = bits >> (mant_bits + ebits) & 1 == 1;
    let exp = ((bits >> mant_bits) & ((1 << ebits) - 1)) as i64;
    let frac = bits & ((1u64 << mant_bits) - 1);
    let (m, e) = if exp == 0 {
        (frac, 1 - bias - mant_bits as i64)
    } else {
        (frac | (1 << mant_bits), exp - bias - mant_bits as i64)
    };
    let m = BigInt::from(m);
    let q = if e >= 0 {
        BigRational::from_integer(m << e as u64)
    } else {
        BigRational::new(m, BigInt::one() << (-e) as u64)
    };
    if neg {
        -q
    } else {
        q
    }
}

/// Makes `c` a constant of type `b`, as an implicit conversion does (an
/// untyped operand meeting a typed one, or a typed operation's result).
/// `Err` holds what does not fit: "overflows" or "truncated".
fn represent(c: &Const, b: Basic, arch: &Arch) -> Result<Val, &'static str> {
    match (&c.val, Kind::of(b)) {
        (Val::Bool(x), Kind::Bool) => Ok(Val::Bool(*x)),
        (Val::Str(s), Kind::String) => Ok(Val::Str(s.clone())),
        (Val::Num(re, im), Kind::Int) => {
            if !im.is_zero() || !re.is_integer() {
                return Err("truncated");
            }
            let (lo, hi) = int_range(b, arch);
            let v = re.to_integer();
            if v < lo || v > hi {
                return Err("overflows");
            }
            Ok(Val::Num(re.clone(), im.clone()))
        }
        (Val::Num(re, im), Kind::Float) => {
            if !im.is_zero() {
                return Err("truncated");
            }
            let single = b == Basic::Float32;
            let bits = round_float(re, single).ok_or("overflows")?;
            Ok(Val::Num(float_value(bits, single), BigRational::zero()))
        }
        (Val::Num(re, im), Kind::Complex) => {
            let single = b == Basic::Complex64;
            let r = round_float(re, single).ok_or("overflows")?;
            let i = round_float(im, single).ok_or("overflows")?;
            Ok(Val::Num(float_value(r, single), float_value(i, single)))
        }
        _ => Err("mismatch"),
    }
}

/// `var v T = c`: go/types' assignment of a constant.
fn assign(c: Const, b: Basic, arch: &Arch) -> Result<Const, String> {
    if let Some(t) = c.typ {
        if t != b {
            return Err(format!("cannot use {} as {} value", c.describe(), b.name()));
        }
        return Ok(c);
    }
    match represent(&c, b, arch) {
        Ok(val) => Ok(Const {
            val,
            kind: Kind::of(b),
            typ: Some(b),
            text: c.text,
        }),
        Err("mismatch") => Err(format!("cannot use {} as {} value", c.describe(), b.name())),
        Err(why) => Err(format!(
            "cannot use {} as {} value ({why})",
            c.describe(),
            b.name()
        )),
    }
}

/// `T(c)`: a constant conversion.
fn convert(c: Const, b: Basic, arch: &Arch, text: String) -> Result<Const, String> {
    // An integer constant converts to a string as its code point's UTF-8.
    if b == Basic::String && c.is_integer_kind() {
        let (re, _) = c.num().expect("integer constant");
        let ch = re
            .to_integer()
            .to_u32()
            .and_then(char::from_u32)
            .unwrap_or('\u{fffd}');
        return Ok(Const {
            val: Val::Str(ch.to_string().into_bytes()),
            kind: Kind::String,
            typ: Some(b),
            text,
        });
    }
    let target = Kind::of(b);
    let ok_kinds = match (&c.val, target) {
        (Val::Num(..), k) if k.is_numeric() => true,
        (Val::Bool(_), Kind::Bool) | (Val::Str(_), Kind::String) => true,
        _ => false,
    };
    // A typed float converts to an integer type only if exact; a complex to a
    // real type only with a zero imaginary part (both as represent checks).
    let val = if ok_kinds {
        represent(&c, b, arch)
    } else {
        Err("mismatch")
    };
    match val {
        Ok(val) => Ok(Const {
            val,
            kind: target,
            typ: Some(b),
            text,
        }),
        Err("overflows") if target == Kind::Int => Err(format!(
            "constant {} overflows {}",
            format_val(&c.val, c.kind),
            b.name()
        )),
        Err(_) => Err(format!(
            "cannot convert {} to type {}",
            c.describe(),
            b.name()
        )),
    }
}

/// The type two operands share, converting an untyped one to the other's type.
fn unify(x: Const, y: Const, arch: &Arch, text: &str) -> Result<(Const, Const), String> {
    let mismatch = |x: &Const, y: &Const| {
        format!(
            "invalid operation: {text} (mismatched types {} and {})",
            x.type_name(),
            y.type_name()
        )
    };
    match (x.typ, y.typ) {
        (Some(a), Some(b)) if a != b => Err(mismatch(&x, &y)),
        (Some(_), Some(_)) => Ok((x, y)),
        (None, None) => {
            let numeric = x.kind.is_numeric() && y.kind.is_numeric();
            if x.kind != y.kind && !numeric {
                return Err(mismatch(&x, &y));
            }
            let k = x.kind.max(y.kind);
            Ok((Const { kind: k, ..x }, Const { kind: k, ..y }))
        }
        (Some(t), None) | (None, Some(t)) => {
            let (typed, untyped, swap) = if x.typ.is_some() {
                (x, y, false)
            } else {
                (y, x, true)
            };
            let fits = untyped.kind.is_numeric() == Kind::of(t).is_numeric()
                && (untyped.kind.is_numeric() || untyped.kind == Kind::of(t));
            if !fits {
                return Err(if swap {
                    mismatch(&untyped, &typed)
                } else {
                    mismatch(&typed, &untyped)
                });
            }
            let val = represent(&untyped, t, arch).map_err(|why| match why {
                "overflows" => format!("{} overflows {}", untyped.describe(), t.name()),
                _ => format!("{} truncated to {}", untyped.describe(), t.name()),
            })?;
            let converted = Const {
                val,
                kind: Kind::of(t),
                typ: Some(t),
                text: untyped.text,
            };
            Ok(if swap {
                (converted, typed)
            } else {
                (typed, converted)
            })
        }
    }
}

/// After an operation: a typed result must fit its type (floats are rounded
/// to it); an untyped integer must stay within 512 bits.
fn settle(mut c: Const, arch: &Arch, op: &str) -> Result<Const, String> {
    check_size(&c)?;
    if let Some(t) = c.typ {
        match represent(&c, t, arch) {
            Ok(v) => c.val = v,
            Err(_) => {
                return Err(format!(
                    "{} (constant {} of type {}) overflows {}",
                    c.text,
                    format_val(&c.val, c.kind),
                    t.name(),
                    t.name()
                ))
            }
        }
    } else if matches!(c.kind, Kind::Int | Kind::Rune) {
        if let Some((re, _)) = c.num() {
            if re.to_integer().bits() > INT_PREC {
                return Err(format!("constant {op}overflow"));
            }
        }
    }
    Ok(c)
}

fn unary(op: u8, x: Const, arch: &Arch, text: String) -> Result<Const, String> {
    let bad = |x: &Const| {
        format!(
            "invalid operation: operator {} not defined on {}",
            op as char,
            x.describe()
        )
    };
    let val = match (op, &x.val) {
        (b'!', Val::Bool(v)) => Val::Bool(!v),
        (b'+', Val::Num(..)) => x.val.clone(),
        (b'-', Val::Num(re, im)) => Val::Num(-re, -im),
        (b'^', Val::Num(re, _)) if x.is_integer_kind() => {
            let v = re.to_integer();
            let r = match x.typ {
                Some(t) if !t.is_signed() => {
                    let (_, max) = int_range(t, arch);
                    v ^ max
                }
                _ => -v - 1,
            };
            Val::Num(BigRational::from_integer(r), BigRational::zero())
        }
        _ => return Err(bad(&x)),
    };
    settle(Const { val, text, ..x }, arch, "")
}

fn binary(op: &str, x: Const, y: Const, arch: &Arch, text: String) -> Result<Const, String> {
    if op == "<<" || op == ">>" {
        return shift(op, x, y, arch, text);
    }
    let (x, y) = unify(x, y, arch, &text)?;
    let not_defined = |c: &Const| {
        format!(
            "invalid operation: operator {op} not defined on {}",
            c.describe()
        )
    };
    let int_kind = x.is_integer_kind();
    let (val, kind, typ) = match (&x.val, &y.val) {
        (Val::Bool(a), Val::Bool(b)) => {
            let v = match op {
                "&&" => *a && *b,
                "||" => *a || *b,
                "==" => a == b,
                "!=" => a != b,
                _ => return Err(not_defined(&x)),
            };
            return Ok(bool_const(
                v,
                x.typ.filter(|_| matches!(op, "&&" | "||")),
                text,
            ));
        }
        (Val::Str(a), Val::Str(b)) => {
            let v = match op {
                "+" => {
                    let mut s = a.clone();
                    s.extend_from_slice(b);
                    if s.len() as u64 > MAX_BITS {
                        return Err(format!(
                            "string constant longer than {MAX_BITS} bytes; ifacealloc stops there"
                        ));
                    }
                    return Ok(Const {
                        val: Val::Str(s),
                        text,
                        ..x
                    });
                }
                "==" => a == b,
                "!=" => a != b,
                "<" => a < b,
                "<=" => a <= b,
                ">" => a > b,
                ">=" => a >= b,
                _ => return Err(not_defined(&x)),
            };
            return Ok(bool_const(v, None, text));
        }
        (Val::Num(ar, ai), Val::Num(br, bi)) => {
            let complex = x.kind == Kind::Complex;
            match op {
                "==" | "!=" => {
                    let eq = ar == br && ai == bi;
                    return Ok(bool_const(eq == (op == "=="), None, text));
                }
                "<" | "<=" | ">" | ">=" => {
                    if complex {
                        return Err(format!(
                            "invalid operation: {text} (operator {op} not defined on {})",
                            x.type_name()
                        ));
                    }
                    let v = match op {
                        "<" => ar < br,
                        "<=" => ar <= br,
                        ">" => ar > br,
                        _ => ar >= br,
                    };
                    return Ok(bool_const(v, None, text));
                }
                "+" => (Val::Num(ar + br, ai + bi), x.kind, x.typ),
                "-" => (Val::Num(ar - br, ai - bi), x.kind, x.typ),
                "*" => (
                    Val::Num(ar * br - ai * bi, ar * bi + ai * br),
                    x.kind,
                    x.typ,
                ),
                "/" => {
                    if br.is_zero() && bi.is_zero() {
                        return Err("invalid operation: division by zero".into());
                    }
                    if int_kind {
                        let q = ar.to_integer() / br.to_integer(); // truncated
                        (
                            Val::Num(BigRational::from_integer(q), BigRational::zero()),
                            x.kind,
                            x.typ,
                        )
                    } else {
                        let d = br * br + bi * bi;
                        (
                            Val::Num((ar * br + ai * bi) / &d, (ai * br - ar * bi) / &d),
                            x.kind,
                            x.typ,
                        )
                    }
                }
                "%" | "&" | "|" | "^" | "&^" => {
                    if !int_kind {
                        return Err(not_defined(&x));
                    }
                    let (a, b) = (ar.to_integer(), br.to_integer());
                    if op == "%" && b.is_zero() {
                        return Err("invalid operation: division by zero".into());
                    }
                    let r = match op {
                        "%" => a % b, // sign of the dividend, as Go
                        "&" => a & b,
                        "|" => a | b,
                        "^" => a ^ b,
                        _ => a & !b,
                    };
                    (
                        Val::Num(BigRational::from_integer(r), BigRational::zero()),
                        x.kind,
                        x.typ,
                    )
                }
                _ => return Err(not_defined(&x)),
            }
        }
        _ => return Err(not_defined(&x)),
    };
    let op_name = match op {
        "+" => "addition ",
        "-" => "subtraction ",
        "*" => "multiplication ",
        "/" => "division ",
        _ => "",
    };
    settle(
        Const {
            val,
            kind,
            typ,
            text,
        },
        arch,
        op_name,
    )
}

fn bool_const(v: bool, typ: Option<Basic>, text: String) -> Const {
    Const {
        val: Val::Bool(v),
        kind: Kind::Bool,
        typ,
        text,
    }
}

fn shift(op: &str, x: Const, y: Const, arch: &Arch, text: String) -> Result<Const, String> {
    // The shifted operand: an integer, or an untyped constant with an integer value.
    let x_int = match x.num() {
        Some((re, im)) if im.is_zero() && re.is_integer() => Some(re.to_integer()),
        _ => None,
    };
    let x_ok = x.is_integer_kind() || (x.typ.is_none() && x.kind.is_numeric());
    let Some(v) = x_int.filter(|_| x_ok) else {
        return Err(format!(
            "invalid operation: shifted operand {} must be integer",
            x.describe()
        ));
    };
    let count = match y.num() {
        Some((re, im))
            if im.is_zero() && re.is_integer() && (y.typ.is_none() || y.is_integer_kind()) =>
        {
            re.to_integer()
        }
        _ => {
            return Err(format!(
                "invalid operation: shift count {} must be integer",
                y.describe()
            ))
        }
    };
    if count.is_negative() {
        return Err(format!(
            "invalid operation: negative shift count {}",
            y.describe()
        ));
    }
    let Some(n) = count.to_u64().filter(|n| *n <= SHIFT_BOUND) else {
        return Err(format!(
            "invalid operation: invalid shift count {}",
            y.describe()
        ));
    };
    let r = if op == "<<" {
        v << n
    } else {
        v.div_floor(&(BigInt::one() << n))
    };
    let kind = if x.typ.is_none() && x.kind != Kind::Rune {
        Kind::Int
    } else {
        x.kind
    };
    settle(
        Const {
            val: Val::Num(BigRational::from_integer(r), BigRational::zero()),
            kind,
            typ: x.typ,
            text,
        },
        arch,
        "shift ",
    )
}

fn builtin(name: &str, args: Vec<Const>, arch: &Arch, text: String) -> Result<Const, String> {
    let count = |n: usize| -> Result<(), String> {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "{} arguments for {text} (expected {n}, found {})",
                if args.len() < n {
                    "not enough"
                } else {
                    "too many"
                },
                args.len()
            ))
        }
    };
    match name {
        "len" => {
            count(1)?;
            match &args[0].val {
                Val::Str(s) => Ok(Const {
                    val: Val::Num(BigRational::from_integer(s.len().into()), BigRational::zero()),
                    kind: Kind::Int,
                    typ: Some(Basic::Int),
                    text,
                }),
                _ => Err(format!("invalid argument: {} for built-in len", args[0].describe())),
            }
        }
        "real" | "imag" => {
            count(1)?;
            let x = &args[0];
            // An untyped numeric constant's part is an untyped float; a
            // typed one's is the complex type's float.
            let typ = match x.typ {
                None => Some(None),
                Some(Basic::Complex64) => Some(Some(Basic::Float32)),
                Some(Basic::Complex128) => Some(Some(Basic::Float64)),
                Some(_) => None,
            };
            let (Some((re, im)), Some(typ)) = (x.num(), typ) else {
                return Err(format!(
                    "invalid argument: argument has type {}, expected complex type",
                    x.type_name()
                ));
            };
            let part = if name == "real" { re } else { im };
            Ok(Const {
                val: Val::Num(part.clone(), BigRational::zero()),
                kind: Kind::Float,
                typ,
                text,
            })
        }
        "complex" => {
            count(2)?;
            let mut it = args.into_iter();
            let (re, im) = (it.next().expect("two"), it.next().expect("two"));
            let (re, im) = unify(re, im, arch, &text)?;
            let real_parts = |c: &Const| match (c.num(), c.typ) {
                (Some((r, i)), None | Some(Basic::Float32 | Basic::Float64)) if i.is_zero() => {
                    Some(r.clone())
                }
                _ => None,
            };
            let (Some(r), Some(i)) = (real_parts(&re), real_parts(&im)) else {
                return Err(format!(
                    "invalid operation: {text} (mismatched types {} and {})",
                    re.type_name(),
                    im.type_name()
                ));
            };
            let typ = match re.typ {
                None => None,
                Some(Basic::Float32) => Some(Basic::Complex64),
                Some(Basic::Float64) => Some(Basic::Complex128),
                Some(t) => {
                    return Err(format!(
                        "invalid operation: {text} (arguments have type {}, expected floating-point)",
                        t.name()
                    ))
                }
            };
            settle(
                Const {
                    val: Val::Num(r, i),
                    kind: Kind::Complex,
                    typ,
                    text,
                },
                arch,
                "",
            )
        }
        "min" | "max" => {
            if args.is_empty() {
                return Err(format!("not enough arguments for {text} (expected 1, found 0)"));
            }
            let mut it = args.into_iter();
            let mut best = it.next().expect("one");
            for c in it {
                let (a, b) = unify(best, c, arch, &text)?;
                let less = match (&a.val, &b.val) {
                    (Val::Num(ar, ai), Val::Num(br, _)) if ai.is_zero() && a.kind != Kind::Complex => br < ar,
                    (Val::Str(x), Val::Str(y)) => y < x,
                    _ => {
                        return Err(format!(
                            "invalid argument: {} cannot be ordered",
                            a.describe()
                        ))
                    }
                };
                best = if less == (name == "min") { b } else { a };
            }
            best.text = text;
            Ok(best)
        }
        _ => Err(format!(
            "undefined: {name} (a value is a constant expression of literals, predeclared types and builtins)"
        )),
    }
}

/// How go/constant prints a value in messages: integers in full, floats as
/// %.6g, complex numbers as (re + imi).
fn format_val(v: &Val, kind: Kind) -> String {
    match v {
        Val::Bool(b) => b.to_string(),
        Val::Str(s) => go_quote_bytes(s),
        Val::Num(re, im) if kind == Kind::Complex => {
            format!("({} + {}i)", format_real(re), format_real(im))
        }
        Val::Num(re, _) if kind == Kind::Rune || kind == Kind::Int => {
            if re.is_integer() {
                re.to_integer().to_string()
            } else {
                format_real(re)
            }
        }
        Val::Num(re, _) => format_real(re),
    }
}

fn format_real(q: &BigRational) -> String {
    if q.is_integer() && q.numer().bits() <= 64 {
        return q.to_integer().to_string();
    }
    let f = round_float(q, false).map(f64::from_bits);
    match f {
        Some(f) if f != 0.0 || q.is_zero() => format_g6(f),
        _ => {
            // Beyond float64's range: six significant digits and the decimal
            // exponent, taken from the exact value (Go prints 1e+600 so).
            let sign = if q.is_negative() { "-" } else { "" };
            let a = q.abs();
            let digits = |n: &BigInt| n.to_string().len() as i64;
            let mut e = digits(a.numer()) - digits(a.denom());
            let ten =
                |k: i64| BigRational::from_integer(BigInt::from(10).pow(k.unsigned_abs() as u32));
            let scaled = |e: i64| if e >= 0 { &a / ten(e) } else { &a * ten(e) };
            if scaled(e) < BigRational::one() {
                e -= 1;
            }
            // 1 <= m < 10, rounded to six digits (a carry to 10 moves e).
            let m = (scaled(e) * BigRational::from_integer(BigInt::from(100_000)))
                .round()
                .to_integer();
            let (m, e) = if m >= BigInt::from(1_000_000) {
                (m / 10, e + 1)
            } else {
                (m, e)
            };
            let m = m.to_string();
            let mant = trim_zeros(&format!("{}.{}", &m[..1], &m[1..])).to_string();
            let esign = if e < 0 { '-' } else { '+' };
            format!("{sign}{mant}e{esign}{:02}", e.abs())
        }
    }
}

/// C's %.6g, as Go's fmt prints it (exponent with at least two digits).
fn format_g6(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let exp = f.abs().log10().floor() as i32;
    let s = format!("{:.5e}", f);
    let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(exp);
    if !(-4..6).contains(&e) {
        let mant = trim_zeros(mant);
        let sign = if e < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", e.abs())
    } else {
        let decimals = (5 - e).max(0) as usize;
        trim_zeros(&format!("{:.*}", decimals, f)).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

fn to_scalar(c: &Const, b: Basic) -> Scalar {
    match &c.val {
        Val::Bool(x) => Scalar::Bool(*x),
        Val::Str(s) => Scalar::Str(s.clone()),
        Val::Num(re, im) => match Kind::of(b) {
            Kind::Int => Scalar::Int(re.to_integer().to_i128().unwrap_or(0)),
            Kind::Float => Scalar::Float(round_float(re, b == Basic::Float32).unwrap_or(0)),
            _ => {
                let single = b == Basic::Complex64;
                Scalar::Complex(
                    round_float(re, single).unwrap_or(0),
                    round_float(im, single).unwrap_or(0),
                )
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(s: &str, b: Basic) -> Result<Scalar, String> {
        let arch = Arch::by_name("amd64").unwrap();
        eval_on(s, b, &arch)
    }

    fn eval_on(s: &str, b: Basic, arch: &Arch) -> Result<Scalar, String> {
        let (v, end) = eval_as(s.as_bytes(), 0, b, arch).map_err(|e| e.msg)?;
        assert_eq!(end, s.len(), "{s} read whole");
        Ok(v)
    }

    #[test]
    fn integer_literals_read_as_go_reads_them() {
        assert_eq!(eval("0377", Basic::Int64), Ok(Scalar::Int(255)));
        assert_eq!(eval("0377", Basic::Uint8), Ok(Scalar::Int(255)));
        assert_eq!(eval("0o17", Basic::Int), Ok(Scalar::Int(15)));
        assert_eq!(eval("0x_1F", Basic::Int), Ok(Scalar::Int(31)));
        assert_eq!(eval("1_000", Basic::Int), Ok(Scalar::Int(1000)));
        assert_eq!(eval("'a'", Basic::Int), Ok(Scalar::Int(97)));
        assert_eq!(eval("'\\377'", Basic::Int), Ok(Scalar::Int(255)));
        assert_eq!(eval("1e9", Basic::Int64), Ok(Scalar::Int(1_000_000_000)));
        assert_eq!(eval("1 << 40", Basic::Int64), Ok(Scalar::Int(1 << 40)));
        assert_eq!(eval("-7 / 2", Basic::Int), Ok(Scalar::Int(-3)));
        assert_eq!(eval("-7 % 2", Basic::Int), Ok(Scalar::Int(-1)));
        assert_eq!(eval("-7 >> 1", Basic::Int), Ok(Scalar::Int(-4)));
        assert_eq!(eval("^uint8(0)", Basic::Uint8), Ok(Scalar::Int(255)));
        assert_eq!(eval("^0", Basic::Int), Ok(Scalar::Int(-1)));
        assert_eq!(eval("len(\"héllo\")", Basic::Int), Ok(Scalar::Int(6)));
        for (src, msg) in [
            ("08", "invalid digit '8' in octal literal"),
            ("1__0", "'_' must separate successive digits"),
            ("10_", "'_' must separate successive digits"),
            ("0x", "hexadecimal literal has no digits"),
            ("1e", "exponent has no digits"),
            ("0x1.5", "hexadecimal mantissa requires a 'p' exponent"),
            ("1/0", "invalid operation: division by zero"),
            ("1<<512", "constant shift overflow"),
            ("1 << 1075", "invalid shift count"),
            ("1.5", "(truncated)"),
            (
                "256",
                "cannot use 256 (untyped int constant) as uint8 value (overflows)",
            ),
        ] {
            let b = if src == "256" {
                Basic::Uint8
            } else {
                Basic::Int
            };
            let e = eval(src, b).unwrap_err();
            assert!(e.contains(msg), "{src}: {e}");
        }
        assert!(eval("_10", Basic::Int)
            .unwrap_err()
            .contains("undefined: _10"));
    }

    #[test]
    fn int_size_follows_the_arch() {
        let a386 = Arch::by_name("386").unwrap();
        let e = eval_on("1099511627776", Basic::Uint, &a386).unwrap_err();
        assert_eq!(
            e,
            "cannot use 1099511627776 (untyped int constant) as uint value (overflows)"
        );
        assert_eq!(eval("1099511627776", Basic::Uint), Ok(Scalar::Int(1 << 40)));
    }

    #[test]
    fn floats_round_once_from_the_exact_value() {
        // The decimal nearest float32 bits 0xff: rounding via float64 first gives 0x100.
        assert_eq!(
            eval("3.5803175763499076e-43", Basic::Float32),
            Ok(Scalar::Float(0xff))
        );
        assert_eq!(eval("-0.0", Basic::Float64), Ok(Scalar::Float(0)));
        assert_eq!(eval("-1e-50", Basic::Float32), Ok(Scalar::Float(0)));
        assert_eq!(eval("0x1p-150", Basic::Float32), Ok(Scalar::Float(0)));
        assert_eq!(
            eval("0x1.8p1", Basic::Float64),
            Ok(Scalar::Float(3f64.to_bits()))
        );
        assert_eq!(
            eval("1e600 / 1e599", Basic::Float64),
            Ok(Scalar::Float(10f64.to_bits()))
        );
        assert_eq!(
            eval("1.0/3", Basic::Float64),
            Ok(Scalar::Float((1.0f64 / 3.0).to_bits()))
        );
        assert_eq!(
            eval("0.1", Basic::Float32),
            Ok(Scalar::Float(0.1f32.to_bits() as u64))
        );
        assert_eq!(
            eval("1+2i", Basic::Complex64),
            Ok(Scalar::Complex(
                1f32.to_bits() as u64,
                2f32.to_bits() as u64
            ))
        );
        assert_eq!(
            eval("0777i", Basic::Complex128),
            Ok(Scalar::Complex(0, 777f64.to_bits()))
        );
        assert!(eval("1e39", Basic::Float32)
            .unwrap_err()
            .contains("(overflows)"));
        assert_eq!(eval("5e-324", Basic::Float64), Ok(Scalar::Float(1)));
        assert_eq!(
            eval("1.7976931348623157e308", Basic::Float64),
            Ok(Scalar::Float(f64::MAX.to_bits()))
        );
    }

    #[test]
    fn strings_hold_bytes() {
        assert_eq!(
            eval("\"\\xff\"", Basic::String),
            Ok(Scalar::Str(vec![0xff]))
        );
        assert_eq!(
            eval("\"a\" + `b\\n`", Basic::String),
            Ok(Scalar::Str(b"ab\\n".to_vec()))
        );
        assert!(eval("\"\\q\"", Basic::String)
            .unwrap_err()
            .contains("unknown escape"));
        assert!(eval("'ab'", Basic::Int)
            .unwrap_err()
            .contains("more than one character"));
        assert!(eval("\"\\400\"", Basic::String)
            .unwrap_err()
            .contains("octal escape value 256 > 255"));
    }

    #[test]
    fn round_float_matches_rust_on_exact_doubles() {
        for x in [1.0f64, 0.1, 1e-310, 5e-324, f64::MAX, 123456.789e200, -2.5] {
            let q = float_value(x.to_bits(), false);
            assert_eq!(round_float(&q, false), Some(x.to_bits()), "{x}");
            let y = x as f32;
            if y.is_finite() && y != 0.0 {
                assert_eq!(
                    round_float(&float_value(y.to_bits() as u64, true), true),
                    Some(y.to_bits() as u64)
                );
            }
        }
    }
}
