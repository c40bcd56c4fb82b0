//! The command line: the arguments of every command (one file each), and
//! the dispatch that runs one and returns its exit code (0 nothing failed,
//! 1 a check failed, 2 usage or tool error, 3 incomplete).

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{self, Error, Outcome};
use crate::output;

mod acpi;
mod argv;
mod bundle;
mod check;
mod completions;
mod explain;
mod host;
mod hostdev;
mod list;
mod man;
mod rules;

pub use completions::{complete_from_env, Shell};
pub use man::{man_commands, man_page};

#[derive(Parser, Debug)]
#[command(
    name = "sriov-doctor",
    version,
    about = "Can this host give an SR-IOV virtual function to a guest? If not, why not, and what to do.",
    after_help = "Exit codes: 0 nothing failed (warnings allowed), 1 at least one check failed, 2 usage or tool error (output that could not be written included), 3 incomplete: nothing failed, but a check that applies could not read its inputs (run as root for a full answer)."
)]
pub struct Cli {
    /// When to color the text output: auto (the default) colors a terminal
    /// unless NO_COLOR is set. Also accepted after the command.
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--color WHEN`, on the commands whose text output has colors (`check`,
/// `explain`, `list`); the others have none to turn off.
#[derive(clap::Args, Debug)]
pub struct ColorArg {
    /// When to color the text output: auto (the default) colors a terminal
    /// unless NO_COLOR is set.
    #[arg(long, value_enum, value_name = "WHEN")]
    color: Option<ColorChoice>,
}

impl ColorArg {
    /// Whether to color: this command's --color, else the one before the
    /// command, else auto.
    fn resolve(&self, before: Option<ColorChoice>) -> bool {
        output::use_color(match self.color.or(before).unwrap_or(ColorChoice::Auto) {
            ColorChoice::Auto => "auto",
            ColorChoice::Always => "always",
            ColorChoice::Never => "never",
        })
    }
}

/// Text for a person, or one JSON document for scripts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For a person to read.
    Text,
    /// One JSON document, for scripts.
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the host (or a captured tree) for everything VF assignment needs.
    Check(check::Args),
    /// Explain an error message or log: which checks fail for the devices
    /// and groups it names, most likely cause first.
    Explain(explain::Args),
    /// The SR-IOV inventory: each PF with its VFs, drivers, IOMMU groups and
    /// who holds them.
    List(list::Args),
    /// Print libvirt's <hostdev> element for a device (bus, slot and
    /// function in hex), and how to use it.
    Hostdev(hostdev::Args),
    /// Decode the firmware's IOMMU tables (ACPI DMAR, IVRS) and resolve
    /// their device scopes on this host's buses.
    Acpi(acpi::Args),
    /// Write a support bundle: everything the checks read on this host (or
    /// a captured tree), with the report, in one JSON document. Names,
    /// addresses, serials and user data are redacted unless --no-redact.
    Bundle(bundle::Args),
    /// Summarize many `check --format json` reports (files or directories
    /// of *.json): hosts × rules, with the failing subjects.
    Summarize(SummarizeArgs),
    /// Print a shell completion script to standard output.
    Completions(completions::Args),
    /// Print the man page (roff) of sriov-doctor, or of one of its commands.
    Man(man::Args),
    /// List the rules, or show one rule's documentation.
    Rules(rules::Args),
}

/// `summarize`: its work is all in [`crate::summarize`].
#[derive(clap::Args, Debug)]
pub struct SummarizeArgs {
    /// Reports written by `sriov-doctor check --format json`, or
    /// directories holding them (every *.json inside).
    #[arg(required = true, value_name = "REPORT")]
    reports: Vec<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::summarize::SummaryFormat::Text)]
    format: crate::summarize::SummaryFormat,
}

/// Parses the process arguments and runs; returns the exit code.
pub fn main() -> i32 {
    let result = match Cli::try_parse_from(argv::mark_messages(std::env::args_os().collect())) {
        Ok(cli) => run(&cli),
        // --help and --version come as clap errors too, for standard output.
        Err(e) if !e.use_stderr() => output::stdout(&crate::render::wrap::help(
            &e.render().to_string(),
            crate::render::wrap::DEFAULT_WIDTH,
        ))
        .map(|()| Outcome::Clean)
        .map_err(Error::Output),
        Err(e) => Err(Error::Arguments(e.render().to_string())),
    };
    match &result {
        Ok(_) => {}
        // clap's message is shown as clap words it.
        Err(Error::Arguments(text)) => output::stderr(text),
        Err(e) => output::stderr_wrapped(&format!("sriov-doctor: {e}")),
    }
    error::exit_code(&result)
}

/// Runs the parsed command: what it found, or why it could not run (see
/// [`error::exit_code`] for the exit code of each).
pub fn run(cli: &Cli) -> Result<Outcome, Error> {
    let before = cli.color;
    match &cli.command {
        Command::Check(a) => check::run(a, a.color.resolve(before)),
        Command::Explain(a) => explain::run(a, a.color.resolve(before)),
        Command::List(a) => list::run(a, a.color.resolve(before)),
        Command::Hostdev(a) => hostdev::run(a),
        Command::Acpi(a) => acpi::run(a),
        Command::Bundle(a) => bundle::run(a),
        Command::Summarize(a) => crate::summarize::run(&a.reports, a.format)
            .map(Outcome::from_code)
            .map_err(Error::Summarize),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
        Command::Rules(a) => rules::run(a),
    }
}
