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

/// `ifacealloc --go GO lem -C examples/labs ARGS...`.
fn lem_on(go: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("ifacealloc")
        .unwrap()
        .arg("--go")
        .arg(go)
        .args(["lem", "-C"])
        .arg(root().join("examples/labs"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn every_lab_claim_holds_on_every_go() {
    for go in common::toolchains() {
        let out = lem_on(&go, &["./..."]);
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
        assert!(passed >= 40 && last.ends_with("passed, 0 failed"), "{last}");
    }
}

/// `lab run n` with the toolchain `go` (default: the local one), which must
/// pass: its stdout.
fn lab_run(go: Option<&Path>, n: u32) -> String {
    let mut cmd = Command::cargo_bin("ifacealloc").unwrap();
    if let Some(go) = go {
        cmd.arg("--go").arg(go);
    }
    let out = cmd.args(["lab", "run", &n.to_string()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "lab {n} with {go:?}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn every_lab_runs() {
    for n in 1..=5 {
        let text = lab_run(None, n);
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
                assert!(text.contains("--- PASS: TestAssertionComparesTypeWords"));
                assert!(text.contains("--- PASS: TestNamedTypeHasItsOwnDescriptor"));
                assert!(text.contains("14 passed, 0 failed"), "{text}");
            }
            3 => {
                assert!(text.contains("moved\tfalse"), "{text}");
                assert!(text.contains(" passed, 0 failed"), "{text}");
            }
            4 => {
                assert!(text.contains("--- PASS: TestGCWork"), "{text}");
                assert!(text.contains("BenchmarkAllocatingStore"), "{text}");
                assert!(text.contains("17 passed, 0 failed"), "{text}");
            }
            5 => {
                assert!(
                    text.contains("CALL\truntime.convT64(SB)\t<- convT64"),
                    "{text}"
                );
                assert!(text.contains("<- staticuint64s"));
                assert!(text.contains(
                    "conversions through the runtime: 3 (convT64, staticuint64s, convTstring)"
                ));
                assert!(text.contains("StoreInt (asmwalk.go:17-19), go"), "{text}");
                assert!(text.contains(" linux/arm64\n"), "{text}");
                assert!(text.contains("\tBL\t") || text.contains("CALL\truntime.convT64(SB)"));
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
/// Lab 3's frame program takes stack addresses; on Go 1.21 formatting them
/// inside the frame grew, and so moved, the stack on every run.
#[test]
fn lab3_frame_runs_on_every_go() {
    for go in common::toolchains() {
        let text = lab_run(Some(&go), 3);
        assert!(text.contains("moved\tfalse"), "{}: {text}", go.display());
    }
}

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
        // Output blocks show what a run measured; `lab docs` checks those.
        let mut prose = text.clone();
        for b in ifacealloc::lab::docs::blocks(&text) {
            for l in &b.lines {
                prose = prose.replacen(l.as_str(), "", 1);
            }
        }
        for c in figure.captures_iter(&prose) {
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

/// Every output block in docs/labs is what a live `lab run` prints now.
#[test]
fn docs_show_what_a_live_run_prints() {
    let dir = root().join("docs/labs");
    let (text, err, code) = common::ifacealloc(&["lab", "docs", "--dir", dir.to_str().unwrap()]);
    assert_eq!(
        code, 0,
        "{text}{err}\nrun scripts/lab-docs.sh to refresh the docs"
    );
    let blocks: usize = docs()
        .iter()
        .map(|(_, t)| ifacealloc::lab::docs::blocks(t).len())
        .sum();
    assert!(blocks >= 6, "{blocks} output blocks in the docs");
}

/// The figures in docs/img are what `lab figure` draws from a live run now
/// (up to the addresses), they are well-formed SVG, and they show what the
/// docs say they show.
#[test]
fn figures_are_current_and_show_each_region() {
    for (n, file) in [(2, "lab2-words.svg"), (3, "lab3-frame.svg")] {
        let out = common::succeed(Command::cargo_bin("ifacealloc").unwrap().args([
            "lab",
            "figure",
            &n.to_string(),
        ]));
        let live = String::from_utf8(out.stdout).unwrap();
        roxmltree::Document::parse(&live).expect("well-formed SVG");
        let committed = std::fs::read_to_string(root().join("docs/img").join(file)).unwrap();
        assert_eq!(
            ifacealloc::lab::figure::without_addresses(&committed),
            ifacealloc::lab::figure::without_addresses(&live),
            "docs/img/{file} is stale: run scripts/lab-docs.sh"
        );
        match n {
            2 => {
                for region in [
                    "read-only data",
                    "runtime.staticuint64s",
                    "runtime.zerobase",
                    "runtime.zeroVal",
                    "heap",
                    "stack",
                ] {
                    assert!(live.contains(region), "lab 2 figure: no {region}");
                }
                assert!(live.contains("[1]  ← bool true"));
                assert!(live.contains("[200]  ← uint8 200"));
                assert!(live.contains("in read-only data, for every value"));
            }
            _ => {
                assert!(live.contains("points into this frame: nothing was allocated"));
                assert!(live.contains("i any — data word") && live.contains("copy of v"));
            }
        }
    }
    let (_, err, code) = common::ifacealloc(&["lab", "figure", "4"]);
    assert_eq!(code, 2);
    assert!(err.contains("lab 4 has no figure"), "{err}");
}

/// `lab show N --format html`: one page per lab, figures inline, nothing
/// fetched from anywhere.
#[test]
fn lab_pages_render_as_html_with_figures_inline() {
    for n in 1..=5 {
        let (page, err, code) =
            common::ifacealloc(&["lab", "show", &n.to_string(), "--format", "html"]);
        assert_eq!(code, 0, "{err}");
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("Content-Security-Policy"));
        assert!(page.contains(&format!("<b>Lab {n}</b>")));
        assert!(!page.contains("<img"), "lab {n}: a figure left as a link");
        let svgs = page.matches("<svg").count();
        assert_eq!(
            svgs,
            usize::from(n == 2 || n == 3),
            "lab {n}: {svgs} figures"
        );
    }
}

/// Two Go releases side by side: the per-version claim of lab 2 is listed
/// with both measurements when one release is before Go 1.26.
#[test]
fn lab_run_on_two_versions_lists_the_claims_that_differ() {
    let gos = common::toolchains();
    let Some(old) = gos.iter().skip(1).find(|g| {
        let v = std::process::Command::new(g)
            .arg("version")
            .output()
            .unwrap();
        let v = String::from_utf8_lossy(&v.stdout).to_string();
        v.contains("go1.21") || v.contains("go1.22") || v.contains("go1.25")
    }) else {
        eprintln!("skipped: IFACEALLOC_TEST_GOS has no Go before 1.26");
        return;
    };
    let both = format!("go,{}", old.display());
    let (text, err, code) = common::ifacealloc(&["--go", &both, "lab", "run", "2"]);
    assert_eq!(code, 0, "{text}{err}");
    let tail = text.split("differs between versions:").nth(1).expect(&text);
    assert!(tail.contains("onepointer"), "{tail}");
    assert!(tail.contains("PASS, 1 allocs/op, 8 B/op"), "{tail}");
    assert!(tail.contains("PASS, 0 allocs/op, 0 B/op"), "{tail}");
}

/// One test per lab section: the section's claims (lem IDs) and tests pass on
/// the local Go and every Go in IFACEALLOC_TEST_GOS.
fn section(pkg: &str, ids: &[&str], tests: &[&str]) {
    for go in common::toolchains() {
        let out = lem_on(&go, &["--run", &format!("^({})$", ids.join("|")), pkg]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.ends_with(&format!("{} passed, 0 failed\n", ids.len())),
            "{} {pkg}: {text}{}",
            go.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        if tests.is_empty() {
            continue;
        }
        let out = std::process::Command::new(&go)
            .current_dir(root().join("examples/labs"))
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-mod=mod")
            .args([
                "test",
                "-count=1",
                "-run",
                &format!("^({})$", tests.join("|")),
                "-v",
                pkg,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{} {pkg}: {text}", go.display());
        for t in tests {
            assert!(
                text.contains(&format!("--- PASS: {t} ")),
                "{} {t}: {text}",
                go.display()
            );
        }
    }
}

#[test]
fn lab2_storing_and_two_words() {
    section(
        "./ifacevalues",
        &["assert", "store"],
        &["TestTwoWords", "TestKind"],
    );
}

#[test]
fn lab2_special_values_and_constants() {
    section(
        "./ifacevalues",
        &["bools", "empty"],
        &["TestSpecialValues", "TestZeroVal", "TestSharedConstant"],
    );
}

#[test]
fn lab2_type_assertions() {
    section(
        "./assertions",
        &["assertconcrete", "assertiface", "typeswitch", "compare"],
        &[
            "TestAssertionComparesTypeWords",
            "TestAssertionCopiesOut",
            "TestComparison",
        ],
    );
}

#[test]
fn lab2_underlying_type_and_value() {
    section(
        "./underlying",
        &["celsius", "float", "point", "flag"],
        &[
            "TestNamedTypeHasItsOwnDescriptor",
            "TestUnderlyingValueThroughDataWord",
        ],
    );
}

#[test]
fn lab2_own_data_word_per_version() {
    section("./ifacevalues", &["onepointer"], &[]);
}

#[test]
fn lab2_copy_on_store_and_on_the_stack() {
    section("./ifacevalues", &["onstack"], &["TestCopyOnStore"]);
}

#[test]
fn lab3_leak() {
    section(
        "./escape",
        &["tosink", "toresult", "toresultb", "readonly"],
        &[],
    );
}

#[test]
fn lab3_escape_and_move() {
    section(
        "./escape",
        &["huge", "hugeb", "outlive", "outliveb", "tosinkb"],
        &[],
    );
}

#[test]
fn lab4_escaping_is_not_allocating() {
    section(
        "./mallocs",
        &["zero", "small", "byte", "empty", "const"],
        &[],
    );
}

#[test]
fn lab4_convt_floats_and_size_classes() {
    section(
        "./mallocs",
        &[
            "wide", "int3", "float3", "denormal", "class", "tiny", "pair", "text",
        ],
        &[],
    );
}

#[test]
fn lab4_what_changed_in_go_1_25() {
    section("./mallocs", &["zerolit", "constlit"], &[]);
}

#[test]
fn lab4_overall_impact() {
    section("./impact", &["widestore", "narrowstore"], &["TestGCWork"]);
}
