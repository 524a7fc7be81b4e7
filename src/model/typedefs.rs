//! Named types for type expressions: `--define 'Name=TYPE'` and the type
//! declarations of a Go file (`--from FILE.go`).
//!
//! The Go file is not compiled: comments are dropped, newlines become `;`
//! where Go's semicolon rule puts one, and each top-level `type` declaration's
//! text goes through the same type parser as any other user input.

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::error::{is_past_limit, UsageError, UsageKind};
use crate::model::gotype::{self, is_identifier, Basic, Defs, Type, TypeName};

/// Names that may not be redefined (predeclared types and `unsafe`).
fn predeclared(name: &str) -> bool {
    matches!(
        name,
        "bool"
            | "byte"
            | "rune"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uintptr"
            | "float32"
            | "float64"
            | "complex64"
            | "complex128"
            | "string"
            | "any"
            | "error"
            | "unsafe"
            // Other universe names: a type named like them would shadow
            // them in the generated code (Go accepts `type nil int`; the
            // measuring program then no longer compiles).
            | "comparable"
            | "true"
            | "false"
            | "iota"
            | "nil"
            | "append"
            | "cap"
            | "clear"
            | "close"
            | "complex"
            | "copy"
            | "delete"
            | "imag"
            | "len"
            | "make"
            | "max"
            | "min"
            | "new"
            | "panic"
            | "print"
            | "println"
            | "real"
            | "recover"
    )
}

/// The kind of usage error a parse error makes.
fn usage_kind(e: &gotype::ParseError) -> UsageKind {
    if e.is_past_limit() {
        UsageKind::PastLimit
    } else {
        UsageKind::Invalid
    }
}

/// Adds a `Name=TYPE` definition to `defs`.
pub fn define(defs: &mut Defs, spec: &str) -> Result<()> {
    let Some((name, expr)) = spec.split_once('=') else {
        return Err(UsageError::new(format!(
            "--define {spec:?}: expected Name=TYPE, e.g. --define 'Point=struct{{ x, y int }}'"
        ))
        .into());
    };
    let name = name.trim();
    check_name(name, "--define")?;
    let text =
        normalize_expr(expr).map_err(|e| UsageError::new(format!("--define {name}: {e}")))?;
    let ty = parse_definition(name, &text, defs).map_err(|e| {
        UsageError::new(format!(
            "--define {name}: cannot parse {:?}: {e}",
            clip(expr.trim())
        ))
        .with_kind(usage_kind(&e))
    })?;
    ty.validate().map_err(|e| {
        UsageError::new(format!(
            "--define {name}: {:?} is not valid Go: {e}",
            clip(expr.trim())
        ))
    })?;
    defs.insert(name.to_string(), named_underlying(ty));
    Ok(())
}

/// Parses the definition of `name`, which may refer to itself behind a
/// pointer, slice, map, channel or func (`struct{ next *Node }`). `defs` is
/// left as it was.
fn parse_definition(name: &str, expr: &str, defs: &mut Defs) -> Result<Type, gotype::ParseError> {
    let me = TypeName::local(name);
    let before = defs.insert(name.to_string(), Type::Ref(me.clone()));
    let parsed = gotype::parse(expr, defs);
    match before {
        Some(t) => defs.insert(name.to_string(), t),
        None => defs.remove(name),
    };
    let ty = parsed?;
    if refers_directly(&ty, name) {
        return Err(gotype::ParseError::invalid(0, format!("invalid recursive type {name}: it contains itself (only a pointer, slice, map, channel or func to {name} can be in it)")));
    }
    let named = Type::Named(me, Box::new(named_underlying(ty.clone())));
    if keyed_by(&ty, name) && !named.is_comparable() {
        return Err(gotype::ParseError::invalid(
            0,
            format!("invalid map key type {name}: map keys must be comparable"),
        ));
    }
    Ok(ty)
}

/// Whether `ty` holds a reference to `name` outside any pointer-shaped part
/// (a field or array element of the type itself: an infinite size).
fn refers_directly(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Ref(n) => n.name == name,
        Type::Struct(fields) => fields.iter().any(|f| refers_directly(&f.ty, name)),
        Type::Array(_, e) => refers_directly(e, name),
        _ => false,
    }
}

/// Whether `ty` has a map keyed by `name` itself (whose comparability is
/// only known once the definition is complete).
fn keyed_by(ty: &Type, name: &str) -> bool {
    let mut found = false;
    walk(ty, &mut |t| {
        if let Type::Map(k, _) = t {
            found |= matches!(&**k, Type::Ref(n) if n.name == name);
        }
    });
    found
}

