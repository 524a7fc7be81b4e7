//! Finding and running the Go toolchain.
//!
//! Discovery order: `--go PATH`, then `$IFACEALLOC_GO`, then `go` on `PATH`.
//! `go env -json` is read once. Commands on ifacealloc's own generated code
//! run with a fixed, minimal environment, so a user's GOFLAGS or go.work
//! cannot change what we measure; commands on the user's packages
//! ([`Toolchain::user_command`]) keep the user's GOFLAGS, GOWORK, vendor mode
//! and cgo setting, as `go build` would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::cli::error::UsageError;

use crate::model::goversion::{GoVersion, MIN_MINOR};

/// The Go toolchain in use.
#[derive(Debug, Clone)]
pub struct Toolchain {
    pub go: PathBuf,
    /// GOVERSION as Go reports it, e.g. `go1.26.8`.
    pub goversion: String,
    pub version: GoVersion,
    pub goos: String,
    pub goarch: String,
    pub goroot: PathBuf,
    /// Set when the user's packages are compiled for another GOARCH than
    /// the toolchain's own ([`Toolchain::targeting`]): never run, only read.
    pub cross_goarch: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "UPPERCASE")]
struct GoEnv {
    goversion: String,
    goos: String,
    goarch: String,
    goroot: String,
}

impl Toolchain {
    /// Finds the toolchain: `explicit`, else `$IFACEALLOC_GO`, else `go` on PATH.
    pub fn discover(explicit: Option<&Path>) -> Result<Toolchain> {
        let (go, origin) = match explicit {
            Some(p) => (p.to_path_buf(), "--go"),
            None => match std::env::var_os("IFACEALLOC_GO").filter(|v| !v.is_empty()) {
                Some(v) => (PathBuf::from(v), "IFACEALLOC_GO"),
                None => (PathBuf::from("go"), "PATH"),
            },
        };
        Toolchain::at(go, origin)
    }

