//! Parsers for the Go toolchain's own output formats.

pub mod asm;
pub mod bench;
pub mod chunks;
pub mod diag;
pub mod lines;
pub mod mapped;
