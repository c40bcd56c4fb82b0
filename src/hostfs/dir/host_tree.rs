//! Whether a directory given as `--root` is a host tree at all: a folder
//! above one (`tests/hosts/NAME` rather than `tests/hosts/NAME/root`), an
//! empty folder or a home directory would otherwise be read as a host with
//! nothing in it, and give a full report that is wrong from its first line.

use std::path::Path;

use super::DirFs;
use crate::hostfs::{EntryKind, HostFs};

/// What every host tree has: the kernel's two file systems, where the
/// probes read the devices, groups and drivers (sys) and the command line,
/// CPU and processes (proc). A tree damaged inside them is still a tree (its
/// checks say what they could not read); a folder without them is not one.
pub const HOST_TREE_DIRS: [&str; 2] = ["sys", "proc"];

impl DirFs {
    /// [`DirFs::tree`], for a directory that must be a host tree: it fails,
    /// saying what was expected, when the directory lacks one of
    /// [`HOST_TREE_DIRS`], and names `DIR/root` when that is a host tree.
    pub fn host_tree(root: &Path) -> Result<DirFs, String> {
        let fs = DirFs::tree(root)?;
        let missing = missing_dirs(&fs);
        if missing.is_empty() {
            return Ok(fs);
        }
        let absent = match missing.as_slice() {
            [one] => format!("{one}/ is not there"),
            _ => "neither is there".to_string(),
        };
        let mut msg = format!(
            "--root {}: not a host tree: expected a copy of a host's / holding the directories {} ({absent})",
            root.display(),
            HOST_TREE_DIRS
                .iter()
                .map(|d| format!("{d}/"))
                .collect::<Vec<_>>()
                .join(" and "),
        );
        let inner = root.join("root");
        if DirFs::tree(&inner).is_ok_and(|f| missing_dirs(&f).is_empty()) {
            msg.push_str(&format!(
                "; {} is one: --root {}",
                inner.display(),
                inner.display()
            ));
        }
        Err(msg)
    }
}

/// The [`HOST_TREE_DIRS`] that are not directories (after links inside the
/// tree) in `fs`. The live root has them all.
fn missing_dirs(fs: &DirFs) -> Vec<&'static str> {
    if fs.live {
        return Vec::new();
    }
    HOST_TREE_DIRS
        .into_iter()
        .filter(|d| !matches!(fs.metadata(&format!("/{d}")), Ok(m) if m.kind == EntryKind::Dir))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "sriov-doctor-host-tree-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_folder_without_sys_and_proc_is_not_a_host_tree() {
        let d = scratch("empty");
        let e = DirFs::host_tree(&d)
            .err()
            .expect("an empty folder is refused");
        assert!(e.contains("not a host tree"), "{e}");
        assert!(e.contains("sys/ and proc/ (neither is there)"), "{e}");
        std::fs::create_dir(d.join("sys")).unwrap();
        let e = DirFs::host_tree(&d).err().expect("proc/ is still missing");
        assert!(e.contains("(proc/ is not there)"), "{e}");
        // A file named proc is not the directory.
        std::fs::write(d.join("proc"), "").unwrap();
        assert!(DirFs::host_tree(&d).is_err());
        std::fs::remove_file(d.join("proc")).unwrap();
        std::fs::create_dir(d.join("proc")).unwrap();
        assert!(DirFs::host_tree(&d).is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn the_folder_above_a_tree_names_the_tree() {
        let d = scratch("above");
        std::fs::create_dir_all(d.join("root/sys")).unwrap();
        std::fs::create_dir_all(d.join("root/proc")).unwrap();
        let e = DirFs::host_tree(&d)
            .err()
            .expect("the folder above is refused");
        let inner = d.join("root");
        assert!(
            e.ends_with(&format!(
                "; {} is one: --root {}",
                inner.display(),
                inner.display()
            )),
            "{e}"
        );
        assert!(DirFs::host_tree(&inner).is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_link_out_of_the_tree_does_not_make_it_one() {
        let d = scratch("escape");
        std::os::unix::fs::symlink("/sys", d.join("sys")).unwrap();
        std::os::unix::fs::symlink("/proc", d.join("proc")).unwrap();
        assert!(DirFs::host_tree(&d).is_err());
        let _ = std::fs::remove_dir_all(&d);
    }
}
