//! What ifacealloc knows about Go, without running it: basic types and each
//! GOARCH's facts, constant expressions, the type model and its layouts,
//! `--define`/`--from` type definitions, values, Go release numbers, the runtime
//! routines, the per-version rules that predict which routine a conversion
//! calls, scenarios, and the built-in catalog.

pub mod basic;
pub mod catalog;
pub mod constant;
pub mod gotype;
pub mod goversion;
pub mod routine;
pub mod rules;
pub mod scenario;
pub mod typedefs;
pub mod value;

/// Whether the input is not Go, or past one of ifacealloc's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Not valid Go text (or not something ifacealloc reads).
    Invalid,
    /// Past a limit of ifacealloc's (length, depth, expanded size): such
    /// input is not passed on to go/types either, whose checks take time
    /// exponential in some of it.
    PastLimit,
}
