//! Any Go toolchain by its version number, fetched the way Go itself fetches
//! one: `GOTOOLCHAIN=go1.22.10 go env GOROOT` downloads
//! `golang.org/toolchain@v0.0.1-go1.22.10.<goos>-<goarch>` through the
//! configured GOPROXY into GOMODCACHE, where later runs find it without the
//! network. The versions the proxy knows come from
//! `go list -m -versions golang.org/toolchain`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;
use serde::Deserialize;

use crate::cli::error::UsageError;
use crate::model::goversion::{GoVersion, MIN_MINOR};

/// What `--go` (or IFACEALLOC_GO) names: one item of its comma list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoSpec {
    /// A go binary.
    Path(PathBuf),
    /// A release: `1.22.10`, or `1.22` for the newest patch release of 1.22.
    Version { minor: u32, patch: Option<u32> },
    /// The newest patch release of every minor release from 1.21 on.
    All,
}

impl GoSpec {
    /// Parses one item: `1.22.10`, `go1.22.10`, `1.22`, `all`, or a path.
    pub fn parse(s: &str) -> GoSpec {
        let t = s.trim();
        if t == "all" {
            return GoSpec::All;
        }
        let v = t.strip_prefix("go").unwrap_or(t);
        let parts: Vec<&str> = v.split('.').collect();
        let num = |p: &str| {
            (!p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
                .then(|| p.parse::<u32>().ok())
                .flatten()
        };
        match parts.as_slice() {
            ["1", minor] if num(minor).is_some() => GoSpec::Version {
                minor: num(minor).unwrap_or(0),
                patch: None,
            },
            ["1", minor, patch] if num(minor).is_some() && num(patch).is_some() => {
                GoSpec::Version {
                    minor: num(minor).unwrap_or(0),
                    patch: num(patch),
                }
            }
            _ => GoSpec::Path(PathBuf::from(t)),
        }
    }
}

/// The `go` that fetches other toolchains, and where it keeps them.
pub struct Fetcher {
    base: PathBuf,
    gomodcache: PathBuf,
    goos: String,
    goarch: String,
    goproxy: String,
    /// Releases the proxy lists (minor, patch), read once.
    known: Option<Vec<(u32, u32)>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "UPPERCASE")]
struct BaseEnv {
    gomodcache: String,
    goos: String,
    goarch: String,
    goproxy: String,
}

impl Fetcher {
    /// Uses `base` (a go ≥ 1.21, which understands GOTOOLCHAIN) to fetch.
    pub fn new(base: &Path) -> Result<Fetcher> {
        let out = crate::cli::interrupt::output(
            Command::new(base)
                .args(["env", "-json", "GOMODCACHE", "GOOS", "GOARCH", "GOPROXY"])
                .env("GOTOOLCHAIN", "local"),
        )
        .map_err(|e| {
            UsageError::new(format!(
                "cannot run {} to fetch Go toolchains: {e}; put a Go 1.{MIN_MINOR}+ `go` on PATH, or give --go the path of a go binary",
                base.display()
            ))
        })?;
        let env: BaseEnv = serde_json::from_slice(&out.stdout).map_err(|_| {
            UsageError::new(format!(
                "{} did not report its environment; fetching Go toolchains needs a working Go 1.{MIN_MINOR}+ on PATH",
                base.display()
            ))
        })?;
        Ok(Fetcher {
            base: base.to_path_buf(),
            gomodcache: PathBuf::from(env.gomodcache),
            goos: env.goos,
            goarch: env.goarch,
            goproxy: env.goproxy,
            known: None,
        })
    }

    /// Where `go` keeps the toolchain of `go1.<minor>.<patch>`.
    fn cached(&self, minor: u32, patch: u32) -> PathBuf {
        self.gomodcache
            .join("golang.org")
            .join(format!(
                "toolchain@v0.0.1-go1.{minor}.{patch}.{}-{}",
                self.goos, self.goarch
            ))
            .join("bin")
            .join(if cfg!(windows) { "go.exe" } else { "go" })
    }