fn walk(ty: &Type, f: &mut dyn FnMut(&Type)) {
    f(ty);
    match ty {
        Type::Basic(_) | Type::Ref(_) => {}
        Type::Named(_, u)
        | Type::Pointer(u)
        | Type::Slice(u)
        | Type::Array(_, u)
        | Type::Chan(_, u) => walk(u, f),
        Type::Map(k, v) => {
            walk(k, f);
            walk(v, f);
        }
        Type::Func {
            params, results, ..
        } => params.iter().chain(results).for_each(|t| walk(t, f)),
        Type::Struct(fields) => fields.iter().for_each(|fl| walk(&fl.ty, f)),
        Type::Interface(ms) => ms
            .iter()
            .flat_map(|m| m.params.iter().chain(&m.results))
            .for_each(|t| walk(t, f)),
    }
}

/// A type expression as the parser reads it: comments dropped and line
/// breaks turned into the semicolons Go's scanner would insert.
pub fn normalize_expr(expr: &str) -> Result<String, String> {
    let text = normalize(expr)?;
    Ok(text.trim().trim_end_matches(';').trim_end().to_string())
}

fn check_name(name: &str, what: &str) -> Result<()> {
    if !is_identifier(name) || predeclared(name) || name == "_" {
        return Err(UsageError::new(format!(
            "{what}: {:?} is not a name a new type can have; use a Go identifier that is not predeclared",
            clip(name)
        ))
        .into());
    }
    Ok(())
}

/// A defined type's underlying type: `type B A` has A's underlying type.
fn named_underlying(ty: Type) -> Type {
    match ty {
        Type::Named(_, u) => *u,
        t => t,
    }
}

/// Shortens user text for an error message.
pub fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Reads the top-level type declarations of Go source `src` into `defs`.
/// Declarations that cannot be modelled (generic types, types from other
/// packages) are skipped and listed in the returned warnings; using one later
/// gives a parse error naming it.
pub fn from_go_source(src: &str, defs: &mut Defs) -> Result<Vec<Skipped>> {
    let text = normalize(src).map_err(|e| UsageError::new(format!("--from: {e}")))?;
    let decls = type_decls(&text);
    let mut pending: Vec<(String, String, bool)> = decls; // (name, expr, alias)
    let mut warnings = Vec::new();
    loop {
        let mut progressed = false;
        let mut still = Vec::new();
        for (name, expr, alias) in pending {
            // A type may refer to itself; an alias may not (Go: "invalid
            // recursive type alias").
            let parsed = if alias {
                gotype::parse(&expr, defs)
            } else {
                parse_definition(&name, &expr, defs)
            };
            match parsed {
                Ok(t) => {
                    let t = if alias { t } else { named_underlying(t) };
                    defs.insert(name, t);
                    progressed = true;
                }
                Err(e) => still.push((name, expr, alias, e)),
            }
        }
        pending = still
            .iter()
            .map(|(n, e, a, _)| (n.clone(), e.clone(), *a))
            .collect();
        if !progressed || pending.is_empty() {
            for (n, e, _, err) in still {
                warnings.push(Skipped {
                    text: format!("type {n} {}: {err}", clip(&e)),
                    past_limit: err.is_past_limit(),
                });
            }
            break;
        }
    }
    Ok(warnings)
}

/// Drops comments and inserts Go's automatic semicolons; strings stay as they are.
fn normalize(src: &str) -> Result<String, String> {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    // Whether the last token allows a semicolon at the end of the line.
    let mut last_ends_stmt = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..].find("*/").ok_or("unterminated /* comment")?;
                let body = &src[i + 2..i + 2 + end];
                if body.contains('\n') && last_ends_stmt {
                    out.push(';');
                    last_ends_stmt = false;
                }
                out.push(' ');
                i += end + 4;
            }
            b'\n' => {
                if last_ends_stmt {
                    out.push(';');
                }
                out.push(' ');
                last_ends_stmt = false;
                i += 1;
            }
            b'"' | b'`' | b'\'' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != c {
                    if b[i] == b'\\' && c != b'`' {
                        i += 1;
                    }
                    if i >= b.len() || (b[i] == b'\n' && c != b'`') {
                        return Err("unterminated string literal".into());
                    }
                    i += 1;
                }
                if i >= b.len() {
                    return Err("unterminated string literal".into());
                }
                i += 1;
                let lit = &src[start..i];
                if c == b'`' && lit.contains('\n') {
                    // Keep the file's line structure out of type text: a raw
                    // string with a newline cannot be a struct tag we accept.
                    out.push_str("\"\"");
                } else {
                    out.push_str(lit);
                }
                last_ends_stmt = true;
            }
            b' ' | b'\t' | b'\r' => {
                out.push(' ');
                i += 1;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                last_ends_stmt = ch.is_alphanumeric() || matches!(ch, '_' | ')' | ']' | '}');
                i += ch.len_utf8();
            }
        }
    }
    Ok(out)
}