    /// The toolchains `--go SPEC` names (else `$IFACEALLOC_GO`, else `go` on
    /// PATH): a comma list of paths, versions (`1.22.10`, `go1.22`: the newest
    /// patch) and `all` (the newest patch of every minor from 1.21), versions
    /// fetched as `GOTOOLCHAIN` does. Duplicates are dropped; order is kept.
    pub fn resolve(spec: Option<&str>) -> Result<Vec<Toolchain>> {
        use crate::go::fetch::{Fetcher, GoSpec};
        let (text, origin) = match spec {
            Some(s) => (s.to_string(), "--go"),
            None => match std::env::var("IFACEALLOC_GO")
                .ok()
                .filter(|v| !v.is_empty())
            {
                Some(v) => (v, "IFACEALLOC_GO"),
                None => ("go".to_string(), "PATH"),
            },
        };
        let mut fetcher: Option<Fetcher> = None;
        let mut out: Vec<Toolchain> = Vec::new();
        let items: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            return Err(UsageError::new(format!(
                "{origin} is empty; give a go binary, a version such as 1.22.10, or a comma list"
            ))
            .into());
        }
        for item in items {
            let spec = GoSpec::parse(item);
            // Version-like text that is no release and no file: a
            // pre-release (1.22.0rc1, go1.23beta1) or a typo, not a path.
            if let GoSpec::Path(p) = &spec {
                let t = item.strip_prefix("go").unwrap_or(item);
                let versionish = t.starts_with("1.") && !item.contains(std::path::MAIN_SEPARATOR);
                if versionish && !p.exists() {
                    return Err(UsageError::new(format!(
                        "{origin} {item}: not a Go release ifacealloc fetches (pre-releases are not); give a release such as 1.22.10, 1.22 or all, or the path of a go binary"
                    ))
                    .into());
                }
            }
            if let GoSpec::Version { minor, .. } = spec {
                if minor < MIN_MINOR {
                    return Err(UsageError::new(format!(
                        "{origin} {item}: ifacealloc needs Go 1.{MIN_MINOR} or newer"
                    ))
                    .into());
                }
            }
            // Versions are fetched by the `go` on PATH, set up once.
            if !matches!(spec, GoSpec::Path(_)) && fetcher.is_none() {
                fetcher = Some(Fetcher::new(Path::new("go"))?);
            }
            let paths: Vec<PathBuf> = match spec {
                GoSpec::Path(p) => vec![p],
                GoSpec::Version { minor, patch } => {
                    let f = fetcher.as_mut().expect("set above");
                    let patch = match patch {
                        Some(p) => p,
                        None => f.newest_patch(minor)?,
                    };
                    vec![f.toolchain(minor, patch)?]
                }
                GoSpec::All => {
                    let f = fetcher.as_mut().expect("set above");
                    let mut v = Vec::new();
                    for (minor, patch) in f.all()? {
                        v.push(f.toolchain(minor, patch)?);
                    }
                    v
                }
            };
            for p in paths {
                let tc = Toolchain::at(p, origin)?;
                if !out
                    .iter()
                    .any(|t| t.goversion == tc.goversion && t.goarch == tc.goarch)
                {
                    out.push(tc);
                }
            }
        }
        Ok(out)
    }

    /// The one toolchain `--go SPEC` names; `what` says which command wants one.
    pub fn single(spec: Option<&str>, what: &str) -> Result<Toolchain> {
        let mut all = Toolchain::resolve(spec)?;
        if all.len() > 1 {
            return Err(UsageError::new(format!(
                "--go names {} toolchains, but {what} runs on one; give one version or path",
                all.len()
            ))
            .into());
        }
        Ok(all.remove(0))
    }

    /// The toolchain at `go`; `origin` says where the path came from.
    fn at(go: PathBuf, origin: &str) -> Result<Toolchain> {
        let cache = env_cache_file(&go);
        if let Some(env) = cache
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|b| serde_json::from_slice::<GoEnv>(&b).ok())
        {
            if let (Ok(version), true) = (
                check_version(&env.goversion, &go),
                Path::new(&env.goroot).join("src").is_dir(),
            ) {
                return Ok(Toolchain::from_env(go, env, version));
            }
        }
        // In the environment every build gets (see `command`): the GOOS and
        // GOARCH reported are the ones built, measured and laid out for.
        let out = crate::cli::interrupt::output(
            Command::new(&go)
                .args(["env", "-json", "GOVERSION", "GOOS", "GOARCH", "GOROOT"])
                .env("GOTOOLCHAIN", "local")
                .env_remove("GOOS")
                .env_remove("GOARCH"),
        );
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                return Err(UsageError::new(format!(
                    "cannot run Go at {} (from {origin}): {e}; install Go 1.{MIN_MINOR} or newer, or point --go / IFACEALLOC_GO at a go binary",
                    go.display()
                ))
                .into())
            }
        };
        if !out.status.success() {
            let said = first_line(&out.stderr);
            let reason = if said.is_empty() {
                match out.status.code() {
                    Some(c) => format!("it exited with status {c} and printed nothing"),
                    None => "it was killed by a signal".to_string(),
                }
            } else {
                said
            };
            return Err(UsageError::new(format!(
                "`{} env -json` failed: {reason}; check that {} (from {origin}) is a working Go toolchain",
                go.display(),
                go.display()
            ))
            .into());
        }
        let mut env: GoEnv = serde_json::from_slice(&out.stdout).map_err(|e| {
            UsageError::new(format!(
                "`{} env -json` did not print Go's environment as JSON ({e}); check that {} (from {origin}) is a go binary",
                go.display(),
                go.display()
            ))
        })?;
        // What a go binary says is printed again: no terminal escapes in it.
        env.goversion = printable(&env.goversion);
        env.goos = printable(&env.goos);
        env.goarch = printable(&env.goarch);
        let version = check_version(&env.goversion, &go)?;
        if !Path::new(&env.goroot).join("src").is_dir() {
            return Err(UsageError::new(format!(
                "{} reports GOROOT {:?}, which has no src directory; reinstall that Go or point --go at a complete toolchain",
                go.display(),
                env.goroot
            ))
            .into());
        }
        if let Some(f) = cache {
            crate::cli::output::write_cache(&f, &out.stdout);
        }
        Ok(Toolchain::from_env(go, env, version))
    }

    fn from_env(go: PathBuf, env: GoEnv, version: GoVersion) -> Toolchain {
        note_ignored_target(&env.goos, &env.goarch);
        Toolchain {
            go,
            goversion: env.goversion,
            version,
            goos: env.goos,
            goarch: env.goarch,
            goroot: PathBuf::from(env.goroot),
            cross_goarch: None,
        }
    }

    /// A `go` command with a controlled environment, run in `dir`: for the
    /// toolchain's own GOOS/GOARCH (any in the environment is dropped), since
    /// what it builds is run here or compared with what is.
    pub fn command(&self, dir: &Path) -> Command {
        let mut c = Command::new(&self.go);
        c.current_dir(dir)
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-mod=mod")
            .env("GOWORK", "off")
            .env("GO111MODULE", "on")
            .env("CGO_ENABLED", "0")
            .env_remove("GOOS")
            .env_remove("GOARCH")
            .env_remove("GOEXPERIMENT");
        if let Some(d) = crate::cli::interrupt::go_tmp() {
            c.env("GOTMPDIR", d);
        }
        c
    }

    /// This toolchain compiling the user's packages for `goarch` (`scan
    /// --arch`; GOOS stays the toolchain's, `wasip1` for wasm). Generated
    /// programs are still built for the host: only `user_command` targets it.
    pub fn targeting(&self, goarch: &str) -> Result<Toolchain> {
        if crate::model::gotype::Arch::by_name(goarch).is_none() {
            let all: Vec<&str> = crate::model::gotype::Arch::ALL
                .iter()
                .map(|a| a.name)
                .collect();
            return Err(UsageError::new(format!(
                "GOARCH {goarch:?} is not one ifacealloc knows; choose from {}",
                all.join(", ")
            ))
            .into());
        }
        let mut t = self.clone();
        if goarch != self.goarch {
            t.goarch = goarch.to_string();
            t.cross_goarch = Some(goarch.to_string());
        }
        Ok(t)
    }

    /// A `go` command for the user's own packages: like [`Toolchain::command`],
    /// but cgo is as the caller's environment has it (CGO_ENABLED, else Go's
    /// default: on when a C compiler is found), so cgo packages build.
    pub fn user_command(&self, dir: &Path) -> Command {
        let mut c = self.command(dir);
        match std::env::var_os("CGO_ENABLED") {
            Some(v) => c.env("CGO_ENABLED", v),
            None => c.env_remove("CGO_ENABLED"),
        };
        // The user's build settings, as `go build` here would use them:
        // GOFLAGS (build tags...), a go.work, vendor mode.
        c.env("GOFLAGS", user_goflags());
        match std::env::var_os("GOWORK") {
            Some(v) => c.env("GOWORK", v),
            None => c.env_remove("GOWORK"),
        };
        if let Some(arch) = &self.cross_goarch {
            c.env("GOARCH", arch);
            if arch == "wasm" {
                c.env("GOOS", "wasip1");
            }
        }
        c
    }

    /// Formats `files` in place with the toolchain's own gofmt.
    pub fn gofmt(&self, dir: &Path, files: &[PathBuf]) -> Result<()> {
        let exe = self
            .goroot
            .join("bin")
            .join(if cfg!(windows) { "gofmt.exe" } else { "gofmt" });
        let out = crate::cli::interrupt::output(
            Command::new(&exe).arg("-w").args(files).current_dir(dir),
        )
        .with_context(|| format!("running {}", exe.display()))?;
        if !out.status.success() {
            return Err(crate::go::command::GoCommandFailed {
                command: "gofmt -w".into(),
                output: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
            .into());
        }
        Ok(())
    }

    /// A hasher seeded with what a helper program built by this toolchain
    /// depends on: its source and the toolchain.
    pub fn helper_hasher(&self, source: &str) -> std::collections::hash_map::DefaultHasher {
        use std::hash::Hash;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            source,
            &self.goversion,
            &self.goroot,
            &self.goos,
            &self.goarch,
        )
            .hash(&mut h);
        h
    }

    /// One of ifacealloc's own Go programs (`source`, a single file of
    /// package main), built by this toolchain: from ifacealloc's cache
    /// (keyed on the source and the toolchain), else built into `tmp` and
    /// cached.
    pub fn helper(&self, name: &str, source: &str, tmp: &Path) -> Result<PathBuf> {
        use std::hash::Hasher;
        let h = self.helper_hasher(source);
        let cached =
            cache_dir().map(|d| d.join(name).join(format!("{:016x}", h.finish())).join(name));
        if let Some(c) = cached.as_ref().filter(|c| c.is_file()) {
            return Ok(c.clone());
        }
        std::fs::write(
            tmp.join("go.mod"),
            format!("module ifacealloc.local/{name}\n\ngo 1.21\n"),
        )?;
        std::fs::write(tmp.join(format!("{name}.go")), source)?;
        let exe = tmp.join(name);
        // -trimpath: the temporary directory stays out of the compile
        // action's key, so the build is a hit in a shared cache (GOCACHEPROG)
        // on any machine.
        self.run(
            tmp,
            &["build", "-trimpath", "-o", &exe.to_string_lossy(), "."],
        )?;
        if let Some(c) = cached {
            // Into place by rename, so a concurrent run never sees half a binary.
            if let Some(dir) = c.parent() {
                if std::fs::create_dir_all(dir).is_ok() {
                    let staged = dir.join(format!(".{name}-{}", std::process::id()));
                    if std::fs::copy(&exe, &staged).is_ok() && std::fs::rename(&staged, &c).is_ok()
                    {
                        return Ok(c);
                    }
                    let _ = std::fs::remove_file(&staged);
                }
            }
        }
        Ok(exe)
    }

    /// Runs `go <args>` in `dir`; a failure carries the compiler's own output.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Result<Output> {
        self.run_for(dir, args, None)
    }

    /// Like [`Toolchain::run`], cross-compiling for `goarch` when given (GOOS is
    /// linux then, or wasip1 for wasm, so every GOARCH has a valid pair).
    pub fn run_for(&self, dir: &Path, args: &[&str], goarch: Option<&str>) -> Result<Output> {
        let mut cmd = self.command(dir);
        if let Some(work) = generated_workspace(dir) {
            cmd.env("GOWORK", work).env("GOFLAGS", "-mod=readonly");
        }
        if let Some(arch) = goarch {
            cmd.env("GOARCH", arch)
                .env("GOOS", if arch == "wasm" { "wasip1" } else { "linux" });
        }
        let out = crate::cli::interrupt::output(cmd.args(args))
            .with_context(|| format!("running {} {}", self.go.display(), args.join(" ")))?;
        if !out.status.success() {
            return Err(crate::go::command::GoCommandFailed {
                command: match goarch {
                    Some(a) => format!("GOARCH={a} go {}", args.join(" ")),
                    None => format!("go {}", args.join(" ")),
                },
                output: String::from_utf8_lossy(&out.stderr).into_owned()
                    + &String::from_utf8_lossy(&out.stdout),
            }
            .into());
        }
        Ok(out)
    }
}

