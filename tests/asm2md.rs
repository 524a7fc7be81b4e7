//! `asm2md` on recorded listings (Go 1.21 and 1.26, amd64 and arm64, a Go
//! 1.18-style one), on a live listing, and on broken input.

use assert_cmd::Command;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/asm/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn asm2md(args: &[&str], stdin: Option<Vec<u8>>) -> (String, String, i32) {
    let mut cmd = Command::cargo_bin("ifacealloc").unwrap();
    cmd.arg("asm2md").args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

/// The routine names in a seed-table line, links stripped.
fn routines_of(table: &str, ty: &str) -> (String, String) {
    let line = table
        .lines()
        .find(|l| l.starts_with(&format!("| `{ty}` |")))
        .unwrap_or_else(|| panic!("no row {ty} in\n{table}"));
    let cells: Vec<&str> = line.split(" | ").collect();
    let name = |c: &str| {
        c.trim_start_matches('[')
            .split(']')
            .next()
            .unwrap()
            .to_string()
    };
    (name(cells[3]), name(cells[5].trim_end_matches(" |")))
}

#[test]
fn seed_table_from_every_recorded_listing() {
    for f in [
        "go1.21-amd64.txt",
        "go1.21-arm64.txt",
        "go1.26-amd64.txt",
        "go1.26-arm64.txt",
        "go1.18-style-amd64.txt",
    ] {
        let (out, err, code) = asm2md(&["--no-echo", &fixture(f)], None);
        assert_eq!(code, 0, "{f}: {err}");
        assert!(
            out.starts_with("| Type | Line no | Op to store zero value in asm | ...in go |"),
            "{f}"
        );
        for (ty, want) in [
            ("int64", "convT64"),
            ("string", "convTstring"),
            ("bool", "staticuint64s"),
            ("complex128", "convTnoptr"),
            ("slice_byte", "convTslice"),
            ("ptr_int", "direct"),
            ("struct_int64_ptr", "convT"),
        ] {
            assert_eq!(
                routines_of(&out, ty),
                (want.to_string(), want.to_string()),
                "{f} {ty}"
            );
        }
        let int64 = out.lines().find(|l| l.starts_with("| `int64` |")).unwrap();
        assert!(int64.contains("| 53 |"), "{int64}");
        // Routine links point at the runtime source of the toolchain in use, with line ranges.
        assert!(int64.contains("/src/runtime/iface.go#L"), "{int64}");
        let arm = f.contains("arm64");
        let call_doc = if arm {
            "developer.arm.com"
        } else {
            "felixcloutier.com/x86/call"
        };
        assert!(int64.contains(call_doc), "{f}: {int64}");
        if f.starts_with("go1.18") {
            assert!(err.contains("skipped 2 malformed"), "{err}");
        } else {
            assert_eq!(err, "", "{f}");
        }
    }
}

/// Standard input redirected from a file (mapped when not echoed) gives
/// what the file named as an argument gives.
#[test]
fn stdin_from_a_file_reads_as_the_file() {
    for name in ["go1.26-amd64.txt", "go1.18-style-amd64.txt"] {
        let path = fixture(name);
        let run = |args: &[&str], stdin: bool| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ifacealloc"));
            cmd.arg("asm2md").args(args);
            if stdin {
                cmd.stdin(std::fs::File::open(&path).unwrap());
            }
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{name} {args:?}");
            (
                String::from_utf8(out.stdout).unwrap(),
                String::from_utf8(out.stderr).unwrap(),
            )
        };
        let want = run(&[&path], false);
        assert!(want.0.starts_with('|'), "{name}: {want:?}");
        assert_eq!(run(&["--no-echo"], true), want, "{name}");
    }
}

#[test]
fn echo_and_errors() {
    let listing = std::fs::read(fixture("go1.26-amd64.txt")).unwrap();
    let (out, _, code) = asm2md(&[], Some(listing.clone()));
    assert_eq!(code, 0);
    assert!(out.as_bytes().starts_with(&listing));
    let (out, err, code) = asm2md(
        &["--no-echo"],
        Some(b"hello\nworld\n\t0x0000 nonsense\n".to_vec()),
    );
    assert_eq!(code, 2, "{out}");
    assert_eq!(
        err.trim_end()
            .lines()
            .last()
            .unwrap()
            .matches("asm2md")
            .count(),
        1
    );
    assert!(err.contains("no functions"), "{err}");
    let (_, err, code) = asm2md(&["/nonexistent/listing.txt"], None);
    assert_eq!(code, 2);
    assert!(err.contains("cannot open /nonexistent/listing.txt"));
    // Arbitrary bytes never panic.
    let junk: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let (_, _, code) = asm2md(&["--no-echo"], Some(junk));
    assert!(code == 0 || code == 2);
}

