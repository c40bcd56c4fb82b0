//! `sriov-doctor rules` and `rules ID`: the documentation lives in the rule
//! file, and this prints it.

use std::fmt::Write;

use serde::Serialize;

use crate::rules::{Rule, Scope, Severity};

pub fn list(rules: &[Rule]) -> String {
    let mut out = String::new();
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in rules {
        let _ = writeln!(
            out,
            "{:width$}  {:7} {:7} {}",
            r.id,
            scope_name(r.scope),
            severity_name(r.severity),
            r.title
        );
    }
    out
}

fn scope_name(s: Scope) -> &'static str {
    match s {
        Scope::Host => "host",
        Scope::Pf => "pf",
        Scope::Vf => "vf",
        Scope::Device => "device",
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

pub fn show(r: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", r.id, r.title);
    let _ = writeln!(
        out,
        "scope: {} · severity: {} · {}",
        scope_name(r.scope),
        severity_name(r.severity),
        r.origin
    );
    let _ = writeln!(out, "\nWhat it checks\n  {}", indent(&r.doc.what));
    let _ = writeln!(out, "\nWhy it matters\n  {}", indent(&r.doc.why));
    if !r.remediation.is_empty() {
        let _ = writeln!(out, "\nHow to fix");
        for (i, step) in r.remediation.iter().enumerate() {
            let when = step
                .when
                .as_ref()
                .map(|w| format!(" [when {}]", w.source))
                .unwrap_or_default();
            let _ = writeln!(out, "  {}. {}{}", i + 1, indent(&step.text.outline()), when);
        }
    }
    if let Some(ex) = &r.doc.example {
        let _ = writeln!(out, "\nExample\n  {}", indent(ex));
    }
    let _ = writeln!(
        out,
        "\nCondition (CEL, true = pass)\n  {}",
        r.condition.source
    );
    if !r.needs.is_empty() {
        let _ = writeln!(
            out,
            "\nFacts it needs (unknown → skip)\n  {}",
            r.needs.join(", ")
        );
    }
    if !r.doc.references.is_empty() {
        let _ = writeln!(out, "\nReferences");
        for reference in &r.doc.references {
            let _ = writeln!(out, "  - {reference}");
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.trim_end().replace('\n', "\n  ")
}

/// JSON form of a rule's documentation.
#[derive(Serialize)]
pub struct RuleDoc<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub scope: Scope,
    pub severity: Severity,
    pub what: &'a str,
    pub why: &'a str,
    pub how_to_fix: Vec<String>,
    pub example: Option<&'a str>,
    pub condition: &'a str,
    pub needs: &'a [String],
    pub references: &'a [String],
}

impl<'a> RuleDoc<'a> {
    pub fn of(r: &'a Rule) -> RuleDoc<'a> {
        RuleDoc {
            id: &r.id,
            title: &r.title,
            scope: r.scope,
            severity: r.severity,
            what: &r.doc.what,
            why: &r.doc.why,
            how_to_fix: r.remediation.iter().map(|s| s.text.outline()).collect(),
            example: r.doc.example.as_deref(),
            condition: &r.condition.source,
            needs: &r.needs,
            references: &r.doc.references,
        }
    }
}
