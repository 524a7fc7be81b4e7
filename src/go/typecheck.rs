//! Types only go/types can read: other packages' types (`time.Duration`,
//! `net/netip.Addr`, `example.com/m/pkg.T`), generic instantiations
//! (`Box[int]`), mutually recursive declarations in `--from` files.
//!
//! `typecheck.go` (shipped in this crate, built with the user's toolchain)
//! parses the expressions and files with go/parser and checks them with
//! go/types against the export data `go list -export` gives for their
//! imports; its answer is a graph of type nodes, read here into the
//! [`Type`] model. Every answer's layout is compared with go/types' own
//! (with the compiler's sizes), so the model and Go never disagree silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::cli::error::UsageError;
use crate::go::command::GoCommandFailed;
use crate::go::toolchain::Toolchain;
use crate::model::gotype;
use crate::model::gotype::{Arch, Basic, ChanDir, Defs, Field, Method, Package, Type, TypeName};
use crate::model::typedefs::{check_size, checked, clip, load_defs_lenient, parse_syntax, Unread};

const TYPECHECK_GO: &str = include_str!("typecheck.go");

/// How many type nodes one answer may expand to (named types are expanded
/// where they are used, so a graph can spell a much larger tree).
const MAX_NODES: usize = 100_000;
/// How deep an answer may nest (as the offline reader's limit).
const MAX_DEPTH: usize = 100;

/// The prefix of the names the expressions use for packages: the user's
/// spelling (`time`, `net/netip`) is an import path, not an identifier.
const ALIAS: &str = "ifaceallocPkg";

#[derive(Serialize)]
struct Define {
    name: String,
    expr: String,
}

