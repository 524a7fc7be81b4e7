//! Lab figures drawn from real runs: a lab's example program prints the
//! addresses it saw (`figure`, `slot` and `word` lines), the binary's own
//! symbol table (`go tool nm`) names what each address points into, and the
//! result is drawn as SVG. Nothing in a figure is made up: every arrow is an
//! address the program printed, every region a symbol or section the linker
//! laid out (or, for the stack, the program's own bounds check).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::go::toolchain::Toolchain;
use crate::report::xml_escape;

/// Where a data word points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Region {
    /// `runtime.staticuint64s[index]`.
    Staticuint64s(u64),
    Zerobase,
    /// `runtime.zeroVal[offset]`.
    ZeroVal,
    /// Read-only data in the binary (a constant's static copy, a type descriptor).
    ReadOnly,
    /// Writable static data of the binary (package variables).
    Static,
    Stack,
    Heap,
}

impl Region {
    /// The heading of this region's box in a figure.
    pub fn title(&self) -> &'static str {
        match self {
            Region::Staticuint64s(_) => "runtime.staticuint64s",
            Region::Zerobase => "runtime.zerobase",
            Region::ZeroVal => "runtime.zeroVal",
            Region::ReadOnly => "read-only data (in the binary)",
            Region::Static => "static data (in the binary)",
            Region::Stack => "stack (this goroutine's)",
            Region::Heap => "heap",
        }
    }

    fn order(&self) -> u8 {
        match self {
            Region::ReadOnly => 0,
            Region::Staticuint64s(_) => 1,
            Region::Zerobase => 2,
            Region::ZeroVal => 3,
            Region::Static => 4,
            Region::Heap => 5,
            Region::Stack => 6,
        }
    }
}

/// One interface value the program showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub label: String,
    pub go_type: String,
    pub type_word: u64,
    pub data_word: u64,
    /// Whether the type word points into read-only data, as type descriptors do.
    pub type_in_rodata: bool,
    pub region: Region,
}

/// One stack slot the program showed (lab 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub label: String,
    pub addr: u64,
    pub size: u64,
}

/// What a run of a lab's figure program saw.
#[derive(Debug, Clone)]
pub struct Figure {
    pub lab: u32,
    /// `go1.26.8 linux/amd64`.
    pub platform: String,
    pub values: Vec<Value>,
    pub slots: Vec<Slot>,
    /// What the program printed, whole.
    pub output: String,
}

/// The labs that have a figure, and the program each runs.
pub const FIGURES: &[(u32, &str, &[&str])] =
    &[(2, "./cmd/words", &["-figure"]), (3, "./cmd/frame", &[])];

/// A symbol of the binary: address, size, name.
#[derive(Debug, Clone)]
struct Symbol {
    addr: u64,
    size: u64,
    name: String,
}

/// The symbol table of `exe`, by address.
fn symbols(tc: &Toolchain, dir: &Path, exe: &Path) -> Result<Vec<Symbol>> {
    let out = tc.run(
        dir,
        &[
            "tool",
            "nm",
            "-size",
            "-sort",
            "address",
            &exe.to_string_lossy(),
        ],
    )?;
    let syms: Vec<Symbol> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let addr = u64::from_str_radix(f.next()?, 16).ok()?;
            let size = f.next()?.parse().ok()?;
            let _kind = f.next()?;
            let name = f.collect::<Vec<_>>().join(" ");
            Some(Symbol { addr, size, name })
        })
        .collect();
    Ok(syms)
}

/// Resolves what `addr` points into, from the symbol table; `on_stack` is the
/// program's own verdict for addresses outside the binary.
fn region_of(syms: &[Symbol], addr: u64, on_stack: bool) -> Region {
    let find = |name: &str| syms.iter().find(|s| s.name == name);
    let within = |s: &Symbol| addr >= s.addr && addr < s.addr + s.size.max(1);
    if let Some(s) = find("runtime.staticuint64s").filter(|s| within(s)) {
        return Region::Staticuint64s((addr - s.addr) / 8);
    }
    if find("runtime.zerobase").is_some_and(|s| s.addr == addr) {
        return Region::Zerobase;
    }
    if find("runtime.zeroVal").is_some_and(within) {
        return Region::ZeroVal;
    }
    let between = |from: &str, to: &str| match (find(from), find(to)) {
        (Some(a), Some(b)) => addr >= a.addr && addr < b.addr,
        _ => false,
    };
    if between("runtime.rodata", "runtime.erodata") || between("runtime.types", "runtime.etypes") {
        return Region::ReadOnly;
    }
    if between("runtime.noptrdata", "runtime.enoptrbss") || between("runtime.data", "runtime.ebss")
    {
        return Region::Static;
    }
    if on_stack {
        Region::Stack
    } else {
        Region::Heap
    }
}

