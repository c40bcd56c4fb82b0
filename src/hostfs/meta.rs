//! The metadata that git cannot keep (owners, modes, device nodes), carried by
//! a captured tree in `.sriov-doctor-meta.toml` at its root.

use std::collections::HashMap;

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

/// Parses the overlay; keys are canonical host paths (`/sys/...`).
pub fn parse(text: &str) -> Result<HashMap<String, MetaEntry>, String> {
    // The overlay of a large capture has tens of thousands of entries; the
    // plain shape the tools write is read line by line, anything else by
    // the TOML parser.
    let file: MetaFile = match parse_plain(text) {
        Some(f) => f,
        None => toml::from_str(text).map_err(|e| e.to_string())?,
    };
    let mut out = HashMap::new();
    for e in file.entry {
        let mode = match &e.mode {
            Some(m) => Some(
                u32::from_str_radix(m, 8)
                    .ok()
                    .filter(|v| *v <= 0o7777)
                    .ok_or_else(|| {
                        format!("{}: mode '{m}' is not octal permission bits", e.path)
                    })?,
            ),
            None => None,
        };
        let kind = match e.kind.as_deref() {
            None => None,
            Some("char") => Some(EntryKind::CharDevice),
            Some("block") => Some(EntryKind::BlockDevice),
            Some(other) => return Err(format!("{}: unknown type '{other}'", e.path)),
        };
        let device = match (kind, e.major, e.minor) {
            (Some(_), Some(ma), Some(mi)) => Some((ma, mi)),
            (Some(_), _, _) => {
                return Err(format!("{}: a device node needs major and minor", e.path))
            }
            _ => None,
        };
        let path = format!("/{}", e.path.trim_start_matches('/'));
        if path.split('/').any(|c| c == "..") {
            return Err(format!("{}: '..' is not allowed", e.path));
        }
        out.insert(
            path,
            MetaEntry {
                mode,
                uid: e.uid,
                gid: e.gid,
                kind,
                device,
            },
        );
    }
    Ok(out)
}

/// The overlay in its plain shape: `[[entry]]` headers and `key = value`
/// lines (basic strings without escapes, or integers), comments and blank
/// lines. None as soon as a line is anything else.
fn parse_plain(text: &str) -> Option<MetaFile> {
    let mut entries: Vec<MetaEntryToml> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[entry]]" {
            entries.push(MetaEntryToml {
                path: String::new(),
                mode: None,
                uid: None,
                gid: None,
                kind: None,
                major: None,
                minor: None,
            });
            continue;
        }
        let e = entries.last_mut()?;
        let (k, v) = line.split_once('=')?;
        let v = v.trim();
        let string = || {
            let inner = v.strip_prefix('"')?.strip_suffix('"')?;
            (!inner.contains(['"', '\\'])).then(|| inner.to_string())
        };
        let int = || v.parse::<u32>().ok();
        match k.trim() {
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
    if entries.iter().any(|e| e.path.is_empty()) {
        return None;
    }
    Some(MetaFile { entry: entries })
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
        let vfio = &plain["/dev/vfio/9"];
        assert_eq!(
            (vfio.mode, vfio.uid, vfio.device),
            (Some(0o600), Some(107), Some((243, 0)))
        );
        // Not the plain shape (an inline table): the TOML parser reads it.
        assert!(parse_plain("entry = [{ path = \"x\" }]\n").is_none());
        assert!(parse("entry = [{ path = \"x\" }]\n").is_ok());
    }
}
