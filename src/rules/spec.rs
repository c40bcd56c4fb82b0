//! A rule as written in its TOML file, checked and compiled at load.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use cel::{Env, Program};
use serde::Deserialize;
use toml::Spanned;

use super::template::Template;

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

/// How much a failing condition matters.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A failing condition is a failure (exit 1).
    Error,
    /// A failing condition is a warning.
    Warning,
}

/// Report sections, in the order an operator works through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    Cpu,
    Firmware,
    Kernel,
    Modules,
    Sriov,
    Iommu,
    Device,
    Xen,
    Site,
}

impl Area {
    pub fn of(rule_id: &str) -> Area {
        match rule_id.split('.').next().unwrap_or("") {
            "cpu" => Area::Cpu,
            "firmware" => Area::Firmware,
            "kernel" => Area::Kernel,
            "modules" => Area::Modules,
            "sriov" => Area::Sriov,
            "iommu" => Area::Iommu,
            "device" => Area::Device,
            "xen" => Area::Xen,
            _ => Area::Site,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Area::Cpu => "CPU",
            Area::Firmware => "Firmware",
            Area::Kernel => "Kernel",
            Area::Modules => "Modules",
            Area::Sriov => "SR-IOV",
            Area::Iommu => "IOMMU groups",
            Area::Device => "Devices",
            Area::Xen => "Xen",
            Area::Site => "Site rules",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    title: String,
    scope: Scope,
    severity: Severity,
    #[serde(default)]
    needs: Vec<String>,
    applies: Option<Spanned<String>>,
    not_applicable: Option<String>,
    condition: Spanned<String>,
    warn_if: Option<Spanned<String>>,
    no_subjects: Option<NoSubjectsToml>,
    message: MessageToml,
    #[serde(default)]
    remediation: Vec<RemediationToml>,
    doc: Doc,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoSubjectsToml {
    status: String,
    message: String,
    #[serde(default)]
    remediation: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageToml {
    pass: String,
    fail: String,
    #[serde(default)]
    evidence: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemediationToml {
    text: String,
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
}

pub struct Remediation {
    pub text: Template,
    pub when: Option<Expr>,
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
    pub evidence: Vec<Template>,
    pub remediation: Vec<Remediation>,
    pub doc: Doc,
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

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
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

impl Rule {
    /// Parses and compiles one rule file. `file` is its name for messages;
    /// the id is its stem.
    pub fn load(file: &str, text: &str, origin: &str, env: &Arc<Env>) -> Result<Rule, RuleError> {
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
        let expr = |s: &Spanned<String>, what: &str| -> Result<Expr, RuleError> {
            let program = env.compile(s.get_ref()).map_err(|e| {
                err(
                    Some(line_of(text, s.span().start)),
                    format!("{what}: CEL does not parse: {e}"),
                )
            })?;
            check_variables(&program, raw.scope).map_err(|why| {
                err(
                    Some(line_of(text, s.span().start)),
                    format!("{what}: {why}"),
                )
            })?;
            Ok(Expr {
                source: s.get_ref().clone(),
                program,
            })
        };
        let template = |t: &str, what: &str| -> Result<Template, RuleError> {
            Template::compile(t, env).map_err(|why| err(None, format!("{what}: {why}")))
        };
        for need in &raw.needs {
            let root = need.split('.').next().unwrap_or("");
            let ok = root == "host" || (root == "device" && raw.scope != Scope::Host);
            if !ok {
                return Err(err(None, format!("needs '{need}': a fact path starts with host. (or device. outside host rules)")));
            }
        }
        if raw.applies.is_some() != raw.not_applicable.is_some() && raw.scope == Scope::Host {
            return Err(err(None, "a host rule with 'applies' needs 'not_applicable', the reason shown when it does not apply".into()));
        }
        if let Some(ns) = &raw.no_subjects {
            if !["fail", "warn", "skip"].contains(&ns.status.as_str()) {
                return Err(err(
                    None,
                    format!(
                        "no_subjects.status '{}' is not fail, warn or skip",
                        ns.status
                    ),
                ));
            }
            if ns.status != "skip" && ns.remediation.is_empty() {
                return Err(err(
                    None,
                    "no_subjects that fails or warns needs a remediation".into(),
                ));
            }
        }
        let mut remediation = Vec::new();
        for (i, r) in raw.remediation.iter().enumerate() {
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
            needs: raw.needs.clone(),
            applies: raw
                .applies
                .as_ref()
                .map(|a| expr(a, "applies"))
                .transpose()?,
            not_applicable: raw
                .not_applicable
                .as_deref()
                .map(|t| template(t, "not_applicable"))
                .transpose()?,
            condition: expr(&raw.condition, "condition")?,
            warn_if: raw
                .warn_if
                .as_ref()
                .map(|w| expr(w, "warn_if"))
                .transpose()?,
            no_subjects: raw.no_subjects.map(|n| NoSubjects {
                status: n.status,
                message: n.message,
                remediation: n.remediation,
            }),
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
            id,
        })
    }

    pub fn area(&self) -> Area {
        Area::of(&self.id)
    }
}

/// `device` exists only outside host rules. (Other names may be comprehension
/// variables, which the reference list includes; an undeclared one fails at
/// evaluation and the rule is skipped with the reason.)
fn check_variables(program: &Program, scope: Scope) -> Result<(), String> {
    if scope == Scope::Host && program.references().has_variable("device") {
        return Err("'device' is not available in a host rule".into());
    }
    Ok(())
}
