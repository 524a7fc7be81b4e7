//! `ifacealloc lsp` driven over stdio as an editor drives it (JSON-RPC with
//! Content-Length framing): its hints, hovers and lenses are `scan`'s answers
//! for the same package — on a fixture and on a published module
//! (github.com/google/uuid v1.6.0 from the module proxy) — diagnostics only
//! when asked, progress for the client that supports it, the last results
//! kept (and the error said once) when a file stops compiling. The real
//! clients (Neovim, pytest-lsp) are in tests/lsp_clients.rs.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

mod common;

use serde_json::{json, Value};

struct Server {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: u64,
    /// Notifications and server requests seen while waiting for responses.
    seen: Vec<Value>,
}

const WAIT: Duration = Duration::from_secs(240);

impl Server {
    fn start(init_options: Value, capabilities: Value) -> Server {
        Server::start_with_env(init_options, capabilities, &[])
    }

    fn start_with_env(init_options: Value, capabilities: Value, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
            .arg("lsp")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                let msg: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(msg["jsonrpc"], "2.0", "{msg}");
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        let mut s = Server {
            child,
            stdin,
            incoming,
            next_id: 1,
            seen: Vec::new(),
        };
        let r = s.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": init_options,
            }),
        );
        assert_eq!(r["serverInfo"]["name"], "ifacealloc");
        assert_eq!(r["capabilities"]["inlayHintProvider"], true);
        s.notify("initialized", json!({}));
        s
    }

    fn send(&mut self, msg: Value) {
        let body = serde_json::to_vec(&msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + WAIT;
        loop {
            let m = self
                .incoming
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no answer to {method}"));
            if m["id"] == id && m.get("method").is_none() {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.seen.push(m);
        }
    }

    /// Waits for a notification (or server request) `method` not yet taken.
    fn wait_for(&mut self, method: &str) -> Value {
        if let Some(i) = self.seen.iter().position(|m| m["method"] == method) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            match self
                .incoming
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(m) if m["method"] == method => return m,
                Ok(m) => self.seen.push(m),
                Err(RecvTimeoutError::Timeout) => panic!("no {method} within {WAIT:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server stopped"),
            }
        }
    }

    fn open(&mut self, path: &Path) -> String {
        let uri = uri_of(path);
        let text = std::fs::read_to_string(path).unwrap();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": text}}),
        );
        uri
    }

    fn hints(&mut self, uri: &str) -> Vec<Value> {
        let r = self.request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 0}, "end": {"line": 100000, "character": 0}}}),
        );
        r.as_array().unwrap().clone()
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

fn uri_of(path: &Path) -> String {
    let p = std::fs::canonicalize(path).unwrap();
    let mut out = String::from("file://");
    for b in p.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn got_hints(hints: &[Value]) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = hints
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn why_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/why")
}

