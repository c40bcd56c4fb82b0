//! Resolving a tree's paths inside it, component by component, with the
//! caches that let a thousand devices share their walk, and the kernel's
//! own walk beneath the tree's root where it can do it (openat2).

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use super::files::open_tree_file;
use super::DirFs;
use crate::hostfs::resolve::{self, key, Step, Walk};
use crate::hostfs::{FsError, FsErrorKind, FsResult};

/// A directory of a tree, resolved: its canonical components and its path
/// on disk.
pub(super) struct ResolvedDir {
    pub(super) comps: Vec<String>,
    /// `key(&comps)`: the canonical path.
    pub(super) key: String,
    pub(super) real: PathBuf,
}

impl DirFs {
    /// Resolves a host path to (canonical components, real path on disk).
    pub(super) fn resolve(
        &self,
        path: &str,
        follow_last: bool,
    ) -> FsResult<(Vec<String>, PathBuf)> {
        if !path.starts_with('/') {
            return Err(FsError::new(
                path,
                FsErrorKind::Other("not an absolute path".into()),
            ));
        }
        if self.live && self.record.is_none() {
            let comps = path
                .split('/')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            return Ok((comps, PathBuf::from(path)));
        }
        if self.record.is_none() {
            if let Some(done) = self.resolve_in_cached_dir(path, follow_last)? {
                let real = self.real(&done);
                return Ok((done, real));
            }
        }
        let done = resolve::resolve(self, path, follow_last)?;
        let real = self.real(&done);
        Ok((done, real))
    }

    /// Resolves `dir/name` through the cached resolution of `dir`: one
    /// lstat instead of one per component. None when the shortcut does not
    /// apply (a `.`/`..` name, a link as the last component, an unresolvable
    /// directory): the full walk then gives the exact answer or error.
    pub(super) fn resolve_in_cached_dir(
        &self,
        path: &str,
        follow_last: bool,
    ) -> FsResult<Option<Vec<String>>> {
        let Some(comps) = self.in_cached_dir(path) else {
            return Ok(None);
        };
        if !follow_last {
            return Ok(Some(comps));
        }
        match self.step(&comps, &key(&comps)) {
            Ok(Step::Link(_)) => Ok(None),
            Ok(_) => Ok(Some(comps)),
            Err(kind) => Err(FsError::new(path, kind)),
        }
    }

