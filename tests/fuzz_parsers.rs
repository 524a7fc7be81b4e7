//! Property tests: every parser takes generated and mutated input without
//! panicking — bench output, `-S` listings, type expressions, values, `--from`
//! files, lem annotations and `go list -json`. Mutations start from real
//! recorded outputs (tests/fixtures) and our own Go sources.
//!
//! Cases per parser: 10,000 by default (CI); set IFACEALLOC_FUZZ_CASES for
//! longer runs. Speed and linearity are measured by `cargo bench`, not here.

use std::path::Path;

use ifacealloc::model::gotype::{self, Defs};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn cases() -> u32 {
    std::env::var("IFACEALLOC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// A runner with a fixed seed, so a failure reproduces.
fn runner() -> TestRunner {
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]))
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(path),
    )
    .unwrap()
}

/// Up to `max` bytes of each sample, split at line ends, so mutations work on
/// inputs of a few KB.
fn chunks(samples: &[Vec<u8>], max: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for s in samples {
        let mut start = 0;
        while start < s.len() {
            let mut end = (start + max).min(s.len());
            while end < s.len() && s[end - 1] != b'\n' {
                end += 1;
            }
            out.push(s[start..end].to_vec());
            start = end;
        }
    }
    out
}

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes that matter to these formats, plus anything.
    let interesting = prop::sample::select(vec![
        b'\n', b'\r', b'\t', b' ', b'{', b'}', b'[', b']', b'(', b')', b'"', b'`', b'\\', b'/',
        b'*', b':', b',', b';', b'|', b'=', b'-', b'.', b'0', b'9', 0xe2, 0x98, 0x83, 0xff, 0,
    ]);
    let byte = prop_oneof![interesting, any::<u8>()];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(p, b)| Edit::Flip(p, b)),
        (any::<usize>(), prop::collection::vec(byte, 1..8)).prop_map(|(p, b)| Edit::Insert(p, b)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Edit::Delete(p, n)),
        (any::<usize>(), 1usize..256).prop_map(|(p, n)| Edit::Duplicate(p, n)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut v: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = v.len().max(1);
        match e {
            Edit::Flip(p, b) => {
                if !v.is_empty() {
                    let i = p % v.len();
                    v[i] = *b;
                }
            }
            Edit::Insert(p, b) => {
                let i = p % (v.len() + 1);
                v.splice(i..i, b.iter().copied());
            }
            Edit::Delete(p, n) => {
                let i = p % len;
                let j = (i + n).min(v.len());
                if i < j {
                    v.drain(i..j);
                }
            }
            Edit::Duplicate(p, n) => {
                let i = p % len;
                let j = (i + n).min(v.len());
                if i < j {
                    let part = v[i..j].to_vec();
                    v.splice(j..j, part);
                }
            }
            Edit::Truncate(p) => v.truncate(p % len),
        }
    }
    v
}

/// Mutated versions of the samples.
fn mutated(samples: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(samples),
        prop::collection::vec(edit(), 0..12),
    )
        .prop_map(|(s, e)| apply(s, &e))
}

fn check(strategy: impl Strategy<Value = Vec<u8>>, parse: impl Fn(&[u8])) {
    runner()
        .run(&strategy, |input| {
            parse(&input);
            Ok(())
        })
        .unwrap();
}

#[test]
fn bench_output() {
    let samples = chunks(
        &[
            fixture("bench/go1.21-plain.txt"),
            fixture("bench/go1.21-verbose.txt"),
            fixture("bench/go1.26-json.txt"),
            fixture("bench/go1.18-style-json.txt"),
        ],
        2048,
    );
    check(mutated(samples), |input| {
        let report = ifacealloc::parse::bench::parse_str(&String::from_utf8_lossy(input));
        let mut out = Vec::new();
        report.write_markdown(&mut out).unwrap();
    });
}

/// Mutated bench output (raw bytes: broken UTF-8, stray CRs, lines split
/// anywhere) read in small chunks on two threads, from a stream or sliced
/// from memory, gives exactly what reading it line by line gives.
#[test]
fn bench_output_read_in_chunks() {
    use ifacealloc::parse::{bench, chunks::Plan};
    let samples = chunks(
        &[
            fixture("bench/go1.21-verbose.txt"),
            fixture("bench/go1.26-plain.txt"),
            fixture("bench/go1.26-json.txt"),
        ],
        2048,
    );
    let plan = Plan {
        threads: 2,
        chunk_size: 61,
        max_chunk: 1024,
        // As bench2md reads a file: this thread parses chunks too.
        caller_works: true,
    };
    check(mutated(samples), |input| {
        let want = bench::read_lines(input, |_| Ok(())).unwrap();
        let got = bench::read_chunked(input, plan).unwrap();
        assert_eq!(format!("{got:?}"), format!("{want:?}"));
        let got = bench::read_sliced(input, plan, |_| {}).unwrap();
        assert_eq!(format!("{got:?}"), format!("{want:?}"));
    });
}

/// Mutated listings never panic the parsers, and read through a small
/// buffer or from memory give what reading them whole gives.
#[test]
fn assembly_listings() {
    let samples = chunks(
        &[
            fixture("asm/go1.21-amd64.txt"),
            fixture("asm/go1.26-arm64.txt"),
            fixture("asm/go1.18-style-amd64.txt"),
        ],
        3000,
    );
    check(mutated(samples), |input| {
        use ifacealloc::cmd::asm2md::{collect, collect_sliced};
        let whole = collect(input).map(|l| format!("{l:?}"));
        // Lines that cross the reader's buffer fills are searched for
        // symbols on their own: the same listing either way.
        let crossing = collect(std::io::BufReader::with_capacity(16, input));
        assert_eq!(
            crossing.map(|l| format!("{l:?}")).ok(),
            whole.as_ref().ok().cloned()
        );
        let plan = ifacealloc::parse::chunks::Plan {
            threads: 2,
            chunk_size: 97,
            max_chunk: 1024,
            caller_works: false,
        };
        let sliced = collect_sliced(input, plan).map(|l| format!("{l:?}"));
        assert_eq!(sliced.ok(), whole.ok());
        let _ = ifacealloc::parse::asm::function_listing(input, "BenchmarkMem");
    });
}

