//! Go release versions (`go1.26.8`), below both the toolchains that report
//! them and the fetcher that downloads them by number.

use std::fmt;

/// The oldest Go release whose compiler and runtime this tool models.
pub const MIN_MINOR: u32 = 21;

/// A Go release version such as go1.26.8 (`patch` is 0 for go1.21rc2-style).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct GoVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl GoVersion {
    /// Parses `go1.26.8`, `1.26`, `go1.21rc2` or `devel go1.27-abcdef ...`.
    pub fn parse(s: &str) -> Option<GoVersion> {
        let s = s.trim();
        let s = s.strip_prefix("devel ").unwrap_or(s);
        let s = s.strip_prefix("go").unwrap_or(s);
        let end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let mut parts = s[..end].split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        Some(GoVersion {
            major,
            minor,
            patch,
        })
    }

    /// `1.26`: the language version, as in go.mod.
    pub fn lang(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "go{}.{}.{}", self.major, self.minor, self.patch)
    }
}
