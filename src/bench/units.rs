//! Benchmark units as benchstat treats them (golang.org/x/perf's benchunit):
//! `ns/op` becomes `sec/op` and `MB/s` becomes `B/s` (values rescaled), and
//! values print with an SI or binary prefix and a number of digits chosen
//! from the smallest value in a row.

/// Whether a unit's prefixes are powers of 1000 or of 1024.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Decimal,
    Binary,
}

/// The unit's tokens, with whether each is in the denominator: tokens are
/// separated by `*`, `/` (which starts the denominator), `-` and spaces.
fn tokens(unit: &str) -> Vec<(usize, &str, bool)> {
    let mut out = Vec::new();
    let mut denom = false;
    let mut start: Option<usize> = None;
    for (i, c) in unit.char_indices() {
        let sep = c == '*' || c == '/' || c == '-' || c.is_whitespace();
        if sep {
            if let Some(s) = start.take() {
                out.push((s, &unit[s..i], denom));
            }
            if c == '*' {
                denom = false;
            } else if c == '/' {
                denom = true;
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, &unit[s..], denom));
    }
    out
}

/// benchstat's name and factor for a unit: `ns/op` → (`sec/op`, 1e-9).
pub fn tidy(unit: &str) -> (String, f64) {
    match unit {
        "ns/op" => return ("sec/op".into(), 1e-9),
        "MB/s" => return ("B/s".into(), 1e6),
        "B/op" | "allocs/op" => return (unit.into(), 1.0),
        _ => {}
    }
    if !(unit.contains("ns") || unit.contains("MB")) {
        return (unit.into(), 1.0);
    }
    let mut factor = 1.0;
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    for (pos, tok, denom) in tokens(unit) {
        if denom {
            continue;
        }
        match tok {
            "ns" => {
                edits.push((pos, 2, "sec"));
                factor /= 1e9;
            }
            "MB" => {
                edits.push((pos, 2, "B"));
                factor *= 1e6;
            }
            _ => {}
        }
    }
    let mut out = unit.to_string();
    for (pos, len, rep) in edits.into_iter().rev() {
        out.replace_range(pos..pos + len, rep);
    }
    (out, factor)
}

pub fn class_of(unit: &str) -> Class {
    let binary = tokens(unit)
        .iter()
        .any(|(_, t, denom)| !denom && matches!(*t, "B" | "MB" | "bytes"));
    if binary {
        Class::Binary
    } else {
        Class::Decimal
    }
}

/// How to print values: digits after the point, the prefix and its factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Scaler {
    pub prec: usize,
    pub factor: f64,
    pub prefix: &'static str,
}

impl Scaler {
    pub fn format(&self, v: f64) -> String {
        format!("{:.*}{}", self.prec, v / self.factor, self.prefix)
    }
}

struct Factor {
    factor: f64,
    prefix: &'static str,
    t100: f64,
    t10: f64,
    t1: f64,
}

fn si_factors() -> Vec<Factor> {
    let mut out = Vec::new();
    let mut exp = 12;
    for p in ["T", "G", "M", "k", "", "m", "µ", "n"] {
        let at = |s: &str| format!("{s}e{exp}").parse::<f64>().expect("a float");
        out.push(Factor {
            factor: 10f64.powi(exp),
            prefix: p,
            t100: at("99.995"),
            t10: at("9.9995"),
            t1: at(".99995"),
        });
        exp -= 3;
    }
    out
}

/// A double from a hexadecimal mantissa's fraction bits and a binary
/// exponent: `0x1.<frac>p<exp>`.
fn hex_float(frac: u64, exp: i32) -> f64 {
    f64::from_bits((((exp + 1023) as u64) << 52) | frac)
}

fn iec_factors() -> Vec<Factor> {
    let mut out = Vec::new();
    let mut exp = 40;
    for p in ["Ti", "Gi", "Mi", "Ki", ""] {
        out.push(Factor {
            factor: 2f64.powi(exp),
            prefix: p,
            // 99.995, 9.9995 and .99995 times 2^exp.
            t100: hex_float(0x8_ffae_147a_e148, 6 + exp),
            t10: hex_float(0x3_ffbe_76c8_b439, 3 + exp),
            t1: hex_float(0xf_ff97_2474_538f, exp - 1),
        });
        exp -= 10;
    }
    out
}

/// The scale for a row of values: from the smallest non-zero magnitude,
/// three significant digits (more for values below the smallest prefix).
pub fn common_scale(values: &[f64], class: Class) -> Scaler {
    let min = values
        .iter()
        .map(|v| v.abs())
        .filter(|v| *v != 0.0)
        .fold(0.0f64, |m, v| if m == 0.0 || v < m { v } else { m });
    if min == 0.0 {
        return Scaler {
            prec: 3,
            factor: 1.0,
            prefix: "",
        };
    }
    let factors = match class {
        Class::Decimal => si_factors(),
        Class::Binary => iec_factors(),
    };
    for f in &factors {
        let prec = if min >= f.t100 {
            1
        } else if min >= f.t10 {
            2
        } else if min >= f.t1 {
            3
        } else {
            continue;
        };
        return Scaler {
            prec,
            factor: f.factor,
            prefix: f.prefix,
        };
    }
    let last = factors.last().expect("factors");
    let val = min / last.factor;
    let sigfigs: Vec<f64> = (1..9)
        .map(|e| format!("9.9995e-{e}").parse::<f64>().expect("a float"))
        .collect();
    for (i, thresh) in sigfigs.iter().enumerate() {
        if val >= *thresh || i == sigfigs.len() - 1 {
            return Scaler {
                prec: i + 3,
                factor: last.factor,
                prefix: last.prefix,
            };
        }
    }
    unreachable!("the last threshold always matches")
}

/// A float as Go's `fmt.Sprint` prints it: the shortest digits that read
/// back the same, with an exponent (at least two digits) below 1e-4 and
/// from 1e6 on.
pub fn go_sprint(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let e = format!("{v:e}");
    let (mantissa, exp) = e.split_once('e').expect("an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidies_units_as_benchstat() {
        assert_eq!(tidy("ns/op"), ("sec/op".into(), 1e-9));
        assert_eq!(tidy("MB/s"), ("B/s".into(), 1e6));
        assert_eq!(tidy("ns/frame"), ("sec/frame".into(), 1e-9));
        assert_eq!(tidy("allocs/op"), ("allocs/op".into(), 1.0));
        assert_eq!(class_of("B/op"), Class::Binary);
        assert_eq!(class_of("sec/op"), Class::Decimal);
        assert_eq!(class_of("ops/B"), Class::Decimal);
    }

    #[test]
    fn scales_as_benchstat() {
        let s = common_scale(&[1.234e-8, 2e-8], Class::Decimal);
        assert_eq!(s.format(1.234e-8), "12.34n");
        assert_eq!(
            common_scale(&[1536.0], Class::Binary).format(1536.0),
            "1.500Ki"
        );
        assert_eq!(common_scale(&[3.0], Class::Decimal).format(3.0), "3.000");
        assert_eq!(common_scale(&[0.0], Class::Decimal).format(0.0), "0.000");
    }

    #[test]
    fn prints_floats_as_go() {
        for (v, go) in [
            (1e20, "1e+20"),
            (123456789.0, "1.23456789e+08"),
            (1234567.0, "1.234567e+06"),
            (123456.0, "123456"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (5.0, "5"),
            (12.5, "12.5"),
        ] {
            assert_eq!(go_sprint(v), go);
        }
    }
}
