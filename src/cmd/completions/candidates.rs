//! The values a completion offers that only a run can know: the PCI
//! addresses of the host being read, the rule ids, the man pages. Each is
//! read-only and bounded (one directory listing and two links per device;
//! the rules' files), and any error is no candidates, never a message in
//! the middle of the user's line.

use std::path::{Path, PathBuf};

use crate::hostfs::{base_name, DirFs, HostFs};

/// One value offered, with what tells it apart (fish and zsh show it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    pub help: Option<String>,
}

impl Candidate {
    pub fn new(value: impl Into<String>, help: Option<String>) -> Candidate {
        Candidate {
            value: value.into(),
            help,
        }
    }
}

/// The words of the command line being completed (the program's name
/// first, the word being completed last), and the directory it is typed in.
#[derive(Debug, Default)]
pub struct Line {
    pub words: Vec<String>,
    pub cwd: PathBuf,
}

impl Line {
    pub fn new(words: Vec<String>, cwd: PathBuf) -> Line {
        Line { words, cwd }
    }

    /// A path as typed on the line, relative to where it was typed.
    fn path(&self, typed: &Path) -> PathBuf {
        self.cwd.join(typed)
    }

    /// The last value given to `--NAME` on the line (`--NAME V` or
    /// `--NAME=V`), not counting the word being completed.
    fn option(&self, name: &str) -> Option<PathBuf> {
        let flag = format!("--{name}");
        let before_current = &self.words[..self.words.len().saturating_sub(1)];
        let mut found = None;
        let mut words = before_current.iter();
        while let Some(w) = words.next() {
            if *w == flag {
                found = words.next().map(PathBuf::from);
            } else if let Some(v) = w.strip_prefix(&format!("{flag}=")) {
                found = Some(PathBuf::from(v));
            }
        }
        found.map(|p| self.path(&p))
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
    /// A libvirt guest with a log on the host the line reads.
    Guest,
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
        ("explain", "NAME") => Some(Kind::Guest),
        ("man", "COMMAND") => Some(Kind::Page),
        // DMAR, IVRS, or a file holding a table.
        ("acpi", "TABLE") => Some(Kind::Path),
        (_, "DIR") => Some(Kind::Dir),
        (_, "FILE" | "PATH" | "REPORT") => Some(Kind::Path),
        _ => None,
    }
}

/// The host's PCI addresses that begin with `current`, in the form it is
/// typed in: `0000:03:10.0`, `03:10.0` (domain 0000), or libvirt's
/// `pci_0000_03_10_0`; each with its driver and, for a VF, its PF.
pub fn devices(line: &Line, current: &str) -> Vec<Candidate> {
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
        } else if full.starts_with(current) {
            full.clone()
        } else {
            match full.strip_prefix("0000:") {
                Some(short) if !current.is_empty() => short.to_string(),
                _ => continue,
            }
        };
        if value.starts_with(current) {
            out.push(Candidate::new(value, Some(describe(&*fs, &full))));
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
pub fn rules(line: &Line, current: &str) -> Vec<Candidate> {
    let dir = line.option("rules");
    match crate::rules::Engine::load(dir.as_deref()) {
        Ok(engine) => engine
            .rules
            .iter()
            .filter(|r| r.id.starts_with(current))
            .map(|r| Candidate::new(&r.id, Some(r.title.clone())))
            .collect(),
        // A folder with a broken rule still has its ids.
        Err(_) => crate::rules::Engine::rule_ids(dir.as_deref())
            .into_iter()
            .filter(|id| id.starts_with(current))
            .map(|id| Candidate::new(id, None))
            .collect(),
    }
}

/// The guests with a libvirt log (/var/log/libvirt/qemu/NAME.log) on the
/// host the line reads whose names begin with `current`; at most 1,000.
pub fn guests(line: &Line, current: &str) -> Vec<Candidate> {
    let Some(fs) = line.host() else {
        return Vec::new();
    };
    let mut out: Vec<Candidate> = fs
        .list_dir(crate::explain::guest_log::LOG_DIR)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.strip_suffix(".log").map(str::to_string))
        .filter(|n| n.starts_with(current) && crate::explain::guest_log::check_name(n).is_ok())
        .take(1_000)
        .map(|n| Candidate::new(n, None))
        .collect();
    out.sort_by(|a, b| a.value.cmp(&b.value));
    out
}

/// The commands with a man page of their own that begin with `current`.
pub fn pages(current: &str) -> Vec<Candidate> {
    super::super::man_commands()
        .into_iter()
        .filter(|c| c.starts_with(current))
        .map(|c| Candidate::new(c, None))
        .collect()
}

/// The entries of the directory `current` names that begin with its last
/// component, directories with a `/`; only directories when `dirs_only`.
/// Hidden entries only when asked for with a dot. At most 1,000.
pub fn paths(line: &Line, current: &str, dirs_only: bool) -> Vec<Candidate> {
    let (dir, name) = match current.rfind('/') {
        Some(i) => (&current[..=i], &current[i + 1..]),
        None => ("", current),
    };
    let Ok(entries) =
        std::fs::read_dir(line.path(Path::new(if dir.is_empty() { "." } else { dir })))
    else {
        return Vec::new();
    };
    let mut out: Vec<Candidate> = entries
        .flatten()
        .take(10_000)
        .filter_map(|e| {
            let file = e.file_name().to_str()?.to_string();
            if !file.starts_with(name) || (file.starts_with('.') && !name.starts_with('.')) {
                return None;
            }
            // Followed, as the shell follows a link to a directory.
            let is_dir = std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
            match (is_dir, dirs_only) {
                (true, _) => Some(Candidate::new(format!("{dir}{file}/"), None)),
                (false, false) => Some(Candidate::new(format!("{dir}{file}"), None)),
                (false, true) => None,
            }
        })
        .collect();
    out.sort_by(|a, b| a.value.cmp(&b.value));
    out.truncate(1000);
    out
}
