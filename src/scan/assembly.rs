//! A function's assembly with every interface conversion annotated by its
//! routine — the `go tool objdump` walk, automated (`asm`, the labs, the
//! language server's "show assembly").

use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::error::UsageError;
use crate::go::toolchain::Toolchain;
use crate::model::routine::Routine;
use crate::parse::asm::{self, ListedInstr};

/// What each routine means, for the annotation.
pub fn meaning(r: Routine) -> &'static str {
    match r {
        Routine::Direct => "the value is its own data word",
        Routine::Zerobase => "zero-sized: &runtime.zerobase, no allocation",
        Routine::Staticuint64s => "&runtime.staticuint64s[v], no allocation",
        Routine::ZeroVal => "&runtime.zeroVal, no allocation",
        Routine::Readonly => "read-only data, no allocation",
        Routine::Stack => "a stack temporary, no allocation",
        Routine::ConvT16 | Routine::ConvT32 | Routine::ConvT64 => {
            "allocates unless the value's bits are < 256"
        }
        Routine::ConvTstring => "allocates unless the string is \"\"",
        Routine::ConvTslice => "allocates unless the slice is nil",
        Routine::ConvTnoptr | Routine::ConvT => "always allocates",
    }
}

/// Builds the file's package with -S and renders FUNC's listing.
pub fn render(tc: &Toolchain, file: &Path, func: &str, goarch: Option<&str>) -> Result<String> {
    let file = file
        .canonicalize()
        .with_context(|| format!("resolving {}", file.display()))?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let is_test = file.to_string_lossy().ends_with("_test.go");
    let tmp = crate::cli::interrupt::temp_dir("ifacealloc-asm-")?;
    let out_path = tmp.path().join("bin");
    let out_str = out_path.to_string_lossy().to_string();
    let args: Vec<&str> = if is_test {
        vec!["test", "-c", "-o", &out_str, "-gcflags=-S", "."]
    } else {
        vec!["build", "-o", &out_str, "-gcflags=-S", "."]
    };
    let mut cmd = tc.user_command(dir);
    cmd.args(&args);
    if let Some(a) = goarch {
        cmd.env("GOARCH", a)
            .env("GOOS", if a == "wasm" { "wasip1" } else { "linux" });
    }
    let out = crate::cli::interrupt::output(&mut cmd).context("running go build")?;
    if !out.status.success() {
        return Err(crate::go::command::GoCommandFailed::build(&args, &out.stderr).into());
    }
    let funcs = asm::function_listing(&out.stderr[..], func)?;
    let base = file
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    // The function defined in this file: one, or one per instantiation of a
    // generic function.
    let defined_here: Vec<&(String, Vec<ListedInstr>)> = funcs
        .iter()
        .filter(|(_, is)| {
            is.first()
                .is_some_and(|i| asm::same_file(&i.instr.file, &base))
        })
        .collect();
    if defined_here.is_empty() {
        let elsewhere = funcs
            .iter()
            .filter_map(|(_, is)| is.first())
            .map(|i| {
                Path::new(&i.instr.file)
                    .file_name()
                    .map(|f| f.to_string_lossy().to_string())
                    .unwrap_or_default()
            })
            .next();
        return Err(UsageError::new(match elsewhere {
            Some(other) => format!(
                "{}: {func} is not defined in this file but in {other}; give {other}:{func}",
                file.display()
            ),
            None => format!(
                "{}: no function {func} in the listing; spell it as in the source ((*T).M for a pointer method), and note that a generic function has code only where it is instantiated",
                file.display()
            ),
        })
        .into());
    }
    let source = std::fs::read_to_string(&file).unwrap_or_default();
    let src_lines: Vec<&str> = source.lines().collect();
    let platform = format!(
        "{} {}/{}",
        tc.goversion,
        if goarch.is_some() {
            "linux"
        } else {
            tc.goos.as_str()
        },
        goarch.unwrap_or(&tc.goarch)
    );
    let mut s = String::new();
    let mut found: Vec<Routine> = Vec::new();
    for (sym, instrs) in defined_here {
        render_function(
            sym, instrs, &base, &src_lines, &platform, &mut s, &mut found,
        );
    }
    let names: Vec<&str> = found.iter().map(|r| r.name()).collect();
    s.push_str(&format!(
        "conversions through the runtime: {}{}\n",
        found.len(),
        if names.is_empty() {
            String::new()
        } else {
            format!(" ({})", names.join(", "))
        }
    ));
    Ok(s)
}

/// Appends one function's annotated listing to `s`, and its runtime routines to `found`.
fn render_function(
    sym: &str,
    instrs: &[ListedInstr],
    base: &str,
    src_lines: &[&str],
    platform: &str,
    s: &mut String,
    found: &mut Vec<Routine>,
) {
    let (first, last) = instrs.iter().fold((u32::MAX, 0), |(a, b), i| {
        if asm::same_file(&i.instr.file, base) {
            (a.min(i.instr.line), b.max(i.instr.line))
        } else {
            (a, b)
        }
    });
    s.push_str(&format!("TEXT {sym} ({base}:{first}-{last}), {platform}\n"));
    let mut last_pos: Option<(String, u32)> = None;
    for ListedInstr { pc, instr } in instrs {
        let pos = (instr.file.clone(), instr.line);
        if last_pos.as_ref() != Some(&pos) {
            let fname = Path::new(&instr.file)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            let code = if asm::same_file(&instr.file, base) {
                src_lines
                    .get(instr.line as usize - 1)
                    .map(|l| l.trim())
                    .unwrap_or("")
            } else {
                "(inlined)"
            };
            s.push_str(&format!("{fname}:{}\t{code}\n", instr.line));
            last_pos = Some(pos);
        }
        let mut line = format!("\t{pc}\t{}\t{}", instr.op, instr.args);
        if let Some(r) = asm::evidence_of(&instr.op, &instr.args) {
            // Stack and read-only evidence is only meaningful at a conversion;
            // runtime routines and globals always are.
            if r.runtime_symbol().is_some() {
                line.push_str(&format!("\t<- {r}: {}", meaning(r)));
                found.push(r);
            }
        }
        s.push_str(&line);
        s.push('\n');
    }
}
