//! Parsers for the Go toolchain's own output formats.

pub mod bench;
