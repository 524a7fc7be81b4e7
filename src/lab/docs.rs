//! Docs that cannot go stale: every output shown in `docs/labs` sits in a
//! block marked `<!-- output of: ifacealloc lab run N -->` (or, for what
//! differs between releases, `<!-- output of: ifacealloc --go A,B lab run N -->`),
//! and is a run of consecutive lines of that lab's live output. `lab docs` compares each block
//! with a live run (`--write` refreshes them). What differs between two runs
//! on one machine — addresses, timings, iteration counts — is masked on both
//! sides before comparing; everything else must match.

use regex::Regex;

/// One marked output block of a doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The lab whose `lab run` output the block shows.
    pub lab: u32,
    /// The `--go` versions it was run on, when not the local Go.
    pub go: Option<String>,
    /// Line index (0-based) of the block's first content line in the doc.
    pub first: usize,
    pub lines: Vec<String>,
}

/// The run a block shows: `(lab, --go spec)`.
pub type Run = (u32, Option<String>);

/// The run a marker line names, if it is one.
fn marker(line: &str) -> Option<Run> {
    let rest = line
        .trim()
        .strip_prefix("<!-- output of: ifacealloc ")?
        .strip_suffix("-->")?
        .trim();
    let (go, rest) = match rest.strip_prefix("--go ") {
        Some(r) => {
            let (spec, rest) = r.split_once(' ')?;
            let ok = spec
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b',');
            (Some(spec.to_string()).filter(|_| ok)?.into(), rest)
        }
        None => (None, rest),
    };
    let lab = rest.strip_prefix("lab run ")?.trim().parse().ok()?;
    Some((lab, go))
}

/// A command a docs page shows with its output: `<!-- output of: ifacealloc
/// ARGS -->` above a fenced block, ARGS split at spaces (single quotes keep a
/// space in an argument); the block may start with a `$ ` line showing the
/// command. `lab run N` markers are the labs' and not examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub args: Vec<String>,
    /// Line index (0-based) of the block's first content line in the doc.
    pub first: usize,
    pub lines: Vec<String>,
}

/// The arguments of an example marker line, if it is one.
fn example_marker(line: &str) -> Option<Vec<String>> {
    let rest = line
        .trim()
        .strip_prefix("<!-- output of: ifacealloc ")?
        .strip_suffix("-->")?
        .trim();
    if marker(line).is_some() {
        return None;
    }
    let mut args = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in rest.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    args.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            c => {
                cur.push(c);
                started = true;
            }
        }
    }
    if quoted {
        return None;
    }
    if started {
        args.push(cur);
    }
    Some(args)
}

/// The marked command examples of a docs page, in order.
pub fn examples(doc: &str) -> Vec<Example> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let (Some(args), Some(fence)) = (example_marker(l), lines.get(i + 1)) else {
            continue;
        };
        if !fence.starts_with("```") {
            continue;
        }
        let mut first = i + 2;
        let end = (first..lines.len())
            .find(|&e| lines[e].starts_with("```"))
            .unwrap_or(lines.len());
        // A `$ ifacealloc …` line shows the reader the command; the output
        // follows it.
        if first < end && lines[first].starts_with("$ ") {
            first += 1;
        }
        out.push(Example {
            args,
            first,
            lines: lines[first..end].iter().map(|s| s.to_string()).collect(),
        });
    }
    out
}

/// Whether an example's block is a run of consecutive lines of `live` (the
/// command's output), masked as lab outputs are.
pub fn example_holds(example: &Example, live: &str) -> bool {
    let block = Block {
        lab: 0,
        go: None,
        first: example.first,
        lines: example.lines.clone(),
    };
    find(&block, live).is_some()
}

/// The marked blocks of a doc, in order.
pub fn blocks(doc: &str) -> Vec<Block> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let (Some((lab, go)), Some(fence)) = (marker(lines[i]), lines.get(i + 1)) {
            if fence.starts_with("```") {
                let first = i + 2;
                let mut end = first;
                while end < lines.len() && !lines[end].starts_with("```") {
                    end += 1;
                }
                out.push(Block {
                    lab,
                    go,
                    first,
                    lines: lines[first..end].iter().map(|s| s.to_string()).collect(),
                });
                i = end;
            }
        }
        i += 1;
    }
    out
}

