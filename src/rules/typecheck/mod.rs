//! Static checks of a rule's CEL expressions at load, against the types of
//! the facts (`schema`): every name and fact path must exist, and what can be
//! told without the host's values must not be a type error.
//!
//! Scope, chosen so that no valid rule is rejected: an expression is
//! rejected only when, on every host, it fails to evaluate or can only give
//! one answer (a comparison that is never equal), or when it is too long or
//! too deep to handle safely.
//!
//! - Size: at most 4,096 characters and 100 levels of syntax tree
//!   (`MAX_SOURCE`, `MAX_DEPTH`): CEL's parser and evaluator recurse on
//!   chains such as `a[0][0]…`, which the parser's own nesting limit misses.
//! - Names: `host`, `device` (not in host rules), comprehension variables,
//!   and what the CEL environment itself resolves (type names such as
//!   `int`). Anything else is an unknown name.
//! - Fact paths: a field selected (`a.b`, `has(a.b)`, `a['b']`) on a fact
//!   structure must be one of its fields; maps (`host.modules`,
//!   `host.kernel.params`) take any key.
//! - Conditions (`condition`, `applies`, `warn_if`, `when`) and the operands
//!   of `!`, `&&`, `||` and `? :` must be bools (a nullable bool is
//!   accepted); a list, a string, a number or a map is an error.
//! - `==`, `!=` and `in` between types whose values are never equal (a string
//!   and a number, a bool and a string) are errors: the result is always
//!   false. Null compares with anything, numbers with numbers.
//! - Selecting a field of, or iterating over, a scalar is an error.
//! - A fact structure (`device.group`, an element of `device.group.members`)
//!   is read field by field (`FactsVal`): iterating over one, passing one to
//!   a function (`size`, `string`, …), comparing one with anything but null
//!   and looking for one with `in` are errors.
//! - Every other operator and function call (`size`, `<`, `+`, `contains`,
//!   `join`, …) is checked by the CEL library itself: it is called once on
//!   sample values of the argument types, and an error that only types can
//!   cause (no such overload or function, wrong argument type or count)
//!   rejects the rule; errors that depend on values (division by zero, an
//!   index out of range, a malformed number) do not. The result's type is
//!   taken from that call.
//! - `dyn(x)` opts out, as in cel-go: its type is not known.
//! - Where a type is not known (`dyn`, an element of a list built from
//!   unknown parts), nothing is checked. A nullable fact is checked as its
//!   value; a call that fails on the value but takes null is accepted.

use std::sync::Arc;

use cel::common::ast::{EntryExpr, Expr, IdedExpr, MapExpr, StructExpr};
use cel::{Env, Program};

use super::schema::{self, Ty};

mod checker;
mod samples;
mod show;
#[cfg(test)]
mod tests;

use checker::Checker;
pub use show::show;

/// What a checked expression must evaluate to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A bool: a condition.
    Bool,
    /// Anything: a message placeholder.
    Any,
}

/// Why an expression is rejected, and where in its source (a character
/// offset, when the library knows it).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckError {
    pub reason: String,
    pub offset: Option<usize>,
}

/// Checks one compiled expression. `device` says whether `device` is bound
/// (every scope but `host`).
pub fn check(
    program: &Program,
    env: &Arc<Env>,
    device: bool,
    want: Want,
) -> Result<(), CheckError> {
    let expr = program.expression();
    let depth = depth(expr);
    if depth > MAX_DEPTH {
        return Err(CheckError {
            reason: format!(
                "the expression nests {depth} levels deep, more than the {MAX_DEPTH} allowed"
            ),
            offset: None,
        });
    }
    let mut c = Checker::new(env, device);
    let t = c.infer(expr).map_err(|(id, reason)| CheckError {
        reason,
        offset: program
            .source_info()
            .offset_for(id)
            .map(|(start, _)| start as usize),
    })?;
    if want == Want::Bool && !boolish(&t) {
        return Err(CheckError {
            reason: format!(
                "`{}` is {t}, not a bool: a condition must be true or false",
                show(expr)
            ),
            offset: None,
        });
    }
    Ok(())
}

/// The deepest expression a rule may hold, counted in syntax tree levels.
/// The CEL parser limits nesting (96 levels of parentheses, calls, …) but
/// not chains: `a.b.c…`, `a[0][0]…` and `1 + 1 + …` grow the tree without
/// limit, and both this check and CEL's evaluation recurse on it, so a long
/// enough chain would overflow the stack. The built-in rules reach 18 (see
/// the test); comprehensions add three levels each.
pub const MAX_DEPTH: usize = 100;

