//! The rules model against live measurements: the default catalog × every
//! scenario, and 240 random types and values (proptest), all measured in one
//! generated build — on the local Go, and on every Go listed in
//! `IFACEALLOC_TEST_GOS` (colon-separated go binaries; `.ci/run` installs
//! Go 1.21.13 and 1.25.5 with GOTOOLCHAIN and sets it).
//! Also: the layout model against `unsafe.Sizeof/Alignof` on amd64, arm64 and
//! 386, cross-compiled.

mod common;

use assert_cmd::Command;
use common::gen::{case_for, types};
use ifacealloc::go::toolchain::Toolchain;
use ifacealloc::matrix::generate::{self, Case};
use ifacealloc::matrix::measure::{self, Workdir};
use ifacealloc::model::catalog::{self, CatalogName, Row};
use ifacealloc::model::gotype::Arch;
use ifacealloc::model::rules;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

#[test]
fn catalog_predictions_match_measurements_on_every_go() {
    for go in common::toolchains() {
        let out = Command::cargo_bin("ifacealloc")
            .unwrap()
            .arg("--go")
            .arg(&go)
            .args(["matrix", "--fresh", "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            go.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut bad = Vec::new();
        let mut n = 0;
        for r in m["rows"].as_array().unwrap() {
            for c in r["cases"].as_array().unwrap() {
                n += 1;
                if c["prediction_ok"] != true {
                    bad.push(format!(
                        "{}/{}: predicted {} measured {} {} {}",
                        r["name"],
                        c["scenario"],
                        c["prediction"],
                        c["routine"],
                        c["allocs_per_op"],
                        c["bytes_per_op"]
                    ));
                }
            }
        }
        assert!(n > 350, "{n} cases");
        assert!(
            bad.is_empty(),
            "{} ({}):\n{}",
            go.display(),
            m["go"]["version"],
            bad.join("\n")
        );
    }
}

/// 240 random rows, each with one case whose source fits its type.
fn random_rows() -> (Vec<Row>, Vec<Case>) {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = types();
    let mut rows = Vec::new();
    let mut cases = Vec::new();
    while rows.len() < 240 {
        let ty = strategy.new_tree(&mut runner).unwrap().current();
        let Some((v, source)) = case_for(&ty, runner.rng(), &Arch::by_name("amd64").unwrap())
        else {
            continue;
        };
        cases.push(Case {
            row: rows.len(),
            scenario: rules::scenario_for(source),
        });
        rows.push(Row {
            name: format!("r{}", rows.len()),
            ty,
            value: Some(v),
        });
    }
    (rows, cases)
}

#[test]
fn random_types_and_values_match_measurements_on_every_go() {
    let (rows, cases) = random_rows();
    for go in common::toolchains() {
        let tc = Toolchain::discover(Some(&go)).unwrap();
        let module = generate::module(&rows, &cases, "1.21").unwrap();
        let work = Workdir::new(None).unwrap();
        measure::write_module(&tc, &module, work.path()).unwrap();
        let plan = measure::Plan {
            iterations: 16384,
            catalog: "random",
            cross: &[],
            reuse: false,
        };
        let m = measure::run(&tc, &rows, &module, work.path(), &plan).unwrap();
        let mut bad = Vec::new();
        for (r, src) in m.rows.iter().zip(&rows) {
            let c = &r.cases[0];
            if !c.prediction_ok || c.note.is_some() {
                bad.push(format!(
                    "{} {:?} [{}]: predicted {:?}; measured {:?} {} allocs {} B; note {:?}",
                    r.type_expr,
                    src.value,
                    c.scenario,
                    c.prediction,
                    c.routine,
                    c.allocs_per_op,
                    c.bytes_per_op,
                    c.note
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{} ({} of {} differ):\n{}",
            tc.goversion,
            bad.len(),
            rows.len(),
            bad.join("\n")
        );
    }
}

#[test]
fn layouts_match_the_compiler_on_amd64_arm64_386() {
    let (mut rows, _) = random_rows();
    rows.extend(catalog::rows(CatalogName::Default));
    let tc = Toolchain::discover(None).unwrap();
    for arch in ["amd64", "arm64", "386", "arm", "s390x"] {
        let a = Arch::by_name(arch).unwrap();
        let files = generate::layout_check(&rows, &a).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in &files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let out = tc.run_for(dir.path(), &["build", "-o", "/dev/null", "."], Some(arch));
        assert!(out.is_ok(), "{arch}: {:#}", out.unwrap_err());
    }
}
