//! Reading a bundle: plain or gzip JSON, parsed as it is read, each entry
//! packed into the store as it comes, within the limits.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::entry::{mib, node_of};
use super::{Entry, MAX_BUNDLE_BYTES, MAX_ENTRIES, SCHEMA_VERSION};
use crate::hostfs::{BundleFs, NodeStore};

/// Whether a bundle's schema_version is the one this tool reads.
fn supported(version: Option<&serde_json::Value>, shown: &str) -> Result<(), String> {
    match version {
        None => Err(format!(
            "bundle {shown} has no schema_version: not a sriov-doctor bundle; {EXPECTED}"
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
    #[serde(default)]
    kernel_log: Vec<String>,
    /// Only to tell a `check --format json` report given as a bundle: it
    /// has findings, and no files.
    findings: Option<serde::de::IgnoredAny>,
}

/// What `--bundle` takes, said in every message about a file that is not one.
const EXPECTED: &str =
    "expected a support bundle written by `sriov-doctor bundle` (JSON, gzip-compressed or not)";

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
    let head = raw.fill_buf().map_err(|e| format!("bundle {shown}: {e}"))?;
    if head.is_empty() {
        return Err(format!("bundle {shown} is empty; {EXPECTED}"));
    }
    let gzip = head.starts_with(&[0x1f, 0x8b]);
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
            format!("bundle {shown} is not valid JSON: {e}; {EXPECTED}")
        }
    })?;
    if r.files.is_none() && r.findings.is_some() {
        return Err(format!(
            "bundle {shown} is a report of `sriov-doctor check --format json`, not a support bundle: --bundle takes a file written by `sriov-doctor bundle` (`sriov-doctor summarize` reads reports)"
        ));
    }
    supported(r.schema_version.as_ref(), shown)?;
    let Nodes(nodes) = r.files.ok_or_else(|| {
        format!(
            "bundle {shown} does not follow the bundle format: missing field `files`; {EXPECTED}"
        )
    })?;
    Ok(BundleFs::of_store(shown, nodes)
        .with_cut(r.cut)
        .with_kernel_log(r.kernel_log))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
