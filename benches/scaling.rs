//! Scaling of the parsers on degenerate input, at 1× and 10× (issue: hostile
//! and degenerate input). Linear work shows as a 10× time ratio; anything
//! quadratic as 100×. Rows:
//! - `units`: one custom metric unit per benchmark line (bench2md);
//! - `seed_rows`, `config_keys`, `json_newlines`, `real_lines`: many seed rows,
//!   distinct `key: value` lines, one -json event holding many lines, and
//!   `real(T)=` logs with no benchmark (bench2md);
//! - `asm_links`: a listing with many linked conversion cells (asm2md, with the
//!   local toolchain's runtime source links);
//! - `long_line`: one enormous line through the capped line reader.

use std::io::BufReader;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ifacealloc::cmd::asm2md::{self, Linker};
use ifacealloc::go::links::Isa;
use ifacealloc::go::toolchain::Toolchain;
use ifacealloc::parse::bench::BenchParser;
use ifacealloc::parse::lines::CappedLines;

fn bench2md(input: &[u8]) -> usize {
    let mut p = BenchParser::new();
    for line in input.split_inclusive(|&b| b == b'\n') {
        p.feed_line(line);
    }
    let report = p.finish();
    let mut out = Vec::new();
    report.write_markdown(&mut out).unwrap();
    out.len()
}

fn units(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| format!("BenchmarkX{i} 1 1 u{i}/op\n"))
        .collect::<String>()
        .into_bytes()
}

fn seed_rows(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| format!("BenchmarkMem/row{i}/0/h 1 1 B/op\n"))
        .collect::<String>()
        .into_bytes()
}

fn config_keys(n: usize) -> Vec<u8> {
    let mut s = String::from("BenchmarkA 1 1 ns/op\n");
    for i in 0..n {
        s.push_str(&format!("key{i}: value\n"));
    }
    s.into_bytes()
}

fn json_newlines(n: usize) -> Vec<u8> {
    let output = format!("BenchmarkA 1 1 ns/op\n{}", "x\n".repeat(n));
    let mut s =
        serde_json::json!({"Action": "output", "Package": "p", "Output": output}).to_string();
    s.push('\n');
    s.into_bytes()
}

fn real_lines(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!("    a_test.go:1: real(T)=int{i}\n"));
    }
    s.push_str("BenchmarkMem/row/0/h 1 1 B/op\n");
    s.into_bytes()
}

/// A listing of `n` functions, each with a few runtime conversions.
fn listing(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "main.f{i} STEXT size=64 args=0x8 locals=0x10 funcid=0x0 align=0x0\n"
        ));
        for (k, r) in ["convT64", "convTstring", "convTnoptr", "convT16"]
            .iter()
            .enumerate()
        {
            s.push_str(&format!(
                "\t0x{k:04x} {k:05} (/tmp/m/a.go:{})\tCALL\truntime.{r}(SB)\n",
                i * 4 + k + 1
            ));
        }
    }
    s.into_bytes()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling");
    g.sample_size(10);
    type Make = fn(usize) -> Vec<u8>;
    let rows: [(&str, Make, usize); 5] = [
        ("units", units, 4_000),
        ("seed_rows", seed_rows, 20_000),
        ("config_keys", config_keys, 8_000),
        ("json_newlines", json_newlines, 200_000),
        ("real_lines", real_lines, 20_000),
    ];
    for (name, make, base) in rows {
        for scale in [1, 10] {
            let input = make(base * scale);
            g.throughput(Throughput::Bytes(input.len() as u64));
            g.bench_with_input(
                BenchmarkId::new(name, format!("{scale}x")),
                &input,
                |b, i| b.iter(|| bench2md(i)),
            );
        }
    }
    let tc = Toolchain::discover(None).ok();
    for scale in [1, 10] {
        let input = listing(2_000 * scale);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("asm_links", format!("{scale}x")),
            &input,
            |b, i| {
                b.iter(|| {
                    let l = asm2md::collect(&i[..]).unwrap();
                    let linker = Linker {
                        toolchain: tc.clone(),
                        isa: Isa::X86,
                    };
                    let mut out = Vec::new();
                    asm2md::write_markdown(&l, &linker, &mut out).unwrap();
                    out.len()
                })
            },
        );
    }
    for scale in [1, 10] {
        let input = vec![b'x'; (10 << 20) * scale];
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("long_line", format!("{scale}x")),
            &input,
            |b, i| {
                b.iter(|| {
                    let mut r = CappedLines::new(BufReader::with_capacity(1 << 16, &i[..]));
                    r.for_each_line(|_| Ok(()), |_| -> std::io::Result<()> { Ok(()) })
                        .unwrap();
                    r.overlong
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
