use clap::Parser;

use ifacealloc::cmd::{self, Cli, Command};
use ifacealloc::error::exit_code;

/// Ends the process with `code` when it is not 0 (a check that found failures).
fn exit_unless_zero(code: i32) {
    if code != 0 {
        ifacealloc::interrupt::finish();
        std::process::exit(code)
    }
}

fn main() {
    ifacealloc::interrupt::install();
    let cli = Cli::parse();
    ifacealloc::error::VERBOSE.store(cli.verbose, std::sync::atomic::Ordering::Relaxed);
    let result = match &cli.command {
        Command::Matrix(a) => cmd::matrix::run(a, cli.go.as_deref()),
        Command::Bench2md(a) => cmd::bench2md::run(a),
        Command::Asm2md(a) => cmd::asm2md::run(a, cli.go.as_deref()),
        Command::Explain(a) => cmd::explain::run(a, cli.go.as_deref()).map(exit_unless_zero),
        Command::Lem(a) => cmd::lem::run(a, cli.go.as_deref()).map(exit_unless_zero),
        Command::Scan(a) => cmd::scan::run(a, cli.go.as_deref()).map(exit_unless_zero),
        Command::Asm(a) => cmd::asm::run(a, cli.go.as_deref()),
        Command::Lab(a) => cmd::lab::run(a, cli.go.as_deref()).map(exit_unless_zero),
    };
    if let Err(e) = result {
        // One line for bad input; a failed go command adds its own output.
        let mut msg = format!("ifacealloc: {e}");
        if let Some(cause) = e.chain().nth(1) {
            if !msg.contains(&cause.to_string()) {
                msg.push_str(&format!(": {cause}"));
            }
        }
        eprintln!("{msg}");
        ifacealloc::interrupt::finish();
        std::process::exit(exit_code(&e));
    }
    ifacealloc::interrupt::finish();
}