/// One value the program printed, its words resolved; `on_stack` is the
/// program's verdict on the data word for addresses outside the binary.
fn value(
    syms: &[Symbol],
    label: &str,
    go_type: &str,
    typ: u64,
    data: u64,
    on_stack: impl Fn(u64) -> bool,
) -> Value {
    Value {
        label: label.to_string(),
        go_type: go_type.to_string(),
        type_word: typ,
        data_word: data,
        type_in_rodata: region_of(syms, typ, false) == Region::ReadOnly,
        region: region_of(syms, data, on_stack(data)),
    }
}

fn hex(s: &str) -> Result<u64> {
    u64::from_str_radix(s.trim_start_matches("0x"), 16)
        .with_context(|| format!("not an address: {s:?}"))
}

/// Builds lab `n`'s figure program in `dir` (the examples module), runs it,
/// and resolves what it printed against the binary's symbols.
pub fn collect(tc: &Toolchain, dir: &Path, n: u32) -> Result<Figure> {
    let Some(&(_, program, args)) = FIGURES.iter().find(|f| f.0 == n) else {
        let with: Vec<String> = FIGURES.iter().map(|f| f.0.to_string()).collect();
        return Err(crate::cli::error::UsageError::new(format!(
            "lab {n} has no figure; labs with figures: {}",
            with.join(", ")
        ))
        .into());
    };
    let exe = dir.join("figure-program");
    // A position-dependent executable: the addresses it prints are the ones
    // its symbol table lists.
    tc.run(
        dir,
        &[
            "build",
            "-buildmode=exe",
            "-o",
            &exe.to_string_lossy(),
            program,
        ],
    )?;
    let out =
        crate::cli::interrupt::output(std::process::Command::new(&exe).args(args).current_dir(dir))
            .with_context(|| format!("running {program}"))?;
    if !out.status.success() {
        bail!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    let syms = symbols(tc, dir, &exe)?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut fig = Figure {
        lab: n,
        platform: format!("{} {}/{}", tc.goversion, tc.goos, tc.goarch),
        values: Vec::new(),
        slots: Vec::new(),
        output: String::new(),
    };
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["figure", label, go_type, typ, data, where_] => {
                let on_stack = *where_ == "stack";
                fig.values
                    .push(value(&syms, label, go_type, hex(typ)?, hex(data)?, |_| {
                        on_stack
                    }));
            }
            ["word", label, go_type, typ, data] => {
                // In lab 3 the data word points at a slot of the frame.
                let slots = &fig.slots;
                let in_frame = |d: u64| slots.iter().any(|s| d >= s.addr && d < s.addr + s.size);
                let v = value(&syms, label, go_type, hex(typ)?, hex(data)?, in_frame);
                fig.values.push(v);
            }
            ["slot", label, addr, size] => fig.slots.push(Slot {
                label: label.to_string(),
                addr: hex(addr)?,
                size: size
                    .parse()
                    .with_context(|| format!("bad slot size in {line:?}"))?,
            }),
            ["moved", "true"] => {
                bail!("{program}: the stack moved while addresses were taken; run it again")
            }
            _ => {}
        }
    }
    if fig.values.is_empty() {
        bail!("{program} printed no values to draw");
    }
    fig.output = text;
    Ok(fig)
}

const FONT: &str = "font-family=\"ui-monospace,Menlo,Consolas,monospace\"";

/// Where one data word lands inside its region's box: the label, and the
/// place within the region (`[200]`, an address).
fn detail(v: &Value) -> String {
    match &v.region {
        Region::Staticuint64s(i) => format!("[{i}]  ← {}", v.label),
        Region::Heap | Region::Stack | Region::ReadOnly | Region::Static => {
            format!("{:#x}  ← {}", v.data_word, v.label)
        }
        _ => format!("← {}", v.label),
    }
}

