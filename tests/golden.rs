//! Parser outputs pinned byte for byte: asm2md and bench2md on every recorded
//! fixture must print exactly the committed tables, so speed work cannot
//! change a result unnoticed. `IFACEALLOC_UPDATE_GOLDEN=1 cargo test --test
//! golden` rewrites them after a deliberate change.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn check(cmd: &str, input: &Path) {
    // No toolchain: routine links are left out, so the output does not
    // depend on the local Go.
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args([cmd, "--no-echo"])
        .arg(input)
        .env("IFACEALLOC_GO", "/nonexistent/go")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        input.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let name = format!("{}.{cmd}.md", input.file_stem().unwrap().to_string_lossy());
    let golden = root().join("golden").join(name);
    if std::env::var_os("IFACEALLOC_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &out.stdout).unwrap();
        return;
    }
    let want = std::fs::read(&golden).unwrap_or_else(|_| {
        panic!(
            "no {}; run with IFACEALLOC_UPDATE_GOLDEN=1",
            golden.display()
        )
    });
    assert!(
        want == out.stdout,
        "{cmd} {} no longer prints {}",
        input.display(),
        golden.display()
    );
}

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

#[test]
fn asm2md_outputs_are_unchanged() {
    for f in fixtures("asm") {
        check("asm2md", &f);
    }
}

#[test]
fn bench2md_outputs_are_unchanged() {
    for f in fixtures("bench") {
        check("bench2md", &f);
    }
}
