//! A host read from a directory: the live machine (`/`) or a captured tree.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::meta::{self, Overlay, META_FILE};
use super::resolve::{key, Step, Walk};
use super::{EntryKind, FsError, FsErrorKind, FsResult, HostFs, Metadata, Node, MAX_FILE_BYTES};

mod files;
mod host_tree;
mod record;
mod walk;

use files::{dev_major, dev_minor, open_tree_file, read_links_at};
use walk::ResolvedDir;

/// Placeholder that keeps an empty directory of a tree in git.
pub const GIT_KEEP: &str = ".gitkeep";

/// A root directory. For the live machine the kernel resolves paths; for a
/// tree every link is resolved here, component by component, so that no link
/// can lead out of the tree.
pub struct DirFs {
    root: PathBuf,
    /// The root as the user gave it, for reports.
    shown: String,
    live: bool,
    meta: Overlay,
    /// What was read, when recording for a bundle.
    record: Option<Mutex<BTreeMap<String, Node>>>,
    /// Resolved directories (path as asked → canonical components): a
    /// device's attributes share one directory, which is walked once.
    dirs: Mutex<HashMap<String, Arc<ResolvedDir>>>,
    /// What each component walked through is (directory, link, other): the
    /// links of a thousand devices share their first components.
    steps: Mutex<HashMap<String, Step>>,
    /// A tree's root, open: the kernel walks paths beneath it (see
    /// [`DirFs::open_dir`]). None on the live host.
    root_dir: Option<rustix::fd::OwnedFd>,
    /// What was refused for not being a file (see [`HostFs::not_read`]).
    refused: Mutex<std::collections::BTreeSet<String>>,
}

impl DirFs {
    /// The live machine.
    pub fn live() -> DirFs {
        DirFs {
            root: PathBuf::from("/"),
            shown: "/".to_string(),
            live: true,
            meta: Overlay::default(),
            record: None,
            dirs: Mutex::new(HashMap::new()),
            steps: Mutex::new(HashMap::new()),
            root_dir: None,
            refused: Mutex::default(),
        }
    }

    /// A captured host tree.
    pub fn tree(root: &Path) -> Result<DirFs, String> {
        let shown = root.display().to_string();
        let md = fs::metadata(root).map_err(|e| format!("--root {}: {e}", root.display()))?;
        if !md.is_dir() {
            return Err(format!("--root {}: not a directory", root.display()));
        }
        let root = fs::canonicalize(root).map_err(|e| format!("--root {}: {e}", root.display()))?;
        if root == Path::new("/") {
            return Ok(DirFs::live());
        }
        let meta_path = root.join(META_FILE);
        let meta = match fs::symlink_metadata(&meta_path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Overlay::default(),
            _ => {
                let text = super::read_local_text(&meta_path, MAX_FILE_BYTES, false)
                    .map_err(|e| format!("{}: {e}", meta_path.display()))?;
                meta::parse(&text).map_err(|e| format!("{}: {e}", meta_path.display()))?
            }
        };
        let root_dir = rustix::fs::open(
            &root,
            rustix::fs::OFlags::RDONLY
                | rustix::fs::OFlags::DIRECTORY
                | rustix::fs::OFlags::CLOEXEC,
            rustix::fs::Mode::empty(),
        )
        .map_err(|e| format!("--root {shown}: {}", std::io::Error::from(e)))?;
        Ok(DirFs {
            root,
            shown,
            live: false,
            meta,
            record: None,
            dirs: Mutex::new(HashMap::new()),
            steps: Mutex::new(HashMap::new()),
            root_dir: Some(root_dir),
            refused: Mutex::default(),
        })
    }

    /// Owner, mode and type as reported for `canonical`, overlay applied.
    fn meta_of(&self, canonical: &str, md: &fs::Metadata) -> Metadata {
        let ft = md.file_type();
        let kind = if ft.is_symlink() {
            EntryKind::Symlink
        } else if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_file() {
            EntryKind::File
        } else if ft.is_char_device() {
            EntryKind::CharDevice
        } else if ft.is_block_device() {
            EntryKind::BlockDevice
        } else {
            EntryKind::Other
        };
        let device = matches!(kind, EntryKind::CharDevice | EntryKind::BlockDevice)
            .then(|| (dev_major(md.rdev()), dev_minor(md.rdev())));
        let mut out = Metadata {
            kind,
            mode: md.mode() & 0o7777,
            uid: if self.live { md.uid() } else { 0 },
            gid: if self.live { md.gid() } else { 0 },
            device,
        };
        if let Some(over) = self.meta.get(canonical).filter(|_| !ft.is_symlink()) {
            if let Some(k) = over.kind {
                out.kind = k;
                out.device = over.device;
            }
            out.mode = over.mode.unwrap_or(out.mode);
            out.uid = over.uid.unwrap_or(out.uid);
            out.gid = over.gid.unwrap_or(out.gid);
        }
        out
    }

    fn real(&self, comps: &[String]) -> PathBuf {
        let mut p = self.root.clone();
        for c in comps {
            p.push(c);
        }
        p
    }
}

