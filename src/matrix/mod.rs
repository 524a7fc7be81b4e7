//! The measured matrix: a Go module generated from the model, built once with
//! the compiler's listing and run; the routine each case called, read from the
//! listing; and the results every `matrix` report renders.

pub mod classify;
pub mod compare;
pub mod generate;
pub mod measure;
pub mod results;
