//! `completions` and `man`: generated from the command-line definition in
//! `cli.rs` (clap_complete, clap_mangen), so they never drift from it.
//! Both print to standard output; installing them is the user's move (docs/integrations.md).

use clap::{CommandFactory, ValueEnum};

use crate::cli::Cli;
use crate::output;

/// The shells whose scripts are checked by a real parser in the tests
/// (`bash -n`, `zsh -n`, `fish --no-execute`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

const BIN: &str = "sriov-doctor";

/// `sriov-doctor completions SHELL`.
pub fn completions(shell: Shell) -> Result<i32, String> {
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    output::stdout(&completion_script(generator, shell)?)?;
    Ok(0)
}

/// clap_complete's bash script names its states inconsistently when the
/// binary's name has a hyphen, and then completes nothing after a command
/// (`sriov-doctor check --<Tab>`; clap-rs/clap#6421, open in 4.6.11). So the
/// bash script is generated for a name without one and registered for the
/// real name; the other shells use the name as it is.
fn completion_script(generator: clap_complete::Shell, shell: Shell) -> Result<String, String> {
    const BASH_NAME: &str = "sriov_doctor";
    let name = if shell == Shell::Bash { BASH_NAME } else { BIN };
    let mut buf = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), name, &mut buf);
    let text = String::from_utf8(buf).map_err(|e| format!("completion script: {e}"))?;
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
        return Err("bash completion: clap_complete's script has no `complete -F` line".into());
    }
    Ok(out)
}

/// `sriov-doctor man [COMMAND]`: sriov-doctor(1), or sriov-doctor-COMMAND(1).
pub fn man(command: Option<&str>) -> Result<i32, String> {
    output::stdout(&man_page(command)?)?;
    Ok(0)
}

/// The roff source of one page.
pub fn man_page(command: Option<&str>) -> Result<String, String> {
    // Built, so that each command knows its display name (sriov-doctor-check)
    // and the main page can refer to it; `help` has no page of its own.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => cmd
            .get_subcommands()
            .find(|c| c.get_name() == name)
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                format!(
                    "no command '{name}' (one of: {}; or none for sriov-doctor(1))",
                    names.join(", ")
                )
            })?,
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page)
        // No date (the page is as old as the binary): an explicitly empty
        // argument, since roff 1.1 writes "" as nothing, which would shift
        // the source and manual into .TH's date field.
        .date("\"\"")
        .manual("sriov-doctor manual")
        .render(&mut buf)
        .map_err(|e| format!("man page: {e}"))?;
    String::from_utf8(buf).map_err(|e| format!("man page: {e}"))
}

/// Every command that has a page of its own, for install scripts and tests.
pub fn man_commands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_page_that_names_it() {
        let commands = man_commands();
        assert!(commands.iter().any(|c| c == "summarize"), "{commands:?}");
        for c in &commands {
            let page = man_page(Some(c)).unwrap();
            assert!(
                page.contains(&format!(".TH sriov-doctor-{c} 1")),
                "{c}: {}",
                &page[..page.len().min(300)]
            );
        }
        let main = man_page(None).unwrap();
        // Title, section, an empty date, source, manual: each in its place.
        let th = format!(
            ".TH sriov-doctor 1 \"\" \"sriov-doctor {}\" \"sriov-doctor manual\"\n",
            env!("CARGO_PKG_VERSION")
        );
        assert!(main.contains(&th), "{th}{main}");
        // The main page refers to each command's own page.
        assert!(main.contains("sriov\\-doctor\\-check(1)"), "{main}");
    }

    #[test]
    fn an_unknown_command_is_an_error_that_lists_the_real_ones() {
        let e = man_page(Some("nope")).unwrap_err();
        assert!(
            e.contains("no command 'nope'") && e.contains("check"),
            "{e}"
        );
        assert!(man_page(Some("help")).is_err(), "help has no page");
    }
}