impl HostFs for DirFs {
    fn read(&self, path: &str) -> FsResult<Vec<u8>> {
        let (comps, opened) = if self.live {
            let (comps, real) = self.resolve(path, true)?;
            let f = fs::File::open(&real).map_err(|e| FsError::from_io(path, &e));
            (comps, f.map(|f| (f, None)))
        } else {
            match self.open_tree_file_in_cached_dir(path) {
                Some(Ok(f)) => (Vec::new(), Ok(f)),
                Some(Err(e)) => (Vec::new(), Err(e)),
                None => {
                    let (comps, real) = self.resolve(path, true)?;
                    let f = open_tree_file(&real, path).map(|(f, size)| (f, Some(size)));
                    (comps, f)
                }
            }
        };
        let result = (|| -> FsResult<Vec<u8>> {
            let (mut file, size) = opened?;
            if size.is_some_and(|s| s > MAX_FILE_BYTES) {
                return Err(FsError::new(path, FsErrorKind::TooLarge(MAX_FILE_BYTES)));
            }
            let mut buf = Vec::new();
            // A tree's file is read to the size it had a moment ago (short
            // reads continue; no read past it to see the end). procfs and
            // sysfs give no size: the live host reads to the end.
            let want = size.map_or(MAX_FILE_BYTES + 1, |s| s.min(MAX_FILE_BYTES + 1));
            if size.is_some() {
                buf.reserve_exact(want as usize);
            }
            (&mut file)
                .take(want)
                .read_to_end(&mut buf)
                .map_err(|e| FsError::from_io(path, &e))?;
            if buf.len() as u64 > MAX_FILE_BYTES {
                return Err(FsError::new(path, FsErrorKind::TooLarge(MAX_FILE_BYTES)));
            }
            Ok(buf)
        })();
        match &result {
            Ok(buf) => self.note(&comps, |n| {
                n.content.get_or_insert_with(|| buf.clone());
            }),
            Err(e) => self.note_error(&comps, &e.kind),
        }
        if let Err(
            e @ FsError {
                kind: FsErrorKind::NotAFile(_),
                ..
            },
        ) = &result
        {
            self.refused
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(e.to_string());
        }
        result
    }

    fn not_read(&self) -> Vec<String> {
        let refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        refused.iter().cloned().collect()
    }

    fn read_link(&self, path: &str) -> FsResult<String> {
        // A tree's link in a directory already resolved: read where it is,
        // without rebuilding its components (the last one is not followed).
        if !self.live && self.record.is_none() {
            if let Some((dir, name)) = self.cached_dir(path) {
                let target =
                    fs::read_link(dir.real.join(name)).map_err(|e| FsError::from_io(path, &e))?;
                return Ok(target.to_string_lossy().into_owned());
            }
        }
        let (comps, real) = self.resolve(path, false)?;
        if self.record.is_some() {
            // The walk stopped before the link itself: look at it too.
            let _ = self.step(&comps, &key(&comps));
        }
        let target = fs::read_link(&real).map_err(|e| FsError::from_io(path, &e))?;
        Ok(target.to_string_lossy().into_owned())
    }

    fn read_links(&self, dir: &str) -> FsResult<Vec<(String, FsResult<String>)>> {
        // A recording sees each link through read_link.
        if self.record.is_some() {
            return super::read_links_one_by_one(self, dir);
        }
        let fd = self.open_dir(dir)?;
        let links = read_links_at(fd, !self.live).map_err(|e| FsError::from_io(dir, &e.into()))?;
        Ok(links
            .into_iter()
            .map(|(name, target)| {
                let target =
                    target.map_err(|e| FsError::from_io(super::join(dir, &name), &e.into()));
                (name, target)
            })
            .collect())
    }

    fn list_dir(&self, path: &str) -> FsResult<Vec<String>> {
        let (comps, real) = self.resolve(path, true)?;
        let result = (|| -> FsResult<Vec<String>> {
            let entries = fs::read_dir(&real).map_err(|e| FsError::from_io(path, &e))?;
            let mut names = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| FsError::from_io(path, &e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                // A tree keeps empty directories in git with a .gitkeep, which
                // no real host has; the metadata overlay is the tree's, too.
                if !self.live && (name == GIT_KEEP || (comps.is_empty() && name == META_FILE)) {
                    continue;
                }
                names.push(name);
            }
            names.sort();
            Ok(names)
        })();
        match &result {
            Ok(names) => self.note(&comps, |n| {
                n.entries.get_or_insert_with(|| names.clone());
            }),
            Err(e) => self.note_error(&comps, &e.kind),
        }
        result
    }

    fn metadata(&self, path: &str) -> FsResult<Metadata> {
        let (comps, real) = self.resolve(path, true)?;
        let md = match fs::metadata(&real) {
            Ok(md) => md,
            Err(e) => {
                let e = FsError::from_io(path, &e);
                self.note_error(&comps, &e.kind);
                return Err(e);
            }
        };
        let out = self.meta_of(&key(&comps), &md);
        self.note(&comps, |n| {
            n.meta.get_or_insert_with(|| out.clone());
        });
        Ok(out)
    }

    fn canonical(&self, path: &str) -> FsResult<String> {
        if self.live && self.record.is_none() {
            let real = fs::canonicalize(path).map_err(|e| FsError::from_io(path, &e))?;
            return Ok(real.to_string_lossy().into_owned());
        }
        // A device's directory is asked for its canonical path and then
        // for its files: resolved once, through the directory cache.
        if !self.live && self.record.is_none() {
            if let Some(dir) = self.resolved_dir(path.trim_end_matches('/')) {
                return Ok(dir.key.clone());
            }
        }
        self.resolve(path, true).map(|(c, _)| key(&c))
    }

    fn kernel_log(&self) -> FsResult<super::KernelLog> {
        if self.live && self.root == Path::new("/") {
            return super::kmsg::read_live();
        }
        let path = super::TREE_KERNEL_LOG;
        let bytes = self.read(path);
        // Not a file of the bundle: only its matching lines are kept.
        self.forget(path);
        Ok(super::KernelLog::from_text(path, &bytes?))
    }

    fn describe(&self) -> String {
        if self.live {
            "live host".to_string()
        } else {
            format!("captured tree {}", self.shown)
        }
    }
}

#[cfg(test)]
mod tests;
