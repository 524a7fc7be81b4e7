//! ifacealloc: when storing a Go value in an interface allocates, how many
//! bytes, and why.
//!
//! The folders are the layers, lowest first; a layer uses only itself and the
//! layers before it (docs/architecture.md draws the flow):
//!
//! - [`cli`]: the process's edges every layer shares — bad-input errors,
//!   signals and temporary dirs, progress, timings, output files;
//! - [`model`]: Go's types, constants and values, the runtime routines, the
//!   per-version rules that predict them, scenarios and the built-in catalog;
//! - [`parse`]: the Go toolchain's output formats, streamed;
//! - [`go`]: finding, fetching and running Go toolchains, `go list`, go/types;
//! - [`matrix`]: generate a Go module, build and run it, classify the results;
//! - [`scan`], [`lem`] and [`check`]: conversions in the user's code, lem's
//!   claims, directives on the compiled code;
//! - [`report`]: one file per output format;
//! - [`lab`]: the labs' documents and figures;
//! - [`cmd`]: one file per subcommand.

pub mod bench;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod go;
pub mod lab;
pub mod lem;
pub mod lsp;
pub mod matrix;
pub mod model;
pub mod parse;
pub mod report;
pub mod scan;
