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

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::ast::{operators, CallExpr, EntryExpr, Expr, IdedExpr, LiteralValue};
use cel::objects::Key;
use cel::{Context, Env, ExecutionError, Program, Value};

use super::schema::{self, comparable, join, Ty};

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
        Expr::Map(m) => m
            .entries
            .iter()
            .flat_map(|en| match &en.expr {
                EntryExpr::MapEntry(me) => vec![&me.key, &me.value],
                EntryExpr::StructField(f) => vec![&f.value],
            })
            .collect(),
        Expr::Struct(st) => st
            .entries
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

type Failure = (u64, String);

struct Checker {
    env: Arc<Env>,
    device: bool,
    /// Variables in scope, innermost last.
    scopes: Vec<(String, Ty)>,
    /// Where calls are tried on sample values.
    sampler: Context<'static, 'static>,
    /// The type inferred for each node, when asked for (tests).
    seen: Option<Vec<(u64, Ty)>>,
}

/// Names of the sample variables: `@` keeps them apart from any name a rule
/// can write.
const SAMPLE_TARGET: &str = "@sample_target";
const SAMPLE_ARGS: [&str; 8] = [
    "@sample_0",
    "@sample_1",
    "@sample_2",
    "@sample_3",
    "@sample_4",
    "@sample_5",
    "@sample_6",
    "@sample_7",
];

impl Checker {
    fn new(env: &Arc<Env>, device: bool) -> Checker {
        Checker {
            env: Arc::clone(env),
            device,
            scopes: Vec::new(),
            sampler: Context::with_env(Arc::clone(env)),
            seen: None,
        }
    }

    fn lookup(&self, name: &str) -> Option<Ty> {
        if let Some((_, t)) = self.scopes.iter().rev().find(|(n, _)| n == name) {
            return Some(t.clone());
        }
        match name.strip_prefix('.').unwrap_or(name) {
            "host" => Some(schema::host().clone()),
            "device" if self.device => Some(schema::device().clone()),
            _ => None,
        }
    }

    /// A name that is no variable: the library's own (`int`, `string`, …)
    /// or an error.
    fn builtin_name(&self, e: &IdedExpr, name: &str) -> Result<Ty, Failure> {
        if name == "device" && !self.device {
            return Err((e.id, "'device' is not available in a host rule".into()));
        }
        let ctx = Context::with_env(Arc::clone(&self.env));
        match Value::resolve(e, &ctx) {
            Err(ExecutionError::UndeclaredReference(_)) => Err((
                e.id,
                format!(
                    "unknown name '{name}': a rule sees host{}, and the variables of its own comprehensions",
                    if self.device { " and device" } else { "" }
                ),
            )),
            _ => Ok(Ty::Dyn),
        }
    }

    fn infer(&mut self, e: &IdedExpr) -> Result<Ty, Failure> {
        let t = self.infer_node(e)?;
        if let Some(seen) = &mut self.seen {
            seen.push((e.id, t.clone()));
        }
        Ok(t)
    }

