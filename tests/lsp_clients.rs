//! `ifacealloc lsp` in real clients: Neovim's built-in LSP client (Debian's
//! `nvim`, headless; tests/clients/nvim_lsp.lua) and pytest-lsp from PyPI
//! impersonating VS Code, Neovim and Emacs (tests/clients/test_ifacealloc.py).
//! What they receive must be `scan`'s answers for the same package. Each is
//! skipped, saying so, when its client is not installed (`.ci/run` installs
//! both).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

mod common;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> PathBuf {
    root().join("tests/fixtures/scan/why")
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .any(|d| d.join(name).is_file())
}

/// Runs `cmd` for at most `limit`, killing its process group after.
fn run_bounded(cmd: &mut Command, limit: Duration) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let child = cmd
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            panic!("{cmd:?} did not finish within {limit:?}");
        }
    }
}

/// What Neovim's client received for `file` (see tests/clients/nvim_lsp.lua),
/// or None when there is no `nvim`.
fn neovim_session(file: &Path, hover: (u32, u32), asm_func: &str) -> Option<Value> {
    if !on_path("nvim") {
        eprintln!("SKIPPED: no nvim on PATH (apt-get install neovim; .ci/run installs it)");
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out_file = tmp.path().join("nvim.json");
    let out = run_bounded(
        Command::new("nvim")
            .args(["--headless", "--clean", "-c"])
            .arg(format!(
                "luafile {}",
                root().join("tests/clients/nvim_lsp.lua").display()
            ))
            .env("IFACEALLOC_BIN", env!("CARGO_BIN_EXE_ifacealloc"))
            .env("GO_FILE", file)
            .env("HOVER_LINE", hover.0.to_string())
            .env("HOVER_CHAR", hover.1.to_string())
            .env("ASM_FUNC", asm_func)
            .env("OUT", &out_file)
            .current_dir(tmp.path()),
        Duration::from_secs(300),
    );
    let text = std::fs::read_to_string(&out_file).unwrap_or_else(|_| {
        panic!(
            "nvim wrote nothing: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let got: Value = serde_json::from_str(&text).unwrap();
    assert!(got.get("error").is_none(), "{got}");
    assert_eq!(got["published"], true, "{got}");
    Some(got)
}

/// The hints a client received, as (0-based line, label), sorted.
fn received_hints(got: &Value) -> Vec<(u64, String)> {
    let mut hints: Vec<(u64, String)> = got["hints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    hints.sort();
    hints
}

/// The annotated assembly the lens's command gave: its result, or the
/// document the server asked the client to show.
fn received_assembly(got: &Value) -> String {
    match (&got["asm"], &got["asm_document"]) {
        (_, Value::String(doc)) => doc.clone(),
        (Value::String(text), _) => text.clone(),
        _ => panic!("no assembly received: {got}"),
    }
}

/// The (0-based line, column) of each diagnostic a client shows.
fn received_diagnostics(got: &Value) -> Vec<(u64, u64)> {
    let d = got["diagnostics"].as_array().unwrap();
    assert!(d.iter().all(|d| d["source"] == "ifacealloc"), "{got}");
    d.iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["col"].as_u64().unwrap()))
        .collect()
}

#[test]
fn neovim_receives_scans_answers() {
    let Some(got) = neovim_session(&fixture().join("why.go"), (8, 57), "Store") else {
        return;
    };
    let sites: Vec<Value> = serde_json::from_str(&common::scan_json(&fixture())).unwrap();
    // The hints: one per allocating site, at its expression's end.
    assert_eq!(
        received_hints(&got),
        common::expected_hints(&sites, "why.go")
    );
    // The diagnostics it shows: only the always-allocating site (failOn).
    assert_eq!(received_diagnostics(&got), [(12, 27)]);
    let hover = got["hover"]["contents"]["value"].as_str().unwrap();
    assert!(
        hover.contains("passed to fmt.Sprintf's ... parameter, which leaks to the heap"),
        "{hover}"
    );
    assert_eq!(got["lenses"].as_array().unwrap().len(), 7, "{got}");
    let asm = received_assembly(&got);
    assert!(
        asm.contains("CALL\truntime.convT64(SB)\t<- convT64"),
        "{asm}"
    );
}

#[test]
fn neovim_on_a_published_module_receives_scans_answers() {
    // github.com/google/uuid v1.6.0, as a developer's checkout of it.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("uuid");
    common::module_copy("github.com/google/uuid@v1.6.0", &dir);
    // The always-allocating conversion in null.go: `json.Marshal(nu.UUID)`.
    let Some(got) = neovim_session(&dir.join("null.go"), (102, 24), "NullUUID.MarshalJSON") else {
        return;
    };
    let sites: Vec<Value> = serde_json::from_str(&common::scan_json(&dir)).unwrap();
    let want = common::expected_hints(&sites, "null.go");
    assert!(want.len() >= 2, "{want:?}");
    assert_eq!(received_hints(&got), want);
    assert_eq!(received_diagnostics(&got), [(102, 22)]);
    let hover = got["hover"]["contents"]["value"].as_str().unwrap();
    assert!(hover.contains("convTnoptr"), "{hover}");
    assert!(
        hover.contains("passed to json.Marshal, which leaks to the heap"),
        "{hover}"
    );
    // A lens per function of null.go holding a conversion that may allocate.
    let mut functions: Vec<&str> = sites
        .iter()
        .filter(|s| s["file"].as_str().unwrap().ends_with("null.go"))
        .filter(|s| s["verdict"] == "always" || s["verdict"] == "conditional")
        .map(|s| s["function"].as_str().unwrap())
        .collect();
    functions.sort();
    functions.dedup();
    assert_eq!(
        got["lenses"].as_array().unwrap().len(),
        functions.len(),
        "{got}"
    );
    let asm = received_assembly(&got);
    assert!(asm.contains("runtime.convTnoptr(SB)"), "{asm}");
}

#[test]
fn pytest_lsp_clients_receive_scans_answers() {
    let have = Command::new("python3")
        .args(["-c", "import pytest_lsp"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        eprintln!(
            "SKIPPED: pytest-lsp is not installed (pip install pytest-lsp; .ci/run installs it)"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let uuid = tmp.path().join("uuid");
    common::module_copy("github.com/google/uuid@v1.6.0", &uuid);
    let out = run_bounded(
        Command::new("python3")
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-W",
                "ignore::DeprecationWarning",
            ])
            .arg(root().join("tests/clients/test_ifacealloc.py"))
            .env("IFACEALLOC_BIN", env!("CARGO_BIN_EXE_ifacealloc"))
            .env("IFACEALLOC_SCAN_JSON", common::scan_json(&fixture()))
            .env("IFACEALLOC_UUID_DIR", &uuid)
            .env("IFACEALLOC_UUID_SCAN_JSON", common::scan_json(&uuid))
            // No __pycache__ left in the tree.
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .current_dir(root()),
        Duration::from_secs(300),
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("6 passed"), "{text}");
}
