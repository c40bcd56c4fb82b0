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
