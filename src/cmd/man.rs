//! `man`: the man pages, generated from the command-line definition
//! (clap_mangen), so they never drift from it.

use clap::CommandFactory;

use super::Cli;
use crate::error::{Error, Outcome};
use crate::output;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A command (check, explain, …) for its own page, sriov-doctor-COMMAND(1).
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

/// `sriov-doctor man [COMMAND]`: sriov-doctor(1), or sriov-doctor-COMMAND(1).
pub fn run(a: &Args) -> Result<Outcome, Error> {
    let page = man_page(a.command.as_deref())?;
    output::stdout(&page).map_err(Error::Output)?;
    Ok(Outcome::Clean)
}

/// The roff source of one page.
pub fn man_page(command: Option<&str>) -> Result<String, Error> {
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
                Error::Usage(format!(
                    "no command '{name}' (one of: {}; or none for sriov-doctor(1))",
                    names.join(", ")
                ))
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
        .map_err(|e| Error::Internal(format!("man page: {e}")))?;
    String::from_utf8(buf).map_err(|e| Error::Internal(format!("man page: {e}")))
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
        let e = man_page(Some("nope")).unwrap_err().to_string();
        assert!(
            e.contains("no command 'nope'") && e.contains("check"),
            "{e}"
        );
        assert!(man_page(Some("help")).is_err(), "help has no page");
    }
}
