//! Bad, hostile and degenerate input to every subcommand: each case asserts
//! its exit code, a short message (one line for bad input), no panic, and that
//! neither the working directory nor $TMPDIR holds anything new afterwards.
//! Also: SIGINT/SIGTERM during matrix, scan and lem remove every temporary
//! directory and end every Go child.

mod common;

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One input and what must come of it.
struct Case {
    name: &'static str,
    args: Vec<String>,
    stdin: Vec<u8>,
    /// Files written into the working directory first (path, contents).
    files: Vec<(String, Vec<u8>)>,
    env: Vec<(&'static str, String)>,
    absent: Option<&'static str>,
    code: i32,
    /// Text the stderr must hold.
    says: &'static str,
    /// Most stderr lines allowed (bad input: 1; a failed go command shows the
    /// compiler's own lines).
    max_lines: usize,
}

fn case(name: &'static str, args: &[&str], code: i32, says: &'static str) -> Case {
    Case {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        stdin: Vec::new(),
        files: Vec::new(),
        env: Vec::new(),
        absent: None,
        code,
        says,
        max_lines: 1,
    }
}

impl Case {
    fn stdin(mut self, b: impl Into<Vec<u8>>) -> Self {
        self.stdin = b.into();
        self
    }
    fn file(mut self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.files.push((path.to_string(), contents.into()));
        self
    }
    fn env(mut self, k: &'static str, v: impl Into<String>) -> Self {
        self.env.push((k, v.into()));
        self
    }
    fn lines(mut self, n: usize) -> Self {
        self.max_lines = n;
        self
    }
    /// Text stderr must not hold.
    fn absent(mut self, text: &'static str) -> Self {
        self.absent = Some(text);
        self
    }
    fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }
}

/// Every file under `dir` with its size, to see what a run added or changed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p.clone());
            }
            out.insert(p, meta.len());
        }
    }
    out
}

const MODULE: &str = "module example.com/h\n\ngo 1.21\n";

/// A `go` stand-in script, for inputs where the toolchain itself is bad.
fn fake_go(body: &str) -> Vec<u8> {
    format!("#!/bin/sh\n{body}\n").into_bytes()
}