/// The user's GOFLAGS for go commands on their packages: as they are, but
/// `-mod=mod` becomes `-mod=readonly` (with a note, once), so go never
/// rewrites the user's go.mod or go.sum. Without a -mod flag go picks
/// readonly, or vendor when the module vendors.
pub fn user_goflags() -> String {
    let flags = std::env::var("GOFLAGS").unwrap_or_default();
    let mut out = Vec::new();
    for f in flags.split_whitespace() {
        if f == "-mod=mod" || f == "--mod=mod" {
            static NOTED: std::sync::Once = std::sync::Once::new();
            NOTED.call_once(|| {
                eprintln!(
                    "ifacealloc: GOFLAGS -mod=mod would let go rewrite go.mod and go.sum; using -mod=readonly"
                )
            });
            out.push("-mod=readonly");
        } else {
            out.push(f);
        }
    }
    out.join(" ")
}

/// The go.work of a module ifacealloc generated whose types come from the
/// user's modules (see `generate`): go reads a workspace only when told, and
/// only ifacealloc's own modules are told.
fn generated_workspace(dir: &Path) -> Option<PathBuf> {
    let work = dir.join("go.work");
    let gomod = std::fs::read_to_string(dir.join("go.mod")).ok()?;
    (work.is_file() && gomod.starts_with("module ifacealloc.local/")).then_some(work)
}

