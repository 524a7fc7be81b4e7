//! Comparing benchmark runs as benchstat does, with allocation budgets:
//! `stats` (benchstat's statistics), `units` (its units and scaling),
//! `table` (its grouping into tables of cells), `budget` (allowed
//! allocs/op and B/op per benchmark). Reads `parse::bench`'s samples.

pub mod stats;
pub mod table;
pub mod units;
