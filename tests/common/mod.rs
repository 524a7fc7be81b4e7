//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The local `go`, then every go binary listed in IFACEALLOC_TEST_GOS
/// (colon-separated; `.ci/run` installs Go 1.21.13 and 1.25.5 there).
pub fn toolchains() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("go")];
    if let Ok(list) = std::env::var("IFACEALLOC_TEST_GOS") {
        out.extend(list.split(':').filter(|s| !s.is_empty()).map(PathBuf::from));
    }
    out
}
