//! `scan` output: text grouped by file, JSON, markdown and SARIF 2.1.0.

use std::io::Write;

use anyhow::Result;
use serde_json::json;

use super::{Site, Verdict};
use crate::model::fmt_num;
use crate::report::markdown_cell as md;

/// Output format of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    Markdown,
    Sarif,
}

/// `N sites: A always, C conditional, V never`.
pub fn summary(sites: &[Site]) -> String {
    let count = |v| sites.iter().filter(|s| s.verdict == v).count();
    format!(
        "{} sites: {} always, {} conditional, {} never",
        sites.len(),
        count(Verdict::Always),
        count(Verdict::Conditional),
        count(Verdict::Never)
    )
}

fn bytes_cell(s: &Site) -> String {
    if s.verdict == Verdict::Never {
        "-".to_string()
    } else {
        format!("{} B", fmt_num(s.bytes))
    }
}

pub fn write(format: ScanFormat, sites: &[Site], out: &mut dyn Write) -> Result<()> {
    match format {
        ScanFormat::Text => {
            let mut last = "";
            for s in sites {
                if s.file != last {
                    writeln!(out, "{}", s.file)?;
                    last = &s.file;
                }
                let mut line = format!(
                    "  {}:{}\t{:<11}\t{:>7}\t{:<13}\t{}\tin {}",
                    s.line,
                    s.column,
                    s.verdict.name(),
                    bytes_cell(s),
                    s.routine.name(),
                    s.type_name,
                    s.function
                );
                if let Some(c) = s.condition {
                    line.push_str(&format!(" ({c})"));
                }
                if !s.inlined_into.is_empty() {
                    line.push_str(&format!(" [inlined into {}]", s.inlined_into.join(", ")));
                }
                writeln!(out, "{line}")?;
            }
            writeln!(out, "{}", summary(sites))?;
        }
        ScanFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, sites)?;
            writeln!(out)?;
        }
        ScanFormat::Markdown => {
            writeln!(
                out,
                "| Location | Function | Type | Routine | Verdict | Bytes |"
            )?;
            writeln!(out, "|:--|:--|:--|:--|:--|--:|")?;
            for s in sites {
                writeln!(
                    out,
                    "| {}:{}:{} | `{}` | `{}` | {} | {} | {} |",
                    md(&s.file),
                    s.line,
                    s.column,
                    md(&s.function),
                    md(&s.type_name),
                    s.routine,
                    s.verdict.name(),
                    bytes_cell(s)
                )?;
            }
            writeln!(out, "\n{}", summary(sites))?;
        }
        ScanFormat::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &sarif(sites))?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// A SARIF 2.1.0 log: one rule per verdict, one result per site.
pub fn sarif(sites: &[Site]) -> serde_json::Value {
    let rules = [
        (
            "iface-alloc-always",
            "Interface conversion always allocates",
            "convT/convTnoptr copy the value to the heap on every conversion.",
            "warning",
        ),
        (
            "iface-alloc-conditional",
            "Interface conversion allocates for some values",
            "convT16/32/64, convTstring and convTslice allocate unless the value is small, empty or nil.",
            "note",
        ),
        (
            "iface-alloc-never",
            "Interface conversion never allocates",
            "The data word is the value itself, a runtime global, read-only data or a stack temporary.",
            "none",
        ),
    ];
    let rule_index = |v: Verdict| match v {
        Verdict::Always => 0,
        Verdict::Conditional => 1,
        Verdict::Never => 2,
    };
    let results: Vec<serde_json::Value> = sites
        .iter()
        .map(|s| {
            let i = rule_index(s.verdict);
            let mut text = format!(
                "Storing {} in an interface: {} via runtime path {}",
                s.type_name,
                match s.verdict {
                    Verdict::Always => format!("allocates {} B", fmt_num(s.bytes)),
                    Verdict::Conditional => format!(
                        "allocates {} B {}",
                        fmt_num(s.bytes),
                        s.condition.unwrap_or("")
                    ),
                    Verdict::Never => "no allocation".to_string(),
                },
                s.routine
            );
            if !s.inlined_into.is_empty() {
                text.push_str(&format!(" (inlined into {})", s.inlined_into.join(", ")));
            }
            text.push('.');
            json!({
                "ruleId": rules[i].0,
                "ruleIndex": i,
                "level": rules[i].3,
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": s.file.replace('\\', "/"), "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": s.line, "startColumn": s.column }
                    },
                    "logicalLocations": [{ "fullyQualifiedName": s.function, "kind": "function" }]
                }],
                "properties": {
                    "routine": s.routine.name(),
                    "type": s.type_name,
                    "bytes": s.bytes
                }
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ifacealloc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/golang/go/blob/master/src/runtime/iface.go",
                    "rules": rules.iter().map(|(id, short, full, level)| json!({
                        "id": id,
                        "name": id,
                        "shortDescription": { "text": short },
                        "fullDescription": { "text": full },
                        "defaultConfiguration": { "level": level }
                    })).collect::<Vec<_>>()
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The module root" } } },
            "results": results
        }]
    })
}
