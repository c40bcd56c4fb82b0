//! `summarize`: many `check --format json` reports, one table of hosts ×
//! rules with the subjects that fail or warn. For fleet runs (the Ansible
//! playbook in contrib/ansible fetches one report per host).
//!
//! A report is identified by the host name it carries; reports of captured
//! trees have none, and then the file name (without `.json`) names the host.
//! A file that cannot be read or is not a report is named in an error and
//! the others are still summarized; the exit code is then 2.

mod read;
pub mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde::Serialize;

use crate::output;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// A table for a person: hosts × rules.
    Text,
    /// One JSON document, for scripts.
    Json,
    /// The same table in Markdown.
    Markdown,
}

/// A finding's status, worst first: the report's own, read back.
pub use crate::findings::Status;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub fail: usize,
    pub warn: usize,
    pub skip: usize,
    pub pass: usize,
}

impl Counts {
    fn add(&mut self, s: Status) {
        match s {
            Status::Fail => self.fail += 1,
            Status::Warn => self.warn += 1,
            Status::Skip => self.skip += 1,
            Status::Pass => self.pass += 1,
        }
    }

    pub fn of(&self, s: Status) -> usize {
        match s {
            Status::Fail => self.fail,
            Status::Warn => self.warn,
            Status::Skip => self.skip,
            Status::Pass => self.pass,
        }
    }
}

/// One rule on one host.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    /// The worst status among the rule's findings on the host.
    pub status: Status,
    pub counts: Counts,
    /// Subjects (`host` or a PCI address) that failed, then those that warned.
    pub failing: Vec<String>,
    pub warning: Vec<String>,
    /// The message of the first finding with the worst status.
    pub message: String,
}

/// One host: one report.
#[derive(Clone, Debug, Serialize)]
pub struct Host {
    /// How the tables name it: the report's host name, else the file name.
    pub name: String,
    pub file: String,
    pub hostname: Option<String>,
    pub root: Option<String>,
    pub kernel: Option<String>,
    pub distro: Option<String>,
    pub tool_version: Option<String>,
    /// `not-ready`, `ready-with-warnings` or `ready`, as `check` says it.
    pub result: &'static str,
    pub counts: Counts,
    /// Findings whose rule could not read its inputs (from the report's summary).
    pub inconclusive: usize,
    pub rules: BTreeMap<String, Cell>,
}

/// A report that could not be summarized.
#[derive(Clone, Debug, Serialize)]
pub struct FileError {
    pub file: String,
    pub error: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub schema_version: u32,
    pub hosts: Vec<Host>,
    /// Every rule seen in any report, sorted.
    pub rules: Vec<String>,
    /// Rules that failed or warned on at least one host.
    pub problem_rules: Vec<String>,
    pub not_ready: usize,
    pub errors: Vec<FileError>,
}

impl Summary {
    /// 2 if a report could not be read, else 1 if a host failed a check,
    /// else 3 if a host's report is incomplete, else 0.
    pub fn exit_code(&self) -> i32 {
        if !self.errors.is_empty() {
            2
        } else if self.not_ready > 0 {
            1
        } else if self.hosts.iter().any(|h| h.result == "incomplete") {
            3
        } else {
            0
        }
    }
}

/// `sriov-doctor summarize REPORT…`.
pub fn run(paths: &[PathBuf], format: SummaryFormat) -> Result<i32, String> {
    let summary = summarize(paths)?;
    for e in &summary.errors {
        output::stderr(&format!("sriov-doctor: {}: {}", e.file, e.error));
    }
    let text = match format {
        SummaryFormat::Text => render::text(&summary),
        SummaryFormat::Markdown => render::markdown(&summary),
        SummaryFormat::Json => crate::render::json::render(&summary),
    };
    output::stdout(&text)?;
    Ok(summary.exit_code())
}

/// Reads every report (directories: their *.json files) and builds the
/// summary. Unreadable files become `errors`; only when no report at all
/// could be read is it an error.
pub fn summarize(paths: &[PathBuf]) -> Result<Summary, String> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        match read::expand(p) {
            Ok(found) => files.extend(found),
            Err(error) => errors.push(FileError {
                file: p.display().to_string(),
                error,
            }),
        }
    }
    let mut hosts = Vec::new();
    for file in &files {
        match read::report(file) {
            Ok(r) => hosts.push(host(file, r)),
            Err(error) => errors.push(FileError {
                file: file.display().to_string(),
                error,
            }),
        }
    }
    if hosts.is_empty() {
        let why: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.file, e.error))
            .collect();
        return Err(if why.is_empty() {
            "no report to summarize".into()
        } else {
            format!("no report could be read:\n  {}", why.join("\n  "))
        });
    }
    disambiguate(&mut hosts);
    hosts.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.file.cmp(&b.file)));
    let mut rules: Vec<String> = hosts.iter().flat_map(|h| h.rules.keys().cloned()).collect();
    rules.sort();
    rules.dedup();
    let problem_rules = rules
        .iter()
        .filter(|r| {
            hosts
                .iter()
                .any(|h| h.rules.get(*r).is_some_and(|c| c.status <= Status::Warn))
        })
        .cloned()
        .collect();
    Ok(Summary {
        schema_version: crate::report::SCHEMA_VERSION,
        not_ready: hosts.iter().filter(|h| h.counts.fail > 0).count(),
        hosts,
        rules,
        problem_rules,
        errors,
    })
}

fn host(file: &Path, r: read::Report) -> Host {
    let mut rules: BTreeMap<String, Cell> = BTreeMap::new();
    let mut counts = Counts::default();
    for f in r.findings {
        counts.add(f.status);
        let cell = rules.entry(f.rule).or_insert_with(|| Cell {
            status: f.status,
            counts: Counts::default(),
            failing: Vec::new(),
            warning: Vec::new(),
            message: f.message.clone(),
        });
        cell.counts.add(f.status);
        if f.status < cell.status {
            cell.status = f.status;
            cell.message = f.message;
        }
        match f.status {
            Status::Fail => cell.failing.push(f.subject),
            Status::Warn => cell.warning.push(f.subject),
            _ => {}
        }
    }
    let hostname = r.host.hostname.filter(|h| !h.trim().is_empty());
    let name = hostname.clone().unwrap_or_else(|| read::stem(file));
    let inconclusive = r.summary.as_ref().map(|s| s.inconclusive).unwrap_or(0);
    let result = if counts.fail > 0 {
        "not-ready"
    } else if inconclusive > 0 {
        "incomplete"
    } else if counts.warn > 0 {
        "ready-with-warnings"
    } else {
        "ready"
    };
    Host {
        name,
        file: file.display().to_string(),
        hostname,
        root: r.host.root,
        kernel: r.host.kernel,
        distro: r.host.distro,
        tool_version: r.tool.map(|t| t.version),
        result,
        counts,
        inconclusive,
        rules,
    }
}

/// Two reports with the same name (the same host twice, or trees without a
/// host name in files of the same name) are told apart by their file.
fn disambiguate(hosts: &mut [Host]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for h in hosts.iter() {
        *seen.entry(h.name.clone()).or_default() += 1;
    }
    for h in hosts.iter_mut() {
        if seen[&h.name] > 1 {
            h.name = format!("{} ({})", h.name, h.file);
        }
    }
}
