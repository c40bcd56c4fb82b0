//! systemd units under /etc/systemd/system that write sriov_numvfs (in
//! their Exec lines or a script those run), and whether each is enabled.

use std::collections::BTreeMap;

use crate::formats::{keyfile, numvfs_write};
use crate::hostfs::{join, HostFs};

use super::read_conf;

pub const UNITS: &str = "/etc/systemd/system";
/// Scripts a unit runs are read from these trees only (not the system's
/// own programs), at most this many per unit.
const SCRIPT_DIRS: &[&str] = &[
    "/usr/local/",
    "/etc/",
    "/opt/",
    "/root/",
    "/srv/",
    "/var/lib/",
];
const MAX_SCRIPTS: usize = 4;

/// One systemd unit that writes sriov_numvfs somewhere.
pub struct UnitWrite {
    pub at: String,
    pub text: String,
    pub write: numvfs_write::Write,
    pub enabled: bool,
    pub unit: String,
}

/// Units under /etc/systemd/system that write sriov_numvfs (in their Exec
/// lines or a script those run), and whether each is enabled (a link in a
/// `.wants` or `.requires` directory there).
pub fn units(
    fs: &dyn HostFs,
    looked: &mut Vec<String>,
    doubts: &mut Vec<String>,
) -> Vec<UnitWrite> {
    let entries = match fs.list_dir(UNITS) {
        Ok(e) => e,
        Err(e) if e.is_not_found() => return Vec::new(),
        Err(e) => {
            doubts.push(e.to_string());
            return Vec::new();
        }
    };
    // Unit name -> the file the enabling link names.
    let mut enabled: BTreeMap<String, String> = BTreeMap::new();
    for dir in entries
        .iter()
        .filter(|e| e.ends_with(".wants") || e.ends_with(".requires"))
    {
        let path = join(UNITS, dir);
        for name in fs
            .list_dir(&path)
            .unwrap_or_default()
            .into_iter()
            .take(super::MAX_FILES)
        {
            if !name.ends_with(".service") {
                continue;
            }
            let link = join(&path, &name);
            let file = match fs.read_link(&link) {
                Ok(t) if t.starts_with('/') => t,
                _ => link,
            };
            enabled.entry(name).or_insert(file);
        }
    }
    let mut files: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for name in entries
        .iter()
        .filter(|e| e.ends_with(".service"))
        .take(super::MAX_FILES)
    {
        files.insert(
            name.clone(),
            (join(UNITS, name), enabled.contains_key(name)),
        );
    }
    for (name, file) in &enabled {
        files.entry(name.clone()).or_insert((file.clone(), true));
    }
    looked.push(format!(
        "{UNITS} ({} unit{}, {} enabled)",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        enabled.len()
    ));
    let mut out = Vec::new();
    for (unit, (path, is_enabled)) in files {
        let Some(text) = read_conf(fs, &path, doubts) else {
            continue;
        };
        let mut scripts = Vec::new();
        for e in keyfile::parse(&text, true) {
            if e.section != "Service" || !e.key.starts_with("ExecStart") {
                continue;
            }
            let cmd = e.value.trim_start_matches(['@', '-', ':', '+', '!']);
            for w in numvfs_write::scan(cmd) {
                out.push(UnitWrite {
                    at: format!("{path}:{}", e.line),
                    text: format!("{}={}", e.key, e.value),
                    write: w,
                    enabled: is_enabled,
                    unit: unit.clone(),
                });
            }
            scripts.extend(
                cmd.split_whitespace()
                    .map(|w| w.trim_matches(['\'', '"', ';']))
                    .filter(|w| SCRIPT_DIRS.iter().any(|d| w.starts_with(d)))
                    .map(str::to_string),
            );
        }
        scripts.dedup();
        for script in scripts.into_iter().take(MAX_SCRIPTS) {
            let Some(body) = read_conf(fs, &script, &mut Vec::new()) else {
                continue;
            };
            for (i, line) in body.lines().enumerate() {
                for w in numvfs_write::scan(line) {
                    out.push(UnitWrite {
                        at: format!("{script}:{}", i + 1),
                        text: format!("{line} (run by {unit})"),
                        write: w,
                        enabled: is_enabled,
                        unit: unit.clone(),
                    });
                }
            }
        }
    }
    out
}
