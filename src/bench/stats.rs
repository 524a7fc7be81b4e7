//! The statistics benchstat reports, computed as golang.org/x/perf's
//! benchmath computes them (with its go-moremath routines), so every printed
//! figure is the same: the median with a confidence interval from order
//! statistics (exact binomial up to 30 samples, a normal approximation
//! past), the Mann–Whitney U test (exact, with ties up to 25 samples per
//! side and without up to 50; else normal with tie and continuity
//! correction), the geometric mean, and their text forms.

/// A summary of one sample: its median and the confidence interval around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub center: f64,
    pub lo: f64,
    pub hi: f64,
    /// The interval's actual confidence (at least the level asked for).
    pub confidence: f64,
    /// Too few samples for a finite interval at that level: the smallest
    /// number that would give one.
    pub need: Option<(&'static str, usize)>,
    /// The confidence level asked for.
    pub level: f64,
}

/// The order statistics bounding a quantile's confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
struct QuantileCi {
    confidence: f64,
    /// 1-based orders; 0 and n+1 stand for −∞ and +∞.
    lo_order: usize,
    hi_order: usize,
}

/// n choose k as go-moremath's `mathx.Choose` computes it (exact integers up
/// to 20!, else through log-gamma).
pub fn choose(n: usize, k: usize) -> f64 {
    if k == 0 || k == n {
        return 1.0;
    }
    if n < k {
        return 0.0;
    }
    if n <= 20 {
        let mut numer: i64 = 1;
        for n1 in (n - (k - 1)) as i64..=n as i64 {
            numer *= n1;
        }
        let denom: i64 = (1..=k as i64).product();
        return (numer / denom) as f64;
    }
    let lg = |x: usize| libm::lgamma((x + 1) as f64);
    (lg(n) - lg(k) - lg(n - k)).exp()
}

fn binomial_pmf(n: usize, p: f64, k: i64) -> f64 {
    if k < 0 || k > n as i64 {
        return 0.0;
    }
    let k = k as usize;
    choose(n, k) * p.powf(k as f64) * (1.0 - p).powf((n - k) as f64)
}

/// The standard normal's CDF at `x` for N(mu, sigma).
fn normal_cdf(x: f64, mu: f64, sigma: f64) -> f64 {
    libm::erfc(-(x - mu) / (sigma * std::f64::consts::SQRT_2)) / 2.0
}

/// The normal distribution's inverse CDF, by Acklam's rational approximation
/// (go-moremath's method; its coefficients as published).
#[allow(clippy::excessive_precision)]
fn normal_inv_cdf(p: f64, mu: f64, sigma: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.383577518672690e+02,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    const PLOW: f64 = 0.02425;
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < PLOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - PLOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    };
    x * sigma + mu
}

/// The confidence interval of the `q` quantile of `n` samples, as order
/// statistics.
fn quantile_ci(n: usize, q: f64, confidence: f64) -> QuantileCi {
    if confidence >= 1.0 {
        return QuantileCi {
            confidence: 1.0,
            lo_order: 0,
            hi_order: n + 1,
        };
    }
    let (mut l, mut r): (i64, i64);
    let mut conf;
    if n <= 30 {
        let pmf = |k: i64| binomial_pmf(n, q, k);
        let x = if q == 0.0 {
            0
        } else {
            ((n as f64 + 1.0) * q).ceil() as i64 - 1
        };
        let mut accum = pmf(x);
        l = x;
        r = x + 1;
        let (mut lp, mut rp) = (pmf(l - 1), pmf(r));
        while accum < confidence && (lp > 0.0 || rp > 0.0) {
            if lp >= rp {
                accum += lp;
                l -= 1;
                lp = pmf(l - 1);
            } else {
                accum += rp;
                r += 1;
                rp = pmf(r);
            }
        }
        conf = accum;
    } else {
        let mu = n as f64 * q;
        let sigma = (n as f64 * q * (1.0 - q)).sqrt();
        let alpha = (1.0 - confidence) / 2.0;
        let l1 = normal_inv_cdf(alpha, mu, sigma);
        let r1 = 2.0 * mu - l1;
        l = ((l1 - 0.5).floor() + 0.5).floor() as i64 + 1;
        r = ((r1 - 0.5).ceil() + 0.5).floor() as i64 + 1;
        let cdf = |l: i64, r: i64| {
            normal_cdf(r as f64 - 0.5, mu, sigma) - normal_cdf(l as f64 - 0.5, mu, sigma)
        };
        conf = cdf(l, r);
        let biased = cdf(l, r - 1);
        if biased >= confidence && biased < conf {
            conf = biased;
            r -= 1;
        }
        if l <= 0 && r > n as i64 {
            conf = 1.0;
        }
    }
    QuantileCi {
        confidence: conf,
        lo_order: l.max(0) as usize,
        hi_order: r.min(n as i64 + 1) as usize,
    }
}