/// (name, type text, is alias) for each top-level `type` declaration.
fn type_decls(text: &str) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut depth = 0i32;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' => depth -= 1,
            b'"' | b'`' | b'\'' => i = closing_quote(b, i),
            _ => {}
        }
        // Bytes, not str slices: `i` may sit inside a multi-byte character.
        if depth == 0 && b[i..].starts_with(b"type") && word_boundary(b, i, 4) {
            i += 4;
            let rest = text[i..].trim_start();
            i = b.len() - rest.len();
            if rest.starts_with('(') {
                // A group: specs separated by ';' until the matching ')'.
                let close = matching(text, i).unwrap_or(b.len());
                for spec in split_top(&text[i + 1..close.min(b.len())]) {
                    push_spec(&mut out, spec);
                }
                i = close + 1;
            } else {
                let end = next_top_semicolon(text, i);
                push_spec(&mut out, &text[i..end]);
                i = end + 1;
            }
            continue;
        }
        i += 1;
    }
    out
}

fn word_boundary(b: &[u8], i: usize, len: usize) -> bool {
    let before = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    let after = b
        .get(i + len)
        .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
    before && after
}

fn push_spec(out: &mut Vec<(String, String, bool)>, spec: &str) {
    let spec = spec.trim();
    let name_end = spec
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(spec.len());
    let (name, rest) = spec.split_at(name_end);
    if name.is_empty() || is_type_parameter_list(rest) {
        return; // empty, or a generic type declaration: not modelled
    }
    let rest = rest.trim();
    let (alias, expr) = match rest.strip_prefix('=') {
        Some(e) => (true, e.trim()),
        None => (false, rest),
    };
    if !expr.is_empty() && !predeclared(name) && Basic::Bool.name() != name {
        out.push((
            name.to_string(),
            expr.trim_end_matches(';').trim().to_string(),
            alias,
        ));
    }
}

/// `[T any]`, `[K comparable, V any]`: a type parameter list, not an array length.
fn is_type_parameter_list(rest: &str) -> bool {
    let Some(inner) = rest.trim_start().strip_prefix('[') else {
        return false;
    };
    let inner = &inner[..inner.find(']').unwrap_or(inner.len())];
    let inner = inner.trim();
    inner.starts_with(|c: char| c.is_alphabetic() || c == '_') && inner.contains([' ', ','])
}

/// The index of the quote that closes the literal opening at `i` (or the end).
fn closing_quote(b: &[u8], mut i: usize) -> usize {
    let q = b[i];
    i += 1;
    while i < b.len() && b[i] != q {
        if b[i] == b'\\' && q != b'`' {
            i += 1;
        }
        i += 1;
    }
    i
}

fn matching(text: &str, open: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'"' | b'`' | b'\'' => i = closing_quote(b, i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn next_top_semicolon(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut depth = 0;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' => depth -= 1,
            b';' if depth == 0 => return i,
            b'"' | b'`' | b'\'' => i = closing_quote(b, i),
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let end = next_top_semicolon(s, start);
        out.push(&s[start..end.min(s.len())]);
        if end >= s.len() {
            return out;
        }
        start = end + 1;
    }
}

/// Parses `--define`s and `--from` into type definitions.
pub fn load_defs(defines: &[String], from: &[PathBuf]) -> Result<Defs> {
    let (defs, failed) = load_defs_lenient(defines, from)?;
    for w in &failed.skipped {
        eprintln!("ifacealloc: --from {w}");
    }
    match failed.defines.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(defs),
    }
}

/// What the offline reader could not read: `--define`s (their errors) and
/// `--from` declarations.
#[derive(Debug, Default)]
pub struct Unread {
    pub defines: Vec<anyhow::Error>,
    pub skipped: Vec<Skipped>,
}

