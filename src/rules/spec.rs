//! A rule as written in its TOML file, checked and compiled at load.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use cel::{Env, Program};
use serde::Deserialize;
use toml::Spanned;

use super::check::{self, Want};
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    title: String,
    scope: Scope,
    severity: Severity,
    #[serde(default)]
    needs: Vec<Spanned<String>>,
    applies: Option<Spanned<String>>,
    not_applicable: Option<Spanned<String>>,
    condition: Spanned<String>,
    warn_if: Option<Spanned<String>>,
    no_subjects: Option<Spanned<NoSubjectsToml>>,
    message: MessageToml,
    #[serde(default)]
    remediation: Vec<Spanned<RemediationToml>>,
    doc: Doc,
    #[serde(default)]
    test: Vec<Spanned<RuleTest>>,
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoSubjectsToml {
    status: Spanned<String>,
    message: String,
    #[serde(default)]
    remediation: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageToml {
    pass: Spanned<String>,
    fail: Spanned<String>,
    #[serde(default)]
    evidence: Vec<Spanned<String>>,
    #[serde(default)]
    variant: Vec<VariantToml>,
}

/// `[[message.variant]]`: a message for one case, chosen by `when`
/// instead of a conditional inside the message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantToml {
    status: Spanned<String>,
    when: Spanned<String>,
    text: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemediationToml {
    text: Spanned<String>,
    when: Option<Spanned<String>>,
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
    pub status: String,
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

/// The line of a place in a string value whose TOML span is `span`: the
/// key's line, and in a multi-line string the lines before `at`, a character
/// offset in the value.
fn line_in(text: &str, span: std::ops::Range<usize>, value: &str, at: Option<usize>) -> usize {
    let line = line_of(text, span.start);
    let raw = text.get(span).unwrap_or_default();
    let Some(rest) = raw
        .strip_prefix("\"\"\"")
        .or_else(|| raw.strip_prefix("'''"))
    else {
        return line;
    };
    let Some(at) = at else {
        return line;
    };
    // A newline right after the opening quotes is not part of the value.
    let first = usize::from(rest.starts_with('\n') || rest.starts_with("\r\n"));
    line + first + value.chars().take(at).filter(|&c| c == '\n').count()
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
    /// (`check::tests`): expressions parsed now, message placeholders when
    /// first rendered, no type checks at run time.
    Deferred,
}

impl Rule {
    /// Parses, compiles and checks one rule file: its CEL conditions and
    /// message placeholders must parse, name only facts that exist, and
    /// type-check as far as that can be told without a host (`check`).
    /// `file` is its name for messages; the id is its stem.
    /// `Compile::Deferred` leaves the placeholders and the checks out.
    pub fn load(
        file: &str,
        text: &str,
        origin: &str,
        env: &Arc<Env>,
        compile: Compile,
    ) -> Result<Rule, RuleError> {
        let checked = compile == Compile::Checked;
        let err = |line: Option<usize>, reason: String| RuleError {
            file: file.to_string(),
            line,
            reason,
        };
        let id = file_stem(file);
        if !valid_id(&id) {
            return Err(err(None, format!("'{id}' is not a rule id: the file stem must be area.name in lowercase kebab-case")));
        }
        let raw: RuleToml = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let device = raw.scope != Scope::Host;
        let at = |s: &Spanned<String>, offset: Option<usize>| {
            Some(line_in(text, s.span(), s.get_ref(), offset))
        };
        let expr = |s: &Spanned<String>, what: &str| -> Result<Expr, RuleError> {
            check::check_source(s.get_ref())
                .map_err(|why| err(at(s, None), format!("{what}: {why}")))?;
            let program = env
                .compile(s.get_ref())
                .map_err(|e| err(at(s, None), format!("{what}: CEL does not parse: {e}")))?;
            if checked {
                check::check(&program, env, device, Want::Bool)
                    .map_err(|e| err(at(s, e.offset), format!("{what}: {}", e.reason)))?;
            }
            Ok(Expr {
                source: s.get_ref().clone(),
                host_only: !program.references().has_variable("device"),
                plan: Plan::of(&program),
                program,
            })
        };
        let template = |t: &Spanned<String>, what: &str| -> Result<Template, RuleError> {
            let compiled = Template::compile(t.get_ref(), env, !checked)
                .map_err(|why| err(at(t, None), format!("{what}: {why}")))?;
            if !checked {
                return Ok(compiled);
            }
            for (source, program) in compiled.placeholders() {
                // Compiled with the template: parsed, or it was an error above.
                let Some(program) = program else { continue };
                check::check(program, env, device, Want::Any).map_err(|e| {
                    // Where the placeholder stands in the template.
                    let offset = t
                        .get_ref()
                        .find(source)
                        .map(|byte| t.get_ref()[..byte].chars().count() + e.offset.unwrap_or(0));
                    err(
                        at(t, offset),
                        format!("{what}: placeholder {{{{ {source} }}}}: {}", e.reason),
                    )
                })?;
            }
            Ok(compiled)
        };
        for need in &raw.needs {
            check::check_need(need.get_ref(), device).map_err(|why| err(at(need, None), why))?;
        }
        if raw.applies.is_some() != raw.not_applicable.is_some() && raw.scope == Scope::Host {
            let line = raw
                .applies
                .as_ref()
                .or(raw.not_applicable.as_ref())
                .and_then(|s| at(s, None));
            return Err(err(line, "a host rule with 'applies' needs 'not_applicable', the reason shown when it does not apply".into()));
        }
        if let Some(ns) = &raw.no_subjects {
            let ns_line = Some(line_of(text, ns.span().start));
            let ns = ns.get_ref();
            if !["fail", "warn", "skip"].contains(&ns.status.get_ref().as_str()) {
                return Err(err(
                    at(&ns.status, None),
                    format!(
                        "no_subjects.status '{}' is not fail, warn or skip",
                        ns.status.get_ref()
                    ),
                ));
            }
            if ns.status.get_ref() != "skip" && ns.remediation.is_empty() {
                return Err(err(
                    ns_line,
                    "no_subjects that fails or warns needs a remediation".into(),
                ));
            }
        }
        let mut variants = Vec::new();
        for (i, v) in raw.message.variant.iter().enumerate() {
            let what = format!("message.variant {}", i + 1);
            let pass = match v.status.get_ref().as_str() {
                "pass" => true,
                "fail" => false,
                other => {
                    return Err(err(
                        at(&v.status, None),
                        format!("{what}: status '{other}' is not pass or fail"),
                    ))
                }
            };
            variants.push(MessageVariant {
                pass,
                when: expr(&v.when, &format!("{what} when"))?,
                text: template(&v.text, &what)?,
            });
        }
        let mut tests = Vec::new();
        for t in &raw.test {
            let line = Some(line_of(text, t.span().start));
            let case = t.get_ref();
            if case.subject != "host" && case.subject.parse::<crate::address::PciAddress>().is_err()
            {
                return Err(err(
                    line,
                    format!(
                        "test: subject '{}' is not 'host' or a PCI address",
                        case.subject
                    ),
                ));
            }
            tests.push(case.clone());
        }
        if tests.iter().filter(|t| t.example).count() > 1 {
            return Err(err(
                None,
                "test: more than one case is marked example".into(),
            ));
        }
        let mut remediation = Vec::new();
        for (i, r) in raw.remediation.iter().enumerate() {
            let r = r.get_ref();
            remediation.push(Remediation {
                text: template(&r.text, &format!("remediation {}", i + 1))?,
                when: r
                    .when
                    .as_ref()
                    .map(|w| expr(w, "remediation when"))
                    .transpose()?,
            });
        }
        Ok(Rule {
            origin: origin.to_string(),
            title: raw.title.clone(),
            scope: raw.scope,
            severity: raw.severity,
            needs: raw.needs.iter().map(|n| n.get_ref().clone()).collect(),
            applies: raw
                .applies
                .as_ref()
                .map(|a| expr(a, "applies"))
                .transpose()?,
            not_applicable: raw
                .not_applicable
                .as_ref()
                .map(|t| template(t, "not_applicable"))
                .transpose()?,
            condition: expr(&raw.condition, "condition")?,
            warn_if: raw
                .warn_if
                .as_ref()
                .map(|w| expr(w, "warn_if"))
                .transpose()?,
            no_subjects: raw.no_subjects.map(|n| {
                let n = n.into_inner();
                NoSubjects {
                    status: n.status.into_inner(),
                    message: n.message,
                    remediation: n.remediation,
                }
            }),
            variants,
            pass: template(&raw.message.pass, "message.pass")?,
            fail: template(&raw.message.fail, "message.fail")?,
            evidence: raw
                .message
                .evidence
                .iter()
                .map(|e| template(e, "message.evidence"))
                .collect::<Result<_, _>>()?,
            remediation,
            doc: raw.doc,
            tests,
            id,
        })
    }

    pub fn area(&self) -> Area {
        Area::of(&self.id)
    }
}
