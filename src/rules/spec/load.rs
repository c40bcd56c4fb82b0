//! Loading one rule file: parse the TOML, check what TOML cannot (ids,
//! statuses, which parts go together), compile and type-check every CEL
//! expression and message placeholder, each error with its line.

use std::sync::Arc;

use cel::Env;
use toml::Spanned;

use super::super::plan::Plan;
use super::super::template::Template;
use super::super::typecheck::{self, Want};
use super::raw::{MessageToml, NoSubjectsToml, RemediationToml, RuleToml};
use super::{
    file_stem, line_of, toml_error, valid_id, Compile, Expr, MessageVariant, NoSubjects,
    Remediation, Rule, RuleError, RuleTest, Scope, Status,
};

impl Rule {
    /// Parses, compiles and checks one rule file: its CEL conditions and
    /// message placeholders must parse, name only facts that exist, and
    /// type-check as far as that can be told without a host (`typecheck`).
    /// `file` is its name for messages; the id is its stem.
    /// `Compile::Deferred` leaves the placeholders and the checks out.
    pub fn load(
        file: &str,
        text: &str,
        origin: &str,
        env: &Arc<Env>,
        compile: Compile,
    ) -> Result<Rule, RuleError> {
        let id = file_stem(file);
        if !valid_id(&id) {
            return Err(RuleError {
                file: file.to_string(),
                line: None,
                reason: format!("'{id}' is not a rule id: the file stem must be area.name in lowercase kebab-case"),
            });
        }
        let raw: RuleToml = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let loader = Loader {
            file,
            text,
            env,
            checked: compile == Compile::Checked,
            device: raw.scope != Scope::Host,
        };
        loader.check_parts(&raw)?;
        let no_subjects = raw
            .no_subjects
            .as_ref()
            .map(|ns| loader.no_subjects(ns))
            .transpose()?;
        Ok(Rule {
            origin: origin.to_string(),
            title: raw.title.clone(),
            scope: raw.scope,
            severity: raw.severity,
            needs: raw.needs.iter().map(|n| n.get_ref().clone()).collect(),
            applies: loader.optional_expr(&raw.applies, "applies")?,
            not_applicable: raw
                .not_applicable
                .as_ref()
                .map(|t| loader.template(t, "not_applicable"))
                .transpose()?,
            condition: loader.expr(&raw.condition, "condition")?,
            warn_if: loader.optional_expr(&raw.warn_if, "warn_if")?,
            no_subjects,
            variants: loader.variants(&raw.message)?,
            pass: loader.template(&raw.message.pass, "message.pass")?,
            fail: loader.template(&raw.message.fail, "message.fail")?,
            evidence: raw
                .message
                .evidence
                .iter()
                .map(|e| loader.template(e, "message.evidence"))
                .collect::<Result<_, _>>()?,
            remediation: loader.remediation(&raw.remediation)?,
            tests: loader.tests(&raw.test)?,
            doc: raw.doc,
            id,
        })
    }
}

/// One file being loaded: where its errors point, and how far to check.
struct Loader<'a> {
    file: &'a str,
    text: &'a str,
    env: &'a Arc<Env>,
    checked: bool,
    /// `device` is bound in its expressions (every scope but `host`).
    device: bool,
}

