//! The metadata that git cannot keep (owners, modes, device nodes), carried by
//! a captured tree in `.sriov-doctor-meta.toml` at its root.

use serde::Deserialize;

use super::EntryKind;

/// File name of the metadata overlay at a tree's root.
pub const META_FILE: &str = ".sriov-doctor-meta.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetaFile {
    #[serde(default)]
    entry: Vec<MetaEntryToml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetaEntryToml {
    path: String,
    mode: Option<String>,
    uid: Option<u32>,
    gid: Option<u32>,
    #[serde(rename = "type")]
    kind: Option<String>,
    major: Option<u32>,
    minor: Option<u32>,
}

/// One overridden entry.
#[derive(Clone, Debug, Default)]
pub struct MetaEntry {
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub kind: Option<EntryKind>,
    pub device: Option<(u32, u32)>,
}

/// The overlay's entries by canonical host path (`/sys/...`).
///
/// A large capture's overlay has tens of thousands of entries and a run
/// looks up a few thousand: the paths are kept in one string, and found by
/// a sorted table of their hashes, rather than allocated one by one into a
/// map.
#[derive(Debug, Default)]
pub struct Overlay {
    /// Every entry's path without its leading '/', one after the other.
    paths: String,
    /// Per entry: where its path is in `paths`, and what it overrides.
    entries: Vec<((u32, u32), MetaEntry)>,
    /// (hash of the path, entry index), sorted: equal paths are adjacent,
    /// the later entry last.
    index: Vec<(u64, u32)>,
}

impl Overlay {
    fn with_capacity(entries: usize) -> Overlay {
        Overlay {
            paths: String::new(),
            entries: Vec::with_capacity(entries),
            index: Vec::new(),
        }
    }

    /// Adds an entry (`rel`: its path without the leading '/'); a later
    /// entry for the same path wins, as in a map.
    fn push(&mut self, rel: &str, entry: MetaEntry) -> Result<(), String> {
        let too_big = || "the overlay is larger than 4 GiB".to_string();
        let start = u32::try_from(self.paths.len()).map_err(|_| too_big())?;
        let len = u32::try_from(rel.len()).map_err(|_| too_big())?;
        self.paths.push_str(rel);
        self.entries.push(((start, len), entry));
        Ok(())
    }

    fn finish(mut self) -> Overlay {
        self.index = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, ((start, len), _))| {
                let rel = &self.paths[*start as usize..(*start + *len) as usize];
                (path_hash(rel.as_bytes()), i as u32)
            })
            .collect();
        self.index.sort_unstable();
        self
    }

    fn path(&self, i: u32) -> &str {
        let (start, len) = self.entries[i as usize].0;
        &self.paths[start as usize..(start + len) as usize]
    }

    /// The entry for a canonical host path (`/dev/vfio/12`).
    pub fn get(&self, canonical: &str) -> Option<&MetaEntry> {
        let rel = canonical.strip_prefix('/')?;
        let h = path_hash(rel.as_bytes());
        let first = self.index.partition_point(|(k, _)| *k < h);
        self.index[first..]
            .iter()
            .take_while(|(k, _)| *k == h)
            .filter(|(_, i)| self.path(*i) == rel)
            .last()
            .map(|(_, i)| &self.entries[*i as usize].1)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

/// A hash of a path, eight bytes at a time (FNV-1a's constants on words):
/// a lookup table for a file the user gave, not a map facing an attacker,
/// and tens of thousands of paths to hash when a large capture is opened.
fn path_hash(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in &mut chunks {
        let word = u64::from_le_bytes(c.try_into().expect("eight bytes"));
        h = (h ^ word).wrapping_mul(0x0100_0000_01b3).rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^ bytes.len() as u64
}

/// Parses the overlay.
pub fn parse(text: &str) -> Result<Overlay, String> {
    // The overlay of a large capture has tens of thousands of entries; the
    // plain shape the tools write is read line by line, anything else by
    // the TOML parser.
    if let Some(plain) = parse_plain(text) {
        return plain;
    }
    let file: MetaFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Overlay::with_capacity(file.entry.len());
    for e in &file.entry {
        let fields = Fields {
            path: &e.path,
            mode: e.mode.as_deref(),
            uid: e.uid,
            gid: e.gid,
            kind: e.kind.as_deref(),
            major: e.major,
            minor: e.minor,
        };
        let (rel, entry) = fields.entry()?;
        out.push(rel, entry)?;
    }
    Ok(out.finish())
}

/// One `[[entry]]` as written, before it is checked.
#[derive(Default)]
struct Fields<'a> {
    path: &'a str,
    mode: Option<&'a str>,
    uid: Option<u32>,
    gid: Option<u32>,
    kind: Option<&'a str>,
    major: Option<u32>,
    minor: Option<u32>,
}

impl Fields<'_> {
    /// The entry, and its path without the leading '/'.
    fn entry(&self) -> Result<(&str, MetaEntry), String> {
        let p = self.path;
        let mode = match self.mode {
            Some(m) => Some(
                u32::from_str_radix(m, 8)
                    .ok()
                    .filter(|v| *v <= 0o7777)
                    .ok_or_else(|| format!("{p}: mode '{m}' is not octal permission bits"))?,
            ),
            None => None,
        };
        let kind = match self.kind {
            None => None,
            Some("char") => Some(EntryKind::CharDevice),
            Some("block") => Some(EntryKind::BlockDevice),
            Some(other) => return Err(format!("{p}: unknown type '{other}'")),
        };
        let device = match (kind, self.major, self.minor) {
            (Some(_), Some(ma), Some(mi)) => Some((ma, mi)),
            (Some(_), _, _) => return Err(format!("{p}: a device node needs major and minor")),
            _ => None,
        };
        let rel = p.trim_start_matches('/');
        if rel.as_bytes().split(|&b| b == b'/').any(|c| c == b"..") {
            return Err(format!("{p}: '..' is not allowed"));
        }
        let entry = MetaEntry {
            mode,
            uid: self.uid,
            gid: self.gid,
            kind,
            device,
        };
        Ok((rel, entry))
    }
}

