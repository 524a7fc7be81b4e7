//! `ifacealloc scan` on fmt, strconv, encoding/json, log/slog and net/http,
//! against the compiler's own `go build -a -gcflags=-m` of the same packages.
//! scan runs warm (its builds cached, as on a developer's machine after the
//! first run) and cold (an empty GOCACHE each time, like `-a`).

use std::path::Path;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion};
use ifacealloc::go::toolchain::Toolchain;
use ifacealloc::scan::{self, Options};

const PACKAGES: [&str; 5] = ["fmt", "strconv", "encoding/json", "log/slog", "net/http"];

fn bench(c: &mut Criterion) {
    let tc = Toolchain::discover(None).expect("go on PATH");
    let patterns: Vec<String> = PACKAGES.iter().map(|s| s.to_string()).collect();
    let dir = std::env::temp_dir();
    let mut g = c.benchmark_group("scan_std");
    g.sample_size(10);
    g.bench_function("ifacealloc scan (warm cache)", |b| {
        b.iter(|| {
            scan::scan(&tc, &dir, &patterns, &Options::default())
                .unwrap()
                .0
                .len()
        })
    });
    g.bench_function("ifacealloc scan (cold cache)", |b| {
        b.iter(|| {
            let cache = tempfile::tempdir().unwrap();
            std::env::set_var("GOCACHE", cache.path());
            let n = scan::scan(&tc, &dir, &patterns, &Options::default())
                .unwrap()
                .0
                .len();
            std::env::remove_var("GOCACHE");
            n
        })
    });
    g.bench_function("go build -a -gcflags=-m", |b| {
        b.iter(|| {
            let st = Command::new("go")
                .args(["build", "-a", "-gcflags=-m"])
                .args(PACKAGES)
                .current_dir(Path::new(&dir))
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(st.success());
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