/// The median of sorted values, by go-moremath's quantile method (R8).
fn median_sorted(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let pos = 1.0 / 3.0 + 0.5 * (n + 1.0 / 3.0);
    let k = pos.trunc() as usize;
    let frac = pos.fract();
    if k == 0 {
        xs[0]
    } else if k >= xs.len() {
        xs[xs.len() - 1]
    } else {
        xs[k - 1] + frac * (xs[k] - xs[k - 1])
    }
}

/// The smallest sample size with a finite median interval at `confidence`.
fn median_samples(confidence: f64) -> (&'static str, usize) {
    for n in 2..=50 {
        let ci = quantile_ci(n, 0.5, confidence);
        if ci.lo_order > 0 && ci.hi_order <= n {
            return (">=", n);
        }
    }
    (">", 50)
}

/// The median of `values` and its confidence interval at `confidence`.
pub fn summarize(values: &[f64], confidence: f64) -> Summary {
    let mut xs = values.to_vec();
    xs.sort_by(f64::total_cmp);
    let ci = quantile_ci(xs.len(), 0.5, confidence);
    let center = median_sorted(&xs);
    let lo = if ci.lo_order < 1 {
        f64::NEG_INFINITY
    } else {
        xs[ci.lo_order - 1]
    };
    let hi = if ci.hi_order > xs.len() {
        f64::INFINITY
    } else {
        xs[ci.hi_order - 1]
    };
    let need = (lo.is_infinite() || hi.is_infinite()).then(|| median_samples(confidence));
    Summary {
        center,
        lo,
        hi,
        confidence: ci.confidence,
        need,
        level: confidence,
    }
}

impl Summary {
    /// The interval as benchstat prints it after `±`: the larger relative
    /// distance of a bound from the center, in whole percent; `∞` without
    /// a finite interval, `?` when a bound's sign differs from the center's.
    pub fn pct_range(&self) -> String {
        if self.lo.is_infinite() || self.hi.is_infinite() {
            return "∞".to_string();
        }
        let sign = |x: f64| {
            if x > 0.0 {
                1
            } else if x < 0.0 {
                -1
            } else {
                0
            }
        };
        let c = sign(self.center);
        if c != sign(self.lo) || c != sign(self.hi) {
            return "?".to_string();
        }
        if self.center == 0.0 {
            return "0%".to_string();
        }
        let v = (self.hi / self.center - 1.0).max(1.0 - self.lo / self.center);
        // `{:.0}` rounds the exact binary value half to even, as Go's `%.0f`.
        format!("{:.0}%", 100.0 * v)
    }
}

/// The result of comparing two samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// The U test's p-value (1 when it cannot be computed).
    pub p: f64,
    pub n1: usize,
    pub n2: usize,
    pub alpha: f64,
    /// Too few samples to ever reach `alpha`: the number that could.
    pub need: Option<(&'static str, usize)>,
    /// The test failed (e.g. all values equal): benchstat reports it as no
    /// difference, with this warning.
    pub error: Option<&'static str>,
}