/// Where a value's data word points, in words: `runtime.staticuint64s[200]`,
/// `heap`, `read-only data`.
pub fn place(v: &Value) -> String {
    match &v.region {
        Region::Staticuint64s(i) => format!("runtime.staticuint64s[{i}]"),
        Region::Zerobase => "runtime.zerobase".into(),
        Region::ZeroVal => "runtime.zeroVal".into(),
        Region::ReadOnly => "read-only data in the binary".into(),
        Region::Static => "static data in the binary".into(),
        Region::Heap => "the heap".into(),
        Region::Stack => "this goroutine's stack".into(),
    }
}

/// Draws a figure as a standalone SVG document.
pub fn svg(fig: &Figure) -> String {
    if fig.slots.is_empty() {
        words_svg(fig)
    } else {
        frame_svg(fig)
    }
}

/// Lab 2: each value's two words, and an arrow from its data word to the
/// region it points into.
fn words_svg(fig: &Figure) -> String {
    let row_h = 36.0;
    let top = 70.0;
    let (type_x, data_x, word_w) = (230.0, 400.0, 160.0);
    let region_x = 700.0;
    let region_w = 360.0;
    // Regions in a fixed order, each with the values that point into it.
    let mut regions: Vec<(Region, Vec<usize>)> = Vec::new();
    for (i, v) in fig.values.iter().enumerate() {
        let key = match v.region {
            Region::Staticuint64s(_) => Region::Staticuint64s(0),
            ref r => r.clone(),
        };
        match regions.iter_mut().find(|(r, _)| *r == key) {
            Some((_, list)) => list.push(i),
            None => regions.push((key, vec![i])),
        }
    }
    regions.sort_by_key(|(r, _)| r.order());
    let mut s = String::new();
    let mut arrows = String::new();
    let mut boxes = String::new();
    let mut y = top;
    let mut target_y = vec![0.0; fig.values.len()];
    for (r, list) in &regions {
        let h = 30.0 + 18.0 * list.len() as f64;
        let _ = writeln!(
            boxes,
            "<rect x=\"{region_x}\" y=\"{y}\" width=\"{region_w}\" height=\"{h}\" rx=\"6\" fill=\"{}\" stroke=\"#555\"/>",
            fill(r)
        );
        let _ = writeln!(
            boxes,
            "<text x=\"{}\" y=\"{}\" {FONT} font-size=\"12\" font-weight=\"bold\">{}</text>",
            region_x + 10.0,
            y + 18.0,
            xml_escape(r.title())
        );
        for (k, &i) in list.iter().enumerate() {
            let ly = y + 36.0 + 18.0 * k as f64;
            target_y[i] = ly - 4.0;
            let _ = writeln!(
                boxes,
                "<text x=\"{}\" y=\"{ly}\" {FONT} font-size=\"12\">{}</text>",
                region_x + 14.0,
                xml_escape(&detail(&fig.values[i]))
            );
        }
        y += h + 14.0;
    }
    let regions_bottom = y;
    for (i, v) in fig.values.iter().enumerate() {
        let ry = top + row_h * i as f64;
        let _ = writeln!(
            boxes,
            "<text x=\"10\" y=\"{}\" {FONT} font-size=\"12\">{}</text>",
            ry + 20.0,
            xml_escape(&v.label)
        );
        for (x, word, title) in [
            (type_x, v.type_word, format!("type: {}", v.go_type)),
            (data_x, v.data_word, format!("data: {:#x}", v.data_word)),
        ] {
            let _ = writeln!(
                boxes,
                "<rect x=\"{x}\" y=\"{ry}\" width=\"{word_w}\" height=\"28\" fill=\"#fff\" stroke=\"#333\"><title>{:#x}</title></rect>",
                word
            );
            let _ = writeln!(
                boxes,
                "<text x=\"{}\" y=\"{}\" {FONT} font-size=\"12\">{}</text>",
                x + 6.0,
                ry + 18.0,
                xml_escape(&title)
            );
        }
        let _ = writeln!(
            arrows,
            "<path d=\"M{} {} C{} {} {} {} {} {}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.4\" marker-end=\"url(#head)\"/>",
            data_x + word_w,
            ry + 14.0,
            data_x + word_w + 80.0,
            ry + 14.0,
            region_x - 80.0,
            target_y[i],
            region_x - 2.0,
            target_y[i],
            stroke(&v.region)
        );
    }
    let rows_bottom = top + row_h * fig.values.len() as f64;
    let height = rows_bottom.max(regions_bottom) + 40.0;
    let typed = fig.values.iter().all(|v| v.type_in_rodata);
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">",
        region_x + region_w + 20.0,
        region_x + region_w + 20.0
    );
    s.push_str("<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#333\"/></marker></defs>\n");
    let _ = writeln!(
        s,
        "<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\"/>\n<text x=\"10\" y=\"24\" {FONT} font-size=\"15\" font-weight=\"bold\">Lab {}: where each interface's data word pointed — one run on {}</text>",
        fig.lab,
        xml_escape(&fig.platform)
    );
    let _ = writeln!(
        s,
        "<text x=\"10\" y=\"46\" {FONT} font-size=\"12\" fill=\"#555\">type word → the type's descriptor ({}); data word → the value. Addresses: this run's; regions: the binary's symbol table.</text>",
        if typed { "in read-only data, for every value" } else { "not all in read-only data" }
    );
    let _ = writeln!(
        s,
        "<text x=\"{type_x}\" y=\"{}\" {FONT} font-size=\"12\" fill=\"#555\">type word</text><text x=\"{data_x}\" y=\"{}\" {FONT} font-size=\"12\" fill=\"#555\">data word</text>",
        top - 6.0,
        top - 6.0
    );
    s.push_str(&arrows);
    s.push_str(&boxes);
    s.push_str("</svg>\n");
    s
}

