//! Go's build cache shared between machines through GOCACHEPROG (Go ≥ 1.24),
//! with a real cache program from the module proxy
//! (github.com/bradfitz/go-tool-cache's go-cacher, backed by a directory):
//! "machines" — separate GOCACHE and ifacealloc caches — share one store.
//! The later machines' scans get their compiles from the store (none compiles
//! again: ifacealloc's go commands have no per-run paths in their keys) and
//! the finder's results, which ifacealloc stores there through the same
//! protocol, and write the same report. (Its time against a warm scan is
//! measured by scripts/shared-cache.sh, figures in docs/scale.md.)

mod common;

use std::path::{Path, PathBuf};

const GO_CACHER: &str =
    "github.com/bradfitz/go-tool-cache/cmd/go-cacher@v0.0.0-20260722201841-0bb331e19f64";

/// Every file of the shared store.
fn store_files(store: &Path) -> std::collections::BTreeSet<PathBuf> {
    let mut out = std::collections::BTreeSet::new();
    let mut stack = vec![store.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p);
            }
        }
    }
    out
}

#[test]
fn a_second_machine_scans_from_the_shared_store() {
    if common::go_minor(Path::new("go")) < 24 {
        eprintln!("SKIPPED: GOCACHEPROG needs Go 1.24 or later on PATH");
        return;
    }
    let cacher = common::go_tool(
        "go-cacher",
        &[GO_CACHER],
        "github.com/bradfitz/go-tool-cache/cmd/go-cacher",
    );
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    std::fs::create_dir(&store).unwrap();
    // The cache program, logging its counts per go command.
    let wrapper = tmp.path().join("cacheprog.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec {} --cache-dir {}\n",
            cacher.display(),
            store.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/noalloc");
    let scan = |machine: &str| -> Vec<u8> {
        let home = tmp.path().join(machine);
        std::fs::create_dir_all(&home).unwrap();
        common::succeed(
            assert_cmd::Command::cargo_bin("ifacealloc")
                .unwrap()
                .args(["scan", "--format", "json", "-C"])
                .arg(&fixture)
                .env("GOCACHE", home.join("gocache"))
                .env("IFACEALLOC_CACHE", home.join("ifacealloc"))
                .env("GOCACHEPROG", &wrapper),
        )
        .stdout
    };
    let first = scan("a");
    let after_a = store_files(&store);
    assert!(!after_a.is_empty(), "machine a stored nothing");
    // The finder's results are in the store beside the compiles (put through
    // the same protocol), so machine b does not type-check again.
    assert!(
        after_a.iter().any(|f| std::fs::read(f)
            .is_ok_and(|b| String::from_utf8_lossy(&b).contains("\"direct_by_kind\""))),
        "no finder results in the store"
    );
    let second = scan("b");
    assert_eq!(first, second, "machine b's report differs");
    let after_b = store_files(&store);
    // A third machine with empty caches of its own adds nothing to the store:
    // every compile it needs is there (a compile whose key held a path or
    // anything else of the run would be stored anew), and its report is the
    // same.
    let third = scan("c");
    assert_eq!(first, third, "machine c's report differs");
    let after_c = store_files(&store);
    let new: Vec<&PathBuf> = after_c.difference(&after_b).collect();
    assert!(
        new.is_empty(),
        "machine c stored {} new entries: {new:?}",
        new.len()
    );
}
