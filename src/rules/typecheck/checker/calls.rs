//! Calls and operators: each CEL operator with its own typing rule, and any
//! other function tried on sample values (`sampling`).

use cel::common::ast::{operators, CallExpr, Expr, IdedExpr, LiteralValue};

use super::super::schema::{comparable, join, Ty};
use super::super::show;
use super::{is_object, root_name, Checker, Failure, OBJECT_USE};

impl Checker {
    pub(super) fn call(&mut self, e: &IdedExpr, call: &CallExpr) -> Result<Ty, Failure> {
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
            (operators::EQUALS | operators::NOT_EQUALS, 2, None) => self.equality(e, args),
            (operators::IN, 2, None) => self.membership(e, args),
            (operators::INDEX, 2, None) => self.index(e, call),
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
            _ => self.function(e, call),
        }
    }

    /// `==` and `!=`: the two sides must be able to be equal.
    fn equality(&mut self, e: &IdedExpr, args: &[IdedExpr]) -> Result<Ty, Failure> {
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

    /// `a in b`: b is a list or a map, and a can be among its elements or keys.
    fn membership(&mut self, e: &IdedExpr, args: &[IdedExpr]) -> Result<Ty, Failure> {
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

    /// `a[i]`: a list by a number, a map by any key, a fact structure by a
    /// literal field name.
    fn index(&mut self, e: &IdedExpr, call: &CallExpr) -> Result<Ty, Failure> {
        let args = &call.args;
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
                Expr::Literal(LiteralValue::String(s)) => self.field(e.id, &args[0], &a, s.inner()),
                _ => Ok(Ty::Dyn),
            },
            _ => self.sampled(e, call, Some(a), vec![i]),
        }
    }

    /// Any other function or method, tried on sample values.
    fn function(&mut self, e: &IdedExpr, call: &CallExpr) -> Result<Ty, Failure> {
        let args = &call.args;
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

enum Target {
    None,
    Typed(Ty),
    AsWritten,
}
