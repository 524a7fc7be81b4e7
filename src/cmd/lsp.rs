//! `ifacealloc lsp`: the language server on stdio (docs/editors.md).

use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct LspArgs {}

pub fn run(_args: &LspArgs, go: Option<&str>) -> Result<()> {
    crate::lsp::serve(go)
}
