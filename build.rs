//! Records the git commit ifacealloc is built from, for `--version`
//! (`unknown` outside a git checkout, e.g. from a crates tarball).

fn main() {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=IFACEALLOC_COMMIT={commit}");
    // Run again when HEAD moves: a checkout changes .git/HEAD, a commit the
    // branch's ref (or packed-refs).
    let head = std::path::Path::new(".git/HEAD");
    if head.exists() {
        println!("cargo:rerun-if-changed=.git/HEAD");
        println!("cargo:rerun-if-changed=.git/packed-refs");
        if let Ok(text) = std::fs::read_to_string(head) {
            if let Some(r) = text.trim().strip_prefix("ref: ") {
                println!("cargo:rerun-if-changed=.git/{r}");
            }
        }
    } else {
        println!("cargo:rerun-if-changed=build.rs");
    }
}
