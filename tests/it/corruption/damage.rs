//! How a host tree is damaged: a seeded generator, the tree's entries, and
//! the kinds of damage, each applied to one entry of a copy of the tree.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

/// splitmix64: small, seedable, and the same on every machine, so a failing
/// variant can be named and run again.
pub struct Prng(u64);

impl Prng {
    pub fn new(seed: u64) -> Prng {
        Prng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// FNV-1a, to derive each host's seed from its name.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Link,
}

/// One entry of a pristine tree: its path inside the root ('/'-separated,
/// no leading slash), type, and size for files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
}

/// Every entry below `root`, sorted, without the tree's own files (the
/// metadata overlay and the .gitkeep placeholders are not part of the host).
pub fn entries(root: &Path) -> Vec<Entry> {
    fn walk(root: &Path, rel: &str, out: &mut Vec<Entry>) {
        let dir = if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(rel)
        };
        for e in fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name == ".gitkeep" || (rel.is_empty() && name == ".sriov-doctor-meta.toml") {
                continue;
            }
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let md = fs::symlink_metadata(e.path()).unwrap();
            let kind = if md.file_type().is_symlink() {
                EntryKind::Link
            } else if md.is_dir() {
                EntryKind::Dir
            } else {
                EntryKind::File
            };
            out.push(Entry {
                path: path.clone(),
                kind,
                size: md.len(),
            });
            if kind == EntryKind::Dir {
                walk(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, "", &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Gives every directory its permissions back, so that the copy can be
/// removed by a user other than root too.
pub fn restore_modes(dir: &Path) {
    let Ok(md) = fs::symlink_metadata(dir) else {
        return;
    };
    if md.is_dir() {
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o755));
        if let Ok(rd) = fs::read_dir(dir) {
            for e in rd.flatten() {
                restore_modes(&e.path());
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Damage {
    /// A file cut to 0 bytes.
    TruncateEmpty,
    /// A file cut to half its length.
    TruncateHalf,
    /// A file's bytes replaced by as many random bytes.
    RandomBytes,
    /// The entry removed (a directory with all it holds).
    Remove,
    /// The entry replaced by a link to a name that does not exist.
    DanglingLink,
    /// The entry replaced by a link to itself.
    LinkLoop,
    /// A directory made unreadable (mode 000; the tool then runs as an
    /// ordinary user, since root reads through any mode).
    Unreadable,
    /// A file or link replaced by an empty directory.
    FileToDir,
    /// A directory replaced by a small file.
    DirToFile,
}

impl Damage {
    pub const ALL: [Damage; 9] = [
        Damage::TruncateEmpty,
        Damage::TruncateHalf,
        Damage::RandomBytes,
        Damage::Remove,
        Damage::DanglingLink,
        Damage::LinkLoop,
        Damage::Unreadable,
        Damage::FileToDir,
        Damage::DirToFile,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Damage::TruncateEmpty => "truncate-empty",
            Damage::TruncateHalf => "truncate-half",
            Damage::RandomBytes => "random-bytes",
            Damage::Remove => "remove",
            Damage::DanglingLink => "dangling-link",
            Damage::LinkLoop => "link-loop",
            Damage::Unreadable => "unreadable-dir",
            Damage::FileToDir => "file-to-dir",
            Damage::DirToFile => "dir-to-file",
        }
    }

    /// Whether this damage changes the entry at all.
    pub fn applies_to(self, e: &Entry) -> bool {
        use EntryKind::*;
        match self {
            Damage::TruncateEmpty | Damage::RandomBytes => e.kind == File && e.size > 0,
            Damage::TruncateHalf => e.kind == File && e.size >= 2,
            Damage::Remove | Damage::DanglingLink | Damage::LinkLoop => true,
            Damage::Unreadable | Damage::DirToFile => e.kind == Dir,
            Damage::FileToDir => e.kind != Dir,
        }
    }

    /// Whether the tool must run as an ordinary user for the damage to be
    /// real to it.
    pub fn needs_unprivileged_run(self) -> bool {
        self == Damage::Unreadable
    }
}

/// Name of the missing target of a dangling link.
pub const DANGLING_TARGET: &str = "sriov-doctor-corruption-missing";

fn remove_any(path: &Path) {
    let md = fs::symlink_metadata(path).unwrap();
    if md.is_dir() {
        fs::remove_dir_all(path).unwrap();
    } else {
        fs::remove_file(path).unwrap();
    }
}

/// Damages `entry` inside the copy at `root`.
pub fn apply(root: &Path, entry: &Entry, damage: Damage, rng: &mut Prng) {
    assert!(damage.applies_to(entry), "{damage:?} on {entry:?}");
    let p = root.join(&entry.path);
    match damage {
        Damage::TruncateEmpty => fs::write(&p, b"").unwrap(),
        Damage::TruncateHalf => {
            let f = fs::OpenOptions::new().write(true).open(&p).unwrap();
            f.set_len(entry.size / 2).unwrap();
        }
        Damage::RandomBytes => {
            let original = fs::read(&p).unwrap();
            let mut noise = rng.bytes(original.len());
            // Random bytes equal to the original would change nothing.
            if noise == original {
                noise[0] ^= 0xff;
            }
            fs::write(&p, noise).unwrap();
        }
        Damage::Remove => remove_any(&p),
        Damage::DanglingLink => {
            remove_any(&p);
            symlink(DANGLING_TARGET, &p).unwrap();
        }
        Damage::LinkLoop => {
            remove_any(&p);
            let own_name = p.file_name().unwrap();
            symlink(own_name, &p).unwrap();
        }
        Damage::Unreadable => fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap(),
        Damage::FileToDir => {
            remove_any(&p);
            fs::create_dir(&p).unwrap();
        }
        Damage::DirToFile => {
            remove_any(&p);
            fs::write(&p, b"this was a directory\n").unwrap();
        }
    }
}

/// Puts `entry` back as it is in `pristine`, after [`apply`], and checks
/// that the copy at `root` holds the pristine tree again.
pub fn undo(root: &Path, pristine: &Path, entry: &Entry, pristine_entries: &[Entry]) {
    let p = root.join(&entry.path);
    if fs::symlink_metadata(&p).is_ok() {
        restore_modes(&p);
        remove_any(&p);
    }
    let src = pristine.join(&entry.path);
    match entry.kind {
        EntryKind::Link => symlink(fs::read_link(&src).unwrap(), &p).unwrap(),
        EntryKind::Dir => crate::common::copy_tree(&src, &p),
        EntryKind::File => {
            fs::copy(&src, &p).unwrap();
        }
    }
    assert!(
        entries(root) == pristine_entries,
        "{}: the copy differs from the pristine tree after undoing damage",
        entry.path
    );
    if entry.kind == EntryKind::File {
        assert_eq!(
            fs::read(&p).unwrap(),
            fs::read(&src).unwrap(),
            "{}",
            entry.path
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic() {
        let (mut a, mut b) = (Prng::new(7), Prng::new(7));
        let xs: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], xs[1]);
        assert_ne!(fnv1a("seed-ready"), fnv1a("seed-readz"));
    }
}
