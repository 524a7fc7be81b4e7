//! ifacealloc: when storing a Go value in an interface allocates, how many
//! bytes, and why.
//!
//! The flow follows the module layout: [`toolchain`] finds Go; [`catalog`] and
//! [`gotype`] describe what to measure; [`generate`] writes a Go module;
//! [`measure`] builds and runs it; [`parse`] reads Go's own output formats;
//! [`model`] holds results; [`report`] renders them; [`cmd`] wires subcommands.

pub mod basic;
pub mod catalog;
pub mod classify;
pub mod cmd;
pub mod constant;
pub mod error;
pub mod generate;
pub mod gofetch;
pub mod golinks;
pub mod golist;
pub mod gotype;
pub mod goversion;
pub mod interrupt;
pub mod labdocs;
pub mod labfigure;
pub mod lem;
pub mod mapped;
pub mod measure;
pub mod model;
pub mod output;
pub mod parse;
pub mod progress;
pub mod report;
pub mod routine;
pub mod rules;
pub mod scan;
pub mod scenario;
pub mod timings;
pub mod toolchain;
pub mod typecheck;
pub mod typedefs;
pub mod value;
