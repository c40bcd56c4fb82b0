//! What to offer for the last word of a command line, read against the
//! clap definition itself: the command, then each word as clap would take
//! it (a long option with or without `=VALUE`, short options, the value an
//! option takes, positionals in order), so options anywhere complete.
//!
//! Our own rather than clap_complete's dynamic engine: that engine
//! completes `~/` paths through `std::env::home_dir`, which links glibc's
//! getpwuid_r, and the static binary must carry no NSS lookup
//! (tests/it/static_binary.rs).

use clap::{Arg, Command};

use super::candidates::{self, Candidate, Kind, Line};

/// The candidates for the last word of `line` under `cmd` (built).
pub fn complete(cmd: &Command, line: &Line) -> Vec<Candidate> {
    let Some((current, before)) = line.words.split_last() else {
        return Vec::new();
    };
    let mut sub: Option<&Command> = None;
    let mut expecting: Option<&Arg> = None;
    let mut positionals = 0;
    let mut only_positionals = false;
    for word in before.iter().skip(1) {
        let here = sub.unwrap_or(cmd);
        if expecting.take().is_some() {
            continue;
        }
        if word == "--" && !only_positionals {
            only_positionals = true;
        } else if let (Some(long), false) = (word.strip_prefix("--"), only_positionals) {
            let (name, value) = split_value(long);
            expecting = long_arg(here, name).filter(|a| takes_value(a) && value.is_none());
        } else if let (Some(shorts), false) = (word.strip_prefix('-'), only_positionals) {
            // A cluster (-qd ADDR, -dADDR): the first short that takes a
            // value takes the rest of the word, or the next word.
            for (i, c) in shorts.char_indices() {
                if let Some(a) = short_arg(here, c).filter(|a| takes_value(a)) {
                    if i + c.len_utf8() == shorts.len() {
                        expecting = Some(a);
                    }
                    break;
                }
            }
        } else if sub.is_none() {
            match cmd.find_subcommand(word) {
                Some(s) => sub = Some(s),
                None => return Vec::new(),
            }
        } else {
            positionals += 1;
        }
    }
    let here = sub.unwrap_or(cmd);
    if let Some(arg) = expecting {
        return values(here, arg, line, current);
    }
    if !only_positionals {
        if let Some(long) = current.strip_prefix("--") {
            if let (name, Some(value)) = split_value(long) {
                let Some(arg) = long_arg(here, name) else {
                    return Vec::new();
                };
                return values(here, arg, line, value)
                    .into_iter()
                    .map(|c| Candidate::new(format!("--{name}={}", c.value), c.help))
                    .collect();
            }
        }
        if current.starts_with('-') {
            return options(here, current);
        }
    }
    let Some(s) = sub else {
        return cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name().starts_with(current.as_str()))
            .map(|s| {
                Candidate::new(
                    s.get_name(),
                    s.get_about().map(|a| first_line(&a.to_string())),
                )
            })
            .collect();
    };
    let mut args: Vec<&Arg> = s.get_positionals().filter(|a| !a.is_hide_set()).collect();
    args.sort_by_key(|a| a.get_index());
    let arg = match args.get(positionals) {
        Some(a) => Some(*a),
        // A last positional that takes many values takes the rest.
        None => args
            .last()
            .copied()
            .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1)),
    };
    arg.map(|a| values(s, a, line, current)).unwrap_or_default()
}

/// `name=value` as its name and value; `name` alone has none.
fn split_value(long: &str) -> (&str, Option<&str>) {
    match long.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (long, None),
    }
}

fn takes_value(a: &Arg) -> bool {
    a.get_action().takes_values()
}

fn long_arg<'c>(cmd: &'c Command, name: &str) -> Option<&'c Arg> {
    cmd.get_arguments().find(|a| {
        a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|al| al.contains(&name))
    })
}

fn short_arg(cmd: &Command, c: char) -> Option<&Arg> {
    cmd.get_arguments().find(|a| a.get_short() == Some(c))
}

/// The long options of `cmd` that begin with `current`.
fn options(cmd: &Command, current: &str) -> Vec<Candidate> {
    cmd.get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| Some((format!("--{}", a.get_long()?), a)))
        .filter(|(long, _)| long.starts_with(current))
        .map(|(long, a)| Candidate::new(long, a.get_help().map(|h| first_line(&h.to_string()))))
        .collect()
}

/// The values of `arg` of command `cmd` that begin with `current`: its
/// possible values, or what [`candidates::kind_of`] says it takes.
fn values(cmd: &Command, arg: &Arg, line: &Line, current: &str) -> Vec<Candidate> {
    let possible = arg.get_possible_values();
    if !possible.is_empty() {
        return possible
            .iter()
            .filter(|p| !p.is_hide_set() && p.get_name().starts_with(current))
            .map(|p| {
                Candidate::new(
                    p.get_name(),
                    p.get_help().map(|h| first_line(&h.to_string())),
                )
            })
            .collect();
    }
    match candidates::kind_of(cmd.get_name(), arg) {
        Some(Kind::Device) => candidates::devices(line, current),
        Some(Kind::Rule) => candidates::rules(line, current),
        Some(Kind::Guest) => candidates::guests(line, current),
        Some(Kind::Page) => candidates::pages(current),
        Some(Kind::Dir) => candidates::paths(line, current, true),
        Some(Kind::Path) => candidates::paths(line, current, false),
        None => Vec::new(),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
