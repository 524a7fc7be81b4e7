//! Reads `lem` annotations and function extents from Go source without
//! compiling it: a small lexer that knows comments, strings, runes and braces.

use std::path::{Path, PathBuf};

use regex::Regex;

/// One `lem.<ID>.<key>[@qualifier...](=|!=)<value>` annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub file: PathBuf,
    pub line: u32,
    pub id: String,
    pub key: Key,
    /// `@go1.25` → minimum Go minor version.
    pub min_go: Option<u32>,
    /// `@386` → GOARCH.
    pub goarch: Option<String>,
    pub value: String,
    /// Whether it sits in the doc comment of a function (else trailing/inline).
    pub in_doc: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Name,
    Alloc,
    Bytes,
    Match,
    NoMatch,
}

/// A top-level function or method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Func {
    pub file: PathBuf,
    pub name: String,
    /// Line of `func`, and the last line of its body.
    pub start: u32,
    pub end: u32,
    /// Whether the signature is exactly `(b *testing.B)` with no results.
    pub is_benchmark: bool,
    /// First line of its doc comment (== start when it has none).
    pub doc_start: u32,
}

/// What one file holds.
#[derive(Debug, Default)]
pub struct FileScan {
    pub annotations: Vec<Annotation>,
    pub funcs: Vec<Func>,
    /// Malformed annotations (`lem.x.alloc=abc`): (line, message).
    pub errors: Vec<(u32, String)>,
    /// The package clause's name.
    pub package: String,
}

struct Comment {
    line: u32,
    text: String,
    /// The comment is the only thing on its line.
    alone: bool,
}

/// Scans one Go source file.
pub fn scan_file(path: &Path, src: &str) -> FileScan {
    let (comments, mut funcs, package) = read_tokens(path, src);
    attach_doc_comments(&mut funcs, &comments);
    let mut out = FileScan {
        funcs,
        package,
        ..FileScan::default()
    };
    let re = annotation_regex();
    for c in &comments {
        for m in re.captures_iter(&c.text) {
            let key = match (&m["key"], &m["op"]) {
                ("name", "=") => Key::Name,
                ("alloc", "=") => Key::Alloc,
                ("bytes", "=") => Key::Bytes,
                ("m", "=") => Key::Match,
                ("m", "!=") => Key::NoMatch,
                (k, op) => {
                    out.errors.push((
                        c.line,
                        format!("lem.{}.{k}{op}: only m may use !=", &m["id"]),
                    ));
                    continue;
                }
            };
            let (min_go, goarch) = qualifiers(
                m.name("qual").map(|q| q.as_str()),
                &m["id"],
                c.line,
                &mut out.errors,
            );
            let in_doc = c.alone
                && out
                    .funcs
                    .iter()
                    .any(|f| f.doc_start <= c.line && c.line < f.start);
            out.annotations.push(Annotation {
                file: path.to_path_buf(),
                line: c.line,
                id: m["id"].to_string(),
                key,
                min_go,
                goarch,
                value: m["val"].trim_end().to_string(),
                in_doc,
            });
        }
    }
    out
}