#[derive(Serialize)]
struct Request {
    goarch: String,
    export: BTreeMap<String, String>,
    files: Vec<String>,
    defines: Vec<Define>,
    imports: BTreeMap<String, String>,
    exprs: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FieldNode {
    name: String,
    embedded: bool,
    #[serde(rename = "type")]
    ty: usize,
    tag: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MethodNode {
    name: String,
    params: Vec<usize>,
    results: Vec<usize>,
    variadic: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Node {
    kind: String,
    basic: String,
    elem: usize,
    key: usize,
    len: u64,
    dir: String,
    params: Vec<usize>,
    results: Vec<usize>,
    variadic: bool,
    fields: Vec<FieldNode>,
    methods: Vec<MethodNode>,
    pkg_path: String,
    pkg_name: String,
    name: String,
    args: Vec<usize>,
    underlying: usize,
    size: u64,
    align: u64,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "type")]
    ty: Option<usize>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Response {
    error: Option<String>,
    answers: Vec<Answer>,
    nodes: Vec<Node>,
}

/// What the type expressions are read against: `--define`s and `--from`
/// files, as the user gave them.
pub struct Sources {
    pub defines: Vec<String>,
    pub from: Vec<PathBuf>,
}

/// Reads each of `exprs` with go/types, in `dir` (whose module supplies
/// module-qualified types), laid out for `arch`. The outer error is for
/// what spoils every answer (a `--from` file or `--define` that does not
/// check, a package go cannot find); each answer is the type or go/types'
/// message.
pub fn resolve(
    tc: &Toolchain,
    dir: &Path,
    exprs: &[String],
    ctx: &Sources,
    arch: &Arch,
) -> Result<Vec<std::result::Result<Type, String>>> {
    let mut imports = BTreeMap::new();
    let exprs: Vec<String> = exprs.iter().map(|e| qualify(e, &mut imports)).collect();
    let mut defines = Vec::new();
    for d in &ctx.defines {
        let (name, expr) = d.split_once('=').unwrap_or((d, ""));
        defines.push(Define {
            name: name.trim().to_string(),
            expr: qualify(expr.trim(), &mut imports),
        });
    }
    let files: Vec<String> = ctx
        .from
        .iter()
        .map(|p| {
            std::path::absolute(p)
                .unwrap_or_else(|_| p.clone())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-typecheck-")?;
    let exe = tc.helper("typecheck", TYPECHECK_GO, tmp.path())?;
    // The export data of every package the expressions and files import.
    let mut paths: Vec<String> = imports.values().cloned().collect();
    if !files.is_empty() {
        let out = crate::cli::interrupt::output(
            std::process::Command::new(&exe)
                .arg("-imports")
                .args(&files),
        )
        .context("listing the imports of the --from files")?;
        paths.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string),
        );
    }
    paths.sort();
    paths.dedup();
    let mut export = BTreeMap::new();
    let mut module_dirs: BTreeMap<String, String> = BTreeMap::new();
    if !paths.is_empty() {
        let pkgs = crate::go::list::list(tc, dir, &["-export", "-deps"], &paths).map_err(|e| {
            let msg = e.to_string();
            UsageError::new(format!(
                "reading the packages the types need ({}): {}; {}",
                paths.join(", "),
                msg.trim(),
                import_path_hint(tc, dir, &paths)
            ))
        })?;
        for p in pkgs {
            if let Some(d) = p.module.as_ref().and_then(|m| m.dir.as_ref()) {
                module_dirs.insert(p.import_path.clone(), d.to_string_lossy().into_owned());
            }
            if let Some(e) = p.export {
                export.insert(p.import_path, e);
            }
        }
    }
    let req = Request {
        goarch: arch.name.to_string(),
        export,
        files,
        defines,
        imports: imports.clone(),
        exprs: exprs.clone(),
    };
    let req_file = tmp.path().join("request.json");
    std::fs::write(&req_file, serde_json::to_vec(&req)?)?;
    let out = crate::cli::interrupt::output(std::process::Command::new(&exe).arg(&req_file))
        .context("running the type checker")?;
    if !out.status.success() {
        return Err(GoCommandFailed {
            command: "type-checking the type expressions".into(),
            output: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
        .into());
    }
    let resp: Response =
        serde_json::from_slice(&out.stdout).context("reading the type checker's answer")?;
    if let Some(e) = resp.error {
        return Err(UsageError::new(unalias(&e, &imports)).into());
    }
    Ok(resp
        .answers
        .iter()
        .zip(&exprs)
        .map(|(a, expr)| match (a.ty, &a.error) {
            (_, Some(e)) => Err(unalias(e, &imports)),
            (Some(id), None) => {
                let mut b = Builder {
                    nodes: &resp.nodes,
                    module_dirs: &module_dirs,
                    path: Vec::new(),
                    count: 0,
                    depth: 0,
                };
                let ty = b.build(id).map_err(|e| unalias(&e, &imports))?;
                check_layout(&ty, &resp.nodes, id, arch)
                    .map_err(|e| format!("{}: {e}", unalias(expr, &imports)))?;
                Ok(ty)
            }
            (None, None) => Err("no answer".into()),
        })
        .collect())
}

/// How to name a package go could not find: by its import path, and, for a
/// bare name such as `atomic`, the standard library paths ending in it.
fn import_path_hint(tc: &Toolchain, dir: &Path, paths: &[String]) -> String {
    let bare: Vec<&String> = paths.iter().filter(|p| !p.contains(['/', '.'])).collect();
    let std = crate::go::list::list(tc, dir, &[], &["std".to_string()]).unwrap_or_default();
    let suggestions: Vec<String> = bare
        .iter()
        .flat_map(|b| {
            std.iter()
                .filter(|p| {
                    p.import_path.rsplit('/').next() == Some(b.as_str())
                        && !p.import_path.contains("internal")
                })
                .map(|p| format!("{}.", p.import_path))
                .collect::<Vec<_>>()
        })
        .collect();
    if suggestions.is_empty() {
        "write a package by its import path (net/netip.Addr, example.com/m/pkg.T) from a folder whose module can import it".into()
    } else {
        format!("write the import path: {}", suggestions.join(" or "))
    }
}

/// The model's layout must be go/types' (the compiler's sizes): a
/// difference is a bug here, never a guess to pass on.
fn check_layout(
    ty: &Type,
    nodes: &[Node],
    id: usize,
    arch: &Arch,
) -> std::result::Result<(), String> {
    let l = ty.layout(arch);
    let n = &nodes[id];
    if l.size != n.size || l.align != n.align {
        return Err(format!(
            "ifacealloc lays the type out as size {}, align {} on {}, go/types as size {}, align {}; please report this",
            l.size, l.align, arch.name, n.size, n.align
        ));
    }
    Ok(())
}

/// Replaces each package qualifier the user wrote (`time.`, `net/netip.`,
/// `example.com/m/pkg.`) by an identifier, recorded in `imports` with the
/// import path it stands for. Strings (struct tags) are left alone.
pub fn qualify(expr: &str, imports: &mut BTreeMap<String, String>) -> String {
    let b = expr.as_bytes();
    let mut out = String::with_capacity(expr.len());
    let mut i = 0;
    let path_byte =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'-' | b'~');
    let ident_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let c = b[i];
        if c == b'"' || c == b'`' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != c {
                if b[i] == b'\\' && c == b'"' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
            out.push_str(&expr[start..i]);
            continue;
        }
        // After `...` (a variadic parameter) a new word starts; after a
        // single '.' the rest of a qualified name goes on.
        let after_ellipsis = i >= 3 && &b[i - 3..i] == b"...";
        let starts_word = (c.is_ascii_alphabetic() || c == b'_')
            && (i == 0 || !path_byte(b[i - 1]) || after_ellipsis);
        if !starts_word {
            let ch = expr[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let mut end = i;
        while end < b.len() && path_byte(b[end]) {
            end += 1;
        }
        let run = &expr[i..end];
        // The last '.' followed by an identifier splits path and name.
        let split = run
            .char_indices()
            .rev()
            .find(|&(k, ch)| {
                ch == '.' && run[k + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            })
            .map(|(k, _)| k);
        match split {
            Some(k) if k > 0 && !run[..k].ends_with(['/', '.', '-']) => {
                let path = &run[..k];
                let name_len = run[k + 1..].bytes().take_while(|&c| ident_byte(c)).count();
                let alias = match imports.iter().find(|(_, p)| *p == path) {
                    Some((a, _)) => a.clone(),
                    None => {
                        let a = format!("{ALIAS}{}", imports.len());
                        imports.insert(a.clone(), path.to_string());
                        a
                    }
                };
                out.push_str(&alias);
                out.push('.');
                out.push_str(&run[k + 1..k + 1 + name_len]);
                i += k + 1 + name_len;
            }
            _ => {
                // A plain identifier (or something go/parser will reject).
                let len = run.bytes().take_while(|&c| ident_byte(c)).count().max(1);
                out.push_str(&run[..len]);
                i += len;
            }
        }
    }
    out
}

/// Puts the user's package spelling back into a message about `text`.
fn unalias(text: &str, imports: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    // Longest alias first: ifaceallocPkg10 before ifaceallocPkg1.
    let mut aliases: Vec<(&String, &String)> = imports.iter().collect();
    aliases.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
    for (alias, path) in aliases {
        out = out.replace(alias.as_str(), path);
    }
    out
}

/// Reads the node graph into the model: a named type met again inside
/// itself becomes a [`Type::Ref`].
struct Builder<'a> {
    nodes: &'a [Node],
    /// Import path → its module's root, for packages outside the standard library.
    module_dirs: &'a BTreeMap<String, String>,
    /// The named types being expanded, outermost first.
    path: Vec<usize>,
    count: usize,
    depth: usize,
}

impl Builder<'_> {
    fn build(&mut self, id: usize) -> std::result::Result<Type, String> {
        self.count += 1;
        self.depth += 1;
        let t = self.build_inner(id);
        self.depth -= 1;
        t
    }

    fn build_inner(&mut self, id: usize) -> std::result::Result<Type, String> {
        if self.count > MAX_NODES {
            return Err(format!(
                "the type is larger than {MAX_NODES} parts once its named types are expanded"
            ));
        }
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "the type nests deeper than {MAX_DEPTH} levels once its named types are expanded"
            ));
        }
        let n = self.nodes.get(id).ok_or("a type node out of range")?;
        let boxed = |b: &mut Self, id| b.build(id).map(Box::new);
        let list = |b: &mut Self, ids: &[usize]| {
            ids.iter()
                .map(|&i| b.build(i))
                .collect::<std::result::Result<Vec<_>, _>>()
        };
        Ok(match n.kind.as_str() {
            "basic" => Type::Basic(
                Basic::from_name(&n.basic)
                    .or_else(|| (n.basic == "Pointer").then_some(Basic::UnsafePointer))
                    .ok_or_else(|| format!("unknown basic type {}", n.basic))?,
            ),
            "pointer" => Type::Pointer(boxed(self, n.elem)?),
            "slice" => Type::Slice(boxed(self, n.elem)?),
            "array" => Type::Array(n.len, boxed(self, n.elem)?),
            "map" => Type::Map(boxed(self, n.key)?, boxed(self, n.elem)?),
            "chan" => Type::Chan(
                match n.dir.as_str() {
                    "send" => ChanDir::Send,
                    "recv" => ChanDir::Recv,
                    _ => ChanDir::Both,
                },
                boxed(self, n.elem)?,
            ),
            "func" => Type::Func {
                params: list(self, &n.params)?,
                results: list(self, &n.results)?,
                variadic: n.variadic,
            },
            "struct" => Type::Struct(
                n.fields
                    .iter()
                    .map(|f| {
                        Ok(Field {
                            name: (!f.embedded).then(|| f.name.clone()),
                            ty: self.build(f.ty)?,
                            tag: (!f.tag.is_empty()).then(|| f.tag.clone()),
                        })
                    })
                    .collect::<std::result::Result<_, String>>()?,
            ),
            "interface" => Type::Interface(
                n.methods
                    .iter()
                    .map(|m| {
                        Ok(Method {
                            name: m.name.clone(),
                            params: list(self, &m.params)?,
                            results: list(self, &m.results)?,
                            variadic: m.variadic,
                        })
                    })
                    .collect::<std::result::Result<_, String>>()?,
            ),
            "named" => {
                let name = TypeName {
                    pkg: (!n.pkg_path.is_empty()).then(|| Package {
                        path: n.pkg_path.clone(),
                        name: n.pkg_name.clone(),
                        module_dir: self.module_dirs.get(&n.pkg_path).cloned(),
                    }),
                    name: n.name.clone(),
                    args: list(self, &n.args)?,
                };
                if self.path.contains(&id) {
                    return Ok(Type::Ref(name));
                }
                self.path.push(id);
                let u = self.build(n.underlying);
                self.path.pop();
                Type::Named(name, Box::new(u?))
            }
            other => return Err(format!("unknown kind of type node {other:?}")),
        })
    }
}

