//! `scan` on code no one here wrote: Go's fmt, strconv, encoding/json, log/slog
//! and net/http, and github.com/google/uuid v1.6.0 (pinned in
//! tests/fixtures/scan/stdcheck/go.mod, downloaded through the module proxy).
//! For a sample of the sites it reports, a Go program drives the real code
//! path and counts the allocations the runtime attributes to the site's exact
//! file and line (runtime.MemProfile at MemProfileRate 1): sites reported as
//! allocating must show allocations, sites reported as `never` none; and
//! testing.AllocsPerRun over each whole path agrees.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::{json, Value};

fn stdcheck_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/stdcheck")
}

fn scan(dir: &std::path::Path, patterns: &[&str]) -> Vec<Value> {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .arg("scan")
        .arg("-C")
        .arg(dir)
        .args(["--format", "json"])
        .args(patterns)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The reported site in `file` (a path suffix) inside `function` (a suffix) whose
/// expression is `expr`.
fn find<'a>(sites: &'a [Value], file: &str, function: &str, expr: &str) -> &'a Value {
    sites
        .iter()
        .find(|s| {
            s["file"].as_str().unwrap().ends_with(file)
                && s["function"].as_str().unwrap().ends_with(function)
                && s["expr"] == expr
        })
        .unwrap_or_else(|| panic!("scan reported no site {file} {function} {expr}"))
}