/// The longest CEL expression a rule may hold, in characters. The CEL
/// parser itself recurses on chains (`a[0][0]…`) and overflows the stack on
/// one of 100,000 links, which a 1 MiB rule file can hold; this keeps every
/// expression well below that. The longest built-in one has 821.
pub const MAX_SOURCE: usize = 4096;

/// Whether an expression's source is short enough to hand to the parser.
pub fn check_source(source: &str) -> Result<(), String> {
    let n = source.chars().count();
    if n > MAX_SOURCE {
        return Err(format!(
            "the expression is {n} characters long, more than the {MAX_SOURCE} allowed"
        ));
    }
    Ok(())
}

/// The depth of the syntax tree, walked without recursion.
pub fn depth(e: &IdedExpr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        stack.extend(children(e).into_iter().map(|c| (c, d + 1)));
    }
    deepest
}

/// The sub-expressions of an expression.
fn children(e: &IdedExpr) -> Vec<&IdedExpr> {
    match &e.expr {
        Expr::Select(s) => vec![&*s.operand],
        Expr::Call(c) => c.target.as_deref().into_iter().chain(&c.args).collect(),
        Expr::List(l) => l.elements.iter().collect(),
        Expr::Map(MapExpr { entries }) | Expr::Struct(StructExpr { entries, .. }) => entries
            .iter()
            .flat_map(|en| match &en.expr {
                EntryExpr::MapEntry(me) => vec![&me.key, &me.value],
                EntryExpr::StructField(f) => vec![&f.value],
            })
            .collect(),
        Expr::Comprehension(c) => vec![
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ],
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => Vec::new(),
    }
}

/// The type inferred for each node of the expression, by node id (a node
/// inside a comprehension may appear more than once). For tests that hold
/// the inference to what evaluation gives.
pub fn node_types(
    program: &Program,
    env: &Arc<Env>,
    device: bool,
) -> Result<Vec<(u64, Ty)>, String> {
    let mut c = Checker::new(env, device);
    c.seen = Some(Vec::new());
    c.infer(program.expression()).map_err(|(_, why)| why)?;
    Ok(c.seen.unwrap_or_default())
}

/// Checks a fact path of `needs`: it must name a fact, through fact
/// structures and maps.
pub fn check_need(path: &str, device: bool) -> Result<(), String> {
    let mut segs = path.split('.');
    let mut t = match segs.next() {
        Some("host") => schema::host().clone(),
        Some("device") if device => schema::device().clone(),
        _ => {
            return Err(format!(
                "needs '{path}': a fact path starts with host. (or device. outside host rules)"
            ))
        }
    };
    let mut walked = path.split('.').next().unwrap_or_default().to_string();
    for seg in segs {
        t = match t.non_null() {
            Ty::Dyn => return Ok(()),
            Ty::Map(_, v) => (**v).clone(),
            Ty::Object(o) => match o.fields.get(seg) {
                Some(f) => f.clone(),
                None => {
                    return Err(format!(
                        "needs '{path}': {}",
                        no_field(&walked, seg, o.fields.keys())
                    ))
                }
            },
            other => {
                return Err(format!(
                    "needs '{path}': {walked} is {other}, which has no fields"
                ))
            }
        };
        walked.push('.');
        walked.push_str(seg);
    }
    Ok(())
}

fn boolish(t: &Ty) -> bool {
    matches!(t.non_null(), Ty::Bool | Ty::Dyn | Ty::Never)
}

/// "unknown fact 'host.distro.famly': host.distro has no field 'famly' (did
/// you mean family?)" or with the list of fields.
fn no_field<'a>(owner: &str, field: &str, fields: impl Iterator<Item = &'a String>) -> String {
    let fields: Vec<&String> = fields.collect();
    let close: Vec<&&String> = fields
        .iter()
        .filter(|f| edit_distance(f, field) <= 2 || f.contains(field) || field.contains(f.as_str()))
        .collect();
    let hint = match close.as_slice() {
        [] => format!(
            "its fields are {}",
            fields
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        some => format!(
            "did you mean {}?",
            some.iter()
                .map(|f| format!("{owner}.{f}"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    format!("unknown fact '{owner}.{field}': {owner} has no field '{field}'; {hint}")
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
