//! The HTML reports in a real headless Chromium (Debian's `chromium`, which
//! `.ci/run` installs): the DOM has a row per catalog row (matrix) and per site
//! (scan), the page logs nothing to the console and makes no network request
//! (checked with Chromium's own net log, against a control page that does),
//! and its screenshot is not blank; the lab pages likewise, figures inline.
//! Also: text is escaped, and the benchfmt output reads in the real benchstat.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
}

/// What Chromium saw of a page: its DOM after scripts ran, console lines,
/// and the URLs the page itself requested.
struct Rendered {
    dom: String,
    console: Vec<String>,
    page_requests: Vec<String>,
}

fn render(browser: &Path, page: &Path, work: &Path) -> Rendered {
    let net = work.join(format!(
        "{}.net.json",
        page.file_name().unwrap().to_string_lossy()
    ));
    let url = format!("file://{}", page.display());
    let out = Std::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--log-net-log={}", net.display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    // Requests made for the page carry its origin ("null" for file://);
    // Chromium's own background requests carry "not an origin".
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&net).unwrap()).unwrap();
    let page_requests = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            let p = &e["params"];
            let initiator = p.get("initiator")?.as_str()?;
            (initiator != "not an origin").then(|| p["url"].as_str().unwrap_or("").to_string())
        })
        .collect();
    Rendered {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console,
        page_requests,
    }
}

