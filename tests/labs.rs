//! The labs: every example's claims through `lem` on the local Go (and each Go
//! in IFACEALLOC_TEST_GOS), every lab run live, and the docs' links and figures.

use std::path::{Path, PathBuf};

mod common;

use assert_cmd::Command;
use regex::Regex;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn docs() -> Vec<(PathBuf, String)> {
    let mut v: Vec<(PathBuf, String)> = std::fs::read_dir(root().join("docs/labs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_lab_claim_holds_on_every_go() {
    for go in common::toolchains() {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .arg("--go")
            .arg(&go)
            .args(["lem", "-C"])
            .arg(root().join("examples/labs"))
            .arg("./...")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {text}{}",
            go.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let last = text.lines().last().unwrap();
        let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
        assert!(passed >= 25 && last.ends_with("passed, 0 failed"), "{last}");
    }
}

#[test]
fn every_lab_runs() {
    for n in 1..=5 {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["lab", "run", &n.to_string()])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "lab {n}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.starts_with(&format!("Lab {n}: ")), "{text}");
        match n {
            1 => assert!(text.contains("go vet ./... on the lab examples: ok")),
            2 => {
                assert!(
                    text.contains("two trues share a staticuint64s slot: true"),
                    "{text}"
                );
                assert!(text.contains("zero-sized values share runtime.zerobase: true"));
                assert!(text.contains("the interface still holds 4096"));
                assert!(text.contains("--- PASS: TestCopyOnStore"));
                assert!(text.contains("5 passed, 0 failed"));
            }
            3 | 4 => assert!(text.contains(" passed, 0 failed"), "{text}"),
            5 => {
                assert!(
                    text.contains("CALL\truntime.convT64(SB)\t<- convT64"),
                    "{text}"
                );
                assert!(text.contains("<- staticuint64s"));
                assert!(text.contains(
                    "conversions through the runtime: 3 (convT64, staticuint64s, convTstring)"
                ));
            }
            _ => unreachable!(),
        }
    }
    Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["lab", "run", "9"])
        .assert()
        .code(2);
    Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["lab", "show", "4"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("# Lab 4: Missing mallocs"));
}

/// Every section of every lab links an example, and every link resolves.
#[test]
fn every_section_links_the_example_that_proves_it() {
    let link = Regex::new(r"\]\(([^)]+)\)").unwrap();
    for (path, text) in docs() {
        let dir = path.parent().unwrap();
        for target in link.captures_iter(&text).map(|c| c[1].to_string()) {
            if target.starts_with("http") {
                continue;
            }
            let resolved = dir.join(target.split('#').next().unwrap());
            assert!(
                resolved.exists(),
                "{}: broken link {target}",
                path.display()
            );
        }
        // Sections are the text between '## ' headings (the part before the first
        // is the lab's introduction, which must link its example too).
        for (i, section) in text.split("\n## ").enumerate() {
            let title = section.lines().next().unwrap_or("");
            assert!(
                section.contains("../../examples/labs"),
                "{}: section {i} ({title}) links no example",
                path.display()
            );
        }
    }
}

/// Each claim a doc cites by name is a lem ID in the file it links to.
#[test]
fn cited_claims_exist() {
    let cite = Regex::new(r"\[`([a-z0-9]+)`\]\(\.\./\.\./(examples/labs/[^)]+)\)").unwrap();
    let mut n = 0;
    for (path, text) in docs() {
        for c in cite.captures_iter(&text) {
            let src = std::fs::read_to_string(root().join(&c[2])).unwrap();
            assert!(
                src.contains(&format!("lem.{}.", &c[1])),
                "{}: claim {} not in {}",
                path.display(),
                &c[1],
                &c[2]
            );
            n += 1;
        }
    }
    assert!(n >= 20, "{n} cited claims");
}

/// Every figure with a byte unit in the docs comes from the examples.
#[test]
fn no_figure_without_an_example() {
    let figure = Regex::new(r"(\d+)[- ]?(?:B|bytes?|byte)\b").unwrap();
    let mut examples = String::new();
    fn walk(p: &Path, out: &mut String) {
        for e in std::fs::read_dir(p).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push_str(&std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    walk(&root().join("examples/labs"), &mut examples);
    let number = |n: &str| Regex::new(&format!(r"\b{n}\b")).unwrap();
    for (path, text) in docs() {
        for c in figure.captures_iter(&text) {
            assert!(
                number(&c[1]).is_match(&examples),
                "{}: {} has no example",
                path.display(),
                &c[0]
            );
        }
    }
}

#[test]
fn asm_marks_conversions_and_rejects_bad_targets() {
    let target = format!(
        "{}:Store",
        root().join("examples/labs/asmwalk/asmwalk.go").display()
    );
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["asm", &target])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("TEXT example.com/labs/asmwalk.Store (asmwalk.go:"),
        "{text}"
    );
    assert!(text.contains("asmwalk.go:10\tA = wide"), "{text}");
    for bad in [
        "no-colon".to_string(),
        format!(
            "{}:NoSuchFunc",
            root().join("examples/labs/asmwalk/asmwalk.go").display()
        ),
        "/nonexistent/x.go:F".to_string(),
        format!(
            "{}:F; rm",
            root().join("examples/labs/asmwalk/asmwalk.go").display()
        ),
    ] {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["asm", &bad])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
