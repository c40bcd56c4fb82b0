//! The process arguments, before clap reads them: `explain`'s message may
//! start with '-' as pasted ("-bash: echo: write error: Invalid argument"),
//! which clap would take for options. Such an argument holds a space, which
//! no option does: it is marked as message text, wherever it is on the line
//! (options stay accepted before and after it, and `--` still works).

use std::ffi::OsString;

use clap::CommandFactory;

use super::Cli;

/// Put before a message word that starts with '-', and taken off again by
/// [`message_word`]: a Unicode noncharacter, which is for a program's own
/// use and which no pasted message holds.
const MARK: char = '\u{FDD0}';

/// The message word as given (without the [`MARK`] that let it through).
pub(super) fn message_word(s: &str) -> Result<String, std::convert::Infallible> {
    Ok(s.strip_prefix(MARK).unwrap_or(s).to_string())
}

/// The options of `cmd` that take a value, as typed: `--root`, `-o`.
fn value_options(cmd: &clap::Command) -> Vec<String> {
    cmd.get_arguments()
        .filter(|a| !a.is_positional() && a.get_action().takes_values())
        .flat_map(|a| {
            let long = a.get_long().map(|l| format!("--{l}"));
            let short = a.get_short().map(|s| format!("-{s}"));
            long.into_iter().chain(short)
        })
        .collect()
}

/// `args` with each `explain` argument that starts with one '-', holds a
/// space and is no option's value marked as message text; any other
/// command line as it is.
pub fn mark_messages(args: Vec<OsString>) -> Vec<OsString> {
    let cli = Cli::command();
    let top = value_options(&cli);
    // The command: the first argument that is neither an option nor the
    // value of one.
    let mut i = 1;
    while let Some(a) = args.get(i).and_then(|a| a.to_str()) {
        if top.iter().any(|o| o == a) {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    if args.get(i).and_then(|a| a.to_str()) != Some("explain") {
        return args;
    }
    let explain = cli
        .find_subcommand("explain")
        .map(value_options)
        .unwrap_or_default();
    let mut out: Vec<OsString> = args[..=i].to_vec();
    let mut value_next = false;
    let mut rest = args[i + 1..].iter();
    for a in rest.by_ref() {
        let Some(s) = a.to_str() else {
            out.push(a.clone());
            value_next = false;
            continue;
        };
        if s == "--" {
            out.push(a.clone());
            break;
        }
        let message = !value_next
            && s.starts_with('-')
            && !s.starts_with("--")
            && s.contains(char::is_whitespace);
        value_next = !message && explain.iter().any(|o| o == s);
        out.push(if message {
            format!("{MARK}{s}").into()
        } else {
            a.clone()
        });
    }
    out.extend(rest.cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(args: &[&str]) -> Vec<String> {
        mark_messages(args.iter().map(OsString::from).collect())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn a_pasted_message_that_starts_with_a_dash_is_marked() {
        let m = format!("{MARK}-bash: echo: write error");
        assert_eq!(
            marked(&["sd", "explain", "-bash: echo: write error", "--root", "r"]),
            ["sd", "explain", &m, "--root", "r"]
        );
        assert_eq!(
            marked(&["sd", "--color", "never", "explain", "-bash: x y"]),
            [
                "sd",
                "--color",
                "never",
                "explain",
                &format!("{MARK}-bash: x y")
            ]
        );
        assert_eq!(message_word(&m).unwrap(), "-bash: echo: write error");
        assert_eq!(message_word("plain").unwrap(), "plain");
    }

    #[test]
    fn options_values_and_other_commands_are_left_alone() {
        for args in [
            // No space: an option, or clap's error for one.
            &["sd", "explain", "-h"][..],
            &["sd", "explain", "--format", "json", "msg"],
            // The value of an option, even with a space.
            &["sd", "explain", "--root", "-odd dir", "msg"],
            // After `--`, clap takes every word as it is.
            &["sd", "explain", "--", "-bash: x"],
            // Another command.
            &["sd", "check", "-d x y"],
            &["sd", "--color", "explain", "-x y"],
        ] {
            assert_eq!(marked(args), args, "{args:?}");
        }
    }
}