/// One pass over the file's bytes: its comments (each with its line, and
/// whether code precedes it on the line), its top-level functions (name,
/// lines, whether a benchmark) and its package name.
fn read_tokens(path: &Path, src: &str) -> (Vec<Comment>, Vec<Func>, String) {
    let b = src.as_bytes();
    let mut comments: Vec<Comment> = Vec::new();
    let mut funcs: Vec<Func> = Vec::new();
    let mut package = String::new();
    let mut line: u32 = 1;
    let mut line_has_code = false;
    let mut depth = 0i32;
    // (name, start line, signature text so far, body depth) of the function being read.
    let mut pending: Option<(String, u32, String)> = None;
    let mut open_func: Option<(String, u32, bool)> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                line_has_code = false;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = src[i..].find('\n').map(|k| i + k).unwrap_or(b.len());
                comments.push(Comment {
                    line,
                    text: src[i + 2..end].to_string(),
                    alone: !line_has_code,
                });
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                // An unterminated comment runs to the end of the file.
                let (body_end, end) = match src[i + 2..].find("*/") {
                    Some(k) => (i + 2 + k, i + 2 + k + 2),
                    None => (b.len(), b.len()),
                };
                let body = &src[i + 2..body_end];
                for (k, part) in body.split('\n').enumerate() {
                    comments.push(Comment {
                        line: line + k as u32,
                        text: part.to_string(),
                        alone: k > 0 || !line_has_code,
                    });
                }
                line += body.matches('\n').count() as u32;
                i = end;
            }
            b'"' | b'\'' | b'`' => {
                line_has_code = true;
                let q = c;
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && q != b'`' {
                        i += 1;
                    } else if b[i] == b'\n' {
                        if q != b'`' {
                            break;
                        }
                        line += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'{' => {
                line_has_code = true;
                depth += 1;
                if depth == 1 {
                    if let Some((name, start, sig)) = pending.take() {
                        let is_bench = benchmark_signature(&sig);
                        open_func = Some((name, start, is_bench));
                        let _ = start;
                    }
                }
                i += 1;
            }
            b'}' => {
                line_has_code = true;
                depth -= 1;
                if depth == 0 {
                    if let Some((name, start, is_bench)) = open_func.take() {
                        funcs.push(Func {
                            file: path.to_path_buf(),
                            name,
                            start,
                            end: line,
                            is_benchmark: is_bench,
                            doc_start: start,
                        });
                    }
                }
                i += 1;
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let at_line_start = !line_has_code;
                line_has_code = true;
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = &src[start..i];
                if depth == 0 && word == "package" && package.is_empty() {
                    let rest = src[i..].trim_start();
                    package = rest
                        .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                        .next()
                        .unwrap_or("")
                        .to_string();
                }
                // A declaration's `func` starts its line; one after it is a
                // func type in the signature (`func F() func() any {`).
                if depth == 0 && word == "func" && at_line_start {
                    // func Name(...) or func (r T) Name(...)
                    let rest = &src[i..];
                    let (name, sig) = func_name_and_signature(rest);
                    if let Some(name) = name {
                        pending = Some((name, line, sig));
                    }
                }
            }
            _ => {
                if !c.is_ascii_whitespace() {
                    line_has_code = true;
                }
                i += 1;
            }
        }
    }
    (comments, funcs, package)
}

/// Each function's doc comment: the contiguous lone comments directly above it.
fn attach_doc_comments(funcs: &mut [Func], comments: &[Comment]) {
    for f in funcs.iter_mut() {
        let mut l = f.start;
        while l > 1 && comments.iter().any(|c| c.line == l - 1 && c.alone) {
            l -= 1;
        }
        f.doc_start = l;
    }
}

/// An annotation key's `@go1.NN` and `@GOARCH` qualifiers: the minimum Go
/// minor version and the GOARCH it applies to; bad ones are added to `errors`.
fn qualifiers(
    qual: Option<&str>,
    id: &str,
    line: u32,
    errors: &mut Vec<(u32, String)>,
) -> (Option<u32>, Option<String>) {
    let mut min_go = None;
    let mut goarch = None;
    if let Some(q) = qual {
        for part in q.split('@').filter(|p| !p.is_empty()) {
            if let Some(v) = part.strip_prefix("go") {
                match crate::model::goversion::GoVersion::parse(v) {
                    Some(gv) if gv.major == 1 => min_go = Some(gv.minor),
                    _ => {
                        errors.push((
                            line,
                            format!("lem.{}: bad Go version qualifier @{part}", id),
                        ));
                    }
                }
            } else if crate::model::gotype::Arch::by_name(part).is_some() {
                goarch = Some(part.to_string());
            } else {
                errors.push((
                    line,
                    format!(
                        "lem.{}: unknown qualifier @{part} (use @go1.NN or a GOARCH)",
                        id
                    ),
                ));
            }
        }
    }
    (min_go, goarch)
}

