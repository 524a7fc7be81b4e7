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
            for f in o.findings() {
                let Some(at) = uri(f.abs_file, &root) else {
                    continue;
                };
                let text = format!("{} {}: {} on {version}.", o.label(), o.function, f.text);
                let related: Vec<serde_json::Value> = uri(&o.abs_file, &root)
                    .map(|u| {
                        json!({
                            "id": 0,
                            "physicalLocation": {
                                "artifactLocation": { "uri": u, "uriBaseId": "%SRCROOT%" },
                                "region": { "startLine": o.line }
                            },
                            "message": { "text": format!("//{} on {}", o.directive.written(), o.function) }
                        })
                    })
                    .into_iter()
                    .collect();
                let mut region = json!({ "startLine": f.line });
                if let Some(c) = f.column {
                    region["startColumn"] = json!(c);
                }
                results.push(json!({
                    "ruleId": o.label(),
                    "level": if f.may { "warning" } else { "error" },
                    "message": { "text": text },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": at, "uriBaseId": "%SRCROOT%" },
                            "region": region
                        }
                    }],
                    "relatedLocations": related,
                    "properties": { "go": version }
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
                    { "id": "noifacealloc", "shortDescription": { "text": "A function marked //ifacealloc:noifacealloc stores a value in an interface that allocates" } },
                    { "id": "gcassert:inline", "shortDescription": { "text": "A call marked //gcassert:inline (or a call of a function so marked) is not inlined" } },
                    { "id": "gcassert:bce", "shortDescription": { "text": "A line marked //gcassert:bce keeps a bounds check" } },
                    { "id": "gcassert:noescape", "shortDescription": { "text": "Something on a line marked //gcassert:noescape escapes to the heap or leaks" } },
                    { "id": "lem", "shortDescription": { "text": "A lem claim (lem.ID.m=, alloc=, bytes=) does not hold" } }
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
            let name = format!("{} {}", o.label(), o.function);
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
                Status::Removed => writeln!(
                    out,
                    "{open}><skipped message=\"removed by the compiler as dead code\"/></testcase>"
                )?,
                Status::Violated => {
                    let lines: Vec<String> = o
                        .findings()
                        .iter()
                        .map(|f| format!("{}:{}: {}", f.file, f.line, f.text))
                        .collect();
                    let summary = if o.directive.is_gcassert() {
                        format!("{name} fails")
                    } else {
                        format!("{name} allocates")
                    };
                    writeln!(
                        out,
                        "{open}><failure message=\"{}\">{}</failure></testcase>",
                        xml(&summary),
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