/// Reads the user's type expressions: with ifacealloc's own parser when it
/// can (milliseconds, no go needed), else with go/types through the user's
/// toolchain, which reads anything Go accepts.
pub struct TypeReader<'a> {
    defs: Defs,
    sources: Sources,
    unread: Unread,
    go: Option<&'a str>,
    dir: PathBuf,
    toolchain: std::cell::OnceCell<Option<Toolchain>>,
}

impl<'a> TypeReader<'a> {
    /// Reads `--define`s and `--from` files; `go` is the `--go` spec for the
    /// toolchain go/types runs with, if it is needed.
    pub fn new(defines: &'a [String], from: &'a [PathBuf], go: Option<&'a str>) -> Result<Self> {
        let (defs, unread) = load_defs_lenient(defines, from)?;
        let reader = TypeReader {
            defs,
            sources: Sources {
                defines: defines.to_vec(),
                from: from.to_vec(),
            },
            unread,
            go,
            dir: std::env::current_dir().context("reading the current directory")?,
            toolchain: std::cell::OnceCell::new(),
        };
        if !reader.unread.is_empty() {
            reader.check_definitions()?;
        }
        Ok(reader)
    }

    /// Adds named types the user did not define (a catalog's own), for both
    /// readers.
    pub fn add_defaults(&mut self, defaults: Defs) {
        let user: Vec<&str> = self
            .sources
            .defines
            .iter()
            .map(|d| d.split_once('=').map_or(d.as_str(), |(n, _)| n).trim())
            .collect();
        let mut extra = Vec::new();
        for (name, ty) in defaults {
            if self.defs.contains_key(&name) || user.contains(&name.as_str()) {
                continue;
            }
            extra.push(format!("{name}={}", ty.go_syntax()));
            self.defs.insert(name, ty);
        }
        extra.append(&mut self.sources.defines);
        self.sources.defines = extra;
    }