    fn infer_node(&mut self, e: &IdedExpr) -> Result<Ty, Failure> {
        match &e.expr {
            Expr::Unspecified => Ok(Ty::Dyn),
            Expr::Literal(l) => Ok(literal_ty(l)),
            Expr::Ident(name) => match self.lookup(name) {
                Some(t) => Ok(t),
                None => self.builtin_name(e, name),
            },
            Expr::Select(s) => {
                // A qualified name that is no variable (a type name, say) is
                // the library's to resolve.
                if let Some(root) = root_name(&s.operand) {
                    if self.lookup(root).is_none() {
                        self.builtin_name(e, root)?;
                        return Ok(Ty::Dyn);
                    }
                }
                let operand = self.infer(&s.operand)?;
                let t = self.field(e.id, &s.operand, &operand, &s.field)?;
                Ok(if s.test { Ty::Bool } else { t })
            }
            Expr::List(l) => {
                let mut elem = Ty::Never;
                for (i, x) in l.elements.iter().enumerate() {
                    let t = self.infer(x)?;
                    elem = if l.optional_indices.contains(&i) {
                        Ty::Dyn
                    } else {
                        join(&elem, &t)
                    };
                }
                Ok(Ty::List(Box::new(elem)))
            }
            Expr::Map(m) => {
                let (mut k, mut v) = (Ty::Never, Ty::Never);
                for entry in &m.entries {
                    if let EntryExpr::MapEntry(me) = &entry.expr {
                        let kt = self.infer(&me.key)?;
                        let vt = self.infer(&me.value)?;
                        k = join(&k, &kt);
                        v = if me.optional { Ty::Dyn } else { join(&v, &vt) };
                    }
                }
                Ok(Ty::Map(Box::new(k), Box::new(v)))
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        self.infer(&f.value)?;
                    }
                }
                Ok(Ty::Dyn)
            }
            Expr::Comprehension(c) => {
                let range = self.infer(&c.iter_range)?;
                let (first, second) = match range.non_null() {
                    Ty::List(t) => match c.iter_var2 {
                        Some(_) => (Ty::Int, (**t).clone()),
                        None => ((**t).clone(), Ty::Dyn),
                    },
                    Ty::Map(k, v) => ((**k).clone(), (**v).clone()),
                    Ty::Object(_) => (Ty::String, Ty::Dyn),
                    Ty::Dyn | Ty::Never => (Ty::Dyn, Ty::Dyn),
                    other => {
                        return Err((
                            c.iter_range.id,
                            format!(
                                "`{}` is {other}: there is nothing to iterate over",
                                show(&c.iter_range)
                            ),
                        ))
                    }
                };
                let init = self.infer(&c.accu_init)?;
                let depth = self.scopes.len();
                self.scopes.push((c.iter_var.clone(), first));
                if let Some(v2) = &c.iter_var2 {
                    self.scopes.push((v2.clone(), second));
                }
                self.scopes.push((c.accu_var.clone(), init.clone()));
                // One pass over the step, with the accumulator as it starts:
                // the macros' steps only add to it (`@result + [x]`), so the
                // join of the two is its type.
                let step = self.infer(&c.loop_step);
                let accu = step.map(|s| join(&init, &s));
                let out = accu.and_then(|accu| {
                    if let Some(last) = self.scopes.last_mut() {
                        last.1 = accu;
                    }
                    self.infer(&c.loop_cond)?;
                    self.infer(&c.result)
                });
                self.scopes.truncate(depth);
                out
            }
            Expr::Call(call) => self.call(e, call),
        }
    }

    /// The type of `field` selected on a value of type `t`.
    fn field(&self, id: u64, operand: &IdedExpr, t: &Ty, field: &str) -> Result<Ty, Failure> {
        match t.non_null() {
            Ty::Dyn | Ty::Never => Ok(Ty::Dyn),
            Ty::Map(_, v) => Ok((**v).clone()),
            Ty::Object(o) => match o.fields.get(field) {
                Some(f) => Ok(f.clone()),
                None => Err((id, no_field(&show(operand), field, o.fields.keys()))),
            },
            other => Err((
                id,
                format!("`{}` is {other}: it has no field '{field}'", show(operand)),
            )),
        }
    }

    fn call(&mut self, e: &IdedExpr, call: &CallExpr) -> Result<Ty, Failure> {
        let name = call.func_name.as_str();
        let args = &call.args;
        match (name, args.len(), &call.target) {
            (operators::LOGICAL_AND | operators::LOGICAL_OR, 2, None) => {
                for a in args {
                    self.want_bool(a, name)?;
                }
                Ok(Ty::Bool)
            }
            (operators::LOGICAL_NOT, 1, None) => {
                self.want_bool(&args[0], name)?;
                Ok(Ty::Bool)
            }
            // CEL's way to opt out of type checks, as in cel-go.
            ("dyn", 1, None) => {
                self.infer(&args[0])?;
                Ok(Ty::Dyn)
            }
            (operators::NOT_STRICTLY_FALSE, 1, None) => {
                self.infer(&args[0])?;
                Ok(Ty::Bool)
            }
            (operators::CONDITIONAL, 3, None) => {
                self.want_bool(&args[0], name)?;
                let a = self.infer(&args[1])?;
                let b = self.infer(&args[2])?;
                Ok(join(&a, &b))
            }
            (operators::EQUALS | operators::NOT_EQUALS, 2, None) => {
                let a = self.infer(&args[0])?;
                let b = self.infer(&args[1])?;
                if !comparable(&a, &b) {
                    return Err((
                        e.id,
                        format!("`{}` compares {a} with {b}: they are never equal", show(e)),
                    ));
                }
                Ok(Ty::Bool)
            }
            (operators::IN, 2, None) => {
                let a = self.infer(&args[0])?;
                let b = self.infer(&args[1])?;
                let key = match b.non_null() {
                    Ty::List(t) => (**t).clone(),
                    Ty::Map(k, _) => (**k).clone(),
                    Ty::Object(_) => Ty::String,
                    Ty::Dyn | Ty::Never => Ty::Dyn,
                    other => {
                        return Err((
                            e.id,
                            format!(
                                "`{}`: 'in' needs a list or a map, and `{}` is {other}",
                                show(e),
                                show(&args[1])
                            ),
                        ))
                    }
                };
                if !comparable(&a, &key) {
                    return Err((
                        e.id,
                        format!(
                            "`{}` looks for {a} among {}: never found",
                            show(e),
                            match b.non_null() {
                                Ty::List(_) => b.non_null().to_string(),
                                _ => format!("keys that are {key}"),
                            }
                        ),
                    ));
                }
                Ok(Ty::Bool)
            }
            (operators::INDEX, 2, None) => {
                let a = self.infer(&args[0])?;
                let i = self.infer(&args[1])?;
                match a.non_null() {
                    Ty::Dyn | Ty::Never => Ok(Ty::Dyn),
                    Ty::List(t) => {
                        if matches!(
                            i.non_null(),
                            Ty::Int | Ty::UInt | Ty::Double | Ty::Dyn | Ty::Never
                        ) {
                            Ok((**t).clone())
                        } else {
                            Err((
                                e.id,
                                format!("`{}`: a list's index is a number, not {i}", show(e)),
                            ))
                        }
                    }
                    Ty::Map(_, v) => Ok((**v).clone()),
                    Ty::Object(_) => match &args[1].expr {
                        Expr::Literal(LiteralValue::String(s)) => {
                            self.field(e.id, &args[0], &a, s.inner())
                        }
                        _ => Ok(Ty::Dyn),
                    },
                    _ => self.sampled(e, call, Some(a), vec![i]),
                }
            }
            (operators::OPT_INDEX | operators::OPT_SELECT, 2, None) => {
                self.infer(&args[0])?;
                self.infer(&args[1])?;
                Ok(Ty::Dyn)
            }
            (operators::ADD, 2, None) => {
                let a = self.infer(&args[0])?;
                let b = self.infer(&args[1])?;
                match (a.non_null(), b.non_null()) {
                    (Ty::List(x), Ty::List(y)) => Ok(Ty::List(Box::new(join(x, y)))),
                    _ => self.sampled(e, call, None, vec![a, b]),
                }
            }
            _ => {
                // A call on a qualified name that is no variable, such as
                // `strings.quote(x)`, names a function: the library resolves
                // the target as written.
                let target = match &call.target {
                    Some(t) => match root_name(t) {
                        Some(root) if self.lookup(root).is_none() => Target::AsWritten,
                        _ => Target::Typed(self.infer(t)?),
                    },
                    None => Target::None,
                };
                let mut types = Vec::with_capacity(args.len());
                for a in args {
                    types.push(self.infer(a)?);
                }
                match target {
                    Target::Typed(t) => self.sampled(e, call, Some(t), types),
                    Target::None => self.sampled(e, call, None, types),
                    Target::AsWritten => self.sampled_as_written(e, call, types),
                }
            }
        }
    }

    fn want_bool(&mut self, a: &IdedExpr, op: &str) -> Result<(), Failure> {
        let t = self.infer(a)?;
        if boolish(&t) {
            Ok(())
        } else {
            let op = match op {
                operators::LOGICAL_AND => "&&",
                operators::LOGICAL_OR => "||",
                operators::LOGICAL_NOT => "!",
                _ => "? :",
            };
            Err((a.id, format!("`{}` is {t}, but {op} needs a bool", show(a))))
        }
    }

    /// Calls the function on sample values of the argument types.
    fn sampled(
        &mut self,
        e: &IdedExpr,
        call: &CallExpr,
        target: Option<Ty>,
        args: Vec<Ty>,
    ) -> Result<Ty, Failure> {
        let target_expr = target.as_ref().map(|_| ident(e.id, SAMPLE_TARGET));
        self.try_samples(e, call, target_expr, target, args)
    }

    fn sampled_as_written(
        &mut self,
        e: &IdedExpr,
        call: &CallExpr,
        args: Vec<Ty>,
    ) -> Result<Ty, Failure> {
        let target_expr = call.target.as_deref().cloned();
        self.try_samples(e, call, target_expr, None, args)
    }

    fn try_samples(
        &mut self,
        e: &IdedExpr,
        call: &CallExpr,
        target_expr: Option<IdedExpr>,
        target: Option<Ty>,
        args: Vec<Ty>,
    ) -> Result<Ty, Failure> {
        if args.len() > SAMPLE_ARGS.len() {
            return Ok(Ty::Dyn);
        }
        let probe = IdedExpr {
            id: e.id,
            expr: Expr::Call(CallExpr {
                func_name: call.func_name.clone(),
                target: target_expr.map(Box::new),
                args: (0..args.len())
                    .map(|i| ident(e.id, SAMPLE_ARGS[i]))
                    .collect(),
            }),
        };
        let all: Vec<&Ty> = target.iter().chain(&args).collect();
        let samples: Option<Vec<Value>> = all.iter().map(|t| sample(t)).collect();
        let Some(samples) = samples else {
            // Some argument is of any type: only whether the function
            // exists at all can be told (with nulls for arguments).
            let nulls = vec![Value::Null; all.len()];
            return match self.run(&probe, target.is_some(), nulls) {
                Err(ExecutionError::UndeclaredReference(n)) => Err((e.id, undeclared(&n, call))),
                _ => Ok(Ty::Dyn),
            };
        };
        let first = self.run(&probe, target.is_some(), samples);
        let first_err = match first {
            Ok(v) => return Ok(result_ty(&v, all.iter().any(|t| t.has_dyn()))),
            Err(err) => err,
        };
        if !is_type_error(&first_err) {
            return Ok(Ty::Dyn);
        }
        // A nullable argument may be null at run time, and the call may
        // take null: only when it fails both ways is it wrong.
        if all.iter().any(|t| matches!(t, Ty::Nullable(_))) {
            let with_nulls: Option<Vec<Value>> = all
                .iter()
                .map(|t| match t {
                    Ty::Nullable(_) => Some(Value::Null),
                    t => sample(t),
                })
                .collect();
            if let Some(with_nulls) = with_nulls {
                match self.run(&probe, target.is_some(), with_nulls) {
                    Err(err) if is_type_error(&err) => {}
                    _ => return Ok(Ty::Dyn),
                }
            }
        }
        Err((e.id, type_error(e, call, &first_err, &all)))
    }

    fn run(
        &mut self,
        probe: &IdedExpr,
        has_target: bool,
        values: Vec<Value>,
    ) -> Result<Value, ExecutionError> {
        let mut values = values.into_iter();
        if has_target {
            if let Some(t) = values.next() {
                self.sampler.add_variable_from_value(SAMPLE_TARGET, t);
            }
        }
        for (i, v) in values.enumerate() {
            self.sampler.add_variable_from_value(SAMPLE_ARGS[i], v);
        }
        Value::resolve(probe, &self.sampler)
    }
}