/// ifacealloc's own cache directory (`$XDG_CACHE_HOME/ifacealloc`, else
/// `~/.cache/ifacealloc`; `IFACEALLOC_CACHE` overrides, `off` disables).
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("IFACEALLOC_CACHE") {
        Some(v) if v == "off" => return None,
        Some(v) if !v.is_empty() => return Some(PathBuf::from(v)),
        _ => {}
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("ifacealloc"))
}

/// Where `go env -json` of the binary `go` is cached: keyed on the binary's
/// resolved path, size and modification time, and the environment variables
/// that change what `go env` reports.
fn env_cache_file(go: &Path) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    let exe = if go.components().count() > 1 {
        go.to_path_buf()
    } else {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join(go))
            .find(|p| p.is_file())?
    };
    let exe = exe.canonicalize().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    // Bumped when what is asked changes (2: GOOS/GOARCH left out of the
    // query, so they are no part of the key either).
    2u8.hash(&mut h);
    exe.hash(&mut h);
    meta.len().hash(&mut h);
    meta.modified().ok()?.hash(&mut h);
    for k in ["GOROOT", "GOENV", "GOTOOLCHAIN"] {
        std::env::var_os(k).hash(&mut h);
    }
    Some(
        cache_dir()?
            .join("goenv")
            .join(format!("{:016x}.json", h.finish())),
    )
}

