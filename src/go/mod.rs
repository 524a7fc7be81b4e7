//! The Go toolchain as ifacealloc runs it: finding and fetching toolchains
//! (GOTOOLCHAIN's way), the environment of each command (the user's for the
//! user's packages, a fixed one for generated code), helper programs built once,
//! `go list`, go/types for the types only it can read, links to Go's sources,
//! and a failed command's error.

pub mod cacheprog;
pub mod command;
pub mod fetch;
pub mod links;
pub mod list;
pub mod toolchain;
pub mod typecheck;
