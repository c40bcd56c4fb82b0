//! The type checker proper: a walk of the syntax tree that infers each
//! node's type, trying calls on sample values.

use std::sync::Arc;

use cel::common::ast::{operators, CallExpr, EntryExpr, Expr, IdedExpr, LiteralValue};
use cel::{Context, Env, ExecutionError, Value};

use super::samples::{is_type_error, result_ty, sample, type_error, undeclared};
use super::*;

type Failure = (u64, String);

pub(super) struct Checker {
    env: Arc<Env>,
    device: bool,
    /// Variables in scope, innermost last.
    scopes: Vec<(String, Ty)>,
    /// Where calls are tried on sample values.
    sampler: Context<'static, 'static>,
    /// The type inferred for each node, when asked for (tests).
    pub(super) seen: Option<Vec<(u64, Ty)>>,
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
    pub(super) fn new(env: &Arc<Env>, device: bool) -> Checker {
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

    pub(super) fn infer(&mut self, e: &IdedExpr) -> Result<Ty, Failure> {
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
                    Ty::Object(_) => {
                        return Err((
                            c.iter_range.id,
                            format!(
                                "`{}` is {range}: {OBJECT_USE}, not iterated over",
                                show(&c.iter_range)
                            ),
                        ))
                    }
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
                for (x, y) in [(&a, &b), (&b, &a)] {
                    if is_object(x) && !matches!(y, Ty::Null | Ty::Dyn | Ty::Never) {
                        return Err((
                            e.id,
                            format!(
                                "`{}` compares {x} with {y}: {OBJECT_USE}; compare its fields",
                                show(e)
                            ),
                        ));
                    }
                }
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
                if is_object(&a) {
                    return Err((
                        e.id,
                        format!(
                            "`{}` looks for {a} in a container: {OBJECT_USE}; look for one of its fields",
                            show(e)
                        ),
                    ));
                }
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
        if let Some(object) = all.iter().find(|t| is_object(t)) {
            return Err((
                e.id,
                format!(
                    "`{}` calls {}() on {object}: {OBJECT_USE}",
                    show(e),
                    call.func_name
                ),
            ));
        }
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

/// What a rule may do with a fact structure (`device.group`, an element of
/// `device.group.members`): the rules read one field by field, on access
/// (`FactsVal`), never as a whole.
const OBJECT_USE: &str =
    "a fact structure only has its fields selected, tested with has() or `in`, or compared with null";

/// A fact structure, or null.
fn is_object(t: &Ty) -> bool {
    matches!(t.non_null(), Ty::Object(_))
}
