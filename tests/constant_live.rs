//! Go's constant rules, checked against the compiler: generated constant
//! expressions (literals of every form, well- and ill-formed, near-tie
//! decimals, operators, conversions) are read by ifacealloc's evaluator and by
//! the live `go` — `var vN T = EXPR` in one package, built with `-gcflags=-e`
//! (the lines Go rejects are dropped until it builds), then run to print
//! each value's bits. Both must accept the same expressions and give the same
//! bits. IFACEALLOC_CONST_CASES sets the sample size (default 1500 per
//! GOARCH; the seed is printed so a failure can be replayed with
//! IFACEALLOC_CONST_SEED).

mod common;

use std::fmt::Write as _;
use std::process::Command;

use ifacealloc::model::constant::{eval_as, Scalar};
use ifacealloc::model::gotype::{Arch, Basic};
use num_bigint::BigInt;

/// splitmix64: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const NUMERIC: &[Basic] = &[
    Basic::Int,
    Basic::Int8,
    Basic::Int16,
    Basic::Int32,
    Basic::Int64,
    Basic::Uint,
    Basic::Uint8,
    Basic::Uint16,
    Basic::Uint32,
    Basic::Uint64,
    Basic::Uintptr,
    Basic::Float32,
    Basic::Float64,
    Basic::Complex64,
    Basic::Complex128,
];

/// Sprinkles `_` between digits, and now and then where Go forbids it.
fn underscores(r: &mut Rng, digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && r.chance(8) {
            out.push('_');
            if r.chance(5) {
                out.push('_');
            }
        }
        out.push(c);
    }
    if r.chance(2) {
        out.push('_');
    }
    out
}

/// `n` random digits in `radix`.
fn digits_in(r: &mut Rng, radix: u32, n: usize) -> String {
    (0..n)
        .map(|_| std::char::from_digit(r.below(radix as u64) as u32, radix).unwrap())
        .collect()
}

fn int_literal(r: &mut Rng) -> String {
    let n = 1 + r.below(22) as usize;
    match r.below(7) {
        0 => {
            let d = digits_in(r, 16, n.min(18));
            format!("0x{}", underscores(r, &d))
        }
        1 => {
            let d = digits_in(r, 8, n);
            format!("0o{}", underscores(r, &d))
        }
        2 => {
            let d = digits_in(r, 2, n * 3);
            format!("0b{}", underscores(r, &d))
        }
        // Legacy octal, sometimes with an 8 or 9 in it.
        3 => {
            let radix = if r.chance(15) { 10 } else { 8 };
            let d = digits_in(r, radix, n.min(22));
            format!("0{}", underscores(r, &d))
        }
        4 => r
            .pick(&[
                "0",
                "1",
                "7",
                "127",
                "128",
                "255",
                "256",
                "32767",
                "65535",
                "65536",
                "2147483648",
                "4294967295",
                "4294967296",
                "9223372036854775807",
                "9223372036854775808",
                "18446744073709551615",
                "18446744073709551616",
            ])
            .to_string(),
        _ => {
            let d = digits_in(r, 10, n);
            let d = d.trim_start_matches('0');
            let d = if d.is_empty() { "1" } else { d };
            underscores(r, d)
        }
    }
}

/// The exact decimal of k·2^e.
fn exact_decimal(k: u64, e: i32) -> String {
    if e >= 0 {
        return (BigInt::from(k) << e as u32).to_string();
    }
    let n = (-e) as u32;
    let digits = (BigInt::from(k) * BigInt::from(5).pow(n)).to_string();
    let n = n as usize;
    let padded = format!(
        "{}{digits}",
        "0".repeat((n + 1).saturating_sub(digits.len()))
    );
    let (int, frac) = padded.split_at(padded.len() - n);
    format!("{int}.{frac}")
}

