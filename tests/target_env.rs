//! A GOOS or GOARCH in the environment: ifacealloc builds, runs and lays
//! types out for the toolchain's own target (it drops them from every go
//! command), so its answers stay consistent with what it compiled and
//! measured, and it says on stderr that the variable was not used.

use std::path::PathBuf;

use assert_cmd::Command;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/hostarch")
}

fn scan(goarch: Option<&str>) -> (String, String) {
    let mut cmd = Command::cargo_bin("ifacealloc").unwrap();
    cmd.args(["scan", "--format", "json", "-C"]).arg(fixture());
    match goarch {
        Some(a) => cmd.env("GOARCH", a),
        None => cmd.env_remove("GOARCH"),
    };
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Before, GOARCH=386 laid the types out for 386 while go built for the host:
/// both sites came out "unknown".
#[test]
fn scan_answers_for_what_it_compiled() {
    let (plain, quiet) = scan(None);
    assert!(!quiet.contains("not used"), "{quiet}");
    let host = std::process::Command::new("go")
        .args(["env", "GOARCH"])
        .env_remove("GOARCH")
        .output()
        .unwrap();
    let host = String::from_utf8(host.stdout).unwrap().trim().to_string();
    let other = if host == "386" { "amd64" } else { "386" };
    let (with_env, note) = scan(Some(other));
    assert_eq!(with_env, plain, "GOARCH={other} changed the answers");
    assert!(
        note.contains(&format!("GOARCH={other} in the environment is not used")),
        "{note}"
    );
    assert!(!plain.contains("\"unknown\""), "{plain}");
}

/// explain --verify predicts for the target it measures on.
#[test]
fn explain_verify_measures_what_it_predicts() {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["explain", "struct{a int32; b int16}", "--value", "{5, 0}"])
        .args(["--verify", "--format", "json"])
        .env("GOARCH", "386")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["verify"]["matches"], true, "{v}");
    assert_eq!(out.status.code(), Some(0), "{v}");
}
