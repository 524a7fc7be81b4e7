//! Throughput of the bench2md parser on a large input built from recorded
//! `go test -bench` output (plain and -json): fed line by line (as when the
//! input is echoed), and read in parallel chunks (as for a file).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ifacealloc::parse::bench::{self, BenchParser};

fn large_input(name: &str, target_bytes: usize) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/bench/{name}", env!("CARGO_MANIFEST_DIR"));
    let one = std::fs::read(path).expect("fixture");
    let mut out = Vec::with_capacity(target_bytes + one.len());
    while out.len() < target_bytes {
        out.extend_from_slice(&one);
    }
    out
}

fn parse(input: &[u8]) -> usize {
    let mut p = BenchParser::new();
    for line in input.split_inclusive(|&b| b == b'\n') {
        p.feed_line(line);
    }
    p.finish().results.len()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("bench2md");
    g.sample_size(10);
    for (label, file) in [("plain", "go1.26-verbose.txt"), ("json", "go1.26-json.txt")] {
        let input = large_input(file, 32 << 20);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function(label, |b| b.iter(|| parse(&input)));
        // The workers' share alone, on one thread: lines split and numbers
        // read, chunk by chunk, as the parallel readers hand them out (-json
        // events are decoded where they are applied: nothing to split).
        if label == "plain" {
            g.bench_function(format!("{label}, split only"), |b| {
                let mut split = bench::SplitLines::default();
                b.iter(|| {
                    let mut lines = 0;
                    for chunk in input.chunks(1 << 19) {
                        bench::split_chunk(chunk, &mut split);
                        lines += split.len();
                    }
                    lines
                })
            });
        }
        // As the CLI reads a pipe: cut into chunks, split on every core.
        g.bench_function(format!("{label}, parallel"), |b| {
            b.iter(|| {
                let (report, _) = bench::read_parallel(&input[..]).expect("in memory");
                report.results.len()
            })
        });
        // As the CLI reads a file, mapped: the chunks are slices of it.
        let plan = bench::parallel_plan();
        g.bench_function(format!("{label}, sliced"), |b| {
            b.iter(|| {
                let (report, _) = bench::read_sliced(&input, plan, |_| {}).expect("in memory");
                report.results.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
