//! Reading the reports: only the fields a summary needs, so a report from a
//! newer tool with more fields still reads, while a file that is not a
//! `check --format json` report is an error that says what it is.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Status;

/// Larger than the report of any host we have seen by two orders of
/// magnitude (2,048 VFs: about 10 MiB); a bigger file is not a report.
pub const MAX_REPORT: u64 = 256 << 20;

#[derive(Deserialize)]
pub struct Report {
    pub tool: Option<Tool>,
    pub host: HostIn,
    pub summary: Option<SummaryIn>,
    pub findings: Vec<FindingIn>,
}

#[derive(Deserialize)]
pub struct Tool {
    pub version: String,
}

#[derive(Deserialize)]
pub struct HostIn {
    pub root: Option<String>,
    pub hostname: Option<String>,
    pub kernel: Option<String>,
    pub distro: Option<String>,
}

#[derive(Deserialize)]
pub struct SummaryIn {
    #[serde(default)]
    pub inconclusive: usize,
}

#[derive(Deserialize)]
pub struct FindingIn {
    pub rule: String,
    pub status: Status,
    pub subject: String,
    #[serde(default)]
    pub message: String,
}

/// A file as itself; a directory as its *.json files, sorted.
pub fn expand(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    if files.is_empty() {
        return Err("a directory with no *.json report in it".into());
    }
    files.sort();
    Ok(files)
}

/// Reads and checks one report.
pub fn report(path: &Path) -> Result<Report, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    file.take(MAX_REPORT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > MAX_REPORT {
        return Err(format!(
            "larger than {} MiB: not a report",
            MAX_REPORT >> 20
        ));
    }
    if buf.starts_with(&[0x1f, 0x8b]) {
        return Err("gzip-compressed: summarize reads the JSON of `sriov-doctor check --format json`; for a bundle, run `sriov-doctor check --bundle FILE --format json` first".into());
    }
    let value: serde_json::Value = serde_json::from_slice(&buf).map_err(|e| {
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            "empty file: no report in it".to_string()
        } else {
            format!("not JSON ({e})")
        }
    })?;
    let object = value
        .as_object()
        .ok_or("not a report: the document is not a JSON object")?;
    if object.contains_key("files") && object.contains_key("report") {
        return Err("a support bundle, not a check report: run `sriov-doctor check --bundle FILE --format json` and summarize that".into());
    }
    match object.get("schema_version").map(|v| v.as_u64()) {
        None => {
            return Err(
                "not a report of `sriov-doctor check --format json`: no schema_version".into(),
            )
        }
        Some(Some(v)) if v == u64::from(crate::report::SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "schema_version {}: this sriov-doctor reads reports of schema_version {}",
                v.map(|v| v.to_string())
                    .unwrap_or_else(|| "(not a number)".into()),
                crate::report::SCHEMA_VERSION
            ))
        }
    }
    if !object.contains_key("findings") && object.contains_key("causes") {
        return Err(
            "an `explain` report: summarize reads the reports of `check --format json`".into(),
        );
    }
    Report::deserialize(value)
        .map_err(|e| format!("not a report of `sriov-doctor check --format json`: {e}"))
}

/// The host name a file gives: its name without `.json`.
pub fn stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    match name.strip_suffix(".json") {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => name,
    }
}