    /// The resolution of `path`'s directory (cached) and its last
    /// component. None when `path` has no plain last component or its
    /// directory does not resolve.
    pub(super) fn cached_dir<'p>(&self, path: &'p str) -> Option<(Arc<ResolvedDir>, &'p str)> {
        let (dir, name) = path.rsplit_once('/')?;
        if dir.is_empty() || name.is_empty() || name == "." || name == ".." {
            return None;
        }
        Some((self.resolved_dir(dir)?, name))
    }

    /// The resolution of the directory `dir`, from the cache or walked now
    /// and cached. None when it does not resolve.
    pub(super) fn resolved_dir(&self, dir: &str) -> Option<Arc<ResolvedDir>> {
        let cached = self
            .dirs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir)
            .cloned();
        let resolved = match cached {
            Some(c) => c,
            None => {
                let comps = match self.resolve_via_parent(dir) {
                    Some(comps) => comps,
                    None => resolve::resolve(self, dir, true).ok()?,
                };
                let real = self.real(&comps);
                let key = key(&comps);
                let c = Arc::new(ResolvedDir { comps, key, real });
                self.dirs
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(dir.to_string(), Arc::clone(&c));
                c
            }
        };
        Some(resolved)
    }

    /// The canonical components of `dir/name` when `dir` resolves (cached),
    /// without looking at `name`.
    pub(super) fn in_cached_dir(&self, path: &str) -> Option<Vec<String>> {
        let (dir, name) = self.cached_dir(path)?;
        let mut comps = Vec::with_capacity(dir.comps.len() + 1);
        comps.extend(dir.comps.iter().cloned());
        comps.push(name.to_string());
        Some(comps)
    }

    /// `dir` resolved through its parent's cached resolution: one step for
    /// its last component and, when that is a relative link (a device in
    /// /sys/bus/pci/devices), the link's directory resolved (cached: a PF's
    /// VFs share it) and one step for the link's last component. The full
    /// walk took a dozen steps, each a lookup by the whole path, for each of
    /// thousands of devices. None when this does not apply (a name that is
    /// not plain, an absolute link, a link to a link, anything that fails):
    /// the full walk then gives the answer or the error. The link's
    /// directory is resolved with a budget of links of its own.
    pub(super) fn resolve_via_parent(&self, dir: &str) -> Option<Vec<String>> {
        let plain = |n: &str| !n.is_empty() && n != "." && n != "..";
        if self.record.is_some() {
            return None;
        }
        let (parent, name) = dir.rsplit_once('/')?;
        if parent.is_empty() || !plain(name) {
            return None;
        }
        let parent = self.resolved_dir(parent)?;
        // Not recording (the caches are not used then): a step needs its
        // components only to record, so only the key is made.
        let child = |dir: &ResolvedDir, name: &str| match dir.key.as_str() {
            "/" => format!("/{name}"),
            base => format!("{base}/{name}"),
        };
        let with = |dir: &ResolvedDir, name: &str| {
            let mut comps = Vec::with_capacity(dir.comps.len() + 1);
            comps.extend(dir.comps.iter().cloned());
            comps.push(name.to_string());
            comps
        };
        let target = match self.step(&[], &child(&parent, name)).ok()? {
            Step::Dir => return Some(with(&parent, name)),
            Step::Other => return None,
            Step::Link(target) => target,
        };
        if target.starts_with('/') {
            return None;
        }
        let (link_dir, link_name) = target.rsplit_once('/').unwrap_or(("", &target));
        if !plain(link_name) {
            return None;
        }
        let link_dir = match link_dir {
            "" => parent.key.clone(),
            d => child(&parent, d),
        };
        let link_dir = self.resolved_dir(&link_dir)?;
        match self.step(&[], &child(&link_dir, link_name)).ok()? {
            Step::Dir => Some(with(&link_dir, link_name)),
            _ => None,
        }
    }

    /// Opens a file of a tree through the cached resolution of its
    /// directory (see [`open_tree_file`]). None when this shortcut does not
    /// apply: recording, or a link as the last component, which takes the
    /// full walk.
    pub(super) fn open_tree_file_in_cached_dir(
        &self,
        path: &str,
    ) -> Option<FsResult<(fs::File, Option<u64>)>> {
        if self.live || self.record.is_some() {
            return None;
        }
        let (dir, name) = self.cached_dir(path)?;
        match open_tree_file(&dir.real.join(name), path) {
            Ok((f, size)) => Some(Ok((f, Some(size)))),
            Err(e) if e.kind == FsErrorKind::LinkLoop => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// Opens the directory `path` to read its entries. In a tree, the kernel
    /// walks the path beneath the root and refuses any link on the way
    /// (RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS: Linux 5.6+): no lookup by the
    /// whole path per component here, and nothing cached for a directory
    /// read once (a process's fd table). A path with a link in it, or a
    /// kernel without openat2, takes the walk that resolves it inside the
    /// tree.
    pub(super) fn open_dir(&self, path: &str) -> FsResult<rustix::fd::OwnedFd> {
        use rustix::fs::{openat, openat2, Mode, OFlags, ResolveFlags, CWD};
        use rustix::io::Errno;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let io_error = |p: &str, e: Errno| FsError::from_io(p, &e.into());
        if let (Some(root), None) = (&self.root_dir, &self.record) {
            let beneath = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS;
            match openat2(
                root,
                path.trim_start_matches('/'),
                flags,
                Mode::empty(),
                beneath,
            ) {
                Ok(fd) => return Ok(fd),
                Err(e @ (Errno::NOENT | Errno::NOTDIR | Errno::ACCESS)) => {
                    return Err(io_error(path, e))
                }
                // A link on the way (ELOOP, EXDEV), no openat2 (ENOSYS), a
                // rename while walking (EAGAIN): the walk here decides.
                Err(_) => {}
            }
        }
        let (_, real) = self.resolve(path, true)?;
        openat(CWD, &real, flags, Mode::empty()).map_err(|e| io_error(path, e))
    }
}

impl Walk for DirFs {
    fn step(&self, comps: &[String], key: &str) -> Result<Step, FsErrorKind> {
        // A tree does not change during a run; a recording must see every step.
        if self.record.is_some() {
            return self.step_uncached(comps, key);
        }
        if let Some(s) = self
            .steps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
        {
            return Ok(s.clone());
        }
        let s = self.step_uncached(comps, key)?;
        self.steps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), s.clone());
        Ok(s)
    }
}

impl DirFs {
    fn step_uncached(&self, comps: &[String], key: &str) -> Result<Step, FsErrorKind> {
        let real = self.root.join(key.trim_start_matches('/'));
        let md = match fs::symlink_metadata(&real) {
            Ok(md) => md,
            Err(e) => {
                let kind = FsError::from_io("", &e).kind;
                self.note_error(comps, &kind);
                return Err(kind);
            }
        };
        if md.file_type().is_symlink() {
            let target = match fs::read_link(&real) {
                Ok(t) => t.to_string_lossy().into_owned(),
                Err(e) => {
                    let kind = FsError::from_io("", &e).kind;
                    self.note_error(comps, &kind);
                    return Err(kind);
                }
            };
            if self.record.is_some() {
                let m = self.meta_of(key, &md);
                self.note(comps, |n| {
                    n.meta.get_or_insert(m);
                    n.target.get_or_insert_with(|| target.clone());
                });
            }
            Ok(Step::Link(target))
        } else {
            if self.record.is_some() {
                let m = self.meta_of(key, &md);
                self.note(comps, |n| {
                    n.meta.get_or_insert(m);
                });
            }
            Ok(if md.is_dir() { Step::Dir } else { Step::Other })
        }
    }
}
