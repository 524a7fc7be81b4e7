//! The Go benchmark format (golang.org/x/perf/benchfmt): config lines, then
//! one `BenchmarkIface/<row>/<scenario> N ns/op B/op allocs/op` line per case,
//! so `benchstat go121.txt go127.txt` compares two Go versions.

use std::io::Write;

use anyhow::Result;

use super::Exporter;
use crate::matrix::results::Matrix;

pub struct BenchfmtExporter;

impl Exporter for BenchfmtExporter {
    fn export(&self, m: &Matrix, out: &mut dyn Write) -> Result<()> {
        write(m, out)
    }
}

/// A benchmark name part: no spaces (the format splits on them), no `/`
/// (it separates sub-benchmarks).
fn part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push('_');
        }
        space = false;
        out.push(if c == '/' { '∕' } else { c });
    }
    out
}

/// Writes one matrix; config lines first, so several matrices can follow
/// one another (each block's config applies to its own results).
pub fn write(m: &Matrix, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "goos: {}", m.go.goos)?;
    writeln!(out, "goarch: {}", m.go.goarch)?;
    writeln!(out, "pkg: ifacealloc.local/matrix")?;
    writeln!(out, "go: {}", m.go.version)?;
    writeln!(out, "ifacealloc: {}", m.tool_version)?;
    // Two rows whose names differ only where `part` rewrites (a struct tag's
    // space and underscore) must not merge in benchstat: the second gets
    // `#01`, as `go test` names a repeated sub-benchmark.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for r in &m.rows {
        let base = part(&r.name);
        let n = seen.entry(base.clone()).or_insert(0);
        let name = if *n == 0 {
            base
        } else {
            format!("{base}#{:02}", *n)
        };
        *n += 1;
        for c in &r.cases {
            writeln!(
                out,
                "BenchmarkIface/{}/{} {} {} ns/op {} B/op {} allocs/op",
                name, c.scenario, c.iterations, c.ns_per_op, c.bytes_per_op, c.allocs_per_op
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_have_no_spaces_or_slashes() {
        assert_eq!(
            super::part("struct{ a [0]int; b *int }"),
            "struct{_a_[0]int;_b_*int_}"
        );
        assert_eq!(super::part("a/b"), "a∕b");
    }
}
