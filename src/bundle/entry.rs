//! A bundle entry and the in-memory node it stands for, each way, with
//! every check a hostile entry needs (paths, sizes, types, errors).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use super::{Entry, MAX_DEPTH};
use crate::hostfs::{EntryKind, FsErrorKind, Metadata, Node, NodeRef, MAX_FILE_BYTES};

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

pub(super) fn mib(n: u64) -> u64 {
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