/// The overlay in its plain shape: `[[entry]]` headers and `key = value`
/// lines (basic strings without escapes, or integers), comments and blank
/// lines. None as soon as a line is anything else (the TOML parser then
/// reads the file); Some(Err) for an entry the TOML parser would accept but
/// that is not valid.
fn parse_plain(text: &str) -> Option<Result<Overlay, String>> {
    // Entries are some 70 bytes each.
    let mut out = Overlay::with_capacity(text.len() / 64);
    let mut current: Option<Fields> = None;
    let finish = |f: Option<Fields>, out: &mut Overlay| match f {
        None => Some(Ok(())),
        Some(f) if f.path.is_empty() => None,
        Some(f) => Some(f.entry().and_then(|(rel, e)| out.push(rel, e))),
    };
    // Lines are found byte by byte: they are short, and this file can have
    // a couple of hundred thousand of them.
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |n| start + n);
        // Cut at ASCII bytes, so on character boundaries.
        let line = text[start..end].trim_ascii();
        start = end + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[entry]]" {
            if let Err(e) = finish(current.take(), &mut out)? {
                return Some(Err(e));
            }
            current = Some(Fields::default());
            continue;
        }
        let e = current.as_mut()?;
        let eq = line.bytes().position(|b| b == b'=')?;
        let (k, v) = (&line[..eq], &line[eq + 1..]);
        let v = v.trim_ascii();
        let string = || {
            let inner = v.strip_prefix('"')?.strip_suffix('"')?;
            (!inner.contains(['"', '\\'])).then_some(inner)
        };
        let int = || v.parse::<u32>().ok();
        match k.trim_ascii_end() {
            "path" => e.path = string()?,
            "mode" => e.mode = Some(string()?),
            "type" => e.kind = Some(string()?),
            "uid" => e.uid = Some(int()?),
            "gid" => e.gid = Some(int()?),
            "major" => e.major = Some(int()?),
            "minor" => e.minor = Some(int()?),
            _ => return None,
        }
    }
    if let Err(e) = finish(current, &mut out)? {
        return Some(Err(e));
    }
    Some(Ok(out.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_reader_and_the_toml_parser_agree() {
        let text = "# owners\n[[entry]]\npath = \"dev/vfio/9\"\ntype = \"char\"\nmajor = 243\nminor = 0\nmode = \"0600\"\nuid = 107\ngid = 107\n\n[[entry]]\npath = \"sys/firmware/acpi/tables/DMAR\"\nmode = \"0400\"\n";
        let plain = parse(text).unwrap();
        let file: MetaFile = toml::from_str(text).unwrap();
        assert_eq!(plain.len(), file.entry.len());
        let vfio = plain.get("/dev/vfio/9").unwrap();
        assert_eq!(
            (vfio.mode, vfio.uid, vfio.device),
            (Some(0o600), Some(107), Some((243, 0)))
        );
        assert_eq!(plain.len(), parse_plain(text).unwrap().unwrap().len());
        assert!(plain.get("/sys/firmware/acpi/tables/DMAR").is_some());
        assert!(plain.get("/sys/firmware/acpi/tables").is_none());
        assert!(plain.get("sys/firmware/acpi/tables/DMAR").is_none());
        // Every path is found, whatever its length, and only its own entry.
        let paths: Vec<String> = (1..40)
            .map(|n| "d/".repeat(n / 2) + &"x".repeat(n % 2 + 1))
            .collect();
        let text: String = paths
            .iter()
            .enumerate()
            .map(|(i, p)| format!("[[entry]]\npath = \"{p}\"\nuid = {i}\n"))
            .collect();
        let many = parse(&text).unwrap();
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(
                many.get(&format!("/{p}")).unwrap().uid,
                Some(i as u32),
                "{p}"
            );
            assert!(many.get(&format!("/{p}y")).is_none(), "{p}");
        }
        // '..' is refused as a component, not as part of a name.
        for (path, ok) in [
            ("a/../b", false),
            ("../a", false),
            ("a/..", false),
            ("..", false),
            ("a..b/c", true),
            ("..x/y", true),
            ("a/b..", true),
        ] {
            let text = format!("[[entry]]\npath = \"{path}\"\nmode = \"0600\"\n");
            assert_eq!(parse(&text).is_ok(), ok, "{path}");
        }
        // Not the plain shape (an inline table): the TOML parser reads it.
        assert!(parse_plain("entry = [{ path = \"x\" }]\n").is_none());
        assert!(parse("entry = [{ path = \"x\" }]\n").is_ok());
    }
}