fn run(c: &Case) {
    let cwd = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (p, contents) in &c.files {
        let path = cwd.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        if p.ends_with(".sh") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let before = snapshot(cwd.path());
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"));
    cmd.args(&c.args)
        .current_dir(cwd.path())
        .env("TMPDIR", tmp.path())
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &c.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = c.stdin.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let what = format!("case {}: {:?}\nstderr: {err}", c.name, c.args);
    assert!(!err.contains("panicked"), "panic: {what}");
    assert_eq!(out.status.code(), Some(c.code), "exit code: {what}");
    assert!(err.contains(c.says), "message: {what}");
    if let Some(text) = c.absent {
        assert!(!err.contains(text), "{text:?} in stderr: {what}");
    }
    let lines = err.trim_end().lines().count();
    assert!(lines <= c.max_lines, "{lines} lines of stderr: {what}");
    if c.code == 2 {
        assert!(lines >= 1, "no message: {what}");
    }
    assert_eq!(
        before,
        snapshot(cwd.path()),
        "the working directory changed: {what}"
    );
    let left = snapshot(tmp.path());
    assert!(left.is_empty(), "left in TMPDIR: {left:?}: {what}");
}

/// One benchmark result line.
const RESULT: &str = "BenchmarkX-2 \t 1000\t 12.5 ns/op\t 8 B/op\t 1 allocs/op\n";

#[test]
fn bench2md_and_asm2md_inputs() {
    let big_line = vec![b'x'; 3 << 20];
    let mut units = String::new();
    for i in 0..40_000 {
        units.push_str(&format!("BenchmarkX{i} 1 1 u{i}/op\n"));
    }
    let mut seed = String::new();
    for i in 0..200_000 {
        seed.push_str(&format!("BenchmarkMem/row{i}/0/h 1 1 B/op\n"));
    }
    let junk: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let cases = vec![
        case("bench2md dir", &["bench2md", "d"], 2, "is a directory").file("d/x", ""),
        case(
            "bench2md missing",
            &["bench2md", "nope.txt"],
            2,
            "cannot open",
        ),
        case("bench2md empty", &["bench2md"], 2, "no benchmark results"),
        case(
            "bench2md junk",
            &["bench2md", "--no-echo"],
            2,
            "no benchmark results",
        )
        .stdin(junk.clone())
        .lines(2),
        case(
            "bench2md 1 GB-style line",
            &["bench2md", "--no-echo"],
            2,
            "read only in part",
        )
        .stdin(big_line.clone())
        .lines(2),
        case("bench2md 40k units", &["bench2md", "--no-echo"], 0, "").stdin(units),
        case("bench2md 200k seed rows", &["bench2md", "--no-echo"], 0, "").stdin(seed),
        case(
            "bench2md -o dir",
            &["bench2md", "-o", "d", "x"],
            2,
            "is a directory",
        )
        .file("d/x", ""),
        case(
            "bench2md -o missing dir",
            &["bench2md", "-o", "no/such/x.md"],
            2,
            "cannot create",
        ),
        case(
            "bench2md json junk",
            &["bench2md", "--no-echo"],
            2,
            "no benchmark results",
        )
        .stdin("{\"Action\":\"output\",\"Output\":\n{{{\n")
        .lines(2),
        case(
            "bench2md bad flag",
            &["bench2md", "--nope"],
            2,
            "unexpected argument",
        ),
        case(
            "bench2md compare a missing file",
            &["bench2md", "a.txt", "nope.txt"],
            2,
            "cannot open nope.txt",
        )
        .file("a.txt", RESULT),
        case(
            "bench2md compare a file with no results",
            &["bench2md", "a.txt", "b.txt"],
            2,
            "no benchmark results in b.txt",
        )
        .file("a.txt", RESULT)
        .file("b.txt", "PASS\n"),
        case(
            "bench2md bad alpha",
            &["bench2md", "--alpha", "5", "a.txt", "a.txt"],
            2,
            "between 0 and 1",
        )
        .file("a.txt", RESULT),
        case(
            "bench2md bad row key",
            &["bench2md", "--row", ".nope", "a.txt", "a.txt"],
            2,
            "unknown key .nope",
        )
        .file("a.txt", RESULT),
        case(
            "bench2md grouping without files",
            &["bench2md", "--col", "/size"],
            2,
            "give them",
        ),
        case(
            "bench2md bad budget line",
            &["bench2md", "--budget", "b.budget", "a.txt", "a.txt"],
            2,
            "line 2: \"allocs/op\" is not UNIT=LIMIT",
        )
        .file("a.txt", RESULT)
        .file("b.budget", "# ok\nX allocs/op\n"),
        case(
            "bench2md bad budget toml",
            &["bench2md", "--budget", "b.toml", "a.txt", "a.txt"],
            2,
            "bench2md --budget b.toml: line 1:",
        )
        .file("a.txt", RESULT)
        .file("b.toml", "[x\n"),
        case(
            "bench2md budget is a dir",
            &["bench2md", "--budget", "d", "a.txt", "a.txt"],
            2,
            "not a budget file",
        )
        .file("a.txt", RESULT)
        .file("d/x", ""),
        case(
            "bench2md explain without ..",
            &["bench2md", "--explain", "main", "a.txt", "a.txt"],
            2,
            "is not OLD..NEW",
        )
        .file("a.txt", RESULT),
        case(
            "bench2md write-budget to a dir",
            &["bench2md", "--write-budget", "d", "a.txt", "a.txt"],
            2,
            "is a directory",
        )
        .file("a.txt", RESULT)
        .file("d/x", ""),
        case("asm2md dir", &["asm2md", "d"], 2, "is a directory").file("d/x", ""),
        case("asm2md missing", &["asm2md", "nope.txt"], 2, "cannot open"),
        case("asm2md junk", &["asm2md", "--no-echo"], 2, "no functions").stdin(junk),
        case(
            "asm2md long line",
            &["asm2md", "--no-echo"],
            2,
            "read only in part",
        )
        .stdin(big_line)
        .lines(2),
        case("asm2md -o dir", &["asm2md", "-o", "d"], 2, "is a directory").file("d/x", ""),
    ];
    for c in &cases {
        run(c);
    }
}

#[test]
fn explain_inputs() {
    let offline = ["--go-version", "1.26", "--arch", "amd64"];
    let ex = |name, args: &[&str], code, says| {
        let mut v: Vec<&str> = vec!["explain"];
        v.extend_from_slice(args);
        v.extend_from_slice(&offline);
        case(name, &v, code, says)
    };
    let mut chain = case(
        "1000 chained defines",
        &["explain", "A1000"],
        2,
        "deeper than",
    )
    .arg("--define")
    .arg("A0=int");
    for i in 1..=1000 {
        chain = chain
            .arg("--define")
            .arg(format!("A{i}=************A{}", i - 1));
    }
    let mut doubling = case("doubling defines", &["explain", "A40"], 2, "larger than")
        .arg("--define")
        .arg("A0=struct{}");
    for i in 1..=40 {
        doubling = doubling
            .arg("--define")
            .arg(format!("A{i}=struct{{ a, b A{} }}", i - 1));
    }
    for a in offline {
        chain = chain.arg(a);
        doubling = doubling.arg(a);
    }
    let cases = vec![
        ex(
            "non-ASCII const in --from",
            &["int", "--from", "pi.go"],
            0,
            "",
        )
        .file("pi.go", "package p\nconst π = 3\n"),
        ex(
            "backslash at EOF in --from",
            &["int", "--from", "bs.go"],
            2,
            "unterminated",
        )
        .file("bs.go", "package p\nvar s = \"\\"),
        ex(
            "unterminated comment in --from",
            &["int", "--from", "c.go"],
            2,
            "unterminated",
        )
        .file("c.go", "package p\n/* \u{2603}"),
        chain,
        doubling,
        ex(
            "map key not comparable",
            &["map[[]int]int"],
            2,
            "comparable",
        ),
        ex(
            "duplicate field",
            &["struct{ a int; a int }"],
            2,
            "duplicate field",
        ),
        case(
            "go version too old",
            &["explain", "int", "--go-version", "1.20", "--arch", "amd64"],
            2,
            "1.21",
        ),
        case(
            "go version banana",
            &[
                "explain",
                "int",
                "--go-version",
                "banana",
                "--arch",
                "amd64",
            ],
            2,
            "1.21",
        ),
        case(
            "arch vax",
            &["explain", "int", "--go-version", "1.26", "--arch", "vax"],
            2,
            "GOARCH",
        ),
        ex(
            "value for the wrong type",
            &["int", "--value", "x"],
            2,
            "not a value",
        ),
        ex(
            "code in a type",
            &["int }; func init() { panic(1) }"],
            2,
            "at byte",
        ),
        ex(
            "code in a value",
            &["int", "--value", "1; panic(0)"],
            2,
            "not a value",
        ),
        ex(
            "unterminated string value",
            &["string", "--value", "\"abc"],
            2,
            "not a value",
        ),
        ex(
            "--from missing",
            &["int", "--from", "missing.go"],
            2,
            "missing.go",
        ),
        ex("--from a directory", &["int", "--from", "d"], 2, "d").file("d/x.go", "package p"),
        ex(
            "--define without =",
            &["int", "--define", "X"],
            2,
            "Name=TYPE",
        ),
        ex(
            "--define a predeclared name",
            &["int", "--define", "int=string"],
            2,
            "not a name",
        ),
        ex(
            "--source bogus",
            &["int", "--source", "bogus"],
            2,
            "possible values",
        ),
        ex(
            "--iterations 0",
            &["int", "--iterations", "0"],
            2,
            "iterations",
        ),
        ex("interface type", &["any"], 2, "interface"),
        ex(
            "unknown name",
            &["Foo"],
            2,
            "undefined: Foo; define it with --define 'Foo=TYPE'",
        ),
        case(
            "newer Go than the rules",
            &["explain", "int", "--go-version", "1.99", "--arch", "amd64"],
            0,
            "newer than the rules know",
        ),
        case(
            "-o a directory",
            &["explain", "int", "-o", "d"],
            2,
            "is a directory",
        )
        .file("d/x", ""),
    ];
    for c in &cases {
        run(c);
    }
}

#[test]
fn toolchain_inputs() {
    let script = |name, body: &str, says| {
        case(name, &["--go", "./go.sh", "explain", "int"], 2, says).file("go.sh", fake_go(body))
    };
    let cases = vec![
        case(
            "--go /bin/false",
            &["--go", "/bin/false", "explain", "int"],
            2,
            "printed nothing",
        ),
        case(
            "--go missing",
            &["--go", "/nonexistent/go", "explain", "int"],
            2,
            "cannot run Go",
        ),
        case("IFACEALLOC_GO missing", &["matrix"], 2, "IFACEALLOC_GO")
            .env("IFACEALLOC_GO", "/nonexistent/go"),
        script("go env prints no JSON", "echo hello", "as JSON"),
        script(
            "go too old",
            r#"echo '{"GOVERSION":"go1.20.14","GOOS":"linux","GOARCH":"amd64","GOROOT":"/"}'"#,
            "needs Go 1.21",
        ),
        script(
            "GOROOT missing",
            r#"echo '{"GOVERSION":"go1.26.8","GOOS":"linux","GOARCH":"amd64","GOROOT":"/nonexistent/goroot"}'"#,
            "no src directory",
        ),
        script("go killed", "kill -9 $$", "killed by a signal"),
        // A version string with a terminal escape is shown without it.
        script(
            "escape in GOVERSION",
            r#"printf '{"GOVERSION":"go1.20\u001b]0;pwned\u0007","GOOS":"linux","GOARCH":"amd64","GOROOT":"/"}\n'"#,
            "needs Go 1.21",
        )
        .absent("\u{1b}"),
        // A value too large to measure is refused before anything is built
        // (a 1 GiB store, 16,384 times over, would run for hours).
        case(
            "too large to measure",
            &["explain", "[1073741824]byte", "--verify"],
            2,
            "too large to measure",
        )
        .lines(1),
        // The linker's own words, first and few, for data too big to link.
        case(
            "too much data",
            &[
                "matrix",
                "--type",
                "[30000000]int64",
                "--type",
                "[30000001]int64",
                "--type",
                "[30000002]int64",
            ],
            2,
            "too much data",
        )
        .lines(45),
    ];
    for c in &cases {
        run(c);
    }
}

#[test]
fn matrix_and_asm_and_lab_inputs() {
    let cases = vec![
        case(
            "unknown row",
            &["matrix", "--types", "nosuchrow"],
            2,
            "nosuchrow",
        ),
        case(
            "invalid type row",
            &["matrix", "--catalog", "none", "--type", "map[[]int]int"],
            2,
            "comparable",
        ),
        case(
            "--keep non-empty",
            &["matrix", "--types", "int", "--keep", "d"],
            2,
            "not empty",
        )
        .file("d/x", ""),
        case(
            "--keep a file",
            &["matrix", "--types", "int", "--keep", "f"],
            2,
            "f",
        )
        .file("f", "x"),
        case("matrix -o dir", &["matrix", "-o", "d"], 2, "is a directory").file("d/x", ""),
        case(
            "--keep under /proc",
            &[
                "matrix",
                "--types",
                "int",
                "--keep",
                "/proc/ifacealloc-keep",
            ],
            2,
            "--keep /proc/ifacealloc-keep: cannot create it",
        ),
        case(
            "--go a pre-release",
            &["--go", "1.22.0rc1", "explain", "int"],
            2,
            "not a Go release",
        ),
        case(
            "bad scenario",
            &["matrix", "--scenarios", "bogus"],
            2,
            "bogus",
        ),
        case("no rows", &["matrix", "--catalog", "none"], 2, "no rows"),
        case(
            "matrix --arch vax",
            &["matrix", "--types", "int", "--arch", "vax"],
            2,
            "vax",
        ),
        case(
            "asm without a function",
            &["asm", "a.go"],
            2,
            "FILE.go:FUNC",
        ),
        case(
            "asm in the wrong file",
            &["asm", "a.go:F"],
            2,
            "give b.go:F",
        )
        .file("go.mod", MODULE)
        .file("a.go", "package h\n\nvar Sink any\n")
        .file("b.go", "package h\n\nfunc F(v int64) { Sink = v }\n"),
        case(
            "asm missing file",
            &["asm", "missing.go:F"],
            2,
            "missing.go",
        ),
        case(
            "asm no such function",
            &["asm", "a.go:Nope"],
            2,
            "no function Nope",
        )
        .file("go.mod", MODULE)
        .file(
            "a.go",
            "package h\n\nvar Sink any\n\nfunc F(v int64) { Sink = v }\n",
        ),
        case(
            "asm code in the name",
            &["asm", "a.go:F; rm -rf /"],
            2,
            "FILE.go:FUNC",
        ),
        case("lab show 99", &["lab", "show", "99"], 2, "99"),
        case("lab run 0", &["lab", "run", "0"], 2, "0"),
        case(
            "lab figure 4",
            &["lab", "figure", "4"],
            2,
            "labs with figures: 2, 3",
        ),
        case(
            "lab docs no dir",
            &["lab", "docs", "--dir", "nope"],
            2,
            "--dir nope",
        ),
        case(
            "lab docs no blocks",
            &["lab", "docs", "--dir", "d"],
            2,
            "no `<!-- output of",
        )
        .file("d/x.md", "# nothing to check\n"),
        case(
            "lab show bad format",
            &["lab", "show", "2", "--format", "pdf"],
            2,
            "pdf",
        ),
        case(
            "asm bad arch",
            &["asm", "--arch", "vax", "x.go:F"],
            2,
            "unknown GOARCH",
        ),
        case("no subcommand", &["bogus"], 2, "unrecognized subcommand"),
    ];
    for c in &cases {
        run(c);
    }
}

#[test]
fn lem_inputs() {
    let hung = "package h\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\n// lem.stuck.alloc=0\nfunc BenchmarkStuck(b *testing.B) { time.Sleep(time.Hour) }\n";
    let forger = "package h\n\nimport (\n\t\"fmt\"\n\t\"testing\"\n)\n\n// lem.forge.alloc=0\nfunc BenchmarkForge(b *testing.B) {\n\tfmt.Println(\"ifacealloc-lem: {not json\")\n\tfmt.Println(\"ifacealloc-lem-0000000000000000: {\\\"id\\\":\\\"forge\\\",\\\"n\\\":1,\\\"allocs\\\":99,\\\"bytes\\\":99}\")\n\tfor i := 0; i < b.N; i++ {\n\t}\n}\n";
    let cases = vec![
        case(
            "lem outside a module",
            &["lem"],
            2,
            "not inside a Go module",
        )
        .file("x.go", "package h\n"),
        case(
            "lem a missing folder",
            &["lem", "./nonexistent"],
            2,
            "./nonexistent: no such directory",
        ),
        case(
            "lem a benchtime go test rejects",
            &["lem", "--benchtime", "abc"],
            2,
            "use a duration like 1s",
        ),
        case(
            "lem bad benchtime",
            &["lem", "--benchtime", "1s; rm"],
            2,
            "--benchtime",
        ),
        case("lem bad regex", &["lem", "--run", "("], 2, "--run"),
        case(
            "lem bad timeout",
            &["lem", "--timeout", "banana"],
            2,
            "--timeout",
        ),
        case(
            "lem -C missing",
            &["lem", "-C", "nope"],
            2,
            "not a directory",
        ),
        case("lem bad annotation regex", &["lem"], 2, "bad regex")
            .file("go.mod", MODULE)
            .file("a_test.go", "package h\n\nfunc f() {} // lem.x.m=(\n"),
        case(
            "lem hung benchmark",
            &["lem", "--timeout", "4s"],
            2,
            "BenchmarkStuck",
        )
        .file("go.mod", MODULE)
        .file("h_test.go", hung),
        case("lem forged marker", &["lem"], 0, "")
            .file("go.mod", MODULE)
            .file("f_test.go", forger),
        // A package that does not compile fails (it used to pass with 0 cases).
        case(
            "lem unterminated comment",
            &["lem"],
            2,
            "comment not terminated",
        )
        .file("go.mod", MODULE)
        .file("p.go", "package h\nvar X = 1\n/* \u{2603}")
        .lines(4),
    ];
    for c in &cases {
        run(c);
    }
}

#[test]
fn scan_inputs() {
    let cases = vec![
        case("scan bad shard", &["scan", "--shard", "4/3"], 2, "K must be 1 to N"),
        case(
            "scan batches as html",
            &["scan", "--format", "html", "--batch-packages", "4", "-C", "m"],
            2,
            "use --format text, json, markdown or sarif",
        )
        .file("m/go.mod", MODULE)
        .file("m/a.go", "package h\n"),
        case(
            "scan zero batch",
            &["scan", "--format", "json", "--batch-packages", "0"],
            2,
            "--batch-packages",
        ),
        case(
            "scan merge as text",
            &["scan", "--merge", "a.json"],
            2,
            "add --format json",
        )
        .file("a.json", "[]"),
        case(
            "scan merge a non-report",
            &["scan", "--format", "json", "--merge", "a.json"],
            2,
            "--merge a.json: not a JSON array",
        )
        .file("a.json", "{\"x\": 1}"),
        case(
            "scan merge an element past the limit",
            &["scan", "--format", "json", "--merge", "a.json"],
            2,
            "--merge a.json: an element larger than 16 MiB, the limit",
        )
        .file("a.json", format!("[{{\"file\": \"{}\"}}]", "a".repeat(17 << 20))),
        case(
            "check merge a missing file",
            &["check", "--format", "json", "--merge", "nope.json"],
            2,
            "--merge nope.json:",
        ),
        case("scan outside a module", &["scan"], 2, "").file("x.go", "package h\n").lines(4),
        case("scan -C missing", &["scan", "-C", "nope"], 2, "not a directory"),
        case("scan flag as pattern", &["scan", "--", "-x"], 2, "not a package pattern"),
        case("scan unknown package", &["scan", "example.com/h/nope"], 2, "nope")
            .file("go.mod", MODULE)
            .lines(4),
        case("scan compile error", &["scan"], 2, "undefined")
            .file("go.mod", MODULE)
            .file("a.go", "package h\n\nfunc F() { undefinedThing() }\n")
            .lines(6),
        case("scan bad format", &["scan", "--format", "bogus"], 2, "possible values"),
        case("scan baseline missing", &["scan", "--baseline", "nope.json"], 2, "--baseline nope.json")
            .file("go.mod", MODULE)
            .file("a.go", "package h\n"),
        case("scan baseline not JSON", &["scan", "--baseline", "b.json"], 2, "not a scan JSON report")
            .file("go.mod", MODULE)
            .file("a.go", "package h\n")
            .file("b.json", "{ nope"),
        case("scan new-from-rev outside git", &["scan", "--new-from-rev", "HEAD"], 2, "not in a git repository")
            .file("go.mod", MODULE)
            .file("a.go", "package h\n"),
        case("scan new-from-rev flag-like", &["scan", "--new-from-rev=--all"], 2, "git revision")
            .file("go.mod", MODULE)
            .file("a.go", "package h\n"),
        case("scan -o dir", &["scan", "-o", "d"], 2, "is a directory").file("d/x", ""),
        case("scan cgo only, cgo off", &["scan"], 2, "cgo is off")
            .file("go.mod", MODULE)
            .file("c.go", "package h\n\n// int one(void) { return 1; }\nimport \"C\"\n\nfunc One() int { return int(C.one()) }\n")
            .env("CGO_ENABLED", "0")
            .lines(2),
    ];
    for c in &cases {
        run(c);
    }
}

#[test]
fn check_and_lsp_inputs() {
    let cases = vec![
        case(
            "check -C missing",
            &["check", "-C", "nope"],
            2,
            "not a directory",
        ),
        case(
            "check flag as pattern",
            &["check", "--", "-x"],
            2,
            "not a package pattern",
        ),
        case("check outside a module", &["check"], 2, "")
            .file("x.go", "package h\n")
            .lines(4),
        case(
            "check unknown directive",
            &["check"],
            2,
            "unknown directive //ifacealloc:noallocs",
        )
        .file("go.mod", MODULE)
        .file("a.go", "package h\n\n//ifacealloc:noallocs\nfunc F() {}\n"),
        case(
            "check directive on a var",
            &["check"],
            2,
            "must be on a func declaration or on a statement with a function literal",
        )
        .file("go.mod", MODULE)
        .file("a.go", "package h\n\n//ifacealloc:noalloc\nvar X = 1\n"),
        case(
            "check unknown gcassert directive",
            &["check"],
            2,
            "unknown directive gcassert:inlined; gcassert knows inline, bce and noescape",
        )
        .file("go.mod", MODULE)
        .file(
            "a.go",
            "package h\n\nfunc F() int {\n\treturn 1 //gcassert:inlined\n}\n",
        ),
        case("check compile error", &["check"], 2, "undefined")
            .file("go.mod", MODULE)
            .file(
                "a.go",
                "package h\n\n//ifacealloc:noalloc\nfunc F() { undefinedThing() }\n",
            )
            .lines(6),
        case(
            "check bad format",
            &["check", "--format", "bogus"],
            2,
            "possible values",
        ),
        case("check -o dir", &["check", "-o", "d"], 2, "is a directory").file("d/x", ""),
        case(
            "lsp without a client",
            &["lsp"],
            2,
            "no `initialize` request",
        ),
        case("lsp oversized message", &["lsp"], 2, "the limit is")
            .stdin("Content-Length: 99999999999\r\n\r\n")
            .lines(2),
    ];
    for c in &cases {
        run(c);
    }
}

/// Starts `args` in `cwd` with a fresh TMPDIR, waits until a temporary
/// directory whose name starts with `marker` appears, sends `signal`, and
/// checks the exit code and that nothing is left in TMPDIR.
/// Whether a temporary directory's name (`ifacealloc-PID-KIND...`) is of the
/// kind `marker` (`ifacealloc-KIND`) names.
fn is_marked(name: &str, marker: &str) -> bool {
    let kind = marker.strip_prefix("ifacealloc-").unwrap_or(marker);
    name.strip_prefix("ifacealloc-")
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(pid, rest)| pid.parse::<u32>().is_ok() && rest.starts_with(kind))
}

