//! The entries of a bundle, packed. A bundle can hold a million entries;
//! as a map of paths to [`Node`]s each cost about 350 bytes beside its
//! content (a key and up to four heap blocks, and the map's own nodes),
//! 5.7 times the bundle's JSON. Here every path, link target, content and
//! directory listing sits in one byte buffer, and each entry is a 40-byte
//! record that points into it, sorted by path: about the JSON's size.

use std::ops::Range;

use super::{EntryKind, FsErrorKind, Metadata, Node};

const NONE: u32 = u32::MAX;

/// One entry: where its bytes are in the buffer (path, then target, then
/// content, then names separated by NUL, which no name contains), and its
/// metadata. A length of [`NONE`] is an absent part.
#[derive(Clone, Copy)]
struct Record {
    at: u64,
    path_len: u32,
    target_len: u32,
    content_len: u32,
    names_len: u32,
    uid: u32,
    gid: u32,
    /// Index into `rare` (device numbers, errors), or [`NONE`].
    rare: u32,
    mode: u16,
    /// 0 when lstat failed (no metadata), else [`kind_code`].
    kind: u8,
}

/// What few entries have.
struct Rare {
    device: Option<(u32, u32)>,
    error: Option<FsErrorKind>,
}

/// One entry, borrowed from the store.
pub struct NodeRef<'a> {
    pub meta: Option<Metadata>,
    pub target: Option<&'a str>,
    pub content: Option<&'a [u8]>,
    names: Option<&'a [u8]>,
    pub error: Option<&'a FsErrorKind>,
}

impl NodeRef<'_> {
    /// A directory's names as listed, when it was.
    pub fn entries(&self) -> Option<Vec<String>> {
        self.names.map(|b| {
            if b.is_empty() {
                return Vec::new();
            }
            b.split(|c| *c == 0)
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .collect()
        })
    }

    pub fn kind(&self) -> EntryKind {
        self.meta
            .as_ref()
            .map(|m| m.kind)
            .unwrap_or(EntryKind::Other)
    }
}

fn kind_code(k: EntryKind) -> u8 {
    match k {
        EntryKind::File => 1,
        EntryKind::Dir => 2,
        EntryKind::Symlink => 3,
        EntryKind::CharDevice => 4,
        EntryKind::BlockDevice => 5,
        EntryKind::Other => 6,
    }
}

fn kind_of(code: u8) -> Option<EntryKind> {
    Some(match code {
        1 => EntryKind::File,
        2 => EntryKind::Dir,
        3 => EntryKind::Symlink,
        4 => EntryKind::CharDevice,
        5 => EntryKind::BlockDevice,
        6 => EntryKind::Other,
        _ => return None,
    })
}

/// A part's length as stored; a part of 4 GiB or more cannot be (a file is
/// at most 16 MiB, a path or a listing far less).
fn len_of(n: Option<usize>) -> Result<u32, String> {
    match n {
        None => Ok(NONE),
        Some(n) if n < NONE as usize => Ok(n as u32),
        Some(n) => Err(format!("a part of {n} bytes is too large to store")),
    }
}

fn part(n: u32) -> usize {
    if n == NONE {
        0
    } else {
        n as usize
    }
}

/// Entries added in any order, then [`NodeStore::finish`]ed: sorted by path
/// (byte order, as a `BTreeMap<String, _>` would), duplicates refused,
/// missing parent directories added.
#[derive(Default)]
pub struct NodeStore {
    bytes: Vec<u8>,
    records: Vec<Record>,
    rare: Vec<Rare>,
}

impl NodeStore {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Adds an entry (the path is not checked here: the bundle reader does).
    pub fn push(&mut self, path: &str, n: &Node) -> Result<(), String> {
        let names = n.entries.as_ref().map(|v| {
            v.iter()
                .map(|s| s.len())
                .sum::<usize>()
                .saturating_add(v.len().saturating_sub(1))
        });
        let record = Record {
            at: self.bytes.len() as u64,
            path_len: len_of(Some(path.len()))?,
            target_len: len_of(n.target.as_ref().map(|t| t.len()))?,
            content_len: len_of(n.content.as_ref().map(|c| c.len()))?,
            names_len: len_of(names)?,
            uid: n.meta.as_ref().map(|m| m.uid).unwrap_or(0),
            gid: n.meta.as_ref().map(|m| m.gid).unwrap_or(0),
            rare: NONE,
            mode: n
                .meta
                .as_ref()
                .map(|m| (m.mode & 0o7777) as u16)
                .unwrap_or(0),
            kind: n.meta.as_ref().map(|m| kind_code(m.kind)).unwrap_or(0),
        };
        let device = n.meta.as_ref().and_then(|m| m.device);
        let record = if device.is_some() || n.error.is_some() {
            self.rare.push(Rare {
                device,
                error: n.error.clone(),
            });
            Record {
                rare: (self.rare.len() - 1) as u32,
                ..record
            }
        } else {
            record
        };
        self.bytes.extend_from_slice(path.as_bytes());
        if let Some(t) = &n.target {
            self.bytes.extend_from_slice(t.as_bytes());
        }
        if let Some(c) = &n.content {
            self.bytes.extend_from_slice(c);
        }
        if let Some(v) = &n.entries {
            for (i, name) in v.iter().enumerate() {
                if i > 0 {
                    self.bytes.push(0);
                }
                self.bytes.extend_from_slice(name.as_bytes());
            }
        }
        self.records.push(record);
        Ok(())
    }

