//! JSON: the whole [`Matrix`], pretty-printed. Field names: docs/json.md.

use std::io::Write;

use anyhow::Result;

use super::Exporter;
use crate::matrix::results::Matrix;

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, m: &Matrix, out: &mut dyn Write) -> Result<()> {
        serde_json::to_writer_pretty(&mut *out, m)?;
        writeln!(out)?;
        Ok(())
    }
}
