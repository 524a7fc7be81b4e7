//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The local `go`, then every go binary listed in IFACEALLOC_TEST_GOS
/// (colon-separated; `.ci/run` installs Go 1.21.13 and 1.25.5 there).
#[allow(dead_code)]
pub fn toolchains() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("go")];
    if let Ok(list) = std::env::var("IFACEALLOC_TEST_GOS") {
        out.extend(list.split(':').filter(|s| !s.is_empty()).map(PathBuf::from));
    }
    out
}

/// Runs ifacealloc with `args`: (stdout, stderr, exit code).
#[allow(dead_code)]
pub fn ifacealloc(args: &[&str]) -> (String, String, i32) {
    let out = assert_cmd::Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}
