//! What this machine lacks for the live tests, said where `cargo test`
//! shows it: this is a test binary of its own (no harness), so its output is
//! not captured. Tests whose tool is missing pass with a SKIPPED note on
//! their (captured) stderr; this lists them, and the count, up front.
//! `.ci/run` installs every tool, so nothing is skipped there.

use std::path::Path;
use std::process::Command;

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .any(|d| Path::new(&d).join(name).is_file())
}

fn main() {
    let mut skipped: Vec<String> = Vec::new();
    if !["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .any(|b| on_path(b))
    {
        skipped
            .push("html_report::reports_render_in_headless_chromium (no chromium on PATH)".into());
    }
    if !on_path("cc") && !on_path("gcc") {
        skipped.push("scan::cgo_follows_the_environment (its cgo-on half: no C compiler)".into());
    }
    if !on_path("nvim") {
        skipped.push("lsp_clients::neovim_receives_scans_answers (no nvim)".into());
    }
    let pytest_lsp = Command::new("python3")
        .args(["-c", "import pytest_lsp"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !pytest_lsp {
        skipped
            .push("lsp_clients::pytest_lsp_clients_receive_scans_answers (no pytest-lsp)".into());
    }
    if !on_path("npm") {
        skipped.push(
            "scan::sarif_validates_against_the_schema (its schema half: no npm to fetch the SARIF schema)"
                .into(),
        );
    }
    if !on_path("man") {
        skipped.push("cli::man_renders_the_man_page (its man -l half: no man)".into());
    }
    let proxy = Command::new("go")
        .args(["mod", "download", "-json", "github.com/google/uuid@v1.6.0"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !proxy {
        skipped.push(
            "tests that fetch modules (lem's akutz/lem, logrus, google/uuid, benchstat): the Go module proxy is not reachable".into(),
        );
    }
    if std::env::var_os("IFACEALLOC_TEST_GOS").is_none() {
        skipped.push(
            "other Go versions: IFACEALLOC_TEST_GOS is unset, so the cross-version tests use the local go only (.ci/run sets it)".into(),
        );
    }
    if skipped.is_empty() {
        println!("prerequisites: every tool the live tests use is here; nothing is skipped");
    } else {
        println!(
            "prerequisites: {} part(s) of the live tests are skipped on this machine:",
            skipped.len()
        );
        for s in &skipped {
            println!("  SKIPPED {s}");
        }
    }
}
