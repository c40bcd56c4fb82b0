//! `completions`: the shell completion scripts, generated from the
//! command-line definition (clap_complete), so they never drift from it.
//! Printed to standard output; installing them is the user's move
//! (docs/integrations.md).

use clap::{CommandFactory, ValueEnum};

use super::Cli;
use crate::error::{Error, Outcome};
use crate::output;

/// The shells whose scripts are checked by a real parser in the tests
/// (`bash -n`, `zsh -n`, `fish --no-execute`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

pub(super) const BIN: &str = "sriov-doctor";

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_enum)]
    shell: Shell,
}

/// `sriov-doctor completions SHELL`.
pub fn run(a: &Args) -> Result<Outcome, Error> {
    let shell = a.shell;
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let script = completion_script(generator, shell)?;
    output::stdout(&script).map_err(Error::Output)?;
    Ok(Outcome::Clean)
}

/// clap_complete's bash script names its states inconsistently when the
/// binary's name has a hyphen, and then completes nothing after a command
/// (`sriov-doctor check --<Tab>`; clap-rs/clap#6421, open in 4.6.11). So the
/// bash script is generated for a name without one and registered for the
/// real name; the other shells use the name as it is.
fn completion_script(generator: clap_complete::Shell, shell: Shell) -> Result<String, Error> {
    const BASH_NAME: &str = "sriov_doctor";
    let name = if shell == Shell::Bash { BASH_NAME } else { BIN };
    let mut buf = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), name, &mut buf);
    let text =
        String::from_utf8(buf).map_err(|e| Error::Internal(format!("completion script: {e}")))?;
    if shell != Shell::Bash {
        return Ok(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut registered = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        match body.strip_suffix(&format!(" {BASH_NAME}")) {
            Some(head) if body.trim_start().starts_with("complete -F ") => {
                registered = true;
                out.push_str(head);
                out.push(' ');
                out.push_str(BIN);
                out.push('\n');
            }
            _ => out.push_str(line),
        }
    }
    if !registered {
        return Err(Error::Internal(
            "bash completion: clap_complete's script has no `complete -F` line".into(),
        ));
    }
    Ok(out)
}
