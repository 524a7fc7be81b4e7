//! The command line's own surface, checked with the real tools that read it:
//! bash loads the completion script, man renders the man page, and
//! `--version` names the commit and the Go toolchain a run would use.

use std::process::Command;

fn ifacealloc(args: &[&str]) -> std::process::Output {
    Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn bash_loads_the_completion_script() {
    let script = ifacealloc(&["completions", "bash"]);
    assert!(script.status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ifacealloc.bash");
    std::fs::write(&file, &script.stdout).unwrap();
    // Loaded, then asked to complete `ifacealloc sc`: bash's own machinery.
    let probe = format!(
        "source {}; COMP_WORDS=(ifacealloc sc); COMP_CWORD=1; COMP_LINE='ifacealloc sc'; COMP_POINT=13; _ifacealloc ifacealloc sc ifacealloc; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let out = Command::new("bash").args(["-c", &probe]).output().unwrap();
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(
        words.lines().any(|w| w == "scan"),
        "{words}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(
            ifacealloc(&["completions", shell]).status.success(),
            "{shell}"
        );
    }
}

#[test]
fn man_renders_the_man_page() {
    let page = ifacealloc(&["man"]);
    assert!(page.status.success());
    let text = String::from_utf8_lossy(&page.stdout);
    assert!(text.contains(".TH ifacealloc 1"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ifacealloc.1");
    std::fs::write(&file, &page.stdout).unwrap();
    match Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANPAGER", "cat")
        .output()
    {
        Ok(out) if out.status.success() => {
            let rendered = String::from_utf8_lossy(&out.stdout);
            assert!(
                rendered.contains("NAME") && rendered.contains("scan"),
                "{rendered}"
            );
        }
        _ => eprintln!("SKIPPED: man -l is not available here; the roff was checked above"),
    }
}

#[test]
fn version_names_the_commit_and_the_go_toolchain() {
    let out = ifacealloc(&["--version"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(commit "), "{text}");
    let go = Command::new("go")
        .args(["env", "GOVERSION"])
        .output()
        .unwrap();
    let goversion = String::from_utf8_lossy(&go.stdout).trim().to_string();
    assert!(text.contains(&format!("go: {goversion} ")), "{text}");
}
