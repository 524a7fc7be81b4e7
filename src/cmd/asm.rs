//! `ifacealloc asm FILE.go:FUNC`: a function's assembly with every interface
//! conversion annotated by its routine — the `go tool objdump` walk, automated.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::cli::error::UsageError;
use crate::cli::output;
use crate::go::toolchain::Toolchain;
use crate::scan::assembly::render;

#[derive(Debug, Args)]
pub struct AsmArgs {
    /// The function, as FILE.go:FUNC (FUNC may be Type.Method or (*Type).Method).
    #[arg(value_name = "FILE.go:FUNC")]
    pub target: String,

    /// Write the listing to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Compile for this GOARCH (e.g. arm64) instead of the host's.
    #[arg(long, value_name = "GOARCH")]
    pub arch: Option<String>,
}

/// Splits `path/file.go:Func` into the file and the function.
fn split_target(t: &str) -> Result<(PathBuf, String)> {
    let bad = || {
        UsageError::new(format!(
            "{t:?}: expected FILE.go:FUNC, e.g. ./pkg/store.go:Store or ./pkg/t.go:(*T).Put"
        ))
    };
    let i = t.find(".go:").ok_or_else(bad)?;
    let (file, func) = (&t[..i + 3], &t[i + 4..]);
    let ok = !func.is_empty()
        && func
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '(' | ')' | '*'));
    if !ok {
        return Err(bad().into());
    }
    Ok((PathBuf::from(file), func.to_string()))
}

pub fn run(args: &AsmArgs, go: Option<&str>) -> Result<()> {
    output::check(args.output.as_deref())?;
    if let Some(a) = &args.arch {
        if crate::model::gotype::Arch::by_name(a).is_none() {
            let all: Vec<&str> = crate::model::gotype::Arch::ALL
                .iter()
                .map(|a| a.name)
                .collect();
            return Err(UsageError::new(format!(
                "--arch: unknown GOARCH {a:?}; choose from {}",
                all.join(", ")
            ))
            .into());
        }
    }
    let (file, func) = split_target(&args.target)?;
    if !file.is_file() {
        return Err(UsageError::new(format!(
            "{}: no such Go file; give the path of the file that defines {func}",
            file.display()
        ))
        .into());
    }
    let tc = Toolchain::single(go, "asm")?;
    let text = render(&tc, &file, &func, args.arch.as_deref())?;
    output::emit(args.output.as_deref(), |out| {
        out.write_all(text.as_bytes())?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            split_target("a/b.go:Store").unwrap(),
            (PathBuf::from("a/b.go"), "Store".to_string())
        );
        assert_eq!(split_target("t.go:(*T).M").unwrap().1, "(*T).M");
        assert!(split_target("a/b.go").is_err());
        assert!(split_target("a.go:F; rm -rf").is_err());
    }
}