enum Target {
    None,
    Typed(Ty),
    AsWritten,
}

fn ident(id: u64, name: &str) -> IdedExpr {
    IdedExpr {
        id,
        expr: Expr::Ident(name.to_string()),
    }
}

/// The identifier a chain of field selections starts from.
fn root_name(e: &IdedExpr) -> Option<&str> {
    match &e.expr {
        Expr::Ident(n) => Some(n),
        Expr::Select(s) if !s.test => root_name(&s.operand),
        _ => None,
    }
}

/// Errors that only the types of the arguments can cause.
fn is_type_error(e: &ExecutionError) -> bool {
    matches!(
        e,
        ExecutionError::NoSuchOverload(_)
            | ExecutionError::UndeclaredReference(_)
            | ExecutionError::UnsupportedBinaryOperator(..)
            | ExecutionError::ValuesNotComparable(..)
            | ExecutionError::UnexpectedType { .. }
            | ExecutionError::UnsupportedTargetType { .. }
            | ExecutionError::NotSupportedAsMethod { .. }
            | ExecutionError::InvalidArgumentCount { .. }
            | ExecutionError::UnsupportedIndex(..)
            | ExecutionError::MissingArgumentOrTarget
    )
}

fn undeclared(name: &str, call: &CallExpr) -> String {
    if name == call.func_name {
        format!("unknown function '{name}'")
    } else {
        format!("unknown name '{name}'")
    }
}

