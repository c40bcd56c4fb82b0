//! `completions`: the shell completion scripts. A script is small: at each
//! Tab the shell runs `sriov-doctor` again with the words of the line up
//! to the cursor (`SRIOV_DOCTOR_COMPLETE=SHELL sriov-doctor -- WORDS…`),
//! and [`engine`] answers from the command-line definition itself, so
//! completions never drift from it, with the values only a run can know
//! ([`candidates`]): the host's device addresses (or those of the `--root`
//! or `--bundle` on the same line), rule ids (with those of `--rules DIR`),
//! and the names of the man pages.
//!
//! Printed to standard output; installing them is the user's move
//! (docs/usage.md), or the packages'.

use clap::{CommandFactory, ValueEnum};

use super::Cli;
use crate::error::{Error, Outcome};
use crate::output;

mod candidates;
mod engine;
mod scripts;

use candidates::Line;

/// The shells whose scripts are checked by a real shell in the tests.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

pub(super) const BIN: &str = "sriov-doctor";

/// The environment variable that makes a run answer a completion request
/// (`SRIOV_DOCTOR_COMPLETE=bash sriov-doctor -- WORDS…`): named for this
/// tool, so that no variable a user set for something else can trigger it.
pub const VAR: &str = "SRIOV_DOCTOR_COMPLETE";

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_enum)]
    shell: Shell,
}

/// `sriov-doctor completions SHELL`.
pub fn run(a: &Args) -> Result<Outcome, Error> {
    let script = scripts::registration(a.shell)?;
    output::stdout(&script).map_err(Error::Output)?;
    Ok(Outcome::Clean)
}

/// Answers a completion request when [`VAR`] names a shell: the
/// candidates on standard output, and the exit code to end with. `None`:
/// an ordinary run.
pub fn complete_from_env() -> Option<i32> {
    let shell = std::env::var_os(VAR)?;
    let shell = match Shell::from_str(&shell.to_string_lossy(), false) {
        Ok(shell) => shell,
        Err(_) => {
            output::stderr(&format!(
                "sriov-doctor: {VAR}={}: not bash, zsh or fish",
                shell.to_string_lossy()
            ));
            return Some(2);
        }
    };
    // The words of the line being completed come after `--`.
    let words: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .skip_while(|a| a != "--")
        .skip(1)
        .collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let found = engine::complete(&command(), &Line::new(words, cwd));
    match output::stdout(&scripts::answer(shell, &found)) {
        Ok(()) => Some(0),
        Err(e) => {
            output::stderr(&format!("sriov-doctor: {e}"));
            Some(2)
        }
    }
}

/// The command-line definition, built (global options in every command,
/// --help and --version there), as the completion engine reads it.
fn command() -> clap::Command {
    let mut cmd = Cli::command();
    cmd.build();
    cmd
}

#[cfg(test)]
mod tests;
