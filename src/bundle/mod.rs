//! Support bundles: one JSON document with everything a check read on a
//! host (every file, link, directory listing and metadata, and the reads
//! that failed), the report and the facts; replayed as a root of its own
//! ([`BundleFs`]) by `check`, `explain`, `list` and `acpi` with `--bundle`.
//! The format is described by `docs/bundle.schema.json`, generated from
//! these types (src/schema.rs).

mod capture;
mod format;
mod redact;
mod time;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use std::io::{Read, Write};
use std::path::Path;

use serde::Deserialize;

use crate::hostfs::{
    BundleFs, EntryKind, FsErrorKind, Metadata, Node, NodeRef, NodeStore, MAX_FILE_BYTES,
};

pub use capture::{capture, CaptureOptions};
pub use format::{Bundle, Entry, Files, ToolInfo};

/// Bundle format version; bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;
/// The largest bundle read, compressed or not, and after decompression.
pub const MAX_BUNDLE_BYTES: u64 = 256 << 20;
/// The most entries a bundle may hold.
pub const MAX_ENTRIES: usize = 1_000_000;
/// The deepest path a bundle may hold (components).
pub const MAX_DEPTH: usize = 64;

/// Content that is stored as text: UTF-8 without control characters other
/// than newline, tab, carriage return and NUL (which separates
/// /proc/PID/cmdline).
pub(crate) fn as_text(bytes: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(bytes).ok()?;
    s.chars()
        .all(|c| c >= ' ' || matches!(c, '\n' | '\t' | '\r' | '\0'))
        .then_some(s)
}

fn kind_name(k: EntryKind) -> &'static str {
    match k {
        EntryKind::File => "file",
        EntryKind::Dir => "dir",
        EntryKind::Symlink => "link",
        EntryKind::CharDevice => "char",
        EntryKind::BlockDevice => "block",
        EntryKind::Other => "other",
    }
}

fn error_name(k: &FsErrorKind) -> String {
    match k {
        FsErrorKind::NotFound => "not_found".into(),
        FsErrorKind::PermissionDenied => "permission_denied".into(),
        FsErrorKind::NotADirectory => "not_a_directory".into(),
        FsErrorKind::IsADirectory => "is_a_directory".into(),
        FsErrorKind::LinkLoop => "link_loop".into(),
        FsErrorKind::TooLarge(_) => "too_large".into(),
        FsErrorKind::NotAFile(what) => format!("not_a_file: {what}"),
        FsErrorKind::LinkEscapesRoot(t) => format!("io: link to {t} leaves the root"),
        FsErrorKind::Other(why) => format!("io: {why}"),
    }
}

fn parse_error(s: &str) -> Result<FsErrorKind, String> {
    Ok(match s {
        "not_found" => FsErrorKind::NotFound,
        "permission_denied" => FsErrorKind::PermissionDenied,
        "not_a_directory" => FsErrorKind::NotADirectory,
        "is_a_directory" => FsErrorKind::IsADirectory,
        "link_loop" => FsErrorKind::LinkLoop,
        "too_large" => FsErrorKind::TooLarge(MAX_FILE_BYTES),
        _ => match (s.strip_prefix("io: "), s.strip_prefix("not_a_file: ")) {
            (Some(why), _) => FsErrorKind::Other(why.to_string()),
            (_, Some(what)) => FsErrorKind::NotAFile(what.to_string()),
            _ => return Err(format!("unknown error '{s}' (permission_denied, too_large, not_found, not_a_directory, is_a_directory, link_loop, \"not_a_file: …\" or \"io: …\")")),
        },
    })
}

/// The stored form of one recorded entry.
pub fn entry_of(path: &str, n: &NodeRef) -> Entry {
    let mut e = Entry {
        path: path.to_string(),
        ..Entry::default()
    };
    if let Some(m) = &n.meta {
        e.kind = Some(kind_name(m.kind).to_string());
        e.mode = Some(format!("{:04o}", m.mode));
        e.uid = Some(m.uid);
        e.gid = Some(m.gid);
        if let Some((ma, mi)) = m.device {
            e.major = Some(ma);
            e.minor = Some(mi);
        }
    }
    e.target = n.target.map(str::to_string);
    if let Some(c) = n.content {
        e.size = Some(c.len() as u64);
        match as_text(c) {
            Some(t) => e.text = Some(t.to_string()),
            None => e.base64 = Some(BASE64.encode(c)),
        }
    }
    e.entries = n.entries();
    e.error = n.error.map(error_name);
    e
}