fn float_literal(r: &mut Rng) -> String {
    match r.below(6) {
        // A float32 midpoint, a hair above, below or exactly: where rounding
        // through float64 first goes wrong.
        0 | 1 => {
            let bits = r.next() as u32 & 0x7f7f_ffff;
            let significand = (bits & 0x7f_ffff) | if bits >> 23 == 0 { 0 } else { 0x80_0000 };
            // midpoint between this float32 and the next: (2m+1)·2^(ulp-1)
            let mid = exact_decimal(2 * significand as u64 + 1, f32_ulp_exp(bits) - 1);
            let mid = if mid.contains('.') {
                mid
            } else {
                format!("{mid}.0")
            };
            match r.below(3) {
                0 => mid,
                1 => format!("{mid}000000000000000000001"),
                _ => {
                    // just below: trim the last digit (the exact midpoint ends in 5)
                    mid[..mid.len() - 1].to_string()
                }
            }
        }
        2 => {
            let f = f64::from_bits(r.next() & 0x7fef_ffff_ffff_ffff);
            format!("{f:e}")
        }
        3 => {
            let (n_mant, n_frac) = (1 + r.below(15) as usize, r.below(6) as usize);
            let mant = digits_in(r, 16, n_mant);
            let frac = digits_in(r, 16, n_frac);
            let exp = r.below(300) as i64 - 150;
            let p = if r.chance(5) { "" } else { "p" };
            format!(
                "0x{mant}.{frac}{p}{}",
                if p.is_empty() {
                    String::new()
                } else {
                    exp.to_string()
                }
            )
        }
        4 => {
            let lead = if r.chance(30) { "0" } else { "" };
            let (n_int, n_frac) = (r.below(5) as usize, r.below(8) as usize);
            let int = digits_in(r, 10, n_int);
            let frac = digits_in(r, 10, n_frac);
            let exp = if r.chance(50) {
                format!("e{}{}", r.pick(&["", "+", "-"]), r.below(60))
            } else {
                String::new()
            };
            let dot = if r.chance(80) || exp.is_empty() {
                "."
            } else {
                ""
            };
            format!("{lead}{int}{dot}{frac}{exp}")
        }
        _ => r
            .pick(&[
                "1e38",
                "3.4028235e38",
                "3.4028236e38",
                "1e39",
                "1e308",
                "1.8e308",
                "5e-324",
                "2e-324",
                "1e-46",
                "1.401298464324817e-45",
                "-0.0",
                "0.1",
                "0.5",
                "1.5",
                "255.0",
                "255.5",
                "256.0",
            ])
            .to_string(),
    }
}

/// The exponent of one float32 ulp at these bits.
fn f32_ulp_exp(bits: u32) -> i32 {
    let exp = ((bits >> 23) & 0xff) as i32;
    if exp == 0 {
        -149
    } else {
        exp - 150
    }
}

fn literal(r: &mut Rng, b: Basic) -> String {
    let is_complex = matches!(b, Basic::Complex64 | Basic::Complex128);
    match r.below(10) {
        0..=3 => int_literal(r),
        4..=6 => float_literal(r),
        7 => {
            let body = if r.chance(50) {
                int_literal(r)
            } else {
                float_literal(r)
            };
            format!("{body}i")
        }
        8 => r
            .pick(&[
                "'a'",
                "'\\x41'",
                "'\\377'",
                "'\\u00e9'",
                "'\\U0001F600'",
                "'\\''",
                "'ab'",
                "'\\0'",
                "'é'",
            ])
            .to_string(),
        _ if is_complex => format!("{}i", float_literal(r)),
        _ => int_literal(r),
    }
}

