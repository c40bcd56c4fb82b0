//! Opening a tree's files and links without following them or blocking:
//! only regular files are opened, by what lstat says they are.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use super::GIT_KEEP;
use crate::hostfs::{FsError, FsErrorKind, FsResult};

/// Opens a tree's file at `real` (its last component not a link: a link
/// fails with LinkLoop) for reading, with its size. Only a regular file is
/// opened: a FIFO would block the read, and a device node in a tree is the
/// analyst's own device (/dev/kmsg, a watchdog), so each is refused by what
/// lstat says it is. The open cannot block either way (O_NONBLOCK; only
/// root can make device nodes, so none can be swapped in between).
pub(super) fn open_tree_file(real: &Path, path: &str) -> FsResult<(fs::File, u64)> {
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
pub(super) fn read_links_at(
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

pub(super) fn dev_major(rdev: u64) -> u32 {
    (((rdev >> 32) & 0xffff_f000) | ((rdev >> 8) & 0xfff)) as u32
}

pub(super) fn dev_minor(rdev: u64) -> u32 {
    (((rdev >> 12) & 0xffff_ff00) | (rdev & 0xff)) as u32
}