/// The minimum p-value of the U test with two samples of size n.
const U_TEST_MIN_P: [f64; 10] = [
    0.0,
    1.0,
    0.3333333333333333,
    0.1,
    0.02857142857142857,
    0.007936507936507936,
    0.0021645021645021645,
    0.0005827505827505828,
    0.0001554001554001554,
    4.113533525298231e-05,
];

fn u_test_samples(alpha: f64) -> (&'static str, usize) {
    for (n, &min_p) in U_TEST_MIN_P.iter().enumerate().skip(1) {
        if min_p <= alpha {
            return (">=", n);
        }
    }
    (">", U_TEST_MIN_P.len())
}

/// Compares `old` with `new` by the two-sided Mann–Whitney U test at `alpha`.
pub fn compare(old: &[f64], new: &[f64], alpha: f64) -> Comparison {
    let (n1, n2) = (old.len(), new.len());
    match mann_whitney_p(old, new) {
        Err(e) => Comparison {
            p: 1.0,
            n1,
            n2,
            alpha,
            need: None,
            error: Some(e),
        },
        Ok(p) => {
            let mut need = None;
            if p > alpha {
                let (op, n) = u_test_samples(alpha);
                if n1 < n && n2 < n {
                    need = Some((op, n));
                }
            }
            Comparison {
                p,
                n1,
                n2,
                alpha,
                need,
                error: None,
            }
        }
    }
}

impl Comparison {
    /// `p=0.PPP n=N` (or `n=N1+N2`), as benchstat prints it.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if self.p != 0.0 {
            s = format!("p={:.3} ", self.p);
        }
        if self.n1 == self.n2 {
            s + &format!("n={}", self.n1)
        } else {
            s + &format!("n={}+{}", self.n1, self.n2)
        }
    }

    /// The change of the centers, `+1.23%`, or `~` when not significant.
    pub fn delta(&self, old: f64, new: f64) -> String {
        if self.p > self.alpha {
            return "~".to_string();
        }
        if old == new {
            return "0.00%".to_string();
        }
        if old == 0.0 {
            return "?".to_string();
        }
        format!("{:+.2}%", (new / old - 1.0) * 100.0)
    }

    pub fn significant(&self) -> bool {
        self.p <= self.alpha
    }
}

/// The two-sided p-value of the Mann–Whitney U test.
fn mann_whitney_p(x1: &[f64], x2: &[f64]) -> Result<f64, &'static str> {
    let (n1, n2) = (x1.len(), x2.len());
    if n1 == 0 || n2 == 0 {
        return Err("sample is too small");
    }
    let mut a = x1.to_vec();
    let mut b = x2.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    // Merge, labelling each value by its sample.
    let mut merged: Vec<(f64, u8)> = Vec::with_capacity(n1 + n2);
    let (mut i, mut j) = (0, 0);
    while i < n1 && j < n2 {
        if a[i] < b[j] {
            merged.push((a[i], 1));
            i += 1;
        } else {
            merged.push((b[j], 2));
            j += 1;
        }
    }
    merged.extend(a[i..].iter().map(|&v| (v, 1)));
    merged.extend(b[j..].iter().map(|&v| (v, 2)));
    let mut r1 = 0.0;
    let mut ties: Vec<usize> = Vec::new();
    let mut has_ties = false;
    let mut k = 0;
    while k < merged.len() {
        let rank1 = k + 1;
        let v = merged[k].0;
        let mut nx1 = 0;
        while k < merged.len() && merged[k].0 == v {
            if merged[k].1 == 1 {
                nx1 += 1;
            }
            k += 1;
        }
        if nx1 != 0 {
            r1 += (k + rank1) as f64 / 2.0 * nx1 as f64;
        }
        ties.push(k - rank1 + 1);
        if k > rank1 {
            has_ties = true;
        }
    }
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let u2 = (n1 * n2) as f64 - u1;
    let u_small = u1.min(u2);
    let exact = if has_ties {
        n1 <= 25 && n2 <= 25
    } else {
        n1 <= 50 && n2 <= 50
    };
    if exact {
        if ties.len() == 1 {
            return Err("all samples are equal");
        }
        if u1 == u2 {
            return Ok(1.0);
        }
        return Ok(u_cdf(n1, n2, &ties, u_small) * 2.0);
    }
    let t: f64 = ties.iter().map(|&t| (t * t * t - t) as f64).sum();
    let n = (n1 + n2) as f64;
    let mu = (n1 * n2) as f64 / 2.0;
    let sigma = ((n1 * n2) as f64 * ((n + 1.0) - t / (n * (n - 1.0))) / 12.0).sqrt();
    if sigma == 0.0 {
        return Err("all samples are equal");
    }
    // Continuity correction toward zero.
    let mut numer = u1 - mu;
    if numer > 0.0 {
        numer -= 0.5;
    } else if numer < 0.0 {
        numer += 0.5;
    }
    let z = numer / sigma;
    let c = normal_cdf(z, 0.0, 1.0);
    Ok(2.0 * c.min(1.0 - c))
}

