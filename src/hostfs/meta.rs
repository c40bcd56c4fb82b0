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
    let file: MetaFile = toml::from_str(text).map_err(|e| e.to_string())?;
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