/// Checks that a path is absolute and normalized, and not too deep.
fn check_path(p: &str) -> Result<(), String> {
    if p == "/" {
        return Ok(());
    }
    if !p.starts_with('/') || p.ends_with('/') {
        return Err("not an absolute, normalized path".into());
    }
    let comps: Vec<&str> = p[1..].split('/').collect();
    if comps
        .iter()
        .any(|c| c.is_empty() || *c == "." || *c == ".." || c.contains('\0'))
    {
        return Err("not an absolute, normalized path (empty, '.' or '..' component)".into());
    }
    if comps.len() > MAX_DEPTH {
        return Err(format!(
            "{} components deep, over the limit of {MAX_DEPTH}",
            comps.len()
        ));
    }
    Ok(())
}

fn mib(n: u64) -> u64 {
    n >> 20
}

/// The entry as a node of the in-memory root, checked.
pub fn node_of(e: &Entry) -> Result<Node, String> {
    check_path(&e.path)?;
    let kind = match e.kind.as_deref() {
        None => None,
        Some("file") => Some(EntryKind::File),
        Some("dir") => Some(EntryKind::Dir),
        Some("link") => Some(EntryKind::Symlink),
        Some("char") => Some(EntryKind::CharDevice),
        Some("block") => Some(EntryKind::BlockDevice),
        Some("other") => Some(EntryKind::Other),
        Some(t) => return Err(format!("unknown type '{t}'")),
    };
    let meta = match kind {
        None => {
            if e.error.is_none() {
                return Err("an entry needs a type, or an error".into());
            }
            None
        }
        Some(kind) => {
            let mode = match &e.mode {
                Some(m) => u32::from_str_radix(m, 8)
                    .ok()
                    .filter(|v| *v <= 0o7777)
                    .ok_or_else(|| format!("mode '{m}' is not octal permission bits"))?,
                None if kind == EntryKind::Dir => 0o755,
                None if kind == EntryKind::Symlink => 0o777,
                None => 0o644,
            };
            let device = match (kind, e.major, e.minor) {
                (EntryKind::CharDevice | EntryKind::BlockDevice, Some(a), Some(b)) => Some((a, b)),
                (EntryKind::CharDevice | EntryKind::BlockDevice, _, _) => {
                    return Err("a device node needs major and minor".into())
                }
                _ => None,
            };
            Some(Metadata {
                kind,
                mode,
                uid: e.uid.unwrap_or(0),
                gid: e.gid.unwrap_or(0),
                device,
            })
        }
    };
    if kind == Some(EntryKind::Symlink) && e.target.is_none() {
        return Err("a link needs a target".into());
    }
    if let Some(t) = &e.target {
        if t.is_empty() || t.contains('\0') || t.len() > 4096 {
            return Err("link target is empty, has a NUL or is over 4096 bytes".into());
        }
    }
    let too_big = |n: u64| {
        format!(
            "file of {n} bytes, over the limit of {} MiB for one file",
            mib(MAX_FILE_BYTES)
        )
    };
    if let Some(n) = e.size {
        if n > MAX_FILE_BYTES {
            return Err(too_big(n));
        }
    }
    let content = match (&e.text, &e.base64) {
        (Some(_), Some(_)) => return Err("both text and base64".into()),
        (Some(t), None) => Some(t.as_bytes().to_vec()),
        (None, Some(b)) => {
            if b.len() as u64 / 4 * 3 > MAX_FILE_BYTES + 3 {
                return Err(too_big(b.len() as u64 / 4 * 3));
            }
            Some(BASE64.decode(b).map_err(|e| format!("base64: {e}"))?)
        }
        (None, None) => None,
    };
    if let Some(c) = &content {
        if c.len() as u64 > MAX_FILE_BYTES {
            return Err(too_big(c.len() as u64));
        }
        if let Some(n) = e.size.filter(|n| *n != c.len() as u64) {
            return Err(format!("size says {n} bytes, the content has {}", c.len()));
        }
    }
    if let Some(names) = &e.entries {
        if let Some(bad) = names
            .iter()
            .find(|n| n.is_empty() || *n == "." || *n == ".." || n.contains(['/', '\0']))
        {
            return Err(format!("directory entry '{bad}' is not a file name"));
        }
    }
    let error = e.error.as_deref().map(parse_error).transpose()?;
    Ok(Node {
        meta,
        target: e.target.clone(),
        content,
        entries: e.entries.clone(),
        error,
    })
}

