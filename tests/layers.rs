//! The source folders are layers (docs/architecture.md): a file — its unit
//! tests included — may use its own layer and the layers listed before it,
//! never one after it (so no circle between folders either), and no two files
//! use each other, directly or through others. Read from the source, so a move
//! that breaks the rule fails here rather than in review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. `scan`, `lem` and `check` share a rank: none may use another;
/// `bench` explains benchmark changes with scan's sites.
const LAYERS: &[&[&str]] = &[
    &["cli"],
    &["model"],
    &["parse"],
    &["go"],
    &["matrix"],
    &["scan", "lem", "check"],
    &["bench"],
    &["report"],
    &["lab"],
    &["lsp"],
    &["cmd"],
];

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&layer))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file: `src/go/list.rs` → `go::list`,
/// `src/scan/mod.rs` → `scan`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| c != "mod")
        .collect();
    parts.join("::")
}

/// `crate::a::b::Name` and `super::b::Name` paths used by a file (module
/// `module`), as the longest known module prefix.
fn uses(code: &str, module: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let re =
        regex::Regex::new(r"\b(crate|super)::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)").unwrap();
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    let mut out = BTreeSet::new();
    for c in re.captures_iter(code) {
        let full = match &c[1] {
            "super" if !parent.is_empty() => format!("{parent}::{}", &c[2]),
            _ => c[2].to_string(),
        };
        let path: Vec<&str> = full.split("::").collect();
        for n in (1..=path.len()).rev() {
            let m = path[..n].join("::");
            if modules.contains(&m) {
                out.insert(m);
                break;
            }
        }
    }
    out
}

/// The code of a file without its `#[cfg(test)]` module.
fn non_test_code(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

/// Module → the modules it uses (`with_tests`: its unit tests' uses too).
fn graph(with_tests: bool) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    files
        .iter()
        .filter(|f| !matches!(module_of(&src, f).as_str(), "lib" | "main"))
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let m = module_of(&src, f);
            let code = if with_tests {
                text.as_str()
            } else {
                non_test_code(&text)
            };
            let mut u = uses(code, &m, &modules);
            u.remove(&m);
            (m, u)
        })
        .collect()
}

#[test]
fn every_file_belongs_to_a_layer() {
    for m in graph(false).keys() {
        let layer = m.split("::").next().unwrap();
        assert!(
            rank(layer).is_some(),
            "src/{} is in no layer; put it in one of the folders named in LAYERS",
            m.replace("::", "/")
        );
    }
}

#[test]
fn no_layer_uses_a_later_one() {
    let mut upward = Vec::new();
    // Unit tests too: a test that reaches up ties the layers together as
    // much as the code does.
    for (m, used) in graph(true) {
        let from = rank(m.split("::").next().unwrap()).unwrap();
        for u in used {
            let layer = u.split("::").next().unwrap();
            let to = rank(layer).unwrap();
            let same_rank_other_folder = to == from && layer != m.split("::").next().unwrap();
            if to > from || same_rank_other_folder {
                upward.push(format!("{m} uses {u}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports against the layers:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_import_circle_between_files() {
    // A test may use a sibling file it also serves (gotype's tests use rules).
    let g = graph(false);
    // Depth-first search for a back edge; report the circle it closes.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for u in g.get(m).into_iter().flatten() {
            match state.get(u.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == u).unwrap();
                    let mut circle = stack[at..].to_vec();
                    circle.push(u.clone());
                    return Some(circle);
                }
                0 => {
                    if let Some(c) = visit(u, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in g.keys() {
        if state.get(m).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(m, &g, &mut state, &mut Vec::new()) {
                panic!("import circle: {}", c.join(" → "));
            }
        }
    }
}