/// The U statistic's CDF for samples of n1 and n2 with tie sizes `t`.
fn u_cdf(n1: usize, n2: usize, t: &[usize], u: f64) -> f64 {
    if u < 0.0 {
        return 0.0;
    }
    if u >= (n1 * n2) as f64 {
        return 1.0;
    }
    if t.iter().any(|&x| x > 1) {
        let two_u = (2.0 * u) as i64;
        let table = ties::memo(two_u, n1 as i64, t);
        let p = table.get(&(n1 as i64, two_u)).copied().unwrap_or(0.0);
        return p / choose(n1 + n2, n1);
    }
    let mut ui = u.floor() as usize;
    let flip = ui >= (n1 * n2).div_ceil(2);
    if flip {
        ui = n1 * n2 - ui - 1;
    }
    let pdfs = no_ties_pmf(n1, n2, ui);
    let mut p: f64 = pdfs[..=ui].iter().sum();
    if flip {
        p = 1.0 - p;
    }
    p
}

/// P(U = u) for u in 0..=max_u without ties, by the recurrence
/// p(n, m) = (n p(n−1, m)(U−m) + m p(n, m−1)(U)) / (n + m).
fn no_ties_pmf(n1: usize, n2: usize, max_u: usize) -> Vec<f64> {
    let (n_small, m_big) = if n1 > n2 { (n2, n1) } else { (n1, n2) };
    let mut memo = vec![vec![0.0f64; max_u + 1]; n_small + 1];
    for m in 0..=m_big {
        memo[0][0] = 1.0;
        let nlim = n_small.min(m);
        for n in 1..=nlim {
            let ulim = (n * m).min(max_u);
            let nplusm = (n + m) as f64;
            for u1 in (0..=ulim).rev() {
                let l = if u1 >= m {
                    n as f64 * memo[n - 1][u1 - m]
                } else {
                    0.0
                };
                // p_{n,m-1}, or p_{m-1,n} when n == m.
                let r_row = if n < m { n } else { m - 1 };
                let r = m as f64 * memo[r_row][u1];
                memo[n][u1] = (l + r) / nplusm;
            }
        }
    }
    memo.swap_remove(n_small)
}

/// The U distribution with ties (Cheung and Klotz's recursion over the tie
/// groups, as go-moremath implements it).
mod ties {
    use std::collections::HashMap;

    use super::choose;

    pub type Table = HashMap<(i64, i64), f64>;

    fn two_u_min(n1: i64, t: &[usize], a: &[i64]) -> i64 {
        let mut two_u = -n1 * n1;
        let mut n1k = n1;
        for k in 1..=t.len() {
            let tk = n1k.min(t[k - 1] as i64);
            two_u += tk * a[k];
            n1k -= tk;
        }
        two_u
    }