fn expr(r: &mut Rng, b: Basic, depth: u32) -> String {
    if depth == 0 || r.chance(45) {
        return literal(r, b);
    }
    match r.below(8) {
        0 => format!("-{}", expr(r, b, depth - 1)),
        1 => format!("^{}", expr(r, b, depth - 1)),
        2 => {
            let t = r.pick(NUMERIC).name();
            format!("{t}({})", expr(r, b, depth - 1))
        }
        _ => {
            let op = r.pick(&["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "&^"]);
            let rhs = if op.starts_with(['<', '>']) {
                r.below(80).to_string()
            } else {
                expr(r, b, depth - 1)
            };
            format!("({} {op} {rhs})", expr(r, b, depth - 1))
        }
    }
}

/// How the Go program prints a value, and how ifacealloc's value prints the same way.
fn go_print(b: Basic, v: &str) -> String {
    match b {
        Basic::Float32 => format!("math.Float32bits({v})"),
        Basic::Float64 => format!("math.Float64bits({v})"),
        Basic::Complex64 => format!("math.Float32bits(real({v})), math.Float32bits(imag({v}))"),
        Basic::Complex128 => format!("math.Float64bits(real({v})), math.Float64bits(imag({v}))"),
        _ => v.to_string(),
    }
}

fn ours_printed(s: &Scalar) -> String {
    match s {
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(bits) => bits.to_string(),
        Scalar::Complex(a, b) => format!("{a} {b}"),
        Scalar::Bool(x) => x.to_string(),
        Scalar::Str(s) => format!("{s:?}"),
    }
}

struct Case {
    ty: Basic,
    expr: String,
}

/// The cases Go accepts (by index), and each accepted one's printed value.
fn go_answers(
    cases: &[Case],
    go: &std::path::Path,
    goarch: &str,
    dir: &std::path::Path,
) -> (Vec<Option<String>>, bool) {
    std::fs::write(dir.join("go.mod"), "module consts\n\ngo 1.21\n").unwrap();
    // One file per case: the parser's recovery after a syntax error never
    // reaches another case, and each error names its case by file.
    let mut kept: Vec<bool> = vec![true; cases.len()];
    for (i, c) in cases.iter().enumerate() {
        let src = format!("package main\n\nvar v{i} {} = {}\n", c.ty.name(), c.expr);
        std::fs::write(dir.join(format!("c{i}.go")), src).unwrap();
    }
    for _round in 0..6 {
        let mut src = String::from(
            "package main\n\nimport (\"fmt\"; \"math\")\n\nvar _ = math.Pi\n\nfunc main() {\n",
        );
        for (i, c) in cases.iter().enumerate() {
            if kept[i] {
                let _ = writeln!(
                    src,
                    "\tfmt.Println({i}, {})",
                    go_print(c.ty, &format!("v{i}"))
                );
            }
        }
        src.push_str("}\n");
        std::fs::write(dir.join("main.go"), &src).unwrap();
        let out = Command::new(go)
            .args(["build", "-gcflags=-e", "-o", "cases.bin", "."])
            .env("GOARCH", goarch)
            .env("GOFLAGS", "-mod=mod")
            .current_dir(dir)
            .output()
            .unwrap();
        if out.status.success() {
            let run = Command::new(dir.join("cases.bin")).output();
            let mut values = vec![None; cases.len()];
            let ran = match run {
                Ok(o) if o.status.success() => {
                    for line in String::from_utf8(o.stdout).unwrap().lines() {
                        let (i, v) = line.split_once(' ').unwrap();
                        values[i.parse::<usize>().unwrap()] = Some(v.to_string());
                    }
                    true
                }
                // A binary this machine cannot run (another GOARCH): acceptance only.
                _ => {
                    for (i, k) in kept.iter().enumerate() {
                        if *k {
                            values[i] = Some(String::new());
                        }
                    }
                    false
                }
            };
            return (values, ran);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut dropped = 0;
        for line in stderr.lines() {
            let Some(rest) = line.strip_prefix("./c") else {
                continue;
            };
            let i: usize = rest.split('.').next().unwrap().parse().unwrap();
            if kept[i] {
                kept[i] = false;
                dropped += 1;
                std::fs::remove_file(dir.join(format!("c{i}.go"))).unwrap();
            }
        }
        assert!(
            dropped > 0,
            "go build failed without naming a case:\n{stderr}"
        );
    }
    panic!("go build still fails after 6 rounds");
}

#[test]
fn constant_expressions_agree_with_the_compiler() {
    let n: usize = std::env::var("IFACEALLOC_CONST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500);
    let seed: u64 = std::env::var("IFACEALLOC_CONST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261207);
    eprintln!("constant cases: {n} per GOARCH, seed {seed}");
    // The local go on amd64 and 386; every other Go under test on amd64.
    let mut runs = vec![
        (std::path::PathBuf::from("go"), "amd64"),
        ("go".into(), "386"),
    ];
    runs.extend(
        common::toolchains()
            .into_iter()
            .skip(1)
            .map(|g| (g, "amd64")),
    );
    for (go_bin, goarch) in &runs {
        let goarch = *goarch;
        let arch = Arch::by_name(goarch).unwrap();
        let mut r = Rng(seed ^ goarch.len() as u64);
        let cases: Vec<Case> = (0..n)
            .map(|_| {
                let ty = *r.pick(NUMERIC);
                Case {
                    expr: expr(&mut r, ty, 3),
                    ty,
                }
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let (go, ran) = go_answers(&cases, go_bin, goarch, dir.path());
        let mut disagree = Vec::new();
        let (mut accepted, mut rejected) = (0, 0);
        for (i, c) in cases.iter().enumerate() {
            let ours = eval_as(c.expr.as_bytes(), 0, c.ty, &arch)
                .ok()
                .filter(|(_, end)| *end == c.expr.len())
                .map(|(v, _)| ours_printed(&v));
            match (&ours, &go[i]) {
                (Some(_), Some(_)) => accepted += 1,
                (None, None) => rejected += 1,
                _ => {}
            }
            let same = match (&ours, &go[i]) {
                (Some(a), Some(b)) => !ran || a == b,
                (None, None) => true,
                _ => false,
            };
            if !same {
                let why = eval_as(c.expr.as_bytes(), 0, c.ty, &arch)
                    .err()
                    .map(|e| e.msg);
                disagree.push(format!(
                    "{} {goarch} var _ {} = {}: ifacealloc {ours:?} ({why:?}), go {:?}",
                    go_bin.display(),
                    c.ty.name(),
                    c.expr,
                    go[i]
                ));
            }
        }
        eprintln!("{} {goarch}: {accepted} accepted by both, {rejected} rejected by both, {} differ (values compared: {ran})", go_bin.display(), disagree.len());
        assert!(
            disagree.is_empty(),
            "{} of {n} cases differ:\n{}",
            disagree.len(),
            disagree[..disagree.len().min(40)].join("\n")
        );
        assert!(
            accepted > n / 5 && rejected > n / 20,
            "the sample exercises both outcomes"
        );
    }
}