fn type_error(e: &IdedExpr, call: &CallExpr, err: &ExecutionError, types: &[&Ty]) -> String {
    if let ExecutionError::UndeclaredReference(n) = err {
        return undeclared(n, call);
    }
    let types: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    let on = match types.as_slice() {
        [] => String::new(),
        [one] => format!(" on {one}"),
        [init @ .., last] => format!(" on {} and {last}", init.join(", ")),
    };
    let detail = match err {
        ExecutionError::NoSuchOverload(o) => o.to_string(),
        ExecutionError::UnsupportedBinaryOperator(op, a, b) => {
            format!("no '{op}' for {} and {}", a.type_of(), b.type_of())
        }
        ExecutionError::ValuesNotComparable(a, b) => {
            format!("{} and {} do not compare", a.type_of(), b.type_of())
        }
        ExecutionError::UnexpectedType { got, want } => format!("got {got} where {want} is needed"),
        ExecutionError::InvalidArgumentCount { expected, actual } => {
            format!("takes {expected} argument(s), not {actual}")
        }
        _ => format!("'{}' does not apply", call.func_name),
    };
    format!("`{}`: type error{on}: {detail}", show(e))
}

fn literal_ty(l: &LiteralValue) -> Ty {
    match l {
        LiteralValue::Boolean(_) => Ty::Bool,
        LiteralValue::Bytes(_) => Ty::Bytes,
        LiteralValue::Double(_) => Ty::Double,
        LiteralValue::Int(_) => Ty::Int,
        LiteralValue::Null => Ty::Null,
        LiteralValue::String(_) => Ty::String,
        LiteralValue::UInt(_) => Ty::UInt,
    }
}

/// A value of the type, for trying a call; None where the type is unknown.
/// Containers of unknown elements are empty.
fn sample(t: &Ty) -> Option<Value> {
    Some(match t {
        Ty::Dyn | Ty::Never => return None,
        Ty::Null => Value::Null,
        Ty::Bool => Value::Bool(true),
        Ty::Int => Value::Int(1),
        Ty::UInt => Value::UInt(1),
        Ty::Double => Value::Float(1.0),
        Ty::String => Value::String(Arc::new("a".into())),
        Ty::Bytes => Value::Bytes(Arc::new(b"a".to_vec())),
        Ty::Nullable(t) => return sample(t),
        Ty::List(e) => Value::List(Arc::new(sample(e).into_iter().collect())),
        Ty::Map(k, v) => {
            let mut m: HashMap<Key, Value> = HashMap::new();
            if let (Some(Value::String(k)), Some(v)) = (sample(k), sample(v)) {
                m.insert(Key::String(k), v);
            }
            Value::from(m)
        }
        Ty::Object(o) => {
            let m: HashMap<Key, Value> = o
                .fields
                .iter()
                .filter_map(|(k, t)| sample(t).map(|v| (Key::from(k.clone()), v)))
                .collect();
            Value::from(m)
        }
    })
}

