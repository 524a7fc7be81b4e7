//! Reading input line by line with a cap on how much of one line is kept, so
//! a single enormous line (a 1 GB blob piped in by mistake) costs the cap in
//! memory, not its own size. The excess is skipped and counted.

use std::borrow::Cow;
use std::io::{self, BufRead};

/// `bytes` as text: borrowed when they are valid UTF-8, else with U+FFFD
/// for each bad sequence. Checked with `str::from_utf8`, which reads ASCII a
/// word at a time, before the lossy conversion, which reads a byte at a time:
/// megabytes of compiler output are nearly always valid.
pub fn text(bytes: &[u8]) -> Cow<'_, str> {
    match utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// `str::from_utf8`, with ASCII checked inline first: for the short lines
/// and fields of benchmark output the library call cost more than reading.
#[inline]
pub fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if bytes.is_ascii() {
        // SAFETY: ASCII is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes)
    }
}

/// Reads at most `limit` bytes from `input`: `Ok(None)` when there is more
/// (the caller names the input and the limit), so a device such as
/// /dev/zero or a decompression bomb costs the limit, never more.
pub fn read_capped(input: impl io::Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    use io::Read;
    let mut out = Vec::new();
    input.take(limit.saturating_add(1)).read_to_end(&mut out)?;
    Ok((out.len() as u64 <= limit).then_some(out))
}

/// The longest line kept whole; longer ones are cut here and their rest skipped.
/// Far above anything `go test` or the compiler prints on one line.
pub const MAX_LINE: usize = 1 << 20;

/// Reads lines from a buffered reader, keeping at most [`MAX_LINE`] bytes of each.
pub struct CappedLines<R> {
    input: R,
    /// Lines that were longer than the cap.
    pub overlong: u64,
}

impl<R: BufRead> CappedLines<R> {
    pub fn new(input: R) -> Self {
        CappedLines { input, overlong: 0 }
    }

    /// Calls `f` with every line (newline kept; at most [`MAX_LINE`] bytes of
    /// it) until the input ends or `f` fails. Lines wholly inside the reader's
    /// buffer are handed over in place, without a copy: this is the fast path
    /// for the listing and benchmark parsers. Every byte read is passed to `raw`.
    pub fn for_each_line<E: From<io::Error>>(
        &mut self,
        mut raw: impl FnMut(&[u8]) -> io::Result<()>,
        mut f: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        // A line begun in one buffer fill and ended in another (never empty
        // while one is open), and whether it went past the cap.
        let mut carry: Vec<u8> = Vec::new();
        let mut cut = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if chunk.is_empty() {
                break;
            }
            raw(chunk)?;
            let n = chunk.len();
            let mut pos = 0;
            if !carry.is_empty() {
                let (take, done) = match memchr::memchr(b'\n', chunk) {
                    Some(i) => (i + 1, true),
                    None => (n, false),
                };
                let room = MAX_LINE.saturating_sub(carry.len());
                cut |= take > room;
                carry.extend_from_slice(&chunk[..take.min(room)]);
                pos = take;
                if done {
                    self.overlong += u64::from(cut);
                    f(&carry)?;
                    carry.clear();
                    cut = false;
                }
            }
            if carry.is_empty() {
                let base = pos;
                for i in memchr::memchr_iter(b'\n', &chunk[base..]) {
                    let end = base + i + 1;
                    let line = &chunk[pos..end];
                    self.overlong += u64::from(line.len() > MAX_LINE);
                    f(&line[..line.len().min(MAX_LINE)])?;
                    pos = end;
                }
                if pos < n {
                    let rest = &chunk[pos..];
                    cut = rest.len() > MAX_LINE;
                    carry.extend_from_slice(&rest[..rest.len().min(MAX_LINE)]);
                }
            }
            self.input.consume(n);
        }
        if !carry.is_empty() {
            self.overlong += u64::from(cut);
            f(&carry)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_reads_as_from_utf8_reads() {
        for b in [
            &b""[..],
            b"ascii only",
            b"caf\xc3\xa9",
            b"\xff",
            b"ok\xe2\x80",
            b"\x7f\x00",
        ] {
            assert_eq!(utf8(b), std::str::from_utf8(b), "{b:?}");
        }
    }

    #[test]
    fn long_lines_are_cut_and_counted() {
        let mut input = vec![b'x'; MAX_LINE * 3];
        input.extend_from_slice(b"\nshort\n");
        let mut r = CappedLines::new(io::BufReader::with_capacity(4096, &input[..]));
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let mut echoed = 0usize;
        r.for_each_line(
            |b| {
                echoed += b.len();
                Ok(())
            },
            |l| -> io::Result<()> {
                lines.push(l.to_vec());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), MAX_LINE);
        assert_eq!(lines[1], b"short\n");
        assert_eq!(r.overlong, 1);
        assert_eq!(echoed, MAX_LINE * 3 + 7);
    }
}