    fn two_u_max(n1: i64, t: &[usize], a: &[i64]) -> i64 {
        let mut two_u = -n1 * n1;
        let mut n1k = n1;
        for k in (1..=t.len()).rev() {
            let tk = n1k.min(t[k - 1] as i64);
            two_u += tk * a[k];
            n1k -= tk;
        }
        two_u
    }

    /// The count of arrangements with 2U ≤ `two_u` for the last tie group,
    /// keyed (n1, 2U).
    pub fn memo(two_u: i64, n1: i64, t: &[usize]) -> Table {
        let kk = t.len();
        let mut a = vec![0i64; kk + 1];
        a[1] = t[0] as i64;
        for k in 2..=kk {
            a[k] = a[k - 1] + t[k - 2] as i64 + t[k - 1] as i64;
        }
        let mut tables: Vec<Table> = vec![Table::new(); kk + 1];
        tables[kk].insert((n1, two_u), 0.0);
        let mut tsum: i64 = t.iter().map(|&x| x as i64).sum();
        for k in (2..kk).rev() {
            tsum -= t[k] as i64;
            let keys: Vec<(i64, i64)> = tables[k + 1].keys().copied().collect();
            for (kn1, ktwo_u) in keys {
                let lo = 0.max(kn1 - tsum);
                let hi = kn1.min(t[k] as i64);
                for rk in lo..=hi {
                    let two_u_k = ktwo_u - rk * (a[k + 1] - 2 * kn1 + rk);
                    let n1_k = kn1 - rk;
                    if two_u_min(n1_k, &t[..k], &a) <= two_u_k
                        && two_u_k <= two_u_max(n1_k, &t[..k], &a)
                    {
                        tables[k].insert((n1_k, two_u_k), 0.0);
                    }
                }
            }
        }
        assert!(kk >= 2, "the U distribution with ties needs two tie groups");
        let n2 = (t[0] + t[1]) as i64;
        let keys: Vec<(i64, i64)> = tables[2].keys().copied().collect();
        for (kn1, ktwo_u) in keys {
            let mut sum = 0.0;
            let lo = 0.max(kn1 - t[0] as i64);
            let hi = (ktwo_u - kn1 * (t[0] as i64 - kn1)) / n2;
            let mut r2 = lo;
            while r2 <= hi {
                sum += choose_i(t[0] as i64, kn1 - r2) * choose_i(t[1] as i64, r2);
                r2 += 1;
            }
            tables[2].insert((kn1, ktwo_u), sum);
        }
        let mut tsum = t[0] as i64;
        for k in 3..=kk {
            tsum += t[k - 2] as i64;
            let keys: Vec<(i64, i64)> = tables[k].keys().copied().collect();
            for (kn1, ktwo_u) in keys {
                let mut sum = 0.0;
                let lo = 0.max(kn1 - tsum);
                let hi = kn1.min(t[k - 1] as i64);
                for rk in lo..=hi {
                    let two_u_km1 = ktwo_u - rk * (a[k] - 2 * kn1 + rk);
                    let n1_km1 = kn1 - rk;
                    let x = match tables[k - 1].get(&(n1_km1, two_u_km1)) {
                        Some(&x) => x,
                        None if two_u_max(n1_km1, &t[..k - 1], &a) < two_u_km1 => {
                            choose_i(tsum, n1_km1)
                        }
                        None => 0.0,
                    };
                    sum += x * choose_i(t[k - 1] as i64, rk);
                }
                tables[k].insert((kn1, ktwo_u), sum);
            }
        }
        std::mem::take(&mut tables[kk])
    }

    fn choose_i(n: i64, k: i64) -> f64 {
        if k < 0 || n < 0 || n < k {
            return 0.0;
        }
        choose(n as usize, k as usize)
    }
}

/// The geometric mean (a running mean of logarithms, as go-moremath
/// computes it); NaN when empty or when a value is not positive.
pub fn geomean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut m = 0.0;
    for (i, &x) in xs.iter().enumerate() {
        if x <= 0.0 {
            return f64::NAN;
        }
        m += (x.ln() - m) / (i + 1) as f64;
    }
    m.exp()
}
