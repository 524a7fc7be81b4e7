//! `--timings`: where the wall time of a run goes, by phase (generate, go list,
//! build, run, parse, report), printed on stderr at the end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ON: AtomicBool = AtomicBool::new(false);
static PHASES: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());
static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Turns recording on (the `--timings` flag); the total counts from here.
pub fn enable() {
    START.get_or_init(Instant::now);
    ON.store(true, Ordering::Relaxed);
}

/// Runs `f` as phase `name`, adding its wall time to the phase's total.
pub fn phase<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    if !ON.load(Ordering::Relaxed) {
        return f();
    }
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    let mut p = PHASES.lock().unwrap_or_else(|e| e.into_inner());
    match p.iter_mut().find(|(n, _)| *n == name) {
        Some((_, d)) => *d += took,
        None => p.push((name, took)),
    }
    out
}

/// Adds `took` to phase `name` (for phases that are not one closure).
pub fn add(name: &'static str, took: Duration) {
    if !ON.load(Ordering::Relaxed) {
        return;
    }
    let mut p = PHASES.lock().unwrap_or_else(|e| e.into_inner());
    match p.iter_mut().find(|(n, _)| *n == name) {
        Some((_, d)) => *d += took,
        None => p.push((name, took)),
    }
}

/// Prints each phase's wall time, in the order first seen, and the total.
pub fn report() {
    if !ON.load(Ordering::Relaxed) {
        return;
    }
    let total = START.get().map(Instant::elapsed).unwrap_or_default();
    let p = PHASES.lock().unwrap_or_else(|e| e.into_inner());
    let width = p.iter().map(|(n, _)| n.len()).max().unwrap_or(5).max(5);
    eprintln!("timings:");
    let mut accounted = Duration::ZERO;
    for (name, d) in p.iter() {
        eprintln!("  {name:<width$}  {:>9.3} s", d.as_secs_f64());
        accounted += *d;
    }
    eprintln!(
        "  {:<width$}  {:>9.3} s",
        "other",
        total.saturating_sub(accounted).as_secs_f64()
    );
    eprintln!("  {:<width$}  {:>9.3} s", "total", total.as_secs_f64());
}
