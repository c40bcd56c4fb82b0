//! The type checker proper: a walk of the syntax tree that infers each
//! node's type, trying calls on sample values.

use std::sync::Arc;

use cel::common::ast::{operators, ComprehensionExpr, EntryExpr, Expr, IdedExpr, LiteralValue};
use cel::{Context, Env, ExecutionError, Value};

use super::schema::{self, join, Ty};
use super::{boolish, no_field, show};

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

mod calls;
mod sampling;

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
            Expr::Comprehension(c) => self.comprehension(c),
            Expr::Call(call) => self.call(e, call),
        }
    }

    /// A comprehension (the macros `all`, `exists`, `map`, `filter`, …):
    /// its range must be a list or a map, its variables are typed from it.
    fn comprehension(&mut self, c: &ComprehensionExpr) -> Result<Ty, Failure> {
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
