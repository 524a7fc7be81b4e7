//! Subcommands: one file each. The CLI types live here; the work in each file.

pub mod bench2md;
pub mod matrix;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// ifacealloc: when does storing a Go value in an interface allocate, how many
/// bytes, and why — measured on your own Go toolchain.
#[derive(Debug, Parser)]
#[command(name = "ifacealloc", version, about, long_about = None)]
pub struct Cli {
    /// Go toolchain to use (default: $IFACEALLOC_GO, else `go` on PATH).
    #[arg(long, global = true, value_name = "PATH")]
    pub go: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure heap allocations and bytes of interface stores for a catalog of types.
    #[command(
        after_help = "Examples:\n  ifacealloc matrix\n  ifacealloc matrix --types int64,string,struct_int32_int64 --format markdown\n  ifacealloc matrix --catalog seed --format markdown -o seed.md\n  ifacealloc matrix --format json --keep ./matrix-module"
    )]
    Matrix(matrix::MatrixArgs),
    /// Turn `go test -bench -benchmem` output (text or -json) into a markdown table.
    #[command(
        after_help = "Examples:\n  go test -bench . -benchmem | ifacealloc bench2md\n  ifacealloc bench2md --no-echo bench.txt\n  go test -json -bench . -benchmem -run '^$' | ifacealloc bench2md --no-echo"
    )]
    Bench2md(bench2md::Bench2mdArgs),
}
