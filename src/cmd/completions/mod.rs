//! `completions`: the shell completion scripts. A script is small: at each
//! Tab the shell runs `sriov-doctor` again with the words of the line
//! (clap_complete's `CompleteEnv` protocol, switched on by
//! [`VAR`]), and clap's completion engine answers from the command-line
//! definition itself, so completions never drift from it, with the values
//! only a run can know ([`candidates`]): the host's device addresses (or
//! those of the `--root` or `--bundle` on the same line), rule ids (with
//! those of `--rules DIR`), and the names of the man pages.
//!
//! Printed to standard output; installing them is the user's move
//! (docs/usage.md), or the packages'.

use std::ffi::OsString;
use std::sync::Arc;

use clap::{CommandFactory, ValueEnum};
use clap_complete::env::{CompleteEnv, Shells};

use super::Cli;
use crate::error::{Error, Outcome};
use crate::output;

mod candidates;
mod scripts;

use candidates::{Kind, Line};

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

/// Answers a completion request when [`VAR`] is set: the candidates on
/// standard output, and the exit code to end with. `None`: an ordinary run.
pub fn complete_from_env() -> Option<i32> {
    std::env::var_os(VAR)?;
    let args: Vec<OsString> = std::env::args_os().collect();
    // The words of the line being completed come after `--`.
    let words: Vec<OsString> = match args.iter().position(|a| a == "--") {
        Some(i) => args[i + 1..].to_vec(),
        None => Vec::new(),
    };
    let line = Arc::new(Line::new(words));
    let current_dir = std::env::current_dir().ok();
    let shells = Shells(&[&scripts::Bash, &scripts::Zsh, &clap_complete::env::Fish]);
    let env = CompleteEnv::with_factory(move || command(&line))
        .var(VAR)
        .bin(BIN)
        .completer(BIN)
        .shells(shells);
    match env.try_complete(args, current_dir.as_deref()) {
        Ok(true) => Some(0),
        Ok(false) => None,
        Err(e) => {
            output::stderr(&format!("sriov-doctor: completion: {e}"));
            Some(2)
        }
    }
}

/// The command-line definition with a completer on every argument whose
/// values a run can list: see [`candidates::kind_of`].
fn command(line: &Arc<Line>) -> clap::Command {
    let mut cmd = Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| attach(sub, line));
    }
    cmd
}

/// `sub` with the completer or value hint of each of its arguments. Only
/// arguments the command has are touched, so a renamed one cannot panic
/// (the tests say when one lost its completer).
fn attach(mut sub: clap::Command, line: &Arc<Line>) -> clap::Command {
    let kinds: Vec<(String, Kind)> = sub
        .get_arguments()
        .filter_map(|a| {
            Some((
                a.get_id().to_string(),
                candidates::kind_of(sub.get_name(), a)?,
            ))
        })
        .collect();
    for (id, kind) in kinds {
        let line = Arc::clone(line);
        sub = sub.mut_arg(id, move |a| kind.apply(a, line));
    }
    sub
}

#[cfg(test)]
mod tests;
