//! What the commands share: the host to read (this machine, a captured
//! tree, a bundle) and the rules to run, loaded side by side.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::hostfs::{DirFs, HostFs};
use crate::rules::Engine;

/// `--root DIR` or `--bundle FILE`: the host a command reads.
#[derive(clap::Args, Debug)]
pub struct HostArgs {
    /// Read a captured host tree instead of this machine.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Replay a support bundle (made by `sriov-doctor bundle`) instead of a host.
    #[arg(long, value_name = "FILE", conflicts_with = "root")]
    pub bundle: Option<PathBuf>,
}

impl HostArgs {
    /// The option that names this host again, for a command the output
    /// suggests (" --root DIR", " --bundle FILE"; empty for this machine).
    pub fn again(&self) -> String {
        match (&self.root, &self.bundle) {
            (_, Some(file)) => format!(" --bundle {}", shell_word(&file.to_string_lossy())),
            (Some(dir), None) => format!(" --root {}", shell_word(&dir.to_string_lossy())),
            (None, None) => String::new(),
        }
    }

    /// The root to read: a support bundle, a captured tree, or this machine.
    pub fn open(&self) -> Result<Box<dyn HostFs>, Error> {
        match &self.bundle {
            Some(file) => Ok(Box::new(crate::bundle::open(file).map_err(Error::Host)?)),
            None => Ok(Box::new(open_root(self.root.as_deref())?)),
        }
    }
}

/// A captured tree, or this machine (for the commands that read no bundle).
pub fn open_root(root: Option<&Path>) -> Result<DirFs, Error> {
    match root {
        Some(dir) => DirFs::host_tree(dir).map_err(Error::Host),
        None => Ok(DirFs::live()),
    }
}

/// Runs `load` (the rules: parsing and compiling them) on a second thread,
/// when there is a second core, while `read` (the host) runs on this one:
/// they are independent, and on a large host each takes milliseconds.
/// `load`'s error comes first, as when the two ran one after the other.
pub fn alongside<L: Send, R>(
    load: impl FnOnce() -> Result<L, Error> + Send,
    read: impl FnOnce() -> Result<R, Error>,
) -> Result<(L, R), Error> {
    let (loaded, read) = crate::par::both(load, read);
    Ok((loaded?, read?))
}

/// The rules, loaded alongside `read` (see [`alongside`]).
pub fn alongside_rules<R>(
    dir: Option<&Path>,
    read: impl FnOnce() -> Result<R, Error>,
) -> Result<(Engine, R), Error> {
    alongside(|| load_engine(dir), read)
}

/// The built-in rules and those of `dir`; every rejected file is named.
pub fn load_engine(dir: Option<&Path>) -> Result<Engine, Error> {
    Engine::load(dir).map_err(|errors| Error::Rejected {
        what: "rules",
        errors: errors.iter().map(|e| e.to_string()).collect(),
    })
}

/// `text` with `again` ([`HostArgs::again`]) added to every backticked
/// `sriov-doctor …` command in it, so that a command the output suggests
/// reads the same tree or bundle; None when nothing changes.
pub fn name_host_again(text: &str, again: &str) -> Option<String> {
    const OPEN: &str = "`sriov-doctor ";
    if again.is_empty() || !text.contains(OPEN) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + again.len());
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        let body = at + OPEN.len();
        let Some(close) = rest[body..].find('`') else {
            break;
        };
        out.push_str(&rest[..body + close]);
        out.push_str(again);
        out.push('`');
        rest = &rest[body + close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// [`name_host_again`] on the messages and fixes of `findings`.
pub fn name_host_again_in(findings: &mut [crate::findings::Finding], again: &str) {
    if again.is_empty() {
        return;
    }
    for f in findings {
        for text in std::iter::once(&mut f.message).chain(f.remediation.iter_mut()) {
            if let Some(t) = name_host_again(text, again) {
                *text = t;
            }
        }
    }
}

/// `word` as one shell word: as it is when it holds only characters no
/// shell treats specially, else in single quotes.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:+,=@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::{name_host_again, shell_word};

    #[test]
    fn our_commands_name_the_tree_again_and_others_do_not() {
        let text = "Give it another VF: `sriov-doctor hostdev --free --pf 0000:03:00.0`, or `virsh nodedev-detach pci_0000_03_10_0`; see `sriov-doctor list`.";
        assert_eq!(
            name_host_again(text, " --root t/root").as_deref(),
            Some("Give it another VF: `sriov-doctor hostdev --free --pf 0000:03:00.0 --root t/root`, or `virsh nodedev-detach pci_0000_03_10_0`; see `sriov-doctor list --root t/root`.")
        );
        assert_eq!(name_host_again(text, ""), None);
        assert_eq!(name_host_again("`virsh list`", " --root t"), None);
        // An unclosed span is left as it is.
        assert_eq!(
            name_host_again("`sriov-doctor check", " --root t").as_deref(),
            Some("`sriov-doctor check")
        );
    }

    #[test]
    fn a_word_with_spaces_or_quotes_is_quoted_once() {
        assert_eq!(
            shell_word("tests/hosts/seed-ready/root"),
            "tests/hosts/seed-ready/root"
        );
        assert_eq!(shell_word("my host"), "'my host'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(shell_word(""), "''");
    }
}