    /// The type `expr` denotes, laid out for the toolchain's GOARCH (or
    /// this machine's without one, when ifacealloc's own reader reads it).
    pub fn read_native(&self, expr: &str) -> Result<Type> {
        let arch = self
            .toolchain()
            .and_then(|t| Arch::by_name(&t.goarch))
            .unwrap_or(Arch::ALL[0]);
        self.read(expr, &arch)
    }

    fn toolchain(&self) -> Option<&Toolchain> {
        self.toolchain
            .get_or_init(|| {
                Toolchain::resolve(self.go)
                    .ok()
                    .and_then(|v| v.into_iter().next())
            })
            .as_ref()
    }

    /// Definitions the offline reader could not read are read by go/types.
    /// When go/types cannot read them either (or there is no toolchain), a
    /// `--define` is an error and a skipped `--from` declaration a warning,
    /// as the offline reader says them.
    fn check_definitions(&self) -> Result<()> {
        let over_limit = self.unread.skipped.iter().any(|w| w.past_limit);
        let checked = match self.toolchain() {
            Some(_) if over_limit => Err(UsageError::new(
                "a --from declaration is past ifacealloc's limits; go/types is not asked",
            )
            .into()),
            Some(tc) => {
                let arch = Arch::by_name(&tc.goarch).unwrap_or(Arch::ALL[0]);
                resolve(tc, &self.dir, &[], &self.sources, &arch).map(|_| ())
            }
            None => Err(UsageError::new("no Go toolchain (on PATH, or --go) for go/types").into()),
        };
        let Err(why) = checked else {
            return Ok(());
        };
        for w in &self.unread.skipped {
            eprintln!("ifacealloc: --from {w}");
        }
        match self.unread.defines.first() {
            Some(_) if self.toolchain().is_some() => Err(why),
            Some(e) => Err(UsageError::new(e.to_string()).into()),
            None => Ok(()),
        }
    }