fn interrupt(args: &[&str], cwd: &Path, marker: &str, signal: i32, code: i32) {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"))
        .args(args)
        .current_dir(cwd)
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let seen = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .any(|e| is_marked(&e.file_name().to_string_lossy(), marker));
        if seen {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "{args:?} ended before {marker} appeared"
        );
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "{args:?}: no {marker}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let left = snapshot(tmp.path());
    assert!(left.is_empty(), "{args:?} left {left:?}");
}

#[test]
fn interrupts_remove_every_temporary_directory() {
    let cwd = tempfile::tempdir().unwrap();
    // matrix: killed while the measuring program runs.
    interrupt(
        &["matrix", "--iterations", "50000000"],
        cwd.path(),
        "ifacealloc-",
        libc::SIGTERM,
        143,
    );
    // scan: killed while go list compiles net/http and all its dependencies
    // (Go's own temporary files are in ifacealloc-go-*).
    interrupt(
        &["scan", "--deps", "net/http"],
        cwd.path(),
        "ifacealloc-go-",
        libc::SIGINT,
        130,
    );
    // lem: killed in a benchmark that never returns; its test binary must go too.
    let m = tempfile::tempdir().unwrap();
    std::fs::write(m.path().join("go.mod"), MODULE).unwrap();
    std::fs::write(
        m.path().join("h_test.go"),
        "package h\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\n// lem.sleepy.alloc=0\nfunc BenchmarkSleepy(b *testing.B) { time.Sleep(time.Hour) }\n",
    )
    .unwrap();
    interrupt(&["lem"], m.path(), "ifacealloc-lem-", libc::SIGINT, 130);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!test_binary_running(), "a test binary outlived lem");
    // SIGHUP (a closed terminal) and SIGQUIT clean up as well.
    interrupt(
        &["matrix", "--iterations", "50000000"],
        cwd.path(),
        "ifacealloc-",
        libc::SIGHUP,
        129,
    );
    interrupt(
        &["matrix", "--iterations", "50000000"],
        cwd.path(),
        "ifacealloc-",
        libc::SIGQUIT,
        131,
    );
}