#[test]
fn hints_hovers_and_lenses_are_scans_answers() {
    let dir = why_fixture();
    let sites: Vec<Value> = serde_json::from_str(&common::scan_json(&dir)).unwrap();
    let mut s = Server::start(json!({}), json!({}));
    let uri = s.open(&dir.join("why.go"));
    // Quiet by default: diagnostics are published, and empty.
    let diags = s.wait_for("textDocument/publishDiagnostics");
    assert_eq!(diags["params"]["diagnostics"], json!([]), "{diags}");
    let hints = s.hints(&uri);
    assert_eq!(got_hints(&hints), common::expected_hints(&sites, "why.go"));
    assert!(hints.iter().all(|h| h["paddingLeft"] == true), "{hints:#?}");
    // The hover at fmt.Sprintf's argument says why it escapes and shows the flow.
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 8, "character": 57}}),
    );
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("**`convT64`** · 8 B per store · conditional"),
        "{md}"
    );
    assert!(
        md.contains("passed to fmt.Sprintf's ... parameter, which leaks to the heap"),
        "{md}"
    );
    assert!(md.contains("(call parameter) at why.go:9:50"), "{md}");
    // Off any conversion: no hover.
    let none = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(none.is_null(), "{none}");
    // One lens per function whose conversions may allocate (7 here, the
    // closure's counted for Closure), each running showAssembly.
    let lenses = s.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let titles: Vec<(u64, String)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["command"]["arguments"][1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            (18, "Chan".to_string()),
            (14, "Closure".to_string()),
            (20, "Map".to_string()),
            (12, "New".to_string()),
            (8, "Print".to_string()),
            (22, "Slice".to_string()),
            (6, "Store".to_string()),
        ]
    );
    // The command: the annotated listing (as text: this client cannot show documents).
    let asm = s.request(
        "workspace/executeCommand",
        json!({"command": "ifacealloc.showAssembly", "arguments": [uri, "Store"]}),
    );
    let asm = asm.as_str().unwrap();
    assert!(
        asm.contains("CALL\truntime.convT64(SB)\t<- convT64"),
        "{asm}"
    );
    // A code action on Print's line offers Print's listing.
    let actions = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 8, "character": 0}, "end": {"line": 8, "character": 0}},
               "context": {"diagnostics": []}}),
    );
    assert_eq!(actions[0]["arguments"][1], "Print", "{actions}");
    // Asking for diagnostics: the always-allocating site, with its why.
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ifacealloc": {"failOn": "always", "showNever": true}}}),
    );
    let diags = s.wait_for("textDocument/publishDiagnostics");
    let d = diags["params"]["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{diags}");
    assert_eq!(d[0]["range"]["start"], json!({"line": 12, "character": 27}));
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("escapes: returned from New"),
        "{d:?}"
    );
    // showNever: the stack temporary of Local gets a hint too.
    let hints = s.hints(&uri);
    assert!(hints.iter().any(|h| h["label"] == "0 stack"), "{hints:#?}");
    // goarch: 386's layouts (a string's header is 8 bytes there).
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"goarch": "386"}}),
    );
    s.wait_for("textDocument/publishDiagnostics");
    let hints = s.hints(&uri);
    assert!(
        hints.iter().any(|h| h["label"] == "8 B convTstring \"\":0"),
        "{hints:#?}"
    );
    s.stop();
}

#[test]
fn a_published_module_gets_the_hints_scan_gives() {
    // github.com/google/uuid v1.6.0, as a developer's checkout of it.
    let out = Command::new("go")
        .args(["mod", "download", "-json", "github.com/google/uuid@v1.6.0"])
        .output()
        .unwrap();
    if !out.status.success() {
        eprintln!("SKIPPED: the Go module proxy is not reachable");
        return;
    }
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    let src = PathBuf::from(info["Dir"].as_str().unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("uuid");
    std::fs::create_dir(&dir).unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::write(dir.join(p.file_name().unwrap()), std::fs::read(&p).unwrap()).unwrap();
        }
    }
    let sites: Vec<Value> = serde_json::from_str(&common::scan_json(&dir)).unwrap();
    let mut s = Server::start(json!({}), json!({}));
    let mut compared = 0;
    for file in ["uuid.go", "sql.go", "null.go", "marshal.go"] {
        let uri = s.open(&dir.join(file));
        s.wait_for("textDocument/publishDiagnostics");
        let want = common::expected_hints(&sites, file);
        assert_eq!(got_hints(&s.hints(&uri)), want, "{file}");
        compared += want.len();
    }
    assert!(compared >= 5, "only {compared} allocating sites compared");
    s.stop();
}

#[test]
fn progress_is_reported_and_a_broken_file_keeps_its_hints() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for f in ["go.mod", "why.go"] {
        std::fs::copy(why_fixture().join(f), dir.join(f)).unwrap();
    }
    let mut s = Server::start(json!({}), json!({"window": {"workDoneProgress": true}}));
    let uri = s.open(&dir.join("why.go"));
    let create = s.wait_for("window/workDoneProgress/create");
    let token = create["params"]["token"].clone();
    // The client answers the server's request.
    s.send(json!({"jsonrpc": "2.0", "id": create["id"], "result": null}));
    let begin = s.wait_for("$/progress");
    assert_eq!(begin["params"]["token"], token);
    assert_eq!(begin["params"]["value"]["kind"], "begin");
    let end = s.wait_for("$/progress");
    assert_eq!(end["params"]["value"]["kind"], "end");
    s.wait_for("textDocument/publishDiagnostics");
    let before = s.hints(&uri);
    assert!(!before.is_empty());
    // The file stops compiling and is saved: the hints stay, the error is said once.
    let text = std::fs::read_to_string(dir.join("why.go")).unwrap();
    std::fs::write(
        dir.join("why.go"),
        format!("{text}\nfunc Broken() {{ undefinedName() }}\n"),
    )
    .unwrap();
    for _ in 0..2 {
        s.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri}}),
        );
    }
    let shown = s.wait_for("window/showMessage");
    let msg = shown["params"]["message"].as_str().unwrap();
    assert!(msg.contains("undefined: undefinedName"), "{msg}");
    assert_eq!(s.hints(&uri), before);
    // A third save with the same error: not said again.
    s.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    s.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    std::thread::sleep(Duration::from_secs(3));
    s.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let again = s
        .seen
        .iter()
        .filter(|m| m["method"] == "window/showMessage")
        .count();
    assert_eq!(again, 0, "{:#?}", s.seen);
    s.stop();
}

