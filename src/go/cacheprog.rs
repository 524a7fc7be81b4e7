//! A client of Go's GOCACHEPROG protocol (cmd/go/internal/cacheprog), so
//! results ifacealloc derives from a build — the finder's type-checking —
//! live in the same shared store as the build's own outputs, and a second
//! machine sharing the store gets them as it gets the compiles. JSON lines
//! over the program's stdin and stdout: the program announces its commands,
//! then answers `get`, `put` and `close` requests by ID.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cli::interrupt::Tracked;

/// The largest entry read back: a finder's results for a very large tree.
const MAX_ENTRY: u64 = 256 << 20;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Request<'a> {
    #[serde(rename = "ID")]
    id: i64,
    command: &'a str,
    #[serde(rename = "ActionID", skip_serializing_if = "Option::is_none")]
    action_id: Option<String>,
    #[serde(rename = "OutputID", skip_serializing_if = "Option::is_none")]
    output_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_size: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Response {
    #[serde(rename = "ID")]
    id: i64,
    err: String,
    known_commands: Vec<String>,
    miss: bool,
    disk_path: String,
}

/// A running cache program.
pub struct CacheProg {
    child: Tracked,
    /// Closed (dropped) on close: some programs exit only at end of input.
    input: Option<std::process::ChildStdin>,
    output: BufReader<std::process::ChildStdout>,
    next: i64,
}

/// A key in the store: SHA-256 of what the result depends on.
pub type ActionId = [u8; 32];

pub fn action_id(parts: &[&[u8]]) -> ActionId {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// GOCACHEPROG's command line split as the go command splits it: fields
/// separated by spaces, a field quoted with ' or " when it holds spaces.
fn split_command(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            None => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

impl CacheProg {
    /// The program `GOCACHEPROG` names, started, when it is set and speaks
    /// `get` and `put`; `None` otherwise (the local cache is used then).
    pub fn start(env_value: Option<&str>) -> Option<CacheProg> {
        let argv = split_command(env_value?.trim());
        let (prog, args) = argv.split_first()?;
        let mut cmd = std::process::Command::new(prog);
        cmd.args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut child = crate::cli::interrupt::spawn(&mut cmd).ok()?;
        let input = child.child.stdin.take()?;
        let output = BufReader::new(child.child.stdout.take()?);
        let mut p = CacheProg {
            child,
            input: Some(input),
            output,
            next: 1,
        };
        let hello = p.read_response()?;
        let knows = |c: &str| hello.known_commands.iter().any(|k| k == c);
        (hello.id == 0 && knows("get") && knows("put")).then_some(p)
    }

    fn read_response(&mut self) -> Option<Response> {
        let mut line = String::new();
        // Bounded: a response is a short JSON object.
        let n = (&mut self.output).take(1 << 20).read_line(&mut line).ok()?;
        if n == 0 {
            return None;
        }
        serde_json::from_str(&line).ok()
    }

    fn request(
        &mut self,
        command: &str,
        action: &ActionId,
        body: Option<&[u8]>,
    ) -> Option<Response> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let id = self.next;
        self.next += 1;
        let req = Request {
            id,
            command,
            action_id: Some(b64.encode(action)),
            output_id: body.map(|b| b64.encode(Sha256::digest(b))),
            body_size: body.map(|b| b.len() as u64).filter(|n| *n > 0),
        };
        let mut msg = serde_json::to_vec(&req).ok()?;
        msg.push(b'\n');
        if let Some(b) = body.filter(|b| !b.is_empty()) {
            msg.extend_from_slice(format!("\"{}\"\n", b64.encode(b)).as_bytes());
        }
        let input = self.input.as_mut()?;
        input.write_all(&msg).ok()?;
        input.flush().ok()?;
        let r = self.read_response()?;
        (r.id == id && r.err.is_empty()).then_some(r)
    }

    /// The entry stored under `action`, if any.
    pub fn get(&mut self, action: &ActionId) -> Option<Vec<u8>> {
        let r = self.request("get", action, None)?;
        if r.miss || r.disk_path.is_empty() {
            return None;
        }
        let f = std::fs::File::open(Path::new(&r.disk_path)).ok()?;
        crate::parse::lines::read_capped(f, MAX_ENTRY).ok()?
    }

    /// Stores `body` under `action` (best effort: a failure leaves the
    /// store as it was).
    pub fn put(&mut self, action: &ActionId, body: &[u8]) {
        let _ = self.request("put", action, Some(body));
    }
}

impl Drop for CacheProg {
    fn drop(&mut self) {
        let id = self.next;
        let msg = format!("{{\"ID\":{id},\"Command\":\"close\"}}\n");
        if let Some(mut input) = self.input.take() {
            let _ = input.write_all(msg.as_bytes());
            let _ = input.flush();
            let _ = self.read_response();
            // End of input too: some programs exit only then.
            drop(input);
        }
        // A program that does not exit within a few seconds is killed:
        // its store is the user's, and already up to date.
        for _ in 0..300 {
            if matches!(self.child.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        self.child.kill_group();
        let _ = self.child.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_go_does() {
        assert_eq!(
            split_command("go-cacher --cache-dir /x"),
            vec!["go-cacher", "--cache-dir", "/x"]
        );
        assert_eq!(split_command("'/a b/c' -v"), vec!["/a b/c", "-v"]);
        assert!(split_command("   ").is_empty());
    }
}