fn fill(r: &Region) -> &'static str {
    match r {
        Region::Heap => "#fde2e1",
        Region::Stack => "#e1f5e4",
        Region::ReadOnly => "#e6ecfa",
        _ => "#fff6d9",
    }
}

fn stroke(r: &Region) -> &'static str {
    match r {
        Region::Heap => "#c0392b",
        Region::Stack => "#2e8b57",
        _ => "#34495e",
    }
}

/// Lab 3: the frame of a function whose interface does not escape, highest
/// address at the top (stacks grow down), with the data word's arrow to the
/// copy it points at.
fn frame_svg(fig: &Figure) -> String {
    let mut slots = fig.slots.clone();
    slots.sort_by_key(|s| std::cmp::Reverse(s.addr));
    let (x, w) = (180.0, 260.0);
    let word_h = 30.0;
    let top = 80.0;
    let mut s = String::new();
    let mut body = String::new();
    let mut y = top;
    let mut data_cell = None;
    let mut copy_y = None;
    let value = fig.values.first();
    for (k, slot) in slots.iter().enumerate() {
        if k > 0 {
            let prev = &slots[k - 1];
            let gap = prev.addr.saturating_sub(slot.addr + slot.size);
            if gap > 0 {
                let _ = writeln!(
                    body,
                    "<text x=\"{}\" y=\"{}\" {FONT} font-size=\"12\" fill=\"#777\">… {gap} bytes of other slots …</text>",
                    x + 10.0,
                    y + 16.0
                );
                y += 24.0;
            }
        }
        let words = (slot.size / 8).max(1);
        for wd in (0..words).rev() {
            let addr = slot.addr + 8 * wd;
            let text = if words == 2 {
                if wd == 0 {
                    format!("{} — type word", slot.label)
                } else {
                    format!("{} — data word", slot.label)
                }
            } else {
                slot.label.clone()
            };
            let _ = writeln!(
                body,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{word_h}\" fill=\"#e1f5e4\" stroke=\"#2e8b57\"/>\n<text x=\"{}\" y=\"{}\" {FONT} font-size=\"12\">{}</text>\n<text x=\"10\" y=\"{}\" {FONT} font-size=\"12\" fill=\"#555\">{addr:#x}</text>",
                x + 8.0,
                y + 19.0,
                xml_escape(&text),
                y + 19.0
            );
            if words == 2 && wd == 1 {
                data_cell = Some(y + word_h / 2.0);
            }
            if value.is_some_and(|v| v.data_word == addr) && words == 1 {
                copy_y = Some(y + word_h / 2.0);
            }
            y += word_h;
        }
    }
    if let (Some(from), Some(to)) = (data_cell, copy_y) {
        let _ = writeln!(
            body,
            "<path d=\"M{} {from} C{} {from} {} {to} {} {to}\" fill=\"none\" stroke=\"#2e8b57\" stroke-width=\"1.6\" marker-end=\"url(#head)\"/>",
            x + w,
            x + w + 90.0,
            x + w + 90.0,
            x + w + 2.0
        );
    }
    let height = y + 60.0;
    let width = 940.0;
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    );
    s.push_str("<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#2e8b57\"/></marker></defs>\n");
    let _ = writeln!(
        s,
        "<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\"/>\n<text x=\"10\" y=\"24\" {FONT} font-size=\"15\" font-weight=\"bold\">Lab {}: a stack frame holding an interface that does not escape — one run on {}</text>",
        fig.lab,
        xml_escape(&fig.platform)
    );
    let where_ = value
        .map(|v| match v.region {
            Region::Stack => "into this frame: nothing was allocated",
            Region::Heap => "into the heap",
            _ => "outside the frame",
        })
        .unwrap_or("");
    let _ = writeln!(
        s,
        "<text x=\"10\" y=\"46\" {FONT} font-size=\"12\" fill=\"#555\">Higher addresses at the top (the stack grows down). The data word points {where_}.</text>"
    );
    s.push_str(&body);
    if let Some(v) = value {
        let _ = writeln!(
            s,
            "<text x=\"10\" y=\"{}\" {FONT} font-size=\"12\" fill=\"#555\">type word {:#x} → the {} descriptor ({}); data word {:#x}.</text>",
            y + 30.0,
            v.type_word,
            xml_escape(&v.go_type),
            if v.type_in_rodata { "read-only data" } else { "not in read-only data" },
            v.data_word
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Replaces every hexadecimal address with `0x…`: two runs draw the same
/// figure up to the addresses, which differ from run to run.
pub fn without_addresses(svg: &str) -> String {
    let re = regex::Regex::new(r"0x[0-9a-f]+").expect("static regex");
    re.replace_all(svg, "0x…").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syms() -> Vec<Symbol> {
        let s = |addr, size, name: &str| Symbol {
            addr,
            size,
            name: name.into(),
        };
        vec![
            s(0x4aa000, 0, "runtime.rodata"),
            s(0x4aa000, 0, "runtime.types"),
            s(0x4e2e20, 2048, "runtime.staticuint64s"),
            s(0x4e3622, 0, "runtime.etypes"),
            s(0x4e3622, 0, "runtime.erodata"),
            s(0x58f640, 0, "runtime.noptrdata"),
            s(0x5ba0a0, 8, "runtime.zerobase"),
            s(0x5bb9a0, 1024, "runtime.zeroVal"),
            s(0x5c0000, 0, "runtime.enoptrbss"),
        ]
    }

    #[test]
    fn regions_come_from_symbols() {
        let y = syms();
        assert_eq!(region_of(&y, 0x4e2e28, false), Region::Staticuint64s(1));
        assert_eq!(region_of(&y, 0x4e3460, false), Region::Staticuint64s(200));
        assert_eq!(region_of(&y, 0x5ba0a0, false), Region::Zerobase);
        assert_eq!(region_of(&y, 0x5bb9a0, false), Region::ZeroVal);
        assert_eq!(region_of(&y, 0x4dca50, false), Region::ReadOnly);
        assert_eq!(region_of(&y, 0x590000, false), Region::Static);
        assert_eq!(region_of(&y, 0xc000012345, false), Region::Heap);
        assert_eq!(region_of(&y, 0xc000012345, true), Region::Stack);
    }

    #[test]
    fn labels_are_escaped_and_addresses_normalised() {
        let fig = Figure {
            lab: 2,
            platform: "go1.26.8 linux/amd64".into(),
            values: vec![Value {
                label: "\"\" <&>".into(),
                go_type: "string".into(),
                type_word: 0x4b4f00,
                data_word: 0x5bb9a0,
                type_in_rodata: true,
                region: Region::ZeroVal,
            }],
            slots: vec![],
            output: String::new(),
        };
        let s = svg(&fig);
        assert!(s.contains("&quot;&quot; &lt;&amp;&gt;"), "{s}");
        assert!(!without_addresses(&s).contains("0x5bb9a0"));
    }
}