fn screenshot(browser: &Path, page: &Path, png: &Path, work: &Path) {
    let out = Std::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1500,520",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Not blank: a real page has many colours.
    let decoder = png::Decoder::new(std::fs::File::open(png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let colours: std::collections::HashSet<&[u8]> = bytes.chunks(step).collect();
    assert!(
        colours.len() > 20,
        "the screenshot is nearly blank: {} colours",
        colours.len()
    );
}

fn ifacealloc(args: &[&str]) {
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn reports_render_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: no chromium on PATH (.ci/run installs Debian's chromium)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    // The detectors work: a control page that requests and logs is caught.
    let control = work.path().join("control.html");
    std::fs::write(
        &control,
        "<html><body><img src=\"http://127.0.0.1:9/probe.png\"><script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let c = render(&browser, &control, work.path());
    assert!(
        c.page_requests.iter().any(|u| u.contains("probe.png")),
        "{:?}",
        c.page_requests
    );
    assert!(!c.console.is_empty());

    // matrix: one table row per catalog row.
    let matrix = work.path().join("matrix.html");
    ifacealloc(&[
        "matrix",
        "--iterations",
        "64",
        "--format",
        "html",
        "-o",
        matrix.to_str().unwrap(),
    ]);
    let list = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["matrix", "--list"])
        .output()
        .unwrap();
    let rows = String::from_utf8_lossy(&list.stdout).lines().count();
    let r = render(&browser, &matrix, work.path());
    assert_eq!(r.dom.matches("<tr data-row=").count(), rows);
    assert!(r.console.is_empty(), "{:?}", r.console);
    assert!(r.page_requests.is_empty(), "{:?}", r.page_requests);
    screenshot(
        &browser,
        &matrix,
        &work.path().join("matrix.png"),
        work.path(),
    );
    // The README's picture: two Go versions, a few rows, the change outlined.
    let two = work.path().join("two.html");
    ifacealloc(&[
        "--go",
        "1.21.13,go",
        "matrix",
        "--types",
        "int64,string,struct_int32_int64,array_100_byte,bool,ptr_int",
        "--format",
        "html",
        "-o",
        two.to_str().unwrap(),
    ]);
    let r = render(&browser, &two, work.path());
    assert!(r.console.is_empty() && r.page_requests.is_empty());
    assert!(
        r.dom.contains("stroke=\"#1d2330\""),
        "no changed cell outlined"
    );
    // Kept for a look: target/tmp/matrix-report.png (wherever the target dir is).
    let png = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("matrix-report.png");
    screenshot(&browser, &two, &png, work.path());

    // scan: one row per site.
    let scan = work.path().join("scan.html");
    let sites = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/sites");
    ifacealloc(&[
        "scan",
        "-C",
        sites.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        scan.to_str().unwrap(),
    ]);
    let json = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args(["scan", "-C", sites.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let n: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    let r = render(&browser, &scan, work.path());
    assert_eq!(r.dom.matches("<tr data-verdict=").count(), n.len());
    assert!(r.console.is_empty(), "{:?}", r.console);
    assert!(r.page_requests.is_empty(), "{:?}", r.page_requests);
    screenshot(&browser, &scan, &work.path().join("scan.png"), work.path());

    // The lab pages: every figure inline and drawn, nothing fetched or logged.
    for n in 1..=5 {
        let page = work.path().join(format!("lab-{n}.html"));
        ifacealloc(&[
            "lab",
            "show",
            &n.to_string(),
            "--format",
            "html",
            "-o",
            page.to_str().unwrap(),
        ]);
        let r = render(&browser, &page, work.path());
        assert!(r.console.is_empty(), "lab {n}: {:?}", r.console);
        assert!(r.page_requests.is_empty(), "lab {n}: {:?}", r.page_requests);
        assert!(r.dom.contains(&format!("<h1>Lab {n}")), "lab {n}");
        if n == 2 {
            assert!(r.dom.contains("runtime.staticuint64s") && r.dom.contains("<svg"));
            screenshot(&browser, &page, &work.path().join("lab-2.png"), work.path());
        }
    }
}

#[test]
fn html_escapes_every_text() {
    let work = tempfile::tempdir().unwrap();
    // A struct tag is part of the type, so it reaches the report.
    let out = Command::cargo_bin("ifacealloc")
        .unwrap()
        .args([
            "matrix",
            "--catalog",
            "none",
            "--iterations",
            "16",
            "--format",
            "html",
        ])
        .args(["--type", "struct{ a int \"<script>alert(1)</script>\" }"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)"), "not escaped");
    assert!(!html.contains("<script>alert"), "a script got through");
    // A lem case name, from a Go comment.
    std::fs::write(
        work.path().join("go.mod"),
        "module example.com/h\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("h_test.go"),
        "package h\n\nimport \"testing\"\n\n// lem.x.name=<script>alert(2)</script>\n// lem.x.alloc=0\nfunc BenchmarkX(b *testing.B) {\n\tfor i := 0; i < b.N; i++ {\n\t}\n}\n",
    )
    .unwrap();
    let out = common::succeed(
        Command::cargo_bin("ifacealloc")
            .unwrap()
            .args(["lem", "--format", "html", "-C"])
            .arg(work.path()),
    );
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("&lt;script&gt;alert(2)"), "not escaped");
    assert!(!html.contains("<script>alert"), "a script got through");
}

#[test]
fn benchfmt_reads_in_the_real_benchstat() {
    let work = tempfile::tempdir().unwrap();
    let gobin = work.path().join("bin");
    let install = Std::new("go")
        .args(["install", "golang.org/x/perf/cmd/benchstat@latest"])
        .env("GOBIN", &gobin)
        .output()
        .unwrap();
    if !install.status.success() {
        let err = String::from_utf8_lossy(&install.stderr);
        if err.contains("proxy") || err.contains("dial") || err.contains("lookup") {
            eprintln!("SKIPPED: benchstat could not be downloaded (is the Go module proxy reachable?): {err}");
            return;
        }
        panic!("go install benchstat failed: {err}");
    }
    // The README's recipe: two Go versions, 1.21.13 (fetched like GOTOOLCHAIN
    // does) and the local one, six runs each, the `go:` line ignored.
    let mut files = Vec::new();
    for (go, name) in [("1.21.13", "old.txt"), ("go", "new.txt")] {
        let mut samples = Vec::new();
        for _ in 0..6 {
            let out = Command::cargo_bin("ifacealloc")
                .unwrap()
                .args([
                    "--go",
                    go,
                    "matrix",
                    "--types",
                    "int64,string,struct_int32_int64",
                ])
                .args(["--iterations", "4096", "--format", "benchfmt", "--fresh"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            samples.extend_from_slice(&out.stdout);
        }
        let path = work.path().join(name);
        std::fs::write(&path, &samples).unwrap();
        files.push(path);
    }
    let out = Std::new(gobin.join("benchstat"))
        .args(["-ignore", "go"])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.trim().is_empty(), "benchstat complained: {err}");
    assert!(text.contains("B/op"), "{text}");
    assert!(text.contains("allocs/op"), "{text}");
    // Side by side and significant: the zero literal went from convTnoptr's
    // 16 B to runtime.zeroVal (Go 1.25).
    let zerolit = text
        .lines()
        .find(|l| l.contains("Iface/struct_int32_int64/zerolit") && l.contains("16.00"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        zerolit.contains("-100.00%") && zerolit.contains("n=6"),
        "{zerolit}"
    );
}
