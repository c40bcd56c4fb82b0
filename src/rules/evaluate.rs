//! One rule on one subject (the host, or a device): whether it applies,
//! whether its inputs are known, its condition, and the finding with its
//! messages.

use cel::{Context, Value};

use super::fact_tree::Fact;
use super::spec::{Expr, Rule, Scope, Severity};
use super::template::Subject;
use crate::findings::{Finding, Status};

pub(super) fn finding(
    rule: &Rule,
    status: Status,
    subject: &str,
    message: String,
    evidence: Vec<String>,
    remediation: Vec<String>,
    target: bool,
) -> Finding {
    Finding {
        rule: rule.id.clone(),
        status,
        severity: rule.severity,
        subject: subject.to_string(),
        title: rule.title.clone(),
        message,
        evidence,
        remediation,
        target: target && subject != "host",
        inconclusive: false,
    }
}

pub(super) fn eval_bool(expr: &Expr, ctx: &Context) -> Result<bool, String> {
    match expr.plan.execute(ctx) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!(
            "`{}` gave {other:?}, not true or false",
            expr.source
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// Walks a fact path such as `device.group.blockers`. Ok(Some(reason)) when
/// the fact (or one above it) is unknown, Ok(None) when it is known (null
/// counts as known), Err when the path names no fact.
fn need_state(path: &str, host: Fact, device: Option<Fact>) -> Result<Option<String>, String> {
    let mut segs = path.split('.');
    let mut cur = match (segs.next(), device) {
        (Some("host"), _) => host,
        (Some("device"), Some(d)) => d,
        _ => return Err(format!("'{path}' names no fact")),
    };
    for seg in segs {
        if let Some(r) = cur.unknown_reason() {
            return Ok(Some(r.to_string()));
        }
        if cur.is_null() {
            return Ok(None);
        }
        match cur.get(seg) {
            Some(v) => cur = v,
            None => return Err(format!("'{path}' names no fact")),
        }
    }
    Ok(cur.unknown_reason().map(str::to_string))
}

/// One rule on one subject; `applies` is the rule's `applies` evaluated in
/// `ctx` (or earlier, when it reads the host only).
pub(super) fn evaluate(
    rule: &Rule,
    ctx: &Context,
    host: Fact,
    device: Option<Fact>,
    subject: &str,
    target: bool,
    applies: Option<Result<bool, String>>,
) -> Option<Finding> {
    let facts = Subject { host, device };
    let skip = |why: String| {
        Some(finding(
            rule,
            Status::Skip,
            subject,
            why,
            Vec::new(),
            Vec::new(),
            target,
        ))
    };
    let inconclusive = |why: String| {
        skip(why).map(|mut f| {
            f.inconclusive = true;
            f
        })
    };
    // Whether the rule applies comes first: a rule that does not apply here
    // needs none of its inputs. If that cannot be decided, the unknown input
    // that prevents it is the better reason.
    match applies {
        Some(Ok(false)) if rule.scope == Scope::Host => {
            let why = rule
                .not_applicable
                .as_ref()
                .map(|t| t.render(ctx, facts))
                .unwrap_or_default();
            return skip(format!("not applicable: {why}"));
        }
        Some(Ok(false)) => return None,
        _ => {}
    }
    for need in &rule.needs {
        match need_state(need, host, device) {
            Ok(None) => {}
            Ok(Some(reason)) => return inconclusive(format!("could not check: {reason}")),
            Err(e) => return inconclusive(format!("rule error: {e}")),
        }
    }
    if let Some(Err(e)) = applies {
        return inconclusive(format!("could not decide whether the rule applies: {e}"));
    }
    let passed = match eval_bool(&rule.condition, ctx) {
        Ok(p) => p,
        Err(e) => {
            let unknown = rule
                .needs
                .iter()
                .filter_map(|n| {
                    let mut segs = n.split('.');
                    let root = match segs.next() {
                        Some("host") => host,
                        _ => device?,
                    };
                    segs.try_fold(root, |cur, s| cur.get(s))
                        .and_then(Fact::first_unknown)
                })
                .next();
            return inconclusive(match unknown {
                Some(r) => format!("could not check: {r}"),
                None => format!("could not evaluate the condition: {e}"),
            });
        }
    };
    let evidence = rule.evidence.iter().map(|t| t.render(ctx, facts)).collect();
    if passed {
        return Some(finding(
            rule,
            Status::Pass,
            subject,
            message(rule, true, ctx, facts),
            evidence,
            Vec::new(),
            target,
        ));
    }
    let status = if rule.severity == Severity::Warning {
        Status::Warn
    } else {
        match rule.warn_if.as_ref().map(|w| eval_bool(w, ctx)) {
            Some(Ok(true)) => Status::Warn,
            _ => Status::Fail,
        }
    };
    let remediation = rule
        .remediation
        .iter()
        .filter(|r| match &r.when {
            None => true,
            Some(w) => eval_bool(w, ctx).unwrap_or(false),
        })
        .map(|r| r.text.render(ctx, facts))
        .collect();
    Some(finding(
        rule,
        status,
        subject,
        message(rule, false, ctx, facts),
        evidence,
        remediation,
        target,
    ))
}

/// The pass or fail message: that of the first `[[message.variant]]` of
/// this outcome whose `when` holds, else the rule's own.
fn message(rule: &Rule, passed: bool, ctx: &Context, facts: Subject) -> String {
    rule.variants
        .iter()
        .find(|v| v.pass == passed && eval_bool(&v.when, ctx).unwrap_or(false))
        .map(|v| &v.text)
        .unwrap_or(if passed { &rule.pass } else { &rule.fail })
        .render(ctx, facts)
}