    fn span(&self, r: &Record) -> (Range<usize>, Range<usize>, Range<usize>, Range<usize>) {
        let at = r.at as usize;
        let path = at..at + r.path_len as usize;
        let target = path.end..path.end + part(r.target_len);
        let content = target.end..target.end + part(r.content_len);
        let names = content.end..content.end + part(r.names_len);
        (path, target, content, names)
    }

    fn path_of(&self, r: &Record) -> &[u8] {
        &self.bytes[r.at as usize..r.at as usize + r.path_len as usize]
    }

    /// Sorts, refuses a path that appears twice (and names it), and adds
    /// each missing parent directory once (owner root, mode 0755).
    pub fn finish(mut self) -> Result<NodeStore, String> {
        let mut records = std::mem::take(&mut self.records);
        // Stable sort: a bundle written by this tool is already in order,
        // which it finds in one pass.
        records.sort_by(|a, b| self.path_of(a).cmp(self.path_of(b)));
        if let Some(w) = records
            .windows(2)
            .find(|w| self.path_of(&w[0]) == self.path_of(&w[1]))
        {
            return Err(String::from_utf8_lossy(self.path_of(&w[0])).into_owned());
        }
        self.records = records;
        let mut parents = std::collections::BTreeSet::new();
        // In path order, most entries share the previous one's parent.
        let mut known: &[u8] = b"";
        for r in &self.records {
            let mut p = self.path_of(r);
            let parent = p
                .iter()
                .rposition(|c| *c == b'/')
                .map(|i| &p[..i.max(1)])
                .unwrap_or(b"");
            if parent == known {
                continue;
            }
            known = parent;
            while let Some(i) = p.iter().rposition(|c| *c == b'/') {
                p = &p[..i];
                let parent: &[u8] = if p.is_empty() { b"/" } else { p };
                if self.find(parent).is_some() || parents.contains(parent) {
                    break;
                }
                parents.insert(parent.to_vec());
            }
        }
        if !parents.is_empty() {
            let dir = Node {
                meta: Some(Metadata {
                    kind: EntryKind::Dir,
                    mode: 0o755,
                    uid: 0,
                    gid: 0,
                    device: None,
                }),
                ..Node::default()
            };
            for p in parents {
                // A parent is a prefix of a path already stored: it fits.
                let _ = self.push(&String::from_utf8_lossy(&p), &dir);
            }
            let mut records = std::mem::take(&mut self.records);
            records.sort_by(|a, b| self.path_of(a).cmp(self.path_of(b)));
            self.records = records;
        }
        self.records.shrink_to_fit();
        self.bytes.shrink_to_fit();
        Ok(self)
    }

    fn find(&self, path: &[u8]) -> Option<usize> {
        self.records
            .binary_search_by(|r| self.path_of(r).cmp(path))
            .ok()
    }

    fn view(&self, r: &Record) -> NodeRef<'_> {
        let (_, target, content, names) = self.span(r);
        let rare = (r.rare != NONE).then(|| &self.rare[r.rare as usize]);
        NodeRef {
            meta: kind_of(r.kind).map(|kind| Metadata {
                kind,
                mode: r.mode as u32,
                uid: r.uid,
                gid: r.gid,
                device: rare.and_then(|x| x.device),
            }),
            // Targets were strings when stored.
            target: (r.target_len != NONE)
                .then(|| std::str::from_utf8(&self.bytes[target]).unwrap_or("")),
            content: (r.content_len != NONE).then(|| &self.bytes[content]),
            names: (r.names_len != NONE).then(|| &self.bytes[names]),
            error: rare.and_then(|x| x.error.as_ref()),
        }
    }

    /// The entry at this canonical path (of a finished store).
    pub fn get(&self, path: &str) -> Option<NodeRef<'_>> {
        self.find(path.as_bytes())
            .map(|i| self.view(&self.records[i]))
    }

    pub fn contains(&self, path: &str) -> bool {
        self.find(path.as_bytes()).is_some()
    }

    /// Every entry, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, NodeRef<'_>)> {
        self.records
            .iter()
            .map(|r| (self.path_str(r), self.view(r)))
    }

    /// A record's path as text (it was a string when stored).
    fn path_str(&self, r: &Record) -> &str {
        std::str::from_utf8(self.path_of(r)).unwrap_or("")
    }

    /// The entries that carry an error, in path order.
    pub fn with_error(&self) -> impl Iterator<Item = (&str, &FsErrorKind)> {
        self.records.iter().filter_map(|r| {
            let error = self.rare.get(r.rare as usize)?.error.as_ref()?;
            Some((self.path_str(r), error))
        })
    }

    /// The entries whose path starts with `prefix`, in path order.
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, NodeRef<'a>)> + 'a {
        let start = self
            .records
            .partition_point(|r| self.path_of(r) < prefix.as_bytes());
        self.records[start..]
            .iter()
            .take_while(move |r| self.path_of(r).starts_with(prefix.as_bytes()))
            .map(|r| (self.path_str(r), self.view(r)))
    }
}

#[cfg(test)]
mod tests;
