//! `man`: the man pages, generated from the command-line definition
//! (clap_mangen), so they never drift from it.

use clap::CommandFactory;

use super::Cli;
use crate::error::{Error, Outcome};
use crate::output;

mod extra;

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

/// The roff source of one page: clap_mangen's sections from the
/// definition, then EXIT STATUS, EXAMPLES and SEE ALSO from [`extra`].
pub fn man_page(command: Option<&str>) -> Result<String, Error> {
    // Built, so that each command knows its display name (sriov-doctor-check)
    // and the main page can refer to it; `help` has no page of its own.
    // The main page's after-help is the exit codes, which EXIT STATUS says.
    let mut cmd = Cli::command()
        .disable_help_subcommand(true)
        .after_help(None::<&str>);
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
    let page = String::from_utf8(buf).map_err(|e| Error::Internal(format!("man page: {e}")))?;
    // Before clap_mangen's VERSION, where man-pages(7) puts them.
    let sections = extra::sections(command);
    Ok(match page.find("\n.SH VERSION\n") {
        Some(at) => format!("{}\n{sections}{}", &page[..at], &page[at + 1..]),
        None => format!("{page}{sections}"),
    })
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
    fn every_page_has_exit_status_examples_and_see_also_and_no_repository_path() {
        let mut pages = vec![None];
        let commands = man_commands();
        pages.extend(commands.iter().map(|c| Some(c.as_str())));
        for page in pages {
            let text = man_page(page).unwrap();
            // roff quotes an argument with a space.
            let at = |h: &str| {
                let arg = if h.contains(' ') {
                    format!("\"{h}\"")
                } else {
                    h.to_string()
                };
                text.find(&format!("\n.SH {arg}\n"))
            };
            let order: Vec<_> = ["OPTIONS", "EXIT STATUS", "EXAMPLES", "SEE ALSO"]
                .iter()
                .map(|h| at(h))
                .collect();
            assert!(
                order.iter().all(Option::is_some),
                "{page:?}: {order:?}\n{text}"
            );
            assert!(order.windows(2).all(|w| w[0] < w[1]), "{page:?}: {order:?}");
            // clap_mangen's VERSION (the main page's only) comes last.
            assert_eq!(at("VERSION").is_some(), page.is_none(), "{page:?}");
            if let Some(version) = at("VERSION") {
                assert!(Some(version) > order[3], "{page:?}");
            }
            assert!(
                at("EXTRA").is_none(),
                "{page:?}: the exit codes are EXIT STATUS"
            );
            for code in ["0", "1", "2", "3"] {
                assert!(
                    text.contains(&format!(".TP\n\\fB{code}\\fR\n")),
                    "{page:?}: {code}"
                );
            }
            // What an installed page refers to must exist where it is read.
            for path in ["docs/", ".md", "tests/", "README", "src/"] {
                assert!(!text.contains(path), "{page:?} names {path}");
            }
            let see_also = &text[at("SEE ALSO").unwrap()..];
            for other in ["virsh", "lspci", "virt\\-host\\-validate", "xl"] {
                if page.is_none() {
                    assert!(
                        see_also.contains(&format!("\\fB{other}\\fR")),
                        "{other}: {see_also}"
                    );
                }
            }
            if let Some(c) = page {
                assert!(
                    see_also.contains("\\fBsriov\\-doctor\\fR(1)"),
                    "{c}: {see_also}"
                );
            }
        }
    }

    /// EXIT STATUS has every code [`crate::error::exit_code`] gives, and
    /// no other.
    #[test]
    fn exit_status_is_the_codes_of_exit_code() {
        use crate::error::{exit_code, Outcome};
        let results = [
            Ok(Outcome::Clean),
            Ok(Outcome::Failed),
            Ok(Outcome::PartlyUnread),
            Ok(Outcome::Incomplete),
            Err(Error::Usage(String::new())),
            Err(Error::Output(String::new())),
        ];
        let mut codes: Vec<i32> = results.iter().map(exit_code).collect();
        codes.sort();
        codes.dedup();
        let documented: Vec<i32> = extra::EXIT_CODES.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, documented);
    }

    /// Every example that runs sriov-doctor is a command line it accepts.
    #[test]
    fn every_example_is_a_real_command_line() {
        use clap::Parser;
        let mut pages = vec![None];
        let commands = man_commands();
        pages.extend(commands.iter().map(|c| Some(c.as_str())));
        let mut checked = 0;
        for page in pages {
            let examples = extra::examples(page);
            assert!(!examples.is_empty(), "{page:?} has no example");
            for e in examples {
                for part in e.1.split('|') {
                    let words: Vec<&str> = part
                        .split_whitespace()
                        .skip_while(|w| *w == "sudo")
                        .take_while(|w| !w.starts_with('>') && !w.starts_with("2>"))
                        .collect();
                    if words.first() != Some(&"sriov-doctor") {
                        continue;
                    }
                    if let Err(err) = Cli::try_parse_from(&words) {
                        panic!("{page:?}: {}: {err}", e.1);
                    }
                    if let (Some(c), Some(sub)) = (page, words.get(1)) {
                        assert!(*sub == c || e.1.contains("check --bundle"), "{c}: {}", e.1);
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 20, "{checked}");
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
