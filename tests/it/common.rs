//! Shared by the integration tests: the test hosts and a way to run the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Host {
    pub name: String,
    /// `tests/hosts/NAME/root`, relative, so reports are the same on every machine.
    pub root: String,
    pub targets: Vec<String>,
    /// The verdicts its scenario.toml expects of `check`, without and with
    /// the targets (`verdict`, `verdict_with_devices`).
    pub verdict: Option<String>,
    pub verdict_with_devices: Option<String>,
}

/// Every host in tests/hosts, sorted by name.
pub fn hosts() -> Vec<Host> {
    let dir = Path::new("tests/hosts");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("tests/hosts") {
        let path = entry.unwrap().path();
        if !path.join("root").is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let scenario = std::fs::read_to_string(path.join("scenario.toml"))
            .unwrap_or_else(|e| panic!("{name}/scenario.toml: {e}"));
        let scenario: toml::Value = toml::from_str(&scenario).unwrap();
        let targets = scenario
            .get("devices")
            .and_then(|d| d.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let text = |key: &str| scenario.get(key).and_then(|v| v.as_str()).map(String::from);
        out.push(Host {
            root: format!("tests/hosts/{name}/root"),
            verdict: text("verdict"),
            verdict_with_devices: text("verdict_with_devices"),
            name,
            targets,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        out.len() >= 14,
        "expected the test hosts, found {}",
        out.len()
    );
    out
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sriov-doctor"))
}

pub fn run(args: &[&str]) -> Run {
    let out = Command::new(bin())
        .args(args)
        .env_remove("NO_COLOR")
        // Text wraps at COLUMNS: the snapshots are taken at the default 80.
        .env_remove("COLUMNS")
        .output()
        .expect("run sriov-doctor");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `explain --format json -- TEXT` on the tree at ROOT: its `matches`
/// (each with `signature`, `line_number`, `captures`), after checking that
/// it ended as explain does (0 or 1).
pub fn explain_matches(root: &str, text: &str) -> Vec<serde_json::Value> {
    let r = run(&["explain", "--root", root, "--format", "json", "--", text]);
    assert!(matches!(r.code, 0 | 1), "{}", r.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    v["matches"].as_array().cloned().unwrap_or_default()
}

impl Run {
    /// Exit code and both streams, as a snapshot shows them.
    pub fn transcript(&self) -> String {
        let mut s = format!("exit: {}\n", self.code);
        if !self.stderr.is_empty() {
            s.push_str("--- stderr\n");
            s.push_str(&self.stderr);
        }
        s.push_str("--- stdout\n");
        s.push_str(&self.stdout);
        s
    }
}

/// Prints a line into the test output (shown with --nocapture or on failure).
#[allow(clippy::disallowed_macros)]
pub fn note(text: &str) {
    println!("{text}");
}

/// Says that a test, or part of one, checked nothing here and why. Written
/// to the process's standard error itself, past the test harness's
/// capture, so that a plain `cargo test` shows every skip, not only a
/// failure's output: a skipped check never looks like a pass.
pub fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED, checked nothing: {why}");
}

/// Whether an external program the test needs can run (`PROGRAM ARGS`
/// starts, whatever it exits with). When it cannot: under CI (`CI` set) the
/// test fails, naming what .ci/run installs; elsewhere it is skipped with a
/// note, as tests/it/lspci.rs does for lspci.
#[allow(clippy::disallowed_macros)]
pub fn have(program: &str, args: &[&str], package: &str) -> bool {
    if Command::new(program).args(args).output().is_ok() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{program} ({package}) is not installed: .ci/run installs it");
    }
    skipped(&format!("{program} ({package}) is not installed here"));
    false
}

/// A fresh, empty scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies a host tree: files, directories, and links as links.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let ft = entry.file_type().unwrap();
        if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if ft.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Replaces a file, link or directory with a link to `target`.
pub fn replace_with_link(path: &Path, target: &str) {
    if path.is_dir() && !path.is_symlink() {
        std::fs::remove_dir_all(path).unwrap();
    } else {
        let _ = std::fs::remove_file(path);
    }
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// The built-in signatures' TOML (rules/signatures/*.toml), as (id, table).
pub fn signature_tomls() -> Vec<(String, toml::Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("rules/signatures").expect("rules/signatures") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let v: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        out.push((id, v));
    }
    out
}

/// The finding of `rule` for `subject` in a JSON report.
pub fn finding<'a>(
    report: &'a serde_json::Value,
    rule: &str,
    subject: &str,
) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["subject"] == subject)
        .unwrap_or_else(|| panic!("no {rule} finding for {subject}: {report}"))
}