/// A line with what varies between runs masked: addresses, durations,
/// iteration counts and ns/op, and the counts the impact lab logs.
pub fn normalize(line: &str) -> String {
    static RULES: std::sync::OnceLock<Vec<(Regex, &'static str)>> = std::sync::OnceLock::new();
    let rules = RULES.get_or_init(|| {
        [
            (r"0x[0-9a-f]+", "0x…"),
            (r"\(\d+\.\d+s\)", "(…s)"),
            (r"\t\d+\.\d+s$", "\t…s"),
            // The -P suffix is GOMAXPROCS: the machine's, not the lab's.
            (
                r"(?m)^(Benchmark\S+?)(-\d+)?\s+\d+\s+[\d.]+ ns/op",
                "$1 … ns/op",
            ),
            // The runtime may allocate a block of its own during a loop that
            // allocates nothing (ReadMemStats, a timer): counts are masked,
            // the test asserts their bounds.
            (r"\b\d+ (mallocs|bytes)\b", "… $1"),
            (r"\b[1-9]\d* GC cycles\b", "… GC cycles"),
            (r"/tmp/ifacealloc-lab-[A-Za-z0-9]+/", "…/"),
        ]
        .into_iter()
        .map(|(re, to)| (Regex::new(re).expect("static regex"), to))
        .collect()
    });
    let mut s = line.trim_end().to_string();
    for (re, to) in rules {
        s = re.replace_all(&s, *to).into_owned();
    }
    s
}

/// Where `block` sits in `live` (the lab's output): the index of its first
/// line, if the block is a run of consecutive lines of it, masked.
pub fn find(block: &Block, live: &str) -> Option<usize> {
    let live: Vec<String> = live.lines().map(normalize).collect();
    let want: Vec<String> = block.lines.iter().map(|l| normalize(l)).collect();
    if want.is_empty() {
        return None;
    }
    (0..live.len().saturating_sub(want.len() - 1)).find(|&i| live[i..i + want.len()] == want[..])
}

/// What is stale in `doc`, one message per block, given each lab's live output.
pub fn stale(doc: &str, live: &dyn Fn(&Run) -> String) -> Vec<String> {
    blocks(doc)
        .into_iter()
        .filter(|b| find(b, &live(&(b.lab, b.go.clone()))).is_none())
        .map(|b| {
            let first = b.lines.first().map(String::as_str).unwrap_or("");
            format!(
                "line {}: the output of `lab run {}` shown from {first:?} ({} lines) is not what a live run prints",
                b.first + 1,
                b.lab,
                b.lines.len()
            )
        })
        .collect()
}

/// `doc` with every block replaced by the live lines that start where the
/// block's first line matches (and as many lines as the block had). Blocks
/// whose first line is no longer printed are left alone and named in the error.
pub fn refresh(doc: &str, live: &dyn Fn(&Run) -> String) -> Result<String, String> {
    let mut lines: Vec<String> = doc.lines().map(str::to_string).collect();
    for b in blocks(doc).into_iter().rev() {
        let out = live(&(b.lab, b.go.clone()));
        let out: Vec<&str> = out.lines().collect();
        let head = b.lines.first().map(|l| normalize(l)).unwrap_or_default();
        let Some(start) = out.iter().position(|l| normalize(l) == head) else {
            return Err(format!(
                "line {}: `lab run {}` no longer prints {:?}; edit the block by hand",
                b.first + 1,
                b.lab,
                b.lines.first().map(String::as_str).unwrap_or("")
            ));
        };
        let take = b.lines.len().min(out.len() - start);
        let fresh: Vec<String> = out[start..start + take]
            .iter()
            .map(|l| l.trim_end().to_string())
            .collect();
        lines.splice(b.first..b.first + b.lines.len(), fresh);
    }
    let mut s = lines.join("\n");
    if doc.ends_with('\n') {
        s.push('\n');
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Lab\n\n<!-- output of: ifacealloc lab run 2 -->\n```text\nb 0x10\nc (0.00s)\n```\nafter\n";

    #[test]
    fn finds_blocks_and_compares_masked() {
        let bs = blocks(DOC);
        assert_eq!(bs.len(), 1);
        assert_eq!(bs[0].lab, 2);
        assert_eq!(bs[0].go, None);
        assert_eq!(
            marker("<!-- output of: ifacealloc --go 1.21.13,1.26.8 lab run 2 -->"),
            Some((2, Some("1.21.13,1.26.8".to_string())))
        );
        assert_eq!(
            marker("<!-- output of: ifacealloc --go $(rm) lab run 2 -->"),
            None
        );
        assert_eq!(bs[0].lines, vec!["b 0x10", "c (0.00s)"]);
        let live = |_: &Run| "a\nb 0xfeed\nc (1.25s)\nd\n".to_string();
        assert!(stale(DOC, &live).is_empty());
        let changed = |_: &Run| "a\nb 0xfeed\nC (1.25s)\n".to_string();
        assert_eq!(stale(DOC, &changed).len(), 1);
        let refreshed = refresh(DOC, &changed).unwrap();
        assert!(
            refreshed.contains("b 0xfeed\nC (1.25s)\n```\nafter\n"),
            "{refreshed}"
        );
        assert!(refresh(DOC, &|_: &Run| "nothing".to_string()).is_err());
    }

    #[test]
    fn reads_command_examples_but_not_lab_runs() {
        let doc = "<!-- output of: ifacealloc explain 'struct{ a int }' --arch 386 -->\n```text\n$ ifacealloc explain 'struct{ a int }' --arch 386\ntype x\n```\n<!-- output of: ifacealloc lab run 2 -->\n```\ny\n```\n";
        let ex = examples(doc);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].args, ["explain", "struct{ a int }", "--arch", "386"]);
        assert_eq!(ex[0].lines, ["type x"]);
        assert!(example_holds(&ex[0], "a\ntype x\n"));
        assert!(!example_holds(&ex[0], "type y\n"));
        assert_eq!(
            example_marker("<!-- output of: ifacealloc scan 'open -->"),
            None
        );
    }

    #[test]
    fn masks_what_varies_between_runs() {
        assert_eq!(
            normalize("BenchmarkX-2   \t 1000000\t  12.5 ns/op\t 8 B/op\t 1 allocs/op"),
            "BenchmarkX … ns/op\t 8 B/op\t 1 allocs/op"
        );
        assert_eq!(
            normalize("ok  \texample.com/labs/impact\t0.051s"),
            "ok  \texample.com/labs/impact\t…s"
        );
        assert_eq!(
            normalize("7 mallocs, 0 bytes, 8 GC cycles"),
            "… mallocs, … bytes, … GC cycles"
        );
        assert_eq!(normalize("0 GC cycles"), "0 GC cycles");
    }
}
