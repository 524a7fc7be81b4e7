//! The rules against the runtime's own count, through a harness that shares
//! nothing with ifacealloc's measuring program: random types × values ×
//! sources (var, const, literal, local) are written into one Go program
//! whose every case is `testing.AllocsPerRun`, built for amd64 and 386 with
//! every Go in IFACEALLOC_TEST_GOS, and each count must be what
//! `rules::predict` says (`0-1` padding cases: either). IFACEALLOC_DIFF_CASES
//! sets the sample (default 300), IFACEALLOC_DIFF_SEED the seed.

mod common;

use std::fmt::Write as _;

use common::gen::{case_for, types};
use ifacealloc::model::gotype::{Arch, Type};
use ifacealloc::model::goversion::GoVersion;
use ifacealloc::model::rules::{self, Source};
use ifacealloc::model::value::{self, Value};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

struct DiffCase {
    ty: Type,
    value: Value,
    source: Source,
}

fn cases(n: usize, seed: u8, arch: &Arch) -> Vec<DiffCase> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    );
    let strategy = types();
    let mut out = Vec::new();
    while out.len() < n {
        let ty = strategy.new_tree(&mut runner).unwrap().current();
        let Some((value, source)) = case_for(&ty, runner.rng(), arch) else {
            continue;
        };
        out.push(DiffCase { ty, value, source });
    }
    out
}

/// The program: one `testing.AllocsPerRun` per case, printed one per line.
fn program(cases: &[DiffCase]) -> String {
    let mut decls: Vec<(String, Type)> = Vec::new();
    for c in cases {
        for (name, under) in c.ty.named_types() {
            if !decls.iter().any(|(n, _)| *n == name) {
                decls.push((name, under));
            }
        }
    }
    let mut s = String::from(
        "package main\n\nimport (\n\t\"fmt\"\n\t\"math\"\n\t\"testing\"\n\t\"unsafe\"\n)\n\nvar _ = math.Pi\nvar _ unsafe.Pointer\n\nvar sink any\n\nvar kept int\n\n//go:noinline\nfunc keep(x any) {\n\tif x == nil {\n\t\tkept++\n\t}\n}\n",
    );
    for (name, under) in &decls {
        let _ = writeln!(s, "\ntype {name} {}", under.go_code());
    }
    for (i, c) in cases.iter().enumerate() {
        let _ = writeln!(s, "\nvar v{i} {}", c.ty.go_code());
    }
    s.push_str("\nfunc init() {\n");
    for (i, c) in cases.iter().enumerate() {
        if matches!(c.source, Source::Var | Source::Local) {
            let _ = writeln!(s, "\tv{i} = {}", value::go_expr(&c.ty, &c.value));
        }
    }
    s.push_str("}\n\nfunc main() {\n");
    for (i, c) in cases.iter().enumerate() {
        let body = match c.source {
            Source::Var => format!("sink = v{i}"),
            Source::Local => format!("var x any = v{i}\n\t\tkeep(x)"),
            Source::Const | Source::Literal => {
                format!("sink = {}", value::go_expr(&c.ty, &c.value))
            }
        };
        let _ = writeln!(
            s,
            "\tfmt.Println(testing.AllocsPerRun(200, func() {{\n\t\t{body}\n\t}}))"
        );
    }
    s.push_str("}\n");
    s
}

#[test]
fn predictions_match_allocs_per_run_on_every_go_and_arch() {
    let n: usize = std::env::var("IFACEALLOC_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let seed: u8 = std::env::var("IFACEALLOC_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(11);
    let (mut checked, mut allocating, mut padding) = (0, 0, 0);
    let mut bad = Vec::new();
    for arch_name in ["amd64", "386"] {
        let arch = Arch::by_name(arch_name).unwrap();
        // The same types and sources on each arch; integers fit its int.
        let cases = cases(n, seed, &arch);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.mod"), "module diff\n\ngo 1.21\n").unwrap();
        std::fs::write(dir.path().join("main.go"), program(&cases)).unwrap();
        for go in common::toolchains() {
            let minor = common::go_minor(&go);
            let version = GoVersion {
                major: 1,
                minor,
                patch: 0,
            };
            let exe = dir.path().join(format!("diff-{minor}-{arch_name}"));
            let build = std::process::Command::new(&go)
                .args(["build", "-o"])
                .arg(&exe)
                .arg(".")
                .current_dir(dir.path())
                .env("GOARCH", arch_name)
                .env("GOTOOLCHAIN", "local")
                .env("GOFLAGS", "")
                .output()
                .unwrap();
            assert!(
                build.status.success(),
                "{}: {}",
                go.display(),
                String::from_utf8_lossy(&build.stderr)
            );
            let run = std::process::Command::new(&exe).output().unwrap();
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
            let counts: Vec<f64> = String::from_utf8_lossy(&run.stdout)
                .lines()
                .map(|l| l.trim().parse().unwrap())
                .collect();
            assert_eq!(counts.len(), cases.len());
            for (c, got) in cases.iter().zip(counts) {
                let p = rules::predict(&c.ty, &c.value, c.source, version, &arch, 200).unwrap();
                let ok =
                    got == p.allocs as f64 || (p.unset_padding > 0 && (got == 0.0 || got == 1.0));
                checked += 1;
                allocating += usize::from(p.allocs > 0);
                padding += usize::from(p.unset_padding > 0);
                if !ok {
                    bad.push(format!(
                        "go1.{minor} {arch_name} {} = {} ({:?}): predicted {} allocs ({}), AllocsPerRun {got}",
                        c.ty,
                        value::describe(&c.ty, &c.value),
                        c.source,
                        p.allocs,
                        p.routine.name()
                    ));
                }
            }
        }
    }
    eprintln!(
        "{checked} cases checked ({allocating} predicted to allocate, {padding} 0-1 padding cases), {} disagreements",
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{} of {checked}:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
