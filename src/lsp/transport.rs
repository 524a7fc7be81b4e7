//! The base protocol over stdio, bounded: a header line is read up to
//! [`MAX_HEADER_LINE`] bytes and a message body up to [`MAX_MESSAGE`] bytes;
//! a client that sends more is told on stderr and the server stops, instead
//! of holding whatever it claims.

use std::io::{BufRead, Read, Write};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::Message;

/// The longest header line read (`Content-Length: N`, `Content-Type: ...`).
pub const MAX_HEADER_LINE: usize = 8 << 10;

/// The largest message read: 64 MiB (a Go file's full text in a didOpen is
/// far below it).
pub const MAX_MESSAGE: usize = 64 << 20;

/// Reads one message; None at the end of the input.
pub fn read_message(input: &mut impl BufRead) -> std::io::Result<Option<Message>> {
    let bad = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidData, msg);
    let mut length: Option<usize> = None;
    loop {
        let mut line = Vec::new();
        let n = input
            .by_ref()
            .take(MAX_HEADER_LINE as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return if length.is_none() {
                Ok(None)
            } else {
                Err(bad("the input ended inside a message header".into()))
            };
        }
        if line.len() > MAX_HEADER_LINE {
            return Err(bad(format!(
                "a header line is longer than {MAX_HEADER_LINE} bytes"
            )));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        if let Some((name, value)) = text.split_once(':') {
            if name.eq_ignore_ascii_case("Content-Length") {
                let v: usize = value.trim().parse().map_err(|_| {
                    bad(format!("Content-Length {:?} is not a number", value.trim()))
                })?;
                length = Some(v);
            }
        }
    }
    let length = length.ok_or_else(|| bad("a message without Content-Length".into()))?;
    if length > MAX_MESSAGE {
        return Err(bad(format!(
            "a message of {length} bytes; the limit is {MAX_MESSAGE}"
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| bad(format!("a message that is not JSON-RPC: {e}")))
}

/// Writes one message with its header (and the `"jsonrpc": "2.0"` every
/// message carries, which lsp-server's `Message` leaves to its writer).
pub fn write_message(out: &mut impl Write, msg: &Message) -> std::io::Result<()> {
    let mut value = serde_json::to_value(msg)?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert("jsonrpc".into(), serde_json::Value::from("2.0"));
    }
    let body = serde_json::to_vec(&value)?;
    write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
    out.write_all(&body)?;
    out.flush()
}

/// Threads that move messages between stdio and the server's channels.
pub fn stdio(to_server: Sender<Message>, from_server: Receiver<Message>) {
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = std::io::BufReader::new(stdin.lock());
        loop {
            match read_message(&mut input) {
                Ok(Some(m)) => {
                    if to_server.send(m).is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    eprintln!("ifacealloc lsp: {e}; stopping");
                    break;
                }
            }
        }
        // The end of the input ends the server (its receiver disconnects).
    });
    std::thread::spawn(move || {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for m in from_server {
            if write_message(&mut out, &m).is_err() {
                break;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_framed_messages_and_refuses_oversized_ones() {
        let body = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let mut r = std::io::Cursor::new(framed.into_bytes());
        assert!(matches!(
            read_message(&mut r).unwrap(),
            Some(Message::Notification(_))
        ));
        assert!(read_message(&mut r).unwrap().is_none());
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1);
        let e = read_message(&mut std::io::Cursor::new(huge.into_bytes())).unwrap_err();
        assert!(e.to_string().contains("the limit is"), "{e}");
        let long = vec![b'x'; MAX_HEADER_LINE + 10];
        let e = read_message(&mut std::io::Cursor::new(long)).unwrap_err();
        assert!(e.to_string().contains("longer than"), "{e}");
    }
}
