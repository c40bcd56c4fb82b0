//! A rule as loaded: compiled expressions and templates, with its doc and
//! test cases. The file as written is `raw`; loading and checking it,
//! `load`.

use std::fmt;
use std::path::Path;

use cel::Program;
use serde::Deserialize;

use super::plan::Plan;
use super::template::Template;
pub use crate::findings::{Area, Severity, Status};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Once per host.
    Host,
    /// Each SR-IOV capable physical function.
    Pf,
    /// Each virtual function.
    Vf,
    /// Each device that may be assigned: the VFs, and every --device target.
    Device,
}

mod load;
mod raw;

/// One expected outcome, kept with the rule it tests: on this host tree
/// (under tests/hosts in the repository), checked with these `--device`
/// targets, the rule gives this status on this subject.
/// `tests/it/rule_tests.rs` runs every case of every built-in rule.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    pub host: String,
    #[serde(default)]
    pub targets: Vec<String>,
    /// `host`, or the full PCI address of the device.
    pub subject: String,
    pub status: Status,
    /// This case's finding is the one `[doc] example` shows, as the text
    /// report prints it.
    #[serde(default)]
    pub example: bool,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Doc {
    /// What the rule checks.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// A failing example, as the report would show it.
    pub example: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

/// A CEL expression with the text it came from.
pub struct Expr {
    pub source: String,
    pub program: Program,
    /// What the program is evaluated as.
    pub plan: Plan,
    /// It reads the host's facts only (no `device`): the same for every
    /// device, so a run evaluates it once.
    pub host_only: bool,
}

pub struct Remediation {
    pub text: Template,
    pub when: Option<Expr>,
}

/// A pass or fail message for the case `when` selects; the first variant
/// that applies is used, else the rule's `pass` or `fail`.
pub struct MessageVariant {
    pub pass: bool,
    pub when: Expr,
    pub text: Template,
}

/// What to report for a device rule that found nothing to look at.
pub struct NoSubjects {
    /// Fail, warn or skip.
    pub status: Status,
    pub message: String,
    pub remediation: Vec<String>,
}

/// A loaded, compiled rule.
pub struct Rule {
    pub id: String,
    /// "built-in" or the file it was loaded from.
    pub origin: String,
    pub title: String,
    pub scope: Scope,
    pub severity: Severity,
    pub needs: Vec<String>,
    pub applies: Option<Expr>,
    pub not_applicable: Option<Template>,
    pub condition: Expr,
    pub warn_if: Option<Expr>,
    pub no_subjects: Option<NoSubjects>,
    pub pass: Template,
    pub fail: Template,
    /// `[[message.variant]]`, in file order.
    pub variants: Vec<MessageVariant>,
    pub evidence: Vec<Template>,
    pub remediation: Vec<Remediation>,
    pub doc: Doc,
    /// The cases its tests run (`[[test]]`); none for most site rules.
    pub tests: Vec<RuleTest>,
}

/// A rule that could not be loaded: file, line, reason.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// The id a rule or signature file gives: its file stem.
pub fn file_stem(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A TOML parse error as a RuleError with the line it points at.
pub fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> RuleError {
    RuleError {
        file: file.to_string(),
        line: e.span().map(|s| line_of(text, s.start)),
        reason: e.message().to_string(),
    }
}

/// The 1-based line of a byte offset in a file.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .unwrap_or(text)
        .matches('\n')
        .count()
        + 1
}

/// Whether `id` is a well-formed rule id: `area.name`, lowercase, kebab-case.
pub fn valid_id(id: &str) -> bool {
    let mut parts = id.split('.');
    let ok = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !p.starts_with('-')
            && !p.ends_with('-')
    };
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if ok(a) && ok(b))
}

/// How much of a rule is compiled and checked when it is loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compile {
    /// Every expression and placeholder parsed and type-checked now, each
    /// error reported with its line: rules from a --rules directory.
    Checked,
    /// The built-in rules, which the tests load `Checked`
    /// (`typecheck::tests`): expressions parsed now, message placeholders when
    /// first rendered, no type checks at run time.
    Deferred,
}

impl Rule {
    pub fn area(&self) -> Area {
        Area::of(&self.id)
    }
}