#[test]
fn std_and_third_party_sites_are_confirmed_by_the_runtime() {
    let dir = stdcheck_dir();
    let std = scan(
        &dir,
        &["fmt", "strconv", "encoding/json", "log/slog", "net/http"],
    );
    for pkg in [
        "fmt/",
        "strconv/",
        "encoding/json/",
        "log/slog/",
        "net/http/",
    ] {
        assert!(
            std.iter()
                .any(|s| s["file"].as_str().unwrap().contains(pkg)),
            "no sites in {pkg}"
        );
    }
    assert!(std.len() > 500, "{} sites", std.len());
    let uuid = scan(&dir, &["github.com/google/uuid"]);
    assert!(uuid.len() > 5, "{} sites", uuid.len());
    // The compiler explains nearly every escaping value (-m=2): an allocating
    // site without a why is one whose explanation scan could not place (on
    // Go 1.26.8, 1 of 372 in encoding/json, net/http and log/slog: a call
    // spanning lines).
    let allocating: Vec<&Value> = std
        .iter()
        .chain(&uuid)
        .filter(|s| s["verdict"] == "always" || s["verdict"] == "conditional")
        .collect();
    let explained = allocating.iter().filter(|s| s["why"].is_string()).count();
    assert!(
        explained * 100 >= allocating.len() * 97,
        "{explained} of {} allocating sites say why",
        allocating.len()
    );

    // (driver, file, function, expr, expected verdict)
    let samples = [
        (
            "slog-any-int64",
            "log/slog/value.go",
            "slog.Value.Any",
            "int64(v.num)",
            "conditional",
        ),
        (
            "slog-any-uint64",
            "log/slog/value.go",
            "slog.Value.Any",
            "v.num",
            "conditional",
        ),
        (
            "slog-any-float64",
            "log/slog/value.go",
            "slog.Value.Any",
            "v.float()",
            "conditional",
        ),
        (
            "slog-any-string",
            "log/slog/value.go",
            "slog.Value.Any",
            "v.str()",
            "conditional",
        ),
        (
            "slog-any-duration",
            "log/slog/value.go",
            "slog.Value.Any",
            "v.duration()",
            "conditional",
        ),
        (
            "slog-any-time",
            "log/slog/value.go",
            "slog.Value.Any",
            "v.time()",
            "always",
        ),
        (
            "slog-any-group",
            "log/slog/value.go",
            "slog.Value.Any",
            "v.group()",
            "conditional",
        ),
        (
            "json-number",
            "encoding/json/decode.go",
            "(*decodeState).convertNumber",
            "f",
            "conditional",
        ),
        (
            "json-string",
            "encoding/json/decode.go",
            "(*decodeState).literalInterface",
            "s",
            "conditional",
        ),
        (
            "json-array",
            "encoding/json/decode.go",
            "(*decodeState).array",
            "ai",
            "conditional",
        ),
        (
            "fmt-scan-error",
            "fmt/scan.go",
            "(*ss).errorString",
            "scanError{…}",
            "always",
        ),
        (
            "uuid-long",
            "uuid.go",
            "uuid.Parse",
            "invalidLengthError{…}",
            "conditional",
        ),
        // never
        (
            "slog-any-bool",
            "log/slog/value.go",
            "slog.Value.Any",
            "v.bool()",
            "never",
        ),
        (
            "slog-int64value",
            "log/slog/value.go",
            "slog.Int64Value",
            "KindInt64",
            "never",
        ),
        (
            "slog-uint64value",
            "log/slog/value.go",
            "slog.Uint64Value",
            "KindUint64",
            "never",
        ),
        (
            "slog-float64value",
            "log/slog/value.go",
            "slog.Float64Value",
            "KindFloat64",
            "never",
        ),
        (
            "slog-boolvalue",
            "log/slog/value.go",
            "slog.BoolValue",
            "KindBool",
            "never",
        ),
        (
            "json-bool",
            "encoding/json/decode.go",
            "(*decodeState).literalInterface",
            "c == 't'",
            "never",
        ),
        // conditional, and this value is one that does not allocate: len 3 < 256
        (
            "uuid-short",
            "uuid.go",
            "uuid.Parse",
            "invalidLengthError{…}",
            "conditional-small",
        ),
    ];
    let mut targets = Vec::new();
    for (id, file, func, expr, verdict) in samples {
        let sites = if file == "uuid.go" { &uuid } else { &std };
        let s = find(sites, file, func, expr);
        let want = verdict.trim_end_matches("-small");
        assert_eq!(s["verdict"], want, "{id}: {s}");
        let suffix = if file == "uuid.go" {
            "google/uuid@v1.6.0/uuid.go".to_string()
        } else {
            file.to_string()
        };
        targets.push(json!({ "id": id, "file": suffix, "line": s["line"] }));
    }
    let run = std::process::Command::new("go")
        .args(["run", "."])
        .current_dir(&dir)
        .env("GOFLAGS", "-mod=readonly")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    run.stdin
        .as_ref()
        .unwrap()
        .write_all(serde_json::to_string(&targets).unwrap().as_bytes())
        .unwrap();
    let out = run.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut failures = Vec::new();
    let mut confirmed_alloc = 0;
    let mut confirmed_none = 0;
    for (line, (id, _, _, _, verdict)) in
        String::from_utf8(out.stdout).unwrap().lines().zip(samples)
    {
        let r: Value = serde_json::from_str(line).unwrap();
        assert_eq!(r["id"], id);
        let allocs = r["allocs"].as_i64().unwrap();
        let runs = r["runs"].as_i64().unwrap();
        let per_run = r["allocs_per_run"].as_f64().unwrap();
        // testing.AllocsPerRun over the whole path agrees: an allocating site's
        // path allocates; the slog and uuid paths through never sites allocate nothing.
        let whole_path_ok = match verdict {
            "always" | "conditional" => per_run >= 1.0,
            _ if id.starts_with("slog-") || id.starts_with("uuid-") => per_run == 0.0,
            _ => true,
        };
        if !whole_path_ok {
            failures.push(format!(
                "{id} ({verdict}): testing.AllocsPerRun says {per_run}"
            ));
        }
        match verdict {
            // Tiny allocations are sampled once per 16-byte block: at least runs/8.
            "always" | "conditional" if allocs >= runs / 8 => confirmed_alloc += 1,
            "never" | "conditional-small" if allocs == 0 => confirmed_none += 1,
            _ => failures.push(format!(
                "{id} ({verdict}): {allocs} allocations over {runs} runs"
            )),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        confirmed_alloc >= 10 && confirmed_none >= 5,
        "{confirmed_alloc} / {confirmed_none}"
    );
}