/// Whether the `h.test` binary of the sleepy benchmark runs: other
/// programs' test binaries (xxhash.test) are not it.
fn test_binary_running() -> bool {
    let ps = Command::new("ps").args(["-eo", "args"]).output().unwrap();
    let ps = String::from_utf8_lossy(&ps.stdout);
    ps.lines().any(|l| {
        l.contains("example.com/h.test")
            || l.split_whitespace()
                .next()
                .is_some_and(|exe| exe == "h.test" || exe.ends_with("/h.test"))
    })
}

/// A CI timeout SIGKILLs the whole process group, which no handler sees:
/// the go command and the test binary it started are in that group and end
/// with it; the temporary directories of the killed run are removed by the
/// next run (named with the dead run's pid), while a live process's stay.
#[test]
fn a_process_group_kill_leaves_no_child_and_the_next_run_sweeps() {
    let m = tempfile::tempdir().unwrap();
    std::fs::write(m.path().join("go.mod"), MODULE).unwrap();
    std::fs::write(
        m.path().join("h_test.go"),
        "package h\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\n// lem.sleepy.alloc=0\nfunc BenchmarkSleepy(b *testing.B) { time.Sleep(time.Hour) }\n",
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"))
        .arg("lem")
        .current_dir(m.path())
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !test_binary_running() {
        assert!(child.try_wait().unwrap().is_none(), "lem ended early");
        assert!(start.elapsed() < Duration::from_secs(300), "no test binary");
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: kill(2) on the process group of our own child.
    unsafe {
        libc::kill(-(child.id() as i32), libc::SIGKILL);
    }
    let _ = child.wait();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !test_binary_running(),
        "a test binary outlived the group kill"
    );
    let left = snapshot(tmp.path());
    assert!(
        !left.is_empty(),
        "a SIGKILLed run cannot clean up: its dirs stay until the next run"
    );
    // A directory of a live process (this test) is kept.
    let live = tmp
        .path()
        .join(format!("ifacealloc-{}-mine", std::process::id()));
    std::fs::create_dir(&live).unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"))
        .args(["explain", "int", "--go-version", "1.26", "--arch", "amd64"])
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let left: Vec<PathBuf> = snapshot(tmp.path())
        .into_keys()
        .filter(|p| !p.starts_with(&live))
        .collect();
    assert!(left.is_empty(), "the next run left {left:?}");
    assert!(live.is_dir());
}

/// SIGINT and SIGTERM during `scan --new-from-rev`: the temporary worktree's
/// registration leaves the user's repository with it (no prunable entry in
/// `git worktree list`).
#[test]
fn an_interrupted_new_from_rev_leaves_no_worktree() {
    for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let repo = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| common::git(repo.path(), args);
        std::fs::write(repo.path().join("go.mod"), MODULE).unwrap();
        // net/http with --deps: the old revision's scan takes long enough.
        std::fs::write(
            repo.path().join("h.go"),
            "package h\n\nimport \"net/http\"\n\nvar Sink any\n\nfunc H(c *http.Client) { Sink = *c }\n",
        )
        .unwrap();
        git(&["init", "-q"]);
        git(&["add", "."]);
        git(&["commit", "-q", "-m", "base"]);
        let tmp = tempfile::tempdir().unwrap();
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"))
            .args(["scan", "--deps", "--new-from-rev", "HEAD", "."])
            .current_dir(repo.path())
            .env("TMPDIR", tmp.path())
            .env("GOFLAGS", "-a")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while git(&["worktree", "list"]).lines().count() < 2 {
            assert!(
                child.try_wait().unwrap().is_none(),
                "scan ended before its worktree appeared"
            );
            assert!(start.elapsed() < Duration::from_secs(120));
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(child.id() as i32, signal);
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let list = git(&["worktree", "list", "--porcelain"]);
        assert_eq!(list.matches("worktree ").count(), 1, "{list}");
        assert!(snapshot(tmp.path()).is_empty());
    }
}

/// Names and config values are data in markdown: raw HTML and a backtick in
/// them render as their text on GitHub, never as markup.
#[test]
fn markdown_output_escapes_html_and_backticks() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("evil.txt");
    std::fs::write(
        &input,
        "goos: linux\ngoarch: amd64\ncpu: a` <img src=x onerror=alert(1)>\nBenchmarkA<script>alert(1)</script>-2   \t1000\t  12.5 ns/op\t 8 B/op\t 1 allocs/op\nPASS\n",
    )
    .unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"))
        .arg("bench2md")
        .arg(&input)
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{md}");
    // Outside code spans no tag opens; the cpu value's code span is fenced
    // with more backticks than it holds.
    assert!(md.contains("BenchmarkA\\<script\\>"), "{md}");
    assert!(
        md.contains("cpu: ``a` <img src=x onerror=alert(1)>``"),
        "{md}"
    );
}

