//! The only door to the host: every read of /sys, /proc, /etc, /dev and /lib
//! goes through a [`HostFs`]. It never writes, and it never follows a link out
//! of its root: an absolute link target is a value to interpret, not a path to
//! open.

mod dir;
mod kmsg;
mod mem;
mod meta;
pub mod resolve;
mod store;

pub use dir::DirFs;
pub use mem::BundleFs;
pub use store::{NodeRef, NodeStore};

use std::fmt;
use std::io;

/// The largest file a probe will read whole. The biggest legitimate files are
/// /proc/cpuinfo on large machines and ACPI tables, far below this.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// What kind of entry a path names (after following links, unless asked not to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    CharDevice,
    BlockDevice,
    Other,
}

/// Owner, mode and type of an entry, with device numbers for device nodes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Metadata {
    pub kind: EntryKind,
    /// Permission bits only (0o7777).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<(u32, u32)>,
}

/// One entry as a recording saw it, and as a bundle replays it: its type
/// and owner (from `lstat`; none when even that failed), a link's target, a
/// file's content, a directory's names, and the failure of the read that
/// was attempted (permission denied, too large, …).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    pub meta: Option<Metadata>,
    pub target: Option<String>,
    pub content: Option<Vec<u8>>,
    pub entries: Option<Vec<String>>,
    pub error: Option<FsErrorKind>,
}

/// Why a read failed. Keeps the path, and tells a missing file from one the
/// tool may not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FsError {
    pub path: String,
    pub kind: FsErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FsErrorKind {
    NotFound,
    PermissionDenied,
    NotADirectory,
    IsADirectory,
    /// A link whose target leaves the root (absolute, or `..` above it).
    LinkEscapesRoot(String),
    /// Too many links on the way (a loop, most likely).
    LinkLoop,
    TooLarge(u64),
    /// A tree's FIFO, socket or device node: what it is ("a FIFO", "a
    /// character device 1:11"). Never opened: a FIFO would block the read,
    /// a device node would be the analyst's own device.
    NotAFile(String),
    Other(String),
}

impl FsError {
    pub fn new(path: impl Into<String>, kind: FsErrorKind) -> FsError {
        FsError {
            path: path.into(),
            kind,
        }
    }

    pub fn from_io(path: impl Into<String>, err: &io::Error) -> FsError {
        let kind = match err.kind() {
            io::ErrorKind::NotFound => FsErrorKind::NotFound,
            io::ErrorKind::PermissionDenied => FsErrorKind::PermissionDenied,
            io::ErrorKind::NotADirectory => FsErrorKind::NotADirectory,
            io::ErrorKind::IsADirectory => FsErrorKind::IsADirectory,
            _ => match err.raw_os_error() {
                Some(40) => FsErrorKind::LinkLoop, // ELOOP
                _ => FsErrorKind::Other(err.to_string()),
            },
        };
        FsError::new(path, kind)
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == FsErrorKind::NotFound
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.path;
        match &self.kind {
            FsErrorKind::NotFound => write!(f, "{p} not found"),
            FsErrorKind::PermissionDenied => {
                write!(f, "needs root to read {p} (permission denied)")
            }
            FsErrorKind::NotADirectory => write!(f, "{p}: a component is not a directory"),
            FsErrorKind::IsADirectory => write!(f, "{p} is a directory, expected a file"),
            FsErrorKind::LinkEscapesRoot(target) => {
                write!(f, "{p}: link to {target} leaves the root, not followed")
            }
            FsErrorKind::LinkLoop => write!(f, "{p}: too many levels of links (a loop?)"),
            FsErrorKind::TooLarge(n) => write!(f, "{p} is too large ({n} bytes or more)"),
            FsErrorKind::NotAFile(what) => write!(f, "{p} is {what}, not a file: not read"),
            FsErrorKind::Other(why) => write!(f, "cannot read {p}: {why}"),
        }
    }
}

impl std::error::Error for FsError {}

pub type FsResult<T> = Result<T, FsError>;

/// A read-only view of one host: the live machine, a captured tree or a bundle.
/// Paths are absolute host paths such as `/sys/bus/pci/devices`.
pub trait HostFs: Send + Sync {
    /// The whole content of a file (links followed inside the root).
    fn read(&self, path: &str) -> FsResult<Vec<u8>>;
    /// The target of a link, as written.
    fn read_link(&self, path: &str) -> FsResult<String>;
    /// Entry names of a directory, sorted.
    fn list_dir(&self, path: &str) -> FsResult<Vec<String>>;
    /// Type, mode and owner (links followed inside the root).
    fn metadata(&self, path: &str) -> FsResult<Metadata>;
    /// The path with every link resolved, inside the root.
    fn canonical(&self, path: &str) -> FsResult<String>;
    /// One line saying what this root is, for reports.
    fn describe(&self) -> String;