fn annotation_regex() -> Regex {
    Regex::new(r"^\s*lem\.(?P<id>[^.\s]+)\.(?P<key>[a-z]+)(?P<qual>(?:@[A-Za-z0-9.]+)*)(?P<op>!=|=)(?P<val>.*)$")
        .expect("static regex")
}

/// From the text after `func`: the function's name (`T.M` for methods) and
/// its signature up to the body.
fn func_name_and_signature(rest: &str) -> (Option<String>, String) {
    let r = rest.trim_start();
    let sig_end = r.find('{').unwrap_or(r.len());
    let sig = &r[..sig_end];
    let (recv, after) = if r.starts_with('(') {
        match r.find(')') {
            Some(k) => {
                let recv = r[1..k]
                    .split_whitespace()
                    .last()
                    .unwrap_or("")
                    .trim_start_matches('*')
                    .to_string();
                (Some(recv), r[k + 1..].trim_start())
            }
            None => return (None, String::new()),
        }
    } else {
        (None, r)
    };
    let name: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() {
        return (None, String::new());
    }
    let sig_text = after[name.len()..].to_string();
    let full = match recv {
        Some(t) => format!("{t}.{name}"),
        None => name,
    };
    let _ = sig;
    (
        Some(full),
        sig_text[..sig_text.find('{').unwrap_or(sig_text.len())].to_string(),
    )
}

/// `(b *testing.B)` with any parameter name and no results.
fn benchmark_signature(sig: &str) -> bool {
    let s: String = sig.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) else {
        return false;
    };
    let parts: Vec<&str> = inner.split_whitespace().collect();
    matches!(parts.as_slice(), [_, "*testing.B"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_func_type_in_a_signature_is_not_a_declaration() {
        let src = "package p\n\nfunc Closure(v int64) func() any { return func() any { return v } }\n\nfunc F(f func(int)) {}\n";
        let names: Vec<String> = scan_file(Path::new("p.go"), src)
            .funcs
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, ["Closure", "F"]);
    }

    #[test]
    fn finds_annotations_and_functions() {
        let src = "package p_test\n\nimport \"testing\"\n\n// lem.a1.name=first case\n// lem.a1.alloc=1\n// lem.a1.bytes@go1.25=0-8\nfunc a1(b *testing.B) {\n\tx := \"{ // lem.fake.m=no\"\n\tsink = x // lem.a1.m=x escapes to heap\n\t_ = `raw\n}`\n}\n\nfunc (t *T) helper(p *int) *int { // lem.a2.m!=leak\n\treturn p\n}\n";
        let s = scan_file(Path::new("/x/p_test.go"), src);
        assert_eq!(s.package, "p_test");
        assert_eq!(s.funcs.len(), 2);
        assert_eq!(
            (
                s.funcs[0].name.as_str(),
                s.funcs[0].start,
                s.funcs[0].end,
                s.funcs[0].doc_start
            ),
            ("a1", 8, 13, 5)
        );
        assert!(s.funcs[0].is_benchmark);
        assert_eq!(s.funcs[1].name, "T.helper");
        assert!(!s.funcs[1].is_benchmark);
        let keys: Vec<(String, Key, u32, bool)> = s
            .annotations
            .iter()
            .map(|a| (a.id.clone(), a.key, a.line, a.in_doc))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("a1".into(), Key::Name, 5, true),
                ("a1".into(), Key::Alloc, 6, true),
                ("a1".into(), Key::Bytes, 7, true),
                ("a1".into(), Key::Match, 10, false),
                ("a2".into(), Key::NoMatch, 15, false),
            ]
        );
        assert_eq!(s.annotations[2].min_go, Some(25));
        assert_eq!(s.annotations[3].value, "x escapes to heap");
    }
}
