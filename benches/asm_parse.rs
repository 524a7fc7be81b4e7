//! Throughput of the streaming `-S` listing parser, sequential and on every
//! core (what `asm2md FILE` uses), on a listing of at least
//! 100 MB: `go build -a -gcflags=all=-S net/http` (net/http and every package it
//! imports), produced once into target/ and read from disk on each iteration.

use std::io::BufReader;
use std::path::PathBuf;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ifacealloc::parse::asm;

fn listing() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-listing-net-http.txt");
    let big_enough = std::fs::metadata(&path)
        .map(|m| m.len() >= 100 << 20)
        .unwrap_or(false);
    if !big_enough {
        let file = std::fs::File::create(&path).expect("create listing file");
        let cache = tempfile::tempdir().expect("temp GOCACHE");
        let status = Command::new("go")
            .args([
                "build",
                "-a",
                "-gcflags=all=-S",
                "-o",
                "/dev/null",
                "net/http",
            ])
            .env("GOCACHE", cache.path())
            .stderr(file)
            .status()
            .expect("run go build");
        assert!(status.success(), "go build -gcflags=all=-S net/http failed");
    }
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len >= 100 << 20, "listing is only {len} bytes");
    path
}

fn bench(c: &mut Criterion) {
    let path = listing();
    let len = std::fs::metadata(&path).unwrap().len();
    let mut g = c.benchmark_group("asm2md");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(len));
    g.bench_function("read_listing", |b| {
        b.iter(|| {
            let f = std::fs::File::open(&path).unwrap();
            let mut sites = 0usize;
            let stats = asm::read_listing(
                BufReader::with_capacity(1 << 16, f),
                asm::Detail::Facts,
                |func| sites += func.lines.values().map(|l| l.evidence.len()).sum::<usize>(),
                |_| {},
            )
            .unwrap();
            (stats.instructions, sites)
        })
    });
    g.bench_function("read_listing_parallel", |b| {
        b.iter(|| {
            let f = std::fs::File::open(&path).unwrap();
            let mut sites = 0usize;
            let stats = asm::read_listing_parallel(
                f,
                asm::Detail::Facts,
                |func| sites += func.lines.values().map(|l| l.evidence.len()).sum::<usize>(),
                |_| {},
            )
            .unwrap();
            (stats.instructions, sites)
        })
    });
    g.bench_function("read_listing_mapped", |b| {
        b.iter(|| {
            let f = std::fs::File::open(&path).unwrap();
            let mapped = ifacealloc::parse::mapped::map(&f, &path).unwrap();
            let mut sites = 0usize;
            let stats = asm::read_listing_mapped(
                &mapped,
                asm::Detail::Facts,
                |func| sites += func.lines.values().map(|l| l.evidence.len()).sum::<usize>(),
                |_| {},
            )
            .unwrap();
            (stats.instructions, sites)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