    /// The type `expr` denotes, laid out for `arch`.
    pub fn read(&self, expr: &str, arch: &Arch) -> Result<Type> {
        // What the offline reader reads, it answers, a type Go rejects
        // included (an invalid map key, a duplicate field: Go's rule, named);
        // what it cannot read goes to go/types.
        let offline = match parse_syntax(expr, &self.defs) {
            Ok(ty) => return checked(expr, ty),
            Err(e) => {
                let err = anyhow::Error::from(UsageError::new(format!(
                    "cannot parse type {:?}: {e}",
                    clip(expr)
                )));
                if e.is_past_limit() {
                    return Err(err);
                }
                err
            }
        };
        // Past the offline reader's length limit nothing is read, nor with
        // definitions past its limits.
        let over_limit = self.unread.skipped.iter().any(|w| w.past_limit);
        let Some(tc) = self
            .toolchain()
            .filter(|_| expr.len() <= gotype::MAX_LEN && !over_limit)
        else {
            return Err(offline);
        };
        let answer = resolve(tc, &self.dir, &[expr.to_string()], &self.sources, arch)?
            .pop()
            .unwrap_or_else(|| Err("no answer".into()));
        let ty = answer.map_err(|e| {
            // A plain name go/types does not know: say where names come from.
            let hint = e
                .split_once("undefined: ")
                .map(|(_, name)| name.trim())
                .filter(|name| gotype::is_identifier(name))
                .map(|name| format!("; define it with --define '{name}=TYPE' or --from FILE.go"))
                .unwrap_or_default();
            UsageError::new(format!("type {:?}: {e}{hint}", clip(expr)))
        })?;
        check_size(expr, ty, arch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_qualifiers_become_identifiers() {
        let mut im = BTreeMap::new();
        let q = qualify(
            "struct{ d time.Duration; a net/netip.Addr `json:\"a.b\"`; m map[time.Month]example.com/my-mod/pkg.T; n [math.MaxInt8]int }",
            &mut im,
        );
        assert_eq!(
            q,
            "struct{ d ifaceallocPkg0.Duration; a ifaceallocPkg1.Addr `json:\"a.b\"`; m map[ifaceallocPkg0.Month]ifaceallocPkg2.T; n [ifaceallocPkg3.MaxInt8]int }"
        );
        assert_eq!(im["ifaceallocPkg1"], "net/netip");
        assert_eq!(im["ifaceallocPkg2"], "example.com/my-mod/pkg");
        assert_eq!(
            unalias("ifaceallocPkg2.T is bad", &im),
            "example.com/my-mod/pkg.T is bad"
        );
        let mut im = BTreeMap::new();
        assert_eq!(qualify("Box[int]", &mut im), "Box[int]");
        assert_eq!(qualify("[N-1]int", &mut im), "[N-1]int");
        assert_eq!(
            qualify("func(...time.Month)", &mut im),
            "func(...ifaceallocPkg0.Month)"
        );
        im.clear();
        assert!(im.is_empty());
    }
}
