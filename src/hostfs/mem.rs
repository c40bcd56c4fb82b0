//! A host held in memory: the entries of a support bundle. Paths resolve
//! through the recorded entries with the same in-root walk as a captured
//! tree, so a bundle can never name anything outside itself, and nothing
//! here touches the disk.

use std::collections::BTreeMap;

use super::store::{NodeRef, NodeStore};

use super::resolve::{self, key, Step, Walk};
use super::{EntryKind, FsError, FsErrorKind, FsResult, HostFs, Metadata, Node};

/// What `readlink` says of an entry that is not a link (EINVAL), as the
/// kernel words it, so a replay reads as the capture did.
fn not_a_link() -> FsErrorKind {
    FsErrorKind::Other(std::io::Error::from_raw_os_error(22).to_string())
}

fn not_captured() -> FsErrorKind {
    FsErrorKind::Other("not captured in the bundle".into())
}

pub struct BundleFs {
    shown: String,
    nodes: NodeStore,
    /// What the bundle says was cut when it was written.
    cut: Vec<String>,
    /// The bundle's `kernel_log` lines: those of the host's log that bear
    /// on assignment.
    kernel_log: Vec<String>,
}

impl BundleFs {
    /// Entries by canonical path (`/`, `/sys/bus`); missing parent
    /// directories are added (owner root, mode 0755).
    pub fn new(shown: impl Into<String>, nodes: BTreeMap<String, Node>) -> BundleFs {
        let mut store = NodeStore::default();
        for (path, n) in nodes {
            // A part of 4 GiB or more cannot be stored; a recording has
            // none (a file is read to at most 16 MiB), and one would be
            // left out rather than stop the run.
            let _ = store.push(&path, &n);
        }
        // The map's keys are unique, so finishing cannot find one twice.
        let store = store.finish().unwrap_or_default();
        BundleFs::of_store(shown, store)
    }

    /// A finished store's entries as a root.
    pub fn of_store(shown: impl Into<String>, nodes: NodeStore) -> BundleFs {
        BundleFs {
            shown: shown.into(),
            nodes,
            cut: Vec::new(),
            kernel_log: Vec::new(),
        }
    }

    /// With the kernel log lines the bundle kept.
    pub fn with_kernel_log(mut self, lines: Vec<String>) -> BundleFs {
        self.kernel_log = lines;
        self
    }

    /// With what the bundle says was cut, for [`HostFs::not_read`].
    pub fn with_cut(mut self, cut: Vec<String>) -> BundleFs {
        self.cut = cut;
        self
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every entry, in path order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, NodeRef<'_>)> {
        self.nodes.iter()
    }

    fn node(&self, path: &str, comps: &[String]) -> FsResult<NodeRef<'_>> {
        self.node_at(path, &key(comps))
    }

    fn node_at(&self, path: &str, key: &str) -> FsResult<NodeRef<'_>> {
        match self.nodes.get(key) {
            Some(n) => match (&n.meta, n.error) {
                (None, Some(e)) => Err(FsError::new(path, e.clone())),
                (None, None) => Err(FsError::new(path, not_captured())),
                _ => Ok(n),
            },
            None => Err(FsError::new(path, FsErrorKind::NotFound)),
        }
    }
}

impl Walk for BundleFs {
    fn step(&self, _comps: &[String], key: &str) -> Result<Step, FsErrorKind> {
        let n = self.node_at("", key).map_err(|e| e.kind)?;
        Ok(match n.kind() {
            EntryKind::Dir => Step::Dir,
            EntryKind::Symlink => Step::Link(n.target.ok_or_else(not_captured)?.to_string()),
            _ => Step::Other,
        })
    }
}

impl HostFs for BundleFs {
    fn not_read(&self) -> Vec<String> {
        let files = self
            .nodes
            .with_error()
            .filter_map(|(path, error)| match error {
                kind @ FsErrorKind::NotAFile(_) => {
                    Some(FsError::new(path, kind.clone()).to_string())
                }
                _ => None,
            })
            .collect::<Vec<String>>();
        self.cut.iter().cloned().chain(files).collect()
    }