/// Reads GOVERSION and rejects anything older than Go 1.21.
pub fn check_version(goversion: &str, go: &Path) -> Result<GoVersion> {
    let version = GoVersion::parse(goversion).ok_or_else(|| {
        UsageError::new(format!(
            "cannot read the Go version {goversion:?} reported by {}; use a released Go 1.{MIN_MINOR} or newer",
            go.display()
        ))
    })?;
    if version.major != 1 || version.minor < MIN_MINOR {
        return Err(UsageError::new(format!(
            "{} is {goversion:?}, but ifacealloc needs Go 1.{MIN_MINOR} or newer; pass a newer one with --go (a version such as --go 1.26 is fetched like GOTOOLCHAIN does)",
            go.display()
        ))
        .into());
    }
    Ok(version)
}

fn first_line(b: &[u8]) -> String {
    printable(String::from_utf8_lossy(b).lines().next().unwrap_or(""))
}

/// `s` with control characters (escape sequences a terminal would obey)
/// shown as U+FFFD.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// Says once on stderr that a GOOS or GOARCH in the environment is not what
/// ifacealloc builds for (`Toolchain::command` drops them), and what to use.
fn note_ignored_target(goos: &str, goarch: &str) {
    static SAID: std::sync::Once = std::sync::Once::new();
    let differs = |key: &str, used: &str| {
        std::env::var(key)
            .ok()
            .filter(|v| !v.is_empty() && v != used)
            .map(|v| format!("{key}={v}"))
    };
    let ignored: Vec<String> = [differs("GOOS", goos), differs("GOARCH", goarch)]
        .into_iter()
        .flatten()
        .collect();
    if !ignored.is_empty() {
        SAID.call_once(|| {
            eprintln!(
                "ifacealloc: {} in the environment is not used: answers are for {goos}/{goarch}, what this toolchain builds and runs here; for another GOARCH use --arch (explain, asm, matrix)",
                ignored.join(" ")
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        let v = GoVersion::parse("go1.26.8").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 26, 8));
        assert_eq!(GoVersion::parse("go1.21rc2").unwrap().minor, 21);
        assert_eq!(
            GoVersion::parse("devel go1.27-abc123 Tue").unwrap().minor,
            27
        );
        assert_eq!(GoVersion::parse("go1.22").unwrap().patch, 0);
        assert!(GoVersion::parse("gox").is_none());
    }

    #[test]
    fn rejects_go_older_than_1_21() {
        let go = Path::new("/opt/go/bin/go");
        let err = check_version("go1.20.14", go).unwrap_err();
        assert!(err.to_string().contains("needs Go 1.21 or newer"), "{err}");
        assert_eq!(crate::go::command::exit_code(&err), 2);
        assert!(check_version("go1.21.0", go).is_ok());
        assert!(check_version("weird", go).is_err());
    }
}
