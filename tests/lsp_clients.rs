//! `ifacealloc lsp` in real clients: Neovim's built-in LSP client (Debian's
//! `nvim`, headless; tests/clients/nvim_lsp.lua) and pytest-lsp from PyPI
//! impersonating VS Code, Neovim and Emacs (tests/clients/test_ifacealloc.py).
//! What they receive must be `scan`'s answers for the same package. Each is
//! skipped, saying so, when its client is not installed (`.ci/run` installs
//! both).

use std::path::PathBuf;
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

#[test]
fn neovim_receives_scans_answers() {
    if !on_path("nvim") {
        eprintln!("SKIPPED: no nvim on PATH (apt-get install neovim; .ci/run installs it)");
        return;
    }
    let sites: Vec<Value> = serde_json::from_str(&common::scan_json(&fixture())).unwrap();
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
            .env("GO_FILE", fixture().join("why.go"))
            .env("HOVER_LINE", "8")
            .env("HOVER_CHAR", "57")
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
    // The hints: one per allocating site, at its expression's end.
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
    let want = common::expected_hints(&sites, "why.go");
    assert_eq!(hints, want);
    // The diagnostics it shows: only the always-allocating site (failOn).
    let d = got["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{got}");
    assert_eq!(
        (d[0]["line"].as_u64(), d[0]["col"].as_u64()),
        (Some(12), Some(27))
    );
    assert_eq!(d[0]["source"], "ifacealloc");
    let hover = got["hover"]["contents"]["value"].as_str().unwrap();
    assert!(
        hover.contains("passed to fmt.Sprintf's ... parameter, which leaks to the heap"),
        "{hover}"
    );
    assert_eq!(got["lenses"].as_array().unwrap().len(), 7, "{got}");
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
    assert!(text.contains("3 passed"), "{text}");
}
