//! The labs: their documents (commands and expected output, checked against a
//! run) and their figures (drawn from a run's own results).

pub mod docs;
pub mod figure;