    fn kernel_log(&self) -> FsResult<super::KernelLog> {
        // A bundle without lines kept none (or its host logged none that
        // bear on assignment): either way there is nothing to read.
        if self.kernel_log.is_empty() {
            return Err(FsError::new(
                "the bundle's kernel_log",
                FsErrorKind::NotFound,
            ));
        }
        Ok(super::KernelLog::from_lines(
            "the bundle's kernel_log",
            self.kernel_log.clone(),
        ))
    }

    fn list_dir_complete(&self, path: &str) -> FsResult<Vec<String>> {
        let comps = resolve::resolve(self, path, true)?;
        let n = self.node(path, &comps)?;
        match n.entries() {
            Some(mut names) => {
                names.sort();
                Ok(names)
            }
            None => Err(FsError::new(path, not_captured())),
        }
    }

    fn read(&self, path: &str) -> FsResult<Vec<u8>> {
        let comps = resolve::resolve(self, path, true)?;
        let n = self.node(path, &comps)?;
        if let Some(c) = n.content {
            return Ok(c.to_vec());
        }
        if let Some(e) = n.error {
            return Err(FsError::new(path, e.clone()));
        }
        match n.kind() {
            EntryKind::Dir => Err(FsError::new(path, FsErrorKind::IsADirectory)),
            _ => Err(FsError::new(path, not_captured())),
        }
    }

    fn read_link(&self, path: &str) -> FsResult<String> {
        let comps = resolve::resolve(self, path, false)?;
        let n = self.node(path, &comps)?;
        match (n.kind(), n.target) {
            (EntryKind::Symlink, Some(t)) => Ok(t.to_string()),
            (EntryKind::Symlink, None) => Err(FsError::new(path, not_captured())),
            _ => Err(FsError::new(path, not_a_link())),
        }
    }

    fn list_dir(&self, path: &str) -> FsResult<Vec<String>> {
        let comps = resolve::resolve(self, path, true)?;
        let n = self.node(path, &comps)?;
        if n.kind() != EntryKind::Dir {
            return Err(FsError::new(path, FsErrorKind::NotADirectory));
        }
        if let Some(mut names) = n.entries() {
            names.sort();
            return Ok(names);
        }
        if let Some(e) = n.error {
            return Err(FsError::new(path, e.clone()));
        }
        // A directory that was not listed: its entries in the bundle.
        let prefix = if comps.is_empty() {
            "/".to_string()
        } else {
            format!("{}/", key(&comps))
        };
        Ok(self
            .nodes
            .with_prefix(&prefix)
            .filter_map(|(k, _)| {
                let rest = &k[prefix.len()..];
                (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_string())
            })
            .collect())
    }

    fn metadata(&self, path: &str) -> FsResult<Metadata> {
        let comps = resolve::resolve(self, path, true)?;
        if comps.is_empty() && !self.nodes.contains("/") {
            return Ok(Metadata {
                kind: EntryKind::Dir,
                mode: 0o755,
                uid: 0,
                gid: 0,
                device: None,
            });
        }
        let n = self.node(path, &comps)?;
        n.meta
            .clone()
            .ok_or_else(|| FsError::new(path, not_captured()))
    }

    fn canonical(&self, path: &str) -> FsResult<String> {
        resolve::resolve(self, path, true).map(|c| key(&c))
    }