/// A damaged cache entry (a formatted file emptied or cut) is read as
/// missing: the next matrix formats again and measures, with or without
/// --fresh.
#[test]
fn a_damaged_cache_entry_is_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"))
            .args([
                "matrix",
                "--catalog",
                "none",
                "--type",
                "int",
                "--iterations",
                "1000",
            ])
            .args(extra)
            .env("IFACEALLOC_CACHE", cache.path())
            .output()
            .unwrap()
    };
    assert!(run(&[]).status.success());
    let mut damaged = 0;
    for dir in std::fs::read_dir(cache.path().join("gofmt"))
        .unwrap()
        .flatten()
    {
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let text = std::fs::read(f.path()).unwrap();
            std::fs::write(f.path(), &text[..text.len() / 2]).unwrap();
            damaged += 1;
        }
    }
    assert!(damaged > 0);
    for extra in [&[][..], &["--fresh"][..]] {
        let out = run(extra);
        assert!(
            out.status.success(),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `--new-from-rev` in a shallow clone (as CI checks out by default) says
/// why the revision is missing and how to fetch it.
#[test]
fn a_shallow_clone_is_named_as_the_reason() {
    let origin = tempfile::tempdir().unwrap();
    let git = |dir: &Path, args: &[&str]| {
        common::git(dir, args);
    };
    std::fs::write(origin.path().join("go.mod"), MODULE).unwrap();
    std::fs::write(origin.path().join("h.go"), "package h\n\nvar Sink any\n").unwrap();
    git(origin.path(), &["init", "-q"]);
    git(origin.path(), &["add", "."]);
    git(origin.path(), &["commit", "-q", "-m", "one"]);
    std::fs::write(
        origin.path().join("h.go"),
        "package h\n\nvar Sink any\n\nfunc S(s string) { Sink = s }\n",
    )
    .unwrap();
    git(origin.path(), &["commit", "-q", "-am", "two"]);
    let work = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(work.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let out = Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"))
        .args(["scan", "--new-from-rev", "HEAD~1", "."])
        .current_dir(work.path().join("c"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("shallow") && err.contains("fetch-depth: 0"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