/// The type of a call's result on samples. Scalars are what they are; the
/// elements of a container are trusted only when no argument had a part of
/// unknown type.
fn result_ty(v: &Value, unsure: bool) -> Ty {
    match v {
        Value::Bool(_) => Ty::Bool,
        Value::Int(_) => Ty::Int,
        Value::UInt(_) => Ty::UInt,
        Value::Float(_) => Ty::Double,
        Value::String(_) => Ty::String,
        Value::Bytes(_) => Ty::Bytes,
        Value::Null => Ty::Null,
        Value::List(items) if !unsure => Ty::List(Box::new(
            items
                .iter()
                .map(|i| result_ty(i, false))
                .reduce(|a, b| join(&a, &b))
                .unwrap_or(Ty::Dyn),
        )),
        Value::List(_) => Ty::List(Box::new(Ty::Dyn)),
        Value::Map(_) => Ty::Map(Box::new(Ty::Dyn), Box::new(Ty::Dyn)),
        _ => Ty::Dyn,
    }
}

/// An expression as a rule writes it, for messages (macros shown as `…`).
pub fn show(e: &IdedExpr) -> String {
    let mut s = String::new();
    write_expr(e, &mut s, 0);
    if s.chars().count() > 80 {
        s = s.chars().take(77).collect::<String>() + "…";
    }
    s
}