    fn describe(&self) -> String {
        format!("bundle {}", self.shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(kind: EntryKind) -> Node {
        Node {
            meta: Some(Metadata {
                kind,
                mode: 0o644,
                uid: 0,
                gid: 0,
                device: None,
            }),
            ..Node::default()
        }
    }

    fn link(target: &str) -> Node {
        Node {
            target: Some(target.to_string()),
            ..node(EntryKind::Symlink)
        }
    }

    fn bundle() -> BundleFs {
        let mut nodes = BTreeMap::new();
        nodes.insert(
            "/sys/devices/pci0000:00/0000:00:01.0/vendor".to_string(),
            Node {
                content: Some(b"0x8086\n".to_vec()),
                ..node(EntryKind::File)
            },
        );
        nodes.insert(
            "/sys/bus/pci/devices/0000:00:01.0".to_string(),
            link("../../../devices/pci0000:00/0000:00:01.0"),
        );
        nodes.insert("/sys/escape".to_string(), link("/etc/shadow"));
        nodes.insert("/sys/bus/up".to_string(), link("../../../../../../etc"));
        nodes.insert("/sys/loop1".to_string(), link("loop2"));
        nodes.insert("/sys/loop2".to_string(), link("loop1"));
        nodes.insert(
            "/sys/denied".to_string(),
            Node {
                error: Some(FsErrorKind::PermissionDenied),
                ..node(EntryKind::File)
            },
        );
        BundleFs::new("test", nodes)
    }

    #[test]
    fn resolves_like_a_tree_and_never_leaves_itself() {
        let fs = bundle();
        assert_eq!(
            fs.read_text("/sys/bus/pci/devices/0000:00:01.0/vendor")
                .unwrap(),
            "0x8086"
        );
        assert_eq!(
            fs.canonical("/sys/bus/pci/devices/0000:00:01.0").unwrap(),
            "/sys/devices/pci0000:00/0000:00:01.0"
        );
        assert_eq!(
            fs.list_dir("/sys/bus/pci/devices").unwrap(),
            ["0000:00:01.0"]
        );
        let e = fs.read("/sys/escape").unwrap_err();
        assert_eq!(e.kind, FsErrorKind::LinkEscapesRoot("/etc/shadow".into()));
        assert_eq!(fs.read_link("/sys/escape").unwrap(), "/etc/shadow");
        let e = fs.read("/sys/bus/up/passwd").unwrap_err();
        assert!(matches!(e.kind, FsErrorKind::LinkEscapesRoot(_)), "{e}");
        let e = fs.read("/../../etc/passwd").unwrap_err();
        assert!(matches!(e.kind, FsErrorKind::LinkEscapesRoot(_)), "{e}");
        assert_eq!(
            fs.read("/sys/loop1").unwrap_err().kind,
            FsErrorKind::LinkLoop
        );
        assert!(fs.read("/etc/passwd").unwrap_err().is_not_found());
        assert!(!fs.exists("/sys/nothing").unwrap());
        assert_eq!(
            fs.read("/sys/devices/pci0000:00/0000:00:01.0/vendor/x")
                .unwrap_err()
                .kind,
            FsErrorKind::NotADirectory
        );
        // Unreadable stays unreadable, and its metadata is still there.
        assert_eq!(
            fs.read("/sys/denied").unwrap_err().kind,
            FsErrorKind::PermissionDenied
        );
        assert_eq!(fs.metadata("/sys/denied").unwrap().mode, 0o644);
        assert_eq!(fs.describe(), "bundle test");
    }

    /// Text is trimmed on both sides; bytes that are not UTF-8 are replaced,
    /// whatever their place.
    #[test]
    fn reads_text_trimmed_and_replaced() {
        for (content, want) in [
            (&b"0x8086\n"[..], "0x8086"),
            (b" \t on \n\n", "on"),
            (b"", ""),
            (b"\n \n", ""),
            (b"\xff0x10\xfe\n", "\u{fffd}0x10\u{fffd}"),
            (b" caf\xc3\xa9 ", "caf\u{e9}"),
        ] {
            let mut nodes = BTreeMap::new();
            let file = Node {
                content: Some(content.to_vec()),
                ..node(EntryKind::File)
            };
            nodes.insert("/f".to_string(), file);
            let fs = BundleFs::new("t", nodes);
            assert_eq!(fs.read_text("/f").unwrap(), want, "{content:?}");
        }
    }
}