const TYPES: &[&str] = &[
    "int64",
    "struct{ a int32; b int64 }",
    "map[string][]*struct{ x, y float64 }",
    "[4]struct{ _ int8; b [0]func(int, ...string) (error, bool) }",
    "chan<- <-chan interface{ M(a int) string }",
    "struct{ A; *B `json:\"b\"`; c unsafe.Pointer }",
    "func(a, b int, c ...[]byte) (x int, err error)",
    "[1]struct{ a [0]int; b *int }",
];

fn defs() -> Defs {
    let mut d = Defs::new();
    d.insert(
        "A".into(),
        gotype::parse("struct{ x int }", &Defs::new()).unwrap(),
    );
    d.insert("B".into(), gotype::parse("int", &Defs::new()).unwrap());
    d
}

#[test]
fn type_expressions() {
    let d = defs();
    let samples: Vec<Vec<u8>> = TYPES.iter().map(|t| t.as_bytes().to_vec()).collect();
    check(mutated(samples), |input| {
        let text = String::from_utf8_lossy(input);
        if let Ok(t) = gotype::parse(&text, &d) {
            let _ = t.validate();
            let arch = gotype::Arch::by_name("386").unwrap();
            let _ = t.layout(&arch);
            // Printed back, it parses to the same type.
            assert_eq!(
                gotype::parse(&t.go_syntax(), &d).ok(),
                Some(t.clone()),
                "{text}"
            );
        }
    });
}

#[test]
fn values() {
    let d = defs();
    let pairs: Vec<(&str, &str)> = vec![
        ("int64", "-0x7f_ff"),
        ("float32", "bits:0x40490fdb"),
        ("complex128", "1.5-2i"),
        ("string", "\"a\\\"b\\n\""),
        ("struct{ _ int8; b int8 }", "{0, 5}"),
        ("[3][]*int", "{nil, {new, new}, make}"),
        ("struct{ a string; b [2]bool }", "{hello, {true, false}}"),
        ("map[int]int", "make"),
    ];
    let samples: Vec<Vec<u8>> = pairs
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            let mut s = vec![i as u8];
            s.extend_from_slice(v.as_bytes());
            s
        })
        .collect();
    let types: Vec<gotype::Type> = pairs
        .iter()
        .map(|(t, _)| gotype::parse(t, &d).unwrap())
        .collect();
    check(mutated(samples), |input| {
        let Some((&i, text)) = input.split_first() else {
            return;
        };
        let ty = &types[i as usize % types.len()];
        let text = String::from_utf8_lossy(text);
        let s390x = gotype::Arch::by_name("s390x").unwrap();
        if let Ok(v) = ifacealloc::model::value::parse(&text, ty, &s390x) {
            let _ = ifacealloc::model::value::go_expr(ty, &v);
            let _ = ifacealloc::model::value::encode(ty, &v, &s390x);
        }
    });
}

#[test]
fn from_files() {
    let samples = vec![
        b"package p\n\n// T is a type.\ntype T struct {\n\tX, Y int32 // coordinates\n\tName string `json:\"name\"`\n}\n\ntype (\n\tID int64\n\tAlias = []T\n\tG[K comparable] map[K]T\n)\n\nconst \xcf\x80 = 3\nvar s = \"a\\\"b\"\n/* block */\n".to_vec(),
        fixture("scan/sites/sites.go"),
        fixture("lem/corpus/corpus.go"),
    ];
    check(mutated(samples), |input| {
        let mut d = Defs::new();
        let _ =
            ifacealloc::model::typedefs::from_go_source(&String::from_utf8_lossy(input), &mut d);
    });
}

#[test]
fn lem_annotations() {
    let samples = vec![
        fixture("lem/corpus/corpus_test.go"),
        fixture("lem/corpus/iface_test.go"),
        fixture("lem/lemv011/claims_test.go"),
        b"package p\n\n// lem.a.name=x\n// lem.a.alloc=1-2\n// lem.a.bytes@go1.25@arm64=8\nfunc BenchmarkA(b *testing.B) { /* \xe2\x98\x83\n*/ s := `raw\n` // lem.a.m=x escapes\n}\n".to_vec(),
    ];
    check(mutated(samples), |input| {
        let _ = ifacealloc::lem::scan::scan_file(
            Path::new("x_test.go"),
            &String::from_utf8_lossy(input),
        );
    });
}

#[test]
fn go_list_json() {
    let sample = br#"{
	"Dir": "/tmp/m",
	"ImportPath": "example.com/m",
	"Name": "m",
	"GoFiles": ["a.go", "b.go"],
	"CompiledGoFiles": ["a.go", "/root/.cache/go-build/x-d"],
	"IgnoredGoFiles": ["c.go"],
	"ImportMap": {"x": "y"},
	"Export": "/root/.cache/go-build/e-d",
	"Module": {"Path": "example.com/m", "Dir": "/tmp/m"},
	"Error": {"Err": "build constraints exclude all Go files"}
}
{
	"ImportPath": "fmt",
	"DepOnly": true
}
"#;
    check(mutated(vec![sample.to_vec()]), |input| {
        let _ = ifacealloc::go::list::decode(input);
    });
}