    /// A file as text, trimmed of surrounding whitespace. Binary garbage is
    /// replaced, never a panic.
    fn read_text(&self, path: &str) -> FsResult<String> {
        let mut text = match String::from_utf8(self.read(path)?) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        // Trimmed in place: sysfs files are text, and most end in a newline.
        text.truncate(text.trim_end().len());
        let start = text.len() - text.trim_start().len();
        text.drain(..start);
        Ok(text)
    }

    /// Every entry of a directory with its target as a link (or why that
    /// could not be read), in name order: a process's fd table in one call.
    fn read_links(&self, dir: &str) -> FsResult<Vec<(String, FsResult<String>)>> {
        read_links_one_by_one(self, dir)
    }

    /// What this root did not read: a tree's FIFO, socket or device node
    /// it refused to open, or what a bundle says was cut when it was
    /// written; each said in a sentence, shown in the report, so that what
    /// was not read is never silent.
    fn not_read(&self) -> Vec<String> {
        Vec::new()
    }

    /// The kernel log, raw: where it came from and its lines (see
    /// [`KernelLog`]). A tree keeps it in [`TREE_KERNEL_LOG`]; the live host
    /// reads /dev/kmsg without blocking; a bundle replays the lines it kept.
    /// Never recorded into a bundle's files: a bundle keeps only the lines
    /// that bear on assignment, in its `kernel_log`.
    fn kernel_log(&self) -> FsResult<KernelLog> {
        let bytes = self.read(TREE_KERNEL_LOG)?;
        Ok(KernelLog::from_text(TREE_KERNEL_LOG, &bytes))
    }

    /// A directory's entries as the host listed them: in a bundle, only
    /// when the capture listed the directory (otherwise its recorded
    /// entries would be taken for all of them), so that a name missing
    /// from the answer is missing on the host.
    fn list_dir_complete(&self, path: &str) -> FsResult<Vec<String>> {
        self.list_dir(path)
    }

    /// Whether the path exists; an unreadable parent is an error, not `false`.
    fn exists(&self, path: &str) -> FsResult<bool> {
        match self.metadata(path) {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Where a captured tree keeps the kernel log: the output of `dmesg` (the
/// file RHEL and Debian write at boot, and `tools/capture-host.py` writes).
pub const TREE_KERNEL_LOG: &str = "/var/log/dmesg";

/// At most this many kernel log lines are kept, the latest.
pub const MAX_KERNEL_LOG_LINES: usize = 20_000;

/// The kernel log as read: where from, its lines (at most
/// [`MAX_KERNEL_LOG_LINES`], the latest; text, invalid UTF-8 replaced), and
/// what was left out, in a sentence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KernelLog {
    pub source: String,
    pub lines: Vec<String>,
    pub cut: Option<String>,
}

impl KernelLog {
    /// A log file's bytes as lines, bounded.
    pub fn from_text(source: &str, bytes: &[u8]) -> KernelLog {
        let text = String::from_utf8_lossy(bytes);
        KernelLog::from_lines(source, text.lines().map(str::to_string).collect())
    }

    /// Lines, the latest [`MAX_KERNEL_LOG_LINES`] of them.
    pub fn from_lines(source: &str, mut lines: Vec<String>) -> KernelLog {
        let mut cut = None;
        if lines.len() > MAX_KERNEL_LOG_LINES {
            let n = lines.len() - MAX_KERNEL_LOG_LINES;
            cut = Some(format!(
                "{source}: the earliest {n} lines left out (at most {MAX_KERNEL_LOG_LINES}, the latest)"
            ));
            lines.drain(..n);
        }
        KernelLog {
            source: source.to_string(),
            lines,
            cut,
        }
    }
}

/// [`HostFs::read_links`] as a list and a read of each link.
pub fn read_links_one_by_one<F: HostFs + ?Sized>(
    fs: &F,
    dir: &str,
) -> FsResult<Vec<(String, FsResult<String>)>> {
    Ok(fs
        .list_dir(dir)?
        .into_iter()
        .map(|name| {
            let target = fs.read_link(&join(dir, &name));
            (name, target)
        })
        .collect())
}

/// The text of a regular file of this machine (a rules file, a tree's
/// metadata overlay) of at most `limit` bytes. The size is that of what was
/// opened (with `follow`, a link's target, not the link), the read stops at
/// the limit whatever the file claims, and a FIFO or device is never opened
/// for reading: it is refused after an open that cannot block.
pub fn read_local_text(path: &std::path::Path, limit: u64, follow: bool) -> Result<String, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let md = if follow {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    if !md.map_err(|e| e.to_string())?.is_file() {
        return Err("not a regular file".into());
    }
    let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | nofollow)
        .open(path)
        .map_err(|e| e.to_string())?;
    if !file.metadata().map_err(|e| e.to_string())?.is_file() {
        return Err("not a regular file".into());
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("larger than {} KiB", limit >> 10));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// Joins a host path and a name.
pub fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The last component of a path or link target.
pub fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}
