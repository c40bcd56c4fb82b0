//! A host read from a directory: the live machine (`/`) or a captured tree.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::meta::{self, Overlay, META_FILE};
use super::resolve::{self, key, Step, Walk};
use super::{EntryKind, FsError, FsErrorKind, FsResult, HostFs, Metadata, Node, MAX_FILE_BYTES};

/// Placeholder that keeps an empty directory of a tree in git.
pub const GIT_KEEP: &str = ".gitkeep";

/// A directory of a tree, resolved: its canonical components and its path
/// on disk.
struct ResolvedDir {
    comps: Vec<String>,
    /// `key(&comps)`: the canonical path.
    key: String,
    real: PathBuf,
}

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

    /// Records every entry this root reads from now on (see
    /// [`DirFs::take_record`]); on the live host, paths are then resolved
    /// here, as in a tree, so that every link on the way is seen.
    pub fn recording(mut self) -> DirFs {
        self.record = Some(Mutex::new(BTreeMap::new()));
        self
    }

    /// What was read so far, by canonical host path.
    pub fn take_record(&self) -> BTreeMap<String, Node> {
        match &self.record {
            Some(r) => std::mem::take(&mut *r.lock().unwrap_or_else(|e| e.into_inner())),
            None => BTreeMap::new(),
        }
    }

    fn note(&self, comps: &[String], f: impl FnOnce(&mut Node)) {
        if let Some(r) = &self.record {
            let mut r = r.lock().unwrap_or_else(|e| e.into_inner());
            f(r.entry(key(comps)).or_default());
        }
    }

    /// Records a failure, unless it is "not found" (what a bundle does not
    /// hold is not found).
    fn note_error(&self, comps: &[String], kind: &FsErrorKind) {
        if *kind != FsErrorKind::NotFound {
            self.note(comps, |n| {
                n.error.get_or_insert_with(|| kind.clone());
            });
        }
    }

    /// Resolves a host path to (canonical components, real path on disk).
    fn resolve(&self, path: &str, follow_last: bool) -> FsResult<(Vec<String>, PathBuf)> {
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
    fn resolve_in_cached_dir(
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
    fn cached_dir<'p>(&self, path: &'p str) -> Option<(Arc<ResolvedDir>, &'p str)> {
        let (dir, name) = path.rsplit_once('/')?;
        if dir.is_empty() || name.is_empty() || name == "." || name == ".." {
            return None;
        }
        Some((self.resolved_dir(dir)?, name))
    }

    /// The resolution of the directory `dir`, from the cache or walked now
    /// and cached. None when it does not resolve.
    fn resolved_dir(&self, dir: &str) -> Option<Arc<ResolvedDir>> {
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
    fn in_cached_dir(&self, path: &str) -> Option<Vec<String>> {
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
    fn resolve_via_parent(&self, dir: &str) -> Option<Vec<String>> {
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
    fn open_tree_file_in_cached_dir(
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
    fn open_dir(&self, path: &str) -> FsResult<rustix::fd::OwnedFd> {
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

    fn describe(&self) -> String {
        if self.live {
            "live host".to_string()
        } else {
            format!("captured tree {}", self.shown)
        }
    }
}

/// Opens a tree's file at `real` (its last component not a link: a link
/// fails with LinkLoop) for reading, with its size. Only a regular file is
/// opened: a FIFO would block the read, and a device node in a tree is the
/// analyst's own device (/dev/kmsg, a watchdog), so each is refused by what
/// lstat says it is. The open cannot block either way (O_NONBLOCK; only
/// root can make device nodes, so none can be swapped in between).
fn open_tree_file(real: &Path, path: &str) -> FsResult<(fs::File, u64)> {
    use std::os::unix::fs::OpenOptionsExt;
    let md = fs::symlink_metadata(real).map_err(|e| FsError::from_io(path, &e))?;
    let ft = md.file_type();
    let what = if ft.is_symlink() {
        return Err(FsError::new(path, FsErrorKind::LinkLoop));
    } else if ft.is_file() {
        None
    } else if ft.is_dir() {
        return Err(FsError::new(path, FsErrorKind::IsADirectory));
    } else if ft.is_fifo() {
        Some("a FIFO".to_string())
    } else if ft.is_socket() {
        Some("a socket".to_string())
    } else if ft.is_char_device() {
        Some(format!(
            "a character device {}:{}",
            dev_major(md.rdev()),
            dev_minor(md.rdev())
        ))
    } else if ft.is_block_device() {
        Some(format!(
            "a block device {}:{}",
            dev_major(md.rdev()),
            dev_minor(md.rdev())
        ))
    } else {
        Some("neither a file nor a directory".to_string())
    };
    if let Some(what) = what {
        return Err(FsError::new(path, FsErrorKind::NotAFile(what)));
    }
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(real)
        .map_err(|e| FsError::from_io(path, &e))?;
    Ok((file, md.len()))
}

/// The entries of the open directory `dir` with their link targets, read
/// relative to it (one lookup per entry instead of a walk of the whole
/// path), in name order; `tree` leaves out a tree's .gitkeep.
#[allow(clippy::type_complexity)]
fn read_links_at(
    dir: rustix::fd::OwnedFd,
    tree: bool,
) -> rustix::io::Result<Vec<(String, rustix::io::Result<String>)>> {
    let mut entries = rustix::fs::Dir::new(dir)?;
    let mut names = Vec::new();
    for entry in entries.by_ref() {
        let name = entry?.file_name().to_owned();
        let bytes = name.as_bytes();
        if bytes == b"." || bytes == b".." || (tree && bytes == GIT_KEEP.as_bytes()) {
            continue;
        }
        names.push(name);
    }
    names.sort_unstable();
    let dir = entries.fd()?;
    Ok(names
        .into_iter()
        .map(|name| {
            let target = rustix::fs::readlinkat(dir, &*name, Vec::new())
                .map(|t| String::from_utf8_lossy(t.as_bytes()).into_owned());
            (
                String::from_utf8_lossy(name.as_bytes()).into_owned(),
                target,
            )
        })
        .collect())
}

fn dev_major(rdev: u64) -> u32 {
    (((rdev >> 32) & 0xffff_f000) | ((rdev >> 8) & 0xfff)) as u32
}

fn dev_minor(rdev: u64) -> u32 {
    (((rdev >> 12) & 0xffff_ff00) | (rdev & 0xff)) as u32
}

#[cfg(test)]
mod tests;