/// Whether a bundle's schema_version is the one this tool reads.
fn supported(version: Option<&serde_json::Value>, shown: &str) -> Result<(), String> {
    match version {
        None => Err(format!(
            "bundle {shown} has no schema_version: not a sriov-doctor bundle"
        )),
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(SCHEMA_VERSION as u64) => Ok(()),
        Some(other) => Err(format!(
            "bundle {shown}: schema_version {other} is not supported (this sriov-doctor reads {SCHEMA_VERSION})"
        )),
    }
}

/// A bundle's `files`, each entry checked and packed into the store as it
/// is parsed, then dropped: the entries are never all held.
struct Nodes(NodeStore);

impl<'de> Deserialize<'de> for Nodes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Nodes, D::Error> {
        struct Each;
        impl<'de> serde::de::Visitor<'de> for Each {
            type Value = Nodes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of entries")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Nodes, A::Error> {
                use serde::de::Error;
                let mut nodes = NodeStore::default();
                while let Some(e) = seq.next_element::<Entry>()? {
                    if nodes.len() >= MAX_ENTRIES {
                        return Err(A::Error::custom(format!(
                            "more entries than the limit of {MAX_ENTRIES}"
                        )));
                    }
                    let n = node_of(&e)
                        .map_err(|why| A::Error::custom(format!("entry {:?}: {why}", e.path)))?;
                    nodes
                        .push(&e.path, &n)
                        .map_err(|why| A::Error::custom(format!("entry {:?}: {why}", e.path)))?;
                }
                nodes
                    .finish()
                    .map(Nodes)
                    .map_err(|path| A::Error::custom(format!("entry {path:?} appears twice")))
            }
        }
        d.deserialize_seq(Each)
    }
}

/// Opens a bundle file (plain or gzip JSON) as a root.
/// What a replay reads of a bundle: its version, files and what was cut.
/// The report, facts and host summary it carries are skipped without being
/// built: they are about as large as the files, and a replay makes its own.
#[derive(Deserialize)]
struct Replay {
    schema_version: Option<serde_json::Value>,
    /// Optional here only so that a document without a version is told
    /// as such first.
    files: Option<Nodes>,
    #[serde(default)]
    cut: Vec<String>,
}

