//! `check`'s reports for CI: SARIF 2.1.0 (one result per forbidden call, the
//! directive as a related location; URIs relative to the repository,
//! percent-encoded) and JUnit XML (a test case per directive and Go version;
//! code the build left out is skipped).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::json;

use crate::check::{Outcome, Status};
use crate::report::scan::uri_path;
use crate::report::xml_escape as xml;

/// The directory SARIF's URIs are relative to: the git repository holding
/// `dir`, else `dir`.
fn root(dir: &Path) -> PathBuf {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or(dir)
}

/// `path` relative to `root` as a URI reference, or None outside it.
fn uri(path: &Path, root: &Path) -> Option<String> {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let rel = path.strip_prefix(root).ok()?;
    Some(uri_path(&rel.to_string_lossy().replace('\\', "/")))
}

/// SARIF 2.1.0: a rule per directive kind, a result per forbidden call on
/// each Go version.
pub fn sarif(runs: &[(String, Vec<Outcome>)], dir: &Path, out: &mut dyn Write) -> Result<()> {
    let root = root(dir);
    let mut results = Vec::new();
    for (version, outcomes) in runs {
        for o in outcomes.iter().filter(|o| o.status == Status::Violated) {
            for v in &o.violations {
                let Some(at) = uri(&v.abs_file, &root) else {
                    continue;
                };
                let mut text = format!(
                    "{} {}: {} {} ({}) on {version}",
                    o.directive.name(),
                    o.function,
                    v.call,
                    if v.may { "may allocate" } else { "allocates" },
                    v.kind.name()
                );
                if let Some(c) = v.condition {
                    text.push_str(&format!(", {c}"));
                }
                text.push('.');
                let related: Vec<serde_json::Value> = uri(&o.abs_file, &root)
                    .map(|u| {
                        json!({
                            "id": 0,
                            "physicalLocation": {
                                "artifactLocation": { "uri": u, "uriBaseId": "%SRCROOT%" },
                                "region": { "startLine": o.line }
                            },
                            "message": { "text": format!("//ifacealloc:{} on {}", o.directive.name(), o.function) }
                        })
                    })
                    .into_iter()
                    .collect();
                results.push(json!({
                    "ruleId": o.directive.name(),
                    "level": if v.may { "warning" } else { "error" },
                    "message": { "text": text },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": at, "uriBaseId": "%SRCROOT%" },
                            "region": { "startLine": v.line }
                        }
                    }],
                    "relatedLocations": related,
                    "properties": { "go": version, "call": v.call, "kind": v.kind, "inlined": v.inlined }
                }));
            }
        }
    }
    let mut root_uri = format!(
        "file://{}",
        uri_path(&root.to_string_lossy().replace('\\', "/"))
    );
    if !root_uri.ends_with('/') {
        root_uri.push('/');
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ifacealloc check",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [
                    { "id": "noalloc", "shortDescription": { "text": "A function marked //ifacealloc:noalloc allocates" } },
                    { "id": "noifacealloc", "shortDescription": { "text": "A function marked //ifacealloc:noifacealloc stores a value in an interface that allocates" } }
                ]
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "uri": root_uri } },
            "results": results
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)?;
    Ok(())
}

/// JUnit XML: a test suite per Go version, a test case per directive.
pub fn junit(runs: &[(String, Vec<Outcome>)], out: &mut dyn Write) -> Result<()> {
    let total: usize = runs.iter().map(|(_, o)| o.len()).sum();
    let failed = |o: &[Outcome]| o.iter().filter(|o| o.status == Status::Violated).count();
    let failures: usize = runs.iter().map(|(_, o)| failed(o)).sum();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"ifacealloc check\" tests=\"{total}\" failures=\"{failures}\">"
    )?;
    for (version, outcomes) in runs {
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">",
            xml(version),
            outcomes.len(),
            failed(outcomes)
        )?;
        for o in outcomes {
            let name = format!("{} {}", o.directive.name(), o.function);
            let open = format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&o.file),
                xml(&name)
            );
            match o.status {
                Status::Held => writeln!(out, "{open}/>")?,
                Status::NotCompiled => writeln!(
                    out,
                    "{open}><skipped message=\"not compiled (build constraints)\"/></testcase>"
                )?,
                Status::Violated => {
                    let lines: Vec<String> = o
                        .violations
                        .iter()
                        .map(|v| {
                            format!(
                                "{}:{}: {} {} ({})",
                                v.file,
                                v.line,
                                v.call,
                                if v.may { "may allocate" } else { "allocates" },
                                v.kind.name()
                            )
                        })
                        .collect();
                    writeln!(
                        out,
                        "{open}><failure message=\"{}\">{}</failure></testcase>",
                        xml(&format!("{name} allocates")),
                        xml(&lines.join("\n"))
                    )?;
                }
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")?;
    Ok(())
}