fn write_expr(e: &IdedExpr, out: &mut String, depth: usize) {
    if depth > 16 || out.len() > 200 {
        out.push('…');
        return;
    }
    let d = depth + 1;
    match &e.expr {
        Expr::Ident(n) if n.starts_with('@') => out.push_str("the result"),
        Expr::Ident(n) => out.push_str(n),
        Expr::Literal(l) => match Value::try_from(l.to_val().as_ref()) {
            Ok(Value::String(s)) => {
                out.push('\'');
                out.push_str(&s);
                out.push('\'');
            }
            Ok(Value::UInt(u)) => out.push_str(&format!("{u}u")),
            Ok(v) => {
                let mut text = String::new();
                super::template::display(&v, &mut text);
                out.push_str(match &v {
                    Value::Bool(b) => {
                        if *b {
                            "true"
                        } else {
                            "false"
                        }
                    }
                    Value::Null => "null",
                    _ => &text,
                });
            }
            Err(_) => out.push('…'),
        },
        Expr::Select(s) => {
            if s.test {
                out.push_str("has(");
            }
            write_expr(&s.operand, out, d);
            out.push('.');
            out.push_str(&s.field);
            if s.test {
                out.push(')');
            }
        }
        Expr::Call(c) => {
            let infix = match c.func_name.as_str() {
                operators::LOGICAL_AND => Some("&&"),
                operators::LOGICAL_OR => Some("||"),
                operators::EQUALS => Some("=="),
                operators::NOT_EQUALS => Some("!="),
                operators::LESS => Some("<"),
                operators::LESS_EQUALS => Some("<="),
                operators::GREATER => Some(">"),
                operators::GREATER_EQUALS => Some(">="),
                operators::ADD => Some("+"),
                operators::SUBSTRACT => Some("-"),
                operators::MULTIPLY => Some("*"),
                operators::DIVIDE => Some("/"),
                operators::MODULO => Some("%"),
                operators::IN => Some("in"),
                _ => None,
            };
            match (infix, c.args.as_slice(), c.func_name.as_str()) {
                (Some(op), [a, b], _) => {
                    write_expr(a, out, d);
                    out.push_str(&format!(" {op} "));
                    write_expr(b, out, d);
                }
                (_, [a], operators::LOGICAL_NOT) => {
                    out.push('!');
                    write_expr(a, out, d);
                }
                (_, [a], operators::NEGATE) => {
                    out.push('-');
                    write_expr(a, out, d);
                }
                (_, [a, i], operators::INDEX) => {
                    write_expr(a, out, d);
                    out.push('[');
                    write_expr(i, out, d);
                    out.push(']');
                }
                (_, [a, b, c], operators::CONDITIONAL) => {
                    write_expr(a, out, d);
                    out.push_str(" ? ");
                    write_expr(b, out, d);
                    out.push_str(" : ");
                    write_expr(c, out, d);
                }
                _ => {
                    if let Some(t) = &c.target {
                        write_expr(t, out, d);
                        out.push('.');
                    }
                    out.push_str(&c.func_name);
                    out.push('(');
                    for (i, a) in c.args.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        write_expr(a, out, d);
                    }
                    out.push(')');
                }
            }
        }
        Expr::List(l) => {
            out.push('[');
            for (i, a) in l.elements.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(a, out, d);
            }
            out.push(']');
        }
        _ => out.push('…'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::engine::cel_env;

    fn checked(src: &str, device: bool, want: Want) -> Result<(), String> {
        let env = cel_env();
        let program = env.compile(src).expect("parses");
        check(&program, &env, device, want).map_err(|e| e.reason)
    }

    #[test]
    fn valid_expressions_pass() {
        for src in [
            "host.cpu.vmx || host.cpu.svm",
            "host.distro.family == 'rhel'",
            "host.modules.vfio_pci == 'loaded' || host.modules['vfio-pci'] == 'builtin'",
            "'vfio' in host.modules",
            "host.kernel.params.intel_iommu == 'on'",
            "has(host.kernel.params.iommu)",
            "size(host.iommu.units) > 0 && host.iommu.groups >= 1u",
            "host.iommu.groups > 0.5",
            "host.firmware.iommu_table.intr_remap == true",
            "host.firmware.iommu_table.intr_remap",
            "host.guests.exists(g, g.running && g.memory_kib != null && g.memory_kib > 1024)",
            "host.guests.map(g, g.name).join(', ') != ''",
            "host.guests.filter(g, g.kind == 'xl').size() == 0",
            "host.guests.map(g, g.running, g.name).size() >= 0",
            "host.modules.exists(m, m.startsWith('vfio'))",
            "host.modules.all(k, host.modules[k] != 'absent' || k == 'x')",
            "strings.quote(host.distro.id) != ''",
            "type(host.iommu.units) == list",
            "dyn(host.cpu.cpus) == 'x'",
            "[1, 'a'].size() == 2",
            "host.iommu.units[0].startsWith('dmar')",
            "host.cpu.model_name.lowerAscii().contains('xeon')",
            "host.kernel.cmdline.split(' ').exists(w, w == 'iommu=pt')",
            "host.qemu.gids.exists(g, g == 36)",
            "host.xen.capabilities == null || host.xen.capabilities.contains('hvm')",
            "host.xen.capabilities.contains('hvm')",
            "{'a': host.cpu.vmx}.a",
            "host.cpu.cpus / 0 == 1",
            "host.cpu.model_name.substring(5) != ''",
            "int(host.kernel.release) > 4",
            "host.guests.sortBy(g, g.name).size() > 0",
            "[].all(x, x.anything)",
        ] {
            assert_eq!(checked(src, false, Want::Bool), Ok(()), "{src}");
        }
        for src in [
            "device.driver == 'vfio-pci'",
            "device.driver == null ? 'unbound' : device.driver",
            "device.group.blockers.map(m, m.address + ' is bound to ' + m.driver).join(', ')",
            "device.pf_driver.missing_deps.join(', ')",
            "device.sriov.numvfs < device.sriov.totalvfs",
            "device.memlock.limit_bytes == null || device.memlock.limit_bytes >= device.memlock.memory_bytes",
            "device.acs_path.filter(p, !p.isolates).map(p, p.address + ' lacks ' + p.missing.join('/'))",
        ] {
            assert_eq!(checked(src, true, Want::Any), Ok(()), "{src}");
        }
    }

    #[test]
    fn unknown_names_and_facts_are_rejected() {
        for (src, device, want) in [
            ("hots.cpu.vmx", false, "unknown name 'hots'"),
            ("device.kind == 'vf'", false, "'device' is not available in a host rule"),
            ("host.cpu.vmxx", false, "unknown fact 'host.cpu.vmxx': host.cpu has no field 'vmxx'; did you mean host.cpu.vmx?"),
            ("has(host.cpu.nested)", false, "unknown fact 'host.cpu.nested'"),
            ("host.cpu['vmxx']", false, "unknown fact 'host.cpu.vmxx'"),
            ("host.guests.exists(g, g.nme == 'x')", false, "unknown fact 'g.nme'"),
            ("device.group.members.all(m, m.drivr == null)", true, "unknown fact 'm.drivr'"),
            ("device.pf_driver.modul == 'igb'", true, "unknown fact 'device.pf_driver.modul'"),
            ("sizee(host.guests) == 0", false, "unknown function 'sizee'"),
            ("host.guests.count() == 0", false, "unknown function 'count'"),
            ("stringz.quote('a') == 'a'", false, "unknown name 'stringz'"),
            // Two-variable comprehensions are not macros in this environment.
            ("host.guests.all(i, g, i >= 0)", false, "unknown name 'i'"),
        ] {
            let got = checked(src, device, Want::Bool).expect_err(src);
            assert!(got.contains(want), "{src}: {got}");
        }
    }

    #[test]
    fn type_errors_are_rejected() {
        for (src, want) in [
            ("host.distro.family == 7", "compares a string with an int"),
            ("host.cpu.vmx != 'yes'", "compares a bool with a string"),
            (
                "size(host.cpu.vmx) > 0",
                "found no matching overload for 'size' applied to '(bool)'",
            ),
            ("host.cpu.vmx.size() > 0", "type error on a bool"),
            ("host.iommu.units", "is a list of strings, not a bool"),
            ("host.kernel.params", "is a map, not a bool"),
            ("host.distro.family", "is a string, not a bool"),
            ("host.iommu.units && true", "but && needs a bool"),
            ("!host.iommu.groups", "but ! needs a bool"),
            ("host.cpu.cpus ? true : false", "but ? : needs a bool"),
            (
                "host.cpu.model_name > 3",
                "type error on a string and an int",
            ),
            ("host.cpu.cpus + 1u > 2", "no 'add' for int and uint"),
            ("host.iommu.groups.join(',') == ''", "type error"),
            (
                "host.qemu.gids.join(',') == ''",
                "got int where string is needed",
            ),
            (
                "1 in host.iommu.units",
                "looks for an int among a list of strings",
            ),
            ("'x' in host.cpu.cpus", "'in' needs a list or a map"),
            ("host.cpu.vmx.exists(x, x)", "nothing to iterate over"),
            ("host.cpu.model_name.x == 1", "it has no field 'x'"),
            ("host.iommu.units['a'] == 'b'", "a list's index is a number"),
            (
                "host.guests.exists(g, g.memory_kib > 'x')",
                "type error on an int or null and a string",
            ),
            ("host.cpu.model_name.contains(1)", "type error"),
        ] {
            let got = checked(src, false, Want::Bool).expect_err(src);
            assert!(got.contains(want), "{src}: {got}");
        }
    }

    #[test]
    fn deep_chains_are_rejected_before_anything_recurses_on_them() {
        let env = cel_env();
        let mut deepest = 0;
        for (file, text) in crate::rules::BUILTIN_RULES {
            let value: toml::Value = toml::from_str(text).unwrap();
            let mut sources: Vec<String> = Vec::new();
            for key in ["applies", "condition", "warn_if"] {
                sources.extend(value.get(key).and_then(|v| v.as_str()).map(String::from));
            }
            let rule = crate::rules::Rule::load(file, text, "built-in", &env).unwrap();
            for t in [&rule.pass, &rule.fail].into_iter().chain(&rule.evidence) {
                sources.extend(t.placeholders().map(|(s, _)| s.to_string()));
            }
            for src in sources {
                deepest = deepest.max(depth(env.compile(&src).unwrap().expression()));
            }
        }
        assert!(
            deepest >= 10 && deepest * 4 <= MAX_DEPTH,
            "built-in rules reach {deepest}"
        );
        for (src, levels) in [
            (format!("host{}", ".a".repeat(150)), 151),
            (format!("host.iommu.units{}", "[0]".repeat(150)), 153),
            (format!("1{} > 0", " + 1".repeat(150)), 152),
        ] {
            let program = env.compile(&src).unwrap();
            assert_eq!(depth(program.expression()), levels);
            let err = check(&program, &env, false, Want::Bool).unwrap_err();
            assert!(
                err.reason.contains(&format!("nests {levels} levels deep")),
                "{}",
                err.reason
            );
        }
    }

    #[test]
    fn needs_name_facts() {
        assert_eq!(check_need("host.distro", false), Ok(()));
        assert_eq!(check_need("host.modules.vfio_pci", false), Ok(()));
        assert_eq!(check_need("device.group", true), Ok(()));
        assert!(check_need("host.distrox", false)
            .unwrap_err()
            .contains("did you mean host.distro?"));
        assert!(check_need("device.group", false)
            .unwrap_err()
            .contains("starts with host."));
        assert!(check_need("host.cpu.vmx.x", false)
            .unwrap_err()
            .contains("host.cpu.vmx is a bool, which has no fields"));
    }

    /// Whether an evaluated value is of the type inferred for it.
    fn fits(v: &Value, t: &Ty) -> bool {
        match (t, v) {
            (Ty::Dyn | Ty::Never, _) => true,
            (Ty::Nullable(_) | Ty::Null, Value::Null) => true,
            (Ty::Nullable(t), v) => fits(v, t),
            (Ty::Bool, Value::Bool(_))
            | (Ty::Int, Value::Int(_))
            | (Ty::UInt, Value::UInt(_))
            | (Ty::Double, Value::Float(_))
            | (Ty::String, Value::String(_))
            | (Ty::Bytes, Value::Bytes(_)) => true,
            (Ty::List(e), Value::List(items)) => items.iter().all(|i| fits(i, e)),
            (Ty::Map(_, val), Value::Map(m)) => m.map.values().all(|x| fits(x, val)),
            (Ty::Object(o), Value::Map(m)) => m.map.iter().all(|(k, x)| match k {
                Key::String(k) => o.fields.get(k.as_str()).is_some_and(|f| fits(x, f)),
                _ => false,
            }),
            _ => false,
        }
    }

    /// Whether every name in the expression is `host`, `device` or a
    /// variable of a comprehension inside it: then it can be evaluated alone.
    fn closed(e: &IdedExpr, bound: &mut Vec<String>) -> bool {
        match &e.expr {
            Expr::Ident(n) => n == "host" || n == "device" || bound.contains(n),
            Expr::Literal(_) | Expr::Unspecified => true,
            Expr::Select(s) => closed(&s.operand, bound),
            Expr::Call(c) => {
                c.target.as_deref().is_none_or(|t| closed(t, bound))
                    && c.args.iter().all(|a| closed(a, bound))
            }
            Expr::List(l) => l.elements.iter().all(|x| closed(x, bound)),
            Expr::Map(m) => m.entries.iter().all(|en| match &en.expr {
                EntryExpr::MapEntry(me) => closed(&me.key, bound) && closed(&me.value, bound),
                EntryExpr::StructField(f) => closed(&f.value, bound),
            }),
            Expr::Struct(_) => false,
            Expr::Comprehension(c) => {
                if !closed(&c.iter_range, bound) || !closed(&c.accu_init, bound) {
                    return false;
                }
                let depth = bound.len();
                bound.push(c.iter_var.clone());
                bound.extend(c.iter_var2.clone());
                bound.push(c.accu_var.clone());
                let ok = closed(&c.loop_cond, bound)
                    && closed(&c.loop_step, bound)
                    && closed(&c.result, bound);
                bound.truncate(depth);
                ok
            }
        }
    }

    /// Every closed node of the expression.
    fn nodes<'a>(e: &'a IdedExpr, out: &mut Vec<&'a IdedExpr>) {
        if closed(e, &mut Vec::new()) {
            out.push(e);
        }
        match &e.expr {
            Expr::Select(s) => nodes(&s.operand, out),
            Expr::Call(c) => {
                if let Some(t) = &c.target {
                    nodes(t, out);
                }
                c.args.iter().for_each(|a| nodes(a, out));
            }
            Expr::List(l) => l.elements.iter().for_each(|x| nodes(x, out)),
            Expr::Map(m) => m.entries.iter().for_each(|en| {
                if let EntryExpr::MapEntry(me) = &en.expr {
                    nodes(&me.key, out);
                    nodes(&me.value, out);
                }
            }),
            Expr::Comprehension(c) => {
                nodes(&c.iter_range, out);
                nodes(&c.accu_init, out);
            }
            _ => {}
        }
    }

    /// The soundness of the checker, on real facts: on every test host, the
    /// facts fit the types derived from the fact structs, and every part of
    /// every built-in rule's expressions that evaluates gives a value of the
    /// type the checker inferred for it.
    #[test]
    fn inference_agrees_with_evaluation_on_every_test_host() {
        use crate::hostfs::DirFs;
        use crate::rules::cel_value::to_cel;
        use crate::rules::{Engine, Scope};

        let env = cel_env();
        let engine = Engine::load(None).expect("built-in rules load");
        // (program, whether device is bound, inferred types by node id)
        type Inferred<'a> = (&'a Program, bool, HashMap<u64, Vec<Ty>>);
        let mut programs: Vec<Inferred> = Vec::new();
        for rule in &engine.rules {
            let device = rule.scope != Scope::Host;
            let mut all: Vec<&Program> = Vec::new();
            all.extend(rule.applies.iter().map(|e| &e.program));
            all.push(&rule.condition.program);
            all.extend(rule.warn_if.iter().map(|e| &e.program));
            for r in &rule.remediation {
                all.extend(r.when.iter().map(|e| &e.program));
                all.extend(r.text.placeholders().map(|(_, p)| p));
            }
            for t in [&rule.pass, &rule.fail]
                .into_iter()
                .chain(&rule.evidence)
                .chain(&rule.not_applicable)
            {
                all.extend(t.placeholders().map(|(_, p)| p));
            }
            for p in all {
                let mut types: HashMap<u64, Vec<Ty>> = HashMap::new();
                for (id, t) in node_types(p, &env, device).expect("built-in rules check") {
                    types.entry(id).or_default().push(t);
                }
                programs.push((p, device, types));
            }
        }
        let mut compared = 0usize;
        let mut hosts = 0usize;
        let mut dirs: Vec<_> = std::fs::read_dir("tests/hosts")
            .expect("tests/hosts")
            .filter_map(|e| e.ok().map(|e| e.path().join("root")))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            let fs = DirFs::tree(&dir).expect("host tree");
            let facts = crate::gather(&fs, &[]).expect("facts");
            hosts += 1;
            let host = serde_json::to_value(&facts.host).unwrap();
            let misfit = schema::misfit(&host, schema::host(), "host");
            assert_eq!(misfit, None, "{}", dir.display());
            let mut ctx = Context::with_env(Arc::clone(&env));
            ctx.add_variable_from_value("host", to_cel(&host));
            let mut subjects = vec![None];
            for d in &facts.devices {
                let json = serde_json::to_value(d).unwrap();
                let misfit = schema::misfit(&json, schema::device(), "device");
                assert_eq!(misfit, None, "{} {}", dir.display(), d.address);
                subjects.push(Some(json));
            }
            for subject in &subjects {
                if let Some(json) = subject {
                    ctx.add_variable_from_value("device", to_cel(json));
                }
                for (program, device, types) in &programs {
                    if *device != subject.is_some() {
                        continue;
                    }
                    let mut closed_nodes = Vec::new();
                    nodes(program.expression(), &mut closed_nodes);
                    for node in closed_nodes {
                        let Ok(v) = Value::resolve(node, &ctx) else {
                            continue;
                        };
                        let inferred = &types[&node.id];
                        assert!(
                            inferred.iter().any(|t| fits(&v, t)),
                            "{}: `{}` gave {v:?}, inferred {inferred:?}",
                            dir.display(),
                            show(node)
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(hosts >= 20, "{hosts} test hosts");
        assert!(compared > 10_000, "only {compared} values compared");
    }
}