    /// The go binary of `go1.<minor>.<patch>`, fetched when not cached.
    pub fn toolchain(&self, minor: u32, patch: u32) -> Result<PathBuf> {
        let go = self.cached(minor, patch);
        if go.is_file() {
            return Ok(go);
        }
        let version = format!("go1.{minor}.{patch}");
        let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
        // On a terminal: a line that grows with the download (the zip go
        // writes into its module cache), so hundreds of MB are not silent.
        let spinner = tty.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .expect("static template"),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        let done = std::sync::atomic::AtomicBool::new(false);
        let downloads = self
            .gomodcache
            .join("cache/download/golang.org/toolchain/@v");
        let label = format!(
            "fetching {version} for {}/{} through {}",
            self.goos, self.goarch, self.goproxy
        );
        let out = std::thread::scope(|scope| {
            if let Some(bar) = &spinner {
                let (done, downloads, version, label) = (&done, &downloads, &version, &label);
                scope.spawn(move || {
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        let bytes: u64 = std::fs::read_dir(downloads)
                            .into_iter()
                            .flatten()
                            .flatten()
                            .filter(|e| e.file_name().to_string_lossy().contains(version.as_str()))
                            .filter_map(|e| e.metadata().ok())
                            .map(|m| m.len())
                            .sum();
                        bar.set_message(format!("{label}: {} MB", bytes >> 20));
                        std::thread::sleep(std::time::Duration::from_millis(250));
                    }
                });
            }
            let out = crate::cli::interrupt::output(
                Command::new(&self.base)
                    .args(["env", "GOROOT"])
                    .env("GOTOOLCHAIN", &version),
            );
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            out
        })?;
        if let Some(bar) = &spinner {
            bar.finish_and_clear();
        }
        let root = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let fetched = root
            .join("bin")
            .join(if cfg!(windows) { "go.exe" } else { "go" });
        if !out.status.success() || !fetched.is_file() {
            let said = String::from_utf8_lossy(&out.stderr);
            let said = said
                .lines()
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_string();
            return Err(UsageError::new(format!(
                "cannot fetch {version} ({said}); it is not in the module cache ({}) and the module proxy did not serve it: check GOPROXY ({}), GOTOOLCHAIN and the network, or give --go the path of a go binary",
                self.gomodcache.display(),
                self.goproxy
            ))
            .into());
        }
        Ok(fetched)
    }

    /// Releases (minor, patch) the proxy lists for this GOOS/GOARCH, from 1.21
    /// on; offline, the ones in the module cache.
    fn known(&mut self) -> &[(u32, u32)] {
        if self.known.is_none() {
            let mut v = self.listed().unwrap_or_default();
            if v.is_empty() {
                v = self.in_cache();
            }
            v.sort();
            v.dedup();
            self.known = Some(v);
        }
        self.known.as_deref().unwrap_or(&[])
    }

    fn listed(&self) -> Option<Vec<(u32, u32)>> {
        let tmp = crate::cli::interrupt::temp_dir("ifacealloc-versions-").ok()?;
        let out = crate::cli::interrupt::output(
            Command::new(&self.base)
                .args(["list", "-m", "-versions", "golang.org/toolchain"])
                .current_dir(tmp.path())
                .env("GOTOOLCHAIN", "local")
                .env("GO111MODULE", "on")
                .env("GOFLAGS", ""),
        )
        .ok()?;
        if !out.status.success() {
            return None;
        }
        let suffix = format!(".{}-{}", self.goos, self.goarch);
        Some(
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .filter_map(|v| v.strip_prefix("v0.0.1-go1."))
                .filter_map(|v| v.strip_suffix(suffix.as_str()))
                .filter_map(release)
                .collect(),
        )
    }

    fn in_cache(&self) -> Vec<(u32, u32)> {
        let suffix = format!(".{}-{}", self.goos, self.goarch);
        std::fs::read_dir(self.gomodcache.join("golang.org"))
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        let v = name.strip_prefix("toolchain@v0.0.1-go1.")?;
                        release(v.strip_suffix(suffix.as_str())?)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The newest patch release of 1.`minor`.
    pub fn newest_patch(&mut self, minor: u32) -> Result<u32> {
        let proxy = self.goproxy.clone();
        self.known()
            .iter()
            .filter(|(m, _)| *m == minor)
            .map(|(_, p)| *p)
            .max()
            .ok_or_else(|| {
                UsageError::new(format!(
                    "no release of Go 1.{minor} is known to the module proxy ({proxy}) or in the module cache; give a full version such as 1.{minor}.0, or check GOPROXY"
                ))
                .into()
            })
    }

    /// Every minor release from 1.21 on, at its newest patch.
    pub fn all(&mut self) -> Result<Vec<(u32, u32)>> {
        let mut newest: std::collections::BTreeMap<u32, u32> = Default::default();
        for &(m, p) in self.known() {
            if m >= MIN_MINOR {
                let e = newest.entry(m).or_insert(p);
                *e = (*e).max(p);
            }
        }
        if newest.is_empty() {
            return Err(UsageError::new(format!(
                "--go all: no Go release is known to the module proxy ({}) or in the module cache; check GOPROXY and the network",
                self.goproxy
            ))
            .into());
        }
        Ok(newest.into_iter().collect())
    }
}

/// `21.13` → (21, 13); pre-releases (`26rc1`) are left out.
fn release(v: &str) -> Option<(u32, u32)> {
    let (m, p) = v.split_once('.')?;
    Some((m.parse().ok()?, p.parse().ok()?))
}

/// The version a spec names, once resolved: for messages.
pub fn describe(minor: u32, patch: u32) -> String {
    GoVersion {
        major: 1,
        minor,
        patch,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(
            GoSpec::parse("1.22.10"),
            GoSpec::Version {
                minor: 22,
                patch: Some(10)
            }
        );
        assert_eq!(
            GoSpec::parse("go1.22"),
            GoSpec::Version {
                minor: 22,
                patch: None
            }
        );
        assert_eq!(GoSpec::parse("all"), GoSpec::All);
        assert_eq!(
            GoSpec::parse("/usr/bin/go"),
            GoSpec::Path("/usr/bin/go".into())
        );
        assert_eq!(GoSpec::parse("go"), GoSpec::Path("go".into()));
        assert_eq!(GoSpec::parse("./1.22"), GoSpec::Path("./1.22".into()));
        assert_eq!(release("21.13"), Some((21, 13)));
        assert_eq!(release("26rc1"), None);
    }
}