#[test]
fn bad_settings_and_oversized_messages_are_refused_in_one_line() {
    let mut s = Server::start(json!({"failOn": "sometimes"}), json!({}));
    let shown = s.wait_for("window/showMessage");
    let msg = shown["params"]["message"].as_str().unwrap();
    assert!(msg.starts_with("ifacealloc settings:"), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
    s.stop();
    // A Content-Length past the limit: the server says so and stops.
    let out = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .unwrap()
                .write_all(b"Content-Length: 99999999999\r\n\r\n")?;
            c.wait_with_output()
        })
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the limit is 67108864"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // No client at all: one line, exit 2.
    let out = Command::new(env!("CARGO_BIN_EXE_ifacealloc"))
        .arg("lsp")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("no `initialize` request"), "{err}");
}

/// With several Go versions configured, a hover says what each would do.
#[test]
fn hovers_compare_the_configured_go_versions() {
    let list = std::env::var("IFACEALLOC_TEST_GOS").unwrap_or_default();
    let others: Vec<&str> = list.split(':').filter(|g| !g.is_empty()).collect();
    if others.is_empty() {
        eprintln!("SKIPPED: IFACEALLOC_TEST_GOS is unset (.ci/run sets it)");
        return;
    }
    let mut go = vec!["go"];
    go.extend(&others);
    let mut s = Server::start(json!({"go": go}), json!({}));
    let uri = s.open(&why_fixture().join("why.go"));
    s.wait_for("textDocument/publishDiagnostics");
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 12, "character": 27}}),
    );
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.contains("| Go | result |"), "{md}");
    let rows = md.lines().filter(|l| l.starts_with("| go1.")).count();
    assert_eq!(rows, go.len(), "{md}");
    assert!(md.contains("convTnoptr — 16 B, always"), "{md}");
    s.stop();
}

/// A cold scan the user cancels (`window/workDoneProgress/cancel`) ends at
/// once, with no error said and no go process left running. The compiler is
/// slowed by a -toolexec wrapper that sleeps, so the scan is still running
/// when the cancel comes.
#[test]
fn a_running_scan_can_be_cancelled() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pkg");
    std::fs::create_dir(&dir).unwrap();
    for f in ["go.mod", "why.go"] {
        std::fs::copy(why_fixture().join(f), dir.join(f)).unwrap();
    }
    let slow = tmp.path().join("slow-toolexec.sh");
    std::fs::write(&slow, "#!/bin/sh\nsleep 120\nexec \"$@\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    let goflags = format!("-toolexec={}", slow.display());
    let mut s = Server::start_with_env(
        json!({}),
        json!({"window": {"workDoneProgress": true}}),
        &[("GOFLAGS", &goflags)],
    );
    s.open(&dir.join("why.go"));
    let create = s.wait_for("window/workDoneProgress/create");
    s.send(json!({"jsonrpc": "2.0", "id": create["id"], "result": null}));
    let begin = s.wait_for("$/progress");
    assert_eq!(begin["params"]["value"]["cancellable"], true, "{begin}");
    // Let the go commands start, then cancel.
    std::thread::sleep(Duration::from_secs(2));
    let asked = Instant::now();
    s.notify(
        "window/workDoneProgress/cancel",
        json!({"token": begin["params"]["token"]}),
    );
    let end = s.wait_for("$/progress");
    assert!(
        asked.elapsed() < Duration::from_secs(20),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(end["params"]["value"]["kind"], "end");
    assert_eq!(end["params"]["value"]["message"], "cancelled");
    // Nothing said, nothing left running.
    s.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri_of(&dir.join("why.go"))}}),
    );
    assert!(
        !s.seen.iter().any(|m| m["method"] == "window/showMessage"),
        "{:#?}",
        s.seen
    );
    std::thread::sleep(Duration::from_millis(300));
    let marker = slow.to_string_lossy().into_owned();
    let left: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&marker))
        .collect();
    assert!(left.is_empty(), "still running: {left:#?}");
    s.stop();
}
