//! Helpers shared by the integration tests.

use std::path::PathBuf;

pub mod gen;

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

/// The minor version of the go binary `go` (26 for go1.26.8).
#[allow(dead_code)]
pub fn go_minor(go: &std::path::Path) -> u32 {
    let out = std::process::Command::new(go)
        .args(["env", "GOVERSION"])
        .output()
        .unwrap();
    let v = String::from_utf8(out.stdout).unwrap();
    v.trim()
        .trim_start_matches("go1.")
        .split(['.', 'r', '-', ' '])
        .next()
        .unwrap()
        .parse()
        .unwrap()
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

/// Runs `cmd`; fails the test with its stderr unless it succeeded.
#[allow(dead_code)]
pub fn succeed(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Copies a directory tree (a fixture) to `to`.
#[allow(dead_code)]
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// Runs `git ARGS` in `dir` as a fixed author; its stdout. Panics with
/// git's message when it fails.
#[allow(dead_code)]
pub fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ifacealloc scan --format json -C DIR .` (the package in DIR), as text.
#[allow(dead_code)]
pub fn scan_json(dir: &std::path::Path) -> String {
    let out = succeed(
        assert_cmd::Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["scan", "--format", "json", "-C"])
            .arg(dir)
            .arg("."),
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The SARIF 2.1.0 schema comes from npm (@microsoft/jest-sarif ships it), or
/// from IFACEALLOC_SARIF_SCHEMA; None (the test is skipped, and
/// `prerequisites` says so) without npm.
#[allow(dead_code)]
pub fn sarif_schema() -> Option<serde_json::Value> {
    if let Ok(p) = std::env::var("IFACEALLOC_SARIF_SCHEMA") {
        return Some(serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    let Ok(st) = std::process::Command::new("npm")
        .args(["pack", "--silent", "@microsoft/jest-sarif@1.0.0-beta.0"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .status()
    else {
        eprintln!("SKIPPED schema validation: no npm to fetch the SARIF schema");
        return None;
    };
    assert!(st.success());
    let st = std::process::Command::new("tar")
        .args(["xzf", "microsoft-jest-sarif-1.0.0-beta.0.tgz"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(st.success());
    let text = std::fs::read(
        dir.path()
            .join("package/lib/schemas/sarif-2.1.0-rtm.5.json"),
    )
    .unwrap();
    Some(serde_json::from_slice(&text).unwrap())
}

/// The hints scan's answers give for `file` (a path relative to the
/// package's module root, as scan's JSON has it): (line, label), 0-based
/// lines, allocating sites only.
#[allow(dead_code)]
pub fn expected_hints(sites: &[serde_json::Value], file: &str) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = sites
        .iter()
        .filter(|s| s["file"].as_str().unwrap().ends_with(file))
        .filter(|s| s["verdict"] == "always" || s["verdict"] == "conditional")
        .map(|s| {
            let cond = match s["routine"].as_str().unwrap() {
                "convT16" | "convT32" | "convT64" => " <256:0",
                "convTstring" => " \"\":0",
                "convTslice" => " nil:0",
                _ => "",
            };
            let bytes = s["bytes"].as_f64().unwrap();
            let label = if s["verdict"] == "conditional" {
                format!("{bytes} B {}{cond}", s["routine"].as_str().unwrap())
            } else {
                format!("{bytes} B {}", s["routine"].as_str().unwrap())
            };
            (s["end_line"].as_u64().unwrap() - 1, label)
        })
        .collect();
    out.sort();
    out
}

/// Asserts that `log` validates against the SARIF 2.1.0 schema and that the
/// schema rejects a broken copy (a schema that accepts everything proves
/// nothing); nothing without npm (see [`sarif_schema`]).
#[allow(dead_code)]
pub fn assert_valid_sarif(log: &serde_json::Value) {
    let Some(schema) = sarif_schema() else {
        return;
    };
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::Value::from("loud");
    assert!(!validator.is_valid(&broken));
}

/// Runs `go ARGS` in `dir` (modules resolved as needed), asserting success;
/// its stdout.
#[allow(dead_code)]
pub fn go_ok(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("go")
        .args(args)
        .current_dir(dir)
        .env("GOFLAGS", "-mod=mod")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "go {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A Go program from the module proxy, built once per target directory:
/// `go get` of `modules` in a scratch module, then `go build` of `package`.
#[allow(dead_code)]
pub fn go_tool(name: &str, modules: &[&str], package: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-tool"));
    let exe = dir.join(name);
    if exe.is_file() {
        return exe;
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("go.mod"), "module scratch\n\ngo 1.21\n").unwrap();
    let mut get = vec!["get"];
    get.extend_from_slice(modules);
    go_ok(&dir, &get);
    // Into place by rename: tests running at once never see half a binary.
    let staged = dir.join(format!("{name}.{}", std::process::id()));
    go_ok(&dir, &["build", "-o", staged.to_str().unwrap(), package]);
    std::fs::rename(&staged, &exe).unwrap();
    exe
}

/// A module's source from the proxy, copied into `into` (writable).
#[allow(dead_code)]
pub fn module_copy(module_at_version: &str, into: &std::path::Path) {
    let scratch = tempfile::tempdir().unwrap();
    std::fs::write(scratch.path().join("go.mod"), "module scratch\n\ngo 1.21\n").unwrap();
    let info: serde_json::Value = serde_json::from_str(&go_ok(
        scratch.path(),
        &["mod", "download", "-json", module_at_version],
    ))
    .unwrap();
    copy_tree(std::path::Path::new(info["Dir"].as_str().unwrap()), into);
}