/// A reader that stops with an error past `left` bytes, and says so.
struct Limited<R> {
    inner: R,
    left: u64,
    over: std::rc::Rc<std::cell::Cell<bool>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            self.over.set(true);
            return Err(std::io::Error::other("over the limit"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Opens a bundle file (plain or gzip JSON) as a root. The JSON is parsed
/// as it is read (decompressed), never held whole: the peak is the entries
/// themselves, and each is freed as its node is made. At most
/// [`MAX_BUNDLE_BYTES`] of file and of JSON either way.
pub fn open(path: &Path) -> Result<BundleFs, String> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| format!("bundle {shown}: {e}"))?;
    read(file, &shown)
}

/// [`open`] on the bytes of a bundle file from `file`; `shown` names it in
/// messages.
pub fn read(file: impl Read, shown: &str) -> Result<BundleFs, String> {
    read_within(file, shown, MAX_BUNDLE_BYTES)
}

/// [`read`], with at most `limit` bytes of file and of JSON.
fn read_within(file: impl Read, shown: &str, limit: u64) -> Result<BundleFs, String> {
    use std::io::BufRead;
    let raw_over = std::rc::Rc::new(std::cell::Cell::new(false));
    let json_over = std::rc::Rc::new(std::cell::Cell::new(false));
    let mut raw = std::io::BufReader::with_capacity(
        64 * 1024,
        Limited {
            inner: file,
            left: limit,
            over: raw_over.clone(),
        },
    );
    let gzip = raw
        .fill_buf()
        .map_err(|e| format!("bundle {shown}: {e}"))?
        .starts_with(&[0x1f, 0x8b]);
    let json: Box<dyn Read> = if gzip {
        Box::new(std::io::BufReader::with_capacity(
            64 * 1024,
            flate2::bufread::MultiGzDecoder::new(raw),
        ))
    } else {
        Box::new(raw)
    };
    let json = Limited {
        inner: json,
        left: limit,
        over: json_over.clone(),
    };
    let r: Replay = serde_json::from_reader(json).map_err(|e| {
        if raw_over.get() {
            format!(
                "bundle {shown} is larger than the limit of {} MiB",
                mib(limit)
            )
        } else if json_over.get() {
            format!(
                "bundle {shown} expands beyond the limit of {} MiB",
                mib(limit)
            )
        } else if e.is_io() && gzip {
            format!("bundle {shown}: gzip: {e}")
        } else if e.is_io() {
            format!("bundle {shown}: {e}")
        } else if e.is_data() {
            format!("bundle {shown} does not follow the bundle format: {e}")
        } else {
            format!("bundle {shown} is not valid JSON: {e}")
        }
    })?;
    supported(r.schema_version.as_ref(), shown)?;
    let Nodes(nodes) = r.files.ok_or_else(|| {
        format!("bundle {shown} does not follow the bundle format: missing field `files`")
    })?;
    Ok(BundleFs::of_store(shown, nodes).with_cut(r.cut))
}

/// Refuses an output path that exists (a file, a link, even a dangling
/// one) unless `force`: asked before the capture, so that nobody waits for
/// a bundle that will not be written. `-` is standard output.
pub fn check_output(out: Option<&Path>, force: bool) -> Result<(), String> {
    match out {
        Some(p) if p != Path::new("-") && !force => match std::fs::symlink_metadata(p) {
            Ok(md) => Err(format!(
                "{}: {} exists, not overwritten (--force replaces it{})",
                p.display(),
                if md.file_type().is_symlink() {
                    "a link"
                } else {
                    "a file"
                },
                if md.file_type().is_symlink() {
                    "; the link itself, never what it points to"
                } else {
                    ""
                }
            )),
            Err(_) => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Writes the bundle as it is serialized: to standard output for None or
/// `-`, else to a temporary file beside `out` (gzip-compressed when its
/// name ends in `.gz`), synced, then renamed into place: a failure leaves
/// nothing half-written, and a link at `out` is replaced, never followed.
/// Without `force`, a file that appeared at `out` meanwhile is not replaced.
pub fn write(b: &Bundle, out: Option<&Path>, force: bool) -> Result<(), String> {
    let path = match out {
        None => return crate::output::stdout_json(b),
        Some(p) if p == Path::new("-") => return crate::output::stdout_json(b),
        Some(p) => p,
    };
    check_output(Some(path), force)?;
    let shown = path.display();
    let fail = |e: std::io::Error| format!("{shown}: {e}");
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".sriov-doctor-bundle-")
        .tempfile_in(dir)
        .map_err(fail)?;
    {
        let file = std::io::BufWriter::with_capacity(64 * 1024, tmp.as_file());
        let json = |mut w: Box<dyn std::io::Write + '_>| -> std::io::Result<()> {
            serde_json::to_writer_pretty(&mut w, b)?;
            w.write_all(b"\n")?;
            w.flush()
        };
        if path.to_string_lossy().ends_with(".gz") {
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            json(Box::new(&mut gz)).map_err(fail)?;
            gz.finish().and_then(|mut f| f.flush()).map_err(fail)?;
        } else {
            let mut file = file;
            json(Box::new(&mut file)).map_err(fail)?;
        }
    }
    tmp.as_file().sync_all().map_err(fail)?;
    if force {
        tmp.persist(path).map_err(|e| fail(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| fail(e.error))?;
    }
    Ok(())
}

/// A hash of the built-in rule and signature texts (FNV-1a, 64 bits), so a
/// bundle says which rules made its report.
pub fn rules_version() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in crate::rules::BUILTIN_RULES
        .iter()
        .chain(crate::rules::BUILTIN_SIGNATURES)
    {
        for b in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("fnv1a64:{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(bytes: &[u8], limit: u64) -> String {
        read_within(bytes, "b", limit).err().unwrap()
    }

    /// The two limits, at 1 MiB instead of 256 (tests/it/bundle.rs has the
    /// gzip bomb at the real limit): a plain document is stopped once it has
    /// given that many bytes, however valid its JSON so far; a compressed
    /// one once it has expanded to that many. Below it, the same document
    /// is read.
    #[test]
    fn stops_at_the_limit_of_file_and_of_json() {
        let doc = |spaces: usize| {
            let mut d = b"{\"schema_version\": 1, \"files\": [".to_vec();
            d.extend(std::iter::repeat_n(b' ', spaces));
            d.extend(b"]}");
            d
        };
        let big = doc(1 << 20);
        assert_eq!(
            error(&big, 1 << 20),
            "bundle b is larger than the limit of 1 MiB"
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&big).unwrap();
        let gz = gz.finish().unwrap();
        assert!(gz.len() < 1 << 16);
        assert_eq!(
            error(&gz, 1 << 20),
            "bundle b expands beyond the limit of 1 MiB"
        );
        assert!(read_within(&big[..], "b", 2 << 20).is_ok());
        assert!(read_within(&gz[..], "b", 2 << 20).is_ok());
    }
}