/// A `--from` declaration the offline reader skipped, and why
/// (`file: skipped type ...`).
#[derive(Debug, Clone)]
pub struct Skipped {
    pub text: String,
    /// Past one of ifacealloc's limits: go/types is not asked either.
    pub past_limit: bool,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Unread {
    pub fn is_empty(&self) -> bool {
        self.defines.is_empty() && self.skipped.is_empty()
    }
}

/// Like [`load_defs`], but a definition that cannot be read is left out and
/// listed, for a reader that can (go/types) to take over. Only an unreadable
/// file fails.
pub fn load_defs_lenient(defines: &[String], from: &[PathBuf]) -> Result<(Defs, Unread)> {
    let mut unread = Unread::default();
    let mut defs = Defs::new();
    // Files in the order given, as a package's files: a later one may use an
    // earlier one's types.
    for path in from {
        let src = std::fs::read_to_string(path).map_err(|e| {
            UsageError::new(format!(
                "--from {}: {e}; give a readable Go source file",
                path.display()
            ))
        })?;
        for w in from_go_source(&src, &mut defs)? {
            unread.skipped.push(Skipped {
                text: format!("{}: skipped {}", path.display(), w.text),
                ..w
            });
        }
    }
    for d in defines {
        // A name that cannot be defined is wrong whoever reads the type.
        match d.split_once('=') {
            Some((name, _)) => check_name(name.trim(), "--define")?,
            None => define(&mut defs, d)?,
        }
        if let Err(e) = define(&mut defs, d) {
            if is_past_limit(&e) {
                return Err(e);
            }
            unread.defines.push(e);
        }
    }
    Ok((defs, unread))
}

/// Parses a user's type expression into the model, or a one-line error.
/// The largest type accepted, so a typo like `[1000000000]int64` cannot make
/// the measuring program allocate gigabytes.
pub const MAX_TYPE_SIZE: u64 = 1 << 30;

pub fn parse_type(expr: &str, defs: &Defs) -> Result<Type> {
    let ty = parse_syntax(expr, defs)
        .map_err(|e| UsageError::new(format!("cannot parse type {:?}: {e}", clip(expr))))?;
    checked(expr, ty)
}

/// The offline reader on `expr` (comments and line breaks as Go reads
/// them), before Go's rules and the size limit are checked.
pub fn parse_syntax(expr: &str, defs: &Defs) -> Result<Type, gotype::ParseError> {
    let text = normalize_expr(expr).map_err(|msg| gotype::ParseError::invalid(0, msg))?;
    gotype::parse(&text, defs)
}

/// `ty`, read from `expr`, if Go accepts it (comparable map keys, unique
/// fields) and it is within [`MAX_TYPE_SIZE`] on amd64.
pub fn checked(expr: &str, ty: Type) -> Result<Type> {
    ty.validate().map_err(|e| {
        UsageError::new(format!(
            "type {:?} is not valid Go: {e}; fix the type expression",
            clip(expr)
        ))
    })?;
    let amd64 = gotype::Arch::by_name("amd64").expect("amd64 is known");
    check_size(expr, ty, &amd64)
}

/// `ty` if it is at most [`MAX_TYPE_SIZE`] bytes on `arch`, else the error
/// naming `expr`.
pub fn check_size(expr: &str, ty: Type, arch: &gotype::Arch) -> Result<Type> {
    let size = ty.layout(arch).size;
    if size > MAX_TYPE_SIZE {
        return Err(UsageError::past_limit(format!(
            "type {:?} is {size} bytes; ifacealloc handles types up to {MAX_TYPE_SIZE} bytes",
            clip(expr)
        ))
        .into());
    }
    Ok(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_declarations_from_go_source() {
        let src = r#"package p

// Point is a point.
type Point struct {
	X, Y int32 // coordinates
	tag  string `json:"tag"`
}

type (
	ID   int64
	Pair [2]Point
	Alias = Point
	List[T any] []T
)

type Node struct{ next *Node2 }
type Node2 struct{ v int }

func f() { type inner int }
"#;
        let mut defs = Defs::new();
        let warnings = from_go_source(src, &mut defs).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let t = gotype::parse("Pair", &defs).unwrap();
        let amd64 = gotype::Arch::by_name("amd64").unwrap();
        assert_eq!(t.layout(&amd64).size, 48);
        assert_eq!(
            gotype::parse("ID", &defs).unwrap().basic(),
            Some(Basic::Int64)
        );
        assert!(defs.contains_key("Node"));
        assert!(!defs.contains_key("List"));
        assert!(!defs.contains_key("inner"));
    }

    #[test]
    fn define_checks_names() {
        let mut defs = Defs::new();
        define(&mut defs, "P=struct{ x int }").unwrap();
        assert!(define(&mut defs, "int=string").is_err());
        assert!(define(&mut defs, "a b=int").is_err());
        assert!(define(&mut defs, "Q").is_err());
    }
}
