//! Reading input line by line with a cap on how much of one line is kept, so
//! a single enormous line (a 1 GB blob piped in by mistake) costs the cap in
//! memory, not its own size. The excess is skipped and counted.

use std::io::{self, BufRead};

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

    /// Reads the next line into `buf` (cleared first; its newline kept), at most
    /// [`MAX_LINE`] bytes of it. Every byte read, kept or not, is passed to
    /// `raw` (for echoing the input). Returns `false` at the end of input.
    pub fn next_line(
        &mut self,
        buf: &mut Vec<u8>,
        mut raw: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<bool> {
        buf.clear();
        let mut any = false;
        let mut cut = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            raw(&chunk[..take])?;
            let room = MAX_LINE.saturating_sub(buf.len());
            if take > room {
                cut = true;
            }
            buf.extend_from_slice(&chunk[..take.min(room)]);
            self.input.consume(take);
            if done {
                break;
            }
        }
        if cut {
            self.overlong += 1;
        }
        Ok(any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_and_counted() {
        let mut input = vec![b'x'; MAX_LINE * 3];
        input.extend_from_slice(b"\nshort\n");
        let mut r = CappedLines::new(io::BufReader::with_capacity(4096, &input[..]));
        let mut buf = Vec::new();
        let mut echoed = 0usize;
        assert!(r
            .next_line(&mut buf, |b| {
                echoed += b.len();
                Ok(())
            })
            .unwrap());
        assert_eq!(buf.len(), MAX_LINE);
        assert!(r.next_line(&mut buf, |_| Ok(())).unwrap());
        assert_eq!(buf, b"short\n");
        assert!(!r.next_line(&mut buf, |_| Ok(())).unwrap());
        assert_eq!(r.overlong, 1);
        assert_eq!(echoed, MAX_LINE * 3 + 1);
    }
}
