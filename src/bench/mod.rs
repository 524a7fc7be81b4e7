//! Comparing benchmark runs as benchstat does, with allocation budgets:
//! `stats` (benchstat's statistics), `units` (its units and scaling),
//! `table` (its grouping into tables of cells), `budget` (allowed
//! allocs/op and B/op per benchmark), `explain` (the conversion sites a
//! change added, joined to the benchmarks whose allocs/op rose). Reads
//! `parse::bench`'s samples and `scan`'s sites.

pub mod budget;
pub mod explain;
pub mod stats;
pub mod table;
pub mod units;
