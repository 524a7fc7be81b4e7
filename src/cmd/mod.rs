//! Subcommands: one file each. The CLI types live here; the work in each file.

pub mod asm;
pub mod asm2md;
pub mod bench2md;
pub mod check;
pub mod completions;
pub mod explain;
pub mod input;
pub mod lab;
pub mod lem;
pub mod lsp;
pub mod matrix;
pub mod packages;
pub mod scan;
pub mod shard;

use clap::{Parser, Subcommand};

/// ifacealloc: when does storing a Go value in an interface allocate, how many
/// bytes, and why — measured on your own Go toolchain.
#[derive(Debug, Parser)]
#[command(
    name = "ifacealloc",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("IFACEALLOC_COMMIT"), ")"),
    about,
    long_about = None
)]
pub struct Cli {
    /// Go toolchain(s): a go binary, a version (1.22.10; 1.22 = its newest
    /// patch) fetched like GOTOOLCHAIN does, `all`, or a comma list of these
    /// (default: $IFACEALLOC_GO, else `go` on PATH).
    #[arg(long, global = true, value_name = "PATH|VERSION,...")]
    pub go: Option<String>,

    /// Show the whole output of a failed go command (by default the compiler's
    /// error lines come first, at most 40 lines).
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,

    /// Print where the time went, by phase (generate, go list, build, run,
    /// parse, report), on stderr at the end.
    #[arg(long, global = true)]
    pub timings: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure heap allocations and bytes of interface stores for a catalog of types.
    #[command(
        after_help = "Examples:\n  ifacealloc matrix\n  ifacealloc matrix --types int64,string,struct_int32_int64 --format markdown\n  ifacealloc matrix --catalog seed --format markdown -o seed.md\n  ifacealloc matrix --format json --keep ./matrix-module"
    )]
    Matrix(matrix::MatrixArgs),
    /// Turn `go test -bench -benchmem` output (text or -json) into a markdown table.
    #[command(
        after_help = "Examples:\n  go test -bench . -benchmem | ifacealloc bench2md\n  ifacealloc bench2md --no-echo bench.txt\n  go test -json -bench . -benchmem -run '^$' | ifacealloc bench2md --no-echo"
    )]
    Bench2md(bench2md::Bench2mdArgs),
    /// Turn a `-S` assembly listing into a markdown table of interface conversions.
    #[command(
        after_help = "Examples:\n  go build -gcflags=-S ./pkg 2>&1 | ifacealloc asm2md --no-echo\n  go test -c -gcflags=-S ./benchmarks 2> listing.txt; ifacealloc asm2md listing.txt\n  go tool compile -S file.go | ifacealloc asm2md --no-echo -o conversions.md"
    )]
    Asm2md(asm2md::Asm2mdArgs),
    /// Predict and explain one conversion: routine, allocations, bytes, and why.
    #[command(
        after_help = "Examples:\n  # float32(3) allocates: convT32's shortcut looks at the bits, and 3.0 is 0x40400000\n  ifacealloc explain float32 --value 3\n\n  # a struct: convTnoptr always allocates, 16 bytes (size class 16)\n  ifacealloc explain 'struct{ a int32; b int64 }' --value '{1, 2}' --verify\n\n  # the same zero struct as a literal: runtime.zeroVal on Go 1.25+, an allocation before\n  ifacealloc explain 'struct{ a int32; b int64 }' --source literal --go-version 1.24\n\n  # named types, 32-bit layout, JSON\n  ifacealloc explain Point --define 'Point=struct{ x, y int64 }' --arch 386 --format json"
    )]
    Explain(explain::ExplainArgs),
    /// Check escape-analysis and allocation claims written as lem.<ID>.<key>= comments.
    #[command(
        after_help = "Examples:\n  ifacealloc lem ./examples/...\n  ifacealloc lem -C ./mypkg --run 'escape[0-9]+' --count 3\n  ifacealloc lem --format junit -o lem.xml ./...\n\nAnnotations (in line or doc comments):\n  lem.ID.name=TEXT        display name\n  lem.ID.alloc=N|MIN-MAX  allocations per op of the func(*testing.B) whose doc comment holds it\n  lem.ID.bytes=N|MIN-MAX  bytes per op, likewise\n  lem.ID.m=REGEX          a -m message on this line matches REGEX (the whole message)\n  lem.ID.m!=REGEX         no -m message on this line contains a match\n  any key@go1.25 / @386   only from that Go version / on that GOARCH; the most specific wins"
    )]
    Lem(lem::LemArgs),
    /// List every interface conversion in Go packages and whether it allocates.
    #[command(
        after_help = "Examples:\n  ifacealloc scan                       # ./... of the current module\n  ifacealloc scan -C ../svc --tests --min-verdict conditional\n  ifacealloc scan --format sarif -o ifacealloc.sarif ./...\n  ifacealloc scan --fail-on always ./internal/hot/...\n  ifacealloc scan --sort bytes fmt strconv"
    )]
    Scan(scan::ScanArgs),
    /// Print a function's assembly with each interface conversion annotated by its routine.
    #[command(
        after_help = "Examples:\n  ifacealloc asm ./examples/labs/asmwalk/asmwalk.go:Store\n  ifacealloc asm ./pkg/cache.go:'(*Cache).Put'"
    )]
    Asm(asm::AsmArgs),
    /// The labs: a walkthrough of Go interface values, checked on your Go.
    #[command(
        after_help = "Examples:\n  ifacealloc lab list\n  ifacealloc lab show 4\n  ifacealloc lab run 4\n  ifacealloc --go ~/go121/bin/go lab run 4"
    )]
    Lab(lab::LabArgs),
    /// Check //ifacealloc:noalloc and //ifacealloc:noifacealloc directives against the compiled code.
    #[command(
        after_help = "Examples:\n  ifacealloc check ./...\n  ifacealloc check --format json -o check.json ./internal/hot/...\n\nDirectives (in a func's doc comment):\n  //ifacealloc:noalloc       its compiled code (inlined callees included) calls no allocating runtime function\n  //ifacealloc:noifacealloc  no interface conversion in it allocates\nExit 1 when a directive is violated, 2 on bad input."
    )]
    Check(check::CheckArgs),
    /// A language server (LSP 3.17, stdio) for Go files: hints, hovers and lenses beside gopls.
    #[command(
        after_help = "Editors start it themselves; docs/editors.md has each one's configuration.\nSettings (initializationOptions or workspace/didChangeConfiguration, under \"ifacealloc\"):\n  go: [\"go\", \"1.25.5\"]   toolchains; the first gives the hints, the others show in hovers\n  failOn: \"always\"        diagnostics for sites at least this bad (none by default)\n  baseline: \"scan.json\"   diagnostics only for sites new or worse than this scan\n  goarch: \"arm64\"        compile for this GOARCH\n  tags: [\"integration\"]  build tags\n  showNever: true         hints for conversions that never allocate too"
    )]
    Lsp(lsp::LspArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Examples:\n  ifacealloc completions bash > ~/.local/share/bash-completion/completions/ifacealloc\n  ifacealloc completions zsh > ~/.zfunc/_ifacealloc"
    )]
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), e.g. `ifacealloc man > ifacealloc.1`.
    Man,
}
