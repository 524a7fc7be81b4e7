use ifacealloc::cmd::{self, Cli, Command};
use ifacealloc::go::command::exit_code;

/// Ends the process with `code` when it is not 0 (a check that found failures).
fn exit_unless_zero(code: i32) {
    ifacealloc::cli::interrupt::wait_if_interrupted();
    if code != 0 {
        ifacealloc::cli::timings::report();
        ifacealloc::cli::interrupt::finish();
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

/// `--version`'s long form: the commit, and the Go toolchain a run would use.
fn long_version() -> String {
    let go = match ifacealloc::go::toolchain::Toolchain::resolve(None) {
        Ok(tcs) => tcs
            .first()
            .map(|t| {
                // `go` from PATH, shown as the file it is.
                let path = if t.go.components().count() == 1 {
                    std::env::var_os("PATH")
                        .iter()
                        .flat_map(std::env::split_paths)
                        .map(|d| d.join(&t.go))
                        .find(|p| p.is_file())
                        .unwrap_or_else(|| t.go.clone())
                } else {
                    t.go.clone()
                };
                format!(
                    "{} {}/{} at {}",
                    t.goversion,
                    t.goos,
                    t.goarch,
                    path.display()
                )
            })
            .unwrap_or_default(),
        Err(e) => format!("none usable ({e})"),
    };
    format!(
        "{} (commit {})\ngo: {go}",
        env!("CARGO_PKG_VERSION"),
        env!("IFACEALLOC_COMMIT")
    )
}

fn main() {
    ifacealloc::cli::interrupt::install();
    use clap::{CommandFactory, FromArgMatches};
    let mut command = Cli::command();
    // The toolchain is looked up only when the version is asked for.
    if std::env::args_os().any(|a| a == "--version" || a == "-V") {
        // Leaked once: clap keeps 'static text, and the process ends after printing it.
        command = command.long_version(&*Box::leak(long_version().into_boxed_str()));
    }
    let parsed = command
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
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
    ifacealloc::go::command::VERBOSE.store(cli.verbose, std::sync::atomic::Ordering::Relaxed);
    if cli.timings {
        ifacealloc::cli::timings::enable();
    }
    let result = match &cli.command {
        Command::Matrix(a) => cmd::matrix::run(a, cli.go.as_deref()),
        Command::Bench2md(a) => cmd::bench2md::run(a, cli.go.as_deref()).map(exit_unless_zero),
        Command::Asm2md(a) => cmd::asm2md::run(a, cli.go.as_deref()),
        Command::Explain(a) => cmd::explain::run(a, cli.go.as_deref()).map(exit_unless_zero),
        Command::Lem(a) => cmd::lem::run(a, cli.go.as_deref()).map(exit_unless_zero),
        Command::Scan(a) => cmd::scan::run(a, cli.go.as_deref()).map(exit_unless_zero),
        Command::Asm(a) => cmd::asm::run(a, cli.go.as_deref()),
        Command::Lsp(a) => cmd::lsp::run(a, cli.go.as_deref()),
        Command::Check(a) => cmd::check::run(a, cli.go.as_deref()).map(exit_unless_zero),
        Command::Lab(a) => cmd::lab::run(a, cli.go.as_deref()).map(exit_unless_zero),
        Command::Completions(a) => cmd::completions::completions(a),
        Command::Man => cmd::completions::man(),
    };
    ifacealloc::cli::interrupt::wait_if_interrupted();
    if let Err(e) = result {
        // One line for bad input; a failed go command adds its own output.
        let mut msg = format!("ifacealloc: {e}");
        if let Some(cause) = e.chain().nth(1) {
            if !msg.contains(&cause.to_string()) {
                msg.push_str(&format!(": {cause}"));
            }
        }
        eprintln!("{msg}");
        ifacealloc::cli::interrupt::finish();
        std::process::exit(exit_code(&e));
    }
    ifacealloc::cli::timings::report();
    ifacealloc::cli::interrupt::finish();
}
