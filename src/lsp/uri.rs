//! `file://` URIs and paths, both ways: percent-encoded as RFC 3986 wants
//! (what `report::scan::uri_path` writes for SARIF), decoded byte by byte.

use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// The `file://` URI of an absolute path.
pub fn from_path(path: &Path) -> Option<Uri> {
    let text = format!(
        "file://{}",
        crate::report::scan::uri_path(&path.to_string_lossy())
    );
    text.parse().ok()
}

/// The path a `file://` URI names; None for other schemes.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file://host/path` is not a local file; `file:///path` is.
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let mut bytes = Vec::with_capacity(rest.len());
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            bytes.push(b[i]);
            i += 1;
        }
    }
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_odd_paths() {
        for p in [
            "/tmp/a b/c.go",
            "/tmp/(x)/ä#%.go",
            "/srv/go/src/net/http/server.go",
        ] {
            let uri = from_path(Path::new(p)).unwrap();
            assert!(!uri.as_str().contains(' '), "{}", uri.as_str());
            assert_eq!(to_path(&uri).unwrap(), PathBuf::from(p));
        }
        let remote: Uri = "file://host/share/a.go".parse().unwrap();
        assert_eq!(to_path(&remote), None);
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(to_path(&untitled), None);
    }
}