/// Live: a listing the local toolchain produces now, of code that is not in the
/// seed layout, gives the generic table.
#[test]
fn live_listing_generic_table() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/live\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("live.go"),
        "package live\n\nvar A, B, C, D any\n\nfunc Store(x int64, s string, b bool) {\n\tA = x\n\tB = s\n\tC = b\n\tD = struct{}{}\n}\n",
    )
    .unwrap();
    let out = std::process::Command::new("go")
        .args(["build", "-gcflags=-S", "."])
        .current_dir(dir.path())
        .env("GOFLAGS", "-mod=mod")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (table, err, code) = asm2md(&["--no-echo"], Some(out.stderr));
    assert_eq!(code, 0, "{err}");
    assert!(table.starts_with("| Location | Function | Routine | Instruction |"));
    for (line, routine) in [
        (6, "convT64"),
        (7, "convTstring"),
        (8, "staticuint64s"),
        (9, "zerobase"),
    ] {
        let found = table.lines().any(|l| {
            l.contains(&format!("live.go:{line} |"))
                && l.contains("`example.com/live.Store`")
                && l.contains(&format!("[{routine}]"))
        });
        assert!(found, "line {line} {routine}:\n{table}");
    }
}

/// The study's whole layout (40 types), recorded with Go 1.27.3: every type
/// has its row. Go 1.27 attributes the load of a single-byte global to the
/// global's declaration line, away from the store's `staticuint64s` address.
#[test]
fn study_layout_on_go_1_27_has_all_40_types() {
    let expected: Vec<(&str, &str)> = [
        ("int", "convT64"),
        ("int8", "staticuint64s"),
        ("int16", "convT16"),
        ("int32", "convT32"),
        ("int64", "convT64"),
        ("uint", "convT64"),
        ("uint8", "staticuint64s"),
        ("uint16", "convT16"),
        ("uint32", "convT32"),
        ("uint64", "convT64"),
        ("float32", "convT32"),
        ("float64", "convT64"),
        ("complex64", "convTnoptr"),
        ("complex128", "convTnoptr"),
        ("byte", "staticuint64s"),
        ("bool", "staticuint64s"),
        ("rune", "convT32"),
        ("string", "convTstring"),
    ]
    .into_iter()
    .collect();
    for f in ["study-go1.27-amd64.txt", "study-go1.27-arm64.txt"] {
        let (out, err, code) = asm2md(&["--no-echo", &fixture(f)], None);
        assert_eq!(code, 0, "{f}: {err}");
        let rows = out.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(rows, 40, "{f}:\n{out}");
        for (ty, want) in &expected {
            for name in [ty.to_string(), format!("struct_{ty}")] {
                assert_eq!(
                    routines_of(&out, &name),
                    (want.to_string(), want.to_string()),
                    "{f} {name}"
                );
            }
        }
        for name in [
            "struct_int32_int32",
            "struct_int32_int64",
            "struct_array_bytes_7",
            "struct_byte_7",
        ] {
            assert_eq!(
                routines_of(&out, name),
                ("convTnoptr".to_string(), "convTnoptr".to_string()),
                "{f} {name}"
            );
        }
    }
}

/// Instruction links follow the listing's instruction set, which its call
/// relocations name: arm64, ppc64 and s390x all print `CALL` and `MOVD`, and
/// only arm64's get Arm's documentation (live, cross-compiled).
#[test]
fn instruction_links_follow_the_call_relocations() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/isa\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("isa.go"),
        "package isa\n\nvar A any\n\nfunc Store(x int64) { A = x }\n",
    )
    .unwrap();
    for (arch, doc) in [
        ("amd64", Some("felixcloutier.com/x86/call")),
        ("arm64", Some("developer.arm.com")),
        ("s390x", None),
        ("ppc64le", None),
        ("riscv64", None),
        ("arm", None),
    ] {
        let out = std::process::Command::new("go")
            .args(["build", "-gcflags=-S", "."])
            .current_dir(dir.path())
            .env("GOFLAGS", "-mod=mod")
            .env("GOOS", "linux")
            .env("GOARCH", arch)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{arch}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (table, err, code) = asm2md(&["--no-echo"], Some(out.stderr));
        assert_eq!(code, 0, "{arch}: {err}");
        let row = table
            .lines()
            .find(|l| l.contains("isa.go:5 |") && l.contains("[convT64]"))
            .unwrap_or_else(|| panic!("{arch}: no convT64 row\n{table}"));
        match doc {
            Some(d) => assert!(row.contains(d), "{arch}: {row}"),
            None => assert!(
                !row.contains("felixcloutier") && !row.contains("developer.arm.com"),
                "{arch}: {row}"
            ),
        }
    }
}