impl Loader<'_> {
    fn err(&self, line: Option<usize>, reason: String) -> RuleError {
        RuleError {
            file: self.file.to_string(),
            line,
            reason,
        }
    }

    /// The line of a string value, or of the character `offset` in it.
    fn at(&self, s: &Spanned<String>, offset: Option<usize>) -> Option<usize> {
        Some(line_in(self.text, s.span(), s.get_ref(), offset))
    }

    /// `needs` paths exist; a host rule's `applies` comes with its reason.
    fn check_parts(&self, raw: &RuleToml) -> Result<(), RuleError> {
        for need in &raw.needs {
            typecheck::check_need(need.get_ref(), self.device)
                .map_err(|why| self.err(self.at(need, None), why))?;
        }
        if raw.applies.is_some() != raw.not_applicable.is_some() && raw.scope == Scope::Host {
            let line = raw
                .applies
                .as_ref()
                .or(raw.not_applicable.as_ref())
                .and_then(|s| self.at(s, None));
            return Err(self.err(line, "a host rule with 'applies' needs 'not_applicable', the reason shown when it does not apply".into()));
        }
        Ok(())
    }

    fn expr(&self, s: &Spanned<String>, what: &str) -> Result<Expr, RuleError> {
        typecheck::check_source(s.get_ref())
            .map_err(|why| self.err(self.at(s, None), format!("{what}: {why}")))?;
        let program = self
            .env
            .compile(s.get_ref())
            .map_err(|e| self.err(self.at(s, None), format!("{what}: CEL does not parse: {e}")))?;
        if self.checked {
            typecheck::check(&program, self.env, self.device, Want::Bool)
                .map_err(|e| self.err(self.at(s, e.offset), format!("{what}: {}", e.reason)))?;
        }
        Ok(Expr {
            source: s.get_ref().clone(),
            host_only: !program.references().has_variable("device"),
            plan: Plan::of(&program),
            program,
        })
    }

    fn optional_expr(
        &self,
        s: &Option<Spanned<String>>,
        what: &str,
    ) -> Result<Option<Expr>, RuleError> {
        s.as_ref().map(|s| self.expr(s, what)).transpose()
    }

    fn template(&self, t: &Spanned<String>, what: &str) -> Result<Template, RuleError> {
        let compiled = Template::compile(t.get_ref(), self.env, !self.checked)
            .map_err(|why| self.err(self.at(t, None), format!("{what}: {why}")))?;
        if !self.checked {
            return Ok(compiled);
        }
        for (source, program) in compiled.placeholders() {
            // Compiled with the template: parsed, or it was an error above.
            let Some(program) = program else { continue };
            typecheck::check(program, self.env, self.device, Want::Any).map_err(|e| {
                // Where the placeholder stands in the template.
                let offset = t
                    .get_ref()
                    .find(source)
                    .map(|byte| t.get_ref()[..byte].chars().count() + e.offset.unwrap_or(0));
                self.err(
                    self.at(t, offset),
                    format!("{what}: placeholder {{{{ {source} }}}}: {}", e.reason),
                )
            })?;
        }
        Ok(compiled)
    }

    /// `[no_subjects]`: fail, warn or skip; one that fails or warns says
    /// what to do.
    fn no_subjects(&self, ns: &Spanned<NoSubjectsToml>) -> Result<NoSubjects, RuleError> {
        let line = Some(line_of(self.text, ns.span().start));
        let ns = ns.get_ref();
        let status = match ns.status.get_ref().as_str() {
            "fail" => Status::Fail,
            "warn" => Status::Warn,
            "skip" => Status::Skip,
            other => {
                return Err(self.err(
                    self.at(&ns.status, None),
                    format!("no_subjects.status '{other}' is not fail, warn or skip"),
                ))
            }
        };
        if status != Status::Skip && ns.remediation.is_empty() {
            return Err(self.err(
                line,
                "no_subjects that fails or warns needs a remediation".into(),
            ));
        }
        Ok(NoSubjects {
            status,
            message: ns.message.clone(),
            remediation: ns.remediation.clone(),
        })
    }

    fn variants(&self, message: &MessageToml) -> Result<Vec<MessageVariant>, RuleError> {
        let mut variants = Vec::new();
        for (i, v) in message.variant.iter().enumerate() {
            let what = format!("message.variant {}", i + 1);
            let pass = match v.status.get_ref().as_str() {
                "pass" => true,
                "fail" => false,
                other => {
                    return Err(self.err(
                        self.at(&v.status, None),
                        format!("{what}: status '{other}' is not pass or fail"),
                    ))
                }
            };
            variants.push(MessageVariant {
                pass,
                when: self.expr(&v.when, &format!("{what} when"))?,
                text: self.template(&v.text, &what)?,
            });
        }
        Ok(variants)
    }

    fn remediation(
        &self,
        steps: &[Spanned<RemediationToml>],
    ) -> Result<Vec<Remediation>, RuleError> {
        let mut remediation = Vec::new();
        for (i, r) in steps.iter().enumerate() {
            let r = r.get_ref();
            remediation.push(Remediation {
                text: self.template(&r.text, &format!("remediation {}", i + 1))?,
                when: self.optional_expr(&r.when, "remediation when")?,
            });
        }
        Ok(remediation)
    }

    /// `[[test]]` cases: a subject that is `host` or a PCI address, and at
    /// most one case marked as the doc's example.
    fn tests(&self, cases: &[Spanned<RuleTest>]) -> Result<Vec<RuleTest>, RuleError> {
        let mut tests = Vec::new();
        for t in cases {
            let line = Some(line_of(self.text, t.span().start));
            let case = t.get_ref();
            if case.subject != "host" && case.subject.parse::<crate::address::PciAddress>().is_err()
            {
                return Err(self.err(
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
            return Err(self.err(None, "test: more than one case is marked example".into()));
        }
        Ok(tests)
    }
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
