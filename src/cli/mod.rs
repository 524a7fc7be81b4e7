//! The process's edges, shared by every layer and using none: the bad-input
//! error (exit 2), signals with the cleanup of children and temporary dirs,
//! progress on a TTY, `--timings`, and writing outputs (atomic files, devices
//! and FIFOs written through).

pub mod error;
pub mod interrupt;
pub mod output;
pub mod progress;
pub mod timings;
