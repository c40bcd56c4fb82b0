//! The values a completion offers that only a run can know: the PCI
//! addresses of the host being read, the rule ids, the man pages. Each is
//! read-only and bounded (one directory listing and two links per device;
//! the rules' files), and any error is no candidates, never a message in
//! the middle of the user's line.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueHint;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

use crate::hostfs::{base_name, DirFs, HostFs};

/// The words of the command line being completed (the program's name
/// first), for the options that say which host or rules to read.
#[derive(Debug, Default)]
pub struct Line {
    words: Vec<OsString>,
}

impl Line {
    pub fn new(words: Vec<OsString>) -> Line {
        Line { words }
    }

    /// The last value given to `--NAME` on the line (`--NAME V` or
    /// `--NAME=V`), not counting the word being completed.
    fn option(&self, name: &str) -> Option<PathBuf> {
        let flag = format!("--{name}");
        let before_current = &self.words[..self.words.len().saturating_sub(1)];
        let mut found = None;
        let mut words = before_current.iter();
        while let Some(w) = words.next() {
            let text = w.to_string_lossy();
            if text == flag {
                found = words.next().map(PathBuf::from);
            } else if let Some(v) = text.strip_prefix(&format!("{flag}=")) {
                found = Some(PathBuf::from(v));
            }
        }
        found
    }

    /// The host the line reads: `--bundle FILE`, `--root DIR`, or this
    /// machine; `None` when it cannot be opened.
    fn host(&self) -> Option<Box<dyn HostFs>> {
        if let Some(file) = self.option("bundle") {
            return crate::bundle::open(&file)
                .ok()
                .map(|b| Box::new(b) as Box<dyn HostFs>);
        }
        match self.option("root") {
            Some(dir) => DirFs::tree(&dir)
                .ok()
                .map(|t| Box::new(t) as Box<dyn HostFs>),
            None => Some(Box::new(DirFs::live())),
        }
    }
}

/// What an argument's values are, for completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A PCI address of the host the line reads.
    Device,
    /// A rule id, built in or from `--rules DIR`.
    Rule,
    /// A command that has a man page of its own.
    Page,
    /// A directory (`--root`, `--rules`).
    Dir,
    /// A file or a directory.
    Path,
}

/// The kind of `arg` of command `command`, from its value name (ADDR, DIR,
/// FILE, …) or, for positionals named by their id, from that; `None` for
/// flags, closed sets (clap completes those itself) and free text.
pub fn kind_of(command: &str, arg: &clap::Arg) -> Option<Kind> {
    if !arg.get_action().takes_values() || !arg.get_possible_values().is_empty() {
        return None;
    }
    let name = arg
        .get_value_names()
        .and_then(|n| n.first())
        .map(|n| n.as_str().to_string())
        .unwrap_or_else(|| arg.get_id().as_str().to_ascii_uppercase());
    match (command, name.as_str()) {
        (_, "ADDR" | "ADDRESS" | "DEVICE") => Some(Kind::Device),
        (_, "RULE") | ("rules", "ID") => Some(Kind::Rule),
        ("man", "COMMAND") => Some(Kind::Page),
        // DMAR, IVRS, or a file holding a table.
        ("acpi", "TABLE") => Some(Kind::Path),
        (_, "DIR") => Some(Kind::Dir),
        (_, "FILE" | "PATH" | "REPORT") => Some(Kind::Path),
        _ => None,
    }
}

impl Kind {
    /// `arg` with this kind's completer (or the path hint clap's engine
    /// completes paths by).
    pub fn apply(self, arg: clap::Arg, line: Arc<Line>) -> clap::Arg {
        match self {
            Kind::Dir => arg.value_hint(ValueHint::DirPath),
            Kind::Path => arg.value_hint(ValueHint::AnyPath),
            Kind::Device => arg.add(ArgValueCompleter::new(move |c: &OsStr| devices(&line, c))),
            Kind::Rule => arg.add(ArgValueCompleter::new(move |c: &OsStr| rules(&line, c))),
            Kind::Page => arg.add(ArgValueCompleter::new(pages)),
        }
    }
}

/// The host's PCI addresses that begin with `current`, in the form it is
/// typed in: `0000:03:10.0`, `03:10.0` (domain 0000), or libvirt's
/// `pci_0000_03_10_0`; each with its driver and, for a VF, its PF.
pub fn devices(line: &Line, current: &OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let Some(fs) = line.host() else {
        return Vec::new();
    };
    let Ok(addresses) = crate::probes::pci::addresses(&*fs) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for address in addresses {
        let full = address.to_string();
        let value = if current.starts_with("pci_") {
            format!("pci_{}", full.replace([':', '.'], "_"))
        } else if full.starts_with(current.as_ref()) {
            full.clone()
        } else {
            match full.strip_prefix("0000:") {
                Some(short) if !current.is_empty() => short.to_string(),
                _ => continue,
            }
        };
        if value.starts_with(current.as_ref()) {
            out.push(CompletionCandidate::new(value).help(Some(describe(&*fs, &full).into())));
        }
    }
    out
}

/// `igbvf, VF of 0000:03:00.0`, `no driver`: what tells devices apart in a
/// list of addresses.
fn describe(fs: &dyn HostFs, address: &str) -> String {
    let dir = format!("/sys/bus/pci/devices/{address}");
    let driver = fs
        .read_link(&format!("{dir}/driver"))
        .map(|t| base_name(&t).to_string())
        .unwrap_or_else(|_| "no driver".into());
    match fs.read_link(&format!("{dir}/physfn")) {
        Ok(pf) => format!("{driver}, VF of {}", base_name(&pf)),
        Err(_) => driver,
    }
}

/// The rule ids that begin with `current`, with their titles: the built-in
/// rules and those of `--rules DIR` on the line.
pub fn rules(line: &Line, current: &OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let dir = line.option("rules");
    match crate::rules::Engine::load(dir.as_deref()) {
        Ok(engine) => engine
            .rules
            .iter()
            .filter(|r| r.id.starts_with(current.as_ref()))
            .map(|r| CompletionCandidate::new(&r.id).help(Some(r.title.clone().into())))
            .collect(),
        // A folder with a broken rule still has its ids.
        Err(_) => crate::rules::Engine::rule_ids(dir.as_deref())
            .into_iter()
            .filter(|id| id.starts_with(current.as_ref()))
            .map(CompletionCandidate::new)
            .collect(),
    }
}

/// The commands with a man page of their own that begin with `current`.
pub fn pages(current: &OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    super::super::man_commands()
        .into_iter()
        .filter(|c| c.starts_with(current.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}
