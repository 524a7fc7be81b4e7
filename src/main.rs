use clap::Parser;

use ifacealloc::cmd::{self, Cli, Command};
use ifacealloc::error::exit_code;

/// Ends the process with `code` when it is not 0 (a check that found failures).
fn exit_unless_zero(code: i32) {
    ifacealloc::interrupt::wait_if_interrupted();
    if code != 0 {
        ifacealloc::timings::report();
        ifacealloc::interrupt::finish();
        std::process::exit(code)
    }
}

/// clap's multi-line usage error as one line: the error, the values it
/// accepts if it lists them, and where to look.
fn one_line(rendered: &str) -> String {
    let lines: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut msg = lines
        .first()
        .map(|l| l.trim_start_matches("error: ").to_string())
        .unwrap_or_default();
    if let Some(values) = lines.iter().find(|l| l.starts_with("[possible values:")) {
        msg.push(' ');
        msg.push_str(values);
    }
    if let Some(tip) = lines.iter().find(|l| l.starts_with("tip:")) {
        msg.push_str("; ");
        msg.push_str(tip.trim_start_matches("tip: "));
    }
    msg.push_str("; see --help");
    msg
}

fn main() {
    ifacealloc::interrupt::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                e.exit();
            }
            eprintln!("ifacealloc: {}", one_line(&e.render().to_string()));
            std::process::exit(2);
        }
    };
    ifacealloc::error::VERBOSE.store(cli.verbose, std::sync::atomic::Ordering::Relaxed);
    if cli.timings {
        ifacealloc::timings::enable();
    }
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
    ifacealloc::interrupt::wait_if_interrupted();
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
    ifacealloc::timings::report();
    ifacealloc::interrupt::finish();
}
