//! `//ifacealloc:` directives in Go source: which function each one is on.
//! A directive is a line comment in a function's doc comment; the function
//! is named as `asm` and the compiler's listing name it (`F`, `T.M`,
//! `(*T).M`). Read line by line, as gofmt lays declarations out.

/// What a directive asks of its function's compiled code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Directive {
    /// `//ifacealloc:noalloc`: no heap allocation at all.
    NoAlloc,
    /// `//ifacealloc:noifacealloc`: no interface conversion that allocates
    /// (other allocations allowed).
    NoIfaceAlloc,
}

impl Directive {
    pub fn name(self) -> &'static str {
        match self {
            Directive::NoAlloc => "noalloc",
            Directive::NoIfaceAlloc => "noifacealloc",
        }
    }
}

/// A directive and the function it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    pub directive: Directive,
    /// The directive's line (1-based).
    pub line: u32,
    /// The function's `func` line.
    pub func_line: u32,
    /// As the listing names it: `F`, `T.M`, `(*T).M`.
    pub function: String,
}

/// The directives of one file; an error names the line and the fix.
pub fn read(src: &str) -> Result<Vec<Marked>, String> {
    let lines: Vec<&str> = src.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(rest) = l.trim_start().strip_prefix("//ifacealloc:") else {
            continue;
        };
        let word = rest.split_whitespace().next().unwrap_or("");
        let directive = match word {
            "noalloc" => Directive::NoAlloc,
            "noifacealloc" => Directive::NoIfaceAlloc,
            _ => {
                return Err(format!(
                    "line {}: unknown directive //ifacealloc:{word}; use //ifacealloc:noalloc or //ifacealloc:noifacealloc",
                    i + 1
                ))
            }
        };
        // The rest of the doc comment, then the declaration.
        let decl = lines[i + 1..]
            .iter()
            .position(|l| !l.trim_start().starts_with("//"))
            .map(|k| i + 1 + k);
        let func = decl
            .and_then(|d| lines[d].strip_prefix("func ").map(|h| (d, h)))
            .and_then(|(d, h)| func_name(h).map(|n| (d, n)));
        let Some((d, function)) = func else {
            return Err(format!(
                "line {}: //ifacealloc:{} must be in the doc comment of a func declaration",
                i + 1,
                directive.name()
            ));
        };
        out.push(Marked {
            directive,
            line: i as u32 + 1,
            func_line: d as u32 + 1,
            function,
        });
    }
    Ok(out)
}

/// The listing's name of a declaration from the text after `func `:
/// `F(`, `F[T any](`, `(r *T) M(`, `(T[K]) M(`.
fn func_name(head: &str) -> Option<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    if let Some(recv) = head.strip_prefix('(') {
        let close = recv.find(')')?;
        let ty = recv[..close].split_whitespace().last()?;
        let pointer = ty.starts_with('*');
        let ty = ty.trim_start_matches('*');
        let ty = ty.split('[').next().unwrap_or(ty);
        let name = ident(recv[close + 1..].trim_start());
        if name.is_empty() || ty.is_empty() {
            return None;
        }
        return Some(if pointer {
            format!("(*{ty}).{name}")
        } else {
            format!("{ty}.{name}")
        });
    }
    let name = ident(head);
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_directives_on_declarations() {
        let src = "package p\n\n// Sum adds.\n//\n//ifacealloc:noalloc\nfunc Sum(a []int) int {\n\treturn 0\n}\n\n//ifacealloc:noifacealloc\nfunc (b *Buf) Put(x int) {}\n\n//ifacealloc:noalloc\nfunc (v Vec[T]) Len() int { return 0 }\n\n//ifacealloc:noalloc\nfunc Map[K comparable](k K) {}\n";
        let m = read(src).unwrap();
        let got: Vec<(Directive, u32, &str)> = m
            .iter()
            .map(|m| (m.directive, m.func_line, m.function.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Directive::NoAlloc, 6, "Sum"),
                (Directive::NoIfaceAlloc, 11, "(*Buf).Put"),
                (Directive::NoAlloc, 14, "Vec.Len"),
                (Directive::NoAlloc, 17, "Map"),
            ]
        );
        assert!(read("//ifacealloc:nolloc\nfunc F() {}\n")
            .unwrap_err()
            .contains("unknown directive"));
        assert!(read("//ifacealloc:noalloc\nvar x = 1\n")
            .unwrap_err()
            .contains("doc comment of a func"));
    }
}
